package eligibility

import (
	"fmt"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/internal/validtest"
)

// stream270 is a 270 of n subscriber inquiries made on the fly.
func stream270(n int) *validtest.Repeat {
	return &validtest.Repeat{
		Head: "ISA*00*          *00*          *ZZ*NORTHSIDE      *ZZ*ALLIANCECH     *260301*0915*^*00501*000000071*0*T*:~" +
			"GS*HS*NORTHSIDE*ALLIANCECH*20260301*0915*71*X*005010X279A1~ST*270*0001*005010X279A1~" +
			"BHT*0022*13*REQ-0001*20260301*0915~HL*1**20*1~NM1*PR*2*ALLIANCE HEALTH PLAN*****PI*ALL01~" +
			"HL*2*1*21*1~NM1*1P*2*NORTHSIDE CLINIC*****XX*1234567893~",
		Block: func(i int) string {
			return fmt.Sprintf("HL*%d*2*22*0~TRN*1*T%d*9CLINIC001~NM1*IL*1*DOE*JANE****MI*M%08d~DMG*D8*19800214*F~"+
				"DTP*291*D8*20260301~EQ*30^98~", i+2, i, i)
		},
		N:    n,
		Tail: func(segs int) string { return fmt.Sprintf("SE*%d*0001~GE*1*71~IEA*1*000000071~", segs) },
	}
}

// decodeStream runs validate.Run over a generated 270 with the Decoder
// behind the schema and returns the inquiries seen and the peak heap.
func decodeStream(t *testing.T, n int) (int, uint64) {
	t.Helper()
	count := 0
	var peak uint64
	dec := NewDecoder(func(q *Inquiry) error {
		count++
		if q.Subscriber.ID != fmt.Sprintf("M%08d", count) || len(q.Patient().ServiceTypes()) != 2 {
			return fmt.Errorf("inquiry %d decoded wrong", count)
		}
		if count%1000 == 0 {
			peak = max(peak, validtest.HeapInUse())
		}
		return nil
	})
	validtest.Stream(t, stream270(n), dec, dec.Flush)
	return count, peak
}

// TestDecoderStreams: the Decoder under validate.Run emits every inquiry
// of a large set and its heap does not grow with the number of inquiries.
func TestDecoderStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 55k inquiries")
	}
	validtest.FlatHeap(t, 5_000, 50_000, decodeStream)
}
