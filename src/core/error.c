/* Error codes and caller-owned error detail (see tradecore/error.h). */
#include <stdio.h>
#include <string.h>

#include "tradecore/error.h"
#include "internal/banned.h"

const char *tc_strerror(int code)
{
    switch (code) {
    case TC_OK:
        return "success";
#define TC__ERR_CASE(name, value, desc) \
    case name:                          \
        return desc;
        TC_ERRORS(TC__ERR_CASE)
#undef TC__ERR_CASE
    default:
        return "unknown error";
    }
}

const char *tc_strerror_name(int code)
{
    switch (code) {
    case TC_OK:
        return "TC_OK";
#define TC__ERR_NAME(name, value, desc) \
    case name:                          \
        return #name;
        TC_ERRORS(TC__ERR_NAME)
#undef TC__ERR_NAME
    default:
        return "TC_E?";
    }
}

void tc_error_clear(struct tc_error *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

int tc_error_vset(struct tc_error *err, int code, const char *fmt, va_list ap)
{
    char msg[TC_ERROR_MSG_MAX];

    if (!err)
        return code;
    /* through a copy: ERR's own message may be an argument */
    vsnprintf(msg, sizeof(msg), fmt, ap);
    memcpy(err->msg, msg, sizeof(msg));
    err->code = code;
    return code;
}

int tc_error_set(struct tc_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tc_error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int tc_error_prefix(struct tc_error *err, const char *fmt, ...)
{
    char prefix[TC_ERROR_MSG_MAX];
    char old[TC_ERROR_MSG_MAX];
    va_list ap;

    if (!err)
        return 0;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    if (old[0])
        snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
    else
        snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, tc_strerror(err->code));
    return err->code;
}

const char *tc_error_msg(const struct tc_error *err)
{
    if (!err)
        return "";
    return err->msg[0] ? err->msg : tc_strerror(err->code);
}
