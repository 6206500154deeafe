package claim_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// TestStreamedClaimsDoNotShareStorage checks that the claims the streaming
// decoder emits own their lists: growing or overwriting one claim's lists
// (as a caller may) changes no other claim, line or parent.
func TestStreamedClaimsDoNotShareStorage(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.edi")
	if dir, ok := corpustest.Optional(t); ok {
		corpus, _ := filepath.Glob(filepath.Join(dir, "837P", "*"))
		files = append(files, corpus...)
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ctxs := streamAll(t, data)
		if len(ctxs) < 2 {
			continue
		}
		before := make([]string, len(ctxs))
		for i, c := range ctxs {
			before[i] = jsonOf(t, []any{c.Claim, c.Subscriber, c.Patient})
		}
		// Mutate the first claim in every way a caller might.
		c := ctxs[0].Claim
		c.Lines = append(c.Lines, &claim.Line{Number: 99})
		c.RelatedCauses = append(c.RelatedCauses, "ZZ")
		c.Codes = append(c.Codes, claim.HealthCode{Qualifier: "ZZ"})
		c.Dates = append(c.Dates, claim.Date{Qualifier: "ZZ"})
		c.Refs = append(c.Refs, claim.Ref{Qualifier: "ZZ"})
		for _, l := range c.Lines {
			l.Dates = append(l.Dates, claim.Date{Qualifier: "ZZ"})
			l.DiagnosisPointers = append(l.DiagnosisPointers, 99)
			l.Modifiers = append(l.Modifiers, "ZZ")
			l.Refs = append(l.Refs, claim.Ref{Qualifier: "ZZ"})
			for i := range l.Dates {
				l.Dates[i].Value = "X"
			}
		}
		for i := 1; i < len(ctxs); i++ {
			o := ctxs[i]
			if o.Subscriber == ctxs[0].Subscriber {
				continue // a shared parent: its JSON may hold the mutated claim's data
			}
			if got := jsonOf(t, []any{o.Claim, o.Subscriber, o.Patient}); got != before[i] {
				t.Errorf("%s: claim %d changed after claim 1 was modified:\nbefore %s\nafter  %s", f, i+1, before[i], got)
			}
			checked++
		}
		// Lines of one claim do not share storage either.
		if o := ctxs[len(ctxs)-1].Claim; len(o.Lines) >= 2 {
			snap := jsonOf(t, o.Lines[1:])
			o.Lines[0].Dates = append(o.Lines[0].Dates, claim.Date{Qualifier: "ZZ"})
			o.Lines[0].DiagnosisPointers = append(o.Lines[0].DiagnosisPointers, 98)
			if got := jsonOf(t, o.Lines[1:]); got != snap {
				t.Errorf("%s: growing line 1 changed the other lines:\nbefore %s\nafter  %s", f, snap, got)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no claims compared")
	}
}
