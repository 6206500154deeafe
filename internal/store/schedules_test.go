package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// scheduleTests is the schedule and contract suite; it runs against every
// backend.
var scheduleTests = []storeTest{
	{"ImportScheduleVersions", testImportScheduleVersions},
	{"ImportScheduleBulkRoundTrip", testImportScheduleBulkRoundTrip},
	{"ImportScheduleKindsAreSeparate", testImportScheduleKindsAreSeparate},
	{"ImportScheduleValidation", testImportScheduleValidation},
	{"ImportScheduleRollsBack", testImportScheduleRollsBack},
	{"SaveContractsVersions", testSaveContractsVersions},
}

func TestSchedules(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			for _, tc := range scheduleTests {
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

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// feeRows is a small synthetic fee schedule (HCPCS Level II and invented
// codes).
func feeRows(amount int64) []store.ScheduleRow {
	return []store.ScheduleRow{
		{Line: 2, Code: "A0428", AmountCents: amount, EffectiveFrom: "20260101"},
		{Line: 3, Code: "A0428", AmountCents: amount - 1000, EffectiveFrom: "20250101", EffectiveTo: "20251231"},
		{Line: 4, Code: "E0114", Modifier: "RR", AmountCents: 1250},
		{Line: 5, Code: "ZZ001", POS: "22", AmountCents: 12000, EffectiveFrom: "20240101"},
	}
}

func importSchedule(t *testing.T, ctx context.Context, q *store.Queries, imp store.ScheduleImport, want store.VersionChange) *store.ScheduleInfo {
	t.Helper()
	info, change, err := q.ImportSchedule(ctx, imp)
	if err != nil {
		t.Fatalf("ImportSchedule %s: %v", imp.Name, err)
	}
	if change != want {
		t.Fatalf("ImportSchedule %s change = %q, want %q", imp.Name, change, want)
	}
	return info
}

func loadRows(t *testing.T, ctx context.Context, q *store.Queries, kind store.ScheduleKind, name string) (*store.ScheduleInfo, []store.ScheduleRow) {
	t.Helper()
	info, rows, err := q.LoadSchedule(ctx, kind, name)
	if err != nil {
		t.Fatalf("LoadSchedule %s %s: %v", kind, name, err)
	}
	return info, rows
}

func testImportScheduleVersions(t *testing.T, ctx context.Context, b *bundle) {
	q := b.s.Queries
	v1 := store.ScheduleImport{Kind: store.ScheduleFee, Name: "fee_prof", SourceName: "fee_prof.csv",
		SHA256: digest("v1"), Rows: feeRows(32500)}
	imported := b.clk.Now().Truncate(time.Microsecond)
	first := importSchedule(t, ctx, q, v1, store.VersionCreated)
	want := store.ScheduleInfo{ID: first.ID, Kind: store.ScheduleFee, Name: "fee_prof", Version: 1,
		SHA256: digest("v1"), SourceName: "fee_prof.csv", RowCount: 4, Active: true, ImportedAt: imported}
	if !reflect.DeepEqual(*first, want) {
		t.Fatalf("first import =\n%+v\nwant\n%+v", *first, want)
	}
	info, rows := loadRows(t, ctx, q, store.ScheduleFee, "fee_prof")
	if !reflect.DeepEqual(*info, want) || !reflect.DeepEqual(rows, feeRows(32500)) {
		t.Fatalf("loaded %+v\n%+v", *info, rows)
	}

	// The same content again, even from a renamed file: nothing written.
	b.clk.Advance(time.Hour)
	again := v1
	again.SourceName = "copy.csv"
	if got := importSchedule(t, ctx, q, again, store.VersionUnchanged); !reflect.DeepEqual(*got, want) {
		t.Fatalf("re-import returned %+v, want %+v", *got, want)
	}

	// Changed content under the same name: version 2, active; v1 kept.
	v2 := v1
	v2.SHA256, v2.Rows = digest("v2"), feeRows(33000)
	second := importSchedule(t, ctx, q, v2, store.VersionCreated)
	if second.Version != 2 || !second.Active || second.ID == first.ID || !second.ImportedAt.Equal(imported.Add(time.Hour)) {
		t.Fatalf("second import = %+v", *second)
	}
	if _, rows := loadRows(t, ctx, q, store.ScheduleFee, "fee_prof"); rows[0].AmountCents != 33000 {
		t.Fatalf("active rows after v2: %+v", rows)
	}
	if old, err := q.ScheduleRows(ctx, first.ID); err != nil || !reflect.DeepEqual(old, feeRows(32500)) {
		t.Fatalf("v1 rows after v2 = %+v, %v", old, err)
	}

	// The v1 file again: v1 becomes active again, no third version.
	back := importSchedule(t, ctx, q, v1, store.VersionReactivated)
	if back.ID != first.ID || back.Version != 1 || !back.Active {
		t.Fatalf("reactivated = %+v", *back)
	}
	if _, rows := loadRows(t, ctx, q, store.ScheduleFee, "fee_prof"); rows[0].AmountCents != 32500 {
		t.Fatalf("active rows after rollback: %+v", rows)
	}

	list, err := q.ListSchedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Version != 2 || list[0].Active || list[1].Version != 1 || !list[1].Active {
		t.Fatalf("ListSchedules = %+v", list)
	}

	if _, err := q.ActiveSchedule(ctx, store.ScheduleFee, "no_such"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ActiveSchedule(no_such) = %v, want ErrNotFound", err)
	}
	if rows, err := q.ScheduleRows(ctx, 999999); err != nil || len(rows) != 0 {
		t.Fatalf("ScheduleRows(unknown) = %v, %v", rows, err)
	}
}

// testImportScheduleBulkRoundTrip stores more rows than one INSERT batch
// carries, with every column of every kind filled, and reads them back
// unchanged and in order.
func testImportScheduleBulkRoundTrip(t *testing.T, ctx context.Context, b *bundle) {
	q := b.s.Queries
	var rvu []store.ScheduleRow
	for i := range 1203 {
		rvu = append(rvu, store.ScheduleRow{Line: i + 2, Code: fmt.Sprintf("ZZ%04d", 1203-i), Modifier: "26",
			Work: int64(i), PE: int64(i) * 2, PEFacility: int64(i) * 3, MP: 999_999_999 - int64(i),
			EffectiveFrom: "20260101", EffectiveTo: "99991231"})
	}
	kinds := []struct {
		kind store.ScheduleKind
		rows []store.ScheduleRow
	}{
		{store.ScheduleRBRVS, rvu},
		{store.ScheduleFee, []store.ScheduleRow{{Line: 9, Code: "G0008", Modifier: "KX", POS: "11", AmountCents: 999_999_999_999_999, EffectiveTo: "20261231"}}},
		{store.ScheduleGPCI, []store.ScheduleRow{{Code: "01", Work: 10000, PE: 9650, MP: 5520}}},
		{store.SchedulePerDiem, []store.ScheduleRow{{Code: "0120", AmountCents: 185000, EffectiveFrom: "20260101"}}},
		{store.ScheduleDRG, []store.ScheduleRow{{Code: "470", Weight: 19125, EffectiveFrom: "20251001"}}},
		{store.ScheduleCaseRate, []store.ScheduleRow{{Code: "ZZ009", AmountCents: 250000}}},
	}
	for _, k := range kinds {
		info := importSchedule(t, ctx, q, store.ScheduleImport{Kind: k.kind, Name: "s-" + string(k.kind),
			SHA256: digest(string(k.kind)), Rows: k.rows}, store.VersionCreated)
		if info.RowCount != len(k.rows) {
			t.Errorf("%s: RowCount %d, want %d", k.kind, info.RowCount, len(k.rows))
		}
		_, got := loadRows(t, ctx, q, k.kind, "s-"+string(k.kind))
		if !reflect.DeepEqual(got, k.rows) {
			t.Errorf("%s rows differ after the round trip (%d stored, %d read)", k.kind, len(k.rows), len(got))
		}
	}
}

func testImportScheduleKindsAreSeparate(t *testing.T, ctx context.Context, b *bundle) {
	q := b.s.Queries
	fee := importSchedule(t, ctx, q, store.ScheduleImport{Kind: store.ScheduleFee, Name: "alliance",
		SHA256: digest("fee"), Rows: feeRows(100)}, store.VersionCreated)
	// The same name and even the same digest under another kind is
	// another schedule.
	cr := importSchedule(t, ctx, q, store.ScheduleImport{Kind: store.ScheduleCaseRate, Name: "alliance",
		SHA256: digest("fee"), Rows: []store.ScheduleRow{{Code: "470", AmountCents: 1450000}}}, store.VersionCreated)
	if cr.ID == fee.ID || cr.Version != 1 || !cr.Active {
		t.Fatalf("case rate import = %+v", *cr)
	}
	if info, _ := loadRows(t, ctx, q, store.ScheduleFee, "alliance"); info.ID != fee.ID || !info.Active {
		t.Fatalf("fee schedule after case rate import = %+v", *info)
	}
	if _, err := q.ActiveSchedule(ctx, store.ScheduleDRG, "alliance"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("drg alliance = %v, want ErrNotFound", err)
	}
}

var scheduleValidationTests = []struct {
	name  string
	mod   func(*store.ScheduleImport)
	field string
}{
	{"unknown kind", func(i *store.ScheduleImport) { i.Kind = "rvu" }, "schedule kind"},
	{"empty name", func(i *store.ScheduleImport) { i.Name = "" }, "schedule name"},
	{"name with a space", func(i *store.ScheduleImport) { i.Name = "fee 2026" }, "schedule name"},
	{"source name with a path", func(i *store.ScheduleImport) { i.SourceName = "dir/fee.csv" }, "source name"},
	{"short digest", func(i *store.ScheduleImport) { i.SHA256 = "abc" }, "sha256"},
	{"no rows", func(i *store.ScheduleImport) { i.Rows = nil }, "schedule rows"},
	{"empty code", func(i *store.ScheduleImport) { i.Rows[1].Code = "" }, "row 2 code"},
	{"bad date", func(i *store.ScheduleImport) { i.Rows[0].EffectiveFrom = "2026-01-01" }, "row 1 effective_from"},
	{"range reversed", func(i *store.ScheduleImport) { i.Rows[1].EffectiveFrom = "20260101" }, "row 2 effective_to"},
	{"weight on a fee row", func(i *store.ScheduleImport) { i.Rows[2].Weight = 1 }, "row 3 weight"},
	{"dates on a gpci row", func(i *store.ScheduleImport) {
		i.Kind = store.ScheduleGPCI
		i.Rows = []store.ScheduleRow{{Code: "01", Work: 10000, EffectiveTo: "20261231"}}
	}, "row 1 effective_to"},
	{"pos on an rbrvs row", func(i *store.ScheduleImport) {
		i.Kind = store.ScheduleRBRVS
		i.Rows = []store.ScheduleRow{{Code: "ZZ001", POS: "11", Work: 10000}}
	}, "row 1 pos"},
}

func testImportScheduleValidation(t *testing.T, ctx context.Context, b *bundle) {
	for _, tt := range scheduleValidationTests {
		imp := store.ScheduleImport{Kind: store.ScheduleFee, Name: "fee", SourceName: "fee.csv",
			SHA256: digest(tt.name), Rows: feeRows(5000)}
		tt.mod(&imp)
		_, _, err := b.s.ImportSchedule(ctx, imp)
		var ie *store.InvalidError
		if !errors.As(err, &ie) || !errors.Is(err, store.ErrInvalid) || ie.Field != tt.field {
			t.Errorf("%s: err = %v, want *InvalidError on %q", tt.name, err, tt.field)
		}
	}
	if list, err := b.s.ListSchedules(ctx); err != nil || len(list) != 0 {
		t.Fatalf("after refused imports ListSchedules = %v, %v", list, err)
	}
}

func testImportScheduleRollsBack(t *testing.T, ctx context.Context, b *bundle) {
	first := importSchedule(t, ctx, b.s.Queries, store.ScheduleImport{Kind: store.ScheduleFee, Name: "fee",
		SHA256: digest("a"), Rows: feeRows(100)}, store.VersionCreated)
	boom := errors.New("boom")
	err := b.s.InTx(ctx, func(tx *store.Tx) error {
		importSchedule(t, ctx, tx.Queries, store.ScheduleImport{Kind: store.ScheduleFee, Name: "fee",
			SHA256: digest("b"), Rows: feeRows(200)}, store.VersionCreated)
		importSchedule(t, ctx, tx.Queries, store.ScheduleImport{Kind: store.ScheduleDRG, Name: "drg",
			SHA256: digest("c"), Rows: []store.ScheduleRow{{Code: "470", Weight: 19000}}}, store.VersionCreated)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	info, rows := loadRows(t, ctx, b.s.Queries, store.ScheduleFee, "fee")
	if info.ID != first.ID || !info.Active || rows[0].AmountCents != 100 {
		t.Fatalf("after rollback: %+v %+v", *info, rows)
	}
	if list, _ := b.s.ListSchedules(ctx); len(list) != 1 {
		t.Fatalf("after rollback ListSchedules = %+v", list)
	}
}

const contractsA = "contracts:\n  - id: DEFAULT\n    default: true\n    method: percent_of_charges\n    percent: 85\n"

func saveContracts(t *testing.T, ctx context.Context, q *store.Queries, src, yaml string, want store.VersionChange) *store.ContractSet {
	t.Helper()
	cs, change, err := q.SaveContracts(ctx, src, []byte(yaml))
	if err != nil {
		t.Fatalf("SaveContracts: %v", err)
	}
	if change != want {
		t.Fatalf("SaveContracts change = %q, want %q", change, want)
	}
	return cs
}

func activeYAML(t *testing.T, ctx context.Context, q *store.Queries) string {
	t.Helper()
	cs, err := q.ActiveContracts(ctx)
	if err != nil {
		t.Fatalf("ActiveContracts: %v", err)
	}
	return string(cs.YAML)
}

func testSaveContractsVersions(t *testing.T, ctx context.Context, b *bundle) {
	q := b.s.Queries
	if _, err := q.ActiveContracts(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ActiveContracts on an empty store = %v, want ErrNotFound", err)
	}
	at := b.clk.Now().Truncate(time.Microsecond)
	a := saveContracts(t, ctx, q, "contracts.yaml", contractsA, store.VersionCreated)
	want := store.ContractSet{ID: a.ID, SHA256: digest(contractsA), SourceName: "contracts.yaml",
		YAML: []byte(contractsA), Active: true, ImportedAt: at}
	if !reflect.DeepEqual(*a, want) {
		t.Fatalf("saved =\n%+v\nwant\n%+v", *a, want)
	}
	if got := activeYAML(t, ctx, q); got != contractsA {
		t.Fatalf("active yaml = %q", got)
	}
	saveContracts(t, ctx, q, "other.yaml", contractsA, store.VersionUnchanged)

	// Non-ASCII text survives (comments may hold any UTF-8).
	contractsB := "# Tarifs négociés\n" + contractsA
	bset := saveContracts(t, ctx, q, "contracts.yaml", contractsB, store.VersionCreated)
	if bset.ID <= a.ID || activeYAML(t, ctx, q) != contractsB {
		t.Fatalf("second set %+v", *bset)
	}
	if back := saveContracts(t, ctx, q, "contracts.yaml", contractsA, store.VersionReactivated); back.ID != a.ID {
		t.Fatalf("reactivated %+v", *back)
	}
	if activeYAML(t, ctx, q) != contractsA {
		t.Fatal("rollback did not make the first set active")
	}
	list, err := q.ListContractSets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != bset.ID || list[0].Active || !list[1].Active || list[1].YAML != nil {
		t.Fatalf("ListContractSets = %+v", list)
	}

	for name, in := range map[string]string{"empty": "", "not utf-8": "contracts: \xff\n", "nul byte": "a\x00b"} {
		if _, _, err := q.SaveContracts(ctx, "x.yaml", []byte(in)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SaveContracts(%s) = %v, want ErrInvalid", name, err)
		}
	}
}

// scheduleTables are the tables migration 3 creates.
var scheduleTables = []string{"contract_sets", "fee_schedule_rows", "fee_schedules"}

// TestSchedulesMigration steps migration 3 down and up again on a store
// holding schedules: down drops its tables (and no earlier one), up
// recreates them empty and usable.
func TestSchedulesMigration(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			has := func() map[string]bool {
				t.Helper()
				out := map[string]bool{}
				for _, name := range tableNames(tableColumns(t, s)) {
					out[name] = true
				}
				return out
			}
			before := has()
			for _, name := range scheduleTables {
				if !before[name] {
					t.Fatalf("table %s missing after Migrate", name)
				}
			}
			importSchedule(t, ctx, s.Queries, store.ScheduleImport{Kind: store.ScheduleFee, Name: "fee",
				SHA256: digest("m"), Rows: feeRows(100)}, store.VersionCreated)
			saveContracts(t, ctx, s.Queries, "c.yaml", contractsA, store.VersionCreated)

			if err := s.MigrateDownTo(ctx, 2); err != nil {
				t.Fatalf("MigrateDownTo(2): %v", err)
			}
			after := has()
			for _, name := range scheduleTables {
				if after[name] {
					t.Errorf("table %s still present after migrating down to 2", name)
				}
			}
			if !after["partners"] {
				t.Errorf("migrating down to 2 dropped the tables of migration 1: %v", after)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if list, err := s.ListSchedules(ctx); err != nil || len(list) != 0 {
				t.Fatalf("ListSchedules after down/up = %v, %v", list, err)
			}
			importSchedule(t, ctx, s.Queries, store.ScheduleImport{Kind: store.ScheduleFee, Name: "fee",
				SHA256: digest("m"), Rows: feeRows(100)}, store.VersionCreated)
		})
	}
}
