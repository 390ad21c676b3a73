/* Strategies: the registry of built-in classes, their checked parameters, and
 * the context through which a running strategy reads the TimeMachine, asks
 * for its position and sends signals to its host (which sends them through
 * the ledger). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/quote.h"
#include "core/str.h"
#include "engine/strategy_internal.h"
#include "tradecore/id.h"
#include "internal/banned.h"

static const struct tc_strategy_class *const registry[] = {
    &tc__strategy_sma_cross,
    &tc__strategy_donchian,
};
#define NREG (sizeof(registry) / sizeof(registry[0]))

enum { FED_BARS = 1, FED_SESSIONS = 2 };

struct tc_strategy_ctx {
    struct tc_strategy_params params;
    struct tc_tm *tm;
    char portfolio[TC_ID_BUFSZ], strategy[TC_ID_BUFSZ], prefix[TC_ID_BUFSZ];
    struct tc_strategy_host host;
    void *state;
    int started;
    int fed;                       /* FED_BARS or FED_SESSIONS once fed (classes with on_session) */
    int64_t day, now_us;
    uint64_t seq, accepted, rejected;
    size_t sig_ix;                 /* the handle of the last tc_strategy_signal_init */
    size_t prefix_len;             /* strlen(prefix) */
};

size_t tc_strategy_count(void) { return NREG; }

const struct tc_strategy_class *tc_strategy_at(size_t i) { return i < NREG ? registry[i] : NULL; }

int tc_strategy_lookup(const char *name, const struct tc_strategy_class **out,
                       struct tc_error *err)
{
    char known[256] = "";
    size_t n = 0;

    if (!name || !out)
        return tc_error_set(err, TC_EINVAL, "strategy: no name given");
    for (size_t k = 0; k < NREG; k++) {
        if (strcmp(registry[k]->name, name) == 0) {
            *out = registry[k];
            return 0;
        }
        n += (size_t)snprintf(known + n, n < sizeof(known) ? sizeof(known) - n : 0, "%s%s",
                              k ? ", " : "", registry[k]->name);
    }
    return tc_error_set(err, TC_ENOTFOUND, "unknown strategy \"%.64s\" (strategies: %s)", name,
                        known);
}

static int spec_index(const struct tc_strategy_class *cls, const char *key)
{
    for (size_t k = 0; k < cls->n_params; k++)
        if (strcmp(cls->params[k].name, key) == 0)
            return (int)k;
    return -1;
}

void tc_strategy_params_init(struct tc_strategy_params *p, const struct tc_strategy_class *cls)
{
    memset(p, 0, sizeof(*p));
    p->cls = cls;
    for (size_t k = 0; k < cls->n_params && k < TC_STRATEGY_PARAMS_MAX; k++) {
        const struct tc_param_spec *s = &cls->params[k];
        if (s->type == TC_PARAM_BOOL)
            p->v[k] = tc_dec_from_raw(strcmp(s->def, "true") == 0 ? TC_DEC_ONE : 0);
        else
            tc_dec_parse(s->def, (size_t)-1, &p->v[k], NULL);
    }
}

/* Quotes the first 40 bytes of S for a message into BUF (tc__quote_bytes: a
 * byte outside printable ASCII as \xNN), "..." after a longer text. Returns
 * BUF. */
static const char *shown(const char *s, char *buf, size_t cap)
{
    size_t used, n = strlen(s), k = tc__quote_bytes(s, n, 40, buf, cap, &used);
    if (used < n && k + 4 <= cap)
        memcpy(buf + k, "...", 4);
    return buf;
}

/* The largest value a parameter of spec S accepts, as text into BUF. */
static const char *largest(const struct tc_param_spec *s, char *buf, size_t cap)
{
    if (s->max)
        snprintf(buf, cap, "%s", s->max);
    else if (s->type == TC_PARAM_INT)
        snprintf(buf, cap, "%" PRId64, INT64_MAX / TC_DEC_ONE);
    else
        tc_dec_format(tc_dec_from_raw(INT64_MAX), buf, cap);
    return buf;
}

/* Parses VALUE as a parameter of spec S: a plain number (an optional '-',
 * digits, for a decimal an optional '.' and up to 8 digits), whole for an
 * integer, within the spec's minimum and maximum; the message names the
 * parameter, the value and the problem. *OUT is written only on success. */
static int parse_value(const struct tc_strategy_class *cls, const struct tc_param_spec *s,
                       const char *value, struct tc_dec *out, struct tc_error *err)
{
    struct tc_dec v, bound;
    const char *kind = s->type == TC_PARAM_INT ? "a whole number" : "a decimal number";
    char q[4 * 40 + 4], lim[TC_DEC_STRLEN], plain[TC_DEC_STRLEN];
    int rc;

    if (s->type == TC_PARAM_BOOL) {
        if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "yes") == 0)
            *out = tc_dec_from_raw(TC_DEC_ONE);
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
                 strcmp(value, "no") == 0)
            *out = TC_DEC_ZERO;
        else
            return tc_error_set(err, TC_EINVAL,
                                "strategy %s: parameter %s: \"%s\" is not true or false",
                                cls->name, s->name, shown(value, q, sizeof q));
        return 0;
    }
    if (value[0] == '\0')
        return tc_error_set(err, TC_EINVAL,
                            "strategy %s: parameter %s: \"\" is not %s (the value is empty)",
                            cls->name, s->name, kind);
    rc = tc_dec_parse(value, (size_t)-1, &v, NULL);
    if (rc == TC_ERANGE) {
        struct tc_dec r;
        if (tc_dec_parse_round(value, (size_t)-1, TC_ROUND_HALF_EVEN, &r, NULL) == 0)
            return s->type == TC_PARAM_INT
                       ? tc_error_set(err, TC_EINVAL,
                                      "strategy %s: parameter %s: \"%s\" is not a whole number",
                                      cls->name, s->name, shown(value, q, sizeof q))
                       : tc_error_set(err, TC_EINVAL,
                                      "strategy %s: parameter %s: \"%s\" has more than 8 "
                                      "decimal places",
                                      cls->name, s->name, shown(value, q, sizeof q));
        if (value[0] == '-')
            return s->min ? tc_error_set(err, TC_EINVAL,
                                         "strategy %s: parameter %s: \"%s\" is below the "
                                         "minimum %s",
                                         cls->name, s->name, shown(value, q, sizeof q), s->min)
                          : tc_error_set(err, TC_EINVAL,
                                         "strategy %s: parameter %s: \"%s\" is too large a "
                                         "negative number (at least -%s)",
                                         cls->name, s->name, shown(value, q, sizeof q),
                                         largest(s, lim, sizeof lim));
        return tc_error_set(err, TC_EINVAL,
                            "strategy %s: parameter %s: \"%s\" is too large (at most %s)",
                            cls->name, s->name, shown(value, q, sizeof q),
                            largest(s, lim, sizeof lim));
    }
    if (rc != 0) {
        if (strpbrk(value, " \t\r\n\v\f"))
            return tc_error_set(err, TC_EINVAL,
                                "strategy %s: parameter %s: \"%s\" has a space (write the number "
                                "alone)",
                                cls->name, s->name, shown(value, q, sizeof q));
        return tc_error_set(err, TC_EINVAL, "strategy %s: parameter %s: \"%s\" is not %s",
                            cls->name, s->name, shown(value, q, sizeof q), kind);
    }
    if (s->type == TC_PARAM_INT && v.raw % TC_DEC_ONE != 0)
        return tc_error_set(err, TC_EINVAL, "strategy %s: parameter %s: \"%s\" is not %s",
                            cls->name, s->name, shown(value, q, sizeof q), kind);
    tc_dec_format(v, plain, sizeof plain);
    if (value[0] == '+')
        return tc_error_set(err, TC_EINVAL,
                            "strategy %s: parameter %s: \"%s\" has a '+' sign (write %s)",
                            cls->name, s->name, shown(value, q, sizeof q), plain);
    if (strpbrk(value, "eE"))
        return tc_error_set(err, TC_EINVAL,
                            "strategy %s: parameter %s: \"%s\" is in exponent notation (write %s)",
                            cls->name, s->name, shown(value, q, sizeof q), plain);
    if (s->min && tc_dec_parse(s->min, (size_t)-1, &bound, NULL) == 0 && tc_dec_cmp(v, bound) < 0)
        return tc_error_set(err, TC_EINVAL, "strategy %s: parameter %s %s is below the minimum %s",
                            cls->name, s->name, shown(value, q, sizeof q), s->min);
    if (value[0] == '-' && s->min && s->min[0] != '-')
        return tc_error_set(err, TC_EINVAL,
                            "strategy %s: parameter %s %s is negative (the minimum is %s)",
                            cls->name, s->name, shown(value, q, sizeof q), s->min);
    if (s->max && tc_dec_parse(s->max, (size_t)-1, &bound, NULL) == 0 && tc_dec_cmp(v, bound) > 0)
        return tc_error_set(err, TC_EINVAL, "strategy %s: parameter %s %s is above the maximum %s",
                            cls->name, s->name, shown(value, q, sizeof q), s->max);
    *out = v;
    return 0;
}

int tc_strategy_params_set(struct tc_strategy_params *p, const char *key, const char *value,
                           struct tc_error *err)
{
    const struct tc_strategy_class *cls;
    char names[512] = "";
    size_t n = 0;
    int ix;

    if (!p || !p->cls || !key || !value)
        return tc_error_set(err, TC_EINVAL, "strategy parameter: missing argument");
    cls = p->cls;
    if ((ix = spec_index(cls, key)) < 0) {
        for (size_t k = 0; k < cls->n_params; k++)
            n += (size_t)snprintf(names + n, n < sizeof(names) ? sizeof(names) - n : 0, "%s%s",
                                  k ? ", " : "", cls->params[k].name);
        return tc_error_set(err, TC_EINVAL, "strategy %s: unknown parameter \"%.40s\" (parameters: %s)",
                            cls->name, key, names);
    }
    return parse_value(cls, &cls->params[ix], value, &p->v[ix], err);
}

int tc_strategy_params_set_kv(struct tc_strategy_params *p, const char *kv, struct tc_error *err)
{
    char key[128];
    const char *eq = kv ? strchr(kv, '=') : NULL;

    if (!p || !p->cls)
        return tc_error_set(err, TC_EINVAL, "strategy parameter: missing argument");
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key))
        return tc_error_set(err, TC_EINVAL, "strategy %s: parameter \"%.40s\" is not key=value",
                            p->cls->name, kv ? kv : "");
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    return tc_strategy_params_set(p, key, eq + 1, err);
}

int tc_strategy_params_check(const struct tc_strategy_params *p, struct tc_error *err)
{
    if (!p || !p->cls)
        return tc_error_set(err, TC_EINVAL, "strategy parameters: no class");
    return p->cls->check ? p->cls->check(p, err) : 0;
}

int64_t tc_strategy_param_int(const struct tc_strategy_params *p, const char *key)
{
    int ix = spec_index(p->cls, key);
    return ix < 0 ? 0 : tc_dec_to_int(p->v[ix]);
}

struct tc_dec tc_strategy_param_dec(const struct tc_strategy_params *p, const char *key)
{
    int ix = spec_index(p->cls, key);
    return ix < 0 ? TC_DEC_ZERO : p->v[ix];
}

int tc_strategy_params_json(const struct tc_strategy_params *p, char *buf, size_t cap)
{
    size_t n = 0;
    char d[TC_DEC_STRLEN];

    n += (size_t)snprintf(buf, cap, "{");
    for (size_t k = 0; k < p->cls->n_params; k++) {
        const struct tc_param_spec *s = &p->cls->params[k];
        tc_dec_format(p->v[k], d, sizeof(d));
        if (s->type == TC_PARAM_BOOL)
            n += (size_t)snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, "%s\"%s\":%s",
                                  k ? "," : "", s->name, tc_dec_is_zero(p->v[k]) ? "false" : "true");
        else if (s->type == TC_PARAM_INT)
            n += (size_t)snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, "%s\"%s\":%s",
                                  k ? "," : "", s->name, d);
        else
            n += (size_t)snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0,
                                  "%s\"%s\":\"%s\"", k ? "," : "", s->name, d);
    }
    n += (size_t)snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, "}");
    if (n >= cap) {
        if (cap)
            buf[0] = '\0';
        return TC_ENOSPC;
    }
    return (int)n;
}

/* ---- context ------------------------------------------------------------------ */

int tc_strategy_ctx_new(const struct tc_strategy_params *p, struct tc_tm *tm,
                        const char *portfolio, const char *strategy_id,
                        const char *signal_prefix, const struct tc_strategy_host *host,
                        struct tc_strategy_ctx **out, struct tc_error *err)
{
    struct tc_strategy_ctx *c;
    int rc;

    if (!out || !p || !p->cls || !tm || !host || !host->submit || !host->position)
        return tc_error_set(err, TC_EINVAL, "strategy context: missing argument");
    *out = NULL;
    if ((rc = tc_id_validate("portfolio", portfolio, err)) != 0 ||
        (rc = tc_id_validate("strategy", strategy_id, err)) != 0 ||
        (rc = tc_id_validate("signal prefix", signal_prefix, err)) != 0)
        return rc;
    if (!p->cls->on_bar && !p->cls->on_bars)
        return tc_error_set(err, TC_EINVAL, "strategy %s: the class has neither on_bar nor on_bars",
                            p->cls->name ? p->cls->name : "(unnamed)");
    if (strlen(signal_prefix) + 11 > TC_ID_MAX)
        return tc_error_set(err, TC_EINVAL, "signal prefix \"%s\" is longer than %d characters",
                            signal_prefix, TC_ID_MAX - 11);
    if (!(c = calloc(1, sizeof(*c))))
        return tc_error_set(err, TC_ENOMEM, "strategy context: out of memory");
    c->params = *p;
    c->tm = tm;
    c->host = *host;
    snprintf(c->portfolio, sizeof(c->portfolio), "%s", portfolio);
    snprintf(c->strategy, sizeof(c->strategy), "%s", strategy_id);
    snprintf(c->prefix, sizeof(c->prefix), "%s", signal_prefix);
    c->prefix_len = strlen(c->prefix);
    *out = c;
    return 0;
}

void tc_strategy_ctx_free(struct tc_strategy_ctx *c)
{
    if (!c)
        return;
    if (c->started && c->params.cls->on_stop)
        c->params.cls->on_stop(c, c->state);
    free(c->state);
    free(c);
}

void tc_strategy_ctx_set_time(struct tc_strategy_ctx *c, int64_t day, int64_t now_us)
{
    c->day = day;
    c->now_us = now_us;
}

int tc_strategy_start(struct tc_strategy_ctx *c, struct tc_error *err)
{
    const struct tc_strategy_class *cls = c->params.cls;
    int rc;

    if (c->started)
        return tc_error_set(err, TC_ESTATE, "strategy %s: already started", c->strategy);
    if ((rc = tc_strategy_params_check(&c->params, err)) != 0)
        return rc;
    if (cls->state_size && !(c->state = calloc(1, cls->state_size)))
        return tc_error_set(err, TC_ENOMEM, "strategy %s: out of memory", c->strategy);
    if (cls->on_start && (rc = cls->on_start(c, c->state, err)) != 0) {
        free(c->state);
        c->state = NULL;
        return tc_error_prefix(err, "strategy %s", c->strategy);
    }
    c->started = 1;
    return 0;
}

/* A class with on_session may keep other state for sessions than for bars:
 * a context is fed one way only. */
static int feed_as(struct tc_strategy_ctx *c, int how, struct tc_error *err)
{
    if (!c->params.cls->on_session || c->fed == how)
        return 0;
    if (c->fed == 0) {
        c->fed = how;
        return 0;
    }
    return tc_error_set(err, TC_ESTATE, "strategy %s: fed by %s, now given %s (use one)",
                        c->strategy, c->fed == FED_BARS ? "bars" : "sessions",
                        how == FED_BARS ? "bars" : "a session");
}

int tc_strategy_bar(struct tc_strategy_ctx *c, size_t ix, const struct tc_bar *bar,
                    struct tc_error *err)
{
    const struct tc_strategy_class *cls = c->params.cls;
    int rc;
    if ((rc = feed_as(c, FED_BARS, err)) != 0)
        return rc;
    if (cls->on_bars) {
        /* a one-bar view of the caller's row */
        struct tc_bar_view v = {1,          &bar->day,       &bar->open,
                                &bar->high, &bar->low,       &bar->close,
                                &bar->adj_close, &bar->volume, &bar->open_interest};
        rc = cls->on_bars(c, c->state, ix, &v, err);
    } else {
        rc = cls->on_bar(c, c->state, ix, bar, err);
    }
    return rc ? tc_error_prefix(err, "strategy %s", c->strategy) : 0;
}

int tc_strategy_bars(struct tc_strategy_ctx *c, size_t ix, const struct tc_bar_view *v,
                     struct tc_error *err)
{
    const struct tc_strategy_class *cls = c->params.cls;
    int rc = 0;
    if (v->n == 0)
        return 0;
    if ((rc = feed_as(c, FED_BARS, err)) != 0)
        return rc;
    if (cls->on_bars) {
        rc = cls->on_bars(c, c->state, ix, v, err);
    } else {
        for (size_t i = 0; i < v->n && rc == 0; i++) {
            struct tc_bar b = {v->day[i],       v->open[i],   v->high[i],
                               v->low[i],       v->close[i],  v->adj_close[i],
                               v->volume[i],    v->open_interest[i]};
            rc = cls->on_bar(c, c->state, ix, &b, err);
        }
    }
    return rc ? tc_error_prefix(err, "strategy %s", c->strategy) : 0;
}

int tc_strategy_session(struct tc_strategy_ctx *c, const struct tc_session_bars *sb,
                        struct tc_error *err)
{
    const struct tc_strategy_class *cls = c->params.cls;
    int rc;

    if (!sb || sb->n != tc_tm_count(c->tm) || (sb->n && (!sb->cols || !sb->from)) ||
        (sb->n_changed && !sb->changed) || sb->n_changed > sb->n)
        return tc_error_set(err, TC_EINVAL,
                            "strategy %s: session bars for %zu instruments, the context has %zu",
                            c->strategy, sb ? sb->n : 0, tc_tm_count(c->tm));
    if ((rc = feed_as(c, FED_SESSIONS, err)) != 0)
        return rc;
    if (cls->on_session) {
        rc = cls->on_session(c, c->state, sb, err);
        return rc ? tc_error_prefix(err, "strategy %s", c->strategy) : 0;
    }
    /* the class reads bars: each changed instrument's new bars as a view */
    for (size_t k = 0; k < sb->n_changed; k++) {
        size_t ix = sb->changed[k];
        const struct tc_bar_view *col;
        size_t first;
        if (ix >= sb->n)
            return tc_error_set(err, TC_EINVAL, "strategy %s: instrument handle %zu is unknown",
                                c->strategy, ix);
        col = &sb->cols[ix];
        first = sb->from[ix];
        if (first > col->n)
            return tc_error_set(err, TC_EINVAL,
                                "strategy %s: instrument handle %zu: new bars from %zu, past its "
                                "%zu bars", c->strategy, ix, first, col->n);
        const struct tc_bar_view v = {col->n - first,       col->day + first,
                                      col->open + first,    col->high + first,
                                      col->low + first,     col->close + first,
                                      col->adj_close + first, col->volume + first,
                                      col->open_interest + first};
        if ((rc = tc_strategy_bars(c, ix, &v, err)) != 0)
            return rc;
    }
    return 0;
}

int tc_strategy_fill(struct tc_strategy_ctx *c, const struct tc_strategy_fill *f,
                     struct tc_error *err)
{
    int rc;
    if (!c->params.cls->on_fill)
        return 0;
    rc = c->params.cls->on_fill(c, c->state, f, err);
    return rc ? tc_error_prefix(err, "strategy %s", c->strategy) : 0;
}

void tc_strategy_ctx_stats(const struct tc_strategy_ctx *c, uint64_t *sent, uint64_t *accepted,
                           uint64_t *rejected)
{
    if (sent)
        *sent = c->seq;
    if (accepted)
        *accepted = c->accepted;
    if (rejected)
        *rejected = c->rejected;
}

const char *tc_strategy_ctx_id(const struct tc_strategy_ctx *c) { return c->strategy; }

struct tc_tm *tc_strategy_tm(struct tc_strategy_ctx *c) { return c->tm; }

const struct tc_strategy_params *tc_strategy_params(const struct tc_strategy_ctx *c)
{
    return &c->params;
}

size_t tc_strategy_instruments(const struct tc_strategy_ctx *c) { return tc_tm_count(c->tm); }

int64_t tc_strategy_day(const struct tc_strategy_ctx *c) { return c->day; }

int tc_strategy_position(struct tc_strategy_ctx *c, size_t ix, struct tc_strategy_position *out,
                         struct tc_error *err)
{
    if (ix >= tc_tm_count(c->tm)) /* as tc_tm_instrument_id's NULL: the TM is set */
        return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
    return c->host.position(c->host.ud, ix, out, err);
}

int tc_strategy_signal_init(struct tc_strategy_ctx *c, struct tc_signal *sig,
                            enum tc_signal_type type, size_t ix, enum tc_side side,
                            struct tc_error *err)
{
    const char *inst = tc_tm_instrument_id(c->tm, ix);
    size_t n;
    if (!inst)
        return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
    /* field by field, not the whole struct (its reason and passphrase are
     * 384 of its bytes): the ids' buffers whole, zero past their NUL; the
     * texts empty; every number and flag 0 */
    sig->type = type;
    sig->side = side;
    /* valid ids: they fit; their buffers whole (zero past the NUL since
     * calloc): a fixed size, copied in place */
    memcpy(sig->portfolio, c->portfolio, TC_ID_BUFSZ);
    memcpy(sig->strategy, c->strategy, TC_ID_BUFSZ);
    /* the TimeMachine's instruments have valid ids: they fit */
    n = strnlen(inst, TC_ID_MAX);
    memset(sig->instrument, 0, TC_ID_BUFSZ);
    memcpy(sig->instrument, inst, n);
    memset(sig->signal_id, 0, TC_ID_BUFSZ);
    sig->has_signal_id = 0;
    sig->price = sig->stop = sig->quantity = sig->lots = TC_DEC_ZERO;
    sig->has_price = sig->has_stop = sig->has_quantity = sig->has_lots = 0;
    sig->timestamp_us = c->now_us;
    /* the reason's last byte too: a reader checks a text's termination
     * by its last byte first (the ledger's submit), which must not be
     * whatever the caller's memory held */
    sig->reason[0] = sig->reason[TC_SIGNAL_REASON_MAX - 1] = '\0';
    sig->passphrase[0] = '\0';
    sig->has_passphrase = 0;
    c->sig_ix = ix;
    return 0;
}

int tc_strategy_signal_ix(const struct tc_strategy_ctx *c, const struct tc_signal *sig, size_t *ix,
                          struct tc_error *err)
{
    const char *inst;
    if (!c || !sig || !ix)
        return tc_error_set(err, TC_EINVAL, "strategy: NULL argument");
    inst = tc_tm_instrument_id(c->tm, c->sig_ix);
    if (inst && strcmp(inst, sig->instrument) == 0) {
        *ix = c->sig_ix;
        return 0;
    }
    return tc_tm_find(c->tm, sig->instrument, ix, err);
}

int tc_strategy_signal(struct tc_strategy_ctx *c, struct tc_signal *sig,
                       struct tc_signal_outcome *out, struct tc_error *err)
{
    struct tc_signal_outcome o;
    int rc;

    /* "<prefix>.<seq>", as tc__str_join_u64 makes it, the prefix's length known */
    char digits[20];
    const char *d = tc__str_u64_rev(digits + sizeof(digits), c->seq + 1);
    const size_t nd = (size_t)(digits + sizeof(digits) - d), at = c->prefix_len + 1;
    if (at + nd < sizeof(sig->signal_id)) {
        memcpy(sig->signal_id, c->prefix, TC_ID_BUFSZ); /* the buffer whole: a fixed size */
        sig->signal_id[c->prefix_len] = '.';
        memcpy(sig->signal_id + at, d, nd);
        sig->signal_id[at + nd] = '\0';
    } else {
        tc__str_join_u64(sig->signal_id, sizeof(sig->signal_id), c->prefix, ".", c->seq + 1);
    }
    sig->has_signal_id = 1;
    if ((rc = c->host.submit(c->host.ud, sig, &o, err)) != 0)
        return tc_error_prefix(err, "strategy %s: signal %s", c->strategy, sig->signal_id);
    c->seq++;
    if (o.status == TC_SIGNAL_ACCEPTED)
        c->accepted++;
    else
        c->rejected++;
    if (out)
        *out = o;
    return 0;
}
