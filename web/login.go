package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/web/auth"
)

// What a refused login tells the user. A wrong password and an unknown
// name say the same thing.
var (
	errBadLogin = errors.New("Wrong username or password.")
	errLocked   = errors.New("This account is locked after 3 failed sign-ins. An administrator must unlock it.")
	errDisabled = errors.New("This account is disabled. Ask your administrator.")
	errExpired  = errors.New("Your access has expired (it lasts 180 days from its last renewal). Ask your administrator to renew it.")
	errBadCode  = errors.New("Wrong or already used code.")
)

type loginPage struct {
	CSRF, Username, Error string
	TOTP                  bool
}

// loginForm shows the sign-in form with a fresh login CSRF token (a
// double-submit cookie: there is no session yet).
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	tok, err := auth.NewToken()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setCookie(w, loginCookie, tok, 3600)
	p.CSRF = tok
	s.renderPlain(w, r, status, "login", p)
}

func (s *Server) getLogin(w http.ResponseWriter, r *http.Request) {
	s.loginForm(w, r, http.StatusOK, loginPage{})
}

// postLogin checks the password and starts a session (MFA pending when
// the user has a TOTP secret).
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := r.Cookie(loginCookie)
	if err != nil || !auth.TokensEqual(r.PostFormValue("csrf"), c.Value) {
		s.loginForm(w, r, http.StatusForbidden, loginPage{Error: "The sign-in form expired. Try again."})
		return
	}
	name := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	pw := r.PostFormValue("password")
	ip := s.clientIP(r)
	u, err := s.st.GetUserByName(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
		s.serverError(w, r, err)
		return
	}
	refuse := func(status int, e error) {
		s.loginForm(w, r, status, loginPage{Username: name, Error: e.Error()})
	}
	if u == nil {
		auth.VerifyNobody(pw)
		if _, err := s.st.RecordLoginFailure(ctx, nil, name, ip, "unknown user", auth.MaxFailedLogins); err != nil {
			s.serverError(w, r, err)
			return
		}
		refuse(http.StatusUnauthorized, errBadLogin)
		return
	}
	if u.LockedAt != nil {
		auth.VerifyNobody(pw)
		if _, err := s.st.RecordLoginFailure(ctx, &u.ID, name, ip, "locked", auth.MaxFailedLogins); err != nil {
			s.serverError(w, r, err)
			return
		}
		refuse(http.StatusForbidden, errLocked)
		return
	}
	if !auth.VerifyPassword(u.PasswordHash, pw) {
		locked, err := s.st.RecordLoginFailure(ctx, &u.ID, name, ip, "bad password", auth.MaxFailedLogins)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if locked {
			s.log.WarnContext(ctx, "portal account locked", slog.Int64("user_id", u.ID))
			refuse(http.StatusForbidden, errLocked)
			return
		}
		refuse(http.StatusUnauthorized, errBadLogin)
		return
	}
	if err := s.usable(u); err != nil {
		if _, rerr := s.st.RecordLoginFailure(ctx, nil, name, ip, refusedReason(err), auth.MaxFailedLogins); rerr != nil {
			s.serverError(w, r, rerr)
			return
		}
		refuse(http.StatusForbidden, err)
		return
	}
	mfa := u.TOTPSecret != ""
	if !mfa {
		if err := s.st.RecordLoginSuccess(ctx, u.ID, name, ip); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if err := s.startSession(w, r, u, mfa); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setCookie(w, loginCookie, "", -1)
	if mfa {
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func refusedReason(err error) string {
	switch err {
	case errDisabled:
		return "disabled"
	case errExpired:
		return "expired"
	}
	return "refused"
}

// startSession creates a session for u and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *store.User, mfaPending bool) error {
	tok, err := auth.NewToken()
	if err != nil {
		return err
	}
	csrf, err := auth.NewToken()
	if err != nil {
		return err
	}
	err = s.st.CreateSession(r.Context(), store.Session{
		TokenHash: auth.HashToken(tok), UserID: u.ID, CSRFToken: csrf, MFAPending: mfaPending,
		ClientIP: s.clientIP(r), ExpiresAt: s.cfg.Now().Add(s.cfg.SessionIdle),
	})
	if err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, tok, 0)
	return nil
}

func (s *Server) getTOTP(q *Request) error {
	if !q.sess.MFAPending {
		http.Redirect(q.W, q.R, "/", http.StatusSeeOther)
		return nil
	}
	s.renderPlain(q.W, q.R, http.StatusOK, "totp", loginPage{CSRF: q.sess.CSRFToken, TOTP: true})
	return nil
}

// postTOTP checks the second factor; a wrong code counts as a failed
// login (three lock the account).
func (s *Server) postTOTP(q *Request) error {
	ctx := q.R.Context()
	if !q.sess.MFAPending {
		http.Redirect(q.W, q.R, "/", http.StatusSeeOther)
		return nil
	}
	u := q.User
	step, ok := auth.VerifyTOTP(u.TOTPSecret, q.R.PostFormValue("code"), s.cfg.Now())
	if ok {
		fresh, err := s.st.UseTOTPStep(ctx, u.ID, step)
		if err != nil {
			return err
		}
		ok = fresh
	}
	if !ok {
		locked, err := s.st.RecordLoginFailure(ctx, &u.ID, u.Username, q.ClientIP, "bad totp code", auth.MaxFailedLogins)
		if err != nil {
			return err
		}
		if locked {
			_ = s.st.DeleteUserSessions(ctx, u.ID)
			s.clearSession(q.W)
			s.loginForm(q.W, q.R, http.StatusForbidden, loginPage{Username: u.Username, Error: errLocked.Error()})
			return nil
		}
		s.renderPlain(q.W, q.R, http.StatusUnauthorized, "totp", loginPage{CSRF: q.sess.CSRFToken, TOTP: true, Error: errBadCode.Error()})
		return nil
	}
	if err := s.st.RecordLoginSuccess(ctx, u.ID, u.Username, q.ClientIP); err != nil {
		return err
	}
	// A new session token once fully signed in (no fixation of the
	// half-signed-in one).
	_ = s.st.DeleteSession(ctx, q.sess.TokenHash)
	if err := s.startSession(q.W, q.R, u, false); err != nil {
		return err
	}
	http.Redirect(q.W, q.R, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) postLogout(q *Request) error {
	if err := s.st.DeleteSession(q.R.Context(), q.sess.TokenHash); err != nil {
		return err
	}
	s.clearSession(q.W)
	http.Redirect(q.W, q.R, "/login", http.StatusSeeOther)
	return nil
}
