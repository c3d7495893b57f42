package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"tonegrid"
)

// freeUPCsWhere selects the codes of tenant $1's pool that no release has:
// not assigned, and not typed into a release by hand either.
const freeUPCsWhere = `tenant_id = $1 AND release_id IS NULL
	AND upc NOT IN (SELECT upc FROM releases WHERE tenant_id = $1 AND upc <> '')`

// freeUPCs counts the free codes of a tenant's pool.
func freeUPCs(ctx context.Context, q querier, tenantID int64) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM upc_pool WHERE `+freeUPCsWhere, tenantID).Scan(&n); err != nil {
		return 0, translate(fmt.Errorf("count free upcs: %w", err))
	}
	return n, nil
}

// upcPool counts a tenant's pool.
func upcPool(ctx context.Context, q querier, tenantID int64) (tonegrid.UPCPool, error) {
	var pool tonegrid.UPCPool
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM upc_pool WHERE tenant_id = $1`, tenantID).Scan(&pool.Total); err != nil {
		return pool, translate(fmt.Errorf("count upc pool: %w", err))
	}
	var err error
	pool.Available, err = freeUPCs(ctx, q, tenantID)
	return pool, err
}

// UPCPool counts the codes of the caller's tenant's UPC pool.
func (db *DB) UPCPool(ctx context.Context, p *tonegrid.Principal) (tonegrid.UPCPool, error) {
	return upcPool(ctx, reader{db}, p.Tenant.ID)
}

// AddUPCs adds canonical codes to the caller's tenant's pool; codes already
// in the pool or on a release of the tenant are skipped.
func (db *DB) AddUPCs(ctx context.Context, p *tonegrid.Principal, upcs []string) (int, tonegrid.UPCPool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, tonegrid.UPCPool{}, err
	}
	defer tx.Rollback()
	added := 0
	for _, upc := range upcs {
		res, err := tx.ExecContext(ctx, `INSERT INTO upc_pool (tenant_id, upc, created_at)
			SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM releases WHERE tenant_id = $1 AND upc = $2)
			ON CONFLICT (tenant_id, upc) DO NOTHING`, p.Tenant.ID, upc, tx.now)
		if err != nil {
			return 0, tonegrid.UPCPool{}, translate(fmt.Errorf("add upc: %w", err))
		}
		n, _ := res.RowsAffected()
		added += int(n)
	}
	pool, err := upcPool(ctx, tx, p.Tenant.ID)
	if err != nil {
		return 0, pool, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "upc_pool.added", "tenant", p.Tenant.UUID, map[string]string{"added": strconv.Itoa(added)}); err != nil {
		return 0, pool, err
	}
	return added, pool, tx.commit()
}

// assignPoolUPC gives a release the lowest free code of its tenant's pool
// and returns it; "" when the tenant has no pool at all. A pool without a
// free code is ErrUPCPoolEmpty.
func (tx *Tx) assignPoolUPC(ctx context.Context, tenantID, releaseID int64) (string, error) {
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM upc_pool WHERE tenant_id = $1`, tenantID).Scan(&total); err != nil {
		return "", translate(fmt.Errorf("count upc pool: %w", err))
	}
	if total == 0 {
		return "", nil
	}
	var id int64
	var upc string
	err := tx.QueryRowContext(ctx, `SELECT id, upc FROM upc_pool WHERE `+freeUPCsWhere+` ORDER BY upc LIMIT 1`+tx.db.dialect.skipLocked(),
		tenantID).Scan(&id, &upc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tonegrid.ErrUPCPoolEmpty
	}
	if err != nil {
		return "", translate(fmt.Errorf("pick pool upc: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE upc_pool SET release_id = $1, assigned_at = $2 WHERE id = $3`, releaseID, tx.now, id); err != nil {
		return "", translate(fmt.Errorf("assign pool upc: %w", err))
	}
	return upc, nil
}
