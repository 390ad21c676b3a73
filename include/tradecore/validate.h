/*
 * Field checks shared by the entity repositories (reference data, accounts)
 * and the CLI. Each returns 0, or TC_EINVAL with "<what>: <reason>" in ERR,
 * where WHAT names the entity and the field (`instrument "ORCL": currency`).
 * Pure functions (tc_validate_timezone reads the file system), thread-safe.
 */
#ifndef TRADECORE_VALIDATE_H
#define TRADECORE_VALIDATE_H

#include <stddef.h>

#include "tradecore/error.h"
#include "tradecore/id.h"

/* Largest id, time zone or short text accepted, in bytes (= TC_ID_MAX). */
#define TC_VALIDATE_ID_MAX TC_ID_MAX

/* An entity id as tc_id_validate() defines it (1..TC_ID_MAX bytes of
 * [A-Za-z0-9._:-]); WHAT as there ("instrument" gives `instrument id "" is
 * empty`). */
int tc_validate_id(const char *what, const char *id, struct tc_error *err);

/* Text of 1..MAX bytes (MAX excludes the NUL) without control characters;
 * when OPTIONAL, "" and NULL are accepted too. */
int tc_validate_text(const char *what, const char *s, size_t max, int optional,
                     struct tc_error *err);

/* Exactly three capital letters A-Z ("USD"): an ISO 4217 code's shape. */
int tc_validate_currency(const char *what, const char *ccy, struct tc_error *err);

/* An IANA zone name that exists as a TZif file under /usr/share/zoneinfo
 * ("America/New_York", "UTC"); absolute paths, "..", empty components and
 * characters outside [A-Za-z0-9_+-/] are rejected before any file is read. */
int tc_validate_timezone(const char *what, const char *tz, struct tc_error *err);

/* NULL (meaning "{}") or the text of a JSON object, checked with jansson. */
int tc_validate_json_object(const char *what, const char *json, struct tc_error *err);

/* A calendar date "YYYY-MM-DD" that exists (leap years included). */
int tc_validate_date(const char *what, const char *date, struct tc_error *err);

#endif
