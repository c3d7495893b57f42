package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logRecorder is a slog.Handler that keeps every record's level and message.
type logRecorder struct {
	mu      sync.Mutex
	records []string
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Level.String()+" "+r.Message)
	return nil
}

// count is the number of records at level.
func (h *logRecorder) count(level slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.records {
		if strings.HasPrefix(r, level.String()+" ") {
			n++
		}
	}
	return n
}

func (h *logRecorder) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.records, "\n")
}

// testRedisURL is TONEGRID_TEST_REDIS_URL; without it the test is skipped,
// or fails under CI=true.
func testRedisURL(tb testing.TB) string {
	tb.Helper()
	redisURL := os.Getenv("TONEGRID_TEST_REDIS_URL")
	if redisURL == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("CI=true but TONEGRID_TEST_REDIS_URL is unset: the Redis tests cannot run")
		}
		tb.Skip("TONEGRID_TEST_REDIS_URL is unset: skipping the Redis tests")
	}
	return redisURL
}

// newTestClient opens a client on the test Redis, failing when it does not
// answer, and closes it at the end of the test.
func newTestClient(tb testing.TB) *redis.Client {
	tb.Helper()
	return openClient(tb, testRedisURL(tb), true)
}

// openClient opens a client on url with NewRedisClient and closes it at the
// end of the test; with mustPing it fails unless Redis answers.
func openClient(tb testing.TB, redisURL string, mustPing bool) *redis.Client {
	tb.Helper()
	client, err := NewRedisClient(redisURL)
	if err != nil {
		tb.Fatalf("NewRedisClient(%q): %v", redisURL, err)
	}
	tb.Cleanup(func() { client.Close() })
	if mustPing {
		if err := client.Ping(context.Background()).Err(); err != nil {
			tb.Fatalf("ping redis at %s: %v", redisURL, err)
		}
	}
	return client
}

// testPrefix is a key prefix no other test uses; the test's keys are
// deleted when it ends.
func testPrefix(tb testing.TB, client *redis.Client) string {
	tb.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	prefix := "tonegrid:test:" + hex.EncodeToString(b) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		for _, pattern := range []string{prefix + "*", "rate:" + prefix + "*"} {
			keys, err := client.Keys(ctx, pattern).Result()
			if err != nil {
				tb.Logf("list test keys %s: %v", pattern, err)
				continue
			}
			if len(keys) > 0 {
				client.Del(ctx, keys...)
			}
		}
	})
	return prefix
}

// countCommands counts the commands client sends to Redis.
type countCommands struct{ n atomic.Int64 }

func (c *countCommands) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *countCommands) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}
func (c *countCommands) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// proxy is a TCP proxy in front of Redis that a test can cut and restore,
// the way a network partition or a Redis restart would.
type proxy struct {
	ln       net.Listener
	target   string
	redisURL *url.URL

	mu    sync.Mutex
	up    bool
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// startProxy listens on a loopback port and forwards to the Redis at
// redisURL until the test ends.
func startProxy(tb testing.TB, redisURL string) *proxy {
	tb.Helper()
	u, err := url.Parse(redisURL)
	if err != nil {
		tb.Fatalf("parse %q: %v", redisURL, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxy{ln: ln, target: u.Host, redisURL: u, up: true, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

// url is the Redis URL with the proxy in place of the server.
func (p *proxy) url() string {
	u := *p.redisURL
	u.Host = p.ln.Addr().String()
	return u.String()
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(conn) {
			conn.Close()
			continue
		}
		upstream, err := net.Dial("tcp", p.target)
		if err != nil || !p.track(upstream) {
			conn.Close()
			if upstream != nil {
				upstream.Close()
			}
			continue
		}
		p.wg.Add(2)
		go p.pipe(conn, upstream)
		go p.pipe(upstream, conn)
	}
}

// track registers conn for cutting; false when the proxy is cut.
func (p *proxy) track(conn net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.up {
		return false
	}
	p.conns[conn] = true
	return true
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	// An error (a reset, a cut) ends the pair just as EOF does.
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut closes every connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// restore lets connections through again.
func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = true
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline; it waits for background work, it does not measure it.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
