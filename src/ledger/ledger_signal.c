/* The signal engine inside the ledger: one transaction per signal that
 * writes the signal_log row (unique by fingerprint), the position and
 * pyramiding changes and the order intents, or only a rejection; duplicates
 * return the first outcome. An EXIT cancels the working rest of its layers'
 * entries (inside the transaction when the broker takes it there). After
 * the commit the intents, and the cancels the broker could not take inside
 * it, go to the broker. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "ledger/ledger_internal.h"
#include "ledger/ledger_repo.h"
#include "ledger/repo_util.h"
#include "tradecore/log.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

#define NREF 4

struct sig_ctx {
    struct tc_ledger *l;
    /* input */
    const struct tc_signal *sig;   /* NULL when the body did not parse */
    char fp[TC_SIGNAL_FP_LEN];
    size_t fp_len;                 /* strlen(FP) once it is made */
    uint64_t fp_hash;              /* the repo's key_hint of FP, 0 none yet */
    const char *payload;           /* NULL for signals built in code */
    char log_portfolio[TC_ID_BUFSZ], log_strategy[TC_ID_BUFSZ], log_instrument[TC_ID_BUFSZ];
    char log_type[16], log_side[8];  /* the fields of a body that did not parse */
    const char *lp, *ls, *li, *lt, *lsd;  /* the signal_log columns: the signal's or those */
    char named_position[TC_ID_BUFSZ];
    int pre_rejected;
    struct tc_error pre_reason;
    struct tc_instrument inst_own; /* SQL: read from the historical store */
    const struct tc_instrument *inst; /* inst_own or the memory backend's */
    /* output: the caller's, written whole by each attempt */
    struct tc_signal_outcome *out;
    struct tc__repo_vec intents;   /* struct tc_order_intent */
    struct tc__repo_vec layers;    /* struct tc__ledger_layer */
    struct tc__repo_vec cancels;   /* struct tc__ledger_cancel: sent after the commit */
    size_t slot;                   /* the (portfolio, instrument) handle (ledger_repo.h) */
    size_t pf;                     /* the portfolio's handle (ledger_repo.h) */
    /* the handles of the first NREF intents' orders (ledger_repo.h), made
     * in this attempt; the others are found by their ids */
    size_t ref[NREF];
    size_t sig_ref;                /* the signal log row's handle (ledger_repo.h) */
    /* the handles of the rows whose ids the outcome names (POS, REF:
     * ledger_repo.h), 0 none */
    size_t out_pos, out_ord;
    struct tc__ledger_changes ch;
    /* kept from signal to signal (an in-memory ledger's context): the
     * portfolio and strategy id buffers a signal last passed the checks
     * with (OK_KNOWN: tc_signal_validate_known's bits of those held) */
    unsigned ok_known;
    char ok_portfolio[TC_ID_BUFSZ], ok_strategy[TC_ID_BUFSZ];
    size_t ok_plen, ok_slen;       /* their lengths */
    /* the handles (ledger_repo.h: REF) portfolio_get and strategy_get gave
     * for those ids, 0 none yet */
    size_t ok_pf_ref, ok_strat_ref;
};

/* ------------------------------------------------------------------------ */
/* Helpers                                                                    */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end && *p != '"'; p++)
        if (*p == '\\')
            p++;
    return p < end ? p + 1 : end;
}

static const char *skip_value(const char *p, const char *end)
{
    int depth = 0;
    if (p < end && *p == '"')
        return skip_string(p, end);
    while (p < end) {
        if (*p == '"') {
            p = skip_string(p, end);
            continue;
        }
        if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
        } else if (depth == 0 && (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' ||
                                  *p == '\r')) {
            return p;
        }
        p++;
    }
    return p;
}

/*
 * The body as received with every "passphrase" member cut out (the members
 * kept byte for byte, joined by ","). BODY is a valid JSON object (checked by
 * jansson before). Returns a malloc'd NUL-terminated string, or NULL.
 */
static char *strip_passphrase(const char *body, size_t len)
{
    const char *end = body + len, *p = skip_ws(body, end);
    char *out = malloc(len + 3);
    size_t n = 0;
    int found = 0, first = 1;

    if (!out)
        return NULL;
    if (p >= end || *p != '{')
        goto raw;
    out[n++] = '{';
    p++;
    for (;;) {
        const char *ks, *ke, *ve;
        json_t *key;
        int drop;

        p = skip_ws(p, end);
        if (p >= end || *p == '}')
            break;
        if (*p != '"')
            goto raw;
        ks = p;
        ke = skip_string(p, end);
        p = skip_ws(ke, end);
        if (p >= end || *p != ':')
            goto raw;
        p = skip_ws(p + 1, end);
        ve = skip_value(p, end);
        key = json_loadb(ks, (size_t)(ke - ks), JSON_DECODE_ANY, NULL);
        drop = key && json_is_string(key) && strcmp(json_string_value(key), "passphrase") == 0;
        json_decref(key);
        if (drop) {
            found = 1;
        } else {
            if (!first)
                out[n++] = ',';
            memcpy(out + n, ks, (size_t)(ve - ks));
            n += (size_t)(ve - ks);
            first = 0;
        }
        p = skip_ws(ve, end);
        if (p < end && *p == ',')
            p++;
    }
    out[n++] = '}';
    out[n] = '\0';
    if (found)
        return out;
raw:
    memcpy(out, body, len);
    out[len] = '\0';
    return out;
}

static void copy_id_field(json_t *obj, const char *key, char *buf, size_t cap)
{
    json_t *v = json_object_get(obj, key);
    buf[0] = '\0';
    if (json_is_string(v) && tc_id_is_valid(json_string_value(v)) &&
        strlen(json_string_value(v)) < cap)
        tc__ledger_copy(buf, cap, json_string_value(v));
}

static enum tc_order_side entry_side(enum tc_side s)
{
    return s == TC_SIDE_SHORT ? TC_ORDER_SELL : TC_ORDER_BUY;
}

static enum tc_order_side exit_side(enum tc_side s)
{
    return s == TC_SIDE_SHORT ? TC_ORDER_BUY : TC_ORDER_SELL;
}

/* An id array copied whole into one of the same size (a compile error
 * otherwise): SRC is NUL-terminated inside its array, so DST is too; a
 * fixed-size copy instead of measuring it. */
#define COPY_ID(dst, src)                                                                     \
    ((void)sizeof(char[sizeof(dst) == sizeof(src) ? 1 : -1]), memcpy((dst), (src), sizeof(dst)))

static void fmt_dec(struct tc_dec d, char buf[TC_DEC_STRLEN]) { tc_dec_format(d, buf, TC_DEC_STRLEN); }

/* An outcome's reason as snprintf would write it (truncated to CAP - 1
 * bytes), built once per signal from pieces of known length: decimals are
 * formatted in place, nothing is measured twice. */
struct txt {
    char *buf;
    size_t cap, at; /* AT: the length it would have untruncated */
};

static inline void txt_mem(struct txt *t, const char *s, size_t n)
{
    /* room for it whole (as a rule): a copy of N bytes, N often a constant */
    if (t->at + n < t->cap)
        memcpy(t->buf + t->at, s, n);
    else if (t->at + 1 < t->cap)
        memcpy(t->buf + t->at, s, t->cap - 1 - t->at);
    t->at += n;
}

#define TXT_LIT(t, lit) txt_mem((t), (lit), sizeof(lit) - 1)

static void txt_str(struct txt *t, const char *s) { txt_mem(t, s, strlen(s)); }

static void txt_dec(struct txt *t, struct tc_dec d)
{
    char b[TC_DEC_STRLEN];
    int n;
    if (t->at + TC_DEC_STRLEN <= t->cap) {
        n = tc_dec_format(d, t->buf + t->at, TC_DEC_STRLEN);
        t->at += n > 0 ? (size_t)n : 0;
        return;
    }
    n = tc_dec_format(d, b, sizeof(b));
    txt_mem(t, b, n > 0 ? (size_t)n : 0);
}

static void txt_u64(struct txt *t, uint64_t v)
{
    char digits[20];
    size_t nd = 0;
    do {
        digits[sizeof(digits) - 1 - nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    txt_mem(t, digits + sizeof(digits) - nd, nd);
}

static void txt_end(struct txt *t) { t->buf[t->at < t->cap ? t->at : t->cap - 1] = '\0'; }

/* An order's reason from its prefix on: "<qty> <side> <instrument> at <price>". */
static void txt_order(struct txt *t, struct tc_dec qty, enum tc_side side, const char *instrument,
                      struct tc_dec price)
{
    txt_dec(t, qty);
    TXT_LIT(t, " ");
    txt_str(t, tc_side_name(side));
    TXT_LIT(t, " ");
    txt_str(t, instrument);
    TXT_LIT(t, " at ");
    txt_dec(t, price);
    txt_end(t);
}

/* ------------------------------------------------------------------------ */
/* Reads inside the signal transaction                                        */

static int load_layers(struct sig_ctx *c, struct tc_txn *tx, struct tc_error *err)
{
    return c->l->repo->layers(c->l, tx, c->sig->portfolio, c->sig->instrument, &c->slot,
                              &c->layers, err);
}

/* ------------------------------------------------------------------------ */
/* Writes                                                                     */

/* An order for P (POS its row's handle: ledger_repo.h) of QTY. */
static int add_order(struct sig_ctx *c, struct tc_txn *tx, const struct tc_position *p,
                     size_t pos, int closing, struct tc_dec qty, struct tc_error *err)
{
    const struct tc_signal *s = c->sig;
    struct tc_ledger *l = c->l;
    /* every field written below (the order id's bytes after its text zero:
     * the outcome copies its buffer whole) */
    struct tc_order_intent *o = tc__repo_vec_push_room(&c->intents);
    int64_t now = tc_clock_now(l->opt.clock);
    const char *reason = s->reason[0] ? s->reason : (closing ? "exit" : NULL);
    size_t ref = 0;
    int rc;

    if (!o)
        return tc_error_set(err, TC_ENOMEM, "signal %s: out of memory", c->fp);
    memset(o->order_id, 0, sizeof(o->order_id));
    if ((rc = tc__ledger_new_id(l, "ord", o->order_id, sizeof(o->order_id), err)) != 0)
        return tc_error_prefix(err, "signal %s", c->fp);
    {
        /* "<fingerprint>:L<layer>" / ":X<layer>", by hand: once per order */
        size_t n = c->fp_len;
        char digits[12];
        int nd = 0;
        unsigned layer = (unsigned)p->layer;
        do {
            digits[nd++] = (char)('0' + layer % 10);
            layer /= 10;
        } while (layer && nd < (int)sizeof(digits));
        memcpy(o->client_order_id, c->fp, n);
        o->client_order_id[n++] = ':';
        o->client_order_id[n++] = closing ? 'X' : 'L';
        while (nd)
            o->client_order_id[n++] = digits[--nd];
        o->client_order_id[n] = '\0';
    }
    COPY_ID(o->portfolio_id, p->portfolio_id);
    COPY_ID(o->strategy_id, p->strategy_id);
    COPY_ID(o->instrument_id, p->instrument_id);
    o->mode = l->opt.mode;
    o->side = closing ? exit_side(p->side) : entry_side(p->side);
    o->type = TC_ORDER_MARKET;
    o->tif = TC_TIF_GTC; /* pursued until filled, or until an EXIT cancels it */
    o->quantity = qty;
    o->multiplier = p->multiplier;
    o->has_ref_price = s->has_price;
    o->ref_price = s->has_price ? s->price : TC_DEC_ZERO;
    o->has_limit_price = o->has_stop_price = 0;
    o->limit_price = o->stop_price = TC_DEC_ZERO;
    o->created_at_us = now;
    if ((rc = l->repo->order_insert(l, tx, o, closing, c->fp, c->fp_len, c->sig_ref,
                                    p->position_id, pos, reason, &ref, err)) != 0)
        return rc;
    if (c->intents.n <= NREF)
        c->ref[c->intents.n - 1] = ref;
    if (!c->out->order_id[0]) {
        COPY_ID(c->out->order_id, o->order_id);
        c->out_ord = ref;
    }
    return 0;
}

/* A new position P (*POS its row's handle: ledger_repo.h). */
static int new_position(struct sig_ctx *c, struct tc_txn *tx, int layer, struct tc_dec lots,
                        const struct tc_dec *stop, struct tc_position *p, size_t *pos,
                        struct tc_error *err)
{
    const struct tc_signal *s = c->sig;
    int rc;

    /* every field written (the texts up to their NUL; the status, version
     * and time by the insert), not the whole struct zeroed first; the id's
     * buffer zeroed whole: the outcome copies it whole (as the order id's) */
    memset(p->position_id, 0, sizeof(p->position_id));
    if ((rc = tc__ledger_new_id(c->l, "pos", p->position_id, sizeof(p->position_id), err)) != 0)
        return tc_error_prefix(err, "signal %s", c->fp);
    COPY_ID(p->portfolio_id, s->portfolio);
    COPY_ID(p->strategy_id, s->strategy);
    COPY_ID(p->instrument_id, s->instrument);
    p->side = s->side;
    p->quantity = p->lots = TC_DEC_ZERO;
    (void)lots;
    p->multiplier = c->inst->multiplier;
    p->lot_size = c->inst->lot_size;
    p->entry_price = s->price;
    p->entry_time_us = s->timestamp_us;
    p->initial_stop = p->current_stop = stop ? *stop : TC_DEC_ZERO;
    p->has_initial_stop = p->has_current_stop = stop != NULL;
    p->is_base = layer == 0;
    p->layer = layer;
    p->status = TC_POSITION_OPEN;
    p->closed_quantity = p->exit_price = TC_DEC_ZERO;
    p->exit_time_us = 0;
    p->exit_reason[0] = '\0';
    p->realized_pnl = p->commission = TC_DEC_ZERO;
    p->version = 0;
    p->updated_at_us = 0;
    return tc__ledger_insert_position(c->l, tx, p, &c->slot, pos, err);
}

/* ------------------------------------------------------------------------ */
/* The decisions. Each returns TC_EREJECTED (reason in REJ) before writing
 * anything, or writes and returns 0, or fails with a store error.           */

struct decide {
    struct sig_ctx *c;
    struct tc_txn *tx;
    struct tc_sizing_params params;
    struct tc_dec equity;
    int has_state;
    struct tc_error *rej;
    struct tc_error *err;
};

#define REJECT(d, ...) tc_error_set((d)->rej, TC_EREJECTED, __VA_ARGS__)

static int side_mismatch(struct decide *d, const struct tc__ledger_layer *ly)
{
    const struct tc_signal *s = d->c->sig;
    return REJECT(d, "%s: signal side %s is not the side %s of open position \"%s\" in \"%s\"",
                  tc_signal_type_name(s->type), tc_side_name(s->side), tc_side_name(ly->p.side),
                  ly->p.position_id, s->instrument);
}

/* Called once a signal is accepted, before its first write: creates the
 * portfolio state on first use (in the signal transaction). */
static int touch_state(struct decide *d)
{
    struct tc_portfolio_state st;
    int rc;
    if ((rc = tc__ledger_fault(d->c->l, "signal:before_write", d->err)) != 0)
        return rc;
    if (d->has_state)
        return 0;
    if ((rc = tc__ledger_ensure_state(d->c->l, d->tx, d->c->sig->portfolio, d->c->pf, &st,
                                      d->err)) != 0)
        return rc;
    d->c->ch.ps = st;
    d->c->ch.has_ps = 1;
    return 0;
}

static int sizing_reject(struct decide *d, int rc, struct tc_error *e)
{
    if (rc == TC_ENOMEM)
        return tc_error_set(d->err, rc, "%s", tc_error_msg(e));
    return REJECT(d, "%s", tc_error_msg(e)); /* signal.h's messages name the rule */
}

/* The position value a size would reach: an overflow is a rejection. */
static int check_notional(struct decide *d, struct tc_dec open_qty, struct tc_dec qty)
{
    const struct tc_signal *s = d->c->sig;
    struct tc_dec v;
    char q[TC_DEC_STRLEN], pr[TC_DEC_STRLEN], m[TC_DEC_STRLEN];

    if (tc_dec_add_fast(open_qty, qty, &v) == 0 &&
        tc_dec_mul_fast(v, s->price, TC_ROUND_HALF_EVEN, &v) == 0 &&
        tc_dec_mul_fast(v, d->c->inst->multiplier, TC_ROUND_HALF_EVEN, &v) == 0)
        return 0;
    fmt_dec(qty, q);
    fmt_dec(s->price, pr);
    fmt_dec(d->c->inst->multiplier, m);
    return REJECT(d, "%s: quantity %s × price %s × multiplier %s overflows",
                  tc_signal_type_name(s->type), q, pr, m);
}

static int do_base_entry(struct decide *d)
{
    struct sig_ctx *c = d->c;
    const struct tc_signal *s = c->sig;
    const struct tc__ledger_layer *ly = c->layers.items;
    /* built where the change feed keeps it */
    struct tc_position own, *p = tc__ledger_changes_place(&c->ch, &own);
    size_t pos = 0;
    struct tc_dec qty;
    struct tc_error e;
    int has_explicit = 0, rc;
    tc__ledger_err_clear(&e);

    if (c->layers.n > 0)
        return REJECT(d, "base entry: portfolio \"%s\" already has an open %s position \"%s\" in "
                         "\"%s\"",
                      s->portfolio, ly[0].p.is_base ? "base" : "pyramid", ly[0].p.position_id,
                      s->instrument);
    rc = tc_size_explicit(&d->params, s, TC_DEC_ZERO, s->price, c->inst->multiplier,
                          c->inst->lot_size, &has_explicit, &qty, &e);
    if (rc == 0 && !has_explicit)
        rc = tc_size_base_entry(&d->params, d->equity, s->price, s->stop, c->inst->multiplier,
                                c->inst->lot_size, &qty, &e);
    if (rc != 0)
        return sizing_reject(d, rc, &e);
    if ((rc = check_notional(d, TC_DEC_ZERO, qty)) != 0)
        return rc;
    if ((rc = touch_state(d)) != 0 ||
        (rc = new_position(c, d->tx, 0, qty, s->has_stop ? &s->stop : NULL, p, &pos, d->err)) !=
            0)
        return rc;
    if ((rc = c->l->repo->pyr_base(c->l, d->tx, s->portfolio, s->instrument, c->slot,
                                   p->position_id, s->price, s->timestamp_us,
                                   tc_clock_now(c->l->opt.clock), d->err)) != 0)
        return rc;
    if ((rc = tc__ledger_changes_add_pos(&c->ch, p)) != 0 ||
        (rc = add_order(c, d->tx, p, pos, 0, qty, d->err)) != 0)
        return rc;
    COPY_ID(c->out->position_id, p->position_id);
    c->out_pos = pos;
    /* "base entry: %s %s %s at %s" */
    {
        struct txt t = {c->out->reason, sizeof(c->out->reason), 0};
        TXT_LIT(&t, "base entry: ");
        txt_order(&t, qty, s->side, s->instrument, s->price);
    }
    return 0;
}

static int do_pyramid(struct decide *d)
{
    struct sig_ctx *c = d->c;
    const struct tc_signal *s = c->sig;
    const struct tc__ledger_layer *ly = c->layers.items, *base = NULL;
    struct pyr_row {
        int found;
        int64_t count;
        struct tc_dec last;
    } pr = {0, 0, TC_DEC_ZERO};
    struct tc_pyramiding_state ps;
    struct tc_position p;
    size_t pos = 0;
    struct tc_dec qty, open_qty = TC_DEC_ZERO;
    struct tc_error e;
    int has_explicit = 0, rc;
    tc__ledger_err_clear(&e);

    for (size_t k = 0; k < c->layers.n; k++) {
        if (ly[k].p.is_base)
            base = &ly[k];
        if (tc_dec_add_fast(open_qty, ly[k].planned, &open_qty) != 0)
            return REJECT(d, "pyramid: open quantity in \"%s\" overflows", s->instrument);
    }
    if (!base)
        return REJECT(d, "pyramid: portfolio \"%s\" has no open base position in \"%s\"",
                      s->portfolio, s->instrument);
    if (base->p.side != s->side)
        return side_mismatch(d, base);
    if ((rc = c->l->repo->pyr_get(c->l, d->tx, s->portfolio, s->instrument, &ps, &pr.found,
                                  d->err)) != 0)
        return rc;
    pr.count = ps.pyramid_count;
    pr.last = ps.last_pyramid_price;
    if (!pr.found || tc_dec_sign(pr.last) <= 0) {
        pr.count = pr.found ? pr.count : 0;
        pr.last = base->p.entry_price;
    }
    if ((rc = tc_pyramid_check(&d->params, s->side, 1, (int)pr.count, pr.last, s->price, &e)) != 0)
        return sizing_reject(d, rc, &e);
    rc = tc_size_explicit(&d->params, s, open_qty, s->price, c->inst->multiplier, c->inst->lot_size,
                          &has_explicit, &qty, &e);
    if (rc == 0 && !has_explicit)
        rc = tc_size_pyramid(&d->params, base->planned, open_qty, s->price, c->inst->multiplier,
                             c->inst->lot_size, &qty, &e);
    if (rc != 0)
        return sizing_reject(d, rc, &e);
    if ((rc = check_notional(d, open_qty, qty)) != 0)
        return rc;
    if ((rc = touch_state(d)) != 0 ||
        (rc = new_position(c, d->tx, (int)pr.count + 1, qty,
                           s->has_stop ? &s->stop
                                       : (base->p.has_current_stop ? &base->p.current_stop : NULL),
                           &p, &pos, d->err)) != 0)
        return rc;
    if ((rc = c->l->repo->pyr_layer(c->l, d->tx, s->portfolio, s->instrument, pr.found, pr.count,
                                    base->p.position_id, s->price, s->timestamp_us,
                                    tc_clock_now(c->l->opt.clock), d->err)) != 0)
        return rc;
    if ((rc = tc__ledger_changes_add_pos(&c->ch, &p)) != 0 ||
        (rc = add_order(c, d->tx, &p, pos, 0, qty, d->err)) != 0)
        return rc;
    COPY_ID(c->out->position_id, p.position_id);
    c->out_pos = pos;
    if (p.layer >= 0) {
        /* "pyramid layer %d: %s %s %s at %s" */
        struct txt t = {c->out->reason, sizeof(c->out->reason), 0};
        TXT_LIT(&t, "pyramid layer ");
        txt_u64(&t, (uint64_t)p.layer);
        TXT_LIT(&t, ": ");
        txt_order(&t, qty, s->side, s->instrument, s->price);
    } else {
        char q[TC_DEC_STRLEN], px[TC_DEC_STRLEN];
        fmt_dec(qty, q);
        fmt_dec(s->price, px);
        snprintf(c->out->reason, sizeof(c->out->reason), "pyramid layer %d: %s %s %s at %s",
                 p.layer, q, tc_side_name(s->side), s->instrument, px);
    }
    return 0;
}

/* " (canceling N working entry order(s))" (out of the way: an EXIT
 * cancels nothing, as a rule) */
static void txt_cancels(struct txt *t, size_t n)
{
    char buf[64];
    int len = snprintf(buf, sizeof(buf), " (canceling %zu working entry order(s))", n);
    txt_mem(t, buf, len > 0 ? (size_t)len : 0);
}

/* An EXIT's layer whose entry order is still working and has no cancel
 * asked for yet (no exit reason on the open layer: ledger.h). */
static int cancel_due(const struct tc__ledger_layer *ly)
{
    return ly->entry_working && !ly->p.exit_reason[0];
}

/* Cancels the working entry of layer LY for an EXIT: inside the
 * transaction when the broker takes it there (the update applied there:
 * an entry that filled nothing closes its layer at 0), else the layer is
 * marked with the exit's reason and the cancel sent after the commit. */
static int cancel_entry(struct decide *d, struct tc__ledger_layer *ly)
{
    struct sig_ctx *c = d->c;
    struct tc_ledger *l = c->l;
    struct tc__ledger_cancel *x;
    int rc, deferred = 1;

    if (l->opt.broker) {
        struct tc_order_intent in;
        memset(&in, 0, sizeof(in));
        memcpy(in.client_order_id, ly->entry_coid, sizeof(in.client_order_id));
        COPY_ID(in.portfolio_id, ly->p.portfolio_id);
        COPY_ID(in.strategy_id, ly->p.strategy_id);
        COPY_ID(in.instrument_id, ly->p.instrument_id);
        in.mode = l->opt.mode;
        in.side = entry_side(ly->p.side);
        in.type = TC_ORDER_MARKET;
        in.tif = TC_TIF_GTC;
        if (tc_broker_in_txn(l->opt.broker, &in) &&
            (rc = tc__ledger_cancel_in_txn(l, d->tx, ly->entry_coid, &c->ch, &deferred, d->err)) !=
                0)
            return rc;
    }
    if (!deferred)
        return 0;
    tc__ledger_copy(ly->p.exit_reason, sizeof(ly->p.exit_reason),
                    c->sig->reason[0] ? c->sig->reason : "exit");
    if ((rc = tc__ledger_save_position(l, d->tx, &ly->p, ly->pos, &c->ch, d->err)) != 0)
        return rc;
    if (!(x = tc__repo_vec_push(&c->cancels)))
        return tc_error_set(d->err, TC_ENOMEM, "signal %s: out of memory", c->fp);
    memcpy(x->client_order_id, ly->entry_coid, sizeof(x->client_order_id));
    x->order_id[0] = '\0'; /* not read: logs name the client order id */
    return 0;
}

static int do_exit(struct decide *d)
{
    struct sig_ctx *c = d->c;
    const struct tc_signal *s = c->sig;
    struct tc__ledger_layer *ly = c->layers.items;
    size_t todo = 0, named = 0, cancels = 0, asked = 0;
    int rc;

    for (size_t k = 0; k < c->layers.n; k++) {
        if (c->named_position[0] && strcmp(ly[k].p.position_id, c->named_position) != 0)
            continue;
        named++;
        if (ly[k].p.side != s->side)
            return side_mismatch(d, &ly[k]);
        if ((tc_dec_sign(ly[k].p.quantity) > 0 && ly[k].exits_in_flight == 0) ||
            cancel_due(&ly[k]))
            todo++;
        asked += ly[k].entry_working && ly[k].p.exit_reason[0]; /* its cancel asked for */
    }
    if (c->named_position[0] && !named)
        return REJECT(d, "exit: position \"%s\" is not open in \"%s\" for portfolio \"%s\"",
                      c->named_position, s->instrument, s->portfolio);
    if (!named)
        return REJECT(d, "exit: portfolio \"%s\" has nothing open in \"%s\"", s->portfolio,
                      s->instrument);
    if (!todo && asked)
        return REJECT(d, "exit: nothing to exit in \"%s\" for portfolio \"%s\" (exits or "
                         "entry cancels already in flight)",
                      s->instrument, s->portfolio);
    if (!todo)
        return REJECT(d, "exit: nothing to exit in \"%s\" for portfolio \"%s\" (exits already "
                         "in flight)",
                      s->instrument, s->portfolio);
    if ((rc = touch_state(d)) != 0)
        return rc;
    for (size_t k = 0; k < c->layers.n; k++) {
        int cancel;
        if (c->named_position[0] && strcmp(ly[k].p.position_id, c->named_position) != 0)
            continue;
        cancel = cancel_due(&ly[k]);
        if (!cancel && (tc_dec_sign(ly[k].p.quantity) <= 0 || ly[k].exits_in_flight != 0))
            continue;
        if (cancel) {
            /* first: the layer holds then what it will hold */
            if ((rc = cancel_entry(d, &ly[k])) != 0)
                return rc;
            cancels++;
        }
        if (tc_dec_sign(ly[k].p.quantity) > 0 && ly[k].exits_in_flight == 0 &&
            (rc = add_order(c, d->tx, &ly[k].p, ly[k].pos, 1, ly[k].p.quantity, d->err)) != 0)
            return rc;
        if (!c->out->position_id[0]) {
            tc__ledger_copy(c->out->position_id, sizeof(c->out->position_id), ly[k].p.position_id);
            c->out_pos = ly[k].pos;
        }
    }
    /* "exit: %zu layer(s) of %s[ (canceling %zu working entry order(s))]" */
    {
        struct txt t = {c->out->reason, sizeof(c->out->reason), 0};
        TXT_LIT(&t, "exit: ");
        txt_u64(&t, todo);
        TXT_LIT(&t, " layer(s) of ");
        txt_str(&t, s->instrument);
        if (cancels)
            txt_cancels(&t, cancels);
        txt_end(&t);
    }
    return 0;
}

static int do_stop_update(struct decide *d)
{
    struct sig_ctx *c = d->c;
    const struct tc_signal *s = c->sig;
    struct tc__ledger_layer *ly = c->layers.items;
    const struct tc__ledger_layer *ref;
    struct tc_error e = {0};
    char st[TC_DEC_STRLEN];
    int rc;

    if (c->layers.n == 0)
        return REJECT(d, "stop update: portfolio \"%s\" has nothing open in \"%s\"", s->portfolio,
                      s->instrument);
    ref = &ly[0]; /* ordered by layer: the base when it is open */
    for (size_t k = 0; k < c->layers.n; k++)
        if (ly[k].p.side != s->side)
            return side_mismatch(d, &ly[k]);
    rc = tc_stop_update_check(&d->params, s->side,
                              ref->p.has_current_stop ? &ref->p.current_stop : NULL, s->stop,
                              s->has_price ? &s->price : NULL, &e);
    if (rc != 0)
        return sizing_reject(d, rc, &e);
    if ((rc = touch_state(d)) != 0)
        return rc;
    for (size_t k = 0; k < c->layers.n; k++) {
        ly[k].p.current_stop = s->stop;
        ly[k].p.has_current_stop = 1;
        if ((rc = tc__ledger_save_position(c->l, d->tx, &ly[k].p, 0, &c->ch, d->err)) != 0)
            return rc;
    }
    tc__ledger_copy(c->out->position_id, sizeof(c->out->position_id), ref->p.position_id);
    c->out_pos = ref->pos;
    fmt_dec(s->stop, st);
    snprintf(c->out->reason, sizeof(c->out->reason), "stop of %zu layer(s) of %s moved to %s",
             c->layers.n, s->instrument, st);
    return 0;
}

static int decide(struct sig_ctx *c, struct tc_txn *tx, struct tc_error *rej,
                  struct tc_error *err)
{
    const struct tc_signal *s = c->sig;
    struct decide d;
    struct tc__ledger_pf pf;
    struct tc__ledger_strat sg;
    struct tc_portfolio_state st;
    int rc, found = 0;

    memset(&d, 0, sizeof(d));
    d.c = c;
    d.tx = tx;
    d.rej = rej;
    d.err = err;
    /* the signal's portfolio and strategy ids are those prepare kept (it
     * passed the checks): their rows' handles when found before */
    if ((rc = c->l->repo->portfolio_get(c->l, tx, s->portfolio, c->ok_pf_ref, &pf, err)) != 0)
        return rc;
    c->ok_pf_ref = pf.found ? pf.ref : 0;
    if (!pf.found || pf.deleted)
        return REJECT(&d, "portfolio \"%s\" not found", s->portfolio);
    c->pf = pf.ref;
    if ((rc = c->l->repo->strategy_get(c->l, tx, s->strategy, c->ok_strat_ref, &sg, err)) != 0)
        return rc;
    c->ok_strat_ref = sg.found ? sg.ref : 0;
    if (!sg.found || sg.deleted)
        return REJECT(&d, "strategy \"%s\" not found", s->strategy);
    if (!sg.enabled)
        return REJECT(&d, "strategy \"%s\" is disabled", s->strategy);
    if (sg.params_rc != 0)
        return REJECT(&d, "strategy \"%s\": %s", s->strategy, tc_error_msg(&sg.params_err));
    d.params = sg.params;
    if (pf.state_known) {
        /* the backend gave the state's closed equity with the portfolio */
        found = pf.has_state;
        st.closed_equity = pf.closed_equity;
    } else if ((rc = tc__ledger_get_state(c->l, tx, s->portfolio, pf.ref, &st, &found, err)) !=
               0) {
        return rc;
    }
    d.has_state = found;
    d.equity = found ? st.closed_equity : pf.capital;
    if ((rc = load_layers(c, tx, err)) != 0)
        return rc;
    switch (s->type) {
    case TC_SIGNAL_BASE_ENTRY:
        return do_base_entry(&d);
    case TC_SIGNAL_PYRAMID:
        return do_pyramid(&d);
    case TC_SIGNAL_EXIT:
        return do_exit(&d);
    case TC_SIGNAL_STOP_UPDATE:
        return do_stop_update(&d);
    }
    return REJECT(&d, "signal type %d is unknown", (int)s->type);
}

/* ------------------------------------------------------------------------ */
/* The transaction                                                            */

static int finish(struct sig_ctx *c, struct tc_txn *tx, struct tc_error *err)
{
    int rc = c->l->repo->sig_finish(c->l, tx, c->out, c->sig_ref, c->out_pos, c->out_ord, err);
    if (rc != 0)
        return rc;
    return tc__ledger_fault(c->l, "signal:before_commit", err);
}

/* Intents whose broker takes them inside this transaction (broker.h,
 * in_txn): submitted here, acknowledgement and fills written here. */
static int submit_in_txn(struct sig_ctx *c, struct tc_txn *tx, struct tc_error *err)
{
    struct tc_order_intent *items = c->intents.items;
    int rc, deferred = 0;

    for (size_t k = 0; k < c->intents.n; k++) {
        if (!c->l->opt.broker || !tc_broker_in_txn(c->l->opt.broker, &items[k]))
            continue;
        if ((rc = tc__ledger_submit_in_txn(c->l, tx, &items[k], k < NREF ? c->ref[k] : 0, &c->ch,
                                            &deferred, err)) != 0)
            return rc;
        if (!deferred)
            items[k].order_id[0] = '\0'; /* done: not submitted again after the commit */
    }
    return 0;
}

static int sig_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct sig_ctx *c = ud;
    struct tc_ledger *l = c->l;
    int64_t now = tc_clock_now(l->opt.clock);
    struct tc__ledger_sig_row row;
    struct tc_error rej;
    int rc, inserted = 0;
    tc__ledger_err_clear(&rej);

    memset(c->out, 0, sizeof(*c->out));
    memcpy(c->out->fingerprint, c->fp, c->fp_len); /* its NUL: the memset's */
    c->slot = 0; /* a handle of this attempt only */
    c->out_pos = c->out_ord = 0;
    c->intents.n = 0;
    c->cancels.n = 0;
    tc__ledger_changes_reset(&c->ch);
    row.fp = c->fp;
    row.fp_len = c->fp_len;
    row.fp_hash = c->fp_hash;
    row.portfolio = c->lp;
    row.strategy = c->ls;
    row.instrument = c->li;
    row.type = c->lt;
    row.side = c->lsd;
    row.payload = c->payload;
    row.has_time = c->sig != NULL; /* the SQL backend checks that it formats */
    row.signal_time_us = c->sig ? c->sig->timestamp_us : 0;
    if ((rc = l->repo->sig_insert(l, tx, &row, now, &inserted, &c->sig_ref, c->out, err)) != 0)
        return rc;
    if (!inserted) {
        /* a duplicate: the first outcome, counted, nothing else */
        c->out->duplicate = 1;
        c->intents.n = 0;
        tc__ledger_changes_reset(&c->ch);
        return 0;
    }
    if (c->pre_rejected) {
        c->out->status = TC_SIGNAL_REJECTED;
        tc__ledger_copy(c->out->reason, sizeof(c->out->reason), tc_error_msg(&c->pre_reason));
        return finish(c, tx, err);
    }
    rc = decide(c, tx, &rej, err);
    if (rc == TC_EREJECTED) {
        /* decide writes nothing before it rejects */
        c->intents.n = 0;
        tc__ledger_changes_reset(&c->ch);
        memset(c->out, 0, sizeof(*c->out));
        c->out_pos = c->out_ord = 0;
        memcpy(c->out->fingerprint, c->fp, c->fp_len);
        c->out->status = TC_SIGNAL_REJECTED;
        tc__ledger_copy(c->out->reason, sizeof(c->out->reason), tc_error_msg(&rej));
        return finish(c, tx, err);
    }
    if (rc != 0)
        return rc;
    c->out->status = TC_SIGNAL_ACCEPTED;
    if ((rc = submit_in_txn(c, tx, err)) != 0)
        return rc;
    return finish(c, tx, err);
}

static void ctx_release(struct sig_ctx *c)
{
    free(c->intents.items);
    free(c->layers.items);
    free(c->cancels.items);
    tc__ledger_changes_release(&c->ch);
    tc_instrument_release(&c->inst_own);
}

/* A zeroed context. An in-memory ledger (one thread) keeps one and its
 * arrays from signal to signal: no allocation per signal. */
static struct sig_ctx *ctx_get(struct tc_ledger *l)
{
    struct sig_ctx *c = l->scratch;

    if (!l->mem || l->scratch_busy)
        return calloc(1, sizeof(struct sig_ctx));
    if (!c) {
        if (!(c = calloc(1, sizeof(*c))))
            return NULL;
        l->scratch = c;
        l->scratch_busy = 1;
        return c;
    }
    /* what is read before it is written: the fingerprint and the log
     * fields of a body that did not parse are written before any read, the
     * reason of a rejection is read only once set; inst_own holds nothing
     * (ctx_put released what it held); out is zeroed by sig_fn before
     * anything reads it; the arrays stay (the intents', the layers' and
     * the change set's), emptied */
    c->l = NULL;
    c->sig = NULL;
    c->payload = NULL;
    c->fp[0] = '\0';
    c->fp_len = 0;
    c->fp_hash = 0;
    c->lp = c->ls = c->li = c->lt = c->lsd = NULL;
    c->named_position[0] = '\0';
    c->pre_rejected = 0;
    tc__ledger_err_clear(&c->pre_reason);
    c->inst = NULL;
    tc__ledger_changes_reset(&c->ch);
    c->intents.n = c->layers.n = c->cancels.n = 0;
    l->scratch_busy = 1;
    return c;
}

static void ctx_put(struct tc_ledger *l, struct sig_ctx *c)
{
    if (!c)
        return;
    if (c == l->scratch) {
        /* in memory it holds an instrument's metadata only when it was read
         * from the historical store (the backend keeps the rest) */
        if (c->inst_own.metadata)
            tc_instrument_release(&c->inst_own);
        l->scratch_busy = 0;
        return;
    }
    ctx_release(c);
    free(c);
}

void tc__ledger_scratch_free(struct tc_ledger *l)
{
    if (l->scratch) {
        ctx_release(l->scratch);
        free(l->scratch);
        l->scratch = NULL;
    }
}

/* Runs the signal transaction, then submits the intents. */
static int process(struct sig_ctx *c, struct tc_signal_outcome *out, struct tc_error *err)
{
    struct tc_ledger *l = c->l;
    int rc;

    c->intents.size = sizeof(struct tc_order_intent);
    c->layers.size = sizeof(struct tc__ledger_layer);
    c->cancels.size = sizeof(struct tc__ledger_cancel);
    c->out = out; /* written in place (no copy of it after) */
    rc = tc__ledger_run(l, sig_fn, c, &c->ch, err);
    if (rc != 0) {
        memset(out, 0, sizeof(*out)); /* nothing of a failed attempt */
        return tc_error_prefix(err, "signal %s not recorded", c->fp);
    }
    if (c->out->status == TC_SIGNAL_REJECTED && !c->out->duplicate)
        TC_LOG_INFO("ledger", "signal rejected", TC_LF_STR("fingerprint", c->fp),
                    TC_LF_STR("reason", c->out->reason));
    for (size_t k = 0; k < c->intents.n; k++) {
        const struct tc_order_intent *o = (const struct tc_order_intent *)c->intents.items + k;
        struct tc_error e2;
        if (!o->order_id[0])
            continue; /* submitted inside the transaction */
        tc__ledger_err_clear(&e2);
        if (tc__ledger_submit_intent(l, o, &e2) != 0)
            TC_LOG_WARN("ledger", "order intent not submitted; it stays NEW for recovery",
                        TC_LF_STR("order_id", o->order_id),
                        TC_LF_STR("client_order_id", o->client_order_id),
                        TC_LF_STR("error", tc_error_msg(&e2)));
    }
    for (size_t k = 0; k < c->cancels.n; k++) {
        const struct tc__ledger_cancel *x = (const struct tc__ledger_cancel *)c->cancels.items + k;
        struct tc_error e2;
        tc__ledger_err_clear(&e2);
        if (tc__ledger_cancel_entry(l, x->client_order_id, &e2) != 0)
            TC_LOG_WARN("ledger", "entry cancel not sent; tc_ledger_resubmit_pending sends it",
                        TC_LF_STR("client_order_id", x->client_order_id),
                        TC_LF_STR("error", tc_error_msg(&e2)));
    }
    return 0;
}

/* The instrument from the historical store, before the transaction. A
 * missing one is a rejection (returned in REJ with TC_EREJECTED). */
static int load_instrument(struct sig_ctx *c, struct tc_error *err)
{
    struct tc_error e;
    int rc;

    if (c->inst) {
        rc = 0; /* the backend's own copy, found before the checks */
    } else {
        tc__ledger_err_clear(&e);
        rc = c->l->repo->instrument_get(c->l, c->sig->instrument, &c->inst_own, &c->inst, &e);
    }
    if (rc == TC_ENOTFOUND) {
        c->pre_rejected = 1;
        tc_error_set(&c->pre_reason, TC_EREJECTED, "instrument \"%s\" not found",
                     c->sig->instrument);
        return 0;
    }
    if (rc != 0)
        return tc_error_set(err, rc, "signal: instrument \"%s\": %s", c->sig->instrument,
                            tc_error_msg(&e));
    if (c->inst->status != TC_INSTRUMENT_ACTIVE) {
        c->pre_rejected = 1;
        tc_error_set(&c->pre_reason, TC_EREJECTED, "instrument \"%s\" is %s", c->sig->instrument,
                     tc_instrument_status_name(c->inst->status));
    }
    return 0;
}

static void log_fields_from_sig(struct sig_ctx *c)
{
    const struct tc_signal *s = c->sig;
    c->lp = s->portfolio;
    c->ls = s->strategy;
    c->li = s->instrument;
    c->lt = tc_signal_type_name(s->type);
    c->lsd = tc_side_name(s->side);
}

/* C->fp written: its length, and its hash now (its place in the log's map
 * asked for while the checks and the instrument's load run). */
static inline void fp_made(struct sig_ctx *c)
{
    c->fp_len = strlen(c->fp);
    c->fp_hash = c->l->repo->key_hint(c->l, TC__LEDGER_KEY_SIG, c->fp, c->fp_len);
}

/* Checks, fingerprint and instrument for a signal that parsed. */
static int prepare(struct sig_ctx *c, struct tc_error *err)
{
    struct tc_ledger *l = c->l;

    if (tc_signal_fingerprint(c->sig, c->fp) != 0)
        return tc_error_set(err, TC_EINTERNAL, "signal: fingerprint failed");
    if (c->named_position[0] && !c->sig->has_signal_id) {
        /* the same exit of another position must not be its duplicate */
        char buf[TC_SIGNAL_FP_LEN + TC_ID_BUFSZ + 16], hex[65];
        int n = snprintf(buf, sizeof(buf), "%s\nposition_id=%s\n", c->fp, c->named_position);
        if (tc__sha256_hex(buf, (size_t)n, hex) != 0)
            return tc_error_set(err, TC_EINTERNAL, "signal: fingerprint failed");
        snprintf(c->fp, sizeof(c->fp), "sha256:%s", hex);
    }
    fp_made(c);
    log_fields_from_sig(c);
    /* the portfolio and strategy ids are not checked again when their
     * buffers are those that passed last (the same bytes: the same answer) */
    if ((c->ok_known & TC_SIGNAL_KNOWN_PORTFOLIO) &&
        !tc__ledger_bytes_same(c->sig->portfolio, c->ok_portfolio, c->ok_plen + 1))
        c->ok_known &= ~TC_SIGNAL_KNOWN_PORTFOLIO;
    if ((c->ok_known & TC_SIGNAL_KNOWN_STRATEGY) &&
        !tc__ledger_bytes_same(c->sig->strategy, c->ok_strategy, c->ok_slen + 1))
        c->ok_known &= ~TC_SIGNAL_KNOWN_STRATEGY;
    /* an instrument the backend holds has a valid id (it was checked when
     * added) and is not looked up again below */
    c->inst = l->repo->instrument_kept(l, c->sig->instrument);
    if (tc_signal_validate_known(c->sig, tc_clock_now(l->opt.clock), l->opt.limits.max_skew_us,
                                 c->ok_known | (c->inst ? TC_SIGNAL_KNOWN_INSTRUMENT : 0),
                                 &c->pre_reason) != 0) {
        c->pre_rejected = 1;
        return 0;
    }
    if (!(c->ok_known & TC_SIGNAL_KNOWN_PORTFOLIO)) {
        memcpy(c->ok_portfolio, c->sig->portfolio, TC_ID_BUFSZ);
        c->ok_plen = strlen(c->ok_portfolio); /* valid: a NUL within */
        c->ok_pf_ref = 0;
        c->ok_known |= TC_SIGNAL_KNOWN_PORTFOLIO;
    }
    if (!(c->ok_known & TC_SIGNAL_KNOWN_STRATEGY)) {
        memcpy(c->ok_strategy, c->sig->strategy, TC_ID_BUFSZ);
        c->ok_slen = strlen(c->ok_strategy);
        c->ok_strat_ref = 0;
        c->ok_known |= TC_SIGNAL_KNOWN_STRATEGY;
    }
    if (c->named_position[0] && c->sig->type != TC_SIGNAL_EXIT) {
        c->pre_rejected = 1;
        tc_error_set(&c->pre_reason, TC_EINVAL, "position_id is only allowed on EXIT signals");
        return 0;
    }
    return load_instrument(c, err);
}

int tc_ledger_submit_signal(struct tc_ledger *l, const char *json, size_t len,
                            struct tc_signal_outcome *out, struct tc_error *err)
{
    struct sig_ctx *c = NULL;
    struct tc_signal sig;
    json_t *root = NULL, *v;
    json_error_t je;
    char *payload = NULL, hex[65];
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!l || !json || !out)
        return tc_error_set(err, TC_EINVAL, "ledger: submit_signal needs a ledger, a body and an outcome");
    if (len == (size_t)-1)
        len = strlen(json);
    if (len > TC_SIGNAL_BODY_MAX)
        return tc_error_set(err, TC_ERANGE, "signal body is %zu bytes (at most %d)", len,
                            TC_SIGNAL_BODY_MAX);
    root = json_loadb(json, len, 0, &je);
    if (!root || !json_is_object(root)) {
        rc = tc_error_set(err, TC_EPARSE, "signal body is not a JSON object%s%s",
                          root ? "" : ": ", root ? "" : je.text);
        json_decref(root);
        return rc;
    }
    if (!(c = ctx_get(l)) || !(payload = strip_passphrase(json, len))) {
        rc = tc_error_set(err, TC_ENOMEM, "signal: out of memory");
        goto out;
    }
    c->l = l;
    c->payload = payload;
    v = json_object_get(root, "position_id");
    if (json_is_string(v) && tc_id_is_valid(json_string_value(v)))
        tc__ledger_copy(c->named_position, sizeof(c->named_position), json_string_value(v));
    if (tc_signal_parse(json, len, &sig, &c->pre_reason) == 0) {
        c->sig = &sig;
        if (v && !json_is_null(v) && !c->named_position[0]) {
            c->pre_rejected = 1;
            tc_error_set(&c->pre_reason, TC_EINVAL, "position_id is not a valid id string");
        }
        tc_signal_wipe_passphrase(&sig);
        if ((rc = prepare(c, err)) != 0)
            goto out;
        if (c->pre_rejected)
            c->sig = &sig; /* log fields stay; decisions are skipped */
    } else {
        /* no fields to trust: fingerprint by signal_id or by the body */
        c->pre_rejected = 1;
        copy_id_field(root, "signal_id", hex, sizeof(hex));
        if (hex[0]) {
            snprintf(c->fp, sizeof(c->fp), "id:%s", hex);
        } else if (tc__sha256_hex(payload, strlen(payload), hex) == 0) {
            snprintf(c->fp, sizeof(c->fp), "body:%s", hex);
        } else {
            rc = tc_error_set(err, TC_EINTERNAL, "signal: fingerprint failed");
            goto out;
        }
        fp_made(c);
        copy_id_field(root, "portfolio", c->log_portfolio, sizeof(c->log_portfolio));
        copy_id_field(root, "strategy", c->log_strategy, sizeof(c->log_strategy));
        copy_id_field(root, "instrument", c->log_instrument, sizeof(c->log_instrument));
        copy_id_field(root, "type", c->log_type, sizeof(c->log_type));
        copy_id_field(root, "side", c->log_side, sizeof(c->log_side));
        c->lp = c->log_portfolio;
        c->ls = c->log_strategy;
        c->li = c->log_instrument;
        c->lt = c->log_type;
        c->lsd = c->log_side;
    }
    rc = process(c, out, err);
out:
    if (c)
        ctx_put(l, c);
    free(payload);
    json_decref(root);
    return rc;
}

int tc_ledger_submit(struct tc_ledger *l, const struct tc_signal *sig,
                     struct tc_signal_outcome *out, struct tc_error *err)
{
    struct sig_ctx *c;
    struct tc_signal copy;
    int rc;

    if (!l || !sig || !out) {
        if (out)
            memset(out, 0, sizeof(*out));
        return tc_error_set(err, TC_EINVAL, "ledger: submit needs a ledger, a signal and an outcome");
    }
    if (!(c = ctx_get(l))) {
        memset(out, 0, sizeof(*out));
        return tc_error_set(err, TC_ENOMEM, "signal: out of memory");
    }
    c->l = l;
    c->sig = sig;
    if (sig->has_passphrase || sig->passphrase[0]) {
        /* the signal without its passphrase; one without a passphrase is
         * read where it is (nothing reads the passphrase's bytes after its
         * first) */
        copy = *sig;
        tc_signal_wipe_passphrase(&copy);
        c->sig = &copy;
    }
    if (!TC__TERMINATED(c->sig->portfolio) || !TC__TERMINATED(c->sig->strategy) ||
        !TC__TERMINATED(c->sig->instrument) || !TC__TERMINATED(c->sig->reason) ||
        !TC__TERMINATED(c->sig->signal_id))
        rc = tc_error_set(err, TC_EINVAL, "signal: a text field is not terminated");
    else if ((rc = prepare(c, err)) == 0)
        rc = process(c, out, err);
    ctx_put(l, c);
    if (rc != 0)
        memset(out, 0, sizeof(*out)); /* on success process wrote all of it */
    return rc;
}
