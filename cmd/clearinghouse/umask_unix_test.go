//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRestrictUmask: after restrictUmask, new files and folders are closed
// to other users whatever the mode they are created with.
func TestRestrictUmask(t *testing.T) {
	old := restrictUmask()
	defer syscall.Umask(old)
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	d := filepath.Join(dir, "d")
	if err := os.Mkdir(d, 0o777); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{f: 0o640, d: 0o750} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s created with mode %o; want %o", filepath.Base(p), got, want)
		}
	}
}
