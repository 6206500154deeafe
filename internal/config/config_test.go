package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultsWork(t *testing.T) {
	t.Setenv("CLEARINGHOUSE_DATA_DIR", "")
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != "sqlite:var/clearinghouse.db" || cfg.Schedules.Poll == "" || cfg.CSVProcessing != CSVNightly {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestFileThenEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte(`
data_dir: /tmp/x
partners:
  - id: acme
    inbox: dir:/tmp/acme/inbox
    outbox: dir:/tmp/acme/outbox
    sender_ids: [ACMEMED]
`), 0o600)
	t.Setenv("CLEARINGHOUSE_DATABASE_URL", "postgres://db/x")
	t.Setenv("CLEARINGHOUSE_CSV_PROCESSING", CSVOnArrival)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := cfg.Partner("acme")
	if !ok || p.Archive != "archive" || p.Name != "acme" {
		t.Fatalf("partner %+v", p)
	}
	if cfg.Database != "postgres://db/x" || cfg.DataDir != "/tmp/x" || cfg.CSVProcessing != CSVOnArrival {
		t.Fatalf("cfg %+v", cfg)
	}
}

func TestValidate(t *testing.T) {
	for name, body := range map[string]string{
		"unknown field":                 "nonsense: 1\n",
		"bad partner id":                "partners: [{id: 'Bad ID'}]\n",
		"duplicate partner":             "partners: [{id: a}, {id: a}]\n",
		"sftp without hosts":            "partners: [{id: a, inbox: 'sftp://u@h:22/in'}]\n",
		"bad usage indicator":           "usage: X\n",
		"zero claims per file":          "max_claims_per_file: 0\n",
		"route without partner":         "partners: [{id: a}]\nroutes: [{payer_id: '1'}]\n",
		"route to unknown tpa partner":  "partners: [{id: a}]\nroutes: [{payer_id: '1', partner: a, tpa_partners: {WEST: b}}]\n",
		"tpa route without eligibility": "eligibility: 'off'\npartners: [{id: a}]\nroutes: [{payer_id: '1', tpa_partners: {WEST: a}}]\n",
		"unknown qi partner":            "partners: [{id: a}]\nqi_partner: quality\n",
		"trend rate of 100":             "trend: {reject_rate_above: 100}\n",
		"negative trend nights":         "trend: {nights: -1}\n",
		"unknown spool":                 "spool: s3\n",
		"postgres spool on sqlite":      "spool: postgres\n",
		"deny_remit without identity":   "partners: [{id: a}]\nroutes: [{payer_id: '1', partner: a, deny_remit: true}]\n",
		"short era npi":                 "partners: [{id: a, era: {npis: ['123']}}]\n",
		"bad era tin":                   "partners: [{id: a, era: {tins: ['99-00000A1']}}]\n",
		"npi enrolled twice":            "partners: [{id: a, era: {npis: ['1234567893']}}, {id: b, era: {npis: ['1234567893']}}]\n",
		"tin enrolled twice":            "partners: [{id: a, era: {tins: ['99-0000001']}}, {id: b, era: {tins: ['990000001']}}]\n",
		"unknown csv processing":        "csv_processing: hourly\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(body), 0o600)
			if _, err := Load(path); err == nil || !strings.HasPrefix(err.Error(), "config") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestSpool(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"", ""},
		{"spool: dir\n", "dir"},
		{"database: postgres://db/x\nspool: postgres\n", "postgres"},
		{"database: postgresql://db/x\nspool: dir\n", "dir"},
	} {
		path := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(path, []byte(c.body), 0o600)
		cfg, err := Load(path)
		if err != nil || cfg.Spool != c.want {
			t.Errorf("%q: spool %q, %v; want %q", c.body, cfg.Spool, err, c.want)
		}
	}
	t.Setenv("CLEARINGHOUSE_SPOOL", "dir")
	cfg, err := Load("")
	if err != nil || cfg.Spool != "dir" {
		t.Fatalf("CLEARINGHOUSE_SPOOL: spool %q, %v", cfg.Spool, err)
	}
}

func TestRouteByMember(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte(`
partners: [{id: west}, {id: south}]
routes:
  - payer_id: "88461"
    tpa_partners:
      SYNTH TPA WEST: west
      SYNTH TPA SOUTH: south
`), 0o600)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Routes[0]; r.Partner != "" || r.TPAPartners["SYNTH TPA WEST"] != "west" || r.TPAPartners["SYNTH TPA SOUTH"] != "south" {
		t.Fatalf("route %+v", r)
	}
}

func TestERAAndDenyRemit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	body := "partners: [{id: acme, era: {npis: ['1234567893'], tins: ['99-0000001']}}, {id: tpa}]\n" +
		"routes: [{payer_id: '1', partner: tpa, deny_remit: true}, {payer_id: '2', partner: tpa}]\n" +
		"identity: {id: CH, tax_id: '99-1234567', phone: '6085550100', address: {line1: '1 MAIN ST', city: MADISON, state: WI, postal_code: '53703'}}\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := cfg.Partner("acme")
	if len(p.ERA.NPIs) != 1 || p.ERA.NPIs[0] != "1234567893" || p.ERA.TINs[0] != "99-0000001" {
		t.Fatalf("era %+v", p.ERA)
	}
	if !cfg.Routes[0].DenyRemit || cfg.Routes[1].DenyRemit {
		t.Fatalf("deny_remit %v %v", cfg.Routes[0].DenyRemit, cfg.Routes[1].DenyRemit)
	}
}
