package forward

import (
	"errors"
	"fmt"
	"strings"

	"github.com/clearinghouse/clearinghouse/repricing"
)

// Route sends the claims of one payer ID (and claim type) to a partner.
type Route struct {
	// PayerID is the 2010BB NM109 payer ID the route matches, compared
	// after trimming outer spaces.
	PayerID string
	// ClaimType is "P" (837P), "I" (837I) or "" for both.
	ClaimType string
	// Partner is the partner ID the claims are queued to. With
	// TPAPartners it is the default for members whose TPA the map does not
	// name, and may be empty: such claims are then rejected.
	Partner string
	// CorrectedPartner, when set, receives the replacements (frequency 7)
	// and voids (frequency 8) instead of Partner or a TPA partner.
	CorrectedPartner string
	// TPAPartners routes by member where the payer ID alone does not
	// decide: it maps the TPA the claim's member is enrolled under on the
	// roster (store.Member.TPA, compared as repricing.TPAKey: ignoring case
	// and outer spaces) to the partner that administers it.
	TPAPartners map[string]string
	// ReceiverQualifier and ReceiverID are ISA07/ISA08 (and GS03) of the
	// interchanges sent to the partner. Defaults "ZZ" and the partner ID
	// upper-cased (cut to 15 characters).
	ReceiverQualifier string
	ReceiverID        string
	// ReceiverName is the 1000B receiver name (NM103) written for
	// Partner. Default the partner ID upper-cased.
	ReceiverName string
}

// plainText reports whether s (a name or ID we write into forwarded 837s:
// ISA/GS identities, 1000A/1000B) uses only letters, digits, space and
// . , - & ' ( ) / _. Those are never the delimiters of the sets we write
// (x12.DefaultDelimiters) and, in practice, of the sets we receive, whose
// delimiters claim.Transaction.SetSubmitter/SetReceiver refuse in values.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte(" .,-&'()/_", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// PartnerFor returns the partner a claim with the CLM05-3 frequency code,
// whose member is enrolled under tpa, goes to: CorrectedPartner for a
// replacement or void when set, else the partner TPAPartners names for
// tpa, else Partner. When none applies (a route by member with no default
// partner, and a TPA it does not name) it returns a *RouteError wrapping
// ErrUnroutedTPA.
func (r Route) PartnerFor(frequency, tpa string) (string, error) {
	if (frequency == "7" || frequency == "8") && r.CorrectedPartner != "" {
		return r.CorrectedPartner, nil
	}
	if len(r.TPAPartners) > 0 {
		if p, ok := r.TPAPartners[repricing.TPAKey(tpa)]; ok {
			return p, nil
		}
	}
	if r.Partner == "" {
		return "", &RouteError{PayerID: r.PayerID, ClaimType: r.ClaimType, TPA: tpa, Reason: ReasonIncorrectPayer, Err: ErrUnroutedTPA}
	}
	return r.Partner, nil
}

// ByMember reports whether the route decides the partner by the member's
// TPA.
func (r Route) ByMember() bool { return len(r.TPAPartners) > 0 }

// ReasonIncorrectPayer is the 277CA status (category:code) of a claim sent
// to a payer ID we do not route, or with a claim type the payer ID does not
// take: A3:116 "claim submitted to incorrect payer".
const ReasonIncorrectPayer = "A3:116"

// Sentinels wrapped by RouteError.
var (
	// ErrUnknownPayer means no route has the payer ID.
	ErrUnknownPayer = errors.New("unknown payer id")
	// ErrWrongClaimType means the payer ID is routed, but not for this
	// claim type (e.g. an 837I sent to 2712).
	ErrWrongClaimType = errors.New("payer id does not take this claim type")
	// ErrUnroutedTPA means the route decides by member and names no
	// partner for the member's TPA (or the member's TPA is unknown), and
	// has no default partner.
	ErrUnroutedTPA = errors.New("no partner for the member's tpa")
)

// RouteError is returned by Table.Lookup when a claim cannot be routed. It
// wraps ErrUnknownPayer or ErrWrongClaimType.
type RouteError struct {
	// PayerID and ClaimType are what the claim was looked up with; TPA is
	// the member's TPA for ErrUnroutedTPA.
	PayerID   string
	ClaimType string
	TPA       string
	// Reason is the 277CA status to report: ReasonIncorrectPayer.
	Reason string
	// Err is ErrUnknownPayer or ErrWrongClaimType.
	Err error
}

// Error names the payer ID, claim type (and TPA) and cause.
func (e *RouteError) Error() string {
	if errors.Is(e.Err, ErrUnroutedTPA) {
		return fmt.Sprintf("route payer %q type %q tpa %q: %v", e.PayerID, e.ClaimType, e.TPA, e.Err)
	}
	return fmt.Sprintf("route payer %q type %q: %v", e.PayerID, e.ClaimType, e.Err)
}

// Note is the machine-readable note recorded with the rejection:
// "no-route", "payer-wrong-claim-type" or "tpa-unrouted".
func (e *RouteError) Note() string {
	switch {
	case errors.Is(e.Err, ErrWrongClaimType):
		return "payer-wrong-claim-type"
	case errors.Is(e.Err, ErrUnroutedTPA):
		return "tpa-unrouted"
	}
	return "no-route"
}

// Unwrap returns the sentinel.
func (e *RouteError) Unwrap() error { return e.Err }

// Table finds the route of a claim by payer ID and claim type.
type Table struct {
	byPayer map[string][]Route
}

// NewTable builds a Table. A route without a payer ID, without a partner
// (a route by member may lack a default partner), with a claim type other
// than "P", "I" or "", with an empty TPA name or partner in TPAPartners
// (or two TPA names equal ignoring case), or a second route for the same
// payer ID and claim type is an error.
func NewTable(routes []Route) (*Table, error) {
	t := &Table{byPayer: map[string][]Route{}}
	for i, r := range routes {
		r.PayerID = strings.TrimSpace(r.PayerID)
		if len(r.TPAPartners) > 0 {
			m := make(map[string]string, len(r.TPAPartners))
			for tpa, p := range r.TPAPartners {
				k := repricing.TPAKey(tpa)
				if k == "" || p == "" {
					return nil, fmt.Errorf("route %d (payer %s): tpa_partners %q: %q: want a TPA name and a partner", i, r.PayerID, tpa, p)
				}
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("route %d (payer %s): tpa_partners names TPA %q twice", i, r.PayerID, k)
				}
				if !plainText(p) {
					return nil, fmt.Errorf("route %d (payer %s): partner %q: want letters, digits, space and . , - & ' ( ) / _ only", i, r.PayerID, p)
				}
				m[k] = p
			}
			r.TPAPartners = m
		}
		switch {
		case r.PayerID == "":
			return nil, fmt.Errorf("route %d: empty payer id", i)
		case r.Partner == "" && !r.ByMember():
			return nil, fmt.Errorf("route %d (payer %s): empty partner", i, r.PayerID)
		case r.ClaimType != "" && r.ClaimType != "P" && r.ClaimType != "I":
			return nil, fmt.Errorf("route %d (payer %s): claim type %q: want P, I or empty", i, r.PayerID, r.ClaimType)
		case len(r.ReceiverID) == 1 || len(r.ReceiverID) > 15 || (r.ReceiverQualifier != "" && len(r.ReceiverQualifier) != 2):
			return nil, fmt.Errorf("route %d (payer %s): receiver %q/%q: want a 2-character qualifier and 2 to 15 characters", i, r.PayerID, r.ReceiverQualifier, r.ReceiverID)
		case len(r.ReceiverName) > 60:
			return nil, fmt.Errorf("route %d (payer %s): receiver name longer than 60 characters", i, r.PayerID)
		}
		for _, v := range []string{r.Partner, r.CorrectedPartner, r.ReceiverQualifier, r.ReceiverID, r.ReceiverName} {
			if !plainText(v) {
				return nil, fmt.Errorf("route %d (payer %s): %q: want letters, digits, space and . , - & ' ( ) / _ only", i, r.PayerID, v)
			}
		}
		// A partner without a ReceiverID of its own is named by its ID in
		// ISA08/GS03 and 1000B NM109, which take at least 2 characters.
		receivers := []string{r.CorrectedPartner}
		if r.ReceiverID == "" {
			receivers = append(receivers, r.Partner)
		}
		for _, p := range r.TPAPartners {
			receivers = append(receivers, p)
		}
		for _, p := range receivers {
			if len(p) == 1 {
				return nil, fmt.Errorf("route %d (payer %s): partner %q: a receiver ID needs 2 or more characters (set receiver_id)", i, r.PayerID, p)
			}
		}
		for _, o := range t.byPayer[r.PayerID] {
			if o.ClaimType == r.ClaimType {
				return nil, fmt.Errorf("route %d: payer %s type %q routed twice", i, r.PayerID, r.ClaimType)
			}
		}
		t.byPayer[r.PayerID] = append(t.byPayer[r.PayerID], r)
	}
	return t, nil
}

// DefaultRoutes is the shipped example (The Alliance): 2712 takes 837P
// and 1935 837I through RelayHealth, 88461 takes both through Optum.
func DefaultRoutes() []Route {
	return []Route{
		{PayerID: "2712", ClaimType: "P", Partner: "relayhealth"},
		{PayerID: "1935", ClaimType: "I", Partner: "relayhealth"},
		{PayerID: "88461", Partner: "optum"},
	}
}

// Lookup returns the route of a claim with this payer ID and claim type
// ("P" or "I"). A route for the exact type wins over one for any type. An
// unknown payer ID or a type the payer ID does not take returns a
// *RouteError with Reason ReasonIncorrectPayer.
func (t *Table) Lookup(payerID, claimType string) (Route, error) {
	payerID = strings.TrimSpace(payerID)
	routes := t.byPayer[payerID]
	if len(routes) == 0 {
		return Route{}, &RouteError{PayerID: payerID, ClaimType: claimType, Reason: ReasonIncorrectPayer, Err: ErrUnknownPayer}
	}
	var any *Route
	for i := range routes {
		switch routes[i].ClaimType {
		case claimType:
			return routes[i], nil
		case "":
			any = &routes[i]
		}
	}
	if any != nil {
		return *any, nil
	}
	return Route{}, &RouteError{PayerID: payerID, ClaimType: claimType, Reason: ReasonIncorrectPayer, Err: ErrWrongClaimType}
}

// Decide returns the route and the partner of a claim: Lookup by payer ID
// and claim type, then Route.PartnerFor with the CLM05-3 frequency code
// and the member's roster TPA. Every failure is a *RouteError with Reason
// ReasonIncorrectPayer.
func (t *Table) Decide(payerID, claimType, frequency, tpa string) (Route, string, error) {
	r, err := t.Lookup(payerID, claimType)
	if err != nil {
		return Route{}, "", err
	}
	p, err := r.PartnerFor(frequency, tpa)
	if err != nil {
		return Route{}, "", err
	}
	return r, p, nil
}
