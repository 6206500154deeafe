package claim

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

func TestSlabAdd(t *testing.T) {
	var arr [3]int
	var s slab[int]
	s.reset(arr[:])

	a := s.add(nil, 1)
	a = s.add(a, 2) // extended in place: a ends at the slab's last element
	b := s.add(nil, 3)
	if len(a) != 2 || a[0] != 1 || a[1] != 2 || len(b) != 1 || b[0] != 3 {
		t.Fatalf("carved a=%v b=%v", a, b)
	}
	if &a[0] != &arr[0] || &b[0] != &arr[2] {
		t.Fatal("lists were not carved from the array")
	}
	if cap(a) != len(a) || cap(b) != len(b) {
		t.Fatalf("carved lists have spare capacity: cap(a)=%d cap(b)=%d", cap(a), cap(b))
	}

	// a no longer ends at the slab's last element: it moves out.
	a = s.add(a, 4)
	if len(a) != 3 || a[2] != 4 || &a[0] == &arr[0] {
		t.Fatalf("a=%v not copied out of the array", a)
	}
	if arr != [3]int{1, 2, 3} {
		t.Fatalf("array overwritten: %v", arr)
	}

	// The array is full: new lists are allocated.
	c := s.add(nil, 5)
	if len(c) != 1 || c[0] != 5 || &c[0] == &arr[0] || &c[0] == &arr[2] {
		t.Fatalf("c=%v carved from a full array", c)
	}

	// A caller appending to a carved list never writes into its neighbour.
	s.reset(arr[:])
	x := s.add(nil, 10)
	y := s.add(nil, 20)
	x = append(x, 11)
	if y[0] != 20 || arr[1] != 20 || x[1] != 11 {
		t.Fatalf("append to a carved list changed its neighbour: x=%v y=%v", x, y)
	}

	var none slab[int]
	if got := none.add(nil, 7); len(got) != 1 || got[0] != 7 {
		t.Fatalf("slab without array: %v", got)
	}
	if none.take() != nil {
		t.Fatal("take on a slab without array returned an element")
	}
	none.drop()
	if none.buf != nil {
		t.Fatal("drop kept the array")
	}
}

func TestSlabTake(t *testing.T) {
	var arr [2]Address
	var s slab[Address]
	s.reset(arr[:])
	p, q := s.take(), s.take()
	if p != &arr[0] || q != &arr[1] {
		t.Fatal("take did not hand out the array's elements in order")
	}
	if s.take() != nil {
		t.Fatal("take past the array's end")
	}
}

func TestStrArena(t *testing.T) {
	var a strArena
	var got []string
	var want []string
	for i := range 2000 {
		v := strings.Repeat(string(rune('A'+i%26)), 1+i%37)
		got = append(got, a.str([]byte(v)))
		want = append(want, v)
	}
	long := strings.Repeat("L", chunkSize)
	got = append(got, a.str([]byte(long)), a.str(nil), a.str([]byte{}), a.str([]byte("x")))
	want = append(want, long, "", "", "x")
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("value %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestSplitComps(t *testing.T) {
	tests := []struct {
		name string
		seg  string
		elem int
	}{
		{"simple element", "SV1*HC*100", 1},
		{"three components", "CLM*A*1***11:B:1", 5},
		{"empty components", "SV1*HC::::X*1", 1},
		{"trailing separator", "SV1*HC:A0428:*1", 1},
		{"more than nine components", "HI*1:2:3:4:5:6:7:8:9:10:11", 1},
		{"empty element", "CLM*A**", 2},
		{"absent element", "LX*1", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := x12.NewSegment([]byte(tt.seg), x12.DefaultDelimiters)
			c := splitComps(s.Element(tt.elem), ':')
			for j := 1; j <= len(c); j++ {
				want := s.Component(tt.elem, j)
				if !bytes.Equal(c[j-1], want) || (c[j-1] == nil) != (want == nil) {
					t.Errorf("component %d = %q (nil %v), Segment.Component %q (nil %v)",
						j, c[j-1], c[j-1] == nil, want, want == nil)
				}
			}
		})
	}
}

func TestBuilderVal(t *testing.T) {
	s := x12.NewSegment([]byte("NM1*IL*1*DOE*JANE****MI*ZZ000123"), x12.DefaultDelimiters)
	b := &builder{}
	want := []string{"IL", "1", "DOE", "JANE", "", "", "", "MI", "ZZ000123"}
	for i, w := range want {
		if got := b.el(s, i+1); got != w {
			t.Errorf("element %d = %q, want %q", i+1, got, w)
		}
	}
	if got := b.el(s, 12); got != "" {
		t.Errorf("absent element = %q", got)
	}
	// A value that is not part of the segment is copied as it is.
	if got := b.val(s, []byte("OTHER")); got != "OTHER" {
		t.Errorf("foreign value = %q", got)
	}
	// The next segment gets its own copy.
	b.curOK = false
	s2 := x12.NewSegment([]byte("DTP*472*D8*20260101"), x12.DefaultDelimiters)
	if got := b.el(s2, 3); got != "20260101" {
		t.Errorf("DTP03 = %q", got)
	}
}

func TestAtoi(t *testing.T) {
	for _, v := range []string{"0", "1", "007", "42", "+3", "-2", "", "1a", " 1",
		"123456789012345678", "1234567890123456789", "99999999999999999999"} {
		got, gotErr := atoi([]byte(v))
		want, wantErr := strconv.Atoi(v)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("atoi(%q) = %d, %v; strconv.Atoi %d, %v", v, got, gotErr, want, wantErr)
		}
	}
}

func TestIDKey(t *testing.T) {
	ids := []string{"ST", "SE", "HL", "LX", "N3", "NM1", "CLM", "SV1", "\x00ST", "\x00HL", "S\x00T", "STX", "TS", "ISA"}
	for _, a := range ids {
		for _, b := range ids {
			if (x12.IDKey([]byte(a)) == x12.IDKey([]byte(b))) != (a == b) {
				t.Errorf("x12.IDKey(%q) == x12.IDKey(%q) is %v", a, b, a != b)
			}
		}
	}
	for _, id := range []string{"", "S", "ABCD"} {
		if k := x12.IDKey([]byte(id)); k != 0 {
			t.Errorf("x12.IDKey(%q) = %#x, want 0", id, k)
		}
	}
	known := map[string]uint32{"ST": kST, "SE": kSE, "HL": kHL, "NM1": kNM1, "CLM": kCLM, "SV1": kSV1, "SV2": kSV2, "DTP": kDTP, "ISA": kISA, "GE": kGE}
	for id, k := range known {
		if x12.IDKey([]byte(id)) != k {
			t.Errorf("x12.IDKey(%q) = %#x, constant %#x", id, x12.IDKey([]byte(id)), k)
		}
	}
}
