package roster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// MemberLookup is what the Checker reads from the roster: indexed lookups
// only. *store.Store, *store.Tx and *store.Queries satisfy it.
type MemberLookup interface {
	// FindMembersByID returns the members whose ID equals id exactly.
	FindMembersByID(ctx context.Context, id string) ([]store.Member, error)
	// FindMembersByFamily returns a family's subscriber and dependents.
	FindMembersByFamily(ctx context.Context, familyID string) ([]store.Member, error)
	// FindMembersByFoldedID returns the members whose ID equals id
	// ignoring case.
	FindMembersByFoldedID(ctx context.Context, id string) ([]store.Member, error)
	// FindMembersByIDStem returns the members whose ID is stem plus a
	// 2-digit suffix.
	FindMembersByIDStem(ctx context.Context, stem string) ([]store.Member, error)
}

// ClaimParty is what an 837 claim says about who is covered: the
// subscriber (2000B/2010BA), the patient (2000C/2010CA when the patient is
// a dependent, else the subscriber) and the dates of service. Dates are
// CCYYMMDD. All of it is PHI.
type ClaimParty struct {
	// MemberID is 2010BA NM109.
	MemberID string
	// SubscriberLast and SubscriberFirst are 2010BA NM103 and NM104.
	SubscriberLast, SubscriberFirst string
	// SubscriberDOB is the 2010BA DMG02 ("" when not sent: the subscriber
	// is not the patient).
	SubscriberDOB string
	// PatientLast, PatientFirst and PatientDOB are 2010CA NM103, NM104 and
	// DMG02 when the patient is a dependent; otherwise they may repeat the
	// subscriber's or stay empty.
	PatientLast, PatientFirst, PatientDOB string
	// Relationship is the patient's relationship to the subscriber: PAT01
	// of 2000C ("01", "19", ...) when the patient is a dependent, "18" or
	// "" when the subscriber is the patient.
	Relationship string
	// ServiceFrom and ServiceTo span every date of service of the claim
	// (ServiceTo "" means ServiceFrom).
	ServiceFrom, ServiceTo string
}

// dependent reports whether the patient is someone other than the
// subscriber.
func (q *ClaimParty) dependent() bool {
	return q.Relationship != "" && q.Relationship != "18"
}

// Reason is the machine-readable cause of a Decision.
type Reason string

// Decision reasons. Every rejection maps to one 277CA STC01 composite; see
// the package documentation.
const (
	// ReasonEligible: the claim's parties are on the roster and covered on
	// every date of service.
	ReasonEligible Reason = "eligible"
	// ReasonMemberIDMissing: the claim has no member ID (A6:164:IL).
	ReasonMemberIDMissing Reason = "member_id_missing"
	// ReasonMemberNotFound: no roster member has this ID (A7:164:IL).
	ReasonMemberNotFound Reason = "member_not_found"
	// ReasonMemberIDSuffix: the ID is a roster ID with a 2-digit suffix
	// added, or a roster ID with its 2-digit suffix dropped (A7:164:IL).
	ReasonMemberIDSuffix Reason = "member_id_suffix"
	// ReasonMemberIDCase: the ID matches a roster ID only when case is
	// ignored (A7:164:IL).
	ReasonMemberIDCase Reason = "member_id_case"
	// ReasonSubscriberNameMismatch: the subscriber name differs from the
	// enrolled name (A7:125:IL).
	ReasonSubscriberNameMismatch Reason = "subscriber_name_mismatch"
	// ReasonSubscriberDOBMismatch: the subscriber's date of birth differs
	// (A7:158:IL).
	ReasonSubscriberDOBMismatch Reason = "subscriber_dob_mismatch"
	// ReasonPatientNameMismatch: the patient name differs from every
	// enrolled family member's (A7:125:QC).
	ReasonPatientNameMismatch Reason = "patient_name_mismatch"
	// ReasonPatientDOBMismatch: the patient's date of birth differs
	// (A7:158:QC).
	ReasonPatientDOBMismatch Reason = "patient_dob_mismatch"
	// ReasonPatientNotFound: the family has no dependents on the roster
	// and CheckerConfig.RequireDependentRows is set (A7:97:QC).
	ReasonPatientNotFound Reason = "patient_not_found"
	// ReasonServiceDateMissing: the claim has no valid date of service
	// (or ends before it starts), so coverage cannot be checked (A7:187).
	ReasonServiceDateMissing Reason = "service_date_missing"
	// ReasonNotCoveredOnDOS: coverage does not include every date of
	// service (A7:88:IL, or A7:88:QC for a dependent's own coverage).
	ReasonNotCoveredOnDOS Reason = "not_covered_on_dos"
)

// Decision is the outcome of a Check. For a rejection Category, Status and
// Entity are the parts of the 277CA STC01 composite
// (Category:Status:Entity); they are empty when Eligible.
type Decision struct {
	Eligible bool
	Category string
	Status   string
	Entity   string
	Reason   Reason
	// MemberKey identifies the roster row the patient matched (zero when
	// none did); MemberRowID is its row ID. PHI: do not log the key.
	MemberKey   store.MemberKey
	MemberRowID int64
	// TPA is the matched member's administrator (store.Member.TPA) when
	// Eligible; routes by member decide by it. Not PHI.
	TPA string
	// Member is the roster row the patient matched (also for
	// not_covered_on_dos: the row whose coverage misses the dates), nil
	// when no row matched. Subscriber is the row of the subscriber the
	// patient was found under (the patient's own row when the patient is
	// the subscriber). A 271 answers with their plans and dates. They point
	// to the rows the lookups read, which the Checker's cache shares: do
	// not modify them. PHI.
	Member, Subscriber *store.Member
	// Families is the number of distinct families (store.Member.FamilyID)
	// among the rows that matched every identity check: more than one
	// means the identifiers sent do not tell two enrolled people apart
	// (a 271 answers AAA 76, duplicate subscriber ID).
	Families int
}

// STC01 returns the 277CA STC01 composite, e.g. "A7:164:IL", or "" when
// the decision is eligible. sep is the component separator (ISA16).
func (d Decision) STC01(sep byte) string {
	if d.Eligible || d.Category == "" {
		return ""
	}
	s := d.Category + string(sep) + d.Status
	if d.Entity != "" {
		s += string(sep) + d.Entity
	}
	return s
}

func reject(reason Reason, category, status, entity string) Decision {
	return Decision{Category: category, Status: status, Entity: entity, Reason: reason}
}

// CheckerConfig configures a Checker. The zero value is usable.
type CheckerConfig struct {
	// CacheSize is the number of lookups (by member ID and by family) kept
	// in an LRU cache. Default 4096; negative disables the cache.
	CacheSize int
	// CacheTTL is how long a cached lookup is trusted; other processes'
	// roster imports become visible after it. Default 5 minutes. Call
	// Purge after an import in this process.
	CacheTTL time.Duration
	// RequireDependentRows rejects a dependent patient (A7:97:QC) when the
	// subscriber's family has no dependent rows on the roster. Default
	// false: a roster that lists subscribers only (as a CSV roster does)
	// covers the dependent under the subscriber's coverage, with the
	// subscriber's name, ID and dates checked.
	RequireDependentRows bool
	// Now is the cache clock. Default time.Now.
	Now func() time.Time
}

// Checker decides whether a claim's member is eligible on its dates of
// service. It is safe for concurrent use.
type Checker struct {
	lookup MemberLookup
	cfg    CheckerConfig
	cache  *lru
}

// NewChecker returns a Checker reading the roster through lookup (usually
// the *store.Store).
func NewChecker(lookup MemberLookup, cfg CheckerConfig) (*Checker, error) {
	if lookup == nil {
		return nil, errors.New("roster: NewChecker: nil lookup")
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 4096
	}
	if cfg.CacheTTL < 0 {
		return nil, fmt.Errorf("roster: NewChecker: negative CacheTTL %s", cfg.CacheTTL)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Checker{lookup: lookup, cfg: cfg}
	if cfg.CacheSize > 0 {
		c.cache = newLRU(cfg.CacheSize)
	}
	return c, nil
}

// Purge empties the lookup cache (call it after importing a roster).
func (c *Checker) Purge() {
	if c.cache != nil {
		c.cache.purge()
	}
}

// cached runs a cached lookup.
func (c *Checker) cached(ctx context.Context, key lruKey, fn func(context.Context, string) ([]store.Member, error), arg string) ([]store.Member, error) {
	if c.cache == nil {
		return fn(ctx, arg)
	}
	now := c.cfg.Now()
	if ms, ok := c.cache.get(key, now); ok {
		return ms, nil
	}
	ms, err := fn(ctx, arg)
	if err != nil {
		return nil, err
	}
	c.cache.put(key, ms, now.Add(c.cfg.CacheTTL))
	return ms, nil
}

// Check decides the eligibility of one claim. The error is for lookup
// failures only (a database problem must not turn into a rejection);
// every roster outcome, eligible or not, is a Decision.
//
// Rules, in order: the member ID must equal a roster member ID byte for
// byte (outer spaces trimmed, case-sensitive); the subscriber name must
// equal the enrolled name (case-insensitive, outer spaces trimmed) and the
// subscriber DOB, when both sides have one, must be equal; a dependent
// patient must match a dependent of the subscriber's family by name (and
// DOB when both have one); the matched coverage must include every date of
// service.
func (c *Checker) Check(ctx context.Context, q ClaimParty) (Decision, error) {
	return c.CheckWith(ctx, c.lookup, q)
}

// CheckWith is Check reading the roster through lookup instead of the
// Checker's own (a *store.Tx, for a check inside a transaction: SQLite has
// one connection, which the transaction holds). The cache is shared.
func (c *Checker) CheckWith(ctx context.Context, lookup MemberLookup, q ClaimParty) (Decision, error) {
	id := strings.TrimSpace(q.MemberID)
	if id == "" {
		return reject(ReasonMemberIDMissing, "A6", "164", "IL"), nil
	}
	dos := span{from: strings.TrimSpace(q.ServiceFrom), to: strings.TrimSpace(q.ServiceTo)}
	if dos.to == "" {
		dos.to = dos.from
	}

	rows, err := c.cached(ctx, lruKey{keyID, id}, lookup.FindMembersByID, id)
	if err != nil {
		return Decision{}, fmt.Errorf("roster: check: %w", err)
	}
	if len(rows) == 0 {
		return c.notFound(ctx, lookup, id)
	}

	if !q.dependent() {
		// The 2010BA person is the patient: any row with this ID (a
		// subscriber, or a dependent with an ID of their own) may match.
		named := filter(rows, func(m *store.Member) bool { return sameName(m, q.SubscriberLast, q.SubscriberFirst) })
		if len(named) == 0 {
			return reject(ReasonSubscriberNameMismatch, "A7", "125", "IL"), nil
		}
		if q.PatientLast != "" || q.PatientFirst != "" {
			named = filter(named, func(m *store.Member) bool { return sameName(m, q.PatientLast, q.PatientFirst) })
			if len(named) == 0 {
				return reject(ReasonPatientNameMismatch, "A7", "125", "QC"), nil
			}
		}
		for _, dob := range []string{q.SubscriberDOB, q.PatientDOB} {
			if named = filter(named, func(m *store.Member) bool { return sameDOB(m, dob) }); len(named) == 0 {
				return reject(ReasonSubscriberDOBMismatch, "A7", "158", "IL"), nil
			}
		}
		d := covered(named, dos, "IL")
		d.Subscriber = d.Member
		return d, nil
	}

	// A dependent patient: find the subscriber, then the dependent in the
	// subscriber's family.
	subs := filter(rows, func(m *store.Member) bool { return m.Relationship == "18" })
	if len(subs) == 0 {
		subs = rows
	}
	// The subscriber's name is compared when sent (an 837 always sends
	// it; a 270 about a dependent may identify the subscriber by ID only).
	if q.SubscriberLast != "" || q.SubscriberFirst != "" {
		subs = filter(subs, func(m *store.Member) bool { return sameName(m, q.SubscriberLast, q.SubscriberFirst) })
		if len(subs) == 0 {
			return reject(ReasonSubscriberNameMismatch, "A7", "125", "IL"), nil
		}
	}
	if subs = filter(subs, func(m *store.Member) bool { return sameDOB(m, q.SubscriberDOB) }); len(subs) == 0 {
		return reject(ReasonSubscriberDOBMismatch, "A7", "158", "IL"), nil
	}
	var deps []store.Member
	seenFamily := map[string]bool{}
	for i := range subs {
		fam := subs[i].FamilyID
		if seenFamily[fam] {
			continue
		}
		seenFamily[fam] = true
		members, err := c.cached(ctx, lruKey{keyFamily, fam}, lookup.FindMembersByFamily, fam)
		if err != nil {
			return Decision{}, fmt.Errorf("roster: check: %w", err)
		}
		deps = append(deps, filter(members, func(m *store.Member) bool { return m.Relationship != "18" })...)
	}
	if len(deps) == 0 {
		if c.cfg.RequireDependentRows {
			d := reject(ReasonPatientNotFound, "A7", "97", "QC")
			d.Subscriber, d.Families = first(subs), families(subs)
			return d, nil
		}
		d := covered(subs, dos, "IL")
		d.Subscriber = d.Member
		return d, nil
	}
	named := filter(deps, func(m *store.Member) bool { return sameName(m, q.PatientLast, q.PatientFirst) })
	if len(named) == 0 {
		d := reject(ReasonPatientNameMismatch, "A7", "125", "QC")
		d.Subscriber, d.Families = first(subs), families(subs)
		return d, nil
	}
	if named = filter(named, func(m *store.Member) bool { return sameDOB(m, q.PatientDOB) }); len(named) == 0 {
		d := reject(ReasonPatientDOBMismatch, "A7", "158", "QC")
		d.Subscriber, d.Families = first(subs), families(subs)
		return d, nil
	}
	d := covered(named, dos, "QC")
	d.Subscriber = subscriberOf(subs, d.Member)
	return d, nil
}

// notFound explains an ID with no exact match: a suffix or case
// difference, or an unknown ID. Its lookups are cached like the others
// (Prefetch loads them in batches).
func (c *Checker) notFound(ctx context.Context, lookup MemberLookup, id string) (Decision, error) {
	suffix := false
	if stem := store.MemberIDStem(id); stem != "" {
		// The claim added a suffix to a roster ID.
		ms, err := c.cached(ctx, lruKey{keyID, stem}, lookup.FindMembersByID, stem)
		if err != nil {
			return Decision{}, fmt.Errorf("roster: check: %w", err)
		}
		suffix = len(ms) > 0
	}
	if !suffix {
		// The claim dropped the suffix a roster ID has.
		ms, err := c.cached(ctx, lruKey{keyStem, id}, lookup.FindMembersByIDStem, id)
		if err != nil {
			return Decision{}, fmt.Errorf("roster: check: %w", err)
		}
		suffix = len(ms) > 0
	}
	if suffix {
		return reject(ReasonMemberIDSuffix, "A7", "164", "IL"), nil
	}
	ms, err := c.cached(ctx, lruKey{keyFold, id}, lookup.FindMembersByFoldedID, id)
	if err != nil {
		return Decision{}, fmt.Errorf("roster: check: %w", err)
	}
	if len(ms) > 0 {
		return reject(ReasonMemberIDCase, "A7", "164", "IL"), nil
	}
	return reject(ReasonMemberNotFound, "A7", "164", "IL"), nil
}

// span is the claim's dates of service, CCYYMMDD, inclusive.
type span struct{ from, to string }

// covered accepts the first row whose coverage includes dos, or rejects
// with not_covered_on_dos naming entity. Missing or invalid dates reject
// with service_date_missing.
func covered(rows []store.Member, dos span, entity string) Decision {
	if !validDate(dos.from) || !validDate(dos.to) || dos.to < dos.from {
		return reject(ReasonServiceDateMissing, "A7", "187", "")
	}
	for i := range rows {
		if m := &rows[i]; m.Covers(dos.from, dos.to) {
			return Decision{Eligible: true, Reason: ReasonEligible, MemberKey: m.Key(), MemberRowID: m.ID, TPA: m.TPA,
				Member: m, Families: families(rows)}
		}
	}
	d := reject(ReasonNotCoveredOnDOS, "A7", "88", entity)
	m := &rows[0]
	d.MemberKey, d.MemberRowID, d.Member, d.Families = m.Key(), m.ID, m, families(rows)
	return d
}

// families counts the distinct families of rows.
func families(rows []store.Member) int {
	n := 0
	for i := range rows {
		seen := false
		for j := 0; j < i && !seen; j++ {
			seen = rows[j].FamilyID == rows[i].FamilyID
		}
		if !seen {
			n++
		}
	}
	return n
}

// subscriberOf returns the subscriber row of dep's family among subs.
func subscriberOf(subs []store.Member, dep *store.Member) *store.Member {
	for i := range subs {
		if dep != nil && subs[i].FamilyID == dep.FamilyID {
			return &subs[i]
		}
	}
	return &subs[0]
}

// filter returns the rows of ms that keep accepts: ms itself when it
// accepts every one (the common case, which copies nothing), else a new
// slice. Like the cache's, the rows may be shared and must not be
// modified (nor may a Decision's, which point to them).
func filter(ms []store.Member, keep func(*store.Member) bool) []store.Member {
	for i := range ms {
		if !keep(&ms[i]) {
			var out []store.Member
			if i > 0 {
				out = append(make([]store.Member, 0, len(ms)-1), ms[:i]...)
			}
			for j := i + 1; j < len(ms); j++ {
				if keep(&ms[j]) {
					out = append(out, ms[j])
				}
			}
			return out
		}
	}
	return ms
}

// first returns the first of rows.
func first(rows []store.Member) *store.Member {
	return &rows[0]
}

// sameName compares a claim name with the enrolled name: exact after
// trimming outer spaces, ignoring case.
func sameName(m *store.Member, last, first string) bool {
	return strings.EqualFold(strings.TrimSpace(last), strings.TrimSpace(m.LastName)) &&
		strings.EqualFold(strings.TrimSpace(first), strings.TrimSpace(m.FirstName))
}

// sameDOB compares dates of birth when both sides have one.
func sameDOB(m *store.Member, dob string) bool {
	dob = strings.TrimSpace(dob)
	return dob == "" || m.DOB == "" || dob == m.DOB
}

// BatchLookup reads roster rows for many member IDs or families in one
// query; *store.Store, *store.Tx and *store.Queries implement it.
type BatchLookup interface {
	FindMembersByIDs(ctx context.Context, ids []string) (map[string][]store.Member, error)
	FindMembersByFamilies(ctx context.Context, families []string) (map[string][]store.Member, error)
}

// Prefetch loads into the cache, in one or two queries, the roster rows
// that checking parties will read (their member IDs, and the families of
// dependents), so that the checks that follow do not query one by one.
// It does nothing without a cache or when lookup cannot read in batches;
// the checks give the same decisions either way.
func (c *Checker) Prefetch(ctx context.Context, lookup MemberLookup, parties []ClaimParty) error {
	bl, ok := lookup.(BatchLookup)
	if c.cache == nil || !ok || len(parties) == 0 {
		return nil
	}
	now := c.cfg.Now()
	ids := make([]string, 0, len(parties))
	seen := make(map[string]bool, len(parties))
	for i := range parties {
		id := strings.TrimSpace(parties[i].MemberID)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if _, hit := c.cache.get(lruKey{keyID, id}, now); !hit {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		rows, err := bl.FindMembersByIDs(ctx, ids)
		if err != nil {
			return fmt.Errorf("roster: prefetch: %w", err)
		}
		for _, id := range ids {
			c.cache.put(lruKey{keyID, id}, rows[id], now.Add(c.cfg.CacheTTL))
		}
	}
	if dl, ok := lookup.(diagnosticLookup); ok {
		if err := c.prefetchNotFound(ctx, bl, dl, ids, now); err != nil {
			return err
		}
	}
	var fams []string
	seenFam := map[string]bool{}
	for i := range parties {
		if !parties[i].dependent() {
			continue
		}
		rows, _ := c.cache.get(lruKey{keyID, strings.TrimSpace(parties[i].MemberID)}, now)
		for _, m := range rows {
			if m.FamilyID == "" || seenFam[m.FamilyID] {
				continue
			}
			seenFam[m.FamilyID] = true
			if _, hit := c.cache.get(lruKey{keyFamily, m.FamilyID}, now); !hit {
				fams = append(fams, m.FamilyID)
			}
		}
	}
	if len(fams) > 0 {
		rows, err := bl.FindMembersByFamilies(ctx, fams)
		if err != nil {
			return fmt.Errorf("roster: prefetch: %w", err)
		}
		for _, f := range fams {
			c.cache.put(lruKey{keyFamily, f}, rows[f], now.Add(c.cfg.CacheTTL))
		}
	}
	return nil
}

// diagnosticLookup reads, in batches, what explains an ID not found;
// *store.Store, *store.Tx and *store.Queries implement it.
type diagnosticLookup interface {
	FindMembersByIDStems(ctx context.Context, stems []string) (map[string][]store.Member, error)
	FindMembersByFoldedIDs(ctx context.Context, ids []string) (map[string][]store.Member, error)
}

// prefetchNotFound caches, for the IDs just read that have no row, the
// lookups notFound makes: the ID without a 2-digit suffix, the ID as a
// stem, the ID ignoring case (three queries for the whole batch instead
// of up to three per ID).
func (c *Checker) prefetchNotFound(ctx context.Context, bl BatchLookup, dl diagnosticLookup, ids []string, now time.Time) error {
	var missing, stems []string
	for _, id := range ids {
		if rows, _ := c.cache.get(lruKey{keyID, id}, now); len(rows) > 0 {
			continue
		}
		missing = append(missing, id)
		if stem := store.MemberIDStem(id); stem != "" {
			if _, hit := c.cache.get(lruKey{keyID, stem}, now); !hit {
				stems = append(stems, stem)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	until := now.Add(c.cfg.CacheTTL)
	if len(stems) > 0 {
		rows, err := bl.FindMembersByIDs(ctx, stems)
		if err != nil {
			return fmt.Errorf("roster: prefetch: %w", err)
		}
		for _, s := range stems {
			c.cache.put(lruKey{keyID, s}, rows[s], until)
		}
	}
	byStem, err := dl.FindMembersByIDStems(ctx, missing)
	if err != nil {
		return fmt.Errorf("roster: prefetch: %w", err)
	}
	byFold, err := dl.FindMembersByFoldedIDs(ctx, missing)
	if err != nil {
		return fmt.Errorf("roster: prefetch: %w", err)
	}
	for _, id := range missing {
		c.cache.put(lruKey{keyStem, id}, byStem[id], until)
		c.cache.put(lruKey{keyFold, id}, byFold[strings.ToUpper(id)], until)
	}
	return nil
}
