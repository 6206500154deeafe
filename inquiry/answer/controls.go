package answer

import (
	"context"
	"sync"
)

// Reserver reserves blocks of control numbers (*store.Store).
type Reserver interface {
	Sequences
	ReserveControlNumbers(ctx context.Context, partnerID, kind string, n int) (int64, error)
}

// maxControl is the largest ISA13/GS06 (store.MaxControlNumber).
const maxControl = 999_999_999

// ControlBlocks hands out a partner's control numbers from blocks
// reserved in the store, one write per Block numbers, for the real-time
// endpoint where a write per number would cost a commit per request. The
// numbers share the sequences of the partner's acknowledgments, so they
// never repeat; a block not used up when the process stops leaves a gap.
// Near the end of the range it falls back to the store's wrapping
// sequence. Safe for concurrent use.
type ControlBlocks struct {
	Store Reserver
	// Block is the size of a reservation. Default 100.
	Block int

	mu   sync.Mutex
	next map[[2]string]*span
}

type span struct{ next, end int64 }

// For returns the ControlNumbers of partner.
func (c *ControlBlocks) For(partner string) ControlNumbers { return blockControls{c, partner} }

type blockControls struct {
	c       *ControlBlocks
	partner string
}

// Next implements ControlNumbers.
func (b blockControls) Next(ctx context.Context, kind string) (int64, error) {
	return b.c.take(ctx, b.partner, kind)
}

func (c *ControlBlocks) take(ctx context.Context, partner, kind string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		c.next = map[[2]string]*span{}
	}
	k := [2]string{partner, kind}
	s := c.next[k]
	if s != nil && s.next <= s.end {
		v := s.next
		s.next++
		return v, nil
	}
	n := c.Block
	if n <= 0 {
		n = 100
	}
	first, err := c.Store.ReserveControlNumbers(ctx, partner, kind, n)
	if err != nil {
		return 0, err
	}
	if first+int64(n)-1 > maxControl {
		// The sequence is about to wrap: one at a time from here.
		return c.Store.NextControlNumber(ctx, partner, kind)
	}
	c.next[k] = &span{next: first + 1, end: first + int64(n) - 1}
	return first, nil
}
