package x12price

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/repricing"
)

// Location names a claim in an X12 stream by control numbers and position.
type Location struct {
	// Interchange is ISA13, Group GS06 and Set ST02 of the claim's
	// envelopes.
	Interchange, Group, Set string
	// Claim is the 1-based position of the claim in its transaction set.
	Claim int
}

// Outcome is the repricing of one claim by Reprice.
type Outcome struct {
	// Location is where the claim is in the input.
	Location Location
	// Context is the decoded claim with its loops. After a successful
	// Apply, Context.Claim.Pricing and the line Pricing hold what was
	// written.
	Context *claim.ClaimContext
	// Input is what FromClaim gave the engine.
	Input repricing.Claim
	// Result is the engine's pricing, valid when Err is nil.
	Result repricing.Result
	// Err is the engine's error (wrapping repricing.ErrNoContract or
	// repricing.ErrInvalidClaim): the claim could not be priced at all and
	// was written unchanged.
	Err error
}

// FileOptions configure Reprice.
type FileOptions struct {
	// Apply returns the ApplyOptions for a priced claim (its reference
	// numbers, received date, ...). Nil means ApplyOptions{}: HCP
	// segments only.
	Apply func(loc Location, c *claim.Claim) ApplyOptions
}

// Reprice reads an X12 stream from r and prices every claim of its 837P
// and 837I transaction sets with eng, calling report (when not nil) with
// each claim's Outcome in input order. An error from report stops Reprice
// and is returned.
//
// When w is not nil Reprice also writes the stream to w with every priced
// claim edited by Apply: envelope segments (ISA, GS, GE, IEA), other
// transaction sets, unpriced claims and every segment Apply does not touch
// are written byte for byte with the whitespace between segments; an
// edited set gets a recomputed SE01. A byte-order mark is not reproduced.
// Segments the tokenizer cannot read
// cannot be reproduced either: with w set they are an error (a
// *x12.SyntaxError, wrapped); without w they are skipped, as the validator
// reports them.
//
// When w is nil Apply is not called: the outcomes carry the prices only.
func Reprice(ctx context.Context, eng *repricing.Engine, r io.Reader, w io.Writer, opts FileOptions, report func(*Outcome) error) error {
	if eng == nil {
		return errors.New("reprice: nil engine")
	}
	s := &stream{ctx: ctx, eng: eng, opts: opts, report: report}
	if w == nil {
		return s.run(x12.NewReader(r))
	}
	s.out = &output{bw: bufio.NewWriterSize(w, 64<<10)}
	tr := &tailReader{r: r}
	if err := s.run(x12.NewReader(tr)); err != nil {
		return err
	}
	if err := s.out.trailing(tr.tail); err != nil {
		return err
	}
	return s.out.flush()
}

// tailReader remembers the last bytes read through it.
type tailReader struct {
	r    io.Reader
	tail []byte // at most tailLen bytes
}

const tailLen = 64

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n >= tailLen {
		t.tail = append(t.tail[:0], p[n-tailLen:n]...)
	} else if n > 0 {
		t.tail = append(t.tail, p[:n]...)
		if len(t.tail) > tailLen {
			t.tail = append(t.tail[:0], t.tail[len(t.tail)-tailLen:]...)
		}
	}
	return n, err
}

// stream is the state of one Reprice call.
type stream struct {
	ctx    context.Context
	eng    *repricing.Engine
	opts   FileOptions
	report func(*Outcome) error
	out    *output // nil when not writing

	loc       Location
	gsVersion string
	set       []*x12.Segment // the open transaction set, cloned; nil outside ST..SE
}

func (s *stream) run(rd *x12.Reader) error {
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) && s.out == nil {
				continue
			}
			return fmt.Errorf("reprice: %w", err)
		}
		switch id := seg.Tag(); id {
		case "ISA", "GS", "GE", "IEA", "ST":
			if err := s.closeSet(); err != nil {
				return err
			}
			switch id {
			case "ISA":
				s.loc.Interchange, s.loc.Group, s.gsVersion = seg.String(13), "", ""
			case "GS":
				s.loc.Group, s.gsVersion = seg.String(6), seg.String(8)
			case "ST":
				s.set = append(make([]*x12.Segment, 0, 256), seg.Clone())
				continue
			}
			if err := s.out.raw(seg); err != nil {
				return err
			}
		default:
			if s.set == nil { // a stray segment outside ST..SE
				if err := s.out.raw(seg); err != nil {
					return err
				}
				continue
			}
			s.set = append(s.set, seg.Clone())
			if id == "SE" {
				if err := s.closeSet(); err != nil {
					return err
				}
			}
		}
	}
	return s.closeSet()
}

// closeSet prices and writes the open transaction set, if any.
func (s *stream) closeSet() error {
	segs := s.set
	if segs == nil {
		return nil
	}
	s.set = nil
	if err := s.ctx.Err(); err != nil {
		return err
	}
	st := segs[0]
	version := st.String(3)
	if version == "" {
		version = s.gsVersion
	}
	if st.String(1) != "837" || claim.SchemaFor(version) == nil {
		for _, seg := range segs {
			if err := s.out.raw(seg); err != nil {
				return err
			}
		}
		return nil
	}
	tx, _, err := claim.DecodeTransaction(version, segs)
	if err != nil {
		return fmt.Errorf("reprice: set %s: %w", st.String(2), err)
	}
	s.loc.Set, s.loc.Claim = st.String(2), 0
	for cc := range tx.Claims() {
		s.loc.Claim++
		if err := s.claim(cc); err != nil {
			return err
		}
	}
	if s.out == nil {
		return nil
	}
	if err := s.out.lead(st); err != nil {
		return err
	}
	return tx.Encode(s.out.writer(st.Delims))
}

// claim prices (and when writing, edits) one claim and reports it.
func (s *stream) claim(cc *claim.ClaimContext) error {
	o := &Outcome{Location: s.loc, Context: cc, Input: FromClaim(cc)}
	o.Result, o.Err = s.eng.Price(&o.Input)
	if o.Err == nil && s.out != nil {
		var ao ApplyOptions
		if s.opts.Apply != nil {
			ao = s.opts.Apply(s.loc, cc.Claim)
		}
		if err := Apply(cc.Claim, o.Result, ao); err != nil {
			return fmt.Errorf("reprice: set %s: %w", s.loc.Set, err)
		}
	}
	if s.report != nil {
		return s.report(o)
	}
	return nil
}

// output writes segments with the delimiters of their interchange. A nil
// *output writes nothing.
type output struct {
	bw *bufio.Writer
	xw *x12.Writer
}

// writer returns an x12.Writer for delimiters d, flushing and replacing
// the current one when an interchange changes the delimiters.
func (o *output) writer(d x12.Delimiters) *x12.Writer {
	if o.xw == nil || o.xw.Delimiters() != d {
		if o.xw != nil {
			o.xw.Flush() // a failure is sticky in bw and returned by flush
		}
		o.xw = x12.NewWriter(o.bw, d)
	}
	return o.xw
}

// raw writes seg as it was read, with its leading whitespace.
func (o *output) raw(seg *x12.Segment) error {
	if o == nil {
		return nil
	}
	return o.writer(seg.Delims).WriteRaw(seg, true)
}

// lead writes the whitespace read before seg (Transaction.Encode writes
// the ST without it).
func (o *output) lead(seg *x12.Segment) error {
	if len(seg.Leading()) == 0 {
		return nil
	}
	if err := o.writer(seg.Delims).Flush(); err != nil {
		return err
	}
	_, err := o.bw.Write(seg.Leading())
	return err
}

// trailing writes the whitespace that followed the last segment
// terminator of the input, whose last bytes are tail.
func (o *output) trailing(tail []byte) error {
	if o.xw == nil {
		return nil
	}
	i := len(tail)
	for i > 0 && (tail[i-1] == ' ' || tail[i-1] == '\t' || tail[i-1] == '\r' || tail[i-1] == '\n') {
		i--
	}
	ws := tail[i:]
	if term := o.xw.Delimiters().Segment; term == ' ' || term == '\t' || term == '\r' || term == '\n' {
		// A line-break terminator (with the CRs before it) was written
		// with the last segment.
		j := bytes.IndexByte(ws, term)
		if j < 0 {
			return nil
		}
		ws = ws[j+1:]
	}
	if len(ws) == 0 {
		return nil
	}
	if err := o.xw.Flush(); err != nil {
		return err
	}
	_, err := o.bw.Write(ws)
	return err
}

func (o *output) flush() error {
	if o.xw != nil {
		if err := o.xw.Flush(); err != nil {
			return err
		}
	}
	return o.bw.Flush()
}
