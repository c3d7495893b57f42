package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"tonegrid"
)

// CreateFirstSuperAdmin creates the platform's first super_admin in the root
// tenant, with a verified email, when the database has no user yet. It
// reports whether it created one.
func (db *DB) CreateFirstSuperAdmin(ctx context.Context, email, name, passwordHash string) (bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	var users int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
		return false, translate(fmt.Errorf("count users: %w", err))
	}
	if users > 0 {
		return false, nil
	}
	var rootID int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM tenants WHERE parent_id IS NULL`).Scan(&rootID); err != nil {
		return false, translate(fmt.Errorf("find root tenant: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO users (uuid, tenant_id, email, name, role, status, locale, password_hash, email_verified_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'active', 'en', $6, $7, $7, $7)`,
		newUUID(), rootID, strings.ToLower(strings.TrimSpace(email)), name, tonegrid.RoleSuperAdmin, passwordHash, tx.now); err != nil {
		return false, translate(fmt.Errorf("insert super admin: %w", err))
	}
	return true, tx.commit()
}
