/* The `instant` broker: fills every order at once, whole, at its reference
 * price, with a deterministic execution id ("instant:" + client order id) so
 * that a resubmission after a crash reports the same execution and the
 * ledger applies it once. Remembers the client order ids it has filled so
 * that its account counts each order once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tradecore/broker.h"
#include "internal/banned.h"

struct instant {
    struct tc_broker base;
    struct tc_broker_instant_options opt;
    pthread_mutex_t mu;
    char **seen;               /* client order ids filled, open addressing */
    size_t seen_cap, seen_n;
    struct tc_broker_account acct;
};

void tc_broker_instant_options_default(struct tc_broker_instant_options *o)
{
    memset(o, 0, sizeof(*o));
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

/* Inserts ID into the seen set; *FRESH = 1 when it was not there. */
static int seen_add(struct instant *in, const char *id, int *fresh)
{
    if ((in->seen_n + 1) * 2 > in->seen_cap) {
        size_t cap = in->seen_cap ? in->seen_cap * 2 : 64;
        char **t = calloc(cap, sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        for (size_t k = 0; k < in->seen_cap; k++) {
            if (!in->seen[k])
                continue;
            size_t j = hash_str(in->seen[k]) & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = in->seen[k];
        }
        free(in->seen);
        in->seen = t;
        in->seen_cap = cap;
    }
    size_t j = hash_str(id) & (in->seen_cap - 1);
    while (in->seen[j]) {
        if (strcmp(in->seen[j], id) == 0) {
            *fresh = 0;
            return 0;
        }
        j = (j + 1) & (in->seen_cap - 1);
    }
    if (!(in->seen[j] = strdup(id)))
        return TC_ENOMEM;
    in->seen_n++;
    *fresh = 1;
    return 0;
}

static int instant_submit(struct tc_broker *b, const struct tc_order_intent *o,
                          struct tc_broker_ack *ack, struct tc_error *err)
{
    struct instant *in = (struct instant *)b;
    struct tc_fill f;
    struct tc_dec value, comm = TC_DEC_ZERO, flow;
    int fresh = 0, rc;

    if (!o->client_order_id[0])
        return tc_error_set(err, TC_EINVAL, "instant broker: order without a client order id");
    if (!memchr(o->client_order_id, 0, sizeof(o->client_order_id)))
        return tc_error_set(err, TC_EINVAL,
                            "instant broker: order's client order id is longer than %d characters",
                            TC_CLIENT_ORDER_ID_MAX - 1);
    if (tc_dec_sign(o->quantity) <= 0 || tc_dec_sign(o->multiplier) <= 0)
        return tc_error_set(err, TC_EINVAL,
                            "instant broker: order \"%s\" needs a positive quantity and multiplier",
                            o->client_order_id);
    snprintf(ack->broker_order_id, sizeof(ack->broker_order_id), "instant-%s",
             o->client_order_id);
    if (!o->has_ref_price || tc_dec_sign(o->ref_price) <= 0) {
        ack->status = TC_ORDER_REJECTED;
        snprintf(ack->reason, sizeof(ack->reason),
                 "instant broker: order \"%s\" has no price to fill at", o->client_order_id);
        return 0;
    }
    if ((rc = tc_dec_mul(o->quantity, o->ref_price, TC_ROUND_HALF_EVEN, &value)) != 0 ||
        (rc = tc_dec_mul(value, o->multiplier, TC_ROUND_HALF_EVEN, &value)) != 0 ||
        (rc = tc_dec_mul(value, in->opt.commission_rate, TC_ROUND_HALF_EVEN, &comm)) != 0)
        return tc_error_set(err, TC_ERANGE, "instant broker: order \"%s\": traded value overflows",
                            o->client_order_id);
    ack->status = TC_ORDER_SUBMITTED;

    pthread_mutex_lock(&in->mu);
    rc = seen_add(in, o->client_order_id, &fresh);
    if (rc == 0 && fresh) {
        if (o->side == TC_ORDER_BUY)
            rc = tc_dec_neg(value, &value);
        if (rc == 0 && (rc = tc_dec_add(in->acct.cash_flow, value, &flow)) == 0 &&
            (rc = tc_dec_sub(flow, comm, &flow)) == 0 &&
            (rc = tc_dec_add(in->acct.commission, comm, &in->acct.commission)) == 0) {
            in->acct.cash_flow = flow;
            in->acct.orders++;
        }
    }
    pthread_mutex_unlock(&in->mu);
    if (rc != 0)
        return tc_error_set(err, rc, "instant broker: order \"%s\": %s", o->client_order_id,
                            tc_strerror(rc));

    memset(&f, 0, sizeof(f));
    snprintf(f.execution_id, sizeof(f.execution_id), "instant:%s", o->client_order_id);
    snprintf(f.client_order_id, sizeof(f.client_order_id), "%s", o->client_order_id);
    f.quantity = o->quantity;
    f.price = o->ref_price;
    f.commission = comm;
    f.filled_at_us = tc_clock_now(in->opt.clock);
    rc = tc_broker_report_fill(b, &f);
    if (rc != 0)
        return tc_error_set(err, rc, "instant broker: fill of order \"%s\" was not recorded: %s",
                            o->client_order_id, tc_strerror(rc));
    pthread_mutex_lock(&in->mu);
    in->acct.fills++;
    pthread_mutex_unlock(&in->mu);
    return 0;
}

static int instant_cancel(struct tc_broker *b, const char *client_order_id, struct tc_error *err)
{
    return tc_error_set(err, TC_ENOTFOUND,
                        "instant broker: order \"%.100s\" is not working (instant orders fill at once)",
                        client_order_id);
}

static int instant_on_bar(struct tc_broker *b, const char *instrument_id, const struct tc_bar *bar,
                          struct tc_error *err)
{
    return 0; /* nothing ever stays working */
}

static int instant_open_orders(struct tc_broker *b,
                               int (*fn)(const struct tc_order_intent *intent, void *ud), void *ud,
                               struct tc_error *err)
{
    return 0; /* none */
}

static int instant_in_txn(struct tc_broker *b, const struct tc_order_intent *intent)
{
    return 1; /* submit touches only this process's memory, deterministically */
}

static int instant_account(struct tc_broker *b, struct tc_broker_account *out,
                           struct tc_error *err)
{
    struct instant *in = (struct instant *)b;
    pthread_mutex_lock(&in->mu);
    *out = in->acct;
    pthread_mutex_unlock(&in->mu);
    return 0;
}

static void instant_free(struct tc_broker *b)
{
    struct instant *in = (struct instant *)b;
    for (size_t k = 0; k < in->seen_cap; k++)
        free(in->seen[k]);
    free(in->seen);
    pthread_mutex_destroy(&in->mu);
    free(in);
}

static const struct tc_broker_ops instant_ops = {
    .name = "instant",
    .submit = instant_submit,
    .cancel = instant_cancel,
    .on_bar = instant_on_bar,
    .open_orders = instant_open_orders,
    .account = instant_account,
    .free = instant_free,
    .in_txn = instant_in_txn,
};

int tc_broker_instant_new(const struct tc_broker_instant_options *opt, struct tc_broker **out,
                          struct tc_error *err)
{
    struct instant *in;
    char buf[TC_DEC_STRLEN];

    if (!out)
        return tc_error_set(err, TC_EINVAL, "instant broker: no output given");
    *out = NULL;
    if (opt && (tc_dec_sign(opt->commission_rate) < 0 ||
                tc_dec_cmp(opt->commission_rate, tc_dec_from_raw(TC_DEC_ONE)) >= 0)) {
        tc_dec_format(opt->commission_rate, buf, sizeof(buf));
        return tc_error_set(err, TC_EINVAL,
                            "instant broker: commission_rate %s is outside [0, 1)", buf);
    }
    if (!(in = calloc(1, sizeof(*in))))
        return tc_error_set(err, TC_ENOMEM, "instant broker: out of memory");
    in->base.ops = &instant_ops;
    if (opt)
        in->opt = *opt;
    pthread_mutex_init(&in->mu, NULL);
    *out = &in->base;
    return 0;
}
