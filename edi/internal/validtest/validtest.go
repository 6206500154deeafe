// Package validtest holds test helpers of the X12 writers and decoders:
// written X12 passes the whole validator (envelope and
// implementation-guide tables) with no finding, decoded sets re-encode
// byte for byte, golden files, fuzz seeds.
package validtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/setread"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// Clean runs validate.Run over data and fails t on any finding: an
// interchange, group, set or file issue, a set whose body was not checked
// against its guide, or a status other than 0.
func Clean(t testing.TB, data []byte) {
	t.Helper()
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatalf("validate.Run: %v", err)
	}
	if res.SetCount() == 0 {
		t.Fatal("no transaction set found")
	}
	for _, ic := range res.Interchanges {
		for _, is := range ic.Issues {
			t.Errorf("interchange issue: %s", is)
		}
		for _, g := range ic.Groups {
			for _, is := range g.Issues {
				t.Errorf("group issue: %s", is)
			}
			for _, s := range g.Sets {
				if !s.BodyChecked {
					t.Errorf("set %s: body not checked against its implementation guide", s.Control)
				}
				for _, is := range s.Issues {
					t.Errorf("set %s: %s (value %q)", s.Control, is, is.Value)
				}
			}
		}
	}
	for _, is := range res.Issues {
		t.Errorf("file issue: %s", is)
	}
	if res.Status() != 0 {
		t.Errorf("Status() = %d, want 0", res.Status())
	}
}

// ReEncodes checks that enc, a decoded set's Encode, writes (with the
// delimiters of first, the set's first segment) a byte-identical slice
// of data, the input it was decoded from.
func ReEncodes(t testing.TB, data []byte, first *x12.Segment, enc func(*x12.Writer) error) {
	t.Helper()
	var buf bytes.Buffer
	w := x12.NewWriter(&buf, first.Delims)
	if err := enc(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, buf.Bytes()) {
		t.Errorf("re-encoded set is not a byte-identical slice of the input:\n%q", buf.Bytes())
	}
}

// Golden compares got with the golden file path, first rewriting it when
// update is set (go test -update).
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, got)
	}
}

// Seeds adds to f the files matching pattern in the package's testdata
// and in dir of the shared corpus (when present), failing when there is
// none.
func Seeds(f *testing.F, pattern, dir string) {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	if root, ok := corpustest.Find(); ok {
		more, _ := filepath.Glob(filepath.Join(root, dir, "*"))
		files = append(files, more...)
	}
	if len(files) == 0 {
		f.Fatal("no seed")
	}
	for _, s := range files {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// CorpusSets decodes every shared-corpus file matching pattern with
// decode, which returns the decoded sets, and checks that decoding never
// fails and that every complete set without issues re-encodes as a
// byte-identical slice of its file. It returns the number of such clean
// sets.
func CorpusSets(t *testing.T, pattern string, decode func(data []byte) ([]*setread.Set, error)) int {
	t.Helper()
	clean := 0
	for _, f := range corpustest.Glob(t, pattern) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sets, err := decode(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		for _, s := range sets {
			if len(s.Issues) > 0 || !s.Complete {
				continue
			}
			clean++
			ReEncodes(t, data, s.Segments[0], s.Encode)
		}
	}
	return clean
}

// Repeat is an io.Reader of head, then block(1) .. block(n), then
// tail(segments) where segments is the number of segments of head and
// the blocks plus one (the SE's count): a large transaction set made on
// the fly, for streaming tests.
type Repeat struct {
	Head   string
	Block  func(i int) string
	N      int
	Tail   func(segments int) string
	i      int
	segs   int
	buf    []byte
	tailed bool
}

// Read implements io.Reader.
func (r *Repeat) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		switch {
		case r.i == 0 && r.segs == 0:
			r.buf = []byte(r.Head)
			r.segs = bytes.Count(r.buf, []byte("~")) - 2 // ISA and GS are not in the set
			r.i = 1
		case r.i <= r.N:
			b := r.Block(r.i)
			r.segs += strings.Count(b, "~")
			r.buf = []byte(b)
			r.i++
		case !r.tailed:
			r.buf = []byte(r.Tail(r.segs + 1))
			r.tailed = true
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// HeapInUse returns the heap in use after a garbage collection.
func HeapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// WriterCase is a named input of a writer test.
type WriterCase[R any] struct {
	Name  string
	Input func() []R
}

// Writer checks a writer over its cases: each output passes the
// validator with no finding, equals testdata/<name>.<ext>.golden
// (rewritten when update is set), and decodes back into values that write
// the same bytes again; then all cases together make one valid
// interchange of len(all inputs) sets whose ST01 is ext.
func Writer[R any](t *testing.T, ext string, cases []WriterCase[R], write func(rs []R, suffix string) ([]byte, error),
	decode func(data []byte) ([]R, error), update bool) {
	t.Helper()
	mustWrite := func(t *testing.T, rs []R, suffix string) []byte {
		t.Helper()
		data, err := write(rs, suffix)
		if err != nil {
			t.Fatalf("write: %v", err)
		}
		return data
	}
	var all []R
	for _, tc := range cases {
		all = append(all, tc.Input()...)
		t.Run(tc.Name, func(t *testing.T) {
			got := mustWrite(t, tc.Input(), "\n")
			Clean(t, got)
			Golden(t, filepath.Join("testdata", tc.Name+"."+ext+".golden"), got, update)
			back, err := decode(got)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if again := mustWrite(t, back, "\n"); !bytes.Equal(again, got) {
				t.Errorf("decoded and written again:\n%s\nwant:\n%s", again, got)
			}
		})
	}
	t.Run("all_in_one_interchange", func(t *testing.T) {
		data := mustWrite(t, all, "")
		Clean(t, data)
		if n := bytes.Count(data, []byte("~ST*"+ext+"*")); n != len(all) {
			t.Errorf("%d sets, want %d", n, len(all))
		}
	})
}

// Refused checks what a writer returned for bad input: an error wrapping
// want that names field (as "<field> (" in its text), no output, and none
// of the secret values in the message.
func Refused(t testing.TB, err error, out []byte, want error, field string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("bad input accepted")
	}
	if len(out) != 0 {
		t.Error("output written despite the error")
	}
	if !errors.Is(err, want) {
		t.Errorf("error %v does not wrap %v", err, want)
	}
	if !strings.Contains(err.Error(), field+" (") {
		t.Errorf("no field error for %s in %v", field, err)
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error message carries a value (%s): %v", s, err)
		}
	}
}

// FlatHeap runs decode (which streams a generated set of n items and
// returns how many it decoded and the peak heap it saw) for small and
// large n and fails when an item is missing or the peak heap grows by
// more than 8 MiB with the size.
func FlatHeap(t *testing.T, small, large int, decode func(t *testing.T, n int) (int, uint64)) {
	t.Helper()
	n1, h1 := decode(t, small)
	n2, h2 := decode(t, large)
	t.Logf("%d items: peak heap %d KiB; %d items: %d KiB", small, h1>>10, large, h2>>10)
	if n1 != small || n2 != large {
		t.Fatalf("%d and %d items decoded, want %d and %d", n1, n2, small, large)
	}
	if h2 > h1+8<<20 {
		t.Errorf("heap grew with the input: %d KiB for %d items, %d KiB for %d", h1>>10, small, h2>>10, large)
	}
}

// Stream runs validate.Run over r with h receiving the schema events of
// every set, calls flush at the end and fails unless the input is valid.
func Stream(t *testing.T, r io.Reader, h schema.Handler, flush func() error) {
	t.Helper()
	res, err := validate.Run(context.Background(), r, validate.Options{
		Handler: func(validate.SetInfo) schema.Handler { return h }})
	if err != nil {
		t.Fatal(err)
	}
	if err := flush(); err != nil {
		t.Fatal(err)
	}
	if res.Status() != 0 {
		t.Fatalf("generated input not clean: status %d", res.Status())
	}
}

// Rejects4010 checks every shared-corpus file of the given transaction
// set types (PROVENANCE.tsv) whose version is a 4010 one: validate.Run
// reads it without failing and rejects each interchange with TA1 note 003
// (control version not supported), and decode, a package's decoder,
// reads it without failing (a file may still hold a set whose ST03 names
// the 5010 guide: the decoders read sets, the envelope verdict is the
// validator's). It returns the number of files checked.
func Rejects4010(t *testing.T, decode func(data []byte) error, types ...string) int {
	t.Helper()
	index, err := os.ReadFile(corpustest.Path(t, "PROVENANCE.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(index), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) < 4 || !slices.Contains(types, cols[2]) || !strings.HasPrefix(cols[3], "004010") {
			continue
		}
		n++
		data, err := os.ReadFile(corpustest.Path(t, cols[0]))
		if err != nil {
			t.Fatal(err)
		}
		res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
		if err != nil {
			t.Errorf("%s: %v", cols[0], err)
			continue
		}
		if res.Accepted() || len(res.Interchanges) == 0 {
			t.Errorf("%s: 4010 file accepted", cols[0])
		}
		for _, ic := range res.Interchanges {
			if ic.TA1.Ack != "R" || ic.TA1.Note != "003" {
				t.Errorf("%s: TA1 %s %s, want R 003", cols[0], ic.TA1.Ack, ic.TA1.Note)
			}
		}
		if err := decode(data); err != nil {
			t.Errorf("%s: decode: %v", cols[0], err)
		}
	}
	return n
}
