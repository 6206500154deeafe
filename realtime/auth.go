package realtime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

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
// table (only their SHA-256 is stored, see store.HashSecret). A secret
// found is remembered for CacheTTL, so a revocation takes effect within
// CacheTTL; unknown secrets are never remembered.
type StoreAuth struct {
	Lookup SecretLookup
	// CacheTTL is how long a valid secret is trusted without a lookup.
	// Zero: every request looks it up.
	CacheTTL time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time

	mu    sync.Mutex
	known map[string]knownSecret
}

type knownSecret struct {
	partner string
	until   time.Time
}

// maxKnownSecrets bounds the cache (it is emptied when full).
const maxKnownSecrets = 4096

// Authenticate implements Authenticator.
func (a *StoreAuth) Authenticate(ctx context.Context, r *http.Request, user, pass string) (string, error) {
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
	partner, err := a.partnerOf(ctx, store.HashSecret(secret))
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

// partnerOf looks a secret's hash up, through the cache.
func (a *StoreAuth) partnerOf(ctx context.Context, hash string) (string, error) {
	if a.CacheTTL <= 0 {
		return a.Lookup.PartnerOfSecret(ctx, hash)
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	t := now()
	a.mu.Lock()
	k, ok := a.known[hash]
	a.mu.Unlock()
	if ok && t.Before(k.until) {
		return k.partner, nil
	}
	partner, err := a.Lookup.PartnerOfSecret(ctx, hash)
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	if a.known == nil || len(a.known) >= maxKnownSecrets {
		a.known = map[string]knownSecret{}
	}
	a.known[hash] = knownSecret{partner: partner, until: t.Add(a.CacheTTL)}
	a.mu.Unlock()
	return partner, nil
}
