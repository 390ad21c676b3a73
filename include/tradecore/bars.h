/*
 * Daily bars, columnar.
 *
 * A struct tc_bar_series holds one instrument's daily bars as parallel arrays
 * (structure of arrays), sorted by strictly increasing session date, so that a
 * backtest walks them with a cursor and indicators read contiguous closes.
 * Dates are int64_t days since 1970-01-01 (tc_days_from_civil, clock.h): the
 * exchange-local session date. Prices are exact decimals (dec.h).
 *
 * Ownership: a series owns its arrays; tc_bar_series_release() frees them.
 * Not thread-safe for writing; read-only sharing between threads is fine.
 */
#ifndef TRADECORE_BARS_H
#define TRADECORE_BARS_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/dec.h"
#include "tradecore/error.h"

#define TC_INSTRUMENT_ID_MAX 65   /* 64 characters + NUL, as tc_id_validate allows */

/* One bar, row form (for appending and for callbacks). */
struct tc_bar {
    int64_t day;               /* session date, days since 1970-01-01 */
    struct tc_dec open, high, low, close;
    struct tc_dec adj_close;   /* as given by the source; raw close when absent */
    int64_t volume;            /* >= 0 */
    int64_t open_interest;     /* 0 when absent */
};

struct tc_bar_series {
    char instrument_id[TC_INSTRUMENT_ID_MAX];
    size_t n, cap;
    int64_t *day;
    struct tc_dec *open, *high, *low, *close, *adj_close;
    int64_t *volume;
    int64_t *open_interest;
};

/* Initialises an empty series for INSTRUMENT_ID (copied; truncated to fit). */
void tc_bar_series_init(struct tc_bar_series *s, const char *instrument_id);
/* Frees the arrays and empties S (NULL allowed). */
void tc_bar_series_release(struct tc_bar_series *s);
/* Ensures room for CAP bars. TC_ENOMEM. */
int tc_bar_series_reserve(struct tc_bar_series *s, size_t cap, struct tc_error *err);
/*
 * Appends BAR after checking it: day strictly after the last bar's day
 * (TC_EINVAL "… is not after …"), low <= min(open, close), high >= max(open,
 * close), low <= high, prices > 0, volume >= 0 (TC_EINVAL naming the rule).
 * S is unchanged on error.
 */
int tc_bar_series_append(struct tc_bar_series *s, const struct tc_bar *bar, struct tc_error *err);
/* Copies bar I into *OUT (I < n). */
void tc_bar_series_get(const struct tc_bar_series *s, size_t i, struct tc_bar *out);
/* Index of the last bar with day <= DAY, or -1 when none (binary search). */
long tc_bar_series_find(const struct tc_bar_series *s, int64_t day);

#endif
