package transport

import (
	"strings"
	"testing"
)

var parseURLTests = []struct {
	name    string
	in      string
	want    target
	wantErr string
}{
	{name: "dir absolute", in: "dir:/srv/edi/acme", want: target{scheme: "dir", path: "/srv/edi/acme"}},
	{name: "dir relative", in: "dir:drop/acme", want: target{scheme: "dir", path: "drop/acme"}},
	{name: "dir triple slash", in: "dir:///srv/edi", want: target{scheme: "dir", path: "/srv/edi"}},
	{name: "file url", in: "file:///srv/edi", want: target{scheme: "dir", path: "/srv/edi"}},
	{name: "file localhost", in: "file://localhost/srv/edi", want: target{scheme: "dir", path: "/srv/edi"}},
	{name: "file short", in: "file:/srv/edi", want: target{scheme: "dir", path: "/srv/edi"}},
	{name: "dir escaped space", in: "dir:/srv/edi%20in", want: target{scheme: "dir", path: "/srv/edi in"}},
	{name: "sftp default port", in: "sftp://edi@sftp.example.test",
		want: target{scheme: "sftp", user: "edi", addr: "sftp.example.test:22"}},
	{name: "sftp port and base", in: "sftp://edi@127.0.0.1:22022/upload",
		want: target{scheme: "sftp", user: "edi", addr: "127.0.0.1:22022", path: "/upload"}},
	{name: "sftp root", in: "sftp://edi@h:2/",
		want: target{scheme: "sftp", user: "edi", addr: "h:2", path: "/"}},
	{name: "sftp home relative", in: "sftp://edi@h/~/partners/acme",
		want: target{scheme: "sftp", user: "edi", addr: "h:22", path: "partners/acme"}},
	{name: "sftp home", in: "sftp://edi@h/~",
		want: target{scheme: "sftp", user: "edi", addr: "h:22", path: ""}},
	{name: "sftp ipv6", in: "sftp://edi@[::1]:2222/in",
		want: target{scheme: "sftp", user: "edi", addr: "[::1]:2222", path: "/in"}},
	{name: "sftp no user", in: "sftp://sftp.example.test/in", wantErr: "missing user"},
	{name: "sftp password", in: "sftp://edi:hunter2@h/in", wantErr: "password in url"},
	{name: "sftp no host", in: "sftp:///in", wantErr: "want sftp://"},
	{name: "query", in: "sftp://edi@h/in?insecure=1", wantErr: "query"},
	{name: "dir with host", in: "dir://other/srv", wantErr: "cannot have a host"},
	{name: "dir empty", in: "dir:", wantErr: "missing directory"},
	{name: "no scheme", in: "/srv/edi", wantErr: "missing scheme"},
	{name: "ftp", in: "ftp://edi@h/in", wantErr: "unsupported scheme"},
}

func TestParseURL(t *testing.T) {
	for _, tt := range parseURLTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseURL(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}
