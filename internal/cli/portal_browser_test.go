package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/clearinghouse/clearinghouse/internal/config"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// EnvScreenshots names a folder where TestPortalBrowser keeps its
// screenshots (docs/screenshots for the README); default the test's
// temporary folder.
const EnvScreenshots = "PORTAL_SCREENSHOTS"

// chromiumPath finds Debian's chromium (CHROMIUM overrides). Without it
// the test skips, or fails under CI=true (.ci/run installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; CI must run the browser test (.ci/run installs Debian's chromium)")
	}
	t.Skip("chromium is not installed; skipping the browser test (apt-get install chromium)")
	return ""
}

// TestPortalBrowser drives the portal in headless Chromium: a provider
// signs in, uploads an 837 and sees it rejected with the reasons in plain
// English, opens a rejected claim (audited), is locked out after three
// wrong passwords; an expired user is refused; the admin reads the audit
// log. Screenshots of the main pages are saved.
func TestPortalBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	ctx := context.Background()
	dir := t.TempDir()
	shots := os.Getenv(EnvScreenshots)
	if shots == "" {
		shots = filepath.Join(dir, "screenshots")
	}
	if err := os.MkdirAll(shots, 0o750); err != nil {
		t.Fatal(err)
	}

	a := &app{ctx: ctx, stdout: io.Discard, stderr: io.Discard, dataDir: dir,
		logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cfg, err := a.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	// Step 8 shows the rejected rows of an uploaded CSV file right away:
	// processed on arrival, not held for the nightly run (TestCSVUploadHeld).
	cfg.CSVProcessing = config.CSVOnArrival
	rt, err := a.openRuntime(ctx, cfg, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	// Accounts with a cheap bcrypt cost (`user add` has its own test).
	hash, err := bcrypt.GenerateFromPassword([]byte("browser test password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	adminPW, provPW, lockPW, oldPW := "browser test password", "browser test password", "browser test password", "browser test password"
	for _, u := range []store.User{
		{Username: "ann", Role: store.RoleAdmin},
		{Username: "pat", Role: store.RoleProviderUser, PartnerID: "acme"},
		{Username: "lou", Role: store.RoleProviderUser, PartnerID: "acme"},
		{Username: "old", Role: store.RoleProviderUser, PartnerID: "acme"},
	} {
		u.PasswordHash = string(hash)
		if _, err := rt.store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	// "old" renewed 181 days ago: access expired.
	if _, err := rt.store.DB().ExecContext(ctx, rt.store.DB().Rebind(`UPDATE portal_users SET renewed_at = ? WHERE username = 'old'`),
		time.Now().UTC().Add(-181*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	h, err := a.portalHandler(rt, configuredJobs(cfg, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	// localhost: a secure context, so the browser keeps Secure cookies
	// on plain HTTP.
	base := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	bctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	login := func(user, pw string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), pw),
			chromedp.Click(chromedp.ID("signin")),
		)
	}
	logout := chromedp.Steps(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("username")))
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		t0 := time.Now()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		t.Logf("%s: %s", what, time.Since(t0).Round(time.Millisecond))
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// 1. The provider signs in, uploads a clean file (accepted), then a
	// file with errors.
	clean, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "demo", "acme-837p-20261120-01.x12"))
	invalid, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "demo", "acme-837p-20261120-02-invalid.x12"))
	start := time.Now()
	do("start the browser", chromedp.Navigate("about:blank"))
	do("sign in", login("pat", provPW), chromedp.WaitVisible(chromedp.ID("whoami")))
	who := text("#whoami")
	do("upload a clean file",
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{clean}),
		chromedp.Click(chromedp.ID("upload")),
		chromedp.WaitVisible(chromedp.ID("file-state")),
	)
	if state, rate := text("#file-state"), text("#acceptance"); state != string(store.InboundProcessed) || rate != "100.0 %" {
		t.Errorf("clean file: state %q, acceptance %q", state, rate)
	}
	do("upload",
		chromedp.Navigate(base+"/files"),
		chromedp.WaitVisible(chromedp.ID("upload-file")),
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{invalid}),
		chromedp.Click(chromedp.ID("upload")),
		chromedp.WaitVisible(chromedp.ID("file-state")),
		shot("file-rejected"),
	)
	state, ackErrors, rejected := text("#file-state"), text("#ack-errors"), text("#rejected")
	if !strings.Contains(who, "pat") || !strings.Contains(who, "acme") {
		t.Errorf("signed in as %q", who)
	}
	if state != string(store.InboundRejected) {
		t.Errorf("file state %q, want rejected", state)
	}
	for _, want := range []string{
		"CLM02 108.41 does not equal the sum of the line charges 107.41", // the validator's message
		"implementation pattern match failure",                           // IK403 I12 in words
		"required segment missing",                                       // IK304 3
	} {
		if !strings.Contains(ackErrors, want) {
			t.Errorf("999 errors lack %q:\n%s", want, ackErrors)
		}
	}
	if !strings.Contains(rejected, "IK5:R:5") || !strings.Contains(rejected, "one or more segments in error") {
		t.Errorf("rejected claims lack the plain-English reason:\n%s", rejected)
	}

	// 2. A rejected claim's page: PHI, audited.
	href, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS("#rejected a"), "href"))
	if err != nil || !href.Exists {
		t.Fatalf("rejected claim link: %v", err)
	}
	do("claim page", chromedp.Click(chromedp.CSS("#rejected a")), chromedp.WaitVisible(chromedp.ID("patient")), shot("claim"))
	patient := text("#patient")
	do("claims page", chromedp.Navigate(base+"/claims"), chromedp.WaitVisible(chromedp.ID("claims")), shot("claims"),
		chromedp.Navigate(base+"/files"), chromedp.WaitVisible(chromedp.ID("files")), shot("files"), logout)
	control := strings.TrimPrefix(href.Value, "/claims/")
	c, err := rt.store.GetClaimByControl(ctx, control)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(patient, c.PatientLast) {
		t.Errorf("patient %q, want %s", patient, c.PatientLast)
	}
	es, err := rt.store.ListAudit(ctx, store.AuditFilter{MemberID: c.MemberID})
	if err != nil || len(es) == 0 || es[0].UserName != "pat" || es[0].ClaimControl != control {
		t.Fatalf("claim view not audited: %+v %v", es, err)
	}

	// 3. Three wrong passwords lock the account; then the right one is
	// refused too.
	var msg string
	for i := 0; i < 3; i++ {
		do("bad password", login("lou", "not the password"), chromedp.WaitVisible(chromedp.ID("login-error")))
		msg = text("#login-error")
	}
	if !strings.Contains(msg, "locked") {
		t.Errorf("third bad password: %q", msg)
	}
	do("locked", login("lou", lockPW), chromedp.WaitVisible(chromedp.ID("login-error")), shot("locked"))
	if msg = text("#login-error"); !strings.Contains(msg, "locked") {
		t.Errorf("right password on a locked account: %q", msg)
	}

	// 4. Expired access is refused.
	do("expired", login("old", oldPW), chromedp.WaitVisible(chromedp.ID("login-error")))
	if msg = text("#login-error"); !strings.Contains(msg, "expired") {
		t.Errorf("expired user: %q", msg)
	}

	// 5. The admin: who saw the member, the users, every partner's files.
	do("admin", login("ann", adminPW), chromedp.WaitVisible(chromedp.ID("whoami")),
		chromedp.Navigate(base+"/audit?member="+c.MemberID), chromedp.WaitVisible(chromedp.ID("audit")), shot("audit"))
	if audit := text("#audit"); !strings.Contains(audit, "pat") || !strings.Contains(audit, "claim.view") {
		t.Errorf("who saw the member: %s", audit)
	}
	do("admin pages",
		chromedp.Navigate(base+"/users"), chromedp.WaitVisible(chromedp.ID("users")), shot("users"),
		chromedp.Navigate(base+"/files"), chromedp.WaitVisible(chromedp.ID("files")), shot("files-operator"),
	)

	// 6. The provider checks a member's eligibility and sees the answer.
	if _, _, err := rt.store.UpsertMember(ctx, store.Member{MemberID: "ZZB-1001", FamilyID: "ZZB-1001", Relationship: "18",
		LastName: "BROWSERTEST", FirstName: "ROBIN", DOB: "19850615", Gender: "U", CoverageStart: "20200101",
		Plan: "SILVER PLAN", GroupNumber: "GRP-B", CoverageLevel: "IND", InsuranceType: "C1", TPA: "tpa"}); err != nil {
		t.Fatal(err)
	}
	do("eligibility", logout, login("pat", provPW), chromedp.WaitVisible(chromedp.ID("whoami")),
		chromedp.Navigate(base+"/eligibility"), chromedp.WaitVisible(chromedp.ID("eligibility-form")),
		chromedp.SendKeys(chromedp.CSS(`input[name="member"]`), "ZZB-1001"),
		chromedp.SendKeys(chromedp.CSS(`input[name="last"]`), "Browsertest"),
		chromedp.SendKeys(chromedp.CSS(`input[name="first"]`), "Robin"),
		chromedp.Click(chromedp.ID("check")),
		chromedp.WaitVisible(chromedp.ID("eligibility-answer")), shot("eligibility"))
	if got, answer := text("#eligibility-result"), text("#eligibility-answer"); got != "Covered" || !strings.Contains(answer, "SILVER PLAN") {
		t.Errorf("eligibility answer %q: %s", got, answer)
	}

	// 7. A remittance pays one of the provider's claims: the provider
	// opens it and downloads the claim's explanation of payment (a PDF).
	paid, err := rt.store.SearchClaims(ctx, store.Scope{PartnerID: "acme"}, store.ClaimSearch{State: store.ClaimAccepted, Limit: 1})
	if err != nil || len(paid) == 0 {
		paid, err = rt.store.SearchClaims(ctx, store.Scope{PartnerID: "acme"}, store.ClaimSearch{State: store.ClaimForwarded, Limit: 1})
	}
	if err != nil || len(paid) == 0 {
		t.Fatalf("no accepted claim to pay: %v", err)
	}
	pc := paid[0]
	era, _, err := rt.store.RecordInbound(ctx, store.InboundFile{PartnerID: "tpa", Name: "era-browser.835", SHA256: strings.Repeat("e1", 32), Size: 10, SpoolPath: "/nowhere"})
	if err != nil {
		t.Fatal(err)
	}
	remit := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", InboundFileID: &era.ID, ISAControl: "000000901", GroupControl: "901",
		SetControl: "0001", ByteOffset: 106, PayerID: pc.PayerID, PayerName: "TEST TPA", PayeeName: "TEST CLINIC", PayeeNPI: pc.BillingNPI,
		Handling: "I", CreditDebit: "C", PaymentCents: pc.BilledCents - 1000, PaymentMethod: "ACH", PaymentDate: time.Now().UTC().Format("20060102"),
		TraceNumber: "EFT-BROWSER", State: store.RemitForwarded, ForwardPartner: "acme",
		Claims: []store.RemitClaim{{Seq: 1, ClaimID: &pc.ID, MatchMethod: store.MatchRef, CLP01: pc.CLM01, Status: "1", ChargeCents: pc.BilledCents,
			PaidCents: pc.BilledCents - 1000, PayerClaimNumber: "ICN-B1", PatientLast: pc.PatientLast, PatientFirst: pc.PatientFirst, MemberID: pc.MemberID,
			Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: 1000}}}}}
	if err := rt.store.InsertRemittance(ctx, remit); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()
	progress := chromedp.Events(bctx, browser.DownloadProgress)
	do("remittance and EOP",
		chromedp.Navigate(base+"/remits"), chromedp.WaitVisible(chromedp.ID("remits")),
		chromedp.Navigate(fmt.Sprintf("%s/remits/%d", base, remit.ID)), chromedp.WaitVisible(chromedp.ID("remit-claims")), shot("remittance"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			yes := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &yes})
			return err
		}),
		chromedp.Click(chromedp.CSS("#remit-claims a.eop")),
	)
	downloaded := false
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("EOP download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("EOP download canceled")
		}
		if ev.State != browser.DownloadProgressStateCompleted {
			continue
		}
		pdf, err := os.ReadFile(filepath.Join(downloads, ev.GUID))
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("EOP download is not a PDF: %q %v", pdf[:min(len(pdf), 16)], err)
		}
		downloaded = true
		break
	}
	if !downloaded {
		t.Fatal("the EOP download did not complete")
	}
	if es, err := rt.store.ListAudit(ctx, store.AuditFilter{Action: "eop.download", UserName: "pat"}); err != nil || len(es) != 1 || es[0].ClaimControl != pc.ControlNumber {
		t.Errorf("EOP download not audited: %+v %v", es, err)
	}

	// 8. The provider uploads a CSV claims file with bad rows: the file
	// page lists them (row, column, reason).
	mixed, _ := filepath.Abs(filepath.Join("..", "..", "csvsub", "testdata", "claims-mixed.csv"))
	do("upload a CSV file",
		chromedp.Navigate(base+"/files"),
		chromedp.WaitVisible(chromedp.ID("upload-file")),
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{mixed}),
		chromedp.Click(chromedp.ID("upload")),
		chromedp.WaitVisible(chromedp.ID("csv-errors")), shot("csv-file"),
	)
	if sub, rows := text("#csv-submission"), text("#csv-errors"); !strings.Contains(sub, "claims") || !strings.Contains(rows, "not an NPI: wrong check digit") || !strings.Contains(rows, "billing_npi") {
		t.Errorf("CSV file page: %s\n%s", sub, rows)
	}
	t.Logf("browser flow took %s; screenshots in %s", time.Since(start).Round(time.Millisecond), shots)
}
