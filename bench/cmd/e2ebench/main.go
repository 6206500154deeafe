// Command e2ebench measures the engine end to end as an operator runs it:
// `clearinghouse process` of one generated 837P file (2 % replacements,
// 1 % voids, 2 % duplicates, linked REF*F8) with the member roster
// imported, eligibility, repricing (testdata/schedules) and routing on, on
// a fresh SQLite database and, when DATABASE_URL is set, a fresh
// PostgreSQL schema (autovacuum as the server has it). For each it prints
// claims/s, wall time, CPU time, CPU/wall and peak RSS of the process.
//
//	make build && cd bench && go run ./cmd/e2ebench -bin ../bin/clearinghouse -claims 100000,1000000
//
// -cpuprofile-dir DIR keeps a pprof CPU profile of every run. -files N
// splits each claim count into N files (e.g. -claims 1000000 -files 200:
// 200 files of 5 000 claims, generated with seeds 42, 43, ...; one roster
// for all of them), processed by one `process` run.
//
// Generated files are cached in $BENCH_CACHE_DIR (default
// $TMPDIR/clearinghouse-bench). Targets (issue #11): 1 M claims in 3 min on
// PostgreSQL and 4 min on SQLite, peak RSS ≤ 256 MiB, CPU/wall ≥ 1.6.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	bin := flag.String("bin", "../bin/clearinghouse", "the clearinghouse binary")
	sizes := flag.String("claims", "100000", "comma-separated claim counts")
	stores := flag.String("stores", "sqlite,postgres", "stores to measure (postgres needs DATABASE_URL)")
	repo := flag.String("repo", "..", "the repository (for testdata/schedules)")
	files := flag.Int("files", 1, "split each claim count into this many files")
	profiles := flag.String("cpuprofile-dir", "", "write a CPU profile of each process run into this directory (<store>-<claims>.prof)")
	flag.Parse()
	binPath, err := filepath.Abs(*bin)
	check(err)
	repoPath, err := filepath.Abs(*repo)
	check(err)
	cache := os.Getenv("BENCH_CACHE_DIR")
	if cache == "" {
		cache = filepath.Join(os.TempDir(), "clearinghouse-bench")
	}
	check(os.MkdirAll(cache, 0o750))
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tclaims\tfiles\twall\tclaims/s\tcpu\tcpu/wall\tserver cpu\tpeak RSS\texit\t")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		inputs, roster := generateFiles(binPath, cache, n, *files)
		for _, store := range strings.Split(*stores, ",") {
			store = strings.TrimSpace(store)
			if store == "postgres" && os.Getenv("DATABASE_URL") == "" {
				fmt.Fprintf(os.Stderr, "e2ebench: DATABASE_URL not set; postgres skipped\n")
				continue
			}
			prof := ""
			if *profiles != "" {
				check(os.MkdirAll(*profiles, 0o750))
				prof, err = filepath.Abs(filepath.Join(*profiles, fmt.Sprintf("%s-%d-%d.prof", store, n, *files)))
				check(err)
			}
			r := run(binPath, repoPath, store, inputs, roster, prof)
			server := "-"
			if r.serverCPU >= 0 {
				server = fmt.Sprintf("%.1fs", r.serverCPU.Seconds())
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.1fs\t%.0f\t%.1fs\t%.2f\t%s\t%.0f MiB\t%d\t\n", store, n, len(inputs), r.wall.Seconds(),
				float64(n)/r.wall.Seconds(), r.cpu.Seconds(), r.cpu.Seconds()/r.wall.Seconds(), server, float64(r.maxRSS)/(1<<20), r.exit)
			tw.Flush()
		}
	}
	tw.Flush()
}

// generateFiles makes (or reuses) the input files of n claims in all and
// one roster for them.
func generateFiles(bin, cache string, n, files int) ([]string, string) {
	if files <= 1 {
		in, roster := generate(bin, cache, n, 42)
		return []string{in}, roster
	}
	per := n / files
	roster := filepath.Join(cache, fmt.Sprintf("e2e-837P-%dx%d-roster.csv", files, per))
	var inputs []string
	var all bytes.Buffer
	for i := 0; i < files; i++ {
		in, r := generate(bin, cache, per, 42+i)
		inputs = append(inputs, in)
		if _, err := os.Stat(roster); err == nil {
			continue
		}
		b, err := os.ReadFile(r)
		check(err)
		if i > 0 {
			_, b, _ = bytes.Cut(b, []byte("\n")) // the header once
		}
		all.Write(b)
	}
	if _, err := os.Stat(roster); err != nil {
		check(os.WriteFile(roster, all.Bytes(), 0o600))
	}
	return inputs, roster
}

// generate makes (or reuses) the input file and its roster.
func generate(bin, cache string, n, seed int) (string, string) {
	base := filepath.Join(cache, fmt.Sprintf("e2e-837P-%d-seed%d", n, seed))
	input, roster := base+".x12", base+"-roster.csv"
	if _, err := os.Stat(roster); err == nil {
		return input, roster
	}
	cmd := exec.Command(bin, "gen", "--type", "837P", "--claims", strconv.Itoa(n), "--seed", strconv.Itoa(seed),
		"--freq7", "0.02", "--freq8", "0.01", "--dup", "0.02", "--f8-prefix", "CH", "--out", input, "--roster", roster)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
	return input, roster
}

type result struct {
	wall, cpu time.Duration
	// serverCPU is the CPU time of the PostgreSQL backends that ended
	// during the run (the postmaster's reaped children: the run's own
	// connections, and any other client's that ended meanwhile); -1 when
	// not measured (SQLite, or a server whose postmaster.pid is not
	// readable here).
	serverCPU time.Duration
	maxRSS    int64
	exit      int
}

// run imports the roster and times `process` on a fresh store.
func run(bin, repo, store string, inputs []string, roster, cpuProfile string) result {
	work, err := os.MkdirTemp("", "e2ebench-")
	check(err)
	defer os.RemoveAll(work)
	dbURL := "sqlite:" + filepath.Join(work, "clearinghouse.db")
	if p := os.Getenv("BENCH_SQLITE_PARAMS"); p != "" {
		// SQLite driver parameters to measure a setting, as for
		// BenchmarkProcess (e.g. "_pragma=cache_size(-49152)").
		dbURL += "?" + p
	}
	if store == "postgres" {
		var drop func()
		dbURL, drop = freshSchema()
		defer drop()
	}
	cfg := filepath.Join(work, "clearinghouse.yaml")
	check(os.WriteFile(cfg, []byte(fmt.Sprintf(`identity: {qualifier: ZZ, id: CLEARINGHOUSE, name: CLEARINGHOUSE}
usage: P
eligibility: auto
partners: [{id: local}, {id: relayhealth}, {id: optum}]
routes:
  - {payer_id: "2712", claim_type: P, partner: relayhealth}
  - {payer_id: "1935", claim_type: I, partner: relayhealth}
  - {payer_id: "88461", partner: optum}
repricing:
  source: files
  schedules_dir: %s
  contracts: %s
`, filepath.Join(repo, "testdata", "schedules"), filepath.Join(repo, "testdata", "schedules", "contracts.yaml"))), 0o600))
	common := []string{"--config", cfg, "--data-dir", work, "--database", dbURL, "--log-level", "error"}
	imp := exec.Command(bin, append(common, "roster", "import", roster)...)
	imp.Stderr = os.Stderr
	check(imp.Run())
	args := append([]string{}, common...)
	if cpuProfile != "" {
		args = append(args, "--cpuprofile", cpuProfile)
	}
	cmd := exec.Command(bin, append(append(args, "process", "--out", filepath.Join(work, "out")), inputs...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	server0 := time.Duration(-1)
	if store == "postgres" {
		server0 = postmasterChildCPU()
	}
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	r := result{wall: wall, exit: cmd.ProcessState.ExitCode(), serverCPU: -1}
	if server0 >= 0 {
		time.Sleep(200 * time.Millisecond) // the backends exit after the client
		if s1 := postmasterChildCPU(); s1 >= 0 {
			r.serverCPU = s1 - server0
		}
	}
	if err != nil && r.exit != 1 { // 1: some claims rejected or denied, as generated
		fmt.Fprintf(os.Stderr, "e2ebench: process on %s: %v\n%s", store, err, stderr.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		r.maxRSS = ru.Maxrss * 1024 // KiB on Linux
	}
	return r
}

// postmasterChildCPU returns the user + system CPU time of the local
// PostgreSQL server's ended backends (cutime + cstime of the postmaster,
// found through SHOW data_directory and its postmaster.pid), or -1.
func postmasterChildCPU() time.Duration {
	out, err := exec.Command("psql", "-X", "-At", "-c", "SHOW data_directory", os.Getenv("DATABASE_URL")).Output()
	if err != nil {
		return -1
	}
	pidFile, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "postmaster.pid"))
	if err != nil {
		return -1
	}
	pid, _, _ := strings.Cut(string(pidFile), "\n")
	stat, err := os.ReadFile("/proc/" + strings.TrimSpace(pid) + "/stat")
	if err != nil {
		return -1
	}
	// Fields after the command name (in parentheses): state is field 3;
	// cutime and cstime are fields 16 and 17, in clock ticks (100 Hz).
	_, rest, ok := strings.Cut(string(stat), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 15 {
		return -1
	}
	cu, err1 := strconv.ParseInt(f[13], 10, 64)
	cs, err2 := strconv.ParseInt(f[14], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(cu+cs) * 10 * time.Millisecond
}

// freshSchema makes a schema of its own on DATABASE_URL and returns a URL
// selecting it, and a function dropping it.
func freshSchema() (string, func()) {
	base := os.Getenv("DATABASE_URL")
	var b [4]byte
	_, err := rand.Read(b[:])
	check(err)
	schema := "e2ebench_" + hex.EncodeToString(b[:])
	psql(base, "CREATE SCHEMA "+schema)
	u, err := url.Parse(base)
	check(err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() { psql(base, "DROP SCHEMA "+schema+" CASCADE") }
}

func psql(dbURL, stmt string) {
	cmd := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "SET client_min_messages = warning", "-c", stmt, dbURL)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2ebench:", err)
		os.Exit(2)
	}
}
