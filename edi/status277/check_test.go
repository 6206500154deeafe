package status277_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/status277"
)

// phi is put in names and member IDs of the invalid inputs: no error
// message may repeat it.
const phi = "SECRETPHI"

// invalidTests each break one thing of a valid input and name the error
// expected: its sentinel and position.
var invalidTests = []struct {
	name   string
	noAcks bool // write no acknowledgment at all
	edit   func(a []status277.Acknowledgment, out *ack.OutboundEnvelope)
	want   error
	field  string // FieldError.Field ("" when not a FieldError)
	pos    [4]int // Ack, Provider, Claim, Line
}{
	{
		name: "no acknowledgments", noAcks: true,
		want: status277.ErrEmpty, field: "acks",
	},
	{
		name:  "provider without claims",
		edit:  func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) { a[0].Providers[1].Claims = nil },
		want:  status277.ErrEmpty,
		field: "Provider.Claims", pos: [4]int{1, 2, 0, 0},
	},
	{
		name: "missing claim service date",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[0].Claims[1].ServiceFrom = ""
		},
		want:  status277.ErrMissing,
		field: "Claim.ServiceFrom", pos: [4]int{1, 1, 2, 0},
	},
	{
		name: "service period ends before it starts",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[1].Claims[0].ServiceTo = "20260101"
		},
		want: status277.ErrInvalid, field: "Claim.ServiceTo", pos: [4]int{1, 2, 1, 0},
	},
	{
		name: "invalid process date",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) { a[0].ProcessDate = "20260230" },
		want: status277.ErrInvalid, field: "ProcessDate", pos: [4]int{1, 0, 0, 0},
	},
	{
		name: "rejected claim without a reason",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[0].Claims[0].Accepted = false
		},
		want: status277.ErrMissing, field: "Claim.Statuses", pos: [4]int{1, 1, 1, 0},
	},
	{
		name: "accepted claim opening with a rejection category",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[0].Claims[0].Statuses = []status277.Status{st("A7", "164", "IL")}
		},
		want: status277.ErrInvalid, field: "Claim.Statuses[0].Category", pos: [4]int{1, 1, 1, 0},
	},
	{
		name: "finalized category is not a 277CA category",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[0].Claims[1].Statuses = []status277.Status{st("F1", "1", "")}
		},
		want: status277.ErrInvalid, field: "Claim.Statuses[0].Category", pos: [4]int{1, 1, 2, 0},
	},
	{
		name: "STC01 entity not allowed at claim level",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[0].Claims[1].Statuses = []status277.Status{st("A1", "19", "PE")}
		},
		want: status277.ErrInvalid, field: "Claim.Statuses[0].Entity", pos: [4]int{1, 1, 2, 0},
	},
	{
		name: "negative charge",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[1].Claims[0].ChargeCents = -1
		},
		want: status277.ErrInvalid, field: "Claim.ChargeCents", pos: [4]int{1, 2, 1, 0},
	},
	{
		name: "member ID missing",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[0].Claims[0].Patient.ID = ""
		},
		want: status277.ErrMissing, field: "Claim.Patient.ID", pos: [4]int{1, 1, 1, 0},
	},
	{
		name: "patient first name too long",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			a[0].Providers[0].Claims[0].Patient.First = strings.Repeat(phi, 5)
		},
		want: status277.ErrInvalid, field: "Claim.Patient.First", pos: [4]int{1, 1, 1, 0},
	},
	{
		name: "line with four statuses",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			c := &a[0].Providers[0].Claims[0]
			c.Accepted = false
			c.Statuses = []status277.Status{st("A3", "21", "")}
			c.Lines = []status277.Line{{Procedure: "A0428", ChargeCents: 100, Statuses: []status277.Status{
				st("A7", "454", ""), st("A7", "476", ""), st("A7", "187", ""), st("A7", "249", "")}}}
		},
		want: status277.ErrTooMany, field: "Line.Statuses", pos: [4]int{1, 1, 1, 1},
	},
	{
		name: "line without procedure or revenue code",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			c := &a[0].Providers[0].Claims[0]
			c.Accepted = false
			c.Statuses = []status277.Status{st("A3", "21", "")}
			c.Lines = []status277.Line{{ChargeCents: 100, Statuses: []status277.Status{st("A7", "454", "")}}}
		},
		want: status277.ErrMissing, field: "Line.Procedure", pos: [4]int{1, 1, 1, 1},
	},
	{
		name: "bad procedure qualifier",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) {
			c := &a[0].Providers[0].Claims[0]
			c.Accepted = false
			c.Statuses = []status277.Status{st("A3", "21", "")}
			c.Lines = []status277.Line{{Procedure: "ZZ:A0428", Statuses: []status277.Status{st("A7", "454", "")}}}
		},
		want: status277.ErrInvalid, field: "Line.Procedure", pos: [4]int{1, 1, 1, 1},
	},
	{
		name: "unknown source entity",
		edit: func(a []status277.Acknowledgment, _ *ack.OutboundEnvelope) { a[0].Source.EntityCode = "41" },
		want: status277.ErrInvalid, field: "Source.EntityCode", pos: [4]int{1, 0, 0, 0},
	},
	{
		name: "no interchange control number",
		edit: func(_ []status277.Acknowledgment, out *ack.OutboundEnvelope) { out.Control = 0 },
		want: ack.ErrControlNumber,
	},
	{
		name: "no group control number",
		edit: func(_ []status277.Acknowledgment, out *ack.OutboundEnvelope) { out.GroupControl = 1_000_000_000 },
		want: ack.ErrControlNumber,
	},
	{
		name: "no time",
		edit: func(_ []status277.Acknowledgment, out *ack.OutboundEnvelope) { out.Time = time.Time{} },
		want: ack.ErrNoTime,
	},
	{
		name: "no receiver",
		edit: func(_ []status277.Acknowledgment, out *ack.OutboundEnvelope) { out.ReceiverID = "" },
		want: ack.ErrNoParty,
	},
	{
		name:  "GS02 too long",
		edit:  func(_ []status277.Acknowledgment, out *ack.OutboundEnvelope) { out.AppSender = "SIXTEEN-CHARS-XX" },
		want:  status277.ErrInvalid,
		field: "OutboundEnvelope.AppSender",
	},
}

func TestWriteInvalid(t *testing.T) {
	for _, tc := range invalidTests {
		t.Run(tc.name, func(t *testing.T) {
			acks := allAccepted837P()
			for pi := range acks[0].Providers {
				for ci := range acks[0].Providers[pi].Claims {
					acks[0].Providers[pi].Claims[ci].Patient.Last = phi
				}
			}
			out := outbound()
			if tc.noAcks {
				acks = nil
			} else {
				tc.edit(acks, &out)
			}
			var buf bytes.Buffer
			err := status277.Write(&buf, acks, out)
			if err == nil {
				t.Fatal("Write accepted invalid input")
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error %q is not %v", err, tc.want)
			}
			if strings.Contains(err.Error(), phi) {
				t.Errorf("error message repeats a name: %q", err)
			}
			if tc.field == "" {
				return
			}
			var fe *status277.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %q has no FieldError", err)
			}
			if fe.Field != tc.field || [4]int{fe.Ack, fe.Provider, fe.Claim, fe.Line} != tc.pos {
				t.Errorf("FieldError %s at %v, want %s at %v (%q)", fe.Field,
					[4]int{fe.Ack, fe.Provider, fe.Claim, fe.Line}, tc.field, tc.pos, err)
			}
		})
	}
}

// TestWriteReportsEveryProblem: one error per problem, all at once.
func TestWriteReportsEveryProblem(t *testing.T) {
	acks := mixed()
	acks[0].ReceiptDate = ""
	acks[0].Providers[0].Claims[1].Statuses = nil
	acks[0].Providers[1].Claims[2].Lines[0].Statuses = nil
	err := status277.Write(&bytes.Buffer{}, acks, outbound())
	if err == nil {
		t.Fatal("no error")
	}
	var fields []string
	for _, fe := range fieldErrors(err) {
		fields = append(fields, fe.Field)
	}
	want := []string{"ReceiptDate", "Claim.Statuses", "Line.Statuses"}
	if strings.Join(fields, ",") != strings.Join(want, ",") {
		t.Errorf("fields %v, want %v\n%v", fields, want, err)
	}
}

// fieldErrors returns every FieldError in err's tree, in order.
func fieldErrors(err error) []*status277.FieldError {
	if fe, ok := err.(*status277.FieldError); ok {
		return []*status277.FieldError{fe}
	}
	switch x := err.(type) {
	case interface{ Unwrap() []error }:
		var out []*status277.FieldError
		for _, e := range x.Unwrap() {
			out = append(out, fieldErrors(e)...)
		}
		return out
	case interface{ Unwrap() error }:
		return fieldErrors(x.Unwrap())
	}
	return nil
}
