package chaos

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // terminates the engine's PostgreSQL connections
)

// The short workload: three rounds of two files of 30 claims (five claims
// a set), the second round with a duplicate file.
var shortSpec = workloadSpec{rounds: 3, filesPerRound: 2, claims: 30, claimsPerST: 5}

const (
	quietWait = 30 * time.Second
	// deliveryWait covers the outbox's fixed one-minute wait before a
	// failed delivery is tried again.
	deliveryWait = 100 * time.Second
)

// killPoints are the SIGKILL points of the short run, with the hit to
// kill at.
var killPoints = []string{
	"intake.spooled@2", "intake.recorded", "process.set@2", "process.settled", "process.committed",
	"forward.spooled", "forward.committed", "outbox.put@2",
}

func backends() []backend {
	bs := []backend{sqlite}
	if os.Getenv("DATABASE_URL") != "" || os.Getenv("CI") == "true" {
		bs = append(bs, postgres)
	}
	return bs
}

// reference is the fault-free run of a workload on a backend.
var (
	refMu    sync.Mutex
	refCache = map[string]*snapshot{}
)

func reference(t *testing.T, be backend, w *workload) *snapshot {
	t.Helper()
	refMu.Lock()
	defer refMu.Unlock()
	key := fmt.Sprintf("%s/%p", be, w)
	if s, ok := refCache[key]; ok {
		return s
	}
	e := newEnv(t, be, w)
	for r := 1; r <= len(w.rounds); r++ {
		e.drop(r)
		e.settle(quietWait)
	}
	s := e.snapshot()
	if bad := s.check(w, e.dropped); len(bad) > 0 {
		t.Fatalf("the fault-free reference run on %s breaks the invariants:\n%s", be, report(bad))
	}
	refCache[key] = s
	return s
}

func report(lines []string) string {
	const max = 25
	if len(lines) > max {
		lines = append(lines[:max:max], fmt.Sprintf("... and %d more", len(lines)-max))
	}
	return "  " + strings.Join(lines, "\n  ")
}

// verify checks the invariants, and against the reference when given.
func verify(t *testing.T, e *env, ref *snapshot) {
	t.Helper()
	s := e.snapshot()
	if _, leased := e.outboundQueue(); len(leased) > 0 {
		t.Logf("outbound files still leased by a killed engine (delivered again when the lease ends): %v", leased)
	}
	if len(s.leftover) > 0 {
		t.Logf("temporary or unexpected files left in the outboxes: %v", s.leftover)
	}
	bad := s.check(e.w, e.dropped)
	if ref != nil {
		diff, partial := s.compare(ref)
		if partial {
			t.Logf("claims numbered otherwise than in the fault-free run (a failed attempt on PostgreSQL, or files recorded in another order): claim states not compared with it")
		}
		if len(diff) > 0 {
			bad = append(bad, "differences from the fault-free run:")
			bad = append(bad, diff...)
		}
	}
	if len(bad) > 0 {
		t.Fatalf("exactly-once invariants broken (%s, data in %s):\n%s", e.backend, e.root, report(bad))
	}
	n := 0
	for _, ds := range s.out {
		n += len(ds)
	}
	t.Logf("ok: %d inbound files, %d claims, %d delivered exactly once, %d sets acknowledged", len(s.files), len(s.claims), n, len(s.sets))
}

// pointNotHit ends a scenario whose fault point was never reached.
func pointNotHit(t *testing.T, point string) {
	t.Helper()
	t.Fatalf("point never hit: the cycle with CLEARINGHOUSE_FAULT=%s exited normally", point)
}

// TestKill kills the engine at every fault point while it works on round
// 2 (after round 1 went through cleanly), drops round 3, reruns until
// quiet, and checks the result against a fault-free run.
func TestKill(t *testing.T) {
	t.Parallel() // the partner-down test mostly waits; the others use the time
	w := makeWorkload(t, shortSpec)
	for _, be := range backends() {
		t.Run(string(be), func(t *testing.T) {
			ref := reference(t, be, w)
			for _, point := range killPoints {
				t.Run(point, func(t *testing.T) {
					killScenario(t, be, w, ref, []string{point})
				})
			}
		})
	}
}

// killScenario: round 1 clean; round 2 under the first fault; each further
// fault in a cycle of its own; round 3 dropped; rerun until quiet; check.
func killScenario(t *testing.T, be backend, w *workload, ref *snapshot, points []string) {
	e := newEnv(t, be, w)
	e.drop(1)
	e.settle(quietWait)
	e.drop(2)
	for i, p := range points {
		if !e.faultCycle(p) {
			if i == 0 {
				pointNotHit(t, p)
			}
			t.Logf("%s not hit in cycle %d (nothing left there)", p, i+1)
		}
	}
	for r := 3; r <= len(w.rounds); r++ {
		e.drop(r)
	}
	e.settle(quietWait)
	verify(t, e, ref)
}

// TestDiskFull runs round 2 with the engine's file size limited (writes
// past the limit fail with EFBIG, as on a full disk: the spool, the
// outboxes, and a SQLite database and its WAL), at three limits, then
// without a limit.
func TestDiskFull(t *testing.T) {
	t.Parallel() // the partner-down test mostly waits; the others use the time
	w := makeWorkload(t, shortSpec)
	for _, be := range backends() {
		t.Run(string(be), func(t *testing.T) {
			t.Parallel() // mostly waiting for the outbox's retry time
			ref := reference(t, be, w)
			e := newEnv(t, be, w)
			e.drop(1)
			e.settle(quietWait)
			e.drop(2)
			for _, limit := range []int64{16 << 10, 64 << 10, 256 << 10} {
				r, _ := e.cycle(runOpts{fsize: limit})
				if r.code != 0 && r.code != 1 {
					t.Fatalf("cycle on a full disk (file size limit %d) ended badly:\n%s", limit, r)
				}
				t.Logf("file size limit %d: exit %d; %s", limit, r.code, firstError(r.stderr))
			}
			e.drop(3)
			e.settle(deliveryWait)
			verify(t, e, ref)
		})
	}
}

// TestPartnerDown takes relayhealth's server away during two cycles of
// round 2, then brings it back: "unreachable" (its outbox path is a plain
// file, so the transport cannot open it at start) and "refusing" (the
// folder is there but unwritable: chmod for a normal user, chattr +i for
// root; a read-only or full outbox), where every delivery fails and waits
// for the outbox's retry time.
func TestPartnerDown(t *testing.T) {
	t.Parallel() // the partner-down test mostly waits; the others use the time
	w := makeWorkload(t, shortSpec)
	for _, be := range backends() {
		for _, mode := range []string{"unreachable", "refusing"} {
			if mode == "refusing" && be != sqlite && os.Getenv("CHAOS_ITERATIONS") == "" {
				continue // a minute of waiting; the outbox behaves alike on both stores (make chaos runs it)
			}
			t.Run(string(be)+"/"+mode, func(t *testing.T) {
				t.Parallel() // mostly waiting for the outbox's retry time
				ref := reference(t, be, w)
				e := newEnv(t, be, w)
				e.drop(1)
				e.settle(quietWait)
				dir := e.outbox[relay]
				restore := takeDown(t, dir, mode)
				e.drop(2)
				failed := 0
				for i := 0; i < 2; i++ {
					r, c := e.cycle(runOpts{})
					if r.code != 0 && r.code != 1 {
						t.Fatalf("cycle with %s down ended badly:\n%s", relay, r)
					}
					failed += c.Failed
					t.Logf("cycle %d with %s %s: exit %d, %d deliveries failed", i+1, relay, mode, r.code, c.Failed)
				}
				if mode == "refusing" && failed == 0 {
					t.Fatalf("no delivery failed while %s refused writes: the harness did not take it down", relay)
				}
				restore()
				e.drop(3)
				e.settle(deliveryWait)
				verify(t, e, ref)
			})
		}
	}
}

// takeDown makes dir unusable as an outbox and returns the function that
// brings it back.
func takeDown(t *testing.T, dir, mode string) func() {
	t.Helper()
	if mode == "unreachable" {
		if err := os.Rename(dir, dir+".up"); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir, []byte("down\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := os.Remove(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(dir+".up", dir); err != nil {
				t.Fatal(err)
			}
		}
	}
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("running as root without chattr +i (%v: %s): cannot make a folder unwritable", err, out)
	}
	undo := func() { _ = exec.Command("chattr", "-i", dir).Run() }
	t.Cleanup(undo) // t.TempDir cannot remove an immutable folder
	return func() {
		if out, err := exec.Command("chattr", "-i", dir).CombinedOutput(); err != nil {
			t.Fatalf("chattr -i: %v: %s", err, out)
		}
	}
}

// TestPostgresTerminate terminates the engine's PostgreSQL connections
// (pg_terminate_backend, every few milliseconds) during three cycles of
// round 2, whatever they are doing, then reruns in peace.
func TestPostgresTerminate(t *testing.T) {
	t.Parallel() // the partner-down test mostly waits; the others use the time
	w := makeWorkload(t, shortSpec)
	ref := reference(t, postgres, w)
	e := newEnv(t, postgres, w)
	admin, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	e.drop(1)
	e.settle(quietWait)
	e.drop(2)
	total := 0
	for i := 0; i < 3; i++ {
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan int)
		go func() {
			// Start later in each cycle, to hit it in another phase.
			time.Sleep(time.Duration(i) * 100 * time.Millisecond)
			n := 0
			for ctx.Err() == nil {
				var k int
				// Only this test's engine: its connections carry the
				// test schema's application_name.
				if err := admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
					WHERE application_name = $1 AND pid <> pg_backend_pid()`, e.appName).Scan(&k); err == nil {
					n += k
				}
				time.Sleep(5 * time.Millisecond)
			}
			done <- n
		}()
		r, _ := e.cycle(runOpts{})
		stop()
		n := <-done
		total += n
		if r.code != 0 && r.code != 1 {
			t.Fatalf("cycle under connection termination ended badly:\n%s", r)
		}
		t.Logf("cycle %d: exit %d, %d connections terminated", i+1, r.code, n)
	}
	if total == 0 {
		t.Fatalf("no connection of the engine was ever terminated: the harness did not find them (application_name %s)", e.appName)
	}
	e.drop(3)
	e.settle(quietWait)
	verify(t, e, ref)
}

// TestConcurrentEngines runs two and three engines (distinct instance
// names) on the same inbox and store at once, round after round; then one
// engine until quiet. The order in which racing engines record files is
// not fixed, so only the invariants are checked, not equality with the
// fault-free run.
func TestConcurrentEngines(t *testing.T) {
	t.Parallel() // the partner-down test mostly waits; the others use the time
	w := makeWorkload(t, shortSpec)
	for _, n := range []int{2, 3} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			e := newEnv(t, postgres, w)
			for r := 1; r <= len(w.rounds); r++ {
				e.drop(r)
				for _, res := range e.concurrentCycles(n, nil) {
					if res.code != 0 && res.code != 1 {
						t.Fatalf("concurrent cycle ended badly:\n%s", res)
					}
				}
			}
			e.settle(quietWait)
			verify(t, e, nil)
		})
	}
}

// concurrentCycles runs n cycles at once, as instances chaos-1..n; faults
// arms instance i's cycle with faults[i] when given.
func (e *env) concurrentCycles(n int, faults []string) []runResult {
	out := make([]runResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			o := runOpts{instance: fmt.Sprintf("chaos-%d", i+1)}
			if i < len(faults) {
				o.fault = faults[i]
			}
			out[i], _ = e.cycle(o)
		})
	}
	wg.Wait()
	return out
}

// allPoints are the points the long run draws from.
var allPoints = []string{"intake.spooled", "intake.recorded", "process.set", "process.settled", "process.committed",
	"forward.spooled", "forward.committed", "outbox.put"}

// TestChaosLong runs CHAOS_ITERATIONS random scenarios (seed CHAOS_SEED,
// default the time): one to three SIGKILLs at random points and hits with
// round 3 dropped between them, on a random backend; on PostgreSQL also
// concurrent engines with one of them killed. Each is checked like the
// short scenarios. CHAOS_CLAIMS sets the claims per file (default 60).
func TestChaosLong(t *testing.T) {
	iters, _ := strconv.Atoi(os.Getenv("CHAOS_ITERATIONS"))
	if iters <= 0 {
		t.Skip("CHAOS_ITERATIONS not set (make chaos)")
	}
	seed, err := strconv.ParseUint(os.Getenv("CHAOS_SEED"), 10, 64)
	if err != nil {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("CHAOS_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1|1))
	claims, _ := strconv.Atoi(os.Getenv("CHAOS_CLAIMS"))
	if claims <= 0 {
		claims = 60
	}
	w := makeWorkload(t, workloadSpec{rounds: 3, filesPerRound: 3, claims: claims, claimsPerST: 10})
	bes := backends()
	for i := range iters {
		be := bes[rng.IntN(len(bes))]
		var points []string
		for range 1 + rng.IntN(3) {
			points = append(points, fmt.Sprintf("%s@%d", allPoints[rng.IntN(len(allPoints))], 1+rng.IntN(3)))
		}
		concurrent := be == postgres && rng.IntN(4) == 0
		name := fmt.Sprintf("%d-%s-%s", i+1, be, strings.Join(points, "+"))
		if concurrent {
			name = fmt.Sprintf("%d-%s-concurrent-%s", i+1, be, points[0])
		}
		t.Run(name, func(t *testing.T) {
			if concurrent {
				e := newEnv(t, be, w)
				for r := 1; r <= len(w.rounds); r++ {
					e.drop(r)
					for _, res := range e.concurrentCycles(2+rng.IntN(2), points[:1]) {
						if res.code != 0 && res.code != 1 && !res.killed() {
							t.Fatalf("concurrent cycle ended badly:\n%s", res)
						}
					}
				}
				e.settle(quietWait)
				verify(t, e, nil)
				return
			}
			ref := reference(t, be, w)
			e := newEnv(t, be, w)
			e.drop(1)
			e.settle(quietWait)
			e.drop(2)
			for j, p := range points {
				hit := e.faultCycle(p)
				t.Logf("%s: hit %v", p, hit)
				if j == 0 {
					e.drop(3)
				}
			}
			e.settle(quietWait)
			verify(t, e, ref)
		})
	}
}

// TestSegments checks the X12 splitter the harness reads outputs with.
func TestSegments(t *testing.T) {
	isa := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250101*1200*^*00501*000000001*0*P*:~"
	segs := Segments([]byte(isa + "\nGS*HC*A*B~\nCLM*X1*10***11:B:1~IEA*1*000000001~"))
	if len(segs) != 4 || segs[1][0] != "GS" || segs[2][1] != "X1" || freqOf(segs[2][5]) != "1" || segs[3][0] != "IEA" {
		t.Fatalf("Segments = %q", segs)
	}
	if Segments([]byte("GS*HC~")) != nil {
		t.Fatal("Segments of a non-interchange is not nil")
	}
}

// TestInvariantsDetect proves the checks can fail: after a clean run it
// doubles a delivered 837 under another name at another partner, removes
// a delivered 837 and a 277CA, and puts a file back into the inbox, and
// expects each to be reported.
func TestInvariantsDetect(t *testing.T) {
	t.Parallel() // the partner-down test mostly waits; the others use the time
	w := makeWorkload(t, shortSpec)
	e := newEnv(t, sqlite, w)
	for r := 1; r <= len(w.rounds); r++ {
		e.drop(r)
		e.settle(quietWait)
	}
	if bad := e.snapshot().check(w, e.dropped); len(bad) > 0 {
		t.Fatalf("clean run:\n%s", report(bad))
	}
	first := func(dir, prefix string) string {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ents {
			if strings.HasPrefix(d.Name(), prefix) {
				return filepath.Join(dir, d.Name())
			}
		}
		t.Fatalf("no %s* in %s", prefix, dir)
		return ""
	}
	relay837 := first(e.outbox[relay], "837")
	data, err := os.ReadFile(relay837)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.outbox[optum], "837P-again.x12"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{first(e.outbox[optum], "837P-CH"), first(e.outbox[sender], "277CA")} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(e.inbox, "late.x12"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := strings.Join(e.snapshot().check(w, e.dropped), "\n")
	for _, want := range []string{"delivered 2 times", "is forwarded but in no delivered 837 (lost)", "with 0 277CA, want 1", "inbox not empty"} {
		if !strings.Contains(bad, want) {
			t.Errorf("tampered run: no %q in the report:\n%s", want, bad)
		}
	}
}

// firstError returns the first error message of a child's log.
func firstError(log string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "level=ERROR") || strings.HasPrefix(line, "Error") || strings.HasPrefix(line, "error") {
			return clip(line, 300)
		}
	}
	return "no error logged"
}
