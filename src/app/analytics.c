/* Backtest analytics: the metrics of a run (returns, risk, drawdown, trade
 * statistics, exposure, turnover) from its equity curve, fills and trades.
 * Money sums stay exact; ratios are doubles that are always finite (the
 * degenerate cases are defined in tradecore/analytics.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tradecore/analytics.h"
#include "internal/banned.h"

#define PPY_MAX 100000

static int check_input(const struct tc_run_result *r, struct tc_error *err)
{
    if (!r)
        return tc_error_set(err, TC_EINVAL, "run result: NULL");
    if (r->n_equity == 0 || !r->equity)
        return tc_error_set(err, TC_EINVAL, "equity curve: empty (a run has at least one session)");
    if (r->n_fills > 0 && !r->fills)
        return tc_error_set(err, TC_EINVAL, "fills: NULL array with %zu fills", r->n_fills);
    if (r->n_trades > 0 && !r->trades)
        return tc_error_set(err, TC_EINVAL, "trades: NULL array with %zu trades", r->n_trades);
    if (tc_dec_sign(r->initial_cash) <= 0)
        return tc_error_set(err, TC_EINVAL, "initial cash: must be > 0");
    if (r->periods_per_year < 1 || r->periods_per_year > PPY_MAX)
        return tc_error_set(err, TC_EINVAL, "periods per year: %d is not in 1..%d",
                            r->periods_per_year, PPY_MAX);
    if (!isfinite(r->risk_free_rate) || r->risk_free_rate < -1.0 || r->risk_free_rate > 1.0)
        return tc_error_set(err, TC_EINVAL, "risk-free rate: %g is not a finite rate in -1..1",
                            r->risk_free_rate);
    for (size_t i = 0; i < r->n_equity; i++) {
        const struct tc_equity_point *p = &r->equity[i];
        if (i > 0 && p->day <= r->equity[i - 1].day)
            return tc_error_set(err, TC_EINVAL,
                                "equity curve: point %zu (day %lld) is not after point %zu (day %lld)",
                                i, (long long)p->day, i - 1, (long long)r->equity[i - 1].day);
        if (tc_dec_sign(p->exposure) < 0)
            return tc_error_set(err, TC_EINVAL, "equity curve: point %zu has negative exposure", i);
    }
    for (size_t i = 0; i < r->n_fills; i++) {
        const struct tc_run_fill *f = &r->fills[i];
        if (f->side != 'B' && f->side != 'S')
            return tc_error_set(err, TC_EINVAL, "fill %zu (\"%.64s\"): unknown side 0x%02x", i,
                                f->instrument_id, (unsigned)(unsigned char)f->side);
        if (tc_dec_sign(f->quantity) <= 0)
            return tc_error_set(err, TC_EINVAL, "fill %zu (\"%.64s\"): quantity must be > 0", i,
                                f->instrument_id);
        if (tc_dec_sign(f->price) <= 0)
            return tc_error_set(err, TC_EINVAL, "fill %zu (\"%.64s\"): price must be > 0", i,
                                f->instrument_id);
        if (tc_dec_sign(f->commission) < 0)
            return tc_error_set(err, TC_EINVAL, "fill %zu (\"%.64s\"): negative commission", i,
                                f->instrument_id);
    }
    for (size_t i = 0; i < r->n_trades; i++) {
        const struct tc_run_trade *t = &r->trades[i];
        if (t->side != 'L' && t->side != 'S')
            return tc_error_set(err, TC_EINVAL, "trade %zu (\"%.64s\"): unknown side 0x%02x", i,
                                t->instrument_id, (unsigned)(unsigned char)t->side);
        if (tc_dec_sign(t->quantity) <= 0)
            return tc_error_set(err, TC_EINVAL, "trade %zu (\"%.64s\"): quantity must be > 0", i,
                                t->instrument_id);
        if (t->exit_day < t->entry_day)
            return tc_error_set(err, TC_EINVAL, "trade %zu (\"%.64s\"): exit before entry", i,
                                t->instrument_id);
    }
    return 0;
}

/* Return of the period from PREV to CUR; 0 when PREV <= 0 (undefined). */
static double period_return(double prev, double cur)
{
    return prev > 0.0 ? cur / prev - 1.0 : 0.0;
}

static int finite_or(struct tc_error *err, const char *what, double v)
{
    if (!isfinite(v))
        return tc_error_set(err, TC_ERANGE, "%s: the value overflows a double", what);
    return 0;
}

static int returns_stats(const struct tc_run_result *r, struct tc_metrics *m, struct tc_error *err)
{
    size_t n = r->n_equity;
    double ppy = (double)r->periods_per_year;
    double rf = r->risk_free_rate / ppy;
    double initial = tc_dec_to_double(r->initial_cash);
    double final = tc_dec_to_double(r->equity[n - 1].equity);
    double sum = 0.0, sum_ex = 0.0, sum_down = 0.0, prev = initial;
    double mean, var = 0.0;
    int rc;

    m->total_return = final / initial - 1.0;
    m->cagr = final > 0.0 ? pow(final / initial, ppy / (double)n) - 1.0 : -1.0;
    if ((rc = finite_or(err, "cagr", m->cagr)) != 0)
        return rc;

    for (size_t i = 0; i < n; i++) {
        double cur = tc_dec_to_double(r->equity[i].equity);
        double ret = period_return(prev, cur);
        double ex = ret - rf;
        sum += ret;
        sum_ex += ex;
        if (ex < 0.0)
            sum_down += ex * ex;
        prev = cur;
    }
    mean = sum / (double)n;
    prev = initial;
    for (size_t i = 0; i < n; i++) {
        double cur = tc_dec_to_double(r->equity[i].equity);
        double d = period_return(prev, cur) - mean;
        var += d * d;
        prev = cur;
    }
    double sd = n > 1 ? sqrt(var / (double)(n - 1)) : 0.0;
    /* Constant returns leave rounding noise in VAR: treat a deviation that is
     * tiny against the mean return as zero, so that Sharpe is not 1e16. */
    if (sd <= 1e-12 * (fabs(mean) + 1e-12))
        sd = 0.0;
    double dd = sqrt(sum_down / (double)n);
    double mean_ex = sum_ex / (double)n;

    m->volatility = sd * sqrt(ppy);
    m->downside_deviation = dd * sqrt(ppy);
    m->sharpe = sd > 0.0 ? mean_ex / sd * sqrt(ppy) : 0.0;
    m->sortino = dd > 0.0 ? mean_ex / dd * sqrt(ppy) : 0.0;
    if ((rc = finite_or(err, "sharpe", m->sharpe)) != 0 ||
        (rc = finite_or(err, "sortino", m->sortino)) != 0 ||
        (rc = finite_or(err, "volatility", m->volatility)) != 0)
        return rc;
    return 0;
}

static void drawdown(const struct tc_run_result *r, struct tc_metrics *m)
{
    /* Index 0 is the start (initial cash), index i + 1 the close of session i. */
    size_t n = r->n_equity;
    struct tc_dec peak = r->initial_cash;
    size_t peak_at = 0, worst_peak_at = 0;
    double worst = 0.0;
    int found = 0;

    for (size_t i = 0; i < n; i++) {
        struct tc_dec e = r->equity[i].equity;
        if (tc_dec_cmp(e, peak) >= 0) {
            peak = e;
            peak_at = i + 1;
            continue;
        }
        double pk = tc_dec_to_double(peak);
        double d = (pk - tc_dec_to_double(e)) / pk;
        if (d > worst) {
            worst = d;
            worst_peak_at = peak_at;
            found = 1;
        }
    }
    m->max_drawdown = worst;
    m->max_drawdown_duration = 0;
    if (!found)
        return;
    struct tc_dec pv = worst_peak_at == 0 ? r->initial_cash : r->equity[worst_peak_at - 1].equity;
    size_t end = n; /* not recovered: the duration runs to the last session */
    for (size_t i = worst_peak_at; i < n; i++) {
        if (tc_dec_cmp(r->equity[i].equity, pv) >= 0) {
            end = i + 1;
            break;
        }
    }
    m->max_drawdown_duration = (int64_t)(end - worst_peak_at);
}

static int trade_stats(const struct tc_run_result *r, struct tc_metrics *m, struct tc_error *err)
{
    struct tc_dec net = TC_DEC_ZERO, wins = TC_DEC_ZERO, losses = TC_DEC_ZERO;

    /* the sums through dec.h's inline forms: no call per trade */
    for (size_t i = 0; i < r->n_trades; i++) {
        struct tc_dec p = r->trades[i].net_pnl;
        if (tc_dec_add_fast(net, p, &net) != 0)
            return tc_error_set(err, TC_ERANGE, "trades: the sum of net p&l overflows at trade %zu", i);
        if (p.raw > 0) {
            m->n_wins++;
            if (tc_dec_add_fast(wins, p, &wins) != 0)
                return tc_error_set(err, TC_ERANGE, "trades: the sum of wins overflows at trade %zu", i);
        } else if (p.raw < 0) {
            m->n_losses++;
            if (tc_dec_sub_fast(losses, p, &losses) != 0)
                return tc_error_set(err, TC_ERANGE, "trades: the sum of losses overflows at trade %zu", i);
        }
    }
    m->n_trades = (int64_t)r->n_trades;
    m->gross_profit = wins;
    m->gross_loss = losses;
    m->avg_trade = TC_DEC_ZERO;
    m->win_rate = 0.0;
    m->profit_factor = 0.0;
    if (r->n_trades > 0) {
        struct tc_dec cnt;
        if (tc_dec_from_int((int64_t)r->n_trades, &cnt) != 0 ||
            tc_dec_div(net, cnt, TC_ROUND_HALF_EVEN, &m->avg_trade) != 0)
            return tc_error_set(err, TC_ERANGE, "trades: %zu trades is too many to average", r->n_trades);
        m->win_rate = (double)m->n_wins / (double)r->n_trades;
    }
    if (m->n_losses > 0)
        m->profit_factor = tc_dec_to_double(wins) / tc_dec_to_double(losses);
    return 0;
}

static int fill_stats(const struct tc_run_result *r, struct tc_metrics *m, struct tc_error *err)
{
    double traded = 0.0, eq_sum = 0.0;
    int64_t exposed = 0;
    struct tc_dec comm = TC_DEC_ZERO;
    /* the last quantity and its double (fills often repeat a quantity) */
    int64_t qraw = 0;
    double qd = 0.0;

    for (size_t i = 0; i < r->n_fills; i++) {
        const struct tc_run_fill *f = &r->fills[i];
        if (tc_dec_add_fast(comm, f->commission, &comm) != 0)
            return tc_error_set(err, TC_ERANGE, "fills: total commission overflows at fill %zu", i);
        if (f->quantity.raw != qraw) {
            qraw = f->quantity.raw;
            qd = tc_dec_to_double(f->quantity);
        }
        traded += qd * tc_dec_to_double(f->price);
    }
    m->total_commission = comm;
    for (size_t i = 0; i < r->n_equity; i++) {
        eq_sum += tc_dec_to_double(r->equity[i].equity);
        if (tc_dec_sign(r->equity[i].exposure) > 0)
            exposed++;
    }
    double mean_eq = eq_sum / (double)r->n_equity;
    m->n_fills = (int64_t)r->n_fills;
    m->exposure = (double)exposed / (double)r->n_equity;
    m->turnover = mean_eq > 0.0 ? traded / mean_eq : 0.0;
    return finite_or(err, "turnover", m->turnover);
}

int tc_analytics_compute(const struct tc_run_result *r, struct tc_metrics *out,
                         struct tc_error *err)
{
    struct tc_metrics m;
    int rc;

    if (!out)
        return tc_error_set(err, TC_EINVAL, "metrics: NULL output");
    if ((rc = check_input(r, err)) != 0)
        return rc;
    memset(&m, 0, sizeof m);
    const struct tc_equity_point *last = &r->equity[r->n_equity - 1];
    m.final_value = last->equity;
    m.final_cash = last->cash;
    if (tc_dec_sub(m.final_value, r->initial_cash, &m.net_profit) != 0)
        return tc_error_set(err, TC_ERANGE, "net profit: overflows");
    if ((rc = returns_stats(r, &m, err)) != 0)
        return rc;
    drawdown(r, &m);
    m.calmar = m.max_drawdown > 0.0 ? m.cagr / m.max_drawdown : 0.0;
    if ((rc = finite_or(err, "calmar", m.calmar)) != 0 || (rc = trade_stats(r, &m, err)) != 0 ||
        (rc = fill_stats(r, &m, err)) != 0)
        return rc;
    m.n_sessions = (int64_t)r->n_equity;
    *out = m;
    return 0;
}
