// Package remotetest is the conformance suite every transport.Remote
// implementation must pass. Each implementation's tests call Run with a
// Harness; the same suite runs against transport/dir, transport/sftp talking
// to the embedded server, and transport/sftp talking to OpenSSH.
//
// Example:
//
//	func TestConformance(t *testing.T) {
//		base := t.TempDir()
//		remotetest.Run(t, remotetest.Harness{
//			HostDir: base,
//			New: func(t *testing.T) xfer.Remote {
//				r, err := dir.New(base)
//				if err != nil {
//					t.Fatal(err)
//				}
//				return r
//			},
//		})
//	}
package remotetest
