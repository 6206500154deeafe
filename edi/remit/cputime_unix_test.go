//go:build unix

package remit

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) the process has used, so a
// benchmark can report throughput per CPU second, which other processes
// competing for the cores do not distort the way they distort wall time.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
