/*
 * Leadership of serve instances (leader.h): a PostgreSQL advisory lock on a
 * session of its own, or a flock beside a SQLite file; a leader epoch raised
 * on every election and checked by every ledger write (fencing); the
 * instance_metadata heartbeat row.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "store/pq_lib.h"
#include "tradecore/clock.h"
#include "tradecore/id.h"
#include "tradecore/leader.h"
#include "tradecore/log.h"
#include "internal/banned.h"

#ifndef TC_VERSION
#define TC_VERSION "0.0.0"
#endif

struct tc_leader {
    struct tc_store *runtime;
    char *url;
    int pg;
    char mode[16];
    int heartbeat_ms, lease_ms, poll_ms;
    char instance_id[TC_UUID_STRLEN];
    char host[256];
    int64_t started_us;
    pthread_mutex_t addr_mu;
    char address[TC_LEADER_ADDRESS_MAX];
    int lock_fd;                 /* sqlite */
    char lock_path[4096];
    const struct tc_clock *clock; /* NULL = system */
    PGconn *session;             /* postgres */
    int64_t confirmed_mono_us;   /* last successful session round trip */
    atomic_int leader;
    atomic_llong epoch;
    int settled;                 /* a role has been reported */
    atomic_int fenced;           /* a write found the stored epoch moved on */
    tc_leader_role_fn fn;
    void *fn_ud;
    pthread_t thread;
    int running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping;
};

static int64_t mono_us(const struct tc_leader *l) { return tc_clock_monotonic(l->clock); }

/* The file of a sqlite URL, or NULL for :memory:. */
static const char *sqlite_path(const char *url)
{
    const char *p = url + strlen("sqlite:");
    if (strncmp(p, "//", 2) == 0)
        p += 2;
    if (!*p || strcmp(p, ":memory:") == 0)
        return NULL;
    return p;
}

static int take_file_lock(struct tc_leader *l, const char *path, struct tc_error *err)
{
    char pid[32];
    int n;

    if (snprintf(l->lock_path, sizeof(l->lock_path), "%s.lock", path) >= (int)sizeof(l->lock_path))
        return tc_error_set(err, TC_EINVAL, "runtime store: path too long for a lock file");
    l->lock_fd = open(l->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (l->lock_fd < 0)
        return tc_error_set(err, TC_EIO, "lock file %s: %s", l->lock_path, strerror(errno));
    if (flock(l->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char holder[32] = "?";
        ssize_t r = pread(l->lock_fd, holder, sizeof(holder) - 1, 0);
        if (r > 0) {
            holder[r] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
        }
        close(l->lock_fd);
        l->lock_fd = -1;
        if (e == EWOULDBLOCK)
            return tc_error_set(err, TC_EBUSY,
                                "runtime store %s is in use by another tradecore serve "
                                "(lock file %s held by pid %s)",
                                path, l->lock_path, holder);
        return tc_error_set(err, TC_EIO, "lock file %s: %s", l->lock_path, strerror(e));
    }
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(l->lock_fd, 0) != 0 || pwrite(l->lock_fd, pid, (size_t)n, 0) != n)
        TC_LOG_WARN("leader", "cannot write the pid into the lock file",
                    TC_LF_STR("path", l->lock_path));
    return 0;
}

int tc_leader_new(const struct tc_leader_options *opt, struct tc_leader **out,
                  struct tc_error *err)
{
    struct tc_leader *l;
    int rc;

    *out = NULL;
    if (!opt->runtime || !opt->runtime_url)
        return tc_error_set(err, TC_EINVAL, "leader: the runtime store and its url are required");
    if (opt->heartbeat_ms < 10)
        return tc_error_set(err, TC_ECONFIG, "server.heartbeat_ms: %d is below 10",
                            opt->heartbeat_ms);
    if (opt->lease_ms < 40)
        return tc_error_set(err, TC_ECONFIG, "server.lease_ms: %d is below 40", opt->lease_ms);
    if (!opt->mode || (strcmp(opt->mode, "LIVE") != 0 && strcmp(opt->mode, "PAPER") != 0))
        return tc_error_set(err, TC_ECONFIG, "leader: mode \"%.16s\" is not LIVE or PAPER",
                            opt->mode ? opt->mode : "(null)");
    if (!(l = calloc(1, sizeof(*l))) || !(l->url = strdup(opt->runtime_url))) {
        free(l);
        return tc_error_set(err, TC_ENOMEM, "leader: out of memory");
    }
    l->runtime = opt->runtime;
    l->pg = tc_store_backend(opt->runtime) == TC_STORE_POSTGRES;
    snprintf(l->mode, sizeof(l->mode), "%s", opt->mode);
    l->heartbeat_ms = opt->heartbeat_ms;
    l->lease_ms = opt->lease_ms;
    l->poll_ms = opt->heartbeat_ms < opt->lease_ms / 4 ? opt->heartbeat_ms : opt->lease_ms / 4;
    l->lock_fd = -1;
    l->clock = opt->clock;
    l->started_us = tc_clock_now(l->clock);
    tc_id_uuid(l->instance_id, sizeof(l->instance_id));
    if (gethostname(l->host, sizeof(l->host) - 1) != 0)
        snprintf(l->host, sizeof(l->host), "unknown");
    pthread_mutex_init(&l->addr_mu, NULL);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    snprintf(l->address, sizeof(l->address), "%s", opt->address ? opt->address : "");
    if (!l->pg && strncmp(opt->runtime_url, "sqlite:", 7) == 0 && sqlite_path(opt->runtime_url) &&
        (rc = take_file_lock(l, sqlite_path(opt->runtime_url), err)) != 0) {
        tc_leader_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

void tc_leader_set_address(struct tc_leader *l, const char *address)
{
    pthread_mutex_lock(&l->addr_mu);
    snprintf(l->address, sizeof(l->address), "%s", address ? address : "");
    pthread_mutex_unlock(&l->addr_mu);
}

/* ---- election ---- */

struct elect {
    struct tc_leader *l;
    const char *address;
    int64_t epoch;
};

static int epoch_row(const struct tc_row *row, void *ud)
{
    return tc_row_int(row, 0, ud) == 0 ? 0 : TC_EPARSE;
}

static int elect_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct elect *e = ud;
    struct tc_val v[] = {TC_V_TEXT(e->l->instance_id), TC_V_TEXT(e->address),
                         TC_V_TIME(tc_clock_now(e->l->clock))};
    e->epoch = 0;
    int rc = tc_txn_exec(tx,
                         "UPDATE leader_state SET epoch = epoch + 1, leader_instance = $1, "
                         "leader_address = $2, updated_at = $3 WHERE id = 1 RETURNING epoch",
                         v, 3, epoch_row, &e->epoch, NULL, err);
    if (rc != 0)
        return rc;
    if (e->epoch <= 0)
        return tc_error_set(err, TC_ESTATE, "leader_state: no row to raise the epoch in");
    return 0;
}

static int raise_epoch(struct tc_leader *l, struct tc_error *err)
{
    struct elect e = {l, NULL, 0};
    char addr[TC_LEADER_ADDRESS_MAX];
    int rc;

    pthread_mutex_lock(&l->addr_mu);
    snprintf(addr, sizeof(addr), "%s", l->address);
    pthread_mutex_unlock(&l->addr_mu);
    e.address = addr;
    if ((rc = tc_store_txn(l->runtime, TC_TXN_WRITE, elect_txn, &e, err)) != 0)
        return tc_error_prefix(err, "leader: raising the epoch");
    atomic_store(&l->epoch, e.epoch);
    return 0;
}

static void session_close(struct tc_leader *l)
{
    if (l->session)
        PQfinish(l->session);
    l->session = NULL;
}

/* One round trip on the session; 1 when the query answered the single
 * boolean/value row, with its text in VAL. */
static int session_query(struct tc_leader *l, const char *sql, char *val, size_t cap)
{
    PGresult *r = PQexec(l->session, sql);
    int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;

    if (ok && val)
        snprintf(val, cap, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ok;
}

/* postgres: confirm or try the lock. Sets *HAVE. */
static int pg_lock(struct tc_leader *l, int *have, struct tc_error *err)
{
    char sql[96], val[16];
    int rc;

    *have = 0;
    if (l->session && PQstatus(l->session) != CONNECTION_OK)
        session_close(l);
    if (!l->session) {
        if ((rc = tc__pq_load(err)) != 0) {
            tc_error_prefix(err, "leader: cannot open the lock session to %s",
                            tc_store_url_redacted(l->runtime));
            return rc;
        }
        l->session = PQconnectdb(l->url);
        if (!l->session || PQstatus(l->session) != CONNECTION_OK) {
            rc = tc_error_set(err, TC_EUNAVAIL, "leader: cannot open the lock session to %s: %s",
                              tc_store_url_redacted(l->runtime),
                              l->session ? PQerrorMessage(l->session) : "out of memory");
            session_close(l);
            return rc;
        }
    }
    if (atomic_load(&l->leader)) {
        /* we hold the lock as long as the session lives */
        if (!session_query(l, "SELECT 1", NULL, 0)) {
            session_close(l);
            return tc_error_set(err, TC_EUNAVAIL, "leader: lock session lost");
        }
        *have = 1;
        return 0;
    }
    snprintf(sql, sizeof(sql), "SELECT pg_try_advisory_lock(%lld)", (long long)TC_LEADER_LOCK_KEY);
    if (!session_query(l, sql, val, sizeof(val))) {
        session_close(l);
        return tc_error_set(err, TC_EUNAVAIL, "leader: advisory lock query failed");
    }
    *have = strcmp(val, "t") == 0;
    return 0;
}

static int heartbeat_row(struct tc_leader *l, struct tc_error *err)
{
    char addr[TC_LEADER_ADDRESS_MAX];
    int64_t now = tc_clock_now(l->clock);
    int rc;

    pthread_mutex_lock(&l->addr_mu);
    snprintf(addr, sizeof(addr), "%s", l->address);
    pthread_mutex_unlock(&l->addr_mu);
    {
        struct tc_val v[] = {TC_V_TEXT(l->instance_id), TC_V_TEXT(l->host),
                             TC_V_INT(getpid()), TC_V_TEXT(TC_VERSION), TC_V_TEXT(l->mode),
                             TC_V_TIME(l->started_us), TC_V_TIME(now),
                             TC_V_TEXT(atomic_load(&l->leader) ? "leader" : "follower"),
                             TC_V_TEXT(addr), TC_V_INT(atomic_load(&l->epoch))};
        rc = tc_store_exec(l->runtime,
                           "INSERT INTO instance_metadata (instance_id, host, pid, version, mode, "
                           "started_at, last_heartbeat, role, address, epoch) VALUES ($1, $2, $3, "
                           "$4, $5, $6, $7, $8, $9, $10) ON CONFLICT (instance_id) DO UPDATE SET "
                           "last_heartbeat = excluded.last_heartbeat, role = excluded.role, "
                           "address = excluded.address, epoch = excluded.epoch",
                           v, sizeof(v) / sizeof(v[0]), NULL, NULL, NULL, err);
    }
    return rc ? tc_error_prefix(err, "leader: heartbeat row") : 0;
}

static void set_role(struct tc_leader *l, int leader, tc_leader_role_fn fn, void *ud)
{
    int first = !l->settled;

    if (!first && atomic_load(&l->leader) == leader)
        return;
    l->settled = 1; /* the first step always reports the role */
    atomic_store(&l->leader, leader);
    TC_LOG_INFO("leader", leader ? "elected" : first ? "standby" : "stepped down",
                TC_LF_STR("instance_id", l->instance_id),
                TC_LF_INT("epoch", atomic_load(&l->epoch)));
    if (fn)
        fn(ud, leader, atomic_load(&l->epoch));
}

int tc_leader_step(struct tc_leader *l, tc_leader_role_fn fn, void *ud, struct tc_error *err)
{
    int rc = 0, have = 0;

    if (atomic_exchange(&l->fenced, 0) && atomic_load(&l->leader)) {
        /* another writer raised the epoch: this leadership is over. Step
         * down (postgres: give the lock back) and stand again next poll. */
        TC_LOG_WARN("leader", "fenced: stepping down", TC_LF_INT("epoch", atomic_load(&l->epoch)));
        if (l->pg)
            session_close(l);
        set_role(l, 0, fn, ud);
    } else if (l->pg) {
        rc = pg_lock(l, &have, err);
        if (rc == 0 && have)
            l->confirmed_mono_us = mono_us(l);
        if (have && !atomic_load(&l->leader)) {
            if ((rc = raise_epoch(l, err)) != 0) {
                /* keep nothing we cannot fence: give the lock back */
                session_close(l);
                have = 0;
            }
        }
        /* a session we could not confirm within the lease is a lock we may
         * have lost: step down (the fence refuses our writes anyway) */
        if (have && mono_us(l) - l->confirmed_mono_us > (int64_t)l->lease_ms * 1000)
            have = 0;
        set_role(l, have, fn, ud);
    } else if (!atomic_load(&l->leader)) {
        /* sqlite: the file lock (or a private in-memory store) makes us the writer */
        if ((rc = raise_epoch(l, err)) == 0)
            set_role(l, 1, fn, ud);
    }
    {
        struct tc_error herr = {0};
        int hrc = heartbeat_row(l, rc ? &herr : err);
        if (rc == 0)
            rc = hrc;
    }
    return rc;
}

static void *leader_thread(void *ud)
{
    struct tc_leader *l = ud;

    pthread_mutex_lock(&l->mu);
    while (!l->stopping) {
        struct timespec until;
        struct tc_error err = {0};
        pthread_mutex_unlock(&l->mu);
        if (tc_leader_step(l, l->fn, l->fn_ud, &err) != 0)
            TC_LOG_WARN("leader", "step failed", TC_LF_STR("error", tc_error_msg(&err)));
        pthread_mutex_lock(&l->mu);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += l->poll_ms / 1000;
        until.tv_nsec += (long)(l->poll_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!l->stopping && pthread_cond_timedwait(&l->cv, &l->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

int tc_leader_start(struct tc_leader *l, tc_leader_role_fn fn, void *ud, struct tc_error *err)
{
    pthread_condattr_t ca;
    struct tc_error serr = {0};

    if (l->running)
        return tc_error_set(err, TC_ESTATE, "leader: already started");
    l->fn = fn;
    l->fn_ud = ud;
    pthread_cond_destroy(&l->cv);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (tc_leader_step(l, fn, ud, &serr) != 0)
        TC_LOG_WARN("leader", "first step failed", TC_LF_STR("error", tc_error_msg(&serr)));
    if (pthread_create(&l->thread, NULL, leader_thread, l) != 0)
        return tc_error_set(err, TC_EINTERNAL, "leader: cannot start its thread");
    l->running = 1;
    return 0;
}

int tc_leader_is_leader(const struct tc_leader *l)
{
    return atomic_load(&((struct tc_leader *)l)->leader);
}

int64_t tc_leader_epoch(const struct tc_leader *l)
{
    return atomic_load(&((struct tc_leader *)l)->epoch);
}

const char *tc_leader_instance_id(const struct tc_leader *l) { return l->instance_id; }

struct current {
    char *addr;
    size_t cap;
    int64_t epoch;
};

static int current_row(const struct tc_row *row, void *ud)
{
    struct current *c = ud;
    const char *a = NULL;

    if (tc_row_int(row, 0, &c->epoch) != 0)
        return TC_EPARSE;
    if (!tc_row_is_null(row, 1) && tc_row_text(row, 1, &a) == 0)
        snprintf(c->addr, c->cap, "%s", a);
    return 0;
}

int tc_leader_current(struct tc_leader *l, char *addr, size_t cap, int64_t *epoch,
                      struct tc_error *err)
{
    struct current c = {addr, cap, 0};
    int rc;

    if (cap)
        addr[0] = '\0';
    rc = tc_store_exec(l->runtime, "SELECT epoch, leader_address FROM leader_state WHERE id = 1",
                       NULL, 0, current_row, &c, NULL, err);
    if (rc == 0 && epoch)
        *epoch = c.epoch;
    return rc;
}

int tc_leader_fence(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct tc_leader *l = ud;
    int64_t mine = atomic_load(&l->epoch), stored = -1;
    int rc;

    if (!atomic_load(&l->leader))
        return tc_error_set(err, TC_EFENCED, "not the leader: writes go to the leader instance");
    rc = tc_txn_exec(tx,
                     l->pg ? "SELECT epoch FROM leader_state WHERE id = 1 FOR SHARE"
                           : "SELECT epoch FROM leader_state WHERE id = 1",
                     NULL, 0, epoch_row, &stored, NULL, err);
    if (rc != 0)
        return rc;
    if (stored != mine) {
        atomic_store(&l->fenced, 1);
        return tc_error_set(err, TC_EFENCED,
                            "leader epoch %lld is stale: the store is at epoch %lld",
                            (long long)mine, (long long)stored);
    }
    return 0;
}

void tc_leader_free(struct tc_leader *l)
{
    if (!l)
        return;
    if (l->running) {
        pthread_mutex_lock(&l->mu);
        l->stopping = 1;
        pthread_cond_signal(&l->cv);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->thread, NULL);
        l->running = 0;
    }
    if (atomic_load(&l->leader)) {
        struct tc_error err = {0};
        atomic_store(&l->leader, 0);
        if (heartbeat_row(l, &err) != 0)
            TC_LOG_WARN("leader", "final heartbeat", TC_LF_STR("error", tc_error_msg(&err)));
    }
    session_close(l);
    if (l->lock_fd >= 0)
        close(l->lock_fd); /* releases the flock; the file stays (unlinking would race) */
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    pthread_mutex_destroy(&l->addr_mu);
    free(l->url);
    free(l);
}
