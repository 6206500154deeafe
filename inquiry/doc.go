// Package inquiry decides the answers to eligibility (270) and claim
// status (276) inquiries: what a 271 or a 277 says, as data, before any
// X12 is written (edi/eligibility and edi/claimstatus write it).
//
// # Eligibility (270 → 271)
//
// Eligibility answers from the member roster with the rules of claim
// eligibility (roster.Checker: member ID byte for byte, a 2-digit suffix
// is not the member, names compared ignoring case). Precheck validates
// what the inquiry says before the roster is read; Decide maps the
// roster's decision to the answer:
//
//	payer ID not served (EligibilityConfig.PayerIDs)   AAA 79 at 2100A
//	no member ID                                       AAA 72 at 2100C
//	ID with a 2-digit suffix added or dropped, or in   AAA 72 at 2100C, with a MSG saying which
//	  the wrong case
//	ID unknown                                         AAA 75 at 2100C
//	no subscriber last name (subscriber inquiry)       AAA 73 at 2100C
//	subscriber name differs                            AAA 73 at 2100C
//	date of birth not CCYYMMDD                         AAA 58 at 2100C / 2100D
//	date of birth differs                              AAA 71 at 2100C / 2100D
//	plan date (DTP*291) not a date or range            AAA 57 at the patient's loop
//	plan date more than HistoryMonths back             AAA 62
//	plan date after the end of the current month       AAA 63
//	date of birth after the plan date                  AAA 60
//	no dependent last name                             AAA 65 at 2100D
//	dependent not in the subscriber's family           AAA 77 at 2100D
//	identifiers match people in several families       AAA 76 at 2100C
//	covered on every plan date                         EB*1 per EQ01 service type (default 30)
//	                                                   with coverage level, insurance type and plan
//	covered before or after, not on the date           EB*6 per service type
//
// Every AAA has follow-up action C (correct and resubmit). The answer
// echoes, in 2100C (and 2100D for a dependent), the member ID sent and
// the name, date of birth, group number and eligibility dates
// (DTP*356/357) as enrolled.
//
// # Claim status (276 → 277)
//
// ClaimStatusResponder finds the asking partner's claims (a partner only
// ever sees its own) by, in order of strength, REF*1K (our control
// number, or a payer claim number from a remittance), REF*EJ (CLM01) and
// the subscriber's member ID with DTP*472 dates (overlapping the claim's)
// and AMT*T3 (equal to CLM02); the billing provider NPI (or TIN) and the
// payer ID narrow every search. DecideStatus gives each claim found its
// STC from the remittance when Payments knows one, else from its state:
//
//	accepted                 A2:20      accepted for processing
//	suspect                  P1:78      held: duplicate of an existing claim, awaiting processing
//	forwarded                P2:16:PR   forwarded to the TPA (repricing, TPA processing)
//	rejected, duplicate      the claim's 277CA composites (A3/A6/A7 ...)
//	replaced                 F3:101     superseded by a corrected claim
//	voided                   F0:101     cancelled by a void claim
//	paid (in full or part)   F1:65      STC05 paid, STC06 adjudicated, STC08/09 payment date and trace
//	denied (nothing paid)    F2:1
//	reversed / corrected     F3:1
//	no claim with the number A4:35
//	search found nothing     D0:35
//
// TRN02 is always echoed. Lines asked (2210D) are answered per line
// (2220D): the claim's status for a line matched by code, charge and
// dates, A4:35 for a line not on the claim.
package inquiry
