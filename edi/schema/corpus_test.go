package schema

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// corpusDir is the shared sample corpus (see corpustest; tests that need
// it call corpustest.Missing when it is absent).
var corpusDir, _ = corpustest.Find()

type corpusFile struct {
	path    string // relative to corpusDir
	version string
	invalid bool
	notes   string
}

// readProvenance returns the 837 files of the corpus index.
func readProvenance(t *testing.T) []corpusFile {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "PROVENANCE.tsv"))
	if errors.Is(err, os.ErrNotExist) {
		corpustest.Missing(t, "shared corpus not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusFile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 13 || cols[0] == "file" || !strings.HasPrefix(cols[2], "837") {
			continue
		}
		out = append(out, corpusFile{path: cols[0], version: cols[3], invalid: cols[11] == "yes", notes: cols[12]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// setResult is what parsing one transaction set gave.
type setResult struct {
	control  string
	version  string
	segments int
	events   int
	unplaced int
	issues   []ack.Issue
}

// parseSets reads an interchange file and runs every 837 set whose version
// choose maps to a schema through a Parser. Sets without a schema are
// skipped.
func parseSets(t *testing.T, r io.Reader, choose func(version string) *Schema) []setResult {
	t.Helper()
	rd := x12.NewReader(r)
	var (
		out     []setResult
		p       *Parser
		cur     *setResult
		gsVer   string
		lastPos int
	)
	handler := HandlerFunc(func(e Event) error {
		cur.events++
		if e.Unplaced {
			cur.unplaced++
		} else if e.Loop == "" {
			t.Errorf("set %s: segment %s at %d placed without a loop", cur.control, e.Seg.Tag(), e.Seg.Position)
		}
		if e.Seg.Position != lastPos+1 {
			t.Errorf("set %s: event for position %d after %d", cur.control, e.Seg.Position, lastPos)
		}
		lastPos = e.Seg.Position
		return nil
	})
	finish := func() {
		if cur != nil && p != nil {
			cur.issues = p.Finish()
			out = append(out, *cur)
		}
		cur, p = nil, nil
	}
	for {
		seg, err := rd.Read()
		if err == io.EOF {
			break
		}
		var se *x12.SyntaxError
		if errors.As(err, &se) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case seg.Is("GS"):
			gsVer = seg.String(8)
		case seg.Is("ST"):
			finish()
			// The group's version picks the tables, as the envelope layer
			// does; ST03 is the fallback (a mismatch is an IK502 matter).
			v := gsVer
			s := choose(v)
			if s == nil {
				v = seg.String(3)
				s = choose(v)
			}
			if s == nil || seg.String(1) != s.SetID() {
				continue
			}
			cur = &setResult{control: seg.String(2), version: v}
			p = NewParser(s, handler)
			lastPos = 0
		}
		if p == nil || seg.Position == 0 {
			if seg.Is("GE") || seg.Is("IEA") {
				finish()
			}
			continue
		}
		cur.segments++
		if err := p.Segment(seg); err != nil {
			t.Fatal(err)
		}
		if seg.Is("SE") {
			finish()
		}
	}
	finish()
	return out
}

// exact maps a version to its schema.
func exact(version string) *Schema { return Lookup("837", version) }

// compat also maps the later errata versions (X222A2, X223A3) to the
// A1/A2 tables, to check the tables on more samples.
func compat(version string) *Schema {
	switch version {
	case "005010X222A2":
		return schema837P
	case "005010X223A3":
		return schema837I
	}
	return exact(version)
}

func TestCorpusDump(t *testing.T) {
	if os.Getenv("SCHEMA_CORPUS_DUMP") == "" {
		t.Skip("set SCHEMA_CORPUS_DUMP=1 to print every issue of every corpus 837")
	}
	for _, cf := range readProvenance(t) {
		f, err := os.Open(filepath.Join(corpusDir, cf.path))
		if err != nil {
			t.Fatal(err)
		}
		res := parseSets(t, f, compat)
		f.Close()
		for _, r := range res {
			for _, is := range r.issues {
				if is.SegmentID == "ST" && is.Element == 3 {
					continue
				}
				t.Logf("%s invalid=%v set %s: %s %s %q", cf.path, cf.invalid, r.control, is.Code, is, is.Value)
			}
		}
	}
}

// knownBad lists corpus files the source does not mark invalid but whose
// 837 bodies do break the implementation guide, with the reason (checked
// by hand). Each must still produce issues, so the list cannot go stale.
var knownBad = map[string]string{
	"837P/X12Parser__MedicaidExample.txt":            "placeholder data: BHT01 9999, CLM05-2 X, SV101-1 XX, no HI, CLM02 99.99 vs lines 109.98",
	"837P/X12Parser__MissingEntityCode.txt":          "same placeholder body as MedicaidExample plus an NM1 without NM101",
	"837P/module-ballerina-edi__edi-837_message.edi": "NM1 elements shifted (NM108/NM109 in NM104-NM106), HL*1*20*1 without HL02 slot, no HI or service line",
	"837P/module-ballerina-edi__edi-837_output.edi":  "same body as edi-837_message",
	"837P/X12.NET__ClaimPayment.txt":                 "2010AB pay-to address NM1 carries a name (NM103 not used)",
	"837P/X12.NET__ClaimPaymentEVV.txt":              "2010AB NM103 sent; CLM02 100 but the line charges sum to 50",
	"837P/kurtbuilds-x12__CHPW_Claimdata.txt":        "real file whose HL01 numbering does not start at 1 in each set",
	"837P/staedi__837-header-ref-only.edi":           "parser fixture: BHT01 DATA, header only, no loops",
	"837I/X12.NET__InstitutionalClaim.txt":           "CLM elements shifted one position (CLM04 holds CLM05), DTP*434 RD8 with a single date",
	"837I/X12Net__837I.edi":                          "skeleton body: ST BHT NM1 CLM CL1 SE",
	"837I/api-examples__837I-all-fields.dat":         "every field filled: 2000C under SBR02=18, HCP09/HCP10 at claim level, SVD03-8",
	"837I/stupidedi__X223A2_HC837_Health_Care_Claim_Institutional_pass_837-institutional-claim.edi": "DTP*434 RD8 with a single date (19960911)",
	"837I/vscode-edi-x12-support__odd-separator.edi":                                                "truncated: no SE or IEA, the last claim has no service line",
	// Placeholder NPIs that fail the check digit, 5-digit ZIPs where the
	// guides want ZIP+4 (billing provider, service facility), hyphenated
	// EINs: checked by hand against the rules (see rules.go).
	"837I/stupidedi__X223A2_HC837_Health_Care_Claim_Institutional_pass_out-of-network-repriced-claim.edi":        "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 2244224455 in 2310A (check digit)",
	"837I/stupidedi__X223A2_HC837_Health_Care_Claim_Institutional_pass_ppo-repriced-claim.edi":                   "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1257234346 in 2010AA (check digit)",
	"837I/stupidedi__X223A2_HC837_Health_Care_Claim_Institutional_pass_two-claims-for-the-same-provider.edi":     "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1234567890 in 2010AA (check digit), 5-digit ZIP 17111 in 2010AA, NPI 9999999999 in 2310A (check digit)",
	"837I/stupidedi__automobile-accident.edi":                                                                    "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 2365259638 in 2010AA (check digit), 5-digit ZIP 99998 in 2010AA, NPI 2533698543 in 2310A (check digit)",
	"837I/vscode-edi-x12-support__X223-837I-two-claims-for-the-same-provider.edi":                                "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1234567890 in 2010AA (check digit), 5-digit ZIP 17111 in 2010AA, NPI 9999999999 in 2310A (check digit)",
	"837I/vscode-edi-x12-support__complete.edi":                                                                  "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1234567890 in 2010AA (check digit), 5-digit ZIP 17111 in 2010AA, NPI 9999999999 in 2310A (check digit)",
	"837P/X12Parser__ST1309-XX.txt":                                                                              "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 9999999999 in 2010AA (check digit), NPI 9999999999 in 2310A (check digit), NPI 9999999999 in 2310B (check digit)",
	"837P/moov-io-x12__example_5010_837p_sample.txt":                                                             "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 123456789 in 2310A (not 10 digits), NPI 123456789 in 2310B (not 10 digits), NPI 123456789 in 2310C (not 10 digits), 5-digit ZIP 11119 in 2310C, ...",
	"837P/stupidedi__COB-claim-from-billing-provider-to-payer-a.edi":                                             "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1999996666 in 2010AA (check digit), 5-digit ZIP 33111 in 2010AA, NPI 1999996666 in 2310B (check digit), NPI 1581234567 in 2310C (check digit), ...",
	"837P/stupidedi__COB-claim-from-billing-provider-to-payer-b.edi":                                             "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1999996666 in 2010AA (check digit), 5-digit ZIP 33111 in 2010AA, 4-digit ZIP 3111 in 2010AB, NPI 1999996666 in 2310B (check digit), ...",
	"837P/stupidedi__COB-claim-from-payer-a-to-payer-b-in-payer-to-payer.edi":                                    "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1999996666 in 2010AA (check digit), 5-digit ZIP 33111 in 2010AA, NPI 1999996666 in 2310B (check digit), NPI 1581234567 in 2310C (check digit), ...",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_ambulance.edi":                             "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 2366554859 in 2010AA (check digit)",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_anesthesia.edi":                            "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 2366554859 in 2010AA (check digit), 5-digit ZIP 37232 in 2010AA, NPI 5678912345 in 2310B (check digit), NPI 432198765 in 2310C (not 10 digits), ...",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_chiropractic.edi":                          "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1234567890 in 2010AA (check digit), 5-digit ZIP 21236 in 2010AA",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_commercial-health-insurance.edi":           "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 9876543210 in 2010AA (check digit), 5-digit ZIP 33111 in 2010AA",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_drug-administered-in-the-phy_bb18636f.edi": "ID formats (ruleZip/ruleNPI/ruleEIN): 5-digit ZIP 89109 in 2010AA",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_home-infusion-therapy-pharma_aca45041.edi": "ID formats (ruleZip/ruleNPI/ruleEIN): 5-digit ZIP 60048 in 2010AA, EIN 10-1234567 in 2010AA",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_out-of-network-repriced-claim.edi":         "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1112223336 in 2310B (check digit)",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_oxygen.edi":                                "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 9992233334 in 2010AA (check digit), 5-digit ZIP 46224 in 2010AA, NPI 5555511111 in 2420E (check digit)",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_ppo-repriced-claim.edi":                    "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 1234567890 in 2010AA (check digit), NPI 9988776655 in 2310A (check digit)",
	"837P/stupidedi__X222A1_HC837_Health_Care_Claim_Professional_pass_wheelchair.edi":                            "ID formats (ruleZip/ruleNPI/ruleEIN): 5-digit ZIP 47904 in 2010AA, NPI 1111155555 in 2420E (check digit)",
	"837P/stupidedi__encounter.edi":                                                                              "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 9876543210 in 2010AA (check digit), 5-digit ZIP 33111 in 2010AA, NPI 5812345679 in 2310C (check digit), 5-digit ZIP 33111 in 2310C",
	"837P/stupidedi__home-infusion-therapy-pharmacy-_adjudicated-with-NDC-in-loop-2410_.edi":                     "ID formats (ruleZip/ruleNPI/ruleEIN): 5-digit ZIP 60048 in 2010AA, EIN 10-1234567 in 2010AA",
	"837P/stupidedi__medicare-secondary-payer-COB.edi":                                                           "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 0100000009 in 2010AA (check digit), 5-digit ZIP 21236 in 2010AA, NPI 9090909090 in 2310B (check digit)",
	"837P/x12-types__005010_837.edi":                                                                             "ID formats (ruleZip/ruleNPI/ruleEIN): NPI 9876543210 in 2010AA (check digit), 5-digit ZIP 33111 in 2010AA",
}

// x12ParserShared is the reason for every imsweb x12-parser fixture: they
// share one body that breaks the guide.
const x12ParserShared = "x12-parser fixtures share a body with HI*BK*8901 (HI01 split in two elements), HL01 2 twice with HL02 3, CLM02 500 vs lines 12.25, SBR02 missing"

// invalidWant is what the files their source marks invalid must produce:
// code and segment ID pairs. Files marked invalid whose only defect is in
// the envelope (ISA/SE) are listed with no pairs: the envelope layer
// reports those.
var invalidWant = map[string][][2]string{
	"837P/x12-parser__x12_bad_segment_identifier.txt":                            {{"1", ""}, {"1", "Nd4"}, {"1", "NM31"}},
	"837P/x12-parser__x12_bad_valid_code.txt":                                    {{"7", "NM1"}},
	"837P/x12-parser__x12_loop_errors1_exceeds_max_1_parent.txt":                 {{"4", "NM1"}},
	"837P/x12-parser__x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt": {{"4", "NM1"}},
	"837P/x12-parser__x12_loop_errors3_missing_loops.txt":                        {{"I7", "NM1"}},
	"837P/x12-parser__x12_segment_errors.txt":                                    {{"3", "N3"}, {"5", "REF"}, {"3", "HI"}},
	"837P/native-csharp-examples__837p_error.txt":                                {{"7", "PRV"}},
	"837P/x12-parser__x12_bad_first_line.txt":                                    nil, // ISA not 106 characters
	"837I/vscode-edi-x12-support__bad-header.edi":                                {{"7", "CLM"}},
}

func TestCorpus(t *testing.T) {
	files := readProvenance(t)
	var nfiles, nsets, nsegs int
	for _, cf := range files {
		if cf.version != "005010X222A1" && cf.version != "005010X223A2" && !cf.invalid {
			continue
		}
		t.Run(cf.path, func(t *testing.T) {
			f, err := os.Open(filepath.Join(corpusDir, cf.path))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res := parseSets(t, f, exact)
			if len(res) == 0 {
				if cf.invalid {
					t.Skip("no 5010 837 set in the file")
				}
				t.Fatal("no set parsed")
			}
			nfiles++
			var all []ack.Issue
			for _, r := range res {
				nsets++
				nsegs += r.segments
				if r.events != r.segments {
					t.Errorf("set %s: %d events for %d segments", r.control, r.events, r.segments)
				}
				all = append(all, r.issues...)
			}
			reason, bad := knownBad[cf.path]
			if strings.Contains(cf.path, "x12-parser__") && !cf.invalid {
				reason, bad = x12ParserShared, true
			}
			switch {
			case cf.invalid:
				want, ok := invalidWant[cf.path]
				if !ok {
					t.Fatalf("file marked invalid by its source has no expectation in invalidWant (%d issues)", len(all))
				}
				for _, w := range want {
					if !hasIssue(all, w[0], w[1]) {
						t.Errorf("no issue %s on %q:%s", w[0], w[1], describe(all))
					}
				}
				if want != nil && len(all) == 0 {
					t.Error("invalid file accepted")
				}
			case bad:
				if len(all) == 0 {
					t.Errorf("listed as known bad (%s) but no issue found: remove it from the list", reason)
				}
			default:
				if len(all) > 0 {
					t.Errorf("valid file has issues:%s", describe(all))
				}
			}
		})
	}
	t.Logf("%d files, %d sets, %d segments", nfiles, nsets, nsegs)
}

func hasIssue(issues []ack.Issue, code, segID string) bool {
	for _, is := range issues {
		if is.Code == code && is.SegmentID == segID {
			return true
		}
	}
	return false
}
