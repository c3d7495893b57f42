package httpapi

import (
	"net/http"
	"strings"

	"tonegrid"
)

// handlerFunc is what every route implements: it writes a success response
// or returns the error the pipeline turns into an error response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one row of the route table.
type route struct {
	// method is the HTTP method; empty for the catch-all.
	method string
	// path is the ServeMux path pattern, with wildcards: /api/releases/{uuid}.
	path string
	// handle serves the route.
	handle handlerFunc
	// maxBody overrides Config.MaxJSONBody for this route, in bytes.
	maxBody int64
}

// pattern is the ServeMux pattern of the route: "GET /api/health".
func (rt route) pattern() string {
	if rt.method == "" {
		return rt.path
	}
	return rt.method + " " + rt.path
}

// isAPI reports whether path belongs to the JSON API.
func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// wrap turns a route into an http.Handler: it bounds the body, records the
// matched pattern for the access log, and writes the returned error.
func (s *Server) wrap(rt route) http.Handler {
	limit := rt.maxBody
	if limit <= 0 {
		limit = s.cfg.MaxJSONBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if info != nil && r.Pattern != "" && rt.method != "" {
			info.route = r.Pattern
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if err := rt.handle(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// handleNotFound answers every path no route matches.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, "/docs", http.StatusFound)
		return nil
	}
	return tonegrid.ErrRouteNotFound
}
