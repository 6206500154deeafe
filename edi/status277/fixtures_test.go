package status277_test

import (
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/status277"
)

// Synthetic test data: made-up people and organizations, HCPCS Level II
// codes, Luhn-valid NPIs.

var testTime = time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)

// outbound is the envelope every test writes with (one line per segment
// so golden diffs read well).
func outbound() ack.OutboundEnvelope {
	return ack.OutboundEnvelope{
		Control: 1201, GroupControl: 1301, Time: testTime,
		SenderQualifier: "ZZ", SenderID: "ALLIANCECH", ReceiverQualifier: "ZZ", ReceiverID: "SUBMIT01",
		Usage: "T", Suffix: "\n",
	}
}

// newAck returns an acknowledgment header for the 837 whose BHT03 is
// receiverTrace.
func newAck(sourceTrace, receiverTrace string, providers ...status277.Provider) status277.Acknowledgment {
	return status277.Acknowledgment{
		Source:        status277.Source{Name: "ALLIANCE CLEARINGHOUSE", ID: "ALLCH01"},
		Receiver:      status277.Receiver{Name: "NORTHWIND BILLING", ETIN: "SUBMIT01"},
		SourceTrace:   sourceTrace,
		ReceiverTrace: receiverTrace,
		ReceiptDate:   "20260301",
		ProcessDate:   "20260302",
		Providers:     providers,
	}
}

func patient(last, first, id string) status277.Patient {
	return status277.Patient{Last: last, First: first, ID: id}
}

func st(cat, code, entity string) status277.Status {
	return status277.Status{Category: cat, Code: code, Entity: entity}
}

// allAccepted837P: two providers, three accepted professional claims.
func allAccepted837P() []status277.Acknowledgment {
	return []status277.Acknowledgment{newAck("CH2603020001", "0123",
		status277.Provider{Name: "NORTH CLINIC", ID: "1234567893", Claims: []status277.Claim{
			{
				PatientControlNumber: "P1001", Accepted: true, ChargeCents: 12550,
				PayerClaimControlNumber: "ALL26061000001", ServiceFrom: "20260215",
				Patient: patient("DOE", "JANE", "MBR100201"),
			},
			{
				PatientControlNumber: "P1002", Accepted: true, ChargeCents: 8000,
				Statuses:                []status277.Status{st("A0", "16", "PR")},
				PayerClaimControlNumber: "ALL26061000002", ServiceFrom: "20260216",
				Patient: status277.Patient{Last: "ROE", First: "RICHARD", Middle: "Q", ID: "MBR100305"},
			},
		}},
		status277.Provider{Name: "SOUTH AMBULANCE", ID: "1987654328", Trace: "SA-0042", Claims: []status277.Claim{
			{
				PatientControlNumber: "S2001", Accepted: true, ChargeCents: 91025,
				PayerClaimControlNumber: "ALL26061000003", ClearinghouseTrace: "UPSTREAM-5531",
				ServiceFrom: "20260220", ServiceTo: "20260221",
				Patient: patient("SMITH", "ALEX", "MBR200117"),
			},
		}},
	)}
}

// mixed: accepted and rejected claims with several statuses, member and
// name mismatches, a duplicate, a replacement without REF*F8 and a
// rejected line.
func mixed() []status277.Acknowledgment {
	return []status277.Acknowledgment{newAck("CH2603020002", "BATCH77",
		status277.Provider{Name: "EAST MEDICAL GROUP", ID: "1555555550", Claims: []status277.Claim{
			{
				PatientControlNumber: "M1", Accepted: true, ChargeCents: 20000,
				Statuses:                []status277.Status{st("A1", "20", "")},
				PayerClaimControlNumber: "ALL26061000010", ClearinghouseTrace: "UP-1", ServiceFrom: "20260210",
				Patient: patient("GREEN", "OLIVE", "MBR300001"),
			},
			{
				// Member ID not on the roster.
				PatientControlNumber: "M2", ChargeCents: 15000,
				Statuses:    []status277.Status{st("A7", "164", "IL")},
				ServiceFrom: "20260211", Patient: patient("BLUE", "BOB", "MBR399999"),
			},
			{
				// Name mismatch and more: four statuses spill into a
				// second STC. REF*1K is not written for a rejected claim.
				PatientControlNumber: "M3", ChargeCents: 4200,
				Statuses: []status277.Status{st("A3", "21", ""), st("A7", "125", "QC"), st("A7", "164", "IL"),
					st("A7", "158", "QC")},
				PayerClaimControlNumber: "NOT-WRITTEN", ServiceFrom: "20260212",
				Patient: patient("WHITE", "WENDY", "MBR300077"),
			},
		}},
		status277.Provider{Name: "WEST THERAPY", IDQualifier: "FI", ID: "741234567", Claims: []status277.Claim{
			{
				// Exact duplicate of a claim already processed.
				PatientControlNumber: "W1", ChargeCents: 7500,
				Statuses:    []status277.Status{st("A3", "54", "")},
				ServiceFrom: "20260201", Patient: patient("BLACK", "BEA", "MBR400010"),
			},
			{
				// Replacement (CLM05-3 = 7) without REF*F8.
				PatientControlNumber: "W2", ChargeCents: 30000,
				Statuses:    []status277.Status{st("A6", "464", "")},
				ServiceFrom: "20260203", Patient: patient("BLACK", "BEA", "MBR400010"),
			},
			{
				// A rejected line.
				PatientControlNumber: "W3", ChargeCents: 9500,
				Statuses:    []status277.Status{st("A3", "21", ""), st("A7", "247", "")},
				ServiceFrom: "20260204", ServiceTo: "20260205",
				Patient: patient("GRAY", "GUS", "MBR400020"),
				Lines: []status277.Line{{
					ControlNumber: "W3-L2", Procedure: "HC:J1100:JW", ChargeCents: 4500, Units: 2000,
					ServiceFrom: "20260205", Statuses: []status277.Status{st("A7", "454", "")},
				}},
			},
		}},
	)}
}

// institutional837I: an accepted 837I claim with its bill type, statement
// period and clearinghouse trace, and a rejected one with rejected lines.
func institutional837I() []status277.Acknowledgment {
	a := newAck("CH2603020003", "INST0009",
		status277.Provider{Name: "GENERAL HOSPITAL", ID: "1777777776", Claims: []status277.Claim{
			{
				PatientControlNumber: "I9001", Accepted: true, ChargeCents: 245075,
				PayerClaimControlNumber: "ALL26061000020", ClearinghouseTrace: "CH-77881", BillType: "131",
				ServiceFrom: "20260210", ServiceTo: "20260214",
				Patient: status277.Patient{Last: "LANE", First: "LOIS", IDQualifier: "MI", ID: "MBR500001"},
			},
			{
				PatientControlNumber: "I9002", ChargeCents: 62000, BillType: "111",
				Statuses:    []status277.Status{st("A3", "21", ""), st("A7", "247", "")},
				ServiceFrom: "20260201", ServiceTo: "20260203",
				Patient: patient("KENT", "KARL", "MBR500002"),
				Lines: []status277.Line{
					{
						ControlNumber: "I9002-3", RevenueCode: "0450", ChargeCents: 30000, Units: 1000,
						ServiceFrom: "20260202", Statuses: []status277.Status{st("A7", "455", "")},
					},
					{
						Procedure: "G0008", RevenueCode: "0636", ChargeCents: 2500, Units: 1500,
						ServiceFrom: "20260201", ServiceTo: "20260202",
						Statuses: []status277.Status{st("A7", "454", ""), st("A7", "476", "")},
					},
				},
			},
		}})
	a.Source = status277.Source{EntityCode: status277.SourcePayer, Name: "ALLIANCE HEALTH PLAN", IDQualifier: "PI", ID: "88461"}
	return []status277.Acknowledgment{a}
}

// goldenCases are the golden-file cases: name and acknowledgments.
var goldenCases = []struct {
	name string
	acks func() []status277.Acknowledgment
}{
	{"all_accepted_837p", allAccepted837P},
	{"mixed_rejections", mixed},
	{"institutional_837i", institutional837I},
	{"two_sets", func() []status277.Acknowledgment { return append(allAccepted837P(), institutional837I()...) }},
}
