package remit

import (
	"errors"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// ErrNoSegments is returned by Encode for a remittance decoded without its
// segments (by the streaming Decoder) or built by hand (use Write).
var ErrNoSegments = errors.New("remit: remittance has no segments to encode")

// Encode writes the transaction set, ST through SE, exactly as it was
// read: every segment byte for byte, with the line breaks and indentation
// found between segments (the ST is written without the whitespace before
// it). That holds when w uses the delimiters of the input; with other
// delimiters the segments are translated and the whitespace is dropped.
// Segments the schema could not place are written too, where they were.
func (r *Remittance) Encode(w *x12.Writer) error {
	if len(r.segs) == 0 {
		return ErrNoSegments
	}
	for i, s := range r.segs {
		if err := writeSeg(w, s, i > 0); err != nil {
			return err
		}
	}
	return w.Err()
}

// writeSeg writes seg as read (with its leading whitespace when lead is
// true) when w uses the segment's delimiters, and translated otherwise.
func writeSeg(w *x12.Writer, seg *x12.Segment, lead bool) error {
	if seg.Delims == w.Delimiters() {
		return w.WriteRaw(seg, lead)
	}
	return w.WriteSegment(seg)
}
