package inquiry_test

import (
	"context"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

// eligRoster is a synthetic roster (made-up people).
var eligRoster = []store.Member{
	// A subscriber covered during 2026, with plan details.
	{MemberID: "SYN2000001", LastName: "ALPHA", FirstName: "ADAM", DOB: "19800101", Gender: "M", CoverageStart: "20260101", CoverageEnd: "20261231",
		Plan: "GOLD PPO", GroupNumber: "GRP1", CoverageLevel: "FAM", InsuranceType: "PR"},
	// Coverage that ended in 2025.
	{MemberID: "SYN2000002", LastName: "BETA", FirstName: "BELLA", DOB: "19900115", CoverageStart: "20240101", CoverageEnd: "20250630", Plan: "SILVER"},
	// Coverage that starts next year.
	{MemberID: "SYN2000003", LastName: "GAMMA", FirstName: "GIL", DOB: "19700303", CoverageStart: "20270101"},
	// An 834-style family sharing the family ID.
	{MemberID: "FAMZ", FamilyID: "FAMZ", LastName: "DELTA", FirstName: "DAN", DOB: "19750707", CoverageStart: "20250101", Plan: "HMO", InsuranceType: "HM", CoverageLevel: "FAM"},
	{MemberID: "FAMZ", FamilyID: "FAMZ", Relationship: "19", BirthSeq: "1", LastName: "DELTA", FirstName: "DOT", DOB: "20150505", CoverageStart: "20250101", CoverageLevel: "DEP"},
	// Two people in different families enrolled under one ID and name.
	{MemberID: "DUPL1", FamilyID: "FAM-A", LastName: "EPSILON", FirstName: "EVE", CoverageStart: "20250101"},
	{MemberID: "DUPL1", FamilyID: "FAM-B", LastName: "EPSILON", FirstName: "EVE", CoverageStart: "20250101"},
	// IDs with person suffixes.
	{MemberID: "SFX100", FamilyID: "SFX1", LastName: "ZETA", FirstName: "ZOE", CoverageStart: "20250101"},
}

// now is the responder's clock: 2026-06-15.
var now = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func adam() inquiry.EligibilityInquiry {
	return inquiry.EligibilityInquiry{PayerID: "88461",
		Subscriber: inquiry.Person{MemberID: "SYN2000001", Last: "ALPHA", First: "ADAM", DOB: "19800101"}}
}

func dot() inquiry.EligibilityInquiry {
	return inquiry.EligibilityInquiry{PayerID: "88461", Subscriber: inquiry.Person{MemberID: "FAMZ"},
		Dependent: &inquiry.Person{Last: "DELTA", First: "DOT", DOB: "20150505"}}
}

func edit(base func() inquiry.EligibilityInquiry, f func(*inquiry.EligibilityInquiry)) func() inquiry.EligibilityInquiry {
	return func() inquiry.EligibilityInquiry {
		q := base()
		f(&q)
		return q
	}
}

type eligTest struct {
	name string
	inq  func() inquiry.EligibilityInquiry
	// want is "EB:<info>:<level>:<types>:<itype>:<plan>" for the first
	// benefit, or "AAA:<loop>:<code>".
	want     string
	benefits int
	begin    string // the patient echo's DTP*356
	end      string // the patient echo's DTP*357
	msg      bool   // an AAA with a MSG
}

var eligTests = []eligTest{
	{name: "subscriber covered today", inq: adam, want: "EB:1:FAM:30:PR:GOLD PPO", benefits: 1, begin: "20260101", end: "20261231"},
	{name: "name case and spaces ignored", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.Last, q.Subscriber.First = " alpha", "Adam " }),
		want: "EB:1:FAM:30:PR:GOLD PPO", benefits: 1},
	{name: "one EB per service type asked", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.ServiceTypes = []string{"98", "88", "98"} }),
		want: "EB:1:FAM:98:PR:GOLD PPO", benefits: 2},
	{name: "plan date range inside coverage", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Date = "20260101-20260131" }),
		want: "EB:1:FAM:30:PR:GOLD PPO", benefits: 1},
	{name: "without date of birth", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.DOB = "" }),
		want: "EB:1:FAM:30:PR:GOLD PPO", benefits: 1},
	{name: "coverage ended: EB*6 with the end", inq: func() inquiry.EligibilityInquiry {
		return inquiry.EligibilityInquiry{Subscriber: inquiry.Person{MemberID: "SYN2000002", Last: "BETA", First: "BELLA"}}
	}, want: "EB:6::30::", benefits: 1, end: "20250630"},
	{name: "covered on an earlier plan date", inq: func() inquiry.EligibilityInquiry {
		return inquiry.EligibilityInquiry{Subscriber: inquiry.Person{MemberID: "SYN2000002", Last: "BETA", First: "BELLA"}, Date: "20250301"}
	}, want: "EB:1::30::SILVER", benefits: 1, end: "20250630"},
	{name: "coverage starting later: EB*6 with the begin", inq: func() inquiry.EligibilityInquiry {
		return inquiry.EligibilityInquiry{Subscriber: inquiry.Person{MemberID: "SYN2000003", Last: "GAMMA", First: "GIL"}}
	}, want: "EB:6::30::", benefits: 1, begin: "20270101"},
	{name: "plan date range leaving coverage", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Date = "20261201-20270105" }),
		want: "AAA:2100C:63", msg: true},
	{name: "dependent in 2000D", inq: dot, want: "EB:1:DEP:30:HM:HMO", benefits: 1, begin: "20250101"},
	{name: "dependent with the subscriber named too", inq: edit(dot, func(q *inquiry.EligibilityInquiry) { q.Subscriber.Last, q.Subscriber.First = "DELTA", "DAN" }),
		want: "EB:1:DEP:30:HM:HMO", benefits: 1},
	{name: "dependent of a subscriber-only roster", inq: edit(adam, func(q *inquiry.EligibilityInquiry) {
		q.Dependent = &inquiry.Person{Last: "ALPHA", First: "AMY", DOB: "20120202"}
	}), want: "EB:1:FAM:30:PR:GOLD PPO", benefits: 1, begin: "20260101"},
	{name: "dependent 2100C only, by the shared family id", inq: func() inquiry.EligibilityInquiry {
		return inquiry.EligibilityInquiry{Subscriber: inquiry.Person{MemberID: "FAMZ", Last: "DELTA", First: "DOT", DOB: "20150505"}}
	}, want: "EB:1:DEP:30::", benefits: 1},

	{name: "payer not served", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.PayerID = "99999" }), want: "AAA:2100A:79", msg: true},
	{name: "no member id", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.MemberID = " " }), want: "AAA:2100C:72", msg: true},
	{name: "member id with a 2-digit suffix", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.MemberID = "SYN200000101" }),
		want: "AAA:2100C:72", msg: true},
	{name: "member id without the roster's suffix", inq: func() inquiry.EligibilityInquiry {
		return inquiry.EligibilityInquiry{Subscriber: inquiry.Person{MemberID: "SFX1", Last: "ZETA", First: "ZOE"}}
	}, want: "AAA:2100C:72", msg: true},
	{name: "member id in the wrong case", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.MemberID = "syn2000001" }),
		want: "AAA:2100C:72", msg: true},
	{name: "unknown member", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.MemberID = "SYN9999999" }), want: "AAA:2100C:75"},
	{name: "no last name", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.Last = "" }), want: "AAA:2100C:73", msg: true},
	{name: "name mismatch", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.First = "ADAMS" }), want: "AAA:2100C:73", msg: true},
	{name: "invalid date of birth", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.DOB = "19800231" }), want: "AAA:2100C:58", msg: true},
	{name: "date of birth mismatch", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Subscriber.DOB = "19800102" }), want: "AAA:2100C:71"},
	{name: "invalid plan date", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Date = "2026061" }), want: "AAA:2100C:57", msg: true},
	{name: "plan date range in reverse", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Date = "20260615-20260601" }), want: "AAA:2100C:57", msg: true},
	{name: "plan date too far back", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Date = "20240614" }), want: "AAA:2100C:62", msg: true},
	{name: "plan date next month", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Date = "20260701" }), want: "AAA:2100C:63", msg: true},
	{name: "plan date at the end of the month", inq: edit(adam, func(q *inquiry.EligibilityInquiry) { q.Date = "20260630" }),
		want: "EB:1:FAM:30:PR:GOLD PPO", benefits: 1},
	{name: "born after the plan date", inq: edit(dot, func(q *inquiry.EligibilityInquiry) { q.Date = "20150101" }), want: "AAA:2100D:62", msg: true},
	{name: "dependent born after the plan date", inq: edit(dot, func(q *inquiry.EligibilityInquiry) { q.Dependent.DOB = "20260616"; q.Date = "20260615" }),
		want: "AAA:2100D:60", msg: true},
	{name: "dependent without a last name", inq: edit(dot, func(q *inquiry.EligibilityInquiry) { q.Dependent.Last = "" }), want: "AAA:2100D:65", msg: true},
	{name: "dependent not in the family", inq: edit(dot, func(q *inquiry.EligibilityInquiry) { q.Dependent.First = "DORA" }), want: "AAA:2100D:77"},
	{name: "dependent date of birth mismatch", inq: edit(dot, func(q *inquiry.EligibilityInquiry) { q.Dependent.DOB = "20150506" }), want: "AAA:2100D:71"},
	{name: "dependent invalid date of birth", inq: edit(dot, func(q *inquiry.EligibilityInquiry) { q.Dependent.DOB = "2015" }), want: "AAA:2100D:58", msg: true},
	{name: "subscriber of a dependent inquiry misnamed", inq: edit(dot, func(q *inquiry.EligibilityInquiry) { q.Subscriber.Last = "DELTO" }),
		want: "AAA:2100C:73", msg: true},
	{name: "two families under one id", inq: func() inquiry.EligibilityInquiry {
		return inquiry.EligibilityInquiry{Subscriber: inquiry.Person{MemberID: "DUPL1", Last: "EPSILON", First: "EVE"}}
	}, want: "AAA:2100C:76", msg: true},
}

func summary(a inquiry.EligibilityAnswer) string {
	if a.Reject != nil {
		return "AAA:" + a.Reject.Loop + ":" + a.Reject.Code
	}
	if len(a.Benefits) == 0 {
		return "none"
	}
	b := a.Benefits[0]
	return "EB:" + b.Info + ":" + b.CoverageLevel + ":" + b.ServiceType + ":" + b.InsuranceType + ":" + b.Plan
}

func TestEligibility(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: b.URL(t)})
			ctx := context.Background()
			for _, m := range eligRoster {
				if _, _, err := st.UpsertMember(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			checker, err := roster.NewChecker(st, roster.CheckerConfig{})
			if err != nil {
				t.Fatal(err)
			}
			el, err := inquiry.NewEligibility(checker, inquiry.EligibilityConfig{PayerIDs: []string{"88461", ""}, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range eligTests {
				t.Run(tc.name, func(t *testing.T) {
					inq := tc.inq()
					a, err := el.Answer(ctx, st, inq)
					if err != nil {
						t.Fatal(err)
					}
					if got := summary(a); got != tc.want {
						t.Fatalf("answer %s (%+v), want %s", got, a.Reject, tc.want)
					}
					if len(a.Benefits) != tc.benefits {
						t.Fatalf("%d benefits, want %d", len(a.Benefits), tc.benefits)
					}
					if a.Reject != nil {
						if a.Reject.Action != inquiry.ActionCorrect || (a.Reject.Message != "") != tc.msg {
							t.Fatalf("reject %+v: want action C and a message %v", a.Reject, tc.msg)
						}
						return
					}
					if a.From == "" || a.To < a.From {
						t.Fatalf("dates asked %q-%q", a.From, a.To)
					}
					// The echo: the ID sent in 2100C, the patient as enrolled.
					if a.Subscriber.MemberID != inq.Subscriber.MemberID {
						t.Fatalf("2100C echoes member id %q, want %q", a.Subscriber.MemberID, inq.Subscriber.MemberID)
					}
					patient := &a.Subscriber
					if inq.Dependent != nil {
						if a.Dependent == nil || a.Dependent.MemberID != "" {
							t.Fatalf("dependent echo %+v", a.Dependent)
						}
						patient = a.Dependent
					}
					if tc.begin != "" && patient.EligibilityBegin != tc.begin || tc.end != "" && patient.EligibilityEnd != tc.end {
						t.Fatalf("eligibility %s-%s, want %s-%s", patient.EligibilityBegin, patient.EligibilityEnd, tc.begin, tc.end)
					}
					if patient.Last == "" || patient.First == "" {
						t.Fatalf("patient echo without a name: %+v", patient)
					}
				})
			}
		})
	}
}

// TestEligibilityPrefetch: answers after a batch prefetch are the same as
// one by one, and the prefetch reads the roster once for the batch.
func TestEligibilityPrefetch(t *testing.T) {
	st := dbtest.Open(t, store.Config{URL: dbtest.SQLiteURL(t)})
	ctx := context.Background()
	for _, m := range eligRoster {
		if _, _, err := st.UpsertMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var inqs []inquiry.EligibilityInquiry
	for _, tc := range eligTests {
		inqs = append(inqs, tc.inq())
	}
	counting := &countingLookup{Store: st}
	checker, _ := roster.NewChecker(counting, roster.CheckerConfig{})
	el, _ := inquiry.NewEligibility(checker, inquiry.EligibilityConfig{PayerIDs: []string{"88461", ""}, Now: func() time.Time { return now }})
	if err := el.Prefetch(ctx, counting, inqs); err != nil {
		t.Fatal(err)
	}
	single := counting.single
	for i, inq := range inqs {
		a, err := el.Answer(ctx, counting, inq)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(a); got != eligTests[i].want {
			t.Errorf("%s: %s, want %s", eligTests[i].name, got, eligTests[i].want)
		}
	}
	// Every lookup, the not-found diagnostics (suffix, case) included,
	// was read in batch.
	if n := counting.single - single; n != 0 || counting.batch == 0 {
		t.Fatalf("%d single lookups after prefetch (%d batch); want none", n, counting.batch)
	}
}

type countingLookup struct {
	*store.Store
	single, batch int
}

func (c *countingLookup) FindMembersByID(ctx context.Context, id string) ([]store.Member, error) {
	c.single++
	return c.Store.FindMembersByID(ctx, id)
}

func (c *countingLookup) FindMembersByIDStem(ctx context.Context, stem string) ([]store.Member, error) {
	c.single++
	return c.Store.FindMembersByIDStem(ctx, stem)
}

func (c *countingLookup) FindMembersByFoldedID(ctx context.Context, id string) ([]store.Member, error) {
	c.single++
	return c.Store.FindMembersByFoldedID(ctx, id)
}

func (c *countingLookup) FindMembersByIDs(ctx context.Context, ids []string) (map[string][]store.Member, error) {
	c.batch++
	return c.Store.FindMembersByIDs(ctx, ids)
}
