package nightly

import (
	"bufio"
	"context"
	"encoding/csv"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// CSVHeader is the header of the CSV report. Each line is a record:
// "submitter" (the night's totals and the trend alert), "file" (a CSV
// submission's status), "row" (one error of a rejected row of the file
// above it), "x12" (an X12 file) and "x12_reason" (its refused claims by
// reason).
var CSVHeader = []string{"record", "day", "submitter", "file", "received_at", "layout", "rows", "accepted", "rejected",
	"acceptance_rate", "row", "column", "code", "reason"}

func itoa(n int) string { return strconv.Itoa(n) }

func (r *Report) localTime(t time.Time) string { return t.In(r.Location).Format(time.RFC3339) }

// WriteCSV writes submitter s's report as CSV.
func WriteCSV(ctx context.Context, w io.Writer, st *store.Store, r *Report, s *Submitter) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	rec := func(fields ...string) error {
		line := make([]string, len(CSVHeader))
		copy(line, fields)
		return cw.Write(line)
	}
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	alert := ""
	if s.Flagged {
		alert = "rejection rate above " + s.Threshold + "% for " + itoa(s.TrendNights) + " consecutive nights"
	}
	code := ""
	if s.Flagged {
		code = "trend"
	}
	rate := ""
	if s.Units > 0 {
		rate = pipeline.Percent(s.Units-s.Rejected, s.Units)
	}
	if err := rec("submitter", r.Day, s.PartnerID, "", "", "", itoa(s.Units), itoa(s.Units-s.Rejected), itoa(s.Rejected), rate, "", "", code, alert); err != nil {
		return err
	}
	for _, f := range s.Files {
		note := ""
		switch {
		case f.Pending:
			note = "converted 837 not processed yet: claim edits not counted"
		case f.Held:
			note = "held: processed at the nightly run"
		}
		if err := rec("file", r.Day, s.PartnerID, f.Name, r.localTime(f.ReceivedAt), f.Layout, itoa(f.Rows), itoa(f.Accepted), itoa(f.Rejected), f.Rate, "", "", "", note); err != nil {
			return err
		}
		if err := EachRowError(ctx, st, f, func(e RowError) error {
			return rec("row", r.Day, s.PartnerID, f.Name, "", "", "", "", "", "", itoa(e.Row), e.Column, e.Code, e.Reason)
		}); err != nil {
			return err
		}
	}
	for _, x := range s.X12 {
		if err := rec("x12", r.Day, s.PartnerID, x.Name, r.localTime(x.ReceivedAt), "x12", itoa(x.ClaimsAccepted+x.ClaimsRejected),
			itoa(x.ClaimsAccepted), itoa(x.ClaimsRejected), x.Rate, "", "", x.State,
			"sets "+itoa(x.Sets)+", accepted "+itoa(x.SetsAccepted)); err != nil {
			return err
		}
		for _, rc := range x.Reasons {
			if err := rec("x12_reason", r.Day, s.PartnerID, x.Name, "", "", "", "", itoa(rc.Claims), "", "", "", rc.Reason, ""); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>File status {{.R.Day}} — {{.S.PartnerID}}</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #999; padding: 0.2em 0.6em; text-align: left; }
td.n { text-align: right; }
.alert { color: #a00; font-weight: bold; }
</style>
</head>
<body>
<h1>File status — {{.S.PartnerID}} — {{.R.Day}}</h1>
<p>Files received from {{.From}} to {{.To}}.</p>
{{if .S.Flagged}}<p class="alert">Trend alert: rejection rate above {{.S.Threshold}}% for {{.S.TrendNights}} consecutive nights.</p>
{{end}}<p>Total: {{.S.Units}} rows and claims, {{.S.Rejected}} rejected{{if .S.RejectRate}} ({{.S.RejectRate}}%){{end}}.</p>
{{range .Files}}<h2>{{.F.Name}}</h2>
<table>
<tr><th>received</th><th>layout</th><th>rows</th><th>accepted</th><th>rejected</th><th>acceptance rate</th></tr>
<tr><td>{{.Received}}</td><td>{{.F.Layout}}</td><td class="n">{{.F.Rows}}</td><td class="n">{{.F.Accepted}}</td><td class="n">{{.F.Rejected}}</td><td class="n">{{if .F.Rate}}{{.F.Rate}}%{{end}}</td></tr>
</table>
{{if .F.Pending}}<p>The converted 837 has not been processed yet: claim edits are not counted.</p>
{{end}}{{if .F.Held}}<p>Held: the file is processed at the nightly run, and its rows counted then.</p>
{{end}}{{if .Rows}}<table>
<tr><th>row</th><th>column</th><th>code</th><th>reason</th></tr>
{{range .Rows}}<tr><td class="n">{{.Row}}</td><td>{{.Column}}</td><td>{{.Code}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>
{{end}}{{end}}{{if .X12}}<h2>X12 files</h2>
<table>
<tr><th>file</th><th>received</th><th>state</th><th>sets</th><th>sets accepted</th><th>claims accepted</th><th>claims rejected</th><th>acceptance rate</th></tr>
{{range .X12}}<tr><td>{{.X.Name}}</td><td>{{.Received}}</td><td>{{.X.State}}</td><td class="n">{{.X.Sets}}</td><td class="n">{{.X.SetsAccepted}}</td><td class="n">{{.X.ClaimsAccepted}}</td><td class="n">{{.X.ClaimsRejected}}</td><td class="n">{{if .X.Rate}}{{.X.Rate}}%{{end}}</td></tr>
{{end}}</table>
{{range .X12}}{{if .X.Reasons}}<h3>{{.X.Name}}: refused claims by reason</h3>
<table>
<tr><th>reason</th><th>claims</th></tr>
{{range .X.Reasons}}<tr><td>{{.Reason}}</td><td class="n">{{.Claims}}</td></tr>
{{end}}</table>
{{end}}{{end}}{{end}}</body>
</html>
`))

// WriteHTML writes submitter s's report as an HTML page. The rejected
// rows of each file are read from the store as the page is written.
func WriteHTML(ctx context.Context, w io.Writer, st *store.Store, r *Report, s *Submitter) error {
	type fileView struct {
		F        *FileStatus
		Received string
		Rows     []RowError
	}
	type x12View struct {
		X        *X12Status
		Received string
	}
	// html/template renders from values: the rejected rows are loaded
	// (the page is for people; the CSV report streams them).
	bw := bufio.NewWriter(w)
	view := struct {
		R        *Report
		S        *Submitter
		From, To string
		Files    []fileView
		X12      []x12View
	}{R: r, S: s, From: r.localTime(r.From), To: r.localTime(r.To)}
	for _, f := range s.Files {
		fv := fileView{F: f, Received: r.localTime(f.ReceivedAt)}
		if err := EachRowError(ctx, st, f, func(e RowError) error { fv.Rows = append(fv.Rows, e); return nil }); err != nil {
			return err
		}
		view.Files = append(view.Files, fv)
	}
	for _, x := range s.X12 {
		view.X12 = append(view.X12, x12View{X: x, Received: r.localTime(x.ReceivedAt)})
	}
	if err := htmlTemplate.Execute(bw, view); err != nil {
		return err
	}
	return bw.Flush()
}
