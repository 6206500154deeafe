// Package nightly builds and delivers the nightly file-status reports:
// for every submitter with files in the day's window, the status of each
// CSV submission (rows, accepted, rejected, acceptance rate, and every
// rejected row with its column and reason) and of each X12 file (sets,
// claims accepted and rejected by reason), in CSV and HTML. The reports
// go to the submitter's outbox and a copy to the quality team's partner,
// exactly once (unique outbound names keyed by day, submitter and
// recipient). A submitter whose rejection rate stays above a threshold
// for N consecutive nights is flagged.
//
// The report day D covers the files received from D-1 at the cutoff
// (18:00 by default) to D at the cutoff, in the schedule's time zone: 24
// hours, or 23/25 across a DST change.
//
//	r, err := nightly.Build(ctx, st, nightly.Options{Location: chicago}, "2026-11-23")
//	err = nightly.WriteCSV(ctx, w, st, r, r.Submitters[0])
package nightly

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// Options configure the reports.
type Options struct {
	// Location is the time zone of the cutoff (the nightly schedule's
	// CRON_TZ). Default UTC.
	Location *time.Location
	// CutoffHour and CutoffMinute end a report day when HasCutoff is
	// set; default 18:00.
	CutoffHour, CutoffMinute int
	HasCutoff                bool
	// TrendThresholdTenths is the rejection rate, in tenths of a percent
	// (200 = 20.0%), above which a night counts towards the trend alert;
	// TrendNights the consecutive nights that raise it. 0 nights: off.
	TrendThresholdTenths int
	TrendNights          int
	// Partner, when set, builds the report of that submitter only: the
	// files of other partners are never read (the portal shows a
	// provider its own report this way).
	Partner string
}

func (o *Options) fill() {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if !o.HasCutoff {
		o.CutoffHour, o.CutoffMinute, o.HasCutoff = 18, 0, true
	}
}

// Window returns the time span of report day (YYYY-MM-DD): from the
// cutoff of the day before to the cutoff of day, in o's zone.
func Window(o Options, day string) (from, to time.Time, err error) {
	o.fill()
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return from, to, fmt.Errorf("nightly: day %q: want YYYY-MM-DD", day)
	}
	to = time.Date(d.Year(), d.Month(), d.Day(), o.CutoffHour, o.CutoffMinute, 0, 0, o.Location)
	from = time.Date(d.Year(), d.Month(), d.Day()-1, o.CutoffHour, o.CutoffMinute, 0, 0, o.Location)
	return from, to, nil
}

// DayAt returns the report day whose cutoff is the latest one at or
// before t: the day a job firing at the cutoff reports on.
func DayAt(o Options, t time.Time) string {
	o.fill()
	l := t.In(o.Location)
	cut := time.Date(l.Year(), l.Month(), l.Day(), o.CutoffHour, o.CutoffMinute, 0, 0, o.Location)
	if l.Before(cut) {
		cut = time.Date(l.Year(), l.Month(), l.Day()-1, o.CutoffHour, o.CutoffMinute, 0, 0, o.Location)
	}
	return cut.Format("2006-01-02")
}

// DayOf returns the report day whose window holds t.
func DayOf(o Options, t time.Time) string {
	o.fill()
	l := t.In(o.Location)
	cut := time.Date(l.Year(), l.Month(), l.Day(), o.CutoffHour, o.CutoffMinute, 0, 0, o.Location)
	if !l.Before(cut) {
		cut = time.Date(l.Year(), l.Month(), l.Day()+1, o.CutoffHour, o.CutoffMinute, 0, 0, o.Location)
	}
	return cut.Format("2006-01-02")
}

// Report is one night's reports.
type Report struct {
	Day        string
	From, To   time.Time
	Location   *time.Location
	Submitters []*Submitter
}

// Submitter is one submitter's night.
type Submitter struct {
	PartnerID string
	// Files are the CSV submissions, X12 the X12 files (the 837s derived
	// from CSV files are not listed: their claims count in the CSV file).
	Files []*FileStatus
	X12   []*X12Status
	// Units and Rejected total CSV rows and X12 claims; Rate is the
	// rejection rate.
	Units, Rejected int
	RejectRate      string
	// Flagged is set when the rejection rate has been above the threshold
	// for TrendNights consecutive nights, this one included.
	Flagged     bool
	TrendNights int
	Threshold   string
}

// FileStatus is the status of one CSV submission.
type FileStatus struct {
	InboundID  int64
	Submission int64
	Name       string
	Layout     string
	ReceivedAt time.Time
	Rows       int
	Accepted   int
	Rejected   int
	Rate       string // acceptance rate, one decimal, half up; "" when no rows
	// Pending is set when the derived 837 has not been processed yet (its
	// claim-level rejections are then not counted).
	Pending bool
	// Held is set for a CSV submission still held for the nightly run
	// (a report built before it): no rows counted yet, Layout empty.
	Held bool
	// rejectedClaims are the converted claims the 837 pipeline refused.
	rejectedClaims []store.CSVRejectedClaim
}

// X12Status is the status of one X12 file.
type X12Status struct {
	InboundID                      int64
	Name                           string
	ReceivedAt                     time.Time
	State                          string
	Sets, SetsAccepted             int
	ClaimsAccepted, ClaimsRejected int
	Rate                           string // claim acceptance rate
	Reasons                        []ReasonCount
}

// ReasonCount counts refused claims by reason codes.
type ReasonCount struct {
	Reason string
	Claims int
}

// Build gathers report day's files from the store.
func Build(ctx context.Context, st *store.Store, o Options, day string) (*Report, error) {
	o.fill()
	from, to, err := Window(o, day)
	if err != nil {
		return nil, err
	}
	r := &Report{Day: day, From: from, To: to, Location: o.Location}
	subs := map[string]*Submitter{}
	get := func(p string) *Submitter {
		s := subs[p]
		if s == nil {
			s = &Submitter{PartnerID: p}
			subs[p] = s
		}
		return s
	}
	csvs, err := st.CSVSubmissionsReceived(ctx, from, to, o.Partner)
	if err != nil {
		return nil, err
	}
	csvFile := map[int64]bool{}
	derived := map[int64]bool{}
	for _, c := range csvs {
		csvFile[c.InboundFileID] = true
		if c.DerivedFileID != nil {
			derived[*c.DerivedFileID] = true
		}
		fs := &FileStatus{InboundID: c.InboundFileID, Submission: c.ID, Name: c.Name, Layout: c.Layout,
			ReceivedAt: c.ReceivedAt, Rows: c.Rows, Accepted: c.RowsAccepted, Rejected: c.RowsRejected}
		if c.DerivedFileID != nil {
			d, err := st.GetInbound(ctx, *c.DerivedFileID)
			if err != nil {
				return nil, err
			}
			switch d.State {
			case store.InboundProcessed, store.InboundRejected:
				fs.rejectedClaims, err = st.CSVRejectedClaims(ctx, c.ID)
				if err != nil {
					return nil, err
				}
				for _, k := range fs.rejectedClaims {
					n := k.LastRow - k.FirstRow + 1
					fs.Accepted -= n
					fs.Rejected += n
				}
			default:
				fs.Pending = true
			}
		}
		if fs.Rows > 0 {
			fs.Rate = pipeline.Percent(fs.Accepted, fs.Rows)
		}
		s := get(c.PartnerID)
		s.Files = append(s.Files, fs)
		s.Units += fs.Rows
		s.Rejected += fs.Rejected
	}
	var after int64
	for {
		files, err := st.InboundReceived(ctx, from, to, o.Partner, after, 1000)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			break
		}
		for _, f := range files {
			after = f.ID
			if csvFile[f.ID] {
				continue
			}
			if derived[f.ID] {
				continue
			}
			if f.State == store.InboundHeld {
				s := get(f.PartnerID)
				s.Files = append(s.Files, &FileStatus{InboundID: f.ID, Name: f.Name, ReceivedAt: f.ReceivedAt, Held: true})
				continue
			}
			if isDerived, err := st.IsDerivedFile(ctx, f.ID); err != nil {
				return nil, err
			} else if isDerived {
				continue // its CSV file was received the day before
			}
			x := &X12Status{InboundID: f.ID, Name: f.Name, ReceivedAt: f.ReceivedAt, State: string(f.State),
				Sets: f.Transactions, SetsAccepted: f.TxAccepted, ClaimsAccepted: f.ClaimsAccepted, ClaimsRejected: f.ClaimsRejected}
			if n := f.ClaimsAccepted + f.ClaimsRejected; n > 0 {
				x.Rate = pipeline.Percent(f.ClaimsAccepted, n)
			}
			reasons, err := st.RejectionReasonsOfFile(ctx, f.ID)
			if err != nil {
				return nil, err
			}
			for _, rc := range reasons {
				x.Reasons = append(x.Reasons, ReasonCount{Reason: reasonText(rc.State, rc.Reasons), Claims: rc.Claims})
			}
			s := get(f.PartnerID)
			s.X12 = append(s.X12, x)
			s.Units += f.ClaimsAccepted + f.ClaimsRejected
			s.Rejected += f.ClaimsRejected
		}
	}
	for _, s := range subs {
		if s.Units > 0 {
			s.RejectRate = pipeline.Percent(s.Rejected, s.Units)
		}
		r.Submitters = append(r.Submitters, s)
	}
	sort.Slice(r.Submitters, func(i, j int) bool { return r.Submitters[i].PartnerID < r.Submitters[j].PartnerID })
	if err := trend(ctx, st, o, r); err != nil {
		return nil, err
	}
	return r, nil
}

// reasonText names the reasons of refused claims: the 277CA codes sent,
// "duplicate" for an exact duplicate.
func reasonText(state store.ClaimState, reasons string) string {
	switch {
	case reasons == "" && state == store.ClaimDuplicate:
		return "duplicate"
	case reasons == "":
		return "rejected"
	}
	return reasons
}

// above reports whether rejected/units is above the threshold (tenths of
// a percent), in integers: rejected*1000 > threshold*units.
func above(rejected, units, thresholdTenths int) bool {
	return units > 0 && rejected*1000 > thresholdTenths*units
}

// trend records every submitter's night and flags those above the
// threshold for TrendNights consecutive nights.
func trend(ctx context.Context, st *store.Store, o Options, r *Report) error {
	for _, s := range r.Submitters {
		s.TrendNights = o.TrendNights
		s.Threshold = fmt.Sprintf("%d.%d", o.TrendThresholdTenths/10, o.TrendThresholdTenths%10)
		tonight := above(s.Rejected, s.Units, o.TrendThresholdTenths)
		if o.TrendNights > 0 && tonight {
			prev, err := st.ReportDaysBefore(ctx, s.PartnerID, r.Day, o.TrendNights-1)
			if err != nil {
				return err
			}
			streak := 1
			want, _ := time.Parse("2006-01-02", r.Day)
			for _, d := range prev {
				want = want.AddDate(0, 0, -1)
				if d.Day != want.Format("2006-01-02") || !above(d.RowsRejected, d.Rows, o.TrendThresholdTenths) {
					break
				}
				streak++
			}
			s.Flagged = streak >= o.TrendNights
		}
		if err := st.PutReportDay(ctx, store.ReportDay{Day: r.Day, PartnerID: s.PartnerID, Files: len(s.Files) + len(s.X12),
			Rows: s.Units, RowsRejected: s.Rejected, Flagged: s.Flagged}); err != nil {
			return err
		}
	}
	return nil
}

// RowError is one line of a file's rejected rows.
type RowError struct {
	Row    int
	Column string
	Code   string
	Reason string
}

// EachRowError calls fn with every rejected row of f in row order: the
// rows the CSV checks refused and the rows of claims the 837 pipeline
// refused. Rows are read from the store page by page.
func EachRowError(ctx context.Context, st *store.Store, f *FileStatus, fn func(RowError) error) error {
	if f.Held {
		return nil // not processed yet
	}
	rc := f.rejectedClaims
	emitClaims := func(before int) error {
		for len(rc) > 0 && rc[0].FirstRow < before {
			k := rc[0]
			rc = rc[1:]
			reason := "claim rejected by the 837 edits: " + k.Reasons
			if k.State == store.ClaimDuplicate {
				reason = "claim is a duplicate of an earlier claim"
				if k.Reasons != "" {
					reason += ": " + k.Reasons
				}
			}
			for row := k.FirstRow; row <= k.LastRow; row++ {
				if err := fn(RowError{Row: row, Column: "claim_key", Code: "rejected", Reason: reason}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	after := 0
	for {
		es, err := st.CSVRowErrors(ctx, f.Submission, after, 500)
		if err != nil {
			return err
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if err := emitClaims(e.Row); err != nil {
				return err
			}
			if err := fn(RowError{Row: e.Row, Column: e.Column, Code: e.Code, Reason: e.Reason}); err != nil {
				return err
			}
			after = e.Row
		}
	}
	return emitClaims(int(^uint(0) >> 1))
}

// fileBase keeps letters, digits, '-', '_' and '.' of a partner ID for
// outbound names.
func fileBase(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}
