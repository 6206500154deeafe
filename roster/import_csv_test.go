package roster_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

const csvHeader = "member_id,last_name,first_name,dob,gender,coverage_start,coverage_end,plan,group,tpa\n"

// wantRowError is an expected refused CSV row.
type wantRowError struct {
	line   int
	column string
	err    error
}

type csvTest struct {
	name  string
	input string
	// counts: Records, Added, Changed, Unchanged
	records, added int
	errs           []wantRowError
	// check inspects the store afterwards (optional).
	check func(t *testing.T, st *store.Store)
}

var csvTests = []csvTest{
	{
		name: "both date formats and optional columns",
		input: csvHeader +
			"SYN0000001,ALPHA,ADAM,1980-02-29,M,2024-01-01,2024-12-31,PPO,GRP1,TPA ONE\n" +
			"SYN0000002,BETA,BELLA,19900115,F,20240101,,HMO,GRP2,TPA ONE\n",
		records: 2, added: 2,
		check: func(t *testing.T, st *store.Store) {
			got := member(t, st, "SYN0000001", "18", "", "SYN0000001")
			want := store.Member{ID: got.ID, MemberID: "SYN0000001", FamilyID: "SYN0000001", Relationship: "18",
				LastName: "ALPHA", FirstName: "ADAM", DOB: "19800229", Gender: "M", CoverageStart: "20240101",
				CoverageEnd: "20241231", Plan: "PPO", GroupNumber: "GRP1", TPA: "TPA ONE", Source: "test.csv",
				CreatedAt: got.CreatedAt, UpdatedAt: got.UpdatedAt}
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("row =\n%+v\nwant\n%+v", *got, want)
			}
			if m := member(t, st, "SYN0000002", "18", "", "SYN0000002"); m.CoverageEnd != "" || m.DOB != "19900115" {
				t.Fatalf("open-ended row = %+v", *m)
			}
		},
	},
	{
		name: "columns in another order, required only, case and spaces of ids kept",
		input: "coverage_start,dob,first_name,last_name,member_id\n" +
			"2024-03-01,1970-07-04,Carl , Gamma,  syn00000ab  \n",
		records: 1, added: 1,
		check: func(t *testing.T, st *store.Store) {
			m := member(t, st, "syn00000ab", "18", "", "syn00000ab")
			if m.LastName != "Gamma" || m.FirstName != "Carl" || m.TPA != "" || m.Gender != "" {
				t.Fatalf("row = %+v", *m)
			}
		},
	},
	{
		name:    "utf-8 bom before the header",
		input:   "\ufeff" + csvHeader + "SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n",
		records: 1, added: 1,
	},
	{
		name: "bad rows are skipped and reported with line and column",
		input: csvHeader +
			"SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n" + // line 2
			",BETA,BELLA,1990-01-15,F,2024-01-01,,HMO,GRP2,TPA ONE\n" + // 3: no id
			"SYN0000003,GAMMA,CARL,1990-02-30,M,2024-01-01,,HMO,GRP2,TPA ONE\n" + // 4: Feb 30
			"SYN0000004,DELTA,DORA,1990-01-15,X,2024-01-01,,HMO,GRP2,TPA ONE\n" + // 5: gender
			"SYN0000005,EPS,ED,1990-01-15,M,2024-06-01,2024-05-31,HMO,GRP2,TPA ONE\n" + // 6: end < start
			"SYN0000006,ZETA,ZOE,1990-01-15,F,01/01/2024,,HMO,GRP2,TPA ONE\n" + // 7: date format
			"SYN0000007,ETA,EVE,1990-01-15,F,2024-01-01\n" + // 8: field count
			"SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n" + // 9: listed twice
			"SYN0000008,THETA,\"TH\"EO,1990-01-15,M,2024-01-01,,HMO,GRP2,TPA ONE\n" + // 10: bare quote
			"SYN0000009,IOTA,IAN,,M,2024-01-01,,HMO,GRP2,TPA ONE\n" + // 11: no dob
			"SYN0000010,KAPPA,KIM,1990-01-15,F,2024-01-01,,HMO,GRP2,TPA ONE\n", // 12: fine
		records: 11, added: 2,
		errs: []wantRowError{
			{3, "member_id", roster.ErrRequired},
			{4, "dob", roster.ErrBadDate},
			{5, "gender", roster.ErrBadGender},
			{6, "coverage_end", roster.ErrCoverageOrder},
			{7, "coverage_start", roster.ErrBadDate},
			{8, "", roster.ErrFieldCount},
			{9, "member_id", roster.ErrDuplicateMember},
			{10, "", roster.ErrCSVSyntax},
			{11, "dob", roster.ErrRequired},
		},
	},
}

func TestImportCSV(t *testing.T) {
	for _, tc := range csvTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachBackend(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				res, err := roster.ImportCSV(ctx, st, strings.NewReader(tc.input), roster.Opts{Source: "test.csv"})
				if err != nil {
					t.Fatalf("ImportCSV: %v", err)
				}
				if res.Records != tc.records || res.Added != tc.added {
					t.Fatalf("records %d added %d, want %d and %d (result %+v)", res.Records, res.Added, tc.records, tc.added, res)
				}
				if got := res.Added + res.Changed + res.Unchanged + len(res.Errors); got != res.Records {
					t.Fatalf("outcomes add up to %d, want Records %d", got, res.Records)
				}
				if len(res.Errors) != len(tc.errs) {
					t.Fatalf("errors = %v, want %d", res.Errors, len(tc.errs))
				}
				for i, w := range tc.errs {
					e := res.Errors[i]
					var ce *roster.CSVError
					if e.Line != w.line || e.Column != w.column || !errors.Is(e.Err, w.err) || !errors.As(e.Err, &ce) || ce.Line != w.line {
						t.Errorf("error %d = line %d column %q %v; want line %d column %q %v", i, e.Line, e.Column, e.Err, w.line, w.column, w.err)
					}
					assertNoPHI(t, e.Error(), tc.input)
				}
				if tc.check != nil {
					tc.check(t, st)
				}
			})
		})
	}
}

// assertNoPHI fails when msg contains any CSV field value or X12 element
// value of input longer than 3 characters (names, IDs, dates).
func assertNoPHI(t *testing.T, msg, input string) {
	t.Helper()
	for _, f := range strings.FieldsFunc(input, func(r rune) bool { return strings.ContainsRune(",\n*~:", r) }) {
		f = strings.TrimSpace(f)
		if len(f) > 3 && strings.Contains(msg, f) && !knownWord(f) {
			t.Errorf("error message %q contains input value %q", msg, f)
		}
	}
}

// knownWord lists column names, segment tags and codes that may appear in
// messages.
func knownWord(s string) bool {
	for _, w := range append(roster.CSVColumns, "roster", "csv") {
		if s == w {
			return true
		}
	}
	return false
}

var csvHeaderTests = []struct {
	name   string
	input  string
	column string
	err    error
}{
	{"empty input", "", "", roster.ErrNoHeader},
	{"data instead of header", "SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01\n", "#1", roster.ErrUnknownColumn},
	{"unknown column", "member_id,last_name,first_name,dob,coverage_start,ssn\n", "#6", roster.ErrUnknownColumn},
	{"duplicate column", "member_id,last_name,first_name,dob,coverage_start,dob\n", "dob", roster.ErrDuplicateColumn},
	{"missing required column", "member_id,last_name,first_name,coverage_start\n", "dob", roster.ErrMissingColumn},
	{"header names are case sensitive", "MEMBER_ID,last_name,first_name,dob,coverage_start\n", "#1", roster.ErrUnknownColumn},
}

func TestImportCSVHeader(t *testing.T) {
	st := openSQLite(t)
	ctx := context.Background()
	for _, tc := range csvHeaderTests {
		t.Run(tc.name, func(t *testing.T) {
			input := tc.input + "SYN0000001,ALPHA,ADAM,1980-01-01,2024-01-01,X\n"
			if tc.input == "" {
				input = ""
			}
			res, err := roster.ImportCSV(ctx, st, strings.NewReader(input), roster.Opts{})
			var ce *roster.CSVError
			if !errors.As(err, &ce) || ce.Line != 1 || ce.Column != tc.column || !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want CSVError line 1 column %q %v", err, tc.column, tc.err)
			}
			assertNoPHI(t, err.Error(), input)
			if res.ImportID != 0 {
				t.Fatalf("failed import recorded as %d", res.ImportID)
			}
			assertEmpty(t, st)
		})
	}
}

// assertEmpty fails when the store holds members or roster imports.
func assertEmpty(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	if n, err := st.CountMembers(ctx, store.MemberFilter{}); err != nil || n != 0 {
		t.Fatalf("members = %d, %v; want none", n, err)
	}
	if l, err := st.ListRosterImports(ctx, 0); err != nil || len(l) != 0 {
		t.Fatalf("roster imports = %+v, %v; want none", l, err)
	}
}

func TestImportCSVAbortOnError(t *testing.T) {
	st := openSQLite(t)
	input := csvHeader +
		"SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n" +
		"SYN0000002,BETA,BELLA,1990-13-01,F,2024-01-01,,HMO,GRP2,TPA ONE\n"
	_, err := roster.ImportCSV(context.Background(), st, strings.NewReader(input), roster.Opts{AbortOnError: true})
	var re *roster.RowError
	if !errors.As(err, &re) || re.Line != 3 || re.Column != "dob" || !errors.Is(err, roster.ErrBadDate) {
		t.Fatalf("err = %v, want RowError line 3 dob ErrBadDate", err)
	}
	assertEmpty(t, st)
}

// onlyReader hides io.Seeker, so the import cannot hash ahead.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestImportCSVTwiceIsNoOp(t *testing.T) {
	input := csvHeader +
		"SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n" +
		"SYN0000002,BETA,BELLA,1990-01-15,F,2024-01-01,2024-06-30,HMO,GRP2,TPA ONE\n"
	sum := sha256.Sum256([]byte(input))
	digest := hex.EncodeToString(sum[:])
	readers := []struct {
		name string
		r    func() io.Reader
	}{
		{"seekable", func() io.Reader { return bytes.NewReader([]byte(input)) }},
		{"stream", func() io.Reader { return onlyReader{strings.NewReader(input)} }},
	}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			t.Parallel()
			forEachBackend(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				first, err := roster.ImportCSV(ctx, st, rd.r(), roster.Opts{Source: "r.csv", FullReplace: true, FileDate: "20240615"})
				if err != nil || first.Duplicate || first.Added != 2 || first.SHA256 != digest || first.ImportID == 0 {
					t.Fatalf("first import = %+v, %v", first, err)
				}
				before, _ := st.ListMembers(ctx, store.MemberFilter{})
				again, err := roster.ImportCSV(ctx, st, rd.r(), roster.Opts{Source: "renamed.csv", FullReplace: true, FileDate: "20240701"})
				if err != nil {
					t.Fatal(err)
				}
				want := roster.ImportResult{Format: store.RosterCSV, ImportID: again.ImportID, SHA256: digest, Duplicate: true}
				if !reflect.DeepEqual(again, want) || again.ImportID == 0 {
					t.Fatalf("second import = %+v, want %+v", again, want)
				}
				after, _ := st.ListMembers(ctx, store.MemberFilter{})
				if !reflect.DeepEqual(before, after) {
					t.Fatalf("members changed by a duplicate import:\n%+v\n%+v", before, after)
				}
				if l, _ := st.ListRosterImports(ctx, 0); len(l) != 1 {
					t.Fatalf("roster imports = %d, want 1", len(l))
				}
			})
		})
	}
}

func TestImportCSVChecksumMismatch(t *testing.T) {
	st := openSQLite(t)
	input := csvHeader + "SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n"
	_, err := roster.ImportCSV(context.Background(), st, strings.NewReader(input),
		roster.Opts{SHA256: strings.Repeat("ab", 32)})
	if !errors.Is(err, roster.ErrChecksumMismatch) {
		t.Fatalf("err = %v, want ErrChecksumMismatch", err)
	}
	assertEmpty(t, st)
	if _, err := roster.ImportCSV(context.Background(), st, strings.NewReader(input), roster.Opts{SHA256: "xyz"}); !errors.Is(err, roster.ErrBadOpts) {
		t.Fatalf("bad SHA256 option err = %v, want ErrBadOpts", err)
	}
	if _, err := roster.ImportCSV(context.Background(), st, strings.NewReader(input), roster.Opts{FileDate: "2024-06-01"}); !errors.Is(err, roster.ErrBadOpts) {
		t.Fatalf("bad FileDate option err = %v, want ErrBadOpts", err)
	}
}

func TestImportCSVFullReplace(t *testing.T) {
	first := csvHeader +
		"SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n" +
		"SYN0000002,BETA,BELLA,1990-01-15,F,2024-01-01,,PPO,GRP1,TPA ONE\n" +
		"SYN0000003,GAMMA,CARL,1970-01-01,M,2024-01-01,2024-03-31,PPO,GRP1,TPA ONE\n" + // ended before
		"SYN0000004,DELTA,DORA,1975-01-01,F,2024-01-01,2024-12-31,PPO,GRP1,TPA ONE\n" + // ends later
		"SYN0000005,EPS,ED,1985-01-01,M,2024-01-01,,HMO,GRP9,TPA TWO\n" // other TPA
	// The snapshot of TPA ONE lists member 1 only.
	snapshot := csvHeader + "SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n"
	forEachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := roster.ImportCSV(ctx, st, strings.NewReader(first), roster.Opts{}); err != nil {
			t.Fatal(err)
		}
		// Without FullReplace the same content is a plain upsert.
		delta, err := roster.ImportCSV(ctx, st, strings.NewReader(snapshot+"\n"), roster.Opts{})
		if err != nil || delta.Snapshot || delta.AbsentTermed != 0 || delta.Unchanged != 1 {
			t.Fatalf("delta import = %+v, %v", delta, err)
		}
		// A snapshot with a refused row terms nobody.
		bad, err := roster.ImportCSV(ctx, st, strings.NewReader(snapshot+"SYN0000009,X,Y,bad,M,2024-01-01,,PPO,GRP1,TPA ONE\n"),
			roster.Opts{FullReplace: true, FileDate: "20240615"})
		if err != nil || !bad.Snapshot || !bad.AbsentSkipped || bad.AbsentTermed != 0 {
			t.Fatalf("snapshot with errors = %+v, %v", bad, err)
		}
		res, err := roster.ImportCSV(ctx, st, strings.NewReader(snapshot), roster.Opts{FullReplace: true, FileDate: "20240615"})
		if err != nil || !res.Snapshot || res.AbsentSkipped || res.AbsentTermed != 2 || res.Unchanged != 1 || res.FileDate != "20240615" {
			t.Fatalf("snapshot import = %+v, %v; want members 2 and 4 termed", res, err)
		}
		wantEnd := map[string]string{
			"SYN0000001": "", "SYN0000002": "20240615", "SYN0000003": "20240331",
			"SYN0000004": "20240615", "SYN0000005": "",
		}
		for id, end := range wantEnd {
			if m := member(t, st, id, "18", "", id); m.CoverageEnd != end {
				t.Errorf("%s coverage end = %q, want %q", id, m.CoverageEnd, end)
			}
		}
		ri, err := st.GetRosterImport(ctx, res.SHA256)
		if err != nil || ri.Termed != 2 || ri.Unchanged != 1 || ri.Format != store.RosterCSV {
			t.Fatalf("recorded import = %+v, %v", ri, err)
		}
	})
}

func TestImportCSVTPAOverride(t *testing.T) {
	st := openSQLite(t)
	input := csvHeader + "SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n"
	if _, err := roster.ImportCSV(context.Background(), st, strings.NewReader(input), roster.Opts{TPA: "OVERRIDE"}); err != nil {
		t.Fatal(err)
	}
	if m := member(t, st, "SYN0000001", "18", "", "SYN0000001"); m.TPA != "OVERRIDE" || m.Source != "csv" {
		t.Fatalf("row = %+v", *m)
	}
}

// TestImportCSVCoverageColumns: the optional coverage_level and
// insurance_type columns (271 EB02 and EB04) are stored, and a change of
// either alone updates the member.
func TestImportCSVCoverageColumns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		in := "member_id,last_name,first_name,dob,coverage_start,plan,coverage_level,insurance_type\n" +
			"SYN7000001,GAMMA,GIL,1970-03-03,2026-01-01,GOLD PPO,FAM,PR\n" +
			"SYN7000002,DELTA,DAN,1975-07-07,2026-01-01,,,\n"
		res, err := roster.ImportCSV(ctx, st, strings.NewReader(in), roster.Opts{Source: "cov.csv"})
		if err != nil || res.Added != 2 || len(res.Errors) != 0 {
			t.Fatalf("import: %+v %v", res, err)
		}
		m := member(t, st, "SYN7000001", "18", "", "SYN7000001")
		if m.CoverageLevel != "FAM" || m.InsuranceType != "PR" || m.Plan != "GOLD PPO" {
			t.Fatalf("member %+v", m)
		}
		if m := member(t, st, "SYN7000002", "18", "", "SYN7000002"); m.CoverageLevel != "" || m.InsuranceType != "" {
			t.Fatalf("member without the columns %+v", m)
		}
		res, err = roster.ImportCSV(ctx, st, strings.NewReader(strings.Replace(in, ",FAM,PR", ",IND,PR", 1)), roster.Opts{Source: "cov2.csv"})
		if err != nil || res.Changed != 1 || res.Unchanged != 1 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		if m := member(t, st, "SYN7000001", "18", "", "SYN7000001"); m.CoverageLevel != "IND" {
			t.Fatalf("coverage level after the change: %q", m.CoverageLevel)
		}
	})
}
