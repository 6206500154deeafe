// Package setread runs the transaction sets of one kind found in an X12
// stream through their implementation-guide schema: the shared reading
// loop of the typed decoders (eligibility, claimstatus).
package setread

import (
	"bytes"
	"errors"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Set is one transaction set read: its segments, ST through SE, cloned
// (when kept), the guide version and the schema parser's issues.
type Set struct {
	Version  string
	Segments []*x12.Segment
	Issues   []ack.Issue
	// Complete says the set ended with its SE (and the SE with its
	// terminator); a set cut short by the next ST, GS, GE, IEA or the end
	// of the input is not.
	Complete bool
}

// Encode writes the set's segments as they were read: byte for byte with
// the whitespace between them when w has the input's delimiters,
// translated otherwise. A segment that ended without its terminator (at
// the end of the input) is written with one.
func (s *Set) Encode(w *x12.Writer) error {
	for i, seg := range s.Segments {
		if seg.Delims == w.Delimiters() {
			w.WriteRaw(seg, i > 0)
		} else {
			w.WriteSegment(seg)
		}
	}
	return w.Err()
}

// Read reads r and, for every transaction set whose ST01 is setID and
// whose version (ST03, else GS08) has a schema, sends its segments through
// a schema parser to h and then calls done with the set. Segments are kept
// (cloned) in Set.Segments only when keep is set. Other sets, the envelope
// and segments the tokenizer rejects are skipped (they are the
// validator's business). It returns the first error of the reader, h or
// done.
func Read(r io.Reader, setID string, keep bool, h schema.Handler, done func(*Set) error) error {
	rd := x12.NewReader(r)
	var (
		gsVersion string
		p         *schema.Parser
		cur       *Set
		parsers   = map[*schema.Schema]*schema.Parser{}
	)
	finish := func() error {
		cur.Issues = p.Finish()
		s := cur
		p, cur = nil, nil
		return done(s)
	}
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				continue
			}
			return err
		}
		switch id := seg.Tag(); {
		case id == "ST" || id == "GS" || id == "GE" || id == "ISA" || id == "IEA":
			if p != nil {
				if err := finish(); err != nil {
					return err
				}
			}
			if id == "GS" {
				gsVersion = seg.String(8)
			}
			if id != "ST" || seg.String(1) != setID {
				continue
			}
			version := seg.String(3)
			if version == "" {
				version = gsVersion
			}
			s := schema.Lookup(setID, version)
			if s == nil {
				continue
			}
			if p = parsers[s]; p == nil {
				p = schema.NewParser(s, h)
				parsers[s] = p
			} else {
				p.Reset()
			}
			cur = &Set{Version: version}
			fallthrough
		case p != nil:
			if keep {
				cur.Segments = append(cur.Segments, seg.Clone())
			}
			if err := p.Segment(seg); err != nil {
				return err
			}
			if id == "SE" {
				cur.Complete = !seg.Unterminated()
				if err := finish(); err != nil {
					return err
				}
			}
		}
	}
	if p != nil {
		return finish()
	}
	return nil
}

// Collect runs read (a package's Read... function over a stream) on data
// held in memory and returns every value it calls back with.
func Collect[T any](data []byte, read func(io.Reader, func(T) error) error) ([]T, error) {
	var out []T
	err := read(bytes.NewReader(data), func(v T) error { out = append(out, v); return nil })
	return out, err
}
