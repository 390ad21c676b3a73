-- Drops what 0001_reference_data.up.sql creates, dependents first.
DROP INDEX instruments_market_symbol_uq;
DROP INDEX instruments_symbol_idx;
DROP INDEX instruments_status_idx;
DROP INDEX instruments_market_idx;
DROP INDEX instruments_issuer_idx;
DROP TABLE instruments;
DROP TABLE issuers;
DROP TABLE markets;
