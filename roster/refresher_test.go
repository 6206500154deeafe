package roster_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

// remoteInfo mirrors transport.FileInfo: a distinct type with the same
// fields, as AdaptRemote expects.
type remoteInfo struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// dirRemote is a transport.Remote-shaped view of a local directory, with
// injectable Rename failures.
type dirRemote struct {
	root string
	mu   sync.Mutex
	// failRename makes the next Rename of these source paths fail.
	failRename map[string]bool
}

func (d *dirRemote) List(_ context.Context, dir string) ([]remoteInfo, error) {
	entries, err := os.ReadDir(filepath.Join(d.root, dir))
	if err != nil {
		return nil, err
	}
	var out []remoteInfo
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, err
		}
		out = append(out, remoteInfo{Name: e.Name(), Size: info.Size(), ModTime: info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (d *dirRemote) Open(_ context.Context, p string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(d.root, p))
}

var errRenameInjected = errors.New("injected rename failure")

func (d *dirRemote) Rename(_ context.Context, from, to string) error {
	d.mu.Lock()
	fail := d.failRename[from]
	delete(d.failRename, from)
	d.mu.Unlock()
	if fail {
		return errRenameInjected
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Join(d.root, to)), 0o755); err != nil {
		return err
	}
	return os.Rename(filepath.Join(d.root, from), filepath.Join(d.root, to))
}

func writeFile(t *testing.T, root, name, content string) {
	t.Helper()
	p := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(root, name string) bool {
	_, err := os.Stat(filepath.Join(root, name))
	return err == nil
}

const refreshCSV = csvHeader +
	"SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,,PPO,GRP1,TPA ONE\n" +
	"SYN0000002,BETA,BELLA,1990-01-15,F,2024-01-01,,HMO,GRP2,TPA ONE\n"

func TestRefresher(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		root := t.TempDir()
		remote := &dirRemote{root: root, failRename: map[string]bool{}}
		writeFile(t, root, "in/a_roster.csv", refreshCSV)
		writeFile(t, root, "in/b_enroll.834", enroll834)
		writeFile(t, root, "in/c_bad.csv", "not,a,roster\n")
		writeFile(t, root, "in/notes.txt", "hello")

		checker, err := roster.NewChecker(st, roster.CheckerConfig{})
		if err != nil {
			t.Fatal(err)
		}
		party := roster.ClaimParty{MemberID: "SYN0000001", SubscriberLast: "ALPHA", SubscriberFirst: "ADAM", ServiceFrom: "20240610"}
		if d, err := checker.Check(ctx, party); err != nil || d.Reason != roster.ReasonMemberNotFound {
			t.Fatalf("before refresh: %+v, %v", d, err)
		}

		r, err := roster.NewRefresher(roster.AdaptRemote(remote), st, roster.RefresherConfig{
			Dir: "in", Archive: "in/archive", Checker: checker,
			CSV: roster.Opts{FullReplace: true, FileDate: "20240601"},
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Listed != 4 || res.Skipped != 1 || res.Imported != 2 || res.Duplicates != 0 || res.Failed != 1 || len(res.Files) != 3 {
			t.Fatalf("first run = %+v", res)
		}
		names := []string{}
		for _, f := range res.Files {
			names = append(names, f.Name)
		}
		if strings.Join(names, ",") != "a_roster.csv,b_enroll.834,c_bad.csv" {
			t.Fatalf("files in order %v", names)
		}
		a, b, c := res.Files[0], res.Files[1], res.Files[2]
		if !a.Archived || a.Result.Added != 2 || a.Result.Format != store.RosterCSV || !a.Result.Snapshot ||
			!exists(root, "in/archive/"+a.SHA256[:16]+"_a_roster.csv") || exists(root, "in/a_roster.csv") {
			t.Fatalf("csv file = %+v", a)
		}
		if !b.Archived || b.Result.Added != 5 || b.Result.Format != store.Roster834 || !exists(root, "in/archive/"+b.SHA256[:16]+"_b_enroll.834") {
			t.Fatalf("834 file = %+v", b)
		}
		var ce *roster.CSVError
		if c.Archived || !errors.As(c.Err, &ce) || !exists(root, "in/c_bad.csv") {
			t.Fatalf("bad file = %+v", c)
		}
		// The import purged the checker's cached "not found".
		if d, err := checker.Check(ctx, party); err != nil || !d.Eligible {
			t.Fatalf("after refresh: %+v, %v", d, err)
		}

		// The same content under another name is archived, not applied;
		// a file whose archiving fails stays and is archived next time.
		writeFile(t, root, "in/d_again.csv", refreshCSV)
		writeFile(t, root, "in/e_new.csv", csvHeader+"SYN0000003,GAMMA,CARL,1970-01-01,M,2024-01-01,,PPO,GRP1,TPA TWO\n")
		remote.failRename["in/e_new.csv"] = true
		res, err = r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 0 || res.Duplicates != 1 || res.Failed != 2 {
			// e_new.csv is imported, then fails to archive: counted failed.
			t.Fatalf("second run = %+v", res)
		}
		e := res.Files[2]
		if e.Name != "e_new.csv" || !errors.Is(e.Err, errRenameInjected) || e.Result.Added != 1 || e.Archived {
			t.Fatalf("e_new.csv = %+v", e)
		}
		res, err = r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Duplicates != 1 || res.Failed != 1 || !exists(root, "in/archive/"+e.SHA256[:16]+"_e_new.csv") || exists(root, "in/e_new.csv") {
			t.Fatalf("third run = %+v", res)
		}
		imports, err := st.ListRosterImports(ctx, 0)
		if err != nil || len(imports) != 3 {
			t.Fatalf("roster imports = %d, %v; want 3 (each content once)", len(imports), err)
		}
		if n, _ := st.CountMembers(ctx, store.MemberFilter{}); n != 8 {
			t.Fatalf("members = %d, want 8", n)
		}
	})
}

func TestRefresherMinAge(t *testing.T) {
	st := openSQLite(t)
	root := t.TempDir()
	writeFile(t, root, "a.csv", refreshCSV)
	clk := newFakeClock()
	old := clk.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(root, "a.csv"), old, old); err != nil {
		t.Fatal(err)
	}
	writeFile(t, root, "b.csv", csvHeader+"SYN0000003,GAMMA,CARL,1970-01-01,M,2024-01-01,,PPO,GRP1,TPA TWO\n")
	young := clk.Now().Add(-time.Minute)
	if err := os.Chtimes(filepath.Join(root, "b.csv"), young, young); err != nil {
		t.Fatal(err)
	}
	r, err := roster.NewRefresher(roster.AdaptRemote[remoteInfo](&dirRemote{root: root}), st,
		roster.RefresherConfig{MinAge: time.Hour, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.RunOnce(context.Background())
	if err != nil || res.Imported != 1 || res.Skipped != 1 || !exists(root, "b.csv") || exists(root, "a.csv") {
		t.Fatalf("RunOnce = %+v, %v", res, err)
	}
	clk.Advance(time.Hour)
	res, err = r.RunOnce(context.Background())
	if err != nil || res.Imported != 1 || res.Skipped != 0 || exists(root, "b.csv") {
		t.Fatalf("second RunOnce = %+v, %v", res, err)
	}
}

func TestNewRefresherValidation(t *testing.T) {
	st := openSQLite(t)
	src := roster.AdaptRemote(&dirRemote{root: t.TempDir()})
	for name, cfg := range map[string]roster.RefresherConfig{
		"archive equals dir": {Dir: "in", Archive: "in/"},
		"negative min age":   {MinAge: -time.Second},
	} {
		if _, err := roster.NewRefresher(src, st, cfg); err == nil {
			t.Errorf("%s: NewRefresher succeeded", name)
		}
	}
	if _, err := roster.NewRefresher(nil, st, roster.RefresherConfig{}); err == nil {
		t.Error("nil source accepted")
	}
}

func TestRefresherListFailure(t *testing.T) {
	r, err := roster.NewRefresher(roster.AdaptRemote(&dirRemote{root: filepath.Join(t.TempDir(), "missing")}), openSQLite(t), roster.RefresherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunOnce(context.Background()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("RunOnce err = %v, want the listing error", err)
	}
}

// TestRefresherLogsNoFileNames: roster files may be named after people;
// the logs name them by hash only, also in error text.
func TestRefresherLogsNoFileNames(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		root := t.TempDir()
		remote := &dirRemote{root: root, failRename: map[string]bool{}}
		const good, bad = "DOE_JANE_DOB19700101_roster.csv", "ROE_RICHARD_MRN123456.csv"
		writeFile(t, root, "in/"+good, refreshCSV)
		writeFile(t, root, "in/"+bad, "not,a,roster\n")
		var logs strings.Builder
		r, err := roster.NewRefresher(roster.AdaptRemote(remote), st, roster.RefresherConfig{
			Dir: "in", Archive: "in/archive", CSV: roster.Opts{FullReplace: true, FileDate: "20240601"},
			Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{good, bad, "DOE_JANE", "ROE_RICHARD"} {
			if strings.Contains(logs.String(), name) {
				t.Fatalf("logs name %q:\n%s", name, logs.String())
			}
		}
		if !strings.Contains(logs.String(), "name_hash=") {
			t.Fatalf("logs do not identify the files by hash:\n%s", logs.String())
		}
	})
}
