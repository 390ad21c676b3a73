/*
 * Retry with exponential backoff and full jitter.
 *
 * Delay before attempt k+1 (k = 1, 2, …) is uniform in
 * [0, min(cap, base * 2^(k-1))], drawn from an injectable tc_rng; time comes
 * from an injectable tc_clock, so tests run instantly and deterministically.
 * The policy's numbers come from configuration (retry.attempts, retry.base_ms,
 * retry.cap_ms).
 */
#ifndef TRADECORE_RETRY_H
#define TRADECORE_RETRY_H

#include <stdint.h>

#include "tradecore/clock.h"
#include "tradecore/error.h"

struct tc_retry_policy {
    int max_attempts;   /* total attempts, >= 1 */
    int64_t base_us;    /* first backoff ceiling */
    int64_t cap_us;     /* largest backoff ceiling */
};

/* 5 attempts, 10 ms base, 1 s cap. */
#define TC_RETRY_DEFAULT ((struct tc_retry_policy){5, 10000, 1000000})

/* The delay to sleep after failed attempt ATTEMPT (1-based). */
int64_t tc_retry_delay_us(const struct tc_retry_policy *p, int attempt, struct tc_rng *rng);

/* Returns nonzero when CODE is worth retrying: TC_EBUSY, TC_ESERIAL, TC_EUNAVAIL. */
int tc_retry_is_transient(int code);

typedef int (*tc_retry_fn)(void *ud, struct tc_error *err);

/*
 * Calls FN until it returns 0, a code that RETRYABLE (NULL = tc_retry_is_transient)
 * says is final, or the attempts run out; sleeps between attempts with CLOCK
 * (NULL = system) and RNG (NULL = a process-wide generator, seeded from the
 * clock; thread-safe). Returns FN's last result; ERR holds its last detail,
 * prefixed with "after N attempts" when they ran out. *ATTEMPTS_OUT (may be
 * NULL) receives the number of calls made.
 */
int tc_retry_run(const struct tc_retry_policy *p, const struct tc_clock *clock,
                 struct tc_rng *rng, int (*retryable)(int code), tc_retry_fn fn, void *ud,
                 int *attempts_out, struct tc_error *err);

#endif
