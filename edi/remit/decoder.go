package remit

import (
	"errors"
	"fmt"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/internal/setread"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

var (
	_ schema.Handler = (*Decoder)(nil)
	_ schema.Handler = (*SetDecoder)(nil)
)

// ErrUnsupported is returned by DecodeSet for a transaction set that is
// not a 5010 835.
var ErrUnsupported = errors.New("remit: not an 835 (005010X221A1) transaction set")

// Schema returns the X221A1 implementation-guide schema that places the
// segments of an 835 (schema.Lookup("835", Version)).
func Schema() *schema.Schema { return schema.Lookup("835", Version) }

// ClaimContext is one decoded claim payment with the context it belongs
// to. Remittance and Group are shared by every claim of the set or group:
// callers must not modify them. From the streaming Decoder the Remittance
// holds the header, payer and payee only (Groups, Adjustments and
// SegmentCount come at the end of the set, see NewDecoder).
type ClaimContext struct {
	Claim      *Claim
	Group      *Group
	Remittance *Remittance
	// Start is the input offset of the CLP; End the offset just past the
	// claim's last segment (and its terminator): Input[Start:End] is the
	// claim's raw 2100 and 2110 loops.
	Start, End int64
}

// Decoder is a streaming 835 decoder: a schema.Handler that builds each
// claim payment (loop 2100 with its 2110 lines) from the events of a
// schema parser and calls the claim function once the claim is complete
// (at the next CLP, LX, PLB or SE). It keeps nothing of an emitted claim,
// so memory does not grow with the number of claims in a set.
//
// The claim, its lines and the ClaimContext belong to the callee unless
// ReuseClaims is set.
type Decoder struct {
	// ReuseClaims makes the Decoder reuse the memory of an emitted claim
	// (the Claim, its Lines, their adjustment, reference, amount and
	// remark lists, and the ClaimContext) for the next claim, as
	// encoding/csv's ReuseRecord does: the claim is then valid only during
	// the call of the claim function, which must copy what it keeps.
	// Strings stay valid. It saves most of the decoder's allocations on
	// large files. Set it before the first event.
	ReuseClaims bool

	b builder
}

// NewDecoder returns a streaming Decoder that calls claim for every claim
// payment and, when set is not nil, set at the end of each transaction set
// with the set's header, payer, payee, provider-level adjustments (PLB)
// and SE01 (Groups stays empty). An error returned by either function is
// returned by HandleEvent.
func NewDecoder(claim func(*ClaimContext) error, set func(*Remittance) error) *Decoder {
	return &Decoder{b: builder{onClaim: claim, onSet: set}}
}

// HandleEvent implements schema.Handler.
func (d *Decoder) HandleEvent(e schema.Event) error {
	d.b.reuse = d.ReuseClaims
	return d.b.handle(e)
}

// Flush emits a claim and a set left open by input that ended without an
// SE. Call it after the last event.
func (d *Decoder) Flush() error { return d.b.flush(nil) }

// SetDecoder is a schema.Handler that builds a whole Remittance for every
// ST..SE, keeping a clone of every segment so Encode reproduces the set
// byte for byte. Use it for small sets (forwarding, translation); use
// Decoder for large files.
type SetDecoder struct {
	b builder
}

// NewSetDecoder returns a SetDecoder that calls emit with each remittance
// when its SE has been handled.
func NewSetDecoder(emit func(*Remittance) error) *SetDecoder {
	return &SetDecoder{b: builder{keep: true, onSet: emit}}
}

// HandleEvent implements schema.Handler.
func (d *SetDecoder) HandleEvent(e schema.Event) error { return d.b.handle(e) }

// Flush emits a set left open by input that ended without an SE.
func (d *SetDecoder) Flush() error { return d.b.flush(nil) }

// DecodeSet decodes one transaction set from its segments, ST through SE,
// placing them with the X221A1 schema parser, and returns the remittance
// with the parser's issues. version is the GS08 the set arrived under,
// used when ST03 is absent. The remittance keeps segs as they are (no
// copy): pass owned segments (Segment.Clone).
//
// Decoding does not stop at invalid data: segments the parser cannot
// place are kept (Encode still reproduces the input) and reported in the
// issues; bad values are listed in Problems and read as zero.
func DecodeSet(version string, segs []*x12.Segment) (*Remittance, []ack.Issue, error) {
	if len(segs) == 0 || !segs[0].Is("ST") {
		return nil, nil, errors.New("remit: transaction set does not start with ST")
	}
	if v := segs[0].String(3); v != "" {
		version = v
	}
	if segs[0].String(1) != "835" || version != Version {
		return nil, nil, fmt.Errorf("%w: %s %q", ErrUnsupported, segs[0].String(1), version)
	}
	var r *Remittance
	d := &SetDecoder{b: builder{keep: true, owned: true, onSet: func(x *Remittance) error { r = x; return nil }}}
	p := schema.NewParser(Schema(), d)
	for _, seg := range segs {
		if err := p.Segment(seg); err != nil {
			return nil, nil, err
		}
	}
	issues := p.Finish()
	if err := d.Flush(); err != nil {
		return nil, nil, err
	}
	r.Version = version
	return r, issues, nil
}

// ReadSets reads an X12 stream (one or more interchanges) and calls fn
// with every 835 (005010X221A1, from ST03 or else GS08) transaction set
// it holds, decoded as DecodeSet does, with the parser's issues for that
// set. Other sets and the envelope segments are skipped; segments the
// tokenizer rejects are skipped too (they are the validator's business).
// It returns the first error from the reader or from fn. Every set is
// held in memory while fn runs: for large files use Decoder.
func ReadSets(r io.Reader, fn func(r *Remittance, issues []ack.Issue) error) error {
	var done *Remittance
	d := NewSetDecoder(func(x *Remittance) error { done = x; return nil })
	return setread.Read(r, "835", false, d, func(s *setread.Set) error {
		if err := d.Flush(); err != nil { // a set cut short without an SE
			return err
		}
		x := done
		done = nil
		if x == nil {
			return nil
		}
		x.Version = s.Version
		return fn(x, s.Issues)
	})
}
