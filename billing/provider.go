package billing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"tonegrid"
	"tonegrid/money"
)

// DefaultTimeout bounds one call to a provider, connection included.
const DefaultTimeout = 10 * time.Second

// maxAnswer bounds how much of a provider's answer is read.
const maxAnswer = 1 << 20

// maxAudited bounds how much of a provider's answer goes to the audit log.
const maxAudited = 2000

// Provider is a payment provider's API: it starts hosted payments and says
// what became of them.
type Provider interface {
	// Name is the provider's name: tonegrid.ProviderStripe or
	// tonegrid.ProviderPaystack.
	Name() string
	// Initialize starts a hosted payment and returns where to send the
	// payer.
	Initialize(ctx context.Context, req InitRequest) (InitResult, error)
	// Lookup asks about the payment with the provider's id (InitResult's
	// ProviderRef). An unknown id is ErrUnknownPayment.
	Lookup(ctx context.Context, providerRef string) (Payment, error)
}

// InitRequest is a payment to start.
type InitRequest struct {
	// Reference is ToneGrid's reference for the checkout; providers echo it
	// back in lookups and webhook events.
	Reference string
	// Email is the payer's address (required by Paystack).
	Email string
	// AmountMinor is the amount in the currency's minor unit (cents, kobo).
	AmountMinor int64
	// Currency is the ISO 4217 code, upper case.
	Currency string
	// Description names what is bought ("ToneGrid Pro, 1 month").
	Description string
	// ReturnURL is where the payer lands after paying; CancelURL where they
	// land after giving up.
	ReturnURL string
	CancelURL string
	// Metadata is attached to the payment at the provider.
	Metadata map[string]string
}

// InitResult is a started payment.
type InitResult struct {
	AuthorizationURL string
	// ProviderRef is the provider's id for the payment, to look it up.
	ProviderRef string
}

// Payment is what a provider says about one payment.
type Payment struct {
	// Reference is ToneGrid's reference as the provider echoes it.
	Reference   string
	Status      tonegrid.PaymentStatus
	AmountMinor int64
	// Currency is upper case.
	Currency string
	// Detail is the provider's own status word ("abandoned", "expired").
	Detail string
}

// Errors of provider calls, wrapped in a *ProviderError.
var (
	// ErrNotConfigured means the provider's secret key is not set.
	ErrNotConfigured = errors.New("secret key not configured")
	// ErrUnknownPayment means the provider does not know the payment.
	ErrUnknownPayment = errors.New("payment not found at the provider")
	// ErrMalformedAnswer means the provider answered something that is
	// not the documented JSON.
	ErrMalformedAnswer = errors.New("malformed answer")
)

// ProviderError is a failed provider call, with what the provider answered,
// for the audit log (never for API clients).
type ProviderError struct {
	Provider string
	// Op is the call: "initialize" or "lookup".
	Op string
	// Status is the HTTP status of the answer; 0 when there was none.
	Status int
	// Answer is the start of the answer's body, or the transport error.
	Answer string
	Err    error
}

// Error implements the error interface.
func (e *ProviderError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s %s: %v", e.Provider, e.Op, e.Err)
	}
	return fmt.Sprintf("%s %s: HTTP %d: %v: %s", e.Provider, e.Op, e.Status, e.Err, e.Answer)
}

// Unwrap returns the cause.
func (e *ProviderError) Unwrap() error { return e.Err }

// AuditDetails renders err for the audit log: the provider's status and
// answer when err is a *ProviderError.
func AuditDetails(err error) map[string]string {
	var pe *ProviderError
	if !errors.As(err, &pe) {
		return map[string]string{"error": err.Error()}
	}
	d := map[string]string{"provider": pe.Provider, "call": pe.Op, "error": pe.Err.Error()}
	if pe.Status != 0 {
		d["provider_status"] = fmt.Sprint(pe.Status)
	}
	if pe.Answer != "" {
		d["provider_answer"] = pe.Answer
	}
	return d
}

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// call is one HTTP exchange with a provider.
type call struct {
	provider, op string
	method, url  string
	auth         string
	contentType  string
	body         []byte
	header       map[string]string
}

// do runs c with client and returns the answer's status and body; transport
// failures and timeouts come back as a *ProviderError without status.
func (c call) do(ctx context.Context, client *http.Client) (int, []byte, error) {
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		return 0, nil, c.fail(0, "", err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, c.fail(0, "", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, c.fail(resp.StatusCode, "", fmt.Errorf("read answer: %w", err))
	}
	return resp.StatusCode, b, nil
}

// fail wraps err with the call and the answer.
func (c call) fail(status int, answer string, err error) *ProviderError {
	if answer == "" && status == 0 {
		answer = err.Error()
	}
	return &ProviderError{Provider: c.provider, Op: c.op, Status: status, Answer: clip(strings.TrimSpace(answer), maxAudited), Err: err}
}

// newClient returns the HTTP client provider calls use.
func newClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{Timeout: timeout}
}

// MinorAmount turns a price in a currency ("19.99" USD) into its minor unit
// (1999). A price with more fractional digits than the currency has, or an
// unknown currency, is an error.
func MinorAmount(price, currency string) (int64, error) {
	places, ok := money.MinorUnits(currency)
	if !ok {
		return 0, fmt.Errorf("price %s %s: %w", price, currency, money.ErrUnknownCurrency)
	}
	d, err := money.Parse(price)
	if err != nil {
		return 0, fmt.Errorf("price %s %s: %w", price, currency, err)
	}
	if money.RoundHalfEven(d, places).Cmp(d) != 0 {
		return 0, fmt.Errorf("price %s %s: more than %d fractional digits", price, currency, places)
	}
	scale := int64(1)
	for range places {
		scale *= 10
	}
	m, err := d.Mul(money.New(scale, 0))
	if err != nil {
		return 0, fmt.Errorf("price %s %s: %w", price, currency, err)
	}
	n, ok := m.Int64()
	if !ok || n < 0 {
		return 0, fmt.Errorf("price %s %s: out of range", price, currency)
	}
	return n, nil
}

// isHTTPURL reports whether s is an absolute http or https URL, as payment
// pages are.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
