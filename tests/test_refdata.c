/* Reference data repositories (markets, issuers, instruments) against sqlite
 * files and PostgreSQL: CRUD, finders, exact decimals, duplicates, validation,
 * soft delete, hostile text, and the schema's down migration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */

struct fx {
    int pg;
    struct tc_store *store;
    struct tc_manual_clock clock;
    struct tc_refdata rd;
};

static const char *up_path(const struct fx *f)
{
    return f->pg ? "postgres/historical/0001_reference_data.up.sql"
                 : "sqlite/historical/0001_reference_data.up.sql";
}

static int setup(void **state, int pg)
{
    struct fx *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->pg = pg;
    if (tc_test_store_open("refdata", pg, "historical.db", NULL, 0, NULL, 0, &f->store) != 0 ||
        tc_test_apply_migration(f->store, up_path(f)) != 0) {
        tc_store_close(f->store);
        free(f);
        return -1;
    }
    tc_manual_clock_init(&f->clock, T0);
    f->rd = (struct tc_refdata){f->store, &f->clock.clock, "tester"};
    *state = f;
    return 0;
}

static int setup_sqlite(void **state) { return setup(state, 0); }
static int setup_pg(void **state) { return setup(state, 1); }

static int teardown(void **state)
{
    struct fx *f = *state;
    tc_store_close(f->store);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------ */

static void fill_market(struct tc_market *m, const char *id, const char *tz)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->market_id, sizeof(m->market_id), "%s", id);
    snprintf(m->name, sizeof(m->name), "Market %s", id);
    snprintf(m->region, sizeof(m->region), "US");
    snprintf(m->timezone, sizeof(m->timezone), "%s", tz);
}

static void fill_instrument(struct tc_instrument *i, const char *id, const char *symbol,
                            const char *market)
{
    tc_instrument_init(i);
    snprintf(i->instrument_id, sizeof(i->instrument_id), "%s", id);
    snprintf(i->symbol, sizeof(i->symbol), "%s", symbol);
    snprintf(i->market_id, sizeof(i->market_id), "%s", market);
    snprintf(i->currency, sizeof(i->currency), "USD");
    i->asset_class = TC_ASSET_EQUITY;
}

#define dec(text) tc_test_dec(text)

static void add_market(struct fx *f, const char *id)
{
    struct tc_market m;
    struct tc_error err = {0};
    fill_market(&m, id, "America/New_York");
    tc_assert_ok(tc_refdata_market_create(&f->rd, &m, &err), &err);
}

static size_t count_instruments(struct fx *f)
{
    struct tc_instrument_list l;
    struct tc_error err = {0};
    size_t n;
    tc_assert_ok(tc_refdata_instrument_list(&f->rd, &l, &err), &err);
    n = l.n;
    tc_instrument_list_release(&l);
    return n;
}

/* ------------------------------------------------------------------------ */

static void test_market_crud(void **state)
{
    struct fx *f = *state;
    struct tc_market m, got;
    struct tc_market_list l;
    struct tc_error err = {0};

    fill_market(&m, "XNYS", "America/New_York");
    m.calendar_spec = (char *)"{\"calendar\": \"XNYS\"}";
    m.metadata = (char *)"{\"operator\": \"NYSE\", \"n\": 1}";
    tc_assert_ok(tc_refdata_market_create(&f->rd, &m, &err), &err);

    tc_assert_ok(tc_refdata_market_get(&f->rd, "XNYS", &got, &err), &err);
    assert_string_equal(got.market_id, "XNYS");
    assert_string_equal(got.name, "Market XNYS");
    assert_string_equal(got.region, "US");
    assert_string_equal(got.timezone, "America/New_York");
    tc_test_assert_json_eq(got.calendar_spec, "{\"calendar\": \"XNYS\"}");
    tc_test_assert_json_eq(got.metadata, "{\"n\": 1, \"operator\": \"NYSE\"}");
    assert_int_equal(got.created_at_us, T0);
    assert_int_equal(got.updated_at_us, T0);
    assert_int_equal(got.deleted_at_us, 0);
    assert_string_equal(got.created_by, "tester");
    assert_string_equal(got.updated_by, "tester");
    tc_market_release(&got);

    /* update: every field but the id and created_*; NULL JSON becomes {} */
    f->clock.now_us = T0 + 1500000;
    f->rd.actor = "editor";
    snprintf(m.name, sizeof(m.name), "New York Stock Exchange");
    m.region[0] = '\0';
    m.calendar_spec = NULL;
    tc_assert_ok(tc_refdata_market_update(&f->rd, &m, &err), &err);
    tc_assert_ok(tc_refdata_market_get(&f->rd, "XNYS", &got, &err), &err);
    assert_string_equal(got.name, "New York Stock Exchange");
    assert_string_equal(got.region, "");
    tc_test_assert_json_eq(got.calendar_spec, "{}");
    assert_int_equal(got.created_at_us, T0);
    assert_int_equal(got.updated_at_us, T0 + 1500000);
    assert_string_equal(got.created_by, "tester");
    assert_string_equal(got.updated_by, "editor");
    tc_market_release(&got);

    add_market(f, "XLON");
    tc_assert_ok(tc_refdata_market_list(&f->rd, &l, &err), &err);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].market_id, "XLON");
    assert_string_equal(l.items[1].market_id, "XNYS");
    tc_market_list_release(&l);
    assert_null(l.items);

    /* soft delete: gone from get, list and update; the id stays taken */
    f->clock.now_us = T0 + 3000000;
    tc_assert_ok(tc_refdata_market_remove(&f->rd, "XLON", &err), &err);
    assert_int_equal(tc_refdata_market_get(&f->rd, "XLON", &got, &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "market \"XLON\" not found"));
    tc_assert_ok(tc_refdata_market_list(&f->rd, &l, &err), &err);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].market_id, "XNYS");
    tc_market_list_release(&l);
    assert_int_equal(tc_refdata_market_remove(&f->rd, "XLON", &err), TC_ENOTFOUND);
    fill_market(&m, "XLON", "Europe/London");
    assert_int_equal(tc_refdata_market_update(&f->rd, &m, &err), TC_ENOTFOUND);
    assert_int_equal(tc_refdata_market_create(&f->rd, &m, &err), TC_ECONFLICT);
    assert_non_null(strstr(err.msg, "market \"XLON\" already exists"));
    assert_int_equal(tc_refdata_market_get(&f->rd, "NOPE", &got, &err), TC_ENOTFOUND);
    assert_int_equal(tc_refdata_market_remove(&f->rd, "NOPE", &err), TC_ENOTFOUND);
}

static void test_issuer_crud(void **state)
{
    struct fx *f = *state;
    struct tc_issuer i = {0}, got;
    struct tc_issuer_list l;
    struct tc_error err = {0};

    snprintf(i.issuer_id, sizeof(i.issuer_id), "ORCL-INC");
    i.issuer_type = TC_ISSUER_CORPORATION;
    snprintf(i.name, sizeof(i.name), "Oracle Corporation");
    snprintf(i.country, sizeof(i.country), "US");
    snprintf(i.sector, sizeof(i.sector), "Technology");
    tc_assert_ok(tc_refdata_issuer_create(&f->rd, &i, &err), &err);
    tc_assert_ok(tc_refdata_issuer_get(&f->rd, "ORCL-INC", &got, &err), &err);
    assert_int_equal(got.issuer_type, TC_ISSUER_CORPORATION);
    assert_string_equal(got.name, "Oracle Corporation");
    assert_string_equal(got.country, "US");
    assert_string_equal(got.sector, "Technology");
    assert_string_equal(got.industry, "");
    tc_test_assert_json_eq(got.metadata, "{}");
    assert_int_equal(got.created_at_us, T0);
    tc_issuer_release(&got);

    f->clock.now_us = T0 + 7;
    snprintf(i.industry, sizeof(i.industry), "Software");
    i.issuer_type = TC_ISSUER_OTHER;
    tc_assert_ok(tc_refdata_issuer_update(&f->rd, &i, &err), &err);
    tc_assert_ok(tc_refdata_issuer_get(&f->rd, "ORCL-INC", &got, &err), &err);
    assert_string_equal(got.industry, "Software");
    assert_int_equal(got.issuer_type, TC_ISSUER_OTHER);
    assert_int_equal(got.updated_at_us, T0 + 7);
    tc_issuer_release(&got);

    assert_int_equal(tc_refdata_issuer_create(&f->rd, &i, &err), TC_ECONFLICT);
    assert_non_null(strstr(err.msg, "issuer \"ORCL-INC\" already exists"));

    tc_assert_ok(tc_refdata_issuer_remove(&f->rd, "ORCL-INC", &err), &err);
    assert_int_equal(tc_refdata_issuer_get(&f->rd, "ORCL-INC", &got, &err), TC_ENOTFOUND);
    tc_assert_ok(tc_refdata_issuer_list(&f->rd, &l, &err), &err);
    assert_int_equal(l.n, 0);
    assert_null(l.items);
    tc_issuer_list_release(&l);
}

static void test_instrument_crud_and_finders(void **state)
{
    struct fx *f = *state;
    struct tc_instrument i, got;
    struct tc_instrument_list l;
    struct tc_issuer is = {0};
    struct tc_error err = {0};

    add_market(f, "XNYS");
    add_market(f, "XNAS");
    snprintf(is.issuer_id, sizeof(is.issuer_id), "NVIDIA");
    is.issuer_type = TC_ISSUER_CORPORATION;
    snprintf(is.name, sizeof(is.name), "NVIDIA Corporation");
    tc_assert_ok(tc_refdata_issuer_create(&f->rd, &is, &err), &err);

    fill_instrument(&i, "NVDA", "NVDA", "XNAS");
    snprintf(i.issuer_id, sizeof(i.issuer_id), "NVIDIA");
    snprintf(i.exchange, sizeof(i.exchange), "NASDAQ");
    i.tick_size = dec("0.00000001");
    i.multiplier = dec("12345678901.12345678");
    i.lot_size = dec("100");
    i.metadata = (char *)"{\"isin\": \"US67066G1040\"}";
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);

    tc_assert_ok(tc_refdata_instrument_get(&f->rd, "NVDA", &got, &err), &err);
    assert_string_equal(got.instrument_id, "NVDA");
    assert_string_equal(got.issuer_id, "NVIDIA");
    assert_string_equal(got.market_id, "XNAS");
    assert_int_equal(got.asset_class, TC_ASSET_EQUITY);
    assert_string_equal(got.symbol, "NVDA");
    assert_string_equal(got.exchange, "NASDAQ");
    assert_string_equal(got.currency, "USD");
    assert_int_equal(got.tick_size.raw, 1);
    assert_int_equal(got.multiplier.raw, INT64_C(1234567890112345678));
    assert_int_equal(got.lot_size.raw, 100 * TC_DEC_ONE);
    assert_string_equal(got.maturity_date, "");
    assert_string_equal(got.underlying_instrument_id, "");
    assert_int_equal(got.status, TC_INSTRUMENT_ACTIVE);
    tc_test_assert_json_eq(got.metadata, "{\"isin\": \"US67066G1040\"}");
    assert_int_equal(got.created_at_us, T0);
    tc_instrument_release(&got);

    /* a future with the instrument as underlying and a maturity date */
    fill_instrument(&i, "NVDA-F", "NVDAZ26", "XNAS");
    i.asset_class = TC_ASSET_FUTURE;
    snprintf(i.maturity_date, sizeof(i.maturity_date), "2026-12-18");
    snprintf(i.underlying_instrument_id, sizeof(i.underlying_instrument_id), "NVDA");
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);
    fill_instrument(&i, "ORCL", "ORCL", "XNYS");
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);
    /* the same symbol in another market is a different instrument */
    fill_instrument(&i, "ORCL.Q", "ORCL", "XNAS");
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);

    tc_assert_ok(tc_refdata_instrument_get(&f->rd, "NVDA-F", &got, &err), &err);
    assert_string_equal(got.maturity_date, "2026-12-18");
    assert_string_equal(got.underlying_instrument_id, "NVDA");
    assert_int_equal(got.asset_class, TC_ASSET_FUTURE);
    assert_int_equal(got.tick_size.raw, TC_DEC_ONE / 100);
    tc_instrument_release(&got);

    tc_assert_ok(tc_refdata_instrument_find_symbol(&f->rd, "ORCL", &l, &err), &err);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].instrument_id, "ORCL");
    assert_string_equal(l.items[1].instrument_id, "ORCL.Q");
    tc_instrument_list_release(&l);
    tc_assert_ok(tc_refdata_instrument_find_market(&f->rd, "XNAS", &l, &err), &err);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].instrument_id, "NVDA");
    assert_string_equal(l.items[1].instrument_id, "NVDA-F");
    assert_string_equal(l.items[2].instrument_id, "ORCL.Q");
    tc_instrument_list_release(&l);
    tc_assert_ok(tc_refdata_instrument_find_symbol(&f->rd, "NONE", &l, &err), &err);
    assert_int_equal(l.n, 0);

    /* update the status; finders follow */
    f->clock.now_us = T0 + 60000000;
    fill_instrument(&i, "ORCL.Q", "ORCL", "XNAS");
    i.status = TC_INSTRUMENT_SUSPENDED;
    i.lot_size = dec("0.5");
    tc_assert_ok(tc_refdata_instrument_update(&f->rd, &i, &err), &err);
    tc_assert_ok(tc_refdata_instrument_find_status(&f->rd, TC_INSTRUMENT_SUSPENDED, &l, &err),
                 &err);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].instrument_id, "ORCL.Q");
    assert_int_equal(l.items[0].lot_size.raw, TC_DEC_ONE / 2);
    assert_int_equal(l.items[0].updated_at_us, T0 + 60000000);
    assert_int_equal(l.items[0].created_at_us, T0);
    tc_instrument_list_release(&l);
    tc_assert_ok(tc_refdata_instrument_find_status(&f->rd, TC_INSTRUMENT_ACTIVE, &l, &err),
                 &err);
    assert_int_equal(l.n, 3);
    tc_instrument_list_release(&l);

    /* in-use checks, then soft delete */
    assert_int_equal(tc_refdata_market_remove(&f->rd, "XNAS", &err), TC_ESTATE);
    assert_non_null(strstr(err.msg, "market \"XNAS\" is still used by instrument \"NVDA\""));
    assert_int_equal(tc_refdata_issuer_remove(&f->rd, "NVIDIA", &err), TC_ESTATE);
    assert_int_equal(tc_refdata_instrument_remove(&f->rd, "NVDA", &err), TC_ESTATE);
    assert_non_null(strstr(err.msg, "underlying of instrument \"NVDA-F\""));
    tc_assert_ok(tc_refdata_instrument_remove(&f->rd, "NVDA-F", &err), &err);
    tc_assert_ok(tc_refdata_instrument_remove(&f->rd, "ORCL.Q", &err), &err);
    assert_int_equal(tc_refdata_instrument_get(&f->rd, "ORCL.Q", &got, &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "instrument \"ORCL.Q\" not found"));
    assert_int_equal(tc_refdata_instrument_update(&f->rd, &i, &err), TC_ENOTFOUND);
    tc_assert_ok(tc_refdata_instrument_find_symbol(&f->rd, "ORCL", &l, &err), &err);
    assert_int_equal(l.n, 1);
    tc_instrument_list_release(&l);
    assert_int_equal(count_instruments(f), 2);
    /* a deleted symbol may be reused in its market under a new id */
    fill_instrument(&i, "ORCL.Q2", "ORCL", "XNAS");
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);
    assert_int_equal(count_instruments(f), 3);
}

static void test_duplicates(void **state)
{
    struct fx *f = *state;
    struct tc_instrument i, got;
    struct tc_error err = {0};

    add_market(f, "XNYS");
    fill_instrument(&i, "ORCL", "ORCL", "XNYS");
    i.lot_size = dec("10");
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);

    f->clock.now_us = T0 + 5;
    fill_instrument(&i, "ORCL", "ORCL2", "XNYS");
    snprintf(i.currency, sizeof(i.currency), "EUR");
    assert_int_equal(tc_refdata_instrument_create(&f->rd, &i, &err), TC_ECONFLICT);
    assert_string_equal(err.msg, "instrument \"ORCL\" already exists");

    fill_instrument(&i, "ORCL-2", "ORCL", "XNYS");
    assert_int_equal(tc_refdata_instrument_create(&f->rd, &i, &err), TC_ECONFLICT);
    assert_non_null(strstr(err.msg, "symbol \"ORCL\" already exists in market \"XNYS\""));

    /* changing another instrument onto a taken symbol is a conflict too */
    fill_instrument(&i, "ORCL-3", "ORCL3", "XNYS");
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);
    snprintf(i.symbol, sizeof(i.symbol), "ORCL");
    assert_int_equal(tc_refdata_instrument_update(&f->rd, &i, &err), TC_ECONFLICT);

    /* state unchanged */
    tc_assert_ok(tc_refdata_instrument_get(&f->rd, "ORCL", &got, &err), &err);
    assert_string_equal(got.symbol, "ORCL");
    assert_string_equal(got.currency, "USD");
    assert_int_equal(got.lot_size.raw, 10 * TC_DEC_ONE);
    assert_int_equal(got.updated_at_us, T0);
    tc_instrument_release(&got);
    tc_assert_ok(tc_refdata_instrument_get(&f->rd, "ORCL-3", &got, &err), &err);
    assert_string_equal(got.symbol, "ORCL3");
    tc_instrument_release(&got);
    assert_int_equal(count_instruments(f), 2);
}

/* One bad field per row: the code and words that must appear in the message. */
enum bad_kind { BAD_INSTRUMENT, BAD_MARKET, BAD_ISSUER };
struct bad_case {
    const char *label;
    enum bad_kind kind;
    void (*mutate)(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is);
    int code;
    const char *words[3];
};

static void b_empty_id(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->instrument_id[0] = '\0';
}
static void b_space_id(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->instrument_id, sizeof(i->instrument_id), "OR CL");
}
static void b_long_id(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    memset(i->market_id, 'M', sizeof(i->market_id)); /* no NUL within the buffer */
}
static void b_asset(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->asset_class = (enum tc_asset_class)99;
}
static void b_status(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->status = (enum tc_instrument_status)0;
}
static void b_usd_lower(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->currency, sizeof(i->currency), "usd");
}
static void b_us(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->currency, sizeof(i->currency), "US");
}
static void b_usdx(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    memcpy(i->currency, "USDX", 4); /* no room for the NUL: caught too */
}
static void b_no_ccy(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->currency[0] = '\0';
}
static void b_lot_zero(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->lot_size = TC_DEC_ZERO;
}
static void b_tick_neg(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->tick_size = tc_dec_from_raw(-1);
}
static void b_mult_neg(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->multiplier = tc_dec_from_raw(-TC_DEC_ONE);
}
static void b_bad_json(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->metadata = (char *)"{\"a\": ";
}
static void b_json_array(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->metadata = (char *)"[1, 2]";
}
static void b_json_dup(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->metadata = (char *)"{\"a\": 1, \"a\": 2}";
}
static void b_unknown_market(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->market_id, sizeof(i->market_id), "XNOPE");
}
static void b_unknown_issuer(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->issuer_id, sizeof(i->issuer_id), "NOBODY");
}
static void b_unknown_under(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->underlying_instrument_id, sizeof(i->underlying_instrument_id), "GHOST");
}
static void b_self_under(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->underlying_instrument_id, sizeof(i->underlying_instrument_id), "%s",
             i->instrument_id);
}
static void b_symbol_empty(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    i->symbol[0] = '\0';
}
static void b_symbol_ctrl(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->symbol, sizeof(i->symbol), "OR\nCL");
}
static void b_maturity(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(i->maturity_date, sizeof(i->maturity_date), "2025-02-29");
}
static void b_tz_unknown(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(m->timezone, sizeof(m->timezone), "Mars/Olympus_Mons");
}
static void b_tz_dotdot(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(m->timezone, sizeof(m->timezone), "../../etc/passwd");
}
static void b_tz_abs(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(m->timezone, sizeof(m->timezone), "/etc/localtime");
}
static void b_tz_notzif(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(m->timezone, sizeof(m->timezone), "zone.tab");
}
static void b_tz_empty(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    m->timezone[0] = '\0';
}
static void b_market_name(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    m->name[0] = '\0';
}
static void b_market_id(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(m->market_id, sizeof(m->market_id), "X/NYS");
}
static void b_calendar(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    m->calendar_spec = (char *)"not json";
}
static void b_issuer_type(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    is->issuer_type = (enum tc_issuer_type)42;
}
static void b_country(struct tc_instrument *i, struct tc_market *m, struct tc_issuer *is)
{
    snprintf(is->country, sizeof(is->country), "usa");
}

static const struct bad_case bad_cases[] = {
    {"empty id", BAD_INSTRUMENT, b_empty_id, TC_EINVAL, {"instrument id", "empty"}},
    {"space in id", BAD_INSTRUMENT, b_space_id, TC_EINVAL, {"instrument id", "OR CL"}},
    {"unterminated market id", BAD_INSTRUMENT, b_long_id, TC_EINVAL, {"market_id", "NUL"}},
    {"asset class", BAD_INSTRUMENT, b_asset, TC_EINVAL, {"asset_class", "99", "unknown"}},
    {"status", BAD_INSTRUMENT, b_status, TC_EINVAL, {"status", "unknown"}},
    {"usd", BAD_INSTRUMENT, b_usd_lower, TC_EINVAL, {"currency \"usd\"", "three capital"}},
    {"US", BAD_INSTRUMENT, b_us, TC_EINVAL, {"currency \"US\"", "three capital"}},
    {"USDX", BAD_INSTRUMENT, b_usdx, TC_EINVAL, {"currency"}},
    {"no currency", BAD_INSTRUMENT, b_no_ccy, TC_EINVAL, {"currency", "empty"}},
    {"lot 0", BAD_INSTRUMENT, b_lot_zero, TC_EINVAL, {"lot_size 0", "positive"}},
    {"tick < 0", BAD_INSTRUMENT, b_tick_neg, TC_EINVAL, {"tick_size -0.00000001", "positive"}},
    {"multiplier < 0", BAD_INSTRUMENT, b_mult_neg, TC_EINVAL, {"multiplier -1", "positive"}},
    {"invalid json", BAD_INSTRUMENT, b_bad_json, TC_EINVAL, {"metadata", "not valid JSON"}},
    {"json array", BAD_INSTRUMENT, b_json_array, TC_EINVAL, {"metadata", "not a JSON object"}},
    {"json dup key", BAD_INSTRUMENT, b_json_dup, TC_EINVAL, {"metadata", "duplicate"}},
    {"unknown market", BAD_INSTRUMENT, b_unknown_market, TC_EINVAL,
     {"instrument \"ORCL\"", "unknown market \"XNOPE\""}},
    {"unknown issuer", BAD_INSTRUMENT, b_unknown_issuer, TC_EINVAL,
     {"unknown issuer \"NOBODY\""}},
    {"unknown underlying", BAD_INSTRUMENT, b_unknown_under, TC_EINVAL,
     {"unknown underlying instrument \"GHOST\""}},
    {"self underlying", BAD_INSTRUMENT, b_self_under, TC_EINVAL, {"underlying", "itself"}},
    {"empty symbol", BAD_INSTRUMENT, b_symbol_empty, TC_EINVAL, {"symbol", "empty"}},
    {"control char", BAD_INSTRUMENT, b_symbol_ctrl, TC_EINVAL, {"symbol", "control"}},
    {"maturity", BAD_INSTRUMENT, b_maturity, TC_EINVAL, {"maturity_date \"2025-02-29\""}},
    {"tz unknown", BAD_MARKET, b_tz_unknown, TC_EINVAL, {"timezone \"Mars/Olympus_Mons\""}},
    {"tz ..", BAD_MARKET, b_tz_dotdot, TC_EINVAL, {"timezone", "not an IANA"}},
    {"tz absolute", BAD_MARKET, b_tz_abs, TC_EINVAL, {"timezone", "not an IANA"}},
    {"tz not tzif", BAD_MARKET, b_tz_notzif, TC_EINVAL, {"timezone \"zone.tab\""}},
    {"tz empty", BAD_MARKET, b_tz_empty, TC_EINVAL, {"timezone", "empty"}},
    {"market name", BAD_MARKET, b_market_name, TC_EINVAL, {"market \"XTST\": name", "empty"}},
    {"market id", BAD_MARKET, b_market_id, TC_EINVAL, {"market id", "X/NYS"}},
    {"calendar json", BAD_MARKET, b_calendar, TC_EINVAL, {"calendar_spec", "JSON"}},
    {"issuer type", BAD_ISSUER, b_issuer_type, TC_EINVAL, {"issuer_type", "42"}},
    {"country", BAD_ISSUER, b_country, TC_EINVAL, {"country \"usa\""}},
};

static void test_validation(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    struct tc_market_list ml;
    struct tc_issuer_list il;

    add_market(f, "XNYS");
    for (size_t k = 0; k < sizeof(bad_cases) / sizeof(bad_cases[0]); k++) {
        const struct bad_case *c = &bad_cases[k];
        struct tc_instrument i;
        struct tc_market m;
        struct tc_issuer is = {0};
        int rc;

        fill_instrument(&i, "ORCL", "ORCL", "XNYS");
        fill_market(&m, "XTST", "Europe/London");
        snprintf(is.issuer_id, sizeof(is.issuer_id), "ISS");
        is.issuer_type = TC_ISSUER_FUND;
        snprintf(is.name, sizeof(is.name), "Issuer");
        c->mutate(&i, &m, &is);
        tc_error_clear(&err);
        rc = c->kind == BAD_INSTRUMENT ? tc_refdata_instrument_create(&f->rd, &i, &err)
             : c->kind == BAD_MARKET   ? tc_refdata_market_create(&f->rd, &m, &err)
                                       : tc_refdata_issuer_create(&f->rd, &is, &err);
        tc_test_assert_error_words(c->label, rc, c->code, &err, c->words, 3);
        /* the same check on update */
        if (c->kind == BAD_INSTRUMENT && c->mutate != b_unknown_market &&
            c->mutate != b_unknown_issuer && c->mutate != b_unknown_under)
            assert_int_equal(tc_refdata_instrument_update(&f->rd, &i, &err), c->code);
    }
    /* nothing changed */
    assert_int_equal(count_instruments(f), 0);
    tc_assert_ok(tc_refdata_market_list(&f->rd, &ml, &err), &err);
    assert_int_equal(ml.n, 1);
    tc_market_list_release(&ml);
    tc_assert_ok(tc_refdata_issuer_list(&f->rd, &il, &err), &err);
    assert_int_equal(il.n, 0);
    tc_issuer_list_release(&il);
}

static void test_enum_names(void **state)
{
    struct tc_error err = {0};
    enum tc_asset_class ac;
    enum tc_instrument_status st;
    enum tc_issuer_type it;
    static const char *const classes[] = {"EQUITY", "ETF",    "FUTURE", "OPTION",
                                          "FX",     "CRYPTO", "INDEX"};

    (void)state;
    for (size_t k = 0; k < 7; k++) {
        tc_assert_ok(tc_asset_class_parse(classes[k], &ac, &err), &err);
        assert_string_equal(tc_asset_class_name(ac), classes[k]);
    }
    assert_int_equal(tc_asset_class_parse("BOND", &ac, &err), TC_EINVAL);
    assert_string_equal(err.msg, "unknown asset class \"BOND\" (expected EQUITY, ETF, FUTURE, "
                                 "OPTION, FX, CRYPTO or INDEX)");
    assert_int_equal(tc_asset_class_parse("equity", &ac, &err), TC_EINVAL);
    assert_int_equal(tc_asset_class_parse("", &ac, &err), TC_EINVAL);
    assert_int_equal(tc_asset_class_parse(NULL, &ac, &err), TC_EINVAL);
    tc_assert_ok(tc_instrument_status_parse("DELISTED", &st, &err), &err);
    assert_int_equal(st, TC_INSTRUMENT_DELISTED);
    assert_int_equal(tc_instrument_status_parse("GONE", &st, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "unknown instrument status \"GONE\""));
    tc_assert_ok(tc_issuer_type_parse("GOVERNMENT", &it, &err), &err);
    assert_int_equal(it, TC_ISSUER_GOVERNMENT);
    assert_int_equal(tc_issuer_type_parse("PERSON", &it, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "unknown issuer type \"PERSON\""));
    assert_null(tc_asset_class_name((enum tc_asset_class)0));
    assert_null(tc_instrument_status_name((enum tc_instrument_status)9));
}

static void test_hostile_symbol(void **state)
{
    struct fx *f = *state;
    const char *evil = "x'); DROP TABLE instruments;--";
    struct tc_instrument i, got;
    struct tc_instrument_list l;
    struct tc_error err = {0};

    add_market(f, "XNYS");
    fill_instrument(&i, "EVIL", evil, "XNYS");
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);
    tc_assert_ok(tc_refdata_instrument_get(&f->rd, "EVIL", &got, &err), &err);
    assert_string_equal(got.symbol, evil);
    tc_instrument_release(&got);
    tc_assert_ok(tc_refdata_instrument_find_symbol(&f->rd, evil, &l, &err), &err);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].symbol, evil);
    tc_instrument_list_release(&l);
    /* the table is still there and still accepts rows */
    fill_instrument(&i, "ORCL", "ORCL", "XNYS");
    tc_assert_ok(tc_refdata_instrument_create(&f->rd, &i, &err), &err);
    assert_int_equal(count_instruments(f), 2);
}

static void test_bad_arguments(void **state)
{
    struct fx *f = *state;
    struct tc_refdata none = {0};
    struct tc_market m;
    struct tc_instrument_list l;
    struct tc_error err = {0};

    fill_market(&m, "XNYS", "America/New_York");
    assert_int_equal(tc_refdata_market_create(&none, &m, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "no store"));
    assert_int_equal(tc_refdata_market_create(&f->rd, NULL, &err), TC_EINVAL);
    assert_int_equal(tc_refdata_market_get(&f->rd, NULL, &m, &err), TC_EINVAL);
    assert_int_equal(tc_refdata_market_get(&f->rd, "", &m, &err), TC_EINVAL);
    assert_int_equal(tc_refdata_instrument_find_symbol(&f->rd, "", &l, &err), TC_EINVAL);
    assert_int_equal(tc_refdata_instrument_find_market(&f->rd, "a b", &l, &err), TC_EINVAL);
    assert_int_equal(tc_refdata_instrument_find_status(&f->rd, (enum tc_instrument_status)7,
                                                       &l, &err),
                     TC_EINVAL);
    assert_int_equal(l.n, 0);
}

static int count_cb(const struct tc_row *row, void *ud)
{
    return tc_row_int(row, 0, ud);
}

/* Down drops exactly what up creates: nothing of ours is left. */
static void test_down_migration(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    int64_t n = -1;
    const char *sql = f->pg ? "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON "
                              "s.oid = c.relnamespace WHERE s.nspname = 'public'"
                            : "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'";

    add_market(f, "XNYS");
    assert_int_equal(tc_test_apply_migration(f->store, f->pg ? "postgres/historical/0001_reference_data.down.sql"
                                           : "sqlite/historical/0001_reference_data.down.sql"),
                     0);
    tc_assert_ok(tc_store_exec(f->store, sql, NULL, 0, count_cb, &n, NULL, &err), &err);
    assert_int_equal(n, 0);
    /* and up again works */
    assert_int_equal(tc_test_apply_migration(f->store, up_path(f)), 0);
    add_market(f, "XNYS");
}

#define TESTS(setup_fn)                                                                  \
    {                                                                                    \
        cmocka_unit_test_setup_teardown(test_market_crud, setup_fn, teardown),           \
        cmocka_unit_test_setup_teardown(test_issuer_crud, setup_fn, teardown),           \
        cmocka_unit_test_setup_teardown(test_instrument_crud_and_finders, setup_fn,      \
                                        teardown),                                       \
        cmocka_unit_test_setup_teardown(test_duplicates, setup_fn, teardown),            \
        cmocka_unit_test_setup_teardown(test_validation, setup_fn, teardown),            \
        cmocka_unit_test_setup_teardown(test_hostile_symbol, setup_fn, teardown),        \
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup_fn, teardown),         \
        cmocka_unit_test_setup_teardown(test_down_migration, setup_fn, teardown),        \
    }

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = TESTS(setup_sqlite);
    const struct CMUnitTest pg_tests[] = TESTS(setup_pg);
    const struct CMUnitTest plain[] = {cmocka_unit_test(test_enum_names)};
    int failed = 0;

    failed += cmocka_run_group_tests_name("refdata", plain, NULL, NULL);
    failed += cmocka_run_group_tests_name("refdata sqlite", sqlite_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("refdata postgres", pg_tests, NULL, NULL);
    tc_test_pg_drop_all();
    return failed ? 1 : 0;
}
