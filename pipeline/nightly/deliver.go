package nightly

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Delivery is one report file queued for a partner.
type Delivery struct {
	Partner string `json:"partner"`
	Name    string `json:"name"`
	ID      int64  `json:"outbound_id"`
	// Queued is false when the name was queued before (the night's report
	// was delivered already: nothing is sent twice).
	Queued bool `json:"queued"`
}

// Names returns the base names of submitter's reports of day, without
// extension: filestatus-<day>-<submitter>[-<suffix>].
func Names(day, submitter, suffix string) string {
	n := "filestatus-" + day + "-" + fileBase(submitter)
	if suffix != "" {
		n += "-" + fileBase(suffix)
	}
	return n
}

// Deliver queues every submitter's CSV and HTML report to the submitter
// and to qiPartner ("" for none). Outbound names are keyed by day and
// submitter (unique per recipient), so delivering the same night twice
// queues nothing new; suffix, when set, makes new names (a redelivery).
func Deliver(ctx context.Context, st *store.Store, sp *spool.Spool, r *Report, qiPartner, suffix string) ([]Delivery, error) {
	var out []Delivery
	for _, s := range r.Submitters {
		base := Names(r.Day, s.PartnerID, suffix)
		files := []struct {
			name  string
			write func(io.Writer) error
		}{
			{base + ".csv", func(w io.Writer) error { return WriteCSV(ctx, w, st, r, s) }},
			{base + ".html", func(w io.Writer) error { return WriteHTML(ctx, w, st, r, s) }},
		}
		var spooled []spool.File
		for _, f := range files {
			sf, err := spoolReport(ctx, sp, f.write)
			if err != nil {
				return out, fmt.Errorf("nightly: report %s: %w", f.name, err)
			}
			spooled = append(spooled, sf)
		}
		recipients := []string{s.PartnerID}
		if qiPartner != "" && qiPartner != s.PartnerID {
			recipients = append(recipients, qiPartner)
		}
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for _, to := range recipients {
				for i, f := range files {
					rec, created, err := tx.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: to, Kind: store.KindReport, Name: f.name,
						SpoolPath: spooled[i].Path, SHA256: spooled[i].SHA256, Size: spooled[i].Size})
					if err != nil {
						return err
					}
					if !created && rec.Kind != store.KindReport {
						return fmt.Errorf("nightly: outbound name %s of %s is held by a %s file", f.name, to, rec.Kind)
					}
					out = append(out, Delivery{Partner: to, Name: rec.Name, ID: rec.ID, Queued: created})
				}
			}
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// spoolReport renders a report into a temporary file and spools it, so
// memory does not grow with the report.
func spoolReport(ctx context.Context, sp *spool.Spool, write func(io.Writer) error) (spool.File, error) {
	tmp, err := os.CreateTemp("", "clearinghouse-report-*")
	if err != nil {
		return spool.File{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := write(tmp); err != nil {
		return spool.File{}, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return spool.File{}, err
	}
	return sp.Put(ctx, "outbound", tmp)
}
