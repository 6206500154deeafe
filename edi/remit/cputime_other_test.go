//go:build !unix

package remit

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
