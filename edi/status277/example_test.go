package status277_test

import (
	"fmt"
	"os"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/status277"
)

// A clearinghouse acknowledges an 837P holding one accepted claim and one
// claim whose member ID is not on the roster.
func ExampleWrite() {
	acks := []status277.Acknowledgment{{
		Source:        status277.Source{Name: "ALLIANCE CLEARINGHOUSE", ID: "ALLCH01"},
		Receiver:      status277.Receiver{Name: "NORTHWIND BILLING", ETIN: "SUBMIT01"},
		SourceTrace:   "CH2603020001",
		ReceiverTrace: "0123",
		ReceiptDate:   "20260301",
		ProcessDate:   "20260302",
		Providers: []status277.Provider{{Name: "NORTH CLINIC", ID: "1234567893", Claims: []status277.Claim{
			{
				PatientControlNumber: "P1001", Accepted: true, ChargeCents: 12550,
				PayerClaimControlNumber: "ALL26061000001", ServiceFrom: "20260215",
				Patient: status277.Patient{Last: "DOE", First: "JANE", ID: "MBR100201"},
			},
			{
				PatientControlNumber: "P1002", ChargeCents: 8000, ServiceFrom: "20260216",
				Statuses: []status277.Status{{Category: "A7", Code: "164", Entity: "IL"}},
				Patient:  status277.Patient{Last: "ROE", First: "RICHARD", ID: "MBR999999"},
			},
		}}},
	}}
	err := status277.Write(os.Stdout, acks, ack.OutboundEnvelope{
		Control: 1201, GroupControl: 1301, Time: time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC),
		SenderID: "ALLIANCECH", ReceiverID: "SUBMIT01", Suffix: "\n",
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// ISA*00*          *00*          *ZZ*ALLIANCECH     *ZZ*SUBMIT01       *260302*1430*^*00501*000001201*0*P*:~
	// GS*HN*ALLIANCECH*SUBMIT01*20260302*1430*1301*X*005010X214~
	// ST*277*0001*005010X214~
	// BHT*0085*08*CH2603020001*20260302*1430*TH~
	// HL*1**20*1~
	// NM1*AY*2*ALLIANCE CLEARINGHOUSE*****46*ALLCH01~
	// TRN*1*CH2603020001~
	// DTP*050*D8*20260301~
	// DTP*009*D8*20260302~
	// HL*2*1*21*1~
	// NM1*41*2*NORTHWIND BILLING*****46*SUBMIT01~
	// TRN*2*0123~
	// STC*A1:19:AY*20260302*WQ*205.5~
	// QTY*90*1~
	// QTY*AA*1~
	// AMT*YU*125.5~
	// AMT*YY*80~
	// HL*3*2*19*1~
	// NM1*85*2*NORTH CLINIC*****XX*1234567893~
	// TRN*1*0~
	// STC*A1:19:AY**WQ*205.5~
	// QTY*QA*1~
	// QTY*QC*1~
	// AMT*YU*125.5~
	// AMT*YY*80~
	// HL*4*3*PT~
	// NM1*QC*1*DOE*JANE****MI*MBR100201~
	// TRN*2*P1001~
	// STC*A1:20*20260302*WQ*125.5~
	// REF*1K*ALL26061000001~
	// DTP*472*D8*20260215~
	// HL*5*3*PT~
	// NM1*QC*1*ROE*RICHARD****MI*MBR999999~
	// TRN*2*P1002~
	// STC*A7:164:IL*20260302*U*80~
	// DTP*472*D8*20260216~
	// SE*35*0001~
	// GE*1*1301~
	// IEA*1*000001201~
}
