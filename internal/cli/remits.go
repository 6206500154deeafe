package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/remittance"
)

// syncERA makes the store's configured ERA enrollments those of cfg.
func syncERA(a *app, cfg config.Config, st *store.Store) error {
	var es []store.ERAEnrollment
	for _, p := range cfg.Partners {
		for _, n := range p.ERA.NPIs {
			es = append(es, store.ERAEnrollment{Kind: store.ERAByNPI, Value: n, PartnerID: p.ID})
		}
		for _, t := range p.ERA.TINs {
			es = append(es, store.ERAEnrollment{Kind: store.ERAByTIN, Value: t, PartnerID: p.ID})
		}
	}
	return st.SyncConfigERA(a.ctx, es)
}

// eraEnrollmentJSON is one enrollment in `era list --json`.
type eraEnrollmentJSON struct {
	Partner string `json:"partner"`
	Kind    string `json:"kind"`
	Value   string `json:"value"`
	Source  string `json:"source"`
	Since   string `json:"since"`
}

func (a *app) eraCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "era",
		Short: "ERA enrollments: which partner receives the 835s of a payee (NPI or TIN)",
	}
	var npi, tin string
	var asJSON bool
	open := func() (*store.Store, error) {
		cfg, err := a.loadConfig()
		if err != nil {
			return nil, err
		}
		st, err := a.openStore(cfg)
		if err != nil {
			return nil, err
		}
		if err := syncERA(a, cfg, st); err != nil {
			st.Close()
			return nil, err
		}
		return st, nil
	}
	kindValue := func() (string, string, error) {
		switch {
		case (npi == "") == (tin == ""):
			return "", "", usageError("give exactly one of --npi and --tin")
		case npi != "":
			return store.ERAByNPI, npi, nil
		}
		return store.ERAByTIN, tin, nil
	}
	enroll := &cobra.Command{
		Use:   "enroll PARTNER --npi NPI | --tin TIN",
		Short: "Send the 835s of a payee (1000B NPI or TIN) to PARTNER, re-enveloped; held 835s of the payee can then be released",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, value, err := kindValue()
			if err != nil {
				return err
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if _, ok := cfg.Partner(args[0]); !ok {
				return usageError("partner %q is not configured", args[0])
			}
			st, err := open()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.EnrollERA(a.ctx, store.ERAEnrollment{Kind: kind, Value: value, PartnerID: args[0], Source: store.ERAFromCLI}); err != nil {
				if errors.Is(err, store.ErrInvalid) {
					return usageError("%v", err)
				}
				return err
			}
			_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "era.enroll", Entity: "partner", EntityID: args[0], Detail: kind + " " + value})
			fmt.Fprintf(a.stdout, "%s %s enrolled: its 835s go to %s\n", strings.ToUpper(kind), value, args[0])
			return nil
		},
	}
	enroll.Flags().StringVar(&npi, "npi", "", "payee NPI (10 digits)")
	enroll.Flags().StringVar(&tin, "tin", "", "payee federal tax ID (9 digits)")
	unenroll := &cobra.Command{
		Use:   "unenroll --npi NPI | --tin TIN",
		Short: "Remove an enrollment made with era enroll (configured ones are removed from the configuration)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kind, value, err := kindValue()
			if err != nil {
				return err
			}
			st, err := open()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.UnenrollERA(a.ctx, kind, value); errors.Is(err, store.ErrNotFound) {
				return &ExitError{Code: 1, Err: fmt.Errorf("%s %s is not enrolled", strings.ToUpper(kind), value)}
			} else if err != nil {
				return err
			}
			_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "era.unenroll", Entity: "era", EntityID: kind + " " + value})
			fmt.Fprintf(a.stdout, "%s %s unenrolled\n", strings.ToUpper(kind), value)
			return nil
		},
	}
	unenroll.Flags().StringVar(&npi, "npi", "", "payee NPI")
	unenroll.Flags().StringVar(&tin, "tin", "", "payee federal tax ID")
	list := &cobra.Command{
		Use:   "list [--json]",
		Short: "List ERA enrollments (configured and enrolled from the command line)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := open()
			if err != nil {
				return err
			}
			defer st.Close()
			es, err := st.ListERAEnrollments(a.ctx)
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]eraEnrollmentJSON, 0, len(es))
				for _, e := range es {
					out = append(out, eraEnrollmentJSON{Partner: e.PartnerID, Kind: e.Kind, Value: e.Value, Source: e.Source,
						Since: e.CreatedAt.Format(time.RFC3339)})
				}
				return json.NewEncoder(a.stdout).Encode(map[string]any{"enrollments": out})
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PARTNER\tKIND\tVALUE\tSOURCE")
			for _, e := range es {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.PartnerID, e.Kind, e.Value, e.Source)
			}
			return tw.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	cmd.AddCommand(enroll, unenroll, list)
	return cmd
}

// remittanceJSON is one remittance in `remits --json`.
type remittanceJSON struct {
	ID             int64  `json:"id"`
	Direction      string `json:"direction"`
	Partner        string `json:"partner"`
	State          string `json:"state"`
	HoldReason     string `json:"hold_reason,omitempty"`
	ForwardPartner string `json:"forwarded_to,omitempty"`
	InboundFileID  *int64 `json:"inbound_file_id"`
	PayerID        string `json:"payer_id"`
	PayerName      string `json:"payer_name"`
	PayeeName      string `json:"payee_name"`
	PayeeNPI       string `json:"payee_npi,omitempty"`
	PayeeTIN       string `json:"payee_tin,omitempty"`
	Handling       string `json:"handling"`
	PaymentCents   int64  `json:"payment_cents"`
	CreditDebit    string `json:"credit_debit"`
	PaymentMethod  string `json:"payment_method"`
	PaymentDate    string `json:"payment_date"`
	Trace          string `json:"trace_number"`
	Claims         int    `json:"claims"`
	Matched        int    `json:"matched"`
	ReceivedAt     string `json:"received_at"`
}

func toRemittanceJSON(r store.Remittance) remittanceJSON {
	return remittanceJSON{ID: r.ID, Direction: string(r.Direction), Partner: r.PartnerID, State: string(r.State),
		HoldReason: r.HoldReason, ForwardPartner: r.ForwardPartner, InboundFileID: r.InboundFileID, PayerID: r.PayerID,
		PayerName: r.PayerName, PayeeName: r.PayeeName, PayeeNPI: r.PayeeNPI, PayeeTIN: r.PayeeTIN, Handling: r.Handling,
		PaymentCents: r.PaymentCents, CreditDebit: r.CreditDebit, PaymentMethod: r.PaymentMethod, PaymentDate: r.PaymentDate,
		Trace: r.TraceNumber, Claims: r.ClaimCount, Matched: r.MatchedCount, ReceivedAt: r.CreatedAt.Format("2006-01-02T15:04:05Z")}
}

// paymentJSON is one claim payment (a CLP) in `remits --unmatched
// --json`, `remits --claim --json` and `claim --json`.
type paymentJSON struct {
	ID               int64              `json:"id"`
	RemittanceID     int64              `json:"remittance_id"`
	Claim            string             `json:"claim_control_number,omitempty"`
	Match            string             `json:"match,omitempty"`
	Note             string             `json:"note,omitempty"`
	CLP01            string             `json:"clp01"`
	Status           string             `json:"status"`
	Outcome          string             `json:"outcome"`
	ChargeCents      int64              `json:"charge_cents"`
	PaidCents        int64              `json:"paid_cents"`
	PatientRespCents int64              `json:"patient_responsibility_cents"`
	PayerClaimNumber string             `json:"payer_claim_number"`
	Adjustments      []store.Adjustment `json:"adjustments"`
	Remarks          []string           `json:"remarks"`
	PaymentDate      string             `json:"payment_date"`
	Trace            string             `json:"trace_number"`
}

// payments turns remit claims into their JSON form, with the payment
// date and trace of their remittances and our control numbers.
func payments(a *app, st *store.Store, cs []store.RemitClaim) ([]paymentJSON, error) {
	heads := map[int64]*store.Remittance{}
	controls := map[int64]string{}
	out := make([]paymentJSON, 0, len(cs))
	for _, c := range cs {
		h := heads[c.RemittanceID]
		if h == nil {
			var err error
			if h, err = st.GetRemittanceHeader(a.ctx, c.RemittanceID); err != nil {
				return nil, err
			}
			heads[c.RemittanceID] = h
		}
		p := paymentJSON{ID: c.ID, RemittanceID: c.RemittanceID, Match: c.MatchMethod, Note: c.Note, CLP01: c.CLP01,
			Status: c.Status, Outcome: string(c.Outcome), ChargeCents: c.ChargeCents, PaidCents: c.PaidCents,
			PatientRespCents: c.PatientRespCents, PayerClaimNumber: c.PayerClaimNumber, Adjustments: c.Adjustments,
			Remarks: c.RemarkList(), PaymentDate: h.PaymentDate, Trace: h.TraceNumber}
		if p.Adjustments == nil {
			p.Adjustments = []store.Adjustment{}
		}
		if c.ClaimID != nil {
			cn, ok := controls[*c.ClaimID]
			if !ok {
				cl, err := st.GetClaim(a.ctx, *c.ClaimID)
				if err != nil {
					return nil, err
				}
				cn = cl.ControlNumber
				controls[*c.ClaimID] = cn
			}
			p.Claim = cn
		}
		out = append(out, p)
	}
	return out, nil
}

func adjustmentsText(as []store.Adjustment) string {
	var s []string
	for _, a := range as {
		s = append(s, fmt.Sprintf("%s-%s %s", a.Group, a.Reason, money(a.Amount)))
	}
	return strings.Join(s, " ")
}

func printPayments(a *app, ps []paymentJSON) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREMIT\tCLAIM\tCLP01\tSTATUS\tOUTCOME\tCHARGE\tPAID\tPATIENT\tPAYER CLAIM\tDATE\tTRACE\tADJUSTMENTS\tNOTE")
	for _, p := range ps {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.RemittanceID, p.Claim, p.CLP01, p.Status,
			p.Outcome, money(p.ChargeCents), money(p.PaidCents), money(p.PatientRespCents), p.PayerClaimNumber, p.PaymentDate,
			p.Trace, adjustmentsText(p.Adjustments), p.Note)
	}
	return tw.Flush()
}

func (a *app) remitsCmd() *cobra.Command {
	var (
		unmatched bool
		claim     string
		state     string
		partner   string
		after     int64
		limit     int
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "remits [--unmatched] [--claim CONTROL_NUMBER] [--state S] [--partner P] [--json]",
		Short: "List 835 remittances, the claim payments no claim matched (--unmatched), or a claim's payments (--claim)",
		Long: `remits lists the 835 remittances received from partners and emitted by the
engine, oldest first: state (received, forwarded, held, sent), payer, payee,
payment and trace, claims and claims matched. --unmatched lists the claim
payments (CLPs) no claim of ours matched, with the reason (note); --claim
lists the payments of one claim (payment, reversal, correction, in order).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if unmatched && claim != "" {
				return usageError("--unmatched and --claim exclude each other")
			}
			if limit < 1 || limit > maxClaimsPage {
				return usageError("--limit must be 1..%d", maxClaimsPage)
			}
			switch store.RemitState(state) {
			case "", store.RemitReceived, store.RemitForwarded, store.RemitHeld, store.RemitSent:
			default:
				return usageError("--state %q: want received, forwarded, held or sent", state)
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if unmatched || claim != "" {
				f := store.RemitClaimFilter{Unmatched: unmatched, AfterID: after, Limit: limit}
				if claim != "" {
					c, err := st.GetClaimByControl(a.ctx, claim)
					if errors.Is(err, store.ErrNotFound) {
						return &ExitError{Code: 1, Err: fmt.Errorf("no claim %s", claim)}
					}
					if err != nil {
						return err
					}
					f.ClaimID, f.Limit = c.ID, 1000
				}
				cs, err := st.ListRemitClaims(a.ctx, f)
				if err != nil {
					return err
				}
				ps, err := payments(a, st, cs)
				if err != nil {
					return err
				}
				_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "remits.payments", Entity: "claim", EntityID: claim,
					Detail: fmt.Sprintf("unmatched=%v n=%d", unmatched, len(ps))})
				if asJSON {
					return json.NewEncoder(a.stdout).Encode(map[string]any{"payments": ps})
				}
				return printPayments(a, ps)
			}
			rs, err := st.ListRemittances(a.ctx, store.RemittanceFilter{State: store.RemitState(state), PartnerID: partner,
				AfterID: after, Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]remittanceJSON, 0, len(rs))
				for _, r := range rs {
					out = append(out, toRemittanceJSON(r))
				}
				return json.NewEncoder(a.stdout).Encode(map[string]any{"remittances": out})
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tDIR\tPARTNER\tSTATE\tPAYER\tPAYEE NPI/TIN\tPAYMENT\tDATE\tTRACE\tCLAIMS\tMATCHED\tTO / REASON")
			for _, r := range rs {
				payee := r.PayeeNPI
				if payee == "" {
					payee = r.PayeeTIN
				}
				to := r.ForwardPartner
				if r.State == store.RemitHeld {
					to = r.HoldReason
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s %s\t%s\t%s\t%d\t%d\t%s\n", r.ID, r.Direction, r.PartnerID, r.State,
					r.PayerID, payee, money(r.PaymentCents), r.PaymentMethod, r.PaymentDate, r.TraceNumber, r.ClaimCount,
					r.MatchedCount, to)
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.BoolVar(&unmatched, "unmatched", false, "list the claim payments no claim matched")
	f.StringVar(&claim, "claim", "", "list the payments of this claim (our control number)")
	f.StringVar(&state, "state", "", "only remittances in this state (received, forwarded, held, sent)")
	f.StringVar(&partner, "partner", "", "only remittances from (or, emitted, to) this partner")
	f.Int64Var(&after, "after", 0, "start after this ID")
	f.IntVar(&limit, "limit", 100, "rows per page (at most 1000)")
	f.BoolVar(&asJSON, "json", false, "JSON output")
	match := &cobra.Command{
		Use:   "match PAYMENT_ID CONTROL_NUMBER",
		Short: "Match an unmatched claim payment (remits --unmatched ID) to our claim",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usageError("PAYMENT_ID %q: want the ID remits --unmatched shows", args[0])
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := st.GetClaimByControl(a.ctx, args[1])
			if errors.Is(err, store.ErrNotFound) {
				return &ExitError{Code: 1, Err: fmt.Errorf("no claim %s", args[1])}
			}
			if err != nil {
				return err
			}
			switch err := st.MatchRemitClaim(a.ctx, id, c.ID); {
			case errors.Is(err, store.ErrNotFound):
				return &ExitError{Code: 1, Err: fmt.Errorf("no claim payment %d", id)}
			case errors.Is(err, store.ErrConflict):
				return &ExitError{Code: 1, Err: fmt.Errorf("claim payment %d is matched already", id)}
			case err != nil:
				return err
			}
			_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "remits.match", Entity: "claim", EntityID: c.ControlNumber,
				Detail: fmt.Sprintf("remit_claim=%d", id)})
			p, err := st.GetClaimPayment(a.ctx, c.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "claim payment %d matched to claim %s: payment %s\n", id, c.ControlNumber, paymentText(p))
			return nil
		},
	}
	release := &cobra.Command{
		Use:   "release REMIT_ID",
		Short: "Forward a held 835 (remits --state held) to the partner now enrolled for its payee, exactly once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usageError("REMIT_ID %q: want the ID remits shows", args[0])
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			st, err := a.openStore(cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := syncERA(a, cfg, st); err != nil {
				return err
			}
			sp, err := spool.New(filepath.Join(cfg.DataDir, "spool"))
			if err != nil {
				return err
			}
			partner, err := remittance.Release(a.ctx, st, remittance.ReleaseConfig{Config: remittanceConfig(cfg),
				Identity: pipeline.Identity{Qualifier: cfg.Identity.Qualifier, ID: cfg.Identity.ID, Name: cfg.Identity.Name},
				Usage:    cfg.Usage,
				Open:     func(p string) (io.ReadSeekCloser, error) { return sp.Open(p) },
				Spool: func(ctx context.Context, b []byte) (string, string, int64, error) {
					f, err := sp.PutBytes(ctx, "outbound", b)
					return f.Path, f.SHA256, f.Size, err
				}}, id)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return &ExitError{Code: 1, Err: fmt.Errorf("no remittance %d", id)}
			case errors.Is(err, remittance.ErrNotHeld):
				return &ExitError{Code: 1, Err: err}
			case err != nil:
				return err
			}
			if partner == "" {
				r, err := st.GetRemittanceHeader(a.ctx, id)
				if err != nil {
					return err
				}
				return &ExitError{Code: 1, Err: fmt.Errorf("remittance %d still held: %s", id, r.HoldReason)}
			}
			_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "remits.release", Entity: "remittance", EntityID: args[0], Detail: "to " + partner})
			fmt.Fprintf(a.stdout, "remittance %d released: queued to %s\n", id, partner)
			return nil
		},
	}
	cmd.AddCommand(match, release)
	return cmd
}

func (a *app) remitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remit",
		Short: "Take in 835 remittances by hand",
	}
	var partner string
	imp := &cobra.Command{
		Use:   "import --partner TPA FILE...",
		Short: "Process 835 files as received from a partner (the TPA): validated (999 back to it), matched to our claims, forwarded or held",
		Long: `remit import records each FILE as received from --partner and processes it
exactly as a polled file: validated (a 999 is queued to the partner), each
claim payment matched to our claims and recorded, each accepted 835
re-enveloped and queued to the partner enrolled for its payee (era enroll),
or held when there is none (remits --state held). Queued files are
delivered by the engine (run, cycle). A file already imported is reported
and not processed again. Exit status as for process.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if partner == "" {
				return usageError("--partner is required (the partner the 835s come from)")
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if _, ok := cfg.Partner(partner); !ok && len(cfg.Partners) > 0 {
				return usageError("partner %q is not configured", partner)
			}
			st, err := a.openStore(cfg)
			if err != nil {
				return err
			}
			if err := syncERA(a, cfg, st); err != nil {
				st.Close()
				return err
			}
			st.Close()
			// The partners without their transports: nothing is polled or
			// delivered here, but their sender IDs address the ERAs.
			local := cfg
			local.Partners = make([]config.Partner, len(cfg.Partners))
			for i, p := range cfg.Partners {
				p.Inbox, p.Outbox, p.Roster = "", "", ""
				local.Partners[i] = p
			}
			rt, err := a.openRuntime(a.ctx, local, 0)
			if err != nil {
				return err
			}
			defer rt.Close()
			status := 0
			for _, name := range args {
				f, err := openRegular(name)
				if err != nil {
					fmt.Fprintln(a.stderr, "clearinghouse:", err)
					status = 2
					continue
				}
				sf, err := rt.spool.Put(a.ctx, "inbound", f)
				f.Close()
				if err != nil {
					return err
				}
				abs, _ := filepath.Abs(name)
				rec, created, err := rt.store.RecordInbound(a.ctx, store.InboundFile{PartnerID: partner, Name: filepath.Base(name),
					RemotePath: abs, SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
				if err != nil {
					return err
				}
				if !created && rec.State != store.InboundReceived {
					fmt.Fprintf(a.stdout, "%s: already imported as inbound file %d (%s); not processed again\n", name, rec.ID, rec.State)
					continue
				}
				res, err := rt.engine.ProcessFile(a.ctx, rec.ID)
				if err != nil {
					return err
				}
				status = worseStatus(status, fileStatus(res))
				o := res.Outcomes
				fmt.Fprintf(a.stdout, "%s: inbound file %d %s; %d remittance(s): %d forwarded, %d held; %d claim payment(s): %d matched, %d unmatched\n",
					name, res.InboundID, res.State, o[remittance.CountRemittances], o[remittance.CountForwarded], o[remittance.CountHeld],
					o[remittance.CountClaims], o[remittance.CountMatched], o[remittance.CountUnmatched])
				for _, out := range res.Outputs {
					fmt.Fprintf(a.stdout, "  queued %s %s to %s\n", out.Kind, out.Name, out.Partner)
				}
			}
			if status != 0 {
				return exitCode(status)
			}
			return nil
		},
	}
	imp.Flags().StringVar(&partner, "partner", "", "the partner (TPA) the files come from")
	cmd.AddCommand(imp)
	return cmd
}

// paymentText is a claim's payment in one phrase.
func paymentText(p *store.ClaimPayment) string {
	if p == nil {
		return "none"
	}
	s := string(p.Status) + ", paid " + money(p.PaidCents)
	if p.PatientRespCents != 0 {
		s += ", patient " + money(p.PatientRespCents)
	}
	return s
}

func (a *app) eopCmd() *cobra.Command {
	var out, format string
	cmd := &cobra.Command{
		Use:   "eop CLAIM_CONTROL_NUMBER|REMIT_ID --out FILE.pdf|FILE.html",
		Short: "Write an explanation of payment (PDF or HTML) for a claim's payments or for a whole remittance",
		Long: `eop writes a human-readable explanation of payment: the payer, the payee,
the payment (method, amount, date, trace) and, per claim, the patient, the
service lines with billed, allowed and paid amounts, the adjustments and
remarks, and a description of every CARC and RARC used. The argument is
our claim control number (the claim's payments, in order) or, when no
claim has it, the ID of a remittance (remits). The format follows the
--out extension (.pdf or .html) unless --format says otherwise. The file
holds PHI: it is created readable by its owner only.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError("--out FILE is required")
			}
			if format == "" {
				format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			}
			if format != "pdf" && format != "html" {
				return usageError("--format must be pdf or html (or --out ending in .pdf or .html)")
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			cs, controls, err := eopClaims(a, st, args[0])
			if err != nil {
				return err
			}
			heads := map[int64]*store.Remittance{}
			for _, c := range cs {
				if heads[c.RemittanceID] == nil {
					h, err := st.GetRemittanceHeader(a.ctx, c.RemittanceID)
					if err != nil {
						return err
					}
					heads[c.RemittanceID] = h
				}
				if c.ClaimID != nil && controls[*c.ClaimID] == "" {
					cl, err := st.GetClaim(a.ctx, *c.ClaimID)
					if err != nil {
						return err
					}
					controls[*c.ClaimID] = cl.ControlNumber
				}
			}
			e, err := remittance.NewEOP(heads, cs, controls, time.Now())
			if err != nil {
				return err
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if format == "pdf" {
				err = e.WritePDF(f)
			} else {
				err = e.WriteHTML(f)
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "eop.write", Entity: "eop", EntityID: args[0],
				Detail: fmt.Sprintf("format=%s claims=%d", format, len(cs))})
			fmt.Fprintf(a.stdout, "%s: explanation of payment, %d claim payment(s)\n", out, len(cs))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "output file (.pdf or .html)")
	cmd.Flags().StringVar(&format, "format", "", "pdf or html (default: from --out)")
	return cmd
}

// eopClaims returns the claim payments an eop argument names: a claim's
// (by our control number) or a remittance's (by ID).
func eopClaims(a *app, st *store.Store, arg string) ([]store.RemitClaim, map[int64]string, error) {
	controls := map[int64]string{}
	c, err := st.GetClaimByControl(a.ctx, arg)
	switch {
	case err == nil:
		cs, err := st.ListRemitClaims(a.ctx, store.RemitClaimFilter{ClaimID: c.ID, WithLines: true, Limit: -1})
		if err != nil {
			return nil, nil, err
		}
		if len(cs) == 0 {
			return nil, nil, &ExitError{Code: 1, Err: fmt.Errorf("claim %s has no payment yet", arg)}
		}
		controls[c.ID] = c.ControlNumber
		return cs, controls, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, nil, err
	}
	id, perr := strconv.ParseInt(arg, 10, 64)
	if perr != nil || id <= 0 {
		return nil, nil, &ExitError{Code: 1, Err: fmt.Errorf("no claim %s", arg)}
	}
	r, err := st.GetRemittance(a.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, &ExitError{Code: 1, Err: fmt.Errorf("no claim or remittance %s", arg)}
	}
	if err != nil {
		return nil, nil, err
	}
	if len(r.Claims) == 0 {
		return nil, nil, &ExitError{Code: 1, Err: fmt.Errorf("remittance %d has no claim payments", id)}
	}
	return r.Claims, controls, nil
}

// denier builds the writer of denial 835s, or nil when no route has
// deny_remit.
func denier(cfg config.Config, st *store.Store, sp *spool.Spool) (*remittance.Denier, error) {
	any := false
	for _, r := range cfg.Routes {
		any = any || r.DenyRemit
	}
	if !any {
		return nil, nil
	}
	id := cfg.Identity
	return remittance.NewDenier(st, sp, remittance.DenyConfig{
		Config:   remittanceConfig(cfg),
		Identity: pipeline.Identity{Qualifier: id.Qualifier, ID: id.ID, Name: id.Name},
		Usage:    cfg.Usage,
		Payer: remit.Payer{Name: id.Name, IDQualifier: "XV", ID: id.ID,
			Address:  remit.Address{Line1: id.Address.Line1, City: id.Address.City, State: id.Address.State, PostalCode: id.Address.PostalCode},
			Contacts: []remit.Contact{{Function: "BL", Numbers: []remit.Communication{{Qualifier: "TE", Number: id.Phone}}}}},
		TaxID:  id.TaxID,
		Denies: func(payerID, claimType string) bool { return routeDeniesRemit(cfg.Routes, payerID, claimType) },
	})
}

// routeDeniesRemit reports whether the route of a payer ID and claim type
// has deny_remit: the route for that claim type, else (a claim whose type
// the payer's routes do not take) any route of the payer ID. A payer ID
// no route names has none.
func routeDeniesRemit(routes []config.Route, payerID, claimType string) bool {
	found, deny := false, false
	for _, r := range routes {
		if r.PayerID != payerID {
			continue
		}
		if r.ClaimType == "" || r.ClaimType == claimType {
			return r.DenyRemit
		}
		found, deny = true, deny || r.DenyRemit
	}
	return found && deny
}

// denyingForwarder runs the forwarder, then writes the denial 835s of the
// claims denied up to then (routing rejects claims without a route), once
// per cycle. The denial files are listed with the forwarded ones.
type denyingForwarder struct {
	next   pipeline.Forwarder
	denier *remittance.Denier
}

func (f *denyingForwarder) RunOnce(ctx context.Context) (forward.Result, error) {
	res, err := f.next.RunOnce(ctx)
	if err != nil {
		return res, err
	}
	return f.deny(ctx, res)
}

// Stream forwards like the forwarder's Stream (RunOnce once ids is closed
// when it cannot stream), then writes the denial 835s.
func (f *denyingForwarder) Stream(ctx context.Context, ids <-chan int64) (forward.Result, error) {
	var res forward.Result
	var err error
	if sf, ok := f.next.(pipeline.StreamingForwarder); ok {
		res, err = sf.Stream(ctx, ids)
	} else {
		for range ids {
		}
		res, err = f.next.RunOnce(ctx)
	}
	if err != nil {
		return res, err
	}
	return f.deny(ctx, res)
}

func (f *denyingForwarder) deny(ctx context.Context, res forward.Result) (forward.Result, error) {
	dr, err := f.denier.RunOnce(ctx)
	for _, o := range dr.Files {
		res.Files = append(res.Files, forward.File{Partner: o.PartnerID, Name: o.Name, ID: o.ID, ClaimType: "835",
			Version: remit.Version, Claims: o.Claims, Created: true})
	}
	if err != nil {
		return res, fmt.Errorf("denial 835s: %w", err)
	}
	return res, nil
}
