package schema

// Codes returns the code values the guide allows in element elem of the
// first use of segment segID in loop (nil when the element takes any
// value or there is no such use), so writers can check what they are
// about to write against the one table the validator uses, e.g.
// Lookup("271", "005010X279A1").Codes("2100C", "AAA", 3) lists the reject
// reasons of the subscriber level.
func (s *Schema) Codes(loop, segID string, elem int) []string {
	if sd := s.use(loop, segID); sd != nil && elem >= 1 && elem <= len(sd.elems) {
		return sd.elems[elem-1].codes
	}
	return nil
}

// CompCodes is Codes for component comp of composite element elem, e.g.
// CompCodes("2220D", "SVC", 1, 1) for the SVC01-1 product or service ID
// qualifiers.
func (s *Schema) CompCodes(loop, segID string, elem, comp int) []string {
	sd := s.use(loop, segID)
	if sd == nil || elem < 1 || elem > len(sd.elems) {
		return nil
	}
	if e := &sd.elems[elem-1]; comp >= 1 && comp <= len(e.comps) {
		return e.comps[comp-1].codes
	}
	return nil
}

// use returns the first use of segID in loop, or nil.
func (s *Schema) use(loop, segID string) *segDef {
	var found *segDef
	var walk func(l *loopDef) bool
	walk = func(l *loopDef) bool {
		for i := range l.items {
			it := &l.items[i]
			if it.loop != nil {
				if walk(it.loop) {
					return true
				}
				continue
			}
			if l.id == loop && it.seg.id == segID {
				found = it.seg
				return true
			}
		}
		return false
	}
	walk(s.root)
	return found
}
