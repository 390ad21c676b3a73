-- Reference data (historical store): markets, issuers, instruments.
-- Decimals are NUMERIC(20,8); times are TIMESTAMPTZ (UTC); JSON is a JSONB
-- object; deleted_at marks a soft delete.

CREATE TABLE markets (
    market_id     TEXT PRIMARY KEY CHECK (length(market_id) BETWEEN 1 AND 64),
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    region        TEXT,
    timezone      TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    calendar_spec JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(calendar_spec) = 'object'),
    metadata      JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    deleted_at    TIMESTAMPTZ
);

CREATE TABLE issuers (
    issuer_id   TEXT PRIMARY KEY CHECK (length(issuer_id) BETWEEN 1 AND 64),
    issuer_type TEXT NOT NULL
                CHECK (issuer_type IN ('CORPORATION', 'GOVERNMENT', 'FUND', 'OTHER')),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    country     TEXT CHECK (country ~ '^[A-Z]{2}$'),
    sector      TEXT,
    industry    TEXT,
    metadata    JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    deleted_at  TIMESTAMPTZ
);

CREATE TABLE instruments (
    instrument_id            TEXT PRIMARY KEY CHECK (length(instrument_id) BETWEEN 1 AND 64),
    issuer_id                TEXT REFERENCES issuers (issuer_id),
    market_id                TEXT NOT NULL REFERENCES markets (market_id),
    asset_class              TEXT NOT NULL CHECK (asset_class IN ('EQUITY', 'ETF', 'FUTURE',
                                                  'OPTION', 'FX', 'CRYPTO', 'INDEX')),
    symbol                   TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 64),
    exchange                 TEXT,
    currency                 TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    multiplier               NUMERIC(20,8) NOT NULL CHECK (multiplier > 0),
    tick_size                NUMERIC(20,8) NOT NULL CHECK (tick_size > 0),
    lot_size                 NUMERIC(20,8) NOT NULL CHECK (lot_size > 0),
    maturity_date            TEXT CHECK (maturity_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    underlying_instrument_id TEXT REFERENCES instruments (instrument_id),
    status                   TEXT NOT NULL DEFAULT 'ACTIVE'
                             CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DELISTED')),
    metadata                 JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL,
    created_by               TEXT NOT NULL,
    updated_by               TEXT NOT NULL,
    deleted_at               TIMESTAMPTZ
);

CREATE INDEX instruments_issuer_idx ON instruments (issuer_id);
CREATE INDEX instruments_market_idx ON instruments (market_id);
CREATE INDEX instruments_status_idx ON instruments (status);
CREATE INDEX instruments_symbol_idx ON instruments (symbol);
-- One live instrument per symbol and market; soft-deleted rows do not count.
CREATE UNIQUE INDEX instruments_market_symbol_uq ON instruments (market_id, symbol)
    WHERE deleted_at IS NULL;
