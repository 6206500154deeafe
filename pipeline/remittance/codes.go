package remittance

// Short paraphrased descriptions of the codes an explanation of payment
// shows (the code lists themselves are maintained by X12 and CMS; these
// are the common ones, in our own words). An unknown code is shown with a
// pointer to its list.

// carcText are Claim Adjustment Reason Codes.
var carcText = map[string]string{
	"1":   "Deductible amount",
	"2":   "Coinsurance amount",
	"3":   "Co-payment amount",
	"4":   "Procedure code inconsistent with the modifier, or modifier missing",
	"11":  "Diagnosis inconsistent with the procedure",
	"15":  "Authorization number missing, invalid or not applicable",
	"16":  "Claim or service lacks information or has submission/billing errors",
	"18":  "Exact duplicate claim or service",
	"22":  "May be covered by another payer (coordination of benefits)",
	"23":  "Impact of prior payer(s) adjudication",
	"24":  "Covered under a capitation or managed care plan",
	"26":  "Expenses incurred before coverage began",
	"27":  "Expenses incurred after coverage ended",
	"29":  "Time limit for filing has expired",
	"31":  "Patient cannot be identified as our insured",
	"45":  "Charge exceeds the fee schedule, maximum allowable or contracted fee",
	"50":  "Not deemed a medical necessity by the payer",
	"59":  "Reduced under multiple or concurrent procedure rules",
	"96":  "Non-covered charge(s)",
	"97":  "Included in the payment for another service already adjudicated",
	"109": "Not covered by this payer; send to the correct payer",
	"119": "Benefit maximum for this period or occurrence reached",
	"131": "Claim-specific negotiated discount",
	"140": "Patient or insured ID number and name do not match",
	"197": "Precertification, authorization or notification absent",
	"204": "Service not covered under the patient's current benefit plan",
	"226": "Information requested from the provider was not provided",
	"227": "Information requested from the patient was not provided",
	"242": "Services not provided by network or primary care providers",
	"252": "An attachment or other documentation is required",
	"253": "Sequestration: reduction in federal payment",
	"A1":  "Claim or service denied",
	"B13": "Previously paid; payment may be in a prior remittance",
}

// rarcText are Remittance Advice Remark Codes.
var rarcText = map[string]string{
	"N381":  "See the contractual agreement for billing and payment restrictions",
	"N130":  "See the plan benefit documents for restrictions",
	"N30":   "Patient ineligible for this service",
	"MA130": "Incomplete or invalid claim; resubmit, no appeal rights",
	"M51":   "Missing, incomplete or invalid procedure code(s)",
	"M76":   "Missing, incomplete or invalid diagnosis or condition",
	"N382":  "Missing, incomplete or invalid patient identifier",
	"N329":  "Missing, incomplete or invalid patient birth date",
	"N290":  "Missing, incomplete or invalid rendering provider identifier",
	"MA04":  "Secondary payment needs the primary payer's identity and payment",
	"N4":    "Missing, incomplete or invalid prior insurance carrier EOB",
	"M15":   "Separately billed services bundled as components of one procedure",
	"N20":   "Not payable with another service rendered on the same date",
	"N362":  "Days or units exceed the acceptable maximum",
	"N448":  "Drug, service or supply not in the fee schedule or contract",
	"M86":   "Payment already made for the same or a similar procedure",
	"N522":  "Duplicate of a claim processed as a crossover claim",
	"MA18":  "Alert: claim forwarded to the patient's supplemental insurer",
}

// groupText are CAS01 claim adjustment group codes.
var groupText = map[string]string{
	"CO": "Contractual obligation",
	"PR": "Patient responsibility",
	"OA": "Other adjustment",
	"PI": "Payer-initiated reduction",
	"CR": "Correction or reversal",
}

// statusText are CLP02 claim status codes.
var statusText = map[string]string{
	"1":  "Processed as primary",
	"2":  "Processed as secondary",
	"3":  "Processed as tertiary",
	"4":  "Denied",
	"19": "Processed as primary, forwarded to additional payer(s)",
	"20": "Processed as secondary, forwarded to additional payer(s)",
	"21": "Processed as tertiary, forwarded to additional payer(s)",
	"22": "Reversal of previous payment",
	"23": "Not our claim, forwarded to additional payer(s)",
	"25": "Predetermination pricing only, no payment",
}

// methodText are BPR04 payment methods.
var methodText = map[string]string{
	"ACH": "Automated clearing house (EFT)",
	"BOP": "Financial institution option",
	"CHK": "Check",
	"FWT": "Federal Reserve wire transfer",
	"NON": "Non-payment data",
}

// CARCText describes a claim adjustment reason code.
func CARCText(code string) string {
	if t, ok := carcText[code]; ok {
		return t
	}
	return "See the X12 claim adjustment reason code list"
}

// RARCText describes a remittance advice remark code.
func RARCText(code string) string {
	if t, ok := rarcText[code]; ok {
		return t
	}
	return "See the CMS remittance advice remark code list"
}

// StatusText describes a CLP02 claim status code.
func StatusText(code string) string {
	if t, ok := statusText[code]; ok {
		return t
	}
	return "Status " + code
}

func lookupOr(m map[string]string, code string) string {
	if t, ok := m[code]; ok {
		return t
	}
	return code
}
