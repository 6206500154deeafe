package remittance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

var clock = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

// testPayer is a synthetic TPA.
var testPayer = remit.Payer{Name: "TEST TPA", IDQualifier: "XV", ID: "TPA01",
	Address:  remit.Address{Line1: "1 EXAMPLE WAY", City: "MADISON", State: "WI", PostalCode: "53703"},
	Contacts: []remit.Contact{{Function: "BL", Name: "EDI DESK", Numbers: []remit.Communication{{Qualifier: "TE", Number: "6085550199"}}}}}

type env struct {
	t    *testing.T
	ctx  context.Context
	st   *store.Store
	sp   *spool.Spool
	proc *pipeline.Processor
}

func newEnv(t *testing.T, url string) *env {
	t.Helper()
	st := dbtest.Open(t, store.Config{URL: url})
	sp, err := spool.New(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	proc := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{
		Identity: pipeline.Identity{Qualifier: "ZZ", ID: "CLEARINGHOUSE"}, Usage: "T",
		Now:         func() time.Time { return clock },
		SetHandlers: []pipeline.SetHandler{NewHandler(Config{})}})
	return &env{t: t, ctx: context.Background(), st: st, sp: sp, proc: proc}
}

func (e *env) process(partner, name string, data []byte) pipeline.FileResult {
	e.t.Helper()
	sf, err := e.sp.PutBytes(e.ctx, "inbound", data)
	if err != nil {
		e.t.Fatal(err)
	}
	rec, _, err := e.st.RecordInbound(e.ctx, store.InboundFile{PartnerID: partner, Name: name, SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.proc.Process(e.ctx, rec)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// write835 writes remittances from the TPA to us.
func write835(t *testing.T, rs []remit.Remittance, control int64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := remit.Write(&b, rs, ack.OutboundEnvelope{Control: control, GroupControl: control, Time: clock,
		SenderID: "TPA01", ReceiverID: "CLEARINGHOUSE", Usage: "T", Suffix: "\n"}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (e *env) outbound(res pipeline.FileResult, kind, partner string) []byte {
	e.t.Helper()
	for _, o := range res.Outputs {
		if o.Kind == kind && o.Partner == partner {
			f, err := e.st.GetOutbound(e.ctx, o.ID)
			if err != nil {
				e.t.Fatal(err)
			}
			b, err := os.ReadFile(f.SpoolPath)
			if err != nil {
				e.t.Fatal(err)
			}
			return b
		}
	}
	e.t.Fatalf("no %s output for %s in %+v", kind, partner, res.Outputs)
	return nil
}

// validateClean fails on any validator finding.
func validateClean(t *testing.T, data []byte) {
	t.Helper()
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.SetCount() == 0 || res.Status() != 0 {
		t.Fatalf("validate: %d sets, status %d: %+v", res.SetCount(), res.Status(), res)
	}
	for _, ic := range res.Interchanges {
		for _, g := range ic.Groups {
			for _, s := range g.Sets {
				if !s.BodyChecked || len(s.Issues) > 0 {
					t.Fatalf("set %s: body checked %v, issues %v", s.Control, s.BodyChecked, s.Issues)
				}
			}
		}
	}
}

// TestEndToEnd runs TPA 835s through the Processor on every backend:
// claims are matched and paid, the ERA is re-enveloped to the enrolled
// submitter (golden file) with a 999 back to the TPA, a payee without
// enrollment is held and released once, a reversal and its correction
// leave the corrected payment with the whole history, unmatched CLPs are
// kept, and a rejected 835 leaves nothing.
func TestEndToEnd(t *testing.T) {
	demo, err := os.ReadFile("../../testdata/demo/acme-837p-20261120-01.x12")
	if err != nil {
		t.Fatal(err)
	}
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			e := newEnv(t, be.URL(t))
			ctx := e.ctx
			if res := e.process("acme", "claims.837", demo); res.State != store.InboundProcessed {
				t.Fatalf("837: %s %+v", res.State, res.Counts)
			}
			if _, err := e.st.DB().ExecContext(ctx, `UPDATE claims SET state = 'forwarded', route_partner = 'tpa' WHERE state = 'accepted'`); err != nil {
				t.Fatal(err)
			}
			claims, err := e.st.ListClaims(ctx, store.ClaimFilter{State: store.ClaimForwarded, WithLines: true, Limit: 1000})
			if err != nil || len(claims) < 4 {
				t.Fatalf("%d claims, %v", len(claims), err)
			}
			rs := PayClaims(claims, PayOptions{Payer: testPayer, Date: clock, TracePrefix: "EFT",
				DenyEvery: 4, CoinsurancePercent: 10})
			var payees []string
			for _, r := range rs {
				payees = append(payees, r.Payee.ID)
			}
			// Enroll the first payee for acme; others stay held.
			if err := e.st.EnrollERA(ctx, store.ERAEnrollment{Kind: store.ERAByNPI, Value: payees[0], PartnerID: "acme", Source: store.ERAFromCLI}); err != nil {
				t.Fatal(err)
			}
			// One CLP that is not ours.
			extra := &remit.Claim{PatientControlNumber: "NOT-OURS", Status: "1", Charge: 1000, FilingIndicator: "12",
				PayerClaimControlNumber: "ICNX", Patient: &remit.Party{Entity: "QC", Type: "1", LastOrOrg: "NOBODY", First: "N"},
				Adjustments: []remit.Adjustment{{Group: "CO", Reasons: []remit.Reason{{Code: "45", Amount: 100}}}}}
			rs[0].Groups[0].Claims = append(rs[0].Groups[0].Claims, extra)
			rs[0].ComputeTotals()
			data := write835(t, rs, 11)
			validateClean(t, data)
			res := e.process("tpa", "tpa.835", data)
			if res.State != store.InboundProcessed || res.Outcomes[CountRemittances] != len(rs) ||
				res.Outcomes[CountMatched] != len(claims) || res.Outcomes[CountUnmatched] != 1 ||
				res.Outcomes[CountForwarded] != 1 || res.Outcomes[CountHeld] != len(rs)-1 {
				t.Fatalf("835: %s outcomes %v rejections %v", res.State, res.Outcomes, res.Rejections)
			}
			ack999 := e.outbound(res, store.Kind999, "tpa")
			if n := len(rs); !bytes.Contains(ack999, []byte(fmt.Sprintf("AK9*A*%d*%d*%d", n, n, n))) {
				t.Fatalf("999:\n%s", ack999)
			}
			era := e.outbound(res, store.Kind835, "acme")
			validateClean(t, era)
			if be.Name == store.DialectSQLite {
				golden(t, "era_reenveloped.golden", era)
			}
			// The body is untouched: the first set's ST..SE is in the ERA
			// byte for byte.
			st0 := bytes.Index(data, []byte("ST*835*"))
			se0 := bytes.Index(data[st0:], []byte("\nSE*")) + st0
			body := data[st0 : se0+bytes.IndexByte(data[se0+1:], '\n')+1]
			if !bytes.Contains(era, body) {
				t.Fatal("the re-enveloped ERA changed the set's body")
			}
			denied := map[string]bool{}
			for _, r := range rs {
				for c := range r.Claims() {
					if c.Status == "4" {
						denied[c.Refs[0].Value] = true
					}
				}
			}
			if len(denied) != len(claims)/4 {
				t.Fatalf("%d claims denied, want %d", len(denied), len(claims)/4)
			}
			for i, c := range claims {
				got, err := e.st.GetClaimPayment(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := store.PaymentPaid
				if denied[c.ControlNumber] {
					want = store.PaymentDenied
				}
				if got.Status != want {
					t.Fatalf("claim %d %s: payment %q, want %q", i, c.ControlNumber, got.Status, want)
				}
			}
			// Processing the file again (a reprocess) records the same
			// remittances and queues nothing twice.
			remits, outs := countRows(t, e.st, "remittances"), countRows(t, e.st, "outbound_files")
			rec, err := e.st.GetInbound(ctx, res.InboundID)
			if err != nil {
				t.Fatal(err)
			}
			again, err := e.proc.Process(ctx, rec)
			if err != nil || again.Outcomes[CountMatched] != len(claims) || again.Outcomes[CountForwarded] != 1 {
				t.Fatalf("reprocess: %v %v", again.Outcomes, err)
			}
			if countRows(t, e.st, "remittances") != remits || countRows(t, e.st, "outbound_files") != outs {
				t.Fatalf("reprocess: remittances %d → %d, outbound files %d → %d", remits, countRows(t, e.st, "remittances"),
					outs, countRows(t, e.st, "outbound_files"))
			}
			un, err := e.st.ListRemitClaims(ctx, store.RemitClaimFilter{Unmatched: true})
			if err != nil || len(un) != 1 || un[0].CLP01 != "NOT-OURS" || un[0].Note != NoteNoClaim {
				t.Fatalf("unmatched %+v, %v", un, err)
			}

			// Held remittances: release without an enrollment keeps them
			// held; after enrolling, release forwards exactly once.
			held, err := e.st.ListRemittances(ctx, store.RemittanceFilter{State: store.RemitHeld})
			if err != nil || len(held) != len(rs)-1 {
				t.Fatalf("held %d, %v", len(held), err)
			}
			if !strings.Contains(held[0].HoldReason, "no ERA enrollment for payee NPI "+held[0].PayeeNPI) {
				t.Fatalf("hold reason %q", held[0].HoldReason)
			}
			rc := ReleaseConfig{Identity: pipeline.Identity{Qualifier: "ZZ", ID: "CLEARINGHOUSE"}, Usage: "T",
				Now:  func() time.Time { return clock },
				Open: func(p string) (io.ReadSeekCloser, error) { return e.sp.Open(p) },
				Spool: func(ctx context.Context, b []byte) (string, string, int64, error) {
					f, err := e.sp.PutBytes(ctx, "outbound", b)
					return f.Path, f.SHA256, f.Size, err
				}}
			if p, err := Release(ctx, e.st, rc, held[0].ID); err != nil || p != "" {
				t.Fatalf("release without enrollment: %q, %v", p, err)
			}
			if err := e.st.EnrollERA(ctx, store.ERAEnrollment{Kind: store.ERAByNPI, Value: held[0].PayeeNPI, PartnerID: "beta", Source: store.ERAFromCLI}); err != nil {
				t.Fatal(err)
			}
			if p, err := Release(ctx, e.st, rc, held[0].ID); err != nil || p != "beta" {
				t.Fatalf("release: %q, %v", p, err)
			}
			if _, err := Release(ctx, e.st, rc, held[0].ID); !errors.Is(err, ErrNotHeld) {
				t.Fatalf("second release: %v", err)
			}
			got, _ := e.st.GetRemittanceHeader(ctx, held[0].ID)
			ob, err := e.st.GetOutbound(ctx, *got.OutboundFileID)
			if err != nil || ob.PartnerID != "beta" || ob.Kind != store.Kind835 || ob.Name != got.OutboundName {
				t.Fatalf("released outbound %+v, %v", ob, err)
			}
			b, _ := os.ReadFile(ob.SpoolPath)
			validateClean(t, b)

			// A reversal and a correction of the first claim in a later 835.
			first := claims[0]
			orig, err := e.st.GetClaimPayment(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			rev := payClaim(first, PayOptions{CoinsurancePercent: 10}, false)
			negate(rev)
			rev.Status = "22"
			cor := payClaim(first, PayOptions{CoinsurancePercent: 30}, false)
			second := remit.Remittance{Payment: remit.Payment{Handling: "I", CreditDebit: "C", Method: "NON", Date: "20261208"},
				Trace: remit.Trace{Type: "1", Number: "EFT-ADJ-1", Originator: "10000TPA01"},
				Payer: rs[0].Payer, Payee: rs[0].Payee, Groups: []*remit.Group{{Number: 1, Claims: []*remit.Claim{rev, cor}}}}
			second.ComputeTotals()
			second.Payment.Handling = "C"
			if second.Payment.Amount == 0 {
				second.Payment.Handling = "H"
			}
			if second.Payment.CreditDebit == "D" || second.Payment.Amount == 0 {
				second.Payment.Method = "NON"
			}
			res = e.process("tpa", "tpa-adj.835", write835(t, []remit.Remittance{second}, 12))
			if res.State != store.InboundProcessed || res.Outcomes[CountMatched] != 2 {
				t.Fatalf("adjustment 835: %s %v %v %+v", res.State, res.Outcomes, res.Rejections, res.Interchanges)
			}
			after, err := e.st.GetClaimPayment(ctx, first.ID)
			if err != nil || after.Status != store.PaymentPaid || after.PaidCents >= orig.PaidCents || after.PatientRespCents <= orig.PatientRespCents {
				t.Fatalf("after correction: %+v (was %+v), %v", after, orig, err)
			}
			hist, err := e.st.ListRemitClaims(ctx, store.RemitClaimFilter{ClaimID: first.ID})
			if err != nil || len(hist) != 3 || hist[1].Outcome != store.PaymentReversal || hist[1].PaidCents != -orig.PaidCents {
				t.Fatalf("history %+v, %v", hist, err)
			}

			// A rejected 835 (SE01 wrong) records nothing and is answered
			// with a 999 R.
			bad := write835(t, []remit.Remittance{second}, 13)
			bad = bytes.Replace(bad, []byte("TRN*1*EFT-ADJ-1"), []byte("TRN*1*EFT-ADJ-2"), 1)
			i := bytes.Index(bad, []byte("\nSE*")) + 4
			j := bytes.IndexByte(bad[i:], '*') + i
			bad = append(append(append([]byte{}, bad[:i]...), []byte("99")...), bad[j:]...)
			before := countRows(t, e.st, "remit_claims")
			res = e.process("tpa", "tpa-bad.835", bad)
			if res.Counts.TxRejected != 1 || countRows(t, e.st, "remit_claims") != before {
				t.Fatalf("rejected 835: %+v, remit claims %d → %d", res.Counts, before, countRows(t, e.st, "remit_claims"))
			}
			if a := e.outbound(res, store.Kind999, "tpa"); !bytes.Contains(a, []byte("IK5*R")) {
				t.Fatalf("999 of the rejected 835:\n%s", a)
			}
			if after2, _ := e.st.GetClaimPayment(ctx, first.ID); after2.PaidCents != after.PaidCents {
				t.Fatal("a rejected 835 changed a payment")
			}
		})
	}
}

// negate turns a claim payment into its reversal's amounts.
func negate(c *remit.Claim) {
	c.Charge = -c.Charge
	for i := range c.Adjustments {
		for j := range c.Adjustments[i].Reasons {
			c.Adjustments[i].Reasons[j].Amount = -c.Adjustments[i].Reasons[j].Amount
		}
	}
	for _, l := range c.Lines {
		l.Charge = -l.Charge
		for i := range l.Adjustments {
			for j := range l.Adjustments[i].Reasons {
				l.Adjustments[i].Reasons[j].Amount = -l.Adjustments[i].Reasons[j].Amount
			}
		}
		for i := range l.Amounts {
			l.Amounts[i].Amount = -l.Amounts[i].Amount
		}
	}
}

func countRows(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}
