package roster_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

// checkerRoster is the synthetic roster the checker tests run against.
var checkerRoster = []store.Member{
	// A CSV-style subscriber (own family), covered during 2024.
	{MemberID: "SYN1000001", LastName: "ALPHA", FirstName: "ADAM", DOB: "19800101", CoverageStart: "20240101", CoverageEnd: "20241231", TPA: "SYNTH TPA EAST"},
	// Open-ended coverage from March 2024.
	{MemberID: "SYN1000002", LastName: "BETA", FirstName: "BELLA", DOB: "19900115", CoverageStart: "20240301"},
	// A roster whose IDs carry per-person 2-digit suffixes.
	{MemberID: "FAMX01", FamilyID: "FAMX", LastName: "CHARLIE", FirstName: "CARL", CoverageStart: "20240101"},
	{MemberID: "FAMX02", FamilyID: "FAMX", Relationship: "01", LastName: "CHARLIE", FirstName: "CORA", CoverageStart: "20240101"},
	// An 834-style family: everyone carries the family ID.
	{MemberID: "FAMY", FamilyID: "FAMY", LastName: "DELTA", FirstName: "DAN", DOB: "19750707", CoverageStart: "20240101"},
	{MemberID: "FAMY", FamilyID: "FAMY", Relationship: "01", LastName: "DELTA", FirstName: "DEB", DOB: "19770808", CoverageStart: "20240101", CoverageEnd: "20240331"},
	{MemberID: "FAMY", FamilyID: "FAMY", Relationship: "19", BirthSeq: "1", LastName: "DELTA", FirstName: "DOT", DOB: "20150505", CoverageStart: "20240101", TPA: "SYNTH TPA WEST"},
}

var (
	keyAdam = store.MemberKey{FamilyID: "SYN1000001", Relationship: "18", MemberID: "SYN1000001"}
	keyCora = store.MemberKey{FamilyID: "FAMX", Relationship: "01", MemberID: "FAMX02"}
	keyDot  = store.MemberKey{FamilyID: "FAMY", Relationship: "19", BirthSeq: "1", MemberID: "FAMY"}
	keyBell = store.MemberKey{FamilyID: "SYN1000002", Relationship: "18", MemberID: "SYN1000002"}
)

// adam is a claim for the CSV-style subscriber as the patient.
func adam() roster.ClaimParty {
	return roster.ClaimParty{MemberID: "SYN1000001", SubscriberLast: "ALPHA", SubscriberFirst: "ADAM",
		SubscriberDOB: "19800101", Relationship: "18", ServiceFrom: "20240610", ServiceTo: "20240612"}
}

// dot is a claim for the FAMY child as a dependent patient.
func dot() roster.ClaimParty {
	return roster.ClaimParty{MemberID: "FAMY", SubscriberLast: "DELTA", SubscriberFirst: "DAN",
		PatientLast: "DELTA", PatientFirst: "DOT", PatientDOB: "20150505", Relationship: "19",
		ServiceFrom: "20240610"}
}

type checkTest struct {
	name    string
	party   func() roster.ClaimParty
	require bool // CheckerConfig.RequireDependentRows
	reason  roster.Reason
	stc01   string
	key     store.MemberKey // when set, the decision's MemberKey
	sub     string          // when set, the first name on Decision.Subscriber
}

func edit(base func() roster.ClaimParty, f func(*roster.ClaimParty)) func() roster.ClaimParty {
	return func() roster.ClaimParty {
		p := base()
		f(&p)
		return p
	}
}

var checkTests = []checkTest{
	{name: "exact match", party: adam, reason: roster.ReasonEligible, key: keyAdam},
	{name: "outer spaces and name case are ignored", party: edit(adam, func(p *roster.ClaimParty) {
		p.MemberID, p.SubscriberLast, p.SubscriberFirst = " SYN1000001 ", "alpha ", " Adam"
	}), reason: roster.ReasonEligible, key: keyAdam},
	{name: "member id with a 2-digit suffix", party: edit(adam, func(p *roster.ClaimParty) { p.MemberID = "SYN100000101" }),
		reason: roster.ReasonMemberIDSuffix, stc01: "A7:164:IL"},
	{name: "member id missing the suffix the roster has", party: func() roster.ClaimParty {
		return roster.ClaimParty{MemberID: "FAMX", SubscriberLast: "CHARLIE", SubscriberFirst: "CARL", ServiceFrom: "20240610"}
	}, reason: roster.ReasonMemberIDSuffix, stc01: "A7:164:IL"},
	{name: "member id in the wrong case", party: edit(adam, func(p *roster.ClaimParty) { p.MemberID = "syn1000001" }),
		reason: roster.ReasonMemberIDCase, stc01: "A7:164:IL"},
	{name: "unknown member id", party: edit(adam, func(p *roster.ClaimParty) { p.MemberID = "SYN9999999" }),
		reason: roster.ReasonMemberNotFound, stc01: "A7:164:IL"},
	{name: "member id with a character dropped", party: edit(adam, func(p *roster.ClaimParty) { p.MemberID = "SYN100001" }),
		reason: roster.ReasonMemberNotFound, stc01: "A7:164:IL"},
	{name: "no member id", party: edit(adam, func(p *roster.ClaimParty) { p.MemberID = "  " }),
		reason: roster.ReasonMemberIDMissing, stc01: "A6:164:IL"},
	{name: "subscriber name mismatch", party: edit(adam, func(p *roster.ClaimParty) { p.SubscriberFirst = "ADAMS" }),
		reason: roster.ReasonSubscriberNameMismatch, stc01: "A7:125:IL"},
	{name: "subscriber date of birth mismatch", party: edit(adam, func(p *roster.ClaimParty) { p.SubscriberDOB = "19800102" }),
		reason: roster.ReasonSubscriberDOBMismatch, stc01: "A7:158:IL"},
	{name: "patient named differently from the subscriber who is the patient", party: edit(adam, func(p *roster.ClaimParty) {
		p.PatientLast, p.PatientFirst = "ALPHA", "ABEL"
	}), reason: roster.ReasonPatientNameMismatch, stc01: "A7:125:QC"},
	{name: "coverage ended before the dates of service", party: edit(adam, func(p *roster.ClaimParty) { p.ServiceFrom, p.ServiceTo = "20250105", "" }),
		reason: roster.ReasonNotCoveredOnDOS, stc01: "A7:88:IL", key: keyAdam},
	{name: "last service date after the coverage end", party: edit(adam, func(p *roster.ClaimParty) { p.ServiceFrom, p.ServiceTo = "20241230", "20250102" }),
		reason: roster.ReasonNotCoveredOnDOS, stc01: "A7:88:IL"},
	{name: "coverage starting after the dates of service", party: func() roster.ClaimParty {
		return roster.ClaimParty{MemberID: "SYN1000002", SubscriberLast: "BETA", SubscriberFirst: "BELLA", ServiceFrom: "20240215"}
	}, reason: roster.ReasonNotCoveredOnDOS, stc01: "A7:88:IL", key: keyBell},
	{name: "dates of service straddling the coverage start", party: func() roster.ClaimParty {
		return roster.ClaimParty{MemberID: "SYN1000002", SubscriberLast: "BETA", SubscriberFirst: "BELLA", ServiceFrom: "20240228", ServiceTo: "20240302"}
	}, reason: roster.ReasonNotCoveredOnDOS, stc01: "A7:88:IL"},
	{name: "open-ended coverage", party: func() roster.ClaimParty {
		return roster.ClaimParty{MemberID: "SYN1000002", SubscriberLast: "BETA", SubscriberFirst: "BELLA", ServiceFrom: "20301231"}
	}, reason: roster.ReasonEligible, key: keyBell},
	{name: "no dates of service", party: edit(adam, func(p *roster.ClaimParty) { p.ServiceFrom, p.ServiceTo = "", "" }),
		reason: roster.ReasonServiceDateMissing, stc01: "A7:187"},
	{name: "dates of service in reverse", party: edit(adam, func(p *roster.ClaimParty) { p.ServiceFrom, p.ServiceTo = "20240612", "20240610" }),
		reason: roster.ReasonServiceDateMissing, stc01: "A7:187"},
	{name: "dependent with an own suffixed id as the patient", party: func() roster.ClaimParty {
		return roster.ClaimParty{MemberID: "FAMX02", SubscriberLast: "CHARLIE", SubscriberFirst: "CORA", ServiceFrom: "20240610"}
	}, reason: roster.ReasonEligible, key: keyCora},
	{name: "dependent patient on the roster", party: dot, reason: roster.ReasonEligible, key: keyDot},
	{name: "dependent patient name mismatch", party: edit(dot, func(p *roster.ClaimParty) { p.PatientFirst = "DOTTIE" }),
		reason: roster.ReasonPatientNameMismatch, stc01: "A7:125:QC"},
	{name: "subscriber name mismatch on a dependent claim", party: edit(dot, func(p *roster.ClaimParty) { p.SubscriberFirst = "DON" }),
		reason: roster.ReasonSubscriberNameMismatch, stc01: "A7:125:IL"},
	{name: "subscriber's name given as the dependent patient", party: edit(dot, func(p *roster.ClaimParty) { p.PatientFirst, p.PatientDOB = "DAN", "" }),
		reason: roster.ReasonPatientNameMismatch, stc01: "A7:125:QC"},
	{name: "dependent patient date of birth mismatch", party: edit(dot, func(p *roster.ClaimParty) { p.PatientDOB = "20150506" }),
		reason: roster.ReasonPatientDOBMismatch, stc01: "A7:158:QC"},
	{name: "dependent whose own coverage ended", party: edit(dot, func(p *roster.ClaimParty) {
		p.PatientFirst, p.PatientDOB, p.Relationship, p.ServiceFrom = "DEB", "19770808", "01", "20240415"
	}), reason: roster.ReasonNotCoveredOnDOS, stc01: "A7:88:QC"},
	{name: "dependent of a subscriber-only roster is covered by the subscriber", party: edit(adam, func(p *roster.ClaimParty) {
		p.SubscriberDOB, p.PatientLast, p.PatientFirst, p.PatientDOB, p.Relationship = "", "ALPHA", "AMY", "20120101", "19"
	}), reason: roster.ReasonEligible, key: keyAdam},
	{name: "dependent of a subscriber-only roster when dependents are required", require: true, party: edit(adam, func(p *roster.ClaimParty) {
		p.SubscriberDOB, p.PatientLast, p.PatientFirst, p.PatientDOB, p.Relationship = "", "ALPHA", "AMY", "20120101", "19"
	}), reason: roster.ReasonPatientNotFound, stc01: "A7:97:QC"},
	{name: "dependent of a subscriber-only roster outside coverage", party: edit(adam, func(p *roster.ClaimParty) {
		p.PatientLast, p.PatientFirst, p.Relationship, p.ServiceFrom, p.ServiceTo = "ALPHA", "AMY", "19", "20231231", ""
	}), reason: roster.ReasonNotCoveredOnDOS, stc01: "A7:88:IL"},
	{name: "dependent found under a subscriber identified by id only", party: edit(dot, func(p *roster.ClaimParty) {
		p.SubscriberLast, p.SubscriberFirst = "", ""
	}), reason: roster.ReasonEligible, key: keyDot, sub: "DAN"},
	{name: "subscriber row of a dependent decision", party: dot, reason: roster.ReasonEligible, key: keyDot, sub: "DAN"},
	{name: "subscriber row of a subscriber decision", party: adam, reason: roster.ReasonEligible, key: keyAdam, sub: "ADAM"},
	{name: "subscriber row of a not-covered decision", party: edit(adam, func(p *roster.ClaimParty) { p.ServiceFrom, p.ServiceTo = "20250105", "" }),
		reason: roster.ReasonNotCoveredOnDOS, stc01: "A7:88:IL", key: keyAdam, sub: "ADAM"},
}

func loadCheckerRoster(t *testing.T, st *store.Store) {
	t.Helper()
	for _, m := range checkerRoster {
		if _, _, err := st.UpsertMember(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheck(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *store.Store) {
		loadCheckerRoster(t, st)
		for _, tc := range checkTests {
			t.Run(tc.name, func(t *testing.T) {
				c, err := roster.NewChecker(st, roster.CheckerConfig{RequireDependentRows: tc.require})
				if err != nil {
					t.Fatal(err)
				}
				d, err := c.Check(context.Background(), tc.party())
				if err != nil {
					t.Fatal(err)
				}
				if d.Reason != tc.reason || d.Eligible != (tc.reason == roster.ReasonEligible) || d.STC01(':') != tc.stc01 {
					t.Fatalf("decision = %+v (STC01 %q), want %s %q", d, d.STC01(':'), tc.reason, tc.stc01)
				}
				if tc.key != (store.MemberKey{}) && (d.MemberKey != tc.key || d.MemberRowID == 0) {
					t.Fatalf("matched %+v (row %d), want %+v", d.MemberKey, d.MemberRowID, tc.key)
				}
				if tc.key != (store.MemberKey{}) && (d.Member == nil || d.Member.Key() != tc.key || d.Member.ID != d.MemberRowID || d.Families != 1) {
					t.Fatalf("Member = %+v, Families %d; want the row of %+v in 1 family", d.Member, d.Families, tc.key)
				}
				if tc.sub != "" && (d.Subscriber == nil || d.Subscriber.FirstName != tc.sub || d.Subscriber.Relationship != "18") {
					t.Fatalf("Subscriber = %+v, want %s", d.Subscriber, tc.sub)
				}
				// An eligible decision names the matched row's TPA.
				wantTPA := ""
				for _, m := range checkerRoster {
					if m.FamilyID == "" {
						m.FamilyID = m.MemberID // as the store keys a subscriber row
					}
					if m.Relationship == "" {
						m.Relationship = "18"
					}
					if d.Eligible && m.Key() == d.MemberKey {
						wantTPA = m.TPA
					}
				}
				if d.TPA != wantTPA {
					t.Fatalf("TPA = %q, want %q", d.TPA, wantTPA)
				}
			})
		}
	})
}

func TestDecisionSTC01(t *testing.T) {
	d := roster.Decision{Category: "A7", Status: "164", Entity: "IL"}
	if got := d.STC01('>'); got != "A7>164>IL" {
		t.Fatalf("STC01 = %q", got)
	}
	if got := (roster.Decision{Category: "A7", Status: "187"}).STC01(':'); got != "A7:187" {
		t.Fatalf("STC01 without entity = %q", got)
	}
	if got := (roster.Decision{Eligible: true}).STC01(':'); got != "" {
		t.Fatalf("STC01 of an eligible decision = %q", got)
	}
}

// countingLookup counts the store lookups a Checker makes.
type countingLookup struct {
	roster.MemberLookup
	mu    sync.Mutex
	calls int
}

func (c *countingLookup) FindMembersByID(ctx context.Context, id string) ([]store.Member, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.MemberLookup.FindMembersByID(ctx, id)
}

func (c *countingLookup) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

func TestCheckerCache(t *testing.T) {
	st := openSQLite(t)
	loadCheckerRoster(t, st)
	ctx := context.Background()
	clk := newFakeClock()
	lookup := &countingLookup{MemberLookup: st}
	c, err := roster.NewChecker(lookup, roster.CheckerConfig{CacheSize: 2, CacheTTL: time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	check := func(p roster.ClaimParty, want roster.Reason, wantCalls int) {
		t.Helper()
		d, err := c.Check(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if d.Reason != want || lookup.count() != wantCalls {
			t.Fatalf("decision %s after %d lookups, want %s after %d", d.Reason, lookup.count(), want, wantCalls)
		}
	}
	check(adam(), roster.ReasonEligible, 1)
	check(adam(), roster.ReasonEligible, 1) // cached

	// A term written behind the cache's back is seen after Purge.
	if _, err := st.TermMember(ctx, keyAdam, "20240601"); err != nil {
		t.Fatal(err)
	}
	check(adam(), roster.ReasonEligible, 1)
	c.Purge()
	check(adam(), roster.ReasonNotCoveredOnDOS, 2)

	// ... or after the TTL.
	if _, _, err := st.UpsertMember(ctx, checkerRoster[0]); err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Second)
	check(adam(), roster.ReasonNotCoveredOnDOS, 2)
	clk.Advance(time.Second)
	check(adam(), roster.ReasonEligible, 3)

	// Two more IDs evict the least recently used entry (size 2).
	bella := roster.ClaimParty{MemberID: "SYN1000002", SubscriberLast: "BETA", SubscriberFirst: "BELLA", ServiceFrom: "20240610"}
	cora := roster.ClaimParty{MemberID: "FAMX02", SubscriberLast: "CHARLIE", SubscriberFirst: "CORA", ServiceFrom: "20240610"}
	check(bella, roster.ReasonEligible, 4)
	check(cora, roster.ReasonEligible, 5)
	check(cora, roster.ReasonEligible, 5)
	check(adam(), roster.ReasonEligible, 6) // evicted

	// Without a cache every check reads the store.
	lookup2 := &countingLookup{MemberLookup: st}
	nc, err := roster.NewChecker(lookup2, roster.CheckerConfig{CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := nc.Check(ctx, adam()); err != nil {
			t.Fatal(err)
		}
	}
	if lookup2.count() != 3 {
		t.Fatalf("uncached lookups = %d, want 3", lookup2.count())
	}
}

// failingLookup fails every lookup.
type failingLookup struct{ roster.MemberLookup }

var errDown = errors.New("database down")

func (failingLookup) FindMembersByID(context.Context, string) ([]store.Member, error) {
	return nil, errDown
}

func TestCheckLookupFailureIsAnError(t *testing.T) {
	c, err := roster.NewChecker(failingLookup{}, roster.CheckerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Check(context.Background(), adam())
	if !errors.Is(err, errDown) || d.Reason != "" {
		t.Fatalf("Check = %+v, %v; want the lookup error and no decision", d, err)
	}
	if _, err := roster.NewChecker(nil, roster.CheckerConfig{}); err == nil {
		t.Fatal("NewChecker(nil) succeeded")
	}
}

func TestCheckConcurrent(t *testing.T) {
	st := openSQLite(t)
	loadCheckerRoster(t, st)
	c, err := roster.NewChecker(st, roster.CheckerConfig{CacheSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				tc := checkTests[(w+i)%len(checkTests)]
				if tc.require {
					continue
				}
				d, err := c.Check(context.Background(), tc.party())
				if err != nil {
					errs <- err
					return
				}
				if d.Reason != tc.reason {
					errs <- errors.New(tc.name + ": got " + string(d.Reason))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
