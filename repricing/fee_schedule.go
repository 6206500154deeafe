package repricing

import (
	"fmt"
	"io"
)

// FeeRow is one row of a fee schedule: the allowed amount per unit of a
// procedure (or revenue) code, optionally restricted to a modifier and a
// place of service, over an inclusive effective range.
type FeeRow struct {
	// Code is the procedure code (HCPCS Level II or a customer code) or a
	// four-digit revenue code; A-Z and 0-9, at most 48 characters.
	Code string
	// Modifier is a two-character modifier; "" matches any.
	Modifier string
	// POS is a two-digit place of service; "" matches any.
	POS string
	// AmountCents is the allowed amount per unit.
	AmountCents int64
	// EffectiveFrom and EffectiveTo bound the row (inclusive). Use MinDate
	// and MaxDate for open ends.
	EffectiveFrom, EffectiveTo Date
	// Line is the row's source line for error messages (0 if none).
	Line int
}

// FeeSchedule is an immutable, effective-dated fee schedule. It is safe for
// concurrent use.
type FeeSchedule struct {
	byCode map[string][]feeEntry
	rows   int
}

type feeEntry struct {
	mod, pos uint16 // pack2; 0 = any
	from, to Date
	cents    int64
}

var feeFormat = &csvFormat{header: []string{"code", "modifier", "pos", "amount", "effective_from", "effective_to"}}

// LoadFeeSchedule reads a fee schedule CSV (see the package documentation
// for the format). Errors are *CSVError.
func LoadFeeSchedule(r io.Reader) (*FeeSchedule, error) {
	var rows []FeeRow
	err := readCSV(r, []*csvFormat{feeFormat}, func(line int, f *csvFormat, rec []string) error {
		row := FeeRow{Code: rec[0], Modifier: rec[1], POS: rec[2], Line: line}
		if err := checkCode(row.Code); err != nil {
			return f.fieldErr(line, 0, err)
		}
		if err := checkPair(row.Modifier, false); err != nil {
			return f.fieldErr(line, 1, err)
		}
		if err := checkPair(row.POS, true); err != nil {
			return f.fieldErr(line, 2, err)
		}
		amt, err := parseMoneyField(rec[3])
		if err != nil {
			return f.fieldErr(line, 3, err)
		}
		row.AmountCents = amt
		if row.EffectiveFrom, row.EffectiveTo, err = parseRange(f, line, rec, 4); err != nil {
			return err
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return NewFeeSchedule(rows)
}

// parseMoneyField parses a required money field.
func parseMoneyField(s string) (int64, error) {
	if s == "" {
		return 0, ErrRequired
	}
	v, err := parseCents(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNumber, err)
	}
	return v, nil
}

type feeKey struct {
	code     string
	mod, pos uint16
}

// NewFeeSchedule validates rows and builds a schedule (for callers that do
// not read CSV, such as a database-backed ScheduleSource). Errors are
// *CSVError whose Line is each row's Line, or its 1-based index.
func NewFeeSchedule(rows []FeeRow) (*FeeSchedule, error) {
	if len(rows) == 0 {
		return nil, &CSVError{Line: 1, Err: ErrNoRows}
	}
	spans := make([]span[feeKey], len(rows))
	for i := range rows {
		r := &rows[i]
		line := rowLine(r.Line, i)
		if err := checkCode(r.Code); err != nil {
			return nil, feeFormat.fieldErr(line, 0, err)
		}
		if err := checkPair(r.Modifier, false); err != nil {
			return nil, feeFormat.fieldErr(line, 1, err)
		}
		if err := checkPair(r.POS, true); err != nil {
			return nil, feeFormat.fieldErr(line, 2, err)
		}
		if r.AmountCents < 0 || r.AmountCents > MaxCents {
			return nil, feeFormat.fieldErr(line, 3, fmt.Errorf("%w: %d cents", ErrAmountRange, r.AmountCents))
		}
		spans[i] = span[feeKey]{key: feeKey{r.Code, pack2(r.Modifier), pack2(r.POS)}, from: r.EffectiveFrom, to: r.EffectiveTo, line: line, idx: i}
	}
	if err := checkRanges(spans, feeFormat.header, 4); err != nil {
		return nil, err
	}
	s := &FeeSchedule{byCode: make(map[string][]feeEntry), rows: len(rows)}
	for i := range rows {
		r := &rows[i]
		s.byCode[r.Code] = append(s.byCode[r.Code], feeEntry{
			mod: pack2(r.Modifier), pos: pack2(r.POS),
			from: r.EffectiveFrom, to: r.EffectiveTo, cents: r.AmountCents,
		})
	}
	return s, nil
}

// Len returns the number of rows.
func (s *FeeSchedule) Len() int { return s.rows }

// Lookup returns the amount per unit for code on date, choosing among the
// rows effective on date by precedence: code+modifier+POS, then
// code+modifier, then code+POS, then code alone. With several line
// modifiers, a modifier earlier in mods wins over a later one at the same
// level. mods beyond the first four are ignored.
func (s *FeeSchedule) Lookup(code string, mods []string, pos string, date Date) (cents int64, ok bool) {
	var pm [4]uint16
	n := packMods(&pm, mods)
	return s.lookup(code, pm[:n], pack2(pos), date)
}

// packMods packs up to four modifiers into pm and returns how many.
func packMods(pm *[4]uint16, mods []string) int {
	n := min(len(mods), 4)
	for i := 0; i < n; i++ {
		pm[i] = pack2(mods[i])
		if pm[i] == 0 { // an empty modifier never matches a modifier row
			pm[i] = noMatch
		}
	}
	return n
}

func (s *FeeSchedule) lookup(code string, mods []uint16, pos uint16, date Date) (int64, bool) {
	es := s.byCode[code]
	best, bestRank := -1, -1
	for i := range es {
		e := &es[i]
		if date < e.from || date > e.to {
			continue
		}
		// rank: level (3 = mod+pos .. 0 = code only) × 8 + (7 − modifier index)
		rank := 7
		if e.mod != 0 {
			mi := indexMod(mods, e.mod)
			if mi < 0 {
				continue
			}
			rank = 2*8 + 7 - mi
		}
		if e.pos != 0 {
			if e.pos != pos {
				continue
			}
			rank += 8
		}
		if rank > bestRank {
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		return 0, false
	}
	return es[best].cents, true
}

func indexMod(mods []uint16, m uint16) int {
	for i, v := range mods {
		if v == m {
			return i
		}
	}
	return -1
}
