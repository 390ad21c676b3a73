-- Accounts (runtime store): portfolios and strategies.
-- Decimals are NUMERIC(20,8); times are TIMESTAMPTZ (UTC); JSON is a JSONB
-- object; deleted_at marks a soft delete.

CREATE TABLE portfolios (
    portfolio_id    TEXT PRIMARY KEY CHECK (length(portfolio_id) BETWEEN 1 AND 64),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    description     TEXT,
    base_currency   TEXT NOT NULL CHECK (base_currency ~ '^[A-Z]{3}$'),
    initial_capital NUMERIC(20,8) NOT NULL CHECK (initial_capital >= 0),
    metadata        JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    deleted_at      TIMESTAMPTZ
);

CREATE TABLE strategies (
    strategy_id TEXT PRIMARY KEY CHECK (length(strategy_id) BETWEEN 1 AND 64),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    description TEXT,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    params      JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    metadata    JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted_at  TIMESTAMPTZ
);

CREATE INDEX strategies_enabled_idx ON strategies (enabled);
