/*
 * Leadership of `tradecore serve` instances over one runtime store (DESIGN.md
 * rule 7: one writer).
 *
 * PostgreSQL: several instances may run. The leader is the instance holding
 * a session-level advisory lock (pg_try_advisory_lock(TC_LEADER_LOCK_KEY)) on
 * a dedicated libpq connection of its own, outside the store's pool. On
 * winning the lock it raises the leader epoch in leader_state (migration
 * 0003_leader) in one transaction: the epoch is a fencing token. Every
 * ledger write of the service checks it (tc_leader_fence, passed as the
 * ledger's fence): `SELECT epoch FROM leader_state WHERE id = 1 FOR SHARE`
 * must equal the epoch this instance was elected with, else TC_EFENCED and
 * nothing is written. A deposed leader (paused, partitioned) therefore cannot
 * write once another instance has taken over, and a new leader's increment
 * waits for the old epoch's writes still in flight (FOR SHARE). A leader
 * whose write was fenced steps down at its next poll (giving back the lock)
 * and stands again: the role then follows the store.
 *
 * The lease: standbys try the lock every poll interval (min(heartbeat_ms,
 * lease_ms / 4)); a leader confirms its session (a round trip on the lock's
 * connection) at the same interval and steps down when it cannot, or when
 * its last confirmation is older than lease_ms. When a leader process dies,
 * PostgreSQL ends its session and releases the lock, so a standby takes over
 * within one poll interval, well inside lease_ms.
 *
 * SQLite: one writer process. tc_leader_new takes an exclusive flock on the
 * runtime database path + ".lock" (the file holds the holder's pid) and
 * fails with TC_EBUSY, naming the file and the pid, while another process
 * holds it. The holder is the leader at once, with a new epoch. An in-memory
 * database has no file and no lock.
 *
 * Every poll also upserts this instance's instance_metadata row (host, pid,
 * version, mode, started_at, last_heartbeat, role, address, epoch).
 *
 * Thread-safety: tc_leader_is_leader, tc_leader_epoch and tc_leader_fence may
 * be called from any thread; the rest from the thread that owns the leader.
 */
#ifndef TRADECORE_LEADER_H
#define TRADECORE_LEADER_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/clock.h"
#include "tradecore/error.h"
#include "tradecore/store.h"

/* The advisory lock key: "tradecr" in ASCII. */
#define TC_LEADER_LOCK_KEY INT64_C(0x74726164656372)
#define TC_LEADER_ADDRESS_MAX 128

struct tc_leader;

struct tc_leader_options {
    struct tc_store *runtime;   /* required, borrowed, migrated to 0003+ */
    const char *runtime_url;    /* required: the URL RUNTIME was opened with
                                 * (postgres: the lock's session; sqlite: the lock file) */
    const char *address;        /* "HOST:PORT" of this instance's HTTP server; may be
                                 * set later with tc_leader_set_address */
    const char *mode;           /* "LIVE" or "PAPER" (instance_metadata.mode) */
    int heartbeat_ms;           /* >= 10 */
    int lease_ms;               /* >= 2 * heartbeat_ms is sensible; >= 40 */
    const struct tc_clock *clock; /* NULL = system; borrowed, outlives the leader. Its
                                 * wall time stamps started_at, last_heartbeat and the
                                 * election; the lease is timed on its monotonic time
                                 * only, so a wall-clock jump neither ends nor extends
                                 * a leadership (the epoch stays) */
};

/* Called after a change of role, from the leader's thread. */
typedef void (*tc_leader_role_fn)(void *ud, int is_leader, int64_t epoch);

/*
 * Creates a leader object. sqlite: takes the file lock (TC_EBUSY naming the
 * lock file and the holder's pid when another process has it; TC_EIO when the
 * file cannot be opened). TC_ECONFIG for bad options. *OUT owned by the
 * caller (tc_leader_free).
 */
int tc_leader_new(const struct tc_leader_options *opt, struct tc_leader **out,
                  struct tc_error *err);

/* Sets the advertised address (copied; at most TC_LEADER_ADDRESS_MAX - 1). */
void tc_leader_set_address(struct tc_leader *l, const char *address);

/*
 * One poll: confirm or try the leadership (raising the epoch when won),
 * then write the heartbeat row. Calls FN (may be NULL) when the role changed.
 * Store errors are returned after the role has been settled (a leader that
 * cannot reach its store steps down).
 */
int tc_leader_step(struct tc_leader *l, tc_leader_role_fn fn, void *ud, struct tc_error *err);

/* Runs tc_leader_step every poll interval on a thread of its own until
 * tc_leader_free. The first step runs before this returns. */
int tc_leader_start(struct tc_leader *l, tc_leader_role_fn fn, void *ud, struct tc_error *err);

int tc_leader_is_leader(const struct tc_leader *l);
/* The epoch this instance was last elected with (0 = never). */
int64_t tc_leader_epoch(const struct tc_leader *l);
const char *tc_leader_instance_id(const struct tc_leader *l);

/*
 * The current leader as the store says: its address ("" when unknown) into
 * ADDR (CAP bytes) and its epoch. For standbys' 503 answers.
 */
int tc_leader_current(struct tc_leader *l, char *addr, size_t cap, int64_t *epoch,
                      struct tc_error *err);

/*
 * A tc_ledger_fence_fn (ledger.h): UD is the struct tc_leader. TC_EFENCED
 * ("not the leader" / "leader epoch N is stale: the store is at M") when this
 * instance is not the leader or the stored epoch differs.
 */
int tc_leader_fence(struct tc_txn *tx, void *ud, struct tc_error *err);

/* Stops the thread, releases the lock (the session is closed), marks the
 * instance row as a follower. NULL allowed. */
void tc_leader_free(struct tc_leader *l);

#endif
