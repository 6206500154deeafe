package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// remitModule stands for a later page (remittances): its own route,
// template and menu item, behind the portal's checks, audited.
type remitModule struct{}

func (remitModule) Register(r *Router) error {
	tmpl := fstest.MapFS{"remits.html": {Data: []byte(`{{define "content"}}<h1 id="remits">Remittances of {{.Data}}</h1>{{end}}`)}}
	if err := r.AddTemplate("remits", "Remittances", tmpl, "remits.html"); err != nil {
		return err
	}
	r.Handle("GET /remits", func(q *Request) error {
		if err := q.Audit("remits.view", "remit", "", "", "", ""); err != nil {
			return err
		}
		return q.Render("remits", q.Scope.PartnerID)
	}, store.RoleProviderUser, store.RoleAdmin)
	return nil
}

func (remitModule) NavItems() []NavItem {
	return []NavItem{{Label: "Remittances", Path: "/remits", Roles: []store.Role{store.RoleProviderUser, store.RoleAdmin}}}
}

func TestModule(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	srv, err := New(Config{Store: f.st, Now: f.clk.Now, Modules: []Module{remitModule{}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	rec := f.as("acme-user").get("/remits")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<h1 id="remits">Remittances of acme</h1>`) ||
		!strings.Contains(rec.Body.String(), `<title>Remittances`) || !strings.Contains(rec.Body.String(), `href="/remits"`) {
		t.Fatalf("module page: %d %s", rec.Code, rec.Body)
	}
	if rec := f.as("oper").get("/remits"); rec.Code != http.StatusNotFound {
		t.Fatalf("module page for another role: %d", rec.Code)
	}
	if strings.Contains(f.as("oper").get("/files").Body.String(), `href="/remits"`) {
		t.Fatal("menu shows the module to a role it does not serve")
	}
	if es, _ := f.st.ListAudit(context.Background(), store.AuditFilter{Action: "remits.view"}); len(es) != 1 || es[0].UserName != "acme-user" {
		t.Fatalf("module audit: %+v", es)
	}
	if _, err := New(Config{Store: f.st, Modules: []Module{remitModule{}, remitModule{}}}); err == nil {
		t.Fatal("a template defined twice was accepted")
	}
}
