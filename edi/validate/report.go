package validate

import (
	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
)

// FileReport is the JSON object `clearinghouse validate --json` prints for
// one input file. Slices are never null. Bad values (IK404) and claim IDs
// are left out: the report may end up in logs, and those may be PHI.
type FileReport struct {
	File string `json:"file"`
	// Accepted is true when nothing in the file was rejected (errors
	// noted on accepted data, "E", do not count). The exit status
	// (Result.Status) is stricter: it is 0 only when everything is clean.
	Accepted     bool                `json:"accepted"`
	Interchanges []InterchangeReport `json:"interchanges"`
	// Errors are findings outside any interchange.
	Errors []IssueReport `json:"errors"`
}

// InterchangeReport is one ISA..IEA.
type InterchangeReport struct {
	Control           string        `json:"control"`
	Sender            string        `json:"sender"`
	SenderQualifier   string        `json:"sender_qualifier"`
	Receiver          string        `json:"receiver"`
	ReceiverQualifier string        `json:"receiver_qualifier"`
	Usage             string        `json:"usage"`
	Offset            int64         `json:"offset"`
	TA1               TA1Report     `json:"ta1"`
	Groups            []GroupReport `json:"groups"`
	// Errors are the interchange-level findings (TA105 notes).
	Errors []IssueReport `json:"errors"`
}

// TA1Report is the interchange verdict.
type TA1Report struct {
	Ack  string `json:"ack"`  // TA104: A, E or R
	Note string `json:"note"` // TA105
	// Send is true when a TA1 is due (requested, not clean, or required).
	Send bool `json:"send"`
}

// GroupReport is one GS..GE.
type GroupReport struct {
	Control  string `json:"control"` // GS06
	ID       string `json:"id"`      // GS01
	Version  string `json:"version"` // GS08
	Ack      string `json:"ack"`     // AK901
	Included int    `json:"included"`
	Received int    `json:"received"`
	Accepted int    `json:"accepted"`
	// Codes are AK905..AK909.
	Codes        []string            `json:"codes"`
	Errors       []IssueReport       `json:"errors"`
	Transactions []TransactionReport `json:"transactions"`
}

// TransactionReport is one ST..SE.
type TransactionReport struct {
	Control string `json:"control"` // ST02
	ID      string `json:"id"`      // ST01, e.g. "837"
	Version string `json:"version"` // ST03, or GS08 when ST03 is absent
	Ack     string `json:"ack"`     // IK501
	// Codes are IK502..IK506 (all of them; the 999 carries five).
	Codes        []string `json:"codes"`
	Offset       int64    `json:"offset"`
	SegmentCount int      `json:"segment_count"`
	// BodyChecked is false when only the envelope was validated (no
	// implementation-guide schema for the set).
	BodyChecked bool `json:"body_checked"`
	// Dropped counts findings not listed (past the per-set cap).
	Dropped int           `json:"dropped,omitempty"`
	Errors  []IssueReport `json:"errors"`
}

// IssueReport is one finding.
type IssueReport struct {
	Level    string `json:"level"`    // interchange, group, transaction, segment, element
	Severity string `json:"severity"` // error or warning
	// Code is the level's code: TA105, AK905, IK502, IK304 or IK403.
	Code              string `json:"code"`
	SegmentID         string `json:"segment_id"`
	SegmentPosition   int    `json:"segment_position"` // IK302, ST = 1
	Loop              string `json:"loop"`
	ElementPosition   int    `json:"element_position"`
	ComponentPosition int    `json:"component_position"`
	// IK3 is the IK304 code (segment and element findings), IK4 the
	// IK403 code (element findings).
	IK3     string `json:"ik3"`
	IK4     string `json:"ik4"`
	Offset  int64  `json:"offset"`
	Message string `json:"message"`
}

// Report converts a validation result into the JSON report for file.
func Report(file string, res *envelope.Result) FileReport {
	fr := FileReport{
		File:         file,
		Accepted:     res.Accepted(),
		Interchanges: make([]InterchangeReport, 0, len(res.Interchanges)),
		Errors:       issueReports(res.Issues),
	}
	for ii := range res.Interchanges {
		ic := &res.Interchanges[ii]
		ir := InterchangeReport{
			Control:           ic.Control,
			Sender:            ic.Sender.ID,
			SenderQualifier:   ic.Sender.Qualifier,
			Receiver:          ic.Receiver.ID,
			ReceiverQualifier: ic.Receiver.Qualifier,
			Usage:             ic.Usage,
			Offset:            ic.Offset,
			TA1:               TA1Report{Ack: ic.TA1.Ack, Note: ic.TA1.Note, Send: ic.SendTA1},
			Groups:            make([]GroupReport, 0, len(ic.Groups)),
			Errors:            issueReports(ic.Issues),
		}
		for gi := range ic.Groups {
			g := &ic.Groups[gi]
			gr := GroupReport{
				Control:      g.Control,
				ID:           g.FunctionalID,
				Version:      g.Version,
				Ack:          g.Ack,
				Included:     g.Included,
				Received:     g.Received,
				Accepted:     g.Accepted,
				Codes:        nonNil(g.Codes()),
				Errors:       issueReports(g.Issues),
				Transactions: make([]TransactionReport, 0, len(g.Sets)),
			}
			for si := range g.Sets {
				s := &g.Sets[si]
				gr.Transactions = append(gr.Transactions, TransactionReport{
					Control:      s.Control,
					ID:           s.ID,
					Version:      s.Version,
					Ack:          s.Ack,
					Codes:        nonNil(s.Codes()),
					Offset:       s.Offset,
					SegmentCount: s.SegmentCount,
					BodyChecked:  s.BodyChecked,
					Dropped:      s.Dropped,
					Errors:       issueReports(s.Issues),
				})
			}
			ir.Groups = append(ir.Groups, gr)
		}
		fr.Interchanges = append(fr.Interchanges, ir)
	}
	return fr
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func issueReports(issues []ack.Issue) []IssueReport {
	out := make([]IssueReport, 0, len(issues))
	for _, is := range issues {
		r := IssueReport{
			Level:             is.Level.String(),
			Severity:          "error",
			Code:              is.Code,
			SegmentID:         is.SegmentID,
			SegmentPosition:   is.Position,
			Loop:              is.Loop,
			ElementPosition:   is.Element,
			ComponentPosition: is.Component,
			Offset:            is.Offset,
			Message:           is.Message,
		}
		if is.Severity == ack.Warning {
			r.Severity = "warning"
		}
		switch is.Level {
		case ack.LevelSegment:
			r.IK3 = is.Code
		case ack.LevelElement:
			r.IK3 = is.SegmentCode
			if r.IK3 == "" {
				r.IK3 = ack.SegmentHasElementErrors
			}
			r.IK4 = is.Code
		}
		if r.Message == "" {
			r.Message = ack.Describe(is.Level, is.Code)
		}
		out = append(out, r)
	}
	return out
}
