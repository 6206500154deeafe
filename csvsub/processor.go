package csvsub

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/roster"
)

// ProcessorConfig configures a Processor.
type ProcessorConfig struct {
	// Identity is the engine: ISA07/ISA08, GS03 and 1000B of the 837s
	// converted from CSV (default ZZ CLEARINGHOUSE).
	Identity pipeline.Identity
	// Usage is ISA15 of the converted 837s (default "P").
	Usage string
	// SenderIDs maps a partner to its enrolled ISA06 values: the first is
	// the sender of its converted 837s (default the partner ID upper-cased),
	// so they pass the same sender check as its X12 files.
	SenderIDs map[string][]string
	// Eligibility checks supplemental data rows against the roster; nil
	// skips the check (no roster configured).
	Eligibility pipeline.Eligibility
	// Logger receives structured logs (never row values). Default
	// slog.Default().
	Logger *slog.Logger
	// Progress, when set, is told the bytes of each CSV file read so far
	// (name is the inbound file name, total its size).
	Progress func(name string, read, total int64)
}

// Processor is a pipeline.FileProcessor that takes CSV submissions and
// passes every other file to the X12 processor it wraps. In the file's
// transaction it records the submission and its rejected rows; a claims
// file's valid claims are written to the spool as an 837P and recorded as
// a new inbound file of the same partner (the derived file), which the
// engine then processes like any 837 (999, 277CA, claim rules, repricing,
// routing); a supplemental data file's valid rows are stored in
// clinical_results. A reprocess replaces what the earlier run recorded;
// the derived 837 has the same bytes, so it is the same inbound file and
// its claims are never doubled.
type Processor struct {
	inner pipeline.FileProcessor
	store *store.Store
	spool *spool.Spool
	cfg   ProcessorConfig
}

// NewProcessor wraps inner.
func NewProcessor(inner pipeline.FileProcessor, st *store.Store, sp *spool.Spool, cfg ProcessorConfig) *Processor {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Identity.ID == "" {
		cfg.Identity.ID = "CLEARINGHOUSE"
	}
	if cfg.Identity.Qualifier == "" {
		cfg.Identity.Qualifier = "ZZ"
	}
	if cfg.Identity.Name == "" {
		cfg.Identity.Name = cfg.Identity.ID
	}
	if cfg.Usage == "" {
		cfg.Usage = "P"
	}
	return &Processor{inner: inner, store: st, spool: sp, cfg: cfg}
}

// Outcome keys of a CSV file's pipeline.FileResult.
const (
	OutcomeRows     = "csv_rows"
	OutcomeAccepted = "csv_rows_accepted"
	OutcomeRejected = "csv_rows_rejected"
	OutcomeClaims   = "csv_claims"
	OutcomeHeader   = "csv_header_rows" // 1 when row 1 is the header row (rejected, but not an error)
)

// ProcessTx implements pipeline.FileProcessor.
func (p *Processor) ProcessTx(ctx context.Context, tx *store.Tx, f *store.InboundFile) (pipeline.FileResult, error) {
	layout, err := p.detect(f)
	if err != nil {
		return pipeline.FileResult{}, err
	}
	if layout == "" {
		return p.inner.ProcessTx(ctx, tx, f)
	}
	res := pipeline.FileResult{InboundID: f.ID, Partner: f.PartnerID, Name: f.Name, SHA256: f.SHA256,
		Outcomes: map[string]int{}, Rejections: map[string]int{}}
	sub := &store.CSVSubmission{InboundFileID: f.ID, PartnerID: f.PartnerID, Layout: layout, ReceivedAt: f.ReceivedAt}
	if err := tx.StartCSVSubmission(ctx, sub); err != nil {
		return res, err
	}
	in, err := p.spool.Open(f.SpoolPath)
	if err != nil {
		return res, fmt.Errorf("open spooled file: %w", err)
	}
	defer in.Close()
	var progress func(int64)
	if p.cfg.Progress != nil {
		progress = func(n int64) { p.cfg.Progress(f.Name, n, f.Size) }
	}
	rows := &rowErrorSink{q: tx.Queries, ctx: ctx, sub: sub.ID}
	var header bool
	switch layout {
	case store.LayoutClaims:
		if err := p.claims(ctx, tx, f, in, sub, rows, progress, &header); err != nil {
			return res, err
		}
	case store.LayoutResults:
		if err := p.results(ctx, tx, f, in, sub, rows, progress, &header); err != nil {
			return res, err
		}
	}
	if err := rows.flush(); err != nil {
		return res, err
	}
	if err := tx.FinishCSVSubmission(ctx, sub); err != nil {
		return res, err
	}
	res.Outcomes[OutcomeRows] = sub.Rows
	res.Outcomes[OutcomeAccepted] = sub.RowsAccepted
	res.Outcomes[OutcomeRejected] = sub.RowsRejected
	if header {
		res.Outcomes[OutcomeHeader] = 1
	}
	if layout == store.LayoutClaims {
		res.Outcomes[OutcomeClaims] = sub.Claims
	}
	res.State = store.InboundProcessed
	if sub.RowsAccepted == 0 {
		res.State = store.InboundRejected
		res.Error = fmt.Sprintf("CSV %s: no row accepted (%d rejected)", layout, sub.RowsRejected)
	}
	p.cfg.Logger.InfoContext(ctx, "csv submission processed", slog.Int64("inbound_id", f.ID), slog.String("partner", f.PartnerID),
		slog.String("layout", layout), slog.Int("rows", sub.Rows), slog.Int("accepted", sub.RowsAccepted), slog.Int("rejected", sub.RowsRejected))
	return res, nil
}

// claims converts a claims file, spools the 837 and records it as the
// derived inbound file.
func (p *Processor) claims(ctx context.Context, tx *store.Tx, f *store.InboundFile, in io.Reader, sub *store.CSVSubmission, rows *rowErrorSink, progress func(int64), header *bool) error {
	sender := strings.ToUpper(nameText(f.PartnerID))
	if ids := p.cfg.SenderIDs[f.PartnerID]; len(ids) > 0 {
		sender = ids[0]
	}
	if len(sender) > 15 {
		sender = sender[:15]
	}
	opts := ClaimsOptions{
		SenderQualifier: "ZZ", SenderID: sender,
		ReceiverQualifier: p.cfg.Identity.Qualifier, ReceiverID: p.cfg.Identity.ID, ReceiverName: p.cfg.Identity.Name,
		Control: (f.ID-1)%999_999_999 + 1, Time: f.ReceivedAt.UTC(), Usage: p.cfg.Usage,
		OnClaim: func(key string, first, last int) error {
			err := tx.AddCSVClaim(ctx, sub.ID, key, first, last)
			if errors.Is(err, store.ErrConflict) {
				return ErrDuplicateKey
			}
			return err
		},
		OnRowError: rows.add,
		Progress:   progress,
	}
	pr, pw := io.Pipe()
	type put struct {
		f   spool.File
		err error
	}
	done := make(chan put, 1)
	go func() {
		sf, err := p.spool.Put(ctx, "inbound", pr)
		pr.CloseWithError(err) // unblocks the writer if Put stopped early
		done <- put{sf, err}
	}()
	cres, err := ConvertClaims(ctx, in, pw, opts)
	pw.CloseWithError(err)
	out := <-done
	if err != nil {
		return err
	}
	if out.err != nil {
		return fmt.Errorf("spool converted 837: %w", out.err)
	}
	sub.Rows, sub.RowsAccepted, sub.RowsRejected, sub.Claims = cres.Rows, cres.Accepted, cres.Rejected, cres.Claims
	*header = cres.Header
	if cres.Sets == 0 {
		return nil // nothing valid: no 837
	}
	d, _, err := tx.RecordInbound(ctx, store.InboundFile{PartnerID: f.PartnerID, Name: DerivedName(f.Name),
		RemotePath: fmt.Sprintf("csv:%d", f.ID), SHA256: out.f.SHA256, Size: out.f.Size, SpoolPath: out.f.Path,
		ReceivedAt: f.ReceivedAt})
	if err != nil {
		return err
	}
	sub.DerivedFileID = &d.ID
	return nil
}

// DerivedName is the name of the inbound 837 converted from the CSV file
// name.
func DerivedName(name string) string {
	base := name
	if i := strings.LastIndexByte(base, '.'); i > 0 && strings.EqualFold(base[i:], ".csv") {
		base = base[:i]
	}
	return base + ".837p.x12"
}

// results checks a supplemental data file and stores its valid rows.
func (p *Processor) results(ctx context.Context, tx *store.Tx, f *store.InboundFile, in io.Reader, sub *store.CSVSubmission, rows *rowErrorSink, progress func(int64), header *bool) error {
	opts := ResultsOptions{
		Today:      f.ReceivedAt.UTC().Format("20060102"),
		OnRowError: rows.add,
		Progress:   progress,
		OnRow: func(r ClinicalRow) error {
			return tx.AddClinicalResult(ctx, &store.ClinicalResult{SubmissionID: sub.ID, PartnerID: f.PartnerID, Row: r.Row,
				MemberID: r.MemberID, LastName: r.LastName, FirstName: r.FirstName, DOB: r.DOB, ServiceDate: r.ServiceDate,
				CodeSystem: r.CodeSystem, Code: r.Code, Value: r.Value, Unit: r.Unit, RenderingNPI: r.RenderingNPI, MemberTPA: r.MemberTPA})
		},
	}
	if p.cfg.Eligibility != nil {
		opts.Check = func(ctx context.Context, q roster.ClaimParty) (roster.Decision, error) {
			return p.cfg.Eligibility.CheckWith(ctx, tx, q)
		}
	}
	rres, err := ConvertResults(ctx, in, opts)
	if err != nil {
		return err
	}
	sub.Rows, sub.RowsAccepted, sub.RowsRejected = rres.Rows, rres.Accepted, rres.Rejected
	*header = rres.Header
	return nil
}

// HeadSize is how many leading bytes of a file IsSubmission and the
// layout detection look at.
const HeadSize = 4096

// IsSubmission reports whether a file named name whose content starts
// with head (its first HeadSize bytes, or all of a shorter file) is a CSV
// submission: it does not start with ISA, and its name ends in .csv (any
// case) or its first line looks like CSV (Sniff). Intake and the portal
// ask it to hold CSV submissions for the nightly run; the Processor asks
// it to take them.
func IsSubmission(name string, head []byte) bool {
	if bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n"), []byte("ISA")) {
		return false // X12 whatever its name
	}
	return strings.HasSuffix(strings.ToLower(name), ".csv") || Sniff(head)
}

// detect returns the CSV layout of f, or "" when f is not a CSV
// submission (IsSubmission); the layout is the one whose header it
// starts with, else the one whose column count its first row has (claims
// by default).
func (p *Processor) detect(f *store.InboundFile) (string, error) {
	fh, err := p.spool.Open(f.SpoolPath)
	if err != nil {
		return "", fmt.Errorf("open spooled file: %w", err)
	}
	defer fh.Close()
	br := bufio.NewReaderSize(fh, HeadSize)
	head, _ := br.Peek(HeadSize)
	if !IsSubmission(f.Name, head) {
		return "", nil
	}
	return DetectLayout(head), nil
}

// DetectLayout returns the layout of a CSV file from its first bytes.
func DetectLayout(head []byte) string {
	line, _, _ := strings.Cut(strings.TrimPrefix(string(head), "\xef\xbb\xbf"), "\n")
	r := csv.NewReader(strings.NewReader(line))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rec, _ := r.Read()
	switch {
	case isHeader(rec, ClaimColumns[0]):
		return store.LayoutClaims
	case isHeader(rec, ResultColumns[0]):
		return store.LayoutResults
	case len(rec) == nResultColumns:
		return store.LayoutResults
	}
	return store.LayoutClaims
}

// nameText keeps letters, digits, '-' and '_' ("_" for others).
func nameText(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !isAlnum(c) && c != '-' && c != '_' {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "CSV"
	}
	return string(b)
}

// rowErrorSink writes row errors to the store in batches.
type rowErrorSink struct {
	q       *store.Queries
	ctx     context.Context
	sub     int64
	buf     []store.CSVRowError
	lastRow int
	seq     int
}

func (s *rowErrorSink) add(e RowError) error {
	if e.Row == s.lastRow {
		s.seq++
	} else {
		s.lastRow, s.seq = e.Row, 0
	}
	s.buf = append(s.buf, store.CSVRowError{Row: e.Row, Seq: s.seq, Column: e.Column, Code: e.Code, Reason: e.Reason})
	if len(s.buf) >= 256 {
		return s.flush()
	}
	return nil
}

func (s *rowErrorSink) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	err := s.q.AddCSVRowErrors(s.ctx, s.sub, s.buf)
	s.buf = s.buf[:0]
	return err
}
