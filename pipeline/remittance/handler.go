package remittance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// Outcome counters a file's result gets (`process --json` outcomes).
const (
	CountRemittances = "remittances"
	CountForwarded   = "remittances_forwarded"
	CountHeld        = "remittances_held"
	CountClaims      = "remittance_claims"
	CountMatched     = "remittance_claims_matched"
	CountUnmatched   = "remittance_claims_unmatched"
)

// Config configures the Handler and the Forwarder.
type Config struct {
	// Receiver returns the ISA07/ISA08 qualifier and ID we address a
	// partner by in the ERAs we forward to it. Nil: "ZZ" and the partner
	// ID upper-cased.
	Receiver func(partner string) (qualifier, id string)
}

// Handler is the pipeline.SetHandler of 835 remittances (HP, 835,
// 005010X221A1) a partner sends: it decodes each set as it streams
// (edi/remit.Decoder, one claim payment at a time), records it at SE with
// every claim payment matched (Match) and the matched claims' payments
// refreshed, and once the interchange is accepted forwards the set,
// re-enveloped with our ISA/GS and its body untouched, to the partner
// enrolled for its payee (store ERA enrollments), exactly once through
// the outbox; without an enrollment the remittance is held with the
// reason. A set that is not accepted leaves nothing: its rows are
// deleted and the claims' payments restored. A remittance is never split:
// the whole set goes to one partner (BPR/TRN stay intact). A set's claim
// payments are kept as store rows until its SE (one set is one payment,
// whose size the payer bounds); to be re-enveloped the set is read again
// from the spool, alone.
type Handler struct {
	cfg Config
}

// NewHandler returns the 835 set handler.
func NewHandler(cfg Config) *Handler { return &Handler{cfg: cfg} }

// Kinds implements pipeline.SetHandler.
func (h *Handler) Kinds() []envelope.SetKey {
	return []envelope.SetKey{{FunctionalID: remit.FunctionalID, ID: "835", Version: remit.Version}}
}

// Begin implements pipeline.SetHandler.
func (h *Handler) Begin(sc *pipeline.SetContext, info validate.SetInfo) (schema.Handler, pipeline.SetWork) {
	w := &work{h: h, info: info}
	w.dec = remit.NewDecoder(w.claim, w.set)
	return w.dec, w
}

// work is one 835 set.
type work struct {
	h      *Handler
	info   validate.SetInfo
	dec    *remit.Decoder
	header bool
	rem    store.Remittance
	id     int64 // the recorded remittance, 0 when not recorded
}

// claim converts one decoded claim payment.
func (w *work) claim(cc *remit.ClaimContext) error {
	if !w.header {
		w.header = true
		setHeader(&w.rem, cc.Remittance)
	}
	w.rem.Claims = append(w.rem.Claims, toRemitClaim(cc.Claim, len(w.rem.Claims)+1))
	return nil
}

// set takes the header of a set (also of one without claims).
func (w *work) set(r *remit.Remittance) error {
	setHeader(&w.rem, r)
	w.header = true
	return nil
}

// End records the remittance (unless its own 999 verdict rejects it).
func (w *work) End(sc *pipeline.SetContext, sr validate.SetResult) error {
	if sr.Ack == "R" {
		w.rem.Claims = nil
		return nil
	}
	fileID := sc.File.ID
	r := &w.rem
	r.Direction, r.PartnerID, r.InboundFileID, r.State = store.RemitIn, sc.File.PartnerID, &fileID, store.RemitReceived
	r.ISAControl, r.GroupControl, r.SetControl, r.ByteOffset = clean(sr.Interchange), clean(sr.Group), clean(sr.Control), sr.Offset
	// A reprocessed file records its sets again.
	if err := sc.Tx.ForgetRemittanceOfSet(sc.Ctx, fileID, sr.Offset); err != nil {
		return err
	}
	if err := Match(sc.Ctx, sc.Tx, r); err != nil {
		return err
	}
	if err := sc.Tx.InsertRemittance(sc.Ctx, r); err != nil {
		return err
	}
	w.id = r.ID
	sc.Count(CountClaims, r.ClaimCount)
	sc.Count(CountMatched, r.MatchedCount)
	sc.Count(CountUnmatched, r.ClaimCount-r.MatchedCount)
	w.rem.Claims = nil // recorded: keep the header only until Settle
	return nil
}

// Settle undoes a set that is not accepted, and forwards or holds an
// accepted one.
func (w *work) Settle(sc *pipeline.SetContext, out *pipeline.SetOutcome) error {
	if !out.Accepted {
		sc.Reject(out.Reasons, 1)
		if w.id != 0 {
			return sc.Tx.DeleteRemittance(sc.Ctx, w.id)
		}
		return nil
	}
	if w.id == 0 {
		return nil
	}
	name := fmt.Sprintf("835-%s-%s-%s.x12", sc.NameBase(out.Interchange), pipeline.GroupNamePart(out.Group, 0),
		pipeline.SafeNamePart(out.Set.Control, "st"))
	if err := sc.Tx.SettleRemittance(sc.Ctx, w.id, out.TransactionID, out.Interchange.Offset, name); err != nil {
		return err
	}
	sc.Count(CountRemittances, 1)
	rem, err := sc.Tx.GetRemittanceHeader(sc.Ctx, w.id)
	if err != nil {
		return err
	}
	f := &Forwarder{cfg: w.h.cfg, q: sc.Tx, seq: sc.Seq, now: sc.Now, identity: sc.Identity, usage: sc.Usage,
		open: func() (io.ReadSeekCloser, error) { return sc.OpenInbound() },
		enqueue: func(partner, name string, data []byte) error {
			return sc.Enqueue(partner, store.Kind835, name, data)
		}}
	forwarded, err := f.forward(sc.Ctx, rem)
	if err != nil {
		return err
	}
	if forwarded {
		sc.Count(CountForwarded, 1)
	} else {
		sc.Count(CountHeld, 1)
	}
	return nil
}

// Forwarder re-envelopes received remittances and queues them to the
// partner enrolled for their payee. The Handler uses one for every
// accepted set; Release for a held one.
type Forwarder struct {
	cfg      Config
	q        *store.Queries
	seq      *store.Queries
	now      func() time.Time
	identity pipeline.Identity
	usage    string
	open     func() (io.ReadSeekCloser, error)
	enqueue  func(partner, name string, data []byte) error
}

// forward queues rem's 835 to its payee's enrolled partner and records it
// forwarded, or holds it with the reason (no enrollment, a set that
// cannot be re-enveloped); it reports whether it forwarded.
func (f *Forwarder) forward(ctx context.Context, rem *store.Remittance) (bool, error) {
	e, err := f.q.ERAPartner(ctx, rem.PayeeNPI, rem.PayeeTIN)
	if errors.Is(err, store.ErrNotFound) {
		return false, f.q.HoldRemittance(ctx, rem.ID, noEnrollment(rem))
	}
	if err != nil {
		return false, err
	}
	data, err := f.build(ctx, rem, e.PartnerID)
	if err != nil {
		var fe *remit.FieldError
		if errors.As(err, &fe) || errors.Is(err, errSetNotFound) {
			return false, f.q.HoldRemittance(ctx, rem.ID, "cannot re-envelope: "+err.Error())
		}
		return false, err
	}
	if err := f.enqueue(e.PartnerID, rem.OutboundName, data); err != nil {
		return false, err
	}
	ob, err := f.q.GetOutboundByName(ctx, e.PartnerID, rem.OutboundName)
	if err != nil {
		return false, err
	}
	return true, f.q.ForwardRemittance(ctx, rem.ID, e.PartnerID, ob.ID)
}

func noEnrollment(rem *store.Remittance) string {
	var ids []string
	if rem.PayeeNPI != "" {
		ids = append(ids, "NPI "+rem.PayeeNPI)
	}
	if rem.PayeeTIN != "" {
		ids = append(ids, "TIN "+rem.PayeeTIN)
	}
	if len(ids) == 0 {
		return "no ERA enrollment: the payee has no NPI or TIN"
	}
	return "no ERA enrollment for payee " + strings.Join(ids, " or ")
}

var errSetNotFound = errors.New("transaction set not found in the spooled file")

// build reads rem's set from the spooled inbound file and writes it in a
// new interchange of ours for partner.
func (f *Forwarder) build(ctx context.Context, rem *store.Remittance, partner string) ([]byte, error) {
	in, err := f.open()
	if err != nil {
		return nil, err
	}
	defer in.Close()
	set, err := ReadSet(in, rem.ISAOffset, rem.ByteOffset)
	if err != nil {
		return nil, err
	}
	isa, err := f.seq.NextControlNumber(ctx, partner, store.ControlISA)
	if err != nil {
		return nil, err
	}
	gs, err := f.seq.NextControlNumber(ctx, partner, store.ControlGS)
	if err != nil {
		return nil, err
	}
	rq, rid := "ZZ", strings.ToUpper(partner)
	if f.cfg.Receiver != nil {
		rq, rid = f.cfg.Receiver(partner)
	}
	usage := f.usage
	if usage == "" {
		usage = "P"
	}
	var buf bytes.Buffer
	err = remit.Reenvelope(&buf, []*remit.Remittance{set}, ack.OutboundEnvelope{Control: isa, GroupControl: gs,
		Time: f.now(), SenderQualifier: f.identity.Qualifier, SenderID: f.identity.ID, ReceiverQualifier: rq,
		ReceiverID: rid, Usage: usage})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadSet reads the 835 transaction set whose ST is at byte offset st of
// input in, in the interchange whose ISA is at isa, and decodes it with
// its segments (remit.DecodeSet), ready for remit.Reenvelope. Memory holds
// that one set.
func ReadSet(in io.ReadSeeker, isa, st int64) (*remit.Remittance, error) {
	if _, err := in.Seek(isa, io.SeekStart); err != nil {
		return nil, err
	}
	rd := x12.NewReader(in)
	var segs []*x12.Segment
	version := ""
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) && segs == nil {
				continue
			}
			return nil, err
		}
		if segs == nil {
			if seg.Is("GS") {
				version = seg.String(8)
			}
			if seg.Is("ST") && seg.Offset+isa == st {
				segs = append(segs, seg.Clone())
			}
			if seg.Is("IEA") {
				break
			}
			continue
		}
		segs = append(segs, seg.Clone())
		if seg.Is("SE") {
			r, _, err := remit.DecodeSet(version, segs)
			return r, err
		}
	}
	return nil, fmt.Errorf("remittance: ST at offset %d: %w", st, errSetNotFound)
}

// setHeader copies the BPR/TRN/payer/payee of a decoded set.
func setHeader(r *store.Remittance, x *remit.Remittance) {
	r.PayerName, r.PayerID = clean(x.Payer.Name), clean(x.Payer.ID)
	if r.PayerID == "" {
		for _, ref := range x.Payer.Refs {
			if ref.Qualifier == "2U" {
				r.PayerID = clean(ref.Value)
			}
		}
	}
	if r.PayerID == "" {
		r.PayerID = clean(x.Trace.Originator)
	}
	r.PayeeName, r.PayeeNPI, r.PayeeTIN = clean(x.Payee.Name), clean(x.Payee.NPI()), clean(x.Payee.TIN())
	r.Handling, r.CreditDebit, r.PaymentCents = clean(x.Payment.Handling), clean(x.Payment.CreditDebit), x.Payment.Amount
	r.PaymentMethod, r.PaymentDate = clean(x.Payment.Method), date8(x.Payment.Date)
	r.TraceNumber, r.TraceOriginator = clean(x.Trace.Number), clean(x.Trace.Originator)
	r.ProductionDate = date8(x.ProductionDate)
}

// toRemitClaim converts a decoded claim payment.
func toRemitClaim(c *remit.Claim, seq int) store.RemitClaim {
	rc := store.RemitClaim{Seq: seq, CLP01: clean(c.PatientControlNumber), Status: clean(c.Status),
		ChargeCents: c.Charge, PaidCents: c.Paid, PatientRespCents: c.PatientResponsibility,
		FilingIndicator: clean(c.FilingIndicator), PayerClaimNumber: clean(c.PayerClaimControlNumber),
		Facility: clean(c.Facility), Frequency: clean(c.Frequency),
		StatementFrom: date8(c.StatementFrom), StatementTo: date8(c.StatementTo),
		Adjustments: adjustments(c.Adjustments)}
	if rc.Status == "" {
		rc.Status = "?"
	}
	for _, ref := range c.Refs {
		if (ref.Qualifier == "9A" || ref.Qualifier == "9C") && rc.ClaimRef == "" {
			rc.ClaimRef = clean(ref.Value)
		}
	}
	if p := c.Patient; p != nil {
		rc.PatientLast, rc.PatientFirst, rc.MemberID = clean(p.LastOrOrg), clean(p.First), clean(p.ID)
	}
	if p := c.Insured; p != nil && p.ID != "" {
		rc.MemberID = clean(p.ID)
	}
	var remarks []string
	if c.Outpatient != nil {
		remarks = append(remarks, c.Outpatient.Remarks...)
	}
	if c.Inpatient != nil {
		remarks = append(remarks, c.Inpatient.Remarks...)
	}
	rc.Remarks = joinCodes(remarks)
	for i, l := range c.Lines {
		rl := store.RemitLine{LineNo: i + 1, ProcedureQualifier: clean(l.Procedure.Qualifier),
			ProcedureCode: clean(l.Procedure.Code), Modifiers: strings.ReplaceAll(joinCodes(l.Procedure.Modifiers), ";", ":"),
			RevenueCode: clean(l.RevenueCode), ChargeCents: l.Charge, PaidCents: l.Paid, Units: l.Units,
			ServiceFrom: date8(l.ServiceFrom), ServiceTo: date8(l.ServiceTo), LineControl: clean(l.ControlNumber()),
			Adjustments: adjustments(l.Adjustments)}
		if l.ServiceDate != "" {
			rl.ServiceFrom, rl.ServiceTo = date8(l.ServiceDate), ""
		}
		if a, ok := l.Allowed(); ok {
			rl.AllowedCents = &a
		}
		var rs []string
		for _, r := range l.Remarks {
			if r.Qualifier == "HE" {
				rs = append(rs, r.Code)
			}
		}
		rl.Remarks = joinCodes(rs)
		rc.Lines = append(rc.Lines, rl)
	}
	return rc
}

func adjustments(as []remit.Adjustment) store.Adjustments {
	var out store.Adjustments
	for _, a := range as {
		for _, r := range a.Reasons {
			out = append(out, store.Adjustment{Group: clean(a.Group), Reason: clean(r.Code), Amount: r.Amount, Quantity: r.Quantity})
		}
	}
	return out
}

// joinCodes joins codes with ";" (dropping empty ones and separators
// inside a code).
func joinCodes(cs []string) string {
	var out []string
	for _, c := range cs {
		if c = strings.ReplaceAll(clean(c), ";", ""); c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, ";")
}

// clean makes an X12 value safe to store (PostgreSQL refuses NUL and
// invalid UTF-8 in text).
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// date8 keeps a CCYYMMDD date and drops anything else (the validator
// reported it).
func date8(d string) string {
	if len(d) != 8 || strings.Trim(d, "0123456789") != "" {
		return ""
	}
	return d
}

// ReleaseConfig is what Release needs besides the store.
type ReleaseConfig struct {
	Config
	// Identity is our ISA sender; Usage ISA15 (default "P").
	Identity pipeline.Identity
	Usage    string
	// Now is the envelope time. Default time.Now.
	Now func() time.Time
	// Open opens a spooled inbound file by its spool path; Spool stores
	// an outbound file's bytes and returns its path, SHA-256 and size.
	Open  func(path string) (io.ReadSeekCloser, error)
	Spool func(ctx context.Context, data []byte) (path, sha256 string, size int64, err error)
}

// ErrNotHeld is returned by Release for a remittance that is not held.
var ErrNotHeld = errors.New("remittance is not held")

// Release forwards a held remittance (after its payee was enrolled), in
// one transaction: re-enveloped to the enrolled partner and queued under
// the name it was held with, exactly once (a second release finds it
// forwarded: ErrNotHeld). Without an enrollment it stays held (the reason
// is refreshed) and Release returns "" and no error.
func Release(ctx context.Context, st *store.Store, cfg ReleaseConfig, id int64) (partner string, err error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		rem, err := tx.GetRemittanceHeader(ctx, id)
		if err != nil {
			return err
		}
		if rem.State != store.RemitHeld || rem.Direction != store.RemitIn || rem.InboundFileID == nil {
			return fmt.Errorf("remittance %d (%s): %w", id, rem.State, ErrNotHeld)
		}
		in, err := tx.GetInbound(ctx, *rem.InboundFileID)
		if err != nil {
			return err
		}
		f := &Forwarder{cfg: cfg.Config, q: tx.Queries, seq: tx.Queries, now: cfg.Now, identity: cfg.Identity, usage: cfg.Usage,
			open: func() (io.ReadSeekCloser, error) { return cfg.Open(in.SpoolPath) },
			enqueue: func(p, name string, data []byte) error {
				path, sum, size, err := cfg.Spool(ctx, data)
				if err != nil {
					return err
				}
				_, _, err = tx.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: p, Kind: store.Kind835, Name: name,
					InboundFileID: rem.InboundFileID, SpoolPath: path, SHA256: sum, Size: size})
				return err
			}}
		forwarded, err := f.forward(ctx, rem)
		if err != nil || !forwarded {
			return err
		}
		after, err := tx.GetRemittanceHeader(ctx, id)
		if err != nil {
			return err
		}
		partner = after.ForwardPartner
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("remittance: release %d: %w", id, err)
	}
	return partner, nil
}
