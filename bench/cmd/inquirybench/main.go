// Command inquirybench measures the answers to eligibility inquiries on
// PostgreSQL with a large roster (issue #13):
//
//   - real time: `clearinghouse serve` on loopback, a load generator
//     sending single-inquiry 270s at a fixed rate (open loop: a slow
//     answer does not slow the senders), then as fast as -conc senders
//     can; requests/s and p50/p90/p99/max latency;
//   - batch: one 270 file of -batch inquiries through `clearinghouse
//     process` (validation, 999, roster, 271 spooled and queued); wall
//     time.
//
// The roster (-members rows, default 1 M) is written straight into a
// fresh schema with one INSERT … SELECT (psql), so setting up takes
// seconds; 90 % of members are covered today, 10 % ended in 2025;
// requests ask for random members, 5 % of them unknown IDs.
//
//	make build && cd bench && DATABASE_URL=postgres://... go run ./cmd/inquirybench -bin ../bin/clearinghouse
//
// Targets: p99 ≤ 50 ms at 200 requests/s; a 100 k-inquiry file in ≤ 30 s.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("bin", "../bin/clearinghouse", "the clearinghouse binary")
	members := flag.Int("members", 1_000_000, "roster size")
	rate := flag.Int("rate", 200, "requests per second of the open-loop phase")
	dur := flag.Duration("duration", 30*time.Second, "length of the open-loop phase")
	conc := flag.Int("conc", 16, "senders of the closed-loop (throughput) phase; 0 skips it")
	batch := flag.Int("batch", 100_000, "inquiries in the batch 270 file; 0 skips it")
	auditCommit := flag.String("audit-commit", "", "realtime_audit_commit of serve: durable (the default) or async")
	profile := flag.String("cpuprofile", "", "write a CPU profile of serve to this file (and of the batch process to FILE.batch)")
	flag.Parse()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		fail(fmt.Errorf("DATABASE_URL is not set"))
	}
	binPath, err := filepath.Abs(*bin)
	check(err)
	work, err := os.MkdirTemp("", "inquirybench-")
	check(err)
	defer os.RemoveAll(work)
	dbURL, schema, drop := freshSchema(base)
	defer drop()
	common := []string{"--data-dir", work, "--database", dbURL, "--log-level", "error"}
	clear := func(args ...string) string {
		cmd := exec.Command(binPath, append(common, args...)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		check(cmd.Run())
		return strings.TrimSpace(out.String())
	}
	clear("migrate")
	start := time.Now()
	psql(base, "SET search_path TO "+schema+"; "+loadMembers(*members)+"; ANALYZE members")
	fmt.Printf("roster: %d members loaded in %s\n", *members, time.Since(start).Round(time.Millisecond))
	secret := clear("partner", "token", "benchmed")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	addr := ln.Addr().String()
	ln.Close()
	serveArgs := append([]string{}, common...)
	if *profile != "" {
		p, err := filepath.Abs(*profile)
		check(err)
		serveArgs = append(serveArgs, "--cpuprofile", p)
	}
	srv := exec.Command(binPath, append(serveArgs, "serve", "--addr", addr)...)
	srv.Stderr = os.Stderr
	srv.Env = append(os.Environ(), "CLEARINGHOUSE_REALTIME_AUDIT_COMMIT="+*auditCommit)
	check(srv.Start())
	stopServe := func() { _ = srv.Process.Signal(os.Interrupt); _ = srv.Wait() }
	defer stopServe()
	endpoint := "http://" + addr + "/x12/realtime"
	waitUp(endpoint)

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}}
	send := func(n int64) (time.Duration, error) {
		body := request(n, *members)
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/edi-x12")
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != 200 || !bytes.Contains(data, []byte("ST*271*")) {
			return d, fmt.Errorf("status %d: %.200s", resp.StatusCode, data)
		}
		return d, nil
	}
	// Warm up connections and caches a little (not measured).
	for i := int64(0); i < 50; i++ {
		_, err := send(i)
		check(err)
	}

	// Open loop at -rate.
	var (
		mu    sync.Mutex
		lat   []time.Duration
		errs  atomic.Int64
		seq   atomic.Int64
		wg    sync.WaitGroup
		tick  = time.NewTicker(time.Second / time.Duration(*rate))
		until = time.Now().Add(*dur)
	)
	seq.Store(1000)
	t0 := time.Now()
	for now := range tick.C {
		if now.After(until) {
			break
		}
		wg.Add(1)
		go func(n int64) {
			defer wg.Done()
			d, err := send(n)
			if err != nil {
				errs.Add(1)
				fmt.Fprintln(os.Stderr, "inquirybench:", err)
				return
			}
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}(seq.Add(1))
	}
	tick.Stop()
	wg.Wait()
	report(fmt.Sprintf("open loop at %d/s", *rate), lat, errs.Load(), time.Since(t0))

	if *conc > 0 {
		lat = lat[:0]
		errs.Store(0)
		until = time.Now().Add(*dur / 2)
		t0 = time.Now()
		for i := 0; i < *conc; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(until) {
					d, err := send(seq.Add(1))
					if err != nil {
						errs.Add(1)
						continue
					}
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		report(fmt.Sprintf("closed loop, %d senders", *conc), lat, errs.Load(), time.Since(t0))
	}

	stopServe()
	if *batch > 0 {
		file := filepath.Join(work, "batch.270")
		writeBatch(file, *batch, *members)
		st, _ := os.Stat(file)
		args := append([]string{}, common...)
		if *profile != "" {
			p, err := filepath.Abs(*profile + ".batch")
			check(err)
			args = append(args, "--cpuprofile", p)
		}
		cmd := exec.Command(binPath, append(args, "process", "--partner", "benchmed", "--out", filepath.Join(work, "out"), file)...)
		cmd.Stderr = os.Stderr
		t0 := time.Now()
		err := cmd.Run()
		wall := time.Since(t0)
		if err != nil && cmd.ProcessState.ExitCode() != 1 {
			check(err)
		}
		answers, _ := filepath.Glob(filepath.Join(work, "out", "benchmed", "271-*"))
		var size int64
		for _, a := range answers {
			if fi, err := os.Stat(a); err == nil {
				size += fi.Size()
			}
		}
		fmt.Printf("batch: %d inquiries (%.1f MB 270) → %d 271 file(s) (%.1f MB) in %s (%.0f inquiries/s)\n",
			*batch, float64(st.Size())/1e6, len(answers), float64(size)/1e6, wall.Round(time.Millisecond), float64(*batch)/wall.Seconds())
	}
}

// loadMembers is the INSERT of n synthetic members: IDs BEN000000001..,
// 90 % covered from 2020 on, 10 % ended 2025-06-30.
func loadMembers(n int) string {
	return fmt.Sprintf(`INSERT INTO members (member_id, member_id_fold, member_id_stem, family_id, relationship, birth_seq,
	last_name, first_name, middle, dob, gender, coverage_start, coverage_end, plan, group_number, tpa, source,
	created_at, updated_at, coverage_level, insurance_type)
SELECT id, id, left(id, length(id) - 2), id, '18', '', 'LAST' || (i %% 1000), 'FIRST' || (i %% 97), '',
	to_char(date '1950-01-01' + (i %% 20000), 'YYYYMMDD'), 'U', '20200101', CASE WHEN i %% 10 = 0 THEN '20250630' ELSE '' END,
	'BENCH PPO', 'GRP' || (i %% 50), 'BENCH TPA', 'inquirybench', now(), now(), 'IND', 'PR'
FROM (SELECT i, 'BEN' || lpad(i::text, 9, '0') AS id FROM generate_series(1, %d) AS i) s`, n)
}

// member returns the 2100C of member i (i > n: an unknown ID).
func member(i, n int) string {
	if i > n {
		return fmt.Sprintf("NM1*IL*1*LAST%d*FIRST%d****MI*BEN%09d~", i%1000, i%97, i)
	}
	return fmt.Sprintf("NM1*IL*1*LAST%d*FIRST%d****MI*BEN%09d~DMG*D8*%s~", i%1000, i%97, i,
		time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%20000).Format("20060102"))
}

// pick is a random member number, 5 % of them unknown.
func pick(n int) int {
	if mrand.IntN(20) == 0 {
		return n + 1 + mrand.IntN(n)
	}
	return 1 + mrand.IntN(n)
}

// request is a single-inquiry 270 interchange.
func request(ctl int64, n int) string {
	body := "ST*270*0001*005010X279A1~BHT*0022*13*B" + fmt.Sprint(ctl) + "*20261207*1200~HL*1**20*1~NM1*PR*2*BENCH PLAN*****PI*88461~" +
		"HL*2*1*21*1~NM1*1P*2*BENCH CLINIC*****XX*1234567893~HL*3*2*22*0~TRN*1*T" + fmt.Sprint(ctl) + "*9BENCHMED0~" +
		member(pick(n), n) + "EQ*30~"
	segs := strings.Count(body, "~") + 1
	return fmt.Sprintf("ISA*00*          *00*          *ZZ*BENCHMED       *ZZ*CLEARINGHOUSE  *261207*1200*^*00501*%09d*0*P*:~GS*HS*BENCHMED*CLEARINGHOUSE*20261207*1200*%d*X*005010X279A1~%sSE*%d*0001~GE*1*%d~IEA*1*%09d~",
		ctl%1_000_000_000, ctl%1_000_000_000, body, segs, ctl%1_000_000_000, ctl%1_000_000_000)
}

// writeBatch writes one 270 set of k inquiries.
func writeBatch(path string, k, n int) {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, "ISA*00*          *00*          *ZZ*BENCHMED       *ZZ*CLEARINGHOUSE  *261207*1200*^*00501*000000001*0*P*:~\n"+
		"GS*HS*BENCHMED*CLEARINGHOUSE*20261207*1200*1*X*005010X279A1~\n")
	segs := 0
	line := func(s string) { fmt.Fprint(w, s, "\n"); segs += strings.Count(s, "~") }
	line("ST*270*0001*005010X279A1~BHT*0022*13*BATCH1*20261207*1200~HL*1**20*1~NM1*PR*2*BENCH PLAN*****PI*88461~HL*2*1*21*1~NM1*1P*2*BENCH CLINIC*****XX*1234567893~")
	for i := 0; i < k; i++ {
		line(fmt.Sprintf("HL*%d*2*22*0~TRN*1*B%d*9BENCHMED0~%sEQ*30~", i+3, i+1, member(pick(n), n)))
	}
	fmt.Fprintf(w, "SE*%d*0001~\nGE*1*1~\nIEA*1*000000001~\n", segs+1)
	check(w.Flush())
	check(f.Close())
}

func report(name string, lat []time.Duration, errs int64, wall time.Duration) {
	if len(lat) == 0 {
		fmt.Printf("%s: no answers, %d errors\n", name, errs)
		return
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("%s: %d answers in %s = %.0f/s, %d errors; latency p50 %s p90 %s p99 %s max %s\n", name, len(lat),
		wall.Round(time.Millisecond), float64(len(lat))/wall.Seconds(), errs,
		q(0.50).Round(10*time.Microsecond), q(0.90).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
}

func waitUp(endpoint string) {
	for i := 0; i < 200; i++ {
		resp, err := http.Post(endpoint, "application/edi-x12", strings.NewReader(""))
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	fail(fmt.Errorf("serve did not come up"))
}

// freshSchema makes a schema of its own on base and returns a URL
// selecting it, and a function dropping it.
func freshSchema(base string) (string, string, func()) {
	var b [4]byte
	_, err := rand.Read(b[:])
	check(err)
	schema := "inquirybench_" + hex.EncodeToString(b[:])
	psql(base, "CREATE SCHEMA "+schema)
	u, err := url.Parse(base)
	check(err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema, func() { psql(base, "DROP SCHEMA "+schema+" CASCADE") }
}

func psql(dbURL, stmt string) {
	cmd := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "SET client_min_messages = warning", "-c", stmt, dbURL)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "inquirybench:", err)
	os.Exit(2)
}
