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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/schedule"
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

// TestSubmitAndNightlyReport: `submit --now` reports the rejected rows, the
// nightly report lists them with the rows of claims the 837 edits refused,
// --deliver queues each report once to the submitter and the quality team,
// and results export writes the stored supplemental rows.
func TestSubmitAndNightlyReport(t *testing.T) {
	dir := t.TempDir()
	global := []string{"--config", csvConfig(t, dir), "--data-dir", filepath.Join(dir, "var")}
	runOK := cliRunner(t, global)
	runStatus := cliRunnerStatus(t, global)
	runOK("roster", "import", "../../testdata/roster/alliance-members.csv")

	out := runStatus(1, "submit", "claims", "../../csvsub/testdata/claims-mixed.csv", "--partner", "acme", "--now")
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

	out = runStatus(1, "submit", "results", "../../csvsub/testdata/results-mixed.csv", "--partner", "acme", "--json", "--now")
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
// dropped in the inbox, held until then, and its converted 837), writes the JSON summary and
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
	cfg := csvQIConfig(t, dir, "sqlite:"+filepath.Join(dir, "var", "clearinghouse.db"))
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
	if f.State != store.InboundHeld {
		t.Fatalf("polled CSV is %s, want held for the nightly run", f.State)
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

// TestSubmitHeldAndRelease: by default (csv_processing nightly) `submit`
// records the file held and says so; `files` lists it held; submitting
// it again is refused unless --now, which processes it at once; `files
// release` processes a held file (and refuses one that is not held).
func TestSubmitHeldAndRelease(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			dir := t.TempDir()
			global := []string{"--config", csvConfig(t, dir), "--data-dir", filepath.Join(dir, "var"), "--database", be.URL(t)}
			runOK := cliRunner(t, global)
			runStatus := cliRunnerStatus(t, global)
			claims := "../../csvsub/testdata/claims-mixed.csv"
			results := "../../csvsub/testdata/results-mixed.csv"
			runOK("roster", "import", "../../testdata/roster/alliance-members.csv")

			out := runOK("submit", "claims", claims, "--partner", "acme")
			if !strings.Contains(out, "claims-mixed.csv: claims, received as inbound file 1 and held") ||
				!strings.Contains(out, "clearinghouse files release 1") || !strings.Contains(out, "the nightly run is at ") {
				t.Errorf("submit:\n%s", out)
			}
			if out := runOK("files"); !strings.Contains(out, "claims-mixed.csv") || !strings.Contains(out, "held") {
				t.Errorf("files:\n%s", out)
			}
			var held []store.InboundFile
			if err := json.Unmarshal([]byte(runOK("files", "--state", "held", "--json")), &held); err != nil || len(held) != 1 || held[0].ID != 1 {
				t.Fatalf("files --state held: %+v %v", held, err)
			}
			// Not processed by a cycle (no partner transports here: only
			// what is recorded), nor twice by a second submit.
			runOK("cycle")
			if out := runStatus(1, "submit", "claims", claims, "--partner", "acme"); out != "" {
				t.Errorf("second submit printed %q", out)
			}
			if err := json.Unmarshal([]byte(runOK("files", "--state", "held", "--json")), &held); err != nil || len(held) != 1 {
				t.Fatalf("after a cycle and a second submit: %+v %v", held, err)
			}
			// --now processes the held file: its row report.
			out = runStatus(1, "submit", "claims", claims, "--partner", "acme", "--now")
			if !strings.Contains(out, "claims, 12 rows: 5 accepted, 7 rejected") {
				t.Errorf("submit --now of the held file:\n%s", out)
			}
			runStatus(1, "submit", "claims", claims, "--partner", "acme", "--now") // done: not again

			out = runOK("submit", "results", results, "--partner", "acme", "--json")
			var doc struct {
				InboundID  int64      `json:"inbound_id"`
				State      string     `json:"state"`
				Layout     string     `json:"layout"`
				NightlyRun *time.Time `json:"nightly_run"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.State != "held" || doc.Layout != "results" || doc.NightlyRun == nil {
				t.Fatalf("submit --json: %+v %v\n%s", doc, err, out)
			}
			id := strconv.FormatInt(doc.InboundID, 10)
			out = runOK("files", "release", id)
			if !strings.Contains(out, "processed 1 file(s)") || !strings.Contains(out, "results-mixed.csv: processed") {
				t.Errorf("files release:\n%s", out)
			}
			runStatus(1, "files", "release", id) // not held any more
			runStatus(2, "files", "release")
			runStatus(2, "files", "release", "--all", id)
			if out := runOK("files", "release", "--all"); !strings.Contains(out, "released 0 held file(s)") {
				t.Errorf("files release --all:\n%s", out)
			}
			// process takes a held file as asked: at once (its claim is a
			// duplicate of one of claims-mixed.csv: exit 1).
			runOK("submit", "claims", csvDir+"same-claim.csv", "--partner", "acme")
			if out := runStatus(1, "process", "--partner", "acme", "--out", filepath.Join(dir, "out"), csvDir+"same-claim.csv"); !strings.Contains(out, "same-claim.csv: processed") {
				t.Errorf("process of a held file:\n%s", out)
			}
			if err := json.Unmarshal([]byte(runOK("files", "--state", "held", "--json")), &held); err != nil || len(held) != 0 {
				t.Fatalf("held files left: %+v %v", held, err)
			}
		})
	}
}

// TestNightlyReleasesHeldCSV: under CRON_TZ=America/Chicago, across both
// DST changes of 2026 (the run's time is injected: the schedule's next
// firing after the files arrived), a CSV submission is held while a later
// X12 file of the same partner is processed by the cycle; the nightly
// job releases the CSVs received up to its run, processes them (and
// their converted 837s) and then reports them, in a 23- or 25-hour day; a
// CSV received after the cutoff stays held for the next run; a job that
// died right after the release loses and doubles nothing.
func TestNightlyReleasesHeldCSV(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	read := func(path string) []byte {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			for _, d := range []string{"acme/in", "acme/out", "quality/out"} {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o750); err != nil {
					t.Fatal(err)
				}
			}
			cfg := csvQIConfig(t, dir, be.URL(t))
			a := &app{ctx: ctx, stdout: io.Discard, stderr: io.Discard, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			rt, err := a.openRuntime(ctx, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			sched, err := schedule.Parse(cfg.Schedules.NightlyReport)
			if err != nil {
				t.Fatal(err)
			}
			hold := csvHold(cfg)
			// arrive records a file as intake does, received at at.
			arrive := func(name string, data []byte, at time.Time) *store.InboundFile {
				t.Helper()
				sf, err := rt.spool.PutBytes(ctx, "inbound", data)
				if err != nil {
					t.Fatal(err)
				}
				in := store.InboundFile{PartnerID: "acme", Name: name, RemotePath: "test/" + name, SHA256: sf.SHA256, Size: sf.Size,
					SpoolPath: sf.Path, ReceivedAt: at}
				if hold(name, data[:min(len(data), 4096)]) {
					in.State = store.InboundHeld
				}
				rec, created, err := rt.store.RecordInbound(ctx, in)
				if err != nil || !created {
					t.Fatalf("record %s: %v (created %v)", name, err, created)
				}
				return rec
			}
			state := func(f *store.InboundFile) store.InboundState {
				t.Helper()
				got, err := rt.store.GetInbound(ctx, f.ID)
				if err != nil {
					t.Fatal(err)
				}
				return got.State
			}
			var late *store.InboundFile
			for i, night := range []struct {
				day       string
				hours     int
				csv, x12  string
				crashed   bool // the job died between release and processing
				lateFile  string
				lateState store.InboundState // of the late CSV after the run
			}{
				{"2026-03-08", 23, "../../csvsub/testdata/claims-mixed.csv", demo + "acme-837p-20261120-01.x12", false, "../../csvsub/testdata/results-mixed.csv", store.InboundHeld},
				// The late CSV is processed now: every row refused (no roster).
				{"2026-11-01", 25, csvDir + "same-claim.csv", demo + "acme-837i-20261120-01.x12", true, "", store.InboundRejected},
			} {
				d, _ := time.ParseInLocation("2006-01-02", night.day, chicago)
				csvAt := d.Add(9 * time.Hour)
				csvFile := arrive(filepath.Base(night.csv), read(night.csv), csvAt)
				x12File := arrive(filepath.Base(night.x12), read(night.x12), csvAt.Add(time.Hour))
				if csvFile.State != store.InboundHeld || x12File.State != store.InboundReceived {
					t.Fatalf("night %d: recorded %s and %s", i, csvFile.State, x12File.State)
				}
				// The cycle takes the partner's later X12 file; the CSV waits.
				res, err := rt.engine.Cycle(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Files) != 1 || res.Files[0].InboundID != x12File.ID || res.Files[0].State != store.InboundProcessed {
					t.Fatalf("night %d: cycle processed %+v, want only the X12 file", i, res.Files)
				}
				if got := state(csvFile); got != store.InboundHeld {
					t.Fatalf("night %d: CSV %s after the cycle", i, got)
				}
				fire := sched.Next(csvAt) // the injected clock: the run's time
				if l := fire.In(chicago); l.Format("2006-01-02 15:04") != night.day+" 18:00" {
					t.Fatalf("night %d fires at %s", i, l)
				}
				if night.lateFile != "" {
					late = arrive(filepath.Base(night.lateFile), read(night.lateFile), fire.Add(30*time.Minute))
				}
				if night.crashed {
					// Released, then the job died: the files are ordinary
					// received files, and a cycle processes them.
					if n, err := rt.store.ReleaseHeld(ctx, fire); err != nil || n != 2 {
						t.Fatalf("release = %d, %v; want this night's CSV and the late one of the last night", n, err)
					}
					if res, err := rt.engine.Cycle(ctx); err != nil || len(res.Files) != 3 {
						t.Fatalf("cycle after the release: %d files, %v; want the 2 CSVs and the claims CSV's 837", len(res.Files), err)
					}
				}
				var seen *nightly.Report
				for run := 0; run < 2; run++ {
					if err := a.runNightly(ctx, rt, cfg, fire, func(r *nightly.Report) { seen = r }); err != nil {
						t.Fatal(err)
					}
				}
				if seen.Day != night.day || int(seen.To.Sub(seen.From).Hours()) != night.hours || !seen.To.Equal(fire) {
					t.Fatalf("night %d: report %s from %s to %s", i, seen.Day, seen.From, seen.To)
				}
				if len(seen.Submitters) != 1 {
					t.Fatalf("night %d: %d submitters", i, len(seen.Submitters))
				}
				s := seen.Submitters[0]
				if len(s.Files) != 1 || s.Files[0].InboundID != csvFile.ID || s.Files[0].Held || s.Files[0].Pending || s.Files[0].Rows == 0 {
					t.Fatalf("night %d: CSV files in the report %+v", i, s.Files)
				}
				if len(s.X12) != 1 || s.X12[0].InboundID != x12File.ID {
					t.Fatalf("night %d: X12 files in the report %+v", i, s.X12)
				}
				if got := state(csvFile); got != store.InboundProcessed {
					t.Errorf("night %d: CSV %s after the run", i, got)
				}
				if got := state(late); got != night.lateState {
					t.Errorf("night %d: the CSV received after the first cutoff is %s, want %s", i, got, night.lateState)
				}
				// The converted claims are recorded once.
				sub, err := rt.store.CSVSubmissionOfFile(ctx, csvFile.ID)
				if err != nil || sub.DerivedFileID == nil {
					t.Fatalf("night %d: submission %+v, %v", i, sub, err)
				}
				cs, err := rt.store.ListClaims(ctx, store.ClaimFilter{InboundFileID: *sub.DerivedFileID, Limit: 1000})
				if err != nil || len(cs) != sub.Claims {
					t.Errorf("night %d: %d claims of the converted 837 (%v), want %d", i, len(cs), err, sub.Claims)
				}
			}
			reports, err := rt.store.ListOutbound(ctx, store.OutboundFilter{Kind: store.KindReport})
			if err != nil || len(reports) != 8 {
				t.Errorf("%d reports queued (%v), want 4 a night", len(reports), err)
			}
		})
	}
}

// TestNightlyWaitsForOtherEngines: a file received before the run that
// another engine is processing holds the nightly job's report back until
// that engine finishes it.
func TestNightlyWaitsForOtherEngines(t *testing.T) {
	defer func(w, p time.Duration) { settleWait, settlePoll = w, p }(settleWait, settlePoll)
	settleWait, settlePoll = time.Minute, 10*time.Millisecond
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			cfg := config.Default()
			cfg.DataDir = t.TempDir()
			cfg.Database = be.URL(t)
			a := &app{ctx: ctx, stdout: io.Discard, stderr: io.Discard, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			rt, err := a.openRuntime(ctx, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			data, err := os.ReadFile(demo + "acme-837i-20261120-01.x12")
			if err != nil {
				t.Fatal(err)
			}
			sf, err := rt.spool.PutBytes(ctx, "inbound", data)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := rt.store.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a.x12", SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path}); err != nil {
				t.Fatal(err)
			}
			other, err := rt.store.ClaimInbound(ctx, "other-engine", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, _, err := a.processHeld(ctx, rt, time.Now().Add(time.Second))
				done <- err
			}()
			time.Sleep(100 * time.Millisecond)
			select {
			case err := <-done:
				t.Fatalf("processHeld returned (%v) while another engine processes a file of the day", err)
			default:
			}
			if err := rt.store.FinishInbound(ctx, other.ID, "other-engine", store.InboundResult{State: store.InboundProcessed}); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("processHeld still waiting after the file was finished")
			}
		})
	}
}

// TestCSVHoldDecision: with csv_processing nightly, intake and the portal
// hold what csvsub takes as a CSV submission (by name or by content, X12
// content never); with on_arrival nothing is held, and submit processes
// at once.
func TestCSVHoldDecision(t *testing.T) {
	cfg := config.Default()
	hold := csvHold(cfg)
	for _, tt := range []struct {
		name, head string
		want       bool
	}{
		{"claims.csv", "claim_key,frequency_code\n", true},
		{"CLAIMS.CSV", "", true},
		{"results.txt", "member_id,last_name,first_name\n", true},
		{"claims.x12", "ISA*00*          *00*", false},
		{"mislabelled.csv", "\xef\xbb\xbfISA*00*          *00*", false},
		{"notes.txt", "no commas here\n", false},
	} {
		if got := hold(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("hold(%q, %q) = %v, want %v", tt.name, tt.head, got, tt.want)
		}
	}
	cfg.CSVProcessing = config.CSVOnArrival
	if csvHold(cfg) != nil {
		t.Error("on_arrival holds files")
	}
	t.Setenv("CLEARINGHOUSE_CSV_PROCESSING", "on_arrival")
	dir := t.TempDir()
	runStatus := cliRunnerStatus(t, []string{"--config", csvConfig(t, dir), "--data-dir", filepath.Join(dir, "var")})
	if out := runStatus(1, "submit", "claims", "../../csvsub/testdata/claims-mixed.csv", "--partner", "acme"); !strings.Contains(out, "12 rows: 5 accepted, 7 rejected") {
		t.Errorf("submit with on_arrival:\n%s", out)
	}
}

// csvQIConfig is the configuration of the CSV tests under dir: partner
// acme (inbox dir/acme/in, outbox dir/acme/out) and the quality partner
// (outbox dir/quality/out) receiving clinical results, data under
// dir/var, the store at database.
func csvQIConfig(t *testing.T, dir, database string) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "var")
	cfg.Database = database
	cfg.Partners = []config.Partner{
		{ID: "acme", Inbox: "dir:" + filepath.Join(dir, "acme/in"), Outbox: "dir:" + filepath.Join(dir, "acme/out")},
		{ID: "quality", Outbox: "dir:" + filepath.Join(dir, "quality/out")},
	}
	cfg.QIPartner = "quality"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}
