package x12price_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

func Example() {
	ctx := context.Background()
	fee, err := repricing.LoadFeeSchedule(strings.NewReader("code,modifier,pos,amount,effective_from,effective_to\nA0428,,,310.00,2025-01-01,\n"))
	if err != nil {
		panic(err)
	}
	contracts, err := repricing.LoadContracts(strings.NewReader(`contracts:
  - id: PROF
    default: true
    method: lesser_of_fee
    schedules: {fee: fees}
`))
	if err != nil {
		panic(err)
	}
	eng, err := repricing.NewEngine(ctx, &repricing.MemorySource{Fee: map[string]*repricing.FeeSchedule{"fees": fee}}, contracts, nil)
	if err != nil {
		panic(err)
	}
	in := envelope("005010X222A1", profHeader+subscriber+`CLM*PCN1*450***11:B:1*Y*A*Y*Y
HI*ABK:R51
LX*1
SV1*HC:A0428*450*UN*1***1
DTP*472*D8*20250615`)
	var out strings.Builder
	err = x12price.Reprice(ctx, eng, strings.NewReader(in), &out, x12price.FileOptions{
		Apply: func(loc x12price.Location, c *claim.Claim) x12price.ApplyOptions {
			return x12price.ApplyOptions{OrgID: "CLEARINGHOUSE", ClaimRef: fmt.Sprintf("RP%s%03d", loc.Set, loc.Claim),
				Received: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC), Adjusted: x12price.IsAdjustment(c)}
		},
	}, func(o *x12price.Outcome) error {
		fmt.Fprintf(os.Stdout, "%s %s HCP01 %s allowed %d savings %d\n", o.Input.ID, o.Result.ContractID,
			o.Result.Claim.MethodCode, o.Result.Claim.AllowedCents, o.Result.Claim.SavingsCents)
		return nil
	})
	if err != nil {
		panic(err)
	}
	for _, seg := range strings.Split(out.String(), "~\n") {
		if strings.HasPrefix(seg, "CLM") || strings.HasPrefix(seg, "HCP") || strings.HasPrefix(seg, "REF*9") || strings.HasPrefix(seg, "DTP*050") {
			fmt.Println(seg)
		}
	}
	// Output:
	// PCN1 PROF HCP01 02 allowed 31000 savings 14000
	// CLM*PCN1*450***11:B:1*Y*A*Y*Y
	// DTP*050*D8*20260316
	// REF*9A*RP9001001
	// HCP*02*310*140*CLEARINGHOUSE
	// HCP*02*310*140
}
