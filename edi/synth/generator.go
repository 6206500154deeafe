package synth

import (
	"math/rand/v2"
	"strconv"
)

// provRun is how many consecutive claim positions share a billing provider
// (before replacements, voids and duplicates, which keep their original's).
const provRun = 6

// pickWindow bounds how far back a replacement, void or duplicate looks for
// its original.
const pickWindow = 10000

type provider struct {
	name     string
	npi      [10]byte
	tin      [9]byte
	street   string
	city     *city
	zip      [9]byte
	taxonomy string
}

type clinician struct {
	last, first string
	npi         [10]byte
	badNPI      [10]byte // npi with the check digit plus one, for DefectBadNPI
	taxonomy    string
}

type group struct {
	number string
	plan   string
	filing string
	tpa    string
}

type payer struct {
	id, name string
}

// member is one roster entry, regenerated from its index whenever needed.
type member struct {
	last, first string
	gender      byte
	dob         int // days since 1970-01-01
	house       int
	street      string
	city        *city
	zip         [9]byte
	group       int
	covStart    int
	covEnd      int

	depFirst  string
	depGender byte
	depDOB    int
	depRel    string // PAT01: "19" child or "01" spouse
}

type line struct {
	proc  *procedure
	mod   string
	cents int64
	units int
	dos   int
	days  bool // SV204 = DA (room and board) instead of UN
}

type category uint8

const (
	catOriginal category = iota
	catReplacement
	catVoid
	catDuplicate
	catInvalid
)

// claim is the reusable working record for one claim.
type claim struct {
	class     Class
	defect    Defect
	idPos     int // position whose number forms CLM01
	refPos    int // original's position, or -1
	freq      byte
	member    int
	provider  int
	payer     int
	dependent bool
	rendering int // 837P 2310B clinician index, or -1
	attending int // 837I 2310A clinician index
	badNPI    bool
	noSBR     bool
	noDate    bool
	inpatient bool
	from      int
	through   int
	admitHour int
	dischHour int
	admType   string
	admSource string
	dx        [3]string
	ndx       int
	lines     []line
	total     int64 // sum of line charges
	totalAdj  int64 // added to CLM02 by DefectChargeMismatch
}

type generator struct {
	cfg     Config
	inst    bool
	key     uint64
	catKey  uint64
	provKey uint64
	tag     uint64
	today   int

	t7, t8, tdup, tinv float64

	pcg *rand.PCG
	rng *rand.Rand

	providers  []provider
	clinicians []clinician
	groups     []group
	payers     []payer

	invalidSeen int
}

// newGenerator builds the fixed tables for a normalized config. Its memory
// depends on ProviderCount only, never on Claims.
func newGenerator(cfg Config) *generator {
	g := &generator{cfg: cfg, inst: cfg.Kind == Institutional}
	g.key = seedKey(cfg.Seed)
	g.catKey = mix64(g.key ^ domCategory)
	g.provKey = mix64(g.key ^ domProviderRun)
	g.tag = mix64(g.key^domTag) % 10000
	y, m, d := cfg.Date.Date()
	g.today = daysFromCivil(y, int(m), d)
	g.t7 = cfg.Freq7
	g.t8 = g.t7 + cfg.Freq8
	g.tdup = g.t8 + cfg.Dup
	g.tinv = g.tdup + cfg.Invalid
	g.pcg = rand.NewPCG(0, 0)
	g.rng = rand.New(g.pcg)

	g.reseed(domSetup, 0)
	r := g.rng
	g.groups = make([]group, 40)
	for i := range g.groups {
		gp := groupPlans[r.IntN(len(groupPlans))]
		g.groups[i] = group{
			number: "GRP" + strconv.Itoa(10000+i*211+r.IntN(200)),
			plan:   gp.plan,
			filing: gp.filing,
			tpa:    tpas[r.IntN(len(tpas))],
		}
	}
	g.providers = make([]provider, cfg.ProviderCount)
	g.clinicians = make([]clinician, cfg.ProviderCount*4)
	for i := range g.providers {
		p := &g.providers[i]
		p.city = &cities[r.IntN(len(cities))]
		if g.inst {
			p.name = p.city.name + " " + instOrgSuffixes[r.IntN(len(instOrgSuffixes))]
			p.taxonomy = instBillingTaxonomy
		} else {
			t := r.IntN(len(profBillingTaxonomies))
			p.name = p.city.name + " " + profOrgSuffixes[t]
			p.taxonomy = profBillingTaxonomies[t]
		}
		p.name += " " + strconv.Itoa(i+1)
		g.randomNPI(&p.npi, byte('1'+r.IntN(2)))
		p.tin[0] = byte('1' + r.IntN(9))
		for j := 1; j < len(p.tin); j++ {
			p.tin[j] = byte('0' + r.IntN(10))
		}
		p.street = strconv.Itoa(100+r.IntN(9900)) + " " + streets[r.IntN(len(streets))]
		g.randomZip(p.zip[:], p.city)
		for j := 0; j < 4; j++ {
			c := &g.clinicians[i*4+j]
			c.last = lastNames[r.IntN(len(lastNames))]
			if r.IntN(2) == 0 {
				c.first = femaleNames[r.IntN(len(femaleNames))]
			} else {
				c.first = maleNames[r.IntN(len(maleNames))]
			}
			g.randomNPI(&c.npi, '1')
			c.badNPI = c.npi
			c.badNPI[9] = '0' + (c.npi[9]-'0'+1)%10
			c.taxonomy = clinicianTaxonomies[r.IntN(len(clinicianTaxonomies))]
		}
	}
	g.payers = make([]payer, len(cfg.PayerIDs))
	for i, id := range cfg.PayerIDs {
		name, ok := knownPayerNames[id]
		if !ok {
			name = payerNameDefault
		}
		g.payers[i] = payer{id: id, name: name}
	}
	return g
}

// reseed points the shared PCG at the stream for (domain, n).
func (g *generator) reseed(domain uint64, n int) {
	g.pcg.Seed(mix64(g.key^domain), mix64(uint64(n)))
}

func (g *generator) randomNPI(npi *[10]byte, first byte) {
	npi[0] = first
	for j := 1; j < 9; j++ {
		npi[j] = byte('0' + g.rng.IntN(10))
	}
	npi[9] = npiCheckDigit(npi[:9])
}

func (g *generator) randomZip(zip []byte, c *city) {
	z := uint64((c.zipLo+g.rng.IntN(c.zipHi-c.zipLo+1))*100 + g.rng.IntN(100))
	appendPad(zip[:0], z, 5)
	appendPad(zip[5:5], uint64(g.rng.IntN(10000)), 4)
}

func (g *generator) newClaim() *claim {
	return &claim{lines: make([]line, 0, g.cfg.LinesMax)}
}

// category is the hash-based class draw for position k. It depends on
// (Seed, k) only, so any position can be tested for originality later.
func (g *generator) category(k int) category {
	u := float64(mix64(g.catKey^mix64(uint64(k)))>>11) * 0x1p-53
	switch {
	case u < g.t7:
		return catReplacement
	case u < g.t8:
		return catVoid
	case u < g.tdup:
		return catDuplicate
	case u < g.tinv:
		return catInvalid
	}
	return catOriginal
}

// pickOriginal chooses an earlier position whose category is original.
func (g *generator) pickOriginal(k int) (int, bool) {
	if k == 0 {
		return 0, false
	}
	lo := max(0, k-pickWindow)
	g.reseed(domPick, k)
	for try := 0; try < 32; try++ {
		j := lo + g.rng.IntN(k-lo)
		if g.category(j) == catOriginal {
			return j, true
		}
	}
	for j := k - 1; j >= lo; j-- {
		if g.category(j) == catOriginal {
			return j, true
		}
	}
	return 0, false
}

// next fills c with the claim at position k. Calls must run k = 0, 1, 2, ...
// in order because the defect rotation counts invalid claims.
func (g *generator) next(k int, c *claim) {
	cat := g.category(k)
	var j int
	if cat == catReplacement || cat == catVoid || cat == catDuplicate {
		var ok bool
		if j, ok = g.pickOriginal(k); !ok {
			cat = catOriginal // nothing to refer to yet: demote
		}
	}
	switch cat {
	case catOriginal:
		g.base(c, k)
		c.class = ClassOriginal
	case catInvalid:
		g.base(c, k)
		c.class = ClassInvalid
		c.defect = Defect(1 + g.invalidSeen%NumDefects)
		g.invalidSeen++
		g.applyDefect(c)
	case catDuplicate:
		g.base(c, j)
		c.class = ClassDuplicate
		c.refPos = j
	case catVoid:
		g.base(c, j)
		c.class = ClassVoid
		c.idPos, c.refPos, c.freq = k, j, '8'
	case catReplacement:
		g.base(c, j)
		c.class = ClassReplacement
		c.idPos, c.refPos, c.freq = k, j, '7'
		g.reseed(domReplace, k)
		i := g.rng.IntN(len(c.lines))
		delta := int64(1+g.rng.IntN(20)) * 250
		c.lines[i].cents += delta
		c.total += delta
	}
}

func (g *generator) applyDefect(c *claim) {
	switch c.defect {
	case DefectChargeMismatch:
		c.totalAdj = 100
	case DefectMissingServiceDate:
		c.noDate = true
	case DefectBadNPI:
		c.badNPI = true
		if !g.inst && c.rendering < 0 {
			c.rendering = c.provider * 4
		}
	case DefectBadFrequency:
		c.freq = 'V'
	case DefectMissingSBR:
		c.noSBR = true
	}
}

// base fills c with the content of original position j; CLM01 derives from j.
func (g *generator) base(c *claim, j int) {
	*c = claim{lines: c.lines[:0], idPos: j, refPos: -1, freq: '1', rendering: -1, attending: -1}
	c.provider = int(mix64(g.provKey^mix64(uint64(j/provRun))) % uint64(g.cfg.ProviderCount))
	g.reseed(domClaim, j)
	r := g.rng
	c.member = r.IntN(g.cfg.MemberCount)
	c.payer = c.member % len(g.payers)
	c.dependent = r.IntN(5) == 0
	c.ndx = 1 + r.IntN(len(c.dx))
	for i := 0; i < c.ndx; {
		d := diagnoses[r.IntN(len(diagnoses))]
		if indexOf(c.dx[:i], d) < 0 {
			c.dx[i] = d
			i++
		}
	}
	n := g.cfg.LinesMin + r.IntN(g.cfg.LinesMax-g.cfg.LinesMin+1)
	if !g.inst {
		if r.IntN(10) < 3 {
			c.rendering = c.provider*4 + r.IntN(4)
		}
		from := g.today - 4 - r.IntN(362)
		spread := 1
		if r.IntN(4) == 0 {
			spread = 4
		}
		c.from, c.through = from+spread, from
		for i := 0; i < n; i++ {
			p := &profProcedures[r.IntN(len(profProcedures))]
			l := line{proc: p, units: 1 + r.IntN(p.maxUnits), dos: from + r.IntN(spread)}
			l.cents = price(r, p) * int64(l.units)
			if len(p.mods) > 0 && r.IntN(2) == 0 {
				l.mod = p.mods[r.IntN(len(p.mods))]
			}
			c.from, c.through = min(c.from, l.dos), max(c.through, l.dos)
			c.lines = append(c.lines, l)
			c.total += l.cents
		}
		return
	}
	c.attending = c.provider*4 + r.IntN(4)
	c.inpatient = r.IntN(10) < 3
	start := 0 // outpatient: first possible service date
	if c.inpatient {
		los := 1 + r.IntN(6)
		c.from = g.today - 8 - r.IntN(357)
		c.through = c.from + los
		c.admitHour = 6 + r.IntN(14)
		c.dischHour = 8 + r.IntN(10)
		c.admType = [...]string{"1", "3"}[r.IntN(2)]
		c.admSource = [...]string{"1", "7"}[r.IntN(2)]
		l := line{proc: &roomAndBoard, units: los, days: true}
		l.cents = price(r, &roomAndBoard) * int64(los)
		c.lines = append(c.lines, l)
		c.total += l.cents
		n--
	} else {
		start = g.today - 3 - r.IntN(362)
		c.from, c.through = start+1, start
	}
	for i := 0; i < n; i++ {
		p := &instAncillary[r.IntN(len(instAncillary))]
		l := line{proc: p, units: 1 + r.IntN(p.maxUnits)}
		l.cents = price(r, p) * int64(l.units)
		if len(p.mods) > 0 && r.IntN(2) == 0 {
			l.mod = p.mods[r.IntN(len(p.mods))]
		}
		if !c.inpatient {
			l.dos = start + r.IntN(2)
			c.from, c.through = min(c.from, l.dos), max(c.through, l.dos)
		}
		c.lines = append(c.lines, l)
		c.total += l.cents
	}
}

// price draws a unit price in cents; half are whole dollars and a fifth
// whole dimes, so all three R-number shapes appear.
func price(r *rand.Rand, p *procedure) int64 {
	c := p.minCents + r.Int64N(p.maxCents-p.minCents)
	switch r.IntN(10) {
	case 0, 1, 2, 3, 4:
		c -= c % 100
	case 5, 6:
		c -= c % 10
	}
	return max(c, 100)
}

// member fills mb with roster entry m.
func (g *generator) member(m int, mb *member) {
	g.reseed(domMember, m)
	r := g.rng
	mb.last = lastNames[r.IntN(len(lastNames))]
	if r.IntN(2) == 0 {
		mb.gender, mb.first = 'F', femaleNames[r.IntN(len(femaleNames))]
	} else {
		mb.gender, mb.first = 'M', maleNames[r.IntN(len(maleNames))]
	}
	ageDays := 18*365 + r.IntN(67*365)
	mb.dob = g.today - ageDays
	mb.house = 1 + r.IntN(9999)
	mb.street = streets[r.IntN(len(streets))]
	mb.city = &cities[r.IntN(len(cities))]
	g.randomZip(mb.zip[:], mb.city)
	mb.group = r.IntN(len(g.groups))
	// Coverage starts on the 1st of a month at least 400 days back (so it
	// covers every service date) and ends on the last day of a month after
	// the envelope date.
	y, mo, _ := civilFromDays(g.today - 400 - r.IntN(1460))
	mb.covStart = daysFromCivil(y, mo, 1)
	y, mo, _ = civilFromDays(g.today + 30 + r.IntN(700))
	if mo == 12 {
		y, mo = y+1, 0
	}
	mb.covEnd = daysFromCivil(y, mo+1, 1) - 1
	if r.IntN(2) == 0 {
		mb.depGender, mb.depFirst = 'F', femaleNames[r.IntN(len(femaleNames))]
	} else {
		mb.depGender, mb.depFirst = 'M', maleNames[r.IntN(len(maleNames))]
	}
	if ageYears := ageDays / 365; ageYears >= 36 {
		// child, born before every service date and at least 17 years
		// after the subscriber
		mb.depRel = "19"
		mb.depDOB = g.today - 366 - r.IntN(min(25, ageYears-18)*365)
	} else {
		mb.depRel = "01" // spouse, 18..40
		mb.depDOB = g.today - 18*365 - r.IntN(22*365)
	}
	if mb.depFirst == mb.first { // keep subscriber and patient names distinct
		list := maleNames[:]
		if mb.depGender == 'F' {
			list = femaleNames[:]
		}
		for i, v := range list {
			if v == mb.first {
				mb.depFirst = list[(i+1)%len(list)]
				break
			}
		}
	}
}

// appendClaimID appends CLM01 for position pos: PCN + tag + 9 digits.
func (g *generator) appendClaimID(b []byte, pos int) []byte {
	b = append(b, "PCN"...)
	b = appendPad(b, g.tag, 4)
	return appendPad(b, uint64(pos+1), 9)
}

// appendMemberID appends the member ID for roster index m: SYN + tag + 7 digits.
func (g *generator) appendMemberID(b []byte, m int) []byte {
	b = append(b, "SYN"...)
	b = appendPad(b, g.tag, 4)
	return appendPad(b, uint64(m+1), 7)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
