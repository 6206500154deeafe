// Package remit is the typed model of the 835 health care claim
// payment/advice (005010X221A1): a streaming decoder fed by the events of
// the implementation-guide parser (package schema, whose X221A1 table
// also checks the balancing), a whole-set decoder whose Encode reproduces
// its input byte for byte, a writer for the 835s we emit and a
// re-enveloper for forwarding the ones we receive.
//
// # Decoding
//
// The streaming Decoder is a schema.Handler. It calls a function with each
// claim payment (loop 2100 with its 2110 service lines) as soon as the
// claim is complete, with its header number group and the remittance
// header (BPR, TRN, payer, payee) shared between the claims of the set,
// and keeps nothing afterwards, so memory stays flat on huge 835s. A
// second function receives the set at its SE: the provider-level
// adjustments (PLB), SE01 and the claim totals.
//
//	d := remit.NewDecoder(func(c *remit.ClaimContext) error {
//		slog.Info("claim payment", slog.String("clp07", c.Claim.PayerClaimControlNumber),
//			slog.String("status", c.Claim.Status), slog.Int64("paid", c.Claim.Paid))
//		return nil
//	}, func(r *remit.Remittance) error {
//		// r.Totals.Paid − Σ r.Adjustments = BPR02 (the parser checked it)
//		return nil
//	})
//	res, err := validate.Run(ctx, in, validate.Options{Handler: func(s validate.SetInfo) schema.Handler {
//		if s.ID == "835" {
//			return d
//		}
//		return nil
//	}})
//
// (or feed a schema.NewParser(remit.Schema(), d) the segments ST..SE
// yourself; call d.Flush at the end of the input either way, for a set
// cut short without an SE). Decoder.ReuseClaims recycles an emitted
// claim's memory for the next one (the claim is then valid only during the
// call), which saves most of the decoder's allocations on huge files. SetDecoder,
// DecodeSet and ReadSets build a whole Remittance instead, keeping a clone
// of every segment: Encode writes it back exactly as read.
//
// Decoding never fails on a bad value: amounts that are not whole cents
// and numbers that do not parse are listed in Problems (by segment and
// element, never by value) and read as zero. The validator reports them.
//
// # Money, balancing and reversals
//
// Amounts are int64 cents, quantities int64 thousandths, dates CCYYMMDD
// strings. The balancing rules (reference §4.2) are checked by the schema
// parser on every received 835 (999 IK403 I12 at the element that should
// equal the sum) and by Write on every 835 we emit:
//
//	SVC02 − Σ line CAS = SVC03                      Line.ExpectedPaid
//	CLP03 − Σ claim CAS − Σ line CAS = CLP04         Claim.ExpectedPaid
//	CLP05 = Σ CAS of group PR (when sent)            Claim.PatientResponsibilityTotal
//	BPR02 = Σ CLP04 − Σ PLB (−BPR02 for a debit)     Remittance.NetPayment
//
// A reversal (CLP02 22, Claim.IsReversal) repeats the original claim with
// every amount negated — CLP03, CLP04, CLP05 and each CAS amount under its
// original group and reason — so it balances like any claim and its
// negative CLP04 takes the original payment out of BPR02; the correction
// follows as an ordinary claim. A positive PLB amount reduces the payment
// (WO recoupment), a negative one increases it (L6 interest).
//
// # Writing
//
// Write emits 835s we originate, such as zero-pay denials (BPR01 H, BPR04
// NON, CLP02 4, CAS*CO with the CARC, MOA and LQ*HE with RARCs).
// ComputeTotals derives SVC03, CLP04, CLP05 and BPR02 from the charges and
// adjustments; Write checks every value and the balancing first and
// writes nothing when something is wrong (one *FieldError per problem,
// naming positions, never values). Its output passes validate.Run with
// no finding.
//
//	r := remit.Remittance{
//		Payment: remit.Payment{Handling: "H", CreditDebit: "C", Method: "NON", Date: "20261207"},
//		Trace:   remit.Trace{Number: "DEN20261207001", Originator: "1391234567"},
//		Payer:   payer, Payee: payee, // 1000A needs an address and a PER*BL contact
//		Groups: []*remit.Group{{Number: 1, Claims: []*remit.Claim{{
//			PatientControlNumber: clm01, Status: "4", Charge: 25000, FilingIndicator: "12",
//			PayerClaimControlNumber: icn,
//			Adjustments: []remit.Adjustment{{Group: "CO", Reasons: []remit.Reason{{Code: "16", Amount: 25000}}}},
//			Patient:     &remit.Party{Type: "1", LastOrOrg: last, First: first, IDQualifier: "MI", ID: memberID},
//			Outpatient:  &remit.Outpatient{Remarks: []string{"MA130"}},
//		}}}},
//	}
//	r.ComputeTotals()
//	err := remit.Write(w, []remit.Remittance{r}, ack.OutboundEnvelope{
//		Control: isa13, GroupControl: gs06, Time: clock.Now(),
//		SenderID: "ALLIANCECH", ReceiverID: providerISA06,
//	})
//
// Reenvelope forwards received 835 sets (from ReadSets or DecodeSet) to a
// provider: our ISA and GS around each set's ST..SE as received, with a
// new ST02/SE02 only when two sets of the group would share one.
//
// # What Write writes
//
//	ISA GS*HP*...*005010X221A1                       one interchange, one group
//	ST*835*<SetControl+i, 4 digits>*005010X221A1     one set per Remittance
//	BPR TRN [CUR*PR] [REF*EV] [REF*F2] [DTM*405]
//	N1*PR N3 N4 REF* PER (CX, then BL, then IC)      1000A
//	N1*PE N3 N4 REF* RDM                             1000B
//	LX [TS3]                                         per Group (LX01 = Number, or 1, 2, ...)
//	  CLP CAS* NM1*QC|IL|74|82|TT|PR|GB MIA|MOA REF* DTM*232|233|036|050 PER AMT* QTY*
//	  SVC DTM*472|150|151 CAS* REF* AMT* QTY* LQ*
//	PLB*                                             provider-level adjustments
//	SE GE IEA                                        counted here
//
// Amounts are written without trailing zeros ("147.5"), the procedure
// composite as qualifier:code:modifiers. Delimiters are out.Delimiters
// (default * ^ : ~) unless an identifier or code contains one; then
// ack.PickDelimiters chooses another, so identifiers come back unchanged.
// Names and addresses do not move delimiters (a delimiter there becomes a
// space, ack.Scrub).
package remit
