package storesource_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/storesource"
)

// schedulesDir holds the repository's synthetic schedules and contracts.
const schedulesDir = "../../testdata/schedules"

// repoKinds is the kind of every CSV in schedulesDir, by schedule name.
var repoKinds = map[string]store.ScheduleKind{
	"fee_professional": store.ScheduleFee,
	"rbrvs":            store.ScheduleRBRVS,
	"gpci":             store.ScheduleGPCI,
	"perdiem":          store.SchedulePerDiem,
	"drg":              store.ScheduleDRG,
	"case_rate":        store.ScheduleCaseRate,
}

// Synthetic NPIs with valid check digits (the ones contracts.yaml names).
const (
	npiA     = "1234567893"
	npiDRG   = "1999999901"
	npiCases = "1888888819"
)

// csvSchedules are the repository schedules loaded straight from CSV.
type csvSchedules struct {
	src   *repricing.MemorySource
	table *repricing.ContractTable
}

func open(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(schedulesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// must(f())(t) returns f's value, failing t if f returned an error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func loadCSV(t testing.TB) csvSchedules {
	t.Helper()
	return csvSchedules{
		src: &repricing.MemorySource{
			Fee:      map[string]*repricing.FeeSchedule{"fee_professional": must(repricing.LoadFeeSchedule(open(t, "fee_professional.csv")))(t)},
			RBRVS:    map[string]*repricing.RBRVSSchedule{"rbrvs": must(repricing.LoadRBRVSSchedule(open(t, "rbrvs.csv")))(t)},
			GPCI:     map[string]*repricing.GPCITable{"gpci": must(repricing.LoadGPCITable(open(t, "gpci.csv")))(t)},
			PerDiem:  map[string]*repricing.PerDiemSchedule{"perdiem": must(repricing.LoadPerDiemSchedule(open(t, "perdiem.csv")))(t)},
			DRG:      map[string]*repricing.DRGSchedule{"drg": must(repricing.LoadDRGSchedule(open(t, "drg.csv")))(t)},
			CaseRate: map[string]*repricing.CaseRateSchedule{"case_rate": must(repricing.LoadCaseRateSchedule(open(t, "case_rate.csv")))(t)},
		},
		table: must(repricing.LoadContracts(open(t, "contracts.yaml")))(t),
	}
}

// importRepo imports every CSV and the contracts of schedulesDir into st.
func importRepo(t testing.TB, ctx context.Context, st storesource.Store) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(schedulesDir, "*.csv"))
	if err != nil || len(files) != len(repoKinds) {
		t.Fatalf("schedule files %v, %v; want %d", files, err, len(repoKinds))
	}
	for _, f := range files {
		res, err := storesource.ImportFile(ctx, st, f, storesource.ImportOptions{})
		if err != nil {
			t.Fatalf("ImportFile %s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".csv")
		s := res.Schedule
		if res.Change != store.VersionCreated || s.Name != name || s.Kind != repoKinds[name] ||
			s.Version != 1 || !s.Active || s.SourceName != filepath.Base(f) || s.RowCount == 0 {
			t.Fatalf("ImportFile %s = %+v", f, *res)
		}
	}
	res, err := storesource.ImportContractsFile(ctx, st, filepath.Join(schedulesDir, "contracts.yaml"), storesource.ContractsOptions{})
	if err != nil {
		t.Fatalf("ImportContractsFile: %v", err)
	}
	if res.Change != store.VersionCreated || res.Contracts != 8 || !res.Set.Active {
		t.Fatalf("ImportContractsFile = %+v", *res)
	}
}

func line(code string, charge int64) repricing.Line {
	return repricing.Line{ProcedureCode: code, ChargeCents: charge}
}

// claim builds a claim dated 2026-03-02 (institutional: admitted
// 2026-03-01, discharged 2026-03-04) with numbered lines of one unit by
// default, billed at the sum of the line charges.
func claim(typ repricing.ClaimType, payer string, mod func(*repricing.Claim), lines ...repricing.Line) repricing.Claim {
	c := repricing.Claim{ID: "SYN1", Type: typ, BillingNPI: npiA, PayerID: payer, POS: "11",
		StatementFrom: 20260302, StatementTo: 20260302, Lines: lines}
	if typ == repricing.Institutional {
		c.POS, c.TypeOfBill = "", "111"
		c.Admission, c.Discharge, c.StatementFrom, c.StatementTo = 20260301, 20260304, 20260301, 20260304
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		l.No = i + 1
		if l.Units == 0 {
			l.Units = 1000
		}
		if l.UnitBasis == "" {
			l.UnitBasis = "UN"
		}
		c.BilledCents += l.ChargeCents
	}
	if mod != nil {
		mod(&c)
	}
	return c
}

// pricingTests are hand-made claims over every schedule kind, with the
// result the CSV schedules give (worked out in the comments).
var pricingTests = []struct {
	name     string
	claim    repricing.Claim
	contract string
	code     string
	allowed  int64
}{
	{
		name: "fee schedule by date, modifier and POS, with an unpriced line",
		claim: claim(repricing.Professional, "2712", func(c *repricing.Claim) { c.StatementFrom, c.StatementTo = 20250615, 20250615 },
			line("A0428", 45000), // 2025 row 310.00
			repricing.Line{ProcedureCode: "A0425", Units: 12000, ChargeCents: 12000},             // 8.50 × 12 = 102.00
			repricing.Line{ProcedureCode: "E0114", Modifiers: []string{"RR"}, ChargeCents: 6000}, // RR row 12.50
			line("G0008", 4000), // POS 11 row 30.00
			line("J3420", 3001), // unpriced: 50 % = 15.005 → 15.01
		),
		contract: "ALLIANCE-PROF", code: "08", allowed: 46951,
	},
	{
		name:     "fee schedule 2026 row",
		claim:    claim(repricing.Professional, "2712", nil, line("A0428", 45000), line("ZZ004", 30000)),
		contract: "ALLIANCE-PROF", code: "02", allowed: 32500 + 21000,
	},
	{
		name: "RBRVS at 140 % in locality 01",
		claim: claim(repricing.Professional, "2712", func(c *repricing.Claim) { c.BillingTIN = "990000001" },
			line("ZZ003", 15000)),
		// (1.00 + 1.20×0.9650 + 0.10×0.5520) × 33.4009 × 1.4 = 103.49
		contract: "ALLIANCE-GROUP-RBRVS", code: "02", allowed: 10349,
	},
	{
		name: "RBRVS facility PE and a modifier row",
		claim: claim(repricing.Professional, "2712", func(c *repricing.Claim) { c.BillingTIN, c.POS = "990000001", "22" },
			repricing.Line{ProcedureCode: "ZZ004", Modifiers: []string{"26"}, ChargeCents: 50000}, line("ZZ009", 900000)),
		contract: "ALLIANCE-GROUP-RBRVS", code: "02",
		// ZZ004-26: (0.75 + 0.30×0.9650 + 0.04×0.5520) × 33.4009 × 1.4 = 49.6408… → 49.64;
		// ZZ009 facility PE: (12 + 6.4321×0.9650 + 1.2345×0.5520) × 33.4009 × 1.4 = 883.2463… → 883.25
		allowed: 4964 + 88325,
	},
	{
		name: "per diem by revenue code",
		claim: claim(repricing.Institutional, "1935", func(c *repricing.Claim) {
			c.Admission, c.Discharge, c.StatementFrom, c.StatementTo = 20250610, 20250613, 20250610, 20250613
		}, repricing.Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 540000},
			repricing.Line{RevenueCode: "0250", ChargeCents: 12000}),
		// 3 days × 1,800.00 (0120 through 2025)
		contract: "ALLIANCE-IP-PERDIEM", code: "06", allowed: 540000,
	},
	{
		name: "DRG weight by fiscal year",
		claim: claim(repricing.Institutional, "1935", func(c *repricing.Claim) { c.BillingNPI, c.DRG = npiDRG, "470" },
			repricing.Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 2000000}),
		// 1.9125 × 6,000.00
		contract: "ALLIANCE-IP-DRG", code: "07", allowed: 1147500,
	},
	{
		name: "case rate capped at billed",
		claim: claim(repricing.Institutional, "1935", func(c *repricing.Claim) {
			c.BillingNPI, c.TypeOfBill, c.Admission, c.Discharge = npiCases, "131", 0, 0
		}, repricing.Line{RevenueCode: "0360", ProcedureCode: "ZZ009", ChargeCents: 200000}),
		contract: "ALLIANCE-OP-CASE", code: "07", allowed: 200000,
	},
	{
		name:     "default percent of charges",
		claim:    claim(repricing.Professional, "60054", nil, line("A0428", 100000)),
		contract: "DEFAULT", code: "03", allowed: 85000,
	},
}

// TestStoreEngineMatchesCSV imports the repository schedules into each
// backend and checks that an engine built from the store prices like one
// built from the CSV files.
func TestStoreEngineMatchesCSV(t *testing.T) {
	want := loadCSV(t)
	csvEngine := must(repricing.NewEngine(context.Background(), want.src, want.table, nil))(t)
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			importRepo(t, ctx, st)

			src := storesource.New(st)
			table := must(storesource.LoadContracts(ctx, st))(t)
			if !reflect.DeepEqual(table.Contracts(), want.table.Contracts()) {
				t.Fatal("contracts loaded from the store differ from contracts.yaml")
			}
			eng := must(repricing.NewEngine(ctx, src, table, nil))(t)
			loaded := map[string]int{}
			for _, v := range src.Loaded() {
				loaded[v.Name] = v.Version
			}
			if len(loaded) != len(repoKinds) {
				t.Errorf("Loaded() = %v, want every repository schedule once", loaded)
			}
			for _, tt := range pricingTests {
				got, err := eng.Price(&tt.claim)
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				ref, err := csvEngine.Price(&tt.claim)
				if err != nil {
					t.Fatalf("%s (csv): %v", tt.name, err)
				}
				if !reflect.DeepEqual(got, ref) {
					t.Errorf("%s: store engine\n%+v\nCSV engine\n%+v", tt.name, got, ref)
				}
				if got.ContractID != tt.contract || got.Claim.MethodCode != tt.code || got.Claim.AllowedCents != tt.allowed {
					t.Errorf("%s: got %s %s %d, want %s %s %d", tt.name, got.ContractID, got.Claim.MethodCode,
						got.Claim.AllowedCents, tt.contract, tt.code, tt.allowed)
				}
			}

			// storesource.NewEngine does the same in one call.
			eng2 := must(storesource.NewEngine(ctx, st, nil))(t)
			for _, tt := range pricingTests {
				a, _ := eng.Price(&tt.claim)
				b, _ := eng2.Price(&tt.claim)
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s: NewEngine prices differently", tt.name)
				}
			}

			compareLookups(t, ctx, src, want.src)
		})
	}
}

// probeDates are the dates every row is looked up on: each year boundary
// and fiscal year start the repository files use, and the open ends.
var probeDates = []repricing.Date{repricing.MinDate, 20231001, 20240101, 20241231, 20250101, 20250930, 20251001,
	20251231, 20260101, 20261231, repricing.MaxDate}

// compareLookups checks that every key of every repository schedule gives
// the same answers from the store as from the CSV, on every probe date.
func compareLookups(t *testing.T, ctx context.Context, got *storesource.Source, want *repricing.MemorySource) {
	t.Helper()
	mods := [][]string{nil, {"RR"}, {"26"}, {"KX"}, {"GY"}}
	pair := func(v any, ok bool) string { return fmt.Sprintf("%+v %v", v, ok) }
	for name, kind := range repoKinds {
		// probe returns what the store's and the CSV's schedule answer for
		// the key of r on date d, one string per variant asked.
		var probe func(r store.ScheduleRow, d repricing.Date) (g, w []string)
		switch kind {
		case store.ScheduleFee:
			gs, ws := must(got.FeeSchedule(ctx, name))(t), want.Fee[name]
			probe = func(r store.ScheduleRow, d repricing.Date) (g, w []string) {
				for _, m := range append(mods, []string{r.Modifier}) {
					for _, pos := range []string{"", "11", "22", r.POS} {
						g = append(g, pair(gs.Lookup(r.Code, m, pos, d)))
						w = append(w, pair(ws.Lookup(r.Code, m, pos, d)))
					}
				}
				return g, w
			}
		case store.ScheduleRBRVS:
			gs, ws := must(got.RBRVSSchedule(ctx, name))(t), want.RBRVS[name]
			probe = func(r store.ScheduleRow, d repricing.Date) (g, w []string) {
				for _, m := range append(mods, []string{r.Modifier}) {
					g = append(g, pair(gs.Lookup(r.Code, m, d)))
					w = append(w, pair(ws.Lookup(r.Code, m, d)))
				}
				return g, w
			}
		case store.ScheduleGPCI:
			gs, ws := must(got.GPCITable(ctx, name))(t), want.GPCI[name]
			probe = func(r store.ScheduleRow, _ repricing.Date) (g, w []string) {
				return []string{pair(gs.Lookup(r.Code))}, []string{pair(ws.Lookup(r.Code))}
			}
		case store.SchedulePerDiem:
			gs, ws := must(got.PerDiemSchedule(ctx, name))(t), want.PerDiem[name]
			probe = func(r store.ScheduleRow, d repricing.Date) (g, w []string) {
				return []string{pair(gs.Lookup(r.Code, d))}, []string{pair(ws.Lookup(r.Code, d))}
			}
		case store.ScheduleDRG:
			gs, ws := must(got.DRGSchedule(ctx, name))(t), want.DRG[name]
			probe = func(r store.ScheduleRow, d repricing.Date) (g, w []string) {
				return []string{pair(gs.Lookup(r.Code, d))}, []string{pair(ws.Lookup(r.Code, d))}
			}
		case store.ScheduleCaseRate:
			gs, ws := must(got.CaseRateSchedule(ctx, name))(t), want.CaseRate[name]
			probe = func(r store.ScheduleRow, d repricing.Date) (g, w []string) {
				return []string{pair(gs.Lookup(r.Code, d))}, []string{pair(ws.Lookup(r.Code, d))}
			}
		}
		rows := must(storesource.ParseSchedule(kind, must(os.ReadFile(filepath.Join(schedulesDir, name+".csv")))(t)))(t)
		n := 0
		for _, r := range rows {
			for _, d := range probeDates {
				g, w := probe(r, d)
				if !reflect.DeepEqual(g, w) {
					t.Errorf("%s %s %s %s on %s: store %q, csv %q", kind, r.Code, r.Modifier, r.POS, d, g, w)
				}
				n += len(g)
			}
		}
		if n < len(rows)*len(probeDates) {
			t.Errorf("%s: %d lookups compared for %d rows", kind, n, len(rows))
		}
	}
}

func TestImportVersions(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			orig := filepath.Join(schedulesDir, "fee_professional.csv")
			price := func() int64 {
				t.Helper()
				fee := must(storesource.New(st).FeeSchedule(ctx, "fee_professional"))(t)
				cents, ok := fee.Lookup("A0428", nil, "", 20260302)
				if !ok {
					t.Fatal("A0428 not priced")
				}
				return cents
			}
			imp := func(path string, want store.VersionChange, version int) {
				t.Helper()
				res, err := storesource.ImportFile(ctx, st, path, storesource.ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Change != want || res.Schedule.Version != version || !res.Schedule.Active {
					t.Fatalf("import %s = %s version %d, want %s version %d", path, res.Change, res.Schedule.Version, want, version)
				}
			}
			imp(orig, store.VersionCreated, 1)
			imp(orig, store.VersionUnchanged, 1)
			if got := price(); got != 32500 {
				t.Fatalf("A0428 = %d", got)
			}

			// A changed file with the same name: version 2 is what loads.
			data := must(os.ReadFile(orig))(t)
			changed := filepath.Join(t.TempDir(), "fee_professional.csv")
			if err := os.WriteFile(changed, []byte(strings.Replace(string(data), "A0428,,,325.00", "A0428,,,330.00", 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			imp(changed, store.VersionCreated, 2)
			if got := price(); got != 33000 {
				t.Fatalf("A0428 after v2 = %d", got)
			}
			// The original again: version 1 is active again.
			imp(orig, store.VersionReactivated, 1)
			if got := price(); got != 32500 {
				t.Fatalf("A0428 after rollback = %d", got)
			}
			list := must(st.ListSchedules(ctx))(t)
			if len(list) != 2 || list[0].Version != 2 || list[0].Active || !list[1].Active {
				t.Fatalf("ListSchedules = %+v", list)
			}

			// An explicit name stores the same file as another schedule.
			res, err := storesource.ImportFile(ctx, st, orig, storesource.ImportOptions{Name: "fee-2026.v1", Kind: store.ScheduleFee})
			if err != nil || res.Change != store.VersionCreated || res.Schedule.Name != "fee-2026.v1" {
				t.Fatalf("named import = %+v, %v", res, err)
			}
		})
	}
}

const feeHeader = "code,modifier,pos,amount,effective_from,effective_to\n"

var importErrorTests = []struct {
	name         string
	data         string
	kind         store.ScheduleKind
	line, column int
	is           error
}{
	{name: "bad amount", data: "# c\n" + feeHeader + "A0428,,,325.00,2026-01-01,\nA0425,,,8.755,2026-01-01,\n", line: 4, column: 4, is: repricing.ErrNumber},
	{name: "bad date", data: feeHeader + "A0428,,,1,2026-02-30,\n", line: 2, column: 5, is: repricing.ErrDate},
	{name: "overlap", data: feeHeader + "A0428,,,1,2026-01-01,\nA0428,,,2,2026-06-01,2026-12-31\n", line: 3, column: 5, is: repricing.ErrOverlap},
	{name: "bad CSV quoting", data: feeHeader + "A0428,\"x,,1,,\n", line: 2},
	{name: "unknown header", data: "code,amount\nA0428,1\n", line: 1, is: repricing.ErrHeader},
	{name: "empty file", data: "", line: 1, is: repricing.ErrHeader},
	{name: "header only", data: "drg,relative_weight,effective_from,effective_to\n", line: 1, is: repricing.ErrNoRows},
	{name: "kind given, other header", data: feeHeader + "A0428,,,1,,\n", kind: store.ScheduleDRG, line: 1, is: repricing.ErrHeader},
	{name: "gpci out of range", data: "locality,work_gpci,pe_gpci,mp_gpci\n01,100.0000,1,1\n", line: 2, column: 2, is: repricing.ErrNumber},
}

func TestImportErrors(t *testing.T) {
	ctx := context.Background()
	st := dbtest.OpenSQLite(t)
	for _, tt := range importErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := storesource.Import(ctx, st, "bad.csv", []byte(tt.data), storesource.ImportOptions{Kind: tt.kind})
			var ce *repricing.CSVError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *repricing.CSVError", err)
			}
			if ce.Line != tt.line || ce.Column != tt.column || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("err = %v (line %d, column %d), want line %d, column %d, %v", err, ce.Line, ce.Column, tt.line, tt.column, tt.is)
			}
		})
	}
	t.Run("bad name", func(t *testing.T) {
		_, err := storesource.Import(ctx, st, "fee 2026.csv", []byte(feeHeader+"A0428,,,1,,\n"), storesource.ImportOptions{})
		if !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("err = %v, want store.ErrInvalid", err)
		}
	})
	t.Run("bad kind", func(t *testing.T) {
		_, err := storesource.Import(ctx, st, "fee.csv", []byte(feeHeader+"A0428,,,1,,\n"), storesource.ImportOptions{Kind: "rvu"})
		if !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("err = %v, want store.ErrInvalid", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := storesource.ImportFile(ctx, st, filepath.Join(t.TempDir(), "none.csv"), storesource.ImportOptions{})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v, want fs.ErrNotExist", err)
		}
	})
	if list := must(st.ListSchedules(ctx))(t); len(list) != 0 {
		t.Fatalf("refused imports stored %+v", list)
	}
}

func TestDetectKind(t *testing.T) {
	for _, tt := range []struct {
		name string
		data string
		want store.ScheduleKind
	}{
		{"fee with BOM and comments", "\xEF\xBB\xBF# x\n\n" + feeHeader, store.ScheduleFee},
		{"rbrvs", "code,modifier,work_rvu,pe_rvu_nonfacility,pe_rvu_facility,mp_rvu,effective_from,effective_to\n", store.ScheduleRBRVS},
		{"gpci with spaces", " locality , work_gpci,pe_gpci,mp_gpci\n", store.ScheduleGPCI},
		{"perdiem", "revenue_code_or_type,rate,effective_from,effective_to\n", store.SchedulePerDiem},
		{"drg", "drg,relative_weight,effective_from,effective_to\n", store.ScheduleDRG},
		{"case rate undated", "drg_or_code,amount\n", store.ScheduleCaseRate},
		{"case rate dated", "drg_or_code,amount,effective_from,effective_to\n", store.ScheduleCaseRate},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := storesource.DetectKind([]byte(tt.data)); got != tt.want || err != nil {
				t.Fatalf("DetectKind = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestParseScheduleRows pins the stored form of rows: keys and values as
// loaded, open dates as "", dates as CCYYMMDD, source lines kept.
func TestParseScheduleRows(t *testing.T) {
	for _, tt := range []struct {
		name string
		kind store.ScheduleKind
		data string
		want []store.ScheduleRow
	}{
		{"fee", store.ScheduleFee, "# x\n" + feeHeader + "E0114, RR ,,12.5,2026-01-01,2026-12-31\nZZ001,,22,120,,\n",
			[]store.ScheduleRow{
				{Line: 3, Code: "E0114", Modifier: "RR", AmountCents: 1250, EffectiveFrom: "20260101", EffectiveTo: "20261231"},
				{Line: 4, Code: "ZZ001", POS: "22", AmountCents: 12000},
			}},
		{"rbrvs", store.ScheduleRBRVS, "code,modifier,work_rvu,pe_rvu_nonfacility,pe_rvu_facility,mp_rvu,effective_from,effective_to\n" +
			"ZZ004,26,0.75,0.3,0.30,0.0400,0001-01-01,9999-12-31\nZZ004,,0,3.1,3.1,0.05,2026-01-01,\n",
			[]store.ScheduleRow{
				{Line: 2, Code: "ZZ004", Modifier: "26", Work: 7500, PE: 3000, PEFacility: 3000, MP: 400},
				{Line: 3, Code: "ZZ004", PE: 31000, PEFacility: 31000, MP: 500, EffectiveFrom: "20260101"},
			}},
		{"gpci", store.ScheduleGPCI, "locality,work_gpci,pe_gpci,mp_gpci\n01,1.0000,0.9650,0.5520\n",
			[]store.ScheduleRow{{Line: 2, Code: "01", Work: 10000, PE: 9650, MP: 5520}}},
		{"perdiem", store.SchedulePerDiem, "revenue_code_or_type,rate,effective_from,effective_to\n0120,1800.00,2024-01-01,2025-12-31\n0120,1850.00,2026-01-01,\n",
			[]store.ScheduleRow{
				{Line: 2, Code: "0120", AmountCents: 180000, EffectiveFrom: "20240101", EffectiveTo: "20251231"},
				{Line: 3, Code: "0120", AmountCents: 185000, EffectiveFrom: "20260101"},
			}},
		{"drg", store.ScheduleDRG, "drg,relative_weight,effective_from,effective_to\n470,1.9125,2025-10-01,\n",
			[]store.ScheduleRow{{Line: 2, Code: "470", Weight: 19125, EffectiveFrom: "20251001"}}},
		{"case rate undated", store.ScheduleCaseRate, "drg_or_code,amount\n470,14500.00\nZZ009,2500\n",
			[]store.ScheduleRow{{Line: 2, Code: "470", AmountCents: 1450000}, {Line: 3, Code: "ZZ009", AmountCents: 250000}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storesource.ParseSchedule(tt.kind, []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("rows =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestImportContracts(t *testing.T) {
	ctx := context.Background()
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			contracts := must(os.ReadFile(filepath.Join(schedulesDir, "contracts.yaml")))(t)

			// The schedules are not imported yet.
			_, err := storesource.ImportContracts(ctx, st, "contracts.yaml", contracts, storesource.ContractsOptions{})
			if !errors.Is(err, repricing.ErrScheduleNotFound) {
				t.Fatalf("contracts before schedules: %v, want ErrScheduleNotFound", err)
			}
			if _, err := storesource.LoadContracts(ctx, st); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("LoadContracts with none stored: %v, want store.ErrNotFound", err)
			}
			if _, err := storesource.NewEngine(ctx, st, nil); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("NewEngine with no contracts: %v, want store.ErrNotFound", err)
			}
			res, err := storesource.ImportContracts(ctx, st, "contracts.yaml", contracts, storesource.ContractsOptions{SkipScheduleCheck: true})
			if err != nil || res.Change != store.VersionCreated || res.Contracts != 8 {
				t.Fatalf("unchecked import = %+v, %v", res, err)
			}
			// Saved, but an engine cannot be built until the schedules exist.
			if _, err := storesource.NewEngine(ctx, st, nil); !errors.Is(err, repricing.ErrScheduleNotFound) {
				t.Fatalf("NewEngine without schedules: %v, want ErrScheduleNotFound", err)
			}

			ambiguous := "contracts:\n" +
				"  - {id: A, match: [{payer_id: \"2712\"}], method: percent_of_charges, percent: 70}\n" +
				"  - {id: B, match: [{payer_id: \"2712\"}], method: percent_of_charges, percent: 80}\n"
			_, err = storesource.ImportContracts(ctx, st, "amb.yaml", []byte(ambiguous), storesource.ContractsOptions{})
			var ae *repricing.AmbiguityError
			if !errors.As(err, &ae) || ae.A != "A" || ae.B != "B" {
				t.Fatalf("ambiguous contracts: %v, want *AmbiguityError A/B", err)
			}
			_, err = storesource.ImportContracts(ctx, st, "bad.yaml", []byte("contracts:\n  - id: X\n    methd: drg\n"), storesource.ContractsOptions{})
			var ce *repricing.ContractError
			if !errors.As(err, &ce) || ce.Line != 3 {
				t.Fatalf("unknown key: %v, want *ContractError on line 3", err)
			}
			// Neither refused file replaced the stored set.
			if cs := must(st.ActiveContracts(ctx))(t); cs.ID != res.Set.ID {
				t.Fatalf("active set %d, want %d", cs.ID, res.Set.ID)
			}
		})
	}
}

// TestSourceRevalidates stores rows that no CSV would produce (the store
// does not validate schedule content) and checks that loading them fails
// with the repricing error pointing at the stored line.
func TestSourceRevalidates(t *testing.T) {
	ctx := context.Background()
	st := dbtest.OpenSQLite(t)
	_, _, err := st.ImportSchedule(ctx, store.ScheduleImport{Kind: store.ScheduleFee, Name: "bad",
		SHA256: strings.Repeat("ab", 32), Rows: []store.ScheduleRow{
			{Line: 7, Code: "A0428", AmountCents: 100, EffectiveFrom: "20260101"},
			{Line: 9, Code: "A0428", AmountCents: 200, EffectiveFrom: "20260601", EffectiveTo: "20261231"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = storesource.New(st).FeeSchedule(ctx, "bad")
	var ce *repricing.CSVError
	if !errors.As(err, &ce) || ce.Line != 9 || !errors.Is(err, repricing.ErrOverlap) {
		t.Fatalf("err = %v, want an overlap on line 9", err)
	}
	if _, err := storesource.New(st).FeeSchedule(ctx, "none"); !errors.Is(err, repricing.ErrScheduleNotFound) {
		t.Fatalf("unknown name: %v, want ErrScheduleNotFound", err)
	}
	// A name of another kind is not found either.
	if _, err := storesource.New(st).DRGSchedule(ctx, "bad"); !errors.Is(err, repricing.ErrScheduleNotFound) {
		t.Fatalf("fee name as drg: %v, want ErrScheduleNotFound", err)
	}
}
