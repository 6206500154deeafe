// Package ack builds the acknowledgments of received X12: the TA1
// interchange acknowledgment and the 999 implementation acknowledgment
// (005010X231A1). It also holds Issue, the finding every validator
// produces, and the code tables of the acknowledgments.
//
//	res := ... // *envelope.Result
//	ic := &res.Interchanges[0]
//	out := ack.OutboundEnvelope{Control: 1001, GroupControl: 2001, Time: clock.Now()}
//	if ic.SendTA1 {
//		err = ack.WriteTA1(w, ic.Header(), ic.TA1, out)
//	}
//	for i := range ic.Groups {
//		err = ack.Write999(w, ic.AckResult(&ic.Groups[i]), out)
//	}
//
// # Envelopes
//
// Each acknowledgment travels in its own interchange addressed back to the
// sender: ISA05/06 and ISA07/08 (and GS02/GS03 of a 999) are the received
// ones swapped, unless OutboundEnvelope overrides them. A TA1 interchange
// has no functional group (IEA01 = 0). A 999 answers one received group
// (one GS/ST per 999). Control numbers come from the caller; SE01, GE01
// and IEA01 are counted by the writers, never by callers.
//
// # Delimiters
//
// The writers use OutboundEnvelope.Delimiters (default * ^ : ~). Because
// X12 has no escape character, any delimiter that occurs in a value about
// to be written (IK404 copies of bad data, CTX claim IDs, IDs echoed from
// the received file, which may have used other delimiters) is replaced by
// an unused candidate: element * | ! + ^, repetition ^ { } \ `, component
// : > \ { `, terminator ~ ' !, then the FS/GS/RS/US control characters.
// If every candidate is taken, the copied data (IK404, CTX) is scrubbed
// (delimiters replaced by spaces) instead.
//
// # 999 content
//
// An AK2 loop is written for every set, clean ones included. IK3 loops are
// grouped by segment position: one IK3 per distinct IK304 at a position,
// followed by a CTX*CLM01:<claim> when the claim is known and by the IK4s
// of that segment (at most 99; IK401 = element:component:repetition).
// IK404 copies the bad value, at most 99 characters: it may be PHI, so it
// is only ever written to the 999, never logged. IK5 and AK9 carry at most
// five codes (the rest stay in the issues). AK902 is GE01 as received
// (sets received when unusable), AK903 the sets received, AK904 the sets
// accepted (IK501 A or E; 0 when the group is rejected as a whole).
//
// # Codes
//
// The tables below list what each emitted code means; TA1Notes,
// GroupCodes, SetCodeText, SegmentCodes and ElementCodes describe every
// code of each list, and Describe looks one up. Which check emits which
// code is documented in package envelope.
//
//	TA104/IK501/AK901   A accepted · E accepted, errors noted · P partially
//	                    accepted (AK901 only) · R rejected
//	TA105   000 no error · 001 ISA13/IEA02 mismatch · 003 version not
//	        supported · 005/006 sender qualifier/ID · 007/008 receiver
//	        qualifier/ID · 009 receiver unknown · 010/011 authorization
//	        qualifier/value · 012/013 security qualifier/value · 014 date ·
//	        015 time · 016 standards id / repetition separator · 017
//	        version malformed · 018 control number · 019 ack requested ·
//	        020 test indicator · 021 group count · 023 premature end ·
//	        024 invalid content · 025 duplicate control number · 026
//	        element separator
//	AK905   1 group not supported · 2 version not supported · 3 GE missing
//	        · 4 GS06/GE02 mismatch · 5 GE01 count · 6 GS06 syntax · 19 GS06
//	        not unique
//	IK502   1 set not supported · 2 SE missing · 3 ST02/SE02 mismatch · 4
//	        SE01 count · 5 segments in error · 6 ST01 invalid · 7 ST02
//	        invalid · 19 ST03 invalid · 23 ST02 not unique · I5
//	        implementation errors in segments · I6 convention not supported
//	IK304   1 unrecognized segment ID · 2 unexpected segment · 3..8, I4..I9
//	        from the implementation-guide parser
//	IK403   1..10, 12, 13, I6, I9..I13 from the implementation-guide parser
//	        (11 is never emitted)
package ack
