/*
 * The offset clock of clock.h: the wall time of another clock shifted by an
 * offset that a test may change at any time (directly, or through a file the
 * daemon re-reads every heartbeat), to check what a jump of the system clock
 * does to signals, heartbeats and leases. Monotonic time is left alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tradecore/clock.h"
#include "internal/banned.h"

/* ±100 years: anything larger is a typo, not a clock jump. */
#define OFFSET_MAX_S INT64_C(3155760000)

static const struct tc_clock *base_of(const struct tc_offset_clock *oc)
{
    return oc->base ? oc->base : tc_clock_system();
}

static int64_t oc_now(void *ctx)
{
    struct tc_offset_clock *oc = ctx;
    return tc_clock_now(base_of(oc)) + atomic_load(&oc->offset_us);
}

static int64_t oc_mono(void *ctx)
{
    return tc_clock_monotonic(base_of(ctx));
}

static void oc_sleep(void *ctx, int64_t us)
{
    tc_clock_sleep(base_of(ctx), us);
}

void tc_offset_clock_init(struct tc_offset_clock *oc, const struct tc_clock *base)
{
    oc->clock.now_us = oc_now;
    oc->clock.monotonic_us = oc_mono;
    oc->clock.sleep_us = oc_sleep;
    oc->clock.ctx = oc;
    oc->base = base;
    atomic_init(&oc->offset_us, 0);
}

void tc_offset_clock_set(struct tc_offset_clock *oc, int64_t offset_us)
{
    atomic_store(&oc->offset_us, offset_us);
}

int64_t tc_offset_clock_offset(const struct tc_offset_clock *oc)
{
    return atomic_load(&((struct tc_offset_clock *)oc)->offset_us);
}

int tc_offset_clock_load(struct tc_offset_clock *oc, const char *path, struct tc_error *err)
{
    char buf[64], *p, *end;
    size_t n;
    long long s;
    FILE *f;

    if (!path)
        return tc_error_set(err, TC_EINVAL, "clock offset file: no path");
    if (!(f = fopen(path, "r"))) {
        if (errno == ENOENT) {
            tc_offset_clock_set(oc, 0);
            return 0;
        }
        return tc_error_set(err, TC_EIO, "clock offset file %s: %s", path, strerror(errno));
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    if (ferror(f)) {
        fclose(f);
        return tc_error_set(err, TC_EIO, "clock offset file %s: read error", path);
    }
    if (n == sizeof(buf) - 1 && fgetc(f) != EOF) {
        fclose(f);
        return tc_error_set(err, TC_EPARSE, "clock offset file %s: longer than %zu bytes", path,
                            sizeof(buf) - 1);
    }
    fclose(f);
    buf[n] = '\0';
    for (p = buf; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
        ;
    if (!*p) {
        tc_offset_clock_set(oc, 0);
        return 0;
    }
    errno = 0;
    s = strtoll(p, &end, 10);
    if (end == p || (*p != '+' && *p != '-' && (*p < '0' || *p > '9')))
        return tc_error_set(err, TC_EPARSE, "clock offset file %s: \"%.32s\" is not a number of seconds",
                            path, p);
    for (; *end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'; end++)
        ;
    if (*end)
        return tc_error_set(err, TC_EPARSE, "clock offset file %s: \"%.32s\" is not a number of seconds",
                            path, p);
    if (errno == ERANGE || s > OFFSET_MAX_S || s < -OFFSET_MAX_S)
        return tc_error_set(err, TC_EPARSE, "clock offset file %s: %.32s seconds is out of range "
                            "(at most 100 years either way)", path, p);
    tc_offset_clock_set(oc, (int64_t)s * 1000000);
    return 0;
}
