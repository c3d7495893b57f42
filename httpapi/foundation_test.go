package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/app/apptest"
)

func TestHealth(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		for _, path := range []string{"/api/health", "/health"} {
			resp := srv.Get(path, "")
			var data struct {
				Status string `json:"status"`
				Checks struct {
					DB struct {
						OK        bool  `json:"ok"`
						LatencyMS int64 `json:"latency_ms"`
					} `json:"db"`
				} `json:"checks"`
			}
			resp.Data(t, http.StatusOK, &data)
			if data.Status != "ok" || !data.Checks.DB.OK {
				t.Errorf("%s data = %+v", path, data)
			}
			if !strings.Contains(string(resp.Body), `"latency_ms"`) {
				t.Errorf("%s lacks latency_ms: %s", path, resp.Body)
			}
		}
	})
}

var generatedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestEveryResponseCarriesRequestIDAndRateLimitHeaders(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		tests := []struct {
			name   string
			method string
			path   string
			sentID string
			wantID string // empty: a generated one
			status int
		}{
			{name: "health, own id", method: "GET", path: "/api/health", sentID: "client-trace.42_A", wantID: "client-trace.42_A", status: 200},
			{name: "id of 128 chars kept", method: "GET", path: "/api/health", sentID: strings.Repeat("a", 128), wantID: strings.Repeat("a", 128), status: 200},
			{name: "id of 129 chars replaced", method: "GET", path: "/api/health", sentID: strings.Repeat("a", 129), status: 200},
			{name: "id with bad chars replaced", method: "GET", path: "/api/health", sentID: "bad id;", status: 200},
			{name: "no id", method: "GET", path: "/api/health", status: 200},
			{name: "unknown route", method: "GET", path: "/api/nope", sentID: "x1", wantID: "x1", status: 404},
			{name: "html page", method: "GET", path: "/errors", status: 200},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := http.Header{}
				if tt.sentID != "" {
					h.Set("X-Request-Id", tt.sentID)
				}
				resp := srv.Do(apptest.Request{Method: tt.method, Path: tt.path, Header: h})
				resp.ExpectStatus(t, tt.status)
				got := resp.Header.Get("X-Request-Id")
				if tt.wantID != "" && got != tt.wantID || tt.wantID == "" && !generatedID.MatchString(got) {
					t.Errorf("X-Request-Id = %q, want %q", got, tt.wantID)
				}
				limit, _ := strconv.Atoi(resp.Header.Get("X-RateLimit-Limit"))
				remaining, err := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
				reset, _ := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
				if limit != srv.App.Config.RateLimitStandard || err != nil || remaining > limit || reset < time.Now().Unix() || reset > time.Now().Add(2*time.Minute).Unix() {
					t.Errorf("rate limit headers = %q %q %q", resp.Header.Get("X-RateLimit-Limit"), resp.Header.Get("X-RateLimit-Remaining"), resp.Header.Get("X-RateLimit-Reset"))
				}
				if tt.status >= 400 {
					var e apptest.ErrorBody
					resp.JSON(t, &e)
					if e.RequestID != got {
						t.Errorf("body request_id %q, header %q", e.RequestID, got)
					}
				}
			})
		}
	})
}

func TestUnknownRoutesAnswer404JSON(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		for _, req := range []apptest.Request{
			{Method: "GET", Path: "/api/nope"},
			{Method: "GET", Path: "/api"},
			{Method: "GET", Path: "/api/health/"},
			{Method: "POST", Path: "/api/health"},
			{Method: "DELETE", Path: "/api/errors"},
			{Method: "GET", Path: "/api/releases/0193f7d0-0000-7000-8000-000000000000/nothing"},
			{Method: "GET", Path: "/nothing-here"},
		} {
			resp := srv.Do(req)
			resp.ExpectError(t, http.StatusNotFound, "route_not_found", "Endpoint not found.")
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s %s Content-Type %q", req.Method, req.Path, ct)
			}
		}
	})
}

func TestRootRedirectsToDocs(t *testing.T) {
	srv := apptest.New(t, "sqlite")
	client := *srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/docs" {
		t.Fatalf("GET / = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestErrorCatalogue(t *testing.T) {
	srv := apptest.New(t, "sqlite")
	want := tonegrid.Catalogue()

	for _, path := range []string{"/api/errors", "/errors.json"} {
		var got []tonegrid.CatalogueEntry
		srv.Get(path, "").Data(t, http.StatusOK, &got)
		if len(got) != len(want) {
			t.Fatalf("%s lists %d entries, catalogue has %d", path, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s entry %d = %+v, want %+v", path, i, got[i], want[i])
			}
		}
	}

	resp := srv.Get("/errors", "")
	resp.ExpectStatus(t, http.StatusOK)
	page := string(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, e := range want {
		for _, s := range []string{`id="` + e.Code + `"`, `id="status-` + strconv.Itoa(e.Status) + `"`} {
			if !strings.Contains(page, s) {
				t.Errorf("/errors lacks %s", s)
			}
		}
	}
	if !strings.Contains(page, `<input id="q"`) || !strings.Contains(page, "data-search") {
		t.Error("/errors has no search box")
	}
	// Grouped by status, in ascending order.
	last := 0
	for _, m := range regexp.MustCompile(`id="status-(\d+)"`).FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(m[1])
		if n <= last {
			t.Errorf("status group %d after %d", n, last)
		}
		last = n
	}
}

func TestDocsWorkOffline(t *testing.T) {
	srv := apptest.New(t, "sqlite")
	doc, _ := apptest.Spec(t)
	resp := srv.Get("/docs", "")
	resp.ExpectStatus(t, http.StatusOK)
	page := string(resp.Body)
	for path, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if !strings.Contains(page, `id="`+op.OperationID+`"`) {
				t.Errorf("/docs lacks %s (%s)", op.OperationID, path)
			}
		}
	}
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) {
		t.Error("/docs loads something from the network")
	}

	var spec map[string]any
	resp = srv.Get("/api/openapi.json", "")
	resp.ExpectStatus(t, http.StatusOK)
	if err := json.Unmarshal(resp.Body, &spec); err != nil || !strings.HasPrefix(spec["openapi"].(string), "3.1") {
		t.Fatalf("openapi.json: %v %v", err, spec["openapi"])
	}
}

func TestStatusPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		resp := srv.Get("/status", "")
		resp.ExpectStatus(t, http.StatusOK)
		for _, want := range []string{"API", "Database", "Job queue", "Operational"} {
			if !strings.Contains(string(resp.Body), want) {
				t.Errorf("/status lacks %q", want)
			}
		}
	})
}
