// Package apptest runs a whole ToneGrid (database, job queue, HTTP API) for
// a test, on each dialect the run supports, and gives the test a small HTTP
// client that speaks the API's envelopes.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tonegrid/app"
	"tonegrid/password"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// Server is a running ToneGrid behind an httptest.Server.
type Server struct {
	*httptest.Server
	App *app.App
	DB  *sqlstore.DB
	t   testing.TB
}

// Option changes the configuration a Server starts with.
type Option func(*app.Config)

// WithConfig lets a test set any configuration field.
func WithConfig(f func(*app.Config)) Option { return Option(f) }

// Each runs fn once per dialect as parallel subtests, each with its own
// server and database.
func Each(t *testing.T, fn func(t *testing.T, srv *Server), opts ...Option) {
	t.Helper()
	for _, d := range sqltest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, d, opts...))
		})
	}
}

// New starts a server on a fresh database of dialect; it stops when the
// test ends.
func New(t testing.TB, dialect sqlstore.Dialect, opts ...Option) *Server {
	t.Helper()
	return NewWithDB(t, sqltest.Open(t, dialect), opts...)
}

// NewWithDB starts a server on a database the test opened (and migrated).
func NewWithDB(t testing.TB, db *sqlstore.DB, opts ...Option) *Server {
	t.Helper()
	dir := t.TempDir()
	cfg := app.Config{
		DataDir: dir, PublicHost: "127.0.0.1", JobWorkers: 4, JobPollInterval: 100 * time.Millisecond,
		Mail: "dir:" + filepath.Join(dir, "mail"), AdminEmail: AdminEmail, AdminPassword: AdminPassword,
		Password: &password.Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		// Tests make many requests from one address; the limits get their
		// own tests, which lower them.
		RateLimitAuth: 100000, RateLimitStandard: 100000, RateLimitBulk: 100000,
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := app.New(cfg, db, testLogger(t))
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	a.HTTP.FailOnUncatalogued(func(format string, args ...any) { t.Errorf(format, args...) })
	if _, _, err := a.EnsureAdmin(context.Background()); err != nil {
		t.Fatalf("create admin: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := a.Queue.Start(ctx); err != nil {
		t.Fatalf("start jobs: %v", err)
	}
	ts := httptest.NewServer(a.HTTP.Handler())
	t.Cleanup(func() {
		ts.Close()
		cancel()
		a.Queue.Stop(context.Background())
	})
	return &Server{Server: ts, App: a, DB: db, t: t}
}

// testLogger sends the server's logs to the test's log, shown on failure.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Request is one call to the API.
type Request struct {
	Method string
	Path   string
	// Body is sent as JSON unless it is a []byte, string or io.Reader,
	// sent as is (a reader's length is unknown: the body is chunked).
	Body   any
	Header http.Header
	// Token is sent as a bearer token when not empty.
	Token string
}

// Response is what the API answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req and reads the whole response.
func (s *Server) Do(req Request) *Response {
	s.t.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	case io.Reader:
		body = b
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			s.t.Fatalf("encode body: %v", err)
		}
		body = bytes.NewReader(buf)
	}
	r, err := http.NewRequest(req.Method, s.URL+req.Path, body)
	if err != nil {
		s.t.Fatalf("new request: %v", err)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}
	resp, err := s.Client().Do(r)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("read body: %v", err)
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	checkAgainstSpec(s.t, r, out)
	return out
}

// Get is Do for a GET.
func (s *Server) Get(path, token string) *Response {
	s.t.Helper()
	return s.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// JSON decodes the body into v, failing t when it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d body %q: %v", r.Status, r.Body, err)
	}
}

// ErrorBody is the error envelope.
type ErrorBody struct {
	Success   bool                `json:"success"`
	Error     string              `json:"error"`
	Code      string              `json:"code"`
	RequestID string              `json:"request_id"`
	Errors    map[string][]string `json:"errors"`
}

// ExpectError checks that r is the catalogue error with status, code and
// exact message, and returns its body for further checks.
func (r *Response) ExpectError(t testing.TB, status int, code, message string) ErrorBody {
	t.Helper()
	var e ErrorBody
	r.JSON(t, &e)
	if r.Status != status || e.Code != code || e.Error != message || e.Success || e.RequestID == "" {
		t.Fatalf("got %d %s %q (request_id %q), want %d %s %q\nbody: %s", r.Status, e.Code, e.Error, e.RequestID, status, code, message, r.Body)
	}
	return e
}

// ExpectStatus fails t unless r has status.
func (r *Response) ExpectStatus(t testing.TB, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\nbody: %s", r.Status, status, r.Body)
	}
}

// Data decodes the success envelope's data into v after checking status.
func (r *Response) Data(t testing.TB, status int, v any) {
	t.Helper()
	r.ExpectStatus(t, status)
	var env struct {
		Success bool            `json:"success"`
		Data    json.RawMessage `json:"data"`
	}
	r.JSON(t, &env)
	if !env.Success {
		t.Fatalf("success=false in %s", r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(env.Data, v); err != nil {
			t.Fatalf("decode data %s: %v", env.Data, err)
		}
	}
}
