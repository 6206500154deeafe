package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/repricing/storesource"
)

// scheduleCmd groups the commands that keep repricing schedules and
// contracts in the database.
func (a *app) scheduleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Import and list the repricing fee schedules and contracts kept in the database",
		Long: `Repricing schedules (CSV) and contracts (YAML) live in the database, versioned.
Importing new content under a schedule name adds a version and makes it the active one;
importing the same content again changes nothing; importing an older file again makes
that version active again. A repricing engine loads the active versions when it starts.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.scheduleImportCmd(), a.scheduleImportContractsCmd(), a.scheduleListCmd())
	return cmd
}

func (a *app) scheduleImportCmd() *cobra.Command {
	var name, kind string
	cmd := &cobra.Command{
		Use:   "import [--name NAME] [--kind fee|rbrvs|gpci|perdiem|drg|case_rate] FILE",
		Short: "Validate a schedule CSV and store it as the active version of its schedule",
		Long: `Validate a schedule CSV with the repricing loaders and store it as the active version
of the schedule NAME (default: the file name without extension), which contracts name.
The kind is taken from the CSV header unless --kind is given.
Exit status: 0 stored (or already stored), 1 invalid file, 2 unreadable file or bad usage.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k := store.ScheduleKind(kind)
			if k != "" && !k.Valid() {
				return usageError("--kind %q: want fee, rbrvs, gpci, perdiem, drg or case_rate", kind)
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			base := filepath.Base(args[0])
			res, err := storesource.Import(a.ctx, st, base, data, storesource.ImportOptions{Name: name, Kind: k})
			if err != nil {
				return importError(base, err)
			}
			s := res.Schedule
			fmt.Fprintf(a.stdout, "%s schedule %s: version %d %s (%d rows, sha256 %s, active)\n",
				s.Kind, s.Name, s.Version, res.Change, s.RowCount, s.SHA256[:12])
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "schedule name contracts refer to (default: file name without extension)")
	f.StringVar(&kind, "kind", "", "schedule kind: fee, rbrvs, gpci, perdiem, drg or case_rate (default: from the CSV header)")
	return cmd
}

func (a *app) scheduleImportContractsCmd() *cobra.Command {
	var skipCheck bool
	cmd := &cobra.Command{
		Use:   "import-contracts [--skip-schedule-check] FILE.yaml",
		Short: "Validate a contracts YAML and store it as the active contract set",
		Long: `Validate a contracts YAML (syntax, values, ambiguous contracts) and, unless
--skip-schedule-check, check that every schedule it names is in the database; then
store it as the active contract set.
Exit status: 0 stored (or already stored), 1 invalid contracts, 2 unreadable file or bad usage.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			base := filepath.Base(args[0])
			res, err := storesource.ImportContracts(a.ctx, st, base, data, storesource.ContractsOptions{SkipScheduleCheck: skipCheck})
			if err != nil {
				return importError(base, err)
			}
			fmt.Fprintf(a.stdout, "contract set %d %s (%d contracts, sha256 %s, active)\n",
				res.Set.ID, res.Change, res.Contracts, res.Set.SHA256[:12])
			return nil
		},
	}
	cmd.Flags().BoolVar(&skipCheck, "skip-schedule-check", false, "store even if a named schedule is not in the database yet")
	return cmd
}

// importError maps an import failure to the exit status: 2 for a value
// the store refuses (a bad schedule name: a usage problem), 1 for the rest
// (an invalid file, with its line and column, or a database failure).
func importError(file string, err error) error {
	var ie *store.InvalidError
	if errors.As(err, &ie) {
		if ie.Field == "schedule name" {
			return usageError("%s: %v (choose a name with --name)", file, err)
		}
		return usageError("%s: %v", file, err)
	}
	return &ExitError{Code: 1, Err: fmt.Errorf("%s: %w", file, err)}
}

// scheduleJSON is the JSON form of one schedule version in `schedule list`.
type scheduleJSON struct {
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	Version    int       `json:"version"`
	Active     bool      `json:"active"`
	Rows       int       `json:"rows"`
	SHA256     string    `json:"sha256"`
	Source     string    `json:"source"`
	ImportedAt time.Time `json:"imported_at"`
}

// contractSetJSON is the JSON form of one contract set in `schedule list`.
type contractSetJSON struct {
	ID         int64     `json:"id"`
	Active     bool      `json:"active"`
	SHA256     string    `json:"sha256"`
	Source     string    `json:"source"`
	ImportedAt time.Time `json:"imported_at"`
}

func (a *app) scheduleListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List every stored version of the schedules and contract sets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			scheds, err := st.ListSchedules(a.ctx)
			if err != nil {
				return err
			}
			sets, err := st.ListContractSets(a.ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return writeScheduleJSON(a.stdout, scheds, sets)
			}
			return printSchedules(a.stdout, scheds, sets)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output: {\"schedules\": [...], \"contract_sets\": [...]}")
	return cmd
}

func writeScheduleJSON(w io.Writer, scheds []store.ScheduleInfo, sets []store.ContractSet) error {
	doc := struct {
		Schedules    []scheduleJSON    `json:"schedules"`
		ContractSets []contractSetJSON `json:"contract_sets"`
	}{Schedules: []scheduleJSON{}, ContractSets: []contractSetJSON{}}
	for _, s := range scheds {
		doc.Schedules = append(doc.Schedules, scheduleJSON{Kind: string(s.Kind), Name: s.Name, Version: s.Version,
			Active: s.Active, Rows: s.RowCount, SHA256: s.SHA256, Source: s.SourceName, ImportedAt: s.ImportedAt})
	}
	for _, c := range sets {
		doc.ContractSets = append(doc.ContractSets, contractSetJSON{ID: c.ID, Active: c.Active, SHA256: c.SHA256,
			Source: c.SourceName, ImportedAt: c.ImportedAt})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func printSchedules(w io.Writer, scheds []store.ScheduleInfo, sets []store.ContractSet) error {
	active := func(b bool) string {
		if b {
			return "yes"
		}
		return "-"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tVERSION\tACTIVE\tROWS\tSHA256\tIMPORTED (UTC)\tSOURCE")
	for _, s := range scheds {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%s\t%s\t%s\n", s.Kind, s.Name, s.Version, active(s.Active), s.RowCount,
			s.SHA256[:12], s.ImportedAt.Format("2006-01-02 15:04:05"), s.SourceName)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "CONTRACT SET\tACTIVE\tSHA256\tIMPORTED (UTC)\tSOURCE")
	for _, c := range sets {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.ID, active(c.Active), c.SHA256[:12],
			c.ImportedAt.Format("2006-01-02 15:04:05"), c.SourceName)
	}
	return tw.Flush()
}
