//go:build unix

package main

import "syscall"

// umask is the file-mode creation mask the engine runs with: nothing it
// creates (spool, database, reports, local outboxes) is readable by other
// users, as all of it may hold PHI.
const umask = 0o027

// restrictUmask sets the process umask to umask and returns the previous
// one.
func restrictUmask() int { return syscall.Umask(umask) }
