/* tc_backtest_run_id: the run id a run would have, without running it.
 * The derived id is the one tc_backtest_run gives its result (and changes
 * with a parameter, as the run's does), a given id is returned as it is,
 * and the run's refusals before its first session are its own (nothing
 * written: *OUT is ""). */
#include <string.h>

#include "tc_test.h"
#include "tc_test_backtest.h"
#include "tradecore/backtest.h"

#define NB 200

static void walk(struct tc_bar_series *s)
{
    uint64_t x = 99;
    tc_bar_series_init(s, "W00");
    tc_test_bt_append_walk(s, tc_days_from_civil(2020, 1, 1), NB, &x);
}

static void test_derived_is_the_runs(void **state)
{
    (void)state;
    static const char *const kv[] = {"fast=2", "slow=5", "stake=1", NULL};
    static const char *const kv6[] = {"fast=2", "slow=6", "stake=1", NULL};
    struct tc_bar_series s;
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    char id[TC_ID_BUFSZ], id6[TC_ID_BUFSZ];

    walk(&s);
    tc_test_bt_strategy(&st, "sma_cross", kv);
    tc_test_bt_config(&cfg, &st, 1, &s, 1);
    tc_assert_ok(tc_backtest_run_id(&cfg, id, &err), &err);
    assert_int_equal(strncmp(id, "bt-", 3), 0);
    assert_int_equal(strlen(id), 3 + 16);
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_string_equal(id, res.run_id);
    tc_backtest_result_release(&res);
    /* another parameter, another id: the run's */
    tc_test_bt_strategy(&st, "sma_cross", kv6);
    tc_assert_ok(tc_backtest_run_id(&cfg, id6, &err), &err);
    assert_string_not_equal(id, id6);
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_string_equal(id6, res.run_id);
    tc_backtest_result_release(&res);
    /* a given id as it is */
    cfg.run_id = "given-1";
    tc_assert_ok(tc_backtest_run_id(&cfg, id, &err), &err);
    assert_string_equal(id, "given-1");
    tc_bar_series_release(&s);
}

static void test_refusals(void **state)
{
    (void)state;
    static const char *const kv[] = {"fast=2", "slow=5", "stake=1", NULL};
    struct tc_bar_series s;
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    struct tc_error err = {0};
    char id[TC_ID_BUFSZ];

    walk(&s);
    tc_test_bt_strategy(&st, "sma_cross", kv);
    tc_test_bt_config(&cfg, &st, 1, &s, 1);
    /* no bar in the range: the run's error */
    cfg.from_day = tc_days_from_civil(2030, 1, 1);
    memcpy(id, "xx", 3);
    assert_int_equal(tc_backtest_run_id(&cfg, id, &err), TC_ENOTFOUND);
    assert_non_null(strstr(tc_error_msg(&err), "no bars between 2030-01-01"));
    assert_string_equal(id, "");
    cfg.from_day = INT64_MIN;
    /* a bad given id */
    cfg.run_id = "bad id";
    memcpy(id, "xx", 3);
    assert_int_equal(tc_backtest_run_id(&cfg, id, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "run"));
    assert_string_equal(id, "");
    cfg.run_id = NULL;
    /* missing arguments */
    assert_int_equal(tc_backtest_run_id(NULL, id, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "no configuration"));
    assert_int_equal(tc_backtest_run_id(&cfg, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "no run id buffer"));
    tc_bar_series_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derived_is_the_runs),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
