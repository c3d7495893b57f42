package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tonegrid"
)

const uploadColumns = `u.id, u.uuid, u.tenant_id, u.kind, u.filename, u.size, u.content_type, u.part_size, u.parts,
	u.status, u.blob_key, u.multipart_id, u.md5, u.sha256, u.probe, u.created_at, u.expires_at`

func scanUpload(row interface{ Scan(...any) error }) (*tonegrid.Upload, error) {
	var u tonegrid.Upload
	var probe string
	if err := row.Scan(&u.ID, &u.UUID, &u.TenantID, &u.Kind, &u.Filename, &u.Size, &u.ContentType, &u.PartSize, &u.Parts,
		&u.Status, &u.BlobKey, &u.MultipartID, &u.MD5, &u.SHA256, &probe, &u.CreatedAt, &u.ExpiresAt); err != nil {
		return nil, err
	}
	if u.Status == "complete" {
		u.Probe = []byte(probe)
	}
	return &u, nil
}

// CreateUpload records a resumable upload whose blob store multipart upload
// (u.BlobKey, u.MultipartID) is started, valid for ttl. It fills the uuid
// and times.
func (db *DB) CreateUpload(ctx context.Context, u *tonegrid.Upload, ttl time.Duration) error {
	now := db.now()
	u.UUID, u.CreatedAt, u.ExpiresAt, u.Status = newUUID(), now, now.Add(ttl), "open"
	err := db.write.QueryRowContext(ctx, `
		INSERT INTO uploads (uuid, tenant_id, kind, filename, size, content_type, part_size, parts, status, blob_key, multipart_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $12) RETURNING id`,
		u.UUID, u.TenantID, u.Kind, u.Filename, u.Size, u.ContentType, u.PartSize, u.Parts, u.BlobKey, u.MultipartID, now, u.ExpiresAt).Scan(&u.ID)
	if err != nil {
		return translate(fmt.Errorf("insert upload: %w", err))
	}
	u.Received = []int{}
	return nil
}

// UploadByUUID reads an unexpired upload of tenantID with the numbers of
// its received parts, or ErrUploadNotFound.
func (db *DB) UploadByUUID(ctx context.Context, tenantID int64, uuid string) (*tonegrid.Upload, error) {
	u, err := oneRow(db.write.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads u WHERE u.uuid = $1 AND u.tenant_id = $2`, uuid, tenantID), scanUpload, tonegrid.ErrUploadNotFound, "upload")
	if err != nil {
		return nil, err
	}
	if !u.ExpiresAt.After(db.now()) {
		return nil, tonegrid.ErrUploadNotFound
	}
	parts, err := db.UploadParts(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	u.Received = make([]int, 0, len(parts))
	for _, p := range parts {
		u.Received = append(u.Received, p.Number)
	}
	return u, nil
}

// UploadParts lists the stored parts of an upload in part-number order.
func (db *DB) UploadParts(ctx context.Context, uploadID int64) ([]tonegrid.UploadPart, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT number, size, etag FROM upload_parts WHERE upload_id = $1 ORDER BY number`, uploadID)
	if err != nil {
		return nil, translate(fmt.Errorf("list upload parts: %w", err))
	}
	defer rows.Close()
	var out []tonegrid.UploadPart
	for rows.Next() {
		var p tonegrid.UploadPart
		if err := rows.Scan(&p.Number, &p.Size, &p.ETag); err != nil {
			return nil, translate(fmt.Errorf("scan upload part: %w", err))
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// RecordUploadPart records a stored part, replacing an earlier try of the
// same number. ErrUploadNotFound if the upload is gone or no longer open.
func (db *DB) RecordUploadPart(ctx context.Context, uploadID int64, p tonegrid.UploadPart) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var status string
	err = tx.QueryRowContext(ctx, `SELECT status FROM uploads WHERE id = $1`, uploadID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) || err == nil && status != "open" {
		return tonegrid.ErrUploadNotFound
	}
	if err != nil {
		return translate(fmt.Errorf("find upload: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO upload_parts (upload_id, number, size, etag) VALUES ($1, $2, $3, $4)
		ON CONFLICT (upload_id, number) DO UPDATE SET size = excluded.size, etag = excluded.etag`,
		uploadID, p.Number, p.Size, p.ETag); err != nil {
		return translate(fmt.Errorf("record upload part: %w", err))
	}
	return tx.commit()
}

// MarkUploadComplete records the assembled, probed file of an open upload
// and drops its part rows. ErrUploadNotFound if it is gone or was completed
// meanwhile.
func (db *DB) MarkUploadComplete(ctx context.Context, u *tonegrid.Upload) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `
		UPDATE uploads SET status = 'complete', multipart_id = '', content_type = $1, md5 = $2, sha256 = $3, probe = $4
		WHERE id = $5 AND status = 'open'`, u.ContentType, u.MD5, u.SHA256, string(u.Probe), u.ID)
	if err != nil {
		return translate(fmt.Errorf("complete upload: %w", err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return tonegrid.ErrUploadNotFound
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM upload_parts WHERE upload_id = $1`, u.ID); err != nil {
		return translate(fmt.Errorf("drop upload parts: %w", err))
	}
	u.Status, u.MultipartID, u.Received = "complete", "", nil
	return tx.commit()
}

// DeleteUpload removes an upload's row (and its part rows). It reports
// whether a row was there.
func (db *DB) DeleteUpload(ctx context.Context, uploadID int64) (bool, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM uploads WHERE id = $1`, uploadID)
	if err != nil {
		return false, translate(fmt.Errorf("delete upload: %w", err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ExpiredUploads returns up to limit uploads whose time ran out before now.
func (db *DB) ExpiredUploads(ctx context.Context, now time.Time, limit int) ([]*tonegrid.Upload, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT `+uploadColumns+` FROM uploads u WHERE u.expires_at <= $1 ORDER BY u.id LIMIT $2`, now, limit)
	if err != nil {
		return nil, translate(fmt.Errorf("list expired uploads: %w", err))
	}
	defer rows.Close()
	var out []*tonegrid.Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, translate(fmt.Errorf("scan upload: %w", err))
		}
		out = append(out, u)
	}
	return out, translate(rows.Err())
}

// BlobInUse reports whether a media row holds the blob under key: an
// attached upload's blob belongs to its media from then on.
func (db *DB) BlobInUse(ctx context.Context, key string) (bool, error) {
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM media WHERE blob_key = $1`, key).Scan(&n); err != nil {
		return false, translate(fmt.Errorf("find media by blob: %w", err))
	}
	return n > 0, nil
}

// AttachReleaseVideo records m, whose blob is complete, as a video of a
// draft or rejected release: kind tonegrid.MediaAnimatedArtwork replaces
// the release's animated artwork, tonegrid.MediaVideo adds a music video.
// It returns the attachment and the media it replaced, whose blobs the
// caller removes.
func (db *DB) AttachReleaseVideo(ctx context.Context, p *tonegrid.Principal, releaseUUID string, m *tonegrid.Media) (*tonegrid.ReleaseVideo, []*tonegrid.Media, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	l, err := tx.editableRelease(ctx, p, releaseUUID)
	if err != nil {
		return nil, nil, err
	}
	m.TenantID = p.Tenant.ID
	var old []*tonegrid.Media
	if m.Kind == tonegrid.MediaAnimatedArtwork {
		rows, err := tx.QueryContext(ctx, `SELECT media_id FROM release_videos WHERE release_id = $1 AND kind = $2`, l.id, m.Kind)
		if err != nil {
			return nil, nil, translate(fmt.Errorf("find animated artwork: %w", err))
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, nil, translate(fmt.Errorf("scan animated artwork: %w", err))
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			om, err := mediaByID(ctx, tx, id)
			if err != nil {
				return nil, nil, err
			}
			if om == nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE id = $1`, id); err != nil {
				return nil, nil, translate(fmt.Errorf("delete replaced animated artwork: %w", err))
			}
			old = append(old, om)
		}
	}
	if err := tx.insertMedia(ctx, m); err != nil {
		return nil, nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO release_videos (release_id, media_id, kind, created_at) VALUES ($1, $2, $3, $4)`,
		l.id, m.ID, m.Kind, tx.now); err != nil {
		return nil, nil, translate(fmt.Errorf("attach video: %w", err))
	}
	return &tonegrid.ReleaseVideo{Kind: m.Kind, Media: m}, old, tx.commit()
}
