package web

import (
	"strings"
	"testing"
)

func TestExplainReason(t *testing.T) {
	cases := []struct {
		code string
		has  []string
	}{
		{"A7:164:IL", []string{"Rejected for invalid information", "member ID is not on our roster", "(subscriber)", "Correct the member ID"}},
		{"A3:54", []string{"Returned as unprocessable", "duplicates a claim"}},
		{"A7:88:QC", []string{"not covered on the dates of service", "(patient)"}},
		{"A3:116", []string{"wrong payer"}},
		{"A6:464", []string{"missing information", "REF*F8"}},
		{"A2:20", []string{"Accepted for processing"}},
		{"IK5:R:5", []string{"999 rejected the claim's transaction set", "one or more segments in error"}},
		{"IK5:R:I5", []string{"implementation"}},
		{"AK9:R", []string{"functional group"}},
		{"TA1:R:001", []string{"interchange", "do not match"}},
		{"A7:999", []string{"Rejected for invalid information", "(status 999)"}},
		{"ZZ:1", []string{"Unknown code"}},
	}
	for _, tc := range cases {
		r := ExplainReason(tc.code)
		if r.Code != tc.code {
			t.Errorf("%s: code %q", tc.code, r.Code)
		}
		for _, h := range tc.has {
			if !strings.Contains(r.Text, h) {
				t.Errorf("%s: %q lacks %q", tc.code, r.Text, h)
			}
		}
	}
	if rs := ExplainReasons("AK9:R;IK5:R:5;"); len(rs) != 2 || rs[1].Code != "IK5:R:5" {
		t.Errorf("ExplainReasons = %+v", rs)
	}
	if ExplainNote("exact-duplicate") == "" || ExplainNote("nonsense") != "" {
		t.Error("ExplainNote")
	}
}

func TestMoney(t *testing.T) {
	for cents, want := range map[int64]string{0: "$0.00", 5: "$0.05", 61900: "$619.00", 25910: "$259.10", 123456789: "$1,234,567.89", -150: "-$1.50"} {
		if got := money(cents); got != want {
			t.Errorf("money(%d) = %q, want %q", cents, got, want)
		}
	}
}
