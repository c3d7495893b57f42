package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tonegrid/app"
	"tonegrid/app/apptest"
	"tonegrid/billing"
	"tonegrid/billing/billingtest"
	"tonegrid/sqlstore/sqltest"
)

const (
	testStripeKey   = "sk_test_tonegrid_stripe_42"
	testWhsec       = "whsec_tonegrid_test_42"
	testPaystackKey = "sk_test_tonegrid_paystack_42"
)

// Exact texts of the billing errors.
const (
	msgPaymentFailed     = "Payment verification failed."
	msgPlanFree          = "This plan is free — no payment required."
	msgPaymentInitFailed = "Payment initialization failed."
	msgProviderDown      = "Payment provider unavailable. Please try again later."
	msgSignatureInvalid  = "Invalid webhook signature."
	msgSignatureStale    = "Webhook signature timestamp is outside the 300-second tolerance."
)

// billingEnv is a server wired to fake Stripe and Paystack APIs of its own.
type billingEnv struct {
	srv      *apptest.Server
	stripe   *billingtest.Stripe
	paystack *billingtest.Paystack
}

// eachBilling runs fn on each dialect with a fresh server and fresh fake
// providers; configure may change the configuration after the fakes are
// wired in.
func eachBilling(t *testing.T, fn func(t *testing.T, env *billingEnv), configure ...func(*app.Config)) {
	t.Helper()
	for _, d := range sqltest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			env := &billingEnv{stripe: billingtest.NewStripe(t, testStripeKey), paystack: billingtest.NewPaystack(t, testPaystackKey)}
			env.srv = apptest.New(t, d, apptest.WithConfig(func(c *app.Config) {
				c.StripeAPIBase, c.StripeSecretKey, c.StripeWebhookSecret = env.stripe.URL, testStripeKey, testWhsec
				c.PaystackAPIBase, c.PaystackSecretKey = env.paystack.URL, testPaystackKey
				for _, f := range configure {
					f(c)
				}
			}))
			fn(t, env)
		})
	}
}

type planBody struct {
	Slug     string          `json:"slug"`
	Name     string          `json:"name"`
	Price    string          `json:"price"`
	Currency string          `json:"currency"`
	Interval string          `json:"interval"`
	IsFree   bool            `json:"is_free"`
	Limits   map[string]*int `json:"limits"`
}

type subscriptionBody struct {
	Plan             planBody   `json:"plan"`
	Status           string     `json:"status"`
	Provider         string     `json:"provider"`
	Reference        string     `json:"reference"`
	StartedAt        *time.Time `json:"started_at"`
	CurrentPeriodEnd *time.Time `json:"current_period_end"`
}

type checkoutBody struct {
	AuthorizationURL string `json:"authorization_url"`
	Reference        string `json:"reference"`
}

type billingAuditEntry struct {
	Action     string            `json:"action"`
	ActorEmail string            `json:"actor_email"`
	TargetUUID string            `json:"target_uuid"`
	Details    map[string]string `json:"details"`
}

func (e *billingEnv) subscription(t *testing.T, token string) subscriptionBody {
	t.Helper()
	var s subscriptionBody
	e.srv.Get("/api/billing/subscription", token).Data(t, http.StatusOK, &s)
	return s
}

func (e *billingEnv) checkout(t *testing.T, token, plan, provider string) checkoutBody {
	t.Helper()
	var c checkoutBody
	e.srv.Post("/api/billing/checkout", token, map[string]string{"plan": plan, "provider": provider}).Data(t, http.StatusCreated, &c)
	if !strings.HasPrefix(c.Reference, "tgp-") || c.AuthorizationURL == "" {
		t.Fatalf("checkout = %+v", c)
	}
	return c
}

func (e *billingEnv) verify(token, reference string) *apptest.Response {
	return e.srv.Post("/api/billing/verify", token, map[string]string{"reference": reference})
}

// stripeWebhook posts body as Stripe would, signed with secret at time at.
func (e *billingEnv) stripeWebhook(body []byte, secret string, at time.Time) *apptest.Response {
	h := http.Header{}
	h.Set("Stripe-Signature", billing.SignStripe(secret, at, body))
	return e.srv.Do(apptest.Request{Method: "POST", Path: "/api/billing/webhooks/stripe", Body: body, Header: h})
}

// paystackWebhook posts body as Paystack would, signed with key.
func (e *billingEnv) paystackWebhook(body []byte, key string) *apptest.Response {
	h := http.Header{}
	h.Set("x-paystack-signature", billing.SignPaystack(key, body))
	return e.srv.Do(apptest.Request{Method: "POST", Path: "/api/billing/webhooks/paystack", Body: body, Header: h})
}

// audit lists the tenant's audit entries with action, newest first.
func (e *billingEnv) audit(t *testing.T, token, action string) []billingAuditEntry {
	t.Helper()
	var entries []billingAuditEntry
	e.srv.Get("/api/audit-log?per_page=100&action="+action, token).Data(t, http.StatusOK, &entries)
	return entries
}

// activations counts the plan activations the tenant's audit log records
// for a checkout reference.
func (e *billingEnv) activations(t *testing.T, token, reference string) int {
	t.Helper()
	n := 0
	for _, a := range e.audit(t, token, "billing.plan_activated") {
		if a.Details["reference"] == reference {
			n++
		}
	}
	return n
}

// paidPlan checks that sub is plan, paid through provider with reference,
// for one interval from its start.
func paidPlan(t *testing.T, sub subscriptionBody, plan, provider, reference string, intervals int) {
	t.Helper()
	if sub.Plan.Slug != plan || sub.Status != "active" || sub.Provider != provider || sub.Reference != reference ||
		sub.StartedAt == nil || sub.CurrentPeriodEnd == nil {
		t.Fatalf("subscription = %+v, want %s paid with %s %s", sub, plan, provider, reference)
	}
	end := *sub.StartedAt
	for range intervals {
		if sub.Plan.Interval == "year" {
			end = end.AddDate(1, 0, 0)
		} else {
			end = end.AddDate(0, 1, 0)
		}
	}
	if !sub.CurrentPeriodEnd.Equal(end) {
		t.Errorf("current_period_end %v, want %v (%d %s from %v)", sub.CurrentPeriodEnd, end, intervals, sub.Plan.Interval, sub.StartedAt)
	}
}

func TestBillingPlansArePublic(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		var plans []planBody
		env.srv.Get("/api/billing/plans", "").Data(t, http.StatusOK, &plans)
		n := func(v int) *int { return &v }
		want := []planBody{
			{"free", "Free", "0.00", "USD", "month", true, map[string]*int{"releases_per_year": n(12), "dsps": n(4), "team_seats": n(5), "webhooks": n(1)}},
			{"pro", "Pro", "19.99", "USD", "month", false, map[string]*int{"releases_per_year": n(100), "dsps": nil, "team_seats": n(10), "webhooks": n(5)}},
			{"pro-ngn", "Pro (NGN)", "25000.00", "NGN", "month", false, map[string]*int{"releases_per_year": n(100), "dsps": nil, "team_seats": n(10), "webhooks": n(5)}},
			{"label", "Label", "990.00", "USD", "year", false, map[string]*int{"releases_per_year": nil, "dsps": nil, "team_seats": n(50), "webhooks": n(25)}},
		}
		if len(plans) != len(want) {
			t.Fatalf("%d plans, want %d: %+v", len(plans), len(want), plans)
		}
		for i, w := range want {
			g := plans[i]
			if g.Slug != w.Slug || g.Name != w.Name || g.Price != w.Price || g.Currency != w.Currency || g.Interval != w.Interval || g.IsFree != w.IsFree {
				t.Errorf("plan %d = %+v, want %+v", i, g, w)
			}
			for k, wv := range w.Limits {
				gv, ok := g.Limits[k]
				if !ok || (gv == nil) != (wv == nil) || (gv != nil && *gv != *wv) {
					t.Errorf("plan %s limit %s = %v, want %v", w.Slug, k, gv, wv)
				}
			}
		}
	})
}

func TestSubscriptionDefaultsToFree(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Free Label")
		sub := env.subscription(t, a.Token)
		if sub.Plan.Slug != "free" || !sub.Plan.IsFree || sub.Status != "active" || sub.Provider != "" || sub.StartedAt != nil || sub.CurrentPeriodEnd != nil {
			t.Errorf("default subscription = %+v", sub)
		}
		// Any member reads it; only billing:manage buys.
		staff := inviteAndAccept(t, env.srv, a, "staff")
		if s := env.subscription(t, staff.Token); s.Plan.Slug != "free" {
			t.Errorf("staff sees %+v", s)
		}
		env.srv.Post("/api/billing/checkout", staff.Token, map[string]string{"plan": "pro", "provider": "stripe"}).
			ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
		env.srv.Post("/api/billing/verify", staff.Token, map[string]string{"reference": "tgp-x"}).
			ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
		env.srv.Get("/api/billing/subscription", "").ExpectError(t, http.StatusUnauthorized, "token_missing", "Authentication token is missing.")
		if len(env.stripe.Requests())+len(env.paystack.Requests()) != 0 {
			t.Error("providers were called")
		}
	})
}

func TestCheckoutValidation(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Validating Label")
		for _, tt := range []struct {
			body   any
			fields []string
		}{
			{map[string]string{"provider": "stripe"}, []string{"plan"}},
			{map[string]string{"plan": "platinum", "provider": "stripe"}, []string{"plan"}},
			{map[string]string{"plan": "pro", "provider": "paypal"}, []string{"provider"}},
			{map[string]string{"plan": "pro"}, []string{"provider"}},
			{map[string]string{"plan": "platinum"}, []string{"plan", "provider"}},
		} {
			e := env.srv.Post("/api/billing/checkout", a.Token, tt.body).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			for _, f := range tt.fields {
				if len(e.Errors[f]) == 0 {
					t.Errorf("%v: no error on %s: %v", tt.body, f, e.Errors)
				}
			}
			if len(e.Errors) != len(tt.fields) {
				t.Errorf("%v: errors %v, want only %v", tt.body, e.Errors, tt.fields)
			}
		}
		env.srv.Post("/api/billing/checkout", a.Token, `{"plan": 1}`).ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")
		env.srv.Post("/api/billing/verify", a.Token, map[string]string{}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(env.stripe.Requests())+len(env.paystack.Requests()) != 0 {
			t.Error("providers were called for invalid checkouts")
		}
	})
}

func TestStripeCheckoutAndVerify(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Stripe Label")
		c := env.checkout(t, a.Token, "pro", "stripe")
		reqs := env.stripe.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d Stripe requests, want 1", len(reqs))
		}
		r := reqs[0]
		id := env.stripe.SessionFor(c.Reference)
		if r.Method != "POST" || r.Path != "/v1/checkout/sessions" || r.Header.Get("Authorization") != "Bearer "+testStripeKey ||
			r.Form.Get("line_items[0][price_data][unit_amount]") != "1999" || r.Form.Get("line_items[0][price_data][currency]") != "usd" ||
			r.Form.Get("client_reference_id") != c.Reference || r.Form.Get("customer_email") != a.Email ||
			r.Form.Get("metadata[tenant_uuid]") != a.TenantUUID || r.Form.Get("mode") != "payment" ||
			!strings.HasSuffix(r.Form.Get("success_url"), "/billing/return?reference="+c.Reference) {
			t.Errorf("Stripe got %s %s %v", r.Method, r.Path, r.Form)
		}
		if id == "" || c.AuthorizationURL != "https://checkout.stripe.test/c/pay/"+id {
			t.Errorf("authorization_url %q for session %q", c.AuthorizationURL, id)
		}
		if got := env.audit(t, a.Token, "billing.checkout_started"); len(got) != 1 || got[0].Details["reference"] != c.Reference {
			t.Errorf("checkout_started entries = %+v", got)
		}

		// Not paid yet: 402, and nothing changes.
		env.verify(a.Token, c.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		if s := env.subscription(t, a.Token); s.Plan.Slug != "free" {
			t.Fatalf("unpaid checkout activated %+v", s)
		}

		env.stripe.Pay(id)
		var sub subscriptionBody
		env.verify(a.Token, c.Reference).Data(t, http.StatusOK, &sub)
		paidPlan(t, sub, "pro", "stripe", c.Reference, 1)
		if got := env.subscription(t, a.Token); got.Reference != c.Reference || !got.CurrentPeriodEnd.Equal(*sub.CurrentPeriodEnd) {
			t.Errorf("GET subscription = %+v", got)
		}
		calls := len(env.stripe.Requests())
		// Verifying again answers the same subscription without asking
		// Stripe or activating twice.
		var again subscriptionBody
		env.verify(a.Token, c.Reference).Data(t, http.StatusOK, &again)
		paidPlan(t, again, "pro", "stripe", c.Reference, 1)
		if len(env.stripe.Requests()) != calls {
			t.Error("a paid checkout was verified with Stripe again")
		}
		if n := env.activations(t, a.Token, c.Reference); n != 1 {
			t.Errorf("%d activations, want 1", n)
		}

		// Paying for the running plan again extends it by one interval.
		c2 := env.checkout(t, a.Token, "pro", "stripe")
		env.stripe.Pay(env.stripe.SessionFor(c2.Reference))
		env.verify(a.Token, c2.Reference).Data(t, http.StatusOK, &sub)
		paidPlan(t, sub, "pro", "stripe", c2.Reference, 2)
	})
}

func TestPaystackCheckoutAndVerify(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Paystack Label")
		c := env.checkout(t, a.Token, "pro-ngn", "paystack")
		r := env.paystack.Requests()[0]
		if r.Method != "POST" || r.Path != "/transaction/initialize" || r.Header.Get("Authorization") != "Bearer "+testPaystackKey ||
			r.JSON["amount"] != "2500000" || r.JSON["currency"] != "NGN" || r.JSON["reference"] != c.Reference || r.JSON["email"] != a.Email {
			t.Errorf("Paystack got %s %s %v", r.Method, r.Path, r.JSON)
		}
		if !strings.HasPrefix(c.AuthorizationURL, "https://checkout.paystack.test/") {
			t.Errorf("authorization_url %q", c.AuthorizationURL)
		}
		// A fresh transaction is "abandoned" until paid.
		env.verify(a.Token, c.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		last := env.paystack.Requests()[1]
		if last.Method != "GET" || last.Path != "/transaction/verify/"+c.Reference {
			t.Errorf("verify request %s %s", last.Method, last.Path)
		}
		env.paystack.Pay(c.Reference)
		var sub subscriptionBody
		env.verify(a.Token, c.Reference).Data(t, http.StatusOK, &sub)
		paidPlan(t, sub, "pro-ngn", "paystack", c.Reference, 1)

		// A failed transaction stays failed.
		failed := env.checkout(t, a.Token, "label", "paystack")
		env.paystack.Fail(failed.Reference)
		env.verify(a.Token, failed.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		if got := env.audit(t, a.Token, "billing.payment_failed"); len(got) != 1 || got[0].Details["reason"] != "failed" {
			t.Errorf("payment_failed entries = %+v", got)
		}
		calls := len(env.paystack.Requests())
		env.paystack.Pay(failed.Reference)
		env.verify(a.Token, failed.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		if len(env.paystack.Requests()) != calls {
			t.Error("a failed checkout was verified with Paystack again")
		}
		if s := env.subscription(t, a.Token); s.Plan.Slug != "pro-ngn" {
			t.Errorf("subscription after a failed checkout = %+v", s)
		}
	})
}

func TestFreePlanCheckoutActivatesAtOnce(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Downgrading Label")
		c := env.checkout(t, a.Token, "label", "stripe")
		env.stripe.Pay(env.stripe.SessionFor(c.Reference))
		env.verify(a.Token, c.Reference).ExpectStatus(t, http.StatusOK)

		// The free plan needs no provider and no payment.
		env.srv.Post("/api/billing/checkout", a.Token, map[string]string{"plan": "free"}).
			ExpectError(t, http.StatusUnprocessableEntity, "plan_free", msgPlanFree)
		sub := env.subscription(t, a.Token)
		if sub.Plan.Slug != "free" || sub.Provider != "" || sub.Reference != "" || sub.StartedAt == nil || sub.CurrentPeriodEnd != nil {
			t.Errorf("after choosing free: %+v", sub)
		}
		env.srv.Post("/api/billing/checkout", a.Token, map[string]string{"plan": "free", "provider": "paystack"}).
			ExpectError(t, http.StatusUnprocessableEntity, "plan_free", msgPlanFree)
		if len(env.paystack.Requests()) != 0 || len(env.stripe.Requests()) != 2 {
			t.Errorf("providers called %d/%d times", len(env.stripe.Requests()), len(env.paystack.Requests()))
		}
		var plans []string
		for _, e := range env.audit(t, a.Token, "billing.plan_activated") {
			plans = append(plans, e.Details["plan"])
		}
		if strings.Join(plans, ",") != "free,free,label" {
			t.Errorf("activations (newest first) = %v", plans)
		}
	})
}

// TestCheckoutProviderFailures makes each provider fail in each way at
// checkout: the client hears 502 and nothing more, the audit log keeps the
// provider's answer, and no checkout is stored.
func TestCheckoutProviderFailures(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Failing Label")
		for _, tt := range []struct {
			provider, plan string
			fake           interface{ SetMode(billingtest.Mode) }
			mode           billingtest.Mode
			answer         string
		}{
			{"stripe", "pro", env.stripe, billingtest.Decline, "card_declined"},
			{"stripe", "pro", env.stripe, billingtest.ServerError, "Something went wrong on Stripe"},
			{"stripe", "pro", env.stripe, billingtest.Malformed, "cs_broken"},
			{"stripe", "pro", env.stripe, billingtest.Hang, "Client.Timeout"},
			{"paystack", "pro-ngn", env.paystack, billingtest.Decline, "Currency not supported by merchant"},
			{"paystack", "pro-ngn", env.paystack, billingtest.ServerError, "An error occurred"},
			{"paystack", "pro-ngn", env.paystack, billingtest.Malformed, "502 Bad Gateway"},
			{"paystack", "pro-ngn", env.paystack, billingtest.Hang, "Client.Timeout"},
		} {
			tt.fake.SetMode(tt.mode)
			resp := env.srv.Post("/api/billing/checkout", a.Token, map[string]string{"plan": tt.plan, "provider": tt.provider})
			resp.ExpectError(t, http.StatusBadGateway, "payment_init_failed", msgPaymentInitFailed)
			tt.fake.SetMode(billingtest.Normal)
			if bytes.Contains(resp.Body, []byte(tt.answer)) {
				t.Errorf("%s mode %d: the client sees the provider's answer: %s", tt.provider, tt.mode, resp.Body)
			}
			got := env.audit(t, a.Token, "billing.checkout_failed")
			if len(got) == 0 || got[0].Details["provider"] != tt.provider || got[0].Details["plan"] != tt.plan ||
				!strings.Contains(got[0].Details["provider_answer"], tt.answer) || got[0].ActorEmail != a.Email {
				t.Errorf("%s mode %d: newest checkout_failed entry = %+v, want the answer %q", tt.provider, tt.mode, got, tt.answer)
			}
		}
		if got := env.audit(t, a.Token, "billing.checkout_failed"); len(got) != 8 {
			t.Errorf("%d checkout_failed entries, want 8", len(got))
		}
		if got := env.audit(t, a.Token, "billing.checkout_started"); len(got) != 0 {
			t.Errorf("failed checkouts were stored: %+v", got)
		}
	}, func(c *app.Config) { c.ProviderTimeout = 500 * time.Millisecond })
}

func TestCheckoutWithoutProviderKeys(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Keyless Label")
		for _, tt := range []struct{ plan, provider string }{{"pro", "stripe"}, {"pro-ngn", "paystack"}} {
			env.srv.Post("/api/billing/checkout", a.Token, map[string]string{"plan": tt.plan, "provider": tt.provider}).
				ExpectError(t, http.StatusBadGateway, "payment_init_failed", msgPaymentInitFailed)
			got := env.audit(t, a.Token, "billing.checkout_failed")
			if len(got) == 0 || got[0].Details["provider"] != tt.provider || got[0].Details["error"] != "secret key not configured" {
				t.Errorf("%s: checkout_failed entries = %+v", tt.provider, got)
			}
		}
		if len(env.stripe.Requests())+len(env.paystack.Requests()) != 0 {
			t.Error("providers were called without keys")
		}
	}, func(c *app.Config) { c.StripeSecretKey, c.PaystackSecretKey = "", "" })
}

func TestVerifyFailures(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Verifying Label")
		b := env.srv.Label(t, "Other Label")

		env.verify(a.Token, "tgp-doesnotexist").ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)

		// Another tenant's reference is unknown to the caller, paid or
		// not, and the provider is not asked.
		c := env.checkout(t, a.Token, "pro", "stripe")
		id := env.stripe.SessionFor(c.Reference)
		calls := len(env.stripe.Requests())
		env.verify(b.Token, c.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		env.stripe.Pay(id)
		env.verify(b.Token, c.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		if len(env.stripe.Requests()) != calls {
			t.Error("another tenant's reference was looked up at Stripe")
		}
		if s := env.subscription(t, b.Token); s.Plan.Slug != "free" {
			t.Errorf("B's subscription = %+v", s)
		}
		if s := env.subscription(t, a.Token); s.Plan.Slug != "free" {
			t.Errorf("A's subscription changed when B verified: %+v", s)
		}

		// The provider cannot answer: 502, its answer audited, nothing
		// changed; once it answers again the payment verifies.
		env.stripe.SetMode(billingtest.ServerError)
		resp := env.verify(a.Token, c.Reference)
		resp.ExpectError(t, http.StatusBadGateway, "payment_provider_unavailable", msgProviderDown)
		env.stripe.SetMode(billingtest.Normal)
		if bytes.Contains(resp.Body, []byte("Stripe's end")) {
			t.Errorf("the client sees the provider's answer: %s", resp.Body)
		}
		if got := env.audit(t, a.Token, "billing.verify_failed"); len(got) != 1 || !strings.Contains(got[0].Details["provider_answer"], "api_error") {
			t.Errorf("verify_failed entries = %+v", got)
		}
		var sub subscriptionBody
		env.verify(a.Token, c.Reference).Data(t, http.StatusOK, &sub)
		paidPlan(t, sub, "pro", "stripe", c.Reference, 1)

		// Paid, but not the plan's amount or currency: refused for good.
		for _, tamper := range []struct {
			amount   int64
			currency string
		}{{1000, "usd"}, {1999, "eur"}} {
			m := env.checkout(t, a.Token, "label", "stripe")
			mid := env.stripe.SessionFor(m.Reference)
			env.stripe.Tamper(mid, tamper.amount, tamper.currency)
			env.stripe.Pay(mid)
			env.verify(a.Token, m.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
			env.stripe.Tamper(mid, 99000, "usd")
			env.verify(a.Token, m.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		}
		if got := env.audit(t, a.Token, "billing.payment_mismatch"); len(got) != 2 || got[0].Details["reason"] != "paid 1999 EUR, expected 99000 USD" ||
			got[1].Details["reason"] != "paid 1000 USD, expected 99000 USD" {
			t.Errorf("payment_mismatch entries = %+v", got)
		}

		// An expired session, and one Stripe does not know, fail.
		x := env.checkout(t, a.Token, "label", "stripe")
		env.stripe.Expire(env.stripe.SessionFor(x.Reference))
		env.verify(a.Token, x.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		if s := env.subscription(t, a.Token); s.Plan.Slug != "pro" || s.Reference != c.Reference {
			t.Errorf("subscription after failures = %+v", s)
		}
	})
}

func TestCheckoutWithAPIKey(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Keyed Label")
		key := apiKey(t, env.srv, a, "billing:manage")
		c := env.checkout(t, key, "pro-ngn", "paystack")
		// A key has no email of its own: the receipt goes to the admin.
		if got := env.paystack.Requests()[0].JSON["email"]; got != a.Email {
			t.Errorf("payer email %v, want %s", got, a.Email)
		}
		env.paystack.Pay(c.Reference)
		var sub subscriptionBody
		env.verify(key, c.Reference).Data(t, http.StatusOK, &sub)
		paidPlan(t, sub, "pro-ngn", "paystack", c.Reference, 1)
		readOnly := apiKey(t, env.srv, a, "catalog:read")
		env.srv.Post("/api/billing/checkout", readOnly, map[string]string{"plan": "pro", "provider": "stripe"}).
			ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
	})
}

func TestStripeWebhook(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Hooked Label")
		c := env.checkout(t, a.Token, "pro", "stripe")
		id := env.stripe.SessionFor(c.Reference)
		env.stripe.Pay(id)
		body := env.stripe.Event("evt_1PaidAbc", "checkout.session.completed", id)
		now := time.Now()

		// Nothing changes for a bad, missing, stale or future signature.
		env.stripeWebhook(body, "whsec_wrong", now).ExpectError(t, http.StatusBadRequest, "webhook_signature_invalid", msgSignatureInvalid)
		env.srv.Do(apptest.Request{Method: "POST", Path: "/api/billing/webhooks/stripe", Body: body}).
			ExpectError(t, http.StatusBadRequest, "webhook_signature_invalid", msgSignatureInvalid)
		tampered := bytes.Replace(body, []byte(`"amount_total":1999`), []byte(`"amount_total":1`), 1)
		h := http.Header{}
		h.Set("Stripe-Signature", billing.SignStripe(testWhsec, now, body))
		env.srv.Do(apptest.Request{Method: "POST", Path: "/api/billing/webhooks/stripe", Body: tampered, Header: h}).
			ExpectError(t, http.StatusBadRequest, "webhook_signature_invalid", msgSignatureInvalid)
		env.stripeWebhook(body, testWhsec, now.Add(-301*time.Second)).ExpectError(t, http.StatusBadRequest, "webhook_signature_stale", msgSignatureStale)
		env.stripeWebhook(body, testWhsec, now.Add(10*time.Minute)).ExpectError(t, http.StatusBadRequest, "webhook_signature_stale", msgSignatureStale)
		if s := env.subscription(t, a.Token); s.Plan.Slug != "free" {
			t.Fatalf("a rejected webhook changed the subscription: %+v", s)
		}

		var got struct {
			Received bool `json:"received"`
		}
		env.stripeWebhook(body, testWhsec, now).Data(t, http.StatusOK, &got)
		if !got.Received {
			t.Error("received = false")
		}
		first := env.subscription(t, a.Token)
		paidPlan(t, first, "pro", "stripe", c.Reference, 1)

		// Replays, a second event about the same payment, and a later
		// verification change nothing.
		env.stripeWebhook(body, testWhsec, now).ExpectStatus(t, http.StatusOK)
		env.stripeWebhook(body, testWhsec, now.Add(time.Second)).ExpectStatus(t, http.StatusOK)
		env.stripeWebhook(env.stripe.Event("evt_2AsyncAbc", "checkout.session.async_payment_succeeded", id), testWhsec, now).ExpectStatus(t, http.StatusOK)
		calls := len(env.stripe.Requests())
		var sub subscriptionBody
		env.verify(a.Token, c.Reference).Data(t, http.StatusOK, &sub)
		paidPlan(t, sub, "pro", "stripe", c.Reference, 1)
		if len(env.stripe.Requests()) != calls {
			t.Error("verification after the webhook asked Stripe")
		}
		if n := env.activations(t, a.Token, c.Reference); n != 1 {
			t.Errorf("%d activations, want 1", n)
		}
		if s := env.subscription(t, a.Token); !s.CurrentPeriodEnd.Equal(*first.CurrentPeriodEnd) {
			t.Errorf("period moved from %v to %v", first.CurrentPeriodEnd, s.CurrentPeriodEnd)
		}

		// Events ToneGrid ignores are acknowledged; a signed body that is
		// not JSON is a 400.
		env.stripeWebhook([]byte(`{"id":"evt_3","object":"event","type":"customer.created","data":{"object":{"id":"cus_1"}}}`), testWhsec, now).
			ExpectStatus(t, http.StatusOK)
		env.stripeWebhook([]byte(`{"id":"evt_4","type":"checkout.session.completed","data":`), testWhsec, now).
			ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")

		// A body past the limit is refused before its signature is read.
		big := append([]byte(`{"id":"evt_big","type":"customer.created","pad":"`), bytes.Repeat([]byte("x"), 1<<20)...)
		big = append(big, `"}`...)
		env.stripeWebhook(big, testWhsec, now).
			ExpectError(t, http.StatusRequestEntityTooLarge, "body_too_large", "Request body exceeds the maximum allowed size of 1 MB.")

		// An expired session's event fails its checkout: verifying it is
		// a 402 without asking Stripe.
		x := env.checkout(t, a.Token, "label", "stripe")
		xid := env.stripe.SessionFor(x.Reference)
		env.stripe.Expire(xid)
		env.stripeWebhook(env.stripe.Event("evt_5ExpiredAbc", "checkout.session.expired", xid), testWhsec, now).ExpectStatus(t, http.StatusOK)
		calls = len(env.stripe.Requests())
		env.verify(a.Token, x.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
		if len(env.stripe.Requests()) != calls {
			t.Error("a checkout failed by webhook was verified with Stripe")
		}

		// A paid event whose amount is not the plan's price activates
		// nothing, and fails the checkout.
		m := env.checkout(t, a.Token, "label", "stripe")
		mid := env.stripe.SessionFor(m.Reference)
		env.stripe.Tamper(mid, 100, "usd")
		env.stripe.Pay(mid)
		env.stripeWebhook(env.stripe.Event("evt_6CheapAbc", "checkout.session.completed", mid), testWhsec, now).ExpectStatus(t, http.StatusOK)
		if s := env.subscription(t, a.Token); s.Plan.Slug != "pro" {
			t.Errorf("an underpaid event activated %+v", s)
		}
		env.verify(a.Token, m.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)

		// A session that is not ToneGrid's, or an unknown reference, is
		// acknowledged and ignored.
		env.stripeWebhook([]byte(`{"id":"evt_7","type":"checkout.session.completed","data":{"object":{"id":"cs_x","client_reference_id":"tgp-unknown","payment_status":"paid","amount_total":1999,"currency":"usd"}}}`),
			testWhsec, now).ExpectStatus(t, http.StatusOK)
	})
}

func TestStripeWebhookWithoutSecret(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		body := []byte(`{"id":"evt_1","type":"customer.created","data":{"object":{}}}`)
		env.stripeWebhook(body, "", time.Now()).ExpectError(t, http.StatusBadRequest, "webhook_signature_invalid", msgSignatureInvalid)
	}, func(c *app.Config) { c.StripeWebhookSecret = "" })
}

func TestPaystackWebhook(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Paystack Hooked")
		c := env.checkout(t, a.Token, "pro-ngn", "paystack")
		env.paystack.Pay(c.Reference)
		body := env.paystack.Event(c.Reference)

		env.paystackWebhook(body, "sk_test_wrong").ExpectError(t, http.StatusBadRequest, "webhook_signature_invalid", msgSignatureInvalid)
		env.srv.Do(apptest.Request{Method: "POST", Path: "/api/billing/webhooks/paystack", Body: body}).
			ExpectError(t, http.StatusBadRequest, "webhook_signature_invalid", msgSignatureInvalid)
		h := http.Header{}
		h.Set("x-paystack-signature", billing.SignPaystack(testPaystackKey, body))
		env.srv.Do(apptest.Request{Method: "POST", Path: "/api/billing/webhooks/paystack", Body: append(body, ' '), Header: h}).
			ExpectError(t, http.StatusBadRequest, "webhook_signature_invalid", msgSignatureInvalid)
		if s := env.subscription(t, a.Token); s.Plan.Slug != "free" {
			t.Fatalf("a rejected webhook changed the subscription: %+v", s)
		}

		env.paystackWebhook(body, testPaystackKey).ExpectStatus(t, http.StatusOK)
		first := env.subscription(t, a.Token)
		paidPlan(t, first, "pro-ngn", "paystack", c.Reference, 1)
		env.paystackWebhook(body, testPaystackKey).ExpectStatus(t, http.StatusOK)
		calls := len(env.paystack.Requests())
		var sub subscriptionBody
		env.verify(a.Token, c.Reference).Data(t, http.StatusOK, &sub)
		paidPlan(t, sub, "pro-ngn", "paystack", c.Reference, 1)
		if len(env.paystack.Requests()) != calls {
			t.Error("verification after the webhook asked Paystack")
		}
		if n := env.activations(t, a.Token, c.Reference); n != 1 {
			t.Errorf("%d activations, want 1", n)
		}

		env.paystackWebhook([]byte(`{"event":"transfer.success","data":{"reference":"TRF_1"}}`), testPaystackKey).ExpectStatus(t, http.StatusOK)
		env.paystackWebhook([]byte(`{"event":"charge.success","data":{"id":9}}`), testPaystackKey).
			ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")

		// An underpaid charge activates nothing.
		m := env.checkout(t, a.Token, "pro-ngn", "paystack")
		env.paystack.Tamper(m.Reference, 100, "NGN")
		env.paystack.Pay(m.Reference)
		env.paystackWebhook(env.paystack.Event(m.Reference), testPaystackKey).ExpectStatus(t, http.StatusOK)
		if n := env.activations(t, a.Token, m.Reference); n != 0 {
			t.Errorf("underpaid charge activated %d times", n)
		}
		env.verify(a.Token, m.Reference).ExpectError(t, http.StatusPaymentRequired, "payment_failed", msgPaymentFailed)
	})
}

// TestVerifyAndWebhooksRace sends, for each of several paid checkouts
// (Stripe and Paystack in turn), a verification and two deliveries of the
// provider's event at the same time: all three succeed and each checkout
// activates its plan exactly once.
func TestVerifyAndWebhooksRace(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Racing Label")
		const rounds = 4
		var refs []string
		for i := range rounds {
			provider, plan := "stripe", "pro"
			if i%2 == 1 {
				provider, plan = "paystack", "pro-ngn"
			}
			c := env.checkout(t, a.Token, plan, provider)
			refs = append(refs, c.Reference)
			var body []byte
			sig := http.Header{}
			path := "/api/billing/webhooks/" + provider
			if provider == "stripe" {
				id := env.stripe.SessionFor(c.Reference)
				env.stripe.Pay(id)
				body = env.stripe.Event(fmt.Sprintf("evt_race_%d", i), "checkout.session.completed", id)
				sig.Set("Stripe-Signature", billing.SignStripe(testWhsec, time.Now(), body))
			} else {
				env.paystack.Pay(c.Reference)
				body = env.paystack.Event(c.Reference)
				sig.Set("x-paystack-signature", billing.SignPaystack(testPaystackKey, body))
			}
			statuses := make([]int, 3)
			var wg sync.WaitGroup
			send := func(slot int, req *http.Request) {
				defer wg.Done()
				resp, err := env.srv.Client().Do(req)
				if err != nil {
					t.Errorf("round %d request %d: %v", i, slot, err)
					return
				}
				resp.Body.Close()
				statuses[slot] = resp.StatusCode
			}
			for slot := range 3 {
				var req *http.Request
				if slot == 0 {
					req, _ = http.NewRequest("POST", env.srv.URL+"/api/billing/verify", strings.NewReader(`{"reference":"`+c.Reference+`"}`))
					req.Header.Set("Authorization", "Bearer "+a.Token)
				} else {
					req, _ = http.NewRequest("POST", env.srv.URL+path, bytes.NewReader(body))
					req.Header = sig.Clone()
				}
				req.Header.Set("Content-Type", "application/json")
				wg.Add(1)
				go send(slot, req)
			}
			wg.Wait()
			for slot, st := range statuses {
				if st != http.StatusOK {
					t.Errorf("round %d request %d answered %d", i, slot, st)
				}
			}
		}
		for _, ref := range refs {
			if n := env.activations(t, a.Token, ref); n != 1 {
				t.Errorf("checkout %s activated %d times, want 1", ref, n)
			}
		}
		// Plans alternate, so each activation starts a new one-month
		// period: the last one ran once.
		sub := env.subscription(t, a.Token)
		paidPlan(t, sub, "pro-ngn", "paystack", refs[rounds-1], 1)
	})
}

// TestTeamSeatsFollowThePlan fills the free plan's seats with invited
// users and a client owner, then upgrades.
func TestTeamSeatsFollowThePlan(t *testing.T) {
	eachBilling(t, func(t *testing.T, env *billingEnv) {
		a := env.srv.Label(t, "Seated Label")
		const seatsMsg = "Your plan allows 5 team seats. Upgrade your plan to add more."
		invite := func() *apptest.Response {
			return env.srv.Post("/api/users", a.Token, map[string]string{"email": apptest.UniqueEmail("seat"), "name": "Seat", "role": "staff"})
		}
		client := func() *apptest.Response {
			return env.srv.Post("/api/tenants/clients", a.Token, map[string]string{"name": "Seat Client", "owner_email": apptest.UniqueEmail("owner"), "owner_name": "Owner"})
		}
		var last struct {
			UUID string `json:"uuid"`
		}
		for range 3 {
			invite().Data(t, http.StatusCreated, &last)
		}
		client().ExpectStatus(t, http.StatusCreated)
		// 1 admin + 3 invited + 1 client owner = 5 seats.
		invite().ExpectError(t, http.StatusUnprocessableEntity, "plan_limit_reached", seatsMsg)
		client().ExpectError(t, http.StatusUnprocessableEntity, "plan_limit_reached", seatsMsg)

		// Freeing a seat lets one more in.
		env.srv.Delete("/api/users/"+last.UUID, a.Token).ExpectStatus(t, http.StatusOK)
		invite().ExpectStatus(t, http.StatusCreated)
		invite().ExpectError(t, http.StatusUnprocessableEntity, "plan_limit_reached", seatsMsg)

		// Pro has ten seats.
		c := env.checkout(t, a.Token, "pro", "stripe")
		env.stripe.Pay(env.stripe.SessionFor(c.Reference))
		env.verify(a.Token, c.Reference).ExpectStatus(t, http.StatusOK)
		for range 5 {
			invite().ExpectStatus(t, http.StatusCreated)
		}
		invite().ExpectError(t, http.StatusUnprocessableEntity, "plan_limit_reached", "Your plan allows 10 team seats. Upgrade your plan to add more.")

		// The platform's own tenant has no plan limits.
		admin := env.srv.Admin(t)
		for range 6 {
			env.srv.Post("/api/users", admin.Token, map[string]string{"email": apptest.UniqueEmail("staff"), "name": "Staff", "role": "staff"}).
				ExpectStatus(t, http.StatusCreated)
		}
	})
}

func TestBillingReturnPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		tests := []struct {
			query       string
			want, avoid []string
		}{
			{"?reference=tgp-Ab_9", []string{"payment received", "<code>tgp-Ab_9</code>"}, []string{"cancelled"}},
			{"?reference=tgp-Ab_9&cancelled=1", []string{"Payment cancelled", "tgp-Ab_9"}, []string{"payment received"}},
			{"?reference=%3Cscript%3Ealert(1)%3C/script%3E", []string{"payment received"}, []string{"alert(1)", "Checkout reference"}},
			{"", []string{"payment received"}, []string{"Checkout reference"}},
		}
		for _, tt := range tests {
			resp := srv.Get("/billing/return"+tt.query, "")
			resp.ExpectStatus(t, http.StatusOK)
			body := string(resp.Body)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: page lacks %q", tt.query, w)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(body, a) {
					t.Errorf("%s: page shows %q", tt.query, a)
				}
			}
		}
	})
}
