package claim

import (
	"errors"
	"strconv"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// ErrNoSegments is returned by Encode, EncodeSet and the edit methods for a
// model that was decoded without its segments (by the streaming Decoder) or
// built by hand.
var ErrNoSegments = errors.New("claim: model has no segments to encode or edit")

// Encode writes the transaction set, ST through SE, to w.
//
// A transaction that has not been edited is written exactly as it was read:
// every segment byte for byte, with the line breaks and indentation found
// between segments (the ST is written without the whitespace before it).
// That holds when w uses the delimiters of the input; with other delimiters
// the segments are translated and the whitespace is dropped. After an edit
// (or for a transaction made by Select) SE01 is recomputed; SE02 and ST02
// are kept. Use EncodeSet to set the control number.
func (tx *Transaction) Encode(w *x12.Writer) error {
	return tx.encode(w, "", tx.modified)
}

// EncodeSet writes tx as a transaction set with control number control:
// ST02 and SE02 are set to control and SE01 to the number of segments
// written (an SE is added if the input had none). Every other segment is
// written as Encode writes it.
func EncodeSet(w *x12.Writer, tx *Transaction, control string) error {
	if control == "" {
		return errors.New("claim: empty transaction set control number")
	}
	return tx.encode(w, control, true)
}

func (tx *Transaction) encode(w *x12.Writer, control string, recount bool) error {
	if tx.root == nil {
		return ErrNoSegments
	}
	count := 0
	var last *x12.Segment
	sawSE := false
	err := tx.root.walk(func(n *node, it *item) error {
		seg := it.seg
		if n == tx.root {
			switch {
			case seg.Is("ST") && control != "" && seg.String(2) != control:
				seg = tx.newSegment(seg.Leading(), withElement(seg, 2, control), seg.Delims)
			case seg.Is("SE") && !it.unplaced:
				sawSE = true
				if recount {
					seg = tx.trailer(seg, count+1, control)
				}
			}
		}
		if err := writeSeg(w, seg, count > 0); err != nil {
			return err
		}
		count++
		last = seg
		return nil
	})
	if err != nil {
		return err
	}
	if !sawSE && control != "" && last != nil {
		se := buildRaw(last.Delims, "SE", strconv.Itoa(count+1), control)
		if err := writeSeg(w, tx.newSegment(last.Leading(), se, last.Delims), true); err != nil {
			return err
		}
	}
	return w.Err()
}

// trailer returns se with SE01 = count and, when control is set, SE02 =
// control.
func (tx *Transaction) trailer(se *x12.Segment, count int, control string) *x12.Segment {
	n := strconv.Itoa(count)
	if se.String(1) == n && (control == "" || se.String(2) == control) {
		return se
	}
	raw := withElement(se, 1, n)
	if control != "" {
		raw = withElement(x12.NewSegment(raw, se.Delims), 2, control)
	}
	return tx.newSegment(se.Leading(), raw, se.Delims)
}

// writeSeg writes seg as read (with its leading whitespace when lead is
// true) when w uses the segment's delimiters, and translated otherwise.
func writeSeg(w *x12.Writer, seg *x12.Segment, lead bool) error {
	if seg.Delims == w.Delimiters() {
		return w.WriteRaw(seg, lead)
	}
	return w.WriteSegment(seg)
}
