package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// maxResponseRead bounds how much of a receiver's response body is read.
const maxResponseRead = 64 << 10

// SnippetLength is the most bytes of a response body a Result keeps.
const SnippetLength = 1024

// userAgent identifies deliveries to receivers.
const userAgent = "ToneGrid-Webhooks/1.0"

// Outcome is what a delivery attempt means for the subscription.
type Outcome int

// The outcomes of an attempt.
const (
	// OutcomeDelivered: the receiver answered 2xx.
	OutcomeDelivered Outcome = iota + 1
	// OutcomeRetry: anything else but 410 (other statuses, 3xx included,
	// timeouts, refused or blocked connections); try again per NextAttempt.
	OutcomeRetry
	// OutcomeDisable: the receiver answered 410 Gone; disable the
	// subscription and stop.
	OutcomeDisable
)

// String names the outcome for logs.
func (o Outcome) String() string {
	switch o {
	case OutcomeDelivered:
		return "delivered"
	case OutcomeRetry:
		return "retry"
	case OutcomeDisable:
		return "disable"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is what one delivery attempt recorded, for the delivery log.
type Result struct {
	// StatusCode is the receiver's HTTP status; 0 when no response came.
	StatusCode int
	// Duration is the time from sending the request to the end of reading
	// the response (or the failure).
	Duration time.Duration
	// Err is why no response came (bad URL or secret, refused or blocked
	// connection, timeout); nil whenever StatusCode is set.
	Err error
	// ResponseSnippet is the start of the response body, valid UTF-8, at
	// most SnippetLength bytes.
	ResponseSnippet string
}

// Outcome classifies the attempt: 2xx delivered, 410 disable, anything else
// retry.
func (r Result) Outcome() Outcome {
	switch {
	case r.Err != nil || r.StatusCode == 0:
		return OutcomeRetry
	case r.StatusCode >= 200 && r.StatusCode <= 299:
		return OutcomeDelivered
	case r.StatusCode == http.StatusGone:
		return OutcomeDisable
	}
	return OutcomeRetry
}

// Deliver makes one attempt to POST body to url, signed (Sign) with secret,
// id and ts, the attempt's time, through client, which must come from
// NewClient: the SSRF checks, the timeout and the refusal of redirects are
// the client's. The URL's shape is checked again as CheckURL does (its
// addresses are the client's business). A response counts once its status line and headers arrive; a
// failure while reading its body only shortens the snippet.
func Deliver(ctx context.Context, client *http.Client, url, secret, id string, ts time.Time, body []byte) Result {
	if _, err := parseTarget(url); err != nil {
		return Result{Err: fmt.Errorf("deliver webhook: %w", err)}
	}
	headers, err := Sign(secret, id, ts, body)
	if err != nil {
		return Result{Err: fmt.Errorf("deliver webhook: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Err: fmt.Errorf("deliver webhook: %w: %w", ErrInvalidURL, err)}
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)

	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return Result{Duration: time.Since(start), Err: fmt.Errorf("deliver webhook: %w", err)}
	}
	defer resp.Body.Close()
	read, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
	return Result{
		StatusCode:      resp.StatusCode,
		Duration:        time.Since(start),
		ResponseSnippet: snippet(read),
	}
}

// snippet returns the start of a response body: invalid UTF-8 replaced, then
// cut to at most SnippetLength bytes on a character boundary.
func snippet(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if len(s) <= SnippetLength {
		return s
	}
	cut := SnippetLength
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
