package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Remittances (835): the sets received from TPAs and the ones we emit,
// their claim payments (one RemitClaim per CLP) and service lines, and the
// payment each matched claim stands at (ClaimPayment), which is
// derived from the claim's remit claims in the order they were recorded
// (see RefreshClaimPayments) and never changes Claim.State: a paid claim
// can still be replaced or voided like any forwarded claim.

// RemitDirection says whether a remittance was received or emitted.
type RemitDirection string

// Remittance directions.
const (
	// RemitIn is an 835 received from a partner (a TPA).
	RemitIn RemitDirection = "in"
	// RemitOut is an 835 we emitted (a denial remittance).
	RemitOut RemitDirection = "out"
)

// RemitState is where a remittance stands.
type RemitState string

// Remittance states.
const (
	// RemitReceived: recorded, its interchange's verdict not known yet.
	RemitReceived RemitState = "received"
	// RemitForwarded: queued, re-enveloped, to the payee's enrolled partner.
	RemitForwarded RemitState = "forwarded"
	// RemitHeld: not forwarded (no ERA enrollment for the payee); HoldReason
	// says why. `remits release` forwards it once enrolled.
	RemitHeld RemitState = "held"
	// RemitSent: an 835 we emitted, queued to its partner.
	RemitSent RemitState = "sent"
)

// PaymentStatus is where a claim stands with its payer, from the
// remittances matched to it.
type PaymentStatus string

// Payment statuses (ClaimPayment.Status) and remit claim outcomes
// (RemitClaim.Outcome, which may also be PaymentReversal).
const (
	// PaymentNone: no remittance matched the claim yet.
	PaymentNone PaymentStatus = ""
	// PaymentPaid: processed (CLP02 1, 2, 3, 19, 20, 21, 25) with a
	// payment or an amount the patient owes, every service line paid or
	// left to the patient.
	PaymentPaid PaymentStatus = "paid"
	// PaymentPartial: processed with a payment, but at least one service
	// line was paid nothing and not left to the patient (a line denied).
	PaymentPartial PaymentStatus = "partial"
	// PaymentDenied: CLP02 4, or nothing paid and nothing left to the
	// patient (e.g. CLP02 23, not our claim).
	PaymentDenied PaymentStatus = "denied"
	// PaymentReversed: the latest payment was reversed (CLP02 22) and no
	// correction followed (yet).
	PaymentReversed PaymentStatus = "reversed"
	// PaymentReversal is the outcome of a reversal CLP (CLP02 22).
	PaymentReversal PaymentStatus = "reversal"
)

// PaymentStatuses are the statuses a claim can be listed by (`claims
// --state`).
var PaymentStatuses = []PaymentStatus{PaymentPaid, PaymentPartial, PaymentDenied, PaymentReversed}

// Match methods (RemitClaim.MatchMethod).
const (
	// MatchRef: REF*9A/9C of the CLP is our claim control number.
	MatchRef = "ref"
	// MatchCLM01: CLP01 + payer + billing provider + charge.
	MatchCLM01 = "clm01"
	// MatchOperator: matched by an operator (`remits match`).
	MatchOperator = "operator"
)

// Adjustment is one CAS reason: group (CO, PR, OA, PI), CARC and amount
// in cents (negative on a reversal), quantity in thousandths.
type Adjustment struct {
	Group    string `json:"group"`
	Reason   string `json:"reason"`
	Amount   int64  `json:"amount"`
	Quantity int64  `json:"quantity,omitempty"`
}

// Adjustments are stored as a JSON array.
type Adjustments []Adjustment

// Value implements driver.Valuer ("" for none).
func (a Adjustments) Value() (driver.Value, error) {
	if len(a) == 0 {
		return "", nil
	}
	b, err := json.Marshal([]Adjustment(a))
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan implements sql.Scanner.
func (a *Adjustments) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("store: adjustments: cannot scan %T", src)
	}
	*a = nil
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), (*[]Adjustment)(a))
}

// Total is the sum of the amounts, of group only when group is not "".
func (a Adjustments) Total(group string) int64 {
	var t int64
	for _, x := range a {
		if group == "" || x.Group == group {
			t += x.Amount
		}
	}
	return t
}

// Remittance is one 835 transaction set.
type Remittance struct {
	ID        int64          `db:"id"`
	Direction RemitDirection `db:"direction"`
	// PartnerID is who sent it (in) or who it is for (out).
	PartnerID string `db:"partner_id"`
	// InboundFileID and TransactionID locate a received set; ISAOffset
	// and ByteOffset are the offsets of its interchange's ISA and of its
	// ST in the spooled file.
	InboundFileID *int64 `db:"inbound_file_id"`
	TransactionID *int64 `db:"transaction_id"`
	ISAControl    string `db:"isa_control"`
	GroupControl  string `db:"group_control"`
	SetControl    string `db:"set_control"`
	ISAOffset     int64  `db:"isa_offset"`
	ByteOffset    int64  `db:"byte_offset"`
	// PayerID (N1*PR N104, else REF*2U, else TRN03) and PayerName (N102).
	PayerID   string `db:"payer_id"`
	PayerName string `db:"payer_name"`
	// PayeeName, PayeeNPI and PayeeTIN are loop 1000B.
	PayeeName string `db:"payee_name"`
	PayeeNPI  string `db:"payee_npi"`
	PayeeTIN  string `db:"payee_tin"`
	// Handling (BPR01), CreditDebit (BPR03), PaymentCents (BPR02),
	// PaymentMethod (BPR04), PaymentDate (BPR16).
	Handling      string `db:"handling"`
	CreditDebit   string `db:"credit_debit"`
	PaymentCents  int64  `db:"payment_cents"`
	PaymentMethod string `db:"payment_method"`
	PaymentDate   string `db:"payment_date"`
	// TraceNumber (TRN02: check or EFT trace) and TraceOriginator (TRN03).
	TraceNumber     string `db:"trace_number"`
	TraceOriginator string `db:"trace_originator"`
	ProductionDate  string `db:"production_date"`
	// ClaimCount and MatchedCount count its CLPs and those matched.
	ClaimCount   int        `db:"claim_count"`
	MatchedCount int        `db:"matched_count"`
	State        RemitState `db:"state"`
	HoldReason   string     `db:"hold_reason"`
	// ForwardPartner and OutboundFileID say where the 835 was queued;
	// OutboundName is the name it is (or, held, will be) queued under.
	ForwardPartner string    `db:"forward_partner"`
	OutboundName   string    `db:"outbound_name"`
	OutboundFileID *int64    `db:"outbound_file_id"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
	// Claims are its CLPs in file order (loaded by GetRemittance; given to
	// InsertRemittance).
	Claims []RemitClaim `db:"-"`
}

// RemitClaim is one CLP (loop 2100) of a remittance: a payment,
// reversal or denial of one claim.
type RemitClaim struct {
	ID           int64 `db:"id"`
	RemittanceID int64 `db:"remittance_id"`
	// Seq is the CLP's position in its remittance (1-based).
	Seq int `db:"seq"`
	// ClaimID is the claim it matched; nil when unmatched (Note says why).
	ClaimID     *int64 `db:"claim_id"`
	MatchMethod string `db:"match_method"`
	Note        string `db:"note"`
	// CLP01 (patient control number), Status (CLP02), Outcome (from the
	// status and amounts, see Classify).
	CLP01   string        `db:"clp01"`
	Status  string        `db:"status"`
	Outcome PaymentStatus `db:"outcome"`
	// ChargeCents (CLP03), PaidCents (CLP04), PatientRespCents (CLP05).
	ChargeCents      int64 `db:"charge_cents"`
	PaidCents        int64 `db:"paid_cents"`
	PatientRespCents int64 `db:"patient_resp_cents"`
	// FilingIndicator (CLP06), PayerClaimNumber (CLP07), Facility (CLP08),
	// Frequency (CLP09).
	FilingIndicator  string `db:"filing_indicator"`
	PayerClaimNumber string `db:"payer_claim_number"`
	Facility         string `db:"facility"`
	Frequency        string `db:"frequency"`
	// ClaimRef is the REF*9A/9C value (our control number when we
	// forwarded the claim).
	ClaimRef string `db:"claim_ref"`
	// PatientLast, PatientFirst and MemberID (NM1*QC / NM1*IL) are PHI.
	PatientLast  string `db:"patient_last"`
	PatientFirst string `db:"patient_first"`
	MemberID     string `db:"member_id"`
	// StatementFrom and StatementTo are DTM*232/233.
	StatementFrom string `db:"statement_from"`
	StatementTo   string `db:"statement_to"`
	// Adjustments are the claim-level CAS; Remarks the claim RARCs (MOA,
	// MIA) joined with ";".
	Adjustments Adjustments `db:"adjustments"`
	Remarks     string      `db:"remarks"`
	CreatedAt   time.Time   `db:"created_at"`
	// Lines are the service lines (SVC), in order.
	Lines []RemitLine `db:"-"`
}

// RemitLine is one SVC (loop 2110) of a remit claim.
type RemitLine struct {
	ID           int64 `db:"id"`
	RemitClaimID int64 `db:"remit_claim_id"`
	// LineNo is the SVC's position in its claim (1-based).
	LineNo int `db:"line_no"`
	// ProcedureQualifier and ProcedureCode are SVC01-1/-2, Modifiers
	// SVC01-3.. joined with ":".
	ProcedureQualifier string `db:"procedure_qualifier"`
	ProcedureCode      string `db:"procedure_code"`
	Modifiers          string `db:"modifiers"`
	RevenueCode        string `db:"revenue_code"`
	// ChargeCents (SVC02), PaidCents (SVC03), AllowedCents (AMT*B6).
	ChargeCents  int64  `db:"charge_cents"`
	PaidCents    int64  `db:"paid_cents"`
	AllowedCents *int64 `db:"allowed_cents"`
	// Units is SVC05 in thousandths.
	Units       int64  `db:"units"`
	ServiceFrom string `db:"service_from"`
	ServiceTo   string `db:"service_to"`
	// LineControl is REF*6R.
	LineControl string      `db:"line_control"`
	Adjustments Adjustments `db:"adjustments"`
	// Remarks are the LQ*HE RARCs joined with ";".
	Remarks string `db:"remarks"`
}

// RemarkList returns Remarks split at ";".
func (c *RemitClaim) RemarkList() []string { return splitList(c.Remarks) }

// RemarkList returns Remarks split at ";".
func (l *RemitLine) RemarkList() []string { return splitList(l.Remarks) }

// Classify returns the outcome of a CLP from its status and amounts: a
// reversal (22), denied (4, or nothing paid and nothing left to the
// patient), partial (paid, but a line paid nothing and was not left to
// the patient) or paid.
func (c *RemitClaim) Classify() PaymentStatus {
	switch {
	case c.Status == "22":
		return PaymentReversal
	case c.Status == "4":
		return PaymentDenied
	case c.PaidCents == 0 && c.PatientRespCents == 0:
		return PaymentDenied
	}
	for _, l := range c.Lines {
		if l.ChargeCents > 0 && l.PaidCents == 0 && l.Adjustments.Total("PR") == 0 {
			return PaymentPartial
		}
	}
	return PaymentPaid
}

const remittanceCols = `id, direction, partner_id, inbound_file_id, transaction_id, isa_control, group_control, set_control,
	isa_offset, byte_offset, payer_id, payer_name, payee_name, payee_npi, payee_tin, handling, credit_debit,
	payment_cents, payment_method, payment_date, trace_number, trace_originator, production_date, claim_count,
	matched_count, state, hold_reason, forward_partner, outbound_name, outbound_file_id, created_at, updated_at`

const remitClaimCols = `id, remittance_id, seq, claim_id, match_method, note, clp01, status, outcome, charge_cents,
	paid_cents, patient_resp_cents, filing_indicator, payer_claim_number, facility, frequency, claim_ref,
	patient_last, patient_first, member_id, statement_from, statement_to, adjustments, remarks, created_at`

const remitLineCols = `id, remit_claim_id, line_no, procedure_qualifier, procedure_code, modifiers, revenue_code,
	charge_cents, paid_cents, allowed_cents, units, service_from, service_to, line_control, adjustments, remarks`

func (r *Remittance) validate() error {
	switch {
	case r.Direction != RemitIn && r.Direction != RemitOut:
		return invalid("remittance direction", string(r.Direction), "want in or out")
	case r.PartnerID == "":
		return invalid("remittance partner", "", "empty")
	case r.Direction == RemitIn && r.InboundFileID == nil:
		return invalid("remittance inbound file", "", "a received remittance needs its file")
	}
	switch r.State {
	case RemitReceived, RemitForwarded, RemitHeld, RemitSent:
	default:
		return invalid("remittance state", string(r.State), "unknown")
	}
	for _, d := range []struct{ f, v string }{{"payment date", r.PaymentDate}, {"production date", r.ProductionDate}} {
		if err := checkDate(d.f, d.v); err != nil {
			return err
		}
	}
	for i := range r.Claims {
		c := &r.Claims[i]
		if c.Seq <= 0 {
			return invalid("remit claim seq", fmt.Sprint(c.Seq), "must be positive")
		}
		if c.Status == "" {
			return invalid("remit claim status", "", "empty")
		}
		if c.Outcome == "" {
			c.Outcome = c.Classify()
		}
		if (c.ClaimID == nil) != (c.MatchMethod == "") {
			return invalid("remit claim match", c.MatchMethod, "a matched claim needs a method, an unmatched one none")
		}
		for j := range c.Lines {
			if c.Lines[j].LineNo <= 0 {
				return invalid("remit line number", fmt.Sprint(c.Lines[j].LineNo), "must be positive")
			}
		}
	}
	return nil
}

// InsertRemittance records r with its claims and lines atomically (in the
// current transaction on a Tx), sets the IDs, ClaimCount and MatchedCount,
// and refreshes the payments of the claims it matched. A set of a file
// recorded already (same file and byte offset) is ErrConflict.
func (q *Queries) InsertRemittance(ctx context.Context, r *Remittance) error {
	if r.State == "" {
		r.State = RemitReceived
	}
	if err := r.validate(); err != nil {
		return err
	}
	now := q.now()
	r.ClaimCount, r.MatchedCount = len(r.Claims), 0
	var matched []int64
	for _, c := range r.Claims {
		if c.ClaimID != nil {
			r.MatchedCount++
			matched = append(matched, *c.ClaimID)
		}
	}
	err := q.atomic(ctx, func(q *Queries) error {
		if err := q.ensurePartner(ctx, r.PartnerID); err != nil {
			return err
		}
		err := q.get(ctx, &r.ID, `INSERT INTO remittances (direction, partner_id, inbound_file_id, transaction_id,
				isa_control, group_control, set_control, isa_offset, byte_offset, payer_id, payer_name, payee_name,
				payee_npi, payee_tin, handling, credit_debit, payment_cents, payment_method, payment_date, trace_number,
				trace_originator, production_date, claim_count, matched_count, state, hold_reason, forward_partner,
				outbound_name, outbound_file_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.Direction, r.PartnerID, r.InboundFileID, r.TransactionID, r.ISAControl, r.GroupControl, r.SetControl,
			r.ISAOffset, r.ByteOffset, r.PayerID, r.PayerName, r.PayeeName, r.PayeeNPI, r.PayeeTIN, r.Handling,
			r.CreditDebit, r.PaymentCents, r.PaymentMethod, r.PaymentDate, r.TraceNumber, r.TraceOriginator,
			r.ProductionDate, r.ClaimCount, r.MatchedCount, r.State, r.HoldReason, r.ForwardPartner, r.OutboundName,
			r.OutboundFileID, now, now)
		if err != nil {
			if isUniqueViolation(err) {
				return ErrConflict
			}
			return err
		}
		if err := q.insertRemitClaims(ctx, r.ID, r.Claims, now); err != nil {
			return err
		}
		return q.RefreshClaimPayments(ctx, matched)
	})
	if err != nil {
		return fmt.Errorf("store: insert remittance: %w", err)
	}
	r.CreatedAt, r.UpdatedAt = now, now
	return nil
}

// insertRemitClaims inserts the claims and lines of remittance id: with
// COPY on PostgreSQL inside a transaction, one prepared INSERT per row
// elsewhere.
func (q *Queries) insertRemitClaims(ctx context.Context, id int64, cs []RemitClaim, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	if q.dialect != DialectPostgres || q.tx == nil || len(cs) < 4 {
		for i := range cs {
			c := &cs[i]
			c.RemittanceID, c.CreatedAt = id, now
			err := q.get(ctx, &c.ID, `INSERT INTO remit_claims (remittance_id, seq, claim_id, match_method, note, clp01,
					status, outcome, charge_cents, paid_cents, patient_resp_cents, filing_indicator, payer_claim_number,
					facility, frequency, claim_ref, patient_last, patient_first, member_id, statement_from, statement_to,
					adjustments, remarks, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				id, c.Seq, c.ClaimID, c.MatchMethod, c.Note, c.CLP01, c.Status, c.Outcome, c.ChargeCents, c.PaidCents,
				c.PatientRespCents, c.FilingIndicator, c.PayerClaimNumber, c.Facility, c.Frequency, c.ClaimRef,
				c.PatientLast, c.PatientFirst, c.MemberID, c.StatementFrom, c.StatementTo, c.Adjustments, c.Remarks, now)
			if err != nil {
				if isUniqueViolation(err) {
					return fmt.Errorf("remit claim %d: %w", c.Seq, ErrConflict)
				}
				return fmt.Errorf("remit claim %d: %w", c.Seq, err)
			}
			for j := range c.Lines {
				l := &c.Lines[j]
				l.RemitClaimID = c.ID
				err := q.get(ctx, &l.ID, `INSERT INTO remit_lines (remit_claim_id, line_no, procedure_qualifier,
						procedure_code, modifiers, revenue_code, charge_cents, paid_cents, allowed_cents, units,
						service_from, service_to, line_control, adjustments, remarks)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
					c.ID, l.LineNo, l.ProcedureQualifier, l.ProcedureCode, l.Modifiers, l.RevenueCode, l.ChargeCents,
					l.PaidCents, l.AllowedCents, l.Units, l.ServiceFrom, l.ServiceTo, l.LineControl, l.Adjustments, l.Remarks)
				if err != nil {
					return fmt.Errorf("remit claim %d line %d: %w", c.Seq, l.LineNo, err)
				}
			}
		}
		return nil
	}
	var ids []int64
	if err := q.selectAll(ctx, &ids, `SELECT nextval(pg_get_serial_sequence('remit_claims', 'id')) FROM generate_series(1, ?)`, len(cs)); err != nil {
		return err
	}
	if len(ids) != len(cs) {
		return fmt.Errorf("%d ids for %d remit claims", len(ids), len(cs))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	tx := q.tx.sqlTx
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("remit_claims", "id", "remittance_id", "seq", "claim_id", "match_method",
		"note", "clp01", "status", "outcome", "charge_cents", "paid_cents", "patient_resp_cents", "filing_indicator",
		"payer_claim_number", "facility", "frequency", "claim_ref", "patient_last", "patient_first", "member_id",
		"statement_from", "statement_to", "adjustments", "remarks", "created_at"))
	if err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		c.ID, c.RemittanceID, c.CreatedAt = ids[i], id, now
		adj, err := c.Adjustments.Value()
		if err != nil {
			stmt.Close()
			return err
		}
		if _, err := stmt.ExecContext(ctx, c.ID, id, c.Seq, c.ClaimID, c.MatchMethod, c.Note, c.CLP01, c.Status,
			string(c.Outcome), c.ChargeCents, c.PaidCents, c.PatientRespCents, c.FilingIndicator, c.PayerClaimNumber,
			c.Facility, c.Frequency, c.ClaimRef, c.PatientLast, c.PatientFirst, c.MemberID, c.StatementFrom,
			c.StatementTo, adj, c.Remarks, now); err != nil {
			stmt.Close()
			return copyErr(err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return copyErr(err)
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	lstmt, err := tx.PrepareContext(ctx, pq.CopyIn("remit_lines", "remit_claim_id", "line_no", "procedure_qualifier",
		"procedure_code", "modifiers", "revenue_code", "charge_cents", "paid_cents", "allowed_cents", "units",
		"service_from", "service_to", "line_control", "adjustments", "remarks"))
	if err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		for j := range c.Lines {
			l := &c.Lines[j]
			l.RemitClaimID = c.ID
			adj, err := l.Adjustments.Value()
			if err != nil {
				lstmt.Close()
				return err
			}
			if _, err := lstmt.ExecContext(ctx, c.ID, l.LineNo, l.ProcedureQualifier, l.ProcedureCode, l.Modifiers,
				l.RevenueCode, l.ChargeCents, l.PaidCents, l.AllowedCents, l.Units, l.ServiceFrom, l.ServiceTo,
				l.LineControl, adj, l.Remarks); err != nil {
				lstmt.Close()
				return copyErr(err)
			}
		}
	}
	if _, err := lstmt.ExecContext(ctx); err != nil {
		lstmt.Close()
		return copyErr(err)
	}
	return lstmt.Close()
}

// paymentRow is one remit claim of a claim, as RefreshClaimPayments reads
// them.
type paymentRow struct {
	ID          int64         `db:"id"`
	ClaimID     int64         `db:"claim_id"`
	Outcome     PaymentStatus `db:"outcome"`
	Paid        int64         `db:"paid_cents"`
	PatientResp int64         `db:"patient_resp_cents"`
}

// claimPayment is what a claim's payment columns are set to.
type claimPayment struct {
	status     PaymentStatus
	paid, resp *int64
	remitClaim *int64
}

// RefreshClaimPayments sets the payment of each claim from its remit
// claims, in the order they were recorded: each payment (paid, partial,
// denied) becomes the one in effect, a reversal cancels it (status
// reversed, amounts zero) until a correction follows. A claim with no
// remit claim left has none (status ""). InsertRemittance,
// DeleteRemittance and MatchRemitClaim call it; call it after changing
// remit claims by other means.
func (q *Queries) RefreshClaimPayments(ctx context.Context, claimIDs []int64) error {
	if len(claimIDs) == 0 {
		return nil
	}
	ids := append([]int64(nil), claimIDs...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	ids = compactIDs(ids)
	return q.atomic(ctx, func(q *Queries) error {
		for start := 0; start < len(ids); start += batchRows {
			chunk := ids[start:min(start+batchRows, len(ids))]
			var rows []paymentRow
			var err error
			if q.dialect == DialectPostgres {
				err = q.selectAll(ctx, &rows, `SELECT id, claim_id, outcome, paid_cents, patient_resp_cents FROM remit_claims
					WHERE claim_id = ANY(CAST(? AS bigint[])) ORDER BY claim_id, id`, pq.Array(chunk))
			} else {
				in, args := inArgs(chunk)
				err = q.selectAll(ctx, &rows, `SELECT id, claim_id, outcome, paid_cents, patient_resp_cents FROM remit_claims
					WHERE claim_id IN (`+in+`) ORDER BY claim_id, id`, args...)
			}
			if err != nil {
				return err
			}
			pay := make(map[int64]claimPayment, len(chunk))
			for _, r := range rows {
				if r.Outcome == PaymentReversal {
					zero := int64(0)
					id := r.ID
					pay[r.ClaimID] = claimPayment{status: PaymentReversed, paid: &zero, resp: &zero, remitClaim: &id}
					continue
				}
				paid, resp, id := r.Paid, r.PatientResp, r.ID
				pay[r.ClaimID] = claimPayment{status: r.Outcome, paid: &paid, resp: &resp, remitClaim: &id}
			}
			if err := q.setClaimPayments(ctx, chunk, pay); err != nil {
				return err
			}
		}
		return nil
	})
}

// setClaimPayments writes the payments of the claims in ids: pay has an
// entry for the ones that have a payment; the others have none.
func (q *Queries) setClaimPayments(ctx context.Context, ids []int64, pay map[int64]claimPayment) error {
	now := q.now()
	var vals []string
	var args []any
	var none []int64
	for _, id := range ids {
		p, ok := pay[id]
		if !ok {
			none = append(none, id)
			continue
		}
		vals = append(vals, "(?, ?, ?, ?, ?, ?)")
		args = append(args, id, string(p.status), *p.paid, *p.resp, *p.remitClaim, now)
	}
	if len(vals) > 0 {
		if _, err := q.exec(ctx, `INSERT INTO claim_payments (claim_id, status, paid_cents, patient_resp_cents, remit_claim_id, updated_at)
			VALUES `+strings.Join(vals, ", ")+`
			ON CONFLICT (claim_id) DO UPDATE SET status = excluded.status, paid_cents = excluded.paid_cents,
				patient_resp_cents = excluded.patient_resp_cents, remit_claim_id = excluded.remit_claim_id,
				updated_at = excluded.updated_at`, args...); err != nil {
			return err
		}
	}
	if len(none) > 0 {
		in, args := inArgs(none)
		if _, err := q.exec(ctx, `DELETE FROM claim_payments WHERE claim_id IN (`+in+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

// ClaimPayment is the payment a claim stands at (see
// RefreshClaimPayments).
type ClaimPayment struct {
	ClaimID int64         `db:"claim_id"`
	Status  PaymentStatus `db:"status"`
	// PaidCents and PatientRespCents are CLP04 and CLP05 of the payment in
	// effect (0 when reversed).
	PaidCents        int64 `db:"paid_cents"`
	PatientRespCents int64 `db:"patient_resp_cents"`
	// RemitClaimID is the remit claim that set it.
	RemitClaimID int64     `db:"remit_claim_id"`
	UpdatedAt    time.Time `db:"updated_at"`
}

// GetClaimPayment returns the payment of a claim, or ErrNotFound when no
// remittance paid, denied or reversed it.
func (q *Queries) GetClaimPayment(ctx context.Context, claimID int64) (*ClaimPayment, error) {
	var p ClaimPayment
	if err := q.get(ctx, &p, `SELECT claim_id, status, paid_cents, patient_resp_cents, remit_claim_id, updated_at
		FROM claim_payments WHERE claim_id = ?`, claimID); err != nil {
		return nil, fmt.Errorf("store: payment of claim %d: %w", claimID, err)
	}
	p.UpdatedAt = utc(p.UpdatedAt)
	return &p, nil
}

// ClaimPaymentsOf returns the payments of the claims that have one, by
// claim ID.
func (q *Queries) ClaimPaymentsOf(ctx context.Context, claimIDs []int64) (map[int64]ClaimPayment, error) {
	out := make(map[int64]ClaimPayment, len(claimIDs))
	for start := 0; start < len(claimIDs); start += batchRows {
		in, args := inArgs(claimIDs[start:min(start+batchRows, len(claimIDs))])
		var ps []ClaimPayment
		if err := q.selectAll(ctx, &ps, `SELECT claim_id, status, paid_cents, patient_resp_cents, remit_claim_id, updated_at
			FROM claim_payments WHERE claim_id IN (`+in+`)`, args...); err != nil {
			return nil, fmt.Errorf("store: claim payments: %w", err)
		}
		for _, p := range ps {
			p.UpdatedAt = utc(p.UpdatedAt)
			out[p.ClaimID] = p
		}
	}
	return out, nil
}

// ClaimsByPayerClaimNumber returns the IDs of partner's claims that a
// remittance matched to them gave payer claim number (CLP07) number,
// newest first (at most 100).
func (q *Queries) ClaimsByPayerClaimNumber(ctx context.Context, partnerID, number string) ([]int64, error) {
	var ids []int64
	if err := q.selectAll(ctx, &ids, `SELECT DISTINCT rc.claim_id FROM remit_claims rc JOIN claims c ON c.id = rc.claim_id
		WHERE rc.payer_claim_number = ? AND c.partner_id = ? ORDER BY rc.claim_id DESC LIMIT 100`, number, partnerID); err != nil {
		return nil, fmt.Errorf("store: claims by payer claim number: %w", err)
	}
	return ids, nil
}

func compactIDs(ids []int64) []int64 {
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

// SettleRemittance records what the interchange's verdict tells of an
// accepted received remittance: its set's row in the transactions table,
// the offset of its interchange's ISA in the file and the name its 835 is
// forwarded under.
func (q *Queries) SettleRemittance(ctx context.Context, id, transactionID, isaOffset int64, outboundName string) error {
	n, err := q.exec(ctx, `UPDATE remittances SET transaction_id = ?, isa_offset = ?, outbound_name = ?, updated_at = ? WHERE id = ?`,
		transactionID, isaOffset, outboundName, q.now(), id)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: settle remittance %d: %w", id, err)
	}
	return nil
}

// ForwardRemittance records that remittance id was queued to partner in
// outbound file outboundID: state forwarded (sent for one we emitted). It
// changes only a remittance that is received or held (nothing queued
// yet); any other is ErrConflict, so a held 835 is released once.
func (q *Queries) ForwardRemittance(ctx context.Context, id int64, partner string, outboundID int64) error {
	n, err := q.exec(ctx, `UPDATE remittances SET state = CASE WHEN direction = 'out' THEN 'sent' ELSE 'forwarded' END,
			forward_partner = ?, outbound_file_id = ?, hold_reason = '', updated_at = ?
		WHERE id = ? AND state IN ('received', 'held')`, partner, outboundID, q.now(), id)
	if err == nil && n == 0 {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: forward remittance %d: %w", id, err)
	}
	return nil
}

// HoldRemittance holds a received remittance for an operator with a
// reason (ErrConflict when it is not received or held).
func (q *Queries) HoldRemittance(ctx context.Context, id int64, reason string) error {
	if reason == "" {
		return invalid("hold reason", "", "empty")
	}
	n, err := q.exec(ctx, `UPDATE remittances SET state = 'held', hold_reason = ?, updated_at = ?
		WHERE id = ? AND state IN ('received', 'held')`, reason, q.now(), id)
	if err == nil && n == 0 {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: hold remittance %d: %w", id, err)
	}
	return nil
}

// DeleteRemittance deletes a remittance with its claims and lines and
// refreshes the payments of the claims it had matched (the undo of a set
// its interchange rejected).
func (q *Queries) DeleteRemittance(ctx context.Context, id int64) error {
	err := q.atomic(ctx, func(q *Queries) error {
		return q.deleteRemittances(ctx, `id = ?`, id)
	})
	if err != nil {
		return fmt.Errorf("store: delete remittance %d: %w", id, err)
	}
	return nil
}

// ForgetRemittancesOfFile deletes the remittances recorded from an
// inbound file (see DeleteRemittance), so that a reprocess records them
// again; ForgetFileResults calls it. The ERAs they queued stay queued:
// queueing them again under the same names is a no-op.
func (q *Queries) ForgetRemittancesOfFile(ctx context.Context, inboundFileID int64) error {
	err := q.atomic(ctx, func(q *Queries) error {
		return q.deleteRemittances(ctx, `inbound_file_id = ?`, inboundFileID)
	})
	if err != nil {
		return fmt.Errorf("store: forget remittances of file %d: %w", inboundFileID, err)
	}
	return nil
}

func (q *Queries) deleteRemittances(ctx context.Context, where string, arg any) error {
	var claims []int64
	if err := q.selectAll(ctx, &claims, `SELECT DISTINCT claim_id FROM remit_claims WHERE claim_id IS NOT NULL
		AND remittance_id IN (SELECT id FROM remittances WHERE `+where+`)`, arg); err != nil {
		return err
	}
	// Denial remittances we emitted are referred to by their claims.
	if _, err := q.exec(ctx, `UPDATE claims SET denial_remittance_id = NULL
		WHERE denial_remittance_id IN (SELECT id FROM remittances WHERE `+where+`)`, arg); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `DELETE FROM remit_lines WHERE remit_claim_id IN (SELECT rc.id FROM remit_claims rc
		JOIN remittances r ON rc.remittance_id = r.id WHERE r.`+where+`)`, arg); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `DELETE FROM remit_claims WHERE remittance_id IN (SELECT id FROM remittances WHERE `+where+`)`, arg); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `DELETE FROM remittances WHERE `+where, arg); err != nil {
		return err
	}
	return q.RefreshClaimPayments(ctx, claims)
}

// ForgetRemittanceOfSet deletes the remittance recorded for the set at
// byte offset offset of an inbound file, if any (see DeleteRemittance):
// recording a set again (a reprocess) replaces what the earlier run
// recorded.
func (q *Queries) ForgetRemittanceOfSet(ctx context.Context, inboundFileID, offset int64) error {
	err := q.atomic(ctx, func(q *Queries) error {
		var ids []int64
		if err := q.selectAll(ctx, &ids, `SELECT id FROM remittances WHERE inbound_file_id = ? AND byte_offset = ?`, inboundFileID, offset); err != nil {
			return err
		}
		for _, id := range ids {
			if err := q.deleteRemittances(ctx, `id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: forget remittance of file %d at %d: %w", inboundFileID, offset, err)
	}
	return nil
}

// MatchRemitClaim matches an unmatched remit claim to a claim (an
// operator's decision, method MatchOperator) and refreshes the claim's
// payment. A remit claim that is matched already is ErrConflict.
func (q *Queries) MatchRemitClaim(ctx context.Context, remitClaimID, claimID int64) error {
	err := q.atomic(ctx, func(q *Queries) error {
		n, err := q.exec(ctx, `UPDATE remit_claims SET claim_id = ?, match_method = ?, note = ''
			WHERE id = ? AND claim_id IS NULL`, claimID, MatchOperator, remitClaimID)
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			if err := q.get(ctx, &one, `SELECT 1 FROM remit_claims WHERE id = ?`, remitClaimID); err != nil {
				return err
			}
			return ErrConflict
		}
		if _, err := q.exec(ctx, `UPDATE remittances SET matched_count = matched_count + 1, updated_at = ?
			WHERE id = (SELECT remittance_id FROM remit_claims WHERE id = ?)`, q.now(), remitClaimID); err != nil {
			return err
		}
		return q.RefreshClaimPayments(ctx, []int64{claimID})
	})
	if err != nil {
		return fmt.Errorf("store: match remit claim %d: %w", remitClaimID, err)
	}
	return nil
}

// GetRemittanceHeader returns a remittance without its claims, or
// ErrNotFound.
func (q *Queries) GetRemittanceHeader(ctx context.Context, id int64) (*Remittance, error) {
	var r Remittance
	if err := q.get(ctx, &r, `SELECT `+remittanceCols+` FROM remittances WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: get remittance %d: %w", id, err)
	}
	r.normalize()
	return &r, nil
}

// GetRemittance returns a remittance with its claims and their lines, or
// ErrNotFound.
func (q *Queries) GetRemittance(ctx context.Context, id int64) (*Remittance, error) {
	r, err := q.GetRemittanceHeader(ctx, id)
	if err != nil {
		return nil, err
	}
	cs, err := q.ListRemitClaims(ctx, RemitClaimFilter{RemittanceID: id, WithLines: true, Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("store: get remittance %d: %w", id, err)
	}
	r.Claims = cs
	return r, nil
}

func (r *Remittance) normalize() {
	r.CreatedAt, r.UpdatedAt = utc(r.CreatedAt), utc(r.UpdatedAt)
}

// RemittanceFilter selects remittances for ListRemittances. Zero fields
// do not filter.
type RemittanceFilter struct {
	State         RemitState
	Direction     RemitDirection
	PartnerID     string
	InboundFileID int64
	// AfterID keeps remittances with a larger ID (oldest first).
	AfterID int64
	// Limit caps the number of rows. Default 100, at most 1000.
	Limit int
}

// ListRemittances returns the remittances matching f (without claims),
// oldest first.
func (q *Queries) ListRemittances(ctx context.Context, f RemittanceFilter) ([]Remittance, error) {
	query := `SELECT ` + remittanceCols + ` FROM remittances WHERE 1 = 1`
	var args []any
	if f.State != "" {
		query += ` AND state = ?`
		args = append(args, f.State)
	}
	if f.Direction != "" {
		query += ` AND direction = ?`
		args = append(args, f.Direction)
	}
	if f.PartnerID != "" {
		query += ` AND partner_id = ?`
		args = append(args, f.PartnerID)
	}
	if f.InboundFileID > 0 {
		query += ` AND inbound_file_id = ?`
		args = append(args, f.InboundFileID)
	}
	if f.AfterID > 0 {
		query += ` AND id > ?`
		args = append(args, f.AfterID)
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, limit(f.Limit))
	var rs []Remittance
	if err := q.selectAll(ctx, &rs, query, args...); err != nil {
		return nil, fmt.Errorf("store: list remittances: %w", err)
	}
	for i := range rs {
		rs[i].normalize()
	}
	return rs, nil
}

// RemitClaimFilter selects remit claims for ListRemitClaims.
type RemitClaimFilter struct {
	// RemittanceID keeps one remittance's claims.
	RemittanceID int64
	// ClaimID keeps the payments of one claim (its history).
	ClaimID int64
	// Unmatched keeps the claims no claim of ours matched.
	Unmatched bool
	// AfterID keeps rows with a larger ID.
	AfterID int64
	// Limit caps the rows: default 100, at most 1000; negative: no limit
	// (a remittance's claims).
	Limit int
	// WithLines loads the service lines too.
	WithLines bool
}

// ListRemitClaims returns the remit claims matching f in the order they
// were recorded.
func (q *Queries) ListRemitClaims(ctx context.Context, f RemitClaimFilter) ([]RemitClaim, error) {
	query := `SELECT ` + remitClaimCols + ` FROM remit_claims WHERE 1 = 1`
	var args []any
	if f.RemittanceID > 0 {
		query += ` AND remittance_id = ?`
		args = append(args, f.RemittanceID)
	}
	if f.ClaimID > 0 {
		query += ` AND claim_id = ?`
		args = append(args, f.ClaimID)
	}
	if f.Unmatched {
		query += ` AND claim_id IS NULL`
	}
	if f.AfterID > 0 {
		query += ` AND id > ?`
		args = append(args, f.AfterID)
	}
	query += ` ORDER BY id`
	if f.Limit >= 0 {
		query += ` LIMIT ?`
		args = append(args, limit(f.Limit))
	}
	var cs []RemitClaim
	if err := q.selectAll(ctx, &cs, query, args...); err != nil {
		return nil, fmt.Errorf("store: list remit claims: %w", err)
	}
	for i := range cs {
		cs[i].CreatedAt = utc(cs[i].CreatedAt)
	}
	if f.WithLines && len(cs) > 0 {
		if err := q.loadRemitLines(ctx, cs); err != nil {
			return nil, fmt.Errorf("store: list remit claims: %w", err)
		}
	}
	return cs, nil
}

// GetRemitClaim returns one remit claim with its lines, or ErrNotFound.
func (q *Queries) GetRemitClaim(ctx context.Context, id int64) (*RemitClaim, error) {
	var c RemitClaim
	if err := q.get(ctx, &c, `SELECT `+remitClaimCols+` FROM remit_claims WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: get remit claim %d: %w", id, err)
	}
	c.CreatedAt = utc(c.CreatedAt)
	cs := []RemitClaim{c}
	if err := q.loadRemitLines(ctx, cs); err != nil {
		return nil, fmt.Errorf("store: get remit claim %d: %w", id, err)
	}
	return &cs[0], nil
}

func (q *Queries) loadRemitLines(ctx context.Context, cs []RemitClaim) error {
	byID := make(map[int64]*RemitClaim, len(cs))
	ids := make([]int64, len(cs))
	for i := range cs {
		ids[i] = cs[i].ID
		byID[cs[i].ID] = &cs[i]
		cs[i].Lines = []RemitLine{}
	}
	for start := 0; start < len(ids); start += batchRows {
		chunk := ids[start:min(start+batchRows, len(ids))]
		in, args := inArgs(chunk)
		var ls []RemitLine
		if err := q.selectAll(ctx, &ls, `SELECT `+remitLineCols+` FROM remit_lines
			WHERE remit_claim_id IN (`+in+`) ORDER BY remit_claim_id, line_no`, args...); err != nil {
			return err
		}
		for _, l := range ls {
			if c := byID[l.RemitClaimID]; c != nil {
				c.Lines = append(c.Lines, l)
			}
		}
	}
	return nil
}

// MatchCandidate is what remittance matching needs of a claim.
type MatchCandidate struct {
	ID            int64      `db:"id"`
	ControlNumber string     `db:"control_number"`
	CLM01         string     `db:"clm01"`
	PartnerID     string     `db:"partner_id"`
	State         ClaimState `db:"state"`
	PayerID       string     `db:"payer_id"`
	BillingNPI    string     `db:"billing_npi"`
	BillingTIN    string     `db:"billing_tin"`
	BilledCents   int64      `db:"billed_cents"`
	RoutePartner  string     `db:"route_partner"`
}

const candidateCols = `id, control_number, clm01, partner_id, state, payer_id, billing_npi, billing_tin, billed_cents, route_partner`

// ClaimsByControlNumbers returns the claims with these control numbers
// (our numbers, as REF*9A/9C of an 835 carries them), by control number.
func (q *Queries) ClaimsByControlNumbers(ctx context.Context, controls []string) (map[string]MatchCandidate, error) {
	out := make(map[string]MatchCandidate, len(controls))
	err := q.candidatesBy(ctx, "control_number", controls, func(c MatchCandidate) { out[c.ControlNumber] = c })
	if err != nil {
		return nil, fmt.Errorf("store: claims by control numbers: %w", err)
	}
	return out, nil
}

// ClaimsByCLM01s returns the claims (of every partner) with these
// patient control numbers, by CLM01, oldest first. Rejected and duplicate
// claims are left out: no payer adjudicated them.
func (q *Queries) ClaimsByCLM01s(ctx context.Context, clm01s []string) (map[string][]MatchCandidate, error) {
	out := make(map[string][]MatchCandidate, len(clm01s))
	err := q.candidatesBy(ctx, "clm01", clm01s, func(c MatchCandidate) {
		if c.State != ClaimRejected && c.State != ClaimDuplicate {
			out[c.CLM01] = append(out[c.CLM01], c)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: claims by clm01: %w", err)
	}
	for _, cs := range out {
		sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	}
	return out, nil
}

func (q *Queries) candidatesBy(ctx context.Context, col string, values []string, add func(MatchCandidate)) error {
	vs := make([]string, 0, len(values))
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if v != "" && !seen[v] {
			seen[v] = true
			vs = append(vs, v)
		}
	}
	for start := 0; start < len(vs); start += batchRows * 5 {
		chunk := vs[start:min(start+batchRows*5, len(vs))]
		var cs []MatchCandidate
		var err error
		if q.dialect == DialectPostgres {
			err = q.selectAll(ctx, &cs, `SELECT `+candidateCols+` FROM claims WHERE `+col+` = ANY(CAST(? AS text[]))`, pq.Array(chunk))
		} else {
			for s := 0; s < len(chunk) && err == nil; s += batchRows {
				part := chunk[s:min(s+batchRows, len(chunk))]
				in, args := inArgs(part)
				var some []MatchCandidate
				err = q.selectAll(ctx, &some, `SELECT `+candidateCols+` FROM claims WHERE `+col+` IN (`+in+`)`, args...)
				cs = append(cs, some...)
			}
		}
		if err != nil {
			return err
		}
		for _, c := range cs {
			add(c)
		}
	}
	return nil
}

// ERAEnrollment says which partner receives the 835s of a payee.
type ERAEnrollment struct {
	// Kind is "npi" or "tin"; Value the NPI or TIN.
	Kind      string `db:"kind"`
	Value     string `db:"value"`
	PartnerID string `db:"partner_id"`
	// Source is "config" or "cli".
	Source    string    `db:"source"`
	CreatedAt time.Time `db:"created_at"`
}

// ERA enrollment kinds and sources.
const (
	ERAByNPI      = "npi"
	ERAByTIN      = "tin"
	ERAFromConfig = "config"
	ERAFromCLI    = "cli"
)

func (e *ERAEnrollment) validate() error {
	switch e.Kind {
	case ERAByNPI:
		if len(e.Value) != 10 || strings.Trim(e.Value, "0123456789") != "" {
			return invalid("npi", e.Value, "want 10 digits")
		}
	case ERAByTIN:
		v := strings.ReplaceAll(e.Value, "-", "")
		if len(v) != 9 || strings.Trim(v, "0123456789") != "" {
			return invalid("tin", e.Value, "want 9 digits")
		}
		e.Value = v
	default:
		return invalid("era enrollment kind", e.Kind, "want npi or tin")
	}
	if e.PartnerID == "" {
		return invalid("partner id", "", "empty")
	}
	if e.Source != ERAFromConfig && e.Source != ERAFromCLI {
		return invalid("era enrollment source", e.Source, "want config or cli")
	}
	return nil
}

// EnrollERA enrolls a payee (NPI or TIN) for partner, replacing an
// earlier enrollment of the same NPI or TIN (a payee's 835s go to one
// partner).
func (q *Queries) EnrollERA(ctx context.Context, e ERAEnrollment) error {
	if err := e.validate(); err != nil {
		return err
	}
	err := q.atomic(ctx, func(q *Queries) error {
		if err := q.ensurePartner(ctx, e.PartnerID); err != nil {
			return err
		}
		_, err := q.exec(ctx, `INSERT INTO era_enrollments (kind, value, partner_id, source, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (kind, value) DO UPDATE SET partner_id = excluded.partner_id, source = excluded.source`,
			e.Kind, e.Value, e.PartnerID, e.Source, q.now())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: enroll %s %s: %w", e.Kind, e.Value, err)
	}
	return nil
}

// UnenrollERA removes an enrollment; ErrNotFound when there is none.
func (q *Queries) UnenrollERA(ctx context.Context, kind, value string) error {
	n, err := q.exec(ctx, `DELETE FROM era_enrollments WHERE kind = ? AND value = ?`, kind, strings.ReplaceAll(value, "-", ""))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: unenroll %s %s: %w", kind, value, err)
	}
	return nil
}

// SyncConfigERA makes the enrollments from the configuration (source
// config) exactly es: ones no longer configured are removed, the others
// inserted or updated (a configured NPI or TIN enrolled from the command
// line before is taken over by the configuration).
func (q *Queries) SyncConfigERA(ctx context.Context, es []ERAEnrollment) error {
	err := q.atomic(ctx, func(q *Queries) error {
		want := map[[2]string]bool{}
		for _, e := range es {
			e.Source = ERAFromConfig
			if err := q.EnrollERA(ctx, e); err != nil {
				return err
			}
			if e.Kind == ERAByTIN {
				e.Value = strings.ReplaceAll(e.Value, "-", "")
			}
			want[[2]string{e.Kind, e.Value}] = true
		}
		var have []ERAEnrollment
		if err := q.selectAll(ctx, &have, `SELECT kind, value, partner_id, source, created_at FROM era_enrollments WHERE source = 'config'`); err != nil {
			return err
		}
		for _, h := range have {
			if !want[[2]string{h.Kind, h.Value}] {
				if _, err := q.exec(ctx, `DELETE FROM era_enrollments WHERE kind = ? AND value = ?`, h.Kind, h.Value); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: sync configured era enrollments: %w", err)
	}
	return nil
}

// ListERAEnrollments returns every enrollment by partner, kind and value.
func (q *Queries) ListERAEnrollments(ctx context.Context) ([]ERAEnrollment, error) {
	var es []ERAEnrollment
	if err := q.selectAll(ctx, &es, `SELECT kind, value, partner_id, source, created_at FROM era_enrollments
		ORDER BY partner_id, kind, value`); err != nil {
		return nil, fmt.Errorf("store: list era enrollments: %w", err)
	}
	for i := range es {
		es[i].CreatedAt = utc(es[i].CreatedAt)
	}
	return es, nil
}

// ERAPartner returns the enrollment of a payee: by NPI first, then by
// TIN; ErrNotFound when neither is enrolled (or both are empty).
func (q *Queries) ERAPartner(ctx context.Context, npi, tin string) (*ERAEnrollment, error) {
	for _, k := range []struct{ kind, value string }{{ERAByNPI, npi}, {ERAByTIN, strings.ReplaceAll(tin, "-", "")}} {
		if k.value == "" {
			continue
		}
		var e ERAEnrollment
		err := q.get(ctx, &e, `SELECT kind, value, partner_id, source, created_at FROM era_enrollments
			WHERE kind = ? AND value = ?`, k.kind, k.value)
		if err == nil {
			e.CreatedAt = utc(e.CreatedAt)
			return &e, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("store: era partner: %w", err)
		}
	}
	return nil, fmt.Errorf("store: era partner: %w", ErrNotFound)
}

// DenialCandidates returns, oldest first, at most limit settled claims
// (linked to their transaction set) after afterID that the intake rules or
// routing denied (state duplicate or rejected) with one of notes, and that
// no denial remittance carries yet (see MarkDenialRemitted).
func (q *Queries) DenialCandidates(ctx context.Context, notes []string, afterID int64, limit int) ([]Claim, error) {
	if len(notes) == 0 {
		return nil, nil
	}
	like := make([]string, len(notes))
	args := []any{afterID}
	for i, n := range notes {
		like[i] = `notes LIKE ?`
		args = append(args, "%"+n+"%")
	}
	args = append(args, limit)
	var cs []Claim
	if err := q.selectAll(ctx, &cs, `SELECT `+claimCols+` FROM claims
		WHERE state IN ('duplicate', 'rejected') AND denial_remittance_id IS NULL AND transaction_id IS NOT NULL
		AND id > ? AND (`+strings.Join(like, " OR ")+`) ORDER BY id LIMIT ?`, args...); err != nil {
		return nil, fmt.Errorf("store: denial candidates: %w", err)
	}
	for i := range cs {
		cs[i].normalize()
	}
	return cs, nil
}

// MarkDenialRemitted records that the denial remittance remittanceID
// carries the claims. A claim already carried by one is ErrConflict and
// nothing changes (in the caller's transaction, which must roll back).
func (q *Queries) MarkDenialRemitted(ctx context.Context, remittanceID int64, claimIDs []int64) error {
	err := q.atomic(ctx, func(q *Queries) error {
		for start := 0; start < len(claimIDs); start += batchRows {
			chunk := claimIDs[start:min(start+batchRows, len(claimIDs))]
			in, args := inArgs(chunk)
			n, err := q.exec(ctx, `UPDATE claims SET denial_remittance_id = ? WHERE denial_remittance_id IS NULL AND id IN (`+in+`)`,
				append([]any{remittanceID}, args...)...)
			if err != nil {
				return err
			}
			if int(n) != len(chunk) {
				return fmt.Errorf("%d of %d claims carried by another denial remittance: %w", len(chunk)-int(n), len(chunk), ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark denial remitted: %w", err)
	}
	return nil
}
