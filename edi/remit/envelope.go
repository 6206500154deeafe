package remit

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

const maxControl = 999_999_999

// isaQualifiers are the HIPAA ISA05/ISA07 qualifiers.
var isaQualifiers = []string{"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"}

// envelope is the resolved outbound ISA/GS of an 835 interchange.
type envelope struct {
	sq, sid, rq, rid string // ISA05..ISA08
	gs02, gs03       string
	usage            string
	ackRequested     bool
	control, group   int64
	t                time.Time
}

func (e *envelope) values() []string {
	return []string{e.sq, e.sid, e.rq, e.rid, e.gs02, e.gs03, e.usage}
}

// resolveEnvelope applies the defaults of out (as for the 277CA: there is
// no received ISA to answer, so SenderID and ReceiverID are required,
// qualifiers default to ZZ, GS02/GS03 to the ISA IDs, Usage to P) and
// checks it; n is the number of sets numbered from out.SetControl.
func resolveEnvelope(out *ack.OutboundEnvelope, n int) (*envelope, error) {
	if out.Control < 1 || out.Control > maxControl {
		return nil, fmt.Errorf("isa13 %d: %w", out.Control, ack.ErrControlNumber)
	}
	if out.GroupControl < 1 || out.GroupControl > maxControl {
		return nil, fmt.Errorf("gs06 %d: %w", out.GroupControl, ack.ErrControlNumber)
	}
	if out.SetControl == 0 {
		out.SetControl = 1
	}
	if out.SetControl < 1 || out.SetControl+int64(max(n, 1))-1 > maxControl {
		return nil, fmt.Errorf("st02 %d: %w", out.SetControl, ack.ErrControlNumber)
	}
	if out.Time.IsZero() {
		return nil, ack.ErrNoTime
	}
	if out.SenderID == "" || out.ReceiverID == "" {
		return nil, ack.ErrNoParty
	}
	e := &envelope{
		sq: out.SenderQualifier, sid: out.SenderID, rq: out.ReceiverQualifier, rid: out.ReceiverID,
		gs02: out.AppSender, gs03: out.AppReceiver, usage: out.Usage, ackRequested: out.AckRequested,
		control: out.Control, group: out.GroupControl, t: out.Time,
	}
	e.sq = or(e.sq, "ZZ")
	e.rq = or(e.rq, "ZZ")
	e.usage = or(e.usage, "P")
	e.gs02 = or(e.gs02, e.sid)
	e.gs03 = or(e.gs03, e.rid)
	var errs []error
	bad := func(field string, cause error) {
		errs = append(errs, &FieldError{Field: "OutboundEnvelope." + field, Err: cause})
	}
	if !slices.Contains(isaQualifiers, e.sq) {
		bad("SenderQualifier", fmt.Errorf("%w: not one of %s", ErrInvalid, strings.Join(isaQualifiers, " ")))
	}
	if !slices.Contains(isaQualifiers, e.rq) {
		bad("ReceiverQualifier", fmt.Errorf("%w: not one of %s", ErrInvalid, strings.Join(isaQualifiers, " ")))
	}
	if len(e.sid) > 15 || strings.TrimSpace(e.sid) == "" {
		bad("SenderID", fmt.Errorf("%w: length must be 1 to 15", ErrInvalid))
	}
	if len(e.rid) > 15 || strings.TrimSpace(e.rid) == "" {
		bad("ReceiverID", fmt.Errorf("%w: length must be 1 to 15", ErrInvalid))
	}
	if len(e.gs02) < 2 || len(e.gs02) > 15 {
		bad("AppSender", fmt.Errorf("%w: GS02 length must be 2 to 15", ErrInvalid))
	}
	if len(e.gs03) < 2 || len(e.gs03) > 15 {
		bad("AppReceiver", fmt.Errorf("%w: GS03 length must be 2 to 15", ErrInvalid))
	}
	if e.usage != "P" && e.usage != "T" && e.usage != "I" {
		bad("Usage", fmt.Errorf("%w: not P, T or I", ErrInvalid))
	}
	if y := e.t.Year(); y < 2000 || y > 2099 {
		bad("Time", fmt.Errorf("%w: ISA09 year must be 20YY", ErrInvalid))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return e, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// begin writes ISA (through the one outbound ISA writer, ack.WriteISA)
// and GS.
func (e *envelope) begin(xw *x12.Writer) {
	ack.WriteISA(xw, ack.ISA{SenderQualifier: e.sq, SenderID: e.sid, ReceiverQualifier: e.rq, ReceiverID: e.rid,
		Time: e.t, Control: e.control, AckRequested: e.ackRequested, Usage: e.usage})
	xw.Write("GS", FunctionalID, e.gs02, e.gs03, e.t.Format("20060102"), e.t.Format("1504"),
		strconv.FormatInt(e.group, 10), "X", Version)
}

// end writes GE (sets counted by the caller) and IEA.
func (e *envelope) end(xw *x12.Writer, sets int) {
	xw.Write("GE", strconv.Itoa(sets), strconv.FormatInt(e.group, 10))
	ack.WriteIEA(xw, 1, e.control)
}
