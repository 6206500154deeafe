package x12price_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

// BenchmarkReprice reprices the demo 837P file (24 claims), writing the
// repriced copy.
func BenchmarkReprice(b *testing.B) {
	data, err := os.ReadFile("../../testdata/demo/acme-837p-20261120-01.x12")
	if err != nil {
		b.Fatal(err)
	}
	eng := repoEngine(b)
	opts := x12price.FileOptions{Apply: testOptions}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := x12price.Reprice(context.Background(), eng, bytes.NewReader(data), io.Discard, opts, nil); err != nil {
			b.Fatal(err)
		}
	}
}
