/*
 * tradecore errors.
 *
 * Every fallible function returns int: 0 on success or a negative TC_E* code.
 * Detail goes into a caller-owned struct tc_error (code + message naming the
 * subject, lower case, e.g. `instrument "ORCL": close 12.3 is above high 12.1
 * (file.csv:42)`). A NULL struct tc_error pointer is allowed everywhere: the
 * detail is then dropped. No library function aborts or exits on bad input.
 */
#ifndef TRADECORE_ERROR_H
#define TRADECORE_ERROR_H

#include <stdarg.h>

/* X(name, value, description): the one list that generates the enum and
 * tc_strerror(). Values never change once released. */
#define TC_ERRORS(X)                                                          \
    X(TC_EINVAL, -1, "invalid argument")                                      \
    X(TC_ENOMEM, -2, "out of memory")                                         \
    X(TC_ENOTFOUND, -3, "not found")                                          \
    X(TC_ECONFLICT, -4, "conflict")                                           \
    X(TC_ERANGE, -5, "value out of range")                                    \
    X(TC_EPARSE, -6, "parse error")                                           \
    X(TC_EIO, -7, "input/output error")                                       \
    X(TC_ECONFIG, -8, "configuration error")                                  \
    X(TC_EBUSY, -9, "resource busy")                                          \
    X(TC_ESERIAL, -10, "serialization failure")                               \
    X(TC_EUNAVAIL, -11, "service unavailable")                                \
    X(TC_ESTORE, -12, "storage error")                                        \
    X(TC_ECHECKSUM, -13, "checksum mismatch")                                 \
    X(TC_ESTATE, -14, "invalid state")                                        \
    X(TC_EUSAGE, -15, "usage error")                                          \
    X(TC_ELOOKAHEAD, -16, "look-ahead: data after the current time")          \
    X(TC_EAUTH, -17, "not authorised")                                        \
    X(TC_EFENCED, -18, "stale leader epoch")                                  \
    X(TC_ENOSPC, -19, "no space left")                                        \
    X(TC_ETIMEOUT, -20, "timed out")                                          \
    X(TC_EREJECTED, -21, "rejected")                                          \
    X(TC_EINTERNAL, -22, "internal error")

enum tc_errcode {
    TC_OK = 0,
#define TC__ERR_ENUM(name, value, desc) name = value,
    TC_ERRORS(TC__ERR_ENUM)
#undef TC__ERR_ENUM
};

#define TC_ERROR_MSG_MAX 512

/* Caller-owned error detail. Zero-initialise, or call tc_error_clear(). */
struct tc_error {
    int code;                     /* 0 or a TC_E* code */
    char msg[TC_ERROR_MSG_MAX];   /* NUL-terminated; may be empty */
};

/* Returns a static description of CODE ("unknown error" for unknown codes). */
const char *tc_strerror(int code);

/* Returns the symbolic name of CODE ("TC_ECONFLICT"), or "TC_E?" if unknown. */
const char *tc_strerror_name(int code);

/* Resets ERR (NULL allowed). */
void tc_error_clear(struct tc_error *err);

/*
 * Records CODE and a printf-style message into ERR (NULL allowed) and returns
 * CODE, so that `return tc_error_set(err, TC_EINVAL, "...", ...);` reads well.
 * The message is truncated to fit. ERR's own message may be one of the
 * arguments (`tc_error_set(err, rc, "order %s: %s", id, tc_error_msg(err))`).
 */
int tc_error_set(struct tc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tc_error_vset(struct tc_error *err, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/*
 * Prefixes the message already in ERR with "<prefix>: " (printf-style), keeping
 * the code. Returns err->code (or 0 when ERR is NULL). Used to add context while
 * an error travels up: `return tc_error_prefix(err, "store \"%s\"", url);`.
 */
int tc_error_prefix(struct tc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The message of ERR, or tc_strerror(code) when the message is empty. */
const char *tc_error_msg(const struct tc_error *err);

#endif
