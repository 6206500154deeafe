package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Partners of the harness configuration: acme sends (inbox) and gets its
// 999/TA1/277CA (outbox); the others receive forwarded 837s.
const (
	sender         = "acme"
	relay          = "relayhealth"
	optum          = "optum"
	optumCorrected = "optum-corrected"
)

var receivers = []string{relay, optum, optumCorrected}

// backend names a store the harness runs on.
type backend string

const (
	sqlite   backend = "sqlite"
	postgres backend = "postgres"
)

// input is one inbound file of the workload.
type input struct {
	name   string
	data   []byte
	claims int // CLM segments
	dup    bool
}

// workload is the input files, in rounds: each round is dropped into the
// inbox at once.
type workload struct {
	rounds [][]input
	byName map[string]input
}

// workloadSpec sizes a workload.
type workloadSpec struct {
	rounds, filesPerRound, claims, claimsPerST int
}

var (
	workloadMu    sync.Mutex
	workloadCache = map[workloadSpec]*workload{}
)

var f8Ref = regexp.MustCompile(`REF\*F8\*CH(\d{12})`)

// makeWorkload generates (once per spec and test run) synthetic 837Ps with
// the binary's gen command: originals, replacements and voids, exact
// duplicate claims, a few claims with implementation-guide errors, payer
// IDs without a route for the claim type, and in round 2 a copy of a
// round-1 file under a new name (a duplicate file). gen numbers the
// originals a replacement or void points at (REF*F8) as a fresh store
// would; each file's references are shifted by the claims recorded before
// it, so that corrections in later files find their originals.
func makeWorkload(t *testing.T, spec workloadSpec) *workload {
	t.Helper()
	workloadMu.Lock()
	defer workloadMu.Unlock()
	if w, ok := workloadCache[spec]; ok {
		return w
	}
	dir, err := os.MkdirTemp("", "chaos-gen-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	w := &workload{byName: map[string]input{}}
	offset := 0
	for r := 1; r <= spec.rounds; r++ {
		var round []input
		for i := 0; i < spec.filesPerRound; i++ {
			name := fmt.Sprintf("r%d-%c.x12", r, 'a'+i)
			out := filepath.Join(dir, name)
			cmd := exec.Command(binPath, "gen", "--type", "837P", "--claims", strconv.Itoa(spec.claims),
				"--claims-per-st", strconv.Itoa(spec.claimsPerST), "--seed", strconv.Itoa(100*r+i),
				"--freq7", "0.15", "--freq8", "0.05", "--dup", "0.08", "--invalid", "0.02",
				"--f8-prefix", "CH", "--out", out)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("gen %s: %v\n%s", name, err, b)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			shift := offset
			data = f8Ref.ReplaceAllFunc(data, func(m []byte) []byte {
				n, _ := strconv.Atoi(string(m[len(m)-12:]))
				return fmt.Appendf(nil, "REF*F8*CH%012d", n+shift)
			})
			in := input{name: name, data: data, claims: countCLM(data)}
			offset += in.claims
			round = append(round, in)
		}
		if r == 2 {
			first := w.rounds[0][0]
			round = append(round, input{name: "r2-z-dup.x12", data: first.data, claims: first.claims, dup: true})
		}
		for _, in := range round {
			w.byName[in.name] = in
		}
		w.rounds = append(w.rounds, round)
	}
	workloadCache[spec] = w
	return w
}

func countCLM(data []byte) int {
	n := 0
	for _, s := range Segments(data) {
		if s[0] == "CLM" {
			n++
		}
	}
	return n
}

// env is one isolated installation: a data dir, a database, the partner
// folders and the configuration.
type env struct {
	t       *testing.T
	root    string
	backend backend
	dbURL   string
	appName string // PostgreSQL application_name of the engine's connections
	inbox   string
	outbox  map[string]string
	cfgPath string
	w       *workload
	dropped []string // input names dropped so far, in order
	// hosts gives every instance a data dir of its own (data-<instance>),
	// as engines on separate hosts sharing only the database; otherwise
	// all share root/data.
	hosts bool
}

func newEnv(t *testing.T, be backend, w *workload) *env {
	t.Helper()
	root := t.TempDir()
	if os.Getenv("CHAOS_KEEP") == "1" {
		// Keep the installation for a post-mortem: the failure message
		// names the directory.
		var err error
		if root, err = os.MkdirTemp("", "chaos-"); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, root: root, backend: be, w: w, inbox: filepath.Join(root, "partners", sender, "in"),
		outbox: map[string]string{}}
	switch be {
	case sqlite:
		e.dbURL = "sqlite:" + filepath.Join(root, "data", "clearinghouse.db")
	case postgres:
		u, err := url.Parse(dbtest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		e.appName = "chaos_" + strings.TrimPrefix(q.Get("search_path"), "chtest_")
		q.Set("application_name", e.appName)
		u.RawQuery = q.Encode()
		e.dbURL = u.String()
	}
	for _, p := range append([]string{sender}, receivers...) {
		e.outbox[p] = filepath.Join(root, "partners", p, "out")
	}
	for _, d := range append([]string{e.inbox}, mapValues(e.outbox)...) {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `identity: {qualifier: ZZ, id: CLEARINGHOUSE, name: CLEARINGHOUSE}
usage: P
eligibility: "off"
instance: chaos-1
lease_ttl: 10s
retry_after: 1s
max_attempts: 5
partners:
  - {id: %s, inbox: "dir:%s", outbox: "dir:%s"}
`, sender, e.inbox, e.outbox[sender])
	for _, p := range receivers {
		fmt.Fprintf(&b, "  - {id: %s, outbox: \"dir:%s\"}\n", p, e.outbox[p])
	}
	fmt.Fprintf(&b, `routes:
  - {payer_id: "2712", claim_type: P, partner: %s}
  - {payer_id: "88461", partner: %s, corrected_partner: %s}
repricing:
  source: files
  schedules_dir: %s
  contracts: %s
`, relay, optum, optumCorrected, repoPath(t, "testdata/schedules"), repoPath(t, "testdata/schedules/contracts.yaml"))
	e.cfgPath = filepath.Join(root, "clearinghouse.yaml")
	if err := os.WriteFile(e.cfgPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

func repoPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// drop puts a round's files into the inbox, each written under a hidden
// temporary name in the inbox's parent and renamed in, so that no poll sees
// a half-written file.
func (e *env) drop(round int) {
	e.t.Helper()
	for _, in := range e.w.rounds[round-1] {
		tmp := filepath.Join(filepath.Dir(e.inbox), "."+in.name)
		if err := os.WriteFile(tmp, in.data, 0o644); err != nil {
			e.t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(e.inbox, in.name)); err != nil {
			e.t.Fatal(err)
		}
		e.dropped = append(e.dropped, in.name)
	}
}

// runResult is how one child process ended.
type runResult struct {
	args           []string
	code           int // exit status; -1 when killed by a signal
	signal         syscall.Signal
	stdout, stderr string
	took           time.Duration
}

func (r runResult) killed() bool { return r.code == -1 && r.signal == syscall.SIGKILL }

func (r runResult) String() string {
	how := fmt.Sprintf("exit %d", r.code)
	if r.code == -1 {
		how = "killed by " + r.signal.String()
	}
	return fmt.Sprintf("%s: %s after %s\nstdout: %s\nstderr: %s", strings.Join(r.args, " "), how,
		r.took.Round(time.Millisecond), clip(r.stdout, 2000), clip(r.stderr, 4000))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d bytes)", len(s))
}

// runOpts changes how a child runs.
type runOpts struct {
	fault    string   // CLEARINGHOUSE_FAULT
	instance string   // CLEARINGHOUSE_INSTANCE (default the config's chaos-1)
	fsize    int64    // RLIMIT_FSIZE in bytes for the child (0: unlimited)
	env      []string // more environment
}

// run runs the binary with the global flags of e and args.
func (e *env) run(o runOpts, args ...string) runResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	full := append([]string{"--config", e.cfgPath, "--data-dir", e.dataDir(o.instance),
		"--database", e.dbURL, "--log-level", "warn"}, args...)
	name, argv := binPath, full
	if o.fsize > 0 {
		// A full disk: writes past fsize bytes fail with EFBIG (the Go
		// runtime ignores SIGXFSZ), for the spool, the outboxes and a
		// SQLite database alike.
		name, argv = "prlimit", append([]string{fmt.Sprintf("--fsize=%d", o.fsize), "--", binPath}, full...)
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Env = append(os.Environ(), "CLEARINGHOUSE_FAULT="+o.fault)
	if o.instance != "" {
		cmd.Env = append(cmd.Env, "CLEARINGHOUSE_INSTANCE="+o.instance)
	}
	cmd.Env = append(cmd.Env, o.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := runResult{args: append([]string{"clearinghouse"}, args...), stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	if o.fault != "" {
		res.args = append([]string{"CLEARINGHOUSE_FAULT=" + o.fault}, res.args...)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.signal = ws.Signal()
		}
	default:
		e.t.Fatalf("run %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		e.t.Fatalf("run %s: no end after 3 minutes (killed)\n%s", strings.Join(args, " "), res)
	}
	return res
}

// dataDir is the data dir of instance ("": the configuration's chaos-1).
func (e *env) dataDir(instance string) string {
	if !e.hosts {
		return filepath.Join(e.root, "data")
	}
	if instance == "" {
		instance = "chaos-1"
	}
	return filepath.Join(e.root, "data-"+instance)
}

// cycleJSON is the part of `cycle --json` the harness reads.
type cycleJSON struct {
	Poll struct {
		Received   int `json:"received"`
		Duplicates int `json:"duplicate_files"`
		NotReady   int `json:"not_ready"`
		Failed     int `json:"failed"`
	} `json:"poll"`
	Files []struct {
		State string `json:"state"`
	} `json:"files"`
	Forwarded struct {
		Forwarded int `json:"forwarded"`
		Rejected  int `json:"rejected"`
		Files     []struct {
			Name string `json:"name"`
		} `json:"files"`
	} `json:"forwarded"`
	Delivered []struct {
		Name string `json:"name"`
	} `json:"delivered"`
	Failed int `json:"delivery_failures"`
}

// idle reports whether a cycle found nothing at all to do.
func (c cycleJSON) idle() bool {
	return c.Poll.Received+c.Poll.Duplicates+c.Poll.NotReady+c.Poll.Failed == 0 && len(c.Files) == 0 &&
		c.Forwarded.Forwarded+c.Forwarded.Rejected == 0 && len(c.Forwarded.Files) == 0 &&
		len(c.Delivered) == 0 && c.Failed == 0
}

// cycle runs `clearinghouse cycle --json`.
func (e *env) cycle(o runOpts) (runResult, cycleJSON) {
	e.t.Helper()
	r := e.run(o, "cycle", "--settle", "0", "--json")
	var c cycleJSON
	if r.code >= 0 && r.stdout != "" {
		// The summary is one JSON line; an error exit may print it too.
		line := r.stdout
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		_ = json.Unmarshal([]byte(line), &c)
	}
	return r, c
}

// faultCycle runs one cycle with a fault point armed. It reports whether
// the point was hit: the child died of SIGKILL. Any other death fails the
// test; a normal exit means the point was never reached.
func (e *env) faultCycle(point string) bool {
	e.t.Helper()
	r, _ := e.cycle(runOpts{fault: point})
	switch {
	case r.killed():
		return true
	case r.code == -1:
		e.t.Fatalf("cycle with %s armed died of %s, not SIGKILL:\n%s", point, r.signal, r)
	case r.code > 1:
		e.t.Fatalf("cycle with %s armed: unexpected exit:\n%s", point, r)
	}
	return false
}

// settle runs clean cycles until one exits 0 having found nothing to do
// and `files` shows no file waiting. Exit status 1 is allowed on the way
// (a file retrying, a delivery failing) and waited out; anything else,
// or no quiet cycle within maxWait, fails the test.
func (e *env) settle(maxWait time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(maxWait)
	var last runResult
	for n := 1; ; n++ {
		r, c := e.cycle(runOpts{})
		last = r
		if r.code != 0 && r.code != 1 {
			e.t.Fatalf("settle: cycle %d ended badly:\n%s", n, r)
		}
		queued, _ := e.outboundQueue()
		if r.code == 0 && c.idle() && len(e.waitingFiles()) == 0 && len(queued) == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("settle: no quiet cycle after %d cycles (%s); waiting files %v; queued outbound %v; last:\n%s", n, maxWait, e.waitingFiles(), queued, last)
		}
		if r.code != 0 || c.idle() {
			time.Sleep(time.Second) // a retry's backoff, or a delivery's retry time
		}
	}
}

// inboundJSON is a row of `files --json`.
type inboundJSON struct {
	ID       int64  `json:"id"`
	Partner  string `json:"partner_id"`
	Name     string `json:"name"`
	SHA256   string `json:"sha256"`
	State    string `json:"state"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error"`
}

// files lists every inbound file.
func (e *env) files() []inboundJSON {
	e.t.Helper()
	r := e.run(runOpts{}, "files", "--json", "--limit", "100000")
	if r.code != 0 {
		e.t.Fatalf("files:\n%s", r)
	}
	var fs []inboundJSON
	if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil {
		e.t.Fatalf("files --json: %v\n%s", err, r)
	}
	return fs
}

// waitingStates are the inbound states a later cycle still has to act on
// (or an operator: failed, quarantined).
var waitingStates = map[string]bool{"received": true, "processing": true, "retrying": true, "failed": true, "quarantined": true}

func (e *env) waitingFiles() []string {
	var out []string
	for _, f := range e.files() {
		if waitingStates[f.State] {
			out = append(out, fmt.Sprintf("%s=%s(attempts %d: %s)", f.Name, f.State, f.Attempts, f.Error))
		}
	}
	return out
}

// claimJSON is a row of `claims --json`.
type claimJSON struct {
	Control string   `json:"claim_control_number"`
	CLM01   string   `json:"clm01"`
	Freq    string   `json:"frequency"`
	State   string   `json:"state"`
	Reasons []string `json:"reasons"`
	Notes   []string `json:"notes"`
	Payer   string   `json:"payer_id"`
	FileID  int64    `json:"inbound_file_id"`
}

// claimsOf lists the claims of one inbound file, every page of them.
func (e *env) claimsOf(fileID int64) []claimJSON {
	e.t.Helper()
	var cs []claimJSON
	after := int64(0)
	for {
		args := []string{"claims", "--json", "--limit", "1000", "--file", strconv.FormatInt(fileID, 10)}
		if after > 0 {
			args = append(args, "--after", strconv.FormatInt(after, 10))
		}
		r := e.run(runOpts{}, args...)
		if r.code != 0 {
			e.t.Fatalf("claims:\n%s", r)
		}
		var page struct {
			Claims    []claimJSON `json:"claims"`
			More      bool        `json:"more"`
			NextAfter *int64      `json:"next_after"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &page); err != nil {
			e.t.Fatalf("claims --json: %v\n%s", err, r)
		}
		cs = append(cs, page.Claims...)
		if !page.More || page.NextAfter == nil {
			return cs
		}
		after = *page.NextAfter
	}
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// outboundQueue reads the outbound queue from the store (no command lists
// it): queued are the files waiting for a delivery attempt (pending, or
// failed and retried later), leased those a delivery holds (delivering).
// A lease left by a killed engine is not waited for: the outbox keeps it
// for a fixed five minutes (issue #10 item 10).
func (e *env) outboundQueue() (queued, leased []string) {
	e.t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, e.dbURL)
	if err != nil {
		e.t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	for _, state := range []store.OutboundState{store.OutboundPending, store.OutboundFailed, store.OutboundDelivering} {
		fs, err := st.ListOutbound(ctx, store.OutboundFilter{State: state, Limit: 1000})
		if err != nil {
			e.t.Fatalf("list outbound: %v", err)
		}
		for _, f := range fs {
			d := fmt.Sprintf("%s/%s=%s(attempts %d)", f.PartnerID, f.Name, f.State, f.Attempts)
			if state == store.OutboundDelivering {
				leased = append(leased, d)
			} else {
				queued = append(queued, d)
			}
		}
	}
	return queued, leased
}
