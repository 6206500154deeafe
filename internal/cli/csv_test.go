package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/nightly"
)

const csvDir = "testdata/csv/"

// csvConfig writes a configuration with routes and the synthetic
// repricing schedules.
func csvConfig(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "c.yaml")
	cfg := `
partners:
  - {id: acme}
  - {id: quality}
  - {id: relayhealth}
  - {id: optum}
qi_partner: quality
routes:
  - {payer_id: "2712", claim_type: P, partner: relayhealth}
  - {payer_id: "88461", partner: optum}
repricing:
  source: files
  schedules_dir: ../../testdata/schedules
  contracts: ../../testdata/schedules/contracts.yaml
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// onlyClaim returns the one claim of the store with its lines.
func onlyClaim(t *testing.T, url string) store.Claim {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs, err := st.ListClaims(context.Background(), store.ClaimFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("%d claims, want 1", len(cs))
	}
	c, err := st.GetClaim(context.Background(), cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return *c
}

// TestCSVClaimSameAsX12: a claim submitted as CSV and the same claim sent
// as X12 (with another envelope, submitter contact and a PRV the CSV
// layout has no column for) give the same claim record, outcome and
// repricing.
func TestCSVClaimSameAsX12(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			var got []store.Claim
			for _, file := range []string{"same-claim.csv", "same-claim.x12"} {
				dir := t.TempDir()
				url := be.URL(t)
				global := []string{"--config", csvConfig(t, dir), "--data-dir", filepath.Join(dir, "var"), "--database", url}
				runOK := cliRunner(t, global)
				runOK("roster", "import", "../../testdata/roster/alliance-members.csv")
				runOK("process", "--partner", "acme", "--out", filepath.Join(dir, "out"), csvDir+file)
				c := onlyClaim(t, url)
				if c.State != store.ClaimForwarded || c.AllowedCents == nil || c.PricingMethod == "" {
					t.Fatalf("%s: claim %s %s allowed %v method %q", file, c.ControlNumber, c.State, c.AllowedCents, c.PricingMethod)
				}
				// What differs by nature: row IDs, the file, offsets, times.
				c.ID, c.TransactionID, c.InboundFileID, c.RawOffset, c.RawLength = 0, nil, 0, 0, 0
				c.CreatedAt, c.UpdatedAt = time.Time{}, time.Time{}
				for i := range c.Lines {
					c.Lines[i].ID, c.Lines[i].ClaimID = 0, 0
				}
				got = append(got, c)
			}
			if !reflect.DeepEqual(got[0], got[1]) {
				a, _ := json.MarshalIndent(got[0], "", " ")
				b, _ := json.MarshalIndent(got[1], "", " ")
				t.Fatalf("CSV claim differs from the X12 claim:\n%s\n%s", a, b)
			}
			if *got[0].AllowedCents != 5495 || got[0].RoutePartner != "optum" {
				// 70 % of 78.50 = 54.95 (contract ALLIANCE-88461).
				t.Errorf("allowed %d, route %s", *got[0].AllowedCents, got[0].RoutePartner)
			}
		})
	}
}

// TestSubmitAndNightlyReport: `submit` reports the rejected rows, the
// nightly report lists them with the rows of claims the 837 edits refused,
// --deliver queues each report once to the submitter and the quality team,
// and results export writes the stored supplemental rows.
func TestSubmitAndNightlyReport(t *testing.T) {
	dir := t.TempDir()
	global := []string{"--config", csvConfig(t, dir), "--data-dir", filepath.Join(dir, "var")}
	runOK := cliRunner(t, global)
	runStatus := cliRunnerStatus(t, global)
	runOK("roster", "import", "../../testdata/roster/alliance-members.csv")

	out := runStatus(1, "submit", "claims", "../../csvsub/testdata/claims-mixed.csv", "--partner", "acme")
	for _, want := range []string{"claims, 12 rows: 5 accepted, 7 rejected (acceptance rate 41.7%)",
		"row 5  billing_npi  format: not an NPI: wrong check digit", "row 1  -  header: header row"} {
		if !strings.Contains(out, want) {
			t.Errorf("submit output lacks %q:\n%s", want, out)
		}
	}
	// The same file again is not processed twice.
	runStatus(1, "submit", "claims", "../../csvsub/testdata/claims-mixed.csv", "--partner", "acme")
	// A layout mismatch is a usage error.
	runStatus(2, "submit", "results", "../../csvsub/testdata/claims-mixed.csv", "--partner", "acme")

	out = runStatus(1, "submit", "results", "../../csvsub/testdata/results-mixed.csv", "--partner", "acme", "--json")
	var doc struct {
		Submission store.CSVSubmission `json:"submission"`
		Rejected   []store.CSVRowError `json:"rejected_rows"`
		Files      []json.RawMessage   `json:"files"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("submit --json: %v\n%s", err, out)
	}
	if doc.Submission.Layout != "results" || doc.Submission.Rows != 9 || doc.Submission.RowsAccepted != 2 || len(doc.Rejected) != 7 ||
		doc.Rejected[1].Row != 3 || doc.Rejected[1].Column != "code" || len(doc.Files) != 1 {
		t.Errorf("submit --json: %+v", doc)
	}

	// The report of today (the files were received just now).
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "var", "clearinghouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.CSVSubmissionOfFile(context.Background(), 1)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := (&app{configPath: filepath.Join(dir, "c.yaml")}).loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	o, err := nightlyOptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	day := nightly.DayOf(o, sub.ReceivedAt)
	reports := filepath.Join(dir, "reports")
	out = runOK("report", "nightly", "--date", day, "--out", reports, "--deliver")
	if !strings.Contains(out, "acme/filestatus-"+day+"-acme.csv: queued") || !strings.Contains(out, "quality/filestatus-"+day+"-acme.html: queued") {
		t.Errorf("first delivery:\n%s", out)
	}
	out = runOK("report", "nightly", "--date", day, "--out", reports, "--deliver")
	if strings.Contains(out, ": queued") || !strings.Contains(out, "already queued") {
		t.Errorf("second delivery queued again:\n%s", out)
	}
	f, err := os.Open(filepath.Join(reports, "filestatus-"+day+"-acme.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var fileLine []string
	refused := 0
	for _, r := range recs {
		if r[0] == "file" && r[3] == "claims-mixed.csv" {
			fileLine = r
		}
		if r[0] == "row" && r[3] == "claims-mixed.csv" && r[12] == "rejected" {
			refused++
		}
	}
	// CSV-1006 (rows 9-10) is a replacement of an unknown claim: the 837
	// edits reject it (A7:464), so 3 of 12 rows stand.
	if fileLine == nil || fileLine[6] != "12" || fileLine[7] != "3" || fileLine[8] != "9" || fileLine[9] != "25.0" || refused != 2 {
		t.Errorf("file line %v, %d rows refused by the 837 edits", fileLine, refused)
	}

	exp := runOK("results", "export", "--from", "2025-01-01", "--to", "2026-12-31", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(exp)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != strings.Join(ResultsExportHeader, ",") {
		t.Fatalf("export:\n%s", exp)
	}
	runStatus(2, "results", "export", "--from", "2025-13-01")
}

func TestNightlyOptionsFromSchedule(t *testing.T) {
	for _, tt := range []struct {
		spec     string
		zone     string
		hh, mm   int
		deferred bool // no cutoff of its own: the 18:00 default
	}{
		{"CRON_TZ=America/Chicago 0 18 * * *", "America/Chicago", 18, 0, false},
		{"CRON_TZ=Europe/Paris 30 17 * * *", "Europe/Paris", 17, 30, false},
		{"0 0 * * *", "UTC", 0, 0, false},
		{"@daily", "UTC", 18, 0, true},
		{"0 18 * * 1-5", "UTC", 18, 0, true},
	} {
		cfg := config.Default()
		cfg.Schedules.NightlyReport = tt.spec
		o, err := nightlyOptions(cfg)
		if err != nil {
			t.Fatalf("%s: %v", tt.spec, err)
		}
		zone := "UTC"
		if o.Location != nil {
			zone = o.Location.String()
		}
		if zone != tt.zone || o.HasCutoff == tt.deferred || (!tt.deferred && (o.CutoffHour != tt.hh || o.CutoffMinute != tt.mm)) {
			t.Errorf("%s: %+v", tt.spec, o)
		}
		// The window of a day ends at the cutoff in the zone.
		_, to, err := nightly.Window(o, "2026-11-23")
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation(tt.zone)
		if want := time.Date(2026, 11, 23, tt.hh, tt.mm, 0, 0, loc); !to.Equal(want) {
			t.Errorf("%s: window ends %s, want %s", tt.spec, to, want)
		}
	}
	cfg := config.Default()
	cfg.Schedules.NightlyReport = "CRON_TZ=Nowhere/Atlantis 0 18 * * *"
	if _, err := nightlyOptions(cfg); err == nil {
		t.Error("unknown zone accepted")
	}
}

// TestRunNightlyJob: the nightly job processes what is waiting (a CSV
// dropped in the inbox and its converted 837), writes the JSON summary and
// queues the day's file status to the submitter and the quality team once,
// however many times it runs; the reports reach their outboxes.
func TestRunNightlyJob(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, d := range []string{"acme/in", "acme/out", "quality/out"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("../../csvsub/testdata/claims-mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme/in/claims-mixed.csv"), data, 0o640); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "var")
	cfg.Database = "sqlite:" + filepath.Join(cfg.DataDir, "clearinghouse.db")
	cfg.Partners = []config.Partner{
		{ID: "acme", Inbox: "dir:" + filepath.Join(dir, "acme/in"), Outbox: "dir:" + filepath.Join(dir, "acme/out")},
		{ID: "quality", Outbox: "dir:" + filepath.Join(dir, "quality/out")},
	}
	cfg.QIPartner = "quality"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	a := &app{ctx: ctx, stdout: &stdout, stderr: &stderr, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rt, err := a.openRuntime(ctx, cfg, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if _, err := rt.engine.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := rt.store.GetInbound(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	o, err := nightlyOptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The job fires at the cutoff that ends the file's report day.
	_, fire, err := nightly.Window(o, nightly.DayOf(o, f.ReceivedAt))
	if err != nil {
		t.Fatal(err)
	}
	var seen *nightly.Report
	for run := 0; run < 2; run++ {
		if err := a.runNightly(ctx, rt, cfg, fire, func(r *nightly.Report) { seen = r }); err != nil {
			t.Fatal(err)
		}
	}
	if seen == nil || len(seen.Submitters) != 1 || len(seen.Submitters[0].Files) != 1 || seen.Submitters[0].Files[0].Rejected != 9 {
		t.Fatalf("report %+v", seen)
	}
	if _, err := rt.engine.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	name := "filestatus-" + seen.Day + "-acme"
	for _, p := range []string{"acme/out/" + name + ".csv", "acme/out/" + name + ".html", "quality/out/" + name + ".csv", "quality/out/" + name + ".html"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	reports, err := rt.store.ListOutbound(ctx, store.OutboundFilter{Kind: store.KindReport})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 4 {
		t.Errorf("%d report files queued, want 4", len(reports))
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "reports", fire.In(o.Location).Format("2006-01-02")+".json")); err != nil {
		t.Errorf("daily JSON: %v", err)
	}
}
