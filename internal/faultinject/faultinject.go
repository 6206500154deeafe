// Package faultinject kills the process at named points of the pipeline,
// for the fault-injection tests that run the real binary as a child
// process. It does nothing unless the environment variable
// CLEARINGHOUSE_FAULT names a point:
//
//	CLEARINGHOUSE_FAULT=forward.committed     SIGKILL at the first hit
//	CLEARINGHOUSE_FAULT=process.set@3         SIGKILL at the third hit
//
// The kill is a real SIGKILL of the process itself: no deferred function,
// no buffered write and no open transaction survives it, exactly as when
// an operator (or the OOM killer) kills the engine.
//
// Points (each named where the code calls Hit):
//
//	intake.spooled      a polled file is in the spool, not yet recorded
//	intake.recorded     recorded in the store, not yet archived on the remote
//	process.set         a transaction set's claims are written (file transaction open)
//	process.settled     a file's results are written, before its commit
//	process.committed   a file's results are committed
//	forward.spooled     an outbound 837 is in the spool, not yet queued
//	forward.committed   an outbound 837 is queued and its claims marked forwarded
//	outbox.put          a file is on the partner's server, not yet marked delivered
package faultinject

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Env is the environment variable that arms a fault point.
const Env = "CLEARINGHOUSE_FAULT"

var (
	once  sync.Once
	point string
	nth   int
	mu    sync.Mutex
	hits  int
)

func load() {
	v := os.Getenv(Env)
	if v == "" {
		return
	}
	point, nth = v, 1
	if i := strings.LastIndexByte(v, '@'); i > 0 {
		if n, err := strconv.Atoi(v[i+1:]); err == nil && n > 0 {
			point, nth = v[:i], n
		}
	}
}

// Armed reports whether a fault point is configured at all.
func Armed() bool {
	once.Do(load)
	return point != ""
}

// Hit kills the process with SIGKILL when name is the armed point and this
// is its armed hit; otherwise it returns at once.
func Hit(name string) {
	once.Do(load)
	if point == "" || name != point {
		return
	}
	mu.Lock()
	hits++
	n := hits
	mu.Unlock()
	if n != nth {
		return
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is delivered asynchronously; never go on
}
