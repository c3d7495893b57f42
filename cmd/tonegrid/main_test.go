package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the tonegrid command when re-executed
// with TONEGRID_TEST_RUN_MAIN=1, so tests can run it as a real process.
func TestMain(m *testing.M) {
	if os.Getenv("TONEGRID_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFromEnv(t *testing.T) {
	cfg, err := configFromEnv(envFrom(map[string]string{
		"TONEGRID_HTTP_ADDR":              "0.0.0.0:9000",
		"TONEGRID_RATE_LIMIT_STANDARD":    "600",
		"TONEGRID_TRUSTED_PROXIES":        "10.0.0.0/8, 192.168.1.7 ,fd00::/8",
		"TONEGRID_WEBHOOKS_ALLOW_PRIVATE": "true",
		"TONEGRID_LOG_FORMAT":             "json",
		"TONEGRID_DDEX_SENDER_DPID":       "PADPIDA2014120301F",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "0.0.0.0:9000" || cfg.RateLimitStandard != 600 || !cfg.WebhooksAllowPrivate || len(cfg.TrustedProxies) != 3 ||
		cfg.TrustedProxies[1].String() != "192.168.1.7/32" || cfg.DDEXSenderDPID != "PADPIDA2014120301F" {
		t.Errorf("cfg = %+v", cfg)
	}

	for name, env := range map[string]map[string]string{
		"negative limit":   {"TONEGRID_RATE_LIMIT_AUTH": "-1"},
		"word limit":       {"TONEGRID_RATE_LIMIT_BULK": "lots"},
		"bad proxy":        {"TONEGRID_TRUSTED_PROXIES": "10.0.0.0/33"},
		"bad bool":         {"TONEGRID_WEBHOOKS_ALLOW_PRIVATE": "maybe"},
		"bad log format":   {"TONEGRID_LOG_FORMAT": "xml"},
		"zero is not many": {"TONEGRID_RATE_LIMIT_STANDARD": "0"},
		"bad sender DPID":  {"TONEGRID_DDEX_SENDER_DPID": "TONEGRID"},
	} {
		if _, err := configFromEnv(envFrom(env)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "-h"}, {"version", "--help"}, {"users", "create", "--help"}} {
		var out bytes.Buffer
		err := run(context.Background(), &environment{getenv: envFrom(nil), stdout: &out, stderr: &out}, args)
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: err = %v", args, err)
		}
		if !strings.Contains(out.String(), "TONEGRID_DATABASE_URL") {
			t.Errorf("%v: help lacks the environment table:\n%s", args, out.String())
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), &environment{getenv: envFrom(nil), stdout: &out, stderr: &out}, []string{"version"}); err != nil || !strings.HasPrefix(out.String(), "tonegrid ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), &environment{getenv: envFrom(nil), stdout: &out, stderr: &out}, []string{"frobnicate"}); err == nil {
		t.Error("unknown command accepted")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeOnAFreshMachine runs `tonegrid serve` as a process in an empty
// directory with no configuration but the port: it creates ./data, answers
// /health, prints the generated admin password once, and exits cleanly on
// SIGTERM.
func TestServeOnAFreshMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	start := func() (*exec.Cmd, *syncBuffer) {
		cmd := exec.Command(os.Args[0], "serve")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TONEGRID_TEST_RUN_MAIN=1", "TONEGRID_HTTP_ADDR="+addr, "TONEGRID_LOG_FORMAT=json")
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get("http://" + addr + "/health")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("/health = %d", resp.StatusCode)
				}
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("server did not come up: %v\n%s", err, out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		return cmd, &out
	}
	stop := func(cmd *exec.Cmd, out *syncBuffer) {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("exit: %v\n%s", err, out.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("no exit after SIGTERM\n%s", out.String())
		}
	}

	cmd, out := start()
	// The first admin signs in at the address the README gives, with the
	// printed password and no configuration of hosts.
	creds := regexp.MustCompile(`email: +(\S+)\s+password: +(\S+)`).FindStringSubmatch(out.String())
	if creds == nil {
		t.Fatalf("no credentials printed:\n%s", out.String())
	}
	body, _ := json.Marshal(map[string]string{"email": creds[1], "password": creds[2]})
	resp, err := http.Post("http://"+addr+"/api/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("login at http://%s answered %d: %s", addr, resp.StatusCode, answer)
	}
	stop(cmd, out)
	if !strings.Contains(out.String(), "password:") || !strings.Contains(out.String(), `"msg":"stopped"`) {
		t.Errorf("first start output:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "tonegrid.db")); err != nil {
		t.Errorf("no database in ./data: %v", err)
	}

	cmd, out = start()
	stop(cmd, out)
	if strings.Contains(out.String(), "password:") {
		t.Errorf("second start printed a password again:\n%s", out.String())
	}
}

// syncBuffer is a bytes.Buffer that a child process's output goroutine
// writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestUsersCreate(t *testing.T) {
	dir := t.TempDir()
	env := func(out *bytes.Buffer) *environment {
		return &environment{getenv: envFrom(map[string]string{"TONEGRID_DATA_DIR": dir}), stdout: out, stderr: out}
	}
	var out bytes.Buffer
	err := run(context.Background(), env(&out), []string{"users", "create", "--email", "ops@example.com", "--password", "a-long-ops-secret", "--role", "super_admin"})
	if err != nil || !strings.Contains(out.String(), "created super_admin ops@example.com") {
		t.Fatalf("create: %v\n%s", err, out.String())
	}
	for name, args := range map[string][]string{
		"duplicate":       {"--email", "ops@example.com", "--password", "a-long-ops-secret", "--role", "staff"},
		"weak password":   {"--email", "x@example.com", "--password", "password", "--role", "staff"},
		"unknown role":    {"--email", "x@example.com", "--password", "a-long-ops-secret", "--role", "owner"},
		"unknown tenant":  {"--email", "y@example.com", "--password", "a-long-ops-secret", "--role", "staff", "--tenant", "0193f7d0-0000-7000-8000-000000000000"},
		"super in tenant": {"--email", "z@example.com", "--password", "a-long-ops-secret", "--role", "super_admin", "--tenant", "0193f7d0-0000-7000-8000-000000000000"},
	} {
		out.Reset()
		if err := run(context.Background(), env(&out), append([]string{"users", "create"}, args...)); err == nil {
			t.Errorf("%s: no error\n%s", name, out.String())
		}
	}
}
