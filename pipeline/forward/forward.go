package forward

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/internal/faultinject"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

// Pricer prices one claim; *repricing.Engine implements it. The
// forwarder reuses the claim it passes (and the Result it passes to
// PriceInto, when the Pricer has that method) for the next claim: a Pricer
// must not keep them after it returns.
type Pricer interface {
	Price(c *repricing.Claim) (repricing.Result, error)
}

// intoPricer is a Pricer that can write into a Result it is given,
// reusing its storage (*repricing.Engine's PriceInto).
type intoPricer interface {
	PriceInto(c *repricing.Claim, r *repricing.Result) error
}

// Identity is who the clearinghouse is in the 837s it forwards.
type Identity struct {
	// Qualifier is ISA05 (default "ZZ").
	Qualifier string
	// ID is ISA06, GS02 and the repricing organization in 2300 HCP04
	// (default "CLEARINGHOUSE").
	ID string
	// Name is the 1000A submitter name (NM103) of forwarded 837s
	// (default ID).
	Name string
}

// Config configures a Forwarder.
type Config struct {
	// Owner names this forwarder in the audit log. Required.
	Owner string
	// Identity is our sender identity. Defaults as documented on Identity.
	Identity Identity
	// Usage is ISA15 of the interchanges written: "P", "T" or "I"
	// (default "P").
	Usage string
	// MaxClaimsPerFile caps the claims in one outbound 837 (default 5000).
	MaxClaimsPerFile int
	// Now is the clock (ISA09/ISA10, GS04/GS05). Default time.Now.
	Now func() time.Time
	// Logger receives structured logs (IDs and control numbers only).
	// Default slog.Default().
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if c.Owner == "" {
		return errors.New("forward: Owner is required")
	}
	if c.Identity.Qualifier == "" {
		c.Identity.Qualifier = "ZZ"
	}
	if c.Identity.ID == "" {
		c.Identity.ID = "CLEARINGHOUSE"
	}
	if len(c.Identity.Qualifier) != 2 {
		return fmt.Errorf("forward: identity qualifier %q: want 2 characters", c.Identity.Qualifier)
	}
	if c.Identity.Name == "" {
		c.Identity.Name = c.Identity.ID
	}
	if len(c.Identity.ID) < 2 || len(c.Identity.ID) > 15 || !plainText(c.Identity.ID+c.Identity.Qualifier) {
		return fmt.Errorf("forward: identity id %q: want 2 to 15 letters, digits, space and . , - & ' ( ) / _", c.Identity.ID)
	}
	if len(c.Identity.Name) > 60 || strings.TrimSpace(c.Identity.Name) == "" || !plainText(c.Identity.Name) {
		return fmt.Errorf("forward: identity name %q: want 1 to 60 letters, digits, space and . , - & ' ( ) / _", c.Identity.Name)
	}
	if c.Usage == "" {
		c.Usage = "P"
	}
	if c.Usage != "P" && c.Usage != "T" && c.Usage != "I" {
		return fmt.Errorf("forward: usage %q: want P, T or I", c.Usage)
	}
	if c.MaxClaimsPerFile == 0 {
		c.MaxClaimsPerFile = 5000
	}
	if c.MaxClaimsPerFile < 0 {
		return fmt.Errorf("forward: MaxClaimsPerFile %d: must be positive", c.MaxClaimsPerFile)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// Forwarder reprices accepted claims and queues them, in new 837
// interchanges, to the partners the routing table names.
type Forwarder struct {
	st *store.Store
	// seq draws the ST, GS and ISA control numbers: on PostgreSQL a pool
	// whose commits do not wait for the disk (store.AsyncCommit), made
	// durable by the commit that queues the file using them; a crash
	// before it only leaves a gap in the sequence.
	seq    *store.Queries
	sp     *spool.Spool
	table  *Table
	pricer Pricer
	cfg    Config
}

// New returns a Forwarder. pricer may be nil: claims are then forwarded
// without pricing.
func New(st *store.Store, sp *spool.Spool, table *Table, pricer Pricer, cfg Config) (*Forwarder, error) {
	if st == nil || sp == nil || table == nil {
		return nil, errors.New("forward: store, spool and table are required")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	seq, err := st.AsyncCommit()
	if err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	return &Forwarder{st: st, seq: seq, sp: sp, table: table, pricer: pricer, cfg: cfg}, nil
}

// Result is the outcome of one RunOnce.
type Result struct {
	// Forwarded counts claims queued and marked forwarded; Unpriced counts
	// those among them forwarded without pricing.
	Forwarded int `json:"forwarded"`
	Unpriced  int `json:"unpriced"`
	// Rejected counts claims no route takes (marked rejected, A3:116).
	Rejected int `json:"rejected"`
	// Skipped counts claims left as they were: not found again in their
	// spooled inbound file (or the file could not be read), or corrections
	// whose original is still to be forwarded.
	Skipped int `json:"skipped"`
	// Closed counts voids not forwarded because their original never was
	// (state store.ClaimClosed, note NoteOriginalNeverForwarded).
	Closed int `json:"closed"`
	// Files are the outbound 837s queued.
	Files []File `json:"files"`
}

// File is one outbound 837 queued by RunOnce.
type File struct {
	// Partner, Name and ID identify the outbound row.
	Partner string `json:"partner"`
	Name    string `json:"name"`
	ID      int64  `json:"outbound_id"`
	// ClaimType ("P"/"I") and Version (GS08) are the guide of its sets.
	ClaimType string `json:"claim_type"`
	Version   string `json:"version"`
	// Claims counts the claims it holds.
	Claims int `json:"claims"`
	// Created is false when a retry found the file already queued.
	Created bool `json:"created"`
}

// pending is one claim on its way out.
type pending struct {
	row     store.Claim
	route   Route
	partner string
	cl      *claim.Claim // in the re-read transaction
	priced  bool
	method  string
	allowed int64
	lines   map[int]int64
	corr    correction // replacements and voids
}

// RunOnce forwards every claim in state accepted or suspect whose set has
// been settled and that was not forwarded yet, as the package
// documentation describes.
//
// Among several engine processes sharing one PostgreSQL only one forwards
// at a time (a database advisory lock, store.TryExclusive); the others
// skip the run, so no claim is forwarded twice.
func (f *Forwarder) RunOnce(ctx context.Context) (Result, error) {
	return f.exclusive(ctx, func() (Result, error) {
		var res Result
		return f.runBatched(ctx, &batcher{f: f, res: &res, open: map[batchKey]*batch{}})
	})
}

// exclusive runs fn while this engine holds the cluster-wide forwarding
// lock; when another engine holds it, fn does not run (an empty result).
func (f *Forwarder) exclusive(ctx context.Context, fn func() (Result, error)) (Result, error) {
	var res Result
	var err error
	ran, lerr := f.st.TryExclusive(ctx, "clearinghouse:forward", func() error {
		res, err = fn()
		return err
	})
	if !ran && lerr == nil {
		f.cfg.Logger.DebugContext(ctx, "another engine is forwarding; skipped")
	}
	if lerr != nil && err == nil {
		return res, lerr
	}
	return res, err
}

// Stream forwards the files whose IDs arrive on ids — each one processed
// and committed just before — while more are being processed, keeping
// batches open across them; once ids is closed it makes RunOnce's pass
// over every file with candidates (what was not forwarded yet, such as
// corrections that waited for their originals) and flushes. So
// forwarding overlaps processing, and the result is what RunOnce after
// the last file would give. Another engine forwarding (the cluster-wide
// lock taken) makes it skip, as RunOnce does. ids is drained whatever
// happens, so senders never block for good.
func (f *Forwarder) Stream(ctx context.Context, ids <-chan int64) (Result, error) {
	defer func() {
		for range ids {
		}
	}()
	return f.exclusive(ctx, func() (Result, error) {
		var res Result
		b := &batcher{f: f, res: &res, open: map[batchKey]*batch{}, visited: map[int64]bool{}}
		for id := range ids {
			if b.visited[id] {
				continue
			}
			b.visited[id] = true
			if err := f.forwardFile(ctx, id, b); err != nil {
				return b.finish(err)
			}
		}
		return f.runBatched(ctx, b)
	})
}

// runBatched forwards the candidates of every file into b's batches and
// flushes them.
func (f *Forwarder) runBatched(ctx context.Context, b *batcher) (Result, error) {
	// One inbound file at a time: its candidates are decided, routed and
	// read, and the batches flushed as they fill, so the run holds one
	// file's claims and the open batches' encoded sets (issue #11).
	after := int64(0)
	for {
		files, err := f.st.ForwardCandidateFiles(ctx, after, 100)
		if err != nil {
			return b.finish(fmt.Errorf("forward: %w", err))
		}
		for _, id := range files {
			if b.visited[id] {
				// Streamed already: its claims are in b's open batches
				// (or wait for a later run, as in RunOnce).
				continue
			}
			if err := f.forwardFile(ctx, id, b); err != nil {
				return b.finish(err)
			}
		}
		if len(files) < 100 {
			break
		}
		after = files[len(files)-1]
	}
	return b.finish(b.flushAll(ctx))
}

// forwardWindow is how many candidates of one inbound file the forwarder
// holds at a time: the file is read once, and its candidates are fetched
// in raw-offset order as the read reaches them (issue #11: memory does not
// grow with the file).
const forwardWindow = 2000

// forwardFile forwards the candidates of one inbound file: it reads the
// spooled file once and fetches the candidates window by window, in file
// order; each window is decided and routed (closing and rejecting what
// must be), and the claims found are priced and handed to the batcher.
func (f *Forwarder) forwardFile(ctx context.Context, fileID int64, b *batcher) error {
	log := f.cfg.Logger.With(slog.Int64("inbound_id", fileID))
	src := &candidateSource{f: f, fileID: fileID, b: b, after: -1}
	first, err := src.next(ctx)
	if err != nil || first == nil {
		return err
	}
	skip := func(err error) error {
		n := 1
		for {
			p, nerr := src.next(ctx)
			if nerr != nil {
				return nerr
			}
			if p == nil {
				break
			}
			n++
		}
		log.ErrorContext(ctx, "claims not forwarded: inbound file unreadable", slog.Int("claims", n), slog.String("error", err.Error()))
		b.res.Skipped += n
		return nil
	}
	in, err := f.st.GetInbound(ctx, fileID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return skip(err)
		}
		return fmt.Errorf("forward: inbound file %d: %w", fileID, err)
	}
	fh, err := f.sp.OpenContext(ctx, in.SpoolPath)
	if err != nil {
		return skip(err)
	}
	defer fh.Close()
	head := first
	notFound := func(p *pending) {
		b.res.Skipped++
		log.WarnContext(ctx, "claim not found in its spooled file", slog.String("claim", p.row.ControlNumber), slog.Int64("offset", p.row.RawOffset))
	}
	err = readAhead(ctx, fh, func(tx *claim.Transaction) error {
		var mine []*pending
		for cc := range tx.Claims() {
			for head != nil && head.row.RawOffset < cc.Start {
				notFound(head)
				if head, err = src.next(ctx); err != nil {
					return err
				}
			}
			if head == nil {
				break
			}
			if head.row.RawOffset != cc.Start {
				continue
			}
			p := head
			if head, err = src.next(ctx); err != nil {
				return err
			}
			if cc.Claim.PatientControlNumber != p.row.CLM01 {
				notFound(p)
				continue
			}
			p.cl = cc.Claim
			if err := rewriteCorrection(p); err != nil {
				return err
			}
			if err := f.price(ctx, b, p, cc, in.ReceivedAt); err != nil {
				return err
			}
			p.row.Lines = nil // priced: only p.lines is needed from here
			mine = append(mine, p)
		}
		if len(mine) == 0 {
			return nil
		}
		return b.add(ctx, tx, mine)
	})
	if err != nil {
		return fmt.Errorf("forward: inbound file %d: %w", fileID, err)
	}
	for head != nil {
		notFound(head)
		if head, err = src.next(ctx); err != nil {
			return err
		}
	}
	return nil
}

// readAhead decodes the 837 sets of r on a goroutine of its own, up to
// readAheadSets sets ahead, while fn handles them in file order on the
// caller's goroutine: decoding (a third of forwarding's CPU time) overlaps
// pricing, encoding and the database work, and every database call and
// decision keeps the order it had. It returns the first error of the
// decoding or of fn; after an error of fn the decoder is stopped.
func readAhead(ctx context.Context, r io.Reader, fn func(tx *claim.Transaction) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	txs := make(chan *claim.Transaction, readAheadSets)
	var readErr error
	go func() {
		defer close(txs)
		readErr = claim.ReadTransactions(bufio.NewReaderSize(r, 64<<10), func(tx *claim.Transaction, _ []ack.Issue) error {
			select {
			case txs <- tx:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var err error
	for tx := range txs {
		if err == nil {
			if err = fn(tx); err != nil {
				cancel() // stop the decoder; drain what it sent
			}
		}
	}
	if err != nil {
		return err
	}
	return readErr // written before txs was closed
}

// readAheadSets is how many decoded sets readAhead holds beyond the one
// being handled (each about 100 claims in a typical file; memory stays
// bounded whatever the file's size).
const readAheadSets = 2

// candidateSource yields one inbound file's claims to forward, in
// raw-offset order, a window at a time: each window is decided (a
// correction may wait, close, or go out as an original), routed, and its
// unroutable claims rejected and closed voids recorded before its claims
// are handed out.
type candidateSource struct {
	f      *Forwarder
	fileID int64
	b      *batcher
	after  int64 // raw offset of the last candidate fetched
	queue  []*pending
	done   bool
}

func (s *candidateSource) next(ctx context.Context) (*pending, error) {
	for len(s.queue) == 0 && !s.done {
		if err := s.fill(ctx); err != nil {
			return nil, err
		}
	}
	if len(s.queue) == 0 {
		return nil, nil
	}
	p := s.queue[0]
	s.queue = s.queue[1:]
	return p, nil
}

func (s *candidateSource) fill(ctx context.Context) error {
	f, res := s.f, s.b.res
	cands, err := f.st.ForwardCandidatesByOffset(ctx, s.fileID, s.after, forwardWindow)
	if err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	if len(cands) < forwardWindow {
		s.done = true
	}
	if len(cands) == 0 {
		return nil
	}
	s.after = cands[len(cands)-1].RawOffset
	// The chains of the window's corrections, read together.
	var corrections []int64
	for _, c := range cands {
		if isCorrection(c.Frequency) {
			corrections = append(corrections, c.ID)
		}
	}
	var chains map[int64][]store.ClaimLink
	if len(corrections) > 0 {
		if chains, err = f.st.CorrectionChains(ctx, corrections); err != nil {
			return fmt.Errorf("forward: %w", err)
		}
	}
	var rejects []rejection
	var voids []store.Claim
	for _, c := range cands {
		frequency := c.Frequency
		var corr correction
		if isCorrection(c.Frequency) {
			corr = decideCorrection(c, chains[c.ID])
			switch corr.action {
			case corrWait:
				res.Skipped++
				f.cfg.Logger.InfoContext(ctx, "correction waits for its original to be forwarded", slog.String("claim", c.ControlNumber))
				continue
			case corrClose:
				voids = append(voids, c)
				continue
			case corrAsOriginal:
				frequency = "1"
			}
		}
		r, partner, err := f.table.Decide(c.PayerID, c.ClaimType, frequency, c.MemberTPA)
		if err != nil {
			var re *RouteError
			if !errors.As(err, &re) {
				return err
			}
			rejects = append(rejects, rejection{id: c.ID, control: c.ControlNumber, reason: re.Reason})
			continue
		}
		// A correction goes to the partner that received its original,
		// unless the route sends corrections to its CorrectedPartner.
		if corr.action == corrForward && isCorrection(c.Frequency) && r.CorrectedPartner == "" && corr.orig.RoutePartner != "" {
			partner = corr.orig.RoutePartner
		}
		s.queue = append(s.queue, s.b.newPending(pending{row: c, route: r, partner: partner, corr: corr}))
	}
	if err := f.closeVoids(ctx, voids); err != nil {
		return err
	}
	res.Closed += len(voids)
	if err := f.reject(ctx, rejects); err != nil {
		return err
	}
	res.Rejected += len(rejects)
	return nil
}

type rejection struct {
	id      int64
	control string
	reason  string
}

// reject marks unroutable claims rejected in one transaction.
func (f *Forwarder) reject(ctx context.Context, rs []rejection) error {
	if len(rs) == 0 {
		return nil
	}
	err := f.st.InTx(ctx, func(tx *store.Tx) error {
		for _, r := range rs {
			if err := tx.UpdateClaimState(ctx, r.id, store.ClaimRejected, r.reason); err != nil {
				return err
			}
			if err := tx.Audit(ctx, store.AuditEntry{Actor: f.cfg.Owner, Action: "claim.rejected", Entity: "claim",
				EntityID: strconv.FormatInt(r.id, 10), Detail: "route: " + r.reason}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forward: reject unroutable claims: %w", err)
	}
	for _, r := range rs {
		f.cfg.Logger.WarnContext(ctx, "claim not routable", slog.String("claim", r.control), slog.String("reason", r.reason))
	}
	return nil
}

// price reprices one claim and writes the result into its segments. A
// claim the engine cannot price (no contract, invalid input, a result that
// does not fit) is forwarded as it came, and keeps no allowed amount.
func (f *Forwarder) price(ctx context.Context, b *batcher, p *pending, cc *claim.ClaimContext, received time.Time) error {
	if f.pricer == nil {
		return nil
	}
	// The engine's input and result are the run's, reused claim after
	// claim (nothing keeps them beyond this call).
	in, r := &b.priceIn, &b.priceOut
	x12price.FromClaimInto(cc, in)
	in.TPA = p.row.MemberTPA // contracts may match the member's roster TPA
	var err error
	if ip, ok := f.pricer.(intoPricer); ok {
		err = ip.PriceInto(in, r)
	} else {
		*r, err = f.pricer.Price(in)
	}
	if err != nil {
		if errors.Is(err, repricing.ErrNoContract) || errors.Is(err, repricing.ErrInvalidClaim) {
			f.cfg.Logger.InfoContext(ctx, "claim forwarded unpriced", slog.String("claim", p.row.ControlNumber), slog.String("error", err.Error()))
			return nil
		}
		return fmt.Errorf("price claim %s: %w", p.row.ControlNumber, err)
	}
	err = x12price.Apply(cc.Claim, *r, x12price.ApplyOptions{
		OrgID: f.cfg.Identity.ID, ClaimRef: p.row.ControlNumber, LineRefs: true,
		Received: received, Adjusted: x12price.IsAdjustment(cc.Claim),
	})
	if errors.Is(err, x12price.ErrResult) { // checked before any edit
		f.cfg.Logger.WarnContext(ctx, "claim forwarded unpriced", slog.String("claim", p.row.ControlNumber), slog.String("error", err.Error()))
		return nil
	}
	if err != nil {
		return fmt.Errorf("apply pricing to claim %s: %w", p.row.ControlNumber, err)
	}
	p.priced, p.allowed, p.method = true, r.Claim.AllowedCents, r.Method.String()
	p.lines = make(map[int]int64, len(r.Lines))
	for i, lp := range r.Lines {
		// Store lines are numbered by position (see pipeline.storeClaim).
		if i < len(p.row.Lines) && p.row.Lines[i].LineNo == i+1 {
			p.lines[i+1] = lp.AllowedCents
		}
	}
	return nil
}

// batchKey is one outbound file in the making: a partner and a guide.
type batchKey struct {
	partner, version string
}

type batch struct {
	key       batchKey
	route     Route
	claimType string
	body      bytes.Buffer // the encoded sets (encodeSet)
	sets      int
	claims    []*pending
	// isa and gs are the interchange's control numbers, drawn when the
	// batch is handed to the flushers (numberInterchange).
	isa, gs int64
}

// batcher collects selected transactions into outbound files.
type batcher struct {
	f    *Forwarder
	res  *Result
	open map[batchKey]*batch
	// visited are the files Stream forwarded (nil for RunOnce): the
	// closing pass skips them.
	visited map[int64]bool
	// priceIn and priceOut are the pricing engine's input and result,
	// reused from claim to claim (see price).
	priceIn  repricing.Claim
	priceOut repricing.Result
	// pendings is the rest of the block the next candidates are taken
	// from (see candidateSource.fill).
	pendings []pending
	// The flushers (see flush): full batches go to flushWorkers
	// goroutines, which write, spool and commit them.
	flushQ    chan *flushJob
	flushWG   sync.WaitGroup
	flushJobs []*flushJob // in the order handed over (this goroutine's)
	flushFail atomic.Bool
}

// flushJob is one batch handed to the flushers, and what its flush did.
type flushJob struct {
	bt  *batch
	res Result // Forwarded, Unpriced and Files
	err error
}

// flushWorkers is how many batches are flushed at once: on PostgreSQL
// marking a batch's claims forwarded keeps one server process busy, and
// two keep the second core busy too while this one prices and encodes.
const flushWorkers = 2

// flush hands a full batch to the flushers, which write, spool and queue
// it (Forwarder.flush) while the caller goes on deciding, pricing and
// encoding the next claims: the database work of a batch (binding and
// marking its claims, PostgreSQL's share of forwarding) overlaps the
// forwarder's own (issue #11). Each batch is flushed in a transaction of
// its own, as before; at most flushWorkers are in flight and one more
// waits, so memory stays bounded. Results are reported in the order the
// batches were handed over. After a flush fails no more batches are
// started (their claims stay candidates), and flush (or stopFlusher)
// returns the error.
func (b *batcher) flush(ctx context.Context, bt *batch) error {
	if b.flushQ == nil {
		b.flushQ = make(chan *flushJob, 1)
		for range flushWorkers {
			b.flushWG.Add(1)
			go func() {
				defer b.flushWG.Done()
				for j := range b.flushQ {
					if !b.flushFail.Load() {
						if j.err = b.f.flush(ctx, j.bt, &j.res); j.err != nil {
							b.flushFail.Store(true)
						}
					}
					j.bt = nil // flushed or given up: let its bytes go
				}
			}()
		}
	}
	if b.flushFail.Load() {
		return b.stopFlusher()
	}
	if err := b.f.numberInterchange(ctx, bt); err != nil {
		return fmt.Errorf("forward: number the 837 for %s: %w", bt.key.partner, err)
	}
	j := &flushJob{bt: bt}
	select {
	case b.flushQ <- j:
		b.flushJobs = append(b.flushJobs, j)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish ends a run: it waits for the flushers and returns the run's
// result with err, or the flushers' errors.
func (b *batcher) finish(err error) (Result, error) {
	if ferr := b.stopFlusher(); ferr != nil && ferr != err {
		err = errors.Join(err, ferr)
	}
	return *b.res, err
}

// stopFlusher waits for the flushers to flush what they were handed, adds
// what they forwarded to the run's result in the order the batches were
// handed over, and returns their errors. It is safe to call more than
// once and when no flusher was started.
func (b *batcher) stopFlusher() error {
	if b.flushQ == nil {
		return nil
	}
	close(b.flushQ)
	b.flushWG.Wait()
	b.flushQ = nil
	var errs []error
	for _, j := range b.flushJobs {
		b.res.Forwarded += j.res.Forwarded
		b.res.Unpriced += j.res.Unpriced
		b.res.Files = append(b.res.Files, j.res.Files...)
		if j.err != nil {
			errs = append(errs, j.err)
		}
	}
	b.flushJobs = nil
	b.flushFail.Store(false)
	return errors.Join(errs...)
}

// add selects tx's pending claims by partner into the open batches,
// flushing a batch as soon as it is full.
func (b *batcher) add(ctx context.Context, tx *claim.Transaction, claims []*pending) error {
	version := tx.Version
	claimType := "P"
	if tx.Kind == claim.Institutional {
		claimType = "I"
	}
	if version == "" {
		version = map[string]string{"P": "005010X222A1", "I": "005010X223A2"}[claimType]
	}
	var partners []string
	byPartner := map[string][]*pending{}
	for _, p := range claims {
		if _, ok := byPartner[p.partner]; !ok {
			partners = append(partners, p.partner)
		}
		byPartner[p.partner] = append(byPartner[p.partner], p)
	}
	for _, partner := range partners {
		list := byPartner[partner]
		key := batchKey{partner, version}
		for len(list) > 0 {
			bt := b.open[key]
			if bt == nil {
				bt = &batch{key: key, route: list[0].route, claimType: claimType}
			}
			n := min(b.f.cfg.MaxClaimsPerFile-len(bt.claims), len(list))
			chunk := list[:n]
			list = list[n:]
			keep := make(map[*claim.Claim]bool, n)
			for _, p := range chunk {
				keep[p.cl] = true
			}
			sel := tx.SelectSegments(func(c *claim.Claim) bool { return keep[c] })
			if sel == nil {
				return fmt.Errorf("select claims of set %s: nothing selected", tx.ControlNumber)
			}
			if err := b.f.setParties(sel, bt.route, partner); err != nil {
				// Only a received set whose delimiters occur in our names
				// gets here (New and NewTable keep delimiters out of them):
				// its claims stay accepted, the others go on.
				b.f.cfg.Logger.ErrorContext(ctx, "claims not forwarded: 1000A/1000B cannot be written into the set",
					slog.String("set", tx.ControlNumber), slog.String("partner", partner), slog.Int("claims", len(chunk)),
					slog.String("error", err.Error()))
				b.res.Skipped += len(chunk)
				continue
			}
			if err := b.f.encodeSet(ctx, bt, sel); err != nil {
				return fmt.Errorf("encode set %s for %s: %w", tx.ControlNumber, partner, err)
			}
			b.open[key] = bt
			for _, p := range chunk {
				p.cl = nil // encoded: let the decoded transaction go
			}
			bt.claims = append(bt.claims, chunk...)
			if len(bt.claims) >= b.f.cfg.MaxClaimsPerFile {
				delete(b.open, key)
				if err := b.flush(ctx, bt); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// pendingBlock is how many pendings one allocation holds: few enough that
// a block kept alive by one claim waiting in an open batch holds little.
const pendingBlock = 32

// newPending returns a pointer to a copy of p, from a block.
func (b *batcher) newPending(p pending) *pending {
	if len(b.pendings) == 0 {
		b.pendings = make([]pending, pendingBlock)
	}
	q := &b.pendings[0]
	b.pendings = b.pendings[1:]
	*q = p
	return q
}

// flushAll writes the batches still open, in partner and version order.
func (b *batcher) flushAll(ctx context.Context) error {
	keys := make([]batchKey, 0, len(b.open))
	for k := range b.open {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y batchKey) int {
		if c := strings.Compare(x.partner, y.partner); c != 0 {
			return c
		}
		return strings.Compare(x.version, y.version)
	})
	for _, k := range keys {
		bt := b.open[k]
		delete(b.open, k)
		if err := b.flush(ctx, bt); err != nil {
			return err
		}
	}
	return nil
}

// FileName is the outbound name of an 837 holding claims with these
// control numbers, in file order: the claim type, the first and last
// control numbers, the count and a digest of all of them, so the same
// claims always get the same name and a retry queues nothing twice.
func FileName(claimType string, controls []string) string {
	if len(controls) == 0 {
		return ""
	}
	h := sha256.Sum256([]byte(strings.Join(controls, "\n")))
	return fmt.Sprintf("837%s-%s-%s-%d-%s.x12", claimType, controls[0], controls[len(controls)-1], len(controls), hex.EncodeToString(h[:4]))
}

// flush writes one batch as an 837 interchange and queues it: the bytes
// go to the spool first (content-addressed, so an orphan left by a crash
// is harmless), then one store transaction queues the file, binds every
// claim to it (claims.outbound_file_id), marks them forwarded with their
// route and allowed amounts, and audits it. A crash before the commit
// leaves nothing queued and the claims candidates; after it, the claims
// are bound and never batched again.
func (f *Forwarder) flush(ctx context.Context, bt *batch, res *Result) error {
	controls := make([]string, len(bt.claims))
	ids := make([]int64, len(bt.claims))
	for i, p := range bt.claims {
		controls[i] = p.row.ControlNumber
		ids[i] = p.row.ID
	}
	slices.Sort(ids)
	name := FileName(bt.claimType, controls)
	data, err := f.writeInterchange(bt)
	if err != nil {
		return fmt.Errorf("forward: write %s for %s: %w", name, bt.key.partner, err)
	}
	sf, err := f.sp.PutBytes(ctx, "outbound", data)
	if err != nil {
		return fmt.Errorf("forward: spool %s for %s: %w", name, bt.key.partner, err)
	}
	faultinject.Hit("forward.spooled")
	unpriced := 0
	var rec *store.OutboundFile
	var created bool
	err = f.st.InTx(ctx, func(tx *store.Tx) error {
		unpriced = 0
		var err error
		rec, created, err = tx.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: bt.key.partner, Kind: store.Kind837, Name: name,
			SpoolPath: sf.Path, SHA256: sf.SHA256, Size: sf.Size})
		if err != nil {
			return err
		}
		if !created {
			// The name is derived from the claims, so a file already
			// queued under it must hold exactly these claims. A row with
			// no claims bound was queued before claims were bound to
			// their file (migration 008), by a run that crashed before
			// marking them: its name proves the same claims.
			bound, err := tx.ClaimIDsOfOutbound(ctx, rec.ID)
			if err != nil {
				return err
			}
			if len(bound) > 0 && !slices.Equal(bound, ids) {
				return fmt.Errorf("outbound 837 %s (id %d) for %s holds %d other claims than the %d of this batch: %w",
					name, rec.ID, bt.key.partner, len(bound), len(ids), store.ErrOutboundClaims)
			}
		}
		// One statement per few hundred claims; a claim a correction
		// replaced meanwhile (no longer accepted) rolls the batch back,
		// and the next run batches without it.
		// A correction not forwarded as received is noted on its claim
		// (with the mark) and audited.
		marks := make([]store.ForwardMark, 0, len(bt.claims))
		var audit []store.AuditEntry
		for _, p := range bt.claims {
			m := store.ForwardMark{ID: p.row.ID, Method: p.method}
			if p.priced {
				m.Allowed, m.Lines = &p.allowed, p.lines
			} else {
				unpriced++
			}
			if note, detail := correctionNote(p); note != "" {
				m.Note = note
				audit = append(audit, store.AuditEntry{Actor: f.cfg.Owner, Action: "claim." + note, Entity: "claim",
					EntityID: strconv.FormatInt(p.row.ID, 10), Detail: detail})
			}
			marks = append(marks, m)
		}
		if err := tx.MarkForwarded(ctx, rec.ID, bt.key.partner, marks); err != nil {
			return err
		}
		audit = append(audit, store.AuditEntry{Actor: f.cfg.Owner, Action: "claims.forwarded", Entity: "outbound_file",
			EntityID: strconv.FormatInt(rec.ID, 10), Detail: fmt.Sprintf("%s: %d claims to %s", name, len(bt.claims), bt.key.partner)})
		return tx.AuditBatch(ctx, audit)
	})
	if err != nil {
		return fmt.Errorf("forward: queue %s and mark its claims forwarded: %w", name, err)
	}
	faultinject.Hit("forward.committed")
	res.Forwarded += len(bt.claims)
	res.Unpriced += unpriced
	res.Files = append(res.Files, File{Partner: bt.key.partner, Name: name, ID: rec.ID, ClaimType: bt.claimType,
		Version: bt.key.version, Claims: len(bt.claims), Created: created})
	f.cfg.Logger.InfoContext(ctx, "837 forwarded", slog.String("partner", bt.key.partner), slog.String("name", name),
		slog.Int("claims", len(bt.claims)), slog.Int("unpriced", unpriced), slog.Bool("created", created))
	return nil
}
