package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/status277"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/faultinject"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/roster"
)

// Identity is who the engine is in the envelopes it writes.
type Identity struct {
	Qualifier string // ISA05 of our outbound interchanges (default "ZZ")
	ID        string // ISA06/GS02 (default "CLEARINGHOUSE")
	Name      string // 277CA 2100A NM103 (default ID)
}

// ProcessorConfig configures a Processor.
type ProcessorConfig struct {
	// Identity is our sender identity on acknowledgments. When empty the
	// received ISA08/GS03 is echoed back as sender.
	Identity Identity
	// Usage is ISA15 on our interchanges; empty echoes the received one.
	Usage string
	// RequireTA1 sends a TA1 for every interchange, not only when asked
	// (ISA14 = 1) or when the interchange is not accepted cleanly.
	RequireTA1 bool
	// Lenient relaxes individual envelope checks (default strict).
	Lenient envelope.Leniency
	// Eligibility checks each claim's member against the roster; nil
	// skips the check (no roster configured).
	Eligibility Eligibility
	// SenderIDs maps a partner to the ISA06 values it is enrolled with;
	// an interchange from another sender is rejected (TA1 006). A partner
	// without an entry may send with any ISA06.
	SenderIDs map[string][]string
	// Routes, when set, reject (277CA A3:116) a claim whose payer ID has
	// no route for its claim type, before its 277CA is written, so it is
	// never acknowledged as accepted (forward.Table implements it).
	Routes RouteLookup
	// Logger receives structured logs. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// SetHandlers take the transaction sets of kinds other than 837
	// claims (835, 270, 276, ...); the Processor accepts the kinds they
	// name and rejects any other kind (999 IK502 1).
	SetHandlers []SetHandler
	// Progress, when set, is told how many bytes of the spooled file
	// ProcessTx has read so far (name is the inbound file name, total its
	// size): after every ProgressStep bytes or more, and at the end of the
	// file (read = total when the file was read to its end). Nil, the
	// default, costs nothing. The CLI's progress bar of `process`.
	Progress func(name string, read, total int64)
}

// ProgressStep is how many bytes a Processor reads between two calls of
// ProcessorConfig.Progress: few enough calls that the hook never shows in
// a profile, often enough for a bar to move smoothly on a large file.
const ProgressStep = 256 << 10

// RouteLookup decides the route and partner of a claim by payer ID, claim
// type ("P"/"I"), CLM05-3 frequency code and the member's roster TPA.
type RouteLookup interface {
	Decide(payerID, claimType, frequency, tpa string) (forward.Route, string, error)
}

// Eligibility decides whether a claim's member was covered on its dates
// of service, reading the roster through lookup (the file's transaction);
// roster.Checker implements it.
type Eligibility interface {
	CheckWith(ctx context.Context, lookup roster.MemberLookup, q roster.ClaimParty) (roster.Decision, error)
}

// eligibilityPrefetcher is an Eligibility that can read the roster rows
// of a whole transaction set in one go before its claims are checked
// (roster.Checker.Prefetch).
type eligibilityPrefetcher interface {
	Prefetch(ctx context.Context, lookup roster.MemberLookup, parties []roster.ClaimParty) error
}

// Processor validates a spooled inbound file, answers it with TA1/999
// acknowledgments queued to the sending partner's outbox, and records the
// envelopes and every claim with its outcome. Claims are written as they
// stream by, set by set, so memory does not grow with the file; all of it
// happens in one database transaction, so a file's claims, outcomes and
// acknowledgments are committed together or not at all.
type Processor struct {
	cfg   ProcessorConfig
	store *store.Store
	spool *spool.Spool
}

// NewProcessor returns a Processor.
func NewProcessor(st *store.Store, sp *spool.Spool, cfg ProcessorConfig) *Processor {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Processor{cfg: cfg, store: st, spool: sp}
}

// FileResult is the outcome of processing one inbound file. Its JSON form
// is part of the `clearinghouse process --json` contract.
type FileResult struct {
	InboundID int64               `json:"inbound_id"`
	Partner   string              `json:"partner"`
	Name      string              `json:"name"`
	SHA256    string              `json:"sha256"`
	State     store.InboundState  `json:"state"`
	Error     string              `json:"error,omitempty"`
	Counts    store.InboundCounts `json:"counts"`
	// Interchanges is the validation report (TA1/999 verdicts and every
	// error with its position).
	Interchanges []validate.InterchangeReport `json:"interchanges"`
	// Outcomes counts claims by outcome, e.g. {"accepted": 20,
	// "rejected": 3, "duplicate": 1}; "replacements" and "voids" count the
	// accepted 7s and 8s (their originals became replaced / voided).
	Outcomes map[string]int `json:"outcomes"`
	// Rejections counts rejected and duplicate claims by the codes sent,
	// e.g. {"A7:164:IL": 2, "A3:54": 1, "IK5:R:5": 3}.
	Rejections map[string]int `json:"rejections"`
	// Outputs are the files queued for delivery.
	Outputs []Output `json:"outputs"`
}

// Output is one queued outbound file.
type Output struct {
	Kind    string `json:"kind"`
	Partner string `json:"partner"`
	Name    string `json:"name"`
	ID      int64  `json:"outbound_id"`
}

// InboundResult converts r for store.FinishInbound.
func (r FileResult) InboundResult() store.InboundResult {
	summary, _ := json.Marshal(struct {
		Outcomes map[string]int `json:"outcomes"`
		Outputs  []Output       `json:"outputs"`
	}{r.Outcomes, r.Outputs})
	return store.InboundResult{State: r.State, Error: r.Error, Counts: r.Counts, Summary: string(summary)}
}

// fileRun is the state of one Process call.
type fileRun struct {
	p    *Processor
	ctx  context.Context
	file *store.InboundFile
	// q is the file's transaction; seq draws control numbers: outside the
	// transaction on PostgreSQL (a sequence row must not stay locked while
	// a large file is processed; a rolled-back attempt only leaves a gap),
	// the transaction itself on SQLite (one connection).
	q, seq   *store.Queries
	prior    map[int64]store.PriorClaim // raw offset → claim of an earlier run
	names    map[string]bool            // outbound names queued by this run
	pending  []pendingClaim             // claims of the current set
	sets     map[setKey]*setRecord
	result   *FileResult
	log      *slog.Logger
	claimErr error
	// The recorder: sets are recorded (rules, lookups, inserts) on a
	// goroutine of their own, in order, while the input goes on being
	// parsed; interchangeEnd waits for it before settling.
	jobs     chan recordJob
	jobsDone sync.WaitGroup
	// in is where sets are handed over: jobs, or on PostgreSQL the queue
	// (pre) of a stage that draws each set's numbers (reserve) and reads
	// its roster rows on the pool, while the recorder works on the set
	// before, and then passes the set on to jobs (closing jobs when pre
	// is closed and drained).
	in       chan recordJob
	pre      chan recordJob
	recorded chan struct{} // closed when the recorder has exited
	recErr   error         // the recorder's first error (read after a wait)
	recFail  atomic.Bool
	// The 277CA writer (PostgreSQL): each recorded set's 277CA is drawn
	// its control numbers, rendered and spooled on a goroutine of its own
	// (round trips on other connections than the file's transaction), in
	// order, while the recorder goes on with the next set; a wait waits
	// for it too.
	acks   chan ackJob
	acked  chan struct{} // closed when the 277CA writer has exited
	ackErr error         // its first error (read after a wait)
	// Sets of other kinds, taken by a SetHandler: the current one, and
	// those recorded and waiting for their interchange's verdict.
	sc    *SetContext
	work  SetWork
	works map[setKey]SetWork
}

type setKey struct {
	interchange, group, set string
	offset                  int64
}

// Process processes f in a transaction of its own and commits it (the
// inbound row itself is not finished: see Engine for that). Tests and
// tools use it; the engine calls ProcessTx.
func (p *Processor) Process(ctx context.Context, f *store.InboundFile) (FileResult, error) {
	var res FileResult
	err := p.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = p.ProcessTx(ctx, tx, f)
		return err
	})
	return res, err
}

// ProcessTx implements FileProcessor: every row the file produces is
// written through tx. A file processed before (a reprocess) starts from a
// clean slate, but its claims keep their control numbers, and claims that
// went beyond the file (forwarded, corrected by a later file) are kept as
// they are.
func (p *Processor) ProcessTx(ctx context.Context, tx *store.Tx, f *store.InboundFile) (FileResult, error) {
	res := FileResult{InboundID: f.ID, Partner: f.PartnerID, Name: f.Name, SHA256: f.SHA256, Outcomes: map[string]int{}, Rejections: map[string]int{}}
	q := tx.Queries
	prior, err := q.PriorClaimsOfFile(ctx, f.ID)
	if err != nil {
		return res, err
	}
	if len(prior) > 0 {
		if err := q.ForgetFileResults(ctx, f.ID); err != nil {
			return res, err
		}
	}
	seq := q
	if p.store.Dialect() == store.DialectPostgres {
		// Drawn on the asynchronous-commit pool: the numbers matter once
		// the file's transaction, which uses them, commits (and flushes
		// the draws' WAL with its own); a crash before that only leaves a
		// gap, as a rolled-back attempt does.
		if seq, err = p.store.AsyncCommit(); err != nil {
			return res, err
		}
	}
	fh, err := p.spool.OpenContext(ctx, f.SpoolPath)
	if err != nil {
		return res, fmt.Errorf("open spooled file: %w", err)
	}
	defer fh.Close()
	var src io.Reader = fh
	if p.cfg.Progress != nil {
		src = &progressReader{r: fh, fn: func(n int64) { p.cfg.Progress(f.Name, n, f.Size) }}
	}
	run := &fileRun{p: p, ctx: ctx, file: f, q: q, seq: seq, prior: prior, names: map[string]bool{}, sets: map[setKey]*setRecord{}, works: map[setKey]SetWork{}, result: &res,
		log: p.cfg.Logger.With(slog.Int64("inbound_id", f.ID), slog.String("partner", f.PartnerID))}
	run.startRecorder()
	defer run.stopRecorder()
	vres, err := validate.Run(ctx, src, validate.Options{
		Supported:        p.supported(),
		SenderIDs:        p.cfg.SenderIDs[f.PartnerID],
		RequireTA1:       p.cfg.RequireTA1,
		Lenient:          p.cfg.Lenient,
		Handler:          run.handler,
		OnSetEnd:         run.setEnd,
		OnInterchangeEnd: run.interchangeEnd,
	})
	run.wait()
	if run.claimErr != nil {
		return res, run.claimErr
	}
	if err != nil {
		return res, err
	}
	if err := run.unlinkUnsettled(); err != nil {
		return res, err
	}
	report := validate.Report(f.Name, vres)
	res.Interchanges = report.Interchanges
	res.Counts.Interchanges = len(vres.Interchanges)
	for _, ic := range vres.Interchanges {
		for _, g := range ic.Groups {
			for _, s := range g.Sets {
				res.Counts.Transactions++
				if ic.SetAccepted(&g, &s) {
					res.Counts.TxAccepted++
				} else {
					res.Counts.TxRejected++
				}
			}
		}
	}
	switch {
	case len(vres.Interchanges) == 0:
		res.State = store.InboundRejected
		res.Error = "no interchange found"
		for _, is := range vres.Issues {
			res.Error += "; " + is.String()
			break
		}
	case res.Counts.TxAccepted == 0:
		res.State = store.InboundRejected
		res.Error = "no transaction set accepted"
	default:
		res.State = store.InboundProcessed
	}
	return res, nil
}

// handler returns the streaming claim decoder of an 837 set, or the
// event handler of the SetHandler that takes a set of another kind.
func (r *fileRun) handler(info validate.SetInfo) schema.Handler {
	r.pending = r.pending[:0]
	r.work = nil
	if info.ID != "837" {
		if h := r.p.setHandlerFor(info.FunctionalID, info.ID, info.Version); h != nil {
			return r.beginSet(h, info)
		}
		return nil
	}
	kind := claim.KindOf(info.Version)
	if kind == "" {
		return nil
	}
	// onClaim copies out the strings it keeps: the decoder may reuse the
	// rest of each claim's memory for the next.
	dec := claim.NewDecoder(kind, r.onClaim)
	dec.Reuse()
	return dec
}

// onClaim converts a decoded claim to its store row and keeps it until the
// set ends. It keeps strings of the claim's model only (the decoder
// reuses the rest, see claim.Decoder.Reuse).
func (r *fileRun) onClaim(cc *claim.ClaimContext) error {
	pc := pendingClaim{claim: storeClaim(r.file, cc), party: claimParty(cc)}
	if cc.Transaction != nil {
		pc.ack.submitterName, pc.ack.submitterID, pc.ack.batch = cc.Transaction.Submitter.Name, cc.Transaction.Submitter.ID, cc.Transaction.Reference
	}
	if cc.BillingProvider != nil {
		pc.ack.providerName = cc.BillingProvider.Name
	}
	if cc.Claim.Kind == claim.Institutional {
		pc.ack.billType = cc.Claim.TypeOfBill()
	}
	pc.ack.trace = cc.Claim.Ref("D9")
	pc.ack.patientLast, pc.ack.patientFirst = pc.party.PatientLast, pc.party.PatientFirst
	r.pending = append(r.pending, pc)
	return nil
}

// pendingClaim is a decoded claim waiting for its set's end.
type pendingClaim struct {
	claim *store.Claim
	party roster.ClaimParty
	ack   ackInfo
}

// ackInfo is what the 277CA echoes of a claim beyond its store row.
type ackInfo struct {
	submitterName, submitterID, batch string // 1000A, BHT03
	providerName                      string // 2010AA
	billType                          string // 837I type of bill
	trace                             string // REF*D9
	patientLast, patientFirst         string
}

// claimParty is what the eligibility check needs from a claim.
func claimParty(cc *claim.ClaimContext) roster.ClaimParty {
	var p roster.ClaimParty
	if cc.Subscriber != nil {
		m := cc.Subscriber.Member
		p.MemberID, p.SubscriberLast, p.SubscriberFirst = m.ID, m.Name, m.First
		p.Relationship = cc.Subscriber.Relationship
		if cc.Patient == nil {
			p.SubscriberDOB = ccyymmdd(m.BirthDate)
			p.PatientLast, p.PatientFirst, p.PatientDOB = m.Name, m.First, p.SubscriberDOB
			p.Relationship = "18"
		}
	}
	if cc.Patient != nil {
		p.PatientLast, p.PatientFirst, p.PatientDOB = cc.Patient.Name, cc.Patient.First, ccyymmdd(cc.Patient.BirthDate)
		p.Relationship = cc.Patient.Relationship
	}
	p.ServiceFrom, p.ServiceTo = ccyymmdd(cc.Claim.ServiceFrom()), ccyymmdd(cc.Claim.ServiceTo())
	return p
}

// setRecord is what a set left behind until its interchange's verdict is
// known: the IDs of its claims, how many of each outcome, and the original
// claims its replacements and voids act on.
type setRecord struct {
	txID      int64   // the set's transactions row, reserved (0: linked when recorded)
	ids       []int64 // claims decided by this run
	kept      []int64 // claims kept from an earlier run (see store.PriorClaim)
	ik5OK     bool
	outcomes  map[store.ClaimState]int
	originals []originalUpdate
	ack277    *spool.File // the set's 277CA, spooled, queued once the set is final
	rejects   map[string]int
	changes   map[string]int // "replacements", "voids"
}

// originalUpdate is the change a replacement or void made to its original
// (at once, so later claims of the same file see it; undone if the set is
// rejected after all).
type originalUpdate struct {
	id    int64
	state store.ClaimState // replaced or voided
	prev  store.ClaimState // the state it had
	by    string           // control number of the replacement or void
}

// inEffect are the states of a claim a replacement or void may act on.
var inEffect = []store.ClaimState{store.ClaimAccepted, store.ClaimSuspect, store.ClaimForwarded}

// setEnd hands the set's claims to the recorder, which records them in
// the file's transaction. Claims of a set the 999 accepts go through the
// intake rules (frequency, duplicates, eligibility, route); claims of a
// rejected set are recorded as rejected with the IK5 codes.
func (r *fileRun) setEnd(sr validate.SetResult) {
	if r.work != nil {
		r.endSet(sr)
		return
	}
	if r.claimErr != nil || r.recFail.Load() || len(r.pending) == 0 {
		r.pending = r.pending[:0]
		return
	}
	job := recordJob{sr: sr, claims: r.pending, ik5: "IK5:" + sr.Ack + codesSuffix(ack.SetCodes(sr.Issues))}
	r.pending = nil
	r.jobsDone.Add(1)
	r.in <- job
}

// recordJob is one set for the recorder.
type recordJob struct {
	sr     validate.SetResult
	claims []pendingClaim
	ik5    string  // the rejection reason of a set its 999 rejects
	work   SetWork // a set a SetHandler takes (no claims)
	// prefetched is set when the prefetcher has read the set's roster
	// rows into the eligibility check's cache; preErr is its error (or
	// reserve's, a stage ahead).
	prefetched bool
	preErr     error
	// reserved is set once reserve has drawn the set's numbers: the
	// first control number of its newClaims, and its transactions row ID.
	reserved     bool
	firstControl int64
	newClaims    int
	txID         int64
}

// ackJob is one recorded set whose 277CA is to be written.
type ackJob struct {
	sr     validate.SetResult
	claims []pendingClaim
	rec    *setRecord
}

// writeAck writes a recorded set's 277CA and keeps it in the set's record.
func (r *fileRun) writeAck(job ackJob) error {
	f, err := r.write277CA(job.sr, job.claims)
	if err != nil {
		return fmt.Errorf("277CA for set %s: %w", job.sr.Control, err)
	}
	job.rec.ack277 = f
	return nil
}

// startRecorder starts the goroutine that records sets in order. Two
// sets may wait for it: parsing runs ahead of the database by that much.
// When the 277CA's control numbers are drawn outside the file's
// transaction (PostgreSQL), the 277CA writer starts too.
func (r *fileRun) startRecorder() {
	r.jobs = make(chan recordJob, 2)
	r.in = r.jobs
	r.recorded = make(chan struct{})
	if r.seq != r.q {
		// A stage ahead of the recorder, on the pool: a set's numbers are
		// drawn and its roster rows read while the recorder records the
		// set before it.
		pf, _ := r.p.cfg.Eligibility.(eligibilityPrefetcher)
		r.pre = make(chan recordJob, 2)
		r.in = r.pre
		go func() {
			defer close(r.jobs)
			for job := range r.pre {
				if job.work == nil && !r.recFail.Load() {
					job.preErr = r.reserve(&job)
					if pf != nil && job.preErr == nil && ack.IsAccepted(job.sr.Ack) {
						job.preErr = pf.Prefetch(r.ctx, r.seq, eligibilityParties(job.claims))
						job.prefetched = true
					}
				}
				r.jobs <- job
			}
		}()
	}
	if r.seq != r.q {
		r.acks = make(chan ackJob, 2)
		r.acked = make(chan struct{})
		go func() {
			defer close(r.acked)
			for job := range r.acks {
				if !r.recFail.Load() {
					if err := r.writeAck(job); err != nil {
						r.ackErr = err
						r.recFail.Store(true)
					}
				}
				r.jobsDone.Done()
			}
		}()
	}
	go func() {
		defer close(r.recorded)
		for job := range r.jobs {
			if !r.recFail.Load() {
				record := r.recordSet
				if job.work != nil {
					record = r.recordWork
				}
				if err := record(job); err != nil {
					r.recErr = err
					r.recFail.Store(true)
				}
				faultinject.Hit("process.set")
			}
			r.jobsDone.Done()
		}
	}()
}

// wait returns once every set handed to the recorder is recorded, and
// takes over its error.
func (r *fileRun) wait() {
	r.jobsDone.Wait()
	for _, err := range []error{r.recErr, r.ackErr} {
		if err != nil && r.claimErr == nil {
			r.claimErr = err
		}
	}
}

// stopRecorder ends the recorder goroutine (after the sets handed to it).
func (r *fileRun) stopRecorder() {
	close(r.in) // the prefetcher, if any, closes jobs once drained
	<-r.recorded
	if r.acks != nil {
		close(r.acks)
		<-r.acked
	}
}

// reserve draws what recording the claims of an 837 set takes from
// sequences: the control numbers of its new claims (those an earlier run
// did not number) and, on PostgreSQL, the ID of its transactions row (the
// claims go in with it, and the row is recorded when the interchange
// settles: each claim row is written once, not inserted and then linked).
// It draws on r.seq: sequences are not transactional, so the pool a stage
// ahead of the recorder draws what the file's transaction would.
func (r *fileRun) reserve(job *recordJob) error {
	job.reserved = true
	need := 0
	for _, pc := range job.claims {
		if _, ok := r.prior[pc.claim.RawOffset]; !ok {
			need++
		}
	}
	if need > 0 {
		first, err := r.seq.ReserveControlNumbers(r.ctx, "", store.ControlClaim, need)
		if err != nil {
			return err
		}
		job.firstControl, job.newClaims = first, need
	}
	if len(job.claims) > 0 {
		id, err := r.seq.ReserveTransactionID(r.ctx)
		if err != nil {
			return err
		}
		job.txID = id
	}
	return nil
}

func (r *fileRun) recordSet(job recordJob) error {
	sr, claims := job.sr, job.claims
	ctx, q := r.ctx, r.q
	rec := &setRecord{ids: make([]int64, 0, len(claims)), ik5OK: ack.IsAccepted(sr.Ack), outcomes: map[store.ClaimState]int{},
		rejects: map[string]int{}, changes: map[string]int{}}
	if job.preErr != nil {
		return fmt.Errorf("record claims of set %s: %w", sr.Control, job.preErr)
	}
	if !job.reserved {
		if err := r.reserve(&job); err != nil {
			return fmt.Errorf("record claims of set %s: %w", sr.Control, err)
		}
	}
	var numbers []string // the new claims' control numbers, in order
	if job.newClaims > 0 {
		numbers = claimControlNumbers(job.firstControl, job.newClaims)
	}
	rec.txID = job.txID
	// Claims are decided one by one, in file order, and inserted together
	// (a correction naming a claim of the same set inserts those decided
	// before it first).
	var toInsert []*store.Claim
	inserted := 0
	flush := func() error {
		if err := q.InsertClaims(ctx, toInsert[inserted:]); err != nil {
			return err
		}
		inserted = len(toInsert)
		return nil
	}
	var look *setLookup
	var decide []*pendingClaim // the claims this run decides (not kept)
	for i := range claims {
		pc := &claims[i]
		c := pc.claim
		if pr, ok := r.prior[c.RawOffset]; ok {
			c.ControlNumber = pr.ControlNumber
			if pr.Kept {
				// Decided for good by an earlier run and acted on since:
				// kept as it is.
				c.ID, c.State, c.Reasons = pr.ID, pr.State, pr.Reasons
				rec.kept = append(rec.kept, c.ID)
				rec.outcomes[c.State]++
				continue
			}
		} else {
			c.ControlNumber, numbers = numbers[0], numbers[1:]
		}
		if rec.ik5OK {
			c.Fingerprint, c.SuspectKey = claimHashes(c)
		}
		decide = append(decide, pc)
	}
	if rec.ik5OK && len(decide) > 0 {
		var err error
		if look, err = newSetLookup(ctx, q, decide, flush); err != nil {
			return fmt.Errorf("record claims of set %s: %w", sr.Control, err)
		}
		if pf, ok := r.p.cfg.Eligibility.(eligibilityPrefetcher); ok && !job.prefetched {
			if err := pf.Prefetch(ctx, q, eligibilityParties(claims)); err != nil {
				return fmt.Errorf("record claims of set %s: %w", sr.Control, err)
			}
		}
	}
	for _, pc := range decide {
		c := pc.claim
		if rec.ik5OK {
			if err := r.decide(look, c, pc.party, rec); err != nil {
				return fmt.Errorf("record claims of set %s: %w", sr.Control, err)
			}
			look.decided(c)
		} else {
			c.State, c.Reasons = store.ClaimRejected, job.ik5
		}
		if rec.txID != 0 {
			c.TransactionID = &rec.txID
		}
		toInsert = append(toInsert, c)
		rec.outcomes[c.State]++
		switch {
		case c.State == store.ClaimRejected || c.State == store.ClaimDuplicate:
			rec.rejects[c.Reasons]++
		case c.ReplacesClaimID != nil && c.Frequency == "8":
			rec.changes["voids"]++
		case c.ReplacesClaimID != nil:
			rec.changes["replacements"]++
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("record claims of set %s: %w", sr.Control, err)
	}
	if len(rec.originals) > 0 {
		// The originals the set's corrections replaced or voided change
		// together, once their claims are in: the rules read the states
		// changed earlier in the set from the lookup, and the next set's
		// lookups read them from the store.
		ts := make([]store.ClaimTransition, len(rec.originals))
		for i, o := range rec.originals {
			ts[i] = store.ClaimTransition{ID: o.id, To: o.state}
		}
		if err := q.TransitionClaims(ctx, ts, inEffect...); err != nil {
			return fmt.Errorf("record claims of set %s: %w", sr.Control, err)
		}
	}
	for _, c := range toInsert {
		rec.ids = append(rec.ids, c.ID)
	}
	if rec.ik5OK {
		job := ackJob{sr: sr, claims: claims, rec: rec}
		if r.acks == nil {
			if err := r.writeAck(job); err != nil {
				return err
			}
		} else {
			// Counted before this set's job is done, so a wait waits
			// for it.
			r.jobsDone.Add(1)
			r.acks <- job
		}
	}
	r.sets[setKey{sr.Interchange, sr.Group, sr.Control, sr.Offset}] = rec
	return nil
}

// eligibilityParties returns the parties whose roster rows checking a
// set's claims reads: all but voids' (a void is not checked). Claims kept
// from an earlier run are not checked again; reading their rows too, on a
// reprocess, changes no decision.
func eligibilityParties(claims []pendingClaim) []roster.ClaimParty {
	parties := make([]roster.ClaimParty, 0, len(claims))
	for i := range claims {
		if claims[i].claim.Frequency != "8" {
			parties = append(parties, claims[i].party)
		}
	}
	return parties
}

// decide runs the intake rules for one claim of an accepted set. A
// replacement or void changes its original in the lookup at once, and in
// the file's transaction when the set's claims are in (recordSet), so that
// a second correction of the same original later in the file sees it
// replaced or voided.
func (r *fileRun) decide(look *setLookup, c *store.Claim, party roster.ClaimParty, rec *setRecord) error {
	ctx, q := r.ctx, r.q
	out, err := applyRules(ctx, look, c)
	if err != nil {
		return err
	}
	if r.p.cfg.Eligibility != nil && c.Frequency != "8" && (out.state == store.ClaimAccepted || out.state == store.ClaimSuspect) {
		// A void is not checked: it cancels a claim already checked.
		d, err := r.p.cfg.Eligibility.CheckWith(ctx, q, party)
		if err != nil {
			return fmt.Errorf("eligibility: %w", err)
		}
		applyEligibility(&out, &d)
		if d.Eligible {
			c.MemberTPA = d.TPA
		}
	}
	if c.MemberTPA == "" && out.original != nil {
		// A void goes where its original's member TPA sent the original.
		c.MemberTPA = out.original.MemberTPA
	}
	r.applyRoute(&out, c)
	if out.original == nil {
		c.ReplacesClaimID = nil // rejected after all: it acts on nothing
	}
	c.State, c.Reasons, c.Notes, c.RelatedControl = out.state, strings.Join(out.reasons, ";"), strings.Join(out.notes, ";"), out.related
	if out.original != nil {
		o := out.original
		rec.originals = append(rec.originals, originalUpdate{id: o.ID, state: out.origNext, prev: o.State, by: c.ControlNumber})
		o.State = out.origNext
		look.changed(o.ID, out.origNext)
	}
	return nil
}

// FormatClaimControlNumber formats our payer claim control number n: "CH"
// and 12 digits.
func FormatClaimControlNumber(n int64) string {
	if n < 0 {
		return fmt.Sprintf("CH%012d", n)
	}
	var buf [2 + 20]byte
	return string(appendClaimControlNumber(buf[:0], n))
}

// appendClaimControlNumber appends FormatClaimControlNumber(n), n >= 0.
func appendClaimControlNumber(b []byte, n int64) []byte {
	b = append(b, "CH"...)
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], n, 10)
	for i := len(d); i < 12; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// claimControlNumbers returns the control numbers first, first+1, ...: n
// of them, formatted as FormatClaimControlNumber formats them, in one
// string when all have 12 digits (one allocation for a set's numbers).
func claimControlNumbers(first int64, n int) []string {
	out := make([]string, n)
	const width = 2 + 12
	if first < 0 || first+int64(n)-1 > 999_999_999_999 {
		for i := range out {
			out[i] = FormatClaimControlNumber(first + int64(i))
		}
		return out
	}
	var sb strings.Builder
	sb.Grow(n * width)
	var buf [width]byte
	for i := range n {
		sb.Write(appendClaimControlNumber(buf[:0], first+int64(i)))
	}
	all := sb.String()
	for i := range out {
		out[i] = all[i*width : (i+1)*width]
	}
	return out
}

// interchangeEnd records the interchange's envelopes, settles the
// outcome of its claims and queues its TA1/999 acknowledgments.
func (r *fileRun) interchangeEnd(ic *envelope.Interchange) {
	r.wait()
	if r.claimErr != nil {
		return
	}
	if err := r.settle(ic); err != nil {
		r.claimErr = err
	}
}

func (r *fileRun) settle(ic *envelope.Interchange) error {
	ctx, st := r.ctx, r.q
	rec := &store.Interchange{InboundFileID: r.file.ID, SenderQual: storeText(ic.Sender.Qualifier), SenderID: storeText(ic.Sender.ID),
		ReceiverQual: storeText(ic.Receiver.Qualifier), ReceiverID: storeText(ic.Receiver.ID), Control: storeText(ic.Control),
		ISADate: storeText(ic.Date), ISATime: storeText(ic.Time), Usage: storeText(ic.Usage), TA1Ack: string(ic.TA1.Ack), TA1Note: ic.TA1.Note, ByteOffset: ic.Offset}
	if err := st.RecordInterchange(ctx, rec); err != nil {
		return err
	}
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		grec := &store.Group{InterchangeID: rec.ID, FunctionalID: storeText(g.FunctionalID), Control: storeText(g.Control), Version: storeText(g.Version), Ack: g.Ack}
		if err := st.RecordGroup(ctx, grec); err != nil {
			return err
		}
		for si := range g.Sets {
			s := &g.Sets[si]
			key := setKey{ic.Control, g.Control, s.Control, s.Offset}
			set := r.sets[key]
			delete(r.sets, key)
			trec := &store.Transaction{GroupID: grec.ID, SetID: storeText(s.ID), Control: storeText(s.Control), Version: storeText(s.Version), Ack: s.Ack,
				ErrorCount: len(s.Issues), ByteOffset: s.Offset, SegCount: s.SegmentCount}
			if set != nil {
				trec.ID = set.txID // its claims were inserted with it
			}
			if err := st.RecordTransaction(ctx, trec); err != nil {
				return err
			}
			if work := r.works[key]; work != nil {
				delete(r.works, key)
				if err := r.settleWork(work, ic, g, s, trec.ID); err != nil {
					return err
				}
				continue
			}
			if set == nil || len(set.ids)+len(set.kept) == 0 {
				continue
			}
			if err := r.settleSet(ic, g, s, set, trec.ID); err != nil {
				return err
			}
		}
	}
	return r.queueAcks(ic)
}

// unlinkUnsettled unlinks the claims of sets no interchange settled (none
// is expected: every set the recorder saw belongs to an interchange that
// ends) from the transactions row reserved for them, which was never
// recorded, so that the file's transaction can commit.
func (r *fileRun) unlinkUnsettled() error {
	for key, rec := range r.sets {
		if rec.txID == 0 || len(rec.ids) == 0 {
			continue
		}
		r.log.WarnContext(r.ctx, "claims of a set that was never settled", slog.String("set", key.set), slog.Int("claims", len(rec.ids)))
		if err := r.q.ClearClaimsTransaction(r.ctx, rec.ids); err != nil {
			return err
		}
	}
	return nil
}

// groupControls draws the ISA13 and GS06 of a new outbound interchange
// for the file's partner from its persisted sequences.
func (r *fileRun) groupControls() (isa, gs int64, err error) {
	if isa, err = r.seq.NextControlNumber(r.ctx, r.file.PartnerID, store.ControlISA); err != nil {
		return 0, 0, err
	}
	gs, err = r.seq.NextControlNumber(r.ctx, r.file.PartnerID, store.ControlGS)
	return isa, gs, err
}

// write277CA renders the 277CA of one 837 set (005010X214) and spools it:
// every claim with its outcome, accepted ones with our claim control number
// in REF*1K, rejected ones with their status codes.
func (r *fileRun) write277CA(sr validate.SetResult, claims []pendingClaim) (*spool.File, error) {
	cfg := r.p.cfg
	now := cfg.Now()
	a := status277.Acknowledgment{
		Source:      status277.Source{EntityCode: status277.SourceClearinghouse, Name: orDefault(cfg.Identity.Name, orDefault(cfg.Identity.ID, "CLEARINGHOUSE")), IDQualifier: "46", ID: orDefault(cfg.Identity.ID, "CLEARINGHOUSE")},
		SourceTrace: fmt.Sprintf("%d-%s", r.file.ID, safe(sr.Control, "st")),
		ReceiptDate: r.file.ReceivedAt.UTC().Format("20060102"),
		ProcessDate: now.UTC().Format("20060102"),
	}
	if len(claims) > 0 {
		h := claims[0].ack
		a.Receiver = status277.Receiver{Name: orDefault(h.submitterName, "SUBMITTER"), ETIN: orDefault(h.submitterID, sr.AppSender)}
		a.ReceiverTrace = orDefault(h.batch, sr.Control)
	}
	// Claims go to their billing provider's 2000C (in order of first
	// appearance); each provider's claims and all the statuses of the set
	// are allocated at their final size.
	byNPI := map[[2]string]int{}
	prov := make([]int, len(claims))
	var counts []int
	nstatus := 0
	for ci, pc := range claims {
		c := pc.claim
		key := [2]string{c.BillingNPI, c.BillingTIN}
		i, ok := byNPI[key]
		if !ok {
			p := status277.Provider{Name: orDefault(pc.ack.providerName, "PROVIDER")}
			switch {
			case c.BillingNPI != "":
				p.IDQualifier, p.ID = "XX", c.BillingNPI
			case c.BillingTIN != "":
				p.IDQualifier, p.ID = "FI", c.BillingTIN
			}
			a.Providers = append(a.Providers, p)
			counts = append(counts, 0)
			i = len(a.Providers) - 1
			byNPI[key] = i
		}
		prov[ci] = i
		counts[i]++
		if c.Reasons != "" {
			nstatus += strings.Count(c.Reasons, ";") + 1
		}
	}
	for i, n := range counts {
		a.Providers[i].Claims = make([]status277.Claim, 0, n)
	}
	statuses := make([]status277.Status, 0, nstatus)
	for ci, pc := range claims {
		c := pc.claim
		i := prov[ci]
		accepted := c.State != store.ClaimRejected && c.State != store.ClaimDuplicate
		sc := status277.Claim{
			PatientControlNumber: c.CLM01, Accepted: accepted, ChargeCents: c.BilledCents,
			ClearinghouseTrace: pc.ack.trace, BillType: pc.ack.billType,
			ServiceFrom: c.ServiceFrom, ServiceTo: c.ServiceTo,
			Patient: status277.Patient{Last: orDefault(pc.ack.patientLast, "UNKNOWN"), First: pc.ack.patientFirst, IDQualifier: "MI", ID: c.MemberID},
		}
		if sc.Patient.ID == "" {
			sc.Patient.IDQualifier = ""
		}
		if accepted {
			sc.PayerClaimControlNumber = c.ControlNumber
		}
		// c.ReasonList(), each reason "category:code[:entity]".
		start := len(statuses)
		if c.Reasons != "" {
			for reason := range strings.SplitSeq(c.Reasons, ";") {
				category, rest, ok := strings.Cut(reason, ":")
				if !ok {
					continue
				}
				st := status277.Status{Category: category, Code: rest}
				if code, entity, ok := strings.Cut(rest, ":"); ok {
					st.Code, st.Entity = code, entity
				}
				statuses = append(statuses, st)
			}
		}
		if len(statuses) > start {
			sc.Statuses = statuses[start:len(statuses):len(statuses)]
		}
		a.Providers[i].Claims = append(a.Providers[i].Claims, sc)
	}
	ctl, gctl, err := r.groupControls()
	if err != nil {
		return nil, err
	}
	out := ack.OutboundEnvelope{Control: ctl, GroupControl: gctl, Time: now, Usage: orDefault(cfg.Usage, sr.Usage), Suffix: "\n",
		ReceiverQualifier: sr.Sender.Qualifier, ReceiverID: sr.Sender.ID, AppReceiver: sr.AppSender}
	out.SenderQualifier = orDefault(cfg.Identity.Qualifier, "ZZ")
	out.SenderID = orDefault(cfg.Identity.ID, sr.Receiver.ID)
	out.AppSender = orDefault(cfg.Identity.ID, sr.AppReceiver)
	var b bytes.Buffer
	if err := status277.Write(&b, []status277.Acknowledgment{a}, out); err != nil {
		return nil, err
	}
	f, err := r.p.spool.PutBytes(r.ctx, "outbound", b.Bytes())
	if err != nil {
		return nil, err
	}
	return &f, nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// applyRoute rejects an accepted claim no route takes (277CA A3:116).
func (r *fileRun) applyRoute(out *outcome, c *store.Claim) {
	if r.p.cfg.Routes == nil || (out.state != store.ClaimAccepted && out.state != store.ClaimSuspect) {
		return
	}
	_, _, err := r.p.cfg.Routes.Decide(c.PayerID, c.ClaimType, c.Frequency, c.MemberTPA)
	if err == nil {
		return
	}
	var re *forward.RouteError // escapes in errors.As: declared only on an error
	if errors.As(err, &re) {
		*out = outcome{state: store.ClaimRejected, reasons: []string{re.Reason}, notes: []string{re.Note()}}
	}
}

// applyEligibility rejects a claim the other rules accepted when the
// roster check failed.
func applyEligibility(out *outcome, d *roster.Decision) {
	if d == nil || d.Eligible || (out.state != store.ClaimAccepted && out.state != store.ClaimSuspect) {
		return
	}
	*out = outcome{state: store.ClaimRejected, reasons: []string{d.STC01(':')}, notes: []string{string(d.Reason)}}
}

// settleSet applies the envelope verdict to a set's recorded claims: in an
// accepted set they keep their rule outcomes and the set's 277CA is
// queued; otherwise every claim is rejected with the codes that rejected
// the set, and the originals its replacements and voids had changed are
// put back. Claims kept from an earlier run keep their state either way.
func (r *fileRun) settleSet(ic *envelope.Interchange, g *envelope.Group, s *envelope.Set, rec *setRecord, txID int64) error {
	ctx, st := r.ctx, r.q
	if len(rec.kept) > 0 {
		if err := st.SetClaimsTransaction(ctx, rec.kept, txID); err != nil {
			return err
		}
	}
	if !ic.SetAccepted(g, s) {
		// Rejected by its IK5, its group or its interchange: every claim is
		// rejected with the codes of every layer that rejected it.
		reasons := rejectionReasons(ic, g, s)
		if err := st.SetClaimsOutcome(ctx, rec.ids, &txID, store.ClaimRejected, reasons); err != nil {
			return err
		}
		for i := len(rec.originals) - 1; i >= 0; i-- {
			o := rec.originals[i]
			if err := st.TransitionClaim(ctx, o.id, o.prev, o.state); err != nil {
				return err
			}
		}
		r.count(map[store.ClaimState]int{store.ClaimRejected: len(rec.ids)})
		r.result.Rejections[reasons] += len(rec.ids)
		return nil
	}
	if rec.txID == 0 {
		if err := st.SetClaimsTransaction(ctx, rec.ids, txID); err != nil {
			return err
		}
	}
	if rec.ack277 != nil {
		name := fmt.Sprintf("277CA-%s-%s-%s.x12", r.nameBase(ic), safe(g.Control, "gs"), safe(s.Control, "st"))
		if err := r.enqueueSpooled(store.Kind277CA, name, *rec.ack277); err != nil {
			return err
		}
	}
	if len(rec.originals) > 0 {
		audit := make([]store.AuditEntry, len(rec.originals))
		for i, o := range rec.originals {
			audit[i] = store.AuditEntry{Actor: "pipeline", Action: "claim." + string(o.state), Entity: "claim",
				EntityID: strconv.FormatInt(o.id, 10), Detail: "by " + o.by}
		}
		if err := st.AuditBatch(ctx, audit); err != nil {
			return err
		}
	}
	r.count(rec.outcomes)
	for k, n := range rec.rejects {
		r.result.Rejections[k] += n
	}
	for k, n := range rec.changes {
		r.result.Outcomes[k] += n
	}
	return nil
}

// count adds a set's outcomes to the file result. Rejected and duplicate
// claims count as rejected, every other outcome as accepted.
func (r *fileRun) count(outcomes map[store.ClaimState]int) {
	for state, n := range outcomes {
		r.result.Outcomes[string(state)] += n
		switch state {
		case store.ClaimRejected, store.ClaimDuplicate:
			r.result.Counts.ClaimsRejected += n
		default: // accepted, suspect; kept claims forwarded, replaced, voided
			r.result.Counts.ClaimsAccepted += n
		}
	}
}

// rejectionReasons names why a set's claims were not accepted: the TA1
// note of a rejected interchange (no 999 answers it), else the AK9 and IK5
// codes of the 999 that rejected it.
func rejectionReasons(ic *envelope.Interchange, g *envelope.Group, s *envelope.Set) string {
	if !ic.Accepted() {
		return "TA1:" + string(ic.TA1.Ack) + ":" + ic.TA1.Note
	}
	var parts []string
	if !ack.IsAccepted(g.Ack) {
		parts = append(parts, "AK9:"+g.Ack+codesSuffix(g.Codes()))
	}
	if !ack.IsAccepted(s.Ack) || len(parts) == 0 {
		parts = append(parts, "IK5:"+s.Ack+codesSuffix(s.Codes()))
	}
	return strings.Join(parts, ";")
}

func codesSuffix(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	return ":" + strings.Join(codes, ":")
}

// queueAcks writes the interchange's TA1 (when due) and one 999 per group
// to the sending partner's outbox. Names are derived from the inbound file
// and the received control numbers, so a reprocess queues nothing twice.
func (r *fileRun) queueAcks(ic *envelope.Interchange) error {
	ctx, st := r.ctx, r.seq
	partner := r.file.PartnerID
	base := r.nameBase(ic)
	out := ack.OutboundEnvelope{Time: r.p.cfg.Now(), Usage: r.p.cfg.Usage, Suffix: "\n"}
	if r.p.cfg.Identity.ID != "" {
		out.SenderQualifier = r.p.cfg.Identity.Qualifier
		if out.SenderQualifier == "" {
			out.SenderQualifier = "ZZ"
		}
		out.SenderID = r.p.cfg.Identity.ID
		out.AppSender = r.p.cfg.Identity.ID
	}
	in := ic.Header()
	if ic.SendTA1 {
		if in.SenderID == "" {
			r.log.WarnContext(ctx, "TA1 not sent: the damaged ISA names no sender", slog.String("isa13", ic.Control))
		} else {
			ctl, err := st.NextControlNumber(ctx, partner, store.ControlISA)
			if err != nil {
				return err
			}
			o := out
			o.Control = ctl
			var b bytes.Buffer
			if err := ack.WriteTA1(&b, in, ic.TA1, o); err != nil {
				return fmt.Errorf("write TA1: %w", err)
			}
			if err := r.enqueue(store.KindTA1, fmt.Sprintf("TA1-%s.x12", base), b.Bytes()); err != nil {
				return err
			}
		}
	}
	if !ic.Accepted() {
		return nil
	}
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		ctl, gctl, err := r.groupControls()
		if err != nil {
			return err
		}
		o := out
		o.Control, o.GroupControl = ctl, gctl
		var b bytes.Buffer
		if err := ack.Write999(&b, ic.AckResult(g), o); err != nil {
			return fmt.Errorf("write 999: %w", err)
		}
		name := fmt.Sprintf("999-%s-%s.x12", base, GroupNamePart(g, gi))
		if err := r.enqueue(store.Kind999, name, b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// nameBase is the part of an acknowledgment's name that identifies the
// interchange it answers: the inbound file, the sender (ISA06) and ISA13.
// Two interchanges of one file from different senders with the same
// control numbers get different names.
func (r *fileRun) nameBase(ic *envelope.Interchange) string {
	return AckNameBase(strconv.FormatInt(r.file.ID, 10), ic)
}

// AckNameBase is the part of the outbound name of an acknowledgment of
// interchange ic that identifies it: file (the inbound file ID; `validate
// --ack-dir` uses the input's base name), the sender (ISA06, characters
// other than letters, digits, '-' and '_' as '_') and ISA13. The names
// are <kind>-<base>[-<GS06>[-<ST02>]].x12 (see GroupNamePart).
func AckNameBase(file string, ic *envelope.Interchange) string {
	return fmt.Sprintf("%s-%s-%s", file, nameText(ic.Sender.ID, "sender"), safe(ic.Control, "isa"+strconv.FormatInt(ic.Offset, 10)))
}

// GroupNamePart is the GS06 part of the name of the 999 for the group at
// index gi (0-based) of an interchange.
func GroupNamePart(g *envelope.Group, gi int) string {
	return safe(g.Control, "gs"+strconv.Itoa(gi+1))
}

// SafeNamePart is s when it is usable in an outbound file name (letters,
// digits, '-' and '_' only), else fallback; set handlers name their
// outputs with it (the ST02 part, for example).
func SafeNamePart(s, fallback string) string { return safe(s, fallback) }

// enqueue spools data and queues it to the file's partner as name.
func (r *fileRun) enqueue(kind, name string, data []byte) error {
	f, err := r.p.spool.PutBytes(r.ctx, "outbound", data)
	if err != nil {
		return err
	}
	return r.enqueueSpooled(kind, name, f)
}

// ErrNameCollision means two different outbound files would be queued
// under one name; the second is never silently dropped.
var ErrNameCollision = errors.New("pipeline: outbound name already used by another file")

// enqueueSpooled queues a spooled outbound file in the file's transaction.
// A name this run already used (the same control numbers twice in one
// interchange) gets a numbered suffix. A name queued by an earlier run of
// the same file is a regenerated answer: the first one stands and nothing
// is queued twice. A name held by anything else is ErrNameCollision.
func (r *fileRun) enqueueSpooled(kind, name string, f spool.File) error {
	return r.enqueueTo("", kind, name, f)
}

// enqueueTo is enqueueSpooled for any partner (empty: the file's).
func (r *fileRun) enqueueTo(partner, kind, name string, f spool.File) error {
	if partner == "" {
		partner = r.file.PartnerID
	}
	base := strings.TrimSuffix(name, ".x12")
	for n := 2; r.names[name]; n++ {
		name = fmt.Sprintf("%s-%d.x12", base, n)
	}
	r.names[name] = true
	id := r.file.ID
	rec, created, err := r.q.EnqueueOutbound(r.ctx, store.OutboundFile{PartnerID: partner, Kind: kind, Name: name,
		InboundFileID: &id, SpoolPath: f.Path, SHA256: f.SHA256, Size: f.Size})
	if err != nil {
		return err
	}
	if !created && (rec.Kind != kind || rec.InboundFileID == nil || *rec.InboundFileID != id) {
		return fmt.Errorf("%w: %s for partner %s (outbound file %d)", ErrNameCollision, name, partner, rec.ID)
	}
	r.result.Outputs = append(r.result.Outputs, Output{Kind: kind, Partner: rec.PartnerID, Name: rec.Name, ID: rec.ID})
	return nil
}

// nameText keeps an identifier usable in a file name: characters other
// than letters, digits, '-' and '_' become '_'; empty gives fallback.
func nameText(s, fallback string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return fallback
	}
	b := []byte(s)
	for i, c := range b {
		if !nameByte(c) {
			b[i] = '_'
		}
	}
	return string(b)
}

// storeText makes an X12 value safe to store: PostgreSQL refuses NUL and
// invalid UTF-8 in text, so those bytes become U+FFFD. Such a value only
// comes from a set the validator rejected; the raw bytes stay in the
// spool.
func storeText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}

// safe keeps control numbers usable in file names.
func safe(s, fallback string) string {
	if s == "" {
		return fallback
	}
	for i := 0; i < len(s); i++ {
		if !nameByte(s[i]) {
			return fallback
		}
	}
	return s
}

// nameByte reports whether c may stand in an outbound file name as it is:
// a letter, a digit, '-' or '_'.
func nameByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_'
}

// claimRow is a claim's store row with room for its first lines (one
// allocation for most claims; 968 bytes of a 1024-byte size class).
type claimRow struct {
	claim store.Claim
	lines [3]store.ClaimLine
}

// storeClaim builds the store row of a decoded claim (state received).
func storeClaim(f *store.InboundFile, cc *claim.ClaimContext) *store.Claim {
	c := cc.Claim
	typ := "P"
	if c.Kind == claim.Institutional {
		typ = "I"
	}
	t := storeText
	row := new(claimRow)
	sc := &row.claim
	*sc = store.Claim{
		InboundFileID: f.ID,
		PartnerID:     f.PartnerID,
		CLM01:         t(c.PatientControlNumber),
		ClaimType:     typ,
		Frequency:     t(c.Frequency()),
		RefF8:         t(c.OriginalRef()),
		State:         store.ClaimReceived,
		BilledCents:   c.TotalCharge,
		PayerID:       t(c.PayerID()),
		BillingNPI:    t(c.BillingNPI()),
		MemberID:      t(c.MemberID()),
		ServiceFrom:   ccyymmdd(c.ServiceFrom()),
		ServiceTo:     ccyymmdd(c.ServiceTo()),
		RawOffset:     cc.Start,
		RawLength:     cc.End - cc.Start,
	}
	if cc.Transaction != nil {
		sc.SubmitterID = t(cc.Transaction.Submitter.ID)
	}
	if cc.BillingProvider != nil {
		sc.BillingTIN = t(cc.BillingProvider.TIN)
	}
	switch {
	case cc.Patient != nil:
		sc.PatientLast, sc.PatientFirst, sc.PatientDOB = t(cc.Patient.Name), t(cc.Patient.First), ccyymmdd(cc.Patient.BirthDate)
	case cc.Subscriber != nil:
		m := cc.Subscriber.Member
		sc.PatientLast, sc.PatientFirst, sc.PatientDOB = t(m.Name), t(m.First), ccyymmdd(m.BirthDate)
	}
	// Lines are numbered by position: LX01 may repeat or skip in a set the
	// 999 rejects, and the claim is recorded all the same.
	switch {
	case len(c.Lines) > len(row.lines):
		sc.Lines = make([]store.ClaimLine, 0, len(c.Lines))
	case len(c.Lines) > 0:
		sc.Lines = row.lines[:0:len(c.Lines)]
	}
	for i, l := range c.Lines {
		sc.Lines = append(sc.Lines, store.ClaimLine{
			LineNo:      i + 1,
			Code:        t(l.ProcedureCode),
			Modifiers:   t(strings.Join(l.Modifiers, ":")),
			Units:       l.Units,
			UnitType:    t(l.UnitBasis),
			ChargeCents: l.Charge,
			ServiceFrom: ccyymmdd(l.ServiceFrom),
			ServiceTo:   ccyymmdd(l.ServiceTo),
			RevenueCode: t(l.RevenueCode),
		})
	}
	return sc
}

// ccyymmdd returns d when it is a CCYYMMDD date and "" otherwise (a
// malformed date is an issue in the 999; the raw bytes stay in the spool).
func ccyymmdd(d string) string {
	if len(d) != 8 {
		return ""
	}
	for i := 0; i < 8; i++ {
		if d[i] < '0' || d[i] > '9' {
			return ""
		}
	}
	return d
}

// progressReader counts the bytes read through it and reports the count
// every ProgressStep bytes and at the end of the input.
type progressReader struct {
	r          io.Reader
	read, last int64
	fn         func(read int64)
}

func (c *progressReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	if c.read-c.last >= ProgressStep || err == io.EOF && c.read > c.last {
		c.last = c.read
		c.fn(c.read)
	}
	return n, err
}
