/*
 * The ledger's durable paths on sqlite (file, WAL, synchronous=FULL) and
 * PostgreSQL (a fresh database on the fixture server), each beside the bare
 * single-row durable insert rate of the same database in the same run:
 *
 *   save      a STOP_UPDATE signal: the ledger's own save path (signal_log
 *             row + optimistic-lock UPDATE of the position + outcome, one
 *             commit); median and p99 latency (target: p99 < 5 ms)
 *   read      tc_ledger_position_get of a cached position; median and p99 in
 *             ns (target: < 1 µs)
 *   signals   unique BASE_ENTRY / EXIT signals end to end with the instant
 *             broker; signals per second (target: within 80% of the bare
 *             insert rate) and the commits each signal took, counted at the
 *             ledger's "*:before_commit" fault points
 *
 * Where the time goes: with the instant broker (in_txn, broker.h) an
 * accepted entry or exit is ONE commit: the signal_log row, the position,
 * the order, its acknowledgement and its fill are written in the signal
 * transaction (it was three commits: signal, fill, acknowledgement). A
 * broker that talks to the outside world takes two: the signal first, then
 * the acknowledgement with the fills it reported from inside submit.
 *
 *   backtest  the same sequence of signals built in code (tc_ledger_submit,
 *             BASE_ENTRY / PYRAMID / EXIT over 50 instruments, mode
 *             BACKTEST, sequential ids, a manual clock) with the instant
 *             broker, on an in-memory ledger (in_memory) and on the
 *             sqlite ":memory:" store backtests used before it; signals per
 *             second of each and their ratio
 *
 * The "phase A>B" rows split a signal's time between consecutive fault
 * points. The phase that spans the commit is, on both backends, the WAL /
 * journal flush: traced on PostgreSQL (strace of the backend, server
 * statement log), the commit-to-next-begin gap was the backend's fdatasync
 * of the WAL, whose latency on the test machines ranges from 0.2 ms to
 * several ms with the disk's other load; no sleep, retry, reconnect,
 * advisory lock, per-transaction SET or re-preparation was found (each
 * statement is prepared once per connection). The bare insert rate is
 * measured a few seconds before the signals, so a change in the disk's
 * load between the two moves the "vs_bare_insert" ratio either way: read
 * it over several runs.
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
#include "tradecore/accounts.h"
#include "tradecore/broker.h"
#include "tradecore/clock.h"
#include "tradecore/ledger.h"
#include "tradecore/log.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define MAX_OPS 2000
#define BUDGET_US 4000000
#define READS 200000

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t pct(int64_t *v, int n, int p)
{
    int k = (n * p) / 100;
    return v[k >= n ? n - 1 : k];
}

static int64_t commits;

/* Where a signal's time goes: the time between consecutive fault points
 * (and from the call to the first, and from the last to the return),
 * summed per pair of points over a run. */
#define MAX_PHASES 16
static struct phase {
    char name[64];
    int64_t ns;
} phases[MAX_PHASES];
static int nphases;
static const char *last_point;
static int64_t last_ns;

static void phase_add(const char *from, const char *to, int64_t ns)
{
    char name[64];
    snprintf(name, sizeof(name), "%s>%s", from, to);
    for (int k = 0; k < nphases; k++) {
        if (strcmp(phases[k].name, name) == 0) {
            phases[k].ns += ns;
            return;
        }
    }
    if (nphases < MAX_PHASES) {
        snprintf(phases[nphases].name, sizeof(phases[nphases].name), "%s", name);
        phases[nphases++].ns = ns;
    }
}

static int count_commits(const char *point, void *ud)
{
    int64_t t = now_ns();
    (void)ud;
    if (strstr(point, "before_commit"))
        commits++;
    if (last_point)
        phase_add(last_point, point, t - last_ns);
    last_point = point;
    last_ns = now_ns();
    return 0;
}

struct env {
    const char *name;
    struct tc_store *rt, *hist;
    struct tc_broker *broker;
    struct tc_ledger *l;
};

static int fail(const char *what, const struct tc_error *err)
{
    fprintf(stderr, "bench_ledger: %s: %s\n", what, tc_error_msg(err));
    return -1;
}

static int setup(struct env *e, const char *rt_url, const char *hist_url)
{
    struct tc_error err = {0};
    struct tc_market m = {0};
    struct tc_portfolio_def p = {0};
    struct tc_strategy_def s = {0};
    struct tc_refdata rd;
    struct tc_accounts acc;
    struct tc_ledger_options o;

    if (tc_store_open(rt_url, NULL, &e->rt, &err) != 0)
        return fail("runtime store", &err);
    if (strcmp(rt_url, hist_url) == 0)
        e->hist = e->rt;
    else if (tc_store_open(hist_url, NULL, &e->hist, &err) != 0)
        return fail("historical store", &err);
    if (tc_migrate_latest(e->rt, "runtime", &err) != 0 ||
        tc_migrate_latest(e->hist, "historical", &err) != 0)
        return fail("migrate", &err);
    rd = (struct tc_refdata){e->hist, NULL, "bench"};
    acc = (struct tc_accounts){e->rt, NULL, "bench"};
    snprintf(m.market_id, sizeof(m.market_id), "XNYS");
    snprintf(m.name, sizeof(m.name), "NYSE");
    snprintf(m.timezone, sizeof(m.timezone), "America/New_York");
    if (tc_refdata_market_create(&rd, &m, &err) != 0)
        return fail("market", &err);
    for (int k = 0; k < 2; k++) {
        struct tc_instrument in;
        tc_instrument_init(&in);
        snprintf(in.instrument_id, sizeof(in.instrument_id), "B%d", k);
        snprintf(in.market_id, sizeof(in.market_id), "XNYS");
        in.asset_class = TC_ASSET_EQUITY;
        snprintf(in.symbol, sizeof(in.symbol), "B%d", k);
        snprintf(in.currency, sizeof(in.currency), "USD");
        if (tc_refdata_instrument_create(&rd, &in, &err) != 0)
            return fail("instrument", &err);
    }
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "p1");
    snprintf(p.name, sizeof(p.name), "bench");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    tc_dec_parse("1000000", (size_t)-1, &p.initial_capital, NULL);
    snprintf(s.strategy_id, sizeof(s.strategy_id), "s1");
    snprintf(s.name, sizeof(s.name), "bench");
    s.enabled = 1;
    if (tc_accounts_portfolio_create(&acc, &p, &err) != 0 ||
        tc_accounts_strategy_create(&acc, &s, &err) != 0)
        return fail("accounts", &err);
    if (tc_broker_instant_new(NULL, &e->broker, &err) != 0)
        return fail("broker", &err);
    tc_ledger_options_default(&o);
    o.runtime = e->rt;
    o.historical = e->hist;
    o.broker = e->broker;
    o.fault = count_commits;
    if (tc_ledger_open(&o, &e->l, &err) != 0)
        return fail("ledger", &err);
    return 0;
}

static void teardown(struct env *e)
{
    tc_ledger_close(e->l);
    tc_broker_free(e->broker);
    if (e->hist != e->rt)
        tc_store_close(e->hist);
    tc_store_close(e->rt);
}

static int submit(struct env *e, const char *json, struct tc_signal_outcome *o)
{
    struct tc_error err = {0};
    if (tc_ledger_submit_signal(e->l, json, (size_t)-1, o, &err) != 0)
        return fail("signal", &err);
    if (o->status != TC_SIGNAL_ACCEPTED) {
        fprintf(stderr, "bench_ledger: signal rejected: %s\n", o->reason);
        return -1;
    }
    return 0;
}

static void ts_now(char *buf, size_t cap) { tc_time_format(tc_clock_now(NULL), buf, cap); }

/* Bare single-row durable inserts through the store layer. */
static double bench_insert(struct env *e)
{
    static int64_t lat[MAX_OPS];
    struct tc_error err = {0};
    int64_t t0 = now_ns(), t;
    int n = 0;

    if (tc_store_exec(e->rt, "CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, v TEXT NOT NULL)",
                      NULL, 0, NULL, NULL, NULL, &err) != 0)
        return fail("create", &err);
    while (n < MAX_OPS && (now_ns() - t0) / 1000 < BUDGET_US) {
        struct tc_val v[] = {TC_V_INT(n), TC_V_TEXT("row")};
        t = now_ns();
        if (tc_store_exec(e->rt, "INSERT INTO bench_rows (id, v) VALUES ($1, $2)", v, 2, NULL,
                          NULL, NULL, &err) != 0)
            return fail("insert", &err);
        lat[n++] = now_ns() - t;
    }
    t = now_ns() - t0;
    qsort(lat, (size_t)n, sizeof(lat[0]), cmp_i64);
    double rate = (double)n * 1e9 / (double)t;
    printf("ledger\t%s_bare_insert\tinserts_per_sec\t%.1f\t1/s\n", e->name, rate);
    printf("ledger\t%s_bare_insert\tcommit_p50\t%.3f\tms\n", e->name, pct(lat, n, 50) / 1e6);
    printf("ledger\t%s_bare_insert\tcommit_p99\t%.3f\tms\n", e->name, pct(lat, n, 99) / 1e6);
    return rate;
}

static int bench_save_and_read(struct env *e)
{
    static int64_t lat[MAX_OPS];
    static int64_t rlat[READS];
    struct tc_signal_outcome o;
    struct tc_position pos;
    struct tc_error err = {0};
    char json[512], ts[TC_TIME_STRLEN], pid[TC_ID_BUFSZ];
    int64_t t0, t;
    int n = 0;

    ts_now(ts, sizeof(ts));
    snprintf(json, sizeof(json),
             "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
             "\"instrument\":\"B1\",\"side\":\"LONG\",\"timestamp\":\"%s\",\"price\":\"100\","
             "\"stop\":\"50\",\"quantity\":\"10\",\"signal_id\":\"save-base\"}",
             ts);
    if (submit(e, json, &o) != 0)
        return -1;
    snprintf(pid, sizeof(pid), "%s", o.position_id);
    commits = 0;
    last_point = NULL;
    t0 = now_ns();
    while (n < MAX_OPS && (now_ns() - t0) / 1000 < BUDGET_US) {
        ts_now(ts, sizeof(ts));
        /* a tighter stop each time (50.0001, 50.0002, ...) */
        snprintf(json, sizeof(json),
                 "{\"type\":\"STOP_UPDATE\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                 "\"instrument\":\"B1\",\"side\":\"LONG\",\"timestamp\":\"%s\","
                 "\"stop\":\"50.%04d\",\"signal_id\":\"save-%d\"}",
                 ts, n + 1, n);
        t = now_ns();
        if (submit(e, json, &o) != 0)
            return -1;
        lat[n++] = now_ns() - t;
        if (n >= 9999)
            break;
    }
    qsort(lat, (size_t)n, sizeof(lat[0]), cmp_i64);
    printf("ledger\t%s_save_position\tsave_p50\t%.3f\tms\n", e->name, pct(lat, n, 50) / 1e6);
    printf("ledger\t%s_save_position\tsave_p99\t%.3f\tms\n", e->name, pct(lat, n, 99) / 1e6);
    printf("ledger\t%s_save_position\tcommits_per_save\t%.2f\tcount\n", e->name,
           (double)commits / n);
    printf("ledger\t%s_save_position\tsaves\t%d\tcount\n", e->name, n);

    for (int k = 0; k < READS; k++) {
        t = now_ns();
        if (tc_ledger_position_get(e->l, pid, &pos, &err) != 0)
            return fail("read", &err);
        rlat[k] = now_ns() - t;
    }
    if (pos.version < 2) {
        fprintf(stderr, "bench_ledger: the cached position lacks the saves\n");
        return -1;
    }
    qsort(rlat, READS, sizeof(rlat[0]), cmp_i64);
    printf("ledger\t%s_cached_read\tread_p50\t%lld\tns\n", e->name, (long long)pct(rlat, READS, 50));
    printf("ledger\t%s_cached_read\tread_p99\t%lld\tns\n", e->name, (long long)pct(rlat, READS, 99));
    return 0;
}

static int bench_signals(struct env *e, double insert_rate)
{
    struct tc_signal_outcome o;
    char json[512], ts[TC_TIME_STRLEN];
    int64_t t0 = now_ns(), t;
    int n = 0;

    commits = 0;
    nphases = 0;
    while (n < MAX_OPS && (now_ns() - t0) / 1000 < BUDGET_US) {
        ts_now(ts, sizeof(ts));
        if (n % 2 == 0)
            snprintf(json, sizeof(json),
                     "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                     "\"instrument\":\"B0\",\"side\":\"LONG\",\"timestamp\":\"%s\","
                     "\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"5\","
                     "\"signal_id\":\"sig-%d\"}",
                     ts, n);
        else
            snprintf(json, sizeof(json),
                     "{\"type\":\"EXIT\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                     "\"instrument\":\"B0\",\"side\":\"LONG\",\"timestamp\":\"%s\","
                     "\"price\":\"101\",\"signal_id\":\"sig-%d\"}",
                     ts, n);
        last_point = "call";
        last_ns = now_ns();
        if (submit(e, json, &o) != 0)
            return -1;
        phase_add(last_point, "return", now_ns() - last_ns);
        last_point = NULL;
        n++;
    }
    t = now_ns() - t0;
    double rate = (double)n * 1e9 / (double)t;
    printf("ledger\t%s_signals\tsignals_per_sec\t%.1f\t1/s\n", e->name, rate);
    printf("ledger\t%s_signals\tcommits_per_signal\t%.2f\tcount\n", e->name, (double)commits / n);
    printf("ledger\t%s_signals\tvs_bare_insert\t%.1f\t%%\n", e->name,
           insert_rate > 0 ? 100.0 * rate / insert_rate : 0.0);
    printf("ledger\t%s_signals\tsignals\t%d\tcount\n", e->name, n);
    for (int k = 0; k < nphases; k++)
        printf("ledger\t%s_signals\tphase %s\t%.3f\tms/signal\n", e->name, phases[k].name,
               phases[k].ns / 1e6 / n);
    nphases = 0;
    return 0;
}

/* ---- backtest: in-memory ledger against sqlite ":memory:" ---------------- */

#define BT_INSTRUMENTS 50
#define BT_SIGNALS 20000

struct bt {
    struct tc_manual_clock mc;
    struct tc_ledger_seq_ids ids;
    struct tc_store *store;
    struct tc_broker *broker;
    struct tc_ledger *l;
};

static void bt_defs(struct tc_portfolio_def *p, struct tc_strategy_def *s)
{
    memset(p, 0, sizeof(*p));
    memset(s, 0, sizeof(*s));
    snprintf(p->portfolio_id, sizeof(p->portfolio_id), "p1");
    snprintf(p->name, sizeof(p->name), "bench");
    snprintf(p->base_currency, sizeof(p->base_currency), "USD");
    tc_dec_parse("1000000", (size_t)-1, &p->initial_capital, NULL);
    snprintf(s->strategy_id, sizeof(s->strategy_id), "s1");
    snprintf(s->name, sizeof(s->name), "bench");
    s->enabled = 1;
    s->params = (char *)"{\"risk_fraction\":\"0.01\",\"max_pyramids\":1,"
                        "\"pyramid_distance\":\"1\"}";
}

static void bt_instrument(struct tc_instrument *in, int k)
{
    tc_instrument_init(in);
    snprintf(in->instrument_id, sizeof(in->instrument_id), "I%03d", k);
    snprintf(in->market_id, sizeof(in->market_id), "XNYS");
    in->asset_class = TC_ASSET_EQUITY;
    snprintf(in->symbol, sizeof(in->symbol), "I%03d", k);
    snprintf(in->currency, sizeof(in->currency), "USD");
}

static int bt_open(struct bt *b, int in_memory)
{
    struct tc_error err = {0};
    struct tc_portfolio_def p;
    struct tc_strategy_def s;
    struct tc_ledger_options o;

    memset(b, 0, sizeof(*b));
    tc_manual_clock_init(&b->mc, INT64_C(1704067200000000));
    snprintf(b->ids.prefix, sizeof(b->ids.prefix), "bt");
    bt_defs(&p, &s);
    if (!in_memory) {
        struct tc_refdata rd;
        struct tc_accounts acc;
        struct tc_market m = {0};
        if (tc_store_open("sqlite::memory:", NULL, &b->store, &err) != 0 ||
            tc_migrate_latest(b->store, "runtime", &err) != 0 ||
            tc_migrate_latest(b->store, "historical", &err) != 0)
            return fail("backtest store", &err);
        rd = (struct tc_refdata){b->store, &b->mc.clock, "bench"};
        acc = (struct tc_accounts){b->store, &b->mc.clock, "bench"};
        snprintf(m.market_id, sizeof(m.market_id), "XNYS");
        snprintf(m.name, sizeof(m.name), "NYSE");
        snprintf(m.timezone, sizeof(m.timezone), "America/New_York");
        if (tc_refdata_market_create(&rd, &m, &err) != 0)
            return fail("market", &err);
        for (int k = 0; k < BT_INSTRUMENTS; k++) {
            struct tc_instrument in;
            bt_instrument(&in, k);
            if (tc_refdata_instrument_create(&rd, &in, &err) != 0)
                return fail("instrument", &err);
        }
        if (tc_accounts_portfolio_create(&acc, &p, &err) != 0 ||
            tc_accounts_strategy_create(&acc, &s, &err) != 0)
            return fail("accounts", &err);
    }
    if (tc_broker_instant_new(NULL, &b->broker, &err) != 0)
        return fail("broker", &err);
    tc_ledger_options_default(&o);
    o.runtime = b->store;
    o.historical = b->store;
    o.in_memory = in_memory;
    o.clock = &b->mc.clock;
    o.broker = b->broker;
    o.mode = TC_MODE_BACKTEST;
    o.run_id = "bt";
    o.no_recovery = 1;
    o.id_fn = tc_ledger_seq_id;
    o.id_ud = &b->ids;
    if (tc_ledger_open(&o, &b->l, &err) != 0)
        return fail("ledger", &err);
    if (in_memory) {
        if (tc_ledger_mem_add_portfolio(b->l, &p, &err) != 0 ||
            tc_ledger_mem_add_strategy(b->l, &s, &err) != 0)
            return fail("definitions", &err);
        for (int k = 0; k < BT_INSTRUMENTS; k++) {
            struct tc_instrument in;
            bt_instrument(&in, k);
            if (tc_ledger_mem_add_instrument(b->l, &in, &err) != 0)
                return fail("instrument", &err);
        }
    }
    return 0;
}

static void bt_close(struct bt *b)
{
    tc_ledger_close(b->l);
    tc_broker_free(b->broker);
    tc_store_close(b->store);
}

/* Signal N of the sequence: per instrument, BASE_ENTRY, PYRAMID, EXIT in
 * turn, one "bar" (a day) apart, prices moving with N. */
static void bt_signal(int n, int64_t day_us, struct tc_signal *sig)
{
    int k = n % BT_INSTRUMENTS, turn = (n / BT_INSTRUMENTS) % 3;
    int64_t cents = 10000 + (n / BT_INSTRUMENTS) * 7 % 900 + k;

    memset(sig, 0, sizeof(*sig));
    sig->type = turn == 0 ? TC_SIGNAL_BASE_ENTRY : turn == 1 ? TC_SIGNAL_PYRAMID : TC_SIGNAL_EXIT;
    sig->side = TC_SIDE_LONG;
    snprintf(sig->portfolio, sizeof(sig->portfolio), "p1");
    snprintf(sig->strategy, sizeof(sig->strategy), "s1");
    snprintf(sig->instrument, sizeof(sig->instrument), "I%03d", k);
    sig->price.raw = cents * 1000000; /* 8 places: cents × 10^6 */
    sig->has_price = 1;
    if (turn == 0) {
        sig->stop.raw = sig->price.raw - INT64_C(500000000);
        sig->has_stop = 1;
    }
    sig->timestamp_us = day_us;
}

static int bt_run(struct bt *b, double *rate, int *accepted)
{
    struct tc_signal sig;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    int64_t t0 = now_ns();

    *accepted = 0;
    for (int n = 0; n < BT_SIGNALS; n++) {
        if (n % BT_INSTRUMENTS == 0)
            b->mc.now_us += INT64_C(86400000000);
        bt_signal(n, b->mc.now_us, &sig);
        if (tc_ledger_submit(b->l, &sig, &o, &err) != 0)
            return fail("backtest signal", &err);
        *accepted += o.status == TC_SIGNAL_ACCEPTED;
    }
    *rate = (double)BT_SIGNALS * 1e9 / (double)(now_ns() - t0);
    return 0;
}

static int bench_backtest_modes(void)
{
    struct bt b;
    double rate[2] = {0, 0};
    int acc[2] = {0, 0}, rc = 0;
    struct tc_portfolio_state st[2];
    struct tc_error err = {0};
    static const char *const names[] = {"memory", "sqlite_memory"};

    for (int m = 0; m < 2 && rc == 0; m++) {
        if (bt_open(&b, m == 0) != 0 || bt_run(&b, &rate[m], &acc[m]) != 0 ||
            tc_ledger_portfolio_state(b.l, "p1", &st[m], &err) != 0)
            rc = -1;
        bt_close(&b);
    }
    if (rc != 0)
        return rc;
    /* the same decisions in both modes, or the comparison means nothing */
    if (acc[0] != acc[1] || tc_dec_cmp(st[0].cash, st[1].cash) != 0 ||
        st[0].version != st[1].version) {
        fprintf(stderr, "bench_ledger: the memory and sqlite backtests differ\n");
        return -1;
    }
    for (int m = 0; m < 2; m++) {
        printf("ledger\tbacktest_%s\tsignals_per_sec\t%.1f\t1/s\n", names[m], rate[m]);
        printf("ledger\tbacktest_%s\tsignals\t%d\tcount\n", names[m], BT_SIGNALS);
        printf("ledger\tbacktest_%s\taccepted\t%d\tcount\n", names[m], acc[m]);
    }
    printf("ledger\tbacktest_memory\tvs_sqlite_memory\t%.1f\tx\n",
           rate[1] > 0 ? rate[0] / rate[1] : 0.0);
    return 0;
}

static int run(const char *name, const char *rt_url, const char *hist_url)
{
    struct env e = {name, NULL, NULL, NULL, NULL};
    double rate;
    int rc = -1;

    if (setup(&e, rt_url, hist_url) != 0)
        goto out;
    if ((rate = bench_insert(&e)) <= 0 || bench_save_and_read(&e) != 0 ||
        bench_signals(&e, rate) != 0)
        goto out;
    rc = 0;
out:
    teardown(&e);
    return rc;
}

int main(void)
{
    const char *base = getenv("TC_TEST_TMP");
    char dir[512], rt[1024], hist[1024], server[1024], pgurl[1024], db[64], sql[160];
    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    int failed = 0;

    lc.level = TC_LOG_ERROR;
    tc_log_open(&lc, NULL);
    failed |= bench_backtest_modes() != 0;
    snprintf(dir, sizeof(dir), "%s/bench_ledger_%ld", base && *base ? base : "/tmp",
             (long)getpid());
    mkdir(dir, 0755);
    snprintf(rt, sizeof(rt), "sqlite:%s/runtime.db", dir);
    snprintf(hist, sizeof(hist), "sqlite:%s/historical.db", dir);
    failed |= run("sqlite", rt, hist) != 0;
    for (int k = 0; k < 2; k++) {
        static const char *const files[] = {"runtime.db", "historical.db"};
        static const char *const sfx[] = {"", "-wal", "-shm"};
        for (int j = 0; j < 3; j++) {
            snprintf(sql, sizeof(sql), "%s/%s%s", dir, files[k], sfx[j]);
            unlink(sql);
        }
    }
    rmdir(dir);

    snprintf(db, sizeof(db), "bench_ledger_%ld", (long)getpid());
    if (tc_bench_pg_create("bench_ledger", db, server, sizeof(server), pgurl, sizeof(pgurl)) != 0) {
        tc_log_close();
        return 1;
    }
    failed |= run("postgres", pgurl, pgurl) != 0;
    tc_bench_pg_drop("bench_ledger", server, db);
    tc_log_close();
    return failed;
}
