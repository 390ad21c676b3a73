/*
 * Identifiers: random UUIDs (v4, from libuuid) and the ids built from them,
 * and the one rule every externally supplied id obeys.
 *
 * A valid id is 1..TC_ID_MAX bytes of [A-Za-z0-9._:-]: safe in file names,
 * URLs, log lines and SQL text without quoting. Portfolio, strategy, run,
 * decision and client order ids all follow it.
 *
 * Every function writes into a caller-owned buffer BUF of capacity CAP and
 * returns the length written (without the NUL), or a negative TC_E* code with
 * BUF holding "" (when CAP > 0). TC_ID_BUFSZ always suffices.
 *
 * Thread-safety: all functions are thread-safe.
 */
#ifndef TRADECORE_ID_H
#define TRADECORE_ID_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"

/* Longest valid id, in bytes. */
#define TC_ID_MAX 64
/* A buffer for any id, NUL included. */
#define TC_ID_BUFSZ (TC_ID_MAX + 1)
/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx": 36 characters plus NUL. */
#define TC_UUID_STRLEN 37
/* Prefix of decision ids: "dec_<uuid>". */
#define TC_ID_DECISION_PREFIX "dec"

/*
 * A random (version 4) UUID in lower-case text, 36 characters. Returns 36, or
 * TC_ERANGE when CAP < TC_UUID_STRLEN.
 */
int tc_id_uuid(char *buf, size_t cap);

/* A decision id "dec_<uuid>" (40 characters). Returns 40 or TC_ERANGE. */
int tc_id_decision(char *buf, size_t cap);

/*
 * A run id "<PREFIX>_<uuid>". PREFIX must be a valid id short enough that the
 * result fits TC_ID_MAX (at most 27 bytes): otherwise TC_EINVAL (bad or NULL
 * prefix) or TC_ERANGE (too long, or CAP too small).
 */
int tc_id_run(char *buf, size_t cap, const char *prefix);

/*
 * The context id of a trading day: "YYYYMMDD_<PORTFOLIO>_<STRATEGY>".
 * DAY_US_OR_DATE is either a date written as the integer YYYYMMDD (a valid
 * date with year 1000..9999, e.g. 20240131) or, for any other value, a UTC
 * timestamp in microseconds since the epoch whose date is taken. PORTFOLIO and
 * STRATEGY must be valid ids (TC_EINVAL otherwise). TC_ERANGE when the result
 * would exceed TC_ID_MAX or CAP, or the timestamp's year is outside 0000..9999.
 */
int tc_id_context(char *buf, size_t cap, int64_t day_us_or_date, const char *portfolio,
                  const char *strategy);

/* Whether ID is a valid id (1 or 0); NULL is not. */
int tc_id_is_valid(const char *id);

/*
 * Validates ID. Returns 0, or TC_EINVAL with ERR naming WHAT and the problem:
 *   portfolio id "a b" has a character that is not allowed: ' '
 *   portfolio id "" is empty
 *   portfolio id is missing                                    (ID NULL)
 *   portfolio id "aaaa…" is longer than 64 characters
 * WHAT names the kind of id ("portfolio"); " id" is appended unless WHAT
 * already ends with "id". Bytes that are not printable are shown as \xNN.
 */
int tc_id_validate(const char *what, const char *id, struct tc_error *err);

#endif
