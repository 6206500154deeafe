// Package schema is the table-driven implementation-guide (IG) parser and
// validator for X12 transaction set bodies (ST..SE). It places every
// segment in its IG loop, emits one Event per segment for decoders built on
// top of it, and reports what breaks the guide as ack.Issue values carrying
// the 999 IK3/IK4 codes and positions.
//
// Supported sets (Sets lists them): 837 Professional 005010X222A1, 837
// Institutional 005010X223A2, the 277CA claim acknowledgment 005010X214
// (x12_214.go; it checks the acknowledgments we write), the 835 claim
// payment/advice 005010X221A1 (x12_221a1.go, with its balancing rules in
// rules_835.go), the 270/271 eligibility inquiry and response
// 005010X279A1 (x12_279a1.go) and the 276/277 claim status request and
// response 005010X212 (x12_212.go). Lookup returns nil for anything else;
// the caller then handles the set at the envelope level only. Schema.Codes
// and Schema.CompCodes give the code lists of a table, so writers check
// values against the tables the validator uses.
//
//	s := schema.Lookup("837", st03) // nil: envelope-only handling
//	p := schema.NewParser(s, handler) // handler may be nil
//	for each segment ST..SE (x12.Reader) {
//		if err := p.Segment(seg); err != nil { ... } // the handler's error
//	}
//	issues := p.Finish() // IK3/IK4 issues of the set, by position
//	p.Reset()            // reuse for the next set
//
// # Tables
//
// A schema is data, written in the Go DSL of dsl.go (x12_222a1.go,
// x12_223a2.go, shared pieces in x12_837_shared.go):
//
//	loop("2310B", uS, 1,                            // loop ID, usage, max repeats (0 = >1)
//		nm1(uR, nmProvider, ents("82"), ...),       // trigger: NM1 with NM101 = 82
//		prv(uS, "PE"),
//		ref(uS, 4, "0B", "1G", "G2", "LU"))         // REF use told apart by REF01
//	seg("CLM", uR, 1, "RRNNRRRRRSSSNNNNNNNS",       // ID, usage, max use, one R/S/N per element
//		cu(5, "RRR"), ccodes(5, 3, "1", "7", "8"))  // component usage and codes
//	place("MIA", uS, 1)                             // recognised and placed, no element rules
//
// A loop is an ordered list of segment uses and child loops; its first
// item, the trigger segment, starts a new instance. A use may have a key
// (an element or component and its allowed values, such as NM101, REF01,
// DTP01, HL03 or HI01-1) that tells it apart from other uses of the same
// segment ID. Element definitions (data element number, type AN/ID/N0/R/
// DT/TM, min/max length, composites) come from the standard shapes of
// std_segments.go, so a use only states what the guide adds: usage, code
// subsets, date formats (period/cperiod: the value is formatted by the
// D8/RD8/DT/TM qualifier of another element or component) and the X12
// syntax notes of the standard (P, R, E, C, L).
//
// Segments with full element rules: ST, BHT, NM1, PER, N3, N4, REF, DMG,
// HL, PRV, CUR, SBR, PAT, CLM, DTP, PWK, CN1, AMT, K3, NTE, CR1, CR2, CR3,
// CRC, HI, HCP, CL1 (837I), CAS, OI, MOA, LX, SV1, SV2, SV5, QTY, MEA, PS1,
// LIN, CTP, SVD, LQ, FRM and SE. Placement only: MIA (837I 2320) and the
// not-used PAT (837I 2000B) and CL1 (837P 2300). External code sets (place
// of service, type of bill, revenue, ICD, HCPCS, taxonomy, CARC, state)
// are checked for length only. Identifier and address formats are rules
// (rules.go): a US N403 is a 5- or 9-digit ZIP code, and the 9-digit ZIP+4
// in the billing provider and service facility loops (837P 2010AA, 2310C,
// 2420C; 837I 2010AA, 2310E); an NPI (NM109 when NM108 = XX) is 10 digits
// with the Luhn check digit over 80840 + its first nine (ValidNPI); the
// billing provider's REF*EI is the 9-digit EIN without a hyphen.
//
// # Placement
//
// The parser is a streaming state machine over the loop tree: a stack of
// open loop instances, each with the index of the item last matched and a
// count per item. For each segment it looks, from the innermost loop
// outwards, for the first item at or after the current one whose ID and
// key match (consecutive uses of one segment ID are accepted in any
// order); matching a child loop's trigger opens it, matching an outer
// loop's item closes the loops inside. HL loops (2000A/B/C) are chosen by
// HL03 (20/22/23), or by the level of the HL02 parent when HL03 is not a
// level code. A segment that matches an earlier item of an open loop is
// out of sequence; one whose qualifier is unknown to the schema is placed
// at the first use with its ID and its qualifier reported; anything else
// is unplaced (Event.Unplaced) and leaves the state as it was. Memory does
// not grow with the set, and valid segments cause no allocation.
//
// # Codes
//
// Segment issues (Level ack.LevelSegment, IK304):
//
//	1   unrecognized segment ID (not a valid ID, or no use in the schema)
//	2   unexpected segment (the schema uses the ID, but not here)
//	3   required segment missing
//	4   loop occurs over maximum times
//	5   segment exceeds maximum use
//	7   segment not in proper sequence (placed in its loop all the same)
//	I4  implementation not-used segment present
//	I6  implementation-dependent segment missing (REF*F8 on a CLM05-3 7/8 claim)
//	I7  required loop missing (SegmentID is the loop's trigger)
//	I9  implementation-dependent not-used segment present (2000C under SBR02 = 18)
//
// Element issues (Level ack.LevelElement, SegmentCode "8", IK403):
//
//	1   required element or component missing
//	2   conditional element missing (syntax notes P, R, C, L: HCP P0910/P1112/R0113, NM1 P0809, ...)
//	3   too many data elements
//	4/5 element too short / too long (N0/R count digits only)
//	6   invalid character (a byte outside the character set, see below;
//	    non-numeric N0/R)
//	7   invalid code value
//	8/9 invalid date / time (DT, TM, and D8/RD8/DT/TM-formatted values)
//	10  exclusion condition violated (syntax note E, e.g. N4 E0207)
//	12  too many repetitions (no 837 element repeats; EQ01 and EB03 of the
//	    270/271 repeat up to 99 times, each repetition checked on its own)
//	13  too many components
//	I6  standard code value not used by the guide
//	I9  implementation-dependent element missing (SBR02 when the subscriber is the patient)
//	I10 not-used element or component present
//	I12 implementation rule failed: 835 amounts that do not balance (SVC03,
//	    CLP04, CLP05 as a warning, BPR02; rules_835.go) or have more than
//	    two decimal places, CLM02 is not the sum of SV102/SV203,
//	    HL01 not 1, 2, 3..., HL02 not the parent's HL01, HL04 contradicts
//	    the levels that follow, LX01 not 1, 2, 3... within the claim
//
// The cross-segment rules are named methods in rules.go; a schema may
// bring its own (Schema.rules, setRules in hooks.go), as the 835 does. Issue positions:
// Position (IK302), Offset and Ordinal are those of the segment in error;
// element issues point Offset at the element or component (the segment
// start when it is absent). A missing segment or loop is reported at the
// segment where the parser found it missing (the next segment, or the last
// one of a truncated set); a rule on a segment seen earlier (HL04, CLM02,
// REF*F8) at that segment. ClaimID is CLM01 for issues inside a 2300 loop.
// Loop is the guide's loop name ("2010BA"; the 999 writes its base loop ID
// "2010" in IK303, see ack.BaseLoopID) and empty for the header and trailer. ST and SE presence,
// counts, control numbers and ST03 are left to the envelope layer (IK5).
// Codes 6 (IK304), I8, 11 and I11/I13 are not emitted.
//
// # Character set
//
// Data may use the 5010 guides' basic character set (A-Z, 0-9, space and
// ! " & ' ( ) * + , - . / : ; ? =) and extended character set (a-z and
// % @ [ ] _ { } \ | < > ~ ^ ` # $): together, the printable ASCII bytes
// 0x20 through 0x7E. Every element and component of a placed segment,
// placement-only segments included, is checked: a value holding any other
// byte (control characters, DEL, and every byte of 0x80 and above) is
// reported as IK403 6 at its element and component, and rejects the set.
// Non-ASCII text is not accepted in any encoding: UTF-8 letters such as
// "É" are X12.6 "select language characters", allowed only by agreement
// between trading partners, and the 5010 envelope has no way to declare
// an encoding; bytes that are not valid UTF-8 (0xFF) are never text.
// Delimiters are exempt (a file may use control characters as
// separators). Unplaced segments are reported as segment errors only.
package schema
