package status277_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
	"github.com/clearinghouse/clearinghouse/edi/status277"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// write runs Write and fails the test on error.
func write(t *testing.T, acks []status277.Acknowledgment, out ack.OutboundEnvelope) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := status277.Write(&buf, acks, out); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func TestWriteGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			got := write(t, tc.acks(), outbound())
			validtest.Golden(t, filepath.Join("testdata", tc.name+".277.golden"), got, *update)
		})
	}
}

// validateClean runs the whole validator (envelope and the X214 table)
// over data and fails on any finding.
func validateClean(t *testing.T, data []byte) {
	t.Helper()
	validtest.Clean(t, data)
}

func TestWriteValidates(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			validateClean(t, write(t, tc.acks(), outbound()))
		})
	}
	t.Run("default_delimiters_no_suffix", func(t *testing.T) {
		out := outbound()
		out.Suffix = ""
		validateClean(t, write(t, mixed(), out))
	})
	t.Run("all_cases_one_interchange", func(t *testing.T) {
		var acks []status277.Acknowledgment
		for _, tc := range goldenCases {
			acks = append(acks, tc.acks()...)
		}
		out := outbound()
		out.SetControl = 9998 // ST02 grows past four digits
		data := write(t, acks, out)
		validateClean(t, data)
		if n := bytes.Count(data, []byte("\nST*277*")); n != len(acks) {
			t.Errorf("%d sets written, want %d", n, len(acks))
		}
		if !bytes.Contains(data, []byte("GE*"+strconv.Itoa(len(acks))+"*1301~")) {
			t.Errorf("GE01 is not %d", len(acks))
		}
		if !bytes.Contains(data, []byte("ST*277*10000*005010X214~")) {
			t.Error("no set numbered 10000")
		}
	})
}

// level is what one receiver (HL 21) or provider (HL 19) level says
// about its claims, and what its claims say.
type level struct {
	id  string           // HL03
	qty map[string]int64 // QTY01 -> QTY02
	amt map[string]int64 // AMT01 -> cents
	stc int64            // STC04 of the level's STC
	sum status277.Totals // recomputed from the claim STCs below it
}

// checker is the part of *testing.T recount uses.
type checker interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// recount parses a written 277CA with x12.Reader and checks, for every
// set and every provider, that QTY/AMT/STC04 equal the counts and sums of
// the claim STCs below them. It returns the totals per set.
func recount(t checker, data []byte) []status277.Totals {
	t.Helper()
	rd := x12.NewReader(bytes.NewReader(data))
	var (
		sets      []status277.Totals
		recv, prv *level
		hl03      string
		firstSTC  bool // the next STC is the first of its 2200D
	)
	newLevel := func(id string) *level {
		return &level{qty: map[string]int64{}, amt: map[string]int64{}, id: id}
	}
	closeLevel := func(l *level, accQ, rejQ string) {
		if l == nil {
			return
		}
		if l.qty[accQ] != int64(l.sum.Accepted) || l.qty[rejQ] != int64(l.sum.Rejected) {
			t.Errorf("HL %s: QTY %s/%s = %d/%d, claims accepted/rejected %d/%d", l.id, accQ, rejQ,
				l.qty[accQ], l.qty[rejQ], l.sum.Accepted, l.sum.Rejected)
		}
		if l.amt["YU"] != l.sum.AcceptedCents || l.amt["YY"] != l.sum.RejectedCents {
			t.Errorf("HL %s: AMT YU/YY = %d/%d cents, claim charges %d/%d", l.id, l.amt["YU"], l.amt["YY"],
				l.sum.AcceptedCents, l.sum.RejectedCents)
		}
		if l.stc != l.sum.AcceptedCents+l.sum.RejectedCents {
			t.Errorf("HL %s: STC04 = %d cents, claim charges total %d", l.id, l.stc, l.sum.AcceptedCents+l.sum.RejectedCents)
		}
		for q := range l.qty {
			if q != accQ && q != rejQ {
				t.Errorf("HL %s: unexpected QTY*%s", l.id, q)
			}
		}
		// Zero counts are left out, not written as 0.
		for k, n := range l.qty {
			if n == 0 {
				t.Errorf("HL %s: QTY*%s*0 written", l.id, k)
			}
		}
		if _, ok := l.amt["YU"]; ok && l.sum.Accepted == 0 {
			t.Errorf("HL %s: AMT*YU written without accepted claims", l.id)
		}
		if _, ok := l.amt["YY"]; ok && l.sum.Rejected == 0 {
			t.Errorf("HL %s: AMT*YY written without rejected claims", l.id)
		}
	}
	cents := func(b []byte) int64 {
		v, err := x12.ParseCents(b)
		if err != nil {
			t.Fatalf("amount %q: %v", b, err)
		}
		return v
	}
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		switch {
		case seg.Is("ST"):
			recv, prv = nil, nil
		case seg.Is("HL"):
			hl03 = seg.String(3)
			switch hl03 {
			case "21":
				recv = newLevel("21")
			case "19":
				closeLevel(prv, "QA", "QC")
				prv = newLevel("19")
			}
		case seg.Is("TRN"):
			firstSTC = hl03 == "PT"
		case seg.Is("SVC"):
			firstSTC = false
		case seg.Is("STC"):
			charge := seg.Element(4)
			switch {
			case hl03 == "21" && recv.stc == 0:
				recv.stc = cents(charge)
			case hl03 == "19" && prv.stc == 0:
				prv.stc = cents(charge)
			case hl03 == "PT" && firstSTC:
				firstSTC = false
				c := cents(charge)
				var d status277.Totals
				switch seg.String(3) {
				case "WQ":
					d = status277.Totals{Accepted: 1, AcceptedCents: c}
				case "U":
					d = status277.Totals{Rejected: 1, RejectedCents: c}
				default:
					t.Errorf("claim STC03 %q", seg.String(3))
				}
				for _, l := range []*level{recv, prv} {
					l.sum.Accepted += d.Accepted
					l.sum.Rejected += d.Rejected
					l.sum.AcceptedCents += d.AcceptedCents
					l.sum.RejectedCents += d.RejectedCents
				}
			}
		case seg.Is("QTY"), seg.Is("AMT"):
			l := recv
			if hl03 == "19" {
				l = prv
			}
			if hl03 != "21" && hl03 != "19" {
				t.Errorf("%s outside 2200B/2200C", seg.Tag())
				continue
			}
			if seg.Is("QTY") {
				n, err := strconv.ParseInt(seg.String(2), 10, 64)
				if err != nil {
					t.Fatalf("QTY02 %q", seg.String(2))
				}
				l.qty[seg.String(1)] = n
			} else {
				l.amt[seg.String(1)] = cents(seg.Element(2))
			}
		case seg.Is("SE"):
			closeLevel(prv, "QA", "QC")
			closeLevel(recv, "90", "AA")
			sets = append(sets, recv.sum)
		}
	}
	return sets
}

func TestWriteBalances(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			acks := tc.acks()
			got := recount(t, write(t, acks, outbound()))
			if len(got) != len(acks) {
				t.Fatalf("%d sets parsed, want %d", len(got), len(acks))
			}
			// Independent of the writer: count the input claims.
			for i, a := range acks {
				var want status277.Totals
				for _, p := range a.Providers {
					for _, c := range p.Claims {
						if c.Accepted {
							want.Accepted++
							want.AcceptedCents += c.ChargeCents
						} else {
							want.Rejected++
							want.RejectedCents += c.ChargeCents
						}
					}
				}
				if got[i] != want {
					t.Errorf("set %d: output totals %+v, input claims %+v", i+1, got[i], want)
				}
				if tot := acks[i].Totals(); tot != want {
					t.Errorf("set %d: Acknowledgment.Totals() = %+v, want %+v", i+1, tot, want)
				}
			}
		})
	}
}

// TestRecountCatchesImbalance makes sure the balance check can fail: a
// tampered AMT*YU must be reported.
func TestRecountCatchesImbalance(t *testing.T) {
	data := write(t, allAccepted837P(), outbound())
	bad := bytes.Replace(data, []byte("AMT*YU*1115.75~"), []byte("AMT*YU*1115.74~"), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("fixture has no AMT*YU*1115.75")
	}
	rec := &recorder{}
	func() {
		defer func() { _ = recover() }()
		recount(rec, bad)
	}()
	if !rec.failed {
		t.Error("tampered AMT*YU not detected")
	}
}

// segments returns the segments of data as strings (ISA..IEA).
func segments(t *testing.T, data []byte) [][]string {
	t.Helper()
	rd := x12.NewReader(bytes.NewReader(data))
	var out [][]string
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		e := []string{seg.Tag()}
		for i := 1; i <= seg.Len(); i++ {
			e = append(e, seg.String(i))
		}
		out = append(out, e)
	}
}

// find returns the first segment with the given ID and first element.
func find(segs [][]string, id, e1 string) []string {
	for _, s := range segs {
		if s[0] == id && len(s) > 1 && s[1] == e1 {
			return s
		}
	}
	return nil
}

func TestWriteDelimiterCollision(t *testing.T) {
	t.Run("name_with_element_separator_is_scrubbed", func(t *testing.T) {
		acks := allAccepted837P()
		acks[0].Providers[0].Claims[0].Patient.Last = "O*BRIEN"
		acks[0].Providers[0].Claims[0].Patient.First = "ANN~MARIE:J"
		acks[0].Providers[0].Name = "NORTH*CLINIC"
		data := write(t, acks, outbound())
		if data[3] != '*' {
			t.Errorf("element separator %q, want * (names do not move delimiters)", data[3])
		}
		validateClean(t, data)
		nm1 := find(segments(t, data), "NM1", "QC")
		if nm1 == nil || nm1[3] != "O BRIEN" || nm1[4] != "ANN MARIE J" {
			t.Errorf("patient NM1 = %q, want the delimiters in the name replaced by spaces", nm1)
		}
		if find(segments(t, data), "NM1", "85")[3] != "NORTH CLINIC" {
			t.Error("provider name not scrubbed")
		}
	})
	t.Run("identifier_with_element_separator_moves_it", func(t *testing.T) {
		// An 837 written with '|' separators may carry '*' in CLM01; the
		// 277CA must echo it unchanged.
		acks := allAccepted837P()
		acks[0].Providers[0].Claims[0].PatientControlNumber = "P*1001"
		acks[0].Providers[0].Claims[0].Patient.Last = "O*BRIEN"
		data := write(t, acks, outbound())
		if data[3] == '*' {
			t.Fatal("element separator still *")
		}
		validateClean(t, data)
		segs := segments(t, data)
		if trn := find(segs, "TRN", "2"); trn == nil {
			t.Fatal("no TRN*2")
		}
		found := false
		for _, s := range segs {
			if s[0] == "TRN" && s[1] == "2" && s[2] == "P*1001" {
				found = true
			}
		}
		if !found {
			t.Error("TRN02 P*1001 not echoed unchanged")
		}
		if nm1 := find(segs, "NM1", "QC"); nm1[3] != "O*BRIEN" {
			t.Errorf("patient last name %q, want O*BRIEN kept (not a delimiter any more)", nm1[3])
		}
	})
	t.Run("component_separator_in_procedure_code_input_syntax", func(t *testing.T) {
		out := outbound()
		out.Delimiters = x12.Delimiters{Element: '*', Repetition: '^', Component: '>', Segment: '~'}
		data := write(t, mixed(), out)
		validateClean(t, data)
		if !bytes.Contains(data, []byte("SVC*HC>J1100>JW*45**")) {
			t.Errorf("SVC01 not re-joined with the output component separator:\n%s", data)
		}
	})
}

// recorder is a minimal stand-in for *testing.T that records failures, so
// a test can check that a checking helper does fail.
type recorder struct{ failed bool }

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic(r) }
