package remittance

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// PayOptions configures PayClaims.
type PayOptions struct {
	// Payer is loop 1000A (name, ID, address and the technical contact
	// the guide requires); TRN03 is "1" + its ID zero-filled to nine.
	Payer remit.Payer
	// Date is the payment date (BPR16) and production date.
	Date time.Time
	// TracePrefix starts each TRN02 (followed by a sequence number).
	TracePrefix string
	// DenyEvery denies every n-th claim (CLP02 4, CO-204 with N130); 0
	// denies none.
	DenyEvery int
	// CoinsurancePercent of the allowed amount is left to the patient
	// (PR-2). Default 0.
	CoinsurancePercent int64
}

// PayClaims writes what a TPA would return for claims we forwarded to it:
// one 835 per payee (billing NPI, else TIN), paying each claim its
// allowed amount (the repriced amount, else 80% of the charge) less the
// patient's coinsurance, the rest written down as CO-45, or denying every
// DenyEvery-th claim. Each CLP carries REF*9A (9C for a replacement or
// void) with our control number, as a payer echoes the repriced claim
// reference. The remittances balance (remit.Remittance.ComputeTotals);
// write them with remit.Write. It is the demo's TPA and a test fixture:
// synthetic amounts, nothing adjudicated.
func PayClaims(claims []store.Claim, o PayOptions) []remit.Remittance {
	byPayee := map[string][]store.Claim{}
	var payees []string
	for _, c := range claims {
		k := "XX " + c.BillingNPI
		if c.BillingNPI == "" {
			k = "FI " + c.BillingTIN
		}
		if byPayee[k] == nil {
			payees = append(payees, k)
		}
		byPayee[k] = append(byPayee[k], c)
	}
	sort.Strings(payees)
	date := o.Date.Format("20060102")
	orig := o.Payer.ID
	if len(orig) < 9 {
		orig = strings.Repeat("0", 9-len(orig)) + orig
	}
	var out []remit.Remittance
	n := 0
	for i, k := range payees {
		qual, id, _ := strings.Cut(k, " ")
		r := remit.Remittance{
			Payment:        remit.Payment{Handling: "I", CreditDebit: "C", Method: "ACH", Date: date},
			Trace:          remit.Trace{Type: "1", Number: fmt.Sprintf("%s%04d", o.TracePrefix, i+1), Originator: "1" + orig},
			ProductionDate: date,
			Payer:          o.Payer,
			Payee:          remit.Payee{Name: "PROVIDER " + id, IDQualifier: qual, ID: id},
		}
		g := &remit.Group{Number: 1}
		for _, c := range byPayee[k] {
			n++
			g.Claims = append(g.Claims, payClaim(c, o, o.DenyEvery > 0 && n%o.DenyEvery == 0))
		}
		r.Groups = []*remit.Group{g}
		r.ComputeTotals()
		if r.Payment.Amount > 0 {
			r.Payment.Handling = "C"
		} else {
			r.Payment.Handling, r.Payment.Method = "H", "NON"
		}
		out = append(out, r)
	}
	return out
}

func payClaim(c store.Claim, o PayOptions, deny bool) *remit.Claim {
	rc := &remit.Claim{PatientControlNumber: c.CLM01, Status: "1", Charge: c.BilledCents, FilingIndicator: "12",
		PayerClaimControlNumber: "ICN" + c.ControlNumber, Frequency: c.Frequency,
		Patient:       &remit.Party{Entity: "QC", Type: "1", LastOrOrg: c.PatientLast, First: c.PatientFirst, IDQualifier: "MI", ID: c.MemberID},
		StatementFrom: c.ServiceFrom, StatementTo: c.ServiceTo}
	if rc.Frequency == "" {
		rc.Frequency = "1"
	}
	ref := "9A"
	if c.Frequency == "7" || c.Frequency == "8" {
		ref = "9C"
	}
	rc.Refs = []remit.Ref{{Qualifier: ref, Value: c.ControlNumber}}
	if deny {
		rc.Status = "4"
		rc.Adjustments = []remit.Adjustment{{Group: "CO", Reasons: []remit.Reason{{Code: "204", Amount: c.BilledCents}}}}
		rc.Outpatient = &remit.Outpatient{Remarks: []string{"N130"}}
		return rc
	}
	if len(c.Lines) == 0 {
		allowed := c.BilledCents * 8 / 10
		if c.AllowedCents != nil {
			allowed = min(*c.AllowedCents, c.BilledCents)
		}
		rc.Adjustments = shares(c.BilledCents, allowed, o.CoinsurancePercent)
		return rc
	}
	var lineCharges int64
	for _, l := range c.Lines {
		allowed := l.ChargeCents * 8 / 10
		if l.AllowedCents != nil {
			allowed = min(*l.AllowedCents, l.ChargeCents)
		}
		lineCharges += l.ChargeCents
		rl := &remit.Line{Procedure: remit.Procedure{Qualifier: "HC", Code: l.Code}, Charge: l.ChargeCents,
			Units: l.Units, HasUnits: l.Units > 0, Adjustments: shares(l.ChargeCents, allowed, o.CoinsurancePercent),
			Amounts: []remit.Amount{{Qualifier: "B6", Amount: allowed}}}
		if c.ClaimType == "I" {
			rl.Procedure.Qualifier = "HC"
			rl.RevenueCode = l.RevenueCode
			if l.Code == "" {
				rl.Procedure = remit.Procedure{Qualifier: "NU", Code: l.RevenueCode}
				rl.RevenueCode = ""
			}
		}
		if l.Modifiers != "" {
			rl.Procedure.Modifiers = strings.Split(l.Modifiers, ":")
		}
		if l.ServiceFrom != "" && (l.ServiceTo == "" || l.ServiceTo == l.ServiceFrom) {
			rl.ServiceDate = l.ServiceFrom
		} else if l.ServiceFrom != "" {
			rl.ServiceFrom, rl.ServiceTo = l.ServiceFrom, l.ServiceTo
		}
		if allowed < l.ChargeCents {
			rl.Remarks = []remit.Remark{{Qualifier: "HE", Code: "N381"}}
		}
		rc.Lines = append(rc.Lines, rl)
	}
	// The lines' charges normally add up to the claim's; if not, the
	// difference is a claim-level write-down so that the claim balances.
	if d := c.BilledCents - lineCharges; d != 0 {
		rc.Adjustments = []remit.Adjustment{{Group: "CO", Reasons: []remit.Reason{{Code: "45", Amount: d}}}}
	}
	return rc
}

// shares splits a charge into CO-45 (charge − allowed) and PR-2
// (coinsurance percent of allowed).
func shares(charge, allowed, coinsurance int64) []remit.Adjustment {
	var as []remit.Adjustment
	if w := charge - allowed; w != 0 {
		as = append(as, remit.Adjustment{Group: "CO", Reasons: []remit.Reason{{Code: "45", Amount: w}}})
	}
	if pr := allowed * coinsurance / 100; pr != 0 {
		as = append(as, remit.Adjustment{Group: "PR", Reasons: []remit.Reason{{Code: "2", Amount: pr}}})
	}
	return as
}
