// Package storesource keeps the repricing schedules and contracts in the
// clearinghouse store: it imports schedule CSV files and contracts YAML
// into the database (internal/store tables fee_schedules,
// fee_schedule_rows and contract_sets) and serves them back to the
// repricing engine as a [repricing.ScheduleSource].
//
// # Import
//
// [ImportFile] parses a schedule CSV with the repricing loaders, so a bad
// file is refused with the same *repricing.CSVError (line, column, cause)
// as when the engine reads CSV directly, then stores its rows as a new
// version of the named schedule and makes it the active one. The kind
// (fee, rbrvs, gpci, perdiem, drg, case_rate) is taken from the CSV header
// unless given; the name defaults to the file name without its extension,
// which is what contracts refer to. Importing the same content again
// changes nothing; importing an older content again makes that version
// active again. [ImportContractsFile] validates a contracts YAML with
// repricing.LoadContracts (and, unless told otherwise, checks that every
// schedule it names is in the store) before storing it as the active
// contract set.
//
// The repricing loaders build opaque schedules, so the rows to store are
// recovered from the CSV text for the keys and dates and from the loaded
// schedule (Lookup on each row's key and start date) for every number:
// numbers are parsed only by repricing. A final check compares the row
// counts.
//
// # Loading
//
// [New] returns a Source whose methods read the active version of a
// schedule and build it with repricing.NewFeeSchedule and friends; a name
// the store does not have is repricing.ErrScheduleNotFound. The engine
// asks once per name, so loading happens when an engine is built:
//
//	table, err := storesource.LoadContracts(ctx, st) // the active contract set
//	src := storesource.New(st)
//	eng, err := repricing.NewEngine(ctx, src, table, nil)
//	// or: eng, err := storesource.NewEngine(ctx, st, nil)
//	for _, v := range src.Loaded() {
//		logger.Info("schedule loaded", slog.String("name", v.Name), slog.Int("version", v.Version))
//	}
//
// To pick up new imports, build a new engine and swap it in.
package storesource
