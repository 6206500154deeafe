package claim

import (
	"bytes"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// segmentFactory makes owned segments that carry given leading whitespace,
// so a segment inserted between two others can reuse their line break and
// indentation. x12.Segment has no exported way to set Leading, so the
// factory tokenizes the bytes with an x12.Reader primed with a synthetic
// ISA that declares the transaction's delimiters. One factory (one reader
// buffer) serves all edits of a transaction.
type segmentFactory struct {
	d   x12.Delimiters
	src feed
	r   *x12.Reader
	// scratch is the input of the last make (the reader copies it);
	// arena holds the segments made (they live as long as the
	// transaction, which owns the factory).
	scratch []byte
	arena   x12.Arena
}

// feed is an io.Reader over bytes pushed before each Read of the reader.
type feed struct{ buf []byte }

func (f *feed) Read(p []byte) (int, error) {
	if len(f.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

// newSegmentFactory returns a factory for d, or nil when the delimiters
// cannot be declared in an ISA.
func newSegmentFactory(d x12.Delimiters) *segmentFactory {
	f := &segmentFactory{d: d}
	f.r = x12.NewReader(&f.src)
	f.src.buf = syntheticISA(d)
	seg, err := f.r.Read()
	if err != nil || !seg.Is("ISA") {
		return nil
	}
	if got, ok := f.r.Delimiters(); !ok || got != d {
		return nil
	}
	return f
}

// syntheticISA returns a fixed-width ISA header declaring d.
func syntheticISA(d x12.Delimiters) []byte {
	rep := d.Repetition
	if rep == 0 {
		rep = 'U'
	}
	fields := []string{"00", "          ", "00", "          ", "ZZ", "SENDER         ", "ZZ",
		"RECEIVER       ", "260101", "1200", string(rep), "00501", "000000001", "0", "T"}
	b := []byte("ISA")
	for _, f := range fields {
		b = append(b, d.Element)
		b = append(b, f...)
	}
	return append(b, d.Element, d.Component, d.Segment)
}

// make returns an owned segment with the given leading whitespace and raw
// bytes (without terminator), and false if the bytes did not tokenize back
// to exactly that.
func (f *segmentFactory) make(lead, raw []byte) (*x12.Segment, bool) {
	buf := append(f.scratch[:0], lead...)
	buf = append(buf, raw...)
	buf = append(buf, f.d.Segment)
	f.scratch = buf
	f.src.buf = buf
	seg, err := f.r.Read()
	f.src.buf = nil
	if err != nil || !bytes.Equal(seg.Raw(), raw) || !bytes.Equal(seg.Leading(), lead) {
		return nil, false
	}
	c := f.arena.Clone(seg)
	// The position in the factory's stream means nothing to the caller.
	c.Offset, c.Ordinal, c.Position = 0, 0, 0
	return c, true
}

// newSegment returns an owned segment with raw bytes raw (no terminator),
// the transaction's delimiters and leading whitespace lead (dropped if it
// cannot be represented).
func (tx *Transaction) newSegment(lead, raw []byte, d x12.Delimiters) *x12.Segment {
	for attempt := 0; attempt < 2 && len(raw) >= 3; attempt++ {
		if tx.factory == nil || tx.factory.d != d {
			tx.factory = newSegmentFactory(d)
			if tx.factory == nil {
				break
			}
		}
		if seg, ok := tx.factory.make(lead, raw); ok {
			return seg
		}
		tx.factory = nil // the reader may be in a bad state: start afresh
	}
	return x12.NewSegment(append([]byte(nil), raw...), d)
}

// withElement returns the raw bytes of seg with element i (1-based)
// replaced by val, adding empty elements when seg has fewer.
func withElement(seg *x12.Segment, i int, val string) []byte {
	if val == "" && i > seg.Len() {
		return append([]byte(nil), seg.Raw()...)
	}
	d := seg.Delims
	out := make([]byte, 0, len(seg.Raw())+len(val)+4)
	out = append(out, seg.ID()...)
	n := seg.Len()
	if i > n {
		n = i
	}
	for k := 1; k <= n; k++ {
		out = append(out, d.Element)
		if k == i {
			out = append(out, val...)
		} else {
			out = append(out, seg.Element(k)...)
		}
	}
	return out
}

// elementEdit is element i (1-based) of a segment set to val.
type elementEdit struct {
	i   int
	val []byte
}

// appendWithElements appends to dst the raw bytes of seg with the edits
// made one after another as withElement makes them (edits in increasing
// element order): an empty value beyond the segment's last element adds
// nothing, any other value extends the segment to its element.
func appendWithElements(dst []byte, seg *x12.Segment, edits [3]elementEdit) []byte {
	n := seg.Len()
	for _, e := range edits {
		if len(e.val) > 0 && e.i > n {
			n = e.i
		}
	}
	dst = append(dst, seg.ID()...)
	for k := 1; k <= n; k++ {
		dst = append(dst, seg.Delims.Element)
		v := seg.Element(k)
		for _, e := range edits {
			if e.i == k {
				v = e.val
			}
		}
		dst = append(dst, v...)
	}
	return dst
}

// buildRaw joins an ID and elements with d, dropping trailing empty
// elements.
func buildRaw(d x12.Delimiters, id string, elems ...string) []byte {
	n := len(elems)
	for n > 0 && elems[n-1] == "" {
		n--
	}
	b := []byte(id)
	for _, e := range elems[:n] {
		b = append(b, d.Element)
		b = append(b, e...)
	}
	return b
}
