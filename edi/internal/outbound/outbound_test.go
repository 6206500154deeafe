package outbound

import (
	"errors"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
)

func TestResolve(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	ok := ack.OutboundEnvelope{Control: 7, GroupControl: 8, Time: now, SenderID: "ALLIANCECH", ReceiverID: "NORTHSIDE"}
	var fields []string
	fail := func(field string, err error) { fields = append(fields, field) }
	env, err := Resolve(ok, 3, fail)
	if err != nil || env == nil || len(fields) > 0 {
		t.Fatalf("Resolve: %v %v %v", env, err, fields)
	}
	if env.SenderQualifier != "ZZ" || env.AppSender != "ALLIANCECH" || env.Usage != "P" || env.SetControl(2) != "0003" {
		t.Errorf("defaults: %+v, third ST02 %s", env, env.SetControl(2))
	}
	hard := []struct {
		name string
		edit func(o *ack.OutboundEnvelope)
		want error
	}{
		{"no control", func(o *ack.OutboundEnvelope) { o.Control = 0 }, ack.ErrControlNumber},
		{"group too large", func(o *ack.OutboundEnvelope) { o.GroupControl = 1_000_000_000 }, ack.ErrControlNumber},
		{"sets past the maximum", func(o *ack.OutboundEnvelope) { o.SetControl = 999_999_999 }, ack.ErrControlNumber},
		{"no time", func(o *ack.OutboundEnvelope) { o.Time = time.Time{} }, ack.ErrNoTime},
		{"no receiver", func(o *ack.OutboundEnvelope) { o.ReceiverID = "" }, ack.ErrNoParty},
	}
	for _, tc := range hard {
		o := ok
		tc.edit(&o)
		if _, err := Resolve(o, 3, fail); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	o := ok
	o.SenderQualifier, o.Usage, o.AppReceiver = "XX", "Q", "A"
	fields = nil
	if env, err := Resolve(o, 1, fail); env != nil || err != nil {
		t.Errorf("field problems: envelope %v, error %v", env, err)
	}
	want := []string{"OutboundEnvelope.SenderQualifier", "OutboundEnvelope.AppReceiver", "OutboundEnvelope.Usage"}
	if len(fields) != len(want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Errorf("fields %v, want %v", fields, want)
		}
	}
}

func TestChecks(t *testing.T) {
	var got []string
	k := Checker{Fail: func(field, elem string, err error) { got = append(got, field+" "+err.Error()) }}
	k.Text("a", "", "", 1, 5, true)
	k.Text("b", "", "toolong", 1, 5, true)
	k.Text("c", "", "x\ty", 1, 5, true)
	k.Text("ok", "", "NAME\u00e9", 1, 10, true)
	k.ID("d", "", "ID\u00e9", 1, 10, true)
	k.Code("e", "", "Z", []string{"A", "B"})
	k.Date("f", "", "20260230", false)
	k.Period("g.", "", "20260302", "20260301", false)
	k.Period("h.", "", "", "20260301", false)
	k.Amount("i", "", -1)
	want := []string{
		"a required value missing",
		"b invalid value: length must be 1 to 5",
		"c invalid value: control character",
		"d invalid value: byte outside the X12 character set",
		"e invalid value: not one of A B",
		"f invalid value: not a CCYYMMDD date",
		"g.To invalid value: before g.From",
		"h.From required value missing",
		"i invalid value: negative",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %q, want %q", got[i], want[i])
		}
	}
	for _, c := range []struct {
		v  string
		ok bool
	}{{"20240229", true}, {"20230229", false}, {"17991231", false}, {"2026031", false}, {"2026-3-1", false}} {
		if IsDate(c.v) != c.ok {
			t.Errorf("IsDate(%q) = %v", c.v, !c.ok)
		}
	}
	if f, v := Period("20260301", ""); f != "D8" || v != "20260301" {
		t.Errorf("Period single: %s %s", f, v)
	}
	if f, v := Period("20260301", "20260305"); f != "RD8" || v != "20260301-20260305" {
		t.Errorf("Period range: %s %s", f, v)
	}
}
