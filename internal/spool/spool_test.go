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
