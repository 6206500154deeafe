package x12price_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

// FuzzReprice reprices arbitrary input: it must not panic, and a repriced
// output must reprice to itself (every repricer segment is replaced in
// place, nothing else changes).
func FuzzReprice(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.x12")
	demo, _ := filepath.Glob("../../testdata/demo/*.x12")
	for _, name := range append(seeds, demo...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	eng := repoEngine(f)
	opts := x12price.FileOptions{Apply: testOptions}
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		if err := x12price.Reprice(context.Background(), eng, bytes.NewReader(data), &out, opts, nil); err != nil {
			return
		}
		var again bytes.Buffer
		if err := x12price.Reprice(context.Background(), eng, bytes.NewReader(out.Bytes()), &again, opts, nil); err != nil {
			t.Fatalf("repricing the output: %v", err)
		}
		if !bytes.Equal(again.Bytes(), out.Bytes()) {
			t.Fatalf("repricing the output changed it:\n%q\n%q", out.Bytes(), again.Bytes())
		}
	})
}
