package claimstatus_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claimstatus"
	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Synthetic parties: made-up people and payer, NPIs with valid check
// digits, HCPCS Level II codes. The status codes illustrate each category.
func response(claims ...claimstatus.ClaimStatus) claimstatus.Response {
	return claimstatus.Response{
		Reference: "STAT-0042",
		Payer:     claimstatus.Party{Last: "ALLIANCE HEALTH PLAN", ID: "ALL01"},
		Receiver:  claimstatus.Party{Last: "NORTHSIDE BILLING", ID: "NSB001"},
		Providers: []claimstatus.Provider{{Party: claimstatus.Party{Last: "NORTHSIDE CLINIC", ID: "1234567893"},
			Claims: claims}},
	}
}

func claim(statuses ...claimstatus.Status) claimstatus.ClaimStatus {
	return claimstatus.ClaimStatus{
		Subscriber: claimstatus.Party{Last: "DOE", First: "JANE", ID: "ALM0000123"},
		Trace:      "TRN-5001", Statuses: statuses, StatusDate: "20260302",
		ChargeCents: 12550, HasCharge: true,
		PatientControlNumber: "P1001", ServiceFrom: "20260215",
	}
}

func st(cat, code string) claimstatus.Status { return claimstatus.Status{Category: cat, Code: code} }

var goldenCases = []validtest.WriterCase[claimstatus.Response]{
	{Name: "accepted_a2_in_process_p1", Input: func() []claimstatus.Response {
		a := claim(st("A2", "20"))
		a.PayerClaimControlNumber = "ALL26061000001"
		p := claim(st("P1", "20"))
		p.Trace, p.PatientControlNumber, p.PayerClaimControlNumber = "TRN-5002", "P1002", "ALL26061000002"
		return []claimstatus.Response{response(a, p)}
	}},
	{Name: "returned_a3", Input: func() []claimstatus.Response {
		c := claim(st("A3", "21"), claimstatus.Status{Category: "A7", Code: "187"})
		return []claimstatus.Response{response(c)}
	}},
	{Name: "pending_review_p2", Input: func() []claimstatus.Response {
		c := claim(st("P2", "110"))
		c.PayerClaimControlNumber = "ALL26061000003"
		return []claimstatus.Response{response(c)}
	}},
	{Name: "paid_f1", Input: func() []claimstatus.Response {
		c := claim(st("F1", "65"))
		c.PayerClaimControlNumber = "ALL26061000004"
		c.PaidCents, c.HasPaid = 9800, true
		c.AdjudicationDate, c.CheckDate, c.CheckNumber = "20260301", "20260303", "EFT0000042"
		c.ServiceTo = "20260216"
		c.Lines = []claimstatus.LineStatus{
			{Procedure: "HC:J1100:JW", ChargeCents: 7550, PaidCents: 5800, Units: 2000, Statuses: []claimstatus.Status{st("F1", "65")},
				StatusDate: "20260301", ControlNumber: "L1", ServiceFrom: "20260215"},
			{Procedure: "A0428", ChargeCents: 5000, PaidCents: 4000, Units: 1000, Statuses: []claimstatus.Status{st("F1", "65")},
				StatusDate: "20260301", ControlNumber: "L2", ServiceFrom: "20260216"},
		}
		return []claimstatus.Response{response(c)}
	}},
	{Name: "denied_f2", Input: func() []claimstatus.Response {
		c := claim(claimstatus.Status{Category: "F2", Code: "88", Entity: "QC"})
		c.PayerClaimControlNumber = "ALL26061000005"
		c.PaidCents, c.HasPaid, c.AdjudicationDate = 0, true, "20260301"
		c.Dependent = &claimstatus.Party{Last: "DOE", First: "SAM"}
		return []claimstatus.Response{response(c)}
	}},
	{Name: "revised_f3", Input: func() []claimstatus.Response {
		c := claim(st("F3", "464"))
		c.PayerClaimControlNumber = "ALL26061000006"
		c.BillType = "137"
		c.AdjudicationDate = "20260301"
		return []claimstatus.Response{response(c)}
	}},
	{Name: "not_found_a4_35", Input: func() []claimstatus.Response {
		c := claim(st("A4", "35"))
		c.HasCharge = false
		return []claimstatus.Response{response(c)}
	}},
	{Name: "search_unsuccessful_d0", Input: func() []claimstatus.Response {
		c := claim(st("D0", "35"), claimstatus.Status{Category: "D0", Code: "33", Entity: "IL"})
		return []claimstatus.Response{response(c)}
	}},
	{Name: "unusable_request_e0", Input: func() []claimstatus.Response {
		r := response()
		r.Providers = nil
		r.ReceiverStatus = &claimstatus.LevelStatus{Trace: "REQ-BATCH-9", Date: "20260302",
			Statuses: []claimstatus.Status{{Category: "E0", Code: "24", Entity: "41"}}}
		return []claimstatus.Response{r}
	}},
	{Name: "provider_not_found_e0", Input: func() []claimstatus.Response {
		r := response()
		r.Providers[0].Status = &claimstatus.LevelStatus{Trace: "PRV-1", Date: "20260302",
			Statuses: []claimstatus.Status{{Category: "E0", Code: "24", Entity: "1P"}}}
		return []claimstatus.Response{r}
	}},
}

func outbound() ack.OutboundEnvelope {
	return ack.OutboundEnvelope{Control: 5101, GroupControl: 5101, Time: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
		SenderID: "ALLIANCECH", ReceiverID: "NORTHSIDE", Suffix: "\n"}
}

func write(t *testing.T, rs []claimstatus.Response, out ack.OutboundEnvelope) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := claimstatus.Write277(&buf, rs, out); err != nil {
		t.Fatalf("Write277: %v", err)
	}
	return buf.Bytes()
}

// TestWrite277 writes every golden case: valid, as the golden file,
// decoded back into the same bytes, and all in one interchange.
func TestWrite277(t *testing.T) {
	validtest.Writer(t, "277", goldenCases, func(rs []claimstatus.Response, suffix string) ([]byte, error) {
		out := outbound()
		out.Suffix = suffix
		var buf bytes.Buffer
		err := claimstatus.Write277(&buf, rs, out)
		return buf.Bytes(), err
	}, func(data []byte) ([]claimstatus.Response, error) {
		sets, err := claimstatus.DecodeResponses(data)
		var rs []claimstatus.Response
		for _, s := range sets {
			if len(s.Issues) > 0 {
				return nil, fmt.Errorf("decoded set %s has issues: %v", s.Header.Control, s.Issues)
			}
			rs = append(rs, s.Responses...)
		}
		return rs, err
	}, *update)
}

// TestWrite277SetControl: ST02 grows past four digits.
func TestWrite277SetControl(t *testing.T) {
	out := outbound()
	out.SetControl = 9999
	var rs []claimstatus.Response
	for _, tc := range goldenCases[:2] {
		rs = append(rs, tc.Input()...)
	}
	data := write(t, rs, out)
	validtest.Clean(t, data)
	if !bytes.Contains(data, []byte("ST*277*10000*005010X212~")) {
		t.Error("no set numbered 10000")
	}
}

// TestWrite277ManyStatuses: a fourth status starts a second STC that
// repeats the amounts and dates.
func TestWrite277ManyStatuses(t *testing.T) {
	c := claim(st("F2", "88"), st("F2", "109"), st("F2", "29"), st("F2", "30"))
	c.PaidCents, c.HasPaid = 0, true
	data := write(t, []claimstatus.Response{response(c)}, outbound())
	validtest.Clean(t, data)
	if n := bytes.Count(data, []byte("\nSTC*F2:")); n != 2 {
		t.Errorf("%d claim STC segments, want 2:\n%s", n, data)
	}
	if !bytes.Contains(data, []byte("STC*F2:30*20260302**125.5*0~")) {
		t.Errorf("second STC does not repeat STC02..STC05:\n%s", data)
	}
}

func TestWrite277Errors(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(r *claimstatus.Response)
		field string
		err   error
	}{
		{"no claims", func(r *claimstatus.Response) {}, "Provider.Claims", claimstatus.ErrEmpty},
		{"bad category", func(r *claimstatus.Response) {
			r.Providers[0].Claims = []claimstatus.ClaimStatus{claim(st("Z9", "1"))}
		}, "ClaimStatus.Statuses[0].Category", claimstatus.ErrInvalid},
		{"no status", func(r *claimstatus.Response) {
			r.Providers[0].Claims = []claimstatus.ClaimStatus{claim()}
		}, "ClaimStatus.Statuses", claimstatus.ErrMissing},
		{"bad status date", func(r *claimstatus.Response) {
			c := claim(st("A4", "35"))
			c.StatusDate = "2026-03-02"
			r.Providers[0].Claims = []claimstatus.ClaimStatus{c}
		}, "ClaimStatus.StatusDate", claimstatus.ErrInvalid},
		{"negative paid", func(r *claimstatus.Response) {
			c := claim(st("F1", "65"))
			c.PaidCents, c.HasPaid = -1, true
			r.Providers[0].Claims = []claimstatus.ClaimStatus{c}
		}, "ClaimStatus.PaidCents", claimstatus.ErrInvalid},
		{"bad npi", func(r *claimstatus.Response) {
			r.Providers[0].ID = "1234567890"
			r.Providers[0].Claims = []claimstatus.ClaimStatus{claim(st("A4", "35"))}
		}, "Provider.ID", claimstatus.ErrInvalid},
		{"line without units", func(r *claimstatus.Response) {
			c := claim(st("F1", "65"))
			c.Lines = []claimstatus.LineStatus{{Procedure: "A0428", Statuses: []claimstatus.Status{st("F1", "65")},
				StatusDate: "20260301", ServiceFrom: "20260215"}}
			r.Providers[0].Claims = []claimstatus.ClaimStatus{c}
		}, "LineStatus.Units", claimstatus.ErrMissing},
		{"line procedure qualifier", func(r *claimstatus.Response) {
			c := claim(st("F1", "65"))
			c.Lines = []claimstatus.LineStatus{{Procedure: "QQ:A0428", Units: 1000, Statuses: []claimstatus.Status{st("F1", "65")},
				StatusDate: "20260301", ServiceFrom: "20260215"}}
			r.Providers[0].Claims = []claimstatus.ClaimStatus{c}
		}, "LineStatus.Procedure", claimstatus.ErrInvalid},
		{"receiver status with providers", func(r *claimstatus.Response) {
			r.ReceiverStatus = &claimstatus.LevelStatus{Trace: "X", Date: "20260302", Statuses: []claimstatus.Status{st("E0", "24")}}
			r.Providers[0].Claims = []claimstatus.ClaimStatus{claim(st("A4", "35"))}
		}, "Providers", claimstatus.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := response()
			tc.edit(&r)
			var buf bytes.Buffer
			err := claimstatus.Write277(&buf, []claimstatus.Response{r}, outbound())
			validtest.Refused(t, err, buf.Bytes(), tc.err, tc.field, "DOE", "JANE", "ALM0000123")
		})
	}
}

// TestWrite277Delimiters: identifiers holding the default delimiters
// move them and come back unchanged (and so does a name holding a moved
// delimiter); an identifier with a byte outside the X12 character set is
// refused.
func TestWrite277Delimiters(t *testing.T) {
	c := claim(st("A4", "35"))
	c.Trace, c.PatientControlNumber = "T*1:2", "P^1~"
	c.Subscriber.Last = "O*NEIL"
	data := write(t, []claimstatus.Response{response(c)}, outbound())
	validtest.Clean(t, data)
	sets, err := claimstatus.DecodeResponses(data)
	if err != nil || len(sets) != 1 {
		t.Fatalf("decode: %v", err)
	}
	got := sets[0].Responses[0].Providers[0].Claims[0]
	if got.Trace != "T*1:2" || got.PatientControlNumber != "P^1~" || got.Subscriber.Last != "O*NEIL" {
		t.Errorf("decoded back: trace %q, patient control number %q, name %q", got.Trace, got.PatientControlNumber, got.Subscriber.Last)
	}
	c.Subscriber.ID = "ALM\u00e9"
	var buf bytes.Buffer
	err = claimstatus.Write277(&buf, []claimstatus.Response{response(c)}, outbound())
	if !errors.Is(err, claimstatus.ErrInvalid) || !strings.Contains(err.Error(), "ClaimStatus.Subscriber.ID") {
		t.Errorf("non-ASCII member ID: %v", err)
	}
}

// TestWrite277EchoesInquiries answers each claim of a 276 with what it
// sent (Inquiry.Echo): the 277 is valid and carries back the trace, the
// member, the claim references and dates.
func TestWrite277EchoesInquiries(t *testing.T) {
	reqs, err := claimstatus.DecodeRequests(mustRead(t, "testdata/claims.276"))
	if err != nil || len(reqs) != 1 || len(reqs[0].Inquiries) != 2 {
		t.Fatalf("decode: %v", err)
	}
	qs := reqs[0].Inquiries
	r := claimstatus.Response{Reference: reqs[0].Header.Reference, Payer: *qs[0].Payer, Receiver: *qs[0].Receiver,
		Providers: []claimstatus.Provider{{Party: qs[0].Providers[0]}}}
	for _, q := range qs {
		c := q.Echo()
		c.Statuses, c.StatusDate = []claimstatus.Status{st("A4", "35")}, "20260302"
		r.Providers[0].Claims = append(r.Providers[0].Claims, c)
	}
	out := write(t, []claimstatus.Response{r}, outbound())
	validtest.Clean(t, out)
	sets, err := claimstatus.DecodeResponses(out)
	if err != nil || len(sets) != 1 {
		t.Fatalf("decode 277: %v", err)
	}
	got := sets[0].Responses[0].Providers[0].Claims
	for i, q := range qs {
		g := got[i]
		if g.Trace != q.Claim.Trace || g.Subscriber.ID != q.Subscriber.ID || g.PatientControlNumber != q.Claim.PatientControlNumber ||
			g.PayerClaimControlNumber != q.Claim.PayerClaimControlNumber || g.BillType != q.Claim.BillType ||
			g.ServiceFrom != q.Claim.ServiceFrom || g.ServiceTo != q.Claim.ServiceTo || (g.Dependent != nil) != (q.Dependent != nil) {
			t.Errorf("claim %d not echoed: %+v", i+1, g)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
