package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"tonegrid"
	"tonegrid/app/apptest"
	"tonegrid/auth"
	"tonegrid/secret"
)

const unknownUUID = "0193f7d0-0000-7000-8000-000000000000"

func TestSignupVerifyAndLogin(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		email := apptest.UniqueEmail("signup")
		resp := srv.Post("/api/auth/signup", "", map[string]string{
			"email": strings.ToUpper(email), "password": apptest.Password, "tenant_name": "Night Owl Records", "name": "Ada"})
		resp.ExpectStatus(t, http.StatusCreated)
		var body struct {
			Message string              `json:"message"`
			Data    apptest.SessionData `json:"data"`
		}
		resp.JSON(t, &body)
		if body.Message != "Account created." || body.Data.User.Email != email || body.Data.User.EmailVerified ||
			body.Data.User.Role != "label_admin" || body.Data.Tenant.Name != "Night Owl Records" ||
			!strings.HasPrefix(body.Data.RefreshToken, "rft_") || body.Data.AccessToken == "" {
			t.Fatalf("signup body = %s", resp.Body)
		}
		cookie := resp.Header.Get("Set-Cookie")
		for _, want := range []string{"tg_refresh=" + body.Data.RefreshToken, "HttpOnly", "SameSite=Strict", "Path=/api/auth"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("Set-Cookie %q lacks %q", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("Set-Cookie %q is Secure on plain HTTP", cookie)
		}

		code := srv.MailCode(t, email)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		srv.Post("/api/auth/verify-otp", "", map[string]string{"email": email, "code": wrong}).
			ExpectError(t, http.StatusUnprocessableEntity, "otp_invalid", "Invalid or expired OTP.")
		var u struct {
			EmailVerified bool `json:"email_verified"`
		}
		srv.Post("/api/auth/verify-otp", "", map[string]string{"email": email, "code": code}).Data(t, http.StatusOK, &u)
		if !u.EmailVerified {
			t.Error("email not verified after the right code")
		}
		// A spent code does not work twice.
		srv.Post("/api/auth/verify-otp", "", map[string]string{"email": email, "code": code}).
			ExpectError(t, http.StatusUnprocessableEntity, "otp_invalid", "Invalid or expired OTP.")

		var sess apptest.SessionData
		srv.Post("/api/auth/login", "", map[string]string{"email": email, "password": apptest.Password}).Data(t, http.StatusOK, &sess)
		if sess.TokenType != "Bearer" || sess.ExpiresIn != 3600 || !sess.User.EmailVerified || sess.Tenant.UUID != body.Data.Tenant.UUID {
			t.Errorf("login session = %+v", sess)
		}
		var me struct {
			Email  string `json:"email"`
			Tenant struct {
				UUID       string `json:"uuid"`
				ParentUUID string `json:"parent_uuid"`
			} `json:"tenant"`
		}
		srv.Get("/api/users/me", sess.AccessToken).Data(t, http.StatusOK, &me)
		if me.Email != email || me.Tenant.UUID != sess.Tenant.UUID || me.Tenant.ParentUUID == "" {
			t.Errorf("me = %+v", me)
		}
	})
}

func TestSignupValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		taken := srv.Signup(t, apptest.UniqueEmail("taken"), "Taken")
		valid := map[string]string{"email": apptest.UniqueEmail("v"), "password": apptest.Password, "tenant_name": "Valid"}
		with := func(k, v string) map[string]string {
			m := map[string]string{}
			for kk, vv := range valid {
				m[kk] = vv
			}
			m[k] = v
			return m
		}
		for _, tt := range []struct {
			name  string
			body  map[string]string
			field string
			msg   string
		}{
			{"short password", with("password", "short1!"), "password", "Must be at least 10 characters."},
			{"long password", with("password", strings.Repeat("x1", 65)), "password", "Must be at most 128 characters."},
			{"common password", with("password", "qwertyuiop"), "password", "Is too common or too easy to guess; choose a longer, less predictable password."},
			{"repeated password", with("password", "abababababab"), "password", "Is too common or too easy to guess; choose a longer, less predictable password."},
			{"password equal to email", with("password", valid["email"]), "password", "Is too common or too easy to guess; choose a longer, less predictable password."},
			{"bad email", with("email", "not-an-email"), "email", "Must be a valid email address."},
			{"display name email", with("email", "Bob <bob@example.com>"), "email", "Must be a valid email address."},
			{"missing tenant name", with("tenant_name", " "), "tenant_name", "This field is required."},
			{"long tenant name", with("tenant_name", strings.Repeat("n", 201)), "tenant_name", "Must be at most 200 characters."},
			{"unknown locale", with("locale", "xx"), "locale", "Must be one of: de, en, es, fr, pt."},
			{"email taken", with("email", taken.Email), "email", "An account with this email already exists."},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e := srv.Post("/api/auth/signup", "", tt.body).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
				if got := e.Errors[tt.field]; len(got) != 1 || got[0] != tt.msg {
					t.Errorf("errors = %v, want %s: %q", e.Errors, tt.field, tt.msg)
				}
			})
		}
		srv.Post("/api/auth/signup", "", `{"email":`).ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")
		srv.Post("/api/auth/signup", "", `{"email": 42}`).ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")
		srv.Post("/api/auth/login", "", `{"email":"`+strings.Repeat("a", 2<<20)+`"}`).
			ExpectError(t, http.StatusRequestEntityTooLarge, "body_too_large", "Request body exceeds the maximum allowed size of 1 MB.")
	})
}

func TestOTPWrongCodesLockTheCode(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Signup(t, apptest.UniqueEmail("otp"), "OTP Label")
		code := srv.MailCode(t, a.Email)
		wrong := "000000"
		if code == wrong {
			wrong = "000001"
		}
		for i := 1; i <= 4; i++ {
			srv.Post("/api/auth/verify-otp", "", map[string]string{"email": a.Email, "code": wrong}).
				ExpectError(t, http.StatusUnprocessableEntity, "otp_invalid", "Invalid or expired OTP.")
		}
		srv.Post("/api/auth/verify-otp", "", map[string]string{"email": a.Email, "code": wrong}).
			ExpectError(t, http.StatusTooManyRequests, "rate_limited", "Too many requests. Please slow down.")
		// The code is dead now, even when right.
		srv.Post("/api/auth/verify-otp", "", map[string]string{"email": a.Email, "code": code}).
			ExpectError(t, http.StatusTooManyRequests, "rate_limited", "Too many requests. Please slow down.")
		// A new code works.
		before := len(srv.Mails(t, a.Email))
		srv.Post("/api/auth/resend-otp", "", map[string]string{"email": a.Email}).ExpectStatus(t, http.StatusAccepted)
		m := srv.WaitMail(t, a.Email, func(apptest.Mail) bool { return len(srv.Mails(t, a.Email)) > before })
		fresh := strings.TrimSpace(m.Text)
		_ = fresh
		srv.Verify(t, a)
		// Unknown emails get the same answers.
		srv.Post("/api/auth/resend-otp", "", map[string]string{"email": "nobody@example.com"}).ExpectStatus(t, http.StatusAccepted)
		srv.Post("/api/auth/verify-otp", "", map[string]string{"email": "nobody@example.com", "code": "123456"}).
			ExpectError(t, http.StatusUnprocessableEntity, "otp_invalid", "Invalid or expired OTP.")
	})
}

func TestLoginFailures(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Login Label")
		login := func(email, pw string) *apptest.Response {
			return srv.Post("/api/auth/login", "", map[string]string{"email": email, "password": pw})
		}
		login(a.Email, "wrong password 123").ExpectError(t, http.StatusUnauthorized, "invalid_credentials", "Invalid email or password.")
		login("nobody-"+a.Email, apptest.Password).ExpectError(t, http.StatusUnauthorized, "invalid_credentials", "Invalid email or password.")
		login(a.Email, "").ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")

		// A suspended user is told so; a deleted one is unknown.
		staff := inviteAndAccept(t, srv, a, "staff")
		srv.Patch("/api/users/"+staff.UserUUID, a.Token, map[string]string{"status": "suspended"}).ExpectStatus(t, http.StatusOK)
		login(staff.Email, staff.Password).ExpectError(t, http.StatusForbidden, "user_suspended", "This account has been suspended. Contact support.")
		srv.Get("/api/users/me", staff.Token).ExpectError(t, http.StatusForbidden, "user_suspended", "This account has been suspended. Contact support.")
		srv.Patch("/api/users/"+staff.UserUUID, a.Token, map[string]string{"status": "active"}).ExpectStatus(t, http.StatusOK)
		// The suspension cut the old token; a new login works.
		srv.Get("/api/users/me", staff.Token).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		fresh := srv.Login(t, staff.Email, staff.Password)
		srv.Delete("/api/users/"+staff.UserUUID, a.Token).ExpectStatus(t, http.StatusOK)
		login(staff.Email, staff.Password).ExpectError(t, http.StatusUnauthorized, "invalid_credentials", "Invalid email or password.")
		srv.Get("/api/users/me", fresh.Token).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
	})
}

// inviteAndAccept invites a user with role into admin's tenant, redeems the
// invitation, and logs the user in.
func inviteAndAccept(t *testing.T, srv *apptest.Server, admin *apptest.Account, role string) *apptest.Account {
	t.Helper()
	email := apptest.UniqueEmail(role)
	var u struct {
		UUID          string `json:"uuid"`
		EmailVerified bool   `json:"email_verified"`
	}
	srv.Post("/api/users", admin.Token, map[string]string{"email": email, "name": "A " + role, "role": role}).Data(t, http.StatusCreated, &u)
	if u.EmailVerified {
		t.Fatal("invited user is verified before accepting")
	}
	token := srv.MailLink(t, email)
	if !strings.HasPrefix(token, "inv_") {
		t.Fatalf("invitation token %q", token)
	}
	srv.Post("/api/auth/reset-password", "", map[string]string{"token": token, "password": apptest.Password}).ExpectStatus(t, http.StatusOK)
	a := srv.Login(t, email, apptest.Password)
	if a.UserUUID != u.UUID || a.TenantUUID != admin.TenantUUID {
		t.Fatalf("invited user logged into %s as %s", a.TenantUUID, a.UserUUID)
	}
	return a
}

func TestRefreshRotationDetectsReuse(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Refresh Label")
		a = srv.Login(t, a.Email, a.Password)

		var first apptest.SessionData
		srv.Post("/api/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}).Data(t, http.StatusOK, &first)
		if first.RefreshToken == a.RefreshToken || !strings.HasPrefix(first.RefreshToken, "rft_") {
			t.Fatalf("refresh did not rotate: %q", first.RefreshToken)
		}
		srv.Get("/api/users/me", first.AccessToken).ExpectStatus(t, http.StatusOK)

		// The cookie works as well as the body.
		h := http.Header{}
		h.Set("Cookie", "tg_refresh="+first.RefreshToken)
		var second apptest.SessionData
		srv.Do(apptest.Request{Method: "POST", Path: "/api/auth/refresh", Header: h}).Data(t, http.StatusOK, &second)

		// Replaying a spent token revokes the whole family.
		srv.Post("/api/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}).
			ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Post("/api/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}).
			ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Post("/api/auth/refresh", "", nil).ExpectError(t, http.StatusUnauthorized, "token_missing", "Authentication token is missing.")
		srv.Post("/api/auth/refresh", "", map[string]string{"refresh_token": "rft_nonsense"}).
			ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
	})
}

func TestLogoutCutsTokens(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Logout Label")
		b := srv.Login(t, a.Email, a.Password)
		srv.Post("/api/auth/logout", b.Token, map[string]string{"refresh_token": b.RefreshToken}).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/users/me", b.Token).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Get("/api/users/me", a.Token).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Post("/api/auth/refresh", "", map[string]string{"refresh_token": b.RefreshToken}).
			ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Post("/api/auth/logout", "", nil).ExpectError(t, http.StatusUnauthorized, "token_missing", "Authentication token is missing.")
	})
}

// forge signs claims with key and method, for tokens the server must refuse.
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestAccessTokensAreChecked(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Token Label")
		master := masterKeyOf(t, srv)
		key := secret.DeriveKey(master, "access tokens")
		valid := func(mod func(c *auth.Claims)) auth.Claims {
			now := time.Now()
			c := auth.Claims{
				RegisteredClaims: jwt.RegisteredClaims{Issuer: auth.Issuer, Subject: a.UserUUID, Audience: jwt.ClaimStrings{auth.Audience},
					ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), NotBefore: jwt.NewNumericDate(now), IssuedAt: jwt.NewNumericDate(now)},
				Tenant: a.TenantUUID, Role: tonegrid.RoleLabelAdmin,
			}
			if mod != nil {
				mod(&c)
			}
			return c
		}
		// The forged-but-correct token works: the checks below fail for
		// the one thing each changes.
		srv.Get("/api/users/me", forge(t, jwt.SigningMethodHS256, key, valid(nil))).ExpectStatus(t, http.StatusOK)

		noneTok, _ := jwt.NewWithClaims(jwt.SigningMethodNone, valid(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
		header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		payload, _ := json.Marshal(valid(nil))
		for name, tok := range map[string]string{
			"garbage":          "not.a.token",
			"alg none":         noneTok,
			"alg none, no sig": header + "." + base64.RawURLEncoding.EncodeToString(payload) + ".",
			"HS512":            forge(t, jwt.SigningMethodHS512, key, valid(nil)),
			"other key":        forge(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), valid(nil)),
			"expired":          forge(t, jwt.SigningMethodHS256, key, valid(func(c *auth.Claims) { c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour)) })),
			"not yet valid":    forge(t, jwt.SigningMethodHS256, key, valid(func(c *auth.Claims) { c.NotBefore = jwt.NewNumericDate(time.Now().Add(time.Hour)) })),
			"no expiry":        forge(t, jwt.SigningMethodHS256, key, valid(func(c *auth.Claims) { c.ExpiresAt = nil })),
			"wrong issuer":     forge(t, jwt.SigningMethodHS256, key, valid(func(c *auth.Claims) { c.Issuer = "someone-else" })),
			"wrong audience":   forge(t, jwt.SigningMethodHS256, key, valid(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"other"} })),
			"old version":      forge(t, jwt.SigningMethodHS256, key, valid(func(c *auth.Claims) { c.Version = -1 })),
			"unknown user":     forge(t, jwt.SigningMethodHS256, key, valid(func(c *auth.Claims) { c.Subject = unknownUUID })),
			"foreign tenant":   forge(t, jwt.SigningMethodHS256, key, valid(func(c *auth.Claims) { c.Tenant = srv.Admin(t).TenantUUID })),
			"api key shaped":   "tgk_short",
			"api key unknown":  "tgk_" + strings.Repeat("A", 40),
		} {
			t.Run(name, func(t *testing.T) {
				srv.Get("/api/users/me", tok).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
			})
		}
		srv.Get("/api/users/me", "").ExpectError(t, http.StatusUnauthorized, "token_missing", "Authentication token is missing.")
		h := http.Header{}
		h.Set("Authorization", "Basic dXNlcjpwYXNz")
		srv.Do(apptest.Request{Method: "GET", Path: "/api/users/me", Header: h}).
			ExpectError(t, http.StatusUnauthorized, "token_missing", "Authentication token is missing.")
	})
}

// masterKeyOf reads the test server's generated platform secret.
func masterKeyOf(t *testing.T, srv *apptest.Server) []byte {
	t.Helper()
	key, err := apptest.MasterKey(srv)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestForgotAndResetPassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Reset Label")
		srv.Post("/api/auth/forgot-password", "", map[string]string{"email": "nobody@example.com"}).ExpectStatus(t, http.StatusAccepted)
		srv.Post("/api/auth/forgot-password", "", map[string]string{"email": a.Email}).ExpectStatus(t, http.StatusAccepted)
		token := srv.MailLink(t, a.Email)
		if !strings.HasPrefix(token, "rst_") {
			t.Fatalf("reset token %q", token)
		}
		if len(srv.Mails(t, "nobody@example.com")) != 0 {
			t.Error("a reset mail went to an unknown address")
		}
		srv.Post("/api/auth/reset-password", "", map[string]string{"token": "rst_" + strings.Repeat("x", 40), "password": "another-long-secret"}).
			ExpectError(t, http.StatusUnprocessableEntity, "reset_token_invalid", "Invalid or expired reset token.")
		srv.Post("/api/auth/reset-password", "", map[string]string{"token": token, "password": "short"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		srv.Post("/api/auth/reset-password", "", map[string]string{"token": token, "password": "another-long-secret"}).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/auth/reset-password", "", map[string]string{"token": token, "password": "yet-another-secret"}).
			ExpectError(t, http.StatusUnprocessableEntity, "reset_token_invalid", "Invalid or expired reset token.")
		srv.Get("/api/users/me", a.Token).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Post("/api/auth/login", "", map[string]string{"email": a.Email, "password": a.Password}).
			ExpectError(t, http.StatusUnauthorized, "invalid_credentials", "Invalid email or password.")
		srv.Login(t, a.Email, "another-long-secret")
	})
}

func TestChangePassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Change Label")
		srv.Patch("/api/users/me", a.Token, map[string]string{"current_password": "wrong password 1", "new_password": "brand-new-secret-1"}).
			ExpectError(t, http.StatusUnprocessableEntity, "current_password_incorrect", "Current password is incorrect.")
		e := srv.Patch("/api/users/me", a.Token, map[string]string{"new_password": "brand-new-secret-1"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["current_password"]) != 1 {
			t.Errorf("errors = %v", e.Errors)
		}
		var me struct {
			Name   string `json:"name"`
			Locale string `json:"locale"`
		}
		srv.Patch("/api/users/me", a.Token, map[string]string{"name": "Grace", "locale": "fr"}).Data(t, http.StatusOK, &me)
		if me.Name != "Grace" || me.Locale != "fr" {
			t.Errorf("me = %+v", me)
		}
		srv.Patch("/api/users/me", a.Token, map[string]string{"current_password": a.Password, "new_password": "brand-new-secret-1"}).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/users/me", a.Token).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Login(t, a.Email, "brand-new-secret-1")
	})
}

func TestUserManagement(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		admin := srv.Label(t, "Users Label")
		staff := inviteAndAccept(t, srv, admin, "staff")
		srv.Get("/api/users", staff.Token).ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
		srv.Post("/api/users", admin.Token, map[string]string{"email": apptest.UniqueEmail("boss"), "name": "Boss", "role": "super_admin"}).
			ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")

		var list struct {
			Data []struct {
				UUID string `json:"uuid"`
			} `json:"data"`
			Meta struct{ Page, PerPage, Total int } `json:"meta"`
		}
		resp := srv.Get("/api/users?per_page=1", admin.Token)
		resp.ExpectStatus(t, http.StatusOK)
		resp.JSON(t, &list)
		if len(list.Data) != 1 || list.Meta.Total != 2 {
			t.Errorf("list = %s", resp.Body)
		}
		srv.Get("/api/users?per_page=101", admin.Token).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")

		var got struct {
			Role string `json:"role"`
		}
		srv.Patch("/api/users/"+staff.UserUUID, admin.Token, map[string]string{"role": "artist"}).Data(t, http.StatusOK, &got)
		if got.Role != "artist" {
			t.Errorf("role = %q", got.Role)
		}
		srv.Patch("/api/users/"+admin.UserUUID, admin.Token, map[string]string{"role": "staff"}).
			ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
		srv.Patch("/api/users/"+staff.UserUUID, admin.Token, map[string]string{"status": "gone"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		srv.Delete("/api/users/"+admin.UserUUID, admin.Token).
			ExpectError(t, http.StatusConflict, "cannot_delete_self", "You cannot delete your own account.")
		for _, path := range []string{"/api/users/" + unknownUUID, "/api/users/not-a-uuid"} {
			srv.Get(path, admin.Token).ExpectError(t, http.StatusNotFound, "user_not_found", "User not found.")
		}
		srv.Delete("/api/users/"+staff.UserUUID, admin.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/users/"+staff.UserUUID, admin.Token).ExpectError(t, http.StatusNotFound, "user_not_found", "User not found.")
	})
}

func TestAPIKeys(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		admin := srv.Label(t, "Keys Label")
		type keyData struct {
			UUID       string   `json:"uuid"`
			Key        string   `json:"key"`
			Prefix     string   `json:"prefix"`
			Scopes     []string `json:"scopes"`
			AllowedIPs []string `json:"allowed_ips"`
		}
		create := func(body map[string]any) keyData {
			t.Helper()
			var k keyData
			srv.Post("/api/api-keys", admin.Token, body).Data(t, http.StatusCreated, &k)
			return k
		}
		k := create(map[string]any{"name": "ci", "scopes": []string{"catalog:read", "tenants:manage"}})
		if len(k.Key) != 44 || !strings.HasPrefix(k.Key, "tgk_") || !secret.IsBase62(k.Key[4:]) || k.Prefix != k.Key[:12] {
			t.Fatalf("key = %+v", k)
		}
		resp := srv.Get("/api/api-keys", admin.Token)
		resp.ExpectStatus(t, http.StatusOK)
		if strings.Contains(string(resp.Body), k.Key) || !strings.Contains(string(resp.Body), k.Prefix) {
			t.Errorf("list shows the key or lacks its prefix: %s", resp.Body)
		}

		srv.Get("/api/tenants/me", k.Key).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/tenants/clients", k.Key).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/users", k.Key).ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
		srv.Post("/api/api-keys", k.Key, map[string]any{"name": "escalate", "scopes": []string{"users:manage"}}).
			ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")

		// Rotation: the successor works, the old key for the grace period.
		var next keyData
		srv.Post("/api/api-keys/"+k.UUID+"/rotate", admin.Token, nil).Data(t, http.StatusCreated, &next)
		if next.Key == k.Key || next.UUID == k.UUID || len(next.Scopes) != 2 {
			t.Fatalf("rotated = %+v", next)
		}
		srv.Get("/api/tenants/me", next.Key).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/tenants/me", k.Key).ExpectStatus(t, http.StatusOK)
		var third keyData
		srv.Post("/api/api-keys/"+next.UUID+"/rotate", admin.Token, map[string]int{"grace_hours": 0}).Data(t, http.StatusCreated, &third)
		srv.Get("/api/tenants/me", next.Key).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Post("/api/api-keys/"+next.UUID+"/rotate", admin.Token, map[string]int{"grace_hours": 500}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")

		// Revocation is immediate.
		srv.Delete("/api/api-keys/"+third.UUID, admin.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/tenants/me", third.Key).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")
		srv.Delete("/api/api-keys/"+third.UUID, admin.Token).ExpectError(t, http.StatusNotFound, "api_key_not_found", "API key not found.")
		srv.Post("/api/api-keys/"+unknownUUID+"/rotate", admin.Token, nil).ExpectError(t, http.StatusNotFound, "api_key_not_found", "API key not found.")

		// Expiry.
		soon := create(map[string]any{"name": "soon", "scopes": []string{"catalog:read"}, "expires_at": time.Now().Add(time.Hour)})
		srv.Get("/api/tenants/me", soon.Key).ExpectStatus(t, http.StatusOK)
		if _, err := srv.DB.WriteDB().ExecContext(context.Background(), `UPDATE api_keys SET expires_at = $1 WHERE uuid = $2`, time.Now().Add(-time.Minute).UTC(), soon.UUID); err != nil {
			t.Fatal(err)
		}
		srv.App.Auth.Forget()
		srv.Get("/api/tenants/me", soon.Key).ExpectError(t, http.StatusUnauthorized, "token_invalid", "Invalid or expired token. Please log in again.")

		// Allowed IPs: the test client is 127.0.0.1.
		fenced := create(map[string]any{"name": "fenced", "scopes": []string{"catalog:read"}, "allowed_ips": []string{"10.0.0.0/8", "192.168.1.1"}})
		if len(fenced.AllowedIPs) != 2 || fenced.AllowedIPs[1] != "192.168.1.1/32" {
			t.Errorf("allowed_ips = %v", fenced.AllowedIPs)
		}
		srv.Get("/api/tenants/me", fenced.Key).ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
		local := create(map[string]any{"name": "local", "scopes": []string{"catalog:read"}, "allowed_ips": []string{"127.0.0.0/8"}})
		srv.Get("/api/tenants/me", local.Key).ExpectStatus(t, http.StatusOK)

		e := srv.Post("/api/api-keys", admin.Token, map[string]any{"name": "", "scopes": []string{"everything", "catalog:read", "catalog:read"},
			"allowed_ips": []string{"not-an-ip"}, "expires_at": time.Now().Add(-time.Hour)}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for _, f := range []string{"name", "scopes.0", "scopes.2", "allowed_ips.0", "expires_at"} {
			if len(e.Errors[f]) == 0 {
				t.Errorf("no error on %s: %v", f, e.Errors)
			}
		}
	})
}

func TestTenantsAndClients(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		dist := srv.Label(t, "Distributor")
		other := srv.Label(t, "Other Label")
		domain := "music-" + strings.ToLower(secret.Token("", 8)) + ".example.com"
		var me struct {
			Name     string            `json:"name"`
			Domains  []string          `json:"domains"`
			Branding map[string]string `json:"branding"`
		}
		srv.Patch("/api/tenants/me", dist.Token, map[string]any{"name": "Distro", "domains": []string{strings.ToUpper(domain)},
			"branding": map[string]string{"primary_color": "#5b3cc4"}}).Data(t, http.StatusOK, &me)
		if me.Name != "Distro" || len(me.Domains) != 1 || me.Domains[0] != domain || me.Branding["primary_color"] != "#5b3cc4" {
			t.Errorf("tenant = %+v", me)
		}
		e := srv.Patch("/api/tenants/me", other.Token, map[string]any{"domains": []string{"ok.example.com", domain}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if got := e.Errors["domains.1"]; len(got) != 1 || got[0] != "Is already used by another workspace." {
			t.Errorf("errors = %v", e.Errors)
		}
		srv.Patch("/api/tenants/me", other.Token, map[string]any{"domains": []string{"not a domain"}, "status": "suspended"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")

		// Signup through the white-label domain lands below the distributor.
		h := http.Header{}
		h.Set("X-Tenant-Domain", domain)
		var sess apptest.SessionData
		email := apptest.UniqueEmail("wl")
		srv.Do(apptest.Request{Method: "POST", Path: "/api/auth/signup", Header: h, Body: map[string]string{
			"email": email, "password": apptest.Password, "tenant_name": "WL Artist"}}).Data(t, http.StatusCreated, &sess)
		var client struct {
			UUID                string `json:"uuid"`
			ParentUUID          string `json:"parent_uuid"`
			RevenueSharePercent string `json:"revenue_share_percent"`
		}
		srv.Get("/api/tenants/clients/"+sess.Tenant.UUID, dist.Token).Data(t, http.StatusOK, &client)
		if client.ParentUUID != dist.TenantUUID || client.RevenueSharePercent != "100" {
			t.Errorf("client = %+v", client)
		}
		// Users outside the distributor cannot log in on its domain.
		srv.Do(apptest.Request{Method: "POST", Path: "/api/auth/login", Header: h, Body: map[string]string{"email": other.Email, "password": other.Password}}).
			ExpectError(t, http.StatusUnauthorized, "invalid_credentials", "Invalid email or password.")
		srv.Do(apptest.Request{Method: "POST", Path: "/api/auth/login", Header: h, Body: map[string]string{"email": email, "password": apptest.Password}}).
			ExpectStatus(t, http.StatusOK)
		h.Set("X-Tenant-Domain", "unknown.example.org")
		for _, path := range []string{"/api/auth/signup", "/api/auth/login", "/api/auth/forgot-password"} {
			srv.Do(apptest.Request{Method: "POST", Path: path, Header: h, Body: map[string]string{
				"email": email, "password": apptest.Password, "tenant_name": "X"}}).
				ExpectError(t, http.StatusUnprocessableEntity, "tenant_unresolved", "Unable to resolve tenant. Check your domain configuration.")
		}

		// Creating a client invites its owner.
		ownerEmail := apptest.UniqueEmail("owner")
		var created struct {
			UUID  string `json:"uuid"`
			Owner struct {
				Email string `json:"email"`
				Role  string `json:"role"`
			} `json:"owner"`
		}
		unknownPlan := srv.Post("/api/tenants/clients", dist.Token, map[string]string{"name": "Client Co", "owner_email": ownerEmail, "owner_name": "Owner", "plan": "platinum"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if got := unknownPlan.Errors["plan"]; len(got) != 1 || !strings.Contains(got[0], "free, pro, pro-ngn, label") {
			t.Errorf("unknown plan errors = %v", unknownPlan.Errors)
		}
		srv.Post("/api/tenants/clients", dist.Token, map[string]string{"name": "Client Co", "owner_email": ownerEmail, "owner_name": "Owner", "plan": "label"}).
			Data(t, http.StatusCreated, &created)
		if created.Owner.Email != ownerEmail || created.Owner.Role != "label_admin" {
			t.Errorf("created = %+v", created)
		}
		token := srv.MailLink(t, ownerEmail)
		if m := srv.Mails(t, ownerEmail); len(m) == 0 || !strings.Contains(m[len(m)-1].Text, "https://"+domain+"/reset-password?token=") {
			t.Errorf("invitation link is not on the distributor's domain: %+v", m)
		}
		srv.Post("/api/auth/reset-password", "", map[string]string{"token": token, "password": apptest.Password}).ExpectStatus(t, http.StatusOK)
		owner := srv.Login(t, ownerEmail, apptest.Password)
		// The plan the distributor chose is the client's, billed by the distributor.
		var sub subscriptionBody
		srv.Get("/api/billing/subscription", owner.Token).Data(t, http.StatusOK, &sub)
		if sub.Plan.Slug != "label" || sub.Provider != "distributor" || sub.CurrentPeriodEnd != nil {
			t.Errorf("client subscription = %+v", sub)
		}
		grand := srv.Post("/api/tenants/clients", owner.Token, map[string]string{"name": "Grandchild", "owner_email": apptest.UniqueEmail("g"), "owner_name": "G"})
		grand.ExpectStatus(t, http.StatusCreated)

		var pct struct {
			RevenueSharePercent string `json:"revenue_share_percent"`
		}
		srv.Patch("/api/tenants/clients/"+created.UUID, dist.Token, map[string]string{"revenue_share_percent": "85.50"}).Data(t, http.StatusOK, &pct)
		if pct.RevenueSharePercent != "85.5" {
			t.Errorf("revenue_share_percent = %q", pct.RevenueSharePercent)
		}
		srv.Patch("/api/tenants/clients/"+created.UUID, dist.Token, map[string]string{"revenue_share_percent": "100.01"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")

		// Suspension reaches everyone inside the client and below it.
		ownerKey := apiKey(t, srv, owner, "catalog:read")
		srv.Patch("/api/tenants/clients/"+created.UUID, dist.Token, map[string]string{"status": "suspended"}).ExpectStatus(t, http.StatusOK)
		for _, tok := range []string{owner.Token, ownerKey} {
			srv.Get("/api/tenants/me", tok).ExpectError(t, http.StatusForbidden, "tenant_suspended", "This workspace is suspended.")
		}
		srv.Post("/api/auth/login", "", map[string]string{"email": ownerEmail, "password": apptest.Password}).
			ExpectError(t, http.StatusForbidden, "tenant_suspended", "This workspace is suspended.")
		srv.Patch("/api/tenants/clients/"+created.UUID, dist.Token, map[string]string{"status": "active"}).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/tenants/me", owner.Token).ExpectStatus(t, http.StatusOK)

		for _, path := range []string{"/api/tenants/clients/" + unknownUUID, "/api/tenants/clients/" + other.TenantUUID, "/api/tenants/clients/x"} {
			srv.Get(path, dist.Token).ExpectError(t, http.StatusNotFound, "client_not_found", "Client not found.")
		}
	})
}

// apiKey mints a key with scopes for a.
func apiKey(t *testing.T, srv *apptest.Server, a *apptest.Account, scopes ...string) string {
	t.Helper()
	var k struct {
		Key string `json:"key"`
	}
	srv.Post("/api/api-keys", a.Token, map[string]any{"name": "test", "scopes": scopes}).Data(t, http.StatusCreated, &k)
	return k.Key
}

func TestLoginAs(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		dist := srv.Label(t, "Login-as Distributor")
		other := srv.Label(t, "Stranger")
		var client struct {
			UUID string `json:"uuid"`
		}
		srv.Post("/api/tenants/clients", dist.Token, map[string]string{"name": "Child", "owner_email": apptest.UniqueEmail("c"), "owner_name": "C"}).
			Data(t, http.StatusCreated, &client)

		var sess struct {
			Data apptest.SessionData `json:"data"`
		}
		resp := srv.Post("/api/tenants/clients/"+client.UUID+"/login-as", dist.Token, nil)
		resp.ExpectStatus(t, http.StatusOK)
		resp.JSON(t, &sess)
		if sess.Data.RefreshToken != "" || sess.Data.Tenant.UUID != client.UUID {
			t.Fatalf("login-as session = %+v", sess.Data)
		}
		claims := decodeClaims(t, sess.Data.AccessToken)
		act, _ := claims["act"].(map[string]any)
		if act["sub"] != dist.UserUUID || claims["tid"] != client.UUID || claims["role"] != "label_admin" {
			t.Errorf("claims = %v", claims)
		}
		var me struct {
			ActingAs bool `json:"acting_as"`
			Tenant   struct {
				UUID string `json:"uuid"`
			} `json:"tenant"`
		}
		srv.Get("/api/users/me", sess.Data.AccessToken).Data(t, http.StatusOK, &me)
		if !me.ActingAs || me.Tenant.UUID != client.UUID {
			t.Errorf("me while acting = %+v", me)
		}
		// Acting in the client, the distributor's own users are not visible.
		var users struct {
			Meta struct{ Total int } `json:"meta"`
		}
		r := srv.Get("/api/users", sess.Data.AccessToken)
		r.ExpectStatus(t, http.StatusOK)
		r.JSON(t, &users)
		if users.Meta.Total != 1 {
			t.Errorf("users visible while acting: %d", users.Meta.Total)
		}

		srv.Post("/api/tenants/clients/"+other.TenantUUID+"/login-as", dist.Token, nil).
			ExpectError(t, http.StatusForbidden, "not_descendant", "Not a descendant of your tenant.")
		srv.Post("/api/tenants/clients/"+dist.TenantUUID+"/login-as", dist.Token, nil).
			ExpectError(t, http.StatusForbidden, "not_descendant", "Not a descendant of your tenant.")
		srv.Post("/api/tenants/clients/"+unknownUUID+"/login-as", dist.Token, nil).
			ExpectError(t, http.StatusNotFound, "client_not_found", "Client not found.")
		staff := inviteAndAccept(t, srv, dist, "staff")
		srv.Post("/api/tenants/clients/"+client.UUID+"/login-as", staff.Token, nil).
			ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")

		// Both tenants' audit logs record it.
		for _, tok := range []string{dist.Token, sess.Data.AccessToken} {
			if !auditHas(t, srv, tok, "tenant.login_as") {
				t.Errorf("audit log lacks tenant.login_as")
			}
		}
	})
}

// decodeClaims reads a JWT's payload without verifying it.
func decodeClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

type auditEntry struct {
	Action     string `json:"action"`
	ActorEmail string `json:"actor_email"`
	APIKeyUUID string `json:"api_key_uuid"`
	TargetUUID string `json:"target_uuid"`
	RequestID  string `json:"request_id"`
	IP         string `json:"ip"`
}

func auditOf(t *testing.T, srv *apptest.Server, token string) []auditEntry {
	t.Helper()
	var entries []auditEntry
	srv.Get("/api/audit-log?per_page=100", token).Data(t, http.StatusOK, &entries)
	return entries
}

func auditHas(t *testing.T, srv *apptest.Server, token, action string) bool {
	t.Helper()
	for _, e := range auditOf(t, srv, token) {
		if e.Action == action {
			return true
		}
	}
	return false
}

func TestAuditLog(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		admin := srv.Label(t, "Audit Label")
		srv.Post("/api/auth/login", "", map[string]string{"email": admin.Email, "password": "wrong password 1"})
		admin = srv.Login(t, admin.Email, admin.Password)
		staff := inviteAndAccept(t, srv, admin, "staff")
		h := http.Header{}
		h.Set("X-Request-Id", "audit-trace-1")
		srv.Do(apptest.Request{Method: "PATCH", Path: "/api/users/" + staff.UserUUID, Token: admin.Token, Header: h,
			Body: map[string]string{"role": "artist", "status": "suspended"}}).ExpectStatus(t, http.StatusOK)
		key := apiKey(t, srv, admin, "catalog:read")
		_ = key
		srv.Patch("/api/users/me", admin.Token, map[string]string{"current_password": admin.Password, "new_password": "audit-new-secret-9"}).ExpectStatus(t, http.StatusOK)
		admin = srv.Login(t, admin.Email, "audit-new-secret-9")

		entries := auditOf(t, srv, admin.Token)
		seen := map[string]auditEntry{}
		for _, e := range entries {
			if _, ok := seen[e.Action]; !ok {
				seen[e.Action] = e
			}
		}
		for _, action := range []string{"auth.signup", "auth.login", "auth.login_failed", "user.invited", "user.role_changed",
			"user.status_changed", "api_key.created", "user.password_changed", "auth.email_verified"} {
			if _, ok := seen[action]; !ok {
				t.Errorf("audit log lacks %s; has %v", action, entries)
			}
		}
		if e := seen["user.role_changed"]; e.RequestID != "audit-trace-1" || e.IP != "127.0.0.1" || e.ActorEmail != admin.Email || e.TargetUUID != staff.UserUUID {
			t.Errorf("role change entry = %+v", e)
		}
		srv.Get("/api/audit-log", staff.Token).ExpectError(t, http.StatusForbidden, "user_suspended", "This account has been suspended. Contact support.")
		other := inviteAndAccept(t, srv, admin, "staff")
		srv.Get("/api/audit-log", other.Token).ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
	})
}

// TestCrossTenantMatrix calls every identity route that takes an id with a
// second tenant's admin and ids of the first tenant's objects: each answers
// 404, never 403 and never the object (login-as answers 403, as the contract
// says).
func TestCrossTenantMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Tenant A")
		b := srv.Label(t, "Tenant B")
		var keyA struct {
			UUID string `json:"uuid"`
		}
		srv.Post("/api/api-keys", a.Token, map[string]any{"name": "a", "scopes": []string{"catalog:read"}}).Data(t, http.StatusCreated, &keyA)
		var clientA struct {
			UUID string `json:"uuid"`
		}
		srv.Post("/api/tenants/clients", a.Token, map[string]string{"name": "A child", "owner_email": apptest.UniqueEmail("ac"), "owner_name": "AC"}).
			Data(t, http.StatusCreated, &clientA)
		userA := inviteAndAccept(t, srv, a, "staff")

		for _, tt := range []struct {
			method, path string
			body         any
			status       int
			code         string
		}{
			{"GET", "/api/users/" + userA.UserUUID, nil, 404, "user_not_found"},
			{"PATCH", "/api/users/" + userA.UserUUID, map[string]string{"status": "suspended"}, 404, "user_not_found"},
			{"DELETE", "/api/users/" + userA.UserUUID, nil, 404, "user_not_found"},
			{"POST", "/api/api-keys/" + keyA.UUID + "/rotate", nil, 404, "api_key_not_found"},
			{"DELETE", "/api/api-keys/" + keyA.UUID, nil, 404, "api_key_not_found"},
			{"GET", "/api/tenants/clients/" + clientA.UUID, nil, 404, "client_not_found"},
			{"PATCH", "/api/tenants/clients/" + clientA.UUID, map[string]string{"status": "suspended"}, 404, "client_not_found"},
			{"POST", "/api/tenants/clients/" + clientA.UUID + "/login-as", nil, 403, "not_descendant"},
		} {
			resp := srv.Do(apptest.Request{Method: tt.method, Path: tt.path, Token: b.Token, Body: tt.body})
			var e apptest.ErrorBody
			resp.JSON(t, &e)
			if resp.Status != tt.status || e.Code != tt.code {
				t.Errorf("%s %s as another tenant = %d %s, want %d %s", tt.method, tt.path, resp.Status, e.Code, tt.status, tt.code)
			}
		}
		// Nothing changed on A's side.
		srv.Get("/api/users/"+userA.UserUUID, a.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/tenants/clients/"+clientA.UUID, a.Token).ExpectStatus(t, http.StatusOK)
	})
}
