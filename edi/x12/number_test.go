package x12_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

var centsTests = []struct {
	in   string
	want int64
	err  error
	out  string
}{
	{in: "125", want: 12500, out: "125"},
	{in: "125.5", want: 12550, out: "125.5"},
	{in: "125.55", want: 12555, out: "125.55"},
	{in: "125.50", want: 12550, out: "125.5"},
	{in: "0.05", want: 5, out: "0.05"},
	{in: ".5", want: 50, out: "0.5"},
	{in: "-3.25", want: -325, out: "-3.25"},
	{in: "1.000", want: 100, out: "1"},
	{in: "1.005", err: x12.ErrPrecision},
	{in: "", err: x12.ErrBadNumber},
	{in: "-", err: x12.ErrBadNumber},
	{in: "1,000", err: x12.ErrBadNumber},
	{in: "1.2.3", err: x12.ErrBadNumber},
	{in: "1e5", err: x12.ErrBadNumber},
	{in: "1234567890123456789", err: x12.ErrBadNumber},
	{in: "100000000000000000", err: x12.ErrBadNumber}, // 10^17 dollars overflow int64 cents
}

func TestParseCents(t *testing.T) {
	for _, tt := range centsTests {
		got, err := x12.ParseCents([]byte(tt.in))
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseCents(%q) error = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if got != tt.want {
			t.Errorf("ParseCents(%q) = %d, want %d", tt.in, got, tt.want)
		}
		if s := x12.FormatCents(got); s != tt.out {
			t.Errorf("FormatCents(%d) = %q, want %q", got, s, tt.out)
		}
	}
}

func TestMilli(t *testing.T) {
	for in, want := range map[string]int64{"1": 1000, "1.5": 1500, "0.25": 250, "2.0005": 2000, "-1": -1000} {
		got, err := x12.ParseMilli([]byte(in))
		if err != nil || got != want {
			t.Errorf("ParseMilli(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for milli, want := range map[int64]string{1000: "1", 1500: "1.5", 250: "0.25", 1: "0.001", -2500: "-2.5"} {
		if got := string(x12.AppendMilli(nil, milli)); got != want {
			t.Errorf("AppendMilli(%d) = %q, want %q", milli, got, want)
		}
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := x12.NewWriter(&b, x12.DefaultDelimiters)
	w.Suffix = "\n"
	w.Write("NM1", "PR", "2", "ACME", "", "", "", "", "PI", "12345", "", "")
	w.Write("CLM", "A", "1", "", "", w.Composite("11", "B", "1", ""))
	seg := x12.NewSegment([]byte("SV1|HC>A0428>GY|75|UN|1"), x12.Delimiters{Element: '|', Component: '>', Segment: '!'})
	w.WriteSegment(seg)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "NM1*PR*2*ACME*****PI*12345~\nCLM*A*1***11:B:1~\nSV1*HC:A0428:GY*75*UN*1~\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if w.Count() != 3 {
		t.Errorf("count = %d", w.Count())
	}
}

func TestDelimitersValid(t *testing.T) {
	if !x12.DefaultDelimiters.Valid() {
		t.Error("default delimiters invalid")
	}
	for _, d := range []x12.Delimiters{
		{Element: '*', Component: '*', Segment: '~'},
		{Element: 'A', Component: ':', Segment: '~'},
		{Element: '*', Repetition: '~', Component: ':', Segment: '~'},
	} {
		if d.Valid() {
			t.Errorf("%+v should be invalid", d)
		}
	}
}
