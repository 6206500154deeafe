package envelope_test

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Building blocks of synthetic interchanges. The ISA is fixed width.
const (
	isaStd = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*T*:~"
	gsStd  = "GS*HC*SENDERGS*RECEIVERGS*20260101*1200*1*X*005010X222A1~"
	geStd  = "GE*1*1~"
	ieaStd = "IEA*1*000000001~"
)

// set837 is a three-segment 837P set with control number ctl.
func set837(ctl string) string {
	return "ST*837*" + ctl + "*005010X222A1~BHT*0019*00*" + ctl + "*20260101*1200*CH~SE*3*" + ctl + "~"
}

// isaWith returns isaStd with element i replaced by v (no padding).
func isaWith(i int, v string) string {
	el := strings.Split(strings.TrimSuffix(isaStd, "~"), "*")
	el[i] = v
	return strings.Join(el, "*") + "~"
}

// one is a clean single-set interchange.
var one = isaStd + gsStd + set837("0001") + geStd + ieaStd

// marker locates expected issues in test inputs (encoding/csv style).
const marker = "§"

// stripMarkers removes the markers from s and returns their byte offsets
// in the result.
func stripMarkers(s string) (string, []int64) {
	var b strings.Builder
	var offs []int64
	for {
		i := strings.Index(s, marker)
		if i < 0 {
			b.WriteString(s)
			return b.String(), offs
		}
		b.WriteString(s[:i])
		offs = append(offs, int64(b.Len()))
		s = s[i+len(marker):]
	}
}

// want is an expected issue: "<level>:<code>" plus "/w" for a warning.
type envTest struct {
	name  string
	input string
	opts  *envelope.Options
	// want lists the expected issues, one per marker in input order, as
	// "level code" ("ta1 001", "ak9 4", "ik5 3", "ik3 1", "file 024"),
	// with a trailing "?" for warnings.
	want []string
	// ta1, ak9 and ik5 are the expected verdicts (optional): "R/001",
	// "P", "A,R".
	ta1, ak9, ik5 string
}

var envTests = []envTest{
	{name: "clean", input: one, ta1: "A/000", ak9: "A", ik5: "A"},
	{name: "clean two sets two groups", input: isaStd + gsStd + set837("0001") + set837("0002") + "GE*2*1~" +
		strings.Replace(gsStd, "*1*X*", "*2*X*", 1) + set837("0001") + "GE*1*2~IEA*2*000000001~", ta1: "A/000", ak9: "A,A", ik5: "A,A,A"},
	{name: "TA1 segments before the groups", input: isaStd + "TA1*000000007*260101*1200*A*000~" + gsStd + set837("0001") + geStd + ieaStd, ta1: "A/000"},

	// --- TA1 notes ---
	{name: "001 IEA02 differs from ISA13", input: isaStd + gsStd + set837("0001") + geStd + "IEA*1*§000000002~",
		want: []string{"ta1 001"}, ta1: "R/001", ak9: "A"},
	{name: "021 IEA01 wrong", input: isaStd + gsStd + set837("0001") + geStd + "IEA*§2*000000001~",
		want: []string{"ta1 021"}, ta1: "R/021"},
	{name: "021 lenient", input: isaStd + gsStd + set837("0001") + geStd + "IEA*§2*000000001~",
		opts: &envelope.Options{Lenient: envelope.Leniency{GroupCount: true}}, want: []string{"ta1 021?"}, ta1: "E/021"},
	{name: "023 no IEA", input: isaStd + gsStd + set837("0001") + geStd + "§",
		want: []string{"ta1 023"}, ta1: "R/023", ak9: "A"},
	{name: "023 new ISA without IEA", input: isaStd + gsStd + set837("0001") + geStd + "§" + strings.Replace(one, "000000001", "000000002", 2),
		want: []string{"ta1 023"}, ta1: "R/023,A/000"},
	{name: "023 truncated ISA at the end", input: one + "§ISA*00*          *00",
		want: []string{"ta1 023"}, ta1: "A/000,R/023"},
	{name: "024 damaged ISA followed by data", input: "§ISA*00*" + strings.Repeat("X", 600) + "~" + one,
		want: []string{"ta1 024"}, ta1: "R/024,A/000"},
	{name: "026 invalid delimiters", input: "§" + strings.Replace(isaStd, "*:~", "**~", 1) + gsStd + set837("0001") + geStd + ieaStd + one,
		want: []string{"ta1 026"}, ta1: "R/026,A/000"},
	{name: "025 duplicate ISA13", input: one + strings.Replace(isaStd, "*000000001*", "*§000000001*", 1) + gsStd + set837("0001") + geStd + ieaStd,
		want: []string{"ta1 025"}, ta1: "A/000,R/025"},
	{name: "024 set outside a group", input: isaStd + "§" + set837("0001") + gsStd + set837("0001") + geStd + ieaStd,
		want: []string{"ta1 024"}, ta1: "R/024", ak9: "A"},
	{name: "024 segment between GS and ST", input: isaStd + gsStd + "§NTE*X~REF*Y~" + set837("0001") + geStd + ieaStd,
		want: []string{"ta1 024"}, ta1: "R/024"},
	{name: "024 GE without GS", input: isaStd + gsStd + set837("0001") + geStd + "§GE*0*9~" + ieaStd,
		want: []string{"ta1 024"}, ta1: "R/024"},
	{name: "024 warning GS date", input: isaStd + "GS*HC*SENDERGS*RECEIVERGS*§20260231*1200*1*X*005010X222A1~" + set837("0001") + geStd + ieaStd,
		want: []string{"ta1 024?"}, ta1: "E/024", ak9: "A"},
	{name: "024 warning GS time", input: isaStd + "GS*HC*SENDERGS*RECEIVERGS*20260101*§2460*1*X*005010X222A1~" + set837("0001") + geStd + ieaStd,
		want: []string{"ta1 024?"}, ta1: "E/024"},
	{name: "GS time with seconds", input: isaStd + "GS*HC*SENDERGS*RECEIVERGS*20260101*12003099*1*X*005010X222A1~" + set837("0001") + geStd + ieaStd,
		ta1: "A/000"},
	{name: "010 ISA01", input: isaWith(1, "§01") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 010"}, ta1: "R/010"},
	{name: "011 ISA02 not blank", input: isaWith(2, "§PASSWORD  ") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 011?"}, ta1: "E/011"},
	{name: "012 ISA03", input: isaWith(3, "§02") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 012"}, ta1: "R/012"},
	{name: "013 ISA04 not blank", input: isaWith(4, "§SECRET    ") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 013?"}, ta1: "E/013"},
	{name: "005 ISA05", input: isaWith(5, "§XX") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 005"}, ta1: "R/005"},
	{name: "006 ISA06 blank", input: isaWith(6, "§               ") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 006"}},
	{name: "007 ISA07", input: isaWith(7, "§1Z") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 007"}},
	{name: "008 ISA08 blank", input: isaWith(8, "§               ") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 008"}},
	{name: "009 receiver unknown", input: isaWith(8, "§RECEIVER       ") + gsStd + set837("0001") + geStd + ieaStd,
		opts: &envelope.Options{ReceiverIDs: []string{"CLEARINGHOUSE"}}, want: []string{"ta1 009"}, ta1: "R/009"},
	{name: "receiver known", input: one, opts: &envelope.Options{ReceiverIDs: []string{"OTHER", "RECEIVER"}}, ta1: "A/000"},
	{name: "006 sender not enrolled", input: isaWith(6, "§SUBMITTER      ") + gsStd + set837("0001") + geStd + ieaStd, opts: &envelope.Options{SenderIDs: []string{"OTHERSENDER"}}, want: []string{"ta1 006"}, ta1: "R/006"},
	{name: "sender enrolled", input: one, opts: &envelope.Options{SenderIDs: []string{"OTHER", "SUBMITTER"}}, ta1: "A/000"},
	{name: "014 ISA09 not a date", input: isaWith(9, "§260230") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 014"}, ta1: "R/014"},
	{name: "014 leap day is a date", input: isaWith(9, "280229") + gsStd + set837("0001") + geStd + ieaStd, ta1: "A/000"},
	{name: "015 ISA10", input: isaWith(10, "§1260") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 015"}, ta1: "R/015"},
	{name: "016 ISA11 not a separator in 5010", input: isaWith(11, "§U") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 016"}},
	{name: "016 lenient", input: isaWith(11, "§U") + gsStd + set837("0001") + geStd + ieaStd,
		opts: &envelope.Options{Lenient: envelope.Leniency{ISA11: true}}, want: []string{"ta1 016?"}, ta1: "E/016"},
	{name: "017 ISA12 malformed", input: isaWith(12, "§0050A") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 017"}, ta1: "R/017"},
	{name: "003 ISA12 not supported (ISA11 U is right for 00401)", input: strings.Replace(isaWith(11, "U"), "*00501*", "*§00401*", 1) + gsStd + set837("0001") + geStd + ieaStd,
		want: []string{"ta1 003"}, ta1: "R/003"},
	{name: "018 ISA13", input: isaWith(13, "§00000000A") + gsStd + set837("0001") + geStd + "IEA*1*00000000A~", want: []string{"ta1 018"}, ta1: "R/018"},
	{name: "019 ISA14", input: isaWith(14, "§2") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 019"}},
	{name: "020 ISA15", input: isaWith(15, "§X") + gsStd + set837("0001") + geStd + ieaStd, want: []string{"ta1 020"}},
	{name: "ISA not fixed width", input: isaWith(6, "§SUBMITTER") + gsStd + set837("0001") + geStd + ieaStd,
		want: []string{"ta1 006"}, ta1: "R/006"},
	{name: "ISA not fixed width, lenient", input: isaWith(6, "§SUBMITTER") + gsStd + set837("0001") + geStd + ieaStd,
		opts: &envelope.Options{Lenient: envelope.Leniency{ISAWidth: true}}, want: []string{"ta1 006?"}, ta1: "E/006"},
	{name: "ISA control number short", input: isaWith(13, "§1") + gsStd + set837("0001") + geStd + "IEA*1*1~",
		want: []string{"ta1 018"}, ta1: "R/018"},

	// --- AK905 group codes ---
	{name: "AK905 1 group not supported", input: isaStd + "GS*§ZZ*SENDERGS*RECEIVERGS*20260101*1200*1*X*005010X222A1~ST*§837*0001*005010X222A1~BHT*0019~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ak9 1", "ik5 1"}, ak9: "R", ik5: "R"},
	{name: "AK905 2 version not supported, IK502 I6", input: isaStd + "GS*HC*SENDERGS*RECEIVERGS*20260101*1200*1*X*§004010X098A1~ST*837*0001*§004010X098A1~BHT*0019~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ak9 2", "ik5 I6"}, ak9: "R", ik5: "R"},
	{name: "AK905 3 GE missing", input: isaStd + gsStd + set837("0001") + "§" + ieaStd,
		want: []string{"ak9 3"}, ta1: "A/000", ak9: "R", ik5: "A"},
	{name: "AK905 3 GE missing before next GS", input: isaStd + gsStd + set837("0001") + "§" + strings.Replace(gsStd, "*1*X*", "*2*X*", 1) + set837("0001") + "GE*1*2~IEA*2*000000001~",
		want: []string{"ak9 3"}, ak9: "R,A"},
	{name: "AK905 4 GE02 differs", input: isaStd + gsStd + set837("0001") + "GE*1*§2~" + ieaStd,
		want: []string{"ak9 4"}, ak9: "R"},
	{name: "AK905 4 compares numbers", input: isaStd + gsStd + set837("0001") + "GE*1*0001~" + ieaStd, ak9: "A"},
	{name: "AK905 5 GE01 wrong", input: isaStd + gsStd + set837("0001") + "GE*§2*1~" + ieaStd,
		want: []string{"ak9 5"}, ak9: "R", ik5: "A"},
	{name: "AK905 6 GS06 syntax", input: isaStd + "GS*HC*SENDERGS*RECEIVERGS*20260101*1200*§A1*X*005010X222A1~" + set837("0001") + "GE*1*A1~" + ieaStd,
		want: []string{"ak9 6"}, ak9: "R"},
	{name: "AK905 19 GS06 not unique", input: isaStd + gsStd + set837("0001") + geStd + "GS*HC*SENDERGS*RECEIVERGS*20260101*1200*§1*X*005010X222A1~" + set837("0001") + "GE*1*1~IEA*2*000000001~",
		want: []string{"ak9 19"}, ak9: "A,R"},

	// --- IK502 set codes ---
	{name: "IK502 1 unknown set", input: isaStd + gsStd + "ST*§850*0001*005010X222A1~BEG*00~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik5 1"}, ak9: "R", ik5: "R"},
	{name: "IK502 1 set in wrong group", input: isaStd + gsStd + "ST*§835*0001*005010X222A1~BPR*I~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik5 1"}, ik5: "R"},
	{name: "IK502 1 835 at a claims intake", input: isaStd + "GS*§HP*SENDERGS*RECEIVERGS*20260101*1200*1*X*005010X221A1~ST*§835*0001*005010X221A1~BPR*I~SE*3*0001~" + geStd + ieaStd,
		opts: &envelope.Options{Supported: envelope.Claims}, want: []string{"ak9 1", "ik5 1"}, ak9: "R", ik5: "R"},
	{name: "835 envelope-valid by default", input: isaStd + "GS*HP*SENDERGS*RECEIVERGS*20260101*1200*1*X*005010X221A1~ST*835*0001*005010X221A1~BPR*I~SE*3*0001~" + geStd + ieaStd,
		ak9: "A", ik5: "A"},
	// The 835 guide does not use ST03: an 835 without it takes GS08.
	{name: "835 without ST03", input: isaStd + "GS*HP*SENDERGS*RECEIVERGS*20260101*1200*1*X*005010X221A1~ST*835*0001~BPR*I~SE*3*0001~" + geStd + ieaStd,
		ak9: "A", ik5: "A"},
	{name: "IK502 19 835 ST03 differs from GS08", input: isaStd + "GS*HP*SENDERGS*RECEIVERGS*20260101*1200*1*X*005010X221A1~ST*835*0001*§§005010X222A1~BPR*I~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik5 19", "ik5 I6"}, ak9: "R", ik5: "R"},
	{name: "IK502 2 SE missing", input: isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~§" + geStd + ieaStd,
		want: []string{"ik5 2"}, ak9: "R", ik5: "R"},
	{name: "IK502 2 SE missing before next ST", input: isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~§" + set837("0002") + "GE*2*1~" + ieaStd,
		want: []string{"ik5 2"}, ak9: "P", ik5: "R,A"},
	{name: "IK502 3 SE02 differs", input: isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~SE*3*§0002~" + geStd + ieaStd,
		want: []string{"ik5 3"}, ik5: "R"},
	{name: "IK502 4 SE01 wrong", input: isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~SE*§4*0001~" + geStd + ieaStd,
		want: []string{"ik5 4"}, ik5: "R"},
	{name: "IK502 4 SE01 missing", input: isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~SE*§*0001~" + geStd + ieaStd,
		want: []string{"ik5 4"}, ik5: "R"},
	{name: "IK502 4 lenient", input: isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~SE*§4*0001~" + geStd + ieaStd,
		opts: &envelope.Options{Lenient: envelope.Leniency{SegmentCount: true}}, want: []string{"ik5 4?"}, ak9: "E", ik5: "E"},
	{name: "IK502 6 bad ST01", input: isaStd + gsStd + "ST*§8X7*0001*005010X222A1~BHT*0019~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik5 6"}, ik5: "R"},
	{name: "IK502 7 bad ST02", input: isaStd + gsStd + "ST*837*§01*005010X222A1~BHT*0019~SE*3*01~" + geStd + ieaStd,
		want: []string{"ik5 7"}, ik5: "R"},
	{name: "IK502 19 ST03 differs from GS08", input: isaStd + gsStd + "ST*837*0001*§005010X223A2~BHT*0019~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik5 19"}, ik5: "R"},
	{name: "IK502 19 lenient", input: isaStd + gsStd + "ST*837*0001*§005010X223A2~BHT*0019~SE*3*0001~" + geStd + ieaStd,
		opts: &envelope.Options{Lenient: envelope.Leniency{ST03Mismatch: true}}, want: []string{"ik5 19?"}, ik5: "E"},
	{name: "IK502 19 ST03 missing", input: isaStd + gsStd + "§ST*837*0001~BHT*0019~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik5 19"}, ik5: "R"},
	{name: "ST03 missing, lenient", input: isaStd + gsStd + "ST*837*0001~BHT*0019~SE*3*0001~" + geStd + ieaStd,
		opts: &envelope.Options{Lenient: envelope.Leniency{MissingST03: true}}, ik5: "A"},
	{name: "IK502 23 ST02 not unique", input: isaStd + gsStd + set837("0001") + "ST*837*§0001*005010X222A1~BHT*0019~SE*3*0001~" + "GE*2*1~" + ieaStd,
		want: []string{"ik5 23"}, ak9: "P", ik5: "A,R"},
	{name: "IK502 I6 convention not supported", input: isaStd + gsStd + "ST*837*0001*§§005010X222A2~BHT*0019~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik5 19", "ik5 I6"}, ik5: "R"},

	// --- IK304 segment codes ---
	{name: "IK304 1 unrecognized segment ID", input: isaStd + gsStd + "ST*837*0001*005010X222A1~§N M1*41~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik3 1"}, ik5: "R"},
	{name: "IK304 2 TA1 inside a set", input: isaStd + gsStd + "ST*837*0001*005010X222A1~§TA1*000000001*260101*1200*A*000~SE*3*0001~" + geStd + ieaStd,
		want: []string{"ik3 2"}, ik5: "R"},
	{name: "IK304 2 segments after SE", input: isaStd + gsStd + set837("0001") + "§NTE*X~NTE*Y~" + set837("0002") + "GE*2*1~" + ieaStd,
		want: []string{"ik3 2"}, ak9: "P", ik5: "R,A"},

	// --- outside interchanges ---
	{name: "data before the first ISA", input: "§junk\r\n" + one, want: []string{"file 024?"}, ta1: "A/000"},
	{name: "no interchange", input: "§junk§", want: []string{"file 024?", "file 024"}},
}

// run validates input with the envelope machine fed by the x12 reader,
// the way validate.Run does (damaged ISA headers reported after the next
// read).
func run(t testing.TB, input string, opts *envelope.Options) *envelope.Result {
	t.Helper()
	rd := x12.NewReader(strings.NewReader(input))
	m := envelope.New(opts)
	var pending *x12.SyntaxError
	for {
		seg, err := rd.Read()
		if pending != nil {
			m.SyntaxError(pending, err == io.EOF)
			pending = nil
		}
		if err == io.EOF {
			break
		}
		var se *x12.SyntaxError
		if errors.As(err, &se) {
			if errors.Is(err, x12.ErrBadISA) {
				pending = se
			} else {
				m.SyntaxError(se, false)
			}
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

// issueKey renders an issue as the test's "kind code[?]@offset".
func issueKey(kind string, is ack.Issue) string {
	w := ""
	if is.Severity == ack.Warning {
		w = "?"
	}
	return fmt.Sprintf("%s %s%s@%d", kind, is.Code, w, is.Offset)
}

// allIssues flattens the result's issues into issueKeys.
func allIssues(res *envelope.Result) []string {
	var got []string
	for _, is := range res.Issues {
		got = append(got, issueKey("file", is))
	}
	for _, ic := range res.Interchanges {
		for _, is := range ic.Issues {
			got = append(got, issueKey("ta1", is))
		}
		for _, g := range ic.Groups {
			for _, is := range g.Issues {
				got = append(got, issueKey("ak9", is))
			}
			for _, s := range g.Sets {
				for _, is := range s.Issues {
					kind := "ik5"
					switch is.Level {
					case ack.LevelSegment:
						kind = "ik3"
					case ack.LevelElement:
						kind = "ik4"
					}
					got = append(got, issueKey(kind, is))
				}
			}
		}
	}
	sort.Strings(got)
	return got
}

// verdicts renders the TA1, AK9 and IK5 verdicts of a result.
func verdicts(res *envelope.Result) (ta1, ak9, ik5 string) {
	var t, a, s []string
	for _, ic := range res.Interchanges {
		t = append(t, ic.TA1.Ack+"/"+ic.TA1.Note)
		for _, g := range ic.Groups {
			a = append(a, g.Ack)
			for _, st := range g.Sets {
				s = append(s, st.Ack)
			}
		}
	}
	return strings.Join(t, ","), strings.Join(a, ","), strings.Join(s, ",")
}

func TestMachine(t *testing.T) {
	for _, tt := range envTests {
		t.Run(tt.name, func(t *testing.T) {
			input, offs := stripMarkers(tt.input)
			if len(offs) != len(tt.want) {
				t.Fatalf("test has %d markers for %d expected issues", len(offs), len(tt.want))
			}
			var want []string
			for i, w := range tt.want {
				want = append(want, fmt.Sprintf("%s@%d", w, offs[i]))
			}
			sort.Strings(want)
			res := run(t, input, tt.opts)
			got := allIssues(res)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("issues:\n got %q\nwant %q", got, want)
				for _, ic := range res.Interchanges {
					for _, is := range ic.Issues {
						t.Logf("  %v", is)
					}
				}
			}
			ta1, ak9, ik5 := verdicts(res)
			if tt.ta1 != "" && ta1 != tt.ta1 {
				t.Errorf("TA1 = %s, want %s", ta1, tt.ta1)
			}
			if tt.ak9 != "" && ak9 != tt.ak9 {
				t.Errorf("AK9 = %s, want %s", ak9, tt.ak9)
			}
			if tt.ik5 != "" && ik5 != tt.ik5 {
				t.Errorf("IK5 = %s, want %s", ik5, tt.ik5)
			}
		})
	}
}
