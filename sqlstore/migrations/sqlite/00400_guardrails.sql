-- +goose Up
CREATE TABLE idempotency_keys (
    id               INTEGER PRIMARY KEY,
    scope            TEXT      NOT NULL UNIQUE,
    request_hash     TEXT      NOT NULL,
    state            TEXT      NOT NULL CHECK (state IN ('running', 'done')),
    locked_until     TIMESTAMP NOT NULL,
    response_status  INTEGER   NOT NULL DEFAULT 0,
    response_headers TEXT      NOT NULL DEFAULT '{}',
    response_body    TEXT      NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
