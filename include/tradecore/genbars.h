/*
 * Synthetic daily bars for tests and benchmarks: deterministic random walks
 * written as one Yahoo-format CSV file per instrument
 * (Date,Open,High,Low,Close,Adj Close,Volume), named SYN001.csv, SYN002.csv…
 * so that the symbol taken from the file name is SYN001, SYN002…
 *
 * Dates are the sessions of the market's calendar (calendar.h) from the start
 * date on, when all the bars fit in the calendar's verified years; otherwise
 * (too many bars, or a start outside those years) they are the weekdays
 * Monday..Friday from the start date on, and the result says so. The default
 * start is the first day of the calendar's first verified year (1990-01-01 for
 * XNYS, whose 1990..2026 sessions hold about 9,300 bars: 5,000 bars end in
 * 2009).
 *
 * Prices have 6 decimals and are a multiplicative random walk of the
 * previous close (open within ±0.5% of it, close within ±2% of the open,
 * high and low up to 1% beyond them), kept within 0.01..1,000,000; so low <=
 * min(open, close) <= max(open, close) <= high and every price is > 0.
 * Adj Close equals Close. Volume is a whole number in 100,000..9,999,999.
 * Each instrument's walk is seeded from (seed, instrument number) with tc_rng
 * (clock.h), so the same options always give byte-identical files.
 */
#ifndef TRADECORE_GENBARS_H
#define TRADECORE_GENBARS_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"

#define TC_GENBARS_INSTRUMENTS_MAX 9999
#define TC_GENBARS_BARS_MAX 1000000

struct tc_genbars_options {
    int instruments;       /* 1..TC_GENBARS_INSTRUMENTS_MAX */
    int bars;              /* bars per instrument, 1..TC_GENBARS_BARS_MAX */
    uint64_t seed;
    int has_start;         /* 0: the default start above */
    int64_t start_day;     /* days since 1970-01-01, when has_start */
    const char *market;    /* MIC of a built-in calendar; NULL = "XNYS" */
};

struct tc_genbars_result {
    int64_t first_day, last_day;  /* dates of the first and last bar */
    int weekdays;                 /* 1: the weekday fallback was used */
    int64_t bytes;                /* total bytes written */
};

/*
 * The N = opt->bars dates of the bars, ascending, into a malloc'd *OUT_DAYS
 * (caller frees with free()); *WEEKDAYS as in the result above.
 * TC_EINVAL for bad options (naming the option), TC_ENOTFOUND for an
 * unknown market, TC_ENOMEM.
 */
int tc_genbars_days(const struct tc_genbars_options *opt, int64_t **out_days, int *weekdays,
                    struct tc_error *err);

/*
 * Writes the files into DIR (created, with its parents, when missing;
 * existing SYNnnn.csv files are replaced). RES may be NULL. Errors:
 * TC_EINVAL / TC_ENOTFOUND as above, TC_EIO naming the file that could not be
 * created or written, TC_ENOMEM. Thread-safety: shares nothing.
 */
int tc_genbars_write(const char *dir, const struct tc_genbars_options *opt,
                     struct tc_genbars_result *res, struct tc_error *err);

#endif
