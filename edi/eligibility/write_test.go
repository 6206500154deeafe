package eligibility_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/eligibility"
	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Synthetic parties: made-up people, a made-up payer, NPIs with valid
// check digits.
var (
	payer    = eligibility.Party{Last: "ALLIANCE HEALTH PLAN", ID: "ALL01"}
	provider = eligibility.Party{Last: "NORTHSIDE CLINIC", ID: "1234567893"}
	echoTRN  = []eligibility.Trace{{Type: "2", Number: "TRC-1001", Originator: "9CLINIC001"}}
)

func subscriber() *eligibility.Subject {
	return &eligibility.Subject{
		Party:     eligibility.Party{Last: "DOE", First: "JANE", Middle: "Q", ID: "ALM0000123"},
		Traces:    echoTRN,
		Refs:      []eligibility.Ref{{Qualifier: "6P", Value: "GRP900"}},
		BirthDate: "19800214", Gender: "F",
	}
}

func active(level string) eligibility.Benefit {
	return eligibility.Benefit{Code: "1", CoverageLevel: level, ServiceTypes: []string{"30", "98", "UC"},
		InsuranceType: "C1", PlanDescription: "GOLD PPO",
		Dates: []eligibility.Date{{Qualifier: "291", From: "20260101", To: "20261231"}}}
}

func base() eligibility.Response {
	return eligibility.Response{Reference: "REQ-77", Source: payer, Receiver: provider}
}

var goldenCases = []validtest.WriterCase[eligibility.Response]{
	{Name: "active_eb1", Input: func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Dates = []eligibility.Date{{Qualifier: "346", From: "20260101"}, {Qualifier: "347", From: "20261231"},
			{Qualifier: "356", From: "20250101"}}
		r.Subscriber.Benefits = []eligibility.Benefit{active("FAM"),
			{Code: "C", CoverageLevel: "IND", ServiceTypes: []string{"30"}, TimePeriod: "23", AmountCents: 150000, HasAmount: true},
			{Code: "B", CoverageLevel: "IND", ServiceTypes: []string{"98"}, TimePeriod: "27", AmountCents: 2500, HasAmount: true,
				InNetwork: "Y", Messages: []string{"COPAY APPLIES PER VISIT"}},
			{Code: "A", CoverageLevel: "IND", ServiceTypes: []string{"30"}, Percent: ".2", InNetwork: "Y"},
		}
		return []eligibility.Response{r}
	}},
	{Name: "inactive_eb6", Input: func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Benefits = []eligibility.Benefit{{Code: "6", ServiceTypes: []string{"30"},
			Dates: []eligibility.Date{{Qualifier: "357", From: "20251231"}}}}
		return []eligibility.Response{r}
	}},
	{Name: "source_rejected_79", Input: func() []eligibility.Response {
		r := base()
		r.SourceRejects = []eligibility.Reject{{Code: "79", Action: "C"}}
		return []eligibility.Response{r}
	}},
	{Name: "receiver_rejected_51", Input: func() []eligibility.Response {
		r := base()
		r.ReceiverRejects = []eligibility.Reject{{Code: "51", Action: "N"}}
		return []eligibility.Response{r}
	}},
	{Name: "subscriber_id_name_72_73_75", Input: func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Rejects = []eligibility.Reject{{Code: "72"}, {Code: "73"}, {Code: "75"}}
		return []eligibility.Response{r}
	}},
	{Name: "subscriber_birth_date_58_71", Input: func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Rejects = []eligibility.Reject{{Code: "58"}, {Code: "71", Action: "C"}}
		return []eligibility.Response{r}
	}},
	{Name: "subscriber_service_dates_57_62_63", Input: func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Rejects = []eligibility.Reject{{Code: "57"}, {Code: "62"}, {Code: "63", Action: "R"}}
		return []eligibility.Response{r}
	}},
	{Name: "subscriber_duplicate_76", Input: func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Rejects = []eligibility.Reject{{Code: "76", Action: "N"}}
		return []eligibility.Response{r}
	}},
	{Name: "dependent_eb1", Input: func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Traces = nil
		r.Dependent = &eligibility.Subject{Party: eligibility.Party{Last: "DOE", First: "SAM"}, Traces: echoTRN,
			BirthDate: "20150704", Gender: "M", Benefits: []eligibility.Benefit{active("DEP")}}
		return []eligibility.Response{r}
	}},
	{Name: "dependent_not_found_77", Input: func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Traces = nil
		r.Dependent = &eligibility.Subject{Party: eligibility.Party{Last: "DOE", First: "MAX"}, Traces: echoTRN,
			BirthDate: "20170101", Rejects: []eligibility.Reject{{Code: "77"}}}
		return []eligibility.Response{r}
	}},
}

func outbound() ack.OutboundEnvelope {
	return ack.OutboundEnvelope{Control: 4101, GroupControl: 4101, Time: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
		SenderID: "ALLIANCECH", ReceiverID: "NORTHSIDE", Suffix: "\n"}
}

func write(t *testing.T, rs []eligibility.Response, out ack.OutboundEnvelope) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := eligibility.Write271(&buf, rs, out); err != nil {
		t.Fatalf("Write271: %v", err)
	}
	return buf.Bytes()
}

// TestWrite271 writes every golden case: valid, as the golden file,
// decoded back into the same bytes, and all in one interchange.
func TestWrite271(t *testing.T) {
	validtest.Writer(t, "271", goldenCases, func(rs []eligibility.Response, suffix string) ([]byte, error) {
		out := outbound()
		out.Suffix = suffix
		var buf bytes.Buffer
		err := eligibility.Write271(&buf, rs, out)
		return buf.Bytes(), err
	}, func(data []byte) ([]eligibility.Response, error) {
		sets, err := eligibility.DecodeResponses(data)
		var rs []eligibility.Response
		for _, s := range sets {
			if len(s.Issues) > 0 {
				return nil, fmt.Errorf("decoded set %s has issues: %v", s.Header.Control, s.Issues)
			}
			rs = append(rs, s.Responses...)
		}
		return rs, err
	}, *update)
}

// TestWrite271Delimiters: an identifier holding a default delimiter moves
// the delimiter, and the identifier comes back unchanged.
func TestWrite271Delimiters(t *testing.T) {
	r := base()
	r.Subscriber = subscriber()
	r.Subscriber.ID = "ALM*0001^A"
	r.Subscriber.Last = "O~NEIL"
	r.Subscriber.Benefits = []eligibility.Benefit{active("IND")}
	data := write(t, []eligibility.Response{r}, outbound())
	validtest.Clean(t, data)
	if !bytes.Contains(data, []byte("ALM*0001^A")) {
		t.Errorf("member ID not echoed unchanged:\n%s", data)
	}
	if bytes.Contains(data, []byte("O~NEIL")) {
		t.Errorf("delimiter inside a name not scrubbed:\n%s", data)
	}
}

func TestWrite271Errors(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(r *eligibility.Response)
		field string
		err   error
	}{
		{"no subscriber", func(r *eligibility.Response) {}, "Subscriber", eligibility.ErrMissing},
		{"bad npi", func(r *eligibility.Response) {
			r.Receiver.ID = "1234567890"
			r.Subscriber = subscriber()
		}, "Receiver.ID", eligibility.ErrInvalid},
		{"subscriber reason at source", func(r *eligibility.Response) {
			r.SourceRejects = []eligibility.Reject{{Code: "72"}}
		}, "SourceRejects[0].Code", eligibility.ErrInvalid},
		{"dependent reason at subscriber", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			r.Subscriber.Rejects = []eligibility.Reject{{Code: "77"}}
		}, "Subscriber.Rejects[0].Code", eligibility.ErrInvalid},
		{"rejects with benefits", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			r.Subscriber.Rejects = []eligibility.Reject{{Code: "75"}}
			r.Subscriber.Benefits = []eligibility.Benefit{active("IND")}
		}, "Subscriber.Benefits", eligibility.ErrConflict},
		{"bad service type", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			b := active("IND")
			b.ServiceTypes = []string{"30", "ZZZ"}
			r.Subscriber.Benefits = []eligibility.Benefit{b}
		}, "Subscriber.Benefits[0].ServiceTypes[1]", eligibility.ErrInvalid},
		{"bad plan date", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			b := active("IND")
			b.Dates[0].To = "20260230"
			r.Subscriber.Benefits = []eligibility.Benefit{b}
		}, "Subscriber.Benefits[0].Dates[0].To", eligibility.ErrInvalid},
		{"dependent with member id", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			r.Dependent = &eligibility.Subject{Party: eligibility.Party{Last: "DOE", ID: "X1"}}
		}, "Dependent.ID", eligibility.ErrInvalid},
		{"short trace originator", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			r.Subscriber.Traces = []eligibility.Trace{{Type: "2", Number: "T1", Originator: "9ABC"}}
		}, "Subscriber.Traces[0].Originator", eligibility.ErrInvalid},
		{"quantity with an exponent", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			r.Subscriber.Benefits = []eligibility.Benefit{{Code: "F", QuantityQualifier: "VS", Quantity: "1e3"}}
		}, "Subscriber.Benefits[0].Quantity", eligibility.ErrInvalid},
		{"ID qualifier without ID", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			r.Subscriber.IDQualifier, r.Subscriber.ID = "MI", ""
		}, "Subscriber.ID", eligibility.ErrMissing},
		{"percent over one", func(r *eligibility.Response) {
			r.Subscriber = subscriber()
			r.Subscriber.Benefits = []eligibility.Benefit{{Code: "A", Percent: "20"}}
		}, "Subscriber.Benefits[0].Percent", eligibility.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			tc.edit(&r)
			var buf bytes.Buffer
			err := eligibility.Write271(&buf, []eligibility.Response{r}, outbound())
			validtest.Refused(t, err, buf.Bytes(), tc.err, tc.field, "DOE", "JANE", "ALM0000123", "19800214")
		})
	}
}

// TestWrite271EchoesInquiries answers each inquiry of a 270 with the
// identifiers it used (Member.Echo): the 271 is valid and carries back
// the member's name, ID, REFs, birth date and traces.
func TestWrite271EchoesInquiries(t *testing.T) {
	data, err := os.ReadFile("testdata/subscriber_and_dependent.270")
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := eligibility.DecodeRequests(data)
	if err != nil || len(reqs) != 1 || len(reqs[0].Inquiries) != 2 {
		t.Fatalf("decode: %v", err)
	}
	var rs []eligibility.Response
	for _, q := range reqs[0].Inquiries {
		r := eligibility.Response{Reference: q.Header.Reference, Source: *q.Source, Receiver: q.Receiver.Party,
			Subscriber: q.Subscriber.Echo()}
		answer := r.Subscriber
		if q.Dependent != nil {
			r.Subscriber.Traces = nil
			r.Dependent = q.Dependent.Echo()
			answer = r.Dependent
		}
		answer.Benefits = []eligibility.Benefit{active("IND")}
		rs = append(rs, r)
	}
	out := write(t, rs, outbound())
	validtest.Clean(t, out)
	sets, err := eligibility.DecodeResponses(out)
	if err != nil || len(sets) != 2 {
		t.Fatalf("decode 271: %v, %d sets", err, len(sets))
	}
	for i, q := range reqs[0].Inquiries {
		got := sets[i].Responses[0]
		sub := got.Subscriber
		if sub.ID != q.Subscriber.ID || sub.Last != q.Subscriber.Last || sub.BirthDate != q.Subscriber.BirthDate ||
			len(sub.Refs) != len(q.Subscriber.Refs) {
			t.Errorf("inquiry %d: subscriber not echoed", i+1)
		}
		patient, asked := got.Subscriber, q.Subscriber
		if q.Dependent != nil {
			patient, asked = got.Dependent, q.Dependent
		}
		if len(patient.Traces) != len(asked.Traces) || patient.Traces[0].Type != "2" ||
			patient.Traces[0].Number != asked.Traces[0].Number || patient.Traces[0].Originator != asked.Traces[0].Originator {
			t.Errorf("inquiry %d: traces %+v, asked %+v", i+1, patient.Traces, asked.Traces)
		}
		if len(patient.Benefits) != 1 || patient.Benefits[0].Code != "1" {
			t.Errorf("inquiry %d: benefits %+v", i+1, patient.Benefits)
		}
	}
}
