package answer

import (
	"bytes"
	"context"
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/realtime"
)

// Sequences is the store's control-number sequences (*store.Store).
type Sequences interface {
	NextControlNumber(ctx context.Context, partnerID, kind string) (int64, error)
}

// PartnerControls numbers a partner's answers from the store's
// sequences (the ones its acknowledgments use).
type PartnerControls struct {
	Seq     Sequences
	Partner string
}

// Next implements ControlNumbers.
func (p PartnerControls) Next(ctx context.Context, kind string) (int64, error) {
	return p.Seq.NextControlNumber(ctx, p.Partner, kind)
}

// Realtime answers real-time requests (realtime.Responder): one
// interchange holding one 270 or 276 transaction set.
type Realtime struct {
	Answerer *Answerer
	Lookup   Lookup
	// Controls numbers the answers of each partner (ControlBlocks over
	// the store).
	Controls interface {
		For(partner string) ControlNumbers
	}
	// Options are the validation options (leniency, receiver IDs).
	Options validate.Options
}

var _ realtime.Responder = (*Realtime)(nil)

// Respond implements realtime.Responder: the 271 or 277 when the request
// validates, else its 999 (or TA1 when the interchange is rejected).
func (rt *Realtime) Respond(ctx context.Context, req realtime.Request) (realtime.Answer, error) {
	p := bytes.TrimLeft(req.Payload, "\ufeff \t\r\n")
	if !bytes.HasPrefix(p, []byte("ISA")) {
		return realtime.Answer{}, realtime.ErrNotX12
	}
	ctl := rt.Controls.For(req.Partner)
	var out bytes.Buffer
	res, err := rt.Answerer.Answer(ctx, bytes.NewReader(p), &out, req.Partner, rt.Lookup, ctl, rt.Options)
	if err != nil {
		return realtime.Answer{}, err
	}
	env := res.Envelope
	sets, kind := 0, ""
	for ii := range env.Interchanges {
		for _, g := range env.Interchanges[ii].Groups {
			for _, s := range g.Sets {
				sets++
				kind = s.ID
			}
		}
	}
	if len(env.Interchanges) != 1 || sets > 1 {
		return realtime.Answer{}, realtime.ErrUnsupported
	}
	want := map[string]string{realtime.PayloadType270: "270", realtime.PayloadType276: "276"}[req.PayloadType]
	if want != "" && sets == 1 && kind != want {
		return realtime.Answer{}, realtime.ErrUnsupported
	}
	if res.Sets == 1 {
		ans := realtime.Answer{Payload: out.Bytes(), Entity: res.Stats.FirstEntity, EntityID: res.Stats.FirstEntityID, Outcome: res.Stats.First}
		ans.PayloadType = realtime.PayloadType271
		if kind == "276" {
			ans.PayloadType = realtime.PayloadType277
		}
		return ans, nil
	}
	// Not answered: the acknowledgment says why.
	acks, err := rt.Answerer.Acks(ctx, env, ctl)
	if err != nil {
		return realtime.Answer{}, err
	}
	ic := env.Interchanges[0]
	for _, a := range acks {
		if a.Kind == "999" {
			return realtime.Answer{Payload: a.Data, PayloadType: realtime.PayloadType999, Entity: "interchange",
				EntityID: ic.Control, Outcome: "999:" + groupAck(&ic)}, nil
		}
	}
	for _, a := range acks {
		if a.Kind == "TA1" {
			return realtime.Answer{Payload: a.Data, PayloadType: realtime.PayloadTypeTA1, Entity: "interchange",
				EntityID: ic.Control, Outcome: "TA1:" + ic.TA1.Ack + ":" + ic.TA1.Note}, nil
		}
	}
	// A damaged ISA names no one to acknowledge.
	return realtime.Answer{}, fmt.Errorf("%w: the interchange header cannot be read", realtime.ErrNotX12)
}

func groupAck(ic *envelope.Interchange) string {
	if len(ic.Groups) == 0 {
		return ""
	}
	return ic.Groups[0].Ack
}
