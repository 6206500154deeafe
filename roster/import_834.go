package roster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// INS03 maintenance type codes the importer applies.
const (
	MaintChange    = "001"
	MaintAdd       = "021"
	MaintTerm      = "024"
	MaintReinstate = "025"
	MaintAudit     = "030"
)

// Import834 applies an 834 benefit enrollment (005010X220A1 subset, see the
// package documentation) to the store in one transaction and records it
// (by SHA-256) so the same content is never applied twice. Member records
// are applied in file order: 021 add, 001 change, 024 terminate, 025
// reinstate, 030 audit. A record that cannot be applied is skipped and
// reported in ImportResult.Errors with its position (never its content);
// reading goes on. A file that declares itself a full snapshot (BGN08 = RX,
// or INS03 = 030 on every record) terms absent members when
// opts.FullReplace is set.
func Import834(ctx context.Context, st *store.Store, r io.Reader, opts Opts) (ImportResult, error) {
	if len(opts.MemberIDFrom) == 0 {
		opts.MemberIDFrom = DefaultMemberIDFrom
	}
	for _, s := range opts.MemberIDFrom {
		if !validIDSource(s) {
			return ImportResult{Format: store.Roster834}, fmt.Errorf("%w: member id source %q (want NM109, NM109:<qualifier> or REF:<qualifier>)", ErrBadOpts, s)
		}
	}
	return runImport(ctx, st, r, opts, store.Roster834, parse834)
}

func validIDSource(s string) bool {
	if s == "NM109" {
		return true
	}
	kind, q, ok := strings.Cut(s, ":")
	return ok && q != "" && (kind == "NM109" || kind == "REF")
}

// segPos locates a segment for RowError.
type segPos struct {
	offset   int64
	ordinal  int
	position int
	tag      string
}

func posOf(seg *x12.Segment) segPos {
	return segPos{offset: seg.Offset, ordinal: seg.Ordinal, position: seg.Position, tag: seg.Tag()}
}

func (p segPos) rowError(record, element int, err error) RowError {
	return RowError{Record: record, Offset: p.offset, Ordinal: p.ordinal, Position: p.position,
		Segment: p.tag, Element: element, Err: err}
}

// hdLoop is one 2300 health coverage loop.
type hdLoop struct {
	maint, line, plan, level string
	begin, end               string // DTP*348, DTP*349
	group                    string // REF*1L
}

// loop834 says which loop of a member record the parser is in.
type loop834 uint8

const (
	loopMember   loop834 = iota // 2000 INS, REF, DTP
	loopName                    // 2100A NM1*IL/74
	loopOther                   // 2100B-H, 2200, 2310, 2320, 2700: ignored
	loopCoverage                // 2300 HD
)

// record834 collects one member record (INS loop).
type record834 struct {
	index  int
	ins    segPos
	loop   loop834
	inLS   bool
	failed *RowError

	subscriber          string // INS01
	rel, maint, seq     string // INS02, INS03, INS17
	refs                map[string]string
	d356, d357, d303    string
	named               bool
	nm108, nm109        string
	last, first, middle string
	dob, gender         string
	hds                 []hdLoop
}

// set834 is the header state of one ST*834 transaction set.
type set834 struct {
	fileDate string // DTP*007, else BGN03
	bgnDate  string
	tpa      string // N1*TV
}

// parser834 turns segments into member records and applies them.
type parser834 struct {
	imp     *importer
	set     *set834
	rec     *record834
	records int
	sets    int
	allAud  bool // every record so far has INS03 030
	replace bool // some BGN08 = RX
}

func parse834(ctx context.Context, imp *importer, r io.Reader) error {
	p := &parser834{imp: imp, allAud: true}
	rd := x12.NewReader(r)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var se *x12.SyntaxError
		if errors.As(err, &se) {
			re := RowError{Offset: se.Offset, Ordinal: se.Ordinal, Position: se.Position, Segment: se.SegmentID,
				Element: se.Element, Err: fmt.Errorf("%w: %w", ErrSyntax, se.Err)}
			if err := p.problem(re); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("roster: read 834: %w", err)
		}
		if !seg.ValidID() {
			re := RowError{Offset: seg.Offset, Ordinal: seg.Ordinal, Position: seg.Position, Err: ErrBadSegment}
			if err := p.problem(re); err != nil {
				return err
			}
			continue
		}
		if err := p.segment(ctx, seg); err != nil {
			return err
		}
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	if p.sets == 0 {
		return ErrNo834
	}
	imp.res.Records = p.records
	imp.snapshot = p.replace || (p.allAud && p.records > 0)
	return nil
}

// problem records a reading problem: inside a member record it refuses the
// record, elsewhere it is reported on its own.
func (p *parser834) problem(re RowError) error {
	if p.rec != nil {
		re.Record = p.rec.index
		if p.rec.failed == nil {
			p.rec.failed = &re
		}
		return nil
	}
	return p.imp.fail(re)
}

func (p *parser834) segment(ctx context.Context, seg *x12.Segment) error {
	switch tag := seg.Tag(); tag {
	case "ISA", "GS", "GE", "IEA", "SE":
		if err := p.flush(ctx); err != nil {
			return err
		}
		if tag != "ISA" && tag != "GS" {
			p.set = nil
		}
		return nil
	case "ST":
		if err := p.flush(ctx); err != nil {
			return err
		}
		p.set = nil
		if seg.String(1) != "834" {
			return p.imp.fail(posOf(seg).rowError(0, 1, ErrNotEnrollment))
		}
		p.set = &set834{}
		p.sets++
		return nil
	case "INS":
		if p.set == nil {
			return nil
		}
		if err := p.flush(ctx); err != nil {
			return err
		}
		if p.imp.res.FileDate == "" {
			// The header of the first set fixes the file date.
			p.imp.res.FileDate = p.set.date()
		}
		p.records++
		p.rec = &record834{index: p.records, ins: posOf(seg), refs: map[string]string{}}
		p.rec.insSegment(seg)
		return nil
	}
	if p.set == nil {
		return nil
	}
	if p.rec == nil {
		p.header(seg)
		return nil
	}
	p.rec.add(seg)
	return nil
}

// header reads the transaction set header (before the first INS).
func (p *parser834) header(seg *x12.Segment) {
	s := p.set
	switch {
	case seg.Is("BGN"):
		if d := seg.String(3); validDate(d) {
			s.bgnDate = d
		}
		if seg.String(8) == "RX" {
			p.replace = true
		}
	case seg.Is("DTP") && seg.String(1) == "007":
		if d, ok := dtpDate(seg); ok {
			s.fileDate = d
		}
	case seg.Is("N1") && seg.String(1) == "TV":
		s.tpa = strings.TrimSpace(seg.String(2))
		if s.tpa == "" {
			s.tpa = strings.TrimSpace(seg.String(4))
		}
	}
}

func (s *set834) date() string {
	if s.fileDate != "" {
		return s.fileDate
	}
	return s.bgnDate
}

// dtpDate returns the date of a DTP (D8, or the first day of an RD8).
func dtpDate(seg *x12.Segment) (string, bool) {
	d := seg.String(3)
	switch seg.String(2) {
	case "D8":
	case "RD8":
		d, _, _ = strings.Cut(d, "-")
	default:
		return "", false
	}
	return d, validDate(d)
}

// insSegment reads INS.
func (r *record834) insSegment(seg *x12.Segment) {
	r.subscriber = seg.String(1)
	r.rel = strings.TrimSpace(seg.String(2))
	r.maint = seg.String(3)
	r.seq = strings.TrimSpace(seg.String(17))
	switch {
	case r.subscriber != "Y" && r.subscriber != "N":
		r.fail(seg, 1, ErrBadINS)
	case r.rel == "":
		r.fail(seg, 2, ErrBadINS)
	}
	switch r.maint {
	case MaintChange, MaintAdd, MaintTerm, MaintReinstate, MaintAudit:
	default:
		r.fail(seg, 3, ErrMaintenanceType)
	}
}

func (r *record834) fail(seg *x12.Segment, element int, err error) {
	if r.failed == nil {
		e := posOf(seg).rowError(r.index, element, err)
		r.failed = &e
	}
}

// add reads one segment of the member record.
func (r *record834) add(seg *x12.Segment) {
	tag := seg.Tag()
	switch tag {
	case "LS":
		r.inLS = true
		return
	case "LE":
		r.inLS = false
		return
	}
	if r.inLS {
		return // 2700 reporting categories
	}
	switch tag {
	case "NM1":
		switch seg.String(1) {
		case "IL", "74":
			if r.named {
				r.fail(seg, 1, ErrDuplicateName)
				return
			}
			r.named = true
			r.loop = loopName
			r.last = strings.TrimSpace(seg.String(3))
			r.first = strings.TrimSpace(seg.String(4))
			r.middle = strings.TrimSpace(seg.String(5))
			r.nm108 = seg.String(8)
			r.nm109 = strings.TrimSpace(seg.String(9))
		default:
			r.loop = loopOther // 2100B-H, 2310 providers, 2330 COB entities
		}
		return
	case "HD":
		r.loop = loopCoverage
		r.hds = append(r.hds, hdLoop{maint: seg.String(1), line: strings.TrimSpace(seg.String(3)), plan: strings.TrimSpace(seg.String(4)), level: strings.TrimSpace(seg.String(5))})
		return
	case "DSB", "LX", "COB":
		r.loop = loopOther
		return
	}
	switch r.loop {
	case loopMember:
		switch tag {
		case "REF":
			q := seg.String(1)
			if _, ok := r.refs[q]; !ok {
				r.refs[q] = strings.TrimSpace(seg.String(2))
			}
		case "DTP":
			r.memberDate(seg)
		}
	case loopName:
		if tag == "DMG" {
			if seg.String(1) != "D8" || !validDate(seg.String(2)) {
				r.fail(seg, 2, ErrBadDate)
				return
			}
			r.dob = seg.String(2)
			switch g := seg.String(3); g {
			case "F", "M", "U", "":
				r.gender = g
			default:
				r.fail(seg, 3, ErrBadGender)
			}
		}
	case loopCoverage:
		hd := &r.hds[len(r.hds)-1]
		switch tag {
		case "DTP":
			q := seg.String(1)
			if q != "348" && q != "349" && q != "303" {
				return
			}
			d, ok := dtpDate(seg)
			if !ok {
				r.fail(seg, 3, ErrBadDate)
				return
			}
			switch q {
			case "348":
				hd.begin = d
			case "349":
				hd.end = d
			}
		case "REF":
			if seg.String(1) == "1L" && hd.group == "" {
				hd.group = strings.TrimSpace(seg.String(2))
			}
		}
	}
}

// memberDate reads a 2000-level DTP.
func (r *record834) memberDate(seg *x12.Segment) {
	q := seg.String(1)
	if q != "356" && q != "357" && q != "303" {
		return
	}
	d, ok := dtpDate(seg)
	if !ok {
		r.fail(seg, 3, ErrBadDate)
		return
	}
	switch q {
	case "356":
		r.d356 = d
	case "357":
		r.d357 = d
	case "303":
		r.d303 = d
	}
}

// memberID picks the member ID from the configured sources.
func (r *record834) memberID(sources []string) string {
	for _, s := range sources {
		kind, q, _ := strings.Cut(s, ":")
		switch kind {
		case "NM109":
			if r.nm109 != "" && (q == "" || q == r.nm108) {
				return r.nm109
			}
		case "REF":
			if v := r.refs[q]; v != "" {
				return v
			}
		}
	}
	return ""
}

// coverage returns the record's coverage span: the earliest HD begin (else
// DTP*356) and the latest HD end, "" when any HD is open-ended (else
// DTP*357). Terminating HD loops (HD01 024) are left out of the begin.
func (r *record834) coverage() (begin, end string, has bool) {
	open := false
	for _, hd := range r.hds {
		if hd.begin != "" && hd.maint != MaintTerm && (begin == "" || hd.begin < begin) {
			begin = hd.begin
		}
		if hd.end == "" {
			open = true
		} else if hd.end > end {
			end = hd.end
		}
		has = has || hd.begin != "" || hd.end != ""
	}
	if open {
		end = ""
	}
	if begin == "" {
		begin = r.d356
	}
	if !has {
		end = r.d357
	}
	has = has || r.d356 != "" || r.d357 != ""
	return begin, end, has
}

// termDate is the coverage end of a termination: the latest HD DTP*349,
// else DTP*357, else DTP*303, else the file date.
func (r *record834) termDate(fileDate string) string {
	end := ""
	for _, hd := range r.hds {
		if hd.end > end {
			end = hd.end
		}
	}
	for _, d := range []string{end, r.d357, r.d303} {
		if d != "" {
			return d
		}
	}
	return fileDate
}

// action is the effective maintenance: an INS03 001 whose every HD loop
// terminates (HD01 024) or reinstates (025) coverage is a termination or
// reinstatement.
func (r *record834) action() string {
	if r.maint != MaintChange || len(r.hds) == 0 {
		return r.maint
	}
	first := r.hds[0].maint
	for _, hd := range r.hds {
		if hd.maint != first {
			return r.maint
		}
	}
	if first == MaintTerm || first == MaintReinstate {
		return first
	}
	return r.maint
}

// flush applies the current member record, if any.
func (p *parser834) flush(ctx context.Context) error {
	r := p.rec
	if r == nil {
		return nil
	}
	p.rec = nil
	if r.maint != MaintAudit {
		p.allAud = false
	}
	if r.failed != nil {
		return p.imp.fail(*r.failed)
	}
	return p.apply(ctx, r)
}

// apply writes one valid member record.
func (p *parser834) apply(ctx context.Context, r *record834) error {
	imp := p.imp
	refuse := func(err error) error { return imp.fail(r.ins.rowError(r.index, 0, err)) }
	family := r.refs["0F"]
	if family == "" {
		return refuse(ErrMissingFamilyID)
	}
	id := r.memberID(imp.opts.MemberIDFrom)
	if id == "" {
		return refuse(ErrMissingMemberID)
	}
	key := store.MemberKey{FamilyID: family, Relationship: r.rel, BirthSeq: r.seq, MemberID: id}
	old, err := imp.tx.GetMember(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		old = nil
	case err != nil:
		return err
	}
	fileDate := p.set.date()
	if fileDate == "" {
		fileDate = imp.res.FileDate
	}
	tpa := imp.opts.TPA
	if tpa == "" {
		tpa = p.set.tpa
	}

	action := r.action()
	if action == MaintTerm {
		if old == nil {
			return refuse(ErrUnknownMember)
		}
		changed, err := imp.tx.TermMember(ctx, key, r.termDate(fileDate))
		if err != nil {
			return err
		}
		imp.touch(old)
		if changed {
			imp.res.Termed++
		} else {
			imp.res.Unchanged++
		}
		return nil
	}

	begin, end, hasCov := r.coverage()
	var m store.Member
	if old != nil {
		m = *old
	} else {
		if !r.named || r.last == "" {
			if action == MaintAdd || action == MaintAudit {
				return refuse(ErrMissingName)
			}
			return refuse(ErrUnknownMember)
		}
		if begin == "" {
			if action == MaintAdd || action == MaintAudit {
				return refuse(ErrMissingCoverageStart)
			}
			return refuse(ErrUnknownMember)
		}
		m = store.Member{MemberID: id, FamilyID: family, Relationship: r.rel, BirthSeq: r.seq}
	}
	if r.named {
		m.LastName, m.FirstName, m.Middle = r.last, r.first, r.middle
	}
	if r.dob != "" {
		m.DOB, m.Gender = r.dob, r.gender
	}
	group := r.refs["1L"]
	if len(r.hds) > 0 {
		hd := r.hds[0]
		if hd.plan != "" {
			m.Plan = hd.plan
		} else if hd.line != "" {
			m.Plan = hd.line
		}
		if hd.group != "" {
			group = hd.group
		}
		if hd.level != "" {
			m.CoverageLevel = hd.level
		}
	}
	if group != "" {
		m.GroupNumber = group
	}
	if tpa != "" {
		m.TPA = tpa
	}
	m.Source = imp.source

	switch {
	case old == nil:
		m.CoverageStart, m.CoverageEnd = begin, end
	case action == MaintAudit:
		if hasCov {
			if begin != "" {
				m.CoverageStart = begin
			}
			m.CoverageEnd = end
		}
	case action == MaintReinstate:
		if begin != "" {
			m.CoverageStart = begin
		}
		m.CoverageEnd = end
	case hasCov: // 021, 001 with coverage data
		m.CoverageStart = mergeStart(old, begin)
		m.CoverageEnd = end
	}
	if m.CoverageEnd != "" && m.CoverageStart != "" && m.CoverageEnd < m.CoverageStart {
		return refuse(ErrCoverageOrder)
	}

	row, change, err := imp.tx.UpsertMember(ctx, m)
	if err != nil {
		return err
	}
	imp.touch(row)
	if action == MaintReinstate && old != nil && change == store.MemberChanged {
		imp.res.Reinstated++
		return nil
	}
	imp.count(change)
	return nil
}

// mergeStart keeps an existing coverage start when the new begin date
// continues coverage that has not ended (or ended the day before), so a
// coverage added later (say dental) does not shorten the member's span.
func mergeStart(old *store.Member, begin string) string {
	if begin == "" {
		return old.CoverageStart
	}
	if old.CoverageStart != "" && old.CoverageStart < begin &&
		(old.CoverageEnd == "" || old.CoverageEnd >= dayBefore(begin)) {
		return old.CoverageStart
	}
	return begin
}
