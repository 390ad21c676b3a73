/*
 * Backtest analytics and reports.
 *
 * Input: what a backtest run produced — the equity curve (one point per
 * session), the fills and the closed round-trip trades — as plain arrays the
 * runner owns. Output: the metrics (struct tc_metrics) and the report files
 * of a run folder: summary.json, fills.csv, trades.csv, equity.csv and a
 * self-contained report.html (SVG charts, no network).
 *
 * Money stays exact (struct tc_dec); ratios (Sharpe, volatility, CAGR…) are
 * doubles, as DESIGN.md rule 3 allows for statistics. Outputs are
 * deterministic: the same inputs give byte-identical files (fixed key order,
 * fixed number formatting, no timestamps of the run itself).
 */
#ifndef TRADECORE_ANALYTICS_H
#define TRADECORE_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/dec.h"
#include "tradecore/error.h"

/* One point of the equity curve, at a session's close. */
struct tc_equity_point {
    int64_t day;               /* session date, days since 1970-01-01 */
    struct tc_dec cash;        /* cash after the session */
    struct tc_dec equity;      /* cash + marked-to-market value of open positions */
    struct tc_dec exposure;    /* gross market value of open positions (>= 0) */
};

/* One fill of the run; side is 'B' (BUY) or 'S' (SELL); quantity > 0. */
struct tc_run_fill {
    int64_t day;
    char instrument_id[65];
    char side;
    struct tc_dec quantity, price, commission;
};

/* One closed round trip (a position opened and closed). */
struct tc_run_trade {
    char instrument_id[65];
    char side;                 /* 'L' long, 'S' short */
    int64_t entry_day, exit_day;
    struct tc_dec quantity, entry_price, exit_price;
    struct tc_dec gross_pnl;   /* before commission */
    struct tc_dec commission;  /* entry + exit commission */
    struct tc_dec net_pnl;     /* gross − commission */
};

struct tc_run_result {
    struct tc_dec initial_cash;
    const struct tc_equity_point *equity;  size_t n_equity;
    const struct tc_run_fill *fills;       size_t n_fills;
    const struct tc_run_trade *trades;     size_t n_trades;
    double risk_free_rate;                 /* annual, for Sharpe/Sortino */
    int periods_per_year;                  /* 252 for daily sessions */
};

struct tc_metrics {
    struct tc_dec final_value, final_cash, total_commission, net_profit;
    double total_return, cagr, volatility, sharpe, sortino;
    double max_drawdown;                   /* fraction, >= 0 */
    int64_t max_drawdown_duration;         /* sessions from peak to recovery (or end) */
    double calmar;
    int64_t n_trades, n_fills, n_wins, n_losses;
    double win_rate, profit_factor;
    struct tc_dec avg_trade;               /* mean net P&L per trade */
    double exposure;                       /* fraction of sessions with open exposure */
    double turnover;                       /* traded value / mean equity */
    /* Added with the implementation (additive): */
    double downside_deviation;             /* annualised, as used by Sortino */
    struct tc_dec gross_profit;            /* sum of net P&L of winning trades */
    struct tc_dec gross_loss;              /* minus the sum of net P&L of losing trades (>= 0) */
    int64_t n_sessions;                    /* points of the equity curve */
};

/*
 * Computes every metric of R into *OUT (written only on success).
 *
 * Definitions. The curve starts at initial_cash just before its first point;
 * with E0 = initial_cash and E1..En the n points' equity:
 *   - returns r_i = E_i / E_(i-1) - 1, i = 1..n (0 when E_(i-1) <= 0);
 *   - total_return = En / E0 - 1; net_profit = En - E0 (exact);
 *   - cagr = (En / E0)^(periods_per_year / n) - 1, and -1 when En <= 0;
 *   - volatility = sample standard deviation (n - 1) of r_i * sqrt(ppy),
 *     0 for a single point or constant returns;
 *   - sharpe = mean(r_i - rf/ppy) / sd(r_i) * sqrt(ppy), with rf the annual
 *     risk_free_rate; 0 when the volatility is 0;
 *   - downside_deviation = sqrt(sum(min(0, r_i - rf/ppy)^2) / n) * sqrt(ppy);
 *     sortino = mean(r_i - rf/ppy) / that (unannualised) * sqrt(ppy); 0 when
 *     there is no downside;
 *   - max_drawdown = max over i of (peak_i - E_i) / peak_i, peak_i the highest
 *     of E0..E_i; max_drawdown_duration = points from the peak of the deepest
 *     drawdown to the first point back at or above that peak, or to En when
 *     it never recovers (0 without a drawdown);
 *   - calmar = cagr / max_drawdown; 0 when max_drawdown is 0;
 *   - trades: a win has net_pnl > 0, a loss net_pnl < 0 (a zero trade is
 *     neither); win_rate = wins / trades (0 with no trades); profit_factor =
 *     gross_profit / gross_loss (0 when there is no losing trade); avg_trade =
 *     sum of net_pnl / trades, exact, rounded half-even (0 with no trades);
 *   - total_commission = the sum of the fills' commissions (exact);
 *   - exposure = points with exposure > 0 / n;
 *   - turnover = sum of |quantity * price| of the fills / mean of E1..En
 *     (0 when that mean is <= 0).
 * Every double is finite. The ratios that are undefined (sharpe and
 * volatility 0, sortino and downside_deviation 0, calmar and max_drawdown 0,
 * win_rate and avg_trade with no trades, profit_factor with no losing trade)
 * hold 0 here and are written as JSON null by tc_report_write.
 *
 * Errors (ERR names the problem): TC_EINVAL for a NULL or empty curve,
 * initial_cash <= 0, periods_per_year outside 1..100000, a risk_free_rate
 * that is NaN, infinite or outside -1..1, points whose days do not strictly
 * increase, negative exposure, a fill with a side other than 'B'/'S', a
 * quantity or price <= 0 or a negative commission, a trade with a side other
 * than 'L'/'S', quantity <= 0 or exit before entry; TC_ERANGE when an exact
 * sum overflows or a ratio would overflow a double.
 * Thread-safety: pure; R is only read.
 */
int tc_analytics_compute(const struct tc_run_result *r, struct tc_metrics *out,
                         struct tc_error *err);

/*
 * Writes summary.json, fills.csv, trades.csv, equity.csv and report.html into
 * DIR (created if missing; when the report then fails, the folders this call
 * created are removed again, if still empty). PARAMS_JSON (may be NULL) is a JSON object of the
 * run's parameters copied into summary.json under "parameters". TITLE names
 * the run in the report.
 *
 * Before anything is written, every target is checked: DIR must be a
 * folder that can be written to, and each NAME and NAME.tmp that exists
 * must be a regular file (a folder, a named pipe or a symbolic link in its
 * place is refused with TC_EIO naming the path and what it is, and nothing
 * is written). Each file is then written as NAME.tmp, and the five are
 * renamed to NAME only after all of them were written. The files are
 * written by the calling thread and one worker thread it starts (the
 * caller writes them all when the worker cannot start); the bytes are the
 * same either way. When a file fails to be written, the error returned
 * (TC_EIO naming the file, TC_ENOMEM) is that of the first in the order
 * above; no file is replaced and no NAME.tmp is left. Only a rename that
 * fails after the checks passed (a race with another process) can leave
 * the files before it renamed.
 * Thread-safety: R, M, TITLE and PARAMS_JSON are only read (two threads read
 * them until the call returns); calls into different folders may run at
 * the same time.
 */
int tc_report_write(const char *dir, const char *title, const char *params_json,
                    const struct tc_run_result *r, const struct tc_metrics *m,
                    struct tc_error *err);

#endif
