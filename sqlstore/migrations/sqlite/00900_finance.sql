-- +goose Up
-- Finance (#9): accounting periods, sales-report imports and their lines,
-- statements per currency, payee statements and payouts. Money is stored as
-- exact decimal strings (TEXT) and summed in Go, never as floating point.
CREATE TABLE finance_periods (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT      NOT NULL UNIQUE,
    tenant_id  INTEGER   NOT NULL REFERENCES tenants (id),
    code       TEXT      NOT NULL,
    starts_on  TEXT      NOT NULL,
    ends_on    TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX finance_periods_tenant_code ON finance_periods (tenant_id, code);

-- One uploaded sales report. The same file (sha256) for the same period and
-- DSP is refused unless the earlier import failed.
CREATE TABLE sales_imports (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT      NOT NULL UNIQUE,
    tenant_id        INTEGER   NOT NULL REFERENCES tenants (id),
    period_id        INTEGER   NOT NULL REFERENCES finance_periods (id),
    dsp              TEXT      NOT NULL,
    format           TEXT      NOT NULL CHECK (format IN ('csv', 'ddex-dsr')),
    file_name        TEXT      NOT NULL DEFAULT '',
    blob_key         TEXT      NOT NULL,
    size             INTEGER   NOT NULL,
    sha256           TEXT      NOT NULL,
    status           TEXT      NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
    lines_total      INTEGER   NOT NULL DEFAULT 0,
    lines_matched    INTEGER   NOT NULL DEFAULT 0,
    lines_unmatched  INTEGER   NOT NULL DEFAULT 0,
    lines_invalid    INTEGER   NOT NULL DEFAULT 0,
    -- JSON object currency -> exact gross of every line read.
    totals           TEXT      NOT NULL DEFAULT '{}',
    -- JSON of the reconciliation against the file's own summaries (DSR).
    reconciliation   TEXT,
    error            TEXT      NOT NULL DEFAULT '',
    attempts         INTEGER   NOT NULL DEFAULT 0,
    started_at       TIMESTAMP,
    completed_at     TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sales_imports_same_file ON sales_imports (tenant_id, period_id, dsp, sha256) WHERE status <> 'failed';
CREATE INDEX sales_imports_period ON sales_imports (period_id);

-- Matched sales, summed per import by track (or release for release-level
-- lines), store, territory, usage type and currency: exact sums of the lines'
-- amounts and units, with line_count lines behind each row.
CREATE TABLE sales_matched (
    id              INTEGER PRIMARY KEY,
    import_id       INTEGER NOT NULL REFERENCES sales_imports (id) ON DELETE CASCADE,
    period_id       INTEGER NOT NULL REFERENCES finance_periods (id),
    owner_tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    release_id      INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    track_id        INTEGER REFERENCES tracks (id) ON DELETE CASCADE,
    dsp             TEXT    NOT NULL,
    territory       TEXT    NOT NULL,
    usage_type      TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    units           INTEGER NOT NULL,
    amount          TEXT    NOT NULL,
    line_count      INTEGER NOT NULL
);
CREATE INDEX sales_matched_import ON sales_matched (import_id);
CREATE INDEX sales_matched_period_owner ON sales_matched (period_id, owner_tenant_id);
CREATE INDEX sales_matched_release ON sales_matched (release_id);

-- Lines that matched no track or release: kept one by one, never dropped.
CREATE TABLE sales_unmatched (
    id         INTEGER PRIMARY KEY,
    import_id  INTEGER NOT NULL REFERENCES sales_imports (id) ON DELETE CASCADE,
    line_no    INTEGER NOT NULL,
    dsp        TEXT    NOT NULL,
    territory  TEXT    NOT NULL,
    isrc       TEXT    NOT NULL,
    upc        TEXT    NOT NULL,
    usage_type TEXT    NOT NULL,
    units      INTEGER NOT NULL,
    amount     TEXT    NOT NULL,
    currency   TEXT    NOT NULL
);
CREATE INDEX sales_unmatched_import ON sales_unmatched (import_id, line_no);

-- The payee that receives the revenue of a tenant's tracks without splits.
CREATE TABLE finance_default_payees (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    payee_id  INTEGER NOT NULL REFERENCES payees (id)
);

CREATE TABLE statements (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT      NOT NULL UNIQUE,
    tenant_id   INTEGER   NOT NULL REFERENCES tenants (id),
    period_id   INTEGER   NOT NULL REFERENCES finance_periods (id),
    currency    TEXT      NOT NULL,
    status      TEXT      NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'locked', 'paid')),
    gross       TEXT      NOT NULL,
    fee         TEXT      NOT NULL,
    net         TEXT      NOT NULL,
    share_percent TEXT    NOT NULL,
    approved_at TIMESTAMP,
    locked_at   TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX statements_tenant_period_currency ON statements (tenant_id, period_id, currency);

CREATE TABLE statement_lines (
    id           INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    release_id   INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    track_id     INTEGER REFERENCES tracks (id) ON DELETE CASCADE,
    dsp          TEXT    NOT NULL,
    territory    TEXT    NOT NULL,
    units        INTEGER NOT NULL,
    amount       TEXT    NOT NULL
);
CREATE INDEX statement_lines_statement ON statement_lines (statement_id, id);

CREATE TABLE payee_statements (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT      NOT NULL UNIQUE,
    tenant_id    INTEGER   NOT NULL REFERENCES tenants (id),
    statement_id INTEGER   NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    payee_id     INTEGER   NOT NULL REFERENCES payees (id),
    currency     TEXT      NOT NULL,
    amount       TEXT      NOT NULL,
    status       TEXT      NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'locked', 'paid')),
    approved_at  TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX payee_statements_statement_payee ON payee_statements (statement_id, payee_id);
CREATE INDEX payee_statements_tenant ON payee_statements (tenant_id, id);

CREATE TABLE payee_statement_lines (
    id                 INTEGER PRIMARY KEY,
    payee_statement_id INTEGER NOT NULL REFERENCES payee_statements (id) ON DELETE CASCADE,
    release_id         INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    track_id           INTEGER REFERENCES tracks (id) ON DELETE CASCADE,
    percentage         TEXT    NOT NULL,
    gross              TEXT    NOT NULL,
    share              TEXT    NOT NULL
);
CREATE INDEX payee_statement_lines_ps ON payee_statement_lines (payee_statement_id, id);

CREATE TABLE payouts (
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT      NOT NULL UNIQUE,
    tenant_id          INTEGER   NOT NULL REFERENCES tenants (id),
    payee_statement_id INTEGER   NOT NULL UNIQUE REFERENCES payee_statements (id),
    payee_id           INTEGER   NOT NULL REFERENCES payees (id),
    amount             TEXT      NOT NULL,
    currency           TEXT      NOT NULL,
    status             TEXT      NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'paid')),
    reference          TEXT      NOT NULL DEFAULT '',
    paid_at            TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX payouts_tenant ON payouts (tenant_id, id);

-- +goose Down
DROP TABLE payouts;
DROP TABLE payee_statement_lines;
DROP TABLE payee_statements;
DROP TABLE statement_lines;
DROP TABLE statements;
DROP TABLE finance_default_payees;
DROP TABLE sales_unmatched;
DROP TABLE sales_matched;
DROP TABLE sales_imports;
DROP TABLE finance_periods;
