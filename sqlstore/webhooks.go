package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"tonegrid"
	"tonegrid/webhook"
)

// webhookColumns are the columns scanWebhook reads, from webhooks w.
const webhookColumns = `w.id, w.tenant_id, CAST(w.uuid AS TEXT), w.name, w.description, w.url, w.events, w.is_active, w.disabled_reason, w.created_at, w.updated_at`

func scanWebhook(row interface{ Scan(...any) error }) (*tonegrid.Webhook, error) {
	var w tonegrid.Webhook
	var events string
	if err := row.Scan(&w.ID, &w.TenantID, &w.UUID, &w.Name, &w.Description, &w.URL, &events, &w.IsActive, &w.DisabledReason,
		&w.CreatedAt, &w.UpdatedAt); err != nil {
		return nil, err
	}
	var err error
	if w.Events, err = decodeStrings(events); err != nil {
		return nil, fmt.Errorf("decode webhook events: %w", err)
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return &w, nil
}

// findWebhook reads a subscription of the tenant, or ErrWebhookNotFound.
func findWebhook(ctx context.Context, q querier, tenantID int64, uuid, suffix string) (*tonegrid.Webhook, error) {
	return oneRow(q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks w WHERE w.uuid = $1 AND w.tenant_id = $2`+suffix, uuid, tenantID), scanWebhook, tonegrid.ErrWebhookNotFound, "webhook")
}

// ListWebhooks lists the tenant's subscriptions, newest first.
func (db *DB) ListWebhooks(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.Webhook, int, error) {
	return listPage(ctx, db, listQuery{what: "webhooks", from: "webhooks w", where: "w.tenant_id = $1", args: []any{p.Tenant.ID},
		columns: webhookColumns, order: "w.id DESC"}, page, func(row interface{ Scan(...any) error }) (*tonegrid.Webhook, error) {
		return scanWebhook(row)
	})
}

// FindWebhook reads a subscription of the caller's tenant.
func (db *DB) FindWebhook(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Webhook, error) {
	return findWebhook(ctx, reader{db}, p.Tenant.ID, uuid, "")
}

// lockWebhooks serializes the changes of a tenant's subscriptions, so the
// active limit holds under concurrent requests.
func (tx *Tx) lockWebhooks(ctx context.Context, tenantID int64) error {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM tenants WHERE id = $1`+tx.db.dialect.forUpdate(), tenantID).Scan(&id); err != nil {
		return translate(fmt.Errorf("lock tenant webhooks: %w", err))
	}
	return nil
}

// checkWebhookLimit refuses one more active subscription over the limit of
// 25, or over the plan's.
func (tx *Tx) checkWebhookLimit(ctx context.Context, tenantID int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhooks WHERE tenant_id = $1 AND is_active`, tenantID).Scan(&n); err != nil {
		return translate(fmt.Errorf("count webhooks: %w", err))
	}
	if n >= tonegrid.MaxActiveWebhooks {
		return tonegrid.ErrWebhookLimit
	}
	return tx.enforcePlanLimit(ctx, tenantID, tonegrid.LimitWebhooks, 1,
		`SELECT COUNT(*) FROM webhooks WHERE tenant_id = $1 AND is_active`, tenantID)
}

// sealSecret seals a signing secret for the webhook uuid.
func (db *DB) sealSecret(uuid, secret string) (string, error) {
	if db.sealer == nil {
		return "", errors.New("seal webhook secret: no sealer configured")
	}
	return db.sealer.Seal([]byte(secret), "webhook:"+uuid), nil
}

// CreateWebhook adds an active subscription, within the limit per tenant.
func (db *DB) CreateWebhook(ctx context.Context, p *tonegrid.Principal, in tonegrid.WebhookInput) (*tonegrid.Webhook, error) {
	events, err := jsonText(in.Events)
	if err != nil {
		return nil, err
	}
	uuid := newUUID()
	sealed, err := db.sealSecret(uuid, in.Secret)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.lockWebhooks(ctx, p.Tenant.ID); err != nil {
		return nil, err
	}
	if err := tx.checkWebhookLimit(ctx, p.Tenant.ID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (uuid, tenant_id, name, description, url, events, secret_sealed, is_active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $8)`, uuid, p.Tenant.ID, in.Name, in.Description, in.URL, events, sealed, tx.now); err != nil {
		return nil, translate(fmt.Errorf("insert webhook: %w", err))
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "webhook.created", "webhook", uuid, map[string]string{"url": in.URL}); err != nil {
		return nil, err
	}
	w, err := findWebhook(ctx, tx, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	w.Secret = in.Secret
	return w, tx.commit()
}

// UpdateWebhook changes a subscription; re-activating one counts against
// the limit.
func (db *DB) UpdateWebhook(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.WebhookUpdate) (*tonegrid.Webhook, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.lockWebhooks(ctx, p.Tenant.ID); err != nil {
		return nil, err
	}
	w, err := findWebhook(ctx, tx, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	if upd.IsActive != nil && *upd.IsActive && !w.IsActive {
		if err := tx.checkWebhookLimit(ctx, p.Tenant.ID); err != nil {
			return nil, err
		}
		w.DisabledReason = ""
	}
	w.Name = valueOr(upd.Name, w.Name)
	w.Description = valueOr(upd.Description, w.Description)
	w.URL = valueOr(upd.URL, w.URL)
	w.Events = valueOr(upd.Events, w.Events)
	w.IsActive = valueOr(upd.IsActive, w.IsActive)
	if !w.IsActive && w.DisabledReason == "" {
		w.DisabledReason = "disabled by a user"
	}
	events, err := jsonText(w.Events)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET name = $2, description = $3, url = $4, events = $5, is_active = $6,
		disabled_reason = $7, updated_at = $8 WHERE id = $1`, w.ID, w.Name, w.Description, w.URL, events, w.IsActive, w.DisabledReason, tx.now); err != nil {
		return nil, translate(fmt.Errorf("update webhook: %w", err))
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "webhook.updated", "webhook", uuid, nil); err != nil {
		return nil, err
	}
	out, err := findWebhook(ctx, tx, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	return out, tx.commit()
}

// DeleteWebhook removes a subscription with its delivery log.
func (db *DB) DeleteWebhook(ctx context.Context, p *tonegrid.Principal, uuid string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w, err := findWebhook(ctx, tx, p.Tenant.ID, uuid, tx.db.dialect.forUpdate())
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = $1)`, w.ID); err != nil {
		return translate(fmt.Errorf("delete webhook attempts: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE webhook_id = $1`, w.ID); err != nil {
		return translate(fmt.Errorf("delete webhook deliveries: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = $1`, w.ID); err != nil {
		return translate(fmt.Errorf("delete webhook: %w", err))
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "webhook.deleted", "webhook", uuid, nil); err != nil {
		return err
	}
	return tx.commit()
}

// RotateWebhookSecret replaces a subscription's signing secret.
func (db *DB) RotateWebhookSecret(ctx context.Context, p *tonegrid.Principal, uuid, secret string) (*tonegrid.Webhook, error) {
	sealed, err := db.sealSecret(uuid, secret)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	w, err := findWebhook(ctx, tx, p.Tenant.ID, uuid, tx.db.dialect.forUpdate())
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET secret_sealed = $2, updated_at = $3 WHERE id = $1`, w.ID, sealed, tx.now); err != nil {
		return nil, translate(fmt.Errorf("rotate webhook secret: %w", err))
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "webhook.secret_rotated", "webhook", uuid, nil); err != nil {
		return nil, err
	}
	out, err := findWebhook(ctx, tx, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	out.Secret = secret
	return out, tx.commit()
}

// webhookDeliveryColumns are the columns scanWebhookDelivery reads, from webhook_deliveries d.
const webhookDeliveryColumns = `CAST(d.uuid AS TEXT), d.event_uuid, d.event_type, d.status, d.attempts, d.response_code, d.duration_ms, d.last_error,
	d.next_attempt_at, d.delivered_at, d.created_at, d.updated_at`

func scanWebhookDelivery(row interface{ Scan(...any) error }) (*tonegrid.WebhookDelivery, error) {
	var d tonegrid.WebhookDelivery
	var code, dur sql.NullInt64
	var next, delivered sql.NullTime
	if err := row.Scan(&d.UUID, &d.EventID, &d.EventType, &d.Status, &d.Attempts, &code, &dur, &d.LastError, &next, &delivered,
		&d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	if code.Valid {
		d.ResponseCode = ptrTo(int(code.Int64))
	}
	if dur.Valid {
		d.DurationMS = ptrTo(int(dur.Int64))
	}
	if next.Valid {
		d.NextAttemptAt = ptrTo(next.Time.UTC())
	}
	if delivered.Valid {
		d.DeliveredAt = ptrTo(delivered.Time.UTC())
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

func ptrTo[T any](v T) *T { return &v }

// ListWebhookDeliveries lists a subscription's deliveries, newest first.
func (db *DB) ListWebhookDeliveries(ctx context.Context, p *tonegrid.Principal, uuid string, page tonegrid.Page) ([]*tonegrid.WebhookDelivery, int, error) {
	w, err := findWebhook(ctx, reader{db}, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, 0, err
	}
	return listPage(ctx, db, listQuery{what: "webhook deliveries", from: "webhook_deliveries d", where: "d.webhook_id = $1",
		args: []any{w.ID}, columns: webhookDeliveryColumns, order: "d.id DESC"}, page, scanWebhookDelivery)
}

// DeliverWebhookArgs is the job of one delivery attempt.
type DeliverWebhookArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind implements jobs.Args.
func (DeliverWebhookArgs) Kind() string { return "webhook.deliver" }

// insertDelivery adds a delivery of body to the subscription and queues its
// first attempt, unless the subscription has this event already; it
// reports whether it added one.
func (tx *Tx) insertDelivery(ctx context.Context, webhookID, tenantID int64, eventUUID, eventType string, body []byte, enqueuedAt time.Time) (int64, bool, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (uuid, webhook_id, tenant_id, event_uuid, event_type, body, status, enqueued_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $8) ON CONFLICT (webhook_id, event_uuid) DO NOTHING RETURNING id`,
		newUUID(), webhookID, tenantID, eventUUID, eventType, string(body), enqueuedAt, tx.now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, translate(fmt.Errorf("insert webhook delivery: %w", err))
	}
	if err := tx.enqueue(ctx, DeliverWebhookArgs{DeliveryID: id}); err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// findDelivery reads a delivery by id.
func findDelivery(ctx context.Context, q querier, id int64) (*tonegrid.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(q.QueryRowContext(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries d WHERE d.id = $1`, id))
	if err != nil {
		return nil, translate(fmt.Errorf("find webhook delivery: %w", err))
	}
	return d, nil
}

// TestWebhook queues a webhook.test event to one subscription alone; it is
// sent while the subscription is active.
func (db *DB) TestWebhook(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.WebhookDelivery, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	w, err := findWebhook(ctx, tx, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	ev := webhook.Event{ID: newUUID(), Type: tonegrid.EventWebhookTest, CreatedAt: tx.now, TenantUUID: p.Tenant.UUID,
		Data: []byte(`{"webhook_uuid":"` + w.UUID + `"}`)}
	body, err := ev.Encode()
	if err != nil {
		return nil, err
	}
	id, _, err := tx.insertDelivery(ctx, w.ID, p.Tenant.ID, ev.ID, ev.Type, body, tx.now)
	if err != nil {
		return nil, err
	}
	d, err := findDelivery(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return d, tx.commit()
}

// RedeliverWebhook starts a delivery's attempts over, with the same body
// and webhook-id.
func (db *DB) RedeliverWebhook(ctx context.Context, p *tonegrid.Principal, uuid, deliveryUUID string) (*tonegrid.WebhookDelivery, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	w, err := findWebhook(ctx, tx, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM webhook_deliveries WHERE uuid = $1 AND webhook_id = $2`, deliveryUUID, w.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrWebhookDeliveryNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find webhook delivery: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'pending', first_attempt_at = NULL, next_attempt_at = NULL,
		delivered_at = NULL, enqueued_at = $2, updated_at = $2 WHERE id = $1`, id, tx.now); err != nil {
		return nil, translate(fmt.Errorf("redeliver webhook: %w", err))
	}
	if err := tx.enqueue(ctx, DeliverWebhookArgs{DeliveryID: id}); err != nil {
		return nil, err
	}
	d, err := findDelivery(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return d, tx.commit()
}

// WebhookAttempt is what one delivery attempt needs: where to, signed with
// what, which body, and the attempts so far.
type WebhookAttempt struct {
	DeliveryID, WebhookID, TenantID int64
	URL, Secret, EventUUID          string
	Body                            []byte
	Attempts                        int
	FirstAttemptAt                  *time.Time
	EnqueuedAt                      time.Time
}

// PendingWebhookAttempt reads a pending delivery of an active subscription,
// with its secret unsealed; ok is false when there is nothing to send.
func (db *DB) PendingWebhookAttempt(ctx context.Context, deliveryID int64) (*WebhookAttempt, bool, error) {
	var a WebhookAttempt
	var sealed, wuuid, body string
	var first sql.NullTime
	err := db.queryRow(ctx, `SELECT d.id, w.id, w.tenant_id, w.url, w.secret_sealed, CAST(w.uuid AS TEXT), d.event_uuid, d.body,
			d.attempts, d.first_attempt_at, d.enqueued_at
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.id = $1 AND d.status = 'pending' AND w.is_active`, deliveryID).
		Scan(&a.DeliveryID, &a.WebhookID, &a.TenantID, &a.URL, &sealed, &wuuid, &a.EventUUID, &body, &a.Attempts, &first, &a.EnqueuedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, translate(fmt.Errorf("read webhook delivery: %w", err))
	}
	if db.sealer == nil {
		return nil, false, errors.New("open webhook secret: no sealer configured")
	}
	secret, err := db.sealer.Open(sealed, "webhook:"+wuuid)
	if err != nil {
		return nil, false, fmt.Errorf("open webhook secret: %w", err)
	}
	a.Secret, a.Body = string(secret), []byte(body)
	if first.Valid {
		a.FirstAttemptAt = ptrTo(first.Time.UTC())
	}
	return &a, true, nil
}

// AttemptOutcome is what the delivery worker decided after an attempt.
type AttemptOutcome struct {
	At           time.Time
	StatusCode   int
	Duration     time.Duration
	Error        string
	ResponseBody string
	// Delivered: a 2xx. Otherwise Next is the next attempt, or zero when
	// the subscription is to be disabled for DisableReason.
	Delivered     bool
	Next          time.Time
	DisableReason string
}

// RecordWebhookAttempt logs an attempt and moves the delivery on: delivered,
// scheduled again, or failed, which disables the subscription and mails the
// tenant's admins.
func (db *DB) RecordWebhookAttempt(ctx context.Context, a *WebhookAttempt, o AttemptOutcome) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM webhook_deliveries WHERE id = $1`+tx.db.dialect.forUpdate(), a.DeliveryID).Scan(&status); err != nil {
		return translate(fmt.Errorf("lock webhook delivery: %w", err))
	}
	if status != tonegrid.WebhookDeliveryPending {
		return nil
	}
	var code any
	if o.StatusCode != 0 {
		code = o.StatusCode
	}
	ms := int(o.Duration / time.Millisecond)
	attempt := a.Attempts + 1
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, response_code, duration_ms, error, response_body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.DeliveryID, attempt, code, ms, o.Error, o.ResponseBody, o.At); err != nil {
		return translate(fmt.Errorf("insert webhook attempt: %w", err))
	}
	first := o.At
	if a.FirstAttemptAt != nil {
		first = *a.FirstAttemptAt
	}
	status = tonegrid.WebhookDeliveryPending
	var next, delivered any
	switch {
	case o.Delivered:
		status, delivered = tonegrid.WebhookDeliveryDelivered, o.At
	case o.Next.IsZero():
		status = tonegrid.WebhookDeliveryFailed
	default:
		next = o.Next
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $2, attempts = $3, response_code = $4, duration_ms = $5,
		last_error = $6, first_attempt_at = $7, next_attempt_at = $8, delivered_at = $9, updated_at = $10 WHERE id = $1`,
		a.DeliveryID, status, attempt, code, ms, o.Error, first, next, delivered, tx.now); err != nil {
		return translate(fmt.Errorf("update webhook delivery: %w", err))
	}
	if status == tonegrid.WebhookDeliveryFailed {
		if err := tx.disableWebhook(ctx, a.WebhookID, o.DisableReason); err != nil {
			return err
		}
	}
	return tx.commit()
}

// disableWebhook turns a subscription off and mails the tenant's admins.
func (tx *Tx) disableWebhook(ctx context.Context, webhookID int64, reason string) error {
	var url, tenantName string
	var tenantID int64
	var active bool
	err := tx.QueryRowContext(ctx, `SELECT w.url, w.is_active, t.id, t.name FROM webhooks w JOIN tenants t ON t.id = w.tenant_id WHERE w.id = $1`, webhookID).
		Scan(&url, &active, &tenantID, &tenantName)
	if err != nil {
		return translate(fmt.Errorf("read webhook: %w", err))
	}
	if !active {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET is_active = FALSE, disabled_reason = $2, updated_at = $3 WHERE id = $1`,
		webhookID, reason, tx.now); err != nil {
		return translate(fmt.Errorf("disable webhook: %w", err))
	}
	rows, err := tx.QueryContext(ctx, `SELECT email, locale FROM users WHERE tenant_id = $1 AND role IN ('label_admin', 'super_admin')
		AND status = 'active' AND deleted_at IS NULL ORDER BY id`, tenantID)
	if err != nil {
		return translate(fmt.Errorf("list tenant admins: %w", err))
	}
	var mails []tonegrid.Mail
	for rows.Next() {
		var m tonegrid.Mail
		if err := rows.Scan(&m.To, &m.Locale); err != nil {
			rows.Close()
			return translate(fmt.Errorf("scan tenant admin: %w", err))
		}
		m.Template = "webhook_disabled"
		m.Data = map[string]string{"url": url, "reason": reason, "tenant": tenantName}
		mails = append(mails, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return translate(err)
	}
	for _, m := range mails {
		if err := tx.mail(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// DispatchEvents fans the outbox out to subscriptions: the events after the
// cursor (at most limit) each get one delivery per active subscription of
// their tenant whose patterns match, queued in the same transaction that
// moves the cursor, so each (subscription, event) is delivered once. It
// returns how many events it read.
func (db *DB) DispatchEvents(ctx context.Context, limit int) (int, error) {
	upTo, err := db.committedEventsUpTo(ctx)
	if err != nil {
		return 0, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var cursor int64
	if err := tx.QueryRowContext(ctx, `SELECT last_event_id FROM webhook_cursor WHERE id = 1`+db.dialect.forUpdate()).Scan(&cursor); err != nil {
		return 0, translate(fmt.Errorf("read dispatch cursor: %w", err))
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, CAST(e.uuid AS TEXT), e.tenant_id, CAST(t.uuid AS TEXT), e.type, e.payload, e.created_at
		FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE e.id > $1 AND e.id <= $2 ORDER BY e.id LIMIT $3`, cursor, upTo, limit)
	if err != nil {
		return 0, translate(fmt.Errorf("read outbox: %w", err))
	}
	var events []*tonegrid.Event
	for rows.Next() {
		var e tonegrid.Event
		var payload string
		if err := rows.Scan(&e.ID, &e.UUID, &e.TenantID, &e.TenantUUID, &e.Type, &payload, &e.CreatedAt); err != nil {
			rows.Close()
			return 0, translate(fmt.Errorf("scan event: %w", err))
		}
		e.Data = []byte(payload)
		events = append(events, &e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, translate(err)
	}
	if len(events) == 0 {
		return 0, nil
	}
	subs := map[int64][]*tonegrid.Webhook{}
	for _, e := range events {
		list, ok := subs[e.TenantID]
		if !ok {
			if list, err = tx.activeWebhooks(ctx, e.TenantID); err != nil {
				return 0, err
			}
			subs[e.TenantID] = list
		}
		var body []byte
		for _, w := range list {
			if !webhook.MatchAny(w.Events, e.Type) {
				continue
			}
			if body == nil {
				ev := webhook.Event{ID: e.UUID, Type: e.Type, CreatedAt: e.CreatedAt, TenantUUID: e.TenantUUID, Data: e.Data}
				if body, err = ev.Encode(); err != nil {
					// An event type webhooks do not carry: nothing to send.
					break
				}
			}
			if _, _, err := tx.insertDelivery(ctx, w.ID, e.TenantID, e.UUID, e.Type, body, tx.now); err != nil {
				return 0, err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_cursor SET last_event_id = $1 WHERE id = 1`, events[len(events)-1].ID); err != nil {
		return 0, translate(fmt.Errorf("move dispatch cursor: %w", err))
	}
	return len(events), tx.commit()
}

// activeWebhooks lists a tenant's active subscriptions.
func (tx *Tx) activeWebhooks(ctx context.Context, tenantID int64) ([]*tonegrid.Webhook, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks w WHERE w.tenant_id = $1 AND w.is_active ORDER BY w.id`, tenantID)
	if err != nil {
		return nil, translate(fmt.Errorf("list active webhooks: %w", err))
	}
	defer rows.Close()
	var out []*tonegrid.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, translate(fmt.Errorf("scan webhook: %w", err))
		}
		out = append(out, w)
	}
	return out, translate(rows.Err())
}

// QueueDueWebhookRetries queues the attempts whose time has come (now is
// the delivery clock) and returns how many.
func (db *DB) QueueDueWebhookRetries(ctx context.Context, now time.Time, limit int) (int, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at IS NOT NULL
		AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`+db.dialect.skipLocked(), now.UTC(), limit)
	if err != nil {
		return 0, translate(fmt.Errorf("list due webhook retries: %w", err))
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, translate(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, translate(err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = NULL, enqueued_at = $2 WHERE id = $1`, id, tx.now); err != nil {
			return 0, translate(fmt.Errorf("queue webhook retry: %w", err))
		}
		if err := tx.enqueue(ctx, DeliverWebhookArgs{DeliveryID: id}); err != nil {
			return 0, err
		}
	}
	return len(ids), tx.commit()
}

// committedEventsUpTo returns the highest outbox id below which every event
// is committed. On SQLite writes are serial, so it is the highest id; on
// PostgreSQL ids are drawn before commit, so it waits for the transactions
// emitting events right now (each holds the outbox lock shared, see emit);
// 0 when they take too long, which dispatches nothing this time.
func (db *DB) committedEventsUpTo(ctx context.Context) (int64, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if db.dialect == Postgres {
		// Give up quickly rather than join a lock cycle with writers that
		// wait for each other (PostgreSQL's deadlock check runs after 1 s):
		// the next dispatch tries again.
		if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '300ms'`); err != nil {
			return 0, translate(fmt.Errorf("set lock timeout: %w", err))
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, outboxLock); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "55P03" {
				return 0, nil
			}
			return 0, translate(fmt.Errorf("lock outbox: %w", err))
		}
	}
	var max int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&max); err != nil {
		return 0, translate(fmt.Errorf("read outbox head: %w", err))
	}
	return max, tx.commit()
}

// outboxLock is the PostgreSQL advisory lock key of the outbox.
const outboxLock int64 = 0x746f6e65677269 // "tonegri"
