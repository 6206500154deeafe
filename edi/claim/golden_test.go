package claim_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .claim.json.golden files")

// TestGoldenJSON decodes every testdata/*.edi file and compares the JSON of
// its transactions with testdata/<name>.claim.json.golden.
func TestGoldenJSON(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.edi")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".edi")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(decodeAll(t, data), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", name+".claim.json.golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("JSON differs from %s (run go test -update and review the diff)\n%s", golden, firstDiff(got, want))
			}
		})
	}
}

// TestTestdataNPIs checks that every NPI in the synthetic testdata has a
// valid check digit (Luhn over "80840" + the first nine digits).
func TestTestdataNPIs(t *testing.T) {
	if !luhnNPI("1234567893") || luhnNPI("1234567890") {
		t.Fatal("check digit computation is wrong")
	}
	files, _ := filepath.Glob("testdata/*.edi")
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range decodeAll(t, data) {
			var npis []string
			for _, bp := range tx.BillingProviders {
				npis = append(npis, bp.NPI)
			}
			for ctx := range tx.Claims() {
				for _, p := range ctx.Claim.Providers {
					npis = append(npis, p.NPI)
				}
				for _, l := range ctx.Claim.Lines {
					for _, p := range l.Providers {
						npis = append(npis, p.NPI)
					}
				}
			}
			for _, npi := range npis {
				if !luhnNPI(npi) {
					t.Errorf("%s: NPI %q has a bad check digit", f, npi)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no NPIs found")
	}
}

func luhnNPI(npi string) bool {
	if len(npi) != 10 {
		return false
	}
	s := "80840" + npi
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
