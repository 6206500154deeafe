package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/roster"
	"github.com/clearinghouse/clearinghouse/transport"
	"github.com/clearinghouse/clearinghouse/transport/sftpserver"
)

// demoMarker is the file the demo leaves in the temporary work dir it
// creates ($TMPDIR/clearinghouse-demo-*), so that `make clean` removes the
// dirs that are ours and nothing else.
const demoMarker = ".clearinghouse-demo"

// demoPartner is the provider group that drops files in the demo.
const demoPartner = "acme"

// demoTPAs receive the repriced claims (forward.DefaultRoutes).
var demoTPAs = []string{"relayhealth", "optum"}

func demoUsers(work string, key ssh.PublicKey) []sftpserver.User {
	users := []sftpserver.User{{Name: demoPartner, Root: filepath.Join(work, "sftp", demoPartner), AuthorizedKeys: []ssh.PublicKey{key}}}
	for _, tpa := range demoTPAs {
		users = append(users, sftpserver.User{Name: tpa, Root: filepath.Join(work, "sftp", tpa), AuthorizedKeys: []ssh.PublicKey{key}})
	}
	return users
}

func (a *app) demoCmd() *cobra.Command {
	var (
		work       string
		seed       string
		rosterFile string
		schedules  string
		portalAddr string
	)
	cmd := &cobra.Command{
		Use:   "demo [--work DIR] [--seed DIR]",
		Short: "One full cycle on embedded defaults: SQLite + an embedded SFTP server on loopback, seeded from testdata/",
		Long: `demo builds a throwaway world and runs the real engine through it once:
an embedded SFTP server on 127.0.0.1 (host key verified through a generated
known_hosts file), a SQLite store, and a partner "acme" whose inbox is seeded
with the synthetic files of --seed. It runs one cycle (poll → process →
deliver) over SFTP and prints what happened and where the outputs are.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			start := time.Now()
			var err error
			if work == "" {
				if work, err = os.MkdirTemp("", "clearinghouse-demo-"); err != nil {
					return err
				}
				// The marker lets `make clean` recognise our work dirs.
				if err := os.WriteFile(filepath.Join(work, demoMarker), []byte("made by clearinghouse demo; `make clean` removes this directory\n"), 0o600); err != nil {
					return err
				}
			}
			work, _ = filepath.Abs(work)
			seeds, err := filepath.Glob(filepath.Join(seed, "*"))
			if err != nil || len(seeds) == 0 {
				return usageError("no seed files in %s (run from the repository root, or pass --seed)", seed)
			}
			sort.Strings(seeds)

			// The partner's SFTP account: a jail with inbox/ and outbox/;
			// the TPAs' accounts, where repriced claims are forwarded.
			jail := filepath.Join(work, "sftp", demoPartner)
			for _, d := range []string{"inbox", "outbox"} {
				if err := os.MkdirAll(filepath.Join(jail, d), 0o750); err != nil {
					return err
				}
			}
			for _, tpa := range demoTPAs {
				if err := os.MkdirAll(filepath.Join(work, "sftp", tpa, "outbox"), 0o750); err != nil {
					return err
				}
			}
			keys, err := sftpserver.GenerateKeys(filepath.Join(work, "keys"))
			if err != nil {
				return err
			}
			srv, err := sftpserver.New(sftpserver.Config{
				HostKeyFile: keys.HostKey,
				Users:       demoUsers(work, keys.ClientPublicKey),
				Logger:      a.logger,
			})
			if err != nil {
				return err
			}
			if err := srv.Start(ctx); err != nil {
				return err
			}
			defer srv.Close()
			if err := srv.WriteKnownHosts(keys.KnownHosts); err != nil {
				return err
			}
			url := fmt.Sprintf("sftp://%s@%s", demoPartner, srv.Addr())
			auth := config.Auth{KeyFile: keys.ClientKey, KnownHosts: keys.KnownHosts}

			// The partner drops its files, over SFTP, like a real submitter.
			drop, err := transport.Open(ctx, url+"/inbox", transport.Options{KeyFile: auth.KeyFile, KnownHostsFile: auth.KnownHosts})
			if err != nil {
				return err
			}
			for _, s := range seeds {
				data, err := os.ReadFile(s)
				if err != nil {
					drop.Close()
					return err
				}
				if err := drop.Put(ctx, ".", filepath.Base(s), bytes.NewReader(data)); err != nil {
					drop.Close()
					return err
				}
			}
			drop.Close()

			cfg := config.Default()
			cfg.DataDir = filepath.Join(work, "var")
			cfg.Database = "sqlite:" + filepath.Join(cfg.DataDir, "clearinghouse.db")
			cfg.Partners = []config.Partner{{
				ID: demoPartner, Name: "Acme Medical Group (synthetic)",
				Inbox: url + "/inbox", Outbox: url + "/outbox", Archive: "archive", Auth: auth,
			}}
			for _, tpa := range demoTPAs {
				cfg.Partners = append(cfg.Partners, config.Partner{ID: tpa, Outbox: fmt.Sprintf("sftp://%s@%s/outbox", tpa, srv.Addr()), Auth: auth})
			}
			// The seed's payer-ID routes: RelayHealth 2712 (837P) / 1935
			// (837I), Optum 88461; priced with the synthetic schedules.
			for _, r := range forward.DefaultRoutes() {
				cfg.Routes = append(cfg.Routes, config.Route{PayerID: r.PayerID, ClaimType: r.ClaimType, Partner: r.Partner})
			}
			cfg.Repricing = config.Repricing{Source: "files", SchedulesDir: schedules, Contracts: filepath.Join(schedules, "contracts.yaml")}
			if err := cfg.Validate(); err != nil {
				return err
			}
			// The TPA's member roster, so claims are checked for eligibility.
			var imported roster.ImportResult
			if rosterFile != "" {
				st, err := a.openStore(cfg)
				if err != nil {
					return err
				}
				f, err := os.Open(rosterFile)
				if err != nil {
					st.Close()
					return err
				}
				imported, err = roster.ImportCSV(ctx, st, f, roster.Opts{Source: filepath.Base(rosterFile)})
				f.Close()
				st.Close()
				if err != nil {
					return err
				}
			}
			rt, err := a.openRuntime(ctx, cfg, 0)
			if err != nil {
				return err
			}
			defer rt.Close()
			res, err := rt.engine.Cycle(ctx)
			if err != nil {
				return err
			}
			report, _ := pipeline.BuildDailyReport(ctx, rt.store, time.Now())
			if rosterFile != "" {
				fmt.Fprintf(a.stdout, "roster %s: %d members imported; claims are checked for eligibility\n", filepath.Base(rosterFile), imported.Added+imported.Changed+imported.Unchanged)
			}
			printDemo(a.stdout, work, jail, cfg, res, report, len(seeds), time.Since(start))
			if portalAddr != "" {
				return a.demoPortal(ctx, rt, cfg, portalAddr)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&work, "work", "", "work directory (default: a new $TMPDIR/clearinghouse-demo-*, removed by `make clean`)")
	cmd.Flags().StringVar(&seed, "seed", filepath.Join("testdata", "demo"), "directory of files the partner drops in its inbox")
	cmd.Flags().StringVar(&schedules, "schedules", filepath.Join("testdata", "schedules"), "fee schedule CSVs and contracts.yaml used to reprice")
	cmd.Flags().StringVar(&portalAddr, "portal", "", "after the cycle, serve the web portal on this loopback host:port with a demo admin and a demo provider user (printed) until interrupted")
	cmd.Flags().StringVar(&rosterFile, "roster", filepath.Join("testdata", "roster", "alliance-members.csv"), "member roster CSV imported first (\"\" for none)")
	return cmd
}

func printDemo(w io.Writer, work, jail string, cfg config.Config, res pipeline.CycleResult, r pipeline.DailyReport, seeded int, took time.Duration) {
	fmt.Fprintf(w, "\nclearinghouse demo — one cycle over an embedded SFTP server (%s)\n\n", took.Round(time.Millisecond))
	fmt.Fprintf(w, "partner %q dropped %d files in its SFTP inbox\n", demoPartner, seeded)
	printCycle(w, res)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "totals: %d files (%d rejected), %d transaction sets (%d accepted), %d claims: %d accepted (%s%%), %d rejected (%s%%)\n",
		r.Files, r.Rejected, r.Sets, r.SetsOK, r.Claims, r.ClaimsOK, r.AcceptRate, r.ClaimsRej, r.RejectRate)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "where things are:")
	fmt.Fprintf(w, "  work dir        %s\n", work)
	fmt.Fprintf(w, "  partner outbox  %s   (acknowledgments delivered over SFTP)\n", filepath.Join(jail, "outbox"))
	for _, tpa := range demoTPAs {
		fmt.Fprintf(w, "  %-15s %s   (repriced 837s forwarded over SFTP)\n", tpa+" outbox", filepath.Join(work, "sftp", tpa, "outbox"))
	}
	fmt.Fprintf(w, "  partner archive %s   (polled files, moved after spooling)\n", filepath.Join(jail, "inbox", "archive"))
	fmt.Fprintf(w, "  raw spool       %s\n", filepath.Join(cfg.DataDir, "spool"))
	fmt.Fprintf(w, "  database        %s\n", cfg.Database)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "look closer:")
	fmt.Fprintf(w, "  ./bin/clearinghouse --data-dir %s files\n", cfg.DataDir)
	fmt.Fprintf(w, "  ./bin/clearinghouse --data-dir %s file 1\n", cfg.DataDir)
	fmt.Fprintf(w, "  ./bin/clearinghouse validate testdata/demo/acme-837p-20261120-02-invalid.x12\n")
}
