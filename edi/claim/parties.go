package claim

import (
	"fmt"
	"strings"
)

// Limits of the 1000A submitter and 1000B receiver NM1 in the
// 005010X222A1 and 005010X223A2 guides.
const (
	// PartyIDQualifier is the only NM108 the guides allow in loops 1000A
	// and 1000B: "46", electronic transmitter identification number (ETIN).
	PartyIDQualifier = "46"
	maxPartyName     = 60 // NM103
	minPartyID       = 2  // NM109
	maxPartyID       = 80 // NM109
)

// SetSubmitter sets the 1000A submitter name, NM1*41, to the organization
// name (NM103) with identifier qualifier idQualifier (NM108, which must be
// PartyIDQualifier) and identifier id (NM109, the submitter's ETIN).
//
// The NM1 is replaced in place, with its leading whitespace, by
// NM1*41*2*name*****idQualifier*id written with the transaction's
// delimiters: NM102 is "2" (non-person entity) and NM104..NM107 are empty,
// also when the submitter was sent as a person (NM102 "1" with a first
// name). The 1000A PER contacts and every other segment are kept byte for
// byte, and the segment count does not change. Transaction.Submitter is
// updated; its Contacts are kept.
//
// name must be 1 to 60 characters and id 2 to 80, neither blank nor
// holding a control character; a value holding one of the transaction's
// delimiters is refused with ErrDelimiter. A transaction without segments
// (streaming Decoder) gets ErrNoSegments, one without a 1000A loop an
// error. A failed edit changes nothing.
func (tx *Transaction) SetSubmitter(name, idQualifier, id string) error {
	return tx.setParty("1000A", "41", &tx.Submitter, name, idQualifier, id)
}

// SetReceiver sets the 1000B receiver name, NM1*40, to the organization
// name (NM103) with identifier qualifier idQualifier (NM108, which must be
// PartyIDQualifier) and identifier id (NM109, the receiver's ETIN), as
// SetSubmitter does for 1000A: the NM1 is replaced in place by
// NM1*40*2*name*****idQualifier*id, every other segment is kept byte for
// byte, and Transaction.Receiver is updated. The values are checked as
// SetSubmitter checks them.
func (tx *Transaction) SetReceiver(name, idQualifier, id string) error {
	return tx.setParty("1000B", "40", &tx.Receiver, name, idQualifier, id)
}

// setParty replaces the NM1 (entity code code) that starts each instance
// of loop (1000A or 1000B) under the transaction's root and updates p.
func (tx *Transaction) setParty(loop, code string, p *Party, name, qual, id string) error {
	if tx.root == nil || tx.root.firstSeg() == nil {
		return ErrNoSegments
	}
	var nodes []*node
	for _, it := range tx.root.items {
		if n := it.child; n != nil && n.loop == loop {
			if s := n.firstSeg(); s != nil && s.Is("NM1") && s.String(1) == code {
				nodes = append(nodes, n)
			}
		}
	}
	if len(nodes) == 0 {
		return fmt.Errorf("claim: transaction has no %s loop (NM1*%s)", loop, code)
	}
	if err := checkParty(loop, name, qual, id); err != nil {
		return err
	}
	// Check every instance's delimiters before changing any of them.
	for _, n := range nodes {
		if err := checkValues(n.firstSeg().Delims, name, qual, id); err != nil {
			return fmt.Errorf("claim: %s NM1: %w", loop, err)
		}
	}
	if hasControl(name) || hasControl(id) {
		return fmt.Errorf("claim: %s NM1: value holds a control character", loop)
	}
	for _, n := range nodes {
		old := n.items[0].seg
		raw := buildRaw(old.Delims, "NM1", code, "2", name, "", "", "", "", qual, id)
		if string(raw) != string(old.Raw()) {
			n.items[0].seg = tx.newSegment(old.Leading(), raw, old.Delims)
		}
	}
	tx.modified = true
	p.Entity = Entity{Code: code, Type: "2", Name: name, IDQualifier: qual, ID: id}
	return nil
}

// checkParty checks a 1000A/1000B name, qualifier and identifier against
// the guides' lengths and codes (delimiters and control characters are
// checked by the caller).
func checkParty(loop, name, qual, id string) error {
	switch {
	case qual != PartyIDQualifier:
		return fmt.Errorf("claim: %s NM108 %q: the guides allow only %q", loop, qual, PartyIDQualifier)
	case len(name) > maxPartyName || strings.TrimSpace(name) == "":
		return fmt.Errorf("claim: %s NM103: want 1 to %d characters, not blank (got %d)", loop, maxPartyName, len(name))
	case len(id) < minPartyID || len(id) > maxPartyID || strings.TrimSpace(id) == "":
		return fmt.Errorf("claim: %s NM109: want %d to %d characters, not blank (got %d)", loop, minPartyID, maxPartyID, len(id))
	}
	return nil
}

// hasControl reports whether s holds a byte below 0x20 or DEL, which no X12
// string element may hold.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
