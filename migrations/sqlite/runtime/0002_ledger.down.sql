-- Drops what 0002_ledger.up.sql creates, dependants first.
DROP TABLE engine_decisions;
DROP TABLE allocation_history;
DROP TABLE strategy_performance;
DROP TABLE risk_metrics;
DROP TABLE daily_performance;
DROP TABLE instance_metadata;
DROP TABLE signal_log;
DROP TABLE pyramiding_state;
DROP TABLE trades;
DROP TABLE fills;
DROP TABLE orders;
DROP TABLE positions;
DROP TABLE portfolio_state;
