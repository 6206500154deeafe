// Package repricing is the pricing core of the clearinghouse's repricing
// feature: given the facts of a claim and its lines it returns the allowed
// amounts and the HCP (2300/2400) values to write. It is pure Go: no
// database, no X12; other packages store schedules (through ScheduleSource)
// and write the HCP segments.
//
// # Usage
//
//	fee, err := repricing.LoadFeeSchedule(feeCSV)        // *CSVError on bad input
//	table, err := repricing.LoadContracts(contractsYAML) // *ContractError, *AmbiguityError
//	src := &repricing.MemorySource{Fee: map[string]*repricing.FeeSchedule{"fee_professional": fee}}
//	eng, err := repricing.NewEngine(ctx, src, table, nil)
//
//	var res repricing.Result // reuse across claims: PriceInto does not allocate
//	err = eng.PriceInto(&repricing.Claim{
//		ID: "PCN1", Type: repricing.Professional, BillingNPI: "1234567893",
//		PayerID: "2712", POS: "11", BilledCents: 15000,
//		StatementFrom: repricing.NewDate(2026, 3, 2),
//		Lines: []repricing.Line{{No: 1, ProcedureCode: "A0428", Units: 1000, UnitBasis: "UN",
//			ChargeCents: 15000, ServiceDate: repricing.NewDate(2026, 3, 2)}},
//	}, &res)
//	// res.ContractID, res.Claim.AllowedCents, res.Claim.MethodCode (HCP01), res.Lines[0]...
//
// # Numbers
//
// Money is int64 cents, parsed from decimal dollars ("125.50", "125.5",
// "125"; no sign, no thousands separator, at most 2 decimals) digit by
// digit, never through float. RVUs, GPCIs and DRG weights have up to 4
// decimals and are int64 scaled by 10 000 (Scale4: RVU 1.2 is 12000).
// Percentages are basis points (70 % is 7000). Conversion factors are in
// 1/10000 dollar (CY2026 $33.4009 is 334009). Units are thousandths (1 unit
// is 1000).
//
// Limits: amounts (schedule amounts, charges, results, claim totals) are at
// most MaxCents ($9,999,999,999,999.99), units at most MaxUnits
// (99,999,999.999), RVUs 99999.9999, GPCIs 99.9999, DRG weights 999.9999,
// conversion factors 99999.9999, RBRVS percent 1000 %. Products are formed
// in 128-bit integers, so no intermediate overflows; a result above
// MaxCents is ErrAmountRange.
//
// # Rounding
//
// Every line amount is computed exactly and rounded once, half up, to the
// cent (12.345 → 12.35; 12.3449 → 12.34): fee × units; charge × percent;
// the RBRVS formula
//
//	(work RVU × work GPCI + PE RVU × PE GPCI + MP RVU × MP GPCI) × CF × units × RBRVS percent
//
// as one product divided once at the end, never rounding the 100 % amount
// first (2.30 RVU × 33.4009 = 76.822 → 76.82; at 140 % 107.551 → 107.55);
// weight × base rate for DRG; rate × days for per diem (exact). The claim
// allowed amount of a line-level method is the sum of the rounded lines,
// so the 2300 HCP02 equals the sum of the 2400 HCP02 exactly.
//
// # Methods
//
//	Method           level  allowed                                       HCP01  capped at charge/billed
//	LesserOfFee      line   min(charge, fee × units)                      02     always (lesser-of)
//	RBRVS            line   min(charge, RBRVS amount)                     02     always (lesser-of)
//	PercentOfCharges line   charge × Percent (≤ 100 %)                    03     by construction
//	PerDiem          claim  daily rate × covered days                     06     only with CapAtBilled
//	DRG              claim  relative weight × BaseRateCents (no outliers) 07*    only with CapAtBilled
//	CaseRate         claim  flat amount                                   07     only with CapAtBilled
//
// (*) Config.DRGMethodCode, default 07; any contract's MethodCode
// overrides its method's code.
//
// Line-level claims: the claim HCP01 is the lines' common code, 08
// (combination) when priced lines used different codes (for instance 02
// from the fee schedule and 03 from an unpriced percent rule); denied lines
// (00) do not count; 00 with HCP13 when every line is denied. Savings are
// charge − allowed per line and billed − allowed for the claim.
//
// Claim-level claims (837I): the claim HCP carries the amount, HCP05 the
// daily rate, base rate or case rate, per diem HCP11 DA and HCP12 the days,
// DRG HCP06/HCP07 the DRG and its amount. Lines are Bundled (HCP01 04,
// allowed 0). Without CapAtBilled the amount may exceed the billed amount
// and the claim savings are then negative.
//
// Per diem: the rate is that of the first line whose revenue code has a
// rate, else that of the claim's facility type (first two digits of the
// type of bill). Covered days = discharge date − admission date (day of
// discharge not counted), at least 1; the discharge date is Claim.Discharge,
// else StatementTo. Without an admission date or without both end dates,
// days = the sum of the lines' DA units, whole days (fractions dropped), at
// least 1.
//
// DRG: the claim's DRG (HI DR) must be in the schedule. Case rate: the key
// is the claim's DRG, else the first line procedure code with a rate, else
// the first line revenue code with a rate.
//
// The 837P claim level never gets 06: PerDiem and DRG contracts and
// MethodCode 06 are rejected unless every match rule is institutional.
//
// Unpriced: a line (or, for claim-level methods, the claim) the method
// cannot price (no row for the code on the date, no DRG, no rate, no days)
// follows the contract's UnpricedRule: deny (allowed 0, HCP01 00, HCP13 the
// reason, default T6) or a percent of charges (HCP01 03). A line without
// units is priced as 1 unit and reports HCP11/HCP12.
//
// # Dates
//
// The contract date picks the contract: admission date, else statement
// from date, else the earliest line service date. Line schedules are looked
// up on the line's service date (else the statement from date, else the
// contract date). Claim-level rates are looked up on the discharge date,
// else the statement through date, else the contract date. Effective ranges
// are inclusive at both ends.
//
// # Schedule files
//
// All schedules are CSV (RFC 4180). The first record must be the header
// exactly as shown (names and order). Fields are trimmed of surrounding
// spaces; lines starting with # are comments; blank lines and a UTF-8 BOM
// are ignored. Dates are YYYY-MM-DD; an empty effective_from means
// 0001-01-01 and an empty effective_to means open ended (9999-12-31); both
// are inclusive. Codes are A-Z and 0-9 (at most 48 characters), compared
// exactly. A key may have several rows only if their effective ranges do
// not overlap; a duplicate (same key and range) is ErrDuplicate, an overlap
// ErrOverlap. A file with no rows is ErrNoRows. Every error is a *CSVError
// with the line and the 1-based column.
//
// fee (LoadFeeSchedule):
//
//	code,modifier,pos,amount,effective_from,effective_to
//	A0428,,,325.00,2026-01-01,
//	E0114,RR,,12.50,2026-01-01,2026-12-31
//	ZZ001,,22,180.00,2026-01-01,
//
// code is a procedure code or a four-digit revenue code (lines without a
// procedure code, or whose code has no row, are looked up by revenue
// code); modifier (two characters) and pos (two digits) may be empty,
// meaning any; amount is per unit. Among the rows effective on the date of
// service the most specific wins: code+modifier+pos, then code+modifier,
// then code+pos, then code alone; with several line modifiers, an earlier
// modifier beats a later one at the same level.
//
// rbrvs (LoadRBRVSSchedule):
//
//	code,modifier,work_rvu,pe_rvu_nonfacility,pe_rvu_facility,mp_rvu,effective_from,effective_to
//	ZZ003,,1.00,1.20,0.80,0.10,2026-01-01,
//
// RVUs have up to 4 decimals. A code+modifier row (26, TC, ...) wins over
// the code-only row. The facility PE RVU applies when the line's place of
// service (else the claim's) is in Config.FacilityPOS (default 19, 21, 22,
// 23, 24, 26, 31, 34, 41, 42, 51, 52, 53, 56, 61); with no POS at all,
// institutional claims use facility and professional ones non-facility.
// Do not ship CMS RVU files in the repository: they are keyed by CPT codes;
// load them at run time from a licensed source.
//
// gpci (LoadGPCITable):
//
//	locality,work_gpci,pe_gpci,mp_gpci
//	01,1.0000,1.0000,1.0000
//
// One row per locality (no dates: version GPCI files by name and point
// date-ranged contracts at them).
//
// per diem (LoadPerDiemSchedule):
//
//	revenue_code_or_type,rate,effective_from,effective_to
//	0120,1800.00,2026-01-01,
//	11,1500.00,2026-01-01,
//
// The key is a four-digit revenue code or a two-digit facility type code;
// rate is per covered day.
//
// drg (LoadDRGSchedule):
//
//	drg,relative_weight,effective_from,effective_to
//	470,1.9000,2025-10-01,2026-09-30
//
// The base rate is on the contract (BaseRateCents).
//
// case rate (LoadCaseRateSchedule), with or without dates:
//
//	drg_or_code,amount                      drg_or_code,amount,effective_from,effective_to
//	470,14500.00                            470,14500.00,2026-01-01,
//
// # Contracts file
//
// LoadContracts reads YAML. Numbers are read as text (never float):
// percent and rbrvs_percent as percentages with up to 2 decimals ("70",
// "62.5", "140%"), conversion_factor in dollars with up to 4 decimals,
// base_rate in dollars. Unknown keys are errors.
//
//	contracts:
//	  - id: ALLIANCE-PROF-2026          # required, unique
//	    effective_from: 2026-01-01      # optional; inclusive
//	    effective_to: 2026-12-31        # optional; inclusive
//	    match:                          # one or more rules; all fields optional
//	      - payer_id: "2712"
//	        claim_type: P               # P or I
//	        npi: "1234567893"           # billing NPI (Luhn checked)
//	        tin: "123456789"            # billing TIN, nine digits
//	        bill_type: "11"             # facility type (first two TOB digits), implies I
//	        tpa: SYNTH TPA WEST         # member's roster TPA (Claim.TPA); case and outer spaces ignored
//	    default: true                   # adds a rule with no fields (catch-all)
//	    method: lesser_of_fee           # lesser_of_fee|percent_of_charges|rbrvs|per_diem|drg|case_rate
//	    percent: 70                     # percent_of_charges
//	    conversion_factor: 33.4009      # rbrvs
//	    rbrvs_percent: 140              # rbrvs
//	    locality: "01"                  # rbrvs
//	    base_rate: 6000.00              # drg
//	    cap_at_billed: false            # per_diem, drg, case_rate
//	    method_code: "07"               # optional HCP01 override
//	    schedules: {fee: NAME, rbrvs: NAME, gpci: NAME, per_diem: NAME, drg: NAME, case_rate: NAME}
//	    unpriced: {action: deny, reason: T6}     # or {action: percent_of_charges, percent: 50}
//
// Contract matching: a rule matches when each of its fields equals the
// claim's and the contract date is in the contract's range. The rule with
// the most fields wins (npi+payer beats payer; payer+claim_type beats
// payer; tpa+payer beats tpa; any rule beats the default). Two contracts
// that could both win for some claim on some date — same number of fields,
// compatible values, overlapping dates — make the table invalid
// (*AmbiguityError), unless rules with more fields decide every such claim
// on every such date: {tpa: X} and {payer_id: Y} in different contracts
// need a {tpa: X, payer_id: Y} rule. Only the fields listed and the date
// select a contract; inpatient and outpatient institutional contracts are
// told apart with bill_type.
//
// tpa is the TPA the member is enrolled under on the roster (Claim.TPA),
// compared ignoring case and surrounding spaces like claim routing's TPA
// names ("synth tpa west " matches SYNTH TPA WEST); at most 60 characters,
// no control characters, not only spaces. A claim whose TPA is unknown
// (empty) matches no rule with a tpa and falls to a less specific one.
package repricing
