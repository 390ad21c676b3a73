/*
 * Versioned schema migrations.
 *
 * A migration set is the files migrations/<backend>/<store>/NNNN_name.up.sql
 * (and optionally NNNN_name.down.sql), embedded in the library at build time,
 * or the same kind of files read from one directory (for tests and tools).
 * Versions are positive integers, unique within a set.
 *
 * The database records what is applied in a table schema_migrations
 * (store, version, name, checksum = SHA-256 hex of the up file, applied_at,
 * duration_ms, dirty), keyed by (store, version): a set's rows are scoped by
 * its store name, so that the runtime and historical stores may share one
 * database. Each migration runs in one transaction that also writes
 * (or deletes) its row; concurrent migrators are serialised by a lock taken
 * first in that transaction (PostgreSQL: pg_advisory_xact_lock; sqlite: BEGIN
 * IMMEDIATE) after which the applied set is read again, so two processes
 * migrating the same database apply each migration exactly once.
 *
 * An applied migration whose file changed (checksum differs) stops every
 * operation with TC_ECHECKSUM naming the version, name and both checksums; a
 * row marked dirty stops it with TC_ESTATE. Nothing is changed in either case.
 *
 * Thread-safety: a set is read-only after loading and may be shared.
 */
#ifndef TRADECORE_MIGRATE_H
#define TRADECORE_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"
#include "tradecore/store.h"

#define TC_MIGRATE_CHECKSUM_LEN 64 /* hex SHA-256, without the NUL */

/* One migration of a set. Owned by the set. */
struct tc_migration {
    int version;
    const char *name;      /* "init" from 0001_init.up.sql */
    const char *up_sql;
    const char *down_sql;  /* NULL when there is no down file */
    char checksum[TC_MIGRATE_CHECKSUM_LEN + 1];
};

struct tc_migration_set;

/*
 * Loads the embedded migrations of BACKEND ("sqlite" or "postgres") and STORE
 * ("runtime" or "historical"). An empty set is not an error. On success *OUT
 * is owned by the caller: tc_migration_set_free() it. TC_EINVAL for unknown
 * names; TC_EPARSE / TC_ECONFLICT for malformed or duplicate file names.
 */
int tc_migration_set_load_embedded(const char *backend, const char *store,
                                   struct tc_migration_set **out, struct tc_error *err);

/*
 * Loads NNNN_name.up.sql / NNNN_name.down.sql files from DIR, whose last path
 * component is the set's store name (migrations/sqlite/runtime -> "runtime"),
 * as for the embedded sets (other files are
 * ignored; a *.sql file with a malformed name is TC_EPARSE naming it, a down
 * file without its up file TC_EINVAL, two files for one version TC_ECONFLICT).
 * TC_EIO when DIR cannot be read. *OUT as above.
 */
int tc_migration_set_load_dir(const char *dir, struct tc_migration_set **out,
                              struct tc_error *err);

void tc_migration_set_free(struct tc_migration_set *set);  /* NULL allowed */

/* The migrations in ascending version order; AT returns NULL past the end. */
size_t tc_migration_set_count(const struct tc_migration_set *set);
const struct tc_migration *tc_migration_set_at(const struct tc_migration_set *set, size_t i);
/* The store name that scopes SET's rows in schema_migrations. */
const char *tc_migration_set_store(const struct tc_migration_set *set);
/* The highest version of SET, 0 when empty. */
int tc_migration_set_latest(const struct tc_migration_set *set);

/* What an up or down run did (or, with dry_run, would do), one per migration. */
struct tc_migrate_event {
    int up;                /* 1 applied (up), 0 reverted (down) */
    int version;
    const char *name;
    int dry_run;
    int64_t duration_ms;   /* 0 for a dry run */
};
/* Called after each migration commits (or would be run, in a dry run). */
typedef void (*tc_migrate_report_fn)(const struct tc_migrate_event *ev, void *ud);

/*
 * Applies the pending migrations of SET, in version order, up to and including
 * TO_VERSION (-1 = the latest). DRY_RUN reports what would run and changes
 * nothing (not even creating schema_migrations). REPORT may be NULL.
 * TO_VERSION below the current version, or not a version of SET (other than
 * 0 and -1), is TC_EINVAL. A failing migration is rolled back whole and its
 * error returned prefixed with "migration N (name)"; the ones before it stay
 * applied.
 */
int tc_migrate_up(struct tc_store *s, const struct tc_migration_set *set, int to_version,
                  int dry_run, tc_migrate_report_fn report, void *ud, struct tc_error *err);

/*
 * Reverts the STEPS most recently applied migrations (STEPS >= 1; -1 = all),
 * newest first, each with its down file in its own transaction. Every one of
 * them must be in SET with a down file and an unchanged checksum, else nothing
 * is reverted: TC_EINVAL "migration N (name) has no down file" / TC_ECHECKSUM.
 * Fewer applied than STEPS reverts what there is.
 */
int tc_migrate_down(struct tc_store *s, const struct tc_migration_set *set, int steps,
                    int dry_run, tc_migrate_report_fn report, void *ud, struct tc_error *err);

/* Where a store stands against SET. */
struct tc_migrate_status {
    int current;           /* highest applied version, 0 when none */
    int latest;            /* highest version in SET */
    int applied;           /* number of applied migrations */
    int dirty;             /* nonzero when a row is marked dirty */
    int n_pending;
    int *pending;          /* versions of SET not applied, ascending (malloc'd) */
};
/* Fills *OUT (release with tc_migrate_status_release). Checks checksums too:
 * TC_ECHECKSUM as tc_migrate_up would report it. */
int tc_migrate_status(struct tc_store *s, const struct tc_migration_set *set,
                      struct tc_migrate_status *out, struct tc_error *err);
void tc_migrate_status_release(struct tc_migrate_status *st);

/* One row of schema_migrations. Strings valid during the callback only. */
struct tc_migration_record {
    const char *store;
    int version;
    const char *name;
    const char *checksum;
    int64_t applied_at_us;
    int64_t duration_ms;
    int dirty;
};
/* Calls FN for each row of schema_migrations (every store) ordered by store
 * and version (none when the table does not exist). FN returns 0 to go on, nonzero to stop. */
int tc_migrate_history(struct tc_store *s,
                       int (*fn)(const struct tc_migration_record *rec, void *ud), void *ud,
                       struct tc_error *err);

/*
 * Migrates S to the latest embedded version of STORE_NAME ("runtime" or
 * "historical") for S's backend.
 */
int tc_migrate_latest(struct tc_store *s, const char *store_name, struct tc_error *err);

#endif
