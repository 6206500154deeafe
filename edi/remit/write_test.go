package remit

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var writeCases = []struct {
	name string
	rs   func() []Remittance
}{
	{"denial", func() []Remittance { return []Remittance{denial()} }},
	{"payment", func() []Remittance { return []Remittance{payment()} }},
	{"two_sets", func() []Remittance { return []Remittance{payment(), denial()} }},
}

func write(t *testing.T, rs []Remittance, out ack.OutboundEnvelope) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, rs, out); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

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
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, got)
	}
}

func TestWriteGolden(t *testing.T) {
	for _, tc := range writeCases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name+".835.golden", write(t, tc.rs(), testEnvelope()))
		})
	}
}

func TestWriteValidates(t *testing.T) {
	for _, tc := range writeCases {
		t.Run(tc.name, func(t *testing.T) {
			validateClean(t, write(t, tc.rs(), testEnvelope()))
		})
	}
	t.Run("no_suffix", func(t *testing.T) {
		out := testEnvelope()
		out.Suffix = ""
		validateClean(t, write(t, []Remittance{payment()}, out))
	})
}

// Writing then reading gives back the model (the fields the writer writes).
func TestWriteReadBack(t *testing.T) {
	want := payment()
	data := write(t, []Remittance{want}, testEnvelope())
	var got []*Remittance
	err := ReadSets(bytes.NewReader(data), func(r *Remittance, issues []ack.Issue) error {
		if len(issues) > 0 {
			t.Errorf("issues: %v", issues)
		}
		got = append(got, r)
		return nil
	})
	if err != nil || len(got) != 1 {
		t.Fatalf("ReadSets: %v, %d sets", err, len(got))
	}
	r := got[0]
	if err := r.CheckBalance(); err != nil {
		t.Errorf("CheckBalance: %v", err)
	}
	if r.Payment != want.Payment || r.Trace != want.Trace || r.Payee.ID != want.Payee.ID {
		t.Errorf("header: got %+v %+v", r.Payment, r.Trace)
	}
	if r.Payment.Amount != 19500-9000+8100-(4000-150) {
		t.Errorf("BPR02 = %d", r.Payment.Amount)
	}
	var claims []*Claim
	for c := range r.Claims() {
		claims = append(claims, c)
	}
	if len(claims) != 3 || !claims[1].IsReversal() || claims[1].Paid != -9000 || claims[2].Paid != 8100 {
		t.Fatalf("claims: %d, reversal %v", len(claims), claims[1])
	}
	l := claims[0].Lines[0]
	if l.Paid != 12000 || l.ControlNumber() != "L1" || len(l.Adjustments) != 2 || l.Procedure.Modifiers[0] != "RH" {
		t.Errorf("line 1: %+v", l)
	}
	if a, ok := l.Allowed(); !ok || a != 15000 {
		t.Errorf("allowed %d %v", a, ok)
	}
	if claims[0].PatientResponsibility != 3000 || !claims[0].HasPatientResponsibility {
		t.Errorf("CLP05 %d", claims[0].PatientResponsibility)
	}
	if len(r.Adjustments) != 1 || r.Adjustments[0].Items[1].Amount != -150 {
		t.Errorf("PLB %+v", r.Adjustments)
	}
}

// Write refuses an unbalanced remittance, naming the element.
func TestWriteRefusesUnbalanced(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(r *Remittance)
		field   string
		element string
	}{
		{"line", func(r *Remittance) { r.Groups[0].Claims[0].Lines[0].Paid++ }, "Line.Paid", "2110 SVC03"},
		{"claim", func(r *Remittance) { r.Groups[0].Claims[2].Paid-- }, "Claim.Paid", "2100 CLP04"},
		{"patient", func(r *Remittance) { r.Groups[0].Claims[2].PatientResponsibility = 1 }, "Claim.PatientResponsibility", "2100 CLP05"},
		{"payment", func(r *Remittance) { r.Payment.Amount += 100 }, "Payment.Amount", "BPR02"},
		{"plb", func(r *Remittance) { r.Adjustments[0].Items[0].Amount = 0 }, "Payment.Amount", "BPR02"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := payment()
			tc.edit(&r)
			var buf bytes.Buffer
			err := Write(&buf, []Remittance{r}, testEnvelope())
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrUnbalanced) || fe.Field != tc.field || fe.Element != tc.element {
				t.Fatalf("err = %v, want a FieldError %s (%s) wrapping ErrUnbalanced", err, tc.field, tc.element)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes", buf.Len())
			}
		})
	}
}

// Write checks values first and names positions, never values.
func TestWriteFieldErrors(t *testing.T) {
	r := denial()
	r.Groups[0].Claims[1].Patient.IDQualifier = "ZZ"
	r.Groups[0].Claims[0].Lines[0].Procedure.Qualifier = ""
	r.Payer.Contacts = r.Payer.Contacts[1:]
	r.Payment.Amount = 5
	var buf bytes.Buffer
	err := Write(&buf, []Remittance{r}, testEnvelope())
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"remittance 1, claim 2: Claim.Patient.IDQualifier (2100 NM108): invalid value",
		"remittance 1, claim 1, line 1: Line.Procedure.Qualifier (2110 SVC01-1): required value missing",
		"remittance 1: Payer.Contacts (1000A PER (BL)): required value missing",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "XJ999") || strings.Contains(msg, "ROE") {
		t.Errorf("error quotes a value: %s", msg)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes", buf.Len())
	}
	var out ack.OutboundEnvelope
	if err := Write(&buf, []Remittance{denial()}, out); !errors.Is(err, ack.ErrControlNumber) {
		t.Errorf("zero envelope: %v", err)
	}
}

// An identifier holding a delimiter moves the delimiter, not the value.
func TestWriteDelimiterCollision(t *testing.T) {
	r := payment()
	r.Groups[0].Claims[0].PatientControlNumber = "PCN*2001"
	data := write(t, []Remittance{r}, testEnvelope())
	validateClean(t, data)
	if !bytes.Contains(data, []byte("PCN*2001")) {
		t.Errorf("CLP01 altered:\n%s", data)
	}
}
