/*
 * The outcome of a signal as JSON: what the webhook replies and what the
 * signal log stores, so that a duplicate gets the first reply again. Keys in
 * a fixed order; empty strings are null.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "tradecore/signal.h"
#include "engine/signal_internal.h"
#include "internal/banned.h"

#define WHAT "signal outcome"

static const char *const keys[] = {"status", "reason", "fingerprint", "position_id", "order_id",
                                   "duplicate"};

/* A JSON string of S (at most CAP bytes with its NUL), or null when empty. */
static int put_str(json_t *obj, const char *key, const char *s, size_t cap,
                   struct tc_error *err)
{
    size_t len = strnlen(s, cap);
    json_t *v;

    if (len == cap)
        return tc_error_set(err, TC_EINVAL, WHAT ": %s is not terminated within %zu bytes", key,
                            cap);
    v = len ? json_stringn(s, len) : json_null();
    if (!v)
        return tc_error_set(err, TC_EINVAL, WHAT ": %s is not valid UTF-8", key);
    if (json_object_set_new(obj, key, v) != 0)
        return tc_error_set(err, TC_ENOMEM, WHAT ": out of memory");
    return 0;
}

int tc_signal_outcome_json(const struct tc_signal_outcome *o, char *buf, size_t cap,
                           struct tc_error *err)
{
    json_t *obj;
    size_t n;
    int rc;

    if (!o || (!buf && cap > 0))
        return tc_error_set(err, TC_EINVAL, WHAT ": no outcome or buffer given");
    if (cap > 0)
        buf[0] = '\0';
    if (o->status != TC_SIGNAL_ACCEPTED && o->status != TC_SIGNAL_REJECTED)
        return tc_error_set(err, TC_EINVAL, WHAT ": status %d is not accepted or rejected",
                            (int)o->status);
    obj = json_object();
    if (!obj)
        return tc_error_set(err, TC_ENOMEM, WHAT ": out of memory");
    if (json_object_set_new(obj, "status", json_string(o->status == TC_SIGNAL_ACCEPTED
                                                           ? "accepted"
                                                           : "rejected")) != 0) {
        rc = tc_error_set(err, TC_ENOMEM, WHAT ": out of memory");
        goto out;
    }
    if ((rc = put_str(obj, "reason", o->reason, sizeof(o->reason), err)) != 0 ||
        (rc = put_str(obj, "fingerprint", o->fingerprint, sizeof(o->fingerprint), err)) != 0 ||
        (rc = put_str(obj, "position_id", o->position_id, sizeof(o->position_id), err)) != 0 ||
        (rc = put_str(obj, "order_id", o->order_id, sizeof(o->order_id), err)) != 0)
        goto out;
    if (json_object_set_new(obj, "duplicate", json_boolean(o->duplicate)) != 0) {
        rc = tc_error_set(err, TC_ENOMEM, WHAT ": out of memory");
        goto out;
    }
    n = json_dumpb(obj, buf, cap, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (n == 0) {
        rc = tc_error_set(err, TC_ENOMEM, WHAT ": could not write the JSON");
        goto out;
    }
    if (n >= cap) {
        if (cap > 0)
            buf[0] = '\0';
        rc = tc_error_set(err, TC_ENOSPC, WHAT ": needs %zu bytes, the buffer has %zu", n + 1,
                          cap);
        goto out;
    }
    buf[n] = '\0';
    rc = (int)n;
out:
    json_decref(obj);
    return rc;
}

/* KEY of OBJ, a string or null, into DST[CAP] ("" for null). */
static int get_str(const json_t *obj, const char *key, char *dst, size_t cap,
                   struct tc_error *err)
{
    const json_t *v = json_object_get(obj, key);
    size_t len;

    if (json_is_null(v)) {
        dst[0] = '\0';
        return 0;
    }
    if (!json_is_string(v))
        return tc_error_set(err, TC_EINVAL, WHAT ": %s must be a string or null, not %s", key,
                            tc__signal_json_kind(v));
    len = json_string_length(v);
    if (len >= cap || memchr(json_string_value(v), '\0', len))
        return tc_error_set(err, TC_EINVAL, WHAT ": %s is %zu bytes long (at most %zu)", key,
                            len, cap - 1);
    memcpy(dst, json_string_value(v), len + 1);
    return 0;
}

int tc_signal_outcome_parse(const char *json, size_t len, struct tc_signal_outcome *out,
                            struct tc_error *err)
{
    struct tc_signal_outcome o;
    json_error_t je;
    json_t *root;
    const json_t *v;
    const char *key;
    json_t *val;
    int rc = 0;

    if (!json || !out)
        return tc_error_set(err, TC_EINVAL, WHAT ": no text or output given");
    if (len == (size_t)-1)
        len = strlen(json);
    memset(&o, 0, sizeof(o));
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return tc__signal_json_error(WHAT, &je, err);
    if (!json_is_object(root)) {
        rc = tc_error_set(err, TC_EINVAL, WHAT " must be a JSON object, not %s",
                          tc__signal_json_kind(root));
        goto out;
    }
    json_object_foreach(root, key, val) {
        size_t i;
        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            if (strcmp(key, keys[i]) == 0)
                break;
        if (i == sizeof(keys) / sizeof(keys[0])) {
            rc = tc_error_set(err, TC_EINVAL, WHAT ": unknown key \"%.32s\"", key);
            goto out;
        }
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!json_object_get(root, keys[i])) {
            rc = tc_error_set(err, TC_EINVAL, WHAT ": %s is missing", keys[i]);
            goto out;
        }
    v = json_object_get(root, "status");
    if (json_is_string(v) && strcmp(json_string_value(v), "accepted") == 0)
        o.status = TC_SIGNAL_ACCEPTED;
    else if (json_is_string(v) && strcmp(json_string_value(v), "rejected") == 0)
        o.status = TC_SIGNAL_REJECTED;
    else {
        rc = tc_error_set(err, TC_EINVAL, WHAT ": status must be \"accepted\" or \"rejected\"");
        goto out;
    }
    if ((rc = get_str(root, "reason", o.reason, sizeof(o.reason), err)) != 0 ||
        (rc = get_str(root, "fingerprint", o.fingerprint, sizeof(o.fingerprint), err)) != 0 ||
        (rc = get_str(root, "position_id", o.position_id, sizeof(o.position_id), err)) != 0 ||
        (rc = get_str(root, "order_id", o.order_id, sizeof(o.order_id), err)) != 0)
        goto out;
    v = json_object_get(root, "duplicate");
    if (!json_is_boolean(v)) {
        rc = tc_error_set(err, TC_EINVAL, WHAT ": duplicate must be true or false, not %s",
                          tc__signal_json_kind(v));
        goto out;
    }
    o.duplicate = json_is_true(v);
    *out = o;
out:
    json_decref(root);
    return rc;
}
