package eligibility

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// TestCorpus270 decodes every 270 of the corpus (004010 files are not
// ours: they hold no 5010 set and decode to nothing): no crash, and every
// set the guide accepts without issues re-encodes byte for byte.
func TestCorpus270(t *testing.T) {
	clean, inquiries := 0, 0
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
			inquiries += len(r.Inquiries)
			if len(r.Issues) > 0 || !r.Complete {
				continue
			}
			clean++
			validtest.ReEncodes(t, data, r.Segments[0], r.Encode)
		}
	}
	if clean < 10 || inquiries < 15 {
		t.Errorf("%d clean sets, %d inquiries decoded; the corpus has more", clean, inquiries)
	}
}

// TestCorpus271 decodes every 271 of the corpus: no crash, and clean sets
// re-encode byte for byte.
func TestCorpus271(t *testing.T) {
	clean := 0
	for _, f := range corpustest.Glob(t, "271/*") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sets, err := DecodeResponses(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		for _, s := range sets {
			if len(s.Issues) > 0 || !s.Complete {
				continue
			}
			clean++
			validtest.ReEncodes(t, data, s.Segments[0], s.Encode)
		}
	}
	if clean < 10 {
		t.Errorf("%d clean 271 sets; the corpus has more", clean)
	}
}

// TestCorpus270Fields checks what the decoder reads from two samples.
func TestCorpus270Fields(t *testing.T) {
	data, err := os.ReadFile(corpustest.Path(t, "270/stupidedi__generic-request-by-physician-for-patient-_dependent_-eligibility.edi"))
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := DecodeRequests(data)
	if err != nil || len(reqs) != 1 || len(reqs[0].Inquiries) != 1 {
		t.Fatalf("decode: %v, %d requests", err, len(reqs))
	}
	q := reqs[0].Inquiries[0]
	if q.Dependent == nil || q.Patient() != q.Dependent {
		t.Fatal("dependent inquiry not recognised")
	}
	if q.Source.EntityCode != "PR" || q.Receiver.IDQualifier != "SV" || q.Subscriber.IDQualifier != "MI" {
		t.Errorf("parties: source %q receiver %q subscriber %q", q.Source.EntityCode, q.Receiver.IDQualifier, q.Subscriber.IDQualifier)
	}
	if got := q.Patient().ServiceTypes(); len(got) != 1 || got[0] != "30" {
		t.Errorf("service types %v, want [30]", got)
	}
	if tr := q.Traces(); len(tr) != 1 || tr[0].Type != "1" || len(tr[0].Originator) != 10 {
		t.Errorf("traces %+v", tr)
	}
	if q.Dependent.BirthDate != "19781014" || q.Dependent.Gender != "" {
		t.Errorf("dependent DMG %q %q", q.Dependent.BirthDate, q.Dependent.Gender)
	}
	if d, ok := q.Dependent.PlanDate(); !ok || d.From != "20060501" || d.To != "" {
		t.Errorf("plan date %+v %v", d, ok)
	}
	if q.Subscriber.ID != "11122333301" || q.Subscriber.Last != "" {
		t.Errorf("subscriber identifiers not read as sent")
	}
}
