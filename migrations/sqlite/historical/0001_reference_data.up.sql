-- Reference data (historical store): markets, issuers, instruments.
-- Decimals are INTEGER raw units of 1e-8; times are ISO-8601 UTC text ending
-- in "Z"; JSON is TEXT holding a valid JSON object; deleted_at marks a soft delete.

CREATE TABLE markets (
    market_id     TEXT PRIMARY KEY NOT NULL CHECK (length(market_id) BETWEEN 1 AND 64),
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    region        TEXT,
    timezone      TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    calendar_spec TEXT NOT NULL DEFAULT '{}'
                  CHECK (json_valid(calendar_spec) AND json_type(calendar_spec) = 'object'),
    metadata      TEXT NOT NULL DEFAULT '{}'
                  CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created_at    TEXT NOT NULL CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    updated_at    TEXT NOT NULL CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    created_by    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    deleted_at    TEXT CHECK (deleted_at IS NULL
                              OR deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z')
);

CREATE TABLE issuers (
    issuer_id   TEXT PRIMARY KEY NOT NULL CHECK (length(issuer_id) BETWEEN 1 AND 64),
    issuer_type TEXT NOT NULL
                CHECK (issuer_type IN ('CORPORATION', 'GOVERNMENT', 'FUND', 'OTHER')),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    country     TEXT CHECK (country IS NULL OR country GLOB '[A-Z][A-Z]'),
    sector      TEXT,
    industry    TEXT,
    metadata    TEXT NOT NULL DEFAULT '{}'
                CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created_at  TEXT NOT NULL CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    updated_at  TEXT NOT NULL CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted_at  TEXT CHECK (deleted_at IS NULL
                            OR deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z')
);

CREATE TABLE instruments (
    instrument_id            TEXT PRIMARY KEY NOT NULL
                             CHECK (length(instrument_id) BETWEEN 1 AND 64),
    issuer_id                TEXT REFERENCES issuers (issuer_id),
    market_id                TEXT NOT NULL REFERENCES markets (market_id),
    asset_class              TEXT NOT NULL CHECK (asset_class IN ('EQUITY', 'ETF', 'FUTURE',
                                                  'OPTION', 'FX', 'CRYPTO', 'INDEX')),
    symbol                   TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 64),
    exchange                 TEXT,
    currency                 TEXT NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    multiplier               INTEGER NOT NULL CHECK (typeof(multiplier) = 'integer' AND multiplier > 0),
    tick_size                INTEGER NOT NULL CHECK (typeof(tick_size) = 'integer' AND tick_size > 0),
    lot_size                 INTEGER NOT NULL CHECK (typeof(lot_size) = 'integer' AND lot_size > 0),
    maturity_date            TEXT CHECK (maturity_date IS NULL
                                         OR maturity_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    underlying_instrument_id TEXT REFERENCES instruments (instrument_id),
    status                   TEXT NOT NULL DEFAULT 'ACTIVE'
                             CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DELISTED')),
    metadata                 TEXT NOT NULL DEFAULT '{}'
                             CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created_at               TEXT NOT NULL
                             CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    updated_at               TEXT NOT NULL
                             CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    created_by               TEXT NOT NULL,
    updated_by               TEXT NOT NULL,
    deleted_at               TEXT CHECK (deleted_at IS NULL
                                         OR deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z')
);

CREATE INDEX instruments_issuer_idx ON instruments (issuer_id);
CREATE INDEX instruments_market_idx ON instruments (market_id);
CREATE INDEX instruments_status_idx ON instruments (status);
CREATE INDEX instruments_symbol_idx ON instruments (symbol);
-- One live instrument per symbol and market; soft-deleted rows do not count.
CREATE UNIQUE INDEX instruments_market_symbol_uq ON instruments (market_id, symbol)
    WHERE deleted_at IS NULL;
