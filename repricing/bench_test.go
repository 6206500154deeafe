package repricing

import "testing"

// benchClaims is a mix shaped like the synthetic generator's output: 837P
// lesser-of and RBRVS claims with several lines, percent-of-charges claims
// and 837I per diem and DRG claims, over the repository's schedules.
func benchClaims() []Claim {
	fee := func(dos Date) Claim {
		c := prof("2712",
			Line{ProcedureCode: "A0428", ChargeCents: 45000},
			Line{ProcedureCode: "A0425", Units: 12000, ChargeCents: 12000},
			Line{ProcedureCode: "E0114", Modifiers: []string{"RR"}, ChargeCents: 6000},
			Line{ProcedureCode: "G0008", ChargeCents: 4000},
			Line{ProcedureCode: "J3420", ChargeCents: 3001},
			Line{ProcedureCode: "L3000", Modifiers: []string{"RT"}, Units: 2000, ChargeCents: 30000},
		)
		c.StatementFrom, c.StatementTo = dos, dos
		return c
	}
	rb := prof("2712",
		Line{ProcedureCode: "ZZ003", ChargeCents: 15000},
		Line{ProcedureCode: "ZZ004", Modifiers: []string{"26"}, ChargeCents: 15000},
		Line{ProcedureCode: "ZZ006", POS: "22", ChargeCents: 25000},
		Line{ProcedureCode: "A0428", ChargeCents: 45000},
	)
	rb.BillingTIN = "990000001"
	pd := inpatient("1935",
		Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 540000},
		Line{RevenueCode: "0250", ChargeCents: 12000},
		Line{RevenueCode: "0300", ProcedureCode: "ZZ002", ChargeCents: 9000},
	)
	drg := inpatient("1935", Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 2000000},
		Line{RevenueCode: "0636", ProcedureCode: "J1100", Units: 4000, ChargeCents: 4000})
	drg.BillingNPI, drg.DRG = npiB, "470"
	return []Claim{
		fee(20240315), fee(20250615), fee(20260301), rb,
		prof("88461", Line{ProcedureCode: "A0428", ChargeCents: 45000}, Line{ProcedureCode: "ZZ002", ChargeCents: 9000}),
		pd, drg,
	}
}

// BenchmarkPriceLines reports service lines priced per second on one
// goroutine (run with -cpu 1); PriceInto reuses one Result.
func BenchmarkPriceLines(b *testing.B) {
	e := loadRepoSchedules(b)
	claims := benchClaims()
	var r Result
	for i := range claims {
		if err := e.PriceInto(&claims[i], &r); err != nil {
			b.Fatal(err)
		}
	}
	lines := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &claims[i%len(claims)]
		if err := e.PriceInto(c, &r); err != nil {
			b.Fatal(err)
		}
		lines += len(c.Lines)
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkPrice is Price allocating a fresh Result per claim.
func BenchmarkPrice(b *testing.B) {
	e := loadRepoSchedules(b)
	claims := benchClaims()
	lines := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &claims[i%len(claims)]
		if _, err := e.Price(c); err != nil {
			b.Fatal(err)
		}
		lines += len(c.Lines)
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}
