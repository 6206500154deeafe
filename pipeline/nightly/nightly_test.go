package nightly_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/csvsub"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/schedule"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/nightly"
	"github.com/clearinghouse/clearinghouse/roster"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden reports")

var chicago = func() *time.Location {
	l, err := time.LoadLocation("America/Chicago")
	if err != nil {
		panic(err)
	}
	return l
}()

func at(day string, hh, mm, ss int) time.Time {
	d, _ := time.Parse("2006-01-02", day)
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, ss, 0, chicago)
}

type world struct {
	st  *store.Store
	sp  *spool.Spool
	eng *pipeline.Engine
}

func newWorld(t *testing.T, url string) *world {
	t.Helper()
	ctx := context.Background()
	st := dbtest.Open(t, store.Config{URL: url})
	sp, err := spool.New(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../../testdata/roster/alliance-members.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := roster.ImportCSV(ctx, st, f, roster.Opts{Source: "alliance"}); err != nil {
		t.Fatal(err)
	}
	checker, err := roster.NewChecker(st, roster.CheckerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	x12 := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"}, Eligibility: checker, Logger: quiet})
	proc := csvsub.NewProcessor(x12, st, sp, csvsub.ProcessorConfig{Eligibility: checker, Logger: quiet})
	eng, err := pipeline.New(st, sp, proc, []pipeline.Partner{{ID: "acme"}, {ID: "beta"}, {ID: "quality"}}, pipeline.Config{Owner: "test", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return &world{st: st, sp: sp, eng: eng}
}

// receive records a file as received from partner at a given time.
func (w *world) receive(t *testing.T, partner, path string, when time.Time) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sf, err := w.sp.PutBytes(context.Background(), "inbound", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.st.RecordInbound(context.Background(), store.InboundFile{PartnerID: partner, Name: filepath.Base(path),
		SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path, ReceivedAt: when}); err != nil {
		t.Fatal(err)
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; run go test ./pipeline/nightly -update and review the diff\n--- got\n%s", path, got)
	}
}

const day = "2026-11-23"

// mixedDay receives and processes the files of a day with mixed files: a
// CSV with a header row and bad rows, a fully rejected CSV, supplemental
// data, an X12 file with rejected claims, and files just outside the
// window on both sides.
func mixedDay(t *testing.T, w *world) {
	t.Helper()
	w.receive(t, "acme", "../../testdata/demo/acme-837i-20261120-01.x12", at("2026-11-22", 17, 59, 59)) // day before
	w.receive(t, "acme", "../../csvsub/testdata/claims-mixed.csv", at(day, 9, 15, 0))
	w.receive(t, "acme", "testdata/all-bad.csv", at(day, 10, 0, 0))
	w.receive(t, "acme", "../../csvsub/testdata/results-mixed.csv", at(day, 11, 0, 0))
	w.receive(t, "acme", "../../testdata/demo/acme-837p-20261120-02-invalid.x12", at(day, 12, 0, 0))
	w.receive(t, "beta", "../../testdata/demo/acme-837p-20261120-01.x12", at("2026-11-22", 18, 0, 0)) // first instant of the day
	w.receive(t, "beta", "../../testdata/demo/acme-837p-20261122-01-resends.x12", at(day, 18, 0, 0))  // next day
	if _, err := w.eng.ProcessPending(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestMixedDayGolden(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, be.URL(t))
			mixedDay(t, w)
			o := nightly.Options{Location: chicago, TrendThresholdTenths: 200, TrendNights: 3}
			r, err := nightly.Build(ctx, w.st, o, day)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Submitters) != 2 || r.Submitters[0].PartnerID != "acme" || r.Submitters[1].PartnerID != "beta" {
				t.Fatalf("submitters %+v", r.Submitters)
			}
			acme := r.Submitters[0]
			if len(acme.Files) != 3 || len(acme.X12) != 1 || len(r.Submitters[1].X12) != 1 {
				t.Fatalf("acme %d CSV %d X12, beta %d X12", len(acme.Files), len(acme.X12), len(r.Submitters[1].X12))
			}
			// One partner's report reads that partner's files only, and
			// says the same about it.
			po := o
			po.Partner = "beta"
			rb, err := nightly.Build(ctx, w.st, po, day)
			if err != nil {
				t.Fatal(err)
			}
			if len(rb.Submitters) != 1 || rb.Submitters[0].PartnerID != "beta" || len(rb.Submitters[0].X12) != 1 ||
				rb.Submitters[0].Units != r.Submitters[1].Units || rb.Submitters[0].Rejected != r.Submitters[1].Rejected {
				t.Fatalf("beta only: %+v", rb.Submitters)
			}
			for _, s := range r.Submitters {
				var csvOut, htmlOut bytes.Buffer
				if err := nightly.WriteCSV(ctx, &csvOut, w.st, r, s); err != nil {
					t.Fatal(err)
				}
				if err := nightly.WriteHTML(ctx, &htmlOut, w.st, r, s); err != nil {
					t.Fatal(err)
				}
				// Both backends give the same bytes; SQLite writes them.
				if be.Name == "sqlite" || !*update {
					checkGolden(t, "filestatus-"+s.PartnerID+".csv.golden", csvOut.Bytes())
					checkGolden(t, "filestatus-"+s.PartnerID+".html.golden", htmlOut.Bytes())
				}
			}

			// Delivered once to the submitter and once to the quality team,
			// whatever the number of runs.
			for run := 0; run < 2; run++ {
				ds, err := nightly.Deliver(ctx, w.st, w.sp, r, "quality", "")
				if err != nil {
					t.Fatal(err)
				}
				if len(ds) != 8 {
					t.Fatalf("run %d: %d deliveries", run, len(ds))
				}
				for _, d := range ds {
					if d.Queued != (run == 0) {
						t.Errorf("run %d: %+v", run, d)
					}
				}
			}
			q, err := w.st.ListOutbound(ctx, store.OutboundFilter{PartnerID: "quality", Kind: store.KindReport})
			if err != nil {
				t.Fatal(err)
			}
			if len(q) != 4 {
				t.Errorf("quality has %d report files, want 4", len(q))
			}
			// A redelivery makes new names.
			ds, err := nightly.Deliver(ctx, w.st, w.sp, r, "quality", "r1")
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if !d.Queued || !strings.Contains(d.Name, "-r1.") {
					t.Errorf("redelivery %+v", d)
				}
			}
		})
	}
}

// TestReprocessCSVIsIdempotent: processing a CSV file again replaces its
// submission and rows and finds the same derived 837 (no second file, no
// doubled claims).
func TestReprocessCSVIsIdempotent(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, dbtest.SQLiteURL(t))
	mixedDay(t, w)
	before, err := w.st.CSVSubmissionOfFile(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.ResetInbound(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.ProcessFile(ctx, 2); err != nil {
		t.Fatal(err)
	}
	after, err := w.st.CSVSubmissionOfFile(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if *after.DerivedFileID != *before.DerivedFileID || after.RowsRejected != before.RowsRejected || after.Claims != before.Claims {
		t.Errorf("before %+v after %+v", before, after)
	}
	cs, err := w.st.ListClaims(ctx, store.ClaimFilter{InboundFileID: *after.DerivedFileID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 {
		t.Errorf("%d claims in the derived file, want 3", len(cs))
	}
	es, err := w.st.CSVRowErrors(ctx, after.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 8 {
		t.Errorf("%d row errors after reprocess, want 8", len(es))
	}
}

func TestTrendAlert(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, dbtest.SQLiteURL(t))
	mixedDay(t, w)
	o := nightly.Options{Location: chicago, TrendThresholdTenths: 200, TrendNights: 3}
	for _, tt := range []struct {
		name    string
		prior   []store.ReportDay
		flagged bool
	}{
		{"no history", nil, false},
		{"two bad nights before", []store.ReportDay{{Day: "2026-11-22", Rows: 10, RowsRejected: 5}, {Day: "2026-11-21", Rows: 10, RowsRejected: 3}}, true},
		{"a good night breaks it", []store.ReportDay{{Day: "2026-11-22", Rows: 10, RowsRejected: 2}, {Day: "2026-11-21", Rows: 10, RowsRejected: 9}}, false},
		{"a night without files breaks it", []store.ReportDay{{Day: "2026-11-22", Rows: 10, RowsRejected: 5}, {Day: "2026-11-20", Rows: 10, RowsRejected: 9}}, false},
		{"exactly the threshold is not above", []store.ReportDay{{Day: "2026-11-22", Rows: 10, RowsRejected: 5}, {Day: "2026-11-21", Rows: 10, RowsRejected: 2}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := w.st.DB().ExecContext(ctx, `DELETE FROM report_days`); err != nil {
				t.Fatal(err)
			}
			for _, d := range tt.prior {
				d.PartnerID = "acme"
				if err := w.st.PutReportDay(ctx, d); err != nil {
					t.Fatal(err)
				}
			}
			r, err := nightly.Build(ctx, w.st, o, day)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Submitters[0].Flagged; got != tt.flagged {
				t.Errorf("acme flagged %v, want %v (rate %s%%)", got, tt.flagged, r.Submitters[0].RejectRate)
			}
			var buf bytes.Buffer
			if err := nightly.WriteCSV(ctx, &buf, w.st, r, r.Submitters[0]); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "consecutive nights") != tt.flagged {
				t.Errorf("CSV alert line:\n%s", buf.String())
			}
		})
	}
}

// TestNightlyAcrossDST: the 18:00 America/Chicago schedule, with the
// clock injected (each tick is the schedule's next time after the
// previous one), fires at 18:00 local on both sides of the DST changes,
// each run reports on its own local day, and the windows are 25 hours
// (fall back) and 23 hours (spring forward) long, back to back.
func TestNightlyAcrossDST(t *testing.T) {
	sched, err := schedule.Parse("CRON_TZ=America/Chicago 0 18 * * *")
	if err != nil {
		t.Fatal(err)
	}
	o := nightly.Options{Location: chicago}
	for _, tt := range []struct {
		start string
		hours []int // window lengths of the runs
	}{
		{"2026-10-31", []int{24, 25, 24}}, // CDT → CST on Sunday 2026-11-01
		{"2026-03-07", []int{24, 23, 24}}, // CST → CDT on Sunday 2026-03-08
	} {
		now := at(tt.start, 12, 0, 0)
		var prevEnd time.Time
		for i, want := range tt.hours {
			now = sched.Next(now) // the injected clock: the run's time
			local := now.In(chicago)
			if local.Hour() != 18 || local.Minute() != 0 {
				t.Fatalf("run at %s local", local)
			}
			d := nightly.DayAt(o, now)
			if d != local.Format("2006-01-02") {
				t.Errorf("run at %s reports on %s", local, d)
			}
			from, to, err := nightly.Window(o, d)
			if err != nil {
				t.Fatal(err)
			}
			if !to.Equal(now) || int(to.Sub(from).Hours()) != want || to.Sub(from)%time.Hour != 0 {
				t.Errorf("run %d %s: window %s → %s (%s), want %dh ending at the run", i, d, from, to, to.Sub(from), want)
			}
			if !prevEnd.IsZero() && !from.Equal(prevEnd) {
				t.Errorf("run %d: window starts %s, previous ended %s", i, from, prevEnd)
			}
			prevEnd = to
			// A file received a second before the run is in this report,
			// one at the run's instant in the next.
			if got := nightly.DayOf(o, now.Add(-time.Second)); got != d {
				t.Errorf("file at %s in report %s, want %s", now.Add(-time.Second), got, d)
			}
			if got := nightly.DayOf(o, now); got == d {
				t.Errorf("file at the cutoff in report %s", got)
			}
		}
	}
}

// TestHeldFileInReport: a report built before the nightly run (report
// nightly for today, the portal) lists a CSV submission still held as a
// held file with no rows counted, not as an X12 file.
func TestHeldFileInReport(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, be.URL(t))
			data, err := os.ReadFile("../../csvsub/testdata/claims-mixed.csv")
			if err != nil {
				t.Fatal(err)
			}
			sf, err := w.sp.PutBytes(ctx, "inbound", data)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "claims-mixed.csv",
				SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path, ReceivedAt: at(day, 9, 15, 0), State: store.InboundHeld}); err != nil {
				t.Fatal(err)
			}
			r, err := nightly.Build(ctx, w.st, nightly.Options{Location: chicago}, day)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Submitters) != 1 || len(r.Submitters[0].X12) != 0 || len(r.Submitters[0].Files) != 1 {
				t.Fatalf("report %+v", r.Submitters)
			}
			s := r.Submitters[0]
			if f := s.Files[0]; !f.Held || f.Rows != 0 || f.Name != "claims-mixed.csv" || s.Units != 0 {
				t.Fatalf("held file %+v, units %d", f, s.Units)
			}
			var csvOut, htmlOut bytes.Buffer
			if err := nightly.WriteCSV(ctx, &csvOut, w.st, r, s); err != nil {
				t.Fatal(err)
			}
			if err := nightly.WriteHTML(ctx, &htmlOut, w.st, r, s); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(csvOut.String(), "held: processed at the nightly run") || !strings.Contains(htmlOut.String(), "Held: the file is processed at the nightly run") {
				t.Errorf("reports do not say the file is held:\n%s\n%s", csvOut.String(), htmlOut.String())
			}
		})
	}
}
