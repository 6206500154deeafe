package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetricsAddr(t *testing.T) {
	t.Run("default off", func(t *testing.T) {
		t.Setenv("CLEARINGHOUSE_METRICS_ADDR", "")
		cfg, err := Load("")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MetricsAddr != "" {
			t.Fatalf("default MetricsAddr = %q, want off", cfg.MetricsAddr)
		}
	})
	t.Run("file then env", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte("metrics_addr: 127.0.0.1:9464\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("CLEARINGHOUSE_METRICS_ADDR", "")
		cfg, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MetricsAddr != "127.0.0.1:9464" {
			t.Fatalf("from file: %q", cfg.MetricsAddr)
		}
		t.Setenv("CLEARINGHOUSE_METRICS_ADDR", ":9100")
		cfg, err = Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MetricsAddr != ":9100" {
			t.Fatalf("env does not override the file: %q", cfg.MetricsAddr)
		}
	})
	t.Run("bad value in file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte("metrics_addr: localhost\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("CLEARINGHOUSE_METRICS_ADDR", "")
		_, err := Load(path)
		if err == nil || !strings.HasPrefix(err.Error(), "config: metrics_addr") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad value in env", func(t *testing.T) {
		t.Setenv("CLEARINGHOUSE_METRICS_ADDR", "9464")
		if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "metrics_addr") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestValidateMetricsAddr(t *testing.T) {
	for _, ok := range []string{"", "127.0.0.1:9464", ":9464", "localhost:0", "[::1]:9464", "metrics.internal:65535"} {
		if err := ValidateMetricsAddr(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"9464", "localhost", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80",
		"::1:9464", "http://127.0.0.1:9464", "a b:80"} {
		err := ValidateMetricsAddr(bad)
		if err == nil {
			t.Errorf("%q: accepted", bad)
			continue
		}
		if !strings.HasPrefix(err.Error(), "config: metrics_addr") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// Validate checks it too.
	cfg := Default()
	cfg.fill()
	cfg.MetricsAddr = "nope"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "metrics_addr") {
		t.Fatalf("Validate: %v", err)
	}
}
