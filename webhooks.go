package tonegrid

import (
	"context"
	"time"
)

// MaxActiveWebhooks bounds the active webhook subscriptions of a tenant.
const MaxActiveWebhooks = 25

// Webhook is a subscription: events matching one of Events are POSTed,
// signed with its secret, to URL.
type Webhook struct {
	UUID        string   `json:"uuid"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	IsActive    bool     `json:"is_active"`
	// DisabledReason says why delivery stopped (410 Gone, retries
	// exhausted); empty while active.
	DisabledReason string `json:"disabled_reason"`
	// Secret is the signing secret, shown at creation and rotation only.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// ID and TenantID are internal.
	ID       int64 `json:"-"`
	TenantID int64 `json:"-"`
}

// WebhookInput creates a subscription; the service draws Secret.
type WebhookInput struct {
	Name, Description, URL, Secret string
	Events                         []string
}

// WebhookUpdate changes a subscription; nil keeps a field. Setting IsActive
// to true re-enables a disabled subscription (within the limit).
type WebhookUpdate struct {
	Name, Description, URL *string
	Events                 *[]string
	IsActive               *bool
}

// Delivery statuses.
const (
	WebhookDeliveryPending   = "pending"
	WebhookDeliveryDelivered = "delivered"
	WebhookDeliveryFailed    = "failed"
)

// WebhookDelivery is one event sent to one subscription, with its latest
// attempt.
type WebhookDelivery struct {
	UUID          string     `json:"uuid"`
	EventID       string     `json:"event_id"`
	EventType     string     `json:"event_type"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	ResponseCode  *int       `json:"response_code"`
	DurationMS    *int       `json:"duration_ms"`
	LastError     string     `json:"last_error"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// WebhookService manages webhook subscriptions and their delivery log.
type WebhookService interface {
	// ListWebhooks lists the tenant's subscriptions, newest first.
	ListWebhooks(ctx context.Context, p *Principal, page Page) ([]*Webhook, int, error)
	// CreateWebhook checks the URL, draws a secret and saves an active
	// subscription (at most MaxActiveWebhooks, and the plan's limit).
	CreateWebhook(ctx context.Context, p *Principal, in WebhookInput) (*Webhook, error)
	// FindWebhook reads a subscription of the caller's tenant.
	FindWebhook(ctx context.Context, p *Principal, uuid string) (*Webhook, error)
	// UpdateWebhook changes a subscription.
	UpdateWebhook(ctx context.Context, p *Principal, uuid string, upd WebhookUpdate) (*Webhook, error)
	// DeleteWebhook removes a subscription and its delivery log.
	DeleteWebhook(ctx context.Context, p *Principal, uuid string) error
	// RotateWebhookSecret replaces the signing secret with a new one, shown
	// in the result.
	RotateWebhookSecret(ctx context.Context, p *Principal, uuid string) (*Webhook, error)
	// ListWebhookDeliveries lists a subscription's deliveries, newest first.
	ListWebhookDeliveries(ctx context.Context, p *Principal, uuid string, page Page) ([]*WebhookDelivery, int, error)
	// RedeliverWebhook queues a delivery again, as a fresh series of
	// attempts with the same webhook-id.
	RedeliverWebhook(ctx context.Context, p *Principal, uuid, deliveryUUID string) (*WebhookDelivery, error)
	// TestWebhook queues a webhook.test event to the subscription alone.
	TestWebhook(ctx context.Context, p *Principal, uuid string) (*WebhookDelivery, error)
}
