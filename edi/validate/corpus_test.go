package validate_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// corpusDir holds public X12 samples (read in place, never copied; see
// corpustest).
var corpusDir, _ = corpustest.Find()

type corpusRow struct {
	file    string
	stCount int
	notes   string
}

func readProvenance(t *testing.T) []corpusRow {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "PROVENANCE.tsv"))
	if os.IsNotExist(err) {
		corpustest.Missing(t, "corpus not present at "+corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var col map[string]int
	var rows []corpusRow
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if col == nil {
			col = map[string]int{}
			for i, name := range fields {
				col[name] = i
			}
			for _, need := range []string{"file", "st_count", "notes"} {
				if _, ok := col[need]; !ok {
					t.Fatalf("PROVENANCE.tsv has no %s column", need)
				}
			}
			continue
		}
		get := func(name string) string {
			if i := col[name]; i < len(fields) {
				return fields[i]
			}
			return ""
		}
		n, err := strconv.Atoi(get("st_count"))
		if err != nil {
			t.Fatalf("%s: st_count %q", get("file"), get("st_count"))
		}
		rows = append(rows, corpusRow{file: get("file"), stCount: n, notes: get("notes")})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// wrongSE01 matches the notes' "wrong SE01 (25 declared, 34 actual) x2".
var wrongSE01 = regexp.MustCompile(`wrong SE01 \((\w+) declared, (\d+) actual\)(?: x(\d+))?`)

// setsWith returns the sets of res that carry IK502 code.
func setsWith(res *envelope.Result, code string) []envelope.Set {
	var out []envelope.Set
	for _, ic := range res.Interchanges {
		for _, g := range ic.Groups {
			for _, s := range g.Sets {
				for _, c := range s.Codes() {
					if c == code {
						out = append(out, s)
						break
					}
				}
			}
		}
	}
	return out
}

func hasTA1(res *envelope.Result, note string) bool {
	for _, ic := range res.Interchanges {
		for _, is := range ic.Issues {
			if is.Code == note {
				return true
			}
		}
	}
	return false
}

func TestCorpus(t *testing.T) {
	rows := readProvenance(t)
	checked := map[string]int{}
	for _, row := range rows {
		t.Run(row.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(corpusDir, row.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := validate.Run(context.Background(), f, validate.Options{})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			// Files the tokenizer cannot split are rejected, never
			// silently accepted: an ISA whose delimiters are not distinct
			// (ISA11 = ISA16 in several samples) or are blanks or line
			// breaks (TA1 026; the interchange is skipped), multi-byte
			// "delimiters", and segments prefixed with '~' after a
			// newline terminator (IDs like "~ST").
			if hasTA1(res, ack.NoteBadElementSeparator) || strings.Contains(row.notes, "non-ASCII delimiter") ||
				strings.Contains(row.notes, "segments prefixed with '~'") || strings.Contains(row.notes, "blanks around ISA separators") {
				if res.Accepted() {
					t.Error("file that cannot be tokenized was accepted")
				}
				checked["unsplittable"]++
				return
			}
			// Every ST is split into a set, unless it sits where no set
			// can be (outside a group: TA1 024) or in data the tokenizer
			// skipped (a file-level finding); both reject or flag.
			if got := res.SetCount(); got != row.stCount {
				if !hasTA1(res, ack.NoteBadContent) && len(res.Issues) == 0 {
					t.Errorf("%d transaction sets, PROVENANCE st_count %d, and nothing flagged", got, row.stCount)
				}
				checked["st_count flagged"]++
			} else {
				checked["st_count"]++
			}
			for _, m := range wrongSE01.FindAllStringSubmatch(row.notes, -1) {
				actual, _ := strconv.Atoi(m[2])
				times := 1
				if m[3] != "" {
					times, _ = strconv.Atoi(m[3])
				}
				n := 0
				for _, s := range setsWith(res, ack.SetCountWrong) {
					if s.SegmentCount == actual {
						n++
					}
				}
				if n < times {
					t.Errorf("%s: %d sets of %d segments with IK502 4, want %d", m[0], n, actual, times)
				}
				checked["wrong SE01"]++
			}
			if strings.Contains(row.notes, "SE02!=ST02") {
				if len(setsWith(res, ack.SetControlMismatch)) == 0 {
					t.Error("SE02!=ST02 but no set has IK502 3")
				}
				checked["SE02!=ST02"]++
			}
			if strings.Contains(row.notes, "no IEA") {
				if !hasTA1(res, ack.NotePrematureEnd) {
					t.Error("no IEA but no TA1 023")
				}
				checked["no IEA"]++
			}
			if strings.Contains(row.notes, "ST without SE") {
				if len(setsWith(res, ack.SetTrailerMissing)) == 0 {
					t.Error("ST without SE but no set has IK502 2")
				}
				checked["ST without SE"]++
			}
			if res.Accepted() && res.Status() == 0 && strings.Contains(row.notes, "not 5010") {
				t.Error("a 4010 file was accepted cleanly")
			}
		})
	}
	t.Logf("checked: %v", checked)
	if checked["wrong SE01"] == 0 || checked["no IEA"] == 0 || checked["SE02!=ST02"] == 0 {
		t.Errorf("corpus notes not exercised: %v", checked)
	}
}
