package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clearinghouse/clearinghouse/pipeline/nightly"
)

// ObserveNightly sets the trend gauges from a nightly report:
// clearinghouse_submitter_trend_flagged (1 while the submitter's rejection
// rate has been above the threshold for the configured consecutive nights)
// and clearinghouse_submitter_reject_rate_percent (the night's rejection
// rate of CSV rows and X12 claims), by submitter.
func (m *Metrics) ObserveNightly(r *nightly.Report) {
	m.nightlyOnce.Do(func() {
		m.trendFlagged = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "submitter_trend_flagged",
			Help: "1 when the submitter's rejection rate was above trend.reject_rate_above for trend.nights consecutive nightly reports, else 0; set by each nightly report."}, []string{"partner"})
		m.rejectRate = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "submitter_reject_rate_percent",
			Help: "Rejected CSV rows and X12 claims over all of them in the submitter's last nightly report, in percent."}, []string{"partner"})
		m.reg.MustRegister(m.trendFlagged, m.rejectRate)
	})
	for _, s := range r.Submitters {
		v := 0.0
		if s.Flagged {
			v = 1
		}
		m.trendFlagged.WithLabelValues(s.PartnerID).Set(v)
		if s.RejectRate != "" {
			if f, err := strconv.ParseFloat(s.RejectRate, 64); err == nil {
				m.rejectRate.WithLabelValues(s.PartnerID).Set(f)
			}
		}
	}
}
