package synth

// A deliberately small, independent X12 reader for the tests: it splits on
// the delimiters found in the ISA and checks envelopes, HL links and claim
// arithmetic without using any other package of the project.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type liteSeg struct {
	raw string   // segment text without terminator
	el  []string // el[0] is the tag
}

type liteLine struct {
	cents  int64
	hasDTP bool
	dos    string
}

type liteClaim struct {
	setCtl, groupCtl string
	billingNPI       string
	id               string
	chargeCents      int64
	clm05            []string
	refF8            string
	hasSBR           bool
	sbr03            string
	memberID         string
	last, first, dob string
	gender           string
	dependent        bool
	patFirst, patDOB string
	payerID          string
	indivNPIs        []string // NM1*82 / NM1*71 with XX
	has434           bool
	stmt             string // DTP*434 value
	lines            []liteLine
	body             []string // raw segments of 2000B..2400, HL excluded
}

type liteFile struct {
	segments int
	groups   int
	sets     int
	claims   []*liteClaim
}

var rNumber = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[0-9]?[1-9])?$`)

// parseCents parses an X12 R amount written the way the generator promises
// (no trailing zeros, no superfluous decimal point).
func parseCents(t *testing.T, s string) int64 {
	t.Helper()
	if !rNumber.MatchString(s) {
		t.Errorf("amount %q is not a canonical R number", s)
		return 0
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f
}

// luhnNPI checks an NPI the long way: Luhn over "80840" + all ten digits.
func luhnNPI(npi string) bool {
	if len(npi) != 10 {
		return false
	}
	s := "80840" + npi
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func el(s liteSeg, i int) string {
	if i < len(s.el) {
		return s.el[i]
	}
	return ""
}

// liteParse splits data and checks the envelope, counts and HL structure,
// reporting every problem through t.Errorf. It returns the claims found.
func liteParse(t *testing.T, data []byte) *liteFile {
	t.Helper()
	errorf := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
	}
	if len(data) < 106 || string(data[:3]) != "ISA" {
		t.Fatalf("no ISA at start")
	}
	sep, term, comp := data[3], data[105], data[104]
	if sep != '*' || term != '~' || comp != ':' || data[82] != '^' {
		errorf("delimiters %q %q %q %q, want * ~ : ^", sep, term, comp, data[82])
	}
	for _, off := range []int{6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103} {
		if data[off] != sep {
			errorf("ISA byte %d is %q, want element separator", off, data[off])
		}
	}
	var segs []liteSeg
	for _, raw := range strings.Split(string(data), string(term)) {
		raw = strings.TrimLeft(raw, "\r\n")
		if raw == "" {
			continue
		}
		segs = append(segs, liteSeg{raw: raw, el: strings.Split(raw, string(sep))})
	}
	f := &liteFile{segments: len(segs)}
	isa13 := el(segs[0], 13)
	last := segs[len(segs)-1]
	if last.el[0] != "IEA" {
		t.Fatalf("last segment %q, want IEA", last.raw)
	}

	var (
		gsCtl, gsVersion string
		gsSeen           = map[string]bool{}
		stSeen           = map[string]bool{}
		setsInGroup      int
		stCtl            string
		stStart          int
		hlLevel          map[string]string
		hlChild          map[string]string
		hlHasKids        map[string]bool
		nextHL           int
		billingNPI       string
		cur              *liteClaim
		lineIdx          = -1
		inClaim          bool // after CLM
	)
	for i, s := range segs {
		tag := s.el[0]
		for _, e := range s.el {
			if strings.ContainsAny(e, "~^\n") && tag != "ISA" {
				errorf("segment %d %q: element contains a delimiter", i, s.raw)
			}
		}
		if strings.HasSuffix(s.raw, string(sep)) {
			errorf("segment %d %q has a trailing empty element", i, s.raw)
		}
		switch tag {
		case "ISA":
			if i != 0 {
				errorf("ISA at segment %d", i)
			}
			continue
		case "IEA":
			if el(s, 1) != strconv.Itoa(f.groups) {
				errorf("IEA01 %s, want %d groups", el(s, 1), f.groups)
			}
			if el(s, 2) != isa13 {
				errorf("IEA02 %s != ISA13 %s", el(s, 2), isa13)
			}
			continue
		case "GS":
			f.groups++
			gsCtl, gsVersion = el(s, 6), el(s, 8)
			if gsSeen[gsCtl] {
				errorf("GS06 %s reused", gsCtl)
			}
			gsSeen[gsCtl] = true
			setsInGroup = 0
			continue
		case "GE":
			if el(s, 1) != strconv.Itoa(setsInGroup) {
				errorf("GE01 %s, want %d", el(s, 1), setsInGroup)
			}
			if el(s, 2) != gsCtl {
				errorf("GE02 %s != GS06 %s", el(s, 2), gsCtl)
			}
			continue
		case "ST":
			f.sets++
			setsInGroup++
			stCtl, stStart = el(s, 2), i
			if stSeen[stCtl] {
				errorf("ST02 %s reused", stCtl)
			}
			stSeen[stCtl] = true
			if el(s, 3) != gsVersion {
				errorf("ST03 %s != GS08 %s", el(s, 3), gsVersion)
			}
			hlLevel, hlChild, hlHasKids = map[string]string{}, map[string]string{}, map[string]bool{}
			nextHL = 1
			cur, inClaim = nil, false
			continue
		case "SE":
			if want := strconv.Itoa(i - stStart + 1); el(s, 1) != want {
				errorf("SE01 %s, want %s (set %s)", el(s, 1), want, stCtl)
			}
			if el(s, 2) != stCtl {
				errorf("SE02 %s != ST02 %s", el(s, 2), stCtl)
			}
			for id, flag := range hlChild {
				if want := map[bool]string{true: "1", false: "0"}[hlHasKids[id]]; flag != want {
					errorf("set %s HL %s: HL04 %s, want %s", stCtl, id, flag, want)
				}
			}
			cur = nil
			continue
		case "HL":
			id, parent, level := el(s, 1), el(s, 2), el(s, 3)
			if id != strconv.Itoa(nextHL) {
				errorf("set %s: HL01 %s, want %d", stCtl, id, nextHL)
			}
			nextHL++
			wantParent := map[string]string{"20": "", "22": "20", "23": "22"}[level]
			if parent == "" {
				if wantParent != "" || level != "20" {
					errorf("set %s: HL %s level %s without parent", stCtl, id, level)
				}
			} else if hlLevel[parent] != wantParent {
				errorf("set %s: HL %s level %s has parent %s of level %q", stCtl, id, level, parent, hlLevel[parent])
			} else {
				hlHasKids[parent] = true
			}
			hlLevel[id], hlChild[id] = level, el(s, 4)
			switch level {
			case "20":
				cur, inClaim = nil, false
			case "22":
				cur = &liteClaim{setCtl: stCtl, groupCtl: gsCtl, billingNPI: billingNPI}
				f.claims = append(f.claims, cur)
				lineIdx, inClaim = -1, false
			case "23":
				if cur == nil {
					errorf("HL 23 outside a subscriber")
				} else {
					cur.dependent = true
				}
			}
			continue
		}
		if s.el[0] == "NM1" && el(s, 1) == "85" {
			billingNPI = el(s, 9)
		}
		if cur == nil {
			continue
		}
		cur.body = append(cur.body, s.raw)
		switch {
		case tag == "SBR":
			cur.hasSBR, cur.sbr03 = true, el(s, 3)
		case tag == "NM1" && el(s, 1) == "IL":
			cur.last, cur.first, cur.memberID = el(s, 3), el(s, 4), el(s, 9)
			if el(s, 8) != "MI" {
				errorf("NM1*IL without MI: %q", s.raw)
			}
		case tag == "NM1" && el(s, 1) == "QC":
			cur.patFirst = el(s, 4)
		case tag == "DMG":
			if cur.dependent {
				cur.patDOB = el(s, 2)
			} else {
				cur.dob, cur.gender = el(s, 2), el(s, 3)
			}
		case tag == "NM1" && el(s, 1) == "PR":
			cur.payerID = el(s, 9)
		case tag == "CLM":
			if inClaim {
				errorf("second CLM in one 2000B")
			}
			inClaim = true
			cur.id = el(s, 1)
			cur.chargeCents = parseCents(t, el(s, 2))
			cur.clm05 = strings.Split(el(s, 5), string(comp))
		case tag == "REF" && el(s, 1) == "F8":
			cur.refF8 = el(s, 2)
		case tag == "DTP" && el(s, 1) == "434":
			cur.has434, cur.stmt = true, el(s, 3)
		case tag == "NM1" && (el(s, 1) == "82" || el(s, 1) == "71"):
			if el(s, 8) != "XX" {
				errorf("individual provider without XX: %q", s.raw)
			}
			cur.indivNPIs = append(cur.indivNPIs, el(s, 9))
		case tag == "LX":
			lineIdx++
			if el(s, 1) != strconv.Itoa(lineIdx+1) {
				errorf("claim %s: LX01 %s, want %d", cur.id, el(s, 1), lineIdx+1)
			}
			cur.lines = append(cur.lines, liteLine{})
		case tag == "SV1":
			cur.lines[lineIdx].cents = parseCents(t, el(s, 2))
		case tag == "SV2":
			cur.lines[lineIdx].cents = parseCents(t, el(s, 3))
		case tag == "DTP" && el(s, 1) == "472":
			cur.lines[lineIdx].hasDTP, cur.lines[lineIdx].dos = true, el(s, 3)
		}
	}
	return f
}

// bodyKey is the claim's loop content without HL segments.
func (c *liteClaim) bodyKey() string { return strings.Join(c.body, "~") }

func (c *liteClaim) lineSum() int64 {
	var s int64
	for _, l := range c.lines {
		s += l.cents
	}
	return s
}

// detectDefects reports every deliberate-defect symptom the claim shows.
func detectDefects(c *liteClaim, kind Kind) []Defect {
	var ds []Defect
	if c.chargeCents != c.lineSum() {
		ds = append(ds, DefectChargeMismatch)
	}
	missing := false
	if kind == Professional {
		for _, l := range c.lines {
			missing = missing || !l.hasDTP
		}
	} else {
		missing = !c.has434
	}
	if missing {
		ds = append(ds, DefectMissingServiceDate)
	}
	bad := !luhnNPI(c.billingNPI)
	for _, n := range c.indivNPIs {
		bad = bad || !luhnNPI(n)
	}
	if bad {
		ds = append(ds, DefectBadNPI)
	}
	if len(c.clm05) != 3 || !strings.Contains("178", c.clm05[2]) || len(c.clm05[2]) != 1 {
		ds = append(ds, DefectBadFrequency)
	}
	if !c.hasSBR {
		ds = append(ds, DefectMissingSBR)
	}
	return ds
}

func (c *liteClaim) String() string { return fmt.Sprintf("claim %s (set %s)", c.id, c.setCtl) }
