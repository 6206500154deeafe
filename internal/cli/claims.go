package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
				var res roster.ImportResult
				switch kind {
				case "csv":
					res, err = roster.ImportCSV(a.ctx, st, f, opts)
				case "834":
					res, err = roster.Import834(a.ctx, st, f, opts)
				default:
					f.Close()
					return usageError("--format must be csv or 834")
				}
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
					json.NewEncoder(a.stdout).Encode(map[string]any{"file": name, "result": res})
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

func (a *app) claimsCmd() *cobra.Command {
	var (
		suspect bool
		state   string
		partner string
		fileID  int64
		limit   int
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "claims [--suspect] [--state S] [--partner P] [--file ID]",
		Short: "List claims; --suspect is the review queue of suspected duplicates",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			claims, err := st.ListClaims(a.ctx, store.ClaimFilter{Suspect: suspect, State: store.ClaimState(state),
				PartnerID: partner, InboundFileID: fileID, Limit: limit})
			if err != nil {
				return err
			}
			_ = st.Audit(a.ctx, store.AuditEntry{Actor: "cli", Action: "claims.list", Entity: "claim", Detail: fmt.Sprintf("suspect=%v state=%s n=%d", suspect, state, len(claims))})
			if asJSON {
				out := make([]claimJSON, 0, len(claims))
				for _, c := range claims {
					out = append(out, toClaimJSON(c, ""))
				}
				return json.NewEncoder(a.stdout).Encode(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CONTROL\tCLM01\tTYPE\tFREQ\tSTATE\tREASONS\tRELATED\tBILLED")
			for _, c := range claims {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ControlNumber, c.CLM01, c.ClaimType, c.Frequency, c.State,
					c.Reasons, c.RelatedControl, money(c.BilledCents))
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.BoolVar(&suspect, "suspect", false, "only suspected duplicates (accepted, flagged for review)")
	f.StringVar(&state, "state", "", "only claims in this state")
	f.StringVar(&partner, "partner", "", "only this partner's claims")
	f.Int64Var(&fileID, "file", 0, "only the claims of this inbound file")
	f.IntVar(&limit, "limit", 100, "maximum number of claims (at most 1000)")
	f.BoolVar(&asJSON, "json", false, "JSON output")
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
			if asJSON {
				return json.NewEncoder(a.stdout).Encode(map[string]any{"claim": history[indexOf(history, c.ControlNumber)], "history": history})
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
