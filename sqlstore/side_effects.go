package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"tonegrid"
)

// MailQueue puts a templated mail into the job queue inside a transaction,
// so a mail is sent exactly when the change that caused it commits. The
// implementation seals the data: mails carry codes and links.
type MailQueue interface {
	InsertMailTx(ctx context.Context, tx *sql.Tx, m tonegrid.Mail) error
}

// SetMailQueue wires outgoing mail into the store.
func (db *DB) SetMailQueue(m MailQueue) { db.mailQueue = m }

// SetPublicURL sets the base URL of links mailed to users of tenants without
// a white-label domain ("https://app.example.com").
func (db *DB) SetPublicURL(u string) { db.publicURL = u }

// mail queues m in the transaction.
func (tx *Tx) mail(ctx context.Context, m tonegrid.Mail) error {
	if tx.db.mailQueue == nil {
		return fmt.Errorf("queue mail %s: no mail queue configured", m.Template)
	}
	if err := tx.db.mailQueue.InsertMailTx(ctx, tx.Tx, m); err != nil {
		return fmt.Errorf("queue mail %s: %w", m.Template, err)
	}
	return nil
}

// link returns an absolute URL for path on the nearest white-label domain of
// tenant or its ancestors, else on the platform's public URL.
func (tx *Tx) link(ctx context.Context, tenant *tonegrid.Tenant, path string) (string, error) {
	var domain string
	err := tx.QueryRowContext(ctx, `
		SELECT d.domain FROM tenant_domains d JOIN tenants t ON t.id = d.tenant_id
		WHERE substr($1, 1, length(t.path)) = t.path
		ORDER BY length(t.path) DESC, d.domain LIMIT 1`, tenant.Path).Scan(&domain)
	switch {
	case err == nil:
		return "https://" + domain + path, nil
	case errors.Is(err, sql.ErrNoRows):
		return tx.db.publicURL + path, nil
	}
	return "", translate(fmt.Errorf("find link domain: %w", err))
}

// audit records an action of p in tenantID's audit log, with the request's
// id and address.
func (tx *Tx) audit(ctx context.Context, p *tonegrid.Principal, tenantID int64, action, targetType, targetUUID string, details map[string]string) error {
	ev := tonegrid.AuditEvent{TenantID: tenantID, Action: action, TargetType: targetType, TargetUUID: targetUUID, Details: details}
	if p != nil {
		ev.ActorID = p.ActorID()
		if p.APIKey != nil {
			ev.APIKeyID = p.APIKey.ID
		}
		if p.Actor != nil && p.Tenant != nil && p.Tenant.ID != p.Actor.TenantID {
			if ev.Details == nil {
				ev.Details = map[string]string{}
			}
			ev.Details["acting_in"] = p.Tenant.UUID
		}
	}
	return tx.recordAudit(ctx, ev)
}

func (tx *Tx) recordAudit(ctx context.Context, ev tonegrid.AuditEvent) error {
	meta := tonegrid.RequestMetaFrom(ctx)
	details := "{}"
	if len(ev.Details) > 0 {
		b, err := json.Marshal(ev.Details)
		if err != nil {
			return fmt.Errorf("audit details: %w", err)
		}
		details = string(b)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (uuid, tenant_id, action, actor_user_id, api_key_id, target_type, target_uuid, details, request_id, ip, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		newUUID(), ev.TenantID, ev.Action, nullID(ev.ActorID), nullID(ev.APIKeyID), ev.TargetType, ev.TargetUUID,
		details, meta.RequestID, meta.IP, tx.now)
	if err != nil {
		return translate(fmt.Errorf("insert audit entry: %w", err))
	}
	return nil
}

// nullID is NULL for a zero id.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ListAudit lists the caller's tenant's audit log, newest first.
func (db *DB) ListAudit(ctx context.Context, p *tonegrid.Principal, f tonegrid.AuditFilter) ([]*tonegrid.AuditEntry, int, error) {
	where, args := `a.tenant_id = $1`, []any{p.Tenant.ID}
	if f.Action != "" {
		where += ` AND a.action = $2`
		args = append(args, f.Action)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM audit_log a WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, translate(fmt.Errorf("count audit log: %w", err))
	}
	args = append(args, f.Page.PerPage, f.Page.Offset())
	rows, err := db.query(ctx, fmt.Sprintf(`
		SELECT a.id, a.uuid, a.action, COALESCE(CAST(u.uuid AS TEXT), ''), COALESCE(u.email, ''), COALESCE(CAST(k.uuid AS TEXT), ''),
			a.target_type, a.target_uuid, a.details, a.request_id, a.ip, a.created_at
		FROM audit_log a
		LEFT JOIN users u ON u.id = a.actor_user_id
		LEFT JOIN api_keys k ON k.id = a.api_key_id
		WHERE %s ORDER BY a.id DESC LIMIT $%d OFFSET $%d`, where, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, translate(fmt.Errorf("list audit log: %w", err))
	}
	defer rows.Close()
	var out []*tonegrid.AuditEntry
	for rows.Next() {
		var e tonegrid.AuditEntry
		var details string
		if err := rows.Scan(&e.ID, &e.UUID, &e.Action, &e.ActorUUID, &e.ActorEmail, &e.APIKeyUUID,
			&e.TargetType, &e.TargetUUID, &details, &e.RequestID, &e.IP, &e.CreatedAt); err != nil {
			return nil, 0, translate(fmt.Errorf("scan audit entry: %w", err))
		}
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, 0, fmt.Errorf("audit entry %s details: %w", e.UUID, err)
		}
		out = append(out, &e)
	}
	return out, total, translate(rows.Err())
}
