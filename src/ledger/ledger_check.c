/* The ledger's invariants, checked against the store in one read
 * transaction: position quantities against their fills, order fill totals,
 * portfolio cash and equity against initial capital + realised P&L −
 * commission, and one open base per instrument per portfolio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_internal.h"
#include "ledger/repo_util.h"
#include "internal/banned.h"

struct viol {
    const char *kind;
    char subject[2 * TC_ID_BUFSZ];
    char message[TC_LEDGER_TEXT_MAX];
};

struct check_ctx {
    struct tc__repo_vec vec;
    int rc;
};

static int add(struct check_ctx *c, const char *kind, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int add(struct check_ctx *c, const char *kind, const char *subject, const char *fmt, ...)
{
    struct viol *v = tc__repo_vec_push(&c->vec);
    va_list ap;
    if (!v)
        return TC_ENOMEM;
    v->kind = kind;
    snprintf(v->subject, sizeof(v->subject), "%s", subject);
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof(v->message), fmt, ap);
    va_end(ap);
    return 0;
}

static void fmt(struct tc_dec d, char *buf) { tc_dec_format(d, buf, TC_DEC_STRLEN); }

static int pos_cb(const struct tc_row *row, void *ud)
{
    char id[TC_ID_BUFSZ], a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], e[TC_DEC_STRLEN];
    struct tc_dec qty, closed, in, out, want;
    int rc;

    if ((rc = tc__repo_col_str(row, 0, id, sizeof(id))) != 0 ||
        (rc = tc__repo_col_dec(row, 1, &qty)) != 0 ||
        (rc = tc__repo_col_dec(row, 2, &closed)) != 0 ||
        (rc = tc__repo_col_dec(row, 3, &in)) != 0 || (rc = tc__repo_col_dec(row, 4, &out)) != 0)
        return rc;
    if (tc_dec_sub(in, out, &want) != 0 || tc_dec_cmp(want, qty) != 0) {
        fmt(qty, a);
        fmt(in, b);
        fmt(out, e);
        if ((rc = add(ud, "position_quantity", id,
                      "position \"%s\": quantity %s is not its entry fills %s minus its exit "
                      "fills %s",
                      id, a, b, e)) != 0)
            return rc;
    }
    if (tc_dec_cmp(closed, out) != 0) {
        fmt(closed, a);
        fmt(out, b);
        if ((rc = add(ud, "position_quantity", id,
                      "position \"%s\": closed quantity %s is not its exit fills %s", id, a,
                      b)) != 0)
            return rc;
    }
    return 0;
}

static int order_cb(const struct tc_row *row, void *ud)
{
    char id[TC_ID_BUFSZ], a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    struct tc_dec filled, sum;
    int rc;

    if ((rc = tc__repo_col_str(row, 0, id, sizeof(id))) != 0 ||
        (rc = tc__repo_col_dec(row, 1, &filled)) != 0 || (rc = tc__repo_col_dec(row, 2, &sum)) != 0)
        return rc;
    if (tc_dec_cmp(filled, sum) == 0)
        return 0;
    fmt(filled, a);
    fmt(sum, b);
    return add(ud, "order_fills", id, "order \"%s\": filled quantity %s is not its fills %s", id,
               a, b);
}

static int state_cb(const struct tc_row *row, void *ud)
{
    struct tc_portfolio_state s;
    struct tc_dec want;
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    int rc;

    if ((rc = tc__ledger_row_state(row, &s)) != 0)
        return rc;
    if (tc_dec_add(s.initial_capital, s.realized_pnl, &want) != 0 ||
        tc_dec_sub(want, s.commission_paid, &want) != 0)
        return add(ud, "portfolio_cash", s.portfolio_id,
                   "portfolio \"%s\": initial capital + realized p&l − commission overflows",
                   s.portfolio_id);
    fmt(want, b);
    if (tc_dec_cmp(s.cash, want) != 0) {
        fmt(s.cash, a);
        if ((rc = add(ud, "portfolio_cash", s.portfolio_id,
                      "portfolio \"%s\": cash %s is not initial capital + realized p&l − "
                      "commission = %s",
                      s.portfolio_id, a, b)) != 0)
            return rc;
    }
    if (tc_dec_cmp(s.closed_equity, want) != 0) {
        fmt(s.closed_equity, a);
        if ((rc = add(ud, "portfolio_equity", s.portfolio_id,
                      "portfolio \"%s\": closed equity %s is not initial capital + realized p&l "
                      "− commission = %s",
                      s.portfolio_id, a, b)) != 0)
            return rc;
    }
    return 0;
}

static int base_cb(const struct tc_row *row, void *ud)
{
    char pid[TC_ID_BUFSZ], iid[TC_ID_BUFSZ], subject[2 * TC_ID_BUFSZ];
    int64_t n = 0;
    int rc;

    if ((rc = tc__repo_col_str(row, 0, pid, sizeof(pid))) != 0 ||
        (rc = tc__repo_col_str(row, 1, iid, sizeof(iid))) != 0 || (rc = tc_row_int(row, 2, &n)) != 0)
        return rc;
    snprintf(subject, sizeof(subject), "%s/%s", pid, iid);
    return add(ud, "one_base", subject, "portfolio \"%s\": %lld open base positions in \"%s\"", pid,
               (long long)n, iid);
}

static int check_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct check_ctx *c = ud;
    struct tc_val yes[] = {TC_V_BOOL(1)};
    int rc;

    c->vec.n = 0;
    if ((rc = tc_txn_exec(tx,
                          "SELECT p.position_id, p.quantity, p.closed_quantity, "
                          "COALESCE((SELECT SUM(f.quantity) FROM fills f JOIN orders o ON "
                          "o.order_id = f.order_id WHERE o.position_id = p.position_id AND "
                          "o.intent = 'OPEN'), 0), "
                          "COALESCE((SELECT SUM(f.quantity) FROM fills f JOIN orders o ON "
                          "o.order_id = f.order_id WHERE o.position_id = p.position_id AND "
                          "o.intent = 'CLOSE'), 0) FROM positions p ORDER BY p.position_id",
                          NULL, 0, pos_cb, c, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx,
                          "SELECT o.order_id, o.filled_quantity, COALESCE(SUM(f.quantity), 0) "
                          "FROM orders o LEFT JOIN fills f ON f.order_id = o.order_id "
                          "GROUP BY o.order_id, o.filled_quantity ORDER BY o.order_id",
                          NULL, 0, order_cb, c, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx, "SELECT " TC__PS_COLS " FROM portfolio_state ORDER BY portfolio_id",
                          NULL, 0, state_cb, c, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx,
                          "SELECT portfolio_id, instrument_id, COUNT(*) FROM positions WHERE "
                          "is_base_position = $1 AND status <> 'closed' GROUP BY portfolio_id, "
                          "instrument_id HAVING COUNT(*) > 1 ORDER BY portfolio_id, instrument_id",
                          yes, 1, base_cb, c, NULL, err)) != 0)
        return tc_error_prefix(err, "ledger check");
    return 0;
}

int tc_ledger_check(struct tc_ledger *l, tc_ledger_violation_fn fn, void *ud, size_t *n,
                    struct tc_error *err)
{
    struct check_ctx c;
    int rc;

    if (n)
        *n = 0;
    if (!l)
        return tc_error_set(err, TC_EINVAL, "ledger: no ledger given");
    memset(&c, 0, sizeof(c));
    c.vec.size = sizeof(struct viol);
    rc = tc_store_txn(l->opt.runtime, TC_TXN_READ, check_fn, &c, err);
    if (rc == 0) {
        const struct viol *v = c.vec.items;
        if (n)
            *n = c.vec.n;
        for (size_t k = 0; fn && k < c.vec.n; k++) {
            struct tc_ledger_violation pub = {v[k].kind, v[k].subject, v[k].message};
            if (fn(&pub, ud) != 0)
                break;
        }
    }
    free(c.vec.items);
    return rc;
}
