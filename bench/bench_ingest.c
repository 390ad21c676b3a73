/*
 * Price ingest: a 1,000,000-row long-format CSV made by `tradecore gen-prices`
 * (fixed seed) loaded with tc_ingest_prices_file into a fresh sqlite file and a
 * fresh PostgreSQL database (every row checked, instruments created, one
 * transaction; PostgreSQL through COPY), then the same file again (every row
 * compared, nothing written). Beside it, in the same run and timed as child
 * processes, each database's own bulk loader on the same file:
 *   sqlite3_import / psql_copy: `.import` and `\copy` into a plain table of the
 *     file's columns (no key, no checks, no foreign key);
 *   sqlite3_import_same_table / psql_copy_same_table: `.import` / `\copy` into a
 *     temporary table, then one INSERT … SELECT into a table with prices_daily's
 *     definition (the same key, CHECKs and foreign key to instruments, holding
 *     the same instruments), in one transaction: the loader doing the work the
 *     ingest does. The file's decimals become sqlite's raw units through
 *     round(x * 1e8) (exact for the generator's two decimal places).
 * Rows per second for each, and tradecore's speed as a ratio to each loader.
 * Needs $TC_TEST_BIN (the tradecore binary) and $TC_TEST_PG_URL_FILE.
 */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_pg.h"
#include "tradecore/ingest.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define ROWS 1000000
#define SYMBOLS 100
#define SEED 20261121

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void row(const char *cs, const char *metric, double v, const char *unit)
{
    printf("ingest\t%s\t%s\t%.1f\t%s\n", cs, metric, v, unit);
    fflush(stdout);
}

static double rate_of(int64_t rows, int64_t us)
{
    return (double)rows * 1e6 / (double)(us ? us : 1);
}

static void report(const char *cs, int64_t rows, int64_t us)
{
    row(cs, "rows_per_sec", rate_of(rows, us), "1/s");
    row(cs, "seconds", (double)us / 1e6, "s");
}

/* tradecore's rows/s over a loader's: above 1 is faster than the loader. */
static void ratio(const char *cs, double ours, double theirs)
{
    if (ours > 0 && theirs > 0)
        printf("ingest\t%s\tspeed_ratio\t%.2f\tx\n", cs, ours / theirs);
    fflush(stdout);
}

/* Writes TEXT to PATH. */
static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* The single integer a shell command prints, or -1. */
static long long command_count(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    char line[64] = "";
    if (!p)
        return -1;
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    if (pclose(p) != 0 || !line[0])
        return -1;
    return strtoll(line, NULL, 10);
}

/* Runs CMD through the shell; returns its wall time in µs, or -1. */
static int64_t run_timed(const char *cmd)
{
    int64_t t0 = now_us();
    int rc = system(cmd);
    int64_t t = now_us() - t0;
    if (rc != 0) {
        fprintf(stderr, "bench_ingest: `%s` failed (%d)\n", cmd, rc);
        return -1;
    }
    return t;
}

/* The market every run uses, in the store at URL (migrated here). */
static int prepare_store(const char *url, struct tc_store **out, struct tc_error *err)
{
    struct tc_refdata rd = {0};
    struct tc_market m = {0};

    if (tc_store_open(url, NULL, out, err) != 0 || tc_migrate_latest(*out, "historical", err) != 0)
        return -1;
    rd.store = *out;
    snprintf(m.market_id, sizeof m.market_id, "XNYS");
    snprintf(m.name, sizeof m.name, "New York Stock Exchange");
    snprintf(m.timezone, sizeof m.timezone, "America/New_York");
    return tc_refdata_market_create(&rd, &m, err) != 0 ? -1 : 0;
}

/* Ingests CSV into the store at URL; *RATE gets the first load's rows/s. */
static int ingest_tc(const char *name, const char *url, const char *csv, double *rate)
{
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    struct tc_ingest_options o;
    struct tc_ingest_result r;
    int rc = -1;

    if (prepare_store(url, &s, &err) != 0)
        goto out;
    tc_ingest_options_init(&o);
    o.market_id = "XNYS";
    o.create_instruments = 1;
    int64_t t0 = now_us();
    if (tc_ingest_prices_file(s, csv, &o, &r, &err) != 0)
        goto out;
    int64_t t = now_us() - t0;
    if (r.inserted != ROWS) {
        fprintf(stderr, "bench_ingest: %s: %lld rows inserted, expected %d\n", name,
                (long long)r.inserted, ROWS);
        goto out;
    }
    report(name, r.inserted, t);
    *rate = rate_of(r.inserted, t);
    /* the same file again: parse, compare, nothing written */
    t0 = now_us();
    if (tc_ingest_prices_file(s, csv, &o, &r, &err) != 0)
        goto out;
    t = now_us() - t0;
    char again[64];
    snprintf(again, sizeof again, "%s_reingest", name);
    report(again, r.unchanged, t);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "bench_ingest: %s: %s\n", name, tc_error_msg(&err));
    tc_store_close(s);
    return rc;
}

/* sqlite3's .import into a temporary table, then one INSERT … SELECT into a
 * fresh store's prices_daily holding tradecore's instruments; one transaction. */
static int64_t sqlite_same_table(const char *dir, const char *csv)
{
    struct tc_store *st = NULL;
    struct tc_error err = {0};
    char url[700], cmd[2048], script[2048], path[700];

    snprintf(url, sizeof url, "sqlite:%s/same.db", dir);
    int rc = prepare_store(url, &st, &err);
    tc_store_close(st);
    if (rc != 0) {
        fprintf(stderr, "bench_ingest: sqlite same table: %s\n", tc_error_msg(&err));
        return -1;
    }
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s/same.db' \"ATTACH '%s/tc.db' AS t; INSERT INTO instruments SELECT * "
             "FROM t.instruments\"",
             dir, dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(script, sizeof script,
             "PRAGMA foreign_keys=ON;\n"
             "PRAGMA synchronous=FULL;\n"
             "BEGIN;\n"
             "CREATE TEMP TABLE csv (date TEXT, symbol TEXT, open TEXT, high TEXT, low TEXT, "
             "close TEXT, volume TEXT);\n"
             ".import --csv --skip 1 %s csv\n"
             "INSERT INTO prices_daily (instrument_id, trade_date, open, high, low, close, "
             "adj_close, volume, open_interest, source, created_at) SELECT symbol, date, "
             "CAST(round(open * 100000000) AS INTEGER), CAST(round(high * 100000000) AS INTEGER), "
             "CAST(round(low * 100000000) AS INTEGER), CAST(round(close * 100000000) AS INTEGER), "
             "CAST(round(close * 100000000) AS INTEGER), CAST(volume AS INTEGER), 0, "
             "'prices.csv', strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now') FROM csv;\n"
             "COMMIT;\n",
             csv);
    snprintf(path, sizeof path, "%s/same.sql", dir);
    if (write_file(path, script) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "sqlite3 -bail '%s/same.db' < '%s'", dir, path);
    int64_t t = run_timed(cmd);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/same.db' 'SELECT count(*) FROM prices_daily'", dir);
    if (t >= 0 && command_count(cmd) != ROWS) {
        fprintf(stderr, "bench_ingest: sqlite same table: not %d rows\n", ROWS);
        return -1;
    }
    return t;
}

/* psql's \copy into a temporary table, then one INSERT … SELECT into
 * scratch.prices_daily (prices_daily's definition with its foreign key to the
 * instruments tradecore created); one transaction. */
static int64_t pg_same_table(const char *dir, const char *url, const char *csv)
{
    char cmd[4096], script[2048], path[700];

    snprintf(cmd, sizeof cmd,
             "psql -q -v ON_ERROR_STOP=1 '%s' -c 'CREATE SCHEMA scratch' -c 'CREATE TABLE "
             "scratch.prices_daily (LIKE public.prices_daily INCLUDING ALL)' -c 'ALTER TABLE "
             "scratch.prices_daily ADD FOREIGN KEY (instrument_id) REFERENCES public.instruments "
             "(instrument_id)'",
             url);
    if (system(cmd) != 0)
        return -1;
    snprintf(script, sizeof script,
             "BEGIN;\n"
             "CREATE TEMP TABLE csv (date TEXT, symbol TEXT, open NUMERIC(20,8), high "
             "NUMERIC(20,8), low NUMERIC(20,8), close NUMERIC(20,8), volume BIGINT) ON COMMIT "
             "DROP;\n"
             "\\copy csv FROM '%s' CSV HEADER\n"
             "INSERT INTO scratch.prices_daily SELECT symbol, date, open, high, low, close, "
             "close, volume, 0, 'prices.csv', now() FROM csv;\n"
             "COMMIT;\n",
             csv);
    snprintf(path, sizeof path, "%s/same_pg.sql", dir);
    if (write_file(path, script) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "psql -q -v ON_ERROR_STOP=1 '%s' -f '%s'", url, path);
    int64_t t = run_timed(cmd);
    snprintf(cmd, sizeof cmd, "psql -qAt '%s' -c 'SELECT count(*) FROM scratch.prices_daily'",
             url);
    if (t >= 0 && command_count(cmd) != ROWS) {
        fprintf(stderr, "bench_ingest: PostgreSQL same table: not %d rows\n", ROWS);
        return -1;
    }
    return t;
}

int main(void)
{
    const char *bin = getenv("TC_TEST_BIN");
    const char *tmp = getenv("TC_TEST_TMP");
    char dir[512], csv[600], cmd[2048], url[1024], server[1024] = "", db[64];
    double ours = 0;
    int failed = 0;

    if (!bin) {
        fprintf(stderr, "bench_ingest: TC_TEST_BIN is not set\n");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/bench_ingest_%ld", tmp ? tmp : "/tmp", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return 1;
    snprintf(csv, sizeof csv, "%s/prices.csv", dir);
    snprintf(cmd, sizeof cmd,
             "'%s' gen-prices --rows %d --symbols %d --seed %d --out '%s' >/dev/null", bin, ROWS,
             SYMBOLS, SEED, csv);
    int64_t t = run_timed(cmd);
    if (t < 0)
        return 1;
    report("gen_prices", ROWS, t);

    /* sqlite */
    snprintf(url, sizeof url, "sqlite:%s/tc.db", dir);
    int sq_bad = ingest_tc("sqlite_tradecore", url, csv, &ours) != 0;
    failed |= sq_bad;
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s/plain.db' 'CREATE TABLE prices (date TEXT, symbol TEXT, open REAL, "
             "high REAL, low REAL, close REAL, volume INTEGER)'",
             dir);
    t = run_timed(cmd);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/plain.db' '.import --csv --skip 1 %s prices'", dir,
             csv);
    t = t < 0 ? -1 : run_timed(cmd);
    if (t < 0) {
        failed = 1;
    } else {
        report("sqlite3_import", ROWS, t);
        ratio("sqlite_tradecore_vs_import", ours, rate_of(ROWS, t));
    }
    t = sq_bad ? -1 : sqlite_same_table(dir, csv);
    if (t < 0) {
        failed = 1;
    } else {
        report("sqlite3_import_same_table", ROWS, t);
        ratio("sqlite_tradecore_vs_import_same_table", ours, rate_of(ROWS, t));
    }

    /* PostgreSQL */
    snprintf(db, sizeof db, "bench_ingest_%ld", (long)getpid());
    if (tc_bench_pg_create("bench_ingest", db, server, sizeof server, url, sizeof url) == 0) {
        ours = 0;
        int bad = ingest_tc("postgres_tradecore", url, csv, &ours) != 0;
        failed |= bad;
        snprintf(cmd, sizeof cmd,
                 "psql -q -v ON_ERROR_STOP=1 '%s' -c 'CREATE TABLE plain_prices (date TEXT, "
                 "symbol TEXT, open NUMERIC(20,8), high NUMERIC(20,8), low NUMERIC(20,8), "
                 "close NUMERIC(20,8), volume BIGINT)'",
                 url);
        t = run_timed(cmd);
        snprintf(cmd, sizeof cmd,
                 "psql -q -v ON_ERROR_STOP=1 '%s' -c '\\copy plain_prices FROM %s CSV "
                 "HEADER'",
                 url, csv);
        t = t < 0 ? -1 : run_timed(cmd);
        if (t < 0) {
            failed = 1;
        } else {
            report("psql_copy", ROWS, t);
            ratio("postgres_tradecore_vs_copy", ours, rate_of(ROWS, t));
        }
        t = bad ? -1 : pg_same_table(dir, url, csv);
        if (t < 0) {
            failed = 1;
        } else {
            report("psql_copy_same_table", ROWS, t);
            ratio("postgres_tradecore_vs_copy_same_table", ours, rate_of(ROWS, t));
        }
        tc_bench_pg_drop("bench_ingest", server, db);
    } else {
        failed = 1;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        failed = 1;
    return failed;
}
