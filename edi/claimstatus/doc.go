// Package claimstatus reads 276 claim status requests and writes 277
// claim status responses (005010X212). The 277CA claim acknowledgment
// (005010X214) is package status277.
//
// # Reading 276s
//
// A Decoder is a schema.Handler for the 276 table of package schema (give
// it to validate.Run's Handler option for sets whose ID is 276, or to a
// schema.Parser); it calls back with one Inquiry per claim loop (2200D or
// 2200E), with the payer, receiver, providers and subscriber (and
// dependent) above it, so memory does not grow with the file:
//
//	dec := claimstatus.NewDecoder(func(q *claimstatus.Inquiry) error {
//		npi := q.ProviderID("XX")                 // 2100C NM109 with NM108 XX
//		c := q.Claim                              // TRN02, REF*1K/EJ/BLT/D9, AMT*T3, DTP*472, lines
//		_, _, _ = npi, c.PayerClaimControlNumber, q.Patient().BirthDate
//		return nil
//	})
//	p := schema.NewParser(schema.Lookup("276", claimstatus.Version), dec)
//	// p.Segment(seg) for each segment ST..SE, then p.Finish(), dec.Flush()
//
// ReadRequests (a stream) and DecodeRequests (bytes) decode whole sets; a
// Request keeps its segments and Request.Encode writes them back byte for
// byte.
//
// # Writing 277s
//
// Write277 writes one 277 transaction set per Response in one
// interchange, addressed and numbered by an ack.OutboundEnvelope, after
// checking every value (the error joins one *FieldError per problem,
// naming positions, never values). Its output passes validate.Run with no
// finding.
//
//	ST*277 BHT*0010*08*<Reference>**DG
//	HL*1**20*1     NM1*PR*2*<payer>*****PI*<id>
//	HL*2*1*21*1|0  NM1*41*2*<receiver>*****46*<id>   [TRN*2 STC]  (ReceiverStatus)
//	HL*n*2*19*1|0  NM1*1P*2*<provider>*****XX*<npi>  [TRN*1 STC]  (Provider.Status)
//	HL*m*n*22*0|1  NM1*IL*1*<last>*<first>****MI*<id>
//	[HL*k*m*23     NM1*QC*1*<last>*<first>]          (ClaimStatus.Dependent)
//	  TRN*2*<276 TRN02>
//	  STC*<cat:code[:entity]>*<date>**<charge>*<paid>*<adjudicated>**<check date>*<check no>*<status>*<status>
//	  REF*1K REF*BLT REF*EJ REF*D9  DTP*472
//	  SVC*<proc>*<charge>*<paid>*<rev>***<units>  STC  REF*FJ  DTP*472   (Lines)
//	SE
//
// Inquiry.Echo starts the ClaimStatus of an inquiry with what the 277
// sends back (names, member ID, TRN02, REF*1K/EJ/BLT/D9, service dates).
// Each claim gets its own subscriber level (and dependent level), in
// input order. Statuses fill STC01, STC10 and STC11; a fourth starts
// another STC repeating STC02..STC09. Categories (STCxx-1): A0..A8
// acknowledgement (A4 not found), D0 data search unsuccessful, E0..E4
// response not possible, F0..F5 finalized (F1 paid, F2 denied, F3
// revised), P0..P5 pending (P1 in process, P2 payer review such as
// repricing), R0..R17 requests for more information. A claim that cannot
// be found is answered with A4:35 (or D0); a request the payer cannot use
// at all with a ReceiverStatus (e.g. E0:24:41): the X212 guide has no
// source-level (2200A) status, so that answer goes at the receiver level,
// as the guide's examples do.
//
// ReadResponses and DecodeResponses decode 277 (X212) sets back into
// Response values with their segments for byte-identical Encode.
package claimstatus
