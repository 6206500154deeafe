package envelope

import (
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// isaField describes one ISA element: its fixed width and the TA105 note
// reported when it is invalid (wrong width included).
type isaField struct {
	width int
	note  string
}

var isaFields = [17]isaField{
	{},
	{2, ack.NoteBadAuthQualifier},      // ISA01
	{10, ack.NoteBadAuthValue},         // ISA02
	{2, ack.NoteBadSecurityQualifier},  // ISA03
	{10, ack.NoteBadSecurityValue},     // ISA04
	{2, ack.NoteBadSenderQualifier},    // ISA05
	{15, ack.NoteBadSender},            // ISA06
	{2, ack.NoteBadReceiverQualifier},  // ISA07
	{15, ack.NoteBadReceiver},          // ISA08
	{6, ack.NoteBadDate},               // ISA09
	{4, ack.NoteBadTime},               // ISA10
	{1, ack.NoteBadStandardsID},        // ISA11
	{5, ack.NoteBadVersion},            // ISA12
	{9, ack.NoteBadControlNumber},      // ISA13
	{1, ack.NoteBadAckRequested},       // ISA14
	{1, ack.NoteBadUsage},              // ISA15
	{1, ack.NoteBadComponentSeparator}, // ISA16
}

// isaLen is the length of a fixed-width ISA without its terminator.
const isaLen = 105

// idQualifiers are the ISA05/ISA07 values HIPAA allows.
var idQualifiers = map[string]bool{
	"01": true, "14": true, "20": true, "27": true, "28": true, "29": true, "30": true, "33": true, "ZZ": true,
}

// checkISA fills ic from the ISA header seg and records its issues.
func (m *Machine) checkISA(seg *x12.Segment) {
	ic := &m.ic
	el := func(i int) []byte {
		v := seg.Element(i)
		if m.opts.Lenient.ISAWidth {
			v = trimmed(v)
		}
		return v
	}
	ic.Sender = Party{Qualifier: string(trimmed(seg.Element(5))), ID: string(trimmed(seg.Element(6)))}
	ic.Receiver = Party{Qualifier: string(trimmed(seg.Element(7))), ID: string(trimmed(seg.Element(8)))}
	ic.Date = string(el(9))
	ic.Time = string(el(10))
	ic.Version = string(el(12))
	ic.Control = string(el(13))
	ic.AckRequested = string(el(14)) == "1"
	ic.Usage = string(el(15))
	ic.Delimiters = seg.Delims

	var bad [17]bool
	report := func(i int, sev ack.Severity, msg string) {
		bad[i] = true
		m.icIssue(isaFields[i].note, sev, seg, i, msg)
	}
	if q := string(trimmed(seg.Element(1))); q != "00" && q != "03" {
		report(1, ack.Error, "ISA01 authorization information qualifier must be 00 or 03")
	} else if q == "00" && len(trimmed(seg.Element(2))) > 0 {
		report(2, ack.Warning, "ISA02 must be blank when ISA01 is 00")
	}
	if q := string(trimmed(seg.Element(3))); q != "00" && q != "01" {
		report(3, ack.Error, "ISA03 security information qualifier must be 00 or 01")
	} else if q == "00" && len(trimmed(seg.Element(4))) > 0 {
		report(4, ack.Warning, "ISA04 must be blank when ISA03 is 00")
	}
	if !idQualifiers[ic.Sender.Qualifier] {
		report(5, ack.Error, "ISA05 sender ID qualifier is not a HIPAA qualifier")
	}
	switch {
	case ic.Sender.ID == "" || !printable(seg.Element(6)):
		report(6, ack.Error, "ISA06 sender ID is blank or has invalid characters")
	case len(m.opts.SenderIDs) > 0 && !contains(m.opts.SenderIDs, ic.Sender.ID):
		bad[6] = true
		m.icIssue(ack.NoteBadSender, ack.Error, seg, 6, "ISA06 sender ID is not one the partner is enrolled with")
	}
	if !idQualifiers[ic.Receiver.Qualifier] {
		report(7, ack.Error, "ISA07 receiver ID qualifier is not a HIPAA qualifier")
	}
	switch {
	case ic.Receiver.ID == "" || !printable(seg.Element(8)):
		report(8, ack.Error, "ISA08 receiver ID is blank or has invalid characters")
	case len(m.opts.ReceiverIDs) > 0 && !contains(m.opts.ReceiverIDs, ic.Receiver.ID):
		bad[8] = true
		m.icIssue(ack.NoteUnknownReceiver, ack.Error, seg, 8, "ISA08 receiver ID is not one of ours")
	}
	if !validYYMMDD(el(9)) {
		report(9, ack.Error, "ISA09 interchange date is not a valid YYMMDD date")
	}
	if !validHHMM(el(10)) {
		report(10, ack.Error, "ISA10 interchange time is not a valid HHMM time")
	}
	switch v := el(12); {
	case len(v) != 5 || !digits(v):
		report(12, ack.Error, "ISA12 interchange version must be five digits")
	case string(v) != "00501":
		bad[12] = true
		m.icIssue(ack.NoteVersionNotSupported, ack.Error, seg, 12, fmt.Sprintf("ISA12 version %s is not supported (00501 only)", v))
	default:
		// 5010: ISA11 is the repetition separator. The tokenizer leaves
		// Delims.Repetition zero when ISA11 is not a usable separator.
		if seg.Delims.Repetition == 0 {
			sev := ack.Error
			if m.opts.Lenient.ISA11 {
				sev = ack.Warning
			}
			report(11, sev, "ISA11 repetition separator must be a special character in a 00501 interchange")
		}
	}
	if !digits(el(13)) {
		report(13, ack.Error, "ISA13 interchange control number must be numeric")
	}
	if v := string(el(14)); v != "0" && v != "1" {
		report(14, ack.Error, "ISA14 acknowledgment requested must be 0 or 1")
	}
	if v := string(el(15)); v != "P" && v != "T" && v != "I" {
		report(15, ack.Error, "ISA15 usage indicator must be P, T or I")
	}

	// Fixed width: each element padded to its width (106 bytes in all).
	if len(seg.Raw()) != isaLen || seg.Len() != 16 {
		sev := ack.Error
		if m.opts.Lenient.ISAWidth {
			sev = ack.Warning
		}
		for i := 1; i <= 16; i++ {
			if n := len(seg.Element(i)); n != isaFields[i].width && !bad[i] {
				m.icIssue(isaFields[i].note, sev, seg, i,
					fmt.Sprintf("ISA is not fixed width: ISA%02d has %d characters, must have %d", i, n, isaFields[i].width))
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
