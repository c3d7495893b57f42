package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tonegrid"
)

const tenantColumns = `id, uuid, parent_id, name, status, default_locale, created_at, updated_at`

func scanTenant(row interface{ Scan(...any) error }) (*tonegrid.Tenant, error) {
	var t tonegrid.Tenant
	var parent sql.NullInt64
	if err := row.Scan(&t.ID, &t.UUID, &parent, &t.Name, &t.Status, &t.DefaultLocale, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	if parent.Valid {
		t.ParentID = &parent.Int64
	}
	return &t, nil
}

// RootTenant returns the platform's own tenant, the one without a parent.
func (db *DB) RootTenant(ctx context.Context) (*tonegrid.Tenant, error) {
	t, err := scanTenant(db.read.QueryRowContext(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE parent_id IS NULL`))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("root tenant: not seeded")
		}
		return nil, translate(fmt.Errorf("root tenant: %w", err))
	}
	return t, nil
}
