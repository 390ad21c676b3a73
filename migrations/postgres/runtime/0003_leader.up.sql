-- Leadership (tradecore serve): one row holding the leader epoch, a fencing
-- token raised by every instance that becomes the writer (it holds the
-- advisory lock). Every ledger write of a service reads it FOR SHARE inside
-- its own transaction and refuses to commit when it is not the epoch the
-- instance was elected with; FOR SHARE makes a new leader's increment wait
-- for writes of the old epoch that are still in flight. The leader's HTTP
-- address is kept beside it so that standbys can point clients at the writer.

CREATE TABLE leader_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    epoch           BIGINT NOT NULL DEFAULT 0 CHECK (epoch >= 0),
    leader_instance TEXT,
    leader_address  TEXT,
    updated_at      TIMESTAMPTZ NOT NULL
);
INSERT INTO leader_state (id, epoch, updated_at) VALUES (1, 0, 'epoch');

ALTER TABLE instance_metadata ADD COLUMN address TEXT;
ALTER TABLE instance_metadata ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
