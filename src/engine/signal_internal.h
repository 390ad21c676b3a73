/*
 * Helpers shared by the signal engine's files (signal.c, sizing.c,
 * outcome.c): reading exact decimals out of jansson values and describing
 * jansson parse errors.
 */
#ifndef TC_ENGINE_SIGNAL_INTERNAL_H
#define TC_ENGINE_SIGNAL_INTERNAL_H

#include <jansson.h>

#include "tradecore/dec.h"
#include "tradecore/error.h"

/*
 * Reads V as an exact decimal: a JSON string through tc_dec_parse, a JSON
 * integer exactly, a JSON real only when its shortest round-trip form has at
 * most 15 significant digits. Errors are prefixed with "<PREFIX><KEY>" (PREFIX
 * may be ""): TC_EPARSE/TC_ERANGE from tc_dec_parse, TC_EINVAL for other JSON
 * types or an inexact real (the message says to send a string).
 */
int tc__signal_json_dec(const char *prefix, const char *key, const json_t *v,
                        struct tc_dec *out, struct tc_error *err);

/* "a string", "a number", "true", "null", ...: for messages. */
const char *tc__signal_json_kind(const json_t *v);

/* TC_EPARSE "<WHAT>: malformed JSON at line L, column C (byte B): <text>". */
int tc__signal_json_error(const char *what, const json_error_t *je, struct tc_error *err);

#endif
