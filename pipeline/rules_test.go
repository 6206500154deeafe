package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/roster"
)

// claimSpec is one synthetic 837P claim (made-up person, HCPCS Level II
// codes, Luhn-valid NPI).
type claimSpec struct {
	clm01, freq, f8     string
	memberID, last, fst string
	dos                 string
	charge              string // one line, so CLM02 = SV102
	code                string
}

func (c claimSpec) withDefaults() claimSpec {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&c.freq, "1")
	def(&c.memberID, "SYN0000001")
	def(&c.last, "QUILLFEATHER")
	def(&c.fst, "ODALYS")
	def(&c.dos, "20261101")
	def(&c.charge, "150")
	def(&c.code, "A0428")
	return c
}

// file837 builds a one-set 837P interchange holding claims, each under its
// own subscriber loop.
func file837(isa13 string, claims ...claimSpec) string {
	var body []string
	seg := func(s string) { body = append(body, s) }
	seg("ST*837*0001*005010X222A1")
	seg("BHT*0019*00*B" + isa13 + "*20261120*1030*CH")
	seg("NM1*41*2*SYNTHETIC SUBMITTER*****46*ACMEMED")
	seg("PER*IC*EDI DESK*TE*5555550100")
	seg("NM1*40*2*CLEARINGHOUSE*****46*CLEARINGHOUSE")
	seg("HL*1**20*1")
	seg("NM1*85*2*SYNTHETIC CLINIC*****XX*1234567893")
	seg("N3*100 MAIN ST")
	seg("N4*MADISON*WI*537030000")
	seg("REF*EI*123456789")
	for i, c := range claims {
		c = c.withDefaults()
		child := "0"
		seg(fmt.Sprintf("HL*%d*1*22*%s", i+2, child))
		seg("SBR*P*18*GRP01******CI")
		seg("NM1*IL*1*" + c.last + "*" + c.fst + "****MI*" + c.memberID)
		seg("N3*1 ELM ST")
		seg("N4*MADISON*WI*53703")
		seg("DMG*D8*19800101*F")
		seg("NM1*PR*2*THE ALLIANCE*****PI*88461")
		seg("CLM*" + c.clm01 + "*" + c.charge + "***11:B:" + c.freq + "*Y*A*Y*Y")
		if c.f8 != "" {
			seg("REF*F8*" + c.f8)
		}
		seg("HI*ABK:R69")
		seg("LX*1")
		seg("SV1*HC:" + c.code + "*" + c.charge + "*UN*1***1")
		seg("DTP*472*D8*" + c.dos)
	}
	seg(fmt.Sprintf("SE*%d*0001", len(body)+1))
	isa := "ISA*00*          *00*          *ZZ*ACMEMED        *ZZ*CLEARINGHOUSE  *261120*1030*^*00501*" + isa13 + "*0*P*:"
	return isa + "~\nGS*HC*ACMEMED*CLEARINGHOUSE*20261120*1030*1*X*005010X222A1~\n" + strings.Join(body, "~\n") +
		"~\nGE*1*1~\nIEA*1*" + isa13 + "~\n"
}

type rulesBundle struct {
	store   *store.Store
	spool   *spool.Spool
	engine  *pipeline.Engine
	counter int
}

func setupRules(t *testing.T, url string, withRoster bool) *rulesBundle {
	t.Helper()
	st := dbtest.Open(t, store.Config{URL: url})
	sp, err := spool.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"}}
	if withRoster {
		csv := "member_id,last_name,first_name,dob,gender,coverage_start,coverage_end,plan,group,tpa\n" +
			"SYN0000001,QUILLFEATHER,ODALYS,1980-01-01,F,2026-01-01,,PPO,GRP01,ALLIANCE\n" +
			"SYN0000002,MARROWDALE,TEODRIC,1980-01-01,M,2025-01-01,2026-06-30,PPO,GRP01,ALLIANCE\n"
		if _, err := roster.ImportCSV(context.Background(), st, strings.NewReader(csv), roster.Opts{Source: "roster.csv"}); err != nil {
			t.Fatal(err)
		}
		checker, err := roster.NewChecker(st, roster.CheckerConfig{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Eligibility = checker
	}
	eng, err := pipeline.New(st, sp, pipeline.NewProcessor(st, sp, cfg), []pipeline.Partner{{ID: "acme"}}, pipeline.Config{Owner: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return &rulesBundle{store: st, spool: sp, engine: eng}
}

// process records and processes one file from partner acme and returns
// its claims by CLM01 (in file order) and the 277CA bytes.
func (b *rulesBundle) process(t *testing.T, content string) ([]store.Claim, string) {
	t.Helper()
	ctx := context.Background()
	b.counter++
	sf, err := b.spool.PutBytes(ctx, "inbound", []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	rec, created, err := b.store.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: fmt.Sprintf("f%d.x12", b.counter),
		SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
	if err != nil || !created {
		t.Fatalf("record: %v created=%v", err, created)
	}
	res, err := b.engine.ProcessFile(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts.TxAccepted != 1 {
		t.Fatalf("set not accepted: %+v", res.Interchanges)
	}
	claims, err := b.store.ListClaims(ctx, store.ClaimFilter{InboundFileID: rec.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ack277 string
	for _, o := range res.Outputs {
		if o.Kind == store.Kind277CA {
			f, _ := b.store.GetOutbound(ctx, o.ID)
			data, _ := os.ReadFile(f.SpoolPath)
			ack277 += string(data)
		}
	}
	return claims, ack277
}

func TestOriginalReplacementVoid(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			b := setupRules(t, be.URL(t), true)
			ctx := context.Background()
			orig, ack1 := b.process(t, file837("000000201", claimSpec{clm01: "PCN-A"}))
			if len(orig) != 1 || orig[0].State != store.ClaimAccepted {
				t.Fatalf("original: %+v", orig)
			}
			o := orig[0].ControlNumber
			if !strings.Contains(ack1, "STC*A2:20*") || !strings.Contains(ack1, "REF*1K*"+o+"~") {
				t.Fatalf("277CA of the original:\n%s", ack1)
			}

			repl, ack2 := b.process(t, file837("000000202", claimSpec{clm01: "PCN-A", freq: "7", f8: o, charge: "175"}))
			if repl[0].State != store.ClaimAccepted || repl[0].ReplacesClaimID == nil || *repl[0].ReplacesClaimID != orig[0].ID {
				t.Fatalf("replacement: %+v", repl[0])
			}
			r := repl[0].ControlNumber
			if !strings.Contains(ack2, "REF*1K*"+r+"~") {
				t.Fatalf("277CA of the replacement:\n%s", ack2)
			}
			if got, _ := b.store.GetClaimByControl(ctx, o); got.State != store.ClaimReplaced {
				t.Fatalf("original state %s after replacement", got.State)
			}

			void, ack3 := b.process(t, file837("000000203", claimSpec{clm01: "PCN-A", freq: "8", f8: r, charge: "175"}))
			if void[0].State != store.ClaimAccepted || void[0].ReplacesClaimID == nil || *void[0].ReplacesClaimID != repl[0].ID {
				t.Fatalf("void: %+v", void[0])
			}
			if !strings.Contains(ack3, "REF*1K*"+void[0].ControlNumber+"~") {
				t.Fatalf("277CA of the void:\n%s", ack3)
			}
			if got, _ := b.store.GetClaimByControl(ctx, r); got.State != store.ClaimVoided {
				t.Fatalf("replacement state %s after void", got.State)
			}
			// The chain can be walked both ways.
			next, err := b.store.FindReplacement(ctx, orig[0].ID)
			if err != nil || next.ControlNumber != r {
				t.Fatalf("replacement of original: %v %v", next, err)
			}

			// A further replacement of the voided claim, and a replacement
			// naming a replaced claim, are rejected with A7:464.
			bad, ack4 := b.process(t, file837("000000204",
				claimSpec{clm01: "PCN-A", freq: "7", f8: r},
				claimSpec{clm01: "PCN-A", freq: "7", f8: o},
				claimSpec{clm01: "PCN-B", freq: "7", f8: "CH999999999999"},
				claimSpec{clm01: "PCN-C", freq: "8"},
			))
			wantNotes := []string{"f8-already-voided", "f8-already-replaced", "f8-unknown", "f8-missing"}
			wantReason := []string{"A7:464", "A7:464", "A7:464", "A6:464"}
			for i, c := range bad {
				if c.State != store.ClaimRejected || c.Reasons != wantReason[i] || c.Notes != wantNotes[i] {
					t.Errorf("claim %d: state %s reasons %q notes %q, want rejected %s %s", i, c.State, c.Reasons, c.Notes, wantReason[i], wantNotes[i])
				}
			}
			if strings.Count(ack4, "*U*") != 4 || !strings.Contains(ack4, "STC*A6:464*") {
				t.Errorf("277CA of the rejected corrections:\n%s", ack4)
			}
		})
	}
}

func TestDuplicates(t *testing.T) {
	b := setupRules(t, dbtest.SQLiteURL(t), false)
	// The same claim twice in one file: the second is a duplicate.
	first, ack := b.process(t, file837("000000301",
		claimSpec{clm01: "PCN-1"},
		claimSpec{clm01: "PCN-1"},
		claimSpec{clm01: "PCN-2", dos: "20261102"},
	))
	if first[0].State != store.ClaimAccepted || first[1].State != store.ClaimDuplicate || first[2].State != store.ClaimAccepted {
		t.Fatalf("states %s %s %s", first[0].State, first[1].State, first[2].State)
	}
	if first[1].Reasons != pipeline.ReasonDuplicate || first[1].RelatedControl != first[0].ControlNumber {
		t.Fatalf("duplicate: reasons %q related %q", first[1].Reasons, first[1].RelatedControl)
	}
	if !strings.Contains(ack, "STC*A3:54*") {
		t.Fatalf("277CA lacks the duplicate rejection:\n%s", ack)
	}
	// Across files, even under a new CLM01: a duplicate.
	again, _ := b.process(t, file837("000000302", claimSpec{clm01: "PCN-1-RESENT"}))
	if again[0].State != store.ClaimDuplicate || again[0].RelatedControl != first[0].ControlNumber {
		t.Fatalf("cross-file duplicate: %s related %q", again[0].State, again[0].RelatedControl)
	}
	// Same member, provider and day, same code, other charge: a suspect,
	// accepted and listed for review.
	sus, _ := b.process(t, file837("000000303", claimSpec{clm01: "PCN-3", charge: "160"}))
	if sus[0].State != store.ClaimSuspect || sus[0].RelatedControl != first[0].ControlNumber {
		t.Fatalf("suspect: %s related %q", sus[0].State, sus[0].RelatedControl)
	}
	list, err := b.store.ListClaims(context.Background(), store.ClaimFilter{Suspect: true})
	if err != nil || len(list) != 1 || list[0].ControlNumber != sus[0].ControlNumber {
		t.Fatalf("suspect queue %v %v", list, err)
	}
	// Same day, other code: neither.
	other, _ := b.process(t, file837("000000304", claimSpec{clm01: "PCN-4", code: "A0425"}))
	if other[0].State != store.ClaimAccepted {
		t.Fatalf("other code: %s", other[0].State)
	}
	// After a void the same original content is not a duplicate.
	void, _ := b.process(t, file837("000000305", claimSpec{clm01: "PCN-1", freq: "8", f8: first[0].ControlNumber}))
	if void[0].State != store.ClaimAccepted {
		t.Fatalf("void: %s %s %s", void[0].State, void[0].Reasons, void[0].Notes)
	}
	resub, _ := b.process(t, file837("000000306", claimSpec{clm01: "PCN-1"}))
	if resub[0].State == store.ClaimDuplicate {
		t.Fatalf("resubmission after void flagged as duplicate")
	}
}

// TestEligibility checks the roster decisions on both stores: on
// PostgreSQL each set's roster rows are read ahead by the prefetch stage,
// on SQLite by the recorder, with the same decisions.
func TestEligibility(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			testEligibility(t, be.URL(t))
		})
	}
}

func testEligibility(t *testing.T, url string) {
	b := setupRules(t, url, true)
	claims, ack := b.process(t, file837("000000401",
		claimSpec{clm01: "E-OK"},
		claimSpec{clm01: "E-SUFFIX", memberID: "SYN000000101"},
		claimSpec{clm01: "E-NAME", fst: "ODALIS"},
		claimSpec{clm01: "E-ENDED", memberID: "SYN0000002", last: "MARROWDALE", fst: "TEODRIC", dos: "20261001", code: "A0425"},
		claimSpec{clm01: "E-UNKNOWN", memberID: "SYN7777777", code: "E0114"},
	))
	want := map[string]struct{ state, reasons, note string }{
		"E-OK":      {"accepted", "A2:20", ""},
		"E-SUFFIX":  {"rejected", "A7:164:IL", "member_id_suffix"},
		"E-NAME":    {"rejected", "A7:125:IL", ""},
		"E-ENDED":   {"rejected", "A7:88:IL", ""},
		"E-UNKNOWN": {"rejected", "A7:164:IL", ""},
	}
	for _, c := range claims {
		w := want[c.CLM01]
		if string(c.State) != w.state || c.Reasons != w.reasons || (w.note != "" && c.Notes != w.note) {
			t.Errorf("%s: %s %q %q, want %s %q %q", c.CLM01, c.State, c.Reasons, c.Notes, w.state, w.reasons, w.note)
		}
	}
	for _, s := range []string{"STC*A7:164:IL*", "STC*A7:125:IL*", "STC*A7:88:IL*"} {
		if !strings.Contains(ack, s) {
			t.Errorf("277CA lacks %s", s)
		}
	}
	// Nothing of the member's identity reaches the spool outside the 277CA
	// itself, which is for the submitter: checked by a path sanity check.
	if filepath.Base(b.spool.Dir()) == "" {
		t.Fatal("no spool")
	}
}

// TestUnroutedPayerRejectedIn277CA: with a route table, a claim whose payer
// ID has no route is rejected A3:116 before its 277CA, never acknowledged
// as accepted.
func TestUnroutedPayerRejectedIn277CA(t *testing.T) {
	st := dbtest.Open(t, store.Config{URL: dbtest.SQLiteURL(t)})
	sp, err := spool.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	table, err := forward.NewTable([]forward.Route{{PayerID: "2712", ClaimType: "P", Partner: "relayhealth"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"}, Routes: table}
	eng, err := pipeline.New(st, sp, pipeline.NewProcessor(st, sp, cfg), []pipeline.Partner{{ID: "acme"}}, pipeline.Config{Owner: "t"})
	if err != nil {
		t.Fatal(err)
	}
	b := &rulesBundle{store: st, spool: sp, engine: eng}
	claims, ack := b.process(t, file837("000000501", claimSpec{clm01: "R-1"})) // payer 88461: no route
	if claims[0].State != store.ClaimRejected || claims[0].Reasons != forward.ReasonIncorrectPayer || claims[0].Notes != "no-route" {
		t.Fatalf("claim: %s %q %q", claims[0].State, claims[0].Reasons, claims[0].Notes)
	}
	if !strings.Contains(ack, "STC*A3:116*") || strings.Contains(ack, "REF*1K*") {
		t.Fatalf("277CA:\n%s", ack)
	}
}
