/* The prices repository: daily bars in prices_daily (read back into series,
 * scanned for comparison, bulk inserted), instrument resolution for ingest,
 * and calendar overrides in calendar_overrides. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "market/prices_internal.h"
#include "tradecore/clock.h"
#include "tradecore/id.h"
#include "tradecore/ingest.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

#define PRICE_COLS                                                                       \
    "instrument_id, trade_date, open, high, low, close, adj_close, volume, open_interest, " \
    "source, created_at"

void tc__prices_day_text(int64_t day, char *buf, size_t cap)
{
    int y, m, d;
    tc_civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999 || cap < TC_DATE_STRLEN) {
        snprintf(buf, cap, "day %lld", (long long)day);
        return;
    }
    tc_date_format(day, buf);
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int tc__prices_parse_day(const char *s, size_t len, int64_t *out)
{
    int y, m, d;

    if (len != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
        digits(s + 8, 2, &d))
        return -1;
    if (m < 1 || m > 12 || d < 1)
        return -1;
    if (d > tc__days_in_month(y, m))
        return -1;
    *out = tc_days_from_civil(y, m, d);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Instruments                                                                */

struct resolve_ctx {
    char *id;
    int found;
    char first_market[TC_REFDATA_ID_MAX];
    char other_market[TC_REFDATA_ID_MAX];
};

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static int resolve_row(const struct tc_row *row, void *ud)
{
    struct resolve_ctx *c = ud;
    const char *id = NULL, *market = NULL;
    if (tc_row_text(row, 0, &id) || tc_row_text(row, 1, &market))
        return TC_ESTORE;
    if (c->found++ == 0) {
        copy_text(c->id, TC_REFDATA_ID_MAX, id);
        copy_text(c->first_market, sizeof c->first_market, market);
    } else if (c->found == 2) {
        copy_text(c->other_market, sizeof c->other_market, market);
    }
    return 0;
}

int tc__prices_resolve(struct tc_txn *tx, const char *symbol, const char *market_id, char *id,
                       struct tc_error *err)
{
    struct resolve_ctx c = {.id = id};
    int rc;

    if (market_id) {
        struct tc_val p[2] = {TC_V_TEXT(symbol), TC_V_TEXT(market_id)};
        rc = tc_txn_exec(tx,
                         "SELECT instrument_id, market_id FROM instruments WHERE symbol = $1 "
                         "AND market_id = $2 AND deleted_at IS NULL ORDER BY instrument_id",
                         p, 2, resolve_row, &c, NULL, err);
    } else {
        struct tc_val p[1] = {TC_V_TEXT(symbol)};
        rc = tc_txn_exec(tx,
                         "SELECT instrument_id, market_id FROM instruments WHERE symbol = $1 "
                         "AND deleted_at IS NULL ORDER BY market_id, instrument_id",
                         p, 1, resolve_row, &c, NULL, err);
    }
    if (rc)
        return rc;
    if (c.found == 0) {
        if (market_id)
            return tc_error_set(err, TC_ENOTFOUND,
                                "instrument with symbol \"%s\" not found in market \"%s\"",
                                symbol, market_id);
        return tc_error_set(err, TC_ENOTFOUND, "instrument with symbol \"%s\" not found", symbol);
    }
    if (c.found > 1)
        return tc_error_set(err, TC_ECONFLICT,
                            "symbol \"%s\" is listed in markets \"%s\" and \"%s\": name the market",
                            symbol, c.first_market, c.other_market);
    return 0;
}

static int count_row(const struct tc_row *row, void *ud)
{
    int64_t *n = ud;
    return tc_row_int(row, 0, n) ? TC_ESTORE : 0;
}

int tc__prices_create_instrument(struct tc_txn *tx, const char *symbol, const char *market_id,
                                 enum tc_asset_class asset_class, const char *currency,
                                 int64_t now_us, struct tc_error *err)
{
    struct tc_instrument ins;
    int64_t n = 0;
    int rc;

    tc_instrument_init(&ins);
    copy_text(ins.instrument_id, sizeof ins.instrument_id, symbol);
    copy_text(ins.symbol, sizeof ins.symbol, symbol);
    copy_text(ins.market_id, sizeof ins.market_id, market_id);
    copy_text(ins.currency, sizeof ins.currency, currency);
    ins.asset_class = asset_class;
    if (strlen(symbol) >= sizeof ins.instrument_id || strlen(currency) >= sizeof ins.currency)
        return tc_error_set(err, TC_EINVAL, "instrument \"%.64s\": symbol or currency too long",
                            symbol);
    if ((rc = tc_instrument_validate(&ins, err)) != 0)
        return rc;
    struct tc_val pm[1] = {TC_V_TEXT(market_id)};
    if ((rc = tc_txn_exec(tx,
                          "SELECT count(*) FROM markets WHERE market_id = $1 AND deleted_at IS NULL",
                          pm, 1, count_row, &n, NULL, err)) != 0)
        return rc;
    if (n == 0)
        return tc_error_set(err, TC_EINVAL, "instrument \"%s\": market \"%s\" not found", symbol,
                            market_id);
    struct tc_val p[13] = {TC_V_TEXT(ins.instrument_id),
                           TC_V_TEXT(ins.market_id),
                           TC_V_TEXT(tc_asset_class_name(ins.asset_class)),
                           TC_V_TEXT(ins.symbol),
                           TC_V_TEXT(ins.currency),
                           TC_V_DEC(ins.multiplier),
                           TC_V_DEC(ins.tick_size),
                           TC_V_DEC(ins.lot_size),
                           TC_V_TEXT("ACTIVE"),
                           TC_V_TIME(now_us),
                           TC_V_TIME(now_us),
                           TC_V_TEXT("tradecore-ingest"),
                           TC_V_TEXT("tradecore-ingest")};
    rc = tc_txn_exec(tx,
                     "INSERT INTO instruments (instrument_id, market_id, asset_class, symbol, "
                     "currency, multiplier, tick_size, lot_size, status, created_at, updated_at, "
                     "created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                     "$11, $12, $13)",
                     p, 13, NULL, NULL, NULL, err);
    if (rc == TC_ECONFLICT)
        return tc_error_set(err, TC_ECONFLICT,
                            "instrument \"%s\" already exists (in another market, or deleted)",
                            symbol);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Bars                                                                       */

struct scan_ctx {
    tc__prices_bar_fn fn;
    void *ud;
    struct tc_error *err;
    const char *instrument_id;
};

static int read_bar(const struct tc_row *row, struct tc_bar *b)
{
    const char *date = NULL;
    if (tc_row_text(row, 0, &date) || !date || tc__prices_parse_day(date, strlen(date), &b->day))
        return -1;
    if (tc_row_dec(row, 1, &b->open) || tc_row_dec(row, 2, &b->high) ||
        tc_row_dec(row, 3, &b->low) || tc_row_dec(row, 4, &b->close) ||
        tc_row_dec(row, 5, &b->adj_close) || tc_row_int(row, 6, &b->volume) ||
        tc_row_int(row, 7, &b->open_interest))
        return -1;
    return 0;
}

static int scan_row(const struct tc_row *row, void *ud)
{
    struct scan_ctx *c = ud;
    struct tc_bar b;
    if (read_bar(row, &b) != 0)
        return tc_error_set(c->err, TC_ESTATE,
                            "prices_daily: a stored row of instrument \"%s\" does not read back",
                            c->instrument_id);
    return c->fn(&b, c->ud, c->err);
}

int tc__prices_scan(struct tc_txn *tx, const char *instrument_id, int64_t from_day,
                    int64_t to_day, tc__prices_bar_fn fn, void *ud, struct tc_error *err)
{
    char from[TC_DATE_STRLEN + 16], to[TC_DATE_STRLEN + 16];
    struct scan_ctx c = {fn, ud, err, instrument_id};

    tc__prices_day_text(from_day < -719468 ? -719468 : from_day, from, sizeof from); /* 0000-01-01 */
    tc__prices_day_text(to_day > 2932896 ? 2932896 : to_day, to, sizeof to); /* 9999-12-31 */
    struct tc_val p[3] = {TC_V_TEXT(instrument_id), TC_V_TEXT(from), TC_V_TEXT(to)};
    return tc_txn_exec(tx,
                       "SELECT trade_date, open, high, low, close, adj_close, volume, "
                       "open_interest FROM prices_daily WHERE instrument_id = $1 AND "
                       "trade_date >= $2 AND trade_date <= $3 ORDER BY trade_date",
                       p, 3, scan_row, &c, NULL, err);
}

/*
 * PostgreSQL: COPY … (FORMAT binary). The server then parses no text: the
 * five NUMERICs, two BIGINTs and the TIMESTAMPTZ of a row arrive as values,
 * which halves what a COPY costs the server before its key, checks and
 * foreign key. Layout (PostgreSQL's "COPY binary format"): a header, per row
 * a 16-bit field count and each field as a 32-bit length and its bytes (all
 * integers big-endian), then a 16-bit -1.
 */
#define COPY_FIELDS 11
#define COPY_ROW_MAX 2048 /* a row: ids <= 64 bytes, source <= 255, the rest < 200 */
#define PG_EPOCH_US 946684800000000LL /* 2000-01-01T00:00:00Z, TIMESTAMPTZ's zero */

static const char copy_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

struct copy_ctx {
    const struct tc__prices_batch *b;
    size_t n, bi, ri;
    int started, ended;
    const char *source;
    size_t sourcelen;
    int64_t created_pg; /* created_at in µs since 2000-01-01 */
};

static char *put16(char *p, int v)
{
    p[0] = (char)((v >> 8) & 0xff);
    p[1] = (char)(v & 0xff);
    return p + 2;
}

static char *put32(char *p, int32_t v)
{
    uint32_t u = (uint32_t)v;
    for (int k = 3; k >= 0; k--) {
        p[k] = (char)(u & 0xff);
        u >>= 8;
    }
    return p + 4;
}

static char *put64(char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int k = 7; k >= 0; k--) {
        p[k] = (char)(u & 0xff);
        u >>= 8;
    }
    return p + 8;
}

static char *put_bytes(char *p, const char *s, size_t n)
{
    p = put32(p, (int32_t)n);
    memcpy(p, s, n);
    return p + n;
}

/* A decimal as PostgreSQL's binary NUMERIC: base-10000 digits (the 8 places
 * are exactly two of them), weight of the first, sign, display scale 8. */
static char *put_numeric(char *p, struct tc_dec d)
{
    uint64_t u = d.raw < 0 ? 0 - (uint64_t)d.raw : (uint64_t)d.raw;
    uint64_t ip = u / 100000000u, fp = u % 100000000u;
    int g[8], ng = 0, n = 0, weight = -1;
    int ig[6], ni = 0; /* integer part, least significant first */

    while (ip) {
        ig[ni++] = (int)(ip % 10000);
        ip /= 10000;
    }
    for (int k = ni - 1; k >= 0; k--)
        g[ng++] = ig[k];
    weight = ni - 1;
    g[ng++] = (int)(fp / 10000);
    g[ng++] = (int)(fp % 10000);
    int first = 0;
    while (first < ng && g[first] == 0) { /* leading zero digits move the weight */
        first++;
        weight--;
    }
    while (ng > first && g[ng - 1] == 0)
        ng--;
    n = ng - first;
    if (n == 0)
        weight = 0;
    p = put32(p, 8 + 2 * n);
    p = put16(p, n);
    p = put16(p, weight);
    p = put16(p, d.raw < 0 && n ? 0x4000 : 0);
    p = put16(p, TC_DEC_PLACES);
    for (int k = first; k < ng; k++)
        p = put16(p, g[k]);
    return p;
}

static int copy_fill(void *ud, char *buf, size_t cap, size_t *len, struct tc_error *err)
{
    struct copy_ctx *c = ud;
    char *p = buf;

    (void)err;
    if (!c->started) {
        memcpy(p, copy_header, sizeof copy_header);
        p += sizeof copy_header;
        c->started = 1;
    }
    while (c->bi < c->n && cap - (size_t)(p - buf) > COPY_ROW_MAX) {
        const struct tc__prices_batch *b = &c->b[c->bi];
        const struct tc_bar_series *s = b->s;
        if (c->ri >= s->n) {
            c->bi++;
            c->ri = 0;
            continue;
        }
        size_t i = c->ri++;
        if (b->keep && !b->keep[i])
            continue;
        char day[TC_DATE_STRLEN];
        tc__prices_day_text(s->day[i], day, sizeof day);
        p = put16(p, COPY_FIELDS);
        p = put_bytes(p, s->instrument_id, strlen(s->instrument_id));
        p = put_bytes(p, day, strlen(day));
        p = put_numeric(p, s->open[i]);
        p = put_numeric(p, s->high[i]);
        p = put_numeric(p, s->low[i]);
        p = put_numeric(p, s->close[i]);
        p = put_numeric(p, s->adj_close[i]);
        p = put64(put32(p, 8), s->volume[i]);
        p = put64(put32(p, 8), s->open_interest[i]);
        p = put_bytes(p, c->source, c->sourcelen);
        p = put64(put32(p, 8), c->created_pg);
    }
    if (c->bi >= c->n && !c->ended && cap - (size_t)(p - buf) >= 2) {
        p = put16(p, -1);
        c->ended = 1;
    }
    *len = (size_t)(p - buf);
    return 0;
}

/*
 * sqlite: rows of ONE instrument go ROWS_BIG at a time through one cached
 * multi-row INSERT (its tail ROWS_MID, then 1 at a time), so each statement
 * binds the instrument, source and created_at once ($1..$3) and 8 values per
 * row. created_at is formatted once, not per statement. The statement text is
 * compact: the store looks its cached statement up by the whole text.
 */
#define ROWS_BIG 64
#define ROWS_MID 8
#define ROW_PARAMS 8
#define SHARED_PARAMS 3

/* "INSERT … VALUES ($1,$4,…,$11,$2,$3),($1,$12,…)" for N rows; malloc'd. */
static char *insert_sql(int n)
{
    size_t cap = 256 + (size_t)n * 96; /* a row is at most 13 + 8 * 12 bytes */
    char *sql = malloc(cap);
    if (!sql)
        return NULL;
    size_t used = (size_t)snprintf(sql, cap, "INSERT INTO prices_daily (" PRICE_COLS ") VALUES ");
    for (int r = 0; r < n && used < cap; r++) {
        int b = SHARED_PARAMS + 1 + r * ROW_PARAMS;
        used += (size_t)snprintf(sql + used, cap - used,
                                 "%s($1,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$2,$3)", r ? "," : "", b,
                                 b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7);
    }
    if (used >= cap) { /* cannot happen with the sizes above */
        free(sql);
        return NULL;
    }
    return sql;
}

struct ins_ctx {
    struct tc_txn *tx;
    char *sql[3]; /* ROWS_BIG, ROWS_MID and 1 row */
    struct tc_val p[SHARED_PARAMS + ROWS_BIG * ROW_PARAMS];
    char dates[ROWS_BIG][TC_DATE_STRLEN];
};

/* Inserts the K rows IX[0..K) of S through the statement for K rows. */
static int insert_rows(struct ins_ctx *c, const char *sql, const struct tc_bar_series *s,
                       const size_t *ix, int k, struct tc_error *err)
{
    for (int r = 0; r < k; r++) {
        size_t i = ix[r];
        struct tc_val *v = &c->p[SHARED_PARAMS + r * ROW_PARAMS];
        tc__prices_day_text(s->day[i], c->dates[r], TC_DATE_STRLEN);
        v[0] = TC_V_TEXT(c->dates[r]);
        v[1] = TC_V_DEC(s->open[i]);
        v[2] = TC_V_DEC(s->high[i]);
        v[3] = TC_V_DEC(s->low[i]);
        v[4] = TC_V_DEC(s->close[i]);
        v[5] = TC_V_DEC(s->adj_close[i]);
        v[6] = TC_V_INT(s->volume[i]);
        v[7] = TC_V_INT(s->open_interest[i]);
    }
    int rc = tc_txn_exec(c->tx, sql, c->p, SHARED_PARAMS + (size_t)k * ROW_PARAMS, NULL, NULL,
                         NULL, err);
    if (rc && k == 1)
        return tc_error_prefix(err, "instrument \"%s\" on %s", s->instrument_id, c->dates[0]);
    if (rc)
        return tc_error_prefix(err, "instrument \"%s\" from %s to %s", s->instrument_id,
                               c->dates[0], c->dates[k - 1]);
    return 0;
}

/* The kept rows of one batch, in order, through the three statements. */
static int insert_series(struct ins_ctx *c, const struct tc__prices_batch *b, int64_t *inserted,
                         struct tc_error *err)
{
    const struct tc_bar_series *s = b->s;
    size_t ix[ROWS_BIG];
    size_t i = 0;
    int k = 0, rc;

    c->p[0] = TC_V_TEXT(s->instrument_id);
    for (;;) {
        while (k < ROWS_BIG && i < s->n) {
            if (!b->keep || b->keep[i])
                ix[k++] = i;
            i++;
        }
        if (k == 0)
            return 0;
        int take = k == ROWS_BIG ? ROWS_BIG : k >= ROWS_MID ? ROWS_MID : 1;
        const char *sql = c->sql[take == ROWS_BIG ? 0 : take == ROWS_MID ? 1 : 2];
        if ((rc = insert_rows(c, sql, s, ix, take, err)) != 0)
            return rc;
        *inserted += take;
        memmove(ix, ix + take, (size_t)(k - take) * sizeof ix[0]);
        k -= take;
    }
}

int tc__prices_insert(struct tc_txn *tx, const struct tc__prices_batch *b, size_t n,
                      const char *source, int64_t now_us, int64_t *inserted,
                      struct tc_error *err)
{
    struct ins_ctx *c = NULL;
    char created[TC_TIME_STRLEN];
    int rc = 0;

    *inserted = 0;
    if (tc_time_format(now_us, created, sizeof created) < 0)
        return tc_error_set(err, TC_ERANGE, "prices: clock time out of range");
    if (tc_store_can_copy(tc_txn_store(tx))) {
        struct copy_ctx cc = {.b = b, .n = n, .source = source};
        cc.sourcelen = strlen(source);
        if (cc.sourcelen > 255)
            return tc_error_set(err, TC_EINVAL, "prices: source is longer than 255 bytes");
        cc.created_pg = now_us - PG_EPOCH_US;
        return tc_txn_copy_from(tx, "COPY prices_daily (" PRICE_COLS ") FROM STDIN (FORMAT binary)",
                                copy_fill, &cc, inserted, err);
    }
    if (!(c = calloc(1, sizeof *c)) || !(c->sql[0] = insert_sql(ROWS_BIG)) ||
        !(c->sql[1] = insert_sql(ROWS_MID)) || !(c->sql[2] = insert_sql(1))) {
        rc = tc_error_set(err, TC_ENOMEM, "prices: out of memory");
        goto out;
    }
    c->tx = tx;
    c->p[1] = TC_V_TEXT(source);
    c->p[2] = TC_V_TEXT(created); /* the text a TC_V_TIME would bind, made once */
    for (size_t bi = 0; bi < n && rc == 0; bi++)
        rc = insert_series(c, &b[bi], inserted, err);
out:
    if (c)
        for (int k = 0; k < 3; k++)
            free(c->sql[k]);
    free(c);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Public reads                                                               */

struct load_ctx {
    struct tc_bar_series *out;
    int64_t from, to;
};

static int load_bar(const struct tc_bar *bar, void *ud, struct tc_error *err)
{
    struct load_ctx *c = ud;
    int rc = tc_bar_series_append(c->out, bar, err);
    if (rc == TC_ENOMEM)
        return rc;
    if (rc)
        return tc_error_set(err, TC_ESTATE, "prices_daily: stored row breaks the bar rules: %s",
                            err ? err->msg : "");
    return 0;
}

static int load_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct load_ctx *c = ud;
    c->out->n = 0; /* a retried transaction starts again */
    return tc__prices_scan(tx, c->out->instrument_id, c->from, c->to, load_bar, c, err);
}

int tc_prices_load(struct tc_store *s, const char *instrument_id, int64_t from_day,
                   int64_t to_day, struct tc_bar_series *out, struct tc_error *err)
{
    int rc;
    if (!out)
        return tc_error_set(err, TC_EINVAL, "prices: NULL series");
    tc_bar_series_init(out, "");
    if (!s)
        return tc_error_set(err, TC_EINVAL, "prices: NULL store");
    if ((rc = tc_id_validate("instrument", instrument_id, err)) != 0)
        return rc;
    if (from_day > to_day) {
        char a[32], b[32];
        tc__prices_day_text(from_day, a, sizeof a);
        tc__prices_day_text(to_day, b, sizeof b);
        return tc_error_set(err, TC_EINVAL, "instrument \"%s\": from %s is after to %s",
                            instrument_id, a, b);
    }
    tc_bar_series_init(out, instrument_id);
    struct load_ctx c = {out, from_day, to_day};
    rc = tc_store_txn(s, TC_TXN_READ, load_txn, &c, err);
    if (rc) {
        tc_bar_series_release(out);
        tc_bar_series_init(out, instrument_id);
    }
    return rc;
}

int tc_prices_count(struct tc_store *s, const char *instrument_id, int64_t *out,
                    struct tc_error *err)
{
    int64_t n = 0;
    int rc;
    if (!s || !out)
        return tc_error_set(err, TC_EINVAL, "prices: NULL argument");
    if (instrument_id) {
        struct tc_val p[1] = {TC_V_TEXT(instrument_id)};
        rc = tc_store_exec(s, "SELECT count(*) FROM prices_daily WHERE instrument_id = $1", p, 1,
                           count_row, &n, NULL, err);
    } else {
        rc = tc_store_exec(s, "SELECT count(*) FROM prices_daily", NULL, 0, count_row, &n, NULL,
                           err);
    }
    if (rc == 0)
        *out = n;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Calendar overrides                                                         */

static const char *const kind_names[] = {NULL, "CLOSED", "EARLY_CLOSE", "OPEN"};

struct ov_ctx {
    struct tc_cal_override *v;
    char (*reasons)[TC_CAL_REASON_MAX];
    unsigned char *has_reason;
    size_t n, cap;
    struct tc_error *err;
    const char *market;
};

static int ov_row(const struct tc_row *row, void *ud)
{
    struct ov_ctx *c = ud;
    const char *date = NULL, *kind = NULL, *close = NULL, *reason = NULL;
    struct tc_cal_override o = {0};
    int k = 0;

    if (tc_row_text(row, 0, &date) || tc_row_text(row, 1, &kind))
        return tc_error_set(c->err, TC_ESTATE, "calendar_overrides of \"%s\": unreadable row",
                            c->market);
    if (!date || tc__prices_parse_day(date, strlen(date), &o.date))
        return tc_error_set(c->err, TC_ESTATE, "calendar_overrides of \"%s\": bad date \"%.20s\"",
                            c->market, date ? date : "");
    for (k = 1; k <= 3; k++)
        if (kind && strcmp(kind, kind_names[k]) == 0)
            break;
    if (k > 3)
        return tc_error_set(c->err, TC_ESTATE, "calendar_overrides of \"%s\" on %s: kind \"%.20s\"",
                            c->market, date, kind ? kind : "");
    o.kind = (enum tc_cal_override_kind)k;
    if (!tc_row_is_null(row, 2)) {
        int hh, mm;
        if (tc_row_text(row, 2, &close) || !close || strlen(close) != 5 || close[2] != ':' ||
            digits(close, 2, &hh) || digits(close + 3, 2, &mm) || hh > 23 || mm > 59)
            return tc_error_set(c->err, TC_ESTATE,
                                "calendar_overrides of \"%s\" on %s: bad close time", c->market,
                                date);
        o.close_min = hh * 60 + mm;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        void *a = realloc(c->v, cap * sizeof *c->v);
        if (!a)
            return tc_error_set(c->err, TC_ENOMEM, "calendar overrides: out of memory");
        c->v = a;
        void *r = realloc(c->reasons, cap * sizeof *c->reasons);
        if (!r)
            return tc_error_set(c->err, TC_ENOMEM, "calendar overrides: out of memory");
        c->reasons = r;
        void *h = realloc(c->has_reason, cap);
        if (!h)
            return tc_error_set(c->err, TC_ENOMEM, "calendar overrides: out of memory");
        c->has_reason = h;
        c->cap = cap;
    }
    c->has_reason[c->n] = 0;
    c->reasons[c->n][0] = '\0';
    if (!tc_row_is_null(row, 3) && tc_row_text(row, 3, &reason) == 0 && reason) {
        copy_text(c->reasons[c->n], TC_CAL_REASON_MAX, reason);
        c->has_reason[c->n] = 1;
    }
    c->v[c->n++] = o;
    return 0;
}

static int ov_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct ov_ctx *c = ud;
    c->n = 0;
    struct tc_val p[1] = {TC_V_TEXT(c->market)};
    return tc_txn_exec(tx,
                       "SELECT override_date, kind, close_time, reason FROM calendar_overrides "
                       "WHERE market_id = $1 ORDER BY override_date",
                       p, 1, ov_row, c, NULL, err);
}

int tc_calendar_overrides_load(struct tc_store *s, const char *market_id,
                               struct tc_cal_override **out, size_t *n, struct tc_error *err)
{
    struct ov_ctx c = {0};
    int rc;

    if (!out || !n)
        return tc_error_set(err, TC_EINVAL, "calendar overrides: NULL output");
    *out = NULL;
    *n = 0;
    if (!s)
        return tc_error_set(err, TC_EINVAL, "calendar overrides: NULL store");
    if ((rc = tc_id_validate("market", market_id, err)) != 0)
        return rc;
    c.err = err;
    c.market = market_id;
    if ((rc = tc_store_txn(s, TC_TXN_READ, ov_txn, &c, err)) != 0)
        goto out;
    if (c.n > 0) {
        size_t strbytes = 0;
        for (size_t i = 0; i < c.n; i++)
            strbytes += c.has_reason[i] ? strlen(c.reasons[i]) + 1 : 0;
        char *block = malloc(c.n * sizeof(struct tc_cal_override) + strbytes);
        if (!block) {
            rc = tc_error_set(err, TC_ENOMEM, "calendar overrides: out of memory");
            goto out;
        }
        struct tc_cal_override *v = (struct tc_cal_override *)(void *)block;
        char *sp = block + c.n * sizeof(struct tc_cal_override);
        for (size_t i = 0; i < c.n; i++) {
            v[i] = c.v[i];
            v[i].reason = NULL;
            if (c.has_reason[i]) {
                size_t l = strlen(c.reasons[i]) + 1;
                memcpy(sp, c.reasons[i], l);
                v[i].reason = sp;
                sp += l;
            }
        }
        *out = v;
        *n = c.n;
    }
out:
    free(c.v);
    free(c.reasons);
    free(c.has_reason);
    return rc;
}

int tc_calendar_override_add(struct tc_store *s, const char *market_id,
                             const struct tc_cal_override *ov, const struct tc_clock *clock,
                             struct tc_error *err)
{
    char date[32], close[8];
    int rc;

    if (!s || !ov)
        return tc_error_set(err, TC_EINVAL, "calendar override: NULL argument");
    if ((rc = tc_id_validate("market", market_id, err)) != 0)
        return rc;
    tc__prices_day_text(ov->date, date, sizeof date);
    if (ov->kind < TC_CAL_CLOSED || ov->kind > TC_CAL_OPEN)
        return tc_error_set(err, TC_EINVAL, "calendar override of \"%s\" on %s: unknown kind %d",
                            market_id, date, (int)ov->kind);
    if (ov->close_min < 0 || ov->close_min >= 24 * 60)
        return tc_error_set(err, TC_EINVAL,
                            "calendar override of \"%s\" on %s: close time %d is not a time of day",
                            market_id, date, ov->close_min);
    if (ov->kind == TC_CAL_EARLY_CLOSE && ov->close_min == 0)
        return tc_error_set(err, TC_EINVAL,
                            "calendar override of \"%s\" on %s: an early close needs a close time",
                            market_id, date);
    if (ov->kind == TC_CAL_CLOSED && ov->close_min != 0)
        return tc_error_set(err, TC_EINVAL,
                            "calendar override of \"%s\" on %s: a closed day has no close time",
                            market_id, date);
    if (ov->reason && (!*ov->reason || strlen(ov->reason) >= TC_CAL_REASON_MAX))
        return tc_error_set(err, TC_EINVAL,
                            "calendar override of \"%s\" on %s: reason must be 1..%d characters",
                            market_id, date, TC_CAL_REASON_MAX - 1);
    snprintf(close, sizeof close, "%02d:%02d", ov->close_min / 60, ov->close_min % 60);
    struct tc_val p[6] = {TC_V_TEXT(market_id),
                          TC_V_TEXT(date),
                          TC_V_TEXT(kind_names[ov->kind]),
                          ov->close_min ? TC_V_TEXT(close) : TC_V_NULL,
                          TC_V_TEXT_OR_NULL(ov->reason),
                          TC_V_TIME(tc_clock_now(clock))};
    rc = tc_store_exec(s,
                       "INSERT INTO calendar_overrides (market_id, override_date, kind, "
                       "close_time, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                       p, 6, NULL, NULL, NULL, err);
    if (rc == TC_ECONFLICT)
        return tc_error_set(err, TC_ECONFLICT,
                            "calendar override of \"%s\" on %s already exists", market_id, date);
    if (rc == TC_EINVAL)
        return tc_error_prefix(err, "calendar override of \"%s\" on %s", market_id, date);
    return rc;
}
