package ack_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testBody is a stand-in implementation-guide validator: it flags a few
// synthetic defects so the 999 has IK3/IK4/CTX to write.
type testBody struct {
	claim  string
	issues []ack.Issue
}

func (b *testBody) Segment(seg *x12.Segment) error {
	el := func(pos, elem int, code, de, loop string) {
		b.issues = append(b.issues, ack.Issue{
			Level: ack.LevelElement, Severity: ack.Error, Code: code, SegmentID: seg.Tag(), Position: seg.Position,
			Loop: loop, SegmentCode: ack.SegmentHasElementErrors, Element: elem, DataElement: de,
			Value: string(seg.Element(elem)), Offset: seg.ElementOffset(elem), ClaimID: b.claim,
		})
	}
	switch {
	case seg.Is("CLM"):
		b.claim = string(seg.Element(1))
	case seg.Is("NM1") && string(seg.Element(1)) == "XX":
		el(seg.Position, 1, "7", "98", "2310B")
		el(seg.Position, 3, "6", "1035", "2310B")
	case seg.Is("DTP") && len(seg.Element(3)) == 8 && string(seg.Element(3)[4:6]) > "12":
		el(seg.Position, 3, "8", "1251", "2400")
	}
	return nil
}

func (b *testBody) Finish() []ack.Issue { return b.issues }

// validate runs the envelope machine (with testBody) over data.
func validate(t *testing.T, data []byte, body bool) *envelope.Result {
	t.Helper()
	opts := &envelope.Options{}
	if body {
		opts.Body = func(envelope.SetInfo) envelope.BodyValidator { return &testBody{} }
	}
	m := envelope.New(opts)
	rd := x12.NewReader(bytes.NewReader(data))
	for {
		seg, err := rd.Read()
		if err == io.EOF {
			break
		}
		var se *x12.SyntaxError
		if errors.As(err, &se) {
			m.SyntaxError(se, false)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Segment(seg); err != nil {
			t.Fatal(err)
		}
	}
	return m.Finish(rd.InputOffset())
}

// outbound is the fixed envelope of the golden acks.
func outbound(n int64) ack.OutboundEnvelope {
	return ack.OutboundEnvelope{
		Control:      500 + n,
		GroupControl: 900 + n,
		Time:         time.Date(2026, 2, 3, 4, 5, 0, 0, time.UTC),
		Suffix:       "\n",
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// checkOwnEnvelope re-reads an ack we wrote: it must be a clean
// interchange by our own envelope validation, and its counts must be
// right.
func checkOwnEnvelope(t *testing.T, out []byte, groups int) *envelope.Result {
	t.Helper()
	res := validate(t, out, false)
	if res.Status() != 0 {
		for _, ic := range res.Interchanges {
			t.Errorf("TA1 %s/%s issues %v", ic.TA1.Ack, ic.TA1.Note, ic.Issues)
			for _, g := range ic.Groups {
				t.Errorf("AK9 %s issues %v", g.Ack, g.Issues)
				for _, s := range g.Sets {
					t.Errorf("IK5 %s issues %v", s.Ack, s.Issues)
				}
			}
		}
		t.Fatalf("our own ack does not pass envelope validation (status %d, file issues %v)", res.Status(), res.Issues)
	}
	if len(res.Interchanges) != 1 || len(res.Interchanges[0].Groups) != groups {
		t.Fatalf("ack has %d interchanges, want 1 with %d groups", len(res.Interchanges), groups)
	}
	// Count independently of the envelope package: SE01 against the
	// segments from ST to SE, GE01 against STs, IEA01 against GSs.
	rd := x12.NewReader(bytes.NewReader(out))
	var n, sets, gss int
	for {
		seg, err := rd.Read()
		if err != nil {
			break
		}
		n++
		switch seg.Tag() {
		case "ST":
			n, sets = 1, sets+1
		case "SE":
			if string(seg.Element(1)) != fmt.Sprint(n) {
				t.Errorf("SE01 %s, counted %d", seg.Element(1), n)
			}
		case "GS":
			gss++
		case "GE":
			if string(seg.Element(1)) != fmt.Sprint(sets) {
				t.Errorf("GE01 %s, counted %d", seg.Element(1), sets)
			}
			sets = 0
		case "IEA":
			if string(seg.Element(1)) != fmt.Sprint(gss) {
				t.Errorf("IEA01 %s, counted %d", seg.Element(1), gss)
			}
		}
	}
	return res
}

func TestGoldenAcks(t *testing.T) {
	files, err := filepath.Glob("testdata/*.edi")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test inputs: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".edi")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res := validate(t, data, true)
			for ii := range res.Interchanges {
				ic := &res.Interchanges[ii]
				var buf bytes.Buffer
				if err := ack.WriteTA1(&buf, ic.Header(), ic.TA1, outbound(int64(ii))); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("testdata", name+".ta1.golden"), buf.Bytes())
				checkOwnEnvelope(t, buf.Bytes(), 0)
				for gi := range ic.Groups {
					buf.Reset()
					if err := ack.Write999(&buf, ic.AckResult(&ic.Groups[gi]), outbound(int64(10*ii+gi))); err != nil {
						t.Fatal(err)
					}
					checkGolden(t, filepath.Join("testdata", fmt.Sprintf("%s.%d.999.golden", name, gi+1)), buf.Bytes())
					checkOwnEnvelope(t, buf.Bytes(), 1)
				}
			}
		})
	}
}

// TestGoldenContent spells out what the golden files must say, so that
// an -update cannot silently bless a wrong ack.
func TestGoldenContent(t *testing.T) {
	tests := []struct {
		file     string
		contains []string
	}{
		{"accepted.ta1.golden", []string{"TA1*000000101*260115*0930*A*000~", "IEA*0*000000500~",
			"*ZZ*CLEARINGHOUSE  *ZZ*SUBMITTER      *260203*0405*^*00501*000000500*0*P*:~"}},
		{"accepted.1.999.golden", []string{"GS*FA*CHGS*SUBMITGS*20260203*0405*900*X*005010X231A1~",
			"ST*999*0001*005010X231A1~", "AK1*HC*7001*005010X222A1~", "AK2*837*0001*005010X222A1~", "IK5*A~",
			"AK9*A*1*1*1~", "SE*6*0001~", "GE*1*900~", "IEA*1*000000500~"}},
		// '*' and '~' occur in copied values, so other delimiters are used.
		{"errors.1.999.golden", []string{"ISA|00|", "|ZZ|CLEARINGHOUSE  |ZZ|SUBMITTER      |260203|0405|^|00501|000000500|0|T|:'",
			"AK2|837|0002|005010X222A1'", "IK5|R|4'",
			"IK3|NM1|4|2310|8'\nCTX|CLM01:PCN*0003'\nIK4|1|98|7|XX'\nIK4|3|1035|6|DOE*JANE~X'",
			"IK3|DTP|5|2400|8'\nCTX|CLM01:PCN*0003'\nIK4|3|1251|8|20261399'\nIK5|R|5'",
			"AK2|837|0004'\nIK3|N M|3||1'\nIK5|R|19|5'", "AK9|P|4|4|1'\nSE|20|0001'\nGE|1|900'\nIEA|1|000000500'"}},
		{"group_errors.1.999.golden", []string{"AK9*R*2*1*0*5~"}},
		{"group_errors.2.999.golden", []string{"AK1*HC*7004*005010X223A2~", "AK9*R*1*1*0*4~"}},
		{"rejected.ta1.golden", []string{"TA1*000000104*260115*0930*R*001~"}},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, c := range tt.contains {
			if !bytes.Contains(data, []byte(c)) {
				t.Errorf("%s does not contain %q", tt.file, c)
			}
		}
	}
}
