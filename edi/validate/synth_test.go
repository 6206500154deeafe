package validate_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/synth"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// Synthetic files without deliberate defects pass every rule of the
// guides, the ZIP+4, NPI check digit and EIN formats included (tests across
// the repository rely on synth output being valid); a DefectBadNPI claim's
// set is rejected with IK403 7 on its NM109.
func TestSynthOutputValid(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []synth.Kind{synth.Professional, synth.Institutional} {
		for _, seed := range []int64{1, 2, 3} {
			var buf bytes.Buffer
			cfg := synth.Config{Kind: kind, Claims: 300, Seed: seed, ClaimsPerST: 50}
			if _, err := synth.Write(ctx, &buf, cfg); err != nil {
				t.Fatal(err)
			}
			res, err := validate.Run(ctx, bytes.NewReader(buf.Bytes()), validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.SetCount() != 300/50 {
				t.Fatalf("%s seed %d: %d sets validated", kind, seed, res.SetCount())
			}
			if res.Status() != 0 {
				for _, ic := range validate.Report("", res).Interchanges {
					for _, g := range ic.Groups {
						for _, tr := range g.Transactions {
							for _, e := range tr.Errors {
								t.Errorf("%s seed %d set %s: %s %s %s", kind, seed, tr.Control, e.SegmentID, e.Loop, e.Message)
							}
						}
					}
				}
				t.Fatalf("%s seed %d: status %d", kind, seed, res.Status())
			}
		}
		// Every claim invalid: the bad-NPI ones are caught by the NPI rule.
		var buf bytes.Buffer
		cfg := synth.Config{Kind: kind, Claims: 20, Seed: 7, Invalid: 1, ClaimsPerST: 1}
		if _, err := synth.Write(ctx, &buf, cfg); err != nil {
			t.Fatal(err)
		}
		infos, err := synth.Manifest(cfg)
		if err != nil {
			t.Fatal(err)
		}
		bad := map[string]bool{}
		for ci := range infos {
			if ci.Defect == synth.DefectBadNPI {
				bad[ci.SetControl] = true
			}
		}
		res, err := validate.Run(ctx, bytes.NewReader(buf.Bytes()), validate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		caught := 0
		for _, g := range validate.Report("", res).Interchanges[0].Groups {
			for _, tr := range g.Transactions {
				npi := false
				for _, e := range tr.Errors {
					npi = npi || (e.SegmentID == "NM1" && e.ElementPosition == 9 && e.IK4 == "7")
				}
				if npi != bad[tr.Control] {
					t.Errorf("%s set %s: NPI issue %v, bad NPI claim %v", kind, tr.Control, npi, bad[tr.Control])
				}
				if npi {
					caught++
				}
			}
		}
		t.Logf("%s: %d of %d sets have a bad NPI", kind, caught, res.SetCount())
		if caught == 0 {
			t.Errorf("%s: no bad-NPI claim generated", kind)
		}
	}
}
