package web

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/clearinghouse/clearinghouse/pipeline/nightly"
)

// reportDays is how many report days the reports page lists.
const reportDays = 31

type reportsPage struct {
	Days []string
}

type reportPage struct {
	Day        string
	From, To   string
	Submitters []reportSubmitter
	Partner    string
}

type reportSubmitter struct {
	*nightly.Submitter
	Rows map[int64][]nightly.RowError
}

// reports lists the nightly file-status report days, newest first, from
// the day still open (its report is what came in so far).
func (p *Provider) reports(q *Request) error {
	last := nightly.DayOf(p.Nightly, p.s.cfg.Now())
	d, err := time.Parse("2006-01-02", last)
	if err != nil {
		return err
	}
	pg := reportsPage{}
	for i := range reportDays {
		pg.Days = append(pg.Days, d.AddDate(0, 0, -i).Format("2006-01-02"))
	}
	return q.Render("reports", pg)
}

// buildReport builds the day's report and keeps the submitters the user
// may read: its own partner, or (operators) every one or the partner
// asked for.
func (p *Provider) buildReport(q *Request) (*nightly.Report, []*nightly.Submitter, error) {
	day := q.R.PathValue("day")
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, nil, errNotFound
	}
	want := q.Scope.PartnerID
	if q.Scope.All {
		want = q.R.URL.Query().Get("partner")
	} else if want == "" {
		return nil, nil, errNotFound
	}
	// A provider's report is built from its own files only (the scope
	// is in the store queries); an operator may ask for one partner.
	o := p.Nightly
	o.Partner = want
	r, err := nightly.Build(q.R.Context(), p.s.st, o, day)
	if err != nil {
		return nil, nil, err
	}
	var out []*nightly.Submitter
	for _, s := range r.Submitters {
		if (q.Scope.All && want == "") || s.PartnerID == want {
			out = append(out, s)
		}
	}
	return r, out, nil
}

// report renders one day's report (its rejected CSV rows included).
func (p *Provider) report(q *Request) error {
	ctx := q.R.Context()
	r, subs, err := p.buildReport(q)
	if err != nil {
		return err
	}
	pg := reportPage{Day: r.Day, From: r.From.In(r.Location).Format("2006-01-02 15:04 MST"),
		To: r.To.In(r.Location).Format("2006-01-02 15:04 MST"), Partner: q.R.URL.Query().Get("partner")}
	for _, s := range subs {
		rs := reportSubmitter{Submitter: s, Rows: map[int64][]nightly.RowError{}}
		for _, f := range s.Files {
			n := 0
			err := nightly.EachRowError(ctx, p.s.st, f, func(e nightly.RowError) error {
				if n < maxCSVErrorRows {
					rs.Rows[f.InboundID] = append(rs.Rows[f.InboundID], e)
				}
				n++
				return nil
			})
			if err != nil {
				return err
			}
		}
		pg.Submitters = append(pg.Submitters, rs)
	}
	if err := q.Audit("report.view", "report", r.Day, "", "", fmt.Sprintf("submitters=%d", len(subs))); err != nil {
		return err
	}
	return q.Render("report", pg)
}

// reportCSV downloads the day's report of one submitter as CSV (the
// file-status report partners receive).
func (p *Provider) reportCSV(q *Request) error {
	r, subs, err := p.buildReport(q)
	if err != nil {
		return err
	}
	partner := q.R.PathValue("partner")
	for _, s := range subs {
		if s.PartnerID != partner {
			continue
		}
		var buf bytes.Buffer
		if err := nightly.WriteCSV(q.R.Context(), &buf, p.s.st, r, s); err != nil {
			return err
		}
		if err := q.Audit("report.download", "report", r.Day, "", "", "partner="+partner); err != nil {
			return err
		}
		h := q.W.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, safeFileName(nightly.Names(r.Day, partner, "")+".csv", "filestatus.csv")))
		q.W.WriteHeader(http.StatusOK)
		_, _ = q.W.Write(buf.Bytes())
		return nil
	}
	return errNotFound
}
