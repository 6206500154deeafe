package remit

import (
	"fmt"
	"strconv"

	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// builder turns schema events into the typed model. The streaming Decoder
// uses it with keep == false: a claim is handed over when complete and
// nothing of it is kept. The SetDecoder uses keep == true: every segment is
// cloned into the remittance (for Encode) and claims are linked into
// their groups.
type builder struct {
	keep  bool
	owned bool // segments are owned already: do not clone

	onClaim func(*ClaimContext) error
	onSet   func(*Remittance) error

	r       *Remittance
	group   *Group
	clm     *Claim
	line    *Line
	start   int64 // offset of the current claim's CLP
	lastEnd int64 // offset just past the last segment seen
	loop    string
}

// Segment identifiers as keys (x12.IDKey).
var (
	kAMT = x12.IDKey("AMT")
	kBPR = x12.IDKey("BPR")
	kCAS = x12.IDKey("CAS")
	kCLP = x12.IDKey("CLP")
	kCUR = x12.IDKey("CUR")
	kDTM = x12.IDKey("DTM")
	kLQ  = x12.IDKey("LQ")
	kLX  = x12.IDKey("LX")
	kMIA = x12.IDKey("MIA")
	kMOA = x12.IDKey("MOA")
	kN1  = x12.IDKey("N1")
	kN3  = x12.IDKey("N3")
	kN4  = x12.IDKey("N4")
	kNM1 = x12.IDKey("NM1")
	kPER = x12.IDKey("PER")
	kPLB = x12.IDKey("PLB")
	kQTY = x12.IDKey("QTY")
	kRDM = x12.IDKey("RDM")
	kREF = x12.IDKey("REF")
	kSE  = x12.IDKey("SE")
	kST  = x12.IDKey("ST")
	kSVC = x12.IDKey("SVC")
	kTRN = x12.IDKey("TRN")
	kTS3 = x12.IDKey("TS3")
)

func (b *builder) handle(e schema.Event) error {
	seg := e.Seg
	if seg == nil {
		return nil
	}
	id := x12.IDKey(seg.ID())
	if id == kST {
		if err := b.flush(seg); err != nil {
			return err
		}
		b.startSet(seg)
	}
	if b.r == nil {
		return nil
	}
	if b.clm != nil && !e.Unplaced && (e.Loop != "2100" && e.Loop != "2110" || e.NewLoop && e.Loop == "2100") {
		if err := b.finishClaim(seg.Offset - int64(len(seg.Leading()))); err != nil {
			return err
		}
	}
	if b.keep {
		s := seg
		if !b.owned {
			s = seg.Clone()
		}
		b.r.segs = append(b.r.segs, s)
		seg = s
	}
	if !e.Unplaced {
		b.apply(e, seg, id)
	}
	b.lastEnd = seg.Offset + int64(len(seg.Raw()))
	if !seg.Unterminated() {
		b.lastEnd++
	}
	if id == kSE && !e.Unplaced {
		return b.finishSet()
	}
	return nil
}

// flush finishes a claim and a set left open (no SE before the next ST or
// the end of the input); next is the segment that follows, or nil.
func (b *builder) flush(next *x12.Segment) error {
	if b.r == nil {
		return nil
	}
	if b.clm != nil {
		end := b.lastEnd
		if next != nil {
			end = next.Offset - int64(len(next.Leading()))
		}
		if err := b.finishClaim(end); err != nil {
			return err
		}
	}
	return b.finishSet()
}

func (b *builder) startSet(st *x12.Segment) {
	b.r = &Remittance{ControlNumber: st.String(2), ImplementationRef: st.String(3), Version: st.String(3)}
	b.group, b.clm, b.line = nil, nil, nil
}

func (b *builder) finishSet() error {
	r := b.r
	b.r, b.group, b.clm, b.line = nil, nil, nil, nil
	if b.onSet != nil && r != nil {
		return b.onSet(r)
	}
	return nil
}

func (b *builder) finishClaim(end int64) error {
	c := b.clm
	b.clm, b.line = nil, nil
	if b.onClaim == nil {
		return nil
	}
	return b.onClaim(&ClaimContext{Claim: c, Group: b.group, Remittance: b.r, Start: b.start, End: end})
}

// problem records a value that could not be decoded, by position.
func (b *builder) problem(seg *x12.Segment, pos int, what string) {
	p := fmt.Sprintf("%s%02d at position %d: %s", seg.Tag(), pos, seg.Position, what)
	if b.clm != nil {
		b.clm.Problems = append(b.clm.Problems, p)
	} else {
		b.r.Problems = append(b.r.Problems, p)
	}
}

// cents reads a monetary amount (0 and a problem when it is not whole
// cents).
func (b *builder) cents(seg *x12.Segment, pos int) int64 {
	v := seg.Element(pos)
	if len(v) == 0 {
		return 0
	}
	c, err := x12.ParseCents(v)
	if err != nil || decimals(v) > 2 {
		b.problem(seg, pos, "not an amount in whole cents")
		return 0
	}
	return c
}

// milli reads a quantity in thousandths.
func (b *builder) milli(seg *x12.Segment, pos int) int64 {
	v := seg.Element(pos)
	if len(v) == 0 {
		return 0
	}
	q, err := x12.ParseMilli(v)
	if err != nil {
		b.problem(seg, pos, "not a number")
		return 0
	}
	return q
}

func decimals(v []byte) int {
	for i, c := range v {
		if c == '.' {
			return len(v) - i - 1
		}
	}
	return 0
}

func (b *builder) apply(e schema.Event, seg *x12.Segment, id uint32) {
	r := b.r
	switch e.Loop {
	case "HEADER":
		switch id {
		case kBPR:
			b.payment(seg)
		case kTRN:
			r.Trace = Trace{Type: seg.String(1), Number: seg.String(2), Originator: seg.String(3), Supplemental: seg.String(4)}
		case kCUR:
			r.Currency = seg.String(2)
		case kREF:
			switch seg.String(1) {
			case "EV":
				r.ReceiverID = seg.String(2)
			case "F2":
				r.VersionID = seg.String(2)
			}
		case kDTM:
			r.ProductionDate = seg.String(2)
		}
	case "1000A":
		switch id {
		case kN1:
			r.Payer.Name, r.Payer.IDQualifier, r.Payer.ID = seg.String(2), seg.String(3), seg.String(4)
		case kN3:
			address3(&r.Payer.Address, seg)
		case kN4:
			address4(&r.Payer.Address, seg)
		case kREF:
			r.Payer.Refs = append(r.Payer.Refs, ref(seg))
		case kPER:
			r.Payer.Contacts = append(r.Payer.Contacts, contact(seg))
		}
	case "1000B":
		switch id {
		case kN1:
			r.Payee.Name, r.Payee.IDQualifier, r.Payee.ID = seg.String(2), seg.String(3), seg.String(4)
		case kN3:
			address3(&r.Payee.Address, seg)
		case kN4:
			address4(&r.Payee.Address, seg)
		case kREF:
			r.Payee.Refs = append(r.Payee.Refs, ref(seg))
		case kRDM:
			r.Payee.Delivery = &Delivery{Method: seg.String(1), Name: seg.String(2), Number: seg.String(3)}
		}
	case "2000":
		switch id {
		case kLX:
			n, err := strconv.Atoi(seg.String(1))
			if err != nil {
				b.problem(seg, 1, "not a number")
			}
			b.group = &Group{Number: n}
			if b.keep {
				r.Groups = append(r.Groups, b.group)
			}
		case kTS3:
			if b.group != nil {
				b.group.Summary = &ProviderSummary{ProviderID: seg.String(1), FacilityCode: seg.String(2),
					FiscalPeriodDate: seg.String(3), ClaimCount: b.milli(seg, 4), TotalCharge: b.cents(seg, 5)}
			}
		}
	case "2100":
		if id == kCLP && e.NewLoop {
			b.newClaim(seg)
			return
		}
		if b.clm != nil {
			b.claimSegment(seg, id)
		}
	case "2110":
		if b.clm == nil {
			return
		}
		if id == kSVC && e.NewLoop {
			b.newLine(seg)
			return
		}
		if b.line != nil {
			b.lineSegment(seg, id)
		}
	case "TRAILER":
		if id == kPLB {
			b.plb(seg)
		}
		if id == kSE {
			if n, err := strconv.Atoi(seg.String(1)); err == nil {
				r.SegmentCount = n
			}
		}
	}
}

func (b *builder) payment(seg *x12.Segment) {
	p := &b.r.Payment
	*p = Payment{
		Handling: seg.String(1), Amount: b.cents(seg, 2), CreditDebit: seg.String(3), Method: seg.String(4),
		Format: seg.String(5), SenderDFIQualifier: seg.String(6), SenderDFI: seg.String(7),
		SenderAccountQualifier: seg.String(8), SenderAccount: seg.String(9), OriginatorID: seg.String(10),
		OriginatorSupplemental: seg.String(11), ReceiverDFIQualifier: seg.String(12), ReceiverDFI: seg.String(13),
		ReceiverAccountQualifier: seg.String(14), ReceiverAccount: seg.String(15), Date: seg.String(16),
	}
}

func address3(a *Address, seg *x12.Segment) {
	a.Line1, a.Line2 = seg.String(1), seg.String(2)
}

func address4(a *Address, seg *x12.Segment) {
	a.City, a.State, a.PostalCode, a.Country, a.Subdivision = seg.String(1), seg.String(2), seg.String(3), seg.String(4), seg.String(7)
}

func ref(seg *x12.Segment) Ref { return Ref{Qualifier: seg.String(1), Value: seg.String(2)} }

func contact(seg *x12.Segment) Contact {
	c := Contact{Function: seg.String(1), Name: seg.String(2)}
	for pos := 3; pos <= 7; pos += 2 {
		if q := seg.String(pos); q != "" {
			c.Numbers = append(c.Numbers, Communication{Qualifier: q, Number: seg.String(pos + 1)})
		}
	}
	return c
}

func party(seg *x12.Segment) *Party {
	return &Party{Entity: seg.String(1), Type: seg.String(2), LastOrOrg: seg.String(3), First: seg.String(4),
		Middle: seg.String(5), Suffix: seg.String(7), IDQualifier: seg.String(8), ID: seg.String(9)}
}

func (b *builder) newClaim(seg *x12.Segment) {
	b.clm = &Claim{}
	b.line = nil
	b.start = seg.Offset
	c := b.clm
	c.PatientControlNumber, c.Status = seg.String(1), seg.String(2)
	c.Charge, c.Paid = b.cents(seg, 3), b.cents(seg, 4)
	if len(seg.Element(5)) > 0 {
		c.PatientResponsibility, c.HasPatientResponsibility = b.cents(seg, 5), true
	}
	c.FilingIndicator, c.PayerClaimControlNumber = seg.String(6), seg.String(7)
	c.Facility, c.Frequency = seg.String(8), seg.String(9)
	c.DRG, c.DRGWeight, c.DischargeFraction = seg.String(11), seg.String(12), seg.String(13)
	t := &b.r.Totals
	t.Claims++
	t.Charge += c.Charge
	t.Paid += c.Paid
	if b.keep && b.group != nil {
		b.group.Claims = append(b.group.Claims, c)
	}
}

// adjustment reads a CAS segment.
func (b *builder) adjustment(seg *x12.Segment) Adjustment {
	a := Adjustment{Group: seg.String(1)}
	for pos := 2; pos <= 17; pos += 3 {
		code := seg.String(pos)
		if code == "" && len(seg.Element(pos+1)) == 0 {
			continue
		}
		rs := Reason{Code: code, Amount: b.cents(seg, pos+1)}
		if len(seg.Element(pos+2)) > 0 {
			rs.Quantity, rs.HasQuantity = b.milli(seg, pos+2), true
		}
		a.Reasons = append(a.Reasons, rs)
	}
	return a
}

func (b *builder) claimSegment(seg *x12.Segment, id uint32) {
	c := b.clm
	switch id {
	case kCAS:
		c.Adjustments = append(c.Adjustments, b.adjustment(seg))
	case kNM1:
		p := party(seg)
		switch p.Entity {
		case "QC":
			c.Patient = p
		case "IL":
			c.Insured = p
		case "74":
			c.CorrectedInsured = p
		case "82":
			c.Rendering = p
		case "TT":
			c.Crossover = p
		case "PR":
			c.CorrectedPayer = p
		case "GB":
			c.OtherSubscriber = p
		}
	case kMIA:
		m := &Inpatient{CoveredDays: b.milli(seg, 1), PPSOperatingOutlier: b.cents(seg, 2),
			LifetimePsychiatricDays: b.milli(seg, 3), DRGAmount: b.cents(seg, 4)}
		for _, pos := range []int{5, 20, 21, 22, 23} {
			if v := seg.String(pos); v != "" {
				m.Remarks = append(m.Remarks, v)
			}
		}
		for _, pos := range []int{6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 24} {
			if len(seg.Element(pos)) > 0 {
				if m.Amounts == nil {
					m.Amounts = map[string]int64{}
				}
				m.Amounts[fmt.Sprintf("MIA%02d", pos)] = b.cents(seg, pos)
			}
		}
		c.Inpatient = m
	case kMOA:
		m := &Outpatient{ReimbursementRate: seg.String(1), HCPCSPayable: b.cents(seg, 2),
			ESRDPayment: b.cents(seg, 8), NonPayableProfessional: b.cents(seg, 9)}
		for pos := 3; pos <= 7; pos++ {
			if v := seg.String(pos); v != "" {
				m.Remarks = append(m.Remarks, v)
			}
		}
		c.Outpatient = m
	case kREF:
		c.Refs = append(c.Refs, ref(seg))
	case kDTM:
		switch seg.String(1) {
		case "232":
			c.StatementFrom = seg.String(2)
		case "233":
			c.StatementTo = seg.String(2)
		case "036":
			c.CoverageExpiration = seg.String(2)
		case "050":
			c.Received = seg.String(2)
		}
	case kPER:
		c.Contacts = append(c.Contacts, contact(seg))
	case kAMT:
		c.Amounts = append(c.Amounts, Amount{Qualifier: seg.String(1), Amount: b.cents(seg, 2)})
	case kQTY:
		c.Quantities = append(c.Quantities, Quantity{Qualifier: seg.String(1), Quantity: b.milli(seg, 2)})
	}
}

// procedure reads an SVC01/SVC06 composite.
func procedure(seg *x12.Segment, pos int) Procedure {
	var p Procedure
	for j, v := range seg.Components(pos) {
		switch {
		case j == 1:
			p.Qualifier = string(v)
		case j == 2:
			p.Code = string(v)
		case j >= 3 && j <= 6:
			if len(v) > 0 {
				p.Modifiers = append(p.Modifiers, string(v))
			}
		case j == 7:
			p.Description = string(v)
		}
	}
	return p
}

func (b *builder) newLine(seg *x12.Segment) {
	l := &Line{Procedure: procedure(seg, 1), Charge: b.cents(seg, 2), Paid: b.cents(seg, 3), RevenueCode: seg.String(4)}
	if len(seg.Element(5)) > 0 {
		l.Units, l.HasUnits = b.milli(seg, 5), true
	}
	if len(seg.Element(6)) > 0 {
		p := procedure(seg, 6)
		l.OriginalProcedure = &p
	}
	l.OriginalUnits = b.milli(seg, 7)
	b.line = l
	b.clm.Lines = append(b.clm.Lines, l)
}

func (b *builder) lineSegment(seg *x12.Segment, id uint32) {
	l := b.line
	switch id {
	case kDTM:
		switch seg.String(1) {
		case "472":
			l.ServiceDate = seg.String(2)
		case "150":
			l.ServiceFrom = seg.String(2)
		case "151":
			l.ServiceTo = seg.String(2)
		}
	case kCAS:
		l.Adjustments = append(l.Adjustments, b.adjustment(seg))
	case kREF:
		l.Refs = append(l.Refs, ref(seg))
	case kAMT:
		l.Amounts = append(l.Amounts, Amount{Qualifier: seg.String(1), Amount: b.cents(seg, 2)})
	case kQTY:
		l.Quantities = append(l.Quantities, Quantity{Qualifier: seg.String(1), Quantity: b.milli(seg, 2)})
	case kLQ:
		l.Remarks = append(l.Remarks, Remark{Qualifier: seg.String(1), Code: seg.String(2)})
	}
}

func (b *builder) plb(seg *x12.Segment) {
	p := ProviderAdjustment{ProviderID: seg.String(1), FiscalPeriodDate: seg.String(2)}
	for pos := 3; pos <= 13; pos += 2 {
		if len(seg.Element(pos)) == 0 && len(seg.Element(pos+1)) == 0 {
			continue
		}
		it := PLBItem{Reason: string(seg.Component(pos, 1)), Reference: string(seg.Component(pos, 2)), Amount: b.cents(seg, pos+1)}
		p.Items = append(p.Items, it)
	}
	b.r.Adjustments = append(b.r.Adjustments, p)
}
