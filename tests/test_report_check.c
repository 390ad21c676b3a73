/* The checks a report makes before it writes anything (tc__report_check,
 * the same tc_report_write makes): a missing folder or one holding regular
 * files is fine; a directory, named pipe or symbolic link in the place of
 * one of the five files, a directory, named pipe or symbolic link in the
 * place of a .tmp,
 * a folder that is a file, and an empty path are refused naming the path;
 * nothing is written either way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tc_test.h"
#include "app/report.h"
#include "tradecore/error.h"

static void test_check(void **state)
{
    (void)state;
    char base[512], dir[600], p[700], want[1200];
    struct tc_error err = {0};
    assert_int_equal(tc_test_tmpdir("report_check", base, sizeof base), 0);
    snprintf(dir, sizeof dir, "%s/out", base);

    /* missing: made later, nothing to replace; nothing is made now */
    tc_assert_ok(tc__report_check(dir, &err), &err);
    assert_false(tc_test_exists(dir));
    snprintf(p, sizeof p, "%s/a/b/c", dir);
    tc_assert_ok(tc__report_check(p, &err), &err);

    /* a folder of regular files (an older report, a stale .tmp file) */
    assert_int_equal(mkdir(dir, 0777), 0);
    snprintf(p, sizeof p, "%s/summary.json", dir);
    tc_test_write_file(p, "{}\n");
    snprintf(p, sizeof p, "%s/fills.csv.tmp", dir);
    tc_test_write_file(p, "x\n");
    tc_assert_ok(tc__report_check(dir, &err), &err);

    /* each in the way, removed after */
    snprintf(p, sizeof p, "%s/trades.csv", dir);
    assert_int_equal(mkdir(p, 0777), 0);
    assert_int_equal(tc__report_check(dir, &err), TC_EIO);
    snprintf(want, sizeof want,
             "report file \"%s/trades.csv\" is a directory, not a regular file (no file was "
             "replaced)",
             dir);
    assert_string_equal(err.msg, want);
    assert_int_equal(rmdir(p), 0);

    snprintf(p, sizeof p, "%s/report.html", dir);
    assert_int_equal(mkfifo(p, 0666), 0);
    assert_int_equal(tc__report_check(dir, &err), TC_EIO);
    snprintf(want, sizeof want,
             "report file \"%s/report.html\" is a named pipe, not a regular file (no file was "
             "replaced)",
             dir);
    assert_string_equal(err.msg, want);
    assert_int_equal(unlink(p), 0);

    snprintf(p, sizeof p, "%s/equity.csv", dir);
    assert_int_equal(symlink("equity.csv", p), 0); /* a loop of one */
    assert_int_equal(tc__report_check(dir, &err), TC_EIO);
    snprintf(want, sizeof want,
             "report file \"%s/equity.csv\" is a symbolic link, not a regular file (no file was "
             "replaced)",
             dir);
    assert_string_equal(err.msg, want);
    assert_int_equal(unlink(p), 0);

    snprintf(p, sizeof p, "%s/summary.json.tmp", dir);
    assert_int_equal(mkfifo(p, 0666), 0);
    assert_int_equal(tc__report_check(dir, &err), TC_EIO);
    snprintf(want, sizeof want,
             "report file \"%s/summary.json.tmp\" is a named pipe, in the way of the file "
             "written before its rename (no file was replaced)",
             dir);
    assert_string_equal(err.msg, want);
    assert_int_equal(unlink(p), 0);

    /* a symbolic link as a .tmp (to a regular file outside): refused, not
     * followed; the file it names untouched */
    snprintf(p, sizeof p, "%s/outside", base);
    tc_test_write_file(p, "precious\n");
    snprintf(p, sizeof p, "%s/trades.csv.tmp", dir);
    assert_int_equal(symlink("../outside", p), 0);
    assert_int_equal(tc__report_check(dir, &err), TC_EIO);
    snprintf(want, sizeof want,
             "report file \"%s/trades.csv.tmp\" is a symbolic link, in the way of the file "
             "written before its rename (no file was replaced)",
             dir);
    assert_string_equal(err.msg, want);
    assert_int_equal(unlink(p), 0);
    {
        size_t len = 0;
        char *text = tc_test_slurp_in(base, "outside", &len);
        assert_non_null(text);
        assert_string_equal(text, "precious\n");
        free(text);
    }

    /* two in the way: the first in the files' order */
    snprintf(p, sizeof p, "%s/report.html", dir);
    assert_int_equal(mkdir(p, 0777), 0);
    snprintf(p, sizeof p, "%s/fills.csv", dir);
    assert_int_equal(mkdir(p, 0777), 0);
    assert_int_equal(tc__report_check(dir, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "/out/fills.csv\" is a directory"));

    /* the folder a file, an empty path */
    snprintf(p, sizeof p, "%s/summary.json", dir);
    assert_int_equal(tc__report_check(p, &err), TC_EIO);
    snprintf(want, sizeof want, "report folder \"%s\": not a directory", p);
    assert_string_equal(err.msg, want);
    assert_int_equal(tc__report_check("", &err), TC_EINVAL);
    assert_string_equal(err.msg, "report folder: empty path");

    /* nothing written: the two files as they were */
    const char *const kept[][2] = {{"summary.json", "{}\n"}, {"fills.csv.tmp", "x\n"}};
    for (size_t k = 0; k < 2; k++) {
        size_t len = 0;
        char *text = tc_test_slurp_in(dir, kept[k][0], &len);
        assert_non_null(text);
        assert_string_equal(text, kept[k][1]);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
