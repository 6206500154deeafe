package sftpserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// LoadOrCreateHostKey reads the OpenSSH-format private key at path, or, when
// the file does not exist, generates an ed25519 key and writes it there with
// mode 0600 (and the public half to path+".pub"), so the server keeps the
// same identity across restarts.
func LoadOrCreateHostKey(path string) (ssh.Signer, error) {
	return loadOrCreateKey(path, "clearinghouse-sftp-host")
}

func loadOrCreateKey(path, comment string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		s, err := ssh.ParsePrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("parse key %s: %w", path, err)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return nil, fmt.Errorf("marshal key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	if err := writeNew(path, pem.EncodeToMemory(block), 0o600); err != nil {
		if errors.Is(err, fs.ErrExist) { // lost a race with another process
			return loadOrCreateKey(path, comment)
		}
		return nil, err
	}
	pub := ssh.MarshalAuthorizedKey(signer.PublicKey())
	pub = append(pub[:len(pub)-1], []byte(" "+comment+"\n")...)
	if err := os.WriteFile(path+".pub", pub, 0o644); err != nil {
		return nil, fmt.Errorf("write public key: %w", err)
	}
	return signer, nil
}

// writeNew creates path exclusively and writes data to it.
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write key: %w", err)
	}
	return nil
}

// LoadAuthorizedKeys parses an OpenSSH authorized_keys file. Options on a
// line are ignored.
func LoadAuthorizedKeys(path string) ([]ssh.PublicKey, error) {
	rest, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read authorized keys: %w", err)
	}
	var keys []ssh.PublicKey
	for len(rest) > 0 {
		var k ssh.PublicKey
		k, _, _, rest, err = ssh.ParseAuthorizedKey(rest)
		if err != nil {
			if len(keys) > 0 && isBlank(rest) {
				break
			}
			return nil, fmt.Errorf("parse authorized keys %s: %w", path, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// KnownHostsLine returns the known_hosts line for a server at addr
// ("host:port") with the given host key, e.g.
// "[127.0.0.1]:2022 ssh-ed25519 AAAA...". Port 22 is written without
// brackets, as OpenSSH does.
func KnownHostsLine(addr string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, key)
}

// KeyFiles names the files GenerateKeys manages in one directory.
type KeyFiles struct {
	// HostKey is the server's ed25519 private key (host_ed25519, 0600);
	// pass it as Config.HostKeyFile.
	HostKey string
	// ClientKey is the client's ed25519 private key (client_ed25519, 0600) in
	// OpenSSH format; pass it as the SFTP client's key file.
	ClientKey string
	// AuthorizedKeys holds the client's public key (authorized_keys).
	AuthorizedKeys string
	// KnownHosts is where Server.WriteKnownHosts should write the host line
	// once the listening port is known (known_hosts). GenerateKeys does not
	// create it.
	KnownHosts string
	// ClientPublicKey is the parsed public half of ClientKey, ready for
	// User.AuthorizedKeys.
	ClientPublicKey ssh.PublicKey
	// HostPublicKey is the parsed public half of HostKey.
	HostPublicKey ssh.PublicKey
}

// GenerateKeys creates dir (0700) and, unless they already exist, an
// ed25519 host key, an ed25519 client key pair and an authorized_keys file
// for the client, for the demo and tests. Existing keys are loaded, not
// replaced, so repeated runs keep the same identities.
func GenerateKeys(dir string) (*KeyFiles, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("generate keys: %w", err)
	}
	kf := &KeyFiles{
		HostKey:        filepath.Join(dir, "host_ed25519"),
		ClientKey:      filepath.Join(dir, "client_ed25519"),
		AuthorizedKeys: filepath.Join(dir, "authorized_keys"),
		KnownHosts:     filepath.Join(dir, "known_hosts"),
	}
	host, err := LoadOrCreateHostKey(kf.HostKey)
	if err != nil {
		return nil, fmt.Errorf("generate keys: %w", err)
	}
	client, err := loadOrCreateKey(kf.ClientKey, "clearinghouse-sftp-client")
	if err != nil {
		return nil, fmt.Errorf("generate keys: %w", err)
	}
	kf.HostPublicKey, kf.ClientPublicKey = host.PublicKey(), client.PublicKey()
	if err := os.WriteFile(kf.AuthorizedKeys, ssh.MarshalAuthorizedKey(kf.ClientPublicKey), 0o644); err != nil {
		return nil, fmt.Errorf("generate keys: %w", err)
	}
	return kf, nil
}
