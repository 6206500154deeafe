package remittance

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file (run with -update after checking)\n%s", name, got)
	}
}

// sampleEOP is a synthetic remittance (made-up people, HCPCS Level II
// codes): a claim paid with a contractual write-down, coinsurance and a
// denied line, and a claim denied as not our insured.
func sampleEOP(t *testing.T) *EOP {
	t.Helper()
	allowed := int64(80000)
	claimID := int64(7)
	head := map[int64]*store.Remittance{3: {ID: 3, PayerName: "TEST TPA", PayerID: "TPA01", PayeeName: "TEST AMBULANCE CO",
		PayeeNPI: "1234567893", PayeeTIN: "990000001", Handling: "C", CreditDebit: "C", PaymentCents: 70000,
		PaymentMethod: "ACH", PaymentDate: "20240315", TraceNumber: "EFT0000123"}}
	cs := []store.RemitClaim{
		{RemittanceID: 3, ClaimID: &claimID, CLP01: "PCN-1001", Status: "1", Outcome: store.PaymentPartial,
			ChargeCents: 152550, PaidCents: 70000, PatientRespCents: 10000, PayerClaimNumber: "ICN0001",
			PatientFirst: "ALEX", PatientLast: "TESTPATIENT", MemberID: "ZZM000001", StatementFrom: "20240210", StatementTo: "20240211",
			Remarks: "N381",
			Lines: []store.RemitLine{
				{LineNo: 1, ProcedureCode: "A0428", Modifiers: "RH", ChargeCents: 150000, PaidCents: 70000, AllowedCents: &allowed,
					Units: 1000, ServiceFrom: "20240210", Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: 70000},
						{Group: "PR", Reason: "2", Amount: 10000}}},
				{LineNo: 2, ProcedureCode: "J1100", ChargeCents: 2550, PaidCents: 0, Units: 2500, ServiceFrom: "20240211",
					Adjustments: store.Adjustments{{Group: "CO", Reason: "96", Amount: 2550}}, Remarks: "N448"},
			}},
		{RemittanceID: 3, CLP01: "PCN-1002", Status: "4", Outcome: store.PaymentDenied, ChargeCents: 5000,
			PatientFirst: "SAM", PatientLast: "EXAMPLE", Adjustments: store.Adjustments{{Group: "CO", Reason: "31", Amount: 5000}},
			Remarks: "N382"},
	}
	e, err := NewEOP(head, cs, map[int64]string{7: "CH0000000007"}, time.Date(2024, 3, 16, 9, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEOPModel(t *testing.T) {
	e := sampleEOP(t)
	c := e.Claims[0]
	if c.ControlNumber != "CH0000000007" || c.AllowedCents != 80000 || c.Lines[1].AllowedCents != 0 ||
		c.Lines[0].Procedure != "A0428-RH" || c.Lines[1].Units != "2.5" || c.Period != "2024-02-10 to 2024-02-11" {
		t.Fatalf("claim %+v", c)
	}
	if e.Claims[1].ControlNumber != "" || e.Claims[1].AllowedCents != 0 || e.Claims[1].Status != "4 Denied" {
		t.Fatalf("denied claim %+v", e.Claims[1])
	}
	var codes []string
	for _, k := range e.Codes {
		codes = append(codes, k.Kind+" "+k.Code)
	}
	if got := strings.Join(codes, ","); got != "Group CO,Group PR,CARC 2,CARC 31,CARC 45,CARC 96,RARC N381,RARC N382,RARC N448" {
		t.Fatalf("codes %s", got)
	}
	if _, err := NewEOP(nil, nil, nil, time.Time{}); err == nil {
		t.Fatal("an EOP of nothing")
	}
	if _, err := NewEOP(map[int64]*store.Remittance{}, []store.RemitClaim{{RemittanceID: 9}}, nil, time.Time{}); err == nil {
		t.Fatal("an EOP without its remittance")
	}
}

func TestEOPHTML(t *testing.T) {
	var b bytes.Buffer
	if err := sampleEOP(t).WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "eop.html.golden", b.Bytes())
}

// TestEOPPDF: a well-formed, deterministic PDF.
func TestEOPPDF(t *testing.T) {
	var a, b bytes.Buffer
	if err := sampleEOP(t).WritePDF(&a); err != nil {
		t.Fatal(err)
	}
	if err := sampleEOP(t).WritePDF(&b); err != nil {
		t.Fatal(err)
	}
	pdf := a.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.Contains(pdf[len(pdf)-16:], []byte("%%EOF")) ||
		!bytes.Contains(pdf, []byte("/Type /Page")) {
		t.Fatalf("not a PDF: %q...", pdf[:min(len(pdf), 40)])
	}
	if !bytes.Equal(pdf, b.Bytes()) {
		t.Fatal("two renderings of one EOP differ")
	}
}

func TestMoney(t *testing.T) {
	for cents, want := range map[int64]string{0: "0.00", 5: "0.05", -1250: "-12.50", 123456789: "1,234,567.89", 100000: "1,000.00"} {
		if got := Money(cents); got != want {
			t.Errorf("Money(%d) = %q, want %q", cents, got, want)
		}
	}
}
