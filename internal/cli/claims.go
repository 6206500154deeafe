package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

func (a *app) rosterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "roster",
		Short: "Member roster: import CSV or 834 files, count members",
	}
	var (
		format      string
		fullReplace bool
		tpa         string
		asJSON      bool
	)
	imp := &cobra.Command{
		Use:   "import [--format csv|834] [--full-replace] [--tpa NAME] FILE...",
		Short: "Import member roster files (CSV columns member_id,last_name,first_name,dob,gender,coverage_start,coverage_end,plan,group,tpa, or 834 005010X220A1)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			status := 0
			for _, name := range args {
				f, err := os.Open(name)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				kind := format
				if kind == "" {
					kind = sniffRoster(f)
				}
				opts := roster.Opts{Source: filepath.Base(name), FullReplace: fullReplace, TPA: tpa}
				var size int64
				if fi, err := f.Stat(); err == nil {
					size = fi.Size()
				}
				in, done := a.progressReader("roster "+filepath.Base(name), f, size)
				var res roster.ImportResult
				switch kind {
				case "csv":
					res, err = roster.ImportCSV(a.ctx, st, in, opts)
				case "834":
					res, err = roster.Import834(a.ctx, st, in, opts)
				default:
					done()
					f.Close()
					return usageError("--format must be csv or 834")
				}
				done()
				f.Close()
				if err != nil {
					fmt.Fprintf(a.stderr, "clearinghouse: %s: %v\n", name, err)
					status = 1
					continue
				}
				if len(res.Errors) > 0 {
					status = 1
				}
				if asJSON {
					if err := json.NewEncoder(a.stdout).Encode(map[string]any{"file": name, "result": toRosterImportJSON(res)}); err != nil {
						return err
					}
					continue
				}
				if res.Duplicate {
					fmt.Fprintf(a.stdout, "%s: already imported (same content); nothing changed\n", name)
					continue
				}
				fmt.Fprintf(a.stdout, "%s (%s): %d records — %d added, %d changed, %d termed, %d reinstated, %d unchanged, %d refused\n",
					name, res.Format, res.Records, res.Added, res.Changed, res.Termed, res.Reinstated, res.Unchanged, len(res.Errors))
				for _, e := range res.Errors {
					fmt.Fprintf(a.stdout, "  %v\n", e)
				}
			}
			if status != 0 {
				return exitCode(status)
			}
			return nil
		},
	}
	imp.Flags().StringVar(&format, "format", "", "csv or 834 (default: from the content)")
	imp.Flags().BoolVar(&fullReplace, "full-replace", false, "the file is a full snapshot: members of its TPAs missing from it are termed as of the file date")
	imp.Flags().StringVar(&tpa, "tpa", "", "set this TPA on every imported member")
	imp.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	count := &cobra.Command{
		Use:   "count",
		Short: "Count roster members",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.CountMembers(a.ctx, store.MemberFilter{})
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, n)
			return nil
		},
	}
	refresh := &cobra.Command{
		Use:   "refresh",
		Short: "Pull every partner's roster folder once (what the roster_refresh schedule runs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			rt, err := a.openRuntime(a.ctx, cfg, 0)
			if err != nil {
				return err
			}
			defer rt.Close()
			if len(rt.refreshers) == 0 {
				return usageError("no partner has a roster folder configured")
			}
			return rt.refreshRosters(a.ctx, a.logger)
		},
	}
	cmd.AddCommand(imp, count, refresh)
	return cmd
}

// rosterImportJSON is the `roster import --json` form of an import result
// (snake_case keys like every other JSON the CLI prints).
type rosterImportJSON struct {
	ImportID      int64             `json:"import_id"`
	SHA256        string            `json:"sha256"`
	Format        string            `json:"format"`
	Duplicate     bool              `json:"duplicate"`
	Records       int               `json:"records"`
	Added         int               `json:"added"`
	Changed       int               `json:"changed"`
	Termed        int               `json:"termed"`
	Reinstated    int               `json:"reinstated"`
	Unchanged     int               `json:"unchanged"`
	Snapshot      bool              `json:"snapshot"`
	AbsentTermed  int               `json:"absent_termed"`
	AbsentSkipped bool              `json:"absent_skipped"`
	FileDate      string            `json:"file_date"`
	Errors        []rosterErrorJSON `json:"errors"`
}

// rosterErrorJSON is one refused roster record.
type rosterErrorJSON struct {
	Line     int    `json:"line,omitempty"`
	Column   string `json:"column,omitempty"`
	Record   int    `json:"record,omitempty"`
	Offset   int64  `json:"offset,omitempty"`
	Segment  string `json:"segment,omitempty"`
	Position int    `json:"position,omitempty"`
	Element  int    `json:"element,omitempty"`
	Message  string `json:"message"`
}

func toRosterImportJSON(r roster.ImportResult) rosterImportJSON {
	out := rosterImportJSON{ImportID: r.ImportID, SHA256: r.SHA256, Format: r.Format, Duplicate: r.Duplicate, Records: r.Records,
		Added: r.Added, Changed: r.Changed, Termed: r.Termed, Reinstated: r.Reinstated, Unchanged: r.Unchanged,
		Snapshot: r.Snapshot, AbsentTermed: r.AbsentTermed, AbsentSkipped: r.AbsentSkipped, FileDate: r.FileDate,
		Errors: []rosterErrorJSON{}}
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, rosterErrorJSON{Line: e.Line, Column: e.Column, Record: e.Record, Offset: e.Offset,
			Segment: e.Segment, Position: e.Position, Element: e.Element, Message: e.Error()})
	}
	return out
}

// sniffRoster tells an X12 834 from a CSV by its first bytes and rewinds.
func sniffRoster(f *os.File) string {
	buf := make([]byte, 8)
	n, _ := f.Read(buf)
	f.Seek(0, 0)
	s := strings.TrimPrefix(string(buf[:n]), "\xEF\xBB\xBF")
	if strings.HasPrefix(strings.TrimSpace(s), "ISA") {
		return "834"
	}
	return "csv"
}

// claimJSON is one claim in `claims --json` and `claim --json`.
type claimJSON struct {
	ControlNumber string   `json:"claim_control_number"`
	CLM01         string   `json:"clm01"`
	Type          string   `json:"claim_type"`
	Frequency     string   `json:"frequency"`
	State         string   `json:"state"`
	Reasons       []string `json:"reasons"`
	Notes         []string `json:"notes"`
	Related       string   `json:"related,omitempty"`
	Replaces      string   `json:"replaces,omitempty"`
	RefF8         string   `json:"ref_f8,omitempty"`
	Partner       string   `json:"partner"`
	PayerID       string   `json:"payer_id"`
	BilledCents   int64    `json:"billed_cents"`
	AllowedCents  *int64   `json:"allowed_cents"`
	ServiceFrom   string   `json:"service_from,omitempty"`
	ServiceTo     string   `json:"service_to,omitempty"`
	InboundFileID int64    `json:"inbound_file_id"`
	ReceivedAt    string   `json:"received_at"`
	// Payment is the claim's payment from remittances (null: none yet).
	Payment *claimPaymentJSON `json:"payment"`
}

// claimPaymentJSON is the payment a claim stands at.
type claimPaymentJSON struct {
	Status           string `json:"status"`
	PaidCents        int64  `json:"paid_cents"`
	PatientRespCents int64  `json:"patient_responsibility_cents"`
}

// withPayments sets the payment of each claim that has one.
func withPayments(a *app, st *store.Store, cs []store.Claim, out []claimJSON) error {
	ids := make([]int64, len(cs))
	for i := range cs {
		ids[i] = cs[i].ID
	}
	pays, err := st.ClaimPaymentsOf(a.ctx, ids)
	if err != nil {
		return err
	}
	for i := range cs {
		if p, ok := pays[cs[i].ID]; ok {
			out[i].Payment = &claimPaymentJSON{Status: string(p.Status), PaidCents: p.PaidCents, PatientRespCents: p.PatientRespCents}
		}
	}
	return nil
}

func toClaimJSON(c store.Claim, replaces string) claimJSON {
	return claimJSON{
		ControlNumber: c.ControlNumber, CLM01: c.CLM01, Type: c.ClaimType, Frequency: c.Frequency, State: string(c.State),
		Reasons: c.ReasonList(), Notes: c.NoteList(), Related: c.RelatedControl, Replaces: replaces,
		RefF8: c.RefF8, Partner: c.PartnerID, PayerID: c.PayerID, BilledCents: c.BilledCents, AllowedCents: c.AllowedCents,
		ServiceFrom: c.ServiceFrom, ServiceTo: c.ServiceTo, InboundFileID: c.InboundFileID,
		ReceivedAt: c.CreatedAt.Format("2006-01-02T15:04:05Z"),
	}
}

// claimStates are the states `claims --state` accepts.
var claimStates = []store.ClaimState{store.ClaimReceived, store.ClaimAccepted, store.ClaimSuspect, store.ClaimRejected,
	store.ClaimDuplicate, store.ClaimReplaced, store.ClaimVoided, store.ClaimForwarded}

// maxClaimsPage is the largest --limit of `claims` (the store's cap).
const maxClaimsPage = 1000

// claimsPage is `claims --json`: one page of claims, oldest first, and the
// cursor of the next page (null when this is the last).
type claimsPage struct {
	Claims []claimJSON `json:"claims"`
	// More is true when claims follow this page.
	More bool `json:"more"`
	// NextAfter is the --after value of the next page.
	NextAfter *int64 `json:"next_after"`
}

func (a *app) claimsCmd() *cobra.Command {
	var (
		suspect bool
		state   string
		partner string
		fileID  int64
		after   int64
		limit   int
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "claims [--suspect] [--state S] [--partner P] [--file ID] [--limit N] [--after ID]",
		Short: "List claims, oldest first, one page at a time; --suspect is the review queue of suspected duplicates",
		Long: `claims lists claims oldest first, --limit per page (default 100, at most
1000). When more claims match, the text output ends with "more: --after N"
and the JSON object has "more": true and "next_after": N; run the same
command with --after N for the next page.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// paid, partial, denied and reversed are payment statuses
			// (from remittances), kept apart from the claim states.
			payment := slices.Contains(store.PaymentStatuses, store.PaymentStatus(state))
			if state != "" && !payment && !slices.Contains(claimStates, store.ClaimState(state)) {
				names := make([]string, 0, len(claimStates)+len(store.PaymentStatuses))
				for _, s := range claimStates {
					names = append(names, string(s))
				}
				for _, s := range store.PaymentStatuses {
					names = append(names, string(s))
				}
				return usageError("--state %q: not a claim state (one of %s)", state, strings.Join(names, ", "))
			}
			if limit < 1 || limit > maxClaimsPage {
				return usageError("--limit must be 1..%d", maxClaimsPage)
			}
			if after < 0 {
				return usageError("--after must be a claim ID (a next_after value)")
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			filter := store.ClaimFilter{Suspect: suspect, PartnerID: partner, InboundFileID: fileID, AfterID: after, Limit: limit}
			if payment {
				filter.PaymentStatus = store.PaymentStatus(state)
			} else {
				filter.State = store.ClaimState(state)
			}
			claims, err := st.ListClaims(a.ctx, filter)
			if err != nil {
				return err
			}
			var next *int64
			if len(claims) == limit {
				filter.AfterID, filter.Limit = claims[len(claims)-1].ID, 1
				rest, err := st.ListClaims(a.ctx, filter)
				if err != nil {
					return err
				}
				if len(rest) > 0 {
					id := claims[len(claims)-1].ID
					next = &id
				}
			}
			_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "claims.list", Entity: "claim", Detail: fmt.Sprintf("suspect=%v state=%s n=%d", suspect, state, len(claims))})
			if asJSON {
				page := claimsPage{Claims: make([]claimJSON, 0, len(claims)), More: next != nil, NextAfter: next}
				for _, c := range claims {
					page.Claims = append(page.Claims, toClaimJSON(c, ""))
				}
				if err := withPayments(a, st, claims, page.Claims); err != nil {
					return err
				}
				return json.NewEncoder(a.stdout).Encode(page)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CONTROL\tCLM01\tTYPE\tFREQ\tSTATE\tREASONS\tRELATED\tBILLED")
			for _, c := range claims {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ControlNumber, c.CLM01, c.ClaimType, c.Frequency, c.State,
					c.Reasons, c.RelatedControl, money(c.BilledCents))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if next != nil {
				fmt.Fprintf(a.stdout, "%d claims shown; more: --after %d\n", len(claims), *next)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&suspect, "suspect", false, "only suspected duplicates (accepted, flagged for review)")
	f.StringVar(&state, "state", "", "only claims in this state (received, accepted, suspect, rejected, duplicate, replaced, voided, forwarded) or payment status from remittances (paid, partial, denied, reversed)")
	f.StringVar(&partner, "partner", "", "only this partner's claims")
	f.Int64Var(&fileID, "file", 0, "only the claims of this inbound file")
	f.Int64Var(&after, "after", 0, "start after this claim ID (the \"more: --after N\" hint, JSON next_after)")
	f.IntVar(&limit, "limit", 100, "claims per page (at most 1000)")
	f.BoolVar(&asJSON, "json", false, "JSON output: {\"claims\": [...], \"more\": bool, \"next_after\": ID or null}")
	return cmd
}

func (a *app) claimCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "claim CONTROL_NUMBER",
		Short: "Show a claim and its history: original → replacements → void",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := st.GetClaimByControl(a.ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return &ExitError{Code: 1, Err: fmt.Errorf("no claim %s", args[0])}
			}
			if err != nil {
				return err
			}
			_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "claim.view", Entity: "claim", EntityID: c.ControlNumber})
			history, err := claimHistory(a, st, c)
			if err != nil {
				return err
			}
			remits, err := st.ListRemitClaims(a.ctx, store.RemitClaimFilter{ClaimID: c.ID, Limit: 1000})
			if err != nil {
				return err
			}
			pays, err := payments(a, st, remits)
			if err != nil {
				return err
			}
			payment, err := st.GetClaimPayment(a.ctx, c.ID)
			if errors.Is(err, store.ErrNotFound) {
				payment, err = nil, nil
			}
			if err != nil {
				return err
			}
			if asJSON {
				cj := history[indexOf(history, c.ControlNumber)]
				if payment != nil {
					cj.Payment = &claimPaymentJSON{Status: string(payment.Status), PaidCents: payment.PaidCents, PatientRespCents: payment.PatientRespCents}
				}
				return json.NewEncoder(a.stdout).Encode(map[string]any{"claim": cj, "history": history, "payments": pays})
			}
			fmt.Fprintf(a.stdout, "claim %s (CLM01 %s, %s, frequency %s): %s\n", c.ControlNumber, c.CLM01, c.ClaimType, c.Frequency, c.State)
			if c.Reasons != "" {
				fmt.Fprintf(a.stdout, "  reasons %s\n", c.Reasons)
			}
			if c.Notes != "" {
				fmt.Fprintf(a.stdout, "  notes   %s\n", c.Notes)
			}
			fmt.Fprintf(a.stdout, "  billed  %s, payer %s, file %d\n", money(c.BilledCents), c.PayerID, c.InboundFileID)
			fmt.Fprintln(a.stdout, "history:")
			for _, h := range history {
				arrow := ""
				if h.Replaces != "" {
					arrow = " → acts on " + h.Replaces
				}
				fmt.Fprintf(a.stdout, "  %s  %s  frequency %s  %-9s%s\n", h.ReceivedAt, h.ControlNumber, h.Frequency, h.State, arrow)
			}
			if len(pays) > 0 {
				fmt.Fprintf(a.stdout, "payment: %s\n", paymentText(payment))
				fmt.Fprintln(a.stdout, "payments:")
				for _, p := range pays {
					fmt.Fprintf(a.stdout, "  %s  remit %d  CLP02 %-2s %-8s charge %s  paid %s  patient %s  payer claim %s  trace %s  %s\n",
						p.PaymentDate, p.RemittanceID, p.Status, p.Outcome, money(p.ChargeCents), money(p.PaidCents),
						money(p.PatientRespCents), p.PayerClaimNumber, p.Trace, adjustmentsText(p.Adjustments))
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	return cmd
}

// claimHistory walks from c back to its original and forward through
// every replacement and void, oldest first.
func claimHistory(a *app, st *store.Store, c *store.Claim) ([]claimJSON, error) {
	root := c
	for i := 0; root.ReplacesClaimID != nil && i < 1000; i++ {
		prev, err := st.GetClaim(a.ctx, *root.ReplacesClaimID)
		if err != nil {
			return nil, err
		}
		root = prev
	}
	var out []claimJSON
	cur, replaces := root, ""
	for i := 0; cur != nil && i < 1000; i++ {
		out = append(out, toClaimJSON(*cur, replaces))
		next, err := st.FindReplacement(a.ctx, cur.ID)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		replaces, cur = cur.ControlNumber, next
	}
	return out, nil
}

func indexOf(h []claimJSON, control string) int {
	for i, c := range h {
		if c.ControlNumber == control {
			return i
		}
	}
	return 0
}

func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}
