// Package x12 reads and writes X12 EDI segments. It knows the syntax of
// X12 (ISA delimiters, segments, elements, components, repetitions) and
// nothing of healthcare: envelopes, implementation guides and transaction
// models live in sibling packages.
//
// The Reader is shaped like encoding/csv: NewReader, then Read until
// io.EOF. It streams: it takes the delimiters from each ISA header (byte 4
// is the element separator, ISA11 the repetition separator, ISA16 the
// component separator and the byte after it the segment terminator),
// tolerates a UTF-8 BOM and line breaks or indentation between segments,
// and never holds more than one segment plus its read buffer, so memory
// does not depend on the input size. Segments are zero-copy views of the
// buffer, valid until the next Read:
//
//	r := x12.NewReader(f)
//	for {
//		seg, err := r.Read()
//		if err == io.EOF {
//			break
//		}
//		var se *x12.SyntaxError
//		if errors.As(err, &se) {
//			log.Printf("offset %d: %v", se.Offset, se.Err) // reading goes on
//			continue
//		} else if err != nil {
//			return err
//		}
//		if seg.Is("CLM") {
//			freq := seg.Component(5, 3) // CLM05-3
//			_ = freq
//		}
//	}
//
// The Reader takes any byte in element values (NUL, control characters,
// 0x80 and above) and never fails on them: checking the X12 character set
// is the implementation-guide layer's job (edi/schema, IK403 6). Blank
// lines and empty segments, however many, are read in constant stack and
// memory.
//
// Every segment knows its byte Offset in the input, its Ordinal in the
// input and its Position within the transaction set (ST = 1), the numbers
// a 999 IK3 reports.
//
// The Writer mirrors the Reader: Write builds a segment from strings and
// drops trailing empty elements; WriteSegment copies a segment (translating
// delimiters when needed); WriteRaw reproduces a segment byte for byte,
// leading whitespace included. Money is handled as int64 cents
// (ParseCents, AppendCents), quantities as int64 thousandths (ParseMilli,
// AppendMilli).
package x12
