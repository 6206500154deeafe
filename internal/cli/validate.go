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
		Long: `validate checks each file's ISA/GS/ST envelopes and, for 837P (005010X222A1)
and 837I (005010X223A2) sets, the implementation guide. Every problem is
reported with its TA1/999 code, segment position, loop, element position
and byte offset.

Exit status: 0 when every transaction set is accepted without errors, 1 when
anything is rejected or accepted with errors, 2 when a file cannot be read
or the usage is wrong. --json prints one JSON object per file (one per
line). --ack-dir writes the TA1 and 999 acknowledgments there.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if ackDir != "" {
				if err := os.MkdirAll(ackDir, 0o750); err != nil {
					return &ExitError{Code: 2, Err: err}
				}
			}
			counter := validate.NewCounter(1)
			status := 0
			enc := json.NewEncoder(a.stdout)
			for _, name := range args {
				f, err := os.Open(name)
				if err != nil {
					fmt.Fprintln(a.stderr, "clearinghouse:", err)
					status = 2
					continue
				}
				res, err := validate.Run(cmd.Context(), f, validate.Options{})
				f.Close()
				if err != nil {
					fmt.Fprintf(a.stderr, "clearinghouse: %s: %v\n", name, err)
					status = 2
					continue
				}
				report := validate.Report(name, res)
				if asJSON {
					if err := enc.Encode(report); err != nil {
						return err
					}
				} else {
					printReport(a.stdout, report)
				}
				if ackDir != "" {
					files, err := validate.WriteAcks(cmd.Context(), res, ackDir, validate.AckOptions{ControlNumbers: counter})
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
				if s := res.Status(); s > status && status != 2 {
					status = s
				}
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

// printReport writes the human-readable form of a validation report.
func printReport(w io.Writer, r validate.FileReport) {
	verdict := "accepted"
	if !r.Accepted {
		verdict = "REJECTED"
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
			enc := json.NewEncoder(a.stdout)
			indent := ""
			if pretty {
				indent = "  "
				enc.SetIndent(indent, "  ")
			}
			nl := ""
			if pretty {
				nl = "\n"
			}
			fmt.Fprintf(a.stdout, "{%s%s\"file\": %q,%s%s\"transactions\": [", nl, indent, args[0], nl, indent)
			n := 0
			var decoders []*claim.TransactionDecoder
			emit := func(tx *claim.Transaction) error {
				if n > 0 {
					fmt.Fprint(a.stdout, ",")
				}
				fmt.Fprint(a.stdout, nl+indent+indent)
				n++
				return enc.Encode(tx)
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
			fmt.Fprintf(a.stdout, "%s%s]%s}\n", nl, indent, nl)
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
