package synth

import (
	"iter"
	"strconv"
)

// Class says what role a generated claim plays.
type Class uint8

// Claim classes. Exactly one applies to each claim.
const (
	// ClassOriginal is a valid first submission (CLM05-3 = 1).
	ClassOriginal Class = iota
	// ClassReplacement restates an earlier original: CLM05-3 = 7, REF*F8 =
	// the original's CLM01, same member, billing provider, payer and service
	// dates; exactly one line charge (and so CLM02) differs. It has its own
	// CLM01.
	ClassReplacement
	// ClassVoid cancels an earlier original: CLM05-3 = 8, REF*F8 = the
	// original's CLM01, and otherwise the original's content (lines and
	// charges included) under its own CLM01.
	ClassVoid
	// ClassDuplicate is a byte-for-byte copy of an earlier original claim's
	// loops (2000B through the last 2400), CLM01 included. Only the HL
	// numbers, and whether a new 2000A precedes it, may differ.
	ClassDuplicate
	// ClassInvalid is an original (CLM05-3 = 1 unless the defect changes
	// it) carrying exactly one Defect.
	ClassInvalid
)

var classNames = [...]string{"original", "replacement", "void", "duplicate", "invalid"}

// String returns the lowercase class name.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// Defect is a deliberate implementation-guide error carried by a
// ClassInvalid claim. The n-th invalid claim in file order (n counted from 0)
// carries Defect(1 + n%5), so every defect appears once five invalid claims
// have been written. Valid claims (every other class) carry DefectNone and
// none of these errors.
type Defect uint8

// Defects, in rotation order.
const (
	// DefectNone: the claim is valid.
	DefectNone Defect = iota
	// DefectChargeMismatch: CLM02 is exactly 1.00 (100 cents) more than the
	// sum of the line charges (SV102 for 837P, SV203 for 837I).
	DefectChargeMismatch
	// DefectMissingServiceDate: 837P: the first service line (LX*1) has no
	// DTP*472 while every other line has one. 837I: the claim has no
	// DTP*434 statement dates segment.
	DefectMissingServiceDate
	// DefectBadNPI: the claim-level individual provider's NPI has a wrong
	// Luhn check digit (the correct digit plus 1, mod 10). 837P: the 2310B
	// rendering provider NM1*82 (always present on such a claim). 837I: the
	// 2310A attending provider NM1*71. The billing provider NPI stays valid.
	DefectBadNPI
	// DefectBadFrequency: CLM05-3 is "V", which is not a claim frequency
	// code; no REF*F8 is sent.
	DefectBadFrequency
	// DefectMissingSBR: the 2000B subscriber loop has no SBR segment (the HL
	// is followed directly by NM1*IL).
	DefectMissingSBR
)

// NumDefects is the number of defects in the rotation.
const NumDefects = 5

var defectNames = [...]string{"none", "charge_mismatch", "missing_service_date", "bad_npi", "bad_frequency", "missing_sbr"}

// String returns the snake_case defect name.
func (d Defect) String() string {
	if int(d) < len(defectNames) {
		return defectNames[d]
	}
	return "defect(" + strconv.Itoa(int(d)) + ")"
}

// ClaimInfo describes one generated claim, in file order, so tests can tell
// what Write produced without parsing it.
type ClaimInfo struct {
	// Index is the claim's 0-based position in the file.
	Index int
	// ID is CLM01: "PCN" + a 4-digit seed tag + the 9-digit 1-based file
	// position of the claim that first used it (a duplicate repeats its
	// original's ID).
	ID string
	// Class is the claim's role.
	Class Class
	// Defect is the deliberate error of a ClassInvalid claim, else DefectNone.
	Defect Defect
	// OriginalIndex is the position of the original a replacement, void or
	// duplicate refers to; -1 for originals and invalid claims.
	OriginalIndex int
	// OriginalID is that original's CLM01 (for replacements and voids, the
	// REF*F8 value unless Config.F8Prefix is set); empty when
	// OriginalIndex is -1.
	OriginalID string
	// MemberID is 2010BA NM109.
	MemberID string
	// PayerID is 2010BB NM109.
	PayerID string
	// BillingNPI is 2010AA NM109.
	BillingNPI string
	// Dependent reports whether the claim has a 2000C patient loop.
	Dependent bool
	// ChargeCents is CLM02 as written, in cents.
	ChargeCents int64
	// Lines is the number of service lines.
	Lines int
	// GroupControl is GS06 and SetControl is ST02 of the enclosing group and
	// transaction set.
	GroupControl, SetControl string
}

// Manifest returns the claims Write would generate for cfg, in file order,
// without formatting X12. It costs about as much as Write.
func Manifest(cfg Config) (iter.Seq[ClaimInfo], error) {
	norm, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	return func(yield func(ClaimInfo) bool) {
		g := newGenerator(norm)
		c := g.newClaim()
		for k := 0; k < g.cfg.Claims; k++ {
			g.next(k, c)
			st := k / g.cfg.ClaimsPerST
			info := ClaimInfo{
				Index:         k,
				ID:            string(g.appendClaimID(nil, c.idPos)),
				Class:         c.class,
				Defect:        c.defect,
				OriginalIndex: c.refPos,
				MemberID:      string(g.appendMemberID(nil, c.member)),
				PayerID:       g.cfg.PayerIDs[c.payer],
				BillingNPI:    string(g.providers[c.provider].npi[:]),
				Dependent:     c.dependent,
				ChargeCents:   c.total + c.totalAdj,
				Lines:         len(c.lines),
				GroupControl:  strconv.Itoa(st/g.cfg.STPerGS + 1),
				SetControl:    string(appendPad(nil, uint64(st+1), 4)),
			}
			if c.refPos >= 0 {
				info.OriginalID = string(g.appendClaimID(nil, c.refPos))
			}
			if !yield(info) {
				return
			}
		}
	}, nil
}
