-- +goose Up
-- DDEX delivery (issue #7). A store's delivery endpoint, credentials
-- included, is one JSON document sealed with the platform's key (AES-GCM,
-- bound to the store's slug); empty means protocol dir with no settings.
ALTER TABLE dsps ADD COLUMN delivery_sealed TEXT NOT NULL DEFAULT '';

-- One message about a release to a store: new, update, takedown or purge.
-- The message as sent is kept in blob storage under message_key.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT      NOT NULL UNIQUE,
    tenant_id    INTEGER   NOT NULL REFERENCES tenants (id),
    release_id   INTEGER   NOT NULL REFERENCES releases (id),
    dsp_id       INTEGER   NOT NULL REFERENCES dsps (id),
    kind         TEXT      NOT NULL CHECK (kind IN ('new', 'update', 'takedown', 'purge')),
    status       TEXT      NOT NULL DEFAULT 'queued'
                           CHECK (status IN ('queued', 'sending', 'delivered', 'failed', 'live', 'rejected')),
    attempts     INTEGER   NOT NULL DEFAULT 0,
    last_error   TEXT      NOT NULL DEFAULT '',
    reason       TEXT      NOT NULL DEFAULT '',
    message_id   TEXT      NOT NULL UNIQUE,
    batch_id     TEXT      NOT NULL,
    message_key  TEXT      NOT NULL DEFAULT '',
    message_size INTEGER   NOT NULL DEFAULT 0,
    delivered_at TIMESTAMP,
    acked_at     TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX deliveries_release ON deliveries (tenant_id, release_id, id);
CREATE UNIQUE INDEX deliveries_dsp_batch ON deliveries (dsp_id, batch_id);
CREATE INDEX deliveries_dsp_status ON deliveries (dsp_id, status);

-- Every attempt of a delivery, with what it sent and how it ended.
CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER   NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER   NOT NULL,
    error       TEXT      NOT NULL DEFAULT '',
    bytes_sent  INTEGER   NOT NULL DEFAULT 0,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (delivery_id, attempt)
);

-- Acknowledgement files already read from each store.
CREATE TABLE dsp_acks (
    dsp_id     INTEGER   NOT NULL REFERENCES dsps (id),
    name       TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (dsp_id, name)
);

-- +goose Down
DROP TABLE dsp_acks;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
ALTER TABLE dsps DROP COLUMN delivery_sealed;
