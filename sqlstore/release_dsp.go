package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tonegrid"
)

// releaseID reads the id of a release of the tenant, or ErrReleaseNotFound.
func releaseID(ctx context.Context, q querier, tenantID int64, uuid string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM releases WHERE uuid = $1 AND tenant_id = $2`, uuid, tenantID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, tonegrid.ErrReleaseNotFound
	}
	if err != nil {
		return 0, translate(fmt.Errorf("find release: %w", err))
	}
	return id, nil
}

// releaseDSPs reads the stores attached to a release, by store name.
func releaseDSPs(ctx context.Context, q querier, tenantID, releaseID int64) ([]*tonegrid.ReleaseDSP, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.slug, d.name, d.ddex_party_id, d.ern_version, d.delivery_protocol, d.is_active,
			d.created_at, d.updated_at, rd.is_blocked, rd.release_date, rd.price_tier
		FROM release_dsps rd JOIN dsps d ON d.id = rd.dsp_id WHERE rd.release_id = $1 AND rd.tenant_id = $2 ORDER BY d.name`,
		releaseID, tenantID)
	if err != nil {
		return nil, translate(fmt.Errorf("list release dsps: %w", err))
	}
	defer rows.Close()
	out := []*tonegrid.ReleaseDSP{}
	for rows.Next() {
		var d tonegrid.DSP
		var rd tonegrid.ReleaseDSP
		var date sql.NullString
		if err := rows.Scan(&d.ID, &d.Slug, &d.Name, &d.DDEXPartyID, &d.ERNVersion, &d.DeliveryProtocol, &d.IsActive,
			&d.CreatedAt, &d.UpdatedAt, &rd.IsBlocked, &date, &rd.PriceTier); err != nil {
			return nil, translate(fmt.Errorf("scan release dsp: %w", err))
		}
		if rd.ReleaseDate, err = scanDate(date); err != nil {
			return nil, fmt.Errorf("release dsp %s release_date: %w", d.Slug, err)
		}
		rd.DSP = &d
		out = append(out, &rd)
	}
	return out, translate(rows.Err())
}

// ReleaseDSPs lists the stores attached to a release of the caller's
// tenant.
func (db *DB) ReleaseDSPs(ctx context.Context, p *tonegrid.Principal, uuid string) ([]*tonegrid.ReleaseDSP, error) {
	id, err := releaseID(ctx, reader{db}, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return releaseDSPs(ctx, reader{db}, p.Tenant.ID, id)
}

// activeDSPID reads the id of the active store with slug, or
// ErrDSPNotFound.
func activeDSPID(ctx context.Context, q querier, slug string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM dsps WHERE slug = $1 AND is_active`, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, tonegrid.ErrDSPNotFound.Format(slug)
	}
	if err != nil {
		return 0, translate(fmt.Errorf("find dsp %s: %w", slug, err))
	}
	return id, nil
}

// storeRelease locks a release for a change of its stores, which may
// happen in any status (delivery goes to the stores attached at the time).
func (tx *Tx) storeRelease(ctx context.Context, p *tonegrid.Principal, uuid string) (*lockedRelease, error) {
	l, err := tx.lockRelease(ctx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if err := mayEditRelease(ctx, tx, p, l.id); err != nil {
		return nil, err
	}
	return l, nil
}

// AttachDSPs attaches active stores to a release; an unknown or inactive
// slug attaches nothing at all.
func (db *DB) AttachDSPs(ctx context.Context, p *tonegrid.Principal, uuid string, slugs []string) ([]*tonegrid.ReleaseDSP, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.storeRelease(ctx, p, uuid)
	if err != nil {
		return nil, err
	}
	if err := tx.attachDSPs(ctx, p.Tenant.ID, l.id, slugs); err != nil {
		return nil, err
	}
	out, err := releaseDSPs(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	return out, tx.commit()
}

// attachDSPs attaches the active stores named by slugs to a release,
// within the plan's stores per release; an unknown or inactive slug
// attaches nothing.
func (tx *Tx) attachDSPs(ctx context.Context, tenantID, releaseID int64, slugs []string) error {
	dspIDs := make([]int64, len(slugs))
	for i, slug := range slugs {
		var err error
		if dspIDs[i], err = activeDSPID(ctx, tx, slug); err != nil {
			return err
		}
	}
	if err := tx.enforceDSPLimit(ctx, tenantID, releaseID, dspIDs); err != nil {
		return err
	}
	for i, slug := range slugs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO release_dsps (release_id, dsp_id, tenant_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) ON CONFLICT (release_id, dsp_id) DO NOTHING`, releaseID, dspIDs[i], tenantID, tx.now); err != nil {
			return translate(fmt.Errorf("attach dsp %s: %w", slug, err))
		}
	}
	return nil
}

// SetReleaseDSP changes the overrides of a store on a release, attaching
// the store first when it is not attached yet.
func (db *DB) SetReleaseDSP(ctx context.Context, p *tonegrid.Principal, uuid, slug string, upd tonegrid.ReleaseDSPUpdate) (*tonegrid.ReleaseDSP, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.storeRelease(ctx, p, uuid)
	if err != nil {
		return nil, err
	}
	dspID, err := activeDSPID(ctx, tx, slug)
	if err != nil {
		return nil, err
	}
	if err := tx.enforceDSPLimit(ctx, p.Tenant.ID, l.id, []int64{dspID}); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO release_dsps (release_id, dsp_id, tenant_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) ON CONFLICT (release_id, dsp_id) DO NOTHING`, l.id, dspID, p.Tenant.ID, tx.now); err != nil {
		return nil, translate(fmt.Errorf("attach dsp %s: %w", slug, err))
	}
	set := func(col string, v any) error {
		_, err := tx.ExecContext(ctx, `UPDATE release_dsps SET `+col+` = $1, updated_at = $2
			WHERE release_id = $3 AND dsp_id = $4 AND tenant_id = $5`, v, tx.now, l.id, dspID, p.Tenant.ID)
		return translate(err)
	}
	if upd.IsBlocked != nil {
		if err := set("is_blocked", *upd.IsBlocked); err != nil {
			return nil, fmt.Errorf("set dsp block: %w", err)
		}
	}
	if upd.ReleaseDate != nil {
		if err := set("release_date", nullDate(upd.ReleaseDate)); err != nil {
			return nil, fmt.Errorf("set dsp release date: %w", err)
		}
	}
	if upd.PriceTier != nil {
		if err := set("price_tier", *upd.PriceTier); err != nil {
			return nil, fmt.Errorf("set dsp price tier: %w", err)
		}
	}
	all, err := releaseDSPs(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	for _, rd := range all {
		if rd.DSP.ID == dspID {
			return rd, tx.commit()
		}
	}
	return nil, fmt.Errorf("dsp %s attached to release %s but not listed", slug, uuid)
}

// DetachDSP removes a store from a release.
func (db *DB) DetachDSP(ctx context.Context, p *tonegrid.Principal, uuid, slug string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	l, err := tx.storeRelease(ctx, p, uuid)
	if err != nil {
		return err
	}
	var dspID int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM dsps WHERE slug = $1`, slug).Scan(&dspID)
	if errors.Is(err, sql.ErrNoRows) {
		return tonegrid.ErrDSPNotFound.Format(slug)
	}
	if err != nil {
		return translate(fmt.Errorf("find dsp %s: %w", slug, err))
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM release_dsps WHERE release_id = $1 AND dsp_id = $2 AND tenant_id = $3`, l.id, dspID, p.Tenant.ID)
	if err != nil {
		return translate(fmt.Errorf("detach dsp %s: %w", slug, err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tonegrid.ErrReleaseDSPNotAttached.Format(slug)
	}
	return tx.commit()
}

// ReleaseRights reads the rights of a release of the caller's tenant; nil
// when they were never set.
func (db *DB) ReleaseRights(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Rights, error) {
	id, err := releaseID(ctx, reader{db}, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return releaseRights(ctx, reader{db}, p.Tenant.ID, id)
}

func releaseRights(ctx context.Context, q querier, tenantID, releaseID int64) (*tonegrid.Rights, error) {
	var r tonegrid.Rights
	var included, excluded, types string
	err := q.QueryRowContext(ctx, `SELECT master_owner, CAST(ownership_percent AS TEXT), territories_included, territories_excluded,
		rights_types FROM release_rights WHERE release_id = $1 AND tenant_id = $2`, releaseID, tenantID).
		Scan(&r.MasterOwner, &r.OwnershipPercent, &included, &excluded, &types)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(fmt.Errorf("read release rights: %w", err))
	}
	r.OwnershipPercent = canonicalDecimal(r.OwnershipPercent)
	if r.TerritoriesIncluded, err = decodeStrings(included); err != nil {
		return nil, fmt.Errorf("rights territories_included: %w", err)
	}
	if r.TerritoriesExcluded, err = decodeStrings(excluded); err != nil {
		return nil, fmt.Errorf("rights territories_excluded: %w", err)
	}
	if r.RightsTypes, err = decodeStrings(types); err != nil {
		return nil, fmt.Errorf("rights rights_types: %w", err)
	}
	return &r, nil
}

// SetReleaseRights replaces the rights of a draft or rejected release.
func (db *DB) SetReleaseRights(ctx context.Context, p *tonegrid.Principal, uuid string, r tonegrid.Rights) (*tonegrid.Rights, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.editableRelease(ctx, p, uuid)
	if err != nil {
		return nil, err
	}
	included, err := jsonText(nonNilStrings(r.TerritoriesIncluded))
	if err != nil {
		return nil, err
	}
	excluded, err := jsonText(nonNilStrings(r.TerritoriesExcluded))
	if err != nil {
		return nil, err
	}
	types, err := jsonText(nonNilStrings(r.RightsTypes))
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM release_rights WHERE release_id = $1 AND tenant_id = $2`, l.id, p.Tenant.ID); err != nil {
		return nil, translate(fmt.Errorf("clear release rights: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO release_rights (release_id, tenant_id, master_owner, ownership_percent,
			territories_included, territories_excluded, rights_types, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, l.id, p.Tenant.ID, r.MasterOwner, r.OwnershipPercent, included, excluded, types, tx.now); err != nil {
		return nil, translate(fmt.Errorf("insert release rights: %w", err))
	}
	out, err := releaseRights(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	return out, tx.commit()
}

// nonNilStrings turns nil into an empty slice, so JSON columns hold [].
func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// enforceDSPLimit refuses to attach more stores to a release than the
// tenant's plan allows, counting only the stores not attached yet.
func (tx *Tx) enforceDSPLimit(ctx context.Context, tenantID, releaseID int64, dspIDs []int64) error {
	attached := map[int64]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT dsp_id FROM release_dsps WHERE release_id = $1`, releaseID)
	if err != nil {
		return translate(fmt.Errorf("list attached dsps: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return translate(fmt.Errorf("scan attached dsp: %w", err))
		}
		attached[id] = true
	}
	if err := rows.Err(); err != nil {
		return translate(err)
	}
	adding := 0
	for _, id := range dspIDs {
		if !attached[id] {
			attached[id] = true
			adding++
		}
	}
	if adding == 0 {
		return nil
	}
	return tx.enforcePlanLimit(ctx, tenantID, tonegrid.LimitDSPs, adding,
		`SELECT COUNT(*) FROM release_dsps WHERE release_id = $1`, releaseID)
}
