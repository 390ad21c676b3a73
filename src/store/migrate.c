/*
 * Schema migrations: loads migration sets (embedded at build time or from a
 * directory), checksums them with SHA-256, and applies or reverts them one
 * transaction each, recording every step in schema_migrations under a lock
 * that serialises concurrent migrators.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/sha256.h"
#include "store/embedded.h"
#include "tradecore/clock.h"
#include "tradecore/migrate.h"
#include "tradecore/store.h"
#include "internal/banned.h"

/* Any constant shared by every tradecore migrator: the advisory lock key. */
#define MIGRATE_LOCK_KEY "7310584371205"

struct tc_migration_set {
    struct tc_migration *items;
    size_t n, cap;
    char store[64];       /* the scope of its rows in schema_migrations */
};

/* Sets ------------------------------------------------------------------ */

void tc_migration_set_free(struct tc_migration_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free((char *)set->items[i].name);
        free((char *)set->items[i].up_sql);
        free((char *)set->items[i].down_sql);
    }
    free(set->items);
    free(set);
}

size_t tc_migration_set_count(const struct tc_migration_set *set) { return set ? set->n : 0; }

const struct tc_migration *tc_migration_set_at(const struct tc_migration_set *set, size_t i)
{
    return (set && i < set->n) ? &set->items[i] : NULL;
}

const char *tc_migration_set_store(const struct tc_migration_set *set)
{
    return set ? set->store : "";
}

int tc_migration_set_latest(const struct tc_migration_set *set)
{
    return (set && set->n) ? set->items[set->n - 1].version : 0;
}

static const struct tc_migration *find_version(const struct tc_migration_set *set, int v)
{
    for (size_t i = 0; set && i < set->n; i++)
        if (set->items[i].version == v)
            return &set->items[i];
    return NULL;
}

/* Splits FNAME "NNNN_name.up.sql": 1 when it is a migration file, 0 when it is
 * not a .sql file (ignored), TC_EPARSE when it is a malformed .sql name. */
static int parse_name(const char *fname, int *version, char *name, size_t cap, int *up,
                      struct tc_error *err)
{
    size_t len = strlen(fname), nlen;
    const char *p = fname, *end;
    long v = 0;

    if (len < 4 || strcmp(fname + len - 4, ".sql") != 0)
        return 0;
    if (len > 7 && strcmp(fname + len - 7, ".up.sql") == 0) {
        *up = 1;
        end = fname + len - 7;
    } else if (len > 9 && strcmp(fname + len - 9, ".down.sql") == 0) {
        *up = 0;
        end = fname + len - 9;
    } else {
        return tc_error_set(err, TC_EPARSE,
                            "migration file \"%s\": name must end in .up.sql or .down.sql", fname);
    }
    while (p < end && *p >= '0' && *p <= '9') {
        v = v * 10 + (*p - '0');
        if (v > 99999999)
            return tc_error_set(err, TC_EPARSE, "migration file \"%s\": version is too large",
                                fname);
        p++;
    }
    if (p == fname || p >= end || *p != '_' || p + 1 == end)
        return tc_error_set(err, TC_EPARSE,
                            "migration file \"%s\": expected NNNN_name.up.sql or .down.sql",
                            fname);
    if (v <= 0)
        return tc_error_set(err, TC_EPARSE, "migration file \"%s\": version must be positive",
                            fname);
    nlen = (size_t)(end - (p + 1));
    if (nlen >= cap)
        return tc_error_set(err, TC_EPARSE, "migration file \"%s\": name is too long", fname);
    memcpy(name, p + 1, nlen);
    name[nlen] = '\0';
    *version = (int)v;
    return 1;
}

static int add_file(struct tc_migration_set *set, const char *fname, const char *data,
                    size_t len, struct tc_error *err)
{
    char name[256];
    int version = 0, up = 0, rc;
    struct tc_migration *m = NULL;
    char *copy;

    if ((rc = parse_name(fname, &version, name, sizeof(name), &up, err)) <= 0)
        return rc;
    if (memchr(data, '\0', len))
        return tc_error_set(err, TC_EPARSE, "migration file \"%s\": contains a NUL byte", fname);
    for (size_t i = 0; i < set->n; i++)
        if (set->items[i].version == version)
            m = &set->items[i];
    if (m) {
        if (strcmp(m->name, name) != 0 || (up ? m->up_sql != NULL : m->down_sql != NULL))
            return tc_error_set(err, TC_ECONFLICT,
                                "migration version %d: two files (\"%s\" and one named \"%s\")",
                                version, fname, m->name);
    } else {
        if (tc__grow((void **)&set->items, &set->cap, set->n, sizeof(*set->items), 16) != 0)
            return tc_error_set(err, TC_ENOMEM, "migrations: out of memory");
        m = &set->items[set->n];
        memset(m, 0, sizeof(*m));
        m->version = version;
        if (!(m->name = strdup(name)))
            return tc_error_set(err, TC_ENOMEM, "migrations: out of memory");
        set->n++;
    }
    if (!(copy = malloc(len + 1)))
        return tc_error_set(err, TC_ENOMEM, "migrations: out of memory");
    memcpy(copy, data, len);
    copy[len] = '\0';
    if (up) {
        m->up_sql = copy;
        (void)tc__sha256_hex(copy, len, m->checksum); /* "" on failure: never matches */
    } else {
        m->down_sql = copy;
    }
    return 0;
}

static int cmp_version(const void *a, const void *b)
{
    const struct tc_migration *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

static int finish_set(struct tc_migration_set *set, struct tc_error *err)
{
    for (size_t i = 0; i < set->n; i++)
        if (!set->items[i].up_sql)
            return tc_error_set(err, TC_EINVAL,
                                "migration %d (%s): down file without an up file",
                                set->items[i].version, set->items[i].name);
    if (set->n)
        qsort(set->items, set->n, sizeof(set->items[0]), cmp_version);
    return 0;
}

static int valid_store_name(const char *s)
{
    return s && (strcmp(s, "runtime") == 0 || strcmp(s, "historical") == 0);
}

int tc_migration_set_load_embedded(const char *backend, const char *store,
                                   struct tc_migration_set **out, struct tc_error *err)
{
    struct tc_migration_set *set;
    char prefix[64];
    size_t plen;
    int rc = 0;

    *out = NULL;
    if (!backend || (strcmp(backend, "sqlite") != 0 && strcmp(backend, "postgres") != 0))
        return tc_error_set(err, TC_EINVAL, "migrations: unknown backend \"%s\"",
                            backend ? backend : "(null)");
    if (!valid_store_name(store))
        return tc_error_set(err, TC_EINVAL,
                            "migrations: unknown store \"%s\" (runtime or historical)",
                            store ? store : "(null)");
    if (!(set = calloc(1, sizeof(*set))))
        return tc_error_set(err, TC_ENOMEM, "migrations: out of memory");
    snprintf(set->store, sizeof(set->store), "%s", store);
    plen = (size_t)snprintf(prefix, sizeof(prefix), "%s/%s/", backend, store);
    for (size_t i = 0; i < tc__migration_nfiles; i++) {
        const struct tc__embedded_file *f = &tc__migration_files[i];
        if (strncmp(f->path, prefix, plen) != 0 || strchr(f->path + plen, '/'))
            continue;
        if ((rc = add_file(set, f->path + plen, (const char *)f->data, f->len, err)) != 0)
            break;
    }
    if (rc == 0)
        rc = finish_set(set, err);
    if (rc != 0) {
        tc_migration_set_free(set);
        return tc_error_prefix(err, "embedded migrations %s", prefix);
    }
    *out = set;
    return 0;
}

static int read_file(const char *path, char **data, size_t *len, struct tc_error *err)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 4096, n = 0, r;
    char *buf;

    if (!f)
        return tc_error_set(err, TC_EIO, "migration file %s: %s", path, strerror(errno));
    if (!(buf = malloc(cap))) {
        fclose(f);
        return tc_error_set(err, TC_ENOMEM, "migrations: out of memory");
    }
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = cap > (size_t)64 << 20 ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                return tc_error_set(err, TC_ERANGE, "migration file %s: too large", path);
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return tc_error_set(err, TC_EIO, "migration file %s: read error", path);
    }
    fclose(f);
    *data = buf;
    *len = n;
    return 0;
}

int tc_migration_set_load_dir(const char *dir, struct tc_migration_set **out,
                              struct tc_error *err)
{
    struct tc_migration_set *set;
    struct dirent *de;
    DIR *d;
    int rc = 0;

    *out = NULL;
    if (!dir || !*dir)
        return tc_error_set(err, TC_EINVAL, "migrations: no directory given");
    if (!(d = opendir(dir)))
        return tc_error_set(err, TC_EIO, "migrations directory %s: %s", dir, strerror(errno));
    if (!(set = calloc(1, sizeof(*set)))) {
        closedir(d);
        return tc_error_set(err, TC_ENOMEM, "migrations: out of memory");
    }
    {
        size_t dl = strlen(dir);
        const char *base;
        while (dl > 1 && dir[dl - 1] == '/')
            dl--;
        base = dir + dl;
        while (base > dir && base[-1] != '/')
            base--;
        snprintf(set->store, sizeof(set->store), "%.*s", (int)(dir + dl - base), base);
    }
    while (rc == 0 && (de = readdir(d)) != NULL) {
        char path[4096], *data = NULL;
        size_t len = 0;
        size_t nl = strlen(de->d_name);
        if (de->d_name[0] == '.' || nl < 4 || strcmp(de->d_name + nl - 4, ".sql") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if ((rc = read_file(path, &data, &len, err)) != 0)
            break;
        rc = add_file(set, de->d_name, data, len, err);
        free(data);
    }
    closedir(d);
    if (rc == 0)
        rc = finish_set(set, err);
    if (rc != 0) {
        tc_migration_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

/* The database side ------------------------------------------------------- */

struct applied {
    int version;
    char name[256];
    char checksum[TC_MIGRATE_CHECKSUM_LEN + 1];
    int dirty;
};

struct applied_list {
    struct applied *v;
    size_t n, cap;
};

static int is_pg(struct tc_store *s) { return tc_store_backend(s) == TC_STORE_POSTGRES; }

static const char *create_sql(struct tc_store *s)
{
    return is_pg(s) ? "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "store TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL, "
                      "checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL, "
                      "duration_ms BIGINT NOT NULL, dirty BOOLEAN NOT NULL DEFAULT FALSE, "
                      "PRIMARY KEY (store, version))"
                    : "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "store TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, "
                      "checksum TEXT NOT NULL, applied_at TEXT NOT NULL, "
                      "duration_ms INTEGER NOT NULL, dirty INTEGER NOT NULL DEFAULT 0, "
                      "PRIMARY KEY (store, version))";
}

static int int_cb(const struct tc_row *row, void *ud) { return tc_row_int(row, 0, ud); }

static int table_exists(struct tc_txn *tx, int *exists, struct tc_error *err)
{
    int64_t n = 0;
    const char *sql =
        is_pg(tc_txn_store(tx))
            ? "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'schema_migrations' "
              "AND schemaname = current_schema()"
            : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
              "name = 'schema_migrations'";
    int rc = tc_txn_exec(tx, sql, NULL, 0, int_cb, &n, NULL, err);
    *exists = n > 0;
    return rc;
}

static int applied_cb(const struct tc_row *row, void *ud)
{
    struct applied_list *l = ud;
    struct applied *a;
    int64_t v;
    const char *t;
    int dirty = 0;

    if (tc__grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v), 16) != 0)
        return TC_ENOMEM;
    a = &l->v[l->n];
    if (tc_row_int(row, 0, &v) != 0 || v <= 0 || v > INT_MAX)
        return TC_EPARSE;
    a->version = (int)v;
    snprintf(a->name, sizeof(a->name), "%s", tc_row_text(row, 1, &t) == 0 ? t : "");
    snprintf(a->checksum, sizeof(a->checksum), "%s", tc_row_text(row, 2, &t) == 0 ? t : "");
    if (tc_row_bool(row, 3, &dirty) != 0)
        dirty = 1;
    a->dirty = dirty;
    l->n++;
    return 0;
}

/* Reads schema_migrations (empty when the table does not exist). */
static int read_applied(struct tc_txn *tx, const char *store, struct applied_list *l,
                        struct tc_error *err)
{
    struct tc_val p[1] = {TC_V_TEXT(store)};
    int exists = 0, rc;

    l->n = 0;
    if ((rc = table_exists(tx, &exists, err)) != 0 || !exists)
        return rc;
    rc = tc_txn_exec(tx, "SELECT version, name, checksum, dirty FROM schema_migrations "
                         "WHERE store = $1 ORDER BY version",
                     p, 1, applied_cb, l, NULL, err);
    if (rc != 0 && err && err->msg[0] == '\0')
        tc_error_set(err, rc, "schema_migrations: unreadable row");
    return rc;
}

struct read_ctx {
    const char *store;
    struct applied_list *l;
};

static int read_applied_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct read_ctx *c = ud;
    return read_applied(tx, c->store, c->l, err);
}

static int load_applied(struct tc_store *s, const char *store, struct applied_list *l,
                        struct tc_error *err)
{
    struct read_ctx c = {store, l};
    return tc_store_txn(s, TC_TXN_READ, read_applied_txn, &c, err);
}

/* Checksums and dirty flags of what is applied against SET. */
static int verify(const struct applied_list *l, const struct tc_migration_set *set,
                  struct tc_error *err)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct applied *a = &l->v[i];
        const struct tc_migration *m = find_version(set, a->version);
        if (a->dirty)
            return tc_error_set(err, TC_ESTATE,
                                "migration %d (%s) is marked dirty: a previous run failed "
                                "half-way; repair the schema and clear the flag",
                                a->version, a->name);
        if (m && strcmp(m->checksum, a->checksum) != 0)
            return tc_error_set(err, TC_ECHECKSUM,
                                "migration %d (%s) was changed after it was applied: "
                                "checksum %s in the database, %s in the file",
                                a->version, a->name, a->checksum, m->checksum);
    }
    return 0;
}

static const struct applied *find_applied(const struct applied_list *l, int v)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].version == v)
            return &l->v[i];
    return NULL;
}

static int take_lock(struct tc_txn *tx, struct tc_error *err)
{
    if (!is_pg(tc_txn_store(tx)))
        return 0; /* sqlite: BEGIN IMMEDIATE already holds the write lock */
    return tc_txn_exec(tx, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", NULL, 0, NULL,
                       NULL, NULL, err);
}

static int ensure_table_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    int exists = 0, rc;
    (void)ud;
    if ((rc = take_lock(tx, err)) != 0 || (rc = table_exists(tx, &exists, err)) != 0 || exists)
        return rc;
    return tc_txn_exec_script(tx, create_sql(tc_txn_store(tx)), err);
}

struct step_ctx {
    const char *store;
    const struct tc_migration *m;
    int up;
    int skipped;
    int64_t duration_ms;
    struct applied_list *l;
};

static int step_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct step_ctx *c = ud;
    struct tc_store *s = tc_txn_store(tx);
    const struct tc_store_options *opt = &s->opt;
    const struct applied *a;
    int64_t t0, changes = 0;
    int rc;

    c->skipped = 0;
    if ((rc = take_lock(tx, err)) != 0 || (rc = read_applied(tx, c->store, c->l, err)) != 0)
        return rc;
    if ((rc = verify(c->l, NULL, err)) != 0)
        return rc;
    a = find_applied(c->l, c->m->version);
    if (c->up && a) {
        if (strcmp(a->checksum, c->m->checksum) != 0)
            return tc_error_set(err, TC_ECHECKSUM,
                                "migration %d (%s) was changed after it was applied: "
                                "checksum %s in the database, %s in the file",
                                a->version, a->name, a->checksum, c->m->checksum);
        c->skipped = 1; /* another migrator applied it meanwhile */
        return 0;
    }
    if (!c->up && !a) {
        c->skipped = 1;
        return 0;
    }
    t0 = tc_clock_monotonic(opt->clock);
    if ((rc = tc_txn_exec_script(tx, c->up ? c->m->up_sql : c->m->down_sql, err)) != 0)
        return rc;
    c->duration_ms = (tc_clock_monotonic(opt->clock) - t0) / 1000;
    if (c->up) {
        struct tc_val p[7] = {TC_V_TEXT(c->store), TC_V_INT(c->m->version),
                              TC_V_TEXT(c->m->name), TC_V_TEXT(c->m->checksum),
                              TC_V_TIME(tc_clock_now(opt->clock)), TC_V_INT(c->duration_ms),
                              TC_V_BOOL(0)};
        return tc_txn_exec(tx,
                           "INSERT INTO schema_migrations (store, version, name, checksum, "
                           "applied_at, duration_ms, dirty) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                           p, 7, NULL, NULL, &changes, err);
    } else {
        struct tc_val p[2] = {TC_V_TEXT(c->store), TC_V_INT(c->m->version)};
        return tc_txn_exec(tx, "DELETE FROM schema_migrations WHERE store = $1 AND version = $2",
                           p, 2, NULL, NULL, &changes, err);
    }
}

static void report_event(tc_migrate_report_fn report, void *ud, int up,
                         const struct tc_migration *m, int dry_run, int64_t ms)
{
    struct tc_migrate_event ev = {up, m->version, m->name, dry_run, ms};
    if (report)
        report(&ev, ud);
}

static int current_of(const struct applied_list *l)
{
    return l->n ? l->v[l->n - 1].version : 0;
}

int tc_migrate_up(struct tc_store *s, const struct tc_migration_set *set, int to_version,
                  int dry_run, tc_migrate_report_fn report, void *ud, struct tc_error *err)
{
    struct applied_list l = {0};
    int rc, target;

    if (!s || !set)
        return tc_error_set(err, TC_EINVAL, "migrate: no store or migration set");
    if (to_version < -1 || (to_version > 0 && !find_version(set, to_version)))
        return tc_error_set(err, TC_EINVAL, "migrate %s: no migration version %d (latest is %d)",
                            tc_store_url_redacted(s), to_version, tc_migration_set_latest(set));
    target = to_version == -1 ? INT_MAX : to_version;
    if (!dry_run && (rc = tc_store_txn(s, TC_TXN_WRITE, ensure_table_txn, NULL, err)) != 0)
        goto out;
    if ((rc = load_applied(s, set->store, &l, err)) != 0 || (rc = verify(&l, set, err)) != 0)
        goto out;
    if (to_version >= 0 && to_version < current_of(&l)) {
        rc = tc_error_set(err, TC_EINVAL,
                          "migrate %s: version %d is below the current version %d (use rollback)",
                          tc_store_url_redacted(s), to_version, current_of(&l));
        goto out;
    }
    for (size_t i = 0; i < set->n; i++) {
        const struct tc_migration *m = &set->items[i];
        struct step_ctx c = {set->store, m, 1, 0, 0, &l};
        if (m->version > target)
            break;
        if (find_applied(&l, m->version))
            continue;
        if (dry_run) {
            report_event(report, ud, 1, m, 1, 0);
            continue;
        }
        if ((rc = tc_store_txn(s, TC_TXN_WRITE, step_txn, &c, err)) != 0) {
            tc_error_prefix(err, "migration %d (%s)", m->version, m->name);
            goto out;
        }
        if (!c.skipped)
            report_event(report, ud, 1, m, 0, c.duration_ms);
    }
    rc = 0;
out:
    free(l.v);
    return rc;
}

int tc_migrate_down(struct tc_store *s, const struct tc_migration_set *set, int steps,
                    int dry_run, tc_migrate_report_fn report, void *ud, struct tc_error *err)
{
    struct applied_list l = {0};
    size_t k;
    int rc;

    if (!s || !set)
        return tc_error_set(err, TC_EINVAL, "migrate: no store or migration set");
    if (steps == 0 || steps < -1)
        return tc_error_set(err, TC_EINVAL, "rollback: steps %d must be at least 1 (or -1 for all)",
                            steps);
    if ((rc = load_applied(s, set->store, &l, err)) != 0 || (rc = verify(&l, set, err)) != 0)
        goto out;
    k = (steps == -1 || (size_t)steps > l.n) ? l.n : (size_t)steps;
    for (size_t i = 0; i < k; i++) {
        const struct applied *a = &l.v[l.n - 1 - i];
        const struct tc_migration *m = find_version(set, a->version);
        if (!m) {
            rc = tc_error_set(err, TC_EINVAL,
                              "migration %d (%s) is applied but not in the migration set",
                              a->version, a->name);
            goto out;
        }
        if (!m->down_sql) {
            rc = tc_error_set(err, TC_EINVAL, "migration %d (%s) has no down file", m->version,
                              m->name);
            goto out;
        }
    }
    for (size_t i = 0; i < k; i++) {
        const struct tc_migration *m = find_version(set, l.v[l.n - 1 - i].version);
        struct applied_list inner = {0};
        struct step_ctx c = {set->store, m, 0, 0, 0, &inner};
        if (dry_run) {
            report_event(report, ud, 0, m, 1, 0);
            continue;
        }
        rc = tc_store_txn(s, TC_TXN_WRITE, step_txn, &c, err);
        free(inner.v);
        if (rc != 0) {
            tc_error_prefix(err, "migration %d (%s)", m->version, m->name);
            goto out;
        }
        if (!c.skipped)
            report_event(report, ud, 0, m, 0, c.duration_ms);
    }
    rc = 0;
out:
    free(l.v);
    return rc;
}

int tc_migrate_status(struct tc_store *s, const struct tc_migration_set *set,
                      struct tc_migrate_status *out, struct tc_error *err)
{
    struct applied_list l = {0};
    int rc;

    memset(out, 0, sizeof(*out));
    if (!s || !set)
        return tc_error_set(err, TC_EINVAL, "migrate: no store or migration set");
    if ((rc = load_applied(s, set->store, &l, err)) != 0)
        goto out;
    out->current = current_of(&l);
    out->latest = tc_migration_set_latest(set);
    out->applied = (int)l.n;
    for (size_t i = 0; i < l.n; i++)
        out->dirty |= l.v[i].dirty;
    if (set->n && !(out->pending = calloc(set->n, sizeof(int)))) {
        rc = tc_error_set(err, TC_ENOMEM, "migrate: out of memory");
        goto out;
    }
    for (size_t i = 0; i < set->n; i++)
        if (!find_applied(&l, set->items[i].version))
            out->pending[out->n_pending++] = set->items[i].version;
    rc = verify(&l, set, err);
out:
    free(l.v);
    return rc;
}

void tc_migrate_status_release(struct tc_migrate_status *st)
{
    if (!st)
        return;
    free(st->pending);
    st->pending = NULL;
    st->n_pending = 0;
}

struct hist_ctx {
    int (*fn)(const struct tc_migration_record *rec, void *ud);
    void *ud;
};

static int hist_row(const struct tc_row *row, void *ud)
{
    struct hist_ctx *h = ud;
    struct tc_migration_record r = {0};
    int64_t v;

    if (tc_row_int(row, 0, &v) != 0 || tc_row_text(row, 1, &r.name) != 0 ||
        tc_row_text(row, 2, &r.checksum) != 0 || tc_row_time(row, 3, &r.applied_at_us) != 0 ||
        tc_row_int(row, 4, &r.duration_ms) != 0 || tc_row_bool(row, 5, &r.dirty) != 0 ||
        tc_row_text(row, 6, &r.store) != 0)
        return TC_EPARSE;
    r.version = (int)v;
    return h->fn(&r, h->ud) != 0 ? 1 : 0;
}

static int hist_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    int exists = 0, rc;
    if ((rc = table_exists(tx, &exists, err)) != 0 || !exists)
        return rc;
    rc = tc_txn_exec(tx, "SELECT version, name, checksum, applied_at, duration_ms, dirty, store "
                         "FROM schema_migrations ORDER BY store, version",
                     NULL, 0, hist_row, ud, NULL, err);
    if (rc == TC_EPARSE)
        tc_error_set(err, rc, "schema_migrations: a row does not have the expected types");
    return rc;
}

int tc_migrate_history(struct tc_store *s,
                       int (*fn)(const struct tc_migration_record *rec, void *ud), void *ud,
                       struct tc_error *err)
{
    struct hist_ctx h = {fn, ud};
    if (!s || !fn)
        return tc_error_set(err, TC_EINVAL, "migrate: history needs a store and a function");
    return tc_store_txn(s, TC_TXN_READ, hist_txn, &h, err);
}

int tc_migrate_latest(struct tc_store *s, const char *store_name, struct tc_error *err)
{
    struct tc_migration_set *set = NULL;
    int rc;

    if (!s)
        return tc_error_set(err, TC_EINVAL, "migrate: no store");
    if ((rc = tc_migration_set_load_embedded(tc_store_backend_name(s), store_name, &set, err)) != 0)
        return rc;
    rc = tc_migrate_up(s, set, -1, 0, NULL, NULL, err);
    if (rc != 0)
        tc_error_prefix(err, "%s store %s", store_name, tc_store_url_redacted(s));
    tc_migration_set_free(set);
    return rc;
}
