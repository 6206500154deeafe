// Package schedule runs the engine's periodic jobs (inbox polls, delivery
// retries, the nightly report, roster refreshes) on robfig/cron schedules.
// Specs are standard five-field cron expressions or descriptors
// ("@every 5m"), optionally prefixed "CRON_TZ=America/Chicago " (the
// binary imports time/tzdata, so zones work without system zoneinfo).
//
// A job never overlaps itself: a run still going when its next tick comes
// makes that tick skip. Stop waits for running jobs to finish; the context
// jobs receive is cancelled when Stop's own context ends, so a job can
// abandon its work safely (every stage is restartable).
//
//	s := schedule.New(logger)
//	s.Add("poll", "@every 5m", engine.Cycle)
//	s.Start()
//	defer s.Stop(shutdownCtx)
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one unit of scheduled work.
type Job func(ctx context.Context) error

// Scheduler runs jobs on cron schedules.
type Scheduler struct {
	logger *slog.Logger
	cron   *cron.Cron
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	running map[string]bool
	entries map[string]cron.EntryID
	runs    map[string]int
	stopped bool
	wg      sync.WaitGroup
}

// New returns a Scheduler whose schedules without CRON_TZ are in UTC.
func New(logger *slog.Logger) *Scheduler {
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		logger:  logger,
		cron:    cron.New(cron.WithLocation(time.UTC)),
		ctx:     ctx,
		cancel:  cancel,
		running: map[string]bool{},
		entries: map[string]cron.EntryID{},
		runs:    map[string]int{},
	}
}

// Parse checks a schedule spec and returns it parsed.
func Parse(spec string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return s, nil
}

// Add registers job under name on spec. An empty spec disables the job.
func (s *Scheduler) Add(name, spec string, job Job) error {
	if spec == "" {
		return nil
	}
	sched, err := Parse(spec)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.entries[name]; dup {
		return fmt.Errorf("schedule: job %q added twice", name)
	}
	s.entries[name] = s.cron.Schedule(sched, cron.FuncJob(func() { s.RunNow(name, job) }))
	return nil
}

// RunNow runs job under name at once, unless a run of it is in progress
// (then it returns false and does nothing).
func (s *Scheduler) RunNow(name string, job Job) bool {
	s.mu.Lock()
	if s.running[name] || s.stopped {
		s.mu.Unlock()
		s.logger.Warn("job still running; tick skipped", slog.String("job", name))
		return false
	}
	s.running[name] = true
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.running[name] = false
		s.runs[name]++
		s.mu.Unlock()
	}()
	start := time.Now()
	err := job(s.ctx)
	attrs := []any{slog.String("job", name), slog.Duration("took", time.Since(start))}
	switch {
	case err == nil:
		s.logger.Info("job done", attrs...)
	case errors.Is(err, context.Canceled):
		s.logger.Warn("job abandoned at shutdown", attrs...)
	default:
		s.logger.Error("job failed", append(attrs, slog.String("error", err.Error()))...)
	}
	return true
}

// Runs returns how many times the named job has completed.
func (s *Scheduler) Runs(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs[name]
}

// Next returns the next scheduled time of the named job.
func (s *Scheduler) Next(name string) (time.Time, bool) {
	s.mu.Lock()
	id, ok := s.entries[name]
	s.mu.Unlock()
	if !ok {
		return time.Time{}, false
	}
	return s.cron.Entry(id).Next, true
}

// Start starts the schedules.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops the schedules and waits for running jobs. When ctx ends
// first, running jobs are told to abandon their work (their context is
// cancelled) and Stop waits for them to return. Safe to call twice.
func (s *Scheduler) Stop(ctx context.Context) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	s.mu.Unlock()
	s.cron.Stop()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.cancel()
		<-done
	}
	s.cancel()
}
