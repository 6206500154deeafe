package schema

// 270 Health Care Eligibility Benefit Inquiry and 271 Response,
// 005010X279A1.
//
//	HEADER   ST BHT (0022; 270: 01|13, 271: 06|11)
//	2000A    HL*20  information source           271: AAA
//	  2100A  NM1*PR|2B|36|GP|P5                  271: PER AAA
//	2000B    HL*21  information receiver
//	  2100B  NM1*1P|2B|36|80|FA|GP|P5|PR  REF N3 N4 (271: AAA) PRV
//	2000C    HL*22  subscriber  TRN (270: *1, ≤2; 271: *1|2, ≤3)
//	  2100C  NM1*IL  REF N3 N4 (271: AAA) PRV DMG INS HI DTP (271: MPI)
//	  2110C  270: EQ AMT*R AMT*PB III REF DTP*291
//	         271: EB HSD REF DTP AAA MSG  2115C III  LS 2120C NM1 N3 N4 PER PRV LE
//	2000D    HL*23  dependent  TRN
//	  2100D  NM1*03  (as 2100C)
//	  2110D  (as 2110C)
//	TRAILER  SE
//
// Usages, repeats and code lists follow the guide as pyx12's X279A1 maps
// record them. EQ01 and EB03 (service type codes) repeat up to 99 times.
// In the 271 the 2000B..2000D levels are situational: a source that
// rejects the inquiry (AAA at 2000A or 2100A) answers with the source
// level alone. The 2120C/2120D benefit-related entity loops sit between
// the LS and LE segments of their 2110 loop. External code lists
// (taxonomy, diagnosis, procedure) are checked for length only.

// shapes279 are the standard shapes of the 270/271 segments the other
// tables do not use.
var shapes279 = map[string]shape{
	"EQ": std(one(id("1365", 1, 2), c003, id("1207", 3, 3), id("1336", 1, 3),
		composite("C004", n0("1328", 1, 2), n0("1328", 1, 2), n0("1328", 1, 2), n0("1328", 1, 2))), "R0102"),
	"EB": std(one(id("1390", 1, 2), id("1207", 3, 3), id("1365", 1, 2), id("1336", 1, 3), an("1204", 1, 50),
		id("615", 1, 2), r("782", 1, 18), r("954", 1, 10), id("673", 2, 2), r("380", 1, 15), id("1073", 1, 1),
		id("1073", 1, 1), c003,
		composite("C004", n0("1328", 1, 2), n0("1328", 1, 2), n0("1328", 1, 2), n0("1328", 1, 2))), "P0910"),
	"HSD": std(one(id("673", 2, 2), r("380", 1, 15), id("355", 2, 2), r("1167", 1, 6), id("615", 1, 2),
		n0("616", 1, 3), id("678", 1, 2), id("679", 1, 1)), "P0102", "C0605"),
	"AAA": std(one(id("1073", 1, 1), id("559", 2, 2), id("901", 2, 2), id("889", 1, 1))),
	"MSG": std(one(an("933", 1, 264), id("934", 2, 2), n0("1470", 1, 9)), "C0302"),
	"III": std(one(id("1270", 1, 3), an("1271", 1, 30), id("1136", 2, 2), an("933", 1, 264), r("380", 1, 15),
		c001, id("752", 2, 2), id("752", 2, 2), an("1271", 1, 30)), "P0102", "L030405"),
	"LS": std(one(an("447", 1, 4))),
	"LE": std(one(an("447", 1, 4))),
	"INS": std(one(id("1073", 1, 1), id("1069", 2, 2), id("875", 3, 3), id("1203", 2, 3), id("1216", 1, 1),
		composite("C052", id("1218", 1, 1), id("1701", 1, 1)), id("1219", 1, 2), id("584", 1, 2),
		id("1220", 1, 1), id("1073", 1, 1), id("1250", 2, 3), an("1251", 1, 35), id("1165", 1, 1),
		an("19", 2, 30), id("156", 2, 2), id("26", 2, 3), n0("1470", 1, 9)), "P1112"),
}

// seg279 is seg for segment IDs whose shape is in shapes279 (and seg214
// for the others).
func seg279(sid string, use usage, max int, uses string, opts ...opt) item {
	if sh, ok := shapes279[sid]; ok {
		return segOf(sh, sid, use, max, uses, opts...)
	}
	return seg214(sid, use, max, uses, opts...)
}

// Code lists of the 270/271.
var (
	// serviceTypes are the service type codes (EQ01, EB03).
	serviceTypes = []string{"1", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "2", "20", "21",
		"22", "23", "24", "25", "26", "27", "28", "3", "30", "32", "33", "34", "35", "36", "37", "38", "39", "4",
		"40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "5", "50", "51", "52", "53", "54", "55", "56",
		"57", "58", "59", "6", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "7", "70", "71", "72",
		"73", "74", "75", "76", "77", "78", "79", "8", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89",
		"9", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "A0", "A1", "A2", "A3", "A4", "A5", "A6",
		"A7", "A8", "A9", "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "AK", "AL", "AM", "AN",
		"AO", "AQ", "AR", "B1", "B2", "B3", "BA", "BB", "BC", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BK",
		"BL", "BM", "BN", "BP", "BQ", "BR", "BS", "BT", "BU", "BV", "BW", "BX", "BY", "BZ", "C1", "CA", "CB",
		"CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "CN", "CO", "CP", "CQ", "DG", "DM",
		"DS", "GF", "GN", "GY", "IC", "MH", "NI", "ON", "PT", "PU", "RN", "RT", "TC", "TN", "UC"}
	// ebCodes are the eligibility or benefit information codes (EB01).
	ebCodes = []string{"1", "2", "3", "4", "5", "6", "7", "8", "A", "B", "C", "CB", "D", "E", "F", "G", "H",
		"I", "J", "K", "L", "M", "MC", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y"}
	// coverageLevels are the EB02 coverage level codes (the dependent
	// level does not use EMP).
	coverageLevels = []string{"CHD", "DEP", "ECH", "EMP", "ESP", "FAM", "IND", "SPC", "SPO"}
	// insuranceTypes are the EB04 insurance type codes.
	insuranceTypes = []string{"12", "13", "14", "15", "16", "41", "42", "43", "47", "AP", "C1", "CO", "CP", "D",
		"DB", "EP", "FF", "GP", "HM", "HN", "HS", "IN", "IP", "LC", "LD", "LI", "LT", "MA", "MB", "MC", "MH",
		"MI", "MP", "OT", "PE", "PL", "PP", "PR", "PS", "QM", "RP", "SP", "TF", "WC", "WU"}
	timePeriods = []string{"13", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33",
		"34", "35", "36", "6", "7"}
	ebQuantities = []string{"8H", "99", "CA", "CE", "D3", "DB", "DY", "HS", "LA", "LE", "M2", "MN", "P6", "QA",
		"S7", "S8", "VS", "YY"}
	procQuals279 = []string{"AD", "CJ", "HC", "ID", "IV", "N4", "ZZ"}
	prvCodes     = []string{"AD", "AT", "BI", "CO", "CV", "H", "HH", "LA", "OT", "P1", "P2", "PC", "PE", "R",
		"RF", "SB", "SK", "SU"}
	sourceEntities279   = []string{"2B", "36", "GP", "P5", "PR"}
	sourceIDQuals279    = []string{"24", "46", "FI", "NI", "PI", "XV", "XX"}
	receiverEntities279 = []string{"1P", "2B", "36", "80", "FA", "GP", "P5", "PR"}
	receiverIDQuals279  = []string{"24", "34", "FI", "PI", "PP", "SV", "XV", "XX"}
	receiverRefs279     = []string{"0B", "1C", "1D", "1J", "4A", "CT", "EL", "EO", "HPI", "JD", "N5", "N7", "Q4",
		"SY", "TJ"}
	// memberDates are the DTP01 qualifiers of 2100C/2100D in a 271.
	memberDates = []string{"096", "102", "152", "291", "307", "318", "340", "341", "342", "343", "346", "347",
		"356", "357", "382", "435", "442", "458", "472", "539", "540", "636", "771"}
	// benefitDates are the DTP01 qualifiers of 2110C/2110D in a 271.
	benefitDates = []string{"096", "193", "194", "198", "290", "291", "292", "295", "304", "307", "318", "346",
		"348", "349", "356", "357", "435", "472", "636", "771"}
	// Follow-up action codes of AAA04.
	aaaActions2000A = []string{"C", "N", "P", "R", "S", "Y"}
	aaaActions2100A = []string{"C", "N", "P", "R", "S", "W", "X", "Y"}
	aaaActions      = []string{"C", "N", "R", "S", "W", "X", "Y"}
	// AAA03 reject reasons by loop.
	aaaReasons2000A = []string{"04", "41", "42", "79"}
	aaaReasons2100A = []string{"04", "41", "42", "79", "80", "T4"}
	aaaReasons2100B = []string{"15", "41", "43", "44", "45", "46", "47", "48", "50", "51", "79", "97", "T4"}
	aaaReasons2100C = []string{"15", "35", "42", "43", "45", "47", "48", "49", "51", "52", "56", "57", "58",
		"60", "61", "62", "63", "71", "72", "73", "74", "75", "76", "78"}
	aaaReasons2100D = []string{"15", "35", "42", "43", "45", "47", "48", "49", "51", "52", "56", "57", "58",
		"60", "61", "62", "63", "64", "65", "66", "67", "68", "71", "77"}
	aaaReasons2110 = []string{"15", "33", "52", "53", "54", "55", "56", "57", "60", "61", "62", "63", "69",
		"70", "98", "AA", "AE", "AF", "AG", "AO", "CI", "E8", "IA", "MA"}
	relatedEntities = []string{"13", "1I", "1P", "2B", "36", "73", "FA", "GP", "GW", "I3", "IL", "LR", "OC",
		"P3", "P4", "P5", "PR", "PRP", "SEP", "TTP", "VER", "VN", "VY", "X3", "Y2"}
	contactQuals = []string{"ED", "EM", "EX", "FX", "TE", "UR", "WP"}
)

var schema270 = (&Schema{
	setID:   "270",
	version: "005010X279A1",
	root: loopOf("", uR, 1,
		group(
			seg("ST", uR, 1, "RRR", codes(1, "270"), envelopeSeg(), loopName("HEADER")),
			seg("BHT", uR, 1, "RRSRRS", codes(1, "0022"), codes(2, "01", "13"), codes(6, "RT"), loopName("HEADER")),
		),
		group(eligSource(false)),
		group(trailer()),
	).loop,
}).build()

var schema271 = (&Schema{
	setID:   "271",
	version: "005010X279A1",
	root: loopOf("", uR, 1,
		group(
			seg("ST", uR, 1, "RRR", codes(1, "271"), envelopeSeg(), loopName("HEADER")),
			seg("BHT", uR, 1, "RRSRRN", codes(1, "0022"), codes(2, "06", "11"), loopName("HEADER")),
		),
		group(eligSource(true)),
		group(trailer()),
	).loop,
}).build()

// aaa declares a request validation use with the loop's reject reasons.
func aaa(reasons, actions []string) item {
	return seg279("AAA", uS, 9, "RNRR", codes(1, "N", "Y"), codes(3, reasons...), codes(4, actions...))
}

// when returns items only for the response (271) tables.
func when(resp bool, its ...item) []item {
	if resp {
		return its
	}
	return nil
}

// eligSource returns loop 2000A and everything under it; resp selects the
// 271 table.
func eligSource(resp bool) item {
	hl04 := []string{"1"}
	if resp {
		hl04 = []string{"0", "1"}
	}
	return hl("2000A", uR, "20", items(
		group(hlSeg("20", uN, hl04...)),
		when(resp, aaa(aaaReasons2000A, aaaActions2000A)),
		group(loop("2100A", uR, 1, items(
			group(nm1(uR, "RRRSSNSRRNNN", sourceEntities279, types("1", "2"), idq(sourceIDQuals279...))),
			when(resp,
				seg("PER", uS, 3, "RSSSSSSS", key(1, "IC"), codes(3, contactQuals...), codes(5, contactQuals...),
					codes(7, contactQuals...)),
				aaa(aaaReasons2100A, aaaActions2100A)),
		)...)),
		group(eligReceiver(resp)),
	)...)
}

func eligReceiver(resp bool) item {
	use := uR
	if resp {
		use = uS
	}
	hl04 := []string{"1"}
	if resp {
		hl04 = []string{"0", "1"}
	}
	return hl("2000B", use, "21", items(
		group(hlSeg("21", uR, hl04...)),
		group(loop("2100B", uR, 1, items(
			group(
				nm1(uR, "RRRSSNSRRNNN", receiverEntities279, types("1", "2"), idq(receiverIDQuals279...)),
				seg("REF", uS, 9, "RRS", key(1, receiverRefs279...)),
				n3(uS), n4(uS)),
			when(resp, aaa(aaaReasons2100B, aaaActions)),
			group(seg("PRV", uS, 1, "RSS", codes(1, prvCodes...), codes(2, "PXC"))),
		)...)),
		group(eligMember(resp, false)),
	)...)
}

// eligMember returns the subscriber (2000C) or dependent (2000D) level.
func eligMember(resp, dependent bool) item {
	lid, level, name, benefit, nmUse, entity := "2000C", "22", "2100C", "2110C", "RRSSSNSSSNNN", "IL"
	hl04 := []string{"0", "1"}
	refs := []string{"18", "1L", "1W", "3H", "6P", "CT", "EA", "EJ", "F6", "GH", "HJ", "IG", "N6", "NQ", "SY", "Y4"}
	if resp {
		refs = []string{"18", "1L", "1W", "3H", "49", "6P", "CE", "CT", "EA", "EJ", "F6", "GH", "HJ", "IF", "IG",
			"N6", "NQ", "Q4", "SY", "Y4"}
	}
	reasons := aaaReasons2100C
	insRel, insCode := []string{"18"}, "Y"
	if dependent {
		lid, level, name, benefit, nmUse, entity = "2000D", "23", "2100D", "2110D", "RRSSSNSNNNNN", "03"
		hl04 = []string{"0"}
		refs = []string{"18", "1L", "1W", "6P", "CT", "EA", "EJ", "F6", "GH", "HJ", "IF", "IG", "MRC", "N6", "SY", "Y4"}
		if resp {
			refs = []string{"18", "1L", "1W", "49", "6P", "CE", "CT", "EA", "EJ", "F6", "GH", "HJ", "IF", "IG",
				"MRC", "N6", "NQ", "Q4", "SY", "Y4"}
		}
		reasons = aaaReasons2100D
		insRel, insCode = []string{"01", "19", "20", "21", "39", "40", "53", "G8"}, "N"
		if !resp {
			insRel = []string{"01", "19", "34"}
		}
	}
	trnTypes, trnMax := []string{"1"}, 2
	if resp {
		trnTypes, trnMax = []string{"1", "2"}, 3
	}
	dmgSex := []string{"F", "M"}
	insUses, dtpQuals, dtpMax := "RRNNNNNNNNNNNNNNS", []string{"102", "291"}, 2
	if resp {
		dmgSex = append(dmgSex, "U")
		insUses, dtpQuals, dtpMax = "RRSSNNNNNNNNNNNNS", memberDates, 9
	}
	var kids []item
	if !dependent {
		kids = group(eligMember(resp, true))
	}
	return hl(lid, uS, level, items(
		group(
			hlSeg(level, uR, hl04...),
			seg214("TRN", uS, trnMax, "RRRS", key(1, trnTypes...))),
		group(loop(name, uR, 1, items(
			group(
				nm1(uR, nmUse, ents(entity), types("1", "2"), idq("II", "MI")),
				seg("REF", uS, 9, "RRS", key(1, refs...)),
				n3(uS), n4(uS)),
			when(resp, aaa(reasons, aaaActions)),
			group(
				seg("PRV", uS, 1, "RSS", codes(1, prvCodes...), codes(2, "9K", "D3", "EI", "HPI", "PXC", "SY", "TJ")),
				seg("DMG", uS, 1, "SSS", codes(1, "D8"), period(2, 1), codes(3, dmgSex...)),
				seg279("INS", uS, 1, insUses, codes(1, insCode), codes(2, insRel...), codes(3, "001"), codes(4, "25")),
				seg("HI", uS, 1, "RSSSSSSS", hiComposite([]int{1}, "RR", "ABK", "BK"),
					hiComposite([]int{2, 3, 4, 5, 6, 7, 8}, "RR", "ABF", "BF")),
				dtp(uS, dtpMax, fD8RD8, dtpQuals...)),
			when(resp, place("MPI", uS, 1)),
			group(benefitLoop(resp, dependent, benefit)),
		)...)),
		kids,
	)...)
}

// benefitLoop returns 2110C/2110D: the inquiry (EQ) or the benefit (EB).
func benefitLoop(resp, dependent bool, lid string) item {
	if !resp {
		eqUses := "SSSNS"
		if dependent {
			eqUses = "SSNNS"
		}
		its := group(
			seg279("EQ", uR, 1, eqUses, repeats(1, 99), codes(1, serviceTypes...), cu(2, "RRSSSSNN"),
				ccodes(2, 1, procQuals279...), codes(3, "FAM"), cu(5, "RSSS")))
		if !dependent {
			its = append(its, amt(uS, "R"), amt(uS, "PB"))
		}
		its = append(its,
			seg279("III", uS, 1, "RR", codes(1, "ZZ")),
			seg("REF", uS, 1, "RR", key(1, "9F", "G1")),
			dtp(uS, 1, fD8RD8, "291"))
		max := 99
		use := uS
		if dependent {
			use = uR
		}
		return loop(lid, use, max, its...)
	}
	suffix := lid[len(lid)-1:]
	levels := coverageLevels
	if dependent {
		levels = []string{"CHD", "DEP", "ECH", "ESP", "FAM", "IND", "SPC", "SPO"}
	}
	return loop(lid, uS, 0,
		seg279("EB", uR, 1, "RSSSSSSSSSSSSS", codes(1, ebCodes...), codes(2, levels...), repeats(3, 99),
			codes(3, serviceTypes...), codes(4, insuranceTypes...), codes(6, timePeriods...),
			codes(9, ebQuantities...), codes(11, "N", "U", "Y"), codes(12, "N", "U", "W", "Y"),
			cu(13, "RRSSSSSS"), ccodes(13, 1, procQuals279...), cu(14, "RSSS")),
		place("HSD", uS, 9),
		seg("REF", uS, 9, "RRS", key(1, "18", "1L", "1W", "49", "6P", "9F", "ALS", "CLI", "F6", "FO", "G1",
			"IG", "M7", "N6", "NQ")),
		dtp(uS, 20, fD8RD8, benefitDates...),
		aaa(aaaReasons2110, []string{"C", "N", "R", "W", "X", "Y"}),
		seg279("MSG", uS, 10, "R"),
		loop("2115"+suffix, uS, 10,
			seg279("III", uR, 1, "SSSS", codes(1, "GR", "NI", "ZZ"), codes(3, "44"))),
		seg279("LS", uS, 1, "R"),
		loop("2120"+suffix, uS, 23,
			nm1(uR, "RRSSSNSSSSNN", relatedEntities, types("1", "2"),
				idq("24", "34", "46", "FA", "FI", "II", "MI", "NI", "PI", "PP", "SV", "XV", "XX"),
				codes(10, "01", "02", "27", "41", "48", "65", "72")),
			n3(uS),
			seg("N4", uS, 1, "RSSSSSS"),
			seg("PER", uS, 3, "RSSSSSSS", key(1, "IC"), codes(3, contactQuals...), codes(5, contactQuals...),
				codes(7, contactQuals...)),
			seg("PRV", uS, 1, "RSS", codes(1, prvCodes...), codes(2, "PXC"))),
		seg279("LE", uS, 1, "R"))
}
