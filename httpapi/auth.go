package httpapi

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"time"

	"tonegrid"
)

// refreshCookie is the name of the refresh token cookie.
const refreshCookie = "tg_refresh"

// sessionBody is what login, signup and refresh answer.
type sessionBody struct {
	AccessToken  string           `json:"access_token"`
	RefreshToken string           `json:"refresh_token,omitempty"`
	TokenType    string           `json:"token_type"`
	ExpiresIn    int              `json:"expires_in"`
	User         *tonegrid.User   `json:"user"`
	Tenant       *tonegrid.Tenant `json:"tenant"`
}

func newSessionBody(sess *tonegrid.Session) sessionBody {
	return sessionBody{AccessToken: sess.AccessToken, RefreshToken: sess.RefreshToken, TokenType: "Bearer",
		ExpiresIn: sess.ExpiresIn, User: sess.User, Tenant: sess.Tenant}
}

// setRefreshCookie sets the refresh token cookie: HttpOnly, SameSite=Strict,
// scoped to /api/auth, Secure over TLS.
func (s *Server) setRefreshCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: refreshCookie, Value: token, Path: "/api/auth", Expires: expires, MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: s.secureRequest(r), SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) clearRefreshCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: refreshCookie, Value: "", Path: "/api/auth", MaxAge: -1,
		HttpOnly: true, Secure: s.secureRequest(r), SameSite: http.SameSiteStrictMode})
}

// refreshTokenOf returns the refresh token of the body, else of the cookie.
func refreshTokenOf(r *http.Request, fromBody string) string {
	if fromBody != "" {
		return fromBody
	}
	if c, err := r.Cookie(refreshCookie); err == nil {
		return c.Value
	}
	return ""
}

// decodeOptionalJSON decodes a body that may be absent.
func decodeOptionalJSON(r *http.Request, v any) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	br := bufio.NewReader(r.Body)
	if _, err := br.Peek(1); err == io.EOF {
		return nil
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return decodeJSON(r, v)
}

func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email      string `json:"email"`
		Password   string `json:"password"`
		TenantName string `json:"tenant_name"`
		Name       string `json:"name"`
		Locale     string `json:"locale"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Email = c.email("email", in.Email)
	in.TenantName = c.text("tenant_name", in.TenantName, true, 200)
	in.Name = c.text("name", in.Name, false, 200)
	c.locale("locale", in.Locale)
	if in.Password == "" {
		c.add("password", "required")
	}
	if err := c.err(); err != nil {
		return err
	}
	parent, err := s.requestTenant(r)
	if err != nil {
		return err
	}
	if in.Locale == "" {
		in.Locale = parent.DefaultLocale
	}
	sess, err := s.deps.Auth.Signup(r.Context(), tonegrid.SignupInput{
		Email: in.Email, Password: in.Password, TenantName: in.TenantName, Name: in.Name, Locale: in.Locale, Parent: parent,
	})
	if err != nil {
		return err
	}
	s.setRefreshCookie(w, r, sess.RefreshToken, sess.RefreshExpiresAt)
	writeDataMessage(w, http.StatusCreated, newSessionBody(sess), "Account created.")
	return nil
}

func (s *Server) handleVerifyOTP(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Email = c.email("email", in.Email)
	in.Code = c.text("code", in.Code, true, 6)
	if err := c.err(); err != nil {
		return err
	}
	u, err := s.deps.Auth.VerifyOTP(r.Context(), in.Email, in.Code)
	if err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, u, "Email verified.")
	return nil
}

// decodeEmail reads the {email} body of resend-otp and forgot-password.
func decodeEmail(r *http.Request) (string, error) {
	var in struct {
		Email string `json:"email"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return "", err
	}
	var c checker
	email := c.email("email", in.Email)
	return email, c.err()
}

func (s *Server) handleResendOTP(w http.ResponseWriter, r *http.Request) error {
	email, err := decodeEmail(r)
	if err != nil {
		return err
	}
	if err := s.deps.Auth.ResendOTP(r.Context(), email); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusAccepted, nil, "If the account exists and its email is not verified yet, a new code is on its way.")
	return nil
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Email = c.email("email", in.Email)
	if in.Password == "" {
		c.add("password", "required")
	}
	if err := c.err(); err != nil {
		return err
	}
	within, err := s.requestTenant(r)
	if err != nil {
		return err
	}
	// Five failed logins for an email block it for the rest of the window,
	// even with the right password and whether or not the account exists.
	key := loginKey(in.Email)
	if s.deps.Lockout != nil {
		blocked, retry, err := s.deps.Lockout.Blocked(r.Context(), key)
		if err != nil {
			s.log.WarnContext(r.Context(), "login lockout", "request_id", requestIDFrom(r.Context()), "error", err)
		}
		if blocked {
			setRetryAfter(w, retry)
			return tonegrid.ErrRateLimited
		}
	}
	sess, err := s.deps.Auth.Login(r.Context(), in.Email, in.Password, within)
	if errors.Is(err, tonegrid.ErrInvalidCredentials) && s.deps.Lockout != nil {
		if _, ferr := s.deps.Lockout.Failure(r.Context(), key); ferr != nil {
			s.log.WarnContext(r.Context(), "login lockout", "request_id", requestIDFrom(r.Context()), "error", ferr)
		}
	}
	if err != nil {
		return err
	}
	s.setRefreshCookie(w, r, sess.RefreshToken, sess.RefreshExpiresAt)
	writeData(w, http.StatusOK, newSessionBody(sess))
	return nil
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decodeOptionalJSON(r, &in); err != nil {
		return err
	}
	tok := refreshTokenOf(r, in.RefreshToken)
	if tok == "" {
		return tonegrid.ErrTokenMissing
	}
	sess, err := s.deps.Auth.Refresh(r.Context(), tok)
	if err != nil {
		if e, ok := tonegrid.ErrorOf(err); ok && e.Status == http.StatusUnauthorized {
			s.clearRefreshCookie(w, r)
		}
		return err
	}
	s.setRefreshCookie(w, r, sess.RefreshToken, sess.RefreshExpiresAt)
	writeData(w, http.StatusOK, newSessionBody(sess))
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decodeOptionalJSON(r, &in); err != nil {
		return err
	}
	if err := s.deps.Auth.Logout(r.Context(), principalOf(r), refreshTokenOf(r, in.RefreshToken)); err != nil {
		return err
	}
	s.clearRefreshCookie(w, r)
	writeDataMessage(w, http.StatusOK, nil, "Logged out.")
	return nil
}

func (s *Server) handleForgotPassword(w http.ResponseWriter, r *http.Request) error {
	email, err := decodeEmail(r)
	if err != nil {
		return err
	}
	within, err := s.requestTenant(r)
	if err != nil {
		return err
	}
	if err := s.deps.Auth.ForgotPassword(r.Context(), email, within); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusAccepted, nil, "If an account exists for this email, a reset link is on its way.")
	return nil
}

func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Token = c.text("token", in.Token, true, 100)
	if in.Password == "" {
		c.add("password", "required")
	}
	if err := c.err(); err != nil {
		return err
	}
	if err := s.deps.Auth.ResetPassword(r.Context(), in.Token, in.Password); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "Password updated. Log in with the new password.")
	return nil
}
