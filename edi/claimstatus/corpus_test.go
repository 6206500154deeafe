package claimstatus

import (
	"os"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/setread"
	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// TestCorpus276 decodes every 276 of the corpus (004010 files are not
// ours: they hold no 5010 set and decode to nothing): no crash, and every
// complete set the guide accepts without issues re-encodes byte for byte.
func TestCorpus276(t *testing.T) {
	inquiries := 0
	clean := validtest.CorpusSets(t, "276/*", func(data []byte) ([]*setread.Set, error) {
		reqs, err := DecodeRequests(data)
		var sets []*setread.Set
		for _, r := range reqs {
			inquiries += len(r.Inquiries)
			sets = append(sets, &r.Set)
		}
		return sets, err
	})
	t.Logf("%d clean sets, %d inquiries", clean, inquiries)
	if clean < 15 || inquiries < 30 {
		t.Errorf("%d clean sets, %d inquiries decoded; the corpus has more", clean, inquiries)
	}
}

// TestCorpus277 decodes every 277 of the corpus: no crash, and clean sets
// re-encode byte for byte.
func TestCorpus277(t *testing.T) {
	clean := validtest.CorpusSets(t, "277/*", func(data []byte) ([]*setread.Set, error) {
		rs, err := DecodeResponses(data)
		var sets []*setread.Set
		for _, r := range rs {
			sets = append(sets, &r.Set)
		}
		return sets, err
	})
	t.Logf("%d clean sets", clean)
	if clean < 14 {
		t.Errorf("%d clean 277 sets; the corpus has more", clean)
	}
}

// TestCorpus276Fields checks what the decoder reads from a claim-level
// request with a dependent and service lines.
func TestCorpus276Fields(t *testing.T) {
	data, err := os.ReadFile(corpustest.Path(t, "276/stupidedi__claim-request.edi"))
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := DecodeRequests(data)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("decode: %v, %d requests", err, len(reqs))
	}
	var deps, lines, charged int
	for _, q := range reqs[0].Inquiries {
		if q.Claim.Trace == "" || q.Payer.IDQualifier == "" || q.ProviderID("XX") == "" {
			t.Errorf("inquiry at %d: trace, payer or provider NPI missing", q.Position)
		}
		if q.Dependent != nil {
			deps++
		}
		if q.Claim.HasCharge {
			charged++
		}
		lines += len(q.Claim.Lines)
	}
	if n := len(reqs[0].Inquiries); n != 3 || deps != 1 || lines != 1 || charged != 2 {
		t.Fatalf("%d inquiries, %d dependents, %d lines, %d charged; want 3, 1, 1, 2", n, deps, lines, charged)
	}
	first := reqs[0].Inquiries[0]
	if c := first.Claim; c.ChargeCents != 851388 || c.BillType != "111" || c.ServiceFrom != "20050831" ||
		c.ServiceTo != "20050906" || c.PatientControlNumber == "" {
		t.Errorf("first claim %+v", c)
	}
	if first.Subscriber.BirthDate != "19301210" || first.Subscriber.IDQualifier != "MI" || first.Dependent != nil {
		t.Errorf("first subscriber %+v", first.Subscriber)
	}
	last := reqs[0].Inquiries[2]
	if last.Dependent == nil || last.Dependent.EntityCode != "QC" || last.Subscriber.EntityCode != "IL" {
		t.Fatal("third inquiry is not the dependent's")
	}
	if l := last.Claim.Lines[0]; len(l.Procedure) != 2 || l.Procedure[0] != "HC" || l.ChargeCents != 15000 ||
		l.Units != 1000 || l.ServiceFrom != "20050501" {
		t.Errorf("line %+v", l)
	}
	if last.Providers[0].ID == first.Providers[0].ID {
		t.Error("the third inquiry kept the first provider level")
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
	}, "276", "277")
	if n == 0 {
		t.Error("no 4010 file in the corpus index")
	}
	t.Logf("%d files", n)
}
