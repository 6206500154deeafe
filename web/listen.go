package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/web/auth"
)

// HTTPServer is the portal's listener: net/http with timeouts, HTTPS
// when given a certificate.
type HTTPServer struct {
	srv *http.Server
	ln  net.Listener
	log *slog.Logger
}

// Listen starts serving h on addr (port 0 picks a free port). With
// certFile and keyFile it serves HTTPS (TLS 1.2 or later).
func Listen(addr string, h http.Handler, certFile, keyFile string, logger *slog.Logger) (*HTTPServer, error) {
	if logger == nil {
		logger = slog.Default()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web: listen %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads
		WriteTimeout:      5 * time.Minute, // processing an upload
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("web: tls: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	s := &HTTPServer{srv: srv, ln: ln, log: logger}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("portal server stopped", slog.String("error", err.Error()))
		}
	}()
	return s, nil
}

// Addr is the address the portal listens on.
func (s *HTTPServer) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops accepting and waits for requests in flight until ctx
// ends.
func (s *HTTPServer) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

// Close stops the server at once.
func (s *HTTPServer) Close() error { return s.srv.Close() }

// LifecycleJob is the daily account job: it disables the accounts with
// no sign-in for auth.InactivityLimit and removes expired sessions.
// Schedule it with internal/schedule (`run` does, as "user-inactivity").
func LifecycleJob(st *store.Store, logger *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		names, err := st.DisableInactiveUsers(ctx, auth.InactivityLimit)
		if err != nil {
			return err
		}
		n, err := st.DeleteExpiredSessions(ctx)
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := st.Audit(ctx, store.AuditEntry{Actor: "job:user-inactivity", Action: "user.disable_inactive", Entity: "user", EntityID: name}); err != nil {
				return err
			}
		}
		logger.InfoContext(ctx, "portal accounts checked", slog.Int("disabled_inactive", len(names)), slog.Int64("expired_sessions", n))
		return nil
	}
}
