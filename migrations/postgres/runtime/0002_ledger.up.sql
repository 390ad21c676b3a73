-- Ledger (runtime store): positions, orders, fills, round-trip trades,
-- portfolio and pyramiding state, the signal log, instance metadata, and the
-- performance, risk, allocation and decision tables of later issues.
-- Decimals are NUMERIC(20,8); times are TIMESTAMPTZ (UTC); payloads and
-- outcomes are TEXT (kept byte for byte); inputs/outputs JSONB. instrument_id names a row of the historical store,
-- which may be another database: it has no foreign key.

CREATE TABLE portfolio_state (
    portfolio_id    TEXT PRIMARY KEY REFERENCES portfolios (portfolio_id),
    initial_capital NUMERIC(20,8) NOT NULL CHECK (initial_capital >= 0),
    cash            NUMERIC(20,8) NOT NULL,
    closed_equity   NUMERIC(20,8) NOT NULL,
    realized_pnl    NUMERIC(20,8) NOT NULL DEFAULT 0,
    commission_paid NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (commission_paid >= 0),
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE positions (
    position_id      TEXT PRIMARY KEY CHECK (length(position_id) BETWEEN 1 AND 64),
    portfolio_id     TEXT NOT NULL REFERENCES portfolios (portfolio_id),
    strategy_id      TEXT NOT NULL REFERENCES strategies (strategy_id),
    instrument_id    TEXT NOT NULL CHECK (length(instrument_id) BETWEEN 1 AND 64),
    side             TEXT NOT NULL CHECK (side IN ('LONG', 'SHORT')),
    quantity         NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    lots             NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (lots >= 0),
    multiplier       NUMERIC(20,8) NOT NULL CHECK (multiplier > 0),
    lot_size         NUMERIC(20,8) NOT NULL CHECK (lot_size > 0),
    entry_price      NUMERIC(20,8) NOT NULL CHECK (entry_price > 0),
    entry_time       TIMESTAMPTZ NOT NULL,
    initial_stop     NUMERIC(20,8) CHECK (initial_stop IS NULL OR initial_stop > 0),
    current_stop     NUMERIC(20,8) CHECK (current_stop IS NULL OR current_stop > 0),
    is_base_position BOOLEAN NOT NULL,
    layer            INTEGER NOT NULL CHECK (layer >= 0),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'partial', 'closed')),
    rollover_status  TEXT NOT NULL DEFAULT 'none'
                     CHECK (rollover_status IN ('none', 'pending', 'in_progress', 'rolled', 'failed')),
    closed_quantity  NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (closed_quantity >= 0),
    exit_price       NUMERIC(20,8) CHECK (exit_price IS NULL OR exit_price > 0),
    exit_time        TIMESTAMPTZ,
    exit_reason      TEXT,
    realized_pnl     NUMERIC(20,8) NOT NULL DEFAULT 0,
    commission       NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (commission >= 0),
    version          INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    created_by       TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    CHECK ((layer = 0) = is_base_position)
);
CREATE INDEX positions_portfolio_status_idx ON positions (portfolio_id, status);
CREATE INDEX positions_instrument_status_idx ON positions (instrument_id, status);
CREATE INDEX positions_strategy_idx ON positions (strategy_id);
CREATE INDEX positions_entry_time_idx ON positions (entry_time);
CREATE INDEX positions_status_idx ON positions (status);
-- One base per instrument per portfolio while it is not closed.
CREATE UNIQUE INDEX positions_one_open_base_idx ON positions (portfolio_id, instrument_id)
    WHERE is_base_position AND status <> 'closed';

CREATE TABLE orders (
    order_id           TEXT PRIMARY KEY CHECK (length(order_id) BETWEEN 1 AND 64),
    client_order_id    TEXT NOT NULL UNIQUE CHECK (length(client_order_id) BETWEEN 1 AND 95),
    broker_order_id    TEXT,
    portfolio_id       TEXT NOT NULL REFERENCES portfolios (portfolio_id),
    strategy_id        TEXT NOT NULL REFERENCES strategies (strategy_id),
    instrument_id      TEXT NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('LIVE', 'PAPER', 'BACKTEST')),
    run_id             TEXT,
    side               TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
    intent             TEXT NOT NULL CHECK (intent IN ('OPEN', 'CLOSE')),
    type               TEXT NOT NULL CHECK (type IN ('MARKET', 'LIMIT', 'STOP_MARKET', 'STOP_LIMIT')),
    time_in_force      TEXT NOT NULL CHECK (time_in_force IN ('DAY', 'GTC')),
    quantity           NUMERIC(20,8) NOT NULL CHECK (quantity > 0),
    filled_quantity    NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0),
    multiplier         NUMERIC(20,8) NOT NULL CHECK (multiplier > 0),
    ref_price          NUMERIC(20,8) CHECK (ref_price IS NULL OR ref_price > 0),
    limit_price        NUMERIC(20,8) CHECK (limit_price IS NULL OR limit_price > 0),
    stop_price         NUMERIC(20,8) CHECK (stop_price IS NULL OR stop_price > 0),
    status             TEXT NOT NULL DEFAULT 'NEW'
                       CHECK (status IN ('NEW', 'SUBMITTED', 'PARTIALLY_FILLED', 'FILLED',
                                         'CANCELED', 'REJECTED', 'EXPIRED')),
    signal_fingerprint TEXT,
    position_id        TEXT NOT NULL REFERENCES positions (position_id),
    reason             TEXT,
    reject_reason      TEXT,
    version            INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at         TIMESTAMPTZ NOT NULL,
    submitted_at       TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ NOT NULL,
    CHECK (filled_quantity <= quantity)
);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_position_idx ON orders (position_id);
CREATE INDEX orders_portfolio_idx ON orders (portfolio_id, created_at);

CREATE TABLE fills (
    fill_id      TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL UNIQUE CHECK (length(execution_id) BETWEEN 1 AND 128),
    order_id     TEXT NOT NULL REFERENCES orders (order_id),
    quantity     NUMERIC(20,8) NOT NULL CHECK (quantity > 0),
    price        NUMERIC(20,8) NOT NULL CHECK (price > 0),
    commission   NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (commission >= 0),
    filled_at    TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX fills_order_idx ON fills (order_id);

CREATE TABLE trades (
    trade_id      TEXT PRIMARY KEY,
    position_id   TEXT NOT NULL UNIQUE REFERENCES positions (position_id),
    portfolio_id  TEXT NOT NULL REFERENCES portfolios (portfolio_id),
    strategy_id   TEXT NOT NULL REFERENCES strategies (strategy_id),
    instrument_id TEXT NOT NULL,
    side          TEXT NOT NULL CHECK (side IN ('LONG', 'SHORT')),
    layer         INTEGER NOT NULL CHECK (layer >= 0),
    quantity      NUMERIC(20,8) NOT NULL CHECK (quantity > 0),
    entry_price   NUMERIC(20,8) NOT NULL,
    entry_time    TIMESTAMPTZ NOT NULL,
    exit_price    NUMERIC(20,8) NOT NULL,
    exit_time     TIMESTAMPTZ NOT NULL,
    gross_pnl     NUMERIC(20,8) NOT NULL,
    commission    NUMERIC(20,8) NOT NULL,
    net_pnl       NUMERIC(20,8) NOT NULL,
    exit_reason   TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX trades_portfolio_idx ON trades (portfolio_id, exit_time);

CREATE TABLE pyramiding_state (
    portfolio_id       TEXT NOT NULL REFERENCES portfolios (portfolio_id),
    instrument_id      TEXT NOT NULL,
    base_position_id   TEXT REFERENCES positions (position_id) ON DELETE SET NULL,
    pyramid_count      INTEGER NOT NULL DEFAULT 0 CHECK (pyramid_count >= 0),
    last_pyramid_price NUMERIC(20,8),
    last_pyramid_time  TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (portfolio_id, instrument_id)
);

CREATE TABLE signal_log (
    fingerprint     TEXT PRIMARY KEY CHECK (length(fingerprint) BETWEEN 1 AND 71),
    portfolio_id    TEXT,
    strategy_id     TEXT,
    instrument_id   TEXT,
    signal_type     TEXT,
    side            TEXT,
    signal_time     TIMESTAMPTZ,
    payload         TEXT,
    received_at     TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    reason          TEXT,
    duplicate_count INTEGER NOT NULL DEFAULT 0 CHECK (duplicate_count >= 0),
    position_id     TEXT,
    order_id        TEXT,
    outcome         TEXT NOT NULL,
    mode            TEXT NOT NULL,
    run_id          TEXT
);
CREATE INDEX signal_log_received_idx ON signal_log (received_at);
CREATE INDEX signal_log_portfolio_idx ON signal_log (portfolio_id, received_at);

CREATE TABLE instance_metadata (
    instance_id    TEXT PRIMARY KEY,
    host           TEXT NOT NULL,
    pid            BIGINT NOT NULL,
    version        TEXT NOT NULL,
    mode           TEXT NOT NULL CHECK (mode IN ('LIVE', 'PAPER', 'BACKTEST')),
    started_at     TIMESTAMPTZ NOT NULL,
    last_heartbeat TIMESTAMPTZ NOT NULL,
    role           TEXT NOT NULL DEFAULT 'follower' CHECK (role IN ('leader', 'follower'))
);
CREATE INDEX instance_metadata_heartbeat_idx ON instance_metadata (last_heartbeat);

CREATE TABLE daily_performance (
    portfolio_id  TEXT NOT NULL REFERENCES portfolios (portfolio_id),
    day           DATE NOT NULL,
    mode          TEXT NOT NULL,
    run_id        TEXT NOT NULL DEFAULT '',
    equity        NUMERIC(20,8) NOT NULL,
    cash          NUMERIC(20,8) NOT NULL,
    realized_pnl  NUMERIC(20,8) NOT NULL,
    unrealized_pnl NUMERIC(20,8) NOT NULL,
    commission    NUMERIC(20,8) NOT NULL,
    daily_return  DOUBLE PRECISION,
    drawdown      DOUBLE PRECISION,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (portfolio_id, day, mode, run_id)
);

CREATE TABLE risk_metrics (
    portfolio_id TEXT NOT NULL REFERENCES portfolios (portfolio_id),
    as_of        TIMESTAMPTZ NOT NULL,
    metric       TEXT NOT NULL,
    value        DOUBLE PRECISION,
    details      JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (portfolio_id, as_of, metric)
);

CREATE TABLE strategy_performance (
    strategy_id   TEXT NOT NULL REFERENCES strategies (strategy_id),
    portfolio_id  TEXT NOT NULL REFERENCES portfolios (portfolio_id),
    period_start  TIMESTAMPTZ NOT NULL,
    period_end    TIMESTAMPTZ NOT NULL,
    trades        INTEGER NOT NULL DEFAULT 0,
    wins          INTEGER NOT NULL DEFAULT 0,
    gross_pnl     NUMERIC(20,8) NOT NULL DEFAULT 0,
    net_pnl       NUMERIC(20,8) NOT NULL DEFAULT 0,
    sharpe        DOUBLE PRECISION,
    max_drawdown  DOUBLE PRECISION,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (strategy_id, portfolio_id, period_start, period_end)
);

CREATE TABLE allocation_history (
    allocation_id TEXT PRIMARY KEY,
    portfolio_id  TEXT NOT NULL REFERENCES portfolios (portfolio_id),
    strategy_id   TEXT NOT NULL REFERENCES strategies (strategy_id),
    weight        NUMERIC(20,8) NOT NULL,
    capital       NUMERIC(20,8) NOT NULL,
    effective_at  TIMESTAMPTZ NOT NULL,
    reason        TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX allocation_history_portfolio_idx ON allocation_history (portfolio_id, effective_at);

CREATE TABLE engine_decisions (
    decision_id TEXT PRIMARY KEY,
    context_id  TEXT NOT NULL,
    run_id      TEXT,
    engine      TEXT NOT NULL,
    as_of       TIMESTAMPTZ NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('LIVE', 'PAPER', 'BACKTEST')),
    inputs      JSONB NOT NULL DEFAULT '{}',
    outputs     JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX engine_decisions_context_idx ON engine_decisions (context_id);
CREATE INDEX engine_decisions_run_idx ON engine_decisions (run_id, as_of);
