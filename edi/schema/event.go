package schema

import "github.com/clearinghouse/clearinghouse/edi/x12"

// Event is one segment of a transaction set as the schema parser placed
// it: which loop it belongs to and whether it opened a new instance of that
// loop. Parsers emit events in input order, ST first and SE last, so a
// consumer (such as the typed 837 decoder) can build its model from the
// stream without holding the transaction in memory.
//
// Seg aliases the reader's buffer: it is valid only during the call that
// delivers the event (Clone it to keep it).
type Event struct {
	Seg *x12.Segment
	// Loop is the implementation-guide loop ID: "HEADER" for ST/BHT and
	// other segments before the first loop, "1000A", "2000B", "2010BB",
	// "2300", "2400", ... , "TRAILER" for SE. Segments the parser could not
	// place (unexpected or unknown) have Loop "" and Unplaced true.
	Loop string
	// NewLoop is true when Seg is the first (trigger) segment of a new
	// instance of Loop.
	NewLoop bool
	// Parent is the loop ID of the enclosing loop instance ("" at top).
	Parent string
	// Unplaced is true when the segment did not fit the schema (it is
	// reported as an issue) and was skipped.
	Unplaced bool
}

// Handler receives events. Implementations must not retain e.Seg after
// returning unless they Clone it.
type Handler interface {
	HandleEvent(e Event) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(e Event) error

// HandleEvent calls f(e).
func (f HandlerFunc) HandleEvent(e Event) error { return f(e) }
