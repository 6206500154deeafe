package synth

import (
	"bytes"
	"fmt"
	"testing"
)

// TestF8Prefix checks that with F8Prefix every replacement and void names
// its original by the prefix and the original's 1-based position, and
// without it by the original's CLM01.
func TestF8Prefix(t *testing.T) {
	for _, prefix := range []string{"", "CH"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			cfg := Config{Kind: Professional, Claims: 400, Seed: 3, Freq7: 0.1, Freq8: 0.05, F8Prefix: prefix}
			data, _ := generate(t, cfg)
			changes := 0
			for _, c := range manifest(t, cfg) {
				if c.Class != ClassReplacement && c.Class != ClassVoid {
					continue
				}
				changes++
				want := c.OriginalID
				if prefix != "" {
					want = fmt.Sprintf("%s%012d", prefix, c.OriginalIndex+1)
				}
				seg := []byte("REF*F8*" + want + "~")
				if !bytes.Contains(data, seg) {
					t.Fatalf("claim %d (%s of claim %d): no %s", c.Index, c.Class, c.OriginalIndex, seg)
				}
			}
			if changes == 0 {
				t.Fatal("no replacements or voids generated")
			}
		})
	}
}
