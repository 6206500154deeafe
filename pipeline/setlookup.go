package pipeline

import (
	"context"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// setLookup answers the intake rules' reads for one transaction set from
// rows read in a few queries when the set starts (the duplicate and
// suspect candidates of all its claims) and from the set's own claims
// decided so far, which are inserted together when the set ends. It gives
// the answers the store would give if every claim were inserted as soon as
// it is decided:
//
//   - FindByFingerprint: the newest claim with the fingerprint that is not
//     rejected or a duplicate — a claim of the set decided earlier, else
//     the prefetched one;
//   - FindBySuspectKey: the set's own candidates (newest first), then the
//     prefetched ones (newest first);
//   - GetClaimByControl: a claim of the set, after inserting the set's
//     decided claims (flush), so that a correction can change it in the
//     store; otherwise the prefetched claim its replacements and voids
//     name (without its lines, which the rules do not read), else the
//     store.
//
// States changed by corrections are applied to the rows it holds.
type setLookup struct {
	q       *store.Queries
	flush   func() error
	byFP    map[string]*store.Claim
	suspect map[string][]*store.Claim // prefetched, newest first
	// own are the set's decided suspect candidates in order, ownPrev[i]
	// the index in own of the one before own[i] with its suspect key (-1
	// for none) and ownLast the newest by suspect key: lists by key
	// without a slice per key.
	own     []*store.Claim
	ownPrev []int
	ownLast map[string]int
	byID    map[int64][]*store.Claim // prefetched copies, to apply state changes
	local   map[string]*store.Claim  // the set's claims by control number
	named   map[string]*store.Claim  // prefetched claims corrections name (REF*F8)
}

func newSetLookup(ctx context.Context, q *store.Queries, claims []*pendingClaim, flush func() error) (*setLookup, error) {
	l := &setLookup{q: q, flush: flush, byFP: make(map[string]*store.Claim, len(claims)), suspect: map[string][]*store.Claim{},
		own: make([]*store.Claim, 0, len(claims)), ownPrev: make([]int, 0, len(claims)), ownLast: make(map[string]int, len(claims)), byID: map[int64][]*store.Claim{}, local: make(map[string]*store.Claim, len(claims))}
	fps, keys := make([]string, 0, len(claims)), make([]string, 0, len(claims))
	seenFP, seenKey := make(map[string]bool, len(claims)), make(map[string]bool, len(claims))
	var refs []string
	seenRef := map[string]bool{}
	for _, pc := range claims {
		c := pc.claim
		if class := frequencyClass(c.ClaimType, c.Frequency); class == "replacement" || class == "void" {
			if ref := strings.TrimSpace(c.RefF8); ref != "" && !seenRef[ref] {
				seenRef[ref] = true
				refs = append(refs, ref)
			}
		}
		if fp := c.Fingerprint; fp != "" && !seenFP[fp] {
			seenFP[fp] = true
			fps = append(fps, fp)
		}
		if k := c.SuspectKey; k != "" && !seenKey[k] {
			seenKey[k] = true
			keys = append(keys, k)
		}
	}
	byFP, bySK, named, err := q.SetCandidates(ctx, fps, keys, refs)
	if err != nil {
		return nil, err
	}
	for fp, c := range byFP {
		l.byFP[fp] = c
		l.byID[c.ID] = append(l.byID[c.ID], c)
	}
	for k, cs := range bySK {
		for i := range cs {
			c := &cs[i]
			l.suspect[k] = append(l.suspect[k], c)
			l.byID[c.ID] = append(l.byID[c.ID], c)
		}
	}
	l.named = named
	for _, c := range named {
		l.byID[c.ID] = append(l.byID[c.ID], c)
	}
	return l, nil
}

// decided records a claim of the set once its outcome is known.
func (l *setLookup) decided(c *store.Claim) {
	l.local[c.ControlNumber] = c
	if c.State == store.ClaimRejected || c.State == store.ClaimDuplicate {
		return
	}
	if c.Fingerprint != "" {
		l.byFP[c.Fingerprint] = c
	}
	if c.SuspectKey != "" {
		prev, ok := l.ownLast[c.SuspectKey]
		if !ok {
			prev = -1
		}
		l.own, l.ownPrev = append(l.own, c), append(l.ownPrev, prev)
		l.ownLast[c.SuspectKey] = len(l.own) - 1
	}
}

// changed applies a correction's change of claim id's state.
func (l *setLookup) changed(id int64, state store.ClaimState) {
	for _, c := range l.byID[id] {
		c.State = state
	}
}

func (l *setLookup) FindByFingerprint(_ context.Context, fp string) (*store.Claim, error) {
	if c := l.byFP[fp]; c != nil {
		return c, nil
	}
	return nil, store.ErrNotFound
}

func (l *setLookup) FindBySuspectKey(_ context.Context, key string) ([]store.Claim, error) {
	newest, ok := l.ownLast[key]
	if !ok {
		newest = -1
	}
	n := len(l.suspect[key])
	for i := newest; i >= 0; i = l.ownPrev[i] {
		n++
	}
	out := make([]store.Claim, 0, min(n, 100))
	for i := newest; i >= 0 && len(out) < 100; i = l.ownPrev[i] {
		out = append(out, *l.own[i])
	}
	cs := l.suspect[key]
	for _, c := range cs {
		if len(out) == 100 {
			break
		}
		out = append(out, *c)
	}
	return out, nil
}

func (l *setLookup) GetClaimByControl(ctx context.Context, control string) (*store.Claim, error) {
	if c := l.local[strings.TrimSpace(control)]; c != nil {
		if c.ID == 0 {
			if err := l.flush(); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	if c := l.named[control]; c != nil {
		return c, nil
	}
	return l.q.GetClaimByControl(ctx, control)
}
