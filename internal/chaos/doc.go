// Package chaos is the fault-injection harness: its tests build the real
// clearinghouse binary, run it as child processes against dir: inboxes and
// outboxes on SQLite (and PostgreSQL when DATABASE_URL is set), inject
// faults (SIGKILL at the named points of internal/faultinject, PostgreSQL
// connection termination, a full disk, a partner server that is down,
// concurrent engines), drop new files between the fault and the rerun, and
// then check the exactly-once invariants on what the binary reports
// (`files --json`, `claims --json`) and what it delivered on disk:
//
//   - every claim in the delivered 837s is there exactly once, across all
//     partner outboxes, and the store says it went out;
//   - every claim the store calls forwarded was delivered (none lost);
//   - every transaction set has exactly one 999, every accepted set
//     exactly one 277CA;
//   - every claim that did not go out is explained (state and reasons);
//   - no inbound file is left received, processing, retrying, failed or
//     quarantined, and every input file was recorded once (with all its
//     claims) and archived;
//   - where the run is deterministic (one engine), the claims' states and
//     the acknowledgements equal those of a fault-free run on the same
//     input.
//
// The short version runs with `go test ./internal/chaos` (and `make test`);
// CHAOS_ITERATIONS=N runs N random faults more (`make chaos`). See
// docs/testing.md.
package chaos

import "bytes"

// Segments splits an X12 interchange into its segments (without the
// terminator, outer whitespace trimmed), using the element separator and
// segment terminator its ISA header declares. It returns nil when data
// does not start with an ISA header.
func Segments(data []byte) [][]string {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) < 106 || string(data[:3]) != "ISA" {
		return nil
	}
	elem, term := data[3], data[105]
	var segs [][]string
	for _, raw := range bytes.Split(data, []byte{term}) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		segs = append(segs, stringsOf(bytes.Split(raw, []byte{elem})))
	}
	return segs
}

func stringsOf(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}
