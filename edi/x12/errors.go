package x12

import (
	"errors"
	"strconv"
	"strings"
)

// Errors a SyntaxError may wrap.
var (
	// ErrNoISA means data was found where an ISA header must start (at the
	// beginning of the input or after an IEA). The reader skips to the next
	// ISA.
	ErrNoISA = errors.New("expected ISA interchange header")
	// ErrBadISA means an ISA header is truncated or has fewer than 16
	// elements, so the delimiters cannot be taken from it.
	ErrBadISA = errors.New("malformed ISA header")
	// ErrBadDelimiter means the ISA names delimiters that are not distinct
	// or are letters or digits.
	ErrBadDelimiter = errors.New("invalid delimiters in ISA header")
	// ErrSegmentTooLong means a segment exceeded Reader.MaxSegmentLen; the
	// reader skips to the next segment terminator.
	ErrSegmentTooLong = errors.New("segment too long")
	// ErrBadNumber means a numeric element is not a valid X12 number.
	ErrBadNumber = errors.New("invalid number")
	// ErrPrecision means an amount has more precision than cents.
	ErrPrecision = errors.New("amount has more than two decimal places")
)

// SyntaxError reports a problem at a position in an X12 stream. The
// positions are the ones the acknowledgments need: byte offset, segment
// ordinal in the stream, position within the transaction set (ST = 1) and
// 1-based element/component positions (0 when not applicable).
type SyntaxError struct {
	Offset    int64  // byte offset in the input
	Ordinal   int    // 1-based segment index in the input (0 if unknown)
	Position  int    // 1-based position in the transaction set (0 outside)
	SegmentID string // segment identifier, when known
	Element   int    // 1-based element position, 0 for the whole segment
	Component int    // 1-based component position, 0 for the whole element
	Err       error  // the underlying error, one of the Err* values above or another
}

func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString("x12: offset ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	if e.SegmentID != "" || e.Ordinal > 0 {
		b.WriteString(": segment ")
		if e.SegmentID != "" {
			b.WriteString(e.SegmentID)
		}
		if e.Ordinal > 0 {
			b.WriteString(" #")
			b.WriteString(strconv.Itoa(e.Ordinal))
		}
	}
	if e.Element > 0 {
		b.WriteString(": element ")
		b.WriteString(strconv.Itoa(e.Element))
		if e.Component > 0 {
			b.WriteString("-")
			b.WriteString(strconv.Itoa(e.Component))
		}
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *SyntaxError) Unwrap() error { return e.Err }
