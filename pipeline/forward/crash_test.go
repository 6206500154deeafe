package forward_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/faultinject"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
)

// Environment of the child process of TestForwardCrash.
const (
	envCrashChild = "FORWARD_TEST_CHILD"
	envCrashDB    = "FORWARD_TEST_DB"
	envCrashSpool = "FORWARD_TEST_SPOOL"
)

// TestForwardCrashChild is the child of TestForwardCrash: one forwarder
// run on the parent's store and spool, with a fault point armed
// (faultinject.Env) that SIGKILLs it. In an ordinary test run it does
// nothing.
func TestForwardCrashChild(t *testing.T) {
	if os.Getenv(envCrashChild) != "1" {
		return
	}
	ctx := context.Background()
	st, err := store.OpenConfig(ctx, store.Config{URL: os.Getenv(envCrashDB)})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.New(os.Getenv(envCrashSpool))
	if err != nil {
		t.Fatal(err)
	}
	table, err := forward.NewTable(forward.DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	f, err := forward.New(st, sp, table, nil, forward.Config{Owner: "child", Identity: forward.Identity{ID: "CLEARINGHOUSE", Name: "REPRICER"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.RunOnce(ctx)
	t.Fatalf("RunOnce returned (%+v, %v); want a SIGKILL at %s", res, err, os.Getenv(faultinject.Env))
}

// TestForwardCrash kills a forwarder (SIGKILL, internal/faultinject) after
// it spooled an outbound 837 but before queueing it, and after it queued a
// file and marked its claims (at the first and the second file); then new
// claims arrive (a new inbound file is processed) and a forwarder runs
// again. Every claim must be in exactly one queued 837, bound to that
// file, and every outbound name must be unique.
func TestForwardCrash(t *testing.T) {
	points := []string{"forward.spooled", "forward.committed", "forward.spooled@2", "forward.committed@2"}
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			for i, point := range points {
				t.Run(point, func(t *testing.T) {
					url := be.URL(t)
					b := setup(t, url)

					cmd := exec.Command(os.Args[0], "-test.run=^TestForwardCrashChild$", "-test.count=1")
					cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashDB+"="+url, envCrashSpool+"="+b.spoolDir,
						faultinject.Env+"="+point)
					out, err := cmd.CombinedOutput()
					var ee *exec.ExitError
					if !errors.As(err, &ee) || ee.ExitCode() != -1 {
						t.Fatalf("child: %v; want it killed at %s:\n%s", err, point, out)
					}

					// New work between the crash and the rerun.
					b.process(t, inboundFile{fmt.Sprintf("new-claims-%d.x12", i), pipelinetest.Synth837(t, int64(70+i), 7000+i, 6)})
					f := b.forwarder(t, forward.DefaultRoutes(), nil, 0)
					if _, err := f.RunOnce(t.Context()); err != nil {
						t.Fatalf("RunOnce after the crash: %v", err)
					}
					checkForwardedOnce(t, b)
				})
			}
		})
	}
}

// checkForwardedOnce checks that every claim the store holds as
// forwarded is in exactly one queued 837, the one it is bound to, that no
// other claim was sent, that no forwardable claim is left, and that
// outbound names are unique per partner.
func checkForwardedOnce(t *testing.T, b *testBundle) {
	t.Helper()
	ctx := t.Context()
	got, files := b.outbound(t)
	fileID := map[string]int64{}
	names := map[string]bool{}
	for _, f := range files {
		key := f.PartnerID + "/" + f.Name
		if names[key] {
			t.Errorf("outbound name %s queued twice", key)
		}
		names[key] = true
		fileID[f.Name] = f.ID
	}
	var all []store.Claim
	after := int64(0)
	for {
		page, err := b.st.ListClaims(ctx, store.ClaimFilter{AfterID: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	forwarded := map[string]store.Claim{} // CLM01 → claim
	for _, c := range all {
		switch c.State {
		case store.ClaimForwarded:
			if _, dup := forwarded[c.CLM01]; dup {
				t.Fatalf("test data: two forwarded claims with CLM01 %s", c.CLM01)
			}
			forwarded[c.CLM01] = c
		case store.ClaimAccepted, store.ClaimSuspect:
			t.Errorf("claim %s left %s", c.ControlNumber, c.State)
		}
	}
	if len(forwarded) == 0 {
		t.Fatal("no claim forwarded")
	}
	for clm01, c := range forwarded {
		s := got[clm01]
		if len(s) != 1 {
			var where []string
			for _, x := range s {
				where = append(where, x.partner+"/"+x.file)
			}
			t.Errorf("claim %s is in %d outbound 837s %v; want exactly one", c.ControlNumber, len(s), where)
			continue
		}
		id, err := b.st.OutboundFileOfClaim(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if id == nil || *id != fileID[s[0].file] {
			t.Errorf("claim %s is in %s (id %d) but bound to %v", c.ControlNumber, s[0].file, fileID[s[0].file], id)
		}
	}
	for clm01, s := range got {
		if _, ok := forwarded[clm01]; !ok {
			t.Errorf("CLM01 %s sent %d times but not forwarded in the store", clm01, len(s))
		}
	}
}

// TestRunOnceNameCollision: an outbound 837 already queued under the name
// of a batch but holding other claims is an error, never a silent skip,
// and the batch's claims stay candidates.
func TestRunOnceNameCollision(t *testing.T) {
	ctx := t.Context()
	// A scratch run on the same data tells the names the batches get.
	scratch := setup(t, dbtest.SQLiteURL(t))
	first, err := scratch.forwarder(t, forward.DefaultRoutes(), nil, 0).RunOnce(ctx)
	if err != nil || len(first.Files) == 0 {
		t.Fatalf("scratch run: %+v, %v", first, err)
	}
	target := first.Files[0]

	b := setup(t, dbtest.SQLiteURL(t))
	// A claim of another batch is bound to the file queued first.
	var other *store.Claim
	inScratch := scratch.claimsByCLM01(t)
	for clm01, c := range b.claimsByCLM01(t) {
		if id, err := scratch.st.OutboundFileOfClaim(ctx, inScratch[clm01].ID); err == nil && id != nil && *id != target.ID {
			other = &c
			break
		}
	}
	if other == nil {
		t.Fatal("no claim outside the first batch")
	}
	sf, err := b.sp.PutBytes(ctx, "outbound", []byte("something else"))
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := b.st.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: target.Partner, Kind: store.Kind837, Name: target.Name,
		SpoolPath: sf.Path, SHA256: sf.SHA256, Size: sf.Size})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.st.BindClaimsToOutbound(ctx, rec.ID, []int64{other.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = b.forwarder(t, forward.DefaultRoutes(), nil, 0).RunOnce(ctx)
	if !errors.Is(err, store.ErrOutboundClaims) {
		t.Fatalf("RunOnce = %v; want store.ErrOutboundClaims", err)
	}
	ids, err := b.st.ClaimIDsOfOutbound(ctx, rec.ID)
	if err != nil || len(ids) != 1 || ids[0] != other.ID {
		t.Errorf("claims of the colliding file %v, %v; want only the claim bound before", ids, err)
	}
}
