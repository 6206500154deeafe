// Package metricstest reads a Prometheus text exposition in tests: the
// samples by series, and the series name of a metric with labels.
package metricstest

import (
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Samples reads the samples of a Prometheus text exposition, keyed by
// series as printed (`name{a="x",b="y"}`; the client prints labels
// sorted by name).
func Samples(t testing.TB, text string) map[string]float64 {
	t.Helper()
	samples := map[string]float64{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("sample %q: no value", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples
}

// Series names one sample: Series("x_total", "partner", "acme") is
// `x_total{partner="acme"}`; labels are given as name, value pairs and
// sorted by name as the client prints them.
func Series(name string, kv ...string) string {
	if len(kv) == 0 {
		return name
	}
	type pair struct{ k, v string }
	ps := make([]pair, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		ps = append(ps, pair{kv[i], kv[i+1]})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].k < ps[j].k })
	var b strings.Builder
	b.WriteString(name + "{")
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.k + `="` + p.v + `"`)
	}
	b.WriteByte('}')
	return b.String()
}
