package claimstatus

import (
	"io"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/internal/setread"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// ResponseSet is a whole 277 (X212) transaction set decoded into the
// Response values Write277 takes (one per information source level), the
// parser's issues and its segments, so it re-encodes byte for byte.
type ResponseSet struct {
	Header    *Header
	Responses []Response
	// Set holds the guide version, the set's segments (ST..SE, owned),
	// the implementation-guide issues of the schema parser (Issues) and
	// whether the set ended with its SE (Complete); its Encode writes the
	// segments back byte for byte.
	setread.Set
}

// responseBuilder builds the Responses of one 277 set from schema events.
type responseBuilder struct {
	header *Header
	out    []Response
	resp   *Response
	prov   *Provider
	sub    Party
	dep    *Party
	claim  *ClaimStatus
	line   *LineStatus
	level  *LevelStatus // the open 2200B/2200C status
}

func (b *responseBuilder) HandleEvent(e schema.Event) error {
	if e.Unplaced {
		return nil
	}
	seg := e.Seg
	if seg.Is("HL") && e.NewLoop {
		b.claim, b.line, b.level = nil, nil, nil
		switch e.Loop {
		case "2000A":
			b.out = append(b.out, Response{})
			b.resp, b.prov = &b.out[len(b.out)-1], nil
			if b.header != nil {
				b.resp.Reference = b.header.Reference
			}
		case "2000C":
			if b.resp != nil {
				b.resp.Providers = append(b.resp.Providers, Provider{})
				b.prov = &b.resp.Providers[len(b.resp.Providers)-1]
			}
		case "2000D":
			b.sub, b.dep = Party{}, nil
		case "2000E":
			b.dep = &Party{}
		}
		return nil
	}
	switch e.Loop {
	case "HEADER":
		switch {
		case seg.Is("ST"):
			b.header = &Header{Control: seg.String(2), Version: seg.String(3)}
		case seg.Is("BHT") && b.header != nil:
			h := b.header
			h.Purpose, h.Reference, h.Date, h.Time = seg.String(2), seg.String(3), seg.String(4), seg.String(5)
		}
		return nil
	}
	if b.resp == nil {
		return nil
	}
	switch e.Loop {
	case "2100A":
		if seg.Is("NM1") {
			b.resp.Payer = party(seg)
		}
	case "2100B":
		if seg.Is("NM1") {
			b.resp.Receiver = party(seg)
		}
	case "2100C":
		if seg.Is("NM1") && b.prov != nil && b.prov.ID == "" {
			b.prov.Party = party(seg)
		}
	case "2100D":
		if seg.Is("NM1") {
			b.sub = party(seg)
		}
	case "2100E":
		if seg.Is("NM1") && b.dep != nil {
			*b.dep = party(seg)
		}
	case "2200B", "2200C":
		switch {
		case seg.Is("TRN"):
			b.level = &LevelStatus{Trace: seg.String(2)}
			if e.Loop == "2200B" {
				b.resp.ReceiverStatus = b.level
			} else if b.prov != nil {
				b.prov.Status = b.level
			}
		case seg.Is("STC") && b.level != nil:
			b.level.Statuses = append(b.level.Statuses, statuses(seg)...)
			b.level.Date = seg.String(2)
		}
	case "2200D", "2200E":
		if b.prov == nil {
			return nil
		}
		if seg.Is("TRN") && e.NewLoop {
			c := ClaimStatus{Subscriber: b.sub, Trace: seg.String(2)}
			if e.Loop == "2200E" && b.dep != nil {
				d := *b.dep
				c.Dependent = &d
			}
			b.prov.Claims = append(b.prov.Claims, c)
			b.claim, b.line = &b.prov.Claims[len(b.prov.Claims)-1], nil
			return nil
		}
		if b.claim != nil {
			claimStatusSegment(b.claim, seg)
		}
	case "2220D", "2220E":
		if b.claim == nil {
			return nil
		}
		if seg.Is("SVC") && e.NewLoop {
			b.claim.Lines = append(b.claim.Lines, lineStatus(seg))
			b.line = &b.claim.Lines[len(b.claim.Lines)-1]
			return nil
		}
		if l := b.line; l != nil {
			switch {
			case seg.Is("STC"):
				l.Statuses = append(l.Statuses, statuses(seg)...)
				l.StatusDate = seg.String(2)
			case seg.Is("REF"):
				l.ControlNumber = seg.String(2)
			case seg.Is("DTP"):
				l.ServiceFrom, l.ServiceTo = period(seg)
			}
		}
	}
	return nil
}

// claimStatusSegment adds a 2200D/2200E segment to c.
func claimStatusSegment(c *ClaimStatus, seg *x12.Segment) {
	switch {
	case seg.Is("STC"):
		first := len(c.Statuses) == 0
		c.Statuses = append(c.Statuses, statuses(seg)...)
		if !first {
			return
		}
		c.StatusDate = seg.String(2)
		if v := seg.Element(4); len(v) > 0 {
			c.ChargeCents, _ = x12.ParseCents(v)
			c.HasCharge = true
		}
		if v := seg.Element(5); len(v) > 0 {
			c.PaidCents, _ = x12.ParseCents(v)
			c.HasPaid = true
		}
		c.AdjudicationDate, c.CheckDate, c.CheckNumber = seg.String(6), seg.String(8), seg.String(9)
	case seg.Is("REF"):
		switch v := seg.String(2); seg.String(1) {
		case "1K":
			c.PayerClaimControlNumber = v
		case "EJ":
			c.PatientControlNumber = v
		case "BLT":
			c.BillType = v
		case "D9":
			c.ClearinghouseTrace = v
		}
	case seg.Is("DTP"):
		c.ServiceFrom, c.ServiceTo = period(seg)
	}
}

// statuses returns the status composites of an STC (STC01, STC10,
// STC11).
func statuses(seg *x12.Segment) []Status {
	var out []Status
	for _, pos := range []int{1, 10, 11} {
		if len(seg.Element(pos)) == 0 {
			continue
		}
		out = append(out, Status{Category: string(seg.Component(pos, 1)), Code: string(seg.Component(pos, 2)),
			Entity: string(seg.Component(pos, 3))})
	}
	return out
}

func lineStatus(seg *x12.Segment) LineStatus {
	l := LineStatus{}
	var parts []string
	for _, c := range seg.Components(1) {
		parts = append(parts, string(c))
	}
	if len(parts) >= 2 && parts[0] == "NU" {
		l.RevenueCode = parts[1]
	} else {
		l.Procedure = strings.Join(parts, ":")
		l.RevenueCode = seg.String(4)
	}
	l.ChargeCents, _ = x12.ParseCents(seg.Element(2))
	l.PaidCents, _ = x12.ParseCents(seg.Element(3))
	l.Units, _ = x12.ParseMilli(seg.Element(7))
	return l
}

// ReadResponses reads an X12 stream and calls fn with every 277 (X212)
// transaction set it holds, decoded whole. Other sets (the 277CA X214
// included) and the envelope are skipped.
func ReadResponses(rd io.Reader, fn func(*ResponseSet) error) error {
	b := &responseBuilder{}
	return setread.Read(rd, "277", true, b, func(s *setread.Set) error {
		if s.Version != Version {
			*b = responseBuilder{}
			return nil
		}
		rs := &ResponseSet{Header: b.header, Responses: b.out, Set: *s}
		if rs.Header == nil {
			rs.Header = &Header{}
		}
		if rs.Header.Version == "" {
			rs.Header.Version = s.Version
		}
		*b = responseBuilder{}
		return fn(rs)
	})
}

// DecodeResponses decodes every 277 (X212) transaction set of an X12
// interchange held in memory.
func DecodeResponses(data []byte) ([]*ResponseSet, error) {
	return setread.Collect(data, ReadResponses)
}
