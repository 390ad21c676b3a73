/*
 * IANA time zones, read from the system's TZif files (/usr/share/zoneinfo),
 * with explicit zones: nothing here reads or changes the process-wide TZ.
 *
 * A zone is loaded once (TZif version 2 or later: 64-bit transitions, and the
 * POSIX TZ footer rule for instants after the last transition) and cached for
 * the life of the process. Cached zones are immutable and may be shared by any
 * number of threads.
 *
 * Instants are UTC microseconds since 1970-01-01T00:00:00Z (tradecore/clock.h).
 * Local ("wall") times are civil date and time fields without an offset.
 */
#ifndef TRADECORE_TZ_H
#define TRADECORE_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"

struct tc_tz;

/* A wall-clock time in some zone, without an offset. */
struct tc_wall {
    int year, month, day;      /* proleptic Gregorian; month 1..12 */
    int hour, minute, second;  /* 0..23, 0..59, 0..59 (no leap seconds) */
};

/* An instant seen in a zone (output of tc_tz_to_local). */
struct tc_local_time {
    struct tc_wall wall;
    int32_t usec;              /* 0..999999 */
    int32_t utc_offset_s;      /* local = UTC + offset, e.g. -18000 for EST */
    int is_dst;
    char abbr[16];             /* "EST", "BST", "+09" … (may be empty) */
};

/*
 * What tc_tz_from_local does with a wall time that occurs twice (a fold, when
 * clocks go back) or never (a gap, when clocks go forward). The names and
 * meanings follow RFC 9557 / TC39 Temporal's "disambiguation":
 *   TC_TZ_REJECT     a gap or fold is an error (TC_ERANGE naming the time);
 *   TC_TZ_COMPATIBLE fold: the earlier instant; gap: the wall time read with
 *                    the offset in force before the gap (so 02:30 in a
 *                    02:00->03:00 gap becomes 03:30 of the new offset);
 *   TC_TZ_EARLIER    fold: the earlier instant; gap: the earlier of the two
 *                    readings (02:30 in that gap becomes 01:30 old offset);
 *   TC_TZ_LATER      fold: the later instant; gap: the later reading (03:30).
 */
enum tc_tz_policy {
    TC_TZ_REJECT = 0,
    TC_TZ_COMPATIBLE,
    TC_TZ_EARLIER,
    TC_TZ_LATER,
};

/* What tc_tz_from_local found. */
enum tc_tz_kind {
    TC_TZ_UNIQUE = 0,  /* the wall time occurs exactly once */
    TC_TZ_GAP,         /* it never occurs (clocks went forward over it) */
    TC_TZ_FOLD,        /* it occurs twice (clocks went back over it) */
};

/*
 * Looks up the zone NAME ("America/New_York") in the cache, loading
 * /usr/share/zoneinfo/NAME on first use. *OUT points at a process-lifetime,
 * immutable zone owned by the cache: never free it. Thread-safe.
 * Errors: TC_EINVAL for a name that is not a plain zone name (empty, too long,
 * absolute, containing "." or ".." components or characters outside
 * [A-Za-z0-9/_+-]) so that "../../etc/passwd" is never opened; TC_ENOTFOUND
 * when no such zone file exists; TC_EPARSE for a malformed file; TC_ENOMEM.
 */
int tc_tz_get(const char *name, const struct tc_tz **out, struct tc_error *err);

/*
 * Loads a TZif file at PATH outside the cache (for tests and custom zone
 * folders). *OUT is owned by the caller: release it with tc_tz_free. NAME
 * labels the zone in messages and tc_tz_name (copied; NULL = PATH).
 * Errors: TC_ENOTFOUND, TC_EIO, TC_EPARSE (names the file and the problem),
 * TC_ENOMEM.
 */
int tc_tz_load_file(const char *path, const char *name, struct tc_tz **out,
                    struct tc_error *err);

/*
 * Builds a zone from a POSIX TZ rule alone, e.g. "EST5EDT,M3.2.0,M11.1.0" or
 * "<+09>-9" (rules: Mm.w.d, Jn and n, each with an optional /time, which may
 * be negative or up to 167 hours as in TZif version 3). *OUT is owned by the
 * caller (tc_tz_free). Errors: TC_EPARSE naming the rule, TC_ENOMEM.
 */
int tc_tz_from_posix(const char *rule, struct tc_tz **out, struct tc_error *err);

/* Frees a zone from tc_tz_load_file or tc_tz_from_posix. NULL is allowed.
 * Never pass a zone from tc_tz_get. */
void tc_tz_free(struct tc_tz *tz);

/* The zone's name ("America/New_York"); owned by the zone. */
const char *tc_tz_name(const struct tc_tz *tz);

/*
 * Converts the instant UTC_US to local time in TZ. Errors: TC_ERANGE when the
 * instant is outside years 0001..9999.
 */
int tc_tz_to_local(const struct tc_tz *tz, int64_t utc_us, struct tc_local_time *out,
                   struct tc_error *err);

/*
 * Converts the wall time WALL in TZ to an instant, resolving gaps and folds by
 * POLICY (see enum tc_tz_policy). *KIND (may be NULL) says which case it was.
 * Errors: TC_EINVAL for fields out of range (month 13, February 30, hour 24…),
 * TC_ERANGE for a gap or fold under TC_TZ_REJECT (the message names the wall
 * time and the zone). *OUT_US is written only on success.
 */
int tc_tz_from_local(const struct tc_tz *tz, const struct tc_wall *wall,
                     enum tc_tz_policy policy, int64_t *out_us, enum tc_tz_kind *kind,
                     struct tc_error *err);

#endif
