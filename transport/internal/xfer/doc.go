// Package xfer holds the types and name checks shared by package transport
// and its implementations (transport/dir, transport/sftp). It exists only to
// break the import cycle between transport.Open and the implementations;
// package transport re-exports everything here under the same names, and
// code outside transport/ should use those.
//
// Example:
//
//	n, err := xfer.CleanName(partnerFileName)
//	if errors.Is(err, xfer.ErrUnsafeName) {
//		// refuse the file
//	}
package xfer
