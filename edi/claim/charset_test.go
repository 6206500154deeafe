package claim_test

import (
	"testing"
)

// Bytes outside the X12 character set (NUL, control characters, 0xFF,
// UTF-8) in element values neither panic the decoders nor get altered by
// them: the validator rejects such sets (IK403 6) and the store side
// sanitizes; the decoders keep the raw values.
func TestDecodeBytesOutsideCharset(t *testing.T) {
	data := readTestdata(t, "837p_basic.edi",
		"NM1*IL*1*DOE*JANE*Q***MI*SYN100200300~", "NM1*IL*1*D\x00E*J\xffNE*Q***MI*SYN\x01\u00c9\x7f~",
		"N3*1 ELM ST~", "N3*1 \xfe\xff ST*\x00~")
	ctxs := streamAll(t, data)
	txs := decodeAll(t, data)
	if len(ctxs) == 0 || len(txs) != 1 {
		t.Fatalf("%d claims streamed, %d transactions", len(ctxs), len(txs))
	}
	if got := ctxs[0].Claim.MemberID(); got != "SYN\x01\u00c9\x7f" {
		t.Errorf("member ID %q", got)
	}
	if got := roundTrip(t, data); got != 1 {
		t.Errorf("%d sets round-tripped", got)
	}
}
