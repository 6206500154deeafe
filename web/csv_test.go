package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/csvsub"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// x12Only stands for the X12 processor: the test uploads only CSV files.
type x12Only struct{}

func (x12Only) ProcessTx(context.Context, *store.Tx, *store.InboundFile) (pipeline.FileResult, error) {
	return pipeline.FileResult{}, errors.New("not an X12 test")
}

// TestCSVUpload uploads a supplemental data CSV through the portal into
// the partner's intake, processed by csvsub.Processor as the engine
// would: the file page shows the rejected rows with row, column and
// reason, to its partner only.
func TestCSVUpload(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := newFixture(t, be.URL(t))
			ctx := context.Background()
			proc := csvsub.NewProcessor(x12Only{}, f.st, f.sp, csvsub.ProcessorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			srv, err := New(Config{Store: f.st, Spool: f.sp, Now: f.clk.Now, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil)),
				Process: func(ctx context.Context, id int64) error {
					in, err := f.st.GetInbound(ctx, id)
					if err != nil {
						return err
					}
					return f.st.InTx(ctx, func(tx *store.Tx) error {
						_, err := proc.ProcessTx(ctx, tx, in)
						return err
					})
				}})
			if err != nil {
				t.Fatal(err)
			}
			f.srv = srv
			csv := "member_id,last_name,first_name,dob,service_date,code_system,code,value,unit,rendering_npi\n" +
				"ZZM-A1,TESTPATIENT,ALEX,1980-01-01,2026-02-10,LOINC,4548-4,6.8,%,\n" +
				"ZZM-A1,TESTPATIENT,ALEX,1980-01-01,2026-02-10,HCPCS,99999,,,\n" +
				"ZZM-A1,TESTPATIENT,ALEX,1980-01-01,2099-01-01,LOINC,4548-4,6.8,%,\n"
			rec := f.as("acme-user").upload("", "results-0301.csv", []byte(csv))
			if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "done=processed") {
				t.Fatalf("upload: %d %s %s", rec.Code, rec.Header().Get("Location"), snippet(rec.Body.String()))
			}
			loc := strings.Split(rec.Header().Get("Location"), "?")[0]
			page := f.as("acme-user").get(loc)
			body := page.Body.String()
			if page.Code != http.StatusOK || !strings.Contains(body, `id="csv-submission"`) || !strings.Contains(body, `id="csv-errors"`) {
				t.Fatalf("file page: %d %s", page.Code, snippet(body))
			}
			i := strings.Index(body, `id="csv-errors"`)
			table := body[i:]
			table = table[:strings.Index(table, "</table>")]
			for _, want := range []string{
				`<td class="num">1</td><td>`, // the header row
				`<td class="num">3</td><td>code</td>`,
				`<td class="num">4</td><td>service_date</td>`,
			} {
				if !strings.Contains(table, want) {
					t.Errorf("no %q in %s", want, table)
				}
			}
			if strings.Contains(table, `<td class="num">2</td>`) {
				t.Errorf("the valid row is listed: %s", table)
			}
			sub, err := f.st.CSVSubmissionOfFile(ctx, mustID(t, loc))
			if err != nil || sub.Layout != store.LayoutResults || sub.RowsAccepted != 1 || sub.PartnerID != "acme" {
				t.Fatalf("submission: %+v %v", sub, err)
			}
			if got := f.as("beta-user").get(loc); got.Code != http.StatusNotFound {
				t.Fatalf("another partner's CSV file: %d", got.Code)
			}
			if got := f.as("oper").get(loc); got.Code != http.StatusOK || !strings.Contains(got.Body.String(), `id="csv-errors"`) {
				t.Fatalf("operator: %d", got.Code)
			}
		})
	}
}

func mustID(t *testing.T, loc string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(loc, "/files/%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCSVUploadHeld: with Config.Hold (csv_processing nightly) an
// uploaded CSV submission is recorded held and not processed; the page
// says it waits for the nightly run.
func TestCSVUploadHeld(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := newFixture(t, be.URL(t))
			ctx := context.Background()
			processed := 0
			srv, err := New(Config{Store: f.st, Spool: f.sp, Now: f.clk.Now, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil)),
				Hold:    csvsub.IsSubmission,
				Process: func(context.Context, int64) error { processed++; return nil }})
			if err != nil {
				t.Fatal(err)
			}
			f.srv = srv
			csv := "member_id,last_name,first_name,dob,service_date,code_system,code,value,unit,rendering_npi\n" +
				"ZZM-A1,TESTPATIENT,ALEX,1980-01-01,2026-02-10,LOINC,4548-4,6.8,%,\n"
			rec := f.as("acme-user").upload("", "results-0302.csv", []byte(csv))
			if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "done=held") {
				t.Fatalf("upload: %d %s %s", rec.Code, rec.Header().Get("Location"), snippet(rec.Body.String()))
			}
			loc := rec.Header().Get("Location")
			in, err := f.st.GetInbound(ctx, mustID(t, strings.Split(loc, "?")[0]))
			if err != nil || in.State != store.InboundHeld || processed != 0 {
				t.Fatalf("uploaded file %+v, %v; processed %d times", in, err, processed)
			}
			if page := f.as("acme-user").get(loc); page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "processed at the nightly run") {
				t.Fatalf("file page: %d %s", page.Code, snippet(page.Body.String()))
			}
		})
	}
}
