package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// memberTests is the roster suite; it runs against every backend.
var memberTests = []storeTest{
	{"UpsertMemberOutcomes", testUpsertMemberOutcomes},
	{"UpsertMemberValidation", testUpsertMemberValidation},
	{"MemberKeys", testMemberKeys},
	{"MemberLookups", testMemberLookups},
	{"TermMember", testTermMember},
	{"ListAndCountMembers", testListAndCountMembers},
	{"RosterImportIdempotent", testRosterImportIdempotent},
	{"MemberWritesRollBack", testMemberWritesRollBack},
}

func TestMembers(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			for _, tc := range memberTests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					clk := newTestClock()
					url := be.URL(t)
					s := dbtest.Open(t, store.Config{URL: url, Now: clk.Now})
					tc.fn(t, context.Background(), &bundle{s: s, clk: clk, url: url})
				})
			}
		})
	}
}

// synthMember is a made-up subscriber.
func synthMember(id string) store.Member {
	return store.Member{
		MemberID: id, LastName: "TESTLAST", FirstName: "TESTFIRST", DOB: "19800101", Gender: "F",
		CoverageStart: "20240101", Plan: "PPO", GroupNumber: "GRP1", TPA: "TPA ONE", Source: "a.csv",
	}
}

func upsert(t *testing.T, ctx context.Context, q *store.Queries, m store.Member, want store.MemberChange) *store.Member {
	t.Helper()
	got, change, err := q.UpsertMember(ctx, m)
	if err != nil {
		t.Fatalf("UpsertMember: %v", err)
	}
	if change != want {
		t.Fatalf("UpsertMember change = %q, want %q", change, want)
	}
	return got
}

func testUpsertMemberOutcomes(t *testing.T, ctx context.Context, b *bundle) {
	created := b.clk.Now().Truncate(time.Microsecond)
	first := upsert(t, ctx, b.s.Queries, synthMember(" SYN0001 "), store.MemberAdded)
	want := synthMember("SYN0001")
	want.ID, want.FamilyID, want.Relationship = first.ID, "SYN0001", "18"
	want.CreatedAt, want.UpdatedAt = created, created
	if !reflect.DeepEqual(*first, want) {
		t.Fatalf("added row =\n%+v\nwant\n%+v", *first, want)
	}

	// The same values again (from another file): nothing is written.
	b.clk.Advance(time.Hour)
	same := synthMember("SYN0001")
	same.Source = "b.csv"
	if got := upsert(t, ctx, b.s.Queries, same, store.MemberUnchanged); !reflect.DeepEqual(got, first) {
		t.Fatalf("unchanged upsert returned\n%+v\nwant\n%+v", *got, *first)
	}

	// A new coverage end is a change.
	changed := same
	changed.CoverageEnd = "20241231"
	got := upsert(t, ctx, b.s.Queries, changed, store.MemberChanged)
	if got.ID != first.ID || got.CoverageEnd != "20241231" || got.Source != "b.csv" ||
		!got.UpdatedAt.Equal(b.clk.Now().Truncate(time.Microsecond)) || !got.CreatedAt.Equal(created) {
		t.Fatalf("changed row = %+v", *got)
	}
	if n, err := b.s.CountMembers(ctx, store.MemberFilter{}); err != nil || n != 1 {
		t.Fatalf("CountMembers = %d, %v; want 1", n, err)
	}
}

var upsertMemberValidationTests = []struct {
	name  string
	edit  func(m *store.Member)
	field string
}{
	{"empty member id", func(m *store.Member) { m.MemberID = "  " }, "member id"},
	{"bad gender", func(m *store.Member) { m.Gender = "X" }, "gender"},
	{"dob with dashes", func(m *store.Member) { m.DOB = "1980-01-01" }, "dob"},
	{"short coverage start", func(m *store.Member) { m.CoverageStart = "202401" }, "coverage start"},
	{"letters in coverage end", func(m *store.Member) { m.CoverageEnd = "2024123A" }, "coverage end"},
}

func testUpsertMemberValidation(t *testing.T, ctx context.Context, b *bundle) {
	for _, tc := range upsertMemberValidationTests {
		m := synthMember("SYN0001")
		tc.edit(&m)
		_, _, err := b.s.UpsertMember(ctx, m)
		var ie *store.InvalidError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: err = %v, want InvalidError on %q", tc.name, err, tc.field)
			continue
		}
		if ie.Value != "" {
			t.Errorf("%s: error echoes the value %q (PHI)", tc.name, ie.Value)
		}
	}
	if n, err := b.s.CountMembers(ctx, store.MemberFilter{}); err != nil || n != 0 {
		t.Fatalf("CountMembers after refused upserts = %d, %v; want 0", n, err)
	}
}

// testMemberKeys checks that the natural key is (family, relationship,
// birth sequence, member ID): a family sharing one member ID is several
// rows, and the same key is one row.
func testMemberKeys(t *testing.T, ctx context.Context, b *bundle) {
	sub := synthMember("FAM100")
	sub.FamilyID = "FAM100"
	spouse := sub
	spouse.Relationship, spouse.FirstName = "01", "SPOUSEFIRST"
	child1 := sub
	child1.Relationship, child1.BirthSeq, child1.FirstName = "19", "1", "CHILDONE"
	child2 := child1
	child2.BirthSeq, child2.FirstName = "2", "CHILDTWO"
	for _, m := range []store.Member{sub, spouse, child1, child2} {
		upsert(t, ctx, b.s.Queries, m, store.MemberAdded)
	}
	// Changing a name keeps the key: an update, not a new row.
	child2.FirstName = "CHILDTWORENAMED"
	upsert(t, ctx, b.s.Queries, child2, store.MemberChanged)

	ms, err := b.s.FindMembersByID(ctx, "FAM100")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Relationship+"/"+m.BirthSeq+"/"+m.FirstName)
	}
	want := []string{"18//TESTFIRST", "01//SPOUSEFIRST", "19/1/CHILDONE", "19/2/CHILDTWORENAMED"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("family rows = %v, want %v", names, want)
	}
	got, err := b.s.GetMember(ctx, store.MemberKey{FamilyID: "FAM100", Relationship: "19", BirthSeq: "2", MemberID: "FAM100"})
	if err != nil || got.FirstName != "CHILDTWORENAMED" {
		t.Fatalf("GetMember(child 2) = %+v, %v", got, err)
	}
	// An empty relationship in a key means the subscriber.
	if got, err := b.s.GetMember(ctx, store.MemberKey{FamilyID: "FAM100", MemberID: "FAM100"}); err != nil || got.Relationship != "18" {
		t.Fatalf("GetMember(no relationship) = %+v, %v", got, err)
	}
	if _, err := b.s.GetMember(ctx, store.MemberKey{FamilyID: "FAM100", Relationship: "19", BirthSeq: "3", MemberID: "FAM100"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetMember(missing) err = %v, want ErrNotFound", err)
	}
}

func memberIDs(ms []store.Member) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.MemberID)
	}
	return out
}

func testMemberLookups(t *testing.T, ctx context.Context, b *bundle) {
	for _, id := range []string{"ABC123", "abc123", "FAM20001", "FAM20002", "FAM2"} {
		m := synthMember(id)
		if strings.HasPrefix(id, "FAM2") {
			m.FamilyID = "FAM2"
		}
		upsert(t, ctx, b.s.Queries, m, store.MemberAdded)
	}
	lookups := []struct {
		name string
		fn   func(context.Context, string) ([]store.Member, error)
		arg  string
		want []string
	}{
		{"by id exact", b.s.FindMembersByID, "ABC123", []string{"ABC123"}},
		{"by id trims outer spaces", b.s.FindMembersByID, " abc123\t", []string{"abc123"}},
		{"by id is case sensitive", b.s.FindMembersByID, "Abc123", []string{}},
		{"by id empty", b.s.FindMembersByID, "", []string{}},
		{"folded", b.s.FindMembersByFoldedID, "aBc123", []string{"ABC123", "abc123"}},
		{"stem", b.s.FindMembersByIDStem, "FAM200", []string{"FAM20001", "FAM20002"}},
		{"stem needs the whole stem", b.s.FindMembersByIDStem, "FAM20", []string{}},
		{"family", b.s.FindMembersByFamily, "FAM2", []string{"FAM20001", "FAM20002", "FAM2"}},
	}
	for _, l := range lookups {
		ms, err := l.fn(ctx, l.arg)
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		if got := memberIDs(ms); !reflect.DeepEqual(got, l.want) {
			t.Errorf("%s = %v, want %v", l.name, got, l.want)
		}
	}

	// The exact lookup is an index search, not a table scan.
	if b.s.Dialect() == store.DialectSQLite {
		var plan []struct {
			ID     int    `db:"id"`
			Parent int    `db:"parent"`
			NotUse int    `db:"notused"`
			Detail string `db:"detail"`
		}
		if err := b.s.DB().SelectContext(ctx, &plan, `EXPLAIN QUERY PLAN SELECT id FROM members WHERE member_id = ?`, "ABC123"); err != nil {
			t.Fatal(err)
		}
		if len(plan) != 1 || !strings.Contains(plan[0].Detail, "members_member_id_idx") {
			t.Fatalf("query plan = %+v, want a search using members_member_id_idx", plan)
		}
	}
}

var memberIDStemTests = []struct{ id, want string }{
	{"FAM20001", "FAM200"},
	{"ABC12", "ABC"},
	{"A12", "A"},
	{"12", ""},
	{"ABC1", ""},
	{"ABC1X", ""},
	{"", ""},
}

func TestMemberIDStem(t *testing.T) {
	for _, tc := range memberIDStemTests {
		if got := store.MemberIDStem(tc.id); got != tc.want {
			t.Errorf("MemberIDStem(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

var coversTests = []struct {
	name       string
	start, end string
	from, to   string
	want       bool
}{
	{"inside", "20240101", "20241231", "20240601", "20240602", true},
	{"first and last day", "20240101", "20241231", "20240101", "20241231", true},
	{"to defaults to from", "20240101", "20241231", "20241231", "", true},
	{"before start", "20240101", "20241231", "20231231", "20240101", false},
	{"after end", "20240101", "20241231", "20241230", "20250101", false},
	{"open ended", "20240101", "", "20990101", "20990101", true},
	{"no start", "", "20241231", "19000101", "19000101", true},
}

func TestMemberCovers(t *testing.T) {
	for _, tc := range coversTests {
		m := store.Member{CoverageStart: tc.start, CoverageEnd: tc.end}
		if got := m.Covers(tc.from, tc.to); got != tc.want {
			t.Errorf("%s: Covers(%s, %s) = %v, want %v", tc.name, tc.from, tc.to, got, tc.want)
		}
	}
}

func testTermMember(t *testing.T, ctx context.Context, b *bundle) {
	m := upsert(t, ctx, b.s.Queries, synthMember("SYN0001"), store.MemberAdded)
	key := m.Key()
	b.clk.Advance(time.Minute)
	changed, err := b.s.TermMember(ctx, key, "20240630")
	if err != nil || !changed {
		t.Fatalf("TermMember = %v, %v; want changed", changed, err)
	}
	got, err := b.s.GetMember(ctx, key)
	if err != nil || got.CoverageEnd != "20240630" || !got.UpdatedAt.Equal(b.clk.Now().Truncate(time.Microsecond)) {
		t.Fatalf("after TermMember: %+v, %v", got, err)
	}
	if changed, err := b.s.TermMember(ctx, key, "20240630"); err != nil || changed {
		t.Fatalf("TermMember(same date) = %v, %v; want unchanged", changed, err)
	}
	if changed, err := b.s.TermMember(ctx, key, "20240531"); err != nil || !changed {
		t.Fatalf("TermMember(earlier date) = %v, %v; want changed", changed, err)
	}
	if _, err := b.s.TermMember(ctx, store.MemberKey{FamilyID: "NOPE", MemberID: "NOPE"}, "20240630"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("TermMember(unknown) err = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "2024-06-30"} {
		if _, err := b.s.TermMember(ctx, key, bad); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("TermMember(%q) err = %v, want ErrInvalid", bad, err)
		}
	}
}

func testListAndCountMembers(t *testing.T, ctx context.Context, b *bundle) {
	rows := []struct {
		id, tpa, end string
	}{
		{"M1", "TPA ONE", ""},
		{"M2", "TPA ONE", "20240331"},
		{"M3", "TPA ONE", "20240630"},
		{"M4", "TPA TWO", ""},
		{"M5", "", ""},
	}
	for _, r := range rows {
		m := synthMember(r.id)
		m.TPA, m.CoverageEnd = r.tpa, r.end
		upsert(t, ctx, b.s.Queries, m, store.MemberAdded)
	}
	filters := []struct {
		name string
		f    store.MemberFilter
		want []string
	}{
		{"all", store.MemberFilter{}, []string{"M1", "M2", "M3", "M4", "M5"}},
		{"one tpa", store.MemberFilter{TPA: "TPA ONE"}, []string{"M1", "M2", "M3"}},
		{"no tpa", store.MemberFilter{ByTPA: true}, []string{"M5"}},
		{"active on", store.MemberFilter{TPA: "TPA ONE", ActiveOn: "20240401"}, []string{"M1", "M3"}},
		{"active on the last day", store.MemberFilter{TPA: "TPA ONE", ActiveOn: "20240331"}, []string{"M1", "M2", "M3"}},
	}
	for _, tc := range filters {
		ms, err := b.s.ListMembers(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := memberIDs(ms); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ListMembers(%s) = %v, want %v", tc.name, got, tc.want)
		}
		n, err := b.s.CountMembers(ctx, tc.f)
		if err != nil || n != int64(len(tc.want)) {
			t.Errorf("CountMembers(%s) = %d, %v; want %d", tc.name, n, err, len(tc.want))
		}
	}
	// Paging by ID.
	var pages []string
	var after int64
	for {
		ms, err := b.s.ListMembers(ctx, store.MemberFilter{AfterID: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			break
		}
		pages = append(pages, strings.Join(memberIDs(ms), ","))
		after = ms[len(ms)-1].ID
	}
	if want := []string{"M1,M2", "M3,M4", "M5"}; !reflect.DeepEqual(pages, want) {
		t.Fatalf("pages = %v, want %v", pages, want)
	}
	if _, err := b.s.ListMembers(ctx, store.MemberFilter{ActiveOn: "2024-04-01"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("ListMembers(bad date) err = %v, want ErrInvalid", err)
	}
}

func testRosterImportIdempotent(t *testing.T, ctx context.Context, b *bundle) {
	if _, err := b.s.GetRosterImport(ctx, sum("roster-1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetRosterImport(missing) err = %v, want ErrNotFound", err)
	}
	in := store.RosterImport{Source: "roster.csv", SHA256: strings.ToUpper(sum("roster-1")), Format: store.RosterCSV,
		Added: 3, Changed: 2, Termed: 1, Reinstated: 0, Unchanged: 7, Errors: 1}
	first, created, err := b.s.RecordRosterImport(ctx, in)
	if err != nil || !created {
		t.Fatalf("first RecordRosterImport = %v, %v; want created", created, err)
	}
	want := in
	want.ID, want.SHA256, want.ImportedAt = first.ID, sum("roster-1"), b.clk.Now().Truncate(time.Microsecond)
	if !reflect.DeepEqual(*first, want) {
		t.Fatalf("recorded =\n%+v\nwant\n%+v", *first, want)
	}
	b.clk.Advance(time.Hour)
	again := in
	again.Source, again.Added = "renamed.csv", 99
	second, created, err := b.s.RecordRosterImport(ctx, again)
	if err != nil || created || !reflect.DeepEqual(second, first) {
		t.Fatalf("second RecordRosterImport = %+v, %v, %v; want the first row, not created", second, created, err)
	}
	got, err := b.s.GetRosterImport(ctx, sum("roster-1"))
	if err != nil || !reflect.DeepEqual(got, first) {
		t.Fatalf("GetRosterImport = %+v, %v", got, err)
	}
	other, created, err := b.s.RecordRosterImport(ctx, store.RosterImport{Source: "r.834", SHA256: sum("roster-2"), Format: store.Roster834})
	if err != nil || !created {
		t.Fatalf("other RecordRosterImport = %v, %v", created, err)
	}
	list, err := b.s.ListRosterImports(ctx, 0)
	if err != nil || len(list) != 2 || list[0].ID != other.ID || list[1].ID != first.ID {
		t.Fatalf("ListRosterImports = %+v, %v; want newest first", list, err)
	}
	for _, bad := range []store.RosterImport{
		{SHA256: "abc", Format: store.RosterCSV},
		{SHA256: sum("x"), Format: "xlsx"},
	} {
		if _, _, err := b.s.RecordRosterImport(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("RecordRosterImport(%+v) err = %v, want ErrInvalid", bad, err)
		}
	}
}

func testMemberWritesRollBack(t *testing.T, ctx context.Context, b *bundle) {
	boom := errors.New("boom")
	err := b.s.InTx(ctx, func(tx *store.Tx) error {
		upsert(t, ctx, tx.Queries, synthMember("SYN0001"), store.MemberAdded)
		if _, _, err := tx.RecordRosterImport(ctx, store.RosterImport{SHA256: sum("r"), Format: store.RosterCSV}); err != nil {
			return err
		}
		// Visible inside the transaction.
		if ms, err := tx.FindMembersByID(ctx, "SYN0001"); err != nil || len(ms) != 1 {
			t.Errorf("FindMembersByID in tx = %d rows, %v", len(ms), err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx err = %v, want boom", err)
	}
	if n, err := b.s.CountMembers(ctx, store.MemberFilter{}); err != nil || n != 0 {
		t.Fatalf("members after rollback = %d, %v; want 0", n, err)
	}
	if _, err := b.s.GetRosterImport(ctx, sum("r")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("roster import after rollback err = %v, want ErrNotFound", err)
	}
}
