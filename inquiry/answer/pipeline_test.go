package answer_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/inquiry/answer"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// TestPipeline: 270 and 276 files in a partner's inbox get their 999 and
// their 271/277, queued in the file's transaction, exactly once (a
// reprocess queues nothing new); a set its 999 rejects gets no answer.
func TestPipeline(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			b := setup(t, be.URL(t))
			sp, err := spool.New(filepath.Join(t.TempDir(), "spool"))
			if err != nil {
				t.Fatal(err)
			}
			proc := pipeline.NewProcessor(b.st, sp, pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"},
				SetHandlers: []pipeline.SetHandler{&answer.Handler{Answerer: b.a}}})
			record := func(name, content string) *store.InboundFile {
				sf, err := sp.PutBytes(ctx, "inbound", []byte(content))
				if err != nil {
					t.Fatal(err)
				}
				rec, _, err := b.st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: name, SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
				if err != nil {
					t.Fatal(err)
				}
				return rec
			}
			read := func(name string) string {
				os, err := b.st.ListOutbound(ctx, store.OutboundFilter{PartnerID: "acme", Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range os {
					if o.Name == name {
						f, err := sp.Open(o.SpoolPath)
						if err != nil {
							t.Fatal(err)
						}
						defer f.Close()
						data, _ := io.ReadAll(f)
						return string(data)
					}
				}
				t.Fatalf("no outbound %s", name)
				return ""
			}

			in270 := build270("88461", []person{adam, {id: "SYN9999999", last: "NOONE", first: "NEMO"}}, nil)
			f := record("elig.270", in270)
			res, err := proc.Process(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			kinds := outputs(res)
			if res.State != store.InboundProcessed || kinds["271"] != 1 || kinds["999"] != 1 || res.Outcomes["eligibility_inquiries"] != 2 ||
				res.Outcomes["eligibility_active"] != 1 || res.Outcomes["eligibility_rejected"] != 1 {
				t.Fatalf("270: state %s outputs %+v outcomes %v", res.State, res.Outputs, res.Outcomes)
			}
			name := "271-" + pipeline.AckNameBase(itoa(f.ID), nil2ic("ACMEMED", "000000101")) + "-101-0001.x12"
			got := read(name)
			if !strings.Contains(got, "EB*1*FAM*30*PR*GOLD PPO~") || !strings.Contains(got, "AAA*N**75*C~") {
				t.Fatalf("271:\n%s", got)
			}
			assertValid(t, []byte(got))

			// Reprocessing the file queues nothing twice.
			before := len(list(t, b.st))
			if _, err := proc.Process(ctx, f); err != nil {
				t.Fatal(err)
			}
			if after := len(list(t, b.st)); after != before {
				t.Fatalf("reprocess queued %d more files", after-before)
			}

			in276 := build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-ACC"}, {member: "SYN2000001", pcn: "PCN-NONE"}})
			res, err = proc.Process(ctx, record("status.276", strings.ReplaceAll(in276, "000000101", "000000102")))
			if err != nil {
				t.Fatal(err)
			}
			if kinds := outputs(res); kinds["277"] != 1 || kinds["999"] != 1 || res.Outcomes["status_found"] != 1 || res.Outcomes["status_not_found"] != 1 {
				t.Fatalf("276: outputs %+v outcomes %v", res.Outputs, res.Outcomes)
			}

			// A 270 whose set the 999 rejects (bad date of birth): no 271.
			bad := strings.ReplaceAll(build270("88461", []person{with(adam, func(p *person) { p.dob = "19801399" })}, nil), "000000101", "000000103")
			res, err = proc.Process(ctx, record("bad.270", bad))
			if err != nil {
				t.Fatal(err)
			}
			if kinds := outputs(res); kinds["271"] != 0 || kinds["999"] != 1 || res.State != store.InboundRejected {
				t.Fatalf("rejected 270: state %s outputs %+v", res.State, res.Outputs)
			}
		})
	}
}

func outputs(res pipeline.FileResult) map[string]int {
	kinds := map[string]int{}
	for _, o := range res.Outputs {
		kinds[o.Kind]++
	}
	return kinds
}

func list(t *testing.T, st *store.Store) []store.OutboundFile {
	t.Helper()
	os, err := st.ListOutbound(context.Background(), store.OutboundFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return os
}

// TestLargeFileStreams answers a 270 with more inquiries than fit the
// in-memory spill and a chunk: every inquiry is answered, in several
// answer interchanges, and the answers validate.
func TestLargeFileStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("large file")
	}
	b := setup(t, dbtest.SQLiteURL(t))
	var subs []person
	for i := 0; i < 5000; i++ {
		p := adam
		if i%2 == 1 {
			p = person{id: "SYN2000002", last: "BETA", first: "BELLA"}
		}
		subs = append(subs, p)
	}
	var out bytes.Buffer
	res, err := b.a.Answer(context.Background(), strings.NewReader(build270("88461", subs, nil)), &out, "acme", b.st, newCounter(), noOpts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Inquiries != 5000 || res.Stats.Active != 2500 || res.Stats.Inactive != 2500 || res.Stats.Interchanges != 5 {
		t.Fatalf("stats %+v", res.Stats)
	}
	if n := strings.Count(out.String(), "ST*271*"); n != 5000 {
		t.Fatalf("%d 271 sets", n)
	}
	assertValid(t, out.Bytes())
}
