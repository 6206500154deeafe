package storesource

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/repricing"
)

// ImportOptions tune Import and ImportFile.
type ImportOptions struct {
	// Name is the schedule name contracts refer to. Default: the source
	// file name without its extension ("fee_professional.csv" is
	// "fee_professional").
	Name string
	// Kind is the schedule kind. Default: inferred from the CSV header;
	// when set, a file with another kind's header is refused (ErrHeader).
	Kind store.ScheduleKind
}

// Result is the outcome of a schedule import.
type Result struct {
	// Schedule is the stored version now active.
	Schedule store.ScheduleInfo
	// Change says whether the content was new (VersionCreated), an older
	// version made active again (VersionReactivated) or already active
	// (VersionUnchanged).
	Change store.VersionChange
}

// headers maps each CSV header (as written, comma-separated) to the kind
// of schedule it starts.
var headers = map[string]store.ScheduleKind{
	"code,modifier,pos,amount,effective_from,effective_to":                                         store.ScheduleFee,
	"code,modifier,work_rvu,pe_rvu_nonfacility,pe_rvu_facility,mp_rvu,effective_from,effective_to": store.ScheduleRBRVS,
	"locality,work_gpci,pe_gpci,mp_gpci":                                                           store.ScheduleGPCI,
	"revenue_code_or_type,rate,effective_from,effective_to":                                        store.SchedulePerDiem,
	"drg,relative_weight,effective_from,effective_to":                                              store.ScheduleDRG,
	"drg_or_code,amount":                             store.ScheduleCaseRate,
	"drg_or_code,amount,effective_from,effective_to": store.ScheduleCaseRate,
}

// DetectKind returns the schedule kind whose header starts the CSV data.
// An unknown header is a *repricing.CSVError wrapping repricing.ErrHeader.
func DetectKind(data []byte) (store.ScheduleKind, error) {
	var kind store.ScheduleKind
	err := eachRecord(data, func(line int, rec []string) error {
		h := strings.Join(rec, ",")
		if kind = headers[h]; kind == "" {
			return &repricing.CSVError{Line: line, Err: fmt.Errorf("%w %q: not the header of any schedule kind (fee, rbrvs, gpci, perdiem, drg, case_rate)", repricing.ErrHeader, h)}
		}
		return errStop
	})
	if errors.Is(err, errStop) {
		return kind, nil
	}
	if err == nil {
		return "", &repricing.CSVError{Line: 1, Err: fmt.Errorf("%w: empty input", repricing.ErrHeader)}
	}
	return "", err
}

var errStop = errors.New("stop")

// eachRecord reads CSV data the way the repricing loaders do (UTF-8 BOM
// skipped, '#' comments and blank lines ignored, fields trimmed) and calls
// fn with every record, the header included, and its first line.
func eachRecord(data []byte, fn func(line int, rec []string) error) error {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &repricing.CSVError{Line: pe.Line, Err: err}
			}
			return fmt.Errorf("read csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}

// errMismatch reports rows recovered from the CSV text that the loaded
// schedule does not confirm; it means this package and the repricing
// loaders disagree about the format, a bug.
var errMismatch = errors.New("storesource: row extraction disagrees with the repricing loader")

// lookupFunc returns the stored values of a row whose key and dates are
// set, from the schedule the loader built.
type lookupFunc func(r *store.ScheduleRow, from repricing.Date) bool

// ParseSchedule validates CSV data of the given kind with the repricing
// loader and returns its rows for the store. Errors are the loader's
// *repricing.CSVError.
func ParseSchedule(kind store.ScheduleKind, data []byte) ([]store.ScheduleRow, error) {
	in := bytes.NewReader(data)
	var (
		n      int // rows the loader counted
		key    func(r *store.ScheduleRow, rec []string)
		dates  = -1       // index of effective_from, -1 for none
		lookup lookupFunc // fills the values
	)
	mods := func(m string) []string {
		if m == "" {
			return nil
		}
		return []string{m}
	}
	switch kind {
	case store.ScheduleFee:
		s, err := repricing.LoadFeeSchedule(in)
		if err != nil {
			return nil, err
		}
		n, dates = s.Len(), 4
		key = func(r *store.ScheduleRow, rec []string) { r.Code, r.Modifier, r.POS = rec[0], rec[1], rec[2] }
		lookup = func(r *store.ScheduleRow, from repricing.Date) (ok bool) {
			r.AmountCents, ok = s.Lookup(r.Code, mods(r.Modifier), r.POS, from)
			return ok
		}
	case store.ScheduleRBRVS:
		s, err := repricing.LoadRBRVSSchedule(in)
		if err != nil {
			return nil, err
		}
		n, dates = s.Len(), 6
		key = func(r *store.ScheduleRow, rec []string) { r.Code, r.Modifier = rec[0], rec[1] }
		lookup = func(r *store.ScheduleRow, from repricing.Date) bool {
			v, ok := s.Lookup(r.Code, mods(r.Modifier), from)
			r.Work, r.PE, r.PEFacility, r.MP = v.WorkRVU, v.PENonFacilityRVU, v.PEFacilityRVU, v.MPRVU
			return ok && v.Modifier == r.Modifier && v.EffectiveFrom == from
		}
	case store.ScheduleGPCI:
		s, err := repricing.LoadGPCITable(in)
		if err != nil {
			return nil, err
		}
		n = s.Len()
		key = func(r *store.ScheduleRow, rec []string) { r.Code = rec[0] }
		lookup = func(r *store.ScheduleRow, _ repricing.Date) bool {
			g, ok := s.Lookup(r.Code)
			r.Work, r.PE, r.MP = g.Work, g.PE, g.MP
			return ok
		}
	case store.SchedulePerDiem:
		s, err := repricing.LoadPerDiemSchedule(in)
		if err != nil {
			return nil, err
		}
		n, dates = s.Len(), 2
		key = func(r *store.ScheduleRow, rec []string) { r.Code = rec[0] }
		lookup = func(r *store.ScheduleRow, from repricing.Date) (ok bool) {
			r.AmountCents, ok = s.Lookup(r.Code, from)
			return ok
		}
	case store.ScheduleDRG:
		s, err := repricing.LoadDRGSchedule(in)
		if err != nil {
			return nil, err
		}
		n, dates = s.Len(), 2
		key = func(r *store.ScheduleRow, rec []string) { r.Code = rec[0] }
		lookup = func(r *store.ScheduleRow, from repricing.Date) (ok bool) {
			r.Weight, ok = s.Lookup(r.Code, from)
			return ok
		}
	case store.ScheduleCaseRate:
		s, err := repricing.LoadCaseRateSchedule(in)
		if err != nil {
			return nil, err
		}
		n, dates = s.Len(), 2
		key = func(r *store.ScheduleRow, rec []string) { r.Code = rec[0] }
		lookup = func(r *store.ScheduleRow, from repricing.Date) (ok bool) {
			r.AmountCents, ok = s.Lookup(r.Code, from)
			return ok
		}
	default:
		return nil, fmt.Errorf("storesource: unknown schedule kind %q", kind)
	}

	rows := make([]store.ScheduleRow, 0, n)
	header := true
	err := eachRecord(data, func(line int, rec []string) error {
		if header {
			header = false
			return nil
		}
		r := store.ScheduleRow{Line: line}
		key(&r, rec)
		from, to := repricing.MinDate, repricing.MaxDate
		if dates >= 0 && len(rec) > dates+1 { // the two-column case rate form has no dates
			var err error
			if rec[dates] != "" {
				if from, err = repricing.ParseDate(rec[dates]); err != nil {
					return fmt.Errorf("line %d: %w: %w", line, errMismatch, err)
				}
			}
			if rec[dates+1] != "" {
				if to, err = repricing.ParseDate(rec[dates+1]); err != nil {
					return fmt.Errorf("line %d: %w: %w", line, errMismatch, err)
				}
			}
			r.EffectiveFrom, r.EffectiveTo = storeDate(from, repricing.MinDate), storeDate(to, repricing.MaxDate)
		}
		if !lookup(&r, from) {
			return fmt.Errorf("line %d: %w", line, errMismatch)
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rows) != n {
		return nil, fmt.Errorf("%w: %d rows read, the loader counted %d", errMismatch, len(rows), n)
	}
	return rows, nil
}

// Import validates schedule CSV data (see ParseSchedule) and stores it as
// the active version of the schedule (see store.Queries.ImportSchedule).
// sourceName is the file's base name, the default schedule name without
// its extension. Errors: *repricing.CSVError for a bad file, store errors
// (store.ErrInvalid for a bad name) otherwise.
func Import(ctx context.Context, st Store, sourceName string, data []byte, opts ImportOptions) (*Result, error) {
	kind := opts.Kind
	if kind == "" {
		var err error
		if kind, err = DetectKind(data); err != nil {
			return nil, err
		}
	} else if !kind.Valid() {
		return nil, &store.InvalidError{Field: "schedule kind", Value: string(kind), Reason: "want fee, rbrvs, gpci, perdiem, drg or case_rate"}
	}
	name := opts.Name
	if name == "" {
		name = strings.TrimSuffix(sourceName, filepath.Ext(sourceName))
	}
	rows, err := ParseSchedule(kind, data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	info, change, err := st.ImportSchedule(ctx, store.ScheduleImport{
		Kind: kind, Name: name, SourceName: sourceName, SHA256: hex.EncodeToString(sum[:]), Rows: rows,
	})
	if err != nil {
		return nil, err
	}
	return &Result{Schedule: *info, Change: change}, nil
}

// ImportFile reads the schedule CSV at path and imports it (see Import)
// under its base name. A file that cannot be read is an *fs.PathError.
func ImportFile(ctx context.Context, st Store, path string, opts ImportOptions) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	res, err := Import(ctx, st, filepath.Base(path), data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return res, nil
}

// ContractsOptions tune ImportContracts.
type ContractsOptions struct {
	// SkipScheduleCheck stores the contracts without checking that every
	// schedule they name is in the store (and every RBRVS locality in its
	// GPCI table). Default false: check, by building an engine.
	SkipScheduleCheck bool
}

// ContractsResult is the outcome of a contracts import.
type ContractsResult struct {
	// Set is the stored contract set, now active (YAML included).
	Set store.ContractSet
	// Change says whether the content was new, reactivated or unchanged.
	Change store.VersionChange
	// Contracts is the number of contracts in the set.
	Contracts int
}

// ImportContracts validates a contracts YAML with repricing.LoadContracts
// (errors: *repricing.ContractError, *repricing.AmbiguityError), checks
// that the schedules it names are in st (an error wrapping
// repricing.ErrScheduleNotFound otherwise) and stores it as the active
// contract set.
func ImportContracts(ctx context.Context, st Store, sourceName string, data []byte, opts ContractsOptions) (*ContractsResult, error) {
	t, err := repricing.LoadContracts(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if !opts.SkipScheduleCheck {
		if _, err := repricing.NewEngine(ctx, New(st), t, nil); err != nil {
			return nil, err
		}
	}
	cs, change, err := st.SaveContracts(ctx, sourceName, data)
	if err != nil {
		return nil, err
	}
	return &ContractsResult{Set: *cs, Change: change, Contracts: len(t.Contracts())}, nil
}

// ImportContractsFile reads the contracts YAML at path and imports it (see
// ImportContracts). A file that cannot be read is an *fs.PathError.
func ImportContractsFile(ctx context.Context, st Store, path string, opts ContractsOptions) (*ContractsResult, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	res, err := ImportContracts(ctx, st, filepath.Base(path), data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return res, nil
}
