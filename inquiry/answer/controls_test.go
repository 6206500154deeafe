package answer_test

import (
	"context"
	"sync"
	"testing"

	"github.com/clearinghouse/clearinghouse/inquiry/answer"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestControlBlocks: numbers from blocks never repeat, whether drawn
// from blocks by concurrent callers, by a second process's blocks or by
// the store's own sequence the acknowledgments use.
func TestControlBlocks(t *testing.T) {
	st := dbtest.Open(t, store.Config{URL: dbtest.SQLiteURL(t)})
	ctx := context.Background()
	a, b := &answer.ControlBlocks{Store: st, Block: 7}, &answer.ControlBlocks{Store: st, Block: 5}
	seen := map[int64]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				var v int64
				var err error
				switch (i + j) % 3 {
				case 0:
					v, err = a.For("acme").Next(ctx, store.ControlISA)
				case 1:
					v, err = b.For("acme").Next(ctx, store.ControlISA)
				default:
					v, err = st.NextControlNumber(ctx, "acme", store.ControlISA)
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[v] {
					t.Errorf("control number %d handed out twice", v)
				}
				seen[v] = true
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Fatalf("%d distinct numbers", len(seen))
	}
	// Another partner's sequence is its own.
	if v, err := a.For("zenith").Next(ctx, store.ControlISA); err != nil || v != 1 {
		t.Fatalf("zenith's first number %d, %v", v, err)
	}
}
