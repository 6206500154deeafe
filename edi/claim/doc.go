// Package claim is the typed model of 837 health care claims, professional
// (837P, 005010X222A1) and institutional (837I, 005010X223A2), with a
// streaming decoder, a whole-transaction decoder, an encoder that
// reproduces its input byte for byte, and the edits repricing needs.
//
// Both decoders are schema.Handlers: the implementation-guide parser
// (package schema) places each segment in its loop and the decoder builds
// the model from those events.
//
// The streaming Decoder is what the pipeline uses on large files. It calls
// a function with each claim (and its billing provider, subscriber, payer
// and patient, shared between the claims under them) as soon as the claim
// is complete, and keeps nothing afterwards:
//
//	d := claim.NewDecoder(claim.Professional, func(c *claim.ClaimContext) error {
//		slog.Info("claim", slog.String("clm01", c.Claim.PatientControlNumber),
//			slog.String("payer", c.Claim.PayerID()), slog.String("frequency", c.Claim.Frequency()))
//		return nil
//	})
//	p := schema.NewParser(claim.SchemaFor("005010X222A1"), d)
//	for _, seg := range set { // the segments ST..SE as the x12.Reader returns them
//		if err := p.Segment(seg); err != nil {
//			return err
//		}
//	}
//	issues := p.Finish()
//
// The TransactionDecoder (and DecodeTransaction, ReadTransactions) builds a
// whole Transaction instead and keeps a clone of every segment in its loop.
// Typed fields are views of those segments: Encode writes the segments, so
// an unmodified transaction is written back exactly as it was read, line
// breaks and indentation included. Edits go through methods that replace or
// insert segments where the guide orders them and leave every other
// segment untouched:
//
//	err := claim.ReadTransactions(in, func(tx *claim.Transaction, issues []ack.Issue) error {
//		for c := range tx.Claims() {
//			savings := c.Claim.TotalCharge * 30 / 100
//			allowed := c.Claim.TotalCharge - savings
//			if err := c.Claim.SetPricing(claim.Pricing{Method: "03", Allowed: allowed, Savings: &savings}); err != nil {
//				return err
//			}
//			if err := c.Claim.SetRef("9A", "RP123"); err != nil {
//				return err
//			}
//		}
//		w := x12.NewWriter(out, x12.DefaultDelimiters)
//		if err := claim.EncodeSet(w, tx, "0001"); err != nil { // SE01 recomputed
//			return err
//		}
//		return w.Flush()
//	})
//
// The edits are Claim.SetPricing, Claim.SetRef and Claim.SetDate (loop
// 2300), Line.SetPricing and Line.SetRef (loop 2400), and
// Transaction.SetSubmitter and Transaction.SetReceiver, which replace the
// 1000A and 1000B NM1 in place (NM1*41 / NM1*40, a non-person entity with
// the ETIN qualifier "46") so a forwarded set names the clearinghouse as
// submitter and the partner as receiver; the 1000A PER is kept. Every edit
// refuses a value holding one of the set's delimiters (ErrDelimiter);
// SetSubmitter and SetReceiver also check NM108 and the NM103/NM109
// lengths of the guides. A refused edit changes nothing.
//
// Transaction.Select keeps a subset of the claims (with the billing
// provider, subscriber and patient loops they need, HL numbering
// rewritten) for forwarding different claims to different partners;
// Transaction.SelectSegments does the same for a result that is only
// given new parties and encoded, without decoding its claims again.
//
// Money is int64 cents and quantities int64 thousandths; dates are kept as
// CCYYMMDD strings (ParseDate converts one when date arithmetic is needed).
// Decoding never fails on a bad value: amounts, quantities and numbers that
// do not parse are listed in Claim.Problems (by segment and element, never
// by value, since values may be PHI) and read as zero.
package claim
