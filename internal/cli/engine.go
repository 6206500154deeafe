package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/inquiry/answer"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/intake"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
	"github.com/clearinghouse/clearinghouse/pipeline/remittance"
	"github.com/clearinghouse/clearinghouse/repricing/storesource"
	"github.com/clearinghouse/clearinghouse/roster"
	"github.com/clearinghouse/clearinghouse/transport"
)

// runtime is everything a pipeline command needs, opened from the
// configuration.
type runtime struct {
	cfg        config.Config
	store      *store.Store
	spool      *spool.Spool
	engine     *pipeline.Engine
	remotes    []transport.Remote
	checker    *roster.Checker     // the roster checker of claims (when eligibility is on) and inquiries
	refreshers []*roster.Refresher // one per partner with a roster folder
}

// refreshRosters pulls every partner's roster folder once.
func (r *runtime) refreshRosters(ctx context.Context, logger *slog.Logger) error {
	var errs []error
	for _, rf := range r.refreshers {
		res, err := rf.RunOnce(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		logger.InfoContext(ctx, "roster refresh", slog.Int("listed", res.Listed), slog.Int("imported", res.Imported), slog.Int("failed", res.Failed))
	}
	return errors.Join(errs...)
}

func (r *runtime) Close() {
	if r.engine != nil {
		r.engine.Close()
	}
	for _, rm := range r.remotes {
		rm.Close()
	}
	if r.store != nil {
		r.store.Close()
	}
}

// processor builds the file processor from the configuration.
// progress, when not nil, is told the bytes of each file read (the
// progress bar of a batch command).
func processor(ctx context.Context, cfg config.Config, st *store.Store, sp *spool.Spool, logger *slog.Logger, routes *forward.Table,
	progress func(name string, read, total int64)) (*pipeline.Processor, *roster.Checker, error) {
	pc := pipeline.ProcessorConfig{
		Identity: pipeline.Identity{Qualifier: cfg.Identity.Qualifier, ID: cfg.Identity.ID, Name: cfg.Identity.Name},
		Usage:    cfg.Usage,
		Lenient:  leniency(cfg.Leniency),
		Logger:   logger,
		Progress: progress,
	}
	for _, p := range cfg.Partners {
		if len(p.SenderIDs) > 0 {
			if pc.SenderIDs == nil {
				pc.SenderIDs = map[string][]string{}
			}
			pc.SenderIDs[p.ID] = p.SenderIDs
		}
	}
	if routes != nil {
		pc.Routes = routes
	}
	on := cfg.Eligibility == "on"
	if cfg.Eligibility == "auto" {
		n, err := st.CountMembers(ctx, store.MemberFilter{})
		if err != nil {
			return nil, nil, err
		}
		// A roster refresh may fill an empty roster later: check anyway
		// when a partner sends rosters.
		on = n > 0 || hasRosters(cfg)
	}
	var checker *roster.Checker
	if on {
		var err error
		checker, err = roster.NewChecker(st, roster.CheckerConfig{})
		if err != nil {
			return nil, nil, err
		}
		pc.Eligibility = checker
	}
	// 270 and 276 files are answered from the roster and the claims
	// whatever the claims' eligibility setting.
	if checker == nil {
		var err error
		if checker, err = roster.NewChecker(st, roster.CheckerConfig{}); err != nil {
			return nil, nil, err
		}
	}
	ans, err := inquiryAnswerer(cfg, checker)
	if err != nil {
		return nil, nil, err
	}
	pc.SetHandlers = append(pc.SetHandlers, &answer.Handler{Answerer: ans})
	pc.SetHandlers = append(pc.SetHandlers, remittance.NewHandler(remittanceConfig(cfg)))
	return pipeline.NewProcessor(st, sp, pc), checker, nil
}

// remittanceConfig addresses the ERAs forwarded to a partner by its first
// configured sender ID (ISA06), else its ID upper-cased.
func remittanceConfig(cfg config.Config) remittance.Config {
	return remittance.Config{Receiver: func(partner string) (string, string) {
		if p, ok := cfg.Partner(partner); ok && len(p.SenderIDs) > 0 {
			return "ZZ", p.SenderIDs[0]
		}
		return "ZZ", strings.ToUpper(partner)
	}}
}

// leniency converts the configured leniency for the envelope checks.
func leniency(l config.Leniency) envelope.Leniency {
	return envelope.Leniency{ISAWidth: l.ISAWidth, MissingST03: l.MissingST03, ST03Mismatch: l.ST03Mismatch,
		SegmentCount: l.SegmentCount, ISA11: l.ISA11, GroupCount: l.GroupCount}
}

// openRuntime opens the store, the spool and every partner's transports.
// A partner whose server cannot be reached is logged and left out of this
// run (the others still work); a host-key mismatch is such an error and is
// never ignored.
func (a *app) openRuntime(ctx context.Context, cfg config.Config, settle time.Duration) (*runtime, error) {
	st, err := a.openStore(cfg)
	if err != nil {
		return nil, err
	}
	rt := &runtime{cfg: cfg, store: st}
	rt.spool, err = openSpool(cfg, st)
	if err != nil {
		rt.Close()
		return nil, err
	}
	var partners []pipeline.Partner
	var errs []error
	for _, p := range cfg.Partners {
		pp := pipeline.Partner{ID: p.ID}
		opts := a.transportOptions(p)
		if p.Inbox != "" {
			rm, err := transport.Open(ctx, p.Inbox, opts)
			if err != nil {
				errs = append(errs, fmt.Errorf("partner %s inbox: %w", p.ID, err))
				a.logger.ErrorContext(ctx, "inbox unavailable", slog.String("partner", p.ID), slog.String("error", err.Error()))
			} else {
				rt.remotes = append(rt.remotes, rm)
				pp.Poller, err = intake.New(rm, st, rt.spool, intake.Config{
					PartnerID: p.ID, Inbox: ".", Archive: p.Archive, MinAge: p.MinAge, SettleTime: settle, Logger: a.logger,
					Hold: csvHold(cfg),
				})
				if err != nil {
					rt.Close()
					return nil, err
				}
			}
		}
		if p.Outbox != "" {
			rm, err := transport.Open(ctx, p.Outbox, opts)
			if err != nil {
				errs = append(errs, fmt.Errorf("partner %s outbox: %w", p.ID, err))
				a.logger.ErrorContext(ctx, "outbox unavailable", slog.String("partner", p.ID), slog.String("error", err.Error()))
			} else {
				rt.remotes = append(rt.remotes, rm)
				pp.Outbox = &outbox.Target{Remote: rm, Dir: "."}
			}
		}
		partners = append(partners, pp)
	}
	routes, err := routeTable(cfg)
	if err != nil {
		rt.Close()
		return nil, err
	}
	proc, checker, err := processor(ctx, cfg, st, rt.spool, a.logger, routes, a.fileProgress())
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.checker = checker
	for _, p := range cfg.Partners {
		if p.Roster == "" {
			continue
		}
		opts := a.transportOptions(p)
		rm, err := transport.Open(ctx, p.Roster, opts)
		if err != nil {
			a.logger.ErrorContext(ctx, "roster folder unavailable", slog.String("partner", p.ID), slog.String("error", err.Error()))
			continue
		}
		rt.remotes = append(rt.remotes, rm)
		rf, err := roster.NewRefresher(roster.AdaptRemote(rm), st, roster.RefresherConfig{Dir: ".", Archive: "archive", Checker: checker, Logger: a.logger,
			CSV: roster.Opts{Source: p.ID}, X12: roster.Opts{Source: p.ID}})
		if err != nil {
			rt.Close()
			return nil, err
		}
		rt.refreshers = append(rt.refreshers, rf)
	}
	fw, err := a.forwarder(ctx, cfg, st, rt.spool)
	if err != nil {
		rt.Close()
		return nil, err
	}
	pcfg := pipeline.Config{Owner: cfg.Instance, Lease: cfg.LeaseTTL, MaxAttempts: cfg.MaxAttempts, RetryBase: cfg.RetryAfter, Logger: a.logger}
	if fw != nil {
		pcfg.Forwarder = fw
		if dn, err := denier(cfg, st, rt.spool); err != nil {
			rt.Close()
			return nil, err
		} else if dn != nil {
			pcfg.Forwarder = &denyingForwarder{next: fw, denier: dn}
		}
	}
	rt.engine, err = pipeline.New(st, rt.spool, a.csvProcessor(cfg, st, rt.spool, proc, checker), partners, pcfg)
	if err != nil {
		rt.Close()
		return nil, err
	}
	// Commands that run without the partners' transports (process) pass
	// no partners: the enrollments synced last stay as they are.
	if len(cfg.Partners) > 0 {
		if err := syncERA(a, cfg, st); err != nil {
			rt.Close()
			return nil, err
		}
	}
	if len(errs) > 0 && len(errs) == countTransports(cfg) {
		rt.Close()
		return nil, errors.Join(errs...)
	}
	return rt, nil
}

func countTransports(cfg config.Config) int {
	n := 0
	for _, p := range cfg.Partners {
		if p.Inbox != "" {
			n++
		}
		if p.Outbox != "" {
			n++
		}
	}
	return n
}

func hasRosters(cfg config.Config) bool {
	for _, p := range cfg.Partners {
		if p.Roster != "" {
			return true
		}
	}
	return false
}

// forwarder builds the routing/forwarding stage, or nil when no route is
// configured.
func (a *app) forwarder(ctx context.Context, cfg config.Config, st *store.Store, sp *spool.Spool) (*forward.Forwarder, error) {
	if len(cfg.Routes) == 0 {
		return nil, nil
	}
	table, err := routeTable(cfg)
	if err != nil {
		return nil, err
	}
	var pricer forward.Pricer
	switch cfg.Repricing.Source {
	case "files":
		eng, err := storesource.LoadDir(ctx, cfg.Repricing.SchedulesDir, cfg.Repricing.Contracts)
		if err != nil {
			return nil, err
		}
		pricer = eng
	case "store":
		eng, err := storesource.NewEngine(ctx, st, nil)
		if errors.Is(err, store.ErrNotFound) {
			a.logger.WarnContext(ctx, "no repricing contracts imported; claims are forwarded unpriced")
		} else if err != nil {
			return nil, err
		} else {
			pricer = eng
		}
	}
	return forward.New(st, sp, table, pricer, forward.Config{
		Owner:            cfg.Instance,
		Identity:         forward.Identity{Qualifier: cfg.Identity.Qualifier, ID: cfg.Identity.ID, Name: cfg.Identity.Name},
		Usage:            cfg.Usage,
		MaxClaimsPerFile: cfg.MaxClaimsPerFile,
		Logger:           a.logger,
	})
}

// routeTable builds the configured route table (nil without routes).
func routeTable(cfg config.Config) (*forward.Table, error) {
	if len(cfg.Routes) == 0 {
		return nil, nil
	}
	routes := make([]forward.Route, 0, len(cfg.Routes))
	for _, r := range cfg.Routes {
		routes = append(routes, forward.Route{PayerID: r.PayerID, ClaimType: r.ClaimType, Partner: r.Partner,
			CorrectedPartner: r.CorrectedPartner, TPAPartners: r.TPAPartners, ReceiverID: r.ReceiverID, ReceiverName: r.ReceiverName})
	}
	t, err := forward.NewTable(routes)
	if err != nil {
		return nil, fmt.Errorf("config: routes: %w", err)
	}
	return t, nil
}

// transportOptions are the credentials and host-key file of partner p.
func (a *app) transportOptions(p config.Partner) transport.Options {
	return transport.Options{KeyFile: p.Auth.KeyFile, Password: p.Auth.Password(), KnownHostsFile: p.Auth.KnownHosts, Logger: a.logger}
}
