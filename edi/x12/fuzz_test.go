package x12_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// readerSeedPatterns are the repository's X12 test files FuzzReader
// seeds from (relative to this package).
var readerSeedPatterns = []string{"../../testdata/*/*.x12", "../*/testdata/*.edi"}

// readerSeeds returns the seed files of FuzzReader: the repository's X12
// test files and, when the shared corpus is present, up to 40 of its 837P
// samples; files of 64 KiB or more are left out. It fails when the
// repository's own files give no seed.
func readerSeeds(tb testing.TB) (repo, corpus [][]byte) {
	tb.Helper()
	load := func(files []string, limit int) [][]byte {
		var out [][]byte
		for _, name := range files {
			if len(out) >= limit {
				break
			}
			data, err := os.ReadFile(name)
			if err != nil {
				tb.Fatal(err)
			}
			if len(data) < 64<<10 {
				out = append(out, data)
			}
		}
		return out
	}
	for _, pattern := range readerSeedPatterns {
		files, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		repo = append(repo, load(files, len(files))...)
	}
	if len(repo) == 0 {
		tb.Fatalf("no seed file matches %q", readerSeedPatterns)
	}
	if dir, ok := corpustest.Find(); ok {
		files, _ := filepath.Glob(filepath.Join(dir, "837P", "*"))
		corpus = load(files, 40)
	}
	return repo, corpus
}

// FuzzReader loads its seeds: a glob that matched nothing (*.edi for .x12
// files) once left it with two inline inputs.
func TestFuzzReaderSeeds(t *testing.T) {
	repo, corpus := readerSeeds(t)
	if len(repo) < 10 {
		t.Errorf("%d seed files from the repository, want at least 10", len(repo))
	}
	if _, ok := corpustest.Optional(t); ok && len(corpus) == 0 {
		t.Error("the corpus is present but gave no seed")
	}
	t.Logf("%d repository seeds, %d corpus seeds", len(repo), len(corpus))
}

// FuzzReader reads arbitrary input, writes every segment back with the
// reader's delimiters, reads the output again and checks that the same
// segments come back. It must never panic.
func FuzzReader(f *testing.F) {
	f.Add([]byte(std + "GS*HC~ST*837*1~SE*2*1~GE*1*1~IEA*1*000000001~"))
	f.Add(benchInput(3))
	repo, corpus := readerSeeds(f)
	for _, data := range append(repo, corpus...) {
		f.Add(data)
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
