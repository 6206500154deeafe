// Package synth generates deterministic, streaming synthetic X12 837
// interchanges (837P 005010X222A1 and 837I 005010X223A2) for the gen
// command, benchmarks, load tests and seed data.
//
// All content is made up: invented names and addresses, member IDs "SYN…",
// NPIs with valid Luhn check digits (prefix 80840), HCPCS Level II or ZZ
// procedure codes (never CPT) and ICD-10-CM diagnoses. Every choice comes
// from math/rand/v2 PCG streams keyed by (Config.Seed, index), so the same
// Config gives byte-identical output on every platform, and memory does not
// grow with the number of claims: an earlier claim that a replacement, void
// or duplicate refers to is regenerated from its index, not remembered.
//
// Layout: one ISA/IEA; GS/GE groups of Config.STPerGS sets; ST/SE sets of
// Config.ClaimsPerST claims; one 2000B (plus a 2000C for about 20 % of
// claims) per claim, under a 2000A that is repeated whenever the billing
// provider changes. Control numbers: ISA13 = Config.ControlNumber, GS06 =
// 1, 2, 3…, ST02 = 0001, 0002… (unique across the file), BHT03 = ST02.
//
// Replacement (CLM05-3 = 7) and void (8) claims carry REF*F8 = the CLM01 of
// an earlier original; Manifest lists every claim's class, defect and
// original so tests can check what a consumer did with them. Members and
// WriteRosterCSV give the roster the claims were drawn from.
//
// Usage:
//
//	cfg := synth.Config{Kind: synth.Professional, Claims: 10_000, Seed: 42, Freq7: 0.02, Invalid: 0.01}
//	f, _ := os.Create("claims.837")
//	st, err := synth.Write(ctx, f, cfg)
//	// st.Claims == 10000; st.Invalid ≈ 100
//	_ = synth.WriteRosterCSV(ctx, rosterFile, cfg)
package synth
