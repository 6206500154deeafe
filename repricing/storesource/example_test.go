package storesource_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/storesource"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "storesource-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "ch.db"))
	if err != nil {
		panic(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		panic(err)
	}

	// Import a schedule (kind from the header, name from the file name),
	// then the contracts that use it.
	res, err := storesource.Import(ctx, st, "fee_professional.csv", []byte(
		"code,modifier,pos,amount,effective_from,effective_to\n"+
			"A0428,,,325.00,2026-01-01,\n"), storesource.ImportOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Schedule.Kind, res.Schedule.Name, "version", res.Schedule.Version, res.Change)
	_, err = storesource.ImportContracts(ctx, st, "contracts.yaml", []byte(`
contracts:
  - id: ALLIANCE-PROF
    match: [{payer_id: "2712", claim_type: P}]
    method: lesser_of_fee
    schedules: {fee: fee_professional}
  - id: DEFAULT
    default: true
    method: percent_of_charges
    percent: 70
`), storesource.ContractsOptions{})
	if err != nil {
		panic(err)
	}

	// Build an engine from what the store holds.
	eng, err := storesource.NewEngine(ctx, st, nil)
	if err != nil {
		panic(err)
	}
	r, err := eng.Price(&repricing.Claim{
		ID: "PCN1", Type: repricing.Professional, BillingNPI: "1234567893", PayerID: "2712",
		BilledCents: 40000, StatementFrom: repricing.NewDate(2026, 3, 2),
		Lines: []repricing.Line{{No: 1, ProcedureCode: "A0428", Units: 1000, ChargeCents: 40000}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.ContractID, r.Claim.MethodCode, r.Claim.AllowedCents)
	// Output:
	// fee fee_professional version 1 created
	// ALLIANCE-PROF 02 32500
}
