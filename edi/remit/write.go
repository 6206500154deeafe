package remit

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Code lists the writer checks.
var (
	handlingCodes  = []string{"C", "D", "H", "I", "P", "U", "X"}
	methodCodes    = []string{"ACH", "BOP", "CHK", "FWT", "NON"}
	formatCodes    = []string{"CCP", "CTX"}
	dfiQualifiers  = []string{"01", "04"}
	statusCodes    = []string{"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"}
	filingCodes    = []string{"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
	groupCodes     = []string{"CO", "OA", "PI", "PR"}
	payeeIDQuals   = []string{"FI", "XV", "XX"}
	payerRefQuals  = []string{"2U", "EO", "HI", "NF"}
	payeeRefQuals  = []string{"0B", "D3", "PQ", "TJ"}
	claimRefQuals  = []string{"1L", "1W", "28", "6P", "9A", "9C", "BB", "CE", "EA", "F8", "G1", "G3", "IG", "SY"}
	claimRendQuals = []string{"0B", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "D3", "G2", "LU"}
	lineIDQuals    = []string{"1S", "APC", "BB", "E9", "G1", "G3", "LU", "RB"}
	lineRendQuals  = []string{"0B", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "D3", "G2", "HPI", "SY", "TJ"}
	claimAmtQuals  = []string{"AU", "D8", "DY", "F5", "I", "NL", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO"}
	lineAmtQuals   = []string{"B6", "KH", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO"}
	claimQtyQuals  = []string{"CA", "CD", "LA", "LE", "NE", "NR", "OU", "PS", "VS", "ZK", "ZL", "ZM", "ZN", "ZO"}
	lineQtyQuals   = []string{"ZK", "ZL", "ZM", "ZN", "ZO"}
	procQuals      = []string{"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "UI", "WK"}
	remarkQuals    = []string{"HE", "RX"}
	plbReasons     = []string{"50", "51", "72", "90", "AH", "AM", "AP", "B2", "B3", "BD", "BN", "C5", "CR", "CS",
		"CT", "CV", "CW", "DM", "E3", "FB", "FC", "GO", "HM", "IP", "IR", "IS", "J1", "L3", "L6", "LE", "LS",
		"OA", "OB", "PI", "PL", "RA", "RE", "SL", "TL", "WO", "WU"}
	contactOrder = []string{"CX", "BL", "IC"}
	// partyRules are, per NM101 of loop 2100, the NM102 and NM108 codes.
	partyRules = map[string]struct{ types, quals []string }{
		"QC": {[]string{"1"}, []string{"34", "HN", "II", "MI", "MR"}},
		"IL": {[]string{"1", "2"}, []string{"FI", "II", "MI"}},
		"74": {[]string{"1", "2"}, []string{"C"}},
		"82": {[]string{"1", "2"}, []string{"BD", "BS", "FI", "MC", "PC", "SL", "UP", "XX"}},
		"TT": {[]string{"2"}, []string{"AD", "FI", "NI", "PI", "PP", "XV"}},
		"PR": {[]string{"2"}, []string{"AD", "FI", "NI", "PI", "PP", "XV"}},
		"GB": {[]string{"1", "2"}, []string{"FI", "II", "MI"}},
	}
)

// Write writes rs as one interchange holding one functional group (GS01
// HP, GS08 005010X221A1) with one 835 transaction set per Remittance,
// numbered out.SetControl (default 1), out.SetControl+1, ... (ST02 at
// least four digits, zero-filled).
//
// out addresses and numbers the interchange as for the 277CA (see
// ack.OutboundEnvelope): Control (ISA13), GroupControl (GS06), Time,
// SenderID and ReceiverID are required; qualifiers default to ZZ, GS02/
// GS03 to the ISA IDs, Usage to P. SE01, GE01 and IEA01 are counted here.
//
// Every value is checked before anything is written, the balancing rules
// included (see CheckBalance; ComputeTotals derives the paid amounts and
// BPR02 from the charges and adjustments): the error then joins one
// *FieldError per problem, naming positions, never values. The output
// passes validate.Run with no finding. Delimiters are out.Delimiters
// (default * ^ : ~) unless an identifier or code being written contains
// one; then ack.PickDelimiters chooses another, so identifiers are never
// altered. Names are not considered: a delimiter in a name becomes a
// space (ack.Scrub).
func Write(w io.Writer, rs []Remittance, out ack.OutboundEnvelope) error {
	env, err := resolveEnvelope(out, len(rs))
	if err != nil {
		return fmt.Errorf("write 835: %w", err)
	}
	if err := Check(rs); err != nil {
		return fmt.Errorf("write 835: %w", err)
	}
	ids := env.Values()
	for i := range rs {
		ids = identifiers(ids, &rs[i])
	}
	d, ok := ack.PickDelimiters(out.Delimiters, ids...)
	if !ok {
		if d, ok = ack.PickDelimiters(out.Delimiters, env.Values()...); !ok {
			return fmt.Errorf("write 835: no usable delimiters for the interchange parties")
		}
	}
	xw := x12.NewWriter(w, d)
	xw.Suffix = out.Suffix
	sw := &setWriter{xw: xw, d: d}
	env.Begin(xw, FunctionalID, Version)
	for i := range rs {
		sw.set(&rs[i], env.SetControl(i))
	}
	env.End(xw, len(rs))
	if err := xw.Flush(); err != nil {
		return fmt.Errorf("write 835: %w", err)
	}
	return nil
}

// Check checks every value Write would write, and the balancing, and
// returns nil or the joined *FieldErrors.
func Check(rs []Remittance) error {
	if len(rs) == 0 {
		return &FieldError{Field: "[]Remittance", Err: ErrEmpty}
	}
	k := &checker{}
	for i := range rs {
		k.remit, k.claim, k.line, k.plb = i+1, 0, 0, 0
		k.remittance(&rs[i])
	}
	return errors.Join(k.errs...)
}

func (k *checker) remittance(r *Remittance) {
	p := &r.Payment
	k.code("Payment.Handling", "BPR01", p.Handling, handlingCodes, true)
	if p.Amount < 0 {
		k.fail("Payment.Amount", "BPR02", fmt.Errorf("%w: negative; use CreditDebit D", ErrInvalid))
	}
	k.code("Payment.CreditDebit", "BPR03", p.CreditDebit, []string{"C", "D"}, true)
	k.code("Payment.Method", "BPR04", p.Method, methodCodes, true)
	if p.Handling == "H" && p.Method != "NON" {
		k.fail("Payment.Method", "BPR04", fmt.Errorf("%w: a notification (BPR01 H) is sent with BPR04 NON", ErrInvalid))
	}
	k.code("Payment.Format", "BPR05", p.Format, formatCodes, false)
	k.bank("Sender", "BPR06", p.SenderDFIQualifier, p.SenderDFI, p.SenderAccountQualifier, p.SenderAccount)
	k.bank("Receiver", "BPR12", p.ReceiverDFIQualifier, p.ReceiverDFI, p.ReceiverAccountQualifier, p.ReceiverAccount)
	if p.OriginatorID != "" && len(p.OriginatorID) != 10 {
		k.fail("Payment.OriginatorID", "BPR10", fmt.Errorf("%w: length must be 10", ErrInvalid))
	}
	if p.OriginatorSupplemental != "" && len(p.OriginatorSupplemental) != 9 {
		k.fail("Payment.OriginatorSupplemental", "BPR11", fmt.Errorf("%w: length must be 9", ErrInvalid))
	}
	k.date("Payment.Date", "BPR16", p.Date, true)

	k.code("Trace.Type", "TRN01", r.Trace.Type, []string{"1"}, false)
	k.text("Trace.Number", "TRN02", r.Trace.Number, 1, 50, true)
	k.text("Trace.Originator", "TRN03", r.Trace.Originator, 10, 10, true)
	k.text("Trace.Supplemental", "TRN04", r.Trace.Supplemental, 1, 50, false)
	if r.Currency != "" && len(r.Currency) != 3 {
		k.fail("Currency", "CUR02", fmt.Errorf("%w: length must be 3", ErrInvalid))
	}
	k.text("ReceiverID", "REF02 (EV)", r.ReceiverID, 1, 50, false)
	k.text("VersionID", "REF02 (F2)", r.VersionID, 1, 50, false)
	k.date("ProductionDate", "DTM02 (405)", r.ProductionDate, false)

	// 1000A payer.
	py := &r.Payer
	k.text("Payer.Name", "1000A N102", py.Name, 1, 60, true)
	if py.ID != "" || py.IDQualifier != "" {
		k.code("Payer.IDQualifier", "1000A N103", py.IDQualifier, []string{"XV"}, true)
		k.text("Payer.ID", "1000A N104", py.ID, 2, 80, true)
	}
	k.address("Payer.Address", "1000A", &py.Address, true)
	k.refs("Payer.Refs", "1000A REF", py.Refs, payerRefQuals)
	bl := 0
	for _, c := range py.Contacts {
		k.contact("Payer.Contacts", "1000A PER", c)
		if c.Function == "BL" {
			bl++
		}
	}
	if bl == 0 {
		k.fail("Payer.Contacts", "1000A PER (BL)", fmt.Errorf("%w: the guide requires a technical contact (Function BL)", ErrMissing))
	}

	// 1000B payee.
	pe := &r.Payee
	k.text("Payee.Name", "1000B N102", pe.Name, 1, 60, true)
	k.code("Payee.IDQualifier", "1000B N103", pe.IDQualifier, payeeIDQuals, true)
	k.text("Payee.ID", "1000B N104", pe.ID, 2, 80, true)
	switch {
	case pe.IDQualifier == "XX" && pe.ID != "" && !schema.ValidNPI(pe.ID):
		k.fail("Payee.ID", "1000B N104", fmt.Errorf("%w: not an NPI (10 digits with check digit)", ErrInvalid))
	case pe.IDQualifier == "FI" && pe.ID != "" && !digits(pe.ID, 9):
		k.fail("Payee.ID", "1000B N104", fmt.Errorf("%w: a TIN is 9 digits", ErrInvalid))
	}
	k.address("Payee.Address", "1000B", &pe.Address, false)
	k.refs("Payee.Refs", "1000B REF", pe.Refs, payeeRefQuals)
	if d := pe.Delivery; d != nil {
		k.code("Payee.Delivery.Method", "RDM01", d.Method, []string{"BM", "EM", "FT", "OL"}, true)
		k.text("Payee.Delivery.Name", "RDM02", d.Name, 1, 60, false)
		k.text("Payee.Delivery.Number", "RDM03", d.Number, 1, 256, false)
	}

	for gi, g := range r.Groups {
		if g == nil {
			k.fail(fmt.Sprintf("Groups[%d]", gi), "2000", ErrMissing)
			continue
		}
		if g.Number < 0 || g.Number > 999999 {
			k.fail(fmt.Sprintf("Groups[%d].Number", gi), "2000 LX01", fmt.Errorf("%w: 1 to 999999 (0 numbers the groups 1, 2, ...)", ErrInvalid))
		}
		if s := g.Summary; s != nil {
			k.text("Group.Summary.ProviderID", "TS301", s.ProviderID, 1, 50, true)
			k.text("Group.Summary.FacilityCode", "TS302", s.FacilityCode, 1, 2, true)
			k.date("Group.Summary.FiscalPeriodDate", "TS303", s.FiscalPeriodDate, true)
		}
		if len(g.Claims) == 0 {
			k.fail(fmt.Sprintf("Groups[%d].Claims", gi), "2100", fmt.Errorf("%w: a header number loop needs a claim", ErrEmpty))
		}
		for _, c := range g.Claims {
			k.claim++
			k.line = 0
			if c == nil {
				k.fail("Claim", "2100", ErrMissing)
				continue
			}
			k.claimPayment(c)
		}
	}
	k.claim, k.line = 0, 0
	for i := range r.Adjustments {
		k.plb = i + 1
		a := &r.Adjustments[i]
		k.text("ProviderAdjustment.ProviderID", "PLB01", a.ProviderID, 1, 50, true)
		k.date("ProviderAdjustment.FiscalPeriodDate", "PLB02", a.FiscalPeriodDate, true)
		if len(a.Items) == 0 {
			k.fail("ProviderAdjustment.Items", "PLB03", ErrMissing)
		}
		if len(a.Items) > 6 {
			k.fail("ProviderAdjustment.Items", "PLB03..PLB14", fmt.Errorf("%w: at most 6 per PLB", ErrTooMany))
		}
		for _, it := range a.Items {
			k.code("PLBItem.Reason", "PLB03-1", it.Reason, plbReasons, true)
			k.text("PLBItem.Reference", "PLB03-2", it.Reference, 1, 50, false)
		}
	}
	k.plb = 0
	if k.clean() {
		k.balance(r)
	}
}

// clean reports whether no error was recorded for the current remittance
// (balancing is checked only on well-formed input).
func (k *checker) clean() bool {
	for _, e := range k.errs {
		var fe *FieldError
		if errors.As(e, &fe) && fe.Remittance == k.remit {
			return false
		}
	}
	return true
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// bank checks a DFI qualifier/number and account qualifier/number set
// (BPR06..09 or BPR12..15): pairs travel together (P0607, C0809).
func (k *checker) bank(who, elem, dq, dfi, aq, acct string) {
	f := "Payment." + who
	k.code(f+"DFIQualifier", elem, dq, dfiQualifiers, dfi != "")
	k.text(f+"DFI", elem, dfi, 3, 12, dq != "")
	k.code(f+"AccountQualifier", elem, aq, []string{"DA", "SG"}, false)
	k.text(f+"Account", elem, acct, 1, 35, aq != "")
	if who == "Sender" && aq == "SG" {
		k.fail(f+"AccountQualifier", elem, fmt.Errorf("%w: the sender account qualifier is DA", ErrInvalid))
	}
}

func (k *checker) address(field, loop string, a *Address, required bool) {
	if !required && *a == (Address{}) {
		return
	}
	k.text(field+".Line1", loop+" N301", a.Line1, 1, 55, true)
	k.text(field+".Line2", loop+" N302", a.Line2, 1, 55, false)
	k.text(field+".City", loop+" N401", a.City, 2, 30, true)
	k.text(field+".State", loop+" N402", a.State, 2, 2, false)
	k.text(field+".PostalCode", loop+" N403", a.PostalCode, 3, 15, false)
	k.text(field+".Country", loop+" N404", a.Country, 2, 3, false)
	k.text(field+".Subdivision", loop+" N407", a.Subdivision, 1, 3, false)
	if a.State != "" && a.Country != "" {
		k.fail(field+".Country", loop+" N404", fmt.Errorf("%w: N402 and N404 exclude each other (a US address has no country)", ErrInvalid))
	}
}

func (k *checker) refs(field, elem string, refs []Ref, quals []string) {
	for _, r := range refs {
		k.code(field+".Qualifier", elem+"01", r.Qualifier, quals, true)
		k.text(field+".Value", elem+"02", r.Value, 1, 50, true)
	}
}

func (k *checker) contact(field, elem string, c Contact) {
	k.code(field+".Function", elem+"01", c.Function, contactOrder, true)
	k.text(field+".Name", elem+"02", c.Name, 1, 60, false)
	if len(c.Numbers) > 3 {
		k.fail(field+".Numbers", elem+"03..08", fmt.Errorf("%w: at most 3", ErrTooMany))
	}
	if c.Function == "IC" && (len(c.Numbers) != 1 || c.Numbers[0].Qualifier != "UR" || c.Name != "") {
		k.fail(field+".Numbers", elem+"03", fmt.Errorf("%w: a web site contact (IC) is one UR number and no name", ErrInvalid))
	}
	if c.Function != "IC" && c.Name == "" && len(c.Numbers) == 0 {
		k.fail(field+".Name", elem+"02", fmt.Errorf("%w: a name or a number", ErrMissing))
	}
	for i, n := range c.Numbers {
		quals := []string{"EM", "EX", "FX", "TE", "UR"}
		if i == 0 {
			quals = []string{"EM", "FX", "TE", "UR"}
		}
		if c.Function == "CX" {
			quals = slices.DeleteFunc(slices.Clone(quals), func(q string) bool { return q == "UR" })
		}
		k.code(field+".Qualifier", elem+"03", n.Qualifier, quals, true)
		k.text(field+".Number", elem+"04", n.Number, 1, 256, true)
	}
}

func (k *checker) adjustments(field, elem string, adjs []Adjustment) {
	if len(adjs) > 99 {
		k.fail(field, elem, fmt.Errorf("%w: at most 99 CAS segments", ErrTooMany))
	}
	for _, a := range adjs {
		k.code(field+".Group", elem+"01", a.Group, groupCodes, true)
		if len(a.Reasons) == 0 {
			k.fail(field+".Reasons", elem+"02", ErrMissing)
		}
		if len(a.Reasons) > 6 {
			k.fail(field+".Reasons", elem+"02..19", fmt.Errorf("%w: at most 6 per CAS", ErrTooMany))
		}
		for _, r := range a.Reasons {
			k.text(field+".Reason.Code", elem+"02", r.Code, 1, 5, true)
		}
	}
}

func (k *checker) party(field string, p *Party, entity string) {
	if p == nil {
		return
	}
	rules := partyRules[entity]
	if p.Entity != "" && p.Entity != entity {
		k.fail(field+".Entity", "2100 NM101", fmt.Errorf("%w: must be %s or empty", ErrInvalid, entity))
	}
	k.code(field+".Type", "2100 NM102", p.Type, rules.types, true)
	org := entity == "TT" || entity == "PR"
	k.text(field+".LastOrOrg", "2100 NM103", p.LastOrOrg, 1, 60, org)
	if p.Type == "2" && (p.First != "" || p.Middle != "" || p.Suffix != "") {
		k.fail(field+".First", "2100 NM104", fmt.Errorf("%w: an organization (NM102 2) has no first, middle name or suffix", ErrInvalid))
	}
	k.text(field+".First", "2100 NM104", p.First, 1, 35, false)
	k.text(field+".Middle", "2100 NM105", p.Middle, 1, 25, false)
	k.text(field+".Suffix", "2100 NM107", p.Suffix, 1, 10, false)
	idReq := entity == "IL" || entity == "82" || entity == "TT" || entity == "PR"
	k.code(field+".IDQualifier", "2100 NM108", p.IDQualifier, rules.quals, idReq || p.ID != "")
	k.text(field+".ID", "2100 NM109", p.ID, 2, 80, idReq || p.IDQualifier != "")
	if !org && p.LastOrOrg == "" && p.ID == "" {
		k.fail(field+".LastOrOrg", "2100 NM103", fmt.Errorf("%w: a name or an ID", ErrMissing))
	}
}

func (k *checker) claimPayment(c *Claim) {
	k.text("Claim.PatientControlNumber", "2100 CLP01", c.PatientControlNumber, 1, 38, true)
	k.code("Claim.Status", "2100 CLP02", c.Status, statusCodes, true)
	k.code("Claim.FilingIndicator", "2100 CLP06", c.FilingIndicator, filingCodes, true)
	k.text("Claim.PayerClaimControlNumber", "2100 CLP07", c.PayerClaimControlNumber, 1, 50, true)
	k.text("Claim.Facility", "2100 CLP08", c.Facility, 1, 2, false)
	k.text("Claim.Frequency", "2100 CLP09", c.Frequency, 1, 1, false)
	k.text("Claim.DRG", "2100 CLP11", c.DRG, 1, 4, false)
	k.number("Claim.DRGWeight", "2100 CLP12", c.DRGWeight, 15)
	k.number("Claim.DischargeFraction", "2100 CLP13", c.DischargeFraction, 10)
	k.adjustments("Claim.Adjustments", "2100 CAS", c.Adjustments)
	if c.Patient == nil {
		k.fail("Claim.Patient", "2100 NM1 (QC)", ErrMissing)
	}
	k.party("Claim.Patient", c.Patient, "QC")
	k.party("Claim.Insured", c.Insured, "IL")
	k.party("Claim.CorrectedInsured", c.CorrectedInsured, "74")
	k.party("Claim.Rendering", c.Rendering, "82")
	k.party("Claim.Crossover", c.Crossover, "TT")
	k.party("Claim.CorrectedPayer", c.CorrectedPayer, "PR")
	k.party("Claim.OtherSubscriber", c.OtherSubscriber, "GB")
	if c.Inpatient != nil && c.Outpatient != nil {
		k.fail("Claim.Outpatient", "2100 MOA", fmt.Errorf("%w: a claim has MIA (inpatient) or MOA (outpatient), not both", ErrInvalid))
	}
	if m := c.Inpatient; m != nil {
		if len(m.Remarks) > 5 {
			k.fail("Claim.Inpatient.Remarks", "2100 MIA05/20..23", fmt.Errorf("%w: at most 5", ErrTooMany))
		}
		for key := range m.Amounts {
			if !slices.Contains(miaAmountKeys, key) {
				k.fail("Claim.Inpatient.Amounts", "2100 MIA", fmt.Errorf("%w: key not one of MIA06..MIA19, MIA24", ErrInvalid))
			}
		}
	}
	if m := c.Outpatient; m != nil {
		if len(m.Remarks) > 5 {
			k.fail("Claim.Outpatient.Remarks", "2100 MOA03..07", fmt.Errorf("%w: at most 5", ErrTooMany))
		}
		k.number("Claim.Outpatient.ReimbursementRate", "2100 MOA01", m.ReimbursementRate, 10)
		for _, rm := range m.Remarks {
			k.text("Claim.Outpatient.Remarks", "2100 MOA03", rm, 1, 50, true)
		}
	}
	var other, rend int
	for _, r := range c.Refs {
		switch {
		case slices.Contains(claimRefQuals, r.Qualifier):
			other++
		case slices.Contains(claimRendQuals, r.Qualifier):
			rend++
		default:
			k.fail("Claim.Refs.Qualifier", "2100 REF01", fmt.Errorf("%w: not a 2100 REF qualifier", ErrInvalid))
		}
		k.text("Claim.Refs.Value", "2100 REF02", r.Value, 1, 50, true)
	}
	if other > 5 || rend > 10 {
		k.fail("Claim.Refs", "2100 REF", fmt.Errorf("%w: at most 5 claim IDs and 10 rendering provider IDs", ErrTooMany))
	}
	k.date("Claim.StatementFrom", "2100 DTM02 (232)", c.StatementFrom, false)
	k.date("Claim.StatementTo", "2100 DTM02 (233)", c.StatementTo, false)
	k.date("Claim.CoverageExpiration", "2100 DTM02 (036)", c.CoverageExpiration, false)
	k.date("Claim.Received", "2100 DTM02 (050)", c.Received, false)
	if len(c.Contacts) > 2 {
		k.fail("Claim.Contacts", "2100 PER", fmt.Errorf("%w: at most 2", ErrTooMany))
	}
	for _, ct := range c.Contacts {
		if ct.Function != "CX" {
			k.fail("Claim.Contacts.Function", "2100 PER01", fmt.Errorf("%w: must be CX", ErrInvalid))
			continue
		}
		k.contact("Claim.Contacts", "2100 PER", ct)
		if len(ct.Numbers) == 0 {
			k.fail("Claim.Contacts.Numbers", "2100 PER03", ErrMissing)
		}
	}
	if len(c.Amounts) > 13 || len(c.Quantities) > 14 {
		k.fail("Claim.Amounts", "2100 AMT/QTY", fmt.Errorf("%w: at most 13 AMT and 14 QTY", ErrTooMany))
	}
	for _, a := range c.Amounts {
		k.code("Claim.Amounts.Qualifier", "2100 AMT01", a.Qualifier, claimAmtQuals, true)
	}
	for _, q := range c.Quantities {
		k.code("Claim.Quantities.Qualifier", "2100 QTY01", q.Qualifier, claimQtyQuals, true)
	}
	if len(c.Lines) > 999 {
		k.fail("Claim.Lines", "2110", fmt.Errorf("%w: at most 999", ErrTooMany))
	}
	for li, l := range c.Lines {
		k.line = li + 1
		if l == nil {
			k.fail("Line", "2110", ErrMissing)
			continue
		}
		k.serviceLine(l)
	}
	k.line = 0
}

var miaAmountKeys = []string{"MIA06", "MIA07", "MIA08", "MIA09", "MIA10", "MIA11", "MIA12", "MIA13", "MIA14",
	"MIA16", "MIA17", "MIA18", "MIA19", "MIA24"}

// number checks an optional R value written as given.
func (k *checker) number(field, elem, v string, maxDigits int) {
	if v == "" {
		return
	}
	n := 0
	dot := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			n++
		case c == '.' && !dot:
			dot = true
		case c == '-' && i == 0:
		default:
			k.fail(field, elem, fmt.Errorf("%w: not a decimal number", ErrInvalid))
			return
		}
	}
	if n == 0 || n > maxDigits {
		k.fail(field, elem, fmt.Errorf("%w: 1 to %d digits", ErrInvalid, maxDigits))
	}
}

func (k *checker) procedure(field, elem string, p *Procedure, quals []string) {
	k.code(field+".Qualifier", elem+"-1", p.Qualifier, quals, true)
	k.text(field+".Code", elem+"-2", p.Code, 1, 48, true)
	if len(p.Modifiers) > 4 {
		k.fail(field+".Modifiers", elem+"-3..6", fmt.Errorf("%w: at most 4", ErrTooMany))
	}
	for _, m := range p.Modifiers {
		k.text(field+".Modifiers", elem+"-3", m, 2, 2, true)
	}
	k.text(field+".Description", elem+"-7", p.Description, 1, 80, false)
}

func (k *checker) serviceLine(l *Line) {
	k.procedure("Line.Procedure", "2110 SVC01", &l.Procedure, procQuals)
	if l.Procedure.Description != "" {
		k.fail("Line.Procedure.Description", "2110 SVC01-7", fmt.Errorf("%w: not used in SVC01", ErrInvalid))
	}
	k.text("Line.RevenueCode", "2110 SVC04", l.RevenueCode, 1, 48, false)
	if l.OriginalProcedure != nil {
		k.procedure("Line.OriginalProcedure", "2110 SVC06", l.OriginalProcedure, slices.DeleteFunc(slices.Clone(procQuals),
			func(q string) bool { return q == "N6" || q == "UI" }))
	}
	if l.ServiceDate != "" && (l.ServiceFrom != "" || l.ServiceTo != "") {
		k.fail("Line.ServiceDate", "2110 DTM (472)", fmt.Errorf("%w: a service date or a from/to period, not both", ErrInvalid))
	}
	k.date("Line.ServiceDate", "2110 DTM02 (472)", l.ServiceDate, false)
	k.date("Line.ServiceFrom", "2110 DTM02 (150)", l.ServiceFrom, false)
	k.date("Line.ServiceTo", "2110 DTM02 (151)", l.ServiceTo, false)
	k.adjustments("Line.Adjustments", "2110 CAS", l.Adjustments)
	var ids, ctl, rend, pol int
	for _, r := range l.Refs {
		switch {
		case slices.Contains(lineIDQuals, r.Qualifier):
			ids++
		case r.Qualifier == "6R":
			ctl++
		case slices.Contains(lineRendQuals, r.Qualifier):
			rend++
		case r.Qualifier == "0K":
			pol++
		default:
			k.fail("Line.Refs.Qualifier", "2110 REF01", fmt.Errorf("%w: not a 2110 REF qualifier", ErrInvalid))
		}
		k.text("Line.Refs.Value", "2110 REF02", r.Value, 1, 50, true)
	}
	if ids > 8 || ctl > 1 || rend > 10 || pol > 5 {
		k.fail("Line.Refs", "2110 REF", fmt.Errorf("%w: at most 8 service IDs, one 6R, 10 rendering IDs, 5 0K", ErrTooMany))
	}
	if len(l.Amounts) > 9 || len(l.Quantities) > 6 || len(l.Remarks) > 99 {
		k.fail("Line.Amounts", "2110 AMT/QTY/LQ", fmt.Errorf("%w: at most 9 AMT, 6 QTY, 99 LQ", ErrTooMany))
	}
	for _, a := range l.Amounts {
		k.code("Line.Amounts.Qualifier", "2110 AMT01", a.Qualifier, lineAmtQuals, true)
	}
	for _, q := range l.Quantities {
		k.code("Line.Quantities.Qualifier", "2110 QTY01", q.Qualifier, lineQtyQuals, true)
	}
	for _, rm := range l.Remarks {
		k.code("Line.Remarks.Qualifier", "2110 LQ01", rm.Qualifier, remarkQuals, true)
		k.text("Line.Remarks.Code", "2110 LQ02", rm.Code, 1, 30, true)
	}
}

// identifiers appends the values of r that delimiters must avoid:
// everything but names and addresses.
func identifiers(v []string, r *Remittance) []string {
	p := &r.Payment
	v = append(v, p.SenderDFI, p.SenderAccount, p.ReceiverDFI, p.ReceiverAccount, p.OriginatorID,
		p.OriginatorSupplemental, r.Trace.Number, r.Trace.Originator, r.Trace.Supplemental, r.ReceiverID,
		r.VersionID, r.Payer.ID, r.Payee.ID)
	for _, x := range r.Payer.Refs {
		v = append(v, x.Value)
	}
	for _, x := range r.Payee.Refs {
		v = append(v, x.Value)
	}
	for c := range r.Claims() {
		v = append(v, c.PatientControlNumber, c.PayerClaimControlNumber, c.DRG)
		for _, pt := range []*Party{c.Patient, c.Insured, c.CorrectedInsured, c.Rendering, c.Crossover, c.CorrectedPayer, c.OtherSubscriber} {
			if pt != nil {
				v = append(v, pt.ID)
			}
		}
		for _, x := range c.Refs {
			v = append(v, x.Value)
		}
		for _, a := range c.Adjustments {
			for _, rs := range a.Reasons {
				v = append(v, rs.Code)
			}
		}
		if c.Outpatient != nil {
			v = append(v, c.Outpatient.Remarks...)
		}
		if c.Inpatient != nil {
			v = append(v, c.Inpatient.Remarks...)
		}
		for _, l := range c.Lines {
			v = append(v, l.Procedure.Code, l.RevenueCode)
			v = append(v, l.Procedure.Modifiers...)
			if l.OriginalProcedure != nil {
				v = append(v, l.OriginalProcedure.Code)
				v = append(v, l.OriginalProcedure.Modifiers...)
			}
			for _, x := range l.Refs {
				v = append(v, x.Value)
			}
			for _, a := range l.Adjustments {
				for _, rs := range a.Reasons {
					v = append(v, rs.Code)
				}
			}
			for _, rm := range l.Remarks {
				v = append(v, rm.Code)
			}
		}
	}
	for _, a := range r.Adjustments {
		v = append(v, a.ProviderID)
		for _, it := range a.Items {
			v = append(v, it.Reference)
		}
	}
	return v
}

// setWriter writes 835 transaction sets.
type setWriter struct {
	xw *x12.Writer
	d  x12.Delimiters
}

// v scrubs a value of the delimiters (names, addresses).
func (sw *setWriter) v(s string) string { return ack.Scrub(s, sw.d) }

func money(c int64) string { return x12.FormatCents(c) }

func qty(m int64) string { return string(x12.AppendMilli(nil, m)) }

func (sw *setWriter) set(r *Remittance, st02 string) {
	xw, v := sw.xw, sw.v
	xw.ResetCount()
	// The 835 guide does not use ST03 (GS08 names the convention).
	xw.Write("ST", "835", st02)
	p := &r.Payment
	xw.Write("BPR", p.Handling, money(p.Amount), p.CreditDebit, p.Method, p.Format,
		p.SenderDFIQualifier, p.SenderDFI, p.SenderAccountQualifier, p.SenderAccount, p.OriginatorID,
		p.OriginatorSupplemental, p.ReceiverDFIQualifier, p.ReceiverDFI, p.ReceiverAccountQualifier,
		p.ReceiverAccount, p.Date)
	xw.Write("TRN", orDefault(r.Trace.Type, "1"), r.Trace.Number, r.Trace.Originator, r.Trace.Supplemental)
	if r.Currency != "" {
		xw.Write("CUR", "PR", r.Currency)
	}
	if r.ReceiverID != "" {
		xw.Write("REF", "EV", r.ReceiverID)
	}
	if r.VersionID != "" {
		xw.Write("REF", "F2", r.VersionID)
	}
	if r.ProductionDate != "" {
		xw.Write("DTM", "405", r.ProductionDate)
	}

	xw.Write("N1", "PR", v(r.Payer.Name), r.Payer.IDQualifier, r.Payer.ID)
	sw.address(&r.Payer.Address)
	for _, x := range r.Payer.Refs {
		xw.Write("REF", x.Qualifier, x.Value)
	}
	for _, fn := range contactOrder {
		for _, c := range r.Payer.Contacts {
			if c.Function == fn {
				sw.contact(c)
			}
		}
	}
	xw.Write("N1", "PE", v(r.Payee.Name), r.Payee.IDQualifier, r.Payee.ID)
	sw.address(&r.Payee.Address)
	for _, x := range r.Payee.Refs {
		xw.Write("REF", x.Qualifier, x.Value)
	}
	if d := r.Payee.Delivery; d != nil {
		xw.Write("RDM", d.Method, v(d.Name), v(d.Number))
	}

	for gi, g := range r.Groups {
		n := g.Number
		if n == 0 {
			n = gi + 1
		}
		xw.Write("LX", strconv.Itoa(n))
		if s := g.Summary; s != nil {
			xw.Write("TS3", s.ProviderID, s.FacilityCode, s.FiscalPeriodDate, qty(s.ClaimCount), money(s.TotalCharge))
		}
		for _, c := range g.Claims {
			sw.claim(c)
		}
	}
	for _, a := range r.Adjustments {
		e := []string{a.ProviderID, a.FiscalPeriodDate}
		for _, it := range a.Items {
			e = append(e, xw.Composite(it.Reason, it.Reference), money(it.Amount))
		}
		xw.Write("PLB", e...)
	}
	xw.Write("SE", strconv.Itoa(xw.Count()+1), st02)
}

func (sw *setWriter) address(a *Address) {
	if *a == (Address{}) {
		return
	}
	v := sw.v
	sw.xw.Write("N3", v(a.Line1), v(a.Line2))
	sw.xw.Write("N4", v(a.City), v(a.State), v(a.PostalCode), v(a.Country), "", "", v(a.Subdivision))
}

func (sw *setWriter) contact(c Contact) {
	e := []string{c.Function, sw.v(c.Name)}
	for _, n := range c.Numbers {
		e = append(e, n.Qualifier, sw.v(n.Number))
	}
	sw.xw.Write("PER", e...)
}

func (sw *setWriter) adjustments(adjs []Adjustment) {
	for _, a := range adjs {
		e := []string{a.Group}
		for _, r := range a.Reasons {
			q := ""
			if r.HasQuantity {
				q = qty(r.Quantity)
			}
			e = append(e, r.Code, money(r.Amount), q)
		}
		sw.xw.Write("CAS", e...)
	}
}

func (sw *setWriter) party(p *Party, entity string) {
	if p == nil {
		return
	}
	v := sw.v
	sw.xw.Write("NM1", entity, p.Type, v(p.LastOrOrg), v(p.First), v(p.Middle), "", v(p.Suffix), p.IDQualifier, p.ID)
}

func (sw *setWriter) claim(c *Claim) {
	xw := sw.xw
	resp := ""
	if c.HasPatientResponsibility {
		resp = money(c.PatientResponsibility)
	}
	xw.Write("CLP", c.PatientControlNumber, c.Status, money(c.Charge), money(c.Paid), resp, c.FilingIndicator,
		c.PayerClaimControlNumber, c.Facility, c.Frequency, "", c.DRG, c.DRGWeight, c.DischargeFraction)
	sw.adjustments(c.Adjustments)
	sw.party(c.Patient, "QC")
	sw.party(c.Insured, "IL")
	sw.party(c.CorrectedInsured, "74")
	sw.party(c.Rendering, "82")
	sw.party(c.Crossover, "TT")
	sw.party(c.CorrectedPayer, "PR")
	sw.party(c.OtherSubscriber, "GB")
	if m := c.Inpatient; m != nil {
		e := make([]string, 24)
		e[0], e[1], e[2], e[3] = qty(m.CoveredDays), nonzero(m.PPSOperatingOutlier), qtyNonzero(m.LifetimePsychiatricDays), nonzero(m.DRGAmount)
		for i, rm := range m.Remarks {
			e[[]int{4, 19, 20, 21, 22}[i]] = rm
		}
		for key, a := range m.Amounts {
			pos, _ := strconv.Atoi(key[3:])
			e[pos-1] = money(a)
		}
		xw.Write("MIA", e...)
	}
	if m := c.Outpatient; m != nil {
		e := make([]string, 9)
		e[0], e[1], e[7], e[8] = m.ReimbursementRate, nonzero(m.HCPCSPayable), nonzero(m.ESRDPayment), nonzero(m.NonPayableProfessional)
		copy(e[2:7], m.Remarks)
		xw.Write("MOA", e...)
	}
	for _, quals := range [][]string{claimRefQuals, claimRendQuals} {
		for _, r := range c.Refs {
			if slices.Contains(quals, r.Qualifier) {
				xw.Write("REF", r.Qualifier, r.Value)
			}
		}
	}
	for _, d := range []struct{ q, v string }{{"232", c.StatementFrom}, {"233", c.StatementTo},
		{"036", c.CoverageExpiration}, {"050", c.Received}} {
		if d.v != "" {
			xw.Write("DTM", d.q, d.v)
		}
	}
	for _, ct := range c.Contacts {
		sw.contact(ct)
	}
	for _, a := range c.Amounts {
		xw.Write("AMT", a.Qualifier, money(a.Amount))
	}
	for _, q := range c.Quantities {
		xw.Write("QTY", q.Qualifier, qty(q.Quantity))
	}
	for _, l := range c.Lines {
		sw.line(l)
	}
}

func nonzero(c int64) string {
	if c == 0 {
		return ""
	}
	return money(c)
}

func qtyNonzero(m int64) string {
	if m == 0 {
		return ""
	}
	return qty(m)
}

func (sw *setWriter) procedure(p *Procedure) string {
	parts := []string{p.Qualifier, p.Code}
	mods := make([]string, 4)
	copy(mods, p.Modifiers)
	parts = append(parts, mods...)
	parts = append(parts, sw.v(p.Description))
	return sw.xw.Composite(parts...)
}

func (sw *setWriter) line(l *Line) {
	xw := sw.xw
	units := ""
	if l.HasUnits {
		units = qty(l.Units)
	}
	orig := ""
	if l.OriginalProcedure != nil {
		orig = sw.procedure(l.OriginalProcedure)
	}
	xw.Write("SVC", sw.procedure(&l.Procedure), money(l.Charge), money(l.Paid), l.RevenueCode, units, orig,
		qtyNonzero(l.OriginalUnits))
	for _, d := range []struct{ q, v string }{{"472", l.ServiceDate}, {"150", l.ServiceFrom}, {"151", l.ServiceTo}} {
		if d.v != "" {
			xw.Write("DTM", d.q, d.v)
		}
	}
	sw.adjustments(l.Adjustments)
	for _, keep := range []func(string) bool{
		func(q string) bool { return slices.Contains(lineIDQuals, q) },
		func(q string) bool { return q == "6R" },
		func(q string) bool { return slices.Contains(lineRendQuals, q) },
		func(q string) bool { return q == "0K" },
	} {
		for _, r := range l.Refs {
			if keep(r.Qualifier) {
				xw.Write("REF", r.Qualifier, r.Value)
			}
		}
	}
	for _, a := range l.Amounts {
		xw.Write("AMT", a.Qualifier, money(a.Amount))
	}
	for _, q := range l.Quantities {
		xw.Write("QTY", q.Qualifier, qty(q.Quantity))
	}
	for _, rm := range l.Remarks {
		xw.Write("LQ", rm.Qualifier, rm.Code)
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
