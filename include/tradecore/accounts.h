/*
 * Accounts: portfolios and strategies (their definitions: name, base
 * currency, initial capital, parameters), kept in the runtime store
 * (migrations/<backend>/runtime/0001_accounts).
 *
 * Repositories with create, get, update, soft delete, list and the finder of
 * enabled strategies. The conventions are those of refdata.h: validation
 * before any SQL with TC_EINVAL naming entity and field (`portfolio "p1":
 * base_currency "usd" is not three capital letters`); a duplicate id is
 * TC_ECONFLICT (`portfolio "p1" already exists`, soft-deleted ids stay taken);
 * a missing or soft-deleted row is TC_ENOTFOUND; ids obey tc_id_validate();
 * JSON fields are malloc'd strings owned by the struct (NULL on input = "{}"),
 * which must be JSON objects, released with tc_<entity>_release(); PostgreSQL
 * stores JSONB, so JSON read back is equal as JSON, not byte for byte.
 *
 * Thread-safety: the functions share nothing but the store (see store.h).
 */
#ifndef TRADECORE_ACCOUNTS_H
#define TRADECORE_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/id.h"
#include "tradecore/store.h"

#define TC_ACCOUNTS_ID_MAX TC_ID_BUFSZ  /* ids and actors: 64 chars + NUL */
#define TC_ACCOUNTS_NAME_MAX 128        /* names: 127 chars + NUL */
#define TC_ACCOUNTS_ACTOR_DEFAULT "tradecore"

/* The repository: a borrowed runtime store, a clock (NULL = system) and the
 * actor written to created_by/updated_by (NULL = TC_ACCOUNTS_ACTOR_DEFAULT). */
struct tc_accounts {
    struct tc_store *store;
    const struct tc_clock *clock;
    const char *actor;
};

/* A portfolio's definition (its state lives in the ledger tables). */
struct tc_portfolio_def {
    char portfolio_id[TC_ACCOUNTS_ID_MAX];
    char name[TC_ACCOUNTS_NAME_MAX];       /* required */
    char *description;                     /* optional free text, owned; NULL = none */
    char base_currency[4];                 /* three capital letters */
    struct tc_dec initial_capital;         /* >= 0 */
    char *metadata;                        /* JSON object, owned; NULL = "{}" */
    int64_t created_at_us, updated_at_us, deleted_at_us;
    char created_by[TC_ACCOUNTS_ID_MAX], updated_by[TC_ACCOUNTS_ID_MAX];
};

/* A strategy's definition: which code (by id) with which parameters. */
struct tc_strategy_def {
    char strategy_id[TC_ACCOUNTS_ID_MAX];
    char name[TC_ACCOUNTS_NAME_MAX];       /* required */
    char *description;                     /* optional, owned; NULL = none */
    int enabled;                           /* 0 or 1 */
    char *params;                          /* JSON object, owned; NULL = "{}" */
    char *metadata;                        /* JSON object, owned; NULL = "{}" */
    int64_t created_at_us, updated_at_us, deleted_at_us;
    char created_by[TC_ACCOUNTS_ID_MAX], updated_by[TC_ACCOUNTS_ID_MAX];
};

/* ITEMS malloc'd (NULL when N is 0), owned by the caller; release with the
 * matching *_list_release (NULL allowed; leaves the list empty). */
struct tc_portfolio_list {
    struct tc_portfolio_def *items;
    size_t n;
};
struct tc_strategy_list {
    struct tc_strategy_def *items;
    size_t n;
};

/* Free the owned strings of one definition and zero it (NULL allowed). */
void tc_portfolio_def_release(struct tc_portfolio_def *p);
void tc_strategy_def_release(struct tc_strategy_def *s);
void tc_portfolio_list_release(struct tc_portfolio_list *l);
void tc_strategy_list_release(struct tc_strategy_list *l);

/* Validation only (no store access): 0 or TC_EINVAL naming entity and field. */
int tc_portfolio_def_validate(const struct tc_portfolio_def *p, struct tc_error *err);
int tc_strategy_def_validate(const struct tc_strategy_def *s, struct tc_error *err);

/*
 * As in refdata.h: create (input borrowed; timestamps and *_by ignored),
 * get (fills *OUT, caller releases; TC_ENOTFOUND for missing or deleted),
 * update (all fields but the id and created_*; TC_ENOTFOUND when no live
 * row), remove (soft delete; TC_ENOTFOUND when no live row), list (live rows
 * by id; *OUT overwritten, caller releases).
 */
int tc_accounts_portfolio_create(const struct tc_accounts *acc,
                                 const struct tc_portfolio_def *p, struct tc_error *err);
int tc_accounts_portfolio_get(const struct tc_accounts *acc, const char *portfolio_id,
                              struct tc_portfolio_def *out, struct tc_error *err);
int tc_accounts_portfolio_update(const struct tc_accounts *acc,
                                 const struct tc_portfolio_def *p, struct tc_error *err);
int tc_accounts_portfolio_remove(const struct tc_accounts *acc, const char *portfolio_id,
                                 struct tc_error *err);
int tc_accounts_portfolio_list(const struct tc_accounts *acc, struct tc_portfolio_list *out,
                               struct tc_error *err);

int tc_accounts_strategy_create(const struct tc_accounts *acc, const struct tc_strategy_def *s,
                                struct tc_error *err);
int tc_accounts_strategy_get(const struct tc_accounts *acc, const char *strategy_id,
                             struct tc_strategy_def *out, struct tc_error *err);
int tc_accounts_strategy_update(const struct tc_accounts *acc, const struct tc_strategy_def *s,
                                struct tc_error *err);
int tc_accounts_strategy_remove(const struct tc_accounts *acc, const char *strategy_id,
                                struct tc_error *err);
int tc_accounts_strategy_list(const struct tc_accounts *acc, struct tc_strategy_list *out,
                              struct tc_error *err);
/* Live strategies with enabled = 1, by id. */
int tc_accounts_strategy_list_enabled(const struct tc_accounts *acc,
                                      struct tc_strategy_list *out, struct tc_error *err);

#endif
