package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/csvsub"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/metrics"
	"github.com/clearinghouse/clearinghouse/internal/schedule"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
	"github.com/clearinghouse/clearinghouse/transport/dir"
	"github.com/clearinghouse/clearinghouse/web"
)

func (a *app) cycleCmd() *cobra.Command {
	var (
		asJSON bool
		settle time.Duration
	)
	cmd := &cobra.Command{
		Use:   "cycle",
		Short: "Run one poll → process → deliver cycle for every partner, then exit",
		Long: `cycle polls every partner inbox once, processes every received file and
delivers every queued outbound file, then exits: what a batch operator runs
from their own scheduler. Exit status 1 when a partner could not be polled
or a delivery failed (the work is retried by the next cycle), or when a file
could not be processed (it is retried with backoff, or quarantined after
max_attempts: see ` + "`clearinghouse files --state quarantined`" + `).
CSV submissions are held for the nightly run (csv_processing nightly): a
batch operator runs ` + "`clearinghouse files release --all`" + ` and
` + "`clearinghouse report nightly --deliver`" + ` at the cutoff.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			rt, err := a.openRuntime(cmd.Context(), cfg, settle)
			if err != nil {
				return err
			}
			defer rt.Close()
			if err := rt.engine.ReclaimLeases(cmd.Context()); err != nil {
				return err
			}
			res, err := rt.engine.Cycle(cmd.Context())
			a.collectSpool(cmd.Context(), rt.spool)
			if asJSON {
				if jerr := json.NewEncoder(a.stdout).Encode(res); jerr != nil {
					return jerr
				}
			} else {
				printCycle(a.stdout, res)
			}
			if err != nil {
				return err
			}
			if res.Failed > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON summary")
	cmd.Flags().DurationVar(&settle, "settle", 2*time.Second, "pause between the two inbox listings that detect files still being written")
	return cmd
}

func (a *app) runCmd() *cobra.Command {
	var (
		grace       time.Duration
		metricsAddr string
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the engine: scheduled polls, deliveries and nightly jobs until SIGINT/SIGTERM",
		Long: `run keeps the engine going on the configured cron schedules (robfig/cron;
CRON_TZ= prefixes are honoured): poll (poll → process → deliver), deliver
(retry pending deliveries) and the nightly report (the CSV submissions held
for it are processed first). On SIGINT or SIGTERM it
stops scheduling, lets running jobs finish for --grace, then tells them to
abandon their work: every stage is restartable, so abandoned files are
picked up again by the next run (or another engine process).

With metrics_addr (or --metrics-addr) set, it serves Prometheus metrics on
/metrics and health checks on /healthz and /readyz (docs/operations.md).
With realtime_addr set, it also answers real-time 270/276 inquiries on
POST /x12/realtime (see serve). With web.addr set, it serves the web
portal (docs/portal.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("metrics-addr") {
				if err := config.ValidateMetricsAddr(metricsAddr); err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				cfg.MetricsAddr = metricsAddr
			}
			rt, err := a.openRuntime(cmd.Context(), cfg, 2*time.Second)
			if err != nil {
				return err
			}
			defer rt.Close()
			if err := rt.engine.ReclaimLeases(cmd.Context()); err != nil {
				return err
			}
			m := metrics.New(metrics.Options{Store: rt.store, Logger: a.logger})
			var srv *metrics.Server
			if cfg.MetricsAddr != "" {
				srv, err = metrics.Listen(cfg.MetricsAddr, m.Handler(), a.logger)
				if err != nil {
					return err
				}
				defer srv.Close()
				a.logger.Info("metrics listening", "addr", srv.Addr().String(), "paths", "/metrics /healthz /readyz")
			}
			if cfg.Realtime.Addr != "" {
				rts, err := a.listenRealtime(cfg, rt.store, rt.checker)
				if err != nil {
					return err
				}
				defer rts.Close()
				defer func() { // requests in flight finish first
					ctx, cancel := context.WithTimeout(context.Background(), grace)
					defer cancel()
					_ = rts.Shutdown(ctx)
				}()
			}
			s := schedule.New(a.logger)
			gcSpec := "" // only PostgreSQL keeps spool garbage
			if rt.store.Dialect() == store.DialectPostgres {
				gcSpec = spoolGCEvery
			}
			jobs := []struct {
				name, spec string
				job        schedule.Job
			}{
				{"poll", cfg.Schedules.Poll, func(ctx context.Context) error {
					res, err := rt.engine.Cycle(ctx)
					m.ObserveCycle(res)
					return err
				}},
				{"deliver", cfg.Schedules.Deliver, func(ctx context.Context) error {
					res, err := rt.engine.Deliver(ctx)
					m.ObserveDeliver(res)
					return err
				}},
				{"roster-refresh", cfg.Schedules.RosterRefresh, func(ctx context.Context) error {
					return rt.refreshRosters(ctx, a.logger)
				}},
				{"nightly-report", cfg.Schedules.NightlyReport, func(ctx context.Context) error {
					return a.runNightly(ctx, rt, cfg, time.Now(), m.ObserveNightly)
				}},
				{"spool-gc", gcSpec, func(ctx context.Context) error {
					a.collectSpool(ctx, rt.spool)
					return nil
				}},
				{"user-inactivity", cfg.Schedules.UserInactivity, web.LifecycleJob(rt.store, a.logger)},
			}
			for _, j := range jobs {
				if j.spec == "" {
					continue // disabled
				}
				if err := s.Add(j.name, j.spec, m.Job(j.name, j.job)); err != nil {
					return err
				}
			}
			var portal *web.HTTPServer
			if cfg.Web.Addr != "" {
				var err error
				if portal, err = a.servePortal(cfg, rt, cfg.Web.Addr); err != nil {
					return err
				}
				defer portal.Close()
			}
			s.Start()
			a.logger.Info("engine running", "instance", cfg.Instance, "partners", len(cfg.Partners))
			for _, j := range jobs {
				if next, ok := s.Next(j.name); ok {
					a.logger.Info("scheduled", "job", j.name, "spec", j.spec, "next", next.Format(time.RFC3339))
				}
			}
			<-cmd.Context().Done()
			a.logger.Info("shutting down", "grace", grace.String())
			m.SetShuttingDown()
			ctx, cancel := context.WithTimeout(context.Background(), grace)
			defer cancel()
			if portal != nil {
				// No new portal requests; those in flight (an upload being
				// processed) get the grace period.
				if err := portal.Shutdown(ctx); err != nil {
					a.logger.Warn("portal shutdown", "error", err.Error())
				}
			}
			s.Stop(ctx)
			if srv != nil {
				// Metrics stay up while the jobs drain; then the server
				// gets what is left of the grace period.
				if err := srv.Shutdown(ctx); err != nil {
					a.logger.Warn("metrics server shutdown", "error", err.Error())
				}
			}
			a.logger.Info("stopped")
			return nil
		},
	}
	cmd.Flags().DurationVar(&grace, "grace", 30*time.Second, "how long running jobs may finish at shutdown")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", `host:port for /metrics, /healthz and /readyz, e.g. 127.0.0.1:9464 (overrides metrics_addr; "" turns the server off)`)
	return cmd
}

func (a *app) reprocessCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "reprocess FILE_ID",
		Short: "Process an inbound file again from its spooled bytes (idempotent outputs)",
		Long: `reprocess resets an inbound file and processes it again from the raw bytes
kept in the spool. Claims keep their control numbers, and acknowledgments are
queued under the same names, so nothing is delivered twice.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usageError("FILE_ID must be a number")
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			rt, err := a.openRuntime(cmd.Context(), cfg, 0)
			if err != nil {
				return err
			}
			defer rt.Close()
			if err := rt.store.ResetInbound(cmd.Context(), id); err != nil {
				return err
			}
			_ = rt.store.Audit(cmd.Context(), store.AuditEntry{Actor: "cli", Action: "inbound.reprocess", Entity: "inbound_file", EntityID: args[0]})
			res, err := rt.engine.ProcessFile(cmd.Context(), id)
			if err != nil {
				return err
			}
			if asJSON {
				if err := json.NewEncoder(a.stdout).Encode(res); err != nil {
					return err
				}
			} else {
				printFiles(a.stdout, []pipeline.FileResult{res})
			}
			if res.State == store.InboundRetrying || res.State == store.InboundQuarantined || res.State == store.InboundFailed {
				return exitCode(1)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	return cmd
}

func (a *app) processCmd() *cobra.Command {
	var (
		out     string
		partner string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "process [--out DIR] [--partner ID] [--json] FILE...",
		Short: "Run the pipeline on local files, with no transport; outputs go under DIR/<partner>/",
		Long: `process records each FILE as received from --partner (default "local"),
processes it exactly as a polled file (validation, TA1/999, claim outcomes)
and writes every outbound file under DIR/<partner>/. A file whose content
was already processed is reported as a duplicate and not processed again.
It prints a summary, or with --json one JSON document (see docs/process-json.md).
DIR defaults to <data-dir>/out.

Exit status, as for validate: 0 when every file was processed with every
interchange, group and transaction set accepted without errors and no claim
rejected (a file already processed, reported as a duplicate, counts as
nothing rejected); 1 when anything was rejected (a rejected, empty or
non-X12 file, a rejected or accepted-with-errors set, a rejected or
duplicate claim) or a file failed; 2 when a FILE cannot be read (missing,
a directory) or the usage is wrong. The other files are still processed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			a.batch = true // byte progress bars while files are processed
			// The whole configuration but the partners' remotes: process
			// reads local files and writes under --out, never polls or
			// delivers.
			if out == "" {
				out = filepath.Join(cfg.DataDir, "out")
			}
			local := cfg
			local.Partners = nil
			rt, err := a.openRuntime(ctx, local, 0)
			if err != nil {
				return err
			}
			defer rt.Close()
			// Results go to a temporary file as each file completes, so
			// memory does not grow with the number of files; claims are
			// read back from the store page by page when printed.
			results, err := newResultSpool(cfg.DataDir)
			if err != nil {
				return err
			}
			defer results.Close()
			var dups []duplicateFile
			status := 0
			// The submitter's acknowledgments and the forwarded 837s are
			// delivered as they are queued, while the files are processed
			// and forwarded.
			early, err := a.startDelivery(ctx, rt, cfg.Instance, cfg.LeaseTTL, out, append([]string{partner}, routePartners(cfg)...))
			if err != nil {
				return err
			}
			defer early.stop()
			// Each file's accepted claims are forwarded once it commits,
			// while the next one is processed.
			stream := rt.engine.StreamForward(ctx)
			defer stream.Abandon()
			for i, name := range args {
				if len(args) > 1 {
					a.progressLabel(fmt.Sprintf("[%d/%d] ", i+1, len(args)))
				}
				f, err := openRegular(name)
				if err != nil {
					fmt.Fprintln(a.stderr, "clearinghouse:", err)
					status = 2
					continue
				}
				sf, err := rt.spool.Put(ctx, "inbound", f)
				f.Close()
				if err != nil {
					return err
				}
				abs, _ := filepath.Abs(name)
				rec, created, err := rt.store.RecordInbound(ctx, store.InboundFile{
					PartnerID: partner, Name: filepath.Base(name), RemotePath: abs,
					SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path,
				})
				if err != nil {
					return err
				}
				if !created && rec.State == store.InboundHeld {
					// Held for the nightly run (submitted or dropped
					// before): process asks for it now.
					if err := rt.store.ReleaseHeldFile(ctx, rec.ID); err != nil {
						return err
					}
					rec.State = store.InboundReceived
				}
				if !created && rec.State != store.InboundReceived {
					dups = append(dups, duplicateFile{Name: name, InboundID: rec.ID, State: string(rec.State)})
					continue
				}
				// A CSV submission is converted to an 837, processed next.
				rs, err := a.processCSV(ctx, rt, rec.ID)
				a.progressDone()
				if err != nil {
					return err
				}
				for _, res := range rs {
					status = worseStatus(status, fileStatus(res))
					if res.Outcomes[csvsub.OutcomeRejected] > res.Outcomes[csvsub.OutcomeHeader] {
						status = worseStatus(status, 1) // rejected CSV rows
					}
					if err := results.add(res); err != nil {
						return err
					}
				}
			}
			fwd, err := stream.Close()
			if err != nil {
				return err
			}
			delivered, err := early.stop()
			if err != nil {
				return err
			}
			partners := results.partners
			for _, f := range fwd.Files {
				partners[f.Partner] = true
			}
			targets, _, closeTargets, err := localTargets(out, slices.Collect(maps.Keys(partners)))
			if err != nil {
				return err
			}
			defer closeTargets()
			d, err := outbox.NewDeliverer(rt.store, rt.spool, targets, outbox.Config{Owner: cfg.Instance, Lease: cfg.LeaseTTL, Logger: a.logger})
			if err != nil {
				return err
			}
			rest, err := d.RunOnce(ctx)
			if err != nil {
				return err
			}
			delivered.Delivered = append(delivered.Delivered, rest.Delivered...)
			if asJSON {
				if err := writeProcessJSON(ctx, a.stdout, rt.store, results, dups, out, delivered); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(a.stdout, "processed %d file(s):\n", results.n)
				if err := results.each(func(r pipeline.FileResult) error {
					printFile(a.stdout, r)
					return nil
				}); err != nil {
					return err
				}
				printForwarded(a.stdout, fwd)
				for _, d := range dups {
					fmt.Fprintf(a.stdout, "%s: duplicate of inbound file %d (%s); not processed again\n", d.Name, d.InboundID, d.State)
				}
				printDelivered(a.stdout, delivered.Delivered, out)
			}
			if status != 0 {
				return exitCode(status)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "directory for outbound files (DIR/<partner>/; default <data-dir>/out)")
	f.StringVar(&partner, "partner", "local", "partner the files come from")
	f.BoolVar(&asJSON, "json", false, "print a JSON document instead of the summary")
	return cmd
}

// backgroundDelivery delivers some partners' outbound files under local
// folders, pass after pass, until stopped (see startDelivery).
type backgroundDelivery struct {
	cancel  context.CancelFunc
	stopc   chan struct{}
	stopped bool
	done    chan struct{}
	res     outbox.Result
	err     error
	closer  func() error
}

// startDelivery starts delivering the partners' outbound files to
// out/<partner>/ on a goroutine of its own, while process goes on: the
// acknowledgments of each file and the forwarded 837s reach their folders
// as they are queued, instead of all at the end (issue #11: delivery waits
// mostly on commits, which overlap the processing). stop ends it after
// one last pass; a folder it made and delivered nothing to is removed.
func (a *app) startDelivery(ctx context.Context, rt *runtime, owner string, lease time.Duration, out string, partners []string) (*backgroundDelivery, error) {
	targets, made, closeAll, err := localTargets(out, partners)
	if err != nil {
		return nil, err
	}
	dl, err := outbox.NewDeliverer(rt.store, rt.spool, targets, outbox.Config{Owner: owner, Lease: lease, Logger: a.logger})
	if err != nil {
		return nil, errors.Join(err, closeAll())
	}
	ctx, cancel := context.WithCancel(ctx)
	bd := &backgroundDelivery{cancel: cancel, stopc: make(chan struct{}), done: make(chan struct{})}
	bd.closer = func() error {
		err := closeAll()
		for _, p := range made {
			if !slices.ContainsFunc(bd.res.Delivered, func(f store.OutboundFile) bool { return f.PartnerID == p }) {
				os.Remove(filepath.Join(out, p)) // empty: nothing else is removed
			}
		}
		return err
	}
	stopc := bd.stopc
	go func() {
		defer close(bd.done)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			stopping := false
			select {
			case <-stopc:
				stopping = true
			case <-tick.C:
			case <-ctx.Done():
				return
			}
			r, err := dl.RunOnce(ctx)
			bd.res.Delivered = append(bd.res.Delivered, r.Delivered...)
			if err != nil {
				bd.err = err
				return
			}
			if stopping {
				return
			}
		}
	}()
	return bd, nil
}

// stop makes a last pass, waits for it and returns what was delivered. A
// second call returns nothing.
func (bd *backgroundDelivery) stop() (outbox.Result, error) {
	if bd.stopped {
		return outbox.Result{}, nil
	}
	bd.stopped = true
	close(bd.stopc)
	<-bd.done
	bd.cancel()
	return bd.res, errors.Join(bd.err, bd.closer())
}

// localTargets makes the folder out/<partner>/ of each partner (each
// once; empty IDs are skipped) and a remote delivering into it. made are
// the partners whose folder did not exist before; closeAll closes the
// remotes.
func localTargets(out string, partners []string) (targets map[string]outbox.Target, made []string, closeAll func() error, err error) {
	targets = map[string]outbox.Target{}
	closeAll = func() error {
		var err error
		for _, t := range targets {
			err = errors.Join(err, t.Remote.Close())
		}
		return err
	}
	for _, p := range partners {
		if _, ok := targets[p]; ok || p == "" {
			continue
		}
		d := filepath.Join(out, p)
		if _, err := os.Stat(d); errors.Is(err, os.ErrNotExist) {
			made = append(made, p)
		}
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, nil, nil, errors.Join(err, closeAll())
		}
		rm, err := dir.New(d)
		if err != nil {
			return nil, nil, nil, errors.Join(err, closeAll())
		}
		targets[p] = outbox.Target{Remote: rm, Dir: "."}
	}
	return targets, made, closeAll, nil
}

// routePartners are the partners the configured routes may send claims to.
func routePartners(cfg config.Config) []string {
	var ps []string
	for _, r := range cfg.Routes {
		ps = append(ps, r.Partners()...)
	}
	return ps
}

// openRegular opens name for reading, refusing anything but a regular file
// (a directory cannot be processed: exit status 2, like validate).
func openRegular(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s: not a regular file", name)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// fileStatus is the exit status one processed file calls for, with the
// validate contract: 0 when the file was processed and every interchange,
// group and transaction set was accepted without errors and no claim was
// rejected; 1 otherwise (a rejected, empty, non-X12 or failed file, any
// rejected or accepted-with-errors set, any rejected or duplicate claim).
func fileStatus(r pipeline.FileResult) int {
	if r.State != store.InboundProcessed || r.Counts.TxRejected > 0 || r.Counts.ClaimsRejected > 0 {
		return 1
	}
	for _, ic := range r.Interchanges {
		if ic.TA1.Ack != "A" {
			return 1
		}
		for _, g := range ic.Groups {
			if g.Ack != "A" {
				return 1
			}
			for _, t := range g.Transactions {
				if t.Ack != "A" {
					return 1
				}
			}
		}
	}
	return 0
}

// worseStatus combines two exit statuses of the validate contract: 2
// (unreadable input, usage) over 1 (rejected) over 3 (envelope only) over 0.
func worseStatus(a, b int) int {
	rank := func(s int) int {
		switch s {
		case 0:
			return 0
		case 3:
			return 1
		case 1:
			return 2
		default:
			return 3
		}
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

type duplicateFile struct {
	Name      string `json:"file"`
	InboundID int64  `json:"inbound_id"`
	State     string `json:"state"`
}

// processClaim is one claim in the `process --json` contract.
type processClaim struct {
	CLM01         string        `json:"clm01"`
	ControlNumber string        `json:"claim_control_number"`
	Frequency     string        `json:"frequency"`
	Outcome       string        `json:"outcome"`
	Reasons       []string      `json:"reasons"`
	Notes         []string      `json:"notes"`
	Replaces      string        `json:"replaces,omitempty"`
	DuplicateOf   string        `json:"duplicate_of,omitempty"`
	Partner       string        `json:"partner"`
	Method        string        `json:"method"`
	BilledCents   int64         `json:"billed_cents"`
	AllowedCents  *int64        `json:"allowed_cents"`
	Lines         []processLine `json:"lines"`
}

// processLine is one service line in the `process --json` contract.
type processLine struct {
	Line         int    `json:"line"`
	Code         string `json:"code,omitempty"`
	RevenueCode  string `json:"revenue_code,omitempty"`
	BilledCents  int64  `json:"billed_cents"`
	AllowedCents *int64 `json:"allowed_cents"`
}

// writeProcessJSON streams the `process --json` document (see
// docs/process-json.md) to w: each file's result as it is read back from
// the spool, each claim as it is read from the store (1000 at a time), so
// memory does not depend on the number of files or claims. The bytes are
// those of json.Encoder with SetIndent("", "  ") on the whole document.
func writeProcessJSON(ctx context.Context, w io.Writer, st *store.Store, results *resultSpool, dups []duplicateFile, out string, delivered outbox.Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	jw := &jsonWriter{w: bw}
	jw.raw("{\n  \"files\": [")
	n := 0
	err := results.each(func(r pipeline.FileResult) error {
		if n > 0 {
			jw.raw(",")
		}
		n++
		// The file object without its closing brace, then its claims.
		b, err := json.MarshalIndent(r, "    ", "  ")
		if err != nil {
			return err
		}
		b = bytes.TrimSuffix(b, []byte("\n    }"))
		jw.raw("\n    ")
		jw.bytes(b)
		jw.raw(",\n      \"claims\": [")
		claims := 0
		var after int64
		for {
			page, err := st.ListClaims(ctx, store.ClaimFilter{InboundFileID: r.InboundID, AfterID: after, Limit: 1000, WithLines: true})
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				if claims > 0 {
					jw.raw(",")
				}
				claims++
				jw.raw("\n        ")
				jw.value(toProcessClaim(c), "        ")
				after = c.ID
			}
			if jw.err != nil {
				return jw.err
			}
		}
		if claims > 0 {
			jw.raw("\n      ")
		}
		jw.raw("]\n    }")
		return jw.err
	})
	if err != nil {
		return err
	}
	if n > 0 {
		jw.raw("\n  ")
	}
	jw.raw("],\n  \"duplicate_files\": ")
	if dups == nil {
		dups = []duplicateFile{}
	}
	jw.value(dups, "  ")
	jw.raw(",\n  \"out_dir\": ")
	jw.value(out, "  ")
	jw.raw(",\n  \"delivered\": ")
	paths := make([]string, 0, len(delivered.Delivered))
	for _, d := range delivered.Delivered {
		paths = append(paths, filepath.Join(out, d.PartnerID, d.Name))
	}
	jw.value(paths, "  ")
	jw.raw("\n}\n")
	if jw.err != nil {
		return jw.err
	}
	return bw.Flush()
}

// toProcessClaim is a stored claim in the `process --json` contract.
func toProcessClaim(c store.Claim) processClaim {
	pc := processClaim{
		CLM01: c.CLM01, ControlNumber: c.ControlNumber, Frequency: c.Frequency, Outcome: string(c.State),
		Reasons: c.ReasonList(), Notes: c.NoteList(), BilledCents: c.BilledCents, AllowedCents: c.AllowedCents,
		Partner: c.RoutePartner, Method: c.PricingMethod, Lines: []processLine{},
	}
	for _, l := range c.Lines {
		pc.Lines = append(pc.Lines, processLine{Line: l.LineNo, Code: l.Code, RevenueCode: l.RevenueCode,
			BilledCents: l.ChargeCents, AllowedCents: l.AllowedCents})
	}
	if c.ReplacesClaimID != nil {
		pc.Replaces = c.RelatedControl
	} else if c.RelatedControl != "" {
		pc.DuplicateOf = c.RelatedControl
	}
	return pc
}

// jsonWriter writes JSON pieces and keeps the first error.
type jsonWriter struct {
	w   io.Writer
	err error
}

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = io.WriteString(j.w, s)
	}
}

func (j *jsonWriter) bytes(b []byte) {
	if j.err == nil {
		_, j.err = j.w.Write(b)
	}
}

// value writes v indented as it would be at the depth of prefix.
func (j *jsonWriter) value(v any, prefix string) {
	if j.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		j.err = err
		return
	}
	j.bytes(b)
}

// resultSpool keeps the results of `process` in a temporary file under the
// data dir (removed by Close) instead of memory.
type resultSpool struct {
	f        *os.File
	w        *bufio.Writer
	n        int
	partners map[string]bool // partners the queued outputs are for
}

func newResultSpool(dir string) (*resultSpool, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".process-results-*.jsonl")
	if err != nil {
		return nil, err
	}
	return &resultSpool{f: f, w: bufio.NewWriter(f), partners: map[string]bool{}}, nil
}

func (s *resultSpool) add(r pipeline.FileResult) error {
	for _, o := range r.Outputs {
		s.partners[o.Partner] = true
	}
	s.n++
	return json.NewEncoder(s.w).Encode(r)
}

// each calls fn with every result, in the order they were added.
func (s *resultSpool) each(fn func(pipeline.FileResult) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dec := json.NewDecoder(bufio.NewReader(s.f))
	for i := 0; i < s.n; i++ {
		var r pipeline.FileResult
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("process: read back results: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	// Further adds append at the end.
	_, err := s.f.Seek(0, io.SeekEnd)
	return err
}

func (s *resultSpool) Close() error {
	s.f.Close()
	return os.Remove(s.f.Name())
}

func printCycle(w io.Writer, res pipeline.CycleResult) {
	p := res.Poll
	held := ""
	if p.Held > 0 {
		held = fmt.Sprintf(" (%d CSV held for the nightly run)", p.Held)
	}
	fmt.Fprintf(w, "poll: %d new files%s, %d duplicate files, %d not ready, %d refused, %d failed\n",
		p.Received, held, p.Duplicates, p.NotReady, p.Refused, p.Failed)
	printFiles(w, res.Files)
	printForwarded(w, res.Forwarded)
	printDelivered(w, res.Delivered, "")
	if res.Failed > 0 {
		fmt.Fprintf(w, "%d deliveries failed; they are retried by the next cycle\n", res.Failed)
	}
}

func printForwarded(w io.Writer, f forward.Result) {
	if f.Forwarded+f.Rejected+f.Skipped == 0 && len(f.Files) == 0 {
		return
	}
	fmt.Fprintf(w, "forwarded %d claim(s) (%d unpriced) in %d file(s); %d rejected (no route), %d skipped\n",
		f.Forwarded, f.Unpriced, len(f.Files), f.Rejected, f.Skipped)
	for _, ff := range f.Files {
		fmt.Fprintf(w, "  %s %s: %d claim(s) → %s\n", ff.ClaimType, ff.Name, ff.Claims, ff.Partner)
	}
}

func printFiles(w io.Writer, files []pipeline.FileResult) {
	fmt.Fprintf(w, "processed %d file(s):\n", len(files))
	for _, f := range files {
		printFile(w, f)
	}
}

// printFile prints one file's summary lines.
func printFile(w io.Writer, f pipeline.FileResult) {
	fmt.Fprintf(w, "  #%d %s/%s: %s — interchanges %d, sets %d accepted / %d rejected, claims %d accepted / %d rejected\n",
		f.InboundID, f.Partner, f.Name, f.State, f.Counts.Interchanges, f.Counts.TxAccepted, f.Counts.TxRejected,
		f.Counts.ClaimsAccepted, f.Counts.ClaimsRejected)
	if f.Error != "" {
		fmt.Fprintf(w, "      reason: %s\n", f.Error)
	}
	var keys []string
	for k := range f.Outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, f.Outcomes[k]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "      outcomes: %s\n", strings.Join(parts, ", "))
	}
	keys = keys[:0]
	for k := range f.Rejections {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts = parts[:0]
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, f.Rejections[k]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "      rejected by reason: %s\n", strings.Join(parts, ", "))
	}
	for _, ic := range f.Interchanges {
		if ic.TA1.Ack != "A" {
			fmt.Fprintf(w, "      interchange %s: TA1 %s note %s\n", ic.Control, ic.TA1.Ack, ic.TA1.Note)
		}
		for _, g := range ic.Groups {
			for _, t := range g.Transactions {
				if t.Ack != "A" {
					first := ""
					if len(t.Errors) > 0 {
						first = " — first: " + issueLine(t.Errors[0])
					}
					fmt.Fprintf(w, "      set %s (group %s): IK5 %s%s, %d error(s)%s\n", t.Control, g.Control, t.Ack, codes(t.Codes), len(t.Errors), first)
				}
			}
		}
	}
}

func printDelivered(w io.Writer, files []store.OutboundFile, base string) {
	fmt.Fprintf(w, "delivered %d file(s):\n", len(files))
	for _, d := range files {
		where := d.PartnerID + "/" + d.Name
		if base != "" {
			where = filepath.Join(base, d.PartnerID, d.Name)
		}
		fmt.Fprintf(w, "  %-5s %s\n", d.Kind, where)
	}
}
