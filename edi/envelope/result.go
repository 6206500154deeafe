package envelope

import (
	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Party is an interchange sender or receiver: ID qualifier (ISA05/ISA07)
// and ID (ISA06/ISA08, padding trimmed).
type Party struct {
	Qualifier string
	ID        string
}

// String returns "qualifier:id".
func (p Party) String() string { return p.Qualifier + ":" + p.ID }

// Result is the outcome of validating one input stream. It holds summaries
// and issues only, never segments, so its size depends on the number of
// transaction sets and issues, not on the size of the input.
type Result struct {
	Interchanges []Interchange
	// Issues are problems outside any interchange (data before the first
	// ISA or after an IEA, no interchange at all). Their Code is the TA105
	// note that would apply; no TA1 can carry them.
	Issues []ack.Issue
	// Segments is the number of segments read; Bytes the input offset
	// reached.
	Segments int
	Bytes    int64
}

// Interchange is one ISA..IEA envelope.
type Interchange struct {
	Control      string // ISA13
	Sender       Party  // ISA05/ISA06
	Receiver     Party  // ISA07/ISA08
	Date         string // ISA09 YYMMDD
	Time         string // ISA10 HHMM
	Version      string // ISA12
	Usage        string // ISA15: P, T or I
	AckRequested bool   // ISA14 = 1
	Delimiters   x12.Delimiters
	Offset       int64 // byte offset of the ISA
	// Ended is true when the IEA was read.
	Ended bool
	// DeclaredGroups is IEA01 as received ("" when no IEA).
	DeclaredGroups string

	// TA1 is the interchange acknowledgment outcome (TA104/TA105).
	TA1 ack.TA1
	// SendTA1 is true when a TA1 should be sent: the sender asked for one
	// (ISA14 = 1), the interchange is not accepted cleanly, or the caller
	// requires a TA1 for every interchange.
	SendTA1 bool
	// Issues are the interchange-level issues (TA105 note codes).
	Issues []ack.Issue
	Groups []Group
}

// Group is one GS..GE functional group.
type Group struct {
	FunctionalID string // GS01
	Sender       string // GS02
	Receiver     string // GS03
	Date         string // GS04
	Time         string // GS05
	Control      string // GS06
	Version      string // GS08
	Offset       int64
	// Ended is true when the GE was read.
	Ended bool

	// Ack is AK901.
	Ack string
	// Included is AK902: GE01 as received, or the number of sets received
	// when GE01 is missing or not a number. Received is AK903 and Accepted
	// AK904 (0 when the group is rejected as a whole).
	Included int
	Received int
	Accepted int
	// Issues are the group-level issues (AK905 codes).
	Issues []ack.Issue
	Sets   []Set
}

// Set is one ST..SE transaction set.
type Set struct {
	ID        string // ST01, e.g. "837"
	Control   string // ST02
	Reference string // ST03 as received ("" when absent)
	// Version is the implementation convention the set was validated
	// against: ST03, or GS08 when ST03 is absent.
	Version string
	// Ack is IK501.
	Ack string
	// Issues are the set's transaction-level (IK502), segment (IK3) and
	// element (IK4) issues.
	Issues []ack.Issue
	Offset int64 // byte offset of the ST
	// SegmentCount is the number of segments from ST through SE (or
	// through the last segment before the set was cut off).
	SegmentCount int
	// Dropped counts segment issues not kept because the set already had
	// 10000 (the body validator applies its own cap).
	Dropped int
	// BodyChecked is true when a body validator (implementation guide
	// schema) checked the segments between ST and SE; false means the
	// set was validated at the envelope level only.
	BodyChecked bool
}

// Codes returns the set's IK502..IK506 codes (all of them; the 999 keeps
// the first five).
func (s *Set) Codes() []string { return ack.SetCodes(s.Issues) }

// Codes returns the group's AK905..AK909 codes.
func (g *Group) Codes() []string { return ack.GroupErrorCodes(g.Issues) }

// Header returns the interchange's received ISA as the ack package needs
// it.
func (ic *Interchange) Header() ack.InterchangeHeader {
	return ack.InterchangeHeader{
		SenderQualifier:   ic.Sender.Qualifier,
		SenderID:          ic.Sender.ID,
		ReceiverQualifier: ic.Receiver.Qualifier,
		ReceiverID:        ic.Receiver.ID,
		Date:              ic.Date,
		Time:              ic.Time,
		Version:           ic.Version,
		Control:           ic.Control,
		AckRequested:      ic.AckRequested,
		Usage:             ic.Usage,
	}
}

// AckResult returns group g of interchange ic as the input of
// ack.Write999.
func (ic *Interchange) AckResult(g *Group) ack.GroupResult {
	sets := make([]ack.SetResult, len(g.Sets))
	for i := range g.Sets {
		s := &g.Sets[i]
		sets[i] = ack.SetResult{ID: s.ID, Control: s.Control, Reference: s.Reference, Ack: s.Ack, Issues: s.Issues}
	}
	return ack.GroupResult{
		Interchange:  ic.Header(),
		FunctionalID: g.FunctionalID,
		Sender:       g.Sender,
		Receiver:     g.Receiver,
		Control:      g.Control,
		Version:      g.Version,
		Ack:          g.Ack,
		Included:     g.Included,
		Received:     g.Received,
		Accepted:     g.Accepted,
		Issues:       g.Issues,
		Sets:         sets,
	}
}

// Accepted reports whether the interchange was not rejected (TA104 A or
// E). Its groups still have their own verdicts.
func (ic *Interchange) Accepted() bool { return ic.TA1.Ack != ack.Rejected }

// SetAccepted reports whether set s of group g in ic will be processed:
// the interchange is not rejected, the group is not rejected as a whole
// and the set's IK501 is A or E.
func (ic *Interchange) SetAccepted(g *Group, s *Set) bool {
	return ic.Accepted() && g.Ack != ack.Rejected && (s.Ack == ack.Accepted || s.Ack == ack.AcceptedWithErrors)
}

// Clean reports whether everything in the interchange was accepted
// without any issue noted.
func (ic *Interchange) Clean() bool {
	if ic.TA1.Ack != ack.Accepted {
		return false
	}
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		if g.Ack != ack.Accepted {
			return false
		}
		for si := range g.Sets {
			if g.Sets[si].Ack != ack.Accepted {
				return false
			}
		}
	}
	return true
}

// Accepted reports whether nothing in the input was rejected: there is at
// least one interchange, no interchange, group or set was rejected and no
// file-level error was found. Errors noted on accepted data (E) do not
// count as rejections.
func (r *Result) Accepted() bool {
	if len(r.Interchanges) == 0 {
		return false
	}
	for _, is := range r.Issues {
		if is.Severity == ack.Error {
			return false
		}
	}
	for ii := range r.Interchanges {
		ic := &r.Interchanges[ii]
		if !ic.Accepted() {
			return false
		}
		for gi := range ic.Groups {
			g := &ic.Groups[gi]
			if g.Ack != ack.Accepted && g.Ack != ack.AcceptedWithErrors {
				return false
			}
			for si := range g.Sets {
				if a := g.Sets[si].Ack; a != ack.Accepted && a != ack.AcceptedWithErrors {
					return false
				}
			}
		}
	}
	return true
}

// Status is the exit status of `clearinghouse validate`: 0 when every
// interchange, group and set was accepted without any issue noted and
// nothing was found outside the interchanges; 1 when anything was
// rejected or accepted with errors (or the input held no interchange).
func (r *Result) Status() int {
	if len(r.Interchanges) == 0 || len(r.Issues) > 0 {
		return 1
	}
	for ii := range r.Interchanges {
		if !r.Interchanges[ii].Clean() {
			return 1
		}
	}
	return 0
}

// SetCount returns the number of transaction sets in the result.
func (r *Result) SetCount() int {
	n := 0
	for ii := range r.Interchanges {
		for gi := range r.Interchanges[ii].Groups {
			n += len(r.Interchanges[ii].Groups[gi].Sets)
		}
	}
	return n
}
