package auth

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"hash"
	"strings"
	"testing"
	"time"
)

// TestHOTPRFC6238 checks the test vectors of RFC 6238 appendix B (8
// digits; the seeds are the ASCII strings of the RFC).
func TestHOTPRFC6238(t *testing.T) {
	seed20 := []byte("12345678901234567890")
	seed32 := []byte("12345678901234567890123456789012")
	seed64 := []byte("1234567890123456789012345678901234567890123456789012345678901234")
	algs := []struct {
		name string
		h    func() hash.Hash
		key  []byte
	}{{"SHA1", sha1.New, seed20}, {"SHA256", sha256.New, seed32}, {"SHA512", sha512.New, seed64}}
	vectors := []struct {
		unix int64
		want [3]string
	}{
		{59, [3]string{"94287082", "46119246", "90693936"}},
		{1111111109, [3]string{"07081804", "68084774", "25091201"}},
		{1111111111, [3]string{"14050471", "67062674", "99943326"}},
		{1234567890, [3]string{"89005924", "91819424", "93441116"}},
		{2000000000, [3]string{"69279037", "90698825", "38618901"}},
		{20000000000, [3]string{"65353130", "77737706", "47863826"}},
	}
	for _, v := range vectors {
		for i, a := range algs {
			step := uint64(TOTPStep(time.Unix(v.unix, 0)))
			if got := HOTP(a.h, a.key, step, 8); got != v.want[i] {
				t.Errorf("T=%d %s: got %s, want %s", v.unix, a.name, got, v.want[i])
			}
		}
	}
}

// TestHOTPRFC4226 checks the six-digit HOTP vectors of RFC 4226 appendix D.
func TestHOTPRFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for c, w := range want {
		if got := HOTP(sha1.New, []byte("12345678901234567890"), uint64(c), 6); got != w {
			t.Errorf("counter %d: got %s, want %s", c, got, w)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	now := time.Unix(1111111109, 0)
	code, err := TOTPCode(secret, now)
	if err != nil || code != "081804" {
		t.Fatalf("TOTPCode = %q, %v; want 081804 (RFC 6238 vector, 6 digits)", code, err)
	}
	cases := []struct {
		name string
		at   time.Time
		code string
		ok   bool
	}{
		{"now", now, code, true},
		{"one step later", now.Add(30 * time.Second), code, true},
		{"two steps later", now.Add(61 * time.Second), code, false},
		{"one step earlier", now.Add(-30 * time.Second), code, true},
		{"wrong", now, "000000", false},
		{"short", now, "08180", false},
		{"empty", now, "", false},
	}
	for _, tc := range cases {
		step, ok := VerifyTOTP(strings.ToLower(secret), tc.code, tc.at)
		if ok != tc.ok {
			t.Errorf("%s: ok = %v, want %v", tc.name, ok, tc.ok)
		}
		if ok && step != TOTPStep(now) {
			t.Errorf("%s: step %d, want %d", tc.name, step, TOTPStep(now))
		}
	}
	if _, ok := VerifyTOTP("not base32!", "123456", now); ok {
		t.Error("bad secret verified")
	}
	s, err := NewTOTPSecret()
	if err != nil || len(s) != 32 {
		t.Fatalf("NewTOTPSecret = %q, %v", s, err)
	}
	if u := TOTPURI("Clearinghouse", "ann", s); !strings.HasPrefix(u, "otpauth://totp/Clearinghouse:ann?") || !strings.Contains(u, "secret="+s) {
		t.Errorf("TOTPURI = %s", u)
	}
}

func TestPasswords(t *testing.T) {
	for _, pw := range []string{"", "short", strings.Repeat("x", 73), "bad\xffutf8-password"} {
		if _, err := hashPassword(pw, 4); err != ErrWeakPassword {
			t.Errorf("hash %q: %v, want ErrWeakPassword", pw, err)
		}
	}
	h, err := hashPassword("correct horse battery", 4)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyPassword(h, "correct horse battery") || VerifyPassword(h, "correct horse batterz") || VerifyPassword("", "x") {
		t.Error("VerifyPassword")
	}
	if VerifyNobody("x") {
		t.Error("VerifyNobody true")
	}
}

func TestTokens(t *testing.T) {
	a, err := NewToken()
	b, _ := NewToken()
	if err != nil || len(a) != 43 || a == b {
		t.Fatalf("NewToken = %q %q %v", a, b, err)
	}
	if h := HashToken(a); len(h) != 64 || h == HashToken(b) || h == a {
		t.Fatalf("HashToken = %q", h)
	}
	if !TokensEqual(a, a) || TokensEqual(a, b) || TokensEqual("", "") {
		t.Error("TokensEqual")
	}
}
