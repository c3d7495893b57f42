package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"tonegrid"
	"tonegrid/money"
)

// SplitsTolerance is how far from 100 the percentages of a track's splits
// may add up: 0.01.
var SplitsTolerance = money.MustParse("0.01")

// hundred is 100 percent.
var hundred = money.New(100, 0)

// CheckSplitsSum returns ErrSplitsSum unless the percentages add up to 100
// within SplitsTolerance; no splits at all is allowed (it clears them). The
// percentages must parse with money.ParsePercentage.
func CheckSplitsSum(splits []tonegrid.Split) error {
	if len(splits) == 0 {
		return nil
	}
	sum := money.New(0, 0)
	for _, s := range splits {
		d, err := money.ParsePercentage(s.Percentage)
		if err != nil {
			return fmt.Errorf("split of payee %s: %w", s.PayeeUUID, err)
		}
		if sum, err = sum.Add(d); err != nil {
			return fmt.Errorf("add split percentages: %w", err)
		}
	}
	diff, err := sum.Sub(hundred)
	if err != nil {
		return fmt.Errorf("compare splits with 100: %w", err)
	}
	if diff.Abs().Cmp(SplitsTolerance) > 0 {
		return tonegrid.ErrSplitsSum
	}
	return nil
}

// trackSplits reads a track's splits in their order, with payee names.
func trackSplits(ctx context.Context, q querier, tenantID, trackID int64) ([]tonegrid.Split, error) {
	rows, err := q.QueryContext(ctx, `SELECT CAST(y.uuid AS TEXT), y.name, CAST(s.percentage AS TEXT) FROM splits s
		JOIN payees y ON y.id = s.payee_id WHERE s.track_id = $1 AND s.tenant_id = $2 ORDER BY s.position`, trackID, tenantID)
	if err != nil {
		return nil, translate(fmt.Errorf("list splits: %w", err))
	}
	defer rows.Close()
	out := []tonegrid.Split{}
	for rows.Next() {
		var s tonegrid.Split
		if err := rows.Scan(&s.PayeeUUID, &s.PayeeName, &s.Percentage); err != nil {
			return nil, translate(fmt.Errorf("scan split: %w", err))
		}
		s.Percentage = canonicalDecimal(s.Percentage)
		out = append(out, s)
	}
	return out, translate(rows.Err())
}

// trackID reads the id of a track of the tenant, or ErrTrackNotFound.
func trackID(ctx context.Context, q querier, tenantID int64, uuid string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM tracks WHERE uuid = $1 AND tenant_id = $2`, uuid, tenantID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, tonegrid.ErrTrackNotFound
	}
	if err != nil {
		return 0, translate(fmt.Errorf("find track: %w", err))
	}
	return id, nil
}

// TrackSplits reads a track's royalty splits.
func (db *DB) TrackSplits(ctx context.Context, p *tonegrid.Principal, uuid string) ([]tonegrid.Split, error) {
	id, err := trackID(ctx, reader{db}, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return trackSplits(ctx, reader{db}, p.Tenant.ID, id)
}

// SetTrackSplits replaces a track's splits in one transaction: when the
// percentages do not add up or a payee is unknown, nothing changes. Splits
// may change in any release status (royalties are not part of what stores
// receive); users with role artist may not change them.
func (db *DB) SetTrackSplits(ctx context.Context, p *tonegrid.Principal, uuid string, splits []tonegrid.Split) ([]tonegrid.Split, error) {
	if err := requireCatalogEditor(p); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.lockTrack(ctx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if err := tx.replaceSplits(ctx, p.Tenant.ID, l.id, splits); err != nil {
		return nil, err
	}
	out, err := trackSplits(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "track.splits_replaced", "track", uuid, map[string]string{"splits": strconv.Itoa(len(out))}); err != nil {
		return nil, err
	}
	return out, tx.commit()
}

// replaceSplits replaces a track's splits, which must add up to 100; a
// payee unknown to the tenant is a field error at splits.N.payee_uuid.
func (tx *Tx) replaceSplits(ctx context.Context, tenantID, trackID int64, splits []tonegrid.Split) error {
	if err := CheckSplitsSum(splits); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM splits WHERE track_id = $1 AND tenant_id = $2`, trackID, tenantID); err != nil {
		return translate(fmt.Errorf("clear splits: %w", err))
	}
	var v tonegrid.Violations
	for i, s := range splits {
		payeeID, ok, err := idOf(ctx, tx, "payees", tenantID, s.PayeeUUID)
		if err != nil {
			return err
		}
		if !ok {
			v.Add("splits."+strconv.Itoa(i)+".payee_uuid", "not_found")
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO splits (track_id, payee_id, tenant_id, percentage, position, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, trackID, payeeID, tenantID, s.Percentage, i, tx.now); err != nil {
			return translate(fmt.Errorf("insert split: %w", err))
		}
	}
	return v.Err()
}

// trackWriters reads a track's writer credits in order, with names.
func trackWriters(ctx context.Context, q querier, tenantID, trackID int64) ([]tonegrid.TrackWriter, error) {
	rows, err := q.QueryContext(ctx, `SELECT CAST(w.uuid AS TEXT), w.name, x.role, CAST(x.share AS TEXT) FROM track_writers x
		JOIN writers w ON w.id = x.writer_id WHERE x.track_id = $1 AND x.tenant_id = $2 ORDER BY x.position`, trackID, tenantID)
	if err != nil {
		return nil, translate(fmt.Errorf("list track writers: %w", err))
	}
	defer rows.Close()
	out := []tonegrid.TrackWriter{}
	for rows.Next() {
		var w tonegrid.TrackWriter
		if err := rows.Scan(&w.WriterUUID, &w.WriterName, &w.Role, &w.Share); err != nil {
			return nil, translate(fmt.Errorf("scan track writer: %w", err))
		}
		w.Share = canonicalDecimal(w.Share)
		out = append(out, w)
	}
	return out, translate(rows.Err())
}

// TrackWriters reads a track's writer credits.
func (db *DB) TrackWriters(ctx context.Context, p *tonegrid.Principal, uuid string) ([]tonegrid.TrackWriter, error) {
	id, err := trackID(ctx, reader{db}, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return trackWriters(ctx, reader{db}, p.Tenant.ID, id)
}

// SetTrackWriters replaces a track's writer credits; the release must be a
// draft or rejected.
func (db *DB) SetTrackWriters(ctx context.Context, p *tonegrid.Principal, uuid string, writers []tonegrid.TrackWriter) ([]tonegrid.TrackWriter, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.editableTrack(ctx, p, uuid, tonegrid.Precondition{})
	if err != nil {
		return nil, err
	}
	if err := tx.replaceTrackWriters(ctx, p.Tenant.ID, l.id, writers); err != nil {
		return nil, err
	}
	out, err := trackWriters(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	return out, tx.commit()
}

// replaceTrackWriters replaces a track's writer credits; a writer unknown
// to the tenant is a field error at writers.N.writer_uuid.
func (tx *Tx) replaceTrackWriters(ctx context.Context, tenantID, trackID int64, writers []tonegrid.TrackWriter) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM track_writers WHERE track_id = $1 AND tenant_id = $2`, trackID, tenantID); err != nil {
		return translate(fmt.Errorf("clear track writers: %w", err))
	}
	var v tonegrid.Violations
	for i, w := range writers {
		writerID, ok, err := idOf(ctx, tx, "writers", tenantID, w.WriterUUID)
		if err != nil {
			return err
		}
		if !ok {
			v.Add("writers."+strconv.Itoa(i)+".writer_uuid", "not_found")
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO track_writers (track_id, writer_id, tenant_id, role, share, position)
			VALUES ($1, $2, $3, $4, $5, $6)`, trackID, writerID, tenantID, w.Role, w.Share, i); err != nil {
			return translate(fmt.Errorf("insert track writer: %w", err))
		}
	}
	return v.Err()
}

// idOf reads the id of the row of table (payees, writers) with uuid in the
// tenant; ok is false when there is none.
func idOf(ctx context.Context, q querier, table string, tenantID int64, uuid string) (id int64, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE uuid = $1 AND tenant_id = $2`, uuid, tenantID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, translate(fmt.Errorf("find %s %s: %w", table, uuid, err))
	}
	return id, true, nil
}
