package claim

import (
	"iter"

	"github.com/clearinghouse/clearinghouse/edi/schema"
)

var (
	_ schema.Handler = (*Decoder)(nil)
	_ schema.Handler = (*TransactionDecoder)(nil)
)

// ClaimContext is one decoded claim with the loops it belongs to. The
// parent loops are shared by every claim under them: they are not copied
// per claim, so callers must not modify them.
type ClaimContext struct {
	// Claim is the 2300 loop with its lines.
	Claim *Claim
	// Transaction holds the ST/BHT header, the submitter (1000A) and the
	// receiver (1000B). From the streaming Decoder it has no
	// BillingProviders.
	Transaction *Transaction
	// BillingProvider is the claim's 2000A loop.
	BillingProvider *BillingProvider
	// Subscriber is the claim's 2000B loop and Payer its 2010BB payer.
	Subscriber *Subscriber
	Payer      *Payer
	// Patient is the 2000C loop, nil when the patient is the subscriber.
	Patient *Patient
	// Start is the input offset of the CLM segment; End the offset just
	// past the terminator of the claim's last segment. Input[Start:End]
	// is the claim's raw bytes (2300 through its last 2400 loop).
	Start, End int64
}

// Decoder is a streaming 837 decoder: it implements schema.Handler, builds
// each claim from the events of a schema parser as they arrive and calls
// emit once the claim is complete (at the next 2300, the next HL or the
// SE). It keeps nothing after a claim has been emitted except the parent
// loops of the claims still to come, so memory does not grow with the
// number of claims in a transaction set.
//
// The claim, its parents and the ClaimContext belong to the callee; the
// Decoder does not reuse them. To keep allocations few, a claim's strings
// are cut from 2 KiB chunks shared with the claims decoded around it, so a
// claim kept after the others are dropped keeps up to a chunk or two of
// their text in memory (never their structs).
type Decoder struct {
	b builder
}

// NewDecoder returns a streaming Decoder for kind (Professional,
// Institutional, or "" to take the kind from ST03) that calls emit for every
// claim. An error returned by emit is returned by HandleEvent.
func NewDecoder(kind string, emit func(*ClaimContext) error) *Decoder {
	return &Decoder{b: builder{kind: kind, onClaim: emit, other: -1, adj: -1}}
}

// Reuse makes the Decoder reuse the memory of a claim's model once emit
// has returned: the claim, its ClaimContext, its lines, and the billing
// provider, subscriber and patient levels once the input has left them,
// are zeroed and filled again for the claims that follow. emit must then
// keep nothing of what it is given after it returns but strings, which
// are never reused (they are cut from chunks that are only appended to).
// It saves a few allocations a claim for a caller that copies out what it
// needs. Call it before the first event.
func (d *Decoder) Reuse() { d.b.reuse = true }

// HandleEvent implements schema.Handler.
func (d *Decoder) HandleEvent(e schema.Event) error { return d.b.handle(e) }

// Flush emits a claim left open by input that ended without an SE. Call it
// after the last event; it does nothing when every transaction set was
// closed.
func (d *Decoder) Flush() error { return d.b.flush(nil) }

// TransactionDecoder implements schema.Handler and builds a whole
// Transaction for every ST..SE it sees, keeping a clone of every segment in
// its loop so the transaction can be re-encoded byte for byte (see
// Transaction.Encode). Use it for translation and forwarding; use Decoder
// for large files.
type TransactionDecoder struct {
	b builder
}

// NewTransactionDecoder returns a TransactionDecoder for kind (Professional,
// Institutional, or "" to take the kind from ST03) that calls emit with each
// transaction set when its SE has been handled. An error returned by emit is
// returned by HandleEvent.
func NewTransactionDecoder(kind string, emit func(*Transaction) error) *TransactionDecoder {
	return &TransactionDecoder{b: builder{kind: kind, keep: true, onTx: emit, other: -1, adj: -1}}
}

// HandleEvent implements schema.Handler.
func (d *TransactionDecoder) HandleEvent(e schema.Event) error { return d.b.handle(e) }

// Flush emits a transaction left open by input that ended without an SE.
func (d *TransactionDecoder) Flush() error { return d.b.flush(nil) }

// Claims iterates over the claims of tx in input order with their contexts,
// including claims found outside the HL hierarchy. Start and End refer to
// the input the transaction was decoded from. It yields nothing for a
// transaction from the streaming Decoder.
func (tx *Transaction) Claims() iter.Seq[*ClaimContext] {
	return func(yield func(*ClaimContext) bool) {
		if tx.root == nil {
			return
		}
		// The contexts are taken from blocks (a few allocations for a
		// whole set); each stays valid as long as the caller keeps it.
		var block []ClaimContext
		tx.root.claims(func(c *Claim) bool {
			if len(block) == cap(block) {
				block = make([]ClaimContext, 0, 16)
			}
			block = append(block, contextValue(c))
			return yield(&block[len(block)-1])
		})
	}
}

func contextValue(c *Claim) ClaimContext {
	ctx := ClaimContext{
		Claim:           c,
		Transaction:     c.tx,
		BillingProvider: c.bp,
		Subscriber:      c.sub,
		Patient:         c.pat,
		Start:           c.start,
		End:             c.end,
	}
	if c.sub != nil {
		ctx.Payer = &c.sub.Payer
	}
	return ctx
}
