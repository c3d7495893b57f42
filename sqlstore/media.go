package sqlstore

import (
	"context"
	"database/sql"
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
	if err != nil {
		return translate(fmt.Errorf("insert media: %w", err))
	}
	return nil
}
