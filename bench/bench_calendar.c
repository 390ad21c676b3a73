/* Calendar and time-zone throughput: is_session over every XNYS date,
 * sessions of the whole verified range, and UTC <-> local conversions. */
#include <stdio.h>
#include <time.h>

#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/tz.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    const struct tc_calendar *cal;
    const struct tc_tz *tz;
    struct tc_error err = {0};
    int64_t from = tc_days_from_civil(1990, 1, 1), to = tc_days_from_civil(2026, 12, 31);
    long ops = 0, sessions = 0;
    double t0, dt;
    volatile int64_t sink = 0;

    if (tc_calendar_get("XNYS", &cal, &err) != 0 || tc_tz_get("America/New_York", &tz, &err) != 0) {
        fprintf(stderr, "bench_calendar: %s\n", tc_error_msg(&err));
        return 1;
    }
    t0 = now_s();
    for (int rep = 0; rep < 20; rep++)
        for (int64_t d = from; d <= to; d++) {
            int is = 0;
            tc_calendar_is_session(cal, d, &is, &err);
            sessions += is;
            ops++;
        }
    dt = now_s() - t0;
    printf("calendar\tis_session\tops_per_s\t%.0f\tops/s\n", (double)ops / dt);

    t0 = now_s();
    ops = 0;
    for (int rep = 0; rep < 20; rep++) {
        size_t n = 0;
        tc_calendar_count(cal, from, to, &n, &err);
        sink += (int64_t)n;
        ops++;
    }
    dt = now_s() - t0;
    printf("calendar\tcount_1990_2026\tms_per_op\t%.3f\tms\n", dt * 1000 / (double)ops);

    t0 = now_s();
    ops = 0;
    for (int64_t us = INT64_C(946684800000000); ops < 2000000; us += INT64_C(3600000000) * 7) {
        struct tc_local_time lt;
        int64_t back;
        tc_tz_to_local(tz, us, &lt, &err);
        tc_tz_from_local(tz, &lt.wall, TC_TZ_EARLIER, &back, NULL, &err);
        sink += back;
        ops++;
    }
    dt = now_s() - t0;
    printf("calendar\ttz_round_trip_new_york\tops_per_s\t%.0f\tops/s\n", (double)ops / dt);
    (void)sink;
    (void)sessions;
    return 0;
}
