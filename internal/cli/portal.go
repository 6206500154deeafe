package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/schedule"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/web"
	"github.com/clearinghouse/clearinghouse/web/auth"
)

// defaultWebAddr is where `portal` listens without web.addr.
const defaultWebAddr = "127.0.0.1:8080"

// portalHandler builds the portal over rt: uploads and reprocessing go
// through rt's engine.
func (a *app) portalHandler(rt *runtime, jobs []web.Job) (*web.Server, error) {
	// The portal's eligibility checks name no payer: every payer's members.
	el, err := eligibilityResponder(rt.store, nil)
	if err != nil {
		return nil, err
	}
	nightlyOpts, err := nightlyOptions(rt.cfg)
	if err != nil {
		return nil, err
	}
	return web.New(web.Config{
		Modules: []web.Module{&web.Provider{Eligibility: el, Nightly: nightlyOpts}},
		Store:   rt.store,
		Spool:   rt.spool,
		Process: func(ctx context.Context, id int64) error {
			_, err := rt.engine.ProcessFile(ctx, id)
			return err
		},
		Hold:       csvHold(rt.cfg),
		Jobs:       jobs,
		Logger:     a.logger,
		TrustProxy: rt.cfg.Web.BehindProxy,
	})
}

// configuredJobs are the engine's cron schedules with their next runs,
// for the portal's schedules page.
func configuredJobs(cfg config.Config, now time.Time) []web.Job {
	s := cfg.Schedules
	var jobs []web.Job
	for _, j := range []struct{ name, spec string }{
		{"poll", s.Poll}, {"deliver", s.Deliver}, {"roster-refresh", s.RosterRefresh},
		{"nightly-report", s.NightlyReport}, {"user-inactivity", s.UserInactivity},
	} {
		if j.spec == "" {
			continue
		}
		job := web.Job{Name: j.name, Spec: j.spec}
		if sch, err := schedule.Parse(j.spec); err == nil {
			job.Next = sch.Next(now)
		}
		jobs = append(jobs, job)
	}
	return jobs
}

// servePortal builds the portal on rt and serves it on addr with cfg.Web's
// TLS settings (run, portal, serve and demo --portal).
func (a *app) servePortal(cfg config.Config, rt *runtime, addr string) (*web.HTTPServer, error) {
	w := cfg.Web
	w.Addr = addr
	if err := w.Validate(); err != nil {
		return nil, &ExitError{Code: 2, Err: err}
	}
	h, err := a.portalHandler(rt, configuredJobs(cfg, time.Now()))
	if err != nil {
		return nil, err
	}
	srv, err := web.Listen(addr, h, w.TLSCert, w.TLSKey, a.logger)
	if err != nil {
		return nil, err
	}
	a.logger.Info("portal listening", "url", portalURL(cfg, srv.Addr()))
	return srv, nil
}

// startAccountJob runs the portal's daily account job on a scheduler of
// its own (portal and serve; run schedules it with its other jobs).
func (a *app) startAccountJob(cfg config.Config, st *store.Store) (*schedule.Scheduler, error) {
	s := schedule.New(a.logger)
	if err := s.Add("user-inactivity", cfg.Schedules.UserInactivity, web.LifecycleJob(st, a.logger)); err != nil {
		return nil, err
	}
	s.Start()
	return s, nil
}

func (a *app) portalCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "portal [--addr HOST:PORT]",
		Short: "Serve the web portal (providers' files, claims and acknowledgments; operators' queues; accounts and audit)",
		Long: `portal serves the web portal until SIGINT/SIGTERM (docs/portal.md). It
uses the configured store and spool; an uploaded 837 is recorded in the
partner's intake and processed at once. It also runs the daily account job
(schedules.user_inactivity). Create the first admin with
` + "`clearinghouse user add NAME --role admin`" + `.

Without web.tls_cert/web.tls_key it serves plain HTTP, on a loopback
address only (or behind a proxy with web.behind_proxy).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("addr") {
				addr = cfg.Web.Addr
			}
			if addr == "" {
				addr = defaultWebAddr
			}
			rt, err := a.openRuntime(cmd.Context(), cfg, 0)
			if err != nil {
				return err
			}
			defer rt.Close()
			srv, err := a.servePortal(cfg, rt, addr)
			if err != nil {
				return err
			}
			s, err := a.startAccountJob(cfg, rt.store)
			if err != nil {
				srv.Close()
				return err
			}
			fmt.Fprintf(a.stdout, "portal: %s\n", portalURL(cfg, srv.Addr()))
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s.Stop(ctx)
			return srv.Shutdown(ctx)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "host:port to listen on (default web.addr, else "+defaultWebAddr+")")
	return cmd
}

func portalURL(cfg config.Config, addr net.Addr) string {
	scheme := "http"
	if cfg.Web.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + addr.String()
}

// readPassword reads a password from the first line of r.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// newPassword returns a random password of 20 URL-safe characters.
func newPassword() (string, error) {
	tok, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	return tok[:20], nil
}

func (a *app) userCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Portal accounts: add, renew, unlock, disable, password, totp, list",
	}
	// passwordFrom returns the password of --password-stdin or a new
	// random one (printed).
	passwordFrom := func(cmd *cobra.Command, fromStdin bool) (pw string, generated bool, err error) {
		if fromStdin {
			pw, err = readPassword(cmd.InOrStdin())
			return pw, false, err
		}
		pw, err = newPassword()
		return pw, true, err
	}
	var (
		role, partner    string
		npis, tins       []string
		fromStdin, totp  bool
		asJSON           bool
		by, reason       string
		listPartner      string
		passwordFromFlag bool
	)
	withUser := func(fn func(st *store.Store, u *store.User) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := st.GetUserByName(a.ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return &ExitError{Code: 1, Err: fmt.Errorf("no user %q", args[0])}
			}
			if err != nil {
				return err
			}
			return fn(st, u)
		}
	}
	audit := func(st *store.Store, action string, u *store.User, detail string) error {
		return st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: action, Entity: "user", EntityID: fmt.Sprint(u.ID), Detail: detail})
	}
	add := &cobra.Command{
		Use:   "add USERNAME --role admin|operator|provider-admin|provider-user [--partner ID] [--npi N]... [--tin T]... [--password-stdin] [--totp]",
		Short: "Create a portal user; prints a generated password unless --password-stdin",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := store.Role(role)
			if !r.Valid() {
				return usageError("--role must be admin, operator, provider-admin or provider-user")
			}
			if r.Provider() != (partner != "") {
				return usageError("--partner is required for provider roles and refused for admin and operator")
			}
			pw, generated, err := passwordFrom(cmd, fromStdin)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return usageError("%v", err)
			}
			var secret string
			if totp {
				if secret, err = auth.NewTOTPSecret(); err != nil {
					return err
				}
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := st.CreateUser(a.ctx, store.User{Username: args[0], Role: r, PartnerID: partner, PasswordHash: hash,
				TOTPSecret: secret, NPIs: npis, TINs: tins})
			if errors.Is(err, store.ErrConflict) {
				return &ExitError{Code: 1, Err: fmt.Errorf("user %q exists", args[0])}
			}
			if errors.Is(err, store.ErrInvalid) {
				return usageError("%v", err)
			}
			if err != nil {
				return err
			}
			if err := audit(st, "user.create", u, "role="+role+" partner="+partner); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "user %s created (%s%s); access valid until %s\n", u.Username, u.Role,
				map[bool]string{true: ", partner " + u.PartnerID, false: ""}[u.PartnerID != ""],
				u.RenewedAt.Add(auth.AccessValidity).Format("2006-01-02"))
			if generated {
				fmt.Fprintf(a.stdout, "password: %s\n", pw)
			}
			if secret != "" {
				fmt.Fprintf(a.stdout, "totp secret: %s\ntotp uri: %s\n", secret, auth.TOTPURI("Clearinghouse", u.Username, secret))
			}
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "", "admin, operator, provider-admin or provider-user")
	add.Flags().StringVar(&partner, "partner", "", "the submitter partner of a provider user")
	add.Flags().StringSliceVar(&npis, "npi", nil, "billing NPIs the user may see claims of (default: every claim of the partner)")
	add.Flags().StringSliceVar(&tins, "tin", nil, "billing TINs the user may see claims of")
	add.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	add.Flags().BoolVar(&totp, "totp", false, "require a TOTP code at sign-in (prints the secret to enrol an authenticator app)")

	renew := &cobra.Command{
		Use:   "renew USERNAME [--by NAME]",
		Short: "Renew a user's access for 180 days (also enables an account disabled for inactivity)",
		Args:  cobra.ExactArgs(1),
		RunE: withUser(func(st *store.Store, u *store.User) error {
			if err := st.RenewUser(a.ctx, u.ID, "cli:"+by); err != nil {
				return err
			}
			if err := audit(st, "user.renew", u, ""); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "user %s renewed until %s\n", u.Username, time.Now().UTC().Add(auth.AccessValidity).Format("2006-01-02"))
			return nil
		}),
	}
	renew.Flags().StringVar(&by, "by", "admin", "who renews (recorded)")
	unlock := &cobra.Command{
		Use:   "unlock USERNAME",
		Short: "Unlock a user locked after 3 failed sign-ins",
		Args:  cobra.ExactArgs(1),
		RunE: withUser(func(st *store.Store, u *store.User) error {
			if err := st.UnlockUser(a.ctx, u.ID); err != nil {
				return err
			}
			if err := audit(st, "user.unlock", u, ""); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "user %s unlocked\n", u.Username)
			return nil
		}),
	}
	disable := &cobra.Command{
		Use:   "disable USERNAME [--reason TEXT]",
		Short: "Disable a user and end their sessions",
		Args:  cobra.ExactArgs(1),
		RunE: withUser(func(st *store.Store, u *store.User) error {
			if err := st.DisableUser(a.ctx, u.ID, reason); err != nil {
				return err
			}
			if err := audit(st, "user.disable", u, ""); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "user %s disabled\n", u.Username)
			return nil
		}),
	}
	disable.Flags().StringVar(&reason, "reason", "disabled by an administrator", "why (shown to admins)")
	enable := &cobra.Command{
		Use:   "enable USERNAME",
		Short: "Enable a disabled user",
		Args:  cobra.ExactArgs(1),
		RunE: withUser(func(st *store.Store, u *store.User) error {
			if err := st.EnableUser(a.ctx, u.ID); err != nil {
				return err
			}
			if err := audit(st, "user.enable", u, ""); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "user %s enabled\n", u.Username)
			return nil
		}),
	}
	password := &cobra.Command{
		Use:   "password USERNAME [--password-stdin]",
		Short: "Reset a user's password (an admin's reset: unlocks and ends their sessions); prints a generated one unless --password-stdin",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, generated, err := passwordFrom(cmd, passwordFromFlag)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return usageError("%v", err)
			}
			return withUser(func(st *store.Store, u *store.User) error {
				if err := st.SetUserPassword(a.ctx, u.ID, hash); err != nil {
					return err
				}
				if err := audit(st, "user.password", u, ""); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "password of %s reset\n", u.Username)
				if generated {
					fmt.Fprintf(a.stdout, "password: %s\n", pw)
				}
				return nil
			})(cmd, args)
		},
	}
	password.Flags().BoolVar(&passwordFromFlag, "password-stdin", false, "read the password from the first line of standard input")
	totpCmd := &cobra.Command{
		Use:   "totp USERNAME [--off]",
		Short: "Enrol a user in TOTP (prints the secret and otpauth URI), or remove it with --off",
		Args:  cobra.ExactArgs(1),
		RunE: withUser(func(st *store.Store, u *store.User) error {
			secret := ""
			if !totp {
				var err error
				if secret, err = auth.NewTOTPSecret(); err != nil {
					return err
				}
			}
			if err := st.SetUserTOTP(a.ctx, u.ID, secret); err != nil {
				return err
			}
			if err := audit(st, "user.totp", u, fmt.Sprintf("enabled=%v", secret != "")); err != nil {
				return err
			}
			if secret == "" {
				fmt.Fprintf(a.stdout, "TOTP removed for %s\n", u.Username)
				return nil
			}
			fmt.Fprintf(a.stdout, "totp secret: %s\ntotp uri: %s\n", secret, auth.TOTPURI("Clearinghouse", u.Username, secret))
			return nil
		}),
	}
	totpCmd.Flags().BoolVar(&totp, "off", false, "remove the second factor")
	list := &cobra.Command{
		Use:   "list [--partner ID] [--json]",
		Short: "List portal users with their state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			us, err := st.ListUsers(a.ctx, store.UserFilter{PartnerID: listPartner})
			if err != nil {
				return err
			}
			now := time.Now()
			if asJSON {
				out := make([]userJSON, 0, len(us))
				for _, u := range us {
					out = append(out, toUserJSON(u, now))
				}
				return json.NewEncoder(a.stdout).Encode(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USER\tROLE\tPARTNER\tSTATUS\tACCESS UNTIL\tLAST SIGN-IN\tTOTP")
			for _, u := range us {
				j := toUserJSON(u, now)
				last := "-"
				if u.LastLoginAt != nil {
					last = u.LastLoginAt.Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%v\n", u.Username, u.Role, u.PartnerID, j.Status,
					j.AccessUntil.Format("2006-01-02"), last, j.TOTP)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&listPartner, "partner", "", "only this partner's users")
	list.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	cmd.AddCommand(add, renew, unlock, disable, enable, password, totpCmd, list)
	return cmd
}

// userJSON is a user as `user list --json` prints it (no secrets).
type userJSON struct {
	Username    string     `json:"username"`
	Role        store.Role `json:"role"`
	PartnerID   string     `json:"partner_id,omitempty"`
	NPIs        []string   `json:"npis,omitempty"`
	TINs        []string   `json:"tins,omitempty"`
	Status      string     `json:"status"`
	AccessUntil time.Time  `json:"access_until"`
	LastLoginAt *time.Time `json:"last_login_at"`
	TOTP        bool       `json:"totp"`
}

func toUserJSON(u store.User, now time.Time) userJSON {
	status := "active"
	switch {
	case u.LockedAt != nil:
		status = "locked"
	case u.DisabledAt != nil:
		status = "disabled"
		if u.DisabledReason == store.DisabledInactive {
			status = "disabled (inactive)"
		}
	case u.Expired(now, auth.AccessValidity):
		status = "expired"
	}
	return userJSON{Username: u.Username, Role: u.Role, PartnerID: u.PartnerID, NPIs: u.NPIs, TINs: u.TINs, Status: status,
		AccessUntil: u.RenewedAt.Add(auth.AccessValidity), LastLoginAt: u.LastLoginAt, TOTP: u.TOTPSecret != ""}
}

func (a *app) auditCmd() *cobra.Command {
	var (
		member, user string
		limit        int
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:   "audit --member ID | --user NAME [--limit N] [--json]",
		Short: "Read the PHI audit log: who saw member ID, or what user NAME saw (newest first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (member == "") == (user == "") {
				return usageError("give exactly one of --member and --user")
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			es, err := st.ListAudit(a.ctx, store.AuditFilter{MemberID: member, UserName: user, Limit: limit})
			if err != nil {
				return err
			}
			// Reading who saw a member is itself a look at PHI.
			if err := st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "audit.view", Entity: "audit_log", MemberID: member, Detail: "user=" + user}); err != nil {
				return err
			}
			if asJSON {
				if es == nil {
					es = []store.AuditEntry{}
				}
				return json.NewEncoder(a.stdout).Encode(es)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "WHEN\tUSER\tIP\tACTION\tENTITY\tMEMBER\tCLAIM")
			for _, e := range es {
				who := e.UserName
				if who == "" {
					who = e.Actor
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\t%s\t%s\n", e.At.Format("2006-01-02 15:04:05"), who, e.ClientIP, e.Action,
					e.Entity, e.EntityID, e.MemberID, e.ClaimControl)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&member, "member", "", "member ID: who saw this member's data")
	cmd.Flags().StringVar(&user, "user", "", "portal username: what this user saw")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many entries (1000 max)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	return cmd
}

// Demo portal accounts.
const (
	demoAdmin    = "admin"
	demoProvider = "acme-billing"
)

// demoPortal serves the portal over the demo's runtime with a demo admin
// and a demo provider user of the demo partner (random passwords,
// printed), on a loopback address only, until ctx ends.
func (a *app) demoPortal(ctx context.Context, rt *runtime, cfg config.Config, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !config.IsLoopback(host) {
		return usageError("--portal %q: the demo portal listens on a loopback address only (e.g. 127.0.0.1:8080)", addr)
	}
	type account struct {
		name, partner, password string
		role                    store.Role
	}
	accounts := []account{{name: demoAdmin, role: store.RoleAdmin}, {name: demoProvider, role: store.RoleProviderUser, partner: demoPartner}}
	for i := range accounts {
		ac := &accounts[i]
		if ac.password, err = newPassword(); err != nil {
			return err
		}
		hash, err := auth.HashPassword(ac.password)
		if err != nil {
			return err
		}
		if u, err := rt.store.GetUserByName(ctx, ac.name); err == nil {
			// A demo work dir used again: new passwords, fresh access.
			if err := rt.store.SetUserPassword(ctx, u.ID, hash); err != nil {
				return err
			}
			if err := rt.store.RenewUser(ctx, u.ID, "demo"); err != nil {
				return err
			}
			continue
		}
		if _, err := rt.store.CreateUser(ctx, store.User{Username: ac.name, Role: ac.role, PartnerID: ac.partner, PasswordHash: hash}); err != nil {
			return err
		}
	}
	srv, err := a.servePortal(cfg, rt, addr)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(a.stdout, "\nportal: %s   (Ctrl-C to stop)\n", portalURL(cfg, srv.Addr()))
	for _, ac := range accounts {
		who := "clearinghouse admin: every partner, users, audit log"
		if ac.partner != "" {
			who = "provider billing staff of partner " + ac.partner + ": its files and claims only"
		}
		fmt.Fprintf(a.stdout, "  %-13s password %s   (%s)\n", ac.name, ac.password, who)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
