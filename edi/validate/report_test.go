package validate_test

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// elemBody reports an element issue on every REF (with a value that is
// PHI for the purpose of the test).
type elemBody struct{ issues []ack.Issue }

func (b *elemBody) Segment(seg *x12.Segment) error {
	if seg.Is("REF") {
		b.issues = append(b.issues, ack.Issue{Level: ack.LevelElement, Severity: ack.Error, Code: "7", SegmentID: "REF",
			Position: seg.Position, Loop: "2300", Element: 2, Component: 1, Value: "SECRET-MEMBER-ID", ClaimID: "PCN-PHI",
			Offset: seg.ElementOffset(2)})
	}
	return nil
}
func (b *elemBody) Finish() []ack.Issue { return b.issues }

func TestReportJSON(t *testing.T) {
	input := isaStd + gsStd + "ST*837*0001*005010X222A1~REF*EA*SECRET-MEMBER-ID~SE*3*0001~" +
		"ST*837*0002*005010X222A1~SE*9*0002~GE*2*1~IEA*1*000000001~"
	res, err := validate.Run(context.Background(), strings.NewReader(input), validate.Options{
		Body: func(validate.SetInfo) envelope.BodyValidator { return &elemBody{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(validate.Report("in/claims.837", res))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "SECRET") || strings.Contains(string(b), "PCN-PHI") {
		t.Errorf("report leaks a bad value or claim ID: %s", b)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	keys := func(m any) []string {
		var k []string
		for key := range m.(map[string]any) {
			k = append(k, key)
		}
		sort.Strings(k)
		return k
	}
	ic := got["interchanges"].([]any)[0]
	g := ic.(map[string]any)["groups"].([]any)[0]
	tx := g.(map[string]any)["transactions"].([]any)
	elemErr := tx[0].(map[string]any)["errors"].([]any)[0]
	for _, tt := range []struct {
		name string
		obj  any
		want []string
	}{
		{"file", got, []string{"accepted", "errors", "file", "interchanges"}},
		{"interchange", ic, []string{"control", "errors", "groups", "offset", "receiver", "receiver_qualifier", "sender", "sender_qualifier", "ta1", "usage"}},
		{"ta1", ic.(map[string]any)["ta1"], []string{"ack", "note", "send"}},
		{"group", g, []string{"accepted", "ack", "codes", "control", "errors", "id", "included", "received", "transactions", "version"}},
		{"transaction", tx[0], []string{"ack", "body_checked", "codes", "control", "errors", "id", "offset", "segment_count", "version"}},
		{"error", elemErr, []string{"code", "component_position", "element_position", "ik3", "ik4", "level", "loop", "message", "offset", "segment_id", "segment_position", "severity"}},
	} {
		if k := keys(tt.obj); !reflect.DeepEqual(k, tt.want) {
			t.Errorf("%s keys %v, want %v", tt.name, k, tt.want)
		}
	}
	want := map[string]any{
		"level": "element", "severity": "error", "code": "7", "segment_id": "REF", "segment_position": 2.0, "loop": "2300",
		"element_position": 2.0, "component_position": 1.0, "ik3": "8", "ik4": "7",
		"offset": float64(strings.Index(input, "SECRET")), "message": "invalid code value",
	}
	if !reflect.DeepEqual(elemErr, want) {
		t.Errorf("element error %v\nwant %v", elemErr, want)
	}
	seErr := tx[1].(map[string]any)["errors"].([]any)[0].(map[string]any)
	if seErr["level"] != "transaction" || seErr["code"] != "4" || seErr["ik3"] != "" || seErr["segment_id"] != "SE" {
		t.Errorf("SE01 error %v", seErr)
	}
	if got["accepted"] != false || ic.(map[string]any)["sender"] != "SUBMITTER" || g.(map[string]any)["ack"] != "R" ||
		tx[0].(map[string]any)["ack"] != "R" || tx[0].(map[string]any)["id"] != "837" {
		t.Errorf("report %s", b)
	}
	// Empty lists are [], not null.
	if !strings.Contains(string(b), `"errors":[]`) || strings.Contains(string(b), "null") {
		t.Errorf("report has null lists: %s", b)
	}
}

func TestReportAccepted(t *testing.T) {
	res, err := validate.Run(context.Background(), strings.NewReader(acceptedWithErrors()), validate.Options{Body: noBody})
	if err != nil {
		t.Fatal(err)
	}
	r := validate.Report("f", res)
	if !r.Accepted || res.Status() != 1 || r.Interchanges[0].TA1.Ack != "E" || r.Interchanges[0].TA1.Note != "011" {
		t.Errorf("accepted with errors: %+v status %d", r, res.Status())
	}
}

// acceptedWithErrors returns a one-set interchange whose ISA02 is not
// blank (TA1 E/011: accepted with errors).
func acceptedWithErrors() string {
	return strings.Replace(isaStd, "*00*          *00*", "*00*PASSWORD  *00*", 1) + gsStd +
		"ST*837*0001*005010X222A1~BHT*0019~SE*3*0001~GE*1*1~IEA*1*000000001~"
}
