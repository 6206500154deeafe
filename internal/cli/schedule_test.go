package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
)

const schedules = "../../testdata/schedules/"

// scheduleList is the JSON of `schedule list --json`.
type scheduleList struct {
	Schedules []struct {
		Kind    string `json:"kind"`
		Name    string `json:"name"`
		Version int    `json:"version"`
		Active  bool   `json:"active"`
		Rows    int    `json:"rows"`
		SHA256  string `json:"sha256"`
		Source  string `json:"source"`
	} `json:"schedules"`
	ContractSets []struct {
		ID     int64  `json:"id"`
		Active bool   `json:"active"`
		SHA256 string `json:"sha256"`
		Source string `json:"source"`
	} `json:"contract_sets"`
}

// repoScheduleRows is the kind and row count of every CSV in
// testdata/schedules, by schedule name.
var repoScheduleRows = map[string]struct {
	kind string
	rows int
}{
	"case_rate":        {"case_rate", 4},
	"drg":              {"drg", 9},
	"fee_professional": {"fee", 32},
	"gpci":             {"gpci", 4},
	"perdiem":          {"perdiem", 7},
	"rbrvs":            {"rbrvs", 12},
}

func TestScheduleImportAndList(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			db := []string{"--data-dir", t.TempDir(), "--database", be.URL(t)}
			sched := func(args ...string) (int, string, string) {
				t.Helper()
				return run(t, append(append(db, "schedule"), args...)...)
			}
			list := func() scheduleList {
				t.Helper()
				code, out, errOut := sched("list", "--json")
				if code != 0 {
					t.Fatalf("list: exit %d: %s", code, errOut)
				}
				var l scheduleList
				if err := json.Unmarshal([]byte(out), &l); err != nil {
					t.Fatalf("list JSON: %v\n%s", err, out)
				}
				return l
			}

			// Contracts naming schedules that are not stored yet are refused.
			code, _, errOut := sched("import-contracts", schedules+"contracts.yaml")
			if code != 1 || !strings.Contains(errOut, "schedule not found") {
				t.Fatalf("contracts before schedules: exit %d: %s", code, errOut)
			}

			for name := range repoScheduleRows {
				code, out, errOut := sched("import", schedules+name+".csv")
				if code != 0 || !strings.Contains(out, " "+name+": version 1 created") {
					t.Fatalf("import %s: exit %d\n%s%s", name, code, out, errOut)
				}
			}
			code, out, errOut := sched("import-contracts", schedules+"contracts.yaml")
			if code != 0 || !strings.Contains(out, "created (8 contracts") {
				t.Fatalf("import-contracts: exit %d\n%s%s", code, out, errOut)
			}

			l := list()
			if len(l.Schedules) != len(repoScheduleRows) || len(l.ContractSets) != 1 || !l.ContractSets[0].Active ||
				l.ContractSets[0].Source != "contracts.yaml" {
				t.Fatalf("list = %+v", l)
			}
			for _, s := range l.Schedules {
				want, ok := repoScheduleRows[s.Name]
				if !ok || s.Kind != want.kind || s.Rows != want.rows || s.Version != 1 || !s.Active ||
					len(s.SHA256) != 64 || s.Source != s.Name+".csv" {
					t.Errorf("listed %+v, want kind %s with %d rows", s, want.kind, want.rows)
				}
			}

			// Same files again: nothing new.
			code, out, _ = sched("import", schedules+"drg.csv")
			if code != 0 || !strings.Contains(out, "version 1 unchanged") {
				t.Fatalf("re-import: exit %d: %s", code, out)
			}
			code, out, _ = sched("import-contracts", schedules+"contracts.yaml")
			if code != 0 || !strings.Contains(out, "unchanged") {
				t.Fatalf("re-import contracts: exit %d: %s", code, out)
			}

			// Changed content under the same name is version 2, active.
			data, err := os.ReadFile(schedules + "drg.csv")
			if err != nil {
				t.Fatal(err)
			}
			changed := filepath.Join(t.TempDir(), "weights-fy26.csv")
			if err := os.WriteFile(changed, []byte(strings.Replace(string(data), "470,1.9125", "470,1.9200", 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut = sched("import", "--name", "drg", "--kind", "drg", changed)
			if code != 0 || !strings.Contains(out, "drg schedule drg: version 2 created (9 rows") {
				t.Fatalf("import v2: exit %d\n%s%s", code, out, errOut)
			}
			versions := map[int]bool{}
			for _, s := range list().Schedules {
				if s.Name == "drg" {
					versions[s.Version] = s.Active
				}
			}
			if len(versions) != 2 || versions[1] || !versions[2] {
				t.Fatalf("drg versions (version: active) = %v", versions)
			}

			// The table form lists the same.
			code, out, _ = sched("list")
			if code != 0 || !strings.Contains(out, "KIND") || !strings.Contains(out, "weights-fy26.csv") ||
				!strings.Contains(out, "CONTRACT SET") {
				t.Fatalf("list: exit %d\n%s", code, out)
			}
		})
	}
}

func TestScheduleImportErrors(t *testing.T) {
	dir := t.TempDir()
	db := []string{"--data-dir", filepath.Join(dir, "var")}
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("fee.csv", "# synthetic\ncode,modifier,pos,amount,effective_from,effective_to\nA0428,,,32x.00,2026-01-01,\n")
	good := write("fee_ok.csv", "code,modifier,pos,amount,effective_from,effective_to\nA0428,,,325.00,2026-01-01,\n")
	spaced := write("fee 2026.csv", "code,modifier,pos,amount,effective_from,effective_to\nA0428,,,325.00,2026-01-01,\n")
	ambiguous := write("amb.yaml", "contracts:\n"+
		"  - {id: A, match: [{payer_id: \"2712\"}], method: percent_of_charges, percent: 70}\n"+
		"  - {id: B, match: [{payer_id: \"2712\"}], method: percent_of_charges, percent: 80}\n")
	unknownKey := write("unknown.yaml", "contracts:\n  - id: X\n    default: true\n    methd: drg\n")
	for _, tt := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"malformed amount", []string{"import", bad}, 1, "fee.csv: line 3, column 4 (amount): invalid number"},
		{"header of another kind", []string{"import", "--kind", "drg", good}, 1, "line 1: bad header"},
		{"unknown header", []string{"import", ambiguous}, 1, "not the header of any schedule kind"},
		{"missing file", []string{"import", filepath.Join(dir, "none.csv")}, 2, "no such file"},
		{"bad kind", []string{"import", "--kind", "rvu", good}, 2, "--kind"},
		{"name from a file name with a space", []string{"import", spaced}, 2, "--name"},
		{"no file", []string{"import"}, 2, ""},
		{"unknown subcommand", []string{"bogus"}, 2, "unknown command"},
		{"ambiguous contracts", []string{"import-contracts", ambiguous}, 1, "ambiguous contracts: A and B"},
		{"unknown contract key", []string{"import-contracts", unknownKey}, 1, "line 4, column 5"},
		{"missing contracts file", []string{"import-contracts", filepath.Join(dir, "none.yaml")}, 2, "no such file"},
		{"list takes no file", []string{"list", good}, 2, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, append(append(db, "schedule"), tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tt.code, tt.msg, out, errOut)
			}
		})
	}
	// Nothing was stored by the refused commands.
	code, out, _ := run(t, append(db, "schedule", "list", "--json")...)
	var l scheduleList
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l.Schedules) != 0 || len(l.ContractSets) != 0 {
		t.Fatalf("list after refused imports: exit %d\n%s", code, out)
	}
}
