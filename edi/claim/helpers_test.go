package claim_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// feed tokenizes data and runs every 837P/837I transaction set through the
// schema parser, which hands its events to h. It returns the parser issues.
func feed(data []byte, h schema.Handler) ([]ack.Issue, error) {
	r := x12.NewReader(bytes.NewReader(data))
	var (
		p         *schema.Parser
		gsVersion string
		issues    []ack.Issue
	)
	for {
		seg, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				continue
			}
			return issues, err
		}
		switch id := seg.Tag(); {
		case id == "ISA" || id == "IEA" || id == "GS" || id == "GE" || id == "ST":
			if p != nil {
				issues = append(issues, p.Finish()...)
				p = nil
			}
			if id == "GS" {
				gsVersion = seg.String(8)
			}
			if id != "ST" {
				continue
			}
			v := seg.String(3)
			if v == "" {
				v = gsVersion
			}
			if s := claim.SchemaFor(v); s != nil {
				p = schema.NewParser(s, h)
				if err := p.Segment(seg); err != nil {
					return issues, err
				}
			}
		case p != nil:
			if err := p.Segment(seg); err != nil {
				return issues, err
			}
		}
	}
	if p != nil {
		issues = append(issues, p.Finish()...)
	}
	return issues, nil
}

// decodeAll decodes every transaction set of data in transaction mode.
func decodeAll(t testing.TB, data []byte) []*claim.Transaction {
	t.Helper()
	var txs []*claim.Transaction
	d := claim.NewTransactionDecoder("", func(tx *claim.Transaction) error {
		txs = append(txs, tx)
		return nil
	})
	if _, err := feed(data, d); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := d.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	return txs
}

// streamAll decodes data with the streaming decoder.
func streamAll(t testing.TB, data []byte) []*claim.ClaimContext {
	t.Helper()
	var out []*claim.ClaimContext
	d := claim.NewDecoder("", func(c *claim.ClaimContext) error {
		out = append(out, c)
		return nil
	})
	if _, err := feed(data, d); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := d.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	return out
}

// setSpan is the byte span of one ST..SE in an input, with its version.
type setSpan struct {
	version string
	data    []byte
	delims  x12.Delimiters
}

// setSpans returns the ST..SE spans of data, found with the tokenizer only:
// from the first byte of ST to the SE's terminator inclusive.
func setSpans(data []byte) []setSpan {
	r := x12.NewReader(bytes.NewReader(data))
	var out []setSpan
	start := int64(-1)
	version := ""
	for {
		seg, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				continue
			}
			return out
		}
		switch {
		case seg.Is("ST"):
			start = seg.Offset
			version = seg.String(3)
		case seg.Is("SE") && start >= 0:
			end := seg.Offset + int64(len(seg.Raw()))
			if i := bytes.IndexByte(data[end:], seg.Delims.Segment); i >= 0 {
				end += int64(i) + 1
			} else {
				end = int64(len(data))
			}
			out = append(out, setSpan{version: version, data: data[start:end], delims: seg.Delims})
			start = -1
		}
	}
}

// encode encodes tx with delimiters d.
func encode(t testing.TB, tx *claim.Transaction, d x12.Delimiters) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := x12.NewWriter(&buf, d)
	if err := tx.Encode(w); err != nil {
		t.Fatalf("encode: %v", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	return buf.Bytes()
}

// segments splits an ST..SE span written with delimiters d at its
// terminators: each string is a segment with the whitespace before it.
func segments(t testing.TB, span []byte, d x12.Delimiters) []string {
	t.Helper()
	var out []string
	for len(span) > 0 {
		i := bytes.IndexByte(span, d.Segment)
		if i < 0 {
			t.Fatalf("unterminated segment %q", span)
		}
		out = append(out, string(span[:i]))
		span = span[i+1:]
	}
	return out
}
