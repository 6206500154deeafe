package synth

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Kind selects the 837 implementation guide to generate.
type Kind string

// Supported kinds.
const (
	// Professional generates 837P claims (005010X222A1).
	Professional Kind = "837P"
	// Institutional generates 837I claims (005010X223A2).
	Institutional Kind = "837I"
)

// Version returns the GS08/ST03 implementation guide identifier for k.
func (k Kind) Version() string {
	switch k {
	case Professional:
		return "005010X222A1"
	case Institutional:
		return "005010X223A2"
	}
	return ""
}

// Defaults applied by Write, Members, WriteRosterCSV and Manifest when the
// corresponding Config field is zero.
const (
	DefaultClaimsPerST = 100
	DefaultSTPerGS     = 50
	DefaultLinesMin    = 1
	DefaultLinesMax    = 4
	DefaultSender      = "SYNTHSUBMIT"
	DefaultReceiver    = "CLEARINGHOUSE"
	DefaultProviders   = 20
	DefaultUsage       = "T"
)

// DefaultDate is the envelope date used when Config.Date is zero, so that
// output is reproducible without pinning a date.
var DefaultDate = time.Date(2025, time.January, 15, 10, 30, 0, 0, time.UTC)

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("invalid synth config")

// Config describes one synthetic interchange. The zero value of every field
// except Kind selects a documented default. The same Config (including Seed)
// always produces byte-identical output.
type Config struct {
	// Kind is Professional (837P) or Institutional (837I). Required.
	Kind Kind
	// Claims is the total number of claims written. Zero writes an
	// interchange with no functional groups.
	Claims int
	// Seed drives every random choice.
	Seed int64

	// Freq7 is the probability that a claim is a replacement (CLM05-3 = 7
	// plus REF*F8 naming an earlier original).
	Freq7 float64
	// Freq8 is the probability that a claim is a void (CLM05-3 = 8 plus
	// REF*F8 naming an earlier original).
	Freq8 float64
	// F8Prefix, when set, makes REF*F8 name the original as F8Prefix
	// followed by its 1-based position in the file in 12 digits, e.g.
	// "CH" gives CH000000000042 for the 42nd claim: the claim control
	// number the clearinghouse assigns it when the file is the first
	// processed on a fresh store, so replacements and voids link. Default:
	// the original's CLM01. At most 38 characters.
	F8Prefix string
	// Dup is the probability that a claim is an exact copy of an earlier
	// original claim (same CLM01, member, provider, dates, lines, charges).
	Dup float64
	// Invalid is the probability that a claim carries exactly one deliberate
	// implementation-guide error; see Defect for the rotation.
	Invalid float64

	// ClaimsPerST is the number of claims per ST/SE transaction set
	// (default 100).
	ClaimsPerST int
	// STPerGS is the number of transaction sets per GS/GE group (default 50).
	STPerGS int
	// LinesMin and LinesMax bound the service lines per claim (defaults 1
	// and 4; at most 50).
	LinesMin, LinesMax int

	// Sender is ISA06, GS02 and the 1000A submitter ID (default
	// "SYNTHSUBMIT", at most 15 characters).
	Sender string
	// Receiver is ISA08, GS03 and the 1000B receiver ID (default
	// "CLEARINGHOUSE", at most 15 characters).
	Receiver string
	// PayerIDs are the 2010BB NM109 payer IDs; member n uses
	// PayerIDs[n % len(PayerIDs)]. Default: "2712" (837P) or "1935" (837I),
	// then "88461".
	PayerIDs []string
	// Date is the envelope date and time (ISA09/10, GS04/05, BHT04/05);
	// service dates fall in the 365 days before it. Default DefaultDate.
	Date time.Time
	// ControlNumber is ISA13/IEA02 (1..999999999). Zero derives it from Seed.
	ControlNumber int
	// Usage is ISA15: "T" test (default) or "P" production.
	Usage string
	// Pretty writes a newline after every segment terminator.
	Pretty bool

	// MemberCount is the size of the member roster the claims draw from
	// (default max(min(Claims, 20), Claims/5), at least 1; at most 9999999).
	MemberCount int
	// ProviderCount is the number of billing providers (default 20).
	ProviderCount int
}

// normalized returns cfg with defaults applied, or an error wrapping ErrConfig.
func (cfg Config) normalized() (Config, error) {
	if cfg.Kind != Professional && cfg.Kind != Institutional {
		return cfg, fmt.Errorf("kind %q: want %q or %q: %w", cfg.Kind, Professional, Institutional, ErrConfig)
	}
	if cfg.Claims < 0 || cfg.Claims > 999_999_999 {
		return cfg, fmt.Errorf("claims %d out of range 0..999999999: %w", cfg.Claims, ErrConfig)
	}
	rates := []struct {
		name string
		v    float64
	}{{"freq7", cfg.Freq7}, {"freq8", cfg.Freq8}, {"dup", cfg.Dup}, {"invalid", cfg.Invalid}}
	sum := 0.0
	for _, r := range rates {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			return cfg, fmt.Errorf("%s rate %v out of range 0..1: %w", r.name, r.v, ErrConfig)
		}
		sum += r.v
	}
	if sum > 1 {
		return cfg, fmt.Errorf("rates add up to %v, more than 1: %w", sum, ErrConfig)
	}
	if cfg.ClaimsPerST == 0 {
		cfg.ClaimsPerST = DefaultClaimsPerST
	}
	if cfg.STPerGS == 0 {
		cfg.STPerGS = DefaultSTPerGS
	}
	if cfg.ClaimsPerST < 1 || cfg.STPerGS < 1 {
		return cfg, fmt.Errorf("claims per st %d and st per gs %d must be positive: %w", cfg.ClaimsPerST, cfg.STPerGS, ErrConfig)
	}
	if cfg.LinesMin == 0 && cfg.LinesMax == 0 {
		cfg.LinesMin, cfg.LinesMax = DefaultLinesMin, DefaultLinesMax
	}
	if cfg.LinesMin == 0 {
		cfg.LinesMin = 1
	}
	if cfg.LinesMax == 0 {
		cfg.LinesMax = max(cfg.LinesMin, DefaultLinesMax)
	}
	if cfg.LinesMin < 1 || cfg.LinesMax < cfg.LinesMin || cfg.LinesMax > maxLines {
		return cfg, fmt.Errorf("lines %d..%d: want 1 <= min <= max <= %d: %w", cfg.LinesMin, cfg.LinesMax, maxLines, ErrConfig)
	}
	if len(cfg.F8Prefix) > 38 || strings.TrimSpace(cfg.F8Prefix) != cfg.F8Prefix {
		return cfg, fmt.Errorf("f8 prefix %q: want at most 38 characters without outer spaces: %w", cfg.F8Prefix, ErrConfig)
	}
	if cfg.F8Prefix != "" {
		if err := checkValue("f8 prefix", cfg.F8Prefix); err != nil {
			return cfg, err
		}
	}
	if cfg.Sender == "" {
		cfg.Sender = DefaultSender
	}
	if cfg.Receiver == "" {
		cfg.Receiver = DefaultReceiver
	}
	for _, id := range []struct{ name, v string }{{"sender", cfg.Sender}, {"receiver", cfg.Receiver}} {
		if len(id.v) > 15 || strings.TrimSpace(id.v) != id.v {
			return cfg, fmt.Errorf("%s %q: want 1-15 characters without outer spaces: %w", id.name, id.v, ErrConfig)
		}
		if err := checkValue(id.name, id.v); err != nil {
			return cfg, err
		}
	}
	if len(cfg.PayerIDs) == 0 {
		first := "2712"
		if cfg.Kind == Institutional {
			first = "1935"
		}
		cfg.PayerIDs = []string{first, "88461"}
	} else {
		cfg.PayerIDs = append([]string(nil), cfg.PayerIDs...)
	}
	for _, p := range cfg.PayerIDs {
		if len(p) < 2 || len(p) > 80 {
			return cfg, fmt.Errorf("payer id %q: want 2-80 characters: %w", p, ErrConfig)
		}
		if err := checkValue("payer id", p); err != nil {
			return cfg, err
		}
	}
	if cfg.Date.IsZero() {
		cfg.Date = DefaultDate
	}
	if y := cfg.Date.Year(); y < 1950 || y > 2999 {
		return cfg, fmt.Errorf("date year %d out of range 1950..2999: %w", y, ErrConfig)
	}
	if cfg.ControlNumber < 0 || cfg.ControlNumber > 999_999_999 {
		return cfg, fmt.Errorf("control number %d out of range 0..999999999: %w", cfg.ControlNumber, ErrConfig)
	}
	if cfg.ControlNumber == 0 {
		cfg.ControlNumber = 1 + int(mix64(seedKey(cfg.Seed)^domControl)%999_999_999)
	}
	switch cfg.Usage {
	case "":
		cfg.Usage = DefaultUsage
	case "T", "P":
	default:
		return cfg, fmt.Errorf("usage %q: want T or P: %w", cfg.Usage, ErrConfig)
	}
	if cfg.MemberCount == 0 {
		cfg.MemberCount = max(1, min(cfg.Claims, 20), cfg.Claims/5)
	}
	if cfg.MemberCount < 1 || cfg.MemberCount > maxMembers {
		return cfg, fmt.Errorf("member count %d out of range 1..%d: %w", cfg.MemberCount, maxMembers, ErrConfig)
	}
	if cfg.ProviderCount == 0 {
		cfg.ProviderCount = DefaultProviders
	}
	if cfg.ProviderCount < 1 || cfg.ProviderCount > 10000 {
		return cfg, fmt.Errorf("provider count %d out of range 1..10000: %w", cfg.ProviderCount, ErrConfig)
	}
	return cfg, nil
}

// checkValue rejects values that contain a delimiter or a control character.
func checkValue(name, v string) error {
	if i := strings.IndexFunc(v, func(r rune) bool { return r < ' ' || r > '~' || strings.ContainsRune("*^:~", r) }); i >= 0 {
		return fmt.Errorf("%s %q contains a delimiter or control character: %w", name, v, ErrConfig)
	}
	return nil
}

const (
	maxLines   = 50
	maxMembers = 9_999_999
)
