package x12_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// FuzzReader reads arbitrary input, writes every segment back with the
// reader's delimiters, reads the output again and checks that the same
// segments come back. It must never panic.
func FuzzReader(f *testing.F) {
	f.Add([]byte(std + "GS*HC~ST*837*1~SE*2*1~GE*1*1~IEA*1*000000001~"))
	f.Add(benchInput(3))
	for _, pattern := range []string{"../../testdata/*/*.edi", "../../../shared/corpus/837P/*"} {
		files, _ := filepath.Glob(pattern)
		for i, name := range files {
			if i >= 40 {
				break
			}
			if data, err := os.ReadFile(name); err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := x12.NewReader(bytes.NewReader(data))
		r.MaxSegmentLen = 1 << 16
		var out bytes.Buffer
		var w *x12.Writer
		var d x12.Delimiters
		var raws [][]byte
		for i := 0; i < 100000; i++ {
			s, err := r.Read()
			if err == io.EOF {
				break
			}
			var se *x12.SyntaxError
			if err != nil {
				if !errors.As(err, &se) {
					t.Fatalf("unexpected error type %T: %v", err, err)
				}
				if se.Offset < 0 || se.Offset > int64(len(data)) {
					t.Fatalf("error offset %d out of range", se.Offset)
				}
				return
			}
			if s.Offset < 0 || s.Offset+int64(len(s.Raw())) > int64(len(data)) {
				t.Fatalf("segment offset %d out of range", s.Offset)
			}
			if !bytes.HasPrefix(data[s.Offset:], s.ID()) {
				t.Fatalf("offset %d does not point at %q", s.Offset, s.ID())
			}
			if w == nil {
				d = s.Delims
				w = x12.NewWriter(&out, d)
			} else if s.Delims != d {
				return // a second interchange with other delimiters
			}
			for j := 0; j <= s.Len(); j++ {
				_ = s.Element(j)
				for range s.Components(j) {
				}
			}
			if s.Unterminated() {
				return
			}
			w.WriteSegment(s)
			raws = append(raws, bytes.Clone(s.Raw()))
		}
		if w == nil {
			return
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r2 := x12.NewReader(bytes.NewReader(out.Bytes()))
		for i := 0; ; i++ {
			s, err := r2.Read()
			if err == io.EOF {
				if i != len(raws) {
					t.Fatalf("re-read %d segments, wrote %d", i, len(raws))
				}
				return
			}
			if err != nil {
				t.Fatalf("re-read: %v", err)
			}
			if i >= len(raws) || !bytes.Equal(s.Raw(), raws[i]) {
				t.Fatalf("segment %d differs after round trip", i)
			}
		}
	})
}

func FuzzParseCents(f *testing.F) {
	for _, s := range []string{"0", "125", "125.5", "-3.25", ".5", "1.000", "99999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := x12.ParseCents([]byte(s))
		if err != nil {
			return
		}
		back, err := x12.ParseCents(x12.AppendCents(nil, c))
		if err != nil || back != c {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, c, x12.FormatCents(c), back, err)
		}
	})
}
