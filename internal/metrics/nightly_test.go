package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/clearinghouse/clearinghouse/pipeline/nightly"
)

func TestObserveNightly(t *testing.T) {
	m := New(Options{})
	r := &nightly.Report{Day: "2026-11-23", Submitters: []*nightly.Submitter{
		{PartnerID: "acme", Units: 30, Rejected: 25, RejectRate: "83.3", Flagged: true},
		{PartnerID: "beta", Units: 24, RejectRate: "0.0"},
		{PartnerID: "gamma"}, // no rows: no rate
	}}
	m.ObserveNightly(r)
	if v := testutil.ToFloat64(m.trendFlagged.WithLabelValues("acme")); v != 1 {
		t.Errorf("acme flagged %v", v)
	}
	if v := testutil.ToFloat64(m.trendFlagged.WithLabelValues("beta")); v != 0 {
		t.Errorf("beta flagged %v", v)
	}
	if v := testutil.ToFloat64(m.rejectRate.WithLabelValues("acme")); v != 83.3 {
		t.Errorf("acme rate %v", v)
	}
	if n := testutil.CollectAndCount(m.rejectRate); n != 2 {
		t.Errorf("%d rate series, want 2", n)
	}
	// The next night clears the flag; registering twice does not panic.
	r.Submitters[0].Flagged = false
	m.ObserveNightly(r)
	if v := testutil.ToFloat64(m.trendFlagged.WithLabelValues("acme")); v != 0 {
		t.Errorf("acme flagged %v after a good night", v)
	}
}
