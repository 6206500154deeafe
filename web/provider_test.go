package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

// providerFixture is the fixture with the provider pages, a roster member
// for acme's claim A1, and two remittances received from a TPA: R1 for
// acme (forwarded in an 835 file; pays A1, and one payment no claim
// matched) and R2 for beta (pays B1).
type providerFixture struct {
	*fixture
	r1, r2 *store.Remittance
	// r3 pays A4 (acme, billing NPI 1111111112: acme-npi's) to that
	// payee; r4 was held (forwarded to no one) and pays A1 and B1.
	r3, r4    *store.Remittance
	unmatched int64
	out835    []byte
}

func newProviderFixture(t testing.TB, url string) *providerFixture {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, url)
	checker, err := roster.NewChecker(f.st, roster.CheckerConfig{CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	el, err := inquiry.NewEligibility(checker, inquiry.EligibilityConfig{Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Store: f.st, Spool: f.sp, Now: f.clk.Now, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil)),
		Modules: []Module{&Provider{Eligibility: el}}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	if _, _, err := f.st.UpsertMember(ctx, store.Member{MemberID: "ZZM-A1", FamilyID: "ZZM-A1", Relationship: "18",
		LastName: "TESTPATIENT", FirstName: "ALEX", DOB: "19800101", Gender: "F", CoverageStart: "20260101", CoverageEnd: "20261231",
		Plan: "GOLD PLAN", GroupNumber: "GRP-9", CoverageLevel: "IND", InsuranceType: "C1", TPA: "tpa"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ZZM-B1", "ZZM-LONE", "ZZM-A4"} {
		if _, _, err := f.st.UpsertMember(ctx, store.Member{MemberID: id, FamilyID: id, Relationship: "18", LastName: "TESTPATIENT", FirstName: "ALEX",
			DOB: "19800101", CoverageStart: "20260101", TPA: "tpa"}); err != nil {
			t.Fatal(err)
		}
	}
	pf := &providerFixture{fixture: f, out835: []byte("ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*ACME~")}
	tpa, _, err := f.st.RecordInbound(ctx, store.InboundFile{PartnerID: "tpa", Name: "era.835", SHA256: strings.Repeat("c3", 32), Size: 10, SpoolPath: "/spool/c3"})
	if err != nil {
		t.Fatal(err)
	}
	sf, err := f.sp.PutBytes(ctx, "outbound", pf.out835)
	if err != nil {
		t.Fatal(err)
	}
	ob, _, err := f.st.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: "acme", Kind: "835", Name: "835-acme-1.x12", SpoolPath: sf.Path, SHA256: sf.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	clp := func(seq int, claim *store.Claim, paid int64) store.RemitClaim {
		c := store.RemitClaim{Seq: seq, CLP01: "PCN-X", Status: "1", ChargeCents: 12500, PaidCents: paid, PayerClaimNumber: fmt.Sprint("ICN-", seq),
			PatientLast: "TESTPATIENT", PatientFirst: "ALEX", MemberID: "ZZM-X", Note: "no claim with this patient control number",
			Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: 12500 - paid}},
			Lines: []store.RemitLine{{LineNo: 1, ProcedureQualifier: "HC", ProcedureCode: "A0428", ChargeCents: 12500, PaidCents: paid, Units: 1000,
				Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: 12500 - paid}}}}}
		if claim != nil {
			c.ClaimID, c.MatchMethod, c.Note, c.CLP01, c.MemberID = &claim.ID, store.MatchRef, "", claim.CLM01, claim.MemberID
		}
		return c
	}
	remit := func(offset int64, forward string, outbound *int64, claims ...store.RemitClaim) *store.Remittance {
		r := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", InboundFileID: &tpa.ID, ISAControl: "000000101",
			GroupControl: "101", SetControl: "0001", ByteOffset: offset, PayerID: "PAYER01", PayerName: "TEST TPA",
			PayeeName: "TEST CLINIC", PayeeNPI: "1234567893", Handling: "C", CreditDebit: "C", PaymentMethod: "ACH",
			PaymentDate: "20260301", ProductionDate: "20260228", TraceNumber: fmt.Sprint("EFT", offset), State: store.RemitForwarded,
			ForwardPartner: forward, OutboundFileID: outbound, Claims: claims}
		for _, c := range claims {
			r.PaymentCents += c.PaidCents
		}
		if err := f.st.InsertRemittance(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	pf.r1 = remit(100, "acme", &ob.ID, clp(1, f.claims["A1"], 10000), clp(2, nil, 5000))
	pf.r2 = remit(900, "beta", nil, clp(1, f.claims["B1"], 12500))
	a4 := *f.claims["A1"]
	a4.ID, a4.ControlNumber, a4.CLM01, a4.BillingNPI, a4.Fingerprint, a4.SuspectKey = 0, "CHA4", "PCN-A4", "1111111112", "fp-A4", "sk-A4"
	a4.MemberID = "ZZM-A4"
	a4.Lines = []store.ClaimLine{{LineNo: 1, Code: "A0428", Units: 1000, UnitType: "UN", ChargeCents: 12500, ServiceFrom: "20260210"}}
	if err := f.st.InsertClaim(ctx, &a4); err != nil {
		t.Fatal(err)
	}
	f.claims["A4"] = &a4
	pf.r3 = remit(1200, "acme", nil, clp(1, &a4, 9000))
	if _, err := f.st.DB().ExecContext(ctx, f.st.DB().Rebind(`UPDATE remittances SET payee_npi = ? WHERE id = ?`), "1111111112", pf.r3.ID); err != nil {
		t.Fatal(err)
	}
	pf.r4 = remit(1500, "", nil, clp(1, f.claims["A1"], 500), clp(2, f.claims["B1"], 700))
	cs, err := f.st.ListRemitClaims(ctx, store.RemitClaimFilter{Unmatched: true})
	if err != nil || len(cs) != 1 {
		t.Fatalf("unmatched = %v, %v", cs, err)
	}
	pf.unmatched = cs[0].ID
	return pf
}

// TestProviderRoutesByRole requests every provider page as every role,
// with the cross-tenant cases (another partner's remittance, 835 or EOP
// by URL: 404).
func TestProviderRoutesByRole(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := newProviderFixture(t, be.URL(t))
			r1, r2 := fmt.Sprint("/remits/", f.r1.ID), fmt.Sprint("/remits/", f.r2.ID)
			ok, nf := http.StatusOK, http.StatusNotFound
			for _, tc := range []struct {
				path string
				want map[string]int // by user; missing: 200
				has  map[string]string
				not  map[string]string
			}{
				{path: "/eligibility", has: map[string]string{"acme-user": `id="eligibility-form"`}},
				{path: "/status", has: map[string]string{"beta-user": `id="status-form"`}},
				{path: "/remits",
					has: map[string]string{"acme-user": `href="` + r1 + `"`, "oper": `href="` + r2 + `"`, "beta-user": `href="` + r2 + `"`, "admin": `href="` + r1 + `"`},
					not: map[string]string{"acme-user": `href="` + r2 + `"`, "beta-user": `href="` + r1 + `"`, "acme-npi": `href="` + r1 + `"`}},
				{path: "/remits", has: map[string]string{"acme-npi": fmt.Sprintf(`href="/remits/%d"`, f.r3.ID), "beta-user": fmt.Sprintf(`href="/remits/%d"`, f.r4.ID)},
					not: map[string]string{"beta-user": fmt.Sprintf(`href="/remits/%d"`, f.r3.ID), "acme-npi": fmt.Sprintf(`href="/remits/%d"`, f.r4.ID)}},
				{path: r1, want: map[string]int{"beta-user": nf, "acme-npi": nf},
					has: map[string]string{"acme-user": `href="/eop/CHA1.pdf"`, "oper": `id="download-835"`}},
				{path: r2, want: map[string]int{"acme-user": nf, "acme-admin": nf, "acme-npi": nf}},
				// A remittance to an NPI-scoped user's NPI: its own.
				{path: fmt.Sprint("/remits/", f.r3.ID), want: map[string]int{"beta-user": nf},
					has: map[string]string{"acme-npi": `href="/eop/CHA4.pdf"`, "acme-user": `href="/eop/CHA4.pdf"`}},
				{path: "/eop/CHA4.pdf", want: map[string]int{"beta-user": nf}, has: map[string]string{"acme-npi": "%PDF-"}},
				// A remittance forwarded to no one: each partner sees it for
				// its own claim's payment, and only that one.
				{path: fmt.Sprint("/remits/", f.r4.ID), want: map[string]int{"acme-npi": nf},
					has: map[string]string{"acme-user": `href="/claims/CHA1"`, "beta-user": `href="/claims/CHB1"`, "oper": `href="/claims/CHB1"`},
					not: map[string]string{"acme-user": "PCN-B1", "beta-user": "PCN-A1"}},
				{path: r1 + "/835", want: map[string]int{"beta-user": nf, "acme-npi": nf}, has: map[string]string{"acme-user": "ISA*00*"}},
				{path: r2 + "/835", want: map[string]int{"acme-user": nf, "acme-admin": nf, "acme-npi": nf, "beta-user": nf, "oper": nf, "admin": nf}},
				{path: "/eop/CHA1.pdf", want: map[string]int{"beta-user": nf, "acme-npi": nf}, has: map[string]string{"acme-user": "%PDF-"}},
				{path: "/eop/CHA2.pdf", want: map[string]int{"admin": nf, "oper": nf, "acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": nf}},
				{path: "/eop/CHB1.pdf", want: map[string]int{"acme-user": nf, "acme-admin": nf, "acme-npi": nf}},
				{path: "/reports", has: map[string]string{"acme-user": `href="/reports/2026-03-02"`, "oper": `href="/reports/2026-02-01"`}},
				{path: "/reports/2026-03-02",
					has: map[string]string{"acme-user": `id="submitter-acme"`, "oper": `id="submitter-beta"`, "admin": `id="submitter-acme"`, "beta-user": `id="submitter-beta"`},
					not: map[string]string{"acme-user": `id="submitter-beta"`, "acme-npi": `id="submitter-beta"`, "beta-user": `id="submitter-acme"`}},
				{path: "/reports/2026-03-02?partner=beta", has: map[string]string{"oper": `id="submitter-beta"`, "acme-user": `id="submitter-acme"`},
					not: map[string]string{"oper": `id="submitter-acme"`, "acme-user": `id="submitter-beta"`}},
				{path: "/reports/2026-02-20", has: map[string]string{"acme-user": `id="no-report"`}},
				{path: "/reports/2026-3-2", want: map[string]int{"admin": nf, "oper": nf, "acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": nf}},
				{path: "/reports/2026-03-02/csv/acme", want: map[string]int{"beta-user": nf}, has: map[string]string{"acme-user": "acme-837p.x12"}},
				{path: "/reports/2026-03-02/csv/beta", want: map[string]int{"acme-user": nf, "acme-admin": nf, "acme-npi": nf}, has: map[string]string{"oper": "beta-837p.x12"}},
				{path: "/unmatched", want: map[string]int{"acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": nf},
					has: map[string]string{"oper": fmt.Sprintf(`action="/unmatched/%d/match"`, f.unmatched)}},
			} {
				for _, u := range allUsers {
					want := ok
					if w, set := tc.want[u]; set {
						want = w
					}
					rec := f.as(u).get(tc.path)
					body := rec.Body.String()
					if rec.Code != want {
						t.Errorf("%s as %s: %d, want %d: %s", tc.path, u, rec.Code, want, snippet(body))
						continue
					}
					if s := tc.has[u]; s != "" && !strings.Contains(body, s) {
						t.Errorf("%s as %s: no %q in %s", tc.path, u, s, snippet(body))
					}
					if s := tc.not[u]; s != "" && strings.Contains(body, s) {
						t.Errorf("%s as %s: shows %q", tc.path, u, s)
					}
				}
			}
			// The downloads are what they say, and audited.
			rec := f.as("acme-user").get("/eop/CHA1.pdf")
			if ct := rec.Header().Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
				t.Errorf("EOP: %s %q", ct, snippet(rec.Body.String()))
			}
			rec = f.as("acme-user").get(r1 + "/835")
			if rec.Body.String() != string(f.out835) || !strings.Contains(rec.Header().Get("Content-Disposition"), `filename="835-acme-1.x12"`) {
				t.Errorf("835: %q %q", rec.Header().Get("Content-Disposition"), rec.Body)
			}
			ctx := context.Background()
			if rec := f.as("acme-user").get("/reports/2026-03-02/csv/acme"); rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
				!strings.Contains(rec.Header().Get("Content-Disposition"), `filename="filestatus-2026-03-02-acme.csv"`) {
				t.Errorf("report CSV: %q %q", rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
			}
			for action, want := range map[string]string{"eop.download": "CHA1", "remit.download": "", "remit.view": "", "report.view": "", "report.download": ""} {
				es, err := f.st.ListAudit(ctx, store.AuditFilter{Action: action, UserName: "acme-user"})
				if err != nil || len(es) == 0 || es[0].ClaimControl != want || es[0].ClientIP != "192.0.2.10" {
					t.Errorf("audit %s: %+v, %v", action, es, err)
				}
			}
		})
	}
}

func TestEligibilityPage(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := newProviderFixture(t, be.URL(t))
			for _, tc := range []struct {
				name string
				form url.Values
				code int
				has  []string
			}{
				{"covered", url.Values{"member": {"ZZM-A1"}, "last": {"testpatient"}, "first": {"Alex"}, "dob": {"1980-01-01"}, "date": {"2026-02-10"}}, 200,
					[]string{`id="eligibility-result">Covered`, "GOLD PLAN", "GRP-9", "2026-01-01", "2026-12-31", "individual", "EB01 1"}},
				{"today by default", url.Values{"member": {"ZZM-A1"}, "last": {"TESTPATIENT"}, "first": {"ALEX"}}, 200,
					[]string{`id="eligibility-result">Covered`, "on 2026-03-02"}},
				{"not covered on the date", url.Values{"member": {"ZZM-A1"}, "last": {"TESTPATIENT"}, "first": {"ALEX"}, "date": {"2025-12-31"}}, 200,
					[]string{`id="eligibility-result">Not covered`, "EB01 6"}},
				{"unknown member", url.Values{"member": {"ZZM-NOPE"}, "last": {"TESTPATIENT"}, "first": {"ALEX"}}, 200,
					[]string{`id="eligibility-result">Not answered`, "AAA 75", "No member with this ID is on the roster.", "Correct the inquiry"}},
				{"wrong birth date", url.Values{"member": {"ZZM-A1"}, "last": {"TESTPATIENT"}, "first": {"ALEX"}, "dob": {"1990-05-05"}}, 200,
					[]string{"AAA 71", "does not match"}},
				{"future date", url.Values{"member": {"ZZM-A1"}, "last": {"TESTPATIENT"}, "first": {"ALEX"}, "date": {"2027-06-01"}}, 200, []string{"AAA 63"}},
				{"wrong name", url.Values{"member": {"ZZM-A1"}, "last": {"OTHER"}, "first": {"ALEX"}}, 200, []string{"AAA 73"}},
				{"no name", url.Values{"member": {"ZZM-A1"}}, 400, []string{"last name"}},
				{"bad date", url.Values{"member": {"ZZM-A1"}, "last": {"X"}, "date": {"March"}}, 400, []string{"YYYY-MM-DD"}},
			} {
				rec := f.as("acme-user").post("/eligibility", tc.form)
				if rec.Code != tc.code {
					t.Errorf("%s: %d %s", tc.name, rec.Code, snippet(rec.Body.String()))
					continue
				}
				for _, s := range tc.has {
					if !strings.Contains(rec.Body.String(), s) {
						b := rec.Body.String()
						if i := strings.Index(b, `id="eligibility-answer"`); i > 0 {
							b = b[i:]
						}
						t.Errorf("%s: no %q in %s", tc.name, s, snippet(b))
					}
				}
			}
			es, err := f.st.ListAudit(context.Background(), store.AuditFilter{Action: "eligibility.check", MemberID: "ZZM-A1"})
			if err != nil || len(es) != 6 || es[0].UserName != "acme-user" {
				t.Fatalf("audit: %d %+v %v", len(es), es, err)
			}
			if rec := f.as("acme-user").post("/eligibility", url.Values{"csrf": {"forged"}, "member": {"ZZM-A1"}, "last": {"X"}}); rec.Code != http.StatusForbidden {
				t.Fatalf("forged CSRF: %d", rec.Code)
			}
		})
	}
}

func TestClaimStatusPage(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := newProviderFixture(t, be.URL(t))
			for _, tc := range []struct {
				user  string
				form  url.Values
				found bool
				has   []string
			}{
				{"acme-user", url.Values{"control": {"CHA1"}}, true, []string{`href="/claims/CHA1"`, "$5.00", "2026-03-01", "F1:"}}, // the latest payment (r4)
				{"acme-user", url.Values{"clm01": {"PCN-A2"}, "npi": {"1234567893"}}, true, []string{`href="/claims/CHA2"`}},
				{"oper", url.Values{"control": {"CHB1"}}, true, []string{`href="/claims/CHB1"`}},
				// Another partner's claim, and an NPI-scoped user's partner's
				// claim of another NPI: not found.
				{"beta-user", url.Values{"control": {"CHA1"}}, false, nil},
				{"acme-npi", url.Values{"control": {"CHA1"}}, false, nil},
				{"acme-user", url.Values{"clm01": {"PCN-B1"}, "npi": {"1234567893"}}, false, nil},
			} {
				rec := f.as(tc.user).post("/status", tc.form)
				body := rec.Body.String()
				if rec.Code != http.StatusOK {
					t.Errorf("%s %v: %d %s", tc.user, tc.form, rec.Code, snippet(body))
					continue
				}
				if got := !strings.Contains(body, `id="not-found"`); got != tc.found {
					t.Errorf("%s %v: found %v: %s", tc.user, tc.form, got, snippet(body))
				}
				for _, s := range tc.has {
					if !strings.Contains(body, s) {
						t.Errorf("%s %v: no %q in %s", tc.user, tc.form, s, snippet(body))
					}
				}
				if !tc.found && strings.Contains(body, `href="/claims/`) {
					t.Errorf("%s %v: shows a claim: %s", tc.user, tc.form, snippet(body))
				}
			}
			if rec := f.as("acme-user").post("/status", url.Values{"clm01": {"PCN-A1"}}); rec.Code != http.StatusBadRequest {
				t.Errorf("CLM01 without NPI: %d", rec.Code)
			}
			es, err := f.st.ListAudit(context.Background(), store.AuditFilter{Action: "status.check", UserName: "acme-user"})
			if err != nil || len(es) != 3 || es[len(es)-1].ClaimControl != "CHA1" && es[0].ClaimControl != "CHA1" {
				t.Fatalf("audit: %+v %v", es, err)
			}
		})
	}
}

func TestMatchUnmatchedPayment(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := newProviderFixture(t, be.URL(t))
			ctx := context.Background()
			path := fmt.Sprintf("/unmatched/%d/match", f.unmatched)
			if rec := f.as("acme-admin").post(path, url.Values{"control": {"CHA2"}}); rec.Code != http.StatusNotFound {
				t.Fatalf("provider match: %d", rec.Code)
			}
			if rec := f.as("oper").post(path, url.Values{"control": {"CHNOPE"}}); rec.Code != http.StatusBadRequest {
				t.Fatalf("unknown claim: %d", rec.Code)
			}
			if rec := f.as("oper").post(path, url.Values{"control": {"CHA2"}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("match: %d %s", rec.Code, snippet(rec.Body.String()))
			}
			rc, err := f.st.GetRemitClaim(ctx, f.unmatched)
			if err != nil || rc.ClaimID == nil || *rc.ClaimID != f.claims["A2"].ID || rc.MatchMethod != store.MatchOperator {
				t.Fatalf("after match: %+v %v", rc, err)
			}
			if p, err := f.st.GetClaimPayment(ctx, f.claims["A2"].ID); err != nil || p.PaidCents != 5000 {
				t.Fatalf("claim payment: %+v %v", p, err)
			}
			es, err := f.st.ListAudit(ctx, store.AuditFilter{Action: "remits.match"})
			if err != nil || len(es) != 1 || es[0].UserName != "oper" || es[0].ClaimControl != "CHA2" || es[0].Detail != fmt.Sprintf("remit_claim=%d", f.unmatched) {
				t.Fatalf("audit: %+v %v", es, err)
			}
			if rec := f.as("oper").post(path, url.Values{"control": {"CHA2"}}); rec.Code != http.StatusConflict {
				t.Fatalf("second match: %d", rec.Code)
			}
			if rec := f.as("oper").get("/unmatched?done=matched"); !strings.Contains(rec.Body.String(), "Every claim payment is matched") {
				t.Fatalf("unmatched after: %s", snippet(rec.Body.String()))
			}
		})
	}
}

// TestRosterDownload downloads the members attributed to each user: the
// members its partner's claims (of its NPIs) name.
func TestRosterDownload(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := newProviderFixture(t, be.URL(t))
			header := strings.Join(rosterColumns, ",") + "\n"
			for _, tc := range []struct {
				user, query string
				code        int
				members     []string
			}{
				{"acme-user", "", 200, []string{"ZZM-A1", "ZZM-A4"}},
				{"acme-admin", "?partner=beta", 200, []string{"ZZM-A1", "ZZM-A4"}}, // a provider cannot choose
				{"acme-npi", "", 200, []string{"ZZM-A4"}},
				{"beta-user", "", 200, []string{"ZZM-B1"}},
				{"oper", "?partner=acme", 200, []string{"ZZM-A1", "ZZM-A4"}},
				{"admin", "?partner=beta", 200, []string{"ZZM-B1"}},
				{"oper", "", 400, nil},
			} {
				rec := f.as(tc.user).get("/roster/members.csv" + tc.query)
				if rec.Code != tc.code {
					t.Errorf("%s%s: %d", tc.user, tc.query, rec.Code)
					continue
				}
				if tc.code != 200 {
					continue
				}
				body := rec.Body.String()
				if !strings.HasPrefix(body, header) {
					t.Errorf("%s: header %q", tc.user, snippet(body))
					continue
				}
				var got []string
				for _, line := range strings.Split(strings.TrimSpace(strings.TrimPrefix(body, header)), "\n") {
					if line != "" {
						got = append(got, strings.Split(line, ",")[0])
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.members) {
					t.Errorf("%s%s: members %v, want %v", tc.user, tc.query, got, tc.members)
				}
				if tc.members != nil && !strings.Contains(body, ",TESTPATIENT,ALEX,,19800101,") {
					t.Errorf("%s: row %q", tc.user, body)
				}
			}
			es, err := f.st.ListAudit(context.Background(), store.AuditFilter{Action: "roster.download"})
			if err != nil || len(es) != 6 {
				t.Fatalf("audit: %d %v", len(es), err)
			}
			if rec := f.as("oper").get("/roster"); !strings.Contains(rec.Body.String(), `<option value="beta">`) {
				t.Errorf("roster page for operators: %s", snippet(rec.Body.String()))
			}
		})
	}
}

// TestProviderAuditFailure: with the audit log broken, every provider
// page or download that shows member or claim data fails with 500 and
// shows none of it.
func TestProviderAuditFailure(t *testing.T) {
	f := newProviderFixture(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	if _, err := f.st.DB().ExecContext(ctx, `DROP TABLE audit_log`); err != nil {
		t.Fatal(err)
	}
	c, op := f.as("acme-user"), f.as("oper")
	for _, tc := range []struct {
		c    *client
		path string
		form url.Values
	}{
		{c, "/eop/CHA1.pdf", nil},
		{c, fmt.Sprint("/remits/", f.r1.ID), nil},
		{c, fmt.Sprint("/remits/", f.r1.ID, "/835"), nil},
		{c, "/roster/members.csv", nil},
		{c, "/reports/2026-03-02", nil},
		{c, "/reports/2026-03-02/csv/acme", nil},
		{op, "/unmatched", nil},
		{c, "/eligibility", url.Values{"member": {"ZZM-A1"}, "last": {"TESTPATIENT"}, "first": {"ALEX"}}},
		{c, "/status", url.Values{"control": {"CHA1"}}},
		{op, fmt.Sprintf("/unmatched/%d/match", f.unmatched), url.Values{"control": {"CHA2"}}},
	} {
		var rec = tc.c.get(tc.path)
		if tc.form != nil {
			rec = tc.c.post(tc.path, tc.form)
		}
		body := rec.Body.String()
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s with a broken audit log: %d", tc.path, rec.Code)
		}
		for _, phi := range []string{"TESTPATIENT", "ZZM-", "%PDF", "ISA*", "PCN-", "acme-837p"} {
			if strings.Contains(body, phi) {
				t.Errorf("%s showed %q without an audit entry", tc.path, phi)
			}
		}
	}
	// The match was rolled back with its audit entry.
	if rc, err := f.st.GetRemitClaim(ctx, f.unmatched); err != nil || rc.ClaimID != nil {
		t.Fatalf("match without its audit entry: %+v %v", rc, err)
	}
}
