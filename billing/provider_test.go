package billing_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/billing"
	"tonegrid/billing/billingtest"
)

const (
	stripeKey   = "sk_test_stripe_0123456789"
	paystackKey = "sk_test_paystack_0123456789"
)

func initRequest(ref string, amount int64, currency string) billing.InitRequest {
	return billing.InitRequest{
		Reference: ref, Email: "payer@example.com", AmountMinor: amount, Currency: currency, Description: "ToneGrid Pro, 1 month",
		ReturnURL: "https://app.example.com/billing/return?reference=" + ref, CancelURL: "https://app.example.com/billing/return?cancelled=1",
		Metadata: map[string]string{"plan": "pro"},
	}
}

func providerError(t *testing.T, err error) *billing.ProviderError {
	t.Helper()
	var pe *billing.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ProviderError", err, err)
	}
	return pe
}

func TestStripeInitializeSendsACheckoutSession(t *testing.T) {
	fake := billingtest.NewStripe(t, stripeKey)
	s := billing.NewStripe(fake.URL, stripeKey, 0)
	res, err := s.Initialize(context.Background(), initRequest("tgp-abc123", 1999, "USD"))
	if err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/v1/checkout/sessions" {
		t.Errorf("request %s %s, want POST /v1/checkout/sessions", r.Method, r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+stripeKey {
		t.Errorf("Authorization = %q", got)
	}
	if got := r.Header.Get("Idempotency-Key"); got != "tgp-abc123" {
		t.Errorf("Idempotency-Key = %q, want the reference", got)
	}
	want := map[string]string{
		"mode": "payment", "client_reference_id": "tgp-abc123", "customer_email": "payer@example.com",
		"line_items[0][quantity]": "1", "line_items[0][price_data][currency]": "usd",
		"line_items[0][price_data][unit_amount]":        "1999",
		"line_items[0][price_data][product_data][name]": "ToneGrid Pro, 1 month",
		"metadata[reference]":                           "tgp-abc123", "metadata[plan]": "pro",
		"success_url": "https://app.example.com/billing/return?reference=tgp-abc123",
		"cancel_url":  "https://app.example.com/billing/return?cancelled=1",
	}
	for k, v := range want {
		if got := r.Form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	id := fake.SessionFor("tgp-abc123")
	if id == "" || res.ProviderRef != id || res.AuthorizationURL != "https://checkout.stripe.test/c/pay/"+id {
		t.Errorf("result %+v, session %q", res, id)
	}

	pay, err := s.Lookup(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if pay.Status != tonegrid.PaymentPending || pay.Reference != "tgp-abc123" || pay.AmountMinor != 1999 || pay.Currency != "USD" {
		t.Errorf("open session = %+v", pay)
	}
	if last := fake.Requests()[1]; last.Method != "GET" || last.Path != "/v1/checkout/sessions/"+id || last.Header.Get("Authorization") != "Bearer "+stripeKey {
		t.Errorf("lookup request %s %s (%q)", last.Method, last.Path, last.Header.Get("Authorization"))
	}
	fake.Pay(id)
	if pay, err = s.Lookup(context.Background(), id); err != nil || pay.Status != tonegrid.PaymentPaid {
		t.Errorf("paid session = %+v, %v", pay, err)
	}
}

func TestStripeLookupStatuses(t *testing.T) {
	fake := billingtest.NewStripe(t, stripeKey)
	s := billing.NewStripe(fake.URL, stripeKey, 0)
	res, err := s.Initialize(context.Background(), initRequest("tgp-expire", 500, "EUR"))
	if err != nil {
		t.Fatal(err)
	}
	fake.Expire(res.ProviderRef)
	pay, err := s.Lookup(context.Background(), res.ProviderRef)
	if err != nil || pay.Status != tonegrid.PaymentFailed || pay.Detail != "expired/unpaid" {
		t.Errorf("expired session = %+v, %v", pay, err)
	}
	_, err = s.Lookup(context.Background(), "cs_test_unknown")
	if !errors.Is(err, billing.ErrUnknownPayment) {
		t.Errorf("unknown session: %v, want ErrUnknownPayment", err)
	}
	if pe := providerError(t, err); pe.Status != 404 || !strings.Contains(pe.Answer, "resource_missing") {
		t.Errorf("unknown session error = %+v", pe)
	}
}

func TestPaystackInitializeSendsATransaction(t *testing.T) {
	fake := billingtest.NewPaystack(t, paystackKey)
	p := billing.NewPaystack(fake.URL+"/", paystackKey, 0)
	res, err := p.Initialize(context.Background(), initRequest("tgp-ng42", 2500000, "NGN"))
	if err != nil {
		t.Fatal(err)
	}
	r := fake.Requests()[0]
	if r.Method != "POST" || r.Path != "/transaction/initialize" || r.Header.Get("Authorization") != "Bearer "+paystackKey ||
		r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s %v", r.Method, r.Path, r.Header)
	}
	for k, v := range map[string]any{"email": "payer@example.com", "amount": "2500000", "currency": "NGN",
		"reference": "tgp-ng42", "callback_url": "https://app.example.com/billing/return?reference=tgp-ng42"} {
		if r.JSON[k] != v {
			t.Errorf("json %s = %#v, want %#v", k, r.JSON[k], v)
		}
	}
	meta, _ := r.JSON["metadata"].(map[string]any)
	if meta["plan"] != "pro" || meta["cancel_action"] != "https://app.example.com/billing/return?cancelled=1" {
		t.Errorf("metadata = %v", meta)
	}
	if res.ProviderRef != "tgp-ng42" || !strings.HasPrefix(res.AuthorizationURL, "https://checkout.paystack.test/") {
		t.Errorf("result = %+v", res)
	}

	for _, tt := range []struct {
		move   func(string)
		status tonegrid.PaymentStatus
		detail string
	}{
		{func(string) {}, tonegrid.PaymentPending, "abandoned"},
		{fake.Fail, tonegrid.PaymentFailed, "failed"},
		{fake.Pay, tonegrid.PaymentPaid, "success"},
	} {
		tt.move("tgp-ng42")
		pay, err := p.Lookup(context.Background(), "tgp-ng42")
		if err != nil || pay.Status != tt.status || pay.Detail != tt.detail || pay.AmountMinor != 2500000 || pay.Currency != "NGN" || pay.Reference != "tgp-ng42" {
			t.Errorf("after %s: %+v, %v", tt.detail, pay, err)
		}
	}
	last := fake.Requests()[len(fake.Requests())-1]
	if last.Method != "GET" || last.Path != "/transaction/verify/tgp-ng42" || last.Header.Get("Authorization") != "Bearer "+paystackKey {
		t.Errorf("verify request %s %s", last.Method, last.Path)
	}
	_, err = p.Lookup(context.Background(), "tgp-nobody")
	if !errors.Is(err, billing.ErrUnknownPayment) {
		t.Errorf("unknown reference: %v, want ErrUnknownPayment", err)
	}
}

// TestProviderFailures runs both clients against answers that are not
// success: each is a *ProviderError carrying the provider's answer for the
// audit log.
func TestProviderFailures(t *testing.T) {
	type client interface {
		Initialize(context.Context, billing.InitRequest) (billing.InitResult, error)
	}
	stripeFake := billingtest.NewStripe(t, stripeKey)
	paystackFake := billingtest.NewPaystack(t, paystackKey)
	for _, tt := range []struct {
		name       string
		fake       interface{ SetMode(billingtest.Mode) }
		client     client
		mode       billingtest.Mode
		wantStatus int
		wantAnswer string
	}{
		{"stripe declined", stripeFake, billing.NewStripe(stripeFake.URL, stripeKey, 0), billingtest.Decline, 402, "card_declined"},
		{"stripe 500", stripeFake, billing.NewStripe(stripeFake.URL, stripeKey, 0), billingtest.ServerError, 500, "api_error"},
		{"stripe malformed", stripeFake, billing.NewStripe(stripeFake.URL, stripeKey, 0), billingtest.Malformed, 200, `"cs_broken"`},
		{"stripe wrong key", stripeFake, billing.NewStripe(stripeFake.URL, "sk_test_wrong", 0), billingtest.Normal, 401, "Invalid API Key"},
		{"paystack declined", paystackFake, billing.NewPaystack(paystackFake.URL, paystackKey, 0), billingtest.Decline, 400, "Currency not supported"},
		{"paystack 500", paystackFake, billing.NewPaystack(paystackFake.URL, paystackKey, 0), billingtest.ServerError, 500, "An error occurred"},
		{"paystack malformed", paystackFake, billing.NewPaystack(paystackFake.URL, paystackKey, 0), billingtest.Malformed, 200, "502 Bad Gateway"},
		{"paystack wrong key", paystackFake, billing.NewPaystack(paystackFake.URL, "sk_test_wrong", 0), billingtest.Normal, 401, "Invalid key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.fake.SetMode(tt.mode)
			defer tt.fake.SetMode(billingtest.Normal)
			_, err := tt.client.Initialize(context.Background(), initRequest("tgp-fail", 1999, "USD"))
			pe := providerError(t, err)
			if pe.Status != tt.wantStatus || !strings.Contains(pe.Answer, tt.wantAnswer) || pe.Op != "initialize" {
				t.Errorf("error = %+v, want status %d and answer containing %q", pe, tt.wantStatus, tt.wantAnswer)
			}
			d := billing.AuditDetails(err)
			if d["provider_status"] == "" || !strings.Contains(d["provider_answer"], tt.wantAnswer) {
				t.Errorf("audit details = %v", d)
			}
		})
	}
}

func TestProvidersTimeOutAndNeedKeys(t *testing.T) {
	stripeFake := billingtest.NewStripe(t, stripeKey)
	paystackFake := billingtest.NewPaystack(t, paystackKey)
	stripeFake.SetMode(billingtest.Hang)
	paystackFake.SetMode(billingtest.Hang)
	for _, p := range []billing.Provider{
		billing.NewStripe(stripeFake.URL, stripeKey, 200*time.Millisecond),
		billing.NewPaystack(paystackFake.URL, paystackKey, 200*time.Millisecond),
	} {
		_, err := p.Initialize(context.Background(), initRequest("tgp-hang", 100, "USD"))
		if pe := providerError(t, err); pe.Status != 0 || !strings.Contains(pe.Answer, "Client.Timeout") {
			t.Errorf("%s hanging: %+v", p.Name(), pe)
		}
		_, err = p.Lookup(context.Background(), "tgp-hang")
		if pe := providerError(t, err); pe.Status != 0 || pe.Op != "lookup" {
			t.Errorf("%s hanging lookup: %+v", p.Name(), pe)
		}
	}
	before := len(stripeFake.Requests()) + len(paystackFake.Requests())
	for _, p := range []billing.Provider{billing.NewStripe(stripeFake.URL, "", 0), billing.NewPaystack(paystackFake.URL, "", 0)} {
		if _, err := p.Initialize(context.Background(), initRequest("tgp-nokey", 100, "USD")); !errors.Is(err, billing.ErrNotConfigured) {
			t.Errorf("%s without key: %v", p.Name(), err)
		}
		if _, err := p.Lookup(context.Background(), "tgp-nokey"); !errors.Is(err, billing.ErrNotConfigured) {
			t.Errorf("%s lookup without key: %v", p.Name(), err)
		}
	}
	if after := len(stripeFake.Requests()) + len(paystackFake.Requests()); after != before {
		t.Errorf("clients without keys made %d requests", after-before)
	}
}

func TestMinorAmount(t *testing.T) {
	for _, tt := range []struct {
		price, currency string
		want            int64
		ok              bool
	}{
		{"19.99", "USD", 1999, true},
		{"0.00", "USD", 0, true},
		{"25000.00", "NGN", 2500000, true},
		{"990", "USD", 99000, true},
		{"1500", "JPY", 1500, true},
		{"12.345", "KWD", 12345, true},
		{"19.999", "USD", 0, false},
		{"1.5", "JPY", 0, false},
		{"10.00", "XXX", 0, false},
		{"-1.00", "USD", 0, false},
		{"1e3", "USD", 0, false},
		{"99999999999999999999.00", "USD", 0, false},
	} {
		got, err := billing.MinorAmount(tt.price, tt.currency)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("MinorAmount(%s, %s) = %d, %v; want %d, ok=%v", tt.price, tt.currency, got, err, tt.want, tt.ok)
		}
	}
}

// TestPaystackErrorShapes checks the answers Paystack gives besides the
// happy path: status false inside a 200 is an error too.
func TestPaystackErrorShapes(t *testing.T) {
	for _, tt := range []struct {
		name    string
		status  int
		body    string
		unknown bool
	}{
		{"status false in a 200", 200, `{"status": false, "message": "Invalid key"}`, false},
		{"not found by code", 400, `{"status": false, "message": "Transaction reference not found", "code": "transaction_not_found"}`, true},
		{"plain 404", 404, `{"status": false, "message": "Transaction reference not found"}`, true},
		{"data of the wrong type", 200, `{"status": true, "message": "ok", "data": "nope"}`, false},
		{"empty body", 200, ``, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newStaticServer(t, tt.status, tt.body)
			_, err := billing.NewPaystack(srv, paystackKey, 0).Lookup(context.Background(), "tgp-x")
			if err == nil || errors.Is(err, billing.ErrUnknownPayment) != tt.unknown {
				t.Errorf("err = %v, unknown want %v", err, tt.unknown)
			}
			providerError(t, err)
		})
	}
}

// newStaticServer answers every request with status and body.
func newStaticServer(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
