// Package csvsub turns CSV submissions from practices that cannot produce
// X12 into the engine's own objects: batch claims become a real 837P
// (005010X222A1) that enters the same pipeline as any 837, and
// supplemental clinical data rows (lab and screening results) are checked
// against the roster and stored. Both layouts are read row by row with
// encoding/csv: memory does not grow with the file. Every rejected row is
// reported with its row number, column, a machine-readable code and a
// text that never repeats the row's values (PHI).
//
// The layouts, their validation rules and how a CSV file moves through
// the pipeline are documented in docs/csv.md.
//
//	res, err := csvsub.ConvertClaims(ctx, csvReader, w837, csvsub.ClaimsOptions{...})
package csvsub

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Error codes of rejected rows.
const (
	CodeHeader      = "header"      // the first row is the layout's header row
	CodeSyntax      = "syntax"      // not valid CSV (a stray quote)
	CodeColumns     = "columns"     // wrong number of columns
	CodeRequired    = "required"    // a required value is empty
	CodeFormat      = "format"      // a value has the wrong form (date, number, length, characters)
	CodeCode        = "code"        // a code is not a valid code of its code set
	CodeMismatch    = "mismatch"    // a claim column differs from the claim's first row
	CodeClaim       = "claim"       // another row of the same claim was rejected
	CodeLines       = "lines"       // a claim has more than 50 service lines
	CodeDuplicate   = "duplicate"   // a claim key already used by earlier, non-adjacent rows
	CodeEligibility = "eligibility" // the member is not on the roster as given (277CA-style code in the reason)
	CodeRejected    = "rejected"    // the converted claim was rejected by the 837 pipeline
)

// RowError is one error of a rejected row. Row is 1-based and counts
// every CSV record, the header row included; Column is the layout's
// column name, "" when the error is about the whole row.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s: %s", e.Row, e.Code, e.Reason)
	}
	return fmt.Sprintf("row %d column %s: %s: %s", e.Row, e.Column, e.Code, e.Reason)
}

// rowReader reads the records of a CSV file one at a time. It tolerates
// a UTF-8 byte order mark, CRLF line ends and blank lines (which are not
// rows), and reports CSV syntax errors as rejected rows instead of
// stopping.
type rowReader struct {
	r      *csv.Reader
	cols   int
	row    int
	offset int64
}

func newRowReader(in io.Reader, cols int) (*rowReader, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	if head, _ := br.Peek(3); bytes.Equal(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &rowReader{r: r, cols: cols}, nil
}

// next returns the next record and its 1-based row number. A record that
// cannot be used comes back with a non-nil RowError (and a nil record).
// io.EOF ends the file; any other error is an I/O error.
func (rr *rowReader) next() ([]string, int, *RowError, error) {
	rec, err := rr.r.Read()
	if err == io.EOF {
		return nil, 0, nil, io.EOF
	}
	rr.row++
	rr.offset = rr.r.InputOffset()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			err = nil // FieldsPerRecord is -1: not reported, checked below
		} else {
			return nil, rr.row, &RowError{Row: rr.row, Code: CodeSyntax, Reason: "not valid CSV: " + pe.Err.Error()}, nil
		}
	}
	if err != nil {
		return nil, rr.row, nil, err
	}
	if len(rec) != rr.cols {
		return nil, rr.row, &RowError{Row: rr.row, Code: CodeColumns,
			Reason: fmt.Sprintf("%d columns, want %d", len(rec), rr.cols)}, nil
	}
	for i, v := range rec {
		rec[i] = strings.TrimSpace(v)
	}
	return rec, rr.row, nil, nil
}

// isHeader reports whether rec is the header row of a layout whose first
// column is first.
func isHeader(rec []string, first string) bool {
	return len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), first)
}

// Sniff reports whether the start of a file looks like CSV rather than
// X12: X12 starts with "ISA" (after optional whitespace or a BOM); a CSV
// submission starts with a header row or a data row of printable text
// with commas. It reads nothing but head.
func Sniff(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || bytes.HasPrefix(head, []byte("ISA")) {
		return false
	}
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if !utf8.Valid(line) && len(line) < len(head) {
		return false
	}
	return bytes.IndexByte(line, ',') >= 0
}
