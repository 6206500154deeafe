package remittance

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// EOP is a human-readable explanation of payment: the payment (payer,
// payee, method, amount, date, trace) and, per claim, the patient, the
// service lines with billed, allowed and paid amounts and the
// adjustments, with a description of every code used. Build it with
// NewEOP and write it with WriteHTML or WritePDF. It holds PHI (patient
// names, member IDs): write it only where the operator asked.
type EOP struct {
	// Generated is when the document was made (shown in its footer).
	Generated time.Time
	// Payer, Payee and Payment come from the remittance of the first
	// claim (a claim's history may span several remittances: each claim
	// names its own payment date and trace).
	Payer   Party
	Payee   Party
	Payment Payment
	Claims  []EOPClaim
	// Codes describes every group, CARC and RARC the claims use, in
	// order of kind and code.
	Codes []Code
}

// Party is a payer or payee: name and identifiers.
type Party struct {
	Name string
	ID   string // payer ID, or payee NPI
	TIN  string // payee tax ID
}

// Payment is the BPR/TRN of a remittance.
type Payment struct {
	RemittanceID int64
	Method       string // BPR04 with its description
	AmountCents  int64
	CreditDebit  string
	Date         string // YYYY-MM-DD
	Trace        string
	// Notice is set for a notification without payment (BPR01 H).
	Notice bool
}

// EOPClaim is one claim payment.
type EOPClaim struct {
	// ControlNumber is our claim control number ("" when unmatched).
	ControlNumber    string
	CLP01            string
	PayerClaimNumber string
	Status           string // CLP02 with its description
	Outcome          string
	Patient          string
	MemberID         string
	Period           string // statement dates
	RemittanceID     int64
	PaymentDate      string
	Trace            string
	ChargeCents      int64
	AllowedCents     int64
	PaidCents        int64
	PatientCents     int64
	Adjustments      []EOPAdjustment // claim level
	Remarks          []string
	Lines            []EOPLine
}

// EOPLine is one service line.
type EOPLine struct {
	Date         string
	Procedure    string // code with modifiers
	Units        string
	ChargeCents  int64
	AllowedCents int64
	PaidCents    int64
	Adjustments  []EOPAdjustment
	Remarks      []string
}

// EOPAdjustment is one CAS reason.
type EOPAdjustment struct {
	Group       string
	Reason      string
	AmountCents int64
}

// Code is a code the document uses and its description.
type Code struct {
	Kind string // "Group", "CARC" or "RARC"
	Code string
	Text string
}

// NewEOP builds the explanation of the claims cs (with their lines). head
// gives the remittance of each claim (by RemittanceID); controls our
// control number of each matched claim (by claim ID).
func NewEOP(head map[int64]*store.Remittance, cs []store.RemitClaim, controls map[int64]string, now time.Time) (*EOP, error) {
	if len(cs) == 0 {
		return nil, fmt.Errorf("remittance: explanation of payment: no claim payments")
	}
	first := head[cs[0].RemittanceID]
	if first == nil {
		return nil, fmt.Errorf("remittance: explanation of payment: remittance %d not given", cs[0].RemittanceID)
	}
	e := &EOP{
		Generated: now.UTC(),
		Payer:     Party{Name: first.PayerName, ID: first.PayerID},
		Payee:     Party{Name: first.PayeeName, ID: first.PayeeNPI, TIN: first.PayeeTIN},
		Payment: Payment{RemittanceID: first.ID, Method: methodLabel(first.PaymentMethod), AmountCents: first.PaymentCents,
			CreditDebit: first.CreditDebit, Date: isoDate(first.PaymentDate), Trace: first.TraceNumber, Notice: first.Handling == "H"},
	}
	used := map[[2]string]bool{}
	use := func(kind, code string) {
		if code != "" {
			used[[2]string{kind, code}] = true
		}
	}
	adjs := func(as store.Adjustments) []EOPAdjustment {
		var out []EOPAdjustment
		for _, a := range as {
			out = append(out, EOPAdjustment{Group: a.Group, Reason: a.Reason, AmountCents: a.Amount})
			use("Group", a.Group)
			use("CARC", a.Reason)
		}
		return out
	}
	for _, c := range cs {
		h := head[c.RemittanceID]
		if h == nil {
			return nil, fmt.Errorf("remittance: explanation of payment: remittance %d not given", c.RemittanceID)
		}
		ec := EOPClaim{
			CLP01: c.CLP01, PayerClaimNumber: c.PayerClaimNumber, Status: c.Status + " " + StatusText(c.Status),
			Outcome: string(c.Outcome), Patient: strings.TrimSpace(c.PatientFirst + " " + c.PatientLast), MemberID: c.MemberID,
			Period: period(c.StatementFrom, c.StatementTo), RemittanceID: h.ID, PaymentDate: isoDate(h.PaymentDate),
			Trace: h.TraceNumber, ChargeCents: c.ChargeCents, PaidCents: c.PaidCents, PatientCents: c.PatientRespCents,
			Adjustments: adjs(c.Adjustments), Remarks: c.RemarkList(),
		}
		if c.ClaimID != nil {
			ec.ControlNumber = controls[*c.ClaimID]
		}
		for _, r := range ec.Remarks {
			use("RARC", r)
		}
		// Allowed: AMT*B6 where the payer sent it, else what the payer and
		// the patient pay together (the charge less every adjustment not
		// left to the patient).
		ec.AllowedCents = c.ChargeCents - c.Adjustments.Total("") + c.Adjustments.Total("PR")
		lineAllowed := int64(0)
		for _, l := range c.Lines {
			el := EOPLine{Date: period(l.ServiceFrom, l.ServiceTo), Procedure: procedure(l), Units: units(l.Units),
				ChargeCents: l.ChargeCents, PaidCents: l.PaidCents, Adjustments: adjs(l.Adjustments), Remarks: l.RemarkList()}
			if l.AllowedCents != nil {
				el.AllowedCents = *l.AllowedCents
			} else {
				el.AllowedCents = l.PaidCents + l.Adjustments.Total("PR")
			}
			lineAllowed += el.AllowedCents
			for _, r := range el.Remarks {
				use("RARC", r)
			}
			ec.Lines = append(ec.Lines, el)
		}
		if len(c.Lines) > 0 {
			ec.AllowedCents = lineAllowed - c.Adjustments.Total("") + c.Adjustments.Total("PR")
		}
		e.Claims = append(e.Claims, ec)
	}
	kinds := map[string]int{"Group": 0, "CARC": 1, "RARC": 2}
	for k := range used {
		var text string
		switch k[0] {
		case "Group":
			text = lookupOr(groupText, k[1])
		case "CARC":
			text = CARCText(k[1])
		default:
			text = RARCText(k[1])
		}
		e.Codes = append(e.Codes, Code{Kind: k[0], Code: k[1], Text: text})
	}
	sort.Slice(e.Codes, func(i, j int) bool {
		a, b := e.Codes[i], e.Codes[j]
		if a.Kind != b.Kind {
			return kinds[a.Kind] < kinds[b.Kind]
		}
		return codeLess(a.Code, b.Code)
	})
	return e, nil
}

// codeLess orders codes numerically when both are numbers.
func codeLess(a, b string) bool {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return len(a) < len(b)
	}
	return a < b
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

func methodLabel(m string) string {
	if m == "" {
		return ""
	}
	return m + " " + lookupOr(methodText, m)
}

func procedure(l store.RemitLine) string {
	p := l.ProcedureCode
	if l.Modifiers != "" {
		p += "-" + strings.ReplaceAll(l.Modifiers, ":", "-")
	}
	if l.RevenueCode != "" {
		p = strings.TrimPrefix(p+" rev "+l.RevenueCode, " ")
	}
	return p
}

func units(milli int64) string {
	if milli == 0 {
		return ""
	}
	if milli%1000 == 0 {
		return fmt.Sprint(milli / 1000)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%03d", milli/1000, milli%1000), "0"), ".")
}

// isoDate turns CCYYMMDD into YYYY-MM-DD ("" stays "").
func isoDate(d string) string {
	if len(d) != 8 {
		return d
	}
	return d[:4] + "-" + d[4:6] + "-" + d[6:]
}

func period(from, to string) string {
	switch {
	case from == "" && to == "":
		return ""
	case to == "" || to == from:
		return isoDate(from)
	case from == "":
		return isoDate(to)
	}
	return isoDate(from) + " to " + isoDate(to)
}

// Money formats cents as dollars with two decimals ("-12.50").
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := fmt.Sprint(cents / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s%s.%02d", sign, whole, cents%100)
}

// String returns the adjustment as "CO-45 12.00".
func (a EOPAdjustment) String() string {
	return a.Group + "-" + a.Reason + " " + Money(a.AmountCents)
}
