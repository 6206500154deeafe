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

// writeInterchange renders a batch as one interchange with one HC group:
// ISA/GS from our identity to the partner, each selected set re-encoded
// with a new ST02, and the trailers counted here. Control numbers come
// from the partner's sequences.
func (f *Forwarder) writeInterchange(ctx context.Context, bt *batch) ([]byte, error) {
	partner := bt.key.partner
	isa, err := f.st.NextControlNumber(ctx, partner, store.ControlISA)
	if err != nil {
		return nil, err
	}
	gs, err := f.st.NextControlNumber(ctx, partner, store.ControlGS)
	if err != nil {
		return nil, err
	}
	rq, rid := receiver(bt.route, partner)
	t := f.cfg.Now()
	id := f.cfg.Identity
	parties := [2]string{
		"NM1*41*2*" + id.Name + "*****46*" + id.ID,
		"NM1*40*2*" + receiverName(bt.route, partner) + "*****46*" + rid,
	}
	d := x12.DefaultDelimiters
	var buf bytes.Buffer
	xw := x12.NewWriter(&buf, d)
	xw.Suffix = "\n"
	ack.WriteISA(xw, ack.ISA{SenderQualifier: id.Qualifier, SenderID: id.ID, ReceiverQualifier: rq, ReceiverID: rid,
		Time: t, Control: isa, Usage: f.cfg.Usage})
	xw.Write("GS", "HC", id.ID, rid, t.Format("20060102"), t.Format("1504"),
		strconv.FormatInt(gs, 10), "X", bt.key.version)
	for _, set := range bt.sets {
		st, err := f.st.NextControlNumber(ctx, partner, store.ControlST)
		if err != nil {
			return nil, err
		}
		if err := xw.Flush(); err != nil {
			return nil, err
		}
		var sb bytes.Buffer
		sw := x12.NewWriter(&sb, d)
		if err := claim.EncodeSet(sw, set, fmt.Sprintf("%04d", st)); err != nil {
			return nil, err
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
		buf.Write(rewriteParties(sb.Bytes(), d, parties))
		// A set's segments keep the line breaks they were read with; end
		// the set's line so the next segment starts its own.
		if b := buf.Bytes(); len(b) > 0 && b[len(b)-1] != '\n' {
			buf.WriteByte('\n')
		}
	}
	xw.Write("GE", strconv.Itoa(len(bt.sets)), strconv.FormatInt(gs, 10))
	ack.WriteIEA(xw, 1, isa)
	if err := xw.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// receiverName is the 1000B name for partner: the route's ReceiverName for
// its Partner, else the partner ID upper-cased.
func receiverName(r Route, partner string) string {
	if partner == r.Partner && r.ReceiverName != "" {
		return r.ReceiverName
	}
	return strings.ToUpper(partner)
}

// rewriteParties replaces the 1000A submitter (NM1*41) and 1000B receiver
// (NM1*40) names of one encoded set (written with delimiters d) with
// parties[0] and parties[1], written with "*" as element separator. Only
// the header, before the first HL, is searched; every other byte is kept,
// and the segment count does not change. The 1000A PER is kept.
//
// package claim has no edit for the 1000A/1000B loops yet; this works on
// the bytes instead.
func rewriteParties(set []byte, d x12.Delimiters, parties [2]string) []byte {
	out := make([]byte, 0, len(set)+64)
	rest := set
	header := true
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, d.Segment)
		if i < 0 {
			out = append(out, rest...)
			break
		}
		seg := rest[:i+1]
		rest = rest[i+1:]
		body := bytes.TrimLeft(seg, " \t\r\n")
		lead := seg[:len(seg)-len(body)]
		if header {
			switch {
			case bytes.HasPrefix(body, []byte{'H', 'L', d.Element}):
				header = false
			case bytes.HasPrefix(body, []byte{'N', 'M', '1', d.Element, '4', '1', d.Element}):
				seg = append(append(append([]byte{}, lead...), translate(parties[0], d)...), d.Segment)
			case bytes.HasPrefix(body, []byte{'N', 'M', '1', d.Element, '4', '0', d.Element}):
				seg = append(append(append([]byte{}, lead...), translate(parties[1], d)...), d.Segment)
			}
		}
		out = append(out, seg...)
	}
	return out
}

// translate writes an NM1 built with "*" with the element separator of d.
func translate(s string, d x12.Delimiters) []byte {
	return bytes.ReplaceAll([]byte(s), []byte{'*'}, []byte{d.Element})
}
