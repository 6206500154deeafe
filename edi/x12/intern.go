package x12

// knownIDs are segment identifiers of the healthcare transaction sets; Tag
// returns these without allocating.
var knownIDs = func() map[string]string {
	ids := []string{
		"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1",
		"AAA", "ACT", "AK1", "AK2", "AK9", "AMT", "BGN", "BHT", "BPR", "CAS", "CL1",
		"CLM", "CLP", "CN1", "COB", "CR1", "CR2", "CR3", "CR5", "CR6", "CR7", "CRC",
		"CTP", "CTX", "CUR", "DMG", "DSB", "DTM", "DTP", "EB", "EC", "EQ", "FRM", "HCP",
		"HCR", "HD", "HI", "HL", "HLH", "HSD", "ICM", "IDC", "III", "IK3", "IK4", "IK5",
		"INS", "K3", "LE", "LIN", "LQ", "LS", "LUI", "LX", "MEA", "MIA", "MOA", "MPI",
		"MSG", "N1", "N2", "N3", "N4", "NM1", "NTE", "OI", "PAT", "PER", "PLB", "PRV",
		"PS1", "PWK", "QTY", "RDM", "REF", "SBR", "STC", "SV1", "SV2", "SV3", "SV5",
		"SV6", "SV7", "SVC", "SVD", "TOO", "TRN", "TS2", "TS3", "UM", "RMR", "ENT",
		"NX1", "NX2", "ADX", "IT1", "PO1", "BEG", "BIG", "TDS", "CTT", "SAC", "ISS",
	}
	m := make(map[string]string, len(ids))
	for _, id := range ids {
		m[id] = id
	}
	return m
}()

// intern returns b as a string, without allocating for known segment IDs.
func intern(b []byte) string {
	if s, ok := knownIDs[string(b)]; ok {
		return s
	}
	return string(b)
}
