package realtime_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/realtime"
)

type countingLookup struct {
	partners map[string]string
	n        int
}

func (c *countingLookup) PartnerOfSecret(_ context.Context, hash string) (string, error) {
	c.n++
	if p, ok := c.partners[hash]; ok {
		return p, nil
	}
	return "", store.ErrNotFound
}

// TestStoreAuthCache: a valid secret is looked up once per CacheTTL, an
// unknown one every time; a revoked one stops working when the TTL ends.
func TestStoreAuthCache(t *testing.T) {
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	l := &countingLookup{partners: map[string]string{store.HashSecret("good"): "acme"}}
	a := &realtime.StoreAuth{Lookup: l, CacheTTL: 30 * time.Second, Now: func() time.Time { return now }}
	req := func(secret string) (string, error) {
		r, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
		r.Header.Set("Authorization", "Bearer "+secret)
		return a.Authenticate(context.Background(), r, "", "")
	}
	for i := 0; i < 3; i++ {
		if p, err := req("good"); err != nil || p != "acme" {
			t.Fatalf("good: %q %v", p, err)
		}
		if _, err := req("bad"); !errors.Is(err, realtime.ErrUnauthenticated) {
			t.Fatalf("bad: %v", err)
		}
	}
	if l.n != 4 { // good once, bad three times
		t.Fatalf("%d lookups", l.n)
	}
	delete(l.partners, store.HashSecret("good")) // revoked
	if _, err := req("good"); err != nil {
		t.Fatalf("within the TTL: %v", err)
	}
	now = now.Add(31 * time.Second)
	if _, err := req("good"); !errors.Is(err, realtime.ErrUnauthenticated) {
		t.Fatalf("after the TTL: %v", err)
	}
}
