package claim

import (
	"errors"
	"strings"
	"time"
)

// From returns the first date of d: DTP03 for "D8", the part before the
// hyphen for "RD8", the first eight characters for "DT", and "" for
// time-only formats.
func (d Date) From() string {
	switch d.Format {
	case "RD8":
		from, _, _ := strings.Cut(d.Value, "-")
		return from
	case "DT":
		if len(d.Value) >= 8 {
			return d.Value[:8]
		}
		return d.Value
	case "TM":
		return ""
	}
	return d.Value
}

// To returns the last date of d: the part after the hyphen for "RD8",
// otherwise the same as From.
func (d Date) To() string {
	if d.Format == "RD8" {
		from, to, ok := strings.Cut(d.Value, "-")
		if !ok {
			return from
		}
		return to
	}
	return d.From()
}

// ErrBadDate is returned by ParseDate for a value that is not a valid
// CCYYMMDD date.
var ErrBadDate = errors.New("claim: invalid CCYYMMDD date")

// ParseDate converts a CCYYMMDD string (as held by the model) to a UTC
// time. The decoder itself never parses dates; this is for callers that
// need date arithmetic.
func ParseDate(s string) (time.Time, error) {
	if len(s) != 8 {
		return time.Time{}, ErrBadDate
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return time.Time{}, ErrBadDate
	}
	return t, nil
}

func findRef(refs []Ref, qual string) string {
	for _, r := range refs {
		if r.Qualifier == qual {
			return r.Value
		}
	}
	return ""
}

func findDate(dates []Date, qual string) (Date, bool) {
	for _, d := range dates {
		if d.Qualifier == qual {
			return d, true
		}
	}
	return Date{}, false
}

// Ref returns REF02 of the first 2300 REF with qualifier qual, or "".
func (c *Claim) Ref(qual string) string { return findRef(c.Refs, qual) }

// Date returns the first 2300 DTP with qualifier qual.
func (c *Claim) Date(qual string) (Date, bool) { return findDate(c.Dates, qual) }

// Amount returns the first 2300 AMT with qualifier qual.
func (c *Claim) Amount(qual string) (int64, bool) {
	for _, a := range c.Amounts {
		if a.Qualifier == qual {
			return a.Cents, true
		}
	}
	return 0, false
}

// Frequency returns the claim frequency code, CLM05-3 ("1" original, "7"
// replacement, "8" void; on an 837I it is the third digit of the type of
// bill).
func (c *Claim) Frequency() string { return c.FrequencyCode }

// TypeOfBill returns the 837I type of bill, CLM05-1 (facility type) followed
// by CLM05-3 (frequency), e.g. "131". It returns "" for professional claims.
func (c *Claim) TypeOfBill() string {
	if c.Kind != Institutional {
		return ""
	}
	return c.FacilityCode + c.FrequencyCode
}

// OriginalRef returns REF*F8, the payer claim control number of the claim a
// replacement or void refers to.
func (c *Claim) OriginalRef() string { return c.Ref("F8") }

// ServiceFrom returns the first date of service. For professional claims it
// is the earliest line DTP*472 date, falling back to the statement dates;
// for institutional claims the statement "from" date (DTP*434), falling back
// to the line dates.
func (c *Claim) ServiceFrom() string {
	if c.Kind == Institutional && c.StatementFrom != "" {
		return c.StatementFrom
	}
	min := ""
	for _, l := range c.Lines {
		if l.ServiceFrom != "" && (min == "" || l.ServiceFrom < min) {
			min = l.ServiceFrom
		}
	}
	if min == "" {
		return c.StatementFrom
	}
	return min
}

// ServiceTo returns the last date of service, the counterpart of
// ServiceFrom.
func (c *Claim) ServiceTo() string {
	if c.Kind == Institutional && c.StatementTo != "" {
		return c.StatementTo
	}
	max := ""
	for _, l := range c.Lines {
		to := l.ServiceTo
		if to == "" {
			to = l.ServiceFrom
		}
		if to > max {
			max = to
		}
	}
	if max == "" {
		return c.StatementTo
	}
	return max
}

// Subscriber returns the 2000B loop the claim belongs to (nil for a claim
// built outside a hierarchy).
func (c *Claim) Subscriber() *Subscriber { return c.sub }

// Patient returns the 2000C loop of the claim, or nil when the patient is
// the subscriber.
func (c *Claim) Patient() *Patient { return c.pat }

// BillingProvider returns the 2000A loop the claim belongs to.
func (c *Claim) BillingProvider() *BillingProvider { return c.bp }

// Transaction returns the transaction set the claim belongs to. For claims
// from the streaming Decoder it holds the header fields only.
func (c *Claim) Transaction() *Transaction { return c.tx }

// PatientIsSubscriber reports whether the claim sits directly under the
// subscriber (no 2000C patient loop).
func (c *Claim) PatientIsSubscriber() bool { return c.pat == nil }

// MemberID returns the member ID that identifies the patient's coverage:
// the subscriber's NM109 (2010BA). 5010 gives a 2000C patient no ID of its
// own, so a dependent's claims also return the subscriber's ID; only when a
// 2010CA NM1 carries an ID anyway (older guides) is that ID returned. The
// value is returned byte for byte, untrimmed.
func (c *Claim) MemberID() string {
	if c.pat != nil && c.pat.ID != "" {
		return c.pat.ID
	}
	if c.sub == nil {
		return ""
	}
	return c.sub.Member.ID
}

// PayerID returns the destination payer ID (2010BB NM109, outer spaces
// trimmed), the routing key.
func (c *Claim) PayerID() string {
	if c.sub == nil {
		return ""
	}
	return c.sub.Payer.ID
}

// BillingNPI returns the billing provider's NPI (2010AA NM109 with XX).
func (c *Claim) BillingNPI() string {
	if c.bp == nil {
		return ""
	}
	return c.bp.NPI
}

// Provider returns the first claim-level provider with the given role
// ("rendering", "referring", "attending", ...), or nil.
func (c *Claim) Provider(role string) *Provider {
	for i := range c.Providers {
		if c.Providers[i].Role == role {
			return &c.Providers[i]
		}
	}
	return nil
}

// Ref returns REF02 of the first line REF with qualifier qual, or "".
func (l *Line) Ref(qual string) string { return findRef(l.Refs, qual) }

// Date returns the first line DTP with qualifier qual.
func (l *Line) Date(qual string) (Date, bool) { return findDate(l.Dates, qual) }

// Claim returns the claim the line belongs to.
func (l *Line) Claim() *Claim { return l.claim }
