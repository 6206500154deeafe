// Package validate is the streaming validation orchestrator: x12.Reader
// -> envelope.Machine -> the implementation-guide parser of each set
// (schema.Lookup + schema.NewParser) -> one envelope.Result with every
// finding, from which it builds the JSON report of
// `clearinghouse validate --json` and the TA1/999 acknowledgments.
//
//	res, err := validate.Run(ctx, f, validate.Options{
//		Supported: envelope.Claims,               // a claims intake
//		Handler:   func(s validate.SetInfo) schema.Handler { return decoder(s) },
//		OnSetEnd:  func(r validate.SetResult) { log.Info("set", "st02", r.Control, "ack", r.Ack) },
//	})
//	if err != nil {
//		return err // read error, cancelled, or a handler failed
//	}
//	json.NewEncoder(os.Stdout).Encode(validate.Report(name, res))
//	files, err := validate.WriteAcks(ctx, res, ackDir, validate.AckOptions{
//		ControlNumbers: validate.NewCounter(1),
//	})
//	os.Exit(res.Status())
//
// Run streams: its memory depends on the number of transaction sets and
// findings, not on the input size (a 200 MB test stream stays well under
// 50 MB of heap). Tokenizer errors become findings and reading goes on;
// the context is checked every 1024 segments.
//
// Exit status (Result.Status): 0 when every interchange, group and set was
// accepted with nothing noted and nothing was found outside the
// interchanges; 1 otherwise, "accepted with errors" included. The report's
// "accepted" is the looser "nothing was rejected".
//
// Acknowledgments (WriteAcks): a TA1 for each interchange that asked for
// one (ISA14 = 1), is not accepted cleanly, or when Options.RequireTA1 is
// set; a 999 for every group of every interchange that was not rejected
// (a rejected interchange gets its TA1 only). Control numbers come from a
// ControlNumbers the caller supplies (Counter for the CLI, the store's
// sequences in the pipeline).
package validate
