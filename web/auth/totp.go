package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"time"
)

// TOTP parameters (RFC 6238 defaults, what authenticator apps expect).
const (
	TOTPPeriod = 30 * time.Second
	TOTPDigits = 6
	// TOTPSkew is how many periods before and after now a code may be
	// from (clock drift between the phone and the server).
	TOTPSkew = 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret, base32 without padding.
func NewTOTPSecret() (string, error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: random totp secret: %w", err)
	}
	return b32.EncodeToString(b[:]), nil
}

// decodeSecret reads a base32 secret, ignoring case, spaces and padding.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(secret))
	s = strings.TrimRight(s, "=")
	key, err := b32.DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("auth: bad totp secret")
	}
	return key, nil
}

// HOTP computes the RFC 4226 code of key at counter with digits digits
// and the HMAC hash h (SHA-1 for TOTP apps; RFC 6238 also tests SHA-256
// and SHA-512).
func HOTP(h func() hash.Hash, key []byte, counter uint64, digits int) string {
	mac := hmac.New(h, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPStep is the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode returns the 6-digit code of secret at t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return HOTP(sha1.New, key, uint64(TOTPStep(t)), TOTPDigits), nil
}

// VerifyTOTP checks code against secret at now, allowing TOTPSkew steps
// of drift; it returns the step the code belongs to (to refuse a replay,
// the caller accepts a step only once) and whether it matched.
func VerifyTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	key, err := decodeSecret(secret)
	code = strings.TrimSpace(code)
	if err != nil || len(code) != TOTPDigits {
		return 0, false
	}
	cur := TOTPStep(now)
	for d := -TOTPSkew; d <= TOTPSkew; d++ {
		s := cur + int64(d)
		if TokensEqual(HOTP(sha1.New, key, uint64(s), TOTPDigits), code) {
			return s, true
		}
	}
	return 0, false
}

// TOTPURI is the otpauth:// URI an authenticator app imports (as a QR
// code or typed in).
func TOTPURI(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("period", "30")
	v.Set("digits", "6")
	v.Set("algorithm", "SHA1")
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}
