package forward

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// receiver returns ISA07/ISA08 for partner: the route's ReceiverID for
// its Partner, else "ZZ" and the partner ID upper-cased.
func receiver(r Route, partner string) (qual, id string) {
	qual, id = "ZZ", strings.ToUpper(partner)
	if partner == r.Partner && r.ReceiverID != "" {
		id = r.ReceiverID
		if r.ReceiverQualifier != "" {
			qual = r.ReceiverQualifier
		}
	}
	if len(id) > 15 {
		id = id[:15]
	}
	return qual, id
}

// encodeSet re-encodes one selected set into the batch's body with the
// next ST02 of the partner's sequence, so the batch keeps bytes, not the
// decoded set and the transaction it was selected from.
func (f *Forwarder) encodeSet(ctx context.Context, bt *batch, set *claim.Transaction) error {
	st, err := f.seq.NextControlNumber(ctx, bt.key.partner, store.ControlST)
	if err != nil {
		return err
	}
	sw := x12.NewWriter(&bt.body, x12.DefaultDelimiters)
	if err := claim.EncodeSet(sw, set, fmt.Sprintf("%04d", st)); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	// A set's segments keep the line breaks they were read with; end the
	// set's line so the next segment starts its own.
	if b := bt.body.Bytes(); len(b) > 0 && b[len(b)-1] != '\n' {
		bt.body.WriteByte('\n')
	}
	bt.sets++
	return nil
}

// writeInterchange renders a batch as one interchange with one HC group:
// ISA/GS from our identity to the partner, the batch's encoded sets, and
// the trailers counted here, with the batch's control numbers
// (numberInterchange).
func (f *Forwarder) writeInterchange(bt *batch) ([]byte, error) {
	partner := bt.key.partner
	isa, gs := bt.isa, bt.gs // drawn when the batch was handed over
	rq, rid := receiver(bt.route, partner)
	t := f.cfg.Now()
	id := f.cfg.Identity
	d := x12.DefaultDelimiters
	var buf bytes.Buffer
	buf.Grow(bt.body.Len() + 512)
	xw := x12.NewWriter(&buf, d)
	xw.Suffix = "\n"
	ack.WriteISA(xw, ack.ISA{SenderQualifier: id.Qualifier, SenderID: id.ID, ReceiverQualifier: rq, ReceiverID: rid,
		Time: t, Control: isa, Usage: f.cfg.Usage})
	xw.Write("GS", "HC", id.ID, rid, t.Format("20060102"), t.Format("1504"),
		strconv.FormatInt(gs, 10), "X", bt.key.version)
	if err := xw.Flush(); err != nil {
		return nil, err
	}
	buf.Write(bt.body.Bytes())
	xw.Write("GE", strconv.Itoa(bt.sets), strconv.FormatInt(gs, 10))
	ack.WriteIEA(xw, 1, isa)
	if err := xw.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// numberInterchange draws the ISA13 and GS06 of a batch's interchange
// from the partner's sequences. It runs when the batch is handed to the
// flushers, so that a partner's interchanges are numbered in the order
// their batches were filled, whichever flusher writes them first.
func (f *Forwarder) numberInterchange(ctx context.Context, bt *batch) error {
	isa, err := f.seq.NextControlNumber(ctx, bt.key.partner, store.ControlISA)
	if err != nil {
		return err
	}
	gs, err := f.seq.NextControlNumber(ctx, bt.key.partner, store.ControlGS)
	if err != nil {
		return err
	}
	bt.isa, bt.gs = isa, gs
	return nil
}

// setParties sets a selected set's 1000A to us and its 1000B to partner,
// in the model: the NM1s are replaced in place and every other segment is
// kept (writeInterchange encodes the set as edited).
func (f *Forwarder) setParties(set *claim.Transaction, r Route, partner string) error {
	_, rid := receiver(r, partner)
	if err := set.SetSubmitter(f.cfg.Identity.Name, claim.PartyIDQualifier, f.cfg.Identity.ID); err != nil {
		return fmt.Errorf("set %s: submitter: %w", set.ControlNumber, err)
	}
	if err := set.SetReceiver(receiverName(r, partner), claim.PartyIDQualifier, rid); err != nil {
		return fmt.Errorf("set %s: receiver: %w", set.ControlNumber, err)
	}
	return nil
}

// receiverName is the 1000B name for partner: the route's ReceiverName for
// its Partner, else the partner ID upper-cased (cut to the 60 characters
// NM103 allows).
func receiverName(r Route, partner string) string {
	if partner == r.Partner && r.ReceiverName != "" {
		return r.ReceiverName
	}
	name := strings.ToUpper(partner)
	if len(name) > 60 {
		name = name[:60]
	}
	return name
}
