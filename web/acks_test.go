package web

import (
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// A 999 with one rejected set (an IK3 with two IK4s and one without) and
// one accepted set, and a TA1.
const test999 = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*ACMEMED        *261120*1200*^*00501*000000001*0*P*:~" +
	"TA1*000000103*261120*1200*R*024~" +
	"GS*FA*CLEARINGHOUSE*ACMEMED*20261120*1200*1*X*005010X231A1~" +
	"ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~" +
	"AK2*837*0001*005010X222A1~IK3*CLM*37*2300*8~IK4*2**I12*108.41~IK4*5:3**7*Z~IK3*DTP*23*2400*3~IK5*R*5~" +
	"AK2*837*0002*005010X222A1~IK5*A~" +
	"AK9*P*2*2*1~SE*12*0001~GE*1*1~IEA*1*000000001~"

func TestReadAcks(t *testing.T) {
	var sum AckSummary
	if err := readAcks(strings.NewReader(test999), &sum, 10); err != nil {
		t.Fatal(err)
	}
	if len(sum.Interchanges) != 1 || sum.Interchanges[0].Ack != "R" || sum.Interchanges[0].Note != "024" || sum.Interchanges[0].NoteText != "invalid interchange content" {
		t.Errorf("TA1: %+v", sum.Interchanges)
	}
	if len(sum.Groups) != 1 || sum.Groups[0].Ack != "P" {
		t.Errorf("groups: %+v", sum.Groups)
	}
	if len(sum.Sets) != 2 {
		t.Fatalf("sets: %+v", sum.Sets)
	}
	s := sum.Sets[0]
	if s.Control != "0001" || s.Ack != "R" || s.AckText != "rejected" || len(s.Codes) != 1 || s.Codes[0].Text != "one or more segments in error" {
		t.Errorf("set 1: %+v", s)
	}
	want := []AckError{
		{Segment: "CLM", Position: "37", Loop: "2300", SegmentCode: "8", SegmentText: "segment has data element errors",
			Element: "CLM02", ElementCode: "I12", ElementText: "implementation pattern match failure"},
		{Segment: "CLM", Position: "37", Loop: "2300", SegmentCode: "8", SegmentText: "segment has data element errors",
			Element: "CLM05-3", ElementCode: "7", ElementText: "invalid code value"},
		{Segment: "DTP", Position: "23", Loop: "2400", SegmentCode: "3", SegmentText: "required segment missing"},
	}
	if len(s.Errors) != len(want) {
		t.Fatalf("errors: %+v", s.Errors)
	}
	for i := range want {
		if s.Errors[i] != want[i] {
			t.Errorf("error %d: %+v, want %+v", i, s.Errors[i], want[i])
		}
	}
	// The bad value (IK404) is never kept.
	for _, e := range s.Errors {
		if strings.Contains(e.ElementText+e.Detail, "108.41") {
			t.Errorf("IK404 value shown: %+v", e)
		}
	}
	if sum.Sets[1].Ack != "A" || len(sum.Sets[1].Errors) != 0 {
		t.Errorf("set 2: %+v", sum.Sets[1])
	}
	// The cap on sets.
	var capped AckSummary
	readAcks(strings.NewReader(test999), &capped, 1)
	if len(capped.Sets) != 1 {
		t.Errorf("capped: %d sets", len(capped.Sets))
	}
	// Validator messages join by set, position and codes.
	rep := validate.FileReport{Interchanges: []validate.InterchangeReport{{Groups: []validate.GroupReport{{Transactions: []validate.TransactionReport{{
		Control: "0001", Errors: []validate.IssueReport{
			{SegmentPosition: 37, IK3: "8", IK4: "I12", Offset: 1135, Message: "CLM02 108.41 does not equal the sum of the line charges 107.41"},
			{SegmentPosition: 23, IK3: "3", Offset: 900, Message: "required segment DTP missing"},
		}}}}}}}}
	addDetails(&sum, rep)
	if e := sum.Sets[0].Errors[0]; e.Offset != 1135 || !strings.Contains(e.Detail, "does not equal") {
		t.Errorf("detail 0: %+v", e)
	}
	if e := sum.Sets[0].Errors[1]; e.Detail != "" {
		t.Errorf("detail 1 should be empty: %+v", e)
	}
	if e := sum.Sets[0].Errors[2]; e.Offset != 900 {
		t.Errorf("detail 2: %+v", e)
	}
	// Garbage is not an error: nothing is read.
	var none AckSummary
	if err := readAcks(strings.NewReader("not x12 at all"), &none, 10); err != nil || len(none.Sets) != 0 {
		t.Errorf("garbage: %v %+v", err, none)
	}
}
