package repricing_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/clearinghouse/clearinghouse/repricing"
)

func Example() {
	fee, err := repricing.LoadFeeSchedule(strings.NewReader(
		"code,modifier,pos,amount,effective_from,effective_to\n" +
			"A0428,,,325.00,2026-01-01,\n" +
			"E0114,RR,,12.50,2026-01-01,\n"))
	if err != nil {
		panic(err)
	}
	table, err := repricing.LoadContracts(strings.NewReader(`
contracts:
  - id: ALLIANCE-PROF
    match: [{payer_id: "2712", claim_type: P}]
    method: lesser_of_fee
    schedules: {fee: fee_professional}
    unpriced: {action: deny, reason: T6}
  - id: DEFAULT
    default: true
    method: percent_of_charges
    percent: 70
`))
	if err != nil {
		panic(err)
	}
	src := &repricing.MemorySource{Fee: map[string]*repricing.FeeSchedule{"fee_professional": fee}}
	eng, err := repricing.NewEngine(context.Background(), src, table, nil)
	if err != nil {
		panic(err)
	}

	claim := repricing.Claim{
		ID: "PCN0001", Type: repricing.Professional, BillingNPI: "1234567893", PayerID: "2712",
		POS: "11", StatementFrom: repricing.NewDate(2026, 3, 2), BilledCents: 50000,
		Lines: []repricing.Line{
			{No: 1, ProcedureCode: "A0428", Units: 1000, UnitBasis: "UN", ChargeCents: 40000},
			{No: 2, ProcedureCode: "E0114", Modifiers: []string{"RR"}, Units: 2000, UnitBasis: "UN", ChargeCents: 6000},
			{No: 3, ProcedureCode: "J3420", Units: 1000, UnitBasis: "UN", ChargeCents: 4000},
		},
	}
	var res repricing.Result
	if err := eng.PriceInto(&claim, &res); err != nil {
		panic(err)
	}
	fmt.Printf("contract %s (%s)\n", res.ContractID, res.Method)
	for _, l := range res.Lines {
		fmt.Printf("line %d: HCP*%s*%d*%d reject=%q\n", l.No, l.MethodCode, l.AllowedCents, l.SavingsCents, l.DenyReason)
	}
	fmt.Printf("claim: HCP*%s*%d*%d\n", res.Claim.MethodCode, res.Claim.AllowedCents, res.Claim.SavingsCents)
	// Output:
	// contract ALLIANCE-PROF (lesser_of_fee)
	// line 1: HCP*02*32500*7500 reject=""
	// line 2: HCP*02*2500*3500 reject=""
	// line 3: HCP*00*0*4000 reject="T6"
	// claim: HCP*02*35000*15000
}
