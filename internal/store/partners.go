package store

import (
	"context"
	"fmt"
	"time"
)

// Partner is a trading partner (submitter) known to the clearinghouse.
type Partner struct {
	// ID is the partner's configured identifier, the key every file and
	// claim of the partner refers to.
	ID string `db:"id"`
	// Name is a display name.
	Name string `db:"name"`
	// CreatedAt is when the partner was first recorded (UTC).
	CreatedAt time.Time `db:"created_at"`
}

// UpsertPartner records the partner, or updates its name when it exists.
// RecordInbound and EnqueueOutbound create missing partners by themselves
// (with an empty name), so calling this first is optional.
func (q *Queries) UpsertPartner(ctx context.Context, p Partner) error {
	if p.ID == "" {
		return invalid("partner id", p.ID, "empty")
	}
	_, err := q.exec(ctx, `INSERT INTO partners (id, name, created_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name`, p.ID, p.Name, q.now())
	if err != nil {
		return fmt.Errorf("store: upsert partner %s: %w", p.ID, err)
	}
	return nil
}

// ensurePartner creates the partner row if it is missing, keeping any
// existing name.
func (q *Queries) ensurePartner(ctx context.Context, id string) error {
	if id == "" {
		return invalid("partner id", id, "empty")
	}
	_, err := q.exec(ctx, `INSERT INTO partners (id, name, created_at) VALUES (?, '', ?)
		ON CONFLICT (id) DO NOTHING`, id, q.now())
	if err != nil {
		return fmt.Errorf("store: ensure partner %s: %w", id, err)
	}
	return nil
}

// GetPartner returns the partner with the given ID, or ErrNotFound.
func (q *Queries) GetPartner(ctx context.Context, id string) (*Partner, error) {
	var p Partner
	if err := q.get(ctx, &p, `SELECT id, name, created_at FROM partners WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: get partner %s: %w", id, err)
	}
	p.CreatedAt = utc(p.CreatedAt)
	return &p, nil
}

// ListPartners returns every partner ordered by ID.
func (q *Queries) ListPartners(ctx context.Context) ([]Partner, error) {
	var ps []Partner
	if err := q.selectAll(ctx, &ps, `SELECT id, name, created_at FROM partners ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: list partners: %w", err)
	}
	for i := range ps {
		ps[i].CreatedAt = utc(ps[i].CreatedAt)
	}
	return ps, nil
}
