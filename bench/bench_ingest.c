/*
 * Price ingest: a 1,000,000-row long-format CSV made by `tradecore gen-prices`
 * (fixed seed) loaded with tc_ingest_prices_file into a fresh sqlite file and a
 * fresh PostgreSQL database (every row checked, instruments created, one
 * transaction; PostgreSQL through COPY), beside `sqlite3 .import` and
 * `psql \copy` of the same file into a plain table of the same columns (no
 * checks, no keys), timed as child processes. Rows per second for each.
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

static void report(const char *cs, int64_t rows, int64_t us)
{
    row(cs, "rows_per_sec", (double)rows * 1e6 / (double)(us ? us : 1), "1/s");
    row(cs, "seconds", (double)us / 1e6, "s");
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

static int ingest_tc(const char *name, const char *url, const char *csv)
{
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    struct tc_refdata rd = {0};
    struct tc_market m = {0};
    struct tc_ingest_options o;
    struct tc_ingest_result r;
    int rc = -1;

    if (tc_store_open(url, NULL, &s, &err) != 0 ||
        tc_migrate_latest(s, "historical", &err) != 0)
        goto out;
    rd.store = s;
    snprintf(m.market_id, sizeof m.market_id, "XNYS");
    snprintf(m.name, sizeof m.name, "New York Stock Exchange");
    snprintf(m.timezone, sizeof m.timezone, "America/New_York");
    if (tc_refdata_market_create(&rd, &m, &err) != 0)
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

static int pg_admin(const char *server, const char *sql)
{
    PGconn *c = PQconnectdb(server);
    int ok = 0;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "bench_ingest: %s: %s", sql, PQerrorMessage(c));
        PQclear(r);
    } else {
        fprintf(stderr, "bench_ingest: connect: %s", PQerrorMessage(c));
    }
    PQfinish(c);
    return ok ? 0 : -1;
}

int main(void)
{
    const char *bin = getenv("TC_TEST_BIN");
    const char *tmp = getenv("TC_TEST_TMP");
    const char *urlfile = getenv("TC_TEST_PG_URL_FILE");
    char dir[512], csv[600], cmd[2048], url[1024], server[1024] = "", db[64];
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
    failed |= ingest_tc("sqlite_tradecore", url, csv) != 0;
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s/plain.db' 'CREATE TABLE prices (date TEXT, symbol TEXT, open REAL, "
             "high REAL, low REAL, close REAL, volume INTEGER)'",
             dir);
    t = run_timed(cmd);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/plain.db' '.import --csv --skip 1 %s prices'", dir,
             csv);
    t = t < 0 ? -1 : run_timed(cmd);
    if (t < 0)
        failed = 1;
    else
        report("sqlite3_import", ROWS, t);

    /* PostgreSQL */
    FILE *uf = urlfile ? fopen(urlfile, "r") : NULL;
    if (!uf || !fgets(server, sizeof server, uf)) {
        fprintf(stderr, "bench_ingest: no PostgreSQL URL in $TC_TEST_PG_URL_FILE\n");
        failed = 1;
    }
    if (uf)
        fclose(uf);
    server[strcspn(server, "\r\n")] = '\0';
    snprintf(db, sizeof db, "bench_ingest_%ld", (long)getpid());
    const char *slash = strstr(server, "://");
    slash = slash ? strchr(slash + 3, '/') : NULL;
    if (*server && slash) {
        const char *query = strchr(slash, '?');
        snprintf(url, sizeof url, "%.*s/%s%s", (int)(slash - server), server, db,
                 query ? query : "");
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
        if (pg_admin(server, sql) == 0) {
            failed |= ingest_tc("postgres_tradecore", url, csv) != 0;
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
            if (t < 0)
                failed = 1;
            else
                report("psql_copy", ROWS, t);
            snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
            pg_admin(server, sql);
        } else {
            failed = 1;
        }
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        failed = 1;
    return failed;
}
