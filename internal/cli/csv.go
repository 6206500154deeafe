package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/csvsub"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/schedule"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/nightly"
	"github.com/clearinghouse/clearinghouse/roster"
)

// csvProcessor wraps the X12 processor with the CSV submission processor
// (docs/csv.md).
func (a *app) csvProcessor(cfg config.Config, st *store.Store, sp *spool.Spool, proc *pipeline.Processor, checker *roster.Checker) pipeline.FileProcessor {
	pc := csvsub.ProcessorConfig{
		Identity: pipeline.Identity{Qualifier: cfg.Identity.Qualifier, ID: cfg.Identity.ID, Name: cfg.Identity.Name},
		Usage:    cfg.Usage,
		Logger:   a.logger,
		Progress: a.fileProgress(),
	}
	for _, p := range cfg.Partners {
		if len(p.SenderIDs) > 0 {
			if pc.SenderIDs == nil {
				pc.SenderIDs = map[string][]string{}
			}
			pc.SenderIDs[p.ID] = p.SenderIDs
		}
	}
	if checker != nil {
		pc.Eligibility = checker
	}
	return csvsub.NewProcessor(proc, st, sp, pc)
}

// nightlyOptions derives the report window from the nightly_report
// schedule: its CRON_TZ zone and, for a daily "M H * * *" spec, its time as
// the cutoff (default 18:00).
func nightlyOptions(cfg config.Config) (nightly.Options, error) {
	o := nightly.Options{
		TrendThresholdTenths: int(math.Round(cfg.Trend.RejectRateAbove * 10)),
		TrendNights:          cfg.Trend.Nights,
	}
	spec := strings.TrimSpace(cfg.Schedules.NightlyReport)
	if rest, ok := strings.CutPrefix(spec, "CRON_TZ="); ok {
		zone, tail, _ := strings.Cut(rest, " ")
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return o, fmt.Errorf("nightly_report schedule: %w", err)
		}
		o.Location, spec = loc, strings.TrimSpace(tail)
	}
	if f := strings.Fields(spec); len(f) == 5 && f[2] == "*" && f[3] == "*" && f[4] == "*" {
		m, err1 := strconv.Atoi(f[0])
		h, err2 := strconv.Atoi(f[1])
		if err1 == nil && err2 == nil && m >= 0 && m < 60 && h >= 0 && h < 24 {
			o.CutoffHour, o.CutoffMinute, o.HasCutoff = h, m, true
		}
	}
	return o, nil
}

// csvHold is the hold decision of intake and the portal: with
// csv_processing nightly, CSV submissions (csvsub.IsSubmission) are
// recorded held until the nightly job; nil (hold nothing) with
// on_arrival.
func csvHold(cfg config.Config) func(name string, head []byte) bool {
	if cfg.CSVProcessing == config.CSVOnArrival {
		return nil
	}
	return csvsub.IsSubmission
}

// settleWait bounds how long the nightly job waits for files that other
// engines are still processing before it writes the reports, and
// settlePoll is how often it looks.
var settleWait, settlePoll = 5 * time.Minute, time.Second

// processHeld releases the CSV submissions held up to now (the nightly
// run's share: the day's submissions) and processes every file waiting,
// those included, with their converted 837s. Then it waits, at most
// settleWait, while files received up to now are still being processed
// by other engines, so that a report built next covers them. A crash
// after the release leaves the released files received: any cycle (or
// the next run) processes them, once.
func (a *app) processHeld(ctx context.Context, rt *runtime, now time.Time) (released int64, results []pipeline.FileResult, err error) {
	released, err = rt.store.ReleaseHeld(ctx, now)
	if err != nil {
		return 0, nil, err
	}
	if released > 0 {
		a.logger.InfoContext(ctx, "held CSV submissions released for processing", slog.Int64("files", released))
	}
	deadline := time.Now().Add(settleWait)
	for {
		res, err := rt.engine.ProcessPending(ctx)
		results = append(results, res...)
		if err != nil {
			return released, results, err
		}
		n, err := rt.store.CountInFlight(ctx, now)
		if err != nil {
			return released, results, err
		}
		if n == 0 && len(res) == 0 {
			return released, results, nil
		}
		if time.Now().After(deadline) {
			if n > 0 {
				a.logger.WarnContext(ctx, "files still being processed by other engines; reporting without waiting longer", slog.Int("files", n))
			}
			return released, results, nil
		}
		if n > 0 {
			select {
			case <-ctx.Done():
				return released, results, ctx.Err()
			case <-time.After(settlePoll):
			}
		}
	}
}

// runNightly is the nightly job: the CSV submissions held up to now are
// released and processed with whatever else is waiting (processHeld),
// then the daily JSON summary is written and every submitter's
// file-status reports are queued to it and to qi_partner (exactly once:
// the names are keyed by day and submitter).
func (a *app) runNightly(ctx context.Context, rt *runtime, cfg config.Config, now time.Time, obs func(*nightly.Report)) error {
	if _, _, err := a.processHeld(ctx, rt, now); err != nil {
		return err
	}
	if _, err := pipeline.WriteDailyReport(ctx, rt.store, filepath.Join(cfg.DataDir, "reports"), now); err != nil {
		return err
	}
	o, err := nightlyOptions(cfg)
	if err != nil {
		return err
	}
	day := nightly.DayAt(o, now)
	r, err := nightly.Build(ctx, rt.store, o, day)
	if err != nil {
		return err
	}
	if obs != nil {
		obs(r)
	}
	ds, err := nightly.Deliver(ctx, rt.store, rt.spool, r, cfg.QIPartner, "")
	if err != nil {
		return err
	}
	queued := 0
	for _, d := range ds {
		if d.Queued {
			queued++
		}
	}
	a.logger.InfoContext(ctx, "nightly file-status reports", slog.String("day", day), slog.Int("submitters", len(r.Submitters)), slog.Int("queued", queued))
	return nil
}

func (a *app) csvCommands() []*cobra.Command {
	return []*cobra.Command{a.submitCmd(), a.resultsCmd(), a.reportCmd()}
}

func (a *app) submitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit claims|results FILE.csv --partner P [--now] [--json]",
		Short: "Submit a CSV file (batch claims or supplemental clinical data) as partner P",
		Long: `submit records FILE.csv as received from --partner, exactly as if it had been
dropped in the partner's inbox. With csv_processing nightly (the default) the
file is held: the nightly_report job processes it with the other submissions
of the day, just before it writes the file-status reports; submit prints the
inbound file ID and when that run is (` + "`clearinghouse files release ID`" + ` processes
a held file earlier). With --now (or csv_processing on_arrival) it processes
the file at once: a claims file is converted to an 837P that is processed
like any 837 (999, 277CA, claim rules; the repricing and routing happen on
the next cycle), a results file's rows are checked against the roster and
stored; it prints the row report: every rejected row with its column and
reason. Outbound files (acknowledgments, the nightly file status) wait in
the partner's outbox queue. The layouts are in docs/csv.md.

Exit status: 0 held, or every row accepted (a header row does not count); 1
some row or converted claim rejected, or the file was already submitted
(--now processes an already submitted file that is still held); 2 unreadable
file, wrong layout or bad usage.`,
		Args: cobra.ExactArgs(2),
	}
	var partner string
	var asJSON, now bool
	cmd.Flags().StringVar(&partner, "partner", "", "partner the file comes from (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the submission and its rejected rows as JSON")
	cmd.Flags().BoolVar(&now, "now", false, "process the file at once instead of holding it for the nightly run (csv_processing nightly)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		layout := args[0]
		if layout != store.LayoutClaims && layout != store.LayoutResults {
			return usageError("submit: want claims or results, not %q", layout)
		}
		if partner == "" {
			return usageError("submit: --partner is required")
		}
		cfg, err := a.loadConfig()
		if err != nil {
			return err
		}
		a.batch = true // byte progress bars while the file is processed
		f, err := openRegular(args[1])
		if err != nil {
			return &ExitError{Code: 2, Err: err}
		}
		head := make([]byte, 4096)
		n, _ := io.ReadFull(f, head)
		if got := csvsub.DetectLayout(head[:n]); got != layout {
			f.Close()
			return usageError("submit: %s looks like a %s file, not %s", filepath.Base(args[1]), got, layout)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return err
		}
		local := cfg
		local.Partners = nil
		rt, err := a.openRuntime(ctx, local, 0)
		if err != nil {
			f.Close()
			return err
		}
		defer rt.Close()
		sf, err := rt.spool.Put(ctx, "inbound", f)
		f.Close()
		if err != nil {
			return err
		}
		name := filepath.Base(args[1])
		if !strings.HasSuffix(strings.ToLower(name), ".csv") {
			name += ".csv"
		}
		abs, _ := filepath.Abs(args[1])
		in := store.InboundFile{PartnerID: partner, Name: name, RemotePath: abs, SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path}
		hold := csvHold(cfg) != nil && !now
		if hold {
			in.State = store.InboundHeld
		}
		rec, created, err := rt.store.RecordInbound(ctx, in)
		if err != nil {
			return err
		}
		switch {
		case created && hold:
			return a.printHeld(cfg, name, layout, rec, asJSON)
		case created, rec.State == store.InboundReceived:
			// Recorded before but never processed (a crash): process it.
		case rec.State == store.InboundHeld && now:
			if err := releaseHeldFile(ctx, rt.store, rec.ID); err != nil {
				return err
			}
		default:
			fmt.Fprintf(a.stderr, "clearinghouse: %s: already submitted as inbound file %d (%s)\n", args[1], rec.ID, rec.State)
			return exitCode(1)
		}
		results, err := a.processCSV(ctx, rt, rec.ID)
		a.progressDone()
		if err != nil {
			return err
		}
		sub, err := rt.store.CSVSubmissionOfFile(ctx, rec.ID)
		if err != nil {
			return err
		}
		// The rejected rows are read page by page and written as they
		// come: a large bad file does not fill memory.
		eachRowError := func(fn func(store.CSVRowError) error) error {
			for after := 0; ; {
				es, err := rt.store.CSVRowErrors(ctx, sub.ID, after, 1000)
				if err != nil || len(es) == 0 {
					return err
				}
				for _, e := range es {
					if err := fn(e); err != nil {
						return err
					}
				}
				after = es[len(es)-1].Row
			}
		}
		if asJSON {
			if err := writeSubmitJSON(a.stdout, sub, eachRowError, results); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(a.stdout, "%s: %s, %d rows: %d accepted, %d rejected", name, sub.Layout, sub.Rows, sub.RowsAccepted, sub.RowsRejected)
			if sub.Rows > 0 {
				fmt.Fprintf(a.stdout, " (acceptance rate %s%%)", pipeline.Percent(sub.RowsAccepted, sub.Rows))
			}
			fmt.Fprintln(a.stdout)
			if err := eachRowError(func(e store.CSVRowError) error {
				col := e.Column
				if col == "" {
					col = "-"
				}
				_, err := fmt.Fprintf(a.stdout, "  row %d  %s  %s: %s\n", e.Row, col, e.Code, e.Reason)
				return err
			}); err != nil {
				return err
			}
			for _, r := range results {
				printFile(a.stdout, r)
			}
		}
		if sub.RowsRejected > results[0].Outcomes[csvsub.OutcomeHeader] {
			return exitCode(1) // a header row is rejected, but not an error
		}
		for _, r := range results[1:] {
			if r.Counts.ClaimsRejected > 0 || r.State != store.InboundProcessed {
				return exitCode(1)
			}
		}
		return nil
	}
	return cmd
}

// releaseHeldFile releases one held file for processing now, with its
// audit entry.
func releaseHeldFile(ctx context.Context, st *store.Store, id int64) error {
	if err := st.ReleaseHeldFile(ctx, id); err != nil {
		return err
	}
	_ = st.Audit(ctx, store.AuditEntry{Actor: "cli", Action: "inbound.release", Entity: "inbound_file", EntityID: strconv.FormatInt(id, 10)})
	return nil
}

// printHeld tells the submitter its file is held for the nightly run:
// which inbound file it is and when that run is.
func (a *app) printHeld(cfg config.Config, name, layout string, rec *store.InboundFile, asJSON bool) error {
	next := nextNightly(cfg, time.Now())
	if asJSON {
		doc := struct {
			InboundID  int64      `json:"inbound_id"`
			Name       string     `json:"name"`
			Layout     string     `json:"layout"`
			State      string     `json:"state"`
			NightlyRun *time.Time `json:"nightly_run"`
		}{rec.ID, name, layout, string(rec.State), nil}
		if !next.IsZero() {
			doc.NightlyRun = &next
		}
		return json.NewEncoder(a.stdout).Encode(doc)
	}
	when := "no nightly_report schedule is configured"
	if !next.IsZero() {
		when = "the nightly run is at " + next.Format(time.RFC3339)
	}
	fmt.Fprintf(a.stdout, "%s: %s, received as inbound file %d and held: it is processed at the nightly run, with the file-status report (%s)\n", name, layout, rec.ID, when)
	fmt.Fprintf(a.stdout, "  process it now: clearinghouse files release %d\n", rec.ID)
	return nil
}

// nextNightly is the next run of the nightly_report schedule after t, zero
// when there is none.
func nextNightly(cfg config.Config, t time.Time) time.Time {
	if cfg.Schedules.NightlyReport == "" {
		return time.Time{}
	}
	sch, err := schedule.Parse(cfg.Schedules.NightlyReport)
	if err != nil {
		return time.Time{}
	}
	o, err := nightlyOptions(cfg)
	if err != nil || o.Location == nil {
		return sch.Next(t)
	}
	return sch.Next(t).In(o.Location)
}

// filesReleaseCmd is `files release`: held CSV submissions processed now
// instead of at the nightly run.
func (a *app) filesReleaseCmd() *cobra.Command {
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "release FILE_ID... | --all",
		Short: "Process held CSV submissions now instead of at the nightly run",
		Long: `release makes held files (CSV submissions waiting for the nightly run,
csv_processing nightly) ordinary received files and processes them at once,
each with the 837 converted from it, exactly as the nightly job would; --all
releases every held file and processes everything waiting. The day's
file-status report still comes at the nightly run, and lists them. A file
that is not held is an error (reprocess processes a finished file again).

Exit status: 0 every file processed; 1 a file is not held, or could not be
processed (retrying or quarantined: see clearinghouse file ID); 2 bad usage.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if all == (len(args) > 0) {
				return usageError("files release: give FILE_IDs or --all")
			}
			var ids []int64
			for _, arg := range args {
				id, err := strconv.ParseInt(arg, 10, 64)
				if err != nil {
					return usageError("FILE_ID %q must be a number", arg)
				}
				ids = append(ids, id)
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			local := cfg
			local.Partners = nil // nothing is polled or delivered
			a.batch = true       // byte progress bars while files are processed
			rt, err := a.openRuntime(ctx, local, 0)
			if err != nil {
				return err
			}
			defer rt.Close()
			var results []pipeline.FileResult
			var errs []error
			if all {
				n, err := rt.store.ReleaseHeld(ctx, rt.store.Now())
				if err != nil {
					return err
				}
				_ = rt.store.Audit(ctx, store.AuditEntry{Actor: "cli", Action: "inbound.release", Entity: "inbound_file", EntityID: "all", Detail: fmt.Sprintf("files=%d", n)})
				if results, err = rt.engine.ProcessPending(ctx); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "released %d held file(s)\n", n)
			}
			for _, id := range ids {
				if err := releaseHeldFile(ctx, rt.store, id); err != nil {
					errs = append(errs, err)
					continue
				}
				rs, err := a.processCSV(ctx, rt, id)
				a.progressDone()
				results = append(results, rs...)
				if err != nil {
					errs = append(errs, err)
				}
			}
			if asJSON {
				if results == nil {
					results = []pipeline.FileResult{}
				}
				if err := json.NewEncoder(a.stdout).Encode(results); err != nil {
					return err
				}
			} else {
				printFiles(a.stdout, results)
			}
			for _, r := range results {
				if r.State == store.InboundRetrying || r.State == store.InboundQuarantined || r.State == store.InboundFailed {
					errs = append(errs, fmt.Errorf("inbound file %d: %s", r.InboundID, r.State))
				}
			}
			if len(errs) > 0 {
				return &ExitError{Code: 1, Err: errors.Join(errs...)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "release every held file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output: the processed files' results")
	return cmd
}

// writeSubmitJSON writes the `submit --json` document, {"submission": ...,
// "rejected_rows": [...], "files": [...]}, streaming the rows.
func writeSubmitJSON(w io.Writer, sub *store.CSVSubmission, each func(func(store.CSVRowError) error) error, files []pipeline.FileResult) error {
	bw := bufio.NewWriter(w)
	subJSON, err := json.Marshal(sub)
	if err != nil {
		return err
	}
	bw.WriteString(`{"submission":`)
	bw.Write(subJSON)
	bw.WriteString(`,"rejected_rows":[`)
	n := 0
	if err := each(func(e store.CSVRowError) error {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		_, err = bw.Write(b)
		return err
	}); err != nil {
		return err
	}
	filesJSON, err := json.Marshal(files)
	if err != nil {
		return err
	}
	bw.WriteString(`],"files":`)
	bw.Write(filesJSON)
	bw.WriteString("}\n")
	return bw.Flush()
}

// processCSV processes inbound file id and, when it is a CSV claims file,
// the 837 converted from it; it returns both results.
func (a *app) processCSV(ctx context.Context, rt *runtime, id int64) ([]pipeline.FileResult, error) {
	res, err := rt.engine.ProcessFile(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []pipeline.FileResult{res}
	d, err := derivedFile(ctx, rt.store, res)
	if err != nil || d == 0 {
		return out, err
	}
	dres, err := rt.engine.ProcessFile(ctx, d)
	if err != nil {
		return out, err
	}
	return append(out, dres), nil
}

// derivedFile returns the ID of the 837 converted from the CSV file of
// res, 0 when there is none (not a CSV file, or no valid claim).
func derivedFile(ctx context.Context, st *store.Store, res pipeline.FileResult) (int64, error) {
	if _, isCSV := res.Outcomes[csvsub.OutcomeRows]; !isCSV {
		return 0, nil
	}
	sub, err := st.CSVSubmissionOfFile(ctx, res.InboundID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil || sub.DerivedFileID == nil {
		return 0, err
	}
	d, err := st.GetInbound(ctx, *sub.DerivedFileID)
	if err != nil {
		return 0, err
	}
	if d.State != store.InboundReceived {
		return 0, nil // processed already (a resubmission)
	}
	return d.ID, nil
}

func (a *app) resultsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "results", Short: "Supplemental clinical data stored from CSV submissions"}
	var from, to, format, partner, out string
	export := &cobra.Command{
		Use:   "export --from YYYY-MM-DD --to YYYY-MM-DD [--format csv] [--partner P] [--out FILE]",
		Short: "Export the stored clinical results with service dates in [from, to] as CSV",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "csv" {
				return usageError("results export: --format must be csv")
			}
			var f, t string
			for _, d := range []struct {
				flag, v string
				dst     *string
			}{{"--from", from, &f}, {"--to", to, &t}} {
				if d.v == "" {
					continue
				}
				tm, err := time.Parse("2006-01-02", d.v)
				if err != nil {
					return usageError("results export: %s %q: want YYYY-MM-DD", d.flag, d.v)
				}
				*d.dst = tm.Format("20060102")
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			w := a.stdout
			if out != "" {
				fh, err := os.Create(out)
				if err != nil {
					return err
				}
				defer fh.Close()
				w = fh
			}
			n, err := exportResults(cmd.Context(), st, w, store.ClinicalResultFilter{From: f, To: t, PartnerID: partner})
			if err != nil {
				return err
			}
			if out != "" {
				fmt.Fprintf(a.stderr, "%d result(s) written to %s\n", n, out)
			}
			return nil
		},
	}
	export.Flags().StringVar(&from, "from", "", "first service date (YYYY-MM-DD)")
	export.Flags().StringVar(&to, "to", "", "last service date (YYYY-MM-DD)")
	export.Flags().StringVar(&format, "format", "csv", "output format: csv")
	export.Flags().StringVar(&partner, "partner", "", "only this submitter's results")
	export.Flags().StringVar(&out, "out", "", "write to FILE instead of stdout")
	cmd.AddCommand(export)
	return cmd
}

// ResultsExportHeader is the header of `results export --format csv`.
var ResultsExportHeader = []string{"member_id", "last_name", "first_name", "dob", "service_date", "code_system", "code",
	"value", "unit", "rendering_npi", "submitter", "submission_id", "row", "member_tpa"}

// exportResults writes the clinical results of f as CSV, page by page.
func exportResults(ctx context.Context, st *store.Store, w io.Writer, f store.ClinicalResultFilter) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(ResultsExportHeader); err != nil {
		return 0, err
	}
	iso := func(d string) string {
		if len(d) != 8 {
			return d
		}
		return d[:4] + "-" + d[4:6] + "-" + d[6:]
	}
	n := 0
	f.Limit = 1000
	for {
		rs, err := st.ListClinicalResults(ctx, f)
		if err != nil {
			return n, err
		}
		if len(rs) == 0 {
			break
		}
		for _, r := range rs {
			if err := cw.Write([]string{r.MemberID, r.LastName, r.FirstName, iso(r.DOB), iso(r.ServiceDate), r.CodeSystem, r.Code,
				r.Value, r.Unit, r.RenderingNPI, r.PartnerID, strconv.FormatInt(r.SubmissionID, 10), strconv.Itoa(r.Row), r.MemberTPA}); err != nil {
				return n, err
			}
			n++
			f.AfterID = r.ID
		}
	}
	cw.Flush()
	return n, cw.Error()
}

func (a *app) reportCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "Reports: the nightly file-status reports"}
	var day, partner, out string
	var deliver, redeliver bool
	nightlyCmd := &cobra.Command{
		Use:   "nightly [--date YYYY-MM-DD] [--partner P] [--out DIR] [--deliver | --redeliver]",
		Short: "Regenerate the file-status reports of a day (CSV and HTML per submitter)",
		Long: `report nightly builds the file-status reports of one report day (default: the
last day whose cutoff has passed; the day ends at the nightly_report time in
its CRON_TZ zone) and writes them to --out (default <data-dir>/reports/<day>/)
as filestatus-<day>-<submitter>.csv and .html. It delivers nothing unless
asked: --deliver queues them to each submitter and qi_partner under the
nightly job's names (a no-op when that night was delivered already),
--redeliver under new names (a deliberate second delivery).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if deliver && redeliver {
				return usageError("report nightly: --deliver and --redeliver exclude each other")
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			o, err := nightlyOptions(cfg)
			if err != nil {
				return err
			}
			if day == "" {
				day = nightly.DayAt(o, time.Now())
			} else if _, _, err := nightly.Window(o, day); err != nil {
				return usageError("report nightly: %v", err)
			}
			st, err := a.openStore(cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			o.Partner = partner
			r, err := nightly.Build(ctx, st, o, day)
			if err != nil {
				return err
			}
			if out == "" {
				out = filepath.Join(cfg.DataDir, "reports", day)
			}
			if err := os.MkdirAll(out, 0o750); err != nil {
				return err
			}
			for _, s := range r.Submitters {
				base := filepath.Join(out, nightly.Names(day, s.PartnerID, ""))
				for _, f := range []struct {
					ext   string
					write func(io.Writer) error
				}{
					{".csv", func(w io.Writer) error { return nightly.WriteCSV(ctx, w, st, r, s) }},
					{".html", func(w io.Writer) error { return nightly.WriteHTML(ctx, w, st, r, s) }},
				} {
					if err := writeFileAtomic(base+f.ext, f.write); err != nil {
						return err
					}
				}
				flag := ""
				if s.Flagged {
					flag = "  TREND ALERT"
				}
				fmt.Fprintf(a.stdout, "%s: %d CSV file(s), %d X12 file(s), %d rows and claims, %d rejected%s\n",
					s.PartnerID, len(s.Files), len(s.X12), s.Units, s.Rejected, flag)
			}
			fmt.Fprintf(a.stdout, "report day %s (%s to %s): %d submitter(s), written to %s\n", day,
				r.From.Format(time.RFC3339), r.To.Format(time.RFC3339), len(r.Submitters), out)
			if deliver || redeliver {
				sp, err := spool.New(filepath.Join(cfg.DataDir, "spool"))
				if err != nil {
					return err
				}
				suffix := ""
				if redeliver {
					suffix = "r" + time.Now().UTC().Format("20060102T150405")
				}
				ds, err := nightly.Deliver(ctx, st, sp, r, cfg.QIPartner, suffix)
				if err != nil {
					return err
				}
				for _, d := range ds {
					state := "queued"
					if !d.Queued {
						state = "already queued (not sent twice)"
					}
					fmt.Fprintf(a.stdout, "  %s/%s: %s\n", d.Partner, d.Name, state)
				}
			}
			return nil
		},
	}
	f := nightlyCmd.Flags()
	f.StringVar(&day, "date", "", "report day YYYY-MM-DD (default the last day whose cutoff has passed)")
	f.StringVar(&partner, "partner", "", "only this submitter")
	f.StringVar(&out, "out", "", "directory for the report files (default <data-dir>/reports/<day>)")
	f.BoolVar(&deliver, "deliver", false, "queue the reports under the nightly names (no-op when delivered already)")
	f.BoolVar(&redeliver, "redeliver", false, "queue the reports again under new names")
	cmd.AddCommand(nightlyCmd)
	return cmd
}

// writeFileAtomic writes path through a temporary file and a rename.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	fh, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if err := write(fh); err != nil {
		fh.Close()
		os.Remove(tmp)
		return err
	}
	if err := fh.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// demoFileStatus writes today's file-status reports (what the nightly job
// delivers at 18:00) under dir and prints where they are.
func (a *app) demoFileStatus(ctx context.Context, rt *runtime, cfg config.Config, dir string) error {
	o, err := nightlyOptions(cfg)
	if err != nil {
		return err
	}
	day := nightly.DayOf(o, time.Now())
	r, err := nightly.Build(ctx, rt.store, o, day)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nfile-status reports of %s (the nightly job delivers them at the cutoff):\n", day)
	for _, s := range r.Submitters {
		base := filepath.Join(dir, nightly.Names(day, s.PartnerID, ""))
		if err := writeFileAtomic(base+".csv", func(w io.Writer) error { return nightly.WriteCSV(ctx, w, rt.store, r, s) }); err != nil {
			return err
		}
		if err := writeFileAtomic(base+".html", func(w io.Writer) error { return nightly.WriteHTML(ctx, w, rt.store, r, s) }); err != nil {
			return err
		}
		for _, f := range s.Files {
			fmt.Fprintf(a.stdout, "  %s/%s: %d rows, %d accepted, %d rejected (acceptance rate %s%%)\n", s.PartnerID, f.Name, f.Rows, f.Accepted, f.Rejected, f.Rate)
		}
		fmt.Fprintf(a.stdout, "  %s.csv / .html\n", base)
	}
	return nil
}
