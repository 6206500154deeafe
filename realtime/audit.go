package realtime

import (
	"context"
	"errors"
	"sync"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// BatchWriter writes several audit entries in one commit (*store.Store).
type BatchWriter interface {
	AuditBatch(ctx context.Context, es []store.AuditEntry) error
}

// BatchWriterFunc adapts a function to BatchWriter.
type BatchWriterFunc func(ctx context.Context, es []store.AuditEntry) error

// AuditBatch implements BatchWriter.
func (f BatchWriterFunc) AuditBatch(ctx context.Context, es []store.AuditEntry) error {
	return f(ctx, es)
}

// maxAuditBatch caps the entries of one commit.
const maxAuditBatch = 256

// GroupAudit is an Auditor that commits the entries of concurrent
// requests together: one writer commits whatever arrived while the
// previous commit ran. Audit returns once the entry is committed, so an
// answered request is always in the audit log, at the cost of one commit
// per group rather than per request. Close stops the writer; Audit after
// Close fails.
type GroupAudit struct {
	w       BatchWriter
	in      chan auditReq
	done    chan struct{}
	closeMu sync.RWMutex
	closed  bool
}

type auditReq struct {
	e   store.AuditEntry
	res chan error
}

// NewGroupAudit starts the writer.
func NewGroupAudit(w BatchWriter) *GroupAudit {
	g := &GroupAudit{w: w, in: make(chan auditReq, 4*maxAuditBatch), done: make(chan struct{})}
	go g.run()
	return g
}

// ErrAuditClosed is returned by Audit after Close.
var ErrAuditClosed = errors.New("realtime: audit log closed")

// Audit implements Auditor.
func (g *GroupAudit) Audit(ctx context.Context, e store.AuditEntry) error {
	r := auditReq{e: e, res: make(chan error, 1)}
	g.closeMu.RLock()
	if g.closed {
		g.closeMu.RUnlock()
		return ErrAuditClosed
	}
	select {
	case g.in <- r:
	case <-ctx.Done():
		g.closeMu.RUnlock()
		return ctx.Err()
	}
	g.closeMu.RUnlock()
	select {
	case err := <-r.res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *GroupAudit) run() {
	defer close(g.done)
	batch := make([]auditReq, 0, maxAuditBatch)
	es := make([]store.AuditEntry, 0, maxAuditBatch)
	for first := range g.in {
		batch = append(batch[:0], first)
	more:
		for len(batch) < maxAuditBatch {
			select {
			case r, ok := <-g.in:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		es = es[:0]
		for _, r := range batch {
			es = append(es, r.e)
		}
		err := g.w.AuditBatch(context.Background(), es)
		for _, r := range batch {
			r.res <- err
		}
	}
}

// Close writes what is queued and stops the writer.
func (g *GroupAudit) Close() {
	g.closeMu.Lock()
	if !g.closed {
		g.closed = true
		close(g.in)
	}
	g.closeMu.Unlock()
	<-g.done
}
