/*
 * Fuzz target: the webhook's signal JSON (signal.h).
 *
 * The input is a request body. Properties:
 *  - tc_signal_parse fails with TC_EPARSE, TC_EINVAL or TC_ERANGE and a
 *    message, or returns a signal that tc_signal_check accepts and that
 *    tc_signal_validate accepts at its own timestamp with no skew;
 *  - the signal written back as JSON (decimals as tc_dec_format text, the
 *    timestamp as tc_time_format text) parses to the same struct and the same
 *    fingerprint, which is "id:<signal_id>" or "sha256:" + 64 hex digits;
 *  - an outcome built from it survives tc_signal_outcome_json and
 *    tc_signal_outcome_parse unchanged;
 *  - the input read as an outcome: when it parses, it writes and reads back
 *    unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_util.h"
#include "tradecore/clock.h"
#include "tradecore/signal.h"

#include "internal/banned.h"

static void set_dec(json_t *o, const char *key, int has, struct tc_dec d)
{
    char buf[TC_DEC_STRLEN];
    if (!has)
        return;
    if (tc_dec_format(d, buf, sizeof(buf)) < 0)
        tc_fuzz_fail("%s: raw %lld does not format", key, (long long)d.raw);
    json_object_set_new(o, key, json_string(buf));
}

static void check_fingerprint(const struct tc_signal *s, const char *fp)
{
    if (s->has_signal_id) {
        if (strncmp(fp, "id:", 3) != 0 || strcmp(fp + 3, s->signal_id) != 0)
            tc_fuzz_fail("fingerprint \"%s\" of signal_id \"%s\"", fp, s->signal_id);
        return;
    }
    if (strncmp(fp, "sha256:", 7) != 0 || strlen(fp) != 7 + 64 ||
        strspn(fp + 7, "0123456789abcdef") != 64)
        tc_fuzz_fail("fingerprint \"%s\" is not sha256 hex", fp);
}

static void outcome_round_trip(const struct tc_signal_outcome *o, const char *what)
{
    char buf[TC_SIGNAL_OUTCOME_JSON_MAX];
    struct tc_signal_outcome back;
    struct tc_error err;
    int n = tc_signal_outcome_json(o, buf, sizeof(buf), &err);

    if (n < 0)
        tc_fuzz_fail("%s: outcome_json failed: %s", what, err.msg);
    if ((size_t)n != strlen(buf))
        tc_fuzz_fail("%s: outcome_json returned %d for %zu bytes", what, n, strlen(buf));
    memset(&back, 0xa5, sizeof(back));
    if (tc_signal_outcome_parse(buf, (size_t)n, &back, &err) != 0)
        tc_fuzz_fail("%s: outcome %s does not parse back: %s", what, buf, err.msg);
    if (memcmp(&back, o, sizeof(back)) != 0)
        tc_fuzz_fail("%s: outcome %s reads back different", what, buf);
}

static void signal_round_trip(const struct tc_signal *s, const char *fp, size_t size)
{
    char ts[TC_TIME_STRLEN], fp2[TC_SIGNAL_FP_LEN];
    struct tc_signal back;
    struct tc_signal_outcome o;
    struct tc_error err;
    json_t *j = json_object();
    char *text;

    if (tc_time_format(s->timestamp_us, ts, sizeof(ts)) < 0)
        tc_fuzz_fail("timestamp %lld does not format", (long long)s->timestamp_us);
    json_object_set_new(j, "type", json_string(tc_signal_type_name(s->type)));
    json_object_set_new(j, "side", json_string(tc_side_name(s->side)));
    json_object_set_new(j, "portfolio", json_string(s->portfolio));
    json_object_set_new(j, "strategy", json_string(s->strategy));
    json_object_set_new(j, "instrument", json_string(s->instrument));
    json_object_set_new(j, "timestamp", json_string(ts));
    if (s->has_signal_id)
        json_object_set_new(j, "signal_id", json_string(s->signal_id));
    if (s->has_passphrase)
        json_object_set_new(j, "passphrase", json_string(s->passphrase));
    if (s->reason[0])
        json_object_set_new(j, "reason", json_string(s->reason));
    set_dec(j, "price", s->has_price, s->price);
    set_dec(j, "stop", s->has_stop, s->stop);
    set_dec(j, "quantity", s->has_quantity, s->quantity);
    set_dec(j, "lots", s->has_lots, s->lots);
    text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        tc_fuzz_fail("json_dumps failed");
    if (tc_signal_parse(text, strlen(text), &back, &err) != 0)
        tc_fuzz_fail("signal written back as %s does not parse: %s", text, err.msg);
    if (memcmp(&back, s, sizeof(back)) != 0)
        tc_fuzz_fail("signal written back as %s reads back different", text);
    if (tc_signal_fingerprint(&back, fp2) != 0 || strcmp(fp, fp2) != 0)
        tc_fuzz_fail("fingerprint changed through %s: %s, then %s", text, fp, fp2);
    free(text);

    memset(&o, 0, sizeof(o));
    o.status = size % 2 ? TC_SIGNAL_ACCEPTED : TC_SIGNAL_REJECTED;
    o.duplicate = (size / 2) % 2;
    snprintf(o.reason, sizeof(o.reason), "%s", s->reason);
    snprintf(o.fingerprint, sizeof(o.fingerprint), "%s", fp);
    snprintf(o.position_id, sizeof(o.position_id), "%s", s->portfolio);
    snprintf(o.order_id, sizeof(o.order_id), "%s", s->signal_id);
    outcome_round_trip(&o, "signal outcome");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *json = (const char *)data;
    struct tc_signal s;
    struct tc_signal_outcome o;
    struct tc_error err;
    char fp[TC_SIGNAL_FP_LEN];
    int rc;

    rc = tc_signal_parse(json, size, &s, &err);
    if (rc == 0) {
        if (tc_signal_check(&s, &err) != 0)
            tc_fuzz_fail("parsed signal fails check: %s", err.msg);
        if (tc_signal_validate(&s, s.timestamp_us, 0, &err) != 0)
            tc_fuzz_fail("parsed signal fails validate at its own time: %s", err.msg);
        if (tc_signal_validate(&s, s.timestamp_us, -1, &err) != TC_EINVAL)
            tc_fuzz_fail("validate accepted a negative skew");
        if (tc_signal_fingerprint(&s, fp) != 0)
            tc_fuzz_fail("fingerprint failed");
        check_fingerprint(&s, fp);
        signal_round_trip(&s, fp, size);
        if (s.has_passphrase) {
            if (tc_signal_check_passphrase(&s, s.passphrase, &err) != (s.passphrase[0] ? 0 : TC_EINVAL))
                tc_fuzz_fail("passphrase does not match itself");
            tc_signal_wipe_passphrase(&s);
            if (s.has_passphrase || s.passphrase[0])
                tc_fuzz_fail("wipe left the passphrase");
        }
    } else if ((rc != TC_EPARSE && rc != TC_EINVAL && rc != TC_ERANGE) || err.msg[0] == '\0') {
        tc_fuzz_fail("parse failed with %d \"%s\"", rc, err.msg);
    }

    memset(&o, 0, sizeof(o));
    if (tc_signal_outcome_parse(json, size, &o, &err) == 0)
        outcome_round_trip(&o, "input outcome");
    return 0;
}
