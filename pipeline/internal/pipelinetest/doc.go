// Package pipelinetest holds test helpers for the pipeline packages: a
// settable clock, a transport.Remote wrapper with fault hooks, crash tests
// that SIGKILL a re-executed copy of the test binary, an embedded SFTP
// server fixture and synthetic 837 files.
//
// A crash test runs its scenario in a child process and kills it at a
// chosen point:
//
//	func TestHelperProcess(t *testing.T) {
//		switch pipelinetest.Scenario() {
//		case "":
//			return // not a child
//		case "halt-before-archive":
//			remote.BeforeRename = func(context.Context, string, string) { pipelinetest.Halt("before-archive") }
//			poller.RunOnce(ctx) // never returns
//		}
//	}
//
//	func TestCrash(t *testing.T) {
//		c := pipelinetest.StartChild(t, "TestHelperProcess", "halt-before-archive", env)
//		c.WaitHalt(t, "before-archive")
//		c.Kill(t) // SIGKILL: no deferred code runs in the child
//		// restart and check that nothing was lost or doubled
//	}
package pipelinetest
