package ack

import "strings"

// Acknowledgment codes: TA104 (interchange), IK501 (transaction set) and
// AK901 (functional group). PartiallyAccepted is only valid in AK901.
const (
	Accepted           = "A"
	AcceptedWithErrors = "E"
	PartiallyAccepted  = "P"
	Rejected           = "R"
)

// TA105 interchange note codes emitted by the envelope validator.
const (
	NoteNoError               = "000"
	NoteControlMismatch       = "001" // ISA13 and IEA02 differ
	NoteVersionNotSupported   = "003" // ISA12 well formed but not 00501
	NoteBadTerminator         = "004"
	NoteBadSenderQualifier    = "005"
	NoteBadSender             = "006"
	NoteBadReceiverQualifier  = "007"
	NoteBadReceiver           = "008"
	NoteUnknownReceiver       = "009"
	NoteBadAuthQualifier      = "010"
	NoteBadAuthValue          = "011"
	NoteBadSecurityQualifier  = "012"
	NoteBadSecurityValue      = "013"
	NoteBadDate               = "014"
	NoteBadTime               = "015"
	NoteBadStandardsID        = "016" // ISA11 (repetition separator in 5010)
	NoteBadVersion            = "017" // ISA12 not five digits
	NoteBadControlNumber      = "018"
	NoteBadAckRequested       = "019"
	NoteBadUsage              = "020"
	NoteBadGroupCount         = "021"
	NotePrematureEnd          = "023"
	NoteBadContent            = "024"
	NoteDuplicateControl      = "025"
	NoteBadElementSeparator   = "026"
	NoteBadComponentSeparator = "027"
)

// AK905..AK909 functional group error codes emitted by the envelope
// validator.
const (
	GroupNotSupported        = "1"
	GroupVersionNotSupported = "2"
	GroupTrailerMissing      = "3"
	GroupControlMismatch     = "4"
	GroupCountWrong          = "5"
	GroupControlSyntax       = "6"
	GroupControlNotUnique    = "19"
)

// IK502..IK506 transaction set error codes emitted by the envelope
// validator (SetSegmentErrors and SetImplementationErrors are derived from
// segment and element issues by SetCodes).
const (
	SetNotSupported           = "1"
	SetTrailerMissing         = "2"
	SetControlMismatch        = "3"
	SetCountWrong             = "4"
	SetSegmentErrors          = "5"
	SetBadIdentifier          = "6"
	SetBadControl             = "7"
	SetBadConventionRef       = "19"
	SetControlNotUnique       = "23"
	SetImplementationErrors   = "I5"
	SetConventionNotSupported = "I6"
)

// IK304 segment error codes used by the envelope validator.
const (
	SegmentUnrecognized     = "1"
	SegmentUnexpected       = "2"
	SegmentHasElementErrors = "8"
)

// TA1Notes describes every TA105 note code (paraphrased).
var TA1Notes = map[string]string{
	"000": "no error",
	"001": "interchange control numbers in ISA13 and IEA02 do not match",
	"002": "control standard not supported",
	"003": "interchange version (ISA12) not supported",
	"004": "segment terminator invalid",
	"005": "sender ID qualifier (ISA05) invalid",
	"006": "sender ID (ISA06) invalid",
	"007": "receiver ID qualifier (ISA07) invalid",
	"008": "receiver ID (ISA08) invalid",
	"009": "receiver ID (ISA08) unknown",
	"010": "authorization information qualifier (ISA01) invalid",
	"011": "authorization information (ISA02) invalid",
	"012": "security information qualifier (ISA03) invalid",
	"013": "security information (ISA04) invalid",
	"014": "interchange date (ISA09) invalid",
	"015": "interchange time (ISA10) invalid",
	"016": "interchange standards identifier / repetition separator (ISA11) invalid",
	"017": "interchange version (ISA12) invalid",
	"018": "interchange control number (ISA13) invalid",
	"019": "acknowledgment requested (ISA14) invalid",
	"020": "test indicator (ISA15) invalid",
	"021": "number of included groups (IEA01) invalid",
	"022": "invalid control characters",
	"023": "premature end of file",
	"024": "invalid interchange content",
	"025": "duplicate interchange control number",
	"026": "data element separator invalid",
	"027": "component element separator invalid",
	"028": "invalid date in deferred delivery request",
	"029": "invalid time in deferred delivery request",
	"030": "invalid delivery time code in deferred delivery request",
	"031": "invalid grade of service",
}

// GroupCodes describes AK905..AK909 codes (paraphrased).
var GroupCodes = map[string]string{
	"1":  "functional group not supported",
	"2":  "functional group version not supported",
	"3":  "functional group trailer (GE) missing",
	"4":  "group control numbers in GS06 and GE02 do not match",
	"5":  "number of included transaction sets (GE01) does not match",
	"6":  "group control number violates syntax",
	"10": "authentication key name unknown",
	"11": "encryption key name unknown",
	"12": "requested service not available",
	"13": "unknown security recipient",
	"14": "unknown security originator",
	"15": "syntax error in decrypted text",
	"16": "security not supported",
	"17": "incorrect message length",
	"18": "message authentication code failed",
	"19": "functional group control number not unique within interchange",
	"23": "S3E security end segment missing for S3S",
	"24": "S3S security start segment missing for S3E",
	"25": "S4E security end segment missing for S4S",
	"26": "S4S security start segment missing for S4E",
}

// SetCodeText describes IK502..IK506 codes (paraphrased).
var SetCodeText = map[string]string{
	"1":  "transaction set not supported",
	"2":  "transaction set trailer (SE) missing",
	"3":  "transaction set control numbers in ST02 and SE02 do not match",
	"4":  "number of included segments (SE01) does not match",
	"5":  "one or more segments in error",
	"6":  "missing or invalid transaction set identifier (ST01)",
	"7":  "missing or invalid transaction set control number (ST02)",
	"8":  "authentication key name unknown",
	"9":  "encryption key name unknown",
	"10": "requested service not available",
	"11": "unknown security recipient",
	"12": "incorrect message length",
	"13": "message authentication code failed",
	"15": "unknown security originator",
	"16": "syntax error in decrypted text",
	"17": "security not supported",
	"18": "transaction set not in functional group",
	"19": "invalid implementation convention reference (ST03)",
	"23": "transaction set control number not unique within the functional group",
	"24": "S3E security end segment missing for S3S",
	"25": "S3S security start segment missing for S3E",
	"26": "S4E security end segment missing for S4S",
	"27": "S4S security start segment missing for S4E",
	"I5": "implementation: one or more segments in error",
	"I6": "implementation convention not supported",
}

// SegmentCodes describes IK304 codes (paraphrased).
var SegmentCodes = map[string]string{
	"1":  "unrecognized segment ID",
	"2":  "unexpected segment",
	"3":  "required segment missing",
	"4":  "loop occurs over maximum times",
	"5":  "segment exceeds maximum use",
	"6":  "segment not in defined transaction set",
	"7":  "segment not in proper sequence",
	"8":  "segment has data element errors",
	"I4": "implementation \"not used\" segment present",
	"I6": "implementation dependent segment missing",
	"I7": "implementation loop occurs under minimum times",
	"I8": "implementation segment below minimum use",
	"I9": "implementation dependent \"not used\" segment present",
}

// ElementCodes describes IK403 codes (paraphrased). Code 11 is deliberately
// absent: it is not in the published lists we follow.
var ElementCodes = map[string]string{
	"1":   "required data element missing",
	"2":   "conditional required data element missing",
	"3":   "too many data elements",
	"4":   "data element too short",
	"5":   "data element too long",
	"6":   "invalid character in data element",
	"7":   "invalid code value",
	"8":   "invalid date",
	"9":   "invalid time",
	"10":  "exclusion condition violated",
	"12":  "too many repetitions",
	"13":  "too many components",
	"I6":  "code value not used in implementation",
	"I9":  "implementation dependent data element missing",
	"I10": "implementation \"not used\" data element present",
	"I11": "implementation too few repetitions",
	"I12": "implementation pattern match failure",
	"I13": "implementation dependent \"not used\" data element present",
}

// Codes returns the code table of level: TA105 notes, AK905, IK502, IK304
// or IK403 codes with their (paraphrased) meanings. The map is shared: do
// not modify it.
func Codes(level Level) map[string]string {
	switch level {
	case LevelInterchange:
		return TA1Notes
	case LevelGroup:
		return GroupCodes
	case LevelTransaction:
		return SetCodeText
	case LevelSegment:
		return SegmentCodes
	case LevelElement:
		return ElementCodes
	}
	return nil
}

// Describe returns the description of code at level, or "" when unknown.
func Describe(level Level, code string) string { return Codes(level)[code] }

// isImplementation reports whether an IK304/IK403 code is an
// implementation-guide code ("I4", "I12", ...).
func isImplementation(code string) bool { return strings.HasPrefix(code, "I") }

// SetCodes returns the IK502..IK506 codes for a transaction set's issues,
// in the order found and without duplicates: the transaction-level codes
// first, then SetSegmentErrors ("5") when any segment or element issue
// carries a standard code and SetImplementationErrors ("I5") when any
// carries an implementation code. The 999 writes at most five of them.
func SetCodes(issues []Issue) []string {
	var codes []string
	add := func(c string) {
		for _, x := range codes {
			if x == c {
				return
			}
		}
		codes = append(codes, c)
	}
	std, impl := false, false
	for _, is := range issues {
		switch is.Level {
		case LevelTransaction:
			add(is.Code)
		case LevelSegment, LevelElement:
			code := is.Code
			if is.Level == LevelElement && is.SegmentCode != "" && isImplementation(is.SegmentCode) {
				impl = true
			}
			if isImplementation(code) {
				impl = true
			} else {
				std = true
			}
		}
	}
	if std {
		add(SetSegmentErrors)
	}
	if impl {
		add(SetImplementationErrors)
	}
	return codes
}

// GroupErrorCodes returns the AK905..AK909 codes of group-level issues in
// the order found, without duplicates.
func GroupErrorCodes(issues []Issue) []string {
	var codes []string
outer:
	for _, is := range issues {
		if is.Level != LevelGroup {
			continue
		}
		for _, x := range codes {
			if x == is.Code {
				continue outer
			}
		}
		codes = append(codes, is.Code)
	}
	return codes
}

// Verdict returns Rejected when any issue is an Error, AcceptedWithErrors
// when there are only warnings and Accepted when there are none. It is the
// IK501 of a set (given the set's issues) and the TA104 of an interchange
// (given the interchange-level issues).
func Verdict(issues []Issue) string {
	v := Accepted
	for _, is := range issues {
		if is.Severity == Error {
			return Rejected
		}
		v = AcceptedWithErrors
	}
	return v
}

// GroupVerdict returns AK901 for a group given its group-level issues and
// the IK501 codes of its sets: Rejected when a group-level error exists or
// every set was rejected; PartiallyAccepted when some but not all sets were
// rejected; AcceptedWithErrors when none was rejected but some had errors
// noted (or the group has warnings); Accepted otherwise. A group without
// sets and without issues is Accepted.
func GroupVerdict(issues []Issue, setAcks []string) string {
	v := Verdict(issues)
	if v == Rejected {
		return Rejected
	}
	rejected, noted := 0, 0
	for _, a := range setAcks {
		switch a {
		case Accepted:
		case AcceptedWithErrors:
			noted++
		default:
			rejected++
		}
	}
	switch {
	case len(setAcks) > 0 && rejected == len(setAcks):
		return Rejected
	case rejected > 0:
		return PartiallyAccepted
	case noted > 0:
		return AcceptedWithErrors
	}
	return v
}

// IsAccepted reports whether an IK501/AK901/TA104 code lets the data be
// processed (A, E or P).
func IsAccepted(code string) bool {
	return code == Accepted || code == AcceptedWithErrors || code == PartiallyAccepted
}
