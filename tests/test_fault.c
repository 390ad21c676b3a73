/* Fault injection (include/tradecore/fault.h, docs/RELIABILITY.md).
 *
 * A full signal sequence (BASE_ENTRY, PYRAMID, STOP_UPDATE, EXIT and the EXIT
 * again as a duplicate, through tc_ledger_submit_signal with the instant
 * broker) and a small backtest (tc_backtest_run, sma_cross on 260 generated
 * bars in memory, on 130 as a stored run) are first run clean to count their
 * calls. Then for every call number N and every fault kind, the N-th call is
 * failed and the test checks:
 *   - the call returned the fault's exact code (or 0 when tc_store_txn
 *     retried the fault away, or when it hit the broker phase after the
 *     signal's commit, whose failure leaves the intents NEW by contract);
 *   - the ledger is consistent (tc_ledger_check: no violation);
 *   - the same input again, after a restart (a new ledger on the same store:
 *     its recovery resubmits NEW intents), ends in exactly the state of a
 *     fault-free run (positions, orders, fills, trades, portfolio_state,
 *     pyramiding_state, signal_log; random ids masked, duplicate counts
 *     left out since a resend counts them).
 * Store faults: SQLITE_IOERR, SQLITE_FULL, SQLITE_BUSY on sqlite files (on
 * /dev/shm when there is one); a lost connection (the server process
 * terminated) and a serialization failure on PostgreSQL; commits failed
 * before and, for the non-retryable kinds, after the inner commit. In the
 * stored backtest the three sqlite kinds take turns over the call numbers.
 * Allocator faults (the shim of tests/fault): every allocation of the signal
 * sequence and of the in-memory backtest. TC_FAULT_STRIDE=k tries every k-th
 * call number only (3 in the sanitizer build, 25 under valgrind). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_shim.h"
#include "tc_test.h"
#include "tradecore/accounts.h"
#include "tradecore/backtest.h"
#include "tradecore/broker.h"
#include "tradecore/fault.h"
#include "tradecore/ledger.h"
#include "tradecore/log.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"
#include "tradecore/strategy.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */
#define TS "2025-11-21T22:50:00Z"
#define NSEQ 5
#define NBARS 260          /* the in-memory backtest */
#define NBARS_STORED 130   /* the stored run: every call of it is faulted */

static int stride = 1;
static int shm_files;

/* Figures of the run, printed at the end (docs/RELIABILITY.md). */
static struct {
    int64_t injected[TC_FAULT_KIND_COUNT];
    int64_t errors, retried_away, absorbed;
    int64_t sites_seq_sqlite, sites_seq_pg, allocs_seq, allocs_bt, sites_bt;
} fig;

/* ------------------------------------------------------------------------ */
/* Canonical images of the ledger tables                                      */

static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/* Replaces every UUID in S (36 characters 8-4-4-4-12) by "<id>" and every
 * occurrence of MASK (may be NULL) by "RUN", appending to the image. */
static void append_masked(char **buf, size_t *len, const char *s, const char *mask)
{
    size_t n = strlen(s), mlen = mask ? strlen(mask) : 0;
    char *b = realloc(*buf, *len + n + 8 * (n / 8 + 1) + 2);
    assert_non_null(b);
    *buf = b;
    for (size_t i = 0; i < n;) {
        int uuid = n - i >= 36;
        for (int k = 0; uuid && k < 36; k++)
            uuid = (k == 8 || k == 13 || k == 18 || k == 23) ? s[i + k] == '-' : is_hex(s[i + k]);
        if (uuid) {
            memcpy(b + *len, "<id>", 4);
            *len += 4;
            i += 36;
        } else if (mlen && strncmp(s + i, mask, mlen) == 0) {
            memcpy(b + *len, "RUN", 3);
            *len += 3;
            i += mlen;
        } else {
            b[(*len)++] = s[i++];
        }
    }
    b[*len] = '\0';
}

struct image_ud {
    char **lines;
    size_t n, cap;
    const char *mask;
};

static int image_cb(const struct tc_row *row, void *ud)
{
    struct image_ud *im = ud;
    char *line = calloc(1, 1);
    size_t len = 0;

    assert_non_null(line);
    for (int k = 0; k < tc_row_count(row); k++) {
        const char *s = "NULL";
        if (strcmp(tc_row_name(row, k), "duplicate_count") == 0)
            continue;   /* a resend counts duplicates: not part of the effects */
        if (!tc_row_is_null(row, k))
            assert_int_equal(tc_row_text(row, k, &s), 0);
        append_masked(&line, &len, tc_row_name(row, k), NULL);
        append_masked(&line, &len, "=", NULL);
        append_masked(&line, &len, s, im->mask);
        append_masked(&line, &len, "|", NULL);
    }
    if (im->n == im->cap) {
        im->cap = im->cap ? 2 * im->cap : 64;
        im->lines = realloc(im->lines, im->cap * sizeof(*im->lines));
        assert_non_null(im->lines);
    }
    im->lines[im->n++] = line;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted, masked rows of the ledger's tables; with RUN, only the rows of
 * that run's portfolio, its id masked. Caller frees. */
static char *image(struct tc_store *st, const char *run)
{
    static const char *const tables[] = {"positions",       "orders",          "fills",
                                         "trades",          "portfolio_state", "pyramiding_state",
                                         "signal_log"};
    struct tc_error err = {0};
    struct tc_val v = TC_V_TEXT(run ? run : "");
    char *out = calloc(1, 1);
    size_t len = 0;

    assert_non_null(out);
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        struct image_ud im = {NULL, 0, 0, run};
        char sql[200];
        if (!run)
            snprintf(sql, sizeof(sql), "SELECT * FROM %s", tables[t]);
        else if (strcmp(tables[t], "fills") == 0)
            snprintf(sql, sizeof(sql), "SELECT f.* FROM fills f JOIN orders o ON o.order_id = "
                                       "f.order_id WHERE o.portfolio_id = $1");
        else
            snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE portfolio_id = $1", tables[t]);
        tc_assert_ok(tc_store_exec(st, sql, &v, run ? 1 : 0, image_cb, &im, NULL, &err), &err);
        qsort(im.lines, im.n, sizeof(*im.lines), cmp_str);
        append_masked(&out, &len, tables[t], NULL);
        append_masked(&out, &len, ":\n", NULL);
        for (size_t k = 0; k < im.n; k++) {
            append_masked(&out, &len, im.lines[k], NULL);
            append_masked(&out, &len, "\n", NULL);
            free(im.lines[k]);
        }
        free(im.lines);
    }
    return out;
}

/* Fails with the first differing line of two images. */
static void same_image(const char *want, const char *got, const char *when)
{
    size_t k = 0, line = 1, start = 0;
    if (strcmp(want, got) == 0)
        return;
    while (want[k] && want[k] == got[k]) {
        if (want[k] == '\n') {
            line++;
            start = k + 1;
        }
        k++;
    }
    if (getenv("TC_FAULT_VERBOSE"))
        fprintf(stderr, "--- fault-free\n%s--- after the fault\n%s", want, got);
    fail_msg("%s: final state differs from the fault-free run at line %zu:\n  want %.300s\n"
             "  got  %.300s",
             when, line, want + start, got + start);
}

static size_t violations(struct tc_ledger *l, const char *when)
{
    struct tc_error err = {0};
    size_t n = 99;
    int rc = tc_ledger_check(l, NULL, NULL, &n, &err);
    if (rc != 0)
        fail_msg("%s: ledger check: %s", when, tc_error_msg(&err));
    if (n != 0)
        fail_msg("%s: ledger check found %zu violations", when, n);
    return n;
}

/* Removes a sqlite database made on /dev/shm (and its -wal and -shm). */
static void unlink_shm(const char *url)
{
    static const char *const sfx[] = {"", "-wal", "-shm"};
    if (strncmp(url, "fault+sqlite:/dev/shm/", 22) != 0)
        return;
    for (size_t k = 0; k < 3; k++) {
        char path[1100];
        snprintf(path, sizeof(path), "%s%s", url + 13, sfx[k]);
        unlink(path);
    }
}

/* ------------------------------------------------------------------------ */
/* The signal sequence                                                        */

static void body(int k, char *buf, size_t cap)
{
    static const char *const parts[NSEQ] = {
        "\"type\":\"BASE_ENTRY\",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"10\","
        "\"signal_id\":\"f-1\"",
        "\"type\":\"PYRAMID\",\"price\":\"102\",\"quantity\":\"5\",\"signal_id\":\"f-2\"",
        "\"type\":\"STOP_UPDATE\",\"price\":\"104\",\"stop\":\"97\",\"signal_id\":\"f-3\"",
        "\"type\":\"EXIT\",\"price\":\"105\",\"signal_id\":\"f-4\"",
        "\"type\":\"EXIT\",\"price\":\"105\",\"signal_id\":\"f-4\""}; /* the duplicate */
    snprintf(buf, cap,
             "{%s,\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"C0\","
             "\"side\":\"LONG\",\"timestamp\":\"" TS "\"}",
             parts[k]);
}

struct backend {
    int pg;
    char url[1024];
    struct tc_store *st;   /* the fault store: runtime and historical in one database */
    char *ref;             /* image of the fault-free run */
    struct tc_signal_outcome ref_out[NSEQ];
};

static void setup_backend(struct backend *b, int pg)
{
    char dir[512];
    struct tc_error err = {0};
    struct tc_manual_clock clock;
    struct tc_market m = {0};
    struct tc_instrument in;
    struct tc_portfolio_def p = {0};
    struct tc_strategy_def s = {0};
    struct tc_refdata rd;
    struct tc_accounts acc;

    memset(b, 0, sizeof(*b));
    b->pg = pg;
    if (pg) {
        char u[1000];
        assert_int_equal(tc_test_pg_create_db("fault", u, sizeof(u)), 0);
        snprintf(b->url, sizeof(b->url), "fault+%s", u);
    } else {
        assert_int_equal(tc_test_tmpdir("fault", dir, sizeof(dir)), 0);
        snprintf(b->url, sizeof(b->url), "fault+sqlite:%s/ledger.db", dir);
        if (access("/dev/shm", W_OK) == 0)   /* tmpfs: hundreds of runs pay no fsync */
            snprintf(b->url, sizeof(b->url), "fault+sqlite:/dev/shm/tc_fault_%d_%d.db",
                     (int)getpid(), shm_files++);
    }
    tc_assert_ok(tc_store_fault_open(b->url, NULL, &b->st, &err), &err);
    assert_true(tc_store_is_fault(b->st));
    assert_string_equal(tc_store_backend_name(b->st), pg ? "postgres" : "sqlite");
    tc_assert_ok(tc_migrate_latest(b->st, "runtime", &err), &err);
    tc_assert_ok(tc_migrate_latest(b->st, "historical", &err), &err);
    tc_manual_clock_init(&clock, T0);
    rd = (struct tc_refdata){b->st, &clock.clock, "tester"};
    acc = (struct tc_accounts){b->st, &clock.clock, "tester"};
    snprintf(m.market_id, sizeof(m.market_id), "XNYS");
    snprintf(m.name, sizeof(m.name), "New York Stock Exchange");
    snprintf(m.timezone, sizeof(m.timezone), "America/New_York");
    tc_assert_ok(tc_refdata_market_create(&rd, &m, &err), &err);
    tc_instrument_init(&in);
    snprintf(in.instrument_id, sizeof(in.instrument_id), "C0");
    snprintf(in.market_id, sizeof(in.market_id), "XNYS");
    in.asset_class = TC_ASSET_FUTURE;
    snprintf(in.symbol, sizeof(in.symbol), "C0");
    snprintf(in.currency, sizeof(in.currency), "USD");
    tc_dec_parse("1", (size_t)-1, &in.multiplier, NULL);
    tc_assert_ok(tc_refdata_instrument_create(&rd, &in, &err), &err);
    tc_instrument_release(&in);
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "p1");
    snprintf(p.name, sizeof(p.name), "main");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    tc_dec_parse("100000", (size_t)-1, &p.initial_capital, NULL);
    snprintf(s.strategy_id, sizeof(s.strategy_id), "s1");
    snprintf(s.name, sizeof(s.name), "trend");
    s.enabled = 1;
    s.params = (char *)"{\"max_pyramids\":3,\"pyramid_distance\":\"1\"}";
    tc_assert_ok(tc_accounts_portfolio_create(&acc, &p, &err), &err);
    tc_assert_ok(tc_accounts_strategy_create(&acc, &s, &err), &err);
}

/* Empties the ledger's tables (children first). */
static void reset_ledger(struct tc_store *st)
{
    static const char *const sql[] = {"DELETE FROM fills",           "DELETE FROM trades",
                                      "DELETE FROM pyramiding_state", "DELETE FROM orders",
                                      "DELETE FROM positions",        "DELETE FROM signal_log",
                                      "DELETE FROM portfolio_state"};
    struct tc_error err = {0};
    for (size_t k = 0; k < sizeof(sql) / sizeof(sql[0]); k++)
        tc_assert_ok(tc_store_exec(st, sql[k], NULL, 0, NULL, NULL, NULL, &err), &err);
}

struct session {
    struct tc_manual_clock clock;
    struct tc_broker *broker;
    struct tc_ledger *ledger;
};

static void open_session(struct tc_store *st, struct session *ss)
{
    struct tc_broker_instant_options io;
    struct tc_ledger_options o;
    struct tc_error err = {0};

    tc_manual_clock_init(&ss->clock, T0);
    tc_broker_instant_options_default(&io);
    tc_dec_parse("0.001", (size_t)-1, &io.commission_rate, NULL);
    io.clock = &ss->clock.clock;
    tc_assert_ok(tc_broker_instant_new(&io, &ss->broker, &err), &err);
    tc_ledger_options_default(&o);
    o.runtime = st;
    o.historical = st;
    o.clock = &ss->clock.clock;
    o.broker = ss->broker;
    o.limits.conflict_backoff_us = 1;
    tc_assert_ok(tc_ledger_open(&o, &ss->ledger, &err), &err);
}

static void close_session(struct session *ss)
{
    tc_ledger_close(ss->ledger);
    tc_broker_free(ss->broker);
}

/* Sends the sequence; stops at the first error, whose index goes to *AT. */
static int send_sequence(struct tc_ledger *l, struct tc_signal_outcome *outs, int *at,
                         struct tc_error *err)
{
    for (int k = 0; k < NSEQ; k++) {
        char json[512];
        int rc;
        body(k, json, sizeof(json));
        if ((rc = tc_ledger_submit_signal(l, json, (size_t)-1, &outs[k], err)) != 0) {
            *at = k;
            return rc;
        }
    }
    *at = NSEQ;
    return 0;
}

/* After a run (faulted or not): a restart and the whole sequence again. The
 * outcomes must be the reference's; returns the image. */
static char *restart_and_resend(struct backend *b, const char *when)
{
    struct session ss;
    struct tc_signal_outcome outs[NSEQ];
    struct tc_error err = {0};
    int at = 0;
    char *img;

    open_session(b->st, &ss);
    violations(ss.ledger, when);
    if (send_sequence(ss.ledger, outs, &at, &err) != 0)
        fail_msg("%s: resending signal %d: %s", when, at, tc_error_msg(&err));
    for (int k = 0; b->ref && k < NSEQ; k++) {
        if (outs[k].status != b->ref_out[k].status)
            fail_msg("%s: resent signal %d: status %d, fault-free %d (%s)", when, k,
                     (int)outs[k].status, (int)b->ref_out[k].status, outs[k].reason);
        if (strcmp(outs[k].fingerprint, b->ref_out[k].fingerprint) != 0)
            fail_msg("%s: resent signal %d: fingerprint %s", when, k, outs[k].fingerprint);
    }
    violations(ss.ledger, when);
    close_session(&ss);
    img = image(b->st, NULL);
    return img;
}

static void reference_run(struct backend *b)
{
    struct session ss;
    struct tc_error err = {0};
    struct tc_fault_counts c;
    int at = 0;

    reset_ledger(b->st);
    open_session(b->st, &ss);
    tc_store_fault_reset_counts(b->st);
    tc_assert_ok(send_sequence(ss.ledger, b->ref_out, &at, &err), &err);
    tc_store_fault_counts(b->st, &c);
    close_session(&ss);
    for (int k = 0; k < NSEQ; k++) {
        assert_int_equal(b->ref_out[k].status, TC_SIGNAL_ACCEPTED);
        assert_int_equal(b->ref_out[k].duplicate, k == NSEQ - 1);
    }
    b->ref = restart_and_resend(b, "fault-free run");
    /* the reference state is the sequence's: two layers closed with P&L */
    assert_non_null(strstr(b->ref, "status=closed"));
    assert_null(strstr(b->ref, "status=open"));
    printf("fault %s: signal sequence: %lld calls (begin %lld, exec %lld, commit %lld, "
           "rollback %lld)\n",
           b->pg ? "postgres" : "sqlite", (long long)c.failable,
           (long long)c.calls[TC_FAULT_OP_BEGIN], (long long)c.calls[TC_FAULT_OP_EXEC],
           (long long)c.calls[TC_FAULT_OP_COMMIT], (long long)c.calls[TC_FAULT_OP_ROLLBACK]);
}

/* Busy and serialization failures happen before a commit, never after. */
static int retryable(enum tc_fault_kind k)
{
    return k == TC_FAULT_SQLITE_BUSY || k == TC_FAULT_PG_SERIAL;
}

/* The codes a faulted call may return: the fault's, or 0 (see the top). */
static void check_rc(int rc, const struct tc_error *err, int code, const char *when)
{
    if (rc == 0) {
        if (code != TC_EBUSY && code != TC_ESERIAL)
            fig.absorbed++;
        return;
    }
    if (rc != code)
        fail_msg("%s: returned %s (%s), expected %s or success", when, tc_strerror_name(rc),
                 tc_error_msg(err), tc_strerror_name(code));
    if (err->code != rc || err->msg[0] == '\0')
        fail_msg("%s: error detail %s \"%s\" does not match the return %s", when,
                 tc_strerror_name(err->code), err->msg, tc_strerror_name(rc));
    fig.errors++;
}

/* One store fault in the signal sequence. */
static void seq_store_fault(struct backend *b, enum tc_fault_kind kind, int64_t nth,
                            int after_commit)
{
    struct tc_fault_plan plan = {kind, nth,
                                 after_commit ? 1u << TC_FAULT_OP_COMMIT : TC_FAULT_OPS_ALL,
                                 after_commit};
    struct tc_signal_outcome outs[NSEQ];
    struct tc_fault_report rep;
    struct tc_error err = {0};
    struct session ss;
    char when[160], *img;
    int at = 0, rc;

    snprintf(when, sizeof(when), "%s: %s at %s call %lld%s", b->pg ? "postgres" : "sqlite",
             tc_fault_kind_name(kind), after_commit ? "commit" : "any", (long long)nth,
             after_commit ? " (after the commit)" : "");
    reset_ledger(b->st);
    open_session(b->st, &ss);
    tc_assert_ok(tc_store_fault_arm(b->st, &plan, &err), &err);
    rc = send_sequence(ss.ledger, outs, &at, &err);
    tc_store_fault_disarm(b->st);
    tc_store_fault_report(b->st, &rep);
    if (!rep.fired)
        fail_msg("%s: the fault did not fire", when);
    fig.injected[kind]++;
    if (rc == 0 && (kind == TC_FAULT_SQLITE_BUSY || kind == TC_FAULT_PG_SERIAL))
        fig.retried_away++;
    check_rc(rc, &err, tc_fault_kind_code(kind), when);
    if (rc != 0 && kind != TC_FAULT_PG_CONN_LOST && !strstr(err.msg, "injected fault"))
        fail_msg("%s: message \"%s\" does not name the injected fault", when, err.msg);
    violations(ss.ledger, when);
    close_session(&ss);
    img = restart_and_resend(b, when);
    same_image(b->ref, img, when);
    free(img);
}

static void run_store_faults(int pg)
{
    static const enum tc_fault_kind sq_kinds[] = {TC_FAULT_SQLITE_IOERR, TC_FAULT_SQLITE_FULL,
                                                  TC_FAULT_SQLITE_BUSY};
    static const enum tc_fault_kind pg_kinds[] = {TC_FAULT_PG_CONN_LOST, TC_FAULT_PG_SERIAL};
    const enum tc_fault_kind *kinds = pg ? pg_kinds : sq_kinds;
    size_t nk = pg ? 2 : 3;
    struct backend b;
    struct tc_fault_counts c;
    struct session ss;
    struct tc_signal_outcome outs[NSEQ];
    struct tc_error err = {0};
    int at;

    setup_backend(&b, pg);
    reference_run(&b);
    /* the calls of one clean run of the sequence: the call sites to fail */
    reset_ledger(b.st);
    open_session(b.st, &ss);
    tc_store_fault_reset_counts(b.st);
    tc_assert_ok(send_sequence(ss.ledger, outs, &at, &err), &err);
    tc_store_fault_counts(b.st, &c);
    close_session(&ss);
    assert_true(c.failable > 10);
    if (pg)
        fig.sites_seq_pg = c.failable;
    else
        fig.sites_seq_sqlite = c.failable;
    for (size_t k = 0; k < nk; k++) {
        for (int64_t n = 1; n <= c.failable; n += stride)
            seq_store_fault(&b, kinds[k], n, 0);
        for (int64_t n = 1; retryable(kinds[k]) ? 0 : n <= c.calls[TC_FAULT_OP_COMMIT];
             n += stride)
            seq_store_fault(&b, kinds[k], n, 1);
    }
    free(b.ref);
    tc_store_close(b.st);
    unlink_shm(b.url);
}

static void test_seq_store_sqlite(void **state)
{
    (void)state;
    run_store_faults(0);
}

static void test_seq_store_pg(void **state)
{
    (void)state;
    run_store_faults(1);
}

/* Every allocation of the sequence, failed in turn (sqlite file). */
static void test_seq_alloc(void **state)
{
    struct backend b;
    struct session ss;
    struct tc_signal_outcome outs[NSEQ];
    struct tc_error err = {0};
    int64_t total;
    int at, rc;

    (void)state;
    setup_backend(&b, 0);
    reference_run(&b);
    reset_ledger(b.st);
    open_session(b.st, &ss);
    tc_test_alloc_start(0);
    rc = send_sequence(ss.ledger, outs, &at, &err);
    total = tc_test_alloc_stop();
    tc_assert_ok(rc, &err);
    close_session(&ss);
    assert_true(total > 0);
    fig.allocs_seq = total;
    printf("fault sqlite: signal sequence: %lld allocations\n", (long long)total);
    for (int64_t n = 1; n <= total; n += stride) {
        char when[96], *img;
        snprintf(when, sizeof(when), "allocation %lld of the signal sequence", (long long)n);
        reset_ledger(b.st);
        open_session(b.st, &ss);
        tc_error_clear(&err);
        tc_test_alloc_start(n);
        rc = send_sequence(ss.ledger, outs, &at, &err);
        tc_test_alloc_stop();
        if (!tc_test_alloc_fired())
            fail_msg("%s: the fault did not fire", when);
        fig.injected[TC_FAULT_ENOMEM]++;
        check_rc(rc, &err, TC_ENOMEM, when);
        violations(ss.ledger, when);
        close_session(&ss);
        img = restart_and_resend(&b, when);
        same_image(b.ref, img, when);
        free(img);
    }
    free(b.ref);
    tc_store_close(b.st);
    unlink_shm(b.url);
}

/* ------------------------------------------------------------------------ */
/* The backtest                                                               */

static void gen_series(struct tc_bar_series *s, int nbars)
{
    struct tc_error err = {0};
    uint64_t x = 20251121;
    int64_t price = 10000; /* cents */
    int64_t day = tc_days_from_civil(2023, 1, 2);

    tc_bar_series_init(s, "GEN");
    for (int k = 0; k < nbars; k++, day++) {
        struct tc_bar bar;
        int64_t open = price, close, hi, lo;
        x = x * 6364136223846793005u + 1442695040888963407u;
        close = open + (int64_t)((x >> 33) % 401) - 200;
        if (close < 1000)
            close = 1000 + (int64_t)((x >> 20) % 100);
        hi = (open > close ? open : close) + 50;
        lo = (open < close ? open : close) - 50;
        memset(&bar, 0, sizeof(bar));
        bar.day = day;
        bar.open = (struct tc_dec){open * 1000000};
        bar.high = (struct tc_dec){hi * 1000000};
        bar.low = (struct tc_dec){lo * 1000000};
        bar.close = bar.adj_close = (struct tc_dec){close * 1000000};
        bar.volume = 1000000;
        tc_assert_ok(tc_bar_series_append(s, &bar, &err), &err);
        price = close;
    }
}

struct bt {
    struct tc_bar_series series;
    struct tc_backtest_strategy strat;
    struct tc_backtest_config cfg;
};

static void bt_init(struct bt *t, int nbars)
{
    const struct tc_strategy_class *cls = NULL;
    struct tc_error err = {0};

    memset(t, 0, sizeof(*t));
    gen_series(&t->series, nbars);
    tc_assert_ok(tc_strategy_lookup("sma_cross", &cls, &err), &err);
    tc_strategy_params_init(&t->strat.params, cls);
    t->strat.enabled = 1;
    tc_assert_ok(tc_strategy_params_set_kv(&t->strat.params, "fast=3", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&t->strat.params, "slow=8", &err), &err);
    tc_backtest_config_init(&t->cfg);
    t->cfg.strategies = &t->strat;
    t->cfg.n_strategies = 1;
    t->cfg.series = &t->series;
    t->cfg.n_series = 1;
}

/* The results a rerun must reproduce, as text. */
static char *bt_text(const struct tc_backtest_result *r)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    char a[TC_DEC_STRLEN], c[TC_DEC_STRLEN];

    assert_non_null(f);
    fprintf(f, "sessions %zu bars %llu signals %llu accepted %llu rejected %llu\n", r->sessions,
            (unsigned long long)r->bars, (unsigned long long)r->signals,
            (unsigned long long)r->accepted, (unsigned long long)r->rejected);
    tc_dec_format(r->metrics.final_value, a, sizeof(a));
    tc_dec_format(r->metrics.net_profit, c, sizeof(c));
    fprintf(f, "final %s net %s trades %lld fills %lld\n", a, c, (long long)r->metrics.n_trades,
            (long long)r->metrics.n_fills);
    for (size_t k = 0; k < r->run.n_equity; k++) {
        tc_dec_format(r->run.equity[k].equity, a, sizeof(a));
        tc_dec_format(r->run.equity[k].cash, c, sizeof(c));
        fprintf(f, "eq %zu %s %s\n", k, a, c);
    }
    fclose(f);
    return s;
}

static void test_backtest_alloc(void **state)
{
    struct bt t;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    char *ref;
    int64_t total;
    int rc;

    (void)state;
    bt_init(&t, NBARS);
    tc_test_alloc_start(0);
    rc = tc_backtest_run(&t.cfg, &res, &err);
    total = tc_test_alloc_stop();
    tc_assert_ok(rc, &err);
    assert_true(res.run.n_trades >= 5);
    ref = bt_text(&res);
    tc_backtest_result_release(&res);
    fig.allocs_bt = total;
    printf("fault: in-memory backtest: %lld allocations\n", (long long)total);
    for (int64_t n = 1; n <= total; n += stride) {
        char when[96], *got;
        snprintf(when, sizeof(when), "allocation %lld of the in-memory backtest", (long long)n);
        tc_error_clear(&err);
        tc_test_alloc_start(n);
        rc = tc_backtest_run(&t.cfg, &res, &err);
        tc_test_alloc_stop();
        if (rc == 0) {   /* a fault survived must not change the results */
            got = bt_text(&res);
            if (strcmp(ref, got) != 0)
                fail_msg("%s: the run succeeded with other results:\n%.400s", when, got);
            free(got);
        }
        tc_backtest_result_release(&res);
        if (!tc_test_alloc_fired())
            fail_msg("%s: the fault did not fire", when);
        fig.injected[TC_FAULT_ENOMEM]++;
        check_rc(rc, &err, TC_ENOMEM, when);
        /* the same input again, without the fault */
        tc_assert_ok(tc_backtest_run(&t.cfg, &res, &err), &err);
        got = bt_text(&res);
        tc_backtest_result_release(&res);
        if (strcmp(ref, got) != 0)
            fail_msg("%s: the rerun differs from the fault-free run", when);
        free(got);
    }
    free(ref);
    tc_bar_series_release(&t.series);
}

/* A stored run (sqlite file) with a store fault at every call. A failed
 * stored run leaves its portfolio behind, and a run id already in the store
 * is refused (backtest.h): the retry then goes under a fresh run id, and its
 * rows (run id masked) and results must be the fault-free run's. */
static void test_backtest_store(void **state)
{
    static const enum tc_fault_kind kinds[] = {TC_FAULT_SQLITE_IOERR, TC_FAULT_SQLITE_FULL,
                                               TC_FAULT_SQLITE_BUSY};
    char dir[512], url[700];
    struct bt t;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    struct tc_store *st = NULL;
    struct tc_fault_counts c;
    char *ref, *ref_img;
    int runs = 0;

    (void)state;
    bt_init(&t, NBARS_STORED);
    assert_int_equal(tc_test_tmpdir("fault_bt", dir, sizeof(dir)), 0);
    /* a sqlite file on tmpfs when there is one: the ~900 runs pay no fsync */
    if (access("/dev/shm", W_OK) == 0)
        snprintf(url, sizeof(url), "fault+sqlite:/dev/shm/tc_fault_bt_%d.db", (int)getpid());
    else
        snprintf(url, sizeof(url), "fault+sqlite:%s/runtime.db", dir);
    tc_assert_ok(tc_store_fault_open(url, NULL, &st, &err), &err);
    tc_assert_ok(tc_migrate_latest(st, "runtime", &err), &err);
    t.cfg.runtime = st;
    t.cfg.run_id = "ref0";
    tc_store_fault_reset_counts(st);
    tc_assert_ok(tc_backtest_run(&t.cfg, &res, &err), &err);
    tc_store_fault_counts(st, &c);
    ref = bt_text(&res);
    tc_backtest_result_release(&res);
    ref_img = image(st, "ref0");
    fig.sites_bt = c.failable;
    printf("fault sqlite: stored backtest: %lld calls (commit %lld)\n", (long long)c.failable,
           (long long)c.calls[TC_FAULT_OP_COMMIT]);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (int after = 0; after < 2; after++) {
            int64_t max = after ? (retryable(kinds[k]) ? 0 : c.calls[TC_FAULT_OP_COMMIT])
                                : c.failable;
            /* any call: the kinds take turns (each call site gets one kind);
             * commits after the inner commit: every kind at every commit */
            for (int64_t n = after ? 1 : 1 + (int64_t)k; n <= max; n += after ? stride : 3 * stride) {
                struct tc_fault_plan plan = {kinds[k], n,
                                             after ? 1u << TC_FAULT_OP_COMMIT : TC_FAULT_OPS_ALL,
                                             after};
                struct tc_fault_report rep;
                char when[128], rid[16], *got, *img;
                int rc;
                snprintf(when, sizeof(when), "stored backtest: %s at %s call %lld",
                         tc_fault_kind_name(kinds[k]), after ? "commit" : "any", (long long)n);
                /* run ids as long as the reference's: the same text widths */
                snprintf(rid, sizeof(rid), "q%03d", runs++ % 1000);
                t.cfg.run_id = rid;
                tc_assert_ok(tc_store_fault_arm(st, &plan, &err), &err);
                tc_error_clear(&err);
                rc = tc_backtest_run(&t.cfg, &res, &err);
                tc_backtest_result_release(&res);
                tc_store_fault_disarm(st);
                tc_store_fault_report(st, &rep);
                if (!rep.fired)
                    fail_msg("%s: the fault did not fire", when);
                fig.injected[kinds[k]]++;
                if (rc == 0 && kinds[k] == TC_FAULT_SQLITE_BUSY)
                    fig.retried_away++;
                check_rc(rc, &err, tc_fault_kind_code(kinds[k]), when);
                /* the retry: the same run id, refused once the run is in the store */
                rc = tc_backtest_run(&t.cfg, &res, &err);
                if (rc == TC_ECONFLICT) {
                    char want[128];
                    snprintf(want, sizeof(want),
                             "run \"%s\" is already in the runtime store (give another run id)",
                             rid);
                    assert_string_equal(err.msg, want);
                    tc_backtest_result_release(&res);
                    rid[0] = 'z';
                    tc_assert_ok(tc_backtest_run(&t.cfg, &res, &err), &err);
                } else if (rc != 0) {
                    fail_msg("%s: retry: %s", when, tc_error_msg(&err));
                }
                got = bt_text(&res);
                tc_backtest_result_release(&res);
                if (strcmp(ref, got) != 0)
                    fail_msg("%s: the retry's results differ from the fault-free run", when);
                free(got);
                img = image(st, rid);
                same_image(ref_img, img, when);
                free(img);
            }
        }
    }
    free(ref);
    free(ref_img);
    tc_store_close(st);
    unlink_shm(url);
    tc_bar_series_release(&t.series);
}

/* ------------------------------------------------------------------------ */
/* The fault store itself                                                     */

static void test_fault_store_api(void **state)
{
    char dir[512], url[700];
    struct tc_store *st = NULL, *plain = NULL;
    struct tc_error err = {0};
    struct tc_fault_plan plan = {TC_FAULT_SQLITE_IOERR, 2, TC_FAULT_OPS_ALL, 0};
    struct tc_fault_report rep;
    struct tc_fault_counts c;
    int64_t changes = 0;

    (void)state;
    assert_int_equal(tc_test_tmpdir("fault_api", dir, sizeof(dir)), 0);
    snprintf(url, sizeof(url), "fault+sqlite:%s/a.db", dir);
    tc_assert_ok(tc_store_fault_open(url, NULL, &st, &err), &err);
    /* the production parser does not know the prefix */
    assert_int_equal(tc_store_open(url, NULL, &plain, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "unknown scheme"));
    assert_int_equal(tc_store_fault_open("", NULL, &plain, &err), TC_EINVAL);
    assert_null(plain);
    snprintf(url, sizeof(url), "sqlite:%s/b.db", dir);
    tc_assert_ok(tc_store_open(url, NULL, &plain, &err), &err);
    assert_false(tc_store_is_fault(plain));
    assert_int_equal(tc_store_fault_arm(plain, &plan, &err), TC_EINVAL);
    assert_string_equal(err.msg, "fault plan: the store is not a fault store");
    assert_null(tc_store_fault_inner(plain));
    tc_store_close(plain);

    /* bad plans leave the store disarmed */
    {
        struct tc_fault_plan bad[] = {
            {TC_FAULT_NONE, 1, TC_FAULT_OPS_ALL, 0},
            {(enum tc_fault_kind)99, 1, TC_FAULT_OPS_ALL, 0},
            {TC_FAULT_SQLITE_IOERR, 0, TC_FAULT_OPS_ALL, 0},
            {TC_FAULT_SQLITE_IOERR, -5, TC_FAULT_OPS_ALL, 0},
            {TC_FAULT_SQLITE_IOERR, 1, 0, 0},
            {TC_FAULT_SQLITE_IOERR, 1, 1u << TC_FAULT_OP_ROLLBACK, 0},
            {TC_FAULT_SQLITE_IOERR, 1, 1u << TC_FAULT_OP_EXEC, 1},
            {TC_FAULT_SQLITE_BUSY, 1, 1u << TC_FAULT_OP_COMMIT, 1},
            {TC_FAULT_PG_SERIAL, 1, TC_FAULT_OPS_ALL, 1},
        };
        static const char *const msg[] = {
            "fault plan: unknown fault kind 0", "fault plan: unknown fault kind 99",
            "fault plan: call number 0 must be at least 1",
            "fault plan: call number -5 must be at least 1",
            "fault plan: op mask 0x0 must name failable ops (0x6f)",
            "fault plan: op mask 0x10 must name failable ops (0x6f)",
            "fault plan: after_commit needs the commit op",
            "fault plan: sqlite_busy is reported before a commit takes effect, never after it",
            "fault plan: pg_serial is reported before a commit takes effect, never after it"};
        for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            assert_int_equal(tc_store_fault_arm(st, &bad[k], &err), TC_EINVAL);
            assert_string_equal(err.msg, msg[k]);
        }
        assert_int_equal(tc_store_fault_arm(st, NULL, &err), TC_EINVAL);
        tc_assert_ok(tc_store_exec(st, "CREATE TABLE t (x INTEGER)", NULL, 0, NULL, NULL,
                                   NULL, &err),
                     &err);
        tc_store_fault_report(st, &rep);
        assert_int_equal(rep.fired, 0);
    }

    /* exec is the second call of a transaction: it fails, nothing is written */
    plan.kind = TC_FAULT_SQLITE_FULL;
    tc_assert_ok(tc_store_fault_arm(st, &plan, &err), &err);
    tc_store_fault_reset_counts(st);
    assert_int_equal(tc_store_exec(st, "INSERT INTO t VALUES (1)", NULL, 0, NULL, NULL, &changes,
                                   &err),
                     TC_ENOSPC);
    assert_non_null(strstr(err.msg, ": exec: injected fault sqlite_full at call 2 (no space left)"));
    tc_store_fault_report(st, &rep);
    assert_int_equal(rep.fired, 1);
    assert_int_equal(rep.op, TC_FAULT_OP_EXEC);
    assert_int_equal(rep.call, 2);
    assert_string_equal(rep.sql, "INSERT INTO t VALUES (1)");
    tc_store_fault_counts(st, &c);
    assert_int_equal(c.calls[TC_FAULT_OP_BEGIN], 1);
    assert_int_equal(c.calls[TC_FAULT_OP_EXEC], 1);
    assert_int_equal(c.calls[TC_FAULT_OP_ROLLBACK], 1);
    assert_int_equal(c.calls[TC_FAULT_OP_COMMIT], 0);
    assert_non_null(tc_store_fault_inner(st));
    assert_string_equal(tc_store_backend_name(tc_store_fault_inner(st)), "sqlite");

    /* busy is retried away by tc_store_txn */
    plan.kind = TC_FAULT_SQLITE_BUSY;
    plan.nth = 1;
    tc_assert_ok(tc_store_fault_arm(st, &plan, &err), &err);
    tc_assert_ok(tc_store_exec(st, "INSERT INTO t VALUES (2)", NULL, 0, NULL, NULL, &changes,
                               &err),
                 &err);
    assert_int_equal(changes, 1);
    tc_store_fault_report(st, &rep);
    assert_int_equal(rep.fired, 1);
    assert_int_equal(rep.op, TC_FAULT_OP_BEGIN);

    /* a commit failed after the inner commit: the row is there, the caller saw TC_EIO */
    plan = (struct tc_fault_plan){TC_FAULT_SQLITE_IOERR, 1, 1u << TC_FAULT_OP_COMMIT, 1};
    tc_assert_ok(tc_store_fault_arm(st, &plan, &err), &err);
    assert_int_equal(tc_store_exec(st, "INSERT INTO t VALUES (3)", NULL, 0, NULL, NULL, &changes,
                                   &err),
                     TC_EIO);
    assert_non_null(strstr(err.msg, "commit: injected fault sqlite_ioerr at call 1"));
    /* and before it: nothing */
    plan.after_commit = 0;
    tc_assert_ok(tc_store_fault_arm(st, &plan, &err), &err);
    assert_int_equal(tc_store_exec(st, "INSERT INTO t VALUES (4)", NULL, 0, NULL, NULL, &changes,
                                   &err),
                     TC_EIO);
    {
        struct image_ud im = {NULL, 0, 0, NULL};
        tc_assert_ok(tc_store_exec(st, "SELECT x FROM t ORDER BY x", NULL, 0, image_cb, &im, NULL,
                                   &err),
                     &err);
        assert_int_equal(im.n, 2);
        assert_string_equal(im.lines[0], "x=2|");
        assert_string_equal(im.lines[1], "x=3|");
        free(im.lines[0]);
        free(im.lines[1]);
        free(im.lines);
    }
    /* disarm: nothing fires */
    plan.nth = 1;
    tc_assert_ok(tc_store_fault_arm(st, &plan, &err), &err);
    tc_store_fault_disarm(st);
    tc_assert_ok(tc_store_exec(st, "INSERT INTO t VALUES (5)", NULL, 0, NULL, NULL, &changes,
                               &err),
                 &err);
    assert_string_equal(tc_fault_kind_name(TC_FAULT_PG_CONN_LOST), "pg_conn_lost");
    assert_string_equal(tc_fault_kind_name((enum tc_fault_kind)42), "?");
    assert_int_equal(tc_fault_kind_code(TC_FAULT_PG_SERIAL), TC_ESERIAL);
    assert_int_equal(tc_fault_kind_code(TC_FAULT_NONE), 0);
    assert_string_equal(tc_fault_op_name(TC_FAULT_OP_EXEC_SCRIPT), "exec_script");
    tc_store_close(st);
}

/* Found by the sequence: ledger errors add context with their own message
 * as an argument (tc_error_set(err, rc, "position \"%s\": %s", id,
 * tc_error_msg(err))); that overlapping copy garbled the injected fault's
 * message. */
static void test_error_own_message(void **state)
{
    struct tc_error e = {0};
    (void)state;
    tc_error_set(&e, TC_EIO, "sqlite x.db: exec: injected fault sqlite_ioerr at call 13");
    assert_int_equal(tc_error_set(&e, TC_EIO, "position \"%s\": %s", "pos-1", tc_error_msg(&e)),
                     TC_EIO);
    assert_int_equal(tc_error_set(&e, TC_EIO, "position \"%s\": %s", "pos-1", tc_error_msg(&e)),
                     TC_EIO);
    assert_string_equal(e.msg, "position \"pos-1\": position \"pos-1\": sqlite x.db: exec: "
                               "injected fault sqlite_ioerr at call 13");
    assert_int_equal(e.code, TC_EIO);
}

/* A lost PostgreSQL connection is real: the server process is gone and the
 * pool reconnects for the next transaction. */
static void test_fault_pg_conn_lost(void **state)
{
    char u[1000], url[1100];
    struct tc_store *st = NULL;
    struct tc_error err = {0};
    struct tc_fault_plan plan = {TC_FAULT_PG_CONN_LOST, 1, 1u << TC_FAULT_OP_EXEC, 0};
    struct tc_store_pool_stats ps;

    (void)state;
    assert_int_equal(tc_test_pg_create_db("fault_conn", u, sizeof(u)), 0);
    snprintf(url, sizeof(url), "fault+%s", u);
    tc_assert_ok(tc_store_fault_open(url, NULL, &st, &err), &err);
    tc_assert_ok(tc_store_exec(st, "CREATE TABLE t (x BIGINT)", NULL, 0, NULL, NULL, NULL, &err),
                 &err);
    tc_assert_ok(tc_store_fault_arm(st, &plan, &err), &err);
    assert_int_equal(tc_store_exec(st, "INSERT INTO t VALUES (1)", NULL, 0, NULL, NULL, NULL,
                                   &err),
                     TC_EUNAVAIL);
    assert_null(strstr(err.msg, "injected"));   /* the backend's own report */
    tc_assert_ok(tc_store_exec(st, "INSERT INTO t VALUES (2)", NULL, 0, NULL, NULL, NULL, &err),
                 &err);
    tc_store_pool_stats(st, &ps);
    assert_true(ps.reconnects >= 1);
    tc_store_close(st);
}

int main(void)
{
    const char *s = getenv("TC_FAULT_STRIDE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_store_api),
        cmocka_unit_test(test_error_own_message),
        cmocka_unit_test(test_fault_pg_conn_lost),
        cmocka_unit_test(test_seq_store_sqlite),
        cmocka_unit_test(test_seq_store_pg),
        cmocka_unit_test(test_seq_alloc),
        cmocka_unit_test(test_backtest_alloc),
        cmocka_unit_test(test_backtest_store),
    };
    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    int rc;

    if (getenv("TC_FAULT_ONLY"))
        cmocka_set_test_filter(getenv("TC_FAULT_ONLY"));
    /* the sanitizer build (which sets TC_TEST_CC_FLAGS) and valgrind run
     * several times slower: there every 3rd (25th) call number is tried */
    if (getenv("TC_TEST_CC_FLAGS") && strstr(getenv("TC_TEST_CC_FLAGS"), "sanitize"))
        stride = 3;
    if (getenv("TC_TEST_VALGRIND"))
        stride = 25;
    if (s && *s)
        stride = (int)strtol(s, NULL, 10);
    if (stride < 1)
        stride = 1;
    lc.level = TC_LOG_OFF;
    tc_log_open(&lc, NULL);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("fault figures (stride %d): injected sqlite_ioerr %lld, sqlite_full %lld, sqlite_busy "
           "%lld, pg_conn_lost %lld, pg_serial %lld, enomem %lld; errors returned %lld, "
           "retried away %lld, success (fault absorbed) %lld; call sites: sequence sqlite %lld, "
           "postgres %lld, stored backtest %lld; allocations: sequence %lld, backtest %lld\n",
           stride, (long long)fig.injected[1], (long long)fig.injected[2],
           (long long)fig.injected[3], (long long)fig.injected[4], (long long)fig.injected[5],
           (long long)fig.injected[6], (long long)fig.errors, (long long)fig.retried_away,
           (long long)fig.absorbed, (long long)fig.sites_seq_sqlite, (long long)fig.sites_seq_pg,
           (long long)fig.sites_bt, (long long)fig.allocs_seq, (long long)fig.allocs_bt);
    tc_test_pg_drop_all();
    return rc;
}
