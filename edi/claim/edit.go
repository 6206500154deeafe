package claim

import (
	"errors"
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// ErrDelimiter is returned by the edit methods when a value contains one of
// the transaction's delimiters.
var ErrDelimiter = errors.New("claim: value contains a delimiter")

// segment order inside the loops that edits insert into, from the
// implementation guides. Segments are ranked by ID; DTP and REF are also
// ranked by qualifier (position in the list). A qualifier that is not
// listed ranks after the listed ones.
type loopOrder struct {
	ids   map[string]int
	quals map[string][]string // segment ID -> qualifiers in guide order
}

func order(ids []string, quals map[string][]string) loopOrder {
	m := make(map[string]int, len(ids))
	for i, id := range ids {
		m[id] = i + 1
	}
	return loopOrder{ids: m, quals: quals}
}

var (
	professionalClaimOrder = order(
		[]string{"CLM", "DTP", "PWK", "CN1", "AMT", "REF", "K3", "NTE", "CR1", "CR2", "CRC", "HI", "HCP"},
		map[string][]string{
			"DTP": {"431", "454", "304", "453", "439", "484", "455", "471", "314", "360", "361", "297",
				"296", "435", "096", "090", "091", "444", "050"},
			"REF": {"4N", "F5", "EW", "9F", "G1", "F8", "X4", "9A", "9C", "LX", "D9", "EA", "P4", "1J"},
		})
	institutionalClaimOrder = order(
		[]string{"CLM", "DTP", "CL1", "PWK", "CN1", "AMT", "REF", "K3", "NTE", "CRC", "HI", "HCP"},
		map[string][]string{
			"DTP": {"096", "434", "435", "050"},
			"REF": {"4N", "9F", "G1", "F8", "9A", "9C", "LX", "LU", "D9", "EA", "P4", "G4"},
		})
	professionalLineOrder = order(
		[]string{"LX", "SV1", "SV5", "PWK", "CR1", "CR3", "CRC", "DTP", "QTY", "MEA", "CN1", "REF",
			"AMT", "K3", "NTE", "PS1", "HCP"},
		map[string][]string{
			"REF": {"9B", "9D", "G1", "6R", "EW", "X4", "F4", "BT", "9F"},
		})
	institutionalLineOrder = order(
		[]string{"LX", "SV2", "PWK", "DTP", "REF", "AMT", "NTE", "HCP"},
		map[string][]string{
			"REF": {"6R", "9B", "9D"},
		})
)

// rank returns the guide position of a segment with the given ID and
// qualifier (element 1), or -1 for a segment the order does not know.
func (o loopOrder) rank(id, qual string) int {
	r, ok := o.ids[id]
	if !ok {
		return -1
	}
	quals, ok := o.quals[id]
	if !ok {
		return r * 100
	}
	for i, q := range quals {
		if q == qual {
			return r*100 + i
		}
	}
	return r*100 + 99
}

func claimOrder(kind string) loopOrder {
	if kind == Institutional {
		return institutionalClaimOrder
	}
	return professionalClaimOrder
}

func lineOrder(kind string) loopOrder {
	if kind == Institutional {
		return institutionalLineOrder
	}
	return professionalLineOrder
}

// upsert replaces the first own segment of n that match accepts with a
// segment made of raw, keeping the replaced segment's leading whitespace;
// without a match it inserts the segment after the last own segment that
// ranks at or before it (and before n's first child loop), with the
// leading whitespace of the segment it follows.
func (tx *Transaction) upsert(n *node, o loopOrder, id, qual string, raw []byte, match func(*x12.Segment) bool) {
	d := n.firstSeg().Delims
	for i := 1; i < len(n.items); i++ {
		it := &n.items[i]
		if it.seg != nil && !it.unplaced && match(it.seg) {
			it.seg = tx.newSegment(it.seg.Leading(), raw, d)
			tx.modified = true
			return
		}
	}
	want := o.rank(id, qual)
	pos := 1
	for i := 1; i < len(n.items); i++ {
		it := n.items[i]
		if it.child != nil {
			break
		}
		if r := o.rank(it.seg.Tag(), it.seg.String(1)); r >= 0 && r <= want {
			pos = i + 1
		}
	}
	lead := n.items[pos-1].seg.Leading()
	seg := tx.newSegment(lead, raw, d)
	n.items = append(n.items, item{})
	copy(n.items[pos+1:], n.items[pos:])
	n.items[pos] = item{seg: seg, label: n.loop}
	tx.modified = true
}

// checkValues returns ErrDelimiter if a value contains a delimiter of d.
func checkValues(d x12.Delimiters, vals ...string) error {
	for _, v := range vals {
		if err := checkValue(d, v); err != nil {
			return err
		}
	}
	return nil
}

// checkValue returns ErrDelimiter if v contains a delimiter of d.
func checkValue[T string | []byte](d x12.Delimiters, v T) error {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == d.Element || c == d.Component || c == d.Segment || (d.Repetition != 0 && c == d.Repetition) {
			return fmt.Errorf("%w: %q", ErrDelimiter, c)
		}
	}
	return nil
}

func appendOptCents(dst []byte, v *int64) []byte {
	if v == nil {
		return dst
	}
	return x12.AppendCents(dst, *v)
}

// appendPricing appends the raw bytes of p's HCP segment (HCP01..HCP15,
// trailing empty elements dropped) to dst, or returns ErrDelimiter when an
// element holds a delimiter of d (the first one, in element order).
func appendPricing(dst []byte, d x12.Delimiters, p *Pricing) ([]byte, error) {
	dst = append(dst, "HCP"...)
	end := len(dst) // past the last non-empty element
	for i := 1; i <= 15; i++ {
		dst = append(dst, d.Element)
		start := len(dst)
		switch i {
		case 1:
			dst = append(dst, p.Method...)
		case 2:
			dst = x12.AppendCents(dst, p.Allowed)
		case 3:
			dst = appendOptCents(dst, p.Savings)
		case 4:
			dst = append(dst, p.OrgID...)
		case 5:
			dst = appendOptCents(dst, p.Rate)
		case 6:
			dst = append(dst, p.ApprovedGroup...)
		case 7:
			dst = appendOptCents(dst, p.ApprovedGroupAmount)
		case 8:
			dst = append(dst, p.ApprovedRevenueCode...)
		case 9:
			dst = append(dst, p.ProcedureQualifier...)
		case 10:
			dst = append(dst, p.ProcedureCode...)
		case 11:
			dst = append(dst, p.UnitBasis...)
		case 12:
			if p.Units != nil {
				dst = x12.AppendMilli(dst, *p.Units)
			}
		case 13:
			dst = append(dst, p.RejectReason...)
		case 14:
			dst = append(dst, p.PolicyCompliance...)
		case 15:
			dst = append(dst, p.Exception...)
		}
		if err := checkValue(d, dst[start:]); err != nil {
			return dst, err
		}
		if len(dst) > start {
			end = len(dst)
		}
	}
	return dst[:end], nil
}

func (tx *Transaction) setPricing(n *node, o loopOrder, p *Pricing) error {
	d := n.firstSeg().Delims
	raw, err := appendPricing(tx.scratch[:0], d, p)
	tx.scratch = raw[:0]
	if err != nil {
		return err
	}
	tx.upsert(n, o, "HCP", "", raw, func(s *x12.Segment) bool { return s.Is("HCP") })
	return nil
}

func (tx *Transaction) setQualified(n *node, o loopOrder, id, qual string, vals ...string) error {
	if qual == "" {
		return fmt.Errorf("claim: empty %s qualifier", id)
	}
	d := n.firstSeg().Delims
	if err := checkValues(d, vals...); err != nil {
		return err
	}
	if err := checkValue(d, qual); err != nil {
		return err
	}
	// ID, qualifier and values, trailing empty values dropped.
	last := len(vals)
	for last > 0 && vals[last-1] == "" {
		last--
	}
	raw := append(tx.scratch[:0], id...)
	raw = append(raw, d.Element)
	raw = append(raw, qual...)
	for _, v := range vals[:last] {
		raw = append(raw, d.Element)
		raw = append(raw, v...)
	}
	tx.scratch = raw[:0]
	tx.upsert(n, o, id, qual, raw, func(s *x12.Segment) bool {
		return s.Is(id) && string(s.Element(1)) == qual
	})
	return nil
}

// editable reports whether c can be edited.
func (c *Claim) editable() error {
	if c.node == nil || c.tx == nil || c.tx.root == nil || c.node.firstSeg() == nil {
		return ErrNoSegments
	}
	return nil
}

// SetPricing sets the claim's HCP segment (loop 2300). An existing HCP is
// replaced in place; otherwise the new one goes where the implementation
// guide puts it: after the claim's own segments (HI, CRC, ...) and before
// the 2310 provider loops. The transaction's other segments are not
// touched. Claim.Pricing is updated.
func (c *Claim) SetPricing(p Pricing) error {
	if err := c.editable(); err != nil {
		return err
	}
	if err := c.tx.setPricing(c.node, claimOrder(c.Kind), &p); err != nil {
		return err
	}
	c.Pricing = c.tx.ownPricing(&p)
	return nil
}

// SetRef sets the 2300 REF with qualifier qual (for the repricer "9A"
// repriced claim number or "9C" adjusted repriced claim number) to value.
// The first REF with that qualifier is replaced in place; otherwise a new
// REF is inserted in guide order among the claim's REF segments (after
// F8/X4, before LX/D9/EA on an 837P). Claim.Refs is updated.
func (c *Claim) SetRef(qual, value string) error {
	if err := c.editable(); err != nil {
		return err
	}
	if err := c.tx.setQualified(c.node, claimOrder(c.Kind), "REF", qual, value); err != nil {
		return err
	}
	c.refresh(Ref{Qualifier: qual, Value: value}, Date{})
	return nil
}

// SetDate sets the 2300 DTP with qualifier qual (for the repricer "050",
// repricer received date) to format ("D8") and value ("CCYYMMDD"). The
// first DTP with that qualifier is replaced in place; otherwise a new DTP is
// inserted in guide order among the claim's DTP segments (DTP*050 is the
// last of them). Claim.Dates and the fields derived from them are updated.
func (c *Claim) SetDate(qual, format, value string) error {
	if err := c.editable(); err != nil {
		return err
	}
	if err := c.tx.setQualified(c.node, claimOrder(c.Kind), "DTP", qual, format, value); err != nil {
		return err
	}
	c.refresh(Ref{}, Date{Qualifier: qual, Format: format, Value: value})
	return nil
}

// refresh rebuilds the claim's REF and DTP views from its segments (in new
// slices). The strings of an entry equal to one of the old views or to
// ref or date (the values just written) are reused.
func (c *Claim) refresh(ref Ref, date Date) {
	nr, nd := 0, 0
	for _, it := range c.node.items[1:] {
		if it.seg == nil || it.unplaced {
			continue
		}
		switch {
		case it.seg.Is("REF"):
			nr++
		case it.seg.Is("DTP"):
			nd++
		}
	}
	oldRefs, oldDates := c.Refs, c.Dates
	c.Refs, c.Dates = nil, nil
	if nr > 0 {
		c.Refs = c.tx.refs.room(nr)
	}
	if nd > 0 {
		c.Dates = c.tx.dates.room(nd)
	}
	c.StatementFrom, c.StatementTo, c.Admission, c.Discharge = "", "", "", ""
	for _, it := range c.node.items[1:] {
		if it.seg == nil || it.unplaced {
			continue
		}
		switch {
		case it.seg.Is("REF"):
			c.Refs = append(c.Refs, refReusing(it.seg, ref, oldRefs))
		case it.seg.Is("DTP"):
			d := dateReusing(it.seg, date, oldDates)
			c.Dates = append(c.Dates, d)
			switch d.Qualifier {
			case "434":
				c.StatementFrom, c.StatementTo = d.From(), d.To()
			case "435":
				c.Admission = d.Value
			case "096":
				c.Discharge = d.Value
			}
		}
	}
}

func (l *Line) editable() error {
	if l.node == nil || l.claim == nil || l.claim.tx == nil || l.claim.tx.root == nil || l.node.firstSeg() == nil {
		return ErrNoSegments
	}
	return nil
}

// SetPricing sets the line's HCP segment (loop 2400). An existing HCP is
// replaced in place; otherwise the new one goes after the line's own
// segments (NTE, PS1, ...) and before the 2410/2420/2430 loops.
// Line.Pricing is updated.
func (l *Line) SetPricing(p Pricing) error {
	if err := l.editable(); err != nil {
		return err
	}
	if err := l.claim.tx.setPricing(l.node, lineOrder(l.claim.Kind), &p); err != nil {
		return err
	}
	l.Pricing = l.claim.tx.ownPricing(&p)
	return nil
}

// SetRef sets the 2400 REF with qualifier qual (for the repricer "9B"
// repriced line item reference number or "9D" adjusted repriced line item
// reference number) to value, replacing the first REF with that qualifier
// in place or inserting one in guide order. Line.Refs and
// Line.ControlNumber are updated.
func (l *Line) SetRef(qual, value string) error {
	if err := l.editable(); err != nil {
		return err
	}
	if err := l.claim.tx.setQualified(l.node, lineOrder(l.claim.Kind), "REF", qual, value); err != nil {
		return err
	}
	nr := 0
	for _, it := range l.node.items[1:] {
		if it.seg != nil && !it.unplaced && it.seg.Is("REF") {
			nr++
		}
	}
	old := l.Refs
	l.Refs, l.ControlNumber = nil, ""
	if nr > 0 {
		l.Refs = l.claim.tx.refs.room(nr)
	}
	for _, it := range l.node.items[1:] {
		if it.seg != nil && !it.unplaced && it.seg.Is("REF") {
			r := refReusing(it.seg, Ref{Qualifier: qual, Value: value}, old)
			l.Refs = append(l.Refs, r)
			if r.Qualifier == "6R" && l.ControlNumber == "" {
				l.ControlNumber = r.Value
			}
		}
	}
	return nil
}

// refReusing is refOf(s) with the strings of ref or of an entry of old
// when it equals s's qualifier and value (no allocation then).
func refReusing(s *x12.Segment, ref Ref, old []Ref) Ref {
	q, v := s.Element(1), s.Element(2)
	if ref.Qualifier == string(q) && ref.Value == string(v) {
		return ref
	}
	for _, r := range old {
		if r.Qualifier == string(q) && r.Value == string(v) {
			return r
		}
	}
	return refOf(s)
}

// dateReusing is dateOf(s) with the strings of date or of an entry of old
// when it equals s's qualifier, format and value.
func dateReusing(s *x12.Segment, date Date, old []Date) Date {
	q, f, v := s.Element(1), s.Element(2), s.Element(3)
	if date.Qualifier == string(q) && date.Format == string(f) && date.Value == string(v) {
		return date
	}
	for _, d := range old {
		if d.Qualifier == string(q) && d.Format == string(f) && d.Value == string(v) {
			return d
		}
	}
	return dateOf(s)
}

// ownPricing returns a copy of p held in the transaction's blocks of
// Pricing values (one allocation for many edits).
func (tx *Transaction) ownPricing(p *Pricing) *Pricing {
	if len(tx.pricings) == cap(tx.pricings) {
		tx.pricings = make([]Pricing, 0, 32)
	}
	tx.pricings = append(tx.pricings, *p)
	return &tx.pricings[len(tx.pricings)-1]
}
