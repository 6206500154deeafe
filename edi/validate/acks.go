package validate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
)

// Control number kinds asked of ControlNumbers.
const (
	KindInterchange = "ISA" // ISA13/IEA02 of an outbound ack
	KindGroup       = "GS"  // GS06/GE02 of an outbound 999
)

// ControlNumbers hands out the control numbers of the acknowledgments we
// send (1..999999999, never reused within a kind). The CLI uses a Counter;
// the pipeline adapts the store's persistent sequences.
type ControlNumbers interface {
	Next(ctx context.Context, kind string) (int64, error)
}

// Counter is an in-memory ControlNumbers: each kind counts up from the
// start value, wrapping to 1 after 999999999. Safe for concurrent use.
type Counter struct {
	mu    sync.Mutex
	start int64
	last  map[string]int64
}

// NewCounter returns a Counter whose first number of every kind is start
// (1 when start is out of range).
func NewCounter(start int64) *Counter {
	if start < 1 || start > 999_999_999 {
		start = 1
	}
	return &Counter{start: start, last: map[string]int64{}}
}

// Next returns the next number of kind.
func (c *Counter) Next(_ context.Context, kind string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.last[kind]
	switch {
	case !ok:
		v = c.start
	case v >= 999_999_999:
		v = 1
	default:
		v++
	}
	c.last[kind] = v
	return v, nil
}

// AckOptions configures WriteAcks.
type AckOptions struct {
	// ControlNumbers numbers our ISA13 and GS06. Required.
	ControlNumbers ControlNumbers
	// Now is the time written in the acks' envelopes; zero means
	// time.Now().
	Now time.Time
	// Envelope is the template of every outbound envelope: party
	// overrides, usage, delimiters, suffix. Its control numbers and time
	// are ignored. A TA1 for an interchange whose ISA could not be read is
	// written only when Envelope names both parties.
	Envelope ack.OutboundEnvelope
	// Prefix starts every file name (default "ack").
	Prefix string
	// Name, when set, names the files instead: the base name of the TA1
	// of interchange ic (gi < 0) or of the 999 of its group gi. The
	// engine's names (pipeline.AckNameBase) come in this way.
	Name func(kind string, ic *envelope.Interchange, gi int) string
	// Written, when set, holds the paths written so far (by this call
	// and earlier ones sharing the map): a second acknowledgment under one
	// path is an error, never a silent overwrite.
	Written map[string]bool
}

// AckFile is one acknowledgment WriteAcks wrote (or skipped).
type AckFile struct {
	Kind        string // "TA1" or "999"
	Path        string // "" when skipped
	Interchange string // received ISA13 it answers
	Group       string // received GS06 (999 only)
	Control     int64  // our ISA13
	// Skipped says why no file was written ("" when written).
	Skipped string
}

// WriteAcks writes the acknowledgments res calls for into dir: a TA1 for
// every interchange marked SendTA1, and a 999 for every functional group
// of every interchange that was not rejected (a rejected interchange gets
// its TA1 only: its groups were not accepted for processing, so they are
// not acknowledged). Files are written to a temporary name and renamed,
// so a reader of dir never sees a partial ack. Names are
// <prefix>_<ISA13>_ta1_<our ISA13>.x12 and
// <prefix>_<ISA13>_<GS06>_999_<our ISA13>.x12.
func WriteAcks(ctx context.Context, res *envelope.Result, dir string, opts AckOptions) ([]AckFile, error) {
	if opts.ControlNumbers == nil {
		return nil, fmt.Errorf("write acks: no control numbers")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = "ack"
	}
	var files []AckFile
	for ii := range res.Interchanges {
		if err := ctx.Err(); err != nil {
			return files, fmt.Errorf("write acks: %w", err)
		}
		ic := &res.Interchanges[ii]
		in := ic.Header()
		icName := safeName(ic.Control, fmt.Sprintf("at%d", ic.Offset))
		if ic.SendTA1 {
			f := AckFile{Kind: "TA1", Interchange: ic.Control}
			out := opts.Envelope
			known := (out.SenderID != "" || in.ReceiverID != "") && (out.ReceiverID != "" || in.SenderID != "")
			if !known {
				f.Skipped = "interchange parties unknown (damaged ISA) and no outbound parties configured"
				files = append(files, f)
			} else {
				ctl, err := opts.ControlNumbers.Next(ctx, KindInterchange)
				if err != nil {
					return files, fmt.Errorf("write acks: interchange control number: %w", err)
				}
				out.Control, out.Time = ctl, now
				f.Control = ctl
				name := fmt.Sprintf("%s_%s_ta1_%09d.x12", prefix, icName, ctl)
				if opts.Name != nil {
					name = opts.Name("TA1", ic, -1)
				}
				f.Path = filepath.Join(dir, name)
				err = opts.write(f.Path, func(w *os.File) error { return ack.WriteTA1(w, in, ic.TA1, out) })
				if err != nil {
					return files, fmt.Errorf("write acks: ta1 for isa13 %s: %w", ic.Control, err)
				}
				files = append(files, f)
			}
		}
		if !ic.Accepted() {
			continue
		}
		for gi := range ic.Groups {
			g := &ic.Groups[gi]
			out := opts.Envelope
			ctl, err := opts.ControlNumbers.Next(ctx, KindInterchange)
			if err != nil {
				return files, fmt.Errorf("write acks: interchange control number: %w", err)
			}
			gctl, err := opts.ControlNumbers.Next(ctx, KindGroup)
			if err != nil {
				return files, fmt.Errorf("write acks: group control number: %w", err)
			}
			out.Control, out.GroupControl, out.Time = ctl, gctl, now
			f := AckFile{Kind: "999", Interchange: ic.Control, Group: g.Control, Control: ctl}
			name := fmt.Sprintf("%s_%s_%s_999_%09d.x12", prefix, icName, safeName(g.Control, fmt.Sprintf("g%d", gi+1)), ctl)
			if opts.Name != nil {
				name = opts.Name("999", ic, gi)
			}
			f.Path = filepath.Join(dir, name)
			err = opts.write(f.Path, func(w *os.File) error { return ack.Write999(w, ic.AckResult(g), out) })
			if err != nil {
				return files, fmt.Errorf("write acks: 999 for isa13 %s gs06 %s: %w", ic.Control, g.Control, err)
			}
			files = append(files, f)
		}
	}
	return files, nil
}

// safeName returns s when it is a short run of digits, else alt.
func safeName(s, alt string) string {
	if s == "" || len(s) > 9 {
		return alt
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return alt
		}
	}
	return s
}

// write writes path with writeFile, refusing a path already in Written.
func (o *AckOptions) write(path string, write func(*os.File) error) error {
	if o.Written != nil {
		if o.Written[path] {
			return fmt.Errorf("%s: name already used by another acknowledgment of this run (same sender and control numbers)", filepath.Base(path))
		}
		o.Written[path] = true
	}
	return writeFile(path, write)
}

// writeFile writes path atomically: a temporary file in the same
// directory, synced, then renamed.
func writeFile(path string, write func(*os.File) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ack-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
