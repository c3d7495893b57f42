package httpapi_test

import (
	"net/http/httptest"
	"testing"

	"tonegrid/app/apptest"
)

// BenchmarkHealthChain is GET /api/health through the whole middleware chain
// in process (no network), on SQLite; cmd/tgbench measures it over loopback.
func BenchmarkHealthChain(b *testing.B) {
	srv := apptest.New(b, "sqlite")
	h := srv.App.Handler
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/health", nil))
	}
}
