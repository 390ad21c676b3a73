/* Market simulator throughput: bars per second through tc_sim_on_bar with a
 * few working orders that rest (never touched), and with a volume cap under
 * which one order takes a partial fill on every bar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tradecore/sim.h"

#define NBARS 100000
#define REPS 20

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A deterministic random walk around 100 with bars that are always valid. */
static void make_bars(struct tc_bar *bars, size_t n)
{
    uint64_t x = 88172645463325252u;
    int64_t price = 100 * TC_DEC_ONE;
    for (size_t i = 0; i < n; i++) {
        int64_t r[4];
        for (int k = 0; k < 4; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            r[k] = (int64_t)(x % 100000000u); /* up to 1.0 */
        }
        int64_t open = price, close = price + r[0] - 50000000;
        if (close < 50 * TC_DEC_ONE)
            close = 50 * TC_DEC_ONE;
        int64_t hi = (open > close ? open : close) + r[1] / 2;
        int64_t lo = (open < close ? open : close) - r[2] / 2;
        memset(&bars[i], 0, sizeof bars[i]);
        bars[i].open = tc_dec_from_raw(open);
        bars[i].high = tc_dec_from_raw(hi);
        bars[i].low = tc_dec_from_raw(lo);
        bars[i].close = tc_dec_from_raw(close);
        bars[i].adj_close = bars[i].close;
        bars[i].volume = 1000000 + r[3] / 100;
        price = close;
    }
}

static int count_fill(void *ud, const struct tc_sim_event *ev)
{
    if (ev->kind == TC_SIM_EV_FILL)
        (*(long *)ud)++;
    return 0;
}

static void add(struct tc_sim *sim, const char *id, enum tc_sim_side side, enum tc_sim_type type,
                int64_t qty, int64_t limit, int64_t stop)
{
    struct tc_sim_order o;
    struct tc_error err = {0};
    memset(&o, 0, sizeof o);
    snprintf(o.id, sizeof o.id, "%s", id);
    snprintf(o.instrument, sizeof o.instrument, "ORCL");
    o.side = side;
    o.type = type;
    o.tif = TC_SIM_GTC;
    o.quantity = tc_dec_from_raw(qty * TC_DEC_ONE);
    o.limit = tc_dec_from_raw(limit * TC_DEC_ONE);
    o.stop = tc_dec_from_raw(stop * TC_DEC_ONE);
    o.created_day = -1;
    if (tc_sim_submit(sim, &o, &err) != 0) {
        fprintf(stderr, "bench_sim: %s\n", tc_error_msg(&err));
        exit(1);
    }
}

static void run(const char *name, const struct tc_sim_config *cfg, int capped,
                const struct tc_bar *bars)
{
    struct tc_sim *sim = NULL;
    struct tc_error err = {0};
    long fills = 0, nbar = 0;
    double t0, dt;

    if (tc_sim_new(cfg, &sim, &err) != 0) {
        fprintf(stderr, "bench_sim: %s\n", tc_error_msg(&err));
        exit(1);
    }
    if (capped) {
        /* Far more than the bars will ever offer: the first order takes the
         * bar's whole capped volume every bar (a partial fill), the three
         * after it find nothing left but are matched all the same. */
        add(sim, "m1", TC_SIM_BUY, TC_SIM_MARKET, 90000000000, 0, 0);
        add(sim, "m2", TC_SIM_SELL, TC_SIM_MARKET, 100, 0, 0);
        add(sim, "l1", TC_SIM_BUY, TC_SIM_LIMIT, 100, 1000, 0);
        add(sim, "s1", TC_SIM_SELL, TC_SIM_STOP_MARKET, 100, 0, 1000);
    } else {
        add(sim, "l1", TC_SIM_BUY, TC_SIM_LIMIT, 100, 1, 0);
        add(sim, "l2", TC_SIM_SELL, TC_SIM_LIMIT, 100, 100000, 0);
        add(sim, "s1", TC_SIM_BUY, TC_SIM_STOP_MARKET, 100, 0, 100000);
        add(sim, "s2", TC_SIM_SELL, TC_SIM_STOP_LIMIT, 100, 1, 1);
    }
    t0 = now_s();
    for (int rep = 0; rep < REPS; rep++)
        for (size_t i = 0; i < NBARS; i++) {
            struct tc_bar b = bars[i];
            b.day = (int64_t)rep * NBARS + (int64_t)i;
            if (tc_sim_on_bar(sim, "ORCL", &b, count_fill, &fills, &err) != 0) {
                fprintf(stderr, "bench_sim: %s\n", tc_error_msg(&err));
                exit(1);
            }
            nbar++;
        }
    dt = now_s() - t0;
    if (tc_sim_open_orders(sim, NULL, 0) != 4) {
        fprintf(stderr, "bench_sim: %s: orders left the book\n", name);
        exit(1);
    }
    printf("sim\t%s\tbars_per_s\t%.0f\tbars/s\n", name, (double)nbar / dt);
    if (capped)
        printf("sim\t%s\tfills_per_s\t%.0f\tfills/s\n", name, (double)fills / dt);
    tc_sim_free(sim);
}

int main(void)
{
    struct tc_bar *bars = malloc(NBARS * sizeof *bars);
    struct tc_sim_config cfg;

    if (bars == NULL)
        return 1;
    make_bars(bars, NBARS);
    tc_sim_config_init(&cfg);
    run("4_resting_orders", &cfg, 0, bars);
    cfg.volume_cap = tc_dec_from_raw(TC_DEC_ONE / 10000); /* 0.01% of the volume */
    cfg.slippage = TC_SIM_SLIP_BPS;
    cfg.slippage_value = tc_dec_from_raw(5 * TC_DEC_ONE);
    cfg.commission = TC_SIM_COMM_PER_SHARE;
    cfg.comm_rate = tc_dec_from_raw(TC_DEC_ONE / 200);
    cfg.comm_min = tc_dec_from_raw(TC_DEC_ONE);
    cfg.tick = tc_dec_from_raw(TC_DEC_ONE / 100);
    run("4_orders_capped_fill_every_bar", &cfg, 1, bars);
    free(bars);
    return 0;
}
