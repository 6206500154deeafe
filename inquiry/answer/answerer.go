package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claimstatus"
	"github.com/clearinghouse/clearinghouse/edi/eligibility"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/roster"
)

// Set kinds answered.
var (
	Kind270 = envelope.SetKey{FunctionalID: eligibility.FunctionalIDInquiry, ID: "270", Version: eligibility.Version}
	Kind276 = envelope.SetKey{FunctionalID: claimstatus.FunctionalIDInquiry, ID: "276", Version: claimstatus.Version}
)

// Kinds are the set kinds an Answerer takes.
var Kinds = []envelope.SetKey{Kind270, Kind276}

// Lookup is what answering reads: the roster and the claims. *store.Store,
// *store.Tx and *store.Queries satisfy it.
type Lookup interface {
	roster.MemberLookup
	inquiry.ClaimLookup
}

// Identity is who we are in the envelopes of our answers.
type Identity struct {
	// Qualifier and ID are ISA05/ISA06 (and GS02); default: the received
	// ISA07/ISA08.
	Qualifier, ID string
}

// Config configures an Answerer.
type Config struct {
	// Eligibility answers 270 inquiries; nil leaves 270 sets unanswered.
	Eligibility *inquiry.Eligibility
	// Status answers 276 inquiries; nil leaves 276 sets unanswered.
	Status *inquiry.ClaimStatusResponder
	// Identity is our sender identity.
	Identity Identity
	// Usage is ISA15 of the answers ("" echoes the inquiry's).
	Usage string
	// Chunk is how many inquiries are answered together (one roster
	// prefetch) and how many sets one answer interchange holds at most.
	// Default 1000.
	Chunk int
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Suffix is written after every segment terminator (default "\n").
	Suffix *string
}

// Answerer answers 270 and 276 transaction sets with 271 and 277 sets.
// It is safe for concurrent use.
type Answerer struct {
	cfg    Config
	suffix string
}

// New returns an Answerer.
func New(cfg Config) (*Answerer, error) {
	if cfg.Eligibility == nil && cfg.Status == nil {
		return nil, errors.New("answer: New: neither an eligibility nor a status responder")
	}
	if cfg.Chunk <= 0 {
		cfg.Chunk = 1000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Answerer{cfg: cfg, suffix: "\n"}
	if cfg.Suffix != nil {
		a.suffix = *cfg.Suffix
	}
	return a, nil
}

// Kinds returns the set kinds this Answerer answers.
func (a *Answerer) Kinds() []envelope.SetKey {
	var out []envelope.SetKey
	if a.cfg.Eligibility != nil {
		out = append(out, Kind270)
	}
	if a.cfg.Status != nil {
		out = append(out, Kind276)
	}
	return out
}

// ControlNumbers numbers our answer interchanges (ISA13, GS06);
// validate.ControlNumbers kinds KindInterchange and KindGroup.
type ControlNumbers = validate.ControlNumbers

// Stats counts what answering one set did.
type Stats struct {
	Inquiries int
	// Active, Inactive and Rejected count 271 answers (EB*1, EB*6, AAA).
	Active, Inactive, Rejected int
	// Found and NotFound count 276 answers.
	Found, NotFound int
	// Interchanges is the number of answer interchanges written.
	Interchanges int
	// First summarises the first answer for the audit log (no PHI):
	// "EB:1", "AAA:2100C:75", "STC:F1:65", ...; FirstEntity and
	// FirstEntityID say what it was about ("member" and the member ID,
	// "claim" and our control number).
	First, FirstEntity, FirstEntityID string
}

// envelope is the outbound envelope of answers to the set described by
// info.
func (a *Answerer) envelope(info *validate.SetInfo, isa, gs int64) ack.OutboundEnvelope {
	out := ack.OutboundEnvelope{Control: isa, GroupControl: gs, Time: a.cfg.Now(), Usage: a.cfg.Usage, Suffix: a.suffix,
		SenderQualifier: info.Receiver.Qualifier, SenderID: info.Receiver.ID,
		ReceiverQualifier: info.Sender.Qualifier, ReceiverID: info.Sender.ID,
		AppSender: info.AppReceiver, AppReceiver: info.AppSender}
	if out.Usage == "" {
		out.Usage = info.Usage
	}
	if a.cfg.Identity.ID != "" {
		out.SenderQualifier, out.SenderID, out.AppSender = a.cfg.Identity.Qualifier, a.cfg.Identity.ID, a.cfg.Identity.ID
		if out.SenderQualifier == "" {
			out.SenderQualifier = "ZZ"
		}
	}
	return out
}

// answerSet answers the inquiries c collected for the set info and
// writes the answer interchanges to w.
func (a *Answerer) answerSet(ctx context.Context, lookup Lookup, partner string, info *validate.SetInfo, c *collector,
	ctl ControlNumbers, w io.Writer) (Stats, error) {
	var st Stats
	next := func() (ack.OutboundEnvelope, error) {
		isa, err := ctl.Next(ctx, validate.KindInterchange)
		if err != nil {
			return ack.OutboundEnvelope{}, err
		}
		gs, err := ctl.Next(ctx, validate.KindGroup)
		if err != nil {
			return ack.OutboundEnvelope{}, err
		}
		st.Interchanges++
		return a.envelope(info, isa, gs), nil
	}
	today := a.cfg.Now().UTC().Format("20060102")
	switch c.kind {
	case "270":
		el := a.cfg.Eligibility
		if el == nil {
			return st, fmt.Errorf("answer: no eligibility responder")
		}
		err := each(c, a.cfg.Chunk, func(qs []*eligibility.Inquiry) error {
			inqs := make([]inquiry.EligibilityInquiry, len(qs))
			for i, q := range qs {
				inqs[i] = EligibilityInquiry(q)
			}
			if err := el.Prefetch(ctx, lookup, inqs); err != nil {
				return err
			}
			rs := make([]eligibility.Response, 0, len(qs))
			for i, q := range qs {
				ans, err := el.Answer(ctx, lookup, inqs[i])
				if err != nil {
					return err
				}
				st.count271(&inqs[i], &ans)
				rs = append(rs, Response271(q, &ans))
			}
			env, err := next()
			if err != nil {
				return err
			}
			return eligibility.Write271(w, rs, env)
		})
		return st, err
	case "276":
		sr := a.cfg.Status
		if sr == nil {
			return st, fmt.Errorf("answer: no claim status responder")
		}
		err := each(c, a.cfg.Chunk, func(qs []*claimstatus.Inquiry) error {
			rs := make([]claimstatus.Response, 0, len(qs))
			for _, q := range qs {
				inq := StatusInquiry(partner, q)
				ans, err := sr.Answer(ctx, lookup, inq)
				if err != nil {
					return err
				}
				st.count277(&ans)
				rs = append(rs, Response277(q, &ans, today))
			}
			env, err := next()
			if err != nil {
				return err
			}
			return claimstatus.Write277(w, rs, env)
		})
		return st, err
	}
	return st, fmt.Errorf("answer: set kind %s not answered", c.kind)
}

func (st *Stats) count271(q *inquiry.EligibilityInquiry, a *inquiry.EligibilityAnswer) {
	st.Inquiries++
	summary := ""
	switch {
	case a.Reject != nil:
		st.Rejected++
		summary = "AAA:" + a.Reject.Loop + ":" + a.Reject.Code
	case a.Active():
		st.Active++
		summary = "EB:1"
	default:
		st.Inactive++
		summary = "EB:6"
	}
	if st.First == "" {
		st.First, st.FirstEntity, st.FirstEntityID = summary, "member", q.Subscriber.MemberID
	}
}

func (st *Stats) count277(a *inquiry.StatusAnswer) {
	st.Inquiries++
	if a.Found {
		st.Found++
	} else {
		st.NotFound++
	}
	if st.First == "" && len(a.Claims) > 0 && len(a.Claims[0].Statuses) > 0 {
		st.First, st.FirstEntity = "STC:"+a.Claims[0].Statuses[0].String(), "claim"
		st.FirstEntityID = a.Claims[0].ControlNumber
	}
}
