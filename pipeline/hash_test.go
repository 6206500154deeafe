package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// refHash is the claim hash as first written (fmt per part): the stored
// fingerprints and suspect keys depend on exactly these bytes.
func refHash(parts []string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s|", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func refFingerprint(c *store.Claim) string {
	lines := make([]string, 0, len(c.Lines))
	for _, l := range c.Lines {
		lines = append(lines, strings.Join([]string{l.Code, l.Modifiers, strconv.FormatInt(l.Units, 10), l.UnitType,
			strconv.FormatInt(l.ChargeCents, 10), l.RevenueCode, l.ServiceFrom, l.ServiceTo}, "\x1f"))
	}
	sort.Strings(lines)
	parts := []string{"v1", c.PartnerID, c.SubmitterID, c.BillingNPI, c.BillingTIN, c.PayerID, c.ClaimType,
		c.MemberID, strings.ToUpper(c.PatientLast), strings.ToUpper(c.PatientFirst), c.PatientDOB,
		c.ServiceFrom, c.ServiceTo, strconv.FormatInt(c.BilledCents, 10)}
	return refHash(append(parts, lines...))
}

func TestClaimHashesStable(t *testing.T) {
	base := store.Claim{PartnerID: "acme", SubmitterID: "SUB1", BillingNPI: "1234567893", BillingTIN: "999999999", PayerID: "PAYER1",
		ClaimType: "P", MemberID: "M0001", PatientLast: "Doe", PatientFirst: "jane", PatientDOB: "19800101",
		ServiceFrom: "20260101", ServiceTo: "20260102", BilledCents: 12345,
		Lines: []store.ClaimLine{
			{LineNo: 1, Code: "J1100", Modifiers: "GT:59", Units: 1500, UnitType: "UN", ChargeCents: 10000, ServiceFrom: "20260101"},
			{LineNo: 2, Code: "A0425", Units: 1000, UnitType: "UN", ChargeCents: 2345, ServiceFrom: "20260102", ServiceTo: "20260102"},
			{LineNo: 3, Code: "A0425", Units: 1000, UnitType: "UN", ChargeCents: 2345, ServiceFrom: "20260102", ServiceTo: "20260102"},
		}}
	noLines := base
	noLines.Lines = nil
	inst := base
	inst.ClaimType, inst.PatientLast, inst.PatientFirst, inst.BilledCents = "I", "Müller-ßé", "", -5
	inst.Lines = []store.ClaimLine{{LineNo: 1, RevenueCode: "0450", Units: 0, ChargeCents: 0}, {LineNo: 2, Code: "Z9999", RevenueCode: "0300", Units: -1}}
	empty := store.Claim{}
	many := base
	many.Lines = nil
	for i := range 40 { // more lines than the scratch buffers hold
		many.Lines = append(many.Lines, store.ClaimLine{LineNo: i + 1, Code: fmt.Sprintf("A%04d", 40-i), Modifiers: strings.Repeat("X", i),
			Units: int64(i * 1000), UnitType: "UN", ChargeCents: int64(i * 100), ServiceFrom: "20260101", ServiceTo: "20260103"})
	}
	for name, c := range map[string]*store.Claim{"professional": &base, "no lines": &noLines, "institutional": &inst, "empty": &empty, "many lines": &many} {
		if got, want := Fingerprint(c), refFingerprint(c); got != want {
			t.Errorf("%s: Fingerprint = %s, want %s", name, got, want)
		}
		want := ""
		if c.MemberID != "" && c.ServiceFrom != "" {
			want = refHash([]string{"v1", c.MemberID, c.BillingNPI, c.ServiceFrom})
		}
		if got := SuspectKey(c); got != want {
			t.Errorf("%s: SuspectKey = %s, want %s", name, got, want)
		}
	}
	// Pinned values: the hashes of rows already stored must not change.
	if got := Fingerprint(&base); got != "fb6c15a2e08a94833123685ea716282d" {
		t.Errorf("Fingerprint(base) = %s", got)
	}
	if got := SuspectKey(&base); got != "a942ec25b7701a835a39ca3ea400da8e" {
		t.Errorf("SuspectKey(base) = %s", got)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	c := &store.Claim{PartnerID: "acme", SubmitterID: "SUB1", BillingNPI: "1234567893", PayerID: "PAYER1", ClaimType: "P", MemberID: "M0001",
		PatientLast: "DOE", PatientFirst: "JANE", PatientDOB: "19800101", ServiceFrom: "20260101", ServiceTo: "20260102", BilledCents: 12345,
		Lines: []store.ClaimLine{{LineNo: 1, Code: "J1100", Units: 1000, UnitType: "UN", ChargeCents: 10000, ServiceFrom: "20260101"},
			{LineNo: 2, Code: "A0425", Units: 1000, UnitType: "UN", ChargeCents: 2345, ServiceFrom: "20260102"}}}
	b.ReportAllocs()
	for b.Loop() {
		_ = Fingerprint(c)
		_ = SuspectKey(c)
	}
}

// TestFormatClaimControlNumber checks the control numbers against the
// fmt form they were first written with ("CH%012d"): stored claims and
// REF*F8 of corrections refer to exactly these bytes.
func TestFormatClaimControlNumber(t *testing.T) {
	for _, n := range []int64{0, 1, 9, 10, 99, 100, 123456, 999999999999, 1000000000000, 1 << 62, -1, -123} {
		if got, want := FormatClaimControlNumber(n), fmt.Sprintf("CH%012d", n); got != want {
			t.Errorf("FormatClaimControlNumber(%d) = %q, want %q", n, got, want)
		}
	}
}
