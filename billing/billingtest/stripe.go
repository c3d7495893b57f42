package billingtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Stripe is a fake of Stripe's Checkout Sessions API: POST
// /v1/checkout/sessions (form-encoded, bearer secret key) and GET
// /v1/checkout/sessions/{id}.
type Stripe struct {
	fake
	// Key is the secret key the fake accepts.
	Key      string
	sessions map[string]map[string]any
	order    []string
}

// NewStripe starts a fake Stripe that accepts key; it stops when t ends.
func NewStripe(t testing.TB, key string) *Stripe {
	t.Helper()
	s := &Stripe{Key: key, sessions: map[string]map[string]any{}}
	s.start(t, s.serve)
	return s
}

// stripeParams are the create parameters the fake knows (and metadata
// keys); Stripe refuses unknown ones.
var stripeParams = map[string]bool{
	"mode": true, "success_url": true, "cancel_url": true, "client_reference_id": true, "customer_email": true,
	"line_items[0][quantity]": true, "line_items[0][price_data][currency]": true,
	"line_items[0][price_data][unit_amount]": true, "line_items[0][price_data][product_data][name]": true,
}

var stripeMetadataKey = regexp.MustCompile(`^metadata\[[a-z_]{1,40}\]$`)

// stripeError answers Stripe's error shape.
func stripeError(w http.ResponseWriter, status int, typ, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"type": typ, "code": code, "message": message}})
}

func (s *Stripe) serve(w http.ResponseWriter, r *http.Request, req Request, mode Mode) {
	switch mode {
	case Decline:
		stripeError(w, http.StatusPaymentRequired, "card_error", "card_declined", "Your card was declined.")
		return
	case ServerError:
		stripeError(w, http.StatusInternalServerError, "api_error", "", "Something went wrong on Stripe's end.")
		return
	case Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id": "cs_broken", "url": `))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Key {
		stripeError(w, http.StatusUnauthorized, "invalid_request_error", "", "Invalid API Key provided.")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/checkout/sessions":
		s.create(w, r, req)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/checkout/sessions/"):
		id := strings.TrimPrefix(r.URL.Path, "/v1/checkout/sessions/")
		s.mu.Lock()
		sess, ok := s.sessions[id]
		var b []byte
		if ok {
			b, _ = json.Marshal(sess)
		}
		s.mu.Unlock()
		if !ok {
			stripeError(w, http.StatusNotFound, "invalid_request_error", "resource_missing", fmt.Sprintf("No such checkout.session: '%s'", id))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	default:
		stripeError(w, http.StatusNotFound, "invalid_request_error", "", "Unrecognized request URL ("+r.Method+": "+r.URL.Path+").")
	}
}

// create checks a create request as Stripe would and stores the session.
func (s *Stripe) create(w http.ResponseWriter, r *http.Request, req Request) {
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		stripeError(w, http.StatusBadRequest, "invalid_request_error", "", "Invalid request: expected a form-encoded body.")
		return
	}
	f := req.Form
	for k := range f {
		if !stripeParams[k] && !stripeMetadataKey.MatchString(k) {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_unknown", "Received unknown parameter: "+k)
			return
		}
	}
	for _, k := range []string{"mode", "success_url", "line_items[0][quantity]", "line_items[0][price_data][currency]",
		"line_items[0][price_data][unit_amount]", "line_items[0][price_data][product_data][name]"} {
		if f.Get(k) == "" {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_missing", "Missing required param: "+k+".")
			return
		}
	}
	amount, err := strconv.ParseInt(f.Get("line_items[0][price_data][unit_amount]"), 10, 64)
	qty, qerr := strconv.ParseInt(f.Get("line_items[0][quantity]"), 10, 64)
	currency := f.Get("line_items[0][price_data][currency]")
	if err != nil || amount < 0 || qerr != nil || qty < 1 || f.Get("mode") != "payment" || currency != strings.ToLower(currency) || len(currency) != 3 {
		stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid", "Invalid line item or mode.")
		return
	}
	meta := map[string]string{}
	for k := range f {
		if strings.HasPrefix(k, "metadata[") {
			meta[strings.TrimSuffix(strings.TrimPrefix(k, "metadata["), "]")] = f.Get(k)
		}
	}
	s.mu.Lock()
	id := fmt.Sprintf("cs_test_%04d%s", len(s.order)+1, strings.Repeat("a", 20))
	now := time.Now().Unix()
	sess := map[string]any{
		"id": id, "object": "checkout.session", "mode": "payment", "livemode": false,
		"amount_subtotal": amount * qty, "amount_total": amount * qty, "currency": currency,
		"client_reference_id": nullable(f.Get("client_reference_id")), "customer_email": nullable(f.Get("customer_email")),
		"metadata": meta, "payment_status": "unpaid", "status": "open",
		"success_url": f.Get("success_url"), "cancel_url": nullable(f.Get("cancel_url")),
		"url":     "https://checkout.stripe.test/c/pay/" + id,
		"created": now, "expires_at": now + 86400,
	}
	s.sessions[id] = sess
	s.order = append(s.order, id)
	b, _ := json.Marshal(sess)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// nullable is nil for an empty string, as Stripe answers null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SessionFor returns the id of the session created with client reference
// ref, or "".
func (s *Stripe) SessionFor(ref string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		if s.sessions[id]["client_reference_id"] == ref {
			return id
		}
	}
	return ""
}

// update changes a session's fields.
func (s *Stripe) update(id string, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range fields {
		s.sessions[id][k] = v
	}
}

// Pay completes session id: status complete, payment_status paid.
func (s *Stripe) Pay(id string) {
	s.update(id, map[string]any{"status": "complete", "payment_status": "paid"})
}

// Expire lets session id expire unpaid.
func (s *Stripe) Expire(id string) { s.update(id, map[string]any{"status": "expired"}) }

// Tamper changes what session id says was charged.
func (s *Stripe) Tamper(id string, amount int64, currency string) {
	s.update(id, map[string]any{"amount_total": amount, "currency": currency})
}

// Event returns the body of a Stripe event of type about session id, as
// Stripe would post it to a webhook endpoint.
func (s *Stripe) Event(eventID, eventType, id string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := json.Marshal(map[string]any{
		"id": eventID, "object": "event", "api_version": "2024-06-20", "created": time.Now().Unix(), "livemode": false,
		"pending_webhooks": 1, "type": eventType, "data": map[string]any{"object": s.sessions[id]},
	})
	return b
}
