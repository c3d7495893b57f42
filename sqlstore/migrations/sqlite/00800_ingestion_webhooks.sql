-- +goose Up
-- Bulk ingestion jobs run asynchronously (POST /ingestion/bulk?async=true):
-- the request's releases, the progress, and one result per item.
CREATE TABLE ingestion_jobs (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT        NOT NULL UNIQUE,
    tenant_id   INTEGER     NOT NULL REFERENCES tenants (id),
    status      TEXT        NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    total       INTEGER     NOT NULL,
    processed   INTEGER     NOT NULL DEFAULT 0,
    succeeded   INTEGER     NOT NULL DEFAULT 0,
    failed      INTEGER     NOT NULL DEFAULT 0,
    -- JSON array of the releases to create, as the request sent them.
    request     TEXT        NOT NULL,
    -- JSON array of the per-item results, in index order, so far.
    results     TEXT        NOT NULL DEFAULT '[]',
    created_at  TIMESTAMP   NOT NULL,
    updated_at  TIMESTAMP   NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX ingestion_jobs_tenant_id ON ingestion_jobs (tenant_id, id);

-- One row per bulk item created, written in the item's own transaction: a
-- retry of the same call (same Idempotency-Key, or the same async job) finds
-- the items already created and does not create them twice.
CREATE TABLE ingestion_items (
    item_key   TEXT        PRIMARY KEY,
    tenant_id  INTEGER     NOT NULL REFERENCES tenants (id),
    release_id INTEGER     REFERENCES releases (id) ON DELETE SET NULL,
    created_at TIMESTAMP   NOT NULL
);
CREATE INDEX ingestion_items_release_id ON ingestion_items (release_id);

-- Webhook subscriptions. The signing secret is sealed with the platform key
-- (it must be recovered to sign each delivery).
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT        NOT NULL UNIQUE,
    tenant_id       INTEGER     NOT NULL REFERENCES tenants (id),
    name            TEXT        NOT NULL DEFAULT '',
    description     TEXT        NOT NULL DEFAULT '',
    url             TEXT        NOT NULL,
    -- JSON array of event patterns.
    events          TEXT        NOT NULL,
    secret_sealed   TEXT        NOT NULL,
    is_active       BOOLEAN    NOT NULL DEFAULT TRUE,
    disabled_reason TEXT        NOT NULL DEFAULT '',
    created_at      TIMESTAMP   NOT NULL,
    updated_at      TIMESTAMP   NOT NULL
);
CREATE INDEX webhooks_tenant_id ON webhooks (tenant_id, is_active);

-- One delivery per (subscription, event): the exact body, signed anew at each
-- attempt with the same webhook-id (the event's uuid).
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT        NOT NULL UNIQUE,
    webhook_id       INTEGER     NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    tenant_id        INTEGER     NOT NULL REFERENCES tenants (id),
    event_uuid       TEXT        NOT NULL,
    event_type       TEXT        NOT NULL,
    body             TEXT        NOT NULL,
    status           TEXT        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    response_code    INTEGER,
    duration_ms      INTEGER,
    last_error       TEXT        NOT NULL DEFAULT '',
    first_attempt_at TIMESTAMP  ,
    next_attempt_at  TIMESTAMP  ,
    enqueued_at      TIMESTAMP   NOT NULL,
    delivered_at     TIMESTAMP  ,
    created_at       TIMESTAMP   NOT NULL,
    updated_at       TIMESTAMP   NOT NULL,
    UNIQUE (webhook_id, event_uuid)
);
CREATE INDEX webhook_deliveries_webhook_id ON webhook_deliveries (webhook_id, id);

-- The log of every attempt of a delivery.
CREATE TABLE webhook_attempts (
    id            INTEGER PRIMARY KEY,
    delivery_id   INTEGER     NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt       INTEGER     NOT NULL,
    response_code INTEGER,
    duration_ms   INTEGER     NOT NULL,
    error         TEXT        NOT NULL DEFAULT '',
    response_body TEXT        NOT NULL DEFAULT '',
    created_at    TIMESTAMP   NOT NULL
);
CREATE INDEX webhook_attempts_delivery_id ON webhook_attempts (delivery_id, id);

-- The outbox dispatch cursor: the id of the last event fanned out to
-- subscriptions.
CREATE TABLE webhook_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL
);
INSERT INTO webhook_cursor (id, last_event_id) VALUES (1, 0);

-- +goose Down
DROP TABLE webhook_cursor;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE ingestion_items;
DROP TABLE ingestion_jobs;
