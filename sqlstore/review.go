package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tonegrid"
)

// releaseCheck gathers what the pre-delivery validation of r (read with
// its tracks) needs: track writers, the stores it goes to, whether the UPC
// pool would give it a code.
func releaseCheck(ctx context.Context, q querier, tenantID int64, r *tonegrid.Release, today tonegrid.Date) (tonegrid.ReleaseCheck, error) {
	c := tonegrid.ReleaseCheck{Release: r, Writers: map[string][]tonegrid.TrackWriter{}, Today: today}
	for _, t := range r.Tracks {
		ws, err := trackWriters(ctx, q, tenantID, t.ID)
		if err != nil {
			return c, err
		}
		c.Writers[t.UUID] = ws
	}
	dsps, err := releaseDSPs(ctx, q, tenantID, r.ID)
	if err != nil {
		return c, err
	}
	for _, d := range dsps {
		if d.DSP.IsActive && !d.IsBlocked {
			c.DSPs = append(c.DSPs, d.DSP)
		}
	}
	if r.UPC == "" {
		free, err := freeUPCs(ctx, q, tenantID)
		if err != nil {
			return c, err
		}
		c.PoolAssignsUPC = free > 0
	}
	return c, nil
}

// ValidateRelease checks a release of the caller's tenant against the rules
// of every store it is attached to (active and not blocked).
func (db *DB) ValidateRelease(ctx context.Context, p *tonegrid.Principal, uuid string) ([]tonegrid.ValidationItem, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := findRelease(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if r.Tracks, err = releaseTracks(ctx, tx, p.Tenant.ID, r); err != nil {
		return nil, err
	}
	c, err := releaseCheck(ctx, tx, p.Tenant.ID, r, tonegrid.DateOf(tx.now))
	if err != nil {
		return nil, err
	}
	return tonegrid.ValidateRelease(c), nil
}

// SubmitRelease puts a draft or rejected release in review after its
// checks pass, in this order: tracks, stores, release date, date at least
// 7 days ahead, audio on every track, artwork, then no blocking item in the
// validation report.
func (db *DB) SubmitRelease(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Release, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.changeableRelease(ctx, p, uuid, tonegrid.Precondition{}, tonegrid.ErrReleaseNotSubmittable)
	if err != nil {
		return nil, err
	}
	r, err := findReleaseByID(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	if r.Tracks, err = releaseTracks(ctx, tx, p.Tenant.ID, r); err != nil {
		return nil, err
	}
	today := tonegrid.DateOf(tx.now)
	c, err := releaseCheck(ctx, tx, p.Tenant.ID, r, today)
	if err != nil {
		return nil, err
	}
	if err := submitChecks(c); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE releases SET status = 'pending_review', reject_reason = '', submitted_at = $1,
		row_version = row_version + 1, updated_at = $1 WHERE id = $2 AND tenant_id = $3`, tx.now, l.id, p.Tenant.ID); err != nil {
		return nil, translate(fmt.Errorf("submit release: %w", err))
	}
	return tx.finishTransition(ctx, p, p.Tenant.ID, l.id, tonegrid.EventReleaseSubmitted, nil)
}

// submitChecks runs the submit checks of a release in the contract's order.
func submitChecks(c tonegrid.ReleaseCheck) error {
	r := c.Release
	switch {
	case len(r.Tracks) == 0:
		return tonegrid.ErrReleaseNoTracks
	case len(c.DSPs) == 0:
		return tonegrid.ErrReleaseNoDSPs
	case r.ReleaseDate == nil:
		return tonegrid.ErrReleaseNoDate
	case r.ReleaseDate.Before(c.Today.AddDays(7)):
		return tonegrid.ErrReleaseDateTooSoon
	}
	for _, t := range r.Tracks {
		if t.Audio == nil {
			return tonegrid.ErrTrackAudioMissing
		}
	}
	if r.Artwork == nil {
		return tonegrid.ErrArtworkMissing
	}
	for _, item := range tonegrid.ValidateRelease(c) {
		if item.Severity == tonegrid.SeverityBlocking {
			return tonegrid.ErrReleaseInvalid
		}
	}
	return nil
}

// finishTransition reads the release after a status change, records the
// event and the audit entry, and commits.
func (tx *Tx) finishTransition(ctx context.Context, p *tonegrid.Principal, tenantID, releaseID int64, event string, details map[string]string) (*tonegrid.Release, error) {
	r, err := findReleaseByID(ctx, tx, tenantID, releaseID)
	if err != nil {
		return nil, err
	}
	if err := tx.emit(ctx, tenantID, event, r); err != nil {
		return nil, err
	}
	if details == nil {
		details = map[string]string{}
	}
	details["title"] = r.Title
	if err := tx.audit(ctx, p, tenantID, event, "release", r.UUID, details); err != nil {
		return nil, err
	}
	if r.Tracks, err = releaseTracks(ctx, tx, tenantID, r); err != nil {
		return nil, err
	}
	return r, tx.commit()
}

// ListPendingReview lists the releases pending review in the caller's
// tenant and below it, oldest submission first, with their tenants.
func (db *DB) ListPendingReview(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.PendingRelease, int, error) {
	below := p.Tenant.Path + "%"
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM releases r JOIN tenants t ON t.id = r.tenant_id
		WHERE r.status = 'pending_review' AND t.path LIKE $1`, below).Scan(&total); err != nil {
		return nil, 0, translate(fmt.Errorf("count pending releases: %w", err))
	}
	rows, err := db.query(ctx, `SELECT `+releaseColumns+`, CAST(t.uuid AS TEXT), t.name FROM releases r JOIN tenants t ON t.id = r.tenant_id
		WHERE r.status = 'pending_review' AND t.path LIKE $1 ORDER BY r.submitted_at, r.id LIMIT $2 OFFSET $3`,
		below, page.PerPage, page.Offset())
	if err != nil {
		return nil, 0, translate(fmt.Errorf("list pending releases: %w", err))
	}
	defer rows.Close()
	var out []*tonegrid.PendingRelease
	for rows.Next() {
		var s releaseScan
		var pr tonegrid.PendingRelease
		if err := rows.Scan(append(s.dest(), &pr.TenantUUID, &pr.TenantName)...); err != nil {
			return nil, 0, translate(fmt.Errorf("scan pending release: %w", err))
		}
		if pr.Release, err = s.release(); err != nil {
			return nil, 0, err
		}
		out = append(out, &pr)
	}
	return out, total, translate(rows.Err())
}

// lockReviewable locks a release pending review in the caller's tenant or a
// tenant below it, for the platform staff's review.
func (tx *Tx) lockReviewable(ctx context.Context, p *tonegrid.Principal, uuid string) (*lockedRelease, error) {
	l := lockedRelease{uuid: uuid}
	err := tx.QueryRowContext(ctx, `SELECT id, tenant_id, status, row_version, updated_at FROM releases
		WHERE uuid = $1 AND tenant_id IN (SELECT id FROM tenants WHERE path LIKE $2)`+tx.db.dialect.forUpdate(),
		uuid, p.Tenant.Path+"%").Scan(&l.id, &l.tenantID, &l.status, &l.rowVersion, &l.updatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrReleaseNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("lock release for review: %w", err))
	}
	if l.status != tonegrid.ReleasePendingReview {
		return nil, tonegrid.ErrReleaseNotPending
	}
	return &l, nil
}

// ApproveRelease approves a release pending review; a release without a
// UPC gets the lowest free code of its tenant's pool when the tenant has a
// pool (ErrUPCPoolEmpty when the pool has no free code left).
func (db *DB) ApproveRelease(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Release, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.lockReviewable(ctx, p, uuid)
	if err != nil {
		return nil, err
	}
	details := map[string]string{}
	var upc string
	if err := tx.QueryRowContext(ctx, `SELECT upc FROM releases WHERE id = $1`, l.id).Scan(&upc); err != nil {
		return nil, translate(fmt.Errorf("read release upc: %w", err))
	}
	if upc == "" {
		if upc, err = tx.assignPoolUPC(ctx, l.tenantID, l.id); err != nil {
			return nil, err
		}
		if upc != "" {
			details["upc"] = upc
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE releases SET status = 'approved', upc = $1, reject_reason = '', approved_at = $2,
		row_version = row_version + 1, updated_at = $2 WHERE id = $3`, upc, tx.now, l.id); err != nil {
		return nil, translate(fmt.Errorf("approve release: %w", err))
	}
	return tx.finishTransition(ctx, p, l.tenantID, l.id, tonegrid.EventReleaseApproved, details)
}

// RejectRelease sends a release pending review back to its label with a
// reason; it becomes editable again.
func (db *DB) RejectRelease(ctx context.Context, p *tonegrid.Principal, uuid, reason string) (*tonegrid.Release, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.lockReviewable(ctx, p, uuid)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE releases SET status = 'rejected', reject_reason = $1, row_version = row_version + 1,
		updated_at = $2 WHERE id = $3`, reason, tx.now, l.id); err != nil {
		return nil, translate(fmt.Errorf("reject release: %w", err))
	}
	return tx.finishTransition(ctx, p, l.tenantID, l.id, tonegrid.EventReleaseRejected, map[string]string{"reason": reason})
}
