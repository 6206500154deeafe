package cli

import (
	"fmt"
	"os"
	goruntime "runtime"
	"runtime/pprof"
	"runtime/trace"
)

// profiler writes the pprof profiles asked for with --cpuprofile and
// --memprofile (heap, after a GC, when the command ends), for measuring a
// real run with `go tool pprof`, and the execution trace of --trace (`go
// tool trace`; `go tool trace -pprof=net|sync|syscall` gives where
// goroutines waited).
type profiler struct {
	cpuPath, memPath, tracePath string
	cpu, trace                  *os.File
}

func (p *profiler) start() error {
	if p.tracePath != "" {
		f, err := os.Create(p.tracePath)
		if err != nil {
			return usageError("--trace: %v", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return fmt.Errorf("--trace: %w", err)
		}
		p.trace = f
	}
	if p.cpuPath == "" {
		return nil
	}
	f, err := os.Create(p.cpuPath)
	if err != nil {
		return usageError("--cpuprofile: %v", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	p.cpu = f
	return nil
}

func (p *profiler) stop() error {
	var first error
	if p.trace != nil {
		trace.Stop()
		first = p.trace.Close()
		p.trace = nil
	}
	if p.cpu != nil {
		pprof.StopCPUProfile()
		first = p.cpu.Close()
		p.cpu = nil
	}
	if p.memPath != "" {
		f, err := os.Create(p.memPath)
		if err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		goruntime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil && first == nil {
			first = err
		}
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
