package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// storeCollector reads the queue gauges from the store at scrape time.
// A failing or slow store never fails the scrape: it reports
// clearinghouse_store_up 0 and leaves the queue gauges out.
type storeCollector struct {
	st      Store
	timeout time.Duration
	logger  *slog.Logger

	up, duration, inbound, outbound, claims *prometheus.Desc

	mu     sync.Mutex
	failed bool // the last collection failed; only changes are logged
}

func newStoreCollector(st Store, timeout time.Duration, logger *slog.Logger) *storeCollector {
	name := func(n string) string { return prometheus.BuildFQName(Namespace, "", n) }
	return &storeCollector{
		st: st, timeout: timeout, logger: logger,
		up: prometheus.NewDesc(name("store_up"),
			"1 when the queue counts were read from the store at this scrape, 0 when the store failed or timed out (the queue gauges are then absent).", nil, nil),
		duration: prometheus.NewDesc(name("store_scrape_duration_seconds"),
			"How long reading the queue counts from the store took at this scrape.", nil, nil),
		inbound: prometheus.NewDesc(name("inbound_files"),
			"Inbound files in the store by sending partner and state (held, received, processing, processed, rejected, retrying, quarantined, failed); absent means 0.",
			[]string{"partner", "state"}, nil),
		outbound: prometheus.NewDesc(name("outbound_files"),
			"Outbound files in the store by receiving partner, kind and state (pending, delivering, delivered, failed); absent means 0.",
			[]string{"partner", "kind", "state"}, nil),
		claims: prometheus.NewDesc(name("claims"),
			"Claims in the store by state (accepted, rejected, duplicate, suspect, replaced, voided, forwarded, closed); absent means 0.",
			[]string{"state"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.duration, c.inbound, c.outbound, c.claims} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	stats, err := c.st.CountByState(ctx)
	ch <- prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, time.Since(start).Seconds())
	c.mu.Lock()
	changed := (err != nil) != c.failed
	c.failed = err != nil
	c.mu.Unlock()
	if err != nil {
		if changed {
			c.logger.Warn("metrics: store queue counts unavailable; clearinghouse_store_up is 0", slog.String("error", err.Error()))
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	if changed {
		c.logger.Info("metrics: store queue counts available again")
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	// GROUP BY gives one row per label set, but a label whitelisted to
	// "other" could merge two: sum them, as a registry refuses duplicates.
	type key struct{ a, b, c string }
	sums := map[key]float64{}
	for _, s := range stats.Inbound {
		sums[key{label(partnerLabel, s.PartnerID), label(nameLabel, string(s.State)), ""}] += float64(s.Count)
	}
	for k, v := range sums {
		ch <- prometheus.MustNewConstMetric(c.inbound, prometheus.GaugeValue, v, k.a, k.b)
	}
	clear(sums)
	for _, s := range stats.Outbound {
		sums[key{label(partnerLabel, s.PartnerID), label(kindLabel, s.Kind), label(nameLabel, string(s.State))}] += float64(s.Count)
	}
	for k, v := range sums {
		ch <- prometheus.MustNewConstMetric(c.outbound, prometheus.GaugeValue, v, k.a, k.b, k.c)
	}
	clear(sums)
	for _, s := range stats.Claims {
		sums[key{label(nameLabel, string(s.State)), "", ""}] += float64(s.Count)
	}
	for k, v := range sums {
		ch <- prometheus.MustNewConstMetric(c.claims, prometheus.GaugeValue, v, k.a)
	}
}
