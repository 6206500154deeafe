package csvsub

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/roster"
)

// ResultColumns is the supplemental clinical data layout: one result
// per row.
var ResultColumns = []string{
	"member_id", "last_name", "first_name", "dob", "service_date",
	"code_system", "code", "value", "unit", "rendering_npi",
}

const (
	rMemberID = iota
	rLast
	rFirst
	rDOB
	rDate
	rSystem
	rCode
	rValue
	rUnit
	rNPI
	nResultColumns
)

// Code systems of the supplemental layout.
const (
	SystemLOINC = "LOINC"
	SystemHCPCS = "HCPCS" // HCPCS Level II: a letter and 4 digits
	SystemCPT2  = "CPT2"  // CPT Category II: 4 digits and F
)

// ClinicalRow is one valid supplemental data row. Dates are CCYYMMDD.
// Everything but the code system and code is PHI.
type ClinicalRow struct {
	Row                                int
	MemberID, LastName, FirstName, DOB string
	ServiceDate                        string
	CodeSystem, Code, Value, Unit      string
	RenderingNPI                       string
	// MemberTPA is the roster TPA of the member matched (when checked).
	MemberTPA string
}

// ResultsOptions configures ConvertResults.
type ResultsOptions struct {
	// Today (CCYYMMDD) bounds dates of birth and service.
	Today string
	// Check decides whether the member was covered on the service date
	// (roster.Checker.CheckWith bound to the file's transaction); nil
	// skips the roster check.
	Check func(ctx context.Context, q roster.ClaimParty) (roster.Decision, error)
	// OnRow receives every accepted row; an error stops the run.
	OnRow func(ClinicalRow) error
	// OnRowError receives every error of every rejected row.
	OnRowError func(RowError) error
	// Progress, when set, is called with the bytes read so far every 4096
	// rows and at the end.
	Progress func(offset int64)
}

// ResultsResult counts the rows of a supplemental data file.
type ResultsResult struct {
	Rows     int  `json:"rows"`
	Accepted int  `json:"accepted"`
	Rejected int  `json:"rejected"`
	Header   bool `json:"header"` // row 1 was the header row (counted as rejected)
}

// ConvertResults reads the supplemental data layout from in, row by row,
// checks every row (formats, code, roster) and hands the valid ones to
// OnRow.
func ConvertResults(ctx context.Context, in io.Reader, opts ResultsOptions) (ResultsResult, error) {
	var res ResultsResult
	rr, err := newRowReader(in, nResultColumns)
	if err != nil {
		return res, err
	}
	report := func(errs []RowError) error {
		res.Rejected++
		for _, e := range errs {
			if opts.OnRowError != nil {
				if err := opts.OnRowError(e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for {
		if res.Rows%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			if opts.Progress != nil && res.Rows > 0 {
				opts.Progress(rr.offset)
			}
		}
		rec, row, rerr, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, fmt.Errorf("csvsub: read row %d: %w", rr.row, err)
		}
		res.Rows++
		if rerr != nil {
			if err := report([]RowError{*rerr}); err != nil {
				return res, err
			}
			continue
		}
		if row == 1 && isHeader(rec, ResultColumns[0]) {
			res.Header = true
			if err := report([]RowError{{Row: 1, Code: CodeHeader, Reason: "header row"}}); err != nil {
				return res, err
			}
			continue
		}
		c := &checker{row: row}
		r := checkResult(c, rec, opts.Today)
		if len(c.errs) == 0 && opts.Check != nil {
			d, err := opts.Check(ctx, roster.ClaimParty{MemberID: r.MemberID, SubscriberLast: r.LastName,
				SubscriberFirst: r.FirstName, SubscriberDOB: r.DOB, ServiceFrom: r.ServiceDate})
			if err != nil {
				return res, err
			}
			if !d.Eligible {
				c.fail(eligibilityColumn(d.Reason), CodeEligibility, eligibilityText(d))
			}
			r.MemberTPA = d.TPA
		}
		if len(c.errs) > 0 {
			if err := report(c.errs); err != nil {
				return res, err
			}
			continue
		}
		res.Accepted++
		if opts.OnRow != nil {
			if err := opts.OnRow(r); err != nil {
				return res, err
			}
		}
	}
	if opts.Progress != nil {
		opts.Progress(rr.offset)
	}
	return res, nil
}

// checkResult checks the formats of one supplemental data row.
func checkResult(c *checker, rec []string, today string) ClinicalRow {
	r := ClinicalRow{Row: c.row}
	r.MemberID = c.ident("member_id", rec[rMemberID], true, 80)
	r.LastName = c.text("last_name", rec[rLast], true, 60)
	r.FirstName = c.text("first_name", rec[rFirst], true, 35)
	r.DOB = c.date("dob", rec[rDOB], true, today)
	r.ServiceDate = c.date("service_date", rec[rDate], true, today)
	if r.DOB != "" && r.ServiceDate != "" && r.ServiceDate < r.DOB {
		c.fail("service_date", CodeFormat, "before the date of birth")
	}
	switch strings.ToUpper(strings.ReplaceAll(rec[rSystem], " ", "")) {
	case "LOINC", "LN":
		r.CodeSystem = SystemLOINC
	case "HCPCS", "HCPCSII", "HC":
		r.CodeSystem = SystemHCPCS
	case "CPT2", "CPTII":
		r.CodeSystem = SystemCPT2
	case "":
		c.fail("code_system", CodeRequired, "required: LOINC, HCPCS or CPT2")
	default:
		c.fail("code_system", CodeCode, "want LOINC, HCPCS or CPT2")
	}
	r.Code = strings.ToUpper(rec[rCode])
	switch {
	case r.Code == "":
		c.fail("code", CodeRequired, "required")
	case r.CodeSystem == SystemLOINC && !ValidLOINC(r.Code):
		c.fail("code", CodeCode, "not a LOINC code (digits, '-', check digit)")
	case r.CodeSystem == SystemHCPCS && !hcpcsLevelII(r.Code):
		c.fail("code", CodeCode, "not a HCPCS Level II code (a letter and 4 digits)")
	case r.CodeSystem == SystemCPT2 && !cptII(r.Code):
		c.fail("code", CodeCode, "not a CPT Category II code (4 digits and F)")
	}
	r.Value = rec[rValue]
	switch {
	case r.Value == "" && r.CodeSystem == SystemLOINC:
		c.fail("value", CodeRequired, "required for a LOINC result")
	case r.Value != "" && !resultValue(r.Value):
		c.fail("value", CodeFormat, "want a number like 6.8, optionally after < or >")
	}
	r.Unit = c.text("unit", rec[rUnit], false, 20)
	if rec[rUnit] != "" {
		r.Unit = rec[rUnit] // units are case-sensitive (mg/dL, %)
	}
	r.RenderingNPI = c.npi("rendering_npi", rec[rNPI], false)
	return r
}

// ValidLOINC reports whether code is a LOINC code: 1 to 7 digits, '-',
// and the mod-10 check digit.
func ValidLOINC(code string) bool {
	num, check, ok := strings.Cut(code, "-")
	if !ok || len(num) == 0 || len(num) > 7 || len(check) != 1 || !isDigit(check[0]) {
		return false
	}
	sum := 0
	for i := 0; i < len(num); i++ {
		c := num[len(num)-1-i]
		if !isDigit(c) {
			return false
		}
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(check[0]-'0')
}

func hcpcsLevelII(v string) bool {
	return len(v) == 5 && v[0] >= 'A' && v[0] <= 'V' && isDigit(v[1]) && isDigit(v[2]) && isDigit(v[3]) && isDigit(v[4])
}

func cptII(v string) bool {
	return len(v) == 5 && isDigit(v[0]) && isDigit(v[1]) && isDigit(v[2]) && isDigit(v[3]) && v[4] == 'F'
}

// resultValue reports whether v is a result number: an optional < or >
// and a decimal of at most 15 characters.
func resultValue(v string) bool {
	v = strings.TrimLeft(v, "<>")
	if v == "" || len(v) > 15 {
		return false
	}
	_, err := x12.ParseMilli([]byte(v))
	return err == nil && unitsShape(strings.TrimPrefix(v, "-"))
}

// eligibilityColumn is the column a roster decision points at.
func eligibilityColumn(r roster.Reason) string {
	switch r {
	case roster.ReasonSubscriberNameMismatch, roster.ReasonPatientNameMismatch:
		return "last_name"
	case roster.ReasonSubscriberDOBMismatch, roster.ReasonPatientDOBMismatch:
		return "dob"
	case roster.ReasonNotCoveredOnDOS, roster.ReasonServiceDateMissing:
		return "service_date"
	}
	return "member_id"
}

// eligibilityText explains a roster decision without repeating values.
func eligibilityText(d roster.Decision) string {
	var s string
	switch d.Reason {
	case roster.ReasonMemberNotFound:
		s = "no member with this ID on the roster"
	case roster.ReasonMemberIDSuffix:
		s = "member ID differs from the roster ID by a 2-digit suffix"
	case roster.ReasonMemberIDCase:
		s = "member ID matches a roster ID only ignoring case"
	case roster.ReasonSubscriberNameMismatch, roster.ReasonPatientNameMismatch:
		s = "name differs from the roster"
	case roster.ReasonSubscriberDOBMismatch, roster.ReasonPatientDOBMismatch:
		s = "date of birth differs from the roster"
	case roster.ReasonNotCoveredOnDOS:
		s = "member not covered on the service date"
	default:
		s = strings.ReplaceAll(string(d.Reason), "_", " ")
	}
	if code := d.STC01(':'); code != "" {
		s += " (" + code + ")"
	}
	return s
}
