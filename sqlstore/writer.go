package sqlstore

import (
	"context"
	"fmt"

	"tonegrid"
)

const writerColumns = `w.id, w.uuid, w.tenant_id, w.name, w.ipi, w.pro, w.isni, w.created_at, w.updated_at`

func scanWriter(row interface{ Scan(...any) error }) (*tonegrid.Writer, error) {
	var w tonegrid.Writer
	err := row.Scan(&w.ID, &w.UUID, &w.TenantID, &w.Name, &w.IPI, &w.PRO, &w.ISNI, &w.CreatedAt, &w.UpdatedAt)
	return &w, err
}

// writerSorts are the sort keys of the writer list.
var writerSorts = map[string]string{"created_at": "w.id", "name": "lower(w.name)", "updated_at": "w.updated_at"}

// ListWriters lists the tenant's songwriters, newest first unless f.Sort
// says otherwise.
func (db *DB) ListWriters(ctx context.Context, p *tonegrid.Principal, f tonegrid.ListFilter) ([]*tonegrid.Writer, int, error) {
	where, args := `w.tenant_id = $1`, []any{p.Tenant.ID}
	if f.Q != "" {
		args = append(args, likePattern(f.Q))
		where += fmt.Sprintf(` AND w.name %s $%d ESCAPE '\'`, db.dialect.ilike(), len(args))
	}
	return listPage(ctx, db, listQuery{what: "writers", from: "writers w", where: where, args: args, columns: writerColumns,
		order: orderClause(f.Sort, writerSorts, "-created_at", "w.id")}, f.Page, scanWriter)
}

func findWriter(ctx context.Context, q querier, tenantID int64, uuid string) (*tonegrid.Writer, error) {
	return oneRow(q.QueryRowContext(ctx, `SELECT `+writerColumns+` FROM writers w WHERE w.uuid = $1 AND w.tenant_id = $2`, uuid, tenantID), scanWriter, tonegrid.ErrWriterNotFound, "writer")
}

// FindWriter reads a songwriter of the caller's tenant.
func (db *DB) FindWriter(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Writer, error) {
	return findWriter(ctx, reader{db}, p.Tenant.ID, uuid)
}

// CreateWriter adds a songwriter.
func (db *DB) CreateWriter(ctx context.Context, p *tonegrid.Principal, in tonegrid.WriterInput) (*tonegrid.Writer, error) {
	if err := requireCatalogEditor(p); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	uuid := newUUID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO writers (uuid, tenant_id, name, ipi, pro, isni, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, uuid, p.Tenant.ID, in.Name, in.IPI, in.PRO, in.ISNI, tx.now); err != nil {
		return nil, translate(fmt.Errorf("insert writer: %w", err))
	}
	w, err := findWriter(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return w, tx.commit()
}

// UpdateWriter changes a songwriter of the caller's tenant.
func (db *DB) UpdateWriter(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.WriterUpdate) (*tonegrid.Writer, error) {
	if err := requireCatalogEditor(p); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	w, err := findWriter(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE writers SET name = $1, ipi = $2, pro = $3, isni = $4, updated_at = $5
		WHERE id = $6 AND tenant_id = $7`,
		valueOr(upd.Name, w.Name), valueOr(upd.IPI, w.IPI), valueOr(upd.PRO, w.PRO), valueOr(upd.ISNI, w.ISNI),
		tx.now, w.ID, p.Tenant.ID); err != nil {
		return nil, translate(fmt.Errorf("update writer: %w", err))
	}
	if w, err = findWriter(ctx, tx, p.Tenant.ID, uuid); err != nil {
		return nil, err
	}
	return w, tx.commit()
}

// valueOr is *v when v is set, else cur.
func valueOr[T any](v *T, cur T) T {
	if v != nil {
		return *v
	}
	return cur
}
