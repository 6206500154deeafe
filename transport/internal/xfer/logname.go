package xfer

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
)

// NameHash returns the first 12 hex digits of the SHA-256 of the base name
// of name: how logs refer to a remote file (see transport.NameHash).
func NameHash(name string) string {
	sum := sha256.Sum256([]byte(path.Base(name)))
	return hex.EncodeToString(sum[:6])
}

// RedactName replaces every occurrence of the base name of name in msg by
// "<name HASH>" (see transport.RedactName).
func RedactName(msg, name string) string {
	base := path.Base(name)
	if name == "" || base == "." || base == "/" {
		return msg
	}
	return strings.ReplaceAll(msg, base, "<name "+NameHash(base)+">")
}
