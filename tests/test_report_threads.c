/* Report files on two threads: the files written by the caller and a worker
 * are byte for byte those the caller alone writes, run after run; a file
 * that cannot be created, renamed or written gives the same error, leaves
 * every old file of the folder in place (no file is replaced) and no .tmp
 * file whichever thread wrote it, and when several fail the first in the
 * writer's order (summary.json, fills.csv, trades.csv, equity.csv,
 * report.html) is the one reported. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tc_test.h"
#include "app/report.h"
#include "tradecore/analytics.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

#define D(text) tc_test_dec(text)

static const char *const files[] = {"summary.json", "fills.csv", "trades.csv", "equity.csv",
                                    "report.html"};
#define NFILES (sizeof files / sizeof files[0])

/* A run of N_EQ sessions, N_FILLS fills and N_TRADES trades whose values
 * vary row to row (and repeat, for the writers' memos), with instrument ids
 * that CSV must quote. Arrays malloc'd; release with free_run. */
static void build_run(struct tc_run_result *r, size_t n_eq, size_t n_fills, size_t n_trades)
{
    static const char *const ids[] = {"SYN001", "A,B", "Q\"T", "LONG-INSTRUMENT-ID-0123456789",
                                      "X<&>'"};
    struct tc_equity_point *eq = calloc(n_eq, sizeof *eq);
    struct tc_run_fill *fl = calloc(n_fills ? n_fills : 1, sizeof *fl);
    struct tc_run_trade *tr = calloc(n_trades ? n_trades : 1, sizeof *tr);
    int64_t d0 = tc_days_from_civil(1995, 1, 3);
    assert_non_null(eq);
    assert_non_null(fl);
    assert_non_null(tr);
    for (size_t i = 0; i < n_eq; i++) {
        int64_t cents = 10000000 + (int64_t)((i * 7919) % 20011) * 37 - 300000;
        eq[i].day = d0 + (int64_t)i + (int64_t)(i / 5) * 2; /* weekends skipped */
        eq[i].cash = (struct tc_dec){cents * 1000000 / 3 * 3};
        eq[i].equity = (struct tc_dec){(cents + (int64_t)(i % 11) * 1234) * 1000000};
        eq[i].exposure = (struct tc_dec){(int64_t)(i % 3) * 500000000};
    }
    for (size_t i = 0; i < n_fills; i++) {
        fl[i].day = eq[(i / 4) % n_eq].day;
        snprintf(fl[i].instrument_id, sizeof fl[i].instrument_id, "%s", ids[i % 5]);
        fl[i].side = i % 3 ? 'B' : 'S';
        fl[i].quantity = (struct tc_dec){(int64_t)(1 + i % 4 / 3 * 99) * 100000000};
        fl[i].price = (struct tc_dec){(int64_t)(1000000000 + (i * 104729) % 99999999)};
        fl[i].commission = (struct tc_dec){(int64_t)(i % 7 == 0 ? 0 : (i % 13) * 1000000)};
    }
    for (size_t i = 0; i < n_trades; i++) {
        snprintf(tr[i].instrument_id, sizeof tr[i].instrument_id, "%s", ids[(i * 3) % 5]);
        tr[i].side = i % 4 ? 'L' : 'S';
        tr[i].entry_day = eq[(i * 3) % n_eq].day;
        tr[i].exit_day = tr[i].entry_day + (int64_t)(i % 9);
        tr[i].quantity = (struct tc_dec){(int64_t)(100 + i % 2) * 100000000};
        tr[i].entry_price = (struct tc_dec){(int64_t)(2000000000 + (i * 7907) % 77777777)};
        tr[i].exit_price = (struct tc_dec){(int64_t)(2000000000 + (i * 6151) % 77777777)};
        tr[i].gross_pnl = (struct tc_dec){(int64_t)((i * 15485863) % 4000000001) - 2000000000};
        tr[i].commission = (struct tc_dec){(int64_t)(i % 5 == 0 ? 0 : 2500000)};
        tr[i].net_pnl = (struct tc_dec){tr[i].gross_pnl.raw - tr[i].commission.raw};
    }
    *r = (struct tc_run_result){.initial_cash = D("100000"), .equity = eq, .n_equity = n_eq,
                                .fills = fl, .n_fills = n_fills, .trades = tr,
                                .n_trades = n_trades, .risk_free_rate = 0.02,
                                .periods_per_year = 252};
}

static void free_run(struct tc_run_result *r)
{
    free((void *)r->equity);
    free((void *)r->fills);
    free((void *)r->trades);
}

/* tc_report_write of R into DIR with THREADS; returns its code. */
static int write_with(int threads, const char *dir, const struct tc_run_result *r,
                      struct tc_error *err)
{
    struct tc_metrics m;
    struct tc_error e = {0};
    tc_assert_ok(tc_analytics_compute(r, &m, &e), &e);
    tc__report_threads = threads;
    int rc = tc_report_write(dir, "threads <&>", "{\"fast\":10,\"slow\":30}", r, &m, err);
    tc__report_threads = 2;
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* DIR's entries as "name/" for a directory, "name" otherwise, sorted and
 * joined by spaces, into BUF. */
static void listing(const char *dir, char *buf, size_t cap)
{
    char *names[64];
    size_t n = 0, len = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        assert_int_equal(stat(path, &st), 0);
        assert_true(n < 64);
        size_t k = strlen(e->d_name);
        names[n] = malloc(k + 2);
        assert_non_null(names[n]);
        memcpy(names[n], e->d_name, k + 1);
        if (S_ISDIR(st.st_mode))
            memcpy(names[n] + k, "/", 2);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_names);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "", names[i]);
        assert_true(len < cap);
        free(names[i]);
    }
}

/* A large run (over HTML_TRADES_MAX trades, several row blocks per file):
 * the caller alone, the caller and the worker, and the two again, give
 * the same bytes in every file. */
static void test_two_threads_same_bytes(void **state)
{
    (void)state;
    struct tc_run_result r;
    struct tc_error err = {0};
    char base[512], one[600], two[600], one2[600], two2[600];
    build_run(&r, 6000, 24000, 9000);
    assert_int_equal(tc_test_tmpdir("report_threads", base, sizeof base), 0);
    snprintf(one, sizeof one, "%s/one", base);
    snprintf(two, sizeof two, "%s/two", base);
    snprintf(one2, sizeof one2, "%s/one2", base);
    snprintf(two2, sizeof two2, "%s/two2", base);
    tc_assert_ok(write_with(1, one, &r, &err), &err);
    tc_assert_ok(write_with(2, two, &r, &err), &err);
    tc_assert_ok(write_with(1, one2, &r, &err), &err);
    tc_assert_ok(write_with(2, two2, &r, &err), &err);
    for (size_t k = 0; k < NFILES; k++) {
        tc_test_assert_same_file(one, two, files[k]);
        tc_test_assert_same_file(one, one2, files[k]);
        tc_test_assert_same_file(two, two2, files[k]);
    }
    /* the files are whole: every row is there, and only the five files */
    char lst[1024], *text;
    listing(two, lst, sizeof lst);
    assert_string_equal(lst, "equity.csv fills.csv report.html summary.json trades.csv");
    char p[700];
    size_t lines = 0;
    snprintf(p, sizeof p, "%s/fills.csv", two);
    text = tc_test_slurp(p, NULL);
    for (char *c = text; *c; c++)
        lines += *c == '\n';
    free(text);
    assert_int_equal(lines, 1 + 24000);
    snprintf(p, sizeof p, "%s/trades.csv", two);
    text = tc_test_slurp(p, NULL);
    lines = 0;
    for (char *c = text; *c; c++)
        lines += *c == '\n';
    free(text);
    assert_int_equal(lines, 1 + 9000);
    snprintf(p, sizeof p, "%s/report.html", two);
    text = tc_test_slurp(p, NULL);
    assert_non_null(strstr(text, "<p>The first 2000 of 9000 trades; trades.csv lists them all.</p>"));
    assert_non_null(strstr(text, "</table>\n</body>\n</html>\n"));
    free(text);
    /* written again over the same folder: the same bytes */
    tc_assert_ok(write_with(2, one2, &r, &err), &err);
    for (size_t k = 0; k < NFILES; k++)
        tc_test_assert_same_file(one, one2, files[k]);
    free_run(&r);
}

/* Small runs too: no fills, no trades, a single session. */
static void test_two_threads_small(void **state)
{
    (void)state;
    static const size_t shapes[][3] = {{1, 0, 0}, {2, 1, 0}, {3, 0, 1}, {40, 7, 3}};
    struct tc_error err = {0};
    char base[512], one[600], two[600];
    assert_int_equal(tc_test_tmpdir("report_threads_small", base, sizeof base), 0);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        struct tc_run_result r;
        build_run(&r, shapes[s][0], shapes[s][1], shapes[s][2]);
        snprintf(one, sizeof one, "%s/one%zu", base, s);
        snprintf(two, sizeof two, "%s/two%zu", base, s);
        tc_assert_ok(write_with(1, one, &r, &err), &err);
        tc_assert_ok(write_with(2, two, &r, &err), &err);
        for (size_t k = 0; k < NFILES; k++)
            tc_test_assert_same_file(one, two, files[k]);
        free_run(&r);
    }
}

/* What is in the way of a file: a directory named NAME.tmp (it cannot be
 * created) or NAME (it cannot be renamed into place). */
enum way { IN_TMP, IN_NAME };

static void block(const char *dir, size_t file, enum way w)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s%s", dir, files[file], w == IN_TMP ? ".tmp" : "");
    if (w == IN_NAME)
        assert_int_equal(unlink(p), 0); /* the old file, replaced by a folder */
    assert_int_equal(mkdir(p, 0777), 0);
}

/* The message for FILE blocked by W in DIR: found before anything is
 * written. */
static void blocked_msg(const char *dir, size_t file, enum way w, char *buf, size_t cap)
{
    if (w == IN_TMP)
        snprintf(buf, cap,
                 "report file \"%s/%s.tmp\" is a directory, in the way of the file written "
                 "before its rename (no file was replaced)",
                 dir, files[file]);
    else
        snprintf(buf, cap,
                 "report file \"%s/%s\" is a directory, not a regular file (no file was "
                 "replaced)",
                 dir, files[file]);
}

/* The listing after a failure: the old files (those blocked by a folder of
 * their name shown as that folder), the blocking .tmp folders, nothing else. */
static void expected_listing(const size_t *blocked, const enum way *ways, size_t nb, char *buf,
                             size_t cap)
{
    const char *names[NFILES * 2];
    char made[NFILES * 2][64];
    size_t n = 0;
    for (size_t k = 0; k < NFILES; k++) {
        int as_dir = 0;
        for (size_t b = 0; b < nb; b++)
            as_dir |= blocked[b] == k && ways[b] == IN_NAME;
        snprintf(made[n], sizeof made[n], "%s%s", files[k], as_dir ? "/" : "");
        names[n] = made[n];
        n++;
    }
    for (size_t b = 0; b < nb; b++)
        if (ways[b] == IN_TMP) {
            snprintf(made[n], sizeof made[n], "%s.tmp/", files[blocked[b]]);
            names[n] = made[n];
            n++;
        }
    qsort(names, n, sizeof names[0], cmp_names);
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "", names[i]);
}

/* Every file of OLD not blocked by a folder of its name is in DIR with the
 * same bytes. */
static void assert_old_files(const char *old, const char *dir, const size_t *blocked,
                             const enum way *ways, size_t nb)
{
    for (size_t k = 0; k < NFILES; k++) {
        int gone = 0;
        for (size_t b = 0; b < nb; b++)
            gone |= blocked[b] == k && ways[b] == IN_NAME;
        if (!gone)
            tc_test_assert_same_file(old, dir, files[k]);
    }
}

/* Writes R with THREADS into DIR holding OLD's report with the NB files
 * BLOCKED blocked as WAYS, and checks the error (the first blocked file's),
 * that every old file is still there with its bytes (none replaced) and
 * that no .tmp file remains besides the blocking ones. */
static void check_blocked(const char *base, const char *old, const struct tc_run_result *r,
                          const struct tc_run_result *r_old, const size_t *blocked,
                          const enum way *ways, size_t nb, int threads, unsigned *seq)
{
    char dir[700], want[1200], got[1024], exp[1024], label[96];
    struct tc_error err = {0};
    size_t first = NFILES, first_b = 0;
    snprintf(dir, sizeof dir, "%s/case%u", base, (*seq)++);
    tc_assert_ok(write_with(1, dir, r_old, &err), &err);
    for (size_t b = 0; b < nb; b++) {
        block(dir, blocked[b], ways[b]);
        if (blocked[b] < first) {
            first = blocked[b];
            first_b = b;
        }
    }
    snprintf(label, sizeof label, "%u thread(s), %s blocked (%s)", (unsigned)threads,
             files[first], ways[first_b] == IN_TMP ? "tmp" : "name");
    int rc = write_with(threads, dir, r, &err);
    blocked_msg(dir, first, ways[first_b], want, sizeof want);
    tc_test_assert_error(label, rc, TC_EIO, &err, want);
    assert_string_equal(err.msg, want);
    listing(dir, got, sizeof got);
    expected_listing(blocked, ways, nb, exp, sizeof exp);
    if (strcmp(got, exp) != 0)
        fail_msg("%s: left \"%s\", want \"%s\"", label, got, exp);
    assert_old_files(old, dir, blocked, ways, nb);
}

/* The run the blocked-file tests write (R, caller frees it with free_run),
 * the older run whose report is in the folder first (R_OLD, the same), a
 * fresh folder BASE named NAME, and in OLD (BASE/old) the files R_OLD
 * gives on one thread with nothing blocked. */
static void blocked_start(const char *name, struct tc_run_result *r, struct tc_run_result *r_old,
                          char base[512], char old[600])
{
    struct tc_error err = {0};
    build_run(r, 300, 500, 120);
    build_run(r_old, 40, 30, 11);
    assert_int_equal(tc_test_tmpdir(name, base, 512), 0);
    snprintf(old, 600, "%s/old", base);
    tc_assert_ok(write_with(1, old, r_old, &err), &err);
}

/* One file blocked, each file and each way, on one thread and on two: the
 * same error naming that file, found before anything is written; every old
 * file in place. */
static void test_one_blocked(void **state)
{
    (void)state;
    struct tc_run_result r, r_old;
    char base[512], old[600];
    unsigned seq = 0;
    blocked_start("report_blocked", &r, &r_old, base, old);
    for (size_t k = 0; k < NFILES; k++)
        for (int w = IN_TMP; w <= IN_NAME; w++)
            for (int t = 1; t <= 2; t++) {
                const enum way way = (enum way)w;
                check_blocked(base, old, &r, &r_old, &k, &way, 1, t, &seq);
            }
    free_run(&r);
    free_run(&r_old);
}

/* Two files blocked, every pair and every way, on one thread and on two:
 * the first of the pair in the writer's order is the error. */
static void test_two_blocked(void **state)
{
    (void)state;
    struct tc_run_result r, r_old;
    char base[512], old[600];
    unsigned seq = 0;
    blocked_start("report_blocked2", &r, &r_old, base, old);
    for (size_t a = 0; a < NFILES; a++)
        for (size_t b = 0; b < NFILES; b++) {
            if (a == b)
                continue;
            for (int wa = IN_TMP; wa <= IN_NAME; wa++)
                for (int wb = IN_TMP; wb <= IN_NAME; wb++)
                    for (int t = 1; t <= 2; t++) {
                        const size_t blocked[2] = {a, b};
                        const enum way ways[2] = {(enum way)wa, (enum way)wb};
                        check_blocked(base, old, &r, &r_old, blocked, ways, 2, t, &seq);
                    }
        }
    free_run(&r);
    free_run(&r_old);
}

/* A file that cannot be written (written to /dev/full, tc__report_full:
 * every write fails, the disk full), each file on one thread and on two,
 * in a folder holding an older report: TC_EIO with the write error naming
 * the file, every old file in place with its bytes (the files written
 * before it are not renamed), and no .tmp file left. */
static void test_write_error(void **state)
{
    (void)state;
    struct tc_run_result r, r_old;
    struct tc_error err = {0};
    char base[512], old[600], dir[700], p[800], want[1200], got[1024], exp[1024], label[64];
    unsigned seq = 0;
    build_run(&r, 3000, 9000, 4000);
    build_run(&r_old, 50, 20, 7);
    assert_int_equal(tc_test_tmpdir("report_write_error", base, sizeof base), 0);
    snprintf(old, sizeof old, "%s/old", base);
    tc_assert_ok(write_with(1, old, &r_old, &err), &err);
    for (size_t k = 0; k < NFILES; k++)
        for (int t = 1; t <= 2; t++) {
            snprintf(dir, sizeof dir, "%s/full%u", base, seq++);
            tc_assert_ok(write_with(1, dir, &r_old, &err), &err);
            snprintf(p, sizeof p, "%s/%s.tmp", dir, files[k]);
            tc__report_full = files[k];
            snprintf(label, sizeof label, "%s full, %d thread(s)", files[k], t);
            err = (struct tc_error){0};
            int rc = write_with(t, dir, &r, &err);
            tc__report_full = NULL;
            /* summary.json is one buffer: the error comes at its close too */
            snprintf(want, sizeof want, "report file \"%s\": write error", p);
            tc_test_assert_error(label, rc, TC_EIO, &err, want);
            assert_string_equal(err.msg, want);
            listing(dir, got, sizeof got);
            expected_listing(NULL, NULL, 0, exp, sizeof exp);
            if (strcmp(got, exp) != 0)
                fail_msg("%s: left \"%s\", want \"%s\"", label, got, exp);
            assert_old_files(old, dir, NULL, NULL, 0);
        }
    free_run(&r);
    free_run(&r_old);
}

/* A report that fails in folders it made removes them again: with files
 * limited to 4 kB (RLIMIT_FSIZE, SIGXFSZ ignored: a write past it fails
 * with EFBIG), one on one thread and on two into FRESH/a/b, none of which
 * existed, and into KEEP/new/x, where KEEP holds a file: TC_EIO, and
 * afterwards FRESH does not exist, KEEP does with its file, KEEP/new not. */
static void test_made_folders_removed(void **state)
{
    (void)state;
    struct tc_run_result r;
    struct tc_error err = {0};
    struct rlimit old, lim;
    char base[512], fresh[600], dir[700], keep[600], file[700], label[64];
    build_run(&r, 3000, 9000, 4000);
    assert_int_equal(tc_test_tmpdir("report_made_folders", base, sizeof base), 0);
    snprintf(keep, sizeof keep, "%s/keep", base);
    assert_int_equal(mkdir(keep, 0777), 0);
    snprintf(file, sizeof file, "%s/mine.txt", keep);
    tc_test_write_file(file, "kept\n");
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 4096;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    for (int t = 1; t <= 2; t++) {
        snprintf(label, sizeof label, "fresh, %d thread(s)", t);
        snprintf(fresh, sizeof fresh, "%s/fresh%d", base, t);
        snprintf(dir, sizeof dir, "%s/a/b", fresh);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        int rc = write_with(t, dir, &r, &err);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        tc_test_assert_error(label, rc, TC_EIO, &err, "report file");
        if (tc_test_exists(fresh))
            fail_msg("%s: the folder \"%s\" the report made is left", label, fresh);
        snprintf(dir, sizeof dir, "%s/new/x", keep);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        rc = write_with(t, dir, &r, &err);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        tc_test_assert_error(label, rc, TC_EIO, &err, "report file");
        snprintf(dir, sizeof dir, "%s/new", keep);
        if (tc_test_exists(dir))
            fail_msg("%s: the folder \"%s\" the report made is left", label, dir);
        assert_true(tc_test_exists(file));
    }
    signal(SIGXFSZ, was);
    /* the same folders without the limit: made and kept */
    snprintf(dir, sizeof dir, "%s/a/b", fresh);
    tc_assert_ok(write_with(2, dir, &r, &err), &err);
    snprintf(file, sizeof file, "%s/report.html", dir);
    assert_true(tc_test_exists(file));
    free_run(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_threads_same_bytes),
        cmocka_unit_test(test_two_threads_small),
        cmocka_unit_test(test_one_blocked),
        cmocka_unit_test(test_two_blocked),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_made_folders_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
