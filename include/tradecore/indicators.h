/*
 * Indicators for strategies: SMA, EMA, ATR (Wilder), highest/lowest over a
 * window, and crossovers (DESIGN.md, "Indicator semantics").
 *
 * Each comes in two forms that give identical results:
 *   - streaming: a caller-owned struct, one push per bar, O(1) per bar
 *     (amortised for highest/lowest), no allocation after init;
 *   - batch: over a view (timemachine.h), writing one output per input bar.
 *
 * Exact decimals. Every value is a struct tc_dec computed without floating
 * point. Sums are formed in 128-bit integers (no overflow is possible), and
 * every division rounds half-even (TC_ROUND_HALF_EVEN) to 8 places:
 *   SMA(n)_t = (x_t-n+1 + … + x_t) / n
 *   EMA(n): the first value (bar n-1) is SMA(n) of the first n inputs, then
 *           EMA_t = (2 * x_t + (n - 1) * EMA_t-1) / (n + 1),
 *           i.e. alpha = 2 / (n + 1), rounded once per bar;
 *   ATR(n): TR_t = max(high - low, |high - close_t-1|, |low - close_t-1|),
 *           with TR_0 = high_0 - low_0 (no previous close); the first value
 *           (bar n-1) is the mean of TR_0..TR_n-1, then Wilder's smoothing
 *           ATR_t = ((n - 1) * ATR_t-1 + TR_t) / n.
 * EMA and ATR are signals; being exact, they are also reproducible to the
 * last digit across machines.
 *
 * "No value before n bars": streaming and batch outputs carry has_value = 0
 * for the first n - 1 bars; the *_last helpers return TC_ENOTFOUND.
 *
 * Crossover: fast crosses over slow on the bar where the sign of
 * (fast - slow) is non-zero and differs from its last non-zero sign. A zero
 * difference is no crossover and does not reset the last non-zero sign
 * (-1, 0, +1 crosses up on the +1 bar; -1, 0, -1 never crosses). The first
 * non-zero sign is no crossover (there is nothing to cross from). Bars where
 * fast or slow has no value are skipped entirely.
 *
 * Thread-safety: streaming states are the caller's; the functions keep no
 * other state.
 */
#ifndef TRADECORE_INDICATORS_H
#define TRADECORE_INDICATORS_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/timemachine.h"

/* One output: VALUE is meaningful only when HAS_VALUE is 1 (else it is 0). */
struct tc_ind_value {
    struct tc_dec value;
    int has_value;
};

/* A 128-bit running sum, kept in two words (read only by indicators.c). */
struct tc_ind_sum {
    uint64_t lo;
    int64_t hi;
};

/* ---- SMA ---------------------------------------------------------------- */

struct tc_ind_sma {
    size_t period, count, head;
    struct tc_dec *ring;   /* the last PERIOD inputs (owned) */
    struct tc_ind_sum sum;
    uint64_t recip;        /* floor(2^64 / PERIOD), set by init: the mean of a
                              sum below 2^52 is a multiply, not a division */
};

/* PERIOD >= 1 (TC_EINVAL); allocates the window (TC_ENOMEM). Release with
 * tc_ind_sma_release. */
int tc_ind_sma_init(struct tc_ind_sma *s, size_t period, struct tc_error *err);
void tc_ind_sma_release(struct tc_ind_sma *s);
/* Pushes X; *OUT (may be NULL) gets the SMA after it. Cannot fail on a valid
 * state (returns TC_EINVAL for NULL). */
int tc_ind_sma_push(struct tc_ind_sma *s, struct tc_dec x, struct tc_ind_value *out,
                    struct tc_error *err);
/* OUT[0..x.n-1]. TC_EINVAL for PERIOD 0 or NULL pointers (with x.n > 0). */
int tc_ind_sma_batch(struct tc_dec_view x, size_t period, struct tc_ind_value *out,
                     struct tc_error *err);
/* The SMA of the last PERIOD values of X. TC_ENOTFOUND when x.n < PERIOD. */
int tc_ind_sma_last(struct tc_dec_view x, size_t period, struct tc_dec *out,
                    struct tc_error *err);

/* ---- SMA, column-wise ----------------------------------------------------- */

/*
 * SMA(PERIOD) of N instruments at once, as a struct of arrays: per
 * instrument a 128-bit running sum and the index of its first bar, and no
 * window ring: the close that leaves the window is read back from the
 * caller's column of closes, which must hold the instrument's bars from the
 * first one pushed (a series' close column from bar 0, as the TimeMachine's
 * views and struct tc_session_bars in strategy.h give it). Its values are
 * those of tc_ind_sma_push fed the same closes, to the last digit.
 */
struct tc_ind_sma_cols {
    size_t n, period;
    uint64_t recip;              /* as struct tc_ind_sma */
    struct tc_ind_sum *sum;      /* [N], owned */
    size_t *first;               /* [N], owned: bar index of the first push, SIZE_MAX before */
    size_t *next;                /* [N], owned: the bar index the next push must have */
};

/* N instruments (N >= 1), PERIOD >= 1 (TC_EINVAL); TC_ENOMEM. Release with
 * tc_ind_sma_cols_release. */
int tc_ind_sma_cols_init(struct tc_ind_sma_cols *s, size_t n, size_t period,
                         struct tc_error *err);
void tc_ind_sma_cols_release(struct tc_ind_sma_cols *s);
/*
 * Pushes the close X[I] of instrument IX, X being its column (X[0..I] are
 * readable, X[I - PERIOD] is read back when the window is full). The first
 * push of an instrument may be at any I, each later one must be at the next
 * bar (the previous I + 1). *OUT (may be NULL) gets the SMA after it.
 * TC_EINVAL for NULL, IX >= N or a bar that is not the next one (the
 * message names the instrument's handle and both indices); the state is
 * unchanged on error.
 */
int tc_ind_sma_cols_push(struct tc_ind_sma_cols *s, size_t ix, const struct tc_dec *x, size_t i,
                         struct tc_ind_value *out, struct tc_error *err);

/* ---- EMA ---------------------------------------------------------------- */

struct tc_ind_ema {
    size_t period, count;
    struct tc_ind_sum seed;   /* sum of the first PERIOD inputs */
    struct tc_dec value;
};

/* PERIOD >= 1 (TC_EINVAL). No allocation: nothing to release. */
int tc_ind_ema_init(struct tc_ind_ema *s, size_t period, struct tc_error *err);
int tc_ind_ema_push(struct tc_ind_ema *s, struct tc_dec x, struct tc_ind_value *out,
                    struct tc_error *err);
int tc_ind_ema_batch(struct tc_dec_view x, size_t period, struct tc_ind_value *out,
                     struct tc_error *err);

/* ---- ATR (Wilder) ------------------------------------------------------- */

struct tc_ind_atr {
    size_t period, count;     /* count stops at PERIOD */
    int started;              /* PREV_CLOSE is set */
    struct tc_dec prev_close;
    struct tc_ind_sum seed;   /* sum of the first PERIOD true ranges */
    struct tc_dec value;
};

/* PERIOD >= 1 (TC_EINVAL). No allocation. */
int tc_ind_atr_init(struct tc_ind_atr *s, size_t period, struct tc_error *err);
/*
 * Pushes one bar. TC_EINVAL when HIGH < LOW, or CLOSE is outside [LOW, HIGH]
 * (the message names both values); TC_ERANGE when a true range does not fit
 * in a tc_dec. The state is unchanged on error.
 */
int tc_ind_atr_push(struct tc_ind_atr *s, struct tc_dec high, struct tc_dec low,
                    struct tc_dec close, struct tc_ind_value *out, struct tc_error *err);
/* Over the highs, lows and closes of BARS: OUT[0..bars.n-1]. Errors as push
 * (the message gives the bar's index and date). */
int tc_ind_atr_batch(struct tc_bar_view bars, size_t period, struct tc_ind_value *out,
                     struct tc_error *err);

/* ---- highest / lowest --------------------------------------------------- */

enum tc_ind_extreme_kind { TC_IND_HIGHEST = 1, TC_IND_LOWEST = 2 };

/* The highest (or lowest) of the last PERIOD inputs: feed it highs, lows or
 * closes. A monotonic queue: amortised O(1) per push. */
struct tc_ind_extreme {
    enum tc_ind_extreme_kind kind;
    size_t period;
    uint64_t count;
    size_t head, len;        /* the queue, in a ring of PERIOD slots */
    struct tc_dec *val;      /* owned */
    uint64_t *seq;           /* owned */
};

/* TC_EINVAL for PERIOD 0 or an unknown KIND; TC_ENOMEM. */
int tc_ind_extreme_init(struct tc_ind_extreme *s, enum tc_ind_extreme_kind kind, size_t period,
                        struct tc_error *err);
void tc_ind_extreme_release(struct tc_ind_extreme *s);
int tc_ind_extreme_push(struct tc_ind_extreme *s, struct tc_dec x, struct tc_ind_value *out,
                        struct tc_error *err);
int tc_ind_extreme_batch(struct tc_dec_view x, enum tc_ind_extreme_kind kind, size_t period,
                         struct tc_ind_value *out, struct tc_error *err);
/* Of the last PERIOD values of X. TC_ENOTFOUND when x.n < PERIOD. */
int tc_ind_highest_last(struct tc_dec_view x, size_t period, struct tc_dec *out,
                        struct tc_error *err);
int tc_ind_lowest_last(struct tc_dec_view x, size_t period, struct tc_dec *out,
                       struct tc_error *err);

/* ---- crossover ---------------------------------------------------------- */

struct tc_ind_cross {
    int last_sign;   /* -1, +1, or 0 before the first non-zero difference */
};

void tc_ind_cross_init(struct tc_ind_cross *c);
/* +1 when fast crosses over slow on this bar, -1 when under, else 0. */
int tc_ind_cross_push(struct tc_ind_cross *c, struct tc_ind_value fast, struct tc_ind_value slow);
/* The same for a bar where both have a value, from the two values: a hot
 * loop calls it without passing whole tc_ind_value structs on (whose
 * partly written padding makes the processor wait for the stores). */
int tc_ind_cross_step(struct tc_ind_cross *c, struct tc_dec fast, struct tc_dec slow);
/* OUT[i] as tc_ind_cross_push over the N bars. TC_EINVAL for NULL (N > 0). */
int tc_ind_cross_batch(const struct tc_ind_value *fast, const struct tc_ind_value *slow, size_t n,
                       int *out, struct tc_error *err);

#endif
