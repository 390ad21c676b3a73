/*
 * The storage interface: opens a backend by URL scheme, runs transactions with
 * retry on TC_EBUSY / TC_ESERIAL, and forwards rows and statements to the
 * backend's ops table.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store_internal.h"
#include "tradecore/retry.h"
#include "tradecore/store.h"
#include "internal/banned.h"

void tc_store_options_default(struct tc_store_options *opt)
{
    if (!opt)
        return;
    memset(opt, 0, sizeof(*opt));
    opt->pool_size = 4;
    opt->busy_timeout_ms = 5000;
    opt->connect_attempts = 5;
    opt->retry = TC_RETRY_DEFAULT;
    opt->clock = NULL;
    opt->read_only = 0;
}

void tc__store_redact(const char *url, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    buf[0] = '\0';
    if (!url)
        return;
    if (tc_store_redact_url(url, buf, cap) < 0)
        snprintf(buf, cap, "<url>");
}

int tc__store_base_init(struct tc_store *s, const struct tc_store_ops *ops, const char *url,
                        const struct tc_store_options *opt, struct tc_error *err)
{
    char red[1024];

    s->ops = ops;
    if (opt)
        s->opt = *opt;
    else
        tc_store_options_default(&s->opt);
    tc__store_redact(url, red, sizeof(red));
    s->url_redacted = strdup(red);
    if (!s->url_redacted)
        return tc_error_set(err, TC_ENOMEM, "store %s: out of memory", red);
    return 0;
}

void tc__store_base_release(struct tc_store *s)
{
    if (!s)
        return;
    free(s->url_redacted);
    s->url_redacted = NULL;
}

static const char *skip_space_and_comments(const char *p)
{
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else if (*p == '(') {
            p++; /* "(SELECT …) UNION …" */
        } else {
            return p;
        }
    }
}

int tc__store_sql_starts_with(const char *sql, const char *kw)
{
    const char *p;
    size_t n = strlen(kw);

    if (!sql)
        return 0;
    p = skip_space_and_comments(sql);
    return strncasecmp(p, kw, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

static int check_options(const struct tc_store_options *opt, const char *red,
                         struct tc_error *err)
{
    if (opt->pool_size < 1)
        return tc_error_set(err, TC_EINVAL, "store %s: pool_size %d must be at least 1", red,
                            opt->pool_size);
    if (opt->busy_timeout_ms < 0)
        return tc_error_set(err, TC_EINVAL, "store %s: busy_timeout_ms %d is negative", red,
                            opt->busy_timeout_ms);
    if (opt->connect_attempts < 1)
        return tc_error_set(err, TC_EINVAL, "store %s: connect_attempts %d must be at least 1",
                            red, opt->connect_attempts);
    if (opt->retry.max_attempts < 1 || opt->retry.base_us < 0 || opt->retry.cap_us < 0)
        return tc_error_set(err, TC_EINVAL,
                            "store %s: retry policy needs attempts >= 1 and non-negative delays",
                            red);
    return 0;
}

int tc_store_open(const char *url, const struct tc_store_options *opt, struct tc_store **out,
                  struct tc_error *err)
{
    struct tc_store_options defaults;
    const struct tc_store_ops *ops = NULL;
    char red[1024];
    int rc;

    if (out)
        *out = NULL;
    if (!out)
        return tc_error_set(err, TC_EINVAL, "store: no output handle");
    if (!url || !*url)
        return tc_error_set(err, TC_EINVAL, "store: empty database url");
    tc__store_redact(url, red, sizeof(red));
    if (strncmp(url, "sqlite:", 7) == 0)
        ops = &tc_store_sqlite_ops;
    else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        ops = &tc_store_postgres_ops;
    else
        return tc_error_set(err, TC_EINVAL,
                            "store url \"%s\": unknown scheme (use sqlite:PATH or "
                            "postgresql://…)",
                            red);
    if (!opt) {
        tc_store_options_default(&defaults);
        opt = &defaults;
    }
    if ((rc = check_options(opt, red, err)) != 0)
        return rc;
    return ops->open(url, opt, out, err);
}

void tc_store_close(struct tc_store *s)
{
    if (s)
        s->ops->close(s);
}

enum tc_store_backend tc_store_backend(const struct tc_store *s) { return s->ops->backend; }

const char *tc_store_backend_name(const struct tc_store *s) { return s->ops->name; }

const char *tc_store_url_redacted(const struct tc_store *s) { return s->url_redacted; }

int tc_store_ping(struct tc_store *s, struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "store: no store");
    return s->ops->ping(s, err);
}

void tc_store_pool_stats(struct tc_store *s, struct tc_store_pool_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (s)
        s->ops->pool_stats(s, out);
}

int tc_store_begin(struct tc_store *s, unsigned flags, struct tc_txn **out,
                   struct tc_error *err)
{
    if (out)
        *out = NULL;
    if (!s || !out)
        return tc_error_set(err, TC_EINVAL, "store: begin needs a store and an output handle");
    return s->ops->begin(s, flags, out, err);
}

int tc_txn_commit(struct tc_txn *tx, struct tc_error *err)
{
    if (!tx)
        return tc_error_set(err, TC_EINVAL, "store: commit of no transaction");
    return tx->store->ops->commit(tx, err);
}

void tc_txn_rollback(struct tc_txn *tx)
{
    if (tx)
        tx->store->ops->rollback(tx);
}

struct tc_store *tc_txn_store(struct tc_txn *tx) { return tx ? tx->store : NULL; }

int tc_txn_exec(struct tc_txn *tx, const char *sql, const struct tc_val *params, size_t n,
                tc_row_fn cb, void *ud, int64_t *changes, struct tc_error *err)
{
    if (changes)
        *changes = 0;
    if (!tx)
        return tc_error_set(err, TC_EINVAL, "store: exec outside a transaction");
    if (!sql || !*sql)
        return tc_error_set(err, TC_EINVAL, "store %s: empty statement",
                            tx->store->url_redacted);
    if (n > 0 && !params)
        return tc_error_set(err, TC_EINVAL, "store %s: %zu parameters but no values",
                            tx->store->url_redacted, n);
    for (size_t i = 0; i < n; i++) {
        enum tc_val_kind k = params[i].kind;
        if (k < TC_VAL_NULL || k > TC_VAL_JSON)
            return tc_error_set(err, TC_EINVAL, "store %s: parameter $%zu has unknown kind %d",
                                tx->store->url_redacted, i + 1, (int)k);
        if ((k == TC_VAL_TEXT || k == TC_VAL_JSON) && !params[i].u.s)
            return tc_error_set(err, TC_EINVAL,
                                "store %s: parameter $%zu is text with a NULL pointer",
                                tx->store->url_redacted, i + 1);
        if (k == TC_VAL_DOUBLE && !isfinite(params[i].u.f))
            return tc_error_set(err, TC_EINVAL,
                                "store %s: parameter $%zu is not a finite number (%g)",
                                tx->store->url_redacted, i + 1, params[i].u.f);
    }
    return tx->store->ops->exec(tx, sql, params, n, cb, ud, changes, err);
}

int tc_txn_exec_script(struct tc_txn *tx, const char *sql, struct tc_error *err)
{
    if (!tx)
        return tc_error_set(err, TC_EINVAL, "store: script outside a transaction");
    if (!sql)
        return tc_error_set(err, TC_EINVAL, "store %s: no script", tx->store->url_redacted);
    return tx->store->ops->exec_script(tx, sql, err);
}

struct txn_attempt {
    struct tc_store *s;
    unsigned flags;
    tc_txn_fn fn;
    void *ud;
};

static int run_txn_once(void *ud, struct tc_error *err)
{
    struct txn_attempt *a = ud;
    struct tc_txn *tx = NULL;
    int rc;

    if ((rc = a->s->ops->begin(a->s, a->flags, &tx, err)) != 0)
        return rc;
    tc_error_clear(err);
    rc = a->fn(tx, a->ud, err);
    if (rc != 0) {
        a->s->ops->rollback(tx);
        if (err && err->code == 0)
            tc_error_set(err, rc, "store %s: transaction function failed: %s",
                         a->s->url_redacted, tc_strerror(rc));
        return rc;
    }
    return a->s->ops->commit(tx, err);
}

static int txn_retryable(int code) { return code == TC_EBUSY || code == TC_ESERIAL; }

int tc_store_txn(struct tc_store *s, unsigned flags, tc_txn_fn fn, void *ud,
                 struct tc_error *err)
{
    struct txn_attempt a = {s, flags, fn, ud};

    if (!s || !fn)
        return tc_error_set(err, TC_EINVAL, "store: a transaction needs a store and a function");
    if (flags & TC_TXN_NORETRY) {
        tc_error_clear(err);
        return run_txn_once(&a, err);
    }
    return tc_retry_run(&s->opt.retry, s->opt.clock, NULL, txn_retryable, run_txn_once, &a,
                        NULL, err);
}

struct exec_one {
    const char *sql;
    const struct tc_val *params;
    size_t n;
    tc_row_fn cb;
    void *ud;
    int64_t *changes;
};

static int exec_one_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct exec_one *e = ud;
    return tc_txn_exec(tx, e->sql, e->params, e->n, e->cb, e->ud, e->changes, err);
}

/* Does SQL contain KW as a whole word (a rough test, for WITH statements)? */
static int has_word(const char *sql, const char *kw)
{
    size_t n = strlen(kw);
    for (const char *p = sql; (p = strcasestr(p, kw)) != NULL; p += n) {
        int before = p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
        if (before && after)
            return 1;
    }
    return 0;
}

static int is_read_statement(const char *sql)
{
    if (tc__store_sql_starts_with(sql, "SELECT") || tc__store_sql_starts_with(sql, "VALUES"))
        return 1;
    /* WITH … SELECT reads; a data-modifying WITH needs a write transaction */
    return tc__store_sql_starts_with(sql, "WITH") && !has_word(sql, "INSERT") &&
           !has_word(sql, "UPDATE") && !has_word(sql, "DELETE") && !has_word(sql, "MERGE");
}

int tc_store_exec(struct tc_store *s, const char *sql, const struct tc_val *params, size_t n,
                  tc_row_fn cb, void *ud, int64_t *changes, struct tc_error *err)
{
    struct exec_one e = {sql, params, n, cb, ud, changes};
    unsigned flags = is_read_statement(sql) ? TC_TXN_READ : TC_TXN_WRITE;
    if (changes)
        *changes = 0;
    return tc_store_txn(s, flags, exec_one_fn, &e, err);
}

/* Rows ------------------------------------------------------------------ */

static int bad_col(const struct tc_row *row, int col)
{
    return !row || col < 0 || col >= row->ops->count(row);
}

int tc_row_count(const struct tc_row *row) { return row ? row->ops->count(row) : 0; }

int tc_row_is_null(const struct tc_row *row, int col)
{
    return bad_col(row, col) ? 1 : row->ops->is_null(row, col);
}

int tc_row_int(const struct tc_row *row, int col, int64_t *out)
{
    return bad_col(row, col) ? TC_EINVAL : row->ops->get_int(row, col, out);
}

int tc_row_dec(const struct tc_row *row, int col, struct tc_dec *out)
{
    return bad_col(row, col) ? TC_EINVAL : row->ops->get_dec(row, col, out);
}

int tc_row_text(const struct tc_row *row, int col, const char **out)
{
    return bad_col(row, col) ? TC_EINVAL : row->ops->get_text(row, col, out);
}

int tc_row_time(const struct tc_row *row, int col, int64_t *out_us)
{
    return bad_col(row, col) ? TC_EINVAL : row->ops->get_time(row, col, out_us);
}

int tc_row_bool(const struct tc_row *row, int col, int *out)
{
    return bad_col(row, col) ? TC_EINVAL : row->ops->get_bool(row, col, out);
}

int tc_row_double(const struct tc_row *row, int col, double *out)
{
    return bad_col(row, col) ? TC_EINVAL : row->ops->get_double(row, col, out);
}

const char *tc_row_name(const struct tc_row *row, int col)
{
    return bad_col(row, col) ? NULL : row->ops->name(row, col);
}
