package remit_test

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

func examplePayer() remit.Payer {
	return remit.Payer{Name: "ALLIANCE HEALTH PLAN",
		Address:  remit.Address{Line1: "PO BOX 44365", City: "MADISON", State: "WI", PostalCode: "537444365"},
		Contacts: []remit.Contact{{Function: "BL", Name: "EDI SUPPORT", Numbers: []remit.Communication{{Qualifier: "TE", Number: "6085550100"}}}}}
}

// A zero-pay denial: the claim lacks information (CO-16 with RARC MA130).
func ExampleWrite() {
	r := remit.Remittance{
		Payment: remit.Payment{Handling: "H", CreditDebit: "C", Method: "NON", Date: "20261207"},
		Trace:   remit.Trace{Number: "DEN20261207001", Originator: "1391234567"},
		Payer:   examplePayer(),
		Payee:   remit.Payee{Name: "NORTH CLINIC", IDQualifier: "XX", ID: "1234567893"},
		Groups: []*remit.Group{{Number: 1, Claims: []*remit.Claim{{
			PatientControlNumber: "PCN1001", Status: "4", Charge: 25000, FilingIndicator: "12",
			PayerClaimControlNumber: "ALL26120700001",
			Adjustments:             []remit.Adjustment{{Group: "CO", Reasons: []remit.Reason{{Code: "16", Amount: 25000}}}},
			Patient:                 &remit.Party{Type: "1", LastOrOrg: "DOE", First: "JANE", IDQualifier: "MI", ID: "XJ100200300"},
			Outpatient:              &remit.Outpatient{Remarks: []string{"MA130"}},
		}}}},
	}
	r.ComputeTotals()
	err := remit.Write(os.Stdout, []remit.Remittance{r}, ack.OutboundEnvelope{
		Control: 501, GroupControl: 601, Time: time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC),
		SenderID: "ALLIANCECH", ReceiverID: "NORTHCLINIC", Suffix: "\n",
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// ISA*00*          *00*          *ZZ*ALLIANCECH     *ZZ*NORTHCLINIC    *261207*0930*^*00501*000000501*0*P*:~
	// GS*HP*ALLIANCECH*NORTHCLINIC*20261207*0930*601*X*005010X221A1~
	// ST*835*0001~
	// BPR*H*0*C*NON************20261207~
	// TRN*1*DEN20261207001*1391234567~
	// N1*PR*ALLIANCE HEALTH PLAN~
	// N3*PO BOX 44365~
	// N4*MADISON*WI*537444365~
	// PER*BL*EDI SUPPORT*TE*6085550100~
	// N1*PE*NORTH CLINIC*XX*1234567893~
	// LX*1~
	// CLP*PCN1001*4*250*0**12*ALL26120700001~
	// CAS*CO*16*250~
	// NM1*QC*1*DOE*JANE****MI*XJ100200300~
	// MOA***MA130~
	// SE*14*0001~
	// GE*1*601~
	// IEA*1*000000501~
}

// Streaming: one claim payment at a time, then the set's trailer.
func ExampleNewDecoder() {
	in := "ST*835*0001*005010X221A1~BPR*I*95*C*CHK************20261209~TRN*1*CHK1001*1391234567~" +
		"N1*PR*ALLIANCE HEALTH PLAN~N3*PO BOX 44365~N4*MADISON*WI*53744~PER*BL*EDI*TE*6085550100~" +
		"N1*PE*NORTH CLINIC*XX*1234567893~LX*1~" +
		"CLP*PCN1*1*100*80*20*12*ICN1~NM1*QC*1*DOE*JANE****MI*M1~" +
		"SVC*HC:G0008*100*80~CAS*PR*2*20~" +
		"CLP*PCN2*22*-10*-10**12*ICN0~NM1*QC*1*ROE*RICH****MI*M2~" +
		"PLB*1234567893*20261231*L6*-25~SE*17*0001~"
	d := remit.NewDecoder(func(c *remit.ClaimContext) error {
		fmt.Printf("claim %s status %s paid %d reversal %v\n", c.Claim.PatientControlNumber, c.Claim.Status,
			c.Claim.Paid, c.Claim.IsReversal())
		return nil
	}, func(r *remit.Remittance) error {
		fmt.Printf("set %s: %d claims paid %d, PLB %d, BPR02 %d\n", r.ControlNumber, r.Totals.Claims,
			r.Totals.Paid, r.Adjustments[0].Total(), r.Payment.Amount)
		return nil
	})
	p := schema.NewParser(remit.Schema(), d)
	// The reader takes the delimiters from the ISA.
	data := "ISA*00*          *00*          *ZZ*PAYER          *ZZ*ALLIANCECH     *261209*1200*^*00501*000000001*0*P*:~" +
		"GS*HP*PAYER*ALLIANCECH*20261209*1200*1*X*005010X221A1~" + in + "GE*1*1~IEA*1*000000001~"
	rd := x12.NewReader(bytes.NewReader([]byte(data)))
	for {
		seg, err := rd.Read()
		if err != nil {
			break
		}
		if seg.Position > 0 { // ST..SE
			if err := p.Segment(seg); err != nil {
				fmt.Println(err)
			}
		}
	}
	fmt.Println("issues:", len(p.Finish()))
	// Output:
	// claim PCN1 status 1 paid 8000 reversal false
	// claim PCN2 status 22 paid -1000 reversal true
	// set 0001: 2 claims paid 7000, PLB -2500, BPR02 9500
	// issues: 0
}
