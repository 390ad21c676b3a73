/*
 * Storage: one interface, two backends (sqlite, postgres).
 *
 * A store is opened by URL:
 *   sqlite:PATH            sqlite:var/runtime.db   (WAL, synchronous=FULL,
 *   sqlite::memory:                                 foreign keys, busy timeout)
 *   postgresql://user:pass@host:5432/db?sslmode=require   (libpq, connection pool)
 *   postgres://…           same as postgresql://
 *
 * SQL is written once with PostgreSQL-style numbered parameters ($1, $2, …);
 * the sqlite backend binds them by number. Values are ALWAYS bound, never
 * pasted into SQL text. Column types are portable through struct tc_val:
 *
 *   kind      sqlite storage                    postgres type
 *   INT       INTEGER                           BIGINT / INTEGER
 *   DEC       INTEGER (raw units of 1e-8)       NUMERIC(20,8)
 *   TEXT      TEXT                              TEXT / VARCHAR
 *   TIME      TEXT "YYYY-MM-DDTHH:MM:SS.ffffffZ" TIMESTAMPTZ (session TimeZone UTC)
 *   BOOL      INTEGER 0/1                       BOOLEAN
 *   DOUBLE    REAL                              DOUBLE PRECISION
 *   JSON      TEXT                              JSONB (bound as text)
 *
 * Every write happens in a transaction run by tc_store_txn(), which retries the
 * whole function on TC_EBUSY (SQLITE_BUSY) and TC_ESERIAL (PostgreSQL 40001
 * serialization failure, 40P01 deadlock) with exponential backoff.
 *
 * Errors: a unique or primary-key violation is TC_ECONFLICT; a foreign-key,
 * check or not-null violation TC_EINVAL; a lost or unreachable server
 * TC_EUNAVAIL; a full disk TC_ENOSPC; I/O TC_EIO; anything else TC_ESTORE. The
 * message names the statement's table or constraint where the backend says it.
 *
 * Thread-safety: a sqlite store serialises its users with a mutex; a postgres
 * store hands each transaction its own pooled connection. A struct tc_txn
 * belongs to the thread that began it.
 */
#ifndef TRADECORE_STORE_H
#define TRADECORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/retry.h"

struct tc_store;
struct tc_txn;
struct tc_row;

enum tc_val_kind {
    TC_VAL_NULL = 0,
    TC_VAL_INT,
    TC_VAL_DEC,
    TC_VAL_TEXT,
    TC_VAL_TIME,
    TC_VAL_BOOL,
    TC_VAL_DOUBLE,
    TC_VAL_JSON
};

/* A bound parameter. TEXT and JSON point at caller memory, valid for the call. */
struct tc_val {
    enum tc_val_kind kind;
    union {
        int64_t i;        /* INT, BOOL (0/1), TIME (µs since epoch, UTC) */
        struct tc_dec d;  /* DEC */
        double f;         /* DOUBLE */
        const char *s;    /* TEXT, JSON (NUL-terminated) */
    } u;
};

#define TC_V_NULL ((struct tc_val){.kind = TC_VAL_NULL})
#define TC_V_INT(x) ((struct tc_val){.kind = TC_VAL_INT, .u.i = (x)})
#define TC_V_DEC(x) ((struct tc_val){.kind = TC_VAL_DEC, .u.d = (x)})
#define TC_V_TEXT(x) ((struct tc_val){.kind = TC_VAL_TEXT, .u.s = (x)})
#define TC_V_TIME(x) ((struct tc_val){.kind = TC_VAL_TIME, .u.i = (x)})
#define TC_V_BOOL(x) ((struct tc_val){.kind = TC_VAL_BOOL, .u.i = !!(x)})
#define TC_V_DOUBLE(x) ((struct tc_val){.kind = TC_VAL_DOUBLE, .u.f = (x)})
#define TC_V_JSON(x) ((struct tc_val){.kind = TC_VAL_JSON, .u.s = (x)})
/* TEXT, or NULL when X is NULL: optional columns. */
#define TC_V_TEXT_OR_NULL(x) ((x) ? TC_V_TEXT(x) : TC_V_NULL)

/*
 * Reading a result row: the caller says which kind it wants; the backend
 * converts from its storage (see the table above). Column indexes are 0-based.
 * Text returned is owned by the row and valid only during the row callback.
 * A NULL column: tc_row_is_null() is 1; the getters return TC_ENOTFOUND.
 * A value that does not convert (text in a DEC column) is TC_EPARSE.
 */
int tc_row_count(const struct tc_row *row);
int tc_row_is_null(const struct tc_row *row, int col);
int tc_row_int(const struct tc_row *row, int col, int64_t *out);
int tc_row_dec(const struct tc_row *row, int col, struct tc_dec *out);
int tc_row_text(const struct tc_row *row, int col, const char **out);
int tc_row_time(const struct tc_row *row, int col, int64_t *out_us);
int tc_row_bool(const struct tc_row *row, int col, int *out);
int tc_row_double(const struct tc_row *row, int col, double *out);
/* The column's name as the backend reports it. */
const char *tc_row_name(const struct tc_row *row, int col);

/* Called once per result row; return 0 to go on, nonzero to stop (that value
 * is then returned by the exec call if negative, else exec returns 0). */
typedef int (*tc_row_fn)(const struct tc_row *row, void *ud);

enum tc_store_backend { TC_STORE_SQLITE = 1, TC_STORE_POSTGRES = 2 };

/* Options for opening a store; usually filled from configuration. */
struct tc_store_options {
    int pool_size;                 /* postgres connections (>= 1) */
    int busy_timeout_ms;           /* sqlite busy_timeout */
    int connect_attempts;          /* start-up connection attempts (>= 1) */
    struct tc_retry_policy retry;  /* connect and transaction retries */
    const struct tc_clock *clock;  /* NULL = system */
    int read_only;                 /* open for reading only */
};
/* pool 4, busy 5000 ms, 5 connect attempts, TC_RETRY_DEFAULT. */
void tc_store_options_default(struct tc_store_options *opt);

/*
 * Opens the store at URL. Unreachable databases are retried
 * opt->connect_attempts times with backoff, then reported with the URL
 * (password hidden) and the reason. OPT may be NULL (defaults).
 * On success *OUT is owned by the caller: tc_store_close() it.
 */
int tc_store_open(const char *url, const struct tc_store_options *opt, struct tc_store **out,
                  struct tc_error *err);
void tc_store_close(struct tc_store *s);   /* NULL allowed */

enum tc_store_backend tc_store_backend(const struct tc_store *s);
const char *tc_store_backend_name(const struct tc_store *s);  /* "sqlite" / "postgres" */
/* The URL with any password replaced by "***". Owned by the store. */
const char *tc_store_url_redacted(const struct tc_store *s);

/* Writes URL with its password replaced by "***" into BUF. */
int tc_store_redact_url(const char *url, char *buf, size_t cap);

/* Round trip to the database (SELECT 1). */
int tc_store_ping(struct tc_store *s, struct tc_error *err);

/* Pool statistics (sqlite: size 1). */
struct tc_store_pool_stats {
    int size, in_use, idle;
    int64_t reconnects;
};
void tc_store_pool_stats(struct tc_store *s, struct tc_store_pool_stats *out);

enum tc_txn_flags {
    TC_TXN_WRITE = 0,        /* default: a write transaction (sqlite BEGIN IMMEDIATE) */
    TC_TXN_READ = 1 << 0,    /* read-only (sqlite BEGIN DEFERRED, postgres READ ONLY) */
    TC_TXN_NORETRY = 1 << 1  /* do not retry on TC_EBUSY / TC_ESERIAL */
};

typedef int (*tc_txn_fn)(struct tc_txn *tx, void *ud, struct tc_error *err);

/*
 * Runs FN inside one transaction: begin, FN, commit. When FN returns nonzero
 * the transaction is rolled back and that code is returned. When FN or the
 * commit fails with TC_EBUSY / TC_ESERIAL the whole transaction is rolled back
 * and run again (FN must be safe to rerun: keep its effects in the database
 * or reset them at its start). Returns only after the commit is durable.
 */
int tc_store_txn(struct tc_store *s, unsigned flags, tc_txn_fn fn, void *ud,
                 struct tc_error *err);

/* Manual transactions, for callers that cannot use a callback. No retry. */
int tc_store_begin(struct tc_store *s, unsigned flags, struct tc_txn **out,
                   struct tc_error *err);
int tc_txn_commit(struct tc_txn *tx, struct tc_error *err);  /* frees TX, also on error */
void tc_txn_rollback(struct tc_txn *tx);                     /* frees TX; NULL allowed */
struct tc_store *tc_txn_store(struct tc_txn *tx);

/*
 * Executes one statement with N bound PARAMS inside TX. Each result row is
 * passed to CB (may be NULL). *CHANGES (may be NULL) receives the number of
 * rows inserted, updated or deleted. Statements are prepared once per
 * connection and cached by their SQL text.
 */
int tc_txn_exec(struct tc_txn *tx, const char *sql, const struct tc_val *params, size_t n,
                tc_row_fn cb, void *ud, int64_t *changes, struct tc_error *err);

/* Runs several statements without parameters (migrations, DDL). No results. */
int tc_txn_exec_script(struct tc_txn *tx, const char *sql, struct tc_error *err);

/* One statement in its own transaction (with retry); for reads and single writes. */
int tc_store_exec(struct tc_store *s, const char *sql, const struct tc_val *params, size_t n,
                  tc_row_fn cb, void *ud, int64_t *changes, struct tc_error *err);

/*
 * Bulk load, for backends that offer it (PostgreSQL: COPY FROM STDIN through
 * libpq; sqlite has none, and a loop of cached prepared INSERTs in one
 * transaction is its fast path). SQL is a "COPY table (columns) FROM STDIN"
 * statement run inside TX; FILL is called until it sets *LEN to 0 and writes
 * up to CAP bytes of COPY text format (tab-separated, "\N" for NULL, '\n'
 * ending each row; whole rows per call) into BUF; when SQL says
 * "(FORMAT binary)", PostgreSQL's binary COPY format instead (the header first,
 * whole rows, the -1 trailer last; the bytes are passed through unchanged).
 * A nonzero return from FILL
 * aborts the copy and is returned. *ROWS (may be NULL) gets the rows loaded.
 * Constraint violations map as for tc_txn_exec; after any error the
 * transaction must be rolled back. TC_EINVAL when the backend has no bulk
 * path: tc_store_can_copy() says beforehand (1 or 0). Implemented in
 * src/store/copy.c.
 */
typedef int (*tc_copy_fill_fn)(void *ud, char *buf, size_t cap, size_t *len,
                               struct tc_error *err);
int tc_txn_copy_from(struct tc_txn *tx, const char *sql, tc_copy_fill_fn fill, void *ud,
                     int64_t *rows, struct tc_error *err);
int tc_store_can_copy(const struct tc_store *s);

/* ------------------------------------------------------------------------ */
/* The backend interface. Backends embed struct tc_store first.              */

struct tc_store_ops {
    const char *name;
    enum tc_store_backend backend;
    int (*open)(const char *url, const struct tc_store_options *opt, struct tc_store **out,
                struct tc_error *err);
    void (*close)(struct tc_store *s);
    int (*begin)(struct tc_store *s, unsigned flags, struct tc_txn **out, struct tc_error *err);
    int (*commit)(struct tc_txn *tx, struct tc_error *err);
    void (*rollback)(struct tc_txn *tx);
    int (*exec)(struct tc_txn *tx, const char *sql, const struct tc_val *params, size_t n,
                tc_row_fn cb, void *ud, int64_t *changes, struct tc_error *err);
    int (*exec_script)(struct tc_txn *tx, const char *sql, struct tc_error *err);
    int (*ping)(struct tc_store *s, struct tc_error *err);
    void (*pool_stats)(struct tc_store *s, struct tc_store_pool_stats *out);
    /* Optional (NULL = no bulk path): see tc_txn_copy_from. */
    int (*copy_from)(struct tc_txn *tx, const char *sql, tc_copy_fill_fn fill, void *ud,
                     int64_t *rows, struct tc_error *err);
};

struct tc_row_ops {
    int (*count)(const struct tc_row *row);
    int (*is_null)(const struct tc_row *row, int col);
    int (*get_int)(const struct tc_row *row, int col, int64_t *out);
    int (*get_dec)(const struct tc_row *row, int col, struct tc_dec *out);
    int (*get_text)(const struct tc_row *row, int col, const char **out);
    int (*get_time)(const struct tc_row *row, int col, int64_t *out);
    int (*get_bool)(const struct tc_row *row, int col, int *out);
    int (*get_double)(const struct tc_row *row, int col, double *out);
    const char *(*name)(const struct tc_row *row, int col);
};

/* The base every backend's store embeds first. */
struct tc_store {
    const struct tc_store_ops *ops;
    struct tc_store_options opt;
    char *url_redacted;
};

/* The base every backend's transaction embeds first. */
struct tc_txn {
    struct tc_store *store;
    unsigned flags;
};

/* The base every backend's row embeds first. */
struct tc_row {
    const struct tc_row_ops *ops;
};

extern const struct tc_store_ops tc_store_sqlite_ops;
extern const struct tc_store_ops tc_store_postgres_ops;

#endif
