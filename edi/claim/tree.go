package claim

import (
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// node is one loop instance of a transaction in transaction mode. Its items
// interleave the loop's own segments and its child loops in input order, so
// a pre-order walk reproduces the input exactly, even when a segment came
// after a child loop.
type node struct {
	loop   string
	parent *node
	items  []item
	claim  *Claim // the claim of a 2300 node
}

// item is a segment (seg != nil) or a child loop (child != nil).
type item struct {
	seg   *x12.Segment
	child *node
	// label, newLoop and unplaced are the schema event the segment came
	// with, kept so the tree can be replayed (Select).
	label    string
	newLoop  bool
	unplaced bool
}

// walk calls fn for every segment item under n in input order, with the
// node that holds it. It stops at the first error.
func (n *node) walk(fn func(n *node, it *item) error) error {
	for i := range n.items {
		it := &n.items[i]
		if it.child != nil {
			if err := it.child.walk(fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(n, it); err != nil {
			return err
		}
	}
	return nil
}

// claims calls yield for the claim of every 2300 node under n in input
// order, and reports whether to continue.
func (n *node) claims(yield func(*Claim) bool) bool {
	if n.claim != nil && !yield(n.claim) {
		return false
	}
	for _, it := range n.items {
		if it.child != nil && !it.child.claims(yield) {
			return false
		}
	}
	return true
}

// firstSeg returns the node's trigger segment.
func (n *node) firstSeg() *x12.Segment {
	for _, it := range n.items {
		if it.seg != nil {
			return it.seg
		}
		if it.child != nil {
			return nil
		}
	}
	return nil
}

// parentLoops lists, for each loop ID, the loop IDs its instances may sit
// in. Loops not listed nest under whatever loop is open.
var parentLoops = map[string][]string{
	"1000A":  {"HEADER"},
	"1000B":  {"HEADER"},
	"2000A":  {"HEADER"},
	"2010AA": {"2000A"},
	"2010AB": {"2000A"},
	"2010AC": {"2000A"},
	"2000B":  {"2000A"},
	"2010BA": {"2000B"},
	"2010BB": {"2000B"},
	"2000C":  {"2000B"},
	"2010CA": {"2000C"},
	"2300":   {"2000B", "2000C"},
	"2320":   {"2300"},
	"2400":   {"2300"},
	"2410":   {"2400"},
	"2430":   {"2400"},
	"2440":   {"2400"},
}

var (
	claimParent           = []string{"2300"}
	otherSubscriberParent = []string{"2320"}
	lineParent            = []string{"2400"}
)

// parentsOf returns the allowed parent loops of loop, or nil when unknown.
func parentsOf(loop string) []string {
	if p, ok := parentLoops[loop]; ok {
		return p
	}
	switch {
	case strings.HasPrefix(loop, "2310"):
		return claimParent
	case strings.HasPrefix(loop, "2330"):
		return otherSubscriberParent
	case strings.HasPrefix(loop, "2420"):
		return lineParent
	}
	return nil
}

// tree builds the node tree of one transaction from events.
type tree struct {
	root  *node
	stack []*node
}

func newTree() *tree {
	root := &node{loop: "HEADER"}
	return &tree{root: root, stack: []*node{root}}
}

func (t *tree) top() *node { return t.stack[len(t.stack)-1] }

// place adds seg (already owned) with its event labels and returns the node
// it now belongs to and whether that node was created for it.
func (t *tree) place(seg *x12.Segment, loop string, newLoop, unplaced bool) (*node, bool) {
	it := item{seg: seg, label: loop, newLoop: newLoop, unplaced: unplaced}
	if unplaced || loop == "" {
		n := t.top()
		n.items = append(n.items, it)
		return n, false
	}
	if loop == "HEADER" || loop == "TRAILER" {
		t.stack = t.stack[:1]
		t.root.items = append(t.root.items, it)
		return t.root, false
	}
	if newLoop {
		if parents := parentsOf(loop); parents != nil {
			for len(t.stack) > 1 && !contains(parents, t.top().loop) {
				t.stack = t.stack[:len(t.stack)-1]
			}
		}
		p := t.top()
		n := &node{loop: loop, parent: p, items: []item{it}}
		p.items = append(p.items, item{child: n})
		t.stack = append(t.stack, n)
		return n, true
	}
	for i := len(t.stack) - 1; i >= 0; i-- {
		if t.stack[i].loop == loop {
			t.stack = t.stack[:i+1]
			n := t.stack[i]
			n.items = append(n.items, it)
			return n, false
		}
	}
	n := t.top()
	n.items = append(n.items, it)
	return n, false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
