package spool

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPutIsContentAddressedAndDurable(t *testing.T) {
	sp, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := sp.Put(ctx, "inbound", strings.NewReader("ISA*hello~"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := sp.PutBytes(ctx, "inbound", []byte("ISA*hello~"))
	if err != nil {
		t.Fatal(err)
	}
	if a != b || a.Size != 10 || len(a.SHA256) != 64 {
		t.Fatalf("a=%+v b=%+v", a, b)
	}
	f, err := sp.Open(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "ISA*hello~" {
		t.Fatalf("content %q", got)
	}
	left, _ := os.ReadDir(filepath.Join(sp.Dir(), "tmp"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %d", len(left))
	}
	if _, err := sp.Open("/etc/passwd"); err == nil {
		t.Fatal("opened a path outside the spool")
	}
}

func TestPutCancelled(t *testing.T) {
	sp, _ := New(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sp.Put(ctx, "inbound", strings.NewReader("x")); err == nil {
		t.Fatal("want error for a cancelled context")
	}
}

// TestModes: spooled files and the spool's folders are the engine user's
// alone, and an existing spool root open to others is closed.
func TestModes(t *testing.T) {
	root := filepath.Join(t.TempDir(), "spool")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	sp, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	f, err := sp.PutBytes(context.Background(), "inbound", []byte("ISA*phi~"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(p string, most os.FileMode) {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m&^most != 0 {
			t.Errorf("%s: mode %o; want within %o", p, m, most)
		}
	}
	check(f.Path, 0o600)
	check(filepath.Dir(f.Path), 0o700)
	check(filepath.Join(root, "inbound"), 0o700)
	check(filepath.Join(root, "tmp"), 0o700)
	check(root, 0o750)
}
