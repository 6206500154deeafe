package inquiry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// statusClaims are synthetic claims of partner acme (and one of zenith).
func statusClaims() []store.Claim {
	line := func(no int, code string, cents int64) store.ClaimLine {
		return store.ClaimLine{LineNo: no, Code: code, Units: 1000, UnitType: "UN", ChargeCents: cents, ServiceFrom: "20260601"}
	}
	base := func(ctrl, clm01 string, state store.ClaimState) store.Claim {
		return store.Claim{PartnerID: "acme", ControlNumber: ctrl, CLM01: clm01, ClaimType: "P", Frequency: "1", State: state,
			BilledCents: 15000, PayerID: "88461", BillingNPI: "1999999984", MemberID: "SYN2000001",
			PatientLast: "ALPHA", PatientFirst: "ADAM", ServiceFrom: "20260601", ServiceTo: "20260601",
			Lines: []store.ClaimLine{line(1, "G0008", 10000), line(2, "A0425", 5000)}}
	}
	rejected := base("CH000000000003", "PCN-REJ", store.ClaimRejected)
	rejected.Reasons = "A7:164:IL;A3:21"
	dup := base("CH000000000004", "PCN-DUP", store.ClaimDuplicate)
	dup.Reasons = "A3:54"
	replaced := base("CH000000000005", "PCN-FIX", store.ClaimReplaced)
	replacement := base("CH000000000006", "PCN-FIX", store.ClaimForwarded)
	replacement.Frequency = "7"
	voided := base("CH000000000007", "PCN-VOID", store.ClaimVoided)
	paid := base("CH000000000008", "PCN-PAID", store.ClaimForwarded)
	denied := base("CH000000000009", "PCN-DENY", store.ClaimForwarded)
	partial := base("CH000000000010", "PCN-PART", store.ClaimForwarded)
	other := base("CH000000000011", "PCN-OTHER", store.ClaimAccepted)
	other.PartnerID = "zenith"
	later := base("CH000000000012", "PCN-LATER", store.ClaimAccepted)
	later.ServiceFrom, later.ServiceTo, later.BilledCents = "20260610", "20260612", 9900
	return []store.Claim{
		base("CH000000000001", "PCN-ACC", store.ClaimAccepted),
		base("CH000000000002", "PCN-FWD", store.ClaimForwarded),
		rejected, dup, replaced, replacement, voided, paid, denied, partial, other, later,
		base("CH000000000013", "PCN-SUS", store.ClaimSuspect),
	}
}

// fakePayments is a remittance source keyed by control number.
type fakePayments struct {
	byClaim map[int64]*inquiry.Payment
	pcn     map[string][]int64
}

func (f *fakePayments) LatestPayment(_ context.Context, _ inquiry.ClaimLookup, id int64) (*inquiry.Payment, error) {
	return f.byClaim[id], nil
}

func (f *fakePayments) ClaimsByPayerClaimNumber(_ context.Context, _ inquiry.ClaimLookup, partner, number string) ([]int64, error) {
	return f.pcn[partner+"/"+number], nil
}

type statusTest struct {
	name string
	inq  inquiry.StatusInquiry
	// want are the STC01 composites of the claims found, in order.
	want  []string
	found bool
	paid  int64 // STC05 of the first claim, when > 0
	lines []string
}

func ask(f func(*inquiry.StatusInquiry)) inquiry.StatusInquiry {
	q := inquiry.StatusInquiry{PartnerID: "acme", PayerID: "88461", ProviderNPI: "1999999984", MemberID: "SYN2000001", Trace: "TRACE-1"}
	f(&q)
	return q
}

var statusTests = []statusTest{
	{name: "accepted by control number", inq: ask(func(q *inquiry.StatusInquiry) { q.ClaimNumber = "CH000000000001" }), want: []string{"A2:20"}, found: true},
	{name: "accepted by clm01", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-ACC" }), want: []string{"A2:20"}, found: true},
	{name: "forwarded, waiting on the TPA", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-FWD" }), want: []string{"P2:16:PR"}, found: true},
	{name: "held for duplicate review", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-SUS" }), want: []string{"P1:78"}, found: true},
	{name: "rejected with its 277CA codes", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-REJ" }), want: []string{"A7:164:IL A3:21"}, found: true},
	{name: "duplicate", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-DUP" }), want: []string{"A3:54"}, found: true},
	{name: "replaced: the replacement and the original", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-FIX" }),
		want: []string{"P2:16:PR", "F3:101"}, found: true},
	{name: "voided", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-VOID" }), want: []string{"F0:101"}, found: true},
	{name: "paid in full", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-PAID" }), want: []string{"F1:65"}, found: true, paid: 15000},
	{name: "denied", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-DENY" }), want: []string{"F2:1"}, found: true},
	{name: "partially paid", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-PART" }), want: []string{"F1:65"}, found: true, paid: 4000},
	{name: "by the payer's claim number", inq: ask(func(q *inquiry.StatusInquiry) { q.ClaimNumber = "PAYER-77" }), want: []string{"F1:65"}, found: true, paid: 15000},
	{name: "another partner's claim is not found", inq: ask(func(q *inquiry.StatusInquiry) { q.ClaimNumber = "CH000000000011" }), want: []string{"A4:35"}},
	{name: "unknown control number", inq: ask(func(q *inquiry.StatusInquiry) { q.ClaimNumber = "CH999999999999" }), want: []string{"A4:35"}},
	{name: "other billing provider", inq: ask(func(q *inquiry.StatusInquiry) { q.ClaimNumber = "CH000000000001"; q.ProviderNPI = "1234567893" }),
		want: []string{"A4:35"}},
	{name: "other payer", inq: ask(func(q *inquiry.StatusInquiry) { q.ClaimNumber = "CH000000000001"; q.PayerID = "2712" }), want: []string{"A4:35"}},
	{name: "by member, dates and charge", inq: ask(func(q *inquiry.StatusInquiry) {
		q.ServiceFrom, q.ServiceTo, q.Charge, q.HasCharge = "20260611", "20260611", 9900, true
	}), want: []string{"A2:20"}, found: true},
	{name: "by member, dates overlapping but another charge", inq: ask(func(q *inquiry.StatusInquiry) {
		q.ServiceFrom, q.Charge, q.HasCharge = "20260611", 9901, true
	}), want: []string{"D0:35"}},
	{name: "by member without dates or charge", inq: ask(func(q *inquiry.StatusInquiry) {}), want: []string{"D0:35"}},
	{name: "clm01 with dates that do not overlap", inq: ask(func(q *inquiry.StatusInquiry) { q.CLM01 = "PCN-ACC"; q.ServiceFrom = "20260701" }),
		want: []string{"A4:35"}},
	{name: "lines asked", inq: ask(func(q *inquiry.StatusInquiry) {
		q.CLM01 = "PCN-PAID"
		q.Lines = []inquiry.StatusLine{{Code: "A0425", Charge: 5000, Control: "L2"}, {Code: "J3490", Charge: 100}}
	}), want: []string{"F1:65"}, found: true, paid: 15000, lines: []string{"2:F1:65:3000", "0:A4:35:"}},
}

func TestClaimStatus(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: b.URL(t)})
			ctx := context.Background()
			ids := map[string]int64{}
			for _, partner := range []string{"acme", "zenith"} {
				sum := sha256.Sum256([]byte(partner))
				f, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: partner, Name: partner + ".x12", SHA256: hex.EncodeToString(sum[:])})
				if err != nil {
					t.Fatal(err)
				}
				ids[partner] = f.ID
			}
			claimID := map[string]int64{}
			for _, c := range statusClaims() {
				c.InboundFileID = ids[c.PartnerID]
				if err := st.InsertClaim(ctx, &c); err != nil {
					t.Fatal(err)
				}
				claimID[c.CLM01] = c.ID
			}
			pay := &fakePayments{
				byClaim: map[int64]*inquiry.Payment{
					claimID["PCN-PAID"]: {ClaimStatus: "1", Charge: 15000, Paid: 15000, PayerClaimNumber: "PAYER-77",
						AdjudicatedOn: "20260620", PaymentDate: "20260622", Trace: "EFT123",
						Lines: []inquiry.LinePayment{{LineNo: 1, Paid: 12000}, {LineNo: 2, Paid: 3000}}},
					claimID["PCN-DENY"]: {ClaimStatus: "4", Charge: 15000, AdjudicatedOn: "20260620", PaymentDate: "20260622", Trace: "EFT123"},
					claimID["PCN-PART"]: {ClaimStatus: "1", Charge: 15000, Paid: 4000, AdjudicatedOn: "20260620", PaymentDate: "20260622", Trace: "EFT124"},
				},
				pcn: map[string][]int64{"acme/PAYER-77": {claimID["PCN-PAID"]}, "zenith/PAYER-77": {claimID["PCN-OTHER"]}},
			}
			r := inquiry.NewClaimStatus(pay)
			for _, tc := range statusTests {
				t.Run(tc.name, func(t *testing.T) {
					a, err := r.Answer(ctx, st, tc.inq)
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, c := range a.Claims {
						var s []string
						for _, x := range c.Statuses {
							s = append(s, x.String())
						}
						got = append(got, strings.Join(s, " "))
					}
					if !slices.Equal(got, tc.want) || a.Found != tc.found || a.Trace != tc.inq.Trace {
						t.Fatalf("statuses %q found %v trace %q; want %q found %v trace %q", got, a.Found, a.Trace, tc.want, tc.found, tc.inq.Trace)
					}
					first := a.Claims[0]
					if tc.paid > 0 {
						if first.Paid == nil || *first.Paid != tc.paid || first.AdjudicatedOn != "20260620" || first.PaymentDate != "20260622" || first.PaymentTrace == "" {
							t.Fatalf("payment fields %+v", first)
						}
					} else if first.Paid != nil && first.Statuses[0].Category != "F2" {
						t.Fatalf("paid %d without a remittance", *first.Paid)
					}
					if tc.found && (first.Charge != first.Claim.BilledCents || first.ControlNumber == "" || first.Effective == "") {
						t.Fatalf("claim echo %+v", first)
					}
					var lines []string
					for _, l := range first.Lines {
						paid := ""
						if l.Paid != nil {
							paid = strconv.FormatInt(*l.Paid, 10)
						}
						lines = append(lines, strconv.Itoa(l.LineNo)+":"+l.Statuses[0].String()+":"+paid)
					}
					if !slices.Equal(lines, tc.lines) {
						t.Fatalf("lines %q, want %q", lines, tc.lines)
					}
				})
			}
		})
	}
}

// TestDecideStatusRevised: a reversal in the remittance is F3.
func TestDecideStatusRevised(t *testing.T) {
	c := &store.Claim{ControlNumber: "CH1", State: store.ClaimForwarded, BilledCents: 100}
	got := inquiry.DecideStatus(c, &inquiry.Payment{ClaimStatus: "22", Paid: -100}, nil)
	if got.Statuses[0].String() != "F3:1" || *got.Paid != -100 {
		t.Fatalf("reversal = %+v", got)
	}
	// A rejected claim without recorded reasons still says it is rejected.
	got = inquiry.DecideStatus(&store.Claim{State: store.ClaimRejected}, nil, nil)
	if got.Statuses[0].String() != "A3:21" {
		t.Fatalf("rejected without reasons = %+v", got.Statuses)
	}
}

func TestParseStatus(t *testing.T) {
	for in, ok := range map[string]bool{"A7:164:IL": true, "A3:54": true, "A3": false, ":1": false, "A:1:2:3": false} {
		if _, got := inquiry.ParseStatus(in); got != ok {
			t.Errorf("ParseStatus(%q) ok = %v", in, got)
		}
	}
}
