// Package corpustest locates the shared corpus of public X12 samples for
// tests. The corpus is read in place (never copied into the repository):
// $CLEARINGHOUSE_CORPUS when set, else ../shared/corpus beside the module
// root (the checkout). A test that needs it calls Dir: without the corpus
// the test is skipped, or failed when CI=true (CI always has it).
package corpustest

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvDir names the environment variable that overrides the corpus
// location (useful in git worktrees, whose ../shared is elsewhere).
const EnvDir = "CLEARINGHOUSE_CORPUS"

// Find returns the corpus directory and whether it exists.
func Find() (string, bool) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, isDir(d)
	}
	root := moduleRoot()
	if root == "" {
		return "", false
	}
	d := filepath.Join(root, "..", "shared", "corpus")
	return d, isDir(d)
}

// Dir returns the corpus directory. When it is missing the test is
// skipped, or failed under CI=true.
func Dir(t testing.TB) string {
	t.Helper()
	d, ok := Find()
	if !ok {
		Missing(t, "shared corpus not found (set "+EnvDir+" or check out ../shared/corpus)")
	}
	return d
}

// Optional returns the corpus directory and whether it is present, for
// tests that also run without it (on repository test data): under CI=true
// a missing corpus fails the test instead.
func Optional(t testing.TB) (string, bool) {
	t.Helper()
	d, ok := Find()
	if !ok && os.Getenv("CI") == "true" {
		t.Fatal("shared corpus not found (set " + EnvDir + " or check out ../shared/corpus); CI must run the corpus tests")
	}
	return d, ok
}

// Missing skips the test, or fails it when CI=true, because corpus data it
// needs is absent (msg says what).
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run the corpus tests")
	}
	t.Skip(msg)
}

// Path returns the corpus file or directory at rel (slash-separated),
// skipping or failing the test like Dir when the corpus is missing.
func Path(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(Dir(t), filepath.FromSlash(rel))
}

// Glob returns the corpus files matching pattern (relative to the corpus
// directory). No match is treated like a missing corpus.
func Glob(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(Dir(t), filepath.FromSlash(pattern)))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		Missing(t, "no corpus file matches "+pattern)
	}
	return files
}

func isDir(d string) bool {
	fi, err := os.Stat(d)
	return err == nil && fi.IsDir()
}

// moduleRoot returns the directory holding go.mod above the working
// directory (a test's working directory is its package directory).
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
