package apptest

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// AdminEmail and AdminPassword are the credentials of the platform's first
// super_admin in every test server.
const (
	AdminEmail    = "root@tonegrid.test"
	AdminPassword = "correct horse battery staple"
)

// Password is a valid password for test accounts.
const Password = "tr0mbone-sunrise-42"

// Account is a logged-in user of a test server.
type Account struct {
	Email        string
	Password     string
	Token        string
	RefreshToken string
	UserUUID     string
	TenantUUID   string
}

// SessionData is the data of a session response.
type SessionData struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	User         struct {
		UUID          string `json:"uuid"`
		Email         string `json:"email"`
		Role          string `json:"role"`
		EmailVerified bool   `json:"email_verified"`
	} `json:"user"`
	Tenant struct {
		UUID string `json:"uuid"`
		Name string `json:"name"`
	} `json:"tenant"`
}

var seq atomic.Int64

// UniqueEmail returns an address no other test uses.
func UniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@example.com", prefix, time.Now().UnixNano()%1e9, seq.Add(1))
}

// Admin logs in as the platform's super_admin.
func (s *Server) Admin(t testing.TB) *Account {
	t.Helper()
	return s.Login(t, AdminEmail, AdminPassword)
}

// Login logs in and fails t unless it succeeds.
func (s *Server) Login(t testing.TB, email, password string) *Account {
	t.Helper()
	resp := s.Do(Request{Method: "POST", Path: "/api/auth/login", Body: map[string]string{"email": email, "password": password}})
	var d SessionData
	resp.Data(t, http.StatusOK, &d)
	return &Account{Email: email, Password: password, Token: d.AccessToken, RefreshToken: d.RefreshToken,
		UserUUID: d.User.UUID, TenantUUID: d.Tenant.UUID}
}

// Signup creates an account and its tenant below the root, without
// verifying the email.
func (s *Server) Signup(t testing.TB, email, tenantName string) *Account {
	t.Helper()
	resp := s.Do(Request{Method: "POST", Path: "/api/auth/signup", Body: map[string]string{
		"email": email, "password": Password, "tenant_name": tenantName, "name": "Test " + tenantName}})
	var d SessionData
	resp.Data(t, http.StatusCreated, &d)
	return &Account{Email: email, Password: Password, Token: d.AccessToken, RefreshToken: d.RefreshToken,
		UserUUID: d.User.UUID, TenantUUID: d.Tenant.UUID}
}

// Label signs up a label_admin with a verified email and its own tenant.
func (s *Server) Label(t testing.TB, name string) *Account {
	t.Helper()
	a := s.Signup(t, UniqueEmail(strings.ToLower(strings.ReplaceAll(name, " ", "-"))), name)
	s.Verify(t, a)
	return a
}

// Verify reads the account's code from its mail and verifies the email.
func (s *Server) Verify(t testing.TB, a *Account) {
	t.Helper()
	code := s.MailCode(t, a.Email)
	s.Do(Request{Method: "POST", Path: "/api/auth/verify-otp", Body: map[string]string{"email": a.Email, "code": code}}).
		ExpectStatus(t, http.StatusOK)
}

// Mail is one message the server sent through the dir backend.
type Mail struct {
	To      string
	Subject string
	Text    string
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// MailCode waits for the newest mail with a 6-digit code to email and
// returns the code.
func (s *Server) MailCode(t testing.TB, email string) string {
	t.Helper()
	m := s.WaitMail(t, email, func(m Mail) bool { return sixDigits.MatchString(m.Text) })
	return sixDigits.FindString(m.Text)
}

var tokenLink = regexp.MustCompile(`reset-password\?token=([A-Za-z0-9_]+)`)

// MailLink waits for a mail to email with a reset or invitation link and
// returns its token.
func (s *Server) MailLink(t testing.TB, email string) string {
	t.Helper()
	m := s.WaitMail(t, email, func(m Mail) bool { return tokenLink.MatchString(m.Text) })
	return tokenLink.FindStringSubmatch(m.Text)[1]
}

// Mails returns every mail sent to email so far, oldest first.
func (s *Server) Mails(t testing.TB, email string) []Mail {
	t.Helper()
	dir := strings.TrimPrefix(s.App.Config.Mail, "dir:")
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []Mail
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		m := parseMail(t, b)
		if strings.EqualFold(m.To, email) {
			out = append(out, m)
		}
	}
	return out
}

// WaitMail waits up to 15 s for the newest mail to email that matches.
func (s *Server) WaitMail(t testing.TB, email string, match func(Mail) bool) Mail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		mails := s.Mails(t, email)
		for i := len(mails) - 1; i >= 0; i-- {
			if match(mails[i]) {
				return mails[i]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no matching mail to %s after 15 s (%d mails)", email, len(mails))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// parseMail reads an RFC 5322 message and its text/plain part.
func parseMail(t testing.TB, raw []byte) Mail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	to := msg.Header.Get("To")
	if a, err := mail.ParseAddress(to); err == nil {
		to = a.Address
	}
	m := Mail{To: to, Subject: subject}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("mail content type: %v", err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		b, _ := io.ReadAll(decodeTransfer(msg.Body, msg.Header.Get("Content-Transfer-Encoding")))
		m.Text = string(b)
		return m
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			break
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, _ := io.ReadAll(decodeTransfer(p, p.Header.Get("Content-Transfer-Encoding")))
			m.Text = string(b)
		}
	}
	return m
}

func decodeTransfer(r io.Reader, encoding string) io.Reader {
	if strings.EqualFold(encoding, "quoted-printable") {
		return quotedprintable.NewReader(r)
	}
	return r
}

// DataMap decodes a success response's data into a generic map.
func (r *Response) DataMap(t testing.TB, status int) map[string]any {
	t.Helper()
	var m map[string]any
	r.Data(t, status, &m)
	return m
}

// Post is Do for a POST with a JSON body.
func (s *Server) Post(path, token string, body any) *Response {
	s.t.Helper()
	return s.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Patch is Do for a PATCH with a JSON body.
func (s *Server) Patch(path, token string, body any) *Response {
	s.t.Helper()
	return s.Do(Request{Method: http.MethodPatch, Path: path, Token: token, Body: body})
}

// Put is Do for a PUT with a JSON body.
func (s *Server) Put(path, token string, body any) *Response {
	s.t.Helper()
	return s.Do(Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}

// Delete is Do for a DELETE.
func (s *Server) Delete(path, token string) *Response {
	s.t.Helper()
	return s.Do(Request{Method: http.MethodDelete, Path: path, Token: token})
}

// MasterKey returns the platform secret the server generated in its data
// directory, for tests that forge tokens.
func MasterKey(s *Server) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(s.App.Config.DataDir, "secret.key"))
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(strings.TrimSpace(string(b)))
}

// SetPlan puts tenantUUID on the plan with slug for a month, as a paid
// checkout would: tests of plan limits arrange their tenant with it.
func (s *Server) SetPlan(t testing.TB, tenantUUID, slug string) {
	t.Helper()
	now := time.Now().UTC()
	_, err := s.DB.WriteDB().ExecContext(context.Background(), `
		INSERT INTO subscriptions (uuid, tenant_id, plan_id, provider, reference, started_at, current_period_end, created_at, updated_at)
		SELECT $1, t.id, p.id, 'test', '', $2, $3, $2, $2 FROM tenants t, plans p WHERE t.uuid = $4 AND p.slug = $5
		ON CONFLICT (tenant_id) DO UPDATE SET plan_id = excluded.plan_id, current_period_end = excluded.current_period_end`,
		uuid.Must(uuid.NewV7()).String(), now, now.AddDate(0, 1, 0), tenantUUID, slug)
	if err != nil {
		t.Fatalf("set plan %s: %v", slug, err)
	}
}
