package remit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// FuzzDecode835 feeds arbitrary bytes to both decoders: nothing panics,
// the streaming decoder gives the same claims with and without
// ReuseClaims, and every X221A1 set the whole-set decoder returns
// re-encodes byte for byte.
// Seeds: the golden 835s of testdata/ (written by Write and Reenvelope)
// and, when present, every corpus 835 (read in place).
func FuzzDecode835(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.835.golden"))
	if dir, ok := corpustest.Optional(f); ok {
		more, _ := filepath.Glob(filepath.Join(dir, "835", "*"))
		seeds = append(seeds, more...)
	}
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		streamed, _ := decodeAll(t, data)
		for _, c := range streamed {
			if c.Claim == nil || c.Remittance == nil || c.Start > c.End {
				t.Fatalf("bad claim context %+v", c)
			}
		}
		// ReuseClaims gives the same claims, as seen during the call.
		i := 0
		decodeWith(t, data, true, func(c *ClaimContext) error {
			if i >= len(streamed) {
				t.Fatalf("reuse: more claims than without")
			}
			a, _ := json.Marshal(c.Claim)
			b, _ := json.Marshal(streamed[i].Claim)
			if !bytes.Equal(a, b) {
				t.Fatalf("reuse: claim %d differs:\n%s\n%s", i, a, b)
			}
			i++
			return nil
		}, nil)
		if i != len(streamed) {
			t.Fatalf("reuse: %d claims, want %d", i, len(streamed))
		}
		err := ReadSets(bytes.NewReader(data), func(r *Remittance, _ []ack.Issue) error {
			first, last := r.segs[0], r.segs[len(r.segs)-1]
			end := last.Offset + int64(len(last.Raw()))
			if !last.Unterminated() {
				end++
			}
			var buf bytes.Buffer
			w := x12.NewWriter(&buf, first.Delims)
			if err := r.Encode(w); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			want := data[first.Offset:end]
			if last.Unterminated() {
				// Encode terminates the last segment.
				want = append(append([]byte(nil), want...), first.Delims.Segment)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("set %q: Encode differs from the input", r.ControlNumber)
			}
			_ = r.CheckBalance()
			return nil
		})
		if err != nil {
			t.Fatalf("ReadSets: %v", err)
		}
	})
}
