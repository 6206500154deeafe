package roster_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/synth"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

// claimParties reads the claim parties of an 837 (as synth writes it):
// 2010BA, 2000C PAT01 and 2010CA, and the span of DTP*472 (837P lines,
// 837I outpatient lines) and DTP*434 (837I statement) dates, one per CLM
// in file order.
func claimParties(t *testing.T, edi []byte) []roster.ClaimParty {
	t.Helper()
	var (
		out  []roster.ClaimParty
		cur  roster.ClaimParty // subscriber/patient context of the current HL
		clm  *roster.ClaimParty
		dmgT *string // where a DMG date goes
	)
	flush := func() {
		if clm != nil {
			out = append(out, *clm)
			clm = nil
		}
	}
	addDate := func(d string) {
		if clm.ServiceFrom == "" || d < clm.ServiceFrom {
			clm.ServiceFrom = d
		}
		if d > clm.ServiceTo {
			clm.ServiceTo = d
		}
	}
	rd := x12.NewReader(bytes.NewReader(edi))
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read 837: %v", err)
		}
		switch seg.Tag() {
		case "HL":
			flush()
			dmgT = nil
			switch seg.String(3) {
			case "22":
				cur = roster.ClaimParty{Relationship: "18"}
			case "23":
				cur.Relationship = ""
			}
		case "PAT":
			cur.Relationship = seg.String(1)
		case "NM1":
			dmgT = nil
			switch seg.String(1) {
			case "IL":
				cur.SubscriberLast, cur.SubscriberFirst, cur.MemberID = seg.String(3), seg.String(4), seg.String(9)
				dmgT = &cur.SubscriberDOB
			case "QC":
				cur.PatientLast, cur.PatientFirst = seg.String(3), seg.String(4)
				dmgT = &cur.PatientDOB
			}
		case "DMG":
			if dmgT != nil {
				*dmgT = seg.String(2)
			}
		case "CLM":
			flush()
			c := cur
			clm = &c
		case "DTP":
			if clm == nil {
				continue
			}
			switch seg.String(1) {
			case "472", "434":
				from, to, ok := bytes.Cut(seg.Element(3), []byte("-"))
				addDate(string(from))
				if ok {
					addDate(string(to))
				}
			}
		case "SE":
			flush()
		}
	}
	flush()
	return out
}

func TestSynthRosterEligibility(t *testing.T) {
	for _, kind := range []synth.Kind{synth.Professional, synth.Institutional} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			forEachBackend(t, func(t *testing.T, st *store.Store) {
				testSynthRoster(t, st, kind)
			})
		})
	}
}

func testSynthRoster(t *testing.T, st *store.Store, kind synth.Kind) {
	ctx := context.Background()
	cfg := synth.Config{Kind: kind, Claims: 1000, Seed: 20240615, Freq7: 0.05, Freq8: 0.02, Dup: 0.02, Invalid: 0.05}
	var csvBuf, ediBuf bytes.Buffer
	if err := synth.WriteRosterCSV(ctx, &csvBuf, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Write(ctx, &ediBuf, cfg); err != nil {
		t.Fatal(err)
	}
	members, err := synth.Members(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range members {
		n++
	}

	res, err := roster.ImportCSV(ctx, st, bytes.NewReader(csvBuf.Bytes()), roster.Opts{Source: "synth_roster.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != n || res.Added != n || len(res.Errors) != 0 {
		t.Fatalf("roster import = records %d added %d errors %v; want %d members cleanly", res.Records, res.Added, res.Errors, n)
	}
	// The rows are the members exactly as synth describes them.
	for m := range members {
		row := member(t, st, m.MemberID, "18", "", m.MemberID)
		if row.LastName != m.LastName || row.FirstName != m.FirstName || row.DOB != m.DOB.Format("20060102") ||
			row.Gender != m.Gender || row.CoverageStart != m.CoverageStart.Format("20060102") ||
			row.CoverageEnd != m.CoverageEnd.Format("20060102") || row.Plan != m.Plan || row.GroupNumber != m.Group || row.TPA != m.TPA {
			t.Fatalf("member %d stored as %+v", m.Index, *row)
		}
	}

	manifest, err := synth.Manifest(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var infos []synth.ClaimInfo
	for c := range manifest {
		infos = append(infos, c)
	}
	parties := claimParties(t, ediBuf.Bytes())
	if len(parties) != len(infos) || len(infos) != cfg.Claims {
		t.Fatalf("read %d claims from the 837, manifest has %d, want %d", len(parties), len(infos), cfg.Claims)
	}
	c, err := roster.NewChecker(st, roster.CheckerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var eligible, dependents, undated int
	for i, p := range parties {
		info := infos[i]
		if p.MemberID != info.MemberID || (p.Relationship != "18") != info.Dependent {
			t.Fatalf("claim %d: 837 says member %s dependent %v, manifest %s %v", i, p.MemberID, p.Relationship != "18", info.MemberID, info.Dependent)
		}
		d, err := c.Check(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if p.ServiceFrom == "" {
			// Only the missing-service-date defect may leave a claim
			// without dates (an 837I inpatient claim has no line dates).
			if info.Defect != synth.DefectMissingServiceDate || d.Reason != roster.ReasonServiceDateMissing {
				t.Fatalf("claim %d (%s %s) has no dates; decision %s", i, info.Class, info.Defect, d.Reason)
			}
			undated++
			continue
		}
		if !d.Eligible {
			t.Fatalf("claim %d (%s, dependent %v): %s %s", i, info.Class, info.Dependent, d.Reason, d.STC01(':'))
		}
		if d.MemberKey.MemberID != info.MemberID {
			t.Fatalf("claim %d matched member %s, want %s", i, d.MemberKey.MemberID, info.MemberID)
		}
		eligible++
		if info.Dependent {
			dependents++
		}
	}
	if eligible < cfg.Claims*9/10 || dependents == 0 {
		t.Fatalf("%d eligible (%d dependents), %d undated of %d claims", eligible, dependents, undated, cfg.Claims)
	}
	t.Logf("%d members; %d claims eligible (%d dependents), %d without dates", n, eligible, dependents, undated)
}
