/*
 * Random-walk bar series for the strategy and backtest tests: the same
 * seeds give the same bars on every platform (a 64-bit LCG).
 */
#ifndef TC_TEST_WALK_H
#define TC_TEST_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/bars.h"

/* How a bar is drawn around its close. */
enum tc_test_walk_shape {
    /* open = close; high and low up to 29 units from the close (the low the
     * close when it would not be positive), volume 100000..104999 */
    TC_TEST_WALK_OPEN_AT_CLOSE = 1,
    /* open up to 5 units from the close; high and low up to 29 units beyond
     * both (low at least 1), volume 1000..5999 */
    TC_TEST_WALK_OPEN_AROUND = 2
};

/*
 * Initialises *S (instrument ID; the caller releases it) with N bars of a
 * random walk of closes (whole units from 5000 + SEED % 1000, by -20..20 a
 * bar, never below 100) with flat stretches (bars 100..139 of every 150
 * keep the close and have open = high = low = close: moving averages tie
 * there) and an occasional gap day, the first bar after DAY0. Fails the
 * test when a bar is refused.
 */
void tc_test_random_walk(struct tc_bar_series *s, const char *id, uint64_t seed, size_t n,
                         int64_t day0, enum tc_test_walk_shape shape);

#endif
