/* Shared between the CSV reader/ingest (ingest.c) and the prices repository
 * (prices.c). Not public. */
#ifndef TC_MARKET_PRICES_INTERNAL_H
#define TC_MARKET_PRICES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/bars.h"
#include "tradecore/ingest.h"
#include "tradecore/store.h"

/* "YYYY-MM-DD" of DAY into BUF (at least TC_DATE_STRLEN bytes). */
void tc__prices_day_text(int64_t day, char *buf, size_t cap);

/* Parses exactly "YYYY-MM-DD" (LEN bytes of S) as a real date. 0 or -1. */
int tc__prices_parse_day(const char *s, size_t len, int64_t *out);

/*
 * Inside TX: the live instrument_id of SYMBOL (in MARKET_ID when not NULL)
 * into ID (TC_REFDATA_ID_MAX bytes). TC_ENOTFOUND when none, TC_ECONFLICT when
 * several markets list it and no market was given.
 */
int tc__prices_resolve(struct tc_txn *tx, const char *symbol, const char *market_id, char *id,
                       struct tc_error *err);

/* Inside TX: registers SYMBOL as instrument SYMBOL in MARKET_ID (which must be
 * a live market) with ASSET_CLASS and CURRENCY, stamped NOW_US. */
int tc__prices_create_instrument(struct tc_txn *tx, const char *symbol, const char *market_id,
                                 enum tc_asset_class asset_class, const char *currency,
                                 int64_t now_us, struct tc_error *err);

/* A stored bar met while comparing: called in date order for the stored rows
 * of one instrument in [from, to]. */
typedef int (*tc__prices_bar_fn)(const struct tc_bar *bar, void *ud, struct tc_error *err);
int tc__prices_scan(struct tc_txn *tx, const char *instrument_id, int64_t from_day,
                    int64_t to_day, tc__prices_bar_fn fn, void *ud, struct tc_error *err);

/* Rows to insert: bars I of S for which KEEP[I] is nonzero (KEEP NULL = all). */
struct tc__prices_batch {
    const struct tc_bar_series *s;
    const unsigned char *keep;
};

/* Inserts the rows of the N batches into prices_daily (COPY when the store
 * has it, else a cached INSERT per row). *INSERTED counts them. */
int tc__prices_insert(struct tc_txn *tx, const struct tc__prices_batch *b, size_t n,
                      const char *source, int64_t now_us, int64_t *inserted,
                      struct tc_error *err);

#endif
