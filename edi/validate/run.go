package validate

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// SetInfo identifies a transaction set when it starts (see envelope.SetInfo).
type SetInfo = envelope.SetInfo

// SetResult is a finished transaction set (see envelope.SetResult).
type SetResult = envelope.SetResult

// checkEvery is how many segments Run reads between context checks.
const checkEvery = 1024

// Options configures Run. The zero value validates the envelope of every
// HIPAA set kind in envelope.Known and the body of every set that has an
// implementation-guide schema (schema.Lookup), strictly.
type Options struct {
	// Handler, when set, returns the event handler that receives the
	// schema parser's events for a set (for example the typed 837
	// decoder), or nil for none. It is only called for sets that have a
	// schema.
	Handler func(set SetInfo) schema.Handler
	// OnSetEnd, when set, is called once per transaction set, at its end,
	// with the set's IK501 and issues, so a pipeline can act per set while
	// the input streams. Final acceptance also depends on the group and
	// interchange verdicts (see OnInterchangeEnd).
	OnSetEnd func(SetResult)
	// OnInterchangeEnd, when set, is called when an interchange ends with
	// its final TA1, group and set verdicts (pointer valid during the
	// call only).
	OnInterchangeEnd func(*envelope.Interchange)
	// ReceiverIDs lists the ISA08 values we accept; another receiver gets
	// TA1 note 009. Empty (the default) accepts any receiver.
	ReceiverIDs []string
	// SenderIDs lists the ISA06 values the sending partner may use;
	// another sender gets TA1 note 006 (rejected). Empty accepts any.
	SenderIDs []string
	// RequireTA1 marks every interchange for a TA1, not only those that
	// request one (ISA14 = 1) or are not accepted cleanly.
	RequireTA1 bool
	// Supported lists the set kinds accepted (default envelope.Known). A
	// claims intake uses envelope.Claims, so that an 835 sent to it is
	// rejected as not supported (IK502 1, AK905 1).
	Supported []envelope.SetKey
	// Lenient relaxes individual checks for partners known to break them
	// (default strict).
	Lenient envelope.Leniency
	// Body, when set, replaces the schema-based body validation: it
	// returns the validator of a supported set, or nil for envelope-only
	// validation. Handler is not used then.
	Body func(set SetInfo) envelope.BodyValidator
	// MaxSegmentLen caps the length of a segment (default: the x12
	// Reader's, 16 MiB); longer ones are reported and skipped.
	MaxSegmentLen int
}

// Run validates the X12 stream r: the tokenizer feeds the envelope state
// machine, which hands every ST..SE segment to the set's body validator.
// It streams (memory depends on the number of sets and issues, not on the
// input size) and collects every finding in the Result; tokenizer errors
// become issues and reading goes on. The error is non-nil only when r
// fails, the context is cancelled (checked every 1024 segments) or a
// handler returns an error; the Result is then nil.
func Run(ctx context.Context, r io.Reader, opts Options) (*envelope.Result, error) {
	rd := x12.NewReader(r)
	if opts.MaxSegmentLen > 0 {
		rd.MaxSegmentLen = opts.MaxSegmentLen
	}
	body := opts.Body
	if body == nil {
		body = schemaBody(opts.Handler)
	}
	m := envelope.New(&envelope.Options{
		Supported:        opts.Supported,
		Body:             body,
		OnSetEnd:         opts.OnSetEnd,
		OnInterchangeEnd: opts.OnInterchangeEnd,
		ReceiverIDs:      opts.ReceiverIDs,
		SenderIDs:        opts.SenderIDs,
		RequireTA1:       opts.RequireTA1,
		Lenient:          opts.Lenient,
	})
	// A damaged ISA header is reported after the next read, which tells
	// whether anything followed it (023 premature end vs 024 content).
	var pendingBad *x12.SyntaxError
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("validate: %w", err)
			}
		}
		seg, err := rd.Read()
		if pendingBad != nil {
			m.SyntaxError(pendingBad, err == io.EOF)
			pendingBad = nil
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *x12.SyntaxError
			if !errors.As(err, &se) {
				return nil, fmt.Errorf("validate: read: %w", err)
			}
			if errors.Is(se.Err, x12.ErrBadISA) {
				pendingBad = se
				continue
			}
			m.SyntaxError(se, false)
			continue
		}
		if err := m.Segment(seg); err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
	}
	return m.Finish(rd.InputOffset()), nil
}

// schemaBody returns the default body validator factory: the
// implementation-guide parser of the set's (ST01, version) when a schema
// exists, feeding handler's events.
func schemaBody(handler func(SetInfo) schema.Handler) func(SetInfo) envelope.BodyValidator {
	return func(info SetInfo) envelope.BodyValidator {
		s := schema.Lookup(info.ID, info.Version)
		if s == nil {
			return nil
		}
		var h schema.Handler
		if handler != nil {
			h = handler(info)
		}
		return schema.NewParser(s, h)
	}
}
