-- +goose Up
-- Resumable uploads of big files: the row lives from POST /uploads until the
-- file is attached, cancelled or expired. blob_key holds the assembled file
-- once status = 'complete'; multipart_id names the blob store's multipart
-- upload while parts arrive.
CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT      NOT NULL UNIQUE,
    tenant_id    INTEGER   NOT NULL REFERENCES tenants (id),
    kind         TEXT      NOT NULL CHECK (kind IN ('audio', 'image', 'video')),
    filename     TEXT      NOT NULL,
    size         INTEGER   NOT NULL,
    content_type TEXT      NOT NULL,
    part_size    INTEGER   NOT NULL,
    parts        INTEGER   NOT NULL,
    status       TEXT      NOT NULL CHECK (status IN ('open', 'complete')),
    blob_key     TEXT      NOT NULL UNIQUE,
    multipart_id TEXT      NOT NULL,
    md5          TEXT      NOT NULL DEFAULT '',
    sha256       TEXT      NOT NULL DEFAULT '',
    probe        TEXT      NOT NULL DEFAULT '{}',
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX uploads_tenant_id ON uploads (tenant_id);
CREATE INDEX uploads_expires_at ON uploads (expires_at);

-- The parts stored so far; a retried part replaces its row.
CREATE TABLE upload_parts (
    upload_id INTEGER NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    number    INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    etag      TEXT    NOT NULL,
    PRIMARY KEY (upload_id, number)
);

-- Videos of a release: its animated artwork (at most one) and music videos.
CREATE TABLE release_videos (
    id         INTEGER PRIMARY KEY,
    release_id INTEGER   NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    media_id   INTEGER   NOT NULL UNIQUE REFERENCES media (id) ON DELETE CASCADE,
    kind       TEXT      NOT NULL CHECK (kind IN ('animated_artwork', 'video')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX release_videos_release_id ON release_videos (release_id);

-- +goose Down
DROP TABLE release_videos;
DROP TABLE upload_parts;
DROP TABLE uploads;
