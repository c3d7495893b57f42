package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"tonegrid"
)

// emit records a lifecycle event of tenantID in the outbox, inside tx, with
// data as its JSON payload. It is the one way events are written: an event
// exists exactly when the change it reports committed, and webhook delivery
// reads the outbox afterwards.
func (tx *Tx) emit(ctx context.Context, tenantID int64, eventType string, data any) error {
	payload, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", eventType, err)
	}
	if tx.db.dialect == Postgres {
		// Held until commit: the webhook dispatcher waits for it, so it
		// never moves its cursor past an event still being written.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, outboxLock); err != nil {
			return translate(fmt.Errorf("lock outbox: %w", err))
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO events (uuid, tenant_id, type, payload, created_at) VALUES ($1, $2, $3, $4, $5)`,
		newUUID(), tenantID, eventType, string(payload), tx.now); err != nil {
		return translate(fmt.Errorf("insert %s event: %w", eventType, err))
	}
	return nil
}

// EventsAfter lists outbox events of every tenant with an id above afterID,
// oldest first, at most limit: what webhook delivery reads.
func (db *DB) EventsAfter(ctx context.Context, afterID int64, limit int) ([]*tonegrid.Event, error) {
	rows, err := db.query(ctx, `SELECT e.id, e.uuid, e.tenant_id, t.uuid, e.type, e.payload, e.created_at
		FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE e.id > $1 ORDER BY e.id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, translate(fmt.Errorf("list events: %w", err))
	}
	defer rows.Close()
	var out []*tonegrid.Event
	for rows.Next() {
		var e tonegrid.Event
		var payload string
		if err := rows.Scan(&e.ID, &e.UUID, &e.TenantID, &e.TenantUUID, &e.Type, &payload, &e.CreatedAt); err != nil {
			return nil, translate(fmt.Errorf("scan event: %w", err))
		}
		e.Data = json.RawMessage(payload)
		out = append(out, &e)
	}
	return out, translate(rows.Err())
}
