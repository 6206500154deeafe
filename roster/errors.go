package roster

import (
	"errors"
	"strconv"
	"strings"
)

// Errors a CSVError or RowError may wrap. Their messages never contain
// member data (names, IDs, dates of birth): only positions and field
// names.
var (
	// ErrNoHeader means the CSV input is empty: the header row is missing.
	ErrNoHeader = errors.New("missing header row")
	// ErrUnknownColumn means the CSV header names a column this package
	// does not know.
	ErrUnknownColumn = errors.New("unknown column")
	// ErrDuplicateColumn means the CSV header names a column twice.
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrMissingColumn means a required CSV column is absent from the
	// header.
	ErrMissingColumn = errors.New("missing required column")
	// ErrFieldCount means a CSV row has more or fewer fields than the
	// header.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrCSVSyntax means a CSV row could not be parsed (quoting).
	ErrCSVSyntax = errors.New("malformed csv row")
	// ErrRequired means a required value is empty.
	ErrRequired = errors.New("required value is empty")
	// ErrBadDate means a date is not a valid calendar date in an accepted
	// format (CSV: YYYY-MM-DD or CCYYMMDD; 834: D8 CCYYMMDD).
	ErrBadDate = errors.New("invalid date")
	// ErrBadGender means a gender is not F, M, U or empty.
	ErrBadGender = errors.New("invalid gender (want F, M, U or empty)")
	// ErrCoverageOrder means the coverage end is before its start.
	ErrCoverageOrder = errors.New("coverage ends before it starts")
	// ErrDuplicateMember means a file lists the same member key twice.
	ErrDuplicateMember = errors.New("member listed twice in one file")

	// ErrSyntax means the X12 tokenizer could not read a segment; the
	// RowError wraps the x12 sentinel too.
	ErrSyntax = errors.New("x12 syntax error")
	// ErrBadSegment means a segment identifier is not 2-3 upper-case
	// letters or digits (for example annotation text inside the file).
	ErrBadSegment = errors.New("invalid segment identifier")
	// ErrNotEnrollment means a transaction set is not an 834; it is
	// skipped.
	ErrNotEnrollment = errors.New("transaction set is not an 834")
	// ErrMaintenanceType means INS03 is not 001, 021, 024, 025 or 030.
	ErrMaintenanceType = errors.New("unsupported maintenance type (INS03)")
	// ErrBadINS means INS01 is not Y/N or INS02 is empty.
	ErrBadINS = errors.New("invalid member level detail (INS01/INS02)")
	// ErrMissingFamilyID means a member record has no REF*0F subscriber
	// identifier.
	ErrMissingFamilyID = errors.New("missing subscriber identifier (REF*0F)")
	// ErrMissingMemberID means none of the configured member-ID sources
	// (Opts.MemberIDFrom) holds a value.
	ErrMissingMemberID = errors.New("no member id from the configured sources")
	// ErrMissingName means a member that is not on the roster yet has no
	// NM1*IL/74 name.
	ErrMissingName = errors.New("missing member name (NM1*IL)")
	// ErrDuplicateName means a member record has two NM1*IL/74 segments.
	ErrDuplicateName = errors.New("member record has two member names (NM1*IL/74)")
	// ErrMissingCoverageStart means a member that is not on the roster yet
	// has no coverage start (DTP*348, DTP*356).
	ErrMissingCoverageStart = errors.New("missing coverage begin date (DTP*348/356)")
	// ErrUnknownMember means a termination (or a change or reinstatement
	// without enough data to add the member) refers to a member that is
	// not on the roster.
	ErrUnknownMember = errors.New("member is not on the roster")
)

// Errors returned by the importers as a whole.
var (
	// ErrNo834 means the input holds no 834 transaction set at all.
	ErrNo834 = errors.New("roster: no 834 transaction set in input")
	// ErrChecksumMismatch means Opts.SHA256 does not match the content
	// read (the file changed between hashing and importing).
	ErrChecksumMismatch = errors.New("roster: content does not match the expected sha256")
	// ErrBadOpts means the import options are invalid.
	ErrBadOpts = errors.New("roster: invalid options")
)

// CSVError is a problem at a position in a CSV roster. The header errors
// (ErrNoHeader, ErrUnknownColumn, ErrDuplicateColumn, ErrMissingColumn)
// stop the import; a row error skips the row (or stops the import with
// Opts.AbortOnError). Line is 1-based and counts the header; Column is the
// column name ("" for the whole row).
type CSVError struct {
	Line   int
	Column string
	Err    error
}

func (e *CSVError) Error() string {
	var b strings.Builder
	b.WriteString("roster csv: line ")
	b.WriteString(strconv.Itoa(e.Line))
	if e.Column != "" {
		b.WriteString(": column ")
		b.WriteString(e.Column)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *CSVError) Unwrap() error { return e.Err }

// RowError is one roster record the importer skipped (or, with
// Opts.AbortOnError, the one that stopped the import). For a CSV roster
// Line and Column are set and Err is a *CSVError; for an 834, Record is the
// 1-based number of the member (INS) record in the file (0 for a problem
// outside any member record), and Offset, Ordinal, Position and Segment
// locate the segment at fault (or the INS when the record as a whole is
// refused), Element the element within it (0 for the whole segment).
type RowError struct {
	Line     int
	Column   string
	Record   int
	Offset   int64
	Ordinal  int
	Position int
	Segment  string
	Element  int
	Err      error
}

func (e *RowError) Error() string {
	var ce *CSVError
	if errors.As(e.Err, &ce) {
		return ce.Error()
	}
	var b strings.Builder
	b.WriteString("roster 834: ")
	if e.Record > 0 {
		b.WriteString("member record ")
		b.WriteString(strconv.Itoa(e.Record))
		b.WriteString(": ")
	}
	b.WriteString("offset ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	if e.Segment != "" || e.Ordinal > 0 {
		b.WriteString(": segment")
		if e.Segment != "" {
			b.WriteString(" ")
			b.WriteString(e.Segment)
		}
		if e.Ordinal > 0 {
			b.WriteString(" #")
			b.WriteString(strconv.Itoa(e.Ordinal))
		}
		if e.Position > 0 {
			b.WriteString(" (position ")
			b.WriteString(strconv.Itoa(e.Position))
			b.WriteString(")")
		}
	}
	if e.Element > 0 {
		b.WriteString(": element ")
		b.WriteString(strconv.Itoa(e.Element))
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *RowError) Unwrap() error { return e.Err }
