package schema

// Pieces shared by the 837P and 837I tables: the header, submitter and
// receiver loops, and the patterns of NM1/N3/N4/REF/PER/DMG/DTP/AMT uses.

// NM1 usage strings (NM101..NM112).
const (
	nmOrgID      = "RRRNNNNRRNNN" // organization name with identifier
	nmPartyID    = "RRRSSNNRRNNN" // person or organization with identifier, no suffix
	nmProvider   = "RRRSSNSSSNNN" // provider: name, suffix, NPI when it has one
	nmOrgNPI     = "RRRNNNNSSNNN" // organization with optional NPI (facilities)
	nmMember     = "RRRSSNSRRNNN" // subscriber / other subscriber with member ID
	nmPerson     = "RRRSSNSNNNNN" // patient: name only
	nmEntityOnly = "RRNNNNNNNNNN" // entity and type only (IDs follow in REF)
	nmAddrOnly   = "RRSNNNNNNNNN" // entity, type, optional name (ambulance locations)
)

// nm1 declares an NM1 use identified by its entity code(s).
func nm1(use usage, uses string, entities []string, opts ...opt) item {
	return seg("NM1", use, 1, uses, append([]opt{key(1, entities...)}, opts...)...)
}

func ents(e ...string) []string { return e }

// types restricts NM102.
func types(t ...string) opt { return codes(2, t...) }

// idq restricts NM108.
func idq(q ...string) opt { return codes(8, q...) }

func n3(use usage) item { return seg("N3", use, 1, "RS") }
func n4(use usage) item { return seg("N4", use, 1, "RSSSNNS") }

// ref declares a REF use for the listed qualifiers.
func ref(use usage, max int, quals ...string) item {
	return seg("REF", use, max, "RR", key(1, quals...))
}

// per declares a PER contact use.
func per(use usage, max int) item {
	comm := []string{"EM", "EX", "FX", "TE"}
	return seg("PER", use, max, "RSRRSSSS", key(1, "IC"), codes(3, "EM", "FX", "TE"),
		codes(5, comm...), codes(7, comm...))
}

// dmg declares a demographics use.
func dmg(use usage) item {
	return seg("DMG", use, 1, "RRR", codes(1, "D8"), period(2, 1), codes(3, "F", "M", "U"))
}

// Date format qualifier sets for DTP02.
var (
	fD8    = []string{"D8"}
	fRD8   = []string{"RD8"}
	fD8RD8 = []string{"D8", "RD8"}
	fD8DT  = []string{"D8", "DT"}
	fTM    = []string{"TM"}
)

// dtp declares a DTP use for the listed date qualifiers and formats.
func dtp(use usage, max int, formats []string, quals ...string) item {
	return seg("DTP", use, max, "RRR", key(1, quals...), codes(2, formats...), period(3, 2))
}

// amt declares an AMT use.
func amt(use usage, quals ...string) item {
	return seg("AMT", use, 1, "RR", key(1, quals...))
}

// nte declares an NTE use.
func nte(use usage, max int, quals ...string) item {
	return seg("NTE", use, max, "RR", key(1, quals...))
}

// prv declares a PRV taxonomy use.
func prv(use usage, kind string) item {
	return seg("PRV", use, 1, "RRR", key(1, kind), codes(2, "PXC"))
}

// k3 declares the file information segment.
func k3(use usage) item { return seg("K3", use, 10, "R") }

// pwk declares claim or line supplemental information.
func pwk(use usage, max int, opts ...opt) item {
	return seg("PWK", use, max, "RRNNSS", append([]opt{codes(2, "AA", "BM", "EL", "EM", "FT", "FX"),
		codes(5, "AC")}, opts...)...)
}

// cn1 declares contract information.
func cn1(use usage) item {
	return seg("CN1", use, 1, "RSSSSS", codes(1, "01", "02", "03", "04", "05", "06", "09"))
}

// cas declares claim adjustments (2320, 2430).
func cas(use usage) item {
	return seg("CAS", use, 5, "RRRS"+"SSS"+"SSS"+"SSS"+"SSS"+"SSS", codes(1, "CO", "CR", "OA", "PI", "PR"))
}

// Code lists shared by both 837s.
var (
	payerResp   = []string{"A", "B", "C", "D", "E", "F", "G", "H", "P", "S", "T", "U"}
	filingCodes = []string{"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS",
		"FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
	relationCodes  = []string{"01", "18", "19", "20", "21", "39", "40", "53", "G8"}
	patientRel     = []string{"01", "19", "20", "21", "39", "40", "53", "G8"}
	hcpMethods     = []string{"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14"}
	hcpReject      = []string{"T1", "T2", "T3", "T4", "T5", "T6"}
	yesNo          = []string{"N", "Y"}
	positions2to12 = []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	positions1to12 = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
)

// header returns ST and BHT.
func header() []item {
	return group(
		// ST02/SE02 matching, SE01 and ST03 = GS08 are envelope checks (IK5).
		seg("ST", uR, 1, "RRR", codes(1, "837"), envelopeSeg(), loopName("HEADER")),
		seg("BHT", uR, 1, "RRRRRR", codes(1, "0019"), codes(2, "00", "18"), codes(6, "31", "CH", "RP"),
			loopName("HEADER")),
	)
}

// trailer returns SE.
func trailer() item {
	return seg("SE", uR, 1, "RR", envelopeSeg(), loopName("TRAILER"))
}

// submitterReceiver returns loops 1000A and 1000B.
func submitterReceiver() []item {
	return group(
		loop("1000A", uR, 1,
			nm1(uR, nmPartyID, ents("41"), types("1", "2"), idq("46")),
			per(uR, 2)),
		loop("1000B", uR, 1,
			nm1(uR, nmOrgID, ents("40"), types("2"), idq("46"))),
	)
}

// hlSeg declares the HL of a hierarchical level.
func hlSeg(level string, parent usage, child ...string) item {
	return seg("HL", uR, 1, "R"+string(parent)+"RR", key(3, level), codes(4, child...))
}

// sbr2000B declares the subscriber SBR; insType is the usage of SBR05.
func sbr2000B(insType usage) item {
	return seg("SBR", uR, 1, "RSSS"+string(insType)+"NNNS", codes(1, payerResp...), codes(2, "18"),
		codes(5, "12", "13", "14", "15", "16", "41", "42", "43", "47"), codes(9, filingCodes...))
}

// sbr2320 declares the other subscriber SBR.
func sbr2320() item {
	return seg("SBR", uR, 1, "RRSSSNNNS", codes(1, payerResp...), codes(2, relationCodes...),
		codes(5, "12", "13", "14", "15", "16", "41", "42", "43", "47"), codes(9, filingCodes...))
}

// payTo returns loops 2010AB (pay-to address) and 2010AC (pay-to plan).
func payTo() []item {
	return group(
		loop("2010AB", uS, 1,
			nm1(uR, "RR", ents("87"), types("1", "2")),
			n3(uR), n4(uR)),
		loop("2010AC", uS, 1,
			nm1(uR, nmOrgID, ents("PE"), types("2"), idq("PI", "XV")),
			n3(uS), n4(uS),
			ref(uS, 2, "2U", "FY", "NF"),
			ref(uS, 1, "EI")),
	)
}

// payer2010BB returns the payer name loop.
func payer2010BB() item {
	return loop("2010BB", uR, 1,
		nm1(uR, nmOrgID, ents("PR"), types("2"), idq("PI", "XV")),
		n3(uS), n4(uS),
		ref(uS, 3, "2U", "EI", "FY", "NF"),
		ref(uS, 2, "G2", "LU"))
}

// subscriber2010BA returns the subscriber name loop.
func subscriber2010BA() item {
	return loop("2010BA", uR, 1,
		nm1(uR, nmMember, ents("IL"), types("1", "2"), idq("II", "MI")),
		n3(uS), n4(uS), dmg(uS),
		ref(uS, 1, "SY"),
		ref(uS, 1, "Y4"),
		per(uS, 1))
}

// patient2010CA returns the patient name loop.
func patient2010CA() item {
	return loop("2010CA", uR, 1,
		nm1(uR, nmPerson, ents("QC"), types("1")),
		n3(uR), n4(uR), dmg(uR),
		ref(uS, 1, "Y4"),
		ref(uS, 1, "1W", "SY"),
		per(uS, 1))
}

// otherPayer2320 returns loop 2320 with its 2330 children.
func otherPayer2320(tail []item, providers []item) item {
	return loopOf("2320", uS, 10,
		group(sbr2320(), cas(uS),
			amt(uS, "D"), amt(uS, "A8"), amt(uS, "EAF"),
			seg("OI", uR, 1, "NNRSNR", codes(3, "N", "W", "Y"), codes(4, "P"), codes(6, "I", "Y"))),
		tail,
		group(
			loop("2330A", uR, 1,
				nm1(uR, nmMember, ents("IL"), types("1", "2"), idq("II", "MI")),
				n3(uS), n4(uS),
				ref(uS, 1, "SY")),
			loop("2330B", uR, 1,
				nm1(uR, nmOrgID, ents("PR"), types("2"), idq("PI", "XV")),
				n3(uS), n4(uS),
				dtp(uS, 1, fD8, "573"),
				ref(uS, 2, "2U", "EI", "FY", "NF"),
				ref(uS, 1, "G1"), ref(uS, 1, "9F"), ref(uS, 1, "T4"), ref(uS, 1, "F8"))),
		providers)
}

// otherPayerProvider returns a 2330C.. loop: entity code(s) and REF IDs.
func otherPayerProvider(lid string, max int, entities []string, nmTypes []string, refMax int, quals ...string) item {
	return loop(lid, uS, max,
		nm1(uR, nmEntityOnly, entities, types(nmTypes...)),
		ref(uR, refMax, quals...))
}

// moa declares outpatient adjudication information.
func moa() item { return seg("MOA", uS, 1, "SSSSSSSSS") }

// drug2410 returns the drug identification loop.
func drug2410() item {
	return loop("2410", uS, 1,
		seg("LIN", uR, 1, "NRR", codes(2, "EN", "EO", "HI", "N4", "ON", "UK", "UP")),
		seg("CTP", uR, 1, "NNNRR", cu(5, "R"), ccodes(5, 1, "F2", "GR", "ME", "ML", "UN")),
		ref(uS, 1, "VY", "XZ"))
}

// adjudication2430 returns the line adjudication loop; svd is its SVD use.
func adjudication2430(svd item) item {
	return loop("2430", uS, 15,
		svd,
		cas(uS),
		dtp(uR, 1, fD8, "573"),
		amt(uS, "EAF"))
}

// svd declares the line adjudication SVD; revenue is the usage of SVD04.
func svd(revenue usage, procQuals ...string) item {
	return seg("SVD", uR, 1, "RRR"+string(revenue)+"RS", cu(3, "RRSSSSS"), ccodes(3, 1, procQuals...))
}

// hcp declares a pricing segment with the given usage string and HCP01 codes.
func hcp(uses string, methods []string, opts ...opt) item {
	return seg("HCP", uS, 1, uses, append([]opt{codes(1, methods...), codes(13, hcpReject...),
		codes(14, "1", "2", "3", "4", "5"), codes(15, "1", "2", "3", "4", "5", "6")}, opts...)...)
}

// hiComposite sets the components of HI elements: usage and qualifier codes
// for every listed element position.
func hiComposite(positions []int, compUse string, quals ...string) opt {
	return func(s *segDef) {
		for _, p := range positions {
			cu(p, compUse)(s)
			ccodes(p, 1, quals...)(s)
		}
	}
}
