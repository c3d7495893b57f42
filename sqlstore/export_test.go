package sqlstore

import (
	"context"

	"tonegrid"
)

// EnforcePlanLimit runs enforcePlanLimit in a transaction of its own, for
// the conformance tests of the helper other areas call.
func (db *DB) EnforcePlanLimit(ctx context.Context, tenantID int64, kind tonegrid.PlanLimit, adding int, countQuery string, args ...any) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.enforcePlanLimit(ctx, tenantID, kind, adding, countQuery, args...); err != nil {
		return err
	}
	return tx.commit()
}
