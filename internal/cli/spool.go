package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// spoolGrace is how long an unreferenced PostgreSQL spool blob is kept
// before it counts as garbage: far longer than the time between writing
// content and committing the row that references it (a download, a file's
// processing, a forwarded batch). A reference to a blob collected anyway
// fails its transaction (store.ErrSpoolBlobMissing), which is retried.
const spoolGrace = 24 * time.Hour

// spoolGCEvery is how often `run` collects spool garbage.
const spoolGCEvery = "@every 1h"

// openSpool opens the configured spool on st.
func openSpool(cfg config.Config, st *store.Store) (*spool.Spool, error) {
	return spool.NewConfig(spool.Config{Dir: filepath.Join(cfg.DataDir, "spool"), Backend: cfg.Spool, Store: st})
}

// collectSpool removes spool garbage older than spoolGrace. A failure is
// logged: it never fails the work around it (the next collection retries).
func (a *app) collectSpool(ctx context.Context, sp *spool.Spool) {
	n, err := sp.Collect(ctx, spoolGrace)
	if err != nil {
		a.logger.WarnContext(ctx, "spool garbage collection failed", slog.String("error", err.Error()))
		return
	}
	if n > 0 {
		a.logger.InfoContext(ctx, "spool garbage collected", slog.Int64("blobs", n))
	}
}

func (a *app) spoolCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spool",
		Short: "Spool maintenance (spool gc)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(a.spoolGCCmd())
	return cmd
}

func (a *app) spoolGCCmd() *cobra.Command {
	var (
		grace  time.Duration
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "gc [--grace DURATION]",
		Short: "Remove spooled PostgreSQL content no file references, older than --grace",
		Long: `gc removes the content of the PostgreSQL spool (spool: postgres) that no
inbound or outbound file references and that was written more than --grace
ago: what an engine killed between writing a file's bytes and recording
the file left, the answers of a rolled-back file, a file downloaded twice
by racing engines. cycle and run collect it too (every cycle; run every
hour) with the default grace. The directory spool keeps no such garbage
(its files are content-addressed): there gc removes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if grace < 0 {
				return usageError("--grace must not be negative")
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			st, err := a.openStore(cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			sp, err := openSpool(cfg, st)
			if err != nil {
				return err
			}
			n, err := sp.Collect(cmd.Context(), grace)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.stdout).Encode(map[string]any{"backend": sp.Backend(), "removed": n})
			}
			fmt.Fprintf(a.stdout, "spool (%s): removed %d unreferenced blob(s) older than %s\n", sp.Backend(), n, grace)
			return nil
		},
	}
	cmd.Flags().DurationVar(&grace, "grace", spoolGrace, "keep unreferenced content younger than this")
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	return cmd
}
