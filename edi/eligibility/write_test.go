package eligibility_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
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

var goldenCases = []struct {
	name string
	resp func() []eligibility.Response
}{
	{"active_eb1", func() []eligibility.Response {
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
	{"inactive_eb6", func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Benefits = []eligibility.Benefit{{Code: "6", ServiceTypes: []string{"30"},
			Dates: []eligibility.Date{{Qualifier: "357", From: "20251231"}}}}
		return []eligibility.Response{r}
	}},
	{"source_rejected_79", func() []eligibility.Response {
		r := base()
		r.SourceRejects = []eligibility.Reject{{Code: "79", Action: "C"}}
		return []eligibility.Response{r}
	}},
	{"receiver_rejected_51", func() []eligibility.Response {
		r := base()
		r.ReceiverRejects = []eligibility.Reject{{Code: "51", Action: "N"}}
		return []eligibility.Response{r}
	}},
	{"subscriber_id_name_72_73_75", func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Rejects = []eligibility.Reject{{Code: "72"}, {Code: "73"}, {Code: "75"}}
		return []eligibility.Response{r}
	}},
	{"subscriber_birth_date_58_71", func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Rejects = []eligibility.Reject{{Code: "58"}, {Code: "71", Action: "C"}}
		return []eligibility.Response{r}
	}},
	{"subscriber_service_dates_57_62_63", func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Rejects = []eligibility.Reject{{Code: "57"}, {Code: "62"}, {Code: "63", Action: "R"}}
		return []eligibility.Response{r}
	}},
	{"subscriber_duplicate_76", func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Rejects = []eligibility.Reject{{Code: "76", Action: "N"}}
		return []eligibility.Response{r}
	}},
	{"dependent_eb1", func() []eligibility.Response {
		r := base()
		r.Subscriber = subscriber()
		r.Subscriber.Traces = nil
		r.Dependent = &eligibility.Subject{Party: eligibility.Party{Last: "DOE", First: "SAM"}, Traces: echoTRN,
			BirthDate: "20150704", Gender: "M", Benefits: []eligibility.Benefit{active("DEP")}}
		return []eligibility.Response{r}
	}},
	{"dependent_not_found_77", func() []eligibility.Response {
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

func TestWrite271Golden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			got := write(t, tc.resp(), outbound())
			validtest.Clean(t, got)
			path := filepath.Join("testdata", tc.name+".271.golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, got)
			}
		})
	}
}

func TestWrite271AllInOneInterchange(t *testing.T) {
	var rs []eligibility.Response
	for _, tc := range goldenCases {
		rs = append(rs, tc.resp()...)
	}
	out := outbound()
	out.Suffix = ""
	data := write(t, rs, out)
	validtest.Clean(t, data)
	if n := bytes.Count(data, []byte("~ST*271*")); n != len(rs) {
		t.Errorf("%d sets, want %d", n, len(rs))
	}
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
			if err == nil {
				t.Fatal("Write271 accepted bad input")
			}
			if buf.Len() != 0 {
				t.Error("Write271 wrote output despite the error")
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("error %v does not wrap %v", err, tc.err)
			}
			var fe *eligibility.FieldError
			found := false
			for _, e := range unwrapAll(err) {
				if errors.As(e, &fe) && fe.Field == tc.field {
					found = true
				}
			}
			if !found {
				t.Errorf("no FieldError for %s in %v", tc.field, err)
			}
			for _, secret := range []string{"DOE", "JANE", "ALM0000123", "19800214"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error message carries a value (%s): %v", secret, err)
				}
			}
		})
	}
}

// unwrapAll flattens joined errors.
func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unwrapAll(e)...)
		}
		return out
	}
	if u := errors.Unwrap(err); u != nil {
		return append([]error{err}, unwrapAll(u)...)
	}
	return []error{err}
}
