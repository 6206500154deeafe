// Package eligibility reads 270 eligibility inquiries and writes 271
// eligibility responses (005010X279A1).
//
// # Reading 270s
//
// A Decoder is a schema.Handler: put it behind the 270 table of package
// schema (validate.Run's Handler option, returning it for sets whose ID is
// 270, or a schema.Parser of your own) and it calls back with one Inquiry
// at a time, the subscriber or dependent level asked about with its
// parents, so memory does not grow with the file:
//
//	dec := eligibility.NewDecoder(func(q *eligibility.Inquiry) error {
//		p := q.Patient()                  // the dependent, or the subscriber
//		_ = p.ServiceTypes()              // EQ01 codes, e.g. ["30"]
//		_, _ = p.PlanDate()               // DTP*291, D8 or RD8
//		_ = q.Traces()                    // TRN*1 to echo as TRN*2
//		return nil
//	})
//	res, err := validate.Run(ctx, r, validate.Options{Handler: func(s validate.SetInfo) schema.Handler {
//		if s.ID != "270" {
//			return nil
//		}
//		return dec
//	}})
//	// then dec.Flush() (a set cut short at the end of the input)
//
// ReadRequests (a stream) and DecodeRequests (bytes) decode whole sets
// instead: a Request keeps its segments, and Request.Encode writes the
// set back byte for byte. A subscriber level is an inquiry when it has no
// dependent level or asks about itself (2110C loops); every dependent
// level (2000D) is an inquiry whose Subscriber is its 2000C.
//
// # Writing 271s
//
// Write271 writes one 271 transaction set per Response in one
// interchange, addressed and numbered by an ack.OutboundEnvelope:
//
//	resp := eligibility.Response{
//		Reference:  inquiry.Header.Reference,
//		Source:     eligibility.Party{Last: "ALLIANCE HEALTH PLAN", ID: "ALL01"},
//		Receiver:   inquiry.Receiver.Party,
//		Subscriber: inquiry.Subscriber.Echo(), // NM1, REF, DMG used to find the member; TRN*1 as TRN*2
//	}
//	resp.Subscriber.Dates = []eligibility.Date{{Qualifier: "346", From: "20260101"}}
//	resp.Subscriber.Benefits = []eligibility.Benefit{{Code: "1", CoverageLevel: "IND",
//		ServiceTypes: []string{"30"}, InsuranceType: "C1", PlanDescription: "GOLD PPO"}}
//	err := eligibility.Write271(w, []eligibility.Response{resp}, ack.OutboundEnvelope{
//		Control: isa13, GroupControl: gs06, Time: now, SenderID: "ALLIANCECH", ReceiverID: partnerID})
//
// Write271 checks every value before writing anything (the error joins
// one *FieldError per problem, naming positions, never values: names and
// member IDs are PHI); code values are checked against the code lists of
// the X279A1 table the validator uses (schema.Schema.Codes), so its
// output passes validate.Run with no finding.
//
// What a Response becomes:
//
//	ST*271 BHT*0022*11*<Reference>
//	HL*1**20*1|0   NM1*PR*2*<name>*****PI*<id>   AAA*N**<code>*<action> (SourceRejects)
//	HL*2*1*21*1|0  NM1*1P*2*<name>*****XX*<npi>  AAA (ReceiverRejects)
//	HL*3*2*22*1|0  TRN*2.. NM1*IL REF.. AAA.. DMG DTP..  EB DTP.. AAA.. MSG.. (per Benefit)
//	HL*4*3*23*0    TRN*2.. NM1*03 REF.. AAA.. DMG DTP..  EB ...   (Dependent)
//	SE
//
// A source rejection ends the set after 2100A, a receiver rejection after
// 2100B (their HL04 is then 0). A level with rejects has no benefits.
// Common reject reasons (AAA03) by level: 2100A 79 invalid participant
// identification, 42 unable to respond now, 80 no response from a third
// party, T4 payer name or ID missing; 2100B 43 invalid provider ID, 51
// provider not on file, 50 provider ineligible for inquiries; 2100C 72
// invalid member ID, 73 invalid name, 75 subscriber not found, 58 invalid
// date of birth, 71 date of birth mismatch, 57 invalid date of service,
// 62 service date outside the inquiry period, 63 service date in the
// future, 76 duplicate member ID; 2100D 64..68 patient errors and 77
// subscriber found, patient not found. Follow-up actions (AAA04): C
// correct and resubmit (default), N resubmission not allowed, R
// resubmission allowed, W wait 30 days, X wait 10 days, Y do not resubmit.
// DTP qualifiers: 2100C/D take 346/347 plan begin/end, 356/357
// eligibility begin/end, 291, 307 and others; 2110C/D take 291 (an RD8
// range for plan dates), 346, 348/349, 356/357, 307 and others (not 347).
//
// ReadResponses and DecodeResponses decode 271 sets back into Response
// values (one per answer) with their segments for byte-identical Encode.
package eligibility
