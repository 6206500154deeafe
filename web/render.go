package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticEmbed embed.FS

// staticFS serves /static/... from the embedded static folder.
var staticFS fs.FS = staticEmbed

// money writes cents as dollars with two decimals: $1,234.50.
func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	d := fmt.Sprint(cents / 100)
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	return fmt.Sprintf("%s$%s.%02d", sign, d, cents%100)
}

// templates are the parsed pages, each with the layout.
type templates struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"money": money,
	"moneyp": func(cents *int64) string {
		if cents == nil {
			return "—"
		}
		return money(*cents)
	},
	"date": func(d string) string {
		if len(d) != 8 {
			return d
		}
		return d[:4] + "-" + d[4:6] + "-" + d[6:]
	},
	"formdate": func(d string) string { return d },
	"ts": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"tsp": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"units": func(milli int64) string {
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%03d", milli/1000, milli%1000), "0"), ".")
	},
	"reasons": ExplainReasons,
	"lower":   strings.ToLower,
	"list":    func(s ...string) []string { return s },
}

// add parses a page template (which defines "content") of fsys with the
// layout and registers it under name.
func (t *templates) add(name string, fsys fs.FS, pattern string) error {
	if _, ok := t.pages[name]; ok {
		return fmt.Errorf("web: template %q defined twice", name)
	}
	p, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err == nil {
		p, err = p.ParseFS(fsys, pattern)
	}
	if err != nil {
		return fmt.Errorf("web: parse %s: %w", pattern, err)
	}
	t.pages[name] = p
	return nil
}

func parseTemplates() (*templates, error) {
	t := &templates{pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		p, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		t.pages[base] = p
	}
	return t, nil
}

// page is what every template gets.
type page struct {
	Title string
	User  *store.User
	Nav   []NavItem
	CSRF  string
	Path  string
	Flash string
	Data  any
}

var titles = map[string]string{
	"files": "Files", "file": "File", "claims": "Claims", "claim": "Claim", "queue": "Duplicate review",
	"deliveries": "Delivery failures", "schedules": "Schedules and roster imports", "audit": "Audit log",
	"users": "Users", "account": "Your account", "error": "Error", "login": "Sign in", "totp": "Verification code",
}

// baseNav is the menu, by role.
var baseNav = []NavItem{
	{Label: "Files", Path: "/files"},
	{Label: "Claims", Path: "/claims"},
	{Label: "Duplicate review", Path: "/queue", Roles: operators},
	{Label: "Deliveries", Path: "/deliveries", Roles: operators},
	{Label: "Schedules", Path: "/schedules", Roles: operators},
	{Label: "Audit log", Path: "/audit", Roles: operators},
	{Label: "Users", Path: "/users", Roles: userManagers},
	{Label: "Account", Path: "/account"},
}

func (s *Server) navFor(u *store.User) []NavItem {
	var out []NavItem
	for _, n := range append(append([]NavItem{}, baseNav...), s.nav...) {
		if len(n.Roles) == 0 || hasRole(u.Role, n.Roles) {
			out = append(out, n)
		}
	}
	return out
}

// render executes the page into a buffer first, so a template error
// never leaves half a page.
func (s *Server) render(q *Request, status int, name string, data any) error {
	title := titles[name]
	if t, ok := s.titles[name]; ok {
		title = t
	}
	p := page{Title: title, Data: data, Path: q.R.URL.Path}
	if q.User != nil {
		p.User, p.Nav = q.User, s.navFor(q.User)
	}
	if q.sess != nil {
		p.CSRF = q.sess.CSRFToken
	}
	if d := q.R.URL.Query().Get("done"); d != "" {
		p.Flash = flashes[d]
	}
	return s.write(q.W, status, name, p)
}

// renderPlain renders a page outside a full session (sign-in pages).
func (s *Server) renderPlain(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	if err := s.write(w, status, name, page{Title: titles[name], Data: data, Path: r.URL.Path}); err != nil {
		s.serverError(w, r, err)
	}
}

func (s *Server) write(w http.ResponseWriter, status int, name string, p page) error {
	t := s.tmpl.pages[name]
	if t == nil {
		return fmt.Errorf("web: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}
