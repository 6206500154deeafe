package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Claim intake rules. After its transaction set passes the 999, every claim
// goes through these rules in order; the first that decides the claim's
// fate ends the chain, and every outcome carries the 277CA status codes
// (category:status[:entity]) that explain it.
//
// Frequency (CLM05-3; 837I: third digit of the type of bill):
//
//	1        original. A REF*F8 on an original is ignored (note "f8-ignored").
//	7, Q     replacement of a prior claim: REF*F8 must hold our claim control number of a
//	         claim of the same submitter and member that is still in effect; that claim
//	         becomes "replaced" and the replacement goes on through the pipeline.
//	8        void: same REF*F8 rule; the original becomes "voided"; the void is accepted
//	         and forwarded so the payer cancels the claim.
//	0,2-5,9  institutional bill types (non-payment, interim, late charges, home health final):
//	         processed as originals.
//	other    (6, A-P, X-Z, ...): not a provider submission we accept: rejected A7:535.
//
// Reasons for rejected replacements and voids:
//
//	A6:464   REF*F8 missing
//	A7:464   REF*F8 names no claim we know, a claim of another submitter or member, or a
//	         claim that is no longer in effect (already replaced or voided)
//
// Duplicates (frequency 1 only; a 7/8 is never a duplicate of its original):
//
//	exact    same submitter, billing provider (NPI and TIN), payer, member, patient (name
//	         and birth date), dates of service and the same multiset of service lines
//	         (code, modifiers, units, charge, revenue code, line dates) as a claim in effect
//	         → outcome "duplicate", 277CA A3:54 (duplicate of a previously processed claim).
//	         Claims earlier in the same file count, and so do replaced ones; voided do not.
//	suspect  same member, billing provider and first date of service, at least one
//	         procedure or revenue code in common, but not an exact duplicate → accepted,
//	         outcome "suspect", listed by `clearinghouse claims --suspect` for review.
//
// Both checks use indexed hashes (claims.fingerprint, claims.suspect_key);
// no history is scanned.

// Reason codes used on claims (277CA STC01 composites, and notes).
const (
	ReasonAccepted     = "A2:20"  // accepted for processing
	ReasonMissingF8    = "A6:464" // payer claim control number missing
	ReasonBadF8        = "A7:464" // payer claim control number invalid
	ReasonBadFrequency = "A7:535" // claim frequency code
	ReasonDuplicate    = "A3:54"  // duplicate of a previously processed claim
)

// outcome is what the intake rules decided for one claim.
type outcome struct {
	state    store.ClaimState
	reasons  []string         // 277CA STC composites
	notes    []string         // machine-readable notes ("f8-unknown", ...)
	related  string           // control number of the claim the outcome refers to
	original *store.Claim     // the claim a replacement or void acts on
	origNext store.ClaimState // its new state
}

// frequencyClass maps a frequency code to how it is handled.
func frequencyClass(claimType, freq string) string {
	switch freq {
	case "1":
		return "original"
	case "7", "Q":
		return "replacement"
	case "8":
		return "void"
	case "0", "2", "3", "4", "5", "9":
		if claimType == "I" {
			return "original"
		}
	}
	return "unsupported"
}

// claimLookup is what the intake rules read of the claims recorded so far
// (*store.Queries, or a setLookup that answers from a transaction set's
// prefetched rows).
type claimLookup interface {
	FindByFingerprint(ctx context.Context, fp string) (*store.Claim, error)
	FindBySuspectKey(ctx context.Context, key string) ([]store.Claim, error)
	GetClaimByControl(ctx context.Context, control string) (*store.Claim, error)
}

// reasonsAccepted are the reasons of an accepted claim, shared by every
// outcome that accepts one (outcome reasons are only read, never
// modified).
var reasonsAccepted = []string{ReasonAccepted}

// applyRules runs the frequency and duplicate rules for c (not yet
// inserted) against the claims recorded so far.
func applyRules(ctx context.Context, q claimLookup, c *store.Claim) (outcome, error) {
	if c.Fingerprint == "" { // recordSet computes both for a whole set first
		c.Fingerprint, c.SuspectKey = claimHashes(c)
	}
	switch frequencyClass(c.ClaimType, c.Frequency) {
	case "unsupported":
		return outcome{state: store.ClaimRejected, reasons: []string{ReasonBadFrequency}, notes: []string{"frequency-unsupported"}}, nil
	case "void":
		// A void repeats the claim it cancels: it must not be taken for
		// the original by later duplicate checks.
		c.Fingerprint, c.SuspectKey = "", ""
		return linkOriginal(ctx, q, c)
	case "replacement":
		return linkOriginal(ctx, q, c)
	}
	var notes []string
	if c.RefF8 != "" {
		notes = append(notes, "f8-ignored")
	}
	dup, err := q.FindByFingerprint(ctx, c.Fingerprint)
	switch {
	case err == nil && dup.State != store.ClaimVoided:
		return outcome{state: store.ClaimDuplicate, reasons: []string{ReasonDuplicate}, notes: append(notes, "exact-duplicate"), related: dup.ControlNumber}, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return outcome{}, err
	}
	if suspect, err := findSuspect(ctx, q, c); err != nil {
		return outcome{}, err
	} else if suspect != "" {
		return outcome{state: store.ClaimSuspect, reasons: reasonsAccepted, notes: append(notes, "suspect-duplicate"), related: suspect}, nil
	}
	return outcome{state: store.ClaimAccepted, reasons: reasonsAccepted, notes: notes}, nil
}

// linkOriginal applies the REF*F8 rule to a replacement or void.
func linkOriginal(ctx context.Context, q claimLookup, c *store.Claim) (outcome, error) {
	if strings.TrimSpace(c.RefF8) == "" {
		return outcome{state: store.ClaimRejected, reasons: []string{ReasonMissingF8}, notes: []string{"f8-missing"}}, nil
	}
	orig, err := q.GetClaimByControl(ctx, strings.TrimSpace(c.RefF8))
	if errors.Is(err, store.ErrNotFound) {
		return outcome{state: store.ClaimRejected, reasons: []string{ReasonBadF8}, notes: []string{"f8-unknown"}}, nil
	}
	if err != nil {
		return outcome{}, err
	}
	switch {
	case orig.PartnerID != c.PartnerID:
		return outcome{state: store.ClaimRejected, reasons: []string{ReasonBadF8}, notes: []string{"f8-other-submitter"}}, nil
	case orig.MemberID != c.MemberID:
		return outcome{state: store.ClaimRejected, reasons: []string{ReasonBadF8}, notes: []string{"f8-other-member"}}, nil
	case orig.State == store.ClaimVoided:
		return outcome{state: store.ClaimRejected, reasons: []string{ReasonBadF8}, notes: []string{"f8-already-voided"}}, nil
	case orig.State == store.ClaimReplaced:
		return outcome{state: store.ClaimRejected, reasons: []string{ReasonBadF8}, notes: []string{"f8-already-replaced"}}, nil
	case orig.State != store.ClaimAccepted && orig.State != store.ClaimSuspect && orig.State != store.ClaimForwarded:
		return outcome{state: store.ClaimRejected, reasons: []string{ReasonBadF8}, notes: []string{"f8-not-in-effect"}}, nil
	}
	c.ReplacesClaimID = &orig.ID
	next := store.ClaimReplaced
	if c.Frequency == "8" {
		next = store.ClaimVoided
	}
	return outcome{state: store.ClaimAccepted, reasons: reasonsAccepted, related: orig.ControlNumber, original: orig, origNext: next}, nil
}

// findSuspect returns the control number of an earlier claim for the same
// member, provider and date of service sharing a code with c, or "".
func findSuspect(ctx context.Context, q claimLookup, c *store.Claim) (string, error) {
	if c.SuspectKey == "" {
		return "", nil
	}
	cands, err := q.FindBySuspectKey(ctx, c.SuspectKey)
	if err != nil || len(cands) == 0 {
		return "", err
	}
	codes := map[string]bool{}
	for _, l := range c.Lines {
		codes[lineCode(l)] = true
	}
	for _, cand := range cands {
		if cand.State == store.ClaimVoided || cand.State == store.ClaimReplaced {
			continue
		}
		for _, l := range cand.Lines {
			if codes[lineCode(l)] {
				return cand.ControlNumber, nil
			}
		}
	}
	return "", nil
}

func lineCode(l store.ClaimLine) string {
	if l.Code != "" {
		return "P:" + l.Code
	}
	return "R:" + l.RevenueCode
}

// Fingerprint is the exact-duplicate hash of a claim: submitter, billing
// provider, payer, member, patient, dates of service and the multiset of
// service lines. CLM01 and the frequency code are left out, so a resubmission
// under a new patient control number is still caught.
func Fingerprint(c *store.Claim) string {
	sum := fingerprintSum(c)
	return hex.EncodeToString(sum[:])
}

// fingerprintSum is the digest Fingerprint encodes.
func fingerprintSum(c *store.Claim) [hashLen]byte {
	// The hash input is "len:part|" for every part: the header parts, then
	// each line's key (its fields joined with 0x1F) in sorted order. It is
	// built in a stack buffer (this runs for every claim); the stored
	// hashes depend on these exact bytes.
	var arr [512]byte
	b := arr[:0]
	for _, p := range [...]string{"v1", c.PartnerID, c.SubmitterID, c.BillingNPI, c.BillingTIN, c.PayerID, c.ClaimType, c.MemberID} {
		b = appendPart(b, p)
	}
	b = appendUpperPart(b, c.PatientLast)
	b = appendUpperPart(b, c.PatientFirst)
	b = appendPart(b, c.PatientDOB)
	b = appendPart(b, c.ServiceFrom)
	b = appendPart(b, c.ServiceTo)
	var num [20]byte
	b = appendPart(b, strconv.AppendInt(num[:0], c.BilledCents, 10))
	if len(c.Lines) > 0 {
		// Line keys go to a scratch buffer, then into the input in sorted
		// order.
		var keyArr [1024]byte
		keys := keyArr[:0]
		var spanArr [16][2]int
		spans := spanArr[:0]
		for _, l := range c.Lines {
			start := len(keys)
			keys = append(keys, l.Code...)
			keys = append(keys, 0x1f)
			keys = append(keys, l.Modifiers...)
			keys = append(keys, 0x1f)
			keys = strconv.AppendInt(keys, l.Units, 10)
			keys = append(keys, 0x1f)
			keys = append(keys, l.UnitType...)
			keys = append(keys, 0x1f)
			keys = strconv.AppendInt(keys, l.ChargeCents, 10)
			keys = append(keys, 0x1f)
			keys = append(keys, l.RevenueCode...)
			keys = append(keys, 0x1f)
			keys = append(keys, l.ServiceFrom...)
			keys = append(keys, 0x1f)
			keys = append(keys, l.ServiceTo...)
			spans = append(spans, [2]int{start, len(keys)})
		}
		slices.SortFunc(spans, func(x, y [2]int) int { return bytes.Compare(keys[x[0]:x[1]], keys[y[0]:y[1]]) })
		for _, sp := range spans {
			b = appendPart(b, keys[sp[0]:sp[1]])
		}
	}
	return hashSum(b)
}

// SuspectKey is the hash of member, billing provider and first date of
// service, shared by claims that may duplicate each other.
func SuspectKey(c *store.Claim) string {
	sum, ok := suspectSum(c)
	if !ok {
		return ""
	}
	return hex.EncodeToString(sum[:])
}

// suspectSum is the digest SuspectKey encodes; false when the claim has no
// suspect key.
func suspectSum(c *store.Claim) ([hashLen]byte, bool) {
	if c.MemberID == "" || c.ServiceFrom == "" {
		return [hashLen]byte{}, false
	}
	var arr [128]byte
	b := arr[:0]
	for _, p := range [...]string{"v1", c.MemberID, c.BillingNPI, c.ServiceFrom} {
		b = appendPart(b, p)
	}
	return hashSum(b), true
}

// claimHashes returns Fingerprint(c) and SuspectKey(c), encoded into one
// string (one allocation for both).
func claimHashes(c *store.Claim) (fingerprint, suspectKey string) {
	const n = 2 * hashLen // characters of one encoded hash
	var buf [2 * n]byte
	fp := fingerprintSum(c)
	hex.Encode(buf[:n], fp[:])
	sk, ok := suspectSum(c)
	if !ok {
		return string(buf[:n]), ""
	}
	hex.Encode(buf[n:], sk[:])
	both := string(buf[:])
	return both[:n], both[n:]
}

// appendPart appends one part of a claim hash's input: "len:part|" (len
// in bytes, decimal).
func appendPart[T string | []byte](b []byte, p T) []byte {
	b = strconv.AppendInt(b, int64(len(p)), 10)
	b = append(b, ':')
	b = append(b, p...)
	return append(b, '|')
}

// appendUpperPart is appendPart of strings.ToUpper(p), without a copy
// when p is ASCII with no lower-case letter.
func appendUpperPart(b []byte, p string) []byte {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c >= utf8.RuneSelf || c >= 'a' && c <= 'z' {
			return appendPart(b, strings.ToUpper(p))
		}
	}
	return appendPart(b, p)
}

// hashSum is the hash of a claim hash's input: the first 16 bytes of its
// SHA-256 (stored in hex).
func hashSum(b []byte) [hashLen]byte {
	sum := sha256.Sum256(b)
	return [hashLen]byte(sum[:hashLen])
}

// hashLen is the length of the claim hashes in bytes (hex-encoded, twice
// as many characters).
const hashLen = 16
