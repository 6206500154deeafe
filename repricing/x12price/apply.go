package x12price

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/repricing"
)

// maxRefLen is the longest REF02 the 837 guides allow.
const maxRefLen = 50

// ApplyOptions are the repricer's own values Apply writes besides the
// result. The zero value writes the HCP segments only.
type ApplyOptions struct {
	// OrgID is HCP04 at 2300, the repricing organization identifier; ""
	// leaves HCP04 empty. At most 50 characters.
	OrgID string
	// ClaimRef is the repriced claim reference number written as REF*9A
	// (REF*9C when Adjusted) at 2300; "" writes no claim REF. At most 50
	// characters.
	ClaimRef string
	// LineRefs writes REF*9B (REF*9D when Adjusted) on every line with
	// ClaimRef, a hyphen and the line number (LX01): "RP123-2". It needs
	// ClaimRef.
	LineRefs bool
	// Received is the repricer received date, written as DTP*050 (D8, in
	// Received's location); the zero time writes no DTP.
	Received time.Time
	// Adjusted marks the repricing of an adjusted claim (a replacement or
	// a void, see IsAdjustment): the references go in REF*9C and REF*9D
	// instead of REF*9A and REF*9B.
	Adjusted bool
	// OmitBundledLines leaves the lines of a claim priced at claim level
	// (per diem, DRG, case rate) untouched (no HCP, no line REF); by
	// default they get HCP01 04 with HCP02 0.
	OmitBundledLines bool
}

// ErrResult reports a result that does not fit the claim it is applied to:
// a different number of lines or line numbers, or HCP01 06 (per diem) at
// the 837P claim level.
var ErrResult = errors.New("repricing result does not fit the claim")

// ErrOptions reports ApplyOptions that cannot be written: an OrgID or a
// reference longer than 50 characters, or LineRefs without ClaimRef.
var ErrOptions = errors.New("invalid apply options")

// IsAdjustment reports whether c adjusts an earlier claim: frequency code
// (CLM05-3) 7 (replacement) or 8 (void). Its repricing references belong
// in REF*9C/9D (ApplyOptions.Adjusted).
func IsAdjustment(c *claim.Claim) bool {
	f := c.Frequency()
	return f == "7" || f == "8"
}

// Apply writes res, the engine's pricing of c (from FromClaim on the same
// claim), into c's segments: the 2300 and 2400 HCP segments, the repricer
// references and the received date, as the package documentation
// describes. c must come from a Transaction that keeps its segments
// (TransactionDecoder, DecodeTransaction, ReadTransactions); otherwise the
// error wraps claim.ErrNoSegments. A value containing a delimiter is
// claim.ErrDelimiter. Apply checks the result and the options before it
// edits anything, but an edit that fails (a delimiter in OrgID or ClaimRef)
// may leave the claim partly edited: discard the transaction then.
func Apply(c *claim.Claim, res repricing.Result, opts ApplyOptions) error {
	if err := check(c, &res, &opts); err != nil {
		return err
	}
	// The amounts the HCP segments point to, in one allocation.
	am := make(amounts, 0, 4+2*len(c.Lines))
	if err := c.SetPricing(claimPricing(c.Kind, &res.Claim, opts.OrgID, &am)); err != nil {
		return fmt.Errorf("claim %s: 2300 HCP: %w", c.PatientControlNumber, err)
	}
	claimQual, lineQual := "9A", "9B"
	if opts.Adjusted {
		claimQual, lineQual = "9C", "9D"
	}
	if opts.ClaimRef != "" {
		if err := c.SetRef(claimQual, opts.ClaimRef); err != nil {
			return fmt.Errorf("claim %s: REF*%s: %w", c.PatientControlNumber, claimQual, err)
		}
	}
	if !opts.Received.IsZero() {
		if err := c.SetDate("050", "D8", dateD8(opts.Received)); err != nil {
			return fmt.Errorf("claim %s: DTP*050: %w", c.PatientControlNumber, err)
		}
	}
	// The line references share one string (one allocation per claim).
	var refs string
	if opts.LineRefs {
		var sb strings.Builder
		sb.Grow(len(res.Lines) * (len(opts.ClaimRef) + 4))
		var num [20]byte
		for i := range res.Lines {
			sb.WriteString(opts.ClaimRef)
			sb.WriteByte('-')
			sb.Write(strconv.AppendInt(num[:0], int64(res.Lines[i].No), 10))
		}
		refs = sb.String()
	}
	for i, l := range c.Lines {
		lp := &res.Lines[i]
		// lineRef(opts.ClaimRef, lp.No), from refs.
		ref := refs
		if opts.LineRefs {
			n := len(opts.ClaimRef) + 1 + digits(lp.No)
			ref, refs = refs[:n], refs[n:]
		}
		if lp.Bundled && opts.OmitBundledLines {
			continue
		}
		if err := l.SetPricing(linePricing(lp, &am)); err != nil {
			return fmt.Errorf("claim %s: line %d: HCP: %w", c.PatientControlNumber, lp.No, err)
		}
		if opts.LineRefs {
			if err := l.SetRef(lineQual, ref); err != nil {
				return fmt.Errorf("claim %s: line %d: REF*%s: %w", c.PatientControlNumber, lp.No, lineQual, err)
			}
		}
	}
	return nil
}

// lastD8 is the last date dateD8 formatted: the claims of a file share
// their received date, and its text (one allocation a claim otherwise).
var lastD8 atomic.Pointer[dayText]

type dayText struct {
	y    int
	m    time.Month
	d    int
	text string
}

// dateD8 is t.Format("20060102") (the date in t's location).
func dateD8(t time.Time) string {
	y, m, d := t.Date()
	if p := lastD8.Load(); p != nil && p.y == y && p.m == m && p.d == d {
		return p.text
	}
	text := t.Format("20060102")
	lastD8.Store(&dayText{y: y, m: m, d: d, text: text})
	return text
}

// check verifies that res fits c and that opts can be written.
func check(c *claim.Claim, res *repricing.Result, opts *ApplyOptions) error {
	if len(res.Lines) != len(c.Lines) {
		return fmt.Errorf("claim %s: %w: %d result lines for %d service lines", c.PatientControlNumber, ErrResult, len(res.Lines), len(c.Lines))
	}
	for i, l := range c.Lines {
		if n := lineNo(l, i); res.Lines[i].No != n {
			return fmt.Errorf("claim %s: %w: result line %d is line %d, want %d", c.PatientControlNumber, ErrResult, i+1, res.Lines[i].No, n)
		}
	}
	if c.Kind == claim.Professional && res.Claim.MethodCode == repricing.CodePerDiem {
		return fmt.Errorf("claim %s: %w: HCP01 06 at the 837P claim level", c.PatientControlNumber, ErrResult)
	}
	if len(opts.OrgID) > maxRefLen {
		return fmt.Errorf("%w: organization ID longer than %d characters", ErrOptions, maxRefLen)
	}
	if len(opts.ClaimRef) > maxRefLen {
		return fmt.Errorf("%w: claim reference longer than %d characters", ErrOptions, maxRefLen)
	}
	if opts.LineRefs {
		if opts.ClaimRef == "" {
			return fmt.Errorf("%w: line references need a claim reference", ErrOptions)
		}
		for i := range res.Lines {
			if len(lineRef(opts.ClaimRef, res.Lines[i].No)) > maxRefLen {
				return fmt.Errorf("%w: line reference longer than %d characters", ErrOptions, maxRefLen)
			}
		}
	}
	return nil
}

// claimPricing is the 2300 HCP of a claim of the given kind.
func claimPricing(kind string, cp *repricing.ClaimPricing, orgID string, am *amounts) claim.Pricing {
	p := claim.Pricing{
		Method:       cp.MethodCode,
		Allowed:      cp.AllowedCents,
		Savings:      am.ptr(cp.SavingsCents),
		OrgID:        orgID,
		RejectReason: cp.DenyReason,
	}
	if cp.HasRate {
		p.Rate = am.ptr(cp.RateCents)
	}
	if kind == claim.Institutional {
		if cp.DRG != "" {
			p.ApprovedGroup, p.ApprovedGroupAmount = cp.DRG, am.ptr(cp.DRGAmountCents)
		}
		if cp.UnitBasis != "" {
			p.UnitBasis, p.Units = cp.UnitBasis, am.ptr(cp.ApprovedUnits)
		}
	}
	return p
}

// linePricing is the 2400 HCP of a line.
func linePricing(lp *repricing.LinePricing, am *amounts) claim.Pricing {
	p := claim.Pricing{
		Method:       lp.MethodCode,
		Allowed:      lp.AllowedCents,
		Savings:      am.ptr(lp.SavingsCents),
		RejectReason: lp.DenyReason,
	}
	if lp.UnitBasis != "" {
		p.UnitBasis, p.Units = lp.UnitBasis, am.ptr(lp.ApprovedUnits)
	}
	return p
}

// digits is the length of strconv.Itoa(n).
func digits(n int) int {
	d := 1
	if n < 0 {
		d++
	}
	for n >= 10 || n <= -10 {
		n /= 10
		d++
	}
	return d
}

// lineRef is the REF*9B value of line n.
func lineRef(claimRef string, n int) string {
	return claimRef + "-" + strconv.Itoa(n)
}

// amounts hold the values the pricing of one claim points to.
type amounts []int64

// ptr returns a pointer to a copy of v.
func (a *amounts) ptr(v int64) *int64 {
	if len(*a) == cap(*a) {
		*a = make(amounts, 0, 8)
	}
	*a = append(*a, v)
	return &(*a)[len(*a)-1]
}
