package store_test

import (
	"context"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

func TestTryExclusive(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			url := be.URL(t)
			a := dbtest.Open(t, store.Config{URL: url})
			ctx := context.Background()
			ran, err := a.TryExclusive(ctx, "forward", func() error { return nil })
			if err != nil || !ran {
				t.Fatalf("uncontended: ran=%v err=%v", ran, err)
			}
			if be.Name != store.DialectPostgres {
				return
			}
			// A second engine (its own pool) skips while the first holds it.
			b := dbtest.Open(t, store.Config{URL: url})
			// An engine on another schema of the same database is not
			// contended: the lock is per schema.
			other := dbtest.Open(t, store.Config{URL: be.URL(t)})
			ran, err = a.TryExclusive(ctx, "forward", func() error {
				inner, err := b.TryExclusive(ctx, "forward", func() error { t.Error("ran while locked"); return nil })
				if err != nil || inner {
					t.Errorf("contended: ran=%v err=%v", inner, err)
				}
				if ran, err := other.TryExclusive(ctx, "forward", func() error { return nil }); err != nil || !ran {
					t.Errorf("other schema: ran=%v err=%v", ran, err)
				}
				return nil
			})
			if err != nil || !ran {
				t.Fatalf("holder: ran=%v err=%v", ran, err)
			}
			// Released: the second engine gets it now.
			if ran, err := b.TryExclusive(ctx, "forward", func() error { return nil }); err != nil || !ran {
				t.Fatalf("after release: ran=%v err=%v", ran, err)
			}
		})
	}
}
