-- +goose Up
ALTER TABLE tenants ADD COLUMN path TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN revenue_share_percent NUMERIC NOT NULL DEFAULT 100;
ALTER TABLE tenants ADD COLUMN branding TEXT NOT NULL DEFAULT '{}';
UPDATE tenants SET path = '/' || id || '/' WHERE parent_id IS NULL;
CREATE INDEX tenants_path ON tenants (path);

CREATE TABLE tenant_domains (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  BIGINT      NOT NULL REFERENCES tenants (id),
    domain     TEXT      NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tenant_domains_tenant_id ON tenant_domains (tenant_id);

ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE email_otps (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT      NOT NULL UNIQUE REFERENCES users (id),
    code_hash  TEXT      NOT NULL,
    attempts   INTEGER   NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE refresh_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id),
    tenant_id  BIGINT      NOT NULL REFERENCES tenants (id),
    family     TEXT      NOT NULL,
    token_hash TEXT      NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

CREATE TABLE password_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id),
    purpose    TEXT      NOT NULL CHECK (purpose IN ('reset', 'invite')),
    token_hash TEXT      NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX password_tokens_user_id ON password_tokens (user_id);

CREATE TABLE api_keys (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid          UUID        NOT NULL UNIQUE,
    tenant_id     BIGINT      NOT NULL REFERENCES tenants (id),
    created_by_id BIGINT      REFERENCES users (id),
    name          TEXT      NOT NULL,
    prefix        TEXT      NOT NULL,
    key_hash      TEXT      NOT NULL UNIQUE,
    scopes        TEXT      NOT NULL,
    allowed_ips   TEXT      NOT NULL DEFAULT '',
    expires_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_keys_tenant_id ON api_keys (tenant_id);

CREATE TABLE audit_log (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid          UUID        NOT NULL UNIQUE,
    tenant_id     BIGINT      NOT NULL REFERENCES tenants (id),
    action        TEXT      NOT NULL,
    actor_user_id BIGINT      REFERENCES users (id),
    api_key_id    BIGINT      REFERENCES api_keys (id),
    target_type   TEXT      NOT NULL DEFAULT '',
    target_uuid   TEXT      NOT NULL DEFAULT '',
    details       TEXT      NOT NULL DEFAULT '{}',
    request_id    TEXT      NOT NULL DEFAULT '',
    ip            TEXT      NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_tenant_id ON audit_log (tenant_id, id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE api_keys;
DROP TABLE password_tokens;
DROP TABLE refresh_tokens;
DROP TABLE email_otps;
ALTER TABLE users DROP COLUMN token_version;
DROP TABLE tenant_domains;
DROP INDEX tenants_path;
ALTER TABLE tenants DROP COLUMN branding;
ALTER TABLE tenants DROP COLUMN revenue_share_percent;
ALTER TABLE tenants DROP COLUMN path;
