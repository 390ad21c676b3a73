/* TimeMachine throughput: 100 instruments x 5,000 XNYS sessions, set_time at
 * each session's close, then per instrument the latest bar and a 30-bar close
 * view (summed so the work is real); the same loop over the raw arrays with
 * hand-kept cursors and no gate, for the cost of the gate itself. Also the
 * audited loop and adjusted closes with a split and a dividend. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/timemachine.h"

enum { INSTRUMENTS = 100, SESSIONS = 5000, WINDOW = 30 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const struct tc_error *err)
{
    fprintf(stderr, "bench_timemachine: %s\n", tc_error_msg(err));
    return 1;
}

/* Uses every field of a bar, so that no copy is optimised away. */
static int64_t bar_sum(const struct tc_bar *b)
{
    return b->day + b->open.raw + b->high.raw + b->low.raw + b->close.raw + b->adj_close.raw +
           b->volume + b->open_interest;
}

/* One pass of the gated loop; returns the number of reads, or -1. */
static long gated(struct tc_tm *tm, const int64_t *close_us, int64_t *sink, struct tc_error *err)
{
    long reads = 0;
    tc_tm_reset(tm);
    for (size_t d = 0; d < SESSIONS; d++) {
        if (tc_tm_set_time(tm, close_us[d], err) != 0)
            return -1;
        for (size_t i = 0; i < INSTRUMENTS; i++) {
            struct tc_bar bar;
            struct tc_dec_view v;
            if (tc_tm_latest(tm, i, &bar, err) != 0)
                return -1;
            *sink += bar_sum(&bar);
            reads++;
            if (tc_tm_last_closes(tm, i, WINDOW, &v, err) == 0) {
                for (size_t k = 0; k < v.n; k++)
                    *sink += v.v[k].raw;
            }
            reads++;
        }
    }
    return reads;
}

int main(void)
{
    struct tc_error err = {0};
    const struct tc_calendar *cal;
    int64_t *days = NULL, close_us[SESSIONS];
    size_t n = 0;
    volatile int64_t out = 0;
    int64_t sink = 0;
    static struct tc_bar_series series[INSTRUMENTS];
    struct tc_tm *tm = NULL;
    struct tc_rng rng;

    if (tc_calendar_get("XNYS", &cal, &err) != 0 ||
        tc_calendar_sessions_alloc(cal, tc_days_from_civil(1995, 1, 3),
                                   tc_days_from_civil(2026, 12, 31), &days, &n, &err) != 0)
        return fail(&err);
    if (n < SESSIONS) {
        fprintf(stderr, "bench_timemachine: only %zu sessions\n", n);
        return 1;
    }
    for (size_t d = 0; d < SESSIONS; d++)
        if (tc_calendar_session_times(cal, days[d], NULL, &close_us[d], &err) != 0)
            return fail(&err);
    tc_rng_seed(&rng, 1);
    if (tc_tm_new(cal, &tm, &err) != 0)
        return fail(&err);
    double t0 = now_s();
    for (size_t i = 0; i < INSTRUMENTS; i++) {
        char id[16];
        snprintf(id, sizeof id, "I%03zu", i);
        tc_bar_series_init(&series[i], id);
        if (tc_bar_series_reserve(&series[i], SESSIONS, &err) != 0)
            return fail(&err);
        int64_t p = 100 * TC_DEC_ONE;
        for (size_t d = 0; d < SESSIONS; d++) {
            struct tc_bar b = {0};
            p += (int64_t)tc_rng_below(&rng, 100000001) - 50000000;
            if (p < 10 * TC_DEC_ONE)
                p = 10 * TC_DEC_ONE;
            b.day = days[d];
            b.open = b.close = b.adj_close = tc_dec_from_raw(p);
            b.high = tc_dec_from_raw(p + TC_DEC_ONE / 4);
            b.low = tc_dec_from_raw(p - TC_DEC_ONE / 4);
            b.volume = 1000;
            if (tc_bar_series_append(&series[i], &b, &err) != 0)
                return fail(&err);
        }
        if (tc_tm_add_series(tm, &series[i], NULL, &err) != 0)
            return fail(&err);
    }
    printf("timemachine\tload_%dx%d\tms\t%.1f\tms\n", INSTRUMENTS, SESSIONS, (now_s() - t0) * 1e3);

    /* Gated. */
    t0 = now_s();
    long reads = gated(tm, close_us, &sink, &err);
    double dt = now_s() - t0;
    if (reads < 0)
        return fail(&err);
    printf("timemachine\tgated_latest_and_view%d\treads_per_s\t%.0f\treads/s\n", WINDOW,
           (double)reads / dt);
    printf("timemachine\tgated_latest_and_view%d\tns_per_read\t%.1f\tns\n", WINDOW,
           dt * 1e9 / (double)reads);
    printf("timemachine\tgated_session_step\tus_per_session\t%.2f\tus\n", dt * 1e6 / SESSIONS);
    int64_t gated_sum = sink;

    /* Raw arrays, no gate: the same reads with hand-kept cursors. */
    sink = 0;
    static size_t cur[INSTRUMENTS];
    t0 = now_s();
    reads = 0;
    for (size_t d = 0; d < SESSIONS; d++) {
        for (size_t i = 0; i < INSTRUMENTS; i++) {
            const struct tc_bar_series *s = &series[i];
            while (cur[i] < s->n && s->day[cur[i]] <= days[d])
                cur[i]++;
            struct tc_bar bar; /* the latest bar, copied as the gate does */
            size_t last = cur[i] - 1;
            bar.day = s->day[last];
            bar.open = s->open[last];
            bar.high = s->high[last];
            bar.low = s->low[last];
            bar.close = s->close[last];
            bar.adj_close = s->adj_close[last];
            bar.volume = s->volume[last];
            bar.open_interest = s->open_interest[last];
            sink += bar_sum(&bar);
            reads++;
            if (cur[i] >= WINDOW) {
                const struct tc_dec *v = s->close + cur[i] - WINDOW;
                for (size_t k = 0; k < WINDOW; k++)
                    sink += v[k].raw;
            }
            reads++;
        }
    }
    dt = now_s() - t0;
    printf("timemachine\traw_latest_and_view%d\treads_per_s\t%.0f\treads/s\n", WINDOW,
           (double)reads / dt);
    printf("timemachine\traw_latest_and_view%d\tns_per_read\t%.1f\tns\n", WINDOW,
           dt * 1e9 / (double)reads);
    if (sink != gated_sum) {
        fprintf(stderr, "bench_timemachine: gated and raw loops disagree\n");
        return 1;
    }

    /* Audited: every read recorded in memory. */
    sink = 0;
    tc_tm_audit_memory(tm, 1);
    t0 = now_s();
    reads = gated(tm, close_us, &sink, &err);
    dt = now_s() - t0;
    if (reads < 0)
        return fail(&err);
    printf("timemachine\taudited_latest_and_view%d\treads_per_s\t%.0f\treads/s\n", WINDOW,
           (double)reads / dt);
    tc_tm_audit_memory(tm, 0);
    tc_tm_audit_clear(tm);

    /* Adjusted closes: a split and a dividend in every series. */
    for (size_t i = 0; i < INSTRUMENTS; i++) {
        struct tc_corp_action sp = {days[SESSIONS / 2], TC_CA_SPLIT, {2 * TC_DEC_ONE}, {0}};
        struct tc_corp_action dv = {days[SESSIONS / 4], TC_CA_DIVIDEND, {0}, {TC_DEC_ONE / 10}};
        if (tc_tm_add_action(tm, i, &sp, &err) != 0 || tc_tm_add_action(tm, i, &dv, &err) != 0)
            return fail(&err);
    }
    if (tc_tm_set_time(tm, close_us[SESSIONS - 1], &err) != 0)
        return fail(&err);
    static struct tc_dec adj[SESSIONS];
    long ops = 0;
    t0 = now_s();
    for (int rep = 0; rep < 20; rep++)
        for (size_t i = 0; i < INSTRUMENTS; i++) {
            /* the whole history: both actions apply to part of it */
            if (tc_tm_adj_closes(tm, i, SESSIONS, adj, &err) != 0)
                return fail(&err);
            sink += adj[0].raw;
            ops += SESSIONS;
        }
    dt = now_s() - t0;
    printf("timemachine\tadj_closes_full_history\tns_per_bar\t%.1f\tns\n",
           dt * 1e9 / (double)ops);

    out = sink;
    (void)out;
    tc_tm_free(tm);
    for (size_t i = 0; i < INSTRUMENTS; i++)
        tc_bar_series_release(&series[i]);
    free(days);
    return 0;
}
