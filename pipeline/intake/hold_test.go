package intake_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/intake"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
)

// TestHold: with Config.Hold the poller records the files it says yes to
// held (seeing their name and first HoldHead bytes) and the others
// received; each is spooled and recorded once, and archived.
func TestHold(t *testing.T) {
	x12 := pipelinetest.Synth837(t, 1, 101, 2)
	big := []byte("claim_key," + strings.Repeat("x", 3*intake.HoldHead) + "\n")
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			b := newBundle(t, st, t.TempDir(), nil)
			heads := map[string][]byte{}
			p := b.poller(t, intake.Config{Hold: func(name string, head []byte) bool {
				heads[name] = bytes.Clone(head)
				return strings.HasSuffix(name, ".csv")
			}})
			pipelinetest.Drop(t, b.inbox(), "claims.csv", big)
			pipelinetest.Drop(t, b.inbox(), "claims.x12", x12)
			res := runOnce(t, p)
			if len(res.Received) != 2 {
				t.Fatalf("poll %+v: want 2 files received", res)
			}
			if h := heads["claims.csv"]; !bytes.Equal(h, big[:intake.HoldHead]) {
				t.Errorf("Hold saw %d bytes of claims.csv, want its first %d", len(h), intake.HoldHead)
			}
			if h := heads["claims.x12"]; !bytes.Equal(h, x12[:min(len(x12), intake.HoldHead)]) {
				t.Errorf("Hold saw %d bytes of claims.x12", len(h))
			}
			want := map[string]store.InboundState{"claims.csv": store.InboundHeld, "claims.x12": store.InboundReceived}
			for _, r := range inboundRows(t, st) {
				if r.State != want[r.Name] || r.Size == 0 {
					t.Errorf("%s: %s (size %d), want %s", r.Name, r.State, r.Size, want[r.Name])
				}
				delete(want, r.Name)
			}
			if len(want) != 0 {
				t.Errorf("not recorded: %v", want)
			}
			if got := pipelinetest.Names(t, b.inbox(), true); len(got) != 0 {
				t.Errorf("inbox still holds %q", got)
			}
			// The held file dropped again is a duplicate, still held.
			pipelinetest.Drop(t, b.inbox(), "claims-again.csv", big)
			if res := runOnce(t, p); len(res.Duplicates) != 1 || res.Duplicates[0].State != store.InboundHeld {
				t.Fatalf("second drop: %+v", res)
			}
		})
	}
}
