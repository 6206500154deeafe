package forward_test

import (
	"context"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
)

// TestRunOnceLargeFileInWindows forwards a file with more candidates than
// the forwarder holds at a time (it fetches them window by window, in file
// order, while reading the file once): every claim goes out exactly once.
func TestRunOnceLargeFileInWindows(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			b := setup(t, be.URL(t), inboundFile{"big.x12", pipelinetest.Synth837(t, 7, 900, 2600)})
			f := b.forwarder(t, forward.DefaultRoutes(), nil, 0)
			res, err := f.RunOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got, _ := b.outbound(t)
			want := 0
			for _, c := range b.claimsByCLM01(t) {
				if c.RoutePartner != "" {
					want++
				}
			}
			if res.Forwarded < 2600 || res.Skipped != 0 || len(got) != res.Forwarded || want != res.Forwarded {
				t.Fatalf("forwarded %d (skipped %d); %d distinct claims in files, %d claims routed", res.Forwarded, res.Skipped, len(got), want)
			}
			for clm01, s := range got {
				if len(s) != 1 {
					t.Fatalf("claim %s sent %d times", clm01, len(s))
				}
			}
		})
	}
}
