/* Reference data repositories: markets, issuers and instruments in the
 * historical store, validated before any SQL, with soft delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/repo_util.h"
#include "tradecore/refdata.h"
#include "tradecore/validate.h"
#include "internal/banned.h"

/* ------------------------------------------------------------------------ */
/* Enumerations                                                               */

struct name_map {
    int value;
    const char *name;
};

static const struct name_map asset_classes[] = {
    {TC_ASSET_EQUITY, "EQUITY"}, {TC_ASSET_ETF, "ETF"},       {TC_ASSET_FUTURE, "FUTURE"},
    {TC_ASSET_OPTION, "OPTION"}, {TC_ASSET_FX, "FX"},         {TC_ASSET_CRYPTO, "CRYPTO"},
    {TC_ASSET_INDEX, "INDEX"},   {0, NULL}};
static const struct name_map statuses[] = {{TC_INSTRUMENT_ACTIVE, "ACTIVE"},
                                           {TC_INSTRUMENT_SUSPENDED, "SUSPENDED"},
                                           {TC_INSTRUMENT_DELISTED, "DELISTED"},
                                           {0, NULL}};
static const struct name_map issuer_types[] = {{TC_ISSUER_CORPORATION, "CORPORATION"},
                                               {TC_ISSUER_GOVERNMENT, "GOVERNMENT"},
                                               {TC_ISSUER_FUND, "FUND"},
                                               {TC_ISSUER_OTHER, "OTHER"},
                                               {0, NULL}};

static const char *map_name(const struct name_map *m, int v)
{
    for (; m->name; m++)
        if (m->value == v)
            return m->name;
    return NULL;
}

static int map_parse(const struct name_map *m, const char *what, const char *s, int *out,
                     struct tc_error *err)
{
    char expected[160] = "";
    size_t len = 0;

    for (const struct name_map *p = m; p->name; p++) {
        if (s && strcmp(s, p->name) == 0) {
            *out = p->value;
            return 0;
        }
    }
    for (const struct name_map *p = m; p->name; p++) {
        const char *sep = p == m ? "" : (p[1].name ? ", " : " or ");
        int n = snprintf(expected + len, sizeof(expected) - len, "%s%s", sep, p->name);
        if (n > 0 && (size_t)n < sizeof(expected) - len)
            len += (size_t)n;
    }
    return tc_error_set(err, TC_EINVAL, "unknown %s \"%.64s\" (expected %s)", what, s ? s : "",
                        expected);
}

const char *tc_asset_class_name(enum tc_asset_class c) { return map_name(asset_classes, (int)c); }
const char *tc_instrument_status_name(enum tc_instrument_status s)
{
    return map_name(statuses, (int)s);
}
const char *tc_issuer_type_name(enum tc_issuer_type t) { return map_name(issuer_types, (int)t); }

int tc_asset_class_parse(const char *s, enum tc_asset_class *out, struct tc_error *err)
{
    int v, rc = map_parse(asset_classes, "asset class", s, &v, err);
    if (rc == 0)
        *out = (enum tc_asset_class)v;
    return rc;
}

int tc_instrument_status_parse(const char *s, enum tc_instrument_status *out,
                               struct tc_error *err)
{
    int v, rc = map_parse(statuses, "instrument status", s, &v, err);
    if (rc == 0)
        *out = (enum tc_instrument_status)v;
    return rc;
}

int tc_issuer_type_parse(const char *s, enum tc_issuer_type *out, struct tc_error *err)
{
    int v, rc = map_parse(issuer_types, "issuer type", s, &v, err);
    if (rc == 0)
        *out = (enum tc_issuer_type)v;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                  */

void tc_market_release(struct tc_market *m)
{
    if (!m)
        return;
    free(m->calendar_spec);
    free(m->metadata);
    memset(m, 0, sizeof(*m));
}

void tc_issuer_release(struct tc_issuer *i)
{
    if (!i)
        return;
    free(i->metadata);
    memset(i, 0, sizeof(*i));
}

void tc_instrument_release(struct tc_instrument *i)
{
    if (!i)
        return;
    free(i->metadata);
    memset(i, 0, sizeof(*i));
}

void tc_market_list_release(struct tc_market_list *l)
{
    if (!l)
        return;
    for (size_t k = 0; k < l->n; k++)
        tc_market_release(&l->items[k]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_issuer_list_release(struct tc_issuer_list *l)
{
    if (!l)
        return;
    for (size_t k = 0; k < l->n; k++)
        tc_issuer_release(&l->items[k]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_instrument_list_release(struct tc_instrument_list *l)
{
    if (!l)
        return;
    for (size_t k = 0; k < l->n; k++)
        tc_instrument_release(&l->items[k]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_instrument_init(struct tc_instrument *out)
{
    memset(out, 0, sizeof(*out));
    out->multiplier = tc_dec_from_raw(TC_DEC_ONE);
    out->tick_size = tc_dec_from_raw(TC_DEC_ONE / 100);
    out->lot_size = tc_dec_from_raw(TC_DEC_ONE);
    out->status = TC_INSTRUMENT_ACTIVE;
}

/* ------------------------------------------------------------------------ */
/* Validation                                                                 */

/* Checks a fixed-size field: NUL-terminated, then text rules (ID_RULES: an id). */
static int check_field(const char *entity, const char *id, const char *field, const char *buf,
                       size_t cap, int optional, int id_rules, struct tc_error *err)
{
    char what[160];
    int rc;

    snprintf(what, sizeof(what), "%s \"%.64s\": %s", entity, id, field);
    if ((rc = tc__repo_fixed(what, buf, cap, err)) != 0)
        return rc;
    if (optional && !buf[0])
        return 0;
    if (id_rules)
        return tc_validate_id(what, buf, err);
    return tc_validate_text(what, buf, cap - 1, optional, err);
}

static int check_json(const char *entity, const char *id, const char *field, const char *json,
                      struct tc_error *err)
{
    char what[160];
    snprintf(what, sizeof(what), "%s \"%.64s\": %s", entity, id, field);
    return tc_validate_json_object(what, json, err);
}

static int check_positive(const char *entity, const char *id, const char *field,
                          struct tc_dec d, struct tc_error *err)
{
    char buf[TC_DEC_STRLEN];
    if (tc_dec_sign(d) > 0)
        return 0;
    tc_dec_format(d, buf, sizeof(buf));
    return tc_error_set(err, TC_EINVAL, "%s \"%.64s\": %s %s must be positive", entity, id,
                        field, buf);
}

/* The id of an entity: valid and NUL-terminated, else "<entity>: id ...". */
static int check_own_id(const char *entity, const char *id, size_t cap, struct tc_error *err)
{
    int rc;
    if ((rc = tc__repo_fixed(entity, id, cap, err)) != 0)
        return rc;
    return tc_validate_id(entity, id, err);
}

int tc_market_validate(const struct tc_market *m, struct tc_error *err)
{
    char what[160];
    int rc;

    if (!m)
        return tc_error_set(err, TC_EINVAL, "market: no market given");
    if ((rc = check_own_id("market", m->market_id, sizeof(m->market_id), err)) != 0 ||
        (rc = check_field("market", m->market_id, "name", m->name, sizeof(m->name), 0, 0,
                          err)) != 0 ||
        (rc = check_field("market", m->market_id, "region", m->region, sizeof(m->region), 1, 0,
                          err)) != 0 ||
        (rc = tc__repo_fixed("market: timezone", m->timezone, sizeof(m->timezone), err)) != 0)
        return rc;
    snprintf(what, sizeof(what), "market \"%s\": timezone", m->market_id);
    if ((rc = tc_validate_timezone(what, m->timezone, err)) != 0 ||
        (rc = check_json("market", m->market_id, "calendar_spec", m->calendar_spec, err)) != 0 ||
        (rc = check_json("market", m->market_id, "metadata", m->metadata, err)) != 0)
        return rc;
    return 0;
}

int tc_issuer_validate(const struct tc_issuer *i, struct tc_error *err)
{
    int rc;

    if (!i)
        return tc_error_set(err, TC_EINVAL, "issuer: no issuer given");
    if ((rc = check_own_id("issuer", i->issuer_id, sizeof(i->issuer_id), err)) != 0)
        return rc;
    if (!tc_issuer_type_name(i->issuer_type))
        return tc_error_set(err, TC_EINVAL,
                            "issuer \"%s\": issuer_type %d is unknown (expected CORPORATION, "
                            "GOVERNMENT, FUND or OTHER)",
                            i->issuer_id, (int)i->issuer_type);
    if ((rc = check_field("issuer", i->issuer_id, "name", i->name, sizeof(i->name), 0, 0,
                          err)) != 0 ||
        (rc = check_field("issuer", i->issuer_id, "country", i->country, sizeof(i->country), 1,
                          0, err)) != 0 ||
        (rc = check_field("issuer", i->issuer_id, "sector", i->sector, sizeof(i->sector), 1, 0,
                          err)) != 0 ||
        (rc = check_field("issuer", i->issuer_id, "industry", i->industry, sizeof(i->industry),
                          1, 0, err)) != 0)
        return rc;
    if (i->country[0] && !(strlen(i->country) == 2 && i->country[0] >= 'A' &&
                           i->country[0] <= 'Z' && i->country[1] >= 'A' && i->country[1] <= 'Z'))
        return tc_error_set(err, TC_EINVAL,
                            "issuer \"%s\": country \"%s\" is not two capital letters",
                            i->issuer_id, i->country);
    return check_json("issuer", i->issuer_id, "metadata", i->metadata, err);
}

int tc_instrument_validate(const struct tc_instrument *i, struct tc_error *err)
{
    const char *id;
    char what[160];
    int rc;

    if (!i)
        return tc_error_set(err, TC_EINVAL, "instrument: no instrument given");
    if ((rc = check_own_id("instrument", i->instrument_id, sizeof(i->instrument_id), err)) != 0)
        return rc;
    id = i->instrument_id;
    if ((rc = check_field("instrument", id, "symbol", i->symbol, sizeof(i->symbol), 0, 0,
                          err)) != 0 ||
        (rc = check_field("instrument", id, "market_id", i->market_id, sizeof(i->market_id), 0,
                          1, err)) != 0 ||
        (rc = check_field("instrument", id, "issuer_id", i->issuer_id, sizeof(i->issuer_id), 1,
                          1, err)) != 0 ||
        (rc = check_field("instrument", id, "exchange", i->exchange, sizeof(i->exchange), 1, 0,
                          err)) != 0 ||
        (rc = check_field("instrument", id, "underlying_instrument_id",
                          i->underlying_instrument_id, sizeof(i->underlying_instrument_id), 1,
                          1, err)) != 0)
        return rc;
    if (!tc_asset_class_name(i->asset_class))
        return tc_error_set(err, TC_EINVAL,
                            "instrument \"%s\": asset_class %d is unknown (expected EQUITY, ETF, "
                            "FUTURE, OPTION, FX, CRYPTO or INDEX)",
                            id, (int)i->asset_class);
    if (!tc_instrument_status_name(i->status))
        return tc_error_set(err, TC_EINVAL,
                            "instrument \"%s\": status %d is unknown (expected ACTIVE, "
                            "SUSPENDED or DELISTED)",
                            id, (int)i->status);
    snprintf(what, sizeof(what), "instrument \"%s\": currency", id);
    if ((rc = tc__repo_fixed(what, i->currency, sizeof(i->currency), err)) != 0 ||
        (rc = tc_validate_currency(what, i->currency, err)) != 0)
        return rc;
    if ((rc = check_positive("instrument", id, "multiplier", i->multiplier, err)) != 0 ||
        (rc = check_positive("instrument", id, "tick_size", i->tick_size, err)) != 0 ||
        (rc = check_positive("instrument", id, "lot_size", i->lot_size, err)) != 0)
        return rc;
    snprintf(what, sizeof(what), "instrument \"%s\": maturity_date", id);
    if ((rc = tc__repo_fixed(what, i->maturity_date, sizeof(i->maturity_date), err)) != 0 ||
        (i->maturity_date[0] && (rc = tc_validate_date(what, i->maturity_date, err)) != 0))
        return rc;
    if (strcmp(i->underlying_instrument_id, id) == 0)
        return tc_error_set(err, TC_EINVAL,
                            "instrument \"%s\": underlying_instrument_id is the instrument itself",
                            id);
    return check_json("instrument", id, "metadata", i->metadata, err);
}

/* ------------------------------------------------------------------------ */
/* Shared plumbing                                                            */

static const char *actor_of(const struct tc_refdata *rd)
{
    return (rd->actor && *rd->actor) ? rd->actor : TC_REFDATA_ACTOR_DEFAULT;
}

static int check_repo(const struct tc_refdata *rd, struct tc_error *err)
{
    if (!rd || !rd->store)
        return tc_error_set(err, TC_EINVAL, "reference data: no store given");
    return 0;
}

static struct tc_val opt_text(const char *s) { return (s && *s) ? TC_V_TEXT(s) : TC_V_NULL; }
static struct tc_val json_or_empty(const char *s) { return TC_V_JSON(s ? s : "{}"); }

/* Fails with TC_EINVAL unless a live row of TABLE has ID (what names it). */
static int require_live(struct tc_txn *tx, const char *sql, const char *entity,
                        const char *ref_what, const char *ref_id, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(ref_id)};
    int found, rc;

    if ((rc = tc__repo_exists(tx, sql, p, 1, &found, NULL, 0, err)) != 0)
        return rc;
    if (!found)
        return tc_error_set(err, TC_EINVAL, "%s: unknown %s \"%s\"", entity, ref_what, ref_id);
    return 0;
}

static int soft_delete(struct tc_txn *tx, const struct tc_refdata *rd, const char *sql,
                       const char *entity, const char *id, struct tc_error *err)
{
    return tc__repo_soft_delete(tx, sql, entity, id, tc_clock_now(rd->clock), actor_of(rd), err);
}

/* Reads the audit columns at FIRST.. (created_at, updated_at, created_by,
 * updated_by, deleted_at). */
static int read_audit(const struct tc_row *row, int first, int64_t *created, int64_t *updated,
                      char *cby, char *uby, int64_t *deleted)
{
    int rc;
    if ((rc = tc__repo_col_time(row, first, created)) != 0 ||
        (rc = tc__repo_col_time(row, first + 1, updated)) != 0 ||
        (rc = tc__repo_col_str(row, first + 2, cby, TC_REFDATA_ID_MAX)) != 0 ||
        (rc = tc__repo_col_str(row, first + 3, uby, TC_REFDATA_ID_MAX)) != 0 ||
        (rc = tc__repo_col_time(row, first + 4, deleted)) != 0)
        return rc;
    return 0;
}

static int parse_enum(const struct name_map *m, const struct tc_row *row, int col, int *out)
{
    char buf[32];
    int rc;

    if ((rc = tc__repo_col_str(row, col, buf, sizeof(buf))) != 0)
        return rc;
    for (; m->name; m++) {
        if (strcmp(buf, m->name) == 0) {
            *out = m->value;
            return 0;
        }
    }
    return TC_EPARSE;
}

static int run_read(const struct tc_refdata *rd, struct tc__repo_read *c, struct tc_error *err)
{
    return tc__repo_read_run(rd->store, c, err);
}

/* Soft-deletes the KIND row ID (DELETE_SQL: $1 id, $2 time, $3 actor) unless
 * a live instrument still refers to it (USER_SQL: $1 id, the first such
 * instrument's id): TC_ESTATE "<kind> "<id>" is still <USED_AS> instrument
 * "<user>"". */
struct remove_op {
    const struct tc_refdata *rd;
    const char *kind, *id, *user_sql, *used_as, *delete_sql;
};

static int remove_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    const struct remove_op *op = ud;
    struct tc_val key[] = {TC_V_TEXT(op->id)};
    char user[TC_REFDATA_ID_MAX];
    int found, rc;

    if ((rc = tc__repo_exists(tx, op->user_sql, key, 1, &found, user, sizeof(user), err)) != 0)
        return rc;
    if (found)
        return tc_error_set(err, TC_ESTATE, "%s \"%s\" is still %s instrument \"%s\"", op->kind,
                            op->id, op->used_as, user);
    return soft_delete(tx, op->rd, op->delete_sql, op->kind, op->id, err);
}

static int remove_entity(struct remove_op *op, struct tc_error *err)
{
    int rc;
    if ((rc = check_repo(op->rd, err)) != 0 || (rc = tc_validate_id(op->kind, op->id, err)) != 0)
        return rc;
    return tc_store_txn(op->rd->store, TC_TXN_WRITE, remove_txn, op, err);
}

/* Runs C, a primary-key lookup of the KIND row ID, and moves its row into OUT
 * (SIZE bytes, zeroed first; the caller releases it). TC_ENOTFOUND when there
 * is none. */
static int get_one(const struct tc_refdata *rd, const char *kind, const char *id,
                   struct tc__repo_read *c, void *out, size_t size, struct tc_error *err)
{
    int rc;

    memset(out, 0, size);
    if ((rc = check_repo(rd, err)) != 0 || (rc = tc_validate_id(kind, id, err)) != 0)
        return rc;
    if ((rc = run_read(rd, c, err)) != 0)
        return rc;
    if (c->vec.n == 0)
        return tc_error_set(err, TC_ENOTFOUND, "%s \"%s\" not found", kind, id);
    memcpy(out, c->vec.items, size);
    free(c->vec.items); /* a primary-key lookup returns one row */
    return 0;
}

/* Runs C and hands its rows to the caller (*ITEMS, *N; NULL and 0 on error). */
static int list_all(const struct tc_refdata *rd, struct tc__repo_read *c, void **items, size_t *n,
                    struct tc_error *err)
{
    int rc;

    *items = NULL;
    *n = 0;
    if ((rc = check_repo(rd, err)) != 0 || (rc = run_read(rd, c, err)) != 0)
        return rc;
    *items = c->vec.items;
    *n = c->vec.n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Markets                                                                    */

#define MARKET_COLS                                                                        \
    "market_id, name, region, timezone, calendar_spec, metadata, created_at, updated_at, " \
    "created_by, updated_by, deleted_at"

static int market_fill(const struct tc_row *row, void *item)
{
    struct tc_market *m = item;
    int rc;
    if ((rc = tc__repo_col_str(row, 0, m->market_id, sizeof(m->market_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, m->name, sizeof(m->name))) != 0 ||
        (rc = tc__repo_col_str(row, 2, m->region, sizeof(m->region))) != 0 ||
        (rc = tc__repo_col_str(row, 3, m->timezone, sizeof(m->timezone))) != 0 ||
        (rc = tc__repo_col_json(row, 4, &m->calendar_spec)) != 0 ||
        (rc = tc__repo_col_json(row, 5, &m->metadata)) != 0)
        return rc;
    return read_audit(row, 6, &m->created_at_us, &m->updated_at_us, m->created_by,
                      m->updated_by, &m->deleted_at_us);
}

static void market_free(void *item) { tc_market_release(item); }

struct market_op {
    const struct tc_refdata *rd;
    const struct tc_market *m;
};

static int market_create_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct market_op *op = ud;
    const struct tc_market *m = op->m;
    struct tc_val key[] = {TC_V_TEXT(m->market_id)};
    int64_t now = tc_clock_now(op->rd->clock);
    struct tc_val p[] = {TC_V_TEXT(m->market_id), TC_V_TEXT(m->name), opt_text(m->region),
                         TC_V_TEXT(m->timezone), json_or_empty(m->calendar_spec),
                         json_or_empty(m->metadata), TC_V_TIME(now), TC_V_TEXT(actor_of(op->rd))};
    int found, rc;

    if ((rc = tc__repo_exists(tx, "SELECT 1 FROM markets WHERE market_id = $1", key, 1, &found,
                              NULL, 0, err)) != 0)
        return rc;
    if (found)
        return tc_error_set(err, TC_ECONFLICT, "market \"%s\" already exists", m->market_id);
    return tc_txn_exec(tx,
                       "INSERT INTO markets (market_id, name, region, timezone, calendar_spec, "
                       "metadata, created_at, updated_at, created_by, updated_by) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $8)",
                       p, 8, NULL, NULL, NULL, err);
}

int tc_refdata_market_create(const struct tc_refdata *rd, const struct tc_market *m,
                             struct tc_error *err)
{
    struct market_op op = {rd, m};
    int rc;
    if ((rc = check_repo(rd, err)) != 0 || (rc = tc_market_validate(m, err)) != 0)
        return rc;
    return tc_store_txn(rd->store, TC_TXN_WRITE, market_create_txn, &op, err);
}

int tc_refdata_market_get(const struct tc_refdata *rd, const char *market_id,
                          struct tc_market *out, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(market_id ? market_id : "")};
    struct tc__repo_read c = {"SELECT " MARKET_COLS " FROM markets WHERE market_id = $1 AND deleted_at IS NULL",
                              p, 1, {.size = sizeof(struct tc_market)}, market_fill, market_free, 0};
    return get_one(rd, "market", market_id, &c, out, sizeof(*out), err);
}

static int market_update_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct market_op *op = ud;
    const struct tc_market *m = op->m;
    struct tc_val p[] = {TC_V_TEXT(m->market_id), TC_V_TEXT(m->name), opt_text(m->region),
                         TC_V_TEXT(m->timezone), json_or_empty(m->calendar_spec),
                         json_or_empty(m->metadata), TC_V_TIME(tc_clock_now(op->rd->clock)),
                         TC_V_TEXT(actor_of(op->rd))};
    int64_t changes = 0;
    int rc;

    if ((rc = tc_txn_exec(tx,
                          "UPDATE markets SET name = $2, region = $3, timezone = $4, "
                          "calendar_spec = $5, metadata = $6, updated_at = $7, updated_by = $8 "
                          "WHERE market_id = $1 AND deleted_at IS NULL",
                          p, 8, NULL, NULL, &changes, err)) != 0)
        return rc;
    if (changes == 0)
        return tc_error_set(err, TC_ENOTFOUND, "market \"%s\" not found", m->market_id);
    return 0;
}

int tc_refdata_market_update(const struct tc_refdata *rd, const struct tc_market *m,
                             struct tc_error *err)
{
    struct market_op op = {rd, m};
    int rc;
    if ((rc = check_repo(rd, err)) != 0 || (rc = tc_market_validate(m, err)) != 0)
        return rc;
    return tc_store_txn(rd->store, TC_TXN_WRITE, market_update_txn, &op, err);
}

int tc_refdata_market_remove(const struct tc_refdata *rd, const char *market_id,
                             struct tc_error *err)
{
    struct remove_op op = {rd, "market", market_id,
                           "SELECT instrument_id FROM instruments WHERE market_id = $1 AND "
                           "deleted_at IS NULL ORDER BY instrument_id LIMIT 1",
                           "used by",
                           "UPDATE markets SET deleted_at = $2, updated_at = $2, updated_by = $3 "
                           "WHERE market_id = $1 AND deleted_at IS NULL"};
    return remove_entity(&op, err);
}

int tc_refdata_market_list(const struct tc_refdata *rd, struct tc_market_list *out,
                           struct tc_error *err)
{
    struct tc__repo_read c = {"SELECT " MARKET_COLS " FROM markets WHERE deleted_at IS NULL ORDER BY market_id",
                              NULL, 0, {.size = sizeof(struct tc_market)}, market_fill, market_free, 0};
    void *items;
    int rc = list_all(rd, &c, &items, &out->n, err);
    out->items = items;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Issuers                                                                    */

#define ISSUER_COLS                                                                      \
    "issuer_id, issuer_type, name, country, sector, industry, metadata, created_at, "    \
    "updated_at, created_by, updated_by, deleted_at"

static int issuer_fill(const struct tc_row *row, void *item)
{
    struct tc_issuer *i = item;
    int type, rc;
    if ((rc = tc__repo_col_str(row, 0, i->issuer_id, sizeof(i->issuer_id))) != 0 ||
        (rc = parse_enum(issuer_types, row, 1, &type)) != 0 ||
        (rc = tc__repo_col_str(row, 2, i->name, sizeof(i->name))) != 0 ||
        (rc = tc__repo_col_str(row, 3, i->country, sizeof(i->country))) != 0 ||
        (rc = tc__repo_col_str(row, 4, i->sector, sizeof(i->sector))) != 0 ||
        (rc = tc__repo_col_str(row, 5, i->industry, sizeof(i->industry))) != 0 ||
        (rc = tc__repo_col_json(row, 6, &i->metadata)) != 0)
        return rc;
    i->issuer_type = (enum tc_issuer_type)type;
    return read_audit(row, 7, &i->created_at_us, &i->updated_at_us, i->created_by,
                      i->updated_by, &i->deleted_at_us);
}

static void issuer_free(void *item) { tc_issuer_release(item); }

struct issuer_op {
    const struct tc_refdata *rd;
    const struct tc_issuer *i;
};

static int issuer_write_txn(struct tc_txn *tx, void *ud, struct tc_error *err, int create)
{
    struct issuer_op *op = ud;
    const struct tc_issuer *i = op->i;
    struct tc_val key[] = {TC_V_TEXT(i->issuer_id)};
    struct tc_val p[] = {TC_V_TEXT(i->issuer_id),
                         TC_V_TEXT(tc_issuer_type_name(i->issuer_type)),
                         TC_V_TEXT(i->name),
                         opt_text(i->country),
                         opt_text(i->sector),
                         opt_text(i->industry),
                         json_or_empty(i->metadata),
                         TC_V_TIME(tc_clock_now(op->rd->clock)),
                         TC_V_TEXT(actor_of(op->rd))};
    int64_t changes = 0;
    int found, rc;

    if (!create) {
        if ((rc = tc_txn_exec(tx,
                              "UPDATE issuers SET issuer_type = $2, name = $3, country = $4, "
                              "sector = $5, industry = $6, metadata = $7, updated_at = $8, "
                              "updated_by = $9 WHERE issuer_id = $1 AND deleted_at IS NULL",
                              p, 9, NULL, NULL, &changes, err)) != 0)
            return rc;
        if (changes == 0)
            return tc_error_set(err, TC_ENOTFOUND, "issuer \"%s\" not found", i->issuer_id);
        return 0;
    }
    if ((rc = tc__repo_exists(tx, "SELECT 1 FROM issuers WHERE issuer_id = $1", key, 1, &found,
                              NULL, 0, err)) != 0)
        return rc;
    if (found)
        return tc_error_set(err, TC_ECONFLICT, "issuer \"%s\" already exists", i->issuer_id);
    return tc_txn_exec(tx,
                       "INSERT INTO issuers (issuer_id, issuer_type, name, country, sector, "
                       "industry, metadata, created_at, updated_at, created_by, updated_by) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $9)",
                       p, 9, NULL, NULL, NULL, err);
}

static int issuer_create_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    return issuer_write_txn(tx, ud, err, 1);
}

static int issuer_update_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    return issuer_write_txn(tx, ud, err, 0);
}

int tc_refdata_issuer_create(const struct tc_refdata *rd, const struct tc_issuer *i,
                             struct tc_error *err)
{
    struct issuer_op op = {rd, i};
    int rc;
    if ((rc = check_repo(rd, err)) != 0 || (rc = tc_issuer_validate(i, err)) != 0)
        return rc;
    return tc_store_txn(rd->store, TC_TXN_WRITE, issuer_create_txn, &op, err);
}

int tc_refdata_issuer_update(const struct tc_refdata *rd, const struct tc_issuer *i,
                             struct tc_error *err)
{
    struct issuer_op op = {rd, i};
    int rc;
    if ((rc = check_repo(rd, err)) != 0 || (rc = tc_issuer_validate(i, err)) != 0)
        return rc;
    return tc_store_txn(rd->store, TC_TXN_WRITE, issuer_update_txn, &op, err);
}

int tc_refdata_issuer_get(const struct tc_refdata *rd, const char *issuer_id,
                          struct tc_issuer *out, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(issuer_id ? issuer_id : "")};
    struct tc__repo_read c = {"SELECT " ISSUER_COLS " FROM issuers WHERE issuer_id = $1 AND deleted_at IS NULL",
                              p, 1, {.size = sizeof(struct tc_issuer)}, issuer_fill, issuer_free, 0};
    return get_one(rd, "issuer", issuer_id, &c, out, sizeof(*out), err);
}

int tc_refdata_issuer_remove(const struct tc_refdata *rd, const char *issuer_id,
                             struct tc_error *err)
{
    struct remove_op op = {rd, "issuer", issuer_id,
                           "SELECT instrument_id FROM instruments WHERE issuer_id = $1 AND "
                           "deleted_at IS NULL ORDER BY instrument_id LIMIT 1",
                           "used by",
                           "UPDATE issuers SET deleted_at = $2, updated_at = $2, updated_by = $3 "
                           "WHERE issuer_id = $1 AND deleted_at IS NULL"};
    return remove_entity(&op, err);
}

int tc_refdata_issuer_list(const struct tc_refdata *rd, struct tc_issuer_list *out,
                           struct tc_error *err)
{
    struct tc__repo_read c = {"SELECT " ISSUER_COLS " FROM issuers WHERE deleted_at IS NULL ORDER BY issuer_id",
                              NULL, 0, {.size = sizeof(struct tc_issuer)}, issuer_fill, issuer_free, 0};
    void *items;
    int rc = list_all(rd, &c, &items, &out->n, err);
    out->items = items;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Instruments                                                                */

#define INSTRUMENT_COLS                                                                    \
    "instrument_id, issuer_id, market_id, asset_class, symbol, exchange, currency, "       \
    "multiplier, tick_size, lot_size, maturity_date, underlying_instrument_id, status, "   \
    "metadata, created_at, updated_at, created_by, updated_by, deleted_at"

static int instrument_fill(const struct tc_row *row, void *item)
{
    struct tc_instrument *i = item;
    int ac, st, rc;
    if ((rc = tc__repo_col_str(row, 0, i->instrument_id, sizeof(i->instrument_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, i->issuer_id, sizeof(i->issuer_id))) != 0 ||
        (rc = tc__repo_col_str(row, 2, i->market_id, sizeof(i->market_id))) != 0 ||
        (rc = parse_enum(asset_classes, row, 3, &ac)) != 0 ||
        (rc = tc__repo_col_str(row, 4, i->symbol, sizeof(i->symbol))) != 0 ||
        (rc = tc__repo_col_str(row, 5, i->exchange, sizeof(i->exchange))) != 0 ||
        (rc = tc__repo_col_str(row, 6, i->currency, sizeof(i->currency))) != 0 ||
        (rc = tc__repo_col_dec(row, 7, &i->multiplier)) != 0 ||
        (rc = tc__repo_col_dec(row, 8, &i->tick_size)) != 0 ||
        (rc = tc__repo_col_dec(row, 9, &i->lot_size)) != 0 ||
        (rc = tc__repo_col_str(row, 10, i->maturity_date, sizeof(i->maturity_date))) != 0 ||
        (rc = tc__repo_col_str(row, 11, i->underlying_instrument_id,
                               sizeof(i->underlying_instrument_id))) != 0 ||
        (rc = parse_enum(statuses, row, 12, &st)) != 0 ||
        (rc = tc__repo_col_json(row, 13, &i->metadata)) != 0)
        return rc;
    i->asset_class = (enum tc_asset_class)ac;
    i->status = (enum tc_instrument_status)st;
    return read_audit(row, 14, &i->created_at_us, &i->updated_at_us, i->created_by,
                      i->updated_by, &i->deleted_at_us);
}

static void instrument_free(void *item) { tc_instrument_release(item); }

struct instrument_op {
    const struct tc_refdata *rd;
    const struct tc_instrument *i;
};

/* References and the (market, symbol) uniqueness, checked for a good message
 * before the foreign keys and the unique index would reject the row. */
static int instrument_check_refs(struct tc_txn *tx, const struct tc_instrument *i,
                                 struct tc_error *err)
{
    char entity[96], other[TC_REFDATA_ID_MAX];
    struct tc_val p[] = {TC_V_TEXT(i->market_id), TC_V_TEXT(i->symbol),
                         TC_V_TEXT(i->instrument_id)};
    int found, rc;

    snprintf(entity, sizeof(entity), "instrument \"%s\"", i->instrument_id);
    if ((rc = require_live(tx,
                           "SELECT 1 FROM markets WHERE market_id = $1 AND deleted_at IS NULL",
                           entity, "market", i->market_id, err)) != 0)
        return rc;
    if (i->issuer_id[0] &&
        (rc = require_live(tx,
                           "SELECT 1 FROM issuers WHERE issuer_id = $1 AND deleted_at IS NULL",
                           entity, "issuer", i->issuer_id, err)) != 0)
        return rc;
    if (i->underlying_instrument_id[0] &&
        (rc = require_live(tx,
                           "SELECT 1 FROM instruments WHERE instrument_id = $1 AND "
                           "deleted_at IS NULL",
                           entity, "underlying instrument", i->underlying_instrument_id,
                           err)) != 0)
        return rc;
    if ((rc = tc__repo_exists(tx,
                              "SELECT instrument_id FROM instruments WHERE market_id = $1 AND "
                              "symbol = $2 AND instrument_id <> $3 AND deleted_at IS NULL",
                              p, 3, &found, other, sizeof(other), err)) != 0)
        return rc;
    if (found)
        return tc_error_set(err, TC_ECONFLICT,
                            "instrument \"%s\": symbol \"%s\" already exists in market \"%s\" "
                            "(instrument \"%s\")",
                            i->instrument_id, i->symbol, i->market_id, other);
    return 0;
}

static int instrument_write_txn(struct tc_txn *tx, void *ud, struct tc_error *err, int create)
{
    struct instrument_op *op = ud;
    const struct tc_instrument *i = op->i;
    struct tc_val key[] = {TC_V_TEXT(i->instrument_id)};
    struct tc_val p[] = {TC_V_TEXT(i->instrument_id),
                         opt_text(i->issuer_id),
                         TC_V_TEXT(i->market_id),
                         TC_V_TEXT(tc_asset_class_name(i->asset_class)),
                         TC_V_TEXT(i->symbol),
                         opt_text(i->exchange),
                         TC_V_TEXT(i->currency),
                         TC_V_DEC(i->multiplier),
                         TC_V_DEC(i->tick_size),
                         TC_V_DEC(i->lot_size),
                         opt_text(i->maturity_date),
                         opt_text(i->underlying_instrument_id),
                         TC_V_TEXT(tc_instrument_status_name(i->status)),
                         json_or_empty(i->metadata),
                         TC_V_TIME(tc_clock_now(op->rd->clock)),
                         TC_V_TEXT(actor_of(op->rd))};
    int64_t changes = 0;
    int found, rc;

    if (create) {
        if ((rc = tc__repo_exists(tx, "SELECT 1 FROM instruments WHERE instrument_id = $1", key,
                                  1, &found, NULL, 0, err)) != 0)
            return rc;
        if (found)
            return tc_error_set(err, TC_ECONFLICT, "instrument \"%s\" already exists",
                                i->instrument_id);
    } else {
        if ((rc = tc__repo_exists(tx,
                                  "SELECT 1 FROM instruments WHERE instrument_id = $1 AND "
                                  "deleted_at IS NULL",
                                  key, 1, &found, NULL, 0, err)) != 0)
            return rc;
        if (!found)
            return tc_error_set(err, TC_ENOTFOUND, "instrument \"%s\" not found",
                                i->instrument_id);
    }
    if ((rc = instrument_check_refs(tx, i, err)) != 0)
        return rc;
    if (create)
        return tc_txn_exec(tx,
                           "INSERT INTO instruments (instrument_id, issuer_id, market_id, "
                           "asset_class, symbol, exchange, currency, multiplier, tick_size, "
                           "lot_size, maturity_date, underlying_instrument_id, status, metadata, "
                           "created_at, updated_at, created_by, updated_by) VALUES ($1, $2, $3, "
                           "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $16)",
                           p, 16, NULL, NULL, NULL, err);
    if ((rc = tc_txn_exec(tx,
                          "UPDATE instruments SET issuer_id = $2, market_id = $3, "
                          "asset_class = $4, symbol = $5, exchange = $6, currency = $7, "
                          "multiplier = $8, tick_size = $9, lot_size = $10, maturity_date = $11, "
                          "underlying_instrument_id = $12, status = $13, metadata = $14, "
                          "updated_at = $15, updated_by = $16 "
                          "WHERE instrument_id = $1 AND deleted_at IS NULL",
                          p, 16, NULL, NULL, &changes, err)) != 0)
        return rc;
    if (changes == 0)
        return tc_error_set(err, TC_ENOTFOUND, "instrument \"%s\" not found", i->instrument_id);
    return 0;
}

static int instrument_create_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    return instrument_write_txn(tx, ud, err, 1);
}

static int instrument_update_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    return instrument_write_txn(tx, ud, err, 0);
}

int tc_refdata_instrument_create(const struct tc_refdata *rd, const struct tc_instrument *i,
                                 struct tc_error *err)
{
    struct instrument_op op = {rd, i};
    int rc;
    if ((rc = check_repo(rd, err)) != 0 || (rc = tc_instrument_validate(i, err)) != 0)
        return rc;
    return tc_store_txn(rd->store, TC_TXN_WRITE, instrument_create_txn, &op, err);
}

int tc_refdata_instrument_update(const struct tc_refdata *rd, const struct tc_instrument *i,
                                 struct tc_error *err)
{
    struct instrument_op op = {rd, i};
    int rc;
    if ((rc = check_repo(rd, err)) != 0 || (rc = tc_instrument_validate(i, err)) != 0)
        return rc;
    return tc_store_txn(rd->store, TC_TXN_WRITE, instrument_update_txn, &op, err);
}

int tc_refdata_instrument_remove(const struct tc_refdata *rd, const char *instrument_id,
                                 struct tc_error *err)
{
    struct remove_op op = {rd, "instrument", instrument_id,
                           "SELECT instrument_id FROM instruments WHERE "
                           "underlying_instrument_id = $1 AND deleted_at IS NULL "
                           "ORDER BY instrument_id LIMIT 1",
                           "the underlying of",
                           "UPDATE instruments SET deleted_at = $2, updated_at = $2, "
                           "updated_by = $3 WHERE instrument_id = $1 AND deleted_at IS NULL"};
    return remove_entity(&op, err);
}

static int instrument_query(const struct tc_refdata *rd, const char *where,
                            const struct tc_val *p, size_t n, struct tc_instrument_list *out,
                            struct tc_error *err)
{
    char sql[512];
    struct tc__repo_read c = {sql, p, n, {.size = sizeof(struct tc_instrument)}, instrument_fill,
                         instrument_free, 0};
    int rc;

    out->items = NULL;
    out->n = 0;
    snprintf(sql, sizeof(sql),
             "SELECT " INSTRUMENT_COLS " FROM instruments WHERE %s deleted_at IS NULL "
             "ORDER BY instrument_id",
             where);
    if ((rc = check_repo(rd, err)) != 0 || (rc = run_read(rd, &c, err)) != 0)
        return rc;
    out->items = c.vec.items;
    out->n = c.vec.n;
    return 0;
}

int tc_refdata_instrument_get(const struct tc_refdata *rd, const char *instrument_id,
                              struct tc_instrument *out, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(instrument_id ? instrument_id : "")};
    struct tc_instrument_list l;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = tc_validate_id("instrument", instrument_id, err)) != 0 ||
        (rc = instrument_query(rd, "instrument_id = $1 AND", p, 1, &l, err)) != 0)
        return rc;
    if (l.n == 0)
        return tc_error_set(err, TC_ENOTFOUND, "instrument \"%s\" not found", instrument_id);
    *out = l.items[0];
    free(l.items);  /* a primary-key lookup returns one row */
    return 0;
}

int tc_refdata_instrument_list(const struct tc_refdata *rd, struct tc_instrument_list *out,
                               struct tc_error *err)
{
    return instrument_query(rd, "", NULL, 0, out, err);
}

int tc_refdata_instrument_find_symbol(const struct tc_refdata *rd, const char *symbol,
                                      struct tc_instrument_list *out, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(symbol ? symbol : "")};
    int rc;

    out->items = NULL;
    out->n = 0;
    if ((rc = tc_validate_text("instrument: symbol", symbol, TC_REFDATA_ID_MAX - 1, 0, err)) != 0)
        return rc;
    return instrument_query(rd, "symbol = $1 AND", p, 1, out, err);
}

int tc_refdata_instrument_find_market(const struct tc_refdata *rd, const char *market_id,
                                      struct tc_instrument_list *out, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(market_id ? market_id : "")};
    int rc;

    out->items = NULL;
    out->n = 0;
    if ((rc = tc_validate_id("instrument: market_id", market_id, err)) != 0)
        return rc;
    return instrument_query(rd, "market_id = $1 AND", p, 1, out, err);
}

int tc_refdata_instrument_find_status(const struct tc_refdata *rd,
                                      enum tc_instrument_status status,
                                      struct tc_instrument_list *out, struct tc_error *err)
{
    const char *name = tc_instrument_status_name(status);
    struct tc_val p[] = {TC_V_TEXT(name ? name : "")};

    out->items = NULL;
    out->n = 0;
    if (!name)
        return tc_error_set(err, TC_EINVAL, "instrument: status %d is unknown", (int)status);
    return instrument_query(rd, "status = $1 AND", p, 1, out, err);
}
