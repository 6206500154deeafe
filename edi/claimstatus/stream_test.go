package claimstatus

import (
	"fmt"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
)

// stream276 is a 276 of n claim inquiries made on the fly.
func stream276(n int) *validtest.Repeat {
	return &validtest.Repeat{
		Head: "ISA*00*          *00*          *ZZ*NORTHSIDE      *ZZ*ALLIANCECH     *260301*0915*^*00501*000000071*0*T*:~" +
			"GS*HR*NORTHSIDE*ALLIANCECH*20260301*0915*71*X*005010X212~ST*276*0001*005010X212~" +
			"BHT*0010*13*STAT-0042*20260302*0930~HL*1**20*1~NM1*PR*2*ALLIANCE HEALTH PLAN*****PI*ALL01~" +
			"HL*2*1*21*1~NM1*41*2*NORTHSIDE BILLING*****46*NSB001~HL*3*2*19*1~NM1*1P*2*NORTHSIDE CLINIC*****XX*1234567893~",
		Block: func(i int) string {
			return fmt.Sprintf("HL*%d*3*22*0~DMG*D8*19800214*F~NM1*IL*1*DOE*JANE****MI*M%08d~TRN*1*T%d~REF*EJ*P%d~"+
				"AMT*T3*100~DTP*472*D8*20260215~", i+3, i, i, i)
		},
		N:    n,
		Tail: func(segs int) string { return fmt.Sprintf("SE*%d*0001~GE*1*71~IEA*1*000000071~", segs) },
	}
}

// decodeStream runs validate.Run over a generated 276 with the Decoder
// behind the schema and returns the inquiries seen and the peak heap.
func decodeStream(t *testing.T, n int) (int, uint64) {
	t.Helper()
	count := 0
	var peak uint64
	dec := NewDecoder(func(q *Inquiry) error {
		count++
		if q.Subscriber.ID != fmt.Sprintf("M%08d", count) || q.Claim.ChargeCents != 10000 || q.ProviderID("XX") == "" {
			return fmt.Errorf("inquiry %d decoded wrong", count)
		}
		if count%1000 == 0 {
			peak = max(peak, validtest.HeapInUse())
		}
		return nil
	})
	validtest.Stream(t, stream276(n), dec, dec.Flush)
	return count, peak
}

// TestDecoderStreams: the Decoder under validate.Run emits every claim
// inquiry of a large set and its heap does not grow with their number.
func TestDecoderStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 55k inquiries")
	}
	validtest.FlatHeap(t, 5_000, 50_000, decodeStream)
}
