package cli

import (
	"runtime/debug"
	"strings"
)

// version is set at build time by the Makefile:
//
//	go build -ldflags "-X github.com/clearinghouse/clearinghouse/internal/cli.version=v1.2.3"
//
// Empty, the module version and VCS revision from the build info are used.
var version string

// Version returns the program's version: the -ldflags value when set, else
// the main module's version from runtime/debug.ReadBuildInfo, followed by
// the VCS revision and time the binary was built from when the toolchain
// recorded them (e.g. "(devel) rev 1a2b3c4d5e6f 2026-12-07T14:00:00Z dirty").
func Version() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	parts := []string{info.Main.Version}
	if parts[0] == "" {
		parts[0] = "(devel)"
	}
	var rev, at, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		parts = append(parts, "rev "+rev)
	}
	if at != "" {
		parts = append(parts, at)
	}
	if modified == "true" {
		parts = append(parts, "dirty")
	}
	return strings.Join(parts, " ")
}
