/*
 * POST /v1/signals through `tradecore serve` on loopback, driven by wrk with
 * a Lua script (written here into the run's folder) that makes every signal
 * unique (its own signal_id, and its own instrument so that every BASE_ENTRY
 * is accepted: one full ledger transaction each). Requests per second and
 * latency percentiles at 1 and 16 connections, on sqlite and on PostgreSQL,
 * beside the bare durable-commit rate of the same store in the same run (one
 * single-row INSERT per transaction through tc_store_exec, one thread).
 * Rows: "service<TAB>case<TAB>metric<TAB>value<TAB>unit".
 * Needs wrk, $TC_TEST_BIN and $TC_TEST_PG_URL_FILE (scripts/bench.sh sets them).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_pg.h"
#include "bench_proc.h"
#include "tradecore/clock.h"
#include "tradecore/store.h"

#define N_INSTRUMENTS 100000
#define PER_THREAD 50000

static const char *bin;

static int run(const char *dir, char *const argv[])
{
    return tc_bench_wait(tc_bench_spawn(dir, argv));
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* The wrk script: thread k sends B<OFFSET + k*PER_THREAD + i> with signal_id
 * "<run>-<k>-<i>", so no two requests share an id or an open base. */
static int write_lua(const char *dir, const char *run_tag, int offset)
{
    char path[700], ts[40], text[2048];

    tc_time_format(tc_clock_now(tc_clock_system()), ts, sizeof(ts));
    snprintf(path, sizeof(path), "%s/signals.lua", dir);
    snprintf(text, sizeof(text),
             "local threads = {}\n"
             "function setup(thread)\n"
             "  thread:set(\"tid\", #threads)\n"
             "  table.insert(threads, thread)\n"
             "end\n"
             "local n = 0\n"
             "function request()\n"
             "  n = n + 1\n"
             "  local inst = %d + tid * %d + n\n"
             "  local body = string.format('{\"type\":\"BASE_ENTRY\",\"portfolio\":\"main\","
             "\"strategy\":\"s1\",\"instrument\":\"B%%d\",\"side\":\"LONG\",\"timestamp\":"
             "\"%s\",\"price\":\"10\",\"quantity\":\"1\",\"signal_id\":\"%s-%%d-%%d\"}', inst, "
             "tid, n)\n"
             "  return wrk.format(\"POST\", \"/v1/signals\", {[\"Content-Type\"] = "
             "\"application/json\", [\"Authorization\"] = \"Bearer bench\"}, body)\n"
             "end\n",
             offset, PER_THREAD, ts, run_tag);
    return write_file(path, text);
}

static int run_wrk(const char *dir, const char *backend, int port, int conns)
{
    char name[64], extra[700], url[64];

    snprintf(name, sizeof(name), "signals_%s_c%d", backend, conns);
    snprintf(extra, sizeof(extra), "-s %s/signals.lua", dir);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/signals", port);
    return tc_bench_wrk("service", name, 1, conns, 3, extra, url);
}

/* One single-row INSERT per durable transaction for SECONDS. */
static int bare_commits(const char *backend, const char *url, double seconds)
{
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    int64_t t0, t, n = 0;

    if (tc_store_open(url, NULL, &s, &err) != 0 ||
        tc_store_exec(s, "CREATE TABLE bench_commit (id BIGINT PRIMARY KEY, v TEXT NOT NULL)",
                      NULL, 0, NULL, NULL, NULL, &err) != 0) {
        fprintf(stderr, "bench_service: %s: %s\n", backend, tc_error_msg(&err));
        tc_store_close(s);
        return -1;
    }
    t0 = tc_clock_monotonic(NULL);
    do {
        struct tc_val v[] = {TC_V_INT(n), TC_V_TEXT("signal-sized row")};
        if (tc_store_exec(s, "INSERT INTO bench_commit (id, v) VALUES ($1, $2)", v, 2, NULL,
                          NULL, NULL, &err) != 0) {
            fprintf(stderr, "bench_service: %s: %s\n", backend, tc_error_msg(&err));
            tc_store_close(s);
            return -1;
        }
        n++;
        t = tc_clock_monotonic(NULL) - t0;
    } while (t < (int64_t)(seconds * 1e6));
    printf("service\tcommit_%s\tcommits_per_sec\t%.0f\tcommits/s\n", backend, (double)n * 1e6 / (double)t);
    fflush(stdout);
    tc_store_close(s);
    return 0;
}

/* Creates instruments B1..B<N_INSTRUMENTS> as copies of SEED in one statement. */
static int many_instruments(const char *url)
{
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    char sql[2048];
    int rc;

    snprintf(sql, sizeof(sql),
             "INSERT INTO instruments (instrument_id, market_id, asset_class, symbol, currency, "
             "multiplier, tick_size, lot_size, status, metadata, created_at, updated_at, "
             "created_by, updated_by) SELECT 'B' || c.n, i.market_id, i.asset_class, 'B' || c.n, "
             "i.currency, i.multiplier, i.tick_size, i.lot_size, i.status, i.metadata, "
             "i.created_at, i.updated_at, i.created_by, i.updated_by FROM instruments i, (WITH "
             "RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < %d) SELECT n "
             "FROM r) c WHERE i.instrument_id = 'SEED'",
             N_INSTRUMENTS);
    rc = tc_store_open(url, NULL, &s, &err) || tc_store_exec(s, sql, NULL, 0, NULL, NULL, NULL, &err);
    if (rc)
        fprintf(stderr, "bench_service: instruments: %s\n", tc_error_msg(&err));
    tc_store_close(s);
    return rc ? -1 : 0;
}

static int bench_backend(const char *backend, const char *dir, const char *url)
{
    char yaml[2048], path[700], portfile[700], tag[32];
    pid_t srv;
    int port = 0, rc = -1;

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        perror(dir);
        return -1;
    }
    snprintf(yaml, sizeof(yaml),
             "log:\n  level: warn\n  file: serve.log\nserver:\n  tokens: bench\n  threads: 16\n"
             "  mode: paper\ndatabase:\n  runtime:\n    url: \"%s\"\n  historical:\n    url: \"%s\"\n",
             url, url);
    snprintf(path, sizeof(path), "%s/tradecore.yaml", dir);
    snprintf(tag, sizeof(tag), "r%ld", (long)getpid());
    if (write_file(path, yaml) != 0 || write_lua(dir, tag, 0) != 0)
        return -1;
    {
        char *migrate[] = {(char *)bin, (char *)"db", (char *)"migrate", NULL};
        char *market[] = {(char *)bin, (char *)"market", (char *)"add", (char *)"XNYS",
                          (char *)"--name", (char *)"NYSE", (char *)"--timezone",
                          (char *)"America/New_York", NULL};
        char *inst[] = {(char *)bin, (char *)"instrument", (char *)"add", (char *)"SEED",
                        (char *)"--symbol", (char *)"SEED", (char *)"--market", (char *)"XNYS",
                        (char *)"--asset-class", (char *)"EQUITY", (char *)"--currency",
                        (char *)"USD", (char *)"--lot-size", (char *)"1", NULL};
        char *pf[] = {(char *)bin, (char *)"portfolio", (char *)"add", (char *)"main",
                      (char *)"--name", (char *)"Main", (char *)"--base-currency", (char *)"USD",
                      (char *)"--initial-capital", (char *)"1000000000", NULL};
        char *st[] = {(char *)bin, (char *)"strategy", (char *)"add", (char *)"s1",
                      (char *)"--name", (char *)"S1", NULL};
        if (run(dir, migrate) != 0 || run(dir, market) != 0 || run(dir, inst) != 0 ||
            run(dir, pf) != 0 || run(dir, st) != 0) {
            fprintf(stderr, "bench_service: %s: setting up the stores failed in %s\n", backend, dir);
            return -1;
        }
    }
    if (many_instruments(url) != 0)
        return -1;
    {
        char *argv[] = {(char *)bin, (char *)"serve", (char *)"--listen", (char *)"127.0.0.1:0",
                        (char *)"--port-file", (char *)"port", NULL};
        srv = tc_bench_spawn(dir, argv);
    }
    snprintf(portfile, sizeof(portfile), "%s/port", dir);
    port = tc_bench_read_port(portfile);
    if (port <= 0) {
        fprintf(stderr, "bench_service: %s: tradecore serve did not start\n", backend);
    } else {
        struct timespec ts = {0, 300 * 1000 * 1000}; /* let the leader settle */
        nanosleep(&ts, NULL);
        /* each run (one wrk thread) takes its own block of instruments */
        if (run_wrk(dir, backend, port, 1) == 0) {
            snprintf(tag, sizeof(tag), "s%ld", (long)getpid());
            if (write_lua(dir, tag, PER_THREAD) == 0 && run_wrk(dir, backend, port, 16) == 0)
                rc = 0;
        }
    }
    kill(srv, SIGTERM);
    if (tc_bench_wait(srv) != 0) {
        fprintf(stderr, "bench_service: %s: tradecore serve did not exit 0 on SIGTERM\n", backend);
        rc = -1;
    }
    if (rc == 0)
        rc = bare_commits(backend, url, 3);
    return rc;
}

int main(void)
{
    const char *base = getenv("TC_TEST_TMP");
    char dir[512], url[1200], server[1024] = "", db[64];
    int failed = 0;

    bin = getenv("TC_TEST_BIN");
    if (!bin)
        bin = "build/tradecore";
    if (!base)
        base = "/tmp";
    snprintf(dir, sizeof(dir), "%s/bench_service_%d_sqlite", base, (int)getpid());
    snprintf(url, sizeof(url), "sqlite:%s/tc.db", dir);
    failed |= bench_backend("sqlite", dir, url) != 0;

    snprintf(db, sizeof(db), "bench_service_%ld", (long)getpid());
    if (tc_bench_pg_create("bench_service", db, server, sizeof(server), url, sizeof(url)) != 0)
        return 1;
    snprintf(dir, sizeof(dir), "%s/bench_service_%d_pg", base, (int)getpid());
    failed |= bench_backend("postgres", dir, url) != 0;
    tc_bench_pg_drop("bench_service", server, db);
    return failed;
}
