package claimstatus

import (
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
)

// FuzzDecodeRequests decodes arbitrary input as 276s: it must never
// panic, every set decoded without issues must re-encode as a
// byte-identical slice of the input, and every inquiry has its parents.
// Seeds: testdata/*.276 and, when present, the shared corpus's 276 files.
func FuzzDecodeRequests(f *testing.F) {
	validtest.Seeds(f, "*.276", "276")
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
			validtest.ReEncodes(t, data, r.Segments[0], r.Encode)
		}
	})
}
