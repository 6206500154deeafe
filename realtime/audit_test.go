package realtime_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/realtime"
)

// TestGroupAudit: entries of concurrent callers are all committed (in
// fewer commits than entries when they overlap), Audit returns only once
// its entry is in the log, and Audit after Close fails.
func TestGroupAudit(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			w := &countingWriter{st: st}
			g := realtime.NewGroupAudit(w)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 200)
			for i := 0; i < 200; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- g.Audit(ctx, store.AuditEntry{Actor: "realtime:acme", Action: "realtime.inquiry", Entity: "member", EntityID: "X"})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			es, err := st.ListAudit(ctx, store.AuditFilter{Action: "realtime.inquiry", Limit: 1000})
			if err != nil || len(es) != 200 {
				t.Fatalf("%d entries, %v", len(es), err)
			}
			if w.commits > 200 || w.commits == 0 {
				t.Fatalf("%d commits for 200 entries", w.commits)
			}
			g.Close()
			g.Close() // twice is fine
			if err := g.Audit(ctx, store.AuditEntry{Action: "x"}); !errors.Is(err, realtime.ErrAuditClosed) {
				t.Fatalf("after Close: %v", err)
			}
		})
	}
}

type countingWriter struct {
	st      *store.Store
	mu      sync.Mutex
	commits int
}

func (c *countingWriter) AuditBatch(ctx context.Context, es []store.AuditEntry) error {
	c.mu.Lock()
	c.commits++
	c.mu.Unlock()
	return c.st.AuditBatch(ctx, es)
}

// TestGroupAuditAsync: with the asynchronous commit every entry is in the
// log when Audit returns, a bad entry fails its whole group, and on
// PostgreSQL the connection goes back to the pool with synchronous_commit
// as it was (SET LOCAL ends with the transaction).
func TestGroupAuditAsync(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			g := realtime.NewGroupAudit(realtime.BatchWriterFunc(st.AuditBatchAsync))
			defer g.Close()
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 50)
			for i := 0; i < 50; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- g.Audit(ctx, store.AuditEntry{Actor: "realtime:acme", Action: "realtime.inquiry", Entity: "claim", EntityID: "CH1"})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := g.Audit(ctx, store.AuditEntry{Actor: "realtime:acme"}); err == nil {
				t.Fatal("an entry without an action was written")
			}
			es, err := st.ListAudit(ctx, store.AuditFilter{Action: "realtime.inquiry", Limit: 1000})
			if err != nil || len(es) != 50 {
				t.Fatalf("%d entries, %v", len(es), err)
			}
			if st.Dialect() == store.DialectPostgres {
				db := st.DB()
				db.SetMaxOpenConns(1) // the connection the audit used
				var v string
				if err := db.GetContext(ctx, &v, `SHOW synchronous_commit`); err != nil || v != "on" {
					t.Fatalf("synchronous_commit after the audit = %q, %v", v, err)
				}
			}
		})
	}
}
