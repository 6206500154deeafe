package csvsub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// ClaimColumns is the batch claims layout: one row per service line; the
// claim columns (claim_key to place_of_service) repeat on every row of a
// claim and must be equal; the rows of a claim are contiguous.
var ClaimColumns = []string{
	"claim_key", "frequency_code", "original_claim_number",
	"billing_npi", "billing_tin", "billing_name", "billing_address", "billing_city", "billing_state", "billing_zip",
	"payer_id", "payer_name",
	"member_id", "subscriber_last", "subscriber_first", "subscriber_dob", "subscriber_gender",
	"subscriber_address", "subscriber_city", "subscriber_state", "subscriber_zip", "group_number",
	"diagnosis_codes", "place_of_service",
	"service_date", "procedure_code", "modifiers", "charge", "units", "diagnosis_pointers",
}

// Column indexes of ClaimColumns.
const (
	cKey = iota
	cFreq
	cOrig
	cBillNPI
	cBillTIN
	cBillName
	cBillAddr
	cBillCity
	cBillState
	cBillZip
	cPayerID
	cPayerName
	cMemberID
	cSubLast
	cSubFirst
	cSubDOB
	cSubGender
	cSubAddr
	cSubCity
	cSubState
	cSubZip
	cGroup
	cDiag
	cPOS
	cDOS // first line column
	cProc
	cMods
	cCharge
	cUnits
	cPtrs
	nClaimColumns
)

// MaxLines is the most service lines an 837P claim may have.
const MaxLines = 50

// maxClaimsPerSet is how many claims go in one ST..SE set (the 837
// guides recommend at most 5000).
const maxClaimsPerSet = 5000

// maxLineCents caps one line's charge (a typo guard: $9,999,999.99).
const maxLineCents = 999_999_999

// ErrDuplicateKey is returned by a ClaimsOptions.OnClaim callback to
// reject a claim whose key the file used before.
var ErrDuplicateKey = errors.New("csvsub: claim key already used in this file")

// ClaimsOptions configures ConvertClaims.
type ClaimsOptions struct {
	// Sender is ISA05/ISA06 and GS02 of the 837 (the submitting partner,
	// as the engine knows it).
	SenderQualifier, SenderID string
	// Receiver is ISA07/ISA08, GS03 and 1000B (the engine's identity).
	ReceiverQualifier, ReceiverID, ReceiverName string
	// SubmitterName is 1000A NM103; ContactName and the contact number
	// (ContactQualifier TE, EM, ...) 1000A PER.
	SubmitterName, ContactName, ContactQualifier, ContactNumber string
	// Control is ISA13 and GS06 (positive, at most 9 digits).
	Control int64
	// Time is the envelope date and time; dates of service and birth after
	// its day are rejected.
	Time time.Time
	// Usage is ISA15 ("P" or "T"; default "P").
	Usage string
	// OnClaim is called for each claim whose rows are all valid, before it
	// is written, with its key and first and last row; returning
	// ErrDuplicateKey rejects the claim's rows, any other error stops the
	// conversion.
	OnClaim func(key string, first, last int) error
	// OnRowError receives every error of every rejected row, in row order
	// within a claim (rows of a claim are reported when the claim ends).
	// An error stops the conversion.
	OnRowError func(RowError) error
	// Progress, when set, is called with the bytes of input read so far
	// every 4096 rows and at the end.
	Progress func(offset int64)
}

// ClaimsResult counts what ConvertClaims did.
type ClaimsResult struct {
	Rows     int   `json:"rows"`     // CSV records, the header row included
	Accepted int   `json:"accepted"` // rows that went into the 837
	Rejected int   `json:"rejected"`
	Header   bool  `json:"header"` // row 1 was the header row (counted as rejected)
	Claims   int   `json:"claims"` // claims written
	Sets     int   `json:"sets"`   // ST..SE sets written (0: no 837 at all)
	Bytes    int64 `json:"bytes"`  // bytes of 837 written
}

// claimHead is the claim-level part of a claim (from its first row).
type claimHead struct {
	raw                               []string // the claim columns as sent, to compare later rows
	key, freq, orig                   string
	npi, tin, bname, baddr, bcity     string
	bstate, bzip                      string
	payerID, payerName                string
	memberID, last, first, dob, sex   string
	saddr, scity, sstate, szip, group string
	diags                             []string
	pos                               string
}

type claimLine struct {
	row       int
	dos, proc string
	mods      []string
	cents     int64
	units     string
	ptrs      []string
}

type pendingRow struct {
	row  int
	errs []RowError
}

// claimConverter is the state of one ConvertClaims.
type claimConverter struct {
	opts  ClaimsOptions
	today string
	res   ClaimsResult

	// The claim being gathered.
	active bool
	head   claimHead
	lines  []claimLine
	rows   []pendingRow // every row of the claim, in order
	bad    bool
	extra  int // rows beyond MaxLines (reported at once, not kept)
	first  int
	last   int

	w       *x12.Writer
	cw      *countWriter
	started bool
	setN    int // sets started
	inSet   int // claims in the current set
	hl      int // last HL number of the current set
	billHL  int // HL of the current billing provider
	bill    string
}

// ConvertClaims reads the batch claims layout from in and writes the
// valid claims to out as one 837P interchange (nothing at all when no
// claim is valid). Rows are read one at a time and a claim is kept only
// until its last row: memory does not grow with the file.
func ConvertClaims(ctx context.Context, in io.Reader, out io.Writer, opts ClaimsOptions) (ClaimsResult, error) {
	if opts.Control <= 0 || opts.Control > 999_999_999 {
		return ClaimsResult{}, fmt.Errorf("csvsub: control number %d out of range", opts.Control)
	}
	if opts.Usage == "" {
		opts.Usage = "P"
	}
	if opts.ContactQualifier == "" {
		opts.ContactQualifier, opts.ContactNumber = "EM", strings.ToLower(opts.SenderID)+"@csv.invalid"
	}
	if opts.ContactName == "" {
		opts.ContactName = "CSV SUBMISSION"
	}
	if opts.SubmitterName == "" {
		opts.SubmitterName = opts.SenderID
	}
	k := &claimConverter{opts: opts, today: opts.Time.Format("20060102")}
	k.cw = &countWriter{w: out}
	k.w = x12.NewWriter(k.cw, x12.Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: '~'})
	k.w.Suffix = "\n"
	rr, err := newRowReader(in, nClaimColumns)
	if err != nil {
		return k.res, err
	}
	for {
		if k.res.Rows%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return k.res, err
			}
			if opts.Progress != nil && k.res.Rows > 0 {
				opts.Progress(rr.offset)
			}
		}
		rec, row, rerr, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return k.res, fmt.Errorf("csvsub: read row %d: %w", rr.row, err)
		}
		k.res.Rows++
		if rerr != nil {
			if err := k.reject(*rerr); err != nil {
				return k.res, err
			}
			continue
		}
		if row == 1 && isHeader(rec, ClaimColumns[0]) {
			k.res.Header = true
			if err := k.reject(RowError{Row: 1, Code: CodeHeader, Reason: "header row"}); err != nil {
				return k.res, err
			}
			continue
		}
		if err := k.add(rec, row); err != nil {
			return k.res, err
		}
	}
	if err := k.flush(); err != nil {
		return k.res, err
	}
	if k.started {
		k.endSet()
		k.w.Write("GE", itoa(k.setN), itoa(int(opts.Control)))
		ack.WriteIEA(k.w, 1, opts.Control)
		if err := k.w.Flush(); err != nil {
			return k.res, err
		}
	}
	if opts.Progress != nil {
		opts.Progress(rr.offset)
	}
	k.res.Bytes = k.cw.n
	return k.res, k.w.Err()
}

// reject reports a lone rejected row (not part of a claim being kept).
func (k *claimConverter) reject(e RowError) error {
	k.res.Rejected++
	if k.opts.OnRowError != nil {
		return k.opts.OnRowError(e)
	}
	return nil
}

// add takes one data row.
func (k *claimConverter) add(rec []string, row int) error {
	key := rec[cKey]
	if k.active && key != k.head.key {
		if err := k.flush(); err != nil {
			return err
		}
	}
	c := &checker{row: row}
	if !k.active {
		k.start(c, rec, row)
	} else {
		for i := cKey + 1; i < cDOS; i++ {
			if rec[i] != k.head.raw[i] {
				c.fail(ClaimColumns[i], CodeMismatch, fmt.Sprintf("differs from row %d, the first row of the claim", k.first))
			}
		}
	}
	k.last = row
	if len(k.rows) >= MaxLines {
		// Not kept: reported now, and the claim is rejected.
		k.bad = true
		k.extra++
		return k.reject(RowError{Row: row, Column: "", Code: CodeLines, Reason: fmt.Sprintf("claim has more than %d service lines", MaxLines)})
	}
	l := k.line(c, rec, row)
	if len(c.errs) > 0 {
		k.bad = true
	} else {
		k.lines = append(k.lines, l)
	}
	k.rows = append(k.rows, pendingRow{row: row, errs: c.errs})
	return nil
}

// start begins a claim with its first row and checks its claim columns.
func (k *claimConverter) start(c *checker, rec []string, row int) {
	k.active, k.bad, k.extra, k.first = true, false, 0, row
	k.lines, k.rows = k.lines[:0], k.rows[:0]
	h := &k.head
	h.raw = append(h.raw[:0], rec[:cDOS]...)
	h.key = c.ident("claim_key", rec[cKey], true, 20)
	switch h.freq = rec[cFreq]; h.freq {
	case "":
		h.freq = "1"
	case "1", "7", "8":
	default:
		c.fail("frequency_code", CodeCode, "want 1 (original), 7 (replacement) or 8 (void)")
	}
	h.orig = c.ident("original_claim_number", rec[cOrig], h.freq == "7" || h.freq == "8", 50)
	if h.orig != "" && h.freq == "1" {
		c.fail("original_claim_number", CodeFormat, "only with frequency_code 7 or 8")
	}
	h.npi = c.npi("billing_npi", rec[cBillNPI], true)
	h.tin = c.digits("billing_tin", rec[cBillTIN], true, 9)
	h.bname = c.text("billing_name", rec[cBillName], true, 60)
	h.baddr = c.text("billing_address", rec[cBillAddr], true, 55)
	h.bcity = c.text("billing_city", rec[cBillCity], true, 30)
	h.bstate = c.state("billing_state", rec[cBillState], true)
	h.bzip = c.digits("billing_zip", rec[cBillZip], true, 9)
	h.payerID = c.ident("payer_id", rec[cPayerID], true, 80)
	h.payerName = c.text("payer_name", rec[cPayerName], true, 60)
	h.memberID = c.ident("member_id", rec[cMemberID], true, 80)
	h.last = c.text("subscriber_last", rec[cSubLast], true, 60)
	h.first = c.text("subscriber_first", rec[cSubFirst], false, 35)
	h.dob = c.date("subscriber_dob", rec[cSubDOB], true, k.today)
	switch h.sex = strings.ToUpper(rec[cSubGender]); h.sex {
	case "M", "F", "U":
	case "":
		h.sex = "U"
	default:
		c.fail("subscriber_gender", CodeCode, "want M, F or U")
	}
	h.saddr = c.text("subscriber_address", rec[cSubAddr], false, 55)
	h.scity = c.text("subscriber_city", rec[cSubCity], false, 30)
	h.sstate = c.state("subscriber_state", rec[cSubState], false)
	h.szip = c.digits("subscriber_zip", rec[cSubZip], false, 5, 9)
	if (h.saddr != "" || h.scity != "" || h.sstate != "" || h.szip != "") &&
		(rec[cSubAddr] == "" || rec[cSubCity] == "" || rec[cSubState] == "" || rec[cSubZip] == "") {
		c.fail("subscriber_address", CodeRequired, "subscriber address, city, state and zip go together")
	}
	h.group = c.text("group_number", rec[cGroup], false, 50)
	h.diags = h.diags[:0]
	for _, d := range list(rec[cDiag]) {
		d = strings.ToUpper(strings.ReplaceAll(d, ".", ""))
		if !icd10(d) {
			c.fail("diagnosis_codes", CodeCode, "not an ICD-10-CM code (letter, digit, then 1 to 5 letters or digits)")
			break
		}
		h.diags = append(h.diags, d)
	}
	switch n := len(list(rec[cDiag])); {
	case n == 0:
		c.fail("diagnosis_codes", CodeRequired, "required: 1 to 12 codes separated by ';'")
	case n > 12:
		c.fail("diagnosis_codes", CodeFormat, "more than 12 codes")
	}
	h.pos = c.digits("place_of_service", rec[cPOS], true, 2)
}

// line checks the line columns of a row.
func (k *claimConverter) line(c *checker, rec []string, row int) claimLine {
	l := claimLine{row: row}
	l.dos = c.date("service_date", rec[cDOS], true, k.today)
	l.proc = strings.ToUpper(rec[cProc])
	switch {
	case l.proc == "":
		c.fail("procedure_code", CodeRequired, "required")
	case !hcpcs(l.proc):
		c.fail("procedure_code", CodeCode, "not a HCPCS/CPT code (5 letters or digits)")
	}
	for _, m := range list(rec[cMods]) {
		if len(m) != 2 || !isAlnum(m[0]) || !isAlnum(m[1]) {
			c.fail("modifiers", CodeCode, "a modifier is 2 letters or digits")
			break
		}
		l.mods = append(l.mods, strings.ToUpper(m))
	}
	if len(l.mods) > 4 {
		c.fail("modifiers", CodeFormat, "more than 4 modifiers")
	}
	l.cents = c.money("charge", rec[cCharge], maxLineCents)
	switch u := rec[cUnits]; {
	case u == "":
		c.fail("units", CodeRequired, "required")
	default:
		milli, err := x12.ParseMilli([]byte(u))
		if err != nil || milli <= 0 || milli > 99_999_000 || !unitsShape(u) {
			c.fail("units", CodeFormat, "want a positive number of units like 1 or 1.5")
		} else {
			l.units = trimDecimal(u)
		}
	}
	ptrs := list(rec[cPtrs])
	if len(ptrs) == 0 {
		ptrs = []string{"1"}
	}
	if len(ptrs) > 4 {
		c.fail("diagnosis_pointers", CodeFormat, "more than 4 pointers")
	}
	for _, p := range ptrs {
		n := 0
		for i := 0; i < len(p) && i < 3; i++ {
			if isDigit(p[i]) {
				n = n*10 + int(p[i]-'0')
			} else {
				n = -1
				break
			}
		}
		if n < 1 || n > 12 || len(p) > 2 {
			c.fail("diagnosis_pointers", CodeFormat, "a pointer is a number 1 to 12")
			break
		}
		if n > len(k.head.diags) && len(k.head.diags) > 0 {
			c.fail("diagnosis_pointers", CodeCode, fmt.Sprintf("points at diagnosis %d; the claim has %d", n, len(k.head.diags)))
			break
		}
		l.ptrs = append(l.ptrs, itoa(n))
	}
	return l
}

// unitsShape reports whether u is digits with at most one '.' and at
// most three decimals (SV104 is R 1/15).
func unitsShape(u string) bool {
	int, frac, dot := strings.Cut(u, ".")
	if int == "" && frac == "" || len(int) > 8 || dot && (frac == "" || len(frac) > 3) {
		return false
	}
	for _, s := range []string{int, frac} {
		for i := 0; i < len(s); i++ {
			if !isDigit(s[i]) {
				return false
			}
		}
	}
	return true
}

// trimDecimal writes a quantity without leading zeros or trailing
// decimal zeros ("01.50" → "1.5").
func trimDecimal(u string) string {
	int, frac, _ := strings.Cut(u, ".")
	int = strings.TrimLeft(int, "0")
	frac = strings.TrimRight(frac, "0")
	if int == "" {
		int = "0"
	}
	if frac == "" {
		return int
	}
	return int + "." + frac
}

// flush ends the claim being gathered: writes it, or rejects every row.
func (k *claimConverter) flush() error {
	if !k.active {
		return nil
	}
	k.active = false
	if !k.bad && k.opts.OnClaim != nil {
		switch err := k.opts.OnClaim(k.head.key, k.first, k.last); {
		case errors.Is(err, ErrDuplicateKey):
			for _, r := range k.rows {
				if err := k.reject(RowError{Row: r.row, Column: "claim_key", Code: CodeDuplicate,
					Reason: "claim key already used by earlier rows of the file (the rows of a claim must be contiguous)"}); err != nil {
					return err
				}
			}
			return nil
		case err != nil:
			return err
		}
	}
	if k.bad {
		firstBad := 0
		for _, r := range k.rows {
			if len(r.errs) > 0 {
				firstBad = r.row
				break
			}
		}
		for _, r := range k.rows {
			errs := r.errs
			if len(errs) == 0 {
				reason := fmt.Sprintf("row %d of the same claim is rejected", firstBad)
				if firstBad == 0 {
					reason = fmt.Sprintf("the claim has more than %d service lines", MaxLines)
				}
				errs = []RowError{{Row: r.row, Column: "claim_key", Code: CodeClaim, Reason: reason}}
			}
			k.res.Rejected++
			for _, e := range errs {
				if k.opts.OnRowError != nil {
					if err := k.opts.OnRowError(e); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	k.write()
	k.res.Accepted += len(k.rows)
	k.res.Claims++
	return k.w.Err()
}

// write writes the gathered claim as 837P segments.
func (k *claimConverter) write() {
	o := &k.opts
	w := k.w
	if !k.started {
		k.started = true
		ack.WriteISA(w, ack.ISA{SenderQualifier: o.SenderQualifier, SenderID: o.SenderID,
			ReceiverQualifier: o.ReceiverQualifier, ReceiverID: o.ReceiverID,
			Time: o.Time, Control: o.Control, Usage: o.Usage})
		w.Write("GS", "HC", o.SenderID, o.ReceiverID, o.Time.Format("20060102"), o.Time.Format("1504"),
			itoa(int(o.Control)), "X", "005010X222A1")
	}
	if k.inSet == maxClaimsPerSet {
		k.endSet()
	}
	if k.inSet == 0 {
		k.startSet()
	}
	k.inSet++
	h := &k.head
	bill := strings.Join([]string{h.npi, h.tin, h.bname, h.baddr, h.bcity, h.bstate, h.bzip}, "\x00")
	if bill != k.bill {
		k.bill = bill
		k.hl++
		k.billHL = k.hl
		w.Write("HL", itoa(k.hl), "", "20", "1")
		w.Write("NM1", "85", "2", h.bname, "", "", "", "", "XX", h.npi)
		w.Write("N3", h.baddr)
		w.Write("N4", h.bcity, h.bstate, h.bzip)
		w.Write("REF", "EI", h.tin)
	}
	k.hl++
	w.Write("HL", itoa(k.hl), itoa(k.billHL), "22", "0")
	w.Write("SBR", "P", "18", h.group, "", "", "", "", "", "CI")
	w.Write("NM1", "IL", "1", h.last, h.first, "", "", "", "MI", h.memberID)
	if h.saddr != "" {
		w.Write("N3", h.saddr)
		w.Write("N4", h.scity, h.sstate, h.szip)
	}
	w.Write("DMG", "D8", h.dob, h.sex)
	w.Write("NM1", "PR", "2", h.payerName, "", "", "", "", "PI", h.payerID)
	var total int64
	for _, l := range k.lines {
		total += l.cents
	}
	w.Write("CLM", h.key, x12.FormatCents(total), "", "", w.Composite(h.pos, "B", h.freq), "Y", "A", "Y", "Y")
	if h.orig != "" {
		w.Write("REF", "F8", h.orig)
	}
	hi := make([]string, len(h.diags))
	for i, d := range h.diags {
		q := "ABF"
		if i == 0 {
			q = "ABK"
		}
		hi[i] = w.Composite(q, d)
	}
	w.Write("HI", hi...)
	for i, l := range k.lines {
		w.Write("LX", itoa(i+1))
		proc := append([]string{"HC", l.proc}, l.mods...)
		w.Write("SV1", w.Composite(proc...), x12.FormatCents(l.cents), "UN", l.units, "", "", w.Composite(l.ptrs...))
		w.Write("DTP", "472", "D8", l.dos)
	}
}

func (k *claimConverter) startSet() {
	o := &k.opts
	w := k.w
	k.setN++
	k.res.Sets++
	k.hl, k.bill = 0, ""
	w.ResetCount()
	st := fmt.Sprintf("%04d", k.setN)
	w.Write("ST", "837", st, "005010X222A1")
	w.Write("BHT", "0019", "00", fmt.Sprintf("CSV%d-%d", o.Control, k.setN), o.Time.Format("20060102"), o.Time.Format("1504"), "CH")
	w.Write("NM1", "41", "2", o.SubmitterName, "", "", "", "", "46", o.SenderID)
	w.Write("PER", "IC", o.ContactName, o.ContactQualifier, o.ContactNumber)
	w.Write("NM1", "40", "2", o.ReceiverName, "", "", "", "", "46", o.ReceiverID)
}

func (k *claimConverter) endSet() {
	if k.inSet == 0 {
		return
	}
	k.w.Write("SE", itoa(k.w.Count()+1), fmt.Sprintf("%04d", k.setN))
	k.inSet = 0
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
