/* The backtest runner: sma_cross on ORCL 1995-2014 checked against an
 * independent evaluation of the SMA definition over the file's rows; no
 * look-ahead (a peeking strategy fails, bars after the end change nothing);
 * byte-identical reports; the session path's columns end at the session and
 * it runs identically to the per-bar path; donchian's entries, pyramids and stop exit on a
 * constructed series computed by hand; several strategies in one portfolio;
 * runs kept in a store; bad configurations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tc_test.h"
#include "tc_test_backtest.h"
#include "tc_test_walk.h"
#include "tradecore/backtest.h"
#include "tradecore/ingest.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/timemachine.h"

#define D(text) tc_test_dec(text)

static void assert_day(int64_t day, const char *want)
{
    char buf[TC_DATE_STRLEN];
    tc_date_format(day, buf);
    assert_string_equal(buf, want);
}

static void orcl_path(char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/orcl-1995-2014.txt", tc_test_data());
}

static void load(const char *path, struct tc_bar_set *set)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, set, &err), &err);
}

/* ---- an independent reading of the file ------------------------------------ */

struct row {
    char date[11];
    int64_t open, close;   /* units of 1e-8 */
};

/* "12.345" -> 1234500000 (at most 8 fractional digits, no sign). */
static int64_t raw_of(const char *s, size_t len)
{
    int64_t v = 0;
    int frac = -1;
    for (size_t k = 0; k < len; k++) {
        if (s[k] == '.') {
            frac = 0;
            continue;
        }
        v = v * 10 + (s[k] - '0');
        if (frac >= 0)
            frac++;
    }
    for (int k = frac < 0 ? 0 : frac; k < 8; k++)
        v *= 10;
    return v;
}

static size_t read_rows(const char *path, struct row **out)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t n = 0, cap = 8192;
    struct row *rows = malloc(cap * sizeof(*rows));

    assert_non_null(f);
    assert_non_null(rows);
    assert_non_null(fgets(line, sizeof(line), f)); /* header */
    while (fgets(line, sizeof(line), f)) {
        const char *field[8] = {0};
        size_t len[8] = {0}, nf = 0;
        const char *p = line;
        while (nf < 8) {
            size_t l = strcspn(p, ",\r\n");
            field[nf] = p;
            len[nf++] = l;
            if (p[l] != ',')
                break;
            p += l + 1;
        }
        assert_int_equal(nf, 7); /* Date,Open,High,Low,Close,Adj Close,Volume */
        if (n == cap)
            assert_non_null(rows = realloc(rows, (cap *= 2) * sizeof(*rows)));
        memcpy(rows[n].date, field[0], 10);
        rows[n].date[10] = '\0';
        rows[n].open = raw_of(field[1], len[1]);
        rows[n].close = raw_of(field[4], len[4]);
        n++;
    }
    fclose(f);
    *out = rows;
    return n;
}

struct xfill {
    size_t row;
    char side;
    int64_t price;
};

/*
 * sma_cross(fast, slow) by the definitions, in integers: SMA(n) is the mean
 * of the last n closes, so sign(SMA(f) - SMA(s)) = sign(s * sum_f - f * sum_s)
 * exactly; a crossover is a bar whose non-zero sign differs from the last
 * non-zero sign; its order fills at the next row's open.
 */
static size_t expected_fills(const struct row *r, size_t n, int fast, int slow, struct xfill *out,
                             size_t *signals)
{
    int last = 0, held = 0, pending = 0;
    size_t nf = 0;
    *signals = 0;
    for (size_t i = 0; i < n; i++) {
        if (pending) {
            out[nf++] = (struct xfill){i, pending > 0 ? 'B' : 'S', r[i].open};
            held = pending > 0;
            pending = 0;
        }
        if (i + 1 < (size_t)slow)
            continue;
        int64_t sf = 0, ss = 0; /* closes below 1000: no overflow */
        for (size_t k = i + 1 - (size_t)fast; k <= i; k++)
            sf += r[k].close;
        for (size_t k = i + 1 - (size_t)slow; k <= i; k++)
            ss += r[k].close;
        int64_t d = sf * slow - ss * fast;
        int sign = (d > 0) - (d < 0), cross = 0;
        if (sign != 0) {
            cross = (last != 0 && sign != last) ? sign : 0;
            last = sign;
        }
        if (cross > 0 && !held)
            pending = 1;
        else if (cross < 0 && held)
            pending = -1;
        *signals += (size_t)(pending != 0);
    }
    return nf;
}

static int64_t cross_mul(int64_t raw, int64_t qty) { return raw * qty; }

/*
 * sma_cross fast 10, slow 30, stake 100, cash 100000, commission 0.001,
 * next-open fills, on ORCL 1995-01-03 .. 2014-12-31 (5036 rows).
 * From the file's rows: the first bar with both SMAs is 1995-02-14 (row 29);
 * the first crossover (fast above slow, after the first non-zero sign was
 * negative) is on the close of 1995-05-11; the order fills at the open of the
 * next row, 1995-05-12: 2.37037 (100 shares, commission 0.237037).
 */
static void test_sma_cross_orcl(void **state)
{
    char path[1024];
    struct row *rows = NULL;
    size_t nrows;
    struct xfill *xf;
    size_t nx, nsig;
    struct tc_bar_set set = {0};
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    static const char *const kv[] = {"fast=10", "slow=30", "stake=100", NULL};
    int64_t comm = 0, closed = 0, cash;

    orcl_path(path, sizeof(path));
    nrows = read_rows(path, &rows);
    assert_int_equal(nrows, 5036);
    assert_non_null(xf = calloc(nrows, sizeof(*xf)));
    nx = expected_fills(rows, nrows, 10, 30, xf, &nsig);
    assert_string_equal(rows[xf[0].row].date, "1995-05-12");
    assert_string_equal(rows[xf[0].row - 1].date, "1995-05-11");
    assert_int_equal(xf[0].price, INT64_C(237037000)); /* 2.37037, that row's open */
    assert_int_equal(xf[0].side, 'B');

    load(path, &set);
    tc_test_bt_strategy(&s, "sma_cross", kv);
    tc_test_bt_config(&cfg, &s, 1, set.items, set.n);
    cfg.cash = D("100000");
    cfg.sim.commission = TC_SIM_COMM_FRACTION;
    cfg.sim.comm_rate = D("0.001");
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);

    assert_int_equal(res.sessions, 5036);
    assert_int_equal(res.bars, 5036);
    assert_int_equal(res.run.n_equity, 5036);
    assert_day(res.first_day, "1995-01-03");
    assert_day(res.last_day, "2014-12-31");
    assert_int_equal(res.run.n_fills, nx);
    assert_int_equal(res.signals, nsig);
    assert_int_equal(res.accepted, nsig);
    assert_int_equal(res.rejected, 0);
    for (size_t k = 0; k < nx; k++) {
        const struct tc_run_fill *f = &res.run.fills[k];
        char day[TC_DATE_STRLEN];
        tc_date_format(f->day, day);
        assert_string_equal(day, rows[xf[k].row].date);
        assert_int_equal(f->side, xf[k].side);
        assert_int_equal(f->price.raw, xf[k].price);
        tc_test_assert_dec(f->quantity, "100");
        /* commission = 0.001 x 100 x price: exact at 8 places here */
        assert_int_equal(f->commission.raw, xf[k].price / 10);
        comm += xf[k].price / 10;
        if (xf[k].side == 'S')
            closed += cross_mul(xf[k].price - xf[k - 1].price, 100);
    }
    tc_test_assert_dec(res.run.fills[0].commission, "0.237037");
    assert_int_equal(res.run.n_trades, nx / 2);
    {
        int64_t gross = 0, tcomm = 0;
        for (size_t k = 0; k < res.run.n_trades; k++) {
            gross += res.run.trades[k].gross_pnl.raw;
            tcomm += res.run.trades[k].commission.raw;
        }
        assert_int_equal(gross, closed);
        /* cash = initial cash + closed P&L - every commission, to the last decimal */
        cash = INT64_C(100000) * TC_DEC_ONE + closed - comm;
        assert_int_equal(res.metrics.final_cash.raw, cash);
        assert_int_equal(res.run.equity[res.run.n_equity - 1].cash.raw, cash);
        if (nx % 2 == 0)
            assert_int_equal(tcomm, comm);
    }
    assert_day(res.run.trades[0].entry_day, "1995-05-12");
    assert_day(res.run.trades[0].exit_day, rows[xf[1].row].date);
    tc_test_assert_dec(res.metrics.total_commission, "343.7322463");
    tc_backtest_result_release(&res);
    tc_bar_set_release(&set);
    free(xf);
    free(rows);
}

/* fill_at close: the first order fills at the crossover bar's own close. */
static void test_fill_at_close(void **state)
{
    char path[1024];
    struct tc_bar_set set = {0};
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    struct row *rows = NULL;
    size_t n;

    orcl_path(path, sizeof(path));
    n = read_rows(path, &rows);
    load(path, &set);
    tc_test_bt_strategy(&s, "sma_cross", NULL);
    tc_test_bt_config(&cfg, &s, 1, set.items, set.n);
    cfg.sim.fill_at = TC_SIM_FILL_CLOSE;
    cfg.to_day = tc_days_from_civil(1995, 12, 31);
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_true(res.run.n_fills >= 1);
    assert_day(res.run.fills[0].day, "1995-05-11");
    for (size_t k = 0; k < n; k++)
        if (strcmp(rows[k].date, "1995-05-11") == 0)
            assert_int_equal(res.run.fills[0].price.raw, rows[k].close);
    tc_backtest_result_release(&res);
    tc_bar_set_release(&set);
    free(rows);
}

/* ---- look-ahead ------------------------------------------------------------------ */

static int peek_bar(struct tc_strategy_ctx *ctx, void *st, size_t ix, const struct tc_bar *bar,
                    struct tc_error *err)
{
    struct tc_bar b;
    int rc = tc_tm_bar_on(tc_strategy_tm(ctx), ix, bar->day, &b, err); /* today: fine */
    if (rc != 0)
        return rc;
    return tc_tm_bar_on(tc_strategy_tm(ctx), ix, bar->day + 1, &b, err); /* tomorrow */
}

static const struct tc_strategy_class peeker = {
    .name = "peeker",
    .summary = "reads tomorrow's bar",
    .on_bar = peek_bar,
};

static void test_lookahead_fails(void **state)
{
    char path[1024];
    struct tc_bar_set set = {0};
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};

    orcl_path(path, sizeof(path));
    load(path, &set);
    tc_test_bt_strategy_of(&s, &peeker, NULL);
    tc_test_bt_config(&cfg, &s, 1, set.items, set.n);
    assert_int_equal(tc_backtest_run(&cfg, &res, &err), TC_ELOOKAHEAD);
    assert_non_null(strstr(err.msg, "strategy "));
    assert_non_null(strstr(err.msg, "ORCL: bar of 1995-01-04 requested at"));
    assert_non_null(strstr(err.msg, "not yet closed"));
    tc_backtest_result_release(&res);
    tc_bar_set_release(&set);
}

/* The runner's views (on_bars) are the TimeMachine's: at every call the
 * view is exactly the last V->n visible bars (the same arrays, no copy), no
 * bar in it is dated after the session, and a read of the next day through
 * the gate is still refused. */
struct view_check {
    uint64_t calls, bars, bad;
    int peek;
};

static uint64_t g_view_calls, g_view_bars, g_view_bad; /* copied by on_stop */

static int view_bars(struct tc_strategy_ctx *ctx, void *st, size_t ix, const struct tc_bar_view *v,
                     struct tc_error *err)
{
    struct view_check *c = st;
    struct tc_bar_view g;
    struct tc_bar b;
    int64_t day = 0;
    int rc;
    c->calls++;
    c->bars += v->n;
    if ((rc = tc_tm_last_bars(tc_strategy_tm(ctx), ix, v->n, &g, err)) != 0 ||
        (rc = tc_tm_session(tc_strategy_tm(ctx), &day, err)) != 0)
        return rc;
    if (g.n != v->n || g.day != v->day || g.close != v->close || g.open != v->open ||
        g.high != v->high || g.low != v->low || g.adj_close != v->adj_close ||
        g.volume != v->volume || g.open_interest != v->open_interest ||
        v->day[v->n - 1] != day || v->day[v->n - 1] != tc_strategy_day(ctx))
        c->bad++;
    if (c->peek)
        return tc_tm_bar_on(tc_strategy_tm(ctx), ix, v->day[v->n - 1] + 1, &b, err);
    return 0;
}

static int view_start(struct tc_strategy_ctx *ctx, void *st, struct tc_error *err)
{
    (void)ctx;
    (void)err;
    ((struct view_check *)st)->peek = tc_dec_sign(tc_strategy_param_dec(tc_strategy_params(ctx),
                                                                        "peek")) > 0;
    return 0;
}

static void view_stop(struct tc_strategy_ctx *ctx, void *st)
{
    const struct view_check *c = st;
    (void)ctx;
    g_view_calls = c->calls;
    g_view_bars = c->bars;
    g_view_bad = c->bad;
}

static const struct tc_param_spec view_params[] = {
    {"peek", TC_PARAM_BOOL, "false", NULL, NULL, "read the next day's bar"},
};

static const struct tc_strategy_class viewer = {
    .name = "viewer",
    .summary = "checks the views it is given against the gate",
    .params = view_params,
    .n_params = 1,
    .state_size = sizeof(struct view_check),
    .on_start = view_start,
    .on_stop = view_stop,
    .on_bars = view_bars,
};

static void test_views_are_gated(void **state)
{
    char path[1024];
    struct tc_bar_set set = {0};
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};

    orcl_path(path, sizeof(path));
    load(path, &set);
    tc_test_bt_strategy_of(&s, &viewer, NULL);
    tc_test_bt_config(&cfg, &s, 1, set.items, set.n);
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_int_equal(res.bars, set.items[0].n);
    tc_backtest_result_release(&res);
    assert_int_equal(g_view_calls, set.items[0].n);
    assert_int_equal(g_view_bars, set.items[0].n);
    assert_int_equal(g_view_bad, 0);

    tc_assert_ok(tc_strategy_params_set(&s.params, "peek", "true", &err), &err);
    assert_int_equal(tc_backtest_run(&cfg, &res, &err), TC_ELOOKAHEAD);
    assert_non_null(strstr(err.msg, "strategy "));
    assert_non_null(strstr(err.msg, "ORCL: bar of 1995-01-04 requested at"));
    assert_non_null(strstr(err.msg, "not yet closed"));
    assert_int_equal(g_view_calls, 1); /* the first bar's read was refused */
    tc_backtest_result_release(&res);
    tc_bar_set_release(&set);
}

/* The session callback (on_session): every instrument's columns end at the
 * session (the gate shows exactly as many bars, no more), the new bars of
 * each follow the ones of the session before, the changed list holds exactly
 * the instruments with new bars, and a read of the next day is refused. */
struct sess_check {
    size_t prev_n[4];
    uint64_t calls, bars, bad, idle;
    int peek;
};

static uint64_t g_sess_calls, g_sess_bars, g_sess_bad, g_sess_idle;
static size_t g_sess_first[4];

static int sess_on(struct tc_strategy_ctx *ctx, void *st, const struct tc_session_bars *sb,
                   struct tc_error *err)
{
    struct sess_check *c = st;
    struct tc_tm *tm = tc_strategy_tm(ctx);
    struct tc_bar_view g;
    struct tc_error e = {0};
    struct tc_bar b;
    size_t k = 0;
    int64_t day = 0;
    int rc;

    c->calls++;
    if ((rc = tc_tm_session(tm, &day, err)) != 0)
        return rc;
    if (sb->n != tc_strategy_instruments(ctx) || sb->n > 4 || sb->day != day ||
        day != tc_strategy_day(ctx))
        c->bad++;
    for (size_t ix = 0; ix < sb->n; ix++) {
        const struct tc_bar_view *v = &sb->cols[ix];
        int changed = k < sb->n_changed && sb->changed[k] == ix;
        if (c->calls == 1)
            g_sess_first[ix] = sb->from[ix];
        else if (sb->from[ix] != c->prev_n[ix])
            c->bad++;
        if (changed != (sb->from[ix] < v->n))
            c->bad++;
        k += changed;
        c->idle += !changed;
        c->bars += v->n - sb->from[ix];
        c->prev_n[ix] = v->n;
        if (v->n == 0)
            continue;
        /* the gate shows these N bars, the same arrays, and not one more */
        if (tc_tm_last_bars(tm, ix, v->n, &g, err) != 0 || g.day != v->day ||
            g.close != v->close || g.high != v->high || v->day[v->n - 1] > day)
            c->bad++;
        if (tc_tm_last_bars(tm, ix, v->n + 1, &g, &e) != TC_ERANGE)
            c->bad++;
    }
    if (k != sb->n_changed)
        c->bad++;
    if (c->peek && sb->n_changed)
        return tc_tm_bar_on(tm, sb->changed[0], day + 1, &b, err);
    return 0;
}

static int sess_bars(struct tc_strategy_ctx *ctx, void *st, size_t ix,
                     const struct tc_bar_view *v, struct tc_error *err)
{
    (void)ctx;
    (void)st;
    (void)ix;
    (void)v;
    return tc_error_set(err, TC_ESTATE, "bars given to a session strategy");
}

static int sess_start(struct tc_strategy_ctx *ctx, void *st, struct tc_error *err)
{
    (void)err;
    ((struct sess_check *)st)->peek =
        tc_dec_sign(tc_strategy_param_dec(tc_strategy_params(ctx), "peek")) > 0;
    return 0;
}

static void sess_stop(struct tc_strategy_ctx *ctx, void *st)
{
    const struct sess_check *c = st;
    (void)ctx;
    g_sess_calls = c->calls;
    g_sess_bars = c->bars;
    g_sess_bad = c->bad;
    g_sess_idle = c->idle;
}

static const struct tc_strategy_class sess_viewer = {
    .name = "sess_viewer",
    .summary = "checks the session columns it is given against the gate",
    .params = view_params,
    .n_params = 1,
    .state_size = sizeof(struct sess_check),
    .on_start = sess_start,
    .on_stop = sess_stop,
    .on_bars = sess_bars,
    .on_session = sess_on,
};

static void test_session_columns_are_gated(void **state)
{
    char p1[1024], p2[1024];
    struct tc_bar_set a = {0}, b = {0};
    struct tc_bar_series series[2];
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};

    snprintf(p1, sizeof(p1), "%s/orcl-1995-2014.txt", tc_test_data());
    snprintf(p2, sizeof(p2), "%s/nvda-1999-2014.txt", tc_test_data());
    load(p1, &a);
    load(p2, &b);
    series[0] = a.items[0];
    series[1] = b.items[0];
    tc_test_bt_strategy_of(&s, &sess_viewer, NULL);
    tc_test_bt_config(&cfg, &s, 1, series, 2);
    cfg.from_day = tc_days_from_civil(1997, 1, 2);   /* earlier bars: history, not fed */
    cfg.to_day = tc_days_from_civil(2003, 12, 31);
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_int_equal(g_sess_bad, 0);
    assert_int_equal(g_sess_calls, res.sessions);
    assert_int_equal(g_sess_bars, res.bars);
    assert_true(g_sess_idle > 500); /* NVDA has no bars before 1999 */
    assert_int_equal(g_sess_first[0], (size_t)tc_bar_series_find(&series[0], cfg.from_day - 1) + 1);
    assert_int_equal(g_sess_first[1], 0);
    tc_backtest_result_release(&res);

    tc_assert_ok(tc_strategy_params_set(&s.params, "peek", "true", &err), &err);
    assert_int_equal(tc_backtest_run(&cfg, &res, &err), TC_ELOOKAHEAD);
    assert_non_null(strstr(err.msg, "strategy "));
    assert_non_null(strstr(err.msg, "ORCL: bar of 1997-01-03 requested at"));
    assert_non_null(strstr(err.msg, "not yet closed"));
    assert_int_equal(g_sess_calls, 1);
    tc_backtest_result_release(&res);
    tc_bar_set_release(&a);
    tc_bar_set_release(&b);
}

static void assert_same_runs(const struct tc_backtest_result *a, const struct tc_backtest_result *b)
{
    assert_string_equal(a->run_id, b->run_id);
    assert_int_equal(a->signals, b->signals);
    assert_int_equal(a->accepted, b->accepted);
    assert_int_equal(a->rejected, b->rejected);
    assert_int_equal(a->bars, b->bars);
    assert_int_equal(a->run.n_equity, b->run.n_equity);
    assert_memory_equal(a->run.equity, b->run.equity, a->run.n_equity * sizeof(*a->run.equity));
    assert_int_equal(a->run.n_fills, b->run.n_fills);
    for (size_t k = 0; k < a->run.n_fills; k++) {
        const struct tc_run_fill *x = &a->run.fills[k], *y = &b->run.fills[k];
        assert_int_equal(x->day, y->day);
        assert_string_equal(x->instrument_id, y->instrument_id);
        assert_int_equal(x->side, y->side);
        assert_int_equal(x->quantity.raw, y->quantity.raw);
        assert_int_equal(x->price.raw, y->price.raw);
        assert_int_equal(x->commission.raw, y->commission.raw);
    }
    assert_int_equal(a->run.n_trades, b->run.n_trades);
    for (size_t k = 0; k < a->run.n_trades; k++) {
        const struct tc_run_trade *x = &a->run.trades[k], *y = &b->run.trades[k];
        assert_string_equal(x->instrument_id, y->instrument_id);
        assert_int_equal(x->entry_day, y->entry_day);
        assert_int_equal(x->exit_day, y->exit_day);
        assert_int_equal(x->quantity.raw, y->quantity.raw);
        assert_int_equal(x->entry_price.raw, y->entry_price.raw);
        assert_int_equal(x->exit_price.raw, y->exit_price.raw);
        assert_int_equal(x->net_pnl.raw, y->net_pnl.raw);
    }
    assert_int_equal(a->metrics.final_cash.raw, b->metrics.final_cash.raw);
}

/* The built-in strategies through the runner's session path (on_session,
 * column-wise indicators) and through the per-bar path (the same classes
 * without on_session: the context feeds on_bars/on_bar, streaming
 * indicators): identical runs to the last decimal, on ORCL, YHOO, NVDA and
 * generated bars together. */
static void test_session_path_matches_bar_path(void **state)
{
    char path[1024];
    static const char *const files[] = {"orcl-1995-2014.txt", "yhoo-1996-2014.txt",
                                        "nvda-1999-2014.txt"};
    static const char *const sma_fast[] = {"fast=3", "slow=12", NULL};
    static const char *const don_fast[] = {"entry=10", "exit=5", "atr=7", NULL};
    struct tc_bar_set set[3];
    struct tc_bar_series series[5];
    const struct {
        const char *cls;
        const char *const *kv;
    } cases[] = {{"sma_cross", NULL}, {"sma_cross", sma_fast}, {"donchian", NULL},
                 {"donchian", don_fast}};
    struct tc_error err = {0};

    for (size_t k = 0; k < 3; k++) {
        memset(&set[k], 0, sizeof(set[k]));
        snprintf(path, sizeof(path), "%s/%s", tc_test_data(), files[k]);
        load(path, &set[k]);
        series[k] = set[k].items[0];
    }
    tc_test_random_walk(&series[3], "GEN1", 3, 4000, 9500, TC_TEST_WALK_OPEN_AT_CLOSE);
    tc_test_random_walk(&series[4], "GEN2", 11, 4000, 9600, TC_TEST_WALK_OPEN_AT_CLOSE);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct tc_backtest_strategy s;
        struct tc_strategy_class per_bar;
        struct tc_backtest_config cfg;
        struct tc_backtest_result r1, r2;
        tc_test_bt_strategy(&s, cases[c].cls, cases[c].kv);
        per_bar = *s.params.cls;
        per_bar.on_session = NULL;
        tc_test_bt_config(&cfg, &s, 1, series, 5);
        cfg.from_day = tc_days_from_civil(1998, 1, 1);
        cfg.to_day = tc_days_from_civil(2004, 12, 31);
        cfg.sim.commission = TC_SIM_COMM_FRACTION;
        cfg.sim.comm_rate = D("0.0005");
        tc_assert_ok(tc_backtest_run(&cfg, &r1, &err), &err);
        s.params.cls = &per_bar;
        tc_assert_ok(tc_backtest_run(&cfg, &r2, &err), &err);
        assert_true(r1.run.n_fills > 20);
        assert_same_runs(&r1, &r2);
        tc_backtest_result_release(&r1);
        tc_backtest_result_release(&r2);
    }
    for (size_t k = 0; k < 3; k++)
        tc_bar_set_release(&set[k]);
    tc_bar_series_release(&series[3]);
    tc_bar_series_release(&series[4]);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    *n = fread(buf, 1, (size_t)len, f);
    fclose(f);
    return buf;
}

static void assert_same_files(const char *a, const char *b)
{
    static const char *const names[] = {"summary.json", "fills.csv", "trades.csv", "equity.csv",
                                        "report.html"};
    for (size_t k = 0; k < 5; k++) {
        char pa[1200], pb[1200];
        size_t na = 0, nb = 0;
        char *x, *y;
        snprintf(pa, sizeof(pa), "%s/%s", a, names[k]);
        snprintf(pb, sizeof(pb), "%s/%s", b, names[k]);
        x = slurp(pa, &na);
        y = slurp(pb, &nb);
        if (!x || !y)
            fail_msg("missing %s or %s", pa, pb);
        assert_true(na > 0);
        if (na != nb || memcmp(x, y, na) != 0)
            fail_msg("%s and %s differ", pa, pb);
        free(x);
        free(y);
    }
}

static void run_to_dir(struct tc_backtest_config *cfg, const char *dir,
                       struct tc_backtest_result *res)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_backtest_run(cfg, res, &err), &err);
    tc_assert_ok(tc_backtest_write_report(res, dir, "test", &err), &err);
}

/* Bars after the end date change nothing: a series cut at --to and the whole
 * series run with to_day give the same results and the same files. */
static void test_bars_after_end_change_nothing(void **state)
{
    char path[1024], tmp[512], d1[600], d2[600];
    struct tc_bar_set set = {0};
    struct tc_bar_series cut;
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result r1, r2;
    struct tc_error err = {0};
    const int64_t to = tc_days_from_civil(2005, 6, 30);
    static const char *const kv[] = {"entry=20", "exit=10", NULL};

    orcl_path(path, sizeof(path));
    load(path, &set);
    tc_bar_series_init(&cut, "ORCL");
    for (size_t k = 0; k < set.items[0].n && set.items[0].day[k] <= to; k++) {
        struct tc_bar b;
        tc_bar_series_get(&set.items[0], k, &b);
        tc_assert_ok(tc_bar_series_append(&cut, &b, &err), &err);
    }
    assert_true(cut.n < set.items[0].n);
    assert_int_equal(tc_test_tmpdir("bt_cut", tmp, sizeof(tmp)), 0);
    snprintf(d1, sizeof(d1), "%s/cut", tmp);
    snprintf(d2, sizeof(d2), "%s/whole", tmp);
    tc_test_bt_strategy(&s, "donchian", kv);
    tc_backtest_config_init(&cfg);
    cfg.strategies = &s;
    cfg.n_strategies = 1;
    cfg.sim.commission = TC_SIM_COMM_FRACTION;
    cfg.sim.comm_rate = D("0.0005");
    tc_calendar_get("XNYS", &cfg.calendar, &err);
    cfg.series = &cut;
    cfg.n_series = 1;
    run_to_dir(&cfg, d1, &r1);
    cfg.series = set.items;
    cfg.to_day = to;
    run_to_dir(&cfg, d2, &r2);
    assert_true(r1.run.n_fills > 4);
    assert_string_equal(r1.run_id, r2.run_id);
    assert_int_equal(r1.run.n_equity, r2.run.n_equity);
    assert_memory_equal(r1.run.equity, r2.run.equity, r1.run.n_equity * sizeof(*r1.run.equity));
    assert_int_equal(r1.run.n_fills, r2.run.n_fills);
    assert_memory_equal(r1.run.fills, r2.run.fills, r1.run.n_fills * sizeof(*r1.run.fills));
    assert_int_equal(r1.run.n_trades, r2.run.n_trades);
    assert_same_files(d1, d2);
    assert_day(r2.last_day, "2005-06-30");
    tc_backtest_result_release(&r1);
    tc_backtest_result_release(&r2);
    tc_bar_series_release(&cut);
    tc_bar_set_release(&set);
}

/* Two runs of the same inputs write byte-identical files. */
static void test_deterministic(void **state)
{
    char p1[1024], p2[1024], tmp[512], d1[600], d2[600];
    struct tc_bar_set a = {0}, b = {0};
    struct tc_bar_series series[2];
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result r1, r2;
    struct tc_error err = {0};

    snprintf(p1, sizeof(p1), "%s/orcl-1995-2014.txt", tc_test_data());
    snprintf(p2, sizeof(p2), "%s/nvda-1999-2014.txt", tc_test_data());
    load(p1, &a);
    load(p2, &b);
    series[0] = a.items[0];
    series[1] = b.items[0];
    assert_int_equal(tc_test_tmpdir("bt_det", tmp, sizeof(tmp)), 0);
    snprintf(d1, sizeof(d1), "%s/one", tmp);
    snprintf(d2, sizeof(d2), "%s/two", tmp);
    tc_test_bt_strategy(&s, "donchian", NULL);
    tc_test_bt_config(&cfg, &s, 1, series, 2);
    cfg.sim.commission = TC_SIM_COMM_FRACTION;
    cfg.sim.comm_rate = D("0.001");
    cfg.sim.slippage = TC_SIM_SLIP_FRACTION;
    cfg.sim.slippage_value = D("0.0005");
    tc_calendar_get("XNYS", &cfg.calendar, &err);
    run_to_dir(&cfg, d1, &r1);
    run_to_dir(&cfg, d2, &r2);
    assert_true(r1.run.n_trades > 10);
    assert_string_equal(r1.run_id, r2.run_id);
    assert_int_equal(strncmp(r1.run_id, "bt-", 3), 0);
    assert_int_equal(strlen(r1.run_id), 19);
    assert_same_files(d1, d2);
    /* another parameter value is another run */
    tc_assert_ok(tc_strategy_params_set(&s.params, "entry", "30", &err), &err);
    {
        struct tc_backtest_result r3;
        tc_assert_ok(tc_backtest_run(&cfg, &r3, &err), &err);
        assert_string_not_equal(r3.run_id, r1.run_id);
        tc_backtest_result_release(&r3);
    }
    tc_backtest_result_release(&r1);
    tc_backtest_result_release(&r2);
    tc_bar_set_release(&a);
    tc_bar_set_release(&b);
}

/* ---- donchian by hand ---------------------------------------------------------------- */

/*
 * entry 3, exit 2, atr 2, stop_atr 2, pyramid_atr 1, max_pyramids 1,
 * risk 0.01, cash 10000, no commission; days 2024-01-01 + k:
 *   k  O     H     L     C     TR    ATR(2)
 *   0  10    10.5  9.5   10    1     -
 *   1  10    10.5  9.5   10    1     1          (mean of 1, 1)
 *   2  10    10.5  9.5   10    1     1
 *   3  10.5  11.5  10.5  11.2  1.5   1.25       close 11.2 > 10.5, the high of
 *        k 0..2: BASE_ENTRY at 11.2, stop 11.2 - 2 x 1.25 = 8.7; the ledger
 *        sizes floor(10000 x 0.01 / 2.5) = 40
 *   4  11.5  12    11.3  11.9  0.8   1.025      entry fills at 11.5; 11.9 is
 *        below 11.2 + 1.025: no pyramid; low 11.3 > 8.7; close > 9.5 (low k 2..3)
 *   5  12    13    11.9  12.8  1.1   1.0625     12.8 >= 11.2 + 1.0625: PYRAMID at
 *        12.8 with stop 12.8 - 2.125 = 10.675 (40 more), STOP_UPDATE to 10.675
 *   6  12.9  13.1  12.5  12.6  0.6   0.83125    the pyramid fills at 12.9
 *   7  12.4  12.5  10.5  11    1.5              low 10.5 <= 10.675: EXIT
 *   8  10.8  11    10.4  10.6                   both layers leave at 10.8:
 *        (10.8 - 11.5) x 40 + (10.8 - 12.9) x 40 = -28 - 84 = -112
 * Equity at k 4: 10000 + 40 x (11.9 - 11.5) = 10016; at k 6: 10000 + 40 x
 * (12.6 - 11.5) + 40 x (12.6 - 12.9) = 10032; cash at the end 9888.
 * The bars and parameters (also run_with_bad_bar's "TURT"):
 */
static const char *const donchian_bars[9][4] = {
    {"10", "10.5", "9.5", "10"},     {"10", "10.5", "9.5", "10"},
    {"10", "10.5", "9.5", "10"},     {"10.5", "11.5", "10.5", "11.2"},
    {"11.5", "12", "11.3", "11.9"},  {"12", "13", "11.9", "12.8"},
    {"12.9", "13.1", "12.5", "12.6"}, {"12.4", "12.5", "10.5", "11"},
    {"10.8", "11", "10.4", "10.6"},
};
static const char *const donchian_kv[] = {"entry=3",       "exit=2",         "atr=2",
                                          "stop_atr=2",    "pyramid_atr=1",  "max_pyramids=1",
                                          "risk=0.01",     NULL};

static void test_donchian_by_hand(void **state)
{
    struct tc_bar_series s;
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    const int64_t d0 = tc_days_from_civil(2024, 1, 1);

    tc_bar_series_init(&s, "TURT");
    tc_test_bt_append_ohlc(&s, d0, donchian_bars, 9);
    tc_test_bt_strategy(&st, "donchian", donchian_kv);
    tc_test_bt_config(&cfg, &st, 1, &s, 1);
    cfg.cash = D("10000");
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);

    assert_int_equal(res.signals, 4);   /* entry, pyramid, stop update, exit */
    assert_int_equal(res.accepted, 4);
    assert_int_equal(res.run.n_fills, 4);
    tc_test_bt_assert_fill(&res, 0, d0 + 4, 'B', "40", "11.5");
    tc_test_bt_assert_fill(&res, 1, d0 + 6, 'B', "40", "12.9");
    for (size_t k = 2; k < 4; k++)
        tc_test_bt_assert_fill(&res, k, d0 + 8, 'S', "40", "10.8");
    assert_int_equal(res.run.n_trades, 2);
    assert_int_equal(res.run.trades[0].entry_day, d0 + 4);
    assert_int_equal(res.run.trades[0].exit_day, d0 + 8);
    tc_test_assert_dec(res.run.trades[0].entry_price, "11.5");
    tc_test_assert_dec(res.run.trades[0].gross_pnl, "-28");
    assert_int_equal(res.run.trades[1].entry_day, d0 + 6);
    tc_test_assert_dec(res.run.trades[1].entry_price, "12.9");
    tc_test_assert_dec(res.run.trades[1].gross_pnl, "-84");
    tc_test_assert_dec(res.run.equity[3].equity, "10000");
    tc_test_assert_dec(res.run.equity[4].equity, "10016");
    tc_test_assert_dec(res.run.equity[4].exposure, "476");
    tc_test_assert_dec(res.run.equity[6].equity, "10032");
    tc_test_assert_dec(res.run.equity[6].exposure, "1008");
    tc_test_assert_dec(res.run.equity[8].equity, "9888");
    tc_test_assert_dec(res.run.equity[8].cash, "9888");
    tc_test_assert_dec(res.metrics.final_cash, "9888");
    tc_backtest_result_release(&res);
    tc_bar_series_release(&s);
}

/* Two instances of sma_cross in one portfolio: the second's entries are the
 * ledger's rejections (one base per instrument), the fills are those of one. */
static void test_two_strategies_one_portfolio(void **state)
{
    char path[1024];
    struct tc_bar_set set = {0};
    struct tc_backtest_strategy s[3];
    struct tc_backtest_config cfg;
    struct tc_backtest_result one, two;
    struct tc_error err = {0};

    orcl_path(path, sizeof(path));
    load(path, &set);
    tc_test_bt_strategy(&s[0], "sma_cross", NULL);
    tc_test_bt_strategy(&s[1], "sma_cross", NULL);
    tc_test_bt_strategy(&s[2], "donchian", NULL);
    snprintf(s[1].name, sizeof(s[1].name), "copy");
    s[2].enabled = 0;
    tc_test_bt_config(&cfg, s, 1, set.items, 1);
    cfg.to_day = tc_days_from_civil(2000, 12, 31);
    tc_assert_ok(tc_backtest_run(&cfg, &one, &err), &err);
    cfg.n_strategies = 3;
    tc_assert_ok(tc_backtest_run(&cfg, &two, &err), &err);
    assert_int_equal(two.run.n_fills, one.run.n_fills);
    assert_memory_equal(two.run.fills, one.run.fills, one.run.n_fills * sizeof(*one.run.fills));
    assert_int_equal(two.accepted, one.accepted);
    /* the copy sees the position the first opened and sends no entry, but its
     * exits follow the first's and find the exit in flight: one per exit */
    assert_int_equal(two.rejected, one.accepted / 2);
    assert_non_null(strstr(two.params_json, "\"name\":\"copy\""));
    assert_non_null(strstr(two.params_json, "\"strategy\":\"donchian\",\"enabled\":false"));
    tc_backtest_result_release(&one);
    tc_backtest_result_release(&two);
    tc_bar_set_release(&set);
}

static int count_cb(const struct tc_row *row, void *ud)
{
    return tc_row_int(row, 0, ud);
}

static int64_t count_rows(struct tc_store *st, const char *sql)
{
    struct tc_val v[] = {TC_V_TEXT("orcl-run-1")};
    struct tc_error err = {0};
    int64_t n = -1;
    tc_assert_ok(tc_store_exec(st, sql, v, 1, count_cb, &n, NULL, &err), &err);
    return n;
}

/* ---- the callbacks a strategy gets -------------------------------------------------- */

static struct {
    int started, stopped, bars;
    struct tc_strategy_fill fills[8];
    int nfills;
    struct tc_strategy_position pos_after_entry;
    int64_t day_of_bar[16];
} rec;

static int rec_start(struct tc_strategy_ctx *ctx, void *st, struct tc_error *err)
{
    rec.started++;
    return 0;
}

static void rec_stop(struct tc_strategy_ctx *ctx, void *st) { rec.stopped++; }

/* bar 0: BASE_ENTRY 10 units; bar 2: EXIT; records the position at bar 1. */
static int rec_bar(struct tc_strategy_ctx *ctx, void *st, size_t ix, const struct tc_bar *bar,
                   struct tc_error *err)
{
    int n = rec.bars++;

    if (n < 16)
        rec.day_of_bar[n] = bar->day;
    if (n == 1)
        return tc_strategy_position(ctx, ix, &rec.pos_after_entry, err);
    if (n != 0 && n != 2)
        return 0;
    return tc_test_bt_signal(ctx, n == 0 ? TC_SIGNAL_BASE_ENTRY : TC_SIGNAL_EXIT, ix,
                             TC_SIDE_LONG, bar, n == 0 ? "10" : NULL, err);
}

static int rec_fill(struct tc_strategy_ctx *ctx, void *st, const struct tc_strategy_fill *f,
                    struct tc_error *err)
{
    if (rec.nfills < 8)
        rec.fills[rec.nfills++] = *f;
    /* on_fill comes before the session's on_bar */
    if (f->day != tc_strategy_day(ctx))
        return tc_error_set(err, TC_ESTATE, "fill of another day");
    return 0;
}

static const struct tc_strategy_class recorder = {
    .name = "recorder",
    .summary = "enters, exits, records",
    .state_size = 8,
    .on_start = rec_start,
    .on_bar = rec_bar,
    .on_fill = rec_fill,
    .on_stop = rec_stop,
};

struct prog {
    size_t calls, last_done, last_total;
};

static void on_progress(void *ud, size_t done, size_t total)
{
    struct prog *p = ud;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static void test_strategy_callbacks(void **state)
{
    char path[1024];
    struct tc_bar_set set = {0};
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    struct prog pg = {0};
    const struct tc_bar_series *o;

    orcl_path(path, sizeof(path));
    load(path, &set);
    o = &set.items[0];
    memset(&rec, 0, sizeof(rec));
    tc_test_bt_strategy_of(&s, &recorder, NULL);
    tc_test_bt_config(&cfg, &s, 1, set.items, 1);
    cfg.to_day = o->day[9];
    cfg.progress = on_progress;
    cfg.progress_ud = &pg;
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_int_equal(rec.started, 1);
    assert_int_equal(rec.stopped, 1);
    assert_int_equal(rec.bars, 10);
    assert_int_equal(rec.day_of_bar[0], o->day[0]);
    assert_int_equal(rec.day_of_bar[9], o->day[9]);
    /* the entry decided on bar 0 filled at bar 1's open, before bar 1's on_bar */
    assert_int_equal(rec.nfills, 2);
    assert_int_equal(rec.fills[0].ix, 0);
    assert_int_equal(rec.fills[0].day, o->day[1]);
    assert_int_equal(rec.fills[0].side, TC_ORDER_BUY);
    assert_int_equal(rec.fills[0].price.raw, o->open[1].raw);
    tc_test_assert_dec(rec.fills[0].quantity, "10");
    assert_int_equal(rec.fills[1].day, o->day[3]);
    assert_int_equal(rec.fills[1].side, TC_ORDER_SELL);
    assert_int_equal(rec.fills[1].price.raw, o->open[3].raw);
    assert_int_equal(rec.pos_after_entry.layers, 1);
    assert_int_equal(rec.pos_after_entry.side, TC_SIDE_LONG);
    tc_test_assert_dec(rec.pos_after_entry.quantity, "10");
    assert_int_equal(rec.pos_after_entry.entry_price.raw, o->open[1].raw);
    assert_int_equal(res.run.n_trades, 1);
    assert_int_equal(res.run.trades[0].gross_pnl.raw, (o->open[3].raw - o->open[1].raw) * 10);
    /* equity at bar 2's close marks the open position at that close */
    assert_int_equal(res.run.equity[2].equity.raw,
                     INT64_C(100000) * TC_DEC_ONE + (o->close[2].raw - o->open[1].raw) * 10);
    assert_int_equal(res.run.equity[2].exposure.raw, o->close[2].raw * 10);
    assert_int_equal(res.run.equity[3].exposure.raw, 0);
    /* progress: every session (10 < 100), then the end once more */
    assert_int_equal(pg.calls, 11);
    assert_int_equal(pg.last_done, 10);
    assert_int_equal(pg.last_total, 10);
    tc_backtest_result_release(&res);
    tc_bar_set_release(&set);
}

/* A run kept in a store: its rows carry the run id; the same run id again is
 * refused and changes nothing. */
static void test_stored_run(void **state)
{
    char path[1024], tmp[512], url[700];
    struct tc_bar_set set = {0};
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_store *st = NULL;
    struct tc_error err = {0};
    int64_t n1 = 0, n2 = 0;

    orcl_path(path, sizeof(path));
    load(path, &set);
    assert_int_equal(tc_test_tmpdir("bt_store", tmp, sizeof(tmp)), 0);
    snprintf(url, sizeof(url), "sqlite:%s/runtime.db", tmp);
    tc_assert_ok(tc_store_open(url, NULL, &st, &err), &err);
    tc_assert_ok(tc_migrate_latest(st, "runtime", &err), &err);
    tc_test_bt_strategy(&s, "sma_cross", NULL);
    tc_test_bt_config(&cfg, &s, 1, set.items, 1);
    cfg.to_day = tc_days_from_civil(1997, 12, 31);
    cfg.runtime = st;
    cfg.run_id = "orcl-run-1";
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_string_equal(res.run_id, "orcl-run-1");
    assert_true(res.run.n_fills > 0);
    n1 = count_rows(st, "SELECT COUNT(*) FROM signal_log WHERE run_id = $1 AND mode = 'BACKTEST'");
    assert_int_equal(n1, (int64_t)res.signals);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM orders WHERE run_id = $1"),
                     (int64_t)res.run.n_fills);
    assert_int_equal(count_rows(st, "SELECT COUNT(*) FROM trades t JOIN positions p ON "
                                    "p.position_id = t.position_id WHERE p.portfolio_id = $1"),
                     (int64_t)res.run.n_trades);
    tc_backtest_result_release(&res);
    assert_int_equal(tc_backtest_run(&cfg, &res, &err), TC_ECONFLICT);
    assert_string_equal(err.msg,
                        "run \"orcl-run-1\" is already in the runtime store (give another run id)");
    tc_backtest_result_release(&res);
    n2 = count_rows(st, "SELECT COUNT(*) FROM signal_log WHERE run_id = $1");
    assert_int_equal(n2, n1);
    tc_store_close(st);
    tc_bar_set_release(&set);
}

/* The in-memory ledger (no runtime store: no SQL) and the ledger on a sqlite
 * runtime store run the same decision code: for each case (one strategy,
 * two strategies with pyramids and commission, fill at close with a volume
 * cap) over ORCL, YHOO and NVDA, the two runs have the same counts and write
 * byte-identical report files. */
static void test_memory_ledger_equals_stored(void **state)
{
    static const char *const files[] = {"orcl-1995-2014.txt", "yhoo-1996-2014.txt",
                                        "nvda-1999-2014.txt"};
    static const char *const don[] = {"entry=10", "exit=30", "atr=7", "max_pyramids=4", NULL};
    static const char *const sma[] = {"fast=3", "slow=20", NULL};
    struct tc_bar_set set[3];
    struct tc_bar_series series[3];
    struct tc_backtest_strategy s[2];
    char tmp[512];

    (void)state;
    for (size_t k = 0; k < 3; k++) {
        char path[1024];
        memset(&set[k], 0, sizeof(set[k]));
        snprintf(path, sizeof(path), "%s/%s", tc_test_data(), files[k]);
        load(path, &set[k]);
        series[k] = set[k].items[0];
    }
    assert_int_equal(tc_test_tmpdir("bt_memstore", tmp, sizeof(tmp)), 0);
    tc_test_bt_strategy(&s[0], "donchian", don);
    tc_test_bt_strategy(&s[1], "sma_cross", sma);
    for (int c = 0; c < 3; c++) {
        struct tc_backtest_config cfg;
        struct tc_backtest_result mem, stored;
        struct tc_store *st = NULL;
        struct tc_error err = {0};
        char url[700], dm[600], ds[600];

        tc_test_bt_config(&cfg, c == 0 ? &s[1] : s, c == 0 ? 1 : 2, series, 3);
        cfg.to_day = tc_days_from_civil(2008, 12, 31);
        if (c >= 1) {
            cfg.sim.commission = TC_SIM_COMM_FRACTION;
            cfg.sim.comm_rate = D("0.001");
        }
        if (c == 2) {
            cfg.sim.fill_at = TC_SIM_FILL_CLOSE;
            cfg.sim.volume_cap = D("0.0001");
        }
        snprintf(dm, sizeof(dm), "%s/mem%d", tmp, c);
        snprintf(ds, sizeof(ds), "%s/stored%d", tmp, c);
        run_to_dir(&cfg, dm, &mem);
        snprintf(url, sizeof(url), "sqlite:%s/runtime%d.db", tmp, c);
        tc_assert_ok(tc_store_open(url, NULL, &st, &err), &err);
        tc_assert_ok(tc_migrate_latest(st, "runtime", &err), &err);
        cfg.runtime = st;
        run_to_dir(&cfg, ds, &stored);
        assert_true(mem.run.n_fills > 10);
        assert_string_equal(mem.run_id, stored.run_id);
        assert_int_equal(mem.signals, stored.signals);
        assert_int_equal(mem.accepted, stored.accepted);
        assert_int_equal(mem.rejected, stored.rejected);
        assert_int_equal(mem.run.n_fills, stored.run.n_fills);
        assert_int_equal(mem.run.n_trades, stored.run.n_trades);
        if (c == 1)
            assert_true(mem.rejected > 0); /* pyramids refused over the maximum, ... */
        assert_same_files(dm, ds);
        tc_backtest_result_release(&mem);
        tc_backtest_result_release(&stored);
        tc_store_close(st);
    }
    for (size_t k = 0; k < 3; k++)
        tc_bar_set_release(&set[k]);
}

/* The runner's book against the ledger: at the end of a run with positions
 * still open (several strategies, pyramids), the last equity point is what
 * the ledger's open positions give at the last closes. */
struct open_pos {
    char instrument[TC_ID_BUFSZ];
    struct tc_dec quantity, entry, multiplier;
    int short_side;
};

struct open_list {
    struct open_pos p[256];
    size_t n;
};

static int open_cb(const struct tc_row *row, void *ud)
{
    struct open_list *l = ud;
    const char *inst = NULL, *side = NULL;
    struct open_pos *p;
    if (l->n == 256)
        return TC_ENOSPC;
    p = &l->p[l->n++];
    tc_row_text(row, 0, &inst);
    tc_row_text(row, 1, &side);
    snprintf(p->instrument, sizeof(p->instrument), "%s", inst ? inst : "");
    p->short_side = side && strcmp(side, "SHORT") == 0;
    tc_row_dec(row, 2, &p->quantity);
    tc_row_dec(row, 3, &p->entry);
    tc_row_dec(row, 4, &p->multiplier);
    return 0;
}

static void test_book_matches_ledger(void **state)
{
    char tmp[512], url[700];
    static const char *const files[] = {"orcl-1995-2014.txt", "yhoo-1996-2014.txt",
                                        "nvda-1999-2014.txt"};
    static const char *const don[] = {"entry=10", "exit=30", "atr=7", "max_pyramids=4", NULL};
    static const char *const sma[] = {"fast=3", "slow=20", NULL};
    struct tc_bar_set set[3];
    struct tc_bar_series series[3];
    struct tc_backtest_strategy s[2];
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_store *st = NULL;
    struct tc_error err = {0};
    struct open_list l;
    struct tc_dec eq, expo = TC_DEC_ZERO;
    size_t filled = 0;

    for (size_t k = 0; k < 3; k++) {
        char path[1024];
        memset(&set[k], 0, sizeof(set[k]));
        snprintf(path, sizeof(path), "%s/%s", tc_test_data(), files[k]);
        load(path, &set[k]);
        series[k] = set[k].items[0];
    }
    assert_int_equal(tc_test_tmpdir("bt_book", tmp, sizeof(tmp)), 0);
    snprintf(url, sizeof(url), "sqlite:%s/runtime.db", tmp);
    tc_assert_ok(tc_store_open(url, NULL, &st, &err), &err);
    tc_assert_ok(tc_migrate_latest(st, "runtime", &err), &err);
    tc_test_bt_strategy(&s[0], "donchian", don);
    tc_test_bt_strategy(&s[1], "sma_cross", sma);
    tc_test_bt_config(&cfg, s, 2, series, 3);
    cfg.to_day = tc_days_from_civil(2006, 3, 15);
    cfg.runtime = st;
    cfg.run_id = "book-run-1";
    cfg.sim.commission = TC_SIM_COMM_FRACTION;
    cfg.sim.comm_rate = D("0.001");
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    memset(&l, 0, sizeof(l));
    {
        struct tc_val v[] = {TC_V_TEXT("book-run-1")};
        tc_assert_ok(tc_store_exec(st,
                                   "SELECT instrument_id, side, quantity, entry_price, multiplier "
                                   "FROM positions WHERE portfolio_id = $1 AND status <> 'closed' "
                                   "ORDER BY instrument_id, position_id",
                                   v, 1, open_cb, &l, NULL, &err),
                     &err);
    }
    const struct tc_equity_point *last = &res.run.equity[res.run.n_equity - 1];
    eq = last->cash;
    for (size_t k = 0; k < 3; k++) {
        struct tc_dec units = TC_DEC_ZERO, cost = TC_DEC_ZERO, v, a;
        long at = tc_bar_series_find(&series[k], cfg.to_day);
        assert_true(at >= 0);
        for (size_t j = 0; j < l.n; j++) {
            struct tc_dec u, c;
            if (strcmp(l.p[j].instrument, series[k].instrument_id) != 0)
                continue;
            filled += tc_dec_sign(l.p[j].quantity) > 0;
            assert_int_equal(tc_dec_mul(l.p[j].quantity, l.p[j].multiplier, TC_ROUND_HALF_EVEN,
                                        &u), 0);
            assert_int_equal(tc_dec_mul(u, l.p[j].entry, TC_ROUND_HALF_EVEN, &c), 0);
            if (l.p[j].short_side) {
                u.raw = -u.raw;
                c.raw = -c.raw;
            }
            units.raw += u.raw;
            cost.raw += c.raw;
        }
        assert_int_equal(tc_dec_mul(units, series[k].close[at], TC_ROUND_HALF_EVEN, &v), 0);
        a = tc_dec_from_raw(v.raw < 0 ? -v.raw : v.raw);
        expo.raw += a.raw;
        eq.raw += v.raw - cost.raw;
    }
    assert_true(filled >= 2); /* positions are open at the end */
    assert_int_equal(last->equity.raw, eq.raw);
    assert_int_equal(last->exposure.raw, expo.raw);
    tc_backtest_result_release(&res);
    tc_store_close(st);
    for (size_t k = 0; k < 3; k++)
        tc_bar_set_release(&set[k]);
}

/* host side: a signal's instrument handle from its context (the host's
 * submit gets the signal only) */
static int nop_submit(void *ud, const struct tc_signal *sig, struct tc_signal_outcome *out,
                      struct tc_error *err)
{
    (void)ud, (void)sig, (void)err;
    memset(out, 0, sizeof(*out));
    out->status = TC_SIGNAL_ACCEPTED;
    return 0;
}

static int nop_position(void *ud, size_t ix, struct tc_strategy_position *out,
                        struct tc_error *err)
{
    (void)ud, (void)ix, (void)err;
    memset(out, 0, sizeof(*out));
    return 0;
}

static void test_signal_handle(void **state)
{
    struct tc_bar_series s[3];
    struct tc_tm *tm = NULL;
    struct tc_strategy_ctx *ctx = NULL;
    struct tc_strategy_params p;
    const struct tc_strategy_class *cls;
    struct tc_strategy_host host = {nop_submit, nop_position, NULL};
    struct tc_signal sig;
    struct tc_error err = {0};
    size_t ix = 99;

    (void)state;
    const int64_t d0 = tc_days_from_civil(2024, 1, 1);
    tc_test_random_walk(&s[0], "BBB", 1, 10, d0, TC_TEST_WALK_OPEN_AT_CLOSE);
    tc_test_random_walk(&s[1], "AAA", 2, 10, d0, TC_TEST_WALK_OPEN_AT_CLOSE);
    tc_test_random_walk(&s[2], "CCC", 3, 10, d0, TC_TEST_WALK_OPEN_AT_CLOSE);
    tc_assert_ok(tc_tm_new(NULL, &tm, &err), &err);
    for (size_t k = 0; k < 3; k++)
        tc_assert_ok(tc_tm_add_series(tm, &s[k], NULL, &err), &err);
    tc_assert_ok(tc_strategy_lookup("sma_cross", &cls, &err), &err);
    tc_strategy_params_init(&p, cls);
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "st", "pf.0", &host, &ctx, &err), &err);

    /* the handle it was made with */
    tc_assert_ok(tc_strategy_signal_init(ctx, &sig, TC_SIGNAL_BASE_ENTRY, 2, TC_SIDE_LONG, &err),
                 &err);
    tc_assert_ok(tc_strategy_signal_ix(ctx, &sig, &ix, &err), &err);
    assert_int_equal(ix, 2);
    /* a signal renamed after it was made: the name's own handle */
    snprintf(sig.instrument, sizeof(sig.instrument), "%s", "BBB");
    tc_assert_ok(tc_strategy_signal_ix(ctx, &sig, &ix, &err), &err);
    assert_int_equal(ix, 0);
    snprintf(sig.instrument, sizeof(sig.instrument), "%s", "AAA");
    tc_assert_ok(tc_strategy_signal_ix(ctx, &sig, &ix, &err), &err);
    assert_int_equal(ix, 1);
    /* unknown, empty: not found, named, *IX unchanged */
    ix = 77;
    snprintf(sig.instrument, sizeof(sig.instrument), "%s", "ZZZ");
    assert_int_equal(tc_strategy_signal_ix(ctx, &sig, &ix, &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "\"ZZZ\" is not loaded"));
    sig.instrument[0] = '\0';
    assert_int_equal(tc_strategy_signal_ix(ctx, &sig, &ix, &err), TC_ENOTFOUND);
    assert_int_equal(ix, 77);
    /* NULL arguments */
    assert_int_equal(tc_strategy_signal_ix(NULL, &sig, &ix, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "NULL argument"));
    assert_int_equal(tc_strategy_signal_ix(ctx, NULL, &ix, &err), TC_EINVAL);
    assert_int_equal(tc_strategy_signal_ix(ctx, &sig, NULL, &err), TC_EINVAL);
    assert_int_equal(ix, 77);

    tc_strategy_ctx_free(ctx);
    tc_tm_free(tm);
    for (size_t k = 0; k < 3; k++)
        tc_bar_series_release(&s[k]);
}

static void test_bad_configs(void **state)
{
    char path[1024];
    struct tc_bar_set set = {0};
    struct tc_backtest_strategy s[2];
    struct tc_backtest_config cfg, base;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    struct tc_bar_series two[2];

    orcl_path(path, sizeof(path));
    load(path, &set);
    tc_test_bt_strategy(&s[0], "sma_cross", NULL);
    tc_test_bt_strategy(&s[1], "sma_cross", NULL);
    tc_test_bt_config(&base, s, 1, set.items, 1);

#define BAD(code, text)                                                                  \
    do {                                                                                 \
        tc_error_clear(&err);                                                            \
        assert_int_equal(tc_backtest_run(&cfg, &res, &err), code);                       \
        if (!strstr(err.msg, text))                                                      \
            fail_msg("message \"%s\" lacks \"%s\"", err.msg, text);                      \
        assert_int_equal(res.run.n_equity, 0);                                           \
        tc_backtest_result_release(&res);                                                \
    } while (0)

    cfg = base;
    cfg.n_series = 0;
    BAD(TC_EINVAL, "no price series given");
    cfg = base;
    cfg.n_strategies = 0;
    BAD(TC_EINVAL, "no strategy given");
    cfg = base;
    cfg.from_day = tc_days_from_civil(2010, 1, 2);
    cfg.to_day = tc_days_from_civil(2010, 1, 1);
    BAD(TC_EINVAL, "from 2010-01-02 is after to 2010-01-01");
    cfg = base;
    cfg.cash = D("-1");
    BAD(TC_EINVAL, "cash -1 must be positive");
    cfg = base;
    cfg.cash = TC_DEC_ZERO;
    BAD(TC_EINVAL, "cash 0 must be positive");
    cfg = base;
    cfg.run_id = "bad id";
    BAD(TC_EINVAL, "run id \"bad id\"");
    cfg = base;
    cfg.run_id = "a123456789012345678901234567890123";
    BAD(TC_EINVAL, "is longer than 32 characters");
    cfg = base;
    two[0] = set.items[0];
    two[1] = set.items[0];
    cfg.series = two;
    cfg.n_series = 2;
    BAD(TC_EINVAL, "instrument \"ORCL\" is given twice");
    cfg = base;
    cfg.n_strategies = 2;
    BAD(TC_EINVAL, "strategy name \"sma_cross\" is used twice");
    cfg = base;
    s[0].enabled = 0;
    BAD(TC_EINVAL, "every strategy is disabled");
    s[0].enabled = 1;
    cfg = base;
    tc_assert_ok(tc_strategy_params_set(&s[0].params, "fast", "40", &err), &err);
    BAD(TC_EINVAL, "parameter fast 40 must be below slow 30");
    tc_assert_ok(tc_strategy_params_set(&s[0].params, "fast", "10", &err), &err);
    cfg = base;
    cfg.from_day = tc_days_from_civil(2030, 1, 1);
    BAD(TC_ENOTFOUND, "no bars between 2030-01-01 and");
    cfg = base;
    tc_calendar_get("XETR", &cfg.calendar, &err);
    BAD(TC_ERANGE, "sessions of XETR");
    cfg = base;
    snprintf(s[0].name, sizeof(s[0].name), "a b");
    BAD(TC_EINVAL, "strategy name \"a b\"");
    s[0].name[0] = '\0';
    tc_bar_set_release(&set);
#undef BAD
}

/* FLAT's bar on B's day: 20 all day within 19.5..20.5 (B is overwritten). */
static void append_flat(struct tc_bar_series *s, struct tc_bar *b, struct tc_error *err)
{
    b->open = b->close = b->adj_close = D("20");
    b->high = D("20.5");
    b->low = D("19.5");
    tc_assert_ok(tc_bar_series_append(s, b, err), err);
}

/* Runs class CLS (params KV, cash CASH) over FLAT = S[0] and S[1], FLAT's
 * bar BAD (-1 none) made bad (low above high); releases both series. */
static int run_pair(struct tc_bar_series s[2], long bad, const char *cls, const char *const *kv,
                    const char *cash, struct tc_backtest_result *res, struct tc_error *err)
{
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    if (bad >= 0)
        s[0].low[bad] = D("21");
    tc_test_bt_strategy(&st, cls, kv);
    tc_test_bt_config(&cfg, &st, 1, s, 2);
    cfg.cash = D(cash);
    int rc = tc_backtest_run(&cfg, res, err);
    tc_bar_series_release(&s[0]);
    tc_bar_series_release(&s[1]);
    return rc;
}

/* The sessions without a calendar are the union of the series' days:
 * series with the same days as the one before (marked once), with the
 * same number of days but others, with one day more or less, a run of
 * them and one between; a from/to range that cuts them differently. */
static void test_sessions_union(void **state)
{
    static const int days[][8] = {
        {0, 1, 2, 4, -1},  {0, 1, 2, 4, -1},  {0, 1, 2, 4, -1}, /* the same three times */
        {0, 1, 2, 5, -1},                                    /* as many, the last differs */
        {1, 3, -1},        {1, 3, 9, -1},                    /* one more */
        {1, 3, -1},        {0, 1, 2, 4, -1},                 /* back to earlier ones */
        {7, -1},
    };
    enum { NS = sizeof(days) / sizeof(days[0]) };
    static const char *const kv[] = {"fast=2", "slow=3", "stake=1", NULL};
    const int64_t d0 = tc_days_from_civil(2024, 1, 1);
    (void)state;
    for (int ranged = 0; ranged < 2; ++ranged) {
        struct tc_bar_series s[NS];
        struct tc_backtest_strategy st;
        struct tc_backtest_config cfg;
        struct tc_backtest_result res;
        struct tc_error err = {0};
        int want[10] = {0}, nwant = 0;
        for (size_t k = 0; k < NS; k++) {
            char id[8];
            snprintf(id, sizeof(id), "S%zu", k);
            tc_bar_series_init(&s[k], id);
            for (size_t j = 0; days[k][j] >= 0; j++) {
                struct tc_bar b;
                memset(&b, 0, sizeof(b));
                b.day = d0 + days[k][j];
                b.volume = 1000;
                append_flat(&s[k], &b, &err);
                if (!ranged || (days[k][j] >= 1 && days[k][j] <= 5))
                    want[days[k][j]] = 1;
            }
        }
        tc_test_bt_strategy(&st, "sma_cross", kv);
        tc_test_bt_config(&cfg, &st, 1, s, NS);
        if (ranged) {
            cfg.from_day = d0 + 1;
            cfg.to_day = d0 + 5;
        }
        tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
        for (int d = 0; d < 10; d++)
            if (want[d]) {
                assert_true((size_t)nwant < res.run.n_equity);
                assert_int_equal(res.run.equity[nwant].day, d0 + d);
                nwant++;
            }
        assert_int_equal(res.run.n_equity, (size_t)nwant);
        assert_int_equal(res.sessions, (size_t)nwant);
        assert_int_equal(nwant, ranged ? 5 : 8);
        tc_backtest_result_release(&res);
        for (size_t k = 0; k < NS; k++)
            tc_bar_series_release(&s[k]);
    }
}

/* A zigzag "ZIG" that sma_cross 2/3 trades, on days 3..40 (day 20
 * missing when GAP), run with a flat "FLAT" (days 0..50 but those in SKIP,
 * a -1 ended list; NONE: ZIG alone) from FROM_DAY on (INT64_MIN: all):
 * the days the loop reads are the sessions' or the series' own. */
static int run_zig(int gap, const int *skip, int none, int64_t from_day,
                   struct tc_backtest_result *res, struct tc_error *err)
{
    static const char *const kv[] = {"fast=2", "slow=3", "stake=10", NULL};
    static const char *const zig[] = {"10", "11", "12", "11", "10", "9", "10", "12", "13", "12"};
    const int64_t d0 = tc_days_from_civil(2021, 3, 1);
    struct tc_bar_series s[2];
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    int rc;

    tc_bar_series_init(&s[0], "ZIG");
    tc_bar_series_init(&s[1], "FLAT");
    for (int d = 3; d <= 40; d++) {
        struct tc_bar b;
        if (gap && d == 20)
            continue;
        memset(&b, 0, sizeof(b));
        b.day = d0 + d;
        b.open = b.close = b.adj_close = D(zig[d % 10]);
        b.high = D("14");
        b.low = D("8");
        b.volume = 1000000;
        tc_assert_ok(tc_bar_series_append(&s[0], &b, err), err);
    }
    for (int d = 0; d <= 50; d++) {
        struct tc_bar b;
        int skipped = 0;
        for (const int *k = skip; *k >= 0; k++)
            skipped |= *k == d;
        if (skipped)
            continue;
        memset(&b, 0, sizeof(b));
        b.day = d0 + d;
        b.volume = 1000;
        append_flat(&s[1], &b, err);
    }
    tc_test_bt_strategy(&st, "sma_cross", kv);
    tc_test_bt_config(&cfg, &st, 1, s, none ? 1 : 2);
    cfg.from_day = from_day == INT64_MIN ? INT64_MIN : d0 + from_day;
    rc = tc_backtest_run(&cfg, res, err);
    tc_bar_series_release(&s[0]);
    tc_bar_series_release(&s[1]);
    return rc;
}

/* ZIG's fills, and each session's marks, are the same whether the loop
 * reads its days from the sessions (alone; inside a longer FLAT, starting
 * and ending within it; with days FLAT lacks outside or inside its range)
 * or from its own column
 * (a day FLAT has and ZIG lacks; a from day that cuts ZIG after the
 * sessions' start), as when ZIG runs alone from the same day. */
static void test_days_from_sessions(void **state)
{
    static const int no[] = {-1}, outside[] = {1, 45, -1}, inside[] = {10, 11, 30, -1};
    struct {
        int gap;
        const int *skip;
        int64_t from;
    } const runs[] = {
        {0, no, INT64_MIN}, {0, outside, INT64_MIN}, {0, inside, INT64_MIN},
        {1, no, INT64_MIN}, {1, inside, INT64_MIN},  {0, no, 2},
        {0, no, 5},         {1, inside, 5},          {1, outside, 2},
    };
    struct tc_error err = {0};
    (void)state;
    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        struct tc_backtest_result want, res;
        tc_assert_ok(run_zig(runs[r].gap, no, 1, runs[r].from, &want, &err), &err);
        assert_true(want.run.n_fills > 4);
        tc_assert_ok(run_zig(runs[r].gap, runs[r].skip, 0, runs[r].from, &res, &err), &err);
        assert_int_equal(res.run.n_fills, want.run.n_fills);
        for (size_t f = 0; f < res.run.n_fills; f++) {
            assert_int_equal(res.run.fills[f].day, want.run.fills[f].day);
            assert_int_equal(res.run.fills[f].price.raw, want.run.fills[f].price.raw);
            assert_int_equal(res.run.fills[f].quantity.raw, want.run.fills[f].quantity.raw);
            assert_string_equal(res.run.fills[f].instrument_id, "ZIG");
        }
        /* each session's marks are ZIG's alone of its last day up to that
         * session (FLAT never trades): ZIG's bars are fed on their own days */
        assert_true(want.run.n_equity > 0);
        assert_true(res.run.n_equity >= want.run.n_equity);
        for (size_t p = 0, w = 0; p < res.run.n_equity; p++) {
            const struct tc_equity_point *e = &res.run.equity[p];
            if (e->day < want.run.equity[0].day)
                continue;
            while (w + 1 < want.run.n_equity && want.run.equity[w + 1].day <= e->day)
                w++;
            assert_int_equal(e->equity.raw, want.run.equity[w].equity.raw);
            assert_int_equal(e->exposure.raw, want.run.equity[w].exposure.raw);
        }
        tc_backtest_result_release(&res);
        tc_backtest_result_release(&want);
    }
}

/* A flat "FLAT" with no signal, whose bar at BAD (a session offset, -1
 * none) has its low above its high (written into the columns, past
 * tc_bar_series_append's check), and the donchian bars of
 * test_donchian_by_hand as "TURT" (an entry order works on the session of
 * D0 + 4). FLAT comes first: its bars reach the broker before TURT's order
 * fills in the session. */
static int run_with_bad_bar(int bad, struct tc_backtest_result *res, struct tc_error *err)
{
    struct tc_bar_series s[2];
    const int64_t d0 = tc_days_from_civil(2024, 1, 1);

    tc_bar_series_init(&s[0], "FLAT");
    tc_bar_series_init(&s[1], "TURT");
    tc_test_bt_append_ohlc(&s[1], d0, donchian_bars, 9);
    for (size_t k = 0; k < 9; k++) {
        struct tc_bar b;
        memset(&b, 0, sizeof(b));
        b.day = d0 + (int64_t)k;
        b.volume = 1000000;
        append_flat(&s[0], &b, err);
    }
    return run_pair(s, bad, "donchian", donchian_kv, "10000", res, err);
}

/* The broker is given only the bars of instruments that may have a working
 * order, but a bar it would refuse is still given to it: a bad bar of an
 * instrument without orders fails the run while another instrument's order
 * works (the broker checks bars while it has orders), as when every bar was
 * given, and changes nothing while none works. */
static void test_bad_bar_of_an_idle_instrument(void **state)
{
    struct tc_backtest_result good, res;
    struct tc_error err = {0};

    tc_assert_ok(run_with_bad_bar(-1, &good, &err), &err);
    assert_int_equal(good.run.n_fills, 4);
    assert_int_equal(good.run.fills[0].day, tc_days_from_civil(2024, 1, 5));

    /* 2024-01-05: TURT's entry works (it fills at that open) */
    assert_int_equal(run_with_bad_bar(4, &res, &err), TC_EINVAL);
    assert_int_equal(err.code, TC_EINVAL);
    if (!strstr(err.msg, "sim broker: bar of \"FLAT\""))
        fail_msg("%s", err.msg);
    assert_non_null(strstr(err.msg, "2024-01-05"));
    assert_non_null(strstr(err.msg, "low 21 is above high 20.5"));
    tc_backtest_result_release(&res);

    /* 2024-01-02: nothing works yet, the broker sees no bar at all; the
     * strategy, which reads every instrument, is the one to refuse it */
    memset(&err, 0, sizeof(err));
    assert_int_equal(run_with_bad_bar(1, &res, &err), TC_EINVAL);
    assert_null(strstr(err.msg, "sim broker"));
    if (!strstr(err.msg, "atr: high 20.5 is below low 21"))
        fail_msg("%s", err.msg);
    tc_backtest_result_release(&res);
    tc_backtest_result_release(&good);
}

/* A flat "FLAT" whose bar BAD (-1 none) has its low above its high, and a
 * zigzag "ZIG" that sma_cross 2/3 trades often, over 700 sessions: far more
 * bars than the runner checks ahead of the session that needs them. */
static int run_long_with_bad_bar(long bad, struct tc_backtest_result *res, struct tc_error *err)
{
    static const char *const kv[] = {"fast=2", "slow=3", "stake=10", NULL};
    static const char *const zig[] = {"10", "11", "12", "11", "10", "9", "10", "12", "13", "12"};
    struct tc_bar_series s[2];
    const int64_t d0 = tc_days_from_civil(2020, 1, 1);

    tc_bar_series_init(&s[0], "FLAT");
    tc_bar_series_init(&s[1], "ZIG");
    for (size_t k = 0; k < 700; k++) {
        struct tc_bar b;
        memset(&b, 0, sizeof(b));
        b.day = d0 + (int64_t)k;
        b.open = b.close = b.adj_close = D(zig[k % 10]);
        b.high = D("14");
        b.low = D("8");
        b.volume = 1000000;
        tc_assert_ok(tc_bar_series_append(&s[1], &b, err), err);
        append_flat(&s[0], &b, err);
    }
    return run_pair(s, bad, "sma_cross", kv, "100000", res, err);
}

/* Bars known good are skipped without a look, but a bad bar far past the
 * first ones checked still fails the run on a session when an order works
 * (ZIG's market order fills that day, after FLAT's bar was given), and on
 * one when nothing works changes nothing at all. */
static void test_bad_bar_far_ahead(void **state)
{
    struct tc_backtest_result good, res;
    struct tc_error err = {0};
    long busy = -1, idle = -1;
    char date[TC_DATE_STRLEN];
    (void)state;

    tc_assert_ok(run_long_with_bad_bar(-1, &good, &err), &err);
    assert_true(good.run.n_fills > 100);
    /* a session past 600 with a fill, and one without a fill on it or the
     * next day */
    for (long j = 600; j < 690 && (busy < 0 || idle < 0); j++) {
        const int64_t day = tc_days_from_civil(2020, 1, 1) + j;
        int filled = 0, next = 0;
        for (size_t f = 0; f < good.run.n_fills; f++) {
            filled |= good.run.fills[f].day == day;
            next |= good.run.fills[f].day == day + 1;
        }
        if (filled && busy < 0)
            busy = j;
        if (!filled && !next && idle < 0)
            idle = j;
    }
    assert_true(busy > 0 && idle > 0);

    assert_int_equal(run_long_with_bad_bar(busy, &res, &err), TC_EINVAL);
    if (!strstr(err.msg, "sim broker: bar of \"FLAT\""))
        fail_msg("%s", err.msg);
    tc_date_format(tc_days_from_civil(2020, 1, 1) + busy, date);
    assert_non_null(strstr(err.msg, date));
    assert_non_null(strstr(err.msg, "low 21 is above high 20.5"));
    tc_backtest_result_release(&res);

    memset(&err, 0, sizeof(err));
    tc_assert_ok(run_long_with_bad_bar(idle, &res, &err), &err);
    assert_int_equal(res.run.n_fills, good.run.n_fills);
    assert_int_equal(res.run.n_trades, good.run.n_trades);
    assert_int_equal(res.run.equity[res.run.n_equity - 1].equity.raw,
                     good.run.equity[good.run.n_equity - 1].equity.raw);
    tc_backtest_result_release(&res);
    tc_backtest_result_release(&good);
}

/* The NST strategies of ST over the three series S with a cash of 1000000:
 * the run must succeed; its result into *RES. Releases S. */
static void run_three(const struct tc_backtest_strategy *st, size_t nst,
                      struct tc_bar_series s[3], struct tc_backtest_result *res)
{
    struct tc_backtest_config cfg;
    struct tc_error err = {0};

    tc_test_bt_config(&cfg, st, nst, s, 3);
    cfg.cash = D("1000000");
    tc_assert_ok(tc_backtest_run(&cfg, res, &err), &err);
    for (size_t k = 0; k < 3; k++)
        tc_bar_series_release(&s[k]);
}

/* sma_cross over three random walks, named by IDS: its result. */
static void run_named(const char *const ids[3], struct tc_backtest_result *res)
{
    static const char *const kv[] = {"fast=3", "slow=8", "stake=10", NULL};
    struct tc_bar_series s[3];
    struct tc_backtest_strategy st;

    for (size_t k = 0; k < 3; k++)
        tc_test_random_walk(&s[k], ids[k], 5 + k, 600, 9000, TC_TEST_WALK_OPEN_AT_CLOSE);
    tc_test_bt_strategy(&st, "sma_cross", kv);
    run_three(&st, 1, s, res);
}

/* Ids of 15 characters and of 17 that share their first 16 give the run of
 * short ids: the same fills, trades and equity, each fill and trade under
 * its own instrument (the runner's check of the instrument a position or a
 * fill names must not stop at a prefix). */
static void test_long_instrument_ids(void **state)
{
    static const char *const short_ids[] = {"AAA", "BBB", "CCC"};
    static const char *const long_ids[] = {"ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNOP1",
                                           "ABCDEFGHIJKLMNOP2"};
    struct tc_backtest_result a, b;
    (void)state;

    run_named(short_ids, &a);
    run_named(long_ids, &b);
    assert_true(a.run.n_fills > 20);
    assert_int_equal(a.run.n_fills, b.run.n_fills);
    assert_int_equal(a.run.n_trades, b.run.n_trades);
    for (size_t f = 0; f < a.run.n_fills; f++) {
        size_t k = 0;
        while (k < 3 && strcmp(a.run.fills[f].instrument_id, short_ids[k]) != 0)
            k++;
        assert_true(k < 3);
        assert_string_equal(b.run.fills[f].instrument_id, long_ids[k]);
        assert_int_equal(a.run.fills[f].day, b.run.fills[f].day);
        assert_int_equal(a.run.fills[f].side, b.run.fills[f].side);
        assert_int_equal(a.run.fills[f].price.raw, b.run.fills[f].price.raw);
        assert_int_equal(a.run.fills[f].quantity.raw, b.run.fills[f].quantity.raw);
    }
    for (size_t t = 0; t < a.run.n_trades; t++) {
        size_t k = 0;
        while (k < 3 && strcmp(a.run.trades[t].instrument_id, short_ids[k]) != 0)
            k++;
        assert_true(k < 3);
        assert_string_equal(b.run.trades[t].instrument_id, long_ids[k]);
        assert_int_equal(a.run.trades[t].net_pnl.raw, b.run.trades[t].net_pnl.raw);
    }
    for (size_t e = 0; e < a.run.n_equity; e++)
        assert_int_equal(a.run.equity[e].equity.raw, b.run.equity[e].equity.raw);
    tc_backtest_result_release(&a);
    tc_backtest_result_release(&b);
}

/* The first bar the simulator refuses is known from the run's start
 * (check_bars, from each series' cursor) and moved on as sessions pass: a
 * bad bar of FLAT on any of the first 40 sessions (the first bar of the
 * range included) or the last 5 fails the run exactly when ZIG has a fill
 * that day (an order works when FLAT's bar comes), naming FLAT's bar and
 * that day, and otherwise changes nothing. */
static void test_bad_bar_each_day(void **state)
{
    struct tc_backtest_result good, res;
    struct tc_error err = {0};
    char date[TC_DATE_STRLEN];
    int failed = 0, passed = 0;
    (void)state;

    tc_assert_ok(run_long_with_bad_bar(-1, &good, &err), &err);
    for (long j = 0; j < 700; j = j == 39 ? 695 : j + 1) {
        const int64_t day = tc_days_from_civil(2020, 1, 1) + j;
        int filled = 0;
        for (size_t f = 0; f < good.run.n_fills; f++)
            filled |= good.run.fills[f].day == day;
        memset(&err, 0, sizeof(err));
        if (filled) {
            assert_int_equal(run_long_with_bad_bar(j, &res, &err), TC_EINVAL);
            if (!strstr(err.msg, "sim broker: bar of \"FLAT\""))
                fail_msg("day %ld: %s", j, err.msg);
            tc_date_format(day, date);
            assert_non_null(strstr(err.msg, date));
            assert_non_null(strstr(err.msg, "low 21 is above high 20.5"));
            failed++;
        } else {
            tc_assert_ok(run_long_with_bad_bar(j, &res, &err), &err);
            assert_int_equal(res.run.n_fills, good.run.n_fills);
            assert_int_equal(res.run.n_trades, good.run.n_trades);
            for (size_t e = 0; e < res.run.n_equity; e++)
                assert_int_equal(res.run.equity[e].equity.raw, good.run.equity[e].equity.raw);
            passed++;
        }
        tc_backtest_result_release(&res);
    }
    /* both kinds of day met */
    assert_true(failed > 5 && passed > 5);
    tc_backtest_result_release(&good);
}

/* Trades of positions opened in the same session and closed in the same
 * session are listed by instrument, whichever strategy opened them first:
 * two sma_cross instances over three random walks (seeds where the second
 * takes a lower instrument in a session the first takes a higher one, and
 * both close together). */
static void run_random_walks(uint64_t seed, struct tc_backtest_result *res)
{
    static const char *const ids[] = {"RA", "RB", "RC"};
    static const char *const kv_a[] = {"fast=2", "slow=3", "stake=1", NULL};
    static const char *const kv_b[] = {"fast=2", "slow=5", "stake=1", NULL};
    struct tc_bar_series s[3];
    struct tc_backtest_strategy st[2];
    uint64_t x = seed;

    for (size_t k = 0; k < 3; k++) {
        tc_bar_series_init(&s[k], ids[k]);
        tc_test_bt_append_walk(&s[k], tc_days_from_civil(2021, 1, 1), 600, &x);
    }
    tc_test_bt_strategy(&st[0], "sma_cross", kv_a);
    tc_test_bt_strategy(&st[1], "sma_cross", kv_b);
    snprintf(st[0].name, sizeof(st[0].name), "a");
    snprintf(st[1].name, sizeof(st[1].name), "b");
    run_three(st, 2, s, res);
}

static void test_same_session_trades_by_instrument(void **state)
{
    static const uint64_t seeds[] = {4, 9, 27, 46};
    (void)state;

    for (size_t n = 0; n < sizeof(seeds) / sizeof(seeds[0]); n++) {
        struct tc_backtest_result res;
        size_t pairs = 0;
        run_random_walks(seeds[n], &res);
        assert_true(res.run.n_trades > 100);
        for (size_t t = 1; t < res.run.n_trades; t++) {
            const struct tc_run_trade *a = &res.run.trades[t - 1], *b = &res.run.trades[t];
            if (a->exit_day != b->exit_day || a->entry_day != b->entry_day ||
                strcmp(a->instrument_id, b->instrument_id) == 0)
                continue;
            pairs++;
            if (strcmp(a->instrument_id, b->instrument_id) > 0)
                fail_msg("seed %llu: trade %zu (%s) before %s", (unsigned long long)seeds[n],
                         t - 1, a->instrument_id, b->instrument_id);
        }
        assert_true(pairs > 5);
        tc_backtest_result_release(&res);
    }
}

/* Every session's equity point marks each open position at the session's
 * close: exposure is the sum of |units x close| and equity - cash the sum
 * of units x close - cost (units = quantity x multiplier, cost = units x
 * the entry fill's price), recomputed here from the run's fills, over 70
 * instruments (more than one 64-bit word of open instruments): with the
 * series' own instruments (lot and multiplier 1: whole units), and with
 * instruments of a historical store whose lot is 0.01 and multiplier
 * MULT (units that are not whole: the products round). */
static void run_marks(const char *stake, const char *mult)
{
    enum { NI = 70, NB = 160 };
    const char *kv[] = {"fast=2", "slow=5", NULL, NULL};
    char stake_kv[32];
    struct tc_bar_series s[NI];
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    struct tc_dec qty[NI], cost[NI], m = D(mult ? mult : "1");
    struct tc_store *hist = NULL;
    const int64_t d0 = tc_days_from_civil(2021, 3, 1);
    uint64_t x = 88172645463325252u;
    size_t next_fill = 0, both = 0, whole = 0;

    if (mult) {
        struct tc_refdata rd = {0};
        struct tc_market mk;
        tc_assert_ok(tc_store_open("sqlite::memory:", NULL, &hist, &err), &err);
        tc_assert_ok(tc_migrate_latest(hist, "historical", &err), &err);
        rd.store = hist;
        memset(&mk, 0, sizeof(mk));
        snprintf(mk.market_id, sizeof(mk.market_id), "SIM");
        snprintf(mk.name, sizeof(mk.name), "marks");
        snprintf(mk.timezone, sizeof(mk.timezone), "UTC");
        tc_assert_ok(tc_refdata_market_create(&rd, &mk, &err), &err);
        for (size_t k = 0; k < NI; k++) {
            struct tc_instrument in;
            tc_instrument_init(&in);
            snprintf(in.instrument_id, sizeof(in.instrument_id), "M%02zu", k);
            snprintf(in.symbol, sizeof(in.symbol), "M%02zu", k);
            snprintf(in.market_id, sizeof(in.market_id), "SIM");
            snprintf(in.currency, sizeof(in.currency), "USD");
            in.asset_class = TC_ASSET_EQUITY;
            in.lot_size = D("0.01");
            in.multiplier = m;
            tc_assert_ok(tc_refdata_instrument_create(&rd, &in, &err), &err);
            tc_instrument_release(&in);
        }
    }
    snprintf(stake_kv, sizeof(stake_kv), "stake=%s", stake);
    kv[2] = stake_kv;
    for (size_t k = 0; k < NI; k++) {
        char id[16];
        int64_t close = 2000000000 + (int64_t)k * 37000000; /* 20 + 0.37 k */
        snprintf(id, sizeof(id), "M%02zu", k);
        tc_bar_series_init(&s[k], id);
        for (size_t i = 0; i < NB; i++) {
            struct tc_bar b;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            close += ((int64_t)(x % 61) - 30) * 1000000 + (int64_t)(x >> 60); /* ~ -0.30 .. 0.30 */
            memset(&b, 0, sizeof(b));
            b.day = d0 + (int64_t)i;
            b.open = b.close = b.adj_close = tc_dec_from_raw(close);
            b.high = tc_dec_from_raw(close + 50000000);
            b.low = tc_dec_from_raw(close - 50000000);
            b.volume = 1000000;
            tc_assert_ok(tc_bar_series_append(&s[k], &b, &err), &err);
        }
        qty[k] = cost[k] = TC_DEC_ZERO;
    }
    tc_test_bt_strategy(&st, "sma_cross", kv);
    tc_test_bt_config(&cfg, &st, 1, s, NI);
    cfg.historical = hist;
    cfg.cash = D("10000000");
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_int_equal(res.run.n_equity, NB);
    assert_true(res.run.n_fills > 500);
    for (size_t e = 0; e < res.run.n_equity; e++) {
        const struct tc_equity_point *p = &res.run.equity[e];
        struct tc_dec expo = TC_DEC_ZERO, marked = TC_DEC_ZERO, v, u, eq;
        int low = 0, high = 0;
        /* the fills of the sessions up to this one */
        for (; next_fill < res.run.n_fills && res.run.fills[next_fill].day <= p->day; next_fill++) {
            const struct tc_run_fill *f = &res.run.fills[next_fill];
            size_t k = (size_t)strtoul(f->instrument_id + 1, NULL, 10);
            assert_true(k < NI);
            if (f->side == 'B') {
                assert_true(tc_dec_is_zero(qty[k])); /* one layer at a time */
                qty[k] = f->quantity;
                tc_assert_ok(tc_dec_mul(f->quantity, m, TC_ROUND_HALF_EVEN, &u), &err);
                tc_assert_ok(tc_dec_mul(u, f->price, TC_ROUND_HALF_EVEN, &cost[k]), &err);
            } else {
                tc_assert_ok(tc_dec_sub(qty[k], f->quantity, &qty[k]), &err);
                assert_true(tc_dec_is_zero(qty[k])); /* sma_cross exits whole */
                cost[k] = TC_DEC_ZERO;
            }
        }
        for (size_t k = 0; k < NI; k++) {
            if (tc_dec_is_zero(qty[k]))
                continue;
            low |= k < 64;
            high |= k >= 64;
            tc_assert_ok(tc_dec_mul(qty[k], m, TC_ROUND_HALF_EVEN, &u), &err);
            whole += u.raw % TC_DEC_ONE == 0;
            tc_assert_ok(tc_dec_mul(u, s[k].close[e], TC_ROUND_HALF_EVEN, &v), &err);
            tc_assert_ok(tc_dec_add(expo, v, &expo), &err);
            tc_assert_ok(tc_dec_sub(v, cost[k], &v), &err);
            tc_assert_ok(tc_dec_add(marked, v, &marked), &err);
        }
        both += low && high;
        assert_int_equal(p->exposure.raw, expo.raw);
        tc_assert_ok(tc_dec_add(p->cash, marked, &eq), &err);
        assert_int_equal(p->equity.raw, eq.raw);
    }
    assert_int_equal(next_fill, res.run.n_fills);
    assert_true(both > NB / 2);
    if (mult)
        assert_int_equal(whole, 0); /* every mark went through a rounded product */
    else
        assert_true(whole > 0);
    tc_backtest_result_release(&res);
    for (size_t k = 0; k < NI; k++)
        tc_bar_series_release(&s[k]);
    tc_store_close(hist);
}

static void test_equity_marks(void **state)
{
    (void)state;
    run_marks("3", NULL);          /* whole units */
    run_marks("0.37", "1");        /* fractional quantities */
    run_marks("2.13", "0.3333");   /* a fractional multiplier */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sma_cross_orcl),
        cmocka_unit_test(test_fill_at_close),
        cmocka_unit_test(test_lookahead_fails),
        cmocka_unit_test(test_views_are_gated),
        cmocka_unit_test(test_session_columns_are_gated),
        cmocka_unit_test(test_session_path_matches_bar_path),
        cmocka_unit_test(test_bars_after_end_change_nothing),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_donchian_by_hand),
        cmocka_unit_test(test_sessions_union),
        cmocka_unit_test(test_days_from_sessions),
        cmocka_unit_test(test_bad_bar_of_an_idle_instrument),
        cmocka_unit_test(test_bad_bar_far_ahead),
        cmocka_unit_test(test_bad_bar_each_day),
        cmocka_unit_test(test_long_instrument_ids),
        cmocka_unit_test(test_same_session_trades_by_instrument),
        cmocka_unit_test(test_two_strategies_one_portfolio),
        cmocka_unit_test(test_strategy_callbacks),
        cmocka_unit_test(test_stored_run),
        cmocka_unit_test(test_memory_ledger_equals_stored),
        cmocka_unit_test(test_book_matches_ledger),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_signal_handle),
        cmocka_unit_test(test_equity_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
