package ack

import (
	"fmt"
	"strings"
)

// Level says which envelope layer an Issue belongs to, and so which
// acknowledgment reports it.
type Level int

const (
	// LevelInterchange issues (ISA/IEA) are reported in a TA1 (TA105 note).
	LevelInterchange Level = iota + 1
	// LevelGroup issues (GS/GE) are reported in the 999 AK9 (AK905..AK909).
	LevelGroup
	// LevelTransaction issues (ST/SE) are reported in the 999 IK5 (IK502..IK506).
	LevelTransaction
	// LevelSegment issues are reported in a 999 IK3 (IK304).
	LevelSegment
	// LevelElement issues are reported in a 999 IK3 + IK4 (IK403).
	LevelElement
)

func (l Level) String() string {
	switch l {
	case LevelInterchange:
		return "interchange"
	case LevelGroup:
		return "group"
	case LevelTransaction:
		return "transaction"
	case LevelSegment:
		return "segment"
	case LevelElement:
		return "element"
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// Severity says whether an issue rejects what it is found in.
type Severity int

const (
	// Error rejects the interchange, group or transaction set.
	Error Severity = iota
	// Warning is noted (999 "E" / TA1 "E") without rejecting.
	Warning
)

// Issue is one problem found while validating an interchange, with the
// codes the acknowledgments carry and the positions an operator needs.
// Exactly one code field is set, the one that matches Level.
type Issue struct {
	Level    Level
	Severity Severity

	// Code is the acknowledgment code for Level: the TA105 note code
	// ("001".."031"), AK905 group code ("1".."26"), IK502 transaction code
	// ("1".."27", "I5", "I6"), IK304 segment code ("1".."8", "I4".."I9") or
	// IK403 element code ("1".."13", "I6".."I13").
	Code string

	// SegmentID, Position (1-based in the transaction set, ST = 1; IK302)
	// and Loop locate segment and element issues. Loop is the
	// implementation guide's loop name ("2010BA"); the 999 IK303 carries
	// its base-standard loop ID (BaseLoopID: "2010").
	SegmentID string
	Position  int
	Loop      string
	// SegmentCode is the IK304 for the IK3 that precedes an element
	// issue's IK4 (normally "8", segment has data element errors).
	SegmentCode string

	// Element, Component and Repetition are 1-based positions (IK401);
	// DataElement is the data element reference number (IK402, e.g. 1028).
	Element     int
	Component   int
	Repetition  int
	DataElement string
	// Value is the bad value (IK404). It may hold PHI: never log it.
	Value string

	// Offset is the byte offset in the input; Ordinal the 1-based segment
	// index in the input.
	Offset  int64
	Ordinal int

	// Interchange, Group and Transaction are the control numbers (ISA13,
	// GS06, ST02) of the envelope the issue was found in, when known.
	Interchange string
	Group       string
	Transaction string
	// ClaimID is the CLM01 of the claim the issue is in (999 CTX), if any.
	ClaimID string

	// Message is a human-readable description (no PHI).
	Message string
}

func (i Issue) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", i.Level, i.Code)
	if i.SegmentID != "" {
		fmt.Fprintf(&b, " %s", i.SegmentID)
		if i.Position > 0 {
			fmt.Fprintf(&b, "@%d", i.Position)
		}
		if i.Element > 0 {
			fmt.Fprintf(&b, "%02d", i.Element)
			if i.Component > 0 {
				fmt.Fprintf(&b, "-%d", i.Component)
			}
		}
	}
	if i.Loop != "" {
		fmt.Fprintf(&b, " loop %s", i.Loop)
	}
	fmt.Fprintf(&b, " offset %d", i.Offset)
	if i.Message != "" {
		fmt.Fprintf(&b, ": %s", i.Message)
	}
	return b.String()
}
