//go:build !unix

package bench

import "time"

// processCPU is not available here: no MB/cpu-s metric.
func processCPU() (time.Duration, bool) { return 0, false }
