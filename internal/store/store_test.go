package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// testClock is a settable clock for lease tests.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2024, 3, 1, 12, 0, 0, 123456000, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// bundle is what every suite test gets: a fresh migrated store on one
// backend, driven by a test clock.
type bundle struct {
	s   *store.Store
	clk *testClock
	url string
}

// storeTest is one case of the store suite.
type storeTest struct {
	name string
	fn   func(t *testing.T, ctx context.Context, b *bundle)
}

// storeTests is the store suite; it runs against every backend.
var storeTests = []storeTest{
	{"PartnersUpsert", testPartners},
	{"RecordInboundIdempotent", testRecordInboundIdempotent},
	{"RecordInboundValidation", testRecordInboundValidation},
	{"ClaimInboundOrderAndNoWork", testClaimInboundOrder},
	{"InboundLeaseExpiry", testInboundLeaseExpiry},
	{"FinishInboundResult", testFinishInboundResult},
	{"ResetInbound", testResetInbound},
	{"ListInbound", testListInbound},
	{"EnqueueOutboundIdempotent", testEnqueueOutboundIdempotent},
	{"OutboundDeliveryCycle", testOutboundDeliveryCycle},
	{"OutboundLeaseExpiry", testOutboundLeaseExpiry},
	{"OutboundFIFO", testOutboundFIFO},
	{"ReleaseOutboundLeases", testReleaseOutboundLeases},
	{"ListOutbound", testListOutbound},
	{"ControlNumbersSequence", testControlNumbersSequence},
	{"ControlNumbersWrap", testControlNumbersWrap},
	{"ControlNumbersConcurrent", testControlNumbersConcurrent},
	{"ControlNumberRollback", testControlNumberRollback},
	{"InterchangeRecorders", testInterchangeRecorders},
	{"InsertAndGetClaim", testInsertAndGetClaim},
	{"ClaimConflictAndValidation", testClaimConflict},
	{"ClaimLookups", testClaimLookups},
	{"ListClaims", testListClaims},
	{"ClaimStateAndRepricing", testClaimStateAndRepricing},
	{"InTxAtomicity", testInTxAtomicity},
	{"Audit", testAudit},
	{"TimesAreUTC", testTimesAreUTC},
}

// runStoreSuite runs every storeTest, each on its own fresh database made
// by open.
func runStoreSuite(t *testing.T, open func(t *testing.T) *bundle) {
	for _, tc := range storeTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, context.Background(), open(t))
		})
	}
}

func TestStore(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			runStoreSuite(t, func(t *testing.T) *bundle {
				clk := newTestClock()
				url := be.URL(t)
				s := dbtest.Open(t, store.Config{URL: url, Now: clk.Now})
				if s.Dialect() != be.Name {
					t.Fatalf("Dialect() = %q, want %q", s.Dialect(), be.Name)
				}
				return &bundle{s: s, clk: clk, url: url}
			})
		})
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func record(t *testing.T, ctx context.Context, s *store.Store, partner, content string) *store.InboundFile {
	t.Helper()
	f, _, err := s.RecordInbound(ctx, store.InboundFile{
		PartnerID: partner, Name: "in_" + sum(content)[:8] + ".x12", RemotePath: "/inbox/" + content,
		SHA256: sum(content), Size: int64(len(content)), SpoolPath: "/spool/" + sum(content),
	})
	if err != nil {
		t.Fatalf("RecordInbound: %v", err)
	}
	return f
}

func enqueue(t *testing.T, ctx context.Context, s *store.Store, partner, name string) *store.OutboundFile {
	t.Helper()
	f, _, err := s.EnqueueOutbound(ctx, store.OutboundFile{
		PartnerID: partner, Kind: store.Kind999, Name: name, SpoolPath: "/out/" + name, SHA256: sum(name), Size: 10,
	})
	if err != nil {
		t.Fatalf("EnqueueOutbound: %v", err)
	}
	return f
}

func testPartners(t *testing.T, ctx context.Context, b *bundle) {
	if _, err := b.s.GetPartner(ctx, "acme"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetPartner(missing) err = %v, want ErrNotFound", err)
	}
	if err := b.s.UpsertPartner(ctx, store.Partner{ID: "acme", Name: "Acme Billing"}); err != nil {
		t.Fatal(err)
	}
	b.clk.Advance(time.Hour)
	if err := b.s.UpsertPartner(ctx, store.Partner{ID: "acme", Name: "Acme Billing LLC"}); err != nil {
		t.Fatal(err)
	}
	// RecordInbound creates a missing partner with an empty name.
	record(t, ctx, b.s, "zenith", "file-1")
	ps, err := b.s.ListPartners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Partner{
		{ID: "acme", Name: "Acme Billing LLC", CreatedAt: newTestClock().Now()},
		{ID: "zenith", Name: "", CreatedAt: b.clk.Now()},
	}
	if !reflect.DeepEqual(ps, want) {
		t.Fatalf("ListPartners =\n%+v\nwant\n%+v", ps, want)
	}
	if err := b.s.UpsertPartner(ctx, store.Partner{}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("UpsertPartner(empty id) err = %v, want ErrInvalid", err)
	}
}

func testRecordInboundIdempotent(t *testing.T, ctx context.Context, b *bundle) {
	in := store.InboundFile{
		PartnerID: "acme", Name: "claims_0001.x12", RemotePath: "/inbox/claims_0001.x12",
		SHA256: sum("ISA*00*..."), Size: 1234, SpoolPath: "/spool/acme/1",
	}
	first, created, err := b.s.RecordInbound(ctx, in)
	if err != nil || !created {
		t.Fatalf("first RecordInbound = created %v, err %v; want created", created, err)
	}
	want := store.InboundFile{
		ID: first.ID, PartnerID: "acme", Name: "claims_0001.x12", RemotePath: "/inbox/claims_0001.x12",
		SHA256: sum("ISA*00*..."), Size: 1234, SpoolPath: "/spool/acme/1",
		State: store.InboundReceived, ReceivedAt: b.clk.Now().Truncate(time.Microsecond),
	}
	if !reflect.DeepEqual(*first, want) {
		t.Fatalf("recorded row =\n%+v\nwant\n%+v", *first, want)
	}

	// Same content again, even under another name and an upper-case digest.
	b.clk.Advance(time.Minute)
	again := in
	again.Name = "claims_0001_resent.x12"
	again.SHA256 = upper(in.SHA256)
	second, created, err := b.s.RecordInbound(ctx, again)
	if err != nil || created {
		t.Fatalf("second RecordInbound = created %v, err %v; want existing row", created, err)
	}
	if !reflect.DeepEqual(second, first) {
		t.Fatalf("second RecordInbound returned\n%+v\nwant the first row\n%+v", *second, *first)
	}

	// Same content from another partner, and other content from the same
	// partner, are new files.
	other, created, err := b.s.RecordInbound(ctx, store.InboundFile{PartnerID: "zenith", Name: "a.x12", SHA256: in.SHA256})
	if err != nil || !created || other.ID == first.ID {
		t.Fatalf("other partner: id %d created %v err %v; want a new row", other.ID, created, err)
	}
	diff, created, err := b.s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "b.x12", SHA256: sum("other")})
	if err != nil || !created || diff.ID == first.ID {
		t.Fatalf("other content: id %d created %v err %v; want a new row", diff.ID, created, err)
	}
	all, err := b.s.ListInbound(ctx, store.ListOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("ListInbound has %d rows, want 3", len(all))
	}
}

func upper(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c >= 'a' && c <= 'f' {
			out[i] = c - 'a' + 'A'
		}
	}
	return string(out)
}

var recordInboundValidationTests = []struct {
	name  string
	file  store.InboundFile
	field string
}{
	{"EmptyPartner", store.InboundFile{Name: "a.x12", SHA256: sum("x")}, "partner id"},
	{"PathInName", store.InboundFile{PartnerID: "p", Name: "../etc/passwd", SHA256: sum("x")}, "name"},
	{"BackslashInName", store.InboundFile{PartnerID: "p", Name: `a\b.x12`, SHA256: sum("x")}, "name"},
	{"DotDotName", store.InboundFile{PartnerID: "p", Name: "..", SHA256: sum("x")}, "name"},
	{"ShortDigest", store.InboundFile{PartnerID: "p", Name: "a.x12", SHA256: "abc"}, "sha256"},
	{"NonHexDigest", store.InboundFile{PartnerID: "p", Name: "a.x12", SHA256: sum("x")[:63] + "g"}, "sha256"},
	{"NegativeSize", store.InboundFile{PartnerID: "p", Name: "a.x12", SHA256: sum("x"), Size: -1}, "size"},
}

func testRecordInboundValidation(t *testing.T, ctx context.Context, b *bundle) {
	for _, tc := range recordInboundValidationTests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := b.s.RecordInbound(ctx, tc.file)
			var ie *store.InvalidError
			if !errors.As(err, &ie) || !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("err = %v, want *InvalidError", err)
			}
			if ie.Field != tc.field {
				t.Fatalf("InvalidError.Field = %q, want %q", ie.Field, tc.field)
			}
		})
	}
	if fs, err := b.s.ListInbound(ctx, store.ListOpts{}); err != nil || len(fs) != 0 {
		t.Fatalf("after refused records ListInbound = %d rows, %v; want none", len(fs), err)
	}
}

func testClaimInboundOrder(t *testing.T, ctx context.Context, b *bundle) {
	if _, err := b.s.ClaimInbound(ctx, "w1", time.Minute); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("ClaimInbound on empty store err = %v, want ErrNoWork", err)
	}
	// Arrival order is recording order (the ID), per partner: a later file
	// of a partner waits while an earlier one is open (received,
	// processing or retrying); other partners' files go on.
	ids := map[string]int64{}
	for i, p := range []string{"acme", "acme", "beta", "acme"} {
		name := fmt.Sprintf("f%d.x12", i)
		rec, _, err := b.s.RecordInbound(ctx, store.InboundFile{PartnerID: p, Name: name, SHA256: sum(fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = rec.ID
	}
	claim := func(want string) *store.InboundFile {
		t.Helper()
		f, err := b.s.ClaimInbound(ctx, "w1", 5*time.Minute)
		if want == "" {
			if !errors.Is(err, store.ErrNoWork) {
				t.Fatalf("ClaimInbound = %v, %v; want ErrNoWork", f, err)
			}
			return nil
		}
		if err != nil {
			t.Fatalf("ClaimInbound: %v; want %s", err, want)
		}
		if f.Name != want || f.State != store.InboundProcessing || f.LeaseOwner != "w1" {
			t.Fatalf("claimed %s (state %s owner %q); want %s", f.Name, f.State, f.LeaseOwner, want)
		}
		if f.LeaseUntil == nil || !f.LeaseUntil.Equal(b.clk.Now().Add(5*time.Minute)) {
			t.Fatalf("claimed %s: lease until %v, want now+5m", f.Name, f.LeaseUntil)
		}
		return f
	}
	f0 := claim("f0.x12")
	if f0.Attempts != 1 {
		t.Fatalf("attempts %d, want 1", f0.Attempts)
	}
	claim("f2.x12") // beta is not held up by acme
	claim("")       // f1 waits for f0
	// A transient failure: f0 is retried after its backoff, and the
	// partner's later files wait for it.
	if err := b.s.RetryInbound(ctx, f0.ID, "w1", "connection reset", b.clk.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	claim("")
	b.clk.Advance(time.Minute)
	f0 = claim("f0.x12")
	if f0.Attempts != 2 || f0.Error != "connection reset" || f0.AvailableAt != nil {
		t.Fatalf("retried f0: attempts %d error %q available %v", f0.Attempts, f0.Error, f0.AvailableAt)
	}
	// A graceful shutdown gives the lease back without counting the try.
	if err := b.s.ReleaseInbound(ctx, f0.ID, "w1"); err != nil {
		t.Fatal(err)
	}
	f0 = claim("f0.x12")
	if f0.Attempts != 2 {
		t.Fatalf("after release attempts %d, want 2", f0.Attempts)
	}
	// An engine restarted under the same name takes its leases back at
	// once; the interrupted try counts.
	if n, err := b.s.ReleaseInboundLeases(ctx, "w1"); err != nil || n != 2 {
		t.Fatalf("ReleaseInboundLeases = %d, %v; want 2 (f0, f2)", n, err)
	}
	f0 = claim("f0.x12")
	if f0.Attempts != 3 {
		t.Fatalf("after restart attempts %d, want 3", f0.Attempts)
	}
	if err := b.s.FinishInbound(ctx, f0.ID, "w1", store.InboundResult{State: store.InboundQuarantined, Error: "too many tries"}); err != nil {
		t.Fatal(err)
	}
	claim("f1.x12") // quarantined files do not hold their partner up
	claim("f2.x12")
	claim("")
	if err := b.s.RetryInbound(ctx, ids["f3.x12"], "w1", "x", b.clk.Now()); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("RetryInbound of an unleased file: %v, want ErrLeaseLost", err)
	}
	for _, tc := range []struct {
		owner string
		lease time.Duration
	}{{"", time.Minute}, {"w1", 0}, {"w1", -time.Second}} {
		if _, err := b.s.ClaimInbound(ctx, tc.owner, tc.lease); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("ClaimInbound(%q, %v) err = %v, want ErrInvalid", tc.owner, tc.lease, err)
		}
	}
}

func testInboundLeaseExpiry(t *testing.T, ctx context.Context, b *bundle) {
	rec := record(t, ctx, b.s, "acme", "lease-me")
	a, err := b.s.ClaimInbound(ctx, "worker-a", time.Minute)
	if err != nil || a.ID != rec.ID {
		t.Fatalf("worker-a claim = %v, %v", a, err)
	}
	// Worker a "crashes". Before the lease ends nobody else gets the file.
	b.clk.Advance(59 * time.Second)
	if _, err := b.s.ClaimInbound(ctx, "worker-b", time.Minute); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("claim during live lease err = %v, want ErrNoWork", err)
	}
	if err := b.s.ResetInbound(ctx, rec.ID); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("ResetInbound during live lease err = %v, want ErrLeased", err)
	}
	// An owner that is alive can renew.
	if err := b.s.RenewInbound(ctx, rec.ID, "worker-a", time.Minute); err != nil {
		t.Fatalf("RenewInbound: %v", err)
	}
	b.clk.Advance(59 * time.Second)
	if _, err := b.s.ClaimInbound(ctx, "worker-b", time.Minute); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("claim during renewed lease err = %v, want ErrNoWork", err)
	}
	// Past the renewed lease the file is reclaimed.
	b.clk.Advance(2 * time.Second)
	bf, err := b.s.ClaimInbound(ctx, "worker-b", time.Minute)
	if err != nil {
		t.Fatalf("reclaim after expiry: %v", err)
	}
	if bf.ID != rec.ID || bf.LeaseOwner != "worker-b" || bf.Attempts != 2 {
		t.Fatalf("reclaimed file id %d owner %q attempts %d; want id %d, worker-b, 2", bf.ID, bf.LeaseOwner, bf.Attempts, rec.ID)
	}
	// The old owner has lost the file.
	res := store.InboundResult{State: store.InboundProcessed}
	if err := b.s.FinishInbound(ctx, rec.ID, "worker-a", res); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("FinishInbound by lost owner err = %v, want ErrLeaseLost", err)
	}
	if err := b.s.RenewInbound(ctx, rec.ID, "worker-a", time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("RenewInbound by lost owner err = %v, want ErrLeaseLost", err)
	}
	if err := b.s.FinishInbound(ctx, rec.ID, "worker-b", res); err != nil {
		t.Fatalf("FinishInbound by owner: %v", err)
	}
	if err := b.s.FinishInbound(ctx, rec.ID, "worker-b", res); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("second FinishInbound err = %v, want ErrLeaseLost", err)
	}
	if err := b.s.FinishInbound(ctx, rec.ID+1000, "worker-b", res); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FinishInbound(unknown id) err = %v, want ErrNotFound", err)
	}
	if _, err := b.s.ClaimInbound(ctx, "worker-c", time.Minute); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("claim after finish err = %v, want ErrNoWork", err)
	}
}

func testFinishInboundResult(t *testing.T, ctx context.Context, b *bundle) {
	rec := record(t, ctx, b.s, "acme", "result")
	if _, err := b.s.ClaimInbound(ctx, "w", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := b.s.FinishInbound(ctx, rec.ID, "w", store.InboundResult{State: store.InboundProcessing}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("FinishInbound(state processing) err = %v, want ErrInvalid", err)
	}
	b.clk.Advance(10 * time.Second)
	res := store.InboundResult{
		State: store.InboundRejected, Error: "TA1 R 024",
		Counts:  store.InboundCounts{Interchanges: 2, Transactions: 5, TxAccepted: 3, TxRejected: 2, ClaimsAccepted: 40, ClaimsRejected: 7},
		Summary: `{"isa13":["000000001","000000002"]}`,
	}
	if err := b.s.FinishInbound(ctx, rec.ID, "w", res); err != nil {
		t.Fatal(err)
	}
	got, err := b.s.GetInbound(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := b.clk.Now()
	want := *rec
	want.State, want.Error, want.InboundCounts, want.Summary = res.State, res.Error, res.Counts, res.Summary
	want.Attempts, want.ProcessedAt = 1, &done
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("finished row =\n%+v\nwant\n%+v", *got, want)
	}
	if _, err := b.s.GetInbound(ctx, rec.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetInbound(unknown) err = %v, want ErrNotFound", err)
	}
}

func testResetInbound(t *testing.T, ctx context.Context, b *bundle) {
	rec := record(t, ctx, b.s, "acme", "reset")
	if _, err := b.s.ClaimInbound(ctx, "w", time.Minute); err != nil {
		t.Fatal(err)
	}
	err := b.s.FinishInbound(ctx, rec.ID, "w", store.InboundResult{
		State: store.InboundFailed, Error: "disk full", Counts: store.InboundCounts{Interchanges: 1}, Summary: "{}",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.ClaimInbound(ctx, "w", time.Minute); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("failed file must not be claimable, err = %v", err)
	}
	if err := b.s.ResetInbound(ctx, rec.ID); err != nil {
		t.Fatalf("ResetInbound: %v", err)
	}
	got, err := b.s.GetInbound(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *rec // attempts start over: an operator's retry has a fresh budget
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("reset row =\n%+v\nwant\n%+v", *got, want)
	}
	again, err := b.s.ClaimInbound(ctx, "w2", time.Minute)
	if err != nil || again.ID != rec.ID || again.Attempts != 1 {
		t.Fatalf("claim after reset = %+v, %v", again, err)
	}
	if err := b.s.ResetInbound(ctx, rec.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ResetInbound(unknown) err = %v, want ErrNotFound", err)
	}
}

func testListInbound(t *testing.T, ctx context.Context, b *bundle) {
	var ids []int64
	for i := 0; i < 5; i++ {
		partner := "acme"
		if i%2 == 1 {
			partner = "zenith"
		}
		ids = append(ids, record(t, ctx, b.s, partner, fmt.Sprint("list", i)).ID)
	}
	claimed, err := b.s.ClaimInbound(ctx, "w", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts store.ListOpts
		want []int64
	}{
		{"All", store.ListOpts{}, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"Partner", store.ListOpts{PartnerID: "zenith"}, []int64{ids[3], ids[1]}},
		{"State", store.ListOpts{State: store.InboundProcessing}, []int64{claimed.ID}},
		{"Page1", store.ListOpts{Limit: 2}, []int64{ids[4], ids[3]}},
		{"Page2", store.ListOpts{Limit: 2, BeforeID: ids[3]}, []int64{ids[2], ids[1]}},
		{"PartnerAndState", store.ListOpts{PartnerID: "acme", State: store.InboundReceived}, []int64{ids[4], ids[2]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := b.s.ListInbound(ctx, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, f := range fs {
				got = append(got, f.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ids = %v, want %v", got, tc.want)
			}
		})
	}
}

func testEnqueueOutboundIdempotent(t *testing.T, ctx context.Context, b *bundle) {
	in := record(t, ctx, b.s, "acme", "source")
	o := store.OutboundFile{
		PartnerID: "acme", Kind: store.Kind999, Name: "999_000000007.x12", SpoolPath: "/out/acme/999_000000007.x12",
		SHA256: sum("999 body"), Size: 321, InboundFileID: &in.ID,
	}
	first, created, err := b.s.EnqueueOutbound(ctx, o)
	if err != nil || !created {
		t.Fatalf("first EnqueueOutbound = created %v, err %v", created, err)
	}
	now := b.clk.Now()
	want := store.OutboundFile{
		ID: first.ID, PartnerID: "acme", Kind: store.Kind999, Name: "999_000000007.x12",
		SpoolPath: "/out/acme/999_000000007.x12", SHA256: sum("999 body"), Size: 321, InboundFileID: &in.ID,
		State: store.OutboundPending, AvailableAt: &now, CreatedAt: now,
	}
	if !reflect.DeepEqual(*first, want) {
		t.Fatalf("enqueued row =\n%+v\nwant\n%+v", *first, want)
	}
	// Enqueue again (e.g. after a crash between writing and recording): no-op.
	b.clk.Advance(time.Minute)
	o.SpoolPath = "/out/acme/elsewhere"
	second, created, err := b.s.EnqueueOutbound(ctx, o)
	if err != nil || created || !reflect.DeepEqual(second, first) {
		t.Fatalf("second EnqueueOutbound = %+v created %v err %v; want the first row", second, created, err)
	}
	// Still a no-op once delivered.
	if _, err := b.s.ClaimOutbound(ctx, "d", time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	if err := b.s.MarkDelivered(ctx, first.ID, "d"); err != nil {
		t.Fatal(err)
	}
	third, created, err := b.s.EnqueueOutbound(ctx, o)
	if err != nil || created || third.ID != first.ID || third.State != store.OutboundDelivered {
		t.Fatalf("enqueue after delivery = %+v created %v err %v; want existing delivered row", third, created, err)
	}
	// The same name for another partner is another file.
	o.PartnerID = "zenith"
	o.InboundFileID = nil
	other, created, err := b.s.EnqueueOutbound(ctx, o)
	if err != nil || !created || other.ID == first.ID {
		t.Fatalf("other partner = %+v created %v err %v; want a new row", other, created, err)
	}
	for _, bad := range []store.OutboundFile{
		{PartnerID: "acme", Kind: "", Name: "x", SHA256: sum("x")},
		{PartnerID: "acme", Kind: store.Kind835, Name: "a/b", SHA256: sum("x")},
		{PartnerID: "acme", Kind: store.Kind835, Name: "x", SHA256: "nothex"},
		{PartnerID: "", Kind: store.Kind835, Name: "x", SHA256: sum("x")},
	} {
		if _, _, err := b.s.EnqueueOutbound(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("EnqueueOutbound(%+v) err = %v, want ErrInvalid", bad, err)
		}
	}
}

func testOutboundDeliveryCycle(t *testing.T, ctx context.Context, b *bundle) {
	a1 := enqueue(t, ctx, b.s, "acme", "a1")
	z1 := enqueue(t, ctx, b.s, "zenith", "z1")
	a2 := enqueue(t, ctx, b.s, "acme", "a2")

	// Partner filter: zenith's only file.
	got, err := b.s.ClaimOutbound(ctx, "d1", time.Minute, "zenith")
	if err != nil || got.ID != z1.ID || got.State != store.OutboundDelivering || got.Attempts != 1 {
		t.Fatalf("ClaimOutbound(zenith) = %+v, %v", got, err)
	}
	if _, err := b.s.ClaimOutbound(ctx, "d1", time.Minute, "zenith"); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("second zenith claim err = %v, want ErrNoWork", err)
	}
	// Any partner: oldest first.
	got, err = b.s.ClaimOutbound(ctx, "d2", time.Minute, "")
	if err != nil || got.ID != a1.ID {
		t.Fatalf("ClaimOutbound(any) = %+v, %v; want a1", got, err)
	}
	// A transient failure is retried from retryAt on.
	retryAt := b.clk.Now().Add(10 * time.Minute)
	if err := b.s.MarkOutboundFailed(ctx, a1.ID, "d2", "connection refused", retryAt); err != nil {
		t.Fatal(err)
	}
	// First in, first out per partner: a2 waits behind a1, for the
	// partner-less claim too.
	for _, p := range []string{"acme", ""} {
		if got, err := b.s.ClaimOutbound(ctx, "d2", time.Minute, p); !errors.Is(err, store.ErrNoWork) {
			t.Fatalf("claim(%q) while a1 waits for retry = %+v, %v; want ErrNoWork (a2 must not overtake a1)", p, got, err)
		}
	}
	if err := b.s.MarkDelivered(ctx, z1.ID, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.ClaimOutbound(ctx, "d2", time.Minute, "acme"); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("claim before retryAt err = %v, want ErrNoWork", err)
	}
	failed, err := b.s.GetOutbound(ctx, a1.ID)
	if err != nil || failed.State != store.OutboundFailed || failed.Error != "connection refused" ||
		failed.AvailableAt == nil || !failed.AvailableAt.Equal(retryAt) || failed.LeaseOwner != "" {
		t.Fatalf("failed row = %+v, %v", failed, err)
	}
	b.clk.Advance(10 * time.Minute)
	got, err = b.s.ClaimOutbound(ctx, "d3", time.Minute, "acme")
	if err != nil || got.ID != a1.ID || got.Attempts != 2 {
		t.Fatalf("retry claim = %+v, %v; want a1 attempt 2", got, err)
	}
	// A permanent failure parks the file until ResetOutbound.
	if err := b.s.MarkOutboundFailed(ctx, a1.ID, "d3", "permission denied", time.Time{}); err != nil {
		t.Fatal(err)
	}
	b.clk.Advance(24 * time.Hour)
	// A parked file does not hold the later ones back.
	got, err = b.s.ClaimOutbound(ctx, "d3", time.Minute, "acme")
	if err != nil || got.ID != a2.ID {
		t.Fatalf("claim behind a parked file = %+v, %v; want a2", got, err)
	}
	if err := b.s.MarkDelivered(ctx, a2.ID, "d3"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.ClaimOutbound(ctx, "d3", time.Minute, "acme"); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("claim of parked file err = %v, want ErrNoWork", err)
	}
	if err := b.s.ResetOutbound(ctx, a1.ID); err != nil {
		t.Fatal(err)
	}
	// A deliverer draining acme from a2 on does not see the reset a1
	// (as if the reset came a moment later): a3, queued after the reset,
	// goes first. Its next pass, from the start, finds a1.
	a3 := enqueue(t, ctx, b.s, "acme", "a3")
	got, err = b.s.ClaimOutboundFrom(ctx, "d4", time.Minute, "acme", a2.ID)
	if err != nil || got.ID != a3.ID {
		t.Fatalf("ClaimOutboundFrom(acme, a2) after a1's reset = %+v, %v; want a3", got, err)
	}
	if err := b.s.MarkDelivered(ctx, a3.ID, "d4"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.s.ClaimOutboundFrom(ctx, "d4", time.Minute, "acme", a3.ID); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("ClaimOutboundFrom(acme, a3) = %+v, %v; want ErrNoWork", got, err)
	}
	got, err = b.s.ClaimOutbound(ctx, "d4", time.Minute, "")
	if err != nil || got.ID != a1.ID || got.Error != "" {
		t.Fatalf("claim after reset = %+v, %v", got, err)
	}
	if err := b.s.MarkDelivered(ctx, a1.ID, "d4"); err != nil {
		t.Fatal(err)
	}
	done, err := b.s.GetOutbound(ctx, a1.ID)
	if err != nil || done.State != store.OutboundDelivered || done.DeliveredAt == nil ||
		!done.DeliveredAt.Equal(b.clk.Now()) || done.LeaseUntil != nil || done.AvailableAt != nil || done.Attempts != 3 {
		t.Fatalf("delivered row = %+v, %v", done, err)
	}
	if err := b.s.MarkDelivered(ctx, a1.ID, "d4"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("second MarkDelivered err = %v, want ErrLeaseLost", err)
	}
	if err := b.s.MarkDelivered(ctx, 99999, "d4"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("MarkDelivered(unknown) err = %v, want ErrNotFound", err)
	}
	if _, err := b.s.GetOutbound(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetOutbound(unknown) err = %v, want ErrNotFound", err)
	}
}

func testOutboundLeaseExpiry(t *testing.T, ctx context.Context, b *bundle) {
	f := enqueue(t, ctx, b.s, "acme", "expire")
	if _, err := b.s.ClaimOutbound(ctx, "crashy", time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	if err := b.s.ResetOutbound(ctx, f.ID); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("ResetOutbound during live lease err = %v, want ErrLeased", err)
	}
	if err := b.s.RenewOutbound(ctx, f.ID, "crashy", 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	b.clk.Advance(119 * time.Second)
	if _, err := b.s.ClaimOutbound(ctx, "next", time.Minute, ""); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("claim during renewed lease err = %v, want ErrNoWork", err)
	}
	b.clk.Advance(2 * time.Second)
	got, err := b.s.ClaimOutbound(ctx, "next", time.Minute, "acme")
	if err != nil || got.ID != f.ID || got.LeaseOwner != "next" || got.Attempts != 2 {
		t.Fatalf("reclaim = %+v, %v", got, err)
	}
	if err := b.s.MarkDelivered(ctx, f.ID, "crashy"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("MarkDelivered by lost owner err = %v, want ErrLeaseLost", err)
	}
	if err := b.s.MarkOutboundFailed(ctx, f.ID, "crashy", "x", time.Time{}); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("MarkOutboundFailed by lost owner err = %v, want ErrLeaseLost", err)
	}
	if err := b.s.RenewOutbound(ctx, f.ID, "crashy", time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("RenewOutbound by lost owner err = %v, want ErrLeaseLost", err)
	}
	if err := b.s.MarkDelivered(ctx, f.ID, "next"); err != nil {
		t.Fatal(err)
	}
}

func testListOutbound(t *testing.T, ctx context.Context, b *bundle) {
	in1 := record(t, ctx, b.s, "acme", "in1")
	in2 := record(t, ctx, b.s, "acme", "in2")
	mk := func(name, kind string, in *store.InboundFile) int64 {
		o := store.OutboundFile{PartnerID: "acme", Kind: kind, Name: name, SHA256: sum(name)}
		if in != nil {
			o.InboundFileID = &in.ID
		}
		f, _, err := b.s.EnqueueOutbound(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	ta1 := mk("ta1", store.KindTA1, in1)
	ack := mk("999", store.Kind999, in1)
	ca := mk("277ca", store.Kind277CA, in2)
	fwd := mk("837", store.Kind837, nil)
	tests := []struct {
		name string
		f    store.OutboundFilter
		want []int64
	}{
		{"ByInbound", store.OutboundFilter{InboundFileID: in1.ID}, []int64{ack, ta1}},
		{"ByKind", store.OutboundFilter{Kind: store.Kind837}, []int64{fwd}},
		{"ByState", store.OutboundFilter{State: store.OutboundPending, Limit: 3}, []int64{fwd, ca, ack}},
		{"Page", store.OutboundFilter{PartnerID: "acme", BeforeID: ack}, []int64{ta1}},
		{"OtherPartner", store.OutboundFilter{PartnerID: "zenith"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := b.s.ListOutbound(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, f := range fs {
				got = append(got, f.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ids = %v, want %v", got, tc.want)
			}
		})
	}
}

func testControlNumbersSequence(t *testing.T, ctx context.Context, b *bundle) {
	next := func(partner, kind string) int64 {
		t.Helper()
		v, err := b.s.NextControlNumber(ctx, partner, kind)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	got := []int64{
		next("acme", store.ControlISA), next("acme", store.ControlISA), next("acme", store.ControlGS),
		next("zenith", store.ControlISA), next("acme", store.ControlISA), next("", store.ControlClaim),
	}
	if want := []int64{1, 2, 1, 1, 3, 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sequence = %v, want %v", got, want)
	}
	if _, err := b.s.NextControlNumber(ctx, "acme", ""); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("empty kind err = %v, want ErrInvalid", err)
	}
	// Persisted: a second Store on the same database continues the sequence.
	s2 := dbtest.Open(t, store.Config{URL: b.url})
	v, err := s2.NextControlNumber(ctx, "acme", store.ControlISA)
	if err != nil || v != 4 {
		t.Fatalf("NextControlNumber on a new Store = %d, %v; want 4", v, err)
	}
}

func testControlNumbersWrap(t *testing.T, ctx context.Context, b *bundle) {
	if _, err := b.s.NextControlNumber(ctx, "acme", store.ControlISA); err != nil {
		t.Fatal(err)
	}
	_, err := b.s.DB().ExecContext(ctx, b.s.DB().Rebind(
		`UPDATE control_numbers SET last_value = ? WHERE partner_id = ? AND kind = ?`),
		store.MaxControlNumber-1, "acme", store.ControlISA)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for i := 0; i < 3; i++ {
		v, err := b.s.NextControlNumber(ctx, "acme", store.ControlISA)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if want := []int64{store.MaxControlNumber, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("around the wrap = %v, want %v", got, want)
	}
}

func testControlNumbersConcurrent(t *testing.T, ctx context.Context, b *bundle) {
	const workers, each = 8, 50
	// Two Stores: two pools, as two engine processes would have.
	stores := []*store.Store{b.s, dbtest.Open(t, store.Config{URL: b.url})}
	results := make([][]int64, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := stores[w%len(stores)]
			for i := 0; i < each; i++ {
				v, err := s.NextControlNumber(ctx, "acme", store.ControlISA)
				if err != nil {
					errs <- err
					return
				}
				results[w] = append(results[w], v)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for w, vs := range results {
		for i, v := range vs {
			if seen[v] {
				t.Fatalf("value %d handed out twice", v)
			}
			seen[v] = true
			if i > 0 && v <= vs[i-1] {
				t.Fatalf("worker %d got %d after %d: not increasing", w, v, vs[i-1])
			}
		}
	}
	for v := int64(1); v <= workers*each; v++ {
		if !seen[v] {
			t.Fatalf("value %d never handed out: want exactly 1..%d", v, workers*each)
		}
	}
}

func testControlNumberRollback(t *testing.T, ctx context.Context, b *bundle) {
	errBoom := errors.New("boom")
	err := b.s.InTx(ctx, func(tx *store.Tx) error {
		v, err := tx.NextControlNumber(ctx, "acme", store.ControlST)
		if err != nil || v != 1 {
			t.Errorf("in tx = %d, %v", v, err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx err = %v, want errBoom", err)
	}
	v, err := b.s.NextControlNumber(ctx, "acme", store.ControlST)
	if err != nil || v != 1 {
		t.Fatalf("after rollback = %d, %v; want 1 again", v, err)
	}
}

func testInterchangeRecorders(t *testing.T, ctx context.Context, b *bundle) {
	in := record(t, ctx, b.s, "acme", "envelopes")
	seen, err := b.s.InterchangeSeen(ctx, "SENDER1", "RECEIVER1", "000000101")
	if err != nil || seen {
		t.Fatalf("InterchangeSeen before record = %v, %v", seen, err)
	}
	ic := &store.Interchange{
		InboundFileID: in.ID, SenderQual: "ZZ", SenderID: "SENDER1", ReceiverQual: "ZZ", ReceiverID: "RECEIVER1",
		Control: "000000101", ISADate: "240301", ISATime: "1200", Usage: "T", TA1Ack: "A", ByteOffset: 0,
	}
	if err := b.s.RecordInterchange(ctx, ic); err != nil {
		t.Fatal(err)
	}
	ic2 := &store.Interchange{InboundFileID: in.ID, SenderID: "SENDER1", ReceiverID: "RECEIVER1",
		Control: "000000102", ByteOffset: 4096}
	if err := b.s.RecordInterchange(ctx, ic2); err != nil {
		t.Fatal(err)
	}
	seenTests := []struct {
		name                      string
		sender, receiver, control string
		want                      bool
	}{
		{"Same", "SENDER1", "RECEIVER1", "000000101", true},
		{"OtherControl", "SENDER1", "RECEIVER1", "000000103", false},
		{"OtherSender", "SENDER2", "RECEIVER1", "000000101", false},
		{"OtherReceiver", "SENDER1", "RECEIVER2", "000000101", false},
	}
	for _, tc := range seenTests {
		got, err := b.s.InterchangeSeen(ctx, tc.sender, tc.receiver, tc.control)
		if err != nil || got != tc.want {
			t.Errorf("%s: InterchangeSeen = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	g := &store.Group{InterchangeID: ic.ID, FunctionalID: "HC", Control: "101", Version: "005010X222A1"}
	if err := b.s.RecordGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	txs := []*store.Transaction{
		{GroupID: g.ID, SetID: "837", Control: "0002", Version: "005010X222A1", Ack: "R", ErrorCount: 2, ByteOffset: 300, SegCount: 40},
		{GroupID: g.ID, SetID: "837", Control: "0001", Version: "005010X222A1", Ack: "A", ByteOffset: 120, SegCount: 35},
	}
	for _, tr := range txs {
		if err := b.s.RecordTransaction(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.s.SetGroupAck(ctx, g.ID, "P"); err != nil {
		t.Fatal(err)
	}
	if err := b.s.SetGroupAck(ctx, g.ID+100, "P"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetGroupAck(unknown) err = %v, want ErrNotFound", err)
	}
	ics, err := b.s.ListInterchanges(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ics, []store.Interchange{*ic, *ic2}) {
		t.Fatalf("ListInterchanges =\n%+v\nwant\n%+v", ics, []store.Interchange{*ic, *ic2})
	}
	gs, err := b.s.ListGroups(ctx, ic.ID)
	if err != nil {
		t.Fatal(err)
	}
	g.Ack = "P"
	if !reflect.DeepEqual(gs, []store.Group{*g}) {
		t.Fatalf("ListGroups = %+v, want %+v", gs, *g)
	}
	ts, err := b.s.ListTransactions(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ts, []store.Transaction{*txs[1], *txs[0]}) {
		t.Fatalf("ListTransactions (file order) =\n%+v\nwant\n%+v", ts, []store.Transaction{*txs[1], *txs[0]})
	}
	// The foreign key holds on both engines.
	if err := b.s.RecordGroup(ctx, &store.Group{InterchangeID: 424242, FunctionalID: "HC", Control: "1"}); err == nil {
		t.Fatal("RecordGroup with unknown interchange succeeded; want a foreign key error")
	}
}

func ptr[T any](v T) *T { return &v }

// sampleClaim is a synthetic professional claim (HCPCS Level II codes,
// made-up patient, Luhn-valid test NPI).
func sampleClaim(in *store.InboundFile, control string) *store.Claim {
	return &store.Claim{
		InboundFileID: in.ID, PartnerID: in.PartnerID, ControlNumber: control, CLM01: "PCN-" + control,
		ClaimType: "P", Frequency: "1", State: store.ClaimAccepted, BilledCents: 152550,
		PayerID: "PAYER01", SubmitterID: "SUBM01", BillingNPI: "1234567893", BillingTIN: "990000001",
		MemberID: "ZZM000001", PatientLast: "TESTPATIENT", PatientFirst: "ALEX", PatientDOB: "19800101",
		ServiceFrom: "20240210", ServiceTo: "20240211", Fingerprint: "fp-" + control, SuspectKey: "sk-1",
		RawOffset: 200, RawLength: 880,
		Lines: []store.ClaimLine{
			{LineNo: 1, Code: "A0428", Modifiers: "RH", Units: 1000, UnitType: "UN", ChargeCents: 150000,
				ServiceFrom: "20240210", ServiceTo: "20240210"},
			{LineNo: 2, Code: "J1100", Modifiers: "", Units: 2500, UnitType: "UN", ChargeCents: 2550,
				ServiceFrom: "20240211", ServiceTo: "20240211"},
		},
	}
}

func testInsertAndGetClaim(t *testing.T, ctx context.Context, b *bundle) {
	in := record(t, ctx, b.s, "acme", "claims")
	ic := &store.Interchange{InboundFileID: in.ID, SenderID: "S", ReceiverID: "R", Control: "1"}
	if err := b.s.RecordInterchange(ctx, ic); err != nil {
		t.Fatal(err)
	}
	g := &store.Group{InterchangeID: ic.ID, FunctionalID: "HC", Control: "1"}
	if err := b.s.RecordGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	tr := &store.Transaction{GroupID: g.ID, SetID: "837", Control: "0001"}
	if err := b.s.RecordTransaction(ctx, tr); err != nil {
		t.Fatal(err)
	}
	c := sampleClaim(in, "CH000000001")
	c.TransactionID = &tr.ID
	if err := b.s.InsertClaim(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.Lines[0].ID == 0 || c.Lines[1].ClaimID != c.ID || !c.CreatedAt.Equal(b.clk.Now()) {
		t.Fatalf("InsertClaim did not fill IDs/timestamps: %+v", c)
	}
	got, err := b.s.GetClaimByControl(ctx, "CH000000001")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("GetClaimByControl =\n%+v\nwant\n%+v", got, c)
	}
	byID, err := b.s.GetClaim(ctx, c.ID)
	if err != nil || !reflect.DeepEqual(byID, c) {
		t.Fatalf("GetClaim = %+v, %v", byID, err)
	}
	if _, err := b.s.GetClaimByControl(ctx, "NOPE"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetClaimByControl(unknown) err = %v, want ErrNotFound", err)
	}
	// A replacement links to its original.
	repl := sampleClaim(in, "CH000000002")
	repl.Frequency, repl.RefF8, repl.ReplacesClaimID = "7", "CH000000001", &c.ID
	repl.Lines = nil
	if err := b.s.InsertClaim(ctx, repl); err != nil {
		t.Fatal(err)
	}
	got, err = b.s.GetClaim(ctx, repl.ID)
	if err != nil || got.ReplacesClaimID == nil || *got.ReplacesClaimID != c.ID || len(got.Lines) != 0 {
		t.Fatalf("replacement = %+v, %v", got, err)
	}
}

func testClaimConflict(t *testing.T, ctx context.Context, b *bundle) {
	in := record(t, ctx, b.s, "acme", "conflict")
	if err := b.s.InsertClaim(ctx, sampleClaim(in, "CH1")); err != nil {
		t.Fatal(err)
	}
	dup := sampleClaim(in, "CH1")
	if err := b.s.InsertClaim(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate control number err = %v, want ErrConflict", err)
	}
	twoLineOnes := sampleClaim(in, "CH2")
	twoLineOnes.Lines[1].LineNo = 1
	if err := b.s.InsertClaim(ctx, twoLineOnes); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate line number err = %v, want ErrConflict", err)
	}
	// The failed insert left nothing behind (claim row rolled back too).
	if _, err := b.s.GetClaimByControl(ctx, "CH2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("half-inserted claim visible: err = %v", err)
	}
	invalidTests := []struct {
		name   string
		mutate func(c *store.Claim)
	}{
		{"NoControl", func(c *store.Claim) { c.ControlNumber = "" }},
		{"BadType", func(c *store.Claim) { c.ClaimType = "D" }},
		{"NoState", func(c *store.Claim) { c.State = "" }},
		{"NoPartner", func(c *store.Claim) { c.PartnerID = "" }},
		{"NoFile", func(c *store.Claim) { c.InboundFileID = 0 }},
		{"BadDOB", func(c *store.Claim) { c.PatientDOB = "1980-01-01" }},
		{"BadLineDate", func(c *store.Claim) { c.Lines[0].ServiceTo = "2024021" }},
		{"ZeroLineNo", func(c *store.Claim) { c.Lines[0].LineNo = 0 }},
	}
	for _, tc := range invalidTests {
		c := sampleClaim(in, "CH-"+tc.name)
		tc.mutate(c)
		err := b.s.InsertClaim(ctx, c)
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
		if err != nil && (contains(err.Error(), "1980") || contains(err.Error(), "TESTPATIENT")) {
			t.Errorf("%s: error leaks PHI: %v", tc.name, err)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func testClaimLookups(t *testing.T, ctx context.Context, b *bundle) {
	in := record(t, ctx, b.s, "acme", "lookups")
	orig := sampleClaim(in, "CH-A")
	orig.Fingerprint = "fp-same"
	later := sampleClaim(in, "CH-B")
	later.Fingerprint = "fp-same"
	dupe := sampleClaim(in, "CH-C")
	dupe.Fingerprint, dupe.State = "fp-same", store.ClaimDuplicate
	rejected := sampleClaim(in, "CH-D")
	rejected.State = store.ClaimRejected
	otherKey := sampleClaim(in, "CH-E")
	otherKey.SuspectKey, otherKey.CLM01 = "sk-2", "PCN-OTHER"
	for _, c := range []*store.Claim{orig, later, dupe, rejected, otherKey} {
		if err := b.s.InsertClaim(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.s.FindByFingerprint(ctx, "fp-same")
	if err != nil || got.ID != later.ID || len(got.Lines) != 2 {
		t.Fatalf("FindByFingerprint = %+v, %v; want CH-B (newest, not a duplicate) with lines", got, err)
	}
	if _, err := b.s.FindByFingerprint(ctx, "fp-none"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FindByFingerprint(unknown) err = %v, want ErrNotFound", err)
	}
	if _, err := b.s.FindByFingerprint(ctx, ""); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("FindByFingerprint(\"\") err = %v, want ErrInvalid", err)
	}
	sus, err := b.s.FindBySuspectKey(ctx, "sk-1")
	if err != nil {
		t.Fatal(err)
	}
	if ids := claimIDs(sus); !reflect.DeepEqual(ids, []int64{later.ID, orig.ID}) {
		t.Fatalf("FindBySuspectKey ids = %v, want %v", ids, []int64{later.ID, orig.ID})
	}
	if sus, err := b.s.FindBySuspectKey(ctx, "sk-none"); err != nil || len(sus) != 0 {
		t.Fatalf("FindBySuspectKey(unknown) = %v, %v; want empty", sus, err)
	}
	byPCN, err := b.s.FindByCLM01(ctx, "acme", "PCN-CH-A")
	if err != nil || !reflect.DeepEqual(claimIDs(byPCN), []int64{orig.ID}) {
		t.Fatalf("FindByCLM01 = %v, %v", claimIDs(byPCN), err)
	}
	if other, err := b.s.FindByCLM01(ctx, "zenith", "PCN-CH-A"); err != nil || len(other) != 0 {
		t.Fatalf("FindByCLM01 other partner = %v, %v; want none", claimIDs(other), err)
	}
}

func claimIDs(cs []store.Claim) []int64 {
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func testListClaims(t *testing.T, ctx context.Context, b *bundle) {
	in1 := record(t, ctx, b.s, "acme", "list-1")
	in2 := record(t, ctx, b.s, "zenith", "list-2")
	var ids []int64
	states := []store.ClaimState{store.ClaimAccepted, store.ClaimSuspect, store.ClaimAccepted, store.ClaimSuspect, store.ClaimRejected}
	for i, st := range states {
		in := in1
		if i >= 3 {
			in = in2
		}
		c := sampleClaim(in, fmt.Sprintf("L%d", i))
		c.State = st
		if err := b.s.InsertClaim(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	tests := []struct {
		name string
		f    store.ClaimFilter
		want []int64
	}{
		{"All", store.ClaimFilter{}, ids},
		{"State", store.ClaimFilter{State: store.ClaimAccepted}, []int64{ids[0], ids[2]}},
		{"Suspect", store.ClaimFilter{Suspect: true}, []int64{ids[1], ids[3]}},
		{"SuspectOfFile", store.ClaimFilter{Suspect: true, InboundFileID: in2.ID}, []int64{ids[3]}},
		{"Partner", store.ClaimFilter{PartnerID: "zenith"}, []int64{ids[3], ids[4]}},
		{"CLM01", store.ClaimFilter{CLM01: "PCN-L2"}, []int64{ids[2]}},
		{"Page", store.ClaimFilter{AfterID: ids[1], Limit: 2}, []int64{ids[2], ids[3]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := b.s.ListClaims(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := claimIDs(cs); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ids = %v, want %v", got, tc.want)
			}
			for _, c := range cs {
				if c.Lines != nil {
					t.Fatalf("claim %d has lines without WithLines", c.ID)
				}
			}
		})
	}
	cs, err := b.s.ListClaims(ctx, store.ClaimFilter{WithLines: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if len(c.Lines) != 2 || c.Lines[0].LineNo != 1 || c.Lines[1].Code != "J1100" || c.Lines[0].ClaimID != c.ID {
			t.Fatalf("claim %d lines = %+v", c.ID, c.Lines)
		}
	}
}

func testClaimStateAndRepricing(t *testing.T, ctx context.Context, b *bundle) {
	in := record(t, ctx, b.s, "acme", "state")
	c := sampleClaim(in, "S1")
	if err := b.s.InsertClaim(ctx, c); err != nil {
		t.Fatal(err)
	}
	b.clk.Advance(time.Hour)
	if err := b.s.UpdateClaimState(ctx, c.ID, store.ClaimRejected, "A7:164:IL;A3:21"); err != nil {
		t.Fatal(err)
	}
	if err := b.s.UpdateClaimState(ctx, c.ID+100, store.ClaimRejected, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateClaimState(unknown) err = %v, want ErrNotFound", err)
	}
	if err := b.s.UpdateClaimState(ctx, c.ID, "", ""); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("UpdateClaimState(empty) err = %v, want ErrInvalid", err)
	}
	if err := b.s.SetAllowed(ctx, c.ID, 120000, map[int]int64{1: 118000, 2: 2000}); err != nil {
		t.Fatal(err)
	}
	got, err := b.s.GetClaim(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *c
	want.State, want.Reasons, want.UpdatedAt = store.ClaimRejected, "A7:164:IL;A3:21", b.clk.Now()
	want.AllowedCents = ptr(int64(120000))
	want.Lines = append([]store.ClaimLine(nil), c.Lines...)
	want.Lines[0].AllowedCents, want.Lines[1].AllowedCents = ptr(int64(118000)), ptr(int64(2000))
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("after update =\n%+v\nwant\n%+v", *got, want)
	}
	// An unknown line number changes nothing at all.
	if err := b.s.SetAllowed(ctx, c.ID, 1, map[int]int64{9: 1}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetAllowed(unknown line) err = %v, want ErrNotFound", err)
	}
	again, err := b.s.GetClaim(ctx, c.ID)
	if err != nil || *again.AllowedCents != 120000 {
		t.Fatalf("SetAllowed was not atomic: %+v, %v", again, err)
	}
}

func testInTxAtomicity(t *testing.T, ctx context.Context, b *bundle) {
	in := record(t, ctx, b.s, "acme", "tx")
	errBoom := errors.New("boom")
	err := b.s.InTx(ctx, func(tx *store.Tx) error {
		c := sampleClaim(in, "TX1")
		if err := tx.InsertClaim(ctx, c); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEntry{Actor: "test", Action: "claim.insert", Entity: "claim", EntityID: "TX1"}); err != nil {
			return err
		}
		// Visible inside the transaction.
		if _, err := tx.GetClaimByControl(ctx, "TX1"); err != nil {
			return fmt.Errorf("inside tx: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx err = %v, want errBoom", err)
	}
	if _, err := b.s.GetClaimByControl(ctx, "TX1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rolled-back claim visible: %v", err)
	}
	if es, err := b.s.ListAudit(ctx, store.AuditFilter{}); err != nil || len(es) != 0 {
		t.Fatalf("rolled-back audit visible: %v, %v", es, err)
	}

	// A panic rolls back too and propagates.
	func() {
		defer func() {
			if r := recover(); r != "kaboom" {
				t.Fatalf("recovered %v, want kaboom", r)
			}
		}()
		_ = b.s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertClaim(ctx, sampleClaim(in, "TX2")); err != nil {
				t.Error(err)
			}
			panic("kaboom")
		})
	}()
	if _, err := b.s.GetClaimByControl(ctx, "TX2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("claim of panicked tx visible: %v", err)
	}

	// Committed work is visible, and Queries works the same in or out of a tx.
	insert := func(q *store.Queries, control string) error {
		return q.InsertClaim(ctx, sampleClaim(in, control))
	}
	err = b.s.InTx(ctx, func(tx *store.Tx) error {
		if err := insert(tx.Queries, "TX3"); err != nil {
			return err
		}
		return tx.UpdateClaimState(ctx, 0, store.ClaimForwarded, "") // unknown id: ErrNotFound
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("InTx err = %v, want ErrNotFound", err)
	}
	if _, err := b.s.GetClaimByControl(ctx, "TX3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("claim of failed tx visible: %v", err)
	}
	if err := insert(b.s.Queries, "TX4"); err != nil {
		t.Fatal(err)
	}
	err = b.s.InTx(ctx, func(tx *store.Tx) error { return insert(tx.Queries, "TX5") })
	if err != nil {
		t.Fatal(err)
	}
	for _, control := range []string{"TX4", "TX5"} {
		if _, err := b.s.GetClaimByControl(ctx, control); err != nil {
			t.Fatalf("committed claim %s: %v", control, err)
		}
	}
}

func testAudit(t *testing.T, ctx context.Context, b *bundle) {
	entries := []store.AuditEntry{
		{Actor: "pipeline/intake", Action: "inbound.record", Entity: "inbound_file", EntityID: "1"},
		{Actor: "pipeline/dedupe", Action: "claim.duplicate", Entity: "claim", EntityID: "7", Detail: `{"of":"3"}`},
		{Actor: "cli:ops", Action: "inbound.reset", Entity: "inbound_file", EntityID: "1",
			At: time.Date(2024, 1, 2, 3, 4, 5, 6000, time.FixedZone("EST", -5*3600))},
	}
	for _, e := range entries {
		b.clk.Advance(time.Second)
		if err := b.s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.s.Audit(ctx, store.AuditEntry{Actor: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Audit without action err = %v, want ErrInvalid", err)
	}
	got, err := b.s.ListAudit(ctx, store.AuditFilter{Entity: "inbound_file", EntityID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "inbound.reset" || got[1].Action != "inbound.record" {
		t.Fatalf("ListAudit(inbound_file 1) = %+v", got)
	}
	if want := time.Date(2024, 1, 2, 8, 4, 5, 6000, time.UTC); got[0].At != want {
		t.Fatalf("explicit At stored as %v, want %v", got[0].At, want)
	}
	if want := newTestClock().Now().Add(time.Second); got[1].At != want {
		t.Fatalf("default At = %v, want %v", got[1].At, want)
	}
	dd, err := b.s.ListAudit(ctx, store.AuditFilter{Action: "claim.duplicate"})
	if err != nil || len(dd) != 1 || dd[0].Detail != `{"of":"3"}` || dd[0].Actor != "pipeline/dedupe" {
		t.Fatalf("ListAudit(action) = %+v, %v", dd, err)
	}
	page, err := b.s.ListAudit(ctx, store.AuditFilter{BeforeID: got[0].ID, Limit: 1})
	if err != nil || len(page) != 1 || page[0].Action != "claim.duplicate" {
		t.Fatalf("ListAudit(page) = %+v, %v", page, err)
	}
	// A batch larger than one statement, every field kept as Audit keeps it.
	batch := make([]store.AuditEntry, 1000)
	for i := range batch {
		batch[i] = store.AuditEntry{Actor: "pipeline", Action: "claim.batch", Entity: "claim", EntityID: fmt.Sprint(i),
			UserName: "ops", ClientIP: "192.0.2.1", MemberID: "M1", ClaimControl: "CH1"}
	}
	if err := b.s.AuditBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	kept, err := b.s.ListAudit(ctx, store.AuditFilter{Action: "claim.batch", Limit: 1000})
	if err != nil || len(kept) != len(batch) || kept[0].EntityID != "999" || kept[0].UserName != "ops" ||
		kept[0].ClientIP != "192.0.2.1" || kept[0].MemberID != "M1" || kept[0].ClaimControl != "CH1" {
		t.Fatalf("ListAudit(batch) = %d entries, newest %+v, %v", len(kept), kept[0], err)
	}
	if err := b.s.AuditBatch(ctx, []store.AuditEntry{{Actor: "x", Action: "a"}, {Actor: "x"}}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("AuditBatch with an entry without action err = %v, want ErrInvalid", err)
	}
}

func testTimesAreUTC(t *testing.T, ctx context.Context, b *bundle) {
	est := time.FixedZone("EST", -5*3600)
	at := time.Date(2024, 6, 30, 23, 30, 0, 987654321, est)
	f, _, err := b.s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "tz.x12", SHA256: sum("tz"), ReceivedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.s.GetInbound(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 7, 1, 4, 30, 0, 987654000, time.UTC)
	if got.ReceivedAt != want || got.ReceivedAt.Location() != time.UTC {
		t.Fatalf("ReceivedAt = %v (%v), want %v in UTC", got.ReceivedAt, got.ReceivedAt.Location(), want)
	}
	// Stored as UTC text on SQLite and compared correctly with the clock.
	if b.s.Dialect() == store.DialectSQLite {
		var raw string
		if err := b.s.DB().QueryRowContext(ctx, `SELECT received_at || '' FROM inbound_files WHERE id = ?`, f.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if raw != "2024-07-01 04:30:00.987654+00:00" {
			t.Fatalf("sqlite stored %q", raw)
		}
	}
}
