package dir_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/transport/dir"
	"github.com/clearinghouse/clearinghouse/transport/internal/remotetest"
	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

func TestConformance(t *testing.T) {
	base := t.TempDir()
	remotetest.Run(t, remotetest.Harness{
		HostDir: base,
		New: func(t *testing.T) xfer.Remote {
			r, err := dir.New(base)
			if err != nil {
				t.Fatal(err)
			}
			return r
		},
	})
}

func TestNewRefusesMissingOrFile(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(tmp, "missing"), file} {
		if r, err := dir.New(p); err == nil {
			r.Close()
			t.Errorf("New(%s) succeeded", p)
		}
	}
}

// TestSymlinkConfinement plants symbolic links inside the base that point
// outside it; every operation through them must fail and leave the outside
// untouched.
func TestSymlinkConfinement(t *testing.T) {
	tmp := t.TempDir()
	base, outside := filepath.Join(tmp, "base"), filepath.Join(tmp, "outside")
	for _, d := range []string{base, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.edi"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"rel":     "../outside",
		"abs":     outside,
		"relfile": "../outside/secret.edi",
		"absfile": filepath.Join(outside, "secret.edi"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(base, name)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := dir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := t.Context()

	ops := []struct {
		name string
		op   func() error
	}{
		{"list rel", func() error { _, err := r.List(ctx, "rel"); return err }},
		{"list abs", func() error { _, err := r.List(ctx, "abs"); return err }},
		{"open through dir link", func() error { return openClose(r.Open(ctx, "rel/secret.edi")) }},
		{"open through abs dir link", func() error { return openClose(r.Open(ctx, "abs/secret.edi")) }},
		{"open file link", func() error { return openClose(r.Open(ctx, "relfile")) }},
		{"open abs file link", func() error { return openClose(r.Open(ctx, "absfile")) }},
		{"put through link", func() error { return r.Put(ctx, "rel", "new.edi", strings.NewReader("x")) }},
		{"put over file link", func() error { return r.Put(ctx, "abs", "secret.edi", strings.NewReader("x")) }},
		{"mkdir through link", func() error { return r.MkdirAll(ctx, "rel/newdir") }},
		{"rename out through link", func() error {
			if err := r.Put(ctx, ".", "mine.edi", strings.NewReader("mine")); err != nil {
				return nil // report as unexpected success below
			}
			return r.Rename(ctx, "mine.edi", "rel/mine.edi")
		}},
		{"rename in through link", func() error { return r.Rename(ctx, "abs/secret.edi", "stolen.edi") }},
		{"remove through link", func() error { return r.Remove(ctx, "rel/secret.edi") }},
	}
	for _, o := range ops {
		if err := o.op(); err == nil {
			t.Errorf("%s: succeeded, want an error", o.name)
		}
	}
	ents, err := os.ReadDir(outside)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "secret.edi" {
		t.Errorf("outside dir changed: %v", ents)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret.edi")); string(b) != "secret" {
		t.Errorf("secret changed: %q", b)
	}
	if _, err := os.Lstat(filepath.Join(base, "stolen.edi")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stolen.edi exists in base: %v", err)
	}
	// The symlink itself may be removed: that touches only the base.
	if err := r.Remove(ctx, "relfile"); err != nil {
		t.Errorf("Remove(symlink in base): %v", err)
	}
}

func openClose(rc io.ReadCloser, err error) error {
	if err == nil {
		rc.Close()
	}
	return err
}

// TestPutRetryAfterCrash simulates a process that died after writing the
// temp file but before the rename, then retries the same Put.
func TestPutRetryAfterCrash(t *testing.T) {
	base := t.TempDir()
	if err := os.WriteFile(filepath.Join(base, xfer.TempName("out.999")), []byte("ISA*partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := dir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for range 2 { // the retry, then a redundant second retry
		if err := r.Put(t.Context(), ".", "out.999", strings.NewReader("ISA*complete~")); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "out.999" {
		t.Fatalf("base holds %v, want exactly out.999", ents)
	}
	if b, _ := os.ReadFile(filepath.Join(base, "out.999")); string(b) != "ISA*complete~" {
		t.Errorf("content = %q", b)
	}
}

// TestPutReaderErrorLeavesNothing checks that a failed source leaves neither
// the final file nor the temp file.
func TestPutReaderErrorLeavesNothing(t *testing.T) {
	base := t.TempDir()
	r, err := dir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	boom := errors.New("source broke")
	err = r.Put(t.Context(), ".", "x.edi", io.MultiReader(strings.NewReader("ISA*"), errReader{boom}))
	if !errors.Is(err, boom) {
		t.Fatalf("Put = %v, want the source error", err)
	}
	if ents, _ := os.ReadDir(base); len(ents) != 0 {
		t.Errorf("base holds %v after failed Put", ents)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestModes: delivered files and created folders are closed to other
// users (they carry PHI), also when a crashed Put left a world-readable
// temp file behind.
func TestModes(t *testing.T) {
	base := t.TempDir()
	r, err := dir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := t.Context()
	if err := r.MkdirAll(ctx, "outbox/sub"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "outbox", xfer.TempName("b.x12")), []byte("stale"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(base, "outbox", xfer.TempName("b.x12")), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a.x12", "b.x12"} {
		if err := r.Put(ctx, "outbox", n, strings.NewReader("ISA~")); err != nil {
			t.Fatal(err)
		}
	}
	for p, most := range map[string]os.FileMode{
		"outbox": dir.DirMode, "outbox/sub": dir.DirMode, "outbox/a.x12": dir.FileMode, "outbox/b.x12": dir.FileMode,
	} {
		fi, err := os.Stat(filepath.Join(base, p))
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m&^most != 0 || m&0o007 != 0 {
			t.Errorf("%s: mode %o; want within %o, nothing for others", p, m, most)
		}
	}
}
