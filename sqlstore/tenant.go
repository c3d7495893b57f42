package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"tonegrid"
)

const tenantColumns = `t.id, t.uuid, t.parent_id, COALESCE(CAST(p.uuid AS TEXT), ''), t.path, t.name, t.status, t.default_locale,
	t.revenue_share_percent, t.branding, t.created_at, t.updated_at`

const tenantFrom = ` FROM tenants t LEFT JOIN tenants p ON p.id = t.parent_id `

// scanTenant scans tenantColumns, then extra destinations.
func scanTenant(row interface{ Scan(...any) error }, extra ...any) (*tonegrid.Tenant, error) {
	var t tonegrid.Tenant
	var parent sql.NullInt64
	var parentUUID, branding string
	dest := []any{&t.ID, &t.UUID, &parent, &parentUUID, &t.Path, &t.Name, &t.Status, &t.DefaultLocale,
		&t.RevenueSharePercent, &branding, &t.CreatedAt, &t.UpdatedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := finishTenant(&t, parent, parentUUID, branding); err != nil {
		return nil, err
	}
	return &t, nil
}

// finishTenant fills what scanning leaves raw.
func finishTenant(t *tonegrid.Tenant, parent sql.NullInt64, parentUUID, branding string) error {
	if parent.Valid {
		p := parent.Int64
		t.ParentID = &p
		t.ParentUUID = parentUUID
	}
	t.RevenueSharePercent = canonicalDecimal(t.RevenueSharePercent)
	t.Branding = map[string]string{}
	if err := json.Unmarshal([]byte(branding), &t.Branding); err != nil {
		return fmt.Errorf("tenant %s branding: %w", t.UUID, err)
	}
	t.Domains = []string{}
	return nil
}

// canonicalDecimal trims the trailing zeros PostgreSQL's NUMERIC keeps
// ("100.0000" → "100") so both dialects answer the same text.
func canonicalDecimal(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// RootTenant returns the platform's own tenant, the one without a parent.
func (db *DB) RootTenant(ctx context.Context) (*tonegrid.Tenant, error) {
	t, err := scanTenant(db.queryRow(ctx, `SELECT `+tenantColumns+tenantFrom+`WHERE t.parent_id IS NULL`))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("root tenant: not seeded")
		}
		return nil, translate(fmt.Errorf("root tenant: %w", err))
	}
	return t, nil
}

// findTenant reads one tenant by id, with its domains.
func findTenant(ctx context.Context, q querier, id int64) (*tonegrid.Tenant, error) {
	t, err := scanTenant(q.QueryRowContext(ctx, `SELECT `+tenantColumns+tenantFrom+`WHERE t.id = $1`, id))
	if err != nil {
		return nil, translate(fmt.Errorf("find tenant %d: %w", id, err))
	}
	if err := loadDomains(ctx, q, []*tonegrid.Tenant{t}); err != nil {
		return nil, err
	}
	return t, nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// loadDomains fills the Domains of tenants.
func loadDomains(ctx context.Context, q querier, tenants []*tonegrid.Tenant) error {
	if len(tenants) == 0 {
		return nil
	}
	byID := map[int64]*tonegrid.Tenant{}
	ids := make([]string, 0, len(tenants))
	for _, t := range tenants {
		byID[t.ID] = t
		ids = append(ids, strconv.FormatInt(t.ID, 10))
	}
	rows, err := q.QueryContext(ctx, `SELECT tenant_id, domain FROM tenant_domains WHERE tenant_id IN (`+strings.Join(ids, ",")+`) ORDER BY domain`)
	if err != nil {
		return translate(fmt.Errorf("load domains: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var domain string
		if err := rows.Scan(&id, &domain); err != nil {
			return translate(fmt.Errorf("scan domain: %w", err))
		}
		byID[id].Domains = append(byID[id].Domains, domain)
	}
	return translate(rows.Err())
}

// suspendedAbove reports whether the tenant with path, or any tenant above
// it, is suspended.
func suspendedAbove(ctx context.Context, q querier, path string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM tenants WHERE status = 'suspended' AND substr($1, 1, length(path)) = path`, path).Scan(&n)
	if err != nil {
		return false, translate(fmt.Errorf("check suspension: %w", err))
	}
	return n > 0, nil
}

// ResolveTenant finds the tenant serving host: the root tenant for the
// platform's own host (the caller decides that), else the tenant that
// claims the domain.
func (db *DB) ResolveTenant(ctx context.Context, host string) (*tonegrid.Tenant, error) {
	host = normalizeDomain(host)
	var id int64
	err := db.queryRow(ctx, `SELECT tenant_id FROM tenant_domains WHERE domain = $1`, host).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrTenantUnresolved
	}
	if err != nil {
		return nil, translate(fmt.Errorf("resolve %s: %w", host, err))
	}
	return findTenant(ctx, reader{db}, id)
}

// normalizeDomain lowercases a host name and drops a port and a trailing dot.
func normalizeDomain(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.TrimSuffix(strings.Trim(host, "[]"), ".")
}

// insertTenant creates a tenant below parent and returns it.
func (tx *Tx) insertTenant(ctx context.Context, parent *tonegrid.Tenant, name, locale string) (*tonegrid.Tenant, error) {
	if locale == "" {
		locale = "en"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO tenants (uuid, parent_id, name, status, default_locale, created_at, updated_at)
		VALUES ($1, $2, $3, 'active', $4, $5, $5) RETURNING id`,
		newUUID(), parent.ID, name, locale, tx.now).Scan(&id)
	if err != nil {
		return nil, translate(fmt.Errorf("insert tenant: %w", err))
	}
	path := parent.Path + strconv.FormatInt(id, 10) + "/"
	if _, err := tx.ExecContext(ctx, `UPDATE tenants SET path = $1 WHERE id = $2`, path, id); err != nil {
		return nil, translate(fmt.Errorf("set tenant path: %w", err))
	}
	return findTenant(ctx, tx, id)
}

// ListClients lists the direct client tenants of the caller's tenant.
func (db *DB) ListClients(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.Tenant, int, error) {
	out, total, err := listPage(ctx, db, listQuery{what: "clients", from: "tenants t LEFT JOIN tenants p ON p.id = t.parent_id",
		where: "t.parent_id = $1", args: []any{p.Tenant.ID}, columns: tenantColumns, order: "t.id DESC"}, page,
		func(row interface{ Scan(...any) error }) (*tonegrid.Tenant, error) { return scanTenant(row) })
	if err != nil {
		return nil, 0, err
	}
	return out, total, loadDomains(ctx, reader{db}, out)
}

// findClient reads a direct client of the caller's tenant.
func findClient(ctx context.Context, q querier, p *tonegrid.Principal, uuid string) (*tonegrid.Tenant, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM tenants WHERE uuid = $1 AND parent_id = $2`, uuid, p.Tenant.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrClientNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find client: %w", err))
	}
	return findTenant(ctx, q, id)
}

// FindClient returns a direct client of the caller's tenant.
func (db *DB) FindClient(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Tenant, error) {
	return findClient(ctx, reader{db}, p, uuid)
}

// CreateClient creates a client tenant below the caller's, with its owner
// as label_admin, invited by mail. The owner takes one of the caller's
// tenant's team seats.
func (db *DB) CreateClient(ctx context.Context, p *tonegrid.Principal, in tonegrid.ClientInput) (*tonegrid.Tenant, *tonegrid.User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	if err := tx.enforceSeats(ctx, p.Tenant.ID); err != nil {
		return nil, nil, err
	}
	t, err := tx.insertTenant(ctx, p.Tenant, in.Name, p.Tenant.DefaultLocale)
	if err != nil {
		return nil, nil, err
	}
	owner, err := tx.inviteUser(ctx, p, t, tonegrid.InviteInput{Email: in.OwnerEmail, Name: in.OwnerName, Role: tonegrid.RoleLabelAdmin})
	if err != nil {
		return nil, nil, err
	}
	if in.Plan != "" {
		if err := tx.assignClientPlan(ctx, p, t.ID, in.Plan); err != nil {
			return nil, nil, err
		}
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "client.created", "tenant", t.UUID, map[string]string{"name": t.Name, "owner_email": owner.Email}); err != nil {
		return nil, nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, nil, err
	}
	return t, owner, nil
}

// CurrentTenant reads the tenant the caller acts in, domains included.
func (db *DB) CurrentTenant(ctx context.Context, p *tonegrid.Principal) (*tonegrid.Tenant, error) {
	return findTenant(ctx, reader{db}, p.Tenant.ID)
}

// UpdateTenant changes the caller's own tenant.
func (db *DB) UpdateTenant(ctx context.Context, p *tonegrid.Principal, upd tonegrid.TenantUpdate) (*tonegrid.Tenant, error) {
	return db.updateTenant(ctx, p, p.Tenant.ID, upd, "tenant.updated")
}

// UpdateClient changes a direct client of the caller's tenant.
func (db *DB) UpdateClient(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.TenantUpdate) (*tonegrid.Tenant, error) {
	c, err := findClient(ctx, reader{db}, p, uuid)
	if err != nil {
		return nil, err
	}
	return db.updateTenant(ctx, p, c.ID, upd, "client.updated")
}

func (db *DB) updateTenant(ctx context.Context, p *tonegrid.Principal, id int64, upd tonegrid.TenantUpdate, action string) (*tonegrid.Tenant, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	before, err := findTenant(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	details := map[string]string{}
	set := func(col string, v any) error {
		_, err := tx.ExecContext(ctx, `UPDATE tenants SET `+col+` = $1, updated_at = $2 WHERE id = $3`, v, tx.now, id)
		return translate(err)
	}
	if upd.Name != nil {
		if err := set("name", *upd.Name); err != nil {
			return nil, fmt.Errorf("update tenant name: %w", err)
		}
		details["name"] = *upd.Name
	}
	if upd.DefaultLocale != nil {
		if err := set("default_locale", *upd.DefaultLocale); err != nil {
			return nil, fmt.Errorf("update tenant locale: %w", err)
		}
		details["default_locale"] = *upd.DefaultLocale
	}
	if upd.Branding != nil {
		b, _ := json.Marshal(*upd.Branding)
		if err := set("branding", string(b)); err != nil {
			return nil, fmt.Errorf("update tenant branding: %w", err)
		}
		details["branding"] = "changed"
	}
	if upd.RevenueSharePercent != nil {
		if err := set("revenue_share_percent", *upd.RevenueSharePercent); err != nil {
			return nil, fmt.Errorf("update revenue share: %w", err)
		}
		details["revenue_share_percent"] = *upd.RevenueSharePercent
	}
	if upd.Status != nil && *upd.Status != before.Status {
		if err := set("status", *upd.Status); err != nil {
			return nil, fmt.Errorf("update tenant status: %w", err)
		}
		details["status"] = *upd.Status
		action = "client.status_changed"
		tx.authChanged = true
	}
	if upd.Domains != nil {
		if err := tx.replaceDomains(ctx, id, *upd.Domains); err != nil {
			return nil, err
		}
		details["domains"] = strings.Join(*upd.Domains, " ")
	}
	if len(details) == 0 {
		return before, nil
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, action, "tenant", before.UUID, details); err != nil {
		return nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return findTenant(ctx, reader{db}, id)
}

// replaceDomains sets the white-label domains of a tenant; a domain claimed
// by another tenant is a validation error on that entry.
func (tx *Tx) replaceDomains(ctx context.Context, tenantID int64, domains []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM tenant_domains WHERE tenant_id = $1`, tenantID); err != nil {
		return translate(fmt.Errorf("clear domains: %w", err))
	}
	for i, d := range domains {
		_, err := tx.ExecContext(ctx, `INSERT INTO tenant_domains (tenant_id, domain, created_at) VALUES ($1, $2, $3)`, tenantID, d, tx.now)
		if isUniqueViolation(err) {
			var v tonegrid.Violations
			v.Add(fmt.Sprintf("domains.%d", i), "taken")
			return v.Err()
		}
		if err != nil {
			return translate(fmt.Errorf("insert domain: %w", err))
		}
	}
	return nil
}
