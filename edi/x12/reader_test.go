package x12_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// isa builds a fixed-width ISA header with the given delimiters.
func isa(elem, rep, comp, term byte) string {
	e := string(elem)
	return "ISA" + e + "00" + e + "          " + e + "00" + e + "          " + e + "ZZ" + e +
		"SUBMITTER      " + e + "ZZ" + e + "RECEIVER       " + e + "260101" + e + "1200" + e +
		string(rep) + e + "00501" + e + "000000001" + e + "0" + e + "T" + e + string(comp) + string(term)
}

var std = isa('*', '^', ':', '~')

type readerTest struct {
	name  string
	input string
	// want lists the segments as "ID/position" with elements joined by '|'.
	want []string
	// errAt is a marker (§) position in input where a SyntaxError is expected.
	errIs error
}

var readerTests = []readerTest{
	{
		name:  "basic",
		input: std + "GS*HC*A*B*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1~SE*3*0001~GE*1*1~IEA*1*000000001~",
		want:  []string{"ISA/0", "GS/0", "ST/1|837|0001|005010X222A1", "BHT/2|0019|00|1", "SE/3|3|0001", "GE/0", "IEA/0"},
	},
	{
		name:  "crlf and indentation between segments",
		input: "\xEF\xBB\xBF" + std + "\r\nGS*HC*A*B*20260101*1200*1*X*005010X222A1~\r\n  ST*837*0001~\r\n\tSE*2*0001~\r\nGE*1*1~\nIEA*1*000000001~\r\n",
		want:  []string{"ISA/0", "GS/0", "ST/1|837|0001", "SE/2|2|0001", "GE/0", "IEA/0"},
	},
	{
		name:  "newline terminator with CRLF",
		input: strings.TrimSuffix(isa('*', '^', ':', '\n'), "\n") + "\r\nGS*HC*A\r\n\r\nST*837*1\r\nSE*2*1\r\nGE*1*1\r\nIEA*1*000000001\r\n",
		want:  []string{"ISA/0", "GS/0|HC|A", "ST/1|837|1", "SE/2|2|1", "GE/0", "IEA/0"},
	},
	{
		name:  "other delimiters",
		input: isa('|', '}', '>', '\'') + "GS|HC|A'ST|837|1'NM1|85|2|ACME>X'SE|3|1'GE|1|1'IEA|1|000000001'",
		want:  []string{"ISA/0", "GS/0|HC|A", "ST/1|837|1", "NM1/2|85|2|ACME>X", "SE/3|3|1", "GE/0", "IEA/0"},
	},
	{
		name:  "two interchanges with different delimiters",
		input: std + "GS*HC~GE*0*1~IEA*1*000000001~\n" + isa('|', '^', '>', '!') + "GS|HC!GE|0|1!IEA|1|000000001!",
		want:  []string{"ISA/0", "GS/0|HC", "GE/0|0|1", "IEA/0|1|000000001", "ISA/0", "GS/0|HC", "GE/0|0|1", "IEA/0|1|000000001"},
	},
	{
		name:  "missing final terminator",
		input: std + "GS*HC~GE*0*1~IEA*1*000000001\n",
		want:  []string{"ISA/0", "GS/0|HC", "GE/0|0|1", "IEA/0|1|000000001"},
	},
	{
		name:  "ISA not fixed width",
		input: "ISA*00**00**ZZ*A*ZZ*B*260101*1200*^*00501*1*0*T*:~GS*HC~",
		want:  []string{"ISA/0", "GS/0|HC"},
	},
	{
		name:  "garbage before ISA",
		input: "§hello world\n" + std + "GS*HC~",
		want:  []string{"ISA/0", "GS/0|HC"},
		errIs: x12.ErrNoISA,
	},
	{
		name:  "truncated ISA",
		input: "§ISA*00*  *00",
		errIs: x12.ErrBadISA,
	},
	{
		name:  "repeated delimiter in ISA",
		input: "§" + isa('*', '^', '*', '~') + "GS*HC~",
		errIs: x12.ErrBadDelimiter,
	},
	{
		name:  "ISA11 equal to ISA16 is not a repetition separator",
		input: isa('*', ':', ':', '~') + "GS*HC*A^B~",
		want:  []string{"ISA/0", "GS/0|HC|A^B"},
	},
	{
		name:  "4010 ISA11 is not a repetition separator",
		input: isa('*', 'U', ':', '~') + "GS*HC*A^B~",
		want:  []string{"ISA/0", "GS/0|HC|A^B"},
	},
}

func describe(s *x12.Segment) string {
	var b strings.Builder
	b.WriteString(s.Tag())
	b.WriteString("/")
	b.WriteString(string(rune('0' + s.Position)))
	if s.Is("ISA") || s.Is("GE") && false {
		return b.String()
	}
	for i := 1; i <= s.Len(); i++ {
		b.WriteByte('|')
		b.Write(s.Element(i))
	}
	return b.String()
}

func TestReader(t *testing.T) {
	for _, tt := range readerTests {
		t.Run(tt.name, func(t *testing.T) {
			marker := strings.Index(tt.input, "§")
			input := strings.Replace(tt.input, "§", "", 1)
			r := x12.NewReader(iotest.OneByteReader(strings.NewReader(input)))
			var got []string
			var gotErr error
			for {
				s, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					var se *x12.SyntaxError
					if !errors.As(err, &se) {
						t.Fatalf("non-syntax error %v", err)
					}
					if gotErr == nil {
						gotErr = err
						if marker >= 0 && se.Offset != int64(marker) {
							t.Errorf("error offset = %d, want %d (%v)", se.Offset, marker, err)
						}
					}
					continue
				}
				if !strings.HasPrefix(input[s.Offset:], string(s.ID())) {
					t.Errorf("segment %s offset %d does not point at its ID", s.Tag(), s.Offset)
				}
				d := describe(s)
				if s.Is("ISA") || s.Is("GE") || s.Is("IEA") {
					// keep element detail only where the case lists it
				}
				got = append(got, d)
			}
			if tt.errIs != nil && !errors.Is(gotErr, tt.errIs) {
				t.Errorf("error = %v, want %v", gotErr, tt.errIs)
			}
			if tt.errIs == nil && gotErr != nil {
				t.Errorf("unexpected error %v", gotErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d segments %q, want %d %q", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				w := tt.want[i]
				if !strings.Contains(w, "|") {
					got[i] = got[i][:min(len(got[i]), len(w))]
				}
				if got[i] != w {
					t.Errorf("segment %d = %q, want %q", i, got[i], w)
				}
			}
		})
	}
}

func TestDelimitersAndElements(t *testing.T) {
	in := std + "GS*HC~ST*837*1~CLM*PCN1*125.5***11:B:1*Y~HI*ABK:Z0000^ABF:R69~SE*4*1~"
	r := x12.NewReader(strings.NewReader(in))
	var clm, hi *x12.Segment
	for {
		s, err := r.Read()
		if err != nil {
			break
		}
		switch s.Tag() {
		case "CLM":
			clm = s.Clone()
		case "HI":
			hi = s.Clone()
		}
	}
	d, ok := r.Delimiters()
	if !ok || d != x12.DefaultDelimiters {
		t.Fatalf("delimiters = %+v", d)
	}
	if got := string(clm.Component(5, 3)); got != "1" {
		t.Errorf("CLM05-3 = %q", got)
	}
	if got := string(clm.Component(5, 4)); got != "" {
		t.Errorf("CLM05-4 = %q, want empty", got)
	}
	if got := string(clm.Element(3)); got != "" || clm.Len() != 6 {
		t.Errorf("CLM03 = %q len %d", got, clm.Len())
	}
	if clm.Element(7) != nil {
		t.Errorf("CLM07 should be nil")
	}
	if clm.Position != 2 || clm.ElementOffset(2) != clm.Offset+9 {
		t.Errorf("position %d elemoffset %d (seg %d)", clm.Position, clm.ElementOffset(2), clm.Offset)
	}
	var reps []string
	for _, rep := range hi.Repetitions(1) {
		reps = append(reps, string(rep))
	}
	if hi.Len() != 1 || strings.Join(reps, ",") != "ABK:Z0000,ABF:R69" {
		t.Errorf("HI = %q", hi.Raw())
	}
	seg := x12.NewSegment([]byte("EB*1^2^3*X"), x12.DefaultDelimiters)
	var got []string
	for _, rep := range seg.Repetitions(1) {
		got = append(got, string(rep))
	}
	if strings.Join(got, ",") != "1,2,3" {
		t.Errorf("repetitions = %v", got)
	}
	var comps []string
	for _, c := range clm.Components(5) {
		comps = append(comps, string(c))
	}
	if strings.Join(comps, ",") != "11,B,1" {
		t.Errorf("components = %v", comps)
	}
}

func TestLongSegmentsNoLimit(t *testing.T) {
	// A 1 MiB element must be read whole (no 64 KiB scanner limit).
	long := strings.Repeat("A", 1<<20)
	in := std + "GS*HC~ST*837*1~NTE*ADD*" + long + "~SE*3*1~"
	r := x12.NewReader(strings.NewReader(in))
	for {
		s, err := r.Read()
		if err == io.EOF {
			t.Fatal("NTE not found")
		}
		if err != nil {
			t.Fatal(err)
		}
		if s.Is("NTE") {
			if len(s.Element(2)) != 1<<20 {
				t.Fatalf("NTE02 length %d", len(s.Element(2)))
			}
			return
		}
	}
}

func TestMaxSegmentLen(t *testing.T) {
	in := std + "GS*HC~ST*837*1~NTE*" + strings.Repeat("B", 5000) + "~SE*3*1~"
	r := x12.NewReader(strings.NewReader(in))
	r.MaxSegmentLen = 1000
	var ids []string
	var tooLong bool
	for {
		s, err := r.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, x12.ErrSegmentTooLong) {
			tooLong = true
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.Tag())
	}
	if !tooLong || strings.Join(ids, ",") != "ISA,GS,ST,SE" {
		t.Fatalf("tooLong=%v ids=%v", tooLong, ids)
	}
}

// TestRoundTripRaw checks that writing every segment back with WriteRaw
// reproduces each corpus file from its first ISA (whitespace between
// segments included).
func TestCorpusRoundTripRaw(t *testing.T) {
	files := corpustest.Glob(t, "*/*")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".tsv") || strings.HasSuffix(f, ".md") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := x12.NewReader(bytes.NewReader(data))
		var out bytes.Buffer
		var w *x12.Writer
		first := int64(-1)
		clean := true
		var last *x12.Segment
		for {
			s, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				clean = false
				continue
			}
			if first < 0 {
				first = s.Offset
				w = x12.NewWriter(&out, s.Delims)
			}
			if s.Unterminated() {
				clean = false
			}
			w.WriteRaw(s, s.Offset != first)
			last = s.Clone()
		}
		if !clean || w == nil {
			continue
		}
		w.Flush()
		end := last.Offset + int64(len(last.Raw())) + 1
		if last.Delims.Segment == '\n' && bytes.HasSuffix(data[:end], []byte("\r\n")) {
			continue // CR stripped from a newline-terminated CRLF file
		}
		if !bytes.Equal(out.Bytes(), data[first:end]) {
			t.Errorf("%s: raw round trip differs", filepath.Base(f))
			continue
		}
		n++
	}
	if n < 500 {
		t.Errorf("only %d corpus files round-tripped", n)
	}
}

func TestCorpusNoPanic(t *testing.T) {
	files := corpustest.Glob(t, "*/*")
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		r := x12.NewReader(fh)
		for {
			s, err := r.Read()
			if err == io.EOF {
				break
			}
			var se *x12.SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("%s: %v", f, err)
			}
			if s != nil && s.Position < 0 {
				t.Fatal("negative position")
			}
		}
		fh.Close()
	}
}
