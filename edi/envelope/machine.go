package envelope

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Machine is the streaming envelope validator. Feed it every segment (and
// every tokenizer SyntaxError) in input order, then call Finish. It keeps
// per-set summaries and issues, never segments, so memory does not grow
// with the size of the input. A Machine validates one input; it is not
// safe for concurrent use.
type Machine struct {
	opts      Options
	supported []SetKey
	res       Result

	// interchange in progress
	inIC    bool
	ic      Interchange
	gsSeen  map[string]struct{}
	isaSeen map[string]struct{}

	// group in progress
	inGrp  bool
	grp    Group
	stSeen map[string]struct{}

	// set in progress
	inSet bool
	set   Set
	info  SetInfo
	body  BodyValidator
	pos   int // position of the last segment counted in the set (ST = 1)

	// pending is true while the last set of the group was closed by its SE
	// and OnSetEnd has not been called (segments straying after an SE are
	// charged to that set).
	pending bool
	// stray is true inside a run of stray segments already reported.
	stray bool
}

// New returns a Machine configured by opts (nil means the zero Options).
func New(opts *Options) *Machine {
	m := &Machine{
		gsSeen:  make(map[string]struct{}),
		isaSeen: make(map[string]struct{}),
		stSeen:  make(map[string]struct{}),
	}
	if opts != nil {
		m.opts = *opts
	}
	m.supported = m.opts.Supported
	if m.supported == nil {
		m.supported = Known
	}
	return m
}

// Segment processes the next segment. It returns an error only when the
// body validator (or the handler behind it) fails; validation findings are
// issues in the Result, never errors.
func (m *Machine) Segment(seg *x12.Segment) error {
	m.res.Segments++
	id := seg.ID()
	switch len(id) {
	case 2:
		switch {
		case id[0] == 'S' && id[1] == 'T':
			return m.st(seg)
		case id[0] == 'S' && id[1] == 'E':
			if m.inSet {
				return m.se(seg)
			}
		case id[0] == 'G' && id[1] == 'S':
			m.gs(seg)
			return nil
		case id[0] == 'G' && id[1] == 'E':
			m.ge(seg)
			return nil
		}
	case 3:
		switch {
		case id[0] == 'I' && id[1] == 'S' && id[2] == 'A':
			m.isa(seg)
			return nil
		case id[0] == 'I' && id[1] == 'E' && id[2] == 'A':
			m.iea(seg)
			return nil
		case id[0] == 'T' && id[1] == 'A' && id[2] == '1':
			return m.ta1(seg)
		}
	}
	if m.inSet {
		return m.bodySegment(seg)
	}
	m.strayAt(seg.Offset, segmentTag(seg), "segment outside a transaction set")
	return nil
}

// SyntaxError records a tokenizer error. final is true when the input
// ended right after it (nothing more could be read): a damaged ISA header
// at the very end is then a premature end of file (TA1 023) instead of
// invalid interchange content (024).
func (m *Machine) SyntaxError(e *x12.SyntaxError, final bool) {
	switch {
	case errors.Is(e.Err, x12.ErrNoISA):
		m.fileIssue(ack.NoteBadContent, ack.Warning, e.Offset, "data outside an ISA..IEA interchange ignored")
	case errors.Is(e.Err, x12.ErrBadISA), errors.Is(e.Err, x12.ErrBadDelimiter):
		m.endPendingSet()
		if m.inIC {
			m.closeAll(e.Offset)
		}
		code, msg := ack.NoteBadContent, "ISA header cannot be read; the interchange was skipped"
		switch {
		case errors.Is(e.Err, x12.ErrBadDelimiter):
			code, msg = ack.NoteBadElementSeparator, "ISA header names invalid delimiters (not distinct, or letters or digits); the interchange was skipped"
		case final:
			code, msg = ack.NotePrematureEnd, "input ends inside the ISA header"
		}
		m.res.Segments++
		m.ic = Interchange{Offset: e.Offset}
		m.inIC = true
		m.icIssue(code, ack.Error, nil, 0, msg)
		m.ic.Issues[len(m.ic.Issues)-1].Offset = e.Offset
		m.ic.Issues[len(m.ic.Issues)-1].SegmentID = "ISA"
		m.closeIC(false, e.Offset)
	default:
		// ErrSegmentTooLong (and anything else): the segment was skipped.
		m.res.Segments++
		if m.inSet {
			m.pos++
			m.setIssue(ack.LevelSegment, ack.SegmentUnrecognized, ack.Error, "UNK", m.pos, 0, e.Offset,
				fmt.Sprintf("segment could not be read: %v", e.Err))
			return
		}
		m.strayAt(e.Offset, "UNK", fmt.Sprintf("segment could not be read: %v", e.Err))
	}
}

// Finish closes whatever is still open at end (the input offset reached)
// and returns the result. The Machine must not be used afterwards.
func (m *Machine) Finish(end int64) *Result {
	m.endPendingSet()
	if m.inIC {
		m.closeAll(end)
	}
	if len(m.res.Interchanges) == 0 {
		m.fileIssue(ack.NoteBadContent, ack.Error, end, "no ISA interchange header found")
	}
	m.res.Bytes = end
	return &m.res
}

// closeAll ends the open set, group and interchange because the input
// ended or a new ISA started at off without an IEA.
func (m *Machine) closeAll(off int64) {
	if m.inSet {
		m.closeSet(true, off)
	}
	if m.inGrp {
		m.closeGroup(true, off)
	}
	m.closeIC(true, off)
}

// ---- interchange ----------------------------------------------------------

func (m *Machine) isa(seg *x12.Segment) {
	m.endPendingSet()
	if m.inIC {
		m.closeAll(seg.Offset)
	}
	m.ic = Interchange{Offset: seg.Offset}
	m.inIC = true
	m.stray = false
	clear(m.gsSeen)
	m.checkISA(seg)
	if digits(seg.Element(13)) {
		key := m.ic.Sender.String() + "|" + m.ic.Receiver.String() + "|" + m.ic.Control
		if _, dup := m.isaSeen[key]; dup {
			m.icIssue(ack.NoteDuplicateControl, ack.Error, seg, 13,
				fmt.Sprintf("interchange control number %s already used in this input by the same sender", m.ic.Control))
		} else {
			m.isaSeen[key] = struct{}{}
		}
	}
}

func (m *Machine) iea(seg *x12.Segment) {
	m.endPendingSet()
	if m.inSet {
		m.closeSet(true, seg.Offset)
	}
	if m.inGrp {
		m.closeGroup(true, seg.Offset)
	}
	if !m.inIC {
		m.strayAt(seg.Offset, "IEA", "IEA without ISA")
		return
	}
	m.stray = false
	n1 := seg.Element(1)
	m.ic.DeclaredGroups = string(n1)
	if n, ok := atoi(n1); !ok || n != int64(len(m.ic.Groups)) {
		sev := ack.Error
		if m.opts.Lenient.GroupCount {
			sev = ack.Warning
		}
		m.icIssue(ack.NoteBadGroupCount, sev, seg, 1,
			fmt.Sprintf("IEA01 says %q functional groups, the interchange has %d", n1, len(m.ic.Groups)))
	}
	c := seg.Element(2)
	if m.opts.Lenient.ISAWidth {
		c = trimmed(c)
	}
	if string(c) != m.ic.Control {
		m.icIssue(ack.NoteControlMismatch, ack.Error, seg, 2,
			fmt.Sprintf("IEA02 %q does not match ISA13 %q", c, m.ic.Control))
	}
	m.ic.Ended = true
	m.closeIC(false, seg.Offset)
}

func (m *Machine) ta1(seg *x12.Segment) error {
	switch {
	case m.inSet:
		m.pos++
		m.setIssue(ack.LevelSegment, ack.SegmentUnexpected, ack.Error, "TA1", m.pos, 0, seg.Offset,
			"TA1 inside a transaction set")
	case m.inGrp:
		m.strayAt(seg.Offset, "TA1", "TA1 inside a functional group")
	case !m.inIC:
		m.strayAt(seg.Offset, "TA1", "TA1 outside an interchange")
	}
	// A TA1 between ISA and the groups is valid content (IEA01 does not
	// count it).
	return nil
}

// closeIC finishes the interchange: missing means no IEA was seen (the
// input ended or a new ISA started at off).
func (m *Machine) closeIC(missing bool, off int64) {
	if missing {
		m.icIssue(ack.NotePrematureEnd, ack.Error, nil, 0, "interchange ends without IEA")
		is := &m.ic.Issues[len(m.ic.Issues)-1]
		is.Offset, is.SegmentID = off, "IEA"
	}
	ic := &m.ic
	ic.TA1 = ack.TA1{Ack: ack.Verdict(ic.Issues), Note: ack.NoteNoError}
	if note := firstCode(ic.Issues); note != "" {
		ic.TA1.Note = note
	}
	ic.SendTA1 = ic.AckRequested || ic.TA1.Ack != ack.Accepted || m.opts.RequireTA1
	m.res.Interchanges = append(m.res.Interchanges, m.ic)
	m.inIC = false
	m.ic = Interchange{}
	m.stray = false
	if m.opts.OnInterchangeEnd != nil {
		m.opts.OnInterchangeEnd(&m.res.Interchanges[len(m.res.Interchanges)-1])
	}
}

// firstCode returns the code of the first error, else of the first
// warning, else "".
func firstCode(issues []ack.Issue) string {
	for _, is := range issues {
		if is.Severity == ack.Error {
			return is.Code
		}
	}
	if len(issues) > 0 {
		return issues[0].Code
	}
	return ""
}

// ---- group ----------------------------------------------------------------

func (m *Machine) gs(seg *x12.Segment) {
	m.endPendingSet()
	if m.inSet {
		m.closeSet(true, seg.Offset)
	}
	if m.inGrp {
		m.closeGroup(true, seg.Offset)
	}
	if !m.inIC {
		m.strayAt(seg.Offset, "GS", "GS outside an interchange")
		return
	}
	m.stray = false
	m.inGrp = true
	clear(m.stSeen)
	g := &m.grp
	*g = Group{
		FunctionalID: string(seg.Element(1)),
		Sender:       string(seg.Element(2)),
		Receiver:     string(seg.Element(3)),
		Date:         string(seg.Element(4)),
		Time:         string(seg.Element(5)),
		Control:      string(seg.Element(6)),
		Version:      string(seg.Element(8)),
		Offset:       seg.Offset,
	}
	switch {
	case !m.groupKnown(g.FunctionalID):
		m.grpIssue(ack.GroupNotSupported, ack.Error, seg, 1,
			fmt.Sprintf("functional group %q is not supported", g.FunctionalID))
	case !m.groupVersion(g.FunctionalID, g.Version):
		m.grpIssue(ack.GroupVersionNotSupported, ack.Error, seg, 8,
			fmt.Sprintf("version %q is not supported for functional group %s", g.Version, g.FunctionalID))
	}
	if c := seg.Element(6); len(c) > 9 || !digits(c) {
		m.grpIssue(ack.GroupControlSyntax, ack.Error, seg, 6, "GS06 group control number must be 1 to 9 digits")
	} else {
		key := string(stripZeros(c))
		if _, dup := m.gsSeen[key]; dup {
			m.grpIssue(ack.GroupControlNotUnique, ack.Error, seg, 6,
				fmt.Sprintf("group control number %s already used in this interchange", c))
		} else {
			m.gsSeen[key] = struct{}{}
		}
	}
	// GS fields without an AK905 code of their own are interchange
	// content problems (TA1 024), noted as warnings.
	if n := len(seg.Element(2)); n < 2 || n > 15 {
		m.icIssue(ack.NoteBadContent, ack.Warning, seg, 2, "GS02 application sender code must have 2 to 15 characters")
	}
	if n := len(seg.Element(3)); n < 2 || n > 15 {
		m.icIssue(ack.NoteBadContent, ack.Warning, seg, 3, "GS03 application receiver code must have 2 to 15 characters")
	}
	if !validCCYYMMDD(seg.Element(4)) {
		m.icIssue(ack.NoteBadContent, ack.Warning, seg, 4, "GS04 date is not a valid CCYYMMDD date")
	}
	if !validTime(seg.Element(5)) {
		m.icIssue(ack.NoteBadContent, ack.Warning, seg, 5, "GS05 time is not a valid HHMM[SS[dd]] time")
	}
	if string(seg.Element(7)) != "X" {
		m.icIssue(ack.NoteBadContent, ack.Warning, seg, 7, "GS07 responsible agency code must be X")
	}
}

func (m *Machine) ge(seg *x12.Segment) {
	m.endPendingSet()
	if m.inSet {
		m.closeSet(true, seg.Offset)
	}
	if !m.inGrp {
		m.strayAt(seg.Offset, "GE", "GE without GS")
		return
	}
	m.stray = false
	g := &m.grp
	n1 := seg.Element(1)
	if n, ok := atoi(n1); ok && n <= 999999 {
		g.Included = int(n)
		if int(n) != len(g.Sets) {
			sev := ack.Error
			if m.opts.Lenient.GroupCount {
				sev = ack.Warning
			}
			m.grpIssue(ack.GroupCountWrong, sev, seg, 1,
				fmt.Sprintf("GE01 says %d transaction sets, the group has %d", n, len(g.Sets)))
		}
	} else {
		g.Included = -1
		m.grpIssue(ack.GroupCountWrong, ack.Error, seg, 1, "GE01 number of included transaction sets is not a number")
	}
	if c := seg.Element(2); !sameNumber(c, []byte(g.Control)) {
		m.grpIssue(ack.GroupControlMismatch, ack.Error, seg, 2,
			fmt.Sprintf("GE02 %q does not match GS06 %q", c, g.Control))
	}
	g.Ended = true
	m.closeGroup(false, seg.Offset)
}

// closeGroup finishes the group; missing means no GE was seen.
func (m *Machine) closeGroup(missing bool, off int64) {
	g := &m.grp
	if missing {
		m.grpIssue(ack.GroupTrailerMissing, ack.Error, nil, 0, "functional group ends without GE")
		is := &g.Issues[len(g.Issues)-1]
		is.Offset, is.SegmentID = off, "GE"
		g.Included = -1
	}
	if g.Included < 0 {
		g.Included = len(g.Sets)
	}
	acks := make([]string, len(g.Sets))
	accepted := 0
	for i := range g.Sets {
		acks[i] = g.Sets[i].Ack
		if ack.IsAccepted(acks[i]) {
			accepted++
		}
	}
	g.Ack = ack.GroupVerdict(g.Issues, acks)
	g.Received = len(g.Sets)
	g.Accepted = accepted
	if g.Ack == ack.Rejected {
		g.Accepted = 0
	}
	m.ic.Groups = append(m.ic.Groups, m.grp)
	m.grp = Group{}
	m.inGrp = false
}

// ---- transaction set ------------------------------------------------------

func (m *Machine) st(seg *x12.Segment) error {
	m.endPendingSet()
	if m.inSet {
		m.closeSet(true, seg.Offset)
	}
	if !m.inGrp {
		m.strayAt(seg.Offset, "ST", "transaction set outside a functional group")
		return nil
	}
	m.stray = false
	m.inSet = true
	m.pos = 1
	g := &m.grp
	s := &m.set
	*s = Set{
		ID:        string(seg.Element(1)),
		Control:   string(seg.Element(2)),
		Reference: string(seg.Element(3)),
		Offset:    seg.Offset,
	}
	s.Version = s.Reference
	if s.Version == "" {
		s.Version = g.Version
	}

	idOK := len(s.ID) == 3 && digits(seg.Element(1))
	if !idOK {
		m.setIssue(ack.LevelTransaction, ack.SetBadIdentifier, ack.Error, "ST", 1, 1, seg.ElementOffset(1),
			"ST01 transaction set identifier must be three digits")
	}
	if n := len(s.Control); n < 4 || n > 9 || !printable(seg.Element(2)) {
		m.setIssue(ack.LevelTransaction, ack.SetBadControl, ack.Error, "ST", 1, 2, seg.ElementOffset(2),
			"ST02 transaction set control number must have 4 to 9 characters")
	} else if _, dup := m.stSeen[s.Control]; dup {
		m.setIssue(ack.LevelTransaction, ack.SetControlNotUnique, ack.Error, "ST", 1, 2, seg.ElementOffset(2),
			fmt.Sprintf("transaction set control number %s already used in this functional group", s.Control))
	} else {
		m.stSeen[s.Control] = struct{}{}
	}
	switch {
	case s.Reference == "" && !m.opts.Lenient.MissingST03 && !st03NotUsed(s.ID, g.Version):
		m.setIssue(ack.LevelTransaction, ack.SetBadConventionRef, ack.Error, "ST", 1, 3, seg.Offset,
			"ST03 implementation convention reference is missing")
	case s.Reference != "" && s.Reference != g.Version:
		sev := ack.Error
		if m.opts.Lenient.ST03Mismatch {
			sev = ack.Warning
		}
		m.setIssue(ack.LevelTransaction, ack.SetBadConventionRef, sev, "ST", 1, 3, seg.ElementOffset(3),
			fmt.Sprintf("ST03 %q does not match GS08 %q", s.Reference, g.Version))
	}
	supported := false
	if idOK {
		switch {
		case !m.setIDKnown(s.ID):
			m.setIssue(ack.LevelTransaction, ack.SetNotSupported, ack.Error, "ST", 1, 1, seg.ElementOffset(1),
				fmt.Sprintf("transaction set %s is not supported", s.ID))
		case !m.setInGroup(g.FunctionalID, s.ID):
			m.setIssue(ack.LevelTransaction, ack.SetNotSupported, ack.Error, "ST", 1, 1, seg.ElementOffset(1),
				fmt.Sprintf("transaction set %s is not supported in functional group %q", s.ID, g.FunctionalID))
		case !m.setSupported(g.FunctionalID, s.ID, s.Version):
			off := seg.ElementOffset(3)
			if s.Reference == "" {
				off = seg.Offset
			}
			m.setIssue(ack.LevelTransaction, ack.SetConventionNotSupported, ack.Error, "ST", 1, 3, off,
				fmt.Sprintf("implementation convention %q is not supported for transaction set %s", s.Version, s.ID))
		default:
			supported = true
		}
	}
	ic := &m.ic
	m.info = SetInfo{
		Interchange:  ic.Control,
		Sender:       ic.Sender,
		Receiver:     ic.Receiver,
		Usage:        ic.Usage,
		FunctionalID: g.FunctionalID,
		Group:        g.Control,
		GroupVersion: g.Version,
		AppSender:    g.Sender,
		AppReceiver:  g.Receiver,
		ID:           s.ID,
		Control:      s.Control,
		Reference:    s.Reference,
		Version:      s.Version,
		Offset:       s.Offset,
		Supported:    supported,
	}
	m.body = nil
	if supported && m.opts.Body != nil {
		m.body = m.opts.Body(m.info)
	}
	if m.body != nil {
		s.BodyChecked = true
		if err := m.body.Segment(seg); err != nil {
			return m.bodyErr(err)
		}
	}
	return nil
}

func (m *Machine) bodyErr(err error) error {
	return fmt.Errorf("envelope: transaction set %s (ST02 %s, GS06 %s, ISA13 %s): %w",
		m.set.ID, m.set.Control, m.grp.Control, m.ic.Control, err)
}

// bodySegment handles a segment between ST and SE.
func (m *Machine) bodySegment(seg *x12.Segment) error {
	m.pos++
	if !seg.ValidID() {
		m.setIssue(ack.LevelSegment, ack.SegmentUnrecognized, ack.Error, segmentTag(seg), m.pos, 0, seg.Offset,
			"unrecognized segment identifier")
	}
	if m.body != nil {
		if err := m.body.Segment(seg); err != nil {
			return m.bodyErr(err)
		}
	}
	return nil
}

func (m *Machine) se(seg *x12.Segment) error {
	m.pos++
	if m.body != nil {
		if err := m.body.Segment(seg); err != nil {
			return m.bodyErr(err)
		}
	}
	if n, ok := atoi(seg.Element(1)); !ok || n != int64(m.pos) {
		sev := ack.Error
		if m.opts.Lenient.SegmentCount && ok {
			sev = ack.Warning
		}
		m.setIssue(ack.LevelTransaction, ack.SetCountWrong, sev, "SE", m.pos, 1, seg.ElementOffset(1),
			fmt.Sprintf("SE01 says %q segments, the transaction set has %d", seg.Element(1), m.pos))
	}
	if c := seg.Element(2); string(c) != m.set.Control {
		m.setIssue(ack.LevelTransaction, ack.SetControlMismatch, ack.Error, "SE", m.pos, 2, seg.ElementOffset(2),
			fmt.Sprintf("SE02 %q does not match ST02 %q", c, m.set.Control))
	}
	m.closeSet(false, seg.Offset)
	return nil
}

// closeSet finishes the set; missing means it was cut off at off without
// an SE.
func (m *Machine) closeSet(missing bool, off int64) {
	s := &m.set
	if missing {
		m.setIssue(ack.LevelTransaction, ack.SetTrailerMissing, ack.Error, "SE", m.pos+1, 0, off,
			"transaction set ends without SE")
	}
	s.SegmentCount = m.pos
	if m.body != nil {
		m.mergeBody(m.body.Finish())
		m.body = nil
	}
	s.Ack = ack.Verdict(s.Issues)
	m.grp.Sets = append(m.grp.Sets, *s)
	m.set = Set{}
	m.inSet = false
	m.stray = false
	if missing {
		m.fireSetEnd()
	} else {
		m.pending = true
	}
}

// mergeBody adds the body validator's issues, dropping a segment issue the
// envelope already reported for the same segment (an unrecognized ID).
func (m *Machine) mergeBody(issues []ack.Issue) {
	s := &m.set
	n := len(s.Issues)
next:
	for _, is := range issues {
		if is.Level == ack.LevelSegment {
			for _, e := range s.Issues[:n] {
				if e.Level == ack.LevelSegment && e.Position == is.Position && e.Code == is.Code {
					continue next
				}
			}
		}
		if is.Interchange == "" {
			is.Interchange = m.ic.Control
		}
		if is.Group == "" {
			is.Group = m.grp.Control
		}
		if is.Transaction == "" {
			is.Transaction = s.Control
		}
		s.Issues = append(s.Issues, is)
	}
}

// fireSetEnd calls OnSetEnd for the group's last set.
func (m *Machine) fireSetEnd() {
	m.pending = false
	if m.opts.OnSetEnd == nil || len(m.grp.Sets) == 0 {
		return
	}
	s := &m.grp.Sets[len(m.grp.Sets)-1]
	m.opts.OnSetEnd(SetResult{
		SetInfo:      m.info,
		Ack:          s.Ack,
		Issues:       s.Issues,
		SegmentCount: s.SegmentCount,
		BodyChecked:  s.BodyChecked,
	})
}

func (m *Machine) endPendingSet() {
	if m.pending {
		m.fireSetEnd()
	}
}

// ---- stray segments -------------------------------------------------------

// strayAt handles a segment found where none may be: after an SE (charged
// to that set as IK304 2), elsewhere in an interchange (TA1 024) or outside
// any interchange (a file-level warning). Only the first segment of a run
// is reported.
func (m *Machine) strayAt(off int64, tag, msg string) {
	if m.pending && m.inGrp && len(m.grp.Sets) > 0 {
		m.pos++
		if m.stray {
			return
		}
		m.stray = true
		s := &m.grp.Sets[len(m.grp.Sets)-1]
		s.Issues = append(s.Issues, ack.Issue{
			Level: ack.LevelSegment, Severity: ack.Error, Code: ack.SegmentUnexpected,
			SegmentID: tag, Position: m.pos, Offset: off,
			Interchange: m.ic.Control, Group: m.grp.Control, Transaction: s.Control,
			Message: msg + " (after SE)",
		})
		s.Ack = ack.Verdict(s.Issues)
		return
	}
	if m.stray {
		return
	}
	m.stray = true
	if m.inIC {
		m.icIssue(ack.NoteBadContent, ack.Error, nil, 0, msg)
		is := &m.ic.Issues[len(m.ic.Issues)-1]
		is.Offset, is.SegmentID = off, tag
		return
	}
	m.fileIssue(ack.NoteBadContent, ack.Warning, off, msg)
}

// ---- issues ---------------------------------------------------------------

func (m *Machine) fileIssue(code string, sev ack.Severity, off int64, msg string) {
	m.res.Issues = append(m.res.Issues, ack.Issue{
		Level: ack.LevelInterchange, Severity: sev, Code: code, Offset: off, Message: msg,
	})
}

// icIssue records an interchange-level issue at element elem of seg (the
// caller fills Offset when seg is nil).
func (m *Machine) icIssue(code string, sev ack.Severity, seg *x12.Segment, elem int, msg string) {
	is := ack.Issue{Level: ack.LevelInterchange, Severity: sev, Code: code, Interchange: m.ic.Control, Message: msg}
	if seg != nil {
		is.SegmentID = seg.Tag()
		is.Element = elem
		is.Offset = seg.ElementOffset(elem)
		is.Ordinal = seg.Ordinal
	}
	if m.inGrp {
		is.Group = m.grp.Control
	}
	m.ic.Issues = append(m.ic.Issues, is)
}

func (m *Machine) grpIssue(code string, sev ack.Severity, seg *x12.Segment, elem int, msg string) {
	is := ack.Issue{Level: ack.LevelGroup, Severity: sev, Code: code, Interchange: m.ic.Control,
		Group: m.grp.Control, Message: msg}
	if seg != nil {
		is.SegmentID = seg.Tag()
		is.Element = elem
		is.Offset = seg.ElementOffset(elem)
		is.Ordinal = seg.Ordinal
	}
	m.grp.Issues = append(m.grp.Issues, is)
}

// maxSegmentIssues caps the segment-level issues the envelope records for
// one set (a set of garbage could otherwise have one per segment); the
// rest are counted in Set.Dropped. Transaction-level issues are always
// kept.
const maxSegmentIssues = 10000

func (m *Machine) setIssue(level ack.Level, code string, sev ack.Severity, tag string, pos, elem int, off int64, msg string) {
	if level != ack.LevelTransaction && len(m.set.Issues) >= maxSegmentIssues {
		m.set.Dropped++
		return
	}
	m.set.Issues = append(m.set.Issues, ack.Issue{
		Level: level, Severity: sev, Code: code, SegmentID: tag, Position: pos, Element: elem, Offset: off,
		Interchange: m.ic.Control, Group: m.grp.Control, Transaction: m.set.Control, Message: msg,
	})
}

// segmentTag returns the segment's ID for IK301, cut to three characters
// (an unrecognized "ID" may be any text).
func segmentTag(seg *x12.Segment) string {
	id := seg.ID()
	if len(id) > 3 {
		id = id[:3]
	}
	if seg.ValidID() {
		return seg.Tag()
	}
	return string(bytes.ToValidUTF8(id, []byte("?")))
}

func stripZeros(b []byte) []byte {
	for len(b) > 1 && b[0] == '0' {
		b = b[1:]
	}
	return b
}

// ---- supported set kinds --------------------------------------------------

func (m *Machine) groupKnown(gs01 string) bool {
	for _, k := range m.supported {
		if k.FunctionalID == gs01 {
			return true
		}
	}
	return false
}

func (m *Machine) groupVersion(gs01, v string) bool {
	for _, k := range m.supported {
		if k.FunctionalID == gs01 && k.Version == v {
			return true
		}
	}
	return false
}

func (m *Machine) setIDKnown(st01 string) bool {
	for _, k := range m.supported {
		if k.ID == st01 {
			return true
		}
	}
	return false
}

func (m *Machine) setInGroup(gs01, st01 string) bool {
	for _, k := range m.supported {
		if k.FunctionalID == gs01 && k.ID == st01 {
			return true
		}
	}
	return false
}

func (m *Machine) setSupported(gs01, st01, v string) bool {
	for _, k := range m.supported {
		if k.FunctionalID == gs01 && k.ID == st01 && k.Version == v {
			return true
		}
	}
	return false
}

// st03NotUsed reports whether the implementation guide of a set leaves
// ST03 out: the 835 guide (005010X221A1) does not use it, so an 835 takes
// its convention from GS08 (one that carries ST03 anyway is accepted when
// it matches GS08).
func st03NotUsed(setID, gs08 string) bool {
	return setID == "835" && gs08 == "005010X221A1"
}
