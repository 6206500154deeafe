package pipeline_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
)

// TestProgressHook: ProcessorConfig.Progress is told the bytes read of
// the file being processed, up to the file's size at its end (a file
// smaller than ProgressStep: once, at its end; the steps are tested on
// the reader, TestProgressReader).
func TestProgressHook(t *testing.T) {
	data := pipelinetest.Synth837(t, 7, 301, 40)
	if len(data) >= pipeline.ProgressStep {
		t.Fatalf("test file of %d bytes: want less than one step", len(data))
	}
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			sp, err := spool.New(filepath.Join(t.TempDir(), "spool"))
			if err != nil {
				t.Fatal(err)
			}
			type call struct {
				name        string
				read, total int64
			}
			var calls []call
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			proc := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Logger: quiet,
				Progress: func(name string, read, total int64) { calls = append(calls, call{name, read, total}) }})
			eng, err := pipeline.New(st, sp, proc, []pipeline.Partner{{ID: "acme"}}, pipeline.Config{Owner: "test", Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			sf, err := sp.PutBytes(ctx, "inbound", data)
			if err != nil {
				t.Fatal(err)
			}
			rec, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "big.x12", SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.ProcessFile(ctx, rec.ID)
			if err != nil || res.State != store.InboundProcessed {
				t.Fatalf("process: %s %v", res.State, err)
			}
			if size := int64(len(data)); len(calls) != 1 || calls[0] != (call{"big.x12", size, size}) {
				t.Errorf("progress calls %+v, want one at the end of the %d bytes", calls, size)
			}
		})
	}
}
