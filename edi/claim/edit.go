package claim

import (
	"bytes"
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
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c == d.Element || c == d.Component || c == d.Segment || (d.Repetition != 0 && c == d.Repetition) {
				return fmt.Errorf("%w: %q", ErrDelimiter, c)
			}
		}
	}
	return nil
}

func optCentsString(v *int64) string {
	if v == nil {
		return ""
	}
	return x12.FormatCents(*v)
}

// elements returns HCP01..HCP15 for p.
func (p *Pricing) elements() []string {
	units := ""
	if p.Units != nil {
		units = string(x12.AppendMilli(nil, *p.Units))
	}
	return []string{
		p.Method,
		x12.FormatCents(p.Allowed),
		optCentsString(p.Savings),
		p.OrgID,
		optCentsString(p.Rate),
		p.ApprovedGroup,
		optCentsString(p.ApprovedGroupAmount),
		p.ApprovedRevenueCode,
		p.ProcedureQualifier,
		p.ProcedureCode,
		p.UnitBasis,
		units,
		p.RejectReason,
		p.PolicyCompliance,
		p.Exception,
	}
}

func (tx *Transaction) setPricing(n *node, o loopOrder, p Pricing) error {
	d := n.firstSeg().Delims
	el := p.elements()
	if err := checkValues(d, el...); err != nil {
		return err
	}
	raw := buildRaw(d, "HCP", el...)
	tx.upsert(n, o, "HCP", "", raw, func(s *x12.Segment) bool { return s.Is("HCP") })
	return nil
}

func (tx *Transaction) setQualified(n *node, o loopOrder, id, qual string, vals ...string) error {
	if qual == "" {
		return fmt.Errorf("claim: empty %s qualifier", id)
	}
	d := n.firstSeg().Delims
	if err := checkValues(d, append(vals, qual)...); err != nil {
		return err
	}
	raw := buildRaw(d, id, append([]string{qual}, vals...)...)
	q := []byte(qual)
	tx.upsert(n, o, id, qual, raw, func(s *x12.Segment) bool {
		return s.Is(id) && bytes.Equal(s.Element(1), q)
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
	if err := c.tx.setPricing(c.node, claimOrder(c.Kind), p); err != nil {
		return err
	}
	c.Pricing = &p
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
	c.refresh()
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
	c.refresh()
	return nil
}

// refresh rebuilds the claim's REF and DTP views from its segments.
func (c *Claim) refresh() {
	c.Refs, c.Dates = nil, nil
	c.StatementFrom, c.StatementTo, c.Admission, c.Discharge = "", "", "", ""
	for _, it := range c.node.items[1:] {
		if it.seg == nil || it.unplaced {
			continue
		}
		switch {
		case it.seg.Is("REF"):
			c.Refs = append(c.Refs, refOf(it.seg))
		case it.seg.Is("DTP"):
			d := dateOf(it.seg)
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
	if err := l.claim.tx.setPricing(l.node, lineOrder(l.claim.Kind), p); err != nil {
		return err
	}
	l.Pricing = &p
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
	l.Refs, l.ControlNumber = nil, ""
	for _, it := range l.node.items[1:] {
		if it.seg != nil && !it.unplaced && it.seg.Is("REF") {
			r := refOf(it.seg)
			l.Refs = append(l.Refs, r)
			if r.Qualifier == "6R" && l.ControlNumber == "" {
				l.ControlNumber = r.Value
			}
		}
	}
	return nil
}
