package schema

// Codes returns the code values the guide allows in element elem of the
// first use of segment segID in loop (nil when the element takes any
// value or there is no such use), so writers can check what they are
// about to write against the one table the validator uses, e.g.
// Lookup("271", "005010X279A1").Codes("2100C", "AAA", 3) lists the reject
// reasons of the subscriber level.
func (s *Schema) Codes(loop, segID string, elem int) []string {
	var found []string
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
				if elem >= 1 && elem <= len(it.seg.elems) {
					found = it.seg.elems[elem-1].codes
				}
				return true
			}
		}
		return false
	}
	walk(s.root)
	return found
}
