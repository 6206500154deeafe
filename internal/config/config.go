// Package config loads the engine configuration: built-in defaults, then
// an optional YAML file, then CLEARINGHOUSE_* environment variables. Only
// cmd/ and internal/cli use it; components take their own Config structs.
//
//	cfg, err := config.Load("clearinghouse.yaml") // "" = defaults + env only
package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole engine configuration. Every field has a working
// default, so the engine runs with no file at all (SQLite and spool files
// under DataDir).
type Config struct {
	// DataDir holds the SQLite database, the spool and the local outbox
	// folders. Default "./var". Env CLEARINGHOUSE_DATA_DIR.
	DataDir string `yaml:"data_dir"`
	// Database is "postgres://..." or "sqlite:PATH". Default
	// "sqlite:<DataDir>/clearinghouse.db". Env CLEARINGHOUSE_DATABASE_URL.
	Database string `yaml:"database"`
	// Spool is where spooled file content (inbound files, outbound files
	// until delivered) is kept: "dir" (files under DataDir/spool) or
	// "postgres" (chunked in the PostgreSQL store, so engines on several
	// hosts need share nothing but the database). Default "": postgres
	// with a PostgreSQL database, dir with SQLite. Env CLEARINGHOUSE_SPOOL.
	Spool string `yaml:"spool"`
	// Instance names this engine process in leases. Default host-pid.
	// Env CLEARINGHOUSE_INSTANCE.
	Instance string `yaml:"instance"`
	// Identity is who the engine is in the envelopes it writes.
	Identity Identity `yaml:"identity"`
	// Partners are the trading partners.
	Partners []Partner `yaml:"partners"`
	// Schedules are the cron schedules of `clearinghouse run`.
	Schedules Schedules `yaml:"schedules"`
	// LeaseTTL is how long a claimed file stays leased to this instance
	// before another may take it over. Default 10m.
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// MaxAttempts is how many times an inbound file may fail, or be in
	// processing when the engine dies, before it is quarantined (never
	// retried automatically; `clearinghouse reprocess` tries it again).
	// Default 3.
	MaxAttempts int `yaml:"max_attempts"`
	// RetryAfter is the wait before a file whose processing failed (a
	// dropped database connection, a full disk) is tried again; it
	// doubles with each attempt, up to 30m. Default 1m.
	RetryAfter time.Duration `yaml:"retry_after"`
	// Usage is the ISA15 of outbound interchanges: "P" or "T". Default "P".
	Usage string `yaml:"usage"`
	// Routes send accepted claims on by 2010BB payer ID and claim type;
	// empty: claims are not forwarded. See docs/routing.md.
	Routes []Route `yaml:"routes"`
	// MaxClaimsPerFile caps the claims of one forwarded 837 (a partner's
	// claims of one cycle beyond it make more files). Default 5000.
	MaxClaimsPerFile int `yaml:"max_claims_per_file"`
	// Repricing says where fee schedules and contracts come from.
	Repricing Repricing `yaml:"repricing"`
	// Eligibility is "auto" (default: check claims against the member
	// roster once it holds any member), "on" (always; an empty roster
	// rejects every claim) or "off".
	Eligibility string `yaml:"eligibility"`
	// Leniency relaxes individual envelope checks for partners known to
	// break them (every one off by default: strict). Used by process,
	// cycle, run and validate.
	Leniency Leniency `yaml:"leniency"`
	// MetricsAddr is the host:port `clearinghouse run` serves Prometheus
	// metrics (/metrics) and health checks (/healthz, /readyz) on, e.g.
	// "127.0.0.1:9464"; an empty host listens on every interface. Default
	// "": no server. Env CLEARINGHOUSE_METRICS_ADDR; the --metrics-addr
	// flag of run overrides both.
	MetricsAddr string `yaml:"metrics_addr"`
	// QIPartner is the partner (the quality team) that receives a copy of
	// every nightly file-status report; "" for none. See docs/csv.md.
	QIPartner string `yaml:"qi_partner"`
	// Trend is the nightly rejection-rate alert.
	Trend Trend `yaml:"trend"`
	// CSVProcessing is when CSV submissions (batch claims and
	// supplemental data, from an inbox, the portal or `submit`) are
	// processed: "nightly" (default: recorded held, processed by the
	// nightly_report job just before it writes the file-status reports;
	// `clearinghouse files release ID` or `submit --now` processes one at
	// once) or "on_arrival" (by the cycle that receives them, like X12).
	// Env CLEARINGHOUSE_CSV_PROCESSING. See docs/csv.md.
	CSVProcessing string `yaml:"csv_processing"`
	// Realtime is the real-time eligibility and claim status endpoint
	// (POST /x12/realtime) of `clearinghouse serve`, and of `run` when
	// realtime_addr is set (keys realtime_*, at the top level).
	Realtime Realtime `yaml:",inline"`
	// Web configures the portal (`clearinghouse portal`, and `run` when
	// Web.Addr is set).
	Web Web `yaml:"web"`
}

// Trend flags a submitter whose rejection rate (rejected CSV rows and X12
// claims over all of them) is above RejectRateAbove percent for Nights
// consecutive nightly reports. Defaults 20 and 3; nights 0 turns it off.
type Trend struct {
	RejectRateAbove float64 `yaml:"reject_rate_above"`
	Nights          int     `yaml:"nights"`
}

// Realtime configures the real-time endpoint.
type Realtime struct {
	// Addr is host:port to listen on, e.g. "127.0.0.1:8443". Default "":
	// `run` starts no endpoint and `serve` listens on 127.0.0.1:8080.
	// Env CLEARINGHOUSE_REALTIME_ADDR.
	Addr string `yaml:"realtime_addr"`
	// TLSCert and TLSKey are PEM files; when both are set the endpoint
	// speaks HTTPS only (TLS 1.2+). Default "": plain HTTP (put it behind
	// a TLS proxy, or on loopback).
	TLSCert string `yaml:"realtime_tls_cert"`
	TLSKey  string `yaml:"realtime_tls_key"`
	// MaxBody caps a request body in bytes. Default 1 MiB.
	MaxBody int64 `yaml:"realtime_max_body"`
	// Timeout is how long an answer may take (CORE real time: 20s).
	// Default 20s.
	Timeout time.Duration `yaml:"realtime_timeout"`
	// AuditCommit is how an answer's audit entry is committed before the
	// answer goes out: "durable" (default) waits for the commit's flush to
	// disk (one fsync per group of concurrent requests; on a slow disk its
	// tail sets the p99 latency); "async" commits it on PostgreSQL with
	// synchronous_commit off — written and visible at once, flushed within
	// about 600 ms, so a crash of the database server (not of the engine)
	// can lose the last entries.
	// Env CLEARINGHOUSE_REALTIME_AUDIT_COMMIT.
	AuditCommit string `yaml:"realtime_audit_commit"`
}

// The values of realtime_audit_commit.
const (
	AuditCommitAsync   = "async"
	AuditCommitDurable = "durable"
)

// Web configures the web portal (docs/portal.md).
type Web struct {
	// Addr is the host:port the portal listens on, e.g. "127.0.0.1:8080".
	// Default "": `run` serves no portal; `portal` uses 127.0.0.1:8080.
	// Env CLEARINGHOUSE_WEB_ADDR.
	Addr string `yaml:"addr"`
	// TLSCert and TLSKey serve HTTPS (PEM files). Without them the portal
	// serves plain HTTP on a loopback address only, or behind a proxy.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// BehindProxy: a reverse proxy terminates TLS and sets
	// X-Forwarded-For; plain HTTP is then allowed on any address.
	BehindProxy bool `yaml:"behind_proxy"`
}

// Identity is the engine's sender identity in outbound envelopes.
type Identity struct {
	// Qualifier is ISA05/ISA07 (default "ZZ").
	Qualifier string `yaml:"qualifier"`
	// ID is ISA06/GS02 (default "CLEARINGHOUSE").
	ID string `yaml:"id"`
	// Name is used in NM1 loops (default "CLEARINGHOUSE").
	Name string `yaml:"name"`
	// TaxID (9 digits; TRN03 is "1" + it), Address and Phone identify us
	// as the payer of record of the denial 835s we write (routes with
	// deny_remit; required then).
	TaxID   string  `yaml:"tax_id"`
	Address Address `yaml:"address"`
	Phone   string  `yaml:"phone"`
}

// Address is a postal address (N3/N4).
type Address struct {
	Line1      string `yaml:"line1"`
	City       string `yaml:"city"`
	State      string `yaml:"state"`
	PostalCode string `yaml:"postal_code"`
}

// Leniency turns individual envelope errors into warnings (see
// envelope.Leniency for each).
type Leniency struct {
	// ISAWidth: ISA elements not padded to their fixed width.
	ISAWidth bool `yaml:"isa_width"`
	// MissingST03: a set without ST03 takes GS08.
	MissingST03 bool `yaml:"missing_st03"`
	// ST03Mismatch: ST03 different from GS08.
	ST03Mismatch bool `yaml:"st03_mismatch"`
	// SegmentCount: a wrong SE01.
	SegmentCount bool `yaml:"segment_count"`
	// ISA11: a 00501 ISA11 that is not a usable repetition separator.
	ISA11 bool `yaml:"isa11"`
	// GroupCount: a wrong GE01 or IEA01.
	GroupCount bool `yaml:"group_count"`
}

// Partner is one trading partner.
type Partner struct {
	// ID is the short stable key used in the store and in paths.
	ID string `yaml:"id"`
	// Name is the display name.
	Name string `yaml:"name"`
	// Inbox is where the partner drops files: "sftp://user@host:port/dir"
	// or "dir:/path". Empty: the partner only receives.
	Inbox string `yaml:"inbox"`
	// Archive is the folder, relative to the inbox, where polled files are
	// moved once they are spooled and recorded. Default "archive".
	Archive string `yaml:"archive"`
	// Outbox is where files for the partner are delivered (acks, 277CA,
	// forwarded claims). Same URL forms as Inbox.
	Outbox string `yaml:"outbox"`
	// SenderIDs are the ISA06 values this partner sends with. When set,
	// an interchange in the partner's inbox from any other ISA06 is
	// rejected (TA1 note 006), so a partner cannot submit as another; they
	// also recognise the partner of a file dropped locally.
	SenderIDs []string `yaml:"sender_ids"`
	// Auth holds SFTP credentials.
	Auth Auth `yaml:"auth"`
	// Roster is a folder URL (same forms as Inbox) where the partner drops
	// member roster files (CSV or 834), pulled on the roster_refresh
	// schedule. Empty: none.
	Roster string `yaml:"roster"`
	// ERA lists the payees whose 835 remittances are forwarded to this
	// partner (see docs/remittances.md). Synced into the store's ERA
	// enrollments at start; `clearinghouse era enroll` adds more.
	ERA ERA `yaml:"era"`
	// MinAge is how old (by modification time) a remote file must be
	// before it is taken; files whose size changes between two polls are
	// never taken. Default 0.
	MinAge time.Duration `yaml:"min_age"`
}

// ERA enrolls payees for a partner's 835s: by NPI (1000B N1*PE XX) or
// federal tax ID (N1*PE FI, or REF*TJ).
type ERA struct {
	// NPIs are 10-digit NPIs.
	NPIs []string `yaml:"npis"`
	// TINs are 9-digit tax IDs (a dash after the second digit is allowed).
	TINs []string `yaml:"tins"`
}

// Auth holds SFTP credentials. Secrets are referenced, never inlined:
// a key file path and/or the name of an environment variable holding a
// password.
type Auth struct {
	// KeyFile is an OpenSSH private key file.
	KeyFile string `yaml:"key_file"`
	// PasswordEnv names an environment variable holding the password.
	PasswordEnv string `yaml:"password_env"`
	// KnownHosts is the known_hosts file used to verify the server's host
	// key. Required for SFTP: host keys are always verified.
	KnownHosts string `yaml:"known_hosts"`
}

// Password returns the password from the environment variable, if any.
func (a Auth) Password() string {
	if a.PasswordEnv == "" {
		return ""
	}
	return os.Getenv(a.PasswordEnv)
}

// Route sends the claims of one payer ID (and claim type) to a partner.
type Route struct {
	// PayerID is the 2010BB NM109 value, e.g. "2712".
	PayerID string `yaml:"payer_id"`
	// ClaimType is "P" (837P), "I" (837I) or empty for both.
	ClaimType string `yaml:"claim_type"`
	// Partner receives the claims (its outbox).
	Partner string `yaml:"partner"`
	// CorrectedPartner, when set, receives replacements and voids.
	CorrectedPartner string `yaml:"corrected_partner"`
	// TPAPartners routes by member where the payer ID alone does not
	// decide: roster TPA name (members.tpa, compared ignoring case) →
	// partner. Partner is then the default for other TPAs and may be
	// empty (such claims are rejected, A3:116). Needs eligibility on or
	// auto: the TPA is the one of the roster row the claim matched.
	TPAPartners map[string]string `yaml:"tpa_partners"`
	// DenyRemit makes the engine send the submitter a zero-pay 835 (BPR01
	// H, CLP02 4, CAS*CO with the CARC) for the claims of this route it
	// denies: exact duplicates (CARC 18), members not found or not
	// eligible (31, 27) and claims without a route (109). Default false.
	DenyRemit bool `yaml:"deny_remit"`
	// ReceiverID and ReceiverName go in ISA08/GS03 and 1000B (default the
	// partner ID upper-cased).
	ReceiverID   string `yaml:"receiver_id"`
	ReceiverName string `yaml:"receiver_name"`
}

// Partners are the partners a route may send claims to: its partner, its
// corrected partner and its TPA partners (some may be empty).
func (r Route) Partners() []string {
	ps := []string{r.Partner, r.CorrectedPartner}
	for _, p := range r.TPAPartners {
		ps = append(ps, p)
	}
	return ps
}

// Repricing says where fee schedules and contracts come from.
type Repricing struct {
	// Source is "store" (schedules and contracts imported with
	// `clearinghouse schedule import`), "files" (SchedulesDir and
	// Contracts) or "none" (forward unpriced). Default "store".
	Source string `yaml:"source"`
	// SchedulesDir holds the schedule CSVs when Source is "files".
	SchedulesDir string `yaml:"schedules_dir"`
	// Contracts is the contracts YAML when Source is "files".
	Contracts string `yaml:"contracts"`
}

// Schedules are robfig/cron specs, optionally prefixed "CRON_TZ=Zone ".
type Schedules struct {
	// Poll polls inboxes, processes and delivers. Default "@every 5m".
	Poll string `yaml:"poll"`
	// Deliver retries pending outbound deliveries. Default "@every 1m".
	Deliver string `yaml:"deliver"`
	// NightlyReport writes the daily accept/reject report and the
	// file-status reports of the day ending at its time (docs/csv.md).
	// Default "CRON_TZ=America/Chicago 0 18 * * *".
	NightlyReport string `yaml:"nightly_report"`
	// RosterRefresh pulls roster files. Default
	// "CRON_TZ=America/Chicago 0 6,12,18 * * *" (three times a day).
	RosterRefresh string `yaml:"roster_refresh"`
	// UserInactivity disables portal accounts with no sign-in for 30
	// days and removes expired sessions. Default
	// "CRON_TZ=America/Chicago 0 2 * * *" (daily).
	UserInactivity string `yaml:"user_inactivity"`
}

// Default returns the built-in configuration.
func Default() Config {
	host, _ := os.Hostname()
	if host == "" {
		host = "engine"
	}
	return Config{
		DataDir:  "./var",
		Instance: fmt.Sprintf("%s-%d", host, os.Getpid()),
		Identity: Identity{Qualifier: "ZZ", ID: "CLEARINGHOUSE", Name: "CLEARINGHOUSE"},
		Schedules: Schedules{
			Poll:           "@every 5m",
			Deliver:        "@every 1m",
			NightlyReport:  "CRON_TZ=America/Chicago 0 18 * * *",
			RosterRefresh:  "CRON_TZ=America/Chicago 0 6,12,18 * * *",
			UserInactivity: "CRON_TZ=America/Chicago 0 2 * * *",
		},
		LeaseTTL:         10 * time.Minute,
		MaxAttempts:      3,
		RetryAfter:       time.Minute,
		Usage:            "P",
		Eligibility:      "auto",
		MaxClaimsPerFile: 5000,
		Repricing:        Repricing{Source: "store"},
		Trend:            Trend{RejectRateAbove: 20, Nights: 3},
		CSVProcessing:    CSVNightly,
	}
}

// CSVProcessing values.
const (
	CSVNightly   = "nightly"
	CSVOnArrival = "on_arrival"
)

// Load reads the defaults, then path (when not empty), then the
// environment, and validates the result.
func Load(path string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	applyEnv(&cfg)
	cfg.fill()
	return cfg, cfg.Validate()
}

func applyEnv(cfg *Config) {
	if v := os.Getenv("CLEARINGHOUSE_DATA_DIR"); v != "" {
		cfg.DataDir = v
	}
	if v := os.Getenv("CLEARINGHOUSE_DATABASE_URL"); v != "" {
		cfg.Database = v
	}
	if v := os.Getenv("CLEARINGHOUSE_SPOOL"); v != "" {
		cfg.Spool = v
	}
	if v := os.Getenv("CLEARINGHOUSE_INSTANCE"); v != "" {
		cfg.Instance = v
	}
	if v := os.Getenv("CLEARINGHOUSE_IDENTITY_ID"); v != "" {
		cfg.Identity.ID = v
	}
	if v := os.Getenv("CLEARINGHOUSE_POLL_SCHEDULE"); v != "" {
		cfg.Schedules.Poll = v
	}
	if v := os.Getenv("CLEARINGHOUSE_METRICS_ADDR"); v != "" {
		cfg.MetricsAddr = v
	}
	if v := os.Getenv("CLEARINGHOUSE_REALTIME_ADDR"); v != "" {
		cfg.Realtime.Addr = v
	}
	if v := os.Getenv("CLEARINGHOUSE_REALTIME_AUDIT_COMMIT"); v != "" {
		cfg.Realtime.AuditCommit = v
	}
	if v := os.Getenv("CLEARINGHOUSE_WEB_ADDR"); v != "" {
		cfg.Web.Addr = v
	}
	if v := os.Getenv("CLEARINGHOUSE_CSV_PROCESSING"); v != "" {
		cfg.CSVProcessing = v
	}
}

// fill derives defaults that depend on other fields.
func (c *Config) fill() {
	if c.Database == "" {
		c.Database = "sqlite:" + filepath.Join(c.DataDir, "clearinghouse.db")
	}
	for i := range c.Partners {
		p := &c.Partners[i]
		if p.Name == "" {
			p.Name = p.ID
		}
		if p.Archive == "" {
			p.Archive = "archive"
		}
	}
}

var partnerID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// Validate reports the first configuration problem with an exact message.
func (c Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("config: data_dir is empty")
	}
	switch c.Spool {
	case "", "dir":
	case "postgres":
		if l := strings.ToLower(c.Database); !strings.HasPrefix(l, "postgres://") && !strings.HasPrefix(l, "postgresql://") {
			return errors.New("config: spool postgres needs a PostgreSQL database")
		}
	default:
		return fmt.Errorf("config: spool must be dir or postgres, not %q", c.Spool)
	}
	if c.Usage != "P" && c.Usage != "T" {
		return fmt.Errorf("config: usage must be P or T, not %q", c.Usage)
	}
	switch c.Repricing.Source {
	case "store", "none":
	case "files":
		if c.Repricing.SchedulesDir == "" || c.Repricing.Contracts == "" {
			return errors.New("config: repricing.source files needs schedules_dir and contracts")
		}
	default:
		return fmt.Errorf("config: repricing.source must be store, files or none, not %q", c.Repricing.Source)
	}
	switch c.Eligibility {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("config: eligibility must be auto, on or off, not %q", c.Eligibility)
	}
	if c.MaxAttempts < 1 {
		return fmt.Errorf("config: max_attempts %d must be at least 1", c.MaxAttempts)
	}
	if c.RetryAfter < time.Second {
		return fmt.Errorf("config: retry_after %s is too short", c.RetryAfter)
	}
	if c.LeaseTTL < time.Second {
		return fmt.Errorf("config: lease_ttl %s is too short", c.LeaseTTL)
	}
	if len(c.Identity.ID) == 0 || len(c.Identity.ID) > 15 {
		return fmt.Errorf("config: identity.id must be 1-15 characters")
	}
	seen := map[string]bool{}
	for i, p := range c.Partners {
		if !partnerID.MatchString(p.ID) {
			return fmt.Errorf("config: partners[%d].id %q must match %s", i, p.ID, partnerID)
		}
		if seen[p.ID] {
			return fmt.Errorf("config: partner %q defined twice", p.ID)
		}
		seen[p.ID] = true
		for _, u := range []string{p.Inbox, p.Outbox, p.Roster} {
			if strings.HasPrefix(u, "sftp://") && p.Auth.KnownHosts == "" {
				return fmt.Errorf("config: partner %q uses SFTP without auth.known_hosts (host keys are always verified)", p.ID)
			}
		}
	}
	if err := validateAddr("realtime_addr", c.Realtime.Addr); err != nil {
		return err
	}
	if (c.Realtime.TLSCert == "") != (c.Realtime.TLSKey == "") {
		return errors.New("config: realtime_tls_cert and realtime_tls_key go together")
	}
	if c.Realtime.MaxBody < 0 || c.Realtime.Timeout < 0 {
		return errors.New("config: realtime_max_body and realtime_timeout must not be negative")
	}
	switch c.Realtime.AuditCommit {
	case "", AuditCommitAsync, AuditCommitDurable:
	default:
		return fmt.Errorf("config: realtime_audit_commit %q: want %q or %q", c.Realtime.AuditCommit, AuditCommitAsync, AuditCommitDurable)
	}
	if err := c.validateERA(); err != nil {
		return err
	}
	if err := ValidateMetricsAddr(c.MetricsAddr); err != nil {
		return err
	}
	if c.QIPartner != "" && !seen[c.QIPartner] {
		return fmt.Errorf("config: qi_partner %q is not a configured partner", c.QIPartner)
	}
	switch c.CSVProcessing {
	case CSVNightly, CSVOnArrival:
	default:
		return fmt.Errorf("config: csv_processing must be %s or %s, not %q", CSVNightly, CSVOnArrival, c.CSVProcessing)
	}
	if c.Trend.RejectRateAbove < 0 || c.Trend.RejectRateAbove >= 100 || c.Trend.Nights < 0 {
		return fmt.Errorf("config: trend.reject_rate_above %v must be 0 to 99.9 and trend.nights %d not negative", c.Trend.RejectRateAbove, c.Trend.Nights)
	}
	if err := c.Web.Validate(); err != nil {
		return err
	}
	if c.MaxClaimsPerFile < 1 {
		return fmt.Errorf("config: max_claims_per_file %d: want 1 or more", c.MaxClaimsPerFile)
	}
	for i, r := range c.Routes {
		if r.PayerID == "" || (r.Partner == "" && len(r.TPAPartners) == 0) {
			return fmt.Errorf("config: routes[%d] needs payer_id and partner (or tpa_partners)", i)
		}
		if len(r.TPAPartners) > 0 && c.Eligibility == "off" {
			return fmt.Errorf("config: routes[%d] routes by member TPA (tpa_partners), which needs eligibility auto or on", i)
		}
		if r.DenyRemit {
			id := c.Identity
			if v := strings.Replace(id.TaxID, "-", "", 1); len(v) != 9 || strings.Trim(v, "0123456789") != "" ||
				id.Address.Line1 == "" || id.Address.City == "" || id.Phone == "" {
				return fmt.Errorf("config: routes[%d] has deny_remit: identity needs tax_id (9 digits), address (line1, city) and phone, the payer of record of denial 835s", i)
			}
		}
		for _, p := range r.Partners() {
			if p != "" && !seen[p] {
				return fmt.Errorf("config: routes[%d] names partner %q, which is not configured", i, p)
			}
		}
	}
	return nil
}

// validateERA checks the partners' ERA enrollments: well-formed, and
// each NPI or TIN enrolled for one partner only.
func (c Config) validateERA() error {
	owner := map[string]string{}
	for _, p := range c.Partners {
		for _, n := range p.ERA.NPIs {
			if len(n) != 10 || strings.Trim(n, "0123456789") != "" {
				return fmt.Errorf("config: partner %q era.npis: %q is not a 10-digit NPI", p.ID, n)
			}
			if o := owner["npi "+n]; o != "" {
				return fmt.Errorf("config: NPI %s is enrolled for ERAs by partners %q and %q", n, o, p.ID)
			}
			owner["npi "+n] = p.ID
		}
		for _, tin := range p.ERA.TINs {
			v := strings.Replace(tin, "-", "", 1)
			if len(v) != 9 || strings.Trim(v, "0123456789") != "" {
				return fmt.Errorf("config: partner %q era.tins: %q is not a 9-digit tax ID", p.ID, tin)
			}
			if o := owner["tin "+v]; o != "" {
				return fmt.Errorf("config: TIN %s is enrolled for ERAs by partners %q and %q", v, o, p.ID)
			}
			owner["tin "+v] = p.ID
		}
	}
	return nil
}

// ValidateMetricsAddr checks a metrics_addr value: "" (no metrics server)
// or host:port with a numeric port 0-65535 (0 picks a free port). The host
// may be empty (every interface), a name or an IP address (IPv6 in
// brackets).
func ValidateMetricsAddr(addr string) error { return validateAddr("metrics_addr", addr) }

// validateAddr checks a host:port setting named key ("" is off).
func validateAddr(key, addr string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("config: %s %q: want host:port: %w", key, addr, err)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("config: %s %q: bad host %q", key, addr, host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || strings.TrimLeft(port, "0123456789") != "" {
		return fmt.Errorf("config: %s %q: port %q must be a number 0-65535", key, addr, port)
	}
	return nil
}

// Validate checks the portal settings: addr is "" or host:port, TLS needs
// both files, and plain HTTP is served on a loopback host only unless a
// proxy terminates TLS.
func (w Web) Validate() error {
	if (w.TLSCert == "") != (w.TLSKey == "") {
		return errors.New("config: web.tls_cert and web.tls_key go together")
	}
	if w.Addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(w.Addr)
	if err != nil {
		return fmt.Errorf("config: web.addr %q: want host:port: %w", w.Addr, err)
	}
	if w.TLSCert == "" && !w.BehindProxy && !IsLoopback(host) {
		return fmt.Errorf("config: web.addr %q serves plain HTTP beyond loopback: set web.tls_cert and web.tls_key, or web.behind_proxy", w.Addr)
	}
	return nil
}

// IsLoopback reports whether host is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Partner returns the partner with id.
func (c Config) Partner(id string) (Partner, bool) {
	for _, p := range c.Partners {
		if p.ID == id {
			return p, true
		}
	}
	return Partner{}, false
}
