/*
 * The fault store (include/tradecore/fault.h): a store backend that wraps a
 * real store, forwards every op to it, counts the calls and fails the N-th
 * call of an armed plan with the error the real backend would report. On
 * postgres a lost connection is made real by terminating the transaction's
 * server process from a second connection.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/pg_copy.h"
#include "store/pq_lib.h"
#include "store/store_internal.h"
#include "tradecore/fault.h"
#include "tradecore/store.h"
#include "internal/banned.h"

struct fault_store {
    struct tc_store base;
    struct tc_store *inner;
    struct tc_store *killer;   /* postgres: a second connection for pg_terminate_backend */
    pthread_mutex_t mu;
    struct tc_fault_plan plan;
    int armed;
    int64_t seen;              /* calls of the plan's ops since it was armed */
    struct tc_fault_counts counts;
    struct tc_fault_report rep;
};

struct fault_txn {
    struct tc_txn base;
    struct tc_txn *inner;
};

static const struct tc_store_ops fault_sqlite_ops;
static const struct tc_store_ops fault_postgres_ops;

static struct fault_store *fs_of(struct tc_store *s) { return (struct fault_store *)s; }
static struct fault_txn *ft_of(struct tc_txn *tx) { return (struct fault_txn *)tx; }

const char *tc_fault_kind_name(enum tc_fault_kind k)
{
    static const char *const names[TC_FAULT_KIND_COUNT] = {
        "none", "sqlite_ioerr", "sqlite_full", "sqlite_busy", "pg_conn_lost", "pg_serial",
        "enomem"};
    return (unsigned)k < TC_FAULT_KIND_COUNT ? names[k] : "?";
}

int tc_fault_kind_code(enum tc_fault_kind k)
{
    static const int codes[TC_FAULT_KIND_COUNT] = {0,         TC_EIO,      TC_ENOSPC,
                                                   TC_EBUSY,  TC_EUNAVAIL, TC_ESERIAL,
                                                   TC_ENOMEM};
    return (unsigned)k < TC_FAULT_KIND_COUNT ? codes[k] : TC_EINVAL;
}

const char *tc_fault_op_name(enum tc_fault_op op)
{
    static const char *const names[TC_FAULT_OP_COUNT] = {"begin",    "exec", "exec_script",
                                                         "commit",   "rollback", "ping",
                                                         "copy"};
    return (unsigned)op < TC_FAULT_OP_COUNT ? names[op] : "?";
}

int tc_store_is_fault(const struct tc_store *s)
{
    return s && (s->ops == &fault_sqlite_ops || s->ops == &fault_postgres_ops);
}

/* Counts a call of OP; 1 when the armed plan fails this one. */
static int hit(struct fault_store *s, enum tc_fault_op op, const char *sql)
{
    int fire = 0;

    pthread_mutex_lock(&s->mu);
    s->counts.calls[op]++;
    s->counts.total++;
    if ((1u << op) & TC_FAULT_OPS_ALL)
        s->counts.failable++;
    if (s->armed && ((1u << op) & s->plan.ops) && ++s->seen == s->plan.nth) {
        fire = 1;
        s->armed = 0;
        s->rep.fired = 1;
        s->rep.op = op;
        s->rep.call = s->seen;
        snprintf(s->rep.sql, sizeof(s->rep.sql), "%s", sql ? sql : "");
    }
    pthread_mutex_unlock(&s->mu);
    return fire;
}

static int injected(struct fault_store *s, enum tc_fault_op op, struct tc_error *err)
{
    return tc_error_set(err, tc_fault_kind_code(s->plan.kind),
                        "%s %s: %s: injected fault %s at call %lld (%s)", s->base.ops->name,
                        s->base.url_redacted, tc_fault_op_name(op),
                        tc_fault_kind_name(s->plan.kind), (long long)s->rep.call,
                        tc_strerror(tc_fault_kind_code(s->plan.kind)));
}

/* The plan's kind makes a real lost connection (postgres only). */
static int kills(const struct fault_store *s)
{
    return s->plan.kind == TC_FAULT_PG_CONN_LOST && s->killer != NULL;
}

static int backend_pid(struct tc_txn *inner)
{
    PGconn *c = tc__store_pg_txn_conn(inner);
    return c ? PQbackendPID(c) : 0;
}

/* Terminates server process PID from the second connection and waits for it
 * to be gone. Failures are reported by the call that follows (the inner op
 * then succeeds and the wrapper injects the error itself). */
static void terminate(struct fault_store *s, int pid)
{
    struct tc_val v = TC_V_INT(pid);
    struct tc_error e = {0};

    if (pid > 0)
        (void)tc_store_exec(s->killer, "SELECT pg_terminate_backend(CAST($1 AS integer), 5000)",
                            &v, 1, NULL, NULL, NULL, &e);
}

/* ---- ops -------------------------------------------------------------------------- */

static int f_begin(struct tc_store *base, unsigned flags, struct tc_txn **out,
                   struct tc_error *err)
{
    struct fault_store *s = fs_of(base);
    struct fault_txn *t;
    struct tc_txn *itx = NULL;
    int rc;

    *out = NULL;
    if (hit(s, TC_FAULT_OP_BEGIN, NULL)) {
        if (kills(s)) {
            if ((rc = s->inner->ops->begin(s->inner, flags, &itx, err)) != 0)
                return rc;
            terminate(s, backend_pid(itx));
            s->inner->ops->rollback(itx);
        }
        return injected(s, TC_FAULT_OP_BEGIN, err);
    }
    if (!(t = calloc(1, sizeof(*t))))
        return tc_error_set(err, TC_ENOMEM, "store %s: out of memory", base->url_redacted);
    if ((rc = s->inner->ops->begin(s->inner, flags, &itx, err)) != 0) {
        free(t);
        return rc;
    }
    t->base.store = base;
    t->base.flags = flags;
    t->inner = itx;
    *out = &t->base;
    return 0;
}

static void f_rollback(struct tc_txn *tx)
{
    struct fault_txn *t = ft_of(tx);
    struct fault_store *s = fs_of(tx->store);

    (void)hit(s, TC_FAULT_OP_ROLLBACK, NULL);
    s->inner->ops->rollback(t->inner);
    free(t);
}

static int f_commit(struct tc_txn *tx, struct tc_error *err)
{
    struct fault_txn *t = ft_of(tx);
    struct fault_store *s = fs_of(tx->store);
    struct tc_txn *itx = t->inner;
    int pid, rc;

    free(t);
    if (!hit(s, TC_FAULT_OP_COMMIT, NULL))
        return s->inner->ops->commit(itx, err);
    pid = kills(s) ? backend_pid(itx) : 0;
    if (s->plan.after_commit) {
        if ((rc = s->inner->ops->commit(itx, err)) != 0)
            return rc;
        if (pid)
            terminate(s, pid);   /* the pooled connection dies after the commit */
        return injected(s, TC_FAULT_OP_COMMIT, err);
    }
    if (pid) {
        terminate(s, pid);
        if ((rc = s->inner->ops->commit(itx, err)) != 0)
            return rc;
        return injected(s, TC_FAULT_OP_COMMIT, err);
    }
    s->inner->ops->rollback(itx);
    return injected(s, TC_FAULT_OP_COMMIT, err);
}

static int f_exec(struct tc_txn *tx, const char *sql, const struct tc_val *params, size_t n,
                  tc_row_fn cb, void *ud, int64_t *changes, struct tc_error *err)
{
    struct fault_txn *t = ft_of(tx);
    struct fault_store *s = fs_of(tx->store);
    int rc;

    if (!hit(s, TC_FAULT_OP_EXEC, sql))
        return s->inner->ops->exec(t->inner, sql, params, n, cb, ud, changes, err);
    if (kills(s)) {
        terminate(s, backend_pid(t->inner));
        if ((rc = s->inner->ops->exec(t->inner, sql, params, n, cb, ud, changes, err)) != 0)
            return rc;
    }
    return injected(s, TC_FAULT_OP_EXEC, err);
}

static int f_exec_script(struct tc_txn *tx, const char *sql, struct tc_error *err)
{
    struct fault_txn *t = ft_of(tx);
    struct fault_store *s = fs_of(tx->store);
    int rc;

    if (!hit(s, TC_FAULT_OP_EXEC_SCRIPT, sql))
        return s->inner->ops->exec_script(t->inner, sql, err);
    if (kills(s)) {
        terminate(s, backend_pid(t->inner));
        if ((rc = s->inner->ops->exec_script(t->inner, sql, err)) != 0)
            return rc;
    }
    return injected(s, TC_FAULT_OP_EXEC_SCRIPT, err);
}

static int f_copy(struct tc_txn *tx, const char *sql, tc_copy_fill_fn fill, void *ud,
                  int64_t *rows, struct tc_error *err)
{
    struct fault_txn *t = ft_of(tx);
    struct fault_store *s = fs_of(tx->store);
    int rc;

    if (!s->inner->ops->copy_from)
        return tc_error_set(err, TC_EINVAL, "store %s: the %s backend has no bulk copy",
                            tx->store->url_redacted, s->inner->ops->name);
    if (!hit(s, TC_FAULT_OP_COPY, sql))
        return s->inner->ops->copy_from(t->inner, sql, fill, ud, rows, err);
    if (kills(s)) {
        terminate(s, backend_pid(t->inner));
        if ((rc = s->inner->ops->copy_from(t->inner, sql, fill, ud, rows, err)) != 0)
            return rc;
    }
    return injected(s, TC_FAULT_OP_COPY, err);
}

static int f_ping(struct tc_store *base, struct tc_error *err)
{
    struct fault_store *s = fs_of(base);

    if (hit(s, TC_FAULT_OP_PING, NULL))
        return injected(s, TC_FAULT_OP_PING, err);
    return s->inner->ops->ping(s->inner, err);
}

static void f_pool_stats(struct tc_store *base, struct tc_store_pool_stats *out)
{
    struct fault_store *s = fs_of(base);
    s->inner->ops->pool_stats(s->inner, out);
}

static void f_close(struct tc_store *base)
{
    struct fault_store *s = fs_of(base);

    tc_store_close(s->killer);
    tc_store_close(s->inner);
    pthread_mutex_destroy(&s->mu);
    tc__store_base_release(base);
    free(s);
}

static const struct tc_store_ops fault_sqlite_ops = {
    .name = "sqlite",
    .backend = TC_STORE_SQLITE,
    .open = tc_store_fault_open,
    .close = f_close,
    .begin = f_begin,
    .commit = f_commit,
    .rollback = f_rollback,
    .exec = f_exec,
    .exec_script = f_exec_script,
    .ping = f_ping,
    .pool_stats = f_pool_stats,
    .copy_from = NULL,
};

static const struct tc_store_ops fault_postgres_ops = {
    .name = "postgres",
    .backend = TC_STORE_POSTGRES,
    .open = tc_store_fault_open,
    .close = f_close,
    .begin = f_begin,
    .commit = f_commit,
    .rollback = f_rollback,
    .exec = f_exec,
    .exec_script = f_exec_script,
    .ping = f_ping,
    .pool_stats = f_pool_stats,
    .copy_from = f_copy,
};

/* ---- the API ------------------------------------------------------------------------ */

int tc_store_fault_open(const char *url, const struct tc_store_options *opt,
                        struct tc_store **out, struct tc_error *err)
{
    struct fault_store *s;
    struct tc_store *inner = NULL, *killer = NULL;
    const struct tc_store_ops *ops;
    int rc;

    if (out)
        *out = NULL;
    if (!out)
        return tc_error_set(err, TC_EINVAL, "fault store: no output handle");
    if (url && strncmp(url, "fault+", 6) == 0)
        url += 6;
    if ((rc = tc_store_open(url, opt, &inner, err)) != 0)
        return rc;
    if (tc_store_backend(inner) == TC_STORE_POSTGRES) {
        struct tc_store_options ko = inner->opt;
        ko.pool_size = 1;
        if ((rc = tc_store_open(url, &ko, &killer, err)) != 0) {
            tc_store_close(inner);
            return tc_error_prefix(err, "fault store: second connection");
        }
        ops = &fault_postgres_ops;
    } else {
        ops = &fault_sqlite_ops;
    }
    if (!(s = calloc(1, sizeof(*s)))) {
        tc_store_close(killer);
        tc_store_close(inner);
        return tc_error_set(err, TC_ENOMEM, "fault store: out of memory");
    }
    s->inner = inner;
    s->killer = killer;
    pthread_mutex_init(&s->mu, NULL);
    if ((rc = tc__store_base_init(&s->base, ops, url, &inner->opt, err)) != 0) {
        f_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

int tc_store_fault_arm(struct tc_store *base, const struct tc_fault_plan *plan,
                       struct tc_error *err)
{
    struct fault_store *s;

    if (!tc_store_is_fault(base))
        return tc_error_set(err, TC_EINVAL, "fault plan: the store is not a fault store");
    if (!plan)
        return tc_error_set(err, TC_EINVAL, "fault plan: no plan");
    if (plan->kind <= TC_FAULT_NONE || plan->kind >= TC_FAULT_KIND_COUNT)
        return tc_error_set(err, TC_EINVAL, "fault plan: unknown fault kind %d",
                            (int)plan->kind);
    if (plan->nth < 1)
        return tc_error_set(err, TC_EINVAL, "fault plan: call number %lld must be at least 1",
                            (long long)plan->nth);
    if (plan->ops == 0 || (plan->ops & ~TC_FAULT_OPS_ALL) != 0)
        return tc_error_set(err, TC_EINVAL,
                            "fault plan: op mask 0x%x must name failable ops (0x%x)",
                            plan->ops, TC_FAULT_OPS_ALL);
    if (plan->after_commit && !(plan->ops & (1u << TC_FAULT_OP_COMMIT)))
        return tc_error_set(err, TC_EINVAL, "fault plan: after_commit needs the commit op");
    if (plan->after_commit &&
        (plan->kind == TC_FAULT_SQLITE_BUSY || plan->kind == TC_FAULT_PG_SERIAL))
        return tc_error_set(err, TC_EINVAL,
                            "fault plan: %s is reported before a commit takes effect, never "
                            "after it",
                            tc_fault_kind_name(plan->kind));
    s = fs_of(base);
    pthread_mutex_lock(&s->mu);
    s->plan = *plan;
    s->armed = 1;
    s->seen = 0;
    memset(&s->rep, 0, sizeof(s->rep));
    pthread_mutex_unlock(&s->mu);
    return 0;
}

void tc_store_fault_disarm(struct tc_store *base)
{
    struct fault_store *s;
    if (!tc_store_is_fault(base))
        return;
    s = fs_of(base);
    pthread_mutex_lock(&s->mu);
    s->armed = 0;
    pthread_mutex_unlock(&s->mu);
}

void tc_store_fault_report(struct tc_store *base, struct tc_fault_report *out)
{
    struct fault_store *s;
    memset(out, 0, sizeof(*out));
    if (!tc_store_is_fault(base))
        return;
    s = fs_of(base);
    pthread_mutex_lock(&s->mu);
    *out = s->rep;
    pthread_mutex_unlock(&s->mu);
}

void tc_store_fault_counts(struct tc_store *base, struct tc_fault_counts *out)
{
    struct fault_store *s;
    memset(out, 0, sizeof(*out));
    if (!tc_store_is_fault(base))
        return;
    s = fs_of(base);
    pthread_mutex_lock(&s->mu);
    *out = s->counts;
    pthread_mutex_unlock(&s->mu);
}

void tc_store_fault_reset_counts(struct tc_store *base)
{
    struct fault_store *s;
    if (!tc_store_is_fault(base))
        return;
    s = fs_of(base);
    pthread_mutex_lock(&s->mu);
    memset(&s->counts, 0, sizeof(s->counts));
    pthread_mutex_unlock(&s->mu);
}

struct tc_store *tc_store_fault_inner(struct tc_store *base)
{
    return tc_store_is_fault(base) ? fs_of(base)->inner : NULL;
}
