package schema_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

func Example() {
	const edi = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*T*:~" +
		"GS*HC*SUBMITTER*RECEIVER*20260101*1200*1*X*005010X222A1~" +
		"ST*837*0001*005010X222A1~BHT*0019*00*1*20260101*1200*CH~" +
		"NM1*41*2*SUBMITTER CO*****46*S1~PER*IC*JANE*TE*5555551212~NM1*40*2*RECEIVER CO*****46*R1~" +
		"HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~N3*1 MAIN ST~N4*TOWN*OH*432150000~REF*EI*123456789~" +
		"HL*2*1*22*0~SBR*P*18*G1******CI~NM1*IL*1*DOE*JOHN****MI*M1~NM1*PR*2*PAYER*****PI*P1~" +
		"CLM*C1*100***11:B:1*Y*A*Y*Y~HI*ABK:R51~LX*1~SV1*HC:A0428*90*UN*1***1~DTP*472*D8*20260101~" +
		"SE*20*0001~GE*1*1~IEA*1*000000001~"

	p := schema.NewParser(schema.Lookup("837", "005010X222A1"), schema.HandlerFunc(func(e schema.Event) error {
		if e.NewLoop {
			fmt.Printf("%s opens %s\n", e.Seg.Tag(), e.Loop)
		}
		return nil
	}))
	rd := x12.NewReader(strings.NewReader(edi))
	for {
		seg, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		if seg.Position > 0 { // ST..SE
			_ = p.Segment(seg)
		}
	}
	for _, is := range p.Finish() {
		fmt.Printf("IK3*%s*%d*%s IK4*%d*%s*%s claim %s\n", is.SegmentID, is.Position, is.Loop, is.Element,
			is.DataElement, is.Code, is.ClaimID)
	}
	// Output:
	// NM1 opens 1000A
	// NM1 opens 1000B
	// HL opens 2000A
	// NM1 opens 2010AA
	// HL opens 2000B
	// NM1 opens 2010BA
	// NM1 opens 2010BB
	// CLM opens 2300
	// LX opens 2400
	// IK3*CLM*15*2300 IK4*2*782*I12 claim C1
}
