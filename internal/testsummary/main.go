// Command testsummary reads `go test -json` events on stdin and prints what
// a plain `go test` prints (package result lines, the output of failing
// tests, build errors), then a count of the skipped tests by cause, so that
// tests skipped for lack of PostgreSQL or OpenSSH are never silent:
//
//	go test -json ./... | go run ./internal/testsummary
//
// It exits 1 when a test or a package failed or the input is not test2json
// output, else 0. `make test` uses it outside CI.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one test2json record.
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
}

// cause names why a skipped test was skipped, from its output.
func cause(output string) string {
	switch {
	case strings.Contains(output, "PostgreSQL"), strings.Contains(output, "DATABASE_URL"):
		return "no PostgreSQL (DATABASE_URL)"
	case strings.Contains(output, "OpenSSH"), strings.Contains(output, "SFTP_ADDR"):
		return "no OpenSSH sshd (SFTP_ADDR)"
	default:
		return "other"
	}
}

// summary is what summarise saw.
type summary struct {
	failed  bool
	skipped map[string][]string // cause → package.Test
	total   int                 // tests and subtests that ran or skipped
}

// summarise copies the plain go test output of the events in r to w and
// returns the counts.
func summarise(r io.Reader, w io.Writer) (summary, error) {
	s := summary{skipped: map[string][]string{}}
	pending := map[string]*strings.Builder{} // package + "\x00" + test → output so far
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event (go vet or build noise on the same stream):
			// pass it through.
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		if e.Action == "build-output" {
			fmt.Fprint(w, e.Output)
			continue
		}
		if e.Action == "build-fail" {
			s.failed = true
			continue
		}
		if e.Test == "" {
			// Package level: "ok pkg 1.2s", "FAIL pkg", "? pkg [no test
			// files]", TestMain output. Drop the "PASS" and the verbose
			// markers -json implies.
			switch e.Action {
			case "output":
				if e.Output != "PASS\n" && !strings.HasPrefix(e.Output, "=== ") {
					fmt.Fprint(w, e.Output)
				}
			case "fail":
				s.failed = true
			}
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch e.Action {
		case "run":
			pending[key] = &strings.Builder{}
			s.total++
		case "output":
			b := pending[key]
			if b == nil {
				b = &strings.Builder{}
				pending[key] = b
			}
			if !strings.HasPrefix(e.Output, "=== ") {
				b.WriteString(e.Output)
			}
		case "pass":
			delete(pending, key)
		case "skip":
			out := ""
			if b := pending[key]; b != nil {
				out = b.String()
			}
			c := cause(out)
			s.skipped[c] = append(s.skipped[c], e.Package+"."+e.Test)
			delete(pending, key)
		case "fail":
			s.failed = true
			if b := pending[key]; b != nil {
				fmt.Fprint(w, b.String())
			}
			delete(pending, key)
		}
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	return s, nil
}

// report prints the skip counts.
func report(w io.Writer, s summary) {
	n := 0
	for _, v := range s.skipped {
		n += len(v)
	}
	fmt.Fprintf(w, "\ntests: %d run, %d skipped", s.total-n, n)
	if n == 0 {
		fmt.Fprintln(w)
		return
	}
	causes := make([]string, 0, len(s.skipped))
	for c := range s.skipped {
		causes = append(causes, c)
	}
	sort.Strings(causes)
	var parts []string
	for _, c := range causes {
		parts = append(parts, fmt.Sprintf("%d %s", len(s.skipped[c]), c))
	}
	fmt.Fprintf(w, " (%s)\n", strings.Join(parts, ", "))
	for _, c := range causes {
		if c == "other" {
			continue
		}
		fmt.Fprintf(w, "  skipped for %s: run .ci/run (or set the variable) to test them\n", c)
	}
}

func main() {
	s, err := summarise(os.Stdin, os.Stdout)
	report(os.Stdout, s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	if s.failed {
		os.Exit(1)
	}
}
