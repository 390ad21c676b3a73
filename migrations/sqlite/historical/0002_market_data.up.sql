-- Market data (historical store): daily prices, corporate actions, FX rates
-- and calendar overrides. Decimals are INTEGER raw units of 1e-8; times are
-- ISO-8601 UTC text ending in "Z". Session dates (trade_date, ex_date,
-- rate_date, override_date) are TEXT 'YYYY-MM-DD' on both backends: the
-- exchange-local civil date, which sorts as text, binds as TC_VAL_TEXT and
-- needs no time zone (the store has no DATE kind).

-- One bar per instrument and session. WITHOUT ROWID: the primary key is the
-- table's only B-tree, so bulk loads sorted by (instrument, date) append.
-- The per-row checks are the ones that keep a bar sane; source and created_at
-- (the same for every row of a load) go unchecked here: a text pattern check
-- on them cost a fifth of a million-row load.
CREATE TABLE prices_daily (
    instrument_id TEXT NOT NULL REFERENCES instruments (instrument_id),
    trade_date    TEXT NOT NULL
                  CHECK (trade_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    open          INTEGER NOT NULL CHECK (typeof(open) = 'integer' AND open > 0),
    high          INTEGER NOT NULL CHECK (typeof(high) = 'integer' AND high > 0),
    low           INTEGER NOT NULL CHECK (typeof(low) = 'integer' AND low > 0),
    close         INTEGER NOT NULL CHECK (typeof(close) = 'integer' AND close > 0),
    adj_close     INTEGER NOT NULL CHECK (typeof(adj_close) = 'integer' AND adj_close > 0),
    volume        INTEGER NOT NULL CHECK (typeof(volume) = 'integer' AND volume >= 0),
    open_interest INTEGER NOT NULL DEFAULT 0
                  CHECK (typeof(open_interest) = 'integer' AND open_interest >= 0),
    source        TEXT NOT NULL,  -- checked by the loader (1..255 bytes)
    created_at    TEXT NOT NULL,  -- one value per load, written by the loader
    CHECK (low <= open AND low <= close AND open <= high AND close <= high AND low <= high),
    PRIMARY KEY (instrument_id, trade_date)
) WITHOUT ROWID;

-- A split (ratio new shares per old share, e.g. 2 for 2-for-1) or a cash
-- dividend per share (amount, in currency) effective on ex_date.
CREATE TABLE corporate_actions (
    instrument_id TEXT NOT NULL REFERENCES instruments (instrument_id),
    ex_date       TEXT NOT NULL
                  CHECK (ex_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    kind          TEXT NOT NULL CHECK (kind IN ('SPLIT', 'DIVIDEND')),
    ratio         INTEGER CHECK (ratio IS NULL OR (typeof(ratio) = 'integer' AND ratio > 0)),
    amount        INTEGER CHECK (amount IS NULL OR (typeof(amount) = 'integer' AND amount > 0)),
    currency      TEXT CHECK (currency IS NULL OR currency GLOB '[A-Z][A-Z][A-Z]'),
    source        TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
    created_at    TEXT NOT NULL
                  CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    CHECK ((kind = 'SPLIT' AND ratio IS NOT NULL AND amount IS NULL AND currency IS NULL)
           OR (kind = 'DIVIDEND' AND amount IS NOT NULL AND ratio IS NULL)),
    PRIMARY KEY (instrument_id, ex_date, kind)
);

-- One unit of BASE costs RATE units of QUOTE at the close of rate_date.
CREATE TABLE fx_rates_daily (
    base       TEXT NOT NULL CHECK (base GLOB '[A-Z][A-Z][A-Z]'),
    quote      TEXT NOT NULL CHECK (quote GLOB '[A-Z][A-Z][A-Z]'),
    rate_date  TEXT NOT NULL
               CHECK (rate_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    rate       INTEGER NOT NULL CHECK (typeof(rate) = 'integer' AND rate > 0),
    source     TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
    created_at TEXT NOT NULL
               CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    CHECK (base <> quote),
    PRIMARY KEY (base, quote, rate_date)
);

-- Overrides of a market's calendar rules for one date (calendar.h): CLOSED,
-- EARLY_CLOSE at close_time, or OPEN (regular hours, or closing at close_time).
-- close_time is exchange-local 'HH:MM'.
CREATE TABLE calendar_overrides (
    market_id     TEXT NOT NULL REFERENCES markets (market_id),
    override_date TEXT NOT NULL
                  CHECK (override_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    kind          TEXT NOT NULL CHECK (kind IN ('CLOSED', 'EARLY_CLOSE', 'OPEN')),
    close_time    TEXT CHECK (close_time IS NULL OR close_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    reason        TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 95),
    created_at    TEXT NOT NULL
                  CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
    CHECK (kind <> 'CLOSED' OR close_time IS NULL),
    CHECK (kind <> 'EARLY_CLOSE' OR close_time IS NOT NULL),
    PRIMARY KEY (market_id, override_date)
);
