package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/inquiry/answer"
	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/realtime"
	"github.com/clearinghouse/clearinghouse/roster"
)

// payerIDs are the payer IDs the engine answers eligibility for: those of
// its routes (none configured: every payer ID).
func payerIDs(cfg config.Config) []string {
	var ids []string
	for _, r := range cfg.Routes {
		if r.PayerID != "" {
			ids = append(ids, r.PayerID)
		}
	}
	return ids
}

// eligibilityResponder builds the roster-backed eligibility responder.
func eligibilityResponder(st *store.Store, payers []string) (*inquiry.Eligibility, error) {
	checker, err := roster.NewChecker(st, roster.CheckerConfig{})
	if err != nil {
		return nil, err
	}
	return inquiry.NewEligibility(checker, inquiry.EligibilityConfig{PayerIDs: payers})
}

// inquiryAnswerer builds the answerer of 270 and 276 sets: eligibility
// from the roster (through checker, shared with claim eligibility so a
// roster refresh purges one cache), claim status from our claims and the
// remittances matched to them (inquiry.StorePayments).
func inquiryAnswerer(cfg config.Config, checker *roster.Checker) (*answer.Answerer, error) {
	el, err := inquiry.NewEligibility(checker, inquiry.EligibilityConfig{PayerIDs: payerIDs(cfg)})
	if err != nil {
		return nil, err
	}
	return answer.New(answer.Config{Eligibility: el, Status: inquiry.NewClaimStatus(inquiry.StorePayments{}), Usage: cfg.Usage,
		Identity: answer.Identity{Qualifier: cfg.Identity.Qualifier, ID: cfg.Identity.ID}})
}

func (a *app) eligibilityCmd() *cobra.Command {
	var fileOut string
	cmd := &cobra.Command{
		Use:   "eligibility FILE | eligibility check ...",
		Short: "Answer eligibility inquiries from the member roster: a 270 file (prints its 271), or one member (check)",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("eligibility: want one 270 FILE, or the check subcommand")
			}
			return a.answerFile(args[0], "270", fileOut, "")
		},
	}
	cmd.Flags().StringVar(&fileOut, "out", "", "write the 271 to this file (default stdout)")
	var (
		q      inquiry.EligibilityInquiry
		dep    inquiry.Person
		asJSON bool
	)
	check := &cobra.Command{
		Use:   "check --member ID --last NAME [--first NAME] [--dob YYYYMMDD] [--date D] [--json]",
		Short: "Is a member covered (on --date, default today)? Exit 0 covered, 1 not covered or not found",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			st, err := a.openStore(cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			var payers []string
			if q.PayerID != "" {
				payers = payerIDs(cfg)
			}
			el, err := eligibilityResponder(st, payers)
			if err != nil {
				return err
			}
			if dep.Last != "" || dep.First != "" || dep.DOB != "" {
				q.Dependent = &dep
			}
			ans, err := el.Answer(a.ctx, st, q)
			if err != nil {
				return err
			}
			if asJSON {
				if err := json.NewEncoder(a.stdout).Encode(ans); err != nil {
					return err
				}
			} else {
				printEligibility(a.stdout, &ans)
			}
			if !ans.Active() {
				return exitCode(1)
			}
			return nil
		},
	}
	f := check.Flags()
	f.StringVar(&q.Subscriber.MemberID, "member", "", "member (subscriber) ID, exactly as on the card")
	f.StringVar(&q.Subscriber.Last, "last", "", "subscriber last name")
	f.StringVar(&q.Subscriber.First, "first", "", "subscriber first name")
	f.StringVar(&q.Subscriber.DOB, "dob", "", "subscriber date of birth, YYYYMMDD")
	f.StringVar(&dep.Last, "dependent-last", "", "a dependent patient's last name (the patient is then the dependent)")
	f.StringVar(&dep.First, "dependent-first", "", "a dependent patient's first name")
	f.StringVar(&dep.DOB, "dependent-dob", "", "a dependent patient's date of birth, YYYYMMDD")
	f.StringVar(&q.Date, "date", "", "plan date YYYYMMDD or range YYYYMMDD-YYYYMMDD (default today)")
	f.StringSliceVar(&q.ServiceTypes, "service-type", nil, "EQ01 service type codes (default 30)")
	f.StringVar(&q.PayerID, "payer", "", "payer ID asked (checked against the routes' payer IDs)")
	f.BoolVar(&asJSON, "json", false, "JSON output")
	cmd.AddCommand(check)
	return cmd
}

// printEligibility prints an answer for people.
func printEligibility(w io.Writer, a *inquiry.EligibilityAnswer) {
	s := a.Subscriber
	fmt.Fprintf(w, "subscriber %s  %s, %s", s.MemberID, s.Last, s.First)
	if s.DOB != "" {
		fmt.Fprintf(w, "  dob %s", s.DOB)
	}
	fmt.Fprintln(w)
	patient := &a.Subscriber
	if a.Dependent != nil {
		patient = a.Dependent
		fmt.Fprintf(w, "dependent  %s, %s", a.Dependent.Last, a.Dependent.First)
		if a.Dependent.DOB != "" {
			fmt.Fprintf(w, "  dob %s", a.Dependent.DOB)
		}
		fmt.Fprintln(w)
	}
	if a.Reject != nil {
		fmt.Fprintf(w, "REJECTED  AAA*N**%s*%s at %s", a.Reject.Code, a.Reject.Action, a.Reject.Loop)
		if a.Reject.Message != "" {
			fmt.Fprintf(w, ": %s", a.Reject.Message)
		}
		fmt.Fprintln(w)
		return
	}
	state := "ACTIVE"
	if !a.Active() {
		state = "INACTIVE"
	}
	when := a.From
	if a.To != a.From {
		when += "-" + a.To
	}
	fmt.Fprintf(w, "%s on %s  eligibility %s-%s\n", state, when, or(patient.EligibilityBegin, "?"), or(patient.EligibilityEnd, "open"))
	for _, b := range a.Benefits {
		fmt.Fprintf(w, "  EB*%s*%s*%s*%s*%s\n", b.Info, b.CoverageLevel, b.ServiceType, b.InsuranceType, b.Plan)
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (a *app) statusCmd() *cobra.Command {
	var fileOut, filePartner string
	cmd := &cobra.Command{
		Use:   "status FILE | status check ...",
		Short: "Answer claim status inquiries from our claims: a 276 file (prints its 277), or one claim (check)",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("status: want one 276 FILE, or the check subcommand")
			}
			return a.answerFile(args[0], "276", fileOut, filePartner)
		},
	}
	cmd.Flags().StringVar(&fileOut, "out", "", "write the 277 to this file (default stdout)")
	cmd.Flags().StringVar(&filePartner, "partner", "", "search only this partner's claims (default every partner's)")
	var (
		q      inquiry.StatusInquiry
		asJSON bool
	)
	check := &cobra.Command{
		Use:   "check --claim CONTROL_NUMBER | --pcn CLM01 --npi NPI [--partner ID] [--json]",
		Short: "The status of a claim, as a 277 would say it. Exit 0 found, 1 not found",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case q.ClaimNumber == "" && q.CLM01 == "":
				return usageError("status check: want --claim CONTROL_NUMBER or --pcn CLM01 --npi NPI")
			case q.ClaimNumber != "" && q.CLM01 != "":
				return usageError("status check: --claim and --pcn exclude each other")
			case q.CLM01 != "" && q.ProviderNPI == "":
				return usageError("status check: --pcn needs --npi (the billing provider)")
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			q.AllPartners = q.PartnerID == ""
			ans, err := inquiry.NewClaimStatus(inquiry.StorePayments{}).Answer(a.ctx, st, q)
			if err != nil {
				return err
			}
			if asJSON {
				if err := json.NewEncoder(a.stdout).Encode(ans); err != nil {
					return err
				}
			} else {
				printStatus(a.stdout, &ans)
			}
			if !ans.Found {
				return exitCode(1)
			}
			return nil
		},
	}
	f := check.Flags()
	f.StringVar(&q.ClaimNumber, "claim", "", "our claim control number (277CA / REF*1K)")
	f.StringVar(&q.CLM01, "pcn", "", "the submitter's patient control number (CLM01)")
	f.StringVar(&q.ProviderNPI, "npi", "", "billing provider NPI")
	f.StringVar(&q.PartnerID, "partner", "", "only this partner's claims (default every partner's)")
	f.BoolVar(&asJSON, "json", false, "JSON output")
	cmd.AddCommand(check)
	return cmd
}

// printStatus prints a status answer for people.
func printStatus(w io.Writer, a *inquiry.StatusAnswer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLAIM\tCLM01\tSTATE\tSTC\tCHARGE\tPAID\tDOS")
	for _, c := range a.Claims {
		var stc []string
		for _, s := range c.Statuses {
			stc = append(stc, s.String())
		}
		paid := ""
		if c.Paid != nil {
			paid = money(*c.Paid)
		}
		dos := c.ServiceFrom
		if c.ServiceTo != "" && c.ServiceTo != c.ServiceFrom {
			dos += "-" + c.ServiceTo
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", or(c.ControlNumber, "-"), or(c.CLM01, "-"), or(string(c.State), "not found"),
			strings.Join(stc, " "), money(c.Charge), paid, dos)
	}
	tw.Flush()
}

func (a *app) partnerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "partner",
		Short: "Partner credentials of the real-time endpoint (serve)",
	}
	var label string
	token := &cobra.Command{
		Use:   "token PARTNER [--label TEXT]",
		Short: "Create a credential for PARTNER and print its secret (shown once; only its SHA-256 is stored)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			secret, err := realtime.NewSecret()
			if err != nil {
				return err
			}
			c, err := st.AddPartnerCredential(a.ctx, args[0], store.HashSecret(secret), label)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "credential %d for partner %s (use: Authorization: Bearer <secret>, or basic auth %s:<secret>)\n", c.ID, c.PartnerID, c.PartnerID)
			fmt.Fprintln(a.stdout, secret)
			return nil
		},
	}
	token.Flags().StringVar(&label, "label", "", "what the credential is for")
	list := &cobra.Command{
		Use:   "tokens [PARTNER]",
		Short: "List credentials (never their secrets)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			partner := ""
			if len(args) == 1 {
				partner = args[0]
			}
			cs, err := st.ListPartnerCredentials(a.ctx, partner)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tPARTNER\tLABEL\tCREATED\tREVOKED")
			for _, c := range cs {
				revoked := ""
				if c.RevokedAt != nil {
					revoked = c.RevokedAt.Format("2006-01-02 15:04:05Z")
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.ID, c.PartnerID, c.Label, c.CreatedAt.Format("2006-01-02 15:04:05Z"), revoked)
			}
			return tw.Flush()
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke CREDENTIAL_ID",
		Short: "Revoke a credential",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var id int64
			if _, err := fmt.Sscan(args[0], &id); err != nil || id <= 0 {
				return usageError("revoke: %q is not a credential ID", args[0])
			}
			st, err := a.configuredStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokePartnerCredential(a.ctx, id); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return &ExitError{Code: 1, Err: fmt.Errorf("credential %d: not found or already revoked", id)}
				}
				return err
			}
			fmt.Fprintf(a.stdout, "credential %d revoked\n", id)
			return nil
		},
	}
	cmd.AddCommand(token, list, revoke)
	return cmd
}

// answerFile answers the 270 (kind "270") or 276 sets of a file: the
// 271/277 interchanges, then the acknowledgments of sets not accepted,
// go to --out (default stdout). Exit 1 when a set was not accepted.
func (a *app) answerFile(path, kind, out, partner string) error {
	f, err := os.Open(path)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	defer f.Close()
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	st, err := a.openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	checker, err := roster.NewChecker(st, roster.CheckerConfig{})
	if err != nil {
		return err
	}
	ans, err := inquiryAnswerer(cfg, checker)
	if err != nil {
		return err
	}
	w := a.stdout
	var file *os.File
	if out != "" {
		if file, err = os.Create(out); err != nil {
			return &ExitError{Code: 2, Err: err}
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	seqPartner := partner
	if seqPartner == "" {
		seqPartner = "local"
	}
	ctl := answer.PartnerControls{Seq: st, Partner: seqPartner}
	res, err := ans.Answer(a.ctx, f, bw, partner, st, ctl, validate.Options{Lenient: leniency(cfg.Leniency)})
	if err != nil {
		return err
	}
	acks, err := ans.Acks(a.ctx, res.Envelope, ctl)
	if err != nil {
		return err
	}
	rejected := res.NotAccepted > 0 || !validate.Report(path, res.Envelope).Accepted
	for _, k := range acks {
		if !k.Accepted {
			if _, err := bw.Write(k.Data); err != nil {
				return err
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return err
		}
	}
	s := res.Stats
	if kind == "270" {
		fmt.Fprintf(a.stderr, "%s: %d set(s) answered, %d not accepted; %d inquiries: %d active, %d inactive, %d rejected (AAA)\n",
			path, res.Sets, res.NotAccepted, s.Inquiries, s.Active, s.Inactive, s.Rejected)
	} else {
		fmt.Fprintf(a.stderr, "%s: %d set(s) answered, %d not accepted; %d inquiries: %d found, %d not found\n",
			path, res.Sets, res.NotAccepted, s.Inquiries, s.Found, s.NotFound)
	}
	if rejected {
		return exitCode(1)
	}
	return nil
}
