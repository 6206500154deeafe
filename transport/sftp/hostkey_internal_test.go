package sftp

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestHostKeyAlgorithms(t *testing.T) {
	ed := pubKey(t, ed25519Key(t))
	ec := pubKey(t, ecdsaKey(t))
	rs := pubKey(t, rsaKey(t))
	tests := []struct {
		name  string
		lines []string
		addr  string
		want  []string
	}{
		{
			name:  "ed25519 on non-default port",
			lines: []string{knownhosts.Line([]string{"[127.0.0.1]:22022"}, ed)},
			addr:  "127.0.0.1:22022",
			want:  []string{ssh.KeyAlgoED25519},
		},
		{
			name:  "bare host line does not match a non-22 port",
			lines: []string{knownhosts.Line([]string{"127.0.0.1"}, ed)},
			addr:  "127.0.0.1:22022",
			want:  nil,
		},
		{
			name:  "port 22 without brackets",
			lines: []string{knownhosts.Line([]string{"sftp.example.test"}, ec)},
			addr:  "sftp.example.test:22",
			want:  []string{ssh.KeyAlgoECDSA256},
		},
		{
			name: "several keys, file order, rsa expands",
			lines: []string{
				knownhosts.Line([]string{"sftp.example.test"}, rs),
				knownhosts.Line([]string{"other.example.test"}, ec),
				knownhosts.Line([]string{"sftp.example.test"}, ed),
			},
			addr: "sftp.example.test:22",
			want: []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA, ssh.KeyAlgoED25519},
		},
		{
			name:  "hashed host name",
			lines: []string{knownhosts.HashHostname("[sftp.example.test]:2222") + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ed)))},
			addr:  "sftp.example.test:2222",
			want:  []string{ssh.KeyAlgoED25519},
		},
		{
			name:  "unknown host",
			lines: []string{knownhosts.Line([]string{"other.example.test"}, ed)},
			addr:  "sftp.example.test:22",
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "known_hosts")
			if err := os.WriteFile(p, []byte(strings.Join(tt.lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cb, err := knownhosts.New(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := hostKeyAlgorithms(cb, tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("hostKeyAlgorithms = %q, want %q", got, tt.want)
			}
		})
	}
}

func pubKey(t *testing.T, k any) ssh.PublicKey {
	t.Helper()
	s, err := ssh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s.PublicKey()
}

func ed25519Key(t *testing.T) any {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecdsaKey(t *testing.T) any {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rsaKey(t *testing.T) any {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
