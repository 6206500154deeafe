package claim

import (
	"bytes"
	"fmt"
)

// SetFrequency sets the claim frequency code, CLM05-3 ("1" original, "7"
// replacement, "8" void), keeping CLM05-1 and CLM05-2. On an 837I the
// frequency code is the third position of the type of bill (CLM05-1
// facility type code + CLM05-3), so this is the one place it is written on
// both guides. Only the CLM segment is rewritten; Claim.FrequencyCode is
// updated.
func (c *Claim) SetFrequency(code string) error {
	if err := c.editable(); err != nil {
		return err
	}
	it := &c.node.items[0]
	seg := it.seg
	if !seg.Is("CLM") {
		return fmt.Errorf("claim: first segment of the claim is %s, not CLM", seg.Tag())
	}
	d := seg.Delims
	if err := checkValues(d, code); err != nil {
		return err
	}
	comps := splitComps(seg.Element(5), d.Component)
	if string(comps[2]) == code {
		return nil
	}
	el := make([]byte, 0, len(seg.Element(5))+len(code)+2)
	el = append(el, comps[0]...)
	el = append(el, d.Component)
	el = append(el, comps[1]...)
	el = append(el, d.Component)
	el = append(el, code...)
	// Keep any component after CLM05-3 (none in the guides, but never drop
	// input silently).
	if rest := componentsAfter(seg.Element(5), d.Component, 3); len(rest) > 0 {
		el = append(el, d.Component)
		el = append(el, rest...)
	}
	it.seg = c.tx.newSegment(seg.Leading(), withElement(seg, 5, string(el)), d)
	c.tx.modified = true
	c.FrequencyCode = code
	return nil
}

// componentsAfter returns what follows component n of e (without the
// separator), or nil.
func componentsAfter(e []byte, sep byte, n int) []byte {
	for k := 0; k < n; k++ {
		i := bytes.IndexByte(e, sep)
		if i < 0 {
			return nil
		}
		e = e[i+1:]
	}
	return e
}

// RemoveRef removes every 2300 REF with qualifier qual (e.g. "F8", the
// original claim reference of a replacement) from the claim and reports
// how many it removed. The claim's other segments are not touched;
// Claim.Refs is updated.
func (c *Claim) RemoveRef(qual string) (int, error) {
	if err := c.editable(); err != nil {
		return 0, err
	}
	q := []byte(qual)
	n := c.node
	kept := make([]item, 1, len(n.items))
	kept[0] = n.items[0]
	removed := 0
	for _, it := range n.items[1:] {
		if it.seg != nil && !it.unplaced && it.seg.Is("REF") && bytes.Equal(it.seg.Element(1), q) {
			removed++
			continue
		}
		kept = append(kept, it)
	}
	if removed == 0 {
		return 0, nil
	}
	n.items = kept
	c.tx.modified = true
	c.refresh(Ref{}, Date{})
	return removed, nil
}
