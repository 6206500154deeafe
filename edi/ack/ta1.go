package ack

import (
	"fmt"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// WriteTA1 writes a TA1 interchange acknowledgment for the received
// interchange in, inside its own ISA/IEA (IEA01 = 0: a TA1 is not a
// functional group), addressed back to the sender (sender and receiver
// swapped unless out overrides them) and numbered out.Control.
//
// TA101..TA103 echo the received ISA13, ISA09 and ISA10. When the received
// values are unusable (a damaged header) the TA1 carries 000000000 and
// out.Time's date and time instead, a local choice X12 leaves to the
// trading partners. TA105 is ta1.Note ("000" when empty).
func WriteTA1(w io.Writer, in InterchangeHeader, ta1 TA1, out OutboundEnvelope) error {
	if err := out.check(false); err != nil {
		return fmt.Errorf("write ta1: %w", err)
	}
	sq, sid, rq, rid, err := out.isaParties(in)
	if err != nil {
		return fmt.Errorf("write ta1: %w", err)
	}
	ctl := in.Control
	if len(ctl) != 9 || !isDigits(ctl) {
		ctl = "000000000"
	}
	date, tim := in.Date, in.Time
	if len(date) != 6 || !isDigits(date) || len(tim) != 4 || !isDigits(tim) {
		date, tim = out.Time.Format("060102"), out.Time.Format("1504")
	}
	ackCode := ta1.Ack
	if ackCode == "" {
		ackCode = Accepted
	}
	note := ta1.Note
	if note == "" {
		note = NoteNoError
	}
	d, ok := PickDelimiters(out.Delimiters, sq, sid, rq, rid)
	if !ok {
		return fmt.Errorf("write ta1: no usable delimiters for the interchange parties")
	}
	xw := x12.NewWriter(w, d)
	xw.Suffix = out.Suffix
	WriteISA(xw, ISA{SenderQualifier: sq, SenderID: sid, ReceiverQualifier: rq, ReceiverID: rid, Time: out.Time, Control: out.Control, AckRequested: out.AckRequested, Usage: out.usage(in)})
	xw.Write("TA1", ctl, date, tim, ackCode, note)
	WriteIEA(xw, 0, out.Control)
	if err := xw.Flush(); err != nil {
		return fmt.Errorf("write ta1: %w", err)
	}
	return nil
}
