package claimstatus

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// TestCorpus276 decodes every 276 of the corpus (the 004010 file holds no
// 5010 set and decodes to nothing): no crash, and every set the guide
// accepts without issues re-encodes byte for byte.
func TestCorpus276(t *testing.T) {
	clean, inquiries := 0, 0
	for _, f := range corpustest.Glob(t, "276/*") {
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
	if clean < 10 || inquiries < 10 {
		t.Errorf("%d clean sets, %d inquiries decoded; the corpus has more", clean, inquiries)
	}
}

// TestCorpus277 decodes every 277 of the corpus: no crash, and clean
// X212 sets re-encode byte for byte.
func TestCorpus277(t *testing.T) {
	clean := 0
	for _, f := range corpustest.Glob(t, "277/*") {
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
