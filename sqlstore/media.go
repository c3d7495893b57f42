package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"tonegrid"
)

const mediaColumns = `m.id, m.uuid, m.tenant_id, m.kind, m.blob_key, m.size, m.content_type, m.md5, m.sha256, m.probe, m.created_at`

func scanMedia(row interface{ Scan(...any) error }) (*tonegrid.Media, error) {
	var m tonegrid.Media
	var probe string
	if err := row.Scan(&m.ID, &m.UUID, &m.TenantID, &m.Kind, &m.BlobKey, &m.Size, &m.ContentType, &m.MD5, &m.SHA256, &probe, &m.CreatedAt); err != nil {
		return nil, err
	}
	m.Probe = []byte(probe)
	return &m, nil
}

// MediaByUUID reads a stored file of tenantID, or ErrMediaNotFound.
func (db *DB) MediaByUUID(ctx context.Context, tenantID int64, uuid string) (*tonegrid.Media, error) {
	m, err := scanMedia(db.queryRow(ctx, `SELECT `+mediaColumns+` FROM media m WHERE m.uuid = $1 AND m.tenant_id = $2`, uuid, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrMediaNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find media: %w", err))
	}
	return m, nil
}

// insertMedia records a stored file whose blob is complete and fills its
// id, uuid and creation time.
func (tx *Tx) insertMedia(ctx context.Context, m *tonegrid.Media) error {
	m.UUID, m.CreatedAt = newUUID(), tx.now
	probe := string(m.Probe)
	if probe == "" {
		probe = "{}"
	}
	err := tx.QueryRowContext(ctx, `
		INSERT INTO media (uuid, tenant_id, kind, blob_key, size, content_type, md5, sha256, probe, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		m.UUID, m.TenantID, m.Kind, m.BlobKey, m.Size, m.ContentType, m.MD5, m.SHA256, probe, tx.now).Scan(&m.ID)
	if isUniqueViolation(err) {
		// The blob is some media's already: a resumable upload attached
		// twice at once, and the other attachment won.
		return tonegrid.ErrUploadNotFound
	}
	if err != nil {
		return translate(fmt.Errorf("insert media: %w", err))
	}
	return nil
}

// mediaByID reads a stored file by its row id, or nil when there is none.
func mediaByID(ctx context.Context, q querier, id int64) (*tonegrid.Media, error) {
	m, err := scanMedia(q.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media m WHERE m.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find media: %w", err))
	}
	return m, nil
}

// replaceMedia records m (inserting it unless it already has an id) and
// deletes the media row named by the previous uuid, if any and different.
// It returns the deleted row so that the caller removes its blob once the
// transaction committed.
func (tx *Tx) replaceMedia(ctx context.Context, m *tonegrid.Media, previousUUID string) (*tonegrid.Media, error) {
	if m.ID == 0 {
		if err := tx.insertMedia(ctx, m); err != nil {
			return nil, err
		}
	}
	if previousUUID == "" || previousUUID == m.UUID {
		return nil, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM media WHERE uuid = $1 AND tenant_id = $2`, previousUUID, m.TenantID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find replaced media: %w", err))
	}
	old, err := mediaByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE id = $1`, id); err != nil {
		return nil, translate(fmt.Errorf("delete replaced media: %w", err))
	}
	return old, nil
}

// AttachTrackAudio records m, whose blob is complete, as the audio of a
// track of a draft or rejected release, with a as its probed description
// (a.MediaUUID is set here), and emits track.audio_processed. It returns
// the updated track and the media the new audio replaced, if any: its row
// is gone and the caller removes its blob after this returns.
func (db *DB) AttachTrackAudio(ctx context.Context, p *tonegrid.Principal, trackUUID string, m *tonegrid.Media, a tonegrid.Audio) (*tonegrid.Track, *tonegrid.Media, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	l, err := tx.editableTrack(ctx, p, trackUUID, tonegrid.Precondition{})
	if err != nil {
		return nil, nil, err
	}
	cur, err := findTrack(ctx, tx, p.Tenant.ID, trackUUID)
	if err != nil {
		return nil, nil, err
	}
	previous := ""
	if cur.Audio != nil {
		previous = cur.Audio.MediaUUID
	}
	m.TenantID = p.Tenant.ID
	old, err := tx.replaceMedia(ctx, m, previous)
	if err != nil {
		return nil, nil, err
	}
	a.MediaUUID = m.UUID
	doc, err := json.Marshal(a)
	if err != nil {
		return nil, nil, fmt.Errorf("encode audio: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tracks SET audio = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3`,
		string(doc), tx.now, l.id); err != nil {
		return nil, nil, translate(fmt.Errorf("attach audio: %w", err))
	}
	t, err := findTrack(ctx, tx, p.Tenant.ID, trackUUID)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.emit(ctx, p.Tenant.ID, tonegrid.EventTrackAudioProcessed, t); err != nil {
		return nil, nil, err
	}
	return t, old, tx.commit()
}

// AttachReleaseArtwork records m, whose blob is complete, as the artwork of
// a draft or rejected release, with a as its probed description
// (a.MediaUUID is set here). It returns the updated release and the media
// the new artwork replaced, if any, whose blob the caller removes.
func (db *DB) AttachReleaseArtwork(ctx context.Context, p *tonegrid.Principal, releaseUUID string, m *tonegrid.Media, a tonegrid.Artwork) (*tonegrid.Release, *tonegrid.Media, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	l, err := tx.editableRelease(ctx, p, releaseUUID)
	if err != nil {
		return nil, nil, err
	}
	cur, err := findRelease(ctx, tx, p.Tenant.ID, releaseUUID)
	if err != nil {
		return nil, nil, err
	}
	previous := ""
	if cur.Artwork != nil {
		previous = cur.Artwork.MediaUUID
	}
	m.TenantID = p.Tenant.ID
	old, err := tx.replaceMedia(ctx, m, previous)
	if err != nil {
		return nil, nil, err
	}
	a.MediaUUID = m.UUID
	doc, err := json.Marshal(a)
	if err != nil {
		return nil, nil, fmt.Errorf("encode artwork: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE releases SET artwork = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3`,
		string(doc), tx.now, l.id); err != nil {
		return nil, nil, translate(fmt.Errorf("attach artwork: %w", err))
	}
	r, err := findRelease(ctx, tx, p.Tenant.ID, releaseUUID)
	if err != nil {
		return nil, nil, err
	}
	return r, old, tx.commit()
}
