package tonegrid

import (
	"context"
	"fmt"
	"time"
)

// The payment providers a checkout can go through.
const (
	ProviderStripe   = "stripe"
	ProviderPaystack = "paystack"
)

// Providers lists the payment providers, in the contract's order.
var Providers = []string{ProviderStripe, ProviderPaystack}

// FreePlanSlug names the plan every tenant is on until it pays for another,
// and falls back to when a paid period ends.
const FreePlanSlug = "free"

// Plan billing intervals: one paid checkout buys one interval.
const (
	IntervalMonth = "month"
	IntervalYear  = "year"
)

// PlanLimit names one of the limits a plan sets.
type PlanLimit string

// The limits plans set.
const (
	// LimitReleasesPerYear bounds the releases a tenant creates per
	// calendar year (UTC).
	LimitReleasesPerYear PlanLimit = "releases_per_year"
	// LimitDSPs bounds the stores one release is attached to.
	LimitDSPs PlanLimit = "dsps"
	// LimitTeamSeats bounds the tenant's live users plus the owners of the
	// client tenants it created.
	LimitTeamSeats PlanLimit = "team_seats"
	// LimitWebhooks bounds the tenant's active webhook subscriptions.
	LimitWebhooks PlanLimit = "webhooks"
)

// Label is how n of the limit read in a message: "1 team seat", "5 team
// seats".
func (l PlanLimit) Label(n int) string {
	one, many := string(l), string(l)
	switch l {
	case LimitReleasesPerYear:
		one, many = "release per year", "releases per year"
	case LimitDSPs:
		one, many = "store per release", "stores per release"
	case LimitTeamSeats:
		one, many = "team seat", "team seats"
	case LimitWebhooks:
		one, many = "webhook subscription", "webhook subscriptions"
	}
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// PlanLimits are the limits of one plan; nil means unlimited.
type PlanLimits struct {
	ReleasesPerYear *int `json:"releases_per_year"`
	DSPs            *int `json:"dsps"`
	TeamSeats       *int `json:"team_seats"`
	Webhooks        *int `json:"webhooks"`
}

// Of returns the limit of kind, nil when the plan sets none.
func (l PlanLimits) Of(kind PlanLimit) *int {
	switch kind {
	case LimitReleasesPerYear:
		return l.ReleasesPerYear
	case LimitDSPs:
		return l.DSPs
	case LimitTeamSeats:
		return l.TeamSeats
	case LimitWebhooks:
		return l.Webhooks
	}
	return nil
}

// Plan is a subscription tier a tenant can buy.
type Plan struct {
	ID   int64  `json:"-"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	// Price is an exact decimal string with the currency's minor digits
	// ("19.99", "0.00").
	Price    string `json:"price"`
	Currency string `json:"currency"`
	// Interval is IntervalMonth or IntervalYear: what one payment buys.
	Interval string     `json:"interval"`
	IsFree   bool       `json:"is_free"`
	Limits   PlanLimits `json:"limits"`
}

// SubscriptionActive is the status of a tenant's effective subscription. A
// paid period that ended leaves the tenant on the free plan, which is
// active too.
const SubscriptionActive = "active"

// Subscription is the plan a tenant is on now.
type Subscription struct {
	Plan   *Plan  `json:"plan"`
	Status string `json:"status"`
	// Provider and Reference name the checkout that paid for the period;
	// empty on the free plan.
	Provider  string `json:"provider,omitempty"`
	Reference string `json:"reference,omitempty"`
	// StartedAt is when the plan became active; nil for a tenant that never
	// chose one (the default free plan).
	StartedAt *time.Time `json:"started_at"`
	// CurrentPeriodEnd is when a paid plan falls back to free; nil on the
	// free plan.
	CurrentPeriodEnd *time.Time `json:"current_period_end"`
}

// Checkout statuses.
const (
	CheckoutPending = "pending"
	CheckoutPaid    = "paid"
	CheckoutFailed  = "failed"
)

// Checkout is one attempt to pay for a plan at a provider.
type Checkout struct {
	ID       int64
	UUID     string
	TenantID int64
	Plan     *Plan
	Provider string
	// Reference is ToneGrid's own reference, shown to the client and sent
	// to the provider (Paystack's reference, Stripe's client_reference_id).
	Reference string
	// ProviderRef is the provider's id for the payment (Stripe's session
	// id; Paystack's reference again).
	ProviderRef string
	// AmountMinor and Currency are what the plan cost when the checkout
	// started, in the currency's minor unit.
	AmountMinor      int64
	Currency         string
	Status           string
	AuthorizationURL string
	CreatedAt        time.Time
	PaidAt           *time.Time
}

// CheckoutStart is what a paid checkout answers: where to send the payer,
// and the reference to verify afterwards.
type CheckoutStart struct {
	AuthorizationURL string `json:"authorization_url"`
	Reference        string `json:"reference"`
}

// PaymentStatus is what a provider says about a payment.
type PaymentStatus string

// Payment statuses, as far as ToneGrid cares.
const (
	PaymentPaid    PaymentStatus = "paid"
	PaymentPending PaymentStatus = "pending"
	PaymentFailed  PaymentStatus = "failed"
)

// PaymentReport is a provider's word on one checkout, from a verification
// or a signed webhook event.
type PaymentReport struct {
	Provider string
	// EventID identifies a webhook event at its provider; a report whose
	// event was already processed changes nothing. Empty on verification.
	EventID   string
	EventType string
	// Reference is the checkout's ToneGrid reference.
	Reference   string
	Status      PaymentStatus
	AmountMinor int64
	Currency    string
	// Detail is the provider's own word for the status ("abandoned",
	// "expired"), for the audit log.
	Detail string
}

// BillingService sells plans: it lists them, starts checkouts at a payment
// provider, verifies payments and applies providers' webhook events.
//
// Errors: ErrValidation (unknown plan or provider), ErrPlanFree (the free
// plan is activated instead), ErrPaymentInitFailed, ErrPaymentFailed,
// ErrPaymentProviderUnavailable, ErrWebhookSignatureInvalid,
// ErrWebhookSignatureStale, ErrMalformedJSON (a signed event that is not
// JSON).
type BillingService interface {
	ListPlans(ctx context.Context) ([]*Plan, error)
	CurrentSubscription(ctx context.Context, p *Principal) (*Subscription, error)
	// Checkout starts paying for plan at provider; the free plan is
	// activated at once and answered with ErrPlanFree.
	Checkout(ctx context.Context, p *Principal, plan, provider string) (*CheckoutStart, error)
	// VerifyPayment asks the provider about a checkout of the caller's
	// tenant and activates its plan once paid.
	VerifyPayment(ctx context.Context, p *Principal, reference string) (*Subscription, error)
	// HandleWebhook checks a provider's signature over the raw body and
	// applies the event once.
	HandleWebhook(ctx context.Context, provider, signature string, body []byte) error
}
