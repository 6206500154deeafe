package eligibility

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// TestCorpus270 decodes every 270 of the corpus: no crash, and every set
// the guide accepts without issues re-encodes byte for byte.
func TestCorpus270(t *testing.T) {
	clean := 0
	for _, f := range corpustest.Glob(t, "270/*") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		reqs, err := DecodeRequests(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		for _, r := range reqs {
			if len(r.Issues) > 0 {
				continue
			}
			clean++
			var buf bytes.Buffer
			w := x12.NewWriter(&buf, r.set.Segments[0].Delims)
			if err := r.Encode(w); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			if !bytes.Contains(data, buf.Bytes()) {
				t.Errorf("%s set %s: re-encoded set is not a byte-identical slice of the input", filepath.Base(f), r.Header.Control)
			}
			for _, q := range r.Inquiries {
				t.Logf("%s: %s %s %s dep=%v st=%v trn=%v", filepath.Base(f), q.Source.ID, q.Receiver.ID, q.Subscriber.ID, q.Dependent != nil, q.Patient().ServiceTypes(), q.Traces())
			}
		}
	}
	if clean == 0 {
		t.Error("no 270 set of the corpus decoded clean")
	}
}
