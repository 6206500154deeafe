package ack

import (
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Version999 is the implementation convention of the 999 we write (GS08
// and ST03).
const Version999 = "005010X231A1"

// Limits of the 999 (005010X231A1).
const (
	maxCodes      = 5  // IK502..IK506, AK905..AK909
	maxIK4PerIK3  = 99 // loop 2110 repeat
	maxIK404Chars = 99 // IK404 maximum length
)

// Write999 writes one 999 implementation acknowledgment (005010X231A1)
// answering group, in its own ISA/GS envelope addressed back to the sender
// (sender and receiver swapped unless out overrides them):
//
//	ISA GS*FA ST*999*<out.SetControl>*005010X231A1
//	AK1*<GS01>*<GS06>*<GS08>
//	AK2*<ST01>*<ST02>*<ST03>            one per set, clean sets included
//	  IK3*<seg>*<pos>*<loop>*<IK304>    one per segment in error
//	    CTX*CLM01:<claim id>            when the issue's claim is known
//	    IK4*<el:comp:rep>*<ref>*<IK403>*<bad value>
//	  IK5*<IK501>*<IK502..IK506>
//	AK9*<AK901>*<AK902>*<AK903>*<AK904>*<AK905..AK909>
//	SE GE IEA
//
// SE01, GE01 and IEA01 are counted here. IK404 copies the bad value (at
// most 99 characters); it may hold PHI and is written only to w. Codes
// beyond the fifth IK5/AK9 code are left out (they stay in the issues).
func Write999(w io.Writer, group GroupResult, out OutboundEnvelope) error {
	if err := out.check(true); err != nil {
		return fmt.Errorf("write 999: %w", err)
	}
	in := group.Interchange
	sq, sid, rq, rid, err := out.isaParties(in)
	if err != nil {
		return fmt.Errorf("write 999: %w", err)
	}
	// GS02/GS03 are 2-15 characters: a received code that is not usable
	// gives way to the ISA ID (cut to 15).
	appSender := firstGSCode(out.AppSender, group.Receiver, sid)
	appReceiver := firstGSCode(out.AppReceiver, group.Sender, rid)

	// Choose delimiters that occur in no value we are about to write.
	values := []string{sq, sid, rq, rid, appSender, appReceiver, group.FunctionalID, group.Control, group.Version}
	for _, s := range group.Sets {
		values = append(values, s.ID, s.Control, s.Reference)
		for _, is := range s.Issues {
			values = append(values, is.SegmentID, BaseLoopID(is.Loop), is.DataElement, is.ClaimID, ik404(is.Value))
		}
	}
	d, ok := PickDelimiters(out.Delimiters, values...)
	if !ok {
		// Pathological data uses every candidate: keep the structural
		// values and scrub the copied data (IK404, CTX) instead.
		d, ok = PickDelimiters(out.Delimiters, values[:9]...)
		if !ok {
			return fmt.Errorf("write 999: no usable delimiters")
		}
	}

	xw := x12.NewWriter(w, d)
	xw.Suffix = out.Suffix
	WriteISA(xw, ISA{SenderQualifier: sq, SenderID: sid, ReceiverQualifier: rq, ReceiverID: rid, Time: out.Time, Control: out.Control, AckRequested: out.AckRequested, Usage: out.usage(in)})
	gsControl := strconv.FormatInt(out.GroupControl, 10)
	xw.Write("GS", "FA", appSender, appReceiver, out.Time.Format("20060102"), out.Time.Format("1504"),
		gsControl, "X", Version999)

	setControl := out.SetControl
	if setControl == 0 {
		setControl = 1
	}
	st02 := fmt.Sprintf("%04d", setControl)
	xw.ResetCount()
	xw.Write("ST", "999", st02, Version999)
	xw.Write("AK1", group.FunctionalID, group.Control, group.Version)
	for i := range group.Sets {
		writeAK2(xw, &group.Sets[i])
	}
	ak9 := []string{group.Ack, strconv.Itoa(group.Included), strconv.Itoa(group.Received), strconv.Itoa(group.Accepted)}
	codes := GroupErrorCodes(group.Issues)
	if len(codes) > maxCodes {
		codes = codes[:maxCodes]
	}
	xw.Write("AK9", append(ak9, codes...)...)
	xw.Write("SE", strconv.Itoa(xw.Count()+1), st02)
	xw.Write("GE", "1", gsControl)
	WriteIEA(xw, 1, out.Control)
	if err := xw.Flush(); err != nil {
		return fmt.Errorf("write 999: %w", err)
	}
	return nil
}

// firstGSCode returns the first candidate usable as GS02/GS03 (2 to 15
// characters), else the last one cut to 15 characters.
func firstGSCode(candidates ...string) string {
	for _, c := range candidates {
		if len(c) >= 2 && len(c) <= 15 {
			return c
		}
	}
	last := candidates[len(candidates)-1]
	if len(last) > 15 {
		last = last[:15]
	}
	// A one-character (or empty) ID: pad to the 2-character minimum with
	// spaces, as fixed-width X12 fields are padded.
	for len(last) < 2 {
		last += " "
	}
	return last
}

// ik404 truncates a bad value to the IK404 maximum.
func ik404(v string) string {
	if len(v) > maxIK404Chars {
		v = v[:maxIK404Chars]
	}
	return v
}

// writeAK2 writes the AK2 loop (AK2, IK3/CTX/IK4 loops, IK5) of one set.
func writeAK2(xw *x12.Writer, s *SetResult) {
	d := xw.Delimiters()
	xw.Write("AK2", s.ID, s.Control, s.Reference)

	// Segment and element issues, grouped by segment position.
	var segIssues []Issue
	for _, is := range s.Issues {
		if (is.Level == LevelSegment || is.Level == LevelElement) && is.Position > 0 {
			segIssues = append(segIssues, is)
		}
	}
	sort.SliceStable(segIssues, func(i, j int) bool { return segIssues[i].Position < segIssues[j].Position })
	for i := 0; i < len(segIssues); {
		j := i
		for j < len(segIssues) && segIssues[j].Position == segIssues[i].Position {
			j++
		}
		writeIK3(xw, d, segIssues[i:j])
		i = j
	}

	ack := s.Ack
	if ack == "" {
		ack = Verdict(s.Issues)
	}
	codes := SetCodes(s.Issues)
	if len(codes) > maxCodes {
		codes = codes[:maxCodes]
	}
	xw.Write("IK5", append([]string{ack}, codes...)...)
}

// writeIK3 writes the IK3 loop(s) for issues that all concern the segment
// at one position: one IK3 per distinct segment-level code (the element
// issues' IK4s follow the first), a CTX*CLM01 when a claim is known.
func writeIK3(xw *x12.Writer, d x12.Delimiters, issues []Issue) {
	first := issues[0]
	var segCodes []string
	var elems []Issue
	claim := ""
	for _, is := range issues {
		if claim == "" && is.ClaimID != "" {
			claim = is.ClaimID
		}
		if is.Level == LevelSegment {
			dup := false
			for _, c := range segCodes {
				dup = dup || c == is.Code
			}
			if !dup {
				segCodes = append(segCodes, is.Code)
			}
			continue
		}
		elems = append(elems, is)
	}
	if len(segCodes) == 0 {
		code := SegmentHasElementErrors
		for _, e := range elems {
			if e.SegmentCode != "" {
				code = e.SegmentCode
				break
			}
		}
		segCodes = append(segCodes, code)
	}
	pos := strconv.Itoa(first.Position)
	for k, code := range segCodes {
		xw.Write("IK3", first.SegmentID, pos, BaseLoopID(first.Loop), code)
		if claim != "" {
			xw.Write("CTX", xw.Composite("CLM01", Scrub(claim, d)))
		}
		if k > 0 {
			continue
		}
		n := 0
		for _, e := range elems {
			if e.Element <= 0 {
				continue
			}
			if n == maxIK4PerIK3 {
				break
			}
			n++
			comp, rep := "", ""
			if e.Component > 0 {
				comp = strconv.Itoa(e.Component)
			}
			if e.Repetition > 0 {
				rep = strconv.Itoa(e.Repetition)
			}
			xw.Write("IK4", xw.Composite(strconv.Itoa(e.Element), comp, rep), e.DataElement, e.Code,
				Scrub(ik404(e.Value), d))
		}
	}
}

// BaseLoopID returns the loop identifier a 999 IK303 carries for an
// implementation guide loop name: IK303 (element 447, AN 1/4) is the loop
// ID of the transaction set's base-standard diagram, which the guides
// qualify with letters for each use of a loop ("2000B", "2010BA" and
// "2310C" are the base loops 2000, 2010 and 2310). The trailing letters
// are dropped and the result is cut to 4 characters; "" stays "".
func BaseLoopID(loop string) string {
	end := len(loop)
	for end > 0 && loop[end-1] >= 'A' && loop[end-1] <= 'Z' {
		end--
	}
	if end == 0 {
		// Not a numbered loop (a name such as "HEADER"): nothing the
		// base standard identifies.
		return ""
	}
	return loop[:min(end, 4)]
}
