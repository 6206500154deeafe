package repricing

import (
	"fmt"
	"io"
)

// RBRVSRow is one row of a relative value unit schedule. RVUs are int64
// scaled by Scale4 (1.2345 RVU is 12345).
type RBRVSRow struct {
	// Code is the procedure code; A-Z and 0-9, at most 48 characters.
	Code string
	// Modifier is a two-character modifier (26, TC, ...); "" matches any.
	Modifier string
	// WorkRVU, PENonFacilityRVU, PEFacilityRVU and MPRVU are the work,
	// practice expense (non-facility and facility) and malpractice RVUs.
	WorkRVU, PENonFacilityRVU, PEFacilityRVU, MPRVU int64
	// EffectiveFrom and EffectiveTo bound the row (inclusive).
	EffectiveFrom, EffectiveTo Date
	// Line is the row's source line for error messages (0 if none).
	Line int
}

// RBRVSSchedule is an immutable, effective-dated RVU schedule. It is safe
// for concurrent use.
type RBRVSSchedule struct {
	byCode map[string][]rvuEntry
	rows   int
}

type rvuEntry struct {
	mod                 uint16
	from, to            Date
	work, peNF, peF, mp int64
}

// Limits of four-decimal fields (integer digits).
const (
	maxRVUDigits    = 5 // 99999.9999
	maxGPCIDigits   = 2 // 99.9999
	maxWeightDigits = 3 // 999.9999
)

var rbrvsFormat = &csvFormat{header: []string{"code", "modifier", "work_rvu", "pe_rvu_nonfacility", "pe_rvu_facility", "mp_rvu", "effective_from", "effective_to"}}

// LoadRBRVSSchedule reads an RVU CSV (see the package documentation).
// Errors are *CSVError.
func LoadRBRVSSchedule(r io.Reader) (*RBRVSSchedule, error) {
	var rows []RBRVSRow
	err := readCSV(r, []*csvFormat{rbrvsFormat}, func(line int, f *csvFormat, rec []string) error {
		row := RBRVSRow{Code: rec[0], Modifier: rec[1], Line: line}
		if err := checkCode(row.Code); err != nil {
			return f.fieldErr(line, 0, err)
		}
		if err := checkPair(row.Modifier, false); err != nil {
			return f.fieldErr(line, 1, err)
		}
		for i, dst := range []*int64{&row.WorkRVU, &row.PENonFacilityRVU, &row.PEFacilityRVU, &row.MPRVU} {
			v, err := parseScaledField(rec[2+i], maxRVUDigits)
			if err != nil {
				return f.fieldErr(line, 2+i, err)
			}
			*dst = v
		}
		var err error
		if row.EffectiveFrom, row.EffectiveTo, err = parseRange(f, line, rec, 6); err != nil {
			return err
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return NewRBRVSSchedule(rows)
}

// parseScaledField parses a required four-decimal field.
func parseScaledField(s string, maxInt int) (int64, error) {
	if s == "" {
		return 0, ErrRequired
	}
	v, err := parseDecimal(s, 4, maxInt)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNumber, err)
	}
	return v, nil
}

type rvuKey struct {
	code string
	mod  uint16
}

// NewRBRVSSchedule validates rows and builds a schedule. Errors are
// *CSVError.
func NewRBRVSSchedule(rows []RBRVSRow) (*RBRVSSchedule, error) {
	if len(rows) == 0 {
		return nil, &CSVError{Line: 1, Err: ErrNoRows}
	}
	const maxRVU = 999_999_999 // 99999.9999
	spans := make([]span[rvuKey], len(rows))
	for i := range rows {
		r := &rows[i]
		line := rowLine(r.Line, i)
		if err := checkCode(r.Code); err != nil {
			return nil, rbrvsFormat.fieldErr(line, 0, err)
		}
		if err := checkPair(r.Modifier, false); err != nil {
			return nil, rbrvsFormat.fieldErr(line, 1, err)
		}
		for j, v := range [4]int64{r.WorkRVU, r.PENonFacilityRVU, r.PEFacilityRVU, r.MPRVU} {
			if v < 0 || v > maxRVU {
				return nil, rbrvsFormat.fieldErr(line, 2+j, fmt.Errorf("%w: %s outside 0..99999.9999", ErrNumber, formatScaled(v, 4)))
			}
		}
		spans[i] = span[rvuKey]{key: rvuKey{r.Code, pack2(r.Modifier)}, from: r.EffectiveFrom, to: r.EffectiveTo, line: line, idx: i}
	}
	if err := checkRanges(spans, rbrvsFormat.header, 6); err != nil {
		return nil, err
	}
	s := &RBRVSSchedule{byCode: make(map[string][]rvuEntry), rows: len(rows)}
	for i := range rows {
		r := &rows[i]
		s.byCode[r.Code] = append(s.byCode[r.Code], rvuEntry{
			mod: pack2(r.Modifier), from: r.EffectiveFrom, to: r.EffectiveTo,
			work: r.WorkRVU, peNF: r.PENonFacilityRVU, peF: r.PEFacilityRVU, mp: r.MPRVU,
		})
	}
	return s, nil
}

// Len returns the number of rows.
func (s *RBRVSSchedule) Len() int { return s.rows }

// Lookup returns the RVU row for code on date: a row for one of the line's
// modifiers (earlier modifier first) wins over the code-only row.
func (s *RBRVSSchedule) Lookup(code string, mods []string, date Date) (RBRVSRow, bool) {
	var pm [4]uint16
	n := packMods(&pm, mods)
	e := s.lookup(code, pm[:n], date)
	if e == nil {
		return RBRVSRow{}, false
	}
	mod := ""
	if e.mod != 0 {
		mod = string([]byte{byte(e.mod >> 8), byte(e.mod)})
	}
	return RBRVSRow{Code: code, Modifier: mod, WorkRVU: e.work, PENonFacilityRVU: e.peNF,
		PEFacilityRVU: e.peF, MPRVU: e.mp, EffectiveFrom: e.from, EffectiveTo: e.to}, true
}

func (s *RBRVSSchedule) lookup(code string, mods []uint16, date Date) *rvuEntry {
	es := s.byCode[code]
	best, bestRank := -1, -1
	for i := range es {
		e := &es[i]
		if date < e.from || date > e.to {
			continue
		}
		rank := 0
		if e.mod != 0 {
			mi := indexMod(mods, e.mod)
			if mi < 0 {
				continue
			}
			rank = 8 - mi
		}
		if rank > bestRank {
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		return nil
	}
	return &es[best]
}

// GPCI is one locality's geographic practice cost indices, scaled by Scale4
// (1.0250 is 10250).
type GPCI struct {
	// Locality identifies the row; A-Z and 0-9, at most 48 characters.
	Locality string
	// Work, PE and MP are the work, practice expense and malpractice GPCIs.
	Work, PE, MP int64
	// Line is the row's source line for error messages (0 if none).
	Line int
}

// GPCITable maps localities to GPCIs. It is immutable and safe for
// concurrent use.
type GPCITable struct {
	byLocality map[string]GPCI
}

var gpciFormat = &csvFormat{header: []string{"locality", "work_gpci", "pe_gpci", "mp_gpci"}}

// LoadGPCITable reads a GPCI CSV (see the package documentation). Errors
// are *CSVError.
func LoadGPCITable(r io.Reader) (*GPCITable, error) {
	var rows []GPCI
	err := readCSV(r, []*csvFormat{gpciFormat}, func(line int, f *csvFormat, rec []string) error {
		g := GPCI{Locality: rec[0], Line: line}
		if err := checkCode(g.Locality); err != nil {
			return f.fieldErr(line, 0, err)
		}
		for i, dst := range []*int64{&g.Work, &g.PE, &g.MP} {
			v, err := parseScaledField(rec[1+i], maxGPCIDigits)
			if err != nil {
				return f.fieldErr(line, 1+i, err)
			}
			*dst = v
		}
		rows = append(rows, g)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return NewGPCITable(rows)
}

// NewGPCITable validates rows (unique localities, indices 0..99.9999) and
// builds a table. Errors are *CSVError.
func NewGPCITable(rows []GPCI) (*GPCITable, error) {
	if len(rows) == 0 {
		return nil, &CSVError{Line: 1, Err: ErrNoRows}
	}
	const maxGPCI = 999_999 // 99.9999
	t := &GPCITable{byLocality: make(map[string]GPCI, len(rows))}
	first := make(map[string]int, len(rows))
	for i, g := range rows {
		line := rowLine(g.Line, i)
		if err := checkCode(g.Locality); err != nil {
			return nil, gpciFormat.fieldErr(line, 0, err)
		}
		for j, v := range [3]int64{g.Work, g.PE, g.MP} {
			if v < 0 || v > maxGPCI {
				return nil, gpciFormat.fieldErr(line, 1+j, fmt.Errorf("%w: %s outside 0..99.9999", ErrNumber, formatScaled(v, 4)))
			}
		}
		if prev, dup := first[g.Locality]; dup {
			return nil, gpciFormat.fieldErr(line, 0, fmt.Errorf("%w: locality %s already on line %d", ErrDuplicate, g.Locality, prev))
		}
		first[g.Locality] = line
		t.byLocality[g.Locality] = g
	}
	return t, nil
}

// Lookup returns the GPCIs of locality.
func (t *GPCITable) Lookup(locality string) (GPCI, bool) {
	g, ok := t.byLocality[locality]
	return g, ok
}

// Len returns the number of localities.
func (t *GPCITable) Len() int { return len(t.byLocality) }
