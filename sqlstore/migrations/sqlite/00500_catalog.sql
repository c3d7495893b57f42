-- +goose Up
-- The catalog (issue #5). JSON columns are TEXT on both dialects so that the
-- same SQL reads them; dates without time are TEXT YYYY-MM-DD, which sorts.
CREATE TABLE artists (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT      NOT NULL UNIQUE,
    tenant_id  INTEGER   NOT NULL REFERENCES tenants (id),
    name       TEXT      NOT NULL,
    slug       TEXT      NOT NULL,
    country    TEXT      NOT NULL DEFAULT '',
    spotify_id TEXT      NOT NULL DEFAULT '',
    apple_id   TEXT      NOT NULL DEFAULT '',
    isni       TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX artists_tenant_slug ON artists (tenant_id, slug);
CREATE INDEX artists_tenant_id ON artists (tenant_id, id);

-- Users linked to an artist: a user with role artist edits the releases
-- that credit one of their artists.
CREATE TABLE artist_users (
    artist_id INTEGER NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    PRIMARY KEY (artist_id, user_id)
);
CREATE INDEX artist_users_user_id ON artist_users (user_id);

CREATE TABLE writers (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT      NOT NULL UNIQUE,
    tenant_id  INTEGER   NOT NULL REFERENCES tenants (id),
    name       TEXT      NOT NULL,
    ipi        TEXT      NOT NULL DEFAULT '',
    pro        TEXT      NOT NULL DEFAULT '',
    isni       TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX writers_tenant_id ON writers (tenant_id, id);

CREATE TABLE payees (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT      NOT NULL UNIQUE,
    tenant_id  INTEGER   NOT NULL REFERENCES tenants (id),
    name       TEXT      NOT NULL,
    email      TEXT      NOT NULL,
    currency   TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX payees_tenant_id ON payees (tenant_id, id);

CREATE TABLE releases (
    id                    INTEGER PRIMARY KEY,
    uuid                  TEXT      NOT NULL UNIQUE,
    tenant_id             INTEGER   NOT NULL REFERENCES tenants (id),
    title                 TEXT      NOT NULL,
    localized_titles      TEXT      NOT NULL DEFAULT '{}',
    version               TEXT      NOT NULL DEFAULT '',
    type                  TEXT      NOT NULL CHECK (type IN ('single', 'ep', 'album', 'compilation')),
    label_name            TEXT      NOT NULL DEFAULT '',
    upc                   TEXT      NOT NULL DEFAULT '',
    catalog_number        TEXT      NOT NULL DEFAULT '',
    release_date          TEXT,
    original_release_date TEXT,
    genre                 TEXT      NOT NULL,
    subgenre              TEXT      NOT NULL DEFAULT '',
    language              TEXT      NOT NULL,
    p_line_year           INTEGER,
    p_line_holder         TEXT,
    c_line_year           INTEGER,
    c_line_holder         TEXT,
    parental_advisory     TEXT      NOT NULL DEFAULT 'none' CHECK (parental_advisory IN ('explicit', 'clean', 'none')),
    territories           TEXT      NOT NULL DEFAULT '["WW"]',
    price_tier            TEXT      NOT NULL DEFAULT '',
    status                TEXT      NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'pending_review', 'rejected', 'approved',
                                        'delivering', 'delivered', 'live', 'taken_down')),
    reject_reason         TEXT      NOT NULL DEFAULT '',
    row_version           INTEGER   NOT NULL DEFAULT 1,
    -- doc_version changes whenever anything GET /releases/:uuid shows
    -- changes (the release, its tracks, credits, artist names, media); the
    -- triggers below keep it, whoever writes. Caches of rendered releases
    -- compare it.
    doc_version           INTEGER   NOT NULL DEFAULT 1,
    -- JSON of tonegrid.Artwork, NULL without artwork; written by media uploads (#6).
    artwork               TEXT,
    submitted_at          TIMESTAMP,
    approved_at           TIMESTAMP,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX releases_tenant_upc ON releases (tenant_id, upc) WHERE upc <> '';
CREATE INDEX releases_tenant_id ON releases (tenant_id, id);
CREATE INDEX releases_tenant_status ON releases (tenant_id, status, id);
CREATE INDEX releases_tenant_release_date ON releases (tenant_id, release_date);
CREATE INDEX releases_review_queue ON releases (status, submitted_at);

CREATE TABLE release_artists (
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    artist_id  INTEGER NOT NULL REFERENCES artists (id),
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    role       TEXT    NOT NULL CHECK (role IN ('primary', 'featured')),
    position   INTEGER NOT NULL,
    PRIMARY KEY (release_id, artist_id)
);
CREATE INDEX release_artists_artist_id ON release_artists (artist_id);

CREATE TABLE tracks (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT      NOT NULL UNIQUE,
    tenant_id        INTEGER   NOT NULL REFERENCES tenants (id),
    release_id       INTEGER   NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    title            TEXT      NOT NULL,
    localized_titles TEXT      NOT NULL DEFAULT '{}',
    version          TEXT      NOT NULL DEFAULT '',
    isrc             TEXT      NOT NULL DEFAULT '',
    position         INTEGER   NOT NULL,
    disc_number      INTEGER   NOT NULL DEFAULT 1,
    explicit         BOOLEAN   NOT NULL DEFAULT FALSE,
    language         TEXT      NOT NULL DEFAULT '',
    contributors     TEXT      NOT NULL DEFAULT '[]',
    preview_start_s  INTEGER,
    -- JSON of tonegrid.Audio, NULL without audio; written by media uploads (#6).
    audio            TEXT,
    row_version      INTEGER   NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tracks_tenant_isrc ON tracks (tenant_id, isrc) WHERE isrc <> '';
CREATE INDEX tracks_release_id ON tracks (release_id, disc_number, position);

CREATE TABLE track_artists (
    track_id  INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    artist_id INTEGER NOT NULL REFERENCES artists (id),
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    role      TEXT    NOT NULL CHECK (role IN ('primary', 'featured')),
    position  INTEGER NOT NULL,
    PRIMARY KEY (track_id, artist_id)
);
CREATE INDEX track_artists_artist_id ON track_artists (artist_id);

CREATE TABLE track_writers (
    track_id  INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    writer_id INTEGER NOT NULL REFERENCES writers (id),
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    role      TEXT    NOT NULL CHECK (role IN ('composer', 'lyricist', 'composer_lyricist', 'arranger')),
    share     TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (track_id, writer_id, role)
);
CREATE INDEX track_writers_writer_id ON track_writers (writer_id);

-- Royalty splits of a track; percentages are exact decimals (TEXT here).
CREATE TABLE splits (
    track_id   INTEGER   NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    payee_id   INTEGER   NOT NULL REFERENCES payees (id),
    tenant_id  INTEGER   NOT NULL REFERENCES tenants (id),
    percentage TEXT      NOT NULL,
    position   INTEGER   NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (track_id, payee_id)
);
CREATE INDEX splits_payee_id ON splits (payee_id);

CREATE TABLE release_rights (
    release_id           INTEGER   PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
    tenant_id            INTEGER   NOT NULL REFERENCES tenants (id),
    master_owner         TEXT      NOT NULL,
    ownership_percent    TEXT      NOT NULL,
    territories_included TEXT      NOT NULL DEFAULT '[]',
    territories_excluded TEXT      NOT NULL DEFAULT '[]',
    rights_types         TEXT      NOT NULL DEFAULT '[]',
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

CREATE TABLE release_dsps (
    release_id   INTEGER   NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    dsp_id       INTEGER   NOT NULL REFERENCES dsps (id),
    tenant_id    INTEGER   NOT NULL REFERENCES tenants (id),
    is_blocked   BOOLEAN   NOT NULL DEFAULT FALSE,
    release_date TEXT,
    price_tier   TEXT      NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (release_id, dsp_id)
);

-- UPC/EAN codes a workspace bought; one is given to a release without a UPC
-- at approval.
CREATE TABLE upc_pool (
    id          INTEGER   PRIMARY KEY,
    tenant_id   INTEGER   NOT NULL REFERENCES tenants (id),
    upc         TEXT      NOT NULL,
    release_id  INTEGER   REFERENCES releases (id),
    assigned_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX upc_pool_tenant_upc ON upc_pool (tenant_id, upc);
CREATE INDEX upc_pool_free ON upc_pool (tenant_id, upc) WHERE release_id IS NULL;

-- The transactional outbox: lifecycle events, written in the transaction of
-- the change; webhook delivery (#8) reads them.
CREATE TABLE events (
    id         INTEGER   PRIMARY KEY,
    uuid       TEXT      NOT NULL UNIQUE,
    tenant_id  INTEGER   NOT NULL REFERENCES tenants (id),
    type       TEXT      NOT NULL,
    payload    TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_tenant_id ON events (tenant_id, id);

-- Triggers raising releases.doc_version on every change a release's document
-- shows. A write that sets doc_version itself (these triggers) fires nothing.
-- +goose StatementBegin
CREATE TRIGGER releases_doc AFTER UPDATE ON releases WHEN NEW.doc_version = OLD.doc_version
BEGIN
    UPDATE releases SET doc_version = doc_version + 1 WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tracks_doc_insert AFTER INSERT ON tracks
BEGIN
    UPDATE releases SET doc_version = doc_version + 1 WHERE id = NEW.release_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tracks_doc_update AFTER UPDATE ON tracks
BEGIN
    UPDATE releases SET doc_version = doc_version + 1 WHERE id IN (OLD.release_id, NEW.release_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tracks_doc_delete AFTER DELETE ON tracks
BEGIN
    UPDATE releases SET doc_version = doc_version + 1 WHERE id = OLD.release_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER release_artists_doc_insert AFTER INSERT ON release_artists
BEGIN
    UPDATE releases SET doc_version = doc_version + 1 WHERE id = NEW.release_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER release_artists_doc_delete AFTER DELETE ON release_artists
BEGIN
    UPDATE releases SET doc_version = doc_version + 1 WHERE id = OLD.release_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER track_artists_doc_insert AFTER INSERT ON track_artists
BEGIN
    UPDATE releases SET doc_version = doc_version + 1 WHERE id = (SELECT release_id FROM tracks WHERE id = NEW.track_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER track_artists_doc_delete AFTER DELETE ON track_artists
BEGIN
    UPDATE releases SET doc_version = doc_version + 1 WHERE id = (SELECT release_id FROM tracks WHERE id = OLD.track_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER artists_doc AFTER UPDATE OF name ON artists WHEN NEW.name <> OLD.name
BEGIN
    UPDATE releases SET doc_version = doc_version + 1
    WHERE id IN (SELECT release_id FROM release_artists WHERE artist_id = NEW.id)
       OR id IN (SELECT t.release_id FROM track_artists ta JOIN tracks t ON t.id = ta.track_id WHERE ta.artist_id = NEW.id);
END;
-- +goose StatementEnd

-- Each tenant's number of releases per status, kept by the triggers below,
-- so that list totals need not count rows.
CREATE TABLE release_counts (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    status    TEXT    NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, status)
);
-- +goose StatementBegin
CREATE TRIGGER release_counts_insert AFTER INSERT ON releases
BEGIN
    INSERT INTO release_counts (tenant_id, status, n) VALUES (NEW.tenant_id, NEW.status, 1)
    ON CONFLICT (tenant_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER release_counts_delete AFTER DELETE ON releases
BEGIN
    UPDATE release_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER release_counts_status AFTER UPDATE OF status ON releases WHEN NEW.status <> OLD.status
BEGIN
    UPDATE release_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
    INSERT INTO release_counts (tenant_id, status, n) VALUES (NEW.tenant_id, NEW.status, 1)
    ON CONFLICT (tenant_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER release_counts_status;
DROP TRIGGER release_counts_delete;
DROP TRIGGER release_counts_insert;
DROP TABLE release_counts;
DROP TRIGGER artists_doc;
DROP TRIGGER track_artists_doc_delete;
DROP TRIGGER track_artists_doc_insert;
DROP TRIGGER release_artists_doc_delete;
DROP TRIGGER release_artists_doc_insert;
DROP TRIGGER tracks_doc_delete;
DROP TRIGGER tracks_doc_update;
DROP TRIGGER tracks_doc_insert;
DROP TRIGGER releases_doc;
DROP TABLE events;
DROP TABLE upc_pool;
DROP TABLE release_dsps;
DROP TABLE release_rights;
DROP TABLE splits;
DROP TABLE track_writers;
DROP TABLE track_artists;
DROP TABLE tracks;
DROP TABLE release_artists;
DROP TABLE releases;
DROP TABLE payees;
DROP TABLE writers;
DROP TABLE artist_users;
DROP TABLE artists;
