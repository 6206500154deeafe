package forward_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/storesource"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

var demoFiles = []string{"acme-837p-20261120-01.x12", "acme-837i-20261120-01.x12"}

// testBundle is a store and spool holding the processed demo files.
type testBundle struct {
	st       *store.Store
	sp       *spool.Spool
	spoolDir string
	proc     *pipeline.Processor
	engine   *repricing.Engine
	now      time.Time
}

// setup processes the demo 837P and 837I files with the pipeline's
// Processor, so the claims sit in the store as the pipeline leaves them.
func setup(t *testing.T, url string, extra ...inboundFile) *testBundle {
	t.Helper()
	return setupWith(t, url, nil, extra...)
}

// setupWith is setup with the Processor's configuration adjusted by
// configure (which may read and write the store first, e.g. import a
// roster).
func setupWith(t *testing.T, url string, configure func(*store.Store, *pipeline.ProcessorConfig), extra ...inboundFile) *testBundle {
	t.Helper()
	st := dbtest.Open(t, store.Config{URL: url})
	spoolDir := filepath.Join(t.TempDir(), "spool")
	sp, err := spool.New(spoolDir)
	if err != nil {
		t.Fatal(err)
	}
	b := &testBundle{st: st, sp: sp, spoolDir: spoolDir, engine: loadEngine(t), now: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
	cfg := pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"}, Now: func() time.Time { return b.now },
		Logger: slog.New(slog.DiscardHandler)}
	if configure != nil {
		configure(st, &cfg)
	}
	b.proc = pipeline.NewProcessor(st, sp, cfg)
	files := make([]inboundFile, 0, len(demoFiles)+len(extra))
	for _, name := range demoFiles {
		files = append(files, inboundFile{name, readDemo(t, name)})
	}
	for _, in := range append(files, extra...) {
		b.process(t, in)
	}
	return b
}

// process records and processes one more inbound file; it must be
// processed.
func (b *testBundle) process(t *testing.T, in inboundFile) {
	t.Helper()
	ctx := context.Background()
	sf, err := b.sp.PutBytes(ctx, "inbound", in.data)
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := b.st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: in.name, SHA256: sf.SHA256, Size: sf.Size,
		SpoolPath: sf.Path, ReceivedAt: b.now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.proc.Process(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if res.State != store.InboundProcessed {
		t.Fatalf("%s: state %s (%s)", in.name, res.State, res.Error)
	}
}

// inboundFile is a file to process after the demo files.
type inboundFile struct {
	name string
	data []byte
}

// replacementFile is an 837P replacing the first demo claim (our
// CH000000000001): CLM05-3 7 and REF*F8, alone in its interchange.
func replacementFile(t *testing.T) inboundFile {
	t.Helper()
	return correctionFile(t, "acme-837p-replacement.x12", "7", "CH000000000001", 901)
}

// correctionFile is an 837P holding the first demo claim (CLM01
// PCN0045000000001) with CLM05-3 frequency and REF*F8 refF8, alone in an
// interchange with ISA13 and GS06 control.
func correctionFile(t *testing.T, name, frequency, refF8 string, control int) inboundFile {
	t.Helper()
	data := bytes.Replace(readDemo(t, demoFiles[0]), []byte("CLM*PCN0045000000001*793.9***11:B:1*"), []byte("CLM*PCN0045000000001*793.9***11:B:"+frequency+"*"), 1)
	isa, gs := fmt.Sprintf("%09d", control), strconv.Itoa(control)
	var out bytes.Buffer
	w := x12.NewWriter(&out, x12.DefaultDelimiters)
	w.Suffix = "\n"
	w.Write("ISA", "00", pad("", 10), "00", pad("", 10), "ZZ", pad("ACMEMED", 15), "ZZ", pad("CLEARINGHOUSE", 15),
		"261123", "0800", "^", "00501", isa, "0", "P", ":")
	w.Write("GS", "HC", "ACMEMED", "CLEARINGHOUSE", "20261123", "0800", gs, "X", "005010X222A1")
	sets := 0
	err := claim.ReadTransactions(bytes.NewReader(data), func(tx *claim.Transaction, _ []ack.Issue) error {
		var keep *claim.Claim
		for cc := range tx.Claims() {
			if cc.Claim.PatientControlNumber == "PCN0045000000001" {
				keep = cc.Claim
				if err := keep.SetRef("F8", refF8); err != nil {
					return err
				}
			}
		}
		if sel := tx.Select(func(c *claim.Claim) bool { return c == keep }); sel != nil {
			sets++
			return claim.EncodeSet(w, sel, "0001")
		}
		return nil
	})
	if err != nil || sets != 1 {
		t.Fatalf("build correction: %v (%d sets)", err, sets)
	}
	w.Write("GE", "1", gs)
	w.Write("IEA", "1", isa)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return inboundFile{name, out.Bytes()}
}

func readDemo(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "demo", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// loadEngine builds the repricing engine from testdata/schedules.
func loadEngine(t testing.TB) *repricing.Engine {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "schedules")
	eng, err := storesource.LoadDir(context.Background(), dir, filepath.Join(dir, "contracts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func (b *testBundle) forwarder(t *testing.T, routes []forward.Route, pricer forward.Pricer, max int) *forward.Forwarder {
	t.Helper()
	table, err := forward.NewTable(routes)
	if err != nil {
		t.Fatal(err)
	}
	f, err := forward.New(b.st, b.sp, table, pricer, forward.Config{Owner: "test", Identity: forward.Identity{ID: "CLEARINGHOUSE", Name: "REPRICER"},
		MaxClaimsPerFile: max, Now: func() time.Time { return b.now }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// claimsByCLM01 returns every stored claim by CLM01.
func (b *testBundle) claimsByCLM01(t *testing.T) map[string]store.Claim {
	t.Helper()
	out := map[string]store.Claim{}
	after := int64(0)
	for {
		page, err := b.st.ListClaims(context.Background(), store.ClaimFilter{AfterID: after, Limit: 1000, WithLines: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			out[c.CLM01] = c
		}
		if len(page) < 1000 {
			return out
		}
		after = page[len(page)-1].ID
	}
}

// sent is one claim as found in an outbound 837.
type sent struct {
	partner, file string
	claim         *claim.Claim
}

// outbound reads every queued 837: each must validate cleanly. It returns
// the claims found, by CLM01, and the files' names.
func (b *testBundle) outbound(t *testing.T) (map[string][]sent, []store.OutboundFile) {
	t.Helper()
	ctx := context.Background()
	files, err := b.st.ListOutbound(ctx, store.OutboundFilter{Kind: store.Kind837, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]sent{}
	for _, f := range files {
		data, err := os.ReadFile(f.SpoolPath)
		if err != nil {
			t.Fatal(err)
		}
		vres, err := validate.Run(ctx, bytes.NewReader(data), validate.Options{Supported: envelope.Claims})
		if err != nil {
			t.Fatal(err)
		}
		if vres.Status() != 0 {
			t.Errorf("%s for %s does not validate: %+v", f.Name, f.PartnerID, validate.Report(f.Name, vres))
		}
		if !bytes.HasPrefix(data, []byte("ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*"+pad(strings.ToUpper(f.PartnerID), 15)+"*")) {
			t.Errorf("%s: ISA = %.106s", f.Name, data)
		}
		err = claim.ReadTransactions(bytes.NewReader(data), func(tx *claim.Transaction, _ []ack.Issue) error {
			// 1000A is the repricer, 1000B the partner.
			wantRecv := strings.ToUpper(f.PartnerID)
			if tx.Submitter.Name != "REPRICER" || tx.Submitter.ID != "CLEARINGHOUSE" || tx.Receiver.Name != wantRecv || tx.Receiver.ID != wantRecv {
				t.Errorf("%s set %s: 1000A %s/%s 1000B %s/%s, want REPRICER/CLEARINGHOUSE and %s", f.Name, tx.ControlNumber,
					tx.Submitter.Name, tx.Submitter.ID, tx.Receiver.Name, tx.Receiver.ID, wantRecv)
			}
			for cc := range tx.Claims() {
				out[cc.Claim.PatientControlNumber] = append(out[cc.Claim.PatientControlNumber], sent{f.PartnerID, f.Name, cc.Claim})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out, files
}

func pad(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }

// expectedPrices prices the demo claims independently of the forwarder.
func (b *testBundle) expectedPrices(t *testing.T) map[string]*repricing.Result {
	t.Helper()
	out := map[string]*repricing.Result{}
	for _, name := range demoFiles {
		err := claim.ReadTransactions(bytes.NewReader(readDemo(t, name)), func(tx *claim.Transaction, _ []ack.Issue) error {
			for cc := range tx.Claims() {
				in := x12price.FromClaim(cc)
				res, err := b.engine.Price(&in)
				if err != nil {
					continue
				}
				out[cc.Claim.PatientControlNumber] = &res
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// partnerOfPayer is the demo routing, written out independently of
// DefaultRoutes.
var partnerOfPayer = map[string]string{"2712": "relayhealth", "1935": "relayhealth", "88461": "optum"}

func forwardable(c store.Claim) bool {
	return c.State == store.ClaimAccepted || c.State == store.ClaimSuspect
}

// checkSentOnce checks that each claim of before (by CLM01) that was
// forwardable is in exactly one of the 837s got holds, and the others in
// none.
func checkSentOnce(t *testing.T, before map[string]store.Claim, got map[string][]sent) {
	t.Helper()
	for clm01, c := range before {
		n := len(got[clm01])
		switch {
		case forwardable(c) && n != 1:
			t.Errorf("claim %s sent %d times, want once", clm01, n)
		case !forwardable(c) && n != 0:
			t.Errorf("claim %s (%s) sent %d times, want never", clm01, c.State, n)
		}
	}
}

func TestRunOnce(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			b := setup(t, be.URL(t))
			before := b.claimsByCLM01(t)
			want := map[string]string{} // CLM01 → partner
			for clm01, c := range before {
				if forwardable(c) {
					want[clm01] = partnerOfPayer[c.PayerID]
				}
			}
			if len(want) == 0 {
				t.Fatal("no forwardable claims in the demo files")
			}
			prices := b.expectedPrices(t)
			f := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0)
			res, err := f.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Forwarded != len(want) || res.Rejected != 0 || res.Skipped != 0 {
				t.Errorf("result = %+v, want %d forwarded", res, len(want))
			}
			got, files := b.outbound(t)
			// One file per partner and claim type: relayhealth P, relayhealth I, optum P, optum I.
			if len(files) != 4 || len(res.Files) != 4 {
				t.Errorf("%d files queued (%d in result), want 4", len(files), len(res.Files))
			}
			for clm01, partner := range want {
				s := got[clm01]
				if len(s) != 1 {
					t.Errorf("claim %s sent %d times, want once", clm01, len(s))
					continue
				}
				if s[0].partner != partner {
					t.Errorf("claim %s went to %s, want %s", clm01, s[0].partner, partner)
				}
				row := before[clm01]
				p := prices[clm01]
				cl := s[0].claim
				switch {
				case p == nil:
					if cl.Pricing != nil {
						t.Errorf("claim %s: unpriced claim has HCP %+v", clm01, cl.Pricing)
					}
				case cl.Pricing == nil:
					t.Errorf("claim %s: no HCP", clm01)
				default:
					if cl.Pricing.Allowed != p.Claim.AllowedCents || cl.Pricing.OrgID != "CLEARINGHOUSE" {
						t.Errorf("claim %s: HCP02 %d HCP04 %q, want %d CLEARINGHOUSE", clm01, cl.Pricing.Allowed, cl.Pricing.OrgID, p.Claim.AllowedCents)
					}
					qual := "9A"
					if row.Frequency == "7" || row.Frequency == "8" {
						qual = "9C"
					}
					if cl.Ref(qual) != row.ControlNumber {
						t.Errorf("claim %s: REF*%s = %q, want %s", clm01, qual, cl.Ref(qual), row.ControlNumber)
					}
					if d, ok := cl.Date("050"); !ok || d.Value != "20261123" {
						t.Errorf("claim %s: DTP*050 = %+v", clm01, d)
					}
				}
			}
			for clm01 := range got {
				if _, ok := want[clm01]; !ok {
					t.Errorf("claim %s (state %s) was forwarded", clm01, before[clm01].State)
				}
			}
			after := b.claimsByCLM01(t)
			for clm01 := range want {
				c, p := after[clm01], prices[clm01]
				if c.State != store.ClaimForwarded {
					t.Errorf("claim %s: state %s, want forwarded", clm01, c.State)
				}
				if p == nil {
					if c.AllowedCents != nil {
						t.Errorf("claim %s: unpriced but allowed %d", clm01, *c.AllowedCents)
					}
					continue
				}
				if c.AllowedCents == nil || *c.AllowedCents != p.Claim.AllowedCents {
					t.Errorf("claim %s: allowed %v, want %d", clm01, c.AllowedCents, p.Claim.AllowedCents)
				}
				for i, l := range c.Lines {
					if l.AllowedCents == nil || *l.AllowedCents != p.Lines[i].AllowedCents {
						t.Errorf("claim %s line %d: allowed %v, want %d", clm01, l.LineNo, l.AllowedCents, p.Lines[i].AllowedCents)
					}
				}
			}

			again, err := f.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if again.Forwarded != 0 || len(again.Files) != 0 {
				t.Errorf("second run = %+v, want nothing", again)
			}
			if _, files2 := b.outbound(t); len(files2) != len(files) {
				t.Errorf("second run: %d files queued, want %d", len(files2), len(files))
			}
		})
	}
}

// TestRunOnceBoundClaimsNotRebatched: a claim bound to a queued outbound
// file is never batched again, even when its state says accepted (as it
// did after a crash between queueing and marking, before both were one
// transaction): the rerun queues nothing.
func TestRunOnceBoundClaimsNotRebatched(t *testing.T) {
	ctx := context.Background()
	b := setup(t, dbtest.SQLiteURL(t))
	before := b.claimsByCLM01(t)
	f := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0)
	first, err := f.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.Forwarded == 0 {
		t.Fatal("nothing forwarded")
	}
	for _, c := range before {
		if forwardable(c) {
			if err := b.st.UpdateClaimState(ctx, c.ID, c.State, c.Reasons); err != nil {
				t.Fatal(err)
			}
			if id, err := b.st.OutboundFileOfClaim(ctx, c.ID); err != nil || id == nil {
				t.Errorf("claim %s: outbound file %v, %v; want it bound", c.ControlNumber, id, err)
			}
		}
	}
	b.now = b.now.Add(time.Minute)
	retry, err := f.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if retry.Forwarded != 0 || len(retry.Files) != 0 {
		t.Fatalf("retry = %+v; want nothing batched again", retry)
	}
	if _, files := b.outbound(t); len(files) != len(first.Files) {
		t.Errorf("%d files queued after the retry, want %d", len(files), len(first.Files))
	}
}

func TestRunOnceSplitsFiles(t *testing.T) {
	ctx := context.Background()
	b := setup(t, dbtest.SQLiteURL(t))
	f := b.forwarder(t, forward.DefaultRoutes(), nil, 5)
	res, err := f.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unpriced != res.Forwarded {
		t.Errorf("nil pricer: %d of %d unpriced", res.Unpriced, res.Forwarded)
	}
	got, files := b.outbound(t)
	perFile := map[string]int{}
	total := 0
	for clm01, s := range got {
		if len(s) != 1 {
			t.Errorf("claim %s sent %d times", clm01, len(s))
		}
		if s[0].claim.Pricing != nil {
			t.Errorf("claim %s priced without a pricer", clm01)
		}
		perFile[s[0].file]++
		total++
	}
	if total != res.Forwarded {
		t.Errorf("%d claims in files, %d forwarded", total, res.Forwarded)
	}
	for name, n := range perFile {
		if n > 5 {
			t.Errorf("%s holds %d claims, max 5", name, n)
		}
	}
	if len(files) <= 4 {
		t.Errorf("%d files for %d claims at 5 per file, want more than 4", len(files), total)
	}
}

func TestRunOnceRejectsUnroutable(t *testing.T) {
	ctx := context.Background()
	b := setup(t, dbtest.SQLiteURL(t))
	before := b.claimsByCLM01(t)
	// 88461 is not routed and 1935 is routed for 837P only: both reject.
	routes := []forward.Route{{PayerID: "2712", ClaimType: "P", Partner: "relayhealth"}, {PayerID: "1935", ClaimType: "P", Partner: "relayhealth"}}
	f := b.forwarder(t, routes, b.engine, 0)
	res, err := f.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := b.claimsByCLM01(t)
	rejected := 0
	for clm01, c := range before {
		if !forwardable(c) {
			if after[clm01].State != c.State {
				t.Errorf("claim %s: %s became %s", clm01, c.State, after[clm01].State)
			}
			continue
		}
		a := after[clm01]
		if c.PayerID == "2712" {
			if a.State != store.ClaimForwarded {
				t.Errorf("claim %s (2712): state %s, want forwarded", clm01, a.State)
			}
			continue
		}
		rejected++
		if a.State != store.ClaimRejected || a.Reasons != "A3:116" {
			t.Errorf("claim %s (%s/%s): state %s reasons %q, want rejected A3:116", clm01, c.PayerID, c.ClaimType, a.State, a.Reasons)
		}
	}
	if rejected == 0 || res.Rejected != rejected {
		t.Errorf("rejected %d, result %+v", rejected, res)
	}
}

// TestRunOnceCorrectedPartner sends a replacement whose original was
// forwarded to the route's CorrectedPartner, as received (frequency 7,
// REF*F8 naming the original).
func TestRunOnceCorrectedPartner(t *testing.T) {
	ctx := context.Background()
	b := setup(t, dbtest.SQLiteURL(t))
	routes := forward.DefaultRoutes()
	for i := range routes {
		routes[i].CorrectedPartner = "corrections"
	}
	f := b.forwarder(t, routes, b.engine, 0)
	if _, err := f.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	b.process(t, replacementFile(t))
	res, err := f.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Forwarded != 1 {
		t.Fatalf("second run %+v; want the replacement forwarded", res)
	}
	got, _ := b.outbound(t)
	var orig, repl *claim.Claim
	for _, s := range got["PCN0045000000001"] {
		switch {
		case s.partner == "optum" && orig == nil:
			orig = s.claim
		case s.partner == "corrections" && repl == nil:
			repl = s.claim
		default:
			t.Errorf("PCN0045000000001 also sent to %s in %s", s.partner, s.file)
		}
	}
	if orig == nil || repl == nil || orig.Frequency() != "1" {
		t.Fatalf("PCN0045000000001 sent %+v; want the original to optum and the replacement to corrections", got["PCN0045000000001"])
	}
	if r := repl; r.Frequency() != "7" || r.OriginalRef() != "CH000000000001" {
		t.Errorf("replacement sent with frequency %s REF*F8 %q; want 7 and CH000000000001", r.Frequency(), r.OriginalRef())
	}
}

var lookupTests = []struct {
	name, payer, typ string
	partner          string
	err              error
}{
	{"ProfessionalOn2712", "2712", "P", "relayhealth", nil},
	{"InstitutionalOn2712", "2712", "I", "", forward.ErrWrongClaimType},
	{"InstitutionalOn1935", "1935", "I", "relayhealth", nil},
	{"ProfessionalOn1935", "1935", "P", "", forward.ErrWrongClaimType},
	{"AnyOn88461P", "88461", "P", "optum", nil},
	{"AnyOn88461I", "88461", "I", "optum", nil},
	{"OuterSpacesTrimmed", " 88461 ", "I", "optum", nil},
	{"Unknown", "99999", "P", "", forward.ErrUnknownPayer},
	{"Empty", "", "P", "", forward.ErrUnknownPayer},
}

func TestLookup(t *testing.T) {
	table, err := forward.NewTable(forward.DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range lookupTests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := table.Lookup(tt.payer, tt.typ)
			if tt.err == nil {
				if err != nil || r.Partner != tt.partner {
					t.Fatalf("Lookup = %+v, %v; want %s", r, err, tt.partner)
				}
				return
			}
			var re *forward.RouteError
			if !errors.As(err, &re) || !errors.Is(err, tt.err) || re.Reason != forward.ReasonIncorrectPayer {
				t.Fatalf("Lookup error = %v, want RouteError wrapping %v with A3:116", err, tt.err)
			}
		})
	}
}

func TestLookupExactTypeWins(t *testing.T) {
	table, err := forward.NewTable([]forward.Route{{PayerID: "1", Partner: "any"}, {PayerID: "1", ClaimType: "I", Partner: "inst"}})
	if err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]string{"P": "any", "I": "inst"} {
		if r, err := table.Lookup("1", typ); err != nil || r.Partner != want {
			t.Errorf("Lookup(1, %s) = %+v, %v; want %s", typ, r, err, want)
		}
	}
}

var badRoutes = []struct {
	name   string
	routes []forward.Route
}{
	{"NoPayer", []forward.Route{{Partner: "ab"}}},
	{"NoPartner", []forward.Route{{PayerID: "1"}}},
	{"OneCharacterPartner", []forward.Route{{PayerID: "1", Partner: "a"}}},
	{"OneCharacterReceiverID", []forward.Route{{PayerID: "1", Partner: "ab", ReceiverID: "A"}}},
	{"DelimiterInReceiverName", []forward.Route{{PayerID: "1", Partner: "ab", ReceiverName: "A~B"}}},
	{"PipeInReceiverName", []forward.Route{{PayerID: "1", Partner: "ab", ReceiverName: "A|B"}}},
	{"BadType", []forward.Route{{PayerID: "1", ClaimType: "D", Partner: "aa"}}},
	{"Twice", []forward.Route{{PayerID: "1", Partner: "aa"}, {PayerID: "1", Partner: "bb"}}},
}

func TestNewTableErrors(t *testing.T) {
	for _, tt := range badRoutes {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := forward.NewTable(tt.routes); err == nil {
				t.Fatal("NewTable succeeded")
			}
		})
	}
}

func TestFileName(t *testing.T) {
	a := forward.FileName("P", []string{"CH000000000001", "CH000000000002", "CH000000000005"})
	b := forward.FileName("P", []string{"CH000000000001", "CH000000000003", "CH000000000005"})
	if !strings.HasPrefix(a, "837P-CH000000000001-CH000000000005-3-") || a == b {
		t.Errorf("FileName = %s and %s", a, b)
	}
	h := sha256.Sum256([]byte("CH000000000001\nCH000000000002\nCH000000000005"))
	if want := "837P-CH000000000001-CH000000000005-3-" + hex.EncodeToString(h[:4]) + ".x12"; a != want {
		t.Errorf("FileName = %s, want %s", a, want)
	}
}

// TestRunOnceMissingSpool leaves the claims of an inbound file whose
// spooled bytes are gone accepted, and forwards the others.
func TestRunOnceMissingSpool(t *testing.T) {
	ctx := context.Background()
	b := setup(t, dbtest.SQLiteURL(t))
	before := b.claimsByCLM01(t)
	var gone int64
	files, err := b.st.ListInbound(ctx, store.ListOpts{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name == demoFiles[1] {
			gone = f.ID
			if err := os.Remove(f.SpoolPath); err != nil {
				t.Fatal(err)
			}
		}
	}
	if gone == 0 {
		t.Fatal("837I file not recorded")
	}
	f := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0)
	res, err := f.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := b.claimsByCLM01(t)
	skipped, forwarded := 0, 0
	for clm01, c := range before {
		if !forwardable(c) {
			continue
		}
		want := store.ClaimForwarded
		if c.InboundFileID == gone {
			want = c.State
			skipped++
		} else {
			forwarded++
		}
		if after[clm01].State != want {
			t.Errorf("claim %s: state %s, want %s", clm01, after[clm01].State, want)
		}
	}
	if skipped == 0 || res.Skipped != skipped || res.Forwarded != forwarded {
		t.Errorf("result %+v, want %d skipped and %d forwarded", res, skipped, forwarded)
	}
}

var configTests = []struct {
	name string
	cfg  forward.Config
}{
	{"NoOwner", forward.Config{}},
	{"LongID", forward.Config{Owner: "o", Identity: forward.Identity{ID: "A234567890123456"}}},
	{"DelimiterInName", forward.Config{Owner: "o", Identity: forward.Identity{Name: "A*B"}}},
	{"PipeInName", forward.Config{Owner: "o", Identity: forward.Identity{Name: "A|B"}}},
	{"OneCharacterID", forward.Config{Owner: "o", Identity: forward.Identity{ID: "A"}}},
	{"BadUsage", forward.Config{Owner: "o", Usage: "X"}},
	{"NegativeMax", forward.Config{Owner: "o", MaxClaimsPerFile: -1}},
}

func TestNewConfigErrors(t *testing.T) {
	st := dbtest.OpenSQLite(t)
	sp, err := spool.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	table, err := forward.NewTable(forward.DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := forward.New(st, sp, table, nil, forward.Config{Owner: "o"}); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tt := range configTests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := forward.New(st, sp, table, nil, tt.cfg); err == nil {
				t.Fatal("New succeeded")
			}
		})
	}
}

// TestRunOnceSkipsSetWithClashingDelimiter forwards with a repricer name
// holding "&", which one received interchange uses as its repetition
// separator: that set's claim cannot carry our 1000A, so it is skipped and
// stays accepted, and every other claim is forwarded.
func TestRunOnceSkipsSetWithClashingDelimiter(t *testing.T) {
	ctx := context.Background()
	repl := replacementFile(t)
	repl.data = bytes.Replace(repl.data, []byte("*^*00501*"), []byte("*&*00501*"), 1)
	if bytes.Count(repl.data, []byte("&")) != 1 {
		t.Fatal("the replacement interchange should hold & only as ISA11")
	}
	b := setup(t, dbtest.SQLiteURL(t), repl)
	before := b.claimsByCLM01(t)
	table, err := forward.NewTable(forward.DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	f, err := forward.New(b.st, b.sp, table, b.engine, forward.Config{Owner: "test",
		Identity: forward.Identity{ID: "CLEARINGHOUSE", Name: "A&B REPRICER"},
		Now:      func() time.Time { return b.now }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := b.claimsByCLM01(t)
	want := 0
	for clm01, c := range before {
		if !forwardable(c) {
			continue
		}
		a := after[clm01]
		if c.Frequency == "7" {
			if a.State != c.State {
				t.Errorf("replacement %s: %s, want it left %s", clm01, a.State, c.State)
			}
			continue
		}
		want++
		if a.State != store.ClaimForwarded {
			t.Errorf("claim %s: %s, want forwarded", clm01, a.State)
		}
	}
	if res.Skipped != 1 || res.Forwarded != want {
		t.Errorf("result %+v, want 1 skipped and %d forwarded", res, want)
	}
}
