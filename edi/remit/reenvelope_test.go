package remit

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// received returns 835 sets as a payer sent them: written with other
// delimiters and CRLF line breaks, then read back with their segments.
func received(t *testing.T, rs ...Remittance) ([]*Remittance, []byte) {
	t.Helper()
	out := ack.OutboundEnvelope{Control: 77, GroupControl: 88, Time: time.Date(2026, 12, 6, 23, 5, 0, 0, time.UTC),
		SenderID: "PAYERX", ReceiverID: "ALLIANCECH", Suffix: "\r\n",
		Delimiters: x12.Delimiters{Element: '|', Repetition: '^', Component: '>', Segment: '~'}}
	data := write(t, rs, out)
	var sets []*Remittance
	if err := ReadSets(bytes.NewReader(data), func(r *Remittance, issues []ack.Issue) error {
		if len(issues) > 0 {
			t.Fatalf("received set has issues: %v", issues)
		}
		sets = append(sets, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return sets, data
}

func reenvelope(t *testing.T, sets []*Remittance) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Reenvelope(&buf, sets, testEnvelope()); err != nil {
		t.Fatalf("Reenvelope: %v", err)
	}
	return buf.Bytes()
}

// setBytes returns the ST..SE bytes of a decoded set in its input.
func setBytes(r *Remittance, data []byte) []byte {
	first, last := r.segs[0], r.segs[len(r.segs)-1]
	return data[first.Offset : last.Offset+int64(len(last.Raw()))+1]
}

func TestReenvelope(t *testing.T) {
	sets, data := received(t, payment())
	got := reenvelope(t, sets)
	golden(t, "reenvelope.835.golden", got)
	validateClean(t, got)
	if body := setBytes(sets[0], data); !bytes.Contains(got, body) {
		t.Errorf("the set's ST..SE is not in the output unchanged")
	}
	if !bytes.HasPrefix(got, []byte("ISA|00|")) || !bytes.Contains(got, []byte("GS|HP|ALLIANCECH|NORTHCLINIC|")) {
		t.Errorf("envelope not ours:\n%s", got)
	}
}

// Two received sets with the same ST02 (from two interchanges): the
// second is renumbered, ST02 and SE02 only.
func TestReenvelopeRenumbers(t *testing.T) {
	a, _ := received(t, payment())
	b, data := received(t, denial())
	sets := []*Remittance{a[0], b[0]}
	if a[0].ControlNumber != b[0].ControlNumber {
		t.Fatalf("fixture: ST02 %s and %s differ", a[0].ControlNumber, b[0].ControlNumber)
	}
	got := reenvelope(t, sets)
	golden(t, "reenvelope_renumbered.835.golden", got)
	validateClean(t, got)
	body := setBytes(b[0], data)
	// Everything between ST and SE is unchanged (the renumbered SE loses
	// the line break before it).
	inner := bytes.TrimRight(body[bytes.IndexByte(body, '~')+1:bytes.LastIndex(body, []byte("SE|"))], "\r\n")
	if !bytes.Contains(got, inner) {
		t.Errorf("the renumbered set's body changed")
	}
	if !bytes.Contains(got, []byte("ST|835|0002~")) {
		t.Errorf("second set not renumbered 0002:\n%s", got)
	}
}

func TestReenvelopeRefuses(t *testing.T) {
	sets, _ := received(t, payment())
	byHand := payment()
	old := *sets[0]
	old.Version = "004010X091A1"
	for _, tc := range []struct {
		name string
		sets []*Remittance
		want error
	}{
		{"none", nil, ErrEmpty},
		{"built by hand", []*Remittance{&byHand}, ErrNoSegments},
		{"4010", []*Remittance{&old}, ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Reenvelope(&buf, tc.sets, testEnvelope())
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes", buf.Len())
			}
		})
	}
}

// A set read with other delimiters is translated to the first set's.
func TestReenvelopeTranslates(t *testing.T) {
	a, _ := received(t, payment())
	var b []*Remittance
	if err := ReadSets(bytes.NewReader(write(t, []Remittance{denial()}, testEnvelope())), func(r *Remittance, _ []ack.Issue) error {
		b = append(b, r)
		return nil
	}); err != nil || len(b) != 1 {
		t.Fatalf("ReadSets: %v", err)
	}
	got := reenvelope(t, []*Remittance{a[0], b[0]})
	validateClean(t, got)
	if bytes.Contains(got, []byte("CLP*")) || !bytes.Contains(got, []byte("CLP|PCN1001|4|250|0||12|ALL26120700001|11|1~")) {
		t.Errorf("second set not translated to | delimiters:\n%s", got)
	}
}
