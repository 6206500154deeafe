package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// PartnerCredential is a secret a partner authenticates with on the
// real-time endpoint. Only the SHA-256 of the secret is stored (see
// HashSecret); the secret itself is shown once, when it is created.
type PartnerCredential struct {
	// ID is assigned by AddPartnerCredential.
	ID int64 `db:"id"`
	// PartnerID is the partner the secret authenticates.
	PartnerID string `db:"partner_id"`
	// SecretHash is HashSecret of the secret.
	SecretHash string `db:"secret_hash"`
	// Label says what the credential is for (free text, not secret).
	Label string `db:"label"`
	// CreatedAt is when it was added (UTC); RevokedAt when it was revoked
	// (nil while it is valid).
	CreatedAt time.Time  `db:"created_at"`
	RevokedAt *time.Time `db:"revoked_at"`
}

const credentialCols = `id, partner_id, secret_hash, label, created_at, revoked_at`

// HashSecret is how credential secrets are stored: the lowercase hex
// SHA-256 of the secret. The secrets are 256-bit random values generated
// by the engine, so a fast hash is as strong as a slow one and keeps
// authentication off the latency budget.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// AddPartnerCredential stores a credential for partnerID whose secret
// hashes to secretHash (creating the partner row when missing) and returns
// it. A hash already stored is ErrConflict.
func (q *Queries) AddPartnerCredential(ctx context.Context, partnerID, secretHash, label string) (*PartnerCredential, error) {
	if len(secretHash) != 64 {
		return nil, invalid("secret hash", "", "want 64 hex digits")
	}
	var c PartnerCredential
	err := q.atomic(ctx, func(q *Queries) error {
		if err := q.ensurePartner(ctx, partnerID); err != nil {
			return err
		}
		return q.get(ctx, &c, `INSERT INTO partner_credentials (partner_id, secret_hash, label, created_at)
			VALUES (?, ?, ?, ?) RETURNING `+credentialCols, partnerID, secretHash, label, q.now())
	})
	if err != nil {
		if isUniqueViolation(err) {
			err = ErrConflict
		}
		return nil, fmt.Errorf("store: add partner credential: %w", err)
	}
	c.normalize()
	return &c, nil
}

// PartnerOfSecret returns the partner a valid (not revoked) credential
// with this secret hash belongs to, or ErrNotFound.
func (q *Queries) PartnerOfSecret(ctx context.Context, secretHash string) (string, error) {
	var partner string
	err := q.get(ctx, &partner, `SELECT partner_id FROM partner_credentials
		WHERE secret_hash = ? AND revoked_at IS NULL`, secretHash)
	if err != nil {
		return "", fmt.Errorf("store: partner of secret: %w", err)
	}
	return partner, nil
}

// ListPartnerCredentials returns a partner's credentials (every partner's
// when partnerID is ""), oldest first.
func (q *Queries) ListPartnerCredentials(ctx context.Context, partnerID string) ([]PartnerCredential, error) {
	query := `SELECT ` + credentialCols + ` FROM partner_credentials`
	var args []any
	if partnerID != "" {
		query += ` WHERE partner_id = ?`
		args = append(args, partnerID)
	}
	var cs []PartnerCredential
	if err := q.selectAll(ctx, &cs, query+` ORDER BY id`, args...); err != nil {
		return nil, fmt.Errorf("store: list partner credentials: %w", err)
	}
	for i := range cs {
		cs[i].normalize()
	}
	return cs, nil
}

// RevokePartnerCredential revokes the credential with the given ID; it
// returns ErrNotFound for an unknown or already revoked one.
func (q *Queries) RevokePartnerCredential(ctx context.Context, id int64) error {
	n, err := q.exec(ctx, `UPDATE partner_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, q.now(), id)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: revoke partner credential %d: %w", id, err)
	}
	return nil
}

func (c *PartnerCredential) normalize() {
	c.CreatedAt = utc(c.CreatedAt)
	c.RevokedAt = utcPtr(c.RevokedAt)
}
