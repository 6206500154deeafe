package roster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Opts configures ImportCSV and Import834. The zero value imports a delta
// (upserts only) and skips bad rows.
type Opts struct {
	// Source labels the rows written and the recorded import, usually the
	// file name. Default "csv" or "834".
	Source string
	// SHA256 is the expected hex digest of the content, when the caller
	// already knows it (the Refresher does). An import whose digest is
	// already recorded then returns at once with Duplicate set, without
	// reading r; a content that does not match fails with
	// ErrChecksumMismatch. Optional: the digest is always computed while
	// reading.
	SHA256 string
	// FullReplace treats the file as a complete snapshot of the members of
	// every TPA it names: members of those TPAs that the file does not
	// list and whose coverage is still open on FileDate get coverage end =
	// FileDate. A CSV is a snapshot only with FullReplace. An 834 is one
	// only when it says so itself (BGN08 = RX in a transaction set, or
	// every member record has INS03 = 030); FullReplace allows that
	// terming and never turns a delta 834 into a snapshot. Members with an
	// empty TPA are never termed for absence, and nothing is termed for
	// absence when any row of the file was refused (ImportResult.
	// AbsentSkipped).
	FullReplace bool
	// FileDate (CCYYMMDD) is the "as of" date of a snapshot and the
	// fallback end date of an 834 termination without dates. Default: CSV
	// today (UTC, from Now); 834 the header DTP*007 of the first
	// transaction set, else its BGN03.
	FileDate string
	// TPA sets the tpa of every imported member, overriding the CSV tpa
	// column and the 834 N1*TV name.
	TPA string
	// MemberIDFrom lists, in order of preference, where an 834 member
	// record's member ID (the ID claims carry in 2010BA NM109) is taken
	// from; the first source with a value wins. A source is "NM109" (any
	// qualifier), "NM109:<NM108>" (e.g. "NM109:ZZ"), or "REF:<qualifier>"
	// for a member-level 2000 REF (e.g. "REF:0F" subscriber identifier,
	// "REF:23" client number, "REF:17", "REF:ZZ", "REF:1L", "REF:F6").
	// Default ["NM109:ZZ", "REF:0F"]: the mutually defined NM109 when the
	// partner sends one, else the family's subscriber identifier. NM108 34
	// is a Social Security Number; do not use it unless the partner's
	// cards carry it. Ignored for CSV.
	MemberIDFrom []string
	// AbortOnError makes the first refused row fail the whole import
	// (nothing is written) instead of being skipped and reported.
	AbortOnError bool
	// Now is the clock for the CSV default FileDate. Default time.Now.
	Now func() time.Time
}

// DefaultMemberIDFrom is the default Opts.MemberIDFrom.
var DefaultMemberIDFrom = []string{"NM109:ZZ", "REF:0F"}

// ImportResult is what one import did. Every record is counted exactly
// once: Records = Added + Changed + Termed + Reinstated + Unchanged + the
// Errors that have Record > 0 (834) or Line > 0 (CSV); members termed for
// absence from a snapshot are counted in AbsentTermed, not Records.
type ImportResult struct {
	// ImportID is the roster_imports row (the existing one when Duplicate).
	ImportID int64
	// SHA256 is the digest of the content.
	SHA256 string
	// Format is store.RosterCSV or store.Roster834.
	Format string
	// Duplicate reports that this content was imported before; nothing was
	// written and the counts are zero.
	Duplicate bool
	// Records is the number of member records read (CSV data rows, 834
	// INS loops).
	Records int
	// Added, Changed, Termed, Reinstated and Unchanged count records by
	// outcome.
	Added, Changed, Termed, Reinstated, Unchanged int
	// Snapshot reports that the file is a full snapshot (an 834 that
	// says so, a CSV imported with FullReplace). With Opts.FullReplace,
	// AbsentTermed is how many absent members it termed, and
	// AbsentSkipped reports that the terming was skipped because rows
	// were refused.
	Snapshot      bool
	AbsentTermed  int
	AbsentSkipped bool
	// FileDate is the as-of date used (CCYYMMDD).
	FileDate string
	// Errors are the refused records and other problems, in file order.
	Errors []RowError
}

// errDuplicate rolls back an import whose digest turns out to be recorded.
var errDuplicate = errors.New("roster: duplicate import")

// parseFunc reads one roster format and applies it through imp.
type parseFunc func(ctx context.Context, imp *importer, r io.Reader) error

// importer holds the state of one import transaction.
type importer struct {
	tx     *store.Tx
	opts   Opts
	res    *ImportResult
	source string
	seen   map[int64]struct{}      // member rows the file lists
	keys   map[store.MemberKey]int // keys listed, for duplicate detection
	tpas   map[string]struct{}     // TPAs named by the file's rows
	// snapshot is set by the parser when the file declares itself a full
	// snapshot (834) or FullReplace is set (CSV).
	snapshot bool
}

// fail records a refused row; with AbortOnError it returns it as the
// import's error.
func (imp *importer) fail(e RowError) error {
	imp.res.Errors = append(imp.res.Errors, e)
	if imp.opts.AbortOnError {
		return &e
	}
	return nil
}

// touch marks a member row as listed by the file.
func (imp *importer) touch(m *store.Member) {
	imp.seen[m.ID] = struct{}{}
	imp.tpas[m.TPA] = struct{}{}
}

// count adds one record outcome to the result.
func (imp *importer) count(c store.MemberChange) {
	switch c {
	case store.MemberAdded:
		imp.res.Added++
	case store.MemberChanged:
		imp.res.Changed++
	default:
		imp.res.Unchanged++
	}
}

// termAbsent terms, per TPA named by the file, the members the file did
// not list whose coverage is open on the file date.
func (imp *importer) termAbsent(ctx context.Context) error {
	if len(imp.res.Errors) > 0 {
		imp.res.AbsentSkipped = true
		return nil
	}
	date := imp.res.FileDate
	for tpa := range imp.tpas {
		if tpa == "" {
			continue
		}
		var after int64
		for {
			ms, err := imp.tx.ListMembers(ctx, store.MemberFilter{TPA: tpa, ActiveOn: date, AfterID: after, Limit: 1000})
			if err != nil {
				return err
			}
			if len(ms) == 0 {
				break
			}
			for i := range ms {
				m := &ms[i]
				after = m.ID
				if _, ok := imp.seen[m.ID]; ok || m.CoverageEnd == date {
					continue
				}
				changed, err := imp.tx.TermMember(ctx, m.Key(), date)
				if err != nil {
					return err
				}
				if changed {
					imp.res.AbsentTermed++
				}
			}
		}
	}
	return nil
}

// runImport runs parse over r in one transaction and records the import,
// rolling everything back when the content was imported before.
func runImport(ctx context.Context, st *store.Store, r io.Reader, opts Opts, format string, parse parseFunc) (ImportResult, error) {
	res := ImportResult{Format: format}
	if st == nil {
		return res, fmt.Errorf("%w: nil store", ErrBadOpts)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Source == "" {
		opts.Source = format
	}
	if opts.FileDate != "" && !validDate(opts.FileDate) {
		return res, fmt.Errorf("%w: FileDate must be CCYYMMDD", ErrBadOpts)
	}
	if opts.SHA256 != "" {
		sum := strings.ToLower(opts.SHA256)
		if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
			return res, fmt.Errorf("%w: SHA256 must be 64 hex digits", ErrBadOpts)
		}
		opts.SHA256 = sum
	} else if rs, ok := r.(io.ReadSeeker); ok {
		// A file: hash it first so that a duplicate costs one read, not a
		// whole import rolled back.
		sum, err := hashSeeker(rs)
		if err != nil {
			return res, fmt.Errorf("roster: hash input: %w", err)
		}
		opts.SHA256 = sum
	}
	if opts.SHA256 != "" {
		prev, err := st.GetRosterImport(ctx, opts.SHA256)
		if err == nil {
			return ImportResult{Format: format, ImportID: prev.ID, SHA256: prev.SHA256, Duplicate: true}, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return res, fmt.Errorf("roster: %w", err)
		}
	}

	h := sha256.New()
	tee := io.TeeReader(r, h)
	err := st.InTx(ctx, func(tx *store.Tx) error {
		res = ImportResult{Format: format, FileDate: opts.FileDate}
		imp := &importer{
			tx: tx, opts: opts, res: &res, source: opts.Source,
			seen: map[int64]struct{}{}, keys: map[store.MemberKey]int{}, tpas: map[string]struct{}{},
		}
		if err := parse(ctx, imp, tee); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, tee); err != nil {
			return fmt.Errorf("roster: read input: %w", err)
		}
		res.SHA256 = hex.EncodeToString(h.Sum(nil))
		res.Snapshot = imp.snapshot
		if opts.SHA256 != "" && res.SHA256 != opts.SHA256 {
			return ErrChecksumMismatch
		}
		if imp.snapshot && opts.FullReplace && res.FileDate != "" {
			if err := imp.termAbsent(ctx); err != nil {
				return err
			}
		}
		rec, created, err := tx.RecordRosterImport(ctx, store.RosterImport{
			Source: opts.Source, SHA256: res.SHA256, Format: format,
			Added: res.Added, Changed: res.Changed, Termed: res.Termed + res.AbsentTermed,
			Reinstated: res.Reinstated, Unchanged: res.Unchanged, Errors: len(res.Errors),
		})
		if err != nil {
			return err
		}
		if !created {
			res = ImportResult{Format: format, ImportID: rec.ID, SHA256: rec.SHA256, Duplicate: true}
			return errDuplicate
		}
		res.ImportID = rec.ID
		return tx.Audit(ctx, store.AuditEntry{
			Actor: "roster", Action: "roster.import", Entity: "roster_import",
			EntityID: strconv.FormatInt(rec.ID, 10),
			Detail: fmt.Sprintf(`{"format":%q,"sha256":%q,"records":%d,"added":%d,"changed":%d,"termed":%d,"reinstated":%d,"unchanged":%d,"absent_termed":%d,"errors":%d}`,
				format, res.SHA256, res.Records, res.Added, res.Changed, res.Termed, res.Reinstated, res.Unchanged, res.AbsentTermed, len(res.Errors)),
		})
	})
	if errors.Is(err, errDuplicate) {
		return res, nil
	}
	if err != nil {
		failed := ImportResult{Format: format, Errors: res.Errors}
		return failed, err
	}
	if res.Added+res.Changed > 1000 {
		// A bulk load: without fresh statistics (autovacuum off or behind)
		// PostgreSQL plans roster lookups as scans of the whole table.
		if err := st.AnalyzeMembers(ctx); err != nil {
			return res, fmt.Errorf("roster: %w", err)
		}
	}
	return res, nil
}

// hashSeeker returns the hex SHA-256 of rs from its current offset and
// seeks back there.
func hashSeeker(rs io.ReadSeeker) (string, error) {
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, rs); err != nil {
		return "", err
	}
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// validDate reports whether d is a real calendar date written CCYYMMDD.
func validDate(d string) bool {
	if len(d) != 8 {
		return false
	}
	_, err := time.Parse("20060102", d)
	return err == nil
}

// dayBefore returns the CCYYMMDD day before d (a valid date).
func dayBefore(d string) string {
	t, err := time.Parse("20060102", d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, -1).Format("20060102")
}
