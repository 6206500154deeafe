package schema

import "sort"

// usage is an implementation-guide usage: required, situational or not used.
type usage byte

const (
	uR usage = 'R' // required
	uS usage = 'S' // situational
	uN usage = 'N' // not used
)

// dtype is an X12 data element type.
type dtype uint8

const (
	tAN dtype = iota + 1 // string
	tID                  // identifier (code value)
	tN0                  // integer
	tR                   // decimal number
	tDT                  // date CCYYMMDD
	tTM                  // time HHMM[SS[d..]]
)

// compDef is one component of a composite element (or the value rules of a
// simple element).
type compDef struct {
	de       string // data element reference number (IK402)
	typ      dtype
	min, max int
	use      usage
	codes    []string // allowed implementation codes; nil = any
	notIG    []string // standard codes the implementation does not use (IK403 I6)
	period   int      // position of the D8/RD8/DT/TM qualifier this value is formatted by (0 none)
}

// elemDef is one element of a segment. A composite has comps; a simple
// element keeps its rules in the embedded compDef. No element of the 837
// guides repeats, so a repetition separator in any element is an error.
type elemDef struct {
	compDef
	comps []compDef // non-nil for composites (de is then the composite id, e.g. C023)
	reps  int       // maximum repetitions when the guide lets the element repeat (0: it does not)
}

// syntaxNote is an X12 syntax rule between elements of a segment.
//
//	P paired: if any is present, all are required
//	R required: at least one is present
//	E exclusion: not more than one is present
//	C conditional: if the first is present, all others are required
//	L list conditional: if the first is present, at least one other is
type syntaxNote struct {
	kind  byte
	elems []int
}

// segDef is one use of a segment in a loop.
type segDef struct {
	id  string
	use usage
	max int // maximum use; 0 = unbounded
	// key, when keyVals is set, is the element (and component) whose value
	// tells this use apart from other uses of the same segment ID.
	keyElem, keyComp int
	keyVals          []string
	elems            []elemDef // nil = placement only (no element rules)
	notes            []syntaxNote
	loop             string // event loop name override ("HEADER", "TRAILER")
	envelope         bool   // ST/SE: presence is the envelope layer's business
	// money are the positions of the monetary amounts (simple elements of
	// DE 782 in use), for ruleMoney835.
	money []int
}

// loopDef is a loop: an ordered list of segments and child loops, the first
// item being the trigger segment.
type loopDef struct {
	id    string
	use   usage
	max   int // maximum repeats within one parent instance; 0 = unbounded
	items []item
	level string // HL03 hierarchical level code for HL loops ("20", "22", "23")
	base  int    // offset of items in the parser's per-item counters
}

// item is a segment or a child loop of a loop.
type item struct {
	seg  *segDef
	loop *loopDef
	// group is the index of the first item of the run of consecutive
	// segments with the same ID this item belongs to; the parser accepts
	// the members of such a run in any order.
	group int
}

// trigger returns the segment that starts the item: the segment itself or
// a loop's first segment.
func (it *item) trigger() *segDef {
	if it.seg != nil {
		return it.seg
	}
	return it.loop.items[0].seg
}

// Schema is the implementation-guide table of one transaction set version:
// its loops, segments and element rules, plus the situational rules that
// go with it. Schemas are immutable and safe for concurrent use.
type Schema struct {
	setID, version string
	root           *loopDef
	nitems         int
	ids            map[string]bool // every segment ID the schema places
	lineSeg        string          // service line segment whose charges sum to CLM02 (SV1/SV2)
	lineCharge     int             // element of lineSeg holding the line charge
	// claimIDs turns on the 837 identifier and address format rules
	// (ruleZip, ruleNPI, ruleEIN); zip9 lists the loops whose US N403
	// must be the 9-digit ZIP code.
	claimIDs bool
	zip9     []string
	// rules, when set, returns fresh state for the schema's own
	// situational rules (see setRules), run beside those of rules.go.
	rules func() setRules
}

// SetID returns the transaction set identifier (ST01), e.g. "837".
func (s *Schema) SetID() string { return s.setID }

// Version returns the implementation convention reference (ST03/GS08),
// e.g. "005010X222A1".
func (s *Schema) Version() string { return s.version }

// build numbers the items of every loop, computes same-ID runs and collects
// segment IDs.
func (s *Schema) build() *Schema {
	s.ids = map[string]bool{}
	seen := map[*loopDef]bool{}
	var walk func(l *loopDef)
	walk = func(l *loopDef) {
		if seen[l] {
			return
		}
		seen[l] = true
		l.base = s.nitems
		s.nitems += len(l.items)
		for i := range l.items {
			it := &l.items[i]
			it.group = i
			if it.seg != nil {
				s.ids[it.seg.id] = true
				if i > 1 && l.items[i-1].seg != nil && l.items[i-1].seg.id == it.seg.id {
					it.group = l.items[i-1].group
				}
			} else {
				walk(it.loop)
			}
		}
	}
	walk(s.root)
	return s
}

var schemas = []*Schema{schema837P, schema837I, schema277CA, schema835, schema270, schema271, schema276, schema277X212}

// Lookup returns the schema for a transaction set ID and implementation
// convention reference (ST01, ST03), such as ("837", "005010X222A1"), or
// nil when the pair is not supported; the caller then handles the set at
// the envelope level only.
func Lookup(setID, version string) *Schema {
	for _, s := range schemas {
		if s.setID == setID && s.version == version {
			return s
		}
	}
	return nil
}

// Sets returns the supported (set ID, version) pairs as "837/005010X222A1"
// strings, sorted.
func Sets() []string {
	out := make([]string, 0, len(schemas))
	for _, s := range schemas {
		out = append(out, s.setID+"/"+s.version)
	}
	sort.Strings(out)
	return out
}
