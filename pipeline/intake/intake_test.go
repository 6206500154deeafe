package intake_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/intake"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
	"github.com/clearinghouse/clearinghouse/transport"
	"github.com/clearinghouse/clearinghouse/transport/dir"
)

const partner = "acme"

// bundle is one engine's view of a partner inbox: a store, a spool and a
// hookable Remote over base (the inbox is base/inbox, the archive
// base/archive).
type bundle struct {
	st     *store.Store
	sp     *spool.Spool
	base   string
	remote *pipelinetest.Remote
	logs   *pipelinetest.Logs
	clock  *pipelinetest.Clock
}

func (b *bundle) inbox() string   { return filepath.Join(b.base, "inbox") }
func (b *bundle) archive() string { return filepath.Join(b.base, "archive") }

// newBundle opens a Remote over base (a dir remote unless r is given) for
// the store st and a spool in a new temp dir.
func newBundle(t *testing.T, st *store.Store, base string, r transport.Remote) *bundle {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(base, "inbox"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r == nil {
		d, err := dir.New(base)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		r = d
	}
	sp, err := spool.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{st: st, sp: sp, base: base, remote: pipelinetest.Wrap(r), logs: &pipelinetest.Logs{},
		clock: pipelinetest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))}
}

// poller returns a Poller on b with cfg's partner, folders, logger and
// clock filled in where unset.
func (b *bundle) poller(t *testing.T, cfg intake.Config) *intake.Poller {
	t.Helper()
	cfg.PartnerID, cfg.Inbox, cfg.Archive = partner, "inbox", "archive"
	cfg.Logger = b.logs.Logger()
	if cfg.Now == nil {
		cfg.Now = b.clock.Now
	}
	p, err := intake.New(b.remote, b.st, b.sp, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func runOnce(t *testing.T, p *intake.Poller) intake.Result {
	t.Helper()
	res, err := p.RunOnce(t.Context())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return res
}

func inboundRows(t *testing.T, st *store.Store) []store.InboundFile {
	t.Helper()
	rows, err := st.ListInbound(t.Context(), store.ListOpts{PartnerID: partner, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var duplicateTests = []struct {
	name string
	// drops are the files dropped before each poll: name → content key.
	drops []map[string]string
	// wantArchive is the number of files in the archive at the end.
	wantArchive int
}{
	{
		name:        "same name after the first was archived",
		drops:       []map[string]string{{"claims.x12": "A"}, {"claims.x12": "A"}},
		wantArchive: 1, // both copies get the same archive name; the second replaces the first
	},
	{
		name:        "same content under another name",
		drops:       []map[string]string{{"claims.x12": "A"}, {"resend.x12": "A"}},
		wantArchive: 2,
	},
	{
		name:        "same content twice in one poll",
		drops:       []map[string]string{{"a.x12": "A", "b.x12": "A"}},
		wantArchive: 2,
	},
}

// TestDuplicateDrop drops the same content twice: one inbound row, the
// second copy recognised as a duplicate, archived, and never claimable for
// processing.
func TestDuplicateDrop(t *testing.T) {
	contents := map[string][]byte{"A": pipelinetest.Synth837(t, 1, 101, 2)}
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			for _, tt := range duplicateTests {
				t.Run(tt.name, func(t *testing.T) {
					st := dbtest.Open(t, store.Config{URL: be.URL(t)})
					b := newBundle(t, st, t.TempDir(), nil)
					p := b.poller(t, intake.Config{})
					var received, dups int
					for _, drop := range tt.drops {
						for name, key := range drop {
							pipelinetest.Drop(t, b.inbox(), name, contents[key])
						}
						res := runOnce(t, p)
						if res.Failed != 0 || res.NotReady != 0 || res.Refused != 0 {
							t.Fatalf("poll result %+v: want no failed, not ready or refused files", res)
						}
						received += len(res.Received)
						dups += len(res.Duplicates)
					}
					if received != 1 || dups != 1 {
						t.Errorf("received %d, duplicates %d; want 1 and 1", received, dups)
					}
					if got := pipelinetest.Names(t, b.inbox(), true); len(got) != 0 {
						t.Errorf("inbox still holds %q; want every copy archived", got)
					}
					archived := pipelinetest.Names(t, b.archive(), true)
					if len(archived) != tt.wantArchive {
						t.Errorf("archive holds %q; want %d files", archived, tt.wantArchive)
					}
					for _, name := range archived {
						if got := readFile(t, filepath.Join(b.archive(), name)); !bytes.Equal(got, contents["A"]) {
							t.Errorf("archived %s differs from the dropped content", name)
						}
					}
					rows := inboundRows(t, st)
					if len(rows) != 1 {
						t.Fatalf("%d inbound rows; want 1", len(rows))
					}
					if rows[0].SHA256 != pipelinetest.SHA256(contents["A"]) || rows[0].State != store.InboundReceived {
						t.Errorf("row %+v: want the content's digest, state received", rows[0])
					}
					// Processing claims work by row: the duplicate is never a
					// second unit of work.
					f, err := st.ClaimInbound(t.Context(), "worker", time.Minute)
					if err != nil || f.ID != rows[0].ID {
						t.Fatalf("ClaimInbound = %v, %v; want row %d", f, err, rows[0].ID)
					}
					if f, err := st.ClaimInbound(t.Context(), "worker", time.Minute); !errors.Is(err, store.ErrNoWork) {
						t.Errorf("second ClaimInbound = %+v, %v; want ErrNoWork", f, err)
					}
					audit, err := st.ListAudit(t.Context(), store.AuditFilter{Action: "intake.duplicate"})
					if err != nil || len(audit) != 1 {
						t.Errorf("intake.duplicate audit entries %d (%v); want 1", len(audit), err)
					}
				})
			}
		})
	}
}

// pollWant is the expected outcome of one RunOnce.
type pollWant struct {
	at       time.Duration // clock, relative to the files' modification time
	received []string      // names recorded by this poll
	notReady int
}

var stabilityTests = []struct {
	name   string
	minAge time.Duration
	files  []string // dropped before the first poll, modified at t0
	// change runs before the n-th List call (from 1) of the Poller.
	change func(t *testing.T, inbox string, n int)
	polls  []pollWant
}{
	{
		name:  "size changes between the two listings of one poll",
		files: []string{"a.x12"},
		change: func(t *testing.T, inbox string, n int) {
			if n == 2 {
				appendTo(t, filepath.Join(inbox, "a.x12"), "more")
			}
		},
		polls: []pollWant{{notReady: 1}, {received: []string{"a.x12"}}},
	},
	{
		name:  "modification time changes between the two listings, same size",
		files: []string{"a.x12"},
		change: func(t *testing.T, inbox string, n int) {
			if n == 2 {
				touch(t, filepath.Join(inbox, "a.x12"), t0.Add(time.Second))
			}
		},
		polls: []pollWant{{notReady: 1}, {received: []string{"a.x12"}}},
	},
	{
		name:  "grows across polls",
		files: []string{"a.x12"},
		change: func(t *testing.T, inbox string, n int) {
			if n <= 6 { // every listing of the first three polls
				appendTo(t, filepath.Join(inbox, "a.x12"), "more")
			}
		},
		polls: []pollWant{{notReady: 1}, {notReady: 1}, {notReady: 1}, {received: []string{"a.x12"}}},
	},
	{
		// a.x12 is stable but too young in the first poll. In the second
		// the new file b.x12 forces a second listing, and a.x12 grows in
		// between: it matched the first poll's listing, but is being
		// written again and must wait.
		name:   "stable in an earlier poll, grows during the settle pause",
		minAge: 10 * time.Minute,
		files:  []string{"a.x12"},
		change: func(t *testing.T, inbox string, n int) {
			switch n {
			case 3:
				pipelinetest.Drop(t, inbox, "b.x12", []byte("ISA b"))
				touch(t, filepath.Join(inbox, "b.x12"), t0)
			case 4:
				appendTo(t, filepath.Join(inbox, "a.x12"), "more")
				touch(t, filepath.Join(inbox, "a.x12"), t0)
			}
		},
		polls: []pollWant{
			{at: 5 * time.Minute, notReady: 1},
			{at: time.Hour, received: []string{"b.x12"}, notReady: 1},
			{at: 2 * time.Hour, received: []string{"a.x12"}},
		},
	},
	{
		name:   "younger than MinAge",
		minAge: 10 * time.Minute,
		files:  []string{"a.x12", "b.x12"},
		polls: []pollWant{
			{at: 10*time.Minute - time.Second, notReady: 2},
			{at: 10 * time.Minute, received: []string{"a.x12", "b.x12"}},
		},
	},
}

// t0 is the modification time of the files the stability tests drop.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func touch(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// TestStability checks that a file still being written (size or time
// changing between listings, within one poll or across polls) or younger
// than MinAge is not taken, and that it is taken, complete, once stable.
func TestStability(t *testing.T) {
	for _, tt := range stabilityTests {
		t.Run(tt.name, func(t *testing.T) {
			st := dbtest.OpenSQLite(t)
			b := newBundle(t, st, t.TempDir(), nil)
			for _, name := range tt.files {
				pipelinetest.Drop(t, b.inbox(), name, []byte("ISA "+name))
				touch(t, filepath.Join(b.inbox(), name), t0)
			}
			if tt.change != nil {
				b.remote.BeforeList = func(_ context.Context, _ string, n int) { tt.change(t, b.inbox(), n) }
			}
			p := b.poller(t, intake.Config{SettleTime: time.Millisecond, MinAge: tt.minAge})
			total := 0
			for i, want := range tt.polls {
				b.clock.Set(t0.Add(want.at))
				res := runOnce(t, p)
				var got []string
				for _, r := range res.Received {
					got = append(got, r.Name)
					// What was recorded is the file as it is now, complete.
					content := readFile(t, filepath.Join(b.archive(), intake.ArchiveName(r.Name, r.SHA256)))
					if pipelinetest.SHA256(content) != r.SHA256 || int64(len(content)) != r.Size {
						t.Errorf("poll %d: %s recorded with size %d, archived with %d bytes", i+1, r.Name, r.Size, len(content))
					}
				}
				total += len(got)
				slices.Sort(got)
				if !slices.Equal(got, want.received) || res.NotReady != want.notReady || res.Failed != 0 {
					t.Fatalf("poll %d: received %q, not ready %d, failed %d; want %q, %d, 0",
						i+1, got, res.NotReady, res.Failed, want.received, want.notReady)
				}
			}
			if got := pipelinetest.Names(t, b.inbox(), false); len(got) != 0 {
				t.Errorf("inbox holds %q at the end; want every file taken", got)
			}
			if rows := inboundRows(t, st); len(rows) != total {
				t.Errorf("%d inbound rows; want one per file received (%d)", len(rows), total)
			}
		})
	}
}

// unsafeNames are refused by transport.CleanName but can exist on disk.
// Each carries a synthetic member ID that must never reach the logs.
var unsafeNames = []struct{ name, why string }{
	{"ctl-\x01-SYN000123456.x12", "control character"},
	{"nl-\n-SYN000123457.x12", "newline (forged log line)"},
	{"esc-\x1b[31m-SYN000123458.x12", "terminal escape"},
	{"back\\slash-SYN000123459.x12", "backslash"},
	{"utf8-\xff-SYN000123460.x12", "invalid UTF-8"},
	{"SYN000123461-" + strings.Repeat("L", 233) + ".x12", "longer than MaxNameLen"},
}

// TestUnsafeNames drops files whose names CleanName refuses straight into
// the backing folder of a dir and an SFTP remote: they are refused, left in
// place, counted on every poll, logged and audited once, without the name.
func TestUnsafeNames(t *testing.T) {
	if n := len(unsafeNames[len(unsafeNames)-1].name); n <= transport.MaxNameLen || n > 255 {
		t.Fatalf("long name has %d bytes; want just over MaxNameLen", n)
	}
	for _, kind := range []string{"dir", "sftp"} {
		t.Run(kind, func(t *testing.T) {
			st := dbtest.OpenSQLite(t)
			var b *bundle
			if kind == "sftp" {
				srv := pipelinetest.NewSFTP(t)
				b = newBundle(t, st, srv.Root, srv.Dial(t))
			} else {
				b = newBundle(t, st, t.TempDir(), nil)
			}
			for _, u := range unsafeNames {
				if err := os.WriteFile(filepath.Join(b.inbox(), u.name), []byte("ISA"), 0o644); err != nil {
					t.Fatalf("create %s: %v", u.why, err)
				}
			}
			good := []byte("ISA good")
			pipelinetest.Drop(t, b.inbox(), "good.x12", good)
			p := b.poller(t, intake.Config{})
			for poll := 1; poll <= 2; poll++ {
				res := runOnce(t, p)
				if res.Refused != len(unsafeNames) || res.Failed != 0 {
					t.Errorf("poll %d: refused %d, failed %d; want %d, 0", poll, res.Refused, res.Failed, len(unsafeNames))
				}
				if wantGood := 2 - poll; len(res.Received) != wantGood {
					t.Errorf("poll %d: received %d; want %d (good.x12 is not held up)", poll, len(res.Received), wantGood)
				}
			}
			left := pipelinetest.Names(t, b.inbox(), true)
			for _, u := range unsafeNames {
				if !slices.Contains(left, u.name) {
					t.Errorf("%s: file was moved; want it left in the inbox", u.why)
				}
			}
			if rows := inboundRows(t, st); len(rows) != 1 || rows[0].Name != "good.x12" {
				t.Errorf("inbound rows %+v; want only good.x12", rows)
			}
			logs := b.logs.String()
			if strings.Contains(logs, "SYN0001234") {
				t.Errorf("a refused name reached the logs:\n%s", logs)
			}
			if n := b.logs.Count(slog.LevelWarn, "refusing unsafe remote file name"); n != len(unsafeNames) {
				t.Errorf("%d refusal warnings over two polls; want one per name (%d)", n, len(unsafeNames))
			}
			if n := b.logs.Count(slog.LevelError, ""); n != 0 {
				t.Errorf("%d error records:\n%s", n, logs)
			}
			audit, err := st.ListAudit(t.Context(), store.AuditFilter{Action: "intake.refused"})
			if err != nil {
				t.Fatal(err)
			}
			if len(audit) != len(unsafeNames) {
				t.Errorf("%d intake.refused audit entries; want %d", len(audit), len(unsafeNames))
			}
			for _, a := range audit {
				if strings.Contains(a.Detail, "SYN0001234") {
					t.Errorf("audit detail %q holds the refused name", a.Detail)
				}
			}
		})
	}
}

var archiveNameTests = []struct {
	name, file string
	want       string // "" = check only length and validity
}{
	{name: "short name kept whole", file: "claims.x12", want: "0123456789ab-claims.x12"},
	{name: "longest ASCII name cut to MaxNameLen", file: strings.Repeat("a", transport.MaxNameLen)},
	{name: "longest UTF-8 name cut at a rune boundary", file: "x" + strings.Repeat("é", (transport.MaxNameLen-1)/2)},
}

func TestArchiveName(t *testing.T) {
	sum := "0123456789abcdef" + strings.Repeat("0", 48)
	for _, tt := range archiveNameTests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := transport.CleanName(tt.file); err != nil {
				t.Fatalf("test name refused: %v", err)
			}
			got := intake.ArchiveName(tt.file, sum)
			if tt.want != "" && got != tt.want {
				t.Errorf("ArchiveName = %q; want %q", got, tt.want)
			}
			if _, err := transport.CleanName(got); err != nil {
				t.Errorf("ArchiveName = %q, refused by CleanName: %v", got, err)
			}
			if !strings.HasPrefix(got, "0123456789ab-") || !utf8.ValidString(got) || got != intake.ArchiveName(tt.file, sum) {
				t.Errorf("ArchiveName = %q; want the digest prefix, valid UTF-8, stable", got)
			}
		})
	}
}

// TestLongNameArchived polls a file whose name is as long as CleanName
// allows: the digest prefix must not push its archive name past the file
// system's limit, or it would be downloaded again on every poll.
func TestLongNameArchived(t *testing.T) {
	st := dbtest.OpenSQLite(t)
	b := newBundle(t, st, t.TempDir(), nil)
	name := "x" + strings.Repeat("é", (transport.MaxNameLen-1)/2)
	data := []byte("ISA long")
	pipelinetest.Drop(t, b.inbox(), name, data)
	p := b.poller(t, intake.Config{})
	for poll := 1; poll <= 2; poll++ {
		res := runOnce(t, p)
		if len(res.Received)+len(res.Duplicates) != 2-poll {
			t.Errorf("poll %d: received %d, duplicates %d; want the file taken once, in the first poll",
				poll, len(res.Received), len(res.Duplicates))
		}
	}
	if got := pipelinetest.Names(t, b.inbox(), true); len(got) != 0 {
		t.Errorf("inbox still holds the file; want it archived")
	}
	want := intake.ArchiveName(name, pipelinetest.SHA256(data))
	if got := pipelinetest.Names(t, b.archive(), true); !slices.Equal(got, []string{want}) {
		t.Errorf("archive holds %q; want %q", got, want)
	}
}

// racePair is two engines polling one inbox: two Stores on one database
// (separate connection pools) and two Remotes on one directory.
func racePair(t *testing.T, url string) (a, b *bundle) {
	t.Helper()
	base := t.TempDir()
	a = newBundle(t, dbtest.Open(t, store.Config{URL: url}), base, nil)
	b = newBundle(t, dbtest.Open(t, store.Config{URL: url}), base, nil)
	return a, b
}

// TestRenameRace runs two Pollers on one inbox, each with its own store
// on one database: every file is recorded once and archived once, and the
// engine that loses a race reports no error.
func TestRenameRace(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Run("loser finds the file gone when it opens it", func(t *testing.T) {
				a, b := racePair(t, be.URL(t))
				data := []byte("ISA race-open")
				pipelinetest.Drop(t, a.inbox(), "x.x12", data)
				aDone := make(chan struct{})
				bListed := make(chan struct{})
				b.remote.BeforeOpen = func(context.Context, string) { close(bListed); <-aDone }
				bRes := make(chan intake.Result, 1)
				pb := b.poller(t, intake.Config{})
				go func() {
					res, err := pb.RunOnce(t.Context())
					if err != nil {
						t.Errorf("loser RunOnce: %v", err)
					}
					bRes <- res
				}()
				<-bListed // b has listed the file and is about to open it
				ra := runOnce(t, a.poller(t, intake.Config{}))
				close(aDone)
				rb := <-bRes
				if len(ra.Received) != 1 {
					t.Errorf("winner received %d; want 1", len(ra.Received))
				}
				if rb.Gone != 1 || rb.Failed != 0 || len(rb.Received)+len(rb.Duplicates) != 0 {
					t.Errorf("loser result %+v; want the file counted gone, not failed", rb)
				}
				checkRace(t, a, b, map[string][]byte{"x.x12": data})
			})
			t.Run("loser finds the file gone when it archives it", func(t *testing.T) {
				a, b := racePair(t, be.URL(t))
				data := []byte("ISA race-archive")
				pipelinetest.Drop(t, a.inbox(), "x.x12", data)
				aDone := make(chan struct{})
				bRes := make(chan intake.Result, 1)
				bRecorded := make(chan struct{})
				b.remote.BeforeRename = func(context.Context, string, string) { close(bRecorded); <-aDone }
				pb := b.poller(t, intake.Config{})
				go func() {
					res, err := pb.RunOnce(t.Context())
					if err != nil {
						t.Errorf("loser RunOnce: %v", err)
					}
					bRes <- res
				}()
				<-bRecorded // b has spooled and recorded the file
				ra := runOnce(t, a.poller(t, intake.Config{}))
				close(aDone)
				rb := <-bRes
				if len(rb.Received) != 1 || len(ra.Duplicates) != 1 || ra.Failed+rb.Failed != 0 {
					t.Errorf("results %+v and %+v; want b to record it and a to find it recorded", rb, ra)
				}
				checkRace(t, a, b, map[string][]byte{"x.x12": data})
			})
			t.Run("concurrent polls", func(t *testing.T) {
				a, b := racePair(t, be.URL(t))
				files := map[string][]byte{}
				for i := range 16 {
					name := "f" + string(rune('a'+i)) + ".x12"
					files[name] = []byte("ISA " + name)
					pipelinetest.Drop(t, a.inbox(), name, files[name])
				}
				pa, pb := a.poller(t, intake.Config{}), b.poller(t, intake.Config{})
				received := 0
				for round := 0; len(pipelinetest.Names(t, a.inbox(), false)) > 0; round++ {
					if round == 10 {
						t.Fatalf("inbox not empty after %d rounds", round)
					}
					var wg sync.WaitGroup
					results := make([]intake.Result, 2)
					start := make(chan struct{})
					for i, p := range []*intake.Poller{pa, pb} {
						wg.Go(func() {
							<-start
							res, err := p.RunOnce(t.Context())
							if err != nil {
								t.Errorf("RunOnce: %v", err)
							}
							results[i] = res
						})
					}
					close(start)
					wg.Wait()
					for _, r := range results {
						if r.Failed != 0 {
							t.Errorf("round %d: result %+v has failures", round, r)
						}
						received += len(r.Received)
					}
				}
				if received != len(files) {
					t.Errorf("%d files received in all; want %d", received, len(files))
				}
				checkRace(t, a, b, files)
			})
		})
	}
}

// checkRace checks the end state of a race: one row per file, each file
// archived once with its content, an empty inbox and no errors logged.
func checkRace(t *testing.T, a, b *bundle, files map[string][]byte) {
	t.Helper()
	rows := inboundRows(t, a.st)
	byName := map[string]int{}
	for _, r := range rows {
		byName[r.Name]++
	}
	var want []string
	for name, data := range files {
		if byName[name] != 1 {
			t.Errorf("%s has %d inbound rows; want 1", name, byName[name])
		}
		want = append(want, intake.ArchiveName(name, pipelinetest.SHA256(data)))
	}
	if len(rows) != len(files) {
		t.Errorf("%d inbound rows; want %d", len(rows), len(files))
	}
	slices.Sort(want)
	if got := pipelinetest.Names(t, a.archive(), true); !slices.Equal(got, want) {
		t.Errorf("archive holds %q; want %q", got, want)
	}
	if got := pipelinetest.Names(t, a.inbox(), true); len(got) != 0 {
		t.Errorf("inbox holds %q; want it empty", got)
	}
	for _, x := range []*bundle{a, b} {
		if n := x.logs.Count(slog.LevelError, ""); n != 0 {
			t.Errorf("%d error records:\n%s", n, x.logs.String())
		}
	}
}

var newConfigTests = []struct {
	name string
	cfg  intake.Config
	ok   bool
}{
	{name: "partner only", cfg: intake.Config{PartnerID: partner}, ok: true},
	{name: "missing partner", cfg: intake.Config{}},
	{name: "negative MinAge", cfg: intake.Config{PartnerID: partner, MinAge: -time.Second}},
	{name: "negative SettleTime", cfg: intake.Config{PartnerID: partner, SettleTime: -time.Second}},
}

func TestNewConfig(t *testing.T) {
	for _, tt := range newConfigTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := intake.New(nil, nil, nil, tt.cfg)
			if (err == nil) != tt.ok {
				t.Errorf("New error %v; want ok=%v", err, tt.ok)
			}
		})
	}
}
