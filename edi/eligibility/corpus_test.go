package eligibility

import (
	"os"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/setread"
	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// TestCorpus270 decodes every 270 of the corpus (004010 files are not
// ours: they hold no 5010 set and decode to nothing): no crash, and every
// complete set the guide accepts without issues re-encodes byte for byte.
func TestCorpus270(t *testing.T) {
	inquiries := 0
	clean := validtest.CorpusSets(t, "270/*", func(data []byte) ([]*setread.Set, error) {
		reqs, err := DecodeRequests(data)
		var sets []*setread.Set
		for _, r := range reqs {
			inquiries += len(r.Inquiries)
			sets = append(sets, &r.Set)
		}
		return sets, err
	})
	t.Logf("%d clean sets, %d inquiries", clean, inquiries)
	if clean < 15 || inquiries < 28 {
		t.Errorf("%d clean sets, %d inquiries decoded; the corpus has more", clean, inquiries)
	}
}

// TestCorpus271 decodes every 271 of the corpus: no crash, and clean sets
// re-encode byte for byte.
func TestCorpus271(t *testing.T) {
	clean := validtest.CorpusSets(t, "271/*", func(data []byte) ([]*setread.Set, error) {
		rs, err := DecodeResponses(data)
		var sets []*setread.Set
		for _, r := range rs {
			sets = append(sets, &r.Set)
		}
		return sets, err
	})
	t.Logf("%d clean sets", clean)
	if clean < 170 {
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

// TestCorpus4010 checks that the 4010 files of the corpus (not ours to
// accept) are rejected at the envelope (TA1 003) and read by the decoders
// without a crash.
func TestCorpus4010(t *testing.T) {
	n := validtest.Rejects4010(t, func(data []byte) error {
		if _, err := DecodeRequests(data); err != nil {
			return err
		}
		_, err := DecodeResponses(data)
		return err
	}, "270", "271")
	if n == 0 {
		t.Error("no 4010 file in the corpus index")
	}
	t.Logf("%d files", n)
}
