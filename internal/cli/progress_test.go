package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// TestProcessQuietWithoutTerminal: `process` of a file of several
// progress steps writes nothing to a stderr that is not a terminal (logs
// at error level: none), and the processors get no progress hook at all.
func TestProcessQuietWithoutTerminal(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "big.x12")
	if code, _, errOut := run(t, "gen", "--type", "837P", "--claims", "800", "--seed", "5", "--out", in); code != 0 {
		t.Fatalf("gen: %s", errOut)
	}
	if fi, err := os.Stat(in); err != nil || fi.Size() < pipeline.ProgressStep {
		t.Fatalf("test file: %v %v; want more than one progress step", fi, err)
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"--log-level", "error", "--data-dir", filepath.Join(dir, "var"), "process", in}, &out, &errb)
	if code != 0 || errb.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	a := &app{stderr: &errb, batch: true}
	if a.fileProgress() != nil {
		t.Error("a progress hook without a terminal")
	}
	a.progress("big.x12", 10, 100)
	a.progressDone()
	if errb.Len() != 0 {
		t.Errorf("stderr %q", errb.String())
	}
}

// TestProcessBarOnTerminal: with a terminal, the X12 processor of a
// batch command draws a byte bar named after the file while it reads it;
// commands that are not batch commands (run, cycle) draw none.
func TestProcessBarOnTerminal(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	in := filepath.Join(dir, "big.x12")
	if code, _, errOut := run(t, "gen", "--type", "837P", "--claims", "800", "--seed", "6", "--out", in); code != 0 {
		t.Fatalf("gen: %s", errOut)
	}
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []bool{true, false} {
		var errb bytes.Buffer
		a := &app{ctx: ctx, stdout: io.Discard, stderr: &errb, batch: batch, tty: func() bool { return true },
			logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		cfg.Database = "sqlite:" + filepath.Join(cfg.DataDir, "c.db")
		rt, err := a.openRuntime(ctx, cfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		sf, err := rt.spool.PutBytes(ctx, "inbound", data)
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := rt.store.RecordInbound(ctx, store.InboundFile{PartnerID: "local", Name: "big-837p.x12", SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rt.engine.ProcessFile(ctx, rec.ID); err != nil {
			t.Fatal(err)
		}
		a.progressDone()
		rt.Close()
		if drew := strings.Contains(errb.String(), "big-837p.x12"); drew != batch {
			t.Errorf("batch %v: stderr %q", batch, errb.String())
		}
	}
}
