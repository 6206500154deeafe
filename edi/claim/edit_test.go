package claim_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

func cents(v int64) *int64 { return &v }

// readSpan returns the testdata file's bytes and its first ST..SE span.
func readSpan(t *testing.T, name string) ([]byte, setSpan) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	spans := setSpans(data)
	if len(spans) == 0 {
		t.Fatalf("%s: no transaction set", name)
	}
	return data, spans[0]
}

// insertion is a segment an edit is expected to add: after the input
// segment whose text (leading whitespace trimmed) is after, with the given
// leading whitespace.
type insertion struct {
	after string
	seg   string
}

// expectSegments applies insertions and replacements to the input's
// segments and fixes SE01, giving what the edited transaction must encode
// to.
func expectSegments(t *testing.T, in []string, ins []insertion, repl map[string]string) []string {
	t.Helper()
	out := make([]string, 0, len(in)+len(ins))
	used := 0
	for _, s := range in {
		text := strings.TrimLeft(s, " \t\r\n")
		lead := s[:len(s)-len(text)]
		if r, ok := repl[text]; ok {
			s = lead + r
		}
		out = append(out, s)
		for _, i := range ins {
			if i.after == text {
				out = append(out, lead+i.seg)
				used++
			}
		}
	}
	if used != len(ins) {
		t.Fatalf("test bug: %d of %d insertion points found", used, len(ins))
	}
	// SE01 = number of segments.
	last := out[len(out)-1]
	text := strings.TrimLeft(last, " \t\r\n")
	parts := strings.Split(text, "*")
	parts[1] = strconv.Itoa(len(out))
	out[len(out)-1] = last[:len(last)-len(text)] + strings.Join(parts, "*")
	return out
}

func TestEditInsertsInGuideOrder(t *testing.T) {
	tests := []struct {
		name string
		file string
		edit func(t *testing.T, c *claim.Claim)
		ins  []insertion
		repl map[string]string
	}{
		{
			name: "837P new HCP, REF*9A, DTP*050, line HCP and REF*9B",
			file: "837p_basic.edi",
			edit: func(t *testing.T, c *claim.Claim) {
				must(t, c.SetPricing(claim.Pricing{Method: "03", Allowed: 20000, Savings: cents(5050), OrgID: "REPRICER01"}))
				must(t, c.SetRef("9A", "RP0001"))
				must(t, c.SetDate("050", "D8", "20260120"))
				must(t, c.Lines[0].SetPricing(claim.Pricing{Method: "02", Allowed: 8000, Savings: cents(2000)}))
				must(t, c.Lines[0].SetRef("9B", "RPL1"))
			},
			ins: []insertion{
				{"DTP*431*D8*20260102", "DTP*050*D8*20260120"},
				{"DTP*431*D8*20260102", "REF*9A*RP0001"},
				{"HI*ABK:R51*ABF:Z0000", "HCP*03*200*50.5*REPRICER01"},
				{"DTP*472*D8*20260105", "REF*9B*RPL1"},
				{"REF*6R*LINE0001", "HCP*02*80*20"},
			},
		},
		{
			name: "837I indented CRLF file, insertion keeps the loop's indentation",
			file: "837i_inpatient.edi",
			edit: func(t *testing.T, c *claim.Claim) {
				must(t, c.SetPricing(claim.Pricing{Method: "06", Allowed: 600000, Savings: cents(62500), Rate: cents(200000),
					UnitBasis: "DA", Units: cents(3000)}))
				must(t, c.SetDate("050", "D8", "20260121"))
				must(t, c.SetRef("9A", "RP0002"))
				must(t, c.Lines[0].SetPricing(claim.Pricing{Method: "04", Allowed: 0}))
				must(t, c.Lines[0].SetRef("9B", "RPL2"))
			},
			ins: []insertion{
				{"DTP*435*DT*202601100800", "DTP*050*D8*20260121"},
				{"CL1*1*7*01", "REF*9A*RP0002"},
				{"HI*BH:11:D8:20260110", "HCP*06*6000*625**2000******DA*3"},
				{"DTP*472*RD8*20260110-20260112", "REF*9B*RPL2"},
				{"DTP*472*RD8*20260110-20260112", "HCP*04*0"},
			},
		},
		{
			name: "837I existing HCPs replaced in place, REF*9A after REF*F8",
			file: "837i_outpatient_dependent.edi",
			edit: func(t *testing.T, c *claim.Claim) {
				must(t, c.SetPricing(claim.Pricing{Method: "03", Allowed: 28000, Savings: cents(7000), OrgID: "REPRICER02"}))
				must(t, c.SetRef("9C", "ADJ0001"))
				must(t, c.Lines[0].SetPricing(claim.Pricing{Method: "03", Allowed: 28000, Savings: cents(7000)}))
				must(t, c.Lines[0].SetRef("9D", "ADJL1"))
			},
			ins: []insertion{
				{"REF*F8*PAYERICN3002", "REF*9C*ADJ0001"},
				{"REF*6R*OUT001", "REF*9D*ADJL1"},
			},
			repl: map[string]string{
				"HCP*02*300*50*REPRICER01": "HCP*03*280*70*REPRICER02",
				"HCP*02*300*50":            "HCP*03*280*70",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, span := readSpan(t, tt.file)
			tx := decodeAll(t, data)[0]
			var c *claim.Claim
			for ctx := range tx.Claims() {
				c = ctx.Claim
				break
			}
			tt.edit(t, c)
			got := segments(t, encode(t, tx, span.delims), span.delims)
			want := expectSegments(t, segments(t, span.data, span.delims), tt.ins, tt.repl)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("edited transaction:\n%s\nwant:\n%s", strings.Join(got, "~"), strings.Join(want, "~"))
			}
			// The typed view follows the segments: decoding the output gives
			// the same claim.
			out := encode(t, tx, span.delims)
			re := decodeAll(t, wrapISA(data, out))
			var rc *claim.Claim
			for ctx := range re[0].Claims() {
				rc = ctx.Claim
				break
			}
			if !reflect.DeepEqual(jsonOf(t, rc), jsonOf(t, c)) {
				t.Errorf("re-decoded claim differs from edited view:\n got %s\nwant %s", jsonOf(t, rc), jsonOf(t, c))
			}
		})
	}
}

// wrapISA puts span in the envelope of the original file data (its ISA and
// GS) so it can be decoded again.
func wrapISA(data, span []byte) []byte {
	st := bytes.Index(data, []byte("ST*837"))
	var b bytes.Buffer
	b.Write(data[:st])
	b.Write(span)
	b.WriteString("GE*1*1~IEA*1*000000001~")
	return b.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEditCorpusFileKeepsUntouchedSegments(t *testing.T) {
	f := corpustest.Path(t, "837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_commercial-health-insurance.edi")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	span := setSpans(data)[0]
	tx := decodeAll(t, data)[0]
	var claims []*claim.Claim
	for ctx := range tx.Claims() {
		claims = append(claims, ctx.Claim)
	}
	if len(claims) == 0 || len(claims[0].Lines) == 0 {
		t.Fatal("sample has no claim lines")
	}
	c := claims[0]
	must(t, c.SetPricing(claim.Pricing{Method: "03", Allowed: c.TotalCharge * 7 / 10, Savings: cents(c.TotalCharge - c.TotalCharge*7/10)}))
	must(t, c.Lines[0].SetPricing(claim.Pricing{Method: "03", Allowed: 100}))
	in := segments(t, span.data, span.delims)
	got := segments(t, encode(t, tx, span.delims), span.delims)
	if len(got) != len(in)+2 {
		t.Fatalf("got %d segments, want %d", len(got), len(in)+2)
	}
	// Every input segment but SE is in the output, byte for byte and in
	// order; the two HCPs are the only additions.
	j := 0
	var added []int
	for i, s := range got[:len(got)-1] {
		if j < len(in)-1 && s == in[j] {
			j++
			continue
		}
		added = append(added, i)
	}
	if j != len(in)-1 || len(added) != 2 {
		t.Fatalf("untouched segments changed: matched %d of %d, added %v", j, len(in)-1, added)
	}
	id := func(i int) string { return strings.TrimLeft(got[i], " \t\r\n")[:3] }
	// Claim HCP: right after the claim's own segments, just before the
	// first 2310 NM1 (or the first LX).
	if id(added[0]) != "HCP" || !(id(added[0]+1) == "NM1" || id(added[0]+1) == "LX*" || id(added[0]+1) == "SBR") {
		t.Errorf("claim HCP at %d followed by %q", added[0], got[added[0]+1])
	}
	if id(added[0]-1) == "NM1" || id(added[0]-1) == "LX*" {
		t.Errorf("claim HCP placed after a child loop: %q", got[added[0]-1])
	}
	if id(added[1]) != "HCP" {
		t.Errorf("line HCP missing: %q", got[added[1]])
	}
	if next := id(added[1] + 1); next != "LX*" && next != "SE*" && next != "NM1" && next != "LIN" && next != "SVD" {
		t.Errorf("line HCP followed by %q", got[added[1]+1])
	}
	se := strings.TrimLeft(got[len(got)-1], " \t\r\n")
	if want := "SE*" + strconv.Itoa(len(got)) + "*"; !strings.HasPrefix(se, want) {
		t.Errorf("trailer %q, want SE01 = %d", se, len(got))
	}
}

func TestEncodeSet(t *testing.T) {
	data, span := readSpan(t, "837p_basic.edi")
	tx := decodeAll(t, data)[0]
	var buf bytes.Buffer
	w := x12.NewWriter(&buf, span.delims)
	must(t, claim.EncodeSet(w, tx, "4242"))
	must(t, w.Flush())
	got := segments(t, buf.Bytes(), span.delims)
	in := segments(t, span.data, span.delims)
	if len(got) != len(in) {
		t.Fatalf("got %d segments, want %d", len(got), len(in))
	}
	if got[0] != "ST*837*4242*005010X222A1" {
		t.Errorf("ST = %q", got[0])
	}
	if want := "\nSE*" + strconv.Itoa(len(in)) + "*4242"; got[len(got)-1] != want {
		t.Errorf("SE = %q, want %q", got[len(got)-1], want)
	}
	for i := 1; i < len(in)-1; i++ {
		if got[i] != in[i] {
			t.Errorf("segment %d changed: %q -> %q", i+1, in[i], got[i])
		}
	}
	if err := claim.EncodeSet(w, tx, ""); err == nil {
		t.Error("EncodeSet with an empty control number succeeded")
	}
}

func TestEditErrors(t *testing.T) {
	data, _ := readSpan(t, "837p_basic.edi")
	tx := decodeAll(t, data)[0]
	var c *claim.Claim
	for ctx := range tx.Claims() {
		c = ctx.Claim
		break
	}
	if err := c.SetRef("9A", "RP*1"); !errors.Is(err, claim.ErrDelimiter) {
		t.Errorf("SetRef with an element separator: err = %v, want ErrDelimiter", err)
	}
	if err := c.SetPricing(claim.Pricing{Method: "03", OrgID: "A:B"}); !errors.Is(err, claim.ErrDelimiter) {
		t.Errorf("SetPricing with a component separator: err = %v, want ErrDelimiter", err)
	}
	if err := c.SetRef("", "X"); err == nil {
		t.Error("SetRef with an empty qualifier succeeded")
	}
	streamed := streamAll(t, data)
	sc := streamed[0].Claim
	if err := sc.SetPricing(claim.Pricing{Method: "03"}); !errors.Is(err, claim.ErrNoSegments) {
		t.Errorf("SetPricing on a streamed claim: err = %v, want ErrNoSegments", err)
	}
	if err := sc.Lines[0].SetRef("9B", "X"); !errors.Is(err, claim.ErrNoSegments) {
		t.Errorf("Line.SetRef on a streamed claim: err = %v, want ErrNoSegments", err)
	}
	if err := streamed[0].Transaction.Encode(x12.NewWriter(&bytes.Buffer{}, x12.DefaultDelimiters)); !errors.Is(err, claim.ErrNoSegments) {
		t.Errorf("Encode of a streamed transaction: err = %v, want ErrNoSegments", err)
	}
	// A failed edit leaves the transaction unchanged.
	_, span := readSpan(t, "837p_basic.edi")
	if got := encode(t, tx, span.delims); !bytes.Equal(got, span.data) {
		t.Errorf("failed edits changed the output\n%s", firstDiff(got, span.data))
	}
}

// TestEditCorpus reprices every claim and line of every 5010 corpus set and
// checks that the input segments survive byte for byte and in order, that
// only the expected segments are added, that SE01 is right and that the
// output decodes to the edited claims.
func TestEditCorpus(t *testing.T) {
	sets, redecoded := 0, 0
	for _, kind := range []string{"837P", "837I"} {
		for _, f := range corpusFiles(t, kind) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			spans := setSpans(data)
			// Where the parser had to guess placements (segments out of
			// sequence or unexpected), an insertion may change its guesses,
			// so the re-decoded model is only compared for files without.
			issues, err := feed(data, claim.NewDecoder("", func(*claim.ClaimContext) error { return nil }))
			if err != nil {
				t.Fatal(err)
			}
			guessed := false
			for _, is := range issues {
				if is.Level == ack.LevelSegment && (is.Code == "1" || is.Code == "2" || is.Code == "7") {
					guessed = true
				}
			}
			for i, tx := range decodeAll(t, data) {
				if i >= len(spans) || !strings.HasPrefix(tx.Version, "005010") || claim.KindOf(tx.Version) == "" {
					continue
				}
				added := 0
				for ctx := range tx.Claims() {
					c := ctx.Claim
					if c.Pricing == nil {
						added++
					}
					if c.Ref("9A") == "" {
						added++
					}
					if _, ok := c.Date("050"); !ok {
						added++
					}
					must(t, c.SetPricing(claim.Pricing{Method: "03", Allowed: c.TotalCharge / 2, Savings: cents(c.TotalCharge - c.TotalCharge/2)}))
					must(t, c.SetRef("9A", "RP"+itoa(i)))
					must(t, c.SetDate("050", "D8", "20260120"))
					for _, l := range c.Lines {
						if l.Pricing == nil {
							added++
						}
						must(t, l.SetPricing(claim.Pricing{Method: "02", Allowed: l.Charge / 2}))
					}
				}
				d := spans[i].delims
				in := segments(t, spans[i].data, d)
				out := segments(t, encode(t, tx, d), d)
				if len(out) != len(in)+added {
					t.Errorf("%s set %d: %d segments, want %d", f, i+1, len(out), len(in)+added)
					continue
				}
				// key is what an edit matches a segment by: HCP, REF*9A or
				// DTP*050 (the segments replaced in place).
				e := string(d.Element)
				key := func(s string) string {
					text := strings.TrimLeft(s, " \t\r\n")
					for _, k := range []string{"HCP" + e, "REF" + e + "9A" + e, "DTP" + e + "050" + e} {
						if strings.HasPrefix(text, k) {
							return k
						}
					}
					return ""
				}
				j := 0
				for _, s := range out[:len(out)-1] {
					if j < len(in)-1 && (s == in[j] || key(s) != "" && key(s) == key(in[j])) {
						j++
						continue
					}
					text := strings.TrimLeft(s, " \t\r\n")
					if !strings.HasPrefix(text, "HCP"+string(d.Element)) && !strings.HasPrefix(text, "REF"+string(d.Element)) &&
						!strings.HasPrefix(text, "DTP"+string(d.Element)) {
						t.Errorf("%s set %d: unexpected segment %q", f, i+1, s)
					}
				}
				if j != len(in)-1 {
					t.Errorf("%s set %d: only %d of %d input segments kept in order", f, i+1, j, len(in)-1)
				}
				se := strings.Split(strings.TrimLeft(out[len(out)-1], " \t\r\n"), string(d.Element))
				if se[1] != itoa(len(out)) {
					t.Errorf("%s set %d: SE01 %s, want %d", f, i+1, se[1], len(out))
				}
				sets++
				if guessed {
					continue
				}
				// Problems name segment positions, which the edits shift.
				re := redecode(t, encode(t, tx, d), d, tx.Version)
				for _, x := range []*claim.Transaction{re, tx} {
					for ctx := range x.Claims() {
						ctx.Claim.Problems = nil
					}
				}
				if a, b := jsonOf(t, re.BillingProviders), jsonOf(t, tx.BillingProviders); a != b {
					t.Errorf("%s set %d: edited output decodes differently", f, i+1)
				}
				redecoded++
			}
		}
	}
	if sets == 0 {
		t.Fatal("no 5010 sets in the corpus")
	}
	t.Logf("%d transaction sets edited, %d decoded again", sets, redecoded)
}

// TestEncodeOtherDelimiters checks that a writer with other delimiters gets
// translated segments without the input's whitespace.
func TestEncodeOtherDelimiters(t *testing.T) {
	data, span := readSpan(t, "837i_inpatient.edi")
	tx := decodeAll(t, data)[0]
	d := x12.Delimiters{Element: '|', Repetition: '!', Component: '>', Segment: '\''}
	got := encode(t, tx, d)
	var want []byte
	for _, s := range segments(t, span.data, span.delims) {
		s = strings.TrimLeft(s, " \t\r\n")
		s = strings.NewReplacer("*", "|", ":", ">", "^", "!").Replace(s)
		want = append(want, s+"'"...)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("translated output differs\n%s", firstDiff(got, want))
	}
}

// redecode decodes an encoded ST..SE span written with delimiters d.
func redecode(t *testing.T, span []byte, d x12.Delimiters, version string) *claim.Transaction {
	t.Helper()
	e := string(d.Element)
	rep := string(d.Repetition)
	if d.Repetition == 0 {
		rep = "U"
	}
	isa := "ISA" + e + "00" + e + "          " + e + "00" + e + "          " + e + "ZZ" + e + "S              " + e +
		"ZZ" + e + "R              " + e + "260101" + e + "1200" + e + rep + e + "00501" + e + "000000001" + e + "0" +
		e + "T" + e + string(d.Component) + string(d.Segment)
	r := x12.NewReader(bytes.NewReader(append([]byte(isa), span...)))
	var segs []*x12.Segment
	for {
		seg, err := r.Read()
		if err != nil {
			break
		}
		if !seg.Is("ISA") {
			segs = append(segs, seg.Clone())
		}
	}
	tx, _, err := claim.DecodeTransaction(version, segs)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}
