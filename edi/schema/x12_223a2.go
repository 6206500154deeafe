package schema

// 837 Health Care Claim: Institutional, 005010X223A2.

var schema837I = (&Schema{
	setID:      "837",
	version:    "005010X223A2",
	lineSeg:    "SV2",
	lineCharge: 3,
	claimIDs:   true,
	// 5010 837I: billing provider and service facility location.
	zip9: []string{"2010AA", "2310E"},
	root: loopOf("", uR, 1,
		header(),
		submitterReceiver(),
		group(billing2000AI()),
		group(trailer()),
	).loop,
}).build()

// Institutional claim frequency codes (third digit of the type of bill)
// that a provider submits, and the payer/CMS-initiated ones the guide's
// external code list holds but providers do not send.
var (
	freqInstitutional = []string{"0", "1", "2", "3", "4", "5", "7", "8", "9", "A", "B", "C", "D", "E", "Q"}
	freqPayerOnly     = []string{"6", "F", "G", "H", "I", "J", "K", "M", "O", "P", "X", "Y", "Z"}
	poa               = []string{"N", "U", "W", "Y"}
)

func billing2000AI() item {
	return hl("2000A", uR, "20",
		hlSeg("20", uN, "1"),
		prv(uS, "BI"),
		seg("CUR", uS, 1, "RR", key(1, "85")),
		loop("2010AA", uR, 1,
			nm1(uR, nmOrgNPI, ents("85"), types("2"), idq("XX")),
			n3(uR), n4(uR),
			ref(uR, 1, "EI"),
			ref(uS, 2, "0B", "1G"),
			per(uS, 2)),
		payTo()[0], payTo()[1],
		hl("2000B", uR, "22",
			hlSeg("22", uR, "0", "1"),
			sbr2000B(uN),
			// The base standard has PAT here; the institutional guide does not use it.
			place("PAT", uN, 1),
			subscriber2010BA(),
			payer2010BB(),
			claim2300I(uS),
			hl("2000C", uS, "23",
				hlSeg("23", uR, "0"),
				seg("PAT", uR, 1, "R", codes(1, patientRel...)),
				patient2010CA(),
				claim2300I(uR))))
}

func claim2300I(use usage) item {
	return loopOf("2300", use, 100,
		group(
			seg("CLM", uR, 1, "RRNNRNRRRNNNNNNNNNNS",
				cu(5, "RRR"), ccodes(5, 2, "A"), ccodes(5, 3, freqInstitutional...),
				codes(7, "A", "B", "C"), codes(8, "N", "W", "Y"), codes(9, "I", "Y"),
				codes(20, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "15"),
				func(s *segDef) { s.comp(5, 3).notIG = freqPayerOnly }),
			dtp(uS, 1, fTM, "096"),
			dtp(uR, 1, fRD8, "434"),
			dtp(uS, 1, fD8DT, "435"),
			dtp(uS, 1, fD8, "050"),
			seg("CL1", uS, 1, "SSR"),
			pwk(uS, 10),
			cn1(uS),
			amt(uS, "F3"),
			ref(uS, 1, "4N"), ref(uS, 1, "9F"), ref(uS, 1, "G1"), ref(uS, 1, "F8"),
			ref(uS, 1, "9A"), ref(uS, 1, "9C"), ref(uS, 1, "LX"), ref(uS, 1, "LU"),
			ref(uS, 1, "D9"), ref(uS, 1, "EA"), ref(uS, 1, "P4"), ref(uS, 1, "G4"),
			k3(uS),
			nte(uS, 10, "ALG", "DGN", "DME", "MED", "NTR", "ODT", "RHB", "RLH", "RNH", "SET", "SFM", "UPI"),
			nte(uS, 1, "ADD"),
			seg("CRC", uS, 1, "RRRSS", key(1, "ZZ"), codes(2, yesNo...)),
			seg("HI", uR, 1, "R", keyc(1, 1, "ABK", "BK"), hiComposite([]int{1}, "RRNNNNNNS", "ABK", "BK"),
				ccodes(1, 9, poa...)),
			seg("HI", uS, 1, "R", keyc(1, 1, "ABJ", "BJ"), hiComposite([]int{1}, "RR", "ABJ", "BJ")),
			seg("HI", uS, 1, "RSS", keyc(1, 1, "APR", "PR"), hiComposite([]int{1, 2, 3}, "RR", "APR", "PR")),
			seg("HI", uS, 1, "RSSSSSSSSSSS", keyc(1, 1, "ABN", "BN"),
				hiComposite(positions1to12, "RRNNNNNNS", "ABN", "BN"), each(poaAt, positions1to12...)),
			seg("HI", uS, 1, "R", keyc(1, 1, "DR"), hiComposite([]int{1}, "RR", "DR")),
			seg("HI", uS, 2, "RSSSSSSSSSSS", keyc(1, 1, "ABF", "BF"),
				hiComposite(positions1to12, "RRNNNNNNS", "ABF", "BF"), each(poaAt, positions1to12...)),
			seg("HI", uS, 1, "R", keyc(1, 1, "BBR", "BR", "CAH"), hiComposite([]int{1}, "RRRR", "BBR", "BR", "CAH"),
				ccodes(1, 3, "D8"), cperiod(1, 4, 3)),
			seg("HI", uS, 2, "RSSSSSSSSSSS", keyc(1, 1, "BBQ", "BQ"),
				hiComposite(positions1to12, "RRRR", "BBQ", "BQ"), each(datedAt("D8"), positions1to12...)),
			seg("HI", uS, 2, "RSSSSSSSSSSS", keyc(1, 1, "BI"),
				hiComposite(positions1to12, "RRRR", "BI"), each(datedAt("RD8"), positions1to12...)),
			seg("HI", uS, 2, "RSSSSSSSSSSS", keyc(1, 1, "BH"),
				hiComposite(positions1to12, "RRRR", "BH"), each(datedAt("D8"), positions1to12...)),
			seg("HI", uS, 2, "RSSSSSSSSSSS", keyc(1, 1, "BE"), hiComposite(positions1to12, "RRNNR", "BE")),
			seg("HI", uS, 2, "RSSSSSSSSSSS", keyc(1, 1, "BG"), hiComposite(positions1to12, "RR", "BG")),
			seg("HI", uS, 1, "RSSSSSSSSSSS", keyc(1, 1, "TC"), hiComposite(positions1to12, "RR", "TC")),
			hcp("RRSSSSSSNNSSSSS", hcpMethods, codes(11, "DA", "UN")),
		),
		group(
			loop("2310A", uS, 1,
				nm1(uR, nmProvider, ents("71"), types("1"), idq("XX")),
				prv(uS, "AT"),
				ref(uS, 4, "0B", "1G", "G2", "LU")),
			loop("2310B", uS, 1,
				nm1(uR, nmProvider, ents("72"), types("1"), idq("XX")),
				ref(uS, 4, "0B", "1G", "G2", "LU")),
			loop("2310C", uS, 1,
				nm1(uR, nmProvider, ents("ZZ"), types("1"), idq("XX")),
				ref(uS, 4, "0B", "1G", "G2", "LU")),
			loop("2310D", uS, 1,
				nm1(uR, nmProvider, ents("82"), types("1"), idq("XX")),
				ref(uS, 4, "0B", "1G", "G2", "LU")),
			loop("2310E", uS, 1,
				nm1(uR, nmOrgNPI, ents("77"), types("2"), idq("XX")),
				n3(uR), n4(uR),
				ref(uS, 3, "0B", "G2", "LU")),
			loop("2310F", uS, 1,
				nm1(uR, nmProvider, ents("DN"), types("1"), idq("XX")),
				ref(uS, 3, "0B", "1G", "G2")),
			otherPayer2320(group(place("MIA", uS, 1), moa()), group(
				otherPayerProvider("2330C", 1, ents("71"), ents("1"), 3, "0B", "1G", "G2", "LU"),
				otherPayerProvider("2330D", 1, ents("72"), ents("1"), 3, "0B", "1G", "G2", "LU"),
				otherPayerProvider("2330E", 1, ents("ZZ"), ents("1"), 3, "0B", "1G", "G2", "LU"),
				otherPayerProvider("2330F", 1, ents("77"), ents("2"), 3, "0B", "G2", "LU"),
				otherPayerProvider("2330G", 1, ents("82"), ents("1"), 3, "0B", "1G", "G2", "LU"),
				otherPayerProvider("2330H", 1, ents("DN"), ents("1"), 3, "0B", "1G", "G2"),
				otherPayerProvider("2330I", 1, ents("85"), ents("2"), 2, "G2", "LU"))),
			line2400I(),
		))
}

// poaAt allows the present-on-admission indicator in component 9 of HI
// element pos.
func poaAt(pos int) opt { return ccodes(pos, 9, poa...) }

// datedAt makes component 3 of HI element pos a date format qualifier with
// the given code and component 4 a date in that format.
func datedAt(format string) func(pos int) opt {
	return func(pos int) opt {
		return func(s *segDef) {
			ccodes(pos, 3, format)(s)
			cperiod(pos, 4, 3)(s)
		}
	}
}

func line2400I() item {
	return loopOf("2400", uR, 999,
		group(
			seg("LX", uR, 1, "R"),
			seg("SV2", uR, 1, "RSRRRSS",
				cu(2, "RRSSSSS"), ccodes(2, 1, "ER", "HC", "HP", "IV", "WK"),
				codes(4, "DA", "UN")),
			pwk(uS, 10),
			dtp(uS, 1, fD8RD8, "472"),
			ref(uS, 1, "6R"), ref(uS, 1, "9B"), ref(uS, 1, "9D"),
			amt(uS, "GT"), amt(uS, "N8"),
			nte(uS, 1, "TPO"),
			hcp("RRSSSSSSSSSSSSS", hcpMethods, codes(9, "ER", "HC", "HP", "IV", "WK"), codes(11, "DA", "UN")),
		),
		group(
			drug2410(),
			loop("2420A", uS, 1,
				nm1(uR, nmProvider, ents("72"), types("1"), idq("XX")),
				ref(uS, 20, "0B", "1G", "G2", "LU")),
			loop("2420B", uS, 1,
				nm1(uR, nmProvider, ents("ZZ"), types("1"), idq("XX")),
				ref(uS, 20, "0B", "1G", "G2", "LU")),
			loop("2420C", uS, 1,
				nm1(uR, nmProvider, ents("82"), types("1"), idq("XX")),
				ref(uS, 20, "0B", "1G", "G2", "LU")),
			loop("2420D", uS, 1,
				nm1(uR, nmProvider, ents("DN"), types("1"), idq("XX")),
				ref(uS, 20, "0B", "1G", "G2")),
			adjudication2430(svd(uS, "ER", "HC", "HP", "IV", "WK")),
		))
}
