package schema

import "github.com/clearinghouse/clearinghouse/edi/x12"

// setRules are the situational rules a schema brings along (Schema.rules),
// beside the 837 rules of rules.go: per-parser state fed by the same three
// hooks (a loop opens, a segment is placed, a loop instance closes) plus
// the end of the set. The parser creates one value per Parser and resets
// it with the parser; rules report through Parser.ruleIssue / addIssue.
type setRules interface {
	// reset prepares for the next transaction set.
	reset()
	// open runs when an instance of loop opens with trigger seg (before
	// segment runs for seg).
	open(p *Parser, loop string, seg *x12.Segment)
	// segment runs for every placed segment; sd is its use, loop its
	// event loop (Event.Loop).
	segment(p *Parser, seg *x12.Segment, sd *segDef, loop string)
	// close runs when an instance of loop closes.
	close(p *Parser, loop string)
	// finish runs once at the end of the set, after every loop closed.
	finish(p *Parser)
}
