package intake_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/intake"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
	"github.com/clearinghouse/clearinghouse/transport"
	"github.com/clearinghouse/clearinghouse/transport/dir"
)

// statHook runs beforeStat once, before the first Stat: after the download
// and the record, before the archive step.
type statHook struct {
	transport.Remote
	once       sync.Once
	beforeStat func()
}

func (h *statHook) Stat(ctx context.Context, p string) (transport.FileInfo, error) {
	h.once.Do(h.beforeStat)
	return h.Remote.Stat(ctx, p)
}

// hashingStatHook is a statHook over a dir remote, which can hash.
type hashingStatHook struct {
	*statHook
	d *dir.Remote
}

func (h hashingStatHook) SHA256(ctx context.Context, p string) (string, error) {
	return h.d.SHA256(ctx, p)
}

// TestChangedDuringIntake replaces a file under the same name between its
// download and its archive step: the downloaded content is recorded once,
// the new content is left in the inbox (not archived unread) and is
// recorded by the next poll; nothing is lost.
func TestChangedDuringIntake(t *testing.T) {
	first := pipelinetest.Synth837(t, 1, 101, 2)
	second := pipelinetest.Synth837(t, 2, 102, 3) // another size
	sameSize := bytes.Clone(first)
	copy(sameSize[len(sameSize)-20:], bytes.Repeat([]byte("9"), 10)) // same size, other bytes
	if len(sameSize) != len(first) || bytes.Equal(sameSize, first) {
		t.Fatal("bad test data")
	}
	tests := []struct {
		name        string
		transport   string
		replacement []byte
		keepMTime   bool // the replacement gets the first file's size and time: only a hash tells
	}{
		{"dir, other size", "dir", second, false},
		{"dir, same size and time", "dir", sameSize, true},
		{"sftp, other size", "sftp", second, false},
	}
	const name = "claims.x12"
	for _, be := range dbtest.Backends() {
		for _, tt := range tests {
			t.Run(be.Name+"/"+tt.name, func(t *testing.T) {
				st := dbtest.Open(t, store.Config{URL: be.URL(t)})
				var b *bundle
				var r transport.Remote
				hook := &statHook{}
				if tt.transport == "sftp" {
					srv := pipelinetest.NewSFTP(t)
					b = newBundle(t, st, srv.Root, nil)
					hook.Remote = srv.Dial(t)
					r = hook
				} else {
					b = newBundle(t, st, t.TempDir(), nil)
					d, err := dir.New(b.base)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { d.Close() })
					hook.Remote = d
					r = hashingStatHook{statHook: hook, d: d}
				}
				inboxFile := filepath.Join(b.inbox(), name)
				pipelinetest.Drop(t, b.inbox(), name, first)
				mtime := time.Now().Add(-time.Hour).Truncate(time.Second)
				if err := os.Chtimes(inboxFile, mtime, mtime); err != nil {
					t.Fatal(err)
				}
				hook.beforeStat = func() {
					// A partner uploads again under the same name: a new file
					// renamed over the old one.
					tmp := filepath.Join(b.inbox(), ".upload.tmp")
					if err := os.WriteFile(tmp, tt.replacement, 0o644); err != nil {
						t.Error(err)
					}
					if tt.keepMTime {
						if err := os.Chtimes(tmp, mtime, mtime); err != nil {
							t.Error(err)
						}
					}
					if err := os.Rename(tmp, inboxFile); err != nil {
						t.Error(err)
					}
				}
				p, err := intake.New(r, st, b.sp, intake.Config{PartnerID: partner, Inbox: "inbox", Archive: "archive", Logger: b.logs.Logger()})
				if err != nil {
					t.Fatal(err)
				}

				res := runOnce(t, p)
				if len(res.Received) != 1 || res.Received[0].SHA256 != pipelinetest.SHA256(first) || res.Changed != 1 {
					t.Fatalf("first poll %+v; want the first content received and the file counted as changed", res)
				}
				if got := readFile(t, inboxFile); !bytes.Equal(got, tt.replacement) {
					t.Fatalf("inbox holds %d bytes; want the replacement left in place", len(got))
				}
				if got := pipelinetest.Names(t, b.archive(), true); len(got) != 0 {
					t.Fatalf("archive holds %q; want nothing archived", got)
				}
				if n := b.logs.Count(slog.LevelWarn, "file changed during intake"); n != 1 {
					t.Errorf("%d 'changed during intake' warnings; want 1", n)
				}

				res = runOnce(t, p)
				if len(res.Received) != 1 || res.Received[0].SHA256 != pipelinetest.SHA256(tt.replacement) || res.Changed != 0 {
					t.Fatalf("second poll %+v; want the replacement received", res)
				}
				if got := pipelinetest.Names(t, b.inbox(), false); len(got) != 0 {
					t.Fatalf("inbox holds %q after the second poll; want it empty", got)
				}
				wantArchive := []string{intake.ArchiveName(name, pipelinetest.SHA256(tt.replacement))}
				if got := pipelinetest.Names(t, b.archive(), true); !slices.Equal(got, wantArchive) {
					t.Fatalf("archive holds %q; want %q", got, wantArchive)
				}
				rows := inboundRows(t, st)
				sums := map[string]int{}
				for _, f := range rows {
					sums[f.SHA256]++
					data, err := os.ReadFile(f.SpoolPath)
					if err != nil || pipelinetest.SHA256(data) != f.SHA256 {
						t.Errorf("row %d: spooled bytes missing or wrong (%v)", f.ID, err)
					}
				}
				if len(rows) != 2 || sums[pipelinetest.SHA256(first)] != 1 || sums[pipelinetest.SHA256(tt.replacement)] != 1 {
					t.Fatalf("%d inbound rows %v; want each content once", len(rows), sums)
				}
				if bytes.Contains([]byte(b.logs.String()), []byte(name)) {
					t.Errorf("logs name the file:\n%s", b.logs.String())
				}
			})
		}
	}
}
