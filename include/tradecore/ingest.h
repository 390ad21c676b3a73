/*
 * Market data ingest: daily price CSV files into the historical store
 * (prices_daily, migration 0002_market_data), CSV files straight into bar
 * series, stored bars back into series, and calendar overrides from the store.
 *
 * Formats, recognised from the header line (case-insensitive, spaces around
 * names ignored) when the format is TC_PRICES_AUTO:
 *   TC_PRICES_YAHOO  Date,Open,High,Low,Close,Adj Close,Volume
 *   TC_PRICES_OHLCV  Date,Open,High,Low,Close,Volume,OpenInterest
 *   TC_PRICES_LONG   date,symbol,open,high,low,close,volume   (many symbols)
 * Lines end in LF or CRLF. In a one-symbol file the symbol is given, or taken
 * from the file name: its first part up to '-' or '.', upper-cased
 * ("orcl-1995-2014.txt" -> "ORCL").
 *
 * Every data row is checked; the first failing rule is reported as
 * "<file>:<line>: <rule>", e.g. "orcl.csv:42: close 12.3 is above high 12.1":
 *   - the number of fields equals the header's;
 *   - the date is strictly YYYY-MM-DD and a real date (2023-02-30 is not);
 *   - prices are exact decimals (tc_dec_parse: "null", "", "1,5", "nan" are
 *     not) and > 0; at most 8 fractional digits;
 *   - low <= open, low <= close, open <= high, close <= high, low <= high;
 *   - volume (and open interest) is a whole number >= 0 ("100.0" is 100;
 *     "100.5" and "-1" are refused);
 *   - per instrument, dates strictly increase: a repeated date is a
 *     duplicate ("duplicate date 2014-01-02 (first on line 5)"), an earlier
 *     one is out of order;
 *   - a symbol (long format) is 1..64 characters of [A-Za-z0-9._:-];
 *   - no line is longer than TC_PRICES_LINE_MAX bytes.
 * adj_close is the close when the format has none; open_interest is 0 when
 * the format has none.
 *
 * Thread-safety: functions share nothing but the store (store.h).
 */
#ifndef TRADECORE_INGEST_H
#define TRADECORE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/bars.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/error.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

/* Longest accepted line (a longer one is a bad row: "line is longer than …"). */
#define TC_PRICES_LINE_MAX 4096

enum tc_prices_format {
    TC_PRICES_AUTO = 0,  /* from the header */
    TC_PRICES_YAHOO,
    TC_PRICES_OHLCV,
    TC_PRICES_LONG
};

/* "auto", "yahoo", "ohlcv", "long"; NULL for unknown values. */
const char *tc_prices_format_name(enum tc_prices_format f);
/* Parses the names above. TC_EINVAL naming the text and the accepted names. */
int tc_prices_format_parse(const char *s, enum tc_prices_format *out, struct tc_error *err);

/*
 * The default symbol of PATH: its base name up to the first '-' or '.',
 * upper-cased, into BUF (CAP bytes). TC_EINVAL when that part is empty or not
 * a valid id (tc_id_validate), naming the file.
 */
int tc_prices_symbol_from_path(const char *path, char *buf, size_t cap, struct tc_error *err);

/* A set of series, one per symbol, in order of first appearance in the file.
 * ITEMS is malloc'd and owned by the set: tc_bar_set_release() frees it all. */
struct tc_bar_set {
    struct tc_bar_series *items;
    size_t n;
};
void tc_bar_set_release(struct tc_bar_set *set);  /* NULL allowed; leaves it empty */
/* The series of INSTRUMENT_ID in SET, or NULL. */
const struct tc_bar_series *tc_bar_set_find(const struct tc_bar_set *set,
                                            const char *instrument_id);

/*
 * Parses the CSV file PATH straight into bar series, without a store (the
 * backtest's --data mode), with the row checks above; the first bad row fails
 * the whole call (TC_EPARSE for unreadable text and layout problems, TC_EINVAL
 * for rule violations; the message is "<file>:<line>: <rule>"), TC_EIO when the
 * file cannot be read. SYMBOL (may be NULL) names the series of a one-symbol
 * file (default: from the file name); it must be NULL for a long file, whose
 * series are named by their symbols. *OUT is overwritten (not released first)
 * and owned by the caller on success; left empty on error.
 */
int tc_prices_load_csv(const char *path, enum tc_prices_format format, const char *symbol,
                       struct tc_bar_set *out, struct tc_error *err);

/*
 * Loads the N files PATHS[0..N) as tc_prices_load_csv(PATHS[i], FORMAT, NULL,
 * &OUT[i], ERR) would (one-symbol files take their symbol from the file
 * name), on THREADS worker threads (0: as many as online CPUs; never more
 * than 8 nor N; 1: in the calling thread alone). Each file is read by one
 * worker; OUT[i] is PATHS[i]'s set whatever order the workers finish in, so
 * the result is the same for every THREADS. OUT (N sets, caller-owned) is
 * overwritten (not released first); on success each OUT[i] is owned by the
 * caller (tc_bar_set_release). On error every OUT[i] is left empty and the
 * error is that of the first failing file in input order, exactly as
 * loading the files one by one and stopping at the first failure reports
 * it ("<file>:<line>: <rule>"), and *FAILED (may be NULL) is that file's
 * index (N when no file failed: TC_EINVAL for NULL arguments, TC_ENOMEM).
 * A worker thread that cannot be started leaves its share to the others.
 * Thread-safe: the calls share nothing.
 */
int tc_prices_load_csv_many(const char *const *paths, size_t n, enum tc_prices_format format,
                            unsigned threads, struct tc_bar_set *out, size_t *failed,
                            struct tc_error *err);

/* ------------------------------------------------------------------------ */
/* Ingest into the historical store.                                         */

/* Called for every bad row skipped with skip_bad: "<file>:<line>: <rule>". */
typedef void (*tc_ingest_bad_fn)(void *ud, const char *msg);
/* After a successful ingest, once per instrument of the file (CREATED: it was
 * registered by this ingest). */
typedef void (*tc_ingest_instrument_fn)(void *ud, const char *instrument_id, int created);
/* Progress while reading: BYTES_DONE of BYTES_TOTAL (the file's size). */
typedef void (*tc_ingest_progress_fn)(void *ud, uint64_t bytes_done, uint64_t bytes_total);

struct tc_ingest_options {
    enum tc_prices_format format;  /* TC_PRICES_AUTO by default */
    const char *symbol;            /* one-symbol files; NULL = from the file name */
    /*
     * Market of the instruments. A symbol is resolved to the live instrument
     * with that symbol (in this market when given; without a market it must
     * be unique across markets, else TC_ECONFLICT asks for one). An unknown
     * symbol is TC_ENOTFOUND unless create_instruments is set, which then
     * registers it (instrument_id = symbol, asset class and currency below,
     * other fields the tc_instrument_init defaults) and needs market_id.
     */
    const char *market_id;
    int create_instruments;
    enum tc_asset_class asset_class;  /* for created instruments; 0 = EQUITY */
    const char *currency;             /* for created instruments; NULL = "USD" */
    /*
     * 0: the first bad row rejects the whole file (nothing is written).
     * 1: bad rows are skipped, reported to ON_BAD and counted; the rest loads.
     * Either way, a row whose (instrument, date) is already stored with
     * different values rejects the whole file with TC_ECONFLICT
     * ("<file>:<line>: ORCL 2014-01-02 is stored with close 37.84, the file has
     * 37.85"): replacing stored history is never implicit (no option does it
     * yet).
     */
    int skip_bad;
    const char *source;            /* prices_daily.source; NULL = the file's base name */
    const struct tc_clock *clock;  /* stamps created_at; NULL = system clock */
    tc_ingest_bad_fn on_bad;       /* may be NULL */
    void *on_bad_ud;
    tc_ingest_progress_fn progress; /* may be NULL; called about every 1% */
    void *progress_ud;
    tc_ingest_instrument_fn on_instrument; /* may be NULL */
    void *on_instrument_ud;
};

/* Every field zero except format (AUTO). */
void tc_ingest_options_init(struct tc_ingest_options *opt);

/* What an ingest did. Counts add up: rows_read = inserted + unchanged + skipped. */
struct tc_ingest_result {
    int64_t rows_read;       /* data rows in the file (not the header) */
    int64_t inserted;        /* new rows written */
    int64_t unchanged;       /* rows already stored with identical values */
    int64_t skipped;         /* bad rows skipped (skip_bad) */
    int64_t instruments;     /* distinct instruments with good rows */
    int64_t instruments_created;
    int64_t first_day, last_day; /* date range of the good rows; 0 and -1 when none */
    double seconds;          /* wall time of the ingest (statistics only) */
};

/*
 * Ingests the CSV file PATH into the historical store S in ONE write
 * transaction: rows are parsed and checked, instruments resolved, the stored
 * rows in the file's date range read and compared (identical -> unchanged,
 * different -> TC_ECONFLICT, see skip_bad), and the new rows inserted (with
 * PostgreSQL COPY when the store offers it, tc_txn_copy_from, else one cached
 * prepared INSERT per row). Ingesting the same file again changes nothing.
 * On any error nothing is written and ERR says "<file>:<line>: <rule>" where
 * there is a line. *RES (may be NULL) is filled on success, and as far as the
 * file was read on error. OPT may be NULL (defaults).
 */
int tc_ingest_prices_file(struct tc_store *s, const char *path,
                          const struct tc_ingest_options *opt, struct tc_ingest_result *res,
                          struct tc_error *err);

/* ------------------------------------------------------------------------ */
/* Reading back.                                                              */

/*
 * Loads the stored bars of INSTRUMENT_ID with FROM_DAY <= date <= TO_DAY
 * (days since 1970-01-01) into *OUT in date order. *OUT is initialised here
 * (tc_bar_series_init with INSTRUMENT_ID; not released first) and owned by the
 * caller, also when empty. TC_EINVAL for a bad id or FROM_DAY > TO_DAY; a
 * stored row that breaks the bar rules is TC_ESTATE naming it.
 */
int tc_prices_load(struct tc_store *s, const char *instrument_id, int64_t from_day,
                   int64_t to_day, struct tc_bar_series *out, struct tc_error *err);

/* Number of stored bars of INSTRUMENT_ID (NULL = every instrument). */
int tc_prices_count(struct tc_store *s, const char *instrument_id, int64_t *out,
                    struct tc_error *err);

/*
 * Calendar overrides of MARKET_ID from calendar_overrides, in date order, for
 * tc_calendar_with_overrides(). *OUT is one malloc'd block holding the array
 * and its reason strings: free(*OUT) releases everything (NULL when *N is 0).
 * TC_ESTATE for a stored row that does not parse.
 */
int tc_calendar_overrides_load(struct tc_store *s, const char *market_id,
                               struct tc_cal_override **out, size_t *n, struct tc_error *err);

/*
 * Stores one override (insert; TC_ECONFLICT when MARKET_ID already has one for
 * that date). close_min is written as 'HH:MM' (NULL when 0). REASON NULL is
 * stored as NULL. TC_EINVAL for a bad kind or close time, naming the date.
 */
int tc_calendar_override_add(struct tc_store *s, const char *market_id,
                             const struct tc_cal_override *ov, const struct tc_clock *clock,
                             struct tc_error *err);

#endif
