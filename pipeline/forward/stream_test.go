package forward_test

import (
	"context"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
)

// TestStream: files streamed while "processing" goes on (one of them
// twice) and the closing pass over the rest forward every forwardable
// claim exactly once, in as many files as RunOnce makes (the batches stay
// open across the streamed files); a second stream finds nothing left.
func TestStream(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			b := setup(t, be.URL(t), replacementFile(t))
			before := b.claimsByCLM01(t)
			want := 0
			for _, c := range before {
				if forwardable(c) {
					want++
				}
			}
			var ids []int64
			if err := b.st.DB().SelectContext(ctx, &ids, `SELECT id FROM inbound_files ORDER BY id`); err != nil {
				t.Fatal(err)
			}
			if len(ids) < 3 {
				t.Fatalf("%d inbound files", len(ids))
			}
			f := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0)
			ch := make(chan int64)
			done := make(chan struct{})
			var res forward.Result
			var err error
			go func() {
				defer close(done)
				res, err = f.Stream(ctx, ch)
			}()
			ch <- ids[0]
			ch <- ids[1]
			ch <- ids[0] // told twice: forwarded once
			close(ch)
			<-done
			if err != nil {
				t.Fatal(err)
			}
			if res.Forwarded != want {
				t.Errorf("forwarded %d, want %d (result %+v)", res.Forwarded, want, res)
			}
			got, files := b.outbound(t)
			checkSentOnce(t, before, got)
			// One file per partner and claim type, as RunOnce makes.
			if len(files) != 4 || len(res.Files) != 4 {
				t.Errorf("%d files queued (%d in result), want 4", len(files), len(res.Files))
			}
			ch2 := make(chan int64, 1)
			ch2 <- ids[2]
			close(ch2)
			res2, err := f.Stream(ctx, ch2)
			if err != nil || res2.Forwarded != 0 || len(res2.Files) != 0 {
				t.Fatalf("second stream: %+v, %v", res2, err)
			}
		})
	}
}
