package claim_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/synth"
)

// emitted renders what emit is given, at the time it is given: the claim,
// its parents and its span.
func emitted(t testing.TB, c *claim.ClaimContext) string {
	return jsonOf(t, []any{c.Claim, c.Subscriber, c.Patient, c.BillingProvider, c.Payer, c.Start, c.End,
		c.Transaction.ControlNumber, c.Transaction.Submitter}) + contextSummary(t, c)
}

// streamRendered decodes data with the streaming decoder (reusing its
// blocks or not) and renders each claim as emit sees it.
func streamRendered(t *testing.T, data []byte, reuse bool) []string {
	t.Helper()
	var out []string
	d := claim.NewDecoder("", func(c *claim.ClaimContext) error {
		out = append(out, emitted(t, c))
		return nil
	})
	if reuse {
		d.Reuse()
	}
	if _, err := feed(data, d); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := d.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	return out
}

// TestStreamReuse checks that a Decoder reusing its blocks emits each
// claim as one that does not: nothing of a claim, its lines, diagnosis
// codes or levels is left over from the claims before it.
func TestStreamReuse(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.edi")
	inputs := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = data
	}
	// Many claims: subscribers with and without dependents, claims of
	// one to many lines, several billing providers and sets.
	for _, kind := range []synth.Kind{synth.Professional, synth.Institutional} {
		var buf bytes.Buffer
		if _, err := synth.Write(context.Background(), &buf, synth.Config{Kind: kind, Claims: 400, Seed: 7, ClaimsPerST: 150,
			Freq7: 0.05, Freq8: 0.05, Dup: 0.05}); err != nil {
			t.Fatal(err)
		}
		inputs["synth "+string(kind)] = buf.Bytes()
	}
	for name, data := range inputs {
		want, got := streamRendered(t, data, false), streamRendered(t, data, true)
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%s: %d claims reusing, %d not", name, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s claim %d differs when reusing:\n got %s\nwant %s", name, i+1, got[i], want[i])
			}
		}
	}
}
