package store

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func openTestSQLite(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "stmt.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// TestStatementCache checks which statements are prepared once and kept:
// a query run outside a transaction in the Store's cache, inside one in
// the transaction's; a query with many arguments in neither; a migration
// empties the Store's cache.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	s := openTestSQLite(t)
	const q = `SELECT COUNT(*) FROM claims WHERE state = ?`
	for range 3 {
		var n int
		if err := s.get(ctx, &n, q, "accepted"); err != nil || n != 0 {
			t.Fatalf("get = %d, %v", n, err)
		}
	}
	if _, ok := s.stmts.m[q]; !ok || s.stmts.len() != 1 {
		t.Fatalf("store cache holds %d statements, want the one query", s.stmts.len())
	}

	err := s.InTx(ctx, func(tx *Tx) error {
		for range 3 {
			var n int
			if err := tx.get(ctx, &n, q, "rejected"); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE claims SET notes = ? WHERE id = ?`, "", 0); err != nil {
			return err
		}
		if tx.stmts.len() != 2 {
			t.Errorf("transaction cache holds %d statements, want 2", tx.stmts.len())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// An IN list longer than maxStmtArgs runs unprepared.
	args := make([]any, maxStmtArgs+1)
	for i := range args {
		args[i] = int64(i)
	}
	long := `SELECT COUNT(*) FROM claims WHERE id IN (?` + strings.Repeat(`, ?`, len(args)-1) + `)`
	var n int
	if err := s.get(ctx, &n, long, args...); err != nil || n != 0 {
		t.Fatalf("long IN list: %d, %v", n, err)
	}
	if _, ok := s.stmts.m[long]; ok {
		t.Error("a query with many arguments was cached")
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if s.stmts.len() != 0 {
		t.Errorf("after Migrate the cache holds %d statements, want 0", s.stmts.len())
	}
	if err := s.get(ctx, &n, q, "accepted"); err != nil {
		t.Fatalf("get after Migrate: %v", err)
	}
}

// TestStatementCacheFull runs unprepared once the cache is full.
func TestStatementCacheFull(t *testing.T) {
	ctx := context.Background()
	s := openTestSQLite(t)
	for i := range maxCachedStmts + 5 {
		var n int
		// Distinct texts (a different alias each) fill the cache.
		if err := s.get(ctx, &n, `SELECT COUNT(*) AS c`+strings.Repeat("x", i)+` FROM claims WHERE id > ?`, 0); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.stmts.len(); got != maxCachedStmts {
		t.Fatalf("cache holds %d statements, want the cap %d", got, maxCachedStmts)
	}
}

// TestStatementCacheConcurrent shares the Store's statements between
// goroutines (run with -race).
func TestStatementCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openTestSQLite(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				var n int
				if err := s.get(ctx, &n, `SELECT COUNT(*) FROM claims WHERE id > ?`, g*i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if s.stmts.len() != 1 {
		t.Errorf("cache holds %d statements, want 1", s.stmts.len())
	}
}
