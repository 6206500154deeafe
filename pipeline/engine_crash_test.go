package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/intake"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
	"github.com/clearinghouse/clearinghouse/transport"
	"github.com/clearinghouse/clearinghouse/transport/dir"
	"github.com/clearinghouse/clearinghouse/transport/sftpserver"
)

const partner = "acme"

// Environment of the child process of TestCrashIntake.
const (
	envDB    = "PIPELINE_TEST_DB"
	envSpool = "PIPELINE_TEST_SPOOL"
	envBase  = "PIPELINE_TEST_BASE" // the partner's dir remote
)

// Crash points of the child.
const (
	haltBeforeRecord  = "before-record"  // spooled, not recorded
	haltBeforeArchive = "before-archive" // spooled and recorded, not archived
)

// newEngine wires one engine for the partner: a Poller on remote's inbox
// (archive beside it) and the outbox folder on the same remote.
func newEngine(t testing.TB, st *store.Store, sp *spool.Spool, r transport.Remote, owner string, log *slog.Logger) *pipeline.Engine {
	t.Helper()
	p, err := intake.New(r, st, sp, intake.Config{PartnerID: partner, Inbox: "inbox", Archive: "archive",
		SettleTime: time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	proc := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Logger: log})
	eng, err := pipeline.New(st, sp, proc, []pipeline.Partner{{ID: partner, Poller: p, Outbox: &outbox.Target{Remote: r, Dir: "outbox"}}},
		pipeline.Config{Owner: owner, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func newDirRemote(t testing.TB, base string) *dir.Remote {
	t.Helper()
	r, err := dir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func newSpool(t testing.TB, path string) *spool.Spool {
	t.Helper()
	sp, err := spool.New(path)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// TestHelperProcess is the child of TestCrashIntake: it runs an engine
// cycle that halts at the crash point named by the scenario, where the
// parent kills it. In an ordinary test run it does nothing.
func TestHelperProcess(t *testing.T) {
	point := pipelinetest.Scenario()
	if point == "" {
		return
	}
	ctx := context.Background()
	// The store's clock is the hook before recording: RecordInbound reads
	// it first thing, and nothing else in a poll touches the store before.
	var armed atomic.Bool
	now := func() time.Time {
		if armed.Load() && point == haltBeforeRecord {
			pipelinetest.Halt(point)
		}
		return time.Now()
	}
	st, err := store.OpenConfig(ctx, store.Config{URL: pipelinetest.Env(envDB), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	r := pipelinetest.Wrap(newDirRemote(t, pipelinetest.Env(envBase)))
	if point == haltBeforeArchive {
		r.BeforeRename = func(context.Context, string, string) { pipelinetest.Halt(point) }
	}
	eng := newEngine(t, st, newSpool(t, pipelinetest.Env(envSpool)), r, "child", slog.New(slog.DiscardHandler))
	armed.Store(true)
	res, err := eng.Cycle(ctx)
	t.Fatalf("Cycle returned (%+v, %v); want a halt at %s", res, err, point)
}

// TestCrashIntake kills an engine (SIGKILL) in the middle of taking a file,
// after spooling it but before recording it, and after recording it but
// before archiving it; a restarted engine archives the file and processes
// it exactly once.
func TestCrashIntake(t *testing.T) {
	const claims = 3
	data := pipelinetest.Synth837(t, 42, 4200, claims)
	sum := pipelinetest.SHA256(data)
	const name = "claims-42.x12"
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			for _, point := range []string{haltBeforeRecord, haltBeforeArchive} {
				t.Run(point, func(t *testing.T) {
					url := be.URL(t)
					st := dbtest.Open(t, store.Config{URL: url})
					base, spoolDir := t.TempDir(), t.TempDir()
					inbox, archive := filepath.Join(base, "inbox"), filepath.Join(base, "archive")
					pipelinetest.Drop(t, inbox, name, data)

					c := pipelinetest.StartChild(t, "TestHelperProcess", point,
						map[string]string{envDB: url, envSpool: spoolDir, envBase: base})
					c.WaitHalt(t, point)
					c.Kill(t)

					// What the crash left behind.
					if _, err := os.Stat(filepath.Join(spoolDir, "inbound", sum[:2], sum)); err != nil {
						t.Fatalf("file not in the spool after the crash: %v", err)
					}
					if got := pipelinetest.Names(t, inbox, false); !slices.Equal(got, []string{name}) {
						t.Fatalf("inbox holds %q after the crash; want the file still there", got)
					}
					rows := inboundRows(t, st)
					wantRows := map[string]int{haltBeforeRecord: 0, haltBeforeArchive: 1}[point]
					if len(rows) != wantRows {
						t.Fatalf("%d inbound rows after the crash; want %d", len(rows), wantRows)
					}

					// Restart: a normal engine on the same database, spool and inbox.
					logs := &pipelinetest.Logs{}
					eng := newEngine(t, st, newSpool(t, spoolDir), newDirRemote(t, base), "engine-2", logs.Logger())
					res, err := eng.Cycle(t.Context())
					if err != nil {
						t.Fatalf("Cycle after restart: %v", err)
					}
					if len(res.Files) != 1 || res.Files[0].State != store.InboundProcessed {
						t.Fatalf("Cycle processed %+v; want the file processed once", res.Files)
					}
					again, err := eng.Cycle(t.Context())
					if err != nil || again.Poll.Received+again.Poll.Duplicates+again.Poll.NotReady+again.Poll.Refused+again.Poll.Failed+again.Poll.Gone != 0 || len(again.Files) != 0 || len(again.Delivered) != 0 {
						t.Errorf("second Cycle = %+v, %v; want nothing left to do", again, err)
					}

					if got := pipelinetest.Names(t, inbox, true); len(got) != 0 {
						t.Errorf("inbox holds %q; want it empty", got)
					}
					if got := pipelinetest.Names(t, archive, true); !slices.Equal(got, []string{intake.ArchiveName(name, sum)}) {
						t.Errorf("archive holds %q; want the file once", got)
					}
					rows = inboundRows(t, st)
					if len(rows) != 1 {
						t.Fatalf("%d inbound rows; want 1", len(rows))
					}
					checkProcessedOnce(t, st, filepath.Join(base, "outbox"), rows[0], pipelinetest.Groups(claims))
					if n := logs.Count(slog.LevelError, ""); n != 0 {
						t.Errorf("%d error records:\n%s", n, logs.String())
					}
				})
			}
		})
	}
}

func inboundRows(t testing.TB, st *store.Store) []store.InboundFile {
	t.Helper()
	rows, err := st.ListInbound(t.Context(), store.ListOpts{PartnerID: partner, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// checkProcessedOnce checks that f was processed in one attempt, all of
// its sets accepted, and answered by one delivered 999 per group, each in
// the partner's outbox folder once.
func checkProcessedOnce(t testing.TB, st *store.Store, outboxDir string, f store.InboundFile, groups int) {
	t.Helper()
	if f.State != store.InboundProcessed || f.Attempts != 1 || f.TxRejected != 0 || f.TxAccepted != groups {
		t.Errorf("%s: state %s after %d attempts, %d sets accepted, %d rejected; want processed after 1, %d, 0",
			f.Name, f.State, f.Attempts, f.TxAccepted, f.TxRejected, groups)
	}
	out, err := st.ListOutbound(t.Context(), store.OutboundFilter{InboundFileID: f.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	delivered := pipelinetest.Names(t, outboxDir, true)
	n999 := 0
	for _, o := range out {
		if o.Kind == store.Kind999 {
			n999++
		}
		if o.State != store.OutboundDelivered || o.Attempts != 1 {
			t.Errorf("%s: %s %s after %d attempts; want delivered after 1", f.Name, o.Kind, o.State, o.Attempts)
		}
		if !slices.Contains(delivered, o.Name) {
			t.Errorf("%s: %s not in the outbox folder", f.Name, o.Name)
		}
	}
	if n999 != groups {
		t.Errorf("%s: %d 999s queued; want one per group (%d)", f.Name, n999, groups)
	}
}

// TestHostKeyMismatch points an engine at the embedded SFTP server with a
// known_hosts entry that does not match its host key: the connection is
// refused with a *knownhosts.KeyError and nothing is downloaded.
func TestHostKeyMismatch(t *testing.T) {
	first, second := pipelinetest.Synth837(t, 9, 900, 2), pipelinetest.Synth837(t, 10, 1000, 2)

	t.Run("wrong known_hosts when connecting", func(t *testing.T) {
		dirT := t.TempDir()
		root := filepath.Join(dirT, "root")
		srv := pipelinetest.StartSFTP(t, root, filepath.Join(dirT, "keys"), "")
		pipelinetest.Drop(t, filepath.Join(root, "inbox"), "claims.x12", first)
		other, err := sftpserver.GenerateKeys(filepath.Join(dirT, "other-keys"))
		if err != nil {
			t.Fatal(err)
		}
		wrong := filepath.Join(dirT, "wrong_known_hosts")
		line := sftpserver.KnownHostsLine(srv.Server.Addr(), other.HostPublicKey)
		if err := os.WriteFile(wrong, []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := transport.Open(t.Context(), "sftp://acme@"+srv.Server.Addr()+"/",
			transport.Options{KeyFile: srv.Keys.ClientKey, KnownHostsFile: wrong, MaxAttempts: 2})
		if err == nil {
			r.Close()
			t.Fatal("Open succeeded against a host key that known_hosts does not list")
		}
		var ke *knownhosts.KeyError
		if !errors.As(err, &ke) || len(ke.Want) == 0 {
			t.Fatalf("Open error %v; want a *knownhosts.KeyError naming the expected key", err)
		}
		if got := pipelinetest.Names(t, filepath.Join(root, "inbox"), true); !slices.Equal(got, []string{"claims.x12"}) {
			t.Errorf("inbox holds %q; want the file untouched", got)
		}
	})

	t.Run("host key changes under a running engine", func(t *testing.T) {
		// The engine connects to the genuine server and takes a file; then
		// a server with another host key takes over the address (a spoofed
		// host). The client's reconnect must refuse it.
		dirT := t.TempDir()
		root := filepath.Join(dirT, "root")
		inbox := filepath.Join(root, "inbox")
		srv := pipelinetest.StartSFTP(t, root, filepath.Join(dirT, "keys"), "")
		addr := srv.Server.Addr()
		st := dbtest.OpenSQLite(t)
		spoolDir := t.TempDir()
		logs := &pipelinetest.Logs{}
		eng := newEngine(t, st, newSpool(t, spoolDir), srv.Dial(t), "engine-1", logs.Logger())
		pipelinetest.Drop(t, inbox, "claims-1.x12", first)
		if res, err := eng.Cycle(t.Context()); err != nil || res.Poll.Received != 1 {
			t.Fatalf("Cycle against the genuine server = %+v, %v; want one file received", res.Poll, err)
		}
		if err := srv.Server.Close(); err != nil {
			t.Fatal(err)
		}
		pipelinetest.StartSFTP(t, root, filepath.Join(dirT, "spoofed-keys"), addr)
		pipelinetest.Drop(t, inbox, "claims-2.x12", second)

		_, err := eng.Cycle(t.Context())
		var ke *knownhosts.KeyError
		if !errors.As(err, &ke) || len(ke.Want) == 0 {
			t.Fatalf("Cycle error %v; want a *knownhosts.KeyError", err)
		}
		if got := pipelinetest.Names(t, inbox, true); !slices.Equal(got, []string{"claims-2.x12"}) {
			t.Errorf("inbox holds %q; want claims-2.x12 untouched", got)
		}
		if rows := inboundRows(t, st); len(rows) != 1 || rows[0].Name != "claims-1.x12" {
			t.Errorf("inbound rows %+v; want only the file taken before the switch", rows)
		}
		sum := pipelinetest.SHA256(second)
		if _, err := os.Stat(filepath.Join(spoolDir, "inbound", sum[:2], sum)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("claims-2.x12 is in the spool (%v); want nothing downloaded from the spoofed host", err)
		}
	})
}

// TestTwoEngines runs two engines, each with its own Store (connection
// pool) on one database and its own Poller on one inbox, cycling
// concurrently while files are dropped: every file is processed exactly
// once and answered by one 999 per group.
func TestTwoEngines(t *testing.T) {
	const files, claims = 12, 3
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			url := be.URL(t)
			base, spoolDir := t.TempDir(), t.TempDir()
			inbox := filepath.Join(base, "inbox")
			if err := os.MkdirAll(inbox, 0o755); err != nil {
				t.Fatal(err)
			}
			type engine struct {
				st   *store.Store
				eng  *pipeline.Engine
				logs *pipelinetest.Logs
			}
			var engines []engine
			for i := range 2 {
				st := dbtest.Open(t, store.Config{URL: url})
				logs := &pipelinetest.Logs{}
				// Every engine sees one spool (a shared volume across hosts):
				// whichever engine claims a file reads it from there.
				eng := newEngine(t, st, newSpool(t, spoolDir), newDirRemote(t, base), fmt.Sprintf("engine-%d", i+1), logs.Logger())
				engines = append(engines, engine{st, eng, logs})
			}
			st := engines[0].st

			ctx, stop := context.WithCancel(t.Context())
			defer stop()
			var wg sync.WaitGroup
			var mu sync.Mutex
			var received, processed int
			perEngine := make([]int, len(engines))
			var cycleErrs []error
			for i, e := range engines {
				wg.Go(func() {
					for ctx.Err() == nil {
						res, err := e.eng.Cycle(ctx)
						mu.Lock()
						received += res.Poll.Received
						processed += len(res.Files)
						perEngine[i] += len(res.Files)
						if err != nil && ctx.Err() == nil {
							cycleErrs = append(cycleErrs, err)
						}
						mu.Unlock()
						time.Sleep(time.Millisecond)
					}
				})
			}
			for i := range files {
				name := fmt.Sprintf("claims-%02d.x12", i)
				pipelinetest.Drop(t, inbox, name, pipelinetest.Synth837(t, int64(100+i), 5000+i, claims))
				time.Sleep(2 * time.Millisecond)
			}
			waitDone(t, st, files)
			stop()
			wg.Wait()

			t.Logf("files processed per engine: %v", perEngine)
			for _, err := range cycleErrs {
				t.Errorf("Cycle: %v", err)
			}
			if received != files || processed != files {
				t.Errorf("engines received %d and processed %d files; want %d each", received, processed, files)
			}
			rows := inboundRows(t, st)
			byName := map[string]int{}
			for _, r := range rows {
				byName[r.Name]++
				checkProcessedOnce(t, st, filepath.Join(base, "outbox"), r, pipelinetest.Groups(claims))
			}
			for i := range files {
				if name := fmt.Sprintf("claims-%02d.x12", i); byName[name] != 1 {
					t.Errorf("%s has %d inbound rows; want 1", name, byName[name])
				}
			}
			if len(rows) != files {
				t.Errorf("%d inbound rows; want %d", len(rows), files)
			}
			out, err := st.ListOutbound(t.Context(), store.OutboundFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range out {
				names = append(names, o.Name)
			}
			slices.Sort(names)
			if got := pipelinetest.Names(t, filepath.Join(base, "outbox"), true); !slices.Equal(got, names) {
				t.Errorf("outbox folder holds %q; want exactly the queued files %q", got, names)
			}
			if got := pipelinetest.Names(t, inbox, true); len(got) != 0 {
				t.Errorf("inbox holds %q; want it empty", got)
			}
			if got := pipelinetest.Names(t, filepath.Join(base, "archive"), true); len(got) != files {
				t.Errorf("archive holds %d files; want %d", len(got), files)
			}
			for i, e := range engines {
				if n := e.logs.Count(slog.LevelError, ""); n != 0 {
					t.Errorf("engine %d logged %d errors:\n%s", i+1, n, e.logs.String())
				}
			}
		})
	}
}

// waitDone waits (bounded) until files inbound files are finished and
// every outbound file is delivered.
func waitDone(t testing.TB, st *store.Store, files int) {
	t.Helper()
	limit := time.Now().Add(time.Minute)
	for {
		rows := inboundRows(t, st)
		finished := 0
		for _, r := range rows {
			if r.State != store.InboundReceived && r.State != store.InboundProcessing {
				finished++
			}
		}
		out, err := st.ListOutbound(t.Context(), store.OutboundFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		undelivered := 0
		for _, o := range out {
			if o.State != store.OutboundDelivered {
				undelivered++
			}
		}
		if finished == files && len(out) > 0 && undelivered == 0 {
			return
		}
		if time.Now().After(limit) {
			t.Fatalf("after a minute %d of %d files finished, %d of %d outbound files undelivered", finished, files, undelivered, len(out))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
