/*
 * A small metrics registry: counters, histograms and read-on-render gauges,
 * each with labels, rendered in the Prometheus text exposition format
 * (version 0.0.4): "# HELP" and "# TYPE" lines, one line per series, and for
 * histograms cumulative `_bucket{le="…"}` lines ending with le="+Inf", then
 * `_sum` and `_count`. Label values are escaped (\\, \", \n); help text too
 * (\\, \n).
 *
 * A metric is registered once with its label NAMES; each distinct tuple of
 * label VALUES is one series, created on first use. Series per metric are
 * capped (TC_METRICS_MAX_SERIES) so that a client cannot grow the registry
 * without bound. Metrics are owned by the registry and live until it is freed.
 *
 * Thread-safety: registering, updating and rendering may run concurrently
 * from any threads; each metric is guarded by its own mutex and the registry's
 * list by another. Counts are exact (uint64); latency sums and bucket bounds
 * are doubles (statistics, never money).
 */
#ifndef TRADECORE_METRICS_H
#define TRADECORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"

/* At most this many label names per metric, series per metric, buckets per
 * histogram, and bytes per label value (longer values are TC_ERANGE). */
#define TC_METRICS_MAX_LABELS 8
#define TC_METRICS_MAX_SERIES 10000
#define TC_METRICS_MAX_BUCKETS 64
#define TC_METRICS_MAX_VALUE 256

struct tc_metrics;
struct tc_counter;
struct tc_histogram;

/* Allocates an empty registry; *OUT owned by the caller (tc_metrics_free). */
int tc_metrics_new(struct tc_metrics **out, struct tc_error *err);
/* Frees the registry and every metric in it. NULL allowed. */
void tc_metrics_free(struct tc_metrics *m);

/*
 * Registers a counter NAME ([a-zA-Z_:][a-zA-Z0-9_:]*) with HELP text and
 * N_LABELS label names ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__", no
 * duplicates, not "le" for histograms). Strings are copied. *OUT is owned by
 * the registry. TC_EINVAL for a bad name, TC_ECONFLICT when NAME is already
 * registered, TC_ERANGE for too many labels; the registry is then unchanged.
 */
int tc_metrics_counter(struct tc_metrics *m, const char *name, const char *help,
                       const char *const *label_names, size_t n_labels,
                       struct tc_counter **out, struct tc_error *err);

/* Adds V to the series of LABEL_VALUES (exactly the registered number of
 * values, none NULL). TC_EINVAL for a wrong count or NULL value, TC_ERANGE
 * for a value longer than TC_METRICS_MAX_VALUE - 1 bytes or a new series past
 * TC_METRICS_MAX_SERIES; nothing changes then. */
int tc_counter_add(struct tc_counter *c, const char *const *label_values, uint64_t v,
                   struct tc_error *err);
/* The current value of one series (0 when it does not exist yet). */
uint64_t tc_counter_get(struct tc_counter *c, const char *const *label_values);

/*
 * Registers a histogram as tc_metrics_counter does, with N_BOUNDS upper
 * bucket bounds (finite, strictly increasing, 1..TC_METRICS_MAX_BUCKETS; the
 * +Inf bucket is implicit). TC_EINVAL for bad bounds.
 */
int tc_metrics_histogram(struct tc_metrics *m, const char *name, const char *help,
                         const char *const *label_names, size_t n_labels,
                         const double *bounds, size_t n_bounds, struct tc_histogram **out,
                         struct tc_error *err);
/* Records one observation V (finite; NaN and infinities are TC_EINVAL). */
int tc_histogram_observe(struct tc_histogram *h, const char *const *label_values, double v,
                         struct tc_error *err);

/*
 * Registers a value read when the registry is rendered: FN(UD) returns the
 * current value (e.g. resident memory). TYPE is "gauge" or "counter". No
 * labels. FN runs while the registry's list lock is held: it must be
 * thread-safe and must not register metrics.
 */
typedef double (*tc_metrics_read_fn)(void *ud);
int tc_metrics_callback(struct tc_metrics *m, const char *name, const char *help,
                        const char *type, tc_metrics_read_fn fn, void *ud,
                        struct tc_error *err);

/*
 * Registers the process metrics, read from /proc/self at render time:
 * process_cpu_seconds_total (counter), process_resident_memory_bytes,
 * process_open_fds, process_start_time_seconds (gauges).
 */
int tc_metrics_add_process(struct tc_metrics *m, struct tc_error *err);

/* The same readings, for callers that want the numbers (GET /system).
 * Each is -1 when /proc cannot be read. */
double tc_metrics_process_cpu_seconds(void);
int64_t tc_metrics_process_rss_bytes(void);
int64_t tc_metrics_process_open_fds(void);

/*
 * Renders every metric, in registration order, into a malloc'd NUL-terminated
 * text *OUT (caller frees) of *LEN bytes (LEN may be NULL).
 */
int tc_metrics_render(struct tc_metrics *m, char **out, size_t *len, struct tc_error *err);

#endif
