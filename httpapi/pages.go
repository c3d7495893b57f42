package httpapi

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"regexp"
	"time"

	"tonegrid"
)

//go:embed pages/*.html
var pageFiles embed.FS

// pageTemplates holds one template per page, each with the shared layout.
var pageTemplates = func() map[string]*template.Template {
	layout := template.Must(template.ParseFS(pageFiles, "pages/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"errors", "status", "docs", "billing_return"} {
		t := template.Must(template.Must(layout.Clone()).ParseFS(pageFiles, "pages/"+name+".html"))
		out[name] = t
	}
	return out
}()

// page is what the layout needs besides the page's own data.
type page struct {
	Title string
	Nav   string
}

// writePage renders one HTML page.
func writePage(w http.ResponseWriter, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := pageTemplates[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// errorGroup is the catalogue entries of one status.
type errorGroup struct {
	Status  int
	Text    string
	Entries []tonegrid.CatalogueEntry
}

// handleErrorsPage renders the catalogue, grouped by status, searchable.
func (s *Server) handleErrorsPage(w http.ResponseWriter, r *http.Request) error {
	var groups []errorGroup
	for _, e := range tonegrid.Catalogue() {
		if len(groups) == 0 || groups[len(groups)-1].Status != e.Status {
			groups = append(groups, errorGroup{Status: e.Status, Text: http.StatusText(e.Status)})
		}
		g := &groups[len(groups)-1]
		g.Entries = append(g.Entries, e)
	}
	return writePage(w, http.StatusOK, "errors", struct {
		page
		Groups []errorGroup
	}{page{"Error catalogue", "errors"}, groups})
}

// handleErrorsJSON serves the catalogue as data.
func (s *Server) handleErrorsJSON(w http.ResponseWriter, r *http.Request) error {
	writeData(w, http.StatusOK, tonegrid.Catalogue())
	return nil
}

// handleStatusPage renders the state of the API, database and job queue
// from the same checks as /health; it answers 503 when the database is down.
func (s *Server) handleStatusPage(w http.ResponseWriter, r *http.Request) error {
	rep := s.checkHealth(r.Context(), true)
	status := http.StatusOK
	if !rep.Checks.DB.OK {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	return writePage(w, status, "status", struct {
		page
		Report    healthReport
		CheckedAt string
		Version   string
		Uptime    string
		DBDialect string
	}{
		page{"Status", "status"}, rep, time.Now().UTC().Format(time.RFC3339), tonegrid.Version,
		time.Since(s.started).Round(time.Second).String(), s.cfg.DatabaseDialect,
	})
}

// checkoutReference matches the references this platform gives checkouts;
// anything else in the query is not shown.
var checkoutReference = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

// handleBillingReturn is the page payers land on after a provider's
// checkout (the return URL of POST /billing/checkout). Activation does not
// depend on it: provider webhooks and POST /billing/verify do that.
func (s *Server) handleBillingReturn(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ref := q.Get("reference")
	if !checkoutReference.MatchString(ref) {
		ref = ""
	}
	w.Header().Set("Cache-Control", "no-store")
	return writePage(w, http.StatusOK, "billing_return", struct {
		page
		Reference string
		Cancelled bool
	}{page{"Checkout", ""}, ref, q.Get("cancelled") == "1"})
}
