package repricing

import (
	"context"
	"errors"
	"fmt"
)

// ScheduleSource hands the engine the schedules contracts name. NewEngine
// calls it once per distinct name and keeps the results, so Price never
// does I/O; to pick up changed schedules, build a new Engine and swap it in.
// A database-backed store implements it by reading rows and calling
// NewFeeSchedule, NewRBRVSSchedule, ... . A missing name must return an
// error wrapping ErrScheduleNotFound.
type ScheduleSource interface {
	// FeeSchedule returns the fee schedule called name.
	FeeSchedule(ctx context.Context, name string) (*FeeSchedule, error)
	// RBRVSSchedule returns the RVU schedule called name.
	RBRVSSchedule(ctx context.Context, name string) (*RBRVSSchedule, error)
	// GPCITable returns the GPCI table called name.
	GPCITable(ctx context.Context, name string) (*GPCITable, error)
	// PerDiemSchedule returns the per diem schedule called name.
	PerDiemSchedule(ctx context.Context, name string) (*PerDiemSchedule, error)
	// DRGSchedule returns the DRG weight schedule called name.
	DRGSchedule(ctx context.Context, name string) (*DRGSchedule, error)
	// CaseRateSchedule returns the case rate schedule called name.
	CaseRateSchedule(ctx context.Context, name string) (*CaseRateSchedule, error)
}

// ErrScheduleNotFound reports a schedule name the source does not know.
var ErrScheduleNotFound = errors.New("schedule not found")

// MemorySource is a ScheduleSource over in-memory maps keyed by schedule
// name. Fill the maps before NewEngine; nil maps are empty.
type MemorySource struct {
	Fee      map[string]*FeeSchedule
	RBRVS    map[string]*RBRVSSchedule
	GPCI     map[string]*GPCITable
	PerDiem  map[string]*PerDiemSchedule
	DRG      map[string]*DRGSchedule
	CaseRate map[string]*CaseRateSchedule
}

var _ ScheduleSource = (*MemorySource)(nil)

func get[T any](m map[string]*T, kind, name string) (*T, error) {
	if s := m[name]; s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("%s schedule %q: %w", kind, name, ErrScheduleNotFound)
}

// FeeSchedule implements ScheduleSource.
func (m *MemorySource) FeeSchedule(_ context.Context, name string) (*FeeSchedule, error) {
	return get(m.Fee, "fee", name)
}

// RBRVSSchedule implements ScheduleSource.
func (m *MemorySource) RBRVSSchedule(_ context.Context, name string) (*RBRVSSchedule, error) {
	return get(m.RBRVS, "rbrvs", name)
}

// GPCITable implements ScheduleSource.
func (m *MemorySource) GPCITable(_ context.Context, name string) (*GPCITable, error) {
	return get(m.GPCI, "gpci", name)
}

// PerDiemSchedule implements ScheduleSource.
func (m *MemorySource) PerDiemSchedule(_ context.Context, name string) (*PerDiemSchedule, error) {
	return get(m.PerDiem, "per diem", name)
}

// DRGSchedule implements ScheduleSource.
func (m *MemorySource) DRGSchedule(_ context.Context, name string) (*DRGSchedule, error) {
	return get(m.DRG, "drg", name)
}

// CaseRateSchedule implements ScheduleSource.
func (m *MemorySource) CaseRateSchedule(_ context.Context, name string) (*CaseRateSchedule, error) {
	return get(m.CaseRate, "case rate", name)
}
