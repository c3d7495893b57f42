package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tonegrid/app/apptest"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// samplePath fills the wildcards of a documented path with values of the
// right shape.
func samplePath(path string) string {
	return regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "0193f7d0-0000-7000-8000-000000000000")
}

// TestDatabaseDownAnswers503 makes the database unreachable under a running
// server (SQLite: the handle is closed; PostgreSQL: the TCP path to the
// server is cut) and calls every documented route: none may answer 500,
// and the health routes answer 503 with checks.db.ok=false.
func TestDatabaseDownAnswers503(t *testing.T) {
	for _, d := range sqltest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			var srv *apptest.Server
			var cut func()
			if d == sqlstore.Postgres {
				u, err := url.Parse(sqltest.URL(t, d))
				if err != nil {
					t.Fatal(err)
				}
				proxy := apptest.StartProxy(t, u.Host)
				u.Host = proxy.Addr()
				db, err := sqlstore.Open(context.Background(), u.String(), sqlstore.Options{MaxOpenConns: 4})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				srv = apptest.NewWithDB(t, db)
				cut = proxy.Cut
			} else {
				srv = apptest.New(t, d)
				cut = func() { srv.DB.Close() }
			}
			srv.Get("/api/health", "").ExpectStatus(t, http.StatusOK)
			cut()

			for _, path := range []string{"/api/health", "/health"} {
				resp := srv.Get(path, "")
				resp.ExpectError(t, http.StatusServiceUnavailable, "unavailable", "Service temporarily unavailable.")
				if !strings.Contains(string(resp.Body), `"db":{"ok":false`) {
					t.Errorf("%s body lacks checks.db.ok=false: %s", path, resp.Body)
				}
			}
			if resp := srv.Get("/status", ""); resp.Status != http.StatusServiceUnavailable || !strings.Contains(string(resp.Body), "Unavailable") {
				t.Errorf("/status = %d", resp.Status)
			}

			doc, _ := apptest.Spec(t)
			for path, item := range doc.Paths.Map() {
				for method := range item.Operations() {
					resp := srv.Do(apptest.Request{Method: method, Path: samplePath(path), Body: "{}"})
					if resp.Status == http.StatusInternalServerError {
						t.Errorf("%s %s answered 500 with the database down: %s", method, path, resp.Body)
					}
				}
			}
		})
	}
}
