package realtime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Authentication errors.
var (
	// ErrUnauthenticated means no valid credential was presented (401).
	ErrUnauthenticated = errors.New("realtime: not authenticated")
	// ErrAuthUnavailable means credentials could not be checked (the
	// store is down): 503, never 401.
	ErrAuthUnavailable = errors.New("realtime: cannot check credentials")
)

// Authenticator says which partner a request comes from.
type Authenticator interface {
	// Authenticate returns the partner of the request's credential: the
	// Authorization header (Bearer <secret>, or Basic <partner>:<secret>),
	// else user and pass (the CORE envelope's UserName and Password).
	Authenticate(ctx context.Context, r *http.Request, user, pass string) (string, error)
}

// SecretLookup finds the partner of a secret's hash; *store.Store
// implements it.
type SecretLookup interface {
	PartnerOfSecret(ctx context.Context, secretHash string) (string, error)
}

// StoreAuth authenticates with the secrets in the partner_credentials
// table (only their SHA-256 is stored, see store.HashSecret).
type StoreAuth struct {
	Lookup SecretLookup
}

// Authenticate implements Authenticator.
func (a StoreAuth) Authenticate(ctx context.Context, r *http.Request, user, pass string) (string, error) {
	var secret string
	h := r.Header.Get("Authorization")
	switch {
	case h != "":
		scheme, rest, _ := strings.Cut(h, " ")
		switch strings.ToLower(scheme) {
		case "bearer":
			secret, user = strings.TrimSpace(rest), ""
		case "basic":
			u, p, ok := r.BasicAuth()
			if !ok {
				return "", ErrUnauthenticated
			}
			user, secret = u, p
		default:
			return "", ErrUnauthenticated
		}
	case pass != "":
		secret = pass
	default:
		return "", ErrUnauthenticated
	}
	if secret == "" {
		return "", ErrUnauthenticated
	}
	partner, err := a.Lookup.PartnerOfSecret(ctx, store.HashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrUnauthenticated
	}
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrAuthUnavailable, err)
	}
	// With a user name (basic, CORE), it must be the secret's partner.
	if user != "" && user != partner {
		return "", ErrUnauthenticated
	}
	return partner, nil
}

// NewSecret returns a new random credential secret: "chs_" and 256 random
// bits, base64url. Store only store.HashSecret of it.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "chs_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}
