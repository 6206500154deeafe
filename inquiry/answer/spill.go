package answer

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"errors"
	"io"
	"os"

	"github.com/clearinghouse/clearinghouse/edi/claimstatus"
	"github.com/clearinghouse/clearinghouse/edi/eligibility"
	"github.com/clearinghouse/clearinghouse/edi/schema"
)

// spillLimit is how many bytes of decoded inquiries a set keeps in memory
// before it moves them to a temporary file.
const spillLimit = 1 << 20

// spill holds a set's decoded inquiries (a gob stream) until they are
// answered: in memory while small, then in an unlinked temporary file,
// so memory does not grow with the number of inquiries.
type spill struct {
	mem  bytes.Buffer
	file *os.File
	w    *bufio.Writer
	enc  *gob.Encoder
	n    int
}

// add appends one inquiry.
func (s *spill) add(v any) error {
	if s.enc == nil {
		s.enc = gob.NewEncoder(s)
	}
	s.n++
	return s.enc.Encode(v)
}

// Write implements io.Writer for the encoder: memory first, the file
// once past spillLimit.
func (s *spill) Write(b []byte) (int, error) {
	if s.file == nil && s.mem.Len()+len(b) <= spillLimit {
		return s.mem.Write(b)
	}
	if s.file == nil {
		f, err := os.CreateTemp("", "clearinghouse-inquiries-*")
		if err != nil {
			return 0, err
		}
		// Unlinked at once: nothing is left behind whatever happens.
		_ = os.Remove(f.Name())
		s.file, s.w = f, bufio.NewWriterSize(f, 64<<10)
		if _, err := s.w.Write(s.mem.Bytes()); err != nil {
			return 0, err
		}
		s.mem = bytes.Buffer{}
	}
	return s.w.Write(b)
}

// reader returns the inquiries written so far, from the start.
func (s *spill) reader() (io.Reader, error) {
	if s.file == nil {
		return bytes.NewReader(s.mem.Bytes()), nil
	}
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(s.file, 64<<10), nil
}

// close releases the temporary file.
func (s *spill) close() {
	s.enc = nil
	if s.file != nil {
		_ = s.file.Close()
		s.file = nil
	}
	s.mem = bytes.Buffer{}
}

// maxHeld is how many decoded inquiries a set keeps as they are before
// it spills them (a real-time request, or a small file, never spills).
const maxHeld = 256

// collector decodes one 270 or 276 set: the first maxHeld inquiries are
// held as decoded, the rest go through a spill.
type collector struct {
	kind string // "270" or "276"
	h    schema.Handler
	held []any
	sp   spill
	err  error
}

// keep holds or spills one decoded inquiry.
func (c *collector) keep(q any) error {
	if c.sp.n == 0 && len(c.held) < maxHeld {
		c.held = append(c.held, q)
		return nil
	}
	for _, h := range c.held {
		if err := c.sp.add(h); err != nil {
			return err
		}
	}
	c.held = nil
	return c.sp.add(q)
}

func newCollector(kind string) *collector {
	c := &collector{kind: kind}
	switch kind {
	case "270":
		c.h = eligibility.NewDecoder(func(q *eligibility.Inquiry) error { return c.keep(q) })
	case "276":
		c.h = claimstatus.NewDecoder(func(q *claimstatus.Inquiry) error { return c.keep(q) })
	}
	return c
}

// HandleEvent implements schema.Handler.
func (c *collector) HandleEvent(e schema.Event) error {
	if c.err != nil {
		return nil
	}
	// A failure to spill is kept for the answer, not raised here: the
	// set is still validated (its 999) and the answer step fails.
	if err := c.h.HandleEvent(e); err != nil {
		c.err = err
	}
	return nil
}

// each calls fn with the collected inquiries in order, n at a time.
func each[T any](c *collector, n int, fn func([]*T) error) error {
	if c.err != nil {
		return c.err
	}
	if c.sp.n == 0 {
		// Nothing spilled: the held inquiries, n at a time.
		batch := make([]*T, 0, min(n, len(c.held)))
		for _, h := range c.held {
			batch = append(batch, h.(*T))
			if len(batch) == n {
				if err := fn(batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			return fn(batch)
		}
		return nil
	}
	r, err := c.sp.reader()
	if err != nil {
		return err
	}
	dec := gob.NewDecoder(r)
	batch := make([]*T, 0, n)
	for {
		v := new(T)
		err := dec.Decode(v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		batch = append(batch, v)
		if len(batch) == n {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}
