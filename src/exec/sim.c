/*
 * Market simulator order book: configuration checks, order validation,
 * submission, cancellation, and matching of the working orders of one
 * instrument against a daily bar (tc_sim_on_bar), which allocates nothing.
 * Orders live in slots that do not move while they work; a list of slot
 * numbers keeps the working ones in submission order (finished orders leave
 * it, and only their numbers move).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && defined(__x86_64__)
#define SIM_SSE2 1
#include <emmintrin.h>
#if defined(__GNUC__)
#define SIM_AVX2 1
#include <immintrin.h> /* for scan_avx2 only, built for AVX2 by its own attribute */
#endif
#endif

#include "core/grow.h"
#include "core/str.h"
#include "tradecore/clock.h"
#include "tradecore/id.h"
#include "tradecore/sim.h"
#include "exec/sim_internal.h"
#include "internal/banned.h"

#define VALID_FIRST 64 /* slots of the set of valid instrument ids when first made */

/* An instrument id found valid, with its tc__sim_hash; an empty id: a free slot. */
struct valid_id {
    uint64_t hash;
    char id[TC_INSTRUMENT_ID_MAX];
};

struct sim_instrument {
    char id[TC_INSTRUMENT_ID_MAX];
    struct tc_dec tick, lot;
};

struct tc_sim {
    struct tc_sim_config cfg;
    struct tc_dec slip;            /* slippage as a fraction of price */
    struct tc_sim_order *pool;     /* order slots */
    uint32_t *ord;                 /* [cappool] slot numbers: [0, n) the working orders in
                                      submission order, [n, npool) the free slots */
    size_t n, npool, cappool;
    struct sim_instrument *insts;
    size_t ninst, capinst;
    uint64_t next_seq;
    int in_bar;                    /* inside tc_sim_on_bar: no submit/cancel */
    int bare;                      /* fills reported without their ids' text */
    int handed;                    /* slot HANDED_SLOT handed out by tc__sim_next_order and
                                      not submitted yet: the only one tc__sim_submit_next
                                      takes (any other change of the book takes it back) */
    uint32_t handed_slot;
    /* every instrument id found valid so far (open addressing, at most half
     * full, never emptied: one per instrument the simulator was given): a
     * submit checks a known instrument by a comparison, not tc_id_validate */
    struct valid_id *valid;
    size_t capvalid, nvalid;
    unsigned valid_shift;          /* 64 - log2(capvalid): a slot from the hash's top bits */
};

static const char *fmt(struct tc_dec d, char *buf)
{
    tc_dec_format(d, buf, TC_DEC_STRLEN);
    return buf;
}

void tc_sim_config_init(struct tc_sim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->fill_at = TC_SIM_FILL_NEXT_OPEN;
    cfg->slippage = TC_SIM_SLIP_NONE;
    cfg->commission = TC_SIM_COMM_NONE;
    cfg->commission_places = TC_DEC_PLACES;
}

static int check_nonneg(const char *field, struct tc_dec v, struct tc_error *err)
{
    char b[TC_DEC_STRLEN];
    if (v.raw < 0)
        return tc_error_set(err, TC_EINVAL, "simulator config: %s %s is negative", field,
                            fmt(v, b));
    return 0;
}

static int check_config(const struct tc_sim_config *c, struct tc_dec *slip, struct tc_error *err)
{
    char b[TC_DEC_STRLEN], b2[TC_DEC_STRLEN];
    int rc;

    if (c->fill_at != TC_SIM_FILL_NEXT_OPEN && c->fill_at != TC_SIM_FILL_CLOSE)
        return tc_error_set(err, TC_EINVAL, "simulator config: fill_at %d is unknown",
                            (int)c->fill_at);
    if ((rc = check_nonneg("slippage_value", c->slippage_value, err)) != 0)
        return rc;
    switch (c->slippage) {
    case TC_SIM_SLIP_NONE:
        slip->raw = 0;
        break;
    case TC_SIM_SLIP_FRACTION:
        if (c->slippage_value.raw >= TC_DEC_ONE)
            return tc_error_set(err, TC_EINVAL,
                                "simulator config: slippage_value %s is not below 1 (a fraction)",
                                fmt(c->slippage_value, b));
        *slip = c->slippage_value;
        break;
    case TC_SIM_SLIP_BPS:
        if (c->slippage_value.raw >= 10000 * TC_DEC_ONE)
            return tc_error_set(err, TC_EINVAL,
                                "simulator config: slippage_value %s bps is not below 10000",
                                fmt(c->slippage_value, b));
        if (c->slippage_value.raw % 10000 != 0)
            return tc_error_set(err, TC_EINVAL,
                                "simulator config: slippage_value %s bps is finer than 0.0001 bps",
                                fmt(c->slippage_value, b));
        slip->raw = c->slippage_value.raw / 10000;
        break;
    default:
        return tc_error_set(err, TC_EINVAL, "simulator config: slippage model %d is unknown",
                            (int)c->slippage);
    }
    if ((rc = check_nonneg("volume_cap", c->volume_cap, err)) != 0)
        return rc;
    if (c->volume_cap.raw > TC_DEC_ONE)
        return tc_error_set(err, TC_EINVAL, "simulator config: volume_cap %s is above 1",
                            fmt(c->volume_cap, b));
    if (c->commission < TC_SIM_COMM_NONE || c->commission > TC_SIM_COMM_FIXED)
        return tc_error_set(err, TC_EINVAL, "simulator config: commission model %d is unknown",
                            (int)c->commission);
    if ((rc = check_nonneg("comm_rate", c->comm_rate, err)) != 0 ||
        (rc = check_nonneg("comm_min", c->comm_min, err)) != 0 ||
        (rc = check_nonneg("comm_max", c->comm_max, err)) != 0 ||
        (rc = check_nonneg("comm_fixed", c->comm_fixed, err)) != 0)
        return rc;
    if (c->commission == TC_SIM_COMM_FRACTION && c->comm_rate.raw >= TC_DEC_ONE)
        return tc_error_set(err, TC_EINVAL,
                            "simulator config: comm_rate %s is not below 1 (a fraction of the "
                            "traded value)",
                            fmt(c->comm_rate, b));
    if (c->comm_max.raw > 0 && tc_dec_cmp(c->comm_min, c->comm_max) > 0)
        return tc_error_set(err, TC_EINVAL, "simulator config: comm_min %s is above comm_max %s",
                            fmt(c->comm_min, b), fmt(c->comm_max, b2));
    if (c->commission_places < 0 || c->commission_places > TC_DEC_PLACES)
        return tc_error_set(err, TC_EINVAL,
                            "simulator config: commission_places %d is outside 0..8",
                            c->commission_places);
    if ((rc = check_nonneg("tick", c->tick, err)) != 0 ||
        (rc = check_nonneg("lot", c->lot, err)) != 0)
        return rc;
    return 0;
}

int tc_sim_new(const struct tc_sim_config *cfg, struct tc_sim **out, struct tc_error *err)
{
    struct tc_sim *sim;
    struct tc_dec slip = TC_DEC_ZERO;
    int rc;

    if (cfg == NULL || out == NULL)
        return tc_error_set(err, TC_EINVAL, "simulator config: missing");
    if ((rc = check_config(cfg, &slip, err)) != 0)
        return rc;
    sim = calloc(1, sizeof *sim);
    if (sim == NULL)
        return tc_error_set(err, TC_ENOMEM, "simulator: out of memory");
    sim->cfg = *cfg;
    sim->slip = slip;
    sim->next_seq = 1;
    *out = sim;
    return 0;
}

void tc_sim_free(struct tc_sim *sim)
{
    if (sim == NULL)
        return;
    free(sim->pool);
    free(sim->ord);
    free(sim->insts);
    free(sim->valid);
    free(sim);
}

static struct sim_instrument *find_inst(const struct tc_sim *sim, const char *id)
{
    for (size_t i = 0; i < sim->ninst; i++)
        if (strcmp(sim->insts[i].id, id) == 0)
            return &sim->insts[i];
    return NULL;
}

int tc_sim_set_instrument(struct tc_sim *sim, const char *instrument, struct tc_dec tick,
                          struct tc_dec lot, struct tc_error *err)
{
    struct sim_instrument *in;
    char b[TC_DEC_STRLEN];
    int rc;

    if (sim == NULL)
        return tc_error_set(err, TC_EINVAL, "simulator: missing");
    if (sim->in_bar)
        return tc_error_set(err, TC_EBUSY, "simulator: instruments cannot change inside a bar");
    if ((rc = tc_id_validate("instrument", instrument, err)) != 0)
        return rc;
    if (tick.raw < 0)
        return tc_error_set(err, TC_EINVAL, "instrument \"%s\": tick %s is negative", instrument,
                            fmt(tick, b));
    if (lot.raw < 0)
        return tc_error_set(err, TC_EINVAL, "instrument \"%s\": lot %s is negative", instrument,
                            fmt(lot, b));
    in = find_inst(sim, instrument);
    if (in == NULL) {
        if (sim->ninst == sim->capinst) {
            size_t ncap = sim->capinst ? sim->capinst * 2 : 8;
            struct sim_instrument *p = realloc(sim->insts, ncap * sizeof *p);
            if (p == NULL)
                return tc_error_set(err, TC_ENOMEM, "simulator: out of memory");
            sim->insts = p;
            sim->capinst = ncap;
        }
        in = &sim->insts[sim->ninst++];
        snprintf(in->id, sizeof in->id, "%s", instrument);
    }
    in->tick = tick;
    in->lot = lot;
    return 0;
}

/* The I-th working order in submission order. */
static struct tc_sim_order *order_at(const struct tc_sim *sim, size_t i)
{
    return &sim->pool[sim->ord[i]];
}

static long find_order(const struct tc_sim *sim, const char *id)
{
    for (size_t i = 0; i < sim->n; i++)
        if (strcmp(order_at(sim, i)->id, id) == 0)
            return (long)i;
    return -1;
}

/* The slot of the next order (a free one, the pool grown when none is): a
 * bigger pool is not a changed book. NULL when out of memory. */
static struct tc_sim_order *next_slot(struct tc_sim *sim)
{
    if (sim->n == sim->npool) {
        if (sim->npool == sim->cappool) {
            void *pool = sim->pool;
            size_t cap = sim->cappool;
            uint32_t *ord;
            if (sim->npool >= UINT32_MAX ||
                tc__grow(&pool, &cap, sim->npool, sizeof(*sim->pool), 16) != 0)
                return NULL;
            sim->pool = pool; /* its first CAPPOOL slots as they were */
            if (!(ord = realloc(sim->ord, cap * sizeof(*ord))))
                return NULL;
            sim->ord = ord;
            sim->cappool = cap;
        }
        sim->ord[sim->npool] = (uint32_t)sim->npool;
        sim->npool++;
    }
    return order_at(sim, sim->n);
}

/* Whether the id field holds a NUL-terminated string (a caller may fill all of it). */
static int terminated(const char *s, size_t cap) { return memchr(s, '\0', cap) != NULL; }

/* Whether the LEN bytes of ID and its NUL are those of KNOWN (both buffers
 * of TC_INSTRUMENT_ID_MAX bytes): strcmp's equality, one 16-byte step for
 * an id below 16 characters. */
static int same_inst(const char known[TC_INSTRUMENT_ID_MAX], const char id[TC_INSTRUMENT_ID_MAX],
                     size_t len)
{
#if defined(SIM_SSE2)
    if (len < 16) {
        const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)known);
        const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)id);
        const unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, b));
        const unsigned want = (2u << len) - 1u;
        return (eq & want) == want;
    }
#endif
    return memcmp(known, id, len + 1) == 0;
}

/* The first slot to probe for an id whose hash is H: the top bits of H
 * times the golden ratio (those of H alone are those of a product of the
 * id's bytes, and ids that differ in a few digits shared too few of them). */
static size_t valid_slot(const struct tc_sim *sim, uint64_t h)
{
    return (size_t)((h * UINT64_C(0x9e3779b97f4a7c15)) >> sim->valid_shift);
}

/* Whether ID (a buffer of TC_INSTRUMENT_ID_MAX bytes; LEN bytes, then its
 * NUL) of hash H was found valid before. */
static int valid_has(const struct tc_sim *sim, const char *id, size_t len, uint64_t h)
{
    const size_t mask = sim->capvalid - 1;
    if (!sim->capvalid)
        return 0;
    for (size_t j = valid_slot(sim, h);; j = (j + 1) & mask) {
        const struct valid_id *v = &sim->valid[j];
        if (!v->id[0])
            return 0;
        if (v->hash == h && same_inst(v->id, id, len))
            return 1;
    }
}

/* Puts ID (as valid_has; valid, and not in the set) of hash H in the set,
 * which grows past half full. Out of memory it is not kept: it is found
 * valid again next time. */
static void valid_add(struct tc_sim *sim, const char *id, uint64_t h)
{
    if ((sim->nvalid + 1) * 2 > sim->capvalid) {
        const size_t cap = sim->capvalid ? sim->capvalid * 2 : VALID_FIRST;
        struct valid_id *t, *old = sim->valid;
        const size_t oldcap = sim->capvalid;
        unsigned shift = 64;
        if (cap > SIZE_MAX / sizeof(*t) || !(t = calloc(cap, sizeof(*t))))
            return;
        for (size_t c = cap; c > 1; c >>= 1)
            shift--;
        sim->valid = t;
        sim->capvalid = cap;
        sim->valid_shift = shift;
        for (size_t k = 0; k < oldcap; k++) {
            size_t j;
            if (!old[k].id[0])
                continue;
            for (j = valid_slot(sim, old[k].hash); t[j].id[0]; j = (j + 1) & (cap - 1))
                ;
            t[j] = old[k];
        }
        free(old);
    }
    {
        size_t j;
        for (j = valid_slot(sim, h); sim->valid[j].id[0]; j = (j + 1) & (sim->capvalid - 1))
            ;
        sim->valid[j].hash = h;
        memcpy(sim->valid[j].id, id, sizeof(sim->valid[j].id));
        sim->nvalid++;
    }
}

/* Checks ORDER and writes the working order it becomes into *W (the book's
 * next slot: nothing is counted until the caller says so). CHECK_ID: whether
 * the id is checked too (tc__sim_submit_next's caller vouches for it). */
static int check_order(struct tc_sim *sim, const struct tc_sim_order *o, int check_id,
                       struct tc_sim_order *w, struct tc_error *err)
{
    char b[TC_DEC_STRLEN], b2[TC_DEC_STRLEN];
    const struct sim_instrument *in;
    uint64_t h;
    size_t ilen;
    int needs_limit, needs_stop, rc;

    if (check_id && !terminated(o->id, sizeof o->id))
        return tc_error_set(err, TC_EINVAL, "order id is longer than %d characters",
                            TC_SIM_ORDER_ID_MAX - 1);
    if (check_id && (rc = tc_id_validate("order", o->id, err)) != 0)
        return rc;
    ilen = tc__str_buf_len(o->instrument, TC_INSTRUMENT_ID_MAX);
    if (ilen == sizeof o->instrument)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": instrument is longer than %d characters",
                            o->id, TC_INSTRUMENT_ID_MAX - 1);
    h = tc__sim_hash(o->instrument, ilen);
    if (ilen == 0 || !valid_has(sim, o->instrument, ilen, h)) {
        if ((rc = tc_id_validate("instrument", o->instrument, err)) != 0)
            return tc_error_prefix(err, "order \"%s\"", o->id);
        valid_add(sim, o->instrument, h);
    }
    if (o->side != TC_SIM_BUY && o->side != TC_SIM_SELL)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": side %d is unknown", o->id, (int)o->side);
    if (o->type < TC_SIM_MARKET || o->type > TC_SIM_STOP_LIMIT)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": type %d is unknown", o->id, (int)o->type);
    if (o->tif != TC_SIM_DAY && o->tif != TC_SIM_GTC)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": tif %d is unknown", o->id, (int)o->tif);
    if (o->quantity.raw <= 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": quantity %s is not positive", o->id,
                            fmt(o->quantity, b));
    needs_limit = o->type == TC_SIM_LIMIT || o->type == TC_SIM_STOP_LIMIT;
    needs_stop = o->type == TC_SIM_STOP_MARKET || o->type == TC_SIM_STOP_LIMIT;
    if (needs_limit && o->limit.raw <= 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": limit %s is %s", o->id,
                            fmt(o->limit, b), o->limit.raw == 0 ? "missing" : "not positive");
    if (!needs_limit && o->limit.raw != 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": limit %s is not allowed on this type",
                            o->id, fmt(o->limit, b));
    if (needs_stop && o->stop.raw <= 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": stop %s is %s", o->id,
                            fmt(o->stop, b), o->stop.raw == 0 ? "missing" : "not positive");
    if (!needs_stop && o->stop.raw != 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": stop %s is not allowed on this type",
                            o->id, fmt(o->stop, b));
    if (o->tick.raw < 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": tick %s is negative", o->id,
                            fmt(o->tick, b));
    if (o->lot.raw < 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": lot %s is negative", o->id,
                            fmt(o->lot, b));

    /* the simulator's block is set by the caller: only the first is copied
     * (none when the order was written in its slot) */
    if (w != o) {
        memcpy(w->id, o->id, sizeof w->id);
        memcpy(w->instrument, o->instrument, sizeof w->instrument);
        w->side = o->side;
        w->type = o->type;
        w->tif = o->tif;
        w->quantity = o->quantity;
        w->limit = o->limit;
        w->stop = o->stop;
        w->created_day = o->created_day;
    }
    w->instrument_hash = h;
    in = sim->ninst ? find_inst(sim, o->instrument) : NULL;
    w->tick = o->tick.raw > 0 ? o->tick : in && in->tick.raw > 0 ? in->tick : sim->cfg.tick;
    w->lot = o->lot.raw > 0 ? o->lot : in && in->lot.raw > 0 ? in->lot : sim->cfg.lot;

    if (w->lot.raw > 0 && w->quantity.raw % w->lot.raw != 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": quantity %s is not a multiple of lot %s",
                            o->id, fmt(w->quantity, b), fmt(w->lot, b2));
    if (w->tick.raw > 0 && w->limit.raw % w->tick.raw != 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": limit %s is not a multiple of tick %s",
                            o->id, fmt(w->limit, b), fmt(w->tick, b2));
    if (w->tick.raw > 0 && w->stop.raw % w->tick.raw != 0)
        return tc_error_set(err, TC_EINVAL, "order \"%s\": stop %s is not a multiple of tick %s",
                            o->id, fmt(w->stop, b), fmt(w->tick, b2));
    return 0;
}

/* *W, the next slot for order ID; TC_EBUSY inside a bar, TC_ENOMEM. */
static int slot_for(struct tc_sim *sim, const char *id, struct tc_sim_order **w,
                    struct tc_error *err)
{
    if (sim->in_bar)
        return tc_error_set(err, TC_EBUSY, "order \"%.64s\": cannot be submitted inside a bar",
                            id);
    if (!(*w = next_slot(sim)))
        return tc_error_set(err, TC_ENOMEM, "order \"%.64s\": out of memory", id);
    return 0;
}

/* The order checked into W, the next slot (ORDER may be W itself), counts:
 * only once every check has passed. */
static int enter(struct tc_sim *sim, const struct tc_sim_order *order, int check_id,
                 struct tc_sim_order *w, struct tc_error *err)
{
    int rc;

    if ((rc = check_order(sim, order, check_id, w, err)) != 0)
        return rc;
    if (check_id && find_order(sim, w->id) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "order \"%s\": id is already working", w->id);
    w->status = TC_SIM_WORKING;
    w->filled = TC_DEC_ZERO;
    w->commission = TC_DEC_ZERO;
    w->fills = 0;
    w->triggered = 0;
    w->last_day = INT64_MIN;
    w->seq = sim->next_seq++;
    sim->n++;
    return 0;
}

struct tc_sim_order *tc__sim_next_order(struct tc_sim *sim, const char *id, struct tc_error *err)
{
    struct tc_sim_order *w = NULL;
    if (slot_for(sim, id, &w, err) != 0)
        return NULL;
    sim->handed = 1;
    sim->handed_slot = sim->ord[sim->n];
    return w;
}

int tc__sim_submit_next(struct tc_sim *sim, struct tc_error *err)
{
    struct tc_sim_order *w;
    int rc;

    if (sim->n == sim->npool) /* no slot handed out past the working orders */
        return tc_error_set(err, TC_EINVAL, "order: none written in the next slot");
    w = order_at(sim, sim->n);
    if (sim->in_bar) /* its slot asked for before the bar */
        return tc_error_set(err, TC_EBUSY, "order \"%.64s\": cannot be submitted inside a bar",
                            w->id);
    /* the slot handed out, still the next one: a submit, a cancel or a bar
     * since may have put another slot (a stale order) there */
    if (!sim->handed || sim->handed_slot != sim->ord[sim->n])
        return tc_error_set(err, TC_EINVAL,
                            "order \"%.64s\": its slot was not handed out by "
                            "tc__sim_next_order since the book last changed", w->id);
    if ((rc = enter(sim, w, 0, w, err)) == 0)
        sim->handed = 0;
    return rc;
}

void tc__sim_bare_fills(struct tc_sim *sim) { sim->bare = 1; }

/* The book grows first (a bigger book is not a changed one), then the
 * order is checked into its next slot. */
int tc_sim_submit(struct tc_sim *sim, const struct tc_sim_order *order, struct tc_error *err)
{
    struct tc_sim_order *w;
    int rc;

    if (sim == NULL || order == NULL)
        return tc_error_set(err, TC_EINVAL, "order: missing");
    if ((rc = slot_for(sim, order->id, &w, err)) != 0)
        return rc;
    sim->handed = 0; /* its slot is this order's now */
    return enter(sim, order, 1, w, err);
}

int tc_sim_cancel(struct tc_sim *sim, const char *id, struct tc_sim_order *out,
                  struct tc_error *err)
{
    long i;

    if (sim == NULL || id == NULL)
        return tc_error_set(err, TC_EINVAL, "order id: missing");
    if (sim->in_bar)
        return tc_error_set(err, TC_EBUSY, "order \"%.64s\": cannot be cancelled inside a bar", id);
    i = find_order(sim, id);
    if (i < 0)
        return tc_error_set(err, TC_ENOTFOUND, "order \"%.64s\": no working order has this id", id);
    sim->handed = 0; /* the canceled order's slot becomes the next */
    {
        const uint32_t slot = sim->ord[i];
        sim->pool[slot].status = TC_SIM_CANCELLED;
        if (out != NULL)
            *out = sim->pool[slot];
        /* its slot goes free, after the working ones */
        memmove(&sim->ord[i], &sim->ord[i + 1], (sim->n - (size_t)i - 1) * sizeof *sim->ord);
        sim->ord[--sim->n] = slot;
    }
    return 0;
}

size_t tc_sim_open_orders(const struct tc_sim *sim, struct tc_sim_order *out, size_t cap)
{
    if (sim == NULL)
        return 0;
    for (size_t i = 0; i < sim->n && i < cap; i++)
        out[i] = *order_at(sim, i);
    return sim->n;
}

int tc_sim_get(const struct tc_sim *sim, const char *id, struct tc_sim_order *out,
               struct tc_error *err)
{
    long i;

    if (sim == NULL || id == NULL || out == NULL)
        return tc_error_set(err, TC_EINVAL, "order id: missing");
    i = find_order(sim, id);
    if (i < 0)
        return tc_error_set(err, TC_ENOTFOUND, "order \"%.64s\": no working order has this id", id);
    *out = *order_at(sim, (size_t)i);
    return 0;
}

/* The rule of tc_sim_bar_ok on raw prices: open, high and close are
 * positive when they are at least a positive low, and low <= high when an
 * open lies between them. */
static inline int prices_ok(int64_t o, int64_t h, int64_t l, int64_t c, int64_t volume)
{
    return l > 0 && o >= l && o <= h && c >= l && c <= h && volume >= 0;
}

int tc_sim_bar_ok(const struct tc_bar *b)
{
    return prices_ok(b->open.raw, b->high.raw, b->low.raw, b->close.raw, b->volume);
}

/* Bars a step of the scan between two looks at its verdict. */
#define SCAN_STEP 8

/*
 * The wide part of scan: whole steps of SCAN_STEP bars from I while each is
 * good, their closes added to *TOTAL; returns the first bar not judged (the
 * start of a step with a refused bar, or of the last part step). The rule is
 * judged by the sign bits of low, low - 1, open, high, close, volume,
 * open - low, high - open, close - low and high - close, all clear exactly
 * when prices_ok holds (with low, open, high and close not negative the
 * differences cannot wrap).
 */
#if defined(SIM_SSE2)
static size_t scan_sse2(const int64_t *o, const int64_t *h, const int64_t *l, const int64_t *c,
                        const int64_t *v, size_t i, size_t to, uint64_t *total)
{
    __m128i acc_sum = _mm_setzero_si128();
    const __m128i one = _mm_set1_epi64x(1);
    uint64_t lanes[2];
    for (; to - i >= SCAN_STEP; i += SCAN_STEP) {
        __m128i bad = _mm_setzero_si128(), step_sum = _mm_setzero_si128();
        for (size_t j = i; j < i + SCAN_STEP; j += 2) {
            const __m128i xo = _mm_loadu_si128((const __m128i *)(const void *)(o + j));
            const __m128i xh = _mm_loadu_si128((const __m128i *)(const void *)(h + j));
            const __m128i xl = _mm_loadu_si128((const __m128i *)(const void *)(l + j));
            const __m128i xc = _mm_loadu_si128((const __m128i *)(const void *)(c + j));
            const __m128i xv = _mm_loadu_si128((const __m128i *)(const void *)(v + j));
            __m128i x = _mm_or_si128(_mm_or_si128(xl, _mm_sub_epi64(xl, one)),
                                     _mm_or_si128(_mm_or_si128(xo, xh), _mm_or_si128(xc, xv)));
            x = _mm_or_si128(x, _mm_or_si128(_mm_sub_epi64(xo, xl), _mm_sub_epi64(xh, xo)));
            x = _mm_or_si128(x, _mm_or_si128(_mm_sub_epi64(xc, xl), _mm_sub_epi64(xh, xc)));
            bad = _mm_or_si128(bad, x);
            step_sum = _mm_add_epi64(step_sum, xc);
        }
        if (_mm_movemask_pd(_mm_castsi128_pd(bad)))
            break; /* judged again bar by bar, its closes with it */
        acc_sum = _mm_add_epi64(acc_sum, step_sum);
    }
    _mm_storeu_si128((__m128i *)(void *)lanes, acc_sum);
    *total += lanes[0] + lanes[1];
    return i;
}
#endif

#if defined(SIM_AVX2)
/* scan_sse2 four bars a register, for a processor with AVX2 (scan_level). */
__attribute__((target("avx2"))) static size_t scan_avx2(const int64_t *o, const int64_t *h,
                                                         const int64_t *l, const int64_t *c,
                                                         const int64_t *v, size_t i, size_t to,
                                                         uint64_t *total)
{
    __m256i acc_sum = _mm256_setzero_si256();
    const __m256i one = _mm256_set1_epi64x(1);
    uint64_t lanes[4];
    for (; to - i >= SCAN_STEP; i += SCAN_STEP) {
        __m256i bad = _mm256_setzero_si256(), step_sum = _mm256_setzero_si256();
        for (size_t j = i; j < i + SCAN_STEP; j += 4) {
            const __m256i xo = _mm256_loadu_si256((const __m256i *)(const void *)(o + j));
            const __m256i xh = _mm256_loadu_si256((const __m256i *)(const void *)(h + j));
            const __m256i xl = _mm256_loadu_si256((const __m256i *)(const void *)(l + j));
            const __m256i xc = _mm256_loadu_si256((const __m256i *)(const void *)(c + j));
            const __m256i xv = _mm256_loadu_si256((const __m256i *)(const void *)(v + j));
            __m256i x = _mm256_or_si256(
                _mm256_or_si256(xl, _mm256_sub_epi64(xl, one)),
                _mm256_or_si256(_mm256_or_si256(xo, xh), _mm256_or_si256(xc, xv)));
            x = _mm256_or_si256(x, _mm256_or_si256(_mm256_sub_epi64(xo, xl),
                                                   _mm256_sub_epi64(xh, xo)));
            x = _mm256_or_si256(x, _mm256_or_si256(_mm256_sub_epi64(xc, xl),
                                                   _mm256_sub_epi64(xh, xc)));
            bad = _mm256_or_si256(bad, x);
            step_sum = _mm256_add_epi64(step_sum, xc);
        }
        if (_mm256_movemask_pd(_mm256_castsi256_pd(bad)))
            break; /* judged again bar by bar, its closes with it */
        acc_sum = _mm256_add_epi64(acc_sum, step_sum);
    }
    _mm256_storeu_si256((__m256i *)(void *)lanes, acc_sum);
    *total += lanes[0] + lanes[1] + lanes[2] + lanes[3];
    return i;
}
#endif

/* The widest scan this processor runs: 2 with AVX2, 1 with SSE2, else 0. */
static int scan_level(void)
{
#if defined(SIM_AVX2)
    return __builtin_cpu_supports("avx2") ? 2 : 1;
#elif defined(SIM_SSE2)
    return 1;
#else
    return 0;
#endif
}

/*
 * The first of the bars [FROM, TO) of S that prices_ok refuses, or TO; the
 * closes of [FROM, TO) added to *SUM (modulo 2^64). LEVEL: the widest steps
 * to take (0 bar by bar, 1 SSE2, 2 AVX2 where the processor has it); a step
 * with a refused bar, and the bars after the last whole step, are judged
 * bar by bar.
 */
static size_t scan(const struct tc_bar_series *s, size_t from, size_t to, uint64_t *sum, int level)
{
    _Static_assert(sizeof(struct tc_dec) == sizeof(int64_t), "a price column is int64 raws");
    const struct tc_dec *const o = s->open, *const h = s->high, *const l = s->low,
                        *const c = s->close;
    const int64_t *const v = s->volume;
    size_t i = from;
    uint64_t total = 0;

    /* the columns' raw values (a tc_dec is its raw int64; NULL columns of
     * an empty series stay NULL, and are not read) */
#define RAWS(col) ((const int64_t *)(const void *)(col))
    (void)level;
#if defined(SIM_AVX2)
    if (level >= 2 && scan_level() >= 2)
        i = scan_avx2(RAWS(o), RAWS(h), RAWS(l), RAWS(c), v, i, to, &total);
    else
#endif
#if defined(SIM_SSE2)
    if (level >= 1)
        i = scan_sse2(RAWS(o), RAWS(h), RAWS(l), RAWS(c), v, i, to, &total);
#endif
#undef RAWS
    for (; i < to; i++) {
        if (!prices_ok(o[i].raw, h[i].raw, l[i].raw, c[i].raw, v[i]))
            break;
        total += (uint64_t)c[i].raw;
    }
    {
        const size_t bad = i;
        for (; i < to; i++)
            total += (uint64_t)c[i].raw;
        *sum += total;
        return bad;
    }
}

size_t tc_sim_series_ok(const struct tc_bar_series *s, size_t from, size_t to)
{
    uint64_t sum = 0;
    return scan(s, from, to, &sum, 2);
}

size_t tc_sim_series_scan(const struct tc_bar_series *s, size_t from, size_t to,
                          uint64_t *close_sum)
{
    return scan(s, from, to, close_sum, 2);
}

size_t tc__sim_series_scan_level(const struct tc_bar_series *s, size_t from, size_t to,
                                 uint64_t *close_sum, int level)
{
    return scan(s, from, to, close_sum, level);
}

static int check_bar(const char *instrument, const struct tc_bar *b, struct tc_error *err)
{
    char d1[TC_DEC_STRLEN], d2[TC_DEC_STRLEN];
    int y, m, d;

    if (prices_ok(b->open.raw, b->high.raw, b->low.raw, b->close.raw, b->volume))
        return 0;

    /* the date is worked out only for the message */
#define BAR_FAIL(...)                                                                    \
    do {                                                                                 \
        tc_error_set(err, TC_EINVAL, __VA_ARGS__);                                       \
        tc_civil_from_days(b->day, &y, &m, &d);                                          \
        return tc_error_prefix(err, "instrument \"%s\" bar %04d-%02d-%02d", instrument, y, m, d); \
    } while (0)
    if (b->open.raw <= 0 || b->high.raw <= 0 || b->low.raw <= 0 || b->close.raw <= 0)
        BAR_FAIL("prices must be positive (open %s, low %s)", fmt(b->open, d1), fmt(b->low, d2));
    if (tc_dec_cmp(b->low, b->high) > 0)
        BAR_FAIL("low %s is above high %s", fmt(b->low, d1), fmt(b->high, d2));
    if (tc_dec_cmp(b->open, b->low) < 0 || tc_dec_cmp(b->open, b->high) > 0)
        BAR_FAIL("open %s is outside [low, high]", fmt(b->open, d1));
    if (tc_dec_cmp(b->close, b->low) < 0 || tc_dec_cmp(b->close, b->high) > 0)
        BAR_FAIL("close %s is outside [low, high]", fmt(b->close, d1));
    if (b->volume < 0)
        BAR_FAIL("volume %lld is negative", (long long)b->volume);
#undef BAR_FAIL
    return 0;
}

/* "<order id>-F<n>" into BUF (TC_SIM_EXEC_ID_MAX bytes: an id has at most
 * 64 characters, n at most 10 digits). */
static void exec_id(char *buf, const char *id, uint32_t n)
{
    char digits[10];
    size_t len = strlen(id), k = 0;

    memcpy(buf, id, len);
    buf[len++] = '-';
    buf[len++] = 'F';
    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (k)
        buf[len++] = digits[--k];
    buf[len] = '\0';
}

/*
 * Matches one order against the bar: decides and applies its fill and its
 * expiry, then reports them. *BUDGET is what the bar still offers (raw
 * quantity; -1 = no cap).
 */
static int match(struct tc_sim *sim, struct tc_sim_order *o, const struct tc_bar *bar,
                 int64_t *budget, tc_sim_event_fn fn, void *ud, struct tc_error *err)
{
    struct tc_sim_fill fill;
    struct tc_sim_event ev;
    struct tc_dec base, price, value, comm, qty, filled, total_comm;
    int trig = 0, expire, rc = 0, fills = 0;

    if (tc__sim_base_price(o, bar, sim->cfg.fill_at == TC_SIM_FILL_CLOSE, &base, &trig)) {
        qty.raw = o->quantity.raw - o->filled.raw;
        if (*budget >= 0 && qty.raw > *budget) {
            qty.raw = *budget;
            if (o->lot.raw > 0)
                qty.raw -= qty.raw % o->lot.raw;
        }
        fills = qty.raw > 0;
    }
    if (fills) {
        /* without slippage or tick a market price (the open, the close, a
         * reached stop) is a price of the bar already: nothing to move */
        if (sim->slip.raw == 0 && o->tick.raw == 0 &&
            (o->type == TC_SIM_MARKET || o->type == TC_SIM_STOP_MARKET))
            price = base;
        else if ((rc = tc__sim_fill_price(o, bar, sim->slip, base, &price)) != 0)
            return tc_error_set(err, rc, "order \"%s\": fill amount out of range on day %lld",
                                o->id, (long long)bar->day);
        comm = TC_DEC_ZERO;
        if ((rc = tc_dec_mul_fast(price, qty, TC_ROUND_HALF_EVEN, &value)) != 0 ||
            (sim->cfg.commission != TC_SIM_COMM_NONE &&
             (rc = tc__sim_commission(&sim->cfg, qty, value, o->fills, &comm)) != 0) ||
            (rc = tc_dec_add_fast(o->filled, qty, &filled)) != 0 ||
            (rc = tc_dec_add_fast(o->commission, comm, &total_comm)) != 0)
            return tc_error_set(err, rc, "order \"%s\": fill amount out of range on day %lld",
                                o->id, (long long)bar->day);
        if (*budget >= 0)
            *budget -= qty.raw;
        o->filled = filled;
        o->commission = total_comm;
        o->fills++;
        o->status = tc_dec_cmp(filled, o->quantity) == 0 ? TC_SIM_FILLED : TC_SIM_PARTIAL;
    }
    o->triggered = trig;
    o->last_day = bar->day;
    expire = o->tif == TC_SIM_DAY && o->status != TC_SIM_FILLED;

    if (fills && fn != NULL) {
        if (sim->bare) {
            fill.order_id[0] = '\0';
            fill.exec_id[0] = '\0';
        } else {
            memcpy(fill.order_id, o->id, sizeof fill.order_id);
            exec_id(fill.exec_id, o->id, o->fills);
        }
        fill.seq = o->fills;
        fill.day = bar->day;
        fill.side = o->side;
        fill.quantity = qty;
        fill.price = price;
        fill.value = value;
        fill.commission = comm;
        ev.kind = TC_SIM_EV_FILL;
        ev.order = o;
        ev.fill = &fill;
        rc = fn(ud, &ev);
    }
    if (expire)
        o->status = TC_SIM_EXPIRED;
    if (rc == 0 && expire && fn != NULL) {
        ev.kind = TC_SIM_EV_EXPIRED;
        ev.order = o;
        ev.fill = NULL;
        rc = fn(ud, &ev);
    }
    if (rc != 0) {
        if (rc > 0)
            rc = TC_EINTERNAL;
        return tc_error_set(err, rc, "order \"%s\": event callback failed (%s)", o->id,
                            tc_strerror_name(rc));
    }
    return 0;
}

int tc_sim_on_bar(struct tc_sim *sim, const char *instrument, const struct tc_bar *bar,
                  tc_sim_event_fn fn, void *ud, struct tc_error *err)
{
    uint64_t h;
    int64_t budget = -1;
    int fill_close, hashed, rc = 0;
    size_t i, j, first = 0, nend = 0;

    if (sim == NULL || instrument == NULL || bar == NULL)
        return tc_error_set(err, TC_EINVAL, "bar: missing simulator, instrument or bar");
    if (sim->in_bar)
        return tc_error_set(err, TC_EBUSY, "instrument \"%.64s\": bar fed inside a bar", instrument);
    if ((rc = check_bar(instrument, bar, err)) != 0)
        return rc;
    if (sim->cfg.volume_cap.raw > 0)
        budget = tc__sim_cap_raw(sim->cfg.volume_cap, bar->volume);
    /* the hash only filters: a book of one or two orders is cheaper to
     * compare by name alone */
    hashed = sim->n > 2;
    h = hashed ? tc__sim_hash(instrument, strlen(instrument)) : 0;
    fill_close = sim->cfg.fill_at == TC_SIM_FILL_CLOSE;
    sim->in_bar = 1;
    for (i = 0; i < sim->n; i++) {
        struct tc_sim_order *o = order_at(sim, i);
        if ((hashed && o->instrument_hash != h) || bar->day <= o->last_day ||
            strcmp(o->instrument, instrument) != 0)
            continue;
        if (fill_close && o->type == TC_SIM_MARKET ? bar->day < o->created_day
                                                   : bar->day <= o->created_day)
            continue;
        rc = match(sim, o, bar, &budget, fn, ud, err);
        if ((o->status == TC_SIM_FILLED || o->status == TC_SIM_EXPIRED) && nend++ == 0)
            first = i;
        if (rc != 0)
            break;
    }
    sim->in_bar = 0;
    if (nend == 1) {
        /* one ended (a bar fills one order, as a rule): the slot numbers
         * after it move down a place and its own goes behind them, free
         * (what the swaps below come to for one) */
        uint32_t *const ord = sim->ord;
        const uint32_t t = ord[first];
        sim->handed = 0; /* the ended order's slot goes free before the next */
        memmove(ord + first, ord + first + 1, (sim->n - first - 1) * sizeof(*ord));
        ord[--sim->n] = t;
    } else if (nend > 1) {
        sim->handed = 0; /* the ended orders' slots go free before the next */
        /* the working orders' slot numbers kept in order; the ended ones'
         * swapped behind them go free (those before the first that ended
         * stay where they are) */
        uint32_t *const ord = sim->ord;
        for (i = first, j = first; i < sim->n; i++) {
            const enum tc_sim_status st = sim->pool[ord[i]].status;
            if (st != TC_SIM_FILLED && st != TC_SIM_EXPIRED) {
                if (j != i) {
                    const uint32_t t = ord[j];
                    ord[j] = ord[i];
                    ord[i] = t;
                }
                j++;
            }
        }
        sim->n = j;
    }
    return rc;
}
