package schedule

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, spec := range []string{"@every 5m", "0 18 * * *", "CRON_TZ=America/Chicago 0 6,12,18 * * *"} {
		if _, err := Parse(spec); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
	}
	for _, spec := range []string{"* * *", "CRON_TZ=Nowhere/Atlantis 0 18 * * *", "@sometimes"} {
		if _, err := Parse(spec); err == nil {
			t.Errorf("%q: want error", spec)
		}
	}
}

func TestNightlyInZone(t *testing.T) {
	s, err := Parse("CRON_TZ=America/Chicago 0 18 * * *")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-11-23 12:00 UTC is 06:00 in Chicago (CST, UTC-6): next run is
	// 18:00 CST = 2026-11-24 00:00 UTC.
	next := s.Next(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("next = %s, want %s", next.UTC(), want)
	}
}

func TestNoOverlapAndStopWaits(t *testing.T) {
	s := New(nil)
	release := make(chan struct{})
	var started atomic.Int32
	job := func(ctx context.Context) error {
		started.Add(1)
		<-release
		return nil
	}
	go s.RunNow("slow", job)
	for started.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if s.RunNow("slow", job) {
		t.Fatal("second run while the first is in progress")
	}
	close(release)
	for s.Runs("slow") == 0 {
		time.Sleep(time.Millisecond)
	}
	s.Stop(context.Background())
	s.Stop(context.Background()) // twice is safe
	if s.RunNow("slow", job) {
		t.Fatal("ran after Stop")
	}
}

func TestStopCancelsRunningJob(t *testing.T) {
	s := New(nil)
	if err := s.Add("loop", "@every 1h", func(ctx context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("loop", "@every 1h", nil); err == nil {
		t.Fatal("duplicate job name accepted")
	}
	if _, ok := s.Next("loop"); !ok {
		t.Fatal("no next time")
	}
	s.Start()
	gotCancel := make(chan error, 1)
	go s.RunNow("blocking", func(ctx context.Context) error {
		<-ctx.Done()
		gotCancel <- ctx.Err()
		return ctx.Err()
	})
	for {
		s.mu.Lock()
		r := s.running["blocking"]
		s.mu.Unlock()
		if r {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Stop(ctx)
	if err := <-gotCancel; !errors.Is(err, context.Canceled) {
		t.Fatalf("job ctx err = %v", err)
	}
}
