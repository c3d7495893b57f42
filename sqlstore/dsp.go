package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tonegrid"
)

const dspColumns = `id, slug, name, ddex_party_id, ern_version, delivery_protocol, is_active, created_at, updated_at`

func scanDSP(row interface{ Scan(...any) error }) (*tonegrid.DSP, error) {
	var d tonegrid.DSP
	err := row.Scan(&d.ID, &d.Slug, &d.Name, &d.DDEXPartyID, &d.ERNVersion, &d.DeliveryProtocol, &d.IsActive, &d.CreatedAt, &d.UpdatedAt)
	return &d, err
}

// ListDSPs returns the stores ordered by name; only active ones unless
// includeInactive.
func (db *DB) ListDSPs(ctx context.Context, includeInactive bool) ([]*tonegrid.DSP, error) {
	rows, err := db.query(ctx, `SELECT `+dspColumns+` FROM dsps WHERE is_active OR $1 ORDER BY name`, includeInactive)
	if err != nil {
		return nil, translate(fmt.Errorf("list dsps: %w", err))
	}
	defer rows.Close()
	var out []*tonegrid.DSP
	for rows.Next() {
		d, err := scanDSP(rows)
		if err != nil {
			return nil, translate(fmt.Errorf("scan dsp: %w", err))
		}
		out = append(out, d)
	}
	return out, translate(rows.Err())
}

// FindActiveDSP returns the active store with slug, or ErrDSPNotFound.
func (db *DB) FindActiveDSP(ctx context.Context, slug string) (*tonegrid.DSP, error) {
	d, err := scanDSP(db.queryRow(ctx, `SELECT `+dspColumns+` FROM dsps WHERE slug = $1 AND is_active`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrDSPNotFound.Format(slug)
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find dsp %s: %w", slug, err))
	}
	return d, nil
}
