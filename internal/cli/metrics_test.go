package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/metrics"
	"github.com/clearinghouse/clearinghouse/internal/metrics/metricstest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/roster"
)

const demoRoster = "../../testdata/roster/alliance-members.csv"

// promText GETs path from h and returns status and body.
func promText(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// rosterPHI returns the member IDs and last names of the demo roster.
func rosterPHI(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(demoRoster)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || rows[0][0] != "member_id" || rows[0][1] != "last_name" {
		t.Fatalf("roster header %v: update this test", rows[0])
	}
	var phi []string
	for _, r := range rows[1:] {
		phi = append(phi, r[0], r[1])
	}
	return phi
}

// demoWorld writes a configuration like the demo's over dir: transports:
// acme drops every demo file in its inbox; payer IDs 2712 (837P) and 1935
// (837I) route to relayhealth. 88461 has no route here, so its claims are
// rejected at intake with 277CA A3:116.
func demoWorld(t *testing.T, dir, database string) config.Config {
	t.Helper()
	inbox := filepath.Join(dir, "sftp", "acme", "inbox")
	for _, d := range []string{inbox, filepath.Join(dir, "sftp", "acme", "outbox"), filepath.Join(dir, "sftp", "relayhealth", "outbox")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	seeds, err := filepath.Glob(demo + "*.x12")
	if err != nil || len(seeds) != 8 {
		t.Fatalf("demo files: %v %v", seeds, err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(inbox, filepath.Base(s)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "var")
	cfg.Database = database
	cfg.Partners = []config.Partner{
		{ID: "acme", Name: "acme", Inbox: "dir:" + inbox, Outbox: "dir:" + filepath.Join(dir, "sftp", "acme", "outbox"), Archive: "archive"},
		{ID: "relayhealth", Name: "relayhealth", Outbox: "dir:" + filepath.Join(dir, "sftp", "relayhealth", "outbox")},
	}
	cfg.Routes = []config.Route{
		{PayerID: "2712", ClaimType: "P", Partner: "relayhealth"},
		{PayerID: "1935", ClaimType: "I", Partner: "relayhealth"},
	}
	schedules := mustAbs(t, "../../testdata/schedules")
	cfg.Repricing = config.Repricing{Source: "files", SchedulesDir: schedules, Contracts: filepath.Join(schedules, "contracts.yaml")}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestMetricsDemoCycle runs a real poll → process → forward → deliver
// cycle over the demo files through the metrics' job wrapper, scrapes
// /metrics and checks the counters against the cycle's own results and
// the queue gauges against the store; that no label carries a member ID
// or name of the roster; and /readyz and the gauges once the store is
// closed.
func TestMetricsDemoCycle(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			cfg := demoWorld(t, dir, be.URL(t))
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			a := &app{ctx: ctx, stdout: io.Discard, stderr: io.Discard, logger: logger}

			// The roster first, so eligibility is on (auto).
			st, err := a.openStore(cfg)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(demoRoster)
			if err != nil {
				t.Fatal(err)
			}
			_, err = roster.ImportCSV(ctx, st, f, roster.Opts{Source: "alliance-members.csv"})
			f.Close()
			st.Close()
			if err != nil {
				t.Fatal(err)
			}

			rt, err := a.openRuntime(ctx, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			m := metrics.New(metrics.Options{Store: rt.store, Logger: logger})
			var res pipeline.CycleResult
			poll := m.Job("poll", func(ctx context.Context) error {
				var err error
				res, err = rt.engine.Cycle(ctx)
				m.ObserveCycle(res)
				return err
			})
			if err := poll(ctx); err != nil {
				t.Fatal(err)
			}
			if res.Poll.Received != 7 || res.Poll.Duplicates != 1 || len(res.Files) != 7 {
				t.Fatalf("demo cycle: poll %+v, %d files", res.Poll, len(res.Files))
			}

			h := m.Handler()
			code, text := promText(t, h, "/metrics")
			if code != http.StatusOK {
				t.Fatalf("/metrics: %d", code)
			}
			got := metricstest.Samples(t, text)

			// What the cycle says it did.
			want := map[string]float64{
				metricstest.Series("clearinghouse_inbound_files_polled_total", "partner", "acme", "result", "received"):  7,
				metricstest.Series("clearinghouse_inbound_files_polled_total", "partner", "acme", "result", "duplicate"): 1,
				metricstest.Series("clearinghouse_inbound_files_polled_total", "partner", "acme", "result", "refused"):   0,
				metricstest.Series("clearinghouse_job_runs_total", "job_name", "poll"):                                   1,
				metricstest.Series("clearinghouse_job_failures_total", "job_name", "poll"):                               0,
			}
			add := func(s string, n int) { want[s] += float64(n) }
			accepted, claimsAccepted, a3116 := 0, 0, 0
			for _, f := range res.Files {
				if f.Partner != "acme" {
					t.Fatalf("file of partner %q", f.Partner)
				}
				add(metricstest.Series("clearinghouse_inbound_files_processed_total", "partner", "acme", "state", string(f.State)), 1)
				add(metricstest.Series("clearinghouse_transaction_sets_total", "partner", "acme", "result", "accepted"), f.Counts.TxAccepted)
				add(metricstest.Series("clearinghouse_transaction_sets_total", "partner", "acme", "result", "rejected"), f.Counts.TxRejected)
				for outcome, n := range f.Outcomes {
					add(metricstest.Series("clearinghouse_claim_outcomes_total", "partner", "acme", "outcome", outcome), n)
				}
				for code, n := range f.Rejections {
					add(metricstest.Series("clearinghouse_claim_rejections_total", "partner", "acme", "code", code), n)
				}
				accepted += f.Outcomes["accepted"]
				claimsAccepted += f.Counts.ClaimsAccepted
				a3116 += f.Rejections["A3:116"]
			}
			for _, ff := range res.Forwarded.Files {
				add(metricstest.Series("clearinghouse_forwarded_claims_total", "partner", ff.Partner), ff.Claims)
				add(metricstest.Series("clearinghouse_forwarded_files_total", "partner", ff.Partner, "claim_type", ff.ClaimType), 1)
			}
			for _, d := range res.Delivered {
				add(metricstest.Series("clearinghouse_outbound_files_delivered_total", "partner", d.PartnerID, "kind", d.Kind), 1)
			}
			for s, w := range want {
				if g, ok := got[s]; !ok || g != w {
					t.Errorf("%s = %v (present %v), want %v", s, g, ok, w)
				}
			}
			// Anchors, so the comparison above is not vacuous.
			acceptedSeries := metricstest.Series("clearinghouse_claim_outcomes_total", "partner", "acme", "outcome", "accepted")
			suspectSeries := metricstest.Series("clearinghouse_claim_outcomes_total", "partner", "acme", "outcome", "suspect")
			if accepted == 0 || got[acceptedSeries] != float64(accepted) || got[acceptedSeries]+got[suspectSeries] != float64(claimsAccepted) {
				t.Errorf("accepted claims: metric %v + suspect %v, results %d (counts %d)", got[acceptedSeries], got[suspectSeries], accepted, claimsAccepted)
			}
			if res.Forwarded.Forwarded == 0 || got[metricstest.Series("clearinghouse_forwarded_claims_total", "partner", "relayhealth")] != float64(res.Forwarded.Forwarded) {
				t.Errorf("forwarded: metric %v, result %d", got[metricstest.Series("clearinghouse_forwarded_claims_total", "partner", "relayhealth")], res.Forwarded.Forwarded)
			}
			failures := 0.0
			for series, v := range got {
				if strings.HasPrefix(series, "clearinghouse_outbound_delivery_failures_total") {
					failures += v
				}
			}
			if len(res.Delivered) == 0 || res.Failed != 0 || failures != 0 {
				t.Errorf("deliveries: %d delivered, %d failed, metric %v", len(res.Delivered), res.Failed, failures)
			}
			if _, ok := got[metricstest.Series("clearinghouse_job_last_success_timestamp_seconds", "job_name", "poll")]; !ok {
				t.Error("no last success of poll")
			}

			// A3:116 (no route for 88461): the metric counts exactly the
			// claims the store holds rejected with that code alone.
			claims := allClaims(t, rt.store)
			stored116 := 0
			for _, c := range claims {
				if c.State == store.ClaimRejected && c.Reasons == "A3:116" {
					stored116++
				}
			}
			a3Series := metricstest.Series("clearinghouse_claim_rejections_total", "partner", "acme", "code", "A3:116")
			if stored116 == 0 || got[a3Series] != float64(stored116) || a3116 != stored116 {
				t.Errorf("A3:116: metric %v, results %d, store %d", got[a3Series], a3116, stored116)
			}

			// Queue gauges: what the store lists.
			wantGauges := map[string]float64{}
			inbound, err := rt.store.ListInbound(ctx, store.ListOpts{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range inbound {
				wantGauges[metricstest.Series("clearinghouse_inbound_files", "partner", f.PartnerID, "state", string(f.State))]++
			}
			outbound, err := rt.store.ListOutbound(ctx, store.OutboundFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range outbound {
				wantGauges[metricstest.Series("clearinghouse_outbound_files", "partner", f.PartnerID, "kind", f.Kind, "state", string(f.State))]++
			}
			for _, c := range claims {
				wantGauges[metricstest.Series("clearinghouse_claims", "state", string(c.State))]++
			}
			if len(inbound) != 7 || len(outbound) == 0 || len(claims) == 0 {
				t.Fatalf("store: %d inbound, %d outbound, %d claims", len(inbound), len(outbound), len(claims))
			}
			gauges := 0
			for s, g := range got {
				for _, p := range []string{"clearinghouse_inbound_files{", "clearinghouse_outbound_files{", "clearinghouse_claims{"} {
					if strings.HasPrefix(s, p) {
						gauges++
						if g != wantGauges[s] {
							t.Errorf("%s = %v, want %v", s, g, wantGauges[s])
						}
					}
				}
			}
			if gauges != len(wantGauges) || got["clearinghouse_store_up"] != 1 {
				t.Errorf("%d queue gauges, want %d (%v); store_up %v", gauges, len(wantGauges), wantGauges, got["clearinghouse_store_up"])
			}

			// No member data anywhere: the roster's IDs and names, and the
			// member IDs the claims carried (one is not on the roster).
			phi := rosterPHI(t)
			for _, c := range claims {
				phi = append(phi, c.MemberID, c.PatientLast)
			}
			for _, v := range phi {
				if v != "" && strings.Contains(text, v) {
					t.Errorf("member data %q in /metrics", v)
				}
			}
			// And the conventions hold on the real registry.
			problems, err := testutil.GatherAndLint(m.Registry())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				if strings.HasPrefix(p.Metric, "clearinghouse_") {
					t.Errorf("lint %s: %s", p.Metric, p.Text)
				}
			}

			if code, body := promText(t, h, "/readyz"); code != http.StatusOK {
				t.Fatalf("/readyz = %d %q", code, body)
			}
			// The store goes away: not ready, store_up 0, no queue gauges,
			// and the counters are still served.
			if err := rt.store.Close(); err != nil {
				t.Fatal(err)
			}
			if code, body := promText(t, h, "/readyz"); code != http.StatusServiceUnavailable || body != "store unavailable\n" {
				t.Fatalf("/readyz after close = %d %q", code, body)
			}
			if code, _ := promText(t, h, "/healthz"); code != http.StatusOK {
				t.Fatalf("/healthz after close = %d", code)
			}
			code, text = promText(t, h, "/metrics")
			got = metricstest.Samples(t, text)
			if code != http.StatusOK || got["clearinghouse_store_up"] != 0 || strings.Contains(text, "clearinghouse_claims{") ||
				got[acceptedSeries] != float64(accepted) {
				t.Fatalf("/metrics after close: %d, store_up %v, accepted %v:\n%s", code, got["clearinghouse_store_up"], got[acceptedSeries], text)
			}
		})
	}
}

// allClaims lists every claim of st.
func allClaims(t *testing.T, st *store.Store) []store.Claim {
	t.Helper()
	var all []store.Claim
	var after int64
	for {
		cs, err := st.ListClaims(context.Background(), store.ClaimFilter{AfterID: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			return all
		}
		all = append(all, cs...)
		after = cs[len(cs)-1].ID
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor calls check until it returns true; it fails the test after a
// minute (a hung engine, not a slow one: nothing here is timed).
func waitFor(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func httpGet(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

var listeningAddr = regexp.MustCompile(`msg="metrics listening" addr=(\S+)`)

// TestRunServesMetrics runs the real `clearinghouse run` with
// --metrics-addr on a free port and a one-second poll over one demo file,
// scrapes it once the poll has run, and stops it: the server goes away
// with the engine.
func TestRunServesMetrics(t *testing.T) {
	dir := t.TempDir()
	inbox, outbox := filepath.Join(dir, "inbox"), filepath.Join(dir, "outbox")
	for _, d := range []string{inbox, outbox} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(demo + "acme-837i-20261120-01.x12")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, "acme-837i-20261120-01.x12"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "clearinghouse.yaml")
	cfgText := fmt.Sprintf(`eligibility: "off"
metrics_addr: "127.0.0.1:1"   # overridden by --metrics-addr
partners:
  - {id: acme, inbox: "dir:%s", outbox: "dir:%s"}
schedules: {poll: "@every 1s", deliver: "", nightly_report: "", roster_refresh: ""}
`, inbox, outbox)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"--log-level", "info", "--config", cfgPath, "--data-dir", filepath.Join(dir, "var"),
			"run", "--metrics-addr", "127.0.0.1:0", "--grace", "30s"}, io.Discard, &stderr)
	}()
	var base string
	waitFor(t, "the metrics server", func() bool {
		select {
		case code := <-done:
			t.Fatalf("run exited %d:\n%s", code, stderr.String())
		default:
		}
		if m := listeningAddr.FindStringSubmatch(stderr.String()); m != nil {
			base = "http://" + m[1]
			return true
		}
		return false
	})
	if base == "http://127.0.0.1:1" {
		t.Fatal("--metrics-addr did not override metrics_addr of the file")
	}
	if code, body, err := httpGet(base + "/healthz"); err != nil || code != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q %v", code, body, err)
	}
	processed := metricstest.Series("clearinghouse_inbound_files_processed_total", "partner", "acme", "state", "processed")
	var got map[string]float64
	var text string
	waitFor(t, "the first poll", func() bool {
		code, body, err := httpGet(base + "/metrics")
		if err != nil || code != 200 {
			t.Fatalf("/metrics = %d %v", code, err)
		}
		text, got = body, metricstest.Samples(t, body)
		return got[metricstest.Series("clearinghouse_job_runs_total", "job_name", "poll")] >= 1 && got[processed] == 1
	})
	for s, w := range map[string]float64{
		metricstest.Series("clearinghouse_job_failures_total", "job_name", "poll"):                           0,
		metricstest.Series("clearinghouse_claim_outcomes_total", "partner", "acme", "outcome", "accepted"):   8,
		metricstest.Series("clearinghouse_transaction_sets_total", "partner", "acme", "result", "accepted"):  1,
		metricstest.Series("clearinghouse_interchanges_total", "partner", "acme", "result", "accepted"):      1,
		metricstest.Series("clearinghouse_outbound_files_delivered_total", "partner", "acme", "kind", "999"): 1,
		metricstest.Series("clearinghouse_inbound_files", "partner", "acme", "state", "processed"):           1,
		metricstest.Series("clearinghouse_claims", "state", "accepted"):                                      8,
		"clearinghouse_store_up": 1,
	} {
		if g, ok := got[s]; !ok || g != w {
			t.Errorf("%s = %v (present %v), want %v", s, g, ok, w)
		}
	}
	// Disabled jobs have no series; the Go and process collectors are there.
	if strings.Contains(text, `job_name="deliver"`) || !strings.Contains(text, "go_goroutines") || !strings.Contains(text, "process_start_time_seconds") {
		t.Errorf("unexpected exposition:\n%s", text)
	}
	if code, body, err := httpGet(base + "/readyz"); err != nil || code != 200 {
		t.Fatalf("/readyz = %d %q %v", code, body, err)
	}

	cancel()
	var code int
	waitFor(t, "run to stop", func() bool {
		select {
		case code = <-done:
			return true
		default:
			return false
		}
	})
	if code != 0 {
		t.Fatalf("run exited %d:\n%s", code, stderr.String())
	}
	if _, _, err := httpGet(base + "/healthz"); err == nil {
		t.Fatal("metrics still served after run stopped")
	}
	if !strings.Contains(stderr.String(), `msg=stopped`) {
		t.Errorf("no clean stop in the log:\n%s", stderr.String())
	}
}

// TestRunMetricsAddrErrors: a bad address from the flag, the file or the
// environment, and a taken port, stop `run` before it schedules anything.
func TestRunMetricsAddrErrors(t *testing.T) {
	dir := t.TempDir()
	global := []string{"--data-dir", filepath.Join(dir, "var")}

	code, _, errOut := run(t, append(global, "run", "--metrics-addr", "9464")...)
	if code != 2 || !strings.Contains(errOut, "metrics_addr") {
		t.Errorf("--metrics-addr 9464: exit %d, %q", code, errOut)
	}

	cfgPath := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(cfgPath, []byte("metrics_addr: localhost\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = run(t, append([]string{"--config", cfgPath}, append(global, "run")...)...)
	if code == 0 || !strings.Contains(errOut, "config: metrics_addr") {
		t.Errorf("metrics_addr in the file: exit %d, %q", code, errOut)
	}

	t.Setenv("CLEARINGHOUSE_METRICS_ADDR", "127.0.0.1:99999")
	code, _, errOut = run(t, append(global, "run")...)
	if code == 0 || !strings.Contains(errOut, "config: metrics_addr") {
		t.Errorf("CLEARINGHOUSE_METRICS_ADDR: exit %d, %q", code, errOut)
	}
	t.Setenv("CLEARINGHOUSE_METRICS_ADDR", "")

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	code, _, errOut = run(t, append(global, "run", "--metrics-addr", taken.Addr().String())...)
	if code != 1 || !strings.Contains(errOut, "metrics: listen") {
		t.Errorf("taken port: exit %d, %q", code, errOut)
	}
}
