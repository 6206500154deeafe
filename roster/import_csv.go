package roster

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// CSV column names. The header row is required; columns may come in any
// order. Required: member_id, last_name, first_name, dob, coverage_start.
const (
	ColMemberID      = "member_id"
	ColLastName      = "last_name"
	ColFirstName     = "first_name"
	ColDOB           = "dob"
	ColGender        = "gender"
	ColCoverageStart = "coverage_start"
	ColCoverageEnd   = "coverage_end"
	ColPlan          = "plan"
	ColGroup         = "group"
	ColTPA           = "tpa"
	// ColCoverageLevel and ColInsuranceType are the 271 EB02 coverage
	// level (IND, FAM, ...) and EB04 insurance type (C1, PR, HM, ...).
	ColCoverageLevel = "coverage_level"
	ColInsuranceType = "insurance_type"
)

// CSVColumns are the known CSV columns: the ones synth.WriteRosterCSV
// writes, in its order, then the optional coverage_level and
// insurance_type.
var CSVColumns = []string{ColMemberID, ColLastName, ColFirstName, ColDOB, ColGender,
	ColCoverageStart, ColCoverageEnd, ColPlan, ColGroup, ColTPA, ColCoverageLevel, ColInsuranceType}

var requiredCSVColumns = []string{ColMemberID, ColLastName, ColFirstName, ColDOB, ColCoverageStart}

// ImportCSV applies a CSV roster to the store in one transaction and
// records it (by SHA-256) so the same content is never applied twice; see
// the package documentation for the format. Each row is a subscriber in
// its own family (family ID = member ID, relationship 18) and is upserted.
// With opts.FullReplace the file is a snapshot: members of the TPAs it
// names that it does not list are termed as of opts.FileDate.
//
// Header problems return a *CSVError and write nothing. A bad row is
// skipped and reported in ImportResult.Errors (its Err is a *CSVError),
// unless opts.AbortOnError makes it fail the import.
func ImportCSV(ctx context.Context, st *store.Store, r io.Reader, opts Opts) (ImportResult, error) {
	return runImport(ctx, st, r, opts, store.RosterCSV, parseCSV)
}

func parseCSV(ctx context.Context, imp *importer, r io.Reader) error {
	if imp.res.FileDate == "" {
		imp.res.FileDate = imp.opts.Now().UTC().Format("20060102")
	}
	imp.snapshot = imp.opts.FullReplace

	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked per row, so a bad row is skipped, not fatal
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &CSVError{Line: 1, Err: ErrNoHeader}
	}
	if err != nil {
		return &CSVError{Line: 1, Err: ErrCSVSyntax}
	}
	cols := map[string]int{}
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff")
		}
		name = strings.TrimSpace(name)
		known := false
		for _, c := range CSVColumns {
			known = known || c == name
		}
		switch _, dup := cols[name]; {
		case !known:
			return &CSVError{Line: 1, Column: fmt.Sprintf("#%d", i+1), Err: ErrUnknownColumn}
		case dup:
			return &CSVError{Line: 1, Column: name, Err: ErrDuplicateColumn}
		}
		cols[name] = i
	}
	for _, c := range requiredCSVColumns {
		if _, ok := cols[c]; !ok {
			return &CSVError{Line: 1, Column: c, Err: ErrMissingColumn}
		}
	}
	field := func(rec []string, col string) string {
		if i, ok := cols[col]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}

	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("roster: read csv: %w", err)
			}
			imp.res.Records++
			if err := imp.fail(RowError{Line: pe.StartLine, Err: &CSVError{Line: pe.StartLine, Err: ErrCSVSyntax}}); err != nil {
				return err
			}
			continue
		}
		imp.res.Records++
		rowErr := func(col string, e error) error {
			return imp.fail(RowError{Line: line, Column: col, Err: &CSVError{Line: line, Column: col, Err: e}})
		}
		if len(rec) != len(header) {
			if err := rowErr("", ErrFieldCount); err != nil {
				return err
			}
			continue
		}
		m, col, e := csvMember(rec, field)
		if e != nil {
			if err := rowErr(col, e); err != nil {
				return err
			}
			continue
		}
		if imp.opts.TPA != "" {
			m.TPA = imp.opts.TPA
		}
		m.Source = imp.source
		key := m.Key()
		if _, dup := imp.keys[key]; dup {
			if err := rowErr(ColMemberID, ErrDuplicateMember); err != nil {
				return err
			}
			continue
		}
		imp.keys[key] = line
		row, change, err := imp.tx.UpsertMember(ctx, m)
		if err != nil {
			return err
		}
		imp.touch(row)
		imp.count(change)
	}
}

// csvMember builds a member from one CSV row, or names the column at
// fault.
func csvMember(rec []string, field func([]string, string) string) (store.Member, string, error) {
	m := store.Member{
		MemberID:     field(rec, ColMemberID),
		Relationship: "18",
		LastName:     field(rec, ColLastName),
		FirstName:    field(rec, ColFirstName),
		Gender:       field(rec, ColGender),
		Plan:         field(rec, ColPlan),
		GroupNumber:  field(rec, ColGroup),
		TPA:          field(rec, ColTPA),

		CoverageLevel: field(rec, ColCoverageLevel),
		InsuranceType: field(rec, ColInsuranceType),
	}
	m.FamilyID = m.MemberID
	for _, c := range []struct {
		col string
		v   string
	}{{ColMemberID, m.MemberID}, {ColLastName, m.LastName}, {ColFirstName, m.FirstName}} {
		if c.v == "" {
			return m, c.col, ErrRequired
		}
	}
	switch m.Gender {
	case "", "F", "M", "U":
	default:
		return m, ColGender, ErrBadGender
	}
	var ok bool
	if m.DOB, ok = csvDate(field(rec, ColDOB)); !ok || m.DOB == "" {
		if ok {
			return m, ColDOB, ErrRequired
		}
		return m, ColDOB, ErrBadDate
	}
	if m.CoverageStart, ok = csvDate(field(rec, ColCoverageStart)); !ok || m.CoverageStart == "" {
		if ok {
			return m, ColCoverageStart, ErrRequired
		}
		return m, ColCoverageStart, ErrBadDate
	}
	if m.CoverageEnd, ok = csvDate(field(rec, ColCoverageEnd)); !ok {
		return m, ColCoverageEnd, ErrBadDate
	}
	if m.CoverageEnd != "" && m.CoverageEnd < m.CoverageStart {
		return m, ColCoverageEnd, ErrCoverageOrder
	}
	return m, "", nil
}

// csvDate converts YYYY-MM-DD or CCYYMMDD to CCYYMMDD; "" stays "" (ok).
func csvDate(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		s = s[:4] + s[5:7] + s[8:]
	}
	if !validDate(s) {
		return "", false
	}
	return s, true
}
