package metrics

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/metrics/metricstest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
)

// memberID is a synthetic member ID in the shape of the demo roster's; it
// must never become a label value.
const memberID = "SYN00450000001"

// sampleCycle is a cycle like the demo's: two files from acme (one
// processed, one rejected), forwarding to two TPAs, deliveries.
func sampleCycle() pipeline.CycleResult {
	return pipeline.CycleResult{
		Poll: pipeline.PollResult{Received: 2, Duplicates: 1, NotReady: 3, Refused: 1, Failed: 1, Gone: 2,
			Partners: []pipeline.PartnerPoll{
				{Partner: "acme", Received: 2, Duplicates: 1, NotReady: 3, Refused: 1, Failed: 1, Gone: 2},
				{Partner: "dropfolder", Error: "dial tcp: connection refused"},
			}},
		Files: []pipeline.FileResult{
			{
				InboundID: 1, Partner: "acme", Name: "acme-837p.x12", State: store.InboundProcessed,
				Counts:       store.InboundCounts{Interchanges: 1, Transactions: 3, TxAccepted: 2, TxRejected: 1, ClaimsAccepted: 20, ClaimsRejected: 6},
				Interchanges: []validate.InterchangeReport{{Control: "000000102", TA1: validate.TA1Report{Ack: "A"}}},
				Outcomes:     map[string]int{"accepted": 19, "suspect": 1, "rejected": 4, "duplicate": 2, "replacements": 3, "voids": 1},
				Rejections:   map[string]int{"A3:116": 3, "A7:164:IL": 1, "A3:54": 2},
			},
			{
				InboundID: 2, Partner: "acme", Name: "acme-bad-envelope.x12", State: store.InboundRejected,
				Counts: store.InboundCounts{Interchanges: 2, Transactions: 2, TxRejected: 2, ClaimsRejected: 4},
				Interchanges: []validate.InterchangeReport{
					{Control: "000000104", TA1: validate.TA1Report{Ack: "R", Note: "001"}},
					{Control: "000000105", TA1: validate.TA1Report{Ack: "E", Note: "024"}},
				},
				Outcomes:   map[string]int{"rejected": 4},
				Rejections: map[string]int{"TA1:R:001": 2, "AK9:R;IK5:R:5": 1, "A3:116": 1},
			},
		},
		Forwarded: forward.Result{Forwarded: 13, Unpriced: 2, Rejected: 1, Skipped: 4, Files: []forward.File{
			{Partner: "relayhealth", Name: "837P-a.x12", ClaimType: "P", Claims: 7, Created: true},
			{Partner: "relayhealth", Name: "837I-a.x12", ClaimType: "I", Claims: 2, Created: true},
			{Partner: "optum", Name: "837P-b.x12", ClaimType: "P", Claims: 4, Created: true},
		}},
		Delivered: []store.OutboundFile{
			{PartnerID: "acme", Kind: store.Kind999, Name: "999-1.x12"},
			{PartnerID: "acme", Kind: store.Kind999, Name: "999-2.x12"},
			{PartnerID: "acme", Kind: store.Kind277CA, Name: "277CA-1.x12"},
			{PartnerID: "relayhealth", Kind: store.Kind837, Name: "837P-a.x12"},
		},
		Failed: 2,
		FailedFiles: []store.OutboundFile{
			{PartnerID: "acme", Kind: store.Kind999, Name: "999-3.x12"},
			{PartnerID: "optum", Kind: store.Kind837, Name: "837I-b.x12"},
		},
	}
}

// scrape GETs /metrics from h and returns the exposition text and every
// sample by series ("name{a="x",b="y"}", labels sorted as the client
// library prints them).
func scrape(t *testing.T, h http.Handler) (string, map[string]float64) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	text := rec.Body.String()
	return text, metricstest.Samples(t, text)
}

func checkSamples(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for s, w := range want {
		g, ok := got[s]
		if !ok {
			t.Errorf("%s: missing", s)
			continue
		}
		if g != w {
			t.Errorf("%s = %v, want %v", s, g, w)
		}
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestObserveCycle(t *testing.T) {
	m := New(Options{Logger: quiet()})
	res := sampleCycle()
	m.ObserveCycle(res)
	m.ObserveCycle(res) // counters add up

	_, got := scrape(t, m.Handler())
	c := "clearinghouse_"
	checkSamples(t, got, map[string]float64{
		metricstest.Series(c+"inbound_files_polled_total", "partner", "acme", "result", "received"):       4,
		metricstest.Series(c+"inbound_files_polled_total", "partner", "acme", "result", "duplicate"):      2,
		metricstest.Series(c+"inbound_files_polled_total", "partner", "acme", "result", "not_ready"):      6,
		metricstest.Series(c+"inbound_files_polled_total", "partner", "acme", "result", "refused"):        2,
		metricstest.Series(c+"inbound_files_polled_total", "partner", "acme", "result", "failed"):         2,
		metricstest.Series(c+"inbound_files_polled_total", "partner", "acme", "result", "gone"):           4,
		metricstest.Series(c+"inbound_files_polled_total", "partner", "dropfolder", "result", "received"): 0,
		metricstest.Series(c+"poll_errors_total", "partner", "dropfolder"):                                2,

		metricstest.Series(c+"inbound_files_processed_total", "partner", "acme", "state", "processed"): 2,
		metricstest.Series(c+"inbound_files_processed_total", "partner", "acme", "state", "rejected"):  2,

		metricstest.Series(c+"interchanges_total", "partner", "acme", "result", "accepted"):             2,
		metricstest.Series(c+"interchanges_total", "partner", "acme", "result", "rejected"):             2,
		metricstest.Series(c+"interchanges_total", "partner", "acme", "result", "accepted_with_errors"): 2,
		metricstest.Series(c+"transaction_sets_total", "partner", "acme", "result", "accepted"):         4,
		metricstest.Series(c+"transaction_sets_total", "partner", "acme", "result", "rejected"):         6,

		metricstest.Series(c+"claim_outcomes_total", "partner", "acme", "outcome", "accepted"):     38,
		metricstest.Series(c+"claim_outcomes_total", "partner", "acme", "outcome", "suspect"):      2,
		metricstest.Series(c+"claim_outcomes_total", "partner", "acme", "outcome", "rejected"):     16,
		metricstest.Series(c+"claim_outcomes_total", "partner", "acme", "outcome", "duplicate"):    4,
		metricstest.Series(c+"claim_outcomes_total", "partner", "acme", "outcome", "replacements"): 6,
		metricstest.Series(c+"claim_outcomes_total", "partner", "acme", "outcome", "voids"):        2,

		metricstest.Series(c+"claim_rejections_total", "partner", "acme", "code", "A3:116"):        8,
		metricstest.Series(c+"claim_rejections_total", "partner", "acme", "code", "A7:164:IL"):     2,
		metricstest.Series(c+"claim_rejections_total", "partner", "acme", "code", "A3:54"):         4,
		metricstest.Series(c+"claim_rejections_total", "partner", "acme", "code", "TA1:R:001"):     4,
		metricstest.Series(c+"claim_rejections_total", "partner", "acme", "code", "AK9:R;IK5:R:5"): 2,

		metricstest.Series(c+"forwarded_claims_total", "partner", "relayhealth"):                        18,
		metricstest.Series(c+"forwarded_claims_total", "partner", "optum"):                              8,
		metricstest.Series(c+"forwarded_files_total", "partner", "relayhealth", "claim_type", "P"):      2,
		metricstest.Series(c+"forwarded_files_total", "partner", "relayhealth", "claim_type", "I"):      2,
		metricstest.Series(c+"forwarded_files_total", "partner", "optum", "claim_type", "P"):            2,
		c + "forward_unpriced_claims_total":                                                             4,
		c + "forward_rejected_claims_total":                                                             2,
		c + "forward_skipped_claims_total":                                                              8,
		metricstest.Series(c+"outbound_files_delivered_total", "partner", "acme", "kind", "999"):        4,
		metricstest.Series(c+"outbound_files_delivered_total", "partner", "acme", "kind", "277CA"):      2,
		metricstest.Series(c+"outbound_files_delivered_total", "partner", "relayhealth", "kind", "837"): 2,
		metricstest.Series(c+"outbound_delivery_failures_total", "partner", "acme", "kind", "999"):      2,
		metricstest.Series(c+"outbound_delivery_failures_total", "partner", "optum", "kind", "837"):     2,
	})
	// The same through testutil, straight from the collectors.
	if v := testutil.ToFloat64(m.claimOutcomes.WithLabelValues("acme", "accepted")); v != 38 {
		t.Errorf("accepted claims = %v", v)
	}
	if n := testutil.CollectAndCount(m.claimRejections); n != 5 {
		t.Errorf("%d rejection code series, want 5", n)
	}
	// The forwarded claims by partner add up to the run's total.
	if sum := got[metricstest.Series(c+"forwarded_claims_total", "partner", "relayhealth")] + got[metricstest.Series(c+"forwarded_claims_total", "partner", "optum")]; sum != 2*float64(res.Forwarded.Forwarded) {
		t.Errorf("forwarded by partner sum to %v, want %d", sum, 2*res.Forwarded.Forwarded)
	}
	// No store: no queue gauges and no store_up.
	if _, ok := got[c+"store_up"]; ok {
		t.Error("store_up without a store")
	}
}

func TestObserveDeliver(t *testing.T) {
	m := New(Options{Logger: quiet()})
	failed := []store.OutboundFile{{PartnerID: "acme", Kind: store.Kind277CA}, {PartnerID: "acme", Kind: store.Kind277CA}, {PartnerID: "optum", Kind: store.Kind837}}
	m.ObserveDeliver(outbox.Result{Delivered: []store.OutboundFile{{PartnerID: "optum", Kind: store.Kind837}}, Failed: failed, LeaseLost: 1})
	if v := testutil.ToFloat64(m.delivered.WithLabelValues("optum", "837")); v != 1 {
		t.Errorf("delivered = %v", v)
	}
	if v := testutil.ToFloat64(m.deliveryFailures.WithLabelValues("acme", "277CA")); v != 2 {
		t.Errorf("acme 277CA failures = %v", v)
	}
	if v := testutil.ToFloat64(m.deliveryFailures.WithLabelValues("optum", "837")); v != 1 {
		t.Errorf("optum 837 failures = %v", v)
	}
	// The partners' breaker state and failure streak follow each run.
	m.ObserveDeliver(outbox.Result{Partners: []outbox.PartnerResult{
		{Partner: "acme", Breaker: outbox.BreakerOpen, ConsecutiveFailures: 5},
		{Partner: "optum", Breaker: outbox.BreakerClosed}}})
	if open, fails := testutil.ToFloat64(m.breakerOpen.WithLabelValues("acme")), testutil.ToFloat64(m.partnerFailures.WithLabelValues("acme")); open != 1 || fails != 5 {
		t.Errorf("acme breaker open = %v, consecutive failures = %v; want 1, 5", open, fails)
	}
	if v := testutil.ToFloat64(m.breakerOpen.WithLabelValues("optum")); v != 0 {
		t.Errorf("optum breaker open = %v", v)
	}
	m.ObserveDeliver(outbox.Result{Partners: []outbox.PartnerResult{{Partner: "acme", Breaker: outbox.BreakerClosed}}})
	if v := testutil.ToFloat64(m.breakerOpen.WithLabelValues("acme")); v != 0 {
		t.Errorf("acme breaker after recovery = %v", v)
	}
}

// TestLabelsArePHISafe feeds values that are not codes, partner IDs or
// state words into every labelled counter: none reaches the exposition.
func TestLabelsArePHISafe(t *testing.T) {
	m := New(Options{Logger: quiet()})
	bad := []string{memberID, "MARRIVALE LORIMUND", "A7:164:" + memberID, "Acme", "a\"b", "x\ny", strings.Repeat("a", 41)}
	for _, v := range bad {
		m.ObserveFile(pipeline.FileResult{Partner: v, State: store.InboundState(v),
			Outcomes: map[string]int{v: 1}, Rejections: map[string]int{v: 1}})
		m.ObserveForward(forward.Result{Files: []forward.File{{Partner: v, ClaimType: v, Claims: 1}}})
		m.ObserveDeliver(outbox.Result{Delivered: []store.OutboundFile{{PartnerID: v, Kind: v}}})
		m.ObserveJob(v, time.Second, nil)
	}
	// A birth date is a valid partner ID (the configuration decides
	// those), but no state, outcome, kind, code or job name.
	const dob = "20050113"
	m.ObserveFile(pipeline.FileResult{Partner: "acme", State: dob, Outcomes: map[string]int{dob: 1}, Rejections: map[string]int{dob: 1, "A7:" + dob: 1}})
	m.ObserveForward(forward.Result{Files: []forward.File{{Partner: "acme", ClaimType: dob, Claims: 1}}})
	m.ObserveDeliver(outbox.Result{Delivered: []store.OutboundFile{{PartnerID: "acme", Kind: dob}}})
	m.ObserveJob(dob, time.Second, nil)

	text, got := scrape(t, m.Handler())
	for _, v := range append(bad, dob) {
		if strings.Contains(text, `"`+v+`"`) {
			t.Errorf("label value %q in the exposition", v)
		}
	}
	for _, v := range []string{memberID, "MARRIVALE", dob} {
		if strings.Contains(text, v) {
			t.Errorf("%q in the exposition", v)
		}
	}
	n := float64(len(bad))
	checkSamples(t, got, map[string]float64{
		metricstest.Series("clearinghouse_claim_rejections_total", "partner", "other", "code", "other"):         n,
		metricstest.Series("clearinghouse_claim_rejections_total", "partner", "acme", "code", "other"):          2,
		metricstest.Series("clearinghouse_inbound_files_processed_total", "partner", "other", "state", "other"): n,
		metricstest.Series("clearinghouse_inbound_files_processed_total", "partner", "acme", "state", "other"):  1,
		metricstest.Series("clearinghouse_outbound_files_delivered_total", "partner", "acme", "kind", "other"):  1,
		metricstest.Series("clearinghouse_forwarded_files_total", "partner", "acme", "claim_type", "other"):     1,
		metricstest.Series("clearinghouse_job_runs_total", "job_name", "other"):                                 n + 1,
	})
	// Valid values pass unchanged, empty ones become "none".
	for in, want := range map[string]string{"acme": "acme", "optum-corrected": "optum-corrected", "": "none"} {
		if got := label(partnerLabel, in); got != want {
			t.Errorf("partner %q → %q, want %q", in, got, want)
		}
	}
	for _, code := range []string{"A3:116", "A7:164:IL", "AK9:R;IK5:R:I5", "TA1:R:001", "IK5:R:5", "A3:54"} {
		if got := label(codeLabel, code); got != code {
			t.Errorf("code %q → %q", code, got)
		}
	}
	for _, kind := range []string{"TA1", "999", "277CA", "837", "P", "I"} {
		if got := label(kindLabel, kind); got != kind {
			t.Errorf("kind %q → %q", kind, got)
		}
	}
	for _, name := range []string{"accepted", "not_ready", "nightly-report", "roster-refresh", "replacements"} {
		if got := label(nameLabel, name); got != name {
			t.Errorf("name %q → %q", name, got)
		}
	}
}

func TestJob(t *testing.T) {
	now := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
	m := New(Options{Logger: quiet(), Now: func() time.Time { return now }})
	fail := errors.New("inbox unavailable")
	runs := 0
	poll := m.Job("poll", func(context.Context) error { runs++; return nil })
	deliver := m.Job("deliver", func(context.Context) error { return fail })
	_ = m.Job("nightly-report", func(context.Context) error { return nil })

	// Before any run: the counters exist at 0, the last success does not.
	_, got := scrape(t, m.Handler())
	checkSamples(t, got, map[string]float64{
		metricstest.Series("clearinghouse_job_runs_total", "job_name", "nightly-report"):     0,
		metricstest.Series("clearinghouse_job_failures_total", "job_name", "nightly-report"): 0,
	})
	if _, ok := got[metricstest.Series("clearinghouse_job_last_success_timestamp_seconds", "job_name", "nightly-report")]; ok {
		t.Error("last success before any run")
	}

	for range 3 {
		if err := poll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := deliver(context.Background()); !errors.Is(err, fail) {
		t.Fatalf("the wrapper changed the error: %v", err)
	}
	if runs != 3 {
		t.Fatalf("job ran %d times", runs)
	}
	_, got = scrape(t, m.Handler())
	checkSamples(t, got, map[string]float64{
		metricstest.Series("clearinghouse_job_runs_total", "job_name", "poll"):                     3,
		metricstest.Series("clearinghouse_job_failures_total", "job_name", "poll"):                 0,
		metricstest.Series("clearinghouse_job_runs_total", "job_name", "deliver"):                  1,
		metricstest.Series("clearinghouse_job_failures_total", "job_name", "deliver"):              1,
		metricstest.Series("clearinghouse_job_duration_seconds_count", "job_name", "poll"):         3,
		metricstest.Series("clearinghouse_job_duration_seconds_count", "job_name", "deliver"):      1,
		metricstest.Series("clearinghouse_job_last_success_timestamp_seconds", "job_name", "poll"): float64(now.Unix()),
	})
	if _, ok := got[metricstest.Series("clearinghouse_job_last_success_timestamp_seconds", "job_name", "deliver")]; ok {
		t.Error("last success of a job that never succeeded")
	}
	m.ObserveJob("poll", 90*time.Second, nil)
	if v := got[metricstest.Series("clearinghouse_job_duration_seconds_bucket", "job_name", "poll", "le", "60")]; v != 3 {
		t.Errorf("poll runs under 60s = %v before the slow one", v)
	}
	_, got = scrape(t, m.Handler())
	checkSamples(t, got, map[string]float64{
		metricstest.Series("clearinghouse_job_duration_seconds_bucket", "job_name", "poll", "le", "60"):  3,
		metricstest.Series("clearinghouse_job_duration_seconds_bucket", "job_name", "poll", "le", "120"): 4,
	})
}

// fakeStore answers with fixed stats, an error, or not at all (until the
// context ends).
type fakeStore struct {
	stats   store.Stats
	err     error
	blocked bool
}

func (f *fakeStore) CountByState(ctx context.Context) (store.Stats, error) {
	if f.blocked {
		<-ctx.Done()
		return store.Stats{}, ctx.Err()
	}
	return f.stats, f.err
}

func (f *fakeStore) Ping(ctx context.Context) error {
	if f.blocked {
		<-ctx.Done()
		return ctx.Err()
	}
	return f.err
}

func TestQueueGauges(t *testing.T) {
	fs := &fakeStore{stats: store.Stats{
		Inbound: []store.InboundStat{{PartnerID: "acme", State: store.InboundReceived, Count: 3}, {PartnerID: "acme", State: store.InboundFailed, Count: 1}},
		Outbound: []store.OutboundStat{{PartnerID: "acme", Kind: "999", State: store.OutboundPending, Count: 2},
			{PartnerID: "optum", Kind: "837", State: store.OutboundFailed, Count: 1}},
		Claims: []store.ClaimStat{{State: store.ClaimAccepted, Count: 40}, {State: store.ClaimForwarded, Count: 12}},
	}}
	var logs bytes.Buffer
	m := New(Options{Store: fs, StoreTimeout: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	_, got := scrape(t, m.Handler())
	checkSamples(t, got, map[string]float64{
		"clearinghouse_store_up": 1,
		metricstest.Series("clearinghouse_inbound_files", "partner", "acme", "state", "received"):                3,
		metricstest.Series("clearinghouse_inbound_files", "partner", "acme", "state", "failed"):                  1,
		metricstest.Series("clearinghouse_outbound_files", "partner", "acme", "kind", "999", "state", "pending"): 2,
		metricstest.Series("clearinghouse_outbound_files", "partner", "optum", "kind", "837", "state", "failed"): 1,
		metricstest.Series("clearinghouse_claims", "state", "accepted"):                                          40,
		metricstest.Series("clearinghouse_claims", "state", "forwarded"):                                         12,
	})
	if _, ok := got["clearinghouse_store_scrape_duration_seconds"]; !ok {
		t.Error("no store_scrape_duration_seconds")
	}

	for name, broken := range map[string]*fakeStore{
		"error":   {err: errors.New("sql: database is closed")},
		"timeout": {blocked: true},
	} {
		t.Run(name, func(t *testing.T) {
			*fs = *broken
			logs.Reset()
			m.ObserveJob("poll", time.Second, nil)
			text, got := scrape(t, m.Handler())
			if got["clearinghouse_store_up"] != 0 {
				t.Errorf("store_up = %v", got["clearinghouse_store_up"])
			}
			for s := range got {
				if strings.HasPrefix(s, "clearinghouse_inbound_files{") || strings.HasPrefix(s, "clearinghouse_outbound_files{") || strings.HasPrefix(s, "clearinghouse_claims{") {
					t.Errorf("queue gauge %s while the store is down", s)
				}
			}
			// The rest of the scrape is intact.
			if _, ok := got[metricstest.Series("clearinghouse_job_runs_total", "job_name", "poll")]; !ok || !strings.Contains(text, "go_goroutines") || !strings.Contains(text, "process_") {
				t.Errorf("scrape incomplete while the store is down:\n%s", text)
			}
			if !strings.Contains(logs.String(), "store queue counts unavailable") {
				t.Errorf("store failure not logged: %s", logs.String())
			}
			// Logged once, not at every scrape.
			logs.Reset()
			scrape(t, m.Handler())
			if logs.Len() != 0 {
				t.Errorf("logged again: %s", logs.String())
			}
			*fs = fakeStore{}
			_, got = scrape(t, m.Handler())
			if got["clearinghouse_store_up"] != 1 || !strings.Contains(logs.String(), "available again") {
				t.Errorf("recovery: store_up %v, logs %s", got["clearinghouse_store_up"], logs.String())
			}
		})
	}
}

func get(t *testing.T, h http.Handler, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthEndpoints(t *testing.T) {
	fs := &fakeStore{}
	m := New(Options{Store: fs, ReadyTimeout: 20 * time.Millisecond, Logger: quiet()})
	h := m.Handler()
	for _, tt := range []struct {
		name   string
		set    fakeStore
		path   string
		code   int
		body   string
		method string
	}{
		{"live", fakeStore{}, "/healthz", 200, "ok\n", http.MethodGet},
		{"live head", fakeStore{}, "/healthz", 200, "", http.MethodHead},
		{"ready", fakeStore{}, "/readyz", 200, "ok\n", http.MethodGet},
		{"store error", fakeStore{err: errors.New("dial tcp 10.0.0.9:5432: connect: connection refused")}, "/readyz", 503, "store unavailable\n", http.MethodGet},
		{"store timeout", fakeStore{blocked: true}, "/readyz", 503, "store ping timed out\n", http.MethodGet},
		{"live while the store is down", fakeStore{err: errors.New("down")}, "/healthz", 200, "ok\n", http.MethodGet},
		{"post", fakeStore{}, "/metrics", 405, "", http.MethodPost},
		{"unknown path", fakeStore{}, "/", 404, "", http.MethodGet},
	} {
		t.Run(tt.name, func(t *testing.T) {
			*fs = tt.set
			code, body := get(t, h, tt.method, tt.path)
			if code != tt.code || (tt.body != "" && body != tt.body) {
				t.Fatalf("%s %s = %d %q, want %d %q", tt.method, tt.path, code, body, tt.code, tt.body)
			}
			if strings.Contains(body, "10.0.0.9") {
				t.Fatalf("error detail served: %q", body)
			}
		})
	}
	*fs = fakeStore{}
	m.SetShuttingDown()
	if code, body := get(t, h, http.MethodGet, "/readyz"); code != 503 || body != "shutting down\n" {
		t.Fatalf("/readyz while shutting down = %d %q", code, body)
	}
	if code, _ := get(t, h, http.MethodGet, "/healthz"); code != 200 {
		t.Fatalf("/healthz while shutting down = %d", code)
	}
	// No store: ready.
	if code, _ := get(t, New(Options{Logger: quiet()}).Handler(), http.MethodGet, "/readyz"); code != 200 {
		t.Fatalf("/readyz without a store = %d", code)
	}
}

// TestLint checks every metric name, help and unit against the Prometheus
// conventions (promlint).
func TestLint(t *testing.T) {
	m := New(Options{Store: &fakeStore{stats: store.Stats{
		Inbound:  []store.InboundStat{{PartnerID: "acme", State: "received", Count: 1}},
		Outbound: []store.OutboundStat{{PartnerID: "acme", Kind: "999", State: "pending", Count: 1}},
		Claims:   []store.ClaimStat{{State: "accepted", Count: 1}},
	}}, Logger: quiet()})
	m.ObserveCycle(sampleCycle())
	m.ObserveJob("poll", time.Second, nil)
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "clearinghouse_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
}

// TestWithStore reads the queue gauges and readiness from a real store on
// both backends, then closes it.
func TestWithStore(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, be.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for i, name := range []string{"a.x12", "b.x12"} {
				sum := strings.Repeat(strconv.Itoa(i+1), 64)
				if _, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: name, RemotePath: "/in/" + name,
					SHA256: sum, Size: 1, SpoolPath: "/spool/" + sum}); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := st.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: "acme", Kind: store.Kind999, Name: "999-1.x12",
				SpoolPath: "/spool/999", SHA256: strings.Repeat("a", 64), Size: 1}); err != nil {
				t.Fatal(err)
			}
			m := New(Options{Store: st, Logger: quiet()})
			h := m.Handler()
			_, got := scrape(t, h)
			checkSamples(t, got, map[string]float64{
				"clearinghouse_store_up": 1,
				metricstest.Series("clearinghouse_inbound_files", "partner", "acme", "state", "received"):                2,
				metricstest.Series("clearinghouse_outbound_files", "partner", "acme", "kind", "999", "state", "pending"): 1,
			})
			if code, body := get(t, h, http.MethodGet, "/readyz"); code != 200 {
				t.Fatalf("/readyz = %d %q", code, body)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if code, body := get(t, h, http.MethodGet, "/readyz"); code != 503 || body != "store unavailable\n" {
				t.Fatalf("/readyz after close = %d %q", code, body)
			}
			_, got = scrape(t, h)
			if v, ok := got["clearinghouse_store_up"]; !ok || v != 0 {
				t.Fatalf("store_up after close = %v, %v", v, ok)
			}
		})
	}
}

func TestServer(t *testing.T) {
	m := New(Options{Logger: quiet()})
	srv, err := Listen("127.0.0.1:0", m.Handler(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	base := "http://" + srv.Addr().String()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Fatalf("/healthz = %d %q", resp.StatusCode, body)
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "clearinghouse_forward_unpriced_claims_total") {
		t.Fatalf("/metrics = %d", resp.StatusCode)
	}
	if srv.srv.ReadHeaderTimeout == 0 || srv.srv.ReadTimeout == 0 || srv.srv.WriteTimeout == 0 || srv.srv.IdleTimeout == 0 {
		t.Fatalf("server timeouts not set: %+v", srv.srv)
	}

	// The address is taken now.
	if _, err := Listen(srv.Addr().String(), m.Handler(), quiet()); err == nil {
		t.Fatal("second Listen on the same address succeeded")
	}

	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("served after Shutdown")
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("Close after Shutdown: %v", err)
	}
}
