-- Drops what 0003_leader.up.sql creates.
ALTER TABLE instance_metadata DROP COLUMN epoch;
ALTER TABLE instance_metadata DROP COLUMN address;
DROP TABLE leader_state;
