package answer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/inquiry/answer"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// now is the clock of every test: 2026-06-15 09:30 UTC.
var now = time.Date(2026, 6, 15, 9, 30, 0, 0, time.UTC)

// testRoster is synthetic (made-up people).
var testRoster = []store.Member{
	{MemberID: "SYN2000001", LastName: "ALPHA", FirstName: "ADAM", DOB: "19800101", Gender: "M", CoverageStart: "20260101", CoverageEnd: "20261231",
		Plan: "GOLD PPO", GroupNumber: "GRP1", CoverageLevel: "FAM", InsuranceType: "PR"},
	{MemberID: "SYN2000002", LastName: "BETA", FirstName: "BELLA", DOB: "19900115", Gender: "F", CoverageStart: "20240101", CoverageEnd: "20250630", Plan: "SILVER"},
	{MemberID: "FAMZ", FamilyID: "FAMZ", LastName: "DELTA", FirstName: "DAN", DOB: "19750707", CoverageStart: "20250101", Plan: "HMO", InsuranceType: "HM", CoverageLevel: "FAM"},
	{MemberID: "FAMZ", FamilyID: "FAMZ", Relationship: "19", BirthSeq: "1", LastName: "DELTA", FirstName: "DOT", DOB: "20150505", CoverageStart: "20250101", CoverageLevel: "DEP"},
	{MemberID: "DUPL1", FamilyID: "FAM-A", LastName: "EPSILON", FirstName: "EVE", CoverageStart: "20250101"},
	{MemberID: "DUPL1", FamilyID: "FAM-B", LastName: "EPSILON", FirstName: "EVE", CoverageStart: "20250101"},
}

// person is a 2100C or 2100D of a test 270.
type person struct {
	id, last, first, dob, date string
}

// build270 writes a 270 interchange from ACMEMED with one inquiry per
// subscriber (and a 2000D level when dep is set), payer ID payer.
func build270(payer string, subs []person, dep *person) string {
	var segs []string
	add := func(s ...string) { segs = append(segs, strings.Join(s, "*")) }
	add("ST", "270", "0001", "005010X279A1")
	add("BHT", "0022", "13", "REQ001", "20260615", "0930")
	add("HL", "1", "", "20", "1")
	add("NM1", "PR", "2", "SYNTH HEALTH PLAN", "", "", "", "", "PI", payer)
	add("HL", "2", "1", "21", "1")
	add("NM1", "1P", "2", "NORTHSIDE CLINIC", "", "", "", "", "XX", "1234567893")
	hl := 2
	for i, s := range subs {
		hl++
		child := "0"
		if dep != nil {
			child = "1"
		}
		add("HL", fmt.Sprint(hl), "2", "22", child)
		if dep == nil {
			add("TRN", "1", fmt.Sprintf("TRACE%03d", i+1), "9ACMEMED01")
		}
		nm1 := []string{"NM1", "IL", "1", s.last, s.first, "", "", "", "MI", s.id}
		if s.id == "" {
			nm1 = nm1[:5]
		}
		add(nm1...)
		if s.dob != "" {
			add("DMG", "D8", s.dob)
		}
		if dep == nil {
			if s.date != "" {
				add("DTP", "291", "D8", s.date)
			}
			add("EQ", "30")
		} else {
			sub := hl
			hl++
			add("HL", fmt.Sprint(hl), fmt.Sprint(sub), "23", "0")
			add("TRN", "1", fmt.Sprintf("TRACE%03d", i+1), "9ACMEMED01")
			add("NM1", "03", "1", dep.last, dep.first)
			if dep.dob != "" {
				add("DMG", "D8", dep.dob)
			}
			if dep.date != "" {
				add("DTP", "291", "D8", dep.date)
			}
			add("EQ", "30")
		}
	}
	add("SE", fmt.Sprint(len(segs)+1), "0001")
	return wrap("HS", "005010X279A1", segs)
}

func wrap(gs01, version string, segs []string) string {
	return "ISA*00*          *00*          *ZZ*ACMEMED        *ZZ*CLEARINGHOUSE  *260615*0930*^*00501*000000101*0*T*:~\n" +
		"GS*" + gs01 + "*ACMEMED*CLEARINGHOUSE*20260615*0930*101*X*" + version + "~\n" +
		strings.Join(segs, "~\n") + "~\nGE*1*101~\nIEA*1*000000101~\n"
}

// claimAsk is a 2200D of a test 276.
type claimAsk struct {
	member, pcn, ref1k, dos, charge string
	lines                           [][2]string // procedure, charge
}

func build276(asks []claimAsk) string {
	var segs []string
	add := func(s ...string) { segs = append(segs, strings.Join(s, "*")) }
	add("ST", "276", "0001", "005010X212")
	add("BHT", "0010", "13", "STAT001", "20260615", "0930")
	add("HL", "1", "", "20", "1")
	add("NM1", "PR", "2", "SYNTH HEALTH PLAN", "", "", "", "", "PI", "88461")
	add("HL", "2", "1", "21", "1")
	add("NM1", "41", "2", "ACME BILLING", "", "", "", "", "46", "ACME01")
	add("HL", "3", "2", "19", "1")
	add("NM1", "1P", "2", "NORTHSIDE CLINIC", "", "", "", "", "XX", "1999999984")
	hl := 3
	for i, a := range asks {
		hl++
		add("HL", fmt.Sprint(hl), "3", "22", "0")
		add("DMG", "D8", "19800101", "M")
		add("NM1", "IL", "1", "ALPHA", "ADAM", "", "", "", "MI", a.member)
		add("TRN", "1", fmt.Sprintf("CLMTRACE%02d", i+1))
		if a.ref1k != "" {
			add("REF", "1K", a.ref1k)
		}
		if a.pcn != "" {
			add("REF", "EJ", a.pcn)
		}
		if a.charge != "" {
			add("AMT", "T3", a.charge)
		}
		if a.dos != "" {
			add("DTP", "472", "D8", a.dos)
		}
		for _, l := range a.lines {
			add("SVC", "HC:"+l[0], l[1], "", "", "", "", "1")
			add("DTP", "472", "D8", a.dos)
		}
	}
	add("SE", fmt.Sprint(len(segs)+1), "0001")
	return wrap("HR", "005010X212", segs)
}

type bundle struct {
	st      *store.Store
	a       *answer.Answerer
	claimID map[string]int64
}

func setup(t testing.TB, url string) *bundle {
	t.Helper()
	ctx := context.Background()
	// The store's clock too: a claim's status date (STC02) is its last
	// change, which would otherwise be the day the test runs.
	st := dbtest.Open(t, store.Config{URL: url, Now: func() time.Time { return now }})
	for _, m := range testRoster {
		if _, _, err := st.UpsertMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256([]byte("claims"))
	f, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "claims.x12", SHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{st: st, claimID: map[string]int64{}}
	for i, c := range []struct {
		pcn     string
		state   store.ClaimState
		reasons string
	}{
		{"PCN-ACC", store.ClaimAccepted, ""}, {"PCN-SUS", store.ClaimSuspect, ""}, {"PCN-FWD", store.ClaimForwarded, ""},
		{"PCN-REJ", store.ClaimRejected, "A7:164:IL"}, {"PCN-OLD", store.ClaimReplaced, ""}, {"PCN-VOID", store.ClaimVoided, ""},
		{"PCN-PAID", store.ClaimForwarded, ""}, {"PCN-DENY", store.ClaimForwarded, ""},
	} {
		cl := store.Claim{InboundFileID: f.ID, PartnerID: "acme", ControlNumber: fmt.Sprintf("CH%012d", i+1), CLM01: c.pcn,
			ClaimType: "P", Frequency: "1", State: c.state, Reasons: c.reasons, BilledCents: 15000, PayerID: "88461",
			BillingNPI: "1999999984", MemberID: "SYN2000001", PatientLast: "ALPHA", PatientFirst: "ADAM",
			ServiceFrom: "20260601", ServiceTo: "20260601",
			Lines: []store.ClaimLine{{LineNo: 1, Code: "G0008", Units: 1000, UnitType: "UN", ChargeCents: 10000, ServiceFrom: "20260601"},
				{LineNo: 2, Code: "A0425", Units: 1000, UnitType: "UN", ChargeCents: 5000, ServiceFrom: "20260601"}}}
		if err := st.InsertClaim(ctx, &cl); err != nil {
			t.Fatal(err)
		}
		b.claimID[c.pcn] = cl.ID
	}
	checker, err := roster.NewChecker(st, roster.CheckerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	el, err := inquiry.NewEligibility(checker, inquiry.EligibilityConfig{PayerIDs: []string{"88461"}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	pay := &payments{m: map[int64]*inquiry.Payment{
		b.claimID["PCN-PAID"]: {ClaimStatus: "1", Charge: 15000, Paid: 12000, AdjudicatedOn: "20260610", PaymentDate: "20260612", Trace: "EFT0000042",
			Lines: []inquiry.LinePayment{{LineNo: 1, Paid: 8000}, {LineNo: 2, Paid: 4000}}},
		b.claimID["PCN-DENY"]: {ClaimStatus: "4", Charge: 15000, AdjudicatedOn: "20260610", PaymentDate: "20260612", Trace: "EFT0000043"},
	}}
	b.a, err = answer.New(answer.Config{Eligibility: el, Status: inquiry.NewClaimStatus(pay), Identity: answer.Identity{ID: "CLEARINGHOUSE"},
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type payments struct{ m map[int64]*inquiry.Payment }

func (p *payments) LatestPayment(_ context.Context, _ inquiry.ClaimLookup, id int64) (*inquiry.Payment, error) {
	return p.m[id], nil
}
func (p *payments) ClaimsByPayerClaimNumber(context.Context, inquiry.ClaimLookup, string, string) ([]int64, error) {
	return nil, nil
}

type goldenCase struct {
	name  string
	input string
	// want is a substring the answer must hold (the EB, AAA or STC).
	want string
}

var adam = person{id: "SYN2000001", last: "ALPHA", first: "ADAM", dob: "19800101"}

func with(p person, f func(*person)) person { f(&p); return p }

var goldenCases = []goldenCase{
	{"eb1_active", build270("88461", []person{adam}, nil), "EB*1*FAM*30*PR*GOLD PPO~"},
	{"eb1_dependent", build270("88461", []person{{id: "FAMZ"}}, &person{last: "DELTA", first: "DOT", dob: "20150505"}), "EB*1*DEP*30*HM*HMO~"},
	{"eb6_inactive", build270("88461", []person{{id: "SYN2000002", last: "BETA", first: "BELLA"}}, nil), "EB*6**30~"},
	{"aaa_79_payer", build270("99999", []person{adam}, nil), "AAA*N**79*C~"},
	{"aaa_72_suffix", build270("88461", []person{with(adam, func(p *person) { p.id = "SYN200000101" })}, nil), "AAA*N**72*C~"},
	{"aaa_73_name", build270("88461", []person{with(adam, func(p *person) { p.first = "ADAMS" })}, nil), "AAA*N**73*C~"},
	{"aaa_75_not_found", build270("88461", []person{with(adam, func(p *person) { p.id = "SYN9999999" })}, nil), "AAA*N**75*C~"},
	// A date that is not a calendar date never reaches the roster: the
	// 999 rejects the set (IK4 8), so AAA 58 and 57 come only from the
	// check command.
	{"ack_999_dob_invalid", build270("88461", []person{with(adam, func(p *person) { p.dob = "19800231" })}, nil), "IK4*2*1251*8*19800231~"},
	{"ack_999_date_invalid", build270("88461", []person{with(adam, func(p *person) { p.date = "20260231" })}, nil), "IK4*3*1251*8*20260231~"},
	{"aaa_71_dob", build270("88461", []person{with(adam, func(p *person) { p.dob = "19800102" })}, nil), "AAA*N**71*C~"},
	{"aaa_62_date_past", build270("88461", []person{with(adam, func(p *person) { p.date = "20230101" })}, nil), "AAA*N**62*C~"},
	{"aaa_63_date_future", build270("88461", []person{with(adam, func(p *person) { p.date = "20260801" })}, nil), "AAA*N**63*C~"},
	{"aaa_76_duplicate", build270("88461", []person{{id: "DUPL1", last: "EPSILON", first: "EVE"}}, nil), "AAA*N**76*C~"},
	{"aaa_73_dependent_subscriber", build270("88461", []person{{id: "FAMZ", last: "DELTO", first: "DAN"}}, &person{last: "DELTA", first: "DOT"}), "HL*3*2*22*0~\nTRN*2*TRACE001*9ACMEMED01~\nNM1*IL*1*DELTO*DAN****MI*FAMZ~\nAAA*N**73*C~\nSE"},
	{"aaa_77_dependent", build270("88461", []person{{id: "FAMZ"}}, &person{last: "DELTA", first: "DORA"}), "AAA*N**77*C~"},
	{"stc_a2_accepted", build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-ACC", dos: "20260601", charge: "150"}}), "STC*A2:20*"},
	{"stc_p1_suspect", build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-SUS"}}), "STC*P1:78*"},
	{"stc_p2_forwarded", build276([]claimAsk{{member: "SYN2000001", ref1k: "CH000000000003"}}), "STC*P2:16:PR*"},
	{"stc_a7_rejected", build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-REJ"}}), "STC*A7:164:IL*"},
	{"stc_f3_replaced", build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-OLD"}}), "STC*F3:101*"},
	{"stc_f0_voided", build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-VOID"}}), "STC*F0:101*"},
	{"stc_f1_paid_lines", build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-PAID", dos: "20260601",
		lines: [][2]string{{"G0008", "100"}, {"A0425", "50"}}}}), "STC*F1:65*20260610**150*120*20260610**20260612*EFT0000042~"},
	{"stc_f2_denied", build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-DENY"}}), "STC*F2:1*"},
	{"stc_a4_not_found", build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-NONE"}}), "STC*A4:35*"},
	{"stc_d0_search", build276([]claimAsk{{member: "SYN2000001", dos: "20260301", charge: "99"}}), "STC*D0:35*"},
}

// TestGolden answers one inquiry per AAA code, EB code and STC category
// and compares the answer with testdata/<name>.golden; every answer must
// pass our own validator.
func TestGolden(t *testing.T) {
	b := setup(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			res, err := b.a.Answer(ctx, strings.NewReader(tc.input), &out, "acme", b.st, validate.NewCounter(1), validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			isAck := strings.HasPrefix(tc.name, "ack_")
			if isAck {
				// Not answered: the 999 is what goes back.
				if res.Sets != 0 || res.NotAccepted != 1 || out.Len() != 0 {
					t.Fatalf("sets %d answered, %d not accepted, %d bytes", res.Sets, res.NotAccepted, out.Len())
				}
				acks, err := b.a.Acks(ctx, res.Envelope, validate.NewCounter(1))
				if err != nil {
					t.Fatal(err)
				}
				if len(acks) != 1 || acks[0].Kind != "999" || acks[0].Accepted {
					t.Fatalf("acks %+v", acks)
				}
				out.Write(acks[0].Data)
			} else if res.Sets != 1 || res.NotAccepted != 0 {
				t.Fatalf("sets %d answered, %d not accepted: %+v", res.Sets, res.NotAccepted, validate.Report("in", res.Envelope))
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("answer lacks %q:\n%s", tc.want, out.String())
			}
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("answer differs from %s:\n%s", golden, out.String())
			}
			assertValid(t, out.Bytes())
		})
	}
}

// assertValid runs our validator over an answer: accepted, body checked.
func assertValid(t *testing.T, data []byte) {
	t.Helper()
	env, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := validate.Report("answer", env)
	if !rep.Accepted || len(rep.Errors) > 0 {
		t.Fatalf("answer does not validate: %+v", rep)
	}
	for _, ic := range rep.Interchanges {
		for _, g := range ic.Groups {
			for _, s := range g.Transactions {
				// 271 and 277 bodies are checked against their guides;
				// the 999 has no table (envelope only).
				if s.Ack != "A" || !s.BodyChecked && s.ID != "999" {
					t.Fatalf("answer set %s %s: ack %s, body checked %v, errors %+v", s.ID, s.Control, s.Ack, s.BodyChecked, s.Errors)
				}
			}
		}
	}
}

var noOpts = validate.Options{}

func newCounter() *validate.Counter { return validate.NewCounter(1) }

func itoa(n int64) string { return fmt.Sprint(n) }

// nil2ic is the interchange an AckNameBase is computed from.
func nil2ic(sender, control string) *envelope.Interchange {
	ic := &envelope.Interchange{Control: control}
	ic.Sender.ID = sender
	return ic
}
