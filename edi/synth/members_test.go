package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestWriteRosterCSV(t *testing.T) {
	cfg := Config{Kind: Professional, Claims: 3000, Seed: 77}
	var buf bytes.Buffer
	if err := WriteRosterCSV(context.Background(), &buf, cfg); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], RosterHeader) {
		t.Fatalf("header %v", rows[0])
	}
	members := roster(t, cfg)
	if len(rows)-1 != len(members) || len(members) != 600 {
		t.Fatalf("%d rows, %d members, want 600 (Claims/5)", len(rows)-1, len(members))
	}
	for _, r := range rows[1:] {
		m, ok := members[r[0]]
		if !ok {
			t.Fatalf("row %v not on the roster", r)
		}
		want := []string{m.MemberID, m.LastName, m.FirstName, m.DOB.Format(time.DateOnly), m.Gender,
			m.CoverageStart.Format(time.DateOnly), m.CoverageEnd.Format(time.DateOnly), m.Plan, m.Group, m.TPA}
		if !slices.Equal(r, want) {
			t.Errorf("row %v, want %v", r, want)
		}
		if m.CoverageStart.Day() != 1 || m.CoverageEnd.AddDate(0, 0, 1).Day() != 1 || !m.CoverageEnd.After(DefaultDate) {
			t.Errorf("coverage %s..%s: want a 1st-of-month start and a month-end after the envelope date", r[5], r[6])
		}
		if age := DefaultDate.Sub(m.DOB).Hours() / 24 / 365.25; age < 18 || age > 86 {
			t.Errorf("member %s age %.1f outside 18..85", m.MemberID, age)
		}
		if m.Dependent.FirstName == m.FirstName || m.Dependent.LastName != m.LastName {
			t.Errorf("member %s dependent %+v", m.MemberID, m.Dependent)
		}
	}
}

func TestWriteRosterCSVCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := WriteRosterCSV(ctx, &bytes.Buffer{}, Config{Kind: Institutional, Claims: 10})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WriteRosterCSV: %v, want context.Canceled", err)
	}
}

// TestMembersStable checks that the roster depends on the seed and member
// count only, so a roster written separately matches the claim file.
func TestMembersStable(t *testing.T) {
	a := roster(t, Config{Kind: Professional, Claims: 500, Seed: 3})
	b := roster(t, Config{Kind: Institutional, Claims: 500, Seed: 3, Freq7: 0.3, LinesMax: 9})
	for id, m := range a {
		mb := b[id]
		mb.PayerID = m.PayerID // payer IDs follow the kind's defaults
		if mb != m {
			t.Fatalf("member %s differs between configs: %+v vs %+v", id, m, mb)
		}
	}
	c := roster(t, Config{Kind: Professional, Claims: 500, Seed: 4})
	same := 0
	for id, m := range a {
		if cm, ok := c[id]; ok && cm.LastName == m.LastName && cm.FirstName == m.FirstName && cm.DOB == m.DOB {
			same++
		}
	}
	if same > len(a)/10 {
		t.Errorf("%d of %d members identical across seeds", same, len(a))
	}
}
