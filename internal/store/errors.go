package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// Sentinel errors; check them with errors.Is.
var (
	// ErrNotFound means the requested row does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrNoWork means ClaimInbound or ClaimOutbound found nothing to claim.
	ErrNoWork = errors.New("store: no work")
	// ErrLeaseLost means the caller no longer holds the lease on a file:
	// it expired and another owner claimed the file, or the file was reset
	// or already finished. The caller must drop its work on that file.
	ErrLeaseLost = errors.New("store: lease lost")
	// ErrLeased means a file cannot be reset because a live lease is held
	// on it; retry after the lease ends.
	ErrLeased = errors.New("store: file is leased")
	// ErrNotHeld means ReleaseHeldFile found the file in another state
	// than held.
	ErrNotHeld = errors.New("store: file is not held")
)

// sqlNoRows is database/sql's no-row error, named here so every lookup maps
// it to ErrNotFound the same way.
var sqlNoRows = sql.ErrNoRows

// InvalidError reports a value the store refuses before touching the
// database. errors.Is(err, ErrInvalid) is true for it.
type InvalidError struct {
	// Field is the offending field, e.g. "sha256" or "state".
	Field string
	// Value is the refused value (never PHI: only names, states and hashes
	// are validated).
	Value string
	// Reason says what is wrong.
	Reason string
}

// ErrInvalid matches every *InvalidError with errors.Is.
var ErrInvalid = errors.New("store: invalid value")

func (e *InvalidError) Error() string {
	return fmt.Sprintf("store: invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool {
	return target == ErrInvalid
}

func invalid(field, value, reason string) error {
	return &InvalidError{Field: field, Value: value, Reason: reason}
}
