package validate_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// fillerReader yields prefix, filler n times and suffix without holding
// the stream in memory.
type fillerReader struct {
	prefix, filler, suffix string
	n                      int
	cur                    []byte
	stage                  int
}

func (r *fillerReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		switch {
		case r.stage == 0:
			r.cur, r.stage = []byte(r.prefix), 1
		case r.stage == 1 && r.n > 0:
			k := min(r.n, 64<<10/len(r.filler)+1)
			r.cur = bytes.Repeat([]byte(r.filler), k)
			r.n -= k
		case r.stage == 1:
			r.cur, r.stage = []byte(r.suffix), 2
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// A file of millions of empty segments (blank lines with a line-feed
// terminator, "~~~" otherwise, between segments of a set or between sets)
// is validated in bounded stack and heap: it never crashes the process.
func TestManyEmptySegments(t *testing.T) {
	old := debug.SetMaxStack(8 << 20)
	defer debug.SetMaxStack(old)
	clean := string(readFile(t, "testdata/clean_837p.edi"))
	lf := strings.ReplaceAll(clean, "~", "\n")
	const n = 3_000_000
	tests := []struct {
		name, data, after, filler string
		accepted                  bool
	}{
		{"LF blank lines in a set", lf, "\nBHT", "\n", true},
		{"LF CRLF blank lines between envelope segments", lf, "\nST", "\r\n", true},
		{"tilde empty segments in a set", clean, "\nBHT", "~", false},
		{"tilde empty segments outside a set", clean, "\nST", "~", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := strings.Index(tt.data, tt.after)
			if i < 0 {
				t.Fatalf("%q not in the file", tt.after)
			}
			src := &fillerReader{prefix: tt.data[:i+1], filler: tt.filler, suffix: tt.data[i+1:], n: n}
			res, err := validate.Run(context.Background(), src, validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > 64<<20 {
				t.Errorf("heap in use %.1f MB after validating", float64(ms.HeapInuse)/(1<<20))
			}
			if got := res.Status() == 0; got != tt.accepted {
				t.Errorf("status %d, want accepted=%v; %d issues", res.Status(), tt.accepted, len(res.Issues))
			}
		})
	}
}
