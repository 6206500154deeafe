package repricing

import (
	"fmt"
	"io"
)

// This file holds the claim-level schedules: per diem rates, DRG weights
// and case rates. All three map a key to one effective-dated int64 value.

// PerDiemRow is one per diem rate.
type PerDiemRow struct {
	// Key is a four-digit revenue code ("0120") or a two-digit facility
	// type code, the first two digits of the type of bill ("11" hospital
	// inpatient).
	Key string
	// RateCents is the rate per covered day.
	RateCents int64
	// EffectiveFrom and EffectiveTo bound the row (inclusive).
	EffectiveFrom, EffectiveTo Date
	// Line is the row's source line for error messages (0 if none).
	Line int
}

// DRGRow is one DRG relative weight.
type DRGRow struct {
	// DRG is the DRG code as sent in HI DR ("470").
	DRG string
	// Weight is the relative weight scaled by Scale4 (1.5 is 15000).
	Weight int64
	// EffectiveFrom and EffectiveTo bound the row (inclusive).
	EffectiveFrom, EffectiveTo Date
	// Line is the row's source line for error messages (0 if none).
	Line int
}

// CaseRateRow is one flat case rate.
type CaseRateRow struct {
	// Key is a DRG code, a procedure code or a revenue code.
	Key string
	// AmountCents is the flat amount for the whole claim.
	AmountCents int64
	// EffectiveFrom and EffectiveTo bound the row (inclusive); the
	// two-column CSV form leaves them MinDate..MaxDate.
	EffectiveFrom, EffectiveTo Date
	// Line is the row's source line for error messages (0 if none).
	Line int
}

// datedValues maps keys to effective-dated values.
type datedValues struct {
	byKey map[string][]datedValue
	rows  int
}

type datedValue struct {
	from, to Date
	v        int64
}

func (d *datedValues) lookup(key string, date Date) (int64, bool) {
	for _, e := range d.byKey[key] {
		if date >= e.from && date <= e.to {
			return e.v, true
		}
	}
	return 0, false
}

// datedRow is the common shape of the three row types.
type datedRow struct {
	key      string
	v        int64
	from, to Date
	line     int
}

// newDatedValues validates keys (checkKey), values (0..maxV) and ranges.
func newDatedValues(rows []datedRow, f *csvFormat, fromCol int, checkKey func(string) error, maxV int64, formatV func(int64) string) (datedValues, error) {
	if len(rows) == 0 {
		return datedValues{}, &CSVError{Line: 1, Err: ErrNoRows}
	}
	spans := make([]span[string], len(rows))
	for i, r := range rows {
		line := rowLine(r.line, i)
		if err := checkKey(r.key); err != nil {
			return datedValues{}, f.fieldErr(line, 0, err)
		}
		if r.v < 0 || r.v > maxV {
			return datedValues{}, f.fieldErr(line, 1, fmt.Errorf("%w: %s outside 0..%s", ErrNumber, formatV(r.v), formatV(maxV)))
		}
		spans[i] = span[string]{key: r.key, from: r.from, to: r.to, line: line, idx: i}
	}
	if err := checkRanges(spans, f.header, fromCol); err != nil {
		return datedValues{}, err
	}
	d := datedValues{byKey: make(map[string][]datedValue, len(rows)), rows: len(rows)}
	for _, r := range rows {
		d.byKey[r.key] = append(d.byKey[r.key], datedValue{from: r.from, to: r.to, v: r.v})
	}
	return d, nil
}

// loadDated reads a key,value[,effective_from,effective_to] CSV.
func loadDated(r io.Reader, formats []*csvFormat, parseV func(string) (int64, error)) ([]datedRow, error) {
	var rows []datedRow
	err := readCSV(r, formats, func(line int, f *csvFormat, rec []string) error {
		row := datedRow{key: rec[0], line: line, from: MinDate, to: MaxDate}
		if row.key == "" {
			return f.fieldErr(line, 0, ErrRequired)
		}
		v, err := parseV(rec[1])
		if err != nil {
			return f.fieldErr(line, 1, err)
		}
		row.v = v
		if len(f.header) == 4 {
			if row.from, row.to, err = parseRange(f, line, rec, 2); err != nil {
				return err
			}
		}
		rows = append(rows, row)
		return nil
	})
	return rows, err
}

// PerDiemSchedule is an immutable, effective-dated per diem rate table. It
// is safe for concurrent use.
type PerDiemSchedule struct{ d datedValues }

var perDiemFormat = &csvFormat{header: []string{"revenue_code_or_type", "rate", "effective_from", "effective_to"}}

// checkPerDiemKey accepts a four-digit revenue code or a two-digit facility
// type code.
func checkPerDiemKey(s string) error {
	if (len(s) == 4 || len(s) == 2) && allDigits(s) {
		return nil
	}
	if s == "" {
		return ErrRequired
	}
	return fmt.Errorf("%w %q: want a 4-digit revenue code or a 2-digit facility type", ErrCode, s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// LoadPerDiemSchedule reads a per diem CSV (see the package documentation).
// Errors are *CSVError.
func LoadPerDiemSchedule(r io.Reader) (*PerDiemSchedule, error) {
	rows, err := loadDated(r, []*csvFormat{perDiemFormat}, parseMoneyField)
	if err != nil {
		return nil, err
	}
	d, err := newDatedValues(rows, perDiemFormat, 2, checkPerDiemKey, MaxCents, formatCents)
	if err != nil {
		return nil, err
	}
	return &PerDiemSchedule{d: d}, nil
}

// NewPerDiemSchedule validates rows and builds a schedule. Errors are
// *CSVError.
func NewPerDiemSchedule(rows []PerDiemRow) (*PerDiemSchedule, error) {
	dr := make([]datedRow, len(rows))
	for i, r := range rows {
		dr[i] = datedRow{key: r.Key, v: r.RateCents, from: r.EffectiveFrom, to: r.EffectiveTo, line: r.Line}
	}
	d, err := newDatedValues(dr, perDiemFormat, 2, checkPerDiemKey, MaxCents, formatCents)
	if err != nil {
		return nil, err
	}
	return &PerDiemSchedule{d: d}, nil
}

// Lookup returns the daily rate for a revenue code or facility type on
// date.
func (s *PerDiemSchedule) Lookup(key string, date Date) (rateCents int64, ok bool) {
	return s.d.lookup(key, date)
}

// Len returns the number of rows.
func (s *PerDiemSchedule) Len() int { return s.d.rows }

// DRGSchedule is an immutable, effective-dated table of DRG relative
// weights. It is safe for concurrent use.
type DRGSchedule struct{ d datedValues }

var drgFormat = &csvFormat{header: []string{"drg", "relative_weight", "effective_from", "effective_to"}}

const maxWeight = 9_999_999 // 999.9999

func parseWeight(s string) (int64, error) { return parseScaledField(s, maxWeightDigits) }

func formatWeight(v int64) string { return formatScaled(v, 4) }

// LoadDRGSchedule reads a DRG weight CSV (see the package documentation).
// Errors are *CSVError.
func LoadDRGSchedule(r io.Reader) (*DRGSchedule, error) {
	rows, err := loadDated(r, []*csvFormat{drgFormat}, parseWeight)
	if err != nil {
		return nil, err
	}
	d, err := newDatedValues(rows, drgFormat, 2, checkCode, maxWeight, formatWeight)
	if err != nil {
		return nil, err
	}
	return &DRGSchedule{d: d}, nil
}

// NewDRGSchedule validates rows and builds a schedule. Errors are
// *CSVError.
func NewDRGSchedule(rows []DRGRow) (*DRGSchedule, error) {
	dr := make([]datedRow, len(rows))
	for i, r := range rows {
		dr[i] = datedRow{key: r.DRG, v: r.Weight, from: r.EffectiveFrom, to: r.EffectiveTo, line: r.Line}
	}
	d, err := newDatedValues(dr, drgFormat, 2, checkCode, maxWeight, formatWeight)
	if err != nil {
		return nil, err
	}
	return &DRGSchedule{d: d}, nil
}

// Lookup returns the relative weight (scaled by Scale4) of drg on date.
func (s *DRGSchedule) Lookup(drg string, date Date) (weight int64, ok bool) {
	return s.d.lookup(drg, date)
}

// Len returns the number of rows.
func (s *DRGSchedule) Len() int { return s.d.rows }

// CaseRateSchedule is an immutable table of flat case rates. It is safe for
// concurrent use.
type CaseRateSchedule struct{ d datedValues }

var (
	caseRateFormat      = &csvFormat{header: []string{"drg_or_code", "amount"}}
	caseRateDatedFormat = &csvFormat{header: []string{"drg_or_code", "amount", "effective_from", "effective_to"}}
)

// LoadCaseRateSchedule reads a case rate CSV, with or without the
// effective_from,effective_to columns (see the package documentation).
// Errors are *CSVError.
func LoadCaseRateSchedule(r io.Reader) (*CaseRateSchedule, error) {
	rows, err := loadDated(r, []*csvFormat{caseRateFormat, caseRateDatedFormat}, parseMoneyField)
	if err != nil {
		return nil, err
	}
	d, err := newDatedValues(rows, caseRateDatedFormat, 2, checkCode, MaxCents, formatCents)
	if err != nil {
		return nil, err
	}
	return &CaseRateSchedule{d: d}, nil
}

// NewCaseRateSchedule validates rows and builds a schedule. Errors are
// *CSVError.
func NewCaseRateSchedule(rows []CaseRateRow) (*CaseRateSchedule, error) {
	dr := make([]datedRow, len(rows))
	for i, r := range rows {
		dr[i] = datedRow{key: r.Key, v: r.AmountCents, from: r.EffectiveFrom, to: r.EffectiveTo, line: r.Line}
	}
	d, err := newDatedValues(dr, caseRateDatedFormat, 2, checkCode, MaxCents, formatCents)
	if err != nil {
		return nil, err
	}
	return &CaseRateSchedule{d: d}, nil
}

// Lookup returns the flat amount for key on date.
func (s *CaseRateSchedule) Lookup(key string, date Date) (cents int64, ok bool) {
	return s.d.lookup(key, date)
}

// Len returns the number of rows.
func (s *CaseRateSchedule) Len() int { return s.d.rows }
