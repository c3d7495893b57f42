package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tonegrid"
	"tonegrid/secret"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// TestServerErrorsAreNotStored runs a route that fails with a 500 and then
// succeeds, under one Idempotency-Key: the 500 is not kept, the retry runs.
func TestServerErrorsAreNotStored(t *testing.T) {
	db := sqltest.Open(t, sqlstore.SQLite)
	sealer, _ := secret.NewSealer(make([]byte, 32))
	db.SetSealer(sealer)
	s := New(Config{}, Deps{Idempotency: db}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	runs := 0
	rt := route{method: "POST", path: "/api/x", handle: func(w http.ResponseWriter, r *http.Request) error {
		runs++
		if runs == 1 {
			return tonegrid.ErrUnavailable
		}
		writeData(w, http.StatusCreated, "made")
		return nil
	}}
	h := chain(s.wrap(rt), s.requestID)
	call := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/x", strings.NewReader(`{"a":1}`))
		req.Header.Set("Idempotency-Key", "k")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := call(); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("first call %d", rec.Code)
	}
	if rec := call(); rec.Code != http.StatusCreated || rec.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("second call %d %v", rec.Code, rec.Header())
	}
	if rec := call(); rec.Code != http.StatusCreated || rec.Header().Get("Idempotent-Replayed") != "true" || runs != 2 {
		t.Fatalf("third call %d %v after %d runs", rec.Code, rec.Header(), runs)
	}
}
