package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// BenchmarkClaimSearch renders the claim search page over many claims on
// PostgreSQL (100 000; 1 000 000 with BENCH_LARGE=1) in 50 partners: a
// provider's first and next pages and state filter, an operator's first
// page, state and date filter, control number and CLM01 lookups. Target:
// ≤ 100 ms a page at 1 M. Skips without DATABASE_URL.
func BenchmarkClaimSearch(b *testing.B) {
	n := 100_000
	if os.Getenv("BENCH_LARGE") == "1" {
		n = 1_000_000
	}
	f := newFixture(b, dbtest.PostgresURL(b))
	ctx := context.Background()
	db := f.st.DB()
	start := time.Now()
	// 50 partners with one file each, then the claims in one statement.
	for i := range 50 {
		p := fmt.Sprintf("p%02d", i)
		if _, _, err := f.st.RecordInbound(ctx, store.InboundFile{PartnerID: p, Name: p + ".x12", SHA256: fmt.Sprintf("%064x", i+1)}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO claims (inbound_file_id, partner_id, control_number, clm01, claim_type, state, reasons,
			billed_cents, billing_npi, billing_tin, member_id, patient_last, patient_first, patient_dob,
			service_from, service_to, fingerprint, suspect_key, created_at, updated_at)
		SELECT f.id, f.partner_id, 'CHB' || lpad(g::text, 11, '0'), 'PCN' || g, CASE WHEN g % 3 = 0 THEN 'I' ELSE 'P' END,
			(ARRAY['forwarded','forwarded','forwarded','accepted','rejected','suspect','duplicate'])[1 + g % 7],
			CASE WHEN g % 7 = 4 THEN 'A7:164:IL' ELSE 'A2:20' END,
			10000 + g % 90000, (ARRAY['1234567893','1111111112','1942788841','1093817462'])[1 + g % 4], '990000001', 'ZZM' || (g % 200000), 'TESTPATIENT', 'ALEX', '19800101',
			to_char(date '2025-01-01' + (g % 365)::int, 'YYYYMMDD'), to_char(date '2025-01-01' + (g % 365)::int, 'YYYYMMDD'),
			md5(g::text), md5((g % 100000)::text), now(), now()
		FROM generate_series(1, $1::bigint) g
		JOIN inbound_files f ON f.partner_id = 'p' || lpad((g % 50)::text, 2, '0')`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE claims`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d claims in %s", n, time.Since(start).Round(time.Millisecond))
	hash, _ := f.st.GetUserByName(ctx, "oper")
	prov, err := f.st.CreateUser(ctx, store.User{Username: "p07-user", Role: store.RoleProviderUser, PartnerID: "p07", PasswordHash: hash.PasswordHash})
	if err != nil {
		b.Fatal(err)
	}
	f.users[prov.Username] = prov
	npi, err := f.st.CreateUser(ctx, store.User{Username: "p07-npi", Role: store.RoleProviderUser, PartnerID: "p07", PasswordHash: hash.PasswordHash, NPIs: []string{"1111111112"}})
	if err != nil {
		b.Fatal(err)
	}
	f.users[npi.Username] = npi
	var mid int64
	if err := db.GetContext(ctx, &mid, `SELECT id FROM claims WHERE partner_id = 'p07' ORDER BY id OFFSET $1 LIMIT 1`, n/100); err != nil {
		b.Fatal(err)
	}
	cases := []struct{ name, user, path string }{
		{"provider/first", "p07-user", "/claims"},
		{"provider/next", "p07-user", fmt.Sprintf("/claims?before=%d", mid)},
		{"provider/state", "p07-user", "/claims?state=rejected"},
		// Accepted and forwarded claims are not in the indexes by state
		// (migration 019): dense, they are read newest first.
		{"provider/state-forwarded", "p07-user", "/claims?state=forwarded"},
		{"operator/state-accepted", "oper", "/claims?state=accepted"},
		{"provider/dates", "p07-user", "/claims?from=2025-03-01&to=2025-03-31"},
		{"provider-npi/first", "p07-npi", "/claims"},
		{"operator/first", "oper", "/claims"},
		{"operator/dates", "oper", "/claims?from=2025-12-31&to=2025-12-31"},
		{"operator/dates-none", "oper", "/claims?from=2030-01-01&to=2030-01-31"},
		{"operator/state-dates", "oper", "/claims?state=suspect&from=2025-06-01&to=2025-06-30"},
		{"operator/control", "oper", fmt.Sprintf("/claims?control=CHB%011d", n/2)},
		{"operator/clm01", "oper", fmt.Sprintf("/claims?clm01=PCN%d", n/3)},
	}
	if os.Getenv("BENCH_EXPLAIN") == "1" {
		var plan []string
		if err := db.SelectContext(ctx, &plan, `EXPLAIN ANALYZE SELECT id FROM claims WHERE 1 = 1 AND service_from >= '20300101' AND service_from <= '20300131' ORDER BY id DESC LIMIT 51`); err != nil {
			b.Fatal(err)
		}
		b.Log(strings.Join(plan, "\n"))
	}
	for _, tc := range cases {
		c := f.as(tc.user)
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				rec := c.get(tc.path)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", tc.path, rec.Code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}
