package remit

import (
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
)

// Synthetic fixtures: made-up people and providers, HCPCS Level II codes.

func testEnvelope() ack.OutboundEnvelope {
	return ack.OutboundEnvelope{
		Control: 501, GroupControl: 601, Time: time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC),
		SenderID: "ALLIANCECH", ReceiverID: "NORTHCLINIC", Usage: "T", Suffix: "\n",
	}
}

func payer() Payer {
	return Payer{
		Name: "ALLIANCE HEALTH PLAN", Address: Address{Line1: "PO BOX 44365", City: "MADISON", State: "WI", PostalCode: "537444365"},
		Contacts: []Contact{
			{Function: "BL", Name: "EDI SUPPORT", Numbers: []Communication{{"TE", "6085550100"}, {"EM", "edi@example.org"}}},
			{Function: "CX", Name: "PROVIDER SERVICES", Numbers: []Communication{{"TE", "6085550101"}}},
		},
	}
}

func payee() Payee {
	return Payee{Name: "NORTH CLINIC", IDQualifier: "XX", ID: "1234567893",
		Address: Address{Line1: "12 MAIN ST", City: "MADISON", State: "WI", PostalCode: "53703"},
		Refs:    []Ref{{"TJ", "391234567"}}}
}

// denial is a zero-pay denial 835: BPR01 H, CLP02 4, CAS*CO with CARCs,
// MOA and LQ remark codes.
func denial() Remittance {
	r := Remittance{
		Payment:        Payment{Handling: "H", CreditDebit: "C", Method: "NON", Date: "20261207"},
		Trace:          Trace{Type: "1", Number: "DEN20261207001", Originator: "1391234567"},
		ProductionDate: "20261207",
		Payer:          payer(), Payee: payee(),
		Groups: []*Group{{Number: 1, Claims: []*Claim{
			{
				PatientControlNumber: "PCN1001", Status: "4", Charge: 25000, FilingIndicator: "12",
				PayerClaimControlNumber: "ALL26120700001", Facility: "11", Frequency: "1",
				Adjustments: []Adjustment{{Group: "CO", Reasons: []Reason{{Code: "16", Amount: 15000}}}},
				Patient:     &Party{Type: "1", LastOrOrg: "DOE", First: "JANE", IDQualifier: "MI", ID: "XJ100200300"},
				Outpatient:  &Outpatient{Remarks: []string{"MA130", "M51"}},
				Received:    "20261201",
				Lines: []*Line{
					{Procedure: Procedure{Qualifier: "HC", Code: "J1100"}, Charge: 10000, Units: 1000, HasUnits: true,
						ServiceDate: "20261115",
						Adjustments: []Adjustment{{Group: "CO", Reasons: []Reason{{Code: "11", Amount: 10000}}}},
						Refs:        []Ref{{"6R", "LN1"}}, Remarks: []Remark{{"HE", "M76"}}},
				},
			},
			{
				PatientControlNumber: "PCN1002", Status: "4", Charge: 8000, FilingIndicator: "12",
				PayerClaimControlNumber: "ALL26120700002",
				Adjustments:             []Adjustment{{Group: "CO", Reasons: []Reason{{Code: "31", Amount: 8000}}}},
				Patient:                 &Party{Type: "1", LastOrOrg: "ROE", First: "RICHARD", IDQualifier: "MI", ID: "XJ999"},
				Outpatient:              &Outpatient{Remarks: []string{"N382"}},
			},
		}}},
	}
	r.ComputeTotals()
	return r
}

// payment is a paid 835 with contractual and patient-responsibility
// adjustments, a reversal and correction, and provider-level adjustments.
func payment() Remittance {
	r := Remittance{
		Payment: Payment{Handling: "C", CreditDebit: "C", Method: "ACH", Format: "CCP",
			SenderDFIQualifier: "01", SenderDFI: "071000013", SenderAccountQualifier: "DA", SenderAccount: "123456789",
			OriginatorID: "1391234567", ReceiverDFIQualifier: "01", ReceiverDFI: "075000019",
			ReceiverAccountQualifier: "DA", ReceiverAccount: "987654321", Date: "20261209"},
		Trace: Trace{Type: "1", Number: "EFT0000012345", Originator: "1391234567"},
		Payer: payer(),
		Payee: payee(),
		Groups: []*Group{{Number: 1, Claims: []*Claim{
			{
				PatientControlNumber: "PCN2001", Status: "1", Charge: 30000, FilingIndicator: "12",
				PayerClaimControlNumber: "ALL26120900001", Facility: "11", Frequency: "1",
				Patient:   &Party{Type: "1", LastOrOrg: "DOE", First: "JANE", IDQualifier: "MI", ID: "XJ100200300"},
				Rendering: &Party{Type: "1", LastOrOrg: "SMITH", First: "ANNA", IDQualifier: "XX", ID: "1234567893"},
				Refs:      []Ref{{"9A", "RP2026120001"}, {"EA", "MRN55"}},
				Lines: []*Line{
					{Procedure: Procedure{Qualifier: "HC", Code: "A0428", Modifiers: []string{"RH"}}, Charge: 20000,
						Units: 1000, HasUnits: true, ServiceDate: "20261120",
						Adjustments: []Adjustment{
							{Group: "CO", Reasons: []Reason{{Code: "45", Amount: 5000}}},
							{Group: "PR", Reasons: []Reason{{Code: "1", Amount: 2000}, {Code: "2", Amount: 1000}}},
						},
						Refs: []Ref{{"6R", "L1"}}, Amounts: []Amount{{"B6", 15000}}, Remarks: []Remark{{"HE", "N381"}}},
					{Procedure: Procedure{Qualifier: "HC", Code: "G0008"}, Charge: 10000, ServiceFrom: "20261120", ServiceTo: "20261121",
						Adjustments: []Adjustment{{Group: "CO", Reasons: []Reason{{Code: "45", Amount: 2500, Quantity: 1000, HasQuantity: true}}}},
						Refs:        []Ref{{"6R", "L2"}}, Amounts: []Amount{{"B6", 7500}}},
				},
			},
			{ // reversal of an earlier payment: every amount negated
				PatientControlNumber: "PCN1990", Status: "22", Charge: -12000, FilingIndicator: "12",
				PayerClaimControlNumber: "ALL26110100007",
				Adjustments: []Adjustment{{Group: "CO", Reasons: []Reason{{Code: "45", Amount: -2000}}},
					{Group: "PR", Reasons: []Reason{{Code: "2", Amount: -1000}}}},
				Patient: &Party{Type: "1", LastOrOrg: "ROE", First: "RICHARD", IDQualifier: "MI", ID: "XJ999"},
			},
			{ // its correction
				PatientControlNumber: "PCN1990", Status: "1", Charge: 12000, FilingIndicator: "12",
				PayerClaimControlNumber: "ALL26120900002",
				Adjustments: []Adjustment{{Group: "CO", Reasons: []Reason{{Code: "45", Amount: 3000}}},
					{Group: "PR", Reasons: []Reason{{Code: "2", Amount: 900}}}},
				Patient: &Party{Type: "1", LastOrOrg: "ROE", First: "RICHARD", IDQualifier: "MI", ID: "XJ999"},
			},
		}}},
		Adjustments: []ProviderAdjustment{{ProviderID: "1234567893", FiscalPeriodDate: "20261231",
			Items: []PLBItem{{Reason: "WO", Reference: "ALL26100100003", Amount: 4000}, {Reason: "L6", Amount: -150}}}},
	}
	r.ComputeTotals()
	return r
}

// validateClean runs the validator on data and fails on any finding.
func validateClean(t *testing.T, data []byte) {
	t.Helper()
	validtest.Clean(t, data)
}
