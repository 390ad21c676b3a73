/* Helpers shared by the store dispatcher and its backends (not public). */
#ifndef TC_STORE_INTERNAL_H
#define TC_STORE_INTERNAL_H

#include "tradecore/store.h"

/*
 * Fills the base of a backend's store: OPS, a copy of OPT (defaults when
 * NULL) and the redacted URL (malloc'd, freed by tc__store_base_release).
 * Returns 0 or TC_ENOMEM.
 */
int tc__store_base_init(struct tc_store *s, const struct tc_store_ops *ops, const char *url,
                        const struct tc_store_options *opt, struct tc_error *err);
void tc__store_base_release(struct tc_store *s);

/* Writes the redacted form of URL into BUF (falls back to "<url>" on error). */
void tc__store_redact(const char *url, char *buf, size_t cap);

/* Nonzero when SQL's first keyword (after spaces and comments) is KW (case-insensitive). */
int tc__store_sql_starts_with(const char *sql, const char *kw);

#endif
