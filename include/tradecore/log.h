/*
 * Structured logging.
 *
 * One process-wide logger, thread-safe. Levels trace..fatal; formats json (one
 * object per line: ts in UTC ISO-8601 with microseconds, level, component, msg,
 * then the key/value fields) and text; sinks stderr and/or a file with
 * size-based rotation keeping N files (FILE, FILE.1 … FILE.N). The level is
 * checked before anything is formatted: use the TC_LOG_* macros.
 *
 *   TC_LOG_INFO("store", "migrated", TC_LF_STR("store", "runtime"),
 *               TC_LF_INT("version", 3));
 */
#ifndef TRADECORE_LOG_H
#define TRADECORE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"

enum tc_log_level {
    TC_LOG_TRACE = 0,
    TC_LOG_DEBUG,
    TC_LOG_INFO,
    TC_LOG_WARN,
    TC_LOG_ERROR,
    TC_LOG_FATAL,
    TC_LOG_OFF
};

enum tc_log_format { TC_LOG_FORMAT_JSON = 0, TC_LOG_FORMAT_TEXT };

struct tc_log_config {
    enum tc_log_level level;
    enum tc_log_format format;
    int to_stderr;          /* nonzero: write to stderr */
    const char *file;       /* NULL or a path: also write there */
    int64_t max_bytes;      /* rotate the file when it would exceed this (0 = never) */
    int keep;               /* rotated files kept */
};

/* Defaults: info, json, stderr, no file. Before tc_log_open the logger uses them. */
#define TC_LOG_CONFIG_DEFAULT ((struct tc_log_config){TC_LOG_INFO, TC_LOG_FORMAT_JSON, 1, NULL, 0, 0})

/* (Re)configures the process logger; copies what it needs from CFG. Opening the
 * file may fail (TC_EIO, naming the path); the previous setup then stays. */
int tc_log_open(const struct tc_log_config *cfg, struct tc_error *err);
/* Reopens the log file (after SIGHUP or an external rotation). */
int tc_log_reopen(struct tc_error *err);
/* Flushes and closes the file sink; the logger falls back to the defaults. */
void tc_log_close(void);

/* "trace".."fatal" <-> level; parse returns TC_EINVAL for unknown names. */
const char *tc_log_level_name(enum tc_log_level level);
int tc_log_level_parse(const char *name, enum tc_log_level *out);
int tc_log_format_parse(const char *name, enum tc_log_format *out);

/* The current threshold: messages below it are dropped before formatting. */
extern volatile int tc__log_threshold;
static inline int tc_log_enabled(enum tc_log_level level) { return (int)level >= tc__log_threshold; }

enum tc_log_ftype { TC_LF_T_STR, TC_LF_T_INT, TC_LF_T_DBL, TC_LF_T_BOOL };
struct tc_log_field {
    const char *key;
    enum tc_log_ftype type;
    const char *s;
    int64_t i;
    double d;
};
#define TC_LF_STR(k, v) ((struct tc_log_field){(k), TC_LF_T_STR, (v), 0, 0.0})
#define TC_LF_INT(k, v) ((struct tc_log_field){(k), TC_LF_T_INT, NULL, (int64_t)(v), 0.0})
#define TC_LF_DBL(k, v) ((struct tc_log_field){(k), TC_LF_T_DBL, NULL, 0, (double)(v)})
#define TC_LF_BOOL(k, v) ((struct tc_log_field){(k), TC_LF_T_BOOL, NULL, !!(v), 0.0})

/* Writes one record. Prefer the macros, which skip the call when disabled.
 * Fields whose key is NULL are skipped (the macros append one as a sentinel). */
void tc_log_write(enum tc_log_level level, const char *component, const char *msg,
                  const struct tc_log_field *fields, size_t n);

#define TC__LOG(lvl, comp, msg, ...)                                                     \
    do {                                                                                 \
        if (tc_log_enabled(lvl)) {                                                       \
            const struct tc_log_field tc__f[] = {TC_LF_STR(NULL, NULL), __VA_ARGS__};    \
            tc_log_write((lvl), (comp), (msg), tc__f + 1,                                \
                         sizeof(tc__f) / sizeof(tc__f[0]) - 1);                          \
        }                                                                                \
    } while (0)
#define TC_LOG_TRACE(comp, ...) TC__LOG(TC_LOG_TRACE, comp, __VA_ARGS__, TC_LF_STR(NULL, NULL))
#define TC_LOG_DEBUG(comp, ...) TC__LOG(TC_LOG_DEBUG, comp, __VA_ARGS__, TC_LF_STR(NULL, NULL))
#define TC_LOG_INFO(comp, ...) TC__LOG(TC_LOG_INFO, comp, __VA_ARGS__, TC_LF_STR(NULL, NULL))
#define TC_LOG_WARN(comp, ...) TC__LOG(TC_LOG_WARN, comp, __VA_ARGS__, TC_LF_STR(NULL, NULL))
#define TC_LOG_ERROR(comp, ...) TC__LOG(TC_LOG_ERROR, comp, __VA_ARGS__, TC_LF_STR(NULL, NULL))
#define TC_LOG_FATAL(comp, ...) TC__LOG(TC_LOG_FATAL, comp, __VA_ARGS__, TC_LF_STR(NULL, NULL))

#endif
