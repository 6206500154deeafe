package roster_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

// Synthetic family FAM1001: subscriber with a mutually defined member ID
// (NM108 ZZ), spouse and two children identified by the family ID.
var enroll834 = edi834("2", join(header834, []string{
	ins("Y", "18", "021", ""),
	"REF*0F*FAM1001",
	"REF*1L*GRP77",
	"NM1*IL*1*TESTSUB*SAM*Q***ZZ*FAM1001",
	"DMG*D8*19800101*M",
	"HD*021**HLT*PLANA*FAM",
	"DTP*348*D8*20240101",
	ins("N", "01", "021", ""),
	"REF*0F*FAM1001",
	"NM1*IL*1*TESTSUB*SUE",
	"DMG*D8*19820202*F",
	"HD*021**HLT*PLANA*FAM",
	"DTP*348*D8*20240101",
	ins("N", "19", "021", "1"),
	"REF*0F*FAM1001",
	"NM1*IL*1*TESTSUB*KIDONE",
	"DMG*D8*20100303*F",
	"HD*021**HLT*PLANA*FAM",
	"DTP*348*D8*20240101",
	ins("N", "19", "021", "2"),
	"REF*0F*FAM1001",
	"NM1*IL*1*TESTSUB*KIDTWO",
	"DMG*D8*20120404*M",
	"HD*021**HLT*PLANA*FAM",
	"DTP*348*D8*20240101",
	ins("Y", "18", "021", ""),
	"REF*0F*OTH2002",
	"NM1*IL*1*OTHERSUB*OLGA****ZZ*OTH2002",
	"DMG*D8*19700505*F",
	"HD*021**DEN",
	"DTP*348*D8*20240101",
	"DTP*349*D8*20240630",
})...)

// changes834 changes, terms and reinstates members of enroll834, with
// records that must be refused in between.
var changes834 = edi834("2", join(header834, []string{
	// 1: name change of the subscriber.
	ins("Y", "18", "001", ""),
	"REF*0F*FAM1001",
	"NM1*IL*1*TESTSUB*SAMUEL*Q***ZZ*FAM1001",
	// 2: child 2 terminated at the member level.
	ins("N", "19", "024", "2"),
	"REF*0F*FAM1001",
	"DTP*357*D8*20240331",
	"NM1*IL*1*TESTSUB*KIDTWO",
	// 3: OTH2002 reinstated (its coverage end is cleared).
	ins("Y", "18", "025", ""),
	"REF*0F*OTH2002",
	"NM1*IL*1*OTHERSUB*OLGA****ZZ*OTH2002",
	"HD*025**DEN",
	"DTP*348*D8*20240101",
	// 4: a new member without a coverage begin date.
	ins("Y", "18", "021", ""),
	"REF*0F*NEW3003",
	"NM1*IL*1*NEWSUB*NORA****ZZ*NEW3003",
	// 5: termination of a member that is not on the roster.
	ins("Y", "18", "024", ""),
	"REF*0F*GHOST404",
	"NM1*IL*1*GHOSTSUB*GARY****ZZ*GHOST404",
	// 6: impossible date of birth.
	ins("Y", "18", "021", ""),
	"REF*0F*BAD5005",
	"NM1*IL*1*BADSUB*BO****ZZ*BAD5005",
	"DMG*D8*19801301*M",
	"HD*021**HLT",
	"DTP*348*D8*20240101",
	// 7: HD01-style code in INS03.
	ins("Y", "18", "002", ""),
	"REF*0F*BAD6006",
	"NM1*IL*1*BADSUB*BEA****ZZ*BAD6006",
	// 8: no REF*0F.
	ins("Y", "18", "021", ""),
	"NM1*IL*1*BADSUB*BEN****ZZ*BAD7007",
	"HD*021**HLT",
	"DTP*348*D8*20240101",
	// 9: change whose every coverage terminates: the spouse is termed.
	ins("N", "01", "001", ""),
	"REF*0F*FAM1001",
	"NM1*IL*1*TESTSUB*SUE",
	"HD*024**HLT*PLANA*FAM",
	"DTP*349*D8*20240430",
})...)

// wantErr is an expected RowError of an 834 import: the member record,
// the segment (found by a unique marker in the input) and element.
type wantErr struct {
	record  int
	marker  string
	element int
	err     error
}

func check834Errors(t *testing.T, input string, got []roster.RowError, want []wantErr) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors = %v\nwant %d", got, len(want))
	}
	for i, w := range want {
		e := &got[i]
		off := strings.Index(input, w.marker)
		if off < 0 || strings.Count(input, w.marker) != 1 {
			t.Fatalf("marker %q not unique in input", w.marker)
		}
		tag, _, _ := strings.Cut(w.marker, "*")
		if e.Record != w.record || e.Offset != int64(off) || e.Segment != tag || e.Element != w.element || !errors.Is(e, w.err) {
			t.Errorf("error %d = record %d offset %d %s%02d %v; want record %d offset %d %s%02d %v",
				i, e.Record, e.Offset, e.Segment, e.Element, e.Err, w.record, off, tag, w.element, w.err)
		}
		if e.Ordinal <= 0 || e.Position <= 0 {
			t.Errorf("error %d has no segment ordinal/position: %+v", i, e)
		}
		assertNoPHI(t, e.Error(), input)
	}
}

func TestImport834DeltasInFileOrder(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		res, err := roster.Import834(ctx, st, strings.NewReader(enroll834), roster.Opts{Source: "enroll.834"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Records != 5 || res.Added != 5 || len(res.Errors) != 0 || res.Snapshot || res.FileDate != "20240601" {
			t.Fatalf("enrollment = %+v", res)
		}
		sub := member(t, st, "FAM1001", "18", "", "FAM1001")
		want := store.Member{ID: sub.ID, MemberID: "FAM1001", FamilyID: "FAM1001", Relationship: "18",
			LastName: "TESTSUB", FirstName: "SAM", Middle: "Q", DOB: "19800101", Gender: "M",
			CoverageStart: "20240101", Plan: "PLANA", GroupNumber: "GRP77", CoverageLevel: "FAM", TPA: "SYNTH TPA", Source: "enroll.834",
			CreatedAt: sub.CreatedAt, UpdatedAt: sub.UpdatedAt}
		if !reflect.DeepEqual(*sub, want) {
			t.Fatalf("subscriber =\n%+v\nwant\n%+v", *sub, want)
		}
		if m := member(t, st, "FAM1001", "19", "2", "FAM1001"); m.FirstName != "KIDTWO" || m.DOB != "20120404" {
			t.Fatalf("child 2 = %+v", *m)
		}
		if m := member(t, st, "OTH2002", "18", "", "OTH2002"); m.CoverageEnd != "20240630" || m.Plan != "DEN" {
			t.Fatalf("OTH2002 = %+v", *m)
		}

		res, err = roster.Import834(ctx, st, strings.NewReader(changes834), roster.Opts{Source: "changes.834"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Records != 9 || res.Added != 0 || res.Changed != 1 || res.Termed != 2 || res.Reinstated != 1 || res.Unchanged != 0 {
			t.Fatalf("changes = %+v", res)
		}
		check834Errors(t, changes834, res.Errors, []wantErr{
			{4, "INS*Y*18*021*28*A~\nREF*0F*NEW3003", 0, roster.ErrMissingCoverageStart},
			{5, "INS*Y*18*024*28*A~\nREF*0F*GHOST404", 0, roster.ErrUnknownMember},
			{6, "DMG*D8*19801301*M", 2, roster.ErrBadDate},
			{7, "INS*Y*18*002", 3, roster.ErrMaintenanceType},
			{8, "INS*Y*18*021*28*A~\nNM1*IL*1*BADSUB*BEN", 0, roster.ErrMissingFamilyID},
		})
		if m := member(t, st, "FAM1001", "18", "", "FAM1001"); m.FirstName != "SAMUEL" || m.DOB != "19800101" || m.CoverageStart != "20240101" || m.Source != "changes.834" {
			t.Fatalf("changed subscriber = %+v", *m)
		}
		if m := member(t, st, "FAM1001", "19", "2", "FAM1001"); m.CoverageEnd != "20240331" {
			t.Fatalf("termed child 2 = %+v", *m)
		}
		if m := member(t, st, "FAM1001", "01", "", "FAM1001"); m.CoverageEnd != "20240430" {
			t.Fatalf("spouse termed by HD 024 = %+v", *m)
		}
		if m := member(t, st, "OTH2002", "18", "", "OTH2002"); m.CoverageEnd != "" || m.CoverageStart != "20240101" {
			t.Fatalf("reinstated OTH2002 = %+v", *m)
		}
		if n, _ := st.CountMembers(ctx, store.MemberFilter{}); n != 5 {
			t.Fatalf("members = %d, want 5 (refused records add nobody)", n)
		}
	})
}

var fileOrderTests = []struct {
	name    string
	lines   []string
	end     string // coverage end afterwards
	added   int
	termed  int
	reinst  int
	errs    int
	records int
}{
	{
		name: "add, term, reinstate",
		lines: []string{
			ins("Y", "18", "021", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008", "HD*021**HLT", "DTP*348*D8*20240101",
			ins("Y", "18", "024", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008", "HD*024**HLT", "DTP*349*D8*20240229",
			ins("Y", "18", "025", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008",
		},
		end: "", added: 1, termed: 1, reinst: 1, records: 3,
	},
	{
		name: "reinstate before add is refused, then add and term",
		lines: []string{
			ins("Y", "18", "025", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008",
			ins("Y", "18", "021", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008", "HD*021**HLT", "DTP*348*D8*20240101",
			ins("Y", "18", "024", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008", "HD*024**HLT", "DTP*349*D8*20240229",
		},
		end: "20240229", added: 1, termed: 1, errs: 1, records: 3,
	},
	{
		name: "term without dates ends on the file date",
		lines: []string{
			ins("Y", "18", "021", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008", "HD*021**HLT", "DTP*348*D8*20240101",
			ins("Y", "18", "024", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008",
		},
		end: "20240601", added: 1, termed: 1, records: 2,
	},
	{
		name: "term prefers DTP*357 over DTP*303",
		lines: []string{
			ins("Y", "18", "021", ""), "REF*0F*ORD8008", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008", "HD*021**HLT", "DTP*348*D8*20240101",
			ins("Y", "18", "024", ""), "REF*0F*ORD8008", "DTP*303*D8*20240510", "DTP*357*D8*20240515", "NM1*IL*1*ORDSUB*OLI****ZZ*ORD8008",
		},
		end: "20240515", added: 1, termed: 1, records: 2,
	},
}

func TestImport834FileOrder(t *testing.T) {
	for _, tc := range fileOrderTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachBackend(t, func(t *testing.T, st *store.Store) {
				res, err := roster.Import834(context.Background(), st, strings.NewReader(edi834("2", join(header834, tc.lines)...)), roster.Opts{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Records != tc.records || res.Added != tc.added || res.Termed != tc.termed || res.Reinstated != tc.reinst || len(res.Errors) != tc.errs {
					t.Fatalf("result = %+v", res)
				}
				if m := member(t, st, "ORD8008", "18", "", "ORD8008"); m.CoverageEnd != tc.end {
					t.Fatalf("coverage end = %q, want %q", m.CoverageEnd, tc.end)
				}
			})
		})
	}
}

func TestImport834FullFile(t *testing.T) {
	// The audit file lists the subscriber, spouse and child 1 of FAM1001;
	// child 2 and OTH2002 are absent.
	audit := func(bgn08, maint string) string {
		return edi834(bgn08, join(header834, []string{
			ins("Y", "18", maint, ""), "REF*0F*FAM1001", "NM1*IL*1*TESTSUB*SAM*Q***ZZ*FAM1001", "DMG*D8*19800101*M", "HD*" + maint + "**HLT*PLANA*FAM", "DTP*348*D8*20240101",
			ins("N", "01", maint, ""), "REF*0F*FAM1001", "NM1*IL*1*TESTSUB*SUE", "DMG*D8*19820202*F", "HD*" + maint + "**HLT*PLANA*FAM", "DTP*348*D8*20240101",
			ins("N", "19", maint, "1"), "REF*0F*FAM1001", "NM1*IL*1*TESTSUB*KIDONE", "DMG*D8*20100303*F", "HD*" + maint + "**HLT*PLANA*FAM", "DTP*348*D8*20240101",
		})...)
	}
	other := edi834("2", ins("Y", "18", "021", ""), "REF*0F*ELSE9009", "NM1*IL*1*ELSESUB*EVA****ZZ*ELSE9009", "HD*021**HLT", "DTP*348*D8*20240101")
	tests := []struct {
		name        string
		input       string
		fullReplace bool
		snapshot    bool
		absent      int
	}{
		{"BGN08 RX terms absent members", audit("RX", "030"), true, true, 2},
		{"every INS03 030 is a snapshot too", audit("4", "030"), true, true, 2},
		{"snapshot without FullReplace terms nobody", audit("RX", "030"), false, true, 0},
		{"delta file with FullReplace terms nobody", audit("2", "021"), true, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachBackend(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				if _, err := roster.Import834(ctx, st, strings.NewReader(enroll834), roster.Opts{}); err != nil {
					t.Fatal(err)
				}
				// A member of another TPA is never in scope.
				if _, err := roster.Import834(ctx, st, strings.NewReader(other), roster.Opts{TPA: "OTHER TPA"}); err != nil {
					t.Fatal(err)
				}
				res, err := roster.Import834(ctx, st, strings.NewReader(tc.input), roster.Opts{FullReplace: tc.fullReplace})
				if err != nil {
					t.Fatal(err)
				}
				if res.Snapshot != tc.snapshot || res.AbsentTermed != tc.absent || res.Records != 3 || res.Unchanged != 3 || len(res.Errors) != 0 {
					t.Fatalf("result = %+v", res)
				}
				wantEnd := map[[3]string]string{
					{"FAM1001", "18", ""}: "", {"FAM1001", "01", ""}: "", {"FAM1001", "19", "1"}: "",
					{"FAM1001", "19", "2"}: "", {"OTH2002", "18", ""}: "20240630", {"ELSE9009", "18", ""}: "",
				}
				if tc.absent > 0 {
					// As of the file date (DTP*007); OTH2002 already ended
					// after it, so it is cut back to it.
					wantEnd[[3]string{"FAM1001", "19", "2"}] = "20240601"
					wantEnd[[3]string{"OTH2002", "18", ""}] = "20240601"
				}
				for k, end := range wantEnd {
					if m := member(t, st, k[0], k[1], k[2], k[0]); m.CoverageEnd != end {
						t.Errorf("%v coverage end = %q, want %q", k, m.CoverageEnd, end)
					}
				}
			})
		})
	}
}

func TestImport834MemberIDSource(t *testing.T) {
	input := edi834("2", join(header834, []string{
		ins("Y", "18", "021", ""), "REF*0F*FAM4004", "REF*23*CLIENT77", "NM1*IL*1*SRCSUB*SID****ZZ*ZZID4004", "HD*021**HLT", "DTP*348*D8*20240101",
		ins("N", "19", "021", "1"), "REF*0F*FAM4004", "NM1*IL*1*SRCSUB*SKY****34*999001234", "HD*021**HLT", "DTP*348*D8*20240101",
	})...)
	tests := []struct {
		name    string
		sources []string
		sub     string // subscriber member ID
		child   string // child member ID ("" = refused)
	}{
		{"default: NM109 ZZ, else REF 0F", nil, "ZZID4004", "FAM4004"},
		{"client number", []string{"REF:23"}, "CLIENT77", ""},
		{"client number, else family", []string{"REF:23", "REF:0F"}, "CLIENT77", "FAM4004"},
		{"any NM109", []string{"NM109"}, "ZZID4004", "999001234"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openSQLite(t)
			res, err := roster.Import834(context.Background(), st, strings.NewReader(input), roster.Opts{MemberIDFrom: tc.sources})
			if err != nil {
				t.Fatal(err)
			}
			member(t, st, "FAM4004", "18", "", tc.sub)
			if tc.child == "" {
				if len(res.Errors) != 1 || !errors.Is(&res.Errors[0], roster.ErrMissingMemberID) || res.Errors[0].Record != 2 {
					t.Fatalf("errors = %v, want member record 2 refused for lack of a member id", res.Errors)
				}
				return
			}
			if len(res.Errors) != 0 {
				t.Fatalf("errors = %v", res.Errors)
			}
			member(t, st, "FAM4004", "19", "1", tc.child)
		})
	}
	for _, bad := range [][]string{{"NM1"}, {"REF"}, {"REF:"}, {"DMG:02"}} {
		if _, err := roster.Import834(context.Background(), openSQLite(t), strings.NewReader(input), roster.Opts{MemberIDFrom: bad}); !errors.Is(err, roster.ErrBadOpts) {
			t.Errorf("MemberIDFrom %v err = %v, want ErrBadOpts", bad, err)
		}
	}
}

func TestImport834TwiceIsNoOp(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		first, err := roster.Import834(ctx, st, strings.NewReader(enroll834), roster.Opts{})
		if err != nil || first.Added != 5 {
			t.Fatalf("first = %+v, %v", first, err)
		}
		if _, err := roster.Import834(ctx, st, strings.NewReader(changes834), roster.Opts{}); err != nil {
			t.Fatal(err)
		}
		before, _ := st.ListMembers(ctx, store.MemberFilter{})
		// Applying the enrollment again would undo the changes; it must be
		// recognised and skipped.
		again, err := roster.Import834(ctx, st, onlyReader{strings.NewReader(enroll834)}, roster.Opts{})
		if err != nil || !again.Duplicate || again.ImportID != first.ImportID || again.Added+again.Changed+again.Records != 0 {
			t.Fatalf("second = %+v, %v; want a duplicate of import %d", again, err, first.ImportID)
		}
		after, _ := st.ListMembers(ctx, store.MemberFilter{})
		if !reflect.DeepEqual(before, after) {
			t.Fatal("a duplicate import changed members")
		}
	})
}

func TestImport834NotEnrollment(t *testing.T) {
	st := openSQLite(t)
	inputs := map[string]string{
		"empty":    "",
		"csv text": csvHeader + "SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n",
		"270 only": strings.Replace(edi834("2", "HL*1**20*1"), "ST*834*0001*005010X220A1", "ST*270*0001*005010X279A1", 1),
	}
	for name, in := range inputs {
		res, err := roster.Import834(context.Background(), st, strings.NewReader(in), roster.Opts{})
		if !errors.Is(err, roster.ErrNo834) {
			t.Errorf("%s: err = %v, want ErrNo834", name, err)
		}
		for _, e := range res.Errors {
			assertNoPHI(t, e.Error(), in)
		}
	}
	assertEmpty(t, st)
}

func TestImport834AbortOnError(t *testing.T) {
	st := openSQLite(t)
	_, err := roster.Import834(context.Background(), st, strings.NewReader(changes834), roster.Opts{AbortOnError: true})
	// On an empty roster the first record (a change of a member that is
	// not enrolled, without a coverage begin) is the first refusal.
	var re *roster.RowError
	if !errors.As(err, &re) || re.Record != 1 || !errors.Is(err, roster.ErrUnknownMember) {
		t.Fatalf("err = %v, want member record 1 refused as unknown", err)
	}
	assertEmpty(t, st)
}
