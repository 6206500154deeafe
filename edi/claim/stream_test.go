package claim_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// TestStreamMatchesTransaction checks that the streaming decoder emits the
// same claims, parents and byte spans as the transaction decoder.
func TestStreamMatchesTransaction(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.edi")
	corpus, haveCorpus := corpustest.Optional(t)
	for _, kind := range []string{"837P", "837I"} {
		dir := filepath.Join(corpus, kind)
		if entries, err := os.ReadDir(dir); haveCorpus && err == nil {
			for _, e := range entries {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var want []*claim.ClaimContext
		for _, tx := range decodeAll(t, data) {
			for ctx := range tx.Claims() {
				want = append(want, ctx)
			}
		}
		got := streamAll(t, data)
		if len(got) != len(want) {
			t.Errorf("%s: streamed %d claims, transaction decoder %d", f, len(got), len(want))
			continue
		}
		for i := range got {
			g, w := got[i], want[i]
			if a, b := jsonOf(t, g.Claim), jsonOf(t, w.Claim); a != b {
				t.Errorf("%s claim %d differs:\nstream %s\n    tx %s", f, i+1, a, b)
			}
			if g.Start != w.Start || g.End != w.End {
				t.Errorf("%s claim %d: span [%d,%d), transaction decoder [%d,%d)", f, i+1, g.Start, g.End, w.Start, w.End)
			}
			if !bytes.HasPrefix(data[g.Start:], []byte("CLM")) || g.End <= g.Start || g.End > int64(len(data)) {
				t.Errorf("%s claim %d: bad span [%d,%d)", f, i+1, g.Start, g.End)
			}
			if a, b := contextSummary(t, g), contextSummary(t, w); a != b {
				t.Errorf("%s claim %d: context differs:\nstream %s\n    tx %s", f, i+1, a, b)
			}
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("no claims decoded")
	}
	t.Logf("%d claims compared", total)
}

// contextSummary renders the parents and accessors of a claim context.
func contextSummary(t testing.TB, c *claim.ClaimContext) string {
	var member *claim.Person
	if c.Subscriber != nil {
		member = &c.Subscriber.Member
	}
	var npi string
	if c.BillingProvider != nil {
		npi = c.BillingProvider.NPI
	}
	return jsonOf(t, []any{member, c.Payer, c.Patient != nil, npi, c.Transaction.ControlNumber,
		c.Transaction.Submitter, c.Claim.MemberID(), c.Claim.PayerID(), c.Claim.BillingNPI()})
}

// TestStreamSpans checks that a claim's span covers exactly its segments:
// from its CLM to the terminator of its last segment.
func TestStreamSpans(t *testing.T) {
	data, err := os.ReadFile("testdata/837i_inpatient.edi")
	if err != nil {
		t.Fatal(err)
	}
	got := streamAll(t, data)
	if len(got) != 1 {
		t.Fatalf("%d claims", len(got))
	}
	span := string(data[got[0].Start:got[0].End])
	if want := "CLM*ICN3001*6625***11:A:1**A*Y*Y~"; span[:len(want)] != want {
		t.Errorf("span starts %q", span[:len(want)])
	}
	if want := "SV2*0636*HC:J1100:JW*1125*UN*2.25**125~"; span[len(span)-len(want):] != want {
		t.Errorf("span ends %q", span[len(span)-len(want):])
	}
}

// repeatReader produces an 837P transaction set with n claims on the fly:
// a header, then the same subscriber + claim block n times with a new HL
// number each time, then SE/GE/IEA. It never holds more than one block.
type repeatReader struct {
	n, i  int
	buf   bytes.Buffer
	phase int
	segs  int
}

const repeatISA = "ISA*00*          *00*          *ZZ*SYNTHSUBMIT    *ZZ*CLEARINGHOUSE  *260115*1030*^*00501*000000777*0*T*:~"

var repeatHeader = []string{
	"GS*HC*SYNTHSUBMIT*CLEARINGHOUSE*20260115*1030*777*X*005010X222A1",
	"ST*837*0777*005010X222A1",
	"BHT*0019*00*BIG0001*20260115*1030*CH",
	"NM1*41*2*SYNTHETIC BILLING SERVICE*****46*SYN0001",
	"PER*IC*HELP DESK*TE*5555550100",
	"NM1*40*2*EXAMPLE REPRICER*****46*88461",
	"HL*1**20*1",
	"NM1*85*2*MAPLE CLINIC*****XX*1234567893",
	"N3*100 MAIN ST",
	"N4*MADISON*WI*537030000",
	"REF*EI*391234567",
}

// repeatLoops labels the segments of repeatHeader (after GS) and of one
// claim block.
var (
	repeatHeaderLoops = []string{"HEADER", "HEADER", "1000A", "1000A", "1000B", "2000A", "2010AA", "2010AA", "2010AA", "2010AA"}
	repeatBlockLoops  = []string{"2000B", "2000B", "2010BA", "2010BA", "2010BA", "2010BA", "2010BB", "2300", "2300", "2300", "2400", "2400", "2400", "2400"}
)

func repeatBlock(hl int) []string {
	h := strconv.Itoa(hl)
	return []string{
		"HL*" + h + "*1*22*0",
		"SBR*P*18*GRP1001******CI",
		"NM1*IL*1*DOE*JANE****MI*SYN" + h,
		"N3*1 ELM ST",
		"N4*MADISON*WI*537040000",
		"DMG*D8*19800101*F",
		"NM1*PR*2*THE EXAMPLE PLAN*****PI*88461",
		"CLM*PCN" + h + "*100.25***11:B:1*Y*A*Y*Y",
		"REF*D9*TRACE" + h,
		"HI*ABK:R51*ABF:Z0000",
		"LX*1",
		"SV1*HC:G0008:25*100.25*UN*1.5***1:2",
		"DTP*472*D8*20260105",
		"REF*6R*L" + h,
	}
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for r.buf.Len() == 0 {
		switch {
		case r.phase == 0:
			r.buf.WriteString(repeatISA + "\n")
			for i, s := range repeatHeader {
				r.buf.WriteString(s + "~\n")
				if i > 0 {
					r.segs++
				}
			}
			r.phase = 1
		case r.phase == 1 && r.i < r.n:
			for _, s := range repeatBlock(r.i + 2) {
				r.buf.WriteString(s + "~\n")
				r.segs++
			}
			r.i++
		case r.phase == 1:
			r.buf.WriteString("SE*" + strconv.Itoa(r.segs+1) + "*0777~\nGE*1*777~\nIEA*1*000000777~\n")
			r.phase = 2
		default:
			return 0, io.EOF
		}
	}
	return r.buf.Read(p)
}

// repeatEvents tokenizes a repeatReader and hands h each segment of the
// set with its loop label (the fixed layout makes a labeler unnecessary).
func repeatEvents(t testing.TB, n int, h schema.Handler, each func(claims int)) {
	t.Helper()
	rd := x12.NewReader(&repeatReader{n: n})
	pos, block := 0, 0
	for {
		seg, err := rd.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var e schema.Event
		switch id := seg.Tag(); {
		case id == "ISA" || id == "GS" || id == "GE" || id == "IEA":
			continue
		case id == "SE":
			e = schema.Event{Seg: seg, Loop: "TRAILER", NewLoop: true}
		case pos < len(repeatHeaderLoops):
			e = schema.Event{Seg: seg, Loop: repeatHeaderLoops[pos], NewLoop: pos == 0 || pos == 2 || pos == 4 || pos == 5 || pos == 6}
			pos++
		default:
			k := block % len(repeatBlockLoops)
			e = schema.Event{Seg: seg, Loop: repeatBlockLoops[k], NewLoop: k == 0 || k == 2 || k == 6 || k == 7 || k == 10}
			block++
			if k == 0 && each != nil {
				each(block / len(repeatBlockLoops))
			}
		}
		if err := h.HandleEvent(e); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStreamMemoryBounded feeds 200,000 claims through the streaming
// decoder and checks that the live heap does not grow with the number of
// claims (the decoder keeps nothing once a claim has been emitted).
func TestStreamMemoryBounded(t *testing.T) {
	const n = 200_000
	if testing.Short() {
		t.Skip("long input")
	}
	var emitted int
	var charge int64
	d := claim.NewDecoder(claim.Professional, func(c *claim.ClaimContext) error {
		emitted++
		charge += c.Claim.TotalCharge
		if c.Claim.Lines[0].Units != 1500 || c.Payer.ID != "88461" {
			t.Fatalf("claim %d decoded wrongly", emitted)
		}
		return nil
	})
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var base, peak uint64
	repeatEvents(t, n, d, func(claims int) {
		switch {
		case claims == 10_000:
			base = heap()
		case claims > 10_000 && claims%50_000 == 0:
			peak = max(peak, heap())
		}
	})
	must(t, d.Flush())
	if emitted != n {
		t.Fatalf("emitted %d claims, want %d", emitted, n)
	}
	if charge != n*10025 {
		t.Errorf("total charge %d, want %d", charge, n*10025)
	}
	// 190,000 retained claims would take well over 100 MB; allow 4 MiB of
	// noise.
	if peak > base+4<<20 {
		t.Errorf("heap grew from %d to %d bytes while streaming", base, peak)
	}
	t.Logf("heap at 10k claims %d bytes, peak after %d bytes", base, peak)
}
