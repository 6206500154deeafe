package config

import "testing"

// TestExampleFileLoads keeps clearinghouse.example.yaml true to the code.
func TestExampleFileLoads(t *testing.T) {
	cfg, err := Load("../../clearinghouse.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Partners) != 4 || len(cfg.Routes) != 3 || cfg.Partners[0].Auth.KnownHosts == "" || cfg.Schedules.NightlyReport == "" {
		t.Fatalf("example config: %+v", cfg)
	}
}
