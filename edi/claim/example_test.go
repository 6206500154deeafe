package claim_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

const exampleInput = "ISA*00*          *00*          *ZZ*SYNTHSUBMIT    *ZZ*CLEARINGHOUSE  *260115*1030*^*00501*000000001*0*T*:~\n" +
	"GS*HC*SYNTHSUBMIT*CLEARINGHOUSE*20260115*1030*1*X*005010X222A1~\n" +
	"ST*837*0001*005010X222A1~\n" +
	"BHT*0019*00*B1*20260115*1030*CH~\n" +
	"NM1*41*2*SYNTHETIC BILLING SERVICE*****46*SYN0001~\n" +
	"PER*IC*HELP DESK*TE*5555550100~\n" +
	"NM1*40*2*EXAMPLE REPRICER*****46*88461~\n" +
	"HL*1**20*1~\n" +
	"NM1*85*2*MAPLE CLINIC*****XX*1234567893~\n" +
	"N3*100 MAIN ST~\n" +
	"N4*MADISON*WI*537030000~\n" +
	"REF*EI*391234567~\n" +
	"HL*2*1*22*0~\n" +
	"SBR*P*18*GRP1001******CI~\n" +
	"NM1*IL*1*DOE*JANE****MI*SYN100200300~\n" +
	"NM1*PR*2*THE EXAMPLE PLAN*****PI*88461~\n" +
	"CLM*PCN1001*100***11:B:1*Y*A*Y*Y~\n" +
	"HI*ABK:R51~\n" +
	"LX*1~\n" +
	"SV1*HC:G0008*100*UN*1***1~\n" +
	"DTP*472*D8*20260105~\n" +
	"SE*20*0001~\n" +
	"GE*1*1~\n" +
	"IEA*1*000000001~\n"

// Reprice every claim at 70% of billed and write the transaction set back:
// the pricing segments are inserted where the guide puts them and every
// other segment is written as it was read.
func Example() {
	err := claim.ReadTransactions(strings.NewReader(exampleInput), func(tx *claim.Transaction, issues []ack.Issue) error {
		for ctx := range tx.Claims() {
			c := ctx.Claim
			fmt.Println("claim", c.PatientControlNumber, "payer", c.PayerID(), "frequency", c.Frequency())
			var allowed int64
			for _, l := range c.Lines {
				a := l.Charge * 70 / 100
				savings := l.Charge - a
				if err := l.SetPricing(claim.Pricing{Method: "03", Allowed: a, Savings: &savings}); err != nil {
					return err
				}
				allowed += a
			}
			savings := c.TotalCharge - allowed
			if err := c.SetPricing(claim.Pricing{Method: "03", Allowed: allowed, Savings: &savings}); err != nil {
				return err
			}
			if err := c.SetRef("9A", "RP0001"); err != nil {
				return err
			}
		}
		w := x12.NewWriter(os.Stdout, x12.DefaultDelimiters)
		if err := claim.EncodeSet(w, tx, "0042"); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// claim PCN1001 payer 88461 frequency 1
	// ST*837*0042*005010X222A1~
	// BHT*0019*00*B1*20260115*1030*CH~
	// NM1*41*2*SYNTHETIC BILLING SERVICE*****46*SYN0001~
	// PER*IC*HELP DESK*TE*5555550100~
	// NM1*40*2*EXAMPLE REPRICER*****46*88461~
	// HL*1**20*1~
	// NM1*85*2*MAPLE CLINIC*****XX*1234567893~
	// N3*100 MAIN ST~
	// N4*MADISON*WI*537030000~
	// REF*EI*391234567~
	// HL*2*1*22*0~
	// SBR*P*18*GRP1001******CI~
	// NM1*IL*1*DOE*JANE****MI*SYN100200300~
	// NM1*PR*2*THE EXAMPLE PLAN*****PI*88461~
	// CLM*PCN1001*100***11:B:1*Y*A*Y*Y~
	// REF*9A*RP0001~
	// HI*ABK:R51~
	// HCP*03*70*30~
	// LX*1~
	// SV1*HC:G0008*100*UN*1***1~
	// DTP*472*D8*20260105~
	// HCP*03*70*30~
	// SE*23*0042~
}
