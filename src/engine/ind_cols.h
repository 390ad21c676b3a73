/* The exact mean and the 128-bit sums behind the SMAs, shared by
 * indicators.c and the strategies' column-wise (struct of arrays) loops, so
 * that both give the same value to the last digit. Internal. */
#ifndef TC_ENGINE_IND_COLS_H
#define TC_ENGINE_IND_COLS_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/indicators.h"

__extension__ typedef __int128 tc__i128;
__extension__ typedef unsigned __int128 tc__u128;

static inline tc__i128 tc__ind_sum_get(struct tc_ind_sum s)
{
    return (tc__i128)s.hi * ((tc__i128)1 << 64) + (tc__i128)s.lo;
}

static inline struct tc_ind_sum tc__ind_sum_put(tc__i128 v)
{
    struct tc_ind_sum s;
    s.lo = (uint64_t)v;
    s.hi = (int64_t)(v >> 64); /* arithmetic shift (GCC and Clang define it) */
    return s;
}

/* floor(2^64 / N) for 2 <= N < 2^32, else 0 (no shortcut). */
static inline uint64_t tc__ind_recip(size_t n)
{
    return n >= 2 && n <= UINT32_MAX ? (uint64_t)(((tc__u128)1 << 64) / n) : 0;
}

/* The true range of one bar and Wilder's step, as tc_ind_atr_push forms them
 * (WHERE is appended to "atr" in the messages). */
int tc__ind_true_range(struct tc_dec high, struct tc_dec low, struct tc_dec close, int has_prev,
                       struct tc_dec prev, const char *where, struct tc_dec *tr,
                       struct tc_error *err);
struct tc_dec tc__ind_atr_step(struct tc_dec prev, struct tc_dec tr, size_t period);

/* SUM / N rounded half-even by a 128-bit division (N >= 1). */
struct tc_dec tc__ind_mean_div(tc__i128 sum, size_t n);

/*
 * SUM / N rounded half-even, by a multiply when 0 <= SUM < 2^52 and RECIP =
 * tc__ind_recip(N) != 0: the estimate floor(SUM * RECIP / 2^64) is
 * floor(SUM / N) or one less (the error of RECIP times SUM is below 2^-12),
 * and the remainder says which. Every other sum goes through the division.
 */
static inline struct tc_dec tc__ind_mean(tc__i128 sum, size_t n, uint64_t recip)
{
    if (recip == 0 || (sum >> 52) != 0)
        return tc__ind_mean_div(sum, n);
    uint64_t x = (uint64_t)sum, d = (uint64_t)n;
    uint64_t q = (uint64_t)(((tc__u128)x * recip) >> 64);
    uint64_t r = x - q * d;
    if (r >= d) {
        q++;
        r -= d;
    }
    if (2 * r > d || (2 * r == d && (q & 1)))
        q++;
    return tc_dec_from_raw((int64_t)q);
}

#endif
