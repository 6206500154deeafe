package schema

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// DefaultMaxIssues is the number of issues a Parser keeps for one
// transaction set when Parser.MaxIssues is zero.
const DefaultMaxIssues = 10000

// Parser places the segments of one transaction set into the loops of a
// Schema, validates them against the implementation guide and emits one
// Event per segment. It is a streaming state machine over the loop tree:
// its memory depends on the depth of the tree, not on the size of the set.
//
// A Parser is not safe for concurrent use; use one per goroutine and Reset
// it between sets.
type Parser struct {
	// MaxIssues caps the issues kept for one set (0 = DefaultMaxIssues);
	// issues past the cap are counted in Dropped but not kept.
	MaxIssues int
	// Dropped is the number of issues dropped past MaxIssues in this set.
	Dropped int

	s      *Schema
	t      *tables
	h      Handler
	stack  []frame
	counts []int32
	issues []ack.Issue

	last     segRef // the last segment seen (for issues found at the end)
	seen     bool   // at least one segment seen
	finished bool

	claim  claimState
	lastHL int // HL01 of the previous HL (0 before the first)
	hlOK   bool

	// ext is the state of the schema's own rules (Schema.rules), nil
	// when it has none.
	ext setRules

	// classes classifies bytes for the delimiters in classDelims (see
	// scanSegment).
	classes     [256]uint8
	classDelims x12.Delimiters
	classOK     bool
}

// frame is one open loop instance.
type frame struct {
	def *loopDef
	cur int    // index of the last item matched (-1 before the first)
	at  segRef // the loop's trigger segment

	// hierarchical loops
	hlID     []byte // HL01
	hlChild  byte   // HL04 ('0', '1' or 0 when absent)
	hasChild bool   // a child HL loop was opened
	at04     segRef // HL04 location
	// 2000B: the SBR and whether a claim sits directly under the level
	sbr18     bool
	sbrAt     segRef
	sbrSeen   bool
	hasClaims bool
}

// segRef locates a segment (or one of its elements) for issues reported
// after the parser moved on.
type segRef struct {
	position int
	offset   int64
	ordinal  int
}

func refOf(seg *x12.Segment) segRef {
	return segRef{position: seg.Position, offset: seg.Offset, ordinal: seg.Ordinal}
}

// NewParser returns a parser for schema s that sends events to h (which
// may be nil when only the issues are wanted).
func NewParser(s *Schema, h Handler) *Parser {
	p := &Parser{s: s, t: tablesFor(s), h: h, counts: make([]int32, s.nitems), stack: make([]frame, 0, 8)}
	if s.rules != nil {
		p.ext = s.rules()
	}
	p.Reset()
	return p
}

// Reset prepares the parser for the next transaction set. Issues returned
// by Finish stay valid.
func (p *Parser) Reset() {
	p.stack = p.stack[:0]
	p.push(p.s.root, segRef{})
	p.stack[0].cur = -1
	p.counts[p.s.root.base] = 0
	p.issues = nil
	p.Dropped = 0
	p.last = segRef{}
	p.seen = false
	p.finished = false
	p.claim.reset()
	p.lastHL = 0
	p.hlOK = true
	if p.ext != nil {
		p.ext.reset()
	}
}

// push opens a loop instance.
func (p *Parser) push(def *loopDef, at segRef) *frame {
	n := len(p.stack)
	if n < cap(p.stack) {
		p.stack = p.stack[:n+1]
		buf := p.stack[n].hlID[:0]
		p.stack[n] = frame{hlID: buf}
	} else {
		p.stack = append(p.stack, frame{})
	}
	f := &p.stack[n]
	f.def, f.cur, f.at = def, 0, at
	clear(p.counts[def.base : def.base+len(def.items)])
	p.counts[def.base] = 1
	return f
}

// placement is where a segment goes: item idx of the frame at level.
type placement struct {
	level, idx int
}

// Segment places seg (the next segment of the set, ST through SE), checks
// it and sends its Event to the handler. It returns the handler's error.
func (p *Parser) Segment(seg *x12.Segment) error {
	p.seen = true
	p.last = refOf(seg)
	ev := Event{Seg: seg}

	pl, ok := p.findForward(seg, nil)
	mode := byte('=')
	if !ok && seg.Is("HL") {
		if lvl := p.inferLevel(seg); lvl != nil {
			pl, ok = p.findForward(seg, lvl)
		}
	}
	if !ok {
		if pl, ok = p.findBackward(seg); ok {
			mode = '7'
		}
	}
	if !ok && !p.keyKnown(seg) {
		if pl, ok = p.findFallback(seg); ok {
			mode = 'f'
		}
	}

	if !ok {
		ev.Unplaced = true
		code, msg := "2", "segment not expected here"
		if !seg.ValidID() || !p.s.ids[string(seg.ID())] {
			code, msg = "1", "unrecognized segment ID"
		}
		loop := ""
		if top := &p.stack[len(p.stack)-1]; top.def.id != "" {
			loop = top.def.id
		}
		p.segIssue(refOf(seg), seg.Tag(), loop, code, msg)
	} else {
		var sd *segDef
		var loop string
		var si int // table index of sd
		if mode == '7' {
			f := &p.stack[pl.level]
			sd = f.def.items[pl.idx].seg
			si = f.def.base + pl.idx
			p.counts[f.def.base+pl.idx]++
			loop = p.loopOf(pl.level, sd)
			ev.Loop, ev.Parent = p.eventLoop(pl.level, sd)
			p.segIssue(refOf(seg), sd.id, loop, "7", "segment not in proper sequence")
		} else {
			sd, ev.NewLoop, si = p.commit(seg, pl, mode == 'f')
			lv := len(p.stack) - 1
			if !ev.NewLoop {
				lv = pl.level
			}
			loop = p.loopOf(lv, sd)
			ev.Loop, ev.Parent = p.eventLoop(lv, sd)
		}
		if sd.use == uN {
			p.segIssue(refOf(seg), sd.id, loop, "I4", "segment not used in this implementation")
		} else if sd.elems != nil {
			p.checkElements(seg, sd, loop, int(p.t.lastReq[si]), p.t.checks[si], p.t.notes[si])
		} else {
			p.checkCharset(seg, loop)
		}
		p.onSegment(seg, sd, ev.Loop)
	}
	if p.h != nil {
		return p.h.HandleEvent(ev)
	}
	return nil
}

// loopOf returns the IK303 loop ID for a segment in the frame at level:
// "" for the header and trailer.
func (p *Parser) loopOf(level int, sd *segDef) string {
	if sd.loop != "" {
		return ""
	}
	return p.stack[level].def.id
}

// eventLoop returns the Event Loop and Parent for a segment placed in the
// frame at level.
func (p *Parser) eventLoop(level int, sd *segDef) (loop, parent string) {
	if sd.loop != "" {
		return sd.loop, ""
	}
	loop = p.stack[level].def.id
	if level > 0 {
		parent = p.stack[level-1].def.id
	}
	return loop, parent
}

// groupStart returns the index of the current item's run of same-ID
// segments (the current item itself when it is a loop), 0 before the
// first item.
func (f *frame) groupStart() int {
	if f.cur < 0 {
		return 0
	}
	if it := &f.def.items[f.cur]; it.seg != nil {
		return it.group
	}
	return f.cur
}

// start returns the first item index frame f may match next.
func (f *frame) start(root bool) int {
	s := f.groupStart()
	if s == 0 && !root {
		s = 1 // a loop's trigger starts a new instance, never repeats in place
	}
	return s
}

// findForward looks for the first item, from the innermost loop outwards,
// that seg may be: a segment at or after the current position of its loop
// or the trigger of a child loop. level, when set, replaces the HL03 value
// used to choose hierarchical loops.
func (p *Parser) findForward(seg *x12.Segment, level []byte) (placement, bool) {
	id := seg.ID()
	key := x12.IDKey(id)
	for k := len(p.stack) - 1; k >= 0; k-- {
		f := &p.stack[k]
		items := f.def.items
		start := f.start(k == 0)
		if key != 0 && !p.t.mayFind(f.def, start, key) {
			continue
		}
		trig := p.t.trig[f.def.base : f.def.base+len(items)]
		for i := start; i < len(items); i++ {
			if trig[i] != key {
				continue
			}
			sd := items[i].trigger()
			if key == 0 && string(id) != sd.id {
				continue
			}
			if level != nil && sd.id == "HL" {
				if items[i].loop != nil && items[i].loop.level == string(level) {
					return placement{k, i}, true
				}
				continue
			}
			if keyMatch(seg, sd) {
				return placement{k, i}, true
			}
		}
	}
	return placement{}, false
}

// findBackward looks for a segment (not a loop) that seg exactly matches
// earlier in an open loop than its current position: a segment out of
// sequence.
func (p *Parser) findBackward(seg *x12.Segment) (placement, bool) {
	id := seg.ID()
	key := x12.IDKey(id)
	for k := len(p.stack) - 1; k >= 0; k-- {
		f := &p.stack[k]
		items := f.def.items
		trig := p.t.trig[f.def.base : f.def.base+len(items)]
		first := 1
		if k == 0 {
			first = 0
		}
		for i := first; i < f.start(k == 0); i++ {
			if trig[i] != key {
				continue
			}
			sd := items[i].seg
			if sd == nil || key == 0 && string(id) != sd.id {
				continue
			}
			if keyMatch(seg, sd) {
				return placement{k, i}, true
			}
		}
	}
	return placement{}, false
}

// findFallback places a segment whose qualifier is not a value the schema
// knows at the first forward item with its ID, so the bad qualifier is
// reported as an element error there.
func (p *Parser) findFallback(seg *x12.Segment) (placement, bool) {
	id := seg.ID()
	key := x12.IDKey(id)
	for k := len(p.stack) - 1; k >= 0; k-- {
		f := &p.stack[k]
		items := f.def.items
		trig := p.t.trig[f.def.base : f.def.base+len(items)]
		for i := f.start(k == 0); i < len(items); i++ {
			if trig[i] != key || key == 0 && string(id) != items[i].trigger().id {
				continue
			}
			if l := items[i].loop; l != nil && l.max > 0 && int(p.counts[f.def.base+i]) >= l.max {
				continue // do not open a loop past its maximum for a miscoded trigger
			}
			return placement{k, i}, true
		}
	}
	return placement{}, false
}

// keyKnown reports whether seg's qualifier value is one the schema uses
// for its segment ID somewhere (or the ID has no qualifier uses): such a
// segment that does not fit is misplaced, not miscoded.
func (p *Parser) keyKnown(seg *x12.Segment) bool {
	uses, known := 0, false
	var walk func(l *loopDef)
	walk = func(l *loopDef) {
		for i := range l.items {
			it := &l.items[i]
			if it.loop != nil {
				walk(it.loop)
				continue
			}
			if seg.Is(it.seg.id) {
				uses++
				known = known || keyMatch(seg, it.seg)
			}
		}
	}
	walk(p.s.root)
	return known || uses == 0
}

// keyMatch reports whether seg has the qualifier value of use sd.
func keyMatch(seg *x12.Segment, sd *segDef) bool {
	if sd.keyVals == nil {
		return true
	}
	var v []byte
	if sd.keyComp > 0 {
		v = seg.Component(sd.keyElem, sd.keyComp)
	} else {
		v = seg.Element(sd.keyElem)
	}
	return inList(v, sd.keyVals)
}

func inList(v []byte, list []string) bool {
	for _, c := range list {
		if equal(v, c) {
			return true
		}
	}
	return false
}

// equal reports whether v == c, comparing in line (the values compared
// are short codes, for which a call to the runtime's comparison costs
// more than the comparison).
func equal(v []byte, c string) bool {
	if len(v) != len(c) {
		return false
	}
	for i := 0; i < len(c); i++ {
		if v[i] != c[i] {
			return false
		}
	}
	return true
}

// inferLevel chooses the hierarchical level of an HL whose HL03 matches no
// loop, from its HL02 parent pointer: no parent is a billing provider
// level, a child of a billing provider a subscriber, a child of a
// subscriber a patient.
func (p *Parser) inferLevel(seg *x12.Segment) []byte {
	parent := seg.Element(2)
	if len(parent) == 0 {
		return []byte("20")
	}
	for k := len(p.stack) - 1; k > 0; k-- {
		f := &p.stack[k]
		if f.def.level == "" || !bytes.Equal(f.hlID, parent) {
			continue
		}
		switch f.def.level {
		case "20":
			return []byte("22")
		case "22":
			return []byte("23")
		}
	}
	return nil
}

// commit moves the state machine to placement pl for seg: it closes the
// loops inside pl.level, reports required items skipped over, counts the
// item and opens a child loop when the item is one. It returns the segment
// use, whether a loop was opened and the table index of the segment use.
func (p *Parser) commit(seg *x12.Segment, pl placement, fallback bool) (*segDef, bool, int) {
	at := refOf(seg)
	for len(p.stack)-1 > pl.level {
		p.closeTop(at)
	}
	f := &p.stack[pl.level]
	items := f.def.items
	if from := f.groupStart(); f.cur < 0 || items[pl.idx].group != from {
		p.checkMissing(pl.level, from, pl.idx, at)
	}
	if pl.idx > f.cur {
		f.cur = pl.idx
	}
	it := &items[pl.idx]
	n := &p.counts[f.def.base+pl.idx]
	if it.seg != nil {
		if fallback {
			// A miscoded segment does not use up (or fulfil) the use it
			// was attached to.
			return it.seg, false, f.def.base + pl.idx
		}
		*n++
		if it.seg.max > 0 && int(*n) > it.seg.max {
			p.segIssue(at, it.seg.id, p.loopOf(pl.level, it.seg), "5", "segment exceeds maximum use")
		}
		return it.seg, false, f.def.base + pl.idx
	}
	*n++
	if it.loop.max > 0 && int(*n) > it.loop.max {
		p.segIssue(at, it.loop.items[0].seg.id, it.loop.id, "4", "loop occurs over maximum times")
	}
	parent := f
	if it.loop.level != "" {
		parent.hasChild = true
	}
	nf := p.push(it.loop, at)
	p.onOpen(nf, seg)
	return it.loop.items[0].seg, true, it.loop.base
}

// closeTop closes the innermost loop instance: required items not seen
// are reported at segment at, then the loop's situational rules run.
func (p *Parser) closeTop(at segRef) {
	k := len(p.stack) - 1
	f := &p.stack[k]
	p.checkMissing(k, f.groupStart(), len(f.def.items), at)
	p.onClose(f, at)
	p.stack = p.stack[:k]
}

// checkMissing reports required items in [from, to) of the frame at level
// that were not seen.
func (p *Parser) checkMissing(level, from, to int, at segRef) {
	f := &p.stack[level]
	// Only the items checkMissing reports when absent are visited, in
	// order.
	for j := p.t.nextRequired(f.def, from); j < to; j = p.t.nextRequired(f.def, j+1) {
		if p.counts[f.def.base+j] > 0 {
			continue
		}
		it := &f.def.items[j]
		if it.seg != nil {
			if it.seg.use == uR && !it.seg.envelope {
				p.addIssue(ack.Issue{
					Level: ack.LevelSegment, Code: "3", SegmentID: it.seg.id,
					Position: at.position, Loop: p.loopOf(level, it.seg), Offset: at.offset, Ordinal: at.ordinal,
					Message: fmt.Sprintf("required segment %s missing", it.seg.id),
				})
			}
		} else if it.loop.use == uR {
			p.addIssue(ack.Issue{
				Level: ack.LevelSegment, Code: "I7", SegmentID: it.loop.items[0].seg.id,
				Position: at.position, Loop: it.loop.id, Offset: at.offset, Ordinal: at.ordinal,
				Message: fmt.Sprintf("required loop %s missing", it.loop.id),
			})
		}
	}
}

// Finish ends the set: it closes the open loops (reporting what is
// missing), runs the end-of-set rules and returns every segment and
// element issue found, ordered by segment position. Call it after SE, or
// when the set ended without one.
func (p *Parser) Finish() []ack.Issue {
	if p.finished {
		return p.issues
	}
	p.finished = true
	if p.seen {
		for len(p.stack) > 1 {
			p.closeTop(p.last)
		}
		p.checkMissing(0, p.stack[0].groupStart(), len(p.stack[0].def.items), p.last)
		if p.ext != nil {
			p.ext.finish(p)
		}
	}
	slices.SortStableFunc(p.issues, func(a, b ack.Issue) int { return a.Position - b.Position })
	return p.issues
}

// addIssue records an issue, stamping the current claim.
func (p *Parser) addIssue(is ack.Issue) {
	limit := p.MaxIssues
	if limit <= 0 {
		limit = DefaultMaxIssues
	}
	if len(p.issues) >= limit {
		p.Dropped++
		return
	}
	if is.Severity == 0 {
		is.Severity = ack.Error
	}
	if p.claim.active {
		is.ClaimID = p.claim.idString()
	}
	p.issues = append(p.issues, is)
}

// segIssue records a segment-level (IK304) issue.
func (p *Parser) segIssue(at segRef, id, loop, code, msg string) {
	p.addIssue(ack.Issue{
		Level: ack.LevelSegment, Code: code, SegmentID: id, Position: at.position, Loop: loop,
		Offset: at.offset, Ordinal: at.ordinal, Message: msg,
	})
}

// tables are lookup tables the parser derives from a schema's loop tree,
// indexed like Parser.counts (a loop's base plus the item index), so the
// per-segment work compares integers instead of strings and skips what
// cannot apply.
type tables struct {
	// trig is the idKey of the item's trigger segment ID.
	trig []uint32
	// after is a bit set (keyBit) of the trigger IDs of the item and the
	// items after it in its loop: a search whose ID bit is not set in
	// after[start] cannot succeed in that loop.
	after []uint64
	// nextReq is the index of the first item at or after this one that
	// checkMissing reports when absent (required, not envelope), or the
	// loop's length.
	nextReq []int32
	// lastReq is, for a segment item, the position of its last required
	// element (0 when none).
	lastReq []int32
	// checks are, for a segment item with element rules, the quick checks
	// of its elements (see elemCheck).
	checks [][]elemCheck
	// notes are, for a segment item with element rules, its syntax notes
	// as bit masks of element positions (see noteCheck).
	notes [][]noteCheck
}

// keyBit returns the bit of an ID key in the after sets.
func keyBit(key uint32) uint64 { return 1 << ((key * 0x9E3779B1) >> 26) }

// mayFind reports whether an item from start on in loop l can have
// trigger key.
func (t *tables) mayFind(l *loopDef, start int, key uint32) bool {
	return start < len(l.items) && t.after[l.base+start]&keyBit(key) != 0
}

// nextRequired returns the first item index at or after i of loop l that
// checkMissing reports when absent, or len(l.items).
func (t *tables) nextRequired(l *loopDef, i int) int {
	if i >= len(l.items) {
		return len(l.items)
	}
	return int(t.nextReq[l.base+i])
}

// schemaTables holds the tables of the built-in schemas; they are computed
// once, at package initialization, and never modified.
var schemaTables = func() map[*Schema]*tables {
	m := make(map[*Schema]*tables, len(schemas))
	for _, s := range schemas {
		m[s] = buildTables(s)
	}
	return m
}()

// tablesFor returns the tables of s.
func tablesFor(s *Schema) *tables {
	if t, ok := schemaTables[s]; ok {
		return t
	}
	return buildTables(s)
}

func buildTables(s *Schema) *tables {
	t := &tables{
		trig:    make([]uint32, s.nitems),
		after:   make([]uint64, s.nitems),
		nextReq: make([]int32, s.nitems),
		lastReq: make([]int32, s.nitems),
		checks:  make([][]elemCheck, s.nitems),
		notes:   make([][]noteCheck, s.nitems),
	}
	seen := map[*loopDef]bool{}
	var walk func(l *loopDef)
	walk = func(l *loopDef) {
		if seen[l] {
			return
		}
		seen[l] = true
		var after uint64
		next := int32(len(l.items))
		for i := len(l.items) - 1; i >= 0; i-- {
			it := &l.items[i]
			k := l.base + i
			t.trig[k] = x12.IDKey(it.trigger().id)
			after |= keyBit(t.trig[k])
			t.after[k] = after
			if it.seg != nil {
				if it.seg.use == uR && !it.seg.envelope {
					next = int32(i)
				}
				for pos := len(it.seg.elems); pos > 0; pos-- {
					if it.seg.elems[pos-1].use == uR {
						t.lastReq[k] = int32(pos)
						break
					}
				}
				if it.seg.elems != nil {
					t.checks[k] = make([]elemCheck, len(it.seg.elems))
					for j := range it.seg.elems {
						t.checks[k][j] = quickCheck(&it.seg.elems[j])
					}
					for j := range it.seg.notes {
						t.notes[k] = append(t.notes[k], noteMasks(&it.seg.notes[j], len(it.seg.elems)))
					}
				}
			} else {
				if it.loop.use == uR {
					next = int32(i)
				}
				walk(it.loop)
			}
			t.nextReq[k] = next
		}
	}
	walk(s.root)
	return t
}
