package x12

import (
	"bytes"
	"iter"
)

// Delimiters are the four separator bytes of an interchange, taken from its
// ISA header. Repetition is 0 when the interchange has none (ISA11 holds an
// alphanumeric standards identifier, as in 4010).
type Delimiters struct {
	Element    byte // byte 4 of the ISA ('*' in most files)
	Repetition byte // ISA11 ('^' in most 5010 files), 0 when absent
	Component  byte // ISA16 (':' in most files)
	Segment    byte // the byte after ISA16 ('~' in most files)
}

// DefaultDelimiters are the delimiters most 5010 trading partners use and the
// ones the engine writes unless told otherwise.
var DefaultDelimiters = Delimiters{Element: '*', Repetition: '^', Component: ':', Segment: '~'}

// Valid reports whether the delimiters can delimit X12 data: all present
// delimiters are distinct and none is a letter or digit.
func (d Delimiters) Valid() bool {
	set := []byte{d.Element, d.Component, d.Segment}
	if d.Repetition != 0 {
		set = append(set, d.Repetition)
	}
	for i, a := range set {
		if isAlnum(a) {
			return false
		}
		for _, b := range set[i+1:] {
			if a == b {
				return false
			}
		}
	}
	return true
}

// isDelimiter reports whether c is one of the delimiters.
func (d Delimiters) isDelimiter(c byte) bool {
	return c == d.Element || c == d.Component || c == d.Segment || (d.Repetition != 0 && c == d.Repetition)
}

// Segment is one X12 segment: its identifier and elements, with where it was
// found. Segments returned by Reader.Read alias the reader's buffer and are
// valid only until the next Read; Clone makes an independent copy.
//
// Element positions are 1-based as in the implementation guides: for
// "NM1*PR*2*ACME" Element(1) is "PR" and Element(0) is the ID "NM1".
type Segment struct {
	// Offset is the byte offset of the segment's first byte (its ID) in the
	// input stream, counting from 0 at the first byte read (a BOM included).
	Offset int64
	// Ordinal is the 1-based index of the segment in the input stream.
	Ordinal int
	// Position is the 1-based position of the segment within its
	// transaction set, counting ST as 1 (the number 999 IK302 reports);
	// 0 for envelope segments outside ST..SE.
	Position int
	// Delims are the delimiters the segment was written with.
	Delims Delimiters

	raw     []byte  // segment bytes without terminator
	lead    []byte  // whitespace between the previous terminator and this segment
	ends    []int32 // ends[i] = index in raw just past element i (0 = ID)
	termErr bool    // the segment had no terminator (end of input)
}

// NewSegment builds a segment from raw bytes (without terminator) and
// delimiters. The raw bytes are not copied.
func NewSegment(raw []byte, d Delimiters) *Segment {
	s := &Segment{raw: raw, Delims: d}
	s.split()
	return s
}

// split computes element boundaries of s.raw.
func (s *Segment) split() {
	ends := s.ends[:0]
	sep := s.Delims.Element
	raw := s.raw
	for i := 0; i < len(raw); i++ {
		if raw[i] == sep {
			ends = append(ends, int32(i))
		}
	}
	ends = append(ends, int32(len(raw)))
	s.ends = ends
}

// Raw returns the segment's bytes without its terminator.
func (s *Segment) Raw() []byte { return s.raw }

// Leading returns the bytes (line breaks, indentation) found between the
// previous segment's terminator and this segment's ID.
func (s *Segment) Leading() []byte { return s.lead }

// Unterminated reports whether the input ended before this segment's
// terminator.
func (s *Segment) Unterminated() bool { return s.termErr }

// ID returns the segment identifier ("ST", "NM1", ...).
func (s *Segment) ID() []byte { return s.raw[:s.ends[0]] }

// Tag returns the segment identifier as a string. Identifiers of the
// segments used in healthcare transactions are interned, so Tag does not
// allocate for them.
func (s *Segment) Tag() string { return intern(s.ID()) }

// Is reports whether the segment identifier equals id.
func (s *Segment) Is(id string) bool {
	b := s.ID()
	return len(b) == len(id) && string(b) == id
}

// Len returns the number of elements after the ID, trailing empty elements
// included.
func (s *Segment) Len() int { return len(s.ends) - 1 }

// Element returns element i (1-based); Element(0) is the ID. It returns nil
// when the segment has fewer elements.
func (s *Segment) Element(i int) []byte {
	if i < 0 || i >= len(s.ends) {
		return nil
	}
	start := int32(0)
	if i > 0 {
		start = s.ends[i-1] + 1
	}
	return s.raw[start:s.ends[i]]
}

// ElementOffset returns the byte offset in the input of element i's first
// byte, or the segment's offset when i is out of range.
func (s *Segment) ElementOffset(i int) int64 {
	if i <= 0 || i >= len(s.ends) {
		return s.Offset
	}
	return s.Offset + int64(s.ends[i-1]+1)
}

// String returns element i as a string (allocates).
func (s *Segment) String(i int) string { return string(s.Element(i)) }

// Component returns component j (1-based) of element i, or nil when absent.
// Component(i, 1) of an element without component separators is the whole
// element.
func (s *Segment) Component(i, j int) []byte {
	return componentOf(s.Element(i), s.Delims.Component, j)
}

func componentOf(e []byte, sep byte, j int) []byte {
	if j < 1 {
		return nil
	}
	for k := 1; ; k++ {
		n := bytes.IndexByte(e, sep)
		if k == j {
			if n < 0 {
				return e
			}
			return e[:n]
		}
		if n < 0 {
			return nil
		}
		e = e[n+1:]
	}
}

// Components iterates over the components of element i with their 1-based
// positions.
func (s *Segment) Components(i int) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		e := s.Element(i)
		if e == nil {
			return
		}
		sep := s.Delims.Component
		for k := 1; ; k++ {
			n := bytes.IndexByte(e, sep)
			if n < 0 {
				yield(k, e)
				return
			}
			if !yield(k, e[:n]) {
				return
			}
			e = e[n+1:]
		}
	}
}

// Repetitions iterates over the repetitions of element i with their 1-based
// positions. Without a repetition separator an element has one repetition.
func (s *Segment) Repetitions(i int) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		e := s.Element(i)
		if e == nil {
			return
		}
		sep := s.Delims.Repetition
		for k := 1; ; k++ {
			n := -1
			if sep != 0 {
				n = bytes.IndexByte(e, sep)
			}
			if n < 0 {
				yield(k, e)
				return
			}
			if !yield(k, e[:n]) {
				return
			}
			e = e[n+1:]
		}
	}
}

// Clone returns a copy of the segment that owns its bytes and stays valid
// after the reader moves on.
func (s *Segment) Clone() *Segment {
	c := *s
	buf := make([]byte, len(s.raw)+len(s.lead))
	copy(buf, s.lead)
	copy(buf[len(s.lead):], s.raw)
	c.lead = buf[:len(s.lead):len(s.lead)]
	c.raw = buf[len(s.lead):]
	c.ends = append([]int32(nil), s.ends...)
	return &c
}

// Arena clones segments into shared blocks of memory: a few allocations
// for many segments instead of three per segment (Clone). The clones stay
// valid as long as any of them is referenced; use one arena per group of
// segments that live and die together (a decoded transaction set). The
// zero value is ready to use; an Arena is not safe for concurrent use.
type Arena struct {
	segs  []Segment
	bytes []byte
	ends  []int32
}

// Arena block sizes; a segment larger than a block gets its own.
const (
	arenaSegs  = 64
	arenaBytes = 8 << 10
	arenaEnds  = 512
)

// Clone is s.Clone with the copy's memory taken from the arena. The
// copy's byte and element slices are capped at their length, so growing
// one never writes into another segment's memory.
func (a *Arena) Clone(s *Segment) *Segment {
	if len(a.segs) == cap(a.segs) {
		a.segs = make([]Segment, 0, arenaSegs)
	}
	a.segs = append(a.segs, *s)
	c := &a.segs[len(a.segs)-1]
	n := len(s.lead) + len(s.raw)
	var buf []byte
	if n > arenaBytes/4 {
		buf = make([]byte, 0, n)
	} else {
		if cap(a.bytes)-len(a.bytes) < n {
			a.bytes = make([]byte, 0, arenaBytes)
		}
		buf = a.bytes[len(a.bytes) : len(a.bytes) : len(a.bytes)+n]
		a.bytes = a.bytes[:len(a.bytes)+n]
	}
	buf = append(buf, s.lead...)
	buf = append(buf, s.raw...)
	c.lead = buf[:len(s.lead):len(s.lead)]
	c.raw = buf[len(s.lead):]
	m := len(s.ends)
	if m > arenaEnds/4 {
		c.ends = append([]int32(nil), s.ends...)
	} else {
		if cap(a.ends)-len(a.ends) < m {
			a.ends = make([]int32, 0, arenaEnds)
		}
		start := len(a.ends)
		a.ends = append(a.ends, s.ends...)
		c.ends = a.ends[start:len(a.ends):len(a.ends)]
	}
	return c
}

// ValidID reports whether the segment identifier is two or three upper-case
// letters or digits, starting with a letter.
func (s *Segment) ValidID() bool {
	id := s.ID()
	if len(id) < 2 || len(id) > 3 || id[0] < 'A' || id[0] > 'Z' {
		return false
	}
	for _, c := range id[1:] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// IDKey packs a two- or three-byte segment identifier and its length into
// an integer unique among such identifiers, so hot paths can switch on
// segment IDs without converting them to strings. Other lengths give 0.
func IDKey[T string | []byte](id T) uint32 {
	switch len(id) {
	case 2:
		return 2<<24 | uint32(id[0])<<8 | uint32(id[1])
	case 3:
		return 3<<24 | uint32(id[0])<<16 | uint32(id[1])<<8 | uint32(id[2])
	}
	return 0
}
