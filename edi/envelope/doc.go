// Package envelope validates the X12 envelope (ISA/IEA, GS/GE, ST/SE) as
// a streaming state machine: it is fed one segment at a time, keeps a
// summary and the issues of every interchange, group and set, and never
// the segments, so memory does not grow with the input. It does not check
// the body of a set against its implementation guide; it hands every
// segment from ST through SE to a per-set BodyValidator (the schema
// parser) and merges what that finds.
//
//	m := envelope.New(&envelope.Options{Body: bodyFor})
//	rd := x12.NewReader(f)
//	for {
//		seg, err := rd.Read()
//		if err == io.EOF {
//			break
//		}
//		var se *x12.SyntaxError
//		if errors.As(err, &se) {
//			m.SyntaxError(se, false)
//			continue
//		} else if err != nil {
//			return err
//		}
//		if err := m.Segment(seg); err != nil {
//			return err // a body handler failed
//		}
//	}
//	res := m.Finish(rd.InputOffset())
//	os.Exit(res.Status())
//
// (validate.Run does exactly this, with the schema parser as BodyValidator.)
//
// # Codes emitted
//
// Every check records an ack.Issue; all of them are collected, not only
// the first. "E" marks a warning (noted, TA104/IK501 "E"); everything else
// is an error that rejects the interchange, group or set it is found in.
//
//	TA105 (interchange; TA1 note = first error's code, else first warning's)
//	001  IEA02 differs from ISA13
//	003  ISA12 is five digits but not 00501 (not supported)
//	005  ISA05 not a HIPAA qualifier (01 14 20 27 28 29 30 33 ZZ), or wrong width
//	006  ISA06 blank, non-printable, or wrong width; or not in Options.SenderIDs (when set)
//	007  ISA07 as 005
//	008  ISA08 blank, non-printable, or wrong width
//	009  ISA08 not in Options.ReceiverIDs (only when that list is set)
//	010  ISA01 not 00/03, or wrong width
//	011  ISA02 not blank although ISA01 is 00 (E), or wrong width
//	012  ISA03 not 00/01, or wrong width
//	013  ISA04 not blank although ISA03 is 00 (E), or wrong width
//	014  ISA09 not a YYMMDD calendar date (20YY), or wrong width
//	015  ISA10 not HHMM (00-23, 00-59), or wrong width
//	016  ISA11 not a usable repetition separator in a 00501 interchange
//	     (the 4010 "U"); Leniency.ISA11 makes it E
//	017  ISA12 not five digits (malformed; 003 is for well-formed but unsupported)
//	018  ISA13 not numeric, or not nine characters
//	019  ISA14 not 0/1
//	020  ISA15 not P/T/I
//	021  IEA01 differs from the number of groups (Leniency.GroupCount: E)
//	023  interchange ends without IEA (end of input or next ISA); input
//	     ends inside an ISA header
//	024  invalid content: a segment or set outside any functional group, a
//	     segment between GS and the first ST, GE without GS, an ISA header
//	     that cannot be read (not at the end); E for GS problems that have
//	     no AK905 code: GS02/GS03 not 2-15 characters, GS04 not a CCYYMMDD
//	     date, GS05 not HHMM[SS[dd]], GS07 not X
//	025  ISA13 already used in this input by the same sender and receiver
//	026  the tokenizer refused the ISA's delimiters (not distinct, or
//	     letters/digits); the x12 reader does not say which, so 026 (not
//	     027/004) is reported and the interchange is skipped
//
// An ISA that is not fixed width (106 bytes with the terminator) is
// reported per element: each element whose length differs from its fixed
// width gets that element's note above (ISA06 of 9 characters: 006).
// Errors by default; Leniency.ISAWidth makes them warnings and trims the
// padding before the value checks.
//
//	AK905 (group; AK901: all sets A -> A, some E -> E, some R -> P,
//	all R or any group error -> R; AK904 is 0 when AK901 is R)
//	1   GS01 used by no supported set kind
//	2   GS08 not a supported version for GS01
//	3   group ends without GE
//	4   GE02 differs from GS06 (compared as numbers)
//	5   GE01 differs from the number of sets, or is not a number
//	6   GS06 not 1-9 digits
//	19  GS06 already used in this interchange
//
//	IK502 (set; IK501: any error -> R, only warnings -> E, else A)
//	1   ST01 not a supported set, or not one for this GS01 (an 835 in an
//	    HC group; any non-claim set when Options.Supported = Claims)
//	2   set ends without SE (GE, GS, ST, IEA, ISA or end of input)
//	3   SE02 differs from ST02
//	4   SE01 differs from the segments counted from ST through SE, or is
//	    not a number (Leniency.SegmentCount: E)
//	5   derived: segment or element issues with standard codes
//	6   ST01 not three digits
//	7   ST02 not 4-9 printable characters
//	19  ST03 missing (Leniency.MissingST03: accepted, GS08 used) or
//	    different from GS08 (Leniency.ST03Mismatch: E). 19, not I6: the
//	    reference itself is invalid in a HIPAA group whatever it names
//	23  ST02 already used in this group
//	I5  derived: segment or element issues with implementation codes
//	I6  ST01 supported for GS01 but not with this convention (ST03, or
//	    GS08 without ST03), e.g. 005010X222A2
//
//	IK304 (segment, from the envelope; the body validator adds the rest)
//	1   segment ID not 2-3 upper-case letters/digits; a segment the
//	    tokenizer skipped (too long) is reported as 1 with ID "UNK"
//	2   TA1 inside a set; segments after an SE and before the next
//	    ST/GE (charged to the set before them; one issue per run)
//
// Data outside any interchange (before the first ISA, after an IEA) is a
// file-level warning (Result.Issues, code 024); no interchange at all is a
// file-level error.
//
// # Set kinds and unsupported sets
//
// Options.Supported (default Known, the HIPAA 5010 sets of the reference)
// says which (GS01, ST01, version) kinds are accepted. A supported set is
// validated by the envelope and, when Options.Body returns a validator, by
// its implementation guide; Set.BodyChecked tells which. With the default
// an 835 is envelope-validated and accepted: `clearinghouse validate`
// exits 0 for a clean 835. A claims intake passes Supported = Claims, so
// an 835 sent to it is answered with AK905 1 and IK502 1 (rejected, not
// silently dropped) and the pipeline never sees it as a claim.
//
// # Callbacks and acceptance
//
// OnSetEnd reports each set's own verdict while the input streams (just
// before the next envelope segment, so that stray segments after its SE
// are charged to it). Whether a set is finally processed also depends on
// its group (AK9 R rejects all its sets) and interchange (TA1 R rejects
// everything in it, including when IEA02 turns out wrong at the end);
// OnInterchangeEnd delivers those verdicts, and Interchange.SetAccepted
// combines them.
package envelope
