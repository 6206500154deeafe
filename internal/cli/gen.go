package cli

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/edi/synth"
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
	)
	cmd := &cobra.Command{
		Use:   "gen --type 837P|837I --claims N [--seed S] [--freq7 P] [--dup P] [--invalid P]",
		Short: "Write a deterministic synthetic 837 (synthetic people and codes only), streaming",
		Long: `gen writes a synthetic 837P or 837I interchange to stdout (or --out).
The same flags always produce the same bytes. Claims use made-up people,
HCPCS Level II or invented codes, and Luhn-valid synthetic NPIs. Memory does
not grow with --claims, so multi-GB files are fine. --roster also writes the
member roster (CSV) the claims were drawn from.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
	f.StringVar(&kind, "type", "837P", "transaction type: 837P or 837I")
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
