/*
 * The PostgreSQL backend (libpq): a pool of connections guarded by a mutex
 * and a condition variable, each transaction on its own pooled connection;
 * lost connections are reset when next handed out; statements are prepared
 * once per connection (named, cached by SQL text and parameter types) and
 * parameters travel as text with explicit type OIDs.
 *
 * Write transactions run at READ COMMITTED: callers protect read-modify-write
 * cycles with optimistic locking (a version column checked in the UPDATE's
 * WHERE clause) or unique constraints, which READ COMMITTED enforces exactly,
 * without the serialization failures that SERIALIZABLE would add under load.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_copy.h"
#include "store/pq_lib.h"
#include "store/store_internal.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/retry.h"
#include "tradecore/store.h"
#include "internal/banned.h"

#define PG_BUCKETS 128

/* Type OIDs from PostgreSQL's pg_type.dat (stable across versions). */
enum {
    OID_UNKNOWN = 0,
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_TEXT = 25,
    OID_FLOAT8 = 701,
    OID_TIMESTAMPTZ = 1184,
    OID_NUMERIC = 1700,
    OID_JSONB = 3802
};

struct pg_stmt {
    char *key;            /* SQL text, then one type letter per parameter */
    char name[24];
    int nparams;          /* as the server counted them */
    struct pg_stmt *next;
};

struct pg_conn {
    PGconn *c;
    int in_use;
    unsigned next_id;
    struct pg_stmt *buckets[PG_BUCKETS];
};

struct pg_store {
    struct tc_store base;
    char *url;            /* with the password: for (re)connecting only */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pg_conn *conns;
    int n, in_use;
    int64_t reconnects;
};

struct pg_txn {
    struct tc_txn base;
    struct pg_conn *conn;
};

struct pg_row {
    struct tc_row base;
    PGresult *res;
    int r;
};

static struct pg_store *pg(struct tc_store *s) { return (struct pg_store *)s; }

static void quiet_notices(void *arg, const char *msg) { (void)arg, (void)msg; }

/* Copies a libpq message on one line: newlines and tabs become spaces. */
static void trim_copy(char *buf, size_t cap, const char *msg)
{
    size_t n = 0;
    int space = 0;

    if (cap == 0)
        return;
    for (const char *p = msg ? msg : ""; *p && n + 1 < cap; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < cap)
            buf[n++] = ' ';
        space = 0;
        buf[n++] = *p;
    }
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
}

static void clear_cache(struct pg_conn *pc)
{
    for (size_t i = 0; i < PG_BUCKETS; i++) {
        struct pg_stmt *e = pc->buckets[i];
        while (e) {
            struct pg_stmt *next = e->next;
            free(e->key);
            free(e);
            e = next;
        }
        pc->buckets[i] = NULL;
    }
}

/* Session settings every connection gets; 0 or -1. */
static int setup_session(PGconn *c)
{
    PGresult *r;
    int ok;

    PQsetNoticeProcessor(c, quiet_notices, NULL);
    r = PQexec(c, "SET TimeZone TO 'UTC'");
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? 0 : -1;
}

/* Connects PC from scratch. Returns 0, or -1 with REASON filled. */
static int connect_conn(struct pg_store *s, struct pg_conn *pc, char *reason, size_t cap)
{
    PGconn *c = PQconnectdb(s->url);

    if (!c) {
        snprintf(reason, cap, "out of memory");
        return -1;
    }
    if (PQstatus(c) != CONNECTION_OK || setup_session(c) != 0) {
        trim_copy(reason, cap, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    if (pc->c)
        PQfinish(pc->c);
    clear_cache(pc);
    pc->c = c;
    return 0;
}

static int map_sqlstate(const char *st)
{
    static const struct {
        const char *state;
        int code;
    } table[] = {
        {"23505", TC_ECONFLICT}, {"23503", TC_EINVAL},  {"23514", TC_EINVAL},
        {"23502", TC_EINVAL},    {"22P02", TC_EINVAL},  {"22003", TC_EINVAL},
        {"40001", TC_ESERIAL},   {"40P01", TC_ESERIAL}, {"53100", TC_ENOSPC},
        {"55P03", TC_EBUSY},
    };
    if (!st)
        return TC_ESTORE;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(st, table[i].state) == 0)
            return table[i].code;
    if (strncmp(st, "08", 2) == 0 || strncmp(st, "57P", 3) == 0)
        return TC_EUNAVAIL;
    return TC_ESTORE;
}

/* Maps a failed result (RES may be NULL) on PC to a TC_E* code with detail. */
static int pg_fail(struct pg_store *s, struct pg_conn *pc, const PGresult *res,
                   const char *what, struct tc_error *err)
{
    char msg[TC_ERROR_MSG_MAX], extra[200] = "";
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    const char *table = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;

    if (!pc->c || PQstatus(pc->c) == CONNECTION_BAD) {
        trim_copy(msg, sizeof(msg), pc->c ? PQerrorMessage(pc->c) : "no connection");
        return tc_error_set(err, TC_EUNAVAIL, "postgres %s: %s: connection lost: %s",
                            s->base.url_redacted, what, msg);
    }
    trim_copy(msg, sizeof(msg), primary ? primary : PQerrorMessage(pc->c));
    if (table && !strstr(msg, table))
        snprintf(extra, sizeof(extra), " (table %s)", table);
    if (constraint && !strstr(msg, constraint)) {
        size_t used = strlen(extra);
        snprintf(extra + used, sizeof(extra) - used, " (constraint %s)", constraint);
    }
    return tc_error_set(err, map_sqlstate(state), "postgres %s: %s: %s%s (sqlstate %s)",
                        s->base.url_redacted, what, msg, extra, state ? state : "none");
}

static void pool_release(struct pg_store *s, struct pg_conn *pc)
{
    pthread_mutex_lock(&s->mu);
    pc->in_use = 0;
    s->in_use--;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Takes a connection from the pool, (re)connecting it when needed. */
static int pool_acquire(struct pg_store *s, struct pg_conn **out, struct tc_error *err)
{
    struct pg_conn *pc = NULL;
    char reason[400];

    pthread_mutex_lock(&s->mu);
    while (s->in_use == s->n)
        pthread_cond_wait(&s->cv, &s->mu);
    for (int i = 0; i < s->n; i++) {   /* prefer a connected one */
        if (!s->conns[i].in_use && (!pc || (!pc->c && s->conns[i].c)))
            pc = &s->conns[i];
    }
    pc->in_use = 1;
    s->in_use++;
    pthread_mutex_unlock(&s->mu);

    if (pc->c && PQstatus(pc->c) == CONNECTION_OK) {
        *out = pc;
        return 0;
    }
    if (pc->c) {
        PQreset(pc->c);
        if (PQstatus(pc->c) == CONNECTION_OK && setup_session(pc->c) == 0) {
            clear_cache(pc);
            pthread_mutex_lock(&s->mu);
            s->reconnects++;
            pthread_mutex_unlock(&s->mu);
            *out = pc;
            return 0;
        }
        trim_copy(reason, sizeof(reason), PQerrorMessage(pc->c));
    } else if (connect_conn(s, pc, reason, sizeof(reason)) == 0) {
        *out = pc;
        return 0;
    }
    pool_release(s, pc);
    return tc_error_set(err, TC_EUNAVAIL, "cannot connect to %s: %s", s->base.url_redacted,
                        reason);
}

static void pg_close(struct tc_store *base)
{
    struct pg_store *s = pg(base);
    for (int i = 0; s->conns && i < s->n; i++) {
        if (s->conns[i].c)
            PQfinish(s->conns[i].c);
        clear_cache(&s->conns[i]);
    }
    free(s->conns);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s->url);
    tc__store_base_release(&s->base);
    free(s);
}

static int pg_open(const char *url, const struct tc_store_options *opt, struct tc_store **out,
                   struct tc_error *err)
{
    struct pg_store *s;
    PQconninfoOption *info;
    char *perr = NULL, red[1024], reason[400] = "";
    struct tc_rng rng;
    int rc, attempt;

    tc__store_redact(url, red, sizeof(red));
    if ((rc = tc__pq_load(err)) != 0) {
        tc_error_prefix(err, "postgres %s", red);
        return rc;
    }
    if (!(info = PQconninfoParse(url, &perr))) {
        trim_copy(reason, sizeof(reason), perr ? perr : "out of memory");
        PQfreemem(perr);
        return tc_error_set(err, TC_EINVAL, "postgresql url \"%s\": %s", red, reason);
    }
    PQconninfoFree(info);
    if (!(s = calloc(1, sizeof(*s))))
        return tc_error_set(err, TC_ENOMEM, "postgres %s: out of memory", red);
    if ((rc = tc__store_base_init(&s->base, &tc_store_postgres_ops, url, opt, err)) != 0) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->n = opt->pool_size;
    s->url = strdup(url);
    s->conns = calloc((size_t)s->n, sizeof(*s->conns));
    if (!s->url || !s->conns) {
        rc = tc_error_set(err, TC_ENOMEM, "postgres %s: out of memory", red);
        goto fail;
    }
    tc_rng_seed(&rng, (uint64_t)tc_clock_monotonic(opt->clock) ^ (uint64_t)(uintptr_t)s);
    for (attempt = 1;; attempt++) {
        if (connect_conn(s, &s->conns[0], reason, sizeof(reason)) == 0)
            break;
        if (attempt >= opt->connect_attempts) {
            rc = tc_error_set(err, TC_EUNAVAIL, "cannot connect to %s after %d attempt%s: %s",
                              red, attempt, attempt == 1 ? "" : "s", reason);
            goto fail;
        }
        tc_clock_sleep(opt->clock, tc_retry_delay_us(&opt->retry, attempt, &rng));
    }
    *out = &s->base;
    return 0;
fail:
    pg_close(&s->base);
    return rc;
}

static const char *begin_sql(const struct pg_store *s, unsigned flags)
{
    if ((flags & TC_TXN_READ) || s->base.opt.read_only)
        return "BEGIN READ ONLY";
    return "BEGIN ISOLATION LEVEL READ COMMITTED";
}

static int pg_begin(struct tc_store *base, unsigned flags, struct tc_txn **out,
                    struct tc_error *err)
{
    struct pg_store *s = pg(base);
    struct pg_txn *tx;
    struct pg_conn *pc;
    PGresult *r;
    int rc;

    if (!(tx = calloc(1, sizeof(*tx))))
        return tc_error_set(err, TC_ENOMEM, "postgres %s: out of memory", s->base.url_redacted);
    if ((rc = pool_acquire(s, &pc, err)) != 0) {
        free(tx);
        return rc;
    }
    r = PQexec(pc->c, begin_sql(s, flags));
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQstatus(pc->c) == CONNECTION_BAD) {
        /* The server dropped an idle connection: nothing was sent in this
         * transaction yet, so reconnecting and beginning again is safe. */
        PQclear(r);
        r = NULL;
        PQreset(pc->c);
        if (PQstatus(pc->c) == CONNECTION_OK && setup_session(pc->c) == 0) {
            clear_cache(pc);
            pthread_mutex_lock(&s->mu);
            s->reconnects++;
            pthread_mutex_unlock(&s->mu);
            r = PQexec(pc->c, begin_sql(s, flags));
        }
    }
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = pg_fail(s, pc, r, "begin", err);
        PQclear(r);
        pool_release(s, pc);
        free(tx);
        return rc;
    }
    PQclear(r);
    tx->base.store = base;
    tx->base.flags = flags;
    tx->conn = pc;
    *out = &tx->base;
    return 0;
}

static void finish_txn(struct pg_txn *tx)
{
    pool_release(pg(tx->base.store), tx->conn);
    free(tx);
}

static void pg_rollback(struct tc_txn *base)
{
    struct pg_txn *tx = (struct pg_txn *)base;
    PGconn *c = tx->conn->c;

    if (c && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE)
        PQclear(PQexec(c, "ROLLBACK"));
    finish_txn(tx);
}

static int pg_commit(struct tc_txn *base, struct tc_error *err)
{
    struct pg_txn *tx = (struct pg_txn *)base;
    struct pg_store *s = pg(base->store);
    PGresult *r = PQexec(tx->conn->c, "COMMIT");
    int rc = 0;

    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = pg_fail(s, tx->conn, r, "commit", err);
    } else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
        rc = tc_error_set(err, TC_ESTORE,
                          "postgres %s: commit: the transaction had failed and was rolled back",
                          s->base.url_redacted);
    }
    PQclear(r);
    if (rc != 0 && PQstatus(tx->conn->c) == CONNECTION_OK &&
        PQtransactionStatus(tx->conn->c) != PQTRANS_IDLE)
        PQclear(PQexec(tx->conn->c, "ROLLBACK"));
    finish_txn(tx);
    return rc;
}

static char type_letter(enum tc_val_kind k)
{
    static const char letters[] = "nidtTbfj";
    return ((unsigned)k < sizeof(letters) - 1) ? letters[k] : '?';
}

static Oid type_oid(enum tc_val_kind k)
{
    switch (k) {
    case TC_VAL_INT:
        return OID_INT8;
    case TC_VAL_DEC:
        return OID_NUMERIC;
    case TC_VAL_TEXT:
        return OID_TEXT;
    case TC_VAL_TIME:
        return OID_TIMESTAMPTZ;
    case TC_VAL_BOOL:
        return OID_BOOL;
    case TC_VAL_DOUBLE:
        return OID_FLOAT8;
    case TC_VAL_JSON:
        return OID_JSONB;
    default:
        return OID_UNKNOWN;
    }
}

static size_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)(h % PG_BUCKETS);
}

/* Finds or prepares the statement for SQL with these parameter kinds. */
static int prepare(struct pg_store *s, struct pg_conn *pc, const char *sql,
                   const struct tc_val *params, size_t n, const char **name,
                   int *nparams, struct tc_error *err)
{
    size_t len = strlen(sql), h;
    char *key = malloc(len + n + 2);
    struct pg_stmt *e;
    Oid *types = NULL;
    PGresult *r;
    int rc;

    if (!key)
        return tc_error_set(err, TC_ENOMEM, "postgres %s: out of memory", s->base.url_redacted);
    memcpy(key, sql, len);
    key[len] = '\x1f';
    for (size_t i = 0; i < n; i++)
        key[len + 1 + i] = type_letter(params[i].kind);
    key[len + 1 + n] = '\0';
    h = hash_key(key);
    for (e = pc->buckets[h]; e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            free(key);
            *name = e->name;
            *nparams = e->nparams;
            return 0;
        }
    }
    if (!(e = calloc(1, sizeof(*e))) || (n && !(types = calloc(n, sizeof(*types))))) {
        free(e);
        free(key);
        return tc_error_set(err, TC_ENOMEM, "postgres %s: out of memory", s->base.url_redacted);
    }
    for (size_t i = 0; i < n; i++)
        types[i] = type_oid(params[i].kind);
    snprintf(e->name, sizeof(e->name), "tc_%u", pc->next_id++);
    r = PQprepare(pc->c, e->name, sql, (int)n, types);
    free(types);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = pg_fail(s, pc, r, "prepare", err);
        PQclear(r);
        free(e);
        free(key);
        return rc;
    }
    PQclear(r);
    r = PQdescribePrepared(pc->c, e->name);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = pg_fail(s, pc, r, "describe", err);
        PQclear(r);
        free(e);
        free(key);
        return rc;
    }
    e->nparams = PQnparams(r);
    PQclear(r);
    e->key = key;
    e->next = pc->buckets[h];
    pc->buckets[h] = e;
    *name = e->name;
    *nparams = e->nparams;
    return 0;
}

static const struct tc_row_ops pg_row_ops;

#define PG_NUMBUF 40

static int pg_exec(struct tc_txn *base, const char *sql, const struct tc_val *params, size_t n,
                   tc_row_fn cb, void *ud, int64_t *changes, struct tc_error *err)
{
    struct pg_txn *tx = (struct pg_txn *)base;
    struct pg_store *s = pg(base->store);
    struct pg_conn *pc = tx->conn;
    const char **values = NULL;
    char *bufs = NULL;
    const char *name = NULL;
    PGresult *r = NULL;
    int rc, want = -1;

    if ((rc = prepare(s, pc, sql, params, n, &name, &want, err)) != 0)
        return rc;
    if ((size_t)want != n)
        return tc_error_set(err, TC_EINVAL, "postgres %s: statement takes %d parameters, %zu given",
                            s->base.url_redacted, want, n);
    if (n && (!(values = calloc(n, sizeof(*values))) || !(bufs = malloc(n * PG_NUMBUF)))) {
        rc = tc_error_set(err, TC_ENOMEM, "postgres %s: out of memory", s->base.url_redacted);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct tc_val *v = &params[i];
        char *b = bufs + i * PG_NUMBUF;
        switch (v->kind) {
        case TC_VAL_NULL:
            values[i] = NULL;
            break;
        case TC_VAL_INT:
            snprintf(b, PG_NUMBUF, "%lld", (long long)v->u.i);
            values[i] = b;
            break;
        case TC_VAL_BOOL:
            values[i] = v->u.i ? "t" : "f";
            break;
        case TC_VAL_DEC:
            if (tc_dec_format(v->u.d, b, PG_NUMBUF) < 0) {
                rc = tc_error_set(err, TC_EINTERNAL, "postgres %s: parameter $%zu: bad decimal",
                                  s->base.url_redacted, i + 1);
                goto out;
            }
            values[i] = b;
            break;
        case TC_VAL_TIME:
            if (tc_time_format(v->u.i, b, PG_NUMBUF) < 0) {
                rc = tc_error_set(err, TC_ERANGE,
                                  "postgres %s: parameter $%zu: time %lld is out of range",
                                  s->base.url_redacted, i + 1, (long long)v->u.i);
                goto out;
            }
            values[i] = b;
            break;
        case TC_VAL_DOUBLE:
            snprintf(b, PG_NUMBUF, "%.17g", v->u.f);
            values[i] = b;
            break;
        case TC_VAL_TEXT:
        case TC_VAL_JSON:
            values[i] = v->u.s;
            break;
        }
    }
    r = PQexecPrepared(pc->c, name, (int)n, values, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        struct pg_row row = {{&pg_row_ops}, r, 0};
        int rows = PQntuples(r), stop = 0;
        for (row.r = 0; cb && row.r < rows; row.r++)
            if ((stop = cb(&row.base, ud)) != 0)
                break;
        if (stop < 0) {
            rc = stop;
            if (err && err->code != stop)
                tc_error_set(err, stop, "postgres %s: row callback failed: %s",
                             s->base.url_redacted, tc_strerror(stop));
            goto out;
        }
    } else if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = pg_fail(s, pc, r, "statement", err);
        goto out;
    }
    if (changes) { /* INSERT … RETURNING reports its count too */
        const char *status = PQcmdStatus(r);
        if (strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
            strncmp(status, "DELETE", 6) == 0 || strncmp(status, "MERGE", 5) == 0) {
            const char *t = PQcmdTuples(r);
            *changes = (t && *t) ? strtoll(t, NULL, 10) : 0;
        }
    }
out:
    PQclear(r);
    free(values);
    free(bufs);
    return rc;
}

static int pg_exec_script(struct tc_txn *base, const char *sql, struct tc_error *err)
{
    struct pg_txn *tx = (struct pg_txn *)base;
    PGresult *r = PQexec(tx->conn->c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = pg_fail(pg(base->store), tx->conn, r, "script", err);
    PQclear(r);
    return rc;
}

static int pg_ping(struct tc_store *base, struct tc_error *err)
{
    struct pg_store *s = pg(base);
    struct pg_conn *pc;
    PGresult *r;
    int rc;

    if ((rc = pool_acquire(s, &pc, err)) != 0)
        return rc;
    r = PQexec(pc->c, "SELECT 1");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = pg_fail(s, pc, r, "ping", err);
    PQclear(r);
    pool_release(s, pc);
    return rc;
}

static void pg_pool_stats(struct tc_store *base, struct tc_store_pool_stats *out)
{
    struct pg_store *s = pg(base);
    pthread_mutex_lock(&s->mu);
    out->size = s->n;
    out->in_use = s->in_use;
    out->idle = s->n - s->in_use;
    out->reconnects = s->reconnects;
    pthread_mutex_unlock(&s->mu);
}

/* Rows ------------------------------------------------------------------ */

static const struct pg_row *prow(const struct tc_row *row) { return (const struct pg_row *)row; }

static const char *cell(const struct tc_row *row, int col)
{
    const struct pg_row *r = prow(row);
    return PQgetisnull(r->res, r->r, col) ? NULL : PQgetvalue(r->res, r->r, col);
}

static int r_count(const struct tc_row *row) { return PQnfields(prow(row)->res); }

static int r_is_null(const struct tc_row *row, int col)
{
    return PQgetisnull(prow(row)->res, prow(row)->r, col);
}

static int r_int(const struct tc_row *row, int col, int64_t *out)
{
    const char *t = cell(row, col);
    char *end;
    long long v;

    if (!t)
        return TC_ENOTFOUND;
    errno = 0;
    v = strtoll(t, &end, 10);
    if (errno || end == t || *end)
        return TC_EPARSE;
    *out = v;
    return 0;
}

static int r_dec(const struct tc_row *row, int col, struct tc_dec *out)
{
    const char *t = cell(row, col);
    if (!t)
        return TC_ENOTFOUND;
    return tc_dec_parse(t, (size_t)-1, out, NULL) == 0 ? 0 : TC_EPARSE;
}

static int r_text(const struct tc_row *row, int col, const char **out)
{
    const char *t = cell(row, col);
    if (!t)
        return TC_ENOTFOUND;
    *out = t;
    return 0;
}

static int r_time(const struct tc_row *row, int col, int64_t *out)
{
    const char *t = cell(row, col);
    if (!t)
        return TC_ENOTFOUND;
    return tc_time_parse(t, (size_t)-1, out, NULL) == 0 ? 0 : TC_EPARSE;
}

static int r_bool(const struct tc_row *row, int col, int *out)
{
    const char *t = cell(row, col);
    if (!t)
        return TC_ENOTFOUND;
    if (strcmp(t, "t") == 0 || strcmp(t, "1") == 0)
        *out = 1;
    else if (strcmp(t, "f") == 0 || strcmp(t, "0") == 0)
        *out = 0;
    else
        return TC_EPARSE;
    return 0;
}

static int r_double(const struct tc_row *row, int col, double *out)
{
    const char *t = cell(row, col);
    char *end;
    double v;

    if (!t)
        return TC_ENOTFOUND;
    errno = 0;
    v = strtod(t, &end);
    if (end == t || *end)
        return TC_EPARSE;
    *out = v;
    return 0;
}

static const char *r_name(const struct tc_row *row, int col)
{
    return PQfname(prow(row)->res, col);
}

static const struct tc_row_ops pg_row_ops = {
    .count = r_count,
    .is_null = r_is_null,
    .get_int = r_int,
    .get_dec = r_dec,
    .get_text = r_text,
    .get_time = r_time,
    .get_bool = r_bool,
    .get_double = r_double,
    .name = r_name,
};

PGconn *tc__store_pg_txn_conn(struct tc_txn *tx) { return ((struct pg_txn *)tx)->conn->c; }

const struct tc_store_ops tc_store_postgres_ops = {
    .name = "postgres",
    .backend = TC_STORE_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .ping = pg_ping,
    .pool_stats = pg_pool_stats,
    .copy_from = tc__store_pg_copy_from,
};
