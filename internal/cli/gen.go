package cli

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/edi/synth"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/remittance"
)

func (a *app) genCmd() *cobra.Command {
	var (
		kind    string
		cfg     synth.Config
		out     string
		roster  string
		pretty  bool
		perST   int
		payerID []string
		// --type 835
		forClaims   bool
		forPartner  string
		denyEvery   int
		coinsurance int64
	)
	cmd := &cobra.Command{
		Use:   "gen --type 837P|837I --claims N [--seed S] [--freq7 P] [--dup P] [--invalid P] | gen --type 835 --for-claims --partner TPA",
		Short: "Write a deterministic synthetic 837 (synthetic people and codes only), streaming",
		Long: `gen writes a synthetic 837P or 837I interchange to stdout (or --out).
The same flags always produce the same bytes. Claims use made-up people,
HCPCS Level II or invented codes, and Luhn-valid synthetic NPIs. Memory does
not grow with --claims, so multi-GB files are fine. --roster also writes the
member roster (CSV) the claims were drawn from.

gen --type 835 --for-claims --partner TPA writes what the TPA would return
for the claims forwarded to it that have no payment yet (read from the
store): one 835 per payee, each claim paid its allowed amount (repriced,
else 80% of the charge) less --coinsurance percent (PR-2), the rest CO-45,
every --deny-every-th claim denied (CO-204), REF*9A with our control
number. The interchange comes from the TPA (its first sender ID, else its
ID upper-cased) to our identity, numbered from a store sequence.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if kind == "835" {
				return a.gen835(out, forPartner, denyEvery, coinsurance, pretty)
			}
			if forClaims {
				return usageError("--for-claims goes with --type 835")
			}
			switch kind {
			case "837P", "837p", "P", "p":
				cfg.Kind = synth.Professional
			case "837I", "837i", "I", "i":
				cfg.Kind = synth.Institutional
			default:
				return usageError("--type must be 837P or 837I")
			}
			cfg.Pretty = pretty
			cfg.ClaimsPerST = perST
			cfg.PayerIDs = payerID
			w := a.stdout
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				defer f.Close()
				w = f
			}
			if out != "" && out != "-" {
				var done func()
				w, done = a.progressWriter("gen "+filepath.Base(out), w)
				defer done()
			}
			bw := bufio.NewWriterSize(w, 256<<10)
			stats, err := synth.Write(cmd.Context(), bw, cfg)
			if err != nil {
				return usageError("%v", err)
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if roster != "" {
				f, err := os.Create(roster)
				if err != nil {
					return err
				}
				rw := bufio.NewWriter(f)
				if err := synth.WriteRosterCSV(cmd.Context(), rw, cfg); err != nil {
					f.Close()
					return err
				}
				if err := rw.Flush(); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
			}
			if out != "" && out != "-" {
				fmt.Fprintf(a.stderr, "wrote %s: %d claims in %d transaction sets, %d bytes (replacements %d, voids %d, duplicates %d, invalid %d)\n",
					out, stats.Claims, stats.Transactions, stats.Bytes, stats.Replacements, stats.Voids, stats.Duplicates, stats.Invalid)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "type", "837P", "transaction type: 837P, 837I or 835 (with --for-claims)")
	f.BoolVar(&forClaims, "for-claims", false, "with --type 835: pay the claims forwarded to --partner that have no payment yet, as that TPA would (from the store)")
	f.StringVar(&forPartner, "partner", "", "with --type 835: the TPA the claims were forwarded to")
	f.IntVar(&denyEvery, "deny-every", 0, "with --type 835: deny every n-th claim (CLP02 4, CO-204)")
	f.Int64Var(&coinsurance, "coinsurance", 10, "with --type 835: percent of the allowed amount left to the patient (PR-2)")
	f.IntVar(&cfg.Claims, "claims", 10, "number of claims")
	f.Int64Var(&cfg.Seed, "seed", 1, "random seed (same seed, same bytes)")
	f.Float64Var(&cfg.Freq7, "freq7", 0, "probability of a replacement claim (CLM05-3 = 7)")
	f.Float64Var(&cfg.Freq8, "freq8", 0, "probability of a void claim (CLM05-3 = 8)")
	f.StringVar(&cfg.F8Prefix, "f8-prefix", "", `REF*F8 = this prefix + the original's 12-digit position ("CH": the control numbers a fresh store assigns); default the original's CLM01`)
	f.Float64Var(&cfg.Dup, "dup", 0, "probability of an exact duplicate of an earlier claim")
	f.Float64Var(&cfg.Invalid, "invalid", 0, "probability of a claim with a deliberate implementation-guide error")
	f.IntVar(&perST, "claims-per-st", 0, "claims per ST/SE transaction set (default 100)")
	f.StringSliceVar(&payerID, "payer-id", nil, "2010BB payer IDs to rotate through (default 2712/1935 and 88461)")
	f.StringVar(&cfg.Sender, "sender", "", "ISA06 sender ID (default SYNTHSUBMIT)")
	f.StringVar(&cfg.Receiver, "receiver", "", "ISA08 receiver ID (default CLEARINGHOUSE)")
	f.BoolVar(&pretty, "pretty", false, "newline after each segment")
	f.StringVarP(&out, "out", "o", "", "output file (default stdout)")
	f.StringVar(&roster, "roster", "", "also write the member roster CSV to this file")
	return cmd
}

// gen835 writes the 835s a TPA would return for the claims forwarded to it.
func (a *app) gen835(out, tpa string, denyEvery int, coinsurance int64, pretty bool) error {
	if tpa == "" {
		return usageError("--type 835 needs --for-claims --partner TPA")
	}
	if denyEvery < 0 || coinsurance < 0 || coinsurance > 100 {
		return usageError("--deny-every must be 0 or more and --coinsurance 0..100")
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
	var claims []store.Claim
	for after := int64(0); ; {
		page, err := st.ListClaims(a.ctx, store.ClaimFilter{State: store.ClaimForwarded, AfterID: after, Limit: 1000, WithLines: true})
		if err != nil {
			return err
		}
		ids := make([]int64, len(page))
		for i := range page {
			ids[i] = page[i].ID
		}
		paid, err := st.ClaimPaymentsOf(a.ctx, ids)
		if err != nil {
			return err
		}
		for _, c := range page {
			if _, ok := paid[c.ID]; c.RoutePartner == tpa && !ok {
				claims = append(claims, c)
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(claims) == 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("no unpaid claim was forwarded to %s", tpa)}
	}
	sender := strings.ToUpper(tpa)
	if p, ok := cfg.Partner(tpa); ok && len(p.SenderIDs) > 0 {
		sender = p.SenderIDs[0]
	}
	payerID := sender
	if len(payerID) > 9 {
		payerID = payerID[:9]
	}
	now := time.Now().UTC()
	rs := remittance.PayClaims(claims, remittance.PayOptions{Date: now, TracePrefix: "EFT" + now.Format("060102"),
		DenyEvery: denyEvery, CoinsurancePercent: coinsurance,
		Payer: remit.Payer{Name: strings.ToUpper(tpa) + " TPA", IDQualifier: "XV", ID: payerID,
			Address:  remit.Address{Line1: "1 EXAMPLE WAY", City: "MADISON", State: "WI", PostalCode: "53703"},
			Contacts: []remit.Contact{{Function: "BL", Name: "EDI DESK", Numbers: []remit.Communication{{Qualifier: "TE", Number: "6085550199"}}}}}})
	ctl, err := st.NextControlNumber(a.ctx, "gen-835:"+tpa, store.ControlISA)
	if err != nil {
		return err
	}
	env := ack.OutboundEnvelope{Control: ctl, GroupControl: ctl, Time: now, SenderID: sender, ReceiverID: cfg.Identity.ID,
		ReceiverQualifier: cfg.Identity.Qualifier, Usage: cfg.Usage}
	if pretty {
		env.Suffix = "\n"
	}
	w := a.stdout
	if out != "" && out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return &ExitError{Code: 2, Err: err}
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	if err := remit.Write(bw, rs, env); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if out != "" && out != "-" {
		fmt.Fprintf(a.stderr, "wrote %s: %d claims in %d remittances from %s\n", out, len(claims), len(rs), tpa)
	}
	return nil
}
