/*
 * Internals of the market simulator shared between its files: the pricing
 * rules (sim_price.c) used by the order book (sim.c), and the order book's
 * submission for the sim broker (src/broker/sim.c).
 */
#ifndef TC_EXEC_SIM_INTERNAL_H
#define TC_EXEC_SIM_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "tradecore/sim.h"

static inline uint64_t tc__sim_load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

static inline uint64_t tc__sim_load32(const char *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

static inline uint64_t tc__sim_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
    return h ^ (h >> 32);
}

/*
 * A hash of the LEN bytes at S, reading no byte outside them: eight bytes
 * a step, the last step the text's last eight; a shorter text in one step.
 * The simulator's first comparison of instrument ids, the sim broker's map
 * of client order ids (their lengths known to both callers).
 */
static inline uint64_t tc__sim_hash(const char *s, size_t len)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len;
    if (len >= 8) {
        for (size_t k = 0; k + 8 < len; k += 8)
            h = tc__sim_mix(h, tc__sim_load64(s + k));
        h = tc__sim_mix(h, tc__sim_load64(s + len - 8));
    } else if (len >= 4) {
        h = tc__sim_mix(h, tc__sim_load32(s) | tc__sim_load32(s + len - 4) << 32);
    } else if (len > 0) {
        h = tc__sim_mix(h, (uint64_t)(unsigned char)s[0] |
                               (uint64_t)(unsigned char)s[len / 2] << 8 |
                               (uint64_t)(unsigned char)s[len - 1] << 16);
    }
    return h ^ (h >> 29);
}

/*
 * tc_sim_submit for a caller that makes its order ids itself, writing the
 * order straight into the book (no copy): tc__sim_next_order gives the slot
 * the next order goes into (the book grown for it, which is not a change
 * of the book; TC_EBUSY inside a bar, TC_ENOMEM, naming ID, the id the
 * caller will write there), NULL with ERR set on failure; the caller writes
 * the order there (every field tc_sim_submit reads) and tc__sim_submit_next
 * submits it. Its id is taken as valid and unique among the working orders
 * (the caller vouches for both; the sim broker's "<prefix>.<n>", from a
 * checked prefix and a number never used twice), so it is neither checked
 * nor looked up; everything else is checked as tc_sim_submit does, with the
 * same errors, and TC_EBUSY inside a bar; TC_EINVAL when no slot past
 * the working orders was handed out. The slot is borrowed until the next
 * call on SIM; one not submitted stays the next one. tc__sim_submit_next
 * takes only the slot tc__sim_next_order handed out, while no tc_sim_submit,
 * tc_sim_cancel or bar that ended orders has changed the book since (each
 * may put another slot, with a stale order, next): else TC_EINVAL naming
 * the order in the next slot, nothing changed. A refused order's slot stays
 * handed out (fix it and submit again); an accepted one's is taken.
 */
struct tc_sim_order *tc__sim_next_order(struct tc_sim *sim, const char *id, struct tc_error *err);
int tc__sim_submit_next(struct tc_sim *sim, struct tc_error *err);

/*
 * tc_sim_series_scan taking steps no wider than LEVEL says: 0 bar by bar, 1
 * SSE2 (where built), 2 AVX2 where the processor has it (else as 1); the
 * same answer at every level (for the tests of each).
 */
size_t tc__sim_series_scan_level(const struct tc_bar_series *s, size_t from, size_t to,
                                 uint64_t *close_sum, int level);

/*
 * From now on SIM reports fills to its callback without their ids' text
 * (tc_sim_fill.order_id and exec_id are ""; every other field as before):
 * for a caller that makes "<order id>-F<seq>" itself from the event's order
 * and the fill's seq, when it needs it (the sim broker keeps fills as
 * numbers and makes the ids when it reports them).
 */
void tc__sim_bare_fills(struct tc_sim *sim);

/*
 * The base price of ORDER on BAR before slippage (sim.h, PRICES). Returns 1
 * with *PRICE set when the order can fill on this bar, 0 when it cannot.
 * *TRIGGERED receives the order's trigger state after this bar (a stop may
 * trigger without filling). FILL_CLOSE is whether MARKET orders fill at the close.
 */
int tc__sim_base_price(const struct tc_sim_order *order, const struct tc_bar *bar, int fill_close,
                       struct tc_dec *price, int *triggered);

/*
 * The fill price from BASE: slipped by FRACTION against the trader, rounded
 * to the order's tick against the trader, clamped into the bar's [low, high],
 * and never worse than a limit (sim.h, SLIPPAGE). TC_ERANGE on overflow.
 */
int tc__sim_fill_price(const struct tc_sim_order *order, const struct tc_bar *bar,
                       struct tc_dec fraction, struct tc_dec base, struct tc_dec *out);

/*
 * The commission of a fill of QTY worth VALUE; PRIOR_FILLS is how many fills
 * the order had before this one (0 for its first). TC_ERANGE on overflow.
 */
int tc__sim_commission(const struct tc_sim_config *cfg, struct tc_dec qty, struct tc_dec value,
                       uint32_t prior_fills, struct tc_dec *out);

/* The quantity the bar offers under CAP (a fraction) of VOLUME, in raw units,
 * saturating at INT64_MAX. */
int64_t tc__sim_cap_raw(struct tc_dec cap, int64_t volume);

#endif
