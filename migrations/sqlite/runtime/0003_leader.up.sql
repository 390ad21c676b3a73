-- Leadership (tradecore serve): one row holding the leader epoch, a fencing
-- token raised by every instance that becomes the writer. Every ledger write
-- of a service reads it inside its own transaction and refuses to commit when
-- it is not the epoch the instance was elected with (a deposed leader that
-- wakes up cannot write). The leader's HTTP address is kept beside it so that
-- standbys can point clients at the writer. instance_metadata gains the
-- address each instance serves on.

CREATE TABLE leader_state (
    id              INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    epoch           INTEGER NOT NULL DEFAULT 0 CHECK (epoch >= 0),
    leader_instance TEXT,
    leader_address  TEXT,
    updated_at      TEXT NOT NULL
);
INSERT INTO leader_state (id, epoch, updated_at) VALUES (1, 0, '1970-01-01T00:00:00.000000Z');

ALTER TABLE instance_metadata ADD COLUMN address TEXT;
ALTER TABLE instance_metadata ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
