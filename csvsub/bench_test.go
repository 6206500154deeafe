package csvsub_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/csvsub"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// benchRows is the size of the benchmark files: 1 M rows with
// BENCH_LARGE=1, else def.
func benchRows(def int) int {
	if os.Getenv("BENCH_LARGE") == "1" {
		return 1_000_000
	}
	return def
}

// claimsCSV writes rows synthetic claim rows (two lines per claim, made-up
// members, HCPCS Level II codes) with a header row.
func claimsCSV(rows int) []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join(csvsub.ClaimColumns, ",") + "\n")
	codes := []string{"G0008,,36.00,1", "A4253,KX,42.50,2", "J3420,,28.90,1", "A0428,,400.00,1"}
	for i := 0; i < rows; i++ {
		c := i / 2
		fmt.Fprintf(&b, "K%08d,1,,1853335648,113597196,HOLLISCROFT MEDICAL GROUP,9561 HEARTHSTONE BLVD,HOLLISCROFT,WI,538567351,%s,THE ALLIANCE,SYN%08d,LAST%d,FIRST,1970-01-%02d,F,,,,,GRP1,E119;Z0000,11,2026-0%d-%02d,%s,1\n",
			c, []string{"2712", "88461"}[c%2], c, c%97, 1+c%28, 1+c%9, 1+c%28, codes[i%4])
	}
	return b.Bytes()
}

// BenchmarkConvertClaims converts a claims CSV (100 k rows; 1 M with
// BENCH_LARGE=1) to an 837P and reports rows/s.
func BenchmarkConvertClaims(b *testing.B) {
	rows := benchRows(100_000)
	data := claimsCSV(rows)
	opts := csvsub.ClaimsOptions{SenderQualifier: "ZZ", SenderID: "ACME", ReceiverQualifier: "ZZ", ReceiverID: "CLEARINGHOUSE",
		ReceiverName: "CLEARINGHOUSE", Control: 1, Time: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		res, err := csvsub.ConvertClaims(context.Background(), bytes.NewReader(data), io.Discard, opts)
		if err != nil || res.Accepted != rows {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCSVClaimsProcessed converts a claims CSV (20 k rows; 1 M with
// BENCH_LARGE=1) and processes the derived 837 through the engine on
// SQLite (999, 277CA, claim rules; no roster), and reports rows/s of the
// whole.
func BenchmarkCSVClaimsProcessed(b *testing.B) {
	rows := benchRows(20_000)
	data := claimsCSV(rows)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.SetBytes(int64(len(data)))
	for range b.N {
		b.StopTimer()
		st := dbtest.Open(b, store.Config{URL: dbtest.SQLiteURL(b)})
		sp, err := spool.New(filepath.Join(b.TempDir(), "spool"))
		if err != nil {
			b.Fatal(err)
		}
		x12 := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"}, Logger: quiet})
		eng, err := pipeline.New(st, sp, csvsub.NewProcessor(x12, st, sp, csvsub.ProcessorConfig{Logger: quiet}),
			[]pipeline.Partner{{ID: "acme"}}, pipeline.Config{Owner: "bench", Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		sf, err := sp.PutBytes(context.Background(), "inbound", data)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := st.RecordInbound(context.Background(), store.InboundFile{PartnerID: "acme", Name: "bench.csv",
			SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := eng.ProcessPending(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != 2 || res[1].Counts.ClaimsAccepted != rows/2 {
			b.Fatalf("%d files, %+v", len(res), res[len(res)-1].Counts)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
