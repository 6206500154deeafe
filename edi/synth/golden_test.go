package synth

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var goldenTests = []struct {
	name string
	cfg  Config
}{
	{"837p_5_claims", Config{Kind: Professional, Claims: 5, Seed: 108, Freq7: 0.2, Dup: 0.2, Invalid: 0.2, Pretty: true}},
	{"837i_5_claims", Config{Kind: Institutional, Claims: 5, Seed: 108, Freq8: 0.25, Invalid: 0.2, Pretty: true}},
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; run go test ./edi/synth -update and review the diff", path)
	}
}

func TestGolden(t *testing.T) {
	for _, tt := range goldenTests {
		t.Run(tt.name, func(t *testing.T) {
			data, _ := generate(t, tt.cfg)
			liteParse(t, data)
			checkGolden(t, tt.name, data)
		})
	}
}

func TestGoldenRoster(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRosterCSV(context.Background(), &buf, goldenTests[0].cfg); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "roster_5_claims.csv", buf.Bytes())
}
