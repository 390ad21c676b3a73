/*
 * The trading routes of the service (api.h): the signal webhook over the
 * ledger, bars for the paper simulator, and JSON reads of positions,
 * portfolios, orders and signals; with their metrics.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tradecore/api.h"
#include "tradecore/broker_sim.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/ingest.h"
#include "tradecore/ledger_query.h"
#include "tradecore/log.h"
#include "internal/banned.h"

#define POLL_MAX 256
#define US_PER_DAY INT64_C(86400000000)

/* The last bar day given to the broker, per instrument. */
struct fed {
    char instrument[TC_ID_BUFSZ];
    int64_t day;
};

struct tc_api {
    struct tc_service *svc;
    struct tc_api_options opt;
    struct tc_counter *signals;
    struct tc_histogram *commit;
    pthread_mutex_t fed_mu;
    struct fed *fed;
    size_t nfed, capfed;
};

static void reply(struct tc_http_resp *resp, int status, json_t *j)
{
    if (!j || tc_http_resp_json(resp, status, j) != 0)
        tc_http_resp_error(resp, 500, "internal", "out of memory");
    json_decref(j);
}

static void count(struct tc_api *api, const char *outcome)
{
    const char *v[] = {outcome};
    tc_counter_add(api->signals, v, 1, NULL);
}

/* 503 for a standby or a fenced leader, naming the leader. */
static void not_leader(struct tc_api *api, struct tc_http_resp *resp, const char *why)
{
    char addr[TC_LEADER_ADDRESS_MAX] = "";
    int64_t epoch = 0;
    struct tc_error err = {0};

    if (api->opt.leader)
        tc_leader_current(api->opt.leader, addr, sizeof(addr), &epoch, &err);
    tc_http_resp_header(resp, "Retry-After", "1");
    reply(resp, 503, json_pack("{s:s, s:s, s:s?, s:I}", "error", "not_leader", "detail", why,
                               "leader", addr[0] ? addr : NULL, "epoch", (json_int_t)epoch));
}

static int writable(struct tc_api *api)
{
    return !api->opt.leader || tc_leader_is_leader(api->opt.leader);
}

/* ---- POST /v1/signals ---- */

static int authorised(struct tc_http_req *req, struct tc_error *err)
{
    struct tc_signal sig;
    json_t *pp;
    int rc;

    if (tc_http_req_has_token(req))
        return 0;
    memset(&sig, 0, sizeof(sig));
    pp = json_object_get(tc_http_req_json(req), "passphrase");
    if (json_is_string(pp) && json_string_length(pp) < sizeof(sig.passphrase)) {
        memcpy(sig.passphrase, json_string_value(pp), json_string_length(pp) + 1);
        sig.has_passphrase = 1;
    }
    rc = tc_http_req_check_passphrase(req, &sig, err);
    tc_signal_wipe_passphrase(&sig);
    return rc;
}

static void h_signal(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_api *api = ud;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    char buf[TC_SIGNAL_OUTCOME_JSON_MAX];
    const char *body;
    size_t len;
    int64_t t0;
    int rc, status;

    if (authorised(req, &err) != 0) {
        tc_http_resp_header(resp, "WWW-Authenticate", "Bearer");
        tc_http_resp_error(resp, 401, "unauthorized", "%s", tc_error_msg(&err));
        return;
    }
    if (!json_is_object(tc_http_req_json(req))) {
        count(api, "error");
        tc_http_resp_error(resp, 400, "bad_signal", "signal: the body is not a JSON object");
        return;
    }
    if (!writable(api)) {
        not_leader(api, resp, "this instance is a standby: send writes to the leader");
        return;
    }
    body = tc_http_req_body(req, &len);
    t0 = tc_clock_monotonic(tc_clock_system());
    rc = tc_ledger_submit_signal(api->opt.ledger, body, len, &o, &err);
    if (rc == 0)
        tc_histogram_observe(api->commit, NULL,
                             (double)(tc_clock_monotonic(tc_clock_system()) - t0) / 1e6, NULL);
    if (rc == TC_EFENCED) {
        count(api, "error");
        not_leader(api, resp, tc_error_msg(&err));
        return;
    }
    if (rc == TC_EPARSE || rc == TC_ERANGE) {
        count(api, "error");
        tc_http_resp_error(resp, 400, "bad_signal", "%s", tc_error_msg(&err));
        return;
    }
    if (rc != 0) {
        count(api, "error");
        TC_LOG_WARN("api", "signal not recorded", TC_LF_STR("error", tc_error_msg(&err)),
                    TC_LF_STR("request_id", tc_http_req_id(req)));
        tc_http_resp_header(resp, "Retry-After", "1");
        tc_http_resp_error(resp, 503, "unavailable",
                           "%s: nothing was committed; send the same signal again",
                           tc_error_msg(&err));
        return;
    }
    if (tc_signal_outcome_json(&o, buf, sizeof(buf), &err) < 0) {
        tc_http_resp_error(resp, 500, "internal", "%s", tc_error_msg(&err));
        return;
    }
    if (o.duplicate) {
        status = 200;
        count(api, "duplicate");
    } else if (o.status == TC_SIGNAL_REJECTED) {
        status = 422;
        count(api, "rejected");
    } else {
        status = 201;
        count(api, "accepted");
    }
    tc_http_resp_status(resp, status);
    tc_http_resp_body(resp, "application/json", buf, (size_t)-1);
}

/* ---- POST /v1/bars ---- */

/* A decimal field: a string (exact), an integer, or a real in its shortest
 * 15-digit form. */
static int bar_dec(json_t *o, const char *key, struct tc_dec *out, struct tc_error *err)
{
    json_t *v = json_object_get(o, key);
    char tmp[64];

    if (json_is_string(v))
        return tc_dec_parse(json_string_value(v), json_string_length(v), out, err)
                   ? tc_error_prefix(err, "%s", key)
                   : 0;
    if (json_is_integer(v))
        return tc_dec_from_int(json_integer_value(v), out) ? tc_error_set(err, TC_ERANGE, "%s: out of range", key) : 0;
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d))
            return tc_error_set(err, TC_EINVAL, "%s: not a finite number", key);
        snprintf(tmp, sizeof(tmp), "%.15g", d);
        return tc_dec_parse(tmp, strlen(tmp), out, err) ? tc_error_prefix(err, "%s", key) : 0;
    }
    return tc_error_set(err, TC_EINVAL, "%s: %s", key, v ? "not a decimal" : "missing");
}

struct bar_in {
    char instrument[TC_ID_BUFSZ];
    struct tc_bar bar;
};

static int parse_bar(json_t *o, struct bar_in *b, struct tc_error *err)
{
    json_t *v;
    int rc;

    memset(b, 0, sizeof(*b));
    if (!json_is_object(o))
        return tc_error_set(err, TC_EINVAL, "not a JSON object");
    v = json_object_get(o, "instrument");
    if (!json_is_string(v))
        return tc_error_set(err, TC_EINVAL, "instrument: missing or not a string");
    if ((rc = tc_id_validate("instrument", json_string_value(v), err)) != 0)
        return rc;
    snprintf(b->instrument, sizeof(b->instrument), "%s", json_string_value(v));
    v = json_object_get(o, "date");
    if (!json_is_string(v))
        return tc_error_set(err, TC_EINVAL, "date: missing or not a string");
    if ((rc = tc_date_parse(json_string_value(v), &b->bar.day, err)) != 0)
        return tc_error_prefix(err, "date");
    if ((rc = bar_dec(o, "open", &b->bar.open, err)) != 0 ||
        (rc = bar_dec(o, "high", &b->bar.high, err)) != 0 ||
        (rc = bar_dec(o, "low", &b->bar.low, err)) != 0 ||
        (rc = bar_dec(o, "close", &b->bar.close, err)) != 0)
        return rc;
    b->bar.adj_close = b->bar.close;
    v = json_object_get(o, "volume");
    if (v && !json_is_integer(v))
        return tc_error_set(err, TC_EINVAL, "volume: not an integer");
    b->bar.volume = v ? json_integer_value(v) : 0;
    if (b->bar.volume < 0)
        return tc_error_set(err, TC_EINVAL, "volume: %lld is negative", (long long)b->bar.volume);
    if (tc_dec_cmp(b->bar.low, b->bar.open) > 0 || tc_dec_cmp(b->bar.low, b->bar.close) > 0 ||
        tc_dec_cmp(b->bar.high, b->bar.open) < 0 || tc_dec_cmp(b->bar.high, b->bar.close) < 0 ||
        b->bar.low.raw <= 0)
        return tc_error_set(err, TC_EINVAL, "prices must be > 0 with low <= open, close <= high");
    return 0;
}

static int64_t fed_get(struct tc_api *api, const char *inst)
{
    int64_t day = INT64_MIN;
    pthread_mutex_lock(&api->fed_mu);
    for (size_t i = 0; i < api->nfed; i++)
        if (strcmp(api->fed[i].instrument, inst) == 0)
            day = api->fed[i].day;
    pthread_mutex_unlock(&api->fed_mu);
    return day;
}

static void fed_set(struct tc_api *api, const char *inst, int64_t day)
{
    pthread_mutex_lock(&api->fed_mu);
    for (size_t i = 0; i < api->nfed; i++)
        if (strcmp(api->fed[i].instrument, inst) == 0) {
            if (day > api->fed[i].day)
                api->fed[i].day = day;
            pthread_mutex_unlock(&api->fed_mu);
            return;
        }
    if (api->nfed == api->capfed) {
        size_t cap = api->capfed ? api->capfed * 2 : 16;
        struct fed *f = realloc(api->fed, cap * sizeof(*f));
        if (!f) { /* forgetting only costs a bar given twice, which the sim ignores */
            pthread_mutex_unlock(&api->fed_mu);
            return;
        }
        api->fed = f;
        api->capfed = cap;
    }
    snprintf(api->fed[api->nfed].instrument, sizeof(api->fed[0].instrument), "%s", inst);
    api->fed[api->nfed++].day = day;
    pthread_mutex_unlock(&api->fed_mu);
}

static void h_bars(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_api *api = ud;
    json_t *j = tc_http_req_json(req);
    struct bar_in *bars;
    struct tc_error err = {0};
    struct tc_broker_account before = {0}, after = {0};
    size_t n = json_is_array(j) ? json_array_size(j) : 1;

    if (!api->opt.paper || !api->opt.broker) {
        tc_http_resp_error(resp, 404, "not_found", "bars are taken in paper mode only");
        return;
    }
    if (!writable(api)) {
        not_leader(api, resp, "this instance is a standby: send bars to the leader");
        return;
    }
    if (n == 0 || n > 10000) {
        tc_http_resp_error(resp, 422, "bad_bar", "bars: %zu bars (1 to 10000 per request)", n);
        return;
    }
    if (!(bars = tc_http_req_alloc(req, n * sizeof(*bars)))) {
        tc_http_resp_error(resp, 500, "internal", "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (parse_bar(json_is_array(j) ? json_array_get(j, i) : j, &bars[i], &err) != 0) {
            tc_http_resp_error(resp, 422, "bad_bar", "bar %zu: %s", i, tc_error_msg(&err));
            return;
        }
    tc_broker_account(api->opt.broker, &before, NULL);
    for (size_t i = 0; i < n; i++) {
        int rc = tc_broker_on_bar(api->opt.broker, bars[i].instrument, &bars[i].bar, &err);
        if (rc == 0)
            fed_set(api, bars[i].instrument, bars[i].bar.day);
        if (rc != 0) {
            tc_http_resp_header(resp, "Retry-After", "1");
            tc_http_resp_error(resp, err.code == TC_EFENCED ? 503 : 422,
                               err.code == TC_EFENCED ? "not_leader" : "bad_bar",
                               "bar %zu (%s): %s", i, bars[i].instrument, tc_error_msg(&err));
            return;
        }
    }
    tc_broker_account(api->opt.broker, &after, NULL);
    reply(resp, 200, json_pack("{s:I, s:I}", "bars", (json_int_t)n, "fills",
                               (json_int_t)(after.fills - before.fills)));
}

/* ---- reads ---- */

static json_t *dec_json(struct tc_dec d)
{
    char b[48];
    tc_dec_format(d, b, sizeof(b));
    return json_string(b);
}

static json_t *time_json(int64_t us)
{
    char b[48];
    if (!us)
        return json_null();
    tc_time_format(us, b, sizeof(b));
    return json_string(b);
}

static json_t *position_json(const struct tc_position *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "position_id", json_string(p->position_id));
    json_object_set_new(o, "portfolio_id", json_string(p->portfolio_id));
    json_object_set_new(o, "strategy_id", json_string(p->strategy_id));
    json_object_set_new(o, "instrument_id", json_string(p->instrument_id));
    json_object_set_new(o, "side", json_string(tc_side_name(p->side)));
    json_object_set_new(o, "layer", json_integer(p->layer));
    json_object_set_new(o, "status", json_string(tc_position_status_name(p->status)));
    json_object_set_new(o, "quantity", dec_json(p->quantity));
    json_object_set_new(o, "entry_price", dec_json(p->entry_price));
    json_object_set_new(o, "entry_time", time_json(p->entry_time_us));
    json_object_set_new(o, "current_stop", p->has_current_stop ? dec_json(p->current_stop) : json_null());
    json_object_set_new(o, "realized_pnl", dec_json(p->realized_pnl));
    json_object_set_new(o, "commission", dec_json(p->commission));
    json_object_set_new(o, "version", json_integer(p->version));
    return o;
}

static int positions_of(struct tc_api *api, const char *portfolio, json_t *arr,
                        struct tc_error *err)
{
    struct tc_position *p = NULL;
    size_t n = 0;
    int rc;

    if ((rc = tc_ledger_positions_open(api->opt.ledger, portfolio, NULL, NULL, 0, &n, err)) != 0)
        return rc;
    if (n == 0)
        return 0;
    if (!(p = calloc(n, sizeof(*p))))
        return tc_error_set(err, TC_ENOMEM, "positions: out of memory");
    if ((rc = tc_ledger_positions_open(api->opt.ledger, portfolio, NULL, p, n, &n, err)) == 0)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, position_json(&p[i]));
    free(p);
    return rc;
}

static int text_row(const struct tc_row *row, void *ud)
{
    const char *s;
    if (tc_row_text(row, 0, &s) == 0)
        json_array_append_new(ud, json_string(s));
    return 0;
}

static void h_positions(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_api *api = ud;
    const char *pf = tc_http_req_query(req, "portfolio");
    json_t *ids = json_array(), *arr = json_array(), *v;
    struct tc_error err = {0};
    size_t i;
    int rc = 0;

    if (pf) {
        if (tc_id_validate("portfolio", pf, &err) != 0) {
            json_decref(ids);
            json_decref(arr);
            tc_http_resp_error(resp, 400, "bad_request", "%s", tc_error_msg(&err));
            return;
        }
        json_array_append_new(ids, json_string(pf));
    } else {
        rc = tc_store_exec(tc_service_runtime(api->svc),
                           "SELECT portfolio_id FROM portfolio_state ORDER BY portfolio_id", NULL,
                           0, text_row, ids, NULL, &err);
    }
    json_array_foreach(ids, i, v) {
        if (rc == 0)
            rc = positions_of(api, json_string_value(v), arr, &err);
    }
    json_decref(ids);
    if (rc != 0) {
        json_decref(arr);
        tc_http_resp_header(resp, "Retry-After", "1");
        tc_http_resp_error(resp, 503, "unavailable", "%s", tc_error_msg(&err));
        return;
    }
    reply(resp, 200, json_pack("{s:o}", "positions", arr));
}

static void h_portfolio(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_api *api = ud;
    const char *id = tc_http_req_param(req, "id");
    struct tc_portfolio_state st;
    struct tc_error err = {0};
    json_t *arr;
    int rc;

    if (tc_id_validate("portfolio", id, &err) != 0) {
        tc_http_resp_error(resp, 400, "bad_request", "%s", tc_error_msg(&err));
        return;
    }
    rc = tc_ledger_portfolio_state(api->opt.ledger, id, &st, &err);
    if (rc == TC_ENOTFOUND) {
        tc_http_resp_error(resp, 404, "not_found", "portfolio \"%s\" has no state", id);
        return;
    }
    arr = json_array();
    if (rc != 0 || (rc = positions_of(api, id, arr, &err)) != 0) {
        json_decref(arr);
        tc_http_resp_header(resp, "Retry-After", "1");
        tc_http_resp_error(resp, 503, "unavailable", "%s", tc_error_msg(&err));
        return;
    }
    reply(resp, 200,
          json_pack("{s:{s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o}, s:o}", "portfolio",
                    "portfolio_id", st.portfolio_id, "initial_capital",
                    dec_json(st.initial_capital), "cash", dec_json(st.cash), "closed_equity",
                    dec_json(st.closed_equity), "realized_pnl", dec_json(st.realized_pnl),
                    "commission_paid", dec_json(st.commission_paid), "version",
                    (json_int_t)st.version, "updated_at", time_json(st.updated_at_us),
                    "positions", arr));
}

static void unavailable(struct tc_http_resp *resp, const struct tc_error *err)
{
    tc_http_resp_header(resp, "Retry-After", "1");
    tc_http_resp_error(resp, 503, "unavailable", "%s", tc_error_msg(err));
}

static json_t *str_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

static json_t *order_json(const struct tc_order *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "order_id", json_string(o->order_id));
    json_object_set_new(j, "client_order_id", json_string(o->client_order_id));
    json_object_set_new(j, "broker_order_id", str_or_null(o->broker_order_id));
    json_object_set_new(j, "portfolio_id", json_string(o->portfolio_id));
    json_object_set_new(j, "strategy_id", json_string(o->strategy_id));
    json_object_set_new(j, "instrument_id", json_string(o->instrument_id));
    json_object_set_new(j, "position_id", json_string(o->position_id));
    json_object_set_new(j, "signal_fingerprint", str_or_null(o->signal_fingerprint));
    json_object_set_new(j, "mode", json_string(tc_mode_name(o->mode)));
    json_object_set_new(j, "side", json_string(tc_order_side_name(o->side)));
    json_object_set_new(j, "intent", json_string(o->closing ? "CLOSE" : "OPEN"));
    json_object_set_new(j, "type", json_string(tc_order_type_name(o->type)));
    json_object_set_new(j, "status", json_string(tc_order_status_name(o->status)));
    json_object_set_new(j, "quantity", dec_json(o->quantity));
    json_object_set_new(j, "filled_quantity", dec_json(o->filled_quantity));
    json_object_set_new(j, "ref_price", o->has_ref_price ? dec_json(o->ref_price) : json_null());
    json_object_set_new(j, "reject_reason", str_or_null(o->reject_reason));
    json_object_set_new(j, "version", json_integer(o->version));
    json_object_set_new(j, "created_at", time_json(o->created_at_us));
    json_object_set_new(j, "updated_at", time_json(o->updated_at_us));
    return j;
}

/* ?portfolio=ID: NULL when absent; 400 (returns -1) when malformed. */
static int portfolio_param(struct tc_http_req *req, struct tc_http_resp *resp, const char **out)
{
    struct tc_error err = {0};
    *out = tc_http_req_query(req, "portfolio");
    if (*out && tc_id_validate("portfolio", *out, &err) != 0) {
        tc_http_resp_error(resp, 400, "bad_request", "%s", tc_error_msg(&err));
        return -1;
    }
    return 0;
}

static void h_orders(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_api *api = ud;
    const char *st = tc_http_req_query(req, "status"), *pf;
    enum tc_order_status s = 0;
    struct tc_order_list list = {0};
    struct tc_error err = {0};
    json_t *arr;

    if (portfolio_param(req, resp, &pf) != 0)
        return;
    if (st && tc_order_status_parse(st, &s, &err) != 0) {
        tc_http_resp_error(resp, 400, "bad_request", "status: %s", tc_error_msg(&err));
        return;
    }
    if (tc_ledger_query_orders(tc_service_runtime(api->svc), pf, s, &list, &err) != 0) {
        unavailable(resp, &err);
        return;
    }
    arr = json_array();
    for (size_t i = 0; i < list.n; i++)
        json_array_append_new(arr, order_json(&list.items[i]));
    tc_order_list_release(&list);
    reply(resp, 200, json_pack("{s:o}", "orders", arr));
}

static void h_signals(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_api *api = ud;
    const char *since = tc_http_req_query(req, "since"), *pf;
    struct tc_signal_entry_list list = {0};
    int64_t t = 0;
    struct tc_error err = {0};
    json_t *arr;

    if (portfolio_param(req, resp, &pf) != 0)
        return;
    if (since && tc_time_parse(since, strlen(since), &t, &err) != 0) {
        tc_http_resp_error(resp, 400, "bad_request", "since: %s", tc_error_msg(&err));
        return;
    }
    /* up to the last day the stores' time format holds */
    if (tc_ledger_query_signals(tc_service_runtime(api->svc), pf, t,
                                tc_days_from_civil(9999, 12, 31) * US_PER_DAY, &list, &err) != 0) {
        unavailable(resp, &err);
        return;
    }
    arr = json_array();
    for (size_t i = 0; i < list.n; i++) {
        const struct tc_signal_entry *e = &list.items[i];
        json_t *j = json_object();
        json_object_set_new(j, "fingerprint", json_string(e->fingerprint));
        json_object_set_new(j, "portfolio_id", str_or_null(e->portfolio_id));
        json_object_set_new(j, "strategy_id", str_or_null(e->strategy_id));
        json_object_set_new(j, "instrument_id", str_or_null(e->instrument_id));
        json_object_set_new(j, "signal_type", str_or_null(e->signal_type));
        json_object_set_new(j, "side", str_or_null(e->side));
        json_object_set_new(j, "signal_time", time_json(e->signal_time_us));
        json_object_set_new(j, "received_at", time_json(e->received_at_us));
        json_object_set_new(j, "status", json_string(e->status == TC_SIGNAL_REJECTED ? "rejected"
                                                                                   : "accepted"));
        json_object_set_new(j, "reason", str_or_null(e->reason));
        json_object_set_new(j, "duplicate_count", json_integer(e->duplicate_count));
        json_object_set_new(j, "position_id", str_or_null(e->position_id));
        json_object_set_new(j, "order_id", str_or_null(e->order_id));
        json_object_set_new(j, "mode", json_string(e->mode));
        json_array_append_new(arr, j);
    }
    tc_signal_entry_list_release(&list);
    reply(resp, 200, json_pack("{s:o}", "signals", arr));
}

/* ---- metrics read at render time ---- */

static double pool_in_use(void *ud)
{
    struct tc_store_pool_stats ps = {0};
    tc_store_pool_stats(tc_service_runtime(((struct tc_api *)ud)->svc), &ps);
    return ps.in_use;
}

static double pool_size(void *ud)
{
    struct tc_store_pool_stats ps = {0};
    tc_store_pool_stats(tc_service_runtime(((struct tc_api *)ud)->svc), &ps);
    return ps.size;
}

static double is_leader(void *ud)
{
    struct tc_api *api = ud;
    return writable(api) ? 1 : 0;
}

static double leader_epoch(void *ud)
{
    struct tc_api *api = ud;
    return api->opt.leader ? (double)tc_leader_epoch(api->opt.leader) : 0;
}

int tc_api_new(struct tc_service *svc, const struct tc_api_options *opt, struct tc_api **out,
               struct tc_error *err)
{
    static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                    0.05,   0.1,   0.25,   0.5,   1,    2.5};
    static const char *const outcome[] = {"outcome"};
    struct tc_metrics *m = tc_service_metrics(svc);
    struct tc_api *api;
    int rc;

    *out = NULL;
    if (!opt->ledger)
        return tc_error_set(err, TC_EINVAL, "api: a ledger is required");
    if (!(api = calloc(1, sizeof(*api))))
        return tc_error_set(err, TC_ENOMEM, "api: out of memory");
    api->svc = svc;
    api->opt = *opt;
    pthread_mutex_init(&api->fed_mu, NULL);
    if ((rc = tc_metrics_counter(m, "tradecore_signals_total", "Signals by outcome", outcome, 1,
                                 &api->signals, err)) != 0 ||
        (rc = tc_metrics_histogram(m, "tradecore_ledger_commit_seconds",
                                   "Time to process and commit one signal in the ledger", NULL, 0,
                                   bounds, sizeof(bounds) / sizeof(bounds[0]), &api->commit,
                                   err)) != 0 ||
        (rc = tc_metrics_callback(m, "tradecore_store_pool_in_use",
                                  "Runtime store connections in use", "gauge", pool_in_use, api,
                                  err)) != 0 ||
        (rc = tc_metrics_callback(m, "tradecore_store_pool_size", "Runtime store pool size",
                                  "gauge", pool_size, api, err)) != 0 ||
        (rc = tc_metrics_callback(m, "tradecore_leader", "1 when this instance is the leader",
                                  "gauge", is_leader, api, err)) != 0 ||
        (rc = tc_metrics_callback(m, "tradecore_leader_epoch",
                                  "The leader epoch this instance was elected with", "gauge",
                                  leader_epoch, api, err)) != 0)
        goto fail;
    if ((rc = tc_service_add_route(svc, "POST", "/v1/signals", TC_HTTP_AUTH_OR_PASSPHRASE,
                                   h_signal, api, err)) != 0 ||
        (rc = tc_service_add_route(svc, "POST", "/v1/bars", TC_HTTP_AUTH, h_bars, api, err)) != 0 ||
        (rc = tc_service_add_route(svc, "GET", "/v1/positions", TC_HTTP_AUTH, h_positions, api,
                                   err)) != 0 ||
        (rc = tc_service_add_route(svc, "GET", "/v1/portfolio/{id}", TC_HTTP_AUTH, h_portfolio,
                                   api, err)) != 0 ||
        (rc = tc_service_add_route(svc, "GET", "/v1/orders", TC_HTTP_AUTH, h_orders, api, err)) != 0 ||
        (rc = tc_service_add_route(svc, "GET", "/v1/signals", TC_HTTP_AUTH, h_signals, api, err)) != 0)
        goto fail;
    *out = api;
    return 0;
fail:
    tc_api_free(api);
    return rc;
}

/* ---- resuming working orders ---- */

struct resume {
    struct tc_api *api;
    size_t n;
    int rc;
    struct tc_error *err;
};

static int resume_row(const struct tc_row *row, void *ud)
{
    struct resume *r = ud;
    struct tc_order_intent in;
    struct tc_broker_ack ack;
    struct tc_dec filled;
    const char *s;
    int rc;

    memset(&in, 0, sizeof(in));
#define TXT(i, dst)                                                                           \
    do {                                                                                      \
        if (tc_row_text(row, i, &s) != 0)                                                     \
            return 0;                                                                         \
        snprintf(dst, sizeof(dst), "%s", s);                                                  \
    } while (0)
    TXT(0, in.order_id);
    TXT(1, in.client_order_id);
    TXT(2, in.portfolio_id);
    TXT(3, in.strategy_id);
    TXT(4, in.instrument_id);
#undef TXT
    in.mode = TC_MODE_PAPER;
    if (tc_row_text(row, 5, &s) == 0)
        in.side = strcmp(s, "SELL") == 0 ? TC_ORDER_SELL : TC_ORDER_BUY;
    if (tc_row_text(row, 6, &s) == 0)
        in.type = strcmp(s, "LIMIT") == 0         ? TC_ORDER_LIMIT
                  : strcmp(s, "STOP_MARKET") == 0 ? TC_ORDER_STOP_MARKET
                  : strcmp(s, "STOP_LIMIT") == 0  ? TC_ORDER_STOP_LIMIT
                                                  : TC_ORDER_MARKET;
    if (tc_row_text(row, 7, &s) == 0)
        in.tif = strcmp(s, "DAY") == 0 ? TC_TIF_DAY : TC_TIF_GTC;
    if (tc_row_dec(row, 8, &in.quantity) != 0 || tc_row_dec(row, 9, &filled) != 0 ||
        tc_row_dec(row, 10, &in.multiplier) != 0)
        return 0;
    in.quantity.raw -= filled.raw; /* the unfilled rest is what still works */
    in.has_ref_price = tc_row_dec(row, 11, &in.ref_price) == 0;
    in.has_limit_price = tc_row_dec(row, 12, &in.limit_price) == 0;
    in.has_stop_price = tc_row_dec(row, 13, &in.stop_price) == 0;
    tc_row_time(row, 14, &in.created_at_us);
    if (in.quantity.raw <= 0)
        return 0;
    if ((rc = tc_broker_submit(r->api->opt.broker, &in, &ack, r->err)) != 0) {
        if (!r->rc)
            r->rc = rc;
        return 0;
    }
    r->n++;
    return 0;
}

int tc_api_on_leader(struct tc_api *api, size_t *n, struct tc_error *err)
{
    struct resume r = {api, 0, 0, err};
    int rc;

    if (n)
        *n = 0;
    if (api->opt.broker && api->opt.paper) {
        rc = tc_store_exec(tc_service_runtime(api->svc),
                           "SELECT order_id, client_order_id, portfolio_id, strategy_id, "
                           "instrument_id, side, type, time_in_force, quantity, filled_quantity, "
                           "multiplier, ref_price, limit_price, stop_price, created_at FROM orders "
                           "WHERE mode = 'PAPER' AND status IN ('SUBMITTED', 'PARTIALLY_FILLED') "
                           "ORDER BY created_at, order_id",
                           NULL, 0, resume_row, &r, NULL, err);
        if (rc != 0)
            return tc_error_prefix(err, "resuming working orders");
        if (r.rc != 0)
            return r.rc;
        if (n)
            *n = r.n;
    }
    return tc_ledger_resubmit_pending(api->opt.ledger, NULL, err);
}

/* ---- polling the historical store ---- */

struct want {
    char instrument[TC_ID_BUFSZ];
    int64_t from_day;   /* the earliest working order's day */
};

struct wants {
    struct want w[POLL_MAX];
    size_t n;
    int64_t today;
};

static int want_order(const struct tc_order_intent *in, void *ud)
{
    struct wants *ws = ud;
    int64_t day = in->created_at_us > 0 ? in->created_at_us / US_PER_DAY : ws->today;
    size_t i;

    for (i = 0; i < ws->n; i++)
        if (strcmp(ws->w[i].instrument, in->instrument_id) == 0)
            break;
    if (i == ws->n) {
        if (ws->n == POLL_MAX)
            return 0;
        snprintf(ws->w[i].instrument, sizeof(ws->w[i].instrument), "%s", in->instrument_id);
        ws->w[i].from_day = day;
        ws->n++;
    } else if (day < ws->w[i].from_day) {
        ws->w[i].from_day = day;
    }
    return 0;
}

int tc_api_poll_bars(struct tc_api *api, size_t *fills, struct tc_error *err)
{
    struct wants *ws;
    struct tc_broker_account before = {0}, after = {0};
    int rc = 0;

    if (fills)
        *fills = 0;
    if (!api->opt.paper || !api->opt.broker || !writable(api) ||
        tc_broker_sim_working(api->opt.broker) == 0)
        return 0;
    if (!(ws = calloc(1, sizeof(*ws))))
        return tc_error_set(err, TC_ENOMEM, "polling bars: out of memory");
    ws->today = tc_clock_now(tc_clock_system()) / US_PER_DAY;
    if ((rc = tc_broker_open_orders(api->opt.broker, want_order, ws, err)) != 0)
        goto out;
    tc_broker_account(api->opt.broker, &before, NULL);
    for (size_t i = 0; i < ws->n && rc == 0; i++) {
        struct tc_bar_series bs;
        int64_t last = fed_get(api, ws->w[i].instrument);
        /* bars after the day the order was decided on: never one it could not
         * have traded (an order of day D fills from D + 1's open) */
        int64_t from = (last > ws->w[i].from_day ? last : ws->w[i].from_day) + 1;

        if ((rc = tc_prices_load(tc_service_historical(api->svc), ws->w[i].instrument, from,
                                 from + 36600, &bs, err)) != 0) {
            tc_error_prefix(err, "polling bars of \"%s\"", ws->w[i].instrument);
            break;
        }
        for (size_t k = 0; k < bs.n && rc == 0; k++) {
            struct tc_bar bar = {bs.day[k],       bs.open[k],   bs.high[k],          bs.low[k],
                                 bs.close[k],     bs.adj_close[k], bs.volume[k],
                                 bs.open_interest[k]};
            if ((rc = tc_broker_on_bar(api->opt.broker, ws->w[i].instrument, &bar, err)) == 0)
                fed_set(api, ws->w[i].instrument, bar.day);
        }
        tc_bar_series_release(&bs);
    }
    tc_broker_account(api->opt.broker, &after, NULL);
    if (fills)
        *fills = (size_t)(after.fills - before.fills);
out:
    free(ws);
    return rc;
}

void tc_api_free(struct tc_api *api)
{
    if (!api)
        return;
    pthread_mutex_destroy(&api->fed_mu);
    free(api->fed);
    free(api);
}
