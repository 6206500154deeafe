// Package metrics exposes what the engine does to Prometheus, and its
// health to whatever watches it. A Metrics holds its own registry (never
// the global default one): the Go and process collectors, counters fed
// from the results the pipeline already returns (ObserveCycle,
// ObserveDeliver, ObserveJob), and queue gauges read from the store when
// scraped. Handler serves /metrics, /healthz and /readyz; Listen runs it
// on an address with server timeouts set.
//
//	m := metrics.New(metrics.Options{Store: st, Logger: logger})
//	srv, err := metrics.Listen("127.0.0.1:9464", m.Handler(), logger)
//	...
//	s.Add("poll", spec, m.Job("poll", func(ctx context.Context) error {
//		res, err := engine.Cycle(ctx)
//		m.ObserveCycle(res)
//		return err
//	}))
//	...
//	m.SetShuttingDown()
//	srv.Shutdown(ctx)
//
// Labels are partner IDs, states, kinds, claim types, job names and
// acknowledgment or 277CA codes only; never claim or member data (PHI).
// Every label value passes a whitelist pattern first (see label and
// codeLabel); a value that does not match is reported as "other".
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
)

// Namespace prefixes every metric of the engine.
const Namespace = "clearinghouse"

// Store is what the metrics read from the database: the queue counts at
// scrape time and a ping for /readyz. *store.Store implements it.
type Store interface {
	CountByState(ctx context.Context) (store.Stats, error)
	Ping(ctx context.Context) error
}

// Options configures New. The zero value is usable: no store (no queue
// gauges; /readyz always ready).
type Options struct {
	// Store is read for the queue gauges and pinged by /readyz. Nil: no
	// queue gauges, and /readyz answers 200 while not shutting down.
	Store Store
	// StoreTimeout bounds the queue-gauge queries of one scrape. Past it
	// the scrape reports clearinghouse_store_up 0 and no queue gauges.
	// Default 5s.
	StoreTimeout time.Duration
	// ReadyTimeout bounds the store ping of /readyz. Default 2s.
	ReadyTimeout time.Duration
	// Logger receives store errors (on changes of state only, not at every
	// scrape) and HTTP errors. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock of the last-success gauge. Default time.Now.
	Now func() time.Time
}

// Metrics is the engine's Prometheus registry and health state. Its
// methods are safe for concurrent use.
type Metrics struct {
	opts Options
	reg  *prometheus.Registry

	// Nightly trend gauges (nightly.go), registered on first use.
	nightlyOnce  sync.Once
	trendFlagged *prometheus.GaugeVec
	rejectRate   *prometheus.GaugeVec

	polled           *prometheus.CounterVec
	filesProcessed   *prometheus.CounterVec
	interchanges     *prometheus.CounterVec
	sets             *prometheus.CounterVec
	claimOutcomes    *prometheus.CounterVec
	claimRejections  *prometheus.CounterVec
	forwardedClaims  *prometheus.CounterVec
	forwardedFiles   *prometheus.CounterVec
	forwardUnpriced  prometheus.Counter
	forwardRejected  prometheus.Counter
	forwardSkipped   prometheus.Counter
	delivered        *prometheus.CounterVec
	deliveryFailures *prometheus.CounterVec
	pollErrors       *prometheus.CounterVec
	jobRuns          *prometheus.CounterVec
	jobFailures      *prometheus.CounterVec
	jobDuration      *prometheus.HistogramVec
	jobLastSuccess   *prometheus.GaugeVec
	breakerOpen      *prometheus.GaugeVec
	partnerFailures  *prometheus.GaugeVec

	shuttingDown atomic.Bool
	// readyErr remembers the last /readyz verdict, so that only changes
	// are logged.
	readyMu  sync.Mutex
	readyErr string
}

// JobDurationBuckets are the buckets (seconds) of
// clearinghouse_job_duration_seconds: from a quiet poll to a multi-GB file.
var JobDurationBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}

// New returns a Metrics with every collector registered.
func New(opts Options) *Metrics {
	if opts.StoreTimeout <= 0 {
		opts.StoreTimeout = 5 * time.Second
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Metrics{opts: opts, reg: prometheus.NewRegistry()}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	counter1 := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help})
		m.reg.MustRegister(c)
		return c
	}
	m.polled = counter("inbound_files_polled_total",
		"Files seen by inbox polls, by partner and result: received (new, recorded), duplicate (content already recorded), not_ready (possibly still being written), refused (unsafe name), failed (left for the next poll), gone (taken by another engine).",
		"partner", "result")
	m.pollErrors = counter("poll_errors_total",
		"Inbox polls that failed (the inbox could not be reached or listed), by partner.",
		"partner")
	m.filesProcessed = counter("inbound_files_processed_total",
		"Inbound files processed, by sending partner and final state (processed, rejected, failed).",
		"partner", "state")
	m.interchanges = counter("interchanges_total",
		"Interchanges (ISA..IEA) of processed files, by partner and TA1 result (accepted, accepted_with_errors, rejected).",
		"partner", "result")
	m.sets = counter("transaction_sets_total",
		"Transaction sets (ST..SE) of processed files, by partner and 999 result (accepted, rejected).",
		"partner", "result")
	m.claimOutcomes = counter("claim_outcomes_total",
		"Claims of processed files by partner and intake outcome (accepted, rejected, duplicate, suspect); replacements and voids count the accepted frequency 7 and 8 claims once more.",
		"partner", "outcome")
	m.claimRejections = counter("claim_rejections_total",
		"Rejected and duplicate claims by partner and the codes sent back (277CA category:status:entity, or the TA1/AK9/IK5 codes of a rejected envelope; several joined by ';').",
		"partner", "code")
	m.forwardedClaims = counter("forwarded_claims_total",
		"Claims forwarded (queued in an outbound 837 and marked forwarded), by receiving partner.",
		"partner")
	m.forwardedFiles = counter("forwarded_files_total",
		"Outbound 837 files queued by forwarding, by receiving partner and claim type (P, I).",
		"partner", "claim_type")
	m.forwardUnpriced = counter1("forward_unpriced_claims_total",
		"Claims forwarded without pricing (no contract or schedule applied); also counted in clearinghouse_forwarded_claims_total.")
	m.forwardRejected = counter1("forward_rejected_claims_total",
		"Claims the forwarding stage rejected because no route takes them (277CA A3:116).")
	m.forwardSkipped = counter1("forward_skipped_claims_total",
		"Claims the forwarding stage left as they were (not found again in their spooled file, or a set that cannot carry our envelope); retried by the next run.")
	m.delivered = counter("outbound_files_delivered_total",
		"Outbound files delivered to a partner's outbox, by partner and kind (TA1, 999, 277CA, 837).",
		"partner", "kind")
	m.deliveryFailures = counter("outbound_delivery_failures_total",
		"Failed delivery attempts (each retried later), by partner and kind.",
		"partner", "kind")
	m.jobRuns = counter("job_runs_total",
		"Runs of the scheduled jobs of `clearinghouse run`, by job name.",
		"job_name")
	m.jobFailures = counter("job_failures_total",
		"Runs of the scheduled jobs that returned an error (including work abandoned at shutdown), by job name.",
		"job_name")
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "job_duration_seconds",
		Help: "How long the scheduled job runs took, by job name.", Buckets: JobDurationBuckets}, []string{"job_name"})
	m.jobLastSuccess = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "job_last_success_timestamp_seconds",
		Help: "When a run of the job last ended without error (Unix seconds); absent until one has."}, []string{"job_name"})
	m.breakerOpen = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "outbound_partner_breaker_open",
		Help: "1 while deliveries to the partner are suspended by its circuit breaker (open, or half-open waiting for its probe), 0 when closed; set by each delivery run."}, []string{"partner"})
	m.partnerFailures = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "outbound_partner_consecutive_failures",
		Help: "Failed deliveries to the partner since its last success; set by each delivery run."}, []string{"partner"})
	m.reg.MustRegister(m.jobDuration, m.jobLastSuccess, m.breakerOpen, m.partnerFailures)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if opts.Store != nil {
		m.reg.MustRegister(newStoreCollector(opts.Store, opts.StoreTimeout, opts.Logger))
	}
	return m
}

// Registry returns the registry, to gather it directly (tests) or to
// register more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Label value whitelists. Partner IDs follow the configuration's rule.
// States, outcomes and job names are lower-case words; kinds and claim
// types short upper-case codes ("277CA", "P"). Codes are groups of 1-5
// upper-case letters or digits joined by ':' and ';' ("A7:164:IL",
// "AK9:R;IK5:R:I5"). No member ID, name or birth date fits the labels
// other than partner, so none can become a label even if a caller passed
// one.
var (
	partnerLabel = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	nameLabel    = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)
	kindLabel    = regexp.MustCompile(`^[A-Z0-9]{1,6}$`)
	codeLabel    = regexp.MustCompile(`^[A-Z0-9]{1,5}([:;][A-Z0-9]{1,5}){0,15}$`)
)

// Other is the label value of anything that does not pass its whitelist.
const Other = "other"

func label(re *regexp.Regexp, v string) string {
	if v == "" {
		return "none"
	}
	if re.MatchString(v) {
		return v
	}
	return Other
}

// ObserveCycle counts what one Engine.Cycle did: its poll, every
// processed file, the forwarding stage and the deliveries. Call it with
// the result Cycle returned even when it also returned an error: the
// result holds what was done before the error.
func (m *Metrics) ObserveCycle(res pipeline.CycleResult) {
	m.ObservePoll(res.Poll)
	for _, f := range res.Files {
		m.ObserveFile(f)
	}
	m.ObserveForward(res.Forwarded)
	m.observeDelivered(res.Delivered, res.FailedFiles)
	m.observePartners(res.DeliveryPartners)
}

// ObservePoll counts the files one poll of every inbox saw.
func (m *Metrics) ObservePoll(p pipeline.PollResult) {
	for _, pp := range p.Partners {
		partner := label(partnerLabel, pp.Partner)
		for r, n := range map[string]int{"received": pp.Received, "duplicate": pp.Duplicates, "not_ready": pp.NotReady,
			"refused": pp.Refused, "failed": pp.Failed, "gone": pp.Gone} {
			m.polled.WithLabelValues(partner, r).Add(float64(max(n, 0)))
		}
		if pp.Error != "" {
			m.pollErrors.WithLabelValues(partner).Inc()
		}
	}
}

// ObserveFile counts one processed inbound file: its final state, its
// interchanges and sets by verdict, its claims by outcome and its
// rejections by code.
func (m *Metrics) ObserveFile(f pipeline.FileResult) {
	partner := label(partnerLabel, f.Partner)
	m.filesProcessed.WithLabelValues(partner, label(nameLabel, string(f.State))).Inc()
	for _, ic := range f.Interchanges {
		m.interchanges.WithLabelValues(partner, ta1Result(ic.TA1.Ack)).Inc()
	}
	addN(m.sets.WithLabelValues(partner, "accepted"), f.Counts.TxAccepted)
	addN(m.sets.WithLabelValues(partner, "rejected"), f.Counts.TxRejected)
	for outcome, n := range f.Outcomes {
		addN(m.claimOutcomes.WithLabelValues(partner, label(nameLabel, outcome)), n)
	}
	for code, n := range f.Rejections {
		addN(m.claimRejections.WithLabelValues(partner, label(codeLabel, code)), n)
	}
}

// ta1Result names a TA104 value.
func ta1Result(ack string) string {
	switch ack {
	case "A":
		return "accepted"
	case "E":
		return "accepted_with_errors"
	case "R":
		return "rejected"
	}
	return "unknown"
}

// ObserveForward counts one run of the forwarding stage.
func (m *Metrics) ObserveForward(r forward.Result) {
	for _, f := range r.Files {
		partner := label(partnerLabel, f.Partner)
		m.forwardedFiles.WithLabelValues(partner, label(kindLabel, f.ClaimType)).Inc()
		addN(m.forwardedClaims.WithLabelValues(partner), f.Claims)
	}
	addN(m.forwardUnpriced, r.Unpriced)
	addN(m.forwardRejected, r.Rejected)
	addN(m.forwardSkipped, r.Skipped)
}

// ObserveDeliver counts one delivery run (Engine.Deliver).
func (m *Metrics) ObserveDeliver(r outbox.Result) {
	m.observeDelivered(r.Delivered, r.Failed)
	m.observePartners(r.Partners)
}

// observePartners sets the per-partner delivery health gauges.
func (m *Metrics) observePartners(ps []outbox.PartnerResult) {
	for _, p := range ps {
		partner := label(partnerLabel, p.Partner)
		open := 0.0
		if p.Breaker != outbox.BreakerClosed {
			open = 1
		}
		m.breakerOpen.WithLabelValues(partner).Set(open)
		m.partnerFailures.WithLabelValues(partner).Set(float64(p.ConsecutiveFailures))
	}
}

func (m *Metrics) observeDelivered(files, failed []store.OutboundFile) {
	for _, f := range files {
		m.delivered.WithLabelValues(label(partnerLabel, f.PartnerID), label(kindLabel, f.Kind)).Inc()
	}
	for _, f := range failed {
		m.deliveryFailures.WithLabelValues(label(partnerLabel, f.PartnerID), label(kindLabel, f.Kind)).Inc()
	}
}

func addN(c prometheus.Counter, n int) {
	if n > 0 {
		c.Add(float64(n))
	}
}

// ObserveJob records one run of a scheduled job: its duration, and
// whether it failed (err != nil) or succeeded (the last-success time is
// set to now).
func (m *Metrics) ObserveJob(name string, d time.Duration, err error) {
	name = label(nameLabel, name)
	m.jobRuns.WithLabelValues(name).Inc()
	m.jobDuration.WithLabelValues(name).Observe(d.Seconds())
	if err != nil {
		m.jobFailures.WithLabelValues(name).Inc()
		return
	}
	m.jobLastSuccess.WithLabelValues(name).Set(float64(m.opts.Now().UnixNano()) / 1e9)
}

// Job wraps a scheduled job so that every run is timed and recorded with
// ObserveJob. The job's run and failure counters exist (at 0) from this
// call on, so alerts on them work before its first run.
func (m *Metrics) Job(name string, job func(context.Context) error) func(context.Context) error {
	l := label(nameLabel, name)
	m.jobRuns.WithLabelValues(l)
	m.jobFailures.WithLabelValues(l)
	return func(ctx context.Context) error {
		start := time.Now()
		err := job(ctx)
		m.ObserveJob(name, time.Since(start), err)
		return err
	}
}

// SetShuttingDown makes /readyz answer 503 from now on: the engine is
// draining its jobs.
func (m *Metrics) SetShuttingDown() { m.shuttingDown.Store(true) }

// Handler serves:
//
//   - /metrics: the registry in the Prometheus text (or negotiated)
//     format;
//   - /healthz: liveness, always 200 "ok" while the process serves HTTP;
//   - /readyz: 200 "ok" when the store answers a ping within
//     ReadyTimeout, else 503 with a short reason ("store ping timed out",
//     "store unavailable", "shutting down"). The error itself is logged,
//     not served.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(m.reg, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            errorLog{m.opts.Logger},
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Registry:            m.reg,
	})))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		plain(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", m.readyz)
	return mux
}

func (m *Metrics) readyz(w http.ResponseWriter, r *http.Request) {
	reason := ""
	var err error
	switch {
	case m.shuttingDown.Load():
		reason = "shutting down"
	case m.opts.Store != nil:
		ctx, cancel := context.WithTimeout(r.Context(), m.opts.ReadyTimeout)
		err = m.opts.Store.Ping(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "store ping timed out"
		} else if err != nil {
			reason = "store unavailable"
		}
	}
	m.readyMu.Lock()
	changed := reason != m.readyErr
	m.readyErr = reason
	m.readyMu.Unlock()
	if changed {
		if reason == "" {
			m.opts.Logger.Info("ready")
		} else {
			attrs := []any{slog.String("reason", reason)}
			if err != nil {
				attrs = append(attrs, slog.String("error", err.Error()))
			}
			m.opts.Logger.Warn("not ready", attrs...)
		}
	}
	if reason != "" {
		plain(w, http.StatusServiceUnavailable, reason)
		return
	}
	plain(w, http.StatusOK, "ok")
}

func plain(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body + "\n"))
}

// errorLog adapts slog to promhttp.Logger.
type errorLog struct{ l *slog.Logger }

func (e errorLog) Println(v ...any) {
	e.l.Error("metrics: serving /metrics", slog.String("error", strings.TrimSpace(fmt.Sprintln(v...))))
}
