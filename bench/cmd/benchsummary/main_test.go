package main

import (
	"strings"
	"testing"
)

var parseResultTests = []struct {
	name  string
	line  string
	ok    bool
	bench string
	procs int
	mbps  float64
}{
	{name: "no procs suffix", line: "BenchmarkTokenize/837P-10k \t 30 \t 36232502 ns/op \t 122.02 MB/s \t 65856 B/op \t 9 allocs/op",
		ok: true, bench: "Tokenize/837P-10k", procs: 1, mbps: 122.02},
	{name: "procs suffix", line: "BenchmarkTokenize/837P-1M-2 \t 1 \t 5 ns/op \t 300.5 MB/s",
		ok: true, bench: "Tokenize/837P-1M", procs: 2, mbps: 300.5},
	{name: "custom metric", line: "BenchmarkEngine-2 \t 10 \t 100 ns/op \t 1500000 lines/s", ok: true, bench: "Engine", procs: 2},
	{name: "benchmark still running", line: "BenchmarkTokenize/837P-10k", ok: false},
	{name: "log line", line: "BenchmarkMoov: bench_test.go:12: ratio 40", ok: false},
	{name: "odd fields", line: "BenchmarkX 10 100 ns/op 5", ok: false},
}

func TestParseResult(t *testing.T) {
	for _, tt := range parseResultTests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := parseResult(tt.line)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if r.Name != tt.bench || r.Procs != tt.procs || r.Metrics["MB/s"] != tt.mbps {
				t.Errorf("got %q procs %d %v MB/s, want %q procs %d %v MB/s", r.Name, r.Procs, r.Metrics["MB/s"], tt.bench, tt.procs, tt.mbps)
			}
		})
	}
}

const sample = `goos: linux
pkg: github.com/clearinghouse/clearinghouse/repricing
BenchmarkPrice 	 100 	 900 ns/op 	 900000 lines/s
pkg: github.com/clearinghouse/clearinghouse/pipeline
BenchmarkProcess/837P-10k 	 1 	 6060000000 ns/op 	 0.75 MB/s 	 1650 claims/s
BenchmarkDuplicateCheck 	 300 	 11000000 ns/op 	 8700 claims/s
pkg: github.com/clearinghouse/clearinghouse/bench
BenchmarkTokenize/837P-10k 	 30 	 1 ns/op 	 350.0 MB/s 	 9 allocs/op
BenchmarkTokenize/837P-10k 	 30 	 1 ns/op 	 250.0 MB/s 	 9 allocs/op
BenchmarkTokenize/837P-10k 	 30 	 1 ns/op 	 310.0 MB/s 	 9 allocs/op
BenchmarkDecodeValidate/837P-10k 	 10 	 1 ns/op 	 61.0 MB/s 	 64.0 MB/cpu-s
BenchmarkDecodeValidate/837I-10k 	 10 	 1 ns/op 	 20.0 MB/s
BenchmarkMoov/ours/837P-10k 	 10 	 1 ns/op 	 60.0 MB/s
BenchmarkMoov/moov/837P-10k 	 1 	 1 ns/op 	 2.50 MB/s
PEAKRSS validate file_bytes=1084122705 claims=2453026 peak_rss_bytes=125829120 seconds=13.15 mb_per_s=82.5
ok  	github.com/clearinghouse/clearinghouse/bench	21.515s
`

func TestSummarize(t *testing.T) {
	runs, rss, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 10 || len(rss) != 1 {
		t.Fatalf("%d results, %d PEAKRSS lines; want 10 and 1", len(runs), len(rss))
	}
	got := map[string]row{}
	for _, r := range summarize(runs, rss) {
		got[r.Stage+" "+r.Input] = r
	}
	tests := []struct {
		name, key, value, verdict string
	}{
		{"median of three runs", "Tokenize 837P-10k", "310.0 MB/s", "ok"},
		{"837P decode+validate target", "DecodeValidate 837P-10k", "61.0 MB/s (64.0 MB/cpu-s)", "ok"},
		{"no target for 837I", "DecodeValidate 837I-10k", "20.0 MB/s", ""},
		{"moov ratio", "ours/moov decode+validate 837P-10k", "24x", "MISS"},
		{"repricing rate", "repricing Price ", "0.90 M lines/s", "MISS"},
		{"process throughput", "pipeline Process/837P-10k ", "1650 claims/s (0.8 MB/s)", "ok"},
		{"claims/s without a target", "pipeline DuplicateCheck ", "8700 claims/s", ""},
		{"peak RSS", "validate peak RSS (CLI) 1.08 GB 837P", "120.0 MiB", "MISS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := got[tt.key]
			if !ok {
				t.Fatalf("no row %q in %v", tt.key, got)
			}
			if !strings.HasPrefix(r.Value, tt.value) || r.Verdict != tt.verdict {
				t.Errorf("row %q = %q %q, want %q… %q", tt.key, r.Value, r.Verdict, tt.value, tt.verdict)
			}
		})
	}
}
