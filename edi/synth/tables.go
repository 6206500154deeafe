package synth

// Built-in lists the generator draws from. Every person and organisation name
// is made up; procedure codes are HCPCS Level II (public domain) or obviously
// invented ZZ codes, never CPT; diagnosis codes are ICD-10-CM (public domain)
// written without the decimal point.

// lastNames are invented surnames shared by members, dependents and clinicians.
var lastNames = [...]string{
	"ALDERVANE", "BRISKHOLT", "CORVANTH", "DELLIWICK", "EMBERTHAW", "FARNOCK",
	"GLENDIVAR", "HOLLOWAYNE", "IRONSKELL", "JASPERLY", "KELDMOOR", "LUMBRIGHT",
	"MARRIVALE", "NOXHAVEN", "OSTRELLIN", "PALLORWICK", "QUORNBY", "RUSTAVEN",
	"SELVORNE", "THISTLEMAW", "UMBERSLY", "VELLAMIR", "WRENHOLLOW", "XANDERVY",
	"YARROWEN", "ZANTOVIC", "BLACKQUILL", "CINDERHOLM", "DUSKWATER", "FENNIMORROW",
	"GRAVENTHORP", "HAZELKNOCK",
}

// femaleNames and maleNames are invented given names; DMG03 follows the list.
var femaleNames = [...]string{
	"AMBRELLE", "BRIVANNA", "CELISSA", "DORAVELLE", "ELOWYNA", "FAYLISSE",
	"GWENDARA", "HESPERINE", "ISOLVA", "JORELLA", "KESTRINA", "LUVELLA",
	"MIRABETTE", "NERISSAI", "ORLAVIE", "PERILLYN",
}

var maleNames = [...]string{
	"ANDORIC", "BRAXLEY", "CORVIND", "DASHTOVE", "EZRIOL", "FENWALD",
	"GARRION", "HALVORED", "IVORSEN", "JORVETH", "KASSIVAN", "LORIMUND",
	"MARVANE", "NOLLANDER", "ORRIVECK", "PELLANTE",
}

// streets are invented street names; a house number is added in front.
var streets = [...]string{
	"LANTERN WAY", "QUILL ST", "BRAMBLE AVE", "COPPERLEAF RD", "MOSSGATE LN",
	"TINDERBOX CT", "WILLOWMERE DR", "HEARTHSTONE BLVD", "FOXGLOVE PL", "SPARROWFIELD RD",
	"IRONWOOD ST", "KETTLEBROOK AVE",
}

type city struct {
	name, state string
	zipLo       int // first three ZIP digits, inclusive range
	zipHi       int
}

// cities are invented town names placed in real states with plausible ZIP3 ranges.
var cities = [...]city{
	{"MAPLEHOLLOW", "WI", 530, 549},
	{"CEDARBROOK", "WI", 530, 549},
	{"LAKEVALE", "WI", 530, 549},
	{"FENWATER", "IL", 600, 629},
	{"STONEMERE", "MN", 550, 567},
	{"BRIARFORD", "IA", 500, 528},
	{"OTTERBANK", "MI", 480, 499},
	{"HOLLISCROFT", "WI", 530, 549},
}

// groupPlans and tpas give each synthetic employer group a plan and a TPA.
var groupPlans = [...]struct {
	plan   string // roster plan column
	filing string // SBR09 claim filing indicator
}{
	{"PPO", "12"}, {"HMO", "HM"}, {"EPO", "14"}, {"POS", "13"},
}

var tpas = [...]string{"SYNTH TPA NORTH", "SYNTH TPA SOUTH", "SYNTH TPA WEST"}

// diagnoses are ICD-10-CM codes without the decimal point.
var diagnoses = [...]string{
	"Z0000", "Z23", "R69", "J069", "I10", "E119", "K219", "N390",
	"R5383", "R0602", "R051", "S93401A", "M25561", "R109",
}

type procedure struct {
	code     string   // HCPCS Level II or invented ZZ code
	minCents int64    // unit price range, inclusive lower bound
	maxCents int64    // exclusive upper bound
	maxUnits int      // units drawn from 1..maxUnits
	mods     []string // HCPCS Level II modifiers that may be appended
	rev      string   // 837I revenue code this procedure is billed under
}

// profProcedures are the 837P SV101 codes.
var profProcedures = [...]procedure{
	{code: "A0428", minCents: 25000, maxCents: 60000, maxUnits: 1},
	{code: "A0425", minCents: 800, maxCents: 1500, maxUnits: 30},
	{code: "J1100", minCents: 500, maxCents: 2500, maxUnits: 4},
	{code: "J3420", minCents: 1500, maxCents: 4500, maxUnits: 1},
	{code: "G0008", minCents: 2500, maxCents: 5000, maxUnits: 1},
	{code: "G0009", minCents: 2500, maxCents: 5000, maxUnits: 1},
	{code: "G0439", minCents: 12000, maxCents: 22000, maxUnits: 1},
	{code: "E0114", minCents: 4000, maxCents: 9000, maxUnits: 1, mods: []string{"NU", "RR"}},
	{code: "E0601", minCents: 9000, maxCents: 25000, maxUnits: 1, mods: []string{"RR", "KX"}},
	{code: "L3000", minCents: 8000, maxCents: 20000, maxUnits: 2, mods: []string{"RT", "LT"}},
	{code: "A4253", minCents: 3000, maxCents: 6000, maxUnits: 3, mods: []string{"KX"}},
	{code: "ZZ001", minCents: 5000, maxCents: 30000, maxUnits: 2, mods: []string{"GY"}},
	{code: "ZZ002", minCents: 1000, maxCents: 9000, maxUnits: 6},
}

// instAncillary are 837I lines other than room and board. An empty code means
// the line carries only a revenue code (SV202 omitted).
var instAncillary = [...]procedure{
	{rev: "0250", minCents: 1000, maxCents: 20000, maxUnits: 4},
	{rev: "0300", code: "ZZ002", minCents: 2000, maxCents: 15000, maxUnits: 3},
	{rev: "0300", code: "ZZ001", minCents: 4000, maxCents: 30000, maxUnits: 1},
	{rev: "0450", code: "G0380", minCents: 30000, maxCents: 120000, maxUnits: 1},
	{rev: "0636", code: "J1100", minCents: 500, maxCents: 2500, maxUnits: 4},
	{rev: "0636", code: "J3420", minCents: 1500, maxCents: 4500, maxUnits: 1},
	{rev: "0270", code: "A4253", minCents: 3000, maxCents: 6000, maxUnits: 2},
	{rev: "0274", code: "L3000", minCents: 8000, maxCents: 20000, maxUnits: 1, mods: []string{"RT", "LT"}},
	{rev: "0290", code: "E0114", minCents: 4000, maxCents: 9000, maxUnits: 1, mods: []string{"NU"}},
	{rev: "0540", code: "A0428", minCents: 25000, maxCents: 60000, maxUnits: 1},
}

// roomAndBoard is the first line of every inpatient 837I claim (units are days).
var roomAndBoard = procedure{rev: "0120", minCents: 90000, maxCents: 250000}

// Taxonomy codes (NUCC) used in PRV segments.
var (
	profBillingTaxonomies = [...]string{"261QP2300X", "207Q00000X", "332B00000X", "341600000X"}
	instBillingTaxonomy   = "282N00000X"
	clinicianTaxonomies   = [...]string{"207Q00000X", "208D00000X", "207R00000X", "363LF0000X"}
)

// profOrgSuffixes and instOrgSuffixes name billing providers: "<city> <suffix>".
var (
	profOrgSuffixes = [...]string{"FAMILY CLINIC", "MEDICAL GROUP", "HOME MEDICAL SUPPLY", "AMBULANCE SERVICE"}
	instOrgSuffixes = [...]string{"GENERAL HOSPITAL", "COMMUNITY HOSPITAL", "REGIONAL MEDICAL CENTER"}
)

// knownPayerNames names the payer IDs from the project's routing seed; other
// IDs get payerNameDefault.
var knownPayerNames = map[string]string{
	"2712":  "THE ALLIANCE",
	"1935":  "THE ALLIANCE",
	"88461": "THE ALLIANCE",
}

const payerNameDefault = "SYNTHETIC PAYER"
