package schema

// 277 Health Care Claim Acknowledgment (277CA), 005010X214.
//
//	HEADER   ST BHT (0085, 08, TH)
//	2000A    HL*20   information source (payer PR or clearinghouse AY)
//	  2100A  NM1*PR|AY
//	  2200A  TRN*1  DTP*050 (receipt)  DTP*009 (process)
//	2000B    HL*21   information receiver (the 837 submitter)
//	  2100B  NM1*41
//	  2200B  TRN*2  STC (1..n)  QTY*90 QTY*AA  AMT*YU AMT*YY
//	2000C    HL*19   billing provider
//	  2100C  NM1*85
//	  2200C  TRN*1  STC (1..n, STC02 not used)  REF  QTY*QA QTY*QC  AMT*YU AMT*YY
//	2000D    HL*PT   patient
//	  2100D  NM1*QC
//	  2200D  TRN*2  STC (1..n)  REF*1K REF*D9 REF*BLT  DTP*472
//	  2220D  SVC  STC (1, STC03 U)  REF*FJ REF*XZ  DTP*472
//	TRAILER  SE
//
// Usages, repeats and code lists follow the guide as pyx12's X214 map
// records it: 2000D and 2200C are required, the 2000C HL04 is 1 only and
// the 2000D HL04 is not used. STC01-1 (and STC10-1/STC11-1) is limited to
// the acknowledgment categories A0..A8, the data reporting categories
// DR01..DR08 and the real-time "response not possible" categories E1..E4
// (reference §5: F, P and R categories are not compliant in a 277CA). The
// status codes (STC01-2) are an external code list, checked for length
// only. Element definitions of TRN, STC and SVC, which no 837 uses, are in
// shapes214.

// c043 is the health care claim status composite (STC01, STC10, STC11).
var c043 = composite("C043", an("1271", 1, 30), an("1271", 1, 30), id("98", 2, 3), id("1270", 1, 3))

// shapes214 are the standard shapes of the 277CA segments the 837 tables
// do not use.
var shapes214 = map[string]shape{
	"TRN": std(one(id("481", 1, 2), an("127", 1, 50), an("509", 10, 10), an("127", 1, 50))),
	"STC": std(one(c043, dt("373"), id("306", 1, 2), r("782", 1, 18), r("782", 1, 18), dt("373"),
		id("591", 3, 3), dt("373"), an("429", 1, 16), c043, c043, an("933", 1, 264))),
	"SVC": std(one(c003, r("782", 1, 18), r("782", 1, 18), an("234", 1, 48), r("380", 1, 15), c003,
		r("380", 1, 15))),
}

// seg214 is seg for segment IDs whose shape is in shapes214 (and seg for
// the others).
func seg214(sid string, use usage, max int, uses string, opts ...opt) item {
	sh, ok := shapes214[sid]
	if !ok {
		return seg(sid, use, max, uses, opts...)
	}
	return segOf(sh, sid, use, max, uses, opts...)
}

// Code lists of the 277CA.
var (
	// stcCategories are the claim status category codes a 277CA may use.
	stcCategories = []string{"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8",
		"DR01", "DR02", "DR03", "DR04", "DR05", "DR06", "DR07", "DR08", "E1", "E2", "E3", "E4"}
	// stcEntities2200B are the STC01-3 entities of the receiver level.
	stcEntities2200B = []string{"36", "40", "41", "AY", "PR"}
	// stcEntities2200C are the STC01-3 entities of the provider level.
	stcEntities2200C = []string{"36", "40", "41", "77", "82", "85", "87", "AY", "PR"}
	// stcEntitiesClaim are the STC01-3 entities of the claim and line
	// levels.
	stcEntitiesClaim = []string{"03", "1P", "1Z", "40", "41", "71", "72", "73", "77", "82", "85", "87",
		"DK", "DN", "DQ", "FA", "GB", "HK", "IL", "LI", "MSC", "PR", "PRP", "QB", "QC", "QD", "SEP",
		"TL", "TTP", "TU"}
)

var schema277CA = (&Schema{
	setID:   "277",
	version: "005010X214",
	root: loopOf("", uR, 1,
		group(
			// ST02/SE02 matching, SE01 and ST03 = GS08 are envelope checks (IK5).
			seg("ST", uR, 1, "RRR", codes(1, "277"), envelopeSeg(), loopName("HEADER")),
			seg("BHT", uR, 1, "RRRRRR", codes(1, "0085"), codes(2, "08"), codes(6, "TH"), loopName("HEADER")),
		),
		group(source2000A()),
		group(trailer()),
	).loop,
}).build()

// trn declares a TRN use with TRN01 = traceType.
func trn(traceType string) item {
	return seg214("TRN", uR, 1, "RR", key(1, traceType))
}

// stc declares an STC use. uses is the usage string of STC01..STC12;
// entities restricts STC01-3. Every status composite present takes its
// category from stcCategories and leaves the code list qualifier unused.
func stc(max int, uses string, entities []string, opts ...opt) item {
	base := []opt{codes(3, "U", "WQ")}
	for _, pos := range []int{1, 10, 11} {
		base = append(base, cu(pos, "RRSN"), ccodes(pos, 1, stcCategories...))
	}
	base = append(base, ccodes(1, 3, entities...))
	return seg214("STC", uR, max, uses, append(base, opts...)...)
}

// qty declares a total quantity use.
func qty(qual string) item {
	return seg("QTY", uS, 1, "RR", key(1, qual))
}

func source2000A() item {
	return hl("2000A", uR, "20",
		hlSeg("20", uN, "1"),
		loop("2100A", uR, 1,
			nm1(uR, nmOrgID, ents("PR", "AY"), types("2"), idq("46", "FI", "PI", "XV"))),
		loop("2200A", uR, 0,
			trn("1"),
			dtp(uR, 1, fD8, "050"),
			dtp(uR, 1, fD8, "009")),
		receiver2000B())
}

func receiver2000B() item {
	return hl("2000B", uR, "21",
		hlSeg("21", uR, "0", "1"),
		loop("2100B", uR, 1,
			nm1(uR, nmPartyID, ents("41"), types("1", "2"), idq("46"))),
		loop("2200B", uR, 1,
			trn("2"),
			stc(0, "RRRRNNNNNSSN", stcEntities2200B),
			qty("90"), qty("AA"),
			amt(uS, "YU"), amt(uS, "YY")),
		provider2000C())
}

func provider2000C() item {
	return hl("2000C", uR, "19",
		hlSeg("19", uR, "1"),
		loop("2100C", uR, 0,
			nm1(uR, "RRRSSSSRRNNN", ents("85"), types("1", "2"), idq("FI", "SV", "XX"))),
		loop("2200C", uR, 1,
			trn("1"),
			stc(0, "RNRRNNNNNSSN", stcEntities2200C),
			ref(uS, 1, "0B", "1G", "G2", "LU", "SY", "TJ"),
			qty("QA"), qty("QC"),
			amt(uS, "YU"), amt(uS, "YY")),
		patient2000D())
}

func patient2000D() item {
	return hl("2000D", uR, "PT",
		seg("HL", uR, 1, "RRRN", key(3, "PT")),
		loop("2100D", uR, 1,
			nm1(uR, "RRRSSSSRRNNN", ents("QC"), types("1"), idq("II", "MI"))),
		loop("2200D", uS, 0,
			trn("2"),
			stc(0, "RRRRNNNNNSSS", stcEntitiesClaim),
			ref(uS, 1, "1K"), ref(uS, 1, "D9"), ref(uS, 1, "BLT"),
			dtp(uR, 1, fD8RD8, "472"),
			loop("2220D", uS, 0,
				seg214("SVC", uR, 1, "RRNSNNS", cu(1, "RRSSSSNN"),
					ccodes(1, 1, "AD", "ER", "HC", "HP", "IV", "NU", "WK")),
				stc(1, "RRRNNNNNNSSN", stcEntitiesClaim, codes(3, "U")),
				ref(uS, 1, "FJ"), ref(uS, 1, "XZ"),
				dtp(uS, 1, fD8RD8, "472"))))
}
