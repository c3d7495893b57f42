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
	return oneRow(db.queryRow(ctx, `SELECT `+mediaColumns+` FROM media m WHERE m.uuid = $1 AND m.tenant_id = $2`, uuid, tenantID), scanMedia, tonegrid.ErrMediaNotFound, "media")
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
	var t *tonegrid.Track
	old, err := db.attachMedia(ctx, p, m, attachment{
		table: "tracks", column: "audio",
		lock: func(tx *Tx) (int64, string, error) {
			l, err := tx.editableTrack(ctx, p, trackUUID, tonegrid.Precondition{})
			if err != nil {
				return 0, "", err
			}
			cur, err := findTrack(ctx, tx, p.Tenant.ID, trackUUID)
			if err != nil || cur.Audio == nil {
				return l.id, "", err
			}
			return l.id, cur.Audio.MediaUUID, nil
		},
		describe: func(mediaUUID string) any { a.MediaUUID = mediaUUID; return a },
		finish: func(tx *Tx) (err error) {
			if t, err = findTrack(ctx, tx, p.Tenant.ID, trackUUID); err != nil {
				return err
			}
			return tx.emit(ctx, p.Tenant.ID, tonegrid.EventTrackAudioProcessed, t)
		},
	})
	return t, old, err
}

// AttachReleaseArtwork records m, whose blob is complete, as the artwork of
// a draft or rejected release, with a as its probed description
// (a.MediaUUID is set here). It returns the updated release and the media
// the new artwork replaced, if any, whose blob the caller removes.
func (db *DB) AttachReleaseArtwork(ctx context.Context, p *tonegrid.Principal, releaseUUID string, m *tonegrid.Media, a tonegrid.Artwork) (*tonegrid.Release, *tonegrid.Media, error) {
	var r *tonegrid.Release
	old, err := db.attachMedia(ctx, p, m, attachment{
		table: "releases", column: "artwork",
		lock: func(tx *Tx) (int64, string, error) {
			l, err := tx.editableRelease(ctx, p, releaseUUID)
			if err != nil {
				return 0, "", err
			}
			cur, err := findRelease(ctx, tx, p.Tenant.ID, releaseUUID)
			if err != nil || cur.Artwork == nil {
				return l.id, "", err
			}
			return l.id, cur.Artwork.MediaUUID, nil
		},
		describe: func(mediaUUID string) any { a.MediaUUID = mediaUUID; return a },
		finish: func(tx *Tx) (err error) {
			r, err = findRelease(ctx, tx, p.Tenant.ID, releaseUUID)
			return err
		},
	})
	return r, old, err
}

// attachment is where attachMedia puts a file: a JSON column of a locked
// row of table.
type attachment struct {
	table, column string
	// lock locks the owning row for the change and returns its id and the
	// media uuid of the file it holds now ("" for none).
	lock func(tx *Tx) (id int64, previous string, err error)
	// describe returns the JSON document of the file with mediaUUID.
	describe func(mediaUUID string) any
	// finish runs last inside the transaction: reading the result back,
	// emitting events.
	finish func(tx *Tx) error
}

// attachMedia records m in place of the file the attachment's row holds,
// in one transaction, and returns the replaced media, if any.
func (db *DB) attachMedia(ctx context.Context, p *tonegrid.Principal, m *tonegrid.Media, at attachment) (*tonegrid.Media, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	id, previous, err := at.lock(tx)
	if err != nil {
		return nil, err
	}
	m.TenantID = p.Tenant.ID
	old, err := tx.replaceMedia(ctx, m, previous)
	if err != nil {
		return nil, err
	}
	doc, err := json.Marshal(at.describe(m.UUID))
	if err != nil {
		return nil, fmt.Errorf("encode %s.%s: %w", at.table, at.column, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+at.table+` SET `+at.column+` = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3`,
		string(doc), tx.now, id); err != nil {
		return nil, translate(fmt.Errorf("attach %s: %w", at.column, err))
	}
	if err := at.finish(tx); err != nil {
		return nil, err
	}
	return old, tx.commit()
}
