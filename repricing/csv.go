package repricing

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Errors a *CSVError may wrap (besides ErrDate, ErrAmountRange and the
// *csv.ParseError of a malformed CSV record).
var (
	// ErrHeader: the first record is not the exact header of the format.
	ErrHeader = errors.New("bad header")
	// ErrRequired: a required field is empty.
	ErrRequired = errors.New("required field is empty")
	// ErrNumber: an amount, RVU, GPCI or weight is not a plain decimal with
	// the allowed number of places and digits.
	ErrNumber = errors.New("invalid number")
	// ErrCode: a code, modifier, place of service or locality has the wrong
	// shape.
	ErrCode = errors.New("invalid code")
	// ErrDateRange: effective_to is before effective_from.
	ErrDateRange = errors.New("effective_to before effective_from")
	// ErrDuplicate: the same key with the same effective range appears
	// twice.
	ErrDuplicate = errors.New("duplicate row")
	// ErrOverlap: the same key has two rows whose effective ranges overlap.
	ErrOverlap = errors.New("overlapping effective range")
	// ErrNoRows: the schedule has a header but no rows.
	ErrNoRows = errors.New("no rows")
)

// CSVError is the error of every loader and schedule constructor: where the
// problem is and what it is. Check the cause with errors.Is (ErrHeader,
// ErrNumber, ErrOverlap, ...).
type CSVError struct {
	// Line is the 1-based line of the input. For rows handed to a
	// constructor (NewFeeSchedule, ...) it is the row's Line field, or the
	// 1-based row index when Line is 0.
	Line int
	// Column is the 1-based field number, 0 when the error concerns the
	// whole record (field count, CSV syntax, empty schedule).
	Column int
	// Field is the header name of Column ("" when Column is 0).
	Field string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *CSVError) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d, column %d (%s): %v", e.Line, e.Column, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *CSVError) Unwrap() error { return e.Err }

// csvFormat describes one CSV file format: its header and how to turn a
// record into a row.
type csvFormat struct {
	header []string
}

// fieldErr builds the *CSVError for field col (0-based) of format f.
func (f *csvFormat) fieldErr(line, col int, err error) *CSVError {
	return &CSVError{Line: line, Column: col + 1, Field: f.header[col], Err: err}
}

// readCSV reads a CSV with one of the given headers (exact names and order)
// and calls row for every record after it with its line number, the index
// of the header that matched, and the trimmed fields. Lines starting with
// '#' are comments; blank lines are skipped; a UTF-8 BOM is ignored.
func readCSV(r io.Reader, formats []*csvFormat, row func(line int, f *csvFormat, rec []string) error) error {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\xEF\xBB\xBF" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	hdr, err := cr.Read()
	if err == io.EOF {
		return &CSVError{Line: 1, Err: fmt.Errorf("%w: empty input", ErrHeader)}
	}
	if err != nil {
		return csvParseErr(err)
	}
	for i := range hdr {
		hdr[i] = strings.TrimSpace(hdr[i])
	}
	var f *csvFormat
	for _, cand := range formats {
		if slices.Equal(hdr, cand.header) {
			f = cand
			break
		}
	}
	line, _ := cr.FieldPos(0)
	if f == nil {
		want := make([]string, len(formats))
		for i, cand := range formats {
			want[i] = strings.Join(cand.header, ",")
		}
		return &CSVError{Line: line, Err: fmt.Errorf("%w %q: want %s", ErrHeader, strings.Join(hdr, ","), strings.Join(want, " or "))}
	}
	cr.FieldsPerRecord = len(f.header)
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvParseErr(err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if err := row(line, f, rec); err != nil {
			return err
		}
		rows++
	}
	if rows == 0 {
		return &CSVError{Line: line, Err: ErrNoRows}
	}
	return nil
}

// csvParseErr converts an encoding/csv error into a *CSVError.
func csvParseErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{Line: pe.Line, Err: err}
	}
	return fmt.Errorf("read csv: %w", err)
}

// rowLine returns the line to report for row i: its source line, or the
// 1-based index when the row did not come from a file.
func rowLine(line, i int) int {
	if line > 0 {
		return line
	}
	return i + 1
}

// parseRange parses effective_from (empty = MinDate) and effective_to
// (empty = MaxDate) at fields fromCol and fromCol+1.
func parseRange(f *csvFormat, line int, rec []string, fromCol int) (from, to Date, err error) {
	from, to = MinDate, MaxDate
	if s := rec[fromCol]; s != "" {
		if from, err = ParseDate(s); err != nil {
			return 0, 0, f.fieldErr(line, fromCol, err)
		}
	}
	if s := rec[fromCol+1]; s != "" {
		if to, err = ParseDate(s); err != nil {
			return 0, 0, f.fieldErr(line, fromCol+1, err)
		}
	}
	return from, to, nil
}

// span is the effective range of one row of a schedule, for the overlap
// check.
type span[K comparable] struct {
	key      K
	from, to Date
	line     int // reported line (see rowLine)
	idx      int // position in the input
}

// checkRanges validates every span (from ≤ to, both valid) and rejects
// duplicates and overlaps between spans of the same key. The error names
// the row that comes later in the input and points at its effective_from
// column (fromCol, 0-based, within header).
func checkRanges[K comparable](spans []span[K], header []string, fromCol int) error {
	f := &csvFormat{header: header}
	byKey := make(map[K][]int, len(spans))
	for i := range spans {
		s := &spans[i]
		if !s.from.Valid() {
			return f.fieldErr(s.line, fromCol, fmt.Errorf("%w %d", ErrDate, s.from))
		}
		if !s.to.Valid() {
			return f.fieldErr(s.line, fromCol+1, fmt.Errorf("%w %d", ErrDate, s.to))
		}
		if s.to < s.from {
			return f.fieldErr(s.line, fromCol+1, fmt.Errorf("%w: %s < %s", ErrDateRange, s.to, s.from))
		}
		byKey[s.key] = append(byKey[s.key], i)
	}
	for _, idx := range byKey {
		if len(idx) < 2 {
			continue
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(spans[a].from, spans[b].from) })
		for j := 1; j < len(idx); j++ {
			a, b := &spans[idx[j-1]], &spans[idx[j]]
			if b.from > a.to {
				continue
			}
			if b.idx < a.idx {
				a, b = b, a
			}
			if a.from == b.from && a.to == b.to {
				return f.fieldErr(b.line, 0, fmt.Errorf("%w: same key and dates as line %d", ErrDuplicate, a.line))
			}
			return f.fieldErr(b.line, fromCol, fmt.Errorf("%w: %s..%s overlaps %s..%s on line %d",
				ErrOverlap, b.from, b.to, a.from, a.to, a.line))
		}
	}
	return nil
}

// checkCode validates a schedule code: 1..48 characters, A-Z and 0-9.
func checkCode(s string) error {
	if s == "" {
		return ErrRequired
	}
	if len(s) > 48 {
		return fmt.Errorf("%w %q: longer than 48 characters", ErrCode, s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return fmt.Errorf("%w %q: only A-Z and 0-9 allowed", ErrCode, s)
		}
	}
	return nil
}

// checkPair validates a two-character modifier (A-Z, 0-9) or, when digits
// is true, a two-digit place of service. Empty is allowed (any).
func checkPair(s string, digits bool) error {
	if s == "" {
		return nil
	}
	ok := len(s) == 2
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= '0' && c <= '9' || !digits && c >= 'A' && c <= 'Z'
	}
	if !ok {
		if digits {
			return fmt.Errorf("%w %q: place of service is two digits", ErrCode, s)
		}
		return fmt.Errorf("%w %q: modifier is two characters A-Z or 0-9", ErrCode, s)
	}
	return nil
}

// pack2 packs a two-byte modifier or place of service into a uint16 for
// cheap comparison. Empty is 0 (any); anything not exactly two bytes is
// noMatch, which no schedule row holds.
func pack2(s string) uint16 {
	switch len(s) {
	case 0:
		return 0
	case 2:
		return uint16(s[0])<<8 | uint16(s[1])
	}
	return noMatch
}

const noMatch = 0xFFFF
