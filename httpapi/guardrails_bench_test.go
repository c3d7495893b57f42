package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"tonegrid/ratelimit"
	"tonegrid/secret"
	"tonegrid/sqlstore/sqltest"
)

// BenchmarkGuardrails measures what the rate limiter and Idempotency-Key
// add to one request (in process, no network), against the same route
// without them.
func BenchmarkGuardrails(b *testing.B) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ok := func(w http.ResponseWriter, r *http.Request) error { writeData(w, http.StatusCreated, "ok"); return nil }
	run := func(b *testing.B, deps Deps, idemKey bool) {
		s := New(Config{RateLimitStandard: 1 << 30}, deps, quiet)
		h := chain(s.wrap(route{method: "POST", path: "/api/x", handle: ok}), s.requestID)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest("POST", "/api/x", strings.NewReader(`{"name":"x"}`))
			if idemKey {
				req.Header.Set("Idempotency-Key", "bench-"+strconv.Itoa(i))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("baseline", func(b *testing.B) { run(b, Deps{}, false) })
	b.Run("limiter-memory", func(b *testing.B) { run(b, Deps{Limiter: ratelimit.NewMemory(nil, 0)}, false) })
	if url := os.Getenv("TONEGRID_TEST_REDIS_URL"); url != "" {
		client, err := ratelimit.NewRedisClient(url)
		if err != nil {
			b.Fatal(err)
		}
		lim := ratelimit.NewRedis(client, ratelimit.NewMemory(nil, 0), quiet, nil, ratelimit.WithKeyPrefix("tgbench:"+secret.Token("", 8)+":"))
		b.Run("limiter-redis", func(b *testing.B) { run(b, Deps{Limiter: lim}, false) })
	}
	for _, d := range sqltest.Dialects(b) {
		db := sqltest.Open(b, d)
		sealer, _ := secret.NewSealer(make([]byte, 32))
		db.SetSealer(sealer)
		b.Run("idempotency-"+string(d), func(b *testing.B) {
			run(b, Deps{Limiter: ratelimit.NewMemory(nil, 0), Idempotency: db}, true)
		})
	}
}
