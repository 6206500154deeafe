package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// DailyReport is the nightly operations report: what came in during one
// day and how it fared. It holds counts only, never PHI.
type DailyReport struct {
	Day        string `json:"day"` // YYYY-MM-DD in the report's location
	From       string `json:"from"`
	To         string `json:"to"`
	Files      int    `json:"files"`
	Rejected   int    `json:"files_rejected"`
	Failed     int    `json:"files_failed"`
	Sets       int    `json:"transaction_sets"`
	SetsOK     int    `json:"transaction_sets_accepted"`
	Claims     int    `json:"claims"`
	ClaimsOK   int    `json:"claims_accepted"`
	ClaimsRej  int    `json:"claims_rejected"`
	AcceptRate string `json:"claim_accept_rate"` // percent with one decimal, "" when no claims
	RejectRate string `json:"claim_reject_rate"`
}

// BuildDailyReport counts the inbound files received in the 24 hours
// before end.
func BuildDailyReport(ctx context.Context, st *store.Store, end time.Time) (DailyReport, error) {
	from := end.Add(-24 * time.Hour)
	r := DailyReport{Day: end.Format("2006-01-02"), From: from.UTC().Format(time.RFC3339), To: end.UTC().Format(time.RFC3339)}
	var before int64
	for {
		files, err := st.ListInbound(ctx, store.ListOpts{BeforeID: before, Limit: 1000})
		if err != nil {
			return r, err
		}
		if len(files) == 0 {
			break
		}
		done := false
		for _, f := range files {
			before = f.ID
			if f.ReceivedAt.Before(from) {
				done = true
				break
			}
			if f.ReceivedAt.After(end) {
				continue
			}
			r.Files++
			switch f.State {
			case store.InboundRejected:
				r.Rejected++
			case store.InboundFailed:
				r.Failed++
			}
			r.Sets += f.Transactions
			r.SetsOK += f.TxAccepted
			r.ClaimsOK += f.ClaimsAccepted
			r.ClaimsRej += f.ClaimsRejected
		}
		if done {
			break
		}
	}
	r.Claims = r.ClaimsOK + r.ClaimsRej
	if r.Claims > 0 {
		r.AcceptRate = Percent(r.ClaimsOK, r.Claims)
		r.RejectRate = Percent(r.ClaimsRej, r.Claims)
	}
	return r, nil
}

// Percent formats part/whole as a percentage with one decimal, rounding
// half up, in integer arithmetic.
func Percent(part, whole int) string {
	tenths := (part*1000*2 + whole) / (2 * whole)
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10)
}

// WriteDailyReport builds the report for the day ending at end and writes
// it as dir/YYYY-MM-DD.json. Running it twice for the same day rewrites
// the same file.
func WriteDailyReport(ctx context.Context, st *store.Store, dir string, end time.Time) (string, error) {
	r, err := BuildDailyReport(ctx, st, end)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, r.Day+".json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o640); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	_ = st.Audit(ctx, store.AuditEntry{Actor: "report", Action: "report.daily", Entity: "report", EntityID: r.Day,
		Detail: fmt.Sprintf("files=%d claims=%d accepted=%s%%", r.Files, r.Claims, r.AcceptRate)})
	return path, nil
}
