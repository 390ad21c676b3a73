/*
 * A backtest over instruments of a historical store sees their corporate
 * actions through the TimeMachine, on sqlite and PostgreSQL: a strategy
 * reading adjusted closes gets the raw ones before a 2-for-1 split's ex-date
 * and the earlier ones halved from it on (an instrument without actions
 * unchanged), and the derived run id counts the actions: the same with the
 * same actions, another with another ratio or without them; a stored action
 * the TimeMachine refuses fails the run with its message.
 */
#include <stdio.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_backtest.h"
#include "tc_test_hist.h"
#include "tradecore/actions.h"
#include "tradecore/backtest.h"

#define NBARS 8
#define SPLIT_BAR 5 /* the ex-date is the day of this bar */

/* What the strategy read: per instrument and bar, the adjusted closes of
 * every bar seen so far (1e-8 units). */
static int64_t seen[2][NBARS][NBARS];
static size_t nseen[2];

static int read_adjusted(struct tc_strategy_ctx *ctx, void *st, size_t ix, const struct tc_bar *bar,
                         struct tc_error *err)
{
    struct tc_dec closes[NBARS];
    (void)st;
    (void)bar;
    if (ix > 1 || nseen[ix] >= NBARS)
        return tc_error_set(err, TC_EINVAL, "unexpected bar of %zu", ix);
    size_t n = nseen[ix] + 1;
    int rc = tc_tm_adj_closes(tc_strategy_tm(ctx), ix, n, closes, err);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        seen[ix][nseen[ix]][i] = closes[i].raw;
    nseen[ix]++;
    return 0;
}

static const struct tc_strategy_class adj_reader = {
    .name = "adj_reader",
    .summary = "reads adjusted closes",
    .on_bar = read_adjusted,
};

static int setup(void **state, int pg)
{
    static const char *const ids[] = {"SPLT", "FLAT"};
    return tc_test_hist_fx_setup_xnys(state, "backtest_actions", pg, ids, 2);
}

static int setup_sqlite(void **state) { return setup(state, 0); }
static int setup_pg(void **state) { return setup(state, 1); }
#define teardown tc_test_hist_fx_teardown

static const int64_t DAY0 = 18267; /* 2020-01-06 */

/* SPLT closes at 100 before the split and 50 from its ex-date; FLAT at 10. */
static void make_series(struct tc_bar_series s[2])
{
    struct tc_error err = {0};
    tc_bar_series_init(&s[0], "SPLT");
    tc_bar_series_init(&s[1], "FLAT");
    for (size_t i = 0; i < NBARS; i++) {
        for (int k = 0; k < 2; k++) {
            struct tc_dec c = tc_test_dec(k == 1 ? "10" : i < SPLIT_BAR ? "100" : "50");
            struct tc_bar b = {DAY0 + (int64_t)i, c, c, c, c, c, 1000, 0};
            tc_assert_ok(tc_bar_series_append(&s[k], &b, &err), &err);
        }
    }
}

static void run(struct tc_store *hist, struct tc_bar_series s[2], char *run_id, size_t cap)
{
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};

    memset(seen, 0, sizeof seen);
    memset(nseen, 0, sizeof nseen);
    tc_test_bt_strategy_of(&st, &adj_reader, NULL);
    tc_test_bt_config(&cfg, &st, 1, s, 2);
    cfg.historical = hist;
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    snprintf(run_id, cap, "%s", res.run_id);
    tc_backtest_result_release(&res);
    assert_int_equal(nseen[0], NBARS);
    assert_int_equal(nseen[1], NBARS);
}

/* The stored ratio of every corporate action becomes RATIO. */
static void set_ratio(struct tc_store *hist, const char *ratio)
{
    struct tc_error err = {0};
    struct tc_val p[1] = {TC_V_DEC(tc_test_dec(ratio))};
    tc_assert_ok(tc_store_exec(hist, "UPDATE corporate_actions SET ratio = $1", p, 1, NULL, NULL,
                               NULL, &err),
                 &err);
}

static void test_adjusted_reads_and_run_id(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_bar_series s[2];
    struct tc_error err = {0};
    char path[700], text[256], with[64], again[64], other[64], without[64];
    char day[TC_DATE_STRLEN];

    make_series(s);
    tc_date_format(DAY0 + SPLIT_BAR, day);
    snprintf(text, sizeof text, "symbol,ex_date,kind,value\nSPLT,%s,SPLIT,2\n", day);
    snprintf(path, sizeof path, "%s/actions.csv", f->dir);
    tc_test_write_file(path, text);
    tc_assert_ok(tc_actions_ingest_csv(f->s, path, NULL, NULL, NULL, &err), &err);

    run(f->s, s, with, sizeof with);
    const int64_t c100 = tc_test_dec("100").raw, c50 = tc_test_dec("50").raw;
    /* before the ex-date: raw closes */
    for (size_t b = 0; b < SPLIT_BAR; b++)
        for (size_t i = 0; i <= b; i++)
            assert_int_equal(seen[0][b][i], c100);
    /* from it on: the bars before it halved, the later ones as they are */
    for (size_t b = SPLIT_BAR; b < NBARS; b++)
        for (size_t i = 0; i <= b; i++)
            assert_int_equal(seen[0][b][i], c50);
    for (size_t b = 0; b < NBARS; b++)
        for (size_t i = 0; i <= b; i++)
            assert_int_equal(seen[1][b][i], tc_test_dec("10").raw);

    /* the same actions, the same id; without them, the raw closes and another id */
    run(f->s, s, again, sizeof again);
    assert_string_equal(with, again);
    /* another ratio, another id; a stored ratio the TimeMachine refuses (1:
     * the store allows it) fails the run naming the action, before a bar */
    set_ratio(f->s, "3");
    run(f->s, s, other, sizeof other);
    assert_string_not_equal(with, other);
    set_ratio(f->s, "1");
    {
        struct tc_backtest_strategy st;
        struct tc_backtest_config cfg;
        struct tc_backtest_result res;
        char want[256];
        memset(seen, 0, sizeof seen);
        memset(nseen, 0, sizeof nseen);
        tc_test_bt_strategy_of(&st, &adj_reader, NULL);
        tc_test_bt_config(&cfg, &st, 1, s, 2);
        cfg.historical = f->s;
        assert_int_equal(tc_backtest_run(&cfg, &res, &err), TC_EINVAL);
        snprintf(want, sizeof want,
                 "backtest: corporate action of SPLT: SPLT: split on %s: ratio 1 must be "
                 "positive and not 1", day);
        assert_string_equal(err.msg, want);
        assert_int_equal(nseen[0] + nseen[1], 0);
        tc_backtest_result_release(&res);
    }
    tc_assert_ok(tc_store_exec(f->s, "DELETE FROM corporate_actions", NULL, 0, NULL, NULL, NULL,
                               &err),
                 &err);
    run(f->s, s, without, sizeof without);
    assert_string_not_equal(with, without);
    for (size_t i = 0; i < NBARS; i++)
        assert_int_equal(seen[0][NBARS - 1][i], i < SPLIT_BAR ? c100 : c50);
    tc_bar_series_release(&s[0]);
    tc_bar_series_release(&s[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_adjusted_reads_and_run_id, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_adjusted_reads_and_run_id, setup_pg, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
