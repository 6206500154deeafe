package web

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// AckSet is one transaction set as a 999 answered it (AK2..IK5).
type AckSet struct {
	// SetID and Control are AK201 and AK202 (e.g. "837", "0001").
	SetID, Control string
	// Ack is IK501 (A, E, R) and AckText its meaning.
	Ack, AckText string
	// Codes are IK502..IK506 with their meanings.
	Codes []Reason
	// Errors are the IK3 segment errors with their IK4 element errors.
	Errors []AckError
}

// AckError is one 999 IK3 (segment error) and, when the problem is in an
// element, its IK4.
type AckError struct {
	// Segment, Position and Loop are IK301, IK302 and IK303.
	Segment  string
	Position string
	Loop     string
	// SegmentCode is IK304 and SegmentText its meaning.
	SegmentCode, SegmentText string
	// Element is IK401 (element[:component[:repetition]]) prefixed with
	// the segment ID, e.g. "CLM02"; "" without an IK4.
	Element string
	// ElementCode is IK403 and ElementText its meaning. The bad value
	// (IK404) is not shown: it may be PHI and is in the 999 file.
	ElementCode, ElementText string
	// Detail is the validator's own message for this error (from
	// validating the stored file again), with the byte Offset of the
	// segment; "" and 0 when not available.
	Detail string
	Offset int64
}

// AckSummary is what the acknowledgments of one inbound file say.
type AckSummary struct {
	// Interchanges are the TA1 answers (TA104 and TA105 with meaning).
	Interchanges []AckInterchange
	// Groups are the 999 AK9 answers.
	Groups []AckGroup
	// Sets are the transaction sets the 999s answered, in order.
	Sets []AckSet
}

// AckInterchange is one TA1.
type AckInterchange struct {
	Control, Ack, Note, NoteText string
}

// AckGroup is one 999 AK1/AK9.
type AckGroup struct {
	FunctionalID, Control, Ack string
	Codes                      []Reason
}

var ackText = map[string]string{
	ack.Accepted:           "accepted",
	ack.AcceptedWithErrors: "accepted with errors",
	ack.PartiallyAccepted:  "partially accepted",
	ack.Rejected:           "rejected",
}

// readAcks adds the TA1 and 999 segments of r (one acknowledgment file)
// to sum. It stops at maxSets sets, so a huge 999 cannot grow a page
// without bound.
func readAcks(r io.Reader, sum *AckSummary, maxSets int) error {
	rd := x12.NewReader(r)
	var set *AckSet
	var group *AckGroup
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				continue
			}
			return fmt.Errorf("read acknowledgment: %w", err)
		}
		switch seg.Tag() {
		case "TA1":
			note := seg.String(5)
			sum.Interchanges = append(sum.Interchanges, AckInterchange{
				Control: seg.String(1), Ack: seg.String(4), Note: note,
				NoteText: ack.Describe(ack.LevelInterchange, note),
			})
		case "AK1":
			sum.Groups = append(sum.Groups, AckGroup{FunctionalID: seg.String(1), Control: seg.String(2)})
			group = &sum.Groups[len(sum.Groups)-1]
		case "AK2":
			if len(sum.Sets) >= maxSets {
				set = nil
				continue
			}
			sum.Sets = append(sum.Sets, AckSet{SetID: seg.String(1), Control: seg.String(2)})
			set = &sum.Sets[len(sum.Sets)-1]
		case "IK3":
			if set == nil {
				continue
			}
			code := seg.String(4)
			set.Errors = append(set.Errors, AckError{
				Segment: seg.String(1), Position: seg.String(2), Loop: seg.String(3),
				SegmentCode: code, SegmentText: ack.Describe(ack.LevelSegment, code),
			})
		case "IK4":
			if set == nil || len(set.Errors) == 0 {
				continue
			}
			e := &set.Errors[len(set.Errors)-1]
			if e.Element != "" {
				// A second IK4 of the same IK3: a row of its own.
				set.Errors = append(set.Errors, AckError{Segment: e.Segment, Position: e.Position, Loop: e.Loop,
					SegmentCode: e.SegmentCode, SegmentText: e.SegmentText})
				e = &set.Errors[len(set.Errors)-1]
			}
			pos := []string{}
			for _, c := range seg.Components(1) {
				pos = append(pos, string(c))
			}
			e.Element = elementName(e.Segment, pos)
			e.ElementCode = seg.String(3)
			e.ElementText = ack.Describe(ack.LevelElement, e.ElementCode)
		case "IK5":
			if set == nil {
				continue
			}
			set.Ack = seg.String(1)
			set.AckText = ackText[set.Ack]
			for i := 2; i <= 6; i++ {
				if c := seg.String(i); c != "" {
					set.Codes = append(set.Codes, Reason{Code: c, Text: ack.Describe(ack.LevelTransaction, c)})
				}
			}
			set = nil
		case "AK9":
			if group == nil {
				continue
			}
			group.Ack = seg.String(1)
			for i := 5; i <= 9; i++ {
				if c := seg.String(i); c != "" {
					group.Codes = append(group.Codes, Reason{Code: c, Text: ack.Describe(ack.LevelGroup, c)})
				}
			}
			group = nil
		}
	}
}

// elementName writes an IK401 position as people read it: "CLM02",
// "CLM05-3", "HI01-2 (repetition 2)".
func elementName(segment string, pos []string) string {
	if len(pos) == 0 || pos[0] == "" {
		return ""
	}
	el := pos[0]
	if len(el) == 1 {
		el = "0" + el
	}
	name := segment + el
	if len(pos) > 1 && pos[1] != "" {
		name += "-" + pos[1]
	}
	if len(pos) > 2 && pos[2] != "" {
		name += " (repetition " + pos[2] + ")"
	}
	return strings.TrimSpace(name)
}

// addDetails gives every 999 error of sum the message the validator
// reports for the same set, segment position and codes in rep. Messages
// carry no data values beyond amounts and codes (edi/validate keeps bad
// values, which may be PHI, out of its reports).
func addDetails(sum *AckSummary, rep validate.FileReport) {
	type key struct {
		control, pos, ik3, ik4 string
	}
	type detail struct {
		msg    string
		offset int64
	}
	byKey := map[key]detail{}
	for _, ic := range rep.Interchanges {
		for _, g := range ic.Groups {
			for _, t := range g.Transactions {
				for _, e := range t.Errors {
					k := key{t.Control, fmt.Sprint(e.SegmentPosition), e.IK3, e.IK4}
					if _, ok := byKey[k]; !ok {
						byKey[k] = detail{e.Message, e.Offset}
					}
				}
			}
		}
	}
	for i := range sum.Sets {
		set := &sum.Sets[i]
		for j := range set.Errors {
			e := &set.Errors[j]
			if d, ok := byKey[key{set.Control, e.Position, e.SegmentCode, e.ElementCode}]; ok {
				e.Detail, e.Offset = d.msg, d.offset
			}
		}
	}
}
