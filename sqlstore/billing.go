package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tonegrid"
	"tonegrid/money"
)

const planColumns = `pl.id, pl.slug, pl.name, pl.price, pl.currency, pl.billing_interval, pl.is_free,
	pl.releases_per_year, pl.dsps, pl.team_seats, pl.webhooks`

// scanPlan scans planColumns.
func scanPlan(row interface{ Scan(...any) error }) (*tonegrid.Plan, error) {
	var p tonegrid.Plan
	var releases, dsps, seats, webhooks sql.NullInt64
	if err := row.Scan(&p.ID, &p.Slug, &p.Name, &p.Price, &p.Currency, &p.Interval, &p.IsFree,
		&releases, &dsps, &seats, &webhooks); err != nil {
		return nil, err
	}
	price, err := money.Parse(p.Price)
	if err != nil {
		return nil, fmt.Errorf("plan %s price: %w", p.Slug, err)
	}
	places, ok := money.MinorUnits(p.Currency)
	if !ok {
		return nil, fmt.Errorf("plan %s: unknown currency %q", p.Slug, p.Currency)
	}
	// Both dialects answer the price with the currency's minor digits
	// ("990.00", not PostgreSQL's or SQLite's own rendering).
	p.Price = money.RoundHalfEven(price, places).String()
	p.Limits = tonegrid.PlanLimits{
		ReleasesPerYear: nullInt(releases), DSPs: nullInt(dsps), TeamSeats: nullInt(seats), Webhooks: nullInt(webhooks),
	}
	return &p, nil
}

// nullInt is nil for NULL.
func nullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// ListPlans lists the plans on sale, in their display order (free first).
func (db *DB) ListPlans(ctx context.Context) ([]*tonegrid.Plan, error) {
	rows, err := db.query(ctx, `SELECT `+planColumns+` FROM plans pl WHERE pl.is_active ORDER BY pl.position, pl.id`)
	if err != nil {
		return nil, translate(fmt.Errorf("list plans: %w", err))
	}
	defer rows.Close()
	var out []*tonegrid.Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, translate(fmt.Errorf("scan plan: %w", err))
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// PlanBySlug returns the plan on sale with slug, or nil when there is none.
func (db *DB) PlanBySlug(ctx context.Context, slug string) (*tonegrid.Plan, error) {
	p, err := scanPlan(db.queryRow(ctx, `SELECT `+planColumns+` FROM plans pl WHERE pl.slug = $1 AND pl.is_active`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find plan %s: %w", slug, err))
	}
	return p, nil
}

// assignClientPlan puts a new client tenant on the plan with slug, as its
// distributor sells it: the distributor bills the client itself, so the
// subscription has no provider payment and no end. An unknown or retired
// slug is a validation error on `plan` listing the plans on sale.
func (tx *Tx) assignClientPlan(ctx context.Context, p *tonegrid.Principal, tenantID int64, slug string) error {
	plan, err := scanPlan(tx.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans pl WHERE pl.slug = $1 AND pl.is_active`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		var slugs []string
		rows, err := tx.QueryContext(ctx, `SELECT slug FROM plans WHERE is_active ORDER BY id`)
		if err != nil {
			return translate(fmt.Errorf("list plans: %w", err))
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return translate(fmt.Errorf("scan plan: %w", err))
			}
			slugs = append(slugs, s)
		}
		if err := rows.Err(); err != nil {
			return translate(err)
		}
		var v tonegrid.Violations
		v.Add("plan", "not_in_list", "allowed", strings.Join(slugs, ", "))
		return v.Err()
	}
	if err != nil {
		return translate(fmt.Errorf("find plan %s: %w", slug, err))
	}
	id := newUUID()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO subscriptions (uuid, tenant_id, plan_id, provider, reference, started_at, current_period_end, created_at, updated_at)
		VALUES ($1, $2, $3, 'distributor', '', $4, NULL, $4, $4)`, id, tenantID, plan.ID, tx.now); err != nil {
		return translate(fmt.Errorf("save client subscription: %w", err))
	}
	return tx.audit(ctx, p, tenantID, "billing.plan_activated", "subscription", id, map[string]string{"plan": plan.Slug, "via": "distributor"})
}

// planByID reads a plan, on sale or not.
func planByID(ctx context.Context, q querier, id int64) (*tonegrid.Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans pl WHERE pl.id = $1`, id))
	if err != nil {
		return nil, translate(fmt.Errorf("find plan %d: %w", id, err))
	}
	return p, nil
}

// freePlan reads the free plan.
func freePlan(ctx context.Context, q querier) (*tonegrid.Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans pl WHERE pl.slug = $1`, tonegrid.FreePlanSlug))
	if err != nil {
		return nil, translate(fmt.Errorf("find the free plan: %w", err))
	}
	return p, nil
}

// subscriptionRow is a tenant's row of subscriptions.
type subscriptionRow struct {
	uuid      string
	planID    int64
	provider  string
	reference string
	started   time.Time
	end       sql.NullTime
}

// findSubscriptionRow reads a tenant's subscription row, nil when it has
// none; lock adds the dialect's row lock.
func findSubscriptionRow(ctx context.Context, q querier, tenantID int64, lock string) (*subscriptionRow, error) {
	var s subscriptionRow
	err := q.QueryRowContext(ctx, `SELECT CAST(uuid AS TEXT), plan_id, provider, reference, started_at, current_period_end
		FROM subscriptions WHERE tenant_id = $1`+lock, tenantID).Scan(&s.uuid, &s.planID, &s.provider, &s.reference, &s.started, &s.end)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find subscription: %w", err))
	}
	return &s, nil
}

// effectiveSubscription is the plan a tenant is on at now: its
// subscription's plan while the paid period runs, else the free plan.
func effectiveSubscription(ctx context.Context, q querier, tenantID int64, now time.Time) (*tonegrid.Subscription, error) {
	row, err := findSubscriptionRow(ctx, q, tenantID, "")
	if err != nil {
		return nil, err
	}
	if row == nil || (row.end.Valid && !row.end.Time.After(now)) {
		free, err := freePlan(ctx, q)
		if err != nil {
			return nil, err
		}
		sub := &tonegrid.Subscription{Plan: free, Status: tonegrid.SubscriptionActive}
		if row != nil {
			// The paid period ended: the free plan started then.
			lapsed := row.end.Time.UTC()
			sub.StartedAt = &lapsed
		}
		return sub, nil
	}
	plan, err := planByID(ctx, q, row.planID)
	if err != nil {
		return nil, err
	}
	started := row.started.UTC()
	sub := &tonegrid.Subscription{Plan: plan, Status: tonegrid.SubscriptionActive, Provider: row.provider, Reference: row.reference, StartedAt: &started}
	if row.end.Valid {
		end := row.end.Time.UTC()
		sub.CurrentPeriodEnd = &end
	}
	return sub, nil
}

// CurrentSubscription returns the plan the caller's tenant is on.
func (db *DB) CurrentSubscription(ctx context.Context, p *tonegrid.Principal) (*tonegrid.Subscription, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return effectiveSubscription(ctx, tx, p.Tenant.ID, tx.now)
}

// ActivateFreePlan moves the caller's tenant to the free plan at once,
// ending any paid period.
func (db *DB) ActivateFreePlan(ctx context.Context, p *tonegrid.Principal) (*tonegrid.Subscription, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	free, err := freePlan(ctx, tx)
	if err != nil {
		return nil, err
	}
	sub, err := tx.activatePlan(ctx, p, p.Tenant.ID, free, "", "", "checkout")
	if err != nil {
		return nil, err
	}
	return sub, tx.commit()
}

// addInterval moves t by one billing interval.
func addInterval(t time.Time, interval string) time.Time {
	if interval == tonegrid.IntervalYear {
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 1, 0)
}

// activatePlan puts a tenant on plan, paid through provider and reference
// (empty for the free plan), and records it in the audit log. Paying again
// for the plan that is running extends its period from its current end;
// any other change starts a new period now (no proration). The tenant's row
// is locked first, so two activations of one tenant (two checkouts paid at
// once) apply one after the other even before it has a subscription row.
func (tx *Tx) activatePlan(ctx context.Context, p *tonegrid.Principal, tenantID int64, plan *tonegrid.Plan, provider, reference, via string) (*tonegrid.Subscription, error) {
	var locked int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM tenants WHERE id = $1`+tx.db.dialect.forNoKeyUpdate(), tenantID).Scan(&locked); err != nil {
		return nil, translate(fmt.Errorf("lock tenant %d for its subscription: %w", tenantID, err))
	}
	cur, err := findSubscriptionRow(ctx, tx, tenantID, "")
	if err != nil {
		return nil, err
	}
	started := tx.now
	var end any
	if !plan.IsFree {
		next := addInterval(tx.now, plan.Interval)
		if cur != nil && cur.planID == plan.ID && cur.end.Valid && cur.end.Time.After(tx.now) {
			started, next = cur.started, addInterval(cur.end.Time.UTC(), plan.Interval)
		}
		end = next
	}
	id := newUUID()
	if cur != nil {
		id = cur.uuid
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO subscriptions (uuid, tenant_id, plan_id, provider, reference, started_at, current_period_end, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
		ON CONFLICT (tenant_id) DO UPDATE SET plan_id = excluded.plan_id, provider = excluded.provider,
			reference = excluded.reference, started_at = excluded.started_at,
			current_period_end = excluded.current_period_end, updated_at = excluded.updated_at`,
		id, tenantID, plan.ID, provider, reference, started, end, tx.now)
	if err != nil {
		return nil, translate(fmt.Errorf("save subscription: %w", err))
	}
	details := map[string]string{"plan": plan.Slug, "via": via}
	if provider != "" {
		details["provider"], details["reference"] = provider, reference
	}
	if err := tx.audit(ctx, p, tenantID, "billing.plan_activated", "subscription", id, details); err != nil {
		return nil, err
	}
	return effectiveSubscription(ctx, tx, tenantID, tx.now)
}

// CreateCheckout stores a pending checkout of the caller's tenant and fills
// its id, uuid and creation time.
func (db *DB) CreateCheckout(ctx context.Context, p *tonegrid.Principal, c *tonegrid.Checkout) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c.UUID, c.TenantID, c.CreatedAt = newUUID(), p.Tenant.ID, tx.now
	if c.Status == "" {
		c.Status = tonegrid.CheckoutPending
	}
	var createdBy any
	if id := p.ActorID(); id != 0 {
		createdBy = id
	}
	err = tx.QueryRowContext(ctx, `
		INSERT INTO billing_checkouts (uuid, tenant_id, plan_id, created_by_id, provider, reference, provider_ref,
			amount_minor, currency, status, authorization_url, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
		c.UUID, c.TenantID, c.Plan.ID, createdBy, c.Provider, c.Reference, c.ProviderRef,
		c.AmountMinor, c.Currency, c.Status, c.AuthorizationURL, tx.now).Scan(&c.ID)
	if err != nil {
		return translate(fmt.Errorf("insert checkout: %w", err))
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "billing.checkout_started", "checkout", c.UUID,
		map[string]string{"plan": c.Plan.Slug, "provider": c.Provider, "reference": c.Reference}); err != nil {
		return err
	}
	return tx.commit()
}

const checkoutColumns = `id, CAST(uuid AS TEXT), tenant_id, plan_id, provider, reference, provider_ref, amount_minor, currency,
	status, authorization_url, created_at, paid_at`

// scanCheckout scans checkoutColumns, and the checkout's plan.
func scanCheckout(ctx context.Context, q querier, row *sql.Row) (*tonegrid.Checkout, error) {
	var c tonegrid.Checkout
	var planID int64
	var paid sql.NullTime
	if err := row.Scan(&c.ID, &c.UUID, &c.TenantID, &planID, &c.Provider, &c.Reference, &c.ProviderRef, &c.AmountMinor,
		&c.Currency, &c.Status, &c.AuthorizationURL, &c.CreatedAt, &paid); err != nil {
		return nil, err
	}
	if paid.Valid {
		t := paid.Time
		c.PaidAt = &t
	}
	plan, err := planByID(ctx, q, planID)
	if err != nil {
		return nil, err
	}
	c.Plan = plan
	return &c, nil
}

// FindCheckout reads a checkout of the caller's tenant by its reference.
// Another tenant's reference, or an unknown one, is ErrPaymentFailed: to
// the caller it is a payment that cannot be verified.
func (db *DB) FindCheckout(ctx context.Context, p *tonegrid.Principal, reference string) (*tonegrid.Checkout, error) {
	c, err := scanCheckout(ctx, reader{db}, db.queryRow(ctx,
		`SELECT `+checkoutColumns+` FROM billing_checkouts WHERE reference = $1 AND tenant_id = $2`, reference, p.Tenant.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrPaymentFailed
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find checkout: %w", err))
	}
	return c, nil
}

// SettleCheckout applies a provider's report to its checkout, once. p is
// the caller of a verification (the checkout must belong to its tenant) or
// nil for a webhook event (any tenant's checkout, identified by provider
// and reference).
//
// A webhook event already processed changes nothing and answers nil, nil. A
// paid report on a pending checkout whose amount and currency match
// activates the checkout's plan and answers the subscription; on a checkout
// already paid it answers the subscription unchanged. A mismatched amount
// or currency, or a failed report, marks a pending checkout failed; these,
// a failed checkout and an unknown reference answer ErrPaymentFailed. The
// checkout row is locked first, so a verification and a webhook racing for
// the same checkout activate the plan once.
func (db *DB) SettleCheckout(ctx context.Context, p *tonegrid.Principal, r tonegrid.PaymentReport) (*tonegrid.Subscription, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	query, args := `SELECT `+checkoutColumns+` FROM billing_checkouts WHERE provider = $1 AND reference = $2`, []any{r.Provider, r.Reference}
	if p != nil {
		query += ` AND tenant_id = $3`
		args = append(args, p.Tenant.ID)
	}
	c, err := scanCheckout(ctx, tx, tx.QueryRowContext(ctx, query+tx.db.dialect.forUpdate(), args...))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, translate(fmt.Errorf("find checkout: %w", err))
	}
	if r.EventID != "" {
		var tenantID any
		if c != nil {
			tenantID = c.TenantID
		}
		var id int64
		err := tx.QueryRowContext(ctx, `
			INSERT INTO billing_events (provider, event_id, event_type, reference, tenant_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
			r.Provider, r.EventID, r.EventType, r.Reference, tenantID, tx.now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, translate(fmt.Errorf("record event %s: %w", r.EventID, err))
		}
	}
	if c == nil {
		if err := tx.commit(); err != nil {
			return nil, err
		}
		return nil, tonegrid.ErrPaymentFailed
	}
	via := "verify"
	if r.EventID != "" {
		via = "webhook " + r.EventType
	}
	switch {
	case c.Status == tonegrid.CheckoutPaid:
		sub, err := effectiveSubscription(ctx, tx, c.TenantID, tx.now)
		if err != nil {
			return nil, err
		}
		return sub, tx.commit()
	case c.Status == tonegrid.CheckoutFailed || r.Status == tonegrid.PaymentPending:
		if err := tx.commit(); err != nil {
			return nil, err
		}
		return nil, tonegrid.ErrPaymentFailed
	case r.Status == tonegrid.PaymentPaid && (r.AmountMinor != c.AmountMinor || r.Currency != c.Currency):
		failure := fmt.Sprintf("paid %d %s, expected %d %s", r.AmountMinor, r.Currency, c.AmountMinor, c.Currency)
		return nil, tx.failCheckout(ctx, p, c, "billing.payment_mismatch", failure, via)
	case r.Status == tonegrid.PaymentFailed:
		return nil, tx.failCheckout(ctx, p, c, "billing.payment_failed", r.Detail, via)
	}
	res, err := tx.ExecContext(ctx, `UPDATE billing_checkouts SET status = $1, paid_at = $2, updated_at = $2 WHERE id = $3 AND status = $4`,
		tonegrid.CheckoutPaid, tx.now, c.ID, tonegrid.CheckoutPending)
	if err != nil {
		return nil, translate(fmt.Errorf("mark checkout paid: %w", err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, fmt.Errorf("mark checkout %s paid: %d rows changed (%v)", c.Reference, n, err)
	}
	sub, err := tx.activatePlan(ctx, p, c.TenantID, c.Plan, c.Provider, c.Reference, via)
	if err != nil {
		return nil, err
	}
	return sub, tx.commit()
}

// failCheckout marks a pending checkout failed with why, records action in
// the tenant's audit log, commits, and returns ErrPaymentFailed.
func (tx *Tx) failCheckout(ctx context.Context, p *tonegrid.Principal, c *tonegrid.Checkout, action, why, via string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE billing_checkouts SET status = $1, failure = $2, updated_at = $3 WHERE id = $4`,
		tonegrid.CheckoutFailed, why, tx.now, c.ID); err != nil {
		return translate(fmt.Errorf("mark checkout failed: %w", err))
	}
	if err := tx.audit(ctx, p, c.TenantID, action, "checkout", c.UUID,
		map[string]string{"plan": c.Plan.Slug, "provider": c.Provider, "reference": c.Reference, "reason": why, "via": via}); err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	return tonegrid.ErrPaymentFailed
}

// enforcePlanLimit refuses a change that would take a tenant past a limit
// of its plan: it locks the tenant's row (so concurrent changes of one
// tenant count one after the other), runs countQuery with args (which must
// answer one integer: what the tenant has now, in this transaction), and
// returns ErrPlanLimitReached naming the limit when that count plus adding
// exceeds the plan's limit. Limits the plan does not set, and the
// platform's root tenant, are unlimited.
//
// Call it inside the transaction that makes the change, before the change:
//
//	err := tx.enforcePlanLimit(ctx, tenantID, tonegrid.LimitReleasesPerYear, 1,
//		`SELECT COUNT(*) FROM releases WHERE tenant_id = $1 AND created_at >= $2`, tenantID, startOfYear)
func (tx *Tx) enforcePlanLimit(ctx context.Context, tenantID int64, kind tonegrid.PlanLimit, adding int, countQuery string, args ...any) error {
	var parent sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT parent_id FROM tenants WHERE id = $1`+tx.db.dialect.forNoKeyUpdate(), tenantID).Scan(&parent)
	if err != nil {
		return translate(fmt.Errorf("lock tenant %d for plan limits: %w", tenantID, err))
	}
	if !parent.Valid {
		return nil
	}
	sub, err := effectiveSubscription(ctx, tx, tenantID, tx.now)
	if err != nil {
		return err
	}
	max := sub.Plan.Limits.Of(kind)
	if max == nil {
		return nil
	}
	var current int
	if err := tx.QueryRowContext(ctx, countQuery, args...).Scan(&current); err != nil {
		return translate(fmt.Errorf("count %s: %w", kind, err))
	}
	if current+adding > *max {
		return tonegrid.ErrPlanLimitReached.Format(kind.Label(*max))
	}
	return nil
}

// seatsQuery counts a tenant's team seats: its live users (invited or
// not, suspended or not) and the client tenants it created, whose owners it
// invited.
const seatsQuery = `SELECT (SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND deleted_at IS NULL)
	+ (SELECT COUNT(*) FROM tenants WHERE parent_id = $1)`

// enforceSeats refuses to add one more seat to a tenant beyond its plan.
func (tx *Tx) enforceSeats(ctx context.Context, tenantID int64) error {
	return tx.enforcePlanLimit(ctx, tenantID, tonegrid.LimitTeamSeats, 1, seatsQuery, tenantID)
}

// ContactEmail is the address of a tenant's first active label admin, or ""
// when it has none.
func (db *DB) ContactEmail(ctx context.Context, tenantID int64) (string, error) {
	var email string
	err := db.queryRow(ctx, `SELECT email FROM users WHERE tenant_id = $1 AND role = $2 AND status = $3 AND deleted_at IS NULL
		ORDER BY id LIMIT 1`, tenantID, tonegrid.RoleLabelAdmin, tonegrid.StatusActive).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", translate(fmt.Errorf("find contact email: %w", err))
	}
	return email, nil
}
