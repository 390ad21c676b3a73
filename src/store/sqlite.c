/*
 * The sqlite backend: one connection per store, serialised by a mutex held
 * from begin to commit/rollback; WAL, synchronous=FULL, foreign keys and a busy
 * timeout; prepared statements cached by their SQL text, with PostgreSQL-style
 * "$N" placeholders rewritten to sqlite's "?N".
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/store.h"
#include "internal/banned.h"

#define SQ_BUCKETS 256
#define SQ_CACHE_MAX 1024

#define SQ_PTR_SLOTS 256 /* direct-mapped by the address of the caller's text */
#define SQ_TIME_SLOTS 4  /* formatted time parameters kept for reuse */

struct sq_stmt {
    char *sql;            /* the caller's text, the cache key */
    const char *seen;     /* the address it was last looked up with (a hint only) */
    sqlite3_stmt *st;
    int counts_changes;   /* a writing statement: sq_exec reports its row count */
    struct sq_stmt *next;
};

struct sq_txn {
    struct tc_txn base;
};

struct sq_store {
    struct tc_store base;
    sqlite3 *db;
    char *path;
    pthread_mutex_t mu;
    struct sq_txn tx;     /* at most one open transaction: the mutex holder's */
    struct sq_stmt *buckets[SQ_BUCKETS];
    size_t ncached;
    /* Lookups by address first: callers pass the same literal again and again,
     * and a slot is only a hint (its text is compared before use). */
    struct sq_stmt *by_ptr[SQ_PTR_SLOTS];
    /* The last few TC_VAL_TIME parameters as text (one transaction binds the
     * same "now" many times); ntime says how many slots are filled. */
    int64_t time_us[SQ_TIME_SLOTS];
    char time_txt[SQ_TIME_SLOTS][TC_TIME_STRLEN];
    unsigned ntime, time_next;
};

struct sq_row {
    struct tc_row base;
    sqlite3_stmt *st;
};

static struct sq_store *sq(struct tc_store *s) { return (struct sq_store *)s; }

static int map_code(int ext)
{
    switch (ext & 0xff) {
    case SQLITE_CONSTRAINT:
        return (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
                   ? TC_ECONFLICT
                   : TC_EINVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return TC_EBUSY;
    case SQLITE_FULL:
        return TC_ENOSPC;
    case SQLITE_IOERR:
        return TC_EIO;
    case SQLITE_CANTOPEN:
        return TC_EUNAVAIL;
    case SQLITE_NOMEM:
        return TC_ENOMEM;
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
        return TC_EINVAL;
    default:
        return TC_ESTORE;
    }
}

static int sq_fail(struct sq_store *s, int ext, const char *what, struct tc_error *err)
{
    return tc_error_set(err, map_code(ext), "sqlite %s: %s: %s", s->path, what,
                        s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(ext));
}

/* "$12" -> "?12" outside string literals, quoted identifiers and comments.
 * Returns a malloc'd string (caller frees) or NULL when out of memory. */
static char *translate_params(const char *sql)
{
    size_t len = strlen(sql);
    char *out = malloc(len + 1);
    const char *p = sql;
    char *o = out;

    if (!out)
        return NULL;
    while (*p) {
        char c = *p;
        if (c == '\'' || c == '"' || c == '`' || c == '[') {
            char close = c == '[' ? ']' : c;
            *o++ = *p++;
            while (*p) {
                if (*p == close) {
                    *o++ = *p++;
                    if (*p == close && close != ']') { /* doubled quote */
                        *o++ = *p++;
                        continue;
                    }
                    break;
                }
                *o++ = *p++;
            }
        } else if (c == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                *o++ = *p++;
        } else if (c == '/' && p[1] == '*') {
            *o++ = *p++;
            *o++ = *p++;
            while (*p && !(p[0] == '*' && p[1] == '/'))
                *o++ = *p++;
            if (*p) {
                *o++ = *p++;
                *o++ = *p++;
            }
        } else if (c == '$' && p[1] >= '0' && p[1] <= '9') {
            *o++ = '?';
            p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static size_t hash_sql(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)(h % SQ_BUCKETS);
}

static int only_trailing(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ';')
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            if (!e)
                return 1;
            p = e + 2;
        } else {
            return *p == '\0';
        }
    }
}

static size_t ptr_slot(const char *sql)
{
    uint64_t a = (uint64_t)(uintptr_t)sql;
    return (size_t)(((a >> 3) ^ (a >> 11)) % SQ_PTR_SLOTS);
}

/* Whether sq_exec reports the row count of SQL (a write statement). */
static int counts_changes(const char *sql)
{
    return tc__store_sql_starts_with(sql, "INSERT") || tc__store_sql_starts_with(sql, "UPDATE") ||
           tc__store_sql_starts_with(sql, "DELETE") || tc__store_sql_starts_with(sql, "REPLACE") ||
           tc__store_sql_starts_with(sql, "WITH");
}

/* Finds or prepares SQL. *CACHED says whether the statement stays in the cache
 * (else the caller finalizes it); *WRITES (when not NULL) whether it is a
 * write statement whose row count sq_exec reports. */
static int get_stmt(struct sq_store *s, const char *sql, sqlite3_stmt **out, int *cached,
                    int *writes, struct tc_error *err)
{
    size_t p = ptr_slot(sql), h;
    struct sq_stmt *e = s->by_ptr[p];
    const char *tail = NULL;
    char *text;
    int rc;

    if (e && e->seen == sql && strcmp(e->sql, sql) == 0) {
        *out = e->st;
        *cached = 1;
        if (writes)
            *writes = e->counts_changes;
        return 0;
    }
    h = hash_sql(sql);
    for (e = s->buckets[h]; e; e = e->next) {
        if (strcmp(e->sql, sql) == 0) {
            e->seen = sql;
            s->by_ptr[p] = e;
            *out = e->st;
            *cached = 1;
            if (writes)
                *writes = e->counts_changes;
            return 0;
        }
    }
    if (!(text = translate_params(sql)))
        return tc_error_set(err, TC_ENOMEM, "sqlite %s: out of memory", s->path);
    rc = sqlite3_prepare_v3(s->db, text, -1, SQLITE_PREPARE_PERSISTENT, out, &tail);
    if (rc != SQLITE_OK) {
        rc = sq_fail(s, sqlite3_extended_errcode(s->db), "prepare", err);
        free(text);
        return rc;
    }
    if (!*out) {
        free(text);
        return tc_error_set(err, TC_EINVAL, "sqlite %s: empty statement", s->path);
    }
    if (tail && !only_trailing(tail)) {
        sqlite3_finalize(*out);
        *out = NULL;
        free(text);
        return tc_error_set(err, TC_EINVAL,
                            "sqlite %s: more than one statement in \"%.60s\" (use exec_script)",
                            s->path, sql);
    }
    free(text);
    *cached = 0;
    if (writes)
        *writes = counts_changes(sql);
    if (s->ncached < SQ_CACHE_MAX && (e = malloc(sizeof(*e))) != NULL) {
        if ((e->sql = strdup(sql)) == NULL) {
            free(e);
            return 0;
        }
        e->st = *out;
        e->seen = sql;
        e->counts_changes = counts_changes(sql);
        e->next = s->buckets[h];
        s->buckets[h] = e;
        s->by_ptr[p] = e;
        s->ncached++;
        *cached = 1;
    }
    return 0;
}

static void clear_cache(struct sq_store *s)
{
    for (size_t i = 0; i < SQ_BUCKETS; i++) {
        struct sq_stmt *e = s->buckets[i];
        while (e) {
            struct sq_stmt *next = e->next;
            sqlite3_finalize(e->st);
            free(e->sql);
            free(e);
            e = next;
        }
        s->buckets[i] = NULL;
    }
    for (size_t i = 0; i < SQ_PTR_SLOTS; i++)
        s->by_ptr[i] = NULL;
    s->ncached = 0;
}

/* Runs a statement without parameters or results through the cache. */
static int run_simple(struct sq_store *s, const char *sql, struct tc_error *err)
{
    sqlite3_stmt *st;
    int cached, rc;

    if ((rc = get_stmt(s, sql, &st, &cached, NULL, err)) != 0)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
        rc = 0;
    } else {
        rc = sq_fail(s, sqlite3_extended_errcode(s->db), sql, err);
    }
    sqlite3_reset(st);
    if (!cached)
        sqlite3_finalize(st);
    return rc;
}

static void sq_close(struct tc_store *base)
{
    struct sq_store *s = sq(base);
    clear_cache(s);
    if (s->db)
        sqlite3_close_v2(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    tc__store_base_release(&s->base);
    free(s);
}

static int pragma(struct sq_store *s, const char *sql, const char *want, struct tc_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && want) {
            const char *got = (const char *)sqlite3_column_text(st, 0);
            if (!got || strcmp(got, want) != 0) {
                rc = tc_error_set(err, TC_ESTORE, "sqlite %s: %s gave \"%s\", not \"%s\"",
                                  s->path, sql, got ? got : "", want);
                sqlite3_finalize(st);
                return rc;
            }
        }
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
        rc = sq_fail(s, sqlite3_extended_errcode(s->db), sql, err);
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    return 0;
}

static int sq_open(const char *url, const struct tc_store_options *opt, struct tc_store **out,
                   struct tc_error *err)
{
    struct sq_store *s;
    pthread_mutexattr_t ma;
    const char *path = url + strlen("sqlite:");
    int memory, flags, rc;

    if (strncmp(path, "//", 2) == 0)
        path += 2;
    if (!*path)
        return tc_error_set(err, TC_EINVAL, "sqlite url \"%s\": no database path", url);
    memory = strcmp(path, ":memory:") == 0;
    if (!(s = calloc(1, sizeof(*s))))
        return tc_error_set(err, TC_ENOMEM, "sqlite %s: out of memory", path);
    if ((rc = tc__store_base_init(&s->base, &tc_store_sqlite_ops, url, opt, err)) != 0) {
        free(s);
        return rc;
    }
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&s->mu, &ma);
    pthread_mutexattr_destroy(&ma);
    s->tx.base.store = &s->base;
    if (!(s->path = strdup(path))) {
        rc = tc_error_set(err, TC_ENOMEM, "sqlite %s: out of memory", path);
        goto fail;
    }
    flags = (opt->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
            SQLITE_OPEN_NOMUTEX;
    rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        int ext = s->db ? sqlite3_extended_errcode(s->db) : rc;
        rc = tc_error_set(err, map_code(ext), "cannot open sqlite database %s: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, opt->busy_timeout_ms);
    if (!memory && !opt->read_only) {
        /* Switching a new file to WAL takes an exclusive lock without calling
         * the busy handler: wait for a concurrent opener here. */
        for (int waited = 0;; waited += 10) {
            rc = pragma(s, "PRAGMA journal_mode=WAL", "wal", err);
            if (rc != TC_EBUSY || waited >= opt->busy_timeout_ms)
                break;
            sqlite3_sleep(10);
        }
        if (rc != 0)
            goto fail;
    }
    if ((rc = pragma(s, "PRAGMA synchronous=FULL", NULL, err)) != 0 ||
        (rc = pragma(s, "PRAGMA foreign_keys=ON", NULL, err)) != 0)
        goto fail;
    *out = &s->base;
    return 0;
fail:
    sq_close(&s->base);
    return rc;
}

static int sq_begin(struct tc_store *base, unsigned flags, struct tc_txn **out,
                    struct tc_error *err)
{
    struct sq_store *s = sq(base);
    int rc = pthread_mutex_lock(&s->mu);

    if (rc == EDEADLK)
        return tc_error_set(err, TC_ESTATE,
                            "sqlite %s: this thread already has a transaction open", s->path);
    if (rc != 0)
        return tc_error_set(err, TC_EINTERNAL, "sqlite %s: lock failed (%d)", s->path, rc);
    rc = run_simple(s, (flags & TC_TXN_READ) ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE", err);
    if (rc != 0) {
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    s->tx.base.flags = flags;
    *out = &s->tx.base;
    return 0;
}

static void sq_rollback(struct tc_txn *tx)
{
    struct sq_store *s = sq(tx->store);
    if (!sqlite3_get_autocommit(s->db))
        run_simple(s, "ROLLBACK", NULL);
    pthread_mutex_unlock(&s->mu);
}

static int sq_commit(struct tc_txn *tx, struct tc_error *err)
{
    struct sq_store *s = sq(tx->store);
    int rc = run_simple(s, "COMMIT", err);

    if (rc != 0 && !sqlite3_get_autocommit(s->db))
        run_simple(s, "ROLLBACK", NULL);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* US as tc_time_format text from the store's few remembered times (formatting
 * it on a miss), or NULL when it is out of range. The text lives until the
 * slot is reused: bind it SQLITE_TRANSIENT. */
static const char *time_text(struct sq_store *s, int64_t us)
{
    char buf[TC_TIME_STRLEN];
    unsigned k;

    for (k = 0; k < s->ntime; k++)
        if (s->time_us[k] == us)
            return s->time_txt[k];
    if (tc_time_format(us, buf, sizeof(buf)) < 0)
        return NULL;
    k = s->time_next;
    memcpy(s->time_txt[k], buf, sizeof(buf));
    s->time_us[k] = us;
    s->time_next = (k + 1) % SQ_TIME_SLOTS;
    if (s->ntime < SQ_TIME_SLOTS)
        s->ntime++;
    return s->time_txt[k];
}

static int bind_params(struct sq_store *s, sqlite3_stmt *st, const struct tc_val *params,
                       size_t n, struct tc_error *err)
{
    int want = sqlite3_bind_parameter_count(st);

    if ((size_t)want != n)
        return tc_error_set(err, TC_EINVAL, "sqlite %s: statement takes %d parameters, %zu given",
                            s->path, want, n);
    for (size_t i = 0; i < n; i++) {
        const struct tc_val *v = &params[i];
        int idx = (int)i + 1, rc = SQLITE_OK;

        switch (v->kind) {
        case TC_VAL_NULL:
            rc = sqlite3_bind_null(st, idx);
            break;
        case TC_VAL_INT:
        case TC_VAL_BOOL:
            rc = sqlite3_bind_int64(st, idx, v->kind == TC_VAL_BOOL ? !!v->u.i : v->u.i);
            break;
        case TC_VAL_DEC:
            rc = sqlite3_bind_int64(st, idx, v->u.d.raw);
            break;
        case TC_VAL_TEXT:
        case TC_VAL_JSON:
            rc = sqlite3_bind_text(st, idx, v->u.s, -1, SQLITE_STATIC);
            break;
        case TC_VAL_TIME: {
            const char *txt = time_text(s, v->u.i);
            if (!txt)
                return tc_error_set(err, TC_ERANGE,
                                    "sqlite %s: parameter $%d: time %lld is out of range",
                                    s->path, idx, (long long)v->u.i);
            rc = sqlite3_bind_text(st, idx, txt, -1, SQLITE_TRANSIENT);
            break;
        }
        case TC_VAL_DOUBLE:
            rc = sqlite3_bind_double(st, idx, v->u.f);
            break;
        }
        if (rc != SQLITE_OK)
            return sq_fail(s, rc, "bind", err);
    }
    return 0;
}

static const struct tc_row_ops sq_row_ops;

static int sq_exec(struct tc_txn *tx, const char *sql, const struct tc_val *params, size_t n,
                   tc_row_fn cb, void *ud, int64_t *changes, struct tc_error *err)
{
    struct sq_store *s = sq(tx->store);
    struct sq_row row = {{&sq_row_ops}, NULL};
    sqlite3_stmt *st;
    int cached, writes = 0, rc, stop = 0;

    if ((rc = get_stmt(s, sql, &st, &cached, &writes, err)) != 0)
        return rc;
    if ((rc = bind_params(s, st, params, n, err)) != 0)
        goto out;
    row.st = st;
    for (;;) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = sq_fail(s, sqlite3_extended_errcode(s->db), "statement", err);
            goto out;
        }
        if (cb && (stop = cb(&row.base, ud)) != 0)
            break;
    }
    if (stop < 0) {
        rc = stop;
        if (err && err->code != stop)
            tc_error_set(err, stop, "sqlite %s: row callback failed: %s", s->path,
                         tc_strerror(stop));
        goto out;
    }
    if (changes && writes && !sqlite3_stmt_readonly(st))
        *changes = sqlite3_changes64(s->db);
out:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (!cached)
        sqlite3_finalize(st);
    return rc;
}

static int sq_exec_script(struct tc_txn *tx, const char *sql, struct tc_error *err)
{
    struct sq_store *s = sq(tx->store);
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sq_fail(s, sqlite3_extended_errcode(s->db), "script", err);
}

static int sq_ping(struct tc_store *base, struct tc_error *err)
{
    struct sq_store *s = sq(base);
    int rc = pthread_mutex_lock(&s->mu);

    if (rc == EDEADLK)
        return run_simple(s, "SELECT 1", err); /* inside this thread's own transaction */
    if (rc != 0)
        return tc_error_set(err, TC_EINTERNAL, "sqlite %s: lock failed (%d)", s->path, rc);
    rc = run_simple(s, "SELECT 1", err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static void sq_pool_stats(struct tc_store *base, struct tc_store_pool_stats *out)
{
    struct sq_store *s = sq(base);
    int busy = pthread_mutex_trylock(&s->mu) != 0;

    if (!busy)
        pthread_mutex_unlock(&s->mu);
    out->size = 1;
    out->in_use = busy;
    out->idle = 1 - busy;
    out->reconnects = 0;
}

/* Rows ------------------------------------------------------------------ */

static sqlite3_stmt *rst(const struct tc_row *row) { return ((const struct sq_row *)row)->st; }

static int r_count(const struct tc_row *row) { return sqlite3_column_count(rst(row)); }

static int r_is_null(const struct tc_row *row, int col)
{
    return sqlite3_column_type(rst(row), col) == SQLITE_NULL;
}

static int parse_int_text(const char *t, int64_t *out)
{
    char *end;
    long long v;

    if (!t || !*t)
        return TC_EPARSE;
    errno = 0;
    v = strtoll(t, &end, 10);
    if (errno || *end)
        return TC_EPARSE;
    *out = v;
    return 0;
}

static int r_int(const struct tc_row *row, int col, int64_t *out)
{
    sqlite3_stmt *st = rst(row);
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
        return TC_ENOTFOUND;
    case SQLITE_INTEGER:
        *out = sqlite3_column_int64(st, col);
        return 0;
    case SQLITE_TEXT:
        return parse_int_text((const char *)sqlite3_column_text(st, col), out);
    default:
        return TC_EPARSE;
    }
}

static int r_dec(const struct tc_row *row, int col, struct tc_dec *out)
{
    sqlite3_stmt *st = rst(row);
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
        return TC_ENOTFOUND;
    case SQLITE_INTEGER:
        out->raw = sqlite3_column_int64(st, col);
        return 0;
    case SQLITE_TEXT: {
        const char *t = (const char *)sqlite3_column_text(st, col);
        return tc_dec_parse(t, (size_t)-1, out, NULL) == 0 ? 0 : TC_EPARSE;
    }
    default:
        return TC_EPARSE;
    }
}

static int r_text(const struct tc_row *row, int col, const char **out)
{
    sqlite3_stmt *st = rst(row);
    const char *t;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return TC_ENOTFOUND;
    if (!(t = (const char *)sqlite3_column_text(st, col)))
        return TC_ENOMEM;
    *out = t;
    return 0;
}

static int r_time(const struct tc_row *row, int col, int64_t *out)
{
    sqlite3_stmt *st = rst(row);
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
        return TC_ENOTFOUND;
    case SQLITE_TEXT:
        return tc_time_parse((const char *)sqlite3_column_text(st, col), (size_t)-1, out,
                             NULL) == 0
                   ? 0
                   : TC_EPARSE;
    default:
        return TC_EPARSE;
    }
}

static int r_bool(const struct tc_row *row, int col, int *out)
{
    sqlite3_stmt *st = rst(row);
    int64_t v;
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
        return TC_ENOTFOUND;
    case SQLITE_INTEGER:
        v = sqlite3_column_int64(st, col);
        if (v != 0 && v != 1)
            return TC_EPARSE;
        *out = (int)v;
        return 0;
    default:
        return TC_EPARSE;
    }
}

static int r_double(const struct tc_row *row, int col, double *out)
{
    sqlite3_stmt *st = rst(row);
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
        return TC_ENOTFOUND;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
        *out = sqlite3_column_double(st, col);
        return 0;
    default:
        return TC_EPARSE;
    }
}

static const char *r_name(const struct tc_row *row, int col)
{
    return sqlite3_column_name(rst(row), col);
}

static const struct tc_row_ops sq_row_ops = {
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

const struct tc_store_ops tc_store_sqlite_ops = {
    .name = "sqlite",
    .backend = TC_STORE_SQLITE,
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .ping = sq_ping,
    .pool_stats = sq_pool_stats,
};
