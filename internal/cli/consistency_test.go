package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestRosterImportJSONKeys: roster import --json uses snake_case keys like
// every other JSON of the CLI.
func TestRosterImportJSONKeys(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "--data-dir", dir, "roster", "import", "--json", "../../testdata/roster/alliance-members.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"import_id", "sha256", "format", "records", "added", "errors"} {
		if _, ok := doc.Result[k]; !ok {
			t.Errorf("no %q in %v", k, doc.Result)
		}
	}
	for k := range doc.Result {
		if k != strings.ToLower(k) {
			t.Errorf("key %q is not snake_case", k)
		}
	}
	if doc.Result["added"].(float64) == 0 {
		t.Errorf("nothing added: %v", doc.Result)
	}
}

// TestTranslatePrettyIndent: --pretty is exactly the compact document
// indented by two spaces per level.
func TestTranslatePrettyIndent(t *testing.T) {
	for _, f := range []string{"acme-837i-20261120-01.x12", "acme-837p-20261120-01.x12"} {
		code, compact, errOut := run(t, "translate", demo+f)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		code, pretty, _ := run(t, "translate", "--pretty", demo+f)
		if code != 0 {
			t.Fatalf("--pretty exit %d", code)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(strings.TrimSuffix(compact, "\n")), "", "  "); err != nil {
			t.Fatalf("compact output is not JSON: %v", err)
		}
		if want.String()+"\n" != pretty {
			wl, pl := strings.Split(want.String(), "\n"), strings.Split(pretty, "\n")
			for i := range min(len(wl), len(pl)) {
				if wl[i] != pl[i] {
					t.Fatalf("%s: line %d is %q, want %q", f, i+1, pl[i], wl[i])
				}
			}
			t.Fatalf("%s: %d lines, want %d", f, len(pl), len(wl))
		}
	}
}

// processInto processes files into a fresh data dir and returns it.
func processInto(t *testing.T, files ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "var")
	code, _, errOut := run(t, append([]string{"--data-dir", dir, "process"}, files...)...)
	if code != 0 && code != 1 {
		t.Fatalf("process: exit %d: %s", code, errOut)
	}
	return dir
}

// TestFileJSONSummaryAndLease: file --json embeds the summary as JSON, and
// file shows the lease of a file being processed (text and JSON).
func TestFileJSONSummaryAndLease(t *testing.T) {
	dir := processInto(t, demo+"acme-837p-20261120-01.x12")
	code, out, errOut := run(t, "--data-dir", dir, "file", "--json", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		File struct {
			State   string          `json:"state"`
			Summary json.RawMessage `json:"summary"`
		} `json:"file"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var summary map[string]any
	if err := json.Unmarshal(doc.File.Summary, &summary); err != nil || len(summary) == 0 {
		t.Fatalf("summary is not a JSON object: %s (%v)", doc.File.Summary, err)
	}
	if code, out, _ := run(t, "--data-dir", dir, "file", "1"); code != 0 || strings.Contains(out, "leased") {
		t.Errorf("processed file shows a lease:\n%s", out)
	}

	// A file taken by another engine, in the middle of processing.
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "clearinghouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "local", Name: "big.x12", RemotePath: "/in/big.x12",
		SHA256: strings.Repeat("ab", 32), Size: 10, SpoolPath: "/nonexistent"})
	if err != nil {
		t.Fatal(err)
	}
	leased, err := st.ClaimInboundID(ctx, rec.ID, "engine-b-4711", 10*time.Minute)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(rec.ID, 10)
	code, out, errOut = run(t, "--data-dir", dir, "file", id)
	until := leased.LeaseUntil.Format("2006-01-02 15:04:05 MST")
	if code != 0 || !strings.Contains(out, "leased by  engine-b-4711 until "+until) {
		t.Errorf("exit %d, lease not shown (want until %s):\n%s%s", code, until, out, errOut)
	}
	code, out, _ = run(t, "--data-dir", dir, "file", "--json", id)
	var lj struct {
		File struct {
			State      string     `json:"state"`
			LeaseOwner string     `json:"lease_owner"`
			LeaseUntil *time.Time `json:"lease_until"`
		} `json:"file"`
	}
	if err := json.Unmarshal([]byte(out), &lj); err != nil {
		t.Fatal(err)
	}
	if code != 0 || lj.File.State != "processing" || lj.File.LeaseOwner != "engine-b-4711" || lj.File.LeaseUntil == nil || !lj.File.LeaseUntil.Equal(*leased.LeaseUntil) {
		t.Errorf("JSON lease: %+v", lj.File)
	}
}

// TestClaimsPaging: claims says when it stops at --limit and pages with
// --after; a bad --state is a usage error naming the valid ones.
func TestClaimsPaging(t *testing.T) {
	dir := processInto(t, demo+"acme-837p-20261120-01.x12", demo+"acme-837i-20261120-01.x12") // 24 + 8 claims
	code, out, errOut := run(t, "--data-dir", dir, "claims", "--limit", "10")
	if code != 0 || !strings.Contains(out, "more: --after ") {
		t.Fatalf("exit %d, no paging hint:\n%s%s", code, out, errOut)
	}
	seen := map[string]bool{}
	after, pages := "0", 0
	for {
		code, out, errOut := run(t, "--data-dir", dir, "claims", "--json", "--limit", "10", "--after", after)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var page struct {
			Claims []struct {
				Control string `json:"claim_control_number"`
			} `json:"claims"`
			More      bool   `json:"more"`
			NextAfter *int64 `json:"next_after"`
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range page.Claims {
			if seen[c.Control] {
				t.Fatalf("claim %s on two pages", c.Control)
			}
			seen[c.Control] = true
		}
		if !page.More {
			if page.NextAfter != nil {
				t.Errorf("last page with next_after %d", *page.NextAfter)
			}
			break
		}
		if page.NextAfter == nil || len(page.Claims) != 10 || pages > 10 {
			t.Fatalf("page %d: %+v", pages, page)
		}
		after = strconv.FormatInt(*page.NextAfter, 10)
	}
	if len(seen) != 32 || pages != 4 {
		t.Errorf("%d claims on %d pages, want 32 on 4", len(seen), pages)
	}
	// Exactly one page: no hint.
	if code, out, _ := run(t, "--data-dir", dir, "claims", "--limit", "32"); code != 0 || strings.Contains(out, "more:") {
		t.Errorf("exit %d, hint on the last page:\n%s", code, out)
	}
	code, _, errOut = run(t, "--data-dir", dir, "claims", "--state", "bogus")
	if code != 2 || !strings.Contains(errOut, "accepted") || !strings.Contains(errOut, "forwarded") {
		t.Errorf("--state bogus: exit %d: %s", code, errOut)
	}
	for _, l := range []string{"0", "1001"} {
		if code, _, _ := run(t, "--data-dir", dir, "claims", "--limit", l); code != 2 {
			t.Errorf("--limit %s: exit %d", l, code)
		}
	}
	if code, out, _ := run(t, "--data-dir", dir, "claims", "--state", "accepted", "--limit", "1000"); code != 0 || strings.Count(out, "\nCH") != 32 {
		t.Errorf("--state accepted: exit %d\n%s", code, out)
	}
}

// TestRepriceUsesConfig: with no --schedules/--contracts, reprice reads
// the configuration's repricing.schedules_dir and contracts, wherever it
// runs from.
func TestRepriceUsesConfig(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(root, "testdata/demo/acme-837p-20261120-01.x12")
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfg, []byte("repricing:\n  source: files\n  schedules_dir: "+filepath.Join(root, "testdata/schedules")+
		"\n  contracts: "+filepath.Join(root, "testdata/schedules/contracts.yaml")+"\n"), 0o600)
	t.Chdir(t.TempDir()) // no testdata/ here
	if code, _, _ := run(t, "reprice", in); code != 2 {
		t.Errorf("no config, no testdata/: exit %d, want 2", code)
	}
	if code, out, errOut := run(t, "--config", cfg, "reprice", in); code != 0 || !strings.Contains(out, "lesser_of_fee") {
		t.Errorf("with config: exit %d\n%s%s", code, out, errOut)
	}
}

// TestProcessOutDefault: process writes its outputs under <data-dir>/out,
// never into the working directory.
func TestProcessOutDefault(t *testing.T) {
	abs, _ := filepath.Abs(demo + "acme-837p-20261120-01.x12")
	data := filepath.Join(t.TempDir(), "var")
	cwd := t.TempDir()
	t.Chdir(cwd)
	if code, _, errOut := run(t, "--data-dir", data, "process", abs); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(cwd, "out")); !os.IsNotExist(err) {
		t.Errorf("out/ created in the working directory (%v)", err)
	}
	acks, _ := filepath.Glob(filepath.Join(data, "out", "local", "999-*"))
	if len(acks) != 1 {
		t.Errorf("999 under <data-dir>/out/local: %v", acks)
	}
}

// TestVersion: --version prints the build's version.
func TestVersion(t *testing.T) {
	code, out, _ := run(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "clearinghouse ") || len(strings.TrimSpace(out)) <= len("clearinghouse") {
		t.Fatalf("exit %d: %q", code, out)
	}
	old := version
	version = "v9.8.7-test"
	defer func() { version = old }()
	if got := Version(); got != "v9.8.7-test" {
		t.Errorf("Version() = %q with -ldflags -X", got)
	}
}

// TestMakeCleanDemo: make clean removes the work dirs the demo leaves in
// $TMPDIR, and nothing else.
func TestMakeCleanDemo(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	code, out, errOut := run(t, "demo", "--seed", "../../testdata/demo", "--schedules", "../../testdata/schedules",
		"--roster", "../../testdata/roster/alliance-members.csv")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut)
	}
	demoDirs, _ := filepath.Glob(filepath.Join(tmp, "clearinghouse-demo-*"))
	if len(demoDirs) != 1 || !strings.Contains(out, demoDirs[0]) {
		t.Fatalf("demo work dirs %v", demoDirs)
	}
	// Not ours: a look-alike name without the demo's content, and another dir.
	keep := []string{filepath.Join(tmp, "clearinghouse-demo-other"), filepath.Join(tmp, "unrelated")}
	for _, d := range keep {
		os.MkdirAll(filepath.Join(d, "x"), 0o700)
	}
	cmd := exec.Command("make", "-s", "clean-demo")
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make clean-demo: %v\n%s", err, b)
	}
	if _, err := os.Stat(demoDirs[0]); !os.IsNotExist(err) {
		t.Errorf("demo work dir left: %v", err)
	}
	for _, d := range keep {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("removed %s: %v", d, err)
		}
	}
}

// writeRecorder records the largest single Write.
type writeRecorder struct {
	bytes.Buffer
	max, writes int
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.writes++
	w.max = max(w.max, len(p))
	return w.Buffer.Write(p)
}

// TestProcessJSONStreams: process --json writes its document as it goes
// (no single write holds more than a buffer's worth, whatever the number of
// claims), and the bytes are still the documented indented document.
func TestProcessJSONStreams(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "big.x12")
	if code, _, errOut := run(t, "gen", "--type", "837P", "--claims", "3000", "--seed", "11", "--out", in); code != 0 {
		t.Fatalf("gen: %s", errOut)
	}
	var out writeRecorder
	var errb bytes.Buffer
	code := Main(context.Background(), []string{"--log-level", "error", "--data-dir", filepath.Join(dir, "var"), "process", "--json", in}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if out.Len() < 1<<20 || out.max > 64<<10 {
		t.Errorf("%d bytes in %d writes, largest %d: not streamed", out.Len(), out.writes, out.max)
	}
	var doc struct {
		Files []struct {
			Claims []struct {
				CLM01 string `json:"clm01"`
			} `json:"claims"`
		} `json:"files"`
		Duplicates []any    `json:"duplicate_files"`
		Delivered  []string `json:"delivered"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Files) != 1 || len(doc.Files[0].Claims) != 3000 || doc.Duplicates == nil || len(doc.Delivered) == 0 {
		t.Fatalf("files %d, claims %d, duplicates %v, delivered %d", len(doc.Files), len(doc.Files[0].Claims), doc.Duplicates, len(doc.Delivered))
	}
	// The same bytes as indenting the compact document: the contract's layout.
	var compact, indented bytes.Buffer
	if err := json.Compact(&compact, out.Bytes()); err != nil {
		t.Fatal(err)
	}
	json.Indent(&indented, compact.Bytes(), "", "  ")
	if indented.String()+"\n" != out.String() {
		t.Error("streamed document is not laid out as json.Encoder.SetIndent(\"\", \"  \") would")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "var", ".process-results-*")); len(left) != 0 {
		t.Errorf("results spool left behind: %v", left)
	}
}
