package roster_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// forEachBackend runs fn on a fresh migrated store per backend (SQLite
// always, PostgreSQL when DATABASE_URL is set).
func forEachBackend(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, dbtest.Open(t, store.Config{URL: be.URL(t)}))
		})
	}
}

// openSQLite returns a fresh migrated SQLite store.
func openSQLite(t *testing.T) *store.Store {
	t.Helper()
	return dbtest.OpenSQLite(t)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// member returns the roster row with the given key, failing the test when
// it is missing.
func member(t *testing.T, st *store.Store, family, rel, seq, id string) *store.Member {
	t.Helper()
	m, err := st.GetMember(context.Background(), store.MemberKey{FamilyID: family, Relationship: rel, BirthSeq: seq, MemberID: id})
	if err != nil {
		t.Fatalf("GetMember(%s/%s/%s/%s): %v", family, rel, seq, id, err)
	}
	return m
}

// edi834 wraps member-record segments (written one per line, without
// terminators) in an ISA/GS/ST/BGN header and SE/GE/IEA trailer. bgn08 is
// the BGN08 action code ("2" change, "RX" replace); header segments may be
// given before the first INS line. Segments are terminated with "~\n".
func edi834(bgn08 string, lines ...string) string {
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*SYNTHSPONSOR   *ZZ*CLEARINGHOUSE  *240601*1200*^*00501*000000101*0*T*:~\n")
	b.WriteString("GS*BE*SYNTHSPONSOR*CLEARINGHOUSE*20240601*1200*101*X*005010X220A1~\n")
	n := 0
	seg := func(s string) {
		b.WriteString(s)
		b.WriteString("~\n")
		n++
	}
	seg("ST*834*0001*005010X220A1")
	seg("BGN*00*SYN0001*20240601*1200****" + bgn08)
	for _, l := range lines {
		seg(l)
	}
	n++
	b.WriteString("SE*")
	b.WriteString(strconv.Itoa(n))
	b.WriteString("*0001~\nGE*1*101~\nIEA*1*000000101~\n")
	return b.String()
}

// header834 is a synthetic 834 header: sponsor, payer and TPA.
var header834 = []string{
	"DTP*007*D8*20240601",
	"N1*P5*SYNTH SPONSOR*FI*999000111",
	"N1*IN*SYNTH PAYER*FI*999000222",
	"N1*TV*SYNTH TPA*XV*TPA01",
}

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ins builds an INS segment: INS01 sub (Y/N), INS02 rel, INS03 maint,
// INS04 28, INS05 A and INS17 seq when not empty.
func ins(sub, rel, maint, seq string) string {
	e := []string{"INS", sub, rel, maint, "28", "A"}
	if seq != "" {
		for len(e) < 17 {
			e = append(e, "")
		}
		e = append(e, seq)
	}
	return strings.Join(e, "*")
}
