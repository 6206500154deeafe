package synth

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// Stats summarises one Write.
type Stats struct {
	// Claims is the number of CLM segments written.
	Claims int
	// Transactions, Groups: ST/SE sets and GS/GE groups written.
	Transactions, Groups int
	// Segments counts every segment in the file, ISA and IEA included.
	Segments int
	// Bytes is the number of bytes written to the io.Writer.
	Bytes int64
	// Replacements, Voids, Duplicates and Invalid count claims of
	// ClassReplacement, ClassVoid, ClassDuplicate and ClassInvalid.
	Replacements, Voids, Duplicates, Invalid int
	// Dependents counts claims with a 2000C patient loop.
	Dependents int
}

const (
	bufSize = 256 << 10
	flushAt = bufSize - 16<<10 // a claim's segments are far below 16 KiB each
)

// encoder appends segments into one buffer and flushes it in large writes.
type encoder struct {
	w      io.Writer
	buf    []byte
	pretty bool
	segs   int // segments since ST
	total  int // segments in the file
	bytes  int64
	err    error
}

func (e *encoder) s(v string)   { e.buf = append(e.buf, v...) }
func (e *encoder) b(v byte)     { e.buf = append(e.buf, v) }
func (e *encoder) raw(v []byte) { e.buf = append(e.buf, v...) }
func (e *encoder) n(v int)      { e.buf = strconv.AppendInt(e.buf, int64(v), 10) }
func (e *encoder) amt(c int64)  { e.buf = appendAmount(e.buf, c) }

// end terminates the current segment.
func (e *encoder) end() {
	e.buf = append(e.buf, '~')
	if e.pretty {
		e.buf = append(e.buf, '\n')
	}
	e.segs++
	e.total++
	if len(e.buf) >= flushAt {
		e.flush()
	}
}

func (e *encoder) flush() {
	if e.err == nil && len(e.buf) > 0 {
		n, err := e.w.Write(e.buf)
		e.bytes += int64(n)
		if err != nil {
			e.err = fmt.Errorf("write 837: %w", err)
		}
	}
	e.buf = e.buf[:0]
}

// Write streams a synthetic 837 interchange for cfg to w: one ISA/IEA, GS
// groups of cfg.STPerGS sets, ST sets of cfg.ClaimsPerST claims. Memory use
// does not grow with cfg.Claims. It checks ctx between transaction sets. On
// error the output is truncated and Stats counts what was written.
func Write(ctx context.Context, w io.Writer, cfg Config) (Stats, error) {
	norm, err := cfg.normalized()
	if err != nil {
		return Stats{}, err
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	x := &writer{g: newGenerator(norm), e: encoder{w: w, buf: (*bp)[:0], pretty: norm.Pretty}}
	err = x.run(ctx)
	x.st.Segments = x.e.total
	x.st.Bytes = x.e.bytes
	return x.st, err
}

// bufPool holds output buffers so repeated Writes (benchmarks, load tests)
// do not allocate 256 KiB each.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, bufSize)
	return &b
}}

type writer struct {
	g  *generator
	e  encoder
	st Stats
	c  *claim
	mb member

	hl      int // last HL01 in the open ST
	curProv int // billing provider of the open 2000A, or -1
	provHL  int
	setCtl  int // ST02 of the open set
	date8   [8]byte
	time4   [4]byte

	// dates caches CCYYMMDD for the service-date window [datesLo, today].
	dates   []byte
	datesLo int
}

const dateCacheDays = 400

// d8 appends a day number as CCYYMMDD, from the cache when it can.
func (x *writer) d8(days int) {
	if i := days - x.datesLo; i >= 0 && i <= dateCacheDays {
		x.e.buf = append(x.e.buf, x.dates[i*8:i*8+8]...)
		return
	}
	x.e.buf = appendDate8(x.e.buf, days)
}

func (x *writer) run(ctx context.Context) error {
	g, e, cfg := x.g, &x.e, &x.g.cfg
	x.c = g.newClaim()
	x.datesLo = g.today - dateCacheDays
	x.dates = make([]byte, 0, 8*(dateCacheDays+1))
	for d := x.datesLo; d <= g.today; d++ {
		x.dates = appendDate8(x.dates, d)
	}
	y, mo, d := cfg.Date.Date()
	appendDate8(x.date8[:0], daysFromCivil(y, int(mo), d))
	appendPad(x.time4[:0], uint64(cfg.Date.Hour()), 2)
	appendPad(x.time4[2:2], uint64(cfg.Date.Minute()), 2)

	x.isa()
	groups, sets, setsInGroup, claimsInSet := 0, 0, 0, 0
	for k := 0; k < cfg.Claims; k++ {
		if claimsInSet == cfg.ClaimsPerST {
			x.se()
			claimsInSet = 0
			if setsInGroup == cfg.STPerGS {
				x.ge(groups, setsInGroup)
				setsInGroup = 0
			}
		}
		if claimsInSet == 0 {
			if err := ctx.Err(); err != nil {
				e.flush()
				return fmt.Errorf("write 837: %w", err)
			}
			if e.err != nil {
				return e.err
			}
			if setsInGroup == 0 {
				groups++
				x.gs(groups)
			}
			sets++
			setsInGroup++
			x.stHeader(sets)
		}
		g.next(k, x.c)
		x.claim()
		claimsInSet++
	}
	if claimsInSet > 0 {
		x.se()
		x.ge(groups, setsInGroup)
	}
	e.s("IEA*")
	e.n(groups)
	e.b('*')
	e.buf = appendPad(e.buf, uint64(cfg.ControlNumber), 9)
	e.end()
	e.flush()
	x.st.Groups = groups
	x.st.Transactions = sets
	return e.err
}

func (x *writer) isa() {
	e, cfg := &x.e, &x.g.cfg
	e.s("ISA*00*          *00*          *ZZ*")
	e.s(cfg.Sender)
	for i := len(cfg.Sender); i < 15; i++ {
		e.b(' ')
	}
	e.s("*ZZ*")
	e.s(cfg.Receiver)
	for i := len(cfg.Receiver); i < 15; i++ {
		e.b(' ')
	}
	e.b('*')
	e.raw(x.date8[2:])
	e.b('*')
	e.raw(x.time4[:])
	e.s("*^*00501*")
	e.buf = appendPad(e.buf, uint64(cfg.ControlNumber), 9)
	e.s("*0*")
	e.s(cfg.Usage)
	e.s("*:")
	e.end()
}

func (x *writer) gs(n int) {
	e, cfg := &x.e, &x.g.cfg
	e.s("GS*HC*")
	e.s(cfg.Sender)
	e.b('*')
	e.s(cfg.Receiver)
	e.b('*')
	e.raw(x.date8[:])
	e.b('*')
	e.raw(x.time4[:])
	e.b('*')
	e.n(n)
	e.s("*X*")
	e.s(cfg.Kind.Version())
	e.end()
}

func (x *writer) ge(gsCtl, sets int) {
	e := &x.e
	e.s("GE*")
	e.n(sets)
	e.b('*')
	e.n(gsCtl)
	e.end()
}

func (x *writer) stHeader(n int) {
	e, cfg := &x.e, &x.g.cfg
	x.setCtl = n
	x.hl = 0
	x.curProv = -1
	e.segs = 0
	e.s("ST*837*")
	e.buf = appendPad(e.buf, uint64(n), 4)
	e.b('*')
	e.s(cfg.Kind.Version())
	e.end()
	e.s("BHT*0019*00*")
	e.buf = appendPad(e.buf, uint64(n), 4)
	e.b('*')
	e.raw(x.date8[:])
	e.b('*')
	e.raw(x.time4[:])
	e.s("*CH")
	e.end()
	e.s("NM1*41*2*SYNTHETIC SUBMITTER*****46*")
	e.s(cfg.Sender)
	e.end()
	e.s("PER*IC*EDI DESK*TE*5555550100")
	e.end()
	e.s("NM1*40*2*")
	e.s(cfg.Receiver)
	e.s("*****46*")
	e.s(cfg.Receiver)
	e.end()
}

func (x *writer) se() {
	e := &x.e
	e.s("SE*")
	e.n(e.segs + 1)
	e.b('*')
	e.buf = appendPad(e.buf, uint64(x.setCtl), 4)
	e.end()
}

// claim writes 2000A (when the billing provider changes), 2000B, optional
// 2000C, 2300 and 2400 loops for x.c.
func (x *writer) claim() {
	g, e, c, mb := x.g, &x.e, x.c, &x.mb
	if c.provider != x.curProv {
		p := &g.providers[c.provider]
		x.hl++
		x.provHL = x.hl
		x.curProv = c.provider
		e.s("HL*")
		e.n(x.hl)
		e.s("**20*1")
		e.end()
		e.s("PRV*BI*PXC*")
		e.s(p.taxonomy)
		e.end()
		e.s("NM1*85*2*")
		e.s(p.name)
		e.s("*****XX*")
		e.raw(p.npi[:])
		e.end()
		e.s("N3*")
		e.s(p.street)
		e.end()
		x.n4(p.city, p.zip[:])
		e.s("REF*EI*")
		e.raw(p.tin[:])
		e.end()
	}
	g.member(c.member, mb)
	grp := &g.groups[mb.group]
	x.hl++
	subHL := x.hl
	e.s("HL*")
	e.n(subHL)
	e.b('*')
	e.n(x.provHL)
	if c.dependent {
		e.s("*22*1")
	} else {
		e.s("*22*0")
	}
	e.end()
	if !c.noSBR {
		if c.dependent {
			e.s("SBR*P**")
		} else {
			e.s("SBR*P*18*")
		}
		e.s(grp.number)
		e.s("******")
		e.s(grp.filing)
		e.end()
	}
	e.s("NM1*IL*1*")
	e.s(mb.last)
	e.b('*')
	e.s(mb.first)
	e.s("****MI*")
	e.buf = g.appendMemberID(e.buf, c.member)
	e.end()
	if !c.dependent {
		// 2010BA N3, N4 and DMG are sent only when the subscriber is the patient.
		x.n3(mb.house, mb.street)
		x.n4(mb.city, mb.zip[:])
		x.dmg(mb.dob, mb.gender)
	}
	py := &g.payers[c.payer]
	e.s("NM1*PR*2*")
	e.s(py.name)
	e.s("*****PI*")
	e.s(py.id)
	e.end()
	if c.dependent {
		x.hl++
		e.s("HL*")
		e.n(x.hl)
		e.b('*')
		e.n(subHL)
		e.s("*23*0")
		e.end()
		e.s("PAT*")
		e.s(mb.depRel)
		e.end()
		e.s("NM1*QC*1*")
		e.s(mb.last)
		e.b('*')
		e.s(mb.depFirst)
		e.end()
		x.n3(mb.house, mb.street)
		x.n4(mb.city, mb.zip[:])
		x.dmg(mb.depDOB, mb.depGender)
		x.st.Dependents++
	}

	// 2300
	e.s("CLM*")
	e.buf = g.appendClaimID(e.buf, c.idPos)
	e.b('*')
	e.amt(c.total + c.totalAdj)
	if g.inst {
		if c.inpatient {
			e.s("***11:A:")
		} else {
			e.s("***13:A:")
		}
		e.b(c.freq)
		e.s("**A*Y*Y")
	} else {
		e.s("***11:B:")
		e.b(c.freq)
		e.s("*Y*A*Y*Y")
	}
	e.end()
	if g.inst {
		x.institutional()
	} else {
		x.professional()
	}

	x.st.Claims++
	switch c.class {
	case ClassReplacement:
		x.st.Replacements++
	case ClassVoid:
		x.st.Voids++
	case ClassDuplicate:
		x.st.Duplicates++
	case ClassInvalid:
		x.st.Invalid++
	}
}

func (x *writer) professional() {
	g, e, c := x.g, &x.e, x.c
	x.refF8()
	x.hi("ABK", "ABF")
	if c.rendering >= 0 {
		x.clinician("82", "PE", &g.clinicians[c.rendering])
	}
	for i := range c.lines {
		l := &c.lines[i]
		x.lx(i + 1)
		e.s("SV1*HC:")
		e.s(l.proc.code)
		if l.mod != "" {
			e.b(':')
			e.s(l.mod)
		}
		e.b('*')
		e.amt(l.cents)
		e.s("*UN*")
		e.n(l.units)
		e.s("***1")
		e.end()
		if i == 0 && c.noDate {
			continue
		}
		e.s("DTP*472*D8*")
		x.d8(l.dos)
		e.end()
	}
}

func (x *writer) institutional() {
	g, e, c := x.g, &x.e, x.c
	if c.inpatient {
		e.s("DTP*096*TM*")
		e.buf = appendPad(e.buf, uint64(c.dischHour), 2)
		e.s("00")
		e.end()
	}
	if !c.noDate {
		e.s("DTP*434*RD8*")
		x.d8(c.from)
		e.b('-')
		x.d8(c.through)
		e.end()
	}
	if c.inpatient {
		e.s("DTP*435*DT*")
		x.d8(c.from)
		e.buf = appendPad(e.buf, uint64(c.admitHour), 2)
		e.s("00")
		e.end()
		e.s("CL1*")
		e.s(c.admType)
		e.b('*')
		e.s(c.admSource)
		e.s("*01")
		e.end()
	} else {
		e.s("CL1***01")
		e.end()
	}
	x.refF8()
	e.s("HI*ABK:")
	e.s(c.dx[0])
	e.end()
	if c.inpatient {
		e.s("HI*ABJ:")
		e.s(c.dx[0])
		e.end()
	}
	if c.ndx > 1 {
		e.s("HI")
		for _, d := range c.dx[1:c.ndx] {
			e.s("*ABF:")
			e.s(d)
		}
		e.end()
	}
	x.clinician("71", "AT", &g.clinicians[c.attending])
	for i := range c.lines {
		l := &c.lines[i]
		x.lx(i + 1)
		e.s("SV2*")
		e.s(l.proc.rev)
		e.b('*')
		if l.proc.code != "" {
			e.s("HC:")
			e.s(l.proc.code)
			if l.mod != "" {
				e.b(':')
				e.s(l.mod)
			}
		}
		e.b('*')
		e.amt(l.cents)
		if l.days {
			e.s("*DA*")
		} else {
			e.s("*UN*")
		}
		e.n(l.units)
		e.end()
		if !c.inpatient {
			e.s("DTP*472*D8*")
			x.d8(l.dos)
			e.end()
		}
	}
}

func (x *writer) refF8() {
	if x.c.refPos < 0 || x.c.class == ClassDuplicate {
		return
	}
	x.e.s("REF*F8*")
	if p := x.g.cfg.F8Prefix; p != "" {
		x.e.s(p)
		x.e.buf = appendPad(x.e.buf, uint64(x.c.refPos+1), 12)
	} else {
		x.e.buf = x.g.appendClaimID(x.e.buf, x.c.refPos)
	}
	x.e.end()
}

// hi writes the 837P diagnosis segment: principal first, others after.
func (x *writer) hi(principal, other string) {
	e, c := &x.e, x.c
	e.s("HI*")
	e.s(principal)
	e.b(':')
	e.s(c.dx[0])
	for _, d := range c.dx[1:c.ndx] {
		e.b('*')
		e.s(other)
		e.b(':')
		e.s(d)
	}
	e.end()
}

func (x *writer) clinician(entity, prv string, cl *clinician) {
	e := &x.e
	e.s("NM1*")
	e.s(entity)
	e.s("*1*")
	e.s(cl.last)
	e.b('*')
	e.s(cl.first)
	e.s("****XX*")
	if x.c.badNPI {
		e.raw(cl.badNPI[:])
	} else {
		e.raw(cl.npi[:])
	}
	e.end()
	e.s("PRV*")
	e.s(prv)
	e.s("*PXC*")
	e.s(cl.taxonomy)
	e.end()
}

func (x *writer) lx(n int) {
	x.e.s("LX*")
	x.e.n(n)
	x.e.end()
}

func (x *writer) n3(house int, street string) {
	x.e.s("N3*")
	x.e.n(house)
	x.e.b(' ')
	x.e.s(street)
	x.e.end()
}

func (x *writer) n4(c *city, zip []byte) {
	x.e.s("N4*")
	x.e.s(c.name)
	x.e.b('*')
	x.e.s(c.state)
	x.e.b('*')
	x.e.raw(zip)
	x.e.end()
}

func (x *writer) dmg(dob int, gender byte) {
	x.e.s("DMG*D8*")
	x.d8(dob)
	x.e.b('*')
	x.e.b(gender)
	x.e.end()
}
