/*
 * Corporate actions and daily FX rates in the historical store (tables
 * corporate_actions and fx_rates_daily of migration 0002_market_data): CSV
 * ingest with every row checked, and the reads that feed the TimeMachine's
 * adjusted prices (timemachine.h) and currency conversions.
 *
 * Corporate actions file, header (names case-insensitive, spaces around them
 * ignored; the currency column may be left out):
 *     symbol,ex_date,kind,value,currency
 *   - symbol: resolved like the prices ingest does (ingest.h): the live
 *     instrument with that symbol, in MARKET_ID when given; without a market
 *     the symbol must be listed in one market only;
 *   - ex_date: strictly YYYY-MM-DD and a real date;
 *   - kind: SPLIT or DIVIDEND (any case);
 *   - value: an exact decimal (at most 8 fractional digits). SPLIT: the new
 *     shares for each old one, > 0 and not 1 (2 for 2-for-1, 0.1 for
 *     1-for-10); DIVIDEND: the cash amount per share, > 0;
 *   - currency: empty, or three upper-case letters; a SPLIT has none.
 * FX rates file, header:
 *     date,base,quote,rate
 *   one BASE costs RATE QUOTE at the close of DATE; base and quote are three
 *   upper-case letters and differ; rate > 0.
 *
 * Both: lines end in LF or CRLF; fields may be quoted (libcsv); no line is
 * longer than TC_ACTIONS_LINE_MAX bytes; blank lines are skipped; a key given
 * twice in one file is refused ("duplicate SPLIT of ORCL on 2000-10-13 (first
 * on line 3)"). A file is one transaction: the first bad row rejects the
 * whole file with "<file>:<line>: <problem>" (TC_EPARSE for unreadable text
 * and layout, TC_EINVAL for a rule, TC_ENOTFOUND / TC_ECONFLICT for a symbol
 * as above), and nothing is stored. A row already stored with the same
 * values is counted as unchanged (ingesting a file twice changes nothing);
 * one stored with other values is TC_ECONFLICT naming both values.
 *
 * Thread-safety: the functions share nothing but the store (store.h).
 */
#ifndef TRADECORE_ACTIONS_H
#define TRADECORE_ACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/store.h"
#include "tradecore/timemachine.h"

#define TC_ACTIONS_LINE_MAX 1024

/* What an ingest did: data rows read, inserted, already stored as they are. */
struct tc_actions_summary {
    int64_t rows;
    int64_t inserted;
    int64_t unchanged;
};

/*
 * Loads the corporate actions file PATH into S (see the top of this file),
 * stamped with CLOCK's time (NULL: the system clock). MARKET_ID may be NULL.
 * *OUT (may be NULL) gets the counts on success and is zeroed on error.
 * TC_EIO when PATH cannot be read.
 */
int tc_actions_ingest_csv(struct tc_store *s, const char *path, const char *market_id,
                          const struct tc_clock *clock, struct tc_actions_summary *out,
                          struct tc_error *err);

/* As tc_actions_ingest_csv, for an FX rates file. */
int tc_fx_ingest_csv(struct tc_store *s, const char *path, const struct tc_clock *clock,
                     struct tc_actions_summary *out, struct tc_error *err);

/*
 * The stored corporate actions of INSTRUMENT_ID in ex-date order (a SPLIT
 * before a DIVIDEND on the same date), ready for tc_tm_add_action. *OUT is
 * malloc'd (free it; NULL when *N is 0). TC_EINVAL for a bad id; TC_ESTATE
 * for a stored row that does not parse; TC_ENOMEM.
 */
int tc_actions_load(struct tc_store *s, const char *instrument_id, struct tc_corp_action **out,
                    size_t *n, struct tc_error *err);

/*
 * The rate of BASE in QUOTE on DAY (days since 1970-01-01): the stored rate of
 * the latest date on or before DAY, its date in *RATE_DAY (may be NULL).
 * TC_ENOTFOUND naming the pair and the date when there is none; TC_EINVAL for
 * a currency that is not three upper-case letters, or BASE equal to QUOTE.
 */
int tc_fx_rate_get(struct tc_store *s, const char *base, const char *quote, int64_t day,
                   struct tc_dec *rate, int64_t *rate_day, struct tc_error *err);

#endif
