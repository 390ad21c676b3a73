/* Crash safety of the ledger: a forked child applies a stream of signals
 * through the ledger with the instant broker and reports each acknowledged
 * one (its fingerprint written and fsync'd after tc_ledger_submit_signal
 * returned); the parent kills it with SIGKILL after a random delay, reopens
 * the ledger (which sends unacknowledged order intents again), and checks:
 *   - the signals in signal_log are exactly a prefix of the stream that
 *     contains every acknowledged one, each once (no duplicate counted);
 *   - the positions, orders, fills and money are exactly the effects of that
 *     prefix (so the first signal not logged left nothing, not part of its
 *     transaction), and tc_ledger_check is clean;
 *   - sending the whole stream again changes nothing for the logged ones
 *     (each answers duplicate) and applies the rest, ending in the state of
 *     the whole stream.
 * 50 trials on sqlite files, 10 on PostgreSQL (then up to as many again,
 * with shorter kill delays, while too few kills land inside the stream).
 * The random seed is printed (TC_CRASH_SEED overrides it). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tc_test.h"
#include "tradecore/accounts.h"
#include "tradecore/broker.h"
#include "tradecore/ledger.h"
#include "tradecore/ledger_query.h"
#include "tradecore/log.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */
#define TS "2025-11-21T22:50:00Z"
#define NINST 4
#define NSTEP 4                     /* BASE_ENTRY, PYRAMID, STOP_UPDATE, EXIT */
#define NSIGNALS (NINST * NSTEP)
#define SQLITE_TRIALS 50
#define PG_TRIALS 10
#define RATE "0.001"

static struct tc_rng rng;
static uint64_t seed;

struct trial {
    int pg;
    int n;
    char rt_url[1024], hist_url[1024];
    char ack_path[1024];
};

/* ------------------------------------------------------------------------ */
/* The stream                                                                 */

static void body(int k, char *buf, size_t cap)
{
    int inst = k / NSTEP, step = k % NSTEP;
    static const char *const parts[NSTEP] = {
        "\"type\":\"BASE_ENTRY\",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"10\"",
        "\"type\":\"PYRAMID\",\"price\":\"102\",\"quantity\":\"5\"",
        "\"type\":\"STOP_UPDATE\",\"price\":\"104\",\"stop\":\"97\"",
        "\"type\":\"EXIT\",\"price\":\"105\""};
    snprintf(buf, cap,
             "{%s,\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"C%d\","
             "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"signal_id\":\"sig-%02d\"}",
             parts[step], inst, k);
}

static void fingerprint(int k, char *buf, size_t cap) { snprintf(buf, cap, "id:sig-%02d", k); }

/* ------------------------------------------------------------------------ */
/* Stores                                                                     */

static int open_stores(const struct trial *t, struct tc_store **rt, struct tc_store **hist,
                       struct tc_error *err)
{
    *rt = *hist = NULL;
    if (tc_store_open(t->rt_url, NULL, rt, err) != 0)
        return -1;
    if (strcmp(t->rt_url, t->hist_url) == 0) {
        *hist = *rt;
        return 0;
    }
    if (tc_store_open(t->hist_url, NULL, hist, err) != 0) {
        tc_store_close(*rt);
        *rt = NULL;
        return -1;
    }
    return 0;
}

static void close_stores(struct tc_store *rt, struct tc_store *hist)
{
    if (hist != rt)
        tc_store_close(hist);
    tc_store_close(rt);
}

static int open_ledger(struct tc_store *rt, struct tc_store *hist, struct tc_manual_clock *clock,
                       struct tc_broker **b, struct tc_ledger **l, struct tc_error *err)
{
    struct tc_broker_instant_options io;
    struct tc_ledger_options o;

    tc_broker_instant_options_default(&io);
    tc_dec_parse(RATE, (size_t)-1, &io.commission_rate, NULL);
    io.clock = &clock->clock;
    if (tc_broker_instant_new(&io, b, err) != 0)
        return -1;
    tc_ledger_options_default(&o);
    o.runtime = rt;
    o.historical = hist;
    o.clock = &clock->clock;
    o.broker = *b;
    if (tc_ledger_open(&o, l, err) != 0) {
        tc_broker_free(*b);
        *b = NULL;
        return -1;
    }
    return 0;
}

static int prepare(struct trial *t, int n)
{
    char dir[512];
    struct tc_error err = {0};
    struct tc_store *rt = NULL, *hist = NULL;
    struct tc_manual_clock clock;
    struct tc_market m = {0};
    struct tc_portfolio_def p = {0};
    struct tc_strategy_def s = {0};
    struct tc_refdata rd;
    struct tc_accounts acc;
    int rc = -1;

    memset(t, 0, sizeof(*t));
    t->n = n;
    if (tc_test_tmpdir("crash", dir, sizeof(dir)) != 0)
        return -1;
    snprintf(t->ack_path, sizeof(t->ack_path), "%s/acks", dir);
    if (t->pg) {
        if (tc_test_pg_create_db("crash", t->rt_url, sizeof(t->rt_url)) != 0)
            return -1;
        snprintf(t->hist_url, sizeof(t->hist_url), "%s", t->rt_url);
    } else {
        snprintf(t->rt_url, sizeof(t->rt_url), "sqlite:%s/runtime.db", dir);
        snprintf(t->hist_url, sizeof(t->hist_url), "sqlite:%s/historical.db", dir);
    }
    if (open_stores(t, &rt, &hist, &err) != 0 || tc_migrate_latest(rt, "runtime", &err) != 0 ||
        tc_migrate_latest(hist, "historical", &err) != 0)
        goto out;
    tc_manual_clock_init(&clock, T0);
    rd = (struct tc_refdata){hist, &clock.clock, "tester"};
    acc = (struct tc_accounts){rt, &clock.clock, "tester"};
    snprintf(m.market_id, sizeof(m.market_id), "XNYS");
    snprintf(m.name, sizeof(m.name), "New York Stock Exchange");
    snprintf(m.timezone, sizeof(m.timezone), "America/New_York");
    if (tc_refdata_market_create(&rd, &m, &err) != 0)
        goto out;
    for (int k = 0; k < NINST; k++) {
        struct tc_instrument in;
        tc_instrument_init(&in);
        snprintf(in.instrument_id, sizeof(in.instrument_id), "C%d", k);
        snprintf(in.market_id, sizeof(in.market_id), "XNYS");
        in.asset_class = TC_ASSET_FUTURE;
        snprintf(in.symbol, sizeof(in.symbol), "C%d", k);
        snprintf(in.currency, sizeof(in.currency), "USD");
        tc_dec_parse("1", (size_t)-1, &in.multiplier, NULL);
        if (tc_refdata_instrument_create(&rd, &in, &err) != 0)
            goto out;
    }
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "p1");
    snprintf(p.name, sizeof(p.name), "main");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    tc_dec_parse("100000", (size_t)-1, &p.initial_capital, NULL);
    snprintf(s.strategy_id, sizeof(s.strategy_id), "s1");
    snprintf(s.name, sizeof(s.name), "trend");
    s.enabled = 1;
    s.params = (char *)"{\"max_pyramids\":3,\"pyramid_distance\":\"1\"}";
    if (tc_accounts_portfolio_create(&acc, &p, &err) != 0 ||
        tc_accounts_strategy_create(&acc, &s, &err) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "trial %d setup: %s\n", n, tc_error_msg(&err));
    close_stores(rt, hist);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The child                                                                  */

static void child(const struct trial *t)
{
    struct tc_error err = {0};
    struct tc_store *rt, *hist;
    struct tc_manual_clock clock;
    struct tc_broker *b = NULL;
    struct tc_ledger *l = NULL;
    int fd = open(t->ack_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

    if (fd < 0)
        _exit(2);
    tc_manual_clock_init(&clock, T0);
    if (open_stores(t, &rt, &hist, &err) != 0 ||
        open_ledger(rt, hist, &clock, &b, &l, &err) != 0) {
        fprintf(stderr, "child: %s\n", tc_error_msg(&err));
        _exit(3);
    }
    for (int k = 0; k < NSIGNALS; k++) {
        char json[512], line[TC_SIGNAL_FP_LEN + 2];
        struct tc_signal_outcome o;
        body(k, json, sizeof(json));
        if (tc_ledger_submit_signal(l, json, (size_t)-1, &o, &err) != 0) {
            fprintf(stderr, "child: signal %d: %s\n", k, tc_error_msg(&err));
            _exit(4);
        }
        int len = snprintf(line, sizeof(line), "%s\n", o.fingerprint);
        if (write(fd, line, (size_t)len) != len || fsync(fd) != 0)
            _exit(5);
    }
    tc_ledger_close(l);
    tc_broker_free(b);
    close_stores(rt, hist);
    _exit(0);
}

/* ------------------------------------------------------------------------ */
/* The model: what a prefix of M signals leaves behind                        */

#define D(text) tc_test_dec(text)

static const char *F(struct tc_dec d)
{
    static char buf[8][TC_DEC_STRLEN];
    static int i;
    i = (i + 1) % 8;
    tc_dec_format(d, buf[i], sizeof(buf[i]));
    return buf[i];
}

static int steps_done(int m, int inst)
{
    int d = m - inst * NSTEP;
    return d < 0 ? 0 : d > NSTEP ? NSTEP : d;
}

/* Checks the positions, orders, fills, money and signal log against a
 * prefix of M signals. */
static void check_state(struct tc_store *rt, int m, const char *when)
{
    struct tc_error err = {0};
    struct tc_position_list pl = {0};
    struct tc_order_list ol = {0};
    struct tc_signal_entry_list sl = {0};
    struct tc_portfolio_state st;
    struct tc_dec realized = TC_DEC_ZERO, commission = TC_DEC_ZERO, rate = D(RATE);
    size_t want_pos = 0, want_orders = 0;
    int found = 0;

    tc_assert_ok(tc_ledger_query_positions(rt, "p1", NULL, 0, &pl, &err), &err);
    tc_assert_ok(tc_ledger_query_orders(rt, "p1", 0, &ol, &err), &err);
    tc_assert_ok(tc_ledger_query_signals(rt, NULL, 0, 0, &sl, &err), &err);
    /* the signal log: exactly the prefix */
    if (sl.n != (size_t)m)
        fail_msg("%s: %zu signals logged, expected the first %d", when, sl.n, m);
    for (size_t k = 0; k < sl.n; k++) {
        char fp[TC_SIGNAL_FP_LEN];
        int found_fp = 0;
        for (int j = 0; j < m; j++) {
            fingerprint(j, fp, sizeof(fp));
            if (strcmp(fp, sl.items[k].fingerprint) == 0)
                found_fp = 1;
        }
        if (!found_fp)
            fail_msg("%s: logged signal %s is not in the prefix of %d", when,
                     sl.items[k].fingerprint, m);
        if (sl.items[k].status != TC_SIGNAL_ACCEPTED)
            fail_msg("%s: signal %s rejected: %s", when, sl.items[k].fingerprint,
                     sl.items[k].reason);
    }
    for (int inst = 0; inst < NINST; inst++) {
        int d = steps_done(m, inst);
        char iid[8];
        size_t n_inst = 0;
        snprintf(iid, sizeof(iid), "C%d", inst);
        want_pos += d >= 2 ? 2 : (size_t)d;
        want_orders += d == 4 ? 4 : d >= 2 ? 2 : (size_t)d;
        for (size_t k = 0; k < pl.n; k++) {
            const struct tc_position *p = &pl.items[k];
            if (strcmp(p->instrument_id, iid) != 0)
                continue;
            n_inst++;
            const char *qty = p->layer == 0 ? "10" : "5";
            const char *entry = p->layer == 0 ? "100" : "102";
            if (p->layer > 1 || (p->layer == 1 && d < 2))
                fail_msg("%s: %s has layer %d after %d steps", when, iid, p->layer, d);
            assert_string_equal(F(p->entry_price), entry);
            if (d < 4) {
                if (p->status != TC_POSITION_OPEN || strcmp(F(p->quantity), qty) != 0)
                    fail_msg("%s: %s layer %d is %s with %s, expected open with %s", when, iid,
                             p->layer, tc_position_status_name(p->status), F(p->quantity), qty);
                if (d >= 3 && strcmp(F(p->current_stop), "97") != 0)
                    fail_msg("%s: %s layer %d stop %s, expected 97", when, iid, p->layer,
                             F(p->current_stop));
                if (d < 3 && p->layer == 0 && strcmp(F(p->current_stop), "95") != 0)
                    fail_msg("%s: %s base stop %s, expected 95", when, iid, F(p->current_stop));
            } else {
                if (p->status != TC_POSITION_CLOSED || !tc_dec_is_zero(p->quantity) ||
                    strcmp(F(p->closed_quantity), qty) != 0)
                    fail_msg("%s: %s layer %d is %s (%s left, %s closed), expected closed", when,
                             iid, p->layer, tc_position_status_name(p->status), F(p->quantity),
                             F(p->closed_quantity));
                assert_string_equal(F(p->exit_price), "105");
                assert_string_equal(F(p->realized_pnl), p->layer == 0 ? "50" : "15");
            }
            assert_int_equal(tc_dec_add(realized, p->realized_pnl, &realized), 0);
        }
        if (n_inst != (d >= 2 ? 2u : (size_t)d))
            fail_msg("%s: %s has %zu positions after %d steps", when, iid, n_inst, d);
    }
    if (pl.n != want_pos)
        fail_msg("%s: %zu positions, expected %zu", when, pl.n, want_pos);
    if (ol.n != want_orders)
        fail_msg("%s: %zu orders, expected %zu (m=%d)", when, ol.n, want_orders, m);
    for (size_t k = 0; k < ol.n; k++) {
        const struct tc_order *o = &ol.items[k];
        struct tc_dec c;
        if (o->status != TC_ORDER_FILLED || tc_dec_cmp(o->filled_quantity, o->quantity) != 0)
            fail_msg("%s: order %s is %s with %s of %s filled", when, o->client_order_id,
                     tc_order_status_name(o->status), F(o->filled_quantity), F(o->quantity));
        assert_int_equal(tc_dec_mul(o->quantity, o->ref_price, TC_ROUND_HALF_EVEN, &c), 0);
        assert_int_equal(tc_dec_mul(c, rate, TC_ROUND_HALF_EVEN, &c), 0);
        assert_int_equal(tc_dec_add(commission, c, &commission), 0);
    }
    tc_assert_ok(tc_ledger_query_state(rt, "p1", &st, &found, &err), &err);
    if (m > 0) {
        struct tc_dec cash;
        assert_true(found);
        assert_string_equal(F(st.realized_pnl), F(realized));
        assert_string_equal(F(st.commission_paid), F(commission));
        assert_int_equal(tc_dec_add(D("100000"), realized, &cash), 0);
        assert_int_equal(tc_dec_sub(cash, commission, &cash), 0);
        assert_string_equal(F(st.cash), F(cash));
    }
    tc_position_list_release(&pl);
    tc_order_list_release(&ol);
    tc_signal_entry_list_release(&sl);
}

static int count_cb(const struct tc_row *row, void *ud)
{
    return tc_row_int(row, 0, ud) ? TC_EPARSE : 1;
}

static int64_t count_rows(struct tc_store *rt, const char *sql)
{
    struct tc_error err = {0};
    int64_t n = -1;
    tc_assert_ok(tc_store_exec(rt, sql, NULL, 0, count_cb, &n, NULL, &err), &err);
    return n;
}

/* A text image of everything the ledger wrote (versions included). */
static int image_cb(const struct tc_row *row, void *ud)
{
    char **buf = ud;
    for (int k = 0; k < tc_row_count(row); k++) {
        const char *s = "NULL";
        size_t old = strlen(*buf), len;
        if (!tc_row_is_null(row, k))
            assert_int_equal(tc_row_text(row, k, &s), 0);
        len = strlen(s);
        *buf = realloc(*buf, old + len + 2);
        assert_non_null(*buf);
        memcpy(*buf + old, s, len);
        (*buf)[old + len] = k + 1 == tc_row_count(row) ? '\n' : '|';
        (*buf)[old + len + 1] = '\0';
    }
    return 0;
}

static char *image(struct tc_store *rt)
{
    static const char *const sql[] = {
        "SELECT * FROM positions ORDER BY position_id", "SELECT * FROM orders ORDER BY order_id",
        "SELECT * FROM fills ORDER BY execution_id", "SELECT * FROM trades ORDER BY trade_id",
        "SELECT * FROM portfolio_state", "SELECT * FROM pyramiding_state ORDER BY instrument_id"};
    struct tc_error err = {0};
    char *buf = calloc(1, 1);
    assert_non_null(buf);
    for (size_t k = 0; k < sizeof(sql) / sizeof(sql[0]); k++)
        tc_assert_ok(tc_store_exec(rt, sql[k], NULL, 0, image_cb, &buf, NULL, &err), &err);
    return buf;
}

/* ------------------------------------------------------------------------ */
/* One trial                                                                  */

static int read_acks(const char *path, int *n)
{
    char line[128];
    FILE *f = fopen(path, "r");
    *n = 0;
    if (!f)
        return errno == ENOENT ? 0 : -1;
    while (fgets(line, sizeof(line), f)) {
        char fp[TC_SIGNAL_FP_LEN];
        line[strcspn(line, "\n")] = '\0';
        fingerprint(*n, fp, sizeof(fp));
        if (strcmp(line, fp) != 0) {
            fclose(f);
            fail_msg("acknowledgement %d is \"%s\", expected \"%s\"", *n, line, fp);
        }
        (*n)++;
    }
    fclose(f);
    return 0;
}

static void run_trial(int pg, int n, int max_delay_us, int *stats)
{
    struct trial t;
    struct tc_error err = {0};
    struct tc_store *rt = NULL, *hist = NULL;
    struct tc_manual_clock clock;
    struct tc_broker *b = NULL;
    struct tc_ledger *l = NULL;
    size_t nviol = 99;
    int acked = 0, status = 0, logged;
    int64_t delay = (int64_t)tc_rng_below(&rng, (uint64_t)max_delay_us);
    char when[64];
    pid_t pid;

    t.pg = pg;
    if (prepare(&t, n) != 0)
        fail_msg("trial %d: setup failed", n);
    t.pg = pg;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child(&t);
    usleep((useconds_t)delay);
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        fail_msg("trial %d: the child failed with status %d", n, WEXITSTATUS(status));
    assert_int_equal(read_acks(t.ack_path, &acked), 0);

    /* reopen: recovery sends order intents left NEW again */
    tc_manual_clock_init(&clock, T0);
    if (open_stores(&t, &rt, &hist, &err) != 0 ||
        open_ledger(rt, hist, &clock, &b, &l, &err) != 0)
        fail_msg("trial %d: reopen: %s", n, tc_error_msg(&err));
    logged = (int)count_rows(rt, "SELECT COUNT(*) FROM signal_log");
    snprintf(when, sizeof(when), "%s trial %d (delay %lld us, %d acked, %d logged)",
             pg ? "postgres" : "sqlite", n, (long long)delay, acked, logged);
    if (logged < acked)
        fail_msg("%s: an acknowledged signal is missing", when);
    check_state(rt, logged, when);
    tc_assert_ok(tc_ledger_check(l, NULL, NULL, &nviol, &err), &err);
    if (nviol)
        fail_msg("%s: %zu invariant violations", when, nviol);
    if (logged > acked)
        stats[0]++;          /* committed but killed before its acknowledgement */
    if (logged < NSIGNALS)
        stats[1]++;          /* killed mid-stream */

    /* the whole stream again: the logged ones are duplicates that change nothing */
    {
        char *before = image(rt), *after;
        for (int k = 0; k < NSIGNALS; k++) {
            char json[512];
            struct tc_signal_outcome o;
            body(k, json, sizeof(json));
            if (k == logged) {
                after = image(rt);
                if (strcmp(before, after) != 0)
                    fail_msg("%s: resending the logged signals changed the ledger", when);
                free(after);
            }
            tc_assert_ok(tc_ledger_submit_signal(l, json, (size_t)-1, &o, &err), &err);
            if (o.status != TC_SIGNAL_ACCEPTED)
                fail_msg("%s: resent signal %d rejected: %s", when, k, o.reason);
            if (o.duplicate != (k < logged))
                fail_msg("%s: resent signal %d: duplicate %d", when, k, o.duplicate);
        }
        if (logged == NSIGNALS) {
            after = image(rt);
            if (strcmp(before, after) != 0)
                fail_msg("%s: resending the logged signals changed the ledger", when);
            free(after);
        }
        free(before);
    }
    snprintf(when, sizeof(when), "%s trial %d after resending", pg ? "postgres" : "sqlite", n);
    check_state(rt, NSIGNALS, when);
    assert_int_equal(count_rows(rt, "SELECT COUNT(*) FROM signal_log WHERE duplicate_count <> 0"),
                     logged);
    assert_int_equal(count_rows(rt, "SELECT COUNT(*) FROM fills"), NINST * 4);
    assert_int_equal(count_rows(rt, "SELECT COUNT(*) FROM trades"), NINST * 2);
    tc_assert_ok(tc_ledger_check(l, NULL, NULL, &nviol, &err), &err);
    assert_int_equal(nviol, 0);
    tc_ledger_close(l);
    tc_broker_free(b);
    close_stores(rt, hist);
}

/* The time a whole stream takes on a backend: the kill delays spread over it. */
static int stream_time_us(int pg)
{
    struct trial t;
    int64_t t0, t1;
    pid_t pid;
    int status = 0;

    t.pg = pg;
    if (prepare(&t, -1) != 0)
        fail_msg("calibration: setup failed");
    t.pg = pg;
    fflush(NULL);
    t0 = tc_clock_monotonic(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child(&t);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    t1 = tc_clock_monotonic(NULL);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("calibration: the child failed (status %d)", status);
    /* a little short of the whole run, so most kills land inside the stream */
    return (int)((t1 - t0) * 9 / 10 + 1);
}

static void run_backend(int pg, int trials)
{
    int stats[2] = {0, 0};
    int span = stream_time_us(pg);
    printf("crash test %s: seed=%llu, %d trials, kill delays in [0, %d) us\n",
           pg ? "postgres" : "sqlite", (unsigned long long)seed, trials, span);
    int total = trials;
    for (int n = 0; n < trials; n++)
        run_trial(pg, n, span, stats);
    /* on a loaded machine the calibrating run can be much slower than the
     * trials, so that most kills come after the stream's end: then half as
     * many trials again with half the span, twice at most */
    while (stats[1] < trials / 5 && total < 2 * trials) {
        span = span / 2 + 1;
        printf("crash test %s: %d of %d trials killed mid-stream; %d more with kill delays in "
               "[0, %d) us\n",
               pg ? "postgres" : "sqlite", stats[1], total, trials / 2, span);
        for (int n = 0; n < trials / 2; n++)
            run_trial(pg, total + n, span, stats);
        total += trials / 2;
    }
    printf("crash test %s: %d of %d trials killed mid-stream, %d with a signal committed but not "
           "acknowledged\n",
           pg ? "postgres" : "sqlite", stats[1], total, stats[0]);
    /* the kills must actually land inside the stream */
    if (stats[1] < trials / 5)
        fail_msg("only %d of %d trials were killed mid-stream", stats[1], total);
}

static void test_crash_sqlite(void **state)
{
    (void)state;
    run_backend(0, SQLITE_TRIALS);
}

static void test_crash_pg(void **state)
{
    (void)state;
    run_backend(1, PG_TRIALS);
}

int main(void)
{
    const char *s = getenv("TC_CRASH_SEED");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_sqlite),
        cmocka_unit_test(test_crash_pg),
    };
    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    int rc;

    seed = s ? strtoull(s, NULL, 10) : UINT64_C(20251121);
    tc_rng_seed(&rng, seed);
    lc.level = TC_LOG_ERROR;
    tc_log_open(&lc, NULL);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
