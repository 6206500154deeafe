package web

import (
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/ack"
)

// Reason is one status code of a claim with its plain-English meaning.
type Reason struct {
	// Code is the code as recorded, e.g. "A7:164:IL" or "IK5:R:5".
	Code string
	// Text says what it means for the people who fix the claim.
	Text string
}

// The 277CA codes the clearinghouse sends (docs/claim-rules.md),
// paraphrased. Claim status category codes (STC01-1):
var categoryText = map[string]string{
	"A0": "Forwarded to the payer",
	"A1": "Received",
	"A2": "Accepted for processing",
	"A3": "Returned as unprocessable",
	"A4": "Not found",
	"A5": "Split into several claims",
	"A6": "Rejected for missing information",
	"A7": "Rejected for invalid information",
	"A8": "Rejected: fields that must agree do not",
}

// Claim status codes (STC01-2) we emit.
var statusText = map[string]string{
	"20":  "the claim was accepted for processing",
	"21":  "information is missing or invalid",
	"54":  "it duplicates a claim already processed",
	"88":  "the member was not covered on the dates of service",
	"116": "it was sent to the wrong payer: no route takes this payer ID",
	"125": "the name does not match our records",
	"158": "the date of birth does not match our records",
	"164": "the member ID is not on our roster",
	"464": "the original claim reference (REF*F8) is missing or names no claim in effect",
	"535": "the claim frequency code is not one we accept",
}

// Entity identifier codes (STC01-3) we emit.
var entityText = map[string]string{
	"IL": "subscriber",
	"QC": "patient",
	"85": "billing provider",
	"41": "submitter",
	"PR": "payer",
}

// Fixes suggest what to do about a claim status code.
var fixText = map[string]string{
	"54":  "Do not resend it; check the claim it duplicates.",
	"88":  "Check the member's coverage dates with the plan.",
	"116": "Check the payer ID (loop 2010BB).",
	"125": "Correct the name as it appears on the member's card.",
	"158": "Correct the date of birth.",
	"164": "Correct the member ID as printed on the card (no extra suffix).",
	"464": "Send the claim control number we returned (CH…) in REF*F8, for a claim still in effect.",
	"535": "Use frequency 1 (original), 7 (replacement) or 8 (void).",
}

// ExplainReason turns one recorded claim reason into plain English:
// 277CA category:status[:entity] codes, and the 999/TA1 codes of claims in
// rejected sets, groups or interchanges (IK5:R:5, AK9:R, TA1:R:001).
func ExplainReason(code string) Reason {
	parts := strings.Split(code, ":")
	r := Reason{Code: code}
	switch parts[0] {
	case "IK5":
		r.Text = "The 999 rejected the claim's transaction set"
		if len(parts) > 2 {
			if d := ack.Describe(ack.LevelTransaction, parts[2]); d != "" {
				r.Text += ": " + d
			}
		}
		r.Text += ". See the errors of the file."
		return r
	case "AK9":
		r.Text = "The 999 rejected the claim's functional group."
		return r
	case "TA1":
		r.Text = "The interchange (ISA envelope) was rejected"
		if len(parts) > 2 {
			if d := ack.Describe(ack.LevelInterchange, parts[2]); d != "" {
				r.Text += ": " + d
			}
		}
		r.Text += "."
		return r
	}
	cat, ok := categoryText[parts[0]]
	if !ok {
		r.Text = "Unknown code."
		return r
	}
	r.Text = cat
	if len(parts) > 1 {
		if s, ok := statusText[parts[1]]; ok {
			r.Text += ": " + s
		} else {
			r.Text += " (status " + parts[1] + ")"
		}
	}
	if len(parts) > 2 {
		if e, ok := entityText[parts[2]]; ok {
			r.Text += " (" + e + ")"
		}
	}
	r.Text += "."
	if len(parts) > 1 {
		if f, ok := fixText[parts[1]]; ok {
			r.Text += " " + f
		}
	}
	return r
}

// ExplainReasons explains every ";"-separated reason of a claim.
func ExplainReasons(reasons string) []Reason {
	var out []Reason
	for c := range strings.SplitSeq(reasons, ";") {
		if c != "" {
			out = append(out, ExplainReason(c))
		}
	}
	return out
}

// noteText explains the machine-readable claim notes.
var noteText = map[string]string{
	"exact-duplicate":           "Exact duplicate of a claim already received.",
	"suspect-duplicate":         "Looks like a claim already received (same member, provider and dates); held for review.",
	"f8-missing":                "Replacement or void without the original claim's reference (REF*F8).",
	"f8-unknown":                "REF*F8 names no claim we know.",
	"f8-other-submitter":        "REF*F8 names another submitter's claim.",
	"f8-other-member":           "REF*F8 names another member's claim.",
	"f8-already-replaced":       "The original claim was already replaced.",
	"f8-already-voided":         "The original claim was already voided.",
	"f8-not-in-effect":          "The original claim is no longer in effect.",
	"frequency-unsupported":     "Claim frequency code not accepted.",
	"no-route":                  "No route for this payer ID.",
	"member_not_found":          "Member ID not on the roster.",
	"member_id_case":            "Member ID differs from the roster only in upper/lower case.",
	"member_id_suffix":          "Member ID has (or lacks) a 2-digit suffix the roster does not.",
	"subscriber_name_mismatch":  "Subscriber name differs from the roster.",
	"patient_name_mismatch":     "Patient name differs from the roster.",
	"not_covered_on_dos":        "Not covered on the dates of service.",
	"forwarded-as-original":     "Forwarded as an original: its original was never forwarded.",
	"original-never-forwarded":  "Void of a claim that was never forwarded: closed.",
	"released-by-operator":      "Released from the duplicate review by an operator.",
	"marked-duplicate-operator": "Marked as a duplicate by an operator.",
}

// ExplainNote explains one claim note ("" when unknown).
func ExplainNote(note string) string {
	key, _, _ := strings.Cut(note, "=")
	return noteText[key]
}
