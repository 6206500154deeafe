// Package forward is the pipeline stage that sends accepted claims on: it
// reprices each claim, writes the pricing into the claim's own segments and
// queues the claims, in new 837 interchanges, to the partner the payer-ID
// routing table names.
//
// # Usage
//
//	table, err := forward.NewTable(forward.DefaultRoutes())
//	fw, err := forward.New(st, sp, table, eng, forward.Config{ // eng: *repricing.Engine or nil
//		Owner:    "host-1",
//		Identity: forward.Identity{Qualifier: "ZZ", ID: "CLEARINGHOUSE", Name: "ALLIANCE REPRICING"},
//	})
//	res, err := fw.RunOnce(ctx) // after processing, before delivery
//
// # What RunOnce does
//
//  1. Lists the claims in state accepted or suspect whose set is settled
//     (the claim has a transaction ID, i.e. its interchange was accepted)
//     and that are not bound to an outbound file yet
//     (store.ForwardCandidates), by ID.
//  2. Decides each replacement and void (CLM05-3 7/8) by its chain
//     (store.CorrectionChain: the claim its REF*F8 named, the claim that
//     one replaced, ...): if a claim of the chain was forwarded, the
//     correction goes to the partner that claim went to
//     (Route.CorrectedPartner when set), with REF*F8 rewritten to that
//     claim when it is not the one named (note NoteF8Forwarded). If none
//     was, a replacement is forwarded as an original (CLM05-3 1, no
//     REF*F8, routed as an original, note NoteForwardedAsOriginal) and a
//     void is not forwarded: it becomes store.ClaimClosed (note
//     NoteOriginalNeverForwarded, Result.Closed). A correction whose
//     original is still a candidate waits for a later run
//     (Result.Skipped), so the original always goes first.
//  3. Routes each by payer ID and claim type (Table.Lookup). A claim no
//     route takes is marked rejected with reason A3:116.
//  4. Re-reads each claim's spooled inbound file once with
//     claim.ReadTransactions and finds the claim by the byte offset of its
//     CLM (store RawOffset; the CLM01 must match too).
//  5. Prices it (x12price.FromClaimInto, Pricer.Price or, when the Pricer
//     has it, PriceInto, reusing one input and result) and writes the result
//     with x12price.Apply: 2300/2400 HCP (HCP04 = Identity.ID), REF*9A
//     (REF*9C for 7/8) = our claim control number, line REF*9B/9D, and
//     DTP*050 = the date the inbound file was received.
//  6. Selects the claims of each set by partner (Transaction.SelectSegments) and
//     collects them into one interchange per partner and guide (837P or
//     837I version) with at most Config.MaxClaimsPerFile claims; more
//     claims make more files. Each interchange has our identity as ISA/GS
//     sender and the partner as receiver, one HC group, and every set
//     re-encoded with claim.EncodeSet; ISA13, GS06 and ST02 come from the
//     partner's control number sequences. Before encoding, each set's
//     1000A is set to us (Identity.Name, Identity.ID) and its 1000B to the
//     partner (Route.ReceiverName, Route.ReceiverID) with
//     Transaction.SetSubmitter and SetReceiver: NM1*41/NM1*40 as a
//     non-person with qualifier 46, replaced in place in the model.
//  7. Writes each file's bytes to the spool (content-addressed), then, in
//     one store transaction, queues it (EnqueueOutbound, kind 837) under a
//     name made of the claim type, the first and last claim control
//     numbers, the count and a digest of all of them (FileName), binds
//     every claim to it (claims.outbound_file_id), marks them forwarded
//     with their partner, pricing method and claim and line allowed
//     amounts, and writes the audit entry.
//
// A crash before that commit leaves an unreferenced spool file and the
// claims candidates; after it, the claims are bound and never batched
// again, whatever new claims arrive before the next run. A file already
// queued under a batch's name but holding other claims is an error
// (store.ErrOutboundClaims), never a silent skip. Fault points:
// forward.spooled (before the transaction) and forward.committed (after
// it), see internal/faultinject.
//
// # Decisions and limits
//
//   - A claim the engine cannot price (repricing.ErrNoContract,
//     ErrInvalidClaim, or a result that does not fit the claim) is
//     forwarded as received, without HCP/REF*9A/DTP*050, and keeps no
//     allowed amount (AllowedCents nil); Result.Unpriced counts them. With
//     a nil Pricer every claim is forwarded unpriced.
//   - Routing runs after the 277CA: a claim rejected here for A3:116 was
//     already acknowledged as accepted. Moving routing before the 277CA is
//     left to the pipeline.
//   - Claims whose spooled file is missing, or that are not found in it,
//     are skipped (logged, Result.Skipped) and stay accepted.
//   - One forwarder per store: two concurrent RunOnce calls may forward a
//     claim twice.
//   - Memory: RunOnce works one inbound file at a time (candidates paged
//     by file, store.ForwardCandidateFiles), and a batch keeps its sets
//     encoded (ST02 taken when a set is added), so a run holds one file's
//     candidate rows plus the open batches' bytes (BenchmarkRunOnce
//     reports the peak heap).
//   - Sets are written with x12.DefaultDelimiters; sets received with other
//     delimiters are translated.
//   - The 1000A PER of the original submitter is kept. Names and IDs we
//     write (Identity, Route receiver fields, partner IDs) are refused by
//     New and NewTable unless they are plain text (letters, digits, space
//     and . , - & ' ( ) / _) of the lengths the guides allow, so they never
//     hold a delimiter. Should a received set use one of those characters
//     as a delimiter, SetSubmitter/SetReceiver refuse the value: that
//     set's claims are skipped (logged, Result.Skipped) and stay accepted,
//     and every other claim is forwarded. A default receiver name (the
//     partner ID) is cut to 60 characters.
//   - Routes by member (Route.TPAPartners) decide by store.Claim.MemberTPA,
//     the roster TPA recorded when the claim passed eligibility; see
//     docs/routing.md.
package forward
