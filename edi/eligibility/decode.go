package eligibility

import (
	"io"

	"github.com/clearinghouse/clearinghouse/edi/internal/setread"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

var _ schema.Handler = (*Decoder)(nil)

// Decoder is a streaming 270 decoder: it implements schema.Handler,
// builds inquiries from the events of a schema parser (for the 270
// X279A1 schema) and calls emit with each one once it is complete (at the
// next subscriber or dependent level, or the SE). A subscriber inquiry is
// emitted when the subscriber has no dependent level or asks about itself
// (2110C loops); every dependent level is an inquiry of its own. It keeps
// only the inquiry being built and its parents, so memory does not grow
// with the number of inquiries in a set.
//
// The Inquiry and its parents belong to the callee; the Decoder does not
// reuse them.
type Decoder struct {
	emit func(*Inquiry) error

	header   *Header
	source   *Party
	receiver *Receiver
	sub      *Member // the open subscriber
	subAt    *x12.Segment
	subDeps  int  // dependents seen under sub
	subSent  bool // the subscriber inquiry was emitted
	dep      *Member
	cur      *Member // the member 2100/2110 segments go to
	pending  *Inquiry
	inquiry  *BenefitInquiry
	position int
	offset   int64
}

// NewDecoder returns a streaming Decoder calling emit for every inquiry.
// An error returned by emit is returned by HandleEvent.
func NewDecoder(emit func(*Inquiry) error) *Decoder {
	return &Decoder{emit: emit}
}

// HandleEvent implements schema.Handler.
func (d *Decoder) HandleEvent(e schema.Event) error {
	if e.Unplaced {
		return nil
	}
	seg := e.Seg
	switch e.Loop {
	case "HEADER":
		switch {
		case seg.Is("ST"):
			if err := d.Flush(); err != nil {
				return err
			}
			d.header = &Header{Control: seg.String(2), Version: seg.String(3)}
			d.source, d.receiver = nil, nil
		case seg.Is("BHT") && d.header != nil:
			h := d.header
			h.Purpose, h.Reference, h.Date, h.Time, h.Type = seg.String(2), seg.String(3), seg.String(4), seg.String(5), seg.String(6)
		}
		return nil
	case "TRAILER":
		return d.Flush()
	case "2000A", "2000B", "2000C":
		if seg.Is("HL") && e.NewLoop {
			if err := d.closeSubscriber(); err != nil {
				return err
			}
			switch e.Loop {
			case "2000A":
				d.source = &Party{}
			case "2000B":
				d.receiver = &Receiver{}
			case "2000C":
				d.sub, d.subDeps, d.subSent, d.cur = &Member{}, 0, false, nil
				d.position, d.offset = seg.Position, seg.Offset
				d.cur = d.sub
			}
			return nil
		}
		if seg.Is("TRN") && e.Loop == "2000C" && d.sub != nil {
			d.sub.Traces = append(d.sub.Traces, trace(seg))
		}
	case "2000D":
		if d.sub == nil {
			return nil
		}
		if seg.Is("HL") && e.NewLoop {
			if err := d.closeDependent(); err != nil {
				return err
			}
			if d.subDeps == 0 && len(d.sub.Inquiries) > 0 {
				if err := d.send(&Inquiry{Subscriber: d.sub, Position: d.position, Offset: d.offset}); err != nil {
					return err
				}
				d.subSent = true
			}
			d.subDeps++
			d.dep = &Member{}
			d.cur = d.dep
			d.pending = &Inquiry{Subscriber: d.sub, Dependent: d.dep, Position: seg.Position, Offset: seg.Offset}
			return nil
		}
		if seg.Is("TRN") && d.dep != nil {
			d.dep.Traces = append(d.dep.Traces, trace(seg))
		}
	case "2100A":
		if seg.Is("NM1") && d.source != nil {
			*d.source = party(seg)
		}
	case "2100B":
		if d.receiver != nil {
			d.receiverSegment(seg)
		}
	case "2100C", "2100D":
		if d.cur != nil {
			d.memberSegment(d.cur, seg)
		}
	case "2110C", "2110D":
		if d.cur == nil {
			return nil
		}
		if seg.Is("EQ") && e.NewLoop {
			d.cur.Inquiries = append(d.cur.Inquiries, eq(seg))
			d.inquiry = &d.cur.Inquiries[len(d.cur.Inquiries)-1]
			return nil
		}
		if d.inquiry == nil {
			return nil
		}
		switch {
		case seg.Is("REF"):
			d.inquiry.Refs = append(d.inquiry.Refs, ref(seg))
		case seg.Is("DTP"):
			dt := parseDate(seg)
			d.inquiry.Date = &dt
		}
	}
	return nil
}

// receiverSegment adds a 2100B segment to the receiver.
func (d *Decoder) receiverSegment(seg *x12.Segment) {
	r := d.receiver
	switch {
	case seg.Is("NM1"):
		r.Party = party(seg)
	case seg.Is("REF"):
		r.Refs = append(r.Refs, ref(seg))
	case seg.Is("N3"), seg.Is("N4"):
		r.Address = address(r.Address, seg)
	case seg.Is("PRV"):
		r.PRVCode, r.Taxonomy = seg.String(1), seg.String(3)
	}
}

// memberSegment adds a 2100C/2100D segment to m.
func (d *Decoder) memberSegment(m *Member, seg *x12.Segment) {
	switch {
	case seg.Is("NM1"):
		m.Party = party(seg)
		d.inquiry = nil
	case seg.Is("REF"):
		m.Refs = append(m.Refs, ref(seg))
	case seg.Is("N3"), seg.Is("N4"):
		m.Address = address(m.Address, seg)
	case seg.Is("DMG"):
		m.BirthDate, m.Gender = seg.String(2), seg.String(3)
	case seg.Is("INS"):
		m.Relationship = seg.String(2)
	case seg.Is("DTP"):
		m.Dates = append(m.Dates, parseDate(seg))
	}
}

// closeDependent emits the open dependent inquiry.
func (d *Decoder) closeDependent() error {
	q := d.pending
	d.pending, d.dep, d.inquiry = nil, nil, nil
	if q == nil {
		return nil
	}
	return d.send(q)
}

// closeSubscriber emits what is left of the open subscriber.
func (d *Decoder) closeSubscriber() error {
	if err := d.closeDependent(); err != nil {
		return err
	}
	sub := d.sub
	d.sub, d.cur, d.inquiry = nil, nil, nil
	if sub == nil || d.subSent || d.subDeps > 0 {
		return nil
	}
	return d.send(&Inquiry{Subscriber: sub, Position: d.position, Offset: d.offset})
}

func (d *Decoder) send(q *Inquiry) error {
	q.Header, q.Source, q.Receiver = d.header, d.source, d.receiver
	if q.Header == nil {
		q.Header = &Header{}
	}
	if q.Source == nil {
		q.Source = &Party{}
	}
	if q.Receiver == nil {
		q.Receiver = &Receiver{}
	}
	return d.emit(q)
}

// Flush emits an inquiry left open by input that ended without an SE.
// Call it after the last event; it does nothing when every set was
// closed.
func (d *Decoder) Flush() error { return d.closeSubscriber() }

func party(seg *x12.Segment) Party {
	return Party{EntityCode: seg.String(1), EntityType: seg.String(2), Last: seg.String(3), First: seg.String(4),
		Middle: seg.String(5), Suffix: seg.String(7), IDQualifier: seg.String(8), ID: seg.String(9)}
}

func ref(seg *x12.Segment) Ref {
	return Ref{Qualifier: seg.String(1), Value: seg.String(2), Description: seg.String(3)}
}

func trace(seg *x12.Segment) Trace {
	return Trace{Type: seg.String(1), Number: seg.String(2), Originator: seg.String(3), Secondary: seg.String(4)}
}

func address(a *Address, seg *x12.Segment) *Address {
	if a == nil {
		a = &Address{}
	}
	if seg.Is("N3") {
		a.Line1, a.Line2 = seg.String(1), seg.String(2)
	} else {
		a.City, a.State, a.Zip, a.Country = seg.String(1), seg.String(2), seg.String(3), seg.String(4)
	}
	return a
}

func eq(seg *x12.Segment) BenefitInquiry {
	q := BenefitInquiry{CoverageLevel: seg.String(3)}
	for _, v := range seg.Repetitions(1) {
		if len(v) > 0 {
			q.ServiceTypes = append(q.ServiceTypes, string(v))
		}
	}
	if len(seg.Element(2)) > 0 {
		for _, c := range seg.Components(2) {
			q.Procedure = append(q.Procedure, string(c))
		}
	}
	return q
}

// Request is a whole 270 transaction set: its inquiries, the parser's
// issues and its segments, so it re-encodes byte for byte.
type Request struct {
	Header    *Header
	Inquiries []*Inquiry
	// Set holds the guide version, the set's segments (ST..SE, owned),
	// the implementation-guide issues of the schema parser (Issues) and
	// whether the set ended with its SE (Complete); its Encode writes the
	// segments back byte for byte.
	setread.Set
}

// ReadRequests reads an X12 stream and calls fn with every 270 (X279A1)
// transaction set it holds, decoded whole. Other sets and the envelope are
// skipped. Use a Decoder under validate.Run for large files: a Request
// keeps every segment of its set.
func ReadRequests(rd io.Reader, fn func(*Request) error) error {
	var cur []*Inquiry
	dec := NewDecoder(func(q *Inquiry) error { cur = append(cur, q); return nil })
	return setread.Read(rd, "270", true, dec, func(s *setread.Set) error {
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

// DecodeRequests decodes every 270 transaction set of an X12 interchange
// held in memory.
func DecodeRequests(data []byte) ([]*Request, error) { return setread.Collect(data, ReadRequests) }
