package schema

import "fmt"

// The table DSL. A transaction set is written as nested constructor calls:
//
//	loop("2010AA", uR, 1,
//		seg("NM1", uR, 1, "RRRSSNSSSNNN", key(1, "85"), codes(2, "1", "2"), codes(8, "XX")),
//		seg("N3", uR, 1, "RS"),
//		...)
//
// seg takes the standard shape of the segment ID (std_segments.go) and
// applies the implementation's usage string (one R/S/N letter per element,
// missing letters mean N) and options (key, codes, component usage, date
// formats). place declares a segment that is only recognised and placed,
// without element rules.

// opt adjusts a segment use.
type opt func(s *segDef)

// elem returns element pos (1-based) of s, panicking on table mistakes.
func (s *segDef) elem(pos int) *elemDef {
	if pos < 1 || pos > len(s.elems) {
		panic(fmt.Sprintf("schema table: %s has no element %d", s.id, pos))
	}
	return &s.elems[pos-1]
}

// comp returns component c of element pos of s.
func (s *segDef) comp(pos, c int) *compDef {
	e := s.elem(pos)
	if c < 1 || c > len(e.comps) {
		panic(fmt.Sprintf("schema table: %s%02d has no component %d", s.id, pos, c))
	}
	return &e.comps[c-1]
}

// key makes element pos the discriminator of this use, with the allowed
// values (which are also the element's code list).
func key(pos int, vals ...string) opt {
	return func(s *segDef) {
		s.keyElem, s.keyComp, s.keyVals = pos, 0, vals
		if s.elems != nil {
			s.elem(pos).codes = vals
		}
	}
}

// keyc makes component c of element pos the discriminator.
func keyc(pos, c int, vals ...string) opt {
	return func(s *segDef) {
		s.keyElem, s.keyComp, s.keyVals = pos, c, vals
		if s.elems != nil {
			s.comp(pos, c).codes = vals
		}
	}
}

// codes restricts element pos to the listed code values.
func codes(pos int, vals ...string) opt {
	return func(s *segDef) { s.elem(pos).codes = vals }
}

// ccodes restricts component c of element pos (every listed position) to
// the listed codes.
func ccodes(pos, c int, vals ...string) opt {
	return func(s *segDef) { s.comp(pos, c).codes = vals }
}

// notIG lists standard codes of element pos that this implementation does
// not use (reported as I6 rather than 7).
func notIG(pos int, vals ...string) opt {
	return func(s *segDef) { s.elem(pos).notIG = vals }
}

// cu sets the usage of the components of element pos, one letter each.
func cu(pos int, uses string) opt {
	return func(s *segDef) {
		e := s.elem(pos)
		for i := range e.comps {
			e.comps[i].use = uN
			if i < len(uses) {
				e.comps[i].use = usage(uses[i])
			}
		}
	}
}

// period says element pos is a date/time formatted by the D8/RD8/DT/TM
// qualifier in element qual.
func period(pos, qual int) opt {
	return func(s *segDef) { s.elem(pos).period = qual }
}

// cperiod says component c of element pos is formatted by the qualifier in
// component qual of the same element.
func cperiod(pos, c, qual int) opt {
	return func(s *segDef) { s.comp(pos, c).period = qual }
}

// loopName overrides the loop name events report for the segment.
func loopName(name string) opt { return func(s *segDef) { s.loop = name } }

// envelopeSeg marks ST/SE, whose presence the envelope layer checks.
func envelopeSeg() opt { return func(s *segDef) { s.envelope = true } }

// each applies o to several element positions.
func each(f func(pos int) opt, positions ...int) opt {
	return func(s *segDef) {
		for _, p := range positions {
			f(p)(s)
		}
	}
}

// seg declares a segment use with full element rules.
func seg(sid string, use usage, max int, uses string, opts ...opt) item {
	sh, ok := shapes[sid]
	if !ok {
		panic("schema table: no standard shape for " + sid)
	}
	return segOf(sh, sid, use, max, uses, opts...)
}

// repeats says element pos may repeat up to n times (EQ01, EB03 of the
// 270/271); by default no element repeats.
func repeats(pos, n int) opt {
	return func(s *segDef) { s.elem(pos).reps = n }
}

// segOf declares a use of segment sid with standard shape sh (seg for the
// shapes of std_segments.go; transaction tables with shapes of their own
// call it with those).
func segOf(sh shape, sid string, use usage, max int, uses string, opts ...opt) item {
	s := &segDef{id: sid, use: use, max: max, notes: sh.notes}
	s.elems = make([]elemDef, len(sh.elems))
	for i, e := range sh.elems {
		e.use = uN
		if i < len(uses) {
			e.use = usage(uses[i])
		}
		if e.comps != nil {
			comps := make([]compDef, len(e.comps))
			copy(comps, e.comps)
			for j := range comps {
				comps[j].use = uS
			}
			comps[0].use = uR
			e.comps = comps
		}
		s.elems[i] = e
	}
	if len(uses) > len(sh.elems) {
		panic("schema table: usage string too long for " + sid)
	}
	for _, o := range opts {
		o(s)
	}
	for i := range s.elems {
		if e := &s.elems[i]; e.comps == nil && e.de == "782" && e.use != uN {
			s.money = append(s.money, i+1)
		}
	}
	return item{seg: s}
}

// place declares a segment use without element rules: it is recognised,
// placed and counted, nothing more.
func place(sid string, use usage, max int, opts ...opt) item {
	s := &segDef{id: sid, use: use, max: max}
	for _, o := range opts {
		o(s)
	}
	return item{seg: s}
}

// loop declares a loop; the first item must be a segment (the trigger).
func loop(lid string, use usage, max int, items ...item) item {
	if len(items) == 0 || items[0].seg == nil {
		panic("schema table: loop " + lid + " must start with a segment")
	}
	return item{loop: &loopDef{id: lid, use: use, max: max, items: items}}
}

// hl declares a hierarchical loop triggered by HL with HL03 = level.
func hl(lid string, use usage, level string, items ...item) item {
	it := loop(lid, use, 0, items...)
	it.loop.level = level
	return it
}

// group flattens several items into a loop's item list.
func group(items ...item) []item { return items }

// items concatenates item lists.
func items(parts ...[]item) []item {
	var out []item
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// loopOf is loop with items given as slices.
func loopOf(lid string, use usage, max int, parts ...[]item) item {
	return loop(lid, use, max, items(parts...)...)
}
