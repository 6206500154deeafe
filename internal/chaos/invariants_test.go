package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// delivery is one claim found in a delivered 837.
type delivery struct {
	partner, file string
	clm01, freq   string
}

// ackSet is one transaction set as acknowledged in a 999.
type ackSet struct {
	file string // the 999's name
	code string // IK5-01
}

// snapshot is the end state of an installation, read through the binary
// and from the partner folders.
type snapshot struct {
	files    []inboundJSON
	claims   map[string]claimJSON  // by claim control number
	byPos    map[string]claimJSON  // by input name#position in the file
	gapFree  bool                  // claim control numbers are CH1..CHn
	byFile   map[int64][]claimJSON // by inbound file ID
	out      map[string][]delivery // delivered claims by REF*9A/9C (or CLM01 when unpriced)
	sets     map[string][]ackSet   // 999 sets by input name/sender-ISA13-GS06-ST02
	ca277    map[string][]string   // 277CA by the same key: the STC01 of each claim, per copy
	ta1      map[string]int        // TA1 by input name/sender-ISA13
	ackFiles map[int64]int         // 999/TA1 files per inbound file ID
	leftover []string              // temporary or unexpected files in the outboxes
	inbox    []string              // files left in the inbox
	archived []string              // archived names
	problems []string              // files that could not be read as X12
}

var ackName = regexp.MustCompile(`^(999|277CA|TA1)-(\d+)-(.+)\.x12$`)

// snapshot reads the end state.
func (e *env) snapshot() *snapshot {
	e.t.Helper()
	s := &snapshot{claims: map[string]claimJSON{}, byPos: map[string]claimJSON{}, byFile: map[int64][]claimJSON{}, out: map[string][]delivery{},
		sets: map[string][]ackSet{}, ca277: map[string][]string{}, ta1: map[string]int{}, ackFiles: map[int64]int{}}
	s.files = e.files()
	nameOf := map[int64]string{}
	for _, f := range s.files {
		nameOf[f.ID] = f.Name
		cs := e.claimsOf(f.ID)
		s.byFile[f.ID] = cs
		slices.SortFunc(cs, func(a, b claimJSON) int { return strings.Compare(a.Control, b.Control) })
		for i, c := range cs {
			s.byPos[fmt.Sprintf("%s#%03d", f.Name, i+1)] = c
			if _, dup := s.claims[c.Control]; dup {
				s.problems = append(s.problems, fmt.Sprintf("claim control number %s listed twice", c.Control))
			}
			s.claims[c.Control] = c
		}
	}
	s.gapFree = true
	for i, key := range sortedKeys(s.claims) {
		if key != fmt.Sprintf("CH%012d", i+1) {
			s.gapFree = false
			break
		}
	}
	for _, p := range receivers {
		for _, name := range e.listDir(e.outbox[p], s) {
			segs := e.readX12(filepath.Join(e.outbox[p], name), s)
			var cur *delivery
			key := ""
			flush := func() {
				if cur == nil {
					return
				}
				if key == "" {
					key = "unpriced:" + cur.clm01
				}
				s.out[key] = append(s.out[key], *cur)
				cur, key = nil, ""
			}
			for _, seg := range segs {
				switch {
				case seg[0] == "CLM":
					flush()
					cur = &delivery{partner: p, file: name, clm01: el(seg, 1), freq: freqOf(el(seg, 5))}
				case seg[0] == "REF" && cur != nil && key == "" && (el(seg, 1) == "9A" || el(seg, 1) == "9C"):
					key = el(seg, 2)
				case seg[0] == "SE" || seg[0] == "HL":
					flush()
				}
			}
			flush()
		}
	}
	for _, name := range e.listDir(e.outbox[sender], s) {
		m := ackName.FindStringSubmatch(name)
		if m == nil {
			s.problems = append(s.problems, fmt.Sprintf("%s outbox: %s is not a 999/277CA/TA1 name the harness knows (<kind>-<inbound id>-<rest>.x12)", sender, name))
			continue
		}
		var id int64
		fmt.Sscan(m[2], &id)
		in, ok := nameOf[id]
		if !ok {
			s.problems = append(s.problems, fmt.Sprintf("%s: acknowledges inbound file %d, which `files` does not list", name, id))
			in = "#" + m[2]
		}
		segs := e.readX12(filepath.Join(e.outbox[sender], name), s)
		switch m[1] {
		case "999":
			s.ackFiles[id]++
			var st string
			for _, seg := range segs {
				switch seg[0] {
				case "AK2":
					st = el(seg, 2)
				case "IK5":
					k := in + "/" + m[3] + "-" + st
					s.sets[k] = append(s.sets[k], ackSet{file: name, code: el(seg, 1)})
				}
			}
		case "277CA":
			var stc []string
			for _, seg := range segs {
				if seg[0] == "STC" {
					stc = append(stc, el(seg, 1))
				}
			}
			k := in + "/" + m[3]
			s.ca277[k] = append(s.ca277[k], strings.Join(stc, " "))
		case "TA1":
			s.ackFiles[id]++
			s.ta1[in+"/"+m[3]]++
		}
	}
	ents, err := os.ReadDir(e.inbox)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range ents {
		if d.Name() != "archive" {
			s.inbox = append(s.inbox, d.Name())
		}
	}
	arch, _ := os.ReadDir(filepath.Join(e.inbox, "archive"))
	for _, d := range arch {
		s.archived = append(s.archived, d.Name())
	}
	return s
}

// listDir lists the delivered files of an outbox; hidden (temporary)
// files and anything not *.x12 go to s.leftover.
func (e *env) listDir(dir string, s *snapshot) []string {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, d := range ents {
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") || !strings.HasSuffix(d.Name(), ".x12") {
			s.leftover = append(s.leftover, filepath.Join(filepath.Base(filepath.Dir(dir)), d.Name()))
			continue
		}
		names = append(names, d.Name())
	}
	return names
}

func (e *env) readX12(path string, s *snapshot) [][]string {
	data, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	segs := Segments(data)
	if len(segs) == 0 || segs[len(segs)-1][0] != "IEA" {
		s.problems = append(s.problems, fmt.Sprintf("%s: not a complete interchange (%d bytes)", path, len(data)))
	}
	return segs
}

func el(seg []string, i int) string {
	if i < len(seg) {
		return seg[i]
	}
	return ""
}

// freqOf returns the claim frequency of a CLM05 composite (11:B:1 → 1).
func freqOf(clm05 string) string {
	parts := strings.FieldsFunc(clm05, func(r rune) bool { return r == ':' || r == '>' || r == '^' })
	if len(parts) == 3 {
		return parts[2]
	}
	return clm05
}

// wentOut are the claim states of a claim that may be in a delivered 837:
// forwarded, or replaced or voided by a correction that came after.
var wentOut = map[string]bool{"forwarded": true, "replaced": true, "voided": true}

// settledClaim are the states a claim may end in. A claim still accepted
// (or suspect, or received) after a quiet cycle was never forwarded.
var settledClaim = map[string]bool{"forwarded": true, "replaced": true, "voided": true, "rejected": true, "duplicate": true}

// check returns every violated invariant, one line each.
func (s *snapshot) check(w *workload, dropped []string) []string {
	var bad []string
	add := func(format string, a ...any) { bad = append(bad, fmt.Sprintf(format, a...)) }
	bad = append(bad, s.problems...)

	// Inbound files: each dropped original recorded exactly once, with all
	// its claims, settled, archived; nothing left in the inbox.
	rows := map[string][]inboundJSON{}
	for _, f := range s.files {
		rows[f.Name] = append(rows[f.Name], f)
	}
	for _, name := range dropped {
		in := w.byName[name]
		rs := rows[name]
		switch {
		case in.dup && len(rs) != 0:
			add("inbound %s (same bytes as an earlier file): recorded %d time(s), want 0 (a duplicate file)", name, len(rs))
		case !in.dup && len(rs) != 1:
			add("inbound %s: recorded %d time(s), want exactly 1", name, len(rs))
		}
		for _, f := range rs {
			if waitingStates[f.State] {
				add("inbound %s (#%d): left %s after a quiet cycle (attempts %d, error %q)", name, f.ID, f.State, f.Attempts, f.Error)
			}
			if n := len(s.byFile[f.ID]); n != in.claims {
				add("inbound %s (#%d): %d claims recorded, the file has %d", name, f.ID, n, in.claims)
			}
			if f.State == "processed" && s.ackFiles[f.ID] == 0 {
				add("inbound %s (#%d): processed but no 999 or TA1 delivered", name, f.ID)
			}
		}
		found := false
		for _, a := range s.archived {
			if strings.HasSuffix(a, "-"+name) {
				found = true
			}
		}
		if !found {
			add("inbound %s: not archived", name)
		}
	}
	for name := range rows {
		if !slices.Contains(dropped, name) {
			add("inbound %s: recorded, but the harness never dropped it", name)
		}
	}
	if len(s.inbox) > 0 {
		add("inbox not empty after a quiet cycle: %v", s.inbox)
	}

	// Claims in 837s: each exactly once across all outboxes, and the store
	// agrees that it went out.
	for _, key := range sortedKeys(s.out) {
		ds := s.out[key]
		if len(ds) > 1 {
			var where []string
			for _, d := range ds {
				where = append(where, d.partner+"/"+d.file)
			}
			add("claim %s (CLM01 %s) delivered %d times: %s", key, ds[0].clm01, len(ds), strings.Join(where, ", "))
		}
		c, ok := s.claims[key]
		switch {
		case strings.HasPrefix(key, "unpriced:"):
			add("claim CLM01 %s delivered without REF*9A/9C: the harness cannot tell which claim it is", ds[0].clm01)
		case !ok:
			add("claim %s delivered to %s, but the store has no such claim", key, ds[0].partner)
		case !wentOut[c.State]:
			add("claim %s (CLM01 %s) delivered to %s, but the store says %s %v", key, c.CLM01, ds[0].partner, c.State, c.Reasons)
		case c.CLM01 != ds[0].clm01:
			add("claim %s delivered with CLM01 %s, the store has %s", key, ds[0].clm01, c.CLM01)
		}
	}
	for _, key := range sortedKeys(s.claims) {
		c := s.claims[key]
		if c.State == "forwarded" && len(s.out[key]) == 0 {
			add("claim %s (CLM01 %s, file #%d) is forwarded but in no delivered 837 (lost)", key, c.CLM01, c.FileID)
		}
		switch {
		case c.State == "closed":
			// A void whose original never left: nothing to cancel.
			if c.Freq != "8" || !slices.Contains(c.Notes, "original-never-forwarded") {
				add("claim %s (CLM01 %s, file #%d, frequency %s) is closed without being a void of an unsent original (notes %v)", key, c.CLM01, c.FileID, c.Freq, c.Notes)
			}
			if len(s.out[key]) > 0 {
				add("claim %s (CLM01 %s) is closed but was delivered", key, c.CLM01)
			}
		case !settledClaim[c.State]:
			add("claim %s (CLM01 %s, file #%d) ends %s: never forwarded nor explained", key, c.CLM01, c.FileID, c.State)
		}
		if (c.State == "rejected" || c.State == "duplicate") && len(c.Reasons) == 0 {
			add("claim %s (CLM01 %s) is %s without a reason", key, c.CLM01, c.State)
		}
	}

	// Acknowledgements: each set in exactly one 999, each accepted set in
	// exactly one 277CA, no 277CA for a set not accepted.
	for _, key := range sortedKeys(s.sets) {
		as := s.sets[key]
		if len(as) > 1 {
			add("set %s acknowledged by %d 999s: %v", key, len(as), as)
		}
		accepted := as[0].code == "A" || as[0].code == "E"
		switch n := len(s.ca277[key]); {
		case accepted && n != 1:
			add("set %s accepted (IK5 %s) with %d 277CA, want 1", key, as[0].code, n)
		case !accepted && n != 0:
			add("set %s rejected (IK5 %s) but has %d 277CA", key, as[0].code, n)
		}
	}
	for _, key := range sortedKeys(s.ca277) {
		if _, ok := s.sets[key]; !ok {
			add("277CA %s for a set no 999 acknowledges", key)
		}
	}
	for _, key := range sortedKeys(s.ta1) {
		if n := s.ta1[key]; n > 1 {
			add("interchange %s has %d TA1s", key, n)
		}
	}
	return bad
}

// compare returns the differences between s and a fault-free reference
// run on the same input: claim states and reasons, where each delivered
// claim went, and the acknowledgements. Claims are matched by their file
// and position in it. The workload's corrections name their originals by
// the control numbers a gap-free run assigns; when a fault left gaps (on
// PostgreSQL claim numbers are drawn outside the file's transaction, so a
// killed attempt leaves a gap) corrections point elsewhere, and only what
// does not depend on them is compared: which claims were recorded, and the
// 999s.
func (s *snapshot) compare(ref *snapshot) (diff []string, partial bool) {
	add := func(format string, a ...any) { diff = append(diff, fmt.Sprintf(format, a...)) }
	// The corrections of the workload name their originals by number: the
	// claims can be compared exactly only when every claim got the number
	// the fault-free run gave it. A failed attempt on PostgreSQL, or a
	// fault that changed the order in which files were recorded, numbers
	// them otherwise (the invariants are checked all the same).
	exact := s.gapFree && ref.gapFree
	for key, got := range s.byPos {
		if want, ok := ref.byPos[key]; ok && got.Control != want.Control {
			exact = false
			break
		}
	}
	for _, key := range union(sortedKeys(s.byPos), sortedKeys(ref.byPos)) {
		got, ok1 := s.byPos[key]
		want, ok2 := ref.byPos[key]
		switch {
		case !ok1:
			add("claim %s (CLM01 %s): missing; the reference run has it %s %s", key, want.CLM01, want.Control, want.State)
		case !ok2:
			add("claim %s (CLM01 %s): %s %s; the reference run has no such claim", key, got.CLM01, got.Control, got.State)
		case got.CLM01 != want.CLM01:
			add("claim %s: CLM01 %s; the reference run: CLM01 %s", key, got.CLM01, want.CLM01)
		case exact && (got.Control != want.Control || got.State != want.State || !slices.Equal(got.Reasons, want.Reasons)):
			add("claim %s (CLM01 %s): %s %s %v; the reference run: %s %s %v", key, got.CLM01, got.Control, got.State, got.Reasons, want.Control, want.State, want.Reasons)
		}
	}
	if exact {
		for _, key := range sortedKeys(s.out) {
			if w, ok := ref.out[key]; ok && w[0].partner != s.out[key][0].partner {
				add("claim %s delivered to %s; the reference run delivered it to %s", key, s.out[key][0].partner, w[0].partner)
			}
		}
	}
	for _, key := range union(sortedKeys(s.sets), sortedKeys(ref.sets)) {
		g, w := s.sets[key], ref.sets[key]
		switch {
		case len(g) == 0:
			add("set %s: no 999; the reference run acknowledged it %s", key, w[0].code)
		case len(w) == 0:
			add("set %s: acknowledged %s; the reference run has no such set", key, g[0].code)
		case g[0].code != w[0].code:
			add("set %s: IK5 %s; the reference run %s", key, g[0].code, w[0].code)
		}
	}
	if exact {
		for _, key := range union(sortedKeys(s.ca277), sortedKeys(ref.ca277)) {
			if g, w := s.ca277[key], ref.ca277[key]; len(g) > 0 && len(w) > 0 && g[0] != w[0] {
				add("277CA %s: claim statuses %q; the reference run %q", key, g[0], w[0])
			}
		}
	}
	return diff, !exact
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func union(a, b []string) []string {
	out := append(append([]string{}, a...), b...)
	sort.Strings(out)
	return slices.Compact(out)
}
