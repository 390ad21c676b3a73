-- Drops what 0001_accounts.up.sql creates.
DROP INDEX strategies_enabled_idx;
DROP TABLE strategies;
DROP TABLE portfolios;
