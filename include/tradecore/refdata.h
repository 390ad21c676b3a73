/*
 * Reference data: markets (exchanges), issuers and instruments, kept in the
 * historical store (migrations/<backend>/historical/0001_reference_data).
 *
 * Repositories with create, get, update, soft delete, list and finders. Every
 * input is validated before any SQL runs; a rejected input returns TC_EINVAL
 * with a message naming the entity and the field
 * (`instrument "ORCL": currency "usd" is not three capital letters`), and the
 * store is unchanged. Conventions shared by every entity:
 *
 *   - ids and codes are fixed-size char arrays (NUL-terminated); an id obeys
 *     tc_id_validate() (id.h): 1..64 characters of [A-Za-z0-9._:-];
 *   - optional text fields are "" when absent (NULL in the database);
 *   - JSON fields (metadata, calendar_spec) are malloc'd strings owned by the
 *     struct; NULL on input means "{}"; they must be JSON objects. Entities
 *     filled by get/list own their JSON strings: release them with
 *     tc_<entity>_release() (which leaves the struct zeroed). PostgreSQL
 *     stores JSONB, so JSON read back is equal as JSON, not byte for byte;
 *   - decimals are struct tc_dec; timestamps are µs since the epoch (UTC) from
 *     the repository's clock; deleted_at_us is 0 for live rows;
 *   - a soft-deleted row is invisible to get, list, find and update; its id
 *     stays taken (create with it is TC_ECONFLICT);
 *   - a duplicate id (or a duplicate live symbol within a market) is
 *     TC_ECONFLICT: `instrument "ORCL" already exists`;
 *   - a missing row is TC_ENOTFOUND: `market "XNYS" not found`;
 *   - store failures pass through with the store's code (TC_ESTORE, …).
 *
 * Thread-safety: the functions share nothing but the store (see store.h).
 */
#ifndef TRADECORE_REFDATA_H
#define TRADECORE_REFDATA_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/id.h"
#include "tradecore/store.h"

#define TC_REFDATA_ID_MAX TC_ID_BUFSZ /* ids, symbols, time zones, sectors: 64 chars + NUL */
#define TC_REFDATA_NAME_MAX 128  /* names: 127 chars + NUL */
#define TC_REFDATA_ACTOR_DEFAULT "tradecore"

/*
 * The repository: a borrowed historical store, the clock that stamps
 * created_at/updated_at/deleted_at (NULL = system clock) and the actor written
 * to created_by/updated_by (NULL = TC_REFDATA_ACTOR_DEFAULT). Plain struct,
 * filled by the caller; nothing to release.
 */
struct tc_refdata {
    struct tc_store *store;
    const struct tc_clock *clock;
    const char *actor;
};

enum tc_asset_class {
    TC_ASSET_EQUITY = 1,
    TC_ASSET_ETF,
    TC_ASSET_FUTURE,
    TC_ASSET_OPTION,
    TC_ASSET_FX,
    TC_ASSET_CRYPTO,
    TC_ASSET_INDEX
};

enum tc_instrument_status {
    TC_INSTRUMENT_ACTIVE = 1,
    TC_INSTRUMENT_SUSPENDED,
    TC_INSTRUMENT_DELISTED
};

enum tc_issuer_type {
    TC_ISSUER_CORPORATION = 1,
    TC_ISSUER_GOVERNMENT,
    TC_ISSUER_FUND,
    TC_ISSUER_OTHER
};

/* Names as stored ("EQUITY", "ACTIVE", "CORPORATION"); NULL for unknown values. */
const char *tc_asset_class_name(enum tc_asset_class c);
const char *tc_instrument_status_name(enum tc_instrument_status s);
const char *tc_issuer_type_name(enum tc_issuer_type t);
/* Parse the upper-case names above (exact match). TC_EINVAL for anything else,
 * with a message listing the accepted names: `unknown asset class "BOND"
 * (expected EQUITY, ETF, FUTURE, OPTION, FX, CRYPTO or INDEX)`. */
int tc_asset_class_parse(const char *s, enum tc_asset_class *out, struct tc_error *err);
int tc_instrument_status_parse(const char *s, enum tc_instrument_status *out,
                               struct tc_error *err);
int tc_issuer_type_parse(const char *s, enum tc_issuer_type *out, struct tc_error *err);

/* ------------------------------------------------------------------------ */

struct tc_market {
    char market_id[TC_REFDATA_ID_MAX];   /* MIC, e.g. "XNYS" */
    char name[TC_REFDATA_NAME_MAX];      /* required */
    char region[TC_REFDATA_ID_MAX];      /* optional, e.g. "US" */
    char timezone[TC_REFDATA_ID_MAX];    /* required IANA zone, e.g. "America/New_York" */
    char *calendar_spec;                 /* JSON object, owned; NULL = "{}" */
    char *metadata;                      /* JSON object, owned; NULL = "{}" */
    int64_t created_at_us, updated_at_us, deleted_at_us;
    char created_by[TC_REFDATA_ID_MAX], updated_by[TC_REFDATA_ID_MAX];
};

struct tc_issuer {
    char issuer_id[TC_REFDATA_ID_MAX];
    enum tc_issuer_type issuer_type;
    char name[TC_REFDATA_NAME_MAX];      /* required */
    char country[TC_REFDATA_ID_MAX];     /* optional ISO 3166 alpha-2: two capital letters */
    char sector[TC_REFDATA_ID_MAX];      /* optional */
    char industry[TC_REFDATA_ID_MAX];    /* optional */
    char *metadata;                      /* JSON object, owned; NULL = "{}" */
    int64_t created_at_us, updated_at_us, deleted_at_us;
    char created_by[TC_REFDATA_ID_MAX], updated_by[TC_REFDATA_ID_MAX];
};

struct tc_instrument {
    char instrument_id[TC_REFDATA_ID_MAX];
    char issuer_id[TC_REFDATA_ID_MAX];   /* optional; must name a live issuer */
    char market_id[TC_REFDATA_ID_MAX];   /* required; must name a live market */
    enum tc_asset_class asset_class;
    char symbol[TC_REFDATA_ID_MAX];      /* required, free text without control chars */
    char exchange[TC_REFDATA_ID_MAX];    /* optional */
    char currency[4];                    /* "USD" */
    struct tc_dec multiplier;            /* > 0 */
    struct tc_dec tick_size;             /* > 0 */
    struct tc_dec lot_size;              /* > 0 */
    char maturity_date[11];              /* optional "YYYY-MM-DD" (a real date) */
    char underlying_instrument_id[TC_REFDATA_ID_MAX]; /* optional; a live instrument */
    enum tc_instrument_status status;
    char *metadata;                      /* JSON object, owned; NULL = "{}" */
    int64_t created_at_us, updated_at_us, deleted_at_us;
    char created_by[TC_REFDATA_ID_MAX], updated_by[TC_REFDATA_ID_MAX];
};

/* Lists returned by list and find: ITEMS is malloc'd (NULL when N is 0), owned
 * by the caller; release with the matching tc_<entity>_list_release (frees
 * every element's JSON, then ITEMS; leaves the list empty; NULL allowed). */
struct tc_market_list {
    struct tc_market *items;
    size_t n;
};
struct tc_issuer_list {
    struct tc_issuer *items;
    size_t n;
};
struct tc_instrument_list {
    struct tc_instrument *items;
    size_t n;
};

/* Free the JSON strings of one entity and zero it (NULL allowed). */
void tc_market_release(struct tc_market *m);
void tc_issuer_release(struct tc_issuer *i);
void tc_instrument_release(struct tc_instrument *i);
void tc_market_list_release(struct tc_market_list *l);
void tc_issuer_list_release(struct tc_issuer_list *l);
void tc_instrument_list_release(struct tc_instrument_list *l);

/*
 * Instrument defaults for callers that fill a struct: multiplier 1, tick size
 * 0.01, lot size 1, status ACTIVE, everything else zero/empty. OUT is
 * overwritten (not released).
 */
void tc_instrument_init(struct tc_instrument *out);

/* Validation only (no store access): 0 or TC_EINVAL naming entity and field. */
int tc_market_validate(const struct tc_market *m, struct tc_error *err);
int tc_issuer_validate(const struct tc_issuer *i, struct tc_error *err);
int tc_instrument_validate(const struct tc_instrument *i, struct tc_error *err);

/*
 * create: validates, checks references (an unknown or deleted market, issuer
 * or underlying is TC_EINVAL naming it), inserts with created_at = updated_at
 * = now. The input is borrowed; its timestamps and *_by fields are ignored.
 * update: replaces every field but the id and the created_* fields of a live
 * row; TC_ENOTFOUND when there is none. remove: soft delete (sets deleted_at);
 * TC_ENOTFOUND when there is no live row; a market or issuer still referenced
 * by live instruments is TC_ESTATE.
 * get: fills *OUT (caller releases it); TC_ENOTFOUND for missing or deleted.
 */
int tc_refdata_market_create(const struct tc_refdata *rd, const struct tc_market *m,
                             struct tc_error *err);
int tc_refdata_market_get(const struct tc_refdata *rd, const char *market_id,
                          struct tc_market *out, struct tc_error *err);
int tc_refdata_market_update(const struct tc_refdata *rd, const struct tc_market *m,
                             struct tc_error *err);
int tc_refdata_market_remove(const struct tc_refdata *rd, const char *market_id,
                             struct tc_error *err);
/* Live markets ordered by id; *OUT is overwritten, caller releases. */
int tc_refdata_market_list(const struct tc_refdata *rd, struct tc_market_list *out,
                           struct tc_error *err);

int tc_refdata_issuer_create(const struct tc_refdata *rd, const struct tc_issuer *i,
                             struct tc_error *err);
int tc_refdata_issuer_get(const struct tc_refdata *rd, const char *issuer_id,
                          struct tc_issuer *out, struct tc_error *err);
int tc_refdata_issuer_update(const struct tc_refdata *rd, const struct tc_issuer *i,
                             struct tc_error *err);
int tc_refdata_issuer_remove(const struct tc_refdata *rd, const char *issuer_id,
                             struct tc_error *err);
int tc_refdata_issuer_list(const struct tc_refdata *rd, struct tc_issuer_list *out,
                           struct tc_error *err);

int tc_refdata_instrument_create(const struct tc_refdata *rd, const struct tc_instrument *i,
                                 struct tc_error *err);
int tc_refdata_instrument_get(const struct tc_refdata *rd, const char *instrument_id,
                              struct tc_instrument *out, struct tc_error *err);
int tc_refdata_instrument_update(const struct tc_refdata *rd, const struct tc_instrument *i,
                                 struct tc_error *err);
int tc_refdata_instrument_remove(const struct tc_refdata *rd, const char *instrument_id,
                                 struct tc_error *err);
/* Live instruments ordered by id. */
int tc_refdata_instrument_list(const struct tc_refdata *rd, struct tc_instrument_list *out,
                               struct tc_error *err);
/* Finders: live instruments with that exact symbol (any market) / in that
 * market / with that status, ordered by id; an empty result is not an error. */
int tc_refdata_instrument_find_symbol(const struct tc_refdata *rd, const char *symbol,
                                      struct tc_instrument_list *out, struct tc_error *err);
int tc_refdata_instrument_find_market(const struct tc_refdata *rd, const char *market_id,
                                      struct tc_instrument_list *out, struct tc_error *err);
int tc_refdata_instrument_find_status(const struct tc_refdata *rd,
                                      enum tc_instrument_status status,
                                      struct tc_instrument_list *out, struct tc_error *err);

#endif
