/*
 * Test support shared by every test program.
 *
 * PostgreSQL: the CTest fixture (tests/pg_fixture.sh) starts one throwaway
 * server for the whole run and writes its URL to $TC_TEST_PG_URL_FILE;
 * tc_test_pg_create_db() makes a fresh database in it for one test program.
 * Include <cmocka.h>'s prerequisites before this header (it includes them).
 */
#ifndef TC_TEST_H
#define TC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tradecore/dec.h"
#include "tradecore/error.h"

/* The server URL of the fixture (static buffer), or NULL with a message on
 * stderr when the fixture is not running (a test then fails, never skips). */
const char *tc_test_pg_server_url(void);

/*
 * Creates a fresh database named "<prefix>_<pid>_<n>" on the fixture server and
 * writes its URL into BUF. Returns 0, or -1 (message on stderr). Databases
 * are dropped by tc_test_pg_drop_all() (call it at the end of main) and in any
 * case vanish with the fixture server.
 */
int tc_test_pg_create_db(const char *prefix, char *buf, size_t cap);
void tc_test_pg_drop_all(void);

/* A fresh empty directory under $TC_TEST_TMP (or /tmp) for this process:
 * "<base>/<name>_<pid>_<n>". Static storage per call is NOT shared: BUF is the
 * caller's. Returns 0 or -1. */
int tc_test_tmpdir(const char *name, char *buf, size_t cap);

/* Runs the embedded migration file PATH (e.g. "sqlite/runtime/0001_accounts.up.sql")
 * on S in one write transaction, outside the migration runner (tests of one
 * migration's tables). Returns 0, or -1 with the message on stderr. */
struct tc_store;
int tc_test_apply_migration(struct tc_store *s, const char *path);

/* Environment helpers with defaults for running outside CTest. */
const char *tc_test_bin(void);   /* $TC_TEST_BIN, else "build/tradecore" */
const char *tc_test_src(void);   /* $TC_TEST_SRC, else "." */
const char *tc_test_data(void);  /* $TC_TEST_DATA, else "../shared/data" */

/*
 * Runs the tradecore command with ARGV (argv[0] ignored, NULL-terminated) in
 * directory CWD (NULL = current) with extra environment EXTRA_ENV ("K=V", NULL-
 * terminated, may be NULL). STDIN_TEXT (may be NULL) is written to its stdin.
 * Captures stdout and stderr into malloc'd strings (caller frees; may be NULL
 * if not wanted). Returns the exit status (0..255), or -1 if it could not run
 * or was killed by a signal.
 */
int tc_test_run(const char *cwd, const char *const *argv, const char *const *extra_env,
                const char *stdin_text, char **out, char **errout);

/* The decimal TEXT (tc_dec_parse); a text that does not parse fails the
 * running test with the text and the parser's message. */
struct tc_dec tc_test_dec(const char *text);

/* Files. TC_TEST_SLURP: the whole file at PATH as a malloc'd NUL-terminated
 * string (caller frees), its length in *LEN when LEN is not NULL; a file that
 * cannot be read fails the running test with the path. tc_test_exists: 1 if
 * PATH exists. tc_test_write_file: PATH holds exactly TEXT afterwards (a
 * failure to write fails the running test). */
char *tc_test_slurp(const char *path, size_t *len);
/* tc_test_slurp of the file NAME in the folder DIR. */
char *tc_test_slurp_in(const char *dir, const char *name, size_t *len);
/* Fails the running test, naming NAME, both folders and both lengths,
 * unless DIR_A/NAME and DIR_B/NAME hold the same bytes. */
void tc_test_assert_same_file(const char *dir_a, const char *dir_b, const char *name);
/* Fails the running test, naming DIR/NAME and showing its text and WANT,
 * unless DIR/NAME holds exactly the bytes of WANT. */
void tc_test_assert_file_text(const char *dir, const char *name, const char *want);
int tc_test_exists(const char *path);
void tc_test_write_file(const char *path, const char *text);

/* Fails the running test unless the JSON texts A and B parse and are equal
 * (json_equal: object key order does not matter). */
void tc_test_assert_json_eq(const char *a, const char *b);

/* Fails the running test unless ERR's message contains WANT (the failure
 * shows both). */
void tc_test_assert_msg(const struct tc_error *err, const char *want);

/* Fails the running test, naming LABEL, unless RC is the code WANT and ERR's
 * message contains MSG. */
void tc_test_assert_error(const char *label, int rc, int want, const struct tc_error *err,
                          const char *msg);

/* The same with several words: RC is WANT and the message contains each of
 * the first N WORDS up to the first NULL one. */
void tc_test_assert_error_words(const char *label, int rc, int want, const struct tc_error *err,
                                const char *const *words, size_t n);

/* Fails the running test, naming WHAT, the instrument and the first bar
 * that differs, unless the series A and B (or every series of the sets A
 * and B, in order) have the same instrument, length and every column. */
struct tc_bar_series;
struct tc_bar_set;
void tc_test_assert_same_series(const struct tc_bar_series *a, const struct tc_bar_series *b,
                                const char *what);
void tc_test_assert_same_set(const struct tc_bar_set *a, const struct tc_bar_set *b,
                             const char *what);

/* Loads the price file PATH (tc_prices_load_csv, TC_PRICES_AUTO) both ways
 * into the two sets at SETS: SETS[0] by the general parser, SETS[1] by the
 * fast one (tc__prices_fast, set back to 1 after). Fails the running test, naming WHAT and both codes
 * and messages, unless the two give the same code and message. Fills *ERR
 * with the fast path's error and returns its code. The caller releases both
 * sets. */
int tc_test_load_both(const char *path, const char *what, struct tc_bar_set *sets,
                      struct tc_error *err);

/* A date "YYYY-MM-DD" as days since 1970-01-01 (tc_date_parse), a time
 * "YYYY-MM-DDTHH:MM:SS[.f]Z" as microseconds (tc_time_parse), and the built-in
 * calendar of the market MIC (tc_calendar_get); a text the parser refuses
 * or an unknown market fails the running test with the parser's message. */
int64_t tc_test_date(const char *text);
int64_t tc_test_utc(const char *text);
struct tc_calendar;
const struct tc_calendar *tc_test_calendar(const char *mic);

/*
 * Opens a fresh store: PG = 1, a new database on the PostgreSQL fixture named
 * after NAME (tc_test_pg_create_db); PG = 0, "sqlite:<dir>/<FILE>" in a new
 * tc_test_tmpdir named NAME. DIR (capacity DCAP; may be NULL) receives a new
 * tc_test_tmpdir named NAME on both backends (a folder for the test's files).
 * URL (capacity UCAP; may be NULL) receives the store's URL. *OUT is the open
 * store (caller closes it). Returns 0, or -1 with the reason on stderr
 * (nothing left open). Nothing is migrated.
 */
int tc_test_store_open(const char *name, int pg, const char *file, char *dir, size_t dcap,
                       char *url, size_t ucap, struct tc_store **out);

/* Asserts with the error detail in the failure message. */
#define tc_assert_ok(expr, errp)                                                        \
    do {                                                                                \
        int tc__rc = (expr);                                                            \
        if (tc__rc != 0)                                                                \
            fail_msg("%s returned %s: %s", #expr, tc_strerror_name(tc__rc),             \
                     tc_error_msg(errp));                                               \
    } while (0)

#endif
