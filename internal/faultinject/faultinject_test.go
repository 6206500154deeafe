package faultinject

import (
	"os"
	"os/exec"
	"testing"
)

// TestHitKills runs this test binary as a child with a point armed for its
// second hit and checks that the child dies of SIGKILL there, not before.
func TestHitKills(t *testing.T) {
	if os.Getenv("FAULTINJECT_CHILD") == "1" {
		Hit("other")
		Hit("p")
		os.Stdout.WriteString("first hit survived\n")
		Hit("p")
		os.Stdout.WriteString("second hit survived\n")
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHitKills$")
	cmd.Env = append(os.Environ(), "FAULTINJECT_CHILD=1", Env+"=p@2")
	out, err := cmd.Output()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != -1 {
		t.Fatalf("child: err %v, output %q; want death by signal", err, out)
	}
	if string(out) != "first hit survived\n" {
		t.Fatalf("child output %q; want it killed at the second hit only", out)
	}
}

func TestUnarmedDoesNothing(t *testing.T) {
	if Armed() && os.Getenv(Env) == "" {
		t.Fatal("armed without the environment variable")
	}
	Hit("intake.spooled") // must return
}
