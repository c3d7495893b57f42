package httpapi_test

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"tonegrid/app"
	"tonegrid/app/apptest"
	"tonegrid/secret"
	"tonegrid/sqlstore"
)

func withLimits(auth, standard int) apptest.Option {
	return apptest.WithConfig(func(c *app.Config) { c.RateLimitAuth, c.RateLimitStandard = auth, standard })
}

func limitHeaders(t *testing.T, resp *apptest.Response) (limit, remaining int) {
	t.Helper()
	limit, err1 := strconv.Atoi(resp.Header.Get("X-RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
	if err1 != nil || err2 != nil || resp.Header.Get("X-RateLimit-Reset") == "" {
		t.Fatalf("rate limit headers %v", resp.Header)
	}
	return limit, remaining
}

func expectLimited(t *testing.T, resp *apptest.Response) {
	t.Helper()
	resp.ExpectError(t, http.StatusTooManyRequests, "rate_limited", "Too many requests. Please slow down.")
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 || n > 60 {
		t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
}

func TestRateLimitClassesAndPrincipals(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		// Accounts are made before the limits are lowered below.
		a := srv.Label(t, "Limit A")
		b := srv.Label(t, "Limit B")
		key := apiKey(t, srv, a, "catalog:read")
		srv.App.HTTP.SetRateLimits(3, 5, 2)

		// Auth class: 3 per minute per address.
		for i := 0; i < 3; i++ {
			resp := srv.Post("/api/auth/forgot-password", "", map[string]string{"email": "x@example.com"})
			resp.ExpectStatus(t, http.StatusAccepted)
			if limit, remaining := limitHeaders(t, resp); limit != 3 || remaining != 2-i {
				t.Errorf("auth request %d: limit %d remaining %d", i+1, limit, remaining)
			}
		}
		expectLimited(t, srv.Post("/api/auth/forgot-password", "", map[string]string{"email": "x@example.com"}))

		// Standard class: 5 per minute for each principal, separately.
		for i := 0; i < 5; i++ {
			srv.Get("/api/users/me", a.Token).ExpectStatus(t, http.StatusOK)
		}
		expectLimited(t, srv.Get("/api/users/me", a.Token))
		srv.Get("/api/users/me", b.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/tenants/me", key).ExpectStatus(t, http.StatusOK)

		// Unauthenticated and failed requests count against the address.
		for i := 0; i < 5; i++ {
			srv.Get("/api/users/me", "tgk_"+strings.Repeat("x", 40)).ExpectStatus(t, http.StatusUnauthorized)
		}
		expectLimited(t, srv.Get("/api/users/me", "tgk_"+strings.Repeat("x", 40)))
		expectLimited(t, srv.Get("/api/nope", ""))

		// Health checks are never limited, and report the standard limit.
		for i := 0; i < 10; i++ {
			srv.Get("/api/health", "").ExpectStatus(t, http.StatusOK)
		}
	})
}

func TestLoginLockout(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Lockout")
		login := func(email, pw string) *apptest.Response {
			return srv.Post("/api/auth/login", "", map[string]string{"email": email, "password": pw})
		}
		for i := 0; i < 5; i++ {
			login(strings.ToUpper(a.Email), "wrong password "+strconv.Itoa(i)).
				ExpectError(t, http.StatusUnauthorized, "invalid_credentials", "Invalid email or password.")
		}
		// The sixth attempt is refused even with the right password.
		expectLimited(t, login(a.Email, a.Password))
		// Unknown emails lock the same way, and emails do not share a lock.
		for i := 0; i < 5; i++ {
			login("ghost@example.com", "wrong password 1").ExpectStatus(t, http.StatusUnauthorized)
		}
		expectLimited(t, login("ghost@example.com", "wrong password 1"))
		b := srv.Label(t, "Not Locked")
		srv.Login(t, b.Email, b.Password)
	})
}

// redisURL is the Redis the tests share, or a skip (a failure under CI).
func redisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TONEGRID_TEST_REDIS_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but TONEGRID_TEST_REDIS_URL is not set")
		}
		t.Skip("TONEGRID_TEST_REDIS_URL not set")
	}
	return u
}

// TestRedisSharesLimitsAcrossInstances runs two API instances on one Redis:
// a client's requests to either count against one limit.
func TestRedisSharesLimitsAcrossInstances(t *testing.T) {
	url := redisURL(t)
	prefix := "tgtest:" + secret.Token("", 10) + ":"
	opt := apptest.WithConfig(func(c *app.Config) { c.RedisURL, c.RedisKeyPrefix = url, prefix })
	one := apptest.New(t, sqlstore.SQLite, opt)
	two := apptest.New(t, sqlstore.SQLite, opt)
	one.App.HTTP.SetRateLimits(100, 6, 100)
	two.App.HTTP.SetRateLimits(100, 6, 100)
	for i := 0; i < 3; i++ {
		one.Get("/api/nope", "").ExpectStatus(t, http.StatusNotFound)
		two.Get("/api/nope", "").ExpectStatus(t, http.StatusNotFound)
	}
	expectLimited(t, one.Get("/api/nope", ""))
	expectLimited(t, two.Get("/api/nope", ""))
	// The lockout is shared too.
	for i := 0; i < 5; i++ {
		one.Post("/api/auth/login", "", map[string]string{"email": "shared@example.com", "password": "wrong password 1"})
	}
	expectLimited(t, two.Post("/api/auth/login", "", map[string]string{"email": "shared@example.com", "password": "wrong password 1"}))
}

// TestDeadRedisNeverFailsRequests points the limiter at a port nobody
// listens on: requests succeed and are still limited, in process.
func TestDeadRedisNeverFailsRequests(t *testing.T) {
	srv := apptest.New(t, sqlstore.SQLite, apptest.WithConfig(func(c *app.Config) { c.RedisURL = "redis://127.0.0.1:1/0" }))
	srv.App.HTTP.SetRateLimits(100, 3, 100)
	for i := 0; i < 3; i++ {
		srv.Get("/api/nope", "").ExpectStatus(t, http.StatusNotFound)
	}
	expectLimited(t, srv.Get("/api/nope", ""))
}

func TestIdempotencyKey(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Idem A")
		b := srv.Label(t, "Idem B")
		invite := func(token, key string, body any) *apptest.Response {
			h := http.Header{}
			h.Set("Idempotency-Key", key)
			return srv.Do(apptest.Request{Method: "POST", Path: "/api/users", Token: token, Header: h, Body: body})
		}
		users := func(token string) int {
			var list struct {
				Meta struct{ Total int } `json:"meta"`
			}
			resp := srv.Get("/api/users", token)
			resp.ExpectStatus(t, http.StatusOK)
			resp.JSON(t, &list)
			return list.Meta.Total
		}
		body := map[string]string{"email": apptest.UniqueEmail("idem"), "name": "Idem", "role": "staff"}
		first := invite(a.Token, "key-1", body)
		first.ExpectStatus(t, http.StatusCreated)
		again := invite(a.Token, "key-1", body)
		again.ExpectStatus(t, http.StatusCreated)
		if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) ||
			first.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("replay: header %q, body %s vs %s", again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
		}
		if n := users(a.Token); n != 2 {
			t.Errorf("%d users after a replay, want 2", n)
		}
		invite(a.Token, "key-1", map[string]string{"email": apptest.UniqueEmail("other"), "name": "Other", "role": "staff"}).
			ExpectError(t, http.StatusBadRequest, "idempotency_key_reused", "Idempotency-Key was previously used with a different request body.")
		invite(a.Token, strings.Repeat("k", 256), body).
			ExpectError(t, http.StatusBadRequest, "idempotency_key_too_long", "Idempotency-Key must be ≤255 chars.")
		invite(a.Token, strings.Repeat("k", 255), map[string]string{"email": apptest.UniqueEmail("long"), "name": "L", "role": "staff"}).
			ExpectStatus(t, http.StatusCreated)

		// Another tenant with the same key and body runs its own request.
		invite(b.Token, "key-1", map[string]string{"email": "b-" + body["email"], "name": "Idem", "role": "staff"}).ExpectStatus(t, http.StatusCreated)
		// Error responses below 500 are kept and replayed too.
		bad := map[string]string{"email": "nope", "name": "X", "role": "staff"}
		invite(a.Token, "key-bad", bad).ExpectStatus(t, http.StatusUnprocessableEntity)
		if r := invite(a.Token, "key-bad", bad); r.Status != http.StatusUnprocessableEntity || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("422 not replayed: %d %v", r.Status, r.Header)
		}

		// Twenty concurrent requests with one key: exactly one runs.
		race := map[string]string{"email": apptest.UniqueEmail("race"), "name": "Race", "role": "staff"}
		before := users(a.Token)
		var wg sync.WaitGroup
		responses := make([]*apptest.Response, 20)
		statuses := make([]int, 20)
		for i := range responses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				responses[i] = invite(a.Token, "race-key", race)
				statuses[i] = responses[i].Status
			}()
		}
		wg.Wait()
		created, inProgress := 0, 0
		for _, r := range responses {
			switch r.Status {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				inProgress++
				r.ExpectError(t, http.StatusConflict, "idempotency_in_progress", "A request with this Idempotency-Key is already in progress.")
			default:
				t.Errorf("status %d in the race", r.Status)
			}
		}
		if created+inProgress != 20 || created < 1 {
			t.Errorf("race statuses %v", statuses)
		}
		if n := users(a.Token); n != before+1 {
			t.Errorf("%d users created by 20 requests with one key, want 1", n-before)
		}
		resp := invite(a.Token, "race-key", race)
		if resp.Status != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("after the race: %d %s", resp.Status, resp.Body)
		}
	})
}

func TestValidationMessagesAreLocalized(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		want := map[string]string{
			"en": "This field is required.",
			"fr": "Ce champ est obligatoire.",
			"es": "Este campo es obligatorio.",
			"pt": "Este campo é obrigatório.",
			"de": "Dieses Feld ist erforderlich.",
		}
		for header, locale := range map[string]string{
			"":                           "en",
			"ja":                         "en",
			"fr-CH, fr;q=0.9, en;q=0.8":  "fr",
			"es-419":                     "es",
			"pt-BR":                      "pt",
			"en;q=0.5, de-DE;q=0.9":      "de",
			"de;q=0, pt;q=0.3, fr;q=0.2": "pt",
			"*;q=0.1, en-GB":             "en",
		} {
			h := http.Header{}
			if header != "" {
				h.Set("Accept-Language", header)
			}
			e := srv.Do(apptest.Request{Method: "POST", Path: "/api/auth/signup", Header: h,
				Body: map[string]string{"email": "x@example.com", "password": apptest.Password}}).
				ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			if got := e.Errors["tenant_name"]; len(got) != 1 || got[0] != want[locale] {
				t.Errorf("Accept-Language %q: %v, want %q", header, got, want[locale])
			}
		}
		// Without the header, a user's saved locale decides.
		a := srv.Label(t, "Locale")
		srv.Patch("/api/users/me", a.Token, map[string]string{"locale": "de"}).ExpectStatus(t, http.StatusOK)
		e := srv.Post("/api/users", a.Token, map[string]string{"email": "bad", "name": "", "role": "staff"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if got := fmt.Sprint(e.Errors["email"], e.Errors["name"]); got != "[Muss eine gültige E-Mail-Adresse sein.] [Dieses Feld ist erforderlich.]" {
			t.Errorf("saved locale: %s", got)
		}
	})
}
