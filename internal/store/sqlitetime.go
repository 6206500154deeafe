package store

import (
	"fmt"
	"strings"
	"time"
)

// textTime scans a timestamp into t from a time (PostgreSQL, or a SQLite
// column the driver converts) or from its text: a SQLite timestamp read
// through an expression (+created_at), which has no declared type, comes
// as text, and the driver does not convert it. Converting a TIMESTAMP
// column, the driver first tries time.Time.String's form, which fails
// for the form the store writes, at four allocations a value, and boxes
// the time: a roster row cost eleven allocations for its two timestamps.
type textTime struct{ t *time.Time }

func (d textTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d.t = v
		return nil
	case string:
		t, err := parseSQLiteTime(v)
		*d.t = t
		return err
	case []byte:
		t, err := parseSQLiteTime(string(v))
		*d.t = t
		return err
	}
	return fmt.Errorf("store: scan a time from %T", src)
}

// sqliteTimeLayouts are the text forms of a time the SQLite driver
// (modernc.org/sqlite) converts to one, apart from time.Time.String's.
// The store writes the first (_time_format=sqlite, _timezone=UTC).
var sqliteTimeLayouts = [...]string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseSQLiteTime reads a SQLite timestamp as the driver would read it
// from a TIMESTAMP column opened with _timezone=UTC: in UTC, a form
// without an offset (or ending in Z) taken as UTC.
func parseSQLiteTime(s string) (time.Time, error) {
	if t, err := time.Parse(sqliteTimeLayouts[0], s); err == nil {
		return t.UTC(), nil
	}
	// time.Time.String's form, without a monotonic clock reading.
	ts := s
	if i := strings.Index(ts, "m="); i > 0 {
		ts = ts[:i]
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(ts)); err == nil {
		return t.UTC(), nil
	}
	ts = strings.TrimSuffix(s, "Z")
	for _, layout := range sqliteTimeLayouts[1:] {
		if t, err := time.Parse(layout, ts); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("store: unrecognized time %q", s)
}
