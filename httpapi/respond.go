package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"tonegrid"
	"tonegrid/i18n"
)

// envelope is the success body: {"success": true, "data": …}.
type envelope struct {
	Success bool      `json:"success"`
	Data    any       `json:"data"`
	Message string    `json:"message,omitempty"`
	Meta    *listMeta `json:"meta,omitempty"`
}

// listMeta is the pagination block of list responses.
type listMeta struct {
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Total   int `json:"total"`
}

// errorEnvelope is the body of every non-2xx response.
type errorEnvelope struct {
	Success   bool                `json:"success"`
	Error     string              `json:"error"`
	Code      string              `json:"code"`
	RequestID string              `json:"request_id"`
	Errors    map[string][]string `json:"errors,omitempty"`
	Data      any                 `json:"data,omitempty"`
}

// Header values every JSON response carries, shared rather than allocated
// per response (net/http never modifies them).
var (
	headerJSON    = []string{"application/json; charset=utf-8"}
	headerNosniff = []string{"nosniff"}
	headerNoStore = []string{"no-store"}
)

// writeJSON writes v as the JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h["Content-Type"] = headerJSON
	h["X-Content-Type-Options"] = headerNosniff
	h["Cache-Control"] = headerNoStore
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// writeData writes the success envelope around data.
func writeData(w http.ResponseWriter, status int, data any) {
	writeJSON(w, status, envelope{Success: true, Data: data})
}

// writeDataMessage writes the success envelope with a message.
func writeDataMessage(w http.ResponseWriter, status int, data any, message string) {
	writeJSON(w, status, envelope{Success: true, Data: data, Message: message})
}

// writeList writes a page of a list with its pagination block.
func writeList(w http.ResponseWriter, data any, meta listMeta) {
	writeJSON(w, http.StatusOK, envelope{Success: true, Data: data, Meta: &meta})
}

// writeError answers with the catalogue error inside err. Anything else is
// logged with the request id and becomes a 500, or a 503 when the database
// does not answer.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	e, ok := tonegrid.ErrorOf(err)
	switch {
	case ok && !tonegrid.Catalogued(e):
		s.log.ErrorContext(ctx, "error not in the catalogue", "request_id", requestIDFrom(ctx), "code", e.Code, "error", err)
		if s.onUncatalogued != nil {
			s.onUncatalogued("%s %s returned %d %s %q, which is not in the error catalogue", r.Method, r.URL.Path, e.Status, e.Code, e.Message)
		}
		e = tonegrid.ErrInternal
	case !ok:
		e = tonegrid.ErrInternal
		if s.databaseDown(ctx) {
			e = tonegrid.ErrUnavailable
		}
		s.log.ErrorContext(ctx, "request failed", "request_id", requestIDFrom(ctx), "method", r.Method, "path", r.URL.Path, "error", err)
	case e.Status >= 500:
		s.log.ErrorContext(ctx, "request failed", "request_id", requestIDFrom(ctx), "method", r.Method, "path", r.URL.Path, "code", e.Code, "error", err)
	}
	s.writeErrorBody(w, r, e, nil)
}

// databaseDown reports whether the database fails a quick ping, which
// turns an unexplained failure into a 503.
func (s *Server) databaseDown(ctx context.Context) bool {
	if s.deps.Health == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return s.deps.Health.PingDB(ctx) != nil
}

// writeErrorBody writes the error envelope of e, translating field messages
// to the request's locale, with optional extra data.
func (s *Server) writeErrorBody(w http.ResponseWriter, r *http.Request, e *tonegrid.Error, data any) {
	body := errorEnvelope{Error: e.Message, Code: e.Code, RequestID: requestIDFrom(r.Context()), Data: data}
	if len(e.Fields) > 0 {
		locale := localeOf(r)
		body.Errors = make(map[string][]string, len(e.Fields))
		for path, fes := range e.Fields {
			for _, fe := range fes {
				body.Errors[path] = append(body.Errors[path], i18n.Message(locale, fe.Code, fe.Params))
			}
		}
	}
	if w.Header().Get("Retry-After") == "" {
		switch e.Status {
		case http.StatusServiceUnavailable:
			w.Header().Set("Retry-After", "5")
		case http.StatusTooManyRequests:
			w.Header().Set("Retry-After", "60")
		}
	}
	writeJSON(w, e.Status, body)
}
