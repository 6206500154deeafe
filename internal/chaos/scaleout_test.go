package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestScaleOut is issue #11's scale-out without a shared filesystem: three
// engines with data dirs of their own (three hosts) and one PostgreSQL
// database process the same inbox concurrently, round after round, then
// one of them until quiet. Every file, claim and outbound file must be
// there exactly once (the chaos invariants), no engine may have put a
// spooled byte on its own disk, and every row's content must be a blob in
// the database that any engine reads (each delivered what others
// received). `spool gc` then leaves exactly the referenced blobs.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	w := makeWorkload(t, shortSpec)
	e := newEnv(t, postgres, w)
	e.hosts = true
	for r := 1; r <= len(w.rounds); r++ {
		e.drop(r)
		for _, res := range e.concurrentCycles(3, nil) {
			if res.code != 0 && res.code != 1 {
				t.Fatalf("concurrent cycle ended badly:\n%s", res)
			}
		}
	}
	e.settle(quietWait)
	verify(t, e, nil)

	for i := 1; i <= 3; i++ {
		dir := e.dataDir(fmt.Sprintf("chaos-%d", i))
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("engine %d never ran with its own data dir: %v", i, err)
		}
		err := filepath.WalkDir(filepath.Join(dir, "spool"), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			if !d.IsDir() {
				t.Errorf("spooled bytes on engine %d's disk: %s", i, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	r := e.run(runOpts{}, "spool", "gc", "--grace", "0s", "--json")
	if r.code != 0 {
		t.Fatalf("spool gc:\n%s", r)
	}
	var gc struct {
		Backend string `json:"backend"`
		Removed int64  `json:"removed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &gc); err != nil || gc.Backend != "postgres" {
		t.Fatalf("spool gc --json: %+v, %v\n%s", gc, err, r)
	}
	t.Logf("spool gc removed %d unreferenced blob(s) (downloads lost to another engine, rolled-back answers)", gc.Removed)

	ctx := context.Background()
	st, err := store.Open(ctx, e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.DB()
	var refs []string
	if err := db.Select(&refs, `SELECT spool_path FROM inbound_files UNION ALL SELECT spool_path FROM outbound_files`); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, ref := range refs {
		id, ok := store.ParseSpoolBlobRef(ref)
		if !ok {
			t.Errorf("row spooled outside PostgreSQL: %q", ref)
			continue
		}
		if seen[id] {
			t.Errorf("blob %s referenced by two rows", ref)
		}
		seen[id] = true
	}
	var blobs []struct {
		ID         int64 `db:"id"`
		Referenced bool  `db:"referenced"`
		Complete   bool  `db:"complete"`
	}
	if err := db.Select(&blobs, `SELECT id, referenced, size IS NOT NULL AS complete FROM spool_blobs`); err != nil {
		t.Fatal(err)
	}
	for _, b := range blobs {
		if !seen[b.ID] || !b.Referenced || !b.Complete {
			t.Errorf("blob %d left after gc: referenced by a row %v, marked %v, finished %v", b.ID, seen[b.ID], b.Referenced, b.Complete)
		}
		delete(seen, b.ID)
	}
	if len(seen) > 0 {
		var missing []string
		for id := range seen {
			missing = append(missing, store.SpoolBlobRef(id))
		}
		t.Errorf("rows refer to missing blobs: %s", strings.Join(missing, " "))
	}
	t.Logf("%d rows, each with its own finished blob, none left over", len(refs))
}
