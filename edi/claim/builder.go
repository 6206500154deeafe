package claim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// builder turns schema events into the typed model. The streaming Decoder
// uses it with keep == false (nothing is retained once a claim has been
// emitted); the TransactionDecoder with keep == true (every segment is
// cloned into the loop tree and every loop is linked to its parent).
type builder struct {
	kind  string // requested kind; "" detects it from ST03
	keep  bool   // transaction mode
	owned bool   // segments are owned already (replay): do not clone
	// headerOnly decodes the header and the 1000A/1000B loops only: the
	// tree holds every segment, but no claim is decoded (SelectSegments).
	headerOnly bool
	// arena holds the clones of the current transaction's segments (a new
	// one per transaction: they live as long as the decoded transaction).
	arena *x12.Arena

	onClaim func(*ClaimContext) error
	onTx    func(*Transaction) error

	tx      *Transaction
	tree    *tree
	bp      *BillingProvider
	sub     *Subscriber
	pat     *Patient
	clm     *Claim
	line    *Line
	lastEnd int64 // offset just past the last segment seen

	// Targets of the segments that follow an NM1 inside its loop.
	prov   *Provider
	person *Person
	payer  *Payer
	payTo  *PayTo
	other  int // index of the current 2320 in clm.OtherSubscribers, -1 none
	adj    int // index of the current 2430 in line.Adjudications, -1 none

	// Allocation helpers (see arena.go): the string arena and the current
	// segment as a string from it (see val), the line pointers of the claim
	// being built, the date and diagnosis pointer room of its current line,
	// and the addresses of the current hierarchical level.
	strs      strArena
	cur       string
	curOK     bool
	blk       *claimBlock
	nextClaim *claimBlock // the room for the current level's first claim
	subClaims []*Claim    // the room for the current subscriber's list of claims
	patClaims []*Claim    // the room for the current patient's list of claims
	lineList  slab[*Line]
	lineRoom  []lineBlock // the rest of the current claim's last lineChunk
	lineDates slab[Date]
	linePtrs  slab[int]
	lineMods  slab[string]
	addrs     slab[Address]
	// In transaction mode the set's blocks come from slabs shared by its
	// claims (setSlab): lines after a claim's first, subscribers with their
	// first claim, patients with theirs.
	setLines setSlab[lineBlock]
	setSubs  setSlab[subscriberClaimBlock]
	setPats  setSlab[patientBlock]
	// reuse (Decoder.Reuse): the blocks of an emitted claim, and of the
	// levels the input has left, are zeroed and used again (spare).
	reuse         bool
	spareBP       *BillingProvider
	spareSub      *subscriberBlock
	spareSubClaim *subscriberClaimBlock
	sparePat      *patientBlock
	spareClaim    *claimBlock
	spareChunks   []*lineChunk // the extra lines of the current claim take them in order
	chunkNext     int
	spareCodes    []HealthCode
}

// spare returns *p zeroed, allocated the first time: a block reused for
// every claim or level in turn (Decoder.Reuse).
func spare[T any](p **T) *T {
	if *p == nil {
		*p = new(T)
		return *p
	}
	var zero T
	**p = zero
	return *p
}

// Largest slabs of a set's blocks (setSlab): 4 KiB of lines, 8 KiB of
// subscribers or patients with their first claim.
const (
	setLineSlab  = 8
	setLevelSlab = 4
)

// resetSetSlabs starts a set on slabs of its own.
func (b *builder) resetSetSlabs() {
	b.setLines.reset()
	b.setSubs.reset()
	b.setPats.reset()
}

// Segment identifiers as keys (see idKey).
const (
	kAMT uint32 = 3<<24 | 'A'<<16 | 'M'<<8 | 'T'
	kBHT uint32 = 3<<24 | 'B'<<16 | 'H'<<8 | 'T'
	kCAS uint32 = 3<<24 | 'C'<<16 | 'A'<<8 | 'S'
	kCL1 uint32 = 3<<24 | 'C'<<16 | 'L'<<8 | '1'
	kCLM uint32 = 3<<24 | 'C'<<16 | 'L'<<8 | 'M'
	kCTP uint32 = 3<<24 | 'C'<<16 | 'T'<<8 | 'P'
	kCUR uint32 = 3<<24 | 'C'<<16 | 'U'<<8 | 'R'
	kDMG uint32 = 3<<24 | 'D'<<16 | 'M'<<8 | 'G'
	kDTP uint32 = 3<<24 | 'D'<<16 | 'T'<<8 | 'P'
	kGE  uint32 = 2<<24 | 'G'<<8 | 'E'
	kGS  uint32 = 2<<24 | 'G'<<8 | 'S'
	kHCP uint32 = 3<<24 | 'H'<<16 | 'C'<<8 | 'P'
	kHI  uint32 = 2<<24 | 'H'<<8 | 'I'
	kHL  uint32 = 2<<24 | 'H'<<8 | 'L'
	kIEA uint32 = 3<<24 | 'I'<<16 | 'E'<<8 | 'A'
	kISA uint32 = 3<<24 | 'I'<<16 | 'S'<<8 | 'A'
	kLIN uint32 = 3<<24 | 'L'<<16 | 'I'<<8 | 'N'
	kLX  uint32 = 2<<24 | 'L'<<8 | 'X'
	kN3  uint32 = 2<<24 | 'N'<<8 | '3'
	kN4  uint32 = 2<<24 | 'N'<<8 | '4'
	kNM1 uint32 = 3<<24 | 'N'<<16 | 'M'<<8 | '1'
	kNTE uint32 = 3<<24 | 'N'<<16 | 'T'<<8 | 'E'
	kPAT uint32 = 3<<24 | 'P'<<16 | 'A'<<8 | 'T'
	kPER uint32 = 3<<24 | 'P'<<16 | 'E'<<8 | 'R'
	kPRV uint32 = 3<<24 | 'P'<<16 | 'R'<<8 | 'V'
	kREF uint32 = 3<<24 | 'R'<<16 | 'E'<<8 | 'F'
	kSBR uint32 = 3<<24 | 'S'<<16 | 'B'<<8 | 'R'
	kSE  uint32 = 2<<24 | 'S'<<8 | 'E'
	kST  uint32 = 2<<24 | 'S'<<8 | 'T'
	kSV1 uint32 = 3<<24 | 'S'<<16 | 'V'<<8 | '1'
	kSV2 uint32 = 3<<24 | 'S'<<16 | 'V'<<8 | '2'
	kSVD uint32 = 3<<24 | 'S'<<16 | 'V'<<8 | 'D'
)

// handle processes one event.
func (b *builder) handle(e schema.Event) error {
	seg := e.Seg
	if seg == nil {
		return nil
	}
	id := x12.IDKey(seg.ID())
	switch id {
	case kISA, kGS, kGE, kIEA:
		return nil
	case kST:
		if err := b.flush(seg); err != nil {
			return err
		}
		b.startTx(seg)
	}
	if b.tx == nil {
		return nil
	}
	if b.clm != nil && isClaimBoundary(e, id) {
		if err := b.finishClaim(seg.Offset - int64(len(seg.Leading()))); err != nil {
			return err
		}
	}
	if b.keep {
		s := seg
		if !b.owned {
			s = b.arena.Clone(seg)
		}
		n, created := b.tree.place(s, e.Loop, e.NewLoop, e.Unplaced)
		if !created {
			n = nil
		}
		seg = s
		if !b.headerOnly || e.Loop == "HEADER" || e.Loop == "1000A" || e.Loop == "1000B" {
			b.apply(e, seg, id, n)
		}
	} else {
		b.apply(e, seg, id, nil)
	}
	b.lastEnd = seg.Offset + int64(len(seg.Raw()))
	if !seg.Unterminated() {
		b.lastEnd++
	}
	if id == kSE && !e.Unplaced {
		return b.finishTx()
	}
	return nil
}

// isClaimBoundary reports whether e ends the claim being built: the next
// 2300, any HL level, or the end of the transaction set.
func isClaimBoundary(e schema.Event, id uint32) bool {
	if id == kSE || e.Loop == "TRAILER" {
		return true
	}
	if !e.NewLoop {
		return false
	}
	switch e.Loop {
	case "2300", "2000A", "2000B", "2000C":
		return true
	}
	return false
}

// flush finishes a claim and a transaction left open (no SE before the
// next ST or the end of the input). next is the segment that follows, or
// nil at the end of the input.
func (b *builder) flush(next *x12.Segment) error {
	if b.tx == nil {
		return nil
	}
	if b.clm != nil {
		end := b.lastEnd
		if next != nil {
			end = next.Offset - int64(len(next.Leading()))
		}
		if err := b.finishClaim(end); err != nil {
			return err
		}
	}
	return b.finishTx()
}

func (b *builder) startTx(st *x12.Segment) {
	b.tx = &Transaction{}
	b.resetSetSlabs()
	if b.keep {
		b.tree = newTree()
		b.arena = &x12.Arena{}
		b.tx.root = b.tree.root
	}
	b.bp, b.sub, b.pat, b.clm, b.line = nil, nil, nil, nil, nil
	b.dropLevelRoom()
	b.resetTargets()
	b.addrs.reset(nil)
	b.tx.Kind = b.kind
	if b.tx.Kind == "" {
		b.tx.Kind = KindOf(st.String(3))
	}
}

func (b *builder) finishTx() error {
	tx := b.tx
	b.tx, b.tree, b.arena = nil, nil, nil
	b.bp, b.sub, b.pat, b.clm, b.line = nil, nil, nil, nil, nil
	b.dropLevelRoom()
	b.resetSetSlabs()
	b.addrs.reset(nil)
	if b.onTx != nil && tx != nil {
		return b.onTx(tx)
	}
	return nil
}

func (b *builder) finishClaim(end int64) error {
	c := b.clm
	blk := b.blk
	b.clm, b.line, b.blk = nil, nil, nil
	b.resetTargets()
	b.dropSlabs()
	c.end = end
	if b.onClaim == nil {
		return nil
	}
	ctx := &blk.ctx
	*ctx = ClaimContext{
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
	return b.onClaim(ctx)
}

// dropLevelRoom forgets the room of the subscriber or patient level left
// (without pointer stores when there is none).
func (b *builder) dropLevelRoom() {
	if b.nextClaim != nil {
		b.nextClaim = nil
	}
	if b.subClaims != nil {
		b.subClaims = nil
	}
	if b.patClaims != nil {
		b.patClaims = nil
	}
}

// dropSlabs forgets the room of the claim just finished, so the builder
// keeps nothing of an emitted claim.
func (b *builder) dropSlabs() {
	if b.lineRoom != nil {
		b.lineRoom = nil
	}
	b.lineList.drop()
	b.lineDates.drop()
	b.linePtrs.drop()
	b.lineMods.drop()
}

func (b *builder) resetTargets() {
	// Only non-nil pointers are cleared: a pointer store costs a write
	// barrier while the garbage collector marks.
	if b.prov != nil {
		b.prov = nil
	}
	if b.person != nil {
		b.person = nil
	}
	if b.payer != nil {
		b.payer = nil
	}
	if b.payTo != nil {
		b.payTo = nil
	}
	b.other, b.adj = -1, -1
}

// val returns v, which is a sub-slice of s.Raw() (an element, a component
// or a part of one), as a string. The first value of a segment copies the
// whole segment into the string arena; later values of the same segment
// are sub-strings of that copy.
func (b *builder) val(s *x12.Segment, v []byte) string {
	if len(v) <= 1 {
		if len(v) == 0 {
			return ""
		}
		return oneByte[v[0]]
	}
	return b.valSlow(s, v)
}

// valSlow is val for a value of two bytes or more.
func (b *builder) valSlow(s *x12.Segment, v []byte) string {
	raw := s.Raw()
	// v is a part of raw: it shares raw's backing array and its end, so
	// the capacities give its offset (checked, for a value from elsewhere).
	off := cap(raw) - cap(v)
	if off < 0 || off > len(raw)-len(v) || &raw[off] != &v[0] {
		return string(v)
	}
	if !b.curOK {
		b.cur, b.curOK = b.strs.str(raw), true
	}
	return b.cur[off : off+len(v)]
}

// oneByte holds every one-byte string, so one-byte values (common codes
// such as "Y", "1", "P") are returned without a conversion.
var oneByte = func() (t [256]string) {
	for i := range t {
		t[i] = string([]byte{byte(i)})
	}
	return t
}()

// el returns element i of s as a string (Segment.String without an
// allocation per value).
func (b *builder) el(s *x12.Segment, i int) string { return b.val(s, s.Element(i)) }

// problem records a value that could not be decoded, on the current claim
// when there is one.
func (b *builder) problem(s *x12.Segment, elem int, err error) {
	msg := fmt.Sprintf("%s%02d at segment %d: %v", s.Tag(), elem, s.Position, err)
	switch {
	case b.clm != nil && b.line != nil:
		b.clm.Problems = append(b.clm.Problems, fmt.Sprintf("line %d: %s", len(b.clm.Lines), msg))
	case b.clm != nil:
		b.clm.Problems = append(b.clm.Problems, msg)
	default:
		b.tx.Problems = append(b.tx.Problems, msg)
	}
}

// cents parses element i of s as money; an empty element is 0.
func (b *builder) cents(s *x12.Segment, i int) int64 { return b.centsOf(s, i, s.Element(i)) }

// centsOf parses v, element i of s, as money; empty is 0.
func (b *builder) centsOf(s *x12.Segment, i int, v []byte) int64 {
	if len(v) == 0 {
		return 0
	}
	c, err := x12.ParseCents(v)
	if err != nil {
		b.problem(s, i, err)
		return 0
	}
	return c
}

// optCents is cents for an optional amount: nil when the element is empty
// or invalid.
func (b *builder) optCents(s *x12.Segment, i int) *int64 { return b.optCentsOf(s, i, s.Element(i)) }

// optCentsOf is optCents for v, element (or a component of element) i.
func (b *builder) optCentsOf(s *x12.Segment, i int, v []byte) *int64 {
	if len(v) == 0 {
		return nil
	}
	c, err := x12.ParseCents(v)
	if err != nil {
		b.problem(s, i, err)
		return nil
	}
	return &c
}

// milli parses element i of s as a quantity in thousandths; empty is 0.
func (b *builder) milli(s *x12.Segment, i int) int64 {
	v := s.Element(i)
	if len(v) == 0 {
		return 0
	}
	m, err := x12.ParseMilli(v)
	if err != nil {
		b.problem(s, i, err)
		return 0
	}
	return m
}

// atoi parses a decimal integer as strconv.Atoi does.
func atoi(v []byte) (int, error) {
	if n, ok := atoiBytes(v); ok {
		return n, nil
	}
	return strconv.Atoi(string(v))
}

// apply fills the typed model from one segment. n is the loop node created
// for the segment (transaction mode, trigger segments only).
func (b *builder) apply(e schema.Event, s *x12.Segment, id uint32, n *node) {
	if e.Unplaced {
		return
	}
	b.curOK = false
	switch loop := e.Loop; loop {
	case "HEADER":
		b.header(s, id)
	case "1000A":
		b.party(&b.tx.Submitter, s, id)
	case "1000B":
		b.party(&b.tx.Receiver, s, id)
	case "2000A":
		b.billingLevel(s, id, n)
	case "2010AA":
		b.billingName(s, id)
	case "2010AB", "2010AC":
		b.payToLoop(loop, s, id)
	case "2000B":
		b.subscriberLevel(s, id, n)
	case "2010BA":
		if b.sub != nil {
			b.personSeg(&b.sub.Member, s, id)
		}
	case "2010BB":
		if b.sub != nil {
			b.payerSeg(&b.sub.Payer, s, id)
		}
	case "2000C":
		b.patientLevel(s, id, n)
	case "2010CA":
		if b.pat != nil {
			b.personSeg(&b.pat.Person, s, id)
		}
	case "2300":
		b.claimSeg(s, id, n)
	case "2320":
		b.otherSubscriberSeg(s, id)
	case "2400":
		b.lineSeg(s, id, n)
	case "2410":
		b.drugSeg(s, id)
	case "2430":
		b.adjudicationSeg(s, id)
	default:
		switch {
		case strings.HasPrefix(loop, "2310"):
			if b.clm != nil {
				b.providerSeg(&b.clm.Providers, loop, s, id)
			}
		case strings.HasPrefix(loop, "2330"):
			b.otherPayerLoop(loop, s, id)
		case strings.HasPrefix(loop, "2420"):
			if b.line != nil {
				b.providerSeg(&b.line.Providers, loop, s, id)
			}
		}
	}
}

func (b *builder) header(s *x12.Segment, id uint32) {
	switch id {
	case kST:
		b.tx.ControlNumber = b.el(s, 2)
		b.tx.Version = b.el(s, 3)
	case kBHT:
		b.tx.Purpose = b.el(s, 2)
		b.tx.Reference = b.el(s, 3)
		b.tx.Date = b.el(s, 4)
		b.tx.Time = b.el(s, 5)
		b.tx.Type = b.el(s, 6)
	}
}

func (b *builder) party(p *Party, s *x12.Segment, id uint32) {
	switch id {
	case kNM1:
		p.Entity = b.entityOf(s)
	case kPER:
		p.Contacts = append(p.Contacts, b.contactOf(s))
	}
}

func (b *builder) billingLevel(s *x12.Segment, id uint32, n *node) {
	switch id {
	case kHL:
		b.addrs.reset(nil)
		if b.reuse {
			b.bp = spare(&b.spareBP)
			b.bp.HLID, b.bp.node = b.el(s, 1), n
		} else {
			b.bp = &BillingProvider{HLID: b.el(s, 1), node: n}
		}
		b.sub, b.pat = nil, nil
		b.dropLevelRoom()
		if b.keep {
			b.tx.BillingProviders = append(b.tx.BillingProviders, b.bp)
		}
	case kPRV:
		if b.bp != nil {
			b.bp.Taxonomy = b.el(s, 3)
		}
	case kCUR:
		if b.bp != nil {
			b.bp.Currency = b.el(s, 2)
		}
	}
}

func (b *builder) billingName(s *x12.Segment, id uint32) {
	bp := b.bp
	if bp == nil {
		return
	}
	switch id {
	case kNM1:
		bp.Entity = b.entityOf(s)
		if bp.IDQualifier == "XX" {
			bp.NPI = bp.ID
		}
	case kN3:
		b.setN3(&bp.Address, s)
	case kN4:
		b.setN4(&bp.Address, s)
	case kREF:
		r := b.refOf(s)
		switch r.Qualifier {
		case "EI":
			bp.TIN = r.Value
		case "SY":
			bp.SSN = r.Value
		default:
			bp.Refs = append(bp.Refs, r)
		}
	case kPER:
		bp.Contacts = append(bp.Contacts, b.contactOf(s))
	}
}

func (b *builder) payToLoop(loop string, s *x12.Segment, id uint32) {
	if b.bp == nil {
		return
	}
	if id == kNM1 {
		p := &PayTo{Entity: b.entityOf(s)}
		if loop == "2010AB" {
			b.bp.PayTo = p
		} else {
			b.bp.PayToPlan = p
		}
		b.payTo = p
		return
	}
	p := b.payTo
	if p == nil {
		return
	}
	switch id {
	case kN3:
		b.setN3(&p.Address, s)
	case kN4:
		b.setN4(&p.Address, s)
	case kREF:
		p.Refs = append(p.Refs, b.refOf(s))
	}
}

func (b *builder) subscriberLevel(s *x12.Segment, id uint32, n *node) {
	switch id {
	case kHL:
		var blk *subscriberBlock
		b.dropLevelRoom()
		if e := s.Element(4); len(e) == 1 && e[0] == '1' {
			// The claims are its dependents'.
			if b.reuse {
				blk = spare(&b.spareSub)
			} else {
				blk = new(subscriberBlock)
			}
		} else {
			var cb *subscriberClaimBlock
			switch {
			case b.keep:
				cb = b.setSubs.take(setLevelSlab)
			case b.reuse:
				cb = spare(&b.spareSubClaim)
			default:
				cb = new(subscriberClaimBlock)
			}
			blk = &cb.subscriberBlock
			b.subClaims, b.nextClaim = cb.claims[:0:1], &cb.claim
		}
		b.addrs.reset(blk.addr[:])
		b.sub = &blk.sub
		b.sub.HLID, b.sub.node = b.el(s, 1), n
		b.pat = nil
		if b.keep && b.bp != nil {
			b.bp.Subscribers = appendRoom(&b.tx.subs, b.bp.Subscribers, b.sub)
		}
	case kSBR:
		if b.sub == nil {
			return
		}
		b.sub.PayerResponsibility = b.el(s, 1)
		b.sub.Relationship = b.el(s, 2)
		b.sub.GroupNumber = b.el(s, 3)
		b.sub.GroupName = b.el(s, 4)
		b.sub.InsuranceType = b.el(s, 5)
		b.sub.ClaimFilingIndicator = b.el(s, 9)
	}
}

func (b *builder) patientLevel(s *x12.Segment, id uint32, n *node) {
	switch id {
	case kHL:
		var blk *patientBlock
		switch {
		case b.keep:
			blk = b.setPats.take(setLevelSlab)
		case b.reuse:
			blk = spare(&b.sparePat)
		default:
			blk = new(patientBlock)
		}
		b.addrs.reset(blk.addr[:])
		b.pat = &blk.pat
		b.patClaims, b.nextClaim = blk.claims[:0:1], &blk.claim
		b.pat.HLID, b.pat.node = b.el(s, 1), n
		if b.keep && b.sub != nil {
			b.sub.Patients = append(b.sub.Patients, b.pat)
		}
	case kPAT:
		if b.pat != nil {
			b.pat.Relationship = b.el(s, 1)
		}
	}
}

func (b *builder) personSeg(p *Person, s *x12.Segment, id uint32) {
	switch id {
	case kNM1:
		p.Entity = b.entityOf(s)
	case kN3:
		b.setN3(&p.Address, s)
	case kN4:
		b.setN4(&p.Address, s)
	case kDMG:
		p.BirthDate = b.el(s, 2)
		p.Gender = b.el(s, 3)
	case kREF:
		p.Refs = append(p.Refs, b.refOf(s))
	case kPER:
		p.Contacts = append(p.Contacts, b.contactOf(s))
	}
}

func (b *builder) payerSeg(p *Payer, s *x12.Segment, id uint32) {
	switch id {
	case kNM1:
		p.Entity = b.entityOf(s)
		p.ID = strings.Trim(p.ID, " ")
	case kN3:
		b.setN3(&p.Address, s)
	case kN4:
		b.setN4(&p.Address, s)
	case kREF:
		p.Refs = append(p.Refs, b.refOf(s))
	}
}

func (b *builder) claimSeg(s *x12.Segment, id uint32, n *node) {
	if id == kCLM {
		b.startClaim(s, n)
		return
	}
	c := b.clm
	if c == nil {
		return
	}
	switch id {
	case kDTP:
		d := b.dateOf(s)
		c.Dates = append(c.Dates, d)
		switch d.Qualifier {
		case "434":
			c.StatementFrom, c.StatementTo = d.From(), d.To()
		case "435":
			c.Admission = d.Value
		case "096":
			c.Discharge = d.Value
		}
	case kCL1:
		c.AdmissionType = b.el(s, 1)
		c.AdmissionSource = b.el(s, 2)
		c.PatientStatus = b.el(s, 3)
	case kAMT:
		c.Amounts = append(c.Amounts, Amount{Qualifier: b.el(s, 1), Cents: b.cents(s, 2)})
	case kREF:
		c.Refs = append(c.Refs, b.refOf(s))
	case kNTE:
		c.Notes = append(c.Notes, Note{Code: b.el(s, 1), Text: b.el(s, 2)})
	case kHI:
		b.healthCodes(s)
	case kHCP:
		c.Pricing = b.pricing(s)
	}
}

func (b *builder) startClaim(s *x12.Segment, n *node) {
	blk := b.nextClaim
	switch {
	case blk != nil:
		b.nextClaim = nil
	case b.reuse:
		blk = spare(&b.spareClaim)
	default:
		blk = new(claimBlock)
	}
	b.blk = blk
	b.dropSlabs()
	b.chunkNext = 0
	b.lineList.reset(blk.lines[:])
	c := &blk.claim
	c.Kind, c.tx, c.bp, c.sub, c.pat, c.node, c.start = b.tx.Kind, b.tx, b.bp, b.sub, b.pat, n, s.Offset
	b.clm, b.line = c, nil
	b.resetTargets()
	if n != nil {
		n.claim = c
	}
	if b.keep {
		switch {
		case b.pat != nil:
			if len(b.pat.Claims) == 0 && b.patClaims != nil {
				b.pat.Claims, b.patClaims = b.patClaims, nil
			}
			b.pat.Claims = append(b.pat.Claims, c)
		case b.sub != nil:
			if len(b.sub.Claims) == 0 && b.subClaims != nil {
				b.sub.Claims, b.subClaims = b.subClaims, nil
			}
			b.sub.Claims = append(b.sub.Claims, c)
		}
	}
	c.PatientControlNumber = b.el(s, 1)
	c.TotalCharge = b.cents(s, 2)
	sep := s.Delims.Component
	c5 := splitComps(s.Element(5), sep)
	c.FacilityCode = b.val(s, c5[0])
	c.FacilityQualifier = b.val(s, c5[1])
	c.FrequencyCode = b.val(s, c5[2])
	c.ProviderSignature = b.el(s, 6)
	c.Assignment = b.el(s, 7)
	c.BenefitsAssigned = b.el(s, 8)
	c.ReleaseOfInfo = b.el(s, 9)
	c.PatientSignatureSource = b.el(s, 10)
	c11 := splitComps(s.Element(11), sep)
	for _, v := range c11[:3] {
		if len(v) > 0 {
			c.RelatedCauses = append(c.RelatedCauses, b.val(s, v))
		}
	}
	c.AccidentState = b.val(s, c11[3])
	c.AccidentCountry = b.val(s, c11[4])
	c.SpecialProgram = b.el(s, 12)
	c.DelayReason = b.el(s, 20)
}

func (b *builder) healthCodes(s *x12.Segment) {
	c := b.clm
	sep := s.Delims.Component
	n := 0
	for i := 1; i <= s.Len(); i++ {
		if len(s.Element(i)) > 0 {
			n++
		}
	}
	if b.keep && cap(c.Codes)-len(c.Codes) < n {
		// Transaction mode: the claims of a set live and die together,
		// so their codes share blocks.
		c.Codes = append(b.tx.codes.room(len(c.Codes)+n), c.Codes...)
	}
	if b.reuse && c.Codes == nil {
		c.Codes = b.spareCodes[:0] // the last claim's, emitted
	}
	c.Codes = slices.Grow(c.Codes, n)
	if b.reuse {
		b.spareCodes = c.Codes[:0]
	}
	for i := 1; i <= s.Len(); i++ {
		e := s.Element(i)
		if len(e) == 0 {
			continue
		}
		v := splitComps(e, sep)
		h := HealthCode{
			Qualifier:  b.val(s, v[0]),
			Code:       b.val(s, v[1]),
			DateFormat: b.val(s, v[2]),
			Date:       b.val(s, v[3]),
			Amount:     b.optCentsOf(s, i, v[4]),
			POA:        b.val(s, v[8]),
		}
		c.Codes = append(c.Codes, h)
	}
}

// pricing decodes an HCP segment.
func (b *builder) pricing(s *x12.Segment) *Pricing {
	p := &Pricing{
		Method:              b.el(s, 1),
		Allowed:             b.cents(s, 2),
		Savings:             b.optCents(s, 3),
		OrgID:               b.el(s, 4),
		Rate:                b.optCents(s, 5),
		ApprovedGroup:       b.el(s, 6),
		ApprovedGroupAmount: b.optCents(s, 7),
		ApprovedRevenueCode: b.el(s, 8),
		ProcedureQualifier:  b.el(s, 9),
		ProcedureCode:       b.el(s, 10),
		UnitBasis:           b.el(s, 11),
		RejectReason:        b.el(s, 13),
		PolicyCompliance:    b.el(s, 14),
		Exception:           b.el(s, 15),
	}
	if len(s.Element(12)) > 0 {
		u := b.milli(s, 12)
		p.Units = &u
	}
	return p
}

// providerSeg fills a provider loop (2310x, 2420x): NM1 starts a new
// provider in *list, the loop's other segments fill the last one.
func (b *builder) providerSeg(list *[]Provider, loop string, s *x12.Segment, id uint32) {
	if id == kNM1 {
		*list = append(*list, b.providerOf(loop, s))
		b.prov = &(*list)[len(*list)-1]
		return
	}
	p := b.prov
	if p == nil || p.Loop != loop {
		return
	}
	switch id {
	case kPRV:
		p.Taxonomy = b.el(s, 3)
	case kN3:
		b.setN3(&p.Address, s)
	case kN4:
		b.setN4(&p.Address, s)
	case kREF:
		p.Refs = append(p.Refs, b.refOf(s))
	}
}

func (b *builder) providerOf(loop string, s *x12.Segment) Provider {
	p := Provider{Loop: loop, Entity: b.entityOf(s)}
	p.Role = roleOf(p.Code)
	if p.IDQualifier == "XX" {
		p.NPI = p.ID
	}
	return p
}

// roleOf maps an NM101 entity identifier code to a provider role.
func roleOf(code string) string {
	switch code {
	case "DN":
		return "referring"
	case "P3":
		return "primary_care"
	case "82":
		return "rendering"
	case "77":
		return "service_facility"
	case "DQ":
		return "supervising"
	case "DK":
		return "ordering"
	case "QB":
		return "purchased_service"
	case "PW":
		return "ambulance_pickup"
	case "45":
		return "ambulance_dropoff"
	case "71":
		return "attending"
	case "72":
		return "operating"
	case "ZZ":
		return "other_operating"
	case "85":
		return "billing"
	}
	return "other"
}

func (b *builder) otherSubscriberSeg(s *x12.Segment, id uint32) {
	c := b.clm
	if c == nil {
		return
	}
	if id == kSBR {
		c.OtherSubscribers = append(c.OtherSubscribers, OtherSubscriber{
			PayerResponsibility:  b.el(s, 1),
			Relationship:         b.el(s, 2),
			GroupNumber:          b.el(s, 3),
			GroupName:            b.el(s, 4),
			InsuranceType:        b.el(s, 5),
			ClaimFilingIndicator: b.el(s, 9),
		})
		b.other = len(c.OtherSubscribers) - 1
		b.prov, b.person, b.payer = nil, nil, nil
		return
	}
	if b.other < 0 {
		return
	}
	o := &c.OtherSubscribers[b.other]
	switch id {
	case kCAS:
		o.Adjustments = b.adjustments(o.Adjustments, s)
	case kAMT:
		o.Amounts = append(o.Amounts, Amount{Qualifier: b.el(s, 1), Cents: b.cents(s, 2)})
	}
}

func (b *builder) otherPayerLoop(loop string, s *x12.Segment, id uint32) {
	c := b.clm
	if c == nil || b.other < 0 {
		return
	}
	o := &c.OtherSubscribers[b.other]
	if id == kNM1 {
		b.prov, b.person, b.payer = nil, nil, nil
		switch loop {
		case "2330A":
			o.Subscriber = &Person{Entity: b.entityOf(s)}
			b.person = o.Subscriber
		case "2330B":
			o.Payer = &Payer{Entity: b.entityOf(s)}
			o.Payer.ID = strings.Trim(o.Payer.ID, " ")
			b.payer = o.Payer
		default:
			o.Providers = append(o.Providers, b.providerOf(loop, s))
			b.prov = &o.Providers[len(o.Providers)-1]
		}
		return
	}
	switch {
	case b.person != nil:
		b.personSeg(b.person, s, id)
	case b.payer != nil:
		if id == kDTP && string(s.Element(1)) == "573" {
			o.PaidDate = b.el(s, 3)
			return
		}
		b.payerSeg(b.payer, s, id)
	case b.prov != nil && id == kREF:
		b.prov.Refs = append(b.prov.Refs, b.refOf(s))
	}
}

// adjustments appends the reason/amount/quantity triplets of a CAS segment.
func (b *builder) adjustments(list []Adjustment, s *x12.Segment) []Adjustment {
	group := b.el(s, 1)
	for i := 2; i <= s.Len(); i += 3 {
		reason := s.Element(i)
		if len(reason) == 0 {
			continue
		}
		list = append(list, Adjustment{
			Group:  group,
			Reason: b.val(s, reason),
			Cents:  b.cents(s, i+1),
			Units:  b.milli(s, i+2),
		})
	}
	return list
}

func (b *builder) lineSeg(s *x12.Segment, id uint32, n *node) {
	c := b.clm
	if c == nil {
		return
	}
	if id == kLX {
		lb := b.newLine()
		b.lineDates.reset(lb.dates[:])
		b.linePtrs.reset(lb.ptrs[:])
		b.lineMods.reset(lb.mods[:])
		l := &lb.line
		l.claim, l.node = c, n
		c.Lines = b.lineList.add(c.Lines, l)
		b.line = l
		b.prov, b.adj = nil, -1
		if v := s.Element(1); len(v) > 0 {
			num, err := atoi(v)
			if err != nil {
				b.problem(s, 1, x12.ErrBadNumber)
			}
			l.Number = num
		}
		return
	}
	l := b.line
	if l == nil {
		return
	}
	switch id {
	case kSV1:
		b.professionalService(l, s)
	case kSV2:
		b.institutionalService(l, s)
	case kDTP:
		d := b.dateOf(s)
		l.Dates = b.lineDates.add(l.Dates, d)
		if d.Qualifier == "472" && l.ServiceFrom == "" {
			l.ServiceFrom, l.ServiceTo = d.From(), d.To()
		}
	case kREF:
		r := b.refOf(s)
		l.Refs = append(l.Refs, r)
		if r.Qualifier == "6R" && l.ControlNumber == "" {
			l.ControlNumber = r.Value
		}
	case kAMT:
		l.Amounts = append(l.Amounts, Amount{Qualifier: b.el(s, 1), Cents: b.cents(s, 2)})
	case kNTE:
		l.Notes = append(l.Notes, Note{Code: b.el(s, 1), Text: b.el(s, 2)})
	case kHCP:
		l.Pricing = b.pricing(s)
	}
}

// newLine returns the block of a new line of the current claim: its
// claim block's first line, else the next one of a lineChunk of the
// claim's own (in transaction mode, of the set's slab of lines).
func (b *builder) newLine() *lineBlock {
	if blk := b.blk; blk != nil && !blk.used0 {
		blk.used0 = true
		return &blk.line0
	}
	if b.keep {
		return b.setLines.take(setLineSlab)
	}
	if len(b.lineRoom) == 0 {
		var chunk *lineChunk
		if b.reuse {
			if b.chunkNext == len(b.spareChunks) {
				b.spareChunks = append(b.spareChunks, nil)
			}
			chunk = spare(&b.spareChunks[b.chunkNext])
			b.chunkNext++
		} else {
			chunk = new(lineChunk)
		}
		b.lineRoom = chunk[:]
	}
	lb := &b.lineRoom[0]
	b.lineRoom = b.lineRoom[1:]
	return lb
}

// procedure decodes a composite medical procedure identifier (C003). The
// modifiers of a line's own procedure (line true) take the line block's
// room.
func (b *builder) procedure(s *x12.Segment, i int, line bool) (qual, code string, mods []string, desc string) {
	c := splitComps(s.Element(i), s.Delims.Component)
	qual = b.val(s, c[0])
	code = b.val(s, c[1])
	for _, m := range c[2:6] {
		if len(m) > 0 {
			if line {
				mods = b.lineMods.add(mods, b.val(s, m))
			} else {
				mods = append(mods, b.val(s, m))
			}
		}
	}
	desc = b.val(s, c[6])
	return qual, code, mods, desc
}

func (b *builder) professionalService(l *Line, s *x12.Segment) {
	if b.clm.Kind == "" {
		b.clm.Kind = Professional
	}
	l.ProcedureQualifier, l.ProcedureCode, l.Modifiers, l.Description = b.procedure(s, 1, true)
	l.Charge = b.cents(s, 2)
	l.UnitBasis = b.el(s, 3)
	l.Units = b.milli(s, 4)
	l.PlaceOfService = b.el(s, 5)
	if e := s.Element(7); e != nil {
		sep := s.Delims.Component
		for j := 1; ; j++ {
			p := e
			k := indexByte(e, sep)
			if k >= 0 {
				p = e[:k]
			}
			if len(p) > 0 {
				if v, err := atoi(p); err != nil {
					b.problem(s, 7, fmt.Errorf("component %d: %w", j, x12.ErrBadNumber))
				} else {
					l.DiagnosisPointers = b.linePtrs.add(l.DiagnosisPointers, v)
				}
			}
			if k < 0 {
				break
			}
			e = e[k+1:]
		}
	}
	l.Emergency = b.el(s, 9)
}

func (b *builder) institutionalService(l *Line, s *x12.Segment) {
	if b.clm.Kind == "" {
		b.clm.Kind = Institutional
	}
	l.RevenueCode = b.el(s, 1)
	l.ProcedureQualifier, l.ProcedureCode, l.Modifiers, l.Description = b.procedure(s, 2, true)
	l.Charge = b.cents(s, 3)
	l.UnitBasis = b.el(s, 4)
	l.Units = b.milli(s, 5)
	l.NonCoveredCharge = b.cents(s, 7)
}

func (b *builder) drugSeg(s *x12.Segment, id uint32) {
	l := b.line
	if l == nil {
		return
	}
	if id == kLIN {
		l.Drug = &Drug{Qualifier: b.el(s, 2), NDC: b.el(s, 3)}
		return
	}
	d := l.Drug
	if d == nil {
		return
	}
	switch id {
	case kCTP:
		d.Units = b.milli(s, 4)
		d.UnitBasis = b.val(s, s.Component(5, 1))
	case kREF:
		d.Refs = append(d.Refs, b.refOf(s))
	}
}

func (b *builder) adjudicationSeg(s *x12.Segment, id uint32) {
	l := b.line
	if l == nil {
		return
	}
	if id == kSVD {
		a := Adjudication{
			PayerID:     b.val(s, trimSpaces(s.Element(1))),
			Paid:        b.cents(s, 2),
			RevenueCode: b.el(s, 4),
			PaidUnits:   b.milli(s, 5),
			BundledLine: b.el(s, 6),
		}
		a.ProcedureQualifier, a.ProcedureCode, a.Modifiers, _ = b.procedure(s, 3, false)
		l.Adjudications = append(l.Adjudications, a)
		b.adj = len(l.Adjudications) - 1
		return
	}
	if b.adj < 0 || b.adj >= len(l.Adjudications) {
		return
	}
	a := &l.Adjudications[b.adj]
	switch id {
	case kCAS:
		a.Adjustments = b.adjustments(a.Adjustments, s)
	case kDTP:
		if string(s.Element(1)) == "573" {
			a.PaidDate = b.el(s, 3)
		}
	case kAMT:
		if string(s.Element(1)) == "EAF" {
			a.RemainingLiability = b.optCents(s, 2)
		}
	}
}

// trimSpaces removes leading and trailing spaces (strings.Trim(v, " ")).
func trimSpaces(v []byte) []byte {
	for len(v) > 0 && v[0] == ' ' {
		v = v[1:]
	}
	for len(v) > 0 && v[len(v)-1] == ' ' {
		v = v[:len(v)-1]
	}
	return v
}

func (b *builder) entityOf(s *x12.Segment) Entity {
	return Entity{
		Code:        b.el(s, 1),
		Type:        b.el(s, 2),
		Name:        b.el(s, 3),
		First:       b.el(s, 4),
		Middle:      b.el(s, 5),
		Suffix:      b.el(s, 7),
		IDQualifier: b.el(s, 8),
		ID:          b.el(s, 9),
	}
}

// address returns *a, setting it to a new address from the level's block
// when it is nil.
func (b *builder) address(a **Address) *Address {
	if *a == nil {
		if *a = b.addrs.take(); *a == nil {
			*a = &Address{}
		}
	}
	return *a
}

func (b *builder) setN3(a **Address, s *x12.Segment) {
	ad := b.address(a)
	ad.Line1 = b.el(s, 1)
	ad.Line2 = b.el(s, 2)
}

func (b *builder) setN4(a **Address, s *x12.Segment) {
	ad := b.address(a)
	ad.City = b.el(s, 1)
	ad.State = b.el(s, 2)
	ad.Zip = b.el(s, 3)
	ad.Country = b.el(s, 4)
	ad.CountrySubdivision = b.el(s, 7)
}

func (b *builder) contactOf(s *x12.Segment) Contact {
	c := Contact{Function: b.el(s, 1), Name: b.el(s, 2)}
	for i := 3; i+1 <= 8; i += 2 {
		q, v := s.Element(i), s.Element(i+1)
		if len(q) > 0 || len(v) > 0 {
			c.Numbers = append(c.Numbers, Number{Qualifier: b.val(s, q), Value: b.val(s, v)})
		}
	}
	return c
}

func (b *builder) refOf(s *x12.Segment) Ref { return Ref{Qualifier: b.el(s, 1), Value: b.el(s, 2)} }

func (b *builder) dateOf(s *x12.Segment) Date {
	return Date{Qualifier: b.el(s, 1), Format: b.el(s, 2), Value: b.el(s, 3)}
}

// refOf and dateOf decode a segment outside a builder (edits).
func refOf(s *x12.Segment) Ref { return Ref{Qualifier: s.String(1), Value: s.String(2)} }

func dateOf(s *x12.Segment) Date {
	return Date{Qualifier: s.String(1), Format: s.String(2), Value: s.String(3)}
}

// appendRoom appends v to list (of a transaction-mode model) growing it in
// blk: the lists of a set's claims live and die with the set, so they
// share blocks.
func appendRoom[T any](blk *listBlock[T], list []T, v T) []T {
	if len(list) == cap(list) {
		list = append(blk.room(max(2, 2*len(list))), list...)
	}
	return append(list, v)
}
