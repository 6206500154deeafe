package transport

import (
	"log/slog"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

// NameHash returns a short, stable stand-in for a remote file name or path
// in logs: the first 12 hex digits of the SHA-256 of its base name.
// Partners put member names, birth dates and record numbers in file names,
// so a name is PHI and never logged; the hash still lets an operator match
// log lines to each other and to a name they already have (the store
// keeps the name; `clearinghouse file ID` shows it).
func NameHash(name string) string { return xfer.NameHash(name) }

// NameAttr is the log attribute of a remote file name: "name_hash" with
// NameHash(name).
func NameAttr(name string) slog.Attr {
	return slog.String("name_hash", NameHash(name))
}

// RedactName returns msg (an error message, typically) with every
// occurrence of the base name of name replaced by "<name HASH>", for a log
// line about that file: transport errors quote the path they failed on.
func RedactName(msg, name string) string { return xfer.RedactName(msg, name) }
