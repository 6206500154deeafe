package envelope_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// fakeBody records the segments it receives and reports an element issue
// on every NM1 whose NM101 is "XX", an unrecognized-ID issue on segments
// with invalid IDs (which the envelope also reports), and fails on "BOOM".
type fakeBody struct {
	info     envelope.SetInfo
	segs     []string
	finished int
	issues   []ack.Issue
}

func (f *fakeBody) Segment(seg *x12.Segment) error {
	f.segs = append(f.segs, seg.Tag())
	switch {
	case seg.Is("BOOM"):
		return errors.New("handler failed")
	case !seg.ValidID():
		f.issues = append(f.issues, ack.Issue{Level: ack.LevelSegment, Severity: ack.Error, Code: ack.SegmentUnrecognized,
			Position: seg.Position, Offset: seg.Offset})
	case seg.Is("NM1") && string(seg.Element(1)) == "XX":
		f.issues = append(f.issues, ack.Issue{Level: ack.LevelElement, Severity: ack.Error, Code: "7",
			SegmentID: "NM1", Position: seg.Position, Loop: "1000A", Element: 1, DataElement: "98",
			Value: "XX", Offset: seg.ElementOffset(1), ClaimID: "PCN1"})
	}
	return nil
}

func (f *fakeBody) Finish() []ack.Issue { f.finished++; return f.issues }

func TestBodyValidator(t *testing.T) {
	var bodies []*fakeBody
	opts := &envelope.Options{
		Supported: envelope.Claims,
		Body: func(info envelope.SetInfo) envelope.BodyValidator {
			f := &fakeBody{info: info}
			bodies = append(bodies, f)
			return f
		},
	}
	input := isaStd + gsStd +
		"ST*837*0001*005010X222A1~NM1*XX*2~N M1*1~SE*4*0001~" + // body issue + unrecognized ID
		"ST*837*0002*005010X222A1~BHT*0019~" + // cut off by GE: Finish still called
		geStd + "GS*HP*SENDERGS*RECEIVERGS*20260101*1200*2*X*005010X221A1~ST*835*0001*005010X221A1~BPR*I~SE*3*0001~GE*1*2~" +
		"IEA*2*000000001~"
	res := run(t, input, opts)
	if len(bodies) != 2 {
		t.Fatalf("%d body validators created, want 2 (none for the unsupported 835)", len(bodies))
	}
	if got := strings.Join(bodies[0].segs, ","); got != "ST,NM1,N M1,SE" {
		t.Errorf("first body got %s", got)
	}
	if got := strings.Join(bodies[1].segs, ","); got != "ST,BHT" {
		t.Errorf("second body got %s", got)
	}
	for i, b := range bodies {
		if b.finished != 1 {
			t.Errorf("body %d finished %d times", i, b.finished)
		}
	}
	if b := bodies[0].info; b.Interchange != "000000001" || b.Group != "1" || b.Control != "0001" || b.Version != "005010X222A1" ||
		b.Sender.ID != "SUBMITTER" || b.FunctionalID != "HC" || !b.Supported {
		t.Errorf("set info = %+v", b)
	}
	g := res.Interchanges[0].Groups[0]
	s := g.Sets[0]
	if !s.BodyChecked || s.Ack != ack.Rejected {
		t.Errorf("set 1: body checked %v ack %s", s.BodyChecked, s.Ack)
	}
	// The unrecognized ID is reported once (the body's duplicate is
	// dropped); the element issue gets the envelope's control numbers.
	var segIssues, elemIssues int
	for _, is := range s.Issues {
		switch is.Level {
		case ack.LevelSegment:
			segIssues++
			if is.Position != 3 || is.SegmentID != "N M" {
				t.Errorf("segment issue %v", is)
			}
		case ack.LevelElement:
			elemIssues++
			if is.Interchange != "000000001" || is.Group != "1" || is.Transaction != "0001" || is.Position != 2 {
				t.Errorf("element issue %+v", is)
			}
		}
	}
	if segIssues != 1 || elemIssues != 1 {
		t.Errorf("%d segment and %d element issues, want 1 and 1: %v", segIssues, elemIssues, s.Issues)
	}
	if got := strings.Join(s.Codes(), ","); got != "5" {
		t.Errorf("IK502 codes %s, want 5", got)
	}
	if s2 := g.Sets[1]; !s2.BodyChecked || s2.SegmentCount != 2 || strings.Join(s2.Codes(), ",") != "2" {
		t.Errorf("set 2: %+v", s2)
	}
	if s3 := res.Interchanges[0].Groups[1].Sets[0]; s3.BodyChecked || s3.Ack != ack.Rejected {
		t.Errorf("835 at a claims intake: %+v", s3)
	}
}

func TestBodyValidatorError(t *testing.T) {
	m := envelope.New(&envelope.Options{Body: func(envelope.SetInfo) envelope.BodyValidator { return &fakeBody{} }})
	rd := x12.NewReader(strings.NewReader(isaStd + gsStd + "ST*837*0001*005010X222A1~BOOM*1~SE*3*0001~"))
	var err error
	for err == nil {
		var seg *x12.Segment
		if seg, err = rd.Read(); err == nil {
			err = m.Segment(seg)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "handler failed") || !strings.Contains(err.Error(), "ST02 0001") {
		t.Fatalf("err = %v, want the handler's error with the set's control numbers", err)
	}
}

func TestCallbacks(t *testing.T) {
	var events []string
	opts := &envelope.Options{
		OnSetEnd: func(r envelope.SetResult) {
			events = append(events, "set "+r.Control+" "+r.Ack+" "+strings.Join(ack.SetCodes(r.Issues), ","))
		},
		OnInterchangeEnd: func(ic *envelope.Interchange) {
			events = append(events, "ic "+ic.Control+" "+ic.TA1.Ack+" groups "+ic.DeclaredGroups)
		},
	}
	// Set 0001 is followed by stray segments: its callback comes after
	// them, with the rejection they caused.
	input := isaStd + gsStd + set837("0001") + "NTE*X~" + set837("0002") + "ST*837*0003*005010X222A1~" + "GE*3*1~" + ieaStd +
		strings.Replace(one, "000000001", "000000002", 2)
	res := run(t, input, opts)
	want := []string{"set 0001 R 5", "set 0002 A ", "set 0003 R 2", "ic 000000001 A groups 1", "set 0001 A ", "ic 000000002 A groups 1"}
	if strings.Join(events, "|") != strings.Join(want, "|") {
		t.Errorf("events:\n got %q\nwant %q", events, want)
	}
	if len(res.Interchanges) != 2 || res.SetCount() != 4 {
		t.Errorf("%d interchanges, %d sets", len(res.Interchanges), res.SetCount())
	}
}

func TestPositionsAndCounts(t *testing.T) {
	input := isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~REF*X~N M1*1~SE*5*0001~" + geStd + ieaStd
	res := run(t, input, nil)
	s := res.Interchanges[0].Groups[0].Sets[0]
	if s.SegmentCount != 5 || len(s.Issues) != 1 || s.Issues[0].Position != 4 || s.Issues[0].SegmentID != "N M" {
		t.Fatalf("set %+v", s)
	}
	g := res.Interchanges[0].Groups[0]
	if g.Included != 1 || g.Received != 1 || g.Accepted != 0 || g.Ack != ack.Rejected {
		t.Errorf("group counts %d/%d/%d ack %s", g.Included, g.Received, g.Accepted, g.Ack)
	}
	if res.Segments != 9 || res.Bytes != int64(len(input)) {
		t.Errorf("segments %d bytes %d", res.Segments, res.Bytes)
	}
}

func TestSegmentTooLong(t *testing.T) {
	input := isaStd + gsStd + "ST*837*0001*005010X222A1~BHT*0019~NTE*" + strings.Repeat("A", 300) + "~SE*4*0001~" + geStd + ieaStd
	rd := x12.NewReader(strings.NewReader(input))
	rd.MaxSegmentLen = 100
	m := envelope.New(nil)
	for {
		seg, err := rd.Read()
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				m.SyntaxError(se, false)
				continue
			}
			break
		}
		if err := m.Segment(seg); err != nil {
			t.Fatal(err)
		}
	}
	res := m.Finish(rd.InputOffset())
	s := res.Interchanges[0].Groups[0].Sets[0]
	// The skipped segment still counts in SE01 (4) and is reported at its
	// position.
	if len(s.Issues) != 1 || s.Issues[0].Position != 3 || s.Issues[0].Code != ack.SegmentUnrecognized ||
		s.Issues[0].Offset != int64(strings.Index(input, "NTE")) {
		t.Errorf("issues %v", s.Issues)
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		status   int
		accepted bool
	}{
		{"clean", one, 0, true},
		{"accepted with errors", isaWith(2, "PASSWORD  ") + gsStd + set837("0001") + geStd + ieaStd, 1, true},
		{"set rejected", isaStd + gsStd + "ST*837*0001*005010X222A1~SE*9*0001~" + geStd + ieaStd, 1, false},
		{"interchange rejected", isaStd + gsStd + set837("0001") + geStd + "IEA*1*000000009~", 1, false},
		{"empty", "", 1, false},
		{"junk after the interchange", one + "\x1a", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.input, nil)
			if got := res.Status(); got != tt.status {
				t.Errorf("Status() = %d, want %d", got, tt.status)
			}
			if got := res.Accepted(); got != tt.accepted {
				t.Errorf("Accepted() = %v, want %v", got, tt.accepted)
			}
		})
	}
}

func TestSendTA1(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		require bool
		want    bool
	}{
		{"not requested, clean", one, false, false},
		{"requested", strings.Replace(one, "*0*T*", "*1*T*", 1), false, true},
		{"required by us", one, true, true},
		{"rejected", strings.Replace(one, "IEA*1*000000001", "IEA*1*000000002", 1), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.input, &envelope.Options{RequireTA1: tt.require})
			if got := res.Interchanges[0].SendTA1; got != tt.want {
				t.Errorf("SendTA1 = %v, want %v", got, tt.want)
			}
		})
	}
}

// A set of garbage does not grow the issue list without bound.
func TestIssueCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(isaStd + gsStd + "ST*837*0001*005010X222A1~")
	for i := 0; i < 10005; i++ {
		b.WriteString("n m*1~")
	}
	b.WriteString("SE*10007*0001~" + geStd + ieaStd)
	res := run(t, b.String(), nil)
	s := res.Interchanges[0].Groups[0].Sets[0]
	if len(s.Issues) != 10000 || s.Dropped != 5 || s.Ack != ack.Rejected {
		t.Errorf("%d issues, %d dropped, ack %s", len(s.Issues), s.Dropped, s.Ack)
	}
}
