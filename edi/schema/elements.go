package schema

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Element checks: what the tables say about each element and component of
// a placed segment (usage, type, length, code values, date formats) and the
// X12 syntax notes of the segment.

// stdCodes holds, for a few data elements, code values the X12 standard
// defines; a value there that an element's implementation list lacks is
// "code value not used in implementation" (I6) instead of "invalid code
// value" (7). The lists are partial: a standard code missing here is
// reported as 7.
var stdCodes = map[string][]string{
	"66": {"1", "9", "24", "34", "46", "AD", "BD", "BS", "C", "CI", "EI", "FA", "FI", "II", "MI",
		"NI", "PC", "PI", "PP", "SJ", "SL", "SV", "UC", "US", "XV", "XX", "ZZ"},
	"98": {"03", "1P", "2B", "36", "40", "41", "45", "71", "72", "73", "74", "77", "82", "85",
		"87", "DK", "DN", "DQ", "FA", "GB", "HK", "IL", "LI", "P3", "PE", "PR", "PW", "QB", "QC",
		"QD", "TT", "TU", "ZZ"},
	"1250": {"CC", "CM", "CY", "D6", "D8", "DA", "DB", "DD", "DDT", "DT", "DTD", "DTS", "EH",
		"KA", "MD", "MM", "RD", "RD8", "RDM", "RDT", "RMD", "RMY", "RTM", "RTS", "TC", "TM",
		"TQ", "TR", "TS", "TT", "TU", "UN", "YM", "YMM", "YY"},
	"128": {"0B", "0F", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "1K", "1L", "1W", "28",
		"2U", "3H", "4N", "6P", "6R", "9A", "9B", "9C", "9D", "9F", "BB", "BT", "CE", "D9",
		"EA", "EI", "EJ", "EW", "F4", "F5", "F8", "FJ", "FY", "G1", "G2", "G3", "G4", "HPI",
		"IG", "LU", "LX", "N4", "N5", "N7", "NF", "P4", "PXC", "SY", "T4", "TJ", "VY", "X4",
		"XZ", "Y4", "ZZ"},
	"1270": {"ABF", "ABJ", "ABK", "ABN", "ABU", "APR", "BBQ", "BBR", "BE", "BF", "BG", "BH",
		"BI", "BJ", "BK", "BN", "BO", "BP", "BQ", "BR", "BU", "CAH", "DR", "JP", "LOI", "NUB",
		"PR", "TC", "ZZ"},
	"1221": {"AD", "AT", "BI", "CO", "CV", "H", "HH", "LA", "OT", "P1", "P2", "PE", "R", "RF",
		"SB", "SK", "SU"},
}

// codeText describes the IK403 codes in issue messages.
var codeText = map[string]string{
	"1":   "required element missing",
	"2":   "conditional required element missing",
	"3":   "too many data elements",
	"4":   "data element too short",
	"5":   "data element too long",
	"6":   "invalid character in data element",
	"7":   "invalid code value",
	"8":   "invalid date",
	"9":   "invalid time",
	"10":  "exclusion condition violated",
	"12":  "too many repetitions",
	"13":  "too many components",
	"I6":  "code value not used in implementation",
	"I10": "implementation not used data element present",
}

// elemAt locates an element or component for an issue.
type elemAt struct {
	elem, comp, rep int
	de              string
	off             int64
}

// elemIssue records an element-level (IK4) issue on seg.
func (p *Parser) elemIssue(seg *x12.Segment, loop string, at elemAt, code string, value []byte) {
	name := fmt.Sprintf("%s%02d", seg.Tag(), at.elem)
	if at.comp > 0 {
		name = fmt.Sprintf("%s-%d", name, at.comp)
	}
	p.addIssue(ack.Issue{
		Level: ack.LevelElement, Code: code, SegmentCode: "8", SegmentID: seg.Tag(),
		Position: seg.Position, Loop: loop, Element: at.elem, Component: at.comp, Repetition: at.rep,
		DataElement: at.de, Value: string(value), Offset: at.off, Ordinal: seg.Ordinal,
		Message: name + ": " + codeText[code],
	})
}

// Byte classes of scanSegment.
const (
	classCtl  = 1 << iota // a byte outside the character set that is not a delimiter (see outOfSet)
	classRep              // the repetition separator
	classComp             // the component separator
)

// scanSegment returns the byte classes present in seg, so the element
// checks can skip the searches (repetitions, components, bytes outside
// the character set) a segment gives no reason for.
func (p *Parser) scanSegment(seg *x12.Segment) uint8 {
	d := seg.Delims
	raw := seg.Raw()
	// Most segments hold neither bytes outside the character set nor
	// repetition separators: check that a word at a time, then look for
	// components.
	if len(raw) >= 8 && !outOfSet(d.Element) && !outOfSet(d.Component) && (d.Repetition == 0 || !outOfSet(d.Repetition)) {
		if ok, comp := plain(raw, d.Repetition, d.Component); ok {
			if comp {
				return classComp
			}
			return 0
		}
	}
	if !p.classOK || d != p.classDelims {
		for c := range p.classes {
			var k uint8
			b := byte(c)
			switch {
			case d.Repetition != 0 && b == d.Repetition:
				k = classRep
			case b == d.Component:
				k = classComp
			case b == d.Element:
			case outOfSet(b):
				k = classCtl
			}
			p.classes[c] = k
		}
		p.classDelims, p.classOK = d, true
	}
	var k uint8
	for _, c := range raw {
		k |= p.classes[c]
	}
	return k
}

// outOfSet reports whether c is outside the character set the 5010
// guides allow in data (basic and extended sets: printable ASCII, 0x20
// through 0x7E): a control character, DEL, or any byte of 0x80 and above
// (see the package documentation for non-ASCII text).
func outOfSet(c byte) bool { return c < 0x20 || c >= 0x7f }

// Word-at-a-time byte tests (eight bytes per uint64).
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain reports whether raw (at least eight bytes) holds no byte outside
// the character set (outOfSet) and no byte rep (with rep 0 a NUL byte,
// outside the set anyway, makes it false), and whether it holds a byte
// comp, in one pass. The last word overlaps the one before it.
func plain(raw []byte, rep, comp byte) (ok, hasComp bool) {
	reps := ones * uint64(rep)
	comps := ones * uint64(comp)
	var bad, cs uint64
	for i := 0; ; i += 8 {
		if i+8 > len(raw) {
			if i == len(raw) {
				break
			}
			i = len(raw) - 8
		}
		x := binary.LittleEndian.Uint64(raw[i:])
		y := x ^ (ones * 0x7f)
		z := x ^ reps
		c := x ^ comps
		// A byte below 0x20, a DEL or a rep byte sets its high bit; a byte
		// of 0x80 or above has it set already.
		bad |= x | (x-ones*0x20)&^x | (y-ones)&^y | (z-ones)&^z
		cs |= (c - ones) &^ c
	}
	// (c-ones)&^c has a high bit set exactly when c has a zero byte
	// somewhere (a byte of raw equal to comp).
	return bad&highs == 0, cs&highs != 0
}

// elemCheck is the quick check of an element: for the common simple
// element rules it tells from the value alone that the value passes
// (see checkElements); anything it cannot tell goes to checkElement.
type elemCheck struct {
	kind     uint8    // one of the ck constants
	req      bool     // the element is required
	min, max int      // length (digits for ckNum) bounds; max is never 0
	codes    []string // ckCodes: the codes
	period   int      // ckPeriod: the position of the date format qualifier
}

// Kinds of elemCheck.
const (
	ckFull     = iota // no quick check: always checkElement
	ckLen             // a length in [min, max]
	ckCodes           // one of codes
	ckNum             // an N0 number with [min, max] digits
	ckDec             // an R number with [min, max] digits
	ckPeriod          // a date or time in the format its qualifier names
	ckDate            // a DT date with a length in [min, max]
	ckTime            // a TM time with a length in [min, max]
	ckCodesLen        // one of codes with a length in [min, max]
)

// passes reports whether value v (not empty, without bytes outside the
// character set, repetition or component separators) of seg passes check
// c; false means checkElement must look at it (kind ckFull, or an issue).
func (c *elemCheck) passes(seg *x12.Segment, v []byte) bool {
	switch c.kind {
	case ckLen:
		return len(v) >= c.min && len(v) <= c.max
	case ckCodes:
		return inList(v, c.codes)
	case ckNum, ckDec:
		d, ok := numberDigits(v, c.kind == ckDec)
		return ok && d >= c.min && d <= c.max
	case ckPeriod:
		return periodCode(seg.Element(c.period), v) == ""
	case ckDate:
		return len(v) >= c.min && len(v) <= c.max && isDate(v)
	case ckTime:
		return len(v) >= c.min && len(v) <= c.max && isTime(v)
	case ckCodesLen:
		return len(v) >= c.min && len(v) <= c.max && inList(v, c.codes)
	}
	return false
}

// quickCheck returns the quick check of e, mirroring valueCode.
func quickCheck(e *elemDef) elemCheck {
	c := elemCheck{req: e.use == uR, min: e.min, max: e.max, codes: e.codes, period: e.period}
	if c.max == 0 {
		c.max = int(^uint(0) >> 1)
	}
	if e.use == uN || e.comps != nil {
		return c
	}
	if e.period > 0 {
		c.kind = ckPeriod
		return c
	}
	switch e.typ {
	case tID:
		c.kind = ckLen
		if e.codes != nil {
			c.kind = ckCodes
		}
	case tN0:
		c.kind = ckNum
	case tR:
		c.kind = ckDec
	case tDT:
		c.kind = ckDate
	case tTM:
		c.kind = ckTime
	default:
		c.kind = ckLen
		if e.codes != nil {
			c.kind = ckCodesLen
		}
	}
	return c
}

// noteCheck is a syntax note as bit masks of element positions (bit
// pos-1), so the note is checked against the segment's presence mask with
// a few bit operations; only a note that fails goes to checkNote, which
// reports it. kind 0 marks a note naming a position past the segment
// use's elements (or past 64): it always goes to checkNote.
type noteCheck struct {
	kind  byte
	all   uint64 // the note's elements
	first uint64 // its first element
}

// noteMasks returns the noteCheck of sn for a segment use of n elements.
func noteMasks(sn *syntaxNote, n int) noteCheck {
	c := noteCheck{kind: sn.kind}
	if len(sn.elems) < 2 && (sn.kind == 'C' || sn.kind == 'L') {
		c.kind = 0
	}
	for i, pos := range sn.elems {
		if pos < 1 || pos > n || pos > 64 {
			c.kind = 0
			break
		}
		c.all |= 1 << (pos - 1)
		if i == 0 {
			c.first = 1 << (pos - 1)
		}
	}
	return c
}

// holds reports whether note c holds for the elements present (bit pos-1
// of present set for each element with a value); false for kind 0.
func (c *noteCheck) holds(present uint64) bool {
	x := present & c.all
	switch c.kind {
	case 'P':
		return x == 0 || x == c.all
	case 'R':
		return x != 0
	case 'E':
		return x&(x-1) == 0
	case 'C':
		return x&c.first == 0 || x == c.all
	case 'L':
		return x&c.first == 0 || x&^c.first != 0
	}
	return false
}

// checkElements applies the element rules of sd to seg. lastReq is the
// position of sd's last required element, checks are the quick checks of
// its elements and notes its syntax notes (from tables).
func (p *Parser) checkElements(seg *x12.Segment, sd *segDef, loop string, lastReq int, checks []elemCheck, notes []noteCheck) {
	n := seg.Len()
	classes := p.scanSegment(seg)
	elems := sd.elems
	m := min(n, len(elems))
	checks = checks[:len(elems)] // built from elems: same length
	// The quick checks hold for values without control characters,
	// repetition separators or component separators.
	quick := classes&(classCtl|classRep) == 0
	comps := classes&classComp != 0
	cs := seg.Delims.Component
	var present uint64 // bit i: element i+1 has a value (i < 64)
	for i := 0; i < m; i++ {
		v := seg.Element(i + 1)
		c := &checks[i]
		if len(v) > 0 {
			if i < 64 {
				present |= 1 << i
			}
		} else {
			// An empty element only matters when it is required.
			if c.req {
				p.checkElement(seg, loop, i+1, &elems[i], nil, classes)
			}
			continue
		}
		if quick && c.kind != ckFull && (!comps || indexByte(v, cs) < 0) && c.passes(seg, v) {
			continue
		}
		p.checkElement(seg, loop, i+1, &elems[i], v, classes)
	}
	// Past the last element sent only the required elements matter.
	for pos := m + 1; pos <= lastReq; pos++ {
		if e := &elems[pos-1]; e.use == uR {
			p.checkElement(seg, loop, pos, e, nil, classes)
		}
	}
	for pos := len(elems) + 1; pos <= n; pos++ {
		if v := seg.Element(pos); len(v) > 0 {
			p.elemIssue(seg, loop, elemAt{elem: pos, off: seg.ElementOffset(pos)}, "3", v)
			break
		}
	}
	for i := range notes {
		if !notes[i].holds(present) {
			p.checkNote(seg, sd, loop, &sd.notes[i])
		}
	}
}

// checkElement checks element pos (value v) against e. classes are the
// byte classes of the segment (scanSegment).
func (p *Parser) checkElement(seg *x12.Segment, loop string, pos int, e *elemDef, v []byte, classes uint8) {
	// The common cases: an element with a value in a segment without
	// repetition separators, which is a simple element without component
	// separators or a composite without issues. Anything else takes the
	// full path, which reports the issues.
	if e.use != uN && len(v) > 0 && classes&classRep == 0 {
		ctl := classes&classCtl != 0
		if e.comps == nil {
			if classes&classComp == 0 || indexByte(v, seg.Delims.Component) < 0 {
				var qual []byte
				if e.period > 0 {
					qual = seg.Element(e.period)
				}
				if code := valueCode(&e.compDef, v, qual, ctl); code != "" {
					p.elemIssue(seg, loop, elemAt{elem: pos, de: e.de, off: seg.ElementOffset(pos)}, code, v)
				}
				return
			}
		} else if compositeOK(e, v, seg.Delims.Component, ctl) {
			return
		}
	}
	p.checkElementFull(seg, loop, pos, e, v, classes)
}

// compositeOK reports whether the composite value v (no repetition
// separator) passes every check of checkElementFull, which it mirrors
// without reporting anything.
func compositeOK(e *elemDef, v []byte, cs byte, ctl bool) bool {
	rest := v
	j := 0 // components checked
	for {
		k := indexByte(rest, cs)
		cv := rest
		if k >= 0 {
			cv = rest[:k]
		}
		if j >= len(e.comps) {
			if len(cv) > 0 || k >= 0 {
				return false
			}
			break
		}
		cd := &e.comps[j]
		switch {
		case cd.use == uN:
			if len(cv) > 0 {
				return false
			}
		case len(cv) == 0:
			if cd.use == uR {
				return false
			}
		default:
			var qual []byte
			if cd.period > 0 {
				qual = componentOf(v, cs, cd.period)
			}
			if valueCode(cd, cv, qual, ctl) != "" {
				return false
			}
		}
		j++
		if k < 0 {
			break
		}
		rest = rest[k+1:]
	}
	// Required components after the last one sent.
	for ; j < len(e.comps); j++ {
		if e.comps[j].use == uR {
			return false
		}
	}
	return true
}

// indexByte is bytes.IndexByte for short values.
func indexByte(v []byte, c byte) int {
	for i, b := range v {
		if b == c {
			return i
		}
	}
	return -1
}

// checkElementFull is checkElement for any element.
func (p *Parser) checkElementFull(seg *x12.Segment, loop string, pos int, e *elemDef, v []byte, classes uint8) {
	at := elemAt{elem: pos, de: e.de, off: seg.ElementOffset(pos)}
	if e.comps != nil {
		at.de = e.comps[0].de
	}
	p.checkValue(seg, loop, at, e, v, classes)
}

// checkRepeats checks the repetitions of a repeatable element value v
// (holding at least one repetition separator) one by one; a repetition
// past e.reps is IK403 12.
func (p *Parser) checkRepeats(seg *x12.Segment, loop string, at elemAt, e *elemDef, v []byte, classes uint8) {
	rs := seg.Delims.Repetition
	off := at.off
	for n := 1; ; n++ {
		k := bytes.IndexByte(v, rs)
		part := v
		if k >= 0 {
			part = v[:k]
		}
		r := at
		r.rep, r.off = n, off
		if n > e.reps {
			p.elemIssue(seg, loop, r, "12", v)
			return
		}
		p.checkValue(seg, loop, r, e, part, classes&^classRep)
		if k < 0 {
			return
		}
		v = v[k+1:]
		off += int64(k) + 1
	}
}

// checkValue is checkElementFull for the element (or repetition) at.
func (p *Parser) checkValue(seg *x12.Segment, loop string, at elemAt, e *elemDef, v []byte, classes uint8) {
	pos := at.elem
	if e.use == uN {
		if len(v) > 0 {
			p.elemIssue(seg, loop, at, "I10", v)
		}
		return
	}
	if len(v) == 0 {
		if e.use == uR {
			p.elemIssue(seg, loop, at, "1", nil)
		}
		return
	}
	// A value holds a byte outside the character set only when its
	// segment does.
	ctl := classes&classCtl != 0
	if rs := seg.Delims.Repetition; rs != 0 && classes&classRep != 0 {
		if e.reps > 1 && bytes.IndexByte(v, rs) >= 0 {
			p.checkRepeats(seg, loop, at, e, v, classes)
			return
		}
		if k := bytes.IndexByte(v, rs); k >= 0 {
			r := at
			r.rep, r.off = 2, at.off+int64(k)+1
			p.elemIssue(seg, loop, r, "12", v[k+1:])
			v = v[:k]
		}
	}
	cs := seg.Delims.Component
	if e.comps == nil {
		if classes&classComp != 0 {
			if k := bytes.IndexByte(v, cs); k >= 0 {
				c := at
				c.comp, c.off = 2, at.off+int64(k)+1
				p.elemIssue(seg, loop, c, "13", v)
				return
			}
		}
		var qual []byte
		if e.period > 0 {
			qual = seg.Element(e.period)
		}
		if code := valueCode(&e.compDef, v, qual, ctl); code != "" {
			p.elemIssue(seg, loop, at, code, v)
		}
		return
	}
	// Composite: walk the components.
	rest := v
	off := at.off
	for j := 1; ; j++ {
		k := bytes.IndexByte(rest, cs)
		cv := rest
		if k >= 0 {
			cv = rest[:k]
		}
		ca := elemAt{elem: pos, comp: j, off: off}
		if j > len(e.comps) {
			if len(cv) > 0 || k >= 0 {
				ca.de = at.de
				p.elemIssue(seg, loop, ca, "13", v)
				return
			}
		} else {
			cd := &e.comps[j-1]
			ca.de = cd.de
			switch {
			case cd.use == uN:
				if len(cv) > 0 {
					p.elemIssue(seg, loop, ca, "I10", cv)
				}
			case len(cv) == 0:
				if cd.use == uR {
					p.elemIssue(seg, loop, ca, "1", nil)
				}
			default:
				var qual []byte
				if cd.period > 0 {
					qual = componentOf(v, cs, cd.period)
				}
				if code := valueCode(cd, cv, qual, ctl); code != "" {
					p.elemIssue(seg, loop, ca, code, cv)
				}
			}
		}
		if k < 0 {
			break
		}
		rest = rest[k+1:]
		off += int64(k) + 1
	}
	// Required components after the last one sent.
	for j := countByte(v, cs) + 2; j <= len(e.comps); j++ {
		if e.comps[j-1].use == uR {
			p.elemIssue(seg, loop, elemAt{elem: pos, comp: j, de: e.comps[j-1].de, off: at.off + int64(len(v))}, "1", nil)
		}
	}
}

// componentOf returns component j (1-based) of element value v.
func componentOf(v []byte, sep byte, j int) []byte {
	for k := 1; ; k++ {
		n := bytes.IndexByte(v, sep)
		if k == j {
			if n < 0 {
				return v
			}
			return v[:n]
		}
		if n < 0 {
			return nil
		}
		v = v[n+1:]
	}
}

// valueCode returns the IK403 code for a non-empty value v of an element or
// component with rules cd ("" when valid). qual is the date format
// qualifier for period values. ctl says whether v may hold bytes outside
// the character set (when false, the search for them is skipped).
func valueCode(cd *compDef, v []byte, qual []byte, ctl bool) string {
	if ctl {
		for _, c := range v {
			if outOfSet(c) {
				return "6"
			}
		}
	}
	if cd.period > 0 {
		return periodCode(qual, v)
	}
	switch cd.typ {
	case tID:
		if cd.codes != nil {
			if inList(v, cd.codes) {
				return ""
			}
			if inList(v, cd.notIG) || inList(v, stdCodes[cd.de]) {
				return "I6"
			}
			return "7"
		}
		return lengthCode(len(v), cd)
	case tN0, tR:
		digits, ok := numberDigits(v, cd.typ == tR)
		if !ok {
			return "6"
		}
		return lengthCode(digits, cd)
	case tDT:
		if c := lengthCode(len(v), cd); c != "" {
			return c
		}
		if !isDate(v) {
			return "8"
		}
	case tTM:
		if c := lengthCode(len(v), cd); c != "" {
			return c
		}
		if !isTime(v) {
			return "9"
		}
	default:
		if cd.codes != nil && !inList(v, cd.codes) {
			return "7"
		}
		return lengthCode(len(v), cd)
	}
	return ""
}

func lengthCode(n int, cd *compDef) string {
	switch {
	case n < cd.min:
		return "4"
	case cd.max > 0 && n > cd.max:
		return "5"
	}
	return ""
}

// numberDigits validates an N0 (decimal false) or R number and returns its
// digit count (sign and decimal point excluded).
func numberDigits(v []byte, decimal bool) (int, bool) {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	digits, dot := 0, false
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && decimal && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	return digits, digits > 0
}

// periodCode checks a date/time value against its format qualifier.
func periodCode(qual, v []byte) string {
	switch string(qual) {
	case "D8":
		if !isDate(v) {
			return "8"
		}
	case "RD8":
		if len(v) != 17 || v[8] != '-' || !isDate(v[:8]) || !isDate(v[9:]) || string(v[:8]) > string(v[9:]) {
			return "8"
		}
	case "DT":
		if len(v) != 12 || !isDate(v[:8]) {
			return "8"
		}
		if !isTime(v[8:]) {
			return "9"
		}
	case "TM":
		if len(v) != 4 || !isTime(v) {
			return "9"
		}
	}
	return ""
}

// isDate reports whether v is a valid CCYYMMDD date.
func isDate(v []byte) bool {
	if len(v) != 8 {
		return false
	}
	n, ok := atoi(v)
	if !ok {
		return false
	}
	y, m, d := n/10000, n/100%100, n%100
	if y < 1800 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// isTime reports whether v is a valid HHMM[SS[d..]] time.
func isTime(v []byte) bool {
	if len(v) < 4 || len(v) > 8 || len(v) == 5 {
		return false
	}
	n, ok := atoi(v)
	if !ok {
		return false
	}
	_ = n
	hh := int(v[0]-'0')*10 + int(v[1]-'0')
	mm := int(v[2]-'0')*10 + int(v[3]-'0')
	if hh > 23 || mm > 59 {
		return false
	}
	if len(v) >= 6 {
		if ss := int(v[4]-'0')*10 + int(v[5]-'0'); ss > 59 {
			return false
		}
	}
	return true
}

// present reports whether element pos of seg has a value.
func present(seg *x12.Segment, pos int) bool { return len(seg.Element(pos)) > 0 }

// noteMissing reports element pos of seg missing under a syntax note
// (unless it is required, and so already reported).
func (p *Parser) noteMissing(seg *x12.Segment, sd *segDef, loop string, pos int) {
	if pos > len(sd.elems) {
		return
	}
	e := &sd.elems[pos-1]
	if e.use == uR { // already reported as required
		return
	}
	de := e.de
	if e.comps != nil {
		de = e.comps[0].de
	}
	p.elemIssue(seg, loop, elemAt{elem: pos, de: de, off: seg.ElementOffset(pos)}, "2", nil)
}

// checkNote applies one syntax note.
func (p *Parser) checkNote(seg *x12.Segment, sd *segDef, loop string, sn *syntaxNote) {
	first := sn.elems[0]
	switch sn.kind {
	case 'P':
		any := false
		for _, e := range sn.elems {
			any = any || present(seg, e)
		}
		if any {
			for _, e := range sn.elems {
				if !present(seg, e) {
					p.noteMissing(seg, sd, loop, e)
				}
			}
		}
	case 'R':
		for _, e := range sn.elems {
			if present(seg, e) {
				return
			}
		}
		p.noteMissing(seg, sd, loop, first)
	case 'E':
		seen := false
		for _, e := range sn.elems {
			if !present(seg, e) {
				continue
			}
			if seen {
				p.elemIssue(seg, loop, elemAt{elem: e, de: elemDE(sd, e), off: seg.ElementOffset(e)}, "10", seg.Element(e))
			}
			seen = true
		}
	case 'C':
		if present(seg, first) {
			for _, e := range sn.elems[1:] {
				if !present(seg, e) {
					p.noteMissing(seg, sd, loop, e)
				}
			}
		}
	case 'L':
		if present(seg, first) {
			for _, e := range sn.elems[1:] {
				if present(seg, e) {
					return
				}
			}
			p.noteMissing(seg, sd, loop, sn.elems[1])
		}
	}
}

// elemDE returns the data element number of element pos of sd.
func elemDE(sd *segDef, pos int) string {
	if pos > len(sd.elems) {
		return ""
	}
	e := &sd.elems[pos-1]
	if e.comps != nil {
		return e.comps[0].de
	}
	return e.de
}

func countByte(v []byte, c byte) int {
	n := 0
	for _, b := range v {
		if b == c {
			n++
		}
	}
	return n
}

// checkCharset reports, for a placed segment without element rules, each
// element that holds a byte outside the character set (IK403 6).
func (p *Parser) checkCharset(seg *x12.Segment, loop string) {
	if p.scanSegment(seg)&classCtl == 0 {
		return
	}
	for pos := 1; pos <= seg.Len(); pos++ {
		v := seg.Element(pos)
		for _, c := range v {
			if outOfSet(c) && c != seg.Delims.Component && (seg.Delims.Repetition == 0 || c != seg.Delims.Repetition) {
				p.elemIssue(seg, loop, elemAt{elem: pos, off: seg.ElementOffset(pos)}, "6", v)
				break
			}
		}
	}
}
