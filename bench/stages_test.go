package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// The stages below are what the benchmarks time. Each one reads the whole
// input and returns what it found, so callers can check that the work was
// really done (right number of claims, no findings on a valid file).

// tokenize reads r segment by segment with the x12 tokenizer and returns
// the number of segments.
func tokenize(r io.Reader) (int, error) {
	rd := x12.NewReader(r)
	n := 0
	for {
		_, err := rd.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// decodeStats is what decodeStream found.
type decodeStats struct {
	Claims int
	Charge int64 // sum of CLM02, cents
	Issues int   // implementation-guide issues over all sets
}

// decodeStream is the decoding path without the envelope layer: the
// tokenizer feeds each ST..SE to the implementation-guide parser of its
// guide, whose events go to a streaming claim.Decoder. Envelope segments
// (ISA, GS, GE, IEA) are skipped.
func decodeStream(r io.Reader) (decodeStats, error) {
	var st decodeStats
	d := claim.NewDecoder("", func(c *claim.ClaimContext) error {
		st.Claims++
		st.Charge += c.Claim.TotalCharge
		return nil
	})
	rd := x12.NewReader(r)
	parsers := map[*schema.Schema]*schema.Parser{}
	var (
		p         *schema.Parser
		gsVersion string
	)
	finish := func() {
		st.Issues += len(p.Finish())
		p = nil
	}
	for {
		seg, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, err
		}
		switch id := seg.Tag(); {
		case id == "ST" || id == "GS" || id == "GE" || id == "ISA" || id == "IEA":
			if p != nil { // a set without its SE
				finish()
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
			s := claim.SchemaFor(version)
			if s == nil {
				return st, fmt.Errorf("set %s: no 837 schema for %q", seg.String(2), version)
			}
			if p = parsers[s]; p == nil {
				p = schema.NewParser(s, d)
				parsers[s] = p
			} else {
				p.Reset()
			}
			if err := p.Segment(seg); err != nil {
				return st, err
			}
		case p != nil:
			if err := p.Segment(seg); err != nil {
				return st, err
			}
			if id == "SE" {
				finish()
			}
		}
	}
	if p != nil {
		finish()
	}
	return st, d.Flush()
}

// decodeValidate is the full front end: validate.Run (tokenizer, envelope
// state machine, implementation-guide parser) with a streaming
// claim.Decoder as the event handler of every 837 set.
func decodeValidate(ctx context.Context, r io.Reader) (int, *envelope.Result, error) {
	claims := 0
	d := claim.NewDecoder("", func(*claim.ClaimContext) error { claims++; return nil })
	res, err := validateWith(ctx, r, d)
	if err != nil {
		return claims, nil, err
	}
	return claims, res, d.Flush()
}

// decodeTransactions decodes every 837 set of r into a whole Transaction
// (segments kept for re-encoding) and returns them with the number of
// implementation-guide issues.
func decodeTransactions(r io.Reader) ([]*claim.Transaction, int, error) {
	var (
		txs    []*claim.Transaction
		issues int
	)
	err := claim.ReadTransactions(r, func(tx *claim.Transaction, is []ack.Issue) error {
		txs = append(txs, tx)
		issues += len(is)
		return nil
	})
	return txs, issues, err
}

// encodeAll writes txs with w (ST..SE each) and flushes it.
func encodeAll(w *x12.Writer, txs []*claim.Transaction) error {
	for _, tx := range txs {
		if err := tx.Encode(w); err != nil {
			return fmt.Errorf("encode set %s: %w", tx.ControlNumber, err)
		}
	}
	return w.Flush()
}

// delimitersOf returns the delimiters of the first ISA in r.
func delimitersOf(r io.Reader) (x12.Delimiters, error) {
	rd := x12.NewReader(r)
	if _, err := rd.Read(); err != nil {
		return x12.Delimiters{}, fmt.Errorf("read ISA: %w", err)
	}
	d, ok := rd.Delimiters()
	if !ok {
		return d, errors.New("no ISA delimiters")
	}
	return d, nil
}

// setBytes returns the number of bytes of r that lie inside transaction
// sets (ST..SE with their terminators and the whitespace between them,
// not before the ST): what Encode reproduces.
func setBytes(r io.Reader) (int64, error) {
	rd := x12.NewReader(r)
	var n int64
	in := false
	for {
		seg, err := rd.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if seg.Is("ST") {
			in = true
		} else if in {
			n += int64(len(seg.Leading()))
		}
		if in {
			n += int64(len(seg.Raw())) + 1
		}
		if seg.Is("SE") {
			in = false
		}
	}
}

// validateWith runs validate.Run with h as the handler of every 837 set.
func validateWith(ctx context.Context, r io.Reader, h schema.Handler) (*envelope.Result, error) {
	return validate.Run(ctx, r, validate.Options{
		Supported: envelope.Claims,
		Handler:   func(validate.SetInfo) schema.Handler { return h },
	})
}

// firstFinding describes the first problem of a result, for test messages
// (IDs and codes only, no values).
func firstFinding(res *envelope.Result) string {
	rep := validate.Report("input", res)
	b, _ := json.Marshal(rep)
	if len(b) > 600 {
		b = b[:600]
	}
	return string(b)
}
