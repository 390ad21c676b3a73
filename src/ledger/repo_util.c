/* Helpers shared by the entity repositories: column readers, result arrays,
 * existence checks (see repo_util.h). */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "ledger/repo_util.h"
#include "internal/banned.h"

void *tc__repo_vec_push_raw(struct tc__repo_vec *v)
{
    if (tc__grow(&v->items, &v->cap, v->n, v->size, 8) != 0)
        return NULL;
    return (char *)v->items + v->n++ * v->size;
}

void *tc__repo_vec_push(struct tc__repo_vec *v)
{
    char *slot;

    if (tc__grow(&v->items, &v->cap, v->n, v->size, 8) != 0)
        return NULL;
    slot = (char *)v->items + v->n * v->size;
    memset(slot, 0, v->size);
    v->n++;
    return slot;
}

int tc__repo_col_str(const struct tc_row *row, int col, char *buf, size_t cap)
{
    const char *s = NULL;
    size_t len;
    int rc;

    buf[0] = '\0';
    if (tc_row_is_null(row, col))
        return 0;
    if ((rc = tc_row_text(row, col, &s)) != 0)
        return rc;
    len = strlen(s);
    if (len >= cap)
        len = cap - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

int tc__repo_col_json(const struct tc_row *row, int col, char **out)
{
    const char *s = "{}";
    int rc, ok = 1;

    *out = NULL;
    if (!tc_row_is_null(row, col) && (rc = tc_row_text(row, col, &s)) != 0)
        return rc;
    *out = tc__repo_strdup(s, &ok);
    return ok ? 0 : TC_ENOMEM;
}

int tc__repo_col_dec(const struct tc_row *row, int col, struct tc_dec *out)
{
    *out = TC_DEC_ZERO;
    if (tc_row_is_null(row, col))
        return 0;
    return tc_row_dec(row, col, out);
}

int tc__repo_col_time(const struct tc_row *row, int col, int64_t *out)
{
    *out = 0;
    if (tc_row_is_null(row, col))
        return 0;
    return tc_row_time(row, col, out);
}

struct exists_ctx {
    int *found;
    char *text;
    size_t cap;
};

static int exists_row(const struct tc_row *row, void *ud)
{
    struct exists_ctx *c = ud;
    *c->found = 1;
    if (c->text) {
        int rc = tc__repo_col_str(row, 0, c->text, c->cap);
        return rc ? rc : 1;
    }
    return 1;
}

int tc__repo_exists(struct tc_txn *tx, const char *sql, const struct tc_val *params, size_t n,
                    int *found, char *text_out, size_t text_cap, struct tc_error *err)
{
    struct exists_ctx c = {found, text_out, text_cap};

    *found = 0;
    if (text_out && text_cap)
        text_out[0] = '\0';
    return tc_txn_exec(tx, sql, params, n, exists_row, &c, NULL, err);
}

int tc__repo_fixed(const char *what, const char *buf, size_t cap, struct tc_error *err)
{
    if (!memchr(buf, '\0', cap))
        return tc_error_set(err, TC_EINVAL, "%s is not NUL-terminated within %zu bytes", what,
                            cap);
    return 0;
}

char *tc__repo_strdup(const char *s, int *ok)
{
    size_t len;
    char *p;

    if (!s)
        return NULL;
    len = strlen(s);
    p = malloc(len + 1);
    if (!p) {
        *ok = 0;
        return NULL;
    }
    memcpy(p, s, len + 1);
    return p;
}

void tc__repo_read_reset(struct tc__repo_read *c)
{
    for (size_t k = 0; k < c->vec.n; k++)
        c->release((char *)c->vec.items + k * c->vec.size);
    free(c->vec.items);
    c->vec.items = NULL;
    c->vec.n = c->vec.cap = 0;
}

static int read_row(const struct tc_row *row, void *ud)
{
    struct tc__repo_read *c = ud;
    void *item = tc__repo_vec_push(&c->vec);
    int rc = item ? c->fill(row, item) : TC_ENOMEM;
    if (rc != 0)
        c->fill_rc = rc;
    return rc;
}

static int read_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct tc__repo_read *c = ud;
    int rc;

    tc__repo_read_reset(c);
    c->fill_rc = 0;
    rc = tc_txn_exec(tx, c->sql, c->params, c->n, read_row, c, NULL, err);
    if (rc != 0 && c->fill_rc != 0)
        return tc_error_set(err, c->fill_rc, "reading a row: %s", tc_strerror(c->fill_rc));
    return rc;
}

int tc__repo_read_run(struct tc_store *s, struct tc__repo_read *c, struct tc_error *err)
{
    int rc = tc_store_txn(s, TC_TXN_READ, read_txn, c, err);
    if (rc != 0)
        tc__repo_read_reset(c);
    return rc;
}

int tc__repo_soft_delete(struct tc_txn *tx, const char *sql, const char *entity, const char *id,
                         int64_t now_us, const char *actor, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(id), TC_V_TIME(now_us), TC_V_TEXT(actor)};
    int64_t changes = 0;
    int rc;

    if ((rc = tc_txn_exec(tx, sql, p, 3, NULL, NULL, &changes, err)) != 0)
        return rc;
    if (changes == 0)
        return tc_error_set(err, TC_ENOTFOUND, "%s \"%s\" not found", entity, id);
    return 0;
}
