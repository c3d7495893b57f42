package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tonegrid"
)

// DeleteTrackWithMedia deletes a track of a draft or rejected release as
// DeleteTrack does and, in the same transaction, the media row of its
// audio. It returns the deleted media so that the caller removes their
// blobs once this returned (the transaction committed).
func (db *DB) DeleteTrackWithMedia(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) ([]*tonegrid.Media, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.editableTrack(ctx, p, uuid, pre)
	if err != nil {
		return nil, err
	}
	t, err := findTrack(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	held, err := tx.mediaByUUIDs(ctx, p.Tenant.ID, audioMediaUUIDs(t))
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tracks WHERE id = $1 AND tenant_id = $2`, l.id, p.Tenant.ID); err != nil {
		return nil, translate(fmt.Errorf("delete track: %w", err))
	}
	if err := tx.deleteMediaRows(ctx, held); err != nil {
		return nil, err
	}
	return held, tx.commit()
}

// DeleteReleaseWithMedia deletes a draft or rejected release with its
// tracks as DeleteRelease does and, in the same transaction, the media
// rows of its artwork, its videos and its tracks' audio. It returns the
// deleted media so that the caller removes their blobs once this returned.
func (db *DB) DeleteReleaseWithMedia(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) ([]*tonegrid.Media, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.changeableRelease(ctx, p, uuid, pre, tonegrid.ErrReleaseNotDeletable)
	if err != nil {
		return nil, err
	}
	r, err := findReleaseByID(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	held, err := tx.releaseMedia(ctx, p.Tenant.ID, r)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM releases WHERE id = $1 AND tenant_id = $2`, l.id, p.Tenant.ID); err != nil {
		return nil, translate(fmt.Errorf("delete release: %w", err))
	}
	if err := tx.deleteMediaRows(ctx, held); err != nil {
		return nil, err
	}
	if err := tx.emit(ctx, p.Tenant.ID, tonegrid.EventReleaseDeleted, r); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "release.deleted", "release", r.UUID, map[string]string{"title": r.Title}); err != nil {
		return nil, err
	}
	return held, tx.commit()
}

// audioMediaUUIDs lists the media uuids of the tracks' audio.
func audioMediaUUIDs(ts ...*tonegrid.Track) []string {
	var out []string
	for _, t := range ts {
		if t.Audio != nil && t.Audio.MediaUUID != "" {
			out = append(out, t.Audio.MediaUUID)
		}
	}
	return out
}

// releaseMedia reads every media row a release holds: its artwork, its
// animated artwork and music videos, and its tracks' audio.
func (tx *Tx) releaseMedia(ctx context.Context, tenantID int64, r *tonegrid.Release) ([]*tonegrid.Media, error) {
	tracks, err := releaseTracks(ctx, tx, tenantID, r)
	if err != nil {
		return nil, err
	}
	uuids := audioMediaUUIDs(tracks...)
	if r.Artwork != nil && r.Artwork.MediaUUID != "" {
		uuids = append(uuids, r.Artwork.MediaUUID)
	}
	held, err := tx.mediaByUUIDs(ctx, tenantID, uuids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media m JOIN release_videos v ON v.media_id = m.id
		WHERE v.release_id = $1 AND m.tenant_id = $2 ORDER BY m.id`, r.ID, tenantID)
	if err != nil {
		return nil, translate(fmt.Errorf("list release videos: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, translate(fmt.Errorf("scan media: %w", err))
		}
		held = append(held, m)
	}
	return held, translate(rows.Err())
}

// mediaByUUIDs reads the media rows of tenantID with the given uuids;
// uuids of no row are skipped.
func (tx *Tx) mediaByUUIDs(ctx context.Context, tenantID int64, uuids []string) ([]*tonegrid.Media, error) {
	var out []*tonegrid.Media
	for _, u := range uuids {
		m, err := scanMedia(tx.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media m WHERE m.uuid = $1 AND m.tenant_id = $2`, u, tenantID))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, translate(fmt.Errorf("find media: %w", err))
		}
		out = append(out, m)
	}
	return out, nil
}

// deleteMediaRows deletes media rows by id; their release_videos links go
// with them.
func (tx *Tx) deleteMediaRows(ctx context.Context, ms []*tonegrid.Media) error {
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE id = $1`, m.ID); err != nil {
			return translate(fmt.Errorf("delete media: %w", err))
		}
	}
	return nil
}

// UnreferencedBlobs returns those of keys that neither a media row nor an
// upload (open, or complete and not attached yet) holds: blobs nothing
// points at any more. At most 500 keys per call.
func (db *DB) UnreferencedBlobs(ctx context.Context, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if len(keys) > maxBlobKeysPerCheck {
		return nil, fmt.Errorf("unreferenced blobs: %d keys, at most %d", len(keys), maxBlobKeysPerCheck)
	}
	marks := make([]string, len(keys))
	args := make([]any, len(keys))
	for i, k := range keys {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), k
	}
	in := strings.Join(marks, ", ")
	held := map[string]bool{}
	for _, table := range []string{"media", "uploads"} {
		rows, err := db.write.QueryContext(ctx, `SELECT blob_key FROM `+table+` WHERE blob_key IN (`+in+`)`, args...)
		if err != nil {
			return nil, translate(fmt.Errorf("find %s by blob: %w", table, err))
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, translate(fmt.Errorf("scan blob key: %w", err))
			}
			held[k] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, translate(fmt.Errorf("find %s by blob: %w", table, err))
		}
	}
	var out []string
	for _, k := range keys {
		if !held[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// maxBlobKeysPerCheck bounds UnreferencedBlobs' query.
const maxBlobKeysPerCheck = 500
