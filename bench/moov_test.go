package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/moov-io/x12/pkg/file"
	"github.com/moov-io/x12/pkg/loops"
	"github.com/moov-io/x12/pkg/segments"
	moovp "github.com/moov-io/x12/rule_5010_837p" // package rule_5010_837d in v0.1.0

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/synth"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// moov-io/x12 v0.1.0 is the comparison peer. Two limits of its 837P rules
// shape the input it gets:
//
//   - its 2000B loop requires a 2300 directly under the subscriber, so a
//     claim for a dependent (2000B with HL04 = 1, then a 2000C patient
//     loop and the 2300 under it) does not parse at all;
//   - it fails on transaction sets of more than about 250 claims.
//
// So the peer reads moovCompatible(an 837P with 100 claims per set), in
// which every dependent's claim has been folded into a subscriber-level
// claim, and our own front end is timed on exactly the same bytes for the
// ratio (BenchmarkMoov/ours vs BenchmarkMoov/moov).

// moovClaimsPerST is the set size moov-io/x12 is given.
const moovClaimsPerST = 100

// moovCompatible rewrites an 837P interchange written with the default
// delimiters (* : ^ ~, no line breaks) so that moov-io/x12 v0.1.0 can parse
// it: each 2000C patient loop is removed, its N3, N4 and DMG move to the
// 2010BA subscriber (which becomes the patient: HL04 0, SBR02 18), HL
// numbers are made consecutive again and SE01 is recomputed. The result is
// still a valid 837P for our validator.
func moovCompatible(data []byte) ([]byte, error) {
	d, err := delimitersOf(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if d != x12.DefaultDelimiters || bytes.ContainsAny(data, "\r\n") {
		return nil, errors.New("moov rewrite: want the default delimiters and no line breaks")
	}
	segs := strings.Split(strings.TrimSuffix(string(data), "~"), "~")
	var (
		out     strings.Builder
		set     []string          // ST.. of the current set
		hlNew   map[string]string // old HL01 -> new HL01
		hlNext  int
		sub     []string // a dependent's 2000B segments, held back
		patient []string // the 2010CA N3, N4, DMG to move into 2010BA
		inSub   bool     // inside a 2000B with HL04 = 1
		inPat   bool     // inside its 2000C
	)
	out.Grow(len(data))
	for _, seg := range segs {
		el := strings.Split(seg, "*")
		id := el[0]
		switch {
		case id == "ST":
			set, hlNew, hlNext = []string{seg}, map[string]string{}, 0
			continue
		case set == nil:
			out.WriteString(seg)
			out.WriteByte('~')
			continue
		case id == "SE":
			if inSub || inPat {
				return nil, fmt.Errorf("moov rewrite: set %s ends inside a dependent's loops", el[2])
			}
			set = append(set, "SE*"+strconv.Itoa(len(set)+1)+"*"+el[2])
			for _, s := range set {
				out.WriteString(s)
				out.WriteByte('~')
			}
			set = nil
			continue
		case id == "HL" && len(el) >= 4 && el[3] == "23":
			if !inSub {
				return nil, errors.New("moov rewrite: 2000C without a 2000B HL04 = 1")
			}
			inPat = true
			continue
		case id == "HL":
			hlNext++
			hlNew[el[1]] = strconv.Itoa(hlNext)
			el[1] = hlNew[el[1]]
			if el[2] != "" {
				el[2] = hlNew[el[2]]
			}
			if len(el) >= 5 && el[3] == "22" && el[4] == "1" {
				el[4] = "0"
				inSub, sub = true, []string{strings.Join(el, "*")}
				continue
			}
			set = append(set, strings.Join(el, "*"))
			continue
		case inPat:
			switch {
			case id == "PAT" || (id == "NM1" && el[1] == "QC"):
			case id == "N3" || id == "N4" || id == "DMG":
				patient = append(patient, seg)
			case id == "CLM":
				pr := len(sub) - 1 // NM1*PR closes the held-back 2000B
				if !strings.HasPrefix(sub[pr], "NM1*PR*") {
					return nil, fmt.Errorf("moov rewrite: dependent's 2000B ends with %q", sub[pr][:3])
				}
				set = append(set, sub[:pr]...)
				set = append(set, patient...)
				set = append(set, sub[pr], seg)
				sub, patient, inSub, inPat = nil, nil, false, false
			default:
				return nil, fmt.Errorf("moov rewrite: unexpected %s in 2000C", id)
			}
			continue
		case inSub:
			if id == "SBR" && len(el) > 2 && el[2] == "" {
				el[2] = "18"
				seg = strings.Join(el, "*")
			}
			sub = append(sub, seg)
			continue
		}
		set = append(set, seg)
	}
	if set != nil {
		return nil, errors.New("moov rewrite: input ends inside a transaction set")
	}
	return []byte(out.String()), nil
}

// moovParse parses and validates an 837P interchange with moov-io/x12.
func moovParse(data string, component string) (*file.Interchange, error) {
	ic := file.NewInterchange(&moovp.InterchangeRule)
	n, err := ic.Parse(data, component)
	if err != nil {
		return nil, fmt.Errorf("moov parse: %w", err)
	}
	if n != len(data) {
		return nil, fmt.Errorf("moov parse: stopped at byte %d of %d", n, len(data))
	}
	if err := ic.Validate(nil); err != nil {
		return nil, fmt.Errorf("moov validate: %w", err)
	}
	return ic, nil
}

// claimSummary is what both parsers must agree on for one claim.
type claimSummary struct {
	ID     string // CLM01
	Charge int64  // CLM02, cents
	Payer  string // 2010BB NM109
}

// moovClaims walks the loops moov-io/x12 built and returns its claims in
// input order. Its 837P tree: 2000A > 2000B > {2010BA, 2010BB, 2300...,
// 2000C > {2010CA, 2300...}}; CLM is the first segment of a 2300 loop and
// the payer the NM1*PR of the 2010BB loop under the same 2000B.
func moovClaims(ic *file.Interchange) ([]claimSummary, error) {
	var out []claimSummary
	var walk func(l *loops.CompositeLoop, payer string) error
	walk = func(l *loops.CompositeLoop, payer string) error {
		// The 2010BB comes before the claims of its 2000B.
		for i := range l.SubLoops {
			sl := &l.SubLoops[i]
			if sl.Name() != "2010BB" {
				continue
			}
			for _, s := range sl.Loop.Segments {
				if nm1, ok := s.(*segments.NM1); ok && nm1.EntityIdentifierCode == "PR" {
					payer = nm1.IdentificationCode
				}
			}
		}
		if l.Name() == "2300" {
			for _, s := range l.Loop.Segments {
				clm, ok := s.(*segments.CLM)
				if !ok {
					continue
				}
				cents, err := x12.ParseCents([]byte(clm.MonetaryAmount))
				if err != nil {
					return fmt.Errorf("claim %s: CLM02: %w", clm.ClaimSubmitterIdentifier, err)
				}
				out = append(out, claimSummary{ID: clm.ClaimSubmitterIdentifier, Charge: cents, Payer: payer})
			}
		}
		for i := range l.SubLoops {
			if err := walk(&l.SubLoops[i], payer); err != nil {
				return err
			}
		}
		return nil
	}
	for gi := range ic.FunctionalGroups {
		for ti := range ic.FunctionalGroups[gi].TransactionSets {
			ts := &ic.FunctionalGroups[gi].TransactionSets[ti]
			for li := range ts.Loops {
				if err := walk(&ts.Loops[li], ""); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// ourClaims decodes data with the full front end and returns its claims,
// failing unless the interchange is accepted without findings.
func ourClaims(data []byte) ([]claimSummary, error) {
	var out []claimSummary
	d := claim.NewDecoder(claim.Professional, func(c *claim.ClaimContext) error {
		out = append(out, claimSummary{ID: c.Claim.PatientControlNumber, Charge: c.Claim.TotalCharge, Payer: c.Claim.PayerID()})
		return nil
	})
	res, err := validateWith(context.Background(), bytes.NewReader(data), d)
	if err != nil {
		return nil, err
	}
	if res.Status() != 0 {
		return nil, fmt.Errorf("our validator: status %d: %s", res.Status(), firstFinding(res))
	}
	return out, d.Flush()
}

// moovInput returns the moov-compatible 837P used by the peer benchmark:
// synth with claims claims, 100 per set, rewritten by moovCompatible.
func moovInput(tb testing.TB, claims int) []byte {
	tb.Helper()
	in := generated(tb, synth.Config{Kind: synth.Professional, Claims: claims, Seed: benchSeed, ClaimsPerST: moovClaimsPerST})
	data, err := moovCompatible(in.data)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestMoovCompatible(t *testing.T) {
	var orig bytes.Buffer
	st, err := synth.Write(context.Background(), &orig, synth.Config{Kind: synth.Professional, Claims: 300, Seed: 7, ClaimsPerST: moovClaimsPerST})
	if err != nil {
		t.Fatal(err)
	}
	if st.Dependents == 0 {
		t.Fatal("the input has no 2000C loop: the rewrite is not exercised")
	}
	data, err := moovCompatible(orig.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rd := x12.NewReader(bytes.NewReader(data))
	for {
		seg, err := rd.Read()
		if err != nil {
			break
		}
		if seg.Is("PAT") || (seg.Is("HL") && seg.String(3) == "23") || (seg.Is("HL") && seg.String(4) == "1" && seg.String(3) == "22") {
			t.Errorf("rewritten file still has a dependent: segment %d %s", seg.Ordinal, seg.Tag())
		}
	}
	want, err := ourClaims(orig.Bytes())
	if err != nil {
		t.Fatalf("original: %v", err)
	}
	got, err := ourClaims(data)
	if err != nil {
		t.Fatalf("rewritten: %v", err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the rewrite changed the claims:\n got %v\nwant %v", got, want)
	}
}

// TestMoovCrossCheck reads the same 837P (300 claims, 100 per set) with
// moov-io/x12 and with our front end: both must accept it and find the
// same claims (CLM01, CLM02 and payer ID, in order).
func TestMoovCrossCheck(t *testing.T) {
	var orig bytes.Buffer
	if _, err := synth.Write(context.Background(), &orig, synth.Config{Kind: synth.Professional, Claims: 300, Seed: benchSeed, ClaimsPerST: moovClaimsPerST, Freq7: 0.05, Freq8: 0.02}); err != nil {
		t.Fatal(err)
	}
	data, err := moovCompatible(orig.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	ic, err := moovParse(string(data), ":")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := moovClaims(ic)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := ourClaims(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) != 300 || len(theirs) != len(ours) {
		t.Fatalf("claims: ours %d, moov %d, want 300", len(ours), len(theirs))
	}
	var total [2]int64
	payers := map[string]int{}
	for i := range ours {
		if ours[i] != theirs[i] {
			t.Errorf("claim %d: ours %+v, moov %+v", i, ours[i], theirs[i])
		}
		total[0] += ours[i].Charge
		total[1] += theirs[i].Charge
		payers[ours[i].Payer]++
	}
	if total[0] != total[1] || total[0] == 0 {
		t.Errorf("total charges: ours %d, moov %d cents", total[0], total[1])
	}
	if len(payers) < 2 {
		t.Errorf("payer IDs %v: want the file to use several", payers)
	}
}
