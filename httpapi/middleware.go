package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"tonegrid"
)

// requestInfo is what the pipeline learns about a request as it goes (its
// id, the matched route, later the principal and tenant); the access log
// reads it when the response is done.
type requestInfo struct {
	id        string
	route     string
	status    int
	bytes     int64
	principal *tonegrid.Principal
}

type ctxKey int

const infoKey ctxKey = iota

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey).(*requestInfo)
	return info
}

// requestIDFrom returns the id of the request ctx belongs to.
func requestIDFrom(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// validRequestID reports whether a caller's X-Request-Id may be reused:
// 1–128 characters of [A-Za-z0-9._-].
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestID gives every request an id, the caller's when it is acceptable,
// and echoes it in X-Request-Id.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header()["X-Request-Id"] = []string{id}
		info := &requestInfo{id: id}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), infoKey, info)))
	})
}

// recoverPanics turns a panic into a logged 500 whose body says nothing
// about the cause. http.ErrAbortHandler is re-raised, as net/http expects.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic serving request",
				"request_id", requestIDFrom(r.Context()), "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			s.writeErrorBody(w, r, tonegrid.ErrInternal, nil)
		}()
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	info *requestInfo
}

func (sr *statusRecorder) WriteHeader(code int) {
	if sr.info.status == 0 {
		sr.info.status = code
	}
	sr.ResponseWriter.WriteHeader(code)
}

func (sr *statusRecorder) Write(b []byte) (int, error) {
	if sr.info.status == 0 {
		sr.info.status = http.StatusOK
	}
	n, err := sr.ResponseWriter.Write(b)
	sr.info.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (sr *statusRecorder) Unwrap() http.ResponseWriter { return sr.ResponseWriter }

// Flush forwards streaming flushes.
func (sr *statusRecorder) Flush() {
	if f, ok := sr.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// accessLog writes one structured line per request once it is served.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := infoFrom(r.Context())
		next.ServeHTTP(&statusRecorder{ResponseWriter: w, info: info}, r)
		status := info.status
		if status == 0 {
			status = http.StatusOK
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", info.id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", info.route),
			slog.Int("status", status),
			slog.Int64("bytes", info.bytes),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("remote_ip", remoteIP(r)),
			slog.String("user_agent", r.UserAgent()),
		)
	})
}

// remoteIP is the peer address of the connection, without the port.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// rateLimitHeaders reports the standard class's limit on every response.
// Routes whose limiter decides otherwise overwrite the headers.
func (s *Server) rateLimitHeaders(next http.Handler) http.Handler {
	limit := []string{strconv.Itoa(s.cfg.RateLimitStandard)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Ratelimit-Limit"] = limit
		h["X-Ratelimit-Remaining"] = limit
		h["X-Ratelimit-Reset"] = []string{strconv.FormatInt(time.Now().Truncate(time.Minute).Add(time.Minute).Unix(), 10)}
		next.ServeHTTP(w, r)
	})
}
