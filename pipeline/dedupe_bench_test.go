package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// BenchmarkDuplicateCheck measures the duplicate rules (exact fingerprint
// and suspect key lookups) against a store holding 200 k prior claims,
// 1 M with BENCH_LARGE=1 (BENCH_PRIOR_CLAIMS overrides the count). The check is two indexed
// lookups per claim; its cost must not grow with history. One op is one
// 100-claim transaction set, checked in one transaction as setEnd does;
// claims/s is the rate to compare.
func BenchmarkDuplicateCheck(b *testing.B) {
	prior := 200_000
	if os.Getenv("BENCH_LARGE") == "1" {
		prior = 1_000_000
	}
	if v, err := strconv.Atoi(os.Getenv("BENCH_PRIOR_CLAIMS")); err == nil && v > 0 {
		prior = v
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "dedupe.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if err := st.UpsertPartner(ctx, store.Partner{ID: "acme", Name: "acme"}); err != nil {
		b.Fatal(err)
	}
	f, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "seed", SHA256: strings.Repeat("a", 64), SpoolPath: "/dev/null"})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	claimFor := func(i int) *store.Claim {
		c := &store.Claim{InboundFileID: f.ID, PartnerID: "acme", CLM01: "PCN" + strconv.Itoa(i), ClaimType: "P", Frequency: "1",
			State: store.ClaimAccepted, BilledCents: int64(10000 + i%5000), PayerID: "88461", BillingNPI: "1234567893",
			MemberID: fmt.Sprintf("SYN%09d", i%200000), PatientLast: "DOE", PatientFirst: "JANE", PatientDOB: "19800101",
			ServiceFrom: fmt.Sprintf("2026%02d%02d", 1+i%12, 1+i%28), ServiceTo: fmt.Sprintf("2026%02d%02d", 1+i%12, 1+i%28),
			Lines: []store.ClaimLine{{LineNo: 1, Code: "A0428", Units: 1000, UnitType: "UN", ChargeCents: int64(10000 + i%5000)}}}
		c.ServiceFrom = c.ServiceTo
		c.Lines[0].ServiceFrom, c.Lines[0].ServiceTo = c.ServiceFrom, c.ServiceTo
		c.Fingerprint, c.SuspectKey = Fingerprint(c), SuspectKey(c)
		return c
	}
	const batch = 500
	for i := 0; i < prior; i += batch {
		var sb strings.Builder
		var args []any
		sb.WriteString(`INSERT INTO claims (inbound_file_id, partner_id, control_number, clm01, claim_type, frequency, state,
			billed_cents, payer_id, billing_npi, member_id, patient_last, patient_first, patient_dob, service_from, service_to,
			fingerprint, suspect_key, created_at, updated_at) VALUES `)
		for j := i; j < min(i+batch, prior); j++ {
			c := claimFor(j)
			if j > i {
				sb.WriteString(",")
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			now := time.Now().UTC()
			args = append(args, c.InboundFileID, c.PartnerID, FormatClaimControlNumber(int64(j+1)), c.CLM01, c.ClaimType, c.Frequency,
				c.State, c.BilledCents, c.PayerID, c.BillingNPI, c.MemberID, c.PatientLast, c.PatientFirst, c.PatientDOB,
				c.ServiceFrom, c.ServiceTo, c.Fingerprint, c.SuspectKey, now, now)
		}
		if _, err := st.DB().ExecContext(ctx, sb.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d prior claims in %s", prior, time.Since(start).Round(time.Millisecond))
	// setEnd checks a set's claims inside the set's transaction; so does
	// this benchmark (outside one, every lookup would also pay for its own
	// read transaction: the WAL read lock, taken with fcntl).
	const setSize = 100
	outcomes, i := map[store.ClaimState]int{}, 0
	for b.Loop() {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for range setSize {
				// Alternate a claim that duplicates history and one that does not.
				c := claimFor(i % prior)
				if i%2 == 1 {
					c.BilledCents++
					c.Lines[0].ChargeCents++
					c.Lines[0].Code = "A0425"
				}
				i++
				out, err := applyRules(ctx, tx.Queries, c)
				if err != nil {
					return err
				}
				outcomes[out.state]++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*setSize)/b.Elapsed().Seconds(), "claims/s")
	// Every unchanged claim duplicates its seed; every changed one (another
	// code) is neither a duplicate nor a suspect.
	if n := b.N * setSize; outcomes[store.ClaimDuplicate] != n/2 || outcomes[store.ClaimAccepted] != n/2 {
		b.Fatalf("outcomes of %d claims: %v; want half duplicate, half accepted", n, outcomes)
	}
}
