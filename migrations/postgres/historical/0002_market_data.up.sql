-- Market data (historical store): daily prices, corporate actions, FX rates
-- and calendar overrides. Decimals are NUMERIC(20,8); times are TIMESTAMPTZ
-- (UTC). Session dates (trade_date, ex_date, rate_date, override_date) are
-- TEXT 'YYYY-MM-DD' on both backends: the exchange-local civil date, which
-- sorts as text, binds as TC_VAL_TEXT and needs no time zone (the store has
-- no DATE kind); the CHECK keeps the shape, the loaders check the calendar.

CREATE TABLE prices_daily (
    instrument_id TEXT NOT NULL REFERENCES instruments (instrument_id),
    trade_date    TEXT NOT NULL CHECK (trade_date ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
    open          NUMERIC(20,8) NOT NULL CHECK (open > 0),
    high          NUMERIC(20,8) NOT NULL CHECK (high > 0),
    low           NUMERIC(20,8) NOT NULL CHECK (low > 0),
    close         NUMERIC(20,8) NOT NULL CHECK (close > 0),
    adj_close     NUMERIC(20,8) NOT NULL CHECK (adj_close > 0),
    volume        BIGINT NOT NULL CHECK (volume >= 0),
    open_interest BIGINT NOT NULL DEFAULT 0 CHECK (open_interest >= 0),
    source        TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK (low <= open AND low <= close AND open <= high AND close <= high AND low <= high),
    PRIMARY KEY (instrument_id, trade_date)
);

-- A split (ratio new shares per old share, e.g. 2 for 2-for-1) or a cash
-- dividend per share (amount, in currency) effective on ex_date.
CREATE TABLE corporate_actions (
    instrument_id TEXT NOT NULL REFERENCES instruments (instrument_id),
    ex_date       TEXT NOT NULL CHECK (ex_date ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
    kind          TEXT NOT NULL CHECK (kind IN ('SPLIT', 'DIVIDEND')),
    ratio         NUMERIC(20,8) CHECK (ratio > 0),
    amount        NUMERIC(20,8) CHECK (amount > 0),
    currency      TEXT CHECK (currency ~ '^[A-Z]{3}$'),
    source        TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'SPLIT' AND ratio IS NOT NULL AND amount IS NULL AND currency IS NULL)
           OR (kind = 'DIVIDEND' AND amount IS NOT NULL AND ratio IS NULL)),
    PRIMARY KEY (instrument_id, ex_date, kind)
);

-- One unit of BASE costs RATE units of QUOTE at the close of rate_date.
CREATE TABLE fx_rates_daily (
    base       TEXT NOT NULL CHECK (base ~ '^[A-Z]{3}$'),
    quote      TEXT NOT NULL CHECK (quote ~ '^[A-Z]{3}$'),
    rate_date  TEXT NOT NULL CHECK (rate_date ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
    rate       NUMERIC(20,8) NOT NULL CHECK (rate > 0),
    source     TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (base <> quote),
    PRIMARY KEY (base, quote, rate_date)
);

-- Overrides of a market's calendar rules for one date (calendar.h): CLOSED,
-- EARLY_CLOSE at close_time, or OPEN (regular hours, or closing at close_time).
-- close_time is exchange-local 'HH:MM'.
CREATE TABLE calendar_overrides (
    market_id     TEXT NOT NULL REFERENCES markets (market_id),
    override_date TEXT NOT NULL CHECK (override_date ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
    kind          TEXT NOT NULL CHECK (kind IN ('CLOSED', 'EARLY_CLOSE', 'OPEN')),
    close_time    TEXT CHECK (close_time ~ '^[0-2][0-9]:[0-5][0-9]$'),
    reason        TEXT CHECK (length(reason) BETWEEN 1 AND 95),
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK (kind <> 'CLOSED' OR close_time IS NULL),
    CHECK (kind <> 'EARLY_CLOSE' OR close_time IS NOT NULL),
    PRIMARY KEY (market_id, override_date)
);
