package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/synth"
)

// benchSeed seeds every generated file, so that runs compare like with like.
const benchSeed = 42

// inMemoryLimit is the largest file the benchmarks read into memory; larger
// ones are streamed from the cache file (page cache) on every iteration.
const inMemoryLimit = 64 << 20

// prefixLen is how much of a cached file is compared with a fresh
// generation before the file is reused (the generator streams, so the
// prefix of a large file is cheap to regenerate).
const prefixLen = 64 << 10

// largeEnabled reports whether the 1 M-claim files and the 1 GB peak-RSS
// check are enabled (BENCH_LARGE=1).
func largeEnabled() bool { return os.Getenv("BENCH_LARGE") == "1" }

// input is one generated interchange.
type input struct {
	Name   string // sub-benchmark name, e.g. "837P-10k"
	Kind   synth.Kind
	Claims int
	Path   string
	Size   int64
	data   []byte // the file's bytes when Size <= inMemoryLimit
}

// open returns a reader over the whole input: the bytes in memory, or the
// cache file.
func (in *input) open() (io.ReadCloser, error) {
	if in.data != nil {
		return io.NopCloser(bytes.NewReader(in.data)), nil
	}
	return os.Open(in.Path)
}

var (
	inputsMu sync.Mutex
	inputs   = map[string]*input{}
)

// cacheDir is where generated files are kept between runs:
// $BENCH_CACHE_DIR, else <os.TempDir()>/clearinghouse-bench.
func cacheDir() string {
	if d := os.Getenv("BENCH_CACHE_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "clearinghouse-bench")
}

// shortCount formats 10000 as "10k" and 1000000 as "1M".
func shortCount(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// benchInputs returns the inputs the stage benchmarks run on: 837P and 837I
// with 10 000 claims, plus 1 000 000 claims when BENCH_LARGE=1.
func benchInputs(tb testing.TB) []*input {
	sizes := []int{10_000}
	if largeEnabled() {
		sizes = append(sizes, 1_000_000)
	}
	var ins []*input
	for _, n := range sizes {
		for _, k := range []synth.Kind{synth.Professional, synth.Institutional} {
			ins = append(ins, generated(tb, synth.Config{Kind: k, Claims: n, Seed: benchSeed, ClaimsPerST: 100}))
		}
	}
	return ins
}

// generated returns the input for cfg, generating it into the cache
// directory unless a file made from the same config (and by the same
// generator: its first 64 KiB are compared with a fresh generation) is
// already there. It is generated at most once per process.
func generated(tb testing.TB, cfg synth.Config) *input {
	tb.Helper()
	key := fmt.Sprintf("%s-%dclaims-seed%d-per%d", cfg.Kind, cfg.Claims, cfg.Seed, cfg.ClaimsPerST)
	inputsMu.Lock()
	defer inputsMu.Unlock()
	if in, ok := inputs[key]; ok {
		return in
	}
	path := filepath.Join(cacheDir(), key+".x12")
	if err := ensureFile(context.Background(), path, cfg); err != nil {
		tb.Fatalf("generate %s: %v", key, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	in := &input{Name: string(cfg.Kind) + "-" + shortCount(cfg.Claims), Kind: cfg.Kind, Claims: cfg.Claims, Path: path, Size: fi.Size()}
	if in.Size <= inMemoryLimit {
		if in.data, err = os.ReadFile(path); err != nil {
			tb.Fatal(err)
		}
	}
	inputs[key] = in
	return in
}

// errPrefixDone stops a generation once the prefix has been written.
var errPrefixDone = errors.New("prefix complete")

// prefixWriter keeps the first len(buf) bytes written and then fails.
type prefixWriter struct{ buf []byte }

func (w *prefixWriter) Write(p []byte) (int, error) {
	room := cap(w.buf) - len(w.buf)
	if len(p) < room {
		w.buf = append(w.buf, p...)
		return len(p), nil
	}
	w.buf = append(w.buf, p[:room]...)
	return room, errPrefixDone
}

// ensureFile makes path hold the output of cfg: it keeps an existing file
// whose first prefixLen bytes match a fresh generation and writes the file
// (through a temporary file and a rename) otherwise.
func ensureFile(ctx context.Context, path string, cfg synth.Config) error {
	pw := &prefixWriter{buf: make([]byte, 0, prefixLen)}
	_, err := synth.Write(ctx, pw, cfg)
	complete := err == nil // the whole output fitted in the prefix
	if err != nil && !errors.Is(err, errPrefixDone) {
		return err
	}
	if f, err := os.Open(path); err == nil {
		got := make([]byte, len(pw.buf))
		_, rerr := io.ReadFull(f, got)
		fi, serr := f.Stat()
		f.Close()
		if rerr == nil && serr == nil && bytes.Equal(got, pw.buf) && (!complete || fi.Size() == int64(len(got))) {
			return nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if _, err := synth.Write(ctx, bw, cfg); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
