package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/inquiry/answer"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/schedule"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/realtime"
	"github.com/clearinghouse/clearinghouse/roster"
	"github.com/clearinghouse/clearinghouse/web"
)

// defaultServeAddr is where serve listens when realtime_addr is unset.
const defaultServeAddr = "127.0.0.1:8080"

// listenRealtime starts the real-time endpoint on cfg.Realtime.Addr.
// checker may be nil (a new one is made).
func (a *app) listenRealtime(cfg config.Config, st *store.Store, checker *roster.Checker) (*realtime.Server, error) {
	if checker == nil {
		var err error
		if checker, err = roster.NewChecker(st, roster.CheckerConfig{}); err != nil {
			return nil, err
		}
	}
	ans, err := inquiryAnswerer(cfg, checker)
	if err != nil {
		return nil, err
	}
	senders := map[string][]string{}
	for _, p := range cfg.Partners {
		senders[p.ID] = p.SenderIDs
	}
	var w realtime.BatchWriter = st
	if cfg.Realtime.AuditCommit == config.AuditCommitAsync {
		w = realtime.BatchWriterFunc(st.AuditBatchAsync)
	}
	audit := realtime.NewGroupAudit(w)
	srv, err := realtime.Listen(realtime.Config{
		Addr: cfg.Realtime.Addr, TLSCert: cfg.Realtime.TLSCert, TLSKey: cfg.Realtime.TLSKey,
		Auth: &realtime.StoreAuth{Lookup: st, CacheTTL: 30 * time.Second},
		Responder: &answer.Realtime{Answerer: ans, Lookup: st, Controls: &answer.ControlBlocks{Store: st},
			Options: validate.Options{Lenient: leniency(cfg.Leniency)}},
		Audit:         audit,
		SenderIDs:     func(p string) []string { return senders[p] },
		ReceiverID:    cfg.Identity.ID,
		MaxBody:       cfg.Realtime.MaxBody,
		AnswerTimeout: cfg.Realtime.Timeout,
		Logger:        a.logger,
	})
	if err != nil {
		audit.Close()
		return nil, err
	}
	scheme := "http"
	if cfg.Realtime.TLSCert != "" {
		scheme = "https"
	}
	a.logger.Info("realtime listening", "url", scheme+"://"+srv.Addr().String()+realtime.Path)
	return srv, nil
}

func (a *app) serveCmd() *cobra.Command {
	var (
		addr, webAddr string
		grace         time.Duration
	)
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--web-addr HOST:PORT]",
		Short: "Answer real-time 270 and 276 inquiries (POST /x12/realtime), and serve the web portal when web.addr is set",
		Long: `serve answers eligibility (270 → 271) and claim status (276 → 277)
inquiries synchronously on POST /x12/realtime: one X12 interchange in the body
(Content-Type: application/edi-x12) or the CAQH CORE connectivity envelope
(multipart/form-data). Partners authenticate with a credential made by
"clearinghouse partner token PARTNER" (Authorization: Bearer <secret>, or basic
auth PARTNER:<secret>). Every request and answer is written to the audit log.
TLS when realtime_tls_cert and realtime_tls_key are set.

With web.addr set (or --web-addr), serve also serves the web portal on that
address, as the portal command does (docs/portal.md), with its daily account
job. Stops on SIGINT or SIGTERM, letting requests in flight finish for
--grace.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("addr") {
				cfg.Realtime.Addr = addr
			}
			if cfg.Realtime.Addr == "" {
				cfg.Realtime.Addr = defaultServeAddr
			}
			if cmd.Flags().Changed("web-addr") {
				cfg.Web.Addr = webAddr
			}
			if err := cfg.Validate(); err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			var (
				st *store.Store
				rt *runtime
			)
			if cfg.Web.Addr != "" {
				// The portal processes uploads: it needs the whole runtime.
				if rt, err = a.openRuntime(cmd.Context(), cfg, 0); err != nil {
					return err
				}
				defer rt.Close()
				st = rt.store
			} else {
				if st, err = a.openStore(cfg); err != nil {
					return err
				}
				defer st.Close()
			}
			srv, err := a.listenRealtime(cfg, st, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "listening on %s\n", strings.TrimSpace(srv.Addr().String()))
			var (
				portal *web.HTTPServer
				jobs   *schedule.Scheduler
			)
			if rt != nil {
				if portal, err = a.servePortal(cfg, rt, cfg.Web.Addr); err != nil {
					srv.Close()
					return err
				}
				if jobs, err = a.startAccountJob(cfg, rt.store); err != nil {
					portal.Close()
					srv.Close()
					return err
				}
				fmt.Fprintf(a.stdout, "portal: %s\n", portalURL(cfg, portal.Addr()))
			}
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), grace)
			defer cancel()
			if jobs != nil {
				jobs.Stop(ctx)
			}
			if portal != nil {
				if err := portal.Shutdown(ctx); err != nil {
					a.logger.Warn("portal shutdown", "error", err.Error())
				}
			}
			if err := srv.Shutdown(ctx); err != nil {
				a.logger.Warn("realtime shutdown", "error", err.Error())
			}
			a.logger.Info("stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "host:port to listen on (overrides realtime_addr; default "+defaultServeAddr+")")
	cmd.Flags().StringVar(&webAddr, "web-addr", "", "also serve the web portal on host:port (overrides web.addr)")
	cmd.Flags().DurationVar(&grace, "grace", 10*time.Second, "how long requests in flight may finish at shutdown")
	return cmd
}
