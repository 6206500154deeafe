package forward

import (
	"errors"
	"fmt"
	"strings"
)

// Route sends the claims of one payer ID (and claim type) to a partner.
type Route struct {
	// PayerID is the 2010BB NM109 payer ID the route matches, compared
	// after trimming outer spaces.
	PayerID string
	// ClaimType is "P" (837P), "I" (837I) or "" for both.
	ClaimType string
	// Partner is the partner ID the claims are queued to.
	Partner string
	// CorrectedPartner, when set, receives the replacements (frequency 7)
	// and voids (frequency 8) instead of Partner.
	CorrectedPartner string
	// ReceiverQualifier and ReceiverID are ISA07/ISA08 (and GS03) of the
	// interchanges sent to the partner. Defaults "ZZ" and the partner ID
	// upper-cased (cut to 15 characters).
	ReceiverQualifier string
	ReceiverID        string
	// ReceiverName is the 1000B receiver name (NM103) written for
	// Partner. Default the partner ID upper-cased.
	ReceiverName string
}

// delimiterChars are the delimiters forwarded 837s are written with
// (x12.DefaultDelimiters); names and IDs written into them must avoid them.
const delimiterChars = "*^:~"

// PartnerFor returns the partner a claim with the CLM05-3 frequency code
// goes to.
func (r Route) PartnerFor(frequency string) string {
	if (frequency == "7" || frequency == "8") && r.CorrectedPartner != "" {
		return r.CorrectedPartner
	}
	return r.Partner
}

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
)

// RouteError is returned by Table.Lookup when a claim cannot be routed. It
// wraps ErrUnknownPayer or ErrWrongClaimType.
type RouteError struct {
	// PayerID and ClaimType are what the claim was looked up with.
	PayerID   string
	ClaimType string
	// Reason is the 277CA status to report: ReasonIncorrectPayer.
	Reason string
	// Err is ErrUnknownPayer or ErrWrongClaimType.
	Err error
}

// Error names the payer ID, claim type and cause.
func (e *RouteError) Error() string {
	return fmt.Sprintf("route payer %q type %q: %v", e.PayerID, e.ClaimType, e.Err)
}

// Unwrap returns the sentinel.
func (e *RouteError) Unwrap() error { return e.Err }

// Table finds the route of a claim by payer ID and claim type.
type Table struct {
	byPayer map[string][]Route
}

// NewTable builds a Table. A route without a payer ID or partner, with a
// claim type other than "P", "I" or "", or a second route for the same
// payer ID and claim type is an error.
func NewTable(routes []Route) (*Table, error) {
	t := &Table{byPayer: map[string][]Route{}}
	for i, r := range routes {
		r.PayerID = strings.TrimSpace(r.PayerID)
		switch {
		case r.PayerID == "":
			return nil, fmt.Errorf("route %d: empty payer id", i)
		case r.Partner == "":
			return nil, fmt.Errorf("route %d (payer %s): empty partner", i, r.PayerID)
		case r.ClaimType != "" && r.ClaimType != "P" && r.ClaimType != "I":
			return nil, fmt.Errorf("route %d (payer %s): claim type %q: want P, I or empty", i, r.PayerID, r.ClaimType)
		case len(r.ReceiverID) > 15 || (r.ReceiverQualifier != "" && len(r.ReceiverQualifier) != 2):
			return nil, fmt.Errorf("route %d (payer %s): receiver %q/%q: want a 2-character qualifier and at most 15 characters", i, r.PayerID, r.ReceiverQualifier, r.ReceiverID)
		case len(r.ReceiverName) > 60:
			return nil, fmt.Errorf("route %d (payer %s): receiver name longer than 60 characters", i, r.PayerID)
		}
		for _, v := range []string{r.Partner, r.CorrectedPartner, r.ReceiverQualifier, r.ReceiverID, r.ReceiverName} {
			if strings.ContainsAny(v, delimiterChars) {
				return nil, fmt.Errorf("route %d (payer %s): %q holds an X12 delimiter", i, r.PayerID, v)
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
