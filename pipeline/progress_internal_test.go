package pipeline

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

// TestProgressReader: the count grows in steps of at least ProgressStep
// (so at most one call per step) and reaches the size of the input at its
// end, whatever the sizes of the reads; the reads pass through unchanged.
func TestProgressReader(t *testing.T) {
	data := bytes.Repeat([]byte("ISA*00*~\n"), 4*ProgressStep/9+1234)
	for _, tt := range []struct {
		name string
		r    io.Reader
	}{
		{"whole reads", bytes.NewReader(data)},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(data))},
		{"half reads", iotest.HalfReader(bytes.NewReader(data))},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(data))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var counts []int64
			pr := &progressReader{r: tt.r, fn: func(n int64) { counts = append(counts, n) }}
			got, err := io.ReadAll(pr)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read %d bytes, %v; want the %d bytes", len(got), err, len(data))
			}
			size := int64(len(data))
			if n := int64(len(counts)); n > size/ProgressStep+1 {
				t.Errorf("%d calls for %d bytes, want at most %d", n, size, size/ProgressStep+1)
			}
			var prev int64
			for i, c := range counts {
				if c <= prev || i < len(counts)-1 && c-prev < ProgressStep {
					t.Fatalf("count %d: %d after %d", i, c, prev)
				}
				prev = c
			}
			if prev != size {
				t.Errorf("last count %d, want the size %d", prev, size)
			}
		})
	}
}
