-- +goose Up
-- Plans are seeded here; limits are NULL when the plan sets none. Prices are
-- exact decimals (NUMERIC) in their currency.
CREATE TABLE plans (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug              TEXT      NOT NULL UNIQUE,
    name              TEXT      NOT NULL,
    price             NUMERIC   NOT NULL,
    currency          TEXT      NOT NULL,
    billing_interval  TEXT      NOT NULL CHECK (billing_interval IN ('month', 'year')),
    is_free           BOOLEAN   NOT NULL DEFAULT FALSE,
    releases_per_year INTEGER,
    dsps              INTEGER,
    team_seats        INTEGER,
    webhooks          INTEGER,
    position          INTEGER   NOT NULL,
    is_active         BOOLEAN   NOT NULL DEFAULT TRUE,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
INSERT INTO plans (slug, name, price, currency, billing_interval, is_free, releases_per_year, dsps, team_seats, webhooks, position, created_at, updated_at) VALUES
    ('free',    'Free',      0.00,     'USD', 'month', TRUE,  12,   4,    5,  1,  1, now(), now()),
    ('pro',     'Pro',       19.99,    'USD', 'month', FALSE, 100,  NULL, 10, 5,  2, now(), now()),
    ('pro-ngn', 'Pro (NGN)', 25000.00, 'NGN', 'month', FALSE, 100,  NULL, 10, 5,  3, now(), now()),
    ('label',   'Label',     990.00,   'USD', 'year',  FALSE, NULL, NULL, 50, 25, 4, now(), now());

-- The plan each tenant is on; no row means the free plan.
CREATE TABLE subscriptions (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid               UUID      NOT NULL UNIQUE,
    tenant_id          BIGINT    NOT NULL UNIQUE REFERENCES tenants (id),
    plan_id            BIGINT    NOT NULL REFERENCES plans (id),
    provider           TEXT      NOT NULL DEFAULT '',
    reference          TEXT      NOT NULL DEFAULT '',
    started_at         TIMESTAMPTZ NOT NULL,
    current_period_end TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);

-- One attempt to pay for a plan; amounts in the currency's minor unit.
CREATE TABLE billing_checkouts (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid              UUID      NOT NULL UNIQUE,
    tenant_id         BIGINT    NOT NULL REFERENCES tenants (id),
    plan_id           BIGINT    NOT NULL REFERENCES plans (id),
    created_by_id     BIGINT    REFERENCES users (id),
    provider          TEXT      NOT NULL CHECK (provider IN ('stripe', 'paystack')),
    reference         TEXT      NOT NULL UNIQUE,
    provider_ref      TEXT      NOT NULL,
    amount_minor      BIGINT    NOT NULL,
    currency          TEXT      NOT NULL,
    status            TEXT      NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed')),
    failure           TEXT      NOT NULL DEFAULT '',
    authorization_url TEXT      NOT NULL,
    paid_at           TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX billing_checkouts_tenant_id ON billing_checkouts (tenant_id, id);

-- Provider webhook events already processed.
CREATE TABLE billing_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider   TEXT      NOT NULL,
    event_id   TEXT      NOT NULL,
    event_type TEXT      NOT NULL,
    reference  TEXT      NOT NULL DEFAULT '',
    tenant_id  BIGINT    REFERENCES tenants (id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (provider, event_id)
);

-- +goose Down
DROP TABLE billing_events;
DROP TABLE billing_checkouts;
DROP TABLE subscriptions;
DROP TABLE plans;
