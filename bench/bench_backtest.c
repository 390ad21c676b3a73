/*
 * Backtest throughput on 100 instruments x 5,000 daily bars made by
 * `tradecore gen-bars` (fixed seed), SMA(10)/SMA(30) crossover:
 *   process      `tradecore backtest --strategy sma_cross --data F` x 100 files
 *                timed as a child process (parse, run, analytics, report);
 *   loop         tc_backtest_run alone over series loaded beforehand
 *                (backtest.h), and its fixed cost on a one-instrument,
 *                40-bar run (setting up the in-memory ledger);
 *   loop_quiet   the same loop with slow = 5001 (longer than the data): both
 *                SMAs are pushed on every bar, nothing is ever signalled, so
 *                this is the per-bar path without the ledger's per-trade SQL;
 *                also as ns per bar net of the fixed cost (beside bare_c's
 *                ns per bar), and the trading loop's µs per signal;
 *   process_quiet the whole process with that strategy;
 *   csv_libcsv   tc_prices_load_csv of the 100 files (every row checked)
 *                through libcsv and tc_dec_parse;
 *   csv_fast     the same with the reader's fast path for plain numeric
 *                lines (market/ingest_fast.h), the default;
 *   csv_hand     a minimal hand-written parse of the same files into arrays
 *                (no checks), the bare reference's parse;
 *   bare_c       a bare C loop doing only the strategy's work (integer SMAs,
 *                crossover, next-open fills, cash and equity per session)
 *                over those arrays: the loop alone, and parse + loop as the
 *                whole-process reference.
 * This process's heap is tuned as `tradecore backtest` tunes its own
 * (core/heap.h: one main heap with a reserve advised for huge pages), so
 * that the in-process rows (the loops, the CSV loads, the bare reference)
 * run as the command does.
 * Every time but gen-bars's is the best of 7 runs (the bare loop's of 9): the machines
 * are shared virtual machines whose runs of the same work vary by a factor
 * of 1.5 under other load (steal time), and the fastest run is the one least
 * disturbed.
 * Rows "backtest<TAB>case<TAB>metric<TAB>value<TAB>unit"; the ratios of
 * tradecore to the bare reference are rows too. Needs $TC_TEST_BIN (the
 * tradecore binary); works in $TC_TEST_TMP (else /tmp).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/heap.h"
#include "market/ingest_fast.h"
#include "tradecore/backtest.h"
#include "tradecore/ingest.h"
#include "tradecore/strategy.h"

#define N_INST 100
#define N_BARS 5000
#define SEED "20261121"
#define FAST 10
#define SLOW 30
#define STAKE 100
#define NOTRADE_SLOW "5001" /* > N_BARS: no slow SMA value, never a crossover */
#define REPS 7 /* every timing is the best of REPS runs (the bare loop: of 9) */

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void row(const char *cs, const char *metric, double v, const char *unit)
{
    printf("backtest\t%s\t%s\t%.1f\t%s\n", cs, metric, v, unit);
    fflush(stdout);
}

static void row3(const char *cs, const char *metric, double v, const char *unit)
{
    printf("backtest\t%s\t%s\t%.3f\t%s\n", cs, metric, v, unit);
    fflush(stdout);
}

static volatile int64_t sink; /* keeps the bare loop's result alive */

static double rate(double n, int64_t us) { return n * 1e6 / (double)(us > 0 ? us : 1); }

/* Runs ARGV (stdout to /dev/null, stderr kept); returns its wall time in µs
 * or -1 when it fails. */
static int64_t run_timed(const char *const argv[])
{
    int64_t t0 = now_us();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    int64_t t = now_us() - t0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_backtest: %s %s failed (status %d)\n", argv[0], argv[1],
                WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return -1;
    }
    return t;
}

/* ------------------------------------------------------------------------ */
/* The bare reference: minimal parse into arrays, then the bare loop.        */

struct bare {
    int64_t *day;            /* [N_BARS], shared dates (gen-bars files agree) */
    int64_t *open, *close;   /* [N_INST * N_BARS], micro-units */
};

/* Parses "123.456789" (any number of fractional digits up to 6) into
 * micro-units, advancing *P past it. No checks: this is the reference. */
static int64_t hand_price(const char **p)
{
    const char *s = *p;
    int64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    int frac = 0;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (*s++ - '0');
            frac++;
        }
    }
    for (; frac < 6; frac++)
        v *= 10;
    *p = s;
    return v;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static int hand_parse(char paths[][512], struct bare *b)
{
    for (int k = 0; k < N_INST; k++) {
        size_t len;
        char *text = read_all(paths[k], &len);
        if (!text)
            return -1;
        const char *p = strchr(text, '\n');
        int i = 0;
        while (p && *++p && i < N_BARS) {
            int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
            int m = (p[5] - '0') * 10 + (p[6] - '0');
            int d = (p[8] - '0') * 10 + (p[9] - '0');
            if (k == 0)
                b->day[i] = tc_days_from_civil(y, m, d);
            p += 11;
            b->open[k * N_BARS + i] = hand_price(&p);
            p++;
            (void)hand_price(&p); /* high */
            p++;
            (void)hand_price(&p); /* low */
            p++;
            b->close[k * N_BARS + i] = hand_price(&p);
            p = strchr(p, '\n'); /* adj close and volume are not used */
            i++;
        }
        free(text);
        if (i != N_BARS)
            return -1;
    }
    return 0;
}

/* SMA(FAST) vs SMA(SLOW) crossover on each close; buy STAKE at the next
 * open when it crosses above and nothing is held, sell at the next open
 * when it crosses below; cash and equity (cash + holdings at the close) per
 * session. Returns the final equity (micro-units) so the work is kept. */
static int64_t bare_loop(const struct bare *b, int64_t *equity)
{
    int64_t fs[N_INST] = {0}, ss[N_INST] = {0}, qty[N_INST] = {0};
    int last_sign[N_INST] = {0}, pending[N_INST] = {0};
    int64_t cash = INT64_C(100000) * 1000000;

    for (int t = 0; t < N_BARS; t++) {
        int64_t held = 0;
        for (int k = 0; k < N_INST; k++) {
            const int64_t *o = b->open + k * N_BARS, *c = b->close + k * N_BARS;
            if (pending[k] > 0 && qty[k] == 0) {
                qty[k] = STAKE;
                cash -= STAKE * o[t];
            } else if (pending[k] < 0 && qty[k] > 0) {
                cash += qty[k] * o[t];
                qty[k] = 0;
            }
            pending[k] = 0;
            fs[k] += c[t];
            ss[k] += c[t];
            if (t >= FAST)
                fs[k] -= c[t - FAST];
            if (t >= SLOW)
                ss[k] -= c[t - SLOW];
            if (t + 1 >= SLOW) {
                /* sign of fs/FAST - ss/SLOW without dividing */
                int64_t diff = fs[k] * SLOW - ss[k] * FAST;
                int sign = (diff > 0) - (diff < 0);
                if (sign != 0) {
                    if (last_sign[k] != 0 && sign != last_sign[k])
                        pending[k] = sign;
                    last_sign[k] = sign;
                }
            }
            held += qty[k] * c[t];
        }
        equity[t] = cash + held;
    }
    return equity[N_BARS - 1];
}

/* ------------------------------------------------------------------------ */
/* tradecore                                                                 */

static int load_series(char paths[][512], struct tc_bar_series *series)
{
    for (int k = 0; k < N_INST; k++) {
        struct tc_bar_set set = {0};
        struct tc_error err = {0};
        if (tc_prices_load_csv(paths[k], TC_PRICES_AUTO, NULL, &set, &err) != 0 || set.n != 1) {
            fprintf(stderr, "bench_backtest: %s\n", tc_error_msg(&err));
            tc_bar_set_release(&set);
            return -1;
        }
        series[k] = set.items[0]; /* moved out of the set */
        free(set.items);
    }
    return 0;
}

/* The best of REPS timed load_series; SERIES holds the last one's bars. */
static int64_t time_loads(char paths[][512], struct tc_bar_series *series)
{
    int64_t best = INT64_MAX;
    for (int rep = 0; rep < REPS; rep++) {
        if (rep > 0)
            for (int k = 0; k < N_INST; k++)
                tc_bar_series_release(&series[k]);
        int64_t t0 = now_us();
        if (load_series(paths, series) != 0)
            return -1;
        int64_t dt = now_us() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}

/* tc_backtest_run of sma_cross over N series (defaults, or SLOW as the slow
 * period when not NULL); wall time in µs or -1. */
static int64_t run_loop(const struct tc_bar_series *series, size_t n, const char *slow,
                        uint64_t *bars, uint64_t *signals)
{
    struct tc_backtest_config cfg;
    struct tc_backtest_strategy st;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    const struct tc_strategy_class *cls;

    if (tc_strategy_lookup("sma_cross", &cls, &err) != 0) {
        fprintf(stderr, "bench_backtest: %s\n", tc_error_msg(&err));
        return -1;
    }
    memset(&st, 0, sizeof st);
    tc_strategy_params_init(&st.params, cls);
    if (slow && tc_strategy_params_set(&st.params, "slow", slow, &err) != 0) {
        fprintf(stderr, "bench_backtest: %s\n", tc_error_msg(&err));
        return -1;
    }
    st.enabled = 1;
    tc_backtest_config_init(&cfg);
    cfg.strategies = &st;
    cfg.n_strategies = 1;
    cfg.series = series;
    cfg.n_series = n;
    int64_t t0 = now_us();
    int rc = tc_backtest_run(&cfg, &res, &err);
    int64_t t = now_us() - t0;
    if (rc == 0 && bars)
        *bars = res.bars;
    if (rc == 0 && signals)
        *signals = res.signals;
    tc_backtest_result_release(&res);
    if (rc != 0) {
        fprintf(stderr, "bench_backtest: tc_backtest_run: %s\n", tc_error_msg(&err));
        return -1;
    }
    return t;
}

int main(void)
{
    const char *bin = getenv("TC_TEST_BIN");
    const char *tmp = getenv("TC_TEST_TMP");
    char dir[512], out[600], n_inst[16], n_bars[16];
    static char paths[N_INST][512];
    const char *argv[2 * N_INST + 16];
    int failed = 0;

    (void)tc__heap_batch(0);
    if (!bin || !*bin)
        bin = "build/tradecore";
    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(dir, sizeof dir, "%s/bench_backtest_%ld", tmp, (long)getpid());
    snprintf(out, sizeof out, "%s/run", dir);
    snprintf(n_inst, sizeof n_inst, "%d", N_INST);
    snprintf(n_bars, sizeof n_bars, "%d", N_BARS);
    for (int k = 0; k < N_INST; k++)
        snprintf(paths[k], sizeof paths[k], "%s/bars/SYN%03d.csv", dir, k + 1);
    const double total = (double)N_INST * N_BARS;

    /* the data */
    char bars_dir[560];
    snprintf(bars_dir, sizeof bars_dir, "%s/bars", dir);
    const char *gen[] = {bin, "gen-bars", "--instruments", n_inst, "--bars", n_bars,
                   "--seed", SEED, "--out", bars_dir, NULL};
    int64_t t = run_timed(gen);
    if (t < 0)
        return 1;
    row("gen_bars", "bars_per_sec", rate(total, t), "1/s");
    row3("gen_bars", "seconds", (double)t / 1e6, "s");

    /* the bare reference */
    struct bare b;
    b.day = malloc(N_BARS * sizeof *b.day);
    b.open = malloc((size_t)N_INST * N_BARS * sizeof *b.open);
    b.close = malloc((size_t)N_INST * N_BARS * sizeof *b.close);
    int64_t *equity = malloc(N_BARS * sizeof *equity);
    if (!b.day || !b.open || !b.close || !equity)
        return 1;
    int64_t t_parse = INT64_MAX;
    for (int rep = 0; rep < REPS; rep++) {
        int64_t t0 = now_us();
        if (hand_parse(paths, &b) != 0) {
            fprintf(stderr, "bench_backtest: hand parse failed\n");
            return 1;
        }
        int64_t dt = now_us() - t0;
        if (dt < t_parse)
            t_parse = dt;
    }
    int64_t best_bare = INT64_MAX, fin = 0;
    for (int rep = 0; rep < 9; rep++) {
        int64_t t0 = now_us();
        fin += bare_loop(&b, equity);
        int64_t dt = now_us() - t0;
        if (dt < best_bare)
            best_bare = dt;
    }
    row("csv_hand", "bars_per_sec", rate(total, t_parse), "1/s");
    row("bare_c", "loop_bars_per_sec", rate(total, best_bare), "1/s");
    row("bare_c", "process_bars_per_sec", rate(total, t_parse + best_bare), "1/s");
    sink = fin;

    /* tradecore: tc_prices_load_csv (every row checked), through libcsv and
     * tc_dec_parse, then through the fast path for plain numeric lines */
    static struct tc_bar_series series[N_INST];
    tc__prices_fast = 0;
    int64_t t_load = time_loads(paths, series);
    if (t_load < 0)
        return 1;
    for (int k = 0; k < N_INST; k++)
        tc_bar_series_release(&series[k]);
    row("csv_libcsv", "bars_per_sec", rate(total, t_load), "1/s");
    row3("csv_libcsv", "vs_hand", (double)t_parse / (double)(t_load ? t_load : 1), "x");
    tc__prices_fast = 1;
    if ((t_load = time_loads(paths, series)) < 0)
        return 1;
    row("csv_fast", "bars_per_sec", rate(total, t_load), "1/s");
    row3("csv_fast", "vs_hand", (double)t_parse / (double)(t_load ? t_load : 1), "x");

    /* tradecore: the loop alone */
    uint64_t fed = 0, sent = 0;
    int64_t fixed = INT64_MAX, loop = INT64_MAX;
    for (int rep = 0; rep < REPS && !failed; rep++) {
        int64_t f1 = run_loop(series, 1, NULL, NULL, NULL);
        int64_t l1 = run_loop(series, N_INST, NULL, &fed, &sent);
        if (f1 < 0 || l1 < 0)
            failed = 1;
        if (f1 >= 0 && f1 < fixed)
            fixed = f1;
        if (l1 >= 0 && l1 < loop)
            loop = l1;
    }
    if (!failed) {
        row("loop_sma_cross", "bars_per_sec", rate((double)fed, loop), "1/s");
        row3("loop_sma_cross", "seconds", (double)loop / 1e6, "s");
        row3("loop_sma_cross", "fixed_cost_seconds", (double)fixed / 1e6, "s");
        row("loop_sma_cross", "bars_per_sec_net_of_fixed",
            rate((double)fed, loop - fixed > 0 ? loop - fixed : loop), "1/s");
        row3("loop_sma_cross", "ns_per_bar_net_of_fixed",
             (double)(loop - fixed > 0 ? loop - fixed : loop) * 1e3 / (double)fed, "ns");
        row3("loop_sma_cross", "us_per_signal_net_of_fixed",
             sent ? (double)(loop - fixed > 0 ? loop - fixed : loop) / (double)sent : 0, "us");
        row3("loop_sma_cross", "vs_bare", (double)best_bare / (double)loop, "x");
        row("loop_sma_cross", "signals", (double)sent, "1");
    }
    /* the per-bar path alone: the same strategy with a slow period longer
     * than the data, so both SMAs are pushed on every bar and nothing is
     * ever signalled (no ledger work) */
    int64_t quiet = INT64_MAX, qfixed = INT64_MAX;
    for (int rep = 0; rep < REPS && !failed; rep++) {
        int64_t f1 = run_loop(series, 1, NOTRADE_SLOW, NULL, NULL);
        if (f1 >= 0 && f1 < qfixed)
            qfixed = f1; /* the fixed cost, warm: one instrument */
        int64_t q = run_loop(series, N_INST, NOTRADE_SLOW, &fed, &sent);
        if (q < 0 || sent != 0) {
            fprintf(stderr, "bench_backtest: the quiet run failed or signalled\n");
            failed = 1;
        } else if (q < quiet) {
            quiet = q;
        }
    }
    if (!failed) {
        row("loop_quiet", "bars_per_sec", rate((double)fed, quiet), "1/s");
        row3("loop_quiet", "seconds", (double)quiet / 1e6, "s");
        row3("loop_quiet", "fixed_cost_seconds", (double)qfixed / 1e6, "s");
        row("loop_quiet", "bars_per_sec_net_of_fixed",
            rate((double)fed, quiet - qfixed > 0 ? quiet - qfixed : quiet), "1/s");
        row3("loop_quiet", "ns_per_bar_net_of_fixed",
             (double)(quiet - qfixed > 0 ? quiet - qfixed : quiet) * 1e3 / (double)fed, "ns");
        row3("bare_c", "ns_per_bar", (double)best_bare * 1e3 / total, "ns");
        row3("loop_quiet", "vs_bare", (double)best_bare / (double)quiet, "x");
        row3("loop_quiet", "vs_bare_net_of_fixed",
             (double)best_bare / (double)(quiet - qfixed > 0 ? quiet - qfixed : quiet), "x");
    }
    for (int k = 0; k < N_INST; k++)
        tc_bar_series_release(&series[k]);

    /* tradecore: the whole process */
    int a = 0;
    argv[a++] = bin;
    argv[a++] = "backtest";
    argv[a++] = "--strategy";
    argv[a++] = "sma_cross";
    argv[a++] = "--out";
    argv[a++] = out;
    for (int k = 0; k < N_INST; k++) {
        argv[a++] = "--data";
        argv[a++] = paths[k];
    }
    argv[a] = NULL;
    t = INT64_MAX;
    for (int rep = 0; rep < REPS; rep++) {
        int64_t t1 = run_timed(argv);
        if (t1 < 0) {
            t = -1;
            break;
        }
        if (t1 < t)
            t = t1;
    }
    if (t < 0) {
        failed = 1;
    } else {
        row("process_sma_cross", "bars_per_sec", rate(total, t), "1/s");
        row3("process_sma_cross", "seconds", (double)t / 1e6, "s");
        row3("process_sma_cross", "vs_bare", (double)(t_parse + best_bare) / (double)t, "x");
    }

    /* the whole process without the ledger's work: the quiet strategy */
    argv[a++] = "--param";
    argv[a++] = "slow=" NOTRADE_SLOW;
    argv[a] = NULL;
    int64_t tq = INT64_MAX;
    for (int rep = 0; rep < REPS; rep++) {
        t = run_timed(argv);
        if (t < 0) {
            failed = 1;
            break;
        }
        if (t < tq)
            tq = t;
    }
    if (tq != INT64_MAX && !failed) {
        row("process_quiet", "bars_per_sec", rate(total, tq), "1/s");
        row3("process_quiet", "seconds", (double)tq / 1e6, "s");
        row3("process_quiet", "vs_bare", (double)(t_parse + best_bare) / (double)tq, "x");
    }

    free(b.day);
    free(b.open);
    free(b.close);
    free(equity);
    char rm[700];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    if (system(rm) != 0)
        fprintf(stderr, "bench_backtest: could not remove %s\n", dir);
    return failed;
}
