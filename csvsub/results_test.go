package csvsub

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/roster"
)

// fakeRoster knows one member, covered in 2025.
func fakeRoster(_ context.Context, q roster.ClaimParty) (roster.Decision, error) {
	switch {
	case q.MemberID != "SYN00450000003":
		return roster.Decision{Reason: roster.ReasonMemberNotFound, Category: "A7", Status: "164", Entity: "IL"}, nil
	case q.SubscriberLast != "QUORNBY":
		return roster.Decision{Reason: roster.ReasonSubscriberNameMismatch, Category: "A7", Status: "125", Entity: "IL"}, nil
	case q.ServiceFrom < "20250101" || q.ServiceFrom > "20251231":
		return roster.Decision{Reason: roster.ReasonNotCoveredOnDOS, Category: "A7", Status: "88", Entity: "IL"}, nil
	}
	return roster.Decision{Eligible: true, Reason: roster.ReasonEligible, TPA: "SYNTH TPA WEST"}, nil
}

func TestConvertResults(t *testing.T) {
	in := strings.Join([]string{
		strings.Join(ResultColumns, ","),
		"SYN00450000003,Quornby,Braxley,1974-05-11,2025-10-06,LOINC,4548-4,6.8,%,1853335648",
		"SYN00450000003,Quornby,Braxley,1974-05-11,2025-10-07,ln,4548-4,<5.5,%,",
		"SYN00450000003,Quornby,Braxley,1974-05-11,2025-10-06,HCPCS,g0008,,,",
		"SYN00450000003,Quornby,Braxley,1974-05-11,2025-10-06,CPT II,0000F,,,", // the shape of a CPT II code; 0000F is none
		"SYN00450000003,Quornby,Braxley,1974-05-11,2025-10-06,LOINC,4548-3,6.8,%,",
		"SYN00450000003,Quornby,Braxley,1974-05-11,2025-10-06,LOINC,4548-4,,%,",
		"SYN00450000003,Quornby,Braxley,1974-05-11,2025-10-06,SNOMED,123,,,",
		"SYN00450000003,Quornby,Braxley,1974-05-11,2025-10-06,HCPCS,W1234,,,",
		"SYN00450000003,Quornby,Braxley,1974-05-11,1970-01-01,LOINC,4548-4,6.8,%,",
		"SYN00450000003,Quornby,Braxley,1974-05-11,2024-06-01,LOINC,4548-4,6.8,%,",
		"SYN00450000004,Quornby,Braxley,1974-05-11,2025-10-06,LOINC,4548-4,6.8,%,",
		"SYN00450000003,Quornbie,Braxley,1974-05-11,2025-10-06,LOINC,4548-4,6.8,%,",
		"SYN00450000003,Quornby,Braxley,1974-05-11,2027-01-01,LOINC,4548-4,6.8,%,1234567890",
		"",
		"SYN00450000003,Quornby",
	}, "\r\n")
	var rows []ClinicalRow
	var report strings.Builder
	res, err := ConvertResults(context.Background(), strings.NewReader(in), ResultsOptions{
		Today: "20261123", Check: fakeRoster,
		OnRow: func(r ClinicalRow) error { rows = append(rows, r); return nil },
		OnRowError: func(e RowError) error {
			fmt.Fprintf(&report, "%d\t%s\t%s\t%s\n", e.Row, e.Column, e.Code, e.Reason)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res != (ResultsResult{Rows: 15, Accepted: 4, Rejected: 11, Header: true}) {
		t.Errorf("%+v", res)
	}
	if len(rows) != 4 || rows[0].DOB != "19740511" || rows[0].ServiceDate != "20251006" || rows[0].MemberTPA != "SYNTH TPA WEST" ||
		rows[1].CodeSystem != SystemLOINC || rows[1].Value != "<5.5" || rows[2].Code != "G0008" || rows[3].CodeSystem != SystemCPT2 {
		t.Errorf("rows %+v", rows)
	}
	checkGolden(t, "results.errors.golden", []byte(report.String()))
	// The repository's sample is all synthetic and its header row counts.
	f, err := os.Open("testdata/results-mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err = ConvertResults(context.Background(), f, ResultsOptions{Today: "20261123"})
	if err != nil || res.Rows != 9 || !res.Header {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestValidLOINC(t *testing.T) {
	for code, ok := range map[string]bool{"4548-4": true, "2345-7": true, "17856-6": true, "4548-3": false, "4548": false, "-4": false, "12345678-1": false, "45a8-4": false} {
		if ValidLOINC(code) != ok {
			t.Errorf("ValidLOINC(%q) = %v", code, !ok)
		}
	}
}
