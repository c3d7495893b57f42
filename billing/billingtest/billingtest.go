// Package billingtest runs fake Stripe and Paystack APIs on local httptest
// servers, so billing is tested without a network. Each fake checks what it
// is sent the way the provider would (method, path, bearer key, form or
// JSON fields), keeps the payments it started, and answers with the
// provider's documented shapes; a test records every request, decides how
// the next calls fail (Mode), and moves payments along (paid, failed,
// tampered amounts).
//
// It imports only the standard library and the testing package.
package billingtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// Mode is how a fake answers the calls that follow.
type Mode int

// The modes.
const (
	// Normal answers as the provider does.
	Normal Mode = iota
	// Decline answers a 4xx error in the provider's error shape.
	Decline
	// ServerError answers 500 in the provider's error shape.
	ServerError
	// Malformed answers 200 with a body that is not JSON.
	Malformed
	// Hang never answers; the caller's timeout ends the call.
	Hang
)

// Request is one call a fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// Form is the parsed body of a form-encoded request.
	Form url.Values
	// JSON is the parsed body of a JSON request.
	JSON map[string]any
}

// fake is what both fakes share: the server, the mode and the log.
type fake struct {
	*httptest.Server
	mu       sync.Mutex
	mode     Mode
	requests []Request
	release  chan struct{}
}

// start serves h on a new httptest server closed when t ends; hanging
// handlers are released first.
func (f *fake) start(t testing.TB, h func(w http.ResponseWriter, r *http.Request, req Request, mode Mode)) {
	t.Helper()
	f.release = make(chan struct{})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
		switch r.Header.Get("Content-Type") {
		case "application/x-www-form-urlencoded":
			req.Form, _ = url.ParseQuery(string(body))
		case "application/json":
			json.Unmarshal(body, &req.JSON)
		}
		f.mu.Lock()
		f.requests = append(f.requests, req)
		mode := f.mode
		f.mu.Unlock()
		if mode == Hang {
			select {
			case <-r.Context().Done():
			case <-f.release:
			}
			return
		}
		h(w, r, req, mode)
	}))
	t.Cleanup(f.Server.Close)
	t.Cleanup(func() { close(f.release) })
}

// SetMode decides how the calls that follow are answered.
func (f *fake) SetMode(m Mode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode = m
}

// Requests returns every call received so far, oldest first.
func (f *fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
