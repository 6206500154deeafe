package eligibility_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/eligibility"
)

// Decode a 270 and answer each inquiry with a 271 that echoes the
// identifiers and trace numbers and reports active coverage.
func Example() {
	data, err := os.ReadFile("testdata/subscriber_and_dependent.270")
	if err != nil {
		panic(err)
	}
	reqs, err := eligibility.DecodeRequests(data)
	if err != nil {
		panic(err)
	}
	var out []eligibility.Response
	for _, q := range reqs[0].Inquiries {
		fmt.Printf("inquiry at HL position %d: dependent %v, service types %v\n",
			q.Position, q.Dependent != nil, q.Patient().ServiceTypes())
		r := eligibility.Response{Reference: q.Header.Reference, Source: *q.Source, Receiver: q.Receiver.Party,
			Subscriber: q.Subscriber.Echo()}
		answer := r.Subscriber
		if q.Dependent != nil {
			r.Subscriber.Traces = nil // the dependent level answers the inquiry
			r.Dependent = q.Dependent.Echo()
			answer = r.Dependent
		}
		answer.Benefits = []eligibility.Benefit{{Code: "1", CoverageLevel: "IND", ServiceTypes: q.Patient().ServiceTypes()}}
		out = append(out, r)
	}
	var b strings.Builder
	err = eligibility.Write271(&b, out, ack.OutboundEnvelope{Control: 1, GroupControl: 1,
		Time: time.Date(2026, 3, 1, 9, 16, 0, 0, time.UTC), SenderID: "ALLIANCECH", ReceiverID: "NORTHSIDE", Suffix: "\n"})
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "TRN") || strings.HasPrefix(line, "EB") || strings.HasPrefix(line, "HL") {
			fmt.Println(line)
		}
	}
	// Output:
	// inquiry at HL position 11: dependent false, service types [30 98]
	// inquiry at HL position 24: dependent true, service types [30]
	// HL*1**20*1~
	// HL*2*1*21*1~
	// HL*3*2*22*0~
	// TRN*2*TRC-1001*9CLINIC001~
	// EB*1*IND*30^98~
	// HL*1**20*1~
	// HL*2*1*21*1~
	// HL*3*2*22*1~
	// HL*4*3*23*0~
	// TRN*2*TRC-1002*9CLINIC001~
	// EB*1*IND*30~
}
