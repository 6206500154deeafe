package spool

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// pgSpoolB is pgSpool for a benchmark, with the default chunk size.
func pgSpoolB(b *testing.B) (*Spool, *store.Store) {
	b.Helper()
	st := dbtest.Open(b, store.Config{URL: dbtest.PostgresURL(b)})
	sp, err := NewConfig(Config{Dir: b.TempDir(), Store: st})
	if err != nil {
		b.Fatal(err)
	}
	return sp, st
}

// pgSpool returns a spool keeping content in a fresh PostgreSQL schema,
// in chunks of chunk bytes, and its store.
func pgSpool(t *testing.T, chunk int, now func() time.Time) (*Spool, *store.Store) {
	t.Helper()
	st := dbtest.Open(t, store.Config{URL: dbtest.PostgresURL(t), Now: now})
	sp, err := NewConfig(Config{Dir: filepath.Join(t.TempDir(), "spool"), Store: st, ChunkSize: chunk})
	if err != nil {
		t.Fatal(err)
	}
	if sp.Backend() != BackendPostgres {
		t.Fatalf("backend %s with a PostgreSQL store; want the default %s", sp.Backend(), BackendPostgres)
	}
	return sp, st
}

// content returns n bytes of X12-like text.
func content(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, "CLM*P%08d*%d.%02d***11:B:1*Y*A*Y*Y~", rng.IntN(1e8), rng.IntN(10000), rng.IntN(100))
	}
	return b.Bytes()[:n]
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func countRows(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBlobRoundTrip writes sizes around the chunk boundaries, through a
// reader returning one byte at a time and through PutBytes, and reads
// them back with Read, ReadAt and Seek (iotest.TestReader).
func TestBlobRoundTrip(t *testing.T) {
	const chunk = 16
	sp, st := pgSpool(t, chunk, nil)
	ctx := context.Background()
	chunks := 0
	for _, n := range []int{0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, 2*chunk + 1, 7*chunk + 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data := content(n, uint64(n))
			a, err := sp.Put(ctx, "inbound", iotest.OneByteReader(bytes.NewReader(data)))
			if err != nil {
				t.Fatal(err)
			}
			b, err := sp.PutBytes(ctx, "outbound", data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(a.Path, "pg:") || a.Path == b.Path {
				t.Fatalf("refs %q, %q: want two distinct pg: blobs", a.Path, b.Path)
			}
			want := sha(data)
			for _, f := range []File{a, b} {
				if f.SHA256 != want || f.Size != int64(n) {
					t.Fatalf("%+v; want sha %s size %d", f, want, n)
				}
				r, err := sp.OpenContext(ctx, f.Path)
				if err != nil {
					t.Fatal(err)
				}
				if err := iotest.TestReader(r, data); err != nil {
					t.Fatal(err)
				}
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
				if _, err := r.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
					t.Fatalf("read after close: %v; want os.ErrClosed", err)
				}
			}
			chunks += 2 * ((n + chunk - 1) / chunk)
			if got := countRows(t, st, "spool_chunks"); got != chunks {
				t.Fatalf("%d chunk rows; want %d", got, chunks)
			}
		})
	}
}

// TestBlobReadAtSeek: reads across chunk boundaries at any offset,
// concurrent ReadAt, and the Seek edge cases.
func TestBlobReadAtSeek(t *testing.T) {
	const chunk = 10
	sp, _ := pgSpool(t, chunk, nil)
	ctx := context.Background()
	data := content(95, 7)
	f, err := sp.PutBytes(ctx, "inbound", data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := sp.OpenContext(ctx, f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cases := []struct {
		off, n  int
		wantN   int
		wantEOF bool
	}{
		{0, 10, 10, false},
		{5, 10, 10, false}, // two chunks
		{9, 30, 30, false}, // four chunks
		{90, 5, 5, false},  // the short last chunk, to its end
		{90, 6, 5, true},
		{94, 1, 1, false},
		{95, 1, 0, true},
		{200, 1, 0, true},
	}
	for _, c := range cases {
		p := make([]byte, c.n)
		n, err := r.ReadAt(p, int64(c.off))
		if n != c.wantN || (err == io.EOF) != c.wantEOF || (err != nil && err != io.EOF) {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v; want %d, EOF %v", c.n, c.off, n, err, c.wantN, c.wantEOF)
		}
		if c.off < len(data) && !bytes.Equal(p[:n], data[c.off:c.off+n]) {
			t.Errorf("ReadAt(%d bytes at %d) read %q", c.n, c.off, p[:n])
		}
	}
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("ReadAt at -1: no error")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			off := (i * 7) % len(data)
			p := make([]byte, 13)
			n, err := r.ReadAt(p, int64(off))
			if err != nil && err != io.EOF {
				errs <- err
			} else if !bytes.Equal(p[:n], data[off:off+n]) {
				errs <- fmt.Errorf("concurrent ReadAt at %d read %q", off, p[:n])
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if pos, err := r.Seek(-3, io.SeekEnd); err != nil || pos != 92 {
		t.Fatalf("Seek(-3, end) = %d, %v", pos, err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(rest, data[92:]) {
		t.Fatalf("read after seek: %q, %v", rest, err)
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to -1: no error")
	}
	if pos, err := r.Seek(500, io.SeekStart); err != nil || pos != 500 {
		t.Fatalf("Seek past the end = %d, %v", pos, err)
	}
	if n, err := r.Read(make([]byte, 4)); n != 0 || err != io.EOF {
		t.Fatalf("Read past the end = %d, %v; want 0, EOF", n, err)
	}
}

// TestBlobMissing: a reference to no blob, to an unfinished one and to one
// whose chunk is gone, and a pg: reference on a spool without PostgreSQL.
func TestBlobMissing(t *testing.T) {
	sp, st := pgSpool(t, 8, nil)
	ctx := context.Background()
	if _, err := sp.OpenContext(ctx, "pg:987654"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open of a missing blob: %v; want fs.ErrNotExist", err)
	}
	id, err := st.CreateSpoolBlob(ctx, "inbound", 8)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.OpenContext(ctx, store.SpoolBlobRef(id)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open of an unfinished blob: %v; want fs.ErrNotExist", err)
	}
	f, err := sp.PutBytes(ctx, "inbound", content(20, 1))
	if err != nil {
		t.Fatal(err)
	}
	fid, _ := store.ParseSpoolBlobRef(f.Path)
	if _, err := st.DB().Exec(`DELETE FROM spool_chunks WHERE blob_id = $1 AND seq = 1`, fid); err != nil {
		t.Fatal(err)
	}
	r, err := sp.OpenContext(ctx, f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.ReadAll(r); err == nil || !strings.Contains(err.Error(), "chunk 1 of 8 bytes missing") {
		t.Fatalf("read of a blob without its chunk 1: %v", err)
	}
	if _, err := st.DB().Exec(`UPDATE spool_chunks SET data = 'short' WHERE blob_id = $1 AND seq = 0`, fid); err != nil {
		t.Fatal(err)
	}
	r2, err := sp.OpenContext(ctx, f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if _, err := r2.ReadAt(make([]byte, 1), 0); err == nil || !strings.Contains(err.Error(), "holds 5 bytes, want 8") {
		t.Fatalf("read of a truncated chunk: %v", err)
	}
	dirOnly, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dirOnly.Open(f.Path); err == nil || !strings.Contains(err.Error(), "kept in PostgreSQL") {
		t.Fatalf("pg: reference on a dir spool without store: %v", err)
	}
	for _, ref := range []string{"pg:", "pg:0", "pg:-1", "pg:01", "pg:1x"} {
		if _, ok := store.ParseSpoolBlobRef(ref); ok {
			t.Errorf("ParseSpoolBlobRef(%q) accepted", ref)
		}
	}
}

// cancelAfter cancels its context once n bytes were read from it.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	m, err := c.r.Read(p)
	if c.n -= m; c.n <= 0 {
		c.cancel()
	}
	return m, err
}

// TestBlobCancel: a Put cancelled half-way fails and leaves no blob; a
// read with a cancelled context fails.
func TestBlobCancel(t *testing.T) {
	sp, st := pgSpool(t, 16, nil)
	ctx, cancel := context.WithCancel(context.Background())
	data := content(100, 3)
	if _, err := sp.Put(ctx, "inbound", &cancelAfter{r: iotest.HalfReader(bytes.NewReader(data)), n: 40, cancel: cancel}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Put: %v; want context.Canceled", err)
	}
	if n := countRows(t, st, "spool_blobs"); n != 0 {
		t.Fatalf("%d blobs left by a cancelled Put", n)
	}
	if n := countRows(t, st, "spool_chunks"); n != 0 {
		t.Fatalf("%d chunks left by a cancelled Put", n)
	}
	f, err := sp.PutBytes(context.Background(), "inbound", data)
	if err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithCancel(context.Background())
	r, err := sp.OpenContext(rctx, f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Read(make([]byte, 20)); err != nil {
		t.Fatal(err)
	}
	rcancel()
	if _, err := io.ReadAll(r); !errors.Is(err, context.Canceled) {
		t.Fatalf("read with a cancelled context: %v; want context.Canceled", err)
	}
}

// TestCollect: unreferenced blobs older than the grace period go, with
// their chunks; referenced ones and young ones stay; a row cannot refer
// to a collected blob.
func TestCollect(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	sp, st := pgSpool(t, 8, clock)
	ctx := context.Background()
	put := func(s string) File {
		t.Helper()
		f, err := sp.PutBytes(ctx, "inbound", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	in, dup, out, orphan := put("ISA*inbound file~"), put("ISA*inbound file~"), put("ISA*999 answer~"), put("ISA*never recorded~")
	if _, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a.x12", SHA256: in.SHA256, Size: in.Size, SpoolPath: in.Path}); err != nil {
		t.Fatal(err)
	}
	// The same content again: not recorded twice, so its blob stays
	// unreferenced.
	if _, created, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a-again.x12", SHA256: dup.SHA256, Size: dup.Size, SpoolPath: dup.Path}); err != nil || created {
		t.Fatalf("duplicate recorded: created=%v, %v", created, err)
	}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		_, _, err := tx.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: "acme", Kind: store.Kind999, Name: "999-a.x12", SHA256: out.SHA256, Size: out.Size, SpoolPath: out.Path})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A rolled-back reference leaves the blob unreferenced.
	rolledBack := put("ISA*277CA of a rolled back file~")
	boom := errors.New("rollback")
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if _, _, err := tx.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: "acme", Kind: store.Kind999, Name: "999-b.x12", SHA256: rolledBack.SHA256, Size: rolledBack.Size, SpoolPath: rolledBack.Path}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n, err := sp.Collect(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("Collect within the grace period = %d, %v; want 0", n, err)
	}
	advance(2 * time.Hour)
	young := put("ISA*just written~")
	if n, err := sp.Collect(ctx, time.Hour); err != nil || n != 3 {
		t.Fatalf("Collect = %d, %v; want 3 (the duplicate, the orphan, the rolled-back)", n, err)
	}
	for _, f := range []File{in, out, young} {
		r, err := sp.Open(f.Path)
		if err != nil {
			t.Fatalf("%s collected: %v", f.Path, err)
		}
		r.Close()
	}
	for _, f := range []File{dup, orphan, rolledBack} {
		if _, err := sp.Open(f.Path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s not collected: %v", f.Path, err)
		}
	}
	wantChunks := 0
	for _, f := range []File{in, out, young} {
		wantChunks += int((f.Size + 7) / 8)
	}
	if n := countRows(t, st, "spool_chunks"); n != wantChunks {
		t.Fatalf("%d chunk rows left; want %d (those of the kept blobs)", n, wantChunks)
	}
	_, _, err = st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "late.x12", SHA256: orphan.SHA256, Size: orphan.Size, SpoolPath: orphan.Path})
	if !errors.Is(err, store.ErrSpoolBlobMissing) {
		t.Fatalf("recording a collected blob: %v; want ErrSpoolBlobMissing", err)
	}
	if rows, _ := st.ListInbound(ctx, store.ListOpts{Limit: 10}); len(rows) != 1 {
		t.Fatalf("%d inbound rows; want 1 (the failed record rolled back)", len(rows))
	}
	if _, err := sp.Collect(ctx, -time.Second); err == nil {
		t.Fatal("negative grace accepted")
	}
}

// TestBackends: the default backend follows the store; postgres needs a
// PostgreSQL store; a dir spool on PostgreSQL still reads blobs.
func TestBackends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	lite := dbtest.OpenSQLite(t)
	sp, err := NewConfig(Config{Dir: dir, Store: lite})
	if err != nil || sp.Backend() != BackendDir {
		t.Fatalf("SQLite default: %v, %v", sp, err)
	}
	if n, err := sp.Collect(context.Background(), 0); n != 0 || err != nil {
		t.Fatalf("Collect on a dir spool = %d, %v", n, err)
	}
	if _, err := NewConfig(Config{Dir: dir, Store: lite, Backend: BackendPostgres}); err == nil {
		t.Fatal("postgres backend on SQLite accepted")
	}
	if _, err := NewConfig(Config{Dir: dir, Backend: "s3"}); err == nil {
		t.Fatal("unknown backend accepted")
	}
	pgSp, st := pgSpool(t, 8, nil)
	if _, err := os.Stat(pgSp.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the postgres backend made its directory: %v", err)
	}
	ctx := context.Background()
	blob, err := pgSp.PutBytes(ctx, "inbound", []byte("ISA*in the database~"))
	if err != nil {
		t.Fatal(err)
	}
	dirSp, err := NewConfig(Config{Dir: dir, Store: st, Backend: BackendDir})
	if err != nil || dirSp.Backend() != BackendDir {
		t.Fatalf("dir on PostgreSQL: %v", err)
	}
	file, err := dirSp.PutBytes(ctx, "inbound", []byte("ISA*on disk~"))
	if err != nil || !strings.HasPrefix(file.Path, dir) {
		t.Fatalf("dir backend wrote %q, %v", file.Path, err)
	}
	for _, c := range []struct {
		sp   *Spool
		f    File
		want string
	}{{dirSp, blob, "ISA*in the database~"}, {dirSp, file, "ISA*on disk~"}} {
		r, err := c.sp.Open(c.f.Path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(got) != c.want {
			t.Fatalf("%s: %q, %v", c.f.Path, got, err)
		}
	}
}
