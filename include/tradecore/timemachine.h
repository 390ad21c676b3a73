/*
 * The TimeMachine: the one data gate of a backtest (DESIGN.md rule 4).
 *
 * A TimeMachine holds preloaded daily bar series (bars.h) for a set of
 * instruments, an optional trading calendar and each instrument's corporate
 * actions, and a current time t (UTC µs). Every read a strategy or the engine
 * makes in BACKTEST goes through it, and it returns nothing dated after t.
 *
 * Visibility. The bar of session date d becomes visible at d's close:
 *   - with a calendar: at the session's close in UTC (tc_calendar_day:
 *     close_us), which follows early closes and daylight-saving time;
 *   - without a calendar: at the end of day d in UTC, i.e. at
 *     (d + 1) * 86400 * 10^6 µs.
 * Visible means t >= that instant: one µs before the close the bar is not
 * visible, at the close it is. The gate keeps a "closed date" c(t): the latest
 * date whose close is <= t (with a calendar, the latest session). A bar is
 * visible exactly when its date is <= c(t). A bar dated on a day the calendar
 * says is not a session (bad data) thus becomes visible at the close of the
 * next session, never earlier.
 *
 * Errors never depend on data after t: a read that reaches past c(t) fails
 * with TC_ELOOKAHEAD whether or not the series holds a bar there, e.g.
 *   ORCL: bar of 2014-06-03 requested at 2014-06-02T20:00:00Z (not yet closed)
 * and every other error depends only on what is visible.
 *
 * Moving time. tc_tm_set_time() moves c(t), asking the calendar once per
 * session crossed; each series' cursor then catches up at its next read (a
 * comparison per newly visible bar: amortised O(1) per bar, and nothing for
 * series that are not read). Reads of the latest bar and of the
 * last n bars are a bounds check plus pointer arithmetic: no allocation, no
 * logging, no locking (unless the audit log is on, see below).
 *
 * Corporate actions and adjusted prices. Raw bars are never changed. Adjusted
 * prices "as of t" use standard backward adjustment: the price of a bar of
 * date b is multiplied by the factor of every action with b < ex_date <= c(t):
 *   split (RATIO new shares per old share, > 0): factor 1 / RATIO;
 *   cash dividend (AMOUNT per share, > 0):  factor (P - AMOUNT) / P, where P
 *     is the raw close of the last bar before the ex-date.
 * No action dated after c(t) is used, so the adjusted series seen at time t1
 * does not change when an action with ex_date > c(t1) is added. Arithmetic is
 * exact up to two documented roundings: factors are multiplied, newest action
 * first, in 128-bit fixed point with 18 fractional digits, each product and
 * quotient rounded half-even (TC_ROUND_HALF_EVEN); the raw price is then
 * multiplied by the cumulative factor and rounded once, half-even, to the 8
 * places of a tc_dec. The series' own adj_close column is not used.
 *
 * Calendar reads through the gate: the current session (c(t)) and the next
 * session after it, with its open and close, may be read at any time. The next
 * session is public knowledge (exchanges publish their holiday schedules in
 * advance) and a strategy needs it to schedule orders for the next bar. Any
 * later date is not answered (TC_ELOOKAHEAD): an unscheduled closure (the
 * calendar's overrides, e.g. a hurricane) must not be known early. The only
 * leak left is an unscheduled closure of the very next days, which the gate
 * reveals one session early; we accept that.
 *
 * Audit. Optionally every gated read (refused ones included) is recorded with
 * its kind, instrument, requested dates, the time t and the result code, to a
 * caller's callback or to an in-memory array owned by the TimeMachine.
 * Calendar reads (tc_tm_session, tc_tm_next_session) are not recorded: they
 * carry no market data.
 *
 * Thread-safety: a TimeMachine is one backtest's state; use it from one thread
 * at a time. Different TimeMachines may share borrowed series read-only.
 */
#ifndef TRADECORE_TIMEMACHINE_H
#define TRADECORE_TIMEMACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/bars.h"
#include "tradecore/calendar.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"

struct tc_tm;

/* A contiguous view of decimals (closes): V[0..N-1], oldest first. The view
 * borrows the series' arrays: it is valid until the series is changed or
 * freed (for a borrowed series, until the owner appends to it). */
struct tc_dec_view {
    const struct tc_dec *v;
    size_t n;
};

/* A columnar view of N consecutive bars, oldest first; borrowed as above. */
struct tc_bar_view {
    size_t n;
    const int64_t *day;
    const struct tc_dec *open, *high, *low, *close, *adj_close;
    const int64_t *volume, *open_interest;
};

/* Corporate actions. */
enum tc_corp_action_kind {
    TC_CA_SPLIT = 1,     /* RATIO new shares for each old one: 2 for 2-for-1, 0.1 for 1-for-10 */
    TC_CA_DIVIDEND = 2,  /* cash dividend of AMOUNT per share, in the price currency */
};

struct tc_corp_action {
    int64_t ex_date;               /* session date, days since 1970-01-01 */
    enum tc_corp_action_kind kind;
    struct tc_dec ratio;           /* TC_CA_SPLIT: > 0 and != 1; else ignored */
    struct tc_dec amount;          /* TC_CA_DIVIDEND: > 0; else ignored */
};

/*
 * Makes an empty TimeMachine at time "before the start" (nothing visible).
 * CAL may be NULL (visibility at the end of each UTC day, as above); it is
 * borrowed and must outlive the TimeMachine. *OUT is the caller's
 * (tc_tm_free). TC_EINVAL for a NULL OUT; TC_ENOMEM.
 */
int tc_tm_new(const struct tc_calendar *cal, struct tc_tm **out, struct tc_error *err);

/* Frees TM, the series it owns and its audit array (NULL allowed). Borrowed
 * series are left alone. */
void tc_tm_free(struct tc_tm *tm);

/*
 * Adds a series, BORROWED: S must outlive TM. Its owner may append bars to it
 * between reads; those dated up to c(t) are visible from the next
 * tc_tm_set_time on (which may repeat the current time), later ones when their
 * close comes, like any other. Removing or changing bars already added is not
 * allowed. *IX (may be NULL) receives the
 * instrument's handle, 0, 1, 2… in order of addition. Errors: TC_EINVAL for
 * a NULL argument or an empty instrument id; TC_ECONFLICT when the instrument
 * id is already loaded; TC_ENOMEM. TM is unchanged on error.
 */
int tc_tm_add_series(struct tc_tm *tm, const struct tc_bar_series *s, size_t *ix,
                     struct tc_error *err);

/*
 * Adds a series, OWNED: its arrays move into TM (freed by tc_tm_free) and *S
 * is left empty (same instrument id, no bars). Errors as tc_tm_add_series;
 * on error *S is unchanged and still the caller's.
 */
int tc_tm_adopt_series(struct tc_tm *tm, struct tc_bar_series *s, size_t *ix,
                       struct tc_error *err);

/* The number of instruments loaded. */
size_t tc_tm_count(const struct tc_tm *tm);

/* The instrument id of handle IX (owned by TM), or NULL when IX is unknown. */
const char *tc_tm_instrument_id(const struct tc_tm *tm, size_t ix);

/*
 * The handle of INSTRUMENT_ID (case-sensitive) into *IX. TC_ENOTFOUND names
 * the instrument; TC_EINVAL for NULL. Resolve handles once (O(log n)); reads
 * take handles.
 */
int tc_tm_find(const struct tc_tm *tm, const char *instrument_id, size_t *ix,
               struct tc_error *err);

/*
 * Adds a corporate action (copied) to instrument IX; actions may be added at
 * any time, in any order. Errors (nothing is added): TC_ENOTFOUND for an
 * unknown handle; TC_EINVAL for an unknown kind, a split ratio <= 0 or equal
 * to 1, a dividend amount <= 0; TC_ECONFLICT for a second action of the same
 * kind on the same ex-date; TC_ENOMEM. A dividend that is not below the
 * previous close is reported by the adjusted reads (TC_ERANGE), since that
 * close may not be loaded yet.
 */
int tc_tm_add_action(struct tc_tm *tm, size_t ix, const struct tc_corp_action *a,
                     struct tc_error *err);

/*
 * Moves the current time to T_US (UTC µs). Time never goes backwards: T_US
 * below the current time is TC_EINVAL (both times named); the same time again
 * is allowed (it makes bars appended to borrowed series since visible).
 * Use tc_tm_reset() to start over. With a calendar, TC_ERANGE when the UTC
 * date of T_US is more than a day outside the calendar's verified years (or
 * the calendar's own error); TM is then unchanged. In the day after the last
 * verified session nothing more becomes visible.
 */
int tc_tm_set_time(struct tc_tm *tm, int64_t t_us, struct tc_error *err);

/* Back to "before the start": nothing visible. Series, actions and the audit
 * array are kept. */
void tc_tm_reset(struct tc_tm *tm);

/* The current time (INT64_MIN before the first tc_tm_set_time). */
int64_t tc_tm_now(const struct tc_tm *tm);

/*
 * The current session c(t): the latest date whose close is <= t (with a
 * calendar, the latest session closed). TC_ENOTFOUND before any session has
 * closed.
 */
int tc_tm_session(const struct tc_tm *tm, int64_t *day, struct tc_error *err);

/*
 * The next session after the current one, and its open and close in UTC µs
 * (any output may be NULL). Without a calendar TC_ENOTFOUND ("no calendar");
 * TC_ERANGE when it lies beyond the calendar's verified years; TC_ENOTFOUND
 * before the first tc_tm_set_time.
 */
int tc_tm_next_session(const struct tc_tm *tm, int64_t *day, int64_t *open_us,
                       int64_t *close_us, struct tc_error *err);

/*
 * Reads. Each takes a handle IX; an unknown handle is TC_ENOTFOUND. Outputs
 * are written only on success.
 */

/* The latest visible bar (copied). TC_ENOTFOUND when no bar is visible yet. */
int tc_tm_latest(struct tc_tm *tm, size_t ix, struct tc_bar *out, struct tc_error *err);

/*
 * The last N visible bars (N >= 1) as a view ending at the latest visible
 * bar: no copy. TC_EINVAL for N == 0; TC_ERANGE when fewer than N bars are
 * visible (the message says how many are).
 */
int tc_tm_last_bars(struct tc_tm *tm, size_t ix, size_t n, struct tc_bar_view *out,
                    struct tc_error *err);

/* The last N visible closes, as tc_tm_last_bars. */
int tc_tm_last_closes(struct tc_tm *tm, size_t ix, size_t n, struct tc_dec_view *out,
                      struct tc_error *err);

/*
 * The bar of date DAY (copied). TC_ELOOKAHEAD when DAY > c(t), whether or not
 * a bar exists; TC_ENOTFOUND when there is no bar on DAY (a holiday, a gap).
 */
int tc_tm_bar_on(struct tc_tm *tm, size_t ix, int64_t day, struct tc_bar *out,
                 struct tc_error *err);

/*
 * The bars with FROM <= day <= TO as a view (possibly empty: n == 0).
 * TC_EINVAL when FROM > TO; TC_ELOOKAHEAD when TO > c(t).
 */
int tc_tm_range(struct tc_tm *tm, size_t ix, int64_t from, int64_t to,
                struct tc_bar_view *out, struct tc_error *err);

/*
 * The last N visible closes adjusted as of t (see the top of this file) into
 * the caller's OUT[0..N-1], oldest first. Errors as tc_tm_last_closes, plus
 * TC_ERANGE for a dividend not below its previous close or an adjusted price
 * out of range (OUT may then be partly written).
 */
int tc_tm_adj_closes(struct tc_tm *tm, size_t ix, size_t n, struct tc_dec *out,
                     struct tc_error *err);

/* The bar of DAY with open, high, low, close (and adj_close = close) adjusted
 * as of t; volume and open interest stay raw. Errors as tc_tm_bar_on and
 * tc_tm_adj_closes. */
int tc_tm_adj_bar_on(struct tc_tm *tm, size_t ix, int64_t day, struct tc_bar *out,
                     struct tc_error *err);

/* Audit log. */
enum tc_tm_read_kind {
    TC_TM_READ_LATEST = 1,
    TC_TM_READ_LAST_BARS,
    TC_TM_READ_LAST_CLOSES,
    TC_TM_READ_BAR_ON,
    TC_TM_READ_RANGE,
    TC_TM_READ_ADJ_CLOSES,
    TC_TM_READ_ADJ_BAR_ON,
};

/* One gated read. FROM and TO are the dates requested (for latest and last-n
 * reads, the dates returned; INT64_MIN when nothing was returned). */
struct tc_tm_read {
    enum tc_tm_read_kind kind;
    size_t ix;            /* the handle asked for (possibly unknown) */
    size_t n;             /* bars requested (last-n reads), else 0 */
    int64_t from, to;     /* dates, days since 1970-01-01 */
    int64_t as_of_us;     /* the time t of the read */
    int rc;               /* the read's result: 0 or a TC_E* code */
};

/* The name of KIND ("latest", "last_bars", …), or "?". */
const char *tc_tm_read_kind_name(enum tc_tm_read_kind kind);

typedef void (*tc_tm_audit_fn)(void *ctx, const struct tc_tm_read *r);

/* Sends every later read to FN(CTX, record) (the record is only valid during
 * the call). FN NULL turns the callback off. Replaces the in-memory array. */
void tc_tm_audit_callback(struct tc_tm *tm, tc_tm_audit_fn fn, void *ctx);

/*
 * ON != 0: records every later read into an array owned by TM (grown by
 * doubling; a read whose record cannot be stored fails with TC_ENOMEM and
 * returns nothing). Replaces the callback. ON == 0 stops recording and keeps
 * the records.
 */
void tc_tm_audit_memory(struct tc_tm *tm, int on);

/* The records so far (owned by TM, valid until the next read or clear); *N
 * gets their number. */
const struct tc_tm_read *tc_tm_audit_records(const struct tc_tm *tm, size_t *n);

/* Drops the records (keeps recording if on). */
void tc_tm_audit_clear(struct tc_tm *tm);

#endif
