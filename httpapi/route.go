package httpapi

import (
	"net/http"
	"strings"

	"tonegrid"
)

// handlerFunc is what every route implements: it writes a success response
// or returns the error the pipeline turns into an error response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// rateClass names the rate limit a route counts against.
type rateClass string

// The rate classes of the contract, and classNone for what is never
// limited: health checks of load balancers, and payment providers' webhooks
// (authenticated by their signatures, retried by the provider when refused).
const (
	classStandard rateClass = "standard"
	classAuth     rateClass = "auth"
	classBulk     rateClass = "bulk"
	classNone     rateClass = "none"
)

// route is one row of the route table: what it serves and what it needs
// from the pipeline.
type route struct {
	// method is the HTTP method; empty for the catch-all.
	method string
	// path is the ServeMux path pattern, with wildcards: /api/releases/{uuid}.
	path string
	// handle serves the route.
	handle handlerFunc
	// perm is the permission the caller needs; empty for public routes.
	perm tonegrid.Permission
	// verified requires a verified email (403 otherwise).
	verified bool
	// class is the rate limit the route counts against; empty is standard.
	class rateClass
	// maxBody overrides Config.MaxJSONBody for this route, in bytes.
	maxBody int64
	// streaming marks routes whose body is a file streamed to storage: it
	// is never read whole, so Idempotency-Key does not apply to them.
	streaming bool
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
// matched pattern, authenticates and authorizes the caller, and writes the
// returned error.
func (s *Server) wrap(rt route) http.Handler {
	limit := rt.maxBody
	if limit <= 0 {
		limit = s.cfg.MaxJSONBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if info != nil && rt.method != "" {
			info.route = r.Pattern
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		ctx := tonegrid.WithRequestMeta(r.Context(), tonegrid.RequestMeta{
			RequestID: requestIDFrom(r.Context()), IP: s.clientIP(r).String(), UserAgent: r.UserAgent(),
		})
		var p *tonegrid.Principal
		var authErr error
		if rt.perm != "" {
			p, authErr = s.authorize(r.WithContext(ctx), rt)
			if authErr == nil {
				ctx = withPrincipal(ctx, p)
				if info != nil {
					info.principal = p
				}
			}
		}
		r = r.WithContext(ctx)
		// Failed authentications count against the client's address, so
		// guessing tokens is limited too.
		if !s.rateLimit(w, r, rt, p) {
			return
		}
		if authErr != nil {
			s.writeError(w, r, authErr)
			return
		}
		if key, ok := idempotent(r, rt); ok && s.deps.Idempotency != nil {
			s.serveIdempotent(w, r, rt, p, key)
			return
		}
		if err := rt.handle(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authorize authenticates the caller and checks the route's permission and
// email requirement. Platform routes answer 404 to whoever may not use them.
func (s *Server) authorize(r *http.Request, rt route) (*tonegrid.Principal, error) {
	p, err := s.authenticate(r)
	if rt.perm == tonegrid.PermPlatform && (err != nil || !p.Can(rt.perm)) {
		if e, ok := tonegrid.ErrorOf(err); !ok || e.Status < 500 {
			return nil, tonegrid.ErrRouteNotFound
		}
	}
	if err != nil {
		return nil, err
	}
	if !p.Can(rt.perm) {
		return nil, tonegrid.ErrForbidden
	}
	if rt.verified && !p.EmailVerified() {
		return nil, tonegrid.ErrEmailUnverified
	}
	return p, nil
}

// handleNotFound answers every path no route matches.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, "/docs", http.StatusFound)
		return nil
	}
	return tonegrid.ErrRouteNotFound
}
