package claimstatus

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// FuzzDecodeRequests decodes arbitrary input as 276s: it must never
// panic, every set decoded without issues must re-encode as a
// byte-identical slice of the input, and every inquiry has its parents.
// Seeds: testdata/*.276 and, when present, the shared corpus's 276 files.
func FuzzDecodeRequests(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.276"))
	if dir, ok := corpustest.Find(); ok {
		more, _ := filepath.Glob(filepath.Join(dir, "276", "*"))
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
			return
		}
		for _, r := range reqs {
			for _, q := range r.Inquiries {
				if q.Header == nil || q.Payer == nil || q.Receiver == nil || q.Subscriber == nil || q.Patient() == nil {
					t.Fatal("inquiry without its parents")
				}
				_ = q.ProviderID("XX")
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
