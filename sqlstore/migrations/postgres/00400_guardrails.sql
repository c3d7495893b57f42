-- +goose Up
CREATE TABLE idempotency_keys (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope            TEXT      NOT NULL UNIQUE,
    request_hash     TEXT      NOT NULL,
    state            TEXT      NOT NULL CHECK (state IN ('running', 'done')),
    locked_until     TIMESTAMPTZ NOT NULL,
    response_status  INTEGER   NOT NULL DEFAULT 0,
    response_headers TEXT      NOT NULL DEFAULT '{}',
    response_body    TEXT      NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
