package synth

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"time"
)

// Person is a synthetic patient who is not the subscriber (2010CA).
type Person struct {
	LastName, FirstName string
	DOB                 time.Time // UTC midnight
	Gender              string    // "F" or "M"
	// Relationship is PAT01: "19" child or "01" spouse.
	Relationship string
}

// Member is one synthetic subscriber on the roster. Claims for the member
// carry MemberID in 2010BA NM109, the names in NM103/NM104 and Group in
// SBR03; DOB and Gender go in the 2010BA DMG when the member is the patient,
// and Dependent fills 2010CA otherwise. Every service date falls within
// [CoverageStart, CoverageEnd].
type Member struct {
	// Index is the member's 0-based roster position.
	Index int
	// MemberID is "SYN" + a 4-digit seed tag + the 7-digit 1-based index.
	MemberID            string
	LastName, FirstName string
	DOB                 time.Time // UTC midnight
	Gender              string    // "F" or "M"
	// CoverageStart (first of a month) and CoverageEnd (last of a month)
	// are UTC midnights; the window contains every service date.
	CoverageStart, CoverageEnd time.Time
	// Plan is PPO, HMO, EPO or POS; SBR09 follows it (12, HM, 14, 13).
	Plan string
	// Group is SBR03, e.g. "GRP10211".
	Group string
	// TPA is the synthetic third-party administrator name.
	TPA string
	// PayerID is the 2010BB NM109 of the member's claims.
	PayerID string
	// Dependent is the patient used on the member's claims that have a
	// 2000C loop (about one claim in five). Dependents have no member ID of
	// their own and are not roster rows.
	Dependent Person
}

// Members returns the roster the claims of cfg draw from, in index order
// (cfg.MemberCount entries). Every claim's member is on it.
func Members(cfg Config) (iter.Seq[Member], error) {
	norm, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	return func(yield func(Member) bool) {
		g := newGenerator(norm)
		var mb member
		for m := 0; m < norm.MemberCount; m++ {
			g.member(m, &mb)
			if !yield(g.exportMember(m, &mb)) {
				return
			}
		}
	}, nil
}

func dayTime(days int) time.Time {
	y, m, d := civilFromDays(days)
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

func (g *generator) exportMember(m int, mb *member) Member {
	grp := &g.groups[mb.group]
	return Member{
		Index:         m,
		MemberID:      string(g.appendMemberID(nil, m)),
		LastName:      mb.last,
		FirstName:     mb.first,
		DOB:           dayTime(mb.dob),
		Gender:        string(mb.gender),
		CoverageStart: dayTime(mb.covStart),
		CoverageEnd:   dayTime(mb.covEnd),
		Plan:          grp.plan,
		Group:         grp.number,
		TPA:           grp.tpa,
		PayerID:       g.payers[m%len(g.payers)].id,
		Dependent: Person{
			LastName:     mb.last,
			FirstName:    mb.depFirst,
			DOB:          dayTime(mb.depDOB),
			Gender:       string(mb.depGender),
			Relationship: mb.depRel,
		},
	}
}

// RosterHeader is the header row WriteRosterCSV writes.
var RosterHeader = []string{"member_id", "last_name", "first_name", "dob", "gender",
	"coverage_start", "coverage_end", "plan", "group", "tpa"}

// WriteRosterCSV writes the roster of cfg as CSV with RosterHeader columns;
// dates are YYYY-MM-DD. It checks ctx every 4096 rows.
func WriteRosterCSV(ctx context.Context, w io.Writer, cfg Config) error {
	seq, err := Members(cfg)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(RosterHeader); err != nil {
		return fmt.Errorf("write roster: %w", err)
	}
	rec := make([]string, len(RosterHeader))
	for m := range seq {
		if m.Index%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("write roster: %w", err)
			}
		}
		rec[0] = m.MemberID
		rec[1] = m.LastName
		rec[2] = m.FirstName
		rec[3] = m.DOB.Format(time.DateOnly)
		rec[4] = m.Gender
		rec[5] = m.CoverageStart.Format(time.DateOnly)
		rec[6] = m.CoverageEnd.Format(time.DateOnly)
		rec[7] = m.Plan
		rec[8] = m.Group
		rec[9] = m.TPA
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write roster: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write roster: %w", err)
	}
	return nil
}
