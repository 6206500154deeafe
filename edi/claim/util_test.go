package claim_test

import (
	"encoding/json"
	"strconv"
	"testing"
)

func itoa(i int) string     { return strconv.Itoa(i) }
func quote(b []byte) string { return strconv.Quote(string(b)) }

// jsonOf returns v as JSON, for comparing typed models.
func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
