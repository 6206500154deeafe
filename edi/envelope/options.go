package envelope

import (
	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// SetKey names a kind of transaction set: the functional group it travels
// in (GS01), its identifier (ST01) and implementation convention
// (GS08/ST03).
type SetKey struct {
	FunctionalID string
	ID           string
	Version      string
}

// Known lists the HIPAA 5010 transaction sets the engine knows (reference
// §1.2). It is the default of Options.Supported.
var Known = []SetKey{
	{"HC", "837", "005010X222A1"}, // 837 professional
	{"HC", "837", "005010X223A2"}, // 837 institutional
	{"HC", "837", "005010X224A2"}, // 837 dental
	{"HP", "835", "005010X221A1"},
	{"HS", "270", "005010X279A1"},
	{"HB", "271", "005010X279A1"},
	{"HR", "276", "005010X212"},
	{"HN", "277", "005010X212"},
	{"HN", "277", "005010X214"}, // 277CA
	{"BE", "834", "005010X220A1"},
	{"RA", "820", "005010X218"},
	{"FA", "999", "005010X231A1"},
}

// Claims lists the claim transaction sets a claims intake processes:
// 837P and 837I. With Options.Supported = Claims, anything else (an 835
// sent to the claims inbox, say) is rejected as not supported.
var Claims = []SetKey{
	{"HC", "837", "005010X222A1"},
	{"HC", "837", "005010X223A2"},
}

// Leniency relaxes individual checks for trading partners known to break
// them. Each switch turns an error (which rejects) into a warning (which
// is noted, TA104/IK501 "E"); the default is strict.
type Leniency struct {
	// ISAWidth: ISA elements not padded to their fixed width (an ISA that
	// is not 106 bytes long) are warnings. Default: errors.
	ISAWidth bool
	// MissingST03: a set without ST03 takes GS08 as its implementation
	// convention without IK502 19. Default: IK502 19 error.
	MissingST03 bool
	// ST03Mismatch: ST03 different from GS08 is a warning (the set is
	// validated against ST03). Default: IK502 19 error.
	ST03Mismatch bool
	// SegmentCount: a wrong SE01 is a warning (IK502 4 noted). Default:
	// error.
	SegmentCount bool
	// ISA11: in a 00501 interchange, an ISA11 that is not a usable
	// repetition separator (the 4010 "U" some translators still send) is
	// a warning. Default: TA1 016 error.
	ISA11 bool
	// GroupCount: a wrong GE01 (AK905 5) or IEA01 (TA1 021) is a warning.
	// Default: error.
	GroupCount bool
}

// BodyValidator checks the body of one transaction set against its
// implementation guide. It receives every segment from ST through SE in
// order (or up to where the set was cut off), then Finish once. An error
// from Segment aborts validation (it is the consumer's error, not a
// finding). *schema.Parser implements it.
type BodyValidator interface {
	Segment(seg *x12.Segment) error
	Finish() []ack.Issue
}

// SetInfo identifies a transaction set and its envelope when it starts.
type SetInfo struct {
	Interchange  string // ISA13
	Sender       Party  // ISA05/ISA06
	Receiver     Party  // ISA07/ISA08
	Usage        string // ISA15
	FunctionalID string // GS01
	Group        string // GS06
	GroupVersion string // GS08
	AppSender    string // GS02
	AppReceiver  string // GS03
	ID           string // ST01
	Control      string // ST02
	Reference    string // ST03 ("" when absent)
	// Version is ST03, or GS08 when ST03 is absent.
	Version string
	Offset  int64 // byte offset of the ST
	// Supported is true when the set kind is in Options.Supported.
	Supported bool
}

// SetResult is a finished transaction set as OnSetEnd sees it.
type SetResult struct {
	SetInfo
	// Ack is the set's IK501 (A, E or R). Whether the set is finally
	// processed also depends on its group and interchange: see
	// Options.OnInterchangeEnd and Interchange.SetAccepted.
	Ack          string
	Issues       []ack.Issue
	SegmentCount int
	BodyChecked  bool
}

// Options configures a Machine. The zero value validates the envelope of
// every set kind in Known, with no body validation.
type Options struct {
	// Supported lists the set kinds accepted; nil means Known. Sets of
	// other kinds are still envelope-validated but get IK502 1 (or I6
	// when the set identifier is supported with another convention) and
	// no body validation; a GS01 used by no supported kind gets AK905 1,
	// a GS08 not supported for its GS01 AK905 2.
	Supported []SetKey
	// Body returns the body validator of a supported set, or nil to
	// validate its envelope only. Nil means no body validation.
	Body func(SetInfo) BodyValidator
	// OnSetEnd, when set, is called once per set after its SE (or when it
	// is cut off) with the set's verdict and issues, while the input is
	// still being read. It is called just before the next envelope
	// segment, because segments straying after an SE are charged to the
	// set before it.
	OnSetEnd func(SetResult)
	// OnInterchangeEnd, when set, is called when an interchange ends (IEA,
	// next ISA or end of input) with its final verdicts. The pointer is
	// valid only during the call.
	OnInterchangeEnd func(*Interchange)
	// ReceiverIDs, when not empty, lists the ISA08 values (padding
	// trimmed) we accept; any other receiver is TA1 note 009. Default:
	// any receiver.
	ReceiverIDs []string
	// SenderIDs, when not empty, lists the ISA06 values (padding trimmed)
	// the sending partner is enrolled with; any other sender is TA1 note
	// 006 and the interchange is rejected. Default: any sender.
	SenderIDs []string
	// RequireTA1 marks every interchange for a TA1, not only those that
	// ask for one (ISA14 = 1) or are not accepted cleanly.
	RequireTA1 bool
	// Lenient relaxes individual checks.
	Lenient Leniency
}
