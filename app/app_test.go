package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"tonegrid/app"
	"tonegrid/password"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestShutdownDrainsInFlightRequests cancels the serve context while a
// request is running: the request completes, new connections are refused,
// and Serve returns cleanly.
func TestShutdownDrainsInFlightRequests(t *testing.T) {
	db := sqltest.Open(t, sqlstore.SQLite)
	a, err := app.New(app.Config{DataDir: t.TempDir()}, db, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	api := a.Handler
	a.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
			io.WriteString(w, "done")
			return
		}
		api.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.ServeListener(ctx, ln) }()

	base := "http://" + ln.Addr().String()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	// Shutdown closes the listener at once: new connections are refused
	// while the slow request is still running.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepts after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v before the in-flight request finished", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if body := <-got; body != "done" {
		t.Fatalf("in-flight request got %q", body)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

func TestEnsureAdmin(t *testing.T) {
	for _, tt := range []struct {
		name          string
		email, secret string
		wantEmail     string
		wantGenerated bool
	}{
		{name: "configured", email: "boss@label.test", secret: "correct horse battery", wantEmail: "boss@label.test"},
		{name: "generated", wantEmail: "admin@localhost.localhost", wantGenerated: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := sqltest.Open(t, sqlstore.SQLite)
			a, err := app.New(app.Config{DataDir: t.TempDir(), AdminEmail: tt.email, AdminPassword: tt.secret}, db, quietLog())
			if err != nil {
				t.Fatal(err)
			}
			email, generated, err := a.EnsureAdmin(context.Background())
			if err != nil || email != tt.wantEmail || (generated != "") != tt.wantGenerated {
				t.Fatalf("EnsureAdmin = %q, %q, %v", email, generated, err)
			}
			plain := tt.secret
			if tt.wantGenerated {
				plain = generated
				if len(generated) < 20 || strings.TrimSpace(generated) != generated {
					t.Errorf("generated password %q", generated)
				}
			}
			var hash, role string
			var verified *time.Time
			if err := db.WriteDB().QueryRow(`SELECT password_hash, role, email_verified_at FROM users WHERE email = $1`, tt.wantEmail).Scan(&hash, &role, &verified); err != nil {
				t.Fatal(err)
			}
			if ok, err := password.Verify(plain, hash); !ok || err != nil || role != "super_admin" || verified == nil {
				t.Errorf("admin row: verify=%v %v role=%s verified=%v", ok, err, role, verified)
			}
			// A second start creates nobody and prints nothing.
			email, generated, err = a.EnsureAdmin(context.Background())
			if email != "" || generated != "" || err != nil {
				t.Errorf("second EnsureAdmin = %q, %q, %v", email, generated, err)
			}
		})
	}
}
