package schema

import (
	"bytes"
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// The 835 balancing rules (reference §4.2), checked while the set streams
// with integer cents:
//
//	ruleMoney835        a monetary amount (DE 782) has at most two decimal   IK403 I12 on the amount
//	                    places
//	ruleLineBalance     SVC02 − Σ line CAS amounts = SVC03 (per 2110)         IK403 I12 on SVC03
//	ruleClaimBalance835 CLP03 − Σ claim CAS − Σ line CAS = CLP04 (per 2100)   IK403 I12 on CLP04
//	rulePatientResp     CLP05, when sent, = Σ CAS amounts of group PR, claim  IK403 I12 on CLP05, warning
//	                    and lines (not checked on a reversal, CLP02 22)
//	rulePaymentBalance  BPR02 = Σ CLP04 − Σ PLB amounts (BPR03 D: the        IK403 I12 on BPR02
//	                    negative of BPR02); BPR01 H (notification only)
//	                    has BPR02 = 0
//
// Why I12 ("implementation pattern match failure"): the values are well
// formed and each is a valid amount on its own; what fails is a relation
// the implementation guide imposes between them. IK403 7 is for code
// values, 8 and 9 for dates and times, I9 for a missing element: none
// describes it. The 837 claim balance (CLM02 = Σ line charges, rules.go)
// reports I12 for the same reason, so a 999 reader sees one code for
// "amounts do not add up". The element reported is the one that should
// equal the sum (SVC03, CLP04, CLP05, BPR02), at its byte offset.
//
// A rule whose amounts do not all parse (a format error already reported
// by the element checks or ruleMoney835) is skipped for that loop, so one
// bad amount gives one issue. The patient responsibility rule is a
// warning (IK5 E, the set is accepted with errors): X12 states it as a
// rule but not part of financial balancing (RFI 2548), and a reversal
// carries the original claim's amounts negated, which need not follow it.

// amount is a monetary amount seen earlier, kept for an issue reported
// when its loop closes.
type amount struct {
	at  segRef
	off int64
	v   int64
	ok  bool   // present and parsed
	raw []byte // as sent (IK404)
}

func (a *amount) set(seg *x12.Segment, pos int, v int64, ok bool) {
	a.at = refOf(seg)
	a.off = seg.ElementOffset(pos)
	a.v, a.ok = v, ok
	a.raw = append(a.raw[:0], seg.Element(pos)...)
}

// rules835 is the per-parser state of the 835 rules.
type rules835 struct {
	// transaction
	bpr     amount
	bprSeen bool
	debit   bool  // BPR03 D
	notify  bool  // BPR01 H
	net     int64 // Σ CLP04 − Σ PLB amounts
	netOK   bool

	// claim (2100)
	inClaim           bool
	charge, paid      amount
	resp              amount
	reversal          bool
	claimAdj, lineAdj int64 // Σ claim CAS, Σ line CAS
	pr                int64 // Σ PR CAS, claim and lines
	claimOK           bool  // every CAS amount of the claim parsed

	// line (2110)
	inLine         bool
	lCharge, lPaid amount
	lAdj           int64
	lineOK         bool
}

func newRules835() setRules { return &rules835{} }

func (r *rules835) reset() {
	r.bprSeen, r.debit, r.notify = false, false, false
	r.net, r.netOK = 0, true
	r.inClaim, r.inLine = false, false
}

func (r *rules835) open(p *Parser, loop string, seg *x12.Segment) {
	switch loop {
	case "2100":
		r.inClaim = true
		r.claimAdj, r.lineAdj, r.pr = 0, 0, 0
		r.claimOK = true
		r.reversal = string(seg.Element(2)) == "22"
	case "2110":
		r.inLine = true
		r.lAdj = 0
		r.lineOK = true
	}
}

// cents835 parses a monetary amount of seg, reporting more than two
// decimal places (ruleMoney835). ok is false for an absent or bad value.
func (r *rules835) cents835(seg *x12.Segment, pos int) (int64, bool) {
	v := seg.Element(pos)
	if len(v) == 0 {
		return 0, false
	}
	c, err := x12.ParseCents(v)
	if err != nil {
		return 0, false
	}
	if decimals(v) > 2 {
		return 0, false
	}
	return c, true
}

// decimals returns the number of digits after the decimal point of v.
func decimals(v []byte) int {
	for i, c := range v {
		if c == '.' {
			return len(v) - i - 1
		}
	}
	return 0
}

// ruleMoney835: every monetary amount has at most two decimal places
// (amounts are whole cents).
func (r *rules835) ruleMoney835(p *Parser, seg *x12.Segment, sd *segDef, loop string) {
	if len(sd.money) == 0 || !longFraction(seg.Raw()) {
		return // no value of the segment has three digits after a point
	}
	for _, pos := range sd.money {
		v := seg.Element(pos)
		if len(v) < 4 || decimals(v) <= 2 {
			continue
		}
		if _, ok := numberDigits(v, true); !ok {
			continue // not a number: IK403 6 from the element checks
		}
		p.ruleIssue(refOf(seg), seg.ElementOffset(pos), sd.id, ikLoop(loop), pos, "782", "I12", v,
			fmt.Sprintf("%s%02d has more than two decimal places (amounts are whole cents)", sd.id, pos))
	}
}

// longFraction reports whether raw holds a '.' followed by three digits:
// the only way an amount of the segment can have more than two decimal
// places (a quick test before the per-element check).
func longFraction(raw []byte) bool {
	for {
		i := bytes.IndexByte(raw, '.')
		if i < 0 || i+3 >= len(raw) {
			return false
		}
		if isDigit(raw[i+1]) && isDigit(raw[i+2]) && isDigit(raw[i+3]) {
			return true
		}
		raw = raw[i+1:]
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ikLoop is the IK303 loop of a segment placed in event loop loop: none
// for the header and trailer.
func ikLoop(loop string) string {
	if loop == "HEADER" || loop == "TRAILER" {
		return ""
	}
	return loop
}

func (r *rules835) segment(p *Parser, seg *x12.Segment, sd *segDef, loop string) {
	if sd.elems == nil {
		return
	}
	r.ruleMoney835(p, seg, sd, loop)
	switch sd.id {
	case "BPR":
		v, ok := r.cents835(seg, 2)
		r.bpr.set(seg, 2, v, ok)
		r.bprSeen = true
		r.debit = string(seg.Element(3)) == "D"
		r.notify = string(seg.Element(1)) == "H"
	case "CLP":
		if !r.inClaim {
			return
		}
		v, ok := r.cents835(seg, 3)
		r.charge.set(seg, 3, v, ok)
		v, ok = r.cents835(seg, 4)
		r.paid.set(seg, 4, v, ok)
		v, ok = r.cents835(seg, 5)
		r.resp.set(seg, 5, v, ok)
	case "SVC":
		if !r.inLine {
			return
		}
		v, ok := r.cents835(seg, 2)
		r.lCharge.set(seg, 2, v, ok)
		v, ok = r.cents835(seg, 3)
		r.lPaid.set(seg, 3, v, ok)
	case "CAS":
		r.adjustments(p, seg, loop)
	case "PLB":
		for pos := 4; pos <= 14; pos += 2 {
			if len(seg.Element(pos)) == 0 {
				continue
			}
			v, ok := r.cents835(seg, pos)
			r.net -= v
			r.netOK = r.netOK && ok
		}
	}
}

// adjustments adds the amounts of a CAS to the claim or line sums.
func (r *rules835) adjustments(p *Parser, seg *x12.Segment, loop string) {
	pr := string(seg.Element(1)) == "PR"
	for pos := 3; pos <= 18; pos += 3 {
		if len(seg.Element(pos)) == 0 {
			continue
		}
		v, ok := r.cents835(seg, pos)
		switch {
		case loop == "2110" && r.inLine:
			r.lAdj += v
			r.lineOK = r.lineOK && ok
			r.lineAdj += v
			r.claimOK = r.claimOK && ok
		case loop == "2100" && r.inClaim:
			r.claimAdj += v
			r.claimOK = r.claimOK && ok
		default:
			continue
		}
		if pr {
			r.pr += v
		}
	}
}

func (r *rules835) close(p *Parser, loop string) {
	switch loop {
	case "2110":
		if r.inLine {
			r.ruleLineBalance(p)
		}
		r.inLine = false
	case "2100":
		if r.inClaim {
			r.ruleClaimBalance835(p)
			r.rulePatientResp(p)
			r.net += r.paid.v
			r.netOK = r.netOK && r.paid.ok
		}
		r.inClaim = false
	}
}

func (r *rules835) finish(p *Parser) {
	r.rulePaymentBalance(p)
}

// ruleLineBalance: the line paid amount is the line charge less the line
// adjustments.
func (r *rules835) ruleLineBalance(p *Parser) {
	if !r.lCharge.ok || !r.lPaid.ok || !r.lineOK {
		return
	}
	if want := r.lCharge.v - r.lAdj; want != r.lPaid.v {
		a := &r.lPaid
		p.ruleIssue(a.at, a.off, "SVC", "2110", 3, "782", "I12", a.raw,
			fmt.Sprintf("SVC03 %s does not equal SVC02 %s less the line adjustments %s (expected %s)",
				x12.FormatCents(a.v), x12.FormatCents(r.lCharge.v), x12.FormatCents(r.lAdj), x12.FormatCents(want)))
	}
}

// ruleClaimBalance835: the claim paid amount is the claim charge less the
// claim and line adjustments.
func (r *rules835) ruleClaimBalance835(p *Parser) {
	if !r.charge.ok || !r.paid.ok || !r.claimOK {
		return
	}
	if want := r.charge.v - r.claimAdj - r.lineAdj; want != r.paid.v {
		a := &r.paid
		p.ruleIssue(a.at, a.off, "CLP", "2100", 4, "782", "I12", a.raw,
			fmt.Sprintf("CLP04 %s does not equal CLP03 %s less the claim adjustments %s and line adjustments %s (expected %s)",
				x12.FormatCents(a.v), x12.FormatCents(r.charge.v), x12.FormatCents(r.claimAdj),
				x12.FormatCents(r.lineAdj), x12.FormatCents(want)))
	}
}

// rulePatientResp: the patient responsibility amount, when sent, is the
// sum of the PR adjustments of the claim and its lines.
func (r *rules835) rulePatientResp(p *Parser) {
	if r.reversal || !r.resp.ok || !r.claimOK || r.resp.v == r.pr {
		return
	}
	a := &r.resp
	p.addIssue(ack.Issue{
		Level: ack.LevelElement, Severity: ack.Warning, Code: "I12", SegmentCode: "8", SegmentID: "CLP",
		Position: a.at.position, Loop: "2100", Element: 5, DataElement: "782", Value: string(a.raw),
		Offset: a.off, Ordinal: a.at.ordinal,
		Message: fmt.Sprintf("CLP05 %s does not equal the patient responsibility (CAS group PR) adjustments %s",
			x12.FormatCents(a.v), x12.FormatCents(r.pr)),
	})
}

// rulePaymentBalance: the total payment is the sum of the claim payments
// less the provider-level adjustments; a debit (BPR03 D) takes money back,
// so the net is the negative of BPR02. A notification (BPR01 H) must have
// BPR02 = 0.
func (r *rules835) rulePaymentBalance(p *Parser) {
	if !r.bprSeen || !r.bpr.ok {
		return
	}
	a := &r.bpr
	if r.notify && a.v != 0 {
		p.ruleIssue(a.at, a.off, "BPR", "", 2, "782", "I12", a.raw,
			fmt.Sprintf("BPR02 %s must be 0 when BPR01 is H (notification only)", x12.FormatCents(a.v)))
		return
	}
	if !r.netOK {
		return
	}
	got := a.v
	if r.debit {
		got = -a.v
	}
	if got != r.net {
		msg := fmt.Sprintf("BPR02 %s does not equal the claim payments less the provider adjustments %s",
			x12.FormatCents(a.v), x12.FormatCents(r.net))
		if r.debit {
			msg = fmt.Sprintf("BPR02 %s (debit) does not equal the negative of the claim payments less the provider adjustments %s",
				x12.FormatCents(a.v), x12.FormatCents(r.net))
		}
		p.ruleIssue(a.at, a.off, "BPR", "", 2, "782", "I12", a.raw, msg)
	}
}
