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
};

/* Computes every metric of R. TC_EINVAL for an empty curve. Division by zero
 * cases (no trades, no losses, zero volatility) are defined in the
 * implementation's header comment and never produce NaN in the outputs. */
int tc_analytics_compute(const struct tc_run_result *r, struct tc_metrics *out,
                         struct tc_error *err);

/*
 * Writes summary.json, fills.csv, trades.csv, equity.csv and report.html into
 * DIR (created if missing). PARAMS_JSON (may be NULL) is a JSON object of the
 * run's parameters copied into summary.json under "parameters". TITLE names
 * the run in the report.
 */
int tc_report_write(const char *dir, const char *title, const char *params_json,
                    const struct tc_run_result *r, const struct tc_metrics *m,
                    struct tc_error *err);

#endif
