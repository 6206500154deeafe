package eligibility

import (
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
)

// FuzzDecodeRequests decodes arbitrary input as 270s: it must never
// panic, every set decoded without issues must re-encode as a
// byte-identical slice of the input, and an inquiry's accessors must work
// on whatever was decoded. Seeds: testdata/*.270 and, when present, the
// shared corpus's 270 files.
func FuzzDecodeRequests(f *testing.F) {
	validtest.Seeds(f, "*.270", "270")
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
			validtest.ReEncodes(t, data, r.Segments[0], r.Encode)
		}
	})
}
