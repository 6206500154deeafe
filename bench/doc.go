// Package bench is the benchmark suite of the clearinghouse engine, kept in
// a module of its own so that the comparison peer (github.com/moov-io/x12)
// never enters the product's go.mod.
//
// The benchmarks run the X12 front end on deterministic synthetic 837P and
// 837I interchanges from edi/synth: 10 000 claims always, 1 000 000 more
// when BENCH_LARGE=1 (generated once into a cache directory and reused):
//
//	Tokenize        x12.Reader only
//	Decode          tokenizer + schema parser + streaming claim.Decoder
//	DecodeValidate  validate.Run with the claim.Decoder as handler (the full front end)
//	Encode          Transaction.Encode of whole decoded transactions
//	Moov            moov-io/x12 Parse + Validate, and ours on the same bytes
//
// TestMoovCrossCheck checks that both parsers read the same claims, and
// TestPeakRSS (BENCH_LARGE=1 only) validates a 1 GB 837P with the
// clearinghouse binary and checks its peak RSS.
//
// Usage (from the repository root; the summary table is printed by
// bench/cmd/benchsummary):
//
//	make bench                          # product benchmarks, then this suite, then the summary
//	BENCH_LARGE=1 make bench            # adds the 1 M-claim files and the 1 GB peak-RSS check
//	cd bench && GONOSUMDB=github.com/moov-io/x12 go test -run '^$' -bench . -cpu 1
package bench
