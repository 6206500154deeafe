package x12

import (
	"bytes"
	"io"
)

const (
	defaultBufSize       = 64 << 10
	defaultMaxSegmentLen = 16 << 20
	maxISALen            = 512  // an ISA longer than this is not an ISA
	maxLeading           = 4096 // whitespace kept as Leading before a segment
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// Reader reads segments from an X12 stream. It takes the delimiters from
// each ISA header it meets (so one input may hold interchanges with
// different delimiters), tolerates a UTF-8 byte-order mark, line breaks and
// indentation between segments, and holds at most one segment (plus read
// buffer) in memory: memory does not grow with the size of the input.
//
// Read returns a *Segment that aliases the reader's buffer; it stays valid
// only until the next call to Read. Call Segment.Clone to keep one.
type Reader struct {
	// MaxSegmentLen is the longest segment accepted, in bytes (default
	// 16 MiB). A longer one is skipped with ErrSegmentTooLong, so a file
	// without terminators cannot make the reader buffer all of it.
	MaxSegmentLen int

	r    io.Reader
	buf  []byte
	pos  int   // first unread byte in buf
	end  int   // end of valid data in buf
	base int64 // stream offset of buf[0]
	rerr error // sticky error from r (io.EOF at the end)

	d        Delimiters
	inISA    bool // delimiters known and no IEA seen since
	started  bool // BOM check done
	inTxn    bool // between ST and SE
	seg      Segment
	ordinal  int
	position int
}

// NewReader returns a Reader reading from r. It buffers its reads, so r
// needs no buffering of its own.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, buf: make([]byte, defaultBufSize)}
}

// Delimiters returns the delimiters of the current interchange, and false
// before the first ISA has been read.
func (r *Reader) Delimiters() (Delimiters, bool) { return r.d, r.d.Segment != 0 }

// InputOffset returns the stream offset of the next unread byte.
func (r *Reader) InputOffset() int64 { return r.base + int64(r.pos) }

// fill reads more data into the buffer, compacting or growing it when it is
// full. It returns false when no more data can be read.
func (r *Reader) fill() bool {
	if r.rerr != nil {
		return false
	}
	if r.end == len(r.buf) {
		if r.pos > 0 {
			copy(r.buf, r.buf[r.pos:r.end])
			r.base += int64(r.pos)
			r.end -= r.pos
			r.pos = 0
		} else {
			nb := make([]byte, 2*len(r.buf))
			copy(nb, r.buf[:r.end])
			r.buf = nb
		}
	}
	for i := 0; i < 100; i++ {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	r.rerr = io.ErrNoProgress
	return false
}

// avail makes sure at least n unread bytes are buffered.
func (r *Reader) avail(n int) bool {
	for r.end-r.pos < n {
		if !r.fill() {
			return false
		}
	}
	return true
}

func (r *Reader) maxLen() int {
	if r.MaxSegmentLen > 0 {
		return r.MaxSegmentLen
	}
	return defaultMaxSegmentLen
}

// endErr is what Read returns once the input is exhausted.
func (r *Reader) endErr() error {
	if r.rerr == nil || r.rerr == io.EOF {
		return io.EOF
	}
	return r.rerr
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// Read returns the next segment. At the end of the input it returns io.EOF.
// A *SyntaxError is returned for data that cannot be tokenized; the reader
// then resynchronises (at the next segment or ISA) so the caller can keep
// reading and collect every problem. Errors from the underlying reader are
// returned as they are.
func (r *Reader) Read() (*Segment, error) {
	if !r.started {
		r.started = true
		if r.avail(3) && bytes.Equal(r.buf[r.pos:r.pos+3], bom) {
			r.pos += 3
		}
	}
	// Blank lines in a file whose terminator is a line break are skipped
	// in this loop, never by recursion: input decides how many there are.
	for {
		seg, blank, err := r.read()
		if !blank {
			return seg, err
		}
	}
}

// read reads one segment. blank is true when it consumed an empty segment
// that is a blank line (terminator is a line break): the caller reads on.
func (r *Reader) read() (seg *Segment, blank bool, err error) {
	// Skip line breaks and indentation between segments (unless they are
	// delimiters of the current interchange).
	k := 0
	for {
		if !r.avail(k + 1) {
			r.pos = r.end
			return nil, false, r.endErr()
		}
		c := r.buf[r.pos+k]
		if !isSpace(c) || (r.inISA && r.d.isDelimiter(c)) {
			break
		}
		k++
		if k > maxLeading {
			r.pos += k
			k = 0
		}
	}
	// An ISA header (re)defines the delimiters.
	if r.avail(k+4) && r.buf[r.pos+k] == 'I' && r.buf[r.pos+k+1] == 'S' && r.buf[r.pos+k+2] == 'A' && !isAlnum(r.buf[r.pos+k+3]) {
		seg, err = r.readISA(k)
		return seg, false, err
	}
	if !r.inISA {
		return nil, false, r.resync(k)
	}
	term := r.d.Segment
	start := r.pos + k
	j := bytes.IndexByte(r.buf[start:r.end], term)
	for j < 0 {
		scanned := r.end - start
		if scanned > r.maxLen() {
			return nil, false, r.skipLong(k)
		}
		if !r.fill() {
			// Input ends without a terminator: the rest is the last segment.
			start = r.pos + k
			raw := bytes.TrimRight(r.buf[start:r.end], " \t\r\n")
			if len(raw) == 0 {
				r.pos = r.end
				return nil, false, r.endErr()
			}
			seg := r.emit(k, raw, r.end-r.pos)
			seg.termErr = true
			return seg, false, nil
		}
		start = r.pos + k
		if j = bytes.IndexByte(r.buf[start+scanned:r.end], term); j >= 0 {
			j += scanned
		}
	}
	if j > r.maxLen() {
		return nil, false, r.skipLong(k)
	}
	raw := r.buf[start : start+j]
	if term == '\n' && !r.d.isDelimiter('\r') {
		// CRLF line ends in a file terminated by line feeds: the CRs are
		// part of the terminator (X12 data never ends in a CR).
		for len(raw) > 0 && raw[len(raw)-1] == '\r' {
			raw = raw[:len(raw)-1]
		}
	}
	if len(raw) == 0 && isSpace(term) {
		// A blank line in a file whose terminator is a line break.
		r.pos = start + j + 1
		return nil, true, nil
	}
	return r.emit(k, raw, k+j+1), false, nil
}

// emit fills r.seg for raw (which starts k bytes after r.pos) and consumes
// n bytes.
func (r *Reader) emit(k int, raw []byte, n int) *Segment {
	s := &r.seg
	s.Offset = r.base + int64(r.pos+k)
	s.lead = r.buf[r.pos : r.pos+k]
	s.raw = raw
	s.Delims = r.d
	s.termErr = false
	s.split()
	r.pos += n
	r.ordinal++
	s.Ordinal = r.ordinal
	id := s.ID()
	switch {
	case len(id) == 2 && id[0] == 'S' && id[1] == 'T':
		r.inTxn = true
		r.position = 1
		s.Position = 1
	case r.inTxn:
		r.position++
		s.Position = r.position
		if len(id) == 2 && id[0] == 'S' && id[1] == 'E' {
			r.inTxn = false
		}
	default:
		s.Position = 0
	}
	if len(id) == 3 && id[0] == 'I' && id[1] == 'E' && id[2] == 'A' {
		r.inISA = false
		r.inTxn = false
	}
	return s
}

// readISA parses an ISA header starting k bytes after r.pos.
func (r *Reader) readISA(k int) (*Segment, error) {
	start := k
	sep := r.buf[r.pos+k+3]
	i := k + 3
	n := 0
	var rep []byte
	elemStart := 0
	for n < 16 {
		if i-start > maxISALen || !r.avail(i+1) {
			return nil, r.badISA(k, ErrBadISA)
		}
		if r.buf[r.pos+i] == sep {
			n++
			if n == 11 {
				elemStart = i + 1
			}
			if n == 12 {
				rep = r.buf[r.pos+elemStart : r.pos+i]
			}
		}
		i++
	}
	if !r.avail(i + 2) {
		return nil, r.badISA(k, ErrBadISA)
	}
	d := Delimiters{Element: sep, Component: r.buf[r.pos+i], Segment: r.buf[r.pos+i+1]}
	// ISA11 is a repetition separator only when it is one non-alphanumeric
	// byte that differs from the other delimiters (4010 files carry the
	// standards identifier "U" there; some files repeat ISA16).
	if len(rep) == 1 && !isAlnum(rep[0]) && rep[0] != ' ' &&
		rep[0] != d.Element && rep[0] != d.Component && rep[0] != d.Segment {
		d.Repetition = rep[0]
	}
	if !d.Valid() {
		return nil, r.badISA(k, ErrBadDelimiter)
	}
	r.d = d
	r.inISA = true
	r.inTxn = false
	raw := r.buf[r.pos+k : r.pos+i+1]
	n2 := i + 2
	return r.emit(k, raw, n2), nil
}

// badISA reports an unusable ISA at k and skips past it to the next ISA.
func (r *Reader) badISA(k int, err error) error {
	off := r.base + int64(r.pos+k)
	r.inISA = false
	r.inTxn = false
	r.pos += k + 3
	r.ordinal++
	r.skipToISA()
	return &SyntaxError{Offset: off, Ordinal: r.ordinal, SegmentID: "ISA", Err: err}
}

// resync reports data where an ISA must start and skips to the next ISA.
func (r *Reader) resync(k int) error {
	off := r.base + int64(r.pos+k)
	r.pos += k
	r.skipToISA()
	return &SyntaxError{Offset: off, Ordinal: r.ordinal + 1, Err: ErrNoISA}
}

// skipToISA discards input up to the next "ISA" after the current byte (or
// to the end).
func (r *Reader) skipToISA() {
	from := r.pos + 1
	for {
		if from < r.end {
			if i := bytes.Index(r.buf[from:r.end], []byte("ISA")); i >= 0 {
				r.pos = from + i
				return
			}
		}
		// Keep the last two bytes: "IS" may continue in the next read.
		if keep := r.end - 2; keep > r.pos {
			r.pos = keep
		}
		from = r.pos
		if !r.fill() {
			r.pos = r.end
			return
		}
		from = r.pos
	}
}

// skipLong reports an over-long segment starting k bytes after r.pos and
// discards input through its terminator.
func (r *Reader) skipLong(k int) error {
	off := r.base + int64(r.pos+k)
	r.ordinal++
	if r.inTxn {
		r.position++
	}
	err := &SyntaxError{Offset: off, Ordinal: r.ordinal, Position: r.position, Err: ErrSegmentTooLong}
	for {
		if j := bytes.IndexByte(r.buf[r.pos:r.end], r.d.Segment); j >= 0 {
			r.pos += j + 1
			return err
		}
		r.pos = r.end
		if !r.fill() {
			return err
		}
	}
}
