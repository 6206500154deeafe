package schema

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// scanSlow is scanSegment byte by byte: the reference for its word-at-a-
// time fast path.
func scanSlow(raw []byte, d x12.Delimiters) uint8 {
	var k uint8
	for _, b := range raw {
		switch {
		case d.Repetition != 0 && b == d.Repetition:
			k |= classRep
		case b == d.Component:
			k |= classComp
		case b == d.Element:
		case outOfSet(b):
			k |= classCtl
		}
	}
	return k
}

func TestPlainMatchesByteScan(t *testing.T) {
	d := x12.Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: '~'}
	alphabet := []byte("ABCZ019*.-:^ \x00\x1f\x7f\x80\xff")
	r := rand.New(rand.NewPCG(1, 2))
	for n := 8; n < 40; n++ {
		for range 2000 {
			raw := make([]byte, n)
			for i := range raw {
				raw[i] = 'A' + byte(r.IntN(26))
				if r.IntN(8) == 0 {
					raw[i] = alphabet[r.IntN(len(alphabet))]
				}
			}
			want := scanSlow(raw, d)
			ok, comp := plain(raw, d.Repetition, d.Component)
			if ok != (want&(classCtl|classRep) == 0) || ok && comp != (want&classComp != 0) {
				t.Fatalf("plain(%q) = %v, %v; byte scan classes %b", raw, ok, comp, want)
			}
		}
	}
}

func TestLongFraction(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{"CLP*A*1*100*50.25", false},
		{"CLP*A*1*100*50.255", true},
		{"CLP*A*1*100.5*50.2*1.000", true},
		{"CAS*CO*45*.123", true},
		{"CAS*CO*45*12.", false},
		{"CAS*CO*45*1.12", false},
		{"REF*EA*.1.2.3*.", false},
		{"REF*EA*A.12A.123", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := longFraction([]byte(tt.raw)); got != tt.want {
			t.Errorf("longFraction(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// TestNoteMasks checks noteCheck.holds against the syntax note
// definitions for every presence pattern of a note's elements.
func TestNoteMasks(t *testing.T) {
	for _, kind := range []byte("PRECL") {
		sn := syntaxNote{kind: kind, elems: []int{2, 4, 5}}
		c := noteMasks(&sn, 6)
		for present := uint64(0); present < 1<<6; present++ {
			has := func(pos int) bool { return present&(1<<(pos-1)) != 0 }
			n := 0
			for _, e := range sn.elems {
				if has(e) {
					n++
				}
			}
			var want bool
			switch kind {
			case 'P':
				want = n == 0 || n == len(sn.elems)
			case 'R':
				want = n > 0
			case 'E':
				want = n <= 1
			case 'C':
				want = !has(2) || n == len(sn.elems)
			case 'L':
				want = !has(2) || n > 1
			}
			if got := c.holds(present); got != want {
				t.Errorf("%c%v with present %06b: holds %v, want %v", kind, sn.elems, present, got, want)
			}
		}
	}
	// A note past the segment use's elements always takes the slow path.
	if c := noteMasks(&syntaxNote{kind: 'P', elems: []int{5, 7}}, 6); c.kind != 0 || c.holds(0) {
		t.Errorf("out-of-range note: %+v", c)
	}
}

// TestQuickCheckAgreesWithValueCode: for every simple element of every
// built-in schema, a value the quick check passes is one valueCode (the
// full check) finds no issue with, so the quick path never hides an issue.
func TestQuickCheckAgreesWithValueCode(t *testing.T) {
	samples := []string{"A", "1", "12", "CO", "HC", "D8", "RD8", "472", "ZZZ", "20261209", "20260230",
		"20261209-20261210", "1200", "2400", "123456", "-12.5", "1.", "12.345", "0", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
		"1234567893", "XX", "MI", "22", "PR", "45", "N381", "A0428", "99999999999999999999"}
	checked := 0
	for _, s := range schemas {
		var walk func(l *loopDef)
		walk = func(l *loopDef) {
			for i := range l.items {
				it := &l.items[i]
				if it.loop != nil {
					walk(it.loop)
					continue
				}
				sd := it.seg
				for j := range sd.elems {
					e := &sd.elems[j]
					c := quickCheck(e)
					if c.kind == ckFull || e.use == uN || e.comps != nil {
						continue
					}
					values := append(samples[:len(samples):len(samples)], e.codes...)
					for _, v := range values {
						for _, q := range []string{"D8", "RD8", "DT", "TM", "XX"} {
							elems := make([]string, len(sd.elems)+1)
							elems[0] = sd.id
							for k := range sd.elems {
								elems[k+1] = q
							}
							elems[j+1] = v
							seg := x12.NewSegment([]byte(strings.Join(elems, "*")), x12.DefaultDelimiters)
							var qual []byte
							if e.period > 0 {
								qual = seg.Element(e.period)
							}
							if c.passes(seg, []byte(v)) && valueCode(&e.compDef, []byte(v), qual, false) != "" {
								t.Errorf("%s%02d (DE %s): quick check passes %q, valueCode %q", sd.id, j+1, e.de, v,
									valueCode(&e.compDef, []byte(v), qual, false))
							}
						}
						checked++
					}
				}
			}
		}
		walk(s.root)
	}
	if checked == 0 {
		t.Fatal("no element checked")
	}
}
