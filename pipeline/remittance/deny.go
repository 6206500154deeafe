package remittance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/remit"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// denial is what a denial 835 says of a claim denied for a note.
type denial struct {
	carc, rarc string
}

// denials maps the notes of the claims we deny (pipeline rules, roster
// eligibility, routing) to the CARC (group CO) and RARC of their denial
// 835: exact duplicates CARC 18 (M86), members not found CARC 31 (N382),
// members not covered on the date of service CARC 27 (N30), claims
// without a route CARC 109.
var denials = map[string]denial{
	"exact-duplicate":        {"18", "M86"},
	"member_not_found":       {"31", "N382"},
	"member_id_case":         {"31", "N382"},
	"member_id_suffix":       {"31", "N382"},
	"not_covered_on_dos":     {"27", "N30"},
	"no-route":               {"109", ""},
	"payer-wrong-claim-type": {"109", ""},
	"tpa-unrouted":           {"109", ""},
}

// denialNotes are the keys of denials, sorted.
func denialNotes() []string {
	var ns []string
	for n := range denials {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// denialOf returns the denial of a claim by its notes.
func denialOf(c *store.Claim) (denial, bool) {
	for _, n := range c.NoteList() {
		if d, ok := denials[n]; ok {
			return d, true
		}
	}
	return denial{}, false
}

// DenyConfig configures a Denier.
type DenyConfig struct {
	Config
	// Identity is our ISA sender; Usage ISA15 (default "P").
	Identity pipeline.Identity
	Usage    string
	// Payer is us as the payer of record (1000A: name, ID, address and
	// the technical contact the guide requires); TaxID (9 digits) makes
	// TRN03 ("1" + TaxID).
	Payer remit.Payer
	TaxID string
	// Denies reports whether the route of a payer ID and claim type has
	// deny_remit set.
	Denies func(payerID, claimType string) bool
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Batch caps the claims read per query. Default 1000.
	Batch int
}

// DenyResult is what one Denier run wrote.
type DenyResult struct {
	// Remittances counts the denial 835s queued; Claims the claims they
	// deny.
	Remittances int
	Claims      int
	// Files are the queued files.
	Files []DenialFile
}

// DenialFile is one queued denial 835 and the number of claims it denies.
type DenialFile struct {
	store.OutboundFile
	Claims int
}

// Denier writes the zero-pay 835s of the claims we deny, for the routes
// configured with deny_remit: duplicates (CARC 18), members not found or
// not covered (31, 27) and claims without a route (109). Each run writes
// one 835 per submitter and payee (billing NPI, else TIN) of the claims
// denied since the last run: BPR01 H (notification, no payment), CLP02 4,
// CAS*CO with the CARC and MOA with the RARC where one applies, balanced
// and validated by edi/remit.Write; queued to the submitter with the
// remittance recorded (direction out, state sent) and the claims marked
// in the same transaction, so each claim is denied exactly once, by one
// engine even when several run.
type Denier struct {
	st *store.Store
	sp *spool.Spool
	c  DenyConfig
}

// NewDenier returns a Denier.
func NewDenier(st *store.Store, sp *spool.Spool, cfg DenyConfig) (*Denier, error) {
	if cfg.Denies == nil {
		return nil, errors.New("remittance: denier needs Denies")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Usage == "" {
		cfg.Usage = "P"
	}
	return &Denier{st: st, sp: sp, c: cfg}, nil
}

// denyKey groups the claims of one denial 835.
type denyKey struct {
	partner, payeeQual, payee string
}

// RunOnce writes the denial 835s of the claims denied since the last run.
func (d *Denier) RunOnce(ctx context.Context) (DenyResult, error) {
	var res DenyResult
	groups := map[denyKey][]store.Claim{}
	var keys []denyKey
	notes := denialNotes()
	for after := int64(0); ; {
		cs, err := d.st.DenialCandidates(ctx, notes, after, d.c.Batch)
		if err != nil {
			return res, err
		}
		for _, c := range cs {
			if _, ok := denialOf(&c); !ok || !d.c.Denies(c.PayerID, c.ClaimType) {
				continue
			}
			k := denyKey{c.PartnerID, "XX", c.BillingNPI}
			if c.BillingNPI == "" {
				k = denyKey{c.PartnerID, "FI", c.BillingTIN}
			}
			if k.payee == "" {
				continue // no payee to address: the 835 could not be written
			}
			if groups[k] == nil {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], c)
		}
		if len(cs) < d.c.Batch {
			break
		}
		after = cs[len(cs)-1].ID
	}
	for _, k := range keys {
		f, err := d.write(ctx, k, groups[k])
		if errors.Is(err, store.ErrConflict) {
			continue // another engine denied these claims first
		}
		if err != nil {
			return res, fmt.Errorf("remittance: denial 835 for %s: %w", k.partner, err)
		}
		res.Remittances++
		res.Claims += len(groups[k])
		res.Files = append(res.Files, DenialFile{OutboundFile: *f, Claims: len(groups[k])})
	}
	return res, nil
}

// write writes, queues and records the denial 835 of one payee's claims.
func (d *Denier) write(ctx context.Context, k denyKey, claims []store.Claim) (*store.OutboundFile, error) {
	now := d.c.Now().UTC()
	var out *store.OutboundFile
	err := d.st.InTx(ctx, func(tx *store.Tx) error {
		isa, err := tx.NextControlNumber(ctx, k.partner, store.ControlISA)
		if err != nil {
			return err
		}
		gs, err := tx.NextControlNumber(ctx, k.partner, store.ControlGS)
		if err != nil {
			return err
		}
		rem, rows := d.build(k, claims, now, isa)
		rq, rid := "ZZ", strings.ToUpper(k.partner)
		if d.c.Receiver != nil {
			rq, rid = d.c.Receiver(k.partner)
		}
		var buf bytes.Buffer
		if err := remit.Write(&buf, []remit.Remittance{rem}, ack.OutboundEnvelope{Control: isa, GroupControl: gs, Time: now,
			SenderQualifier: d.c.Identity.Qualifier, SenderID: d.c.Identity.ID, ReceiverQualifier: rq, ReceiverID: rid,
			Usage: d.c.Usage}); err != nil {
			return err
		}
		f, err := d.sp.PutBytes(ctx, "outbound", buf.Bytes())
		if err != nil {
			return err
		}
		name := fmt.Sprintf("835-DENY-%s-%09d.x12", pipeline.SafeNamePart(d.c.Identity.ID, "us"), isa)
		ob, _, err := tx.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: k.partner, Kind: store.Kind835, Name: name,
			SpoolPath: f.Path, SHA256: f.SHA256, Size: f.Size})
		if err != nil {
			return err
		}
		r := &store.Remittance{Direction: store.RemitOut, PartnerID: k.partner, State: store.RemitSent,
			ISAControl: fmt.Sprintf("%09d", isa), GroupControl: fmt.Sprint(gs), SetControl: "0001",
			PayerID: rem.Payer.ID, PayerName: rem.Payer.Name, PayeeName: rem.Payee.Name, Handling: "H", CreditDebit: "C",
			PaymentMethod: "NON", PaymentDate: rem.Payment.Date, TraceNumber: rem.Trace.Number,
			TraceOriginator: rem.Trace.Originator, ProductionDate: rem.ProductionDate, ForwardPartner: k.partner,
			OutboundName: name, OutboundFileID: &ob.ID, Claims: rows}
		if k.payeeQual == "XX" {
			r.PayeeNPI = k.payee
		} else {
			r.PayeeTIN = k.payee
		}
		if err := tx.InsertRemittance(ctx, r); err != nil {
			return err
		}
		ids := make([]int64, len(claims))
		for i := range claims {
			ids[i] = claims[i].ID
		}
		if err := tx.MarkDenialRemitted(ctx, r.ID, ids); err != nil {
			return err
		}
		out = ob
		return nil
	})
	return out, err
}

// build makes the denial 835 of one payee's claims and its store rows.
func (d *Denier) build(k denyKey, claims []store.Claim, now time.Time, isa int64) (remit.Remittance, []store.RemitClaim) {
	date := now.Format("20060102")
	rem := remit.Remittance{
		Payment:        remit.Payment{Handling: "H", CreditDebit: "C", Method: "NON", Date: date},
		Trace:          remit.Trace{Type: "1", Number: fmt.Sprintf("DENY%09d", isa), Originator: "1" + strings.Replace(d.c.TaxID, "-", "", 1)},
		ProductionDate: date,
		Payer:          d.c.Payer,
		Payee:          remit.Payee{Name: "PROVIDER " + k.payee, IDQualifier: k.payeeQual, ID: k.payee},
	}
	g := &remit.Group{Number: 1}
	var rows []store.RemitClaim
	for i, c := range claims {
		dn, _ := denialOf(&c)
		last := c.PatientLast
		if last == "" {
			last = "UNKNOWN"
		}
		rc := &remit.Claim{PatientControlNumber: c.CLM01, Status: "4", Charge: c.BilledCents, FilingIndicator: "ZZ",
			PayerClaimControlNumber: c.ControlNumber, Frequency: c.Frequency,
			Adjustments:   []remit.Adjustment{{Group: "CO", Reasons: []remit.Reason{{Code: dn.carc, Amount: c.BilledCents}}}},
			Patient:       &remit.Party{Entity: "QC", Type: "1", LastOrOrg: last, First: c.PatientFirst},
			StatementFrom: c.ServiceFrom, StatementTo: c.ServiceTo}
		if c.MemberID != "" {
			rc.Patient.IDQualifier, rc.Patient.ID = "MI", c.MemberID
		}
		if rc.Frequency == "" {
			rc.Frequency = "1"
		}
		if dn.rarc != "" {
			rc.Outpatient = &remit.Outpatient{Remarks: []string{dn.rarc}}
		}
		g.Claims = append(g.Claims, rc)
		id := c.ID
		rows = append(rows, store.RemitClaim{Seq: i + 1, ClaimID: &id, MatchMethod: store.MatchRef, CLP01: c.CLM01,
			Status: "4", Outcome: store.PaymentDenied, ChargeCents: c.BilledCents, FilingIndicator: "ZZ",
			PayerClaimNumber: c.ControlNumber, Frequency: rc.Frequency, ClaimRef: c.ControlNumber,
			PatientLast: c.PatientLast, PatientFirst: c.PatientFirst, MemberID: c.MemberID,
			StatementFrom: c.ServiceFrom, StatementTo: c.ServiceTo,
			Adjustments: store.Adjustments{{Group: "CO", Reason: dn.carc, Amount: c.BilledCents}}, Remarks: dn.rarc})
	}
	rem.Groups = []*remit.Group{g}
	rem.ComputeTotals()
	rem.Payment.Handling, rem.Payment.Method = "H", "NON"
	return rem, rows
}
