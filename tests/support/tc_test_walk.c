/* Random-walk bar series for the tests (tc_test_walk.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tc_test.h"
#include "tc_test_walk.h"

#define LCG_MUL 6364136223846793005u
#define LCG_ADD 1442695040888963407u

void tc_test_random_walk(struct tc_bar_series *s, const char *id, uint64_t seed, size_t n,
                         int64_t day0, enum tc_test_walk_shape shape)
{
    struct tc_error err = {0};
    uint64_t x = seed * LCG_MUL + LCG_ADD;
    int64_t close = 5000 + (int64_t)(seed % 1000), day = day0;

    tc_bar_series_init(s, id);
    for (size_t i = 0; i < n; i++) {
        struct tc_bar b;
        x = x * LCG_MUL + LCG_ADD;
        const uint64_t r = x >> 33;
        const int flat = i % 150 >= 100 && i % 150 < 140;
        if (!flat)
            close += (int64_t)(r % 41) - 20;
        if (close < 100)
            close = 100;
        memset(&b, 0, sizeof(b));
        day += 1 + (int64_t)(r % 13 == 0);
        b.day = day;
        if (shape == TC_TEST_WALK_OPEN_AT_CLOSE) {
            b.open = b.close = b.adj_close = tc_dec_from_raw(close * 1000000);
            b.high = tc_dec_from_raw((close + (int64_t)((r >> 12) % 30)) * 1000000);
            b.low = tc_dec_from_raw((close - (int64_t)((r >> 16) % 30)) * 1000000);
            if (b.low.raw <= 0 || flat)
                b.low = b.close;
            if (flat)
                b.high = b.close;
            b.volume = 100000 + (int64_t)(r % 5000);
        } else {
            b.close = tc_dec_from_raw(close * 1000000);
            b.open = tc_dec_from_raw((close + (int64_t)(r >> 8) % 11 - 5) * 1000000);
            if (b.open.raw <= 0)
                b.open = b.close;
            b.high = tc_dec_from_raw((b.open.raw > b.close.raw ? b.open.raw : b.close.raw) +
                                     (int64_t)((r >> 12) % 30) * 1000000);
            b.low = tc_dec_from_raw((b.open.raw < b.close.raw ? b.open.raw : b.close.raw) -
                                    (int64_t)((r >> 16) % 30) * 1000000);
            if (b.low.raw <= 0)
                b.low = tc_dec_from_raw(1000000);
            if (flat)
                b.open = b.high = b.low = b.close;
            b.adj_close = b.close;
            b.volume = 1000 + (int64_t)(r % 5000);
        }
        tc_assert_ok(tc_bar_series_append(s, &b, &err), &err);
    }
}
