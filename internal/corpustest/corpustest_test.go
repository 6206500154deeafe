package corpustest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDir, dir)
	if d, ok := Find(); d != dir || !ok {
		t.Errorf("Find() = %q, %v; want %q, true", d, ok, dir)
	}
	t.Setenv(EnvDir, filepath.Join(dir, "absent"))
	if _, ok := Find(); ok {
		t.Error("Find() found a missing directory")
	}
}

// Under CI=true a missing corpus fails the test instead of skipping it.
func TestMissingFailsUnderCI(t *testing.T) {
	if os.Getenv("CORPUSTEST_CHILD") == "1" {
		Dir(t)
		return
	}
	for _, ci := range []string{"true", ""} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestMissingFailsUnderCI$", "-test.v")
		cmd.Env = append(os.Environ(), "CORPUSTEST_CHILD=1", "CI="+ci, EnvDir+"="+filepath.Join(t.TempDir(), "absent"))
		out, err := cmd.CombinedOutput()
		switch {
		case ci == "true" && (err == nil || !strings.Contains(string(out), "--- FAIL")):
			t.Errorf("CI=true: missing corpus did not fail the test: %v\n%s", err, out)
		case ci == "" && (err != nil || !strings.Contains(string(out), "--- SKIP")):
			t.Errorf("CI unset: missing corpus did not skip the test: %v\n%s", err, out)
		}
	}
}
