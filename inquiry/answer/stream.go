package answer

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// Result is what Answer did with a stream.
type Result struct {
	// Envelope is the validation result (TA1, 999 verdicts).
	Envelope *envelope.Result
	// Stats add up the answered sets.
	Stats Stats
	// Sets is the number of sets answered; NotAccepted the number of
	// 270/276 sets not answered because they (or their group or
	// interchange) were not accepted.
	Sets, NotAccepted int
}

// Answer validates the X12 stream r (envelope and implementation guide,
// opts as for validate.Run; Supported and Handler are set here), answers
// every accepted 270 and 276 set from lookup, and writes the answer
// interchanges (271, 277) to w in input order. Sets that are not accepted
// are not answered: res.Envelope says why, and the caller sends the
// acknowledgments (Acks). partner is who asks (their claims only).
//
// Memory does not grow with the number of inquiries: a set's inquiries
// are kept in a temporary file until its interchange's verdict is known,
// then answered Chunk at a time.
func (a *Answerer) Answer(ctx context.Context, r io.Reader, w io.Writer, partner string, lookup Lookup, ctl ControlNumbers, opts validate.Options) (*Result, error) {
	res := &Result{}
	type pending struct {
		info validate.SetInfo
		c    *collector
	}
	sets := map[int64]*pending{}
	var failed error
	opts.Supported = a.Kinds()
	opts.Handler = func(info validate.SetInfo) schema.Handler {
		if !info.Supported {
			return nil
		}
		c := newCollector(info.ID)
		sets[info.Offset] = &pending{info: info, c: c}
		return c
	}
	opts.OnInterchangeEnd = func(ic *envelope.Interchange) {
		for gi := range ic.Groups {
			g := &ic.Groups[gi]
			for si := range g.Sets {
				s := &g.Sets[si]
				p := sets[s.Offset]
				if p == nil {
					continue
				}
				delete(sets, s.Offset)
				if failed != nil || !ic.SetAccepted(g, s) {
					if failed == nil {
						res.NotAccepted++
					}
					p.c.sp.close()
					continue
				}
				st, err := a.answerSet(ctx, lookup, partner, &p.info, p.c, ctl, w)
				p.c.sp.close()
				if err != nil {
					failed = fmt.Errorf("answer %s set %s: %w", s.ID, s.Control, err)
					continue
				}
				res.Sets++
				res.Stats.add(st)
			}
		}
	}
	env, err := validate.Run(ctx, r, opts)
	for _, p := range sets {
		p.c.sp.close()
	}
	if err != nil {
		return nil, err
	}
	if failed != nil {
		return nil, failed
	}
	res.Envelope = env
	return res, nil
}

func (s *Stats) add(o Stats) {
	s.Inquiries += o.Inquiries
	s.Active += o.Active
	s.Inactive += o.Inactive
	s.Rejected += o.Rejected
	s.Found += o.Found
	s.NotFound += o.NotFound
	s.Interchanges += o.Interchanges
	if s.First == "" {
		s.First, s.FirstEntity, s.FirstEntityID = o.First, o.FirstEntity, o.FirstEntityID
	}
}

// Ack is one acknowledgment of an answered stream.
type Ack struct {
	Kind string // "TA1" or "999"
	// Interchange and Group are the received ISA13 and GS06 it answers.
	Interchange, Group string
	// Accepted reports TA104 / AK901 acceptance (A or E).
	Accepted bool
	Data     []byte
}

// Acks writes the acknowledgments an answered stream calls for: a TA1
// for every interchange that asks for one or is not accepted cleanly, and
// a 999 for every group of an interchange that is not rejected, as the
// engine sends them.
func (a *Answerer) Acks(ctx context.Context, env *envelope.Result, ctl ControlNumbers) ([]Ack, error) {
	var out []Ack
	for ii := range env.Interchanges {
		ic := &env.Interchanges[ii]
		in := ic.Header()
		base := ack.OutboundEnvelope{Time: a.cfg.Now(), Usage: a.cfg.Usage, Suffix: a.suffix}
		if a.cfg.Identity.ID != "" {
			base.SenderQualifier, base.SenderID, base.AppSender = a.cfg.Identity.Qualifier, a.cfg.Identity.ID, a.cfg.Identity.ID
			if base.SenderQualifier == "" {
				base.SenderQualifier = "ZZ"
			}
		}
		if ic.SendTA1 && in.SenderID != "" {
			isa, err := ctl.Next(ctx, validate.KindInterchange)
			if err != nil {
				return nil, err
			}
			o := base
			o.Control = isa
			var b bytes.Buffer
			if err := ack.WriteTA1(&b, in, ic.TA1, o); err != nil {
				return nil, err
			}
			out = append(out, Ack{Kind: "TA1", Interchange: ic.Control, Accepted: ic.TA1.Ack != ack.Rejected, Data: b.Bytes()})
		}
		if !ic.Accepted() {
			continue
		}
		for gi := range ic.Groups {
			g := &ic.Groups[gi]
			isa, err := ctl.Next(ctx, validate.KindInterchange)
			if err != nil {
				return nil, err
			}
			gs, err := ctl.Next(ctx, validate.KindGroup)
			if err != nil {
				return nil, err
			}
			o := base
			o.Control, o.GroupControl = isa, gs
			var b bytes.Buffer
			r := ic.AckResult(g)
			if err := ack.Write999(&b, r, o); err != nil {
				return nil, err
			}
			out = append(out, Ack{Kind: "999", Interchange: ic.Control, Group: g.Control, Accepted: ack.IsAccepted(g.Ack), Data: b.Bytes()})
		}
	}
	return out, nil
}
