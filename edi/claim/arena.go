package claim

import "strings"

// Allocation helpers of the builder. Converting every value and growing
// every small list on its own would cost dozens of allocations per claim;
// these helpers group the allocations of a claim into a few objects sized
// for what claims usually hold, so the streaming decoder allocates little
// more than the model's own structs.
//
// Only string bytes are shared between claims: the blocks (which hold
// pointers) belong to one claim or one hierarchical level, so a claim kept
// by the caller never keeps another claim's model alive.

// chunkSize is the size of the string arena's chunks.
const chunkSize = 2048

// strArena copies segments into shared chunks and returns them as
// sub-strings of the chunk, so the element values of a segment share one
// string and the segments of a claim share one or two allocations. A chunk
// is a strings.Builder that is only ever appended to: the strings handed
// out are never modified.
type strArena struct {
	buf *strings.Builder
}

// str returns v as a string.
func (a *strArena) str(v []byte) string {
	n := len(v)
	if n <= 1 {
		return string(v) // "" and one-byte strings do not allocate
	}
	if a.buf == nil || a.buf.Cap()-a.buf.Len() < n {
		if n > chunkSize/4 {
			return string(v) // a long value gets its own allocation
		}
		a.buf = new(strings.Builder)
		a.buf.Grow(chunkSize)
	}
	off := a.buf.Len()
	a.buf.Write(v)
	return a.buf.String()[off:]
}

// slab hands out the elements of a small array of a model block as short
// slices, so the one- and two-element lists of a line (its DTP, its
// diagnosis pointers) need no allocation of their own. A list extended
// right after it was carved stays in the array; any other growth, and
// growth past the array, falls back to append. The slices carry no spare
// capacity, so appending to one never writes into its neighbour.
type slab[T any] struct{ buf []T }

// reset makes the slab hand out the elements of arr (nil: none).
func (s *slab[T]) reset(arr []T) { s.buf = arr[:0:len(arr)] }

// drop forgets the slab's array (without a pointer store when there is
// none: stores cost a write barrier while the garbage collector marks).
func (s *slab[T]) drop() {
	if s.buf != nil {
		s.buf = nil
	}
}

// add returns list with v appended.
func (s *slab[T]) add(list []T, v T) []T {
	l := len(s.buf)
	if l < cap(s.buf) && (len(list) == 0 ||
		l > 0 && len(list) == cap(list) && &list[len(list)-1] == &s.buf[l-1]) {
		s.buf = append(s.buf, v) // in place: l < cap
		return s.buf[l-len(list) : l+1 : l+1]
	}
	return append(list, v)
}

// take returns a pointer to the next free element, or nil when none is
// left.
func (s *slab[T]) take() *T {
	l := len(s.buf)
	if l == cap(s.buf) {
		return nil
	}
	s.buf = s.buf[:l+1]
	return &s.buf[l]
}

// claimBlock is one allocation holding a claim, its context, the first
// line pointers and its first line (1264 bytes of a 1280-byte size
// class).
type claimBlock struct {
	ctx   ClaimContext
	claim Claim
	lines [4]*Line
	line0 lineBlock
	used0 bool // line0 is taken
}

// lineChunk holds the lines of a claim after its first, two at a time
// (1024 bytes, a size class).
type lineChunk [2]lineBlock

// setSlab hands out blocks of one kind to the claims of one set in
// transaction mode, where every block lives as long as the set: a slab
// of blocks is one allocation, its size doubling from 1 up to a limit within
// the set (a set of one claim takes no more room than before). reset
// starts the next set on slabs of its own.
type setSlab[T any] struct {
	room []T
	n    int // size of the last slab
}

// take returns a new zero block.
func (s *setSlab[T]) take(limit int) *T {
	if len(s.room) == 0 {
		s.n = min(limit, max(1, 2*s.n)) // 1, 2, 4, … limit
		s.room = make([]T, s.n)
	}
	p := &s.room[0]
	s.room = s.room[1:]
	return p
}

// reset forgets the current slab (without pointer stores when there is
// none).
func (s *setSlab[T]) reset() {
	if s.room != nil {
		s.room = nil
	}
	s.n = 0
}

// lineBlock is a line with room for one date, two diagnosis pointers and
// two procedure modifiers (512 bytes, a size class).
type lineBlock struct {
	line  Line
	dates [1]Date
	ptrs  [2]int
	mods  [2]string
}

// subscriberBlock is a subscriber with room for the member's address (704
// bytes, a size class).
type subscriberBlock struct {
	sub  Subscriber
	addr [1]Address
}

// subscriberClaimBlock is a subscriber without dependents (HL04 not 1:
// its claims are its own) with room for its first claim and its place in
// the subscriber's list of claims (1928 bytes of a 2048-byte size class).
type subscriberClaimBlock struct {
	subscriberBlock
	claims [1]*Claim
	claim  claimBlock
}

// patientBlock is a patient with room for its address and its first
// claim.
type patientBlock struct {
	pat    Patient
	addr   [1]Address
	claims [1]*Claim
	claim  claimBlock
}

// comps holds the components of one element (up to nine, which covers
// every composite the model reads).
type comps [9][]byte

// splitComps returns the components of e; c[j-1] is component j, nil when
// absent (as Segment.Component returns).
func splitComps(e []byte, sep byte) (c comps) {
	for j := range c {
		k := indexByte(e, sep)
		if k < 0 {
			c[j] = e
			return c
		}
		c[j] = e[:k]
		e = e[k+1:]
	}
	return c
}

// indexByte is bytes.IndexByte for the short values of composites.
func indexByte(b []byte, c byte) int {
	for i, v := range b {
		if v == c {
			return i
		}
	}
	return -1
}

// atoiBytes parses an unsigned decimal integer of up to 18 digits without
// converting it to a string; ok is false for anything else (the caller
// then falls back to strconv.Atoi for exact semantics).
func atoiBytes(b []byte) (n int, ok bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// listBlock hands out the small lists of a transaction's model from shared
// blocks: the views edits rebuild (Claim.Refs, Claim.Dates, Line.Refs) and
// the lists transaction-mode decoding grows (appendRoom). One allocation
// serves the lists of many claims of a set, which live and die together
// (the streaming Decoder does not use it: there a claim kept by the caller
// must not keep others alive).
type listBlock[T any] struct{ buf []T }

// listBlockLen is the number of elements of a listBlock's blocks.
const listBlockLen = 64

// room returns an empty list with room for exactly n elements (appending
// more moves it out of the block, so it never writes into a neighbour).
func (b *listBlock[T]) room(n int) []T {
	if n > listBlockLen/4 {
		return make([]T, 0, n)
	}
	if cap(b.buf)-len(b.buf) < n {
		b.buf = make([]T, 0, listBlockLen)
	}
	l := len(b.buf)
	b.buf = b.buf[:l+n]
	return b.buf[l : l : l+n]
}
