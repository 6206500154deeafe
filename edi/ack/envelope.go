package ack

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// InterchangeHeader is the received ISA an acknowledgment answers. Values
// are as received, with the padding of ISA06/ISA08 trimmed.
type InterchangeHeader struct {
	SenderQualifier   string // ISA05
	SenderID          string // ISA06
	ReceiverQualifier string // ISA07
	ReceiverID        string // ISA08
	Date              string // ISA09, YYMMDD
	Time              string // ISA10, HHMM
	Version           string // ISA12
	Control           string // ISA13
	AckRequested      bool   // ISA14 = 1
	Usage             string // ISA15, P/T/I
}

// TA1 is the outcome of interchange validation: TA104 and TA105.
type TA1 struct {
	Ack  string // Accepted, AcceptedWithErrors or Rejected
	Note string // TA105 note code, "000" when accepted without errors
}

// GroupResult is one received functional group and its validation
// outcome: the input of Write999.
type GroupResult struct {
	// Interchange is the ISA the group arrived in (the 999's envelope
	// answers it, sender and receiver swapped).
	Interchange InterchangeHeader

	FunctionalID string // GS01 (AK101)
	Sender       string // GS02
	Receiver     string // GS03
	Control      string // GS06 (AK102)
	Version      string // GS08 (AK103)

	Ack      string // AK901
	Included int    // AK902: GE01 as received (sets received when GE01 is unusable)
	Received int    // AK903: sets received
	Accepted int    // AK904: sets accepted (IK501 A or E, 0 when the group is rejected)
	// Issues are the group-level issues (AK905..AK909 codes).
	Issues []Issue
	Sets   []SetResult
}

// SetResult is one received transaction set and its outcome.
type SetResult struct {
	ID        string // ST01 (AK201)
	Control   string // ST02 (AK202)
	Reference string // ST03 (AK203), "" when absent
	Ack       string // IK501
	// Issues are the set's transaction, segment and element issues.
	Issues []Issue
}

// OutboundEnvelope says how to address and number an acknowledgment
// interchange we send. Zero values take the documented defaults.
type OutboundEnvelope struct {
	// Control is our ISA13 (1..999999999), written zero-filled. Required.
	Control int64
	// GroupControl is our GS06 (1..999999999). Required for a 999.
	GroupControl int64
	// SetControl is our ST02 (default 1, written as "0001").
	SetControl int64
	// Time is written in ISA09/ISA10 and GS04/GS05, in its own location.
	// Required (inject a clock; the writers never read the system time).
	Time time.Time

	// SenderQualifier/SenderID (ISA05/ISA06) default to the received
	// ISA07/ISA08; ReceiverQualifier/ReceiverID (ISA07/ISA08) to the
	// received ISA05/ISA06.
	SenderQualifier   string
	SenderID          string
	ReceiverQualifier string
	ReceiverID        string
	// AppSender/AppReceiver (GS02/GS03 of a 999) default to the received
	// GS03/GS02.
	AppSender   string
	AppReceiver string
	// Usage is ISA15; default the received ISA15, else "P".
	Usage string
	// AckRequested sets ISA14 to 1 (default 0: we do not want a TA1 back).
	AckRequested bool
	// Delimiters to write with; the zero value means x12.DefaultDelimiters.
	// Either way a delimiter that occurs in a value being written is
	// replaced by an unused one (see PickDelimiters).
	Delimiters x12.Delimiters
	// Suffix is written after each segment terminator ("\n" for files
	// people read); default none.
	Suffix string
}

// Errors returned by the writers.
var (
	// ErrControlNumber means an outbound control number is out of range.
	ErrControlNumber = errors.New("ack: control number out of range 1..999999999")
	// ErrNoTime means OutboundEnvelope.Time is zero.
	ErrNoTime = errors.New("ack: outbound envelope time not set")
	// ErrNoParty means a sender or receiver ID for the outbound ISA is
	// neither given nor known from the received ISA.
	ErrNoParty = errors.New("ack: outbound sender or receiver unknown")
)

const maxControl = 999_999_999

// isaParties resolves the outbound ISA05..ISA08.
func (o *OutboundEnvelope) isaParties(in InterchangeHeader) (sq, sid, rq, rid string, err error) {
	sq, sid = o.SenderQualifier, o.SenderID
	if sid == "" {
		sq, sid = in.ReceiverQualifier, in.ReceiverID
	}
	rq, rid = o.ReceiverQualifier, o.ReceiverID
	if rid == "" {
		rq, rid = in.SenderQualifier, in.SenderID
	}
	if sid == "" || rid == "" {
		return "", "", "", "", ErrNoParty
	}
	if sq == "" {
		sq = "ZZ"
	}
	if rq == "" {
		rq = "ZZ"
	}
	return sq, sid, rq, rid, nil
}

func (o *OutboundEnvelope) usage(in InterchangeHeader) string {
	switch {
	case o.Usage != "":
		return o.Usage
	case in.Usage == "P" || in.Usage == "T" || in.Usage == "I":
		return in.Usage
	}
	return "P"
}

func (o *OutboundEnvelope) check(needGroup bool) error {
	if o.Control < 1 || o.Control > maxControl {
		return fmt.Errorf("isa13 %d: %w", o.Control, ErrControlNumber)
	}
	if needGroup && (o.GroupControl < 1 || o.GroupControl > maxControl) {
		return fmt.Errorf("gs06 %d: %w", o.GroupControl, ErrControlNumber)
	}
	if o.SetControl < 0 || o.SetControl > maxControl {
		return fmt.Errorf("st02 %d: %w", o.SetControl, ErrControlNumber)
	}
	if o.Time.IsZero() {
		return ErrNoTime
	}
	return nil
}

// pad left-justifies s in a field of width n (truncating when longer).
func pad(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat(" ", n-len(s))
}

// PickDelimiters returns d (x12.DefaultDelimiters when d is zero) with every
// delimiter that occurs in one of values replaced by an unused candidate,
// so no written value can be mistaken for structure (X12 has no escape
// character). It returns false when no unused candidate is left for some
// role; the caller then scrubs values (see Scrub).
func PickDelimiters(d x12.Delimiters, values ...string) (x12.Delimiters, bool) {
	if d == (x12.Delimiters{}) {
		d = x12.DefaultDelimiters
	}
	var used [256]bool
	for _, v := range values {
		for i := 0; i < len(v); i++ {
			used[v[i]] = true
		}
	}
	// Candidates per role in order of preference: the usual printable
	// choices first, then the information separators (FS, GS, RS, US)
	// some partners use.
	roles := []struct {
		b          *byte
		candidates string
	}{
		{&d.Element, "*|!+^\x1d"},
		{&d.Repetition, "^{}\\`\x1f"},
		{&d.Component, ":>\\{`\x1f"},
		{&d.Segment, "~'!\x1c\x1e"},
	}
	taken := func(c byte, self *byte) bool {
		if used[c] {
			return true
		}
		for _, r := range roles {
			if r.b != self && *r.b == c {
				return true
			}
		}
		return false
	}
	ok := true
	for _, r := range roles {
		if *r.b != 0 && !taken(*r.b, r.b) {
			continue
		}
		found := false
		for i := 0; i < len(r.candidates); i++ {
			if c := r.candidates[i]; !taken(c, r.b) {
				*r.b = c
				found = true
				break
			}
		}
		if !found {
			ok = false
		}
	}
	return d, ok && d.Valid()
}

// Scrub makes a value copied from received data safe to write: every
// delimiter byte becomes a space and every byte outside the X12 basic and
// extended character sets (control characters, DEL, bytes of 0x80 and
// above: the ones a 999 reports with IK403 6) becomes '?', so an
// acknowledgment never carries the bytes it rejects.
func Scrub(s string, d x12.Delimiters) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || isDelim(c, d) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	bad := byte('?')
	if isDelim(bad, d) {
		bad = ' '
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case isDelim(c, d):
			b[i] = ' '
		case c < 0x20 || c >= 0x7f:
			b[i] = bad
		}
	}
	return string(b)
}

func isDelim(c byte, d x12.Delimiters) bool {
	return c == d.Element || c == d.Component || c == d.Segment || (d.Repetition != 0 && c == d.Repetition)
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ISA is the header of an interchange we write.
type ISA struct {
	SenderQualifier, SenderID     string // ISA05/ISA06
	ReceiverQualifier, ReceiverID string // ISA07/ISA08
	Time                          time.Time
	Control                       int64 // ISA13
	AckRequested                  bool  // ISA14
	Usage                         string
}

// WriteISA writes h as a fixed-width ISA with w's delimiters (ISA11 is the
// repetition separator, or "U" when w has none). It is the one ISA writer
// for every outbound interchange (TA1, 999, 277CA, forwarded 837).
func WriteISA(w *x12.Writer, h ISA) error {
	d := w.Delimiters()
	rep := "U"
	if d.Repetition != 0 {
		rep = string(d.Repetition)
	}
	ack := "0"
	if h.AckRequested {
		ack = "1"
	}
	// ISA elements are fixed width and never trimmed, so write the
	// segment as one pre-joined element list with Write (no trailing
	// empties are possible: ISA16 is never empty).
	return w.Write("ISA",
		"00", pad("", 10), "00", pad("", 10),
		pad(h.SenderQualifier, 2), pad(h.SenderID, 15), pad(h.ReceiverQualifier, 2), pad(h.ReceiverID, 15),
		h.Time.Format("060102"), h.Time.Format("1504"), rep, "00501",
		fmt.Sprintf("%09d", h.Control), ack, h.Usage, string(d.Component))
}

// WriteIEA writes the IEA closing an interchange of groups functional
// groups with ISA13 control.
func WriteIEA(w *x12.Writer, groups int, control int64) error {
	return w.Write("IEA", strconv.Itoa(groups), fmt.Sprintf("%09d", control))
}
