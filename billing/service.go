// Package billing sells ToneGrid's plans through payment providers: it
// holds the Stripe and Paystack API clients, the verification of their
// webhook signatures, the parsing of their events, and the Service that
// runs checkouts, verifications and webhook events over a Store.
//
// Persistence goes through the Store interface, which sqlstore satisfies;
// amounts are exact (money), never floats. billing imports the domain and
// leaf packages (money, secret), never sqlstore or httpapi.
package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"tonegrid"
	"tonegrid/secret"
)

// Store is the persistence the service needs.
type Store interface {
	ListPlans(ctx context.Context) ([]*tonegrid.Plan, error)
	// PlanBySlug returns the active plan with slug, or nil when there is
	// none.
	PlanBySlug(ctx context.Context, slug string) (*tonegrid.Plan, error)
	CurrentSubscription(ctx context.Context, p *tonegrid.Principal) (*tonegrid.Subscription, error)
	// ActivateFreePlan moves the caller's tenant to the free plan.
	ActivateFreePlan(ctx context.Context, p *tonegrid.Principal) (*tonegrid.Subscription, error)
	// CreateCheckout stores a pending checkout of the caller's tenant.
	CreateCheckout(ctx context.Context, p *tonegrid.Principal, c *tonegrid.Checkout) error
	// FindCheckout reads a checkout of the caller's tenant by reference;
	// another tenant's, or none, is ErrPaymentFailed.
	FindCheckout(ctx context.Context, p *tonegrid.Principal, reference string) (*tonegrid.Checkout, error)
	// SettleCheckout applies a paid or failed report to its checkout,
	// once: a paid report whose amount and currency match activates the
	// plan. p is the caller for verifications (the checkout must be its
	// tenant's) and nil for webhook events. It returns the tenant's
	// subscription, ErrPaymentFailed when the checkout is unknown, failed
	// or mismatched, and nil, nil for an event already processed.
	SettleCheckout(ctx context.Context, p *tonegrid.Principal, r tonegrid.PaymentReport) (*tonegrid.Subscription, error)
	// ContactEmail is the address of the tenant's first active label
	// admin, for payments started with an API key.
	ContactEmail(ctx context.Context, tenantID int64) (string, error)
	RecordAudit(ctx context.Context, p *tonegrid.Principal, tenantID int64, action, targetType, targetUUID string, details map[string]string) error
}

// Config sets up the service. Zero values mean the defaults in brackets.
type Config struct {
	StripeAPIBase       string
	StripeSecretKey     string
	StripeWebhookSecret string
	PaystackAPIBase     string
	// PaystackSecretKey authenticates API calls and signs webhooks.
	PaystackSecretKey string
	// Timeout bounds each provider call [DefaultTimeout].
	Timeout time.Duration
	// ReturnURL is the page payers come back to; "?reference=<ref>" is
	// added (and "&cancelled=1" on the cancel link).
	ReturnURL string
	Now       func() time.Time
	// Log hears of webhook events that changed nothing.
	Log *slog.Logger
}

// Service implements tonegrid.BillingService.
type Service struct {
	store     Store
	providers map[string]Provider
	cfg       Config
}

// New returns the service with Stripe and Paystack clients built from cfg.
func New(store Store, cfg Config) *Service {
	return NewWithProviders(store, cfg,
		NewStripe(cfg.StripeAPIBase, cfg.StripeSecretKey, cfg.Timeout),
		NewPaystack(cfg.PaystackAPIBase, cfg.PaystackSecretKey, cfg.Timeout))
}

// NewWithProviders returns the service with the given provider clients.
func NewWithProviders(store Store, cfg Config, providers ...Provider) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Service{store: store, providers: map[string]Provider{}, cfg: cfg}
	for _, p := range providers {
		s.providers[p.Name()] = p
	}
	return s
}

// ListPlans lists the plans on sale, free first.
func (s *Service) ListPlans(ctx context.Context) ([]*tonegrid.Plan, error) {
	return s.store.ListPlans(ctx)
}

// CurrentSubscription returns the caller's tenant's plan.
func (s *Service) CurrentSubscription(ctx context.Context, p *tonegrid.Principal) (*tonegrid.Subscription, error) {
	return s.store.CurrentSubscription(ctx, p)
}

// Checkout starts paying for plan at provider. The free plan is activated
// at once (whatever the provider) and answered with ErrPlanFree. A provider
// that fails, times out or has no key is ErrPaymentInitFailed, with its
// answer in the tenant's audit log.
func (s *Service) Checkout(ctx context.Context, p *tonegrid.Principal, planSlug, providerName string) (*tonegrid.CheckoutStart, error) {
	plan, err := s.store.PlanBySlug(ctx, planSlug)
	if err != nil {
		return nil, err
	}
	provider, known := s.providers[providerName]
	var v tonegrid.Violations
	if plan == nil {
		plans, err := s.store.ListPlans(ctx)
		if err != nil {
			return nil, err
		}
		slugs := make([]string, 0, len(plans))
		for _, pl := range plans {
			slugs = append(slugs, pl.Slug)
		}
		v.Add("plan", "not_in_list", "allowed", strings.Join(slugs, ", "))
	}
	switch {
	case plan != nil && plan.IsFree, known:
	case providerName == "":
		v.Add("provider", "required")
	default:
		v.Add("provider", "not_in_list", "allowed", strings.Join(tonegrid.Providers, ", "))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if plan.IsFree {
		if _, err := s.store.ActivateFreePlan(ctx, p); err != nil {
			return nil, err
		}
		return nil, tonegrid.ErrPlanFree
	}
	amount, err := MinorAmount(plan.Price, plan.Currency)
	if err != nil {
		return nil, fmt.Errorf("checkout %s: %w", plan.Slug, err)
	}
	email := payerEmail(p)
	if email == "" {
		if email, err = s.store.ContactEmail(ctx, p.Tenant.ID); err != nil {
			return nil, err
		}
	}
	ref := secret.Token("tgp-", 32)
	req := InitRequest{
		Reference: ref, Email: email, AmountMinor: amount, Currency: plan.Currency,
		Description: fmt.Sprintf("ToneGrid %s, 1 %s", plan.Name, plan.Interval),
		ReturnURL:   s.returnURL(ref, false), CancelURL: s.returnURL(ref, true),
		Metadata: map[string]string{"plan": plan.Slug, "tenant_uuid": p.Tenant.UUID},
	}
	res, err := provider.Initialize(ctx, req)
	if err != nil {
		details := AuditDetails(err)
		details["plan"] = plan.Slug
		details["reference"] = ref
		if aerr := s.store.RecordAudit(ctx, p, p.Tenant.ID, "billing.checkout_failed", "plan", "", details); aerr != nil {
			return nil, errors.Join(aerr, err)
		}
		return nil, fmt.Errorf("%w: %w", tonegrid.ErrPaymentInitFailed, err)
	}
	c := &tonegrid.Checkout{
		Plan: plan, Provider: providerName, Reference: ref, ProviderRef: res.ProviderRef,
		AmountMinor: amount, Currency: plan.Currency, Status: tonegrid.CheckoutPending, AuthorizationURL: res.AuthorizationURL,
	}
	if err := s.store.CreateCheckout(ctx, p, c); err != nil {
		return nil, err
	}
	return &tonegrid.CheckoutStart{AuthorizationURL: res.AuthorizationURL, Reference: ref}, nil
}

// payerEmail is the address the provider sends its receipt to: the
// caller's (the real user's, under login-as); empty for an API key.
func payerEmail(p *tonegrid.Principal) string {
	if p.User != nil {
		return p.User.Email
	}
	return ""
}

// returnURL is where the payer of ref comes back to.
func (s *Service) returnURL(ref string, cancelled bool) string {
	q := url.Values{"reference": {ref}}
	if cancelled {
		q.Set("cancelled", "1")
	}
	sep := "?"
	if strings.Contains(s.cfg.ReturnURL, "?") {
		sep = "&"
	}
	return s.cfg.ReturnURL + sep + q.Encode()
}

// VerifyPayment asks the provider about a checkout of the caller's tenant.
// A paid checkout whose amount and currency match activates its plan (once:
// verifying again, or after the webhook, answers the same subscription).
// Anything else is ErrPaymentFailed; a provider that cannot answer is
// ErrPaymentProviderUnavailable, with its answer in the audit log.
func (s *Service) VerifyPayment(ctx context.Context, p *tonegrid.Principal, reference string) (*tonegrid.Subscription, error) {
	c, err := s.store.FindCheckout(ctx, p, reference)
	if err != nil {
		return nil, err
	}
	switch c.Status {
	case tonegrid.CheckoutPaid:
		return s.store.CurrentSubscription(ctx, p)
	case tonegrid.CheckoutFailed:
		return nil, tonegrid.ErrPaymentFailed
	}
	provider, ok := s.providers[c.Provider]
	if !ok {
		return nil, fmt.Errorf("verify %s: no %s client", c.Reference, c.Provider)
	}
	pay, err := provider.Lookup(ctx, c.ProviderRef)
	switch {
	case errors.Is(err, ErrUnknownPayment):
		pay = Payment{Reference: c.Reference, Status: tonegrid.PaymentFailed, Detail: "unknown at the provider"}
	case err != nil:
		details := AuditDetails(err)
		details["reference"] = c.Reference
		if aerr := s.store.RecordAudit(ctx, p, p.Tenant.ID, "billing.verify_failed", "checkout", c.UUID, details); aerr != nil {
			return nil, errors.Join(aerr, err)
		}
		return nil, fmt.Errorf("%w: %w", tonegrid.ErrPaymentProviderUnavailable, err)
	}
	if pay.Status == tonegrid.PaymentPending {
		return nil, tonegrid.ErrPaymentFailed
	}
	if pay.Reference != c.Reference {
		pay.Status, pay.Detail = tonegrid.PaymentFailed, fmt.Sprintf("provider answered for reference %q", pay.Reference)
	}
	return s.store.SettleCheckout(ctx, p, tonegrid.PaymentReport{
		Provider: c.Provider, Reference: c.Reference, Status: pay.Status,
		AmountMinor: pay.AmountMinor, Currency: pay.Currency, Detail: pay.Detail,
	})
}

// HandleWebhook checks the provider's signature over the raw body, then
// applies a relevant event once. Events ToneGrid ignores, replays, and
// events about unknown or mismatched checkouts change nothing and succeed
// (the provider would only retry them).
func (s *Service) HandleWebhook(ctx context.Context, provider, signature string, body []byte) error {
	var report tonegrid.PaymentReport
	var relevant bool
	var err error
	switch provider {
	case tonegrid.ProviderStripe:
		if err := VerifyStripe(signature, body, s.cfg.StripeWebhookSecret, s.cfg.Now()); err != nil {
			return err
		}
		report, relevant, err = ParseStripeEvent(body)
	case tonegrid.ProviderPaystack:
		if err := VerifyPaystack(signature, body, s.cfg.PaystackSecretKey); err != nil {
			return err
		}
		report, relevant, err = ParsePaystackEvent(body)
	default:
		return tonegrid.ErrRouteNotFound
	}
	if err != nil {
		return fmt.Errorf("%w: %w", tonegrid.ErrMalformedJSON, err)
	}
	if !relevant || report.Status == tonegrid.PaymentPending {
		return nil
	}
	_, err = s.store.SettleCheckout(ctx, nil, report)
	if errors.Is(err, tonegrid.ErrPaymentFailed) {
		// Unknown, failed or mismatched checkouts are in the tenant's audit
		// log when there is a tenant; the operator hears of all of them.
		s.cfg.Log.WarnContext(ctx, "billing webhook event did not activate a plan", "provider", provider,
			"event_id", report.EventID, "event_type", report.EventType, "reference", report.Reference, "status", string(report.Status))
		return nil
	}
	return err
}
