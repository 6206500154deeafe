package pipeline

import (
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestClaimHashesPair checks that claimHashes gives Fingerprint and
// SuspectKey, with and without a suspect key.
func TestClaimHashesPair(t *testing.T) {
	for name, c := range map[string]*store.Claim{
		"full": {PartnerID: "acme", BillingNPI: "1234567893", ClaimType: "P", MemberID: "M0001", PatientLast: "Doe",
			ServiceFrom: "20260101", BilledCents: 12345, Lines: []store.ClaimLine{{LineNo: 1, Code: "A0425", Units: 1000}}},
		"no member": {PartnerID: "acme", ServiceFrom: "20260101"},
		"empty":     {},
	} {
		fp, sk := claimHashes(c)
		if fp != Fingerprint(c) || sk != SuspectKey(c) {
			t.Errorf("%s: claimHashes = %q, %q; want %q, %q", name, fp, sk, Fingerprint(c), SuspectKey(c))
		}
	}
}
