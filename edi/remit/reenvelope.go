package remit

import (
	"bytes"
	"fmt"
	"io"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Reenvelope writes received 835 sets, as decoded by SetDecoder, DecodeSet
// or ReadSets (with their segments), inside a new interchange of ours: one
// ISA (ack.WriteISA) and one HP group (GS08 005010X221A1) addressed by
// out, with every set's ST..SE as received. It is how an ERA received
// from a payer is forwarded to the provider it pays.
//
// out is resolved as for Write (Control, GroupControl, Time, SenderID and
// ReceiverID required; out.SetControl is not used unless a set must be
// renumbered). Every set must be an 005010X221A1 835 with its segments.
//
// What is kept and what changes:
//
//   - The segments of each set, ST through SE, are written byte for byte,
//     with the line breaks found between them inside the set; SE01 is
//     kept as received (forward what passed validation: a set's verdict
//     does not change by re-enveloping it).
//   - ST02 (and SE02 with it) changes only when it would repeat the ST02
//     of a set already written in the group (X12 requires ST02 unique
//     within a group, IK502 23): the set then gets the first number from
//     out.SetControl (default 1) on, written with four digits, that no set
//     of the group uses. Nothing else of the set changes (the renumbered
//     SE loses the whitespace before it).
//   - The interchange uses the delimiters of the first set. A later set
//     read with other delimiters is translated to them (its line breaks
//     dropped); a set whose data holds one of those delimiters is refused
//     (nothing is written), since X12 has no escape character.
//   - ISA/GS/GE/IEA are ours; out.Suffix follows their terminators.
func Reenvelope(w io.Writer, sets []*Remittance, out ack.OutboundEnvelope) error {
	env, err := resolveEnvelope(out, len(sets))
	if err != nil {
		return fmt.Errorf("reenvelope 835: %w", err)
	}
	if len(sets) == 0 {
		return fmt.Errorf("reenvelope 835: %w", &FieldError{Field: "[]*Remittance", Err: ErrEmpty})
	}
	var d x12.Delimiters
	for i, r := range sets {
		if r == nil || len(r.segs) == 0 {
			return fmt.Errorf("reenvelope 835: %w", &FieldError{Remittance: i + 1, Field: "Remittance", Err: ErrNoSegments})
		}
		if r.Version != Version || !r.segs[0].Is("ST") || r.segs[0].String(1) != "835" {
			return fmt.Errorf("reenvelope 835: %w", &FieldError{Remittance: i + 1, Field: "Remittance.Version", Element: "ST",
				Err: fmt.Errorf("%w: not an %s 835 set", ErrInvalid, Version)})
		}
		if i == 0 {
			d = r.segs[0].Delims
		} else if sd := r.segs[0].Delims; sd != d && !translatable(r.segs, d) {
			return fmt.Errorf("reenvelope 835: %w", &FieldError{Remittance: i + 1, Field: "Remittance", Element: "ST..SE",
				Err: fmt.Errorf("%w: the set's data holds a delimiter of the first set", ErrInvalid)})
		}
	}
	if err := checkParties(env, d); err != nil {
		return fmt.Errorf("reenvelope 835: %w", err)
	}

	// ST02 values, renumbering repeats.
	controls := make([]string, len(sets))
	used := map[string]bool{}
	for i, r := range sets {
		controls[i] = r.segs[0].String(2)
		if used[controls[i]] {
			controls[i] = ""
		}
		used[controls[i]] = true
	}
	next := env.FirstSet
	for i := range controls {
		if controls[i] != "" {
			continue
		}
		for used[fmt.Sprintf("%04d", next)] {
			next++
		}
		controls[i] = fmt.Sprintf("%04d", next)
		used[controls[i]] = true
		if next > 999_999_999 {
			return fmt.Errorf("reenvelope 835: st02 %d: %w", next, ack.ErrControlNumber)
		}
	}

	xw := x12.NewWriter(w, d)
	xw.Suffix = out.Suffix
	env.Begin(xw, FunctionalID, Version)
	for i, r := range sets {
		renumber := controls[i] != r.segs[0].String(2)
		for j, s := range r.segs {
			lead := j > 0 // the ST keeps no leading whitespace
			if renumber && (j == 0 || j == len(r.segs)-1 && s.Is("SE")) {
				s = withElement(s, 2, controls[i])
			}
			if err := writeSeg(xw, s, lead); err != nil {
				return fmt.Errorf("reenvelope 835: %w", err)
			}
		}
	}
	env.End(xw, len(sets))
	if err := xw.Flush(); err != nil {
		return fmt.Errorf("reenvelope 835: %w", err)
	}
	return nil
}

// checkParties refuses envelope values holding one of the delimiters d.
func checkParties(env *outbound.Envelope, d x12.Delimiters) error {
	for _, v := range env.Values() {
		for i := 0; i < len(v); i++ {
			if c := v[i]; c == d.Element || c == d.Component || c == d.Segment || d.Repetition != 0 && c == d.Repetition {
				return &FieldError{Field: "OutboundEnvelope", Err: fmt.Errorf("%w: a party ID holds a delimiter of the sets", ErrInvalid)}
			}
		}
	}
	return nil
}

// translatable reports whether segs, read with other delimiters, can be
// written with d: no data byte is one of d's delimiters.
func translatable(segs []*x12.Segment, d x12.Delimiters) bool {
	for _, s := range segs {
		sd := s.Delims
		for _, c := range s.Raw() {
			if c == sd.Element || c == sd.Component || sd.Repetition != 0 && c == sd.Repetition {
				continue
			}
			if c == d.Element || c == d.Component || c == d.Segment || d.Repetition != 0 && c == d.Repetition {
				return false
			}
		}
	}
	return true
}

// withElement returns a copy of s with element pos replaced by v. The
// copy has no leading whitespace (x12.Segment cannot be given one).
func withElement(s *x12.Segment, pos int, v string) *x12.Segment {
	var b bytes.Buffer
	b.Write(s.ID())
	for i := 1; i <= max(s.Len(), pos); i++ {
		b.WriteByte(s.Delims.Element)
		if i == pos {
			b.WriteString(v)
		} else {
			b.Write(s.Element(i))
		}
	}
	n := x12.NewSegment(b.Bytes(), s.Delims)
	n.Offset, n.Ordinal, n.Position = s.Offset, s.Ordinal, s.Position
	return n
}
