package remittance

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// BenchmarkMatchPostgres matches remittances against a PostgreSQL store
// holding 100 k forwarded claims, 1 M with BENCH_LARGE=1
// (BENCH_REMIT_CLAIMS overrides the count). One op is one 835 set of
// 1000 CLPs — half matched by REF*9A, half by CLP01 + payer + provider +
// charge — matched and recorded with the claims' payments in one
// transaction, as the handler does at SE; claims/s is the rate to compare.
// 1 M CLPs against 1 M claims:
//
//	BENCH_LARGE=1 go test ./pipeline/remittance -run '^$' -bench MatchPostgres -benchtime 1000x
func BenchmarkMatchPostgres(b *testing.B) {
	n := 100_000
	if os.Getenv("BENCH_LARGE") == "1" {
		n = 1_000_000
	}
	if v, err := strconv.Atoi(os.Getenv("BENCH_REMIT_CLAIMS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st := dbtest.Open(b, store.Config{URL: dbtest.PostgresURL(b)})
	f, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "seed", SHA256: strings.Repeat("a", 64), SpoolPath: "/dev/null"})
	if err != nil {
		b.Fatal(err)
	}
	tpa, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "tpa", Name: "835", SHA256: strings.Repeat("b", 64), SpoolPath: "/dev/null"})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO claims (inbound_file_id, partner_id, control_number, clm01, claim_type,
			frequency, state, billed_cents, payer_id, billing_npi, route_partner, created_at, updated_at)
		SELECT $1, 'acme', 'CH' || lpad(g::text, 12, '0'), 'PCN' || g, 'P', '1', 'forwarded', 10000 + g % 5000,
			'88461', '1234567893', 'tpa', now(), now()
		FROM generate_series(1, $2) AS g`, f.ID, n); err != nil {
		b.Fatal(err)
	}
	if _, err := st.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d claims in %s", n, time.Since(start).Round(time.Millisecond))
	const perSet = 1000
	var matchTime, insertTime time.Duration
	b.ResetTimer()
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		r := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", InboundFileID: &tpa.ID, ByteOffset: int64(i),
			PayerID: "TPA01", PayeeNPI: "1234567893", PaymentDate: "20261207", TraceNumber: fmt.Sprintf("EFT%08d", i)}
		for j := 0; j < perSet; j++ {
			g := (i*perSet+j)%n + 1
			c := store.RemitClaim{Seq: j + 1, CLP01: "PCN" + strconv.Itoa(g), Status: "1", ChargeCents: int64(10000 + g%5000),
				PaidCents: 8000, PatientRespCents: 0, PayerClaimNumber: "ICN" + strconv.Itoa(g),
				Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: int64(10000+g%5000) - 8000}}}
			if j%2 == 0 {
				c.ClaimRef = fmt.Sprintf("CH%012d", g)
			}
			r.Claims = append(r.Claims, c)
		}
		err := st.InTx(ctx, func(tx *store.Tx) error {
			m := time.Now()
			if err := Match(ctx, tx.Queries, r); err != nil {
				return err
			}
			matchTime += time.Since(m)
			m = time.Now()
			err := tx.InsertRemittance(ctx, r)
			insertTime += time.Since(m)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if r.MatchedCount != perSet {
			b.Fatalf("set %d: %d of %d matched", i, r.MatchedCount, perSet)
		}
	}
	b.ReportMetric(float64(b.N*perSet)/time.Since(t0).Seconds(), "claims/s")
	b.Logf("%d sets: match %s, record %s", b.N, matchTime.Round(time.Millisecond), insertTime.Round(time.Millisecond))
}
