-- +goose Up
-- Plans are seeded here; limits are NULL when the plan sets none. Prices are
-- exact decimals in their currency.
CREATE TABLE plans (
    id                INTEGER PRIMARY KEY,
    slug              TEXT      NOT NULL UNIQUE,
    name              TEXT      NOT NULL,
    price             TEXT      NOT NULL,
    currency          TEXT      NOT NULL,
    billing_interval  TEXT      NOT NULL CHECK (billing_interval IN ('month', 'year')),
    is_free           BOOLEAN   NOT NULL DEFAULT FALSE,
    releases_per_year INTEGER,
    dsps              INTEGER,
    team_seats        INTEGER,
    webhooks          INTEGER,
    position          INTEGER   NOT NULL,
    is_active         BOOLEAN   NOT NULL DEFAULT TRUE,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
INSERT INTO plans (slug, name, price, currency, billing_interval, is_free, releases_per_year, dsps, team_seats, webhooks, position, created_at, updated_at) VALUES
    ('free',    'Free',      '0.00',     'USD', 'month', TRUE,  12,   4,    5,  1,  1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('pro',     'Pro',       '19.99',    'USD', 'month', FALSE, 100,  NULL, 10, 5,  2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('pro-ngn', 'Pro (NGN)', '25000.00', 'NGN', 'month', FALSE, 100,  NULL, 10, 5,  3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('label',   'Label',     '990.00',   'USD', 'year',  FALSE, NULL, NULL, 50, 25, 4, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- The plan each tenant is on; no row means the free plan.
CREATE TABLE subscriptions (
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT      NOT NULL UNIQUE,
    tenant_id          INTEGER   NOT NULL UNIQUE REFERENCES tenants (id),
    plan_id            INTEGER   NOT NULL REFERENCES plans (id),
    provider           TEXT      NOT NULL DEFAULT '',
    reference          TEXT      NOT NULL DEFAULT '',
    started_at         TIMESTAMP NOT NULL,
    current_period_end TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);

-- One attempt to pay for a plan; amounts in the currency's minor unit.
CREATE TABLE billing_checkouts (
    id                INTEGER PRIMARY KEY,
    uuid              TEXT      NOT NULL UNIQUE,
    tenant_id         INTEGER   NOT NULL REFERENCES tenants (id),
    plan_id           INTEGER   NOT NULL REFERENCES plans (id),
    created_by_id     INTEGER   REFERENCES users (id),
    provider          TEXT      NOT NULL CHECK (provider IN ('stripe', 'paystack')),
    reference         TEXT      NOT NULL UNIQUE,
    provider_ref      TEXT      NOT NULL,
    amount_minor      INTEGER   NOT NULL,
    currency          TEXT      NOT NULL,
    status            TEXT      NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed')),
    failure           TEXT      NOT NULL DEFAULT '',
    authorization_url TEXT      NOT NULL,
    paid_at           TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX billing_checkouts_tenant_id ON billing_checkouts (tenant_id, id);

-- Provider webhook events already processed.
CREATE TABLE billing_events (
    id         INTEGER PRIMARY KEY,
    provider   TEXT      NOT NULL,
    event_id   TEXT      NOT NULL,
    event_type TEXT      NOT NULL,
    reference  TEXT      NOT NULL DEFAULT '',
    tenant_id  INTEGER   REFERENCES tenants (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (provider, event_id)
);

-- +goose Down
DROP TABLE billing_events;
DROP TABLE billing_checkouts;
DROP TABLE subscriptions;
DROP TABLE plans;
