/* Helpers shared by the entity repositories (src/ledger/accounts.c,
 * src/market/refdata.c): reading columns into fixed buffers and owned JSON,
 * growable result arrays, existence checks. Internal: not installed. */
#ifndef TC_LEDGER_REPO_UTIL_H
#define TC_LEDGER_REPO_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"
#include "tradecore/store.h"

/* A growable array of fixed-size elements; zero-initialise with .size set. */
struct tc__repo_vec {
    void *items;
    size_t n, cap, size;
};
/* Appends a zeroed element and returns it, or NULL when out of memory. */
void *tc__repo_vec_push(struct tc__repo_vec *v);
/* The same, the new item not zeroed (its caller writes every field). */
void *tc__repo_vec_push_raw(struct tc__repo_vec *v);
/* tc__repo_vec_push_raw without a call while V has room (the per-signal
 * paths, whose arrays are kept from signal to signal). */
static inline void *tc__repo_vec_push_room(struct tc__repo_vec *v)
{
    return v->n < v->cap ? (char *)v->items + v->n++ * v->size : tc__repo_vec_push_raw(v);
}

/*
 * A read of many rows: FILL turns a row into an element of VEC (whose .size
 * the caller sets); RELEASE frees an element's owned memory. The vector is
 * reset at the start of every attempt (transactions may be retried) and on
 * failure. On success the caller owns VEC.items (its elements included).
 */
struct tc__repo_read {
    const char *sql;
    const struct tc_val *params;
    size_t n;
    struct tc__repo_vec vec;
    int (*fill)(const struct tc_row *row, void *item);
    void (*release)(void *item);
    int fill_rc;  /* internal */
};
int tc__repo_read_run(struct tc_store *s, struct tc__repo_read *c, struct tc_error *err);
void tc__repo_read_reset(struct tc__repo_read *c);

/* Text column COL into BUF (capacity CAP, truncated to fit); NULL gives "". */
int tc__repo_col_str(const struct tc_row *row, int col, char *buf, size_t cap);
/* JSON (text) column into a malloc'd copy owned by the caller (*OUT); NULL
 * gives "{}". TC_ENOMEM on allocation failure. */
int tc__repo_col_json(const struct tc_row *row, int col, char **out);
int tc__repo_col_dec(const struct tc_row *row, int col, struct tc_dec *out);
/* Time column; NULL gives 0. */
int tc__repo_col_time(const struct tc_row *row, int col, int64_t *out);

/* Runs SQL (one row at most expected) and sets *FOUND to 1 when it returns a
 * row; the first column's text (if TEXT_OUT) is copied into TEXT_OUT. */
int tc__repo_exists(struct tc_txn *tx, const char *sql, const struct tc_val *params, size_t n,
                    int *found, char *text_out, size_t text_cap, struct tc_error *err);

/* Checks that BUF (capacity CAP) holds a NUL-terminated string. */
int tc__repo_fixed(const char *what, const char *buf, size_t cap, struct tc_error *err);

/* Soft delete: runs SQL with $1 = ID, $2 = now, $3 = ACTOR; TC_ENOTFOUND
 * (`<entity> "<id>" not found`) when no row changed. */
int tc__repo_soft_delete(struct tc_txn *tx, const char *sql, const char *entity, const char *id,
                         int64_t now_us, const char *actor, struct tc_error *err);

/* malloc'd copy of S (NULL gives NULL, with *OK left 1); *OK = 0 on failure. */
char *tc__repo_strdup(const char *s, int *ok);

#endif
