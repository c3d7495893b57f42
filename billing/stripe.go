package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tonegrid"
)

// Stripe talks to Stripe's API: Checkout Sessions in payment mode, created
// with form-encoded requests and the secret key as bearer token.
type Stripe struct {
	base   string
	key    string
	client *http.Client
}

// NewStripe returns a client of the API at base ("https://api.stripe.com")
// with secretKey; an empty key makes every call fail with ErrNotConfigured.
// timeout bounds each call (0 means DefaultTimeout).
func NewStripe(base, secretKey string, timeout time.Duration) *Stripe {
	return &Stripe{base: strings.TrimRight(base, "/"), key: secretKey, client: newClient(timeout)}
}

// Name implements Provider.
func (s *Stripe) Name() string { return tonegrid.ProviderStripe }

// stripeSession is the part of a Checkout Session ToneGrid reads.
type stripeSession struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	URL               string            `json:"url"`
	Status            string            `json:"status"`
	PaymentStatus     string            `json:"payment_status"`
	AmountTotal       *int64            `json:"amount_total"`
	Currency          string            `json:"currency"`
	ClientReferenceID string            `json:"client_reference_id"`
	Metadata          map[string]string `json:"metadata"`
}

// reference is ToneGrid's reference on the session.
func (s *stripeSession) reference() string {
	if s.ClientReferenceID != "" {
		return s.ClientReferenceID
	}
	return s.Metadata["reference"]
}

// payment is what the session says about its payment.
func (s *stripeSession) payment() Payment {
	p := Payment{Reference: s.reference(), Currency: strings.ToUpper(s.Currency), Status: tonegrid.PaymentPending,
		Detail: s.Status + "/" + s.PaymentStatus}
	if s.AmountTotal != nil {
		p.AmountMinor = *s.AmountTotal
	}
	switch {
	case s.PaymentStatus == "paid":
		p.Status = tonegrid.PaymentPaid
	case s.Status == "expired":
		p.Status = tonegrid.PaymentFailed
	}
	return p
}

// Initialize creates a Checkout Session in payment mode with one line item
// priced inline; ToneGrid's reference goes in client_reference_id and
// metadata, and doubles as the idempotency key.
func (s *Stripe) Initialize(ctx context.Context, req InitRequest) (InitResult, error) {
	c := s.call("initialize", http.MethodPost, "/v1/checkout/sessions")
	if s.key == "" {
		return InitResult{}, c.fail(0, "", ErrNotConfigured)
	}
	form := url.Values{}
	form.Set("mode", "payment")
	form.Set("success_url", req.ReturnURL)
	if req.CancelURL != "" {
		form.Set("cancel_url", req.CancelURL)
	}
	form.Set("client_reference_id", req.Reference)
	if req.Email != "" {
		form.Set("customer_email", req.Email)
	}
	form.Set("line_items[0][quantity]", "1")
	form.Set("line_items[0][price_data][currency]", strings.ToLower(req.Currency))
	form.Set("line_items[0][price_data][unit_amount]", strconv.FormatInt(req.AmountMinor, 10))
	form.Set("line_items[0][price_data][product_data][name]", req.Description)
	form.Set("metadata[reference]", req.Reference)
	for k, v := range req.Metadata {
		form.Set("metadata["+k+"]", v)
	}
	c.contentType = "application/x-www-form-urlencoded"
	c.body = []byte(form.Encode())
	c.header = map[string]string{"Idempotency-Key": req.Reference}
	var sess stripeSession
	if err := s.exchange(ctx, c, &sess); err != nil {
		return InitResult{}, err
	}
	if sess.ID == "" || !isHTTPURL(sess.URL) {
		return InitResult{}, c.fail(http.StatusOK, fmt.Sprintf("session id %q, url %q", sess.ID, sess.URL), ErrMalformedAnswer)
	}
	return InitResult{AuthorizationURL: sess.URL, ProviderRef: sess.ID}, nil
}

// Lookup retrieves a Checkout Session by id. A paid session is
// PaymentPaid, an expired one PaymentFailed, anything else PaymentPending.
func (s *Stripe) Lookup(ctx context.Context, sessionID string) (Payment, error) {
	c := s.call("lookup", http.MethodGet, "/v1/checkout/sessions/"+url.PathEscape(sessionID))
	if s.key == "" {
		return Payment{}, c.fail(0, "", ErrNotConfigured)
	}
	var sess stripeSession
	if err := s.exchange(ctx, c, &sess); err != nil {
		return Payment{}, err
	}
	if sess.ID != sessionID {
		return Payment{}, c.fail(http.StatusOK, fmt.Sprintf("asked for session %q, got %q", sessionID, sess.ID), ErrMalformedAnswer)
	}
	return sess.payment(), nil
}

// call prepares a request to path.
func (s *Stripe) call(op, method, path string) call {
	return call{provider: tonegrid.ProviderStripe, op: op, method: method, url: s.base + path, auth: "Bearer " + s.key}
}

// exchange runs c and decodes a 2xx answer into v. Stripe's error answers
// ({"error": {"type", "code", "message"}}) become *ProviderError; a 404
// with code resource_missing wraps ErrUnknownPayment.
func (s *Stripe) exchange(ctx context.Context, c call, v any) error {
	status, body, err := c.do(ctx, s.client)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		var e struct {
			Error struct {
				Type    string `json:"type"`
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		json.Unmarshal(body, &e)
		if status == http.StatusNotFound && e.Error.Code == "resource_missing" {
			return c.fail(status, string(body), ErrUnknownPayment)
		}
		return c.fail(status, string(body), fmt.Errorf("stripe error %s %s", e.Error.Type, e.Error.Code))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return c.fail(status, string(body), fmt.Errorf("%w: %v", ErrMalformedAnswer, err))
	}
	return nil
}
