/*
 * Retry with exponential backoff and full jitter: the ceiling doubles per
 * attempt up to a cap and the actual delay is uniform below it, so that many
 * clients retrying at once spread out instead of colliding again.
 */
#include <pthread.h>
#include <stdint.h>

#include "tradecore/retry.h"
#include "internal/banned.h"

/* The generator used when callers pass no rng; guarded by its mutex. */
static struct tc_rng shared_rng;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static int shared_seeded;

static int64_t ceiling_us(const struct tc_retry_policy *p, int attempt)
{
    int64_t c = p->base_us;
    int k;
    if (c <= 0 || p->cap_us <= 0)
        return 0;
    for (k = 1; k < attempt && c < p->cap_us; k++) {
        if (c > INT64_MAX / 2) {
            c = INT64_MAX;
            break;
        }
        c *= 2;
    }
    return c < p->cap_us ? c : p->cap_us;
}

static int64_t draw(struct tc_rng *rng, int64_t ceiling)
{
    /* Uniform over [0, ceiling], both ends included. */
    if (ceiling <= 0)
        return 0;
    return (int64_t)tc_rng_below(rng, (uint64_t)ceiling + 1u);
}

int64_t tc_retry_delay_us(const struct tc_retry_policy *p, int attempt, struct tc_rng *rng)
{
    int64_t ceiling, d;
    if (!p)
        return 0;
    ceiling = ceiling_us(p, attempt < 1 ? 1 : attempt);
    if (rng)
        return draw(rng, ceiling);
    pthread_mutex_lock(&shared_lock);
    if (!shared_seeded) {
        const struct tc_clock *sys = tc_clock_system();
        uint64_t seed = (uint64_t)tc_clock_now(sys) ^ ((uint64_t)tc_clock_monotonic(sys) << 21);
        tc_rng_seed(&shared_rng, seed ^ (uint64_t)(uintptr_t)&shared_rng);
        shared_seeded = 1;
    }
    d = draw(&shared_rng, ceiling);
    pthread_mutex_unlock(&shared_lock);
    return d;
}

int tc_retry_is_transient(int code)
{
    return code == TC_EBUSY || code == TC_ESERIAL || code == TC_EUNAVAIL;
}

int tc_retry_run(const struct tc_retry_policy *p, const struct tc_clock *clock,
                 struct tc_rng *rng, int (*retryable)(int code), tc_retry_fn fn, void *ud,
                 int *attempts_out, struct tc_error *err)
{
    int attempt, rc = 0;

    if (attempts_out)
        *attempts_out = 0;
    if (!p || !fn)
        return tc_error_set(err, TC_EINVAL, "retry: no %s given", !p ? "policy" : "function");
    if (p->max_attempts < 1)
        return tc_error_set(err, TC_EINVAL, "retry: max_attempts %d is below 1",
                            p->max_attempts);
    if (!retryable)
        retryable = tc_retry_is_transient;

    for (attempt = 1;; attempt++) {
        tc_error_clear(err);
        rc = fn(ud, err);
        if (attempts_out)
            *attempts_out = attempt;
        if (rc == 0)
            return 0;
        if (!retryable(rc)) {
            if (err && err->code == 0)
                err->code = rc;
            return rc;
        }
        if (attempt >= p->max_attempts)
            break;
        tc_clock_sleep(clock, tc_retry_delay_us(p, attempt, rng));
    }
    if (err) {
        if (err->code == 0)
            err->code = rc;
        tc_error_prefix(err, "after %d attempt%s", attempt, attempt == 1 ? "" : "s");
    }
    return rc;
}
