package csvsub_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/csvsub"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// TestProcessorRecognition: X12 is X12 whatever its name; a CSV is
// recognised by its name or by its first line; the layout by its header
// or its column count.
func TestProcessorRecognition(t *testing.T) {
	ctx := context.Background()
	st := dbtest.OpenSQLite(t)
	sp, err := spool.New(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	x12 := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Logger: quiet})
	eng, err := pipeline.New(st, sp, csvsub.NewProcessor(x12, st, sp, csvsub.ProcessorConfig{Logger: quiet}),
		[]pipeline.Partner{{ID: "acme"}}, pipeline.Config{Owner: "t", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	results := read("testdata/results-mixed.csv")
	for _, tt := range []struct {
		name   string
		data   []byte
		layout string // "" = processed as X12
	}{
		{"really-x12.csv", read("../testdata/demo/acme-837i-20261120-01.x12"), ""},
		{"upload.txt", read("testdata/claims-mixed.csv"), store.LayoutClaims},
		{"labs.CSV", results[len("member_id,last_name,first_name,dob,service_date,code_system,code,value,unit,rendering_npi\n"):], store.LayoutResults},
		{"headerless-claims.csv", read("testdata/claims-mixed.csv")[len("claim_key,"):], store.LayoutClaims},
	} {
		sf, err := sp.PutBytes(ctx, "inbound", tt.data)
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: tt.name, SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
		if err != nil {
			t.Fatal(err)
		}
		res, err := eng.ProcessFile(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := st.CSVSubmissionOfFile(ctx, rec.ID)
		switch {
		case tt.layout == "":
			if err == nil || res.Counts.Interchanges != 1 {
				t.Errorf("%s: submission %v, %d interchanges", tt.name, sub, res.Counts.Interchanges)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case sub.Layout != tt.layout:
			t.Errorf("%s: layout %s, want %s", tt.name, sub.Layout, tt.layout)
		}
	}
}
