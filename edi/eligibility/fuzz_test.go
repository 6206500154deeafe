package eligibility

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// FuzzDecodeRequests decodes arbitrary input as 270s: it must never
// panic, every set decoded without issues must re-encode as a
// byte-identical slice of the input, and an inquiry's accessors must work
// on whatever was decoded. Seeds: testdata/*.270 and, when present, the
// shared corpus's 270 files.
func FuzzDecodeRequests(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.270"))
	if dir, ok := corpustest.Find(); ok {
		more, _ := filepath.Glob(filepath.Join(dir, "270", "*"))
		seeds = append(seeds, more...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed")
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, err := DecodeRequests(data)
		if err != nil {
			return // a reader error (not a syntax error): nothing decoded
		}
		for _, r := range reqs {
			for _, q := range r.Inquiries {
				_ = q.Patient().ServiceTypes()
				_, _ = q.Patient().PlanDate()
				_ = q.Traces()
				_ = EchoTraces(q.Traces())
			}
			if len(r.Issues) > 0 || !r.Complete {
				continue
			}
			if got := encoded(t, r.set.Segments[0], r.Encode); !bytes.Contains(data, got) {
				t.Fatalf("re-encoded set is not a slice of the input:\n%q", got)
			}
		}
	})
}
