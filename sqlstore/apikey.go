package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tonegrid"
	"tonegrid/secret"
)

// apiKeyPrefixLen is how much of a key is kept in clear to recognise it:
// "tgk_" and 8 characters.
const apiKeyPrefixLen = len(tonegrid.APIKeyPrefix) + 8

const apiKeyColumns = `k.id, k.uuid, k.tenant_id, k.name, k.prefix, k.scopes, k.allowed_ips, k.expires_at, k.last_used_at,
	k.revoked_at, k.created_at, k.updated_at`

func scanAPIKey(row interface{ Scan(...any) error }) (*tonegrid.APIKey, error) {
	var k tonegrid.APIKey
	var scopes, ips string
	var expires, used, revoked sql.NullTime
	if err := row.Scan(&k.ID, &k.UUID, &k.TenantID, &k.Name, &k.Prefix, &scopes, &ips, &expires, &used, &revoked,
		&k.CreatedAt, &k.UpdatedAt); err != nil {
		return nil, err
	}
	if err := finishAPIKey(&k, scopes, ips, expires, used, revoked); err != nil {
		return nil, err
	}
	return &k, nil
}

// finishAPIKey fills what scanning leaves raw.
func finishAPIKey(k *tonegrid.APIKey, scopes, ips string, expires, used, revoked sql.NullTime) error {
	k.Scopes = strings.Fields(scopes)
	if err := k.SetAllowedIPs(strings.Fields(ips)); err != nil {
		return fmt.Errorf("api key %s allowed_ips: %w", k.UUID, err)
	}
	if k.AllowedIPs == nil {
		k.AllowedIPs = []string{}
	}
	k.ExpiresAt, k.LastUsedAt, k.RevokedAt = timePtr(expires), timePtr(used), timePtr(revoked)
	return nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// ListAPIKeys lists the tenant's keys that are not revoked, newest first.
func (db *DB) ListAPIKeys(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.APIKey, int, error) {
	return listPage(ctx, db, listQuery{what: "api keys", from: "api_keys k", where: "k.tenant_id = $1 AND k.revoked_at IS NULL",
		args: []any{p.Tenant.ID}, columns: apiKeyColumns, order: "k.id DESC"}, page, scanAPIKey)
}

// CreateAPIKey mints a key for the caller's tenant and returns it with its
// plaintext, which is not stored (only its SHA-256 is).
func (db *DB) CreateAPIKey(ctx context.Context, p *tonegrid.Principal, in tonegrid.APIKeyInput) (*tonegrid.APIKey, string, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	k, plain, err := tx.insertAPIKey(ctx, p, in)
	if err != nil {
		return nil, "", err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "api_key.created", "api_key", k.UUID, map[string]string{"name": k.Name, "scopes": strings.Join(k.Scopes, " ")}); err != nil {
		return nil, "", err
	}
	return k, plain, tx.commit()
}

func (tx *Tx) insertAPIKey(ctx context.Context, p *tonegrid.Principal, in tonegrid.APIKeyInput) (*tonegrid.APIKey, string, error) {
	plain := secret.Token(tonegrid.APIKeyPrefix, 40)
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO api_keys (uuid, tenant_id, created_by_id, name, prefix, key_hash, scopes, allowed_ips, expires_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		newUUID(), p.Tenant.ID, nullID(p.ActorID()), in.Name, plain[:apiKeyPrefixLen], secret.Hash(plain),
		strings.Join(in.Scopes, " "), strings.Join(in.AllowedIPs, " "), in.ExpiresAt, tx.now).Scan(&id)
	if err != nil {
		return nil, "", translate(fmt.Errorf("insert api key: %w", err))
	}
	k, err := scanAPIKey(tx.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k WHERE k.id = $1`, id))
	if err != nil {
		return nil, "", translate(fmt.Errorf("read api key: %w", err))
	}
	return k, plain, nil
}

// findTenantAPIKey reads a key of the caller's tenant that is not revoked.
func findTenantAPIKey(ctx context.Context, q querier, p *tonegrid.Principal, uuid string) (*tonegrid.APIKey, error) {
	k, err := scanAPIKey(q.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k
		WHERE k.uuid = $1 AND k.tenant_id = $2 AND k.revoked_at IS NULL`, uuid, p.Tenant.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrAPIKeyNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find api key: %w", err))
	}
	return k, nil
}

// RotateAPIKey mints a successor of a key with the same name, scopes,
// expiry and allowed IPs; the old key keeps working until now + grace.
func (db *DB) RotateAPIKey(ctx context.Context, p *tonegrid.Principal, uuid string, grace time.Duration) (*tonegrid.APIKey, string, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	old, err := findTenantAPIKey(ctx, tx, p, uuid)
	if err != nil {
		return nil, "", err
	}
	next, plain, err := tx.insertAPIKey(ctx, p, tonegrid.APIKeyInput{Name: old.Name, Scopes: old.Scopes, ExpiresAt: old.ExpiresAt, AllowedIPs: old.AllowedIPs})
	if err != nil {
		return nil, "", err
	}
	until := tx.now.Add(grace)
	if old.ExpiresAt != nil && old.ExpiresAt.Before(until) {
		until = *old.ExpiresAt
	}
	if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET expires_at = $1, updated_at = $2 WHERE id = $3`, until, tx.now, old.ID); err != nil {
		return nil, "", translate(fmt.Errorf("end rotated key: %w", err))
	}
	tx.authChanged = true
	if err := tx.audit(ctx, p, p.Tenant.ID, "api_key.rotated", "api_key", old.UUID,
		map[string]string{"successor": next.UUID, "old_valid_until": until.Format(time.RFC3339)}); err != nil {
		return nil, "", err
	}
	return next, plain, tx.commit()
}

// RevokeAPIKey revokes a key at once.
func (db *DB) RevokeAPIKey(ctx context.Context, p *tonegrid.Principal, uuid string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	k, err := findTenantAPIKey(ctx, tx, p, uuid)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1, updated_at = $1 WHERE id = $2`, tx.now, k.ID); err != nil {
		return translate(fmt.Errorf("revoke api key: %w", err))
	}
	tx.authChanged = true
	if err := tx.audit(ctx, p, p.Tenant.ID, "api_key.revoked", "api_key", k.UUID, map[string]string{"name": k.Name}); err != nil {
		return err
	}
	return tx.commit()
}

// APIKeyByHash finds the key whose SHA-256 is hash, with its tenant and
// whether that tenant or one above it is suspended, in one query. Revoked
// and expired keys are returned too: the caller decides.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (*tonegrid.APIKey, *tonegrid.Tenant, bool, error) {
	row := db.queryRow(ctx, `SELECT `+apiKeyColumns+`, `+tenantColumns+`, `+suspendedCount+`
		FROM api_keys k JOIN tenants t ON t.id = k.tenant_id LEFT JOIN tenants p ON p.id = t.parent_id
		WHERE k.key_hash = $1`, hash)
	var k tonegrid.APIKey
	var scopes, ips string
	var expires, used, revoked sql.NullTime
	var suspended int
	t, err := scanTenant(prefixScanner{row, []any{&k.ID, &k.UUID, &k.TenantID, &k.Name, &k.Prefix, &scopes, &ips,
		&expires, &used, &revoked, &k.CreatedAt, &k.UpdatedAt}}, &suspended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, false, tonegrid.ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, false, translate(fmt.Errorf("find api key: %w", err))
	}
	if err := finishAPIKey(&k, scopes, ips, expires, used, revoked); err != nil {
		return nil, nil, false, err
	}
	return &k, t, suspended > 0, nil
}

// prefixScanner scans into its own destinations first, then the caller's.
type prefixScanner struct {
	row  interface{ Scan(...any) error }
	head []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.row.Scan(append(p.head, dest...)...) }

// TouchAPIKey records that a key was used at when.
func (db *DB) TouchAPIKey(ctx context.Context, id int64, when time.Time) error {
	_, err := db.write.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, when.UTC(), id)
	return translate(err)
}
