/* The ledger's invariants, checked against its backend's rows (the store
 * in one read transaction, or the memory backend): position quantities against their fills, order fill totals,
 * portfolio cash and equity against initial capital + realised P&L −
 * commission, and one open base per instrument per portfolio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_internal.h"
#include "ledger/ledger_repo.h"
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

static int pos_cb(void *ud, const char *id, struct tc_dec qty, struct tc_dec closed,
                  struct tc_dec in, struct tc_dec out)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], e[TC_DEC_STRLEN];
    struct tc_dec want;
    int rc;

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

static int order_cb(void *ud, const char *id, struct tc_dec filled, struct tc_dec sum)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];

    if (tc_dec_cmp(filled, sum) == 0)
        return 0;
    fmt(filled, a);
    fmt(sum, b);
    return add(ud, "order_fills", id, "order \"%s\": filled quantity %s is not its fills %s", id,
               a, b);
}

static int state_cb(void *ud, const struct tc_portfolio_state *sp)
{
    const struct tc_portfolio_state s = *sp;
    struct tc_dec want;
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    int rc;

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

static int base_cb(void *ud, const char *pid, const char *iid, int64_t n)
{
    char subject[2 * TC_ID_BUFSZ];

    snprintf(subject, sizeof(subject), "%s/%s", pid, iid);
    return add(ud, "one_base", subject, "portfolio \"%s\": %lld open base positions in \"%s\"", pid,
               (long long)n, iid);
}

int tc_ledger_check(struct tc_ledger *l, tc_ledger_violation_fn fn, void *ud, size_t *n,
                    struct tc_error *err)
{
    struct check_ctx c;
    struct tc__ledger_check_rows rows;
    int rc;

    if (n)
        *n = 0;
    if (!l)
        return tc_error_set(err, TC_EINVAL, "ledger: no ledger given");
    memset(&c, 0, sizeof(c));
    c.vec.size = sizeof(struct viol);
    rows.position = pos_cb;
    rows.order = order_cb;
    rows.state = state_cb;
    rows.bases = base_cb;
    rows.ud = &c;
    rc = l->repo->check(l, &rows, err);
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
