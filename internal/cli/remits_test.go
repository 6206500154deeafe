package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/remittance"
)

// seedRemittance processes the demo 837P and records, through the store,
// a remittance from partner "tpa" paying its first claim, denying its
// second (by CLP01) and holding a CLP that matches nothing. It returns
// the data dir, the two claims' control numbers and the remittance ID.
func seedRemittance(t *testing.T) (dir, paid, denied string, remitID int64) {
	t.Helper()
	dir = processInto(t, demo+"acme-837p-20261120-01.x12")
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "clearinghouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs, err := st.ListClaims(ctx, store.ClaimFilter{State: store.ClaimAccepted, Limit: 2})
	if err != nil || len(cs) != 2 {
		t.Fatalf("claims %d, %v", len(cs), err)
	}
	in, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "tpa", Name: "tpa.835",
		SHA256: strings.Repeat("ab", 32), SpoolPath: "x"})
	if err != nil {
		t.Fatal(err)
	}
	allowed := cs[0].BilledCents - 1000
	r := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", InboundFileID: &in.ID, PayerID: cs[0].PayerID,
		PayerName: "TEST TPA", PayeeName: "TEST PROVIDER", PayeeNPI: cs[0].BillingNPI, Handling: "C", CreditDebit: "C",
		PaymentCents: allowed - 500, PaymentMethod: "ACH", PaymentDate: "20261201", TraceNumber: "EFT000777",
		Claims: []store.RemitClaim{
			{Seq: 1, ClaimRef: cs[0].ControlNumber, CLP01: cs[0].CLM01, Status: "1", ChargeCents: cs[0].BilledCents,
				PaidCents: allowed - 500, PatientRespCents: 500, PayerClaimNumber: "ICN1",
				Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: 1000}, {Group: "PR", Reason: "2", Amount: 500}},
				Lines: []store.RemitLine{{LineNo: 1, ProcedureCode: "A0428", ChargeCents: cs[0].BilledCents, PaidCents: allowed - 500,
					Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: 1000}, {Group: "PR", Reason: "2", Amount: 500}}}}},
			{Seq: 2, CLP01: cs[1].CLM01, Status: "4", ChargeCents: cs[1].BilledCents, PayerClaimNumber: "ICN2",
				Adjustments: store.Adjustments{{Group: "CO", Reason: "31", Amount: cs[1].BilledCents}}, Remarks: "N382"},
			{Seq: 3, CLP01: "NOT-OURS", Status: "1", ChargeCents: 1000, PaidCents: 1000},
		}}
	if _, err := st.DB().ExecContext(ctx, `UPDATE claims SET state = 'forwarded', route_partner = 'tpa' WHERE id IN (?, ?)`, cs[0].ID, cs[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := remittance.Match(ctx, st, r); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertRemittance(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.MatchedCount != 2 {
		t.Fatalf("matched %d", r.MatchedCount)
	}
	return dir, cs[0].ControlNumber, cs[1].ControlNumber, r.ID
}

// TestRemitsCommands: remits lists remittances, unmatched payments and a
// claim's payments; claim shows payments; claims --state filters by
// payment; remits match matches once; eop writes PDF and HTML.
func TestRemitsCommands(t *testing.T) {
	dir, paid, denied, remitID := seedRemittance(t)
	id := strconv.FormatInt(remitID, 10)
	code, out, errOut := run(t, "--data-dir", dir, "remits")
	if code != 0 || !strings.Contains(out, "EFT000777") || !strings.Contains(out, "received") {
		t.Fatalf("remits: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run(t, "--data-dir", dir, "remits", "--json")
	var list struct {
		Remittances []struct {
			ID      int64  `json:"id"`
			Claims  int    `json:"claims"`
			Matched int    `json:"matched"`
			Trace   string `json:"trace_number"`
		} `json:"remittances"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list.Remittances) != 1 ||
		list.Remittances[0].Claims != 3 || list.Remittances[0].Matched != 2 {
		t.Fatalf("remits --json: %v\n%s", err, out)
	}
	code, out, _ = run(t, "--data-dir", dir, "remits", "--unmatched", "--json")
	var um struct {
		Payments []struct {
			ID    int64  `json:"id"`
			CLP01 string `json:"clp01"`
			Note  string `json:"note"`
		} `json:"payments"`
	}
	if err := json.Unmarshal([]byte(out), &um); err != nil || code != 0 || len(um.Payments) != 1 ||
		um.Payments[0].CLP01 != "NOT-OURS" || um.Payments[0].Note != remittance.NoteNoClaim {
		t.Fatalf("remits --unmatched: %v\n%s", err, out)
	}
	code, out, _ = run(t, "--data-dir", dir, "remits", "--claim", paid)
	if code != 0 || !strings.Contains(out, "CO-45 10.00 PR-2 5.00") || !strings.Contains(out, "ICN1") {
		t.Fatalf("remits --claim:\n%s", out)
	}
	code, out, _ = run(t, "--data-dir", dir, "claim", denied)
	if code != 0 || !strings.Contains(out, "payment: denied, paid 0.00") || !strings.Contains(out, "CO-31") {
		t.Fatalf("claim:\n%s", out)
	}
	code, out, _ = run(t, "--data-dir", dir, "claim", "--json", paid)
	var cj struct {
		Claim struct {
			Payment *struct {
				Status string `json:"status"`
				Paid   int64  `json:"paid_cents"`
			} `json:"payment"`
		} `json:"claim"`
		Payments []json.RawMessage `json:"payments"`
	}
	if err := json.Unmarshal([]byte(out), &cj); err != nil || cj.Claim.Payment == nil || cj.Claim.Payment.Status != "paid" || cj.Claim.Payment.Paid == 0 || len(cj.Payments) != 1 {
		t.Fatalf("claim --json: %v\n%s", err, out)
	}
	for state, want := range map[string]string{"paid": paid, "denied": denied} {
		code, out, _ = run(t, "--data-dir", dir, "claims", "--state", state)
		if code != 0 || !strings.Contains(out, want) || strings.Count(out, "\n") != 2 {
			t.Fatalf("claims --state %s:\n%s", state, out)
		}
	}
	if code, out, _ = run(t, "--data-dir", dir, "claims", "--state", "partial"); code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("claims --state partial:\n%s", out)
	}

	// Operator match of the unmatched payment, once.
	pid := strconv.FormatInt(um.Payments[0].ID, 10)
	if code, out, errOut = run(t, "--data-dir", dir, "remits", "match", pid, denied); code != 0 || !strings.Contains(out, "payment paid, paid 10.00") {
		t.Fatalf("remits match: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut = run(t, "--data-dir", dir, "remits", "match", pid, denied); code != 1 || !strings.Contains(errOut, "matched already") {
		t.Fatalf("second match: exit %d %s", code, errOut)
	}

	// EOPs: a claim's as PDF, the remittance's as HTML.
	pdf := filepath.Join(t.TempDir(), "eop.pdf")
	if code, out, errOut = run(t, "--data-dir", dir, "eop", paid, "--out", pdf); code != 0 {
		t.Fatalf("eop pdf: exit %d %s%s", code, out, errOut)
	}
	b, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("eop pdf: %v %q", err, b[:min(len(b), 10)])
	}
	if fi, _ := os.Stat(pdf); fi.Mode().Perm() != 0o600 {
		t.Fatalf("eop file mode %v", fi.Mode())
	}
	html := filepath.Join(t.TempDir(), "eop.html")
	if code, _, errOut = run(t, "--data-dir", dir, "eop", id, "--out", html); code != 0 {
		t.Fatalf("eop html: exit %d %s", code, errOut)
	}
	b, _ = os.ReadFile(html)
	for _, want := range []string{"EFT000777", "Claim NOT-OURS", "our claim " + paid, "Patient cannot be identified as our insured", "N382"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("eop html lacks %q", want)
		}
	}
	for _, args := range [][]string{{"eop", paid}, {"eop", paid, "--out", "x.txt"}, {"remits", "--state", "bogus"},
		{"remits", "--unmatched", "--claim", paid}, {"remits", "match", "x", paid}} {
		if code, _, _ := run(t, append([]string{"--data-dir", dir}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	for _, args := range [][]string{{"eop", "NOSUCH", "--out", html}, {"eop", "99999", "--out", html}, {"remits", "--claim", "NOSUCH"}} {
		if code, _, _ := run(t, append([]string{"--data-dir", dir}, args...)...); code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
	}
}

// TestERACommands: enroll, list and unenroll; configured enrollments are
// listed with source config.
func TestERACommands(t *testing.T) {
	d := t.TempDir()
	cfg := filepath.Join(d, "c.yaml")
	if err := os.WriteFile(cfg, []byte("partners: [{id: acme, era: {npis: ['1234567893']}}, {id: beta}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--config", cfg, "--data-dir", filepath.Join(d, "var")}
	if code, out, errOut := run(t, append(base, "era", "enroll", "beta", "--tin", "99-0000001")...); code != 0 || !strings.Contains(out, "TIN 99-0000001 enrolled") {
		t.Fatalf("enroll: exit %d %s%s", code, out, errOut)
	}
	code, out, _ := run(t, append(base, "era", "list")...)
	if code != 0 || !strings.Contains(out, "acme     npi   1234567893  config") || !strings.Contains(out, "beta     tin   990000001   cli") {
		t.Fatalf("list:\n%s", out)
	}
	for _, args := range [][]string{{"era", "enroll", "nobody", "--npi", "1234567893"}, {"era", "enroll", "beta"},
		{"era", "enroll", "beta", "--npi", "1", "--tin", "2"}, {"era", "enroll", "beta", "--npi", "12"}} {
		if code, _, _ := run(t, append(base, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, _ := run(t, append(base, "era", "unenroll", "--tin", "990000001")...); code != 0 {
		t.Fatal("unenroll failed")
	}
	if code, _, _ := run(t, append(base, "era", "unenroll", "--tin", "990000001")...); code != 1 {
		t.Fatal("second unenroll succeeded")
	}
	code, out, _ = run(t, append(base, "era", "list", "--json")...)
	if code != 0 || strings.Count(out, `"partner"`) != 1 {
		t.Fatalf("list --json:\n%s", out)
	}
}

// TestRemitImportAndRelease: gen --type 835 pays the claims forwarded to
// a TPA; remit import takes the file in as from the TPA (matched, held
// without enrollment, 999 queued); after era enroll, remits release
// forwards it exactly once; importing the same file again does nothing.
func TestRemitImportAndRelease(t *testing.T) {
	dir := processInto(t, demo+"acme-837p-20261120-01.x12")
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "clearinghouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE claims SET state = 'forwarded', route_partner = 'tpa' WHERE state = 'accepted'`); err != nil {
		t.Fatal(err)
	}
	var npi string
	if err := st.DB().GetContext(ctx, &npi, `SELECT MIN(billing_npi) FROM claims WHERE state = 'forwarded'`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	f835 := filepath.Join(t.TempDir(), "tpa.835")
	if code, _, errOut := run(t, "--data-dir", dir, "gen", "--type", "835", "--for-claims", "--partner", "tpa", "--deny-every", "3", "--out", f835); code != 0 {
		t.Fatalf("gen 835: exit %d %s", code, errOut)
	}
	if code, out, _ := run(t, "validate", f835); code != 0 {
		t.Fatalf("generated 835 does not validate:\n%s", out)
	}
	code, out, errOut := run(t, "--data-dir", dir, "remit", "import", "--partner", "tpa", f835)
	if code != 0 || !strings.Contains(out, "0 forwarded") || !strings.Contains(out, "0 unmatched") || !strings.Contains(out, "queued 999") {
		t.Fatalf("remit import: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run(t, "--data-dir", dir, "remits", "--state", "held", "--json")
	var held struct {
		Remittances []struct {
			ID       int64  `json:"id"`
			PayeeNPI string `json:"payee_npi"`
			Reason   string `json:"hold_reason"`
		} `json:"remittances"`
	}
	if err := json.Unmarshal([]byte(out), &held); err != nil || code != 0 || len(held.Remittances) == 0 {
		t.Fatalf("held: %v\n%s", err, out)
	}
	var id string
	for _, r := range held.Remittances {
		if r.PayeeNPI == npi {
			id = strconv.FormatInt(r.ID, 10)
		}
	}
	if id == "" {
		t.Fatalf("no held remittance for NPI %s: %s", npi, out)
	}
	if code, _, errOut := run(t, "--data-dir", dir, "remits", "release", id); code != 1 || !strings.Contains(errOut, "still held: no ERA enrollment") {
		t.Fatalf("release without enrollment: exit %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "--data-dir", dir, "era", "enroll", "acme", "--npi", npi); code != 2 || !strings.Contains(errOut, "not configured") {
		t.Fatalf("enroll an unconfigured partner: exit %d %s", code, errOut)
	}
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("partners: [{id: acme, sender_ids: [ACMEMED]}, {id: tpa}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "--config", cfg, "--data-dir", dir, "era", "enroll", "acme", "--npi", npi); code != 0 {
		t.Fatalf("enroll: exit %d %s", code, errOut)
	}
	if code, out, errOut := run(t, "--config", cfg, "--data-dir", dir, "remits", "release", id); code != 0 || !strings.Contains(out, "queued to acme") {
		t.Fatalf("release: exit %d %s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "--config", cfg, "--data-dir", dir, "remits", "release", id); code != 1 || !strings.Contains(errOut, "not held") {
		t.Fatalf("second release: exit %d %s", code, errOut)
	}
	if code, out, _ := run(t, "--data-dir", dir, "remit", "import", "--partner", "tpa", f835); code != 0 || !strings.Contains(out, "already imported") {
		t.Fatalf("second import: exit %d %s", code, out)
	}
	if code, _, _ := run(t, "--data-dir", dir, "remit", "import", f835); code != 2 {
		t.Fatal("import without --partner")
	}
	// The released ERA is addressed to acme's sender ID.
	st, err = store.Open(ctx, "sqlite:"+filepath.Join(dir, "clearinghouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	obs, err := st.ListOutbound(ctx, store.OutboundFilter{PartnerID: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range obs {
		if o.Kind == store.Kind835 {
			b, _ := os.ReadFile(o.SpoolPath)
			found = bytes.Contains(b, []byte("*ZZ*ACMEMED        *"))
		}
	}
	if !found {
		t.Fatal("no ERA queued to acme addressed to ACMEMED")
	}
}

// TestDenialRemitsFromProcess: with a deny_remit route, processing the
// same claims twice (exact duplicates) queues a denial 835 to the
// submitter; it validates clean.
func TestDenialRemitsFromProcess(t *testing.T) {
	d := t.TempDir()
	cfg := filepath.Join(d, "c.yaml")
	body := "identity: {id: CLEARINGHOUSE, name: CLEARINGHOUSE, tax_id: '99-1234567', phone: '6085550100', address: {line1: '1 EXAMPLE WAY', city: MADISON, state: WI, postal_code: '53703'}}\n" +
		"partners: [{id: acme}, {id: relayhealth}, {id: optum}]\n" +
		"repricing: {source: none}\n" +
		"routes: [{payer_id: '2712', partner: relayhealth, deny_remit: true}, {payer_id: '1935', partner: relayhealth, deny_remit: true}, {payer_id: '88461', partner: optum, deny_remit: true}]\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(demo + "acme-837p-20261120-01.x12")
	if err != nil {
		t.Fatal(err)
	}
	again := bytes.Replace(src, []byte("*000000101*"), []byte("*000000901*"), 1)
	again = bytes.Replace(again, []byte("IEA*1*000000101"), []byte("IEA*1*000000901"), 1)
	second := filepath.Join(d, "again.x12")
	if err := os.WriteFile(second, again, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(d, "out")
	base := []string{"--config", cfg, "--data-dir", filepath.Join(d, "var"), "process", "--partner", "acme", "--out", out}
	run(t, append(base, demo+"acme-837p-20261120-01.x12")...)
	code, stdout, errOut := run(t, append(base, second)...)
	if code != 1 || !strings.Contains(stdout, "835 835-DENY-") {
		t.Fatalf("exit %d\n%s%s", code, stdout, errOut)
	}
	denials, _ := filepath.Glob(filepath.Join(out, "acme", "835-DENY-*.x12"))
	if len(denials) == 0 {
		t.Fatalf("no denial 835 delivered to acme\n%s", stdout)
	}
	for _, f := range denials {
		if code, vout, _ := run(t, "validate", f); code != 0 {
			t.Fatalf("%s does not validate:\n%s", f, vout)
		}
	}
}
