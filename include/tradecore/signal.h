/*
 * The pure core of the signal engine: trading signals (BASE_ENTRY, PYRAMID,
 * EXIT, STOP_UPDATE) parsed from JSON and validated, their fingerprints for
 * exactly-once processing, position sizing, the pyramiding and stop-update
 * decisions, and the outcome JSON returned to the sender.
 *
 * Nothing here touches a store, a clock or a file: every function computes
 * from its arguments only. The ledger calls these inside the one transaction
 * that records a signal (DESIGN.md, "Live and paper"); backtests call the same
 * functions with signals built in code.
 *
 * Error codes, used the same way throughout:
 *   TC_EPARSE     malformed JSON (the message gives line, column and byte
 *                 position) or a decimal/timestamp text that is not one;
 *   TC_EINVAL     a field of the wrong JSON type, missing, unknown enum value,
 *                 bad id, non-positive price, stop on the wrong side, ...;
 *   TC_ERANGE     a value that does not fit (decimal overflow, more than 8
 *                 decimal places, body too large, timestamp outside the window,
 *                 sized quantity overflow);
 *   TC_EREJECTED  a well-formed request the strategy's rules refuse (pyramid
 *                 too close, stop loosening, a budget below one lot);
 *   TC_EAUTH      a wrong passphrase (tc_signal_check_passphrase).
 * Messages are lower case and name the field: `price "-1" must be positive`.
 *
 * Thread-safety: every function is pure and thread-safe.
 */
#ifndef TRADECORE_SIGNAL_H
#define TRADECORE_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/id.h"

/* Largest JSON body tc_signal_parse accepts, in bytes. */
#define TC_SIGNAL_BODY_MAX 65536
/* Longest `reason` text (bytes, NUL excluded is one less). */
#define TC_SIGNAL_REASON_MAX 256
/* Longest `passphrase` (bytes, NUL excluded is one less). */
#define TC_SIGNAL_PASSPHRASE_MAX 128
/* A fingerprint: "sha256:" + 64 hex digits, or "id:" + an id; NUL included. */
#define TC_SIGNAL_FP_LEN 72
/* Largest JSON a tc_signal_outcome can produce, NUL included. */
#define TC_SIGNAL_OUTCOME_JSON_MAX 4096

enum tc_signal_type {
    TC_SIGNAL_BASE_ENTRY = 1, /* open the base layer of a position */
    TC_SIGNAL_PYRAMID = 2,    /* add a layer to an open position */
    TC_SIGNAL_EXIT = 3,       /* close every layer */
    TC_SIGNAL_STOP_UPDATE = 4 /* move the stop of an open position */
};

enum tc_side {
    TC_SIDE_LONG = 1,
    TC_SIDE_SHORT = 2
};

/* "BASE_ENTRY", ...; "LONG", "SHORT"; "?" for values outside the enums. */
const char *tc_signal_type_name(enum tc_signal_type t);
const char *tc_side_name(enum tc_side s);

/*
 * Parses the exact, case-sensitive names above ("BASE_ENTRY", "LONG") into
 * *OUT. TC_EINVAL names the text (quoted, cut to 32 bytes) and lists the
 * allowed values. *OUT is written only on success.
 */
int tc_signal_type_parse(const char *s, enum tc_signal_type *out, struct tc_error *err);
int tc_side_parse(const char *s, enum tc_side *out, struct tc_error *err);

/*
 * A signal. Fixed-size, no owned memory: copy it freely.
 *
 * Fields and which types require them (the JSON keys have the same names):
 *
 *   field        BASE_ENTRY  PYRAMID   EXIT      STOP_UPDATE
 *   type         required    required  required  required
 *   portfolio    required    required  required  required   (tc_id_validate)
 *   strategy     required    required  required  required   (tc_id_validate)
 *   instrument   required    required  required  required   (tc_id_validate)
 *   side         required    required  required  required   (the position's side)
 *   timestamp    required    required  required  required   (ISO-8601 string)
 *   price        required    required  optional  optional   (> 0)
 *   stop         required    optional  optional  required   (> 0)
 *   signal_id, quantity (> 0), lots (> 0, whole), reason, passphrase: optional.
 *   A BASE_ENTRY with an explicit quantity or lots needs no stop (nothing is
 *   sized by it): its stop is then optional, and the position has none.
 *
 * EXIT may omit the price (a market exit at whatever the broker gets) and
 * STOP_UPDATE may omit it (then the stop's side is checked by the ledger
 * against the position, with tc_stop_update_check). When both price and stop
 * are present, the stop must be on the losing side: LONG stop < price, SHORT
 * stop > price.
 */
struct tc_signal {
    enum tc_signal_type type;
    enum tc_side side;
    char portfolio[TC_ID_BUFSZ];
    char strategy[TC_ID_BUFSZ];
    char instrument[TC_ID_BUFSZ];
    char signal_id[TC_ID_BUFSZ];   /* "" when not given */
    int has_signal_id;
    struct tc_dec price, stop, quantity, lots;
    int has_price, has_stop, has_quantity, has_lots;
    int64_t timestamp_us;          /* UTC µs since the epoch */
    char reason[TC_SIGNAL_REASON_MAX];  /* "" when not given; no control chars */
    /*
     * Only for the webhook's authentication: never part of the fingerprint,
     * never in the outcome, never to be stored or logged. Check it with
     * tc_signal_check_passphrase, then erase it with tc_signal_wipe_passphrase.
     */
    char passphrase[TC_SIGNAL_PASSPHRASE_MAX];
    int has_passphrase;
};

/*
 * Parses LEN bytes of JSON (LEN may be (size_t)-1 for a NUL-terminated
 * string) into *OUT, then checks the fields as tc_signal_check does.
 *
 * The body is one JSON object (at most TC_SIGNAL_BODY_MAX bytes) with the
 * keys of struct tc_signal. Decisions:
 *  - Unknown keys are IGNORED: TradingView alert bodies carry extras
 *    ("exchange", "interval", ...). An unknown `type` or `side` VALUE is
 *    always an error. Duplicate keys are an error (which one would count?).
 *  - `null` for an optional key means the key is absent; for a required key
 *    it is "missing".
 *  - Decimal fields (price, stop, quantity, lots) are a JSON string, parsed
 *    exactly by tc_dec_parse ("NaN", "", "1e400" are errors), or a JSON
 *    number. JSON integers are exact. A JSON number with a fraction or an
 *    exponent reaches us as a double, so it is accepted only when its
 *    shortest round-trip decimal form has at most 15 significant digits
 *    (then that form is the text that was sent); otherwise the error asks
 *    the sender to send the value as a string.
 *  - `timestamp` is an ISO-8601 string as tc_time_parse reads it (a missing
 *    offset means UTC). Numbers (epoch seconds) are refused as ambiguous.
 *  - ids and reason must be strings; reason has no control characters.
 * Errors (see the top of this file) name the field; *OUT is zeroed first and
 * is meaningful only on success. JSON NULL is TC_EINVAL.
 */
int tc_signal_parse(const char *json, size_t len, struct tc_signal *out, struct tc_error *err);

/*
 * Checks a signal however it was built (parsed, or made by a strategy in a
 * backtest): known type and side, the required fields of its type, ids valid
 * (tc_id_validate), price > 0 and stop > 0 when present, quantity > 0, lots a
 * positive whole number, the stop on the losing side of the price, the reason
 * free of control characters. TC_EINVAL naming the field.
 */
int tc_signal_check(const struct tc_signal *sig, struct tc_error *err);

/*
 * tc_signal_check, plus the timestamp within MAX_SKEW_US (>= 0) of NOW_US in
 * either direction (the clock is the caller's). Outside the window is
 * TC_ERANGE with both times and the skew in seconds in the message; a
 * negative MAX_SKEW_US is TC_EINVAL.
 */
int tc_signal_validate(const struct tc_signal *sig, int64_t now_us, int64_t max_skew_us,
                       struct tc_error *err);

/*
 * tc_signal_validate for a caller that found the same bytes valid before:
 * the ids whose bits are set in KNOWN (TC_SIGNAL_KNOWN_PORTFOLIO,
 * TC_SIGNAL_KNOWN_STRATEGY, TC_SIGNAL_KNOWN_INSTRUMENT) are taken as valid
 * without being checked again. The same answers and messages as
 * tc_signal_validate when they are valid; KNOWN 0 is tc_signal_validate.
 */
#define TC_SIGNAL_KNOWN_PORTFOLIO 1u
#define TC_SIGNAL_KNOWN_STRATEGY 2u
#define TC_SIGNAL_KNOWN_INSTRUMENT 4u
int tc_signal_validate_known(const struct tc_signal *sig, int64_t now_us, int64_t max_skew_us,
                             unsigned known, struct tc_error *err);

/*
 * Writes the fingerprint of SIG into OUT: "id:<signal_id>" when the signal
 * has a signal_id, otherwise "sha256:<64 lower-case hex>" of the canonical
 * text (one "key=value\n" line per field in a fixed order: type, portfolio,
 * strategy, instrument, side, price, stop, quantity, lots, timestamp, reason;
 * decimals as tc_dec_format writes them, absent ones as "-", the timestamp as
 * UTC µs by tc_time_format). So "100", "100.0" and 100 give the same
 * fingerprint, as do any key order and whitespace; the passphrase never
 * counts. Returns 0, or TC_EINTERNAL if libcrypto fails (OUT then "").
 */
int tc_signal_fingerprint(const struct tc_signal *sig, char out[TC_SIGNAL_FP_LEN]);

/*
 * Compares the signal's passphrase with EXPECTED in constant time (for equal
 * lengths). 0 when they match; TC_EAUTH ("signal passphrase is missing" or
 * "signal passphrase does not match", never quoting either) otherwise.
 * EXPECTED NULL or "" is TC_EINVAL (a webhook without a secret is a
 * configuration error, not an open door).
 */
int tc_signal_check_passphrase(const struct tc_signal *sig, const char *expected,
                               struct tc_error *err);

/* Erases the passphrase from SIG (OPENSSL_cleanse) and clears has_passphrase. */
void tc_signal_wipe_passphrase(struct tc_signal *sig);

/* ---- sizing ------------------------------------------------------------ */

/*
 * A strategy's sizing and pyramiding rules, read from its params JSON by
 * tc_sizing_params_from_json. Defaults (tc_sizing_params_default):
 *   risk_fraction        0.01  fraction of equity risked by a base entry, (0, 1]
 *   max_position_value   0     cap on price × quantity × multiplier of the
 *                              whole position; 0 = no cap; >= 0
 *   max_pyramids         0     pyramid layers allowed on top of the base,
 *                              0..1000 (0 = no pyramiding)
 *   pyramid_distance     0     favourable price move required since the last
 *                              layer, absolute; >= 0
 *   pyramid_distance_pct 0     the same as a fraction of the last layer's
 *                              price, [0, 1); at most one of the two is set
 *   pyramid_size_fraction 1    a pyramid layer's size as a fraction of the
 *                              base layer's quantity, (0, 1]
 *   allow_stop_loosen    false whether STOP_UPDATE may move a stop away
 *                              from the price
 */
struct tc_sizing_params {
    struct tc_dec risk_fraction;
    struct tc_dec max_position_value;
    int max_pyramids;
    struct tc_dec pyramid_distance;
    struct tc_dec pyramid_distance_pct;
    struct tc_dec pyramid_size_fraction;
    int allow_stop_loosen;
};

/* Fills *P with the defaults above. */
void tc_sizing_params_default(struct tc_sizing_params *p);

/*
 * Reads the sizing keys of a strategy's params (a JSON object text; NULL
 * means "{}") into *P, starting from the defaults. Other keys belong to the
 * strategy and are ignored. Decimals as in tc_signal_parse (strings or
 * numbers); max_pyramids a JSON integer; allow_stop_loosen a JSON boolean.
 * Errors name the key: `strategy params: risk_fraction 1.5 is above 1`
 * (TC_EINVAL for types and bounds, TC_EPARSE for malformed JSON or decimal
 * text, TC_ERANGE for decimals that do not fit). *P is written only on
 * success.
 */
int tc_sizing_params_from_json(const char *params_json, struct tc_sizing_params *p,
                               struct tc_error *err);

/* Checks the bounds above; TC_EINVAL naming the field. */
int tc_sizing_params_check(const struct tc_sizing_params *p, struct tc_error *err);

/*
 * The quantity of a base entry:
 *
 *   lots = floor(equity × risk_fraction / (|price − stop| × multiplier × lot_size))
 *   cap  = floor(max_position_value / (price × multiplier × lot_size))   (if set)
 *   qty  = min(lots, cap) × lot_size
 *
 * computed exactly (the rationals are formed in 128-bit integers; the only
 * rounding is the explicit floor to whole lots). Arguments: price, stop,
 * multiplier, lot_size > 0 and price != stop (TC_EINVAL naming the argument;
 * equal price and stop is a zero risk distance); P checked as
 * tc_sizing_params_check. equity <= 0, or a result of 0 lots, is TC_EREJECTED
 * (`risk budget 10 (equity 1000 × risk_fraction 0.01) buys less than one lot
 * of 100 at a risk of 5 per lot unit`, or the cap's equivalent); a quantity
 * beyond the decimal range is TC_ERANGE. *QTY_OUT is written only on success.
 */
int tc_size_base_entry(const struct tc_sizing_params *p, struct tc_dec equity,
                       struct tc_dec price, struct tc_dec stop, struct tc_dec multiplier,
                       struct tc_dec lot_size, struct tc_dec *qty_out, struct tc_error *err);

/*
 * The quantity of a pyramid layer: floor(base_qty × pyramid_size_fraction /
 * lot_size) × lot_size, limited so that (open_qty + layer) × price ×
 * multiplier stays within max_position_value when that is set. BASE_QTY > 0,
 * OPEN_QTY >= 0, PRICE, MULTIPLIER, LOT_SIZE > 0 (TC_EINVAL). A layer of 0
 * lots is TC_EREJECTED naming the reason (fraction or cap). TC_ERANGE on
 * overflow.
 */
int tc_size_pyramid(const struct tc_sizing_params *p, struct tc_dec base_qty,
                    struct tc_dec open_qty, struct tc_dec price, struct tc_dec multiplier,
                    struct tc_dec lot_size, struct tc_dec *qty_out, struct tc_error *err);

/*
 * The quantity a signal asks for explicitly (it overrides the computed size):
 * its `quantity`, or its `lots` × LOT_SIZE; both given must agree. The
 * quantity must be a positive multiple of LOT_SIZE (TC_EINVAL), and the
 * explicit size is NOT exempt from the cap: (open_qty + qty) × price ×
 * multiplier above max_position_value is TC_EREJECTED (refused, never
 * silently shrunk). When the signal has neither, *HAS_EXPLICIT = 0 and the
 * caller sizes with tc_size_base_entry / tc_size_pyramid. PRICE is the
 * signal's price (> 0). TC_ERANGE on overflow.
 */
int tc_size_explicit(const struct tc_sizing_params *p, const struct tc_signal *sig,
                     struct tc_dec open_qty, struct tc_dec price, struct tc_dec multiplier,
                     struct tc_dec lot_size, int *has_explicit, struct tc_dec *qty_out,
                     struct tc_error *err);

/* ---- decisions ---------------------------------------------------------- */

/*
 * May a PYRAMID signal at PRICE add a layer? Allowed (0) when the base layer
 * is open (BASE_OPEN != 0), PYRAMID_COUNT (layers already added on top of the
 * base, >= 0) is below max_pyramids, and the price has moved at least the
 * required distance in the position's favour since LAST_LAYER_PRICE (the
 * price of the latest layer, the base when there is no pyramid yet): LONG
 * price − last, SHORT last − price, against pyramid_distance or
 * last × pyramid_distance_pct (rounded up to 8 places). Exactly the distance
 * is allowed. Otherwise TC_EREJECTED with the reason in ERR:
 *   pyramid: price 101.5 has moved 1.5 in favour since the last layer at 100,
 *   less than the required 2
 * Bad arguments (prices <= 0, negative count, unknown side) are TC_EINVAL.
 */
int tc_pyramid_check(const struct tc_sizing_params *p, enum tc_side side, int base_open,
                     int pyramid_count, struct tc_dec last_layer_price, struct tc_dec price,
                     struct tc_error *err);

/*
 * May a STOP_UPDATE move the stop to NEW_STOP (> 0)? CURRENT_STOP is the
 * position's stop (NULL = none yet: any stop on the right side is allowed);
 * PRICE is the latest price (NULL = unknown: the side is not checked).
 * Refused (TC_EREJECTED, reason in ERR) when the new stop is on the wrong
 * side of the price (LONG: must be below, SHORT: above), or loosens the stop
 * (LONG: lower than the current one, SHORT: higher) and allow_stop_loosen is
 * false. An unchanged stop is allowed. TC_EINVAL for bad arguments.
 */
int tc_stop_update_check(const struct tc_sizing_params *p, enum tc_side side,
                         const struct tc_dec *current_stop, struct tc_dec new_stop,
                         const struct tc_dec *price, struct tc_error *err);

/* ---- outcome ----------------------------------------------------------- */

enum tc_signal_status {
    TC_SIGNAL_ACCEPTED = 1,
    TC_SIGNAL_REJECTED = 2
};

/*
 * What happened to a signal. The ledger stores the first outcome of a
 * fingerprint and returns it, with duplicate = 1, for every repeat.
 * Empty strings are written as JSON null.
 */
struct tc_signal_outcome {
    enum tc_signal_status status;
    char reason[TC_ERROR_MSG_MAX];       /* why (rejections), or a note */
    char fingerprint[TC_SIGNAL_FP_LEN];
    char position_id[TC_ID_BUFSZ];
    char order_id[TC_ID_BUFSZ];
    int duplicate;
};

/*
 * Writes O as one line of JSON into BUF (capacity CAP; TC_SIGNAL_OUTCOME_JSON_MAX
 * always suffices), keys in this order:
 *   {"status":"accepted","reason":null,"fingerprint":"sha256:…",
 *    "position_id":"pos-1","order_id":"ord-1","duplicate":false}
 * Returns the length (without the NUL), TC_ENOSPC when CAP is too small,
 * TC_EINVAL for an unknown status or a string that is not valid UTF-8 or not
 * NUL-terminated within its array.
 */
int tc_signal_outcome_json(const struct tc_signal_outcome *o, char *buf, size_t cap,
                           struct tc_error *err);

/*
 * The reverse: parses JSON written by tc_signal_outcome_json (all six keys
 * required, no others; strings or null; duplicate a boolean). TC_EPARSE for
 * malformed JSON, TC_EINVAL naming the key otherwise; *OUT written only on
 * success.
 */
int tc_signal_outcome_parse(const char *json, size_t len, struct tc_signal_outcome *out,
                            struct tc_error *err);

#endif
