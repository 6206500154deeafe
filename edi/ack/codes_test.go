package ack_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

func issue(level ack.Level, code string, sev ack.Severity) ack.Issue {
	return ack.Issue{Level: level, Code: code, Severity: sev}
}

var setCodesTests = []struct {
	name   string
	issues []ack.Issue
	want   string
	ack    string
}{
	{"none", nil, "", "A"},
	{"transaction codes in order, no duplicates", []ack.Issue{
		issue(ack.LevelTransaction, "4", ack.Error), issue(ack.LevelTransaction, "3", ack.Error), issue(ack.LevelTransaction, "4", ack.Error),
	}, "4,3", "R"},
	{"segment errors add 5", []ack.Issue{
		issue(ack.LevelElement, "7", ack.Error), issue(ack.LevelTransaction, "19", ack.Error),
	}, "19,5", "R"},
	{"implementation codes add I5", []ack.Issue{
		issue(ack.LevelSegment, "I4", ack.Warning), issue(ack.LevelElement, "I12", ack.Warning),
	}, "I5", "E"},
	{"both", []ack.Issue{
		issue(ack.LevelSegment, "2", ack.Error), issue(ack.LevelElement, "I6", ack.Warning),
	}, "5,I5", "R"},
}

func TestSetCodes(t *testing.T) {
	for _, tt := range setCodesTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(ack.SetCodes(tt.issues), ","); got != tt.want {
				t.Errorf("SetCodes = %q, want %q", got, tt.want)
			}
			if got := ack.Verdict(tt.issues); got != tt.ack {
				t.Errorf("Verdict = %q, want %q", got, tt.ack)
			}
		})
	}
}

func TestGroupVerdict(t *testing.T) {
	groupErr := []ack.Issue{issue(ack.LevelGroup, "5", ack.Error)}
	tests := []struct {
		name   string
		issues []ack.Issue
		sets   []string
		want   string
	}{
		{"all accepted", nil, []string{"A", "A"}, "A"},
		{"no sets", nil, nil, "A"},
		{"some noted", nil, []string{"A", "E"}, "E"},
		{"some rejected", nil, []string{"A", "R", "E"}, "P"},
		{"all rejected", nil, []string{"R", "R"}, "R"},
		{"group error", groupErr, []string{"A"}, "R"},
		{"group warning", []ack.Issue{issue(ack.LevelGroup, "5", ack.Warning)}, []string{"A"}, "E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ack.GroupVerdict(tt.issues, tt.sets); got != tt.want {
				t.Errorf("GroupVerdict = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPickDelimiters(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   x12.Delimiters
	}{
		{"defaults", []string{"ABC", "12-3"}, x12.DefaultDelimiters},
		{"element and terminator used", []string{"A*B", "C~D"}, x12.Delimiters{Element: '|', Repetition: '^', Component: ':', Segment: '\''}},
		{"all defaults used", []string{"*^:~"}, x12.Delimiters{Element: '|', Repetition: '{', Component: '>', Segment: '\''}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ack.PickDelimiters(x12.Delimiters{}, tt.values...)
			if !ok || got != tt.want {
				t.Errorf("PickDelimiters = %q %v, want %q", []byte{got.Element, got.Repetition, got.Component, got.Segment}, ok,
					[]byte{tt.want.Element, tt.want.Repetition, tt.want.Component, tt.want.Segment})
			}
		})
	}
	// Every printable candidate used: no choice left for some role.
	if _, ok := ack.PickDelimiters(x12.Delimiters{}, "*|!+^\x1d{}\\`\x1f:>~'\x1c\x1e"); ok {
		t.Error("PickDelimiters found delimiters although every candidate is used")
	}
	if got := ack.Scrub("A*B:C~D", x12.DefaultDelimiters); got != "A B C D" {
		t.Errorf("Scrub = %q", got)
	}
	// Bytes outside the character set never reach an acknowledgment.
	if got := ack.Scrub("A\x00B\xffC\u00c9*", x12.DefaultDelimiters); got != "A?B?C?? " {
		t.Errorf("Scrub = %q", got)
	}
	if got := ack.Scrub("A\x01B", x12.Delimiters{Element: '?', Component: ':', Segment: '~'}); got != "A B" {
		t.Errorf("Scrub with ? as separator = %q", got)
	}
}

func TestWrite999Limits(t *testing.T) {
	var issues []ack.Issue
	for i := 0; i < 120; i++ {
		issues = append(issues, ack.Issue{Level: ack.LevelElement, Severity: ack.Error, Code: "7", SegmentID: "NM1",
			Position: 3, Element: 1, Value: strings.Repeat("V", 150)})
	}
	for _, c := range []string{"1", "3", "4", "6", "7", "19"} {
		issues = append(issues, issue(ack.LevelTransaction, c, ack.Error))
	}
	g := ack.GroupResult{
		Interchange:  ack.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "S", ReceiverQualifier: "ZZ", ReceiverID: "R"},
		FunctionalID: "HC", Control: "1", Version: "005010X222A1", Ack: "R", Included: 1, Received: 1,
		Issues: []ack.Issue{issue(ack.LevelGroup, "1", ack.Error), issue(ack.LevelGroup, "2", ack.Error), issue(ack.LevelGroup, "3", ack.Error),
			issue(ack.LevelGroup, "4", ack.Error), issue(ack.LevelGroup, "5", ack.Error), issue(ack.LevelGroup, "6", ack.Error)},
		Sets: []ack.SetResult{{ID: "837", Control: "0001", Ack: "R", Issues: issues}},
	}
	var buf bytes.Buffer
	out := ack.OutboundEnvelope{Control: 1, GroupControl: 1, Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := ack.Write999(&buf, g, out); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if n := strings.Count(s, "~IK4*"); n != 99 {
		t.Errorf("%d IK4 segments, want 99", n)
	}
	if !strings.Contains(s, "*"+strings.Repeat("V", 99)+"~") || strings.Contains(s, strings.Repeat("V", 100)) {
		t.Error("IK404 not cut to 99 characters")
	}
	if !strings.Contains(s, "~IK5*R*1*3*4*6*7~") {
		t.Error("IK5 does not carry the first five codes")
	}
	if !strings.Contains(s, "~AK9*R*1*1*0*1*2*3*4*5~") {
		t.Error("AK9 does not carry the first five codes")
	}
}

func TestWriterErrors(t *testing.T) {
	hdr := ack.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "S", ReceiverQualifier: "ZZ", ReceiverID: "R", Control: "000000001"}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		hdr  ack.InterchangeHeader
		out  ack.OutboundEnvelope
		err  error
	}{
		{"control zero", hdr, ack.OutboundEnvelope{Time: now}, ack.ErrControlNumber},
		{"control too big", hdr, ack.OutboundEnvelope{Control: 1_000_000_000, Time: now}, ack.ErrControlNumber},
		{"no time", hdr, ack.OutboundEnvelope{Control: 1}, ack.ErrNoTime},
		{"no parties", ack.InterchangeHeader{}, ack.OutboundEnvelope{Control: 1, Time: now}, ack.ErrNoParty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ack.WriteTA1(&bytes.Buffer{}, tt.hdr, ack.TA1{Ack: "A"}, tt.out)
			if !errors.Is(err, tt.err) {
				t.Errorf("WriteTA1 err = %v, want %v", err, tt.err)
			}
		})
	}
	// A 999 needs a group control number too.
	err := ack.Write999(&bytes.Buffer{}, ack.GroupResult{Interchange: hdr}, ack.OutboundEnvelope{Control: 1, Time: now})
	if !errors.Is(err, ack.ErrControlNumber) {
		t.Errorf("Write999 without GS06: %v", err)
	}
}

// A TA1 for a damaged header echoes zeros and our own time, and the
// outbound parties can be given explicitly.
func TestTA1DamagedHeader(t *testing.T) {
	var buf bytes.Buffer
	out := ack.OutboundEnvelope{Control: 42, Time: time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC),
		SenderQualifier: "30", SenderID: "CH", ReceiverQualifier: "ZZ", ReceiverID: "PARTNER", Usage: "T"}
	if err := ack.WriteTA1(&buf, ack.InterchangeHeader{Control: "12AB"}, ack.TA1{Ack: "R", Note: "024"}, out); err != nil {
		t.Fatal(err)
	}
	want := "ISA*00*          *00*          *30*CH             *ZZ*PARTNER        *260304*0506*^*00501*000000042*0*T*:~" +
		"TA1*000000000*260304*0506*R*024~IEA*0*000000042~"
	if buf.String() != want {
		t.Errorf("got  %s\nwant %s", buf.String(), want)
	}
}

func TestDescribe(t *testing.T) {
	for _, tt := range []struct {
		level ack.Level
		code  string
	}{
		{ack.LevelInterchange, ack.NoteDuplicateControl}, {ack.LevelGroup, ack.GroupControlNotUnique},
		{ack.LevelTransaction, ack.SetConventionNotSupported}, {ack.LevelSegment, ack.SegmentUnexpected}, {ack.LevelElement, "I12"},
	} {
		if ack.Describe(tt.level, tt.code) == "" {
			t.Errorf("no description for %v %s", tt.level, tt.code)
		}
	}
	if ack.Describe(ack.LevelElement, "11") != "" {
		t.Error("IK403 11 must not be described (not emitted)")
	}
}
