package schema

import (
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Situational rules: implementation-guide checks that relate segments or
// elements to each other and so cannot be table entries. Each rule is a
// named method called from three hooks: when a loop opens (onOpen), when a
// segment is placed (onSegment) and when a loop instance closes (onClose).
//
//	ruleHLSequence        HL01 starts at 1 and grows by 1         IK403 I12 on HL01
//	ruleHLParent          HL02 is the HL01 of the enclosing level  IK403 I12 on HL02
//	ruleHLChildCode       HL04 says whether a child level follows  IK403 I12 on HL04
//	ruleSubscriberPatient no patient level => SBR02 = 18           IK403 I9 on SBR02
//	                      patient level under SBR02 = 18           IK304 I9 on the 2000C HL
//	ruleLXSequence        LX01 is 1, 2, 3 ... within a claim        IK403 I12 on LX01
//	ruleClaimBalance      CLM02 = sum of line charges (SV102/SV203) IK403 I12 on CLM02
//	ruleReplacementRef    CLM05-3 = 7 or 8 needs 2300 REF*F8        IK304 I6 (REF) at the CLM, warning
//
// Identifier and address formats of the 837 guides (values with bytes
// outside the character set, or outside the standard's length, are left to
// the element checks, which already report them):
//
//	ruleZip  N403 of a US address (N404 absent or US) is 5 or 9 digits,     IK403 6 non-digit, 4 short, 5 long
//	         9 in the billing provider and service facility loops (zip9)
//	ruleNPI  NM109 when NM108 = XX is 10 digits with the NPI check digit    IK403 6 non-digit, 4 short, 5 long,
//	         (Luhn over 80840 + the first 9 digits)                         7 wrong check digit
//	ruleEIN  2010AA REF02 when REF01 = EI is the 9-digit TIN, no hyphen     IK403 6 non-digit, 4 short, 5 long

// claimState follows the 2300 loop being parsed.
type claimState struct {
	active   bool
	id       []byte // CLM01
	idStr    string
	idCached bool
	at       segRef // the CLM
	chargeAt segRef // CLM02
	charge   int64
	chargeOK bool
	chargeV  []byte // CLM02 as sent
	sum      int64
	sumOK    bool
	lines    int
	lastLX   int
	replaces bool // CLM05-3 is 7 or 8
	hasF8    bool
}

func (c *claimState) reset() {
	id, v := c.id[:0], c.chargeV[:0]
	*c = claimState{id: id, chargeV: v}
}

// idString returns CLM01 as a string, converting once per claim.
func (c *claimState) idString() string {
	if !c.idCached {
		c.idStr, c.idCached = string(c.id), true
	}
	return c.idStr
}

// onOpen runs when a loop instance opens with trigger seg.
func (p *Parser) onOpen(f *frame, seg *x12.Segment) {
	if p.ext != nil {
		p.ext.open(p, f.def.id, seg)
	}
	switch {
	case f.def.level != "":
		p.ruleHLSequence(f, seg)
		p.ruleHLParent(f, seg)
		f.hlID = append(f.hlID[:0], seg.Element(1)...)
		f.hlChild = 0
		if v := seg.Element(4); len(v) == 1 {
			f.hlChild = v[0]
		}
		f.at04 = refOf(seg)
		f.at04.offset = seg.ElementOffset(4)
		if f.def.level == "23" {
			p.ruleSubscriberPatientOpen(seg)
		}
	case f.def.id == "2300":
		p.claim.reset()
		p.claim.active = true
		p.claim.id = append(p.claim.id, seg.Element(1)...)
		p.claim.at = refOf(seg)
		p.claim.chargeAt = refOf(seg)
		p.claim.chargeAt.offset = seg.ElementOffset(2)
		p.claim.charge, p.claim.chargeOK = cents(seg.Element(2))
		p.claim.chargeV = append(p.claim.chargeV, seg.Element(2)...)
		p.claim.sumOK = true
		freq := seg.Component(5, 3)
		p.claim.replaces = string(freq) == "7" || string(freq) == "8"
		if hf := p.hlFrame("22"); hf != nil && p.hlFrame("23") == nil {
			hf.hasClaims = true
		}
	}
}

// onSegment runs for every placed segment; loop is its event loop.
func (p *Parser) onSegment(seg *x12.Segment, sd *segDef, loop string) {
	if p.ext != nil {
		p.ext.segment(p, seg, sd, loop)
	}
	switch sd.id {
	case "SBR":
		if loop == "2000B" {
			if f := p.hlFrame("22"); f != nil {
				f.sbrSeen = true
				f.sbr18 = string(seg.Element(2)) == "18"
				f.sbrAt = refOf(seg)
				f.sbrAt.offset = seg.ElementOffset(2)
			}
		}
	case "REF":
		if loop == "2300" && string(seg.Element(1)) == "F8" {
			p.claim.hasF8 = true
		}
		if p.s.claimIDs && loop == "2010AA" && string(seg.Element(1)) == "EI" {
			p.ruleEIN(seg, loop)
		}
	case "N4":
		if p.s.claimIDs {
			p.ruleZip(seg, loop)
		}
	case "NM1":
		if p.s.claimIDs && string(seg.Element(8)) == "XX" {
			p.ruleNPI(seg, loop)
		}
	case "LX":
		if loop == "2400" {
			p.ruleLXSequence(seg)
		}
	case p.s.lineSeg:
		if loop == "2400" && p.claim.active {
			c, ok := cents(seg.Element(p.s.lineCharge))
			p.claim.sum += c
			p.claim.sumOK = p.claim.sumOK && ok
			p.claim.lines++
		}
	}
}

// onClose runs when a loop instance closes; at is the segment that closed
// it (or the last segment of the set).
func (p *Parser) onClose(f *frame, at segRef) {
	if p.ext != nil {
		p.ext.close(p, f.def.id)
	}
	switch {
	case f.def.level != "":
		p.ruleHLChildCode(f)
		if f.def.level == "22" {
			p.ruleSubscriberPatientClose(f)
		}
	case f.def.id == "2300":
		p.ruleClaimBalance()
		p.ruleReplacementRef()
		p.claim.active = false
	}
}

// hlFrame returns the open hierarchical loop of the given level, or nil.
func (p *Parser) hlFrame(level string) *frame {
	for k := len(p.stack) - 1; k > 0; k-- {
		if p.stack[k].def.level == level {
			return &p.stack[k]
		}
	}
	return nil
}

// ruleHLSequence: HL01 is 1 for the first HL and one more than the
// previous HL01 after that.
func (p *Parser) ruleHLSequence(f *frame, seg *x12.Segment) {
	v := seg.Element(1)
	n, ok := atoi(v)
	if len(v) > 0 && (!ok || n != p.lastHL+1) {
		p.ruleIssue(refOf(seg), seg.ElementOffset(1), "HL", f.def.id, 1, "628", "I12", v,
			fmt.Sprintf("HL01 must be %d (hierarchical IDs start at 1 and increase by 1)", p.lastHL+1))
	}
	if ok {
		p.lastHL = n
	} else {
		p.lastHL++
	}
}

// ruleHLParent: HL02 of a subscriber or patient level points at the HL01
// of the enclosing billing provider or subscriber level.
func (p *Parser) ruleHLParent(f *frame, seg *x12.Segment) {
	if f.def.level == "20" {
		return
	}
	parent := p.hlParentOf(f)
	v := seg.Element(2)
	if parent == nil || len(v) == 0 || string(v) == string(parent.hlID) {
		return
	}
	p.ruleIssue(refOf(seg), seg.ElementOffset(2), "HL", f.def.id, 2, "734", "I12", v,
		fmt.Sprintf("HL02 does not point at the enclosing %s level", parent.def.id))
}

// hlParentOf returns the hierarchical frame enclosing f.
func (p *Parser) hlParentOf(f *frame) *frame {
	for k := len(p.stack) - 1; k > 0; k-- {
		if &p.stack[k] == f {
			for j := k - 1; j > 0; j-- {
				if p.stack[j].def.level != "" {
					return &p.stack[j]
				}
			}
			return nil
		}
	}
	return nil
}

// ruleHLChildCode: HL04 = 1 when a child level follows, 0 when none does.
func (p *Parser) ruleHLChildCode(f *frame) {
	var msg string
	switch {
	case f.hlChild == '1' && !f.hasChild:
		msg = "HL04 says a child level follows but none does"
	case f.hlChild == '0' && f.hasChild:
		msg = "HL04 says no child level follows but one does"
	default:
		return
	}
	p.ruleIssue(f.at04, f.at04.offset, "HL", f.def.id, 4, "736", "I12", []byte{f.hlChild}, msg)
}

// ruleSubscriberPatientClose: a subscriber level with claims and no
// patient level is the patient, so SBR02 must say 18 (self).
func (p *Parser) ruleSubscriberPatientClose(f *frame) {
	if !f.sbrSeen || f.hasChild || !f.hasClaims || f.sbr18 {
		return
	}
	p.ruleIssue(f.sbrAt, f.sbrAt.offset, "SBR", "2000B", 2, "1069", "I9", nil,
		"SBR02 must be 18 when the subscriber is the patient (no patient level)")
}

// ruleSubscriberPatientOpen: a patient level is not sent when the
// subscriber is the patient (SBR02 = 18).
func (p *Parser) ruleSubscriberPatientOpen(seg *x12.Segment) {
	if f := p.hlFrame("22"); f != nil && f.sbr18 {
		p.segIssue(refOf(seg), "HL", "2000C", "I9", "patient level sent although SBR02 says the subscriber is the patient")
	}
}

// ruleLXSequence: LX01 counts the lines of a claim from 1.
func (p *Parser) ruleLXSequence(seg *x12.Segment) {
	want := p.claim.lastLX + 1
	v := seg.Element(1)
	n, ok := atoi(v)
	if len(v) > 0 && (!ok || n != want) {
		p.ruleIssue(refOf(seg), seg.ElementOffset(1), "LX", "2400", 1, "554", "I12", v,
			fmt.Sprintf("LX01 must be %d (line numbers start at 1 and increase by 1 within a claim)", want))
	}
	p.claim.lastLX = want
}

// ruleClaimBalance: the claim total charge equals the sum of the line
// charges.
func (p *Parser) ruleClaimBalance() {
	c := &p.claim
	if !c.chargeOK || !c.sumOK || c.lines == 0 || c.charge == c.sum {
		return
	}
	p.ruleIssue(c.chargeAt, c.chargeAt.offset, "CLM", "2300", 2, "782", "I12", c.chargeV,
		fmt.Sprintf("CLM02 %s does not equal the sum of the line charges %s",
			x12.FormatCents(c.charge), x12.FormatCents(c.sum)))
}

// ruleReplacementRef: a replacement (7) or void (8) claim carries the
// payer's claim control number of the original claim in REF*F8. It is a
// warning (the set is accepted with errors, IK5 E): one claim's missing
// reference must not reject the other claims of the set; the claim itself
// is rejected in the 277CA with A6:464.
func (p *Parser) ruleReplacementRef() {
	c := &p.claim
	if !c.replaces || c.hasF8 {
		return
	}
	p.addIssue(ack.Issue{
		Level: ack.LevelSegment, Severity: ack.Warning, Code: "I6", SegmentID: "REF", Position: c.at.position, Loop: "2300",
		Offset: c.at.offset, Ordinal: c.at.ordinal,
		Message: "REF*F8 (payer claim control number) is required for a replacement or void claim",
	})
}

// ruleIssue records an element issue found by a situational rule.
func (p *Parser) ruleIssue(at segRef, off int64, segID, loop string, elem int, de, code string, value []byte, msg string) {
	p.addIssue(ack.Issue{
		Level: ack.LevelElement, Code: code, SegmentCode: "8", SegmentID: segID,
		Position: at.position, Loop: loop, Element: elem, DataElement: de, Value: string(value),
		Offset: off, Ordinal: at.ordinal, Message: msg,
	})
}

// cents parses a monetary amount.
func cents(b []byte) (int64, bool) {
	v, err := x12.ParseCents(b)
	return v, err == nil
}

// atoi parses a small unsigned decimal integer.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// digitsCode returns the IK403 code for an identifier that must be all
// digits and between min and max digits long ("" when it is), and false
// when the value is left to the element checks (empty, or holding a byte
// outside the character set or a component or repetition separator).
func digitsCode(v []byte, d x12.Delimiters, min, max int) (string, bool) {
	if len(v) == 0 {
		return "", false
	}
	for _, c := range v {
		if outOfSet(c) || c == d.Component || (d.Repetition != 0 && c == d.Repetition) {
			return "", false // reported as IK403 6, 13 or 12
		}
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return "6", true
		}
	}
	switch {
	case len(v) < min:
		return "4", true
	case len(v) > max:
		return "5", true
	}
	return "", true
}

// ruleZip: the N403 postal code of a US address (N404 absent or US) is a
// 5- or 9-digit ZIP code, and the 9-digit ZIP+4 in the loops of zip9.
func (p *Parser) ruleZip(seg *x12.Segment, loop string) {
	if c := seg.Element(4); len(c) > 0 && string(c) != "US" {
		return
	}
	v := seg.Element(3)
	if len(v) < 3 || len(v) > 15 {
		return // outside N403's 3/15: reported by the element checks
	}
	zip9 := false
	for _, l := range p.s.zip9 {
		zip9 = zip9 || l == loop
	}
	min := 5
	if zip9 {
		min = 9
	}
	code, ok := digitsCode(v, seg.Delims, min, 9)
	if ok && code == "" && len(v) != 5 && len(v) != 9 {
		code = "4" // 6 to 8 digits: short of the ZIP+4
	}
	if ok && code != "" {
		msg := "N403 must be a 5- or 9-digit ZIP code for a US address"
		if zip9 {
			msg = "N403 must be the 9-digit ZIP code (ZIP+4) for a US address in loop " + loop
		}
		p.ruleIssue(refOf(seg), seg.ElementOffset(3), "N4", loop, 3, "116", code, v, msg)
	}
}

// ruleNPI: an NPI (NM109 when NM108 = XX) is 10 digits whose last is the
// Luhn check digit computed over the prefix 80840 and the first 9.
func (p *Parser) ruleNPI(seg *x12.Segment, loop string) {
	v := seg.Element(9)
	if len(v) < 2 || len(v) > 80 {
		return // outside NM109's 2/80 (or absent): the element checks report it
	}
	code, ok := digitsCode(v, seg.Delims, 10, 10)
	msg := "NM109 must be a 10-digit NPI when NM108 is XX"
	if ok && code == "" && !ValidNPI(v) {
		code, msg = "7", "NM109 is not a valid NPI (check digit)"
	}
	if ok && code != "" {
		p.ruleIssue(refOf(seg), seg.ElementOffset(9), "NM1", loop, 9, "67", code, v, msg)
	}
}

// ruleEIN: the billing provider's REF*EI carries the 9-digit employer
// identification number without a hyphen.
func (p *Parser) ruleEIN(seg *x12.Segment, loop string) {
	v := seg.Element(2)
	if len(v) > 50 {
		return // outside REF02's 1/50: the element checks report it
	}
	if code, ok := digitsCode(v, seg.Delims, 9, 9); ok && code != "" {
		p.ruleIssue(refOf(seg), seg.ElementOffset(2), "REF", loop, 2, "127", code, v,
			"REF02 must be the 9-digit EIN without a hyphen when REF01 is EI")
	}
}

// ValidNPI reports whether s is a National Provider Identifier: ten
// digits, the last being the Luhn check digit computed over the card
// issuer prefix 80840 followed by the first nine.
func ValidNPI[T string | []byte](s T) bool {
	if len(s) != 10 {
		return false
	}
	sum := 24 // 80840 with every other digit doubled, as a prefix of nine more
	for i := 0; i < 10; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 0 && i < 9 {
			// The rightmost of the first nine digits (and every other one
			// leftwards) is doubled: positions 0, 2, 4, 6, 8.
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
