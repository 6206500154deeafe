package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestSQLiteFileModes: the SQLite database and its -wal/-shm files hold
// PHI and are readable by their owner only, also when an earlier version
// left them open to other users.
func TestSQLiteFileModes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "clearinghouse.db")
	check := func(when string) {
		t.Helper()
		for _, n := range []string{db, db + "-wal", db + "-shm"} {
			fi, err := os.Stat(n)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if m := fi.Mode().Perm(); m&0o077 != 0 {
				t.Errorf("%s: %s mode %o; want no group or other access", when, filepath.Base(n), m)
			}
		}
	}
	ctx := context.Background()
	for _, url := range []string{"sqlite:" + db, "file:" + db} {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		check("new database " + url)
		for _, n := range []string{db, db + "-wal", db + "-shm"} {
			if err := os.Chmod(n, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		s, err = store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		check("reopened " + url)
		s.Close()
	}
}
