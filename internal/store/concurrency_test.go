package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

const (
	concurrentFiles     = 200
	concurrentProcesses = 2 // independent *Store instances (pools)
	workersPerProcess   = 4
)

// openProcesses opens n independent stores on one fresh database, as n
// engine processes would.
func openProcesses(t *testing.T, url string, n int) []*store.Store {
	t.Helper()
	var out []*store.Store
	for i := 0; i < n; i++ {
		out = append(out, dbtest.Open(t, store.Config{URL: url, MaxOpenConns: workersPerProcess}))
	}
	return out
}

// runWorkers starts workersPerProcess goroutines per store running work
// until it returns done or an error.
func runWorkers(t *testing.T, stores []*store.Store, work func(s *store.Store, owner string) (done bool, err error)) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*workersPerProcess)
	for p, s := range stores {
		for w := 0; w < workersPerProcess; w++ {
			wg.Add(1)
			go func(s *store.Store, owner string) {
				defer wg.Done()
				for {
					done, err := work(s, owner)
					if err != nil {
						errs <- fmt.Errorf("%s: %w", owner, err)
						return
					}
					if done {
						return
					}
				}
			}(s, fmt.Sprintf("proc%d/worker%d", p, w))
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestConcurrentClaimInbound(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			stores := openProcesses(t, be.URL(t), concurrentProcesses)
			want := map[int64]bool{}
			for i := 0; i < concurrentFiles; i++ {
				f := record(t, ctx, stores[i%len(stores)], fmt.Sprintf("p%d", i%3), fmt.Sprint("content ", i))
				want[f.ID] = true
			}

			var mu sync.Mutex
			finished := map[int64][]string{}
			runWorkers(t, stores, func(s *store.Store, owner string) (bool, error) {
				f, err := s.ClaimInbound(ctx, owner, time.Hour)
				if errors.Is(err, store.ErrNoWork) {
					return true, nil
				}
				if err != nil {
					return false, err
				}
				if f.LeaseOwner != owner || f.State != store.InboundProcessing {
					return false, fmt.Errorf("claimed file %d has owner %q state %s", f.ID, f.LeaseOwner, f.State)
				}
				err = s.FinishInbound(ctx, f.ID, owner, store.InboundResult{State: store.InboundProcessed, Summary: owner})
				if err != nil {
					return false, err
				}
				mu.Lock()
				finished[f.ID] = append(finished[f.ID], owner)
				mu.Unlock()
				return false, nil
			})

			if len(finished) != len(want) {
				t.Fatalf("%d files finished, want %d", len(finished), len(want))
			}
			owners := map[string]bool{}
			for id, by := range finished {
				if !want[id] || len(by) != 1 {
					t.Fatalf("file %d finished by %v; want exactly one owner", id, by)
				}
				owners[by[0]] = true
			}
			all, err := stores[0].ListInbound(ctx, store.ListOpts{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range all {
				if f.State != store.InboundProcessed || f.Attempts != 1 || f.Summary != finished[f.ID][0] {
					t.Fatalf("file %d: state %s attempts %d summary %q; want processed once by %s",
						f.ID, f.State, f.Attempts, f.Summary, finished[f.ID][0])
				}
			}
			t.Logf("%d files finished by %d distinct workers", len(finished), len(owners))
		})
	}
}

func TestConcurrentClaimOutbound(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			stores := openProcesses(t, be.URL(t), concurrentProcesses)
			partners := []string{"acme", "zenith"}
			for i := 0; i < concurrentFiles; i++ {
				enqueue(t, ctx, stores[i%len(stores)], partners[i%2], fmt.Sprintf("out_%03d.x12", i))
			}

			var mu sync.Mutex
			delivered := map[int64][]string{}
			order := map[string][]int64{} // claimed IDs per partner
			var n int
			runWorkers(t, stores, func(s *store.Store, owner string) (bool, error) {
				// Half the workers deliver for one partner, half for any.
				partner := ""
				mu.Lock()
				n++
				if n%2 == 0 {
					partner = partners[n%4/2]
				}
				mu.Unlock()
				f, err := s.ClaimOutbound(ctx, owner, time.Hour, partner)
				if err == nil && partner != "" && f.PartnerID != partner {
					return false, fmt.Errorf("claim for %s returned file %d of %s", partner, f.ID, f.PartnerID)
				}
				if errors.Is(err, store.ErrNoWork) && partner != "" {
					// That partner is done; look for any partner's work.
					f, err = s.ClaimOutbound(ctx, owner, time.Hour, "")
				}
				if errors.Is(err, store.ErrNoWork) {
					return true, nil
				}
				if err != nil {
					return false, err
				}
				// Recorded before MarkDelivered: the partner's next file
				// cannot be claimed before that (first in, first out).
				mu.Lock()
				order[f.PartnerID] = append(order[f.PartnerID], f.ID)
				mu.Unlock()
				if err := s.MarkDelivered(ctx, f.ID, owner); err != nil {
					return false, err
				}
				mu.Lock()
				delivered[f.ID] = append(delivered[f.ID], owner)
				mu.Unlock()
				return false, nil
			})

			for p, ids := range order {
				if !slices.IsSorted(ids) {
					t.Errorf("partner %s: files claimed in order %v; want queue order", p, ids)
				}
			}

			if len(delivered) != concurrentFiles {
				t.Fatalf("%d files delivered, want %d", len(delivered), concurrentFiles)
			}
			for id, by := range delivered {
				if len(by) != 1 {
					t.Fatalf("file %d delivered by %v; want exactly one", id, by)
				}
			}
			all, err := stores[1].ListOutbound(ctx, store.OutboundFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != concurrentFiles {
				t.Fatalf("ListOutbound = %d rows, want %d", len(all), concurrentFiles)
			}
			for _, f := range all {
				if f.State != store.OutboundDelivered || f.Attempts != 1 {
					t.Fatalf("file %d: state %s attempts %d; want delivered on the first attempt", f.ID, f.State, f.Attempts)
				}
			}
		})
	}
}

// TestConcurrentLeaseExpiry has two processes race for files whose first
// owner crashed: every file is reclaimed exactly once, and the crashed
// owner can finish none of them.
func TestConcurrentLeaseExpiry(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clk := newTestClock()
			url := be.URL(t)
			var stores []*store.Store
			for i := 0; i < concurrentProcesses; i++ {
				stores = append(stores, dbtest.Open(t, store.Config{URL: url, Now: clk.Now, MaxOpenConns: workersPerProcess}))
			}
			const files = 40
			for i := 0; i < files; i++ {
				// One file per partner: a partner's files are claimed one
				// at a time, in arrival order.
				record(t, ctx, stores[0], fmt.Sprint("p", i), fmt.Sprint("expiring ", i))
			}
			// The crashed process took every file, then died.
			var crashed []int64
			for {
				f, err := stores[0].ClaimInbound(ctx, "crashed", time.Minute)
				if errors.Is(err, store.ErrNoWork) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				crashed = append(crashed, f.ID)
			}
			if len(crashed) != files {
				t.Fatalf("crashed owner claimed %d files, want %d", len(crashed), files)
			}
			clk.Advance(time.Minute + time.Second)

			var mu sync.Mutex
			finished := map[int64]int{}
			runWorkers(t, stores, func(s *store.Store, owner string) (bool, error) {
				f, err := s.ClaimInbound(ctx, owner, time.Hour)
				if errors.Is(err, store.ErrNoWork) {
					return true, nil
				}
				if err != nil {
					return false, err
				}
				if f.Attempts != 2 {
					return false, fmt.Errorf("file %d attempts %d, want 2", f.ID, f.Attempts)
				}
				if err := s.FinishInbound(ctx, f.ID, owner, store.InboundResult{State: store.InboundProcessed}); err != nil {
					return false, err
				}
				mu.Lock()
				finished[f.ID]++
				mu.Unlock()
				return false, nil
			})
			for _, id := range crashed {
				if finished[id] != 1 {
					t.Fatalf("file %d finished %d times, want 1", id, finished[id])
				}
				err := stores[1].FinishInbound(ctx, id, "crashed", store.InboundResult{State: store.InboundFailed})
				if !errors.Is(err, store.ErrLeaseLost) {
					t.Fatalf("crashed owner FinishInbound(%d) err = %v, want ErrLeaseLost", id, err)
				}
			}
		})
	}
}
