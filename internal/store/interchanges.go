package store

import (
	"context"
	"fmt"
	"time"
)

// Interchange records one ISA..IEA envelope read from an inbound file.
type Interchange struct {
	// ID is assigned by RecordInterchange.
	ID int64 `db:"id"`
	// InboundFileID is the file the interchange came in.
	InboundFileID int64 `db:"inbound_file_id"`
	// SenderQual/SenderID are ISA05/ISA06, ReceiverQual/ReceiverID
	// ISA07/ISA08, trimmed.
	SenderQual   string `db:"sender_qual"`
	SenderID     string `db:"sender_id"`
	ReceiverQual string `db:"receiver_qual"`
	ReceiverID   string `db:"receiver_id"`
	// Control is ISA13.
	Control string `db:"control"`
	// ISADate (YYMMDD) and ISATime (HHMM) are ISA09 and ISA10.
	ISADate string `db:"isa_date"`
	ISATime string `db:"isa_time"`
	// Usage is ISA15 (P or T).
	Usage string `db:"usage"`
	// TA1Ack is the TA104 result (A, E, R), empty if no TA1 was due.
	TA1Ack string `db:"ta1_ack"`
	// TA1Note is the TA105 note code.
	TA1Note string `db:"ta1_note"`
	// ByteOffset is where the ISA starts in the spooled file.
	ByteOffset int64 `db:"byte_offset"`
	// CreatedAt is when the row was recorded (UTC).
	CreatedAt time.Time `db:"created_at"`
}

// Group records one GS..GE functional group.
type Group struct {
	// ID is assigned by RecordGroup.
	ID int64 `db:"id"`
	// InterchangeID is the enclosing interchange.
	InterchangeID int64 `db:"interchange_id"`
	// FunctionalID is GS01 (e.g. HC for 837).
	FunctionalID string `db:"functional_id"`
	// Control is GS06.
	Control string `db:"control"`
	// Version is GS08 (e.g. 005010X222A1).
	Version string `db:"version"`
	// Ack is the 999 AK901 result (A, E, P, R).
	Ack string `db:"ack"`
	// CreatedAt is when the row was recorded (UTC).
	CreatedAt time.Time `db:"created_at"`
}

// Transaction records one ST..SE transaction set.
type Transaction struct {
	// ID is assigned by RecordTransaction.
	ID int64 `db:"id"`
	// GroupID is the enclosing functional group.
	GroupID int64 `db:"group_id"`
	// SetID is ST01 (e.g. 837).
	SetID string `db:"set_id"`
	// Control is ST02.
	Control string `db:"control"`
	// Version is ST03.
	Version string `db:"version"`
	// Ack is the 999 IK501 result (A, E, R).
	Ack string `db:"ack"`
	// ErrorCount is the number of validation issues found in the set.
	ErrorCount int `db:"error_count"`
	// ByteOffset is where the ST starts in the spooled file.
	ByteOffset int64 `db:"byte_offset"`
	// SegCount is the number of segments ST..SE inclusive.
	SegCount int `db:"seg_count"`
	// CreatedAt is when the row was recorded (UTC).
	CreatedAt time.Time `db:"created_at"`
}

const (
	interchangeCols = `id, inbound_file_id, sender_qual, sender_id, receiver_qual, receiver_id, control,
	isa_date, isa_time, usage, ta1_ack, ta1_note, byte_offset, created_at`
	groupCols       = `id, interchange_id, functional_id, control, version, ack, created_at`
	transactionCols = `id, group_id, set_id, control, version, ack, error_count, byte_offset, seg_count, created_at`
)

// RecordInterchange inserts ic and sets its ID and CreatedAt.
func (q *Queries) RecordInterchange(ctx context.Context, ic *Interchange) error {
	ic.CreatedAt = q.now()
	err := q.get(ctx, &ic.ID, `INSERT INTO interchanges
		(inbound_file_id, sender_qual, sender_id, receiver_qual, receiver_id, control,
		 isa_date, isa_time, usage, ta1_ack, ta1_note, byte_offset, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ic.InboundFileID, ic.SenderQual, ic.SenderID, ic.ReceiverQual, ic.ReceiverID, ic.Control,
		ic.ISADate, ic.ISATime, ic.Usage, ic.TA1Ack, ic.TA1Note, ic.ByteOffset, ic.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: record interchange %s: %w", ic.Control, err)
	}
	return nil
}

// InterchangeSeen reports whether an interchange with this sender ID
// (ISA06), receiver ID (ISA08) and control number (ISA13) has already been
// recorded, from any file. Call it before RecordInterchange.
func (q *Queries) InterchangeSeen(ctx context.Context, sender, receiver, control string) (bool, error) {
	var n int
	err := q.get(ctx, &n, `SELECT COUNT(*) FROM interchanges
		WHERE sender_id = ? AND receiver_id = ? AND control = ?`, sender, receiver, control)
	if err != nil {
		return false, fmt.Errorf("store: interchange seen %s: %w", control, err)
	}
	return n > 0, nil
}

// ListInterchanges returns the interchanges of an inbound file in file
// order.
func (q *Queries) ListInterchanges(ctx context.Context, inboundFileID int64) ([]Interchange, error) {
	var out []Interchange
	err := q.selectAll(ctx, &out, `SELECT `+interchangeCols+` FROM interchanges
		WHERE inbound_file_id = ? ORDER BY byte_offset, id`, inboundFileID)
	if err != nil {
		return nil, fmt.Errorf("store: list interchanges of %d: %w", inboundFileID, err)
	}
	for i := range out {
		out[i].CreatedAt = utc(out[i].CreatedAt)
	}
	return out, nil
}

// RecordGroup inserts g and sets its ID and CreatedAt.
func (q *Queries) RecordGroup(ctx context.Context, g *Group) error {
	g.CreatedAt = q.now()
	err := q.get(ctx, &g.ID, `INSERT INTO groups
		(interchange_id, functional_id, control, version, ack, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		g.InterchangeID, g.FunctionalID, g.Control, g.Version, g.Ack, g.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: record group %s: %w", g.Control, err)
	}
	return nil
}

// SetGroupAck updates the 999 AK901 result of a group, once all its sets
// are validated.
func (q *Queries) SetGroupAck(ctx context.Context, id int64, ack string) error {
	n, err := q.exec(ctx, `UPDATE groups SET ack = ? WHERE id = ?`, ack, id)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: set group %d ack: %w", id, err)
	}
	return nil
}

// ListGroups returns the groups of an interchange in insertion order.
func (q *Queries) ListGroups(ctx context.Context, interchangeID int64) ([]Group, error) {
	var out []Group
	err := q.selectAll(ctx, &out, `SELECT `+groupCols+` FROM groups
		WHERE interchange_id = ? ORDER BY id`, interchangeID)
	if err != nil {
		return nil, fmt.Errorf("store: list groups of %d: %w", interchangeID, err)
	}
	for i := range out {
		out[i].CreatedAt = utc(out[i].CreatedAt)
	}
	return out, nil
}

// RecordTransaction inserts t and sets its ID and CreatedAt.
func (q *Queries) RecordTransaction(ctx context.Context, t *Transaction) error {
	t.CreatedAt = q.now()
	if t.ID != 0 {
		// An ID drawn by ReserveTransactionID.
		_, err := q.exec(ctx, `INSERT INTO transactions
			(id, group_id, set_id, control, version, ack, error_count, byte_offset, seg_count, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.GroupID, t.SetID, t.Control, t.Version, t.Ack, t.ErrorCount, t.ByteOffset, t.SegCount, t.CreatedAt)
		if err != nil {
			return fmt.Errorf("store: record transaction %s: %w", t.Control, err)
		}
		return nil
	}
	err := q.get(ctx, &t.ID, `INSERT INTO transactions
		(group_id, set_id, control, version, ack, error_count, byte_offset, seg_count, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.GroupID, t.SetID, t.Control, t.Version, t.Ack, t.ErrorCount, t.ByteOffset, t.SegCount, t.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: record transaction %s: %w", t.Control, err)
	}
	return nil
}

// ReserveTransactionID draws the ID the transactions row of a set will
// have, so that the set's claims can be inserted with it before the row is
// recorded (RecordTransaction with that ID) when the interchange settles,
// or the claims unlinked from it (ClearClaimsTransaction) if it never
// does; no foreign key checks the reference (migration 022). PostgreSQL only:
// it returns 0 on SQLite, where claims are linked to their set once it is
// recorded (SetClaimsTransaction).
func (q *Queries) ReserveTransactionID(ctx context.Context) (int64, error) {
	if q.dialect != DialectPostgres {
		return 0, nil
	}
	var id int64
	if err := q.get(ctx, &id, `SELECT nextval(pg_get_serial_sequence('transactions', 'id'))`); err != nil {
		return 0, fmt.Errorf("store: reserve transaction id: %w", err)
	}
	return id, nil
}

// ListTransactions returns the transaction sets of a group in file order.
func (q *Queries) ListTransactions(ctx context.Context, groupID int64) ([]Transaction, error) {
	var out []Transaction
	err := q.selectAll(ctx, &out, `SELECT `+transactionCols+` FROM transactions
		WHERE group_id = ? ORDER BY byte_offset, id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("store: list transactions of %d: %w", groupID, err)
	}
	for i := range out {
		out[i].CreatedAt = utc(out[i].CreatedAt)
	}
	return out, nil
}
