package claim_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Synthetic parties written by the party edits in these tests.
const (
	newSubmitterName = "ALLIANCE REPRICING"
	newSubmitterID   = "CLEARINGHOUSE"
	newReceiverName  = "RELAY PARTNER"
	newReceiverID    = "RP0001"
)

// otherDelims are the delimiters the "|" variants of the testdata use.
var otherDelims = x12.Delimiters{Element: '|', Repetition: '!', Component: '>', Segment: '\''}

// readTestdata returns a testdata file with the replacements old -> new
// (pairs) applied to its bytes.
func readTestdata(t *testing.T, name string, oldnew ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(oldnew); i += 2 {
		if !bytes.Contains(data, []byte(oldnew[i])) {
			t.Fatalf("test bug: %s has no %q", name, oldnew[i])
		}
		data = bytes.ReplaceAll(data, []byte(oldnew[i]), []byte(oldnew[i+1]))
	}
	return data
}

// withOtherDelims rewrites an interchange written with * : ^ ~ (and
// values free of | > ! ') to otherDelims.
func withOtherDelims(data []byte) []byte {
	return []byte(strings.NewReplacer("*", "|", ":", ">", "^", "!", "~", "'").Replace(string(data)))
}

// partySeg is the NM1 a party edit must write, with delimiters d.
func partySeg(d x12.Delimiters, code, name, id string) string {
	e := string(d.Element)
	return "NM1" + e + code + e + "2" + e + name + e + e + e + e + e + "46" + e + id
}

// isParty reports whether the segment text s (leading whitespace trimmed)
// is an NM1 with entity code code.
func isParty(s string, d x12.Delimiters, code string) bool {
	e := string(d.Element)
	return strings.HasPrefix(s, "NM1"+e+code+e)
}

// encodeSet writes tx with EncodeSet, keeping its ST02.
func encodeSet(t *testing.T, tx *claim.Transaction, d x12.Delimiters) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := x12.NewWriter(&buf, d)
	must(t, claim.EncodeSet(w, tx, tx.ControlNumber))
	must(t, w.Flush())
	return buf.Bytes()
}

// validateNoIssues runs validate.Run over a whole interchange and fails on
// any finding.
func validateNoIssues(t *testing.T, data []byte) {
	t.Helper()
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatalf("validate.Run: %v", err)
	}
	if res.SetCount() == 0 {
		t.Fatal("validate.Run found no transaction set")
	}
	for _, is := range res.Issues {
		t.Errorf("file issue: %s", is)
	}
	for _, ic := range res.Interchanges {
		for _, is := range ic.Issues {
			t.Errorf("interchange issue: %s", is)
		}
		for _, g := range ic.Groups {
			for _, is := range g.Issues {
				t.Errorf("group issue: %s", is)
			}
			for _, s := range g.Sets {
				if !s.BodyChecked {
					t.Errorf("set %s: body not checked", s.Control)
				}
				for _, is := range s.Issues {
					t.Errorf("set %s: %s", s.Control, is)
				}
			}
		}
	}
	if res.Status() != 0 {
		t.Errorf("validate status %d, want 0", res.Status())
	}
}

func TestSetParties(t *testing.T) {
	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		kind   string
		person bool // the input's submitter is a person
	}{
		{name: "837P", kind: claim.Professional,
			data: func(t *testing.T) []byte { return readTestdata(t, "837p_basic.edi") }},
		{name: "837I indented", kind: claim.Institutional,
			data: func(t *testing.T) []byte { return readTestdata(t, "837i_inpatient.edi") }},
		{name: "837P person submitter", kind: claim.Professional, person: true,
			data: func(t *testing.T) []byte {
				return readTestdata(t, "837p_basic.edi",
					"NM1*41*2*SYNTHETIC BILLING SERVICE*****46*SYN0001~", "NM1*41*1*DOE*JOHN*Q***46*SYN0001~")
			}},
		{name: "837I other delimiters", kind: claim.Institutional,
			data: func(t *testing.T) []byte { return withOtherDelims(readTestdata(t, "837i_inpatient.edi")) }},
		{name: "837P CRLF", kind: claim.Professional,
			data: func(t *testing.T) []byte { return readTestdata(t, "837p_basic.edi", "~\n", "~\r\n") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			validateNoIssues(t, data) // the input is clean to begin with
			spans := setSpans(data)
			if len(spans) != 1 {
				t.Fatalf("%d sets, want 1", len(spans))
			}
			span := spans[0]
			d := span.delims
			tx := decodeAll(t, data)[0]
			if tx.Kind != tt.kind {
				t.Fatalf("kind %s, want %s", tx.Kind, tt.kind)
			}
			if got := tx.Submitter.Type == "1"; got != tt.person {
				t.Fatalf("submitter NM102 %q, person = %v", tx.Submitter.Type, tt.person)
			}
			contacts := tx.Submitter.Contacts
			if len(contacts) == 0 {
				t.Fatal("test bug: input has no 1000A PER")
			}
			bps := jsonOf(t, tx.BillingProviders)

			must(t, tx.SetSubmitter(newSubmitterName, claim.PartyIDQualifier, newSubmitterID))
			must(t, tx.SetReceiver(newReceiverName, "46", newReceiverID))
			wantSub := claim.Entity{Code: "41", Type: "2", Name: newSubmitterName, IDQualifier: "46", ID: newSubmitterID}
			wantRcv := claim.Entity{Code: "40", Type: "2", Name: newReceiverName, IDQualifier: "46", ID: newReceiverID}
			if tx.Submitter.Entity != wantSub || tx.Receiver.Entity != wantRcv {
				t.Errorf("model after edit: %+v / %+v", tx.Submitter.Entity, tx.Receiver.Entity)
			}
			if !reflect.DeepEqual(tx.Submitter.Contacts, contacts) {
				t.Errorf("submitter contacts changed: %+v", tx.Submitter.Contacts)
			}

			out := encodeSet(t, tx, d)
			in := segments(t, span.data, d)
			got := segments(t, out, d)
			if len(got) != len(in) {
				t.Fatalf("%d segments, want %d", len(got), len(in))
			}
			edited := 0
			for i := range in {
				text := strings.TrimLeft(in[i], " \t\r\n")
				lead := in[i][:len(in[i])-len(text)]
				want := in[i]
				switch {
				case isParty(text, d, "41"):
					want = lead + partySeg(d, "41", newSubmitterName, newSubmitterID)
					edited++
				case isParty(text, d, "40"):
					want = lead + partySeg(d, "40", newReceiverName, newReceiverID)
					edited++
				}
				if got[i] != want {
					t.Errorf("segment %d: %q, want %q", i+1, got[i], want)
				}
			}
			if edited != 2 {
				t.Errorf("%d party segments in the input, want 2", edited)
			}

			// The whole interchange with the edited set validates cleanly
			// and decodes to the new parties and the same claims.
			start := bytes.Index(data, span.data)
			whole := append(append(append([]byte{}, data[:start]...), out...), data[start+len(span.data):]...)
			validateNoIssues(t, whole)
			re := decodeAll(t, whole)
			if len(re) != 1 {
				t.Fatalf("re-decoded %d sets", len(re))
			}
			if re[0].Submitter.Entity != wantSub || re[0].Receiver.Entity != wantRcv {
				t.Errorf("re-decoded parties: %+v / %+v", re[0].Submitter.Entity, re[0].Receiver.Entity)
			}
			if !reflect.DeepEqual(re[0].Submitter.Contacts, contacts) {
				t.Errorf("re-decoded submitter contacts: %+v", re[0].Submitter.Contacts)
			}
			if got := jsonOf(t, re[0].BillingProviders); got != bps {
				t.Error("re-decoded claims differ from the input's")
			}

			// Editing again with the same values changes nothing.
			must(t, tx.SetSubmitter(newSubmitterName, "46", newSubmitterID))
			must(t, tx.SetReceiver(newReceiverName, "46", newReceiverID))
			if again := encodeSet(t, tx, d); !bytes.Equal(again, out) {
				t.Errorf("second edit changed the output\n%s", firstDiff(again, out))
			}
		})
	}
}

// TestSetPartiesTranslated checks that an edited set written with other
// delimiters than it was read with is translated like the rest.
func TestSetPartiesTranslated(t *testing.T) {
	data := withOtherDelims(readTestdata(t, "837p_basic.edi"))
	tx := decodeAll(t, data)[0]
	must(t, tx.SetSubmitter(newSubmitterName, "46", newSubmitterID))
	must(t, tx.SetReceiver(newReceiverName, "46", newReceiverID))
	out := string(encodeSet(t, tx, x12.DefaultDelimiters))
	for _, want := range []string{
		partySeg(x12.DefaultDelimiters, "41", newSubmitterName, newSubmitterID) + "~",
		partySeg(x12.DefaultDelimiters, "40", newReceiverName, newReceiverID) + "~",
		"PER*IC*HELP DESK*TE*5555550100*EM*HELP@EXAMPLE.TEST~",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestSetPartiesErrors(t *testing.T) {
	basic := func(t *testing.T) []byte { return readTestdata(t, "837p_basic.edi") }
	other := func(t *testing.T) []byte { return withOtherDelims(readTestdata(t, "837p_basic.edi")) }
	noReceiver := func(t *testing.T) []byte {
		return readTestdata(t, "837p_basic.edi", "NM1*40*2*EXAMPLE REPRICER*****46*88461~\n", "", "SE*42*", "SE*41*")
	}
	submitter := func(tx *claim.Transaction, name, qual, id string) error { return tx.SetSubmitter(name, qual, id) }
	receiver := func(tx *claim.Transaction, name, qual, id string) error { return tx.SetReceiver(name, qual, id) }
	tests := []struct {
		name            string
		data            func(t *testing.T) []byte
		edit            func(tx *claim.Transaction, name, qual, id string) error
		pname, qual, id string
		delim           bool // the error must be ErrDelimiter
	}{
		{"element separator in name", basic, submitter, "A*B", "46", "ID01", true},
		{"component separator in name", basic, receiver, "A:B", "46", "ID01", true},
		{"repetition separator in name", basic, submitter, "A^B", "46", "ID01", true},
		{"segment terminator in name", basic, receiver, "A~NM1*40*2*X", "46", "ID01", true},
		{"element separator in id", basic, receiver, "NAME", "46", "ID*01", true},
		{"segment terminator in id", basic, submitter, "NAME", "46", "ID01~SE*1*1", true},
		{"set's own separator", other, submitter, "A|B", "46", "ID01", true},
		{"set's own terminator", other, receiver, "NAME", "46", "ID'01", true},
		{"set's own component separator", other, receiver, "A>B", "46", "ID01", true},
		{"empty name", basic, submitter, "", "46", "ID01", false},
		{"blank name", basic, receiver, "   ", "46", "ID01", false},
		{"name of 61", basic, submitter, strings.Repeat("N", 61), "46", "ID01", false},
		{"id of 1", basic, receiver, "NAME", "46", "X", false},
		{"blank id", basic, submitter, "NAME", "46", "  ", false},
		{"id of 81", basic, submitter, "NAME", "46", strings.Repeat("9", 81), false},
		{"qualifier ZZ", basic, submitter, "NAME", "ZZ", "ID01", false},
		{"empty qualifier", basic, receiver, "NAME", "", "ID01", false},
		{"line break in name", basic, submitter, "A\nB", "46", "ID01", false},
		{"control character in id", basic, receiver, "NAME", "46", "ID\x0101", false},
		{"no 1000B loop", noReceiver, receiver, "NAME", "46", "ID01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			span := setSpans(data)[0]
			tx := decodeAll(t, data)[0]
			sub, rcv := tx.Submitter, tx.Receiver
			err := tt.edit(tx, tt.pname, tt.qual, tt.id)
			if err == nil {
				t.Fatal("edit succeeded")
			}
			if tt.delim != errors.Is(err, claim.ErrDelimiter) {
				t.Errorf("err = %v, ErrDelimiter wanted: %v", err, tt.delim)
			}
			if !reflect.DeepEqual(tx.Submitter, sub) || !reflect.DeepEqual(tx.Receiver, rcv) {
				t.Error("failed edit changed the model")
			}
			if got := encode(t, tx, span.delims); !bytes.Equal(got, span.data) {
				t.Errorf("failed edit changed the output\n%s", firstDiff(got, span.data))
			}
		})
	}
	// The set's delimiters decide: "*" is a plain character in a "|" set.
	tx := decodeAll(t, other(t))[0]
	must(t, tx.SetSubmitter("A*B", "46", "ID01"))
	// Guide limits are inclusive.
	tx = decodeAll(t, basic(t))[0]
	must(t, tx.SetSubmitter(strings.Repeat("N", 60), "46", strings.Repeat("9", 80)))
	must(t, tx.SetReceiver("N", "46", "99"))
}

func TestSetPartiesWithoutSegments(t *testing.T) {
	streamed := streamAll(t, readTestdata(t, "837p_basic.edi"))
	if len(streamed) == 0 {
		t.Fatal("no claims")
	}
	if err := streamed[0].Transaction.SetSubmitter("NAME", "46", "ID01"); !errors.Is(err, claim.ErrNoSegments) {
		t.Errorf("SetSubmitter on a streamed transaction: err = %v, want ErrNoSegments", err)
	}
	if err := (&claim.Transaction{}).SetReceiver("NAME", "46", "ID01"); !errors.Is(err, claim.ErrNoSegments) {
		t.Errorf("SetReceiver on a hand-built transaction: err = %v, want ErrNoSegments", err)
	}
}

// TestSetPartiesSelect checks that editing a Select result leaves the
// original transaction as it was, and that a Select after an edit keeps
// the edited parties.
func TestSetPartiesSelect(t *testing.T) {
	data := readTestdata(t, "837p_basic.edi")
	span := setSpans(data)[0]
	tx := decodeAll(t, data)[0]
	first := true
	sel := tx.Select(func(*claim.Claim) bool { ok := first; first = false; return ok })
	if sel == nil {
		t.Fatal("nothing selected")
	}
	must(t, sel.SetSubmitter(newSubmitterName, "46", newSubmitterID))
	must(t, sel.SetReceiver(newReceiverName, "46", newReceiverID))
	if got := encode(t, tx, span.delims); !bytes.Equal(got, span.data) {
		t.Errorf("editing the selection changed the original\n%s", firstDiff(got, span.data))
	}
	if tx.Submitter.Name == newSubmitterName {
		t.Error("editing the selection changed the original's model")
	}
	out := string(encodeSet(t, sel, span.delims))
	if !strings.Contains(out, partySeg(span.delims, "41", newSubmitterName, newSubmitterID)+"~") ||
		!strings.Contains(out, partySeg(span.delims, "40", newReceiverName, newReceiverID)+"~") {
		t.Errorf("selection lacks the edited parties:\n%s", out)
	}

	must(t, tx.SetReceiver(newReceiverName, "46", newReceiverID))
	sel2 := tx.Select(func(*claim.Claim) bool { return true })
	if sel2.Receiver.Entity != tx.Receiver.Entity {
		t.Errorf("select after edit: receiver %+v, want %+v", sel2.Receiver.Entity, tx.Receiver.Entity)
	}
}

// TestSetPartiesCorpus edits the parties of every 5010 837 set of the
// corpus and checks that exactly the 1000A/1000B NM1 segments change and
// that the output decodes to the new parties.
func TestSetPartiesCorpus(t *testing.T) {
	sets := 0
	for _, kind := range []string{"837P", "837I"} {
		for _, f := range corpusFiles(t, kind) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			spans := setSpans(data)
			for i, tx := range decodeAll(t, data) {
				if i >= len(spans) || !strings.HasPrefix(tx.Version, "005010") || claim.KindOf(tx.Version) == "" {
					continue
				}
				if tx.Submitter.Code != "41" || tx.Receiver.Code != "40" {
					continue // no 1000A/1000B to edit
				}
				d := spans[i].delims
				contacts := tx.Submitter.Contacts
				if err := tx.SetSubmitter(newSubmitterName, "46", newSubmitterID); err != nil {
					t.Errorf("%s set %d: SetSubmitter: %v", f, i+1, err)
					continue
				}
				if err := tx.SetReceiver(newReceiverName, "46", newReceiverID); err != nil {
					t.Errorf("%s set %d: SetReceiver: %v", f, i+1, err)
					continue
				}
				out := encode(t, tx, d)
				in := segments(t, spans[i].data, d)
				got := segments(t, out, d)
				if len(got) != len(in) {
					t.Errorf("%s set %d: %d segments, want %d", f, i+1, len(got), len(in))
					continue
				}
				header := true
				for j := range in {
					text := strings.TrimLeft(in[j], " \t\r\n")
					if strings.HasPrefix(text, "HL"+string(d.Element)) {
						header = false
					}
					if header && (isParty(text, d, "41") || isParty(text, d, "40")) {
						continue
					}
					if j == len(in)-1 && strings.HasPrefix(text, "SE"+string(d.Element)) {
						continue // SE01 is recounted
					}
					if got[j] != in[j] {
						t.Errorf("%s set %d: segment %d changed: %q -> %q", f, i+1, j+1, in[j], got[j])
					}
				}
				re := redecode(t, out, d, tx.Version)
				if re.Submitter.Name != newSubmitterName || re.Submitter.ID != newSubmitterID || re.Submitter.Type != "2" ||
					re.Submitter.First != "" || re.Receiver.Name != newReceiverName || re.Receiver.ID != newReceiverID {
					t.Errorf("%s set %d: re-decoded parties %+v / %+v", f, i+1, re.Submitter.Entity, re.Receiver.Entity)
				}
				if !reflect.DeepEqual(re.Submitter.Contacts, contacts) {
					t.Errorf("%s set %d: submitter contacts changed", f, i+1)
				}
				sets++
			}
		}
	}
	if sets == 0 {
		t.Fatal("no 5010 sets with 1000A/1000B in the corpus")
	}
	t.Logf("%d transaction sets edited", sets)
}
