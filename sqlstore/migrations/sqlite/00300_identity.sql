-- +goose Up
ALTER TABLE tenants ADD COLUMN path TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN revenue_share_percent TEXT NOT NULL DEFAULT '100';
ALTER TABLE tenants ADD COLUMN branding TEXT NOT NULL DEFAULT '{}';
UPDATE tenants SET path = '/' || id || '/' WHERE parent_id IS NULL;
CREATE INDEX tenants_path ON tenants (path);

CREATE TABLE tenant_domains (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER   NOT NULL REFERENCES tenants (id),
    domain     TEXT      NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX tenant_domains_tenant_id ON tenant_domains (tenant_id);

ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE email_otps (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER   NOT NULL UNIQUE REFERENCES users (id),
    code_hash  TEXT      NOT NULL,
    attempts   INTEGER   NOT NULL DEFAULT 0,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER   NOT NULL REFERENCES users (id),
    tenant_id  INTEGER   NOT NULL REFERENCES tenants (id),
    family     TEXT      NOT NULL,
    token_hash TEXT      NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

CREATE TABLE password_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER   NOT NULL REFERENCES users (id),
    purpose    TEXT      NOT NULL CHECK (purpose IN ('reset', 'invite')),
    token_hash TEXT      NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_tokens_user_id ON password_tokens (user_id);

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT      NOT NULL UNIQUE,
    tenant_id     INTEGER   NOT NULL REFERENCES tenants (id),
    created_by_id INTEGER   REFERENCES users (id),
    name          TEXT      NOT NULL,
    prefix        TEXT      NOT NULL,
    key_hash      TEXT      NOT NULL UNIQUE,
    scopes        TEXT      NOT NULL,
    allowed_ips   TEXT      NOT NULL DEFAULT '',
    expires_at    TIMESTAMP,
    last_used_at  TIMESTAMP,
    revoked_at    TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX api_keys_tenant_id ON api_keys (tenant_id);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT      NOT NULL UNIQUE,
    tenant_id     INTEGER   NOT NULL REFERENCES tenants (id),
    action        TEXT      NOT NULL,
    actor_user_id INTEGER   REFERENCES users (id),
    api_key_id    INTEGER   REFERENCES api_keys (id),
    target_type   TEXT      NOT NULL DEFAULT '',
    target_uuid   TEXT      NOT NULL DEFAULT '',
    details       TEXT      NOT NULL DEFAULT '{}',
    request_id    TEXT      NOT NULL DEFAULT '',
    ip            TEXT      NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
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
