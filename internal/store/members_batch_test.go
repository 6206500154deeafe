package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestFindMembersBatch reads members in batches (as the roster's prefetch
// does) and gets, row for row and timestamps included, what the lookups
// of one value return.
func TestFindMembersBatch(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			clk := newTestClock()
			s := dbtest.Open(t, store.Config{URL: be.URL(t), Now: clk.Now})
			// FAMX's row sits between FAM2's (a key's rows need not be
			// contiguous).
			for i, id := range []string{"ABC123", "abc123", "FAM20001", "FAMX0001", "FAM20002", "FAM2"} {
				m := synthMember(id)
				// Every column set, with text JSON escapes.
				m.LastName, m.FirstName, m.Middle = `O"BRIEN\`, "JOSÉ\tX", "Q/"
				m.BirthSeq, m.CoverageEnd, m.CoverageLevel, m.InsuranceType = "2", "20251231", "FAM", "PR"
				m.Source = "roster \"a\".csv\n#1"
				switch {
				case id == "FAMX0001":
					m.FamilyID = "FAMX"
				case id != "ABC123" && id != "abc123":
					m.FamilyID = "FAM2"
				}
				if _, _, err := s.UpsertMember(ctx, m); err != nil {
					t.Fatal(err)
				}
				// Whole seconds, fractions and a changed row.
				clk.Advance(time.Duration(i)*time.Second + time.Duration(i*i)*time.Microsecond)
			}
			m := synthMember("FAM20002")
			m.FamilyID, m.Plan = "FAM2", "HMO"
			if _, _, err := s.UpsertMember(ctx, m); err != nil {
				t.Fatal(err)
			}
			check := func(name string, batch func(context.Context, []string) (map[string][]store.Member, error),
				one func(context.Context, string) ([]store.Member, error), key func(string) string, values ...string) {
				t.Helper()
				got, err := batch(ctx, values)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, v := range values {
					want, err := one(ctx, v)
					if err != nil {
						t.Fatalf("%s %q: %v", name, v, err)
					}
					if len(want) == 0 {
						want = nil
					}
					if !reflect.DeepEqual(got[key(v)], want) {
						t.Errorf("%s %q:\n got %+v\nwant %+v", name, v, got[key(v)], want)
					}
				}
			}
			same := func(v string) string { return v }
			check("by IDs", s.FindMembersByIDs, s.FindMembersByID, same, "ABC123", "abc123", "FAM20002", "nobody")
			check("by families", s.FindMembersByFamilies, s.FindMembersByFamily, same, "FAM2", "FAMX", "nobody")
			check("by stems", s.FindMembersByIDStems, s.FindMembersByIDStem, same, "FAM200", "nobody")
			check("by folded IDs", s.FindMembersByFoldedIDs, s.FindMembersByFoldedID, func(v string) string { return "ABC123" }, "aBc123")
		})
	}
}
