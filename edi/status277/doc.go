// Package status277 writes the 277CA health care claim acknowledgment
// (005010X214): the business-level accept/reject answer, claim by claim,
// to a received 837 that passed the 999.
//
//	acks := []status277.Acknowledgment{{
//		Source:        status277.Source{Name: "ALLIANCE CLEARINGHOUSE", ID: "ALLCH01"},
//		Receiver:      status277.Receiver{Name: submitterName, ETIN: submitterID}, // 837 1000A
//		SourceTrace:   ourBatchID,
//		ReceiverTrace: bht03,                                                     // of the 837
//		ReceiptDate:   "20260301", ProcessDate: "20260302",
//		Providers: []status277.Provider{{Name: "NORTH CLINIC", ID: npi, Claims: []status277.Claim{
//			{PatientControlNumber: "P1001", Accepted: true, ChargeCents: 12550,
//				PayerClaimControlNumber: "ALL26061000001", ServiceFrom: "20260215",
//				Patient: status277.Patient{Last: "DOE", First: "JANE", ID: memberID}},
//			{PatientControlNumber: "P1002", ChargeCents: 8000, ServiceFrom: "20260216",
//				Statuses: []status277.Status{{Category: "A7", Code: "164", Entity: "IL"}},
//				Patient:  status277.Patient{Last: "ROE", ID: badID}},
//		}}},
//	}}
//	err := status277.Write(w, acks, ack.OutboundEnvelope{
//		Control: isa13, GroupControl: gs06, Time: clock.Now(),
//		SenderID: "ALLIANCECH", ReceiverID: partnerISA06,
//	})
//
// Write checks every value first (a *FieldError per problem, naming
// positions, never values: names and member IDs are PHI) and writes
// nothing when something is wrong. Its output passes validate.Run with no
// finding: the X214 table of package schema checks the body.
//
// # What is written
//
//	ISA GS*HN*...*005010X214            one interchange, one group
//	ST*277*<SetControl+i>*005010X214     one set per Acknowledgment
//	BHT*0085*08*<SourceTrace>*<date>*<time>*TH
//	HL*1**20*1        NM1*AY|PR*2*<name>*****46*<id>   TRN*1*<SourceTrace>
//	                  DTP*050*D8*<ReceiptDate>  DTP*009*D8*<ProcessDate>
//	HL*2*1*21*1       NM1*41*2*<name>*****46*<ETIN>    TRN*2*<ReceiverTrace>
//	                  STC*A1:19:<AY|PR>*<ProcessDate>*WQ*<all charges>
//	                  QTY*90 QTY*AA AMT*YU AMT*YY
//	HL*n*2*19*1       NM1*85*2*<name>*****XX*<npi>     TRN*1*<Trace|0>
//	                  STC*A1:19:<AY|PR>**WQ*<provider charges>
//	                  QTY*QA QTY*QC AMT*YU AMT*YY
//	HL*m*n*PT         NM1*QC*1*<last>*<first>*<middle>***MI*<member id>
//	                  TRN*2*<CLM01>  STC*<status>*<ProcessDate>*WQ|U*<CLM02>[******<status>*<status>]
//	                  REF*1K (accepted only)  REF*D9  REF*BLT  DTP*472*D8|RD8
//	  SVC*<proc>*<charge>**<rev>***<units>  STC*<status>*<ProcessDate>*U[*******<status>*<status>]
//	  REF*FJ  DTP*472                       (2220D, rejected lines only)
//	SE GE IEA                                counted here
//
// Choices (reference §5 and the corpus samples):
//
//   - HL01 counts from 1 in each set; HL02 points at the parent; HL04 is
//     1 at the source, receiver and provider levels (each has children:
//     an acknowledgment needs a provider, a provider a claim) and not sent
//     at the patient level (the guide does not use it). Each claim gets
//     its own patient level (2000D), in input order.
//   - The receiver (2200B) and provider (2200C) STC acknowledge receipt of
//     the batch: A1:19 with the source's entity code (AY, or PR for a
//     payer), STC03 WQ even when every claim is rejected, STC04 the total
//     charge of all claims below. The guide leaves STC02 out at 2200C.
//   - QTY/AMT carry the accepted (QTY*90/QA, AMT*YU) and rejected
//     (QTY*AA/QC, AMT*YY) counts and charges; a zero count leaves both its
//     QTY and AMT out, as the samples do (the guide marks them
//     situational). Σ accepted charges = AMT*YU, and so on, by
//     construction; the tests re-parse the output to check it.
//   - Claim statuses fill STC01, STC10 and STC11; a fourth starts another
//     STC segment (STC repeats in 2200D), repeating STC02..STC04. A line
//     has one STC, so at most three statuses. An accepted claim without
//     statuses gets A1:20 from a clearinghouse (AY) and A2:20 from a payer
//     (PR): a clearinghouse does not accept into adjudication.
//   - REF*1K (our claim control number) is written for accepted claims
//     only. The 2200C trace defaults to "0".
//   - SVC01 is the procedure ("HC:J1100:JW", ':' being the input syntax
//     whatever the output delimiters) with the revenue code in SVC04, or
//     NU:<revenue code> when there is no procedure; units go in SVC07
//     (original units of service; SVC05 is not used by the guide).
//   - Delimiters: out.Delimiters (default * ^ : ~) unless an echoed
//     identifier (CLM01, traces, IDs, codes) contains one, in which case
//     ack.PickDelimiters moves it, so identifiers come back unchanged.
//     Names do not move delimiters: a delimiter in a name becomes a space
//     (ack.Scrub).
//
// # Codes
//
// Status categories (STCxx-1) Write accepts: A0 forwarded, A1 received,
// A2 accepted into adjudication, A5 split (these may open an accepted
// claim's statuses); A3 returned as unprocessable, A4 not found, A6
// rejected for missing information, A7 rejected for invalid information,
// A8 rejected for relational field in error (these open a rejected
// claim's or a line's). F, P and R categories are not 277CA codes; the E
// and DR categories of real-time and encounter acknowledgments are not
// written (the schema table accepts them when reading).
//
// Status codes (STCxx-2, code list 508) the engine's edits use:
//
//	19  entity acknowledges receipt (2200B/2200C, with AY or PR)
//	20  accepted for processing
//	16  forwarded to entity (A0:16:PR)
//	21  missing or invalid information (A3:21 + a status naming the data)
//	54  duplicate of a previously processed claim/line (A3:54)
//	78  duplicate of a claim/line awaiting processing (A3:78)
//	116 submitted to incorrect payer (A3:116)
//	125 entity's name (A7:125:IL subscriber, A7:125:QC patient)
//	158 entity's date of birth
//	164 entity's contract/member number (A7:164:IL)
//	187 date(s) of service
//	247 line information (with a rejected line)
//	454 procedure code; 455 revenue code; 476 units of service
//	464 payer assigned claim control number (A6:464 missing REF*F8 on a
//	    replacement or void; A7:464 when unknown)
//	562 entity's NPI (A7:562:85)
//
// Entities (STCxx-3): IL subscriber, QC patient, 85 billing provider, 82
// rendering, 77 service location, PR payer, AY clearinghouse, 41
// submitter. The first status of each STC (STC01) takes its entity from
// the guide's list for 2200D/2220D; STC10/STC11 entities are free.
package status277
