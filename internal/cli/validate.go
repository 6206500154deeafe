package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

func (a *app) validateCmd() *cobra.Command {
	var (
		asJSON bool
		ackDir string
	)
	cmd := &cobra.Command{
		Use:   "validate [--json] [--ack-dir DIR] FILE...",
		Short: "Validate X12 files (envelopes, 837P/837I implementation guides) and report TA1/999 verdicts",
		Long: `validate checks each file's ISA/GS/ST envelopes and, for the sets listed
below, the body against the implementation guide. Every problem is reported
with its TA1/999 code, segment position, loop, element position and byte
offset.

Bodies checked against their implementation guide:
  ` + checkedGuides() + `.
Every other set (834, 999, 820, ...) is checked at the envelope
level only: its verdict is "envelope only", never "accepted".

Exit status: 0 when every transaction set is accepted without errors and
its body was checked; 1 when anything is rejected or accepted with errors;
2 when a file cannot be read or the usage is wrong; 3 when nothing is
rejected but at least one set was checked at the envelope level only.
With several files the worst wins: 2, then 1, then 3, then 0.

--json prints one JSON object per file (one per line) with a "verdict":
"accepted", "envelope only" or "rejected". --ack-dir writes the TA1 and
999 acknowledgments there, named like the engine's (999-<file>-<ISA06>-
<ISA13>-<GS06>.x12, TA1-<file>-<ISA06>-<ISA13>.x12, <file> being the input's
base name without extension). --config is honoured: identity (the
acknowledgments' sender), usage and leniency.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if ackDir != "" {
				if err := os.MkdirAll(ackDir, 0o750); err != nil {
					return &ExitError{Code: 2, Err: err}
				}
			}
			counter := validate.NewCounter(1)
			written := map[string]bool{}
			status := 0
			enc := json.NewEncoder(a.stdout)
			for _, name := range args {
				f, err := os.Open(name)
				if err != nil {
					fmt.Fprintln(a.stderr, "clearinghouse:", err)
					status = 2
					continue
				}
				res, err := validate.Run(cmd.Context(), f, validate.Options{Lenient: leniency(cfg.Leniency)})
				f.Close()
				if err != nil {
					fmt.Fprintf(a.stderr, "clearinghouse: %s: %v\n", name, err)
					status = 2
					continue
				}
				report := newValidateReport(name, res)
				if asJSON {
					if err := enc.Encode(report); err != nil {
						return err
					}
				} else {
					printReport(a.stdout, report)
				}
				if ackDir != "" {
					files, err := writeValidateAcks(cmd.Context(), res, name, ackDir, cfg, counter, written)
					if err != nil {
						fmt.Fprintf(a.stderr, "clearinghouse: %s: %v\n", name, err)
						status = 2
						continue
					}
					for _, af := range files {
						if af.Path != "" && !asJSON {
							fmt.Fprintf(a.stdout, "  wrote %s %s\n", af.Kind, af.Path)
						} else if af.Skipped != "" {
							fmt.Fprintf(a.stderr, "  %s not written: %s\n", af.Kind, af.Skipped)
						}
					}
				}
				status = worseStatus(status, report.status(res))
			}
			if status != 0 {
				return exitCode(status)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON report per file")
	cmd.Flags().StringVar(&ackDir, "ack-dir", "", "write TA1/999 acknowledgments into this directory")
	return cmd
}

// Verdicts of `validate` (the "verdict" of its JSON report).
const (
	verdictAccepted     = "accepted"
	verdictEnvelopeOnly = "envelope only"
	verdictRejected     = "rejected"
)

// validateReport is the JSON object `validate --json` prints per file: the
// edi/validate report plus the verdict, which says "envelope only" when a
// set's body was not checked against an implementation guide.
type validateReport struct {
	validate.FileReport
	Verdict string `json:"verdict"`
	// EnvelopeOnlySets counts the sets whose body was not checked.
	EnvelopeOnlySets int `json:"envelope_only_sets"`
}

func newValidateReport(name string, res *envelope.Result) validateReport {
	r := validateReport{FileReport: validate.Report(name, res), Verdict: verdictAccepted}
	for _, ic := range r.Interchanges {
		for _, g := range ic.Groups {
			for _, t := range g.Transactions {
				if !t.BodyChecked {
					r.EnvelopeOnlySets++
				}
			}
		}
	}
	switch {
	case !r.Accepted:
		r.Verdict = verdictRejected
	case r.EnvelopeOnlySets > 0:
		r.Verdict = verdictEnvelopeOnly
	}
	return r
}

// status is the file's exit status: res.Status (0 clean, 1 rejected or
// accepted with errors), and 3 instead of 0 when a body went unchecked.
func (r validateReport) status(res *envelope.Result) int {
	s := res.Status()
	if s == 0 && r.EnvelopeOnlySets > 0 {
		return 3
	}
	return s
}

// checkedGuides names the implementation guides whose bodies validate
// checks, e.g. "837P (005010X222A1), 837I (005010X223A2)".
func checkedGuides() string {
	var names []string
	for _, s := range schema.Sets() {
		id, version, _ := strings.Cut(s, "/")
		label := id
		switch {
		case id == "837" && strings.Contains(version, "X222"):
			label = "837P"
		case id == "837" && strings.Contains(version, "X223"):
			label = "837I"
		case id == "277" && strings.Contains(version, "X214"):
			label = "277CA"
		case id == "835":
			label = "835"
		}
		names = append(names, fmt.Sprintf("%s (%s)", label, version))
	}
	return strings.Join(names, ", ")
}

// printReport writes the human-readable form of a validation report.
func printReport(w io.Writer, r validateReport) {
	verdict := r.Verdict
	switch r.Verdict {
	case verdictRejected:
		verdict = "REJECTED"
	case verdictEnvelopeOnly:
		verdict = fmt.Sprintf("envelope only (%d set(s) not checked against an implementation guide; not accepted as valid)", r.EnvelopeOnlySets)
	}
	fmt.Fprintf(w, "%s: %s\n", r.File, verdict)
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  %s\n", issueLine(e))
	}
	for _, ic := range r.Interchanges {
		fmt.Fprintf(w, "  interchange %s  %s:%s -> %s:%s  TA1 %s %s\n", ic.Control, ic.SenderQualifier, ic.Sender,
			ic.ReceiverQualifier, ic.Receiver, ic.TA1.Ack, ic.TA1.Note)
		for _, e := range ic.Errors {
			fmt.Fprintf(w, "    %s\n", issueLine(e))
		}
		for _, g := range ic.Groups {
			fmt.Fprintf(w, "    group %s  %s %s  AK9 %s  (%d received, %d accepted)%s\n", g.Control, g.ID, g.Version, g.Ack,
				g.Received, g.Accepted, codes(g.Codes))
			for _, e := range g.Errors {
				fmt.Fprintf(w, "      %s\n", issueLine(e))
			}
			for _, t := range g.Transactions {
				body := ""
				if !t.BodyChecked {
					body = "  (envelope only)"
				}
				fmt.Fprintf(w, "      set %s  %s %s  IK5 %s%s  %d segments%s\n", t.Control, t.ID, t.Version, t.Ack, codes(t.Codes), t.SegmentCount, body)
				for _, e := range t.Errors {
					fmt.Fprintf(w, "        %s\n", issueLine(e))
				}
				if t.Dropped > 0 {
					fmt.Fprintf(w, "        ... %d more\n", t.Dropped)
				}
			}
		}
	}
}

func codes(c []string) string {
	if len(c) == 0 {
		return ""
	}
	return " [" + strings.Join(c, ",") + "]"
}

func issueLine(e validate.IssueReport) string {
	var b strings.Builder
	sev := ""
	if e.Severity == "warning" {
		sev = " (warning)"
	}
	switch e.Level {
	case "element":
		fmt.Fprintf(&b, "IK3 %s IK4 %s%s  %s%02d", e.IK3, e.IK4, sev, e.SegmentID, e.ElementPosition)
		if e.ComponentPosition > 0 {
			fmt.Fprintf(&b, "-%d", e.ComponentPosition)
		}
	case "segment":
		fmt.Fprintf(&b, "IK3 %s%s  %s", e.IK3, sev, e.SegmentID)
	default:
		fmt.Fprintf(&b, "%s %s%s", e.Level, e.Code, sev)
		if e.SegmentID != "" {
			fmt.Fprintf(&b, "  %s", e.SegmentID)
		}
	}
	if e.SegmentPosition > 0 {
		fmt.Fprintf(&b, " at position %d", e.SegmentPosition)
	}
	if e.Loop != "" {
		fmt.Fprintf(&b, " loop %s", e.Loop)
	}
	fmt.Fprintf(&b, " offset %d: %s", e.Offset, e.Message)
	return b.String()
}

func (a *app) translateCmd() *cobra.Command {
	var pretty bool
	cmd := &cobra.Command{
		Use:   "translate [--pretty] FILE",
		Short: "Print the 837P/837I claims of a file as JSON (typed loops), for people to read",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			defer f.Close()
			// The document is written as the transactions are decoded;
			// --pretty is exactly json.Indent(compact, "", "  ").
			nl, indent := "", ""
			if pretty {
				nl, indent = "\n", "  "
			}
			name, _ := json.Marshal(args[0])
			sep := " "
			if !pretty {
				sep = ""
			}
			fmt.Fprintf(a.stdout, "{%s%s\"file\":%s%s,%s%s\"transactions\":%s[", nl, indent, sep, name, nl, indent, sep)
			n := 0
			var decoders []*claim.TransactionDecoder
			emit := func(tx *claim.Transaction) error {
				var b []byte
				var err error
				if pretty {
					b, err = json.MarshalIndent(tx, indent+indent, indent)
				} else {
					b, err = json.Marshal(tx)
				}
				if err != nil {
					return err
				}
				if n > 0 {
					fmt.Fprint(a.stdout, ",")
				}
				fmt.Fprint(a.stdout, nl+indent+indent)
				n++
				_, err = a.stdout.Write(b)
				return err
			}
			res, err := validate.Run(cmd.Context(), f, validate.Options{
				Handler: func(set validate.SetInfo) schema.Handler {
					if claim.KindOf(set.Version) == "" {
						return nil
					}
					d := claim.NewTransactionDecoder(claim.KindOf(set.Version), emit)
					decoders = append(decoders, d)
					return d
				},
			})
			if err != nil {
				return err
			}
			for _, d := range decoders {
				if err := d.Flush(); err != nil {
					return err
				}
			}
			if n > 0 {
				fmt.Fprint(a.stdout, nl+indent)
			}
			fmt.Fprintf(a.stdout, "]%s}\n", nl)
			if n == 0 {
				return errors.New("no 837P/837I transaction set found")
			}
			if res.Status() != 0 {
				fmt.Fprintln(a.stderr, "note: the file has validation errors; run `clearinghouse validate` for details")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&pretty, "pretty", false, "indent the JSON")
	return cmd
}
