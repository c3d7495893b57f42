-- +goose Up
CREATE TABLE tenants (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid           UUID        NOT NULL UNIQUE,
    parent_id      BIGINT      REFERENCES tenants (id),
    name           TEXT        NOT NULL,
    status         TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    default_locale TEXT        NOT NULL DEFAULT 'en',
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX tenants_parent_id ON tenants (parent_id);
CREATE UNIQUE INDEX tenants_one_root ON tenants ((parent_id IS NULL)) WHERE parent_id IS NULL;

CREATE TABLE users (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid              UUID        NOT NULL UNIQUE,
    tenant_id         BIGINT      NOT NULL REFERENCES tenants (id),
    email             TEXT        NOT NULL,
    name              TEXT        NOT NULL DEFAULT '',
    role              TEXT        NOT NULL CHECK (role IN ('super_admin', 'label_admin', 'staff', 'artist')),
    status            TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    locale            TEXT        NOT NULL DEFAULT 'en',
    password_hash     TEXT        NOT NULL DEFAULT '',
    email_verified_at TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    deleted_at        TIMESTAMPTZ
);
CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL;
CREATE INDEX users_tenant_id ON users (tenant_id);

CREATE TABLE dsps (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug              TEXT        NOT NULL UNIQUE,
    name              TEXT        NOT NULL,
    ddex_party_id     TEXT        NOT NULL,
    ern_version       TEXT        NOT NULL DEFAULT '4.3',
    delivery_protocol TEXT        NOT NULL DEFAULT 'dir' CHECK (delivery_protocol IN ('dir', 'sftp', 's3')),
    is_active         BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE dsps;
DROP TABLE users;
DROP TABLE tenants;
