package roster_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/synth"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/roster"
)

// benchRoster returns a synthetic roster CSV of n members and the members.
func benchRoster(b *testing.B, n int) ([]byte, []synth.Member) {
	b.Helper()
	cfg := synth.Config{Kind: synth.Professional, Claims: n, MemberCount: n, Seed: 99}
	var buf bytes.Buffer
	if err := synth.WriteRosterCSV(context.Background(), &buf, cfg); err != nil {
		b.Fatal(err)
	}
	seq, err := synth.Members(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var ms []synth.Member
	for m := range seq {
		ms = append(ms, m)
	}
	return buf.Bytes(), ms
}

// BenchmarkImportCSV imports a 5,000-member roster into a fresh SQLite
// store per iteration.
func BenchmarkImportCSV(b *testing.B) {
	data, _ := benchRoster(b, 5000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		b.StopTimer()
		st := dbtest.OpenSQLite(b)
		b.StartTimer()
		res, err := roster.ImportCSV(context.Background(), st, bytes.NewReader(data), roster.Opts{})
		if err != nil || res.Added != 5000 {
			b.Fatalf("import = %+v, %v", res.Added, err)
		}
	}
}

// BenchmarkCheck checks subscriber claims of 256 recurring members
// against a 5,000-member roster, with and without the lookup cache.
func BenchmarkCheck(b *testing.B) {
	data, ms := benchRoster(b, 5000)
	st := dbtest.OpenSQLite(b)
	if _, err := roster.ImportCSV(context.Background(), st, bytes.NewReader(data), roster.Opts{}); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		cache int
	}{{"cached", 8192}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := roster.NewChecker(st, roster.CheckerConfig{CacheSize: bc.cache})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m := ms[i%256]
				i++
				d, err := c.Check(context.Background(), roster.ClaimParty{
					MemberID: m.MemberID, SubscriberLast: m.LastName, SubscriberFirst: m.FirstName,
					Relationship: "18", ServiceFrom: m.CoverageStart.Format("20060102"),
				})
				if err != nil || !d.Eligible {
					b.Fatalf("check = %+v, %v", d, err)
				}
			}
		})
	}
}
