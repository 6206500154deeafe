package remit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

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

	strs strArena    // the values' strings
	blk  *claimBlock // room of the claim being built

	// reuse (Decoder.ReuseClaims) recycles the claim and line blocks of
	// an emitted claim for the next one: spare is the claim block to
	// reuse, lineSpare the line blocks of the lines past the claim block's
	// own and nline how many of them the claim being built uses.
	reuse     bool
	spare     *claimBlock
	lineSpare []*lineBlock
	nline     int
}

// str returns element i of seg as a string cut from b.cur.
func (b *builder) str(seg *x12.Segment, i int) string {
	v := seg.Element(i)
	if len(v) == 0 {
		return ""
	}
	return b.cut(seg, int(seg.ElementOffset(i)-seg.Offset), len(v))
}

// cut returns the n bytes of seg's raw bytes at index k as a string.
func (b *builder) cut(seg *x12.Segment, k, n int) string {
	return b.strs.str(seg.Raw()[k : k+n])
}

// chunkSize is the size of the string arena's chunks.
const chunkSize = 2048

// strArena copies values into shared chunks and returns them as
// sub-strings of the chunk, so the values of a claim share one or two
// allocations (as package claim's decoder does). A chunk is a
// strings.Builder that is only ever appended to: the strings handed out
// are never modified. Only string bytes are shared between claims: a
// claim kept by the caller keeps at most a chunk or two of its
// neighbours' text alive, never their structs.
type strArena struct {
	buf *strings.Builder
}

// pairChars are the bytes of the two-byte values strArena.str takes from
// pairs instead of copying: most qualifiers and many codes are two upper
// case letters or digits.
const pairChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// pairIndex maps a byte to its index in pairChars, or -1.
var pairIndex = func() (t [256]int16) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(pairChars); i++ {
		t[pairChars[i]] = int16(i)
	}
	return t
}()

// pairs holds every two-byte string of pairChars, pair i*36+j (i, j the
// bytes' indexes) at byte 2*(i*36+j).
var pairs = func() string {
	b := make([]byte, 0, 2*len(pairChars)*len(pairChars))
	for i := 0; i < len(pairChars); i++ {
		for j := 0; j < len(pairChars); j++ {
			b = append(b, pairChars[i], pairChars[j])
		}
	}
	return string(b)
}()

// str returns v as a string.
func (a *strArena) str(v []byte) string {
	n := len(v)
	if n <= 1 {
		return string(v) // "" and one-byte strings do not allocate
	}
	if n == 2 {
		if i, j := pairIndex[v[0]], pairIndex[v[1]]; i >= 0 && j >= 0 {
			k := 2 * (int(i)*len(pairChars) + int(j))
			return pairs[k : k+2]
		}
	}
	if a.buf == nil || a.buf.Cap()-a.buf.Len() < n {
		if n > chunkSize/4 {
			return string(v)
		}
		a.buf = new(strings.Builder)
		a.buf.Grow(chunkSize)
	}
	off := a.buf.Len()
	a.buf.Write(v)
	return a.buf.String()[off:]
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
	if b.r.Version == "" {
		// The decoders run on the X221A1 schema: a set without ST03 took
		// its version from GS08 to get here.
		b.r.Version = Version
	}
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
		if b.reuse {
			b.spare, b.nline = b.blk, 0
		}
		b.blk = nil
		return nil
	}
	blk := b.blk
	b.blk = nil
	ctx := &blk.ctx
	*ctx = ClaimContext{Claim: c, Group: b.group, Remittance: b.r, Start: b.start, End: end}
	err := b.onClaim(ctx)
	if b.reuse {
		b.spare, b.nline = blk, 0
	}
	return err
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
			r.Trace = Trace{Type: b.str(seg, 1), Number: b.str(seg, 2), Originator: b.str(seg, 3), Supplemental: b.str(seg, 4)}
		case kCUR:
			r.Currency = b.str(seg, 2)
		case kREF:
			switch string(seg.Element(1)) {
			case "EV":
				r.ReceiverID = b.str(seg, 2)
			case "F2":
				r.VersionID = b.str(seg, 2)
			}
		case kDTM:
			r.ProductionDate = b.str(seg, 2)
		}
	case "1000A":
		switch id {
		case kN1:
			r.Payer.Name, r.Payer.IDQualifier, r.Payer.ID = b.str(seg, 2), b.str(seg, 3), b.str(seg, 4)
		case kN3:
			b.address3(&r.Payer.Address, seg)
		case kN4:
			b.address4(&r.Payer.Address, seg)
		case kREF:
			r.Payer.Refs = append(r.Payer.Refs, b.ref(seg))
		case kPER:
			r.Payer.Contacts = append(r.Payer.Contacts, b.contact(seg))
		}
	case "1000B":
		switch id {
		case kN1:
			r.Payee.Name, r.Payee.IDQualifier, r.Payee.ID = b.str(seg, 2), b.str(seg, 3), b.str(seg, 4)
		case kN3:
			b.address3(&r.Payee.Address, seg)
		case kN4:
			b.address4(&r.Payee.Address, seg)
		case kREF:
			r.Payee.Refs = append(r.Payee.Refs, b.ref(seg))
		case kRDM:
			r.Payee.Delivery = &Delivery{Method: b.str(seg, 1), Name: b.str(seg, 2), Number: b.str(seg, 3)}
		}
	case "2000":
		switch id {
		case kLX:
			n, err := strconv.Atoi(b.str(seg, 1))
			if err != nil {
				b.problem(seg, 1, "not a number")
			}
			b.group = &Group{Number: n}
			if b.keep {
				r.Groups = append(r.Groups, b.group)
			}
		case kTS3:
			if b.group != nil {
				b.group.Summary = &ProviderSummary{ProviderID: b.str(seg, 1), FacilityCode: b.str(seg, 2),
					FiscalPeriodDate: b.str(seg, 3), ClaimCount: b.milli(seg, 4), TotalCharge: b.cents(seg, 5)}
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
			if n, err := strconv.Atoi(b.str(seg, 1)); err == nil {
				r.SegmentCount = n
			}
		}
	}
}

func (b *builder) payment(seg *x12.Segment) {
	p := &b.r.Payment
	*p = Payment{
		Handling: b.str(seg, 1), Amount: b.cents(seg, 2), CreditDebit: b.str(seg, 3), Method: b.str(seg, 4),
		Format: b.str(seg, 5), SenderDFIQualifier: b.str(seg, 6), SenderDFI: b.str(seg, 7),
		SenderAccountQualifier: b.str(seg, 8), SenderAccount: b.str(seg, 9), OriginatorID: b.str(seg, 10),
		OriginatorSupplemental: b.str(seg, 11), ReceiverDFIQualifier: b.str(seg, 12), ReceiverDFI: b.str(seg, 13),
		ReceiverAccountQualifier: b.str(seg, 14), ReceiverAccount: b.str(seg, 15), Date: b.str(seg, 16),
	}
}

func (b *builder) address3(a *Address, seg *x12.Segment) {
	a.Line1, a.Line2 = b.str(seg, 1), b.str(seg, 2)
}

func (b *builder) address4(a *Address, seg *x12.Segment) {
	a.City, a.State, a.PostalCode, a.Country, a.Subdivision = b.str(seg, 1), b.str(seg, 2), b.str(seg, 3), b.str(seg, 4), b.str(seg, 7)
}

func (b *builder) ref(seg *x12.Segment) Ref {
	return Ref{Qualifier: b.str(seg, 1), Value: b.str(seg, 2)}
}

func (b *builder) contact(seg *x12.Segment) Contact {
	c := Contact{Function: b.str(seg, 1), Name: b.str(seg, 2)}
	for pos := 3; pos <= 7; pos += 2 {
		if q := b.str(seg, pos); q != "" {
			c.Numbers = append(c.Numbers, Communication{Qualifier: q, Number: b.str(seg, pos+1)})
		}
	}
	return c
}

func (b *builder) party(seg *x12.Segment) *Party {
	p := &Party{}
	b.fillParty(p, seg)
	return p
}

// fillParty reads an NM1 into p, which is zero (field by field rather
// than copying a whole Party over it).
func (b *builder) fillParty(p *Party, seg *x12.Segment) {
	p.Entity, p.Type, p.LastOrOrg, p.First = b.str(seg, 1), b.str(seg, 2), b.str(seg, 3), b.str(seg, 4)
	p.Middle, p.Suffix, p.IDQualifier, p.ID = b.str(seg, 5), b.str(seg, 7), b.str(seg, 8), b.str(seg, 9)
}

// claimBlock and lineBlock hold a claim or line with room for what most
// have (a few adjustments, references, lines, two names, two modifiers),
// so a claim costs one allocation instead of one per slice element; slices
// grow out of the room as usual when a claim has more. The first two lines
// live in the claim block (a line keeps its claim's block alive), further
// lines get a lineBlock each.
type claimBlock struct {
	c       Claim
	ctx     ClaimContext
	adj     [2]Adjustment
	lines   [4]*Line
	refs    [2]Ref
	parties [2]Party
	amts    [1]Amount
	reasons [4]Reason // reasons of the claim's and its lines' CAS
	nreason int
	nparty  int
	lineBlk [2]lineBlock // the first lines
	nline   int          // lineBlk entries used
}

type lineBlock struct {
	l    Line
	adj  [2]Adjustment
	refs [2]Ref
	amts [1]Amount
	rems [2]Remark
	mods [2]string // SVC01 modifiers
}

func (b *builder) newClaim(seg *x12.Segment) {
	var blk *claimBlock
	if b.spare != nil {
		blk, b.spare = b.spare, nil
		*blk = claimBlock{}
	} else {
		blk = &claimBlock{}
	}
	blk.c.Adjustments, blk.c.Lines, blk.c.Refs, blk.c.Amounts = blk.adj[:0], blk.lines[:0], blk.refs[:0], blk.amts[:0]
	b.blk = blk
	b.clm = &blk.c
	b.line = nil
	b.start = seg.Offset
	c := b.clm
	c.PatientControlNumber, c.Status = b.str(seg, 1), b.str(seg, 2)
	c.Charge, c.Paid = b.cents(seg, 3), b.cents(seg, 4)
	if len(seg.Element(5)) > 0 {
		c.PatientResponsibility, c.HasPatientResponsibility = b.cents(seg, 5), true
	}
	c.FilingIndicator, c.PayerClaimControlNumber = b.str(seg, 6), b.str(seg, 7)
	c.Facility, c.Frequency = b.str(seg, 8), b.str(seg, 9)
	c.DRG, c.DRGWeight, c.DischargeFraction = b.str(seg, 11), b.str(seg, 12), b.str(seg, 13)
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
	a := Adjustment{Group: b.str(seg, 1)}
	n := 0
	for pos := 2; pos <= 17; pos += 3 {
		if len(seg.Element(pos)) > 0 || len(seg.Element(pos+1)) > 0 {
			n++
		}
	}
	if blk := b.blk; blk != nil && blk.nreason+n <= len(blk.reasons) {
		a.Reasons = blk.reasons[blk.nreason : blk.nreason : blk.nreason+n]
		blk.nreason += n
	} else {
		a.Reasons = make([]Reason, 0, n)
	}
	for pos := 2; pos <= 17; pos += 3 {
		code := b.str(seg, pos)
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
		var p *Party
		if blk := b.blk; blk != nil && blk.nparty < len(blk.parties) {
			p = &blk.parties[blk.nparty]
			blk.nparty++
			b.fillParty(p, seg)
		} else {
			p = b.party(seg)
		}
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
			if v := b.str(seg, pos); v != "" {
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
		m := &Outpatient{ReimbursementRate: b.str(seg, 1), HCPCSPayable: b.cents(seg, 2),
			ESRDPayment: b.cents(seg, 8), NonPayableProfessional: b.cents(seg, 9)}
		for pos := 3; pos <= 7; pos++ {
			if v := b.str(seg, pos); v != "" {
				m.Remarks = append(m.Remarks, v)
			}
		}
		c.Outpatient = m
	case kREF:
		c.Refs = append(c.Refs, b.ref(seg))
	case kDTM:
		switch string(seg.Element(1)) {
		case "232":
			c.StatementFrom = b.str(seg, 2)
		case "233":
			c.StatementTo = b.str(seg, 2)
		case "036":
			c.CoverageExpiration = b.str(seg, 2)
		case "050":
			c.Received = b.str(seg, 2)
		}
	case kPER:
		c.Contacts = append(c.Contacts, b.contact(seg))
	case kAMT:
		c.Amounts = append(c.Amounts, Amount{Qualifier: b.str(seg, 1), Amount: b.cents(seg, 2)})
	case kQTY:
		c.Quantities = append(c.Quantities, Quantity{Qualifier: b.str(seg, 1), Quantity: b.milli(seg, 2)})
	}
}

// procedure reads an SVC01/SVC06 composite; the modifiers go into mods
// (room for them, empty) while it has room.
func (b *builder) procedure(seg *x12.Segment, pos int, mods []string) Procedure {
	var p Procedure
	v := seg.Element(pos)
	k := int(seg.ElementOffset(pos) - seg.Offset)
	cs := seg.Delims.Component
	for j := 1; ; j++ {
		n := bytes.IndexByte(v, cs)
		c := v
		if n >= 0 {
			c = v[:n]
		}
		if len(c) > 0 {
			val := b.cut(seg, k, len(c))
			switch {
			case j == 1:
				p.Qualifier = val
			case j == 2:
				p.Code = val
			case j >= 3 && j <= 6:
				if p.Modifiers == nil {
					p.Modifiers = mods
				}
				p.Modifiers = append(p.Modifiers, val)
			case j == 7:
				p.Description = val
			}
		}
		if n < 0 {
			return p
		}
		v = v[n+1:]
		k += n + 1
	}
}

func (b *builder) newLine(seg *x12.Segment) {
	var blk *lineBlock
	cb := b.blk
	switch {
	case cb != nil && cb.nline < len(cb.lineBlk):
		blk = &cb.lineBlk[cb.nline]
		cb.nline++
	case !b.reuse:
		blk = &lineBlock{}
	case b.nline < len(b.lineSpare):
		blk = b.lineSpare[b.nline]
		*blk = lineBlock{}
		b.nline++
	default:
		blk = &lineBlock{}
		b.lineSpare = append(b.lineSpare, blk)
		b.nline++
	}
	// The block is zero (new or cleared): set the fields one by one
	// rather than copying a whole Line over it.
	l := &blk.l
	l.Procedure = b.procedure(seg, 1, blk.mods[:0])
	l.Charge, l.Paid, l.RevenueCode = b.cents(seg, 2), b.cents(seg, 3), b.str(seg, 4)
	l.Adjustments, l.Refs, l.Amounts, l.Remarks = blk.adj[:0], blk.refs[:0], blk.amts[:0], blk.rems[:0]
	if len(seg.Element(5)) > 0 {
		l.Units, l.HasUnits = b.milli(seg, 5), true
	}
	if len(seg.Element(6)) > 0 {
		p := b.procedure(seg, 6, nil)
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
		switch string(seg.Element(1)) {
		case "472":
			l.ServiceDate = b.str(seg, 2)
		case "150":
			l.ServiceFrom = b.str(seg, 2)
		case "151":
			l.ServiceTo = b.str(seg, 2)
		}
	case kCAS:
		l.Adjustments = append(l.Adjustments, b.adjustment(seg))
	case kREF:
		l.Refs = append(l.Refs, b.ref(seg))
	case kAMT:
		l.Amounts = append(l.Amounts, Amount{Qualifier: b.str(seg, 1), Amount: b.cents(seg, 2)})
	case kQTY:
		l.Quantities = append(l.Quantities, Quantity{Qualifier: b.str(seg, 1), Quantity: b.milli(seg, 2)})
	case kLQ:
		l.Remarks = append(l.Remarks, Remark{Qualifier: b.str(seg, 1), Code: b.str(seg, 2)})
	}
}

func (b *builder) plb(seg *x12.Segment) {
	p := ProviderAdjustment{ProviderID: b.str(seg, 1), FiscalPeriodDate: b.str(seg, 2)}
	for pos := 3; pos <= 13; pos += 2 {
		if len(seg.Element(pos)) == 0 && len(seg.Element(pos+1)) == 0 {
			continue
		}
		id := b.str(seg, pos)
		reason, reference, _ := strings.Cut(id, string(seg.Delims.Component))
		it := PLBItem{Reason: reason, Reference: reference, Amount: b.cents(seg, pos+1)}
		p.Items = append(p.Items, it)
	}
	b.r.Adjustments = append(b.r.Adjustments, p)
}
