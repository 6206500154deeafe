package claim

import (
	"strconv"

	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// isLevel reports whether loop is a hierarchical level (an HL loop).
func isLevel(loop string) bool { return loop == "2000A" || loop == "2000B" || loop == "2000C" }

// Select returns a new transaction set holding the claims for which keep
// returns true, for forwarding different claims to different partners. It
// keeps the header (ST, BHT), the submitter and receiver loops and, for each
// kept claim, the billing provider, subscriber and patient loops it sits in
// (each once, with all their own segments and 2010 loops). Loops left with
// no kept claim are dropped. It returns nil for a transaction without
// segments or when no claim is kept.
//
// Exactly these segments are rewritten:
//   - every HL: HL01 is renumbered 1, 2, 3, ... in output order, HL02 is
//     set to the new HL01 of the parent level (empty for 2000A), and HL04
//     is "1" when the level keeps a child level, else "0"; HL03 and any
//     other element are kept;
//   - SE01 is recomputed on Encode (SE02 and ST02 are kept; EncodeSet sets
//     them).
//
// All other segments are shared with tx byte for byte (segments are never
// modified in place, so later edits of either transaction do not affect the
// other). The claims of the result are new Claim values decoded from the
// kept segments; their Start/End offsets are zero.
func (tx *Transaction) Select(keep func(*Claim) bool) *Transaction {
	return tx.selectClaims(keep, false)
}

// SelectSegments is Select for a result that is only edited with
// SetSubmitter and SetReceiver and encoded: its header and 1000A/1000B
// loops are decoded as Select decodes them and its segments are those
// Select keeps, but its claims are not decoded (it has no
// BillingProviders, and Claims yields nothing), which saves most of
// Select's work.
func (tx *Transaction) SelectSegments(keep func(*Claim) bool) *Transaction {
	return tx.selectClaims(keep, true)
}

func (tx *Transaction) selectClaims(keep func(*Claim) bool, headerOnly bool) *Transaction {
	if tx.root == nil {
		return nil
	}
	need := make(map[*node]bool)
	kept := false
	tx.root.claims(func(c *Claim) bool {
		if c.node == nil || !keep(c) {
			return true
		}
		kept = true
		for n := c.node; n != nil; n = n.parent {
			need[n] = true
		}
		return true
	})
	if !kept {
		return nil
	}

	var out *Transaction
	b := &builder{kind: tx.Kind, keep: true, owned: true, headerOnly: headerOnly, other: -1, adj: -1,
		onTx: func(t *Transaction) error { out = t; return nil }}
	ids := make(map[*node]int) // HL node -> new HL01
	next := 0
	nt := &Transaction{} // owns the segment factory for rewritten HLs

	var replay func(n *node)
	replay = func(n *node) {
		for i := range n.items {
			it := n.items[i]
			if it.child != nil {
				c := it.child
				if (isLevel(c.loop) || c.loop == "2300") && !need[c] {
					continue
				}
				replay(c)
				continue
			}
			seg := it.seg
			if i == 0 && isLevel(n.loop) && seg.Is("HL") {
				seg = nt.renumber(n, seg, need, ids, &next)
			}
			_ = b.handle(schema.Event{Seg: seg, Loop: it.label, NewLoop: it.newLoop, Unplaced: it.unplaced})
		}
	}
	replay(tx.root)
	if out == nil { // no SE in the input
		_ = b.flush(nil)
	}
	if out == nil {
		return nil
	}
	out.modified = true
	out.factory = nt.factory
	for ctx := range out.Claims() {
		ctx.Claim.start, ctx.Claim.end = 0, 0
	}
	return out
}

// renumber returns the HL segment of level node n with HL01, HL02 and HL04
// rewritten for the selected hierarchy.
func (tx *Transaction) renumber(n *node, hl *x12.Segment, need map[*node]bool, ids map[*node]int, next *int) *x12.Segment {
	*next++
	ids[n] = *next
	var num [2][20]byte
	id := strconv.AppendInt(num[0][:0], int64(*next), 10)
	var parent []byte
	for p := n.parent; p != nil; p = p.parent {
		if isLevel(p.loop) {
			if pid, ok := ids[p]; ok {
				parent = strconv.AppendInt(num[1][:0], int64(pid), 10)
			}
			break
		}
	}
	child := []byte("0")
	for _, it := range n.items {
		if it.child != nil && isLevel(it.child.loop) && need[it.child] {
			child = []byte("1")
			break
		}
	}
	tx.scratch = appendWithElements(tx.scratch[:0], hl, [3]elementEdit{{1, id}, {2, parent}, {4, child}})
	if string(tx.scratch) == string(hl.Raw()) {
		return hl
	}
	return tx.newSegment(hl.Leading(), tx.scratch, hl.Delims)
}
