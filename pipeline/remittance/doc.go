// Package remittance is the engine's side of the 835 health care claim
// payment/advice: it matches the claim payments (CLP) of a remittance a
// TPA returns to the claims we forwarded (Match), records them as the
// claims' payments (internal/store: remittances, remit claims, claim
// payment status), and renders explanations of payment for people (EOP,
// HTML and PDF).
//
// Matching, in order:
//
//  1. REF*9A / REF*9C of the CLP (the repriced claim reference we wrote on
//     the claim we forwarded) = our claim control number;
//  2. else CLP01 (the submitter's CLM01) + payer (the claim's payer ID
//     is the 835's, or the claim was forwarded to the partner that sent
//     the remittance) + billing provider (NPI, else TIN, of loop 1000B) +
//     charge (|CLP03| = the claim's billed amount).
//
// A CLP that matches nothing, or several claims in effect, is kept
// unmatched with a note and listed by `clearinghouse remits --unmatched`;
// it is never dropped and never guessed. A reversal (CLP02 22, amounts
// negated) followed by its correction leaves the claim at the corrected
// payment; every CLP stays in the claim's history.
package remittance
