package pipelinetest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvScenario is the environment variable that tells a re-executed test
// binary which scenario to run; Scenario reads it.
const EnvScenario = "PIPELINETEST_SCENARIO"

// haltPrefix starts the line Halt prints.
const haltPrefix = "PIPELINETEST-HALT "

// waitLimit bounds how long WaitHalt waits for a child that hangs before
// its crash point. It is a guard against a stuck test, not an assertion.
const waitLimit = 2 * time.Minute

// Scenario returns the scenario this process was started for by
// StartChild, or "" in an ordinary test run.
func Scenario() string { return os.Getenv(EnvScenario) }

// Env returns the value of the environment variable key, which StartChild
// set for the child; it panics when it is missing, since the child cannot
// run without it.
func Env(key string) string {
	v, ok := os.LookupEnv(key)
	if !ok {
		panic("pipelinetest: child started without " + key)
	}
	return v
}

// Halt is called by a child at its crash point: it prints the marker line
// WaitHalt waits for and blocks forever, until the parent kills the
// process.
func Halt(point string) {
	fmt.Fprintf(os.Stdout, "%s%s\n", haltPrefix, point)
	_ = os.Stdout.Sync()
	select {}
}

// HaltAtEOF returns a reader that passes r through and calls Halt(point)
// when r is exhausted, instead of returning io.EOF: the consumer has
// received (and, for a file copy, written) every byte but never sees the
// end.
func HaltAtEOF(r io.Reader, point string) io.Reader { return &haltReader{r: r, point: point} }

type haltReader struct {
	r     io.Reader
	point string
}

func (h *haltReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if errors.Is(err, io.EOF) {
		if n > 0 {
			return n, nil
		}
		Halt(h.point)
	}
	return n, err
}

// Child is a copy of the test binary re-executed to run one scenario.
type Child struct {
	cmd    *exec.Cmd
	halted chan string   // halt points, as printed
	exited chan struct{} // closed when stdout ends
	mu     sync.Mutex
	out    bytes.Buffer // stdout and stderr, for failure messages
	killed bool
}

// StartChild re-executes the running test binary so that it runs only the
// test function named test, with EnvScenario = scenario and env added to
// the environment. The child is killed when t ends, if it still runs.
func StartChild(t testing.TB, test, scenario string, env map[string]string) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), EnvScenario+"="+scenario)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &Child{cmd: cmd, halted: make(chan string, 1), exited: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = (*lockedWriter)(c)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	t.Cleanup(func() { c.kill() })
	go func() {
		defer close(c.exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if point, ok := strings.CutPrefix(line, haltPrefix); ok {
				c.halted <- point
				continue
			}
			c.mu.Lock()
			c.out.WriteString(line + "\n")
			c.mu.Unlock()
		}
	}()
	return c
}

// WaitHalt waits until the child halts at point. It fails the test if the
// child exits or halts elsewhere first, showing the child's output.
func (c *Child) WaitHalt(t testing.TB, point string) {
	t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	select {
	case got := <-c.halted:
		if got != point {
			c.kill()
			t.Fatalf("child halted at %q, want %q\n%s", got, point, c.output())
		}
	case <-c.exited:
		c.mu.Lock()
		c.killed = true // nothing left to kill
		c.mu.Unlock()
		err := c.cmd.Wait()
		t.Fatalf("child exited before halting at %q (%v):\n%s", point, err, c.output())
	case <-timer.C:
		c.kill()
		t.Fatalf("child did not halt at %q within %v:\n%s", point, waitLimit, c.output())
	}
}

// Kill kills the child with SIGKILL, so that nothing in it runs any more
// (no deferred calls, no Close), and waits for it to exit.
func (c *Child) Kill(t testing.TB) {
	t.Helper()
	if err := c.kill(); err != nil {
		t.Fatalf("kill child: %v", err)
	}
}

func (c *Child) kill() error {
	c.mu.Lock()
	if c.killed {
		c.mu.Unlock()
		return nil
	}
	c.killed = true
	c.mu.Unlock()
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-c.exited
	err := c.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) || err == nil {
		return nil // killed (or already ended)
	}
	return err
}

func (c *Child) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// lockedWriter appends the child's stderr to its output buffer.
type lockedWriter Child

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}
