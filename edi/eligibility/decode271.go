package eligibility

import (
	"io"

	"github.com/clearinghouse/clearinghouse/edi/internal/setread"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// ResponseSet is a whole 271 transaction set decoded: one Response per
// answer (a subscriber level without dependents, or a dependent level
// with its subscriber; a source or receiver rejection is an answer of its
// own), the parser's issues and its segments, so it re-encodes byte for
// byte.
type ResponseSet struct {
	Header    *Header
	Responses []Response
	// Set holds the guide version, the set's segments (ST..SE, owned),
	// the implementation-guide issues of the schema parser (Issues) and
	// whether the set ended with its SE (Complete); its Encode writes the
	// segments back byte for byte.
	setread.Set
}

// responseBuilder builds the Responses of one 271 set from schema events.
type responseBuilder struct {
	header  *Header
	out     []Response
	cur     Response // source and receiver of the open levels
	sub     *Subject
	subDeps int
	dep     *Subject
	target  *Subject // the level 2100/2110 segments go to
	benefit *Benefit
}

func (b *responseBuilder) HandleEvent(e schema.Event) error {
	if e.Unplaced {
		return nil
	}
	seg := e.Seg
	newHL := seg.Is("HL") && e.NewLoop
	switch e.Loop {
	case "HEADER":
		switch {
		case seg.Is("ST"):
			b.header = &Header{Control: seg.String(2), Version: seg.String(3)}
		case seg.Is("BHT") && b.header != nil:
			h := b.header
			h.Purpose, h.Reference, h.Date, h.Time, h.Type = seg.String(2), seg.String(3), seg.String(4), seg.String(5), seg.String(6)
		}
	case "TRAILER":
		b.closeSubscriber()
		b.closeSource()
	case "2000A", "2100A":
		switch {
		case newHL:
			b.closeSubscriber()
			b.closeSource()
			b.cur = Response{}
			if b.header != nil {
				b.cur.Reference = b.header.Reference
			}
		case seg.Is("NM1"):
			b.cur.Source = party(seg)
		case seg.Is("AAA"):
			b.cur.SourceRejects = append(b.cur.SourceRejects, reject(seg))
		}
	case "2000B", "2100B":
		switch {
		case newHL:
			b.closeSubscriber()
			b.closeSource()
			b.cur.Receiver, b.cur.ReceiverRejects = Party{}, nil
		case seg.Is("NM1"):
			b.cur.Receiver = party(seg)
		case seg.Is("AAA"):
			b.cur.ReceiverRejects = append(b.cur.ReceiverRejects, reject(seg))
		}
	case "2000C", "2000D":
		switch {
		case newHL && e.Loop == "2000C":
			b.closeSubscriber()
			b.sub, b.subDeps = &Subject{}, 0
			b.target, b.benefit = b.sub, nil
		case newHL:
			if b.sub == nil {
				return nil
			}
			b.closeDependent()
			// A subscriber that answered for itself (benefits or
			// rejections) before its dependents is an answer of its own.
			if b.subDeps == 0 && (len(b.sub.Benefits) > 0 || len(b.sub.Rejects) > 0) {
				b.emit(b.sub, nil)
			}
			b.subDeps++
			b.dep = &Subject{}
			b.target, b.benefit = b.dep, nil
		case seg.Is("TRN") && b.target != nil:
			b.target.Traces = append(b.target.Traces, trace(seg))
		}
	case "2100C", "2100D":
		if b.target == nil {
			return nil
		}
		s := b.target
		switch {
		case seg.Is("NM1"):
			s.Party = party(seg)
		case seg.Is("REF"):
			s.Refs = append(s.Refs, ref(seg))
		case seg.Is("AAA"):
			s.Rejects = append(s.Rejects, reject(seg))
		case seg.Is("DMG"):
			s.BirthDate, s.Gender = seg.String(2), seg.String(3)
		case seg.Is("DTP"):
			s.Dates = append(s.Dates, parseDate(seg))
		}
	case "2110C", "2110D":
		if b.target == nil {
			return nil
		}
		if seg.Is("EB") && e.NewLoop {
			b.target.Benefits = append(b.target.Benefits, eb(seg))
			b.benefit = &b.target.Benefits[len(b.target.Benefits)-1]
			return nil
		}
		if bn := b.benefit; bn != nil {
			switch {
			case seg.Is("DTP"):
				bn.Dates = append(bn.Dates, parseDate(seg))
			case seg.Is("AAA"):
				bn.Rejects = append(bn.Rejects, reject(seg))
			case seg.Is("MSG"):
				bn.Messages = append(bn.Messages, seg.String(1))
			}
		}
	}
	return nil
}

// emit records an answer about sub (and dep).
func (b *responseBuilder) emit(sub, dep *Subject) {
	r := b.cur
	r.SourceRejects, r.ReceiverRejects = nil, nil
	r.Subscriber, r.Dependent = sub, dep
	b.out = append(b.out, r)
}

func (b *responseBuilder) closeDependent() {
	if b.dep != nil {
		b.emit(b.sub, b.dep)
	}
	b.dep, b.benefit = nil, nil
}

func (b *responseBuilder) closeSubscriber() {
	b.closeDependent()
	if b.sub != nil && b.subDeps == 0 {
		b.emit(b.sub, nil)
	}
	b.sub, b.target, b.benefit = nil, nil, nil
}

// closeSource records a rejection at the source or receiver level that
// answered no subscriber.
func (b *responseBuilder) closeSource() {
	if len(b.cur.SourceRejects) > 0 || len(b.cur.ReceiverRejects) > 0 {
		r := b.cur
		b.out = append(b.out, r)
		b.cur.SourceRejects, b.cur.ReceiverRejects = nil, nil
	}
}

func reject(seg *x12.Segment) Reject {
	return Reject{Code: seg.String(3), Action: seg.String(4)}
}

func eb(seg *x12.Segment) Benefit {
	bn := Benefit{Code: seg.String(1), CoverageLevel: seg.String(2), InsuranceType: seg.String(4),
		PlanDescription: seg.String(5), TimePeriod: seg.String(6), Percent: seg.String(8),
		QuantityQualifier: seg.String(9), Quantity: seg.String(10), AuthorizationRequired: seg.String(11),
		InNetwork: seg.String(12)}
	for _, v := range seg.Repetitions(3) {
		if len(v) > 0 {
			bn.ServiceTypes = append(bn.ServiceTypes, string(v))
		}
	}
	if v := seg.Element(7); len(v) > 0 {
		if c, err := x12.ParseCents(v); err == nil {
			bn.AmountCents, bn.HasAmount = c, true
		}
	}
	return bn
}

// ReadResponses reads an X12 stream and calls fn with every 271 (X279A1)
// transaction set it holds, decoded whole into the Response values
// Write271 takes. Other sets and the envelope are skipped.
func ReadResponses(rd io.Reader, fn func(*ResponseSet) error) error {
	b := &responseBuilder{}
	return setread.Read(rd, "271", true, b, func(s *setread.Set) error {
		b.closeSubscriber()
		b.closeSource()
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

// DecodeResponses decodes every 271 transaction set of an X12 interchange
// held in memory.
func DecodeResponses(data []byte) ([]*ResponseSet, error) {
	return setread.Collect(data, ReadResponses)
}
