package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestSpoolGC: `spool gc` removes PostgreSQL blobs no row references once
// older than --grace, keeps referenced ones, and removes nothing from a
// directory spool.
func TestSpoolGC(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			url := be.URL(t)
			dir := t.TempDir()
			ctx := context.Background()
			st := dbtest.Open(t, store.Config{URL: url})
			sp, err := spool.NewConfig(spool.Config{Dir: filepath.Join(dir, "spool"), Store: st})
			if err != nil {
				t.Fatal(err)
			}
			kept, err := sp.PutBytes(ctx, "inbound", []byte("ISA*recorded~"))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a.x12", SHA256: kept.SHA256, Size: kept.Size, SpoolPath: kept.Path}); err != nil {
				t.Fatal(err)
			}
			if _, err := sp.PutBytes(ctx, "outbound", []byte("ISA*never queued~")); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"backend": "dir", "removed": 0.0}
			if be.Name == store.DialectPostgres {
				want = map[string]any{"backend": "postgres", "removed": 1.0}
			}
			args := []string{"--data-dir", dir, "--database", url, "spool", "gc", "--json"}
			// Within the default grace period (24h) nothing goes.
			code, stdout, stderr := run(t, args...)
			var got map[string]any
			if code != 0 || json.Unmarshal([]byte(stdout), &got) != nil || got["removed"] != 0.0 || got["backend"] != want["backend"] {
				t.Fatalf("spool gc: exit %d, %q, %s", code, stdout, stderr)
			}
			code, stdout, stderr = run(t, append(args, "--grace", "0s")...)
			got = nil
			if code != 0 || json.Unmarshal([]byte(stdout), &got) != nil || got["removed"] != want["removed"] || got["backend"] != want["backend"] {
				t.Fatalf("spool gc --grace 0s: exit %d, %q, %s; want %v", code, stdout, stderr, want)
			}
			r, err := sp.Open(kept.Path)
			if err != nil {
				t.Fatalf("the recorded file's content went: %v", err)
			}
			r.Close()
			if code, _, _ := run(t, append(args, "--grace", "-1s")...); code != 2 {
				t.Fatalf("negative grace: exit %d; want 2", code)
			}
		})
	}
}
