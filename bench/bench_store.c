/*
 * Durable single-row commits: tc_store_txn on sqlite (file, WAL,
 * synchronous=FULL) and PostgreSQL, beside bare sqlite3 and bare libpq loops
 * doing the same one-row-per-commit inserts, to show what the store layer costs.
 * Each case runs up to MAX_ROWS commits or BUDGET_US, whichever comes first.
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_pg.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/store.h"

#define MAX_ROWS 5000
#define BUDGET_US 7000000

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

struct run {
    int64_t lat[MAX_ROWS];
    int n;
    int64_t total_us;
};

static void report(const char *name, struct run *r)
{
    if (r->n == 0) {
        fprintf(stderr, "bench_store: %s: no commits\n", name);
        return;
    }
    qsort(r->lat, (size_t)r->n, sizeof(r->lat[0]), cmp_i64);
    printf("store\t%s\tcommits_per_sec\t%.1f\t1/s\n", name,
           (double)r->n * 1e6 / (double)(r->total_us ? r->total_us : 1));
    printf("store\t%s\tcommit_p50\t%lld\tus\n", name, (long long)r->lat[r->n / 2]);
    printf("store\t%s\tcommit_p99\t%lld\tus\n", name,
           (long long)r->lat[(r->n * 99) / 100 >= r->n ? r->n - 1 : (r->n * 99) / 100]);
    printf("store\t%s\trows\t%d\tcount\n", name, r->n);
}

/* ---- through tc_store ---------------------------------------------------- */

struct ins {
    int64_t id;
};

static int insert_one(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct ins *in = ud;
    struct tc_val p[4] = {TC_V_INT(in->id), TC_V_TEXT("AAPL"),
                          TC_V_DEC(tc_dec_from_raw(12345678900 + in->id)),
                          TC_V_TIME(1795301400123456 + in->id)};
    return tc_txn_exec(tx, "INSERT INTO fills (id, symbol, price, ts) VALUES ($1, $2, $3, $4)", p,
                       4, NULL, NULL, NULL, err);
}

static int bench_tc(const char *name, const char *url, const char *ddl)
{
    static struct run r;
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    struct tc_txn *tx = NULL;
    int64_t start;

    memset(&r, 0, sizeof(r));
    if (tc_store_open(url, NULL, &s, &err) != 0 || tc_store_begin(s, 0, &tx, &err) != 0 ||
        tc_txn_exec_script(tx, ddl, &err) != 0 || tc_txn_commit(tx, &err) != 0) {
        fprintf(stderr, "bench_store: %s: %s\n", name, err.msg);
        tc_store_close(s);
        return -1;
    }
    start = now_us();
    for (int i = 0; i < MAX_ROWS && now_us() - start < BUDGET_US; i++) {
        struct ins in = {i + 1};
        int64_t t0 = now_us();
        if (tc_store_txn(s, TC_TXN_WRITE, insert_one, &in, &err) != 0) {
            fprintf(stderr, "bench_store: %s: %s\n", name, err.msg);
            tc_store_close(s);
            return -1;
        }
        r.lat[r.n++] = now_us() - t0;
    }
    r.total_us = now_us() - start;
    tc_store_close(s);
    report(name, &r);
    return 0;
}

/* ---- bare sqlite3 -------------------------------------------------------- */

static int bench_raw_sqlite(const char *path)
{
    static struct run r;
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *begin = NULL, *commit = NULL;
    int64_t start;
    char ts[TC_TIME_STRLEN];
    int rc = -1;

    memset(&r, 0, sizeof(r));
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        goto out;
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                     "CREATE TABLE fills (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, "
                     "price INTEGER NOT NULL, ts TEXT NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO fills (id, symbol, price, ts) VALUES (?1, ?2, ?3, ?4)",
                           -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK)
        goto out;
    start = now_us();
    for (int i = 0; i < MAX_ROWS && now_us() - start < BUDGET_US; i++) {
        int64_t t0 = now_us();
        tc_time_format(1795301400123456 + i + 1, ts, sizeof(ts));
        sqlite3_step(begin);
        sqlite3_reset(begin);
        sqlite3_bind_int64(ins, 1, i + 1);
        sqlite3_bind_text(ins, 2, "AAPL", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, 12345678900 + i + 1);
        sqlite3_bind_text(ins, 4, ts, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE)
            goto out;
        sqlite3_reset(ins);
        if (sqlite3_step(commit) != SQLITE_DONE)
            goto out;
        sqlite3_reset(commit);
        r.lat[r.n++] = now_us() - t0;
    }
    r.total_us = now_us() - start;
    rc = 0;
    report("sqlite_raw_sqlite3", &r);
out:
    if (rc != 0)
        fprintf(stderr, "bench_store: raw sqlite3: %s\n", db ? sqlite3_errmsg(db) : "open failed");
    sqlite3_finalize(ins);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return rc;
}

/* ---- bare libpq ---------------------------------------------------------- */

static int bench_raw_pq(const char *url)
{
    static struct run r;
    PGconn *c = PQconnectdb(url);
    PGresult *res;
    int64_t start;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    if (PQstatus(c) != CONNECTION_OK)
        goto out;
    res = PQexec(c, "SET TimeZone TO 'UTC'; CREATE TABLE fills_raw (id BIGINT PRIMARY KEY, "
                    "symbol TEXT NOT NULL, price NUMERIC(20,8) NOT NULL, ts TIMESTAMPTZ NOT NULL)");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        PQclear(res);
        goto out;
    }
    PQclear(res);
    res = PQprepare(c, "ins",
                    "INSERT INTO fills_raw (id, symbol, price, ts) VALUES ($1, $2, $3, $4)", 4,
                    NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        PQclear(res);
        goto out;
    }
    PQclear(res);
    start = now_us();
    for (int i = 0; i < MAX_ROWS && now_us() - start < BUDGET_US; i++) {
        char id[32], price[TC_DEC_STRLEN], ts[TC_TIME_STRLEN];
        const char *vals[4] = {id, "AAPL", price, ts};
        int64_t t0 = now_us();
        snprintf(id, sizeof(id), "%d", i + 1);
        tc_dec_format(tc_dec_from_raw(12345678900 + i + 1), price, sizeof(price));
        tc_time_format(1795301400123456 + i + 1, ts, sizeof(ts));
        res = PQexecPrepared(c, "ins", 4, vals, NULL, NULL, 0); /* autocommit: one commit */
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            PQclear(res);
            goto out;
        }
        PQclear(res);
        r.lat[r.n++] = now_us() - t0;
    }
    r.total_us = now_us() - start;
    rc = 0;
    report("postgres_raw_libpq", &r);
out:
    if (rc != 0)
        fprintf(stderr, "bench_store: raw libpq: %s", PQerrorMessage(c));
    PQfinish(c);
    return rc;
}

int main(void)
{
    const char *base = getenv("TC_TEST_TMP");
    char dir[512], url[1024], path[1024], server[1024], pgurl[1024], db[64], sql[128];
    int failed = 0;

    snprintf(dir, sizeof(dir), "%s/bench_store_%ld", base && *base ? base : "/tmp",
             (long)getpid());
    mkdir(dir, 0755);
    snprintf(url, sizeof(url), "sqlite:%s/tc.db", dir);
    snprintf(path, sizeof(path), "%s/raw.db", dir);
    failed |= bench_tc("sqlite_tc_store_txn", url,
                       "CREATE TABLE fills (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, "
                       "price INTEGER NOT NULL, ts TEXT NOT NULL)") != 0;
    failed |= bench_raw_sqlite(path) != 0;
    snprintf(sql, sizeof(sql), "%s/tc.db", dir);
    unlink(sql);
    snprintf(sql, sizeof(sql), "%s/tc.db-wal", dir);
    unlink(sql);
    snprintf(sql, sizeof(sql), "%s/tc.db-shm", dir);
    unlink(sql);
    unlink(path);

    snprintf(db, sizeof(db), "bench_store_%ld", (long)getpid());
    if (tc_bench_pg_create("bench_store", db, server, sizeof(server), pgurl, sizeof(pgurl)) != 0)
        return 1;
    failed |= bench_tc("postgres_tc_store_txn", pgurl,
                       "CREATE TABLE fills (id BIGINT PRIMARY KEY, symbol TEXT NOT NULL, "
                       "price NUMERIC(20,8) NOT NULL, ts TIMESTAMPTZ NOT NULL)") != 0;
    failed |= bench_raw_pq(pgurl) != 0;
    tc_bench_pg_drop("bench_store", server, db);
    rmdir(dir);
    return failed;
}
