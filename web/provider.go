package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/nightly"
	"github.com/clearinghouse/clearinghouse/pipeline/remittance"
)

//go:embed pages/*.html
var providerFS embed.FS

// Provider is the Module of the provider pages: eligibility checks
// (270/271), claim status (276/277), remittances with their explanations
// of payment and 835 files, nightly file-status reports, the member
// roster download and, for operators, the claim payments no claim
// matched. A Provider serves the one Server it is registered with.
type Provider struct {
	// Eligibility answers eligibility checks; nil leaves the page out.
	Eligibility *inquiry.Eligibility
	// Status answers claim status inquiries. Default
	// inquiry.NewClaimStatus(inquiry.StorePayments{}).
	Status *inquiry.ClaimStatusResponder
	// Nightly are the nightly reports' options (report day window).
	Nightly nightly.Options
	s       *Server
}

var everyone = []store.Role{store.RoleAdmin, store.RoleOperator, store.RoleProviderAdmin, store.RoleProviderUser}

var providerPages = map[string]string{
	"eligibility": "Eligibility", "status": "Claim status", "remits": "Remittances", "remit": "Remittance",
	"unmatched": "Unmatched claim payments", "reports": "Nightly reports", "report": "Nightly report",
	"roster": "Member roster",
}

// Register adds the provider pages.
func (p *Provider) Register(r *Router) error {
	p.s = r.s
	if p.Status == nil {
		p.Status = inquiry.NewClaimStatus(inquiry.StorePayments{})
	}
	for name, title := range providerPages {
		if err := r.AddTemplate(name, title, providerFS, "pages/"+name+".html"); err != nil {
			return err
		}
	}
	if p.Eligibility != nil {
		r.Handle("GET /eligibility", p.eligibility, everyone...)
		r.Handle("POST /eligibility", p.eligibility, everyone...)
	}
	r.Handle("GET /status", p.status, everyone...)
	r.Handle("POST /status", p.status, everyone...)
	r.Handle("GET /remits", p.remits, everyone...)
	r.Handle("GET /remits/{id}", p.remit, everyone...)
	r.Handle("GET /remits/{id}/835", p.remit835, everyone...)
	r.Handle("GET /eop/{control}", p.eop, everyone...)
	r.Handle("GET /reports", p.reports, everyone...)
	r.Handle("GET /reports/{day}", p.report, everyone...)
	r.Handle("GET /reports/{day}/csv/{partner}", p.reportCSV, everyone...)
	r.Handle("GET /roster", p.roster, everyone...)
	r.Handle("GET /roster/members.csv", p.rosterCSV, everyone...)
	r.Handle("GET /unmatched", p.unmatched, operators...)
	r.Handle("POST /unmatched/{id}/match", p.match, operators...)
	return nil
}

// NavItems are the menu links of the provider pages.
func (p *Provider) NavItems() []NavItem {
	var out []NavItem
	if p.Eligibility != nil {
		out = append(out, NavItem{Label: "Eligibility", Path: "/eligibility"})
	}
	return append(out, NavItem{Label: "Claim status", Path: "/status"}, NavItem{Label: "Remittances", Path: "/remits"},
		NavItem{Label: "Reports", Path: "/reports"}, NavItem{Label: "Roster", Path: "/roster"},
		NavItem{Label: "Unmatched payments", Path: "/unmatched", Roles: operators})
}

// aaaText explains the AAA03 reject reasons of a 271 (X279A1).
var aaaText = map[string]string{
	inquiry.AAAUnableToRespond:   "The clearinghouse could not answer right now. Try again later.",
	inquiry.AAAInvalidDOS:        "The date asked is not a valid date.",
	inquiry.AAAInvalidDOB:        "The date of birth is missing or not a valid date.",
	inquiry.AAADOBAfterDOS:       "The date of birth is after the date asked.",
	inquiry.AAADOSOutsidePeriod:  "The date asked is too far in the past (or beyond the end of this month).",
	inquiry.AAADOSInFuture:       "The date asked is in the future.",
	inquiry.AAAInvalidPatientNm:  "The patient's name is missing or not valid.",
	inquiry.AAADOBMismatch:       "The date of birth does not match the member's on the roster.",
	inquiry.AAAInvalidMemberID:   "The member ID is missing or not valid. Use the ID exactly as printed on the card.",
	inquiry.AAAInvalidName:       "The subscriber's name is missing, or does not match the member's on the roster.",
	inquiry.AAASubscriberUnknown: "No member with this ID is on the roster.",
	inquiry.AAADuplicateID:       "More than one member has this ID; the roster cannot tell which one.",
	inquiry.AAAPatientUnknown:    "The subscriber was found, but not this dependent.",
	inquiry.AAAInvalidPayer:      "The payer asked is not one the clearinghouse answers for.",
}

// coverageText names the EB02 coverage levels.
var coverageText = map[string]string{
	"IND": "individual", "FAM": "family", "ECH": "employee and children", "EMP": "employee only",
	"ESP": "employee and spouse", "CHD": "children only", "DEP": "dependents only", "SPC": "spouse and children", "SPO": "spouse only",
}

type eligibilityPage struct {
	Asked    bool
	Member   string
	Last     string
	First    string
	DOB      string
	Date     string
	Answer   *inquiry.EligibilityAnswer
	Patient  *inquiry.Member
	Active   bool
	Reject   string
	Coverage []string
}

// eligibility is the eligibility check: a member ID, name, date of birth
// and date asked, answered from the roster as a 271 would be.
func (p *Provider) eligibility(q *Request) error {
	pg := eligibilityPage{}
	if q.R.Method != http.MethodPost {
		return q.Render("eligibility", pg)
	}
	f := q.R.PostForm
	pg.Asked = true
	pg.Member, pg.Last = strings.TrimSpace(f.Get("member")), strings.TrimSpace(f.Get("last"))
	pg.First = strings.TrimSpace(f.Get("first"))
	dob, err := dateParam(strings.TrimSpace(f.Get("dob")))
	if err != nil {
		return err
	}
	date, err := dateParam(strings.TrimSpace(f.Get("date")))
	if err != nil {
		return err
	}
	pg.DOB, pg.Date = f.Get("dob"), f.Get("date")
	if pg.Member == "" || pg.Last == "" {
		return badRequest("Enter the member ID and the subscriber's last name.")
	}
	ans, err := p.Eligibility.Answer(q.R.Context(), p.s.st, inquiry.EligibilityInquiry{
		Subscriber: inquiry.Person{MemberID: pg.Member, Last: strings.ToUpper(pg.Last), First: strings.ToUpper(pg.First), DOB: dob},
		Date:       date,
	})
	if err != nil {
		return err
	}
	pg.Answer, pg.Patient, pg.Active = &ans, &ans.Subscriber, ans.Active()
	if ans.Reject != nil {
		pg.Reject = aaaText[ans.Reject.Code]
		if pg.Reject == "" {
			pg.Reject = "The inquiry was rejected."
		}
	}
	for _, b := range ans.Benefits {
		if t := coverageText[b.CoverageLevel]; t != "" {
			pg.Coverage = append(pg.Coverage, t)
		}
	}
	result := "inactive"
	switch {
	case ans.Reject != nil:
		result = "rejected:" + ans.Reject.Code
	case pg.Active:
		result = "active"
	}
	if err := q.Audit("eligibility.check", "member", "", pg.Member, "", "result="+result); err != nil {
		return err
	}
	return q.Render("eligibility", pg)
}

// scopedClaims is the claim lookup of a claim status inquiry made in the
// portal: the store's, with the user's partner and NPI/TIN scope in the
// query (store.ClaimStatusKeys.Scope).
// The payments (inquiry.StorePayments) are read from the embedded store,
// for the claims found this way only.
type scopedClaims struct {
	*store.Store
	scope store.Scope
}

func (l scopedClaims) FindClaimsForStatus(ctx context.Context, k store.ClaimStatusKeys) ([]store.Claim, error) {
	k.Scope = &l.scope
	return l.Store.FindClaimsForStatus(ctx, k)
}

func (l scopedClaims) GetClaim(ctx context.Context, id int64) (*store.Claim, error) {
	c, err := l.Store.GetClaim(ctx, id)
	if err != nil {
		return nil, err
	}
	if !l.scope.HasClaim(c) {
		return nil, fmt.Errorf("claim %d: %w", id, store.ErrNotFound)
	}
	return c, nil
}

type statusPage struct {
	Asked               bool
	Control, CLM01, NPI string
	Answer              *inquiry.StatusAnswer
	Rows                []statusRow
}

type statusRow struct {
	inquiry.ClaimStatus
	Reasons []Reason
}

// status is the claim status inquiry: by our claim control number, or by
// CLM01 and billing NPI; a provider asks only as its own partner.
func (p *Provider) status(q *Request) error {
	pg := statusPage{}
	if q.R.Method != http.MethodPost {
		return q.Render("status", pg)
	}
	f := q.R.PostForm
	pg.Asked = true
	pg.Control, pg.CLM01, pg.NPI = strings.TrimSpace(f.Get("control")), strings.TrimSpace(f.Get("clm01")), strings.TrimSpace(f.Get("npi"))
	switch {
	case pg.Control == "" && pg.CLM01 == "":
		return badRequest("Enter the claim control number, or the patient control number (CLM01) and billing NPI.")
	case pg.Control == "" && pg.NPI == "":
		return badRequest("A patient control number (CLM01) needs the billing provider's NPI.")
	}
	inq := inquiry.StatusInquiry{PartnerID: q.Scope.PartnerID, AllPartners: q.Scope.All, ClaimNumber: pg.Control, Trace: "portal"}
	if pg.Control == "" {
		inq.CLM01, inq.ProviderNPI = pg.CLM01, pg.NPI
	}
	ans, err := p.Status.Answer(q.R.Context(), scopedClaims{Store: p.s.st, scope: q.Scope}, inq)
	if err != nil {
		return err
	}
	pg.Answer = &ans
	var controls []string
	for _, c := range ans.Claims {
		row := statusRow{ClaimStatus: c}
		for _, s := range c.Statuses {
			row.Reasons = append(row.Reasons, ExplainReason(s.String()))
		}
		pg.Rows = append(pg.Rows, row)
		if c.ControlNumber != "" {
			controls = append(controls, c.ControlNumber)
		}
	}
	if err := q.Audit("status.check", "claim", "", "", strings.Join(controls, ","), fmt.Sprintf("found=%v", ans.Found)); err != nil {
		return err
	}
	return q.Render("status", pg)
}

type remitsPage struct {
	Remits []store.Remittance
	Next   int64
}

// remits lists the remittances the user may read, newest first.
func (p *Provider) remits(q *Request) error {
	before, _ := strconv.ParseInt(q.R.URL.Query().Get("before"), 10, 64)
	const pageSize = 50
	rs, err := p.s.st.ListRemittancesScoped(q.R.Context(), q.Scope, before, pageSize+1)
	if err != nil {
		return err
	}
	pg := remitsPage{Remits: rs}
	if len(rs) > pageSize {
		pg.Remits = rs[:pageSize]
		pg.Next = rs[pageSize-1].ID
	}
	return q.Render("remits", pg)
}

type remitPage struct {
	Remit *store.Remittance
	// Claims are the remittance's claim payments with our control number
	// of the claim each paid ("" unmatched, or not the user's claim).
	Claims []remitRow
}

type remitRow struct {
	store.RemitClaim
	Control string
}

// remit shows one remittance and its claim payments (patients: PHI,
// audited).
func (p *Provider) remit(q *Request) error {
	ctx := q.R.Context()
	id, err := pathID(q, "id")
	if err != nil {
		return err
	}
	r, err := p.s.st.GetRemittanceScoped(ctx, q.Scope, id)
	if err != nil {
		return err
	}
	pg := remitPage{Remit: r}
	for _, c := range r.Claims {
		row := remitRow{RemitClaim: c}
		if c.ClaimID != nil {
			cl, err := p.s.st.GetClaim(ctx, *c.ClaimID)
			if err != nil {
				return err
			}
			if q.Scope.HasClaim(cl) {
				row.Control = cl.ControlNumber
			}
		}
		pg.Claims = append(pg.Claims, row)
	}
	if err := q.Audit("remit.view", "remittance", strconv.FormatInt(id, 10), "", "", fmt.Sprintf("claims=%d", len(r.Claims))); err != nil {
		return err
	}
	return q.Render("remit", pg)
}

// remit835 downloads the 835 file a remittance was forwarded in (the
// outbound file queued to the user's partner).
func (p *Provider) remit835(q *Request) error {
	ctx := q.R.Context()
	id, err := pathID(q, "id")
	if err != nil {
		return err
	}
	r, err := p.s.st.GetRemittanceScoped(ctx, q.Scope, id)
	if err != nil {
		return err
	}
	if r.OutboundFileID == nil || p.s.cfg.Spool == nil {
		return errNotFound
	}
	o, err := p.s.st.GetOutboundScoped(ctx, q.Scope, *r.OutboundFileID)
	if err != nil {
		return err
	}
	if o.Kind != "835" {
		return errNotFound
	}
	rd, err := p.s.cfg.Spool.Open(o.SpoolPath)
	if err != nil {
		return err
	}
	defer rd.Close()
	if err := q.Audit("remit.download", "outbound_file", strconv.FormatInt(o.ID, 10), "", "", fmt.Sprintf("remittance=%d", id)); err != nil {
		return err
	}
	h := q.W.Header()
	h.Set("Content-Type", "application/edi-x12")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, safeFileName(o.Name, "835.x12")))
	// A client that goes away mid-download cannot be shown an error.
	_, _ = io.Copy(q.W, rd)
	return nil
}

// eop downloads the explanation of payment (PDF) of one claim: its
// payments in order.
func (p *Provider) eop(q *Request) error {
	ctx := q.R.Context()
	control := strings.TrimSuffix(q.R.PathValue("control"), ".pdf")
	c, err := p.s.st.GetClaimScoped(ctx, q.Scope, control)
	if err != nil {
		return err
	}
	cs, err := p.s.st.ListRemitClaims(ctx, store.RemitClaimFilter{ClaimID: c.ID, WithLines: true, Limit: -1})
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return errNotFound
	}
	heads := map[int64]*store.Remittance{}
	for _, rc := range cs {
		if heads[rc.RemittanceID] == nil {
			h, err := p.s.st.GetRemittanceHeader(ctx, rc.RemittanceID)
			if err != nil {
				return err
			}
			heads[rc.RemittanceID] = h
		}
	}
	e, err := remittance.NewEOP(heads, cs, map[int64]string{c.ID: c.ControlNumber}, p.s.cfg.Now())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := e.WritePDF(&buf); err != nil {
		return err
	}
	if err := q.Audit("eop.download", "claim", strconv.FormatInt(c.ID, 10), c.MemberID, c.ControlNumber, fmt.Sprintf("payments=%d", len(cs))); err != nil {
		return err
	}
	h := q.W.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="eop-%s.pdf"`, safeFileName(c.ControlNumber, "claim")))
	_, _ = q.W.Write(buf.Bytes())
	return nil
}

// safeFileName keeps a name usable in a Content-Disposition header.
func safeFileName(name, def string) string {
	ok := strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == ""
	if name == "" || !ok {
		return def
	}
	return name
}

type unmatchedPage struct {
	Claims []store.RemitClaim
	Next   int64
}

// unmatched lists the claim payments no claim matched (operators).
func (p *Provider) unmatched(q *Request) error {
	after, _ := strconv.ParseInt(q.R.URL.Query().Get("after"), 10, 64)
	const pageSize = 100
	cs, err := p.s.st.ListRemitClaims(q.R.Context(), store.RemitClaimFilter{Unmatched: true, AfterID: after, Limit: pageSize + 1})
	if err != nil {
		return err
	}
	pg := unmatchedPage{Claims: cs}
	if len(cs) > pageSize {
		pg.Claims = cs[:pageSize]
		pg.Next = cs[pageSize-1].ID
	}
	if err := q.Audit("remits.unmatched", "remit_claim", "", "", "", fmt.Sprintf("n=%d", len(pg.Claims))); err != nil {
		return err
	}
	return q.Render("unmatched", pg)
}

// match matches an unmatched claim payment to our claim by hand, as
// `clearinghouse remits match` does, audited in the same transaction.
func (p *Provider) match(q *Request) error {
	ctx := q.R.Context()
	id, err := pathID(q, "id")
	if err != nil {
		return err
	}
	control := strings.TrimSpace(q.R.PostFormValue("control"))
	c, err := p.s.st.GetClaimByControl(ctx, control)
	if errors.Is(err, store.ErrNotFound) {
		return badRequest("There is no claim %s.", control)
	}
	if err != nil {
		return err
	}
	err = p.s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.MatchRemitClaim(ctx, id, c.ID); err != nil {
			return err
		}
		return q.auditTx(tx, "remits.match", "claim", c.ControlNumber, c.MemberID, c.ControlNumber, fmt.Sprintf("remit_claim=%d", id))
	})
	if errors.Is(err, store.ErrConflict) {
		return &httpError{code: http.StatusConflict, msg: "This claim payment is matched already."}
	}
	if err != nil {
		return err
	}
	http.Redirect(q.W, q.R, "/unmatched?done=matched", http.StatusSeeOther)
	return nil
}
