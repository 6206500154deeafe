package claim

import (
	"errors"
	"fmt"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// ErrUnsupported is returned by DecodeTransaction for a transaction set
// that is not a 5010 837P or 837I.
var ErrUnsupported = errors.New("claim: not an 837P or 837I transaction set")

// SchemaFor returns the implementation-guide schema that places the
// segments of an 837 with guide identifier version (GS08/ST03). A version
// without a schema of its own is placed with the 5010 guide of its kind (so
// an "005010X223A3" set uses the X223A2 tables). It returns nil for a
// version that is not an 837P or 837I.
func SchemaFor(version string) *schema.Schema {
	if s := schema.Lookup("837", version); s != nil {
		return s
	}
	switch KindOf(version) {
	case Professional:
		return schema.Lookup("837", "005010X222A1")
	case Institutional:
		return schema.Lookup("837", "005010X223A2")
	}
	return nil
}

// DecodeTransaction decodes one transaction set from its segments, ST
// through SE, placing them in loops with the schema parser, and returns the
// transaction with the parser's issues. version is the guide to use (GS08);
// when it is empty ST03 is used. The transaction keeps segs as they are (no
// copy): pass owned segments (Segment.Clone) and do not modify them
// afterwards.
//
// Decoding does not stop at invalid data: segments the parser cannot place
// are kept (so Encode still reproduces the input) and reported in the
// issues, and bad values are listed in Claim.Problems.
func DecodeTransaction(version string, segs []*x12.Segment) (*Transaction, []ack.Issue, error) {
	if len(segs) == 0 || !segs[0].Is("ST") {
		return nil, nil, errors.New("claim: transaction set does not start with ST")
	}
	if version == "" {
		version = segs[0].String(3)
	}
	s := SchemaFor(version)
	if s == nil || segs[0].String(1) != "837" {
		return nil, nil, fmt.Errorf("%w: %s %q", ErrUnsupported, segs[0].String(1), version)
	}
	var tx *Transaction
	d := &TransactionDecoder{b: builder{kind: KindOf(version), keep: true, owned: true, other: -1, adj: -1,
		onTx: func(t *Transaction) error { tx = t; return nil }}}
	p := schema.NewParser(s, d)
	for _, seg := range segs {
		if err := p.Segment(seg); err != nil {
			return nil, nil, err
		}
	}
	issues := p.Finish()
	if err := d.Flush(); err != nil {
		return nil, nil, err
	}
	return tx, issues, nil
}

// ReadTransactions reads an X12 stream (one or more interchanges) and calls
// fn with every 837P/837I transaction set it holds, decoded as
// DecodeTransaction does, with the parser's issues for that set. Other
// transaction sets and the envelope segments are skipped; segments the
// tokenizer rejects are skipped too (they are the validator's business).
// It returns the first error from the reader or from fn.
func ReadTransactions(r io.Reader, fn func(tx *Transaction, issues []ack.Issue) error) error {
	rd := x12.NewReader(r)
	var (
		gsVersion string
		p         *schema.Parser
		parsers   = map[*schema.Schema]*schema.Parser{}
		done      *Transaction
	)
	d := &TransactionDecoder{b: builder{keep: true, other: -1, adj: -1,
		onTx: func(t *Transaction) error { done = t; return nil }}}
	finish := func() error {
		issues := p.Finish()
		if err := d.Flush(); err != nil {
			return err
		}
		p = nil
		tx := done
		done = nil
		if tx == nil {
			return nil
		}
		return fn(tx, issues)
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
			if id != "ST" {
				continue
			}
			version := seg.String(3)
			if version == "" {
				version = gsVersion
			}
			s := SchemaFor(version)
			if s == nil || seg.String(1) != "837" {
				continue
			}
			if p = parsers[s]; p == nil {
				p = schema.NewParser(s, d)
				parsers[s] = p
			} else {
				p.Reset()
			}
			d.b.kind = KindOf(version)
			if err := p.Segment(seg); err != nil {
				return err
			}
		case p != nil:
			if err := p.Segment(seg); err != nil {
				return err
			}
			if id == "SE" {
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
