package sftp

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeyAlgorithms returns the host-key algorithms to offer for addr: those
// of the keys known_hosts lists for it, in file order. Without this, x/crypto
// may negotiate a key type the file does not hold (say ECDSA when only
// ed25519 is known) and fail with a spurious key mismatch. It returns nil
// when the host is unknown, so the handshake fails with the callback's
// *knownhosts.KeyError.
func hostKeyAlgorithms(cb ssh.HostKeyCallback, addr string) ([]string, error) {
	// Ask the callback about a throwaway key: the KeyError it returns lists
	// every key known for addr, matched exactly as during the handshake
	// (hashed names, wildcards, [host]:port).
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	probe, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(portStr)
	remote := &net.TCPAddr{IP: net.ParseIP(host), Port: port}
	if remote.IP == nil {
		remote.IP = net.IPv4zero
	}
	err = cb(addr, remote, probe)
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		if err == nil { // cannot happen with a fresh random key
			return nil, nil
		}
		return nil, fmt.Errorf("known_hosts: %w", err)
	}
	var algos []string
	for _, k := range ke.Want {
		for _, a := range algorithmsForKeyType(k.Key.Type()) {
			if !slices.Contains(algos, a) {
				algos = append(algos, a)
			}
		}
	}
	return algos, nil
}

// algorithmsForKeyType maps a public-key type to the signature algorithms a
// server holding such a key can use.
func algorithmsForKeyType(t string) []string {
	switch t {
	case ssh.KeyAlgoRSA:
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	case ssh.CertAlgoRSAv01:
		return []string{ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSAv01}
	default:
		return []string{t}
	}
}
