package claimstatus

import (
	"io"

	"github.com/clearinghouse/clearinghouse/edi/internal/setread"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

var _ schema.Handler = (*Decoder)(nil)

// Decoder is a streaming 276 decoder: it implements schema.Handler,
// builds one Inquiry per claim loop (2200D or 2200E) from the events of a
// schema parser (for the 276 X212 schema) and calls emit with it once the
// claim is complete (at the next claim, the next level, or the SE). It
// keeps only the claim being built and its parents, so memory does not
// grow with the number of claims in a set.
//
// The Inquiry and its parents belong to the callee; the Decoder does not
// reuse them.
type Decoder struct {
	emit func(*Inquiry) error

	header     *Header
	payer      *Party
	receiver   *Party
	providers  []Party
	subscriber *Member
	dependent  *Member
	member     *Member // the level DMG and NM1 go to
	pending    *Inquiry
	line       *Line
}

// NewDecoder returns a streaming Decoder calling emit for every claim
// inquiry. An error returned by emit is returned by HandleEvent.
func NewDecoder(emit func(*Inquiry) error) *Decoder {
	return &Decoder{emit: emit}
}

// HandleEvent implements schema.Handler.
func (d *Decoder) HandleEvent(e schema.Event) error {
	if e.Unplaced {
		return nil
	}
	seg := e.Seg
	if seg.Is("HL") && e.NewLoop {
		if err := d.Flush(); err != nil {
			return err
		}
		switch e.Loop {
		case "2000A":
			d.payer, d.receiver, d.providers, d.subscriber, d.dependent = &Party{}, &Party{}, nil, nil, nil
		case "2000B":
			d.receiver, d.providers, d.subscriber, d.dependent = &Party{}, nil, nil, nil
		case "2000C":
			d.providers, d.subscriber, d.dependent = nil, nil, nil
		case "2000D":
			d.subscriber, d.dependent = &Member{}, nil
			d.member = d.subscriber
		case "2000E":
			d.dependent = &Member{}
			d.member = d.dependent
		}
		return nil
	}
	switch e.Loop {
	case "HEADER":
		switch {
		case seg.Is("ST"):
			if err := d.Flush(); err != nil {
				return err
			}
			d.header = &Header{Control: seg.String(2), Version: seg.String(3)}
			d.payer, d.receiver, d.providers, d.subscriber, d.dependent, d.member = nil, nil, nil, nil, nil, nil
		case seg.Is("BHT") && d.header != nil:
			h := d.header
			h.Purpose, h.Reference, h.Date, h.Time = seg.String(2), seg.String(3), seg.String(4), seg.String(5)
		}
	case "TRAILER":
		return d.Flush()
	case "2000D", "2000E":
		if seg.Is("DMG") && d.member != nil {
			d.member.BirthDate, d.member.Gender = seg.String(2), seg.String(3)
		}
	case "2100A":
		if seg.Is("NM1") && d.payer != nil {
			*d.payer = party(seg)
		}
	case "2100B":
		if seg.Is("NM1") && d.receiver != nil {
			*d.receiver = party(seg)
		}
	case "2100C":
		if seg.Is("NM1") {
			d.providers = append(d.providers, party(seg))
		}
	case "2100D", "2100E":
		if seg.Is("NM1") && d.member != nil {
			d.member.Party = party(seg)
		}
	case "2200D", "2200E":
		if seg.Is("TRN") && e.NewLoop {
			if err := d.Flush(); err != nil {
				return err
			}
			d.pending = &Inquiry{Claim: Claim{Trace: seg.String(2)}, Position: seg.Position, Offset: seg.Offset,
				Subscriber: d.subscriber}
			if e.Loop == "2200E" {
				d.pending.Dependent = d.dependent
			}
			return nil
		}
		if d.pending != nil {
			claimSegment(&d.pending.Claim, seg)
		}
	case "2210D", "2210E":
		if d.pending == nil {
			return nil
		}
		c := &d.pending.Claim
		switch {
		case seg.Is("SVC") && e.NewLoop:
			c.Lines = append(c.Lines, svc(seg))
			d.line = &c.Lines[len(c.Lines)-1]
		case d.line == nil:
		case seg.Is("REF"):
			d.line.ControlNumber = seg.String(2)
		case seg.Is("DTP"):
			d.line.ServiceFrom, d.line.ServiceTo = period(seg)
		}
	}
	return nil
}

// claimSegment adds a 2200 segment to c.
func claimSegment(c *Claim, seg *x12.Segment) {
	switch {
	case seg.Is("REF"):
		r := Ref{Qualifier: seg.String(1), Value: seg.String(2)}
		c.Refs = append(c.Refs, r)
		switch r.Qualifier {
		case "1K":
			c.PayerClaimControlNumber = r.Value
		case "EJ":
			c.PatientControlNumber = r.Value
		case "BLT":
			c.BillType = r.Value
		case "D9":
			c.ClearinghouseTrace = r.Value
		}
	case seg.Is("AMT"):
		if v, err := x12.ParseCents(seg.Element(2)); err == nil {
			c.ChargeCents, c.HasCharge = v, true
		}
	case seg.Is("DTP"):
		c.ServiceFrom, c.ServiceTo = period(seg)
	}
}

func svc(seg *x12.Segment) Line {
	l := Line{RevenueCode: seg.String(4)}
	if len(seg.Element(1)) > 0 {
		for _, c := range seg.Components(1) {
			l.Procedure = append(l.Procedure, string(c))
		}
	}
	if v, err := x12.ParseCents(seg.Element(2)); err == nil {
		l.ChargeCents, l.ChargeOK = v, true
	}
	if u := seg.Element(7); len(u) > 0 {
		if v, err := x12.ParseMilli(u); err == nil {
			l.Units = v
		}
	}
	return l
}

func party(seg *x12.Segment) Party {
	return Party{EntityCode: seg.String(1), EntityType: seg.String(2), Last: seg.String(3), First: seg.String(4),
		Middle: seg.String(5), Suffix: seg.String(7), IDQualifier: seg.String(8), ID: seg.String(9)}
}

// Flush emits a claim left open by input that ended without an SE. Call
// it after the last event; it does nothing when every set was closed.
func (d *Decoder) Flush() error {
	q := d.pending
	d.pending, d.line = nil, nil
	if q == nil {
		return nil
	}
	q.Header, q.Payer, q.Receiver, q.Providers = d.header, d.payer, d.receiver, d.providers
	if q.Header == nil {
		q.Header = &Header{}
	}
	if q.Payer == nil {
		q.Payer = &Party{}
	}
	if q.Receiver == nil {
		q.Receiver = &Party{}
	}
	if q.Subscriber == nil {
		q.Subscriber = &Member{}
	}
	return d.emit(q)
}

// Request is a whole 276 transaction set: its claim inquiries, the
// parser's issues and its segments, so it re-encodes byte for byte.
type Request struct {
	Header    *Header
	Inquiries []*Inquiry
	// Set holds the guide version, the set's segments (ST..SE, owned),
	// the implementation-guide issues of the schema parser (Issues) and
	// whether the set ended with its SE (Complete); its Encode writes the
	// segments back byte for byte.
	setread.Set
}

// ReadRequests reads an X12 stream and calls fn with every 276 (X212)
// transaction set it holds, decoded whole. Other sets and the envelope are
// skipped. Use a Decoder under validate.Run for large files: a Request
// keeps every segment of its set.
func ReadRequests(rd io.Reader, fn func(*Request) error) error {
	var cur []*Inquiry
	dec := NewDecoder(func(q *Inquiry) error { cur = append(cur, q); return nil })
	return setread.Read(rd, "276", true, dec, func(s *setread.Set) error {
		if err := dec.Flush(); err != nil {
			return err
		}
		r := &Request{Header: dec.header, Inquiries: cur, Set: *s}
		if r.Header == nil {
			r.Header = &Header{}
		}
		if r.Header.Version == "" {
			r.Header.Version = s.Version
		}
		cur, dec.header = nil, nil
		return fn(r)
	})
}

// DecodeRequests decodes every 276 transaction set of an X12 interchange
// held in memory.
func DecodeRequests(data []byte) ([]*Request, error) { return setread.Collect(data, ReadRequests) }
