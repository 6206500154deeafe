package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/intake"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
	"github.com/clearinghouse/clearinghouse/transport/dir"
)

// processBundle is a whole engine on a dir: transport, seeded with the
// synthetic demo files.
type processBundle struct {
	store  *store.Store
	spool  *spool.Spool
	engine *pipeline.Engine
	inbox  string
	outbox string
}

func setupProcess(t *testing.T, url string) *processBundle {
	t.Helper()
	st := dbtest.Open(t, store.Config{URL: url})
	root := t.TempDir()
	sp, err := spool.New(filepath.Join(root, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	b := &processBundle{store: st, spool: sp, inbox: filepath.Join(root, "inbox"), outbox: filepath.Join(root, "outbox")}
	for _, d := range []string{b.inbox, b.outbox} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	in, err := dir.New(b.inbox)
	if err != nil {
		t.Fatal(err)
	}
	out, err := dir.New(b.outbox)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); out.Close() })
	poller, err := intake.New(in, st, sp, intake.Config{PartnerID: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	proc := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"}})
	b.engine, err = pipeline.New(st, sp, proc, []pipeline.Partner{{ID: "acme", Poller: poller, Outbox: &outbox.Target{Remote: out}}},
		pipeline.Config{Owner: "test-engine"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *processBundle) drop(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "demo", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b.inbox, n), data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
}

func (b *processBundle) delivered(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(b.outbox)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestProcessDemoFiles(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			b := setupProcess(t, be.URL(t))
			ctx := context.Background()
			b.drop(t, "acme-837p-20261120-01.x12", "acme-837i-20261120-01.x12",
				"acme-837p-20261120-02-invalid.x12", "acme-837p-20261121-01-bad-envelope.x12", "acme-837p-20261120-03-resend.x12")
			res, err := b.engine.Cycle(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Poll.Received != 4 || res.Poll.Duplicates != 1 {
				t.Fatalf("poll = %+v", res.Poll)
			}
			byName := map[string]pipeline.FileResult{}
			for _, f := range res.Files {
				byName[f.Name] = f
			}
			type want struct {
				state             store.InboundState
				setsOK, setsRej   int
				claimsOK, claimsR int
			}
			for name, w := range map[string]want{
				"acme-837p-20261120-01.x12":              {store.InboundProcessed, 2, 0, 24, 0},
				"acme-837i-20261120-01.x12":              {store.InboundProcessed, 1, 0, 8, 0},
				"acme-837p-20261120-02-invalid.x12":      {store.InboundRejected, 0, 3, 0, 6},
				"acme-837p-20261121-01-bad-envelope.x12": {store.InboundRejected, 0, 3, 0, 6},
			} {
				f, ok := byName[name]
				if !ok {
					t.Fatalf("%s not processed", name)
				}
				got := want{f.State, f.Counts.TxAccepted, f.Counts.TxRejected, f.Counts.ClaimsAccepted, f.Counts.ClaimsRejected}
				if got != w {
					t.Errorf("%s: got %+v, want %+v", name, got, w)
				}
				rec, err := b.store.GetInbound(ctx, f.InboundID)
				if err != nil || rec.State != w.state || rec.ClaimsAccepted != w.claimsOK {
					t.Errorf("%s: stored %+v, %v", name, rec, err)
				}
			}
			// Every accepted claim has a unique control number; the claims
			// of rejected sets are recorded as rejected with the 999/TA1
			// codes that rejected them.
			seen := map[string]bool{}
			for _, f := range res.Files {
				claims, err := b.store.ListClaims(ctx, store.ClaimFilter{InboundFileID: f.InboundID, Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range claims {
					if seen[c.ControlNumber] || !strings.HasPrefix(c.ControlNumber, "CH") {
						t.Errorf("control number %q reused or malformed", c.ControlNumber)
					}
					seen[c.ControlNumber] = true
					switch {
					case f.State == store.InboundProcessed && c.State != store.ClaimAccepted:
						t.Errorf("%s: claim %s state %s", f.Name, c.CLM01, c.State)
					case f.State == store.InboundRejected && (c.State != store.ClaimRejected || c.Reasons == ""):
						t.Errorf("%s: claim %s state %s reasons %q", f.Name, c.CLM01, c.State, c.Reasons)
					}
					if f.Name == "acme-837p-20261121-01-bad-envelope.x12" && !strings.Contains(c.Reasons, "TA1:R:001") {
						t.Errorf("bad envelope claim reasons %q", c.Reasons)
					}
				}
			}
			if len(seen) != 44 {
				t.Errorf("%d claims recorded, want 44", len(seen))
			}
			got := b.delivered(t)
			id := func(name string) int64 { return byName[name].InboundID }
			ta1Name := fmt.Sprintf("TA1-%d-ACMEMED-000000104.x12", id("acme-837p-20261121-01-bad-envelope.x12"))
			invalid999 := fmt.Sprintf("999-%d-ACMEMED-000000103-1.x12", id("acme-837p-20261120-02-invalid.x12"))
			wantFiles := []string{
				fmt.Sprintf("999-%d-ACMEMED-000000101-1.x12", id("acme-837p-20261120-01.x12")),
				fmt.Sprintf("999-%d-ACMEMED-000000102-1.x12", id("acme-837i-20261120-01.x12")),
				fmt.Sprintf("277CA-%d-ACMEMED-000000101-1-0001.x12", id("acme-837p-20261120-01.x12")),
				fmt.Sprintf("277CA-%d-ACMEMED-000000101-1-0002.x12", id("acme-837p-20261120-01.x12")),
				fmt.Sprintf("277CA-%d-ACMEMED-000000102-1-0001.x12", id("acme-837i-20261120-01.x12")),
				invalid999, ta1Name,
			}
			sort.Strings(wantFiles)
			if strings.Join(got, ",") != strings.Join(wantFiles, ",") {
				t.Errorf("delivered %v, want %v", got, wantFiles)
			}
			ta1, _ := os.ReadFile(filepath.Join(b.outbox, ta1Name))
			if !strings.Contains(string(ta1), "TA1*000000104*250115*1030*R*001~") {
				t.Errorf("TA1 content:\n%s", ta1)
			}
			ack, _ := os.ReadFile(filepath.Join(b.outbox, invalid999))
			for _, s := range []string{"AK1*HC*1*005010X222A1~", "IK5*R*I5~", "IK3*SBR*36*2000*3~", "AK9*R*3*3*0~"} {
				if !strings.Contains(string(ack), s) {
					t.Errorf("999 lacks %q:\n%s", s, ack)
				}
			}

			// Reprocessing a file keeps its claim numbers and queues no new
			// outbound file.
			first := byName["acme-837p-20261120-01.x12"]
			before, _ := b.store.ListClaims(ctx, store.ClaimFilter{InboundFileID: first.InboundID, Limit: 1000})
			if err := b.store.ResetInbound(ctx, first.InboundID); err != nil {
				t.Fatal(err)
			}
			again, err := b.engine.ProcessFile(ctx, first.InboundID)
			if err != nil {
				t.Fatal(err)
			}
			if again.Counts != first.Counts {
				t.Errorf("reprocess counts %+v, first %+v", again.Counts, first.Counts)
			}
			after, _ := b.store.ListClaims(ctx, store.ClaimFilter{InboundFileID: first.InboundID, Limit: 1000})
			if len(after) != len(before) {
				t.Fatalf("reprocess: %d claims, before %d", len(after), len(before))
			}
			numbers := map[string]bool{}
			for _, c := range before {
				numbers[c.ControlNumber] = true
			}
			for _, c := range after {
				if !numbers[c.ControlNumber] {
					t.Errorf("reprocess gave claim %s a new number %s", c.CLM01, c.ControlNumber)
				}
			}
			outs, _ := b.store.ListOutbound(ctx, store.OutboundFilter{Limit: 100})
			if len(outs) != 7 {
				t.Errorf("%d outbound rows after reprocess, want 7", len(outs))
			}
			// Every 277CA passes our own validator and acknowledges every
			// claim of its set with REF*1K.
			for _, name := range got {
				if !strings.HasPrefix(name, "277CA-") {
					continue
				}
				data, _ := os.ReadFile(filepath.Join(b.outbox, name))
				res, err := validate.Run(ctx, bytes.NewReader(data), validate.Options{})
				if err != nil || res.Status() != 0 {
					t.Errorf("%s does not validate: %+v", name, validate.Report(name, res))
				}
				if n := strings.Count(string(data), "REF*1K*CH"); n != strings.Count(string(data), "TRN*2*PCN") {
					t.Errorf("%s: %d REF*1K for %d claims", name, n, strings.Count(string(data), "TRN*2*PCN"))
				}
			}
		})
	}
}

func TestProcessGarbageFile(t *testing.T) {
	b := setupProcess(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	if err := os.WriteFile(filepath.Join(b.inbox, "notes.txt"), []byte("this is not X12 at all\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	res, err := b.engine.Cycle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0].State != store.InboundRejected || res.Files[0].Error == "" {
		t.Fatalf("files = %+v", res.Files)
	}
	// The raw bytes are kept.
	rec, _ := b.store.GetInbound(ctx, res.Files[0].InboundID)
	data, err := os.ReadFile(rec.SpoolPath)
	if err != nil || string(data) != "this is not X12 at all\n" {
		t.Fatalf("spooled %q, %v", data, err)
	}
}
