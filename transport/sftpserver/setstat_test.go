package sftpserver_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSetstat checks what a partner may change with SETSTAT: nothing on
// the jail root, never the owner, modes only within 0660 (files) and 0770
// (directories) with owner access kept, and the times of its own files.
func TestSetstat(t *testing.T) {
	b := setup(t)
	c := b.raw(t)
	if err := os.Mkdir(filepath.Join(b.root, "inbox"), 0o750); err != nil {
		t.Fatal(err)
	}
	f, err := c.Create("inbox/claims.x12")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("ISA~")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	hostFile := filepath.Join(b.root, "inbox", "claims.x12")
	mode := func(p string) os.FileMode {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if m := mode(hostFile); m&0o007 != 0 {
		t.Errorf("uploaded file mode %o; want no access for others", m)
	}
	rootMode := mode(b.root)
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	refused := []struct {
		name string
		op   func() error
	}{
		{"chmod 777 /", func() error { return c.Chmod("/", 0o777) }},
		{"chmod 700 /", func() error { return c.Chmod("/", 0o700) }},
		{"chtimes /", func() error { return c.Chtimes("/", mtime, mtime) }},
		{"chown /", func() error { return c.Chown("/", os.Getuid(), os.Getgid()) }},
		{"chown own file", func() error { return c.Chown("inbox/claims.x12", os.Getuid(), os.Getgid()) }},
		{"chmod file world-readable", func() error { return c.Chmod("inbox/claims.x12", 0o644) }},
		{"chmod file executable", func() error { return c.Chmod("inbox/claims.x12", 0o760) }},
		{"chmod file setuid", func() error { return c.Chmod("inbox/claims.x12", 0o600|os.ModeSetuid) }},
		{"chmod file unreadable to the owner", func() error { return c.Chmod("inbox/claims.x12", 0o060) }},
		{"chmod dir 777", func() error { return c.Chmod("inbox", 0o777) }},
		{"chmod dir world-listable", func() error { return c.Chmod("inbox", 0o755) }},
	}
	for _, r := range refused {
		if err := r.op(); err == nil {
			t.Errorf("%s: succeeded, want refusal", r.name)
		}
	}
	if m := mode(b.root); m != rootMode {
		t.Errorf("jail root mode %o, was %o", m, rootMode)
	}
	if m := mode(hostFile); m&0o007 != 0 || m&0o111 != 0 {
		t.Errorf("file mode %o after refused chmods", m)
	}
	if m := mode(filepath.Join(b.root, "inbox")); m != 0o750 {
		t.Errorf("inbox mode %o after refused chmods; want 0750", m)
	}

	allowed := []struct {
		name string
		op   func() error
	}{
		{"chtimes own file", func() error { return c.Chtimes("inbox/claims.x12", mtime, mtime) }},
		{"chmod file 0600", func() error { return c.Chmod("inbox/claims.x12", 0o600) }},
		{"chmod file 0660", func() error { return c.Chmod("inbox/claims.x12", 0o660) }},
		{"chmod dir 0770", func() error { return c.Chmod("inbox", 0o770) }},
		{"chmod dir 0700", func() error { return c.Chmod("inbox", 0o700) }},
	}
	for _, a := range allowed {
		if err := a.op(); err != nil {
			t.Errorf("%s: %v; want it allowed", a.name, err)
		}
	}
	fi, err := os.Stat(hostFile)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(mtime) || fi.Mode().Perm() != 0o660 {
		t.Errorf("file mtime %v mode %o; want %v, 0660", fi.ModTime(), fi.Mode().Perm(), mtime)
	}
}
