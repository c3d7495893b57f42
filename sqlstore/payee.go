package sqlstore

import (
	"context"
	"fmt"

	"tonegrid"
)

const payeeColumns = `y.id, y.uuid, y.tenant_id, y.name, y.email, y.currency, y.created_at, y.updated_at`

func scanPayee(row interface{ Scan(...any) error }) (*tonegrid.Payee, error) {
	var y tonegrid.Payee
	err := row.Scan(&y.ID, &y.UUID, &y.TenantID, &y.Name, &y.Email, &y.Currency, &y.CreatedAt, &y.UpdatedAt)
	return &y, err
}

// payeeSorts are the sort keys of the payee list.
var payeeSorts = map[string]string{"created_at": "y.id", "name": "lower(y.name)", "updated_at": "y.updated_at"}

// ListPayees lists the tenant's payees, newest first unless f.Sort says
// otherwise; Q matches names and emails.
func (db *DB) ListPayees(ctx context.Context, p *tonegrid.Principal, f tonegrid.ListFilter) ([]*tonegrid.Payee, int, error) {
	where, args := `y.tenant_id = $1`, []any{p.Tenant.ID}
	if f.Q != "" {
		args = append(args, likePattern(f.Q))
		where += fmt.Sprintf(` AND (y.name %[1]s $%[2]d ESCAPE '\' OR y.email %[1]s $%[2]d ESCAPE '\')`, db.dialect.ilike(), len(args))
	}
	return listPage(ctx, db, listQuery{what: "payees", from: "payees y", where: where, args: args, columns: payeeColumns,
		order: orderClause(f.Sort, payeeSorts, "-created_at", "y.id")}, f.Page, scanPayee)
}

func findPayee(ctx context.Context, q querier, tenantID int64, uuid string) (*tonegrid.Payee, error) {
	return oneRow(q.QueryRowContext(ctx, `SELECT `+payeeColumns+` FROM payees y WHERE y.uuid = $1 AND y.tenant_id = $2`, uuid, tenantID), scanPayee, tonegrid.ErrPayeeNotFound, "payee")
}

// FindPayee reads a payee of the caller's tenant.
func (db *DB) FindPayee(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Payee, error) {
	return findPayee(ctx, reader{db}, p.Tenant.ID, uuid)
}

// CreatePayee adds a payee.
func (db *DB) CreatePayee(ctx context.Context, p *tonegrid.Principal, in tonegrid.PayeeInput) (*tonegrid.Payee, error) {
	if err := requireCatalogEditor(p); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	uuid := newUUID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO payees (uuid, tenant_id, name, email, currency, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, uuid, p.Tenant.ID, in.Name, in.Email, in.Currency, tx.now); err != nil {
		return nil, translate(fmt.Errorf("insert payee: %w", err))
	}
	y, err := findPayee(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return y, tx.commit()
}

// UpdatePayee changes a payee of the caller's tenant.
func (db *DB) UpdatePayee(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.PayeeUpdate) (*tonegrid.Payee, error) {
	if err := requireCatalogEditor(p); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	y, err := findPayee(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payees SET name = $1, email = $2, currency = $3, updated_at = $4
		WHERE id = $5 AND tenant_id = $6`,
		valueOr(upd.Name, y.Name), valueOr(upd.Email, y.Email), valueOr(upd.Currency, y.Currency), tx.now, y.ID, p.Tenant.ID); err != nil {
		return nil, translate(fmt.Errorf("update payee: %w", err))
	}
	if y, err = findPayee(ctx, tx, p.Tenant.ID, uuid); err != nil {
		return nil, err
	}
	return y, tx.commit()
}
