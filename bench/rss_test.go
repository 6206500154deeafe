//go:build linux

package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/synth"
)

const (
	// rssFileBytes is the size of the 837P TestPeakRSS validates.
	rssFileBytes = 1 << 30
	// rssLimit is the peak RSS `clearinghouse validate` may reach on it.
	rssLimit = 100 << 20
)

// TestPeakRSS (BENCH_LARGE=1 only) builds the clearinghouse binary,
// generates a 1 GiB 837P with `clearinghouse gen`, validates it with
// `clearinghouse validate` and checks the validator's peak RSS (the
// child's ru_maxrss after wait4) stays under 100 MiB. It prints a PEAKRSS
// line for cmd/benchsummary and removes the file afterwards.
func TestPeakRSS(t *testing.T) {
	if !largeEnabled() {
		t.Skip("set BENCH_LARGE=1 to validate a 1 GiB file")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "clearinghouse")
	build := exec.Command(goTool(), "build", "-o", bin, "./cmd/clearinghouse")
	build.Dir = ".." // the product module
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// Size the file from the bytes per claim of the 10k-claim benchmark file.
	small := generated(t, synth.Config{Kind: synth.Professional, Claims: 10_000, Seed: benchSeed, ClaimsPerST: 100})
	claims := int((int64(rssFileBytes) * 10_000) / small.Size)
	claims += claims / 100 // claims vary in size: aim 1 % over
	path := filepath.Join(dir, "large.837p")
	defer os.Remove(path)
	start := time.Now()
	genStats, gen := child(t, bin, "gen", "--type", "837P", "--claims", strconv.Itoa(claims), "--seed", strconv.Itoa(benchSeed), "--out", path)
	if gen != nil {
		t.Fatalf("gen: %v", gen)
	}
	genTime := time.Since(start)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < rssFileBytes {
		t.Fatalf("generated %d bytes, want at least %d", fi.Size(), int64(rssFileBytes))
	}

	start = time.Now()
	st, verr := child(t, bin, "validate", path)
	elapsed := time.Since(start)
	if verr != nil {
		t.Fatalf("validate: %v\n%s", verr, st.head)
	}
	if !bytes.Contains(st.head, []byte(": accepted")) {
		t.Errorf("validate did not accept the file:\n%s", st.head)
	}
	mb := float64(fi.Size()) / 1e6
	fmt.Printf("PEAKRSS validate file_bytes=%d claims=%d peak_rss_bytes=%d seconds=%.2f mb_per_s=%.1f gen_seconds=%.2f gen_peak_rss_bytes=%d\n",
		fi.Size(), claims, st.maxRSS, elapsed.Seconds(), mb/elapsed.Seconds(), genTime.Seconds(), genStats.maxRSS)
	t.Logf("validate %d bytes (%d claims): peak RSS %.1f MiB, %.1f s (%.1f MB/s)",
		fi.Size(), claims, float64(st.maxRSS)/(1<<20), elapsed.Seconds(), mb/elapsed.Seconds())
	if st.maxRSS >= rssLimit {
		t.Errorf("peak RSS %.1f MiB, want < %d MiB", float64(st.maxRSS)/(1<<20), rssLimit>>20)
	}
	if err := os.Remove(path); err != nil {
		t.Error(err)
	}
}

// childStats is what child measured.
type childStats struct {
	maxRSS int64  // peak resident set size, bytes
	head   []byte // the first 4 KiB of stdout and stderr
}

// child runs bin with args and returns its peak RSS and output with its
// error.
func child(t *testing.T, bin string, args ...string) (childStats, error) {
	t.Helper()
	var out headWriter
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var st childStats
	st.head = out.buf
	if cmd.ProcessState == nil {
		return st, err
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the child process")
	}
	st.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	return st, err
}

// headWriter keeps the first 4 KiB written to it.
type headWriter struct{ buf []byte }

func (w *headWriter) Write(p []byte) (int, error) {
	if room := 4096 - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// goTool returns the go command of the toolchain running the test.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
