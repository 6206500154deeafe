package x12

import (
	"bufio"
	"io"
	"strings"
)

// Writer writes segments with one set of delimiters. It buffers its
// output: call Flush when done and check the error.
type Writer struct {
	// Suffix is written after every segment terminator (for example "\n"
	// for files a person will read). Empty by default.
	Suffix string

	w     *bufio.Writer
	d     Delimiters
	err   error
	count int
	buf   []byte
}

// NewWriter returns a Writer writing to w with delimiters d.
func NewWriter(w io.Writer, d Delimiters) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), d: d}
}

// Delimiters returns the writer's delimiters.
func (w *Writer) Delimiters() Delimiters { return w.d }

// Count returns the number of segments written since the last ResetCount.
func (w *Writer) Count() int { return w.count }

// ResetCount sets the segment count to zero (at ST, for SE01).
func (w *Writer) ResetCount() { w.count = 0 }

// Err returns the first error that occurred while writing.
func (w *Writer) Err() error { return w.err }

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.err = w.w.Flush()
	return w.err
}

func (w *Writer) terminate() {
	w.w.WriteByte(w.d.Segment)
	if w.Suffix != "" {
		w.w.WriteString(w.Suffix)
	}
	w.count++
}

// WriteSegment writes s. When s was read with the writer's delimiters its
// bytes are copied unchanged; otherwise its delimiters are translated.
func (w *Writer) WriteSegment(s *Segment) error {
	if w.err != nil {
		return w.err
	}
	if s.Delims == w.d {
		_, w.err = w.w.Write(s.raw)
	} else {
		w.buf = translate(w.buf[:0], s.raw, s.Delims, w.d)
		_, w.err = w.w.Write(w.buf)
	}
	if w.err == nil {
		w.terminate()
	}
	return w.err
}

// WriteRaw writes s exactly as it was read: its leading whitespace, its
// bytes and its terminator, ignoring Suffix. It is how an unmodified
// transaction is reproduced byte for byte.
func (w *Writer) WriteRaw(s *Segment, withLeading bool) error {
	if w.err != nil {
		return w.err
	}
	if withLeading {
		w.w.Write(s.lead)
	}
	w.w.Write(s.raw)
	w.err = w.w.WriteByte(s.Delims.Segment)
	w.count++
	return w.err
}

// Write writes a segment built from an ID and elements. Trailing empty
// elements are dropped, as X12 requires. An element may hold components
// already joined with the writer's component separator (see Composite).
func (w *Writer) Write(id string, elems ...string) error {
	if w.err != nil {
		return w.err
	}
	n := len(elems)
	for n > 0 && elems[n-1] == "" {
		n--
	}
	b := append(w.buf[:0], id...)
	for _, e := range elems[:n] {
		b = append(b, w.d.Element)
		b = append(b, e...)
	}
	w.buf = b
	_, w.err = w.w.Write(b)
	if w.err == nil {
		w.terminate()
	}
	return w.err
}

// Composite joins components with the writer's component separator,
// dropping trailing empty components.
func (w *Writer) Composite(parts ...string) string {
	n := len(parts)
	for n > 0 && parts[n-1] == "" {
		n--
	}
	return strings.Join(parts[:n], string(w.d.Component))
}

// translate rewrites raw from delimiters from to delimiters to.
func translate(dst, raw []byte, from, to Delimiters) []byte {
	for _, c := range raw {
		switch {
		case c == from.Element:
			c = to.Element
		case c == from.Component:
			c = to.Component
		case from.Repetition != 0 && c == from.Repetition:
			if to.Repetition != 0 {
				c = to.Repetition
			}
		}
		dst = append(dst, c)
	}
	return dst
}
