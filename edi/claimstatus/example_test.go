package claimstatus_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claimstatus"
)

// Decode a 276 and answer: the first claim is found and paid, the other
// is not found (A4:35).
func Example() {
	data, err := os.ReadFile("testdata/claims.276")
	if err != nil {
		panic(err)
	}
	reqs, err := claimstatus.DecodeRequests(data)
	if err != nil {
		panic(err)
	}
	resp := claimstatus.Response{Reference: reqs[0].Header.Reference}
	var prov claimstatus.Provider
	for i, q := range reqs[0].Inquiries {
		resp.Payer, resp.Receiver, prov.Party = *q.Payer, *q.Receiver, q.Providers[0]
		fmt.Printf("claim %s: charge %d cents, %d lines, dependent %v\n",
			q.Claim.PatientControlNumber, q.Claim.ChargeCents, len(q.Claim.Lines), q.Dependent != nil)
		c := q.Echo()
		c.StatusDate = "20260302"
		if i == 0 {
			c.Statuses = []claimstatus.Status{{Category: "F1", Code: "65"}}
			c.ChargeCents, c.HasCharge, c.PaidCents, c.HasPaid = q.Claim.ChargeCents, true, 9800, true
		} else {
			c.Statuses = []claimstatus.Status{{Category: "A4", Code: "35"}}
		}
		prov.Claims = append(prov.Claims, c)
	}
	resp.Providers = []claimstatus.Provider{prov}
	var b strings.Builder
	err = claimstatus.Write277(&b, []claimstatus.Response{resp}, ack.OutboundEnvelope{Control: 1, GroupControl: 1,
		Time: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), SenderID: "ALLIANCECH", ReceiverID: "NORTHSIDE", Suffix: "\n"})
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "TRN") || strings.HasPrefix(line, "STC") {
			fmt.Println(line)
		}
	}
	// Output:
	// claim P1001: charge 12550 cents, 1 lines, dependent false
	// claim P1002: charge 5000 cents, 0 lines, dependent true
	// TRN*2*TRN-5001~
	// STC*F1:65*20260302**125.5*98~
	// TRN*2*TRN-5002~
	// STC*A4:35*20260302~
}
