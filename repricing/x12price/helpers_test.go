package x12price_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

// schedulesDir holds the repository's synthetic schedules and contracts.
const schedulesDir = "../../testdata/schedules"

// repoEngine builds an engine over the repository's schedules, each CSV
// under its file name without ".csv", and contracts.yaml.
func repoEngine(t testing.TB) *repricing.Engine {
	t.Helper()
	return engineWith(t, filepath.Join(schedulesDir, "contracts.yaml"))
}

// engineWith is repoEngine with another contracts file.
func engineWith(t testing.TB, contracts string) *repricing.Engine {
	t.Helper()
	open := func(name string) *os.File {
		t.Helper()
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	sched := func(name string) *os.File { return open(filepath.Join(schedulesDir, name+".csv")) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	fee, err := repricing.LoadFeeSchedule(sched("fee_professional"))
	must(err)
	rvu, err := repricing.LoadRBRVSSchedule(sched("rbrvs"))
	must(err)
	gpci, err := repricing.LoadGPCITable(sched("gpci"))
	must(err)
	pd, err := repricing.LoadPerDiemSchedule(sched("perdiem"))
	must(err)
	drg, err := repricing.LoadDRGSchedule(sched("drg"))
	must(err)
	cr, err := repricing.LoadCaseRateSchedule(sched("case_rate"))
	must(err)
	tab, err := repricing.LoadContracts(open(contracts))
	must(err)
	src := &repricing.MemorySource{
		Fee: map[string]*repricing.FeeSchedule{"fee_professional": fee}, RBRVS: map[string]*repricing.RBRVSSchedule{"rbrvs": rvu},
		GPCI: map[string]*repricing.GPCITable{"gpci": gpci}, PerDiem: map[string]*repricing.PerDiemSchedule{"perdiem": pd},
		DRG: map[string]*repricing.DRGSchedule{"drg": drg}, CaseRate: map[string]*repricing.CaseRateSchedule{"case_rate": cr},
	}
	e, err := repricing.NewEngine(context.Background(), src, tab, nil)
	must(err)
	return e
}

// received is the repricer received date the tests write.
var received = time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)

// testOptions are the ApplyOptions of the golden files: references made
// of the set control number and the claim's position.
func testOptions(loc x12price.Location, c *claim.Claim) x12price.ApplyOptions {
	return x12price.ApplyOptions{
		OrgID:    "CLEARINGHOUSE",
		ClaimRef: fmt.Sprintf("RP%s%03d", loc.Set, loc.Claim),
		LineRefs: true,
		Received: received,
		Adjusted: x12price.IsAdjustment(c),
	}
}

// transactions decodes every 837 set of data.
func transactions(t testing.TB, data string) []*claim.Transaction {
	t.Helper()
	var txs []*claim.Transaction
	err := claim.ReadTransactions(strings.NewReader(data), func(tx *claim.Transaction, _ []ack.Issue) error {
		txs = append(txs, tx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) == 0 {
		t.Fatal("no 837 transaction set")
	}
	return txs
}

// claims returns the claims of every 837 set of data.
func claims(t testing.TB, data string) []*claim.ClaimContext {
	t.Helper()
	var out []*claim.ClaimContext
	for _, tx := range transactions(t, data) {
		for cc := range tx.Claims() {
			out = append(out, cc)
		}
	}
	return out
}

// segments splits X12 text with terminator '~' into its segments, each
// with the whitespace before it and its terminator; whitespace after the
// last terminator is dropped.
func segments(data []byte) []string {
	var out []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '~')
		if i < 0 {
			if len(bytes.TrimSpace(data)) > 0 {
				out = append(out, string(data))
			}
			break
		}
		out = append(out, string(data[:i+1]))
		data = data[i+1:]
	}
	return out
}

// repricerSegment reports whether seg (with its leading whitespace) is a
// segment Apply writes.
func repricerSegment(seg string) bool {
	s := strings.TrimLeft(seg, " \r\n\t")
	for _, p := range []string{"HCP*", "REF*9A*", "REF*9B*", "REF*9C*", "REF*9D*", "DTP*050*"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// checkUntouched fails unless out is in with only repricer segments added
// and SE segments (the segment count) changed: every other segment of in
// is in out byte for byte, in order, with its leading whitespace.
func checkUntouched(t *testing.T, in, out []byte) {
	t.Helper()
	a, b := segments(in), segments(out)
	i := 0
	for _, s := range b {
		switch {
		case i < len(a) && s == a[i]:
			i++
		case i < len(a) && strings.HasPrefix(strings.TrimLeft(s, " \r\n\t"), "SE*") &&
			strings.HasPrefix(strings.TrimLeft(a[i], " \r\n\t"), "SE*"):
			i++
		case repricerSegment(s):
		default:
			t.Fatalf("output segment %q is neither input segment %d %q nor a repricer segment", s, i+1, a[min(i, len(a)-1)])
		}
	}
	if i != len(a) {
		t.Fatalf("input segments from %d (%q) missing in the output", i+1, a[i])
	}
}
