package claim_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// corpusFiles returns the files of corpus/<kind> (public sample
// interchanges, read in place), skipping the test when the corpus is absent
// (failing it under CI=true).
func corpusFiles(t *testing.T, kind string) []string {
	t.Helper()
	dir := corpustest.Path(t, kind)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// roundTrip checks that every 5010 837 set in data decodes and re-encodes
// byte for byte, and returns the number of sets checked.
func roundTrip(t *testing.T, data []byte) int {
	t.Helper()
	is5010 := func(v string) bool { return claim.KindOf(v) != "" && strings.HasPrefix(v, "005010") }
	var spans []setSpan
	for _, s := range setSpans(data) {
		if is5010(s.version) {
			spans = append(spans, s)
		}
	}
	var txs []*claim.Transaction
	for _, tx := range decodeAll(t, data) {
		if is5010(tx.Version) {
			txs = append(txs, tx)
		}
	}
	if len(txs) < len(spans) {
		t.Fatalf("decoded %d 5010 837 transaction sets, input has %d", len(txs), len(spans))
	}
	for i, s := range spans {
		got := encode(t, txs[i], s.delims)
		if !bytes.Equal(got, s.data) {
			t.Errorf("set %d: re-encoded set differs from input\n%s", i+1, firstDiff(got, s.data))
		}
	}
	return len(spans)
}

// firstDiff describes where a and b first differ.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-40)
	return "at byte " + itoa(i) + ":\n got: " + quote(got[from:min(len(got), i+40)]) + "\nwant: " + quote(want[from:min(len(want), i+40)])
}

func TestRoundTripTestdata(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.edi")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if roundTrip(t, data) == 0 {
				t.Fatal("no 5010 837 transaction set found")
			}
		})
	}
}

func TestRoundTripCorpus(t *testing.T) {
	for _, kind := range []string{"837P", "837I"} {
		t.Run(kind, func(t *testing.T) {
			sets := 0
			for _, f := range corpusFiles(t, kind) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(filepath.Base(f), func(t *testing.T) {
					sets += roundTrip(t, data)
				})
			}
			if sets == 0 {
				t.Fatalf("no 5010 %s transaction sets in the corpus", kind)
			}
			t.Logf("%d transaction sets round-tripped", sets)
		})
	}
}
