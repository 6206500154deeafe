package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// fromSender rewrites a file837 interchange as sent by ISA06/GS02 sender.
func fromSender(content, sender string) string {
	content = strings.Replace(content, "*ZZ*ACMEMED        *", fmt.Sprintf("*ZZ*%-15s*", sender), 1)
	return strings.Replace(content, "GS*HC*ACMEMED*", "GS*HC*"+sender+"*", 1)
}

func localEngine(t *testing.T, st *store.Store, sp *spool.Spool, owner string, cfg pipeline.ProcessorConfig) *pipeline.Engine {
	t.Helper()
	eng, err := pipeline.New(st, sp, pipeline.NewProcessor(st, sp, cfg), []pipeline.Partner{{ID: "acme"}}, pipeline.Config{Owner: owner})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestAckNamesPerSender: two interchanges of one file from different
// senders with the same ISA13/GS06/ST02 each get their own 999 and 277CA.
func TestAckNamesPerSender(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			sp, _ := spool.New(t.TempDir())
			eng := localEngine(t, st, sp, "t", pipeline.ProcessorConfig{})
			content := file837("000000501", claimSpec{clm01: "PCN-1"}) +
				fromSender(file837("000000501", claimSpec{clm01: "PCN-2", memberID: "SYN0000002"}), "ACMEEAST")
			f := record(t, st, sp, "two.x12", content)
			res, err := eng.ProcessFile(context.Background(), f.ID)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string][]string{}
			for _, o := range res.Outputs {
				kinds[o.Kind] = append(kinds[o.Kind], o.Name)
			}
			if len(kinds[store.Kind999]) != 2 || len(kinds[store.Kind277CA]) != 2 {
				t.Fatalf("outputs %v; want two 999s and two 277CAs", kinds)
			}
			want := fmt.Sprintf("999-%d-ACMEEAST-000000501-1.x12", f.ID)
			if kinds[store.Kind999][1] != want {
				t.Fatalf("second 999 named %q, want %q", kinds[store.Kind999][1], want)
			}
			outs, _ := st.ListOutbound(context.Background(), store.OutboundFilter{InboundFileID: f.ID})
			if len(outs) != 4 {
				t.Fatalf("%d outbound files queued, want 4", len(outs))
			}
		})
	}
}

// TestSenderIDsEnforced: an interchange whose ISA06 is not one the
// partner is enrolled with is rejected (TA1 R 006), and its claims carry
// the TA1's reason only — no 999 was sent for it.
func TestSenderIDsEnforced(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			sp, _ := spool.New(t.TempDir())
			eng := localEngine(t, st, sp, "t", pipeline.ProcessorConfig{SenderIDs: map[string][]string{"acme": {"ACMEMED"}}})
			ok := record(t, st, sp, "ok.x12", file837("000000511", claimSpec{clm01: "PCN-1"}))
			bad := record(t, st, sp, "bad.x12", fromSender(file837("000000512", claimSpec{clm01: "PCN-2"}), "OTHERCLINIC"))
			ctx := context.Background()
			if res, err := eng.ProcessFile(ctx, ok.ID); err != nil || res.State != store.InboundProcessed {
				t.Fatalf("enrolled sender: %+v, %v", res, err)
			}
			res, err := eng.ProcessFile(ctx, bad.ID)
			if err != nil || res.State != store.InboundRejected {
				t.Fatalf("other sender: %+v, %v", res, err)
			}
			if len(res.Outputs) != 1 || res.Outputs[0].Kind != store.KindTA1 {
				t.Fatalf("outputs %+v; want a TA1 only", res.Outputs)
			}
			f, _ := st.GetOutbound(ctx, res.Outputs[0].ID)
			data, _ := readFile(f.SpoolPath)
			if !strings.Contains(data, "*R*006~") {
				t.Fatalf("TA1:\n%s", data)
			}
			cs, _ := st.ListClaims(ctx, store.ClaimFilter{InboundFileID: bad.ID})
			if len(cs) != 1 || cs[0].State != store.ClaimRejected || cs[0].Reasons != "TA1:R:006" {
				t.Fatalf("claims of the rejected interchange: %+v", cs)
			}
		})
	}
}

// TestBadBytesStored: NUL and bytes that are not UTF-8 in element values
// never block a file on either store.
func TestBadBytesStored(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			sp, _ := spool.New(t.TempDir())
			eng := localEngine(t, st, sp, "t", pipeline.ProcessorConfig{})
			content := file837("000000521", claimSpec{clm01: "PCN\xff1", last: "QUILL\x00FEATHER", fst: "OD\xc3"})
			f := record(t, st, sp, "bytes.x12", content)
			res, err := eng.ProcessFile(context.Background(), f.ID)
			if err != nil || res.State == store.InboundRetrying || res.State == store.InboundQuarantined {
				t.Fatalf("file with bad bytes: %+v, %v", res, err)
			}
			cs, _ := st.ListClaims(context.Background(), store.ClaimFilter{InboundFileID: f.ID})
			if len(cs) != 1 || cs[0].CLM01 != "PCN\uFFFD1" || cs[0].PatientLast != "QUILL\uFFFDFEATHER" {
				t.Fatalf("claims: %+v", cs)
			}
		})
	}
}

// TestConcurrentEnginesDuplicates: engines processing a partner's files at
// the same time deny a resent claim exactly once and never a valid one
// (a file's claims count for duplicate checks only once committed, and a
// partner's files are decided in arrival order, one at a time).
func TestConcurrentEnginesDuplicates(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			url := be.URL(t)
			ctx := context.Background()
			sp, _ := spool.New(t.TempDir())
			var stores []*store.Store
			for i := 0; i < 3; i++ {
				stores = append(stores, dbtest.Open(t, store.Config{URL: url}))
			}
			const files = 6
			for i := 0; i < files; i++ {
				var claims []claimSpec
				for j := 0; j < 20; j++ {
					// Every file resends the same 20 claims under new CLM01s.
					claims = append(claims, claimSpec{clm01: fmt.Sprintf("F%d-C%d", i, j), memberID: fmt.Sprintf("SYN%07d", j)})
				}
				record(t, stores[0], sp, fmt.Sprintf("f%d.x12", i), file837(fmt.Sprintf("%09d", 600+i), claims...))
			}
			var wg sync.WaitGroup
			errs := make([]error, len(stores))
			for i, st := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					eng := localEngine(t, st, sp, fmt.Sprint("engine-", i), pipeline.ProcessorConfig{})
					for k := 0; k < files; k++ {
						if _, err := eng.ProcessPending(ctx); err != nil {
							errs[i] = err
							return
						}
					}
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			counts := map[store.ClaimState]int{}
			first := map[int64]bool{}
			cs, err := stores[0].ListClaims(ctx, store.ClaimFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				counts[c.State]++
				if c.State == store.ClaimAccepted {
					first[c.InboundFileID] = true
				}
			}
			if counts[store.ClaimAccepted] != 20 || counts[store.ClaimDuplicate] != 20*(files-1) || len(first) != 1 {
				t.Fatalf("claims by state %v from %d files; want 20 accepted from one file, the rest duplicates", counts, len(first))
			}
		})
	}
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
