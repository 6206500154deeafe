package claim_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
)

// TestRewriteAsOriginal turns a replacement into an original (CLM05-3 "1",
// no REF*F8) on an 837P and an 837I: exactly the CLM is rewritten and the
// REF*F8 dropped, every other segment is kept byte for byte, and the
// re-decoded claim is the edited view.
func TestRewriteAsOriginal(t *testing.T) {
	tests := []struct {
		file, pcn string
		clm, want string // CLM before and after (trimmed)
		ref       string // the REF*F8 removed
	}{
		{"837p_basic.edi", "PCN1002", "CLM*PCN1002*75***11:B:7*Y*A*Y*Y", "CLM*PCN1002*75***11:B:1*Y*A*Y*Y", "REF*F8*ICN0000001"},
		{"837i_outpatient_dependent.edi", "", "", "", "REF*F8*PAYERICN3002"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, span := readSpan(t, tt.file)
			tx := decodeAll(t, data)[0]
			var c *claim.Claim
			for cc := range tx.Claims() {
				if cc.Claim.OriginalRef() != "" {
					c = cc.Claim
					break
				}
			}
			if c == nil {
				t.Fatal("no claim with a REF*F8 in the test file")
			}
			in := segments(t, span.data, span.delims)
			clm := tt.clm
			if clm == "" { // find it: the CLM of the claim
				for _, s := range in {
					if s := strings.TrimLeft(s, " \t\r\n"); strings.HasPrefix(s, "CLM*"+c.PatientControlNumber+"*") {
						clm = s
					}
				}
			}
			wantCLM := tt.want
			if wantCLM == "" {
				parts := strings.Split(clm, "*")
				comps := strings.Split(parts[5], ":")
				if comps[2] == "1" {
					t.Fatalf("test file claim is already an original: %s", clm)
				}
				comps[2] = "1"
				parts[5] = strings.Join(comps, ":")
				wantCLM = strings.Join(parts, "*")
			}
			if c.Frequency() == "1" {
				t.Fatalf("claim %s is already an original", c.PatientControlNumber)
			}
			must(t, c.SetFrequency("1"))
			n, err := c.RemoveRef("F8")
			must(t, err)
			if n != 1 {
				t.Errorf("RemoveRef removed %d REFs, want 1", n)
			}
			if c.Frequency() != "1" || c.OriginalRef() != "" {
				t.Errorf("edited view: frequency %q, REF*F8 %q; want 1 and none", c.Frequency(), c.OriginalRef())
			}
			// Expected: the input with the CLM replaced and the REF*F8 gone.
			var kept []string
			removed := 0
			for _, s := range in {
				if strings.TrimLeft(s, " \t\r\n") == tt.ref {
					removed++
					continue
				}
				kept = append(kept, s)
			}
			if removed != 1 {
				t.Fatalf("test bug: %s found %d times", tt.ref, removed)
			}
			want := expectSegments(t, kept, nil, map[string]string{clm: wantCLM})
			out := encode(t, tx, span.delims)
			if got := segments(t, out, span.delims); !reflect.DeepEqual(got, want) {
				t.Errorf("edited transaction:\n%s\nwant:\n%s", strings.Join(got, "~"), strings.Join(want, "~"))
			}
			re := decodeAll(t, wrapISA(data, out))
			var rc *claim.Claim
			for cc := range re[0].Claims() {
				if cc.Claim.PatientControlNumber == c.PatientControlNumber {
					rc = cc.Claim
				}
			}
			if rc == nil || rc.Frequency() != "1" || rc.OriginalRef() != "" {
				t.Fatalf("re-decoded claim %+v: want frequency 1 and no REF*F8", rc)
			}
			if !reflect.DeepEqual(jsonOf(t, rc), jsonOf(t, c)) {
				t.Errorf("re-decoded claim differs from edited view:\n got %s\nwant %s", jsonOf(t, rc), jsonOf(t, c))
			}
		})
	}
}

// TestSetFrequencyKeepsComponents checks CLM05-1 and CLM05-2 survive, a
// no-op edit leaves the set unmodified, and a delimiter is refused.
func TestSetFrequencyKeepsComponents(t *testing.T) {
	data, span := readSpan(t, "837i_inpatient.edi")
	tx := decodeAll(t, data)[0]
	var c *claim.Claim
	for cc := range tx.Claims() {
		c = cc.Claim
		break
	}
	facility, qual := c.FacilityCode, c.FacilityQualifier
	must(t, c.SetFrequency(c.Frequency()))
	if got := encode(t, tx, span.delims); string(got) != string(span.data) {
		t.Errorf("setting the same frequency changed the set:\n%s", got)
	}
	if err := c.SetFrequency("7*"); err == nil {
		t.Error("SetFrequency accepted a value with the element separator")
	}
	must(t, c.SetFrequency("7"))
	out := encode(t, tx, span.delims)
	re := decodeAll(t, wrapISA(data, out))
	for cc := range re[0].Claims() {
		rc := cc.Claim
		if rc.Frequency() != "7" || rc.FacilityCode != facility || rc.FacilityQualifier != qual {
			t.Errorf("CLM05 = %s:%s:%s, want %s:%s:7", rc.FacilityCode, rc.FacilityQualifier, rc.Frequency(), facility, qual)
		}
		break
	}
	if n, err := c.RemoveRef("F8"); err != nil || n != 0 {
		t.Errorf("RemoveRef on a claim without REF*F8 = %d, %v; want 0, nil", n, err)
	}
}
