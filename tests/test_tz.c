/* Time zones: TZif reading, POSIX footer rules, wall time <-> UTC with gaps
 * and folds, the zone cache, and bad zone names, files and rules. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/tz.h"

static int64_t utc(const char *s)
{
    struct tc_error err = {0};
    int64_t us = 0;
    tc_assert_ok(tc_time_parse(s, (size_t)-1, &us, &err), &err);
    return us;
}

static const struct tc_tz *zone(const char *name)
{
    struct tc_error err = {0};
    const struct tc_tz *tz = NULL;
    tc_assert_ok(tc_tz_get(name, &tz, &err), &err);
    return tz;
}

/* Expected values from Python's zoneinfo over the same tzdata (an
 * independent implementation), rounded out by hand at the DST edges. */
static const struct {
    const char *zone, *utc;
    int y, mo, d, h, mi, s;
    int32_t off;
    int dst;
    const char *abbr;
} to_local_cases[] = {
    /* New York, 2007 rules (second Sunday of March, first Sunday of November) */
    {"America/New_York", "2024-03-10T06:59:59Z", 2024, 3, 10, 1, 59, 59, -18000, 0, "EST"},
    {"America/New_York", "2024-03-10T07:00:00Z", 2024, 3, 10, 3, 0, 0, -14400, 1, "EDT"},
    {"America/New_York", "2024-11-03T05:59:59Z", 2024, 11, 3, 1, 59, 59, -14400, 1, "EDT"},
    {"America/New_York", "2024-11-03T06:00:00Z", 2024, 11, 3, 1, 0, 0, -18000, 0, "EST"},
    /* the rules before 2007 (first Sunday of April, last Sunday of October) */
    {"America/New_York", "1995-04-02T07:00:00Z", 1995, 4, 2, 3, 0, 0, -14400, 1, "EDT"},
    {"America/New_York", "2006-04-02T06:59:59Z", 2006, 4, 2, 1, 59, 59, -18000, 0, "EST"},
    {"America/New_York", "2006-04-02T07:00:00Z", 2006, 4, 2, 3, 0, 0, -14400, 1, "EDT"},
    {"America/New_York", "2006-10-29T06:00:00Z", 2006, 10, 29, 1, 0, 0, -18000, 0, "EST"},
    {"America/New_York", "2007-03-11T07:00:00Z", 2007, 3, 11, 3, 0, 0, -14400, 1, "EDT"},
    {"America/New_York", "2007-11-04T06:00:00Z", 2007, 11, 4, 1, 0, 0, -18000, 0, "EST"},
    /* past the last transition of the file: the footer rule */
    {"America/New_York", "2090-03-12T06:59:59Z", 2090, 3, 12, 1, 59, 59, -18000, 0, "EST"},
    {"America/New_York", "2090-03-12T07:00:00Z", 2090, 3, 12, 3, 0, 0, -14400, 1, "EDT"},
    {"America/New_York", "2090-11-05T05:59:59Z", 2090, 11, 5, 1, 59, 59, -14400, 1, "EDT"},
    {"America/New_York", "2090-11-05T06:00:00Z", 2090, 11, 5, 1, 0, 0, -18000, 0, "EST"},
    {"Europe/London", "2024-03-31T00:59:59Z", 2024, 3, 31, 0, 59, 59, 0, 0, "GMT"},
    {"Europe/London", "2024-03-31T01:00:00Z", 2024, 3, 31, 2, 0, 0, 3600, 1, "BST"},
    {"Europe/London", "2024-10-27T00:59:59Z", 2024, 10, 27, 1, 59, 59, 3600, 1, "BST"},
    {"Europe/London", "2024-10-27T01:00:00Z", 2024, 10, 27, 1, 0, 0, 0, 0, "GMT"},
    {"Europe/London", "2090-03-26T00:59:59Z", 2090, 3, 26, 0, 59, 59, 0, 0, "GMT"},
    {"Europe/London", "2090-03-26T01:00:00Z", 2090, 3, 26, 2, 0, 0, 3600, 1, "BST"},
    {"Europe/Berlin", "2024-03-31T00:59:59Z", 2024, 3, 31, 1, 59, 59, 3600, 0, "CET"},
    {"Europe/Berlin", "2024-03-31T01:00:00Z", 2024, 3, 31, 3, 0, 0, 7200, 1, "CEST"},
    {"Europe/Berlin", "2024-10-27T00:59:59Z", 2024, 10, 27, 2, 59, 59, 7200, 1, "CEST"},
    {"Europe/Berlin", "2024-10-27T01:00:00Z", 2024, 10, 27, 2, 0, 0, 3600, 0, "CET"},
    {"Europe/Berlin", "2090-10-29T00:59:59Z", 2090, 10, 29, 2, 59, 59, 7200, 1, "CEST"},
    {"Europe/Berlin", "2090-10-29T01:00:00Z", 2090, 10, 29, 2, 0, 0, 3600, 0, "CET"},
    {"Asia/Tokyo", "2024-01-01T00:00:00Z", 2024, 1, 1, 9, 0, 0, 32400, 0, "JST"},
    {"Asia/Tokyo", "2024-07-01T14:59:59Z", 2024, 7, 1, 23, 59, 59, 32400, 0, "JST"},
    {"Asia/Tokyo", "2090-07-01T00:00:00Z", 2090, 7, 1, 9, 0, 0, 32400, 0, "JST"},
    /* before the epoch and across a year boundary */
    {"America/New_York", "1969-12-31T23:00:00Z", 1969, 12, 31, 18, 0, 0, -18000, 0, "EST"},
    {"Asia/Tokyo", "2023-12-31T15:00:00Z", 2024, 1, 1, 0, 0, 0, 32400, 0, "JST"},
};

static void test_to_local(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(to_local_cases) / sizeof(to_local_cases[0]); i++) {
        struct tc_error err = {0};
        struct tc_local_time lt;
        const __typeof__(to_local_cases[0]) *c = &to_local_cases[i];
        tc_assert_ok(tc_tz_to_local(zone(c->zone), utc(c->utc), &lt, &err), &err);
        if (lt.wall.year != c->y || lt.wall.month != c->mo || lt.wall.day != c->d ||
            lt.wall.hour != c->h || lt.wall.minute != c->mi || lt.wall.second != c->s ||
            lt.utc_offset_s != c->off || lt.is_dst != c->dst || strcmp(lt.abbr, c->abbr) != 0)
            fail_msg("%s %s: got %04d-%02d-%02d %02d:%02d:%02d off %d dst %d %s", c->zone,
                     c->utc, lt.wall.year, lt.wall.month, lt.wall.day, lt.wall.hour,
                     lt.wall.minute, lt.wall.second, lt.utc_offset_s, lt.is_dst, lt.abbr);
    }
}

static const struct {
    const char *zone;
    struct tc_wall wall;
    enum tc_tz_policy policy;
    int rc;
    const char *utc; /* expected instant, or the error text to find */
    enum tc_tz_kind kind;
} from_local_cases[] = {
    {"America/New_York", {2024, 1, 2, 9, 30, 0}, TC_TZ_REJECT, 0, "2024-01-02T14:30:00Z", TC_TZ_UNIQUE},
    {"America/New_York", {2024, 7, 1, 9, 30, 0}, TC_TZ_REJECT, 0, "2024-07-01T13:30:00Z", TC_TZ_UNIQUE},
    /* spring gap: 02:00 -> 03:00 */
    {"America/New_York", {2024, 3, 10, 2, 30, 0}, TC_TZ_COMPATIBLE, 0, "2024-03-10T07:30:00Z", TC_TZ_GAP},
    {"America/New_York", {2024, 3, 10, 2, 30, 0}, TC_TZ_EARLIER, 0, "2024-03-10T06:30:00Z", TC_TZ_GAP},
    {"America/New_York", {2024, 3, 10, 2, 30, 0}, TC_TZ_LATER, 0, "2024-03-10T07:30:00Z", TC_TZ_GAP},
    {"America/New_York", {2024, 3, 10, 2, 30, 0}, TC_TZ_REJECT, TC_ERANGE, "does not exist", TC_TZ_GAP},
    {"America/New_York", {2024, 3, 10, 3, 0, 0}, TC_TZ_REJECT, 0, "2024-03-10T07:00:00Z", TC_TZ_UNIQUE},
    {"America/New_York", {2024, 3, 10, 1, 59, 59}, TC_TZ_REJECT, 0, "2024-03-10T06:59:59Z", TC_TZ_UNIQUE},
    /* autumn fold: 01:00..01:59 twice */
    {"America/New_York", {2024, 11, 3, 1, 30, 0}, TC_TZ_COMPATIBLE, 0, "2024-11-03T05:30:00Z", TC_TZ_FOLD},
    {"America/New_York", {2024, 11, 3, 1, 30, 0}, TC_TZ_EARLIER, 0, "2024-11-03T05:30:00Z", TC_TZ_FOLD},
    {"America/New_York", {2024, 11, 3, 1, 30, 0}, TC_TZ_LATER, 0, "2024-11-03T06:30:00Z", TC_TZ_FOLD},
    {"America/New_York", {2024, 11, 3, 1, 30, 0}, TC_TZ_REJECT, TC_ERANGE, "is ambiguous", TC_TZ_FOLD},
    {"America/New_York", {2024, 11, 3, 2, 0, 0}, TC_TZ_REJECT, 0, "2024-11-03T07:00:00Z", TC_TZ_UNIQUE},
    /* footer rule years */
    {"America/New_York", {2090, 3, 12, 2, 30, 0}, TC_TZ_EARLIER, 0, "2090-03-12T06:30:00Z", TC_TZ_GAP},
    {"America/New_York", {2090, 3, 12, 2, 30, 0}, TC_TZ_LATER, 0, "2090-03-12T07:30:00Z", TC_TZ_GAP},
    {"America/New_York", {2090, 11, 5, 1, 30, 0}, TC_TZ_LATER, 0, "2090-11-05T06:30:00Z", TC_TZ_FOLD},
    {"Europe/London", {2024, 3, 31, 1, 30, 0}, TC_TZ_COMPATIBLE, 0, "2024-03-31T01:30:00Z", TC_TZ_GAP},
    {"Europe/London", {2024, 10, 27, 1, 30, 0}, TC_TZ_EARLIER, 0, "2024-10-27T00:30:00Z", TC_TZ_FOLD},
    {"Europe/London", {2024, 10, 27, 1, 30, 0}, TC_TZ_LATER, 0, "2024-10-27T01:30:00Z", TC_TZ_FOLD},
    {"Europe/Berlin", {2090, 3, 26, 2, 30, 0}, TC_TZ_EARLIER, 0, "2090-03-26T00:30:00Z", TC_TZ_GAP},
    {"Europe/Berlin", {2090, 3, 26, 2, 30, 0}, TC_TZ_COMPATIBLE, 0, "2090-03-26T01:30:00Z", TC_TZ_GAP},
    {"Europe/Berlin", {2090, 10, 29, 2, 30, 0}, TC_TZ_EARLIER, 0, "2090-10-29T00:30:00Z", TC_TZ_FOLD},
    {"Europe/Berlin", {2090, 10, 29, 2, 30, 0}, TC_TZ_LATER, 0, "2090-10-29T01:30:00Z", TC_TZ_FOLD},
    {"Asia/Tokyo", {2024, 3, 10, 2, 30, 0}, TC_TZ_REJECT, 0, "2024-03-09T17:30:00Z", TC_TZ_UNIQUE},
    /* invalid wall times */
    {"America/New_York", {2023, 2, 29, 9, 0, 0}, TC_TZ_REJECT, TC_EINVAL, "invalid wall time 2023-02-29", TC_TZ_UNIQUE},
    {"America/New_York", {2024, 13, 1, 9, 0, 0}, TC_TZ_REJECT, TC_EINVAL, "invalid wall time 2024-13-01", TC_TZ_UNIQUE},
    {"America/New_York", {2024, 1, 1, 24, 0, 0}, TC_TZ_REJECT, TC_EINVAL, "invalid wall time 2024-01-01 24:00", TC_TZ_UNIQUE},
    {"America/New_York", {2024, 1, 1, 9, -1, 0}, TC_TZ_REJECT, TC_EINVAL, "invalid wall time", TC_TZ_UNIQUE},
    {"America/New_York", {2024, 1, 1, 9, 0, 60}, TC_TZ_REJECT, TC_EINVAL, "invalid wall time", TC_TZ_UNIQUE},
    {"America/New_York", {0, 1, 1, 9, 0, 0}, TC_TZ_REJECT, TC_EINVAL, "invalid wall time", TC_TZ_UNIQUE},
    {"America/New_York", {2024, 1, 1, 9, 0, 0}, (enum tc_tz_policy)7, TC_EINVAL, "unknown gap/fold policy 7", TC_TZ_UNIQUE},
};

static void test_from_local(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(from_local_cases) / sizeof(from_local_cases[0]); i++) {
        const __typeof__(from_local_cases[0]) *c = &from_local_cases[i];
        struct tc_error err = {0};
        int64_t us = -42;
        enum tc_tz_kind kind = (enum tc_tz_kind)-1;
        int rc = tc_tz_from_local(zone(c->zone), &c->wall, c->policy, &us, &kind, &err);
        if (rc != c->rc)
            fail_msg("case %zu (%s): rc %s, want %s: %s", i, c->zone, tc_strerror_name(rc),
                     tc_strerror_name(c->rc), tc_error_msg(&err));
        if (rc == 0) {
            if (us != utc(c->utc) || kind != c->kind)
                fail_msg("case %zu: got %lld kind %d, want %s kind %d", i, (long long)us,
                         (int)kind, c->utc, (int)c->kind);
        } else {
            assert_int_equal(err.code, c->rc);
            if (!strstr(err.msg, c->utc) || !strstr(err.msg, c->zone))
                fail_msg("case %zu: message \"%s\" lacks \"%s\" or the zone", i, err.msg, c->utc);
            assert_int_equal(us, -42); /* output untouched on error */
        }
    }
}

/* Every instant maps back to itself through its own wall time. */
static void test_round_trip(void **state)
{
    static const char *zones[] = {"America/New_York", "Europe/London", "Europe/Berlin",
                                  "Asia/Tokyo", "Australia/Sydney"};
    (void)state;
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        const struct tc_tz *tz = zone(zones[z]);
        for (int64_t us = utc("1990-01-01T00:00:00Z"); us < utc("2100-01-01T00:00:00Z");
             us += INT64_C(7919) * 1000000 * 60) { /* a prime number of minutes */
            struct tc_error err = {0};
            struct tc_local_time lt;
            enum tc_tz_kind kind;
            int64_t back_e, back_l;
            int64_t whole = us - us % 1000000;
            tc_assert_ok(tc_tz_to_local(tz, whole, &lt, &err), &err);
            tc_assert_ok(tc_tz_from_local(tz, &lt.wall, TC_TZ_EARLIER, &back_e, &kind, &err), &err);
            tc_assert_ok(tc_tz_from_local(tz, &lt.wall, TC_TZ_LATER, &back_l, &kind, &err), &err);
            assert_int_not_equal(kind, TC_TZ_GAP);
            if (back_e != whole && back_l != whole)
                fail_msg("%s: %lld does not round-trip", zones[z], (long long)whole);
        }
    }
}

static void test_bad_names(void **state)
{
    static const struct {
        const char *name;
        int rc;
        const char *msg;
    } cases[] = {
        {"../../etc/passwd", TC_EINVAL, "\"../../etc/passwd\": not a valid zone name"},
        {"/etc/passwd", TC_EINVAL, "\"/etc/passwd\": not a valid zone name"},
        {"America/../../../etc/passwd", TC_EINVAL, "not a valid zone name"},
        {"", TC_EINVAL, "\"\": not a valid zone name"},
        {"America/", TC_EINVAL, "not a valid zone name"},
        {"America//New_York", TC_EINVAL, "not a valid zone name"},
        {"America/New York", TC_EINVAL, "not a valid zone name"},
        {"Mars/Olympus_Mons", TC_ENOTFOUND, "\"Mars/Olympus_Mons\": no such time zone"},
        {"America", TC_ENOTFOUND, "\"America\": no such time zone"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_error err = {0};
        const struct tc_tz *tz = (const struct tc_tz *)&err;
        int rc = tc_tz_get(cases[i].name, &tz, &err);
        if (rc != cases[i].rc || !strstr(err.msg, cases[i].msg))
            fail_msg("\"%s\": %s \"%s\"", cases[i].name, tc_strerror_name(rc), err.msg);
        assert_ptr_equal(tz, (const struct tc_tz *)&err);
    }
    {
        char longname[400];
        struct tc_error err = {0};
        const struct tc_tz *tz;
        memset(longname, 'A', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        assert_int_equal(tc_tz_get(longname, &tz, &err), TC_EINVAL);
        assert_non_null(strstr(err.msg, "not a valid zone name"));
        assert_int_equal(tc_tz_get(NULL, &tz, &err), TC_EINVAL);
    }
}

static void *load_many(void *arg)
{
    static const char *zones[] = {"Europe/Paris", "Asia/Kolkata", "America/Chicago",
                                  "Europe/Paris", "Pacific/Auckland"};
    const struct tc_tz **got = arg;
    for (int round = 0; round < 50; round++)
        for (size_t i = 0; i < 5; i++) {
            struct tc_error err = {0};
            if (tc_tz_get(zones[i], &got[i], &err) != 0)
                return (void *)1;
        }
    return NULL;
}

static void test_cache(void **state)
{
    pthread_t th[4];
    const struct tc_tz *got[4][5];
    (void)state;
    assert_ptr_equal(zone("America/New_York"), zone("America/New_York"));
    assert_string_equal(tc_tz_name(zone("Asia/Tokyo")), "Asia/Tokyo");
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, load_many, got[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        assert_null(ret);
    }
    for (int i = 1; i < 4; i++)
        for (int k = 0; k < 5; k++)
            assert_ptr_equal(got[i][k], got[0][k]);
    assert_ptr_equal(got[0][0], got[0][3]);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void test_bad_files(void **state)
{
    char dir[512], path[700];
    unsigned char *real;
    size_t n;
    FILE *f;
    struct tc_tz *tz = NULL;
    struct tc_error err = {0};
    struct tc_local_time a, b;
    (void)state;

    assert_int_equal(tc_test_tmpdir("tz", dir, sizeof(dir)), 0);
    f = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    assert_non_null(f);
    real = malloc(1 << 20);
    n = fread(real, 1, 1 << 20, f);
    fclose(f);
    assert_true(n > 1000);

    /* a faithful copy loads and agrees with the cached zone */
    snprintf(path, sizeof(path), "%s/copy", dir);
    write_file(path, real, n);
    tc_assert_ok(tc_tz_load_file(path, "copy", &tz, &err), &err);
    tc_assert_ok(tc_tz_to_local(tz, utc("2090-07-01T12:00:00Z"), &a, &err), &err);
    tc_assert_ok(tc_tz_to_local(zone("America/New_York"), utc("2090-07-01T12:00:00Z"), &b, &err),
                 &err);
    assert_int_equal(a.utc_offset_s, b.utc_offset_s);
    assert_int_equal(a.utc_offset_s, -14400);
    tc_tz_free(tz);

    {
        static const struct {
            size_t len;     /* bytes of the real file to keep (0 = custom) */
            const char *text;
            const char *msg;
        } cases[] = {
            {0, "", "not a TZif file"},
            {0, "hello, this is not a zone file at all, not even close to one.....", "not a TZif file"},
            {30, NULL, "not a TZif file"},
            {100, NULL, "truncated"},
            {0, "TZif1", "version 1"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            snprintf(path, sizeof(path), "%s/bad%zu", dir, i);
            if (cases[i].len) {
                write_file(path, real, cases[i].len);
            } else if (strcmp(cases[i].text, "TZif1") == 0) {
                unsigned char hdr[64] = {'T', 'Z', 'i', 'f', 0};
                write_file(path, hdr, sizeof(hdr));
            } else {
                write_file(path, cases[i].text, strlen(cases[i].text));
            }
            tz = NULL;
            tc_error_clear(&err);
            if (tc_tz_load_file(path, "badzone", &tz, &err) != TC_EPARSE ||
                !strstr(err.msg, cases[i].msg) || !strstr(err.msg, "\"badzone\""))
                fail_msg("case %zu: %s", i, err.msg);
            assert_null(tz);
        }
        /* the footer cut off */
        snprintf(path, sizeof(path), "%s/nofooter", dir);
        write_file(path, real, n - 5);
        assert_int_equal(tc_tz_load_file(path, "nofooter", &tz, &err), TC_EPARSE);
        assert_non_null(strstr(err.msg, "footer"));
        /* a broken footer rule */
        memcpy(real + n - 6, "Q.9\n", 4);
        snprintf(path, sizeof(path), "%s/badrule", dir);
        write_file(path, real, n - 2);
        assert_int_equal(tc_tz_load_file(path, "badrule", &tz, &err), TC_EPARSE);
        assert_non_null(strstr(err.msg, "bad footer rule"));
        snprintf(path, sizeof(path), "%s/missing", dir);
        assert_int_equal(tc_tz_load_file(path, "missing", &tz, &err), TC_ENOTFOUND);
        assert_non_null(strstr(err.msg, "\"missing\""));
    }
    free(real);
}

/* Corrupted copies of a real file load or fail with TC_EPARSE: never crash,
 * never anything else (run under the sanitizers in make check). */
static void test_corrupt_files(void **state)
{
    char dir[512], path[700];
    unsigned char *real, *copy;
    size_t n;
    FILE *f;
    struct tc_rng rng;
    int parsed = 0, rejected = 0;
    (void)state;

    assert_int_equal(tc_test_tmpdir("tzfuzz", dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/z", dir);
    f = fopen("/usr/share/zoneinfo/Europe/London", "rb");
    assert_non_null(f);
    real = malloc(1 << 20);
    copy = malloc(1 << 20);
    n = fread(real, 1, 1 << 20, f);
    fclose(f);
    tc_rng_seed(&rng, 20261121);
    for (int round = 0; round < 1500; round++) {
        struct tc_tz *tz = NULL;
        struct tc_error err = {0};
        size_t len = n;
        int rc;
        memcpy(copy, real, n);
        for (int k = 0, flips = 1 + (int)tc_rng_below(&rng, 4); k < flips; k++)
            copy[tc_rng_below(&rng, n)] = (unsigned char)tc_rng_next(&rng);
        if (round % 5 == 0)
            len = (size_t)tc_rng_below(&rng, n);
        write_file(path, copy, len);
        rc = tc_tz_load_file(path, "fuzz", &tz, &err);
        if (rc == 0) {
            struct tc_local_time lt;
            parsed++;
            tc_assert_ok(tc_tz_to_local(tz, utc("2090-07-01T00:00:00Z"), &lt, &err), &err);
            tc_tz_free(tz);
        } else {
            rejected++;
            if (rc != TC_EPARSE || !strstr(err.msg, "\"fuzz\""))
                fail_msg("round %d: %s %s", round, tc_strerror_name(rc), err.msg);
            assert_null(tz);
        }
    }
    assert_true(parsed > 0 && rejected > 0);
    free(real);
    free(copy);
}

static void test_posix_rules(void **state)
{
    static const struct {
        const char *rule, *utc;
        int32_t off;
        int dst;
        const char *abbr;
    } cases[] = {
        {"EST5EDT,M3.2.0,M11.1.0", "2030-03-10T06:59:59Z", -18000, 0, "EST"},
        {"EST5EDT,M3.2.0,M11.1.0", "2030-03-10T07:00:00Z", -14400, 1, "EDT"},
        {"EST5EDT,M3.2.0,M11.1.0", "2030-11-03T05:59:59Z", -14400, 1, "EDT"},
        {"EST5EDT,M3.2.0,M11.1.0", "2030-11-03T06:00:00Z", -18000, 0, "EST"},
        {"<+09>-9", "2030-06-01T00:00:00Z", 32400, 0, "+09"},
        /* southern hemisphere: DST across the new year */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", "2030-01-15T00:00:00Z", 39600, 1, "AEDT"},
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", "2030-07-15T00:00:00Z", 36000, 0, "AEST"},
        /* M.5 = last week; explicit times and a negative one */
        {"CET-1CEST,M3.5.0,M10.5.0/3", "2030-03-31T01:00:00Z", 7200, 1, "CEST"},
        {"CET-1CEST,M3.5.0,M10.5.0/3", "2030-03-31T00:59:59Z", 3600, 0, "CET"},
        {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2030-03-31T00:59:59Z", -7200, 0, "-02"},
        {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2030-03-31T01:00:00Z", -3600, 1, "-01"},
        /* Julian day forms: J60 is 1 March in every year, 59 is 29 Feb in leap years */
        {"AAA3BBB,J60/0,J300/0", "2032-03-01T03:00:00Z", -7200, 1, "BBB"},
        {"AAA3BBB,J60/0,J300/0", "2032-03-01T02:59:59Z", -10800, 0, "AAA"},
        {"AAA3BBB,59/0,J300/0", "2032-02-29T03:00:00Z", -7200, 1, "BBB"},
        {"AAA3BBB,59/0,J300/0", "2032-02-29T02:59:59Z", -10800, 0, "AAA"},
        /* M2.5.4, February's last Thursday: the 29th in 2024, the 25th in 2100 (not leap) */
        {"AAA3BBB,M2.5.4/0,M10.5.0/0", "2024-02-29T03:00:00Z", -7200, 1, "BBB"},
        {"AAA3BBB,M2.5.4/0,M10.5.0/0", "2024-02-29T02:59:59Z", -10800, 0, "AAA"},
        {"AAA3BBB,M2.5.4/0,M10.5.0/0", "2100-02-25T03:00:00Z", -7200, 1, "BBB"},
        {"AAA3BBB,M2.5.4/0,M10.5.0/0", "2100-02-25T02:59:59Z", -10800, 0, "AAA"},
    };
    static const char *bad[] = {"", "E5", "EST", "EST5EDT", "EST5EDT,M13.1.0,M11.1.0",
                                "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST99",
                                "EST5EDT,M3.2.0", "EST5EDT,M3.2.0,M11.1.0junk", "<ABC-5",
                                "EST5EDT,J366,J300", "EST5EDT,M3.2.0/200,M11.1.0"};
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_tz *tz = NULL;
        struct tc_error err = {0};
        struct tc_local_time lt;
        tc_assert_ok(tc_tz_from_posix(cases[i].rule, &tz, &err), &err);
        tc_assert_ok(tc_tz_to_local(tz, utc(cases[i].utc), &lt, &err), &err);
        if (lt.utc_offset_s != cases[i].off || lt.is_dst != cases[i].dst ||
            strcmp(lt.abbr, cases[i].abbr) != 0)
            fail_msg("%s at %s: off %d dst %d %s", cases[i].rule, cases[i].utc, lt.utc_offset_s,
                     lt.is_dst, lt.abbr);
        tc_tz_free(tz);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tc_tz *tz = NULL;
        struct tc_error err = {0};
        char want[128];
        snprintf(want, sizeof(want), "\"%s\": malformed", bad[i]);
        if (tc_tz_from_posix(bad[i], &tz, &err) != TC_EPARSE || !strstr(err.msg, want))
            fail_msg("\"%s\" accepted or badly reported: %s", bad[i], err.msg);
        assert_null(tz);
    }
    tc_tz_free(NULL);
}

static void test_range(void **state)
{
    struct tc_error err = {0};
    struct tc_local_time lt;
    (void)state;
    assert_int_equal(tc_tz_to_local(zone("Asia/Tokyo"), INT64_MAX, &lt, &err), TC_ERANGE);
    assert_non_null(strstr(err.msg, "outside years 1..9999"));
    assert_non_null(strstr(err.msg, "Asia/Tokyo"));
    assert_int_equal(tc_tz_to_local(zone("Asia/Tokyo"), INT64_MIN, &lt, &err), TC_ERANGE);
}

/* Every canonical zone of the installed tzdata loads and converts. */
static void test_all_zones(void **state)
{
    FILE *f = fopen("/usr/share/zoneinfo/zone1970.tab", "r");
    char line[512];
    int n = 0;
    (void)state;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        char *name, *end;
        struct tc_error err = {0};
        const struct tc_tz *tz;
        struct tc_local_time lt;
        if (line[0] == '#')
            continue;
        name = strchr(line, '\t');
        name = name ? strchr(name + 1, '\t') : NULL;
        assert_non_null(name);
        name++;
        end = name + strcspn(name, "\t\n");
        *end = '\0';
        if (tc_tz_get(name, &tz, &err) != 0)
            fail_msg("%s: %s", name, err.msg);
        tc_assert_ok(tc_tz_to_local(tz, utc("2090-01-15T12:00:00Z"), &lt, &err), &err);
        tc_assert_ok(tc_tz_to_local(tz, utc("2090-07-15T12:00:00Z"), &lt, &err), &err);
        tc_assert_ok(tc_tz_to_local(tz, utc("1900-07-15T12:00:00Z"), &lt, &err), &err);
        n++;
    }
    fclose(f);
    assert_true(n > 300);
}

/* The last day of every month is a valid wall time and the day after it is
 * not, in common years, years leap by 4 and by 400, and years not leap by
 * 100 (1900, 2100): the days of each month are those of the calendar (the
 * want column below), not of a table of the module's own. */
static void test_month_ends(void **state)
{
    (void)state;
    static const int years[] = {1900, 2000, 2023, 2024, 2100};
    static const int want[2][12] = {{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
                                    {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}};
    const struct tc_tz *tz = zone("UTC");
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        const int y = years[i], leap = y == 2000 || y == 2024;
        for (int m = 1; m <= 12; m++) {
            const int last = want[leap][m - 1];
            struct tc_wall w = {y, m, last, 12, 0, 0};
            struct tc_error err = {0};
            char iso[32], msg[64];
            int64_t us = -42;
            enum tc_tz_kind kind;
            snprintf(iso, sizeof iso, "%04d-%02d-%02dT12:00:00Z", y, m, last);
            tc_assert_ok(tc_tz_from_local(tz, &w, TC_TZ_REJECT, &us, &kind, &err), &err);
            assert_int_equal(us, utc(iso));
            w.day = last + 1;
            us = -42;
            assert_int_equal(tc_tz_from_local(tz, &w, TC_TZ_REJECT, &us, &kind, &err), TC_EINVAL);
            snprintf(msg, sizeof msg, "invalid wall time %04d-%02d-%02d", y, m, last + 1);
            if (!strstr(err.msg, msg))
                fail_msg("%s: message \"%s\" lacks \"%s\"", iso, err.msg, msg);
            assert_int_equal(us, -42);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_local),     cmocka_unit_test(test_from_local),
        cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_cache),        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_posix_rules),  cmocka_unit_test(test_range),
        cmocka_unit_test(test_all_zones),    cmocka_unit_test(test_corrupt_files),
        cmocka_unit_test(test_month_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
