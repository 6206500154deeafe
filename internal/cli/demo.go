package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/remittance"
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
				for _, d := range []string{"inbox", "outbox"} {
					if err := os.MkdirAll(filepath.Join(work, "sftp", tpa, d), 0o750); err != nil {
						return err
					}
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
				cfg.Partners = append(cfg.Partners, config.Partner{ID: tpa, Outbox: fmt.Sprintf("sftp://%s@%s/outbox", tpa, srv.Addr()),
					Inbox: fmt.Sprintf("sftp://%s@%s/inbox", tpa, srv.Addr()), Archive: "archive", Auth: auth})
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
			// The CSV submission is held for the nightly run
			// (csv_processing nightly): the demo does the nightly job's
			// processing now, then one more cycle forwards its claims and
			// delivers its acknowledgments.
			var night demoNight
			if night.released, night.files, err = a.processHeld(ctx, rt, time.Now()); err != nil {
				return err
			}
			if night.released > 0 {
				if night.after, err = rt.engine.Cycle(ctx); err != nil {
					return err
				}
			}
			report, _ := pipeline.BuildDailyReport(ctx, rt.store, time.Now())
			if rosterFile != "" {
				fmt.Fprintf(a.stdout, "roster %s: %d members imported; claims are checked for eligibility\n", filepath.Base(rosterFile), imported.Added+imported.Changed+imported.Unchanged)
			}
			printDemo(a.stdout, work, jail, cfg, res, night, report, len(seeds), time.Since(start))
			if err := a.demoFileStatus(ctx, rt, cfg, filepath.Join(work, "reports")); err != nil {
				return err
			}
			if err := a.demoRemittances(ctx, rt, srv.Addr(), auth, work); err != nil {
				return err
			}
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

// demoNight is the demo's early nightly run: the held CSV files it
// released, what it processed, and the cycle after it.
type demoNight struct {
	released int64
	files    []pipeline.FileResult
	after    pipeline.CycleResult
}

func printDemo(w io.Writer, work, jail string, cfg config.Config, res pipeline.CycleResult, night demoNight, r pipeline.DailyReport, seeded int, took time.Duration) {
	fmt.Fprintf(w, "\nclearinghouse demo — one cycle over an embedded SFTP server (%s)\n\n", took.Round(time.Millisecond))
	fmt.Fprintf(w, "partner %q dropped %d files in its SFTP inbox\n", demoPartner, seeded)
	printCycle(w, res)
	if night.released > 0 {
		fmt.Fprintf(w, "\nnightly run, now instead of at 18:00 (CSV submissions wait for it): released %d held CSV file(s)\n", night.released)
		printFiles(w, night.files)
		fmt.Fprintln(w, "next cycle:")
		printForwarded(w, night.after.Forwarded)
		printDelivered(w, night.after.Delivered, "")
	}
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

// demoRemit is the TPA that returns an 835 in the demo.
const demoRemit = "relayhealth"

// demoRemittances is the demo's second act: the TPA pays the claims
// forwarded to it with an 835 dropped in its SFTP inbox (gen --type 835
// --for-claims); acme is enrolled for the ERAs of its billing providers;
// one more cycle takes the 835 in (999 back to the TPA), matches its
// claim payments and forwards the ERA to acme.
func (a *app) demoRemittances(ctx context.Context, rt *runtime, addr string, auth config.Auth, work string) error {
	st := rt.store
	var claims []store.Claim
	npis := map[string]bool{}
	for after := int64(0); ; {
		page, err := st.ListClaims(ctx, store.ClaimFilter{State: store.ClaimForwarded, AfterID: after, Limit: 1000, WithLines: true})
		if err != nil {
			return err
		}
		for _, c := range page {
			if c.RoutePartner == demoRemit {
				claims = append(claims, c)
				if c.PartnerID == demoPartner && c.BillingNPI != "" {
					npis[c.BillingNPI] = true
				}
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(claims) == 0 {
		return nil
	}
	for npi := range npis {
		if err := st.EnrollERA(ctx, store.ERAEnrollment{Kind: store.ERAByNPI, Value: npi, PartnerID: demoPartner, Source: store.ERAFromCLI}); err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	rs := remittance.PayClaims(claims, remittance.PayOptions{Date: now, TracePrefix: "EFT" + now.Format("060102"),
		DenyEvery: 5, CoinsurancePercent: 10,
		Payer: remit.Payer{Name: "RELAYHEALTH TPA (SYNTHETIC)", IDQualifier: "XV", ID: "RELAYHLTH",
			Address:  remit.Address{Line1: "1 EXAMPLE WAY", City: "MADISON", State: "WI", PostalCode: "53703"},
			Contacts: []remit.Contact{{Function: "BL", Name: "EDI DESK", Numbers: []remit.Communication{{Qualifier: "TE", Number: "6085550199"}}}}}})
	// One payment the TPA sends for a claim that is not ours: kept for an
	// operator (remits --unmatched).
	stray := &remit.Claim{PatientControlNumber: "STRAY-0001", Status: "1", Charge: 5000, FilingIndicator: "12",
		PayerClaimControlNumber: "ICNSTRAY1", Patient: &remit.Party{Entity: "QC", Type: "1", LastOrOrg: "STRAY", First: "SAMPLE"},
		Adjustments: []remit.Adjustment{{Group: "CO", Reasons: []remit.Reason{{Code: "45", Amount: 1000}}}}}
	rs[0].Groups[0].Claims = append(rs[0].Groups[0].Claims, stray)
	rs[0].ComputeTotals()
	var buf bytes.Buffer
	if err := remit.Write(&buf, rs, ack.OutboundEnvelope{Control: 1, GroupControl: 1, Time: now, SenderID: "RELAYHEALTH",
		ReceiverID: rt.cfg.Identity.ID, ReceiverQualifier: rt.cfg.Identity.Qualifier, Usage: rt.cfg.Usage, Suffix: "\n"}); err != nil {
		return err
	}
	drop, err := transport.Open(ctx, fmt.Sprintf("sftp://%s@%s/inbox", demoRemit, addr), transport.Options{KeyFile: auth.KeyFile, KnownHostsFile: auth.KnownHosts})
	if err != nil {
		return err
	}
	name := "relayhealth-835-" + now.Format("20060102") + ".x12"
	err = drop.Put(ctx, ".", name, bytes.NewReader(buf.Bytes()))
	drop.Close()
	if err != nil {
		return err
	}
	res, err := rt.engine.Cycle(ctx)
	if err != nil {
		return err
	}
	w := a.stdout
	fmt.Fprintf(w, "\nremittances — %s returns an 835 for the %d claims forwarded to it\n", demoRemit, len(claims))
	printCycle(w, res)
	var paid, partial, denied int
	for _, c := range claims {
		got, err := st.GetClaimPayment(ctx, c.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		switch got.Status {
		case store.PaymentPaid:
			paid++
		case store.PaymentPartial:
			partial++
		case store.PaymentDenied:
			denied++
		}
	}
	unmatched, err := st.ListRemitClaims(ctx, store.RemitClaimFilter{Unmatched: true, Limit: 1000})
	if err != nil {
		return err
	}
	forwarded, err := st.ListRemittances(ctx, store.RemittanceFilter{State: store.RemitForwarded, Limit: 1000})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nclaims paid %d, partial %d, denied %d; claim payments unmatched %d; ERAs forwarded to %s: %d\n",
		paid, partial, denied, len(unmatched), demoPartner, len(forwarded))
	fmt.Fprintf(w, "  %-15s %s   (999 for its 835)\n", demoRemit+" outbox", filepath.Join(work, "sftp", demoRemit, "outbox"))
	fmt.Fprintf(w, "  ./bin/clearinghouse --data-dir %s remits\n", rt.cfg.DataDir)
	fmt.Fprintf(w, "  ./bin/clearinghouse --data-dir %s remits --unmatched\n", rt.cfg.DataDir)
	fmt.Fprintf(w, "  ./bin/clearinghouse --data-dir %s claims --state paid\n", rt.cfg.DataDir)
	fmt.Fprintf(w, "  ./bin/clearinghouse --data-dir %s eop %s --out eop.pdf\n", rt.cfg.DataDir, claims[0].ControlNumber)
	return nil
}
