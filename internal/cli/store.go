package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// configuredStore loads the configuration and opens its database.
func (a *app) configuredStore() (*store.Store, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	return a.openStore(cfg)
}

// openStore opens and migrates the configured database.
func (a *app) openStore(cfg config.Config) (*store.Store, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, err
	}
	st, err := store.Open(a.ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(a.ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func (a *app) migrateCmd() *cobra.Command {
	var down bool
	cmd := &cobra.Command{
		Use:   "migrate [--down]",
		Short: "Apply the embedded database migrations (every command also migrates on start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
				return err
			}
			st, err := store.Open(a.ctx, cfg.Database)
			if err != nil {
				return err
			}
			defer st.Close()
			if down {
				err = st.MigrateDown(a.ctx)
			} else {
				err = st.Migrate(a.ctx)
			}
			if err != nil {
				return err
			}
			cur, latest, err := st.SchemaVersion(a.ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s schema at version %d (latest %d)\n", st.Dialect(), cur, latest)
			return nil
		},
	}
	cmd.Flags().BoolVar(&down, "down", false, "roll back the most recent migration")
	return cmd
}

func (a *app) filesCmd() *cobra.Command {
	var (
		partner, state string
		limit          int
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "files",
		Short: "List inbound files with their state and counts, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			files, err := st.ListInbound(a.ctx, store.ListOpts{PartnerID: partner, State: store.InboundState(state), Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.stdout).Encode(files)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tPARTNER\tNAME\tSTATE\tSETS OK/REJ\tCLAIMS OK/REJ\tRECEIVED")
			for _, f := range files {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d\t%d/%d\t%s\n", f.ID, f.PartnerID, f.Name, f.State,
					f.TxAccepted, f.TxRejected, f.ClaimsAccepted, f.ClaimsRejected, f.ReceivedAt.Format("2006-01-02 15:04:05"))
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&partner, "partner", "", "only this partner's files")
	f.StringVar(&state, "state", "", "only files in this state (held, received, processing, processed, rejected, retrying, quarantined, failed)")
	f.IntVar(&limit, "limit", 50, "maximum number of files")
	f.BoolVar(&asJSON, "json", false, "JSON output")
	cmd.AddCommand(a.filesReleaseCmd())
	return cmd
}

// inboundFileJSON is the file of `file --json`: the store row with its
// processing summary embedded as JSON (not as a string holding JSON), and
// the lease (lease_owner, lease_until) while the file is processing.
type inboundFileJSON struct {
	store.InboundFile
	Summary json.RawMessage `json:"summary"`
}

func toInboundFileJSON(f store.InboundFile) inboundFileJSON {
	out := inboundFileJSON{InboundFile: f, Summary: json.RawMessage("null")}
	switch {
	case f.Summary == "":
	case json.Valid([]byte(f.Summary)):
		out.Summary = json.RawMessage(f.Summary)
	default:
		// Not JSON (older rows): kept as a string.
		b, _ := json.Marshal(f.Summary)
		out.Summary = b
	}
	return out
}

func (a *app) fileCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "file ID",
		Short: "Show one inbound file with its errors and outputs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usageError("file ID must be a number")
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			f, err := st.GetInbound(a.ctx, id)
			if err != nil {
				return err
			}
			outs, err := st.ListOutbound(a.ctx, store.OutboundFilter{InboundFileID: id, Limit: 1000})
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.stdout).Encode(map[string]any{"file": toInboundFileJSON(*f), "outbound": outs})
			}
			fmt.Fprintf(a.stdout, "file %d  %s/%s\n  state      %s\n  sha256     %s\n  size       %d bytes\n  spooled at %s\n  received   %s\n",
				f.ID, f.PartnerID, f.Name, f.State, f.SHA256, f.Size, f.SpoolPath, f.ReceivedAt.Format("2006-01-02 15:04:05 MST"))
			if f.LeaseOwner != "" || f.LeaseUntil != nil {
				until := "-"
				if f.LeaseUntil != nil {
					until = f.LeaseUntil.Format("2006-01-02 15:04:05 MST")
					if f.LeaseUntil.Before(time.Now()) {
						until += " (expired: another engine, or a restart, may take the file over)"
					}
				}
				fmt.Fprintf(a.stdout, "  leased by  %s until %s\n", f.LeaseOwner, until)
			}
			if f.Error != "" {
				fmt.Fprintf(a.stdout, "  error      %s\n", f.Error)
			}
			fmt.Fprintf(a.stdout, "  sets       %d accepted, %d rejected\n  claims     %d accepted, %d rejected\n",
				f.TxAccepted, f.TxRejected, f.ClaimsAccepted, f.ClaimsRejected)
			if f.Summary != "" {
				fmt.Fprintf(a.stdout, "  summary    %s\n", f.Summary)
			}
			fmt.Fprintln(a.stdout, "outputs:")
			for _, o := range outs {
				fmt.Fprintf(a.stdout, "  %-6s %-10s %s/%s\n", o.Kind, o.State, o.PartnerID, filepath.Base(o.Name))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	return cmd
}
