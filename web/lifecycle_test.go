package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestLifecycleJob runs the daily account job with the injected clock:
// on day 29 without a sign-in nothing happens, on day 30 the account is
// disabled (and audited) and its session ends; a renewal brings it back.
func TestLifecycleJob(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := newFixture(t, be.URL(t))
			ctx := context.Background()
			job := LifecycleJob(f.st, slog.New(slog.NewTextHandler(io.Discard, nil)))
			const day = 24 * time.Hour
			// Everyone but "oper" signs in now; "oper" never does.
			for _, u := range allUsers {
				if u != "oper" {
					if err := f.st.RecordLoginSuccess(ctx, f.users[u].ID, u, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
			f.clk.Advance(29 * day)
			// acme-user signs in on day 29.
			if err := f.st.RecordLoginSuccess(ctx, f.users["acme-user"].ID, "acme-user", ""); err != nil {
				t.Fatal(err)
			}
			live := f.as("acme-admin")
			if err := job(ctx); err != nil {
				t.Fatal(err)
			}
			for _, u := range allUsers {
				if got, _ := f.st.GetUser(ctx, f.users[u].ID); got.DisabledAt != nil {
					t.Errorf("day 29: %s disabled", u)
				}
			}
			f.clk.Advance(day)
			if err := job(ctx); err != nil {
				t.Fatal(err)
			}
			for _, u := range allUsers {
				got, _ := f.st.GetUser(ctx, f.users[u].ID)
				want := u != "acme-user"
				if (got.DisabledAt != nil) != want || (want && got.DisabledReason != store.DisabledInactive) {
					t.Errorf("day 30: %s disabled=%v reason=%q, want disabled=%v", u, got.DisabledAt != nil, got.DisabledReason, want)
				}
			}
			if rec := live.get("/files"); rec.Code != http.StatusSeeOther {
				t.Errorf("session of a disabled user: %d", rec.Code)
			}
			es, err := f.st.ListAudit(ctx, store.AuditFilter{Action: "user.disable_inactive"})
			if err != nil || len(es) != len(allUsers)-1 {
				t.Errorf("audit of the job: %d entries, %v", len(es), err)
			}
			if err := f.st.RenewUser(ctx, f.users["acme-admin"].ID, "admin"); err != nil {
				t.Fatal(err)
			}
			if rec := f.client().login("acme-admin", testPassword); rec.Code != http.StatusSeeOther {
				t.Errorf("login after renewal: %d", rec.Code)
			}
		})
	}
}

// TestUploadLimit refuses a file over MaxUploadBytes and records nothing.
func TestUploadLimit(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	f.srv.cfg.MaxUploadBytes = 1000
	c := f.as("acme-user")
	rec := c.upload("", "big.x12", []byte(strings.Repeat("x", 3<<20)))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("big upload: %d %s", rec.Code, snippet(rec.Body.String()))
	}
	if fs, _ := f.st.ListInbound(context.Background(), store.ListOpts{PartnerID: "acme"}); len(fs) != 1 {
		t.Fatalf("acme has %d files, want the fixture's 1", len(fs))
	}
}
