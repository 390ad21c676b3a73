/*
 * The backtest runner (DESIGN.md, "Backtest"): daily bars through the
 * TimeMachine to strategies, their signals through the ledger, orders to the
 * `sim` broker (broker_sim.h), fills back into the ledger, an equity point
 * per session, then analytics and the report (analytics.h).
 *
 * THE LOOP. The sessions are the calendar's sessions (cfg.calendar) between
 * the first and last bar dates of the data within [from_day, to_day], or,
 * without a calendar, the union of the dates of the bars in that range. For
 * each session d, in order:
 *   1. the clock and the TimeMachine move to d's close (with a calendar its
 *      close in UTC; without one the end of the UTC day d);
 *   2. each instrument's bars dated up to d not fed yet (normally the one bar
 *      of d) go to the broker: orders of earlier sessions fill (at this
 *      bar's open under fill_at next_open), each fill goes to the ledger;
 *   3. strategies get on_fill for their fills, then the session's new bars:
 *      strategy by strategy in the order of cfg.strategies, each once for
 *      all instruments (on_session, strategy.h; a class without it gets
 *      on_bars / on_bar instrument by instrument in the order of
 *      cfg.series); their signals go through the ledger (tc_ledger_submit)
 *      and its orders to the broker, decided on d. Positions opened in a
 *      session are ordered by instrument, then strategy, so results do not
 *      depend on which of the two orders the strategies were called in;
 *   4. under fill_at close the new bars are offered again: market orders
 *      decided on d fill at d's close;
 *   5. the equity point of d: cash = the ledger's portfolio cash
 *      (initial + realised P&L − commission, margin style: ledger.h), equity
 *      = cash + Σ open quantity × (close − entry price) × multiplier, with the
 *      latest close of each instrument, exposure = Σ |quantity × close ×
 *      multiplier|.
 * Bars before from_day are not traded but stay readable through the gate (a
 * strategy may warm up with tc_tm_last_bars); bars after to_day are never
 * seen: appending them changes nothing.
 *
 * THE LEDGER. Every signal, order, fill and position goes through the
 * ledger in mode BACKTEST with the run id. Without cfg.runtime the ledger is
 * in memory (ledger.h, in_memory: the same decision code, no SQL), with an
 * instrument per series (multiplier 1, lot 1) unless cfg.historical gives
 * them; with cfg.runtime its rows are kept in the caller's store (a private
 * sqlite::memory: historical store holds the series' instruments when
 * cfg.historical is not given). The two give byte-identical results. The
 * portfolio of the run is named by the run id, each strategy instance
 * "<run id>.<instance name>" (with its class's sizing params), signal ids
 * "<run id>.<k>.<n>" (instance k, n-th signal), simulator order ids
 * "<run id>.<n>": a run's rows never collide with another run's, and a run
 * id already present in the runtime store is refused (TC_ECONFLICT).
 * The per-bar path reads memory only.
 *
 * DETERMINISM. No wall-clock time reaches the results: the ledger's clock is
 * the session close; the run id, unless given, is "bt-" + 16 hex digits of a
 * SHA-256 over the configuration (with the first and last session run, not
 * the bounds asked for), the strategies and their values, and for each
 * series its id, bar count in range, first and last dates and sum of raw
 * closes. The same inputs give the same result and byte-identical
 * reports; the ledger's ids are "<kind>-<run id>-<n>" (tc_ledger_seq_id),
 * so a rerun into another runtime store writes the same rows.
 *
 * SPEED. The loop allocates nothing per bar: a session moves cursors over
 * the columnar series, calls each strategy once with the columns of every
 * instrument (no copy; sma_cross keeps column-wise window sums and reads
 * only closes), offers bars to the broker only for instruments with working
 * orders, and reads the ledger again after fills only for the instruments
 * that had one. bench/bench_backtest.c measures it (`make bench`) against a
 * bare C loop doing the same work; the figures of the last run are in the
 * project's notes. A strategy that trades pays the ledger per signal and
 * fill, not per bar: in memory that is tens of microseconds; with a runtime
 * store, its transactions.
 *
 * Thread-safety: one run per call; runs share nothing but borrowed
 * read-only series and the caller's stores.
 */
#ifndef TRADECORE_BACKTEST_H
#define TRADECORE_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/analytics.h"
#include "tradecore/bars.h"
#include "tradecore/calendar.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/id.h"
#include "tradecore/sim.h"
#include "tradecore/store.h"
#include "tradecore/strategy.h"

/* Instance names: 1..TC_BACKTEST_NAME_MAX - 1 id characters. */
#define TC_BACKTEST_NAME_MAX 25
/* Longest run id given by the caller. */
#define TC_BACKTEST_RUN_ID_MAX 32

/* One strategy instance of a run. */
struct tc_backtest_strategy {
    char name[TC_BACKTEST_NAME_MAX];   /* unique in the run; "" = the class name */
    struct tc_strategy_params params;   /* class and values */
    int enabled;                        /* disabled instances are listed, not run */
};

/* Called about every 1% of the sessions and at the end. */
typedef void (*tc_backtest_progress_fn)(void *ud, size_t done, size_t total);

struct tc_backtest_config {
    const struct tc_backtest_strategy *strategies;  /* borrowed, N >= 1 enabled */
    size_t n_strategies;
    const struct tc_bar_series *series;  /* borrowed, distinct valid ids, n >= 1 */
    size_t n_series;
    const struct tc_calendar *calendar;  /* borrowed; NULL = the data's dates */
    int64_t from_day, to_day;            /* inclusive; INT64_MIN / INT64_MAX = open */
    struct tc_dec cash;                  /* initial capital, > 0 */
    struct tc_sim_config sim;            /* fill_at, slippage, volume cap, commission */
    const char *run_id;                  /* NULL = derived (see DETERMINISM) */
    struct tc_store *runtime;            /* NULL = in memory; borrowed, migrated */
    struct tc_store *historical;         /* NULL = in memory; borrowed, migrated, with
                                            every series' instrument; its corporate
                                            actions of them (actions.h) are given to the
                                            TimeMachine for adjusted reads and count in
                                            the derived run id */
    double risk_free_rate;               /* for Sharpe/Sortino */
    tc_backtest_progress_fn progress;    /* may be NULL */
    void *progress_ud;
};

/* Zeroes *CFG, then: open range, cash 100000, tc_sim_config_init. */
void tc_backtest_config_init(struct tc_backtest_config *cfg);

/* What a run produced. The arrays behind RUN are owned by the result. */
struct tc_backtest_result {
    char run_id[TC_ID_BUFSZ];
    struct tc_run_result run;
    struct tc_metrics metrics;
    int64_t first_day, last_day;   /* the sessions run; 0 and -1 when none */
    size_t sessions;
    uint64_t bars;                 /* bars fed */
    uint64_t signals, accepted, rejected;
    char *params_json;             /* the run's parameters as a JSON object */
};

/*
 * Runs the backtest of CFG into *OUT (zeroed first; the caller releases it
 * with tc_backtest_result_release, also after an error). Errors:
 * TC_EINVAL naming the field (no series, no enabled strategy, duplicate or
 * bad instance names, from after to, cash <= 0, bad parameters, a run id
 * that is not a valid id or longer than TC_BACKTEST_RUN_ID_MAX), TC_ENOTFOUND
 * when no session has a bar in the range, TC_ECONFLICT for a run id already
 * in the runtime store, TC_ERANGE for sessions outside the calendar's
 * years, TC_ELOOKAHEAD from a strategy that read the future, and the
 * ledger's, broker's and store's errors.
 *
 * A stored run (cfg.runtime) that fails after it first wrote to the
 * runtime store (in setup, any session, at the end or in the analytics)
 * leaves that store as it was: every row it wrote (its portfolio, its
 * strategies and their ledger rows) is removed in one transaction by
 * tc_ledger_forget_portfolio (ledger.h) before the error is returned, so the
 * same run id can run again. ERR keeps the run's own message; when the
 * removal fails too, its message is appended ("... (and its rows were not
 * removed from the runtime store: ...)") and the rows stay until
 * tc_ledger_forget_portfolio is called with the run id. A run refused as
 * already stored (TC_ECONFLICT) removes nothing. A successful run keeps its
 * rows. A sweep runs one call per combination with its own run id: the
 * combinations finished before a failing one are complete runs and stay.
 */
int tc_backtest_run(const struct tc_backtest_config *cfg, struct tc_backtest_result *out,
                    struct tc_error *err);

/*
 * The run id a run of CFG would have (CFG->run_id when given, else the one
 * derived from the inputs) into OUT (caller-owned; "" on error), without
 * running it: nothing is opened, written or kept. For a caller that checks
 * the ids of several runs (a sweep's) before the first. Errors: those
 * tc_backtest_run gives before its first session (TC_EINVAL for the
 * configuration, TC_ENOTFOUND when no session has a bar, TC_ERANGE, the
 * historical store's).
 */
int tc_backtest_run_id(const struct tc_backtest_config *cfg, char out[TC_ID_BUFSZ],
                       struct tc_error *err);

void tc_backtest_result_release(struct tc_backtest_result *r);

/* tc_report_write of the result into DIR with TITLE. */
int tc_backtest_write_report(const struct tc_backtest_result *r, const char *dir,
                             const char *title, struct tc_error *err);

#endif
