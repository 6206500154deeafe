package storesource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/repricing"
)

// Store is the part of the clearinghouse store the adapter uses.
// *store.Store, *store.Tx and *store.Queries implement it.
type Store interface {
	LoadSchedule(ctx context.Context, kind store.ScheduleKind, name string) (*store.ScheduleInfo, []store.ScheduleRow, error)
	ImportSchedule(ctx context.Context, imp store.ScheduleImport) (*store.ScheduleInfo, store.VersionChange, error)
	ActiveContracts(ctx context.Context) (*store.ContractSet, error)
	SaveContracts(ctx context.Context, sourceName string, yaml []byte) (*store.ContractSet, store.VersionChange, error)
}

// Source is a repricing.ScheduleSource reading the active versions of the
// schedules in the store. It is safe for concurrent use.
type Source struct {
	st Store

	mu     sync.Mutex
	loaded []store.ScheduleInfo
}

var _ repricing.ScheduleSource = (*Source)(nil)

// New returns a Source over st.
func New(st Store) *Source {
	return &Source{st: st}
}

// Loaded returns the schedule versions the Source has loaded so far, in
// load order (for logging which versions an engine uses).
func (s *Source) Loaded() []store.ScheduleInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]store.ScheduleInfo(nil), s.loaded...)
}

// FeeSchedule implements repricing.ScheduleSource.
func (s *Source) FeeSchedule(ctx context.Context, name string) (*repricing.FeeSchedule, error) {
	return build(ctx, s, store.ScheduleFee, name, func(r *store.ScheduleRow) (repricing.FeeRow, error) {
		from, to, err := repricingRange(r)
		return repricing.FeeRow{Code: r.Code, Modifier: r.Modifier, POS: r.POS, AmountCents: r.AmountCents,
			EffectiveFrom: from, EffectiveTo: to, Line: r.Line}, err
	}, repricing.NewFeeSchedule)
}

// RBRVSSchedule implements repricing.ScheduleSource.
func (s *Source) RBRVSSchedule(ctx context.Context, name string) (*repricing.RBRVSSchedule, error) {
	return build(ctx, s, store.ScheduleRBRVS, name, func(r *store.ScheduleRow) (repricing.RBRVSRow, error) {
		from, to, err := repricingRange(r)
		return repricing.RBRVSRow{Code: r.Code, Modifier: r.Modifier, WorkRVU: r.Work, PENonFacilityRVU: r.PE,
			PEFacilityRVU: r.PEFacility, MPRVU: r.MP, EffectiveFrom: from, EffectiveTo: to, Line: r.Line}, err
	}, repricing.NewRBRVSSchedule)
}

// GPCITable implements repricing.ScheduleSource.
func (s *Source) GPCITable(ctx context.Context, name string) (*repricing.GPCITable, error) {
	return build(ctx, s, store.ScheduleGPCI, name, func(r *store.ScheduleRow) (repricing.GPCI, error) {
		return repricing.GPCI{Locality: r.Code, Work: r.Work, PE: r.PE, MP: r.MP, Line: r.Line}, nil
	}, repricing.NewGPCITable)
}

// PerDiemSchedule implements repricing.ScheduleSource.
func (s *Source) PerDiemSchedule(ctx context.Context, name string) (*repricing.PerDiemSchedule, error) {
	return build(ctx, s, store.SchedulePerDiem, name, func(r *store.ScheduleRow) (repricing.PerDiemRow, error) {
		from, to, err := repricingRange(r)
		return repricing.PerDiemRow{Key: r.Code, RateCents: r.AmountCents, EffectiveFrom: from, EffectiveTo: to, Line: r.Line}, err
	}, repricing.NewPerDiemSchedule)
}

// DRGSchedule implements repricing.ScheduleSource.
func (s *Source) DRGSchedule(ctx context.Context, name string) (*repricing.DRGSchedule, error) {
	return build(ctx, s, store.ScheduleDRG, name, func(r *store.ScheduleRow) (repricing.DRGRow, error) {
		from, to, err := repricingRange(r)
		return repricing.DRGRow{DRG: r.Code, Weight: r.Weight, EffectiveFrom: from, EffectiveTo: to, Line: r.Line}, err
	}, repricing.NewDRGSchedule)
}

// CaseRateSchedule implements repricing.ScheduleSource.
func (s *Source) CaseRateSchedule(ctx context.Context, name string) (*repricing.CaseRateSchedule, error) {
	return build(ctx, s, store.ScheduleCaseRate, name, func(r *store.ScheduleRow) (repricing.CaseRateRow, error) {
		from, to, err := repricingRange(r)
		return repricing.CaseRateRow{Key: r.Code, AmountCents: r.AmountCents, EffectiveFrom: from, EffectiveTo: to, Line: r.Line}, err
	}, repricing.NewCaseRateSchedule)
}

// build loads the active version of (kind, name), converts its rows with
// conv and builds the schedule with mk (which validates them again).
func build[R, S any](ctx context.Context, s *Source, kind store.ScheduleKind, name string,
	conv func(*store.ScheduleRow) (R, error), mk func([]R) (*S, error)) (*S, error) {
	info, rows, err := s.st.LoadSchedule(ctx, kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%s schedule %q: %w", kind, name, repricing.ErrScheduleNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s schedule %q: %w", kind, name, err)
	}
	fail := func(err error) error {
		return fmt.Errorf("%s schedule %q version %d: %w", kind, name, info.Version, err)
	}
	out := make([]R, len(rows))
	for i := range rows {
		if out[i], err = conv(&rows[i]); err != nil {
			return nil, fail(fmt.Errorf("row %d (line %d): %w", i+1, rows[i].Line, err))
		}
	}
	sched, err := mk(out)
	if err != nil {
		return nil, fail(err)
	}
	s.mu.Lock()
	s.loaded = append(s.loaded, *info)
	s.mu.Unlock()
	return sched, nil
}

// repricingRange converts a stored CCYYMMDD range ("" = open) to dates.
func repricingRange(r *store.ScheduleRow) (from, to repricing.Date, err error) {
	from, to = repricing.MinDate, repricing.MaxDate
	if r.EffectiveFrom != "" {
		if from, err = repricing.ParseD8(r.EffectiveFrom); err != nil {
			return 0, 0, err
		}
	}
	if r.EffectiveTo != "" {
		if to, err = repricing.ParseD8(r.EffectiveTo); err != nil {
			return 0, 0, err
		}
	}
	return from, to, nil
}

// storeDate converts a repricing date to stored CCYYMMDD text, "" for
// open (MinDate as a start, MaxDate as an end).
func storeDate(d, open repricing.Date) string {
	if d == open {
		return ""
	}
	return fmt.Sprintf("%08d", uint32(d))
}

// LoadContracts reads the active contract set from st and builds its
// table with repricing.LoadContracts. Without any saved set the error
// wraps store.ErrNotFound.
func LoadContracts(ctx context.Context, st Store) (*repricing.ContractTable, error) {
	cs, err := st.ActiveContracts(ctx)
	if err != nil {
		return nil, fmt.Errorf("load contracts: %w", err)
	}
	t, err := repricing.LoadContracts(bytes.NewReader(cs.YAML))
	if err != nil {
		return nil, fmt.Errorf("contract set %d (%s): %w", cs.ID, cs.SourceName, err)
	}
	return t, nil
}

// NewEngine builds a repricing engine from the active contract set and the
// active versions of the schedules it names. cfg may be nil.
func NewEngine(ctx context.Context, st Store, cfg *repricing.Config) (*repricing.Engine, error) {
	t, err := LoadContracts(ctx, st)
	if err != nil {
		return nil, err
	}
	return repricing.NewEngine(ctx, New(st), t, cfg)
}
