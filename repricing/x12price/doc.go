// Package x12price connects the 837 model (package edi/claim) to the
// repricing engine (package repricing): FromClaim turns a decoded claim into
// the engine's input and Apply writes the engine's result back into the
// claim's segments as the repricer's HCP, REF and DTP segments. Reprice does
// both for a whole X12 stream, copying everything else byte for byte.
//
// # Usage
//
//	eng, err := repricing.NewEngine(ctx, src, contracts, nil)
//	err = claim.ReadTransactions(in, func(tx *claim.Transaction, _ []ack.Issue) error {
//		for cc := range tx.Claims() {
//			in := x12price.FromClaim(cc)
//			res, err := eng.Price(&in)
//			if err != nil { // repricing.ErrNoContract, repricing.ErrInvalidClaim
//				continue // the claim is left as it was
//			}
//			err = x12price.Apply(cc.Claim, res, x12price.ApplyOptions{
//				OrgID: "CLEARINGHOUSE", ClaimRef: "RP000123", LineRefs: true,
//				Received: time.Now(), Adjusted: x12price.IsAdjustment(cc.Claim),
//			})
//			if err != nil {
//				return err
//			}
//		}
//		return claim.EncodeSet(w, tx, tx.ControlNumber)
//	})
//
// or, for a whole file with its envelopes:
//
//	err = x12price.Reprice(ctx, eng, in, out, x12price.FileOptions{Apply: optsFor},
//		func(o *x12price.Outcome) error { ...; return nil })
//
// # What is written
//
// At 2300, one HCP: HCP01 the method code, HCP02 the allowed amount, HCP03
// the savings (billed − allowed; negative when a claim-level amount exceeds
// the billed amount), HCP04 ApplyOptions.OrgID, HCP05 the per diem, base or
// case rate when the result has one, HCP06/HCP07 the DRG and its amount
// (837I only), HCP11/HCP12 the approved unit basis and units when the
// result has them (837I only: the 837P guide does not use them at 2300),
// HCP13 the reject reason of a denied claim. An 837P claim never gets HCP01
// 06 (Apply refuses such a result with ErrResult).
//
// At 2400, one HCP per line: HCP01, HCP02 and HCP03 (charge − allowed),
// HCP11/HCP12 when the units priced differ from the units billed, HCP13
// when the line is denied. Lines of a claim priced at claim level (per
// diem, DRG, case rate) are bundled: HCP01 04 with HCP02 0 (left out with
// ApplyOptions.OmitBundledLines). The engine never changes a procedure
// code, so HCP09/HCP10 are never written.
//
// REF*9A (REF*9C for an adjusted claim) carries ApplyOptions.ClaimRef at
// 2300, and with LineRefs REF*9B (9D) carries ClaimRef-LX01 on every line;
// DTP*050 carries ApplyOptions.Received. An existing HCP, or REF or DTP with
// the same qualifier, is replaced in place; everything else in the
// transaction stays byte for byte (package claim guarantees it).
//
// # Dates
//
// The engine's dates come from the claim as follows. 837P: statement from
// and through are the earliest and latest line service dates (DTP*472),
// there is no admission or discharge date (an 837P DTP*435 is a
// hospitalization date and does not select the contract). 837I: statement
// dates from DTP*434, admission from DTP*435 (D8 or the date part of DT);
// DTP*096 on an 837I is the discharge hour, not a date, so the discharge
// date of an inpatient claim (one with an admission date) is the statement
// through date. Line service dates are the from date of DTP*472 (D8 or
// RD8). A date that does not parse is left zero (the validator reports it).
package x12price
