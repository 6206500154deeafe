// Package roster keeps the member roster the clearinghouse checks claims
// against, and decides whether a claim's member is eligible: it imports
// rosters (CSV or 834 benefit enrollment) into the store, checks claim
// parties against them with indexed lookups, and pulls new roster files
// from a directory on a schedule.
//
// # Roster model
//
// One store row per enrolled person (store.Member), keyed as the 834
// import logic says (x12-reference §8): family = REF*0F subscriber
// identifier, relationship = INS02 ("18" self), birth sequence = INS17,
// and the member ID the person is identified by on claims. Names and the
// date of birth are kept exactly as sent (outer spaces trimmed); the
// member ID keeps its case. Coverage is one span per person
// (coverage_start..coverage_end, inclusive, CCYYMMDD; an empty end is
// open-ended). Every import runs in one transaction and is recorded by
// its SHA-256 in roster_imports, so the same content is applied once: a
// second import of it returns ImportResult.Duplicate and writes nothing.
//
// # CSV rosters (ImportCSV)
//
// A header row is required; columns may come in any order; unknown or
// repeated columns refuse the file. The columns (what synth.WriteRosterCSV
// writes):
//
//	member_id       required; the ID claims carry in 2010BA NM109, exact
//	last_name       required
//	first_name      required
//	dob             required; YYYY-MM-DD or CCYYMMDD
//	gender          F, M, U or empty
//	coverage_start  required; YYYY-MM-DD or CCYYMMDD
//	coverage_end    empty = open-ended; not before coverage_start
//	plan            free text (e.g. PPO)
//	group           group or policy number
//	tpa             the administrator; the scope of FullReplace
//	coverage_level  optional: 271 EB02 (IND, FAM, EMP, ESP, ECH, ...)
//	insurance_type  optional: 271 EB04 (C1, PR, HM, EP, PS, ...)
//
// Every row is a subscriber in a family of its own (family = member_id,
// relationship 18); a CSV roster does not list dependents. Rows are
// upserts. A CSV is a delta unless Opts.FullReplace says it is a
// snapshot: then, for each TPA the file names, members it does not list
// whose coverage is open on Opts.FileDate (default today) get coverage end
// = FileDate. A bad row is skipped and reported (ImportResult.Errors, a
// *CSVError with line and column); with Opts.AbortOnError it fails the
// import instead. A member listed twice in one file is refused the second
// time.
//
// # 834 rosters (Import834): the 005010X220A1 subset
//
//	BGN     BGN03 file date; BGN08 RX = full replacement file
//	DTP*007 header effective date (the file date when present)
//	N1*TV   TPA name (the members' tpa unless Opts.TPA is set)
//	INS     INS01 Y/N, INS02 relationship, INS03 maintenance type, INS17
//	        birth sequence
//	REF     2000 level: 0F subscriber identifier (required), 1L group,
//	        any qualifier as a member-ID source (Opts.MemberIDFrom)
//	DTP     2000 level: 356 eligibility begin, 357 eligibility end, 303
//	        maintenance effective
//	NM1*IL  (or 74, corrected insured) NM103 last, NM104 first, NM105
//	        middle, NM108/NM109 a member-ID source; other NM1 loops
//	        (70 prior name, 31, 36, M8, S3, QD, providers, COB) are ignored
//	DMG     the 2100A DMG only: DMG02 birth date (D8), DMG03 gender
//	HD      2300: HD01 maintenance, HD03 insurance line, HD04 plan, HD05
//	        coverage level (271 EB02); with
//	        DTP*348 benefit begin, DTP*349 benefit end and REF*1L group
//
// Member records are applied in file order. INS03 021 adds (or updates a
// member already enrolled), 001 changes the fields the record carries
// (an 001 whose every HD has HD01 024 or 025 is a termination or a
// reinstatement), 024 sets the coverage end to the latest HD DTP*349, else
// DTP*357, else DTP*303, else the file date, 025 reinstates (clears the
// end, or sets the HD DTP*349), 030 (audit) replaces the member's values.
// Coverage start is the earliest HD DTP*348 (else DTP*356); a change that
// continues current coverage keeps the earlier start. The member ID comes
// from the first non-empty source in Opts.MemberIDFrom, default
// NM109 when NM108 = ZZ, else REF*0F (so dependents without their own ID
// share the family ID, as on the subscriber's card).
//
// A file is a full snapshot when a transaction set has BGN08 = RX, or
// every member record has INS03 = 030. With Opts.FullReplace a snapshot
// terms, per TPA it names, the members it does not list, as of the file
// date. Members without a TPA are never termed for absence, and nothing is
// termed for absence when any record was refused (AbsentSkipped).
//
// A record that cannot be applied (no REF*0F, no member ID, bad INS, bad
// date, a term of a member not on the roster, a new member without name or
// begin date, a segment the tokenizer could not read) is skipped and
// reported as a RowError with its record number, byte offset, segment
// ordinal and position in the transaction set, and element; reading goes
// on. Error messages never contain names, IDs or dates.
//
// # Eligibility (Checker)
//
// Check takes what a claim says (ClaimParty: 2010BA member ID and name,
// 2010CA patient when the patient is a dependent, the dates of service)
// and returns a Decision; its error is reserved for lookup failures, which
// must not become rejections. Rules, in order:
//
//  1. The member ID must equal a roster member ID byte for byte after
//     trimming outer spaces. The comparison is case-sensitive: the
//     reference says to compare the raw values, and X12 IDs are sent in
//     upper case, so a case difference is a different ID (never silently
//     fixed). When there is no exact match, the decision says why: the
//     ID is a roster ID plus a 2-digit suffix, or a roster ID without its
//     2-digit suffix (member_id_suffix); it matches only ignoring case
//     (member_id_case); or it is unknown (member_not_found).
//  2. The subscriber name must equal the enrolled name, ignoring case and
//     outer spaces; the date of birth must be equal when both sides have
//     one.
//  3. When the patient is a dependent (Relationship other than "" or
//     "18"), the patient must match, by name (and date of birth when both
//     have one), a dependent row of the subscriber's family (the
//     subscriber's name is compared when sent: a 270 about a dependent may
//     name the subscriber by member ID only). A family
//     without dependent rows (a CSV roster) covers the dependent under
//     the subscriber's coverage unless CheckerConfig.RequireDependentRows
//     is set.
//  4. The matched coverage must include every date of service:
//     start <= ServiceFrom and ServiceTo <= end (an empty end is open).
//
// Lookups are indexed (member_id, family_id, and for the diagnostics the
// upper-cased ID and the ID without its 2-digit suffix); an LRU cache
// (CheckerConfig.CacheSize, CacheTTL) keeps recent ones. Call Purge after
// an import in the same process (the Refresher does).
//
// Decisions and their 277CA STC01 (category:status:entity; A7 "rejected
// for invalid information" for every roster rejection so the status code
// carries the meaning; verify the choices with each partner):
//
//	eligible                  -
//	member_id_missing         A6:164:IL  entity's contract/member number (missing)
//	member_not_found          A7:164:IL  entity's contract/member number
//	member_id_suffix          A7:164:IL
//	member_id_case            A7:164:IL
//	subscriber_name_mismatch  A7:125:IL  entity's name
//	subscriber_dob_mismatch   A7:158:IL  entity's date of birth
//	patient_name_mismatch     A7:125:QC
//	patient_dob_mismatch      A7:158:QC
//	patient_not_found         A7:97:QC   patient eligibility not found with entity
//	service_date_missing      A7:187     date(s) of service
//	not_covered_on_dos        A7:88:IL   entity not eligible for benefits for dates of
//	                          (88:QC for a dependent's own coverage)  service
//
// # Scheduled refresh (Refresher)
//
// RunOnce lists a directory of a Source (a transport.Remote through
// AdaptRemote), takes *.csv, *.834, *.x12 and *.edi files in name order,
// hashes each, imports it unless its digest is recorded, and moves it to
// <Archive>/<sha256 prefix>_<name>. A crash between import and archive is
// repaired by the next run (the digest is known: archive only). A file
// that fails stays in place and is reported.
//
// # Usage
//
//	st, _ := store.Open(ctx, "sqlite:/var/lib/clearinghouse/ch.db")
//	_ = st.Migrate(ctx)
//	f, _ := os.Open("roster.csv")
//	res, err := roster.ImportCSV(ctx, st, f, roster.Opts{Source: "roster.csv"})
//	// res.Added, res.Changed, res.Errors ...
//
//	checker, _ := roster.NewChecker(st, roster.CheckerConfig{})
//	d, err := checker.Check(ctx, roster.ClaimParty{
//		MemberID: "SYN00420000001", SubscriberLast: "DOE", SubscriberFirst: "JANE",
//		Relationship: "18", ServiceFrom: "20240610", ServiceTo: "20240610",
//	})
//	if err == nil && !d.Eligible {
//		stc01 := d.STC01(':') // e.g. "A7:164:IL"; d.Reason == roster.ReasonMemberIDSuffix
//		_ = stc01
//	}
//
//	r, _ := roster.NewRefresher(roster.AdaptRemote(remote), st, roster.RefresherConfig{
//		Dir: "roster", Archive: "roster/archive", Checker: checker,
//	})
//	res2, err := r.RunOnce(ctx) // from a cron job
package roster
