/* The broker interface: names of the order enums and the dispatchers over a
 * broker's ops table (include/tradecore/broker.h). */
#include <string.h>

#include "tradecore/broker.h"
#include "internal/banned.h"

static const char *const mode_names[] = {NULL, "LIVE", "PAPER", "BACKTEST"};
static const char *const side_names[] = {NULL, "BUY", "SELL"};
static const char *const type_names[] = {NULL, "MARKET", "LIMIT", "STOP_MARKET", "STOP_LIMIT"};
static const char *const tif_names[] = {NULL, "DAY", "GTC"};
static const char *const status_names[] = {NULL,       "NEW",      "SUBMITTED", "PARTIALLY_FILLED",
                                           "FILLED",   "CANCELED", "REJECTED",  "EXPIRED"};

#define NAME_OF(table, v)                                                                    \
    (((int)(v) >= 1 && (size_t)(v) < sizeof(table) / sizeof(table[0])) ? table[(int)(v)] : "?")

const char *tc_mode_name(enum tc_mode m) { return NAME_OF(mode_names, m); }
const char *tc_order_side_name(enum tc_order_side s) { return NAME_OF(side_names, s); }
const char *tc_order_type_name(enum tc_order_type t) { return NAME_OF(type_names, t); }
const char *tc_tif_name(enum tc_tif t) { return NAME_OF(tif_names, t); }
const char *tc_order_status_name(enum tc_order_status s) { return NAME_OF(status_names, s); }

static int parse_name(const char *what, const char *const *names, size_t n, const char *expect,
                      const char *s, int *out, struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "%s is missing (expected %s)", what, expect);
    for (size_t k = 1; k < n; k++) {
        if (strcmp(s, names[k]) == 0) {
            *out = (int)k;
            return 0;
        }
    }
    return tc_error_set(err, TC_EINVAL, "unknown %s \"%.32s\" (expected %s)", what, s, expect);
}

int tc_mode_parse(const char *s, enum tc_mode *out, struct tc_error *err)
{
    int v = 0;
    int rc = parse_name("mode", mode_names, sizeof(mode_names) / sizeof(mode_names[0]),
                        "LIVE, PAPER or BACKTEST", s, &v, err);
    if (rc == 0)
        *out = (enum tc_mode)v;
    return rc;
}

int tc_order_status_parse(const char *s, enum tc_order_status *out, struct tc_error *err)
{
    int v = 0;
    int rc = parse_name("order status", status_names,
                        sizeof(status_names) / sizeof(status_names[0]),
                        "NEW, SUBMITTED, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED or EXPIRED",
                        s, &v, err);
    if (rc == 0)
        *out = (enum tc_order_status)v;
    return rc;
}

void tc_broker_set_fill_handler(struct tc_broker *b, tc_broker_fill_fn fn, void *ud)
{
    if (!b)
        return;
    b->on_fill = fn;
    b->fill_ud = ud;
}

int tc_broker_report_fill(struct tc_broker *b, const struct tc_fill *fill)
{
    if (!b || !fill)
        return TC_EINVAL;
    if (!b->on_fill)
        return TC_ESTATE;
    return b->on_fill(fill, b->fill_ud);
}

void tc_broker_set_update_handler(struct tc_broker *b, tc_broker_update_fn fn, void *ud)
{
    if (b && b->ops && b->ops->set_update_handler)
        b->ops->set_update_handler(b, fn, ud);
}

int tc_broker_in_txn(struct tc_broker *b, const struct tc_order_intent *intent)
{
    if (!b || !b->ops || !b->ops->in_txn || !intent)
        return 0;
    return b->ops->in_txn(b, intent) ? 1 : 0;
}

const char *tc_broker_name(const struct tc_broker *b)
{
    return (b && b->ops && b->ops->name) ? b->ops->name : "?";
}

static int check_op(struct tc_broker *b, int has_op, const char *what, struct tc_error *err)
{
    if (!b || !b->ops)
        return tc_error_set(err, TC_EINVAL, "broker: no broker given for %s", what);
    if (!has_op)
        return tc_error_set(err, TC_EUSAGE, "broker \"%s\" has no %s operation", tc_broker_name(b),
                            what);
    return 0;
}

int tc_broker_submit(struct tc_broker *b, const struct tc_order_intent *intent,
                     struct tc_broker_ack *ack, struct tc_error *err)
{
    if (!(b && b->ops && b->ops->submit && intent && ack)) { /* a check fails: which one */
        int rc = check_op(b, b && b->ops && b->ops->submit, "submit", err);
        return rc != 0 ? rc
                       : tc_error_set(err, TC_EINVAL,
                                      "broker \"%s\": submit needs an intent and an ack",
                                      tc_broker_name(b));
    }
    /* its texts empty and no status, for a broker that leaves them: not
     * the whole struct (388 bytes, most of them text past the NULs) */
    ack->broker_order_id[0] = '\0';
    ack->status = (enum tc_order_status)0;
    ack->reason[0] = '\0';
    return b->ops->submit(b, intent, ack, err);
}

int tc_broker_cancel(struct tc_broker *b, const char *client_order_id, struct tc_error *err)
{
    int rc = check_op(b, b && b->ops && b->ops->cancel, "cancel", err);
    if (rc != 0)
        return rc;
    if (!client_order_id)
        return tc_error_set(err, TC_EINVAL, "broker \"%s\": cancel needs a client order id",
                            tc_broker_name(b));
    return b->ops->cancel(b, client_order_id, err);
}

int tc_broker_on_bar(struct tc_broker *b, const char *instrument_id, const struct tc_bar *bar,
                     struct tc_error *err)
{
    if (!(b && b->ops && b->ops->on_bar && instrument_id && bar)) { /* a check fails: which one */
        int rc = check_op(b, b && b->ops && b->ops->on_bar, "on_bar", err);
        return rc != 0 ? rc
                       : tc_error_set(err, TC_EINVAL,
                                      "broker \"%s\": on_bar needs an instrument and a bar",
                                      tc_broker_name(b));
    }
    return b->ops->on_bar(b, instrument_id, bar, err);
}

int tc_broker_open_orders(struct tc_broker *b,
                          int (*fn)(const struct tc_order_intent *intent, void *ud), void *ud,
                          struct tc_error *err)
{
    int rc = check_op(b, b && b->ops && b->ops->open_orders, "open_orders", err);
    if (rc != 0)
        return rc;
    if (!fn)
        return tc_error_set(err, TC_EINVAL, "broker \"%s\": open_orders needs a callback",
                            tc_broker_name(b));
    return b->ops->open_orders(b, fn, ud, err);
}

int tc_broker_account(struct tc_broker *b, struct tc_broker_account *out, struct tc_error *err)
{
    int rc = check_op(b, b && b->ops && b->ops->account, "account", err);
    if (rc != 0)
        return rc;
    if (!out)
        return tc_error_set(err, TC_EINVAL, "broker \"%s\": account needs an output",
                            tc_broker_name(b));
    memset(out, 0, sizeof(*out));
    return b->ops->account(b, out, err);
}

void tc_broker_free(struct tc_broker *b)
{
    if (b && b->ops && b->ops->free)
        b->ops->free(b);
}
