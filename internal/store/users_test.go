package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestUsers runs the portal account, session, scope and audit tests on
// every backend.
func TestUsers(t *testing.T) {
	tests := []storeTest{
		{"CreateAndGet", testUserCreate},
		{"LockoutAndUnlock", testUserLockout},
		{"RenewAndInactivity", testUserInactivity},
		{"Sessions", testUserSessions},
		{"ScopedQueries", testScopedQueries},
		{"PHIAudit", testPHIAudit},
		{"TOTPReplay", testTOTPStep},
	}
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					clk := newTestClock()
					s := dbtest.Open(t, store.Config{URL: be.URL(t), Now: clk.Now})
					tc.fn(t, context.Background(), &bundle{s: s, clk: clk})
				})
			}
		})
	}
}

func mkUser(t *testing.T, ctx context.Context, s *store.Store, name string, role store.Role, partner string, npis ...string) *store.User {
	t.Helper()
	u, err := s.CreateUser(ctx, store.User{Username: name, Role: role, PartnerID: partner, PasswordHash: "$2a$10$hash", NPIs: npis})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u
}

func testUserCreate(t *testing.T, ctx context.Context, b *bundle) {
	u := mkUser(t, ctx, b.s, "ann", store.RoleProviderUser, "acme", "1234567893")
	if u.ID == 0 || u.Role != store.RoleProviderUser || u.PartnerID != "acme" || !u.RenewedAt.Equal(b.clk.Now().Truncate(time.Microsecond)) {
		t.Fatalf("created %+v", u)
	}
	if !slices.Equal(u.NPIs, []string{"1234567893"}) {
		t.Fatalf("NPIs = %v", u.NPIs)
	}
	got, err := b.s.GetUserByName(ctx, "ann")
	if err != nil || got.ID != u.ID || got.PasswordHash != "$2a$10$hash" {
		t.Fatalf("GetUserByName = %+v, %v", got, err)
	}
	if _, err := b.s.CreateUser(ctx, store.User{Username: "ann", Role: store.RoleAdmin, PasswordHash: "x"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate name: %v, want ErrConflict", err)
	}
	bad := []store.User{
		{Username: "Bob", Role: store.RoleAdmin, PasswordHash: "x"},
		{Username: "bob", Role: "root", PasswordHash: "x"},
		{Username: "bob", Role: store.RoleAdmin, PartnerID: "acme", PasswordHash: "x"},
		{Username: "bob", Role: store.RoleProviderUser, PasswordHash: "x"},
		{Username: "bob", Role: store.RoleAdmin},
		{Username: "bob", Role: store.RoleProviderUser, PartnerID: "acme", PasswordHash: "x", NPIs: []string{"12ab"}},
	}
	for i, u := range bad {
		if _, err := b.s.CreateUser(ctx, u); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad user %d: %v, want ErrInvalid", i, err)
		}
	}
	if _, err := b.s.GetUser(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetUser(999) = %v", err)
	}
	mkUser(t, ctx, b.s, "op", store.RoleOperator, "")
	mkUser(t, ctx, b.s, "zed", store.RoleProviderAdmin, "beta")
	all, err := b.s.ListUsers(ctx, store.UserFilter{})
	if err != nil || len(all) != 3 || all[0].Username != "ann" || all[1].Username != "op" {
		t.Fatalf("ListUsers = %v, %v", all, err)
	}
	acme, err := b.s.ListUsers(ctx, store.UserFilter{PartnerID: "acme"})
	if err != nil || len(acme) != 1 || acme[0].Username != "ann" || len(acme[0].NPIs) != 1 {
		t.Fatalf("ListUsers(acme) = %v, %v", acme, err)
	}
	if err := b.s.SetUserScopes(ctx, u.ID, nil, []string{"990000001"}); err != nil {
		t.Fatal(err)
	}
	got, _ = b.s.GetUser(ctx, u.ID)
	if len(got.NPIs) != 0 || !slices.Equal(got.TINs, []string{"990000001"}) {
		t.Fatalf("scopes after SetUserScopes: %v %v", got.NPIs, got.TINs)
	}
}

func testUserLockout(t *testing.T, ctx context.Context, b *bundle) {
	u := mkUser(t, ctx, b.s, "ann", store.RoleAdmin, "")
	for i := 1; i <= 3; i++ {
		locked, err := b.s.RecordLoginFailure(ctx, &u.ID, "ann", "127.0.0.1", "bad password", 3)
		if err != nil {
			t.Fatal(err)
		}
		if locked != (i == 3) {
			t.Fatalf("failure %d: locked = %v", i, locked)
		}
	}
	got, _ := b.s.GetUser(ctx, u.ID)
	if got.LockedAt == nil || got.FailedLogins != 3 {
		t.Fatalf("after 3 failures: %+v", got)
	}
	// Unknown names are recorded too, without a user.
	if locked, err := b.s.RecordLoginFailure(ctx, nil, "nobody", "127.0.0.1", "unknown user", 3); err != nil || locked {
		t.Fatalf("unknown user: %v %v", locked, err)
	}
	if err := b.s.UnlockUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = b.s.GetUser(ctx, u.ID)
	if got.LockedAt != nil || got.FailedLogins != 0 {
		t.Fatalf("after unlock: %+v", got)
	}
	if err := b.s.RecordLoginSuccess(ctx, u.ID, "ann", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	as, err := b.s.ListLoginAttempts(ctx, u.ID, 10)
	if err != nil || len(as) != 4 || !as[0].OK || as[1].OK || as[1].Reason != "bad password" {
		t.Fatalf("attempts = %+v, %v", as, err)
	}
	got, _ = b.s.GetUser(ctx, u.ID)
	if got.LastLoginAt == nil {
		t.Fatal("LastLoginAt not set")
	}
	// An admin's password reset also unlocks.
	b.s.RecordLoginFailure(ctx, &u.ID, "ann", "", "x", 1)
	if err := b.s.SetUserPassword(ctx, u.ID, "$2a$10$new"); err != nil {
		t.Fatal(err)
	}
	got, _ = b.s.GetUser(ctx, u.ID)
	if got.LockedAt != nil || got.PasswordHash != "$2a$10$new" {
		t.Fatalf("after reset: %+v", got)
	}
	if err := b.s.UnlockUser(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UnlockUser(999) = %v", err)
	}
}

// testUserInactivity drives the store clock through day 29 and 30 of
// inactivity and day 179 and 180 of an access period.
func testUserInactivity(t *testing.T, ctx context.Context, b *bundle) {
	const day = 24 * time.Hour
	idle := mkUser(t, ctx, b.s, "idle", store.RoleProviderUser, "acme")
	active := mkUser(t, ctx, b.s, "active", store.RoleProviderUser, "acme")
	b.clk.Advance(29 * day)
	if err := b.s.RecordLoginSuccess(ctx, active.ID, "active", ""); err != nil {
		t.Fatal(err)
	}
	names, err := b.s.DisableInactiveUsers(ctx, 30*day)
	if err != nil || len(names) != 0 {
		t.Fatalf("day 29: disabled %v, %v", names, err)
	}
	b.clk.Advance(day)
	names, err = b.s.DisableInactiveUsers(ctx, 30*day)
	if err != nil || !slices.Equal(names, []string{"idle"}) {
		t.Fatalf("day 30: disabled %v, %v; want [idle]", names, err)
	}
	got, _ := b.s.GetUser(ctx, idle.ID)
	if got.DisabledAt == nil || got.DisabledReason != store.DisabledInactive {
		t.Fatalf("idle after job: %+v", got)
	}
	// Renewing an inactive account enables it and restarts both clocks.
	if err := b.s.RenewUser(ctx, idle.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	got, _ = b.s.GetUser(ctx, idle.ID)
	if got.DisabledAt != nil || !got.RenewedAt.Equal(b.clk.Now().Truncate(time.Microsecond)) {
		t.Fatalf("after renew: %+v", got)
	}
	if rs, err := b.s.ListRenewals(ctx, idle.ID); err != nil || len(rs) != 1 || rs[0].RenewedBy != "admin" {
		t.Fatalf("renewals = %+v, %v", rs, err)
	}
	if got.Expired(b.clk.Now().Add(179*day), 180*day) {
		t.Fatal("expired on day 179")
	}
	if !got.Expired(b.clk.Now().Add(180*day), 180*day) {
		t.Fatal("not expired on day 180")
	}
	// An admin's disable survives a renewal.
	if err := b.s.DisableUser(ctx, active.ID, "left the practice"); err != nil {
		t.Fatal(err)
	}
	b.s.RenewUser(ctx, active.ID, "admin")
	got, _ = b.s.GetUser(ctx, active.ID)
	if got.DisabledAt == nil || got.DisabledReason != "left the practice" {
		t.Fatalf("admin disable after renew: %+v", got)
	}
	if err := b.s.EnableUser(ctx, active.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.DisableInactiveUsers(ctx, 0); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("idle 0: %v", err)
	}
}

func testUserSessions(t *testing.T, ctx context.Context, b *bundle) {
	u := mkUser(t, ctx, b.s, "ann", store.RoleAdmin, "")
	hash := strings.Repeat("ab", 32)
	exp := b.clk.Now().Add(time.Hour)
	if err := b.s.CreateSession(ctx, store.Session{TokenHash: hash, UserID: u.ID, CSRFToken: "csrf", MFAPending: true, ExpiresAt: exp}); err != nil {
		t.Fatal(err)
	}
	s, err := b.s.GetSession(ctx, hash)
	if err != nil || s.UserID != u.ID || !s.MFAPending || s.CSRFToken != "csrf" {
		t.Fatalf("GetSession = %+v, %v", s, err)
	}
	if err := b.s.CompleteMFA(ctx, hash); err != nil {
		t.Fatal(err)
	}
	if s, _ = b.s.GetSession(ctx, hash); s.MFAPending {
		t.Fatal("MFA still pending")
	}
	b.clk.Advance(2 * time.Hour)
	if _, err := b.s.GetSession(ctx, hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if n, err := b.s.DeleteExpiredSessions(ctx); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v", n, err)
	}
	h2 := strings.Repeat("cd", 32)
	b.s.CreateSession(ctx, store.Session{TokenHash: h2, UserID: u.ID, CSRFToken: "c", ExpiresAt: b.clk.Now().Add(time.Hour)})
	if err := b.s.TouchSession(ctx, h2, b.clk.Now().Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := b.s.DisableUser(ctx, u.ID, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.GetSession(ctx, h2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session of a disabled user: %v", err)
	}
	if err := b.s.CreateSession(ctx, store.Session{TokenHash: "short", UserID: u.ID, CSRFToken: "c"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("bad session: %v", err)
	}
}

func testScopedQueries(t *testing.T, ctx context.Context, b *bundle) {
	fa := record(t, ctx, b.s, "acme", "file a")
	fb := record(t, ctx, b.s, "beta", "file b")
	ca := sampleClaim(fa, "CH1")
	cb := sampleClaim(fb, "CH2")
	cc := sampleClaim(fa, "CH3")
	cc.BillingNPI, cc.BillingTIN, cc.ServiceFrom, cc.ServiceTo = "1111111112", "990000002", "20240301", "20240301"
	cc.State = store.ClaimRejected
	for _, c := range []*store.Claim{ca, cb, cc} {
		if err := b.s.InsertClaim(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	acme := store.Scope{PartnerID: "acme"}
	acmeNPI := store.Scope{PartnerID: "acme", NPIs: []string{"1234567893"}}
	all := store.Scope{All: true}
	controls := func(cs []store.Claim) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ControlNumber)
		}
		return out
	}
	cases := []struct {
		name  string
		scope store.Scope
		f     store.ClaimSearch
		want  []string
	}{
		{"all", all, store.ClaimSearch{}, []string{"CH3", "CH2", "CH1"}},
		{"partner", acme, store.ClaimSearch{}, []string{"CH3", "CH1"}},
		{"npi", acmeNPI, store.ClaimSearch{}, []string{"CH1"}},
		{"zero scope", store.Scope{}, store.ClaimSearch{}, nil},
		{"other tenant by control", acme, store.ClaimSearch{ControlNumber: "CH2"}, nil},
		{"other partner filter", acme, store.ClaimSearch{PartnerID: "beta"}, nil},
		{"state", all, store.ClaimSearch{State: store.ClaimRejected}, []string{"CH3"}},
		{"clm01", all, store.ClaimSearch{CLM01: "PCN-CH2"}, []string{"CH2"}},
		{"dates", all, store.ClaimSearch{ServiceFrom: "20240201", ServiceTo: "20240228"}, []string{"CH2", "CH1"}},
		{"file", all, store.ClaimSearch{InboundFileID: fa.ID}, []string{"CH3", "CH1"}},
		{"page", all, store.ClaimSearch{Limit: 2}, []string{"CH3", "CH2"}},
		{"next page", all, store.ClaimSearch{BeforeID: cb.ID}, []string{"CH1"}},
	}
	for _, tc := range cases {
		got, err := b.s.SearchClaims(ctx, tc.scope, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(controls(got), tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, controls(got), tc.want)
		}
	}
	if _, err := b.s.SearchClaims(ctx, all, store.ClaimSearch{ServiceFrom: "2024"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad date: %v", err)
	}
	if c, err := b.s.GetClaimScoped(ctx, acmeNPI, "CH1"); err != nil || len(c.Lines) != 2 {
		t.Fatalf("GetClaimScoped own = %v, %v", c, err)
	}
	for _, tc := range []struct {
		scope   store.Scope
		control string
	}{{acme, "CH2"}, {acmeNPI, "CH3"}, {store.Scope{}, "CH1"}} {
		if _, err := b.s.GetClaimScoped(ctx, tc.scope, tc.control); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetClaimScoped(%+v, %s) = %v, want ErrNotFound", tc.scope, tc.control, err)
		}
	}
	if _, err := b.s.GetInboundScoped(ctx, acme, fb.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other tenant's file: %v", err)
	}
	if f, err := b.s.GetInboundScoped(ctx, acme, fa.ID); err != nil || f.ID != fa.ID {
		t.Errorf("own file: %v %v", f, err)
	}
	fs, err := b.s.ListInboundScoped(ctx, acme, store.ListOpts{})
	if err != nil || len(fs) != 1 || fs[0].ID != fa.ID {
		t.Errorf("ListInboundScoped = %v, %v", fs, err)
	}
	if fs, _ := b.s.ListInboundScoped(ctx, acme, store.ListOpts{PartnerID: "beta"}); len(fs) != 0 {
		t.Errorf("ListInboundScoped(beta) as acme = %v", fs)
	}
	if fs, _ := b.s.ListInboundScoped(ctx, all, store.ListOpts{}); len(fs) != 2 {
		t.Errorf("ListInboundScoped(all) = %d files", len(fs))
	}
}

func testPHIAudit(t *testing.T, ctx context.Context, b *bundle) {
	entries := []store.AuditEntry{
		{Actor: "web", Action: "claim.view", Entity: "claim", EntityID: "CH1", UserName: "ann", ClientIP: "10.0.0.1", MemberID: "ZZM1", ClaimControl: "CH1"},
		{Actor: "web", Action: "claim.view", Entity: "claim", EntityID: "CH2", UserName: "bob", ClientIP: "10.0.0.2", MemberID: "ZZM1", ClaimControl: "CH2"},
		{Actor: "web", Action: "claim.view", Entity: "claim", EntityID: "CH3", UserName: "ann", MemberID: "ZZM2", ClaimControl: "CH3"},
	}
	for _, e := range entries {
		if err := b.s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	who, err := b.s.ListAudit(ctx, store.AuditFilter{MemberID: "ZZM1"})
	if err != nil || len(who) != 2 || who[0].UserName != "bob" || who[1].UserName != "ann" || who[1].ClientIP != "10.0.0.1" {
		t.Fatalf("who saw ZZM1: %+v, %v", who, err)
	}
	what, err := b.s.ListAudit(ctx, store.AuditFilter{UserName: "ann"})
	if err != nil || len(what) != 2 || what[0].ClaimControl != "CH3" || what[1].MemberID != "ZZM1" {
		t.Fatalf("what did ann see: %+v, %v", what, err)
	}
}

func testTOTPStep(t *testing.T, ctx context.Context, b *bundle) {
	u := mkUser(t, ctx, b.s, "ann", store.RoleAdmin, "")
	if err := b.s.SetUserTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		step int64
		ok   bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		ok, err := b.s.UseTOTPStep(ctx, u.ID, tc.step)
		if err != nil || ok != tc.ok {
			t.Fatalf("UseTOTPStep(%d) = %v, %v; want %v", tc.step, ok, err, tc.ok)
		}
	}
	got, _ := b.s.GetUser(ctx, u.ID)
	if got.TOTPSecret != "JBSWY3DPEHPK3PXP" || got.TOTPLastStep != 101 {
		t.Fatalf("totp fields: %q %d", got.TOTPSecret, got.TOTPLastStep)
	}
}
