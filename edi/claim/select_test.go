package claim_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// checkHierarchy verifies the HL numbering of an encoded transaction set:
// HL01 runs 1..n, HL02 names an earlier HL of the parent level (none for
// 2000A), HL04 is "1" exactly when a later HL names this one as parent,
// and SE01 counts the segments.
func checkHierarchy(t *testing.T, segs []string, elem byte) {
	t.Helper()
	type hl struct{ id, parent, level, child string }
	var hls []hl
	for _, s := range segs {
		f := strings.Split(strings.TrimLeft(s, " \t\r\n"), string(elem))
		if f[0] != "HL" {
			continue
		}
		for len(f) < 5 {
			f = append(f, "")
		}
		hls = append(hls, hl{f[1], f[2], f[3], f[4]})
	}
	if len(hls) == 0 {
		t.Fatal("no HL segments")
	}
	level := map[string]string{}
	parentLevel := map[string]string{"20": "", "22": "20", "23": "22"}
	for i, h := range hls {
		if h.id != strconv.Itoa(i+1) {
			t.Errorf("HL %d has HL01 %q", i+1, h.id)
		}
		if want := parentLevel[h.level]; want == "" {
			if h.parent != "" {
				t.Errorf("HL*%s level %s has parent %q", h.id, h.level, h.parent)
			}
		} else if level[h.parent] != want {
			t.Errorf("HL*%s level %s: parent %q is level %q, want %q", h.id, h.level, h.parent, level[h.parent], want)
		}
		level[h.id] = h.level
		hasChild := false
		for _, o := range hls[i+1:] {
			if o.parent == h.id {
				hasChild = true
			}
		}
		if want := map[bool]string{true: "1", false: "0"}[hasChild]; h.child != want {
			t.Errorf("HL*%s has HL04 %q, want %q", h.id, h.child, want)
		}
	}
	se := strings.Split(strings.TrimLeft(segs[len(segs)-1], " \t\r\n"), string(elem))
	if se[0] != "SE" || se[1] != strconv.Itoa(len(segs)) {
		t.Errorf("trailer %v, want SE01 = %d", se, len(segs))
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name  string
		keep  []string // CLM01 of the claims to keep
		wantH []string // the HL segments of the result
	}{
		{"claim of a dependent", []string{"PCN2001"}, []string{"HL*1**20*1", "HL*2*1*22*1", "HL*3*2*23*0"}},
		{"claim of a later subscriber", []string{"PCN2002"}, []string{"HL*1**20*1", "HL*2*1*22*0"}},
		{"all claims", []string{"PCN2001", "PCN2002"}, []string{"HL*1**20*1", "HL*2*1*22*1", "HL*3*2*23*0", "HL*4*1*22*0"}},
	}
	data, span := readSpan(t, "837p_dependent_cob.edi")
	in := segments(t, span.data, span.delims)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx := decodeAll(t, data)[0]
			sel := tx.Select(func(c *claim.Claim) bool {
				for _, k := range tt.keep {
					if c.PatientControlNumber == k {
						return true
					}
				}
				return false
			})
			if sel == nil {
				t.Fatal("Select returned nil")
			}
			var got []string
			for ctx := range sel.Claims() {
				got = append(got, ctx.Claim.PatientControlNumber)
			}
			if !reflect.DeepEqual(got, tt.keep) {
				t.Errorf("claims %v, want %v", got, tt.keep)
			}
			out := segments(t, encode(t, sel, span.delims), span.delims)
			checkHierarchy(t, out, span.delims.Element)
			var hls []string
			for _, s := range out {
				if strings.HasPrefix(s, "HL*") {
					hls = append(hls, s)
				}
			}
			if !reflect.DeepEqual(hls, tt.wantH) {
				t.Errorf("HL segments %q, want %q", hls, tt.wantH)
			}
			// Every segment except HL and SE is an input segment, in order.
			j := 0
			for _, s := range out[:len(out)-1] {
				if strings.HasPrefix(s, "HL*") {
					continue
				}
				for j < len(in) && in[j] != s {
					j++
				}
				if j == len(in) {
					t.Fatalf("segment %q is not an input segment in order", s)
				}
				j++
			}
			// The original transaction is unchanged.
			if got := encode(t, tx, span.delims); string(got) != string(span.data) {
				t.Error("Select changed the original transaction")
			}
		})
	}
	tx := decodeAll(t, data)[0]
	if sel := tx.Select(func(*claim.Claim) bool { return false }); sel != nil {
		t.Error("Select keeping no claim returned a transaction")
	}
}

// TestSelectCorpus keeps every other claim of each multi-claim 5010 corpus
// file and checks the hierarchy and the kept claims.
func TestSelectCorpus(t *testing.T) {
	checked := 0
	for _, kind := range []string{"837P", "837I"} {
		for _, f := range corpusFiles(t, kind) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			spans := setSpans(data)
			for i, tx := range decodeAll(t, data) {
				if claim.KindOf(tx.Version) == "" || !strings.HasPrefix(tx.Version, "005010") || i >= len(spans) {
					continue
				}
				var all []*claim.Claim
				for ctx := range tx.Claims() {
					all = append(all, ctx.Claim)
				}
				if len(all) < 2 {
					continue
				}
				keep := map[*claim.Claim]bool{}
				var want []string
				for j, c := range all {
					if j%2 == 1 {
						keep[c] = true
						want = append(want, jsonOf(t, c))
					}
				}
				sel := tx.Select(func(c *claim.Claim) bool { return keep[c] })
				var got []string
				for ctx := range sel.Claims() {
					got = append(got, jsonOf(t, ctx.Claim))
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s set %d: selected claims differ", f, i+1)
				}
				checkHierarchy(t, segments(t, encode(t, sel, spans[i].delims), spans[i].delims), spans[i].delims.Element)
				checked++
			}
		}
	}
	t.Logf("%d multi-claim transaction sets checked", checked)
	if checked == 0 {
		t.Fatal("no multi-claim 5010 sets in the corpus")
	}
}

// TestSelectSegments checks that SelectSegments keeps, edits and encodes
// exactly what Select does, for the first and every other claim of each
// 5010 set of the test data and of the corpus (when present), without
// decoding the kept claims.
func TestSelectSegments(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.edi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := corpustest.Optional(t); ok {
		files = append(files, corpusFiles(t, "837P")...)
		files = append(files, corpusFiles(t, "837I")...)
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		spans := setSpans(data)
		for i, tx := range decodeAll(t, data) {
			if claim.KindOf(tx.Version) == "" || !strings.HasPrefix(tx.Version, "005010") || i >= len(spans) {
				continue
			}
			keep := map[*claim.Claim]bool{}
			j := 0
			for ctx := range tx.Claims() {
				keep[ctx.Claim] = j%2 == 1 || j == 0
				j++
			}
			want := tx.Select(func(c *claim.Claim) bool { return keep[c] })
			got := tx.SelectSegments(func(c *claim.Claim) bool { return keep[c] })
			if got == nil && want == nil { // no claim in the set
				continue
			}
			if got == nil || want == nil {
				t.Fatalf("%s set %d: Select %v, SelectSegments %v", f, i+1, want != nil, got != nil)
			}
			if got.ControlNumber != want.ControlNumber || got.Submitter.Name != want.Submitter.Name ||
				got.Receiver.ID != want.Receiver.ID || got.Version != want.Version {
				t.Errorf("%s set %d: header %+v, want %+v", f, i+1, got, want)
			}
			if len(got.BillingProviders) != 0 {
				t.Errorf("%s set %d: SelectSegments decoded %d billing providers", f, i+1, len(got.BillingProviders))
			}
			for _, sel := range []*claim.Transaction{want, got} {
				if err := sel.SetSubmitter("US", claim.PartyIDQualifier, "US01"); err != nil {
					t.Fatal(err)
				}
				if err := sel.SetReceiver("THEM", claim.PartyIDQualifier, "THEM01"); err != nil {
					t.Fatal(err)
				}
			}
			if g, w := encode(t, got, spans[i].delims), encode(t, want, spans[i].delims); string(g) != string(w) {
				t.Errorf("%s set %d: SelectSegments encodes\n%s\nSelect\n%s", f, i+1, g, w)
			}
			if !reflect.DeepEqual(got.Submitter, want.Submitter) || !reflect.DeepEqual(got.Receiver, want.Receiver) {
				t.Errorf("%s set %d: parties %+v %+v, want %+v %+v", f, i+1, got.Submitter, got.Receiver, want.Submitter, want.Receiver)
			}
			checked++
		}
	}
	t.Logf("%d transaction sets checked", checked)
	if checked == 0 {
		t.Fatal("no 5010 sets with claims")
	}
}
