package forward_test

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
)

// TestRunOnceScaleOut runs several forwarders, each with its own store
// (connection pool) on one PostgreSQL schema and the shared spool, as
// separate engine processes would, all at once and then again: every
// claim is forwarded exactly once, in one file, and no interchange
// control number is used twice for a partner.
func TestRunOnceScaleOut(t *testing.T) {
	url := dbtest.PostgresURL(t)
	ctx := context.Background()
	b := setup(t, url, replacementFile(t))
	before := b.claimsByCLM01(t)
	want := 0
	for _, c := range before {
		if forwardable(c) {
			want++
		}
	}
	const engines = 4
	fwds := make([]*forward.Forwarder, engines)
	for i := range fwds {
		st := dbtest.Open(t, store.Config{URL: url})
		table, err := forward.NewTable(forward.DefaultRoutes())
		if err != nil {
			t.Fatal(err)
		}
		fwds[i], err = forward.New(st, b.sp, table, b.engine, forward.Config{Owner: "engine-" + string(rune('a'+i)),
			Identity: forward.Identity{ID: "CLEARINGHOUSE", Name: "REPRICER"}, MaxClaimsPerFile: 7,
			Now: func() time.Time { return b.now }, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
	}
	forwarded := 0
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		start := make(chan struct{})
		results := make([]forward.Result, engines)
		errs := make([]error, engines)
		for i, f := range fwds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = f.RunOnce(ctx)
			}()
		}
		close(start)
		wg.Wait()
		for i := range fwds {
			if errs[i] != nil {
				t.Fatalf("round %d engine %d: %v", round, i, errs[i])
			}
			forwarded += results[i].Forwarded
		}
	}
	if forwarded != want {
		t.Errorf("forwarders report %d claims forwarded, want %d (each once)", forwarded, want)
	}
	got, files := b.outbound(t)
	checkSentOnce(t, before, got)
	// ISA13 (bytes 90..99 of the fixed-length ISA) is unique per partner.
	seen := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f.SpoolPath)
		if err != nil {
			t.Fatal(err)
		}
		key := f.PartnerID + "/" + string(data[90:99])
		if prev, dup := seen[key]; dup {
			t.Errorf("%s and %s share ISA13 %s", prev, f.Name, key)
		}
		seen[key] = f.Name
	}
	if len(files) < 3 {
		t.Errorf("%d outbound files; the 7-claim limit should have split the demo claims into more", len(files))
	}
}
