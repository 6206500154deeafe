package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Role is what a portal user may do.
type Role string

// Portal roles. Admins and operators see every partner; provider roles see
// their own partner only (and, when the user has scopes, only the claims
// of those billing NPIs/TINs).
const (
	// RoleAdmin manages users and reads the audit log, besides everything
	// an operator does.
	RoleAdmin Role = "admin"
	// RoleOperator works the clearinghouse: every partner's files and
	// claims, the duplicate queue, reprocessing, deliveries, schedules.
	RoleOperator Role = "operator"
	// RoleProviderAdmin is a provider user who also renews and unlocks
	// the users of their own partner.
	RoleProviderAdmin Role = "provider-admin"
	// RoleProviderUser is a provider's billing staff.
	RoleProviderUser Role = "provider-user"
)

// Roles lists the roles in order of power.
func Roles() []Role { return []Role{RoleAdmin, RoleOperator, RoleProviderAdmin, RoleProviderUser} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleOperator, RoleProviderAdmin, RoleProviderUser:
		return true
	}
	return false
}

// Provider reports whether r is tied to one partner.
func (r Role) Provider() bool { return r == RoleProviderAdmin || r == RoleProviderUser }

// DisabledInactive is the DisabledReason the inactivity job sets.
const DisabledInactive = "inactive"

// User is a web portal account. PasswordHash and TOTPSecret are secrets:
// never log or render them.
type User struct {
	ID       int64  `db:"id"`
	Username string `db:"username"`
	Role     Role   `db:"role"`
	// PartnerID is the submitter partner of a provider role ("" for
	// admin and operator).
	PartnerID    string `db:"partner_id"`
	PasswordHash string `db:"password_hash"`
	// TOTPSecret is the base32 RFC 6238 secret ("" = no second factor);
	// TOTPLastStep is the last time step accepted (no code is used twice).
	TOTPSecret   string `db:"totp_secret"`
	TOTPLastStep int64  `db:"totp_last_step"`
	// FailedLogins counts consecutive failed logins; LockedAt is set when
	// they reach the limit, until UnlockUser.
	FailedLogins int        `db:"failed_logins"`
	LockedAt     *time.Time `db:"locked_at"`
	// DisabledAt is set by DisableUser or DisableInactiveUsers.
	DisabledAt     *time.Time `db:"disabled_at"`
	DisabledReason string     `db:"disabled_reason"`
	// RenewedAt starts the access period (creation, then each renewal).
	RenewedAt   time.Time  `db:"renewed_at"`
	LastLoginAt *time.Time `db:"last_login_at"`
	CreatedAt   time.Time  `db:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
	// NPIs and TINs restrict a provider user's claims to these billing
	// providers (none: every claim of the partner).
	NPIs []string `db:"-"`
	TINs []string `db:"-"`
}

// Expired reports whether u's access period (validity after RenewedAt)
// is over at now.
func (u *User) Expired(now time.Time, validity time.Duration) bool {
	return !now.Before(u.RenewedAt.Add(validity))
}

// Scope is the part of the data u may read.
func (u *User) Scope() Scope {
	if !u.Role.Provider() {
		return Scope{All: true}
	}
	return Scope{PartnerID: u.PartnerID, NPIs: u.NPIs, TINs: u.TINs}
}

func (u *User) normalize() {
	u.LockedAt = utcPtr(u.LockedAt)
	u.DisabledAt = utcPtr(u.DisabledAt)
	u.RenewedAt = utc(u.RenewedAt)
	u.LastLoginAt = utcPtr(u.LastLoginAt)
	u.CreatedAt = utc(u.CreatedAt)
	u.UpdatedAt = utc(u.UpdatedAt)
}

// Scope limits a query to what a user may read. The zero Scope matches
// nothing; Scope{All: true} matches everything.
type Scope struct {
	// All lifts every restriction (admin, operator).
	All bool
	// PartnerID keeps one partner's rows.
	PartnerID string
	// NPIs and TINs, when any is set, keep only claims whose billing NPI
	// or TIN is among them.
	NPIs []string
	TINs []string
}

// claimWhere returns the SQL condition (on the claims table, aliased
// prefix) and arguments of s.
func (s Scope) claimWhere(prefix string) (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	if s.PartnerID == "" {
		return "1 = 0", nil
	}
	where := prefix + "partner_id = ?"
	args := []any{s.PartnerID}
	var ors []string
	if len(s.NPIs) > 0 {
		in, a := inArgs(s.NPIs)
		ors = append(ors, prefix+"billing_npi IN ("+in+")")
		args = append(args, a...)
	}
	if len(s.TINs) > 0 {
		in, a := inArgs(s.TINs)
		ors = append(ors, prefix+"billing_tin IN ("+in+")")
		args = append(args, a...)
	}
	if len(ors) > 0 {
		where += " AND (" + strings.Join(ors, " OR ") + ")"
	}
	return where, args
}

// HasClaim is claimWhere's condition for a claim already read.
func (s Scope) HasClaim(c *Claim) bool {
	if s.All {
		return true
	}
	if s.PartnerID == "" || c.PartnerID != s.PartnerID {
		return false
	}
	if len(s.NPIs) == 0 && len(s.TINs) == 0 {
		return true
	}
	return slices.Contains(s.NPIs, c.BillingNPI) || slices.Contains(s.TINs, c.BillingTIN)
}

// fileWhere returns the SQL condition of s on inbound or outbound files
// (files belong to a partner; NPI scopes do not apply to them).
func (s Scope) fileWhere() (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	if s.PartnerID == "" {
		return "1 = 0", nil
	}
	return "partner_id = ?", []any{s.PartnerID}
}

const userCols = `id, username, role, COALESCE(partner_id, '') AS partner_id, password_hash, totp_secret,
	totp_last_step, failed_logins, locked_at, disabled_at, disabled_reason, renewed_at, last_login_at,
	created_at, updated_at`

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{1,63}$`)

// CheckUsername refuses names that are not 2-64 lower-case letters,
// digits or ._@- (starting with a letter or digit).
func CheckUsername(name string) error {
	if !usernameRE.MatchString(name) {
		return invalid("username", name, "want 2-64 of a-z 0-9 . _ @ - starting with a letter or digit")
	}
	return nil
}

var npiRE = regexp.MustCompile(`^[0-9]{9,10}$`)

// CreateUser records a new user (RenewedAt = now) with its scopes and
// returns it. Required: Username, Role, PasswordHash; PartnerID for the
// provider roles only (the partner row is created when missing). A name
// already taken returns ErrConflict.
func (q *Queries) CreateUser(ctx context.Context, u User) (*User, error) {
	if err := CheckUsername(u.Username); err != nil {
		return nil, err
	}
	if !u.Role.Valid() {
		return nil, invalid("role", string(u.Role), "want admin, operator, provider-admin or provider-user")
	}
	if u.Role.Provider() != (u.PartnerID != "") {
		return nil, invalid("partner", u.PartnerID, "provider roles need a partner; admin and operator have none")
	}
	if u.PasswordHash == "" {
		return nil, invalid("password hash", "", "empty")
	}
	for _, v := range append(append([]string{}, u.NPIs...), u.TINs...) {
		if !npiRE.MatchString(v) {
			return nil, invalid("npi/tin", v, "want 9 or 10 digits")
		}
	}
	now := q.now()
	var id int64
	err := q.atomic(ctx, func(q *Queries) error {
		var partner any
		if u.PartnerID != "" {
			if err := q.ensurePartner(ctx, u.PartnerID); err != nil {
				return err
			}
			partner = u.PartnerID
		}
		err := q.get(ctx, &id, `INSERT INTO portal_users
			(username, role, partner_id, password_hash, totp_secret, renewed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Username, u.Role, partner, u.PasswordHash, u.TOTPSecret, now, now, now)
		if err != nil {
			if isUniqueViolation(err) {
				return ErrConflict
			}
			return err
		}
		return q.setScopes(ctx, id, u.NPIs, u.TINs)
	})
	if err != nil {
		return nil, fmt.Errorf("store: create user %s: %w", u.Username, err)
	}
	return q.GetUser(ctx, id)
}

func (q *Queries) setScopes(ctx context.Context, id int64, npis, tins []string) error {
	if _, err := q.exec(ctx, `DELETE FROM portal_user_scopes WHERE user_id = ?`, id); err != nil {
		return err
	}
	for _, s := range []struct {
		kind string
		vs   []string
	}{{"npi", npis}, {"tin", tins}} {
		for _, v := range s.vs {
			if _, err := q.exec(ctx, `INSERT INTO portal_user_scopes (user_id, kind, value) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, id, s.kind, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// GetUser returns the user with the given ID and its scopes, or
// ErrNotFound.
func (q *Queries) GetUser(ctx context.Context, id int64) (*User, error) {
	u, err := q.oneUser(ctx, `id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: get user %d: %w", id, err)
	}
	return u, nil
}

// GetUserByName returns the user with the given name and its scopes, or
// ErrNotFound.
func (q *Queries) GetUserByName(ctx context.Context, name string) (*User, error) {
	u, err := q.oneUser(ctx, `username = ?`, name)
	if err != nil {
		return nil, fmt.Errorf("store: get user %s: %w", name, err)
	}
	return u, nil
}

func (q *Queries) oneUser(ctx context.Context, where string, args ...any) (*User, error) {
	var u User
	if err := q.get(ctx, &u, `SELECT `+userCols+` FROM portal_users WHERE `+where, args...); err != nil {
		return nil, err
	}
	u.normalize()
	us := []User{u}
	if err := q.loadScopes(ctx, us); err != nil {
		return nil, err
	}
	return &us[0], nil
}

func (q *Queries) loadScopes(ctx context.Context, us []User) error {
	if len(us) == 0 {
		return nil
	}
	ids := make([]int64, len(us))
	byID := map[int64]*User{}
	for i := range us {
		ids[i] = us[i].ID
		byID[us[i].ID] = &us[i]
	}
	in, args := inArgs(ids)
	var rows []struct {
		UserID int64  `db:"user_id"`
		Kind   string `db:"kind"`
		Value  string `db:"value"`
	}
	if err := q.selectAll(ctx, &rows, `SELECT user_id, kind, value FROM portal_user_scopes
		WHERE user_id IN (`+in+`) ORDER BY user_id, kind, value`, args...); err != nil {
		return fmt.Errorf("load scopes: %w", err)
	}
	for _, r := range rows {
		u := byID[r.UserID]
		if r.Kind == "npi" {
			u.NPIs = append(u.NPIs, r.Value)
		} else {
			u.TINs = append(u.TINs, r.Value)
		}
	}
	return nil
}

// UserFilter selects users for ListUsers. Zero fields do not filter.
type UserFilter struct {
	// PartnerID keeps one partner's users.
	PartnerID string
}

// ListUsers returns the users matching f by name.
func (q *Queries) ListUsers(ctx context.Context, f UserFilter) ([]User, error) {
	query := `SELECT ` + userCols + ` FROM portal_users WHERE 1 = 1`
	var args []any
	if f.PartnerID != "" {
		query += ` AND partner_id = ?`
		args = append(args, f.PartnerID)
	}
	query += ` ORDER BY username`
	var us []User
	if err := q.selectAll(ctx, &us, query, args...); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	for i := range us {
		us[i].normalize()
	}
	if err := q.loadScopes(ctx, us); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return us, nil
}

// updateUser runs one UPDATE of portal_users on id (set holds the
// assignments) and bumps updated_at; ErrNotFound when no such user.
func (q *Queries) updateUser(ctx context.Context, what string, id int64, set string, args ...any) error {
	args = append(args, q.now(), id)
	n, err := q.exec(ctx, `UPDATE portal_users SET `+set+`, updated_at = ? WHERE id = ?`, args...)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: %s user %d: %w", what, id, err)
	}
	return nil
}

// SetUserPassword replaces u's password hash (an admin's reset), clears
// the failed-login count and lock, and ends every session of the user.
func (q *Queries) SetUserPassword(ctx context.Context, id int64, hash string) error {
	if hash == "" {
		return invalid("password hash", "", "empty")
	}
	return q.atomic(ctx, func(q *Queries) error {
		if err := q.updateUser(ctx, "set password of", id,
			`password_hash = ?, failed_logins = 0, locked_at = NULL`, hash); err != nil {
			return err
		}
		return q.DeleteUserSessions(ctx, id)
	})
}

// SetUserTOTP sets (or, with "", removes) u's TOTP secret.
func (q *Queries) SetUserTOTP(ctx context.Context, id int64, secret string) error {
	return q.updateUser(ctx, "set totp of", id, `totp_secret = ?, totp_last_step = 0`, secret)
}

// UseTOTPStep records that the code of time step was accepted; it returns
// false (and changes nothing) when that step or a later one was already
// used, so a code cannot be replayed.
func (q *Queries) UseTOTPStep(ctx context.Context, id, step int64) (bool, error) {
	n, err := q.exec(ctx, `UPDATE portal_users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, id, step)
	if err != nil {
		return false, fmt.Errorf("store: use totp step of user %d: %w", id, err)
	}
	return n == 1, nil
}

// SetUserScopes replaces the billing NPIs and TINs u may see.
func (q *Queries) SetUserScopes(ctx context.Context, id int64, npis, tins []string) error {
	for _, v := range append(append([]string{}, npis...), tins...) {
		if !npiRE.MatchString(v) {
			return invalid("npi/tin", v, "want 9 or 10 digits")
		}
	}
	err := q.atomic(ctx, func(q *Queries) error {
		if err := q.updateUser(ctx, "set scopes of", id, `failed_logins = failed_logins`); err != nil {
			return err
		}
		return q.setScopes(ctx, id, npis, tins)
	})
	if err != nil {
		return fmt.Errorf("store: set scopes of user %d: %w", id, err)
	}
	return nil
}

// LoginAttempt is one recorded login attempt.
type LoginAttempt struct {
	ID       int64     `db:"id"`
	UserID   *int64    `db:"user_id"`
	Username string    `db:"username"`
	At       time.Time `db:"at"`
	ClientIP string    `db:"client_ip"`
	OK       bool      `db:"ok"`
	Reason   string    `db:"reason"`
}

// RecordLoginFailure counts a failed login of user id (nil for an unknown
// name) and records the attempt; at maxFailures consecutive failures the
// user is locked. It reports whether the user is now locked.
func (q *Queries) RecordLoginFailure(ctx context.Context, id *int64, username, ip, reason string, maxFailures int) (locked bool, err error) {
	now := q.now()
	err = q.atomic(ctx, func(q *Queries) error {
		if _, err := q.exec(ctx, `INSERT INTO portal_login_attempts (user_id, username, at, client_ip, ok, reason)
			VALUES (?, ?, ?, ?, ?, ?)`, id, username, now, ip, false, reason); err != nil {
			return err
		}
		if id == nil {
			return nil
		}
		var n int
		if err := q.get(ctx, &n, `UPDATE portal_users SET failed_logins = failed_logins + 1, updated_at = ?
			WHERE id = ? RETURNING failed_logins`, now, *id); err != nil {
			return err
		}
		if n >= maxFailures {
			if _, err := q.exec(ctx, `UPDATE portal_users SET locked_at = COALESCE(locked_at, ?) WHERE id = ?`, now, *id); err != nil {
				return err
			}
			locked = true
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: record login failure: %w", err)
	}
	return locked, nil
}

// RecordLoginSuccess records a successful login of user id: the failure
// count goes back to 0 and LastLoginAt is now.
func (q *Queries) RecordLoginSuccess(ctx context.Context, id int64, username, ip string) error {
	now := q.now()
	return q.atomic(ctx, func(q *Queries) error {
		if _, err := q.exec(ctx, `INSERT INTO portal_login_attempts (user_id, username, at, client_ip, ok, reason)
			VALUES (?, ?, ?, ?, ?, '')`, id, username, now, ip, true); err != nil {
			return fmt.Errorf("store: record login of user %d: %w", id, err)
		}
		return q.updateUser(ctx, "record login of", id, `failed_logins = 0, last_login_at = ?`, now)
	})
}

// ListLoginAttempts returns the latest n login attempts of user id,
// newest first.
func (q *Queries) ListLoginAttempts(ctx context.Context, id int64, n int) ([]LoginAttempt, error) {
	var as []LoginAttempt
	if err := q.selectAll(ctx, &as, `SELECT id, user_id, username, at, client_ip, ok, reason
		FROM portal_login_attempts WHERE user_id = ? ORDER BY id DESC LIMIT ?`, id, limit(n)); err != nil {
		return nil, fmt.Errorf("store: list login attempts: %w", err)
	}
	for i := range as {
		as[i].At = utc(as[i].At)
	}
	return as, nil
}

// UnlockUser lifts a lockout and clears the failure count.
func (q *Queries) UnlockUser(ctx context.Context, id int64) error {
	return q.updateUser(ctx, "unlock", id, `failed_logins = 0, locked_at = NULL`)
}

// DisableUser disables u (reason is shown to admins) and ends its
// sessions.
func (q *Queries) DisableUser(ctx context.Context, id int64, reason string) error {
	if reason == "" {
		return invalid("disable reason", "", "empty")
	}
	return q.atomic(ctx, func(q *Queries) error {
		if err := q.updateUser(ctx, "disable", id, `disabled_at = COALESCE(disabled_at, ?), disabled_reason = ?`, q.now(), reason); err != nil {
			return err
		}
		return q.DeleteUserSessions(ctx, id)
	})
}

// EnableUser clears a disable.
func (q *Queries) EnableUser(ctx context.Context, id int64) error {
	return q.updateUser(ctx, "enable", id, `disabled_at = NULL, disabled_reason = ''`)
}

// RenewUser starts a new access period for u now and records who renewed
// it; a user disabled for inactivity is enabled again (a disable by an
// admin stays).
func (q *Queries) RenewUser(ctx context.Context, id int64, by string) error {
	if by == "" {
		return invalid("renewed by", "", "empty")
	}
	now := q.now()
	return q.atomic(ctx, func(q *Queries) error {
		if err := q.updateUser(ctx, "renew", id, `renewed_at = ?,
			disabled_at = CASE WHEN disabled_reason = ? THEN NULL ELSE disabled_at END,
			disabled_reason = CASE WHEN disabled_reason = ? THEN '' ELSE disabled_reason END`,
			now, DisabledInactive, DisabledInactive); err != nil {
			return err
		}
		_, err := q.exec(ctx, `INSERT INTO portal_renewals (user_id, renewed_by, at) VALUES (?, ?, ?)`, id, by, now)
		if err != nil {
			return fmt.Errorf("store: renew user %d: %w", id, err)
		}
		return nil
	})
}

// Renewal is one renewal of a user's access.
type Renewal struct {
	ID        int64     `db:"id"`
	UserID    int64     `db:"user_id"`
	RenewedBy string    `db:"renewed_by"`
	At        time.Time `db:"at"`
}

// ListRenewals returns the renewals of user id, newest first.
func (q *Queries) ListRenewals(ctx context.Context, id int64) ([]Renewal, error) {
	var rs []Renewal
	if err := q.selectAll(ctx, &rs, `SELECT id, user_id, renewed_by, at FROM portal_renewals
		WHERE user_id = ? ORDER BY id DESC LIMIT 1000`, id); err != nil {
		return nil, fmt.Errorf("store: list renewals: %w", err)
	}
	for i := range rs {
		rs[i].At = utc(rs[i].At)
	}
	return rs, nil
}

// DisableInactiveUsers disables (reason DisabledInactive) every enabled
// user with no login for idle — counted from the last login, or from the
// last renewal when that is later (a new or just renewed account gets the
// full period) — and ends their sessions. It returns the users disabled.
func (q *Queries) DisableInactiveUsers(ctx context.Context, idle time.Duration) ([]string, error) {
	if idle <= 0 {
		return nil, invalid("inactivity period", idle.String(), "must be positive")
	}
	now := q.now()
	cutoff := now.Add(-idle)
	var names []string
	err := q.atomic(ctx, func(q *Queries) error {
		var ids []struct {
			ID   int64  `db:"id"`
			Name string `db:"username"`
		}
		if err := q.selectAll(ctx, &ids, `SELECT id, username FROM portal_users
			WHERE disabled_at IS NULL AND renewed_at <= ? AND (last_login_at IS NULL OR last_login_at <= ?)
			ORDER BY id`, cutoff, cutoff); err != nil {
			return err
		}
		for _, u := range ids {
			if err := q.updateUser(ctx, "disable", u.ID, `disabled_at = ?, disabled_reason = ?`, now, DisabledInactive); err != nil {
				return err
			}
			if err := q.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
			names = append(names, u.Name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: disable inactive users: %w", err)
	}
	return names, nil
}

// Session is a portal login session. The cookie holds a random token; the
// store keeps only its SHA-256 (TokenHash).
type Session struct {
	TokenHash string `db:"token_hash"`
	UserID    int64  `db:"user_id"`
	// CSRFToken is the token every form of the session must carry.
	CSRFToken string `db:"csrf_token"`
	// MFAPending: the password was right, the TOTP code is still due.
	MFAPending bool      `db:"mfa_pending"`
	ClientIP   string    `db:"client_ip"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
}

// CreateSession records s (CreatedAt and LastSeenAt = now).
func (q *Queries) CreateSession(ctx context.Context, s Session) error {
	if len(s.TokenHash) != 64 || s.CSRFToken == "" || s.UserID <= 0 {
		return invalid("session", "", "needs a token hash, a CSRF token and a user")
	}
	now := q.now()
	_, err := q.exec(ctx, `INSERT INTO portal_sessions
		(token_hash, user_id, csrf_token, mfa_pending, client_ip, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, s.CSRFToken, s.MFAPending, s.ClientIP, now, now, s.ExpiresAt.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// GetSession returns the unexpired session of tokenHash, or ErrNotFound.
func (q *Queries) GetSession(ctx context.Context, tokenHash string) (*Session, error) {
	var s Session
	err := q.get(ctx, &s, `SELECT token_hash, user_id, csrf_token, mfa_pending, client_ip, created_at,
		last_seen_at, expires_at FROM portal_sessions WHERE token_hash = ? AND expires_at > ?`, tokenHash, q.now())
	if err != nil {
		return nil, fmt.Errorf("store: get session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = utc(s.CreatedAt), utc(s.LastSeenAt), utc(s.ExpiresAt)
	return &s, nil
}

// TouchSession moves a session's LastSeenAt to now and its expiry to
// expires (a sliding idle timeout).
func (q *Queries) TouchSession(ctx context.Context, tokenHash string, expires time.Time) error {
	n, err := q.exec(ctx, `UPDATE portal_sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?`,
		q.now(), expires.UTC().Truncate(time.Microsecond), tokenHash)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// CompleteMFA clears a session's MFAPending.
func (q *Queries) CompleteMFA(ctx context.Context, tokenHash string) error {
	n, err := q.exec(ctx, `UPDATE portal_sessions SET mfa_pending = ? WHERE token_hash = ?`, false, tokenHash)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: complete mfa: %w", err)
	}
	return nil
}

// DeleteSession ends one session (no error when it is gone already).
func (q *Queries) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := q.exec(ctx, `DELETE FROM portal_sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of user id.
func (q *Queries) DeleteUserSessions(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, `DELETE FROM portal_sessions WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("store: delete sessions of user %d: %w", id, err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func (q *Queries) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	n, err := q.exec(ctx, `DELETE FROM portal_sessions WHERE expires_at <= ?`, q.now())
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

// ClaimSearch selects claims for SearchClaims. Zero fields do not filter.
type ClaimSearch struct {
	// ControlNumber, CLM01 and State match exactly.
	ControlNumber string
	CLM01         string
	State         ClaimState
	// PartnerID keeps one partner's claims (within the scope).
	PartnerID string
	// ServiceFrom and ServiceTo (CCYYMMDD) keep claims whose first date
	// of service is in [ServiceFrom, ServiceTo].
	ServiceFrom string
	ServiceTo   string
	// InboundFileID keeps one file's claims.
	InboundFileID int64
	// BeforeID keeps claims with a smaller ID: results are newest first,
	// so this is the next page after the last ID seen.
	BeforeID int64
	// Limit caps the number of claims. Default 100, at most 1000.
	Limit int
}

// SearchClaims returns the claims within scope matching f, newest first,
// without lines (the portal's claim search, read by keyset).
func (q *Queries) SearchClaims(ctx context.Context, scope Scope, f ClaimSearch) ([]Claim, error) {
	for _, d := range []struct{ f, v string }{{"service from", f.ServiceFrom}, {"service to", f.ServiceTo}} {
		if err := checkDate(d.f, d.v); err != nil {
			return nil, err
		}
	}
	where, args := scope.claimWhere("")
	query := `SELECT ` + claimCols + ` FROM claims WHERE ` + where
	add := func(cond string, v any) {
		query += ` AND ` + cond
		args = append(args, v)
	}
	if f.ControlNumber != "" {
		add(`control_number = ?`, f.ControlNumber)
	}
	if f.CLM01 != "" {
		add(`clm01 = ?`, f.CLM01)
	}
	if f.State != "" {
		add(q.stateIs(f.State), f.State)
	}
	if f.PartnerID != "" {
		add(`partner_id = ?`, f.PartnerID)
	}
	if f.ServiceFrom != "" {
		add(`service_from >= ?`, f.ServiceFrom)
	}
	if f.ServiceTo != "" {
		add(`service_from <= ?`, f.ServiceTo)
	}
	if f.InboundFileID > 0 {
		add(`inbound_file_id = ?`, f.InboundFileID)
	}
	if f.BeforeID > 0 {
		add(`id < ?`, f.BeforeID)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	var cs []Claim
	if err := q.selectPlanned(ctx, &cs, query, args...); err != nil {
		return nil, fmt.Errorf("store: search claims: %w", err)
	}
	for i := range cs {
		cs[i].normalize()
	}
	return cs, nil
}

// selectPlanned runs query like selectAll but never as a cached prepared
// statement: PostgreSQL then plans it for the values at hand. A search's
// generic plan is the wrong one for some values (a date range with no
// claim scanned the whole table backwards by ID instead of reading the
// date index).
func (q *Queries) selectPlanned(ctx context.Context, dest any, query string, args ...any) error {
	ext, err := q.conn(ctx)
	if err != nil {
		return err
	}
	return sqlx.SelectContext(ctx, ext, dest, q.rebind(query), args...)
}

// GetClaimScoped returns the claim with our control number and its lines
// when it is within scope, else ErrNotFound (another tenant's claim does
// not exist for the caller).
func (q *Queries) GetClaimScoped(ctx context.Context, scope Scope, control string) (*Claim, error) {
	where, args := scope.claimWhere("")
	c, err := q.oneClaim(ctx, `control_number = ? AND `+where, append([]any{control}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: get claim %s: %w", control, err)
	}
	return c, nil
}

// GetInboundScoped returns the inbound file id when it is within scope,
// else ErrNotFound.
func (q *Queries) GetInboundScoped(ctx context.Context, scope Scope, id int64) (*InboundFile, error) {
	where, args := scope.fileWhere()
	var f InboundFile
	if err := q.get(ctx, &f, `SELECT `+inboundCols+` FROM inbound_files WHERE id = ? AND `+where,
		append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("store: get inbound %d: %w", id, err)
	}
	f.normalize()
	return &f, nil
}

// ListInboundScoped returns the inbound files within scope matching o,
// newest first.
func (q *Queries) ListInboundScoped(ctx context.Context, scope Scope, o ListOpts) ([]InboundFile, error) {
	if !scope.All {
		if scope.PartnerID == "" {
			return []InboundFile{}, nil
		}
		if o.PartnerID != "" && o.PartnerID != scope.PartnerID {
			return []InboundFile{}, nil
		}
		o.PartnerID = scope.PartnerID
	}
	return q.ListInbound(ctx, o)
}
