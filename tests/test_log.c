/* Logging: JSON and text line shapes, escaping, level filtering before
 * formatting, size rotation, reopen, and concurrent writers. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/log.h"

static char dir[512];

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static long file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

static void open_file_log(const char *path, enum tc_log_level level, enum tc_log_format fmt,
                          int64_t max_bytes, int keep)
{
    struct tc_log_config lc = {level, fmt, 0, path, max_bytes, keep};
    struct tc_error err = {0};

    remove(path);
    tc_assert_ok(tc_log_open(&lc, &err), &err);
}

static int teardown(void **state)
{
    (void)state;
    tc_log_close();
    return 0;
}

/* A "YYYY-MM-DDTHH:MM:SS.ffffffZ" within a minute of now. */
static void assert_ts(const char *ts)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    int64_t us = 0, now = tc_clock_now(NULL);
    struct tc_error err = {0};

    assert_int_equal(strlen(ts), strlen(shape));
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd')
            assert_true(ts[i] >= '0' && ts[i] <= '9');
        else
            assert_int_equal(ts[i], shape[i]);
    }
    tc_assert_ok(tc_time_parse(ts, (size_t)-1, &us, &err), &err);
    assert_true(us <= now && now - us < 60 * 1000000LL);
}

static void test_json_shape(void **state)
{
    char path[640], *text;
    json_t *j;
    json_error_t jerr;

    (void)state;
    path_in(path, sizeof(path), "shape.log");
    open_file_log(path, TC_LOG_TRACE, TC_LOG_FORMAT_JSON, 0, 0);
    TC_LOG_INFO("store", "say \"hi\"\nnext\\line\x01",
                TC_LF_STR("s", "q\"uote\\ nl\n tab\t cr\r bell\x07 del\x7f é"),
                TC_LF_INT("i", -9223372036854775807LL - 1), TC_LF_DBL("d", 2.0),
                TC_LF_DBL("third", 1.0 / 3.0), TC_LF_BOOL("yes", 5), TC_LF_BOOL("no", 0),
                TC_LF_STR(NULL, "skipped-field"), TC_LF_STR("null", NULL),
                TC_LF_DBL("nan", NAN), TC_LF_STR("bad_utf8", "a\xff\xfe" "b"));
    text = tc_test_slurp(path, NULL);
    assert_non_null(text);
    assert_int_equal(count_lines(text), 1);
    assert_true(strncmp(text, "{\"ts\":\"", 7) == 0);
    assert_null(strstr(text, "skipped-field"));
    j = json_loads(text, 0, &jerr);
    if (!j)
        fail_msg("not JSON (%s): %s", jerr.text, text);
    assert_ts(json_string_value(json_object_get(j, "ts")));
    assert_string_equal(json_string_value(json_object_get(j, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(j, "component")), "store");
    assert_string_equal(json_string_value(json_object_get(j, "msg")), "say \"hi\"\nnext\\line\x01");
    assert_string_equal(json_string_value(json_object_get(j, "s")),
                        "q\"uote\\ nl\n tab\t cr\r bell\x07 del\x7f é");
    assert_true(json_is_integer(json_object_get(j, "i")));
    assert_true(json_integer_value(json_object_get(j, "i")) == -9223372036854775807LL - 1);
    assert_true(json_is_real(json_object_get(j, "d")));
    assert_true(json_real_value(json_object_get(j, "d")) == 2.0);
    assert_true(json_real_value(json_object_get(j, "third")) == 1.0 / 3.0);
    assert_true(json_is_true(json_object_get(j, "yes")));
    assert_true(json_is_false(json_object_get(j, "no")));
    assert_true(json_is_null(json_object_get(j, "null")));
    assert_true(json_is_null(json_object_get(j, "nan")));
    assert_string_equal(json_string_value(json_object_get(j, "bad_utf8")), "a\xef\xbf\xbd\xef\xbf\xbd" "b");
    /* ts, level, component, msg, then the nine fields (the NULL key skipped) */
    assert_int_equal(json_object_size(j), 13);
    json_decref(j);
    free(text);
}

static void test_levels_in_json(void **state)
{
    char path[640], *text, *line;
    static const char *const want[] = {"trace", "debug", "info", "warn", "error", "fatal"};
    size_t k = 0;

    (void)state;
    path_in(path, sizeof(path), "levels.log");
    open_file_log(path, TC_LOG_TRACE, TC_LOG_FORMAT_JSON, 0, 0);
    TC_LOG_TRACE("c", "m");
    TC_LOG_DEBUG("c", "m");
    TC_LOG_INFO("c", "m");
    TC_LOG_WARN("c", "m");
    TC_LOG_ERROR("c", "m");
    TC_LOG_FATAL("c", "m");
    tc_log_write(TC_LOG_INFO, "c", "direct", NULL, 0);
    text = tc_test_slurp(path, NULL);
    assert_int_equal(count_lines(text), 7);
    for (line = text; *line && k < 6; k++) {
        char *nl = strchr(line, '\n');
        json_t *j;
        *nl = '\0';
        j = json_loads(line, 0, NULL);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "level")), want[k]);
        assert_int_equal(json_object_size(j), 4);
        json_decref(j);
        line = nl + 1;
    }
    free(text);
}

static void test_text_format(void **state)
{
    char path[640], *text, ts[64];
    const char *rest;

    (void)state;
    path_in(path, sizeof(path), "text.log");
    open_file_log(path, TC_LOG_INFO, TC_LOG_FORMAT_TEXT, 0, 0);
    TC_LOG_WARN("ledger", "fill rejected\nsecond", TC_LF_STR("symbol", "ORCL"),
                TC_LF_STR("reason", "price \"12.3\" > high"), TC_LF_INT("qty", 100),
                TC_LF_DBL("ratio", 0.5), TC_LF_BOOL("retry", 1), TC_LF_STR("empty", ""),
                TC_LF_STR(NULL, "x"));
    text = tc_test_slurp(path, NULL);
    assert_int_equal(count_lines(text), 1);
    assert_non_null(strchr(text, ' '));
    snprintf(ts, sizeof(ts), "%.*s", (int)(strchr(text, ' ') - text), text);
    assert_ts(ts);
    rest = text + strlen(ts);
    assert_string_equal(rest, " warn  ledger: fill rejected\\x0asecond symbol=ORCL "
                              "reason=\"price \\\"12.3\\\" > high\" qty=100 ratio=0.5 "
                              "retry=true empty=\"\"\n");
    free(text);
}

static int calls;

static const char *expensive(void)
{
    calls++;
    return "computed";
}

static void test_level_filtering(void **state)
{
    char path[640], *text;

    (void)state;
    path_in(path, sizeof(path), "filter.log");
    open_file_log(path, TC_LOG_WARN, TC_LOG_FORMAT_JSON, 0, 0);
    calls = 0;
    assert_false(tc_log_enabled(TC_LOG_INFO));
    assert_true(tc_log_enabled(TC_LOG_WARN));
    TC_LOG_TRACE("c", "no", TC_LF_STR("v", expensive()));
    TC_LOG_DEBUG("c", "no", TC_LF_STR("v", expensive()));
    TC_LOG_INFO("c", "no", TC_LF_STR("v", expensive()));
    tc_log_write(TC_LOG_INFO, "c", "direct below threshold", NULL, 0);
    assert_int_equal(calls, 0);
    text = tc_test_slurp(path, NULL);
    assert_string_equal(text, "");
    free(text);
    TC_LOG_WARN("c", "yes", TC_LF_STR("v", expensive()));
    TC_LOG_ERROR("c", "yes", TC_LF_STR("v", expensive()));
    assert_int_equal(calls, 2);
    text = tc_test_slurp(path, NULL);
    assert_int_equal(count_lines(text), 2);
    assert_non_null(strstr(text, "\"v\":\"computed\""));
    free(text);

    /* off: nothing at all, not even fatal */
    open_file_log(path, TC_LOG_OFF, TC_LOG_FORMAT_JSON, 0, 0);
    TC_LOG_FATAL("c", "no", TC_LF_STR("v", expensive()));
    assert_int_equal(calls, 2);
    text = tc_test_slurp(path, NULL);
    assert_string_equal(text, "");
    free(text);

    /* close falls back to the defaults: info */
    tc_log_close();
    assert_int_equal(tc__log_threshold, TC_LOG_INFO);
    assert_false(tc_log_enabled(TC_LOG_DEBUG));
}

/* Measures the length of one record with a fixed-width message. */
static long record_len(void)
{
    char path[640], *text;
    long n;

    path_in(path, sizeof(path), "probe.log");
    open_file_log(path, TC_LOG_INFO, TC_LOG_FORMAT_JSON, 0, 0);
    TC_LOG_INFO("rot", "line", TC_LF_STR("n", "000"));
    text = tc_test_slurp(path, NULL);
    n = (long)strlen(text);
    free(text);
    return n;
}

static void test_rotation(void **state)
{
    char path[640], name[700], *text, want[32];
    long len = record_len();
    const int keep = 3, per_file = 4, lines = 22;

    (void)state;
    path_in(path, sizeof(path), "rot.log");
    for (int i = 1; i <= keep + 2; i++) {
        snprintf(name, sizeof(name), "%s.%d", path, i);
        remove(name);
    }
    open_file_log(path, TC_LOG_INFO, TC_LOG_FORMAT_JSON, len * per_file, keep);
    for (int i = 1; i <= lines; i++) {
        char n[8];
        snprintf(n, sizeof(n), "%03d", i);
        TC_LOG_INFO("rot", "line", TC_LF_STR("n", n));
    }
    /* 22 lines, 4 a file: rot.log has 21-22, .1 17-20, .2 13-16, .3 9-12; 1-8 dropped */
    assert_int_equal(file_size(path), 2 * len);
    for (int i = 1; i <= keep; i++) {
        snprintf(name, sizeof(name), "%s.%d", path, i);
        assert_int_equal(file_size(name), per_file * len);
        text = tc_test_slurp(name, NULL);
        snprintf(want, sizeof(want), "\"n\":\"%03d\"", lines - 2 - per_file * i + 1);
        assert_non_null(strstr(text, want));
        snprintf(want, sizeof(want), "\"n\":\"%03d\"", lines - 2 - per_file * (i - 1));
        assert_non_null(strstr(text, want));
        free(text);
    }
    snprintf(name, sizeof(name), "%s.%d", path, keep + 1);
    assert_int_equal(file_size(name), -1);
    text = tc_test_slurp(path, NULL);
    assert_non_null(strstr(text, "\"n\":\"021\""));
    assert_non_null(strstr(text, "\"n\":\"022\""));
    free(text);

    /* keep 0: the file is truncated, nothing rotated */
    path_in(path, sizeof(path), "rot0.log");
    snprintf(name, sizeof(name), "%s.1", path);
    remove(name);
    open_file_log(path, TC_LOG_INFO, TC_LOG_FORMAT_JSON, len * 2, 0);
    for (int i = 0; i < 5; i++)
        TC_LOG_INFO("rot", "line", TC_LF_STR("n", "abc"));
    assert_int_equal(file_size(path), len);
    assert_int_equal(file_size(name), -1);

    /* max_bytes 0: never rotates */
    path_in(path, sizeof(path), "norot.log");
    snprintf(name, sizeof(name), "%s.1", path);
    open_file_log(path, TC_LOG_INFO, TC_LOG_FORMAT_JSON, 0, 3);
    for (int i = 0; i < 50; i++)
        TC_LOG_INFO("rot", "line", TC_LF_STR("n", "abc"));
    assert_int_equal(file_size(path), 50 * len);
    assert_int_equal(file_size(name), -1);
}

static void test_reopen(void **state)
{
    char path[640], moved[700], *a, *b;
    struct tc_error err = {0};

    (void)state;
    path_in(path, sizeof(path), "reopen.log");
    snprintf(moved, sizeof(moved), "%s.moved", path);
    remove(moved);
    open_file_log(path, TC_LOG_INFO, TC_LOG_FORMAT_JSON, 0, 0);
    TC_LOG_INFO("c", "before");
    assert_int_equal(rename(path, moved), 0);
    TC_LOG_INFO("c", "still-old");   /* the open handle follows the file */
    tc_assert_ok(tc_log_reopen(&err), &err);
    TC_LOG_INFO("c", "after");
    a = tc_test_slurp(moved, NULL);
    b = tc_test_slurp(path, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(count_lines(a), 2);
    assert_non_null(strstr(a, "\"before\""));
    assert_non_null(strstr(a, "\"still-old\""));
    assert_int_equal(count_lines(b), 1);
    assert_non_null(strstr(b, "\"after\""));
    free(a);
    free(b);
    /* without a file sink, reopen is a no-op */
    tc_log_close();
    tc_assert_ok(tc_log_reopen(&err), &err);
}

static void test_open_errors(void **state)
{
    char path[640], *text;
    struct tc_error err = {0};
    struct tc_log_config bad = {TC_LOG_DEBUG, TC_LOG_FORMAT_TEXT, 0, "/nonexistent-dir/x/app.log", 0, 0};
    struct tc_log_config neg = {TC_LOG_DEBUG, TC_LOG_FORMAT_TEXT, 0, NULL, -1, 0};
    struct tc_log_config negkeep = {TC_LOG_DEBUG, TC_LOG_FORMAT_TEXT, 0, NULL, 0, -2};
    struct tc_log_config badlvl = {(enum tc_log_level)42, TC_LOG_FORMAT_TEXT, 0, NULL, 0, 0};

    (void)state;
    path_in(path, sizeof(path), "keep.log");
    open_file_log(path, TC_LOG_INFO, TC_LOG_FORMAT_JSON, 0, 0);
    assert_int_equal(tc_log_open(&bad, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x/app.log"));
    assert_int_equal(tc_log_open(&neg, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "max_bytes -1"));
    assert_int_equal(tc_log_open(&negkeep, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "keep -2"));
    assert_int_equal(tc_log_open(&badlvl, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "level 42"));
    /* the previous setup stays: info, json, keep.log */
    assert_int_equal(tc__log_threshold, TC_LOG_INFO);
    TC_LOG_DEBUG("c", "dropped");
    TC_LOG_INFO("c", "kept");
    text = tc_test_slurp(path, NULL);
    assert_int_equal(count_lines(text), 1);
    assert_true(text[0] == '{');
    assert_non_null(strstr(text, "\"kept\""));
    free(text);
}

static void test_names(void **state)
{
    static const char *const names[] = {"trace", "debug", "info", "warn", "error", "fatal", "off"};
    enum tc_log_level lv;
    enum tc_log_format f;

    (void)state;
    for (int i = 0; i <= (int)TC_LOG_OFF; i++) {
        assert_string_equal(tc_log_level_name((enum tc_log_level)i), names[i]);
        assert_int_equal(tc_log_level_parse(names[i], &lv), 0);
        assert_int_equal(lv, i);
    }
    assert_int_equal(tc_log_level_parse("verbose", &lv), TC_EINVAL);
    assert_int_equal(tc_log_level_parse("INFO", &lv), TC_EINVAL);
    assert_int_equal(tc_log_level_parse("", &lv), TC_EINVAL);
    assert_int_equal(tc_log_level_parse(NULL, &lv), TC_EINVAL);
    assert_int_equal(tc_log_format_parse("json", &f), 0);
    assert_int_equal(f, TC_LOG_FORMAT_JSON);
    assert_int_equal(tc_log_format_parse("text", &f), 0);
    assert_int_equal(f, TC_LOG_FORMAT_TEXT);
    assert_int_equal(tc_log_format_parse("xml", &f), TC_EINVAL);
    assert_int_equal(tc_log_format_parse(NULL, &f), TC_EINVAL);
    assert_string_equal(tc_log_level_name((enum tc_log_level)99), "unknown");
}

#define THREADS 4
#define PER_THREAD 250

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;

    for (int i = 0; i < PER_THREAD; i++)
        TC_LOG_INFO("thread", "a record long enough to interleave if unlocked",
                    TC_LF_INT("thread", id), TC_LF_INT("i", i),
                    TC_LF_STR("pad", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    return NULL;
}

static void test_threads(void **state)
{
    char path[640], name[700], *text, *line;
    pthread_t t[THREADS];
    size_t total = 0;

    (void)state;
    path_in(path, sizeof(path), "threads.log");
    for (int i = 1; i <= 3; i++) {
        snprintf(name, sizeof(name), "%s.%d", path, i);
        remove(name);
    }
    open_file_log(path, TC_LOG_INFO, TC_LOG_FORMAT_JSON, 1 << 30, 2);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    text = tc_test_slurp(path, NULL);
    for (line = text; *line;) {
        char *nl = strchr(line, '\n');
        json_t *j;
        assert_non_null(nl);
        *nl = '\0';
        j = json_loads(line, 0, NULL);
        if (!j)
            fail_msg("torn line: %s", line);
        json_decref(j);
        total++;
        line = nl + 1;
    }
    assert_int_equal(total, THREADS * PER_THREAD);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_json_shape, teardown),
        cmocka_unit_test_teardown(test_levels_in_json, teardown),
        cmocka_unit_test_teardown(test_text_format, teardown),
        cmocka_unit_test_teardown(test_level_filtering, teardown),
        cmocka_unit_test_teardown(test_rotation, teardown),
        cmocka_unit_test_teardown(test_reopen, teardown),
        cmocka_unit_test_teardown(test_open_errors, teardown),
        cmocka_unit_test_teardown(test_names, teardown),
        cmocka_unit_test_teardown(test_threads, teardown),
    };

    if (tc_test_tmpdir("log", dir, sizeof(dir)) != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
