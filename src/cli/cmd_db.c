/* `tradecore db`: schema migrations of the runtime and historical stores. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_backup.h"
#include "tradecore/clock.h"
#include "tradecore/migrate.h"
#include "tradecore/store.h"
#include "internal/banned.h"

static const char *const STORES[] = {"runtime", "historical"};

struct db_args {
    int stores[2];     /* which of STORES are selected */
    int to;            /* --to, -1 = latest */
    int steps;         /* --steps */
    int dry_run;
    int json;
};

static void usage_db(FILE *f)
{
    fprintf(f,
            "usage: tradecore db migrate  [--store runtime|historical|all] [--to N] [--dry-run]\n"
            "       tradecore db rollback [--store runtime|historical|all] [--steps N] "
            "[--dry-run]\n"
            "       tradecore db status   [--store runtime|historical|all] [--json]\n"
            "       tradecore db history  [--store runtime|historical|all] [--json]\n"
            "       tradecore db backup   --out FILE [--keep N] [--store runtime|historical]\n"
            "       tradecore db restore  FILE [--store runtime|historical]\n"
            "\n"
            "migrate   apply the pending migrations (up to version N)\n"
            "rollback  revert the N most recently applied migrations (default 1)\n"
            "status    per store: backend, URL, reachable, current and latest version,\n"
            "          pending migrations, dirty flag\n"
            "history   the applied migrations: time, version, name, checksum, duration\n"
            "backup    online copy of a store, older copies rotated to FILE.1 ...\n"
            "restore   copy a backup over a sqlite store (not while serve runs)\n"
            "--store defaults to all: runtime, then historical.\n");
}

static int parse_int(const char *s, int lo, int *out)
{
    char *end;
    long v;
    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}

/* Parses the options of SUB; returns 0, or an exit status (usage / help). */
static int parse_args(struct tc_cli *cli, const char *sub, int argc, char **argv,
                      struct db_args *a, int *exit_now)
{
    *exit_now = 0;
    a->stores[0] = a->stores[1] = 1;
    a->to = -1;
    a->steps = 1;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int is_migrate = strcmp(sub, "migrate") == 0, is_rollback = strcmp(sub, "rollback") == 0;
        if (tc_cli_is_help(o)) {
            usage_db(cli->out);
            *exit_now = 1;
            return TC_EXIT_OK;
        } else if (strcmp(o, "--store") == 0) {
            if (!v)
                return tc_cli_usage(cli, "%s: --store needs runtime, historical or all", sub);
            if (strcmp(v, "all") == 0) {
                a->stores[0] = a->stores[1] = 1;
            } else if (strcmp(v, "runtime") == 0 || strcmp(v, "historical") == 0) {
                a->stores[0] = strcmp(v, "runtime") == 0;
                a->stores[1] = !a->stores[0];
            } else {
                return tc_cli_usage(cli, "%s: unknown store \"%s\" (runtime, historical or all)",
                                    sub, v);
            }
            i++;
        } else if (is_migrate && strcmp(o, "--to") == 0) {
            if (parse_int(v, 0, &a->to) != 0)
                return tc_cli_usage(cli, "migrate: --to needs a version number >= 0, not \"%s\"",
                                    v ? v : "");
            i++;
        } else if (is_rollback && strcmp(o, "--steps") == 0) {
            if (parse_int(v, 1, &a->steps) != 0)
                return tc_cli_usage(cli, "rollback: --steps needs a number >= 1, not \"%s\"",
                                    v ? v : "");
            i++;
        } else if ((is_migrate || is_rollback) && strcmp(o, "--dry-run") == 0) {
            a->dry_run = 1;
        } else if (!is_migrate && !is_rollback && strcmp(o, "--json") == 0) {
            a->json = 1;
        } else {
            return tc_cli_usage(cli, "%s: unknown option \"%s\" (see tradecore db --help)", sub, o);
        }
    }
    return 0;
}

static int open_with_set(struct tc_cli *cli, const char *which, struct tc_store **s,
                         struct tc_migration_set **set, struct tc_error *err)
{
    int rc;
    *set = NULL;
    if ((rc = tc_cli_open_store(cli, which, s, err)) != 0)
        return rc;
    if ((rc = tc_migration_set_load_embedded(tc_store_backend_name(*s), which, set, err)) != 0) {
        tc_store_close(*s);
        *s = NULL;
    }
    return rc;
}

struct report_ctx {
    struct tc_cli *cli;
    const char *store;
};

static void report(const struct tc_migrate_event *ev, void *ud)
{
    struct report_ctx *r = ud;
    if (ev->dry_run)
        fprintf(r->cli->out, "%s: would %s %04d %s\n", r->store, ev->up ? "apply" : "revert",
                ev->version, ev->name);
    else
        fprintf(r->cli->out, "%s: %s %04d %s (%lld ms)\n", r->store,
                ev->up ? "applied" : "reverted", ev->version, ev->name,
                (long long)ev->duration_ms);
}

static int run_migrate(struct tc_cli *cli, const struct db_args *a, int up)
{
    for (int k = 0; k < 2; k++) {
        struct tc_store *s = NULL;
        struct tc_migration_set *set = NULL;
        struct tc_migrate_status st;
        struct tc_error err = {0};
        struct report_ctx rc_ = {cli, STORES[k]};
        int rc;

        if (!a->stores[k])
            continue;
        if ((rc = open_with_set(cli, STORES[k], &s, &set, &err)) != 0)
            return tc_cli_fail(cli, &err);
        if (up)
            rc = tc_migrate_up(s, set, a->to, a->dry_run, report, &rc_, &err);
        else
            rc = tc_migrate_down(s, set, a->steps, a->dry_run, report, &rc_, &err);
        if (rc == 0 && (rc = tc_migrate_status(s, set, &st, &err)) == 0) {
            fprintf(cli->out, "%s: at version %d of %d%s\n", STORES[k], st.current, st.latest,
                    a->dry_run ? " (dry run: nothing changed)" : "");
            tc_migrate_status_release(&st);
        }
        if (rc != 0)
            tc_error_prefix(&err, "%s store", STORES[k]);
        tc_migration_set_free(set);
        tc_store_close(s);
        if (rc != 0)
            return rc == TC_EINVAL && up ? tc_cli_usage(cli, "%s", tc_error_msg(&err))
                                         : tc_cli_fail(cli, &err);
    }
    return TC_EXIT_OK;
}

static int run_status(struct tc_cli *cli, const struct db_args *a)
{
    json_t *arr = json_array();
    int status = TC_EXIT_OK;

    for (int k = 0; k < 2; k++) {
        struct tc_store *s = NULL;
        struct tc_migration_set *set = NULL;
        struct tc_migrate_status st = {0};
        struct tc_error err = {0};
        char url[1024] = "";
        const char *backend = "";
        int reachable = 0, rc;
        json_t *o;

        if (!a->stores[k])
            continue;
        rc = open_with_set(cli, STORES[k], &s, &set, &err);
        if (rc == 0) {
            snprintf(url, sizeof(url), "%s", tc_store_url_redacted(s));
            backend = tc_store_backend_name(s);
            reachable = 1;
            rc = tc_migrate_status(s, set, &st, &err);
        } else {
            char key[64];
            const char *raw;
            snprintf(key, sizeof(key), "database.%s.url", STORES[k]);
            raw = tc_config_str(cli->cfg, key);
            if (raw)
                tc_store_redact_url(raw, url, sizeof(url));
            backend = raw && strncmp(raw, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
        }
        if (rc != 0)
            status = TC_EXIT_FAIL;
        if (a->json) {
            o = json_pack("{s:s, s:s, s:s, s:b}", "store", STORES[k], "backend", backend, "url",
                          url, "reachable", reachable);
            if (reachable) {
                json_object_set_new(o, "current", json_integer(st.current));
                json_object_set_new(o, "latest", json_integer(st.latest));
                json_object_set_new(o, "pending", json_integer(st.n_pending));
                json_object_set_new(o, "dirty", json_boolean(st.dirty));
            }
            json_object_set_new(o, "error", rc ? json_string(tc_error_msg(&err)) : json_null());
            json_array_append_new(arr, o);
        } else {
            fprintf(cli->out, "%s:\n  backend    %s\n  url        %s\n  reachable  %s\n",
                    STORES[k], backend, url, reachable ? "yes" : "no");
            if (reachable)
                fprintf(cli->out,
                        "  current    %d\n  latest     %d\n  pending    %d\n  dirty      %s\n",
                        st.current, st.latest, st.n_pending, st.dirty ? "yes" : "no");
            if (rc != 0)
                fprintf(cli->out, "  error      %s\n", tc_error_msg(&err));
        }
        tc_migrate_status_release(&st);
        tc_migration_set_free(set);
        tc_store_close(s);
    }
    if (a->json) {
        json_t *root = json_pack("{s:o}", "stores", arr);
        json_dumpf(root, cli->out, JSON_INDENT(2));
        fputc('\n', cli->out);
        json_decref(root);
    } else {
        json_decref(arr);
    }
    return status;
}

struct hist_ctx {
    struct tc_cli *cli;
    const char *store;
    json_t *arr;
};

static int hist_row(const struct tc_migration_record *r, void *ud)
{
    struct hist_ctx *h = ud;
    char when[TC_TIME_STRLEN] = "";

    if (strcmp(r->store, h->store) != 0)
        return 0;
    tc_time_format(r->applied_at_us, when, sizeof(when));
    if (h->arr) {
        json_array_append_new(h->arr,
                              json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:b}", "store", h->store,
                                        "applied_at", when, "version", r->version, "name",
                                        r->name, "checksum", r->checksum, "duration_ms",
                                        (json_int_t)r->duration_ms, "dirty", r->dirty));
    } else {
        fprintf(h->cli->out, "%s  %-10s  %04d  %-32s  %.12s  %lld ms%s\n", when, h->store,
                r->version, r->name, r->checksum, (long long)r->duration_ms,
                r->dirty ? "  DIRTY" : "");
    }
    return 0;
}

static int run_history(struct tc_cli *cli, const struct db_args *a)
{
    json_t *arr = a->json ? json_array() : NULL;
    int status = TC_EXIT_OK;

    for (int k = 0; k < 2 && status == TC_EXIT_OK; k++) {
        struct tc_store *s = NULL;
        struct tc_error err = {0};
        struct hist_ctx h = {cli, STORES[k], arr};

        if (!a->stores[k])
            continue;
        if (tc_cli_open_store(cli, STORES[k], &s, &err) != 0 ||
            tc_migrate_history(s, hist_row, &h, &err) != 0)
            status = tc_cli_fail(cli, &err);
        tc_store_close(s);
    }
    if (arr) {
        if (status == TC_EXIT_OK) {
            json_dumpf(arr, cli->out, JSON_INDENT(2));
            fputc('\n', cli->out);
        }
        json_decref(arr);
    }
    return status;
}

int tc_cmd_db(struct tc_cli *cli, int argc, char **argv)
{
    struct db_args a = {0};
    const char *sub;
    int rc, exit_now;

    if (argc < 2) {
        usage_db(cli->err);
        return tc_cli_usage(cli, "missing subcommand");
    }
    sub = argv[1];
    if (tc_cli_is_help(sub)) {
        usage_db(cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(sub, "backup") == 0)
        return tc_cmd_db_backup(cli, argc - 1, argv + 1);
    if (strcmp(sub, "restore") == 0)
        return tc_cmd_db_restore(cli, argc - 1, argv + 1);
    if (strcmp(sub, "migrate") != 0 && strcmp(sub, "rollback") != 0 &&
        strcmp(sub, "status") != 0 && strcmp(sub, "history") != 0)
        return tc_cli_usage(cli, "unknown subcommand \"%s\" (migrate, rollback, status, history, "
                            "backup, restore)",
                            sub);
    rc = parse_args(cli, sub, argc - 2, argv + 2, &a, &exit_now);
    if (rc != 0 || exit_now)
        return rc;
    if (strcmp(sub, "migrate") == 0)
        return run_migrate(cli, &a, 1);
    if (strcmp(sub, "rollback") == 0)
        return run_migrate(cli, &a, 0);
    if (strcmp(sub, "status") == 0)
        return run_status(cli, &a);
    return run_history(cli, &a);
}
