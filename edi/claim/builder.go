package claim

import (
	"fmt"
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
}

// handle processes one event.
func (b *builder) handle(e schema.Event) error {
	seg := e.Seg
	if seg == nil {
		return nil
	}
	id := seg.Tag()
	switch id {
	case "ISA", "GS", "GE", "IEA":
		return nil
	case "ST":
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
			s = seg.Clone()
		}
		n, created := b.tree.place(s, e.Loop, e.NewLoop, e.Unplaced)
		if !created {
			n = nil
		}
		seg = s
		b.apply(e, seg, id, n)
	} else {
		b.apply(e, seg, id, nil)
	}
	b.lastEnd = seg.Offset + int64(len(seg.Raw()))
	if !seg.Unterminated() {
		b.lastEnd++
	}
	if id == "SE" && !e.Unplaced {
		return b.finishTx()
	}
	return nil
}

// isClaimBoundary reports whether e ends the claim being built: the next
// 2300, any HL level, or the end of the transaction set.
func isClaimBoundary(e schema.Event, id string) bool {
	if id == "SE" || e.Loop == "TRAILER" {
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
	if b.keep {
		b.tree = newTree()
		b.tx.root = b.tree.root
	}
	b.bp, b.sub, b.pat, b.clm, b.line = nil, nil, nil, nil, nil
	b.resetTargets()
	b.tx.Kind = b.kind
	if b.tx.Kind == "" {
		b.tx.Kind = KindOf(st.String(3))
	}
}

func (b *builder) finishTx() error {
	tx := b.tx
	b.tx, b.tree = nil, nil
	b.bp, b.sub, b.pat, b.clm, b.line = nil, nil, nil, nil, nil
	if b.onTx != nil && tx != nil {
		return b.onTx(tx)
	}
	return nil
}

func (b *builder) finishClaim(end int64) error {
	c := b.clm
	b.clm, b.line = nil, nil
	b.resetTargets()
	c.end = end
	if b.onClaim == nil {
		return nil
	}
	ctx := &ClaimContext{
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

func (b *builder) resetTargets() {
	b.prov, b.person, b.payer, b.payTo = nil, nil, nil, nil
	b.other, b.adj = -1, -1
}

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
func (b *builder) cents(s *x12.Segment, i int) int64 {
	v := s.Element(i)
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
func (b *builder) optCents(s *x12.Segment, i int, comp int) *int64 {
	var v []byte
	if comp > 0 {
		v = s.Component(i, comp)
	} else {
		v = s.Element(i)
	}
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

func comp(s *x12.Segment, i, j int) string { return string(s.Component(i, j)) }

// apply fills the typed model from one segment. n is the loop node created
// for the segment (transaction mode, trigger segments only).
func (b *builder) apply(e schema.Event, s *x12.Segment, id string, n *node) {
	if e.Unplaced {
		return
	}
	loop := e.Loop
	switch {
	case loop == "HEADER":
		b.header(s, id)
	case loop == "1000A":
		b.party(&b.tx.Submitter, s, id)
	case loop == "1000B":
		b.party(&b.tx.Receiver, s, id)
	case loop == "2000A":
		b.billingLevel(s, id, n)
	case loop == "2010AA":
		b.billingName(s, id)
	case loop == "2010AB" || loop == "2010AC":
		b.payToLoop(loop, s, id)
	case loop == "2000B":
		b.subscriberLevel(s, id, n)
	case loop == "2010BA":
		if b.sub != nil {
			b.personSeg(&b.sub.Member, s, id)
		}
	case loop == "2010BB":
		if b.sub != nil {
			b.payerSeg(&b.sub.Payer, s, id)
		}
	case loop == "2000C":
		b.patientLevel(s, id, n)
	case loop == "2010CA":
		if b.pat != nil {
			b.personSeg(&b.pat.Person, s, id)
		}
	case loop == "2300":
		b.claimSeg(s, id, n)
	case strings.HasPrefix(loop, "2310"):
		if b.clm != nil {
			b.providerSeg(&b.clm.Providers, loop, s, id)
		}
	case loop == "2320":
		b.otherSubscriberSeg(s, id)
	case strings.HasPrefix(loop, "2330"):
		b.otherPayerLoop(loop, s, id)
	case loop == "2400":
		b.lineSeg(s, id, n)
	case loop == "2410":
		b.drugSeg(s, id)
	case strings.HasPrefix(loop, "2420"):
		if b.line != nil {
			b.providerSeg(&b.line.Providers, loop, s, id)
		}
	case loop == "2430":
		b.adjudicationSeg(s, id)
	}
}

func (b *builder) header(s *x12.Segment, id string) {
	switch id {
	case "ST":
		b.tx.ControlNumber = s.String(2)
		b.tx.Version = s.String(3)
	case "BHT":
		b.tx.Purpose = s.String(2)
		b.tx.Reference = s.String(3)
		b.tx.Date = s.String(4)
		b.tx.Time = s.String(5)
		b.tx.Type = s.String(6)
	}
}

func (b *builder) party(p *Party, s *x12.Segment, id string) {
	switch id {
	case "NM1":
		p.Entity = entityOf(s)
	case "PER":
		p.Contacts = append(p.Contacts, contactOf(s))
	}
}

func (b *builder) billingLevel(s *x12.Segment, id string, n *node) {
	switch id {
	case "HL":
		b.bp = &BillingProvider{HLID: s.String(1), node: n}
		b.sub, b.pat = nil, nil
		if b.keep {
			b.tx.BillingProviders = append(b.tx.BillingProviders, b.bp)
		}
	case "PRV":
		if b.bp != nil {
			b.bp.Taxonomy = s.String(3)
		}
	case "CUR":
		if b.bp != nil {
			b.bp.Currency = s.String(2)
		}
	}
}

func (b *builder) billingName(s *x12.Segment, id string) {
	bp := b.bp
	if bp == nil {
		return
	}
	switch id {
	case "NM1":
		bp.Entity = entityOf(s)
		if bp.IDQualifier == "XX" {
			bp.NPI = bp.ID
		}
	case "N3":
		setN3(&bp.Address, s)
	case "N4":
		setN4(&bp.Address, s)
	case "REF":
		r := refOf(s)
		switch r.Qualifier {
		case "EI":
			bp.TIN = r.Value
		case "SY":
			bp.SSN = r.Value
		default:
			bp.Refs = append(bp.Refs, r)
		}
	case "PER":
		bp.Contacts = append(bp.Contacts, contactOf(s))
	}
}

func (b *builder) payToLoop(loop string, s *x12.Segment, id string) {
	if b.bp == nil {
		return
	}
	if id == "NM1" {
		p := &PayTo{Entity: entityOf(s)}
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
	case "N3":
		setN3(&p.Address, s)
	case "N4":
		setN4(&p.Address, s)
	case "REF":
		p.Refs = append(p.Refs, refOf(s))
	}
}

func (b *builder) subscriberLevel(s *x12.Segment, id string, n *node) {
	switch id {
	case "HL":
		b.sub = &Subscriber{HLID: s.String(1), node: n}
		b.pat = nil
		if b.keep && b.bp != nil {
			b.bp.Subscribers = append(b.bp.Subscribers, b.sub)
		}
	case "SBR":
		if b.sub == nil {
			return
		}
		b.sub.PayerResponsibility = s.String(1)
		b.sub.Relationship = s.String(2)
		b.sub.GroupNumber = s.String(3)
		b.sub.GroupName = s.String(4)
		b.sub.InsuranceType = s.String(5)
		b.sub.ClaimFilingIndicator = s.String(9)
	}
}

func (b *builder) patientLevel(s *x12.Segment, id string, n *node) {
	switch id {
	case "HL":
		b.pat = &Patient{HLID: s.String(1), node: n}
		if b.keep && b.sub != nil {
			b.sub.Patients = append(b.sub.Patients, b.pat)
		}
	case "PAT":
		if b.pat != nil {
			b.pat.Relationship = s.String(1)
		}
	}
}

func (b *builder) personSeg(p *Person, s *x12.Segment, id string) {
	switch id {
	case "NM1":
		p.Entity = entityOf(s)
	case "N3":
		setN3(&p.Address, s)
	case "N4":
		setN4(&p.Address, s)
	case "DMG":
		p.BirthDate = s.String(2)
		p.Gender = s.String(3)
	case "REF":
		p.Refs = append(p.Refs, refOf(s))
	case "PER":
		p.Contacts = append(p.Contacts, contactOf(s))
	}
}

func (b *builder) payerSeg(p *Payer, s *x12.Segment, id string) {
	switch id {
	case "NM1":
		p.Entity = entityOf(s)
		p.ID = strings.Trim(p.ID, " ")
	case "N3":
		setN3(&p.Address, s)
	case "N4":
		setN4(&p.Address, s)
	case "REF":
		p.Refs = append(p.Refs, refOf(s))
	}
}

func (b *builder) claimSeg(s *x12.Segment, id string, n *node) {
	if id == "CLM" {
		b.startClaim(s, n)
		return
	}
	c := b.clm
	if c == nil {
		return
	}
	switch id {
	case "DTP":
		d := dateOf(s)
		c.Dates = append(c.Dates, d)
		switch d.Qualifier {
		case "434":
			c.StatementFrom, c.StatementTo = d.From(), d.To()
		case "435":
			c.Admission = d.Value
		case "096":
			c.Discharge = d.Value
		}
	case "CL1":
		c.AdmissionType = s.String(1)
		c.AdmissionSource = s.String(2)
		c.PatientStatus = s.String(3)
	case "AMT":
		c.Amounts = append(c.Amounts, Amount{Qualifier: s.String(1), Cents: b.cents(s, 2)})
	case "REF":
		c.Refs = append(c.Refs, refOf(s))
	case "NTE":
		c.Notes = append(c.Notes, Note{Code: s.String(1), Text: s.String(2)})
	case "HI":
		b.healthCodes(s)
	case "HCP":
		c.Pricing = b.pricing(s)
	}
}

func (b *builder) startClaim(s *x12.Segment, n *node) {
	c := &Claim{
		Kind:  b.tx.Kind,
		tx:    b.tx,
		bp:    b.bp,
		sub:   b.sub,
		pat:   b.pat,
		node:  n,
		start: s.Offset,
	}
	b.clm, b.line = c, nil
	b.resetTargets()
	if n != nil {
		n.claim = c
	}
	if b.keep {
		switch {
		case b.pat != nil:
			b.pat.Claims = append(b.pat.Claims, c)
		case b.sub != nil:
			b.sub.Claims = append(b.sub.Claims, c)
		}
	}
	c.PatientControlNumber = s.String(1)
	c.TotalCharge = b.cents(s, 2)
	c.FacilityCode = comp(s, 5, 1)
	c.FacilityQualifier = comp(s, 5, 2)
	c.FrequencyCode = comp(s, 5, 3)
	c.ProviderSignature = s.String(6)
	c.Assignment = s.String(7)
	c.BenefitsAssigned = s.String(8)
	c.ReleaseOfInfo = s.String(9)
	c.PatientSignatureSource = s.String(10)
	for j := 1; j <= 3; j++ {
		if v := s.Component(11, j); len(v) > 0 {
			c.RelatedCauses = append(c.RelatedCauses, string(v))
		}
	}
	c.AccidentState = comp(s, 11, 4)
	c.AccidentCountry = comp(s, 11, 5)
	c.SpecialProgram = s.String(12)
	c.DelayReason = s.String(20)
}

func (b *builder) healthCodes(s *x12.Segment) {
	c := b.clm
	for i := 1; i <= s.Len(); i++ {
		if len(s.Element(i)) == 0 {
			continue
		}
		h := HealthCode{
			Qualifier:  comp(s, i, 1),
			Code:       comp(s, i, 2),
			DateFormat: comp(s, i, 3),
			Date:       comp(s, i, 4),
			Amount:     b.optCents(s, i, 5),
			POA:        comp(s, i, 9),
		}
		c.Codes = append(c.Codes, h)
	}
}

// pricing decodes an HCP segment.
func (b *builder) pricing(s *x12.Segment) *Pricing {
	p := &Pricing{
		Method:              s.String(1),
		Allowed:             b.cents(s, 2),
		Savings:             b.optCents(s, 3, 0),
		OrgID:               s.String(4),
		Rate:                b.optCents(s, 5, 0),
		ApprovedGroup:       s.String(6),
		ApprovedGroupAmount: b.optCents(s, 7, 0),
		ApprovedRevenueCode: s.String(8),
		ProcedureQualifier:  s.String(9),
		ProcedureCode:       s.String(10),
		UnitBasis:           s.String(11),
		RejectReason:        s.String(13),
		PolicyCompliance:    s.String(14),
		Exception:           s.String(15),
	}
	if len(s.Element(12)) > 0 {
		u := b.milli(s, 12)
		p.Units = &u
	}
	return p
}

// providerSeg fills a provider loop (2310x, 2420x): NM1 starts a new
// provider in *list, the loop's other segments fill the last one.
func (b *builder) providerSeg(list *[]Provider, loop string, s *x12.Segment, id string) {
	if id == "NM1" {
		*list = append(*list, providerOf(loop, s))
		b.prov = &(*list)[len(*list)-1]
		return
	}
	p := b.prov
	if p == nil || p.Loop != loop {
		return
	}
	switch id {
	case "PRV":
		p.Taxonomy = s.String(3)
	case "N3":
		setN3(&p.Address, s)
	case "N4":
		setN4(&p.Address, s)
	case "REF":
		p.Refs = append(p.Refs, refOf(s))
	}
}

func providerOf(loop string, s *x12.Segment) Provider {
	p := Provider{Loop: loop, Entity: entityOf(s)}
	p.Role = roleOf(p.Code)
	if p.IDQualifier == "XX" {
		p.NPI = p.ID
	}
	return p
}

// roles maps NM101 entity identifier codes to provider roles.
var roles = map[string]string{
	"DN": "referring",
	"P3": "primary_care",
	"82": "rendering",
	"77": "service_facility",
	"DQ": "supervising",
	"DK": "ordering",
	"QB": "purchased_service",
	"PW": "ambulance_pickup",
	"45": "ambulance_dropoff",
	"71": "attending",
	"72": "operating",
	"ZZ": "other_operating",
	"85": "billing",
}

func roleOf(code string) string {
	if r, ok := roles[code]; ok {
		return r
	}
	return "other"
}

func (b *builder) otherSubscriberSeg(s *x12.Segment, id string) {
	c := b.clm
	if c == nil {
		return
	}
	if id == "SBR" {
		c.OtherSubscribers = append(c.OtherSubscribers, OtherSubscriber{
			PayerResponsibility:  s.String(1),
			Relationship:         s.String(2),
			GroupNumber:          s.String(3),
			GroupName:            s.String(4),
			InsuranceType:        s.String(5),
			ClaimFilingIndicator: s.String(9),
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
	case "CAS":
		o.Adjustments = b.adjustments(o.Adjustments, s)
	case "AMT":
		o.Amounts = append(o.Amounts, Amount{Qualifier: s.String(1), Cents: b.cents(s, 2)})
	}
}

func (b *builder) otherPayerLoop(loop string, s *x12.Segment, id string) {
	c := b.clm
	if c == nil || b.other < 0 {
		return
	}
	o := &c.OtherSubscribers[b.other]
	if id == "NM1" {
		b.prov, b.person, b.payer = nil, nil, nil
		switch loop {
		case "2330A":
			o.Subscriber = &Person{Entity: entityOf(s)}
			b.person = o.Subscriber
		case "2330B":
			o.Payer = &Payer{Entity: entityOf(s)}
			o.Payer.ID = strings.Trim(o.Payer.ID, " ")
			b.payer = o.Payer
		default:
			o.Providers = append(o.Providers, providerOf(loop, s))
			b.prov = &o.Providers[len(o.Providers)-1]
		}
		return
	}
	switch {
	case b.person != nil:
		b.personSeg(b.person, s, id)
	case b.payer != nil:
		if id == "DTP" && s.String(1) == "573" {
			o.PaidDate = s.String(3)
			return
		}
		b.payerSeg(b.payer, s, id)
	case b.prov != nil && id == "REF":
		b.prov.Refs = append(b.prov.Refs, refOf(s))
	}
}

// adjustments appends the reason/amount/quantity triplets of a CAS segment.
func (b *builder) adjustments(list []Adjustment, s *x12.Segment) []Adjustment {
	group := s.String(1)
	for i := 2; i <= s.Len(); i += 3 {
		reason := s.String(i)
		if reason == "" {
			continue
		}
		list = append(list, Adjustment{
			Group:  group,
			Reason: reason,
			Cents:  b.cents(s, i+1),
			Units:  b.milli(s, i+2),
		})
	}
	return list
}

func (b *builder) lineSeg(s *x12.Segment, id string, n *node) {
	c := b.clm
	if c == nil {
		return
	}
	if id == "LX" {
		l := &Line{claim: c, node: n}
		c.Lines = append(c.Lines, l)
		b.line = l
		b.prov, b.adj = nil, -1
		if v := s.Element(1); len(v) > 0 {
			num, err := strconv.Atoi(string(v))
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
	case "SV1":
		b.professionalService(l, s)
	case "SV2":
		b.institutionalService(l, s)
	case "DTP":
		d := dateOf(s)
		l.Dates = append(l.Dates, d)
		if d.Qualifier == "472" && l.ServiceFrom == "" {
			l.ServiceFrom, l.ServiceTo = d.From(), d.To()
		}
	case "REF":
		r := refOf(s)
		l.Refs = append(l.Refs, r)
		if r.Qualifier == "6R" && l.ControlNumber == "" {
			l.ControlNumber = r.Value
		}
	case "AMT":
		l.Amounts = append(l.Amounts, Amount{Qualifier: s.String(1), Cents: b.cents(s, 2)})
	case "NTE":
		l.Notes = append(l.Notes, Note{Code: s.String(1), Text: s.String(2)})
	case "HCP":
		l.Pricing = b.pricing(s)
	}
}

// procedure decodes a composite medical procedure identifier (C003).
func procedure(s *x12.Segment, i int) (qual, code string, mods []string, desc string) {
	qual = comp(s, i, 1)
	code = comp(s, i, 2)
	for j := 3; j <= 6; j++ {
		if m := s.Component(i, j); len(m) > 0 {
			mods = append(mods, string(m))
		}
	}
	desc = comp(s, i, 7)
	return qual, code, mods, desc
}

func (b *builder) professionalService(l *Line, s *x12.Segment) {
	if b.clm.Kind == "" {
		b.clm.Kind = Professional
	}
	l.ProcedureQualifier, l.ProcedureCode, l.Modifiers, l.Description = procedure(s, 1)
	l.Charge = b.cents(s, 2)
	l.UnitBasis = s.String(3)
	l.Units = b.milli(s, 4)
	l.PlaceOfService = s.String(5)
	for j, p := range s.Components(7) {
		if len(p) == 0 {
			continue
		}
		v, err := strconv.Atoi(string(p))
		if err != nil {
			b.problem(s, 7, fmt.Errorf("component %d: %w", j, x12.ErrBadNumber))
			continue
		}
		l.DiagnosisPointers = append(l.DiagnosisPointers, v)
	}
	l.Emergency = s.String(9)
}

func (b *builder) institutionalService(l *Line, s *x12.Segment) {
	if b.clm.Kind == "" {
		b.clm.Kind = Institutional
	}
	l.RevenueCode = s.String(1)
	l.ProcedureQualifier, l.ProcedureCode, l.Modifiers, l.Description = procedure(s, 2)
	l.Charge = b.cents(s, 3)
	l.UnitBasis = s.String(4)
	l.Units = b.milli(s, 5)
	l.NonCoveredCharge = b.cents(s, 7)
}

func (b *builder) drugSeg(s *x12.Segment, id string) {
	l := b.line
	if l == nil {
		return
	}
	if id == "LIN" {
		l.Drug = &Drug{Qualifier: s.String(2), NDC: s.String(3)}
		return
	}
	d := l.Drug
	if d == nil {
		return
	}
	switch id {
	case "CTP":
		d.Units = b.milli(s, 4)
		d.UnitBasis = comp(s, 5, 1)
	case "REF":
		d.Refs = append(d.Refs, refOf(s))
	}
}

func (b *builder) adjudicationSeg(s *x12.Segment, id string) {
	l := b.line
	if l == nil {
		return
	}
	if id == "SVD" {
		a := Adjudication{
			PayerID:     strings.Trim(s.String(1), " "),
			Paid:        b.cents(s, 2),
			RevenueCode: s.String(4),
			PaidUnits:   b.milli(s, 5),
			BundledLine: s.String(6),
		}
		a.ProcedureQualifier, a.ProcedureCode, a.Modifiers, _ = procedure(s, 3)
		l.Adjudications = append(l.Adjudications, a)
		b.adj = len(l.Adjudications) - 1
		return
	}
	if b.adj < 0 || b.adj >= len(l.Adjudications) {
		return
	}
	a := &l.Adjudications[b.adj]
	switch id {
	case "CAS":
		a.Adjustments = b.adjustments(a.Adjustments, s)
	case "DTP":
		if s.String(1) == "573" {
			a.PaidDate = s.String(3)
		}
	case "AMT":
		if s.String(1) == "EAF" {
			a.RemainingLiability = b.optCents(s, 2, 0)
		}
	}
}

func entityOf(s *x12.Segment) Entity {
	return Entity{
		Code:        s.String(1),
		Type:        s.String(2),
		Name:        s.String(3),
		First:       s.String(4),
		Middle:      s.String(5),
		Suffix:      s.String(7),
		IDQualifier: s.String(8),
		ID:          s.String(9),
	}
}

func setN3(a **Address, s *x12.Segment) {
	if *a == nil {
		*a = &Address{}
	}
	(*a).Line1 = s.String(1)
	(*a).Line2 = s.String(2)
}

func setN4(a **Address, s *x12.Segment) {
	if *a == nil {
		*a = &Address{}
	}
	(*a).City = s.String(1)
	(*a).State = s.String(2)
	(*a).Zip = s.String(3)
	(*a).Country = s.String(4)
	(*a).CountrySubdivision = s.String(7)
}

func contactOf(s *x12.Segment) Contact {
	c := Contact{Function: s.String(1), Name: s.String(2)}
	for i := 3; i+1 <= 8; i += 2 {
		q, v := s.String(i), s.String(i+1)
		if q != "" || v != "" {
			c.Numbers = append(c.Numbers, Number{Qualifier: q, Value: v})
		}
	}
	return c
}

func refOf(s *x12.Segment) Ref { return Ref{Qualifier: s.String(1), Value: s.String(2)} }

func dateOf(s *x12.Segment) Date {
	return Date{Qualifier: s.String(1), Format: s.String(2), Value: s.String(3)}
}
