package schema

// Standard segment shapes: for each segment ID of the 837 transaction set,
// its elements in order with data element number, type and min/max length,
// and its syntax notes, as the X12 005010 dictionary defines them. These are
// facts of the standard; what an implementation guide adds (usage, code
// subsets) is applied per use in the x12_*.go tables.

// shape is a standard segment: element definitions and syntax notes.
type shape struct {
	elems []elemDef
	notes []syntaxNote
}

func simple(de string, t dtype, min, max int) elemDef {
	return elemDef{compDef: compDef{de: de, typ: t, min: min, max: max}}
}

func an(de string, min, max int) elemDef { return simple(de, tAN, min, max) }
func id(de string, min, max int) elemDef { return simple(de, tID, min, max) }
func n0(de string, min, max int) elemDef { return simple(de, tN0, min, max) }
func r(de string, min, max int) elemDef  { return simple(de, tR, min, max) }
func dt(de string) elemDef               { return simple(de, tDT, 8, 8) }
func tm(de string) elemDef               { return simple(de, tTM, 4, 8) }

// composite builds a composite element from its components.
func composite(cid string, parts ...elemDef) elemDef {
	e := elemDef{compDef: compDef{de: cid}}
	for _, p := range parts {
		e.comps = append(e.comps, p.compDef)
	}
	return e
}

// rep repeats element e n times.
func rep(n int, e ...elemDef) []elemDef {
	var out []elemDef
	for i := 0; i < n; i++ {
		out = append(out, e...)
	}
	return out
}

func cat(parts ...[]elemDef) []elemDef {
	var out []elemDef
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func one(e ...elemDef) []elemDef { return e }

// std builds a shape; notes are X12 syntax notes such as "P0809" (paired
// NM108/NM109) or "L050607".
func std(elems []elemDef, notes ...string) shape {
	s := shape{elems: elems}
	for _, n := range notes {
		sn := syntaxNote{kind: n[0]}
		for i := 1; i+1 < len(n); i += 2 {
			sn.elems = append(sn.elems, int(n[i]-'0')*10+int(n[i+1]-'0'))
		}
		s.notes = append(s.notes, sn)
	}
	return s
}

// Common composites.
var (
	// C001 composite unit of measure.
	c001 = composite("C001", id("355", 2, 2), r("1018", 1, 15), r("649", 1, 10),
		id("355", 2, 2), r("1018", 1, 15), r("649", 1, 10),
		id("355", 2, 2), r("1018", 1, 15), r("649", 1, 10),
		id("355", 2, 2), r("1018", 1, 15), r("649", 1, 10),
		id("355", 2, 2), r("1018", 1, 15), r("649", 1, 10))
	// C003 composite medical procedure identifier.
	c003 = composite("C003", id("235", 2, 2), an("234", 1, 48),
		an("1339", 2, 2), an("1339", 2, 2), an("1339", 2, 2), an("1339", 2, 2),
		an("352", 1, 80), an("234", 1, 48))
	// C022 health care code information.
	c022 = composite("C022", id("1270", 1, 3), an("1271", 1, 30), id("1250", 2, 3),
		an("1251", 1, 35), r("782", 1, 18), r("380", 1, 15), an("799", 1, 30),
		an("1271", 1, 30), id("1073", 1, 1))
	// C040 reference identifier.
	c040 = composite("C040", id("128", 2, 3), an("127", 1, 50), id("128", 2, 3),
		an("127", 1, 50), id("128", 2, 3), an("127", 1, 50))
)

var shapes = map[string]shape{
	"ST":  std(one(id("143", 3, 3), an("329", 4, 9), an("1705", 1, 35))),
	"SE":  std(one(n0("96", 1, 10), an("329", 4, 9))),
	"BHT": std(one(id("1005", 4, 4), id("353", 2, 2), an("127", 1, 50), dt("373"), tm("337"), id("640", 2, 2))),
	"NM1": std(one(id("98", 2, 3), id("1065", 1, 1), an("1035", 1, 60), an("1036", 1, 35),
		an("1037", 1, 25), an("1038", 1, 10), an("1039", 1, 10), id("66", 1, 2), an("67", 2, 80),
		id("706", 2, 2), id("98", 2, 3), an("1035", 1, 60)), "P0809", "C1110", "C1203"),
	"PER": std(one(id("366", 2, 2), an("93", 1, 60), id("365", 2, 2), an("364", 1, 256),
		id("365", 2, 2), an("364", 1, 256), id("365", 2, 2), an("364", 1, 256), an("443", 1, 20)),
		"P0304", "P0506", "P0708"),
	"N3": std(one(an("166", 1, 55), an("166", 1, 55))),
	"N4": std(one(an("19", 2, 30), id("156", 2, 2), id("116", 3, 15), id("26", 2, 3),
		id("309", 1, 2), an("310", 1, 30), id("1715", 1, 3)), "E0207", "C0605", "C0704"),
	"REF": std(one(id("128", 2, 3), an("127", 1, 50), an("352", 1, 80), c040), "R0203"),
	"DMG": std(one(id("1250", 2, 3), an("1251", 1, 35), id("1068", 1, 1), id("1067", 1, 1),
		composite("C056", id("1109", 1, 1), id("1270", 1, 3), an("1271", 1, 30)),
		id("1066", 1, 1), id("26", 2, 3), id("659", 1, 2), r("380", 1, 15), id("1270", 1, 3),
		an("1271", 1, 30)), "P0102", "P1011", "C1105"),
	"HL": std(one(an("628", 1, 12), an("734", 1, 12), an("735", 1, 2), id("736", 1, 1))),
	"PRV": std(one(id("1221", 1, 3), id("128", 2, 3), an("127", 1, 50), id("156", 2, 2),
		composite("C035", id("44", 1, 2), an("1222", 1, 4)), id("1223", 3, 3)), "P0203"),
	"CUR": std(cat(one(id("98", 2, 3), id("100", 3, 3), r("280", 4, 10), id("98", 2, 3),
		id("100", 3, 3), id("669", 3, 3)), rep(5, id("374", 3, 3), dt("373"), tm("337")))),
	"SBR": std(one(id("1138", 1, 1), id("1069", 2, 2), an("127", 1, 50), an("93", 1, 60),
		id("1336", 1, 3), id("1143", 1, 1), id("1073", 1, 1), id("584", 1, 2), id("1032", 1, 2))),
	"PAT": std(one(id("1069", 2, 2), id("1384", 1, 1), id("584", 1, 2), id("1220", 1, 1),
		id("1250", 2, 3), an("1251", 1, 35), id("355", 2, 2), r("81", 1, 10), id("1073", 1, 1)),
		"P0506", "P0708"),
	"CLM": std(one(an("1028", 1, 38), r("782", 1, 18), id("1032", 1, 2), id("1343", 1, 2),
		composite("C023", an("1331", 1, 2), id("1332", 1, 2), id("1325", 1, 1)),
		id("1073", 1, 1), id("1359", 1, 1), id("1073", 1, 1), id("1363", 1, 1), id("1351", 1, 1),
		composite("C024", id("1362", 2, 3), id("1362", 2, 3), id("1362", 2, 3), id("156", 2, 2), id("26", 2, 3)),
		id("1366", 2, 3), id("1073", 1, 1), id("1338", 1, 1), id("1360", 1, 1), id("1029", 1, 2),
		id("1383", 1, 3), id("1073", 1, 1), id("1514", 1, 2), id("1514", 1, 2))),
	"DTP": std(one(id("374", 3, 3), id("1250", 2, 3), an("1251", 1, 35))),
	"PWK": std(one(id("755", 2, 2), id("756", 1, 2), n0("757", 1, 2), id("98", 2, 3), id("66", 1, 2),
		an("67", 2, 80), an("352", 1, 80),
		composite("C002", id("704", 1, 2), id("704", 1, 2), id("704", 1, 2), id("704", 1, 2), id("704", 1, 2)),
		id("1525", 1, 2)), "P0506"),
	"CN1": std(one(id("1166", 2, 2), r("782", 1, 18), r("332", 1, 6), an("127", 1, 50), r("338", 1, 6), an("799", 1, 30))),
	"AMT": std(one(id("522", 1, 3), r("782", 1, 18), id("478", 1, 1))),
	"K3":  std(one(an("449", 1, 80), id("1333", 1, 2), c001)),
	"NTE": std(one(id("363", 3, 3), an("352", 1, 80))),
	"CR1": std(one(id("355", 2, 2), r("81", 1, 10), id("1316", 1, 1), id("1317", 1, 1), id("355", 2, 2),
		r("380", 1, 15), an("352", 1, 80), an("352", 1, 80), an("352", 1, 80), an("352", 1, 80)), "P0102", "P0506"),
	"CR2": std(one(n0("609", 1, 9), r("380", 1, 15), n0("1367", 1, 3), n0("1367", 1, 3), id("355", 2, 2),
		r("380", 1, 15), r("380", 1, 15), id("1342", 1, 1), id("1073", 1, 1), an("352", 1, 80),
		an("352", 1, 80), id("1073", 1, 1)), "P0304", "P0506"),
	"CR3": std(one(id("1322", 1, 1), id("355", 2, 2), r("380", 1, 15), id("1335", 1, 1), an("352", 1, 80)), "P0203"),
	"CRC": std(one(id("1136", 2, 2), id("1073", 1, 1), id("1321", 2, 3), id("1321", 2, 3), id("1321", 2, 3),
		id("1321", 2, 3), id("1321", 2, 3))),
	"HI": std(rep(12, c022)),
	"HCP": std(one(id("1473", 2, 2), r("782", 1, 18), r("782", 1, 18), an("127", 1, 50), r("118", 1, 9),
		an("127", 1, 50), r("782", 1, 18), an("234", 1, 48), id("235", 2, 2), an("234", 1, 48),
		id("355", 2, 2), r("380", 1, 15), id("901", 2, 2), id("1526", 1, 2), id("1527", 1, 2)),
		"R0113", "P0910", "P1112"),
	"CL1": std(one(id("1315", 1, 1), id("1314", 1, 1), id("1352", 1, 2), id("1345", 1, 1))),
	"CAS": std(cat(one(id("1033", 1, 2)), rep(6, id("1034", 1, 5), r("782", 1, 18), r("380", 1, 15))),
		"L050607", "C0605", "C0705", "L080910", "C0908", "C1008", "L111213", "C1211", "C1311",
		"L141516", "C1514", "C1614", "L171819", "C1817", "C1917"),
	"OI": std(one(id("1032", 1, 2), id("1383", 1, 2), id("1073", 1, 1), id("1351", 1, 1), id("1360", 1, 1), id("1363", 1, 1))),
	"MOA": std(one(r("954", 1, 10), r("782", 1, 18), an("127", 1, 50), an("127", 1, 50), an("127", 1, 50),
		an("127", 1, 50), an("127", 1, 50), r("782", 1, 18), r("782", 1, 18))),
	"MIA": std(cat(one(r("380", 1, 15), r("782", 1, 18), r("380", 1, 15), r("782", 1, 18), an("127", 1, 50)),
		rep(14, r("782", 1, 18)), rep(4, an("127", 1, 50)), one(r("782", 1, 18)))),
	"LX": std(one(n0("554", 1, 6))),
	"SV1": std(one(c003, r("782", 1, 18), id("355", 2, 2), r("380", 1, 15), an("1331", 1, 2), id("1365", 1, 2),
		composite("C004", n0("1328", 1, 2), n0("1328", 1, 2), n0("1328", 1, 2), n0("1328", 1, 2)),
		r("782", 1, 18), id("1073", 1, 1), id("1340", 1, 2), id("1073", 1, 1), id("1073", 1, 1),
		id("1364", 1, 2), an("1341", 1, 2), id("1327", 1, 1), id("1334", 1, 2), an("127", 1, 50),
		id("116", 3, 15), r("380", 1, 15), id("1337", 1, 1), id("1360", 1, 1)), "P0304"),
	"SV2": std(one(an("234", 1, 48), c003, r("782", 1, 18), id("355", 2, 2), r("380", 1, 15), r("1371", 1, 10),
		r("782", 1, 18), id("1073", 1, 1), id("1345", 1, 1), id("1337", 1, 1), id("1351", 1, 1)), "P0405"),
	"SV5": std(one(c003, id("355", 2, 2), r("380", 1, 15), r("782", 1, 18), r("782", 1, 18), id("594", 1, 1), id("923", 1, 1))),
	"QTY": std(one(id("673", 2, 2), r("380", 1, 15), c001, an("61", 1, 30)), "R0204", "E0204"),
	"MEA": std(one(id("737", 2, 2), id("738", 1, 3), r("739", 1, 20), c001, r("740", 1, 20), r("741", 1, 20),
		id("935", 2, 2), id("936", 1, 2), id("752", 2, 2), id("1373", 1, 1), id("1270", 1, 3), an("1271", 1, 30))),
	"PS1": std(one(an("127", 1, 50), r("782", 1, 18), id("156", 2, 2))),
	"LIN": std(cat(one(an("350", 1, 20)), rep(15, id("235", 2, 2), an("234", 1, 48)))),
	"CTP": std(one(id("687", 2, 2), id("236", 3, 3), r("212", 1, 17), r("380", 1, 15), c001, id("648", 3, 3),
		r("649", 1, 10), r("782", 1, 18), id("639", 2, 2), an("499", 1, 10), n0("289", 1, 2))),
	"SVD": std(one(an("67", 2, 80), r("782", 1, 18), c003, an("234", 1, 48), r("380", 1, 15), n0("554", 1, 6))),
	"LQ":  std(one(id("1270", 1, 3), an("1271", 1, 30)), "C0102"),
	"FRM": std(one(an("350", 1, 20), id("1073", 1, 1), an("127", 1, 50), dt("373"), r("332", 1, 6)), "R02030405"),
}
