-- Accounts (runtime store): portfolios and strategies.
-- Decimals are INTEGER raw units of 1e-8; times are ISO-8601 UTC text ending
-- in "Z"; JSON is TEXT holding a valid JSON object; deleted_at marks a soft delete.

CREATE TABLE portfolios (
    portfolio_id    TEXT PRIMARY KEY NOT NULL CHECK (length(portfolio_id) BETWEEN 1 AND 64),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    description     TEXT,
    base_currency   TEXT NOT NULL CHECK (base_currency GLOB '[A-Z][A-Z][A-Z]'),
    initial_capital INTEGER NOT NULL
                    CHECK (typeof(initial_capital) = 'integer' AND initial_capital >= 0),
    metadata        TEXT NOT NULL DEFAULT '{}'
                    CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created_at      TEXT NOT NULL
                    CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    updated_at      TEXT NOT NULL
                    CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    created_by      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    deleted_at      TEXT CHECK (deleted_at IS NULL
                                OR deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z')
);

CREATE TABLE strategies (
    strategy_id TEXT PRIMARY KEY NOT NULL CHECK (length(strategy_id) BETWEEN 1 AND 64),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    description TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    params      TEXT NOT NULL DEFAULT '{}'
                CHECK (json_valid(params) AND json_type(params) = 'object'),
    metadata    TEXT NOT NULL DEFAULT '{}'
                CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created_at  TEXT NOT NULL CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    updated_at  TEXT NOT NULL CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted_at  TEXT CHECK (deleted_at IS NULL
                            OR deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z')
);

CREATE INDEX strategies_enabled_idx ON strategies (enabled);
