package csvsub

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; run go test ./csvsub -update and review the diff\n--- got\n%s", path, got)
	}
}

func testOptions() ClaimsOptions {
	return ClaimsOptions{
		SenderQualifier: "ZZ", SenderID: "ACMEMED",
		ReceiverQualifier: "ZZ", ReceiverID: "CLEARINGHOUSE", ReceiverName: "CLEARINGHOUSE",
		Control: 42, Time: time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC),
	}
}

// assertValid837 runs the validator over data and fails on any finding.
func assertValid837(t *testing.T, data []byte, sets int) {
	t.Helper()
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.SetCount() != sets {
		t.Errorf("%d sets validated, want %d", res.SetCount(), sets)
	}
	rep := validate.Report("", res)
	for _, ic := range rep.Interchanges {
		if ic.TA1.Ack != "A" {
			t.Errorf("TA1 %s %s", ic.TA1.Ack, ic.TA1.Note)
		}
		for _, g := range ic.Groups {
			for _, tr := range g.Transactions {
				for _, e := range tr.Errors {
					t.Errorf("set %s: %s at %d loop %s: %s", tr.Control, e.SegmentID, e.SegmentPosition, e.Loop, e.Message)
				}
			}
		}
	}
	if res.Status() != 0 {
		t.Fatalf("validator status %d", res.Status())
	}
}

func TestConvertClaimsMixed(t *testing.T) {
	in, err := os.Open("testdata/claims-mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	var rowErrs []RowError
	seen := map[string]bool{}
	var claims []string
	opts := testOptions()
	opts.OnClaim = func(key string, first, last int) error {
		if seen[key] {
			return ErrDuplicateKey
		}
		seen[key] = true
		claims = append(claims, fmt.Sprintf("%s %d-%d", key, first, last))
		return nil
	}
	opts.OnRowError = func(e RowError) error { rowErrs = append(rowErrs, e); return nil }
	res, err := ConvertClaims(context.Background(), in, &out, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := ClaimsResult{Rows: 12, Accepted: 5, Rejected: 7, Header: true, Claims: 3, Sets: 1, Bytes: int64(out.Len())}
	if res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if got := strings.Join(claims, ","); got != "CSV-1001 2-3,CSV-1002 4-4,CSV-1006 9-10" {
		t.Errorf("claims %s", got)
	}
	var report strings.Builder
	for _, e := range rowErrs {
		fmt.Fprintf(&report, "%d\t%s\t%s\t%s\n", e.Row, e.Column, e.Code, e.Reason)
	}
	checkGolden(t, "claims-mixed.errors.golden", []byte(report.String()))
	checkGolden(t, "claims-mixed.837.golden", out.Bytes())
	assertValid837(t, out.Bytes(), 1)

	// The typed claims carry what the rows said.
	var got []*claim.Claim
	if _, err := validate.Run(context.Background(), bytes.NewReader(out.Bytes()), validate.Options{
		Handler: func(validate.SetInfo) schema.Handler {
			return claim.NewDecoder("", func(cc *claim.ClaimContext) error { got = append(got, cc.Claim); return nil })
		},
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d claims decoded", len(got))
	}
	if c := got[0]; c.PatientControlNumber != "CSV-1001" || c.TotalCharge != 7850 || len(c.Lines) != 2 {
		t.Errorf("claim 1: %s %d %d lines", c.PatientControlNumber, c.TotalCharge, len(c.Lines))
	}
}

func TestConvertClaimsSetsSplitAndValid(t *testing.T) {
	var csvIn bytes.Buffer
	csvIn.WriteString(strings.Join(ClaimColumns, ",") + "\n")
	n := maxClaimsPerSet + 3
	for i := 0; i < n; i++ {
		fmt.Fprintf(&csvIn, "K%d,,,1853335648,113597196,GROUP,1 MAIN ST,TOWN,WI,538567351,2712,PAYER,SYN%08d,LAST,FIRST,1980-01-02,F,,,,,,Z23,11,2026-01-05,G0008,,10.00,1,\n", i, i)
	}
	var out bytes.Buffer
	res, err := ConvertClaims(context.Background(), &csvIn, &out, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if res.Claims != n || res.Sets != 2 || res.Rejected != 1 || res.Accepted != n {
		t.Fatalf("%+v", res)
	}
	assertValid837(t, out.Bytes(), 2)
}

func TestConvertClaimsNothingValid(t *testing.T) {
	var out bytes.Buffer
	res, err := ConvertClaims(context.Background(), strings.NewReader(strings.Join(ClaimColumns, ",")+"\nonly,two\n"), &out, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || res.Sets != 0 || res.Rows != 2 || res.Rejected != 2 {
		t.Fatalf("%+v, %d bytes", res, out.Len())
	}
}

func TestConvertClaimsTooManyLines(t *testing.T) {
	var csvIn bytes.Buffer
	for i := 0; i < MaxLines+2; i++ {
		csvIn.WriteString("BIG,,,1853335648,113597196,GROUP,1 MAIN ST,TOWN,WI,538567351,2712,PAYER,SYN1,LAST,FIRST,1980-01-02,F,,,,,,Z23,11,2026-01-05,G0008,,10.00,1,\n")
	}
	var errs []RowError
	opts := testOptions()
	opts.OnRowError = func(e RowError) error { errs = append(errs, e); return nil }
	res, err := ConvertClaims(context.Background(), &csvIn, &bytes.Buffer{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Claims != 0 || res.Rejected != MaxLines+2 || len(errs) != MaxLines+2 {
		t.Fatalf("%+v, %d errors", res, len(errs))
	}
	if errs[0].Code != CodeLines || errs[0].Row != MaxLines+1 || errs[2].Code != CodeClaim {
		t.Errorf("%+v %+v", errs[0], errs[2])
	}
}

func TestConvertClaimsStopsOnCallbackError(t *testing.T) {
	boom := errors.New("boom")
	opts := testOptions()
	opts.OnRowError = func(RowError) error { return boom }
	_, err := ConvertClaims(context.Background(), strings.NewReader("a,b\n"), &bytes.Buffer{}, opts)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestSniff(t *testing.T) {
	for _, tt := range []struct {
		head string
		csv  bool
	}{
		{"ISA*00*          *00", false},
		{"\xef\xbb\xbf  ISA*00*", false},
		{"claim_key,frequency_code\n", true},
		{"\xef\xbb\xbfmember_id,last_name", true},
		{"", false},
		{"hello world\n", false},
	} {
		if got := Sniff([]byte(tt.head)); got != tt.csv {
			t.Errorf("Sniff(%q) = %v", tt.head, got)
		}
	}
}

func TestTrimDecimalAndUnits(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{{"1", "1", true}, {"01.50", "1.5", true}, {"2.000", "2", true}, {"1.", "", false}, {"1.2345", "", false}, {"1e3", "", false}, {".5", "0.5", true}} {
		if unitsShape(tt.in) != tt.ok {
			t.Errorf("unitsShape(%q) = %v", tt.in, !tt.ok)
		}
		if tt.ok && trimDecimal(tt.in) != tt.want {
			t.Errorf("trimDecimal(%q) = %q", tt.in, trimDecimal(tt.in))
		}
	}
}
