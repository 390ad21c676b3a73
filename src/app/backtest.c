/* The backtest runner: walks the sessions, moves the TimeMachine and the
 * clock to each close, feeds bars to the `sim` broker (fills go to the
 * ledger), calls the strategies (signals go through the ledger), records
 * equity, fills and closed trades, then computes the metrics. The per-bar
 * path touches memory only; without a runtime store the ledger is in memory
 * too (no SQL at all), with one its transactions run per signal and fill. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/sha256.h"
#include "core/str.h"
#include "tradecore/accounts.h"
#include "tradecore/actions.h"
#include "tradecore/backtest.h"
#include "tradecore/broker_sim.h"
#include "tradecore/clock.h"
#include "tradecore/ledger.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/timemachine.h"
#include "internal/banned.h"

#define US_PER_DAY INT64_C(86400000000)

/* What the portfolio holds in one instrument, rebuilt after fills. */
struct ibook {
    /* what the equity point reads of an open book, side by side: one line
     * of the book, as a rule, each session */
    struct tc_dec units;   /* Σ signed quantity × multiplier of filled layers */
    struct tc_dec cost;    /* Σ signed quantity × entry price × multiplier */
    int64_t whole;         /* units as an integer when they are whole (is_whole), set
                              with them by refresh: the equity point multiplies by it */
    unsigned char is_whole;
    unsigned char mark;    /* listed in mark_list: refresh rebuilds this book */
    unsigned char open;    /* its bit set in open_bits (units != 0) */
    unsigned char born;    /* listed in born_list: has a position new this session */
    struct tc_dec qty;     /* Σ quantity of filled layers */
    int layers;            /* open layers, unfilled entries included */
    enum tc_side side;
    size_t cursor, end;    /* first bar to feed; end of the range (the loop keeps its
                              cursor in view[k].n, and the latest close is the view's last) */
    struct tc_bar_view cols; /* the series' columns from bar 0: the per-bar path
                                reads them here, beside the cursor */
    struct tracked *trk;   /* its tracked positions, in the run's order (seq) */
    size_t ntrk, captrk;
    struct tc_corp_action *acts; /* its corporate actions (from cfg.historical) */
    size_t nacts;
    uint64_t close_sum;    /* Σ close raw of [cursor, end), modulo 2^64 (the run id's) */
};

/*
 * A position of the run as the ledger's change feed last gave it (on_change):
 * never read back. CLOSED keeps what its trade row needs.
 */
struct tracked {
    char position_id[TC_ID_BUFSZ];
    uint64_t seq;          /* the run's order of the tracked positions (order_tracked) */
    size_t ix;
    int64_t entry_day;     /* -1 until something of it fills */
    size_t ctx;            /* the strategy that opened it */
    int closed;            /* closed: a trade at the next refresh */
    struct tc_dec entry_price, closed_qty, exit_price, realized, commission;
    /* what it adds to its instrument's book */
    struct tc_dec units, cost, qty;
    enum tc_side side;
};

struct pending_fill {
    size_t ctx;
    struct tc_strategy_fill f;
};

/* A fill and a closed trade as the run keeps them until its end: the
 * instrument by handle (its name is written once, into the result's
 * tc_run_fill and tc_run_trade, when the run ends). */
struct fill_rec {
    int64_t day;
    struct tc_dec quantity, price, commission;
    uint32_t ix;
    char side;
};

struct trade_rec {
    int64_t entry_day, exit_day;
    struct tc_dec quantity, entry_price, exit_price, gross_pnl, commission, net_pnl;
    uint32_t ix;
    char side;
};
/* finish_records writes each record over itself, from the last */
_Static_assert(sizeof(struct fill_rec) <= sizeof(struct tc_run_fill), "fill record too large");
_Static_assert(sizeof(struct trade_rec) <= sizeof(struct tc_run_trade), "trade record too large");
_Static_assert(sizeof(((struct tc_run_fill *)0)->instrument_id) == TC_INSTRUMENT_ID_MAX &&
                   sizeof(((struct tc_run_trade *)0)->instrument_id) == TC_INSTRUMENT_ID_MAX,
               "a record's instrument id is a series' id buffer");

struct run {
    const struct tc_backtest_config *cfg;
    struct tc_backtest_result *res;
    struct tc_store *mem, *rt, *hist;
    int wrote;                        /* the run may have rows in rt: a failure removes them */
    struct tc_manual_clock mc;
    struct tc_broker *broker;
    struct tc_ledger *ledger;
    struct tc_ledger_seq_ids ids;     /* ledger ids from the run id: reruns store the same rows */
    struct tc_tm *tm;
    size_t ni;
    struct ibook *book;
    uint64_t *open_bits;              /* [(ni + 63) / 64] bit ix: units != 0 */
    struct tc_strategy_ctx **ctx;
    size_t nctx;
    size_t *ctx_class;                /* index into cfg->strategies */
    char (*sid)[TC_ID_BUFSZ];         /* strategy ids, per ctx */
    uint64_t seq;                     /* the next tracked position's */
    struct tracked **scratch;         /* refresh: the marked books' positions */
    size_t capscratch;
    size_t *born_list, n_born;        /* instruments with a position new this session */
    struct fill_rec *fills;
    size_t nfills, capfills;
    struct trade_rec *trades;
    size_t ntrades, captrades;
    size_t *mark_list, n_mark;        /* instruments whose book refresh rebuilds */
    unsigned char *on_fill;           /* [nctx] the class has on_fill */
    int any_on_fill;
    size_t bar_ix;                    /* the instrument of the signal or bar at hand (a hint) */
    char foreign[TC_ID_BUFSZ];        /* a filled instrument the run does not have */
    struct pending_fill *pf;
    size_t npf, cappf;
    struct tc_equity_point *eq;
    int64_t *sessions;
    size_t nsessions;
    struct tc_dec cash;               /* the portfolio state's, from the change feed */
    int overflow;                     /* a position's value overflowed in the feed */
    int dirty;
    int64_t day;
    int oom;
    /* the loop's own (loop_begin, loop_end): the session's bars as given to
     * the strategies, and what moves them */
    struct tc_bar_view *view;         /* [ni] columns up to the cursor: nothing after the session */
    size_t *from;                     /* [ni] first bar new this session */
    size_t *changed, nchanged;        /* instruments with a new bar this session */
    int64_t *next_day;                /* [ni] day of the next bar to feed, INT64_MAX at the end */
    const int64_t **day_of;           /* [ni] day_of[k][i] is the day of bar i of [cursor, end):
                                         the sessions where the series has a bar on every
                                         session of its range (loop_begin), else its day
                                         column (the shared array stays in cache) */
    size_t *ok_to;                    /* [ni] the first bar of [cursor, end) the simulator
                                         refuses, or the end (check_bars; the loop moves it on) */
    int64_t ok_day;                   /* the earliest day of a bar not known good */
    size_t *end;                      /* [ni] end of the range */
    size_t cur_ctx;                   /* the strategy being called */
    int looping;                      /* the views are set: bars fed = their growth */
    /* instruments whose bars the broker must see: every one with a signal
     * since the broker last had nothing working (a superset of those with a
     * working order: orders come only from signals) */
    unsigned char *offer;             /* [ni] 1 = listed in offer_list */
    size_t *offer_list, n_offer;
    int offer_foreign;                /* a signal of an instrument without a series */
};

void tc_backtest_config_init(struct tc_backtest_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->from_day = INT64_MIN;
    cfg->to_day = INT64_MAX;
    tc_dec_from_int(100000, &cfg->cash);
    tc_sim_config_init(&cfg->sim);
}

void tc_backtest_result_release(struct tc_backtest_result *r)
{
    if (!r)
        return;
    free((void *)r->run.equity);
    free((void *)r->run.fills);
    free((void *)r->run.trades);
    free(r->params_json);
    memset(r, 0, sizeof(*r));
}

/* Room for element N (tc__grow, called only when the array must grow:
 * the per-signal and per-fill paths ask each time). */
static inline int grow(void **items, size_t *cap, size_t n, size_t size)
{
    return n < *cap ? 0 : tc__grow(items, cap, n, size, 64);
}

static const char *instance_name(const struct tc_backtest_strategy *s)
{
    return s->name[0] ? s->name : s->params.cls->name;
}

/* ---- checks and the run id -------------------------------------------------- */

static int check_config(const struct tc_backtest_config *cfg, struct tc_error *err)
{
    size_t enabled = 0;
    char a[TC_DATE_STRLEN], b[TC_DATE_STRLEN];
    int rc;

    if (!cfg->series || cfg->n_series == 0)
        return tc_error_set(err, TC_EINVAL, "backtest: no price series given");
    if (!cfg->strategies || cfg->n_strategies == 0)
        return tc_error_set(err, TC_EINVAL, "backtest: no strategy given");
    if (cfg->from_day > cfg->to_day) {
        tc_date_format(cfg->from_day, a);
        tc_date_format(cfg->to_day, b);
        return tc_error_set(err, TC_EINVAL, "backtest: from %s is after to %s", a, b);
    }
    if (tc_dec_sign(cfg->cash) <= 0) {
        tc_dec_format(cfg->cash, a, sizeof(a));
        return tc_error_set(err, TC_EINVAL, "backtest: cash %s must be positive", a);
    }
    if (cfg->run_id) {
        if ((rc = tc_id_validate("run", cfg->run_id, err)) != 0)
            return rc;
        if (strlen(cfg->run_id) > TC_BACKTEST_RUN_ID_MAX)
            return tc_error_set(err, TC_EINVAL, "run id \"%s\" is longer than %d characters",
                                cfg->run_id, TC_BACKTEST_RUN_ID_MAX);
    }
    for (size_t k = 0; k < cfg->n_series; k++) {
        if ((rc = tc_id_validate("instrument", cfg->series[k].instrument_id, err)) != 0)
            return rc;
        for (size_t j = 0; j < k; j++)
            if (strcmp(cfg->series[j].instrument_id, cfg->series[k].instrument_id) == 0)
                return tc_error_set(err, TC_EINVAL, "backtest: instrument \"%s\" is given twice",
                                    cfg->series[k].instrument_id);
    }
    for (size_t k = 0; k < cfg->n_strategies; k++) {
        const struct tc_backtest_strategy *s = &cfg->strategies[k];
        const char *name;
        if (!s->params.cls)
            return tc_error_set(err, TC_EINVAL, "backtest: strategy %zu has no class", k + 1);
        name = instance_name(s);
        if (!memchr(s->name, 0, sizeof(s->name)) || strlen(name) >= TC_BACKTEST_NAME_MAX)
            return tc_error_set(err, TC_EINVAL, "strategy name \"%.40s\" is longer than %d characters",
                                name, TC_BACKTEST_NAME_MAX - 1);
        if (!tc_id_is_valid(name))
            return tc_error_set(err, TC_EINVAL,
                                "strategy name \"%.40s\" is not an id (letters, digits, . _ : -)",
                                name);
        for (size_t j = 0; j < k; j++)
            if (strcmp(instance_name(&cfg->strategies[j]), name) == 0)
                return tc_error_set(err, TC_EINVAL, "backtest: strategy name \"%s\" is used twice",
                                    name);
        if ((rc = tc_strategy_params_check(&s->params, err)) != 0)
            return rc;
        enabled += s->enabled != 0;
    }
    if (!enabled)
        return tc_error_set(err, TC_EINVAL, "backtest: every strategy is disabled");
    return 0;
}

static void hash_text(struct tc__sha256_ctx *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void hash_text(struct tc__sha256_ctx *h, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        tc__sha256_update(h, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static int derive_run_id(struct run *r, char *out, size_t cap, struct tc_error *err)
{
    const struct tc_backtest_config *cfg = r->cfg;
    struct tc__sha256_ctx ctx, *const h = &ctx;
    unsigned char md[TC__SHA256_LEN];
    char js[TC_STRATEGY_JSON_MAX];
    const struct tc_sim_config *sc = &cfg->sim;

    tc__sha256_init(h);
    /* the sessions run, not the bounds asked for: bars beyond them change nothing */
    hash_text(h, "tradecore backtest 1\nfrom=%lld\nto=%lld\ncash=%lld\nrf=%.17g\ncal=%s\n",
              (long long)r->sessions[0], (long long)r->sessions[r->nsessions - 1],
              (long long)cfg->cash.raw,
              cfg->risk_free_rate, cfg->calendar ? tc_calendar_mic(cfg->calendar) : "-");
    hash_text(h, "sim=%d,%d,%lld,%lld,%d,%lld,%lld,%lld,%lld,%d,%lld,%lld\n", (int)sc->fill_at,
              (int)sc->slippage, (long long)sc->slippage_value.raw, (long long)sc->volume_cap.raw,
              (int)sc->commission, (long long)sc->comm_rate.raw, (long long)sc->comm_min.raw,
              (long long)sc->comm_max.raw, (long long)sc->comm_fixed.raw, sc->commission_places,
              (long long)sc->tick.raw, (long long)sc->lot.raw);
    for (size_t k = 0; k < cfg->n_strategies; k++) {
        const struct tc_backtest_strategy *s = &cfg->strategies[k];
        tc_strategy_params_json(&s->params, js, sizeof(js));
        hash_text(h, "strategy=%s,%s,%d,%s\n", instance_name(s), s->params.cls->name,
                  s->enabled != 0, js);
    }
    for (size_t k = 0; k < r->ni; k++) {
        const struct tc_bar_series *s = &cfg->series[k];
        const struct ibook *b = &r->book[k];
        const uint64_t sum = b->close_sum; /* check_bars' */
        hash_text(h, "series=%s,%zu,%lld,%lld,%llu\n", s->instrument_id, b->end - b->cursor,
                  (long long)(b->end > b->cursor ? s->day[b->cursor] : 0),
                  (long long)(b->end > b->cursor ? s->day[b->end - 1] : 0),
                  (unsigned long long)sum);
    }
    /* corporate actions count (adjusted reads use them); none adds nothing,
     * so runs without them keep their ids */
    for (size_t k = 0; k < r->ni; k++) {
        const struct ibook *b = &r->book[k];
        for (size_t a = 0; a < b->nacts; a++)
            hash_text(h, "action=%s,%lld,%d,%lld,%lld\n", cfg->series[k].instrument_id,
                      (long long)b->acts[a].ex_date, (int)b->acts[a].kind,
                      (long long)b->acts[a].ratio.raw, (long long)b->acts[a].amount.raw);
    }
    if (tc__sha256_final(h, md) != 0)
        return tc_error_set(err, TC_EINTERNAL, "backtest: sha256 is not available");
    snprintf(out, cap, "bt-%02x%02x%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3], md[4],
             md[5], md[6], md[7]);
    return 0;
}

/* ---- sessions ------------------------------------------------------------------ */

static int range_of_series(struct run *r, int64_t *lo, int64_t *hi)
{
    const struct tc_backtest_config *cfg = r->cfg;
    int any = 0;
    for (size_t k = 0; k < r->ni; k++) {
        const struct tc_bar_series *s = &cfg->series[k];
        struct ibook *b = &r->book[k];
        long a = cfg->from_day == INT64_MIN ? -1 : tc_bar_series_find(s, cfg->from_day - 1);
        long e = cfg->to_day == INT64_MAX ? (long)s->n - 1 : tc_bar_series_find(s, cfg->to_day);
        b->cursor = (size_t)(a + 1);
        b->end = (size_t)(e + 1);
        if (b->end <= b->cursor) {
            b->end = b->cursor;
            continue;
        }
        if (!any || s->day[b->cursor] < *lo)
            *lo = s->day[b->cursor];
        if (!any || s->day[b->end - 1] > *hi)
            *hi = s->day[b->end - 1];
        any = 1;
    }
    return any;
}

/* Each instrument's bars of the run checked once, with the simulator's rule
 * (the first it refuses, if any, is fed to it when its session comes, to
 * fail the run there), in the same pass as the sum of their closes. */
static void check_bars(struct run *r)
{
    for (size_t k = 0; k < r->ni; k++) {
        struct ibook *b = &r->book[k];
        b->close_sum = 0;
        r->ok_to[k] = tc_sim_series_scan(&r->cfg->series[k], b->cursor, b->end, &b->close_sum);
    }
}

static int build_sessions(struct run *r, struct tc_error *err)
{
    const struct tc_backtest_config *cfg = r->cfg;
    int64_t lo = 0, hi = -1;
    char a[TC_DATE_STRLEN], b[TC_DATE_STRLEN];
    size_t total = 0, n = 0;
    int rc;

    if (!range_of_series(r, &lo, &hi)) {
        tc_date_format(cfg->from_day == INT64_MIN ? 0 : cfg->from_day, a);
        tc_date_format(cfg->to_day == INT64_MAX ? 2932896 : cfg->to_day, b);
        return tc_error_set(err, TC_ENOTFOUND, "backtest: no bars between %s and %s", a, b);
    }
    if (cfg->calendar) {
        rc = tc_calendar_sessions_alloc(cfg->calendar, lo, hi, &r->sessions, &r->nsessions, err);
        if (rc != 0)
            return tc_error_prefix(err, "backtest: sessions of %s", tc_calendar_mic(cfg->calendar));
        if (r->nsessions == 0)
            return tc_error_set(err, TC_ENOTFOUND, "backtest: no %s session with bars",
                                tc_calendar_mic(cfg->calendar));
        return 0;
    }
    /* the union of the dates: one mark per day of the range (linear, no sort) */
    {
        size_t span = (size_t)(hi - lo) + 1;
        unsigned char *mark = calloc(span, 1);
        const int64_t *prev = NULL; /* the days the last instrument marked */
        size_t nprev = 0;
        for (size_t k = 0; mark && k < r->ni; k++) {
            /* the marks may alias anything: the bounds are read once */
            const int64_t *const day = cfg->series[k].day;
            const size_t end = r->book[k].end;
            size_t i = r->book[k].cursor;
            /* the same days as the instrument before (series of one
             * calendar, as a rule): marked already */
            if (end - i == nprev && nprev && memcmp(day + i, prev, nprev * sizeof(*day)) == 0)
                continue;
            prev = day + i;
            nprev = end - i;
            for (; i < end && end - i >= 4; i += 4) { /* four a step */
                mark[day[i] - lo] = 1;
                mark[day[i + 1] - lo] = 1;
                mark[day[i + 2] - lo] = 1;
                mark[day[i + 3] - lo] = 1;
            }
            for (; i < end; i++)
                mark[day[i] - lo] = 1;
        }
        for (size_t d = 0; mark && d < span; d++)
            total += mark[d];
        if (!mark || !(r->sessions = malloc(total * sizeof(*r->sessions)))) {
            free(mark);
            return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
        }
        for (size_t d = 0; d < span; d++)
            if (mark[d])
                r->sessions[n++] = lo + (int64_t)d;
        r->nsessions = n;
        free(mark);
    }
    return 0;
}

/* ---- the book ------------------------------------------------------------------- */

/* Instrument IX's book is rebuilt at the next refresh. */
static void mark(struct run *r, size_t ix)
{
    if (!r->book[ix].mark) {
        r->book[ix].mark = 1;
        r->mark_list[r->n_mark++] = ix;
    }
}

/* A tracked position's part of its book, for MULT units per quantity. */
static int tracked_parts(struct tracked *t, struct tc_dec mult)
{
    if (tc_dec_mul_fast(t->qty, mult, TC_ROUND_HALF_EVEN, &t->units) != 0 ||
        tc_dec_mul_fast(t->units, t->entry_price, TC_ROUND_HALF_EVEN, &t->cost) != 0 ||
        (t->side == TC_SIDE_SHORT &&
         (tc_dec_neg_fast(t->units, &t->units) != 0 || tc_dec_neg_fast(t->cost, &t->cost) != 0)))
        return -1;
    return 0;
}

/* The handle of instrument ID: the hint BAR_IX when it names it, else the
 * TimeMachine's; 0, or -1 when the run has no series of it. */
static int ix_of(struct run *r, const char *id, size_t *ix)
{
    if (r->bar_ix < r->ni && strcmp(r->cfg->series[r->bar_ix].instrument_id, id) == 0) {
        *ix = r->bar_ix;
        return 0;
    }
    return tc_tm_find(r->tm, id, ix, NULL) == 0 ? 0 : -1;
}

/* The tracked position of POSITION_ID in instrument IX, or NULL. */
static struct tracked *tracked_of(struct run *r, size_t ix, const char *position_id)
{
    struct ibook *b = &r->book[ix];
    for (size_t k = b->ntrk; k-- > 0;)
        if (strcmp(b->trk[k].position_id, position_id) == 0)
            return &b->trk[k];
    return NULL;
}

/*
 * The ledger's change feed (tc_ledger_change_fn): the portfolio's cash, and
 * each changed position as the ledger wrote it. A position not tracked yet
 * is new (a signal's entry, by the strategy being called); its instrument
 * counts the layer at once, so that the strategy sees it before the next
 * refresh. A failure is kept for refresh (the feed cannot return one).
 */
static void on_change(void *ud, const struct tc_position *pos, size_t npos,
                      const struct tc_portfolio_state *st)
{
    struct run *r = ud;

    if (st)
        r->cash = st->cash;
    for (size_t k = 0; k < npos; k++) {
        const struct tc_position *p = &pos[k];
        struct tracked *t;
        size_t ix;

        if (ix_of(r, p->instrument_id, &ix) != 0) {
            if (!r->foreign[0])
                tc__str_copy(r->foreign, sizeof(r->foreign), p->instrument_id);
            continue;
        }
        if (!(t = tracked_of(r, ix, p->position_id))) {
            struct ibook *b = &r->book[ix];
            if (grow((void **)&b->trk, &b->captrk, b->ntrk, sizeof(*b->trk)) != 0) {
                r->oom = 1;
                return;
            }
            t = &b->trk[b->ntrk++];
            /* not zeroed first: every field is written here and below (units
             * and cost by tracked_parts; should it overflow, the run fails) */
            /* the ledger's id buffer whole (a valid id: it fits; a fixed size, no call) */
            _Static_assert(sizeof(t->position_id) == sizeof(p->position_id), "the id's buffer");
            memcpy(t->position_id, p->position_id, sizeof(t->position_id));
            t->seq = r->seq++;
            if (!b->born) {
                b->born = 1;
                r->born_list[r->n_born++] = ix;
            }
            t->ix = ix;
            t->ctx = r->cur_ctx;
            t->entry_day = -1;
            if (r->book[ix].layers++ == 0)
                r->book[ix].side = p->side;
        }
        if (t->entry_day < 0 &&
            (tc_dec_sign(p->quantity) > 0 || tc_dec_sign(p->closed_quantity) > 0))
            t->entry_day = r->day;
        t->side = p->side;
        t->qty = p->quantity;
        t->closed = p->status == TC_POSITION_CLOSED;
        t->entry_price = p->entry_price;
        t->closed_qty = p->closed_quantity;
        t->exit_price = p->exit_price;
        t->realized = p->realized_pnl;
        t->commission = p->commission;
        if (tracked_parts(t, p->multiplier) != 0)
            r->overflow = 1;
        mark(r, ix);
        r->dirty = 1;
    }
}

/*
 * A new fill: kept for the result, its instrument's positions read again at
 * the next refresh, and the strategy's on_fill queued. The instrument is
 * the one whose bar the broker is matching (BAR_IX, checked by name), else
 * looked up.
 */
static void observer(void *ud, const struct tc_broker_sim_fill_event *ev)
{
    struct run *r = ud;
    const struct tc_order_intent *in = ev->intent;
    struct fill_rec *f;
    size_t ix = r->bar_ix;

    r->dirty = 1;
    if ((ix >= r->ni || strcmp(r->cfg->series[ix].instrument_id, in->instrument_id) != 0) &&
        tc_tm_find(r->tm, in->instrument_id, &ix, NULL) != 0) {
        if (!r->foreign[0])
            tc__str_copy(r->foreign, sizeof(r->foreign), in->instrument_id);
        return;
    }
    if (grow((void **)&r->fills, &r->capfills, r->nfills, sizeof(*r->fills)) != 0) {
        r->oom = 1;
        return;
    }
    f = &r->fills[r->nfills++];
    f->day = ev->day;
    f->quantity = ev->fill->quantity;
    f->price = ev->fill->price;
    f->commission = ev->fill->commission;
    f->ix = (uint32_t)ix;
    f->side = in->side == TC_ORDER_BUY ? 'B' : 'S';
    if (!r->any_on_fill)
        return;
    for (size_t c = 0; c < r->nctx; c++) {
        if (strcmp(r->sid[c], in->strategy_id) != 0)
            continue;
        if (!r->on_fill[c])
            break;
        if (grow((void **)&r->pf, &r->cappf, r->npf, sizeof(*r->pf)) != 0) {
            r->oom = 1;
            return;
        }
        struct pending_fill *p = &r->pf[r->npf++];
        memset(p, 0, sizeof(*p));
        p->ctx = c;
        p->f.ix = ix;
        p->f.day = ev->day;
        p->f.side = in->side;
        p->f.quantity = ev->fill->quantity;
        p->f.price = ev->fill->price;
        p->f.commission = ev->fill->commission;
        tc__str_copy(p->f.client_order_id, sizeof(p->f.client_order_id), in->client_order_id);
        break;
    }
}

/* Closed position T as a trade of the result. */
static int add_trade(struct run *r, const struct tracked *t, struct tc_error *err)
{
    struct trade_rec *tr;
    if (grow((void **)&r->trades, &r->captrades, r->ntrades, sizeof(*r->trades)) != 0)
        return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
    tr = &r->trades[r->ntrades];
    tr->ix = (uint32_t)t->ix;
    tr->side = t->side == TC_SIDE_SHORT ? 'S' : 'L';
    tr->entry_day = t->entry_day >= 0 ? t->entry_day : r->day;
    tr->exit_day = r->day;
    tr->quantity = t->closed_qty;
    tr->entry_price = t->entry_price;
    tr->exit_price = t->exit_price;
    tr->gross_pnl = t->realized;
    tr->commission = t->commission;
    if (tc_dec_sub_fast(tr->gross_pnl, tr->commission, &tr->net_pnl) != 0)
        return tc_error_set(err, TC_ERANGE, "backtest: net p&l of \"%s\" overflows",
                            t->position_id);
    r->ntrades++;
    return 0;
}

/* Instrument IX enters (ON) or leaves the open ones (a bit each: the
 * equity point visits them in increasing order). */
static void open_set(struct run *r, size_t ix, int on)
{
    const uint64_t bit = UINT64_C(1) << (ix % 64);
    if (on)
        r->open_bits[ix / 64] |= bit;
    else
        r->open_bits[ix / 64] &= ~bit;
    r->book[ix].open = (unsigned char)on;
}

/*
 * After the ledger's changes: the books of the marked instruments (a
 * position of theirs changed since the last refresh), rebuilt from their
 * tracked positions as the change feed left them; closed ones become
 * trades. A book is the exact sum of its open positions' parts, in the
 * order of its tracked positions (the run's order); the closed trades are
 * in the run's order of their positions across the books. A failure is
 * that of the first position in the run's order whose trade or part fails.
 */
static int refresh(struct run *r, struct tc_error *err)
{
    size_t total = 0, n = 0;
    const struct tracked *bad = NULL; /* the first position whose part overflows its book */
    int rc;

    if (r->oom)
        return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
    if (r->foreign[0])
        return tc_error_set(err, TC_ESTATE, "backtest: a fill or position of instrument \"%s\", "
                            "which has no series in the run", r->foreign);
    if (r->overflow)
        return tc_error_set(err, TC_ERANGE, "backtest: a position's value overflows");
    for (size_t m = 0; m < r->n_mark; m++)
        total += r->book[r->mark_list[m]].ntrk;
    if (grow((void **)&r->scratch, &r->capscratch, total ? total - 1 : 0,
             sizeof(*r->scratch)) != 0)
        return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
    /* each marked book summed again from its open positions, in its order
     * (a book's sums are its own: the books need not be merged); its closed
     * ones listed in the run's order, merged with the other books' */
    for (size_t m = 0; m < r->n_mark; m++) {
        struct ibook *b = &r->book[r->mark_list[m]];
        b->units = b->cost = b->qty = TC_DEC_ZERO;
        b->layers = 0;
        for (size_t j = 0; j < b->ntrk; j++) {
            struct tracked *t = &b->trk[j];
            if (t->closed) {
                size_t at = n++;
                for (; at > 0 && r->scratch[at - 1]->seq > t->seq; at--)
                    r->scratch[at] = r->scratch[at - 1];
                r->scratch[at] = t;
                continue;
            }
            b->layers++;
            b->side = t->side;
            if (tc_dec_add_fast(b->units, t->units, &b->units) != 0 ||
                tc_dec_add_fast(b->cost, t->cost, &b->cost) != 0 ||
                tc_dec_add_fast(b->qty, t->qty, &b->qty) != 0) {
                /* its later positions come after it: none fails before it */
                if (!bad || t->seq < bad->seq)
                    bad = t;
                break;
            }
        }
    }
    /* the trades of the positions before the first that overflows */
    for (size_t k = 0; k < n && (!bad || r->scratch[k]->seq < bad->seq); k++)
        if ((rc = add_trade(r, r->scratch[k], err)) != 0)
            return rc;
    if (bad)
        return tc_error_set(err, TC_ERANGE, "backtest: position \"%s\" value overflows",
                            bad->position_id);
    /* the books rebuilt: closed positions leave them; which are open now */
    for (size_t m = 0; m < r->n_mark; m++) {
        size_t ix = r->mark_list[m], kept = 0;
        struct ibook *b = &r->book[ix];
        int on = !tc_dec_is_zero(b->units);
        b->is_whole = b->units.raw % TC_DEC_ONE == 0;
        b->whole = b->units.raw / TC_DEC_ONE;
        for (size_t j = 0; j < b->ntrk; j++)
            if (!b->trk[j].closed) {
                if (kept != j) /* moved down over a closed one */
                    b->trk[kept] = b->trk[j];
                kept++;
            }
        b->ntrk = kept;
        if (on != b->open)
            open_set(r, ix, on);
        b->mark = 0;
    }
    r->n_mark = 0;
    r->dirty = 0;
    return 0;
}

static int host_position(void *ud, size_t ix, struct tc_strategy_position *out,
                         struct tc_error *err)
{
    struct run *r = ud;
    const struct ibook *b;
    if (ix >= r->ni)
        return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
    b = &r->book[ix];
    memset(out, 0, sizeof(*out));
    out->side = b->layers ? b->side : TC_SIDE_LONG;
    out->quantity = b->qty;
    out->layers = b->layers;
    if (!tc_dec_is_zero(b->units))
        tc_dec_div(b->cost, b->units, TC_ROUND_HALF_EVEN, &out->entry_price);
    return 0;
}

/* Instrument IX may have a working order from now on (offer_bars). */
static void offer_mark(struct run *r, size_t ix)
{
    if (!r->offer[ix]) {
        /* kept in increasing order: offer_bars feeds them in that order */
        size_t j = r->n_offer++;
        for (; j > 0 && r->offer_list[j - 1] > ix; j--)
            r->offer_list[j] = r->offer_list[j - 1];
        r->offer_list[j] = ix;
        r->offer[ix] = 1;
    }
}

static void offer_clear(struct run *r)
{
    for (size_t k = 0; k < r->n_offer; k++)
        r->offer[r->offer_list[k]] = 0;
    r->n_offer = 0;
    r->offer_foreign = 0;
}

static int host_submit(void *ud, const struct tc_signal *sig, struct tc_signal_outcome *out,
                       struct tc_error *err)
{
    struct run *r = ud;
    size_t ix = SIZE_MAX;
    int has_ix = tc_strategy_signal_ix(r->ctx[r->cur_ctx], sig, &ix, NULL) == 0;
    int rc;

    r->bar_ix = ix; /* the change feed's hint */
    rc = tc_ledger_submit(r->ledger, sig, out, err);
    /* whatever the outcome: its orders, if any, are working now */
    if (has_ix)
        offer_mark(r, ix);
    else
        r->offer_foreign = 1;
    if (rc != 0)
        return rc;
    r->res->signals++;
    if (out->status != TC_SIGNAL_ACCEPTED) {
        r->res->rejected++;
        return 0;
    }
    r->res->accepted++; /* its new positions came through the change feed */
    return 0;
}

/* ---- setup -------------------------------------------------------------------------- */

static const char *market_of(const struct run *r)
{
    return r->cfg->calendar ? tc_calendar_mic(r->cfg->calendar) : "SIM";
}

/* The instrument of series K when the run has no historical store: multiplier
 * 1, lot 1 (tc_instrument_init's defaults), in the run's market. Release it. */
static void series_instrument(const struct run *r, size_t k, struct tc_instrument *in)
{
    const char *id = r->cfg->series[k].instrument_id;
    tc_instrument_init(in);
    snprintf(in->instrument_id, sizeof(in->instrument_id), "%s", id);
    snprintf(in->market_id, sizeof(in->market_id), "%s", market_of(r));
    snprintf(in->symbol, sizeof(in->symbol), "%s", id);
    snprintf(in->currency, sizeof(in->currency), "USD");
    in->asset_class = TC_ASSET_EQUITY;
}

/* A caller's runtime store without a historical one: the series' market and
 * instruments in a private sqlite::memory: historical store (r->mem). */
static int setup_memory_historical(struct run *r, struct tc_error *err)
{
    const struct tc_backtest_config *cfg = r->cfg;
    struct tc_refdata rd = {r->hist, &r->mc.clock, "backtest"};
    struct tc_market m;
    int rc;

    memset(&m, 0, sizeof(m));
    snprintf(m.market_id, sizeof(m.market_id), "%s", market_of(r));
    snprintf(m.name, sizeof(m.name), "backtest market %s", m.market_id);
    snprintf(m.timezone, sizeof(m.timezone), "%s",
             cfg->calendar ? tc_calendar_zone(cfg->calendar) : "UTC");
    if ((rc = tc_refdata_market_create(&rd, &m, err)) != 0)
        return tc_error_prefix(err, "backtest");
    for (size_t k = 0; k < cfg->n_series; k++) {
        struct tc_instrument in;
        series_instrument(r, k, &in);
        rc = tc_refdata_instrument_create(&rd, &in, err);
        tc_instrument_release(&in);
        if (rc != 0)
            return tc_error_prefix(err, "backtest");
    }
    return 0;
}

/* The run's portfolio and strategy instances: rows of the caller's runtime
 * store (refused when the run id is already there), or, for the in-memory
 * ledger (no runtime store), definitions handed to it (tc_ledger_mem_add_*)
 * with the series' instruments when there is no historical store either. */
static int setup_accounts(struct run *r, struct tc_error *err)
{
    const struct tc_backtest_config *cfg = r->cfg;
    struct tc_accounts acc = {r->rt, &r->mc.clock, TC_LEDGER_BACKTEST_ACTOR};
    struct tc_portfolio_def p;
    int rc;

    if (r->rt) {
        struct tc_portfolio_def existing;
        struct tc_error e = {0};
        memset(&existing, 0, sizeof(existing));
        rc = tc_accounts_portfolio_get(&acc, r->res->run_id, &existing, &e);
        tc_portfolio_def_release(&existing);
        if (rc == 0)
            return tc_error_set(err, TC_ECONFLICT,
                                "run \"%s\" is already in the runtime store (give another run id)",
                                r->res->run_id);
        if (rc != TC_ENOTFOUND)
            return tc_error_set(err, rc, "backtest: %s", tc_error_msg(&e));
    }
    memset(&p, 0, sizeof(p));
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "%s", r->res->run_id);
    snprintf(p.name, sizeof(p.name), "backtest %s", r->res->run_id);
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    p.initial_capital = cfg->cash;
    rc = r->rt ? tc_accounts_portfolio_create(&acc, &p, err)
               : tc_ledger_mem_add_portfolio(r->ledger, &p, err);
    /* from here a failure removes the run's rows: also after a create whose
     * commit reported an error (it may have been durable), but not after
     * one refused because another writer has the id (those rows are not ours) */
    if (r->rt && rc != TC_ECONFLICT)
        r->wrote = 1;
    if (rc != 0)
        return tc_error_prefix(err, "backtest");
    for (size_t c = 0; c < r->nctx; c++) {
        const struct tc_backtest_strategy *bs = &cfg->strategies[r->ctx_class[c]];
        struct tc_strategy_def s;
        char params[TC_STRATEGY_JSON_MAX] = "{}";
        if (bs->params.cls->ledger_params &&
            (rc = bs->params.cls->ledger_params(&bs->params, params, sizeof(params), err)) != 0)
            return rc;
        memset(&s, 0, sizeof(s));
        snprintf(s.strategy_id, sizeof(s.strategy_id), "%s", r->sid[c]);
        snprintf(s.name, sizeof(s.name), "%s", bs->params.cls->name);
        s.enabled = 1;
        s.params = params;
        rc = r->rt ? tc_accounts_strategy_create(&acc, &s, err)
                   : tc_ledger_mem_add_strategy(r->ledger, &s, err);
        if (rc != 0)
            return tc_error_prefix(err, "backtest");
    }
    if (!r->rt && !r->hist) {
        for (size_t k = 0; k < r->ni; k++) {
            struct tc_instrument in;
            series_instrument(r, k, &in);
            rc = tc_ledger_mem_add_instrument(r->ledger, &in, err);
            tc_instrument_release(&in);
            if (rc != 0)
                return tc_error_prefix(err, "backtest");
        }
    }
    return 0;
}

/* The part of setup that comes before anything is opened or written: the
 * books, the sessions, the corporate actions and the run id (given or
 * derived) into r->res->run_id. tc_backtest_run_id stops after it. */
static int setup_id(struct run *r, struct tc_error *err)
{
    const struct tc_backtest_config *cfg = r->cfg;
    int rc;

    r->ni = cfg->n_series;
    if (!(r->book = calloc(r->ni, sizeof(*r->book))) ||
        !(r->open_bits = calloc(r->ni / 64 + 1, sizeof(*r->open_bits))) ||
        !(r->ctx = calloc(cfg->n_strategies, sizeof(*r->ctx))) ||
        !(r->ctx_class = calloc(cfg->n_strategies, sizeof(*r->ctx_class))) ||
        !(r->sid = calloc(cfg->n_strategies, sizeof(*r->sid))) ||
        !(r->offer = calloc(r->ni, sizeof(*r->offer))) ||
        !(r->offer_list = calloc(r->ni, sizeof(*r->offer_list))) ||
        !(r->mark_list = calloc(r->ni, sizeof(*r->mark_list))) ||
        !(r->born_list = calloc(r->ni, sizeof(*r->born_list))) ||
        !(r->ok_to = calloc(r->ni, sizeof(*r->ok_to))) ||
        !(r->on_fill = calloc(cfg->n_strategies, sizeof(*r->on_fill))))
        return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
    if (r->ni > UINT32_MAX)
        return tc_error_set(err, TC_EINVAL, "backtest: %zu series are more than %lu", r->ni,
                            (unsigned long)UINT32_MAX);
    for (size_t k = 0; k < r->ni; k++) {
        const struct tc_bar_series *s = &cfg->series[k];
        r->book[k].cols = (struct tc_bar_view){s->n,         s->day,    s->open,
                                               s->high,      s->low,    s->close,
                                               s->adj_close, s->volume, s->open_interest};
    }
    if ((rc = build_sessions(r, err)) != 0)
        return rc;
    check_bars(r);
    for (size_t k = 0; cfg->historical && k < r->ni; k++)
        if ((rc = tc_actions_load(cfg->historical, cfg->series[k].instrument_id, &r->book[k].acts,
                                  &r->book[k].nacts, err)) != 0)
            return tc_error_prefix(err, "backtest");
    if (cfg->run_id)
        snprintf(r->res->run_id, sizeof(r->res->run_id), "%s", cfg->run_id);
    else if ((rc = derive_run_id(r, r->res->run_id, sizeof(r->res->run_id), err)) != 0)
        return rc;
    return 0;
}

static int setup(struct run *r, struct tc_error *err)
{
    const struct tc_backtest_config *cfg = r->cfg;
    struct tc_broker_sim_options bo;
    struct tc_ledger_options lo;
    struct tc_strategy_host host = {host_submit, host_position, r};
    struct tc_portfolio_state st;
    int rc;

    if ((rc = setup_id(r, err)) != 0)
        return rc;
    tc_manual_clock_init(&r->mc, r->sessions[0] * US_PER_DAY);

    if ((rc = tc_tm_new(cfg->calendar, &r->tm, err)) != 0)
        return rc;
    for (size_t k = 0; k < r->ni; k++) {
        if ((rc = tc_tm_add_series(r->tm, &cfg->series[k], NULL, err)) != 0)
            return rc;
        for (size_t a = 0; a < r->book[k].nacts; a++)
            if ((rc = tc_tm_add_action(r->tm, k, &r->book[k].acts[a], err)) != 0)
                return tc_error_prefix(err, "backtest: corporate action of %s",
                                       cfg->series[k].instrument_id);
    }

    /* without a runtime store the ledger lives in memory (no SQL at all);
     * a runtime store without a historical one gets a private one */
    if (cfg->runtime && !cfg->historical) {
        if ((rc = tc_store_open("sqlite::memory:", NULL, &r->mem, err)) != 0 ||
            (rc = tc_migrate_latest(r->mem, "historical", err)) != 0)
            return tc_error_prefix(err, "backtest: in-memory store");
    }
    r->rt = cfg->runtime;
    r->hist = cfg->historical ? cfg->historical : r->mem;
    if (r->mem && (rc = setup_memory_historical(r, err)) != 0)
        return rc;

    for (size_t k = 0; k < cfg->n_strategies; k++) {
        if (!cfg->strategies[k].enabled)
            continue;
        r->ctx_class[r->nctx] = k;
        r->on_fill[r->nctx] = cfg->strategies[k].params.cls->on_fill != NULL;
        r->any_on_fill |= r->on_fill[r->nctx];
        snprintf(r->sid[r->nctx], sizeof(r->sid[0]), "%s.%s", r->res->run_id,
                 instance_name(&cfg->strategies[k]));
        r->nctx++;
    }
    if (r->rt && (rc = setup_accounts(r, err)) != 0)
        return rc;

    tc_broker_sim_options_default(&bo);
    bo.sim = cfg->sim;
    bo.clock = &r->mc.clock;
    snprintf(bo.id_prefix, sizeof(bo.id_prefix), "%s", r->res->run_id);
    if ((rc = tc_broker_sim_new(&bo, &r->broker, err)) != 0)
        return rc;
    tc_broker_sim_set_observer(r->broker, observer, r);
    if (cfg->historical) {
        struct tc_refdata rd = {r->hist, &r->mc.clock, "backtest"};
        for (size_t k = 0; k < r->ni; k++) {
            struct tc_instrument in;
            memset(&in, 0, sizeof(in));
            if ((rc = tc_refdata_instrument_get(&rd, cfg->series[k].instrument_id, &in, err)) != 0)
                return tc_error_prefix(err, "backtest");
            rc = tc_broker_sim_set_instrument(r->broker, in.instrument_id, TC_DEC_ZERO,
                                              in.lot_size, err);
            tc_instrument_release(&in);
            if (rc != 0)
                return rc;
        }
    }

    tc_ledger_options_default(&lo);
    lo.runtime = r->rt;
    lo.in_memory = r->rt == NULL;
    lo.historical = r->hist;
    lo.clock = &r->mc.clock;
    lo.broker = r->broker;
    lo.mode = TC_MODE_BACKTEST;
    lo.run_id = r->res->run_id;
    lo.actor = "backtest";
    lo.no_recovery = 1;
    snprintf(r->ids.prefix, sizeof(r->ids.prefix), "%s", r->res->run_id);
    lo.id_fn = tc_ledger_seq_id;
    lo.id_ud = &r->ids;
    lo.on_change = on_change;
    lo.change_ud = r;
    if ((rc = tc_ledger_open(&lo, &r->ledger, err)) != 0)
        return tc_error_prefix(err, "backtest: ledger");
    if (!r->rt && (rc = setup_accounts(r, err)) != 0)
        return rc;
    if ((rc = tc_ledger_portfolio_init(r->ledger, r->res->run_id, err)) != 0 ||
        (rc = tc_ledger_portfolio_state(r->ledger, r->res->run_id, &st, err)) != 0)
        return tc_error_prefix(err, "backtest: ledger");
    r->cash = st.cash;
    if ((rc = refresh(r, err)) != 0)
        return rc;

    for (size_t c = 0; c < r->nctx; c++) {
        const struct tc_backtest_strategy *bs = &cfg->strategies[r->ctx_class[c]];
        char prefix[TC_ID_BUFSZ];
        snprintf(prefix, sizeof(prefix), "%s.%zu", r->res->run_id, c);
        if ((rc = tc_strategy_ctx_new(&bs->params, r->tm, r->res->run_id, r->sid[c], prefix,
                                      &host, &r->ctx[c], err)) != 0)
            return rc;
        r->cur_ctx = c;
        tc_strategy_ctx_set_time(r->ctx[c], r->sessions[0], r->mc.now_us);
        if ((rc = tc_strategy_start(r->ctx[c], err)) != 0)
            return rc;
    }
    if (!(r->eq = calloc(r->nsessions, sizeof(*r->eq))))
        return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
    return 0;
}

/* ---- the loop ------------------------------------------------------------------------ */

static void bar_at(const struct tc_bar_series *s, size_t i, struct tc_bar *b)
{
    b->day = s->day[i];
    b->open = s->open[i];
    b->high = s->high[i];
    b->low = s->low[i];
    b->close = s->close[i];
    b->adj_close = s->adj_close[i];
    b->volume = s->volume[i];
    b->open_interest = s->open_interest[i];
}

static int deliver_fills(struct run *r, struct tc_error *err)
{
    int rc;
    if (r->dirty && (rc = refresh(r, err)) != 0)
        return rc;
    for (size_t k = 0; k < r->npf; k++) {
        r->cur_ctx = r->pf[k].ctx;
        if ((rc = tc_strategy_fill(r->ctx[r->pf[k].ctx], &r->pf[k].f, err)) != 0)
            return rc;
    }
    r->npf = 0;
    return 0;
}

/*
 * The first of instrument K's bars [I, TO) that the simulator refuses, or
 * TO. OK_TO[K] is the first bar it refuses from the run's start (check_bars:
 * the run's series do not change while it runs); one left behind (fill at
 * the close feeds a session's last bar only) makes way for the next.
 */
static size_t first_refused(struct run *r, size_t k, size_t i, size_t to)
{
    if (r->ok_to[k] < i)
        r->ok_to[k] = tc_sim_series_ok(&r->cfg->series[k], i, r->end[k]);
    return r->ok_to[k] < to ? r->ok_to[k] : to;
}

/* Instrument K's bars [I, TO) to the broker. */
static int feed(struct run *r, size_t k, size_t i, size_t to, struct tc_error *err)
{
    const struct tc_bar_series *s = &r->cfg->series[k];
    struct tc_bar bar;
    int rc;

    r->bar_ix = k;
    for (; i < to; i++) {
        bar_at(s, i, &bar);
        if ((rc = tc_broker_on_bar(r->broker, s->instrument_id, &bar, err)) != 0)
            return rc;
    }
    return 0;
}

/*
 * The session's new bars to the broker, only while orders are working, and
 * only for the instruments that may have one (offer_mark). A bar of any
 * other instrument changes nothing in the broker (no order to match; the
 * broker's day follows the session) unless the broker would refuse it: such
 * a bar is given to it as before, so that it fails the same way.
 */
static int offer_bars(struct run *r, int again, struct tc_error *err)
{
    int rc;

    /* nothing signalled since the broker last had nothing working: it still
     * has nothing (orders come only from signals) */
    if (r->n_offer == 0 && !r->offer_foreign)
        return 0;
    /* not asked whether anything works now: the bars of a broker with
     * nothing working change nothing (the count after them clears the list) */
    if (r->ok_day > r->day) {
        /* every bar of the session is known good: only the instruments
         * that may have an order, with a new bar, in increasing order */
        for (size_t m = 0; m < r->n_offer; m++) {
            const size_t k = r->offer_list[m], to = r->view[k].n;
            /* fill_at close (AGAIN): the session's last bar only */
            if (r->from[k] < to &&
                (rc = feed(r, k, again ? to - 1 : r->from[k], to, err)) != 0)
                return rc;
        }
    } else {
        /* the session's lists: the broker's calls change neither */
        const size_t *const changed = r->changed, nchanged = r->nchanged;
        const unsigned char *const offer = r->offer;
        const struct tc_bar_view *const view = r->view;
        for (size_t c = 0; c < nchanged; c++) {
            const size_t k = changed[c], to = view[k].n;
            size_t i;
            /* only the simulator's check of the bar: the broker sees it
             * when it would refuse it */
            if (!offer[k] && r->ok_to[k] >= to)
                continue;
            i = again ? to - 1 : r->from[k];
            if (!offer[k] && (i = first_refused(r, k, i, to)) == to)
                continue;
            if ((rc = feed(r, k, i, to, err)) != 0)
                return rc;
        }
        /* the earliest day of a bar not known good that may still be fed:
         * none before FROM (this session's new bars) will be */
        int64_t min = INT64_MAX;
        for (size_t j = 0; j < r->ni; j++) {
            const size_t e = r->ok_to[j] > r->from[j] ? r->ok_to[j] : r->from[j];
            if (e < r->end[j] && view[j].day[e] < min)
                min = view[j].day[e];
        }
        r->ok_day = min;
    }
    /* every order ended: no instrument needs its bars until the next signal */
    if (tc_broker_sim_working(r->broker) == 0)
        offer_clear(r);
    return 0;
}

static int equity_point(struct run *r, struct tc_equity_point *p, struct tc_error *err)
{
    struct tc_dec eq = r->cash, expo = TC_DEC_ZERO, v, a;
    const uint64_t *const bits = r->open_bits;

    /* the open instruments in increasing order */
    for (size_t w = 0, nw = r->ni / 64 + 1; w < nw; w++)
        for (uint64_t m = bits[w]; m; m &= m - 1) {
            const size_t ix = w * 64 + (size_t)__builtin_ctzll(m);
            const struct ibook *b = &r->book[ix];
            const struct tc_bar_view *col = &r->view[ix];
            const struct tc_dec close = col->n ? col->close[col->n - 1] : TC_DEC_ZERO;
            /* whole units (as a rule): tc_dec_mul's product of a whole factor, no call */
            if ((b->is_whole ? __builtin_mul_overflow(close.raw, b->whole, &v.raw)
                             : tc_dec_mul(b->units, close, TC_ROUND_HALF_EVEN, &v) != 0) ||
                tc_dec_abs_fast(v, &a) != 0 || tc_dec_add_fast(expo, a, &expo) != 0 ||
                tc_dec_sub_fast(v, b->cost, &v) != 0 || tc_dec_add_fast(eq, v, &eq) != 0)
                return tc_error_set(err, TC_ERANGE, "backtest: equity of \"%s\" overflows",
                                    r->cfg->series[ix].instrument_id);
        }
    p->day = r->day;
    p->cash = r->cash;
    p->equity = eq;
    p->exposure = expo;
    return 0;
}

/* The positions opened this session (seq from SEQ0 on) in the order of
 * instrument, then strategy (stable): the order in which strategies called
 * instrument by instrument would have opened them, so that trades closing
 * in the same session are listed in that order. */
static void order_tracked(struct run *r, uint64_t seq0)
{
    size_t *const list = r->born_list;
    uint64_t seq = seq0;

    /* instruments in increasing order */
    for (size_t k = 1; k < r->n_born; k++) {
        size_t ix = list[k], j = k;
        for (; j > 0 && list[j - 1] > ix; j--)
            list[j] = list[j - 1];
        list[j] = ix;
    }
    for (size_t m = 0; m < r->n_born; m++) {
        struct ibook *b = &r->book[list[m]];
        size_t first = b->ntrk;
        /* its new positions, the last ones, by strategy (stable) */
        while (first > 0 && b->trk[first - 1].seq >= seq0)
            first--;
        for (size_t k = first + 1; k < b->ntrk; k++) {
            struct tracked t = b->trk[k];
            size_t j = k;
            for (; j > first && b->trk[j - 1].ctx > t.ctx; j--)
                b->trk[j] = b->trk[j - 1];
            b->trk[j] = t;
        }
        for (size_t k = first; k < b->ntrk; k++)
            b->trk[k].seq = seq++;
    }
}

/* No position is new this session yet. */
static void born_clear(struct run *r)
{
    for (size_t m = 0; m < r->n_born; m++)
        r->book[r->born_list[m]].born = 0;
    r->n_born = 0;
}

/* Where the loop reads the days of series K's bars: the sessions
 * themselves when its days of [cursor, end) are a run of them that starts
 * no earlier in the sessions than the cursor in the series (the same
 * values, read from one array for every such series), else its column. */
static const int64_t *days_of(const struct run *r, size_t k)
{
    const struct ibook *b = &r->book[k];
    const int64_t *day = b->cols.day;
    const size_t n = b->end - b->cursor;
    size_t lo = 0, hi = r->nsessions;

    if (n == 0)
        return day;
    while (lo < hi) { /* the first session not before the first day */
        const size_t mid = lo + (hi - lo) / 2;
        if (r->sessions[mid] < day[b->cursor])
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < b->cursor || n > r->nsessions - lo ||
        memcmp(r->sessions + lo, day + b->cursor, n * sizeof(*day)) != 0)
        return day;
    return r->sessions + (lo - b->cursor);
}

/* The loop's arrays, after setup: the views start empty (before the first
 * bar fed: warm-up bars are history, readable through the gate). */
static int loop_begin(struct run *r, struct tc_error *err)
{
    if (!(r->view = calloc(r->ni, sizeof(*r->view))) ||
        !(r->from = calloc(r->ni, sizeof(*r->from))) ||
        !(r->changed = calloc(r->ni, sizeof(*r->changed))) ||
        !(r->next_day = calloc(r->ni, sizeof(*r->next_day))) ||
        !(r->end = calloc(r->ni, sizeof(*r->end))) ||
        !(r->day_of = calloc(r->ni, sizeof(*r->day_of))))
        return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
    for (size_t k = 0; k < r->ni; k++) {
        const struct ibook *b = &r->book[k];
        r->view[k] = b->cols;
        r->view[k].n = b->cursor;
        r->from[k] = b->cursor;
        r->end[k] = b->end;
        r->next_day[k] = b->cursor < b->end ? b->cols.day[b->cursor] : INT64_MAX;
        r->day_of[k] = days_of(r, k);
    }
    r->ok_day = INT64_MIN;
    r->looping = 1;
    return 0;
}

/* The bars fed (the views' growth) counted once, at the end, and the
 * loop's arrays freed. */
static void loop_end(struct run *r)
{
    if (r->looping)
        for (size_t k = 0; k < r->ni; k++)
            r->res->bars += r->view[k].n - r->book[k].cursor;
    free(r->view);
    free(r->from);
    free(r->changed);
    free(r->next_day);
    free(r->end);
    free((void *)r->day_of);
    r->day_of = NULL;
    r->view = NULL;
    r->from = r->changed = r->end = NULL;
    r->next_day = NULL;
}

static int session(struct run *r, size_t si, struct tc_error *err)
{
    const struct tc_backtest_config *cfg = r->cfg;
    int64_t day = r->sessions[si], close_us;
    struct tc_bar_view *const view = r->view;
    size_t *const from = r->from, *const changed = r->changed;
    int64_t *const next_day = r->next_day;
    const int64_t *const *const day_of = r->day_of;
    const size_t ni = r->ni;
    size_t nch = 0;
    int rc;

    r->day = day;
    if (cfg->calendar) {
        if ((rc = tc_calendar_session_times(cfg->calendar, day, NULL, &close_us, err)) != 0)
            return rc;
    } else {
        close_us = (day + 1) * US_PER_DAY;
    }
    r->mc.now_us = close_us;
    if ((rc = tc_tm_set_time(r->tm, close_us, err)) != 0)
        return rc;
    for (size_t c = 0; c < r->nctx; c++)
        tc_strategy_ctx_set_time(r->ctx[c], day, close_us);
    /* the bars offer_bars feeds the broker this session (from each offered
     * instrument's cursor on): their columns that nothing else read lately
     * asked for now, read once the cursors have moved */
    for (size_t m = 0; m < r->n_offer; m++) {
        const size_t k = r->offer_list[m], i = view[k].n;
        if (i < r->end[k]) {
            const struct tc_bar_view *c = &view[k];
            __builtin_prefetch(c->open + i);
            __builtin_prefetch(c->high + i);
            __builtin_prefetch(c->low + i);
            __builtin_prefetch(c->adj_close + i);
            __builtin_prefetch(c->volume + i);
            __builtin_prefetch(c->open_interest + i);
        }
    }
    /* move the cursors: an instrument without a bar today costs a compare
     * (and the end of its last session's new bars) */
    for (size_t k = 0; k < ni; k++) {
        if (next_day[k] > day) {
            from[k] = view[k].n;
            continue;
        }
        struct tc_bar_view *v = &view[k];
        const int64_t *days = day_of[k];
        const size_t first = v->n, end = r->end[k];
        size_t i = first + 1;
        int64_t next = i < end ? days[i] : INT64_MAX;
        while (next <= day) /* more than one bar this session */
            next = ++i < end ? days[i] : INT64_MAX;
        /* a hundred instruments are more column streams than the hardware
         * prefetcher follows: ask for the lines of the coming sessions, one
         * a line (every line of a column holds one index that is a multiple
         * of 8) */
        if ((i & 7) == 0 && i + 16 < end) {
            __builtin_prefetch(days + i + 16);
            __builtin_prefetch(v->close + i + 16);
        }
        next_day[k] = next;
        v->n = i;
        from[k] = first;
        changed[nch++] = k;
    }
    r->nchanged = nch;
    if ((r->n_offer || r->offer_foreign) && (rc = offer_bars(r, 0, err)) != 0)
        return rc;
    if ((rc = tc_broker_sim_set_day(r->broker, day, err)) != 0 ||
        ((r->dirty || r->npf) && (rc = deliver_fills(r, err)) != 0))
        return rc;
    /* every instrument's new bars at once, per strategy: views of the
     * columns ending at the session, no copy */
    if (nch) {
        const struct tc_session_bars sb = {day, r->ni, r->view, r->from, r->changed, nch};
        const uint64_t seq0 = r->seq;
        born_clear(r);
        for (size_t c = 0; c < r->nctx; c++) {
            r->cur_ctx = c;
            if ((rc = tc_strategy_session(r->ctx[c], &sb, err)) != 0)
                return rc;
        }
        if (r->nctx > 1)
            order_tracked(r, seq0);
    }
    if (cfg->sim.fill_at == TC_SIM_FILL_CLOSE && (r->n_offer || r->offer_foreign) &&
        ((rc = offer_bars(r, 1, err)) != 0 ||
         ((r->dirty || r->npf) && (rc = deliver_fills(r, err)) != 0)))
        return rc;
    if (r->dirty && (rc = refresh(r, err)) != 0)
        return rc;
    return equity_point(r, &r->eq[si], err);
}

static char *params_json(struct run *r)
{
    const struct tc_backtest_config *cfg = r->cfg;
    json_t *o = json_object(), *arr = json_array(), *ins = json_array();
    char d[TC_DEC_STRLEN], js[TC_STRATEGY_JSON_MAX], date[TC_DATE_STRLEN];
    const struct tc_sim_config *sc = &cfg->sim;
    char *out;

    if (!o || !arr || !ins) {
        json_decref(o);
        json_decref(arr);
        json_decref(ins);
        return NULL;
    }
    json_object_set_new(o, "run_id", json_string(r->res->run_id));
    for (size_t k = 0; k < cfg->n_strategies; k++) {
        const struct tc_backtest_strategy *s = &cfg->strategies[k];
        json_t *e = json_object();
        tc_strategy_params_json(&s->params, js, sizeof(js));
        json_object_set_new(e, "name", json_string(instance_name(s)));
        json_object_set_new(e, "strategy", json_string(s->params.cls->name));
        json_object_set_new(e, "enabled", json_boolean(s->enabled));
        json_object_set_new(e, "params", json_loads(js, 0, NULL));
        json_array_append_new(arr, e);
    }
    json_object_set_new(o, "strategies", arr);
    for (size_t k = 0; k < cfg->n_series; k++)
        json_array_append_new(ins, json_string(cfg->series[k].instrument_id));
    json_object_set_new(o, "instruments", ins);
    json_object_set_new(o, "market", cfg->calendar ? json_string(tc_calendar_mic(cfg->calendar))
                                                   : json_null());
    tc_date_format(r->sessions[0], date);
    json_object_set_new(o, "from", json_string(date));
    tc_date_format(r->sessions[r->nsessions - 1], date);
    json_object_set_new(o, "to", json_string(date));
    tc_dec_format(cfg->cash, d, sizeof(d));
    json_object_set_new(o, "cash", json_string(d));
    json_object_set_new(o, "fill_at", json_string(sc->fill_at == TC_SIM_FILL_CLOSE ? "close"
                                                                                   : "next_open"));
    tc_dec_format(sc->commission == TC_SIM_COMM_FRACTION ? sc->comm_rate : TC_DEC_ZERO, d, sizeof(d));
    json_object_set_new(o, "commission_rate", json_string(d));
    tc_dec_format(sc->slippage == TC_SIM_SLIP_FRACTION ? sc->slippage_value : TC_DEC_ZERO, d,
                  sizeof(d));
    json_object_set_new(o, "slippage_rate", json_string(d));
    tc_dec_format(sc->volume_cap, d, sizeof(d));
    json_object_set_new(o, "volume_cap", json_string(d));
    out = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(o);
    return out;
}

/* The cash of the equity points is the ledger's: the last one is compared
 * with the portfolio state the ledger has at the end. */
static int check_cash(struct run *r, struct tc_error *err)
{
    struct tc_portfolio_state st;
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    int rc;

    if ((rc = tc_ledger_portfolio_state(r->ledger, r->res->run_id, &st, err)) != 0)
        return tc_error_prefix(err, "backtest: ledger");
    if (tc_dec_cmp(st.cash, r->cash) == 0)
        return 0;
    tc_dec_format(r->cash, a, sizeof(a));
    tc_dec_format(st.cash, b, sizeof(b));
    return tc_error_set(err, TC_ESTATE, "backtest: the run's cash %s is not the ledger's %s", a, b);
}

/*
 * The run's fills and trades as the result's tc_run_fill and tc_run_trade,
 * in place: each array grows once to its final size and its records are
 * written out from the last (a record is smaller than what it becomes, so
 * none is overwritten before it is read). Ownership moves to OUT.
 */
static int finish_records(struct run *r, struct tc_run_result *out, struct tc_error *err)
{
    const struct tc_bar_series *series = r->cfg->series;
    char (*ids)[TC_INSTRUMENT_ID_MAX] = NULL;
    unsigned char *m;

    /* each instrument's id once, zero past its NUL: records copy it whole */
    if ((r->nfills || r->ntrades) && !(ids = calloc(r->ni, sizeof(*ids))))
        return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
    for (size_t k = 0; ids && k < r->ni; k++)
        tc__str_copy(ids[k], sizeof(ids[k]), series[k].instrument_id);

    if (r->nfills) {
        if (!(m = realloc(r->fills, r->nfills * sizeof(struct tc_run_fill)))) {
            free(ids);
            return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
        }
        r->fills = NULL;
        out->fills = (const struct tc_run_fill *)(void *)m;
        out->n_fills = r->nfills;
        for (size_t k = r->nfills; k-- > 0;) {
            struct fill_rec fr;
            struct tc_run_fill f;
            memcpy(&fr, m + k * sizeof(fr), sizeof(fr));
            memset(&f, 0, sizeof(f));
            f.day = fr.day;
            memcpy(f.instrument_id, ids[fr.ix], sizeof(f.instrument_id));
            f.side = fr.side;
            f.quantity = fr.quantity;
            f.price = fr.price;
            f.commission = fr.commission;
            memcpy(m + k * sizeof(f), &f, sizeof(f));
        }
    }
    if (r->ntrades) {
        if (!(m = realloc(r->trades, r->ntrades * sizeof(struct tc_run_trade)))) {
            free(ids);
            return tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
        }
        r->trades = NULL;
        out->trades = (const struct tc_run_trade *)(void *)m;
        out->n_trades = r->ntrades;
        for (size_t k = r->ntrades; k-- > 0;) {
            struct trade_rec tr;
            struct tc_run_trade t;
            memcpy(&tr, m + k * sizeof(tr), sizeof(tr));
            memset(&t, 0, sizeof(t));
            memcpy(t.instrument_id, ids[tr.ix], sizeof(t.instrument_id));
            t.side = tr.side;
            t.entry_day = tr.entry_day;
            t.exit_day = tr.exit_day;
            t.quantity = tr.quantity;
            t.entry_price = tr.entry_price;
            t.exit_price = tr.exit_price;
            t.gross_pnl = tr.gross_pnl;
            t.commission = tr.commission;
            t.net_pnl = tr.net_pnl;
            memcpy(m + k * sizeof(t), &t, sizeof(t));
        }
    }
    free(ids);
    return 0;
}

static void cleanup(struct run *r)
{
    for (size_t c = 0; c < r->nctx; c++)
        tc_strategy_ctx_free(r->ctx[c]);
    tc_ledger_close(r->ledger);
    tc_broker_free(r->broker);
    tc_tm_free(r->tm);
    tc_store_close(r->mem);
    for (size_t k = 0; r->book && k < r->ni; k++) {
        free(r->book[k].trk);
        free(r->book[k].acts);
    }
    free(r->book);
    free(r->open_bits);
    free(r->ctx);
    free(r->ctx_class);
    free(r->sid);
    free(r->offer);
    free(r->offer_list);
    free(r->mark_list);
    free(r->on_fill);
    free(r->scratch);
    free(r->born_list);
    free(r->ok_to);
    free(r->pf);
    free(r->sessions);
    free(r->eq);
    free(r->fills);
    free(r->trades);
}

/*
 * A stored run that failed after it first wrote to the runtime store (in
 * setup, a session, the end or the analytics) leaves the store as it was:
 * every row it wrote is removed in one transaction
 * (tc_ledger_forget_portfolio), after the ledger is closed. ERR keeps the
 * run's own error; a failure of the removal is appended to it. A sweep is
 * one call per combination, each with its own run id: the combinations
 * finished before a failing one are complete runs and stay; only the
 * failing one's rows go.
 */
static void forget_run(struct run *r, int rc, struct tc_error *err)
{
    struct tc_error e = {0};
    char msg[TC_ERROR_MSG_MAX];
    int frc = tc_ledger_forget_portfolio(r->rt, r->res->run_id, NULL, &e);

    /* not found: the create did not commit after all, nothing to remove */
    if (frc == 0 || frc == TC_ENOTFOUND || !err)
        return;
    snprintf(msg, sizeof(msg), "%s", tc_error_msg(err));
    tc_error_set(err, rc, "%s (and its rows were not removed from the runtime store: %s)",
                 msg, tc_error_msg(&e));
}

int tc_backtest_run(const struct tc_backtest_config *cfg, struct tc_backtest_result *out,
                    struct tc_error *err)
{
    struct run r;
    size_t step;
    int rc;

    if (!out)
        return tc_error_set(err, TC_EINVAL, "backtest: no result given");
    memset(out, 0, sizeof(*out));
    out->last_day = -1;
    if (!cfg)
        return tc_error_set(err, TC_EINVAL, "backtest: no configuration given");
    if ((rc = check_config(cfg, err)) != 0)
        return rc;
    memset(&r, 0, sizeof(r));
    r.cfg = cfg;
    r.res = out;
    if ((rc = setup(&r, err)) != 0 || (rc = loop_begin(&r, err)) != 0)
        goto done;
    step = r.nsessions / 100 ? r.nsessions / 100 : 1;
    for (size_t si = 0; si < r.nsessions; si++) {
        if ((rc = session(&r, si, err)) != 0)
            goto done;
        if (cfg->progress && (si + 1) % step == 0)
            cfg->progress(cfg->progress_ud, si + 1, r.nsessions);
    }
    if (cfg->progress)
        cfg->progress(cfg->progress_ud, r.nsessions, r.nsessions);
    out->sessions = r.nsessions;
    out->first_day = r.sessions[0];
    out->last_day = r.sessions[r.nsessions - 1];
    out->run.initial_cash = cfg->cash;
    out->run.risk_free_rate = cfg->risk_free_rate;
    out->run.periods_per_year = 252;
    out->run.equity = r.eq;
    out->run.n_equity = r.nsessions;
    r.eq = NULL;
    if ((rc = finish_records(&r, &out->run, err)) != 0 || (rc = check_cash(&r, err)) != 0)
        goto done;
    if (!(out->params_json = params_json(&r))) {
        rc = tc_error_set(err, TC_ENOMEM, "backtest: out of memory");
        goto done;
    }
    rc = tc_analytics_compute(&out->run, &out->metrics, err);
done:
    loop_end(&r);
    cleanup(&r);
    if (rc != 0 && r.wrote)
        forget_run(&r, rc, err);
    return rc;
}

int tc_backtest_write_report(const struct tc_backtest_result *r, const char *dir,
                             const char *title, struct tc_error *err)
{
    if (!r || !dir)
        return tc_error_set(err, TC_EINVAL, "backtest report: missing argument");
    return tc_report_write(dir, title ? title : r->run_id, r->params_json, &r->run, &r->metrics,
                           err);
}

int tc_backtest_run_id(const struct tc_backtest_config *cfg, char out[TC_ID_BUFSZ],
                       struct tc_error *err)
{
    struct tc_backtest_result res;
    struct run r;
    int rc;

    if (!out)
        return tc_error_set(err, TC_EINVAL, "backtest: no run id buffer given");
    out[0] = '\0';
    if (!cfg)
        return tc_error_set(err, TC_EINVAL, "backtest: no configuration given");
    if ((rc = check_config(cfg, err)) != 0)
        return rc;
    memset(&res, 0, sizeof(res));
    memset(&r, 0, sizeof(r));
    r.cfg = cfg;
    r.res = &res;
    if ((rc = setup_id(&r, err)) == 0)
        memcpy(out, res.run_id, TC_ID_BUFSZ);
    cleanup(&r);
    return rc;
}
