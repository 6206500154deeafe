package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/transport"
	"github.com/clearinghouse/clearinghouse/web/auth"
)

var (
	operators    = []store.Role{store.RoleAdmin, store.RoleOperator}
	userManagers = []store.Role{store.RoleAdmin, store.RoleProviderAdmin}
)

func (s *Server) routes() {
	s.mux.Handle("GET /static/", http.FileServerFS(staticFS))
	s.mux.HandleFunc("GET /login", s.getLogin)
	s.mux.HandleFunc("POST /login", s.postLogin)
	s.handle("GET /login/totp", s.getTOTP)
	s.handle("POST /login/totp", s.postTOTP)
	s.handle("POST /logout", s.postLogout)
	s.handle("GET /{$}", func(q *Request) error {
		http.Redirect(q.W, q.R, "/files", http.StatusSeeOther)
		return nil
	})
	s.handle("GET /files", s.files)
	s.handle("GET /files/{id}", s.file)
	s.mux.HandleFunc("POST /files/upload", s.upload)
	s.handle("POST /files/{id}/reprocess", s.reprocess, operators...)
	s.handle("GET /claims", s.claims)
	s.handle("GET /claims/{control}", s.claim)
	s.handle("GET /queue", s.queue, operators...)
	s.handle("POST /queue/{control}/{decision}", s.decide, operators...)
	s.handle("GET /deliveries", s.deliveries, operators...)
	s.handle("POST /deliveries/{id}/retry", s.retryDelivery, operators...)
	s.handle("GET /schedules", s.schedules, operators...)
	s.handle("GET /audit", s.audit, operators...)
	s.handle("GET /users", s.users, userManagers...)
	s.handle("POST /users", s.createUser, store.RoleAdmin)
	s.handle("POST /users/{id}/{action}", s.userAction, userManagers...)
	s.handle("GET /account", s.account)
	s.handle("POST /account/password", s.changePassword)
}

// pathID reads a numeric path value; anything else is not found.
func pathID(q *Request, name string) (int64, error) {
	id, err := strconv.ParseInt(q.R.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// flash messages, selected by the "done" query parameter of a redirect.
var flashes = map[string]string{
	"uploaded":      "File received. It is processed on the next cycle; this page shows its status.",
	"processed":     "File received and processed.",
	"held":          "CSV file received. It is processed at the nightly run (the file-status report of the day comes with it); this page shows its status.",
	"duplicate":     "This exact file was received before; it was not processed again.",
	"reprocessed":   "File processed again from its stored copy.",
	"released":      "Claim released: it will be forwarded.",
	"marked":        "Claim marked as a duplicate: it will not be forwarded.",
	"retrying":      "Delivery queued again; the next deliver run sends it.",
	"created":       "User created.",
	"renewed":       "Access renewed for 180 days.",
	"unlocked":      "User unlocked.",
	"disabled":      "User disabled.",
	"password":      "Password reset; the user's sessions were ended.",
	"password-self": "Your password was changed; your other sessions were ended.",
	"matched":       "Claim payment matched to the claim; the claim's payment was refreshed.",
}

type filesPage struct {
	Files    []store.InboundFile
	Partners []store.Partner
	Partner  string
	State    string
	Next     int64
	CanAll   bool
}

func (s *Server) files(q *Request) error {
	ctx := q.R.Context()
	v := q.R.URL.Query()
	before, _ := strconv.ParseInt(v.Get("before"), 10, 64)
	const pageSize = 50
	p := filesPage{Partner: v.Get("partner"), State: v.Get("state"), CanAll: q.Scope.All}
	fs, err := s.st.ListInboundScoped(ctx, q.Scope, store.ListOpts{
		PartnerID: p.Partner, State: store.InboundState(p.State), BeforeID: before, Limit: pageSize + 1,
	})
	if err != nil {
		return err
	}
	if len(fs) > pageSize {
		fs = fs[:pageSize]
		p.Next = fs[len(fs)-1].ID
	}
	p.Files = fs
	if q.Scope.All {
		if p.Partners, err = s.st.ListPartners(ctx); err != nil {
			return err
		}
	}
	return q.Render("files", p)
}

type filePage struct {
	File     *store.InboundFile
	Rate     string
	Rejected []claimRow
	Acks     AckSummary
	AckError string
	Outputs  []store.OutboundFile
	Operator bool
	// CSV is the submission of a CSV file (nil for X12), CSVErrors its
	// rejected rows' errors (the first maxCSVErrorRows rows), CSVMore
	// whether there are more.
	CSV       *store.CSVSubmission
	CSVErrors []store.CSVRowError
	CSVMore   bool
}

// maxCSVErrorRows is how many rejected rows of a CSV file the file page
// lists.
const maxCSVErrorRows = 500

type claimRow struct {
	store.Claim
	Reasons []Reason
}

// file shows one file: status, acceptance rate, its acknowledgments'
// errors and its rejected claims with the reasons in plain English.
func (s *Server) file(q *Request) error {
	ctx := q.R.Context()
	id, err := pathID(q, "id")
	if err != nil {
		return err
	}
	f, err := s.st.GetInboundScoped(ctx, q.Scope, id)
	if err != nil {
		return err
	}
	p := filePage{File: f, Operator: q.Scope.All}
	switch sub, err := s.st.CSVSubmissionOfFile(ctx, id); {
	case err == nil:
		p.CSV = sub
		if p.CSVErrors, err = s.st.CSVRowErrors(ctx, sub.ID, 0, maxCSVErrorRows); err != nil {
			return err
		}
		if n := len(p.CSVErrors); n > 0 {
			more, err := s.st.CSVRowErrors(ctx, sub.ID, p.CSVErrors[n-1].Row, 1)
			if err != nil {
				return err
			}
			p.CSVMore = len(more) > 0
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if total := f.ClaimsAccepted + f.ClaimsRejected; total > 0 {
		p.Rate = fmt.Sprintf("%.1f %%", 100*float64(f.ClaimsAccepted)/float64(total))
	}
	outs, err := s.st.ListOutbound(ctx, store.OutboundFilter{InboundFileID: id, Limit: 1000})
	if err != nil {
		return err
	}
	// Outputs of the file's own partner (acknowledgments); forwarded
	// 837s of the claims go to TPAs and are the operators' business.
	for _, o := range outs {
		if q.Scope.All || o.PartnerID == f.PartnerID {
			p.Outputs = append(p.Outputs, o)
		}
	}
	if s.cfg.Spool != nil {
		for _, o := range p.Outputs {
			if o.Kind != "999" && o.Kind != "TA1" {
				continue
			}
			if err := s.readAckFile(o.SpoolPath, &p.Acks); err != nil {
				p.AckError = "The acknowledgment files could not be read."
				s.log.WarnContext(ctx, "portal: read acknowledgment", slog.Int64("outbound_id", o.ID), slog.String("error", err.Error()))
			}
		}
	}
	if s.cfg.Spool != nil && len(p.Acks.Sets) > 0 && f.Size <= maxRevalidate {
		// The 999 says where and which code; validating the stored copy
		// again says what exactly (e.g. "CLM02 108.41 does not equal the
		// sum of the line charges 107.41").
		if rep, err := s.revalidate(ctx, f); err != nil {
			s.log.WarnContext(ctx, "portal: validate stored file", slog.Int64("inbound_id", f.ID), slog.String("error", err.Error()))
		} else {
			addDetails(&p.Acks, rep)
		}
	}
	for _, st := range []store.ClaimState{store.ClaimRejected, store.ClaimDuplicate} {
		cs, err := s.st.SearchClaims(ctx, q.Scope, store.ClaimSearch{InboundFileID: id, State: st, Limit: 200})
		if err != nil {
			return err
		}
		for _, c := range cs {
			p.Rejected = append(p.Rejected, claimRow{Claim: c, Reasons: ExplainReasons(c.Reasons)})
		}
	}
	// The page lists claims of the file (control numbers, reasons): audited.
	if err := q.Audit("file.view", "inbound_file", strconv.FormatInt(id, 10), "", "", fmt.Sprintf("rejected_claims=%d", len(p.Rejected))); err != nil {
		return err
	}
	return q.Render("file", p)
}

// maxRevalidate is the largest file the file page validates again for
// the errors' messages.
const maxRevalidate = 8 << 20

func (s *Server) revalidate(ctx context.Context, f *store.InboundFile) (validate.FileReport, error) {
	rd, err := s.cfg.Spool.Open(f.SpoolPath)
	if err != nil {
		return validate.FileReport{}, err
	}
	defer rd.Close()
	res, err := validate.Run(ctx, rd, validate.Options{})
	if err != nil {
		return validate.FileReport{}, err
	}
	return validate.Report(f.Name, res), nil
}

func (s *Server) readAckFile(spoolPath string, sum *AckSummary) error {
	f, err := s.cfg.Spool.Open(spoolPath)
	if err != nil {
		return err
	}
	defer f.Close()
	return readAcks(f, sum, 500)
}

// upload takes an 837 from the browser into the partner's intake like a
// polled file: spooled, recorded once per content (SHA-256), processed.
// The multipart body is streamed: the csrf field must come before the
// file, and the file goes straight to the spool.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	q, ok := s.session(w, r)
	if !ok {
		return
	}
	if err := s.doUpload(q); err != nil {
		s.fail(q, err)
	}
}

func (s *Server) doUpload(q *Request) error {
	ctx := q.R.Context()
	if s.cfg.Spool == nil {
		return &httpError{code: http.StatusServiceUnavailable, msg: "Uploads are not available on this server."}
	}
	mr, err := q.R.MultipartReader()
	if err != nil {
		return badRequest("Send the file with the upload form.")
	}
	partner := q.User.PartnerID
	csrfOK := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return badRequest("Choose a file to upload.")
		}
		if err != nil {
			return badRequest("The upload was cut short.")
		}
		switch part.FormName() {
		case "csrf":
			v, _ := io.ReadAll(io.LimitReader(part, 256))
			csrfOK = auth.TokensEqual(string(v), q.sess.CSRFToken)
		case "partner":
			v, _ := io.ReadAll(io.LimitReader(part, 64))
			if q.Scope.All {
				partner = strings.TrimSpace(string(v))
			}
		case "file":
			if !csrfOK {
				return &httpError{code: http.StatusForbidden, msg: "The form expired or did not come from this site. Reload the page and try again."}
			}
			return s.takeUpload(q, partner, part)
		}
		part.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func (s *Server) takeUpload(q *Request, partner string, part *multipart.Part) error {
	ctx := q.R.Context()
	if partner == "" {
		return badRequest("Choose the partner the file is from.")
	}
	if q.Scope.All {
		if _, err := s.st.GetPartner(ctx, partner); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return badRequest("Unknown partner.")
			}
			return err
		}
	}
	name, err := transport.CleanName(path.Base(strings.ReplaceAll(part.FileName(), "\\", "/")))
	if err != nil || name == "" || name == "." {
		return badRequest("The file name is not usable: use letters, digits, dots, dashes and underscores.")
	}
	var src io.Reader = part
	var head *spool.HeadReader
	if s.cfg.Hold != nil {
		head = spool.NewHeadReader(part, 4096)
		src = head
	}
	sf, err := s.cfg.Spool.Put(ctx, "inbound", src)
	if err != nil {
		return err
	}
	if sf.Size == 0 {
		return badRequest("The file is empty.")
	}
	in := store.InboundFile{
		PartnerID: partner, Name: name, RemotePath: "portal:" + q.User.Username,
		SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path,
	}
	if head != nil && s.cfg.Hold(name, head.Bytes()) {
		in.State = store.InboundHeld
	}
	var rec *store.InboundFile
	var created bool
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		rec, created, err = tx.RecordInbound(ctx, in)
		if err != nil {
			return err
		}
		return q.auditTx(tx, "file.upload", "inbound_file", strconv.FormatInt(rec.ID, 10), "", "", fmt.Sprintf("created=%v size=%d", created, sf.Size))
	})
	if err != nil {
		return err
	}
	done := "uploaded"
	switch {
	case !created:
		done = "duplicate"
	case rec.State == store.InboundHeld:
		done = "held"
	case s.cfg.Process != nil:
		if err := s.cfg.Process(ctx, rec.ID); err != nil {
			// The engine keeps the file (retrying or quarantined); the
			// page shows its state.
			s.log.WarnContext(ctx, "portal: processing an upload failed", slog.Int64("inbound_id", rec.ID), slog.String("error", err.Error()))
		} else {
			done = "processed"
		}
	}
	http.Redirect(q.W, q.R, fmt.Sprintf("/files/%d?done=%s", rec.ID, done), http.StatusSeeOther)
	return nil
}

// reprocess does what `clearinghouse reprocess` does: reset the file and
// process it again from its spooled bytes.
func (s *Server) reprocess(q *Request) error {
	ctx := q.R.Context()
	id, err := pathID(q, "id")
	if err != nil {
		return err
	}
	if _, err := s.st.GetInbound(ctx, id); err != nil {
		return err
	}
	if err := s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ResetInbound(ctx, id); err != nil {
			return err
		}
		return q.auditTx(tx, "inbound.reprocess", "inbound_file", strconv.FormatInt(id, 10), "", "", "")
	}); err != nil {
		if errors.Is(err, store.ErrLeased) {
			return &httpError{code: http.StatusConflict, msg: "The file is being processed right now; try again when it is done."}
		}
		return err
	}
	done := "uploaded"
	if s.cfg.Process != nil {
		if err := s.cfg.Process(ctx, id); err != nil {
			s.log.WarnContext(ctx, "portal: reprocess failed", slog.Int64("inbound_id", id), slog.String("error", err.Error()))
		} else {
			done = "reprocessed"
		}
	}
	http.Redirect(q.W, q.R, fmt.Sprintf("/files/%d?done=%s", id, done), http.StatusSeeOther)
	return nil
}

type claimsPage struct {
	Form     url.Values
	Claims   []store.Claim
	Next     string
	States   []store.ClaimState
	Searched bool
}

var claimStates = []store.ClaimState{store.ClaimAccepted, store.ClaimRejected, store.ClaimSuspect, store.ClaimDuplicate,
	store.ClaimForwarded, store.ClaimReplaced, store.ClaimVoided}

// dateParam turns a form date (YYYY-MM-DD) into CCYYMMDD.
func dateParam(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	d := strings.ReplaceAll(v, "-", "")
	if len(d) != 8 || strings.Trim(d, "0123456789") != "" {
		return "", badRequest("Dates are YYYY-MM-DD.")
	}
	return d, nil
}

// claims is the claim search: by control number, CLM01, state, dates of
// service; newest first, 50 a page by keyset.
func (s *Server) claims(q *Request) error {
	ctx := q.R.Context()
	v := q.R.URL.Query()
	from, err := dateParam(v.Get("from"))
	if err != nil {
		return err
	}
	to, err := dateParam(v.Get("to"))
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(v.Get("before"), 10, 64)
	fileID, _ := strconv.ParseInt(v.Get("file"), 10, 64)
	const pageSize = 50
	f := store.ClaimSearch{InboundFileID: fileID,
		ControlNumber: strings.TrimSpace(v.Get("control")), CLM01: strings.TrimSpace(v.Get("clm01")),
		State: store.ClaimState(v.Get("state")), PartnerID: v.Get("partner"),
		ServiceFrom: from, ServiceTo: to, BeforeID: before, Limit: pageSize + 1,
	}
	cs, err := s.st.SearchClaims(ctx, q.Scope, f)
	if err != nil {
		return err
	}
	p := claimsPage{Form: v, States: claimStates, Searched: len(v) > 0}
	if len(cs) > pageSize {
		cs = cs[:pageSize]
		nv := url.Values{}
		for k, vs := range v {
			nv[k] = vs
		}
		nv.Set("before", strconv.FormatInt(cs[len(cs)-1].ID, 10))
		p.Next = "/claims?" + nv.Encode()
	}
	p.Claims = cs
	if err := q.Audit("claims.search", "claim", "", "", "", fmt.Sprintf("results=%d", len(cs))); err != nil {
		return err
	}
	return q.Render("claims", p)
}

type claimPage struct {
	Claim    *store.Claim
	Reasons  []Reason
	Notes    []string
	Chain    []store.ClaimLink
	Operator bool
}

// claim shows one claim with its patient (PHI: audited with the member
// and the claim before anything is written).
func (s *Server) claim(q *Request) error {
	ctx := q.R.Context()
	c, err := s.st.GetClaimScoped(ctx, q.Scope, q.R.PathValue("control"))
	if err != nil {
		return err
	}
	p := claimPage{Claim: c, Reasons: ExplainReasons(c.Reasons), Operator: q.Scope.All}
	for _, n := range c.NoteList() {
		if t := ExplainNote(n); t != "" {
			p.Notes = append(p.Notes, t)
		} else {
			p.Notes = append(p.Notes, n)
		}
	}
	chain, err := s.st.CorrectionChain(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, l := range chain {
		// Only links the user may see (a chain stays within one partner
		// and member, but the NPI scope may differ).
		if _, err := s.st.GetClaimScoped(ctx, q.Scope, l.ControlNumber); err == nil {
			p.Chain = append(p.Chain, l)
		}
	}
	if err := q.Audit("claim.view", "claim", strconv.FormatInt(c.ID, 10), c.MemberID, c.ControlNumber, ""); err != nil {
		return err
	}
	return q.Render("claim", p)
}

type queuePage struct {
	Claims []store.Claim
	Next   int64
}

// queue lists the suspected duplicates, oldest first.
func (s *Server) queue(q *Request) error {
	after, _ := strconv.ParseInt(q.R.URL.Query().Get("after"), 10, 64)
	const pageSize = 50
	cs, err := s.st.ListClaims(q.R.Context(), store.ClaimFilter{Suspect: true, AfterID: after, Limit: pageSize + 1})
	if err != nil {
		return err
	}
	p := queuePage{}
	if len(cs) > pageSize {
		cs = cs[:pageSize]
		p.Next = cs[len(cs)-1].ID
	}
	p.Claims = cs
	if err := q.Audit("queue.view", "claim", "", "", "", fmt.Sprintf("results=%d", len(cs))); err != nil {
		return err
	}
	return q.Render("queue", p)
}

// decide works the duplicate queue: "duplicate" denies the claim,
// "release" accepts it for forwarding; both audited in the same
// transaction as the change.
func (s *Server) decide(q *Request) error {
	ctx := q.R.Context()
	var to store.ClaimState
	var note, action, done string
	switch q.R.PathValue("decision") {
	case "duplicate":
		to, note, action, done = store.ClaimDuplicate, "marked-duplicate-operator", "claim.mark_duplicate", "marked"
	case "release":
		to, note, action, done = store.ClaimAccepted, "released-by-operator", "claim.release", "released"
	default:
		return errNotFound
	}
	c, err := s.st.GetClaimByControl(ctx, q.R.PathValue("control"))
	if err != nil {
		return err
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.TransitionClaim(ctx, c.ID, to, store.ClaimSuspect); err != nil {
			return err
		}
		if err := tx.AppendClaimNote(ctx, c.ID, note); err != nil {
			return err
		}
		return q.auditTx(tx, action, "claim", strconv.FormatInt(c.ID, 10), c.MemberID, c.ControlNumber, "")
	})
	if errors.Is(err, store.ErrConflict) {
		return &httpError{code: http.StatusConflict, msg: "The claim is no longer in the review queue."}
	}
	if err != nil {
		return err
	}
	http.Redirect(q.W, q.R, "/queue?done="+done, http.StatusSeeOther)
	return nil
}

type deliveriesPage struct {
	Failed []store.OutboundFile
}

func (s *Server) deliveries(q *Request) error {
	fs, err := s.st.ListOutbound(q.R.Context(), store.OutboundFilter{State: store.OutboundFailed, Limit: 500})
	if err != nil {
		return err
	}
	return q.Render("deliveries", deliveriesPage{Failed: fs})
}

func (s *Server) retryDelivery(q *Request) error {
	ctx := q.R.Context()
	id, err := pathID(q, "id")
	if err != nil {
		return err
	}
	if _, err := s.st.GetOutbound(ctx, id); err != nil {
		return err
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ResetOutbound(ctx, id); err != nil {
			return err
		}
		return q.auditTx(tx, "outbound.retry", "outbound_file", strconv.FormatInt(id, 10), "", "", "")
	})
	if errors.Is(err, store.ErrLeased) {
		return &httpError{code: http.StatusConflict, msg: "The file is being delivered right now."}
	}
	if err != nil {
		return err
	}
	http.Redirect(q.W, q.R, "/deliveries?done=retrying", http.StatusSeeOther)
	return nil
}

type schedulesPage struct {
	Jobs      []Job
	Schedules []store.ScheduleInfo
	Contracts []store.ContractSet
	Imports   []store.RosterImport
}

func (s *Server) schedules(q *Request) error {
	ctx := q.R.Context()
	p := schedulesPage{Jobs: s.cfg.Jobs}
	var err error
	if p.Schedules, err = s.st.ListSchedules(ctx); err != nil {
		return err
	}
	if p.Contracts, err = s.st.ListContractSets(ctx); err != nil {
		return err
	}
	if p.Imports, err = s.st.ListRosterImports(ctx, 50); err != nil {
		return err
	}
	return q.Render("schedules", p)
}

type auditPage struct {
	Member, User string
	Entries      []store.AuditEntry
	Next         string
}

// audit is the audit log, filtered by member (who saw member X) or by
// user (what did user Y see). Filtering by member shows PHI (the member
// ID): that search is audited too.
func (s *Server) audit(q *Request) error {
	v := q.R.URL.Query()
	before, _ := strconv.ParseInt(v.Get("before"), 10, 64)
	p := auditPage{Member: strings.TrimSpace(v.Get("member")), User: strings.TrimSpace(v.Get("user"))}
	const pageSize = 100
	es, err := s.st.ListAudit(q.R.Context(), store.AuditFilter{MemberID: p.Member, UserName: p.User, BeforeID: before, Limit: pageSize + 1})
	if err != nil {
		return err
	}
	if len(es) > pageSize {
		es = es[:pageSize]
		nv := url.Values{"member": {p.Member}, "user": {p.User}, "before": {strconv.FormatInt(es[len(es)-1].ID, 10)}}
		p.Next = "/audit?" + nv.Encode()
	}
	p.Entries = es
	if err := q.Audit("audit.view", "audit_log", "", p.Member, "", "user="+p.User); err != nil {
		return err
	}
	return q.Render("audit", p)
}

type usersPage struct {
	Users    []userRow
	Partners []store.Partner
	Roles    []store.Role
	Admin    bool
	Secret   string
	URI      string
}

func (s *Server) users(q *Request) error {
	ctx := q.R.Context()
	f := store.UserFilter{}
	if q.User.Role != store.RoleAdmin {
		f.PartnerID = q.User.PartnerID
	}
	us, err := s.st.ListUsers(ctx, f)
	if err != nil {
		return err
	}
	p := usersPage{Admin: q.User.Role == store.RoleAdmin, Roles: store.Roles()}
	now := s.cfg.Now()
	for _, u := range us {
		p.Users = append(p.Users, userRow{User: u, Status: UserStatus(&u, now), Until: u.RenewedAt.Add(auth.AccessValidity)})
	}
	if p.Admin {
		if p.Partners, err = s.st.ListPartners(ctx); err != nil {
			return err
		}
	}
	return q.Render("users", p)
}

// userRow is a user with its account status.
type userRow struct {
	store.User
	Status string
	Until  time.Time
}

// UserStatus says where an account stands at now: active, locked,
// disabled, disabled (inactive) or expired.
func UserStatus(u *store.User, now time.Time) string {
	switch {
	case u.LockedAt != nil:
		return "locked"
	case u.DisabledAt != nil && u.DisabledReason == store.DisabledInactive:
		return "disabled (inactive)"
	case u.DisabledAt != nil:
		return "disabled"
	case u.Expired(now, auth.AccessValidity):
		return "expired"
	}
	return "active"
}

func splitList(v string) []string {
	var out []string
	for f := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		out = append(out, f)
	}
	return out
}

// createUser is an admin creating an account with a first password.
func (s *Server) createUser(q *Request) error {
	ctx := q.R.Context()
	r := q.R
	hash, err := auth.HashPassword(r.PostFormValue("password"))
	if err != nil {
		return badRequest("The password must be 12 to 72 characters.")
	}
	role := store.Role(r.PostFormValue("role"))
	partner := ""
	if role.Provider() {
		partner = r.PostFormValue("partner")
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.CreateUser(ctx, store.User{
			Username: strings.ToLower(strings.TrimSpace(r.PostFormValue("username"))), Role: role, PartnerID: partner,
			PasswordHash: hash, NPIs: splitList(r.PostFormValue("npis")), TINs: splitList(r.PostFormValue("tins")),
		})
		if err != nil {
			return err
		}
		return q.auditTx(tx, "user.create", "user", strconv.FormatInt(u.ID, 10), "", "", "role="+string(u.Role)+" partner="+u.PartnerID)
	})
	if errors.Is(err, store.ErrConflict) {
		return badRequest("That username is taken.")
	}
	if err != nil {
		return err
	}
	http.Redirect(q.W, q.R, "/users?done=created", http.StatusSeeOther)
	return nil
}

// userAction renews, unlocks, disables or resets the password of a user.
// A provider-admin may act on the users of their own partner only (others
// are not found), and may not reset passwords.
func (s *Server) userAction(q *Request) error {
	ctx := q.R.Context()
	id, err := pathID(q, "id")
	if err != nil {
		return err
	}
	u, err := s.st.GetUser(ctx, id)
	if err != nil {
		return err
	}
	admin := q.User.Role == store.RoleAdmin
	if !admin && (u.PartnerID != q.User.PartnerID || !u.Role.Provider()) {
		return errNotFound
	}
	action := q.R.PathValue("action")
	var change func(tx *store.Tx) error
	var done string
	switch action {
	case "renew":
		change, done = func(tx *store.Tx) error { return tx.RenewUser(ctx, id, q.User.Username) }, "renewed"
	case "unlock":
		change, done = func(tx *store.Tx) error { return tx.UnlockUser(ctx, id) }, "unlocked"
	case "disable":
		if id == q.User.ID {
			return badRequest("You cannot disable your own account.")
		}
		change, done = func(tx *store.Tx) error { return tx.DisableUser(ctx, id, "disabled by "+q.User.Username) }, "disabled"
	case "password":
		if !admin {
			return errNotFound
		}
		hash, herr := auth.HashPassword(q.R.PostFormValue("password"))
		if herr != nil {
			return badRequest("The password must be 12 to 72 characters.")
		}
		change, done = func(tx *store.Tx) error { return tx.SetUserPassword(ctx, id, hash) }, "password"
	default:
		return errNotFound
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		return q.auditTx(tx, "user."+action, "user", strconv.FormatInt(id, 10), "", "", "")
	})
	if err != nil {
		return err
	}
	http.Redirect(q.W, q.R, "/users?done="+done, http.StatusSeeOther)
	return nil
}

type accountPage struct {
	Status string
	Until  time.Time
	TOTP   bool
	Error  string
}

// account shows the signed-in user's own account.
func (s *Server) account(q *Request) error {
	return q.Render("account", s.accountPage(q, ""))
}

func (s *Server) accountPage(q *Request, msg string) accountPage {
	return accountPage{Status: UserStatus(q.User, s.cfg.Now()), Until: q.User.RenewedAt.Add(auth.AccessValidity),
		TOTP: q.User.TOTPSecret != "", Error: msg}
}

// changePassword lets users change their own password: the current one
// is required (a wrong one counts as a failed sign-in), the other
// sessions of the user end, this one goes on under a new token.
func (s *Server) changePassword(q *Request) error {
	ctx := q.R.Context()
	r := q.R
	if !auth.VerifyPassword(q.User.PasswordHash, r.PostFormValue("current")) {
		locked, err := s.st.RecordLoginFailure(ctx, &q.User.ID, q.User.Username, q.ClientIP, "bad password (change)", auth.MaxFailedLogins)
		if err != nil {
			return err
		}
		if locked {
			s.clearSession(q.W)
			http.Redirect(q.W, q.R, "/login", http.StatusSeeOther)
			return nil
		}
		return s.render(q, http.StatusUnauthorized, "account", s.accountPage(q, "The current password is wrong."))
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("confirm") {
		return s.render(q, http.StatusBadRequest, "account", s.accountPage(q, "The new passwords differ."))
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return s.render(q, http.StatusBadRequest, "account", s.accountPage(q, "The new password must be 12 to 72 characters."))
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserPassword(ctx, q.User.ID, hash); err != nil {
			return err
		}
		return q.auditTx(tx, "user.password_self", "user", strconv.FormatInt(q.User.ID, 10), "", "", "")
	})
	if err != nil {
		return err
	}
	// SetUserPassword ended every session, this one too: start a new one.
	if err := s.startSession(q.W, q.R, q.User, false); err != nil {
		return err
	}
	http.Redirect(q.W, q.R, "/account?done=password-self", http.StatusSeeOther)
	return nil
}
