package remotetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

// Harness tells Run how to reach the implementation under test.
type Harness struct {
	// New returns a fresh, connected Remote whose base directory is HostDir.
	// Run closes it.
	New func(t *testing.T) xfer.Remote
	// HostDir is the local path of the Remote's base directory, used to plant
	// crash leftovers and to check what really landed on disk.
	HostDir string
}

type env struct {
	t    *testing.T
	ctx  context.Context
	r    xfer.Remote
	w    string // work dir, relative to the Remote's base
	host string // work dir on the local disk
}

type conformanceTest struct {
	name string
	run  func(e *env)
}

var conformanceTests = []conformanceTest{
	{"put_list_open", testPutListOpen},
	{"list_filters_hidden_dirs_links", testListFilters},
	{"list_missing_dir", testListMissing},
	{"open_missing", testOpenMissing},
	{"stat", testStat},
	{"put_replaces", testPutReplaces},
	{"put_invisible_until_renamed", testPutInvisible},
	{"put_after_crash", testPutAfterCrash},
	{"put_canceled", testPutCanceled},
	{"put_large", testPutLarge},
	{"rename_replaces", testRenameReplaces},
	{"rename_across_dirs", testRenameAcrossDirs},
	{"remove", testRemove},
	{"mkdirall_idempotent", testMkdirAll},
	{"unsafe_names", testUnsafeNames},
}

// Run runs the conformance suite as subtests of t. Each subtest works in its
// own directory under the base and removes it afterwards.
func Run(t *testing.T, h Harness) {
	t.Helper()
	for _, tt := range conformanceTests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.New(t)
			t.Cleanup(func() { r.Close() })
			e := &env{t: t, ctx: t.Context(), r: r, w: "ct-" + tt.name + "-" + randHex(4)}
			e.host = filepath.Join(h.HostDir, e.w)
			t.Cleanup(func() { os.RemoveAll(e.host) })
			if err := r.MkdirAll(e.ctx, e.w); err != nil {
				t.Fatalf("MkdirAll(%s): %v", e.w, err)
			}
			tt.run(e)
		})
	}
	t.Run("closed", func(t *testing.T) {
		r := h.New(t)
		if err := r.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, err := r.List(t.Context(), "."); !errors.Is(err, xfer.ErrClosed) {
			t.Errorf("List after Close = %v, want ErrClosed", err)
		}
		if err := r.Put(t.Context(), ".", "x.edi", strings.NewReader("x")); !errors.Is(err, xfer.ErrClosed) {
			t.Errorf("Put after Close = %v, want ErrClosed", err)
		}
		if err := r.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func testPutListOpen(e *env) {
	in := path.Join(e.w, "in")
	e.mkdir(in)
	files := map[string]string{
		"c.edi": "ISA*00*C~",
		"a.edi": "ISA*00*AAAA~",
		"b.edi": "ISA*00*BB~",
	}
	for _, n := range []string{"c.edi", "a.edi", "b.edi"} {
		e.put(in, n, files[n])
	}
	got, err := e.r.List(e.ctx, in)
	if err != nil {
		e.t.Fatalf("List: %v", err)
	}
	if names := names(got); !slices.Equal(names, []string{"a.edi", "b.edi", "c.edi"}) {
		e.t.Fatalf("List names = %q, want sorted a, b, c", names)
	}
	for _, fi := range got {
		if fi.Size != int64(len(files[fi.Name])) {
			e.t.Errorf("%s: Size = %d, want %d", fi.Name, fi.Size, len(files[fi.Name]))
		}
		if fi.ModTime.IsZero() {
			e.t.Errorf("%s: zero ModTime", fi.Name)
		}
		if c := e.read(path.Join(in, fi.Name)); c != files[fi.Name] {
			e.t.Errorf("Open(%s) = %q, want %q", fi.Name, c, files[fi.Name])
		}
		if c := e.hostRead("in/" + fi.Name); c != files[fi.Name] {
			e.t.Errorf("on disk %s = %q, want %q", fi.Name, c, files[fi.Name])
		}
	}
	// The base-relative form "./dir/" means the same directory.
	if got2, err := e.r.List(e.ctx, "./"+in+"/"); err != nil || len(got2) != 3 {
		e.t.Errorf("List(./%s/) = %d files, %v; want 3", in, len(got2), err)
	}
}

func testListFilters(e *env) {
	e.put(e.w, "z.edi", "z")
	e.plant(".hidden", "h")
	e.plant(xfer.TempName("y.edi"), "partial")
	if err := os.Mkdir(filepath.Join(e.host, "sub.edi"), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Symlink("z.edi", filepath.Join(e.host, "link.edi")); err != nil {
		e.t.Fatal(err)
	}
	got, err := e.r.List(e.ctx, e.w)
	if err != nil {
		e.t.Fatalf("List: %v", err)
	}
	if n := names(got); !slices.Equal(n, []string{"z.edi"}) {
		e.t.Errorf("List = %q, want only the regular visible file z.edi", n)
	}
}

func testListMissing(e *env) {
	_, err := e.r.List(e.ctx, path.Join(e.w, "nope"))
	if !errors.Is(err, fs.ErrNotExist) {
		e.t.Errorf("List(missing) = %v, want fs.ErrNotExist", err)
	}
}

func testOpenMissing(e *env) {
	rc, err := e.r.Open(e.ctx, path.Join(e.w, "nope.edi"))
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, fs.ErrNotExist) {
		e.t.Errorf("Open(missing) = %v, want fs.ErrNotExist", err)
	}
}

func testStat(e *env) {
	e.put(e.w, "s.edi", "ISA*00*STAT~")
	listed, err := e.r.List(e.ctx, e.w)
	if err != nil || len(listed) != 1 {
		e.t.Fatalf("List = %v, %v", listed, err)
	}
	fi, err := e.r.Stat(e.ctx, path.Join(e.w, "s.edi"))
	if err != nil {
		e.t.Fatalf("Stat: %v", err)
	}
	if fi.Name != "s.edi" || fi.Size != int64(len("ISA*00*STAT~")) || !fi.ModTime.Equal(listed[0].ModTime) {
		e.t.Errorf("Stat = %+v; want name s.edi, size %d, the listed time %v", fi, len("ISA*00*STAT~"), listed[0].ModTime)
	}
	if _, err := e.r.Stat(e.ctx, path.Join(e.w, "missing.edi")); !errors.Is(err, fs.ErrNotExist) {
		e.t.Errorf("Stat(missing) = %v, want fs.ErrNotExist", err)
	}
	e.mkdir(path.Join(e.w, "sub"))
	if _, err := e.r.Stat(e.ctx, path.Join(e.w, "sub")); err == nil {
		e.t.Errorf("Stat(directory) succeeded; want an error")
	}
}

func testPutReplaces(e *env) {
	e.put(e.w, "x.edi", "first version, longer")
	e.put(e.w, "x.edi", "second")
	if c := e.read(path.Join(e.w, "x.edi")); c != "second" {
		e.t.Errorf("content = %q, want second", c)
	}
	e.wantHostNames("x.edi")
}

func testPutInvisible(e *env) {
	checked := false
	src := &hookReader{chunks: []string{"ISA*first-half*", "second-half~"}, before: func(i int) {
		if i != 1 {
			return
		}
		checked = true
		if _, err := os.Lstat(filepath.Join(e.host, "x.edi")); !errors.Is(err, fs.ErrNotExist) {
			e.t.Errorf("final name visible on disk during Put: %v", err)
		}
		got, err := e.r.List(e.ctx, e.w)
		if err != nil {
			e.t.Errorf("List during Put: %v", err)
		}
		if len(got) != 0 {
			e.t.Errorf("List during Put = %q, want nothing", names(got))
		}
	}}
	if err := e.r.Put(e.ctx, e.w, "x.edi", src); err != nil {
		e.t.Fatalf("Put: %v", err)
	}
	if !checked {
		e.t.Fatal("reader hook never ran")
	}
	if c := e.read(path.Join(e.w, "x.edi")); c != "ISA*first-half*second-half~" {
		e.t.Errorf("content = %q", c)
	}
	e.wantHostNames("x.edi")
}

func testPutAfterCrash(e *env) {
	cases := []struct {
		name       string
		staleTemp  string
		staleFinal string
	}{
		{name: "partial temp, no final", staleTemp: "ISA*00*trunc"},
		{name: "full temp, no final", staleTemp: "ISA*00*new content~"},
		{name: "temp and earlier final", staleTemp: "ISA*00*ne", staleFinal: "ISA*00*old~"},
		{name: "final already renamed", staleFinal: "ISA*00*new content~"},
	}
	for i, c := range cases {
		n := fmt.Sprintf("f%d.edi", i)
		if c.staleTemp != "" {
			e.plant(xfer.TempName(n), c.staleTemp)
		}
		if c.staleFinal != "" {
			e.plant(n, c.staleFinal)
		}
		e.put(e.w, n, "ISA*00*new content~")
		if got := e.hostRead(n); got != "ISA*00*new content~" {
			e.t.Errorf("%s: final = %q", c.name, got)
		}
		if _, err := os.Lstat(filepath.Join(e.host, xfer.TempName(n))); !errors.Is(err, fs.ErrNotExist) {
			e.t.Errorf("%s: temp file left behind (%v)", c.name, err)
		}
	}
	e.wantHostNames("f0.edi", "f1.edi", "f2.edi", "f3.edi")
}

func testPutCanceled(e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	src := &hookReader{chunks: []string{"ISA*part-one*", "part-two*", "part-three~"}, before: func(i int) {
		if i == 1 {
			cancel()
		}
	}}
	err := e.r.Put(ctx, e.w, "x.edi", src)
	if !errors.Is(err, context.Canceled) {
		e.t.Fatalf("Put with canceled context = %v, want context.Canceled", err)
	}
	if _, err := os.Lstat(filepath.Join(e.host, "x.edi")); !errors.Is(err, fs.ErrNotExist) {
		e.t.Errorf("final file exists after canceled Put (%v)", err)
	}
	// The Remote stays usable.
	e.put(e.w, "y.edi", "after cancel")
	if got := e.read(path.Join(e.w, "y.edi")); got != "after cancel" {
		e.t.Errorf("Put after cancel: content %q", got)
	}
}

func testPutLarge(e *env) {
	data := make([]byte, 3<<20+17)
	rand.Read(data)
	if err := e.r.Put(e.ctx, e.w, "big.edi", bytes.NewReader(data)); err != nil {
		e.t.Fatalf("Put: %v", err)
	}
	if got := e.read(path.Join(e.w, "big.edi")); got != string(data) {
		e.t.Errorf("round trip of %d bytes returned %d different bytes", len(data), len(got))
	}
	got, err := e.r.List(e.ctx, e.w)
	if err != nil || len(got) != 1 || got[0].Size != int64(len(data)) {
		e.t.Errorf("List = %+v, %v; want one file of %d bytes", got, err, len(data))
	}
}

func testRenameReplaces(e *env) {
	a, b := path.Join(e.w, "a.edi"), path.Join(e.w, "b.edi")
	e.put(e.w, "a.edi", "from a")
	e.put(e.w, "b.edi", "old b")
	if err := e.r.Rename(e.ctx, a, b); err != nil {
		e.t.Fatalf("Rename onto existing target: %v", err)
	}
	if got := e.read(b); got != "from a" {
		e.t.Errorf("target = %q, want from a", got)
	}
	if _, err := e.r.Open(e.ctx, a); !errors.Is(err, fs.ErrNotExist) {
		e.t.Errorf("source after rename: %v, want fs.ErrNotExist", err)
	}
	e.wantHostNames("b.edi")
}

func testRenameAcrossDirs(e *env) {
	in, arch := path.Join(e.w, "inbox"), path.Join(e.w, "archive/2024")
	e.mkdir(in)
	e.mkdir(arch)
	e.put(in, "x.edi", "payload")
	if err := e.r.Rename(e.ctx, path.Join(in, "x.edi"), path.Join(arch, "x.edi")); err != nil {
		e.t.Fatalf("Rename: %v", err)
	}
	if got := e.hostRead("archive/2024/x.edi"); got != "payload" {
		e.t.Errorf("archived = %q", got)
	}
	if got, err := e.r.List(e.ctx, in); err != nil || len(got) != 0 {
		e.t.Errorf("inbox after move = %q, %v", names(got), err)
	}
	err := e.r.Rename(e.ctx, path.Join(in, "gone.edi"), path.Join(arch, "gone.edi"))
	if !errors.Is(err, fs.ErrNotExist) {
		e.t.Errorf("Rename(missing) = %v, want fs.ErrNotExist", err)
	}
}

func testRemove(e *env) {
	p := path.Join(e.w, "x.edi")
	e.put(e.w, "x.edi", "x")
	if err := e.r.Remove(e.ctx, p); err != nil {
		e.t.Fatalf("Remove: %v", err)
	}
	e.wantHostNames()
	if err := e.r.Remove(e.ctx, p); !errors.Is(err, fs.ErrNotExist) {
		e.t.Errorf("second Remove = %v, want fs.ErrNotExist", err)
	}
}

func testMkdirAll(e *env) {
	d := path.Join(e.w, "a/b/c")
	e.mkdir(d)
	e.mkdir(d)
	e.mkdir(path.Join(e.w, "a"))
	if fi, err := os.Stat(filepath.Join(e.host, "a", "b", "c")); err != nil || !fi.IsDir() {
		e.t.Errorf("a/b/c on disk: %v", err)
	}
	e.put(e.w, "file.edi", "x")
	if err := e.r.MkdirAll(e.ctx, path.Join(e.w, "file.edi")); err == nil {
		e.t.Error("MkdirAll over a file succeeded")
	}
}

func testUnsafeNames(e *env) {
	evil := "evil-" + randHex(6)
	e.put(e.w, "ok.edi", "ok")
	ops := []struct {
		name string
		op   func() error
	}{
		{"put name traversal", func() error { return e.r.Put(e.ctx, e.w, "../"+evil, strings.NewReader("x")) }},
		{"put name with slash", func() error { return e.r.Put(e.ctx, e.w, "sub/"+evil, strings.NewReader("x")) }},
		{"put dir traversal", func() error { return e.r.Put(e.ctx, "../..", evil, strings.NewReader("x")) }},
		{"put absolute dir", func() error { return e.r.Put(e.ctx, "/tmp", evil, strings.NewReader("x")) }},
		{"put hidden name", func() error { return e.r.Put(e.ctx, e.w, ".hidden", strings.NewReader("x")) }},
		{"put temp name", func() error { return e.r.Put(e.ctx, e.w, xfer.TempName("a"), strings.NewReader("x")) }},
		{"put control char", func() error { return e.r.Put(e.ctx, e.w, "a\nb", strings.NewReader("x")) }},
		{"put empty name", func() error { return e.r.Put(e.ctx, e.w, "", strings.NewReader("x")) }},
		{"open etc passwd", func() error { return open(e, "../../etc/passwd") }},
		{"open absolute", func() error { return open(e, "/etc/passwd") }},
		{"open inner traversal", func() error { return open(e, e.w+"/../../../etc/passwd") }},
		{"open backslash", func() error { return open(e, `..\..\etc\passwd`) }},
		{"list parent", func() error { _, err := e.r.List(e.ctx, ".."); return err }},
		{"list absolute", func() error { _, err := e.r.List(e.ctx, "/etc"); return err }},
		{"rename target outside", func() error { return e.r.Rename(e.ctx, path.Join(e.w, "ok.edi"), "../"+evil) }},
		{"rename source outside", func() error { return e.r.Rename(e.ctx, "../../etc/hostname", path.Join(e.w, evil)) }},
		{"remove outside", func() error { return e.r.Remove(e.ctx, "../"+evil) }},
		{"remove base", func() error { return e.r.Remove(e.ctx, ".") }},
		{"mkdir outside", func() error { return e.r.MkdirAll(e.ctx, "../"+evil) }},
	}
	for _, o := range ops {
		if err := o.op(); !errors.Is(err, xfer.ErrUnsafeName) {
			e.t.Errorf("%s: err = %v, want ErrUnsafeName", o.name, err)
		}
	}
	// Nothing was created next to or above the base.
	for _, d := range []string{filepath.Dir(e.host), filepath.Dir(filepath.Dir(e.host)), "/tmp"} {
		if _, err := os.Lstat(filepath.Join(d, evil)); !errors.Is(err, fs.ErrNotExist) {
			e.t.Errorf("%s appeared in %s", evil, d)
		}
	}
	if got := e.hostRead("ok.edi"); got != "ok" {
		e.t.Errorf("ok.edi = %q after refused rename", got)
	}
}

func open(e *env, p string) error {
	rc, err := e.r.Open(e.ctx, p)
	if err == nil {
		rc.Close()
	}
	return err
}

func (e *env) mkdir(d string) {
	e.t.Helper()
	if err := e.r.MkdirAll(e.ctx, d); err != nil {
		e.t.Fatalf("MkdirAll(%s): %v", d, err)
	}
}

func (e *env) put(dir, name, content string) {
	e.t.Helper()
	if err := e.r.Put(e.ctx, dir, name, strings.NewReader(content)); err != nil {
		e.t.Fatalf("Put(%s, %s): %v", dir, name, err)
	}
}

func (e *env) read(p string) string {
	e.t.Helper()
	rc, err := e.r.Open(e.ctx, p)
	if err != nil {
		e.t.Fatalf("Open(%s): %v", p, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		e.t.Fatalf("read %s: %v", p, err)
	}
	return string(b)
}

func (e *env) hostRead(rel string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.host, filepath.FromSlash(rel)))
	if err != nil {
		e.t.Fatalf("read on disk: %v", err)
	}
	return string(b)
}

// plant writes a file straight to disk, owned like the work directory so a
// server running as another user (OpenSSH) can overwrite it.
func (e *env) plant(name, content string) {
	e.t.Helper()
	p := filepath.Join(e.host, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	fi, err := os.Stat(e.host)
	if err != nil {
		e.t.Fatal(err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
		if err := os.Lchown(p, int(st.Uid), int(st.Gid)); err != nil {
			e.t.Fatal(err)
		}
	}
}

// wantHostNames checks the exact set of entries in the work dir on disk,
// hidden ones included.
func (e *env) wantHostNames(want ...string) {
	e.t.Helper()
	ents, err := os.ReadDir(e.host)
	if err != nil {
		e.t.Fatal(err)
	}
	var got []string
	for _, de := range ents {
		got = append(got, de.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		e.t.Errorf("on disk: %q, want %q", got, want)
	}
}

func names(fis []xfer.FileInfo) []string {
	var out []string
	for _, fi := range fis {
		out = append(out, fi.Name)
	}
	return out
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// hookReader returns its chunks one Read at a time and calls before(i)
// before returning chunk i.
type hookReader struct {
	chunks []string
	before func(i int)
	i      int
}

func (h *hookReader) Read(p []byte) (int, error) {
	if h.i >= len(h.chunks) {
		return 0, io.EOF
	}
	h.before(h.i)
	n := copy(p, h.chunks[h.i])
	h.i++
	return n, nil
}
