package schema

// 835 Health Care Claim Payment/Advice, 005010X221A1.
//
//	HEADER   ST BPR TRN CUR REF*EV REF*F2 DTM*405
//	1000A    N1*PR payer  N3 N4 REF(2U EO HI NF) PER*CX PER*BL (1..n) PER*IC
//	1000B    N1*PE payee  N3 N4 REF(0B D3 PQ TJ) RDM
//	2000     LX header number  TS3 TS2
//	  2100   CLP  CAS (0..99)  NM1*QC NM1*IL NM1*74 NM1*82 NM1*TT NM1*PR NM1*GB  MIA MOA
//	         REF (other claim IDs, 0..5)  REF (rendering provider IDs, 0..10)
//	         DTM*232/233 DTM*036 DTM*050  PER*CX  AMT (0..13)  QTY (0..14)
//	    2110 SVC  DTM*472/150/151  CAS (0..99)  REF (service IDs)  REF*6R
//	         REF (rendering)  REF*0K  AMT (0..9)  QTY (0..6)  LQ (0..99)
//	TRAILER  PLB (0..n)  SE
//
// Usages, repeats and code lists follow the guide as pyx12's X221A1 map
// records it. CLP06 takes the 835 list of claim filing indicators; the
// 837-only codes (11, BL, CI, FI) are "not used in this implementation"
// (I6). CAS01 CR (corrections and reversals) was removed from the 835 in
// 5010 and is reported as I6 too. CARC, RARC, facility, frequency, DRG,
// currency, state and country codes are external code lists, checked for
// length only. The balancing rules (rules_835.go) run on top of the table.

// c042 is the adjustment identifier composite (PLB03, 05, 07, ...).
var c042 = composite("C042", id("426", 2, 2), an("127", 1, 50))

// shapes221 are the standard shapes of the 835 segments no 837 uses.
var shapes221 = map[string]shape{
	"BPR": std(one(id("305", 1, 2), r("782", 1, 18), id("478", 1, 1), id("591", 3, 3), id("812", 1, 10),
		id("506", 2, 2), an("507", 3, 12), id("569", 1, 3), an("508", 1, 35), an("509", 10, 10),
		an("510", 9, 9), id("506", 2, 2), an("507", 3, 12), id("569", 1, 3), an("508", 1, 35),
		dt("373"), id("1048", 1, 3), id("506", 2, 2), an("507", 3, 12), id("569", 1, 3), an("508", 1, 35)),
		"P0607", "C0809", "P1213", "C1415", "P1819", "C2021"),
	"DTM": std(one(id("374", 3, 3), dt("373"), tm("337"), id("623", 2, 2), id("1250", 2, 3), an("1251", 1, 35)),
		"R020305", "C0403", "P0506"),
	"N1": std(one(id("98", 2, 3), an("93", 1, 60), id("66", 1, 2), an("67", 2, 80), id("706", 2, 2), id("98", 2, 3)),
		"R0203", "P0304"),
	"RDM": std(one(id("756", 1, 2), an("93", 1, 60), an("364", 1, 256), c040, c040)),
	"TS3": std(cat(one(an("127", 1, 50), an("1331", 1, 2), dt("373"), r("380", 1, 15)),
		rep(18, r("782", 1, 18)), one(r("380", 1, 15), r("782", 1, 18)))),
	"TS2": std(cat(rep(6, r("782", 1, 18)), one(r("380", 1, 15), r("782", 1, 18), r("782", 1, 18)),
		rep(5, r("380", 1, 15)), one(r("782", 1, 18), r("380", 1, 15)), rep(3, r("782", 1, 18)))),
	"CLP": std(one(an("1028", 1, 38), id("1029", 1, 2), r("782", 1, 18), r("782", 1, 18), r("782", 1, 18),
		id("1032", 1, 2), an("127", 1, 50), an("1331", 1, 2), id("1325", 1, 1), id("1352", 1, 2),
		id("1354", 1, 4), r("380", 1, 15), r("954", 1, 10), id("1073", 1, 1))),
	"PLB": std(one(an("127", 1, 50), dt("373"), c042, r("782", 1, 18), c042, r("782", 1, 18), c042,
		r("782", 1, 18), c042, r("782", 1, 18), c042, r("782", 1, 18), c042, r("782", 1, 18)),
		"P0506", "P0708", "P0910", "P1112", "P1314"),
}

// seg221 is seg for the segment IDs whose shape is in shapes221 or
// shapes214 (TRN, SVC), and seg for the others.
func seg221(sid string, use usage, max int, uses string, opts ...opt) item {
	if sh, ok := shapes221[sid]; ok {
		return segOf(sh, sid, use, max, uses, opts...)
	}
	return seg214(sid, use, max, uses, opts...)
}

// Code lists of the 835.
var (
	// filing835 are the CLP06 claim filing indicators of the 835 guide;
	// filingNot835 the 837 codes it does not use.
	filing835    = []string{"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
	filingNot835 = []string{"11", "BL", "CI", "FI"}
	// clpStatus are the CLP02 claim status codes.
	clpStatus = []string{"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"}
	// casGroups are the CAS01 group codes of the 835 (CR was removed in 5010).
	casGroups = []string{"CO", "OA", "PI", "PR"}
	// plbReasons are the PLB adjustment reason codes (PLB03-1, ...).
	plbReasons = []string{"50", "51", "72", "90", "AH", "AM", "AP", "B2", "B3", "BD", "BN", "C5", "CR", "CS",
		"CT", "CV", "CW", "DM", "E3", "FB", "FC", "GO", "HM", "IP", "IR", "IS", "J1", "L3", "L6", "LE", "LS",
		"OA", "OB", "PI", "PL", "RA", "RE", "SL", "TL", "WO", "WU"}
	// svcQuals are the SVC01-1 product/service ID qualifiers; svcOrigQuals
	// those of SVC06-1.
	svcQuals     = []string{"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "UI", "WK"}
	svcOrigQuals = []string{"AD", "ER", "HC", "HP", "IV", "N4", "NU", "WK"}
)

var schema835 = (&Schema{
	setID:   "835",
	version: "005010X221A1",
	rules:   newRules835,
	root: loopOf("", uR, 1,
		group(
			// ST02/SE02 matching, SE01 and ST03 = GS08 are envelope checks
			// (IK5). The X221A1 guide does not require ST03 (the envelope
			// takes GS08 when it is absent); most 835s send it.
			seg("ST", uR, 1, "RRS", codes(1, "835"), envelopeSeg(), loopName("HEADER")),
			seg221("BPR", uR, 1, "RRRRSSSSSSSSSSSRNNNNN", codes(1, "C", "D", "H", "I", "P", "U", "X"),
				codes(3, "C", "D"), codes(4, "ACH", "BOP", "CHK", "FWT", "NON"), codes(5, "CCP", "CTX"),
				codes(6, "01", "04"), codes(8, "DA"), codes(12, "01", "04"), codes(14, "DA", "SG"),
				loopName("HEADER")),
			seg221("TRN", uR, 1, "RRRS", codes(1, "1"), loopName("HEADER")),
			seg("CUR", uS, 1, "RR", codes(1, "PR"), loopName("HEADER")),
			seg("REF", uS, 1, "RR", key(1, "EV"), loopName("HEADER")),
			seg("REF", uS, 1, "RR", key(1, "F2"), loopName("HEADER")),
			dtm(uS, 1, loopName("HEADER"), key(1, "405")),
		),
		group(payer1000A(), payee1000B()),
		group(header2000()),
		group(
			seg221("PLB", uS, 0, "RRRRSSSSSSSSSS",
				each(func(p int) opt { return cu(p, "RS") }, 3, 5, 7, 9, 11, 13),
				each(func(p int) opt { return ccodes(p, 1, plbReasons...) }, 3, 5, 7, 9, 11, 13),
				loopName("TRAILER")),
			trailer(),
		),
	).loop,
}).build()

// dtm declares a DTM use (DTM01 qualifier in opts via key).
func dtm(use usage, max int, opts ...opt) item {
	return seg221("DTM", use, max, "RRNNNN", opts...)
}

// per835 declares a PER use with PER01 = function and the guide's
// communication number qualifiers for PER03, PER05 and PER07.
func per835(use usage, max int, uses, function string, q3, q5, q7 []string) item {
	opts := []opt{key(1, function), codes(3, q3...)}
	if q5 != nil {
		opts = append(opts, codes(5, q5...))
	}
	if q7 != nil {
		opts = append(opts, codes(7, q7...))
	}
	return seg("PER", use, max, uses, opts...)
}

func payer1000A() item {
	return loop("1000A", uR, 1,
		seg221("N1", uR, 1, "RRSSNN", key(1, "PR"), codes(3, "XV")),
		n3(uR), n4(uR),
		ref(uS, 4, "2U", "EO", "HI", "NF"),
		per835(uS, 1, "RSSSSSSSN", "CX", []string{"EM", "FX", "TE"}, []string{"EM", "EX", "FX", "TE"}, []string{"EX"}),
		per835(uR, 0, "RSSSSSSSN", "BL", []string{"EM", "TE", "UR"}, []string{"EM", "EX", "FX", "TE", "UR"},
			[]string{"EM", "EX", "FX", "UR"}),
		per835(uS, 1, "RNRRNNNNN", "IC", []string{"UR"}, nil, nil))
}

func payee1000B() item {
	return loop("1000B", uR, 1,
		seg221("N1", uR, 1, "RRRRNN", key(1, "PE"), codes(3, "FI", "XV", "XX")),
		n3(uS), n4(uS),
		ref(uS, 0, "0B", "D3", "PQ", "TJ"),
		seg221("RDM", uS, 1, "RSS", codes(1, "BM", "EM", "FT", "OL")))
}

func header2000() item {
	return loop("2000", uS, 0,
		seg("LX", uR, 1, "R"),
		seg221("TS3", uS, 1, "RRRRRNNNNNNNSNSNSSNSSSSS"),
		seg221("TS2", uS, 1, "SSSSSSSSSSSSSSSSSSS"),
		claim2100())
}

// nm835 declares a 2100 NM1 use.
func nm835(use usage, uses, entity string, nmTypes []string, idQuals ...string) item {
	return nm1(use, uses, ents(entity), types(nmTypes...), idq(idQuals...))
}

// cas835 declares claim or line adjustments.
func cas835() item {
	return seg("CAS", uS, 99, "RRRS"+"SSS"+"SSS"+"SSS"+"SSS"+"SSS", codes(1, casGroups...), notIG(1, "CR"))
}

func claim2100() item {
	one, both := []string{"1"}, []string{"1", "2"}
	return loop("2100", uR, 0,
		seg221("CLP", uR, 1, "RRRRSRRSSNSSSN", codes(2, clpStatus...), codes(6, filing835...),
			notIG(6, filingNot835...)),
		cas835(),
		nm835(uR, "RRSSSNSSSNNN", "QC", one, "34", "HN", "II", "MI", "MR"),
		nm835(uS, "RRSSSNSRRNNN", "IL", both, "FI", "II", "MI"),
		nm835(uS, "RRSSSNSSSNNN", "74", both, "C"),
		nm835(uS, "RRSSSNSRRNNN", "82", both, "BD", "BS", "FI", "MC", "PC", "SL", "UP", "XX"),
		nm835(uS, "RRRNNNNRRNNN", "TT", []string{"2"}, "AD", "FI", "NI", "PI", "PP", "XV"),
		nm835(uS, "RRRNNNNRRNNN", "PR", []string{"2"}, "AD", "FI", "NI", "PI", "PP", "XV"),
		nm835(uS, "RRSSSNSSSNNN", "GB", both, "FI", "II", "MI"),
		seg("MIA", uS, 1, "RSSSSSSSSSSSSSSSSSSSSSSS"),
		seg("MOA", uS, 1, "SSSSSSSSS"),
		ref(uS, 5, "1L", "1W", "28", "6P", "9A", "9C", "BB", "CE", "EA", "F8", "G1", "G3", "IG", "SY"),
		ref(uS, 10, "0B", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "D3", "G2", "LU"),
		dtm(uS, 2, key(1, "232", "233")),
		dtm(uS, 1, key(1, "036")),
		dtm(uS, 1, key(1, "050")),
		per835(uS, 2, "RSRRSSSSN", "CX", []string{"EM", "FX", "TE"}, []string{"EM", "EX", "FX", "TE"}, []string{"EX"}),
		seg("AMT", uS, 13, "RR", key(1, "AU", "D8", "DY", "F5", "I", "NL", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO")),
		seg("QTY", uS, 14, "RR", key(1, "CA", "CD", "LA", "LE", "NE", "NR", "OU", "PS", "VS", "ZK", "ZL", "ZM", "ZN", "ZO")),
		line2110())
}

func line2110() item {
	return loop("2110", uS, 999,
		seg221("SVC", uR, 1, "RRRSSSS", cu(1, "RRSSSSNN"), ccodes(1, 1, svcQuals...),
			cu(6, "RRSSSSSN"), ccodes(6, 1, svcOrigQuals...)),
		dtm(uS, 2, key(1, "150", "151", "472")),
		cas835(),
		ref(uS, 8, "1S", "APC", "BB", "E9", "G1", "G3", "LU", "RB"),
		ref(uS, 1, "6R"),
		ref(uS, 10, "0B", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "D3", "G2", "HPI", "SY", "TJ"),
		ref(uS, 5, "0K"),
		seg("AMT", uS, 9, "RR", key(1, "B6", "KH", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO")),
		seg("QTY", uS, 6, "RR", key(1, "ZK", "ZL", "ZM", "ZN", "ZO")),
		seg("LQ", uS, 99, "RR", codes(1, "HE", "RX")))
}
