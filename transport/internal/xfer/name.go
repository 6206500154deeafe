package xfer

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// MaxElemLen is the longest path element, in bytes, that CleanPath accepts
// (NAME_MAX on Linux and most SFTP servers).
const MaxElemLen = 255

// MaxNameLen is the longest file name, in bytes, that CleanName accepts:
// MaxElemLen minus the bytes TempName adds, so the temp file of a valid name
// is itself a valid file name.
const MaxNameLen = MaxElemLen - len(".") - len(TempSuffix)

// MaxPathLen is the longest relative path, in bytes, that CleanPath accepts.
const MaxPathLen = 1024

// TempSuffix ends every temp name made by TempName.
const TempSuffix = ".part"

// ErrUnsafeName is wrapped by every *NameError.
var ErrUnsafeName = errors.New("unsafe file name")

// NameError reports a file name or path refused by CleanName or CleanPath.
type NameError struct {
	// Name is the name or path as given.
	Name string
	// Reason says which rule it broke, e.g. "contains a control character".
	Reason string
}

// Error implements error. The name is quoted with %q so control characters
// cannot forge log lines.
func (e *NameError) Error() string {
	return fmt.Sprintf("unsafe file name %q: %s", e.Name, e.Reason)
}

// Unwrap returns ErrUnsafeName.
func (e *NameError) Unwrap() error { return ErrUnsafeName }

// CleanName validates a single remote file name (no directory part) and
// returns it unchanged. It refuses the empty name, "." and "..", names with
// "/" or "\", NUL and other control characters, invalid UTF-8, hidden names
// (leading "."; this covers Put temp files) and names longer than MaxNameLen
// bytes. The error is a *NameError wrapping ErrUnsafeName.
func CleanName(name string) (string, error) {
	if reason := nameProblem(name, MaxNameLen); reason != "" {
		return "", &NameError{Name: name, Reason: reason}
	}
	if strings.HasPrefix(name, ".") {
		return "", &NameError{Name: name, Reason: "hidden or temp name"}
	}
	return name, nil
}

// CleanPath validates a slash-separated path relative to a Remote's base
// directory and returns it in canonical form: "a//b/" becomes "a/b", and ""
// or "." (the base itself) becomes ".". It refuses absolute
// paths, "\" anywhere, ".." elements, control characters, invalid UTF-8, and
// elements or paths that are too long. Elements may start with "." so that
// temp files can still be opened or removed.
func CleanPath(p string) (string, error) {
	if p == "" || p == "." {
		return ".", nil
	}
	if len(p) > MaxPathLen {
		return "", &NameError{Name: p, Reason: fmt.Sprintf("longer than %d bytes", MaxPathLen)}
	}
	if strings.HasPrefix(p, "/") {
		return "", &NameError{Name: p, Reason: "absolute path"}
	}
	for elem := range strings.SplitSeq(p, "/") {
		if elem == "" || elem == "." {
			continue
		}
		if reason := nameProblem(elem, MaxElemLen); reason != "" {
			return "", &NameError{Name: p, Reason: reason}
		}
	}
	return path.Clean(p), nil
}

// CleanFilePath is CleanPath for a path that must name a file or directory
// below the base, not the base itself.
func CleanFilePath(p string) (string, error) {
	c, err := CleanPath(p)
	if err != nil {
		return "", err
	}
	if c == "." {
		return "", &NameError{Name: p, Reason: "names the base directory"}
	}
	return c, nil
}

// TempName returns the hidden temp name Put writes before renaming to name:
// "." + name + TempSuffix.
func TempName(name string) string { return "." + name + TempSuffix }

// IsHidden reports whether a base name is hidden (leading "."); List leaves
// such names out, which hides Put temp files.
func IsHidden(name string) bool { return strings.HasPrefix(name, ".") }

// nameProblem returns why a single path element is unsafe, or "".
func nameProblem(name string, maxLen int) string {
	switch {
	case name == "":
		return "empty"
	case name == "." || name == "..":
		return "path traversal"
	case len(name) > maxLen:
		return fmt.Sprintf("longer than %d bytes", maxLen)
	case strings.ContainsAny(name, `/\`):
		return "contains a path separator"
	case !utf8.ValidString(name):
		return "invalid utf-8"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "contains a control character"
		}
	}
	return ""
}
