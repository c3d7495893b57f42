package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tonegrid"
)

func TestValidRequestID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"abc", true},
		{"A.b_c-9", true},
		{strings.Repeat("x", 128), true},
		{strings.Repeat("x", 129), false},
		{"", false},
		{"has space", false},
		{"semi;colon", false},
		{"ünï", false},
		{"new\nline", false},
	}
	for _, tt := range tests {
		if got := validRequestID(tt.id); got != tt.want {
			t.Errorf("validRequestID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	type payload struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	tests := []struct {
		name    string
		body    string
		limit   int64
		wantErr string
		wantMsg string
	}{
		{name: "valid", body: `{"name":"a","count":2}`},
		{name: "unknown fields are ignored", body: `{"name":"a","extra":true}`},
		{name: "syntax error", body: `{"name":`, wantErr: "bad_request", wantMsg: "Malformed JSON body."},
		{name: "wrong type", body: `{"count":"two"}`, wantErr: "bad_request", wantMsg: "Malformed JSON body."},
		{name: "not an object", body: `[1,2]`, wantErr: "bad_request", wantMsg: "Malformed JSON body."},
		{name: "empty body", body: ``, wantErr: "bad_request", wantMsg: "Malformed JSON body."},
		{name: "trailing data", body: `{"name":"a"} {"name":"b"}`, wantErr: "bad_request", wantMsg: "Malformed JSON body."},
		{name: "trailing garbage", body: `{"name":"a"} x`, wantErr: "bad_request", wantMsg: "Malformed JSON body."},
		{name: "too large", body: `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, limit: 1 << 20,
			wantErr: "body_too_large", wantMsg: "Request body exceeds the maximum allowed size of 1 MB."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/x", strings.NewReader(tt.body))
			if tt.limit > 0 {
				r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, tt.limit)
			}
			var p payload
			err := decodeJSON(r, &p)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("decodeJSON: %v", err)
				}
				return
			}
			e, ok := tonegrid.ErrorOf(err)
			if !ok || e.Code != tt.wantErr {
				t.Fatalf("decodeJSON error = %v, want %s", err, tt.wantErr)
			}
			if e.Message != tt.wantMsg {
				t.Errorf("message %q, want %q", e.Message, tt.wantMsg)
			}
		})
	}
}

func TestPanicBecomesOpaque500(t *testing.T) {
	var logs bytes.Buffer
	s := New(Config{}, Deps{}, slog.New(slog.NewJSONHandler(&logs, nil)))
	h := chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("secret: SELECT * FROM users")
	}), s.requestID, s.recoverPanics, s.accessLog, s.rateLimitHeaders)

	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/boom", nil)
	req.Header.Set("X-Request-Id", "trace-123")
	h.ServeHTTP(rec, req)

	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	body, _ := io.ReadAll(rec.Body)
	var e errorEnvelope
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if e.Code != "internal" || e.Error != "Internal server error." || e.RequestID != "trace-123" {
		t.Errorf("body = %+v", e)
	}
	if bytes.Contains(body, []byte("SELECT")) || bytes.Contains(body, []byte("goroutine")) {
		t.Errorf("body leaks internals: %s", body)
	}
	if rec.Header().Get("X-Request-Id") != "trace-123" || rec.Header().Get("X-RateLimit-Limit") == "" {
		t.Errorf("headers = %v", rec.Header())
	}
	log := logs.String()
	for _, want := range []string{"panic serving request", "trace-123", "SELECT * FROM users", "goroutine"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestUncataloguedErrorIsReportedAndHidden(t *testing.T) {
	s := New(Config{}, Deps{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var reported []string
	s.FailOnUncatalogued(func(format string, args ...any) { reported = append(reported, format) })
	forged := *tonegrid.ErrReleaseNotFound
	forged.Message = "Release gone."
	rec := httptest.NewRecorder()
	h := chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &forged)
	}), s.requestID)
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/x", nil))
	if rec.Code != http.StatusInternalServerError || len(reported) != 1 {
		t.Fatalf("status %d, reported %v", rec.Code, reported)
	}
}
