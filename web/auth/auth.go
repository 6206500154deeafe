// Package auth holds the portal's credentials logic: bcrypt password
// hashes and the password policy, RFC 6238 TOTP codes, random session and
// CSRF tokens (the store keeps only a token's SHA-256), and the account
// rules — lockout after three failures, access that lapses 180 days after
// its last renewal, and inactivity.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Account rules.
const (
	// MaxFailedLogins consecutive failures lock an account until an admin
	// unlocks it.
	MaxFailedLogins = 3
	// AccessValidity is how long access lasts after its last renewal.
	AccessValidity = 180 * 24 * time.Hour
	// InactivityLimit is how long an account may go without a login
	// before the daily job disables it.
	InactivityLimit = 30 * 24 * time.Hour
	// MinPasswordLen and MaxPasswordLen bound a password (bcrypt reads
	// at most 72 bytes).
	MinPasswordLen = 12
	MaxPasswordLen = 72
	// BcryptCost is the bcrypt work factor of new hashes.
	BcryptCost = 12
)

// ErrWeakPassword is returned by CheckPassword and HashPassword.
var ErrWeakPassword = errors.New("auth: password must be 12 to 72 bytes")

// CheckPassword applies the password policy.
func CheckPassword(pw string) error {
	if len(pw) < MinPasswordLen || len(pw) > MaxPasswordLen || !utf8.ValidString(pw) {
		return ErrWeakPassword
	}
	return nil
}

// HashPassword returns the bcrypt hash of pw after checking the policy.
func HashPassword(pw string) (string, error) {
	return hashPassword(pw, BcryptCost)
}

func hashPassword(pw string, cost int) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// VerifyPassword reports whether pw matches the bcrypt hash.
func VerifyPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash is compared against when the user does not exist, so a login
// for an unknown name takes as long as one for a known name.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such user, no such password"), BcryptCost)

// VerifyNobody spends the time of a password check and returns false.
func VerifyNobody(pw string) bool {
	_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(pw))
	return false
}

// NewToken returns a random 256-bit token, URL-safe base64.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken is what the store keeps of a session token: its SHA-256, hex.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// TokensEqual compares two tokens in constant time; empty never matches.
func TokensEqual(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
