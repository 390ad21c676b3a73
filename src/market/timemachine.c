/*
 * The TimeMachine: the backtest's data gate. It keeps one visibility cursor
 * per preloaded series, moved forward by set_time as sessions close (asking
 * the calendar once per session), answers reads from the visible prefix of
 * the columnar arrays without copying, refuses anything after the current
 * time with TC_ELOOKAHEAD, computes backward-adjusted prices from the
 * corporate actions already effective, and optionally records every read.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tradecore/clock.h"
#include "tradecore/timemachine.h"
#include "internal/banned.h"

__extension__ typedef __int128 i128;

#define US_PER_DAY INT64_C(86400000000)
/* Adjustment factors are fixed point with 18 fractional digits. */
#define F_ONE ((i128)1000000000000000000LL)

struct entry {
    const struct tc_bar_series *s; /* borrowed, or OWNED */
    struct tc_bar_series *owned;   /* adopted (malloc'd), or NULL */
    size_t nvis;                   /* bars with day <= closed, as of EPOCH */
    uint64_t epoch;
    struct tc_corp_action *act;    /* sorted by (ex_date, kind) */
    size_t nact, capact;
};

struct tc_tm {
    const struct tc_calendar *cal;
    struct entry *ent; /* by handle */
    size_t *order; /* handles sorted by instrument id */
    size_t n, cap;

    int64_t now;    /* INT64_MIN before the first set_time */
    uint64_t epoch; /* bumped by every set_time and reset: cursors catch up lazily */
    int64_t closed; /* c(t); INT64_MIN when nothing has closed */
    int started;
    /* With a calendar: the session after CLOSED, when the calendar knows it. */
    int have_next;
    int64_t next_day, next_open, next_close;

    int audit; /* a callback or the memory array is on */
    tc_tm_audit_fn fn;
    void *ctx;
    int mem_on;
    struct tc_tm_read *rec;
    size_t nrec, caprec;
};

/* ---- text for messages ---------------------------------------------------- */

#define DAY_STRLEN 32

/* "2014-06-03", or "day N" for a number no calendar date stands for. */
static void day_str(int64_t day, char buf[DAY_STRLEN])
{
    if (day < tc_days_from_civil(0, 1, 1) || day > tc_days_from_civil(9999, 12, 31))
        snprintf(buf, DAY_STRLEN, "day %lld", (long long)day);
    else
        tc_date_format(day, buf);
}

/* "2014-06-02T20:00:00Z" (fraction kept only when there is one). */
static void time_str(int64_t us, char *buf, size_t cap)
{
    int n = tc_time_format(us, buf, cap);
    if (n < 0) {
        snprintf(buf, cap, "%lld us after the epoch", (long long)us);
        return;
    }
    if (n >= 8 && strcmp(buf + n - 8, ".000000Z") == 0) {
        buf[n - 8] = 'Z';
        buf[n - 7] = '\0';
    }
}

/* The current time of TM for messages. */
static void now_str(const struct tc_tm *tm, char *buf, size_t cap)
{
    if (!tm->started)
        snprintf(buf, cap, "the start (no time set)");
    else
        time_str(tm->now, buf, cap);
}

static int lookahead(const struct tc_tm *tm, const struct entry *e, int64_t from, int64_t to,
                     struct tc_error *err)
{
    char a[DAY_STRLEN], b[DAY_STRLEN], t[TC_TIME_STRLEN + 32];
    now_str(tm, t, sizeof t);
    day_str(to, b);
    if (from == to)
        return tc_error_set(err, TC_ELOOKAHEAD, "%s: bar of %s requested at %s (not yet closed)",
                            e->s->instrument_id, b, t);
    day_str(from, a);
    return tc_error_set(err, TC_ELOOKAHEAD,
                        "%s: bars of %s..%s requested at %s (%s not yet closed)",
                        e->s->instrument_id, a, b, t, b);
}

static int unknown(const struct tc_tm *tm, size_t ix, struct tc_error *err)
{
    if (!tm)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL");
    return tc_error_set(err, TC_ENOTFOUND, "timemachine: unknown instrument handle %zu (%zu loaded)",
                        ix, tm->n);
}

/* ---- audit ---------------------------------------------------------------- */

const char *tc_tm_read_kind_name(enum tc_tm_read_kind kind)
{
    switch (kind) {
    case TC_TM_READ_LATEST: return "latest";
    case TC_TM_READ_LAST_BARS: return "last_bars";
    case TC_TM_READ_LAST_CLOSES: return "last_closes";
    case TC_TM_READ_BAR_ON: return "bar_on";
    case TC_TM_READ_RANGE: return "range";
    case TC_TM_READ_ADJ_CLOSES: return "adj_closes";
    case TC_TM_READ_ADJ_BAR_ON: return "adj_bar_on";
    }
    return "?";
}

/* Records one read; returns RC, or TC_ENOMEM when the record cannot be kept. */
static int record(struct tc_tm *tm, enum tc_tm_read_kind kind, size_t ix, size_t n, int64_t from,
                  int64_t to, int rc, struct tc_error *err)
{
    struct tc_tm_read r = {kind, ix, n, from, to, tm->now, rc};
    if (tm->fn) {
        tm->fn(tm->ctx, &r);
        return rc;
    }
    if (!tm->mem_on)
        return rc;
    if (tm->nrec == tm->caprec) {
        size_t cap = tm->caprec ? tm->caprec * 2 : 64;
        struct tc_tm_read *p = NULL;
        if (cap <= SIZE_MAX / sizeof *p)
            p = realloc(tm->rec, cap * sizeof *p);
        if (!p)
            return tc_error_set(err, TC_ENOMEM, "timemachine: out of memory for audit record %zu",
                                tm->nrec + 1);
        tm->rec = p;
        tm->caprec = cap;
    }
    tm->rec[tm->nrec++] = r;
    return rc;
}

void tc_tm_audit_callback(struct tc_tm *tm, tc_tm_audit_fn fn, void *ctx)
{
    if (!tm)
        return;
    tm->fn = fn;
    tm->ctx = ctx;
    tm->mem_on = 0;
    tm->audit = fn != NULL;
}

void tc_tm_audit_memory(struct tc_tm *tm, int on)
{
    if (!tm)
        return;
    tm->fn = NULL;
    tm->ctx = NULL;
    tm->mem_on = on != 0;
    tm->audit = tm->mem_on;
}

const struct tc_tm_read *tc_tm_audit_records(const struct tc_tm *tm, size_t *n)
{
    if (n)
        *n = tm ? tm->nrec : 0;
    return tm ? tm->rec : NULL;
}

void tc_tm_audit_clear(struct tc_tm *tm)
{
    if (tm)
        tm->nrec = 0;
}

/* ---- lifecycle and series ------------------------------------------------- */

int tc_tm_new(const struct tc_calendar *cal, struct tc_tm **out, struct tc_error *err)
{
    if (!out)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL output");
    struct tc_tm *tm = calloc(1, sizeof *tm);
    if (!tm)
        return tc_error_set(err, TC_ENOMEM, "timemachine: out of memory");
    tm->cal = cal;
    tm->now = INT64_MIN;
    tm->closed = INT64_MIN;
    *out = tm;
    return 0;
}

void tc_tm_free(struct tc_tm *tm)
{
    if (!tm)
        return;
    for (size_t i = 0; i < tm->n; i++) {
        struct entry *e = &tm->ent[i];
        tc_bar_series_release(e->owned);
        free(e->owned);
        free(e->act);
    }
    free(tm->ent);
    free(tm->order);
    free(tm->rec);
    free(tm);
}

/* Position of ID in the sorted order (where it is or would be inserted). */
static size_t order_pos(const struct tc_tm *tm, const char *id, int *found)
{
    size_t lo = 0, hi = tm->n;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(tm->ent[tm->order[mid]].s->instrument_id, id);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int add(struct tc_tm *tm, const struct tc_bar_series *s, struct tc_bar_series *adopt,
               size_t *ix, struct tc_error *err)
{
    int found;
    if (!tm || !s)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    if (s->instrument_id[0] == '\0')
        return tc_error_set(err, TC_EINVAL, "timemachine: series without an instrument id");
    size_t pos = order_pos(tm, s->instrument_id, &found);
    if (found)
        return tc_error_set(err, TC_ECONFLICT, "timemachine: instrument \"%s\" is already loaded",
                            s->instrument_id);
    if (tm->n == tm->cap) {
        size_t cap = tm->cap ? tm->cap * 2 : 8;
        struct entry *ent = realloc(tm->ent, cap * sizeof *ent);
        if (!ent)
            return tc_error_set(err, TC_ENOMEM, "timemachine: out of memory");
        tm->ent = ent;
        size_t *order = realloc(tm->order, cap * sizeof *order);
        if (!order)
            return tc_error_set(err, TC_ENOMEM, "timemachine: out of memory");
        tm->order = order;
        tm->cap = cap;
    }
    struct entry e = {0};
    if (adopt) {
        e.owned = malloc(sizeof *e.owned);
        if (!e.owned)
            return tc_error_set(err, TC_ENOMEM, "timemachine: out of memory");
        *e.owned = *adopt;
        e.s = e.owned;
        tc_bar_series_init(adopt, e.owned->instrument_id);
    } else {
        e.s = s;
    }
    while (e.nvis < e.s->n && e.s->day[e.nvis] <= tm->closed)
        e.nvis++;
    e.epoch = tm->epoch;
    memmove(tm->order + pos + 1, tm->order + pos, (tm->n - pos) * sizeof *tm->order);
    tm->order[pos] = tm->n;
    tm->ent[tm->n] = e;
    if (ix)
        *ix = tm->n;
    tm->n++;
    return 0;
}

int tc_tm_add_series(struct tc_tm *tm, const struct tc_bar_series *s, size_t *ix,
                     struct tc_error *err)
{
    return add(tm, s, NULL, ix, err);
}

int tc_tm_adopt_series(struct tc_tm *tm, struct tc_bar_series *s, size_t *ix,
                       struct tc_error *err)
{
    return add(tm, s, s, ix, err);
}

size_t tc_tm_count(const struct tc_tm *tm) { return tm ? tm->n : 0; }

const char *tc_tm_instrument_id(const struct tc_tm *tm, size_t ix)
{
    return tm && ix < tm->n ? tm->ent[ix].s->instrument_id : NULL;
}

int tc_tm_find(const struct tc_tm *tm, const char *instrument_id, size_t *ix,
               struct tc_error *err)
{
    int found;
    if (!tm || !instrument_id || !ix)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    size_t pos = order_pos(tm, instrument_id, &found);
    if (!found)
        return tc_error_set(err, TC_ENOTFOUND, "timemachine: instrument \"%.64s\" is not loaded",
                            instrument_id);
    *ix = tm->order[pos];
    return 0;
}

int tc_tm_add_action(struct tc_tm *tm, size_t ix, const struct tc_corp_action *a,
                     struct tc_error *err)
{
    char d[DAY_STRLEN], v[TC_DEC_STRLEN];
    if (!tm || !a)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    if (ix >= tm->n)
        return unknown(tm, ix, err);
    struct entry *e = &tm->ent[ix];
    const char *id = e->s->instrument_id;
    day_str(a->ex_date, d);
    if (a->kind == TC_CA_SPLIT) {
        if (tc_dec_sign(a->ratio) <= 0 || a->ratio.raw == TC_DEC_ONE) {
            tc_dec_format(a->ratio, v, sizeof v);
            return tc_error_set(err, TC_EINVAL, "%s: split on %s: ratio %s must be positive and "
                                "not 1", id, d, v);
        }
    } else if (a->kind == TC_CA_DIVIDEND) {
        if (tc_dec_sign(a->amount) <= 0) {
            tc_dec_format(a->amount, v, sizeof v);
            return tc_error_set(err, TC_EINVAL, "%s: dividend on %s: amount %s is not positive",
                                id, d, v);
        }
    } else {
        return tc_error_set(err, TC_EINVAL, "%s: corporate action on %s: unknown kind %d", id, d,
                            (int)a->kind);
    }
    size_t pos = e->nact;
    while (pos > 0 && (e->act[pos - 1].ex_date > a->ex_date ||
                       (e->act[pos - 1].ex_date == a->ex_date && e->act[pos - 1].kind > a->kind)))
        pos--;
    if (pos > 0 && e->act[pos - 1].ex_date == a->ex_date && e->act[pos - 1].kind == a->kind)
        return tc_error_set(err, TC_ECONFLICT, "%s: a %s on %s is already recorded", id,
                            a->kind == TC_CA_SPLIT ? "split" : "dividend", d);
    if (e->nact == e->capact) {
        size_t cap = e->capact ? e->capact * 2 : 4;
        struct tc_corp_action *p = realloc(e->act, cap * sizeof *p);
        if (!p)
            return tc_error_set(err, TC_ENOMEM, "%s: out of memory for corporate actions", id);
        e->act = p;
        e->capact = cap;
    }
    memmove(e->act + pos + 1, e->act + pos, (e->nact - pos) * sizeof *e->act);
    e->act[pos] = *a;
    e->nact++;
    return 0;
}

/* ---- time ----------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct cal_state {
    int64_t closed;
    int have_next;
    int64_t next_day, next_open, next_close;
};

/* Fills the session after ST->closed; the calendar's end is not an error. */
static int find_next(const struct tc_calendar *cal, struct cal_state *st, struct tc_error *err)
{
    struct tc_error e2 = {0};
    int64_t nd;
    int rc = tc_calendar_next_session(cal, st->closed, &nd, &e2);
    if (rc == TC_ERANGE) {
        st->have_next = 0;
        return 0;
    }
    if (rc == 0)
        rc = tc_calendar_session_times(cal, nd, &st->next_open, &st->next_close, &e2);
    if (rc == TC_ERANGE) {
        st->have_next = 0;
        return 0;
    }
    if (rc) {
        if (err)
            *err = e2;
        return rc;
    }
    st->have_next = 1;
    st->next_day = nd;
    return 0;
}

/* The latest session closed at T, searched from scratch (first set_time). */
static int find_closed(const struct tc_calendar *cal, int64_t t, struct cal_state *st,
                       struct tc_error *err)
{
    char ts[TC_TIME_STRLEN + 32];
    /* A session of date d closes after local midnight of d, which is later
     * than UTC (d - 1) 00:00 for any zone, so no session dated after UTC
     * day(t) + 1 has closed by t. */
    int64_t d = floor_div(t, US_PER_DAY) + 2;
    for (int guard = 0; guard < 16; guard++) {
        int64_t p, close_us;
        int rc = tc_calendar_prev_session(cal, d, &p, err);
        if (rc == 0)
            rc = tc_calendar_session_times(cal, p, NULL, &close_us, err);
        if (rc) {
            time_str(t, ts, sizeof ts);
            return tc_error_prefix(err, "timemachine: time %s", ts);
        }
        if (close_us <= t) {
            st->closed = p;
            return find_next(cal, st, err);
        }
        d = p;
    }
    time_str(t, ts, sizeof ts);
    return tc_error_set(err, TC_EINTERNAL, "timemachine: no closed session found before %s", ts);
}

int tc_tm_set_time(struct tc_tm *tm, int64_t t_us, struct tc_error *err)
{
    char a[TC_TIME_STRLEN + 32], b[TC_TIME_STRLEN + 32];
    if (!tm)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL");
    if (tm->started && t_us < tm->now) {
        time_str(t_us, a, sizeof a);
        now_str(tm, b, sizeof b);
        return tc_error_set(err, TC_EINVAL,
                            "timemachine: time %s is before the current time %s (time only moves "
                            "forward; reset to start over)", a, b);
    }
    struct cal_state st = {tm->closed, tm->have_next, tm->next_day, tm->next_open, tm->next_close};
    if (tm->cal) {
        int first, last;
        int64_t day = floor_div(t_us, US_PER_DAY);
        tc_calendar_years(tm->cal, &first, &last);
        if (day < tc_days_from_civil(first, 1, 1) - 1 || day > tc_days_from_civil(last, 12, 31) + 1) {
            time_str(t_us, a, sizeof a);
            return tc_error_set(err, TC_ERANGE, "timemachine: time %s is outside the years of "
                                "calendar %s (%d..%d)", a, tc_calendar_mic(tm->cal), first, last);
        }
    }
    if (!tm->cal) {
        st.closed = floor_div(t_us, US_PER_DAY) - 1;
    } else if (!tm->started) {
        int rc = find_closed(tm->cal, t_us, &st, err);
        if (rc)
            return rc;
    } else {
        while (st.have_next && st.next_close <= t_us) {
            st.closed = st.next_day;
            int rc = find_next(tm->cal, &st, err);
            if (rc) {
                time_str(t_us, a, sizeof a);
                return tc_error_prefix(err, "timemachine: time %s", a);
            }
        }
    }
    tm->now = t_us;
    tm->started = 1;
    tm->closed = st.closed;
    tm->have_next = st.have_next;
    tm->next_day = st.next_day;
    tm->next_open = st.next_open;
    tm->next_close = st.next_close;
    tm->epoch++;
    return 0;
}

void tc_tm_reset(struct tc_tm *tm)
{
    if (!tm)
        return;
    tm->now = INT64_MIN;
    tm->closed = INT64_MIN;
    tm->started = 0;
    tm->have_next = 0;
    tm->epoch++;
    for (size_t i = 0; i < tm->n; i++) {
        tm->ent[i].nvis = 0;
        tm->ent[i].epoch = tm->epoch;
    }
}

int64_t tc_tm_now(const struct tc_tm *tm) { return tm ? tm->now : INT64_MIN; }

int tc_tm_session(const struct tc_tm *tm, int64_t *day, struct tc_error *err)
{
    char t[TC_TIME_STRLEN + 32];
    if (!tm || !day)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    if (tm->closed == INT64_MIN) {
        now_str(tm, t, sizeof t);
        return tc_error_set(err, TC_ENOTFOUND, "timemachine: no session has closed at %s", t);
    }
    *day = tm->closed;
    return 0;
}

int tc_tm_next_session(const struct tc_tm *tm, int64_t *day, int64_t *open_us,
                       int64_t *close_us, struct tc_error *err)
{
    char t[TC_TIME_STRLEN + 32], d[DAY_STRLEN];
    if (!tm)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL");
    if (!tm->cal)
        return tc_error_set(err, TC_ENOTFOUND, "timemachine: no calendar: the next session is "
                            "unknown");
    if (!tm->started) {
        now_str(tm, t, sizeof t);
        return tc_error_set(err, TC_ENOTFOUND, "timemachine: no current session at %s", t);
    }
    if (!tm->have_next) {
        day_str(tm->closed, d);
        return tc_error_set(err, TC_ERANGE, "timemachine: calendar %s: the session after %s is "
                            "outside the verified years", tc_calendar_mic(tm->cal), d);
    }
    if (day)
        *day = tm->next_day;
    if (open_us)
        *open_us = tm->next_open;
    if (close_us)
        *close_us = tm->next_close;
    return 0;
}

/* ---- reads ---------------------------------------------------------------- */

/*
 * Brings the cursor of entry IX up to the current time: a comparison per bar
 * that became visible since its last read (amortised O(1) per bar), once per
 * set_time, only for the series that are read. IX < tm->n.
 */
static inline struct entry *sync(struct tc_tm *tm, size_t ix)
{
    struct entry *e = &tm->ent[ix];
    if (e->epoch != tm->epoch) {
        const struct tc_bar_series *s = e->s;
        const int64_t closed = tm->closed;
        size_t k = e->nvis;
        while (k < s->n && s->day[k] <= closed)
            k++;
        e->nvis = k;
        e->epoch = tm->epoch;
    }
    return e;
}

static inline void get_bar(const struct tc_bar_series *s, size_t i, struct tc_bar *out)
{
    out->day = s->day[i];
    out->open = s->open[i];
    out->high = s->high[i];
    out->low = s->low[i];
    out->close = s->close[i];
    out->adj_close = s->adj_close[i];
    out->volume = s->volume[i];
    out->open_interest = s->open_interest[i];
}

static void make_view(const struct tc_bar_series *s, size_t first, size_t n,
                      struct tc_bar_view *v)
{
    v->n = n;
    v->day = s->day + first;
    v->open = s->open + first;
    v->high = s->high + first;
    v->low = s->low + first;
    v->close = s->close + first;
    v->adj_close = s->adj_close + first;
    v->volume = s->volume + first;
    v->open_interest = s->open_interest + first;
}

/* Index of the first visible bar with day >= DAY (nvis when none). */
static size_t lower_bound(const struct entry *e, int64_t day)
{
    size_t lo = 0, hi = e->nvis;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->s->day[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int latest_slow(struct tc_tm *tm, size_t ix, struct tc_bar *out, struct tc_error *err)
{
    char t[TC_TIME_STRLEN + 32];
    int rc = 0;
    int64_t day = INT64_MIN;
    if (!tm || !out)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    if (ix >= tm->n) {
        rc = unknown(tm, ix, err);
    } else if (sync(tm, ix)->nvis == 0) {
        now_str(tm, t, sizeof t);
        rc = tc_error_set(err, TC_ENOTFOUND, "%s: no bar has closed at %s",
                          tm->ent[ix].s->instrument_id, t);
    } else {
        day = tm->ent[ix].s->day[tm->ent[ix].nvis - 1];
    }
    if (tm->audit)
        rc = record(tm, TC_TM_READ_LATEST, ix, 0, day, day, rc, err);
    if (rc == 0)
        get_bar(tm->ent[ix].s, tm->ent[ix].nvis - 1, out);
    return rc;
}

int tc_tm_latest(struct tc_tm *tm, size_t ix, struct tc_bar *out, struct tc_error *err)
{
    if (tm && !tm->audit && ix < tm->n && out) {
        const struct entry *e = sync(tm, ix);
        if (e->nvis > 0) {
            get_bar(e->s, e->nvis - 1, out);
            return 0;
        }
    }
    return latest_slow(tm, ix, out, err);
}

/* Checks a last-N read; on success *FIRST is the index of its oldest bar. */
static int check_last(struct tc_tm *tm, size_t ix, size_t n, size_t *first,
                      struct tc_error *err)
{
    char t[TC_TIME_STRLEN + 32];
    if (ix >= tm->n)
        return unknown(tm, ix, err);
    const struct entry *e = sync(tm, ix);
    if (n == 0)
        return tc_error_set(err, TC_EINVAL, "%s: 0 bars requested", e->s->instrument_id);
    if (n > e->nvis) {
        now_str(tm, t, sizeof t);
        return tc_error_set(err, TC_ERANGE, "%s: last %zu bars requested at %s, but only %zu "
                            "have closed", e->s->instrument_id, n, t, e->nvis);
    }
    *first = e->nvis - n;
    return 0;
}

static int last_slow(struct tc_tm *tm, enum tc_tm_read_kind kind, size_t ix, size_t n,
                     size_t *first, struct tc_error *err)
{
    int64_t from = INT64_MIN, to = INT64_MIN;
    int rc = check_last(tm, ix, n, first, err);
    if (rc == 0) {
        from = tm->ent[ix].s->day[*first];
        to = tm->ent[ix].s->day[*first + n - 1];
    }
    if (tm->audit)
        rc = record(tm, kind, ix, n, from, to, rc, err);
    return rc;
}

int tc_tm_last_bars(struct tc_tm *tm, size_t ix, size_t n, struct tc_bar_view *out,
                    struct tc_error *err)
{
    size_t first = 0;
    if (tm && !tm->audit && ix < tm->n && out) {
        const struct entry *e = sync(tm, ix);
        if (n - 1 < e->nvis) {
            make_view(e->s, e->nvis - n, n, out);
            return 0;
        }
    }
    if (!tm || !out)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    int rc = last_slow(tm, TC_TM_READ_LAST_BARS, ix, n, &first, err);
    if (rc == 0)
        make_view(tm->ent[ix].s, first, n, out);
    return rc;
}

int tc_tm_last_closes(struct tc_tm *tm, size_t ix, size_t n, struct tc_dec_view *out,
                      struct tc_error *err)
{
    size_t first = 0;
    if (tm && !tm->audit && ix < tm->n && out) {
        const struct entry *e = sync(tm, ix);
        if (n - 1 < e->nvis) {
            out->v = e->s->close + (e->nvis - n);
            out->n = n;
            return 0;
        }
    }
    if (!tm || !out)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    int rc = last_slow(tm, TC_TM_READ_LAST_CLOSES, ix, n, &first, err);
    if (rc == 0) {
        out->v = tm->ent[ix].s->close + first;
        out->n = n;
    }
    return rc;
}

/* Checks a by-date read; on success *I is the bar's index. */
static int check_on(struct tc_tm *tm, size_t ix, int64_t day, size_t *i,
                    struct tc_error *err)
{
    char d[DAY_STRLEN];
    if (ix >= tm->n)
        return unknown(tm, ix, err);
    const struct entry *e = sync(tm, ix);
    if (day > tm->closed)
        return lookahead(tm, e, day, day, err);
    size_t k = lower_bound(e, day);
    if (k == e->nvis || e->s->day[k] != day) {
        day_str(day, d);
        return tc_error_set(err, TC_ENOTFOUND, "%s: no bar on %s", e->s->instrument_id, d);
    }
    *i = k;
    return 0;
}

int tc_tm_bar_on(struct tc_tm *tm, size_t ix, int64_t day, struct tc_bar *out,
                 struct tc_error *err)
{
    size_t i = 0;
    if (!tm || !out)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    int rc = check_on(tm, ix, day, &i, err);
    if (tm->audit)
        rc = record(tm, TC_TM_READ_BAR_ON, ix, 0, day, day, rc, err);
    if (rc == 0)
        get_bar(tm->ent[ix].s, i, out);
    return rc;
}

int tc_tm_range(struct tc_tm *tm, size_t ix, int64_t from, int64_t to,
                struct tc_bar_view *out, struct tc_error *err)
{
    char a[DAY_STRLEN], b[DAY_STRLEN];
    size_t lo = 0, hi = 0;
    int rc = 0;
    if (!tm || !out)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    if (ix >= tm->n) {
        rc = unknown(tm, ix, err);
    } else if (from > to) {
        day_str(from, a);
        day_str(to, b);
        rc = tc_error_set(err, TC_EINVAL, "%s: range %s..%s ends before it starts",
                          tm->ent[ix].s->instrument_id, a, b);
    } else if (to > tm->closed) {
        rc = lookahead(tm, &tm->ent[ix], from, to, err);
    } else {
        sync(tm, ix);
        lo = lower_bound(&tm->ent[ix], from);
        hi = to == INT64_MAX ? tm->ent[ix].nvis : lower_bound(&tm->ent[ix], to + 1);
    }
    if (tm->audit)
        rc = record(tm, TC_TM_READ_RANGE, ix, 0, from, to, rc, err);
    if (rc == 0)
        make_view(tm->ent[ix].s, lo, hi - lo, out);
    return rc;
}

/* ---- adjusted prices ------------------------------------------------------ */

/* N / D rounded half-even; D > 0. */
static i128 div_half_even(i128 n, i128 d)
{
    i128 q = n / d, r = n % d;
    if (r < 0) {
        r += d;
        q -= 1;
    }
    i128 twice = 2 * r;
    if (twice > d || (twice == d && (q & 1)))
        q += 1;
    return q;
}

/* The factor of action A (fixed point, F_ONE = 1) for bars before its ex-date. */
static int action_factor(const struct entry *e, const struct tc_corp_action *a, i128 *f,
                         struct tc_error *err)
{
    char d[DAY_STRLEN], v1[TC_DEC_STRLEN], v2[TC_DEC_STRLEN], d2[DAY_STRLEN];
    if (a->kind == TC_CA_SPLIT) {
        *f = div_half_even(F_ONE * TC_DEC_ONE, a->ratio.raw);
        return 0;
    }
    size_t k = lower_bound(e, a->ex_date);
    if (k == 0) { /* no bar before it: nothing to adjust */
        *f = F_ONE;
        return 0;
    }
    struct tc_dec p = e->s->close[k - 1];
    if (tc_dec_cmp(a->amount, p) >= 0) {
        day_str(a->ex_date, d);
        day_str(e->s->day[k - 1], d2);
        tc_dec_format(a->amount, v1, sizeof v1);
        tc_dec_format(p, v2, sizeof v2);
        return tc_error_set(err, TC_ERANGE, "%s: dividend %s on %s is not below the previous "
                            "close %s (%s)", e->s->instrument_id, v1, d, v2, d2);
    }
    *f = div_half_even((i128)(p.raw - a->amount.raw) * F_ONE, p.raw);
    return 0;
}

static int mul_factor(const struct entry *e, i128 *acc, i128 f, struct tc_error *err)
{
    i128 prod;
    if (__builtin_mul_overflow(*acc, f, &prod) || div_half_even(prod, F_ONE) == 0)
        return tc_error_set(err, TC_ERANGE, "%s: cumulative adjustment factor out of range",
                            e->s->instrument_id);
    *acc = div_half_even(prod, F_ONE);
    return 0;
}

static int apply(const struct entry *e, struct tc_dec price, i128 f, int64_t day,
                 struct tc_dec *out, struct tc_error *err)
{
    char d[DAY_STRLEN];
    i128 prod, q = 0;
    int bad = __builtin_mul_overflow((i128)price.raw, f, &prod);
    if (!bad) {
        q = div_half_even(prod, F_ONE);
        bad = q > INT64_MAX || q < INT64_MIN;
    }
    if (bad) {
        day_str(day, d);
        return tc_error_set(err, TC_ERANGE, "%s: adjusted price of %s is out of range",
                            e->s->instrument_id, d);
    }
    out->raw = (int64_t)q;
    return 0;
}

/* Number of actions effective at CLOSED (ex_date <= CLOSED). */
static size_t effective(const struct entry *e, int64_t closed)
{
    size_t k = e->nact;
    while (k > 0 && e->act[k - 1].ex_date > closed)
        k--;
    return k;
}

static int adj_closes(const struct tc_tm *tm, const struct entry *e, size_t first, size_t n,
                      struct tc_dec *out, struct tc_error *err)
{
    size_t k = effective(e, tm->closed);
    i128 acc = F_ONE;
    for (size_t i = first + n; i-- > first;) {
        int64_t day = e->s->day[i];
        while (k > 0 && e->act[k - 1].ex_date > day) {
            i128 f;
            int rc = action_factor(e, &e->act[k - 1], &f, err);
            if (rc == 0)
                rc = mul_factor(e, &acc, f, err);
            if (rc)
                return rc;
            k--;
        }
        int rc = apply(e, e->s->close[i], acc, day, &out[i - first], err);
        if (rc)
            return rc;
    }
    return 0;
}

int tc_tm_adj_closes(struct tc_tm *tm, size_t ix, size_t n, struct tc_dec *out,
                     struct tc_error *err)
{
    size_t first = 0;
    int64_t from = INT64_MIN, to = INT64_MIN;
    if (!tm || !out)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    int rc = check_last(tm, ix, n, &first, err);
    if (rc == 0) {
        from = tm->ent[ix].s->day[first];
        to = tm->ent[ix].s->day[first + n - 1];
        rc = adj_closes(tm, &tm->ent[ix], first, n, out, err);
    }
    if (tm->audit)
        rc = record(tm, TC_TM_READ_ADJ_CLOSES, ix, n, from, to, rc, err);
    return rc;
}

int tc_tm_adj_bar_on(struct tc_tm *tm, size_t ix, int64_t day, struct tc_bar *out,
                     struct tc_error *err)
{
    size_t i = 0;
    struct tc_bar b;
    if (!tm || !out)
        return tc_error_set(err, TC_EINVAL, "timemachine: NULL argument");
    int rc = check_on(tm, ix, day, &i, err);
    if (tm->audit)
        rc = record(tm, TC_TM_READ_ADJ_BAR_ON, ix, 0, day, day, rc, err);
    if (rc)
        return rc;
    const struct entry *e = &tm->ent[ix];
    i128 acc = F_ONE;
    for (size_t k = effective(e, tm->closed); k > 0 && e->act[k - 1].ex_date > day; k--) {
        i128 f;
        if ((rc = action_factor(e, &e->act[k - 1], &f, err)) != 0 ||
            (rc = mul_factor(e, &acc, f, err)) != 0)
            return rc;
    }
    get_bar(e->s, i, &b);
    if ((rc = apply(e, b.open, acc, day, &b.open, err)) != 0 ||
        (rc = apply(e, b.high, acc, day, &b.high, err)) != 0 ||
        (rc = apply(e, b.low, acc, day, &b.low, err)) != 0 ||
        (rc = apply(e, b.close, acc, day, &b.close, err)) != 0)
        return rc;
    b.adj_close = b.close;
    *out = b;
    return 0;
}
