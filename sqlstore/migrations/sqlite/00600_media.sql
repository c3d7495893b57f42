-- +goose Up
-- Every stored file of a tenant: uploaded audio, artwork, videos. The bytes
-- live in blob storage under blob_key; the row exists exactly when the blob
-- is complete. Tracks and releases point at media by uuid (tracks.audio,
-- releases.artwork hold JSON with media_uuid).
CREATE TABLE media (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT      NOT NULL UNIQUE,
    tenant_id    INTEGER   NOT NULL REFERENCES tenants (id),
    kind         TEXT      NOT NULL CHECK (kind IN ('audio', 'image', 'animated_artwork', 'video')),
    blob_key     TEXT      NOT NULL UNIQUE,
    size         INTEGER   NOT NULL,
    content_type TEXT      NOT NULL,
    md5          TEXT      NOT NULL,
    sha256       TEXT      NOT NULL,
    -- JSON of the probe's findings (format, duration, dimensions…).
    probe        TEXT      NOT NULL DEFAULT '{}',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX media_tenant_id ON media (tenant_id);

-- +goose Down
DROP TABLE media;
