package httpapi

// routeTable is every route the server answers, in one place. Each route
// declares what it needs from the pipeline; openapi.yaml describes exactly
// these routes (a test keeps the two in step).
func (s *Server) routeTable() []route {
	return []route{
		// Health, documentation and the error catalogue.
		{method: "GET", path: "/health", handle: s.handleHealth},
		{method: "GET", path: "/api/health", handle: s.handleHealth},
		{method: "GET", path: "/status", handle: s.handleStatusPage},
		{method: "GET", path: "/errors", handle: s.handleErrorsPage},
		{method: "GET", path: "/errors.json", handle: s.handleErrorsJSON},
		{method: "GET", path: "/api/errors", handle: s.handleErrorsJSON},
		{method: "GET", path: "/docs", handle: s.handleDocs},
		{method: "GET", path: "/api/openapi.json", handle: s.handleOpenAPI},
	}
}
