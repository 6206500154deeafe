// Command benchsummary reads `go test -bench` output (files named on the
// command line, or stdin) and prints a short table: MB/s of every stage of
// the benchmark suite, the ratio of our front end to moov-io/x12 on the
// same file, the repricing rate and the peak RSS of validating a 1 GB file
// (the PEAKRSS line of TestPeakRSS), each against its target.
//
//	go test -run '^$' -bench . ./... | tee product.txt
//	(cd bench && go test -run '^TestPeakRSS$' -bench . ./...) | tee bench.txt
//	go run ./cmd/benchsummary product.txt bench.txt
//
// With -count > 1 the median of the runs is shown. Missed targets are
// marked MISS; the exit status is 0 unless -strict is given.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

func main() {
	strict := flag.Bool("strict", false, "exit 1 when a target is missed")
	flag.Parse()
	var runs []result
	var rss []peakRSS
	read := func(r io.Reader) error {
		rs, ps, err := parse(r)
		runs, rss = append(runs, rs...), append(rss, ps...)
		return err
	}
	if flag.NArg() == 0 {
		if err := read(os.Stdin); err != nil {
			fatal(err)
		}
	}
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fatal(err)
		}
		err = read(f)
		f.Close()
		if err != nil {
			fatal(err)
		}
	}
	rows := summarize(runs, rss)
	if len(rows) == 0 {
		fatal(fmt.Errorf("no benchmark results found"))
	}
	if err := write(os.Stdout, rows); err != nil {
		fatal(err)
	}
	if *strict && slices.ContainsFunc(rows, func(r row) bool { return r.Verdict == "MISS" }) {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchsummary:", err)
	os.Exit(2)
}

// result is one benchmark line.
type result struct {
	Pkg     string             // from the preceding "pkg:" line
	Name    string             // without "Benchmark" and the -GOMAXPROCS suffix
	Procs   int                // GOMAXPROCS (1 when the name has no suffix)
	Metrics map[string]float64 // by unit: "ns/op", "MB/s", "allocs/op", "lines/s", ...
}

// peakRSS is one PEAKRSS line printed by TestPeakRSS.
type peakRSS struct {
	FileBytes, PeakBytes int64
	MBps                 float64
}

// parse reads go test output and returns its benchmark results and PEAKRSS
// lines; every other line is ignored.
func parse(r io.Reader) ([]result, []peakRSS, error) {
	var (
		out []result
		rss []peakRSS
		pkg string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimSpace(strings.TrimPrefix(line, "pkg: "))
		case strings.HasPrefix(line, "PEAKRSS "):
			if p, ok := parsePeakRSS(line); ok {
				rss = append(rss, p)
			}
		case strings.HasPrefix(line, "Benchmark"):
			if res, ok := parseResult(line); ok {
				res.Pkg = pkg
				out = append(out, res)
			}
		}
	}
	return out, rss, sc.Err()
}

// parseResult parses "BenchmarkX/sub-2  10  123 ns/op  45.6 MB/s ...".
func parseResult(line string) (result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return result{}, false
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return result{}, false
	}
	res := result{Name: strings.TrimPrefix(f[0], "Benchmark"), Procs: 1, Metrics: map[string]float64{}}
	if i := strings.LastIndexByte(res.Name, '-'); i > 0 {
		if p, err := strconv.Atoi(res.Name[i+1:]); err == nil {
			res.Name, res.Procs = res.Name[:i], p
		}
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false
		}
		res.Metrics[f[i+1]] = v
	}
	return res, len(res.Metrics) > 0
}

// parsePeakRSS parses the key=value fields of a PEAKRSS line.
func parsePeakRSS(line string) (peakRSS, bool) {
	var p peakRSS
	for _, kv := range strings.Fields(line)[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		switch k {
		case "file_bytes":
			p.FileBytes, _ = strconv.ParseInt(v, 10, 64)
		case "peak_rss_bytes":
			p.PeakBytes, _ = strconv.ParseInt(v, 10, 64)
		case "mb_per_s":
			p.MBps, _ = strconv.ParseFloat(v, 64)
		}
	}
	return p, p.PeakBytes > 0
}

// row is one line of the summary table.
type row struct {
	Stage, Input, Value, Target, Verdict string
}

// stageNames are the suite's benchmarks in table order.
var stageNames = []string{"Tokenize", "Decode", "DecodeValidate", "Encode"}

// Targets (one core).
const (
	tokenizeTarget  = 300.0 // MB/s
	decodeValTarget = 60.0  // MB/s, 837P
	moovRatioTarget = 30.0  // ours / moov-io/x12, decode+validate
	repricingTarget = 1e6   // lines/s
	// processTarget is full `process` throughput: a million claims in a
	// one-hour nightly window.
	processTarget     = 1e6 / 3600.0 // claims/s
	peakRSSTarget     = 100 << 20
	suitePkgSuffix    = "/bench"
	repricingPkgMatch = "/repricing"
)

// summarize turns the results into table rows.
func summarize(runs []result, rss []peakRSS) []row {
	type key struct {
		pkg, name string
		procs     int
	}
	groups := map[key][]result{}
	var order []key
	for _, r := range runs {
		k := key{r.Pkg, r.Name, r.Procs}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	med := func(k key, unit string) (float64, bool) {
		var vs []float64
		for _, r := range groups[k] {
			if v, ok := r.Metrics[unit]; ok {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			return 0, false
		}
		slices.Sort(vs)
		return vs[len(vs)/2], true
	}
	procs := func(k key) string {
		if k.procs == 1 {
			return ""
		}
		return fmt.Sprintf(" (%d CPUs)", k.procs)
	}

	var rows []row
	// The suite's stages, in stage order.
	for _, stage := range stageNames {
		for _, k := range order {
			input, ok := strings.CutPrefix(k.name, stage+"/")
			if !ok || !strings.HasSuffix(k.pkg, suitePkgSuffix) {
				continue
			}
			v, ok := med(k, "MB/s")
			if !ok {
				continue
			}
			r := row{Stage: stage + procs(k), Input: input, Value: fmt.Sprintf("%.1f MB/s", v)}
			if c, ok := med(k, "MB/cpu-s"); ok {
				r.Value += fmt.Sprintf(" (%.1f MB/cpu-s)", c)
			}
			switch {
			case stage == "Tokenize":
				r.Target, r.Verdict = fmt.Sprintf(">= %.0f MB/s", tokenizeTarget), verdict(v >= tokenizeTarget)
			case stage == "DecodeValidate" && strings.HasPrefix(input, "837P"):
				r.Target, r.Verdict = fmt.Sprintf(">= %.0f MB/s", decodeValTarget), verdict(v >= decodeValTarget)
			}
			if a, ok := med(k, "allocs/op"); ok {
				r.Value += fmt.Sprintf(", %.0f allocs/op", a)
			}
			rows = append(rows, r)
		}
	}
	// Ours against moov-io/x12 on the same bytes.
	for _, k := range order {
		input, ok := strings.CutPrefix(k.name, "Moov/moov/")
		if !ok {
			continue
		}
		theirs, ok1 := med(k, "MB/s")
		ours, ok2 := med(key{k.pkg, "Moov/ours/" + input, k.procs}, "MB/s")
		if !ok1 || !ok2 || theirs == 0 {
			continue
		}
		ratio := row{Stage: "ours/moov decode+validate" + procs(k), Input: input, Value: fmt.Sprintf("%.0fx (%.1f / %.2f MB/s)", ours/theirs, ours, theirs),
			Target: fmt.Sprintf(">= %.0fx", moovRatioTarget), Verdict: verdict(ours/theirs >= moovRatioTarget)}
		if c1, ok := med(k, "MB/cpu-s"); ok && c1 > 0 {
			if c2, ok := med(key{k.pkg, "Moov/ours/" + input, k.procs}, "MB/cpu-s"); ok {
				ratio.Value += fmt.Sprintf(", %.0fx per CPU second", c2/c1)
			}
		}
		rows = append(rows,
			row{Stage: "moov-io/x12 parse+validate" + procs(k), Input: input, Value: fmt.Sprintf("%.2f MB/s", theirs)},
			ratio)
	}
	// Other packages: the repricing rate and the product's throughput benchmarks.
	for _, k := range order {
		if strings.HasSuffix(k.pkg, suitePkgSuffix) {
			continue
		}
		short := k.pkg[strings.LastIndexByte(k.pkg, '/')+1:]
		if v, ok := med(k, "lines/s"); ok {
			r := row{Stage: short + " " + k.name + procs(k), Value: fmt.Sprintf("%.2f M lines/s", v/1e6)}
			if strings.Contains(k.pkg, repricingPkgMatch) {
				r.Target, r.Verdict = ">= 1 M lines/s", verdict(v >= repricingTarget)
			}
			rows = append(rows, r)
		} else if v, ok := med(k, "claims/s"); ok {
			r := row{Stage: short + " " + k.name + procs(k), Value: fmt.Sprintf("%.0f claims/s", v)}
			if mb, ok := med(k, "MB/s"); ok {
				r.Value += fmt.Sprintf(" (%.1f MB/s)", mb)
			}
			if strings.HasPrefix(k.name, "Process/") {
				r.Target, r.Verdict = fmt.Sprintf(">= %.0f claims/s", processTarget), verdict(v >= processTarget)
			}
			rows = append(rows, r)
		} else if v, ok := med(k, "MB/s"); ok {
			rows = append(rows, row{Stage: short + " " + k.name + procs(k), Value: fmt.Sprintf("%.1f MB/s", v)})
		}
	}
	for _, p := range rss {
		rows = append(rows, row{Stage: "validate peak RSS (CLI)", Input: fmt.Sprintf("%.2f GB 837P", float64(p.FileBytes)/1e9),
			Value:  fmt.Sprintf("%.1f MiB, %.1f MB/s", float64(p.PeakBytes)/(1<<20), p.MBps),
			Target: "< 100 MiB", Verdict: verdict(p.PeakBytes < peakRSSTarget)})
	}
	return rows
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISS"
}

// write prints rows as an aligned table.
func write(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tINPUT\tRESULT\tTARGET\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t\n", r.Stage, r.Input, r.Value, r.Target, r.Verdict)
	}
	return tw.Flush()
}
