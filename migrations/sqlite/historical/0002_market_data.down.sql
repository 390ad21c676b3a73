-- Drops what 0002_market_data.up.sql creates.
DROP TABLE calendar_overrides;
DROP TABLE fx_rates_daily;
DROP TABLE corporate_actions;
DROP TABLE prices_daily;
