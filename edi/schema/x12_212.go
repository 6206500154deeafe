package schema

// 276 Health Care Claim Status Request and 277 Health Care Claim Status
// Response, 005010X212.
//
//	HEADER   ST BHT (0010; 276: 13; 277: 08 .. DG)
//	2000A    HL*20  information source (payer)
//	  2100A  NM1*PR (PI|XV)                        277: PER
//	2000B    HL*21  information receiver
//	  2100B  NM1*41 (46)
//	  2200B  277: TRN*2 STC (receiver-level status, e.g. E0 when the
//	         request could not be processed)
//	2000C    HL*19  service provider
//	  2100C  NM1*1P (FI|SV|XX), up to 2
//	  2200C  277: TRN*1 STC
//	2000D    HL*22  subscriber  276: DMG
//	  2100D  NM1*IL (24|II|MI)
//	  2200D  276: TRN*1  REF*1K|BLT|LU|6P|EJ|XZ|D9  AMT*T3  DTP*472
//	         277: TRN*2  STC (1..n)  REF*1K|BLT|EJ|XZ|VV|D9  DTP*472
//	    2210D (276) / 2220D (277)  SVC  (277: STC)  REF*FJ  DTP*472
//	2000E    HL*23  dependent  276: DMG
//	  2100E  NM1*QC
//	  2200E  as 2200D;  2210E / 2220E as 2210D / 2220D
//	TRAILER  SE
//
// Usages and code lists follow the guide as stupidedi (276) and pyx12
// (277) record them. The 277 has no 2200A: a request the source cannot
// use at all is answered at the receiver level (2200B), as the guide's
// examples do. STC01-1 takes any category (the 277 answers with A, D, E,
// F, P and R categories); status and entity codes are external or long
// lists, checked for length only, except the code list qualifier STCxx-4
// (RX). Element shapes of TRN, STC and SVC are those of shapes214.

var schema276 = (&Schema{
	setID:   "276",
	version: "005010X212",
	root: loopOf("", uR, 1,
		group(
			seg("ST", uR, 1, "RRR", codes(1, "276"), envelopeSeg(), loopName("HEADER")),
			seg("BHT", uR, 1, "RRRRRN", codes(1, "0010"), codes(2, "13"), loopName("HEADER")),
		),
		group(statusSource(false)),
		group(trailer()),
	).loop,
}).build()

var schema277X212 = (&Schema{
	setID:   "277",
	version: "005010X212",
	root: loopOf("", uR, 1,
		group(
			seg("ST", uR, 1, "RRR", codes(1, "277"), envelopeSeg(), loopName("HEADER")),
			seg("BHT", uR, 1, "RRRRRR", codes(1, "0010"), codes(2, "08"), codes(6, "DG"), loopName("HEADER")),
		),
		group(statusSource(true)),
		group(trailer()),
	).loop,
}).build()

// stc212 declares a claim status use of the 277 with the usage string of
// STC01..STC12.
func stc212(use usage, uses string) item {
	var o []opt
	for _, pos := range []int{1, 10, 11} {
		o = append(o, cu(pos, "RRSS"), ccodes(pos, 4, "RX"))
	}
	return seg214("STC", use, 0, uses, o...)
}

// statusSource returns loop 2000A and everything under it; resp selects
// the 277 table.
func statusSource(resp bool) item {
	return hl("2000A", uR, "20", items(
		group(hlSeg("20", uN, "1")),
		group(loop("2100A", uR, 1, items(
			group(nm1(uR, nmOrgID, ents("PR"), types("2"), idq("PI", "XV"))),
			when(resp, seg("PER", uS, 1, "RSRRSSSS", key(1, "IC"), codes(3, "ED", "EM", "FX", "TE"),
				codes(5, "ED", "EM", "EX", "FX", "TE"), codes(7, "ED", "EM", "EX", "FX", "TE"))),
		)...)),
		group(statusReceiver(resp)),
	)...)
}

func statusReceiver(resp bool) item {
	hl04 := []string{"1"}
	if resp {
		hl04 = []string{"0", "1"}
	}
	return hl("2000B", uR, "21", items(
		group(hlSeg("21", uR, hl04...)),
		group(loop("2100B", uR, 1,
			nm1(uR, nmPartyID, ents("41"), types("1", "2"), idq("46")))),
		when(resp, loop("2200B", uS, 1,
			seg214("TRN", uR, 1, "RR", key(1, "2")),
			stc212(uR, "RRNNNNNNNSSN"))),
		group(statusProvider(resp)),
	)...)
}

func statusProvider(resp bool) item {
	use := uR
	hl04 := []string{"1"}
	if resp {
		use, hl04 = uS, []string{"0", "1"}
	}
	return hl("2000C", use, "19", items(
		group(hlSeg("19", uR, hl04...)),
		group(loop("2100C", uR, 2,
			nm1(uR, "RRSSSNSRRNNN", ents("1P"), types("1", "2"), idq("FI", "SV", "XX")))),
		when(resp, loop("2200C", uS, 1,
			seg214("TRN", uR, 1, "RR", key(1, "1")),
			stc212(uR, "RRNNNNNNNSSN"))),
		group(statusPatient(resp, false)),
	)...)
}

// statusPatient returns the subscriber (2000D) or dependent (2000E)
// level.
func statusPatient(resp, dependent bool) item {
	lid, level, name, claimLoop, nmUse, entity, idQuals := "2000D", "22", "2100D", "2200D", "RRRSSNSRRNNN",
		"IL", []string{"24", "II", "MI"}
	hl04, dmgUse, claimUse := []string{"0", "1"}, uS, uS
	if dependent {
		lid, level, name, claimLoop, nmUse, entity, idQuals = "2000E", "23", "2100E", "2200E", "RRRSSNSNNNNN",
			"QC", nil
		hl04, dmgUse, claimUse = nil, uR, uR
	}
	hlUse := uR
	if dependent {
		hlUse = uN
	}
	var head []item
	if !resp {
		head = group(seg("DMG", dmgUse, 1, "RRS", codes(1, "D8"), period(2, 1), codes(3, "F", "M")))
	}
	nm := nm1(uR, nmUse, ents(entity), types("1", "2"), idq(idQuals...))
	if dependent {
		nm = nm1(uR, nmUse, ents(entity), types("1"))
	}
	var kids []item
	if !dependent {
		kids = group(statusPatient(resp, true))
	}
	return hl(lid, uS, level, items(
		group(seg("HL", uR, 1, "RRR"+string(hlUse), key(3, level), codes(4, hl04...))),
		head,
		group(loop(name, uR, 1, nm)),
		group(statusClaim(resp, claimLoop, claimUse)),
		kids,
	)...)
}

// statusClaim returns the claim loop (2200D/2200E) with its service line
// loop.
func statusClaim(resp bool, lid string, use usage) item {
	suffix := lid[len(lid)-1:]
	if !resp {
		return loop(lid, use, 0,
			seg214("TRN", uR, 1, "RR", key(1, "1")),
			ref(uS, 1, "1K"), ref(uS, 1, "BLT"), ref(uS, 1, "LU"), ref(uS, 1, "6P"),
			ref(uS, 1, "EJ"), ref(uS, 1, "XZ"), ref(uS, 1, "D9"),
			amt(uS, "T3"),
			dtp(uS, 1, fD8RD8, "472"),
			loop("2210"+suffix, uS, 0,
				seg214("SVC", uR, 1, "RRNSNNS", cu(1, "RRSSSSNN"),
					ccodes(1, 1, "AD", "ER", "HC", "HP", "IV", "N4", "NU", "WK")),
				ref(uS, 1, "FJ"),
				dtp(uR, 1, fD8RD8, "472")))
	}
	return loop(lid, use, 0,
		seg214("TRN", uR, 1, "RR", key(1, "2")),
		stc212(uR, "RRNSSSNSSSSN"),
		ref(uS, 1, "1K"), ref(uS, 1, "BLT"), ref(uS, 1, "EJ"), ref(uS, 1, "XZ"),
		ref(uS, 1, "VV"), ref(uS, 1, "D9"),
		dtp(uS, 1, fD8RD8, "472"),
		loop("2220"+suffix, uS, 0,
			seg214("SVC", uR, 1, "RRRSNNR", cu(1, "RRSSSSNN"),
				ccodes(1, 1, "AD", "ER", "HC", "HP", "IV", "N4", "NU", "WK")),
			stc212(uR, "RRNNNNNNNSSN"),
			ref(uS, 1, "FJ"),
			dtp(uR, 1, fD8RD8, "472")))
}
