//go:build !unix

package main

const umask = 0

// restrictUmask does nothing where there is no umask.
func restrictUmask() int { return 0 }
