package web

import (
	"encoding/csv"
	"net/http"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

type rosterPage struct {
	CanAll   bool
	Partners []store.Partner
}

// roster is the member roster page: what the download holds.
func (p *Provider) roster(q *Request) error {
	pg := rosterPage{CanAll: q.Scope.All}
	if q.Scope.All {
		ps, err := p.s.st.ListPartners(q.R.Context())
		if err != nil {
			return err
		}
		pg.Partners = ps
	}
	return q.Render("roster", pg)
}

// rosterColumns are the columns of the roster download.
var rosterColumns = []string{"member_id", "family_id", "relationship", "last_name", "first_name", "middle", "dob", "gender",
	"coverage_start", "coverage_end", "plan", "group_number", "coverage_level", "insurance_type"}

// rosterCSV downloads the members attributed to the user's partner (and
// NPIs): those a claim of theirs names. Operators choose the partner.
// PHI: audited before the first byte; streamed page by page.
func (p *Provider) rosterCSV(q *Request) error {
	ctx := q.R.Context()
	scope := q.Scope
	if scope.All {
		partner := q.R.URL.Query().Get("partner")
		if partner == "" {
			return badRequest("Choose the partner whose members to download.")
		}
		scope = store.Scope{PartnerID: partner}
	}
	const page = 1000
	ms, err := p.s.st.ListAttributedMembers(ctx, scope, 0, page)
	if err != nil {
		return err
	}
	if err := q.Audit("roster.download", "member", "", "", "", "partner="+scope.PartnerID); err != nil {
		return err
	}
	h := q.W.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="members-`+safeFileName(scope.PartnerID, "partner")+`.csv"`)
	q.W.WriteHeader(http.StatusOK)
	w := csv.NewWriter(q.W)
	if err := w.Write(rosterColumns); err != nil {
		return nil // the client went away
	}
	for len(ms) > 0 {
		for _, m := range ms {
			if err := w.Write([]string{m.MemberID, m.FamilyID, m.Relationship, m.LastName, m.FirstName, m.Middle, m.DOB, m.Gender,
				m.CoverageStart, m.CoverageEnd, m.Plan, m.GroupNumber, m.CoverageLevel, m.InsuranceType}); err != nil {
				return nil
			}
		}
		if len(ms) < page {
			break
		}
		if ms, err = p.s.st.ListAttributedMembers(ctx, scope, ms[len(ms)-1].ID, page); err != nil {
			// Headers are sent: the download ends short and the log says why.
			p.s.log.ErrorContext(ctx, "portal: roster download cut short", "error", err.Error())
			break
		}
	}
	w.Flush()
	return nil
}
