package remit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// decodeAll feeds every ST..SE of data, whatever its version, to the
// X221A1 parser with a streaming Decoder, and returns the claims and sets
// it emitted. It must never panic.
func decodeAll(t testing.TB, data []byte) (claims []*ClaimContext, sets []*Remittance) {
	t.Helper()
	decodeWith(t, data, false, func(c *ClaimContext) error { claims = append(claims, c); return nil },
		func(r *Remittance) error { sets = append(sets, r); return nil })
	return claims, sets
}

// decodeWith is decodeAll with the Decoder's functions and ReuseClaims.
func decodeWith(t testing.TB, data []byte, reuse bool, claim func(*ClaimContext) error, set func(*Remittance) error) {
	t.Helper()
	d := NewDecoder(claim, set)
	d.ReuseClaims = reuse
	p := schema.NewParser(Schema(), d)
	rd := x12.NewReader(bytes.NewReader(data))
	in := false
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
			t.Fatal(err)
		}
		switch {
		case seg.Is("ST"):
			if in {
				p.Finish()
			}
			p.Reset()
			in = true
		case seg.Is("ISA") || seg.Is("GS") || seg.Is("GE") || seg.Is("IEA"):
			if in {
				p.Finish()
				in = false
			}
			continue
		}
		if !in {
			continue
		}
		if err := p.Segment(seg); err != nil {
			t.Fatal(err)
		}
		if seg.Is("SE") {
			p.Finish()
			in = false
		}
	}
	if in {
		p.Finish()
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
}

// Every corpus 835 decodes without a crash, and every X221A1 set
// re-encodes byte for byte; the streaming and whole-set decoders agree.
func TestCorpusDecodeRoundTrip(t *testing.T) {
	files := corpustest.Glob(t, "835/*")
	sets5010 := 0
	for _, f := range files {
		if filepath.Base(f) == "PROVENANCE.tsv" {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			streamed, _ := decodeAll(t, data)
			for _, c := range streamed {
				if c.Start < 0 || c.End > int64(len(data)) || c.Start >= c.End || !bytes.HasPrefix(data[c.Start:c.End], []byte("CLP")) {
					t.Errorf("claim %d..%d does not start at a CLP", c.Start, c.End)
				}
			}
			var whole []*Remittance
			err = ReadSets(bytes.NewReader(data), func(r *Remittance, issues []ack.Issue) error {
				whole = append(whole, r)
				first, last := r.segs[0], r.segs[len(r.segs)-1]
				end := last.Offset + int64(len(last.Raw()))
				if !last.Unterminated() {
					end++
				}
				var buf bytes.Buffer
				w := x12.NewWriter(&buf, first.Delims)
				if err := r.Encode(w); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
				if want := data[first.Offset:end]; !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("set %s: Encode differs from the input (%d bytes, want %d)", r.ControlNumber, buf.Len(), len(want))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sets5010 += len(whole)
			if len(whole) > 0 {
				n := 0
				for _, r := range whole {
					for range r.Claims() {
						n++
					}
				}
				// The streaming decoder also decodes sets of other
				// versions; compare only files of X221A1 sets.
				if m := countClaims(streamed, whole); m != n {
					t.Errorf("streaming decoder emitted %d claims of X221A1 sets, whole-set decoder %d", m, n)
				}
			}
		})
	}
	if sets5010 < 40 {
		t.Errorf("only %d X221A1 sets decoded from the corpus", sets5010)
	}
}

// countClaims counts the streamed claims that belong to the sets in
// whole (by set control number and payer claim control number order).
func countClaims(streamed []*ClaimContext, whole []*Remittance) int {
	ctl := map[string]bool{}
	for _, r := range whole {
		ctl[r.ControlNumber+"/"+r.Trace.Number] = true
	}
	n := 0
	for _, c := range streamed {
		if ctl[c.Remittance.ControlNumber+"/"+c.Remittance.Trace.Number] {
			n++
		}
	}
	return n
}

// Balancing failures of corpus files are reported at the element that
// should equal the sum, by the validator (as 999 IK3/IK4).
func TestCorpusBalancing(t *testing.T) {
	type want struct {
		seg            string
		pos, elem      int
		off            int64
		code, severity string
	}
	for _, tc := range []struct {
		file string
		want []want
	}{
		{"835/cosyte-x12__835-imbalance.edi", []want{
			{"CLP", 12, 4, 454, "I12", "error"},
			{"SVC", 15, 3, 585, "I12", "error"},
		}},
		{"835/api-examples__835-validation-issues.edi", []want{
			{"BPR", 2, 2, 198, "I12", "error"},
			{"CLP", 15, 4, 497, "I12", "error"},
			{"SVC", 17, 3, 587, "I12", "error"},
		}},
		{"835/LinuxForHealth-x12__tertiary-payment.835", []want{
			{"SVC", 18, 3, 630, "I12", "error"},
		}},
		{"835/X12Parser__835_WithMultipleInterchanges.txt", []want{
			{"BPR", 2, 2, 199, "I12", "error"},
			{"CLP", 16, 4, 846, "I12", "error"},
		}},
		{"835/api-examples__835-all-fields.edi", []want{
			{"BPR", 2, 2, 184, "I12", "error"},
			{"CLP", 20, 4, 603, "I12", "error"},
			{"CLP", 20, 5, 607, "I12", "warning"},
		}},
		{"835/moov-io-x12__sample1.txt", []want{
			// BPR01 H (notification) with a non-zero BPR02.
			{"BPR", 2, 2, 184, "I12", "error"},
			{"CLP", 16, 4, 621, "I12", "error"},
		}},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			data, err := os.ReadFile(corpustest.Path(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []ack.Issue
			for _, ic := range res.Interchanges {
				for _, g := range ic.Groups {
					for _, s := range g.Sets {
						for _, is := range s.Issues {
							if is.Level == ack.LevelElement && is.Code == "I12" {
								got = append(got, is)
							}
						}
					}
				}
			}
			for _, w := range tc.want {
				found := false
				for _, is := range got {
					sev := "error"
					if is.Severity == ack.Warning {
						sev = "warning"
					}
					if is.SegmentID == w.seg && is.Position == w.pos && is.Element == w.elem && is.Offset == w.off && sev == w.severity {
						found = true
						if is.DataElement != "782" || !bytes.HasPrefix(data[is.Offset:], []byte(is.Value)) {
							t.Errorf("%s%02d: IK402 %s, value %q not at offset %d", w.seg, w.elem, is.DataElement, is.Value, is.Offset)
						}
					}
				}
				if !found {
					t.Errorf("no I12 %s on %s%02d at position %d offset %d; got %v", w.severity, w.seg, w.elem, w.pos, w.off, got)
				}
			}
		})
	}
}

// The streaming decoder's model of a corpus file.
func TestCorpusFields(t *testing.T) {
	data, err := os.ReadFile(corpustest.Path(t, "835/cosyte-x12__835-with-plb.edi"))
	if err != nil {
		t.Fatal(err)
	}
	claims, sets := decodeAll(t, data)
	if len(claims) != 1 || len(sets) != 1 {
		t.Fatalf("%d claims, %d sets", len(claims), len(sets))
	}
	r := sets[0]
	if r.Payment.Handling != "I" || r.Payment.Amount != 5000 || r.Payment.Method != "ACH" || r.Payment.Date != "20260620" ||
		r.Trace.Number != "0099999" || r.Payee.TIN() != "888777666" || r.Payer.Name == "" {
		t.Errorf("header %+v %+v %+v", r.Payment, r.Trace, r.Payee)
	}
	if len(r.Adjustments) != 1 || r.Adjustments[0].Items[0] != (PLBItem{Reason: "WO", Reference: "PRIOR-CLAIM-X", Amount: 5000}) {
		t.Errorf("PLB %+v", r.Adjustments)
	}
	c := claims[0].Claim
	if c.PatientControlNumber != "PT-C" || c.Charge != 10000 || c.Paid != 10000 || !c.HasPatientResponsibility ||
		c.Rendering == nil || c.Rendering.IDQualifier != "XX" || len(c.Lines) != 1 {
		t.Fatalf("claim %+v", c)
	}
	l := c.Lines[0]
	if l.Procedure.Qualifier != "HC" || l.Procedure.Code == "" || l.ServiceDate != "20260615" || l.ControlNumber() != "LINE-C-001" || l.Units != 1000 {
		t.Errorf("line %+v", l)
	}
	if r.Totals != (Totals{Claims: 1, Charge: 10000, Paid: 10000}) || r.Totals.Paid-r.Adjustments[0].Total() != r.Payment.Amount {
		t.Errorf("Totals %+v", r.Totals)
	}
	if !strings.HasPrefix(string(data[claims[0].Start:claims[0].End]), "CLP*PT-C") {
		t.Errorf("claim bytes %q", data[claims[0].Start:claims[0].End])
	}
}

// Corpus 835s that follow the guide and balance are accepted with the
// body checked (no false balancing findings on real remittances), and
// their claims balance in the typed model too.
func TestCorpusAccepted(t *testing.T) {
	for _, name := range []string{
		"TigerShark__5010-835-example-1.txt", "TigerShark__5010-835-example-2.txt", "TigerShark__5010-835-example-3.txt",
		"api-examples__835-denial.dat", "api-examples__claim_adj_reason.dat", "api-examples__dollars_data_separate.dat",
		"edi-835-parser__united_healthcare_legacy_sample.txt", "pyx12__835_mult_loops.txt",
		"stupidedi__dollars-and-data-sent-separate.edi", "stupidedi__dollars-and-data-sent-together.edi",
		"stupidedi__era-sample.edi", "stupidedi__multiple-claims-single-check.edi",
		"stupidedi__secondary-payment-with-higher-fee-schedule.edi", "stupidedi__secondary-payments.edi",
		"stupidedi__tertiary-payments.edi", "tastypackets-x12-parser__multi-line-not-delimited.edi",
		"tastypackets-x12-parser__profee-one-line.edi", "tastypackets-x12-parser__profee.edi",
	} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(corpustest.Path(t, "835/"+name))
			if err != nil {
				t.Fatal(err)
			}
			validateClean(t, data)
			n := 0
			err = ReadSets(bytes.NewReader(data), func(r *Remittance, issues []ack.Issue) error {
				n++
				if err := r.CheckBalance(); err != nil {
					t.Errorf("set %s: %v", r.ControlNumber, err)
				}
				return nil
			})
			if err != nil || n == 0 {
				t.Fatalf("ReadSets: %v, %d sets", err, n)
			}
		})
	}
}
