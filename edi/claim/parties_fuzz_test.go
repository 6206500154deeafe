package claim_test

import (
	"bytes"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
)

// FuzzSetParties edits the 1000A/1000B of a clean 837P with arbitrary
// names and IDs: an accepted edit must re-decode to exactly those values
// with the claims unchanged; a refused one must leave the set as it was.
func FuzzSetParties(f *testing.F) {
	f.Add("REPRICER", "CLEARINGHOUSE", "RELAYHEALTH", "RELAYHEALTH")
	f.Add("A&B REPRICER", "CH01", "SYNTH TPA WEST", "WEST")
	f.Add("X*Y", "ID", "N~M", "I:D")
	f.Add(" ", "  ", "", "1")
	f.Fuzz(func(t *testing.T, subName, subID, rcvName, rcvID string) {
		data := readTestdata(t, "837p_basic.edi")
		spans := setSpans(data)
		if len(spans) != 1 {
			t.Fatalf("%d sets", len(spans))
		}
		span := spans[0]
		tx := decodeAll(t, data)[0]
		bps := jsonOf(t, tx.BillingProviders)
		origSub, origRcv := tx.Submitter.Entity, tx.Receiver.Entity
		before := encodeSet(t, tx, span.delims)
		errS := tx.SetSubmitter(subName, claim.PartyIDQualifier, subID)
		errR := tx.SetReceiver(rcvName, claim.PartyIDQualifier, rcvID)
		out := encodeSet(t, tx, span.delims)
		if errS != nil && errR != nil {
			if !bytes.Equal(out, before) {
				t.Fatalf("refused edits changed the set (%v; %v)", errS, errR)
			}
			return
		}
		start := bytes.Index(data, span.data)
		whole := append(append(append([]byte{}, data[:start]...), out...), data[start+len(span.data):]...)
		re := decodeAll(t, whole)
		if len(re) != 1 {
			t.Fatalf("re-decoded %d sets", len(re))
		}
		if errS == nil && (re[0].Submitter.Name != subName || re[0].Submitter.ID != subID) {
			t.Fatalf("submitter %q/%q re-decoded as %q/%q", subName, subID, re[0].Submitter.Name, re[0].Submitter.ID)
		}
		if errR == nil && (re[0].Receiver.Name != rcvName || re[0].Receiver.ID != rcvID) {
			t.Fatalf("receiver %q/%q re-decoded as %q/%q", rcvName, rcvID, re[0].Receiver.Name, re[0].Receiver.ID)
		}
		if errS != nil && re[0].Submitter.Entity != origSub {
			t.Fatalf("refused submitter edit (%v) changed 1000A to %+v", errS, re[0].Submitter.Entity)
		}
		if errR != nil && re[0].Receiver.Entity != origRcv {
			t.Fatalf("refused receiver edit (%v) changed 1000B to %+v", errR, re[0].Receiver.Entity)
		}
		if got := jsonOf(t, re[0].BillingProviders); got != bps {
			t.Fatal("claims changed")
		}
	})
}
