package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/storesource"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

// Defaults of `reprice`: the repository's synthetic schedules.
const (
	defaultSchedulesDir = "testdata/schedules"
	defaultContracts    = "testdata/schedules/contracts.yaml"
)

// repriceJSON is the `reprice --json` document.
type repriceJSON struct {
	File   string             `json:"file"`
	Claims []repriceClaimJSON `json:"claims"`
}

// repriceClaimJSON is one claim of `reprice --json`. Contract, method and
// hcp01 are empty and error is set when the claim could not be priced.
type repriceClaimJSON struct {
	CLM01        string            `json:"clm01"`
	Contract     string            `json:"contract"`
	Method       string            `json:"method"`
	BilledCents  int64             `json:"billed_cents"`
	AllowedCents int64             `json:"allowed_cents"`
	SavingsCents int64             `json:"savings_cents"`
	HCP01        string            `json:"hcp01"`
	Error        string            `json:"error,omitempty"`
	Lines        []repriceLineJSON `json:"lines"`
}

// repriceLineJSON is one service line of `reprice --json`.
type repriceLineJSON struct {
	Line         int    `json:"line"`
	Code         string `json:"code"`
	RevenueCode  string `json:"revenue_code"`
	BilledCents  int64  `json:"billed_cents"`
	AllowedCents int64  `json:"allowed_cents"`
	SavingsCents int64  `json:"savings_cents"`
	HCP01        string `json:"hcp01"`
	Priced       bool   `json:"priced"`
	DenyReason   string `json:"deny_reason"`
}

// toRepriceJSON summarises one outcome.
func toRepriceJSON(o *x12price.Outcome) repriceClaimJSON {
	in := &o.Input
	c := repriceClaimJSON{CLM01: in.ID, BilledCents: in.BilledCents, Lines: make([]repriceLineJSON, len(in.Lines))}
	if o.Err != nil {
		c.Error = o.Err.Error()
	} else {
		r := &o.Result
		c.Contract, c.Method = r.ContractID, r.Method.String()
		c.AllowedCents, c.SavingsCents, c.HCP01 = r.Claim.AllowedCents, r.Claim.SavingsCents, r.Claim.MethodCode
	}
	for i := range in.Lines {
		l := &in.Lines[i]
		lj := repriceLineJSON{Line: l.No, Code: l.ProcedureCode, RevenueCode: l.RevenueCode, BilledCents: l.ChargeCents}
		if o.Err == nil {
			lp := &o.Result.Lines[i]
			lj.AllowedCents, lj.SavingsCents, lj.HCP01 = lp.AllowedCents, lp.SavingsCents, lp.MethodCode
			lj.Priced, lj.DenyReason = lp.Priced, lp.DenyReason
		}
		c.Lines[i] = lj
	}
	return c
}

func (a *app) repriceCmd() *cobra.Command {
	var (
		asJSON, fromStore                      bool
		schedDir, contracts, outFile, received string
	)
	cmd := &cobra.Command{
		Use:   "reprice [--json] [--schedules DIR] [--contracts FILE] [--from-store] [--out FILE] FILE",
		Short: "Reprice the claims of an 837P/837I file offline and show (or write) the HCP pricing",
		Long: `reprice prices every claim of an 837P/837I file with the repricing engine and prints,
per claim, the contract, method, billed, allowed and savings amounts and HCP01, and the
same per service line.

The schedules are the CSV files of --schedules, each named by its file name without
.csv and read as the kind its header shows, and the contracts are --contracts. They
default to the configuration's repricing.schedules_dir and repricing.contracts; when
the configuration names none, to the repository's synthetic testdata/schedules and
testdata/schedules/contracts.yaml (relative to the working directory). --from-store uses the
active schedules and contract set of the configured database instead (see
` + "`clearinghouse schedule`" + `).

--out writes the repriced 837: every claim that could be priced gets its 2300 and 2400
HCP segments, REF*9A/9B (9C/9D for replacements and voids) with reference numbers made
of ISA13, ST02 and the claim's position, and DTP*050 with the --received date (default
today); HCP04 is the configured identity ID. Everything else is copied byte for byte.

Exit status: 0 when every claim was priced, 1 when a claim could not be priced at all
(no contract matches it, or the engine refuses its data) or the file holds no claims,
2 when the file, the schedules, the contracts or the database cannot be read, or the
usage is wrong.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			flags := cmd.Flags()
			if fromStore && (flags.Changed("schedules") || flags.Changed("contracts")) {
				return usageError("--from-store cannot be combined with --schedules or --contracts")
			}
			recv := time.Now()
			if received != "" {
				t, err := time.ParseInLocation("20060102", received, time.Local)
				if err != nil {
					return usageError("--received %q: want CCYYMMDD", received)
				}
				recv = t
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			var eng *repricing.Engine
			if fromStore {
				st, err := a.openStore(cfg)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				eng, err = storesource.NewEngine(a.ctx, st, nil)
				st.Close()
				if errors.Is(err, store.ErrNotFound) {
					return &ExitError{Code: 2, Err: fmt.Errorf("no contract set in the database (import one with `clearinghouse schedule import-contracts`): %w", err)}
				}
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
			} else {
				if !flags.Changed("schedules") && cfg.Repricing.SchedulesDir != "" {
					schedDir = cfg.Repricing.SchedulesDir
				}
				if !flags.Changed("contracts") && cfg.Repricing.Contracts != "" {
					contracts = cfg.Repricing.Contracts
				}
				eng, err = storesource.LoadDir(a.ctx, schedDir, contracts)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
			}
			in, err := os.Open(args[0])
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			defer in.Close()
			opts := x12price.FileOptions{Apply: func(loc x12price.Location, c *claim.Claim) x12price.ApplyOptions {
				ref := fmt.Sprintf("%s-%s-%d", loc.Interchange, loc.Set, loc.Claim)
				return x12price.ApplyOptions{OrgID: cfg.Identity.ID, ClaimRef: ref, LineRefs: true, Received: recv,
					Adjusted: x12price.IsAdjustment(c)}
			}}
			p := newRepricePrinter(a.stdout, args[0], asJSON)
			if outFile == "" {
				err = x12price.Reprice(a.ctx, eng, in, nil, opts, p.claim)
			} else {
				err = writeAtomic(outFile, func(w io.Writer) error {
					return x12price.Reprice(a.ctx, eng, in, w, opts, p.claim)
				})
			}
			if err != nil {
				var se *x12.SyntaxError
				if errors.As(err, &se) {
					return &ExitError{Code: 2, Err: fmt.Errorf("%s: %w (fix the file or run without --out)", args[0], err)}
				}
				return err
			}
			if err := p.finish(); err != nil {
				return err
			}
			if p.total == 0 {
				return &ExitError{Code: 1, Err: fmt.Errorf("%s: no 837P/837I claims found", args[0])}
			}
			if outFile != "" && !asJSON {
				fmt.Fprintf(a.stdout, "wrote %s\n", outFile)
			}
			if p.unpriced > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, `JSON output: {"file": ..., "claims": [...]}`)
	f.StringVar(&schedDir, "schedules", defaultSchedulesDir, "directory of schedule CSV files (name = file name without .csv; default repricing.schedules_dir, else testdata/schedules)")
	f.StringVar(&contracts, "contracts", defaultContracts, "contracts YAML file (default repricing.contracts, else testdata/schedules/contracts.yaml)")
	f.BoolVar(&fromStore, "from-store", false, "use the active schedules and contracts of the configured database")
	f.StringVar(&outFile, "out", "", "also write the repriced 837 to this file")
	f.StringVar(&received, "received", "", "repricer received date for DTP*050, CCYYMMDD (default today)")
	return cmd
}

// writeAtomic writes a file through a temporary file in the same
// directory, renamed into place only when write succeeds.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// repricePrinter prints outcomes as they come (text) or at the end (JSON).
type repricePrinter struct {
	w        io.Writer
	tw       *tabwriter.Writer
	asJSON   bool
	doc      repriceJSON
	total    int
	unpriced int
	billed   int64
	allowed  int64
}

func newRepricePrinter(w io.Writer, file string, asJSON bool) *repricePrinter {
	p := &repricePrinter{w: w, asJSON: asJSON, doc: repriceJSON{File: file, Claims: []repriceClaimJSON{}}}
	if !asJSON {
		fmt.Fprintln(w, file)
		p.tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(p.tw, "  CLM01 / LINE\tCODE\tCONTRACT\tMETHOD\tBILLED\tALLOWED\tSAVINGS\tHCP01")
	}
	return p
}

// claim records one outcome (x12price.Reprice's report function).
func (p *repricePrinter) claim(o *x12price.Outcome) error {
	p.total++
	c := toRepriceJSON(o)
	p.billed += c.BilledCents
	if o.Err != nil {
		p.unpriced++
	} else {
		p.allowed += c.AllowedCents
	}
	if p.asJSON {
		p.doc.Claims = append(p.doc.Claims, c)
		return nil
	}
	if o.Err != nil {
		fmt.Fprintf(p.tw, "  %s\t\t\tNOT PRICED\t%s\t\t\t\t%s\n", c.CLM01, money(c.BilledCents), o.Err)
		return nil
	}
	fmt.Fprintf(p.tw, "  %s\t\t%s\t%s\t%s\t%s\t%s\t%s\n", c.CLM01, c.Contract, c.Method,
		money(c.BilledCents), money(c.AllowedCents), money(c.SavingsCents), c.HCP01)
	for _, l := range c.Lines {
		code := l.Code
		if code == "" {
			code = l.RevenueCode
		} else if l.RevenueCode != "" {
			code = l.RevenueCode + " " + code
		}
		fmt.Fprintf(p.tw, "    line %d\t%s\t\t%s\t%s\t%s\t%s\t%s\n", l.Line, code, lineMethod(&l),
			money(l.BilledCents), money(l.AllowedCents), money(l.SavingsCents), l.HCP01)
	}
	return nil
}

// lineMethod describes how a line was priced.
func lineMethod(l *repriceLineJSON) string {
	switch {
	case l.HCP01 == repricing.CodeBundled:
		return "bundled"
	case l.DenyReason != "":
		return "denied " + l.DenyReason
	case !l.Priced:
		return "unpriced rule"
	}
	return "priced"
}

// finish writes the JSON document or the text summary.
func (p *repricePrinter) finish() error {
	if p.asJSON {
		return json.NewEncoder(p.w).Encode(p.doc)
	}
	if err := p.tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(p.w, "%d claims: %d priced, %d not priced; billed %s, allowed %s (priced claims)\n",
		p.total, p.total-p.unpriced, p.unpriced, money(p.billed), money(p.allowed))
	return err
}
