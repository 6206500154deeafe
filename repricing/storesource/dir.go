package storesource

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/repricing"
)

// LoadDir builds an engine from the schedule CSV files of dir
// (each named by its file name without .csv, its kind taken from its
// header) and the contracts file. Every CSV in dir is loaded, so a broken
// file is reported even when no contract names it.
func LoadDir(ctx context.Context, dir, contractsFile string) (*repricing.Engine, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: no schedule CSV files", dir)
	}
	src := &repricing.MemorySource{
		Fee: map[string]*repricing.FeeSchedule{}, RBRVS: map[string]*repricing.RBRVSSchedule{},
		GPCI: map[string]*repricing.GPCITable{}, PerDiem: map[string]*repricing.PerDiemSchedule{},
		DRG: map[string]*repricing.DRGSchedule{}, CaseRate: map[string]*repricing.CaseRateSchedule{},
	}
	for _, path := range names {
		if err := loadSchedule(src, path); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	cf, err := os.Open(contractsFile)
	if err != nil {
		return nil, err
	}
	defer cf.Close()
	table, err := repricing.LoadContracts(cf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", contractsFile, err)
	}
	return repricing.NewEngine(ctx, src, table, nil)
}

// loadSchedule loads one schedule CSV into src under its file name without
// extension, with the loader of the kind its header names.
func loadSchedule(src *repricing.MemorySource, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	kind, err := DetectKind(data)
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	r := strings.NewReader(string(data))
	switch kind {
	case store.ScheduleFee:
		src.Fee[name], err = repricing.LoadFeeSchedule(r)
	case store.ScheduleRBRVS:
		src.RBRVS[name], err = repricing.LoadRBRVSSchedule(r)
	case store.ScheduleGPCI:
		src.GPCI[name], err = repricing.LoadGPCITable(r)
	case store.SchedulePerDiem:
		src.PerDiem[name], err = repricing.LoadPerDiemSchedule(r)
	case store.ScheduleDRG:
		src.DRG[name], err = repricing.LoadDRGSchedule(r)
	case store.ScheduleCaseRate:
		src.CaseRate[name], err = repricing.LoadCaseRateSchedule(r)
	default:
		err = fmt.Errorf("unknown schedule kind %q", kind)
	}
	return err
}
