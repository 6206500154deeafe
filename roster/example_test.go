package roster_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "roster-example")
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

	csv := "member_id,last_name,first_name,dob,gender,coverage_start,coverage_end,plan,group,tpa\n" +
		"SYN0000001,ALPHA,ADAM,1980-01-01,M,2024-01-01,2024-12-31,PPO,GRP1,SYNTH TPA\n"
	res, err := roster.ImportCSV(ctx, st, strings.NewReader(csv), roster.Opts{Source: "roster.csv"})
	if err != nil {
		panic(err)
	}
	fmt.Println("added", res.Added)

	checker, err := roster.NewChecker(st, roster.CheckerConfig{})
	if err != nil {
		panic(err)
	}
	claims := []roster.ClaimParty{
		{MemberID: "SYN0000001", SubscriberLast: "Alpha", SubscriberFirst: "Adam", ServiceFrom: "20240610"},
		{MemberID: "SYN000000101", SubscriberLast: "ALPHA", SubscriberFirst: "ADAM", ServiceFrom: "20240610"},
		{MemberID: "syn0000001", SubscriberLast: "ALPHA", SubscriberFirst: "ADAM", ServiceFrom: "20240610"},
		{MemberID: "SYN0000001", SubscriberLast: "ALPHA", SubscriberFirst: "ADA", ServiceFrom: "20240610"},
		{MemberID: "SYN0000001", SubscriberLast: "ALPHA", SubscriberFirst: "ADAM", ServiceFrom: "20250110"},
	}
	for _, c := range claims {
		d, err := checker.Check(ctx, c)
		if err != nil {
			panic(err)
		}
		fmt.Println(strings.TrimSpace(fmt.Sprint(d.Eligible, " ", d.Reason, " ", d.STC01(':'))))
	}
	// Output:
	// added 1
	// true eligible
	// false member_id_suffix A7:164:IL
	// false member_id_case A7:164:IL
	// false subscriber_name_mismatch A7:125:IL
	// false not_covered_on_dos A7:88:IL
}
