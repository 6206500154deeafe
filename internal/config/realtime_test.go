package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/config"
)

func TestRealtime(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := config.Load(write("realtime_addr: 127.0.0.1:8443\nrealtime_tls_cert: c.pem\nrealtime_tls_key: k.pem\nrealtime_timeout: 5s\nrealtime_audit_commit: async\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Realtime.Addr != "127.0.0.1:8443" || cfg.Realtime.TLSCert != "c.pem" || cfg.Realtime.Timeout != 5*time.Second ||
		cfg.Realtime.AuditCommit != config.AuditCommitAsync {
		t.Fatalf("realtime = %+v", cfg.Realtime)
	}
	for body, want := range map[string]string{
		"realtime_addr: nowhere\n":     "config: realtime_addr",
		"realtime_tls_cert: c.pem\n":   "go together",
		"realtime_max_body: -1\n":      "must not be negative",
		"realtime_audit_commit: off\n": "realtime_audit_commit",
	} {
		if _, err := config.Load(write(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", body, err, want)
		}
	}
	t.Setenv("CLEARINGHOUSE_REALTIME_ADDR", ":9000")
	t.Setenv("CLEARINGHOUSE_REALTIME_AUDIT_COMMIT", "durable")
	if cfg, err = config.Load(""); err != nil || cfg.Realtime.Addr != ":9000" || cfg.Realtime.AuditCommit != config.AuditCommitDurable {
		t.Fatalf("env: %+v %v", cfg.Realtime, err)
	}
}
